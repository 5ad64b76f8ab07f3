//! The Executive's root-task entry: bring up memory, the console and the
//! heap, then boot (see `ntos::ex::boot`).
#![no_std]
#![no_main]

extern crate sel4_rt;

use sel4::BootInfo;

fn main(bi: &'static BootInfo) -> ! {
    ntos::ex::boot::start(bi)
}
sel4_rt::root_task!(main);
