//! The Triton microkernel: seL4's API and ABI (x86_64, non-MCS) in Rust.
//!
//! Boot path: `arch::x86_64::boot.S` enters long mode and calls
//! [`kernel_main`], which brings up the console and the CPU tables, turns
//! physical memory into untyped capabilities and builds the root task exactly
//! as seL4 does, then enters user mode. From then on the kernel only runs on
//! behalf of a trap: a system call, an exception or an interrupt.
#![no_std]
#![no_main]
#![deny(unsafe_op_in_unsafe_fn)]

#[macro_use]
mod console;
mod arch;
mod boot;
mod fastpath;
mod fault;
mod interrupt;
mod invocation;
mod ipc;
mod kmem;
mod object;
mod sched;
mod state;
mod syscall;

/// Called by the boot code on the kernel stack with the multiboot handoff.
#[no_mangle]
extern "C" fn kernel_main(magic: u64, mbi: u64) -> ! {
    arch::init_early();
    console::init();
    kprintln!("Triton kernel {} (x86_64, seL4 16.0.0 ABI, non-MCS)", env!("CARGO_PKG_VERSION"));
    if magic as u32 != boot::MULTIBOOT_MAGIC {
        panic!("not booted by a multiboot loader (magic {magic:#x})");
    }
    arch::init_cpu();
    interrupt::init();
    let root = boot::boot_system(mbi);
    sched::start(root)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    arch::disable_interrupts();
    kprintln!("KERNEL PANIC: {info}");
    arch::x86_64::cpu::print_backtrace();
    arch::exit_qemu(arch::EXIT_PANIC)
}
