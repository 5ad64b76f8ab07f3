//! The dispatcher-object services: events, mutants, semaphores, timers,
//! and the waits on them and on processes and threads (NtWaitFor*,
//! NtSignalAndWaitForSingleObject, NtDelayExecution, NtAlertThread). The
//! rules are the dispatcher's (`ke::dispatcher`); these handlers resolve
//! handles, create the objects in the namespace, deliver the outputs and
//! block or wake threads (`ex::wait`).
//!
//! User APCs (NtQueueApcThread, timer APC routines) run in their thread
//! through ntdll's KiUserApcDispatcher when it waits alertably or calls
//! NtTestAlert (`ex::wait::redirect_to_apc`).

use crate::ex::dispatch::Outcome;
use crate::ex::object::{Body, OwnedAttrs};
use crate::ex::Executive;
use crate::ke::dispatcher::{Dispatcher, EventType, Id, Signalled, WaitType, Wake};
use crate::ob::{ObjectAttrs, ObjectId, Opened, TypeId};
use alloc::vec;
use alloc::vec::Vec;
use nt_abi::consts::*;
use nt_abi::services::pointee;
use nt_abi::status::*;
use nt_abi::types::Handle;
use nt_abi::wire::{args, ObjectAttributesView, OutBuffer, OutRef, Reply};
use nt_abi::NtStatus;

/// Every information class of these objects is class 0 (…BasicInformation).
const BASIC: u32 = 0;

impl Executive {
    /// Creates a dispatcher object (made in the dispatcher by `make`) with
    /// a handle for the caller; an OBJ_OPENIF create of an existing one
    /// opens it instead.
    fn create_dispatcher_object(
        &mut self,
        tid: u64,
        out: OutRef<pointee::Handle>,
        access: u32,
        attrs: Option<ObjectAttributesView>,
        type_id: TypeId,
        make: impl FnOnce(&mut Dispatcher, Id) -> Result<(), NtStatus>,
        reply: &mut Reply,
    ) -> Outcome {
        let id = self.new_id();
        if let Err(e) = make(&mut self.ke, id) {
            return Outcome::Reply(e);
        }
        let owned = attrs.as_ref().map(OwnedAttrs::from_wire);
        let oa = owned.as_ref().map_or(ObjectAttrs::default(), |o| o.attrs());
        let pid = self.caller_pid(tid);
        match self.ob.create_object(Some(pid), &oa, type_id, Body::Dispatcher(id), access) {
            Ok((created, unused)) => {
                if unused.is_some() {
                    let _ = self.ke.delete(id);
                }
                let _ = reply.put(out, &Handle(created.handle.unwrap_or(0)));
                Outcome::Reply(created.status)
            }
            Err((status, _)) => {
                let _ = self.ke.delete(id);
                Outcome::Reply(status)
            }
        }
    }

    /// Opens a named object of `type_id` for the caller (NtOpenEvent and
    /// the other NtOpen* services of typed objects).
    pub fn open_named(
        &mut self,
        tid: u64,
        out: OutRef<pointee::Handle>,
        access: u32,
        attrs: &ObjectAttributesView,
        type_id: TypeId,
        reply: &mut Reply,
    ) -> Outcome {
        let owned = OwnedAttrs::from_wire(attrs);
        let pid = self.caller_pid(tid);
        match self.ob.open_object_by_name(Some(pid), &owned.attrs(), Some(type_id), access) {
            Ok(Opened::Object { handle: Some(h), .. }) => {
                let _ = reply.put(out, &Handle(h));
                Outcome::Reply(STATUS_SUCCESS)
            }
            Ok(Opened::Object { id, .. }) | Ok(Opened::Parse { object: id, .. }) => {
                let gone = self.ob.dereference(id);
                self.destroyed(gone);
                Outcome::Reply(STATUS_OBJECT_TYPE_MISMATCH)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    /// The dispatcher id behind a handle of `type_id` with `access`.
    fn dispatcher_id(&self, tid: u64, h: Handle, access: u32, type_id: TypeId) -> Result<Id, NtStatus> {
        if h.is_pseudo() {
            return Err(STATUS_OBJECT_TYPE_MISMATCH);
        }
        let info = self.ob.lookup_handle(self.caller_pid(tid), h.0, access, Some(type_id))?;
        match self.ob.body(info.object) {
            Some(Body::Dispatcher(id)) => Ok(*id),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    /// A handle to wait on: its dispatcher id and its object (SYNCHRONIZE).
    fn waitable(&self, tid: u64, h: Handle) -> Result<(Id, ObjectId), NtStatus> {
        let pid = self.caller_pid(tid);
        if h == Handle::CURRENT_PROCESS {
            return self.object_of_process(pid).map(|o| (pid, o)).ok_or(STATUS_INVALID_HANDLE);
        }
        if h == Handle::CURRENT_THREAD {
            return self.object_of_thread(tid).map(|o| (tid, o)).ok_or(STATUS_INVALID_HANDLE);
        }
        let info = self.ob.lookup_handle(pid, h.0, SYNCHRONIZE, None)?;
        match self.ob.body(info.object) {
            Some(Body::Process(p)) => Ok((*p, info.object)),
            Some(Body::Thread(t)) => Ok((*t, info.object)),
            Some(Body::Dispatcher(id)) => Ok((*id, info.object)),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    /// The end of a wait request: answered now (running a user APC first
    /// when there is one), or the caller blocks.
    fn waited(&mut self, tid: u64, r: Result<Option<Wake>, NtStatus>, objects: Vec<ObjectId>) -> Outcome {
        match r {
            Ok(Some(Wake { apc: Some(apc), status, .. })) => match self.redirect_to_apc(tid, apc, status, true) {
                Ok(()) => Outcome::NoReply,
                Err(_) => Outcome::Reply(status),
            },
            Ok(Some(w)) => Outcome::Reply(w.status),
            Ok(None) => match self.block(tid, objects) {
                Ok(()) => Outcome::NoReply,
                Err(e) => Outcome::Reply(e),
            },
            Err(e) => Outcome::Reply(e),
        }
    }

    /// The end of a signalling service: the previous state out, the woken
    /// threads answered.
    fn signalled(&mut self, r: Result<Signalled, NtStatus>, previous: Option<OutRef<pointee::I32>>, reply: &mut Reply) -> Outcome {
        match r {
            Ok(s) => {
                if let Some(p) = previous {
                    let _ = reply.put(p, &s.previous);
                }
                self.wake(s.wakes);
                Outcome::Reply(STATUS_SUCCESS)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    /// A basic-information query: the class, then the exact length.
    fn basic_info(&mut self, tid: u64, class: u32, length: u32, bytes: &[u8], ret: Option<OutRef<pointee::U32>>, out: &OutBuffer, reply: &mut Reply) -> Outcome {
        if class != BASIC {
            return Outcome::Reply(STATUS_INVALID_INFO_CLASS);
        }
        if length as usize != bytes.len() {
            return Outcome::Reply(STATUS_INFO_LENGTH_MISMATCH);
        }
        let st = self.put_out(tid, out, bytes, reply);
        if st == STATUS_SUCCESS {
            if let Some(r) = ret {
                let _ = reply.put(r, &(bytes.len() as u32));
            }
        }
        Outcome::Reply(st)
    }

    // ----- Events -----

    pub fn nt_create_event(&mut self, tid: u64, a: args::NtCreateEvent, reply: &mut Reply) -> Outcome {
        let kind = match EventType::from_raw(a.event_type) {
            Ok(k) => k,
            Err(e) => return Outcome::Reply(e),
        };
        let state = a.initial_state;
        self.create_dispatcher_object(tid, a.event_handle, a.desired_access, a.object_attributes, TypeId::EVENT, |ke, id| ke.create_event(id, kind, state), reply)
    }

    pub fn nt_open_event(&mut self, tid: u64, a: args::NtOpenEvent, reply: &mut Reply) -> Outcome {
        self.open_named(tid, a.event_handle, a.desired_access, &a.object_attributes, TypeId::EVENT, reply)
    }

    /// NtSetEvent, NtResetEvent, NtPulseEvent, NtClearEvent.
    pub fn nt_event_signal(&mut self, tid: u64, h: Handle, op: EventOp, previous: Option<OutRef<pointee::I32>>, reply: &mut Reply) -> Outcome {
        let id = match self.dispatcher_id(tid, h, EVENT_MODIFY_STATE, TypeId::EVENT) {
            Ok(id) => id,
            Err(e) => return Outcome::Reply(e),
        };
        let r = match op {
            EventOp::Set => self.ke.set_event(id),
            EventOp::Pulse => self.ke.pulse_event(id),
            EventOp::Reset => self.ke.reset_event(id).map(|previous| Signalled { previous, wakes: Vec::new() }),
        };
        self.signalled(r, previous, reply)
    }

    pub fn nt_query_event(&mut self, tid: u64, a: args::NtQueryEvent, reply: &mut Reply) -> Outcome {
        let r = self.dispatcher_id(tid, a.event_handle, EVENT_QUERY_STATE, TypeId::EVENT).and_then(|id| self.ke.query_event(id));
        match r {
            Ok((kind, state)) => {
                let mut b = [0u8; 8];
                b[..4].copy_from_slice(&(kind as u32).to_le_bytes());
                b[4..].copy_from_slice(&(state as i32).to_le_bytes());
                self.basic_info(tid, a.event_information_class, a.event_information_length, &b, a.return_length, &a.event_information, reply)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    // ----- Mutants -----

    pub fn nt_create_mutant(&mut self, tid: u64, a: args::NtCreateMutant, reply: &mut Reply) -> Outcome {
        let owner = a.initial_owner.then_some(tid);
        self.create_dispatcher_object(tid, a.mutant_handle, a.desired_access, a.object_attributes, TypeId::MUTANT, |ke, id| ke.create_mutant(id, owner), reply)
    }

    pub fn nt_open_mutant(&mut self, tid: u64, a: args::NtOpenMutant, reply: &mut Reply) -> Outcome {
        self.open_named(tid, a.mutant_handle, a.desired_access, &a.object_attributes, TypeId::MUTANT, reply)
    }

    pub fn nt_release_mutant(&mut self, tid: u64, a: args::NtReleaseMutant, reply: &mut Reply) -> Outcome {
        // Releasing needs no access right (ExMutantObjectType, access 0).
        let r = self.dispatcher_id(tid, a.mutant_handle, 0, TypeId::MUTANT).and_then(|id| self.ke.release_mutant(id, tid));
        self.signalled(r, a.previous_count, reply)
    }

    pub fn nt_query_mutant(&mut self, tid: u64, a: args::NtQueryMutant, reply: &mut Reply) -> Outcome {
        let r = self.dispatcher_id(tid, a.mutant_handle, MUTANT_QUERY_STATE, TypeId::MUTANT).and_then(|id| self.ke.query_mutant(id, tid));
        match r {
            Ok(m) => {
                let mut b = [0u8; 8];
                b[..4].copy_from_slice(&m.current_count.to_le_bytes());
                b[4] = m.owned_by_caller as u8;
                b[5] = m.abandoned as u8;
                self.basic_info(tid, a.mutant_information_class, a.mutant_information_length, &b, a.return_length, &a.mutant_information, reply)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    // ----- Semaphores -----

    pub fn nt_create_semaphore(&mut self, tid: u64, a: args::NtCreateSemaphore, reply: &mut Reply) -> Outcome {
        let (initial, maximum) = (a.initial_count, a.maximum_count);
        self.create_dispatcher_object(tid, a.semaphore_handle, a.desired_access, a.object_attributes, TypeId::SEMAPHORE, |ke, id| ke.create_semaphore(id, initial, maximum), reply)
    }

    pub fn nt_open_semaphore(&mut self, tid: u64, a: args::NtOpenSemaphore, reply: &mut Reply) -> Outcome {
        self.open_named(tid, a.semaphore_handle, a.desired_access, &a.object_attributes, TypeId::SEMAPHORE, reply)
    }

    pub fn nt_release_semaphore(&mut self, tid: u64, a: args::NtReleaseSemaphore, reply: &mut Reply) -> Outcome {
        let r = self
            .dispatcher_id(tid, a.semaphore_handle, SEMAPHORE_MODIFY_STATE, TypeId::SEMAPHORE)
            .and_then(|id| self.ke.release_semaphore(id, a.release_count));
        self.signalled(r, a.previous_count, reply)
    }

    pub fn nt_query_semaphore(&mut self, tid: u64, a: args::NtQuerySemaphore, reply: &mut Reply) -> Outcome {
        let r = self.dispatcher_id(tid, a.semaphore_handle, SEMAPHORE_QUERY_STATE, TypeId::SEMAPHORE).and_then(|id| self.ke.query_semaphore(id));
        match r {
            Ok((count, max)) => {
                let mut b = [0u8; 8];
                b[..4].copy_from_slice(&count.to_le_bytes());
                b[4..].copy_from_slice(&max.to_le_bytes());
                self.basic_info(tid, a.semaphore_information_class, a.semaphore_information_length, &b, a.return_length, &a.semaphore_information, reply)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    // ----- Timers -----

    pub fn nt_create_timer(&mut self, tid: u64, a: args::NtCreateTimer, reply: &mut Reply) -> Outcome {
        // NtCreateTimer names the argument: STATUS_INVALID_PARAMETER_4 (the
        // WRK's ex/timer.c), where NtCreateEvent says INVALID_PARAMETER.
        let kind = match EventType::from_raw(a.timer_type) {
            Ok(k) => k,
            Err(_) => return Outcome::Reply(STATUS_INVALID_PARAMETER_4),
        };
        self.create_dispatcher_object(tid, a.timer_handle, a.desired_access, a.object_attributes, TypeId::TIMER, |ke, id| ke.create_timer(id, kind), reply)
    }

    pub fn nt_open_timer(&mut self, tid: u64, a: args::NtOpenTimer, reply: &mut Reply) -> Outcome {
        self.open_named(tid, a.timer_handle, a.desired_access, &a.object_attributes, TypeId::TIMER, reply)
    }

    pub fn nt_set_timer(&mut self, tid: u64, a: args::NtSetTimer, reply: &mut Reply) -> Outcome {
        let id = match self.dispatcher_id(tid, a.timer_handle, TIMER_MODIFY_STATE, TypeId::TIMER) {
            Ok(id) => id,
            Err(e) => return Outcome::Reply(e),
        };
        self.advance_clock();
        let apc = (a.timer_apc_routine != 0).then_some((a.timer_apc_routine, a.timer_context));
        match self.ke.set_timer(id, tid, a.due_time.get(), a.period, apc) {
            Ok(s) => {
                if let Some(p) = a.previous_state {
                    let _ = reply.put(p, &(s.previous != 0));
                }
                self.wake(s.wakes);
                Outcome::Reply(STATUS_SUCCESS)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    pub fn nt_cancel_timer(&mut self, tid: u64, a: args::NtCancelTimer, reply: &mut Reply) -> Outcome {
        let r = self.dispatcher_id(tid, a.timer_handle, TIMER_MODIFY_STATE, TypeId::TIMER).and_then(|id| self.ke.cancel_timer(id));
        match r {
            Ok(state) => {
                if let Some(c) = a.current_state {
                    let _ = reply.put(c, &state);
                }
                Outcome::Reply(STATUS_SUCCESS)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    pub fn nt_query_timer(&mut self, tid: u64, a: args::NtQueryTimer, reply: &mut Reply) -> Outcome {
        self.advance_clock();
        let r = self.dispatcher_id(tid, a.timer_handle, TIMER_QUERY_STATE, TypeId::TIMER).and_then(|id| self.ke.query_timer(id));
        match r {
            Ok(t) => {
                let mut b = [0u8; 0x10];
                b[..8].copy_from_slice(&t.remaining.to_le_bytes());
                b[8] = t.signalled as u8;
                self.basic_info(tid, a.timer_information_class, a.timer_information_length, &b, a.return_length, &a.timer_information, reply)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    // ----- Waits -----

    pub fn nt_wait_for_single_object(&mut self, tid: u64, a: args::NtWaitForSingleObject) -> Outcome {
        let (id, object) = match self.waitable(tid, a.handle) {
            Ok(w) => w,
            Err(e) => return Outcome::Reply(e),
        };
        self.advance_clock();
        let r = self.ke.wait(tid, &[id], WaitType::Any, a.alertable, a.timeout.map(|t| t.get()));
        self.waited(tid, r, vec![object])
    }

    pub fn nt_wait_for_multiple_objects(&mut self, tid: u64, a: args::NtWaitForMultipleObjects) -> Outcome {
        if a.count == 0 || a.count as usize > crate::ke::dispatcher::MAXIMUM_WAIT_OBJECTS {
            return Outcome::Reply(STATUS_INVALID_PARAMETER_1);
        }
        let kind = match WaitType::from_raw(a.wait_type) {
            Ok(k) => k,
            Err(e) => return Outcome::Reply(e),
        };
        let handles: Vec<Handle> = match a.handles.iter() {
            Some(it) => it.collect(),
            None => match self.get_in(tid, &a.handles.buffer) {
                Ok(bytes) => bytes.chunks_exact(8).map(|c| Handle(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))).collect(),
                Err(e) => return Outcome::Reply(e),
            },
        };
        let mut ids = Vec::with_capacity(handles.len());
        let mut objects = Vec::with_capacity(handles.len());
        for h in handles {
            match self.waitable(tid, h) {
                Ok((id, o)) => {
                    ids.push(id);
                    objects.push(o);
                }
                Err(e) => return Outcome::Reply(e),
            }
        }
        self.advance_clock();
        let r = self.ke.wait(tid, &ids, kind, a.alertable, a.timeout.map(|t| t.get()));
        self.waited(tid, r, objects)
    }

    pub fn nt_signal_and_wait_for_single_object(&mut self, tid: u64, a: args::NtSignalAndWaitForSingleObject) -> Outcome {
        let signal = match self.waitable(tid, a.signal_handle) {
            Ok((id, _)) => id,
            Err(e) => return Outcome::Reply(e),
        };
        let (wait, object) = match self.waitable(tid, a.wait_handle) {
            Ok(w) => w,
            Err(e) => return Outcome::Reply(e),
        };
        self.advance_clock();
        match self.ke.signal_and_wait(tid, signal, wait, a.alertable, a.timeout.map(|t| t.get())) {
            Ok((signalled, own)) => {
                self.wake(signalled.wakes);
                self.waited(tid, Ok(own), vec![object])
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    pub fn nt_delay_execution(&mut self, tid: u64, a: args::NtDelayExecution) -> Outcome {
        self.advance_clock();
        let r = self.ke.delay(tid, a.alertable, a.delay_interval.get());
        self.waited(tid, r, Vec::new())
    }

    pub fn nt_alert_thread(&mut self, tid: u64, a: args::NtAlertThread) -> Outcome {
        let r = self.thread_for(tid, a.thread_handle, THREAD_ALERT).and_then(|t| self.ke.alert_thread(t));
        match r {
            Ok(w) => {
                self.wake(w.into_iter().collect());
                Outcome::Reply(STATUS_SUCCESS)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    /// NtTestAlert: a pending user APC runs (the call returns
    /// STATUS_USER_APC after it; None: no reply, the thread was redirected),
    /// else STATUS_ALERTED (the alert cleared) when the thread was alerted.
    pub fn nt_test_alert(&mut self, tid: u64) -> Option<NtStatus> {
        match self.ke.test_alert(tid) {
            Ok((status, Some(apc))) => match self.redirect_to_apc(tid, apc, status, true) {
                Ok(()) => None,
                Err(_) => Some(status),
            },
            Ok((status, None)) => Some(status),
            Err(e) => Some(e),
        }
    }

    /// NtQueueApcThread: the routine runs in the thread the next time it
    /// waits alertably or calls NtTestAlert (at once if it waits so now).
    pub fn nt_queue_apc_thread(&mut self, tid: u64, a: args::NtQueueApcThread) -> Outcome {
        let target = match self.thread_for(tid, a.thread_handle, THREAD_SET_CONTEXT) {
            Ok(t) => t,
            Err(e) => return Outcome::Reply(e),
        };
        if !self.threads.get(&target).is_some_and(|t| t.alive()) {
            return Outcome::Reply(STATUS_UNSUCCESSFUL);
        }
        let apc = crate::ke::dispatcher::UserApc { routine: a.apc_routine, args: [a.apc_argument1, a.apc_argument2, a.apc_argument3] };
        match self.ke.queue_apc(target, apc) {
            Ok(w) => {
                self.wake(w.into_iter().collect());
                Outcome::Reply(STATUS_SUCCESS)
            }
            Err(e) => Outcome::Reply(e),
        }
    }
}

/// The state changes of NtSetEvent, NtPulseEvent and NtResetEvent /
/// NtClearEvent.
#[derive(Clone, Copy)]
pub enum EventOp {
    Set,
    Pulse,
    Reset,
}
