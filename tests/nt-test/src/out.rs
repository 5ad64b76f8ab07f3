//! Console output for test programs: `say!` formats into a UTF-16 line
//! buffer and hands it to NtDisplayString, which the Executive writes to the
//! VGA console and mirrors to the serial port the harness reads.
//!
//! Text is flushed at every newline (and when the buffer fills), so one
//! `say!` line is one NtDisplayString call and lines of different threads do
//! not interleave mid-line.

use core::fmt::{self, Write};
use nt_abi::types::UnicodeString;

/// UTF-16 units buffered before a flush (a console line is 80 wide; longer
/// lines are split, which the serial side joins back up).
const LINE: usize = 160;

/// A `fmt::Write` that collects one line of UTF-16 and displays it.
pub struct Console {
    buf: [u16; LINE],
    len: usize,
}

impl Console {
    pub const fn new() -> Console {
        Console {
            buf: [0; LINE],
            len: 0,
        }
    }

    fn push(&mut self, unit: u16) {
        if self.len == LINE {
            self.flush();
        }
        self.buf[self.len] = unit;
        self.len += 1;
    }

    /// Displays what is buffered (ignoring failures: there is nowhere else
    /// to report them).
    pub fn flush(&mut self) {
        if self.len == 0 {
            return;
        }
        let s = UnicodeString {
            length: (self.len * 2) as u16,
            maximum_length: (LINE * 2) as u16,
            buffer: self.buf.as_ptr() as u64,
        };
        // SAFETY: `s` describes `self.buf`, alive for the call.
        unsafe { crate::nt::NtDisplayString(&s) };
        self.len = 0;
    }
}

impl Default for Console {
    fn default() -> Self {
        Console::new()
    }
}

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                self.push(*u);
            }
            if c == '\n' {
                self.flush();
            }
        }
        Ok(())
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Writes formatted text to the console (no newline added).
pub fn print(args: fmt::Arguments) {
    let mut c = Console::new();
    let _ = c.write_fmt(args);
}

/// `say!("x = {}", x)`: prints one line to the console.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::out::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}
