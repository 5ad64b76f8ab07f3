//! The IDT: all 256 vectors go to the common trap entry. Exceptions are
//! interrupt gates for ring 0 only (a user `int n` on them raises #GP);
//! seL4's user trap range 158..=254 is open to ring 3 and reported as an
//! UnknownSyscall. Double faults and NMIs run on IST1.

use super::gdt::KERNEL_CS;
use super::traps::stub_address;
use core::arch::asm;
use core::ptr::addr_of_mut;

/// The vectors a user `int n` may use (seL4, uniprocessor).
pub const USER_TRAP_FIRST: u64 = 158;
pub const USER_TRAP_LAST: u64 = 254;

static mut IDT: [[u64; 2]; 256] = [[0; 2]; 256];

fn gate(handler: u64, dpl: u64, ist: u64) -> [u64; 2] {
    let lo = handler & 0xFFFF
        | (KERNEL_CS as u64) << 16
        | ist << 32
        | (0x8E | dpl << 5) << 40 // present, interrupt gate
        | (handler >> 16 & 0xFFFF) << 48;
    [lo, handler >> 32]
}

pub fn init() {
    // SAFETY: runs once during boot with interrupts off; then read only by the CPU.
    unsafe {
        let idt = &mut *addr_of_mut!(IDT);
        for (v, e) in idt.iter_mut().enumerate() {
            let v64 = v as u64;
            let dpl = if (USER_TRAP_FIRST..=USER_TRAP_LAST).contains(&v64) { 3 } else { 0 };
            let ist = if v == 2 || v == 8 { 1 } else { 0 };
            *e = gate(stub_address(v), dpl, ist);
        }
        let base = idt.as_ptr() as u64;
        let ptr: [u16; 5] = [(256 * 16 - 1) as u16, base as u16, (base >> 16) as u16, (base >> 32) as u16, (base >> 48) as u16];
        asm!("lidt [{}]", in(reg) ptr.as_ptr(), options(nostack));
    }
}
