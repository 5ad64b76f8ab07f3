//! Reads from an unmapped address (0xdead0000).
#![no_std]
#![no_main]

extern crate sel4_rt;

fn main(_bi: &'static sel4::BootInfo) -> ! {
    fault_probe::announce("read unmapped memory at 0xdead0000");
    // SAFETY: deliberately unmapped; it raises a page fault.
    let v = unsafe { core::ptr::read_volatile(0xdead_0000 as *const u64) };
    sel4::println!("read {v}");
    fault_probe::survived("reading 0xdead0000")
}
sel4_rt::root_task!(main);
