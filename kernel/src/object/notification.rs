//! Notifications (seL4 src/object/notification.c): a 32-byte object holding
//! a word of OR-ed badges, a queue of waiting threads, and an optional bound
//! thread that receives signals while it waits on an endpoint.

use crate::kmem;
use crate::object::endpoint;
use crate::object::queue::TcbQueue;
use crate::object::tcb::{Blocking, Tcb, ThreadState};
use crate::sched;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum NtfnState {
    Idle = 0,
    Waiting = 1,
    Active = 2,
}

/// The object as it sits in memory: the waiting threads (with the state
/// in the queue's state bits), the badge word and the bound thread.
#[repr(C)]
pub struct Notification {
    queue: TcbQueue,
    word: u64,
    bound_tcb: u64,
}

impl Notification {
    pub fn at(paddr: u64) -> &'static mut Notification {
        // SAFETY: `paddr` comes from a notification capability or a TCB's
        // binding: a live, 32-byte aligned notification object.
        unsafe { kmem::object_mut::<Notification>(paddr) }
    }

    pub fn state(&self) -> NtfnState {
        match self.queue.state_bits() {
            1 => NtfnState::Waiting,
            2 => NtfnState::Active,
            _ => NtfnState::Idle,
        }
    }

    pub fn bound_tcb(&self) -> u64 {
        self.bound_tcb
    }

    /// Takes the pending word, leaving the notification idle.
    fn take_word(&mut self) -> u64 {
        let w = self.word;
        self.word = 0;
        self.queue.set(0, 0, NtfnState::Idle as u64);
        w
    }
}

/// seL4 sendSignal.
pub fn send_signal(ptr: u64, badge: u64) {
    let n = Notification::at(ptr);
    match n.state() {
        NtfnState::Idle => {
            let bound = n.bound_tcb;
            if bound != 0 {
                let t = Tcb::at(bound);
                if t.state == ThreadState::BlockedOnReceive {
                    // The bound thread waits on an endpoint: it gets the signal instead.
                    endpoint::cancel_ipc(t);
                    sched::set_state(t, ThreadState::Running);
                    t.frame.rdi = badge;
                    sched::possible_switch_to(t);
                    return;
                }
            }
            n.word = badge;
            n.queue.set_state(NtfnState::Active as u64);
        }
        NtfnState::Waiting => {
            let t = n.queue.pop();
            sched::set_state(t, ThreadState::Running);
            t.frame.rdi = badge;
            sched::possible_switch_to(t);
        }
        NtfnState::Active => n.word |= badge,
    }
}

/// seL4 receiveSignal: Wait (blocking) or Poll.
pub fn receive_signal(thread: &mut Tcb, ptr: u64, blocking: bool) {
    let n = Notification::at(ptr);
    match n.state() {
        NtfnState::Idle | NtfnState::Waiting => {
            if blocking {
                thread.blocking = Blocking { object: ptr, ..Default::default() };
                sched::set_state(thread, ThreadState::BlockedOnNotification);
                n.queue.append(thread, NtfnState::Waiting as u64);
            } else {
                thread.frame.rdi = 0;
            }
        }
        NtfnState::Active => thread.frame.rdi = n.take_word(),
    }
}

/// seL4 completeSignal for a thread about to wait on an endpoint: if its
/// bound notification is active, it receives the word instead.
pub fn try_complete(thread: &mut Tcb) -> bool {
    let n = Notification::at(thread.bound_notification);
    if n.state() != NtfnState::Active {
        return false;
    }
    thread.frame.rdi = n.take_word();
    true
}

/// seL4 cancelSignal: a waiting thread leaves the queue.
pub fn cancel_signal(t: &mut Tcb) {
    Notification::at(t.blocking.object).queue.remove(t);
    sched::set_state(t, ThreadState::Inactive);
}

/// seL4 cancelAllSignals: the notification is going away.
pub fn cancel_all_signals(ptr: u64) {
    let n = Notification::at(ptr);
    if n.state() == NtfnState::Waiting {
        while n.queue.head() != 0 {
            let t = n.queue.pop();
            t.state = ThreadState::Restart;
            sched::enqueue(t);
        }
        sched::reschedule_required();
    }
    n.queue.set(0, 0, NtfnState::Idle as u64);
}

pub fn bind(t: &mut Tcb, ptr: u64) {
    Notification::at(ptr).bound_tcb = t.object();
    t.bound_notification = ptr;
}

pub fn unbind_tcb(t: &mut Tcb) {
    if t.bound_notification != 0 {
        Notification::at(t.bound_notification).bound_tcb = 0;
        t.bound_notification = 0;
    }
}

/// seL4 unbindMaybeNotification: the notification is going away.
pub fn unbind_notification(ptr: u64) {
    let n = Notification::at(ptr);
    if n.bound_tcb != 0 {
        Tcb::at(n.bound_tcb).bound_notification = 0;
        n.bound_tcb = 0;
    }
}
