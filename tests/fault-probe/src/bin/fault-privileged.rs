//! Executes a privileged instruction (`hlt`) in user mode.
#![no_std]
#![no_main]

extern crate sel4_rt;

fn main(_bi: &'static sel4::BootInfo) -> ! {
    fault_probe::announce("execute hlt in user mode");
    // SAFETY: deliberately privileged; it raises #GP in ring 3.
    unsafe { core::arch::asm!("hlt") };
    fault_probe::survived("hlt")
}
sel4_rt::root_task!(main);
