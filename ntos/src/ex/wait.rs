//! Waiting in the Executive: a service that blocks (a wait, a delay) keeps
//! its caller's reply cap in a slot (seL4 SaveCaller) and answers later,
//! when the dispatcher (`ke::dispatcher`) says the wait is over. The
//! objects a blocked thread waits on are referenced so they outlive their
//! handles. The clock tick advances the dispatcher's clock, which ends
//! timeouts and fires timers.

use super::Executive;
use crate::ke::dispatcher::Wake;
use crate::ob::ObjectId;
use alloc::vec::Vec;
use nt_abi::status::*;
use nt_abi::NtStatus;
use sel4::abi::{cap, MessageInfo};
use sel4::{CNode, CPtr, MsgRegs};

/// A blocked thread: where its reply waits, and the objects it holds.
pub struct Blocked {
    reply: CPtr,
    objects: Vec<ObjectId>,
}

impl Executive {
    /// Blocks the calling thread `tid` until `complete`: its reply moves
    /// to a slot (so the Executive can take the next call), and `objects`
    /// are referenced until then.
    pub fn block(&mut self, tid: u64, objects: Vec<ObjectId>) -> Result<(), NtStatus> {
        let slot = self.mem.slot().map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
        if CNode(cap::INIT_THREAD_CNODE).save_caller(slot, 64).is_err() {
            self.mem.free_slot(slot);
            return Err(STATUS_INTERNAL_ERROR);
        }
        for o in &objects {
            let _ = self.ob.reference(*o);
        }
        self.blocked.insert(tid, Blocked { reply: slot, objects });
        Ok(())
    }

    /// Is `tid` blocked in a wait?
    pub fn is_blocked(&self, tid: u64) -> bool {
        self.blocked.contains_key(&tid)
    }

    /// Forgets a blocked thread's wait (it ended): the reply goes unsent.
    pub fn unblock(&mut self, tid: u64) {
        if let Some(b) = self.blocked.remove(&tid) {
            self.mem.free_slot(b.reply);
            self.release_objects(b.objects);
        }
    }

    fn release_objects(&mut self, objects: Vec<ObjectId>) {
        for o in objects {
            let gone = self.ob.dereference(o);
            self.destroyed(gone);
        }
    }

    /// Answers the blocked threads whose waits the dispatcher ended. A
    /// thread suspended while it waited takes its result and stops before
    /// running (it runs below the Executive).
    pub fn wake(&mut self, wakes: Vec<Wake>) {
        for w in wakes {
            let Some(b) = self.blocked.remove(&w.thread) else { continue };
            let mut regs = MsgRegs::default();
            sel4::sys_send(b.reply, MessageInfo::new(w.status.0 as u64, 0, 0, 0), &mut regs);
            self.mem.free_slot(b.reply);
            self.release_objects(b.objects);
            if let Some(t) = self.threads.get(&w.thread) {
                if t.suspend_count > 0 {
                    let _ = sel4::Tcb(t.tcb).suspend();
                }
            }
        }
    }

    /// Brings the dispatcher's clock to now, answering the waits that
    /// timed out (timers that fired have signalled their waiters too).
    pub fn advance_clock(&mut self) {
        let expired = self.ke.advance(self.clock.now());
        self.wake(expired.wakes);
    }
}
