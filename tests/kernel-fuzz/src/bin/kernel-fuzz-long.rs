//! `kernel-fuzz-long`: the fuzzer as `./x bench fuzz-kernel` runs it,
//! 1,000,000 random calls.
#![no_std]
#![no_main]

extern crate sel4_rt;

fn main(bi: &'static sel4::BootInfo) -> ! {
    kernel_fuzz::run(bi, 1_000_000, true)
}
sel4_rt::root_task!(main);
