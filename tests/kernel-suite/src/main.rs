//! The kernel suite's root task. It checks what the kernel promises an
//! seL4 initial thread: the BootInfo frame's contents and invariants, the
//! initial capabilities, and the mappings BootInfo describes.
#![no_std]
#![no_main]

extern crate sel4_rt;

mod bootinfo;

use sel4::BootInfo;

fn main(bi: &'static BootInfo) -> ! {
    // Which suite this boot is: the harness boots the same program with
    // different memory sizes; the name comes from the RAM it finds.
    let mut suite = guest_test::Suite::new(bootinfo::suite_name(bi));
    bootinfo::run(&mut suite, bi);
    suite.finish()
}
sel4_rt::root_task!(main);
