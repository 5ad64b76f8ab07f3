//! `./x test`: host tests (cargo test) and every in-QEMU suite, with one
//! closing line `N passed, M failed` over all of them and the time it took.

use crate::build::{self, Profile};
use crate::harness::{self, Qemu};
use crate::suites::{Expect, SUITES};
use crate::Opts;
use std::process::Command;
use std::time::{Duration, Instant};

pub fn run(opts: &Opts) -> Result<(), String> {
    let start = Instant::now();
    let (mut passed, mut failed) = (0u64, 0u64);

    // The build comes first: some host tests read what it produced
    // (lib/pe's tests of the built ntdll.dll).
    let images = build::build_all(opts.profile())?;
    if opts.filter.is_none() {
        let (p, f) = host_tests()?;
        passed += p;
        failed += f;
    }
    let logs = build::root().join("target/test-logs");
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    for suite in SUITES {
        if let Some(f) = &opts.filter {
            if !suite.name.contains(f.as_str()) {
                continue;
            }
        }
        let (p, f) = run_suite(suite, &images, &logs, opts.profile())?;
        passed += p;
        failed += f;
    }
    println!("x test: took {:.1} s", start.elapsed().as_secs_f64());
    println!("{passed} passed, {failed} failed");
    if failed == 0 { Ok(()) } else { Err(format!("{failed} failed")) }
}

/// `cargo test` over the host-testable crates; sums cargo's result lines.
fn host_tests() -> Result<(u64, u64), String> {
    let out = Command::new("cargo")
        .current_dir(build::root())
        .env("PATH", format!("/usr/bin:{}", std::env::var("PATH").unwrap_or_default()))
        .args(["test", "--quiet"])
        .output()
        .map_err(|e| format!("cargo test: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let (mut p, mut f) = (0, 0);
    for l in text.lines() {
        if let Some(rest) = l.strip_prefix("test result: ") {
            // "ok. 12 passed; 0 failed; 0 ignored; ..."
            let nums: Vec<u64> = rest
                .split(';')
                .take(2)
                .filter_map(|s| s.split_whitespace().rev().nth(1).and_then(|n| n.parse().ok()))
                .collect();
            if let [np, nf] = nums[..] {
                p += np;
                f += nf;
            }
        } else if l.contains("FAILED") || l.starts_with("failures") || l.starts_with("---- ") {
            println!("{l}");
        }
    }
    if !out.status.success() && f == 0 {
        f = 1; // a build failure is a failure, whatever was counted
    }
    println!("suite host: {p} passed, {f} failed");
    Ok((p, f))
}

fn run_suite(
    suite: &crate::suites::Suite,
    images: &build::Images,
    logs: &std::path::Path,
    _profile: Profile,
) -> Result<(u64, u64), String> {
    let (mut p, mut f) = (0u64, 0u64);
    let mut secs = 0.0;
    for (i, boot) in suite.boots.iter().enumerate() {
        let mut files = vec![images.program(boot.program)?];
        for m in boot.modules {
            files.push(match boot.nt {
                // The Executive's boot image: the one naming this boot's first program.
                Some(nt) if *m == build::BOOT_IMAGE => images.boot_image_for(&nt)?,
                _ => images.program(m)?,
            });
        }
        let mut q = Qemu::new(&images.kernel, &files);
        q.mem = boot.mem.to_string();
        let log = logs.join(format!("{}-{i}.log", suite.name));
        let name = suite.name;
        let out = match &boot.expect {
            Expect::Summary => {
                let prefix = format!("suite {name}: ");
                // Under the Executive, the test program's end is reported
                // on the console: one that died without its summary has
                // nothing more to say. (The kernel idling proves nothing:
                // programs sleep in waits.)
                let nt = boot.nt.is_some();
                q.run_captured(Duration::from_secs(suite.timeout_secs), Duration::from_secs(2), &log, &move |l: &str| {
                    l.strip_prefix(&prefix).and_then(harness::parse_counts).is_some()
                        || l.contains(harness::PANIC_MARKER)
                        || (nt && l.contains(crate::suites::PROGRAM_ENDED))
                })?
            }
            Expect::Output(pats) => {
                let last = pats[pats.len() - 1];
                // The kernel idles on after the last pattern: nothing more will come.
                q.run_captured(Duration::from_secs(suite.timeout_secs), Duration::ZERO, &log, &move |l: &str| {
                    l.contains(last) || l.contains(harness::PANIC_MARKER)
                })?
            }
        };
        secs += out.elapsed.as_secs_f64();
        let mut problems = Vec::new();
        if out.panicked() {
            problems.push("kernel panic".to_string());
        }
        if out.timed_out {
            problems.push(format!("timed out after {} s", suite.timeout_secs));
        }
        match &boot.expect {
            Expect::Summary => match out.summary(name) {
                Some((np, nf)) => {
                    p += np;
                    f += nf;
                    for l in out.lines.iter().filter(|l| l.contains("FAILED")) {
                        println!("  {l}");
                    }
                }
                None => problems.push("no summary line".into()),
            },
            Expect::Output(pats) => {
                let mut from = 0;
                for pat in pats.iter() {
                    match out.lines[from..].iter().position(|l| l.contains(pat)) {
                        Some(k) => from += k,
                        None => problems.push(format!("missing `{pat}`")),
                    }
                }
                if problems.is_empty() {
                    p += 1;
                }
            }
        }
        if let Some(check) = boot.check {
            if let Err(e) = check(&out, boot.mem) {
                problems.push(e);
            }
        }
        if !problems.is_empty() {
            f += 1;
            println!("  {name} [{} -m {}]: {} (log: {})", boot.program, boot.mem, problems.join("; "), log.display());
        }
    }
    println!("suite {}: {p} passed, {f} failed ({secs:.1} s)", suite.name);
    Ok((p, f))
}
