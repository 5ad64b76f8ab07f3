//! The VGA text console (80x25 at physical 0xB8000, reached through the
//! kernel's physical window), scrolling, light grey on black.

use crate::kmem::phys_to_virt;
use core::sync::atomic::{AtomicUsize, Ordering};

const COLS: usize = 80;
const ROWS: usize = 25;
const ATTR: u16 = 0x07 << 8;
const BUFFER: u64 = 0xB8000;

static CURSOR: AtomicUsize = AtomicUsize::new(0);

fn cell(i: usize) -> *mut u16 {
    (phys_to_virt(BUFFER) as *mut u16).wrapping_add(i)
}

fn write_cell(i: usize, v: u16) {
    // SAFETY: i < COLS*ROWS, inside the text buffer, which the window maps.
    unsafe { cell(i).write_volatile(v) };
}

fn read_cell(i: usize) -> u16 {
    // SAFETY: as for write_cell.
    unsafe { cell(i).read_volatile() }
}

pub fn clear() {
    for i in 0..COLS * ROWS {
        write_cell(i, ATTR | b' ' as u16);
    }
    CURSOR.store(0, Ordering::Relaxed);
}

pub fn put(b: u8) {
    let mut c = CURSOR.load(Ordering::Relaxed);
    match b {
        b'\n' => c = (c / COLS + 1) * COLS,
        b'\r' => c -= c % COLS,
        _ => {
            let ch = if (0x20..0x7f).contains(&b) { b } else { b'?' };
            write_cell(c, ATTR | ch as u16);
            c += 1;
        }
    }
    if c >= COLS * ROWS {
        for i in 0..COLS * (ROWS - 1) {
            write_cell(i, read_cell(i + COLS));
        }
        for i in COLS * (ROWS - 1)..COLS * ROWS {
            write_cell(i, ATTR | b' ' as u16);
        }
        c -= COLS;
    }
    CURSOR.store(c, Ordering::Relaxed);
}
