//! The console: the VGA text screen, mapped from the device untyped that
//! covers 0xB8000, with every character mirrored to the kernel's serial
//! console (DebugPutChar). NtDisplayString will write here.

use crate::mm::map::PRIVATE_BASE;
use crate::mm::Memory;
use core::cell::Cell;
use core::fmt;

const VGA_TEXT: u64 = 0xB8000;
const COLS: usize = 80;
const ROWS: usize = 25;

/// Character attributes: white and light grey on blue, as NT's boot screen.
pub const TITLE: u8 = 0x1F;
pub const NORMAL: u8 = 0x17;

pub struct Console {
    /// The text buffer, or None when it could not be mapped (serial only).
    screen: Option<*mut u16>,
    cursor: Cell<usize>,
    attr: Cell<u8>,
}

impl Console {
    pub fn new(mem: &mut Memory) -> Console {
        let vaddr = PRIVATE_BASE;
        let screen = mem
            .device_frame(VGA_TEXT)
            .and_then(|f| mem.map_own(f, vaddr, sel4::abi::vm::UNCACHEABLE))
            .map(|()| vaddr as *mut u16)
            .ok();
        if screen.is_none() {
            sel4::println!("ntos: no VGA text screen; console on serial only");
        }
        let c = Console { screen, cursor: Cell::new(0), attr: Cell::new(NORMAL) };
        c.clear();
        c
    }

    fn cell(&self, i: usize, v: u16) {
        if let Some(p) = self.screen {
            // SAFETY: `p` maps the 4 KiB VGA text buffer; i < COLS * ROWS.
            unsafe { p.add(i).write_volatile(v) };
        }
    }

    fn read(&self, i: usize) -> u16 {
        match self.screen {
            // SAFETY: as in `cell`.
            Some(p) => unsafe { p.add(i).read_volatile() },
            None => 0,
        }
    }

    pub fn set_attr(&self, a: u8) {
        self.attr.set(a);
    }

    pub fn clear(&self) {
        for i in 0..COLS * ROWS {
            self.cell(i, (self.attr.get() as u16) << 8 | b' ' as u16);
        }
        self.cursor.set(0);
    }

    pub fn put(&self, b: u8) {
        sel4::debug_put_char(b);
        let mut c = self.cursor.get();
        match b {
            b'\n' => {
                // Fill the rest of the line with the current colour.
                let next = (c / COLS + 1) * COLS;
                while c < next {
                    self.cell(c, (self.attr.get() as u16) << 8 | b' ' as u16);
                    c += 1;
                }
            }
            _ => {
                let ch = if (0x20..0x7f).contains(&b) { b } else { b'?' };
                self.cell(c, (self.attr.get() as u16) << 8 | ch as u16);
                c += 1;
            }
        }
        if c >= COLS * ROWS {
            for i in 0..COLS * (ROWS - 1) {
                self.cell(i, self.read(i + COLS));
            }
            for i in COLS * (ROWS - 1)..COLS * ROWS {
                self.cell(i, (self.attr.get() as u16) << 8 | b' ' as u16);
            }
            c -= COLS;
        }
        self.cursor.set(c);
    }
}

impl fmt::Write for &Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        s.bytes().for_each(|b| self.put(b));
        Ok(())
    }
}
