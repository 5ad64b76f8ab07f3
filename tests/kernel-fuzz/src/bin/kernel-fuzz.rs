//! `kernel-fuzz`: the fuzzer as `./x test` runs it, 50,000 random calls.
#![no_std]
#![no_main]

extern crate sel4_rt;

fn main(bi: &'static sel4::BootInfo) -> ! {
    kernel_fuzz::run(bi, 50_000, false)
}
sel4_rt::root_task!(main);
