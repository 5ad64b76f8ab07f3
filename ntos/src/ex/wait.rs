//! Waiting in the Executive: a service that blocks (a wait, a delay) keeps
//! its caller's reply cap in a slot (seL4 SaveCaller) and answers later,
//! when the dispatcher (`ke::dispatcher`) says the wait is over. The
//! objects a blocked thread waits on are referenced so they outlive their
//! handles. The clock tick advances the dispatcher's clock, which ends
//! timeouts and fires timers.
//!
//! A user APC is delivered to a thread stopped in a system call (a wait
//! that ends with STATUS_USER_APC, NtTestAlert, NtContinue): its state at
//! the system call's return becomes a CONTEXT on its stack, and it resumes
//! at ntdll's KiUserApcDispatcher, which runs the APC and NtContinues
//! (`ntdll/src/ki.rs` describes the frame).

use super::Executive;
use crate::ke::dispatcher::{UserApc, Wake};
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
            if let Some(apc) = w.apc {
                // If the APC cannot be set up, the wait still ends.
                let _ = self.redirect_to_apc(w.thread, apc, w.status, false);
            }
            // A Send on an empty slot would fault the Executive itself; a
            // reply cap the kernel took back (nothing here should cause
            // that) just means there is nobody to answer.
            if sel4::debug_cap_identify(b.reply) != 0 {
                let mut regs = MsgRegs::default();
                sel4::sys_send(b.reply, MessageInfo::new(w.status.0 as u64, 0, 0, 0), &mut regs);
            }
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

    /// Sends thread `tid`, stopped in a system call that is to return
    /// `status`, to KiUserApcDispatcher for `apc`. With `restart` the
    /// thread (the current caller, whose reply the Executive will not send)
    /// starts at once; without, it starts when its saved reply is sent.
    pub fn redirect_to_apc(&mut self, tid: u64, apc: UserApc, status: NtStatus, restart: bool) -> Result<(), NtStatus> {
        let t = self.threads.get(&tid).filter(|t| t.alive()).ok_or(STATUS_THREAD_IS_TERMINATING)?;
        let words = sel4::abi::USER_CONTEXT_WORDS as u64;
        let mut regs = sel4::Tcb(t.tcb).read_registers(false, 0, words).map_err(|_| STATUS_UNSUCCESSFUL)?;
        // seL4 reports the `syscall` instruction; the call returns after it,
        // as if the reply had come: no badge, an empty message whose label
        // is the status (what the service stub reads).
        regs.rip += 2;
        regs.rdi = 0;
        regs.rsi = MessageInfo::new(status.0 as u64, 0, 0, 0).word();
        self.enter_apc(tid, regs, apc, restart)
    }

    /// Saves `resume` (the state the thread returns to) as a CONTEXT on
    /// the thread's stack with `apc` in its home words, and points the
    /// thread at KiUserApcDispatcher.
    fn enter_apc(&mut self, tid: u64, mut resume: sel4::UserContext, apc: UserApc, restart: bool) -> Result<(), NtStatus> {
        use core::mem::offset_of;
        use nt_abi::consts::{CONTEXT_CONTROL, CONTEXT_INTEGER, CONTEXT_SEGMENTS};
        use nt_abi::types::Context;
        let t = self.threads.get(&tid).filter(|t| t.alive()).ok_or(STATUS_THREAD_IS_TERMINATING)?;
        let (tcb, pid) = (sel4::Tcb(t.tcb), t.pid);
        let mut template = [0u8; 0x40];
        let flags = CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_SEGMENTS;
        template[offset_of!(Context, context_flags)..][..4].copy_from_slice(&flags.to_le_bytes());
        let mut ctx = crate::ps::services::context_from_registers(&template, &resume);
        let home = [apc.args[0], apc.args[1], apc.args[2], apc.routine];
        for (i, v) in home.iter().enumerate() {
            ctx[offset_of!(Context, p1_home) + 8 * i..][..8].copy_from_slice(&v.to_le_bytes());
        }
        let p = self.processes.get_mut(&pid).filter(|p| p.alive()).ok_or(STATUS_PROCESS_IS_TERMINATING)?;
        if p.apc_dispatcher == 0 {
            return Err(STATUS_NOT_IMPLEMENTED);
        }
        // Below the interrupted frame (no red zone on Win64, but a margin
        // costs nothing), 16-byte aligned as the dispatcher expects.
        let frame = resume.rsp.checked_sub(ctx.len() as u64 + 0x80).ok_or(STATUS_ACCESS_VIOLATION)? & !0xF;
        p.write(&mut self.mem, frame, &ctx, true)?;
        resume.rip = p.apc_dispatcher;
        resume.rsp = frame;
        let words = sel4::abi::USER_CONTEXT_WORDS as u64;
        tcb.write_registers(restart, 0, words, &resume).map_err(|_| STATUS_UNSUCCESSFUL)
    }

    /// NtContinue: the caller resumes at `context` (its control and integer
    /// registers); with `test_alert`, the next pending user APC runs first.
    /// Never answered: the thread restarts at the new state.
    pub fn nt_continue(&mut self, tid: u64, context: &[u8], test_alert: bool) -> super::dispatch::Outcome {
        use super::dispatch::Outcome;
        let Some(t) = self.threads.get(&tid) else { return Outcome::NoReply };
        let tcb = sel4::Tcb(t.tcb);
        let words = sel4::abi::USER_CONTEXT_WORDS as u64;
        let Ok(mut regs) = tcb.read_registers(false, 0, words) else { return Outcome::Reply(STATUS_UNSUCCESSFUL) };
        match crate::ps::services::registers_from_context(context, &mut regs) {
            // Without CONTEXT_CONTROL there is nowhere to continue to.
            Ok(false) => return Outcome::Reply(STATUS_INVALID_PARAMETER),
            Ok(true) => {}
            Err(e) => return Outcome::Reply(e),
        }
        if test_alert {
            if let Ok((_, Some(apc))) = self.ke.test_alert(tid) {
                if self.enter_apc(tid, regs, apc, true).is_ok() {
                    return Outcome::NoReply;
                }
            }
        }
        match tcb.write_registers(true, 0, words, &regs) {
            Ok(()) => Outcome::NoReply,
            Err(_) => Outcome::Reply(STATUS_UNSUCCESSFUL),
        }
    }
}
