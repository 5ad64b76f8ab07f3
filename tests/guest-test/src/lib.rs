//! A tiny test runner for guest programs. Each test prints
//! `test NAME ... ok` or `test NAME ... FAILED: why`, and `finish` prints the
//! one line the host harness reads: `suite NAME: N passed, M failed`.
#![no_std]

use core::fmt;

/// A test's failure: a fixed-size message, so no allocator is needed.
pub struct Failure {
    buf: [u8; 200],
    len: usize,
}

impl Failure {
    pub fn new(args: fmt::Arguments) -> Failure {
        let mut f = Failure { buf: [0; 200], len: 0 };
        let _ = fmt::write(&mut f, args);
        f
    }
}

impl fmt::Write for Failure {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(core::str::from_utf8(&self.buf[..self.len]).unwrap_or("<bad utf-8>"))
    }
}

pub type TestResult = Result<(), Failure>;

/// Fails the current test with a formatted message unless `cond` holds.
#[macro_export]
macro_rules! check {
    ($cond:expr) => {
        if !$cond {
            return Err($crate::Failure::new(format_args!("{} (line {})", stringify!($cond), line!())));
        }
    };
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err($crate::Failure::new(format_args!($($arg)+)));
        }
    };
}

/// Fails unless the two values are equal, showing both.
#[macro_export]
macro_rules! check_eq {
    ($a:expr, $b:expr) => {{
        let (a, b) = (&$a, &$b);
        if a != b {
            return Err($crate::Failure::new(format_args!(
                "{} == {}: {:?} != {:?} (line {})", stringify!($a), stringify!($b), a, b, line!()
            )));
        }
    }};
}

pub struct Suite {
    name: &'static str,
    passed: u64,
    failed: u64,
}

impl Suite {
    pub fn new(name: &'static str) -> Suite {
        sel4::println!("suite {name}: starting");
        Suite { name, passed: 0, failed: 0 }
    }

    pub fn run(&mut self, test: &str, f: impl FnOnce() -> TestResult) {
        match f() {
            Ok(()) => {
                self.passed += 1;
                sel4::println!("test {test} ... ok");
            }
            Err(e) => {
                self.failed += 1;
                sel4::println!("test {test} ... FAILED: {e}");
            }
        }
    }

    /// Prints the summary line and stops the machine.
    pub fn finish(self) -> ! {
        sel4::println!("suite {}: {} passed, {} failed", self.name, self.passed, self.failed);
        sel4::debug_halt()
    }
}
