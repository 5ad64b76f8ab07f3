//! The user-mode entry the Executive sends a thread to when it delivers a
//! user APC (`KiUserApcDispatcher`, as in Windows). The Executive stops the
//! thread where its system call would return, saves that state as a CONTEXT
//! on the thread's stack (RSP points at it, 16-byte aligned), with the APC
//! in the CONTEXT's home words: P1Home..P3Home the three arguments, P4Home
//! the routine. The dispatcher calls `routine(arg1, arg2, arg3)` and then
//! NtContinue(context, TRUE), which resumes the interrupted code (or
//! delivers the next APC first).

core::arch::global_asm!(
    ".globl KiUserApcDispatcher",
    "KiUserApcDispatcher:",
    "    mov rsi, rsp",
    "    mov rcx, [rsi]",
    "    mov rdx, [rsi + 8]",
    "    mov r8, [rsi + 16]",
    "    mov rax, [rsi + 24]",
    // Home space; RSP stays 16-byte aligned at the call.
    "    sub rsp, 32",
    "    call rax",
    "    add rsp, 32",
    "    mov rcx, rsi",
    "    mov edx, 1",
    "    sub rsp, 32",
    "    call NtContinue",
    // NtContinue does not return to here; if it fails, stop the thread.
    "    ud2",
);
