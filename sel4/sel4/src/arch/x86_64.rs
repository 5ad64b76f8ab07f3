//! seL4 system calls on x86_64 with the `syscall` instruction: RDX holds the
//! (negative) syscall number, RDI the cptr (badge on return), RSI the message
//! info and R10, R8, R9, R15 message registers 0-3. The kernel does not keep
//! RSP on this path, so it is parked in R12, which the kernel preserves.

use core::arch::asm;
use sel4_abi::{MessageInfo, Syscall};

/// The four message registers that travel in CPU registers.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct MsgRegs(pub [u64; 4]);

/// One system call that sends and receives the full register set.
#[inline(always)]
fn syscall_full(num: Syscall, cptr: u64, info: u64, mrs: &mut MsgRegs) -> (u64, u64) {
    let badge: u64;
    let out_info: u64;
    // SAFETY: the kernel only reads and writes the named registers (RCX and
    // R11 are clobbered by `syscall` itself); RSP is saved in R12 and restored.
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

/// Corresponds to `seL4_Send`: blocking send on an endpoint or notification.
pub fn sys_send(dest: u64, info: MessageInfo, mut mrs: MsgRegs) {
    syscall_full(Syscall::Send, dest, info.word(), &mut mrs);
}

/// Corresponds to `seL4_NBSend`: send if a receiver waits, else drop.
pub fn sys_nbsend(dest: u64, info: MessageInfo, mut mrs: MsgRegs) {
    syscall_full(Syscall::NBSend, dest, info.word(), &mut mrs);
}

/// Corresponds to `seL4_Call`: send, then wait for the reply. Returns the
/// reply's message info and leaves its first four MRs in `mrs`.
pub fn sys_call(dest: u64, info: MessageInfo, mrs: &mut MsgRegs) -> MessageInfo {
    let (_, i) = syscall_full(Syscall::Call, dest, info.word(), mrs);
    MessageInfo(i)
}

/// Corresponds to `seL4_Recv`: returns (badge, info) and the MRs.
pub fn sys_recv(src: u64, mrs: &mut MsgRegs) -> (u64, MessageInfo) {
    let (b, i) = syscall_full(Syscall::Recv, src, 0, mrs);
    (b, MessageInfo(i))
}

/// Corresponds to `seL4_NBRecv`.
pub fn sys_nbrecv(src: u64, mrs: &mut MsgRegs) -> (u64, MessageInfo) {
    let (b, i) = syscall_full(Syscall::NBRecv, src, 0, mrs);
    (b, MessageInfo(i))
}

/// Corresponds to `seL4_Reply`.
pub fn sys_reply(info: MessageInfo, mut mrs: MsgRegs) {
    syscall_full(Syscall::Reply, 0, info.word(), &mut mrs);
}

/// Corresponds to `seL4_ReplyRecv`: reply to the caller, then wait on `src`.
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
    // SAFETY: as in `syscall_full`; the debug calls use only RDX and RDI.
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
