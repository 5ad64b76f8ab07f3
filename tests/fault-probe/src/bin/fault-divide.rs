//! Divides by zero (#DE) with a divisor the compiler cannot see.
#![no_std]
#![no_main]

extern crate sel4_rt;

fn main(_bi: &'static sel4::BootInfo) -> ! {
    fault_probe::announce("divide by zero");
    let zero = core::hint::black_box(0u64);
    // SAFETY: deliberately divides by zero with `div`, raising #DE.
    unsafe {
        core::arch::asm!("div {z}", z = in(reg) zero, inout("rax") 1u64 => _, inout("rdx") 0u64 => _);
    }
    fault_probe::survived("dividing by zero")
}
sel4_rt::root_task!(main);
