//! Machine code the fault tests need at known addresses: an instruction that
//! faults (divide by zero, an unserved system call, `int n`, a privileged
//! instruction, a load or store to an unmapped address) with a label on the
//! faulting instruction, so a test can compare the fault message's IP with
//! it, and resume points a fault handler can redirect the thread to. These
//! deliberately misbehave, which the `sel4` crate's wrappers never do, so
//! they live with the tests. Also `rdtsc`, to bound spinning loops in time.

use core::arch::global_asm;

global_asm!(
    // u64 kt_div_zero(void): divides by zero; returns 1 if it ever goes on.
    ".global kt_div_zero",
    ".global kt_div_zero_insn",
    ".global kt_div_zero_resume",
    "kt_div_zero:",
    "    mov eax, 7",
    "    xor edx, edx",
    "    xor ecx, ecx",
    "kt_div_zero_insn:",
    "    div rcx",
    "    mov eax, 1",
    "    ret",
    // Where a handler sends the thread instead: returns 0x600d.
    "kt_div_zero_resume:",
    "    mov eax, 0x600d",
    "    ret",
    //
    // u64 kt_unknown_syscall(u64 number): loads known values into every
    // register, makes system call `number`, and returns RAX afterwards
    // (which an UnknownSyscall handler may have rewritten). Callee-saved
    // registers are kept; RSP is parked in R12 as the sel4 wrappers do.
    ".global kt_unknown_syscall",
    ".global kt_unknown_syscall_insn",
    "kt_unknown_syscall:",
    "    push rbx",
    "    push rbp",
    "    push r12",
    "    push r13",
    "    push r14",
    "    push r15",
    "    mov rdx, rdi",
    "    mov eax, 0xa0",
    "    mov ebx, 0xb0",
    "    mov esi, 0x50",
    "    mov edi, 0xd0",
    "    mov ebp, 0xb9",
    "    mov r8d, 0x80",
    "    mov r9d, 0x90",
    "    mov r10d, 0x100",
    "    mov r13d, 0x130",
    "    mov r14d, 0x140",
    "    mov r15d, 0x150",
    "    mov r12, rsp",
    "kt_unknown_syscall_insn:",
    "    syscall",
    "    mov rsp, r12",
    "    pop r15",
    "    pop r14",
    "    pop r13",
    "    pop r12",
    "    pop rbp",
    "    pop rbx",
    "    ret",
    //
    // u64 kt_int_trap(void): `int 0xa0` with EAX = 0x123456 (a trap-range
    // vector, reported as UnknownSyscall); returns RAX afterwards.
    ".global kt_int_trap",
    ".global kt_int_trap_insn",
    "kt_int_trap:",
    "    mov eax, 0x123456",
    "kt_int_trap_insn:",
    "    int 0xa0",
    "    ret",
    //
    // void kt_hlt(void): a privileged instruction (#GP from user mode).
    ".global kt_hlt",
    ".global kt_hlt_insn",
    "kt_hlt:",
    "kt_hlt_insn:",
    "    hlt",
    "    ret",
    //
    // u64 kt_load(u64 addr): one load from addr.
    ".global kt_load",
    "kt_load:",
    "    mov rax, qword ptr [rdi]",
    "    ret",
    //
    // void kt_store(u64 addr, u64 value): one store to addr.
    ".global kt_store",
    "kt_store:",
    "    mov qword ptr [rdi], rsi",
    "    ret",
    //
    // void kt_jump(u64 addr): jumps to addr (an instruction fetch there).
    ".global kt_jump",
    "kt_jump:",
    "    jmp rdi",
);

extern "C" {
    pub fn kt_div_zero() -> u64;
    pub fn kt_unknown_syscall(number: u64) -> u64;
    pub fn kt_int_trap() -> u64;
    pub fn kt_hlt();
    pub fn kt_load(addr: u64) -> u64;
    pub fn kt_store(addr: u64, value: u64);
    pub fn kt_jump(addr: u64);
    static kt_div_zero_insn: u8;
    static kt_div_zero_resume: u8;
    static kt_unknown_syscall_insn: u8;
    static kt_int_trap_insn: u8;
    static kt_hlt_insn: u8;
}

/// Addresses of the labelled instructions (taking the address of an
/// extern static reads nothing, so needs no `unsafe`).
pub fn div_zero_insn() -> u64 {
    core::ptr::addr_of!(kt_div_zero_insn) as u64
}

pub fn div_zero_resume() -> u64 {
    core::ptr::addr_of!(kt_div_zero_resume) as u64
}

pub fn unknown_syscall_insn() -> u64 {
    core::ptr::addr_of!(kt_unknown_syscall_insn) as u64
}

pub fn int_trap_insn() -> u64 {
    core::ptr::addr_of!(kt_int_trap_insn) as u64
}

pub fn hlt_insn() -> u64 {
    core::ptr::addr_of!(kt_hlt_insn) as u64
}

pub fn load_insn() -> u64 {
    kt_load as unsafe extern "C" fn(u64) -> u64 as usize as u64
}

pub fn store_insn() -> u64 {
    kt_store as unsafe extern "C" fn(u64, u64) as usize as u64
}

/// The time-stamp counter.
pub fn rdtsc() -> u64 {
    let lo: u32;
    let hi: u32;
    // SAFETY: rdtsc only reads the counter (user mode may, CR4.TSD is clear).
    unsafe { core::arch::asm!("rdtsc", out("eax") lo, out("edx") hi, options(nomem, nostack)) };
    ((hi as u64) << 32) | lo as u64
}
