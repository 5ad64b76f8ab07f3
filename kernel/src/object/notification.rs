//! Notifications (seL4 src/object/notification.c): a 32-byte object holding
//! a word of OR-ed badges, a queue of waiting threads, and an optional bound
//! thread that receives signals while it waits on an endpoint.

use crate::kmem;
use crate::object::endpoint;
use crate::object::tcb::{Blocking, Tcb, ThreadState};
use crate::sched;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum NtfnState {
    Idle = 0,
    Waiting = 1,
    Active = 2,
}

#[repr(C)]
pub struct Notification {
    head_state: u64,
    tail: u64,
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
        match self.head_state & 3 {
            1 => NtfnState::Waiting,
            2 => NtfnState::Active,
            _ => NtfnState::Idle,
        }
    }

    fn head(&self) -> u64 {
        self.head_state & !3
    }

    fn set_queue(&mut self, head: u64, tail: u64, state: NtfnState) {
        self.head_state = head | state as u64;
        self.tail = tail;
    }

    pub fn bound_tcb(&self) -> u64 {
        self.bound_tcb
    }

    fn append(&mut self, t: &mut Tcb) {
        let obj = t.object();
        t.ep_next = 0;
        t.ep_prev = self.tail;
        let head = if self.tail != 0 {
            Tcb::at(self.tail).ep_next = obj;
            self.head()
        } else {
            obj
        };
        self.set_queue(head, obj, NtfnState::Waiting);
    }

    fn remove(&mut self, t: &mut Tcb) {
        let mut head = self.head();
        let mut tail = self.tail;
        if t.ep_prev != 0 {
            Tcb::at(t.ep_prev).ep_next = t.ep_next;
        } else {
            head = t.ep_next;
        }
        if t.ep_next != 0 {
            Tcb::at(t.ep_next).ep_prev = t.ep_prev;
        } else {
            tail = t.ep_prev;
        }
        t.ep_next = 0;
        t.ep_prev = 0;
        let st = if head == 0 { NtfnState::Idle } else { NtfnState::Waiting };
        self.set_queue(head, tail, st);
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
            let head = n.head();
            n.set_queue(head, n.tail, NtfnState::Active);
        }
        NtfnState::Waiting => {
            let t = Tcb::at(n.head());
            n.remove(t);
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
                n.append(thread);
            } else {
                thread.frame.rdi = 0;
            }
        }
        NtfnState::Active => {
            thread.frame.rdi = n.word;
            n.word = 0;
            n.set_queue(0, 0, NtfnState::Idle);
        }
    }
}

/// seL4 completeSignal for a thread about to wait on an endpoint: if its
/// bound notification is active, it receives the word instead.
pub fn try_complete(thread: &mut Tcb) -> bool {
    let n = Notification::at(thread.bound_notification);
    if n.state() != NtfnState::Active {
        return false;
    }
    thread.frame.rdi = n.word;
    n.word = 0;
    n.set_queue(0, 0, NtfnState::Idle);
    true
}

/// seL4 cancelSignal: a waiting thread leaves the queue.
pub fn cancel_signal(t: &mut Tcb) {
    Notification::at(t.blocking.object).remove(t);
    sched::set_state(t, ThreadState::Inactive);
}

/// seL4 cancelAllSignals: the notification is going away.
pub fn cancel_all_signals(ptr: u64) {
    let n = Notification::at(ptr);
    if n.state() == NtfnState::Waiting {
        while n.head() != 0 {
            let t = Tcb::at(n.head());
            n.remove(t);
            t.state = ThreadState::Restart;
            sched::enqueue(t);
        }
        sched::reschedule_required();
    }
    n.set_queue(0, 0, NtfnState::Idle);
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
