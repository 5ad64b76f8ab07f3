//! The IPC fastpath (seL4 src/fastpath/fastpath.c): Call and ReplyRecv with
//! a register-only message (length <= 4, no caps) between two threads that
//! can switch directly. The effects are exactly the slow path's; anything
//! unusual falls back to it. Disabled with `fastpath=off` on the kernel
//! command line (the IPC benchmark compares both).

use crate::ipc;
use crate::object::cnode;
use crate::object::endpoint::{EpState, Endpoint};
use crate::object::notification::{NtfnState, Notification};
use crate::object::tcb::{Blocking, Tcb, ThreadState, SLOT_CALLER, SLOT_REPLY};
use crate::sched;
use crate::state::Global;
use kernel_core::cap::RawCap;
use sel4_abi::MessageInfo;

/// Messages shorter than this take the fastpath: FAST_MRS + 1, or 0 when
/// the fastpath is off (one comparison serves both).
static LENGTH_LIMIT: Global<u64> = Global::new(ipc::FAST_MRS as u64 + 1);

pub fn set_enabled(on: bool) {
    *LENGTH_LIMIT.get() = if on { ipc::FAST_MRS as u64 + 1 } else { 0 };
}

/// The message, if it suits the fastpath: register MRs only, no caps. (A
/// thread making a system call never has a pending fault: a fault blocks
/// it until the reply, and cancelling that IPC drops the fault.)
#[inline(always)]
fn fast_message(t: &Tcb) -> Option<MessageInfo> {
    let mi = MessageInfo(t.frame.rsi);
    (mi.length() < *LENGTH_LIMIT.get() && mi.extra_caps() == 0).then_some(mi)
}

/// Copies the register MRs and the message word, and switches to `dest`.
fn deliver(from: &Tcb, dest: &mut Tcb, info: MessageInfo, badge: u64) {
    dest.frame.r10 = from.frame.r10;
    dest.frame.r8 = from.frame.r8;
    dest.frame.r9 = from.frame.r9;
    dest.frame.r15 = from.frame.r15;
    dest.frame.rsi = MessageInfo::new(info.label(), 0, 0, info.length()).word();
    dest.frame.rdi = badge;
    dest.state = ThreadState::Running;
}

/// seL4 fastpath_call. Returns only when the slow path must run.
#[inline(always)]
pub fn call(t: &'static mut Tcb) {
    let Some(info) = fast_message(t) else { return };
    let Some((raw, _)) = cnode::lookup_raw(t.cspace_root(), t.frame.rdi) else { return };
    let Some((ptr, badge, rights)) = raw.as_endpoint() else { return };
    // Send, and Grant or GrantReply (seL4_CapRights bits 0, 2, 3).
    if rights & 1 == 0 || rights & 0b1100 == 0 {
        return;
    }
    let ep = Endpoint::at(ptr);
    if ep.state() != EpState::Recv {
        return;
    }
    let dest = Tcb::at(ep.head());
    if dest.vspace_root().is_none() || (dest.priority < t.priority && !sched::is_highest(dest.priority)) {
        return;
    }
    ep.remove(dest);
    // The caller waits for the reply; the receiver gets the reply cap.
    t.state = ThreadState::BlockedOnReply;
    let caller_slot = dest.object() + SLOT_CALLER * 32;
    if !cnode::slot_at(caller_slot).cap.is_null() {
        cnode::cte_delete(caller_slot);
    }
    let reply = RawCap::reply(t.object(), dest.blocking.can_grant);
    cnode::insert_reply(reply, t.object() + SLOT_REPLY * 32, caller_slot);
    deliver(t, dest, info, badge);
    sched::switch_directly(dest)
}

/// seL4 fastpath_reply_recv. Returns only when the slow path must run.
#[inline(always)]
pub fn reply_recv(t: &'static mut Tcb) {
    let Some(info) = fast_message(t) else { return };
    let Some((raw, _)) = cnode::lookup_raw(t.cspace_root(), t.frame.rdi) else { return };
    let Some((ptr, _, rights)) = raw.as_endpoint() else { return };
    // Receive (seL4_CapRights bit 1).
    if rights & 2 == 0 {
        return;
    }
    if t.bound_notification != 0 && Notification::at(t.bound_notification).state() == NtfnState::Active {
        return;
    }
    let ep = Endpoint::at(ptr);
    if ep.state() == EpState::Send {
        return;
    }
    let caller_slot = t.object() + SLOT_CALLER * 32;
    let Some((caller_obj, _)) = cnode::slot_at(caller_slot).cap.as_reply() else { return };
    let caller = Tcb::at(caller_obj);
    if caller.fault.is_some()
        || caller.state != ThreadState::BlockedOnReply
        || caller.vspace_root().is_none()
        || !sched::is_highest(caller.priority)
    {
        return;
    }
    // Block on the endpoint, consume the reply cap, wake the caller.
    t.blocking = Blocking { object: ptr, can_grant: rights & 4 != 0, ..Default::default() };
    t.state = ThreadState::BlockedOnReceive;
    ep.append_receiver(t);
    cnode::remove_reply(caller_slot);
    deliver(t, caller, info, 0);
    sched::switch_directly(caller)
}
