//! Message passing as libsel4 presents it: the message lives in the IPC
//! buffer (`set_mr`, `set_cap`), and these wrappers move MR0..3 between the
//! buffer and the registers the kernel uses for them. For threads without an
//! IPC buffer, or to avoid the copies, use the `sys_*` register forms.
//!
//! Notifications: `signal`, `wait` and `poll` are Send, Recv and NBRecv on a
//! notification cap; they return the notification word (the badge register).

use crate::arch::{self, MsgRegs};
use crate::ipc_buffer::{assert_not_lent, with_ipc_buffer};
use crate::CPtr;
use sel4_abi::{MessageInfo, FAST_MESSAGE_REGISTERS};

/// MR0..3 from the buffer, for a send.
fn load_regs() -> MsgRegs {
    with_ipc_buffer(|b| {
        let mut r = MsgRegs::default();
        r.0.copy_from_slice(&b.msg[..FAST_MESSAGE_REGISTERS]);
        r
    })
}

/// MR0..3 received in registers, stored into the buffer.
fn store_regs(r: &MsgRegs) {
    with_ipc_buffer(|b| b.msg[..FAST_MESSAGE_REGISTERS].copy_from_slice(&r.0));
}

/// Corresponds to `seL4_Send`.
pub fn send(dest: CPtr, info: MessageInfo) {
    let mut r = load_regs();
    assert_not_lent();
    arch::sys_send(dest, info, &mut r);
}

/// Corresponds to `seL4_NBSend`.
pub fn nb_send(dest: CPtr, info: MessageInfo) {
    let mut r = load_regs();
    assert_not_lent();
    arch::sys_nbsend(dest, info, &mut r);
}

/// Corresponds to `seL4_Call`: returns the reply's info; the reply's MRs are
/// in the buffer afterwards (`get_mr`). The reply badge (0 for a reply) is
/// dropped, as libsel4 drops it; `sys_call` returns it.
pub fn call(dest: CPtr, info: MessageInfo) -> MessageInfo {
    let mut r = load_regs();
    assert_not_lent();
    let (_, info) = arch::sys_call(dest, info, &mut r);
    store_regs(&r);
    info
}

/// Corresponds to `seL4_Recv`: returns (info, badge of the sender's cap).
pub fn recv(src: CPtr) -> (MessageInfo, u64) {
    let mut r = MsgRegs::default();
    assert_not_lent();
    let (badge, info) = arch::sys_recv(src, &mut r);
    store_regs(&r);
    (info, badge)
}

/// Corresponds to `seL4_NBRecv`: badge 0 and an unchanged buffer when
/// nothing was waiting (an unbadged sender also gives badge 0; look at the
/// info to tell them apart).
pub fn nb_recv(src: CPtr) -> (MessageInfo, u64) {
    let mut r = MsgRegs::default();
    assert_not_lent();
    let (badge, info) = arch::sys_nbrecv(src, &mut r);
    store_regs(&r);
    (info, badge)
}

/// Corresponds to `seL4_Reply` (non-MCS): answers the caller recorded in
/// this thread's TCB; does nothing if there is none.
pub fn reply(info: MessageInfo) {
    let mut r = load_regs();
    assert_not_lent();
    arch::sys_reply(info, &mut r);
}

/// Corresponds to `seL4_ReplyRecv` (non-MCS).
pub fn reply_recv(src: CPtr, info: MessageInfo) -> (MessageInfo, u64) {
    let mut r = load_regs();
    assert_not_lent();
    let (badge, info) = arch::sys_reply_recv(src, info, &mut r);
    store_regs(&r);
    (info, badge)
}

/// Corresponds to `seL4_Signal`: a Send on a notification cap.
pub fn signal(ntfn: CPtr) {
    let mut r = MsgRegs::default();
    arch::sys_send(ntfn, MessageInfo::new(0, 0, 0, 1), &mut r);
}

/// Corresponds to `seL4_Wait`: blocks until the notification is signalled
/// and returns its word (the OR of the badges), clearing it.
pub fn wait(ntfn: CPtr) -> u64 {
    let mut r = MsgRegs::default();
    // An endpoint cap passed by mistake would receive into the buffer.
    assert_not_lent();
    arch::sys_recv(ntfn, &mut r).0
}

/// Corresponds to `seL4_Poll`: the notification word if it was signalled
/// (clearing it), else 0. Never blocks.
pub fn poll(ntfn: CPtr) -> u64 {
    let mut r = MsgRegs::default();
    assert_not_lent();
    arch::sys_nbrecv(ntfn, &mut r).0
}

/// Corresponds to `seL4_Yield`.
pub fn yield_now() {
    arch::sys_yield();
}
