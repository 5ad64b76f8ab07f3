//! The kernel console: everything printed goes to COM1 and to the VGA text
//! screen. `kprint!`/`kprintln!` are the only ways the kernel writes text.

use crate::arch::x86_64::{serial, vga};
use core::fmt::{self, Write};

pub fn init() {
    serial::init();
    vga::clear();
}

pub struct Console;

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            put_byte(b);
        }
        Ok(())
    }
}

/// One byte to both consoles (the DebugPutChar path uses this directly).
pub fn put_byte(b: u8) {
    if b == b'\n' {
        serial::write(b'\r');
    }
    serial::write(b);
    vga::put(b);
}

pub fn print(args: fmt::Arguments) {
    let _ = Console.write_fmt(args);
}

macro_rules! kprintln {
    () => { $crate::console::print(format_args!("\n")) };
    ($($arg:tt)*) => {{
        $crate::console::print(format_args!($($arg)*));
        $crate::console::print(format_args!("\n"));
    }};
}
