//! The thread queue endpoints and notifications share: a FIFO of TCBs linked
//! through their `ep_next`/`ep_prev`, whose head word also carries the
//! owner's 2-bit state (TCB objects are 2 KiB aligned, so the low bits of a
//! TCB address are free). An emptied queue drops back to state 0 (idle).

use crate::object::tcb::Tcb;

#[repr(C)]
pub struct TcbQueue {
    head_state: u64,
    tail: u64,
}

impl TcbQueue {
    /// The owner's state bits.
    #[inline(always)]
    pub fn state_bits(&self) -> u64 {
        self.head_state & 3
    }

    /// The first thread's TCB object (0: empty).
    #[inline(always)]
    pub fn head(&self) -> u64 {
        self.head_state & !3
    }

    /// Sets the whole queue and state (0/0 empties it).
    #[inline(always)]
    pub fn set(&mut self, head: u64, tail: u64, state: u64) {
        self.head_state = head | state;
        self.tail = tail;
    }

    /// Sets the state, keeping the queue.
    #[inline(always)]
    pub fn set_state(&mut self, state: u64) {
        self.head_state = self.head() | state;
    }

    /// Appends `t` (seL4 tcbEPAppend) and sets the state.
    #[inline(always)]
    pub fn append(&mut self, t: &mut Tcb, state: u64) {
        let obj = t.object();
        t.ep_next = 0;
        t.ep_prev = self.tail;
        let head = if self.tail != 0 {
            Tcb::at(self.tail).ep_next = obj;
            self.head()
        } else {
            obj
        };
        self.set(head, obj, state);
    }

    /// Removes `t` (seL4 tcbEPDequeue); an emptied queue becomes idle.
    #[inline(always)]
    pub fn remove(&mut self, t: &mut Tcb) {
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
        let state = if head == 0 { 0 } else { self.state_bits() };
        self.set(head, tail, state);
    }

    /// Removes and returns the first thread (the queue must not be empty).
    pub fn pop(&mut self) -> &'static mut Tcb {
        let t = Tcb::at(self.head());
        self.remove(t);
        t
    }
}
