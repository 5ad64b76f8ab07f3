//! The in-QEMU suites. Adding a suite is adding one entry to `SUITES`: which
//! guest program boots as the root task, with how much memory, how long it may
//! take, and how its output is judged.

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
}

pub struct Suite {
    pub name: &'static str,
    pub timeout_secs: u64,
    pub boots: &'static [Boot],
}

/// What the kernel prints once no thread can run: proof that it survived.
const IDLE: &str = "kernel: idle, no runnable threads";

pub const SUITES: &[Suite] = &[
    Suite {
        name: "kernel-suite",
        timeout_secs: 180,
        boots: &[Boot { program: "kernel-suite", mem: "512M", modules: &[], expect: Expect::Summary, check: Some(ram_matches_mem) }],
    },
    Suite {
        name: "kernel-suite-32m",
        timeout_secs: 180,
        boots: &[Boot { program: "kernel-suite", mem: "32M", modules: &[], expect: Expect::Summary, check: Some(ram_matches_mem) }],
    },
    Suite {
        name: "kernel-suite-3g",
        timeout_secs: 180,
        boots: &[Boot { program: "kernel-suite", mem: "3G", modules: &[], expect: Expect::Summary, check: Some(ram_matches_mem) }],
    },
    Suite {
        name: "kernel-vm",
        timeout_secs: 120,
        boots: &[Boot { program: "kernel-vm", mem: "512M", modules: &[], expect: Expect::Summary, check: None }],
    },
    Suite {
        name: "kernel-irq",
        timeout_secs: 120,
        boots: &[Boot { program: "kernel-irq", mem: "512M", modules: &[], expect: Expect::Summary, check: None }],
    },
    Suite {
        name: "kernel-fuzz",
        timeout_secs: 300,
        boots: &[Boot { program: "kernel-fuzz", mem: "512M", modules: &[], expect: Expect::Summary, check: None }],
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
        }],
    },
    Suite {
        name: "nt-boot",
        timeout_secs: 60,
        boots: &[Boot {
            program: "ntos",
            mem: "256M",
            modules: &["boot.tar"],
            expect: Expect::Output(&[
                "Triton NT Executive",
                "Memory:",
                "Processors: 1",
                "Boot image: boot.tar",
                "boot.cfg",
                "system32/ntdll.dll",
                "ntdll.dll: PE32+ DLL, 150 exports",
                "First program: \\SystemRoot\\system32\\ntcmd.exe",
                "halting.",
            ]),
            check: None,
        }],
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
            },
            Boot {
                program: "fault-privileged",
                mem: "128M",
                modules: &[],
                expect: Expect::Output(&["UserException", "vector=13", "thread suspended", IDLE]),
                check: None,
            },
            Boot {
                program: "fault-unmapped",
                mem: "128M",
                modules: &[],
                expect: Expect::Output(&["VMFault", "addr=0xdead0000", "thread suspended", IDLE]),
                check: None,
            },
            Boot {
                program: "fault-divide",
                mem: "128M",
                modules: &[],
                expect: Expect::Output(&["UserException", "vector=0", "thread suspended", IDLE]),
                check: None,
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
        }
    }
}
