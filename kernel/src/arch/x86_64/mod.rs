//! x86_64 support: boot entry, descriptor tables, traps and system-call
//! entry, the consoles' hardware and the privileged instructions. Every
//! `unsafe` instruction the kernel issues is in this folder.

pub mod cpu;
pub mod gdt;
pub mod idt;
pub mod ioapic;
pub mod serial;
pub mod traps;
pub mod vga;

core::arch::global_asm!(include_str!("boot.S"), options(att_syntax));

/// QEMU's isa-debug-exit port: a write of v ends QEMU with status (v << 1) | 1.
const DEBUG_EXIT_PORT: u16 = 0xf4;
/// Written by DebugHalt (QEMU status 1).
pub const EXIT_HALT: u8 = 0;
/// Written on a kernel panic (QEMU status 33), which the harness recognises.
pub const EXIT_PANIC: u8 = 0x10;

/// What must work before the first message: nothing yet beyond the boot code.
pub fn init_early() {}

/// GDT, TSS, IDT, system-call MSRs and the FPU/SSE control bits.
pub fn init_cpu() {
    gdt::init();
    idt::init();
    traps::init_syscall();
    cpu::init_fpu();
    cpu::mask_legacy_pic();
}

pub fn disable_interrupts() {
    cpu::cli();
}

/// Ends the QEMU run with `code`; on hardware (no such port) halts for good.
pub fn exit_qemu(code: u8) -> ! {
    cpu::outb(DEBUG_EXIT_PORT, code);
    loop {
        cpu::cli();
        cpu::hlt();
    }
}
