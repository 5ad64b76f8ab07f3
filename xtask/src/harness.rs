//! The QEMU harness: boots a kernel with its boot modules, captures the serial
//! console, and judges the run from what the guest printed: per-test lines,
//! the closing `suite NAME: N passed, M failed`, the kernel's panic marker and
//! QEMU's exit status (isa-debug-exit), all under a time limit.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// seL4's test CPU model; the kernel must boot on it.
pub const CPU: &str = "Nehalem,-vme,+pdpe1gb,-xsave,-xsaveopt,-xsavec,-fsgsbase,-invpcid,+syscall,+lm";

/// What the kernel prints when it panics or takes a fault in kernel mode.
pub const PANIC_MARKER: &str = "KERNEL PANIC";

/// isa-debug-exit turns a guest write of v into QEMU status (v << 1) | 1.
pub const EXIT_HALT: i32 = 1; // DebugHalt: the guest finished
pub const EXIT_PANIC: i32 = (0x10 << 1) | 1;

pub struct Qemu {
    pub kernel: PathBuf,
    pub modules: Vec<PathBuf>,
    pub mem: String,
    /// Deterministic execution: one guest instruction per virtual nanosecond
    /// (then the guest's TSC counts instructions).
    pub icount: bool,
    /// The kernel command line (multiboot).
    pub append: String,
}

/// The result of one boot.
pub struct Outcome {
    pub lines: Vec<String>,
    pub status: Option<i32>,
    pub timed_out: bool,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn panicked(&self) -> bool {
        self.status == Some(EXIT_PANIC) || self.lines.iter().any(|l| l.contains(PANIC_MARKER))
    }

    /// The guest's own `suite NAME: N passed, M failed` line, if any.
    pub fn summary(&self, name: &str) -> Option<(u64, u64)> {
        let prefix = format!("suite {name}: ");
        self.lines.iter().rev().find_map(|l| parse_counts(l.strip_prefix(&prefix)?))
    }
}

/// Parses `N passed, M failed` (the rest of the line is ignored).
pub fn parse_counts(s: &str) -> Option<(u64, u64)> {
    let (p, rest) = s.trim().split_once(" passed, ")?;
    let f = rest.split(' ').next()?;
    Some((p.parse().ok()?, f.parse().ok()?))
}

impl Qemu {
    pub fn new(kernel: &Path, modules: &[PathBuf]) -> Qemu {
        Qemu {
            kernel: kernel.to_path_buf(),
            modules: modules.to_vec(),
            mem: "512M".into(),
            icount: false,
            append: String::new(),
        }
    }

    fn command(&self) -> Command {
        let mut c = Command::new("qemu-system-x86_64");
        let initrd: Vec<String> = self.modules.iter().map(|m| m.display().to_string()).collect();
        c.args(["-machine", "pc", "-cpu", CPU, "-m", &self.mem])
            .arg("-kernel")
            .arg(&self.kernel)
            .args(["-initrd", &initrd.join(",")])
            .args(["-append", &self.append])
            .args(["-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]);
        if self.icount {
            c.args(["-icount", "shift=0"]);
        }
        c
    }

    /// Boots with the serial console (and QEMU's monitor, Ctrl-A) in this terminal.
    pub fn run_interactive(&self, vga: bool) -> Result<(), String> {
        let mut c = self.command();
        if vga {
            c.args(["-display", "curses", "-serial", "file:target/serial.log"]);
        } else {
            c.args(["-display", "none", "-serial", "mon:stdio"]);
        }
        eprintln!("x run: booting (quit with Ctrl-A X)");
        let st = c.status().map_err(|e| format!("qemu: {e}"))?;
        match st.code() {
            Some(0) | Some(EXIT_HALT) => Ok(()),
            Some(EXIT_PANIC) => Err("the kernel panicked".into()),
            other => Err(format!("qemu exited with {other:?}")),
        }
    }

    /// Boots headless; stops at the deadline or once `done` says the output is complete.
    pub fn run_captured(
        &self,
        timeout: Duration,
        grace: Duration,
        log: &Path,
        done: &dyn Fn(&str) -> bool,
    ) -> Result<Outcome, String> {
        let start = Instant::now();
        let mut child = self
            .command()
            .args(["-display", "none", "-serial", "stdio", "-monitor", "none"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("qemu: {e}"))?;
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let tx2 = tx.clone();
        std::thread::spawn(move || {
            for l in BufReader::new(out).split(b'\n').map_while(Result::ok) {
                let _ = tx.send(String::from_utf8_lossy(&l).trim_end_matches('\r').to_string());
            }
        });
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx2.send(format!("qemu: {l}"));
            }
        });
        let mut lines = Vec::new();
        let mut timed_out = false;
        let mut finished = false;
        let mut logf = std::fs::File::create(log).map_err(|e| e.to_string())?;
        loop {
            let left = timeout.saturating_sub(start.elapsed());
            match rx.recv_timeout(left.max(Duration::from_millis(1))) {
                Ok(l) => {
                    let _ = writeln!(logf, "{l}");
                    let stop = done(&l);
                    lines.push(l);
                    if stop {
                        finished = true;
                        break;
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if start.elapsed() >= timeout {
                        timed_out = true;
                        break;
                    }
                }
            }
        }
        let status = if finished || timed_out {
            // Give the guest a moment to end by itself (DebugHalt follows a
            // summary at once), then stop it.
            let until = Instant::now() + if timed_out { Duration::ZERO } else { grace };
            loop {
                if let Ok(Some(s)) = child.try_wait() {
                    break s.code();
                }
                if Instant::now() >= until {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        } else {
            child.wait().ok().and_then(|s| s.code())
        };
        // Drain what arrived between the last read and the exit.
        while let Ok(l) = rx.try_recv() {
            let _ = writeln!(logf, "{l}");
            lines.push(l);
        }
        Ok(Outcome { lines, status, timed_out, elapsed: start.elapsed() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_parse() {
        assert_eq!(parse_counts("12 passed, 0 failed"), Some((12, 0)));
        assert_eq!(parse_counts("3 passed, 2 failed, 1 skipped"), Some((3, 2)));
        assert_eq!(parse_counts("x passed, 0 failed"), None);
        assert_eq!(parse_counts("nothing"), None);
    }

    #[test]
    fn summary_and_panic_detection() {
        let o = Outcome {
            lines: vec!["hello".into(), "suite kernel-x: 4 passed, 1 failed".into()],
            status: Some(EXIT_HALT),
            timed_out: false,
            elapsed: Duration::ZERO,
        };
        assert_eq!(o.summary("kernel-x"), Some((4, 1)));
        assert_eq!(o.summary("kernel-y"), None);
        assert!(!o.panicked());
        let p = Outcome { lines: vec![format!("{PANIC_MARKER}: oops")], status: None, ..o };
        assert!(p.panicked());
    }
}
