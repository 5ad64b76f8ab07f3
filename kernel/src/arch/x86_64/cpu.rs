//! Privileged x86_64 instructions, each wrapped in a small safe function whose
//! effect the kernel controls (ports, MSRs, control registers, TLB, FPU).

use core::arch::asm;

pub fn outb(port: u16, v: u8) {
    // SAFETY: port output has no memory effect; the kernel owns all ports it names.
    unsafe { asm!("out dx, al", in("dx") port, in("al") v, options(nomem, nostack, preserves_flags)) };
}

pub fn inb(port: u16) -> u8 {
    let v: u8;
    // SAFETY: as for outb.
    unsafe { asm!("in al, dx", in("dx") port, out("al") v, options(nomem, nostack, preserves_flags)) };
    v
}

pub fn rdmsr(msr: u32) -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: the kernel reads only architectural MSRs that exist on x86_64.
    unsafe { asm!("rdmsr", in("ecx") msr, out("eax") lo, out("edx") hi, options(nomem, nostack)) };
    (hi as u64) << 32 | lo as u64
}

pub fn wrmsr(msr: u32, v: u64) {
    // SAFETY: callers write architectural MSRs with values they validated.
    unsafe { asm!("wrmsr", in("ecx") msr, in("eax") v as u32, in("edx") (v >> 32) as u32, options(nostack)) };
}

pub const MSR_EFER: u32 = 0xC000_0080;
pub const MSR_STAR: u32 = 0xC000_0081;
pub const MSR_LSTAR: u32 = 0xC000_0082;
pub const MSR_SFMASK: u32 = 0xC000_0084;
pub const MSR_FS_BASE: u32 = 0xC000_0100;
pub const MSR_GS_BASE: u32 = 0xC000_0101;

pub fn cli() {
    // SAFETY: masking interrupts is always sound for the kernel.
    unsafe { asm!("cli", options(nomem, nostack)) };
}

pub fn hlt() {
    // SAFETY: waits for an interrupt; no memory effect.
    unsafe { asm!("hlt", options(nomem, nostack)) };
}

pub fn read_cr2() -> u64 {
    let v;
    // SAFETY: reading CR2 has no side effect.
    unsafe { asm!("mov {}, cr2", out(reg) v, options(nomem, nostack)) };
    v
}

pub fn read_cr3() -> u64 {
    let v;
    // SAFETY: reading CR3 has no side effect.
    unsafe { asm!("mov {}, cr3", out(reg) v, options(nomem, nostack)) };
    v
}

/// Drops the TLB's translation of the page holding `vaddr` (any page size)
/// and the paging-structure caches of the current address space.
pub fn invlpg(vaddr: u64) {
    // SAFETY: invalidating a translation only makes the CPU walk the tables again.
    unsafe { asm!("invlpg [{}]", in(reg) vaddr, options(nostack, preserves_flags)) };
}

/// Switches address space.
///
/// # Safety
/// `pml4` must be the physical address of a PML4 whose upper half maps the kernel.
pub unsafe fn write_cr3(pml4: u64) {
    // SAFETY: the caller guarantees the kernel stays mapped.
    unsafe { asm!("mov cr3, {}", in(reg) pml4, options(nostack)) };
}

/// CR0.MP, CR0.NE, no EM; CR4.OSFXSR and OSXMMEXCPT, so user code may use
/// SSE and the kernel can FXSAVE/FXRSTOR its state.
pub fn init_fpu() {
    // SAFETY: only the FPU/SSE enable bits change.
    unsafe {
        asm!(
            "mov rax, cr0",
            "and rax, ~(1 << 2)",
            "or rax, (1 << 1) | (1 << 5)",
            "mov cr0, rax",
            "mov rax, cr4",
            "or rax, (1 << 9) | (1 << 10)",
            "mov cr4, rax",
            "fninit",
            out("rax") _,
            options(nostack)
        )
    };
}

/// The 512-byte FXSAVE image of a thread's FPU/SSE registers.
#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub struct FpuState(pub [u8; 512]);

impl FpuState {
    /// The state of a fresh thread: FCW 0x37F (all masked), MXCSR 0x1F80.
    pub const fn initial() -> FpuState {
        let mut s = [0u8; 512];
        s[0] = 0x7f;
        s[1] = 0x03;
        s[24] = 0x80;
        s[25] = 0x1f;
        FpuState(s)
    }

    pub fn save(&mut self) {
        // SAFETY: self is 512 bytes and 16-byte aligned, as FXSAVE requires.
        unsafe { asm!("fxsave64 [{}]", in(reg) self.0.as_mut_ptr(), options(nostack)) };
    }

    pub fn restore(&self) {
        // SAFETY: as for save; the image was written by FXSAVE or `initial`
        // (reserved MXCSR bits are zero).
        unsafe { asm!("fxrstor64 [{}]", in(reg) self.0.as_ptr(), options(nostack)) };
    }
}

/// Remaps the legacy 8259 PICs away from the exception vectors (to 0x20..0x2F)
/// and masks every line: Triton takes interrupts through the IOAPIC.
pub fn mask_legacy_pic() {
    for (cmd, data, offset, cascade) in [(0x20u16, 0x21u16, 0x20u8, 4u8), (0xA0, 0xA1, 0x28, 2)] {
        outb(cmd, 0x11); // ICW1: init, ICW4 follows
        outb(data, offset); // ICW2: vector offset
        outb(data, cascade); // ICW3: cascade wiring
        outb(data, 0x01); // ICW4: 8086 mode
        outb(data, 0xFF); // mask all
    }
}

/// Enables interrupts and waits for one, atomically (STI's one-instruction shadow).
pub fn wait_for_interrupt() {
    // SAFETY: the idle loop runs on the kernel stack with nothing borrowed;
    // interrupt handlers entered here return to it.
    // Not `nomem`: interrupt handlers change kernel state while we wait,
    // and the compiler must re-read it afterwards.
    unsafe { asm!("sti", "hlt", "cli", options(nostack)) };
}

pub fn rdtsc() -> u64 {
    // SAFETY: reading the time-stamp counter has no side effect.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// CR0.TS: when set, the next FPU/SSE instruction raises #NM (a thread with
/// seL4_TCBFlag_fpuDisabled runs with it set).
pub fn set_task_switched(on: bool) {
    // SAFETY: only CR0.TS changes.
    unsafe {
        if on {
            asm!("mov rax, cr0", "or rax, 8", "mov cr0, rax", out("rax") _, options(nostack));
        } else {
            asm!("clts", options(nostack));
        }
    }
}

/// Prints the return addresses of the kernel's call stack (it is built with
/// frame pointers), for `llvm-addr2line -e triton-kernel`.
pub fn print_backtrace() {
    let mut rbp: u64;
    // SAFETY: reads RBP only.
    unsafe { asm!("mov {}, rbp", out(reg) rbp, options(nomem, nostack)) };
    crate::console::print(format_args!("backtrace:"));
    for _ in 0..24 {
        // Frames live on the kernel stack (high half); stop at anything else.
        if rbp < 0xFFFF_8000_0000_0000 || rbp % 8 != 0 {
            break;
        }
        // SAFETY: rbp points into the kernel stack, checked above; each frame
        // holds the caller's rbp and the return address.
        let (next, ret) = unsafe { (*(rbp as *const u64), *((rbp + 8) as *const u64)) };
        crate::console::print(format_args!(" {ret:#x}"));
        rbp = next;
    }
    crate::console::print(format_args!("\n"));
}
