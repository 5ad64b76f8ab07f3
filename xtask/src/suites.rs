//! The in-QEMU suites. Adding a suite is adding one entry to `SUITES`: which
//! guest program boots as the root task, with how much memory, how long it may
//! take, and how its output is judged. The `nt-` suites boot the NT Executive
//! with a boot image whose boot.cfg names the suite's native test program.

use crate::harness::Outcome;

pub enum Expect {
    /// The guest runs its own tests and prints `suite NAME: N passed, M failed`.
    Summary,
    /// The boot must print these words, in this order, and no panic: each boot
    /// is one check of the suite. (Used for guests that cannot report
    /// themselves: programs that misbehave on purpose, where the kernel must
    /// report the fault and go on, and boot screens.)
    Output(&'static [&'static str]),
}

pub struct Boot {
    pub program: &'static str,
    /// More boot modules after the root task (guest programs, by name).
    pub modules: &'static [&'static str],
    pub mem: &'static str,
    pub expect: Expect,
    /// A host-side check of the guest's output (e.g. against `-m`).
    pub check: Option<fn(&Outcome, &str) -> Result<(), String>>,
    /// For the Executive: the first program its boot image names. The
    /// module `boot.tar` is then that image (`./x build` writes one per
    /// distinct `NtBoot`).
    pub nt: Option<NtBoot>,
}

/// The `[boot]` section of a boot image's boot.cfg.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NtBoot {
    /// NT path of the first program (`\SystemRoot\system32\x.exe`).
    pub program: &'static str,
    /// Its arguments (the rest of its command line).
    pub args: &'static str,
}

/// A boot of the Executive that starts the native test program `exe` from
/// the boot image's system32 with `args`; the program reports its own
/// summary line.
const fn nt_suite_boot(exe: &'static str, args: &'static str) -> Boot {
    Boot {
        program: "ntos",
        mem: "256M",
        modules: &[crate::build::BOOT_IMAGE],
        expect: Expect::Summary,
        check: None,
        nt: Some(NtBoot { program: exe, args }),
    }
}

pub struct Suite {
    pub name: &'static str,
    pub timeout_secs: u64,
    pub boots: &'static [Boot],
}

/// What the kernel prints once no thread can run: proof that it survived.
const IDLE: &str = "kernel: idle, no runnable threads";
/// What the Executive prints when a program it started itself ends.
pub const PROGRAM_ENDED: &str = " ended with status ";

pub const SUITES: &[Suite] = &[
    Suite {
        name: "kernel-suite",
        timeout_secs: 180,
        boots: &[Boot { program: "kernel-suite", mem: "512M", modules: &[], expect: Expect::Summary, check: Some(ram_matches_mem), nt: None }],
    },
    Suite {
        name: "kernel-suite-32m",
        timeout_secs: 180,
        boots: &[Boot { program: "kernel-suite", mem: "32M", modules: &[], expect: Expect::Summary, check: Some(ram_matches_mem), nt: None }],
    },
    Suite {
        name: "kernel-suite-3g",
        timeout_secs: 180,
        boots: &[Boot { program: "kernel-suite", mem: "3G", modules: &[], expect: Expect::Summary, check: Some(ram_matches_mem), nt: None }],
    },
    Suite {
        name: "kernel-vm",
        timeout_secs: 120,
        boots: &[Boot { program: "kernel-vm", mem: "512M", modules: &[], expect: Expect::Summary, check: None, nt: None }],
    },
    Suite {
        name: "kernel-irq",
        timeout_secs: 120,
        boots: &[Boot { program: "kernel-irq", mem: "512M", modules: &[], expect: Expect::Summary, check: None, nt: None }],
    },
    Suite {
        name: "kernel-fuzz",
        timeout_secs: 300,
        boots: &[Boot { program: "kernel-fuzz", mem: "512M", modules: &[], expect: Expect::Summary, check: None, nt: None }],
    },
    Suite {
        name: "kernel-modules",
        timeout_secs: 60,
        boots: &[Boot {
            program: "kernel-modules",
            mem: "256M",
            modules: &["hello-root", "fault-divide"],
            expect: Expect::Summary,
            check: None,
            nt: None,
        }],
    },
    Suite {
        name: "nt-boot",
        timeout_secs: 60,
        boots: &[Boot {
            program: "ntos",
            mem: "256M",
            modules: &[crate::build::BOOT_IMAGE],
            // The boot screen, then hello.exe's own lines (its command line
            // ends with the boot.cfg arguments).
            expect: Expect::Output(&[
                "Triton NT Executive",
                "Memory:",
                "Processors: 1",
                "Boot image: boot.tar",
                "Files:",
                "ntdll.dll:  PE32+ DLL",
                "First program: \\SystemRoot\\system32\\hello.exe",
                "Hello from a native NT program",
                "Command line: ",
            ]),
            check: Some(hello_saw_its_arguments),
            nt: Some(crate::build::DEFAULT_BOOT),
        }],
    },
    // Native NT test programs (tests/nt-*): each prints its own summary.
    Suite { name: "nt-ob", timeout_secs: 120, boots: &[nt_suite_boot("\\SystemRoot\\system32\\nt-ob.exe", "")] },
    Suite {
        name: "nt-ps",
        timeout_secs: 180,
        boots: &[nt_suite_boot("\\SystemRoot\\system32\\nt-ps.exe", "alpha  \"beta gamma\"")],
    },
    Suite { name: "nt-ldr", timeout_secs: 120, boots: &[nt_suite_boot("\\SystemRoot\\system32\\nt-ldr.exe", "")] },
    Suite { name: "nt-sec", timeout_secs: 120, boots: &[nt_suite_boot("\\SystemRoot\\system32\\nt-sec.exe", "")] },
    Suite { name: "nt-apc", timeout_secs: 120, boots: &[nt_suite_boot("\\SystemRoot\\system32\\nt-apc.exe", "")] },
    Suite { name: "nt-mm", timeout_secs: 120, boots: &[nt_suite_boot("\\SystemRoot\\system32\\nt-mm.exe", "")] },
    Suite { name: "nt-time", timeout_secs: 120, boots: &[nt_suite_boot("\\SystemRoot\\system32\\nt-time.exe", "")] },
    Suite { name: "nt-wait", timeout_secs: 180, boots: &[nt_suite_boot("\\SystemRoot\\system32\\nt-wait.exe", "")] },
    Suite { name: "nt-sysinfo", timeout_secs: 120, boots: &[nt_suite_boot("\\SystemRoot\\system32\\nt-sysinfo.exe", "")] },
    Suite { name: "nt-fuzz", timeout_secs: 300, boots: &[nt_suite_boot("\\SystemRoot\\system32\\nt-fuzz.exe", "")] },
    Suite { name: "nt-rtl", timeout_secs: 120, boots: &[nt_suite_boot("\\SystemRoot\\system32\\nt-rtl.exe", "")] },
    // A child that dereferences NULL, then one that divides by zero, must
    // end with the matching exception code while the parent (nt-ps in
    // fault mode) goes on and reports.
    Suite {
        name: "nt-faults",
        timeout_secs: 120,
        boots: &[nt_suite_boot("\\SystemRoot\\system32\\nt-ps.exe", "--faults")],
    },
    Suite {
        name: "kernel-faults",
        timeout_secs: 60,
        boots: &[
            Boot {
                program: "fault-syscall",
                mem: "128M",
                modules: &[],
                expect: Expect::Output(&["UnknownSyscall", "rip=", "thread suspended", IDLE]),
                check: None,
                nt: None,
            },
            Boot {
                program: "fault-privileged",
                mem: "128M",
                modules: &[],
                expect: Expect::Output(&["UserException", "vector=13", "thread suspended", IDLE]),
                check: None,
                nt: None,
            },
            Boot {
                program: "fault-unmapped",
                mem: "128M",
                modules: &[],
                expect: Expect::Output(&["VMFault", "addr=0xdead0000", "thread suspended", IDLE]),
                check: None,
                nt: None,
            },
            Boot {
                program: "fault-divide",
                mem: "128M",
                modules: &[],
                expect: Expect::Output(&["UserException", "vector=0", "thread suspended", IDLE]),
                check: None,
                nt: None,
            },
        ],
    },
];

/// The untyped RAM the root task reports must match QEMU's `-m`: all of it
/// but what the firmware, the kernel image and the root task's objects use.
fn ram_matches_mem(o: &Outcome, mem: &str) -> Result<(), String> {
    let ram = o
        .lines
        .iter()
        .find_map(|l| l.strip_prefix("bootinfo: ram_untyped_bytes=")?.trim().parse::<u64>().ok())
        .ok_or("the guest did not report ram_untyped_bytes")?;
    let m = parse_mem(mem).ok_or("bad -m")?;
    let slack = 8 << 20;
    if ram > m || ram + slack < m {
        return Err(format!("untyped RAM {ram} bytes is not consistent with -m {mem} ({m} bytes)"));
    }
    Ok(())
}

/// hello.exe prints its command line; the boot.cfg arguments must be in it.
fn hello_saw_its_arguments(o: &Outcome, _mem: &str) -> Result<(), String> {
    let want = crate::build::DEFAULT_BOOT.args;
    match o.lines.iter().find_map(|l| l.split_once("Command line: ").map(|(_, c)| c.trim_end())) {
        Some(c) if c.ends_with(want) => Ok(()),
        Some(c) => Err(format!("hello.exe's command line `{c}` does not end with `{want}`")),
        None => Err("hello.exe printed no command line".into()),
    }
}

pub fn parse_mem(s: &str) -> Option<u64> {
    let (n, unit) = s.split_at(s.len() - 1);
    let n: u64 = n.parse().ok()?;
    match unit {
        "M" | "m" => Some(n << 20),
        "G" | "g" => Some(n << 30),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn outcome(lines: &[&str]) -> Outcome {
        Outcome { lines: lines.iter().map(|s| s.to_string()).collect(), status: None, timed_out: false, elapsed: Duration::ZERO }
    }

    #[test]
    fn mem_sizes() {
        assert_eq!(parse_mem("32M"), Some(32 << 20));
        assert_eq!(parse_mem("3G"), Some(3 << 30));
        assert_eq!(parse_mem("3X"), None);
    }

    #[test]
    fn ram_check() {
        assert!(ram_matches_mem(&outcome(&["bootinfo: ram_untyped_bytes=33000000"]), "32M").is_ok());
        assert!(ram_matches_mem(&outcome(&["bootinfo: ram_untyped_bytes=9000000"]), "32M").is_err());
        assert!(ram_matches_mem(&outcome(&["bootinfo: ram_untyped_bytes=99000000"]), "32M").is_err());
        assert!(ram_matches_mem(&outcome(&[]), "32M").is_err());
    }

    #[test]
    fn suite_names_follow_the_convention() {
        for s in SUITES {
            assert!(s.name.starts_with("kernel-") || s.name.starts_with("nt-"), "{}", s.name);
            // NT suites boot the Executive with a first program; kernel
            // suites boot their own root task.
            for b in s.boots {
                assert_eq!(b.nt.is_some(), b.program == "ntos", "{}", s.name);
            }
        }
        let mut names: Vec<_> = SUITES.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), SUITES.len(), "suite names are unique");
    }

    #[test]
    fn nt_suites_start_programs_that_are_built() {
        for b in SUITES.iter().flat_map(|s| s.boots).filter_map(|b| b.nt) {
            let path = b.program.to_ascii_lowercase();
            let file = path.strip_prefix("\\systemroot\\system32\\").expect(b.program);
            assert!(
                crate::build::PE_PROGRAMS.iter().any(|p| p.file == file && file.ends_with(".exe")),
                "{} is not in PE_PROGRAMS",
                b.program
            );
        }
    }

    #[test]
    fn boot_images_have_distinct_names_and_parse() {
        let mut names = Vec::new();
        for b in SUITES.iter().flat_map(|s| s.boots).filter_map(|b| b.nt) {
            let n = crate::build::boot_image_name(&b);
            if !names.contains(&(n.clone(), b)) {
                assert!(names.iter().all(|(m, _)| *m != n), "{n} names two boot images");
                names.push((n, b));
            }
            let cfg = crate::build::boot_config(&b);
            let c = bootimg::Config::parse(&cfg).expect("boot.cfg parses");
            assert_eq!(c.get("boot", "program"), Some(b.program));
            assert_eq!(c.get("boot", "args"), Some(b.args));
        }
        let ob = NtBoot { program: "\\SystemRoot\\system32\\nt-ob.exe", args: "" };
        assert_eq!(crate::build::boot_image_name(&ob), "boot-nt-ob.tar");
    }

    #[test]
    fn hello_check() {
        let args = crate::build::DEFAULT_BOOT.args;
        let ok = format!("Command line: \\SystemRoot\\system32\\hello.exe {args}");
        assert!(hello_saw_its_arguments(&outcome(&[&ok]), "256M").is_ok());
        assert!(hello_saw_its_arguments(&outcome(&["Command line: hello.exe"]), "256M").is_err());
        assert!(hello_saw_its_arguments(&outcome(&[]), "256M").is_err());
    }
}
