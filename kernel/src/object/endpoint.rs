//! Endpoints (seL4 src/object/endpoint.c): a 16-byte object holding a queue
//! of threads all blocked the same way (sending or receiving) and the queue's
//! state. Send/receive rendezvous here; message transfer is in `ipc.rs`.

use crate::ipc;
use crate::kmem;
use crate::object::cnode;
use crate::object::queue::TcbQueue;
use crate::object::tcb::{Blocking, Tcb, ThreadState, SLOT_CALLER};
use crate::sched;
use kernel_core::cap::Cap;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EpState {
    Idle = 0,
    Send = 1,
    Recv = 2,
}

/// The object as it sits in memory: a thread queue whose state bits are
/// the endpoint's state.
#[repr(C)]
pub struct Endpoint {
    queue: TcbQueue,
}

impl Endpoint {
    pub fn at(paddr: u64) -> &'static mut Endpoint {
        // SAFETY: `paddr` comes from an endpoint capability: a live, 16-byte
        // aligned endpoint object.
        unsafe { kmem::object_mut::<Endpoint>(paddr) }
    }

    #[inline(always)]
    pub fn state(&self) -> EpState {
        match self.queue.state_bits() {
            1 => EpState::Send,
            2 => EpState::Recv,
            _ => EpState::Idle,
        }
    }

    #[inline(always)]
    pub fn head(&self) -> u64 {
        self.queue.head()
    }

    fn append(&mut self, t: &mut Tcb, state: EpState) {
        self.queue.append(t, state as u64);
    }

    /// Removes `t` from the queue (seL4 tcbEPDequeue).
    #[inline(always)]
    pub fn remove(&mut self, t: &mut Tcb) {
        self.queue.remove(t);
    }

    /// Queues a receiver (the fastpath's ReplyRecv).
    #[inline(always)]
    pub fn append_receiver(&mut self, t: &mut Tcb) {
        self.queue.append(t, EpState::Recv as u64);
    }

    fn pop(&mut self) -> &'static mut Tcb {
        self.queue.pop()
    }
}

/// seL4 sendIPC.
#[allow(clippy::too_many_arguments)]
pub fn send_ipc(
    blocking: bool,
    do_call: bool,
    badge: u64,
    can_grant: bool,
    can_grant_reply: bool,
    thread: &'static mut Tcb,
    ep_ptr: u64,
) {
    let ep = Endpoint::at(ep_ptr);
    match ep.state() {
        EpState::Idle | EpState::Send => {
            if blocking {
                thread.blocking = Blocking { object: ep_ptr, badge, can_grant, can_grant_reply, is_call: do_call };
                sched::set_state(thread, ThreadState::BlockedOnSend);
                ep.append(thread, EpState::Send);
            }
        }
        EpState::Recv => {
            let dest = ep.pop();
            ipc::do_ipc_transfer(thread, Some(ep_ptr), badge, can_grant, dest);
            let reply_can_grant = dest.blocking.can_grant;
            sched::set_state(dest, ThreadState::Running);
            sched::possible_switch_to(dest);
            if do_call {
                await_reply(thread, dest, can_grant || can_grant_reply, reply_can_grant);
            }
        }
    }
}

/// seL4 receiveIPC.
pub fn receive_ipc(thread: &'static mut Tcb, ep_ptr: u64, can_grant: bool, blocking: bool) {
    // A bound notification with a pending signal is delivered first.
    if thread.bound_notification != 0 && crate::object::notification::try_complete(thread) {
        return;
    }
    let ep = Endpoint::at(ep_ptr);
    match ep.state() {
        EpState::Idle | EpState::Recv => {
            if blocking {
                thread.blocking = Blocking { object: ep_ptr, can_grant, ..Default::default() };
                sched::set_state(thread, ThreadState::BlockedOnReceive);
                ep.append(thread, EpState::Recv);
            } else {
                // seL4 doNBRecvFailedTransfer: badge register 0.
                thread.frame.rdi = 0;
            }
        }
        EpState::Send => {
            let sender = ep.pop();
            let b = sender.blocking;
            ipc::do_ipc_transfer(sender, Some(ep_ptr), b.badge, b.can_grant, thread);
            if b.is_call {
                await_reply(sender, thread, b.can_grant || b.can_grant_reply, can_grant);
            } else {
                sched::set_state(sender, ThreadState::Running);
                sched::possible_switch_to(sender);
            }
        }
    }
}

/// The caller of a delivered Call: with Grant or GrantReply on its endpoint
/// cap it waits for the reply (the receiver gets a reply cap that may carry
/// caps if `reply_can_grant`); without either it just stops (seL4 sendIPC
/// and receiveIPC).
fn await_reply(caller: &mut Tcb, receiver: &mut Tcb, may_reply: bool, reply_can_grant: bool) {
    if may_reply {
        setup_caller_cap(caller, receiver, reply_can_grant);
    } else {
        sched::set_state(caller, ThreadState::Inactive);
    }
}

/// seL4 setupCallerCap: the sender waits for a reply; the receiver's caller
/// slot gets a one-shot reply cap, a child of the sender's master reply cap.
pub fn setup_caller_cap(sender: &mut Tcb, receiver: &mut Tcb, can_grant: bool) {
    sched::set_state(sender, ThreadState::BlockedOnReply);
    let master = sender.object() + crate::object::tcb::SLOT_REPLY * 32;
    let caller = receiver.object() + SLOT_CALLER * 32;
    // A stale reply cap is dropped first (seL4 asserts the slot is empty
    // after deleteCallerCap; Recv paths clear it).
    cnode::cte_delete(caller);
    cnode::cte_insert(Cap::Reply { tcb: sender.object(), master: false, can_grant }, master, caller);
}

/// seL4 cancelIPC: takes a blocked thread out of whatever IPC it waits in.
pub fn cancel_ipc(t: &mut Tcb) {
    match t.state {
        ThreadState::BlockedOnSend | ThreadState::BlockedOnReceive => {
            Endpoint::at(t.blocking.object).remove(t);
            // A fault message that was still waiting to be sent is dropped
            // with the send, so a thread that runs has no pending fault.
            t.fault = None;
            sched::set_state(t, ThreadState::Inactive);
        }
        ThreadState::BlockedOnNotification => {
            crate::object::notification::cancel_signal(t);
        }
        ThreadState::BlockedOnReply => {
            t.fault = None;
            // The reply cap to this thread (in some caller slot) is deleted.
            let master = t.object() + crate::object::tcb::SLOT_REPLY * 32;
            let next = cnode::slot_at(master).mdb.next();
            if next != 0 {
                if let Cap::Reply { tcb, master: false, .. } = cnode::cap_at(next) {
                    if tcb == t.object() {
                        cnode::cte_delete(next);
                    }
                }
            }
            sched::set_state(t, ThreadState::Inactive);
        }
        _ => {}
    }
}

/// seL4 cancelAllIPC: every queued thread restarts (the endpoint is going away).
pub fn cancel_all_ipc(ep_ptr: u64) {
    let ep = Endpoint::at(ep_ptr);
    while ep.head() != 0 {
        let t = ep.pop();
        t.state = ThreadState::Restart;
        sched::enqueue(t);
    }
    ep.queue.set(0, 0, EpState::Idle as u64);
    sched::reschedule_required();
}

/// seL4 cancelBadgedSends: senders with this badge restart.
pub fn cancel_badged_sends(ep_ptr: u64, badge: u64) {
    let ep = Endpoint::at(ep_ptr);
    if ep.state() != EpState::Send {
        return;
    }
    let mut t = ep.head();
    while t != 0 {
        let tcb = Tcb::at(t);
        let next = tcb.ep_next;
        if tcb.blocking.badge == badge {
            ep.remove(tcb);
            tcb.state = ThreadState::Restart;
            sched::enqueue(tcb);
        }
        t = next;
    }
    sched::reschedule_required();
}
