//! The NT Executive (`ntos`): Triton's root task. It takes every untyped
//! capability the kernel hands over, manages kernel objects itself, and will
//! serve the NT Native API over IPC (issue T4). Component folders follow
//! NTOSKRNL's: `mm` (memory: untyped memory, the Executive's own mappings),
//! `ke` (the console), `ex` (boot: the boot screen); `ob`, `ps` and `io`
//! arrive with the object manager, processes and the I/O manager.
#![no_std]
#![no_main]

extern crate sel4_rt;

mod ex;
mod ke;
mod mm;

use sel4::BootInfo;

fn main(bi: &'static BootInfo) -> ! {
    let mut mem = mm::Memory::new(bi);
    let console = ke::console::Console::new(&mut mem);
    ex::boot::boot_screen(&console, bi, &mem);
    ex::boot::run(&console, bi)
}
sel4_rt::root_task!(main);
