//! Executes a system call number the kernel does not serve (-1000).
#![no_std]
#![no_main]

extern crate sel4_rt;

fn main(_bi: &'static sel4::BootInfo) -> ! {
    fault_probe::announce("make syscall -1000");
    // SAFETY: deliberately invalid; the kernel must fault this thread, not itself.
    unsafe {
        core::arch::asm!("mov r12, rsp", "syscall", "mov rsp, r12",
            in("rdx") -1000i64, out("rcx") _, out("r11") _, out("r12") _);
    }
    fault_probe::survived("syscall -1000")
}
sel4_rt::root_task!(main);
