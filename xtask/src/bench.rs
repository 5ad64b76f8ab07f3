//! `./x bench NAME`: benchmarks on release builds, each printing lines
//! `bench NAME.METRIC = VALUE UNIT`. Instruction counts come from runs under
//! QEMU `-icount shift=0` (deterministic: the guest's TSC then advances one
//! tick per instruction); TSC cycles and wall time from normal runs beside them.

use crate::build::{self, Profile};
use crate::harness::Qemu;
use crate::suites::NtBoot;
use crate::Opts;
use std::time::Duration;

pub fn run(opts: &Opts) -> Result<(), String> {
    let name = opts.filter.as_deref().unwrap_or("all");
    let images = build::build_all(Profile::Release)?;
    let logs = build::root().join("target/bench-logs");
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    let mut ran = false;
    if name == "ipc" || name == "all" {
        ipc(&images, &logs)?;
        ran = true;
    }
    for (bench, program, metrics) in [
        ("vm", "bench-vm", &["vm.map_unmap_4k", "vm.fault_roundtrip"][..]),
        ("irq", "bench-irq", &["irq.to_handler"][..]),
    ] {
        if name == bench || name == "all" {
            counted(&images, &logs, program, metrics)?;
            ran = true;
        }
    }
    if name == "syscall" || name == "all" {
        syscall(&images, &logs)?;
        ran = true;
    }
    if name == "vm-nt" || name == "all" {
        nt_counted(&images, &logs, &VM_NT_BOOT, "vm-nt", &["vm-nt.alloc_touch_free_64k", "vm-nt.demand_zero_fault"])?;
        ran = true;
    }
    if name == "fuzz-kernel" || name == "all" {
        fuzz(&images, &logs)?;
        ran = true;
    }
    if ran { Ok(()) } else { Err(format!("unknown benchmark `{name}` (ipc, vm, irq, syscall, vm-nt, fuzz-kernel, all)")) }
}

/// The NT programs benchmarks boot (each gets a boot image of its own).
pub const NT_BOOTS: &[NtBoot] = &[SYSCALL_BOOT, VM_NT_BOOT];
const SYSCALL_BOOT: NtBoot = NtBoot { program: "\\SystemRoot\\system32\\bench-syscall.exe", args: "" };
const VM_NT_BOOT: NtBoot = NtBoot { program: "\\SystemRoot\\system32\\bench-vm-nt.exe", args: "" };

/// One boot of a benchmark program; returns the lines it printed.
fn boot(images: &build::Images, program: &str, append: &str, icount: bool, log: &std::path::Path, timeout: u64) -> Result<(Vec<String>, Duration), String> {
    boot_modules(images, &[images.program(program)?], append, icount, log, timeout)
}

/// One boot of the kernel with these modules (the first is the root task).
fn boot_modules(
    images: &build::Images,
    modules: &[std::path::PathBuf],
    append: &str,
    icount: bool,
    log: &std::path::Path,
    timeout: u64,
) -> Result<(Vec<String>, Duration), String> {
    let program = modules[0].display().to_string();
    let mut q = Qemu::new(&images.kernel, modules);
    q.append = append.to_string();
    q.icount = icount;
    let out = q.run_captured(Duration::from_secs(timeout), Duration::from_secs(2), log, &|l: &str| {
        l.starts_with("suite ") || l.contains(crate::harness::PANIC_MARKER)
    })?;
    if out.panicked() || out.timed_out {
        return Err(format!("{program} did not finish cleanly (log: {})", log.display()));
    }
    Ok((out.lines, out.elapsed))
}

/// The value of a guest line `bench-raw NAME = INT FRAC` (FRAC in hundredths).
fn raw(lines: &[String], name: &str) -> Option<f64> {
    let prefix = format!("bench-raw {name} = ");
    lines.iter().find_map(|l| {
        let mut it = l.strip_prefix(&prefix)?.split_whitespace();
        let int: f64 = it.next()?.parse().ok()?;
        let frac: f64 = it.next().and_then(|f| f.parse().ok()).unwrap_or(0.0);
        Some(int + frac / 100.0)
    })
}

fn ipc(images: &build::Images, logs: &std::path::Path) -> Result<(), String> {
    let mut results = Vec::new();
    for (path, append) in [("fastpath", ""), ("slowpath", "fastpath=off")] {
        let (lines, _) = boot(images, "bench-ipc", append, true, &logs.join(format!("ipc-{path}-icount.log")), 300)?;
        let insns = raw(&lines, "ipc.roundtrip").ok_or("no ipc.roundtrip result")?;
        let (lines, wall) = boot(images, "bench-ipc", append, false, &logs.join(format!("ipc-{path}.log")), 120)?;
        let cycles = raw(&lines, "ipc.roundtrip").ok_or("no ipc.roundtrip result")?;
        println!("bench ipc.{path}_roundtrip = {insns:.0} instructions");
        println!("bench ipc.{path}_roundtrip_tsc = {cycles:.0} cycles");
        println!("bench ipc.{path}_boot_wall = {:.2} s", wall.as_secs_f64());
        results.push(insns);
    }
    println!("bench ipc.fastpath_ratio_to_slowpath = {:.2} ratio", results[0] / results[1]);
    Ok(())
}

/// A benchmark boot (`modules`: the root task first) whose guest prints
/// `bench-raw METRIC = ...` TSC deltas: run under -icount (instructions)
/// and normally (cycles); prints both and returns the instruction counts.
fn measure(
    images: &build::Images,
    logs: &std::path::Path,
    modules: &[std::path::PathBuf],
    name: &str,
    metrics: &[&str],
    timeouts: (u64, u64),
) -> Result<Vec<f64>, String> {
    let (ilines, _) = boot_modules(images, modules, "", true, &logs.join(format!("{name}-icount.log")), timeouts.0)?;
    let (lines, wall) = boot_modules(images, modules, "", false, &logs.join(format!("{name}.log")), timeouts.1)?;
    let mut counts = Vec::new();
    for m in metrics {
        let insns = raw(&ilines, m).ok_or_else(|| format!("{name}: no {m} result"))?;
        let cycles = raw(&lines, m).ok_or_else(|| format!("{name}: no {m} result"))?;
        println!("bench {m} = {insns:.0} instructions");
        println!("bench {m}_tsc = {cycles:.0} cycles");
        counts.push(insns);
    }
    println!("bench {name}.boot_wall = {:.2} s", wall.as_secs_f64());
    Ok(counts)
}

/// A kernel benchmark program (the root task itself).
fn counted(images: &build::Images, logs: &std::path::Path, program: &str, metrics: &[&str]) -> Result<(), String> {
    measure(images, logs, &[images.program(program)?], program, metrics, (600, 300)).map(drop)
}

/// A native NT benchmark program, run under the Executive.
fn nt_counted(images: &build::Images, logs: &std::path::Path, boot: &NtBoot, name: &str, metrics: &[&str]) -> Result<(), String> {
    let modules = [images.program("ntos")?, images.boot_image_for(boot)?];
    measure(images, logs, &modules, name, metrics, (600, 300)).map(drop)
}

/// The null NT service (NtYieldExecution through ntdll and the Executive)
/// beside the bare seL4 Call + ReplyRecv of the same build.
fn syscall(images: &build::Images, logs: &std::path::Path) -> Result<(), String> {
    let modules = [images.program("ntos")?, images.boot_image_for(&SYSCALL_BOOT)?];
    let insns = measure(images, logs, &modules, "syscall", &["syscall.null_roundtrip"], (300, 120))?[0];
    let (lines, _) = boot(images, "bench-ipc", "", true, &logs.join("syscall-ipc-icount.log"), 300)?;
    let ipc = raw(&lines, "ipc.roundtrip").ok_or("no ipc.roundtrip result")?;
    println!("bench syscall.ipc_roundtrip = {ipc:.0} instructions");
    println!("bench syscall.ratio_to_ipc = {:.2} ratio", insns / ipc);
    Ok(())
}

fn fuzz(images: &build::Images, logs: &std::path::Path) -> Result<(), String> {
    let (lines, wall) = boot(images, "kernel-fuzz-long", "", false, &logs.join("fuzz-kernel.log"), 3600)?;
    for l in lines.iter().filter(|l| l.starts_with("bench ") || l.starts_with("suite ")) {
        println!("{l}");
    }
    println!("bench fuzz-kernel.wall = {:.1} s", wall.as_secs_f64());
    let failed = lines.iter().any(|l| l.starts_with("suite ") && !l.contains(" 0 failed"));
    if failed { Err("the fuzzer's checks failed".into()) } else { Ok(()) }
}
