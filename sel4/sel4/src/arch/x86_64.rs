//! seL4 system calls on x86_64 with the `syscall` instruction: RDX holds the
//! (negative) syscall number, RDI the cptr (badge on return), RSI the message
//! info and R10, R8, R9, R15 message registers 0-3. The kernel does not keep
//! RSP on this path, so it is parked in R12, which the kernel preserves.
//!
//! Also the thread-local block: each thread's FS base points to its
//! [`crate::TlsBlock`], read here with `fs:`-relative moves so that no Rust
//! reference to the block is ever formed by the thread itself. This file
//! holds all of the crate's assembly.

use core::arch::asm;
use sel4_abi::{IpcBuffer, MessageInfo, Syscall};

/// The four message registers that travel in CPU registers (R10, R8, R9,
/// R15 hold MR0..MR3).
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct MsgRegs(pub [u64; 4]);

/// One system call that sends and receives the full register set; returns
/// (RDI, RSI) after the call: the badge and the message info.
#[inline(always)]
fn syscall_full(num: Syscall, cptr: u64, info: u64, mrs: &mut MsgRegs) -> (u64, u64) {
    let badge: u64;
    let out_info: u64;
    // SAFETY: the kernel only reads and writes the named registers (RCX and
    // R11 are clobbered by `syscall` itself); RSP is saved in R12 and
    // restored. Memory is not marked untouched because the kernel reads and
    // writes this thread's IPC buffer.
    unsafe {
        asm!(
            "mov r12, rsp",
            "syscall",
            "mov rsp, r12",
            inout("rdx") num.number() as i64 => _,
            inout("rdi") cptr => badge,
            inout("rsi") info => out_info,
            inout("r10") mrs.0[0],
            inout("r8") mrs.0[1],
            inout("r9") mrs.0[2],
            inout("r15") mrs.0[3],
            out("rcx") _,
            out("r11") _,
            out("r12") _,
        );
    }
    (badge, out_info)
}

/// Corresponds to `seL4_SendWithMRs`: blocking send on an endpoint (or a
/// signal, for a notification). MR4 and up, and extra caps, come from the IPC
/// buffer.
pub fn sys_send(dest: u64, info: MessageInfo, mrs: &mut MsgRegs) {
    syscall_full(Syscall::Send, dest, info.word(), mrs);
}

/// Corresponds to `seL4_NBSendWithMRs`: send if a receiver waits, else drop.
pub fn sys_nbsend(dest: u64, info: MessageInfo, mrs: &mut MsgRegs) {
    syscall_full(Syscall::NBSend, dest, info.word(), mrs);
}

/// Corresponds to `seL4_CallWithMRs`: send, then wait for the reply.
/// Returns (badge, info) of the reply and leaves its MR0..3 in `mrs`.
pub fn sys_call(dest: u64, info: MessageInfo, mrs: &mut MsgRegs) -> (u64, MessageInfo) {
    let (b, i) = syscall_full(Syscall::Call, dest, info.word(), mrs);
    (b, MessageInfo(i))
}

/// Corresponds to `seL4_RecvWithMRs`: returns (badge, info); MR0..3 land in
/// `mrs`. RSI goes in as 0, so a receive that the kernel completes without
/// writing an info (a bound notification's signal) reads as label 0.
pub fn sys_recv(src: u64, mrs: &mut MsgRegs) -> (u64, MessageInfo) {
    let (b, i) = syscall_full(Syscall::Recv, src, 0, mrs);
    (b, MessageInfo(i))
}

/// Corresponds to `seL4_NBRecv` with registers: badge 0 means nothing arrived.
pub fn sys_nbrecv(src: u64, mrs: &mut MsgRegs) -> (u64, MessageInfo) {
    let (b, i) = syscall_full(Syscall::NBRecv, src, 0, mrs);
    (b, MessageInfo(i))
}

/// Corresponds to `seL4_ReplyWithMRs`.
pub fn sys_reply(info: MessageInfo, mrs: &mut MsgRegs) {
    syscall_full(Syscall::Reply, 0, info.word(), mrs);
}

/// Corresponds to `seL4_ReplyRecvWithMRs`: reply to the caller, then wait on
/// `src`. `mrs` carries the reply in and the next message out.
pub fn sys_reply_recv(src: u64, info: MessageInfo, mrs: &mut MsgRegs) -> (u64, MessageInfo) {
    let (b, i) = syscall_full(Syscall::ReplyRecv, src, info.word(), mrs);
    (b, MessageInfo(i))
}

/// Corresponds to `seL4_Yield`.
pub fn sys_yield() {
    syscall_full(Syscall::Yield, 0, 0, &mut MsgRegs::default());
}

/// A system call that passes one word in RDI and gets one back there.
#[inline(always)]
pub(crate) fn syscall_rdi(num: Syscall, arg: u64) -> u64 {
    let ret: u64;
    // SAFETY: as in `syscall_full`; the debug calls use only RDX and RDI
    // (DebugNameThread reads the IPC buffer, hence no `nomem`).
    unsafe {
        asm!(
            "mov r12, rsp",
            "syscall",
            "mov rsp, r12",
            inout("rdx") num.number() as i64 => _,
            inout("rdi") arg => ret,
            out("rsi") _,
            out("r10") _,
            out("r8") _,
            out("r9") _,
            out("r15") _,
            out("rcx") _,
            out("r11") _,
            out("r12") _,
        );
    }
    ret
}

/// Word 0 of this thread's TLS block: its IPC buffer pointer.
#[inline(always)]
pub(crate) fn tls_ipc_buffer() -> *mut IpcBuffer {
    let p: *mut IpcBuffer;
    // SAFETY: every thread running this library has an FS base pointing to
    // its TlsBlock (sel4-rt sets the root task's, `thread::Thread::start`
    // the others'); this reads its first word.
    unsafe {
        asm!("mov {}, qword ptr fs:[0]", out(reg) p, options(nostack, readonly, preserves_flags));
    }
    p
}

/// Word `index` of this thread's TLS block.
#[inline(always)]
pub(crate) fn tls_read(index: usize) -> u64 {
    let v: u64;
    // SAFETY: as in `tls_ipc_buffer`; callers pass indices below TLS_WORDS.
    unsafe {
        asm!("mov {v}, qword ptr fs:[{i}*8]", v = out(reg) v, i = in(reg) index,
             options(nostack, readonly, preserves_flags));
    }
    v
}

/// Sets word `index` of this thread's TLS block.
///
/// # Safety
/// The FS base must point to this thread's own TlsBlock and `index` must be
/// below `TLS_WORDS`.
#[inline(always)]
pub(crate) unsafe fn tls_write(index: usize, v: u64) {
    // SAFETY: the caller guarantees FS points to this thread's own block and
    // the index is inside it; no one else uses the block.
    unsafe {
        asm!("mov qword ptr fs:[{i}*8], {v}", v = in(reg) v, i = in(reg) index,
             options(nostack, preserves_flags));
    }
}
