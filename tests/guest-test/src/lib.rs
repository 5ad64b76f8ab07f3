//! A tiny test runner for guest programs. Each test prints
//! `test NAME ... ok` or `test NAME ... FAILED: why`, and `finish` prints the
//! one line the host harness reads: `suite NAME: N passed, M failed`. The
//! `check!`, `check_eq!`, `ok!` and `expect_err!` macros turn a failed
//! expectation into a test failure with the line it came from. [`pool`]
//! gives root-task suites child threads whose memory lies in their image.
#![no_std]

pub mod pool;

use core::fmt;

/// A test's failure: a fixed-size message, so no allocator is needed.
pub struct Failure {
    buf: [u8; 320],
    len: usize,
}

impl Failure {
    pub fn new(args: fmt::Arguments) -> Failure {
        let mut f = Failure { buf: [0; 320], len: 0 };
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

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Display::fmt(self, f)
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

/// Unwraps an `Ok`, or fails the test showing the expression and the error
/// (for `Result<T, sel4::Error>` and anything else with a `Debug` error).
#[macro_export]
macro_rules! ok {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(err) => {
                return Err($crate::Failure::new(format_args!(
                    "{} failed: {:?} (line {})", stringify!($e), err, line!()
                )))
            }
        }
    };
}

/// Fails unless `$e` is an `Err(sel4::Error)` with code `$code` and exactly
/// the detail MRs `$detail` (an array of u64; its length is checked too).
#[macro_export]
macro_rules! expect_err {
    ($e:expr, $code:expr, $detail:expr) => {{
        let want: &[u64] = &$detail;
        let code: sel4::ErrorCode = $code;
        match $e {
            Ok(_) => {
                return Err($crate::Failure::new(format_args!(
                    "{} succeeded, expected {:?} {:?} (line {})", stringify!($e), code, want, line!()
                )))
            }
            Err(err) => {
                if !err.is(code) || err.len() != want.len() || err.detail() != want {
                    return Err($crate::Failure::new(format_args!(
                        "{}: got {:?}, expected {:?} {:?} (line {})", stringify!($e), err, code, want, line!()
                    )));
                }
            }
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

    /// Runs `test`, then `cleanup` whatever the test's outcome; a failed
    /// cleanup fails a test that passed.
    pub fn run_with_cleanup(
        &mut self,
        test: &str,
        f: impl FnOnce() -> TestResult,
        cleanup: impl FnOnce() -> TestResult,
    ) {
        self.run(test, || {
            let r = f();
            let c = cleanup();
            r.and(c)
        });
    }

    /// Prints the summary line and stops the machine.
    pub fn finish(self) -> ! {
        sel4::println!("suite {}: {} passed, {} failed", self.name, self.passed, self.failed);
        sel4::debug_halt()
    }
}
