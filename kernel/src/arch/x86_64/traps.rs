//! Kernel entry and exit. Every way into the kernel from user mode (the
//! `syscall` instruction, an exception, an interrupt) saves the thread's
//! registers into its TCB as one [`TrapFrame`] and then runs Rust on the
//! kernel stack; every way out restores some thread's frame with SYSRET (if
//! it entered by `syscall`) or IRETQ.

use super::cpu::{wrmsr, MSR_EFER, MSR_LSTAR, MSR_SFMASK, MSR_STAR};
use super::gdt::{self, KERNEL_CS, SYSRET_BASE};
use core::sync::atomic::{AtomicU64, Ordering};

/// A thread's saved user registers, in push order (lowest address first).
/// The last five words are the hardware interrupt frame.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub struct TrapFrame {
    pub rax: u64,
    pub rbx: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub rbp: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    /// Which entry: an IDT vector, or [`SYSCALL_VECTOR`].
    pub vector: u64,
    /// The CPU's error code (0 where it has none).
    pub error: u64,
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

pub const FRAME_SIZE: usize = core::mem::size_of::<TrapFrame>();
/// `vector` of a frame saved by the `syscall` entry.
pub const SYSCALL_VECTOR: u64 = 0x100;
/// `vector` of a frame the kernel rewrote: return with IRETQ.
pub const MODIFIED_VECTOR: u64 = 0x101;

/// Just past the current thread's frame: where the syscall entry starts pushing.
#[no_mangle]
static CURRENT_FRAME_END: AtomicU64 = AtomicU64::new(0);
/// The user RSP, parked while the syscall entry switches stacks.
#[no_mangle]
static SYSCALL_USER_RSP: AtomicU64 = AtomicU64::new(0);

const _: () = assert!(FRAME_SIZE == 22 * 8);

// Exception and interrupt stubs: 16 bytes each, vector i at trap_stubs + 16*i.
// Vectors without a CPU error code push a 0 so every frame has the same shape.
core::arch::global_asm!(
    ".section .text.traps, \"ax\"",
    ".align 16",
    ".global trap_stubs",
    "trap_stubs:",
    ".set vec, 0",
    ".rept 256",
    ".align 16",
    ".if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)",
    ".else",
    "    pushq $0",
    ".endif",
    "    pushq $vec",
    "    jmp trap_common",
    ".set vec, vec + 1",
    ".endr",
    options(att_syntax)
);

core::arch::global_asm!(
    ".section .text.traps, \"ax\"",
    "trap_common:",
    "    push r15",
    "    push r14",
    "    push r13",
    "    push r12",
    "    push r11",
    "    push r10",
    "    push r9",
    "    push r8",
    "    push rbp",
    "    push rdi",
    "    push rsi",
    "    push rdx",
    "    push rcx",
    "    push rbx",
    "    push rax",
    "    mov rdi, rsp",
    "    test qword ptr [rsp + {cs_off}], 3",
    "    jz 3f",
    // From user mode: the frame is in the TCB; run on the kernel stack.
    "    lea rsp, [rip + kernel_stack_top]",
    "    call {user_trap}",
    "    ud2",
    // From kernel mode (the idle loop, or a kernel bug): frame on this stack.
    "3:  call {kernel_trap}",
    "    pop rax",
    "    pop rbx",
    "    pop rcx",
    "    pop rdx",
    "    pop rsi",
    "    pop rdi",
    "    pop rbp",
    "    pop r8",
    "    pop r9",
    "    pop r10",
    "    pop r11",
    "    pop r12",
    "    pop r13",
    "    pop r14",
    "    pop r15",
    "    add rsp, 16",
    "    iretq",
    "",
    // The `syscall` entry: RCX = user RIP, R11 = user RFLAGS, IF already clear.
    ".global syscall_entry",
    "syscall_entry:",
    "    mov [rip + SYSCALL_USER_RSP], rsp",
    "    mov rsp, [rip + CURRENT_FRAME_END]",
    "    push {user_ss}",
    "    push qword ptr [rip + SYSCALL_USER_RSP]",
    "    push r11",
    "    push {user_cs}",
    "    push rcx",
    "    push 0",
    "    push {sysvec}",
    "    push r15",
    "    push r14",
    "    push r13",
    "    push r12",
    "    push r11",
    "    push r10",
    "    push r9",
    "    push r8",
    "    push rbp",
    "    push rdi",
    "    push rsi",
    "    push rdx",
    "    push rcx",
    "    push rbx",
    "    push rax",
    "    mov rdi, rsp",
    "    lea rsp, [rip + kernel_stack_top]",
    "    call {syscall}",
    "    ud2",
    "",
    // restore_user_frame(frame: rdi, sysret: rsi) -> !
    ".global restore_user_frame",
    "restore_user_frame:",
    "    test rsi, rsi",
    "    jz 2f",
    "    mov rcx, [rdi + {rip_off}]",
    "    mov r11, [rdi + {rflags_off}]",
    "    mov rax, [rdi + 0]",
    "    mov rbx, [rdi + 8]",
    "    mov rdx, [rdi + 24]",
    "    mov rsi, [rdi + 32]",
    "    mov rbp, [rdi + 48]",
    "    mov r8, [rdi + 56]",
    "    mov r9, [rdi + 64]",
    "    mov r10, [rdi + 72]",
    "    mov r12, [rdi + 88]",
    "    mov r13, [rdi + 96]",
    "    mov r14, [rdi + 104]",
    "    mov r15, [rdi + 112]",
    "    mov rsp, [rdi + {rsp_off}]",
    "    mov rdi, [rdi + 40]",
    "    sysretq",
    "2:  mov rsp, rdi",
    "    pop rax",
    "    pop rbx",
    "    pop rcx",
    "    pop rdx",
    "    pop rsi",
    "    pop rdi",
    "    pop rbp",
    "    pop r8",
    "    pop r9",
    "    pop r10",
    "    pop r11",
    "    pop r12",
    "    pop r13",
    "    pop r14",
    "    pop r15",
    "    add rsp, 16",
    "    iretq",
    cs_off = const 18 * 8,
    rip_off = const 17 * 8,
    rflags_off = const 19 * 8,
    rsp_off = const 20 * 8,
    user_ss = const gdt::USER_SS,
    user_cs = const gdt::USER_CS,
    sysvec = const SYSCALL_VECTOR,
    user_trap = sym user_trap_entry,
    kernel_trap = sym kernel_trap_entry,
    syscall = sym syscall_trap_entry,
);

extern "C" {
    static trap_stubs: u8;
    fn syscall_entry();
    fn restore_user_frame(frame: *const TrapFrame, sysret: u64) -> !;
}

/// The address of the IDT stub for `vector`.
pub fn stub_address(vector: usize) -> u64 {
    core::ptr::addr_of!(trap_stubs) as u64 + 16 * vector as u64
}

// The user-mode entries save into the current thread's frame, which the
// handlers reach through the thread itself, so the pointer is only checked.
extern "C" fn user_trap_entry(frame: *mut TrapFrame) -> ! {
    debug_assert_eq!(frame as u64 + FRAME_SIZE as u64, CURRENT_FRAME_END.load(Ordering::Relaxed));
    crate::fault::handle_user_trap()
}

#[inline(always)]
extern "C" fn syscall_trap_entry(frame: *mut TrapFrame) -> ! {
    debug_assert_eq!(frame as u64 + FRAME_SIZE as u64, CURRENT_FRAME_END.load(Ordering::Relaxed));
    crate::syscall::handle_syscall()
}

extern "C" fn kernel_trap_entry(frame: *mut TrapFrame) {
    // SAFETY: the stub passes the frame it pushed on the kernel stack.
    let f = unsafe { &mut *frame };
    crate::fault::handle_kernel_trap(f)
}

/// STAR/LSTAR/SFMASK: `syscall` enters at `syscall_entry` with IF, TF, DF
/// and AC cleared.
pub fn init_syscall() {
    wrmsr(MSR_STAR, (SYSRET_BASE as u64) << 48 | (KERNEL_CS as u64) << 32);
    wrmsr(MSR_LSTAR, syscall_entry as *const () as u64);
    wrmsr(MSR_SFMASK, 1 << 9 | 1 << 8 | 1 << 10 | 1 << 18);
    let efer = super::cpu::rdmsr(MSR_EFER);
    wrmsr(MSR_EFER, efer | 1);
}

fn canonical_user(a: u64) -> bool {
    a < 0x0000_8000_0000_0000
}

/// Makes `frame` the one the next trap saves into.
#[inline(always)]
pub fn set_current_frame(frame: *mut TrapFrame) {
    let end = frame as u64 + FRAME_SIZE as u64;
    CURRENT_FRAME_END.store(end, Ordering::Relaxed);
    gdt::set_kernel_entry_stack(end);
}

/// Returns to user mode with `frame` (the current thread's frame).
#[inline(always)]
pub fn return_to_user(frame: &TrapFrame) -> ! {
    // SYSRET faults in ring 0 on a non-canonical RCX, so only a frame from the
    // syscall path with a user-half RIP takes it; anything else uses IRETQ.
    let sysret = frame.vector == SYSCALL_VECTOR && canonical_user(frame.rip);
    // SAFETY: the frame holds user selectors and sanitised flags (the kernel
    // writes only those), so the return lands in ring 3.
    unsafe { restore_user_frame(frame, sysret as u64) }
}
