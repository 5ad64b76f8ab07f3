//! The root task `./x run` boots for now: it prints a summary of what the
//! kernel handed it (untyped memory, slots) and halts the machine.
#![no_std]
#![no_main]

extern crate sel4_rt;

use sel4::{println, BootInfo};

fn main(bi: &'static BootInfo) -> ! {
    let n = (bi.untyped.end - bi.untyped.start) as usize;
    let list = &bi.untyped_list[..n];
    let ram: u64 = list.iter().filter(|u| u.is_device == 0).map(|u| 1u64 << u.size_bits).sum();
    let dev = list.iter().filter(|u| u.is_device != 0).count();
    println!("hello from the root task");
    println!("  untyped caps:   {n} ({} RAM, {dev} device), slots {}..{}", n - dev, bi.untyped.start, bi.untyped.end);
    println!("  untyped memory: {} KiB of RAM ({} MiB)", ram >> 10, ram >> 20);
    println!("  empty slots:    {}..{} ({} free)", bi.empty.start, bi.empty.end, bi.empty.end - bi.empty.start);
    println!("  image frames:   {}, paging caps: {}", bi.user_image_frames.end - bi.user_image_frames.start,
        bi.user_image_paging.end - bi.user_image_paging.start);
    println!("  IPC buffer at {:#x}, CNode of 2^{} slots", bi.ipc_buffer, bi.init_thread_cnode_size_bits);
    println!("halting.");
    sel4::debug_halt()
}
sel4_rt::root_task!(main);
