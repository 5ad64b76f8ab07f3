//! The dispatcher objects' own operations: creation and deletion, the
//! event/mutant/semaphore/timer services and queries, user APCs and
//! alerts, and the end of threads and processes.

use super::*;

impl Dispatcher {
    fn insert(&mut self, id: Id, kind: Kind) -> Result<(), NtStatus> {
        if self.objects.contains_key(&id) {
            return Err(STATUS_INTERNAL_ERROR);
        }
        self.objects.insert(
            id,
            Object {
                kind,
                waiters: VecDeque::new(),
            },
        );
        Ok(())
    }

    /// NtCreateEvent's kernel half.
    pub fn create_event(
        &mut self,
        id: Id,
        kind: EventType,
        signalled: bool,
    ) -> Result<(), NtStatus> {
        self.insert(id, Kind::Event { kind, signalled })
    }

    /// NtCreateMutant: free, or owned once by `owner` (the creating
    /// thread, for InitialOwner = TRUE).
    pub fn create_mutant(&mut self, id: Id, owner: Option<Id>) -> Result<(), NtStatus> {
        if let Some(t) = owner {
            self.running_thread(t)?;
        }
        self.insert(
            id,
            Kind::Mutant {
                owner,
                count: owner.is_some() as u32,
                abandoned: false,
            },
        )?;
        if let Some(t) = owner {
            self.thread_mut(t)?.owned.push(id);
        }
        Ok(())
    }

    /// NtCreateSemaphore: STATUS_INVALID_PARAMETER unless 0 <= initial <=
    /// limit and limit > 0.
    pub fn create_semaphore(&mut self, id: Id, initial: i32, limit: i32) -> Result<(), NtStatus> {
        if limit <= 0 || initial < 0 || initial > limit {
            return Err(STATUS_INVALID_PARAMETER);
        }
        self.insert(
            id,
            Kind::Semaphore {
                count: initial,
                limit,
            },
        )
    }

    /// NtCreateTimer: not set, not signalled.
    pub fn create_timer(&mut self, id: Id, kind: TimerType) -> Result<(), NtStatus> {
        self.insert(
            id,
            Kind::Timer(Timer {
                kind,
                signalled: false,
                due: None,
                period: 0,
                apc: None,
            }),
        )
    }

    /// A process object, signalled when [`Dispatcher::end_process`] ends it.
    pub fn create_process(&mut self, id: Id) -> Result<(), NtStatus> {
        self.insert(
            id,
            Kind::Process {
                ended: false,
                threads: Vec::new(),
            },
        )
    }

    /// A thread of `process`, signalled when it ends.
    pub fn create_thread(&mut self, id: Id, process: Id) -> Result<(), NtStatus> {
        match &self.object(process)?.kind {
            Kind::Process { ended: false, .. } => {}
            Kind::Process { .. } => return Err(STATUS_PROCESS_IS_TERMINATING),
            _ => return Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
        let t = Thread {
            process,
            ended: false,
            wait: None,
            owned: Vec::new(),
            apcs: VecDeque::new(),
            alerted: false,
        };
        self.insert(id, Kind::Thread(t))?;
        if let Kind::Process { threads, .. } = &mut self.object_mut(process)?.kind {
            threads.push(id);
        }
        Ok(())
    }

    /// The object's last reference went. Waits hold references, so an
    /// object with waiters, a live thread or a live process is the
    /// caller's bug (STATUS_INTERNAL_ERROR). An owned mutant leaves its
    /// owner's list; a timer is cancelled with its queued APC.
    pub fn delete(&mut self, id: Id) -> Result<(), NtStatus> {
        let o = self.object(id)?;
        let busy = !o.waiters.is_empty()
            || matches!(
                o.kind,
                Kind::Thread(Thread { ended: false, .. }) | Kind::Process { ended: false, .. }
            );
        if busy {
            return Err(STATUS_INTERNAL_ERROR);
        }
        match &o.kind {
            Kind::Mutant { owner: Some(t), .. } => {
                let t = *t;
                if let Ok(t) = self.thread_mut(t) {
                    t.owned.retain(|&m| m != id);
                }
            }
            Kind::Timer(_) => self.cancel_timer(id).map(|_| ())?,
            Kind::Thread(t) => {
                let p = t.process;
                if let Some(Kind::Process { threads, .. }) =
                    self.objects.get_mut(&p).map(|o| &mut o.kind)
                {
                    threads.retain(|&x| x != id);
                }
            }
            _ => {}
        }
        self.objects.remove(&id);
        Ok(())
    }

    fn event_mut(&mut self, id: Id) -> Result<&mut bool, NtStatus> {
        match &mut self.object_mut(id)?.kind {
            Kind::Event { signalled, .. } => Ok(signalled),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    /// NtSetEvent: signals it and satisfies waits (a synchronization event
    /// satisfies one and is reset by it). `previous` is the old state.
    pub fn set_event(&mut self, id: Id) -> Result<Signalled, NtStatus> {
        let previous = core::mem::replace(self.event_mut(id)?, true) as i32;
        let mut wakes = Vec::new();
        self.wait_test(id, &mut wakes);
        Ok(Signalled { previous, wakes })
    }

    /// NtResetEvent (and NtClearEvent, which drops the result): the
    /// previous state.
    pub fn reset_event(&mut self, id: Id) -> Result<i32, NtStatus> {
        Ok(core::mem::replace(self.event_mut(id)?, false) as i32)
    }

    /// NtPulseEvent: signals it long enough to satisfy the waits it can
    /// (every waiter of a notification event, one of a synchronization
    /// event), then leaves it unsignalled.
    pub fn pulse_event(&mut self, id: Id) -> Result<Signalled, NtStatus> {
        let s = self.set_event(id)?;
        *self.event_mut(id)? = false;
        Ok(s)
    }

    /// NtQueryEvent: type and state.
    pub fn query_event(&self, id: Id) -> Result<(EventType, bool), NtStatus> {
        match &self.object(id)?.kind {
            Kind::Event { kind, signalled } => Ok((*kind, *signalled)),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    /// NtReleaseMutant by `thread` (ke/mutex.c): only the owner may release
    /// (else STATUS_ABANDONED while abandoned and unowned,
    /// STATUS_MUTANT_NOT_OWNED otherwise). `previous` is the old signal
    /// state (0 for a single ownership); the last release frees it and
    /// satisfies waits.
    pub fn release_mutant(&mut self, id: Id, thread: Id) -> Result<Signalled, NtStatus> {
        let (previous, freed) = match &mut self.object_mut(id)?.kind {
            Kind::Mutant {
                owner,
                count,
                abandoned,
            } => {
                if *owner != Some(thread) {
                    return Err(if *abandoned {
                        STATUS_ABANDONED
                    } else {
                        STATUS_MUTANT_NOT_OWNED
                    });
                }
                let previous = 1 - *count as i64;
                *count -= 1;
                if *count == 0 {
                    *owner = None;
                }
                (previous as i32, *count == 0)
            }
            _ => return Err(STATUS_OBJECT_TYPE_MISMATCH),
        };
        let mut wakes = Vec::new();
        if freed {
            self.thread_mut(thread)?.owned.retain(|&m| m != id);
            self.wait_test(id, &mut wakes);
        }
        Ok(Signalled { previous, wakes })
    }

    /// NtQueryMutant, asked by `caller`.
    pub fn query_mutant(&self, id: Id, caller: Id) -> Result<MutantInfo, NtStatus> {
        match &self.object(id)?.kind {
            Kind::Mutant {
                owner,
                count,
                abandoned,
            } => Ok(MutantInfo {
                current_count: (1 - *count as i64) as i32,
                owned_by_caller: *owner == Some(caller),
                abandoned: *abandoned,
            }),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    /// NtReleaseSemaphore: `release` must be positive
    /// (STATUS_INVALID_PARAMETER) and keep the count within the limit
    /// (STATUS_SEMAPHORE_LIMIT_EXCEEDED, nothing changes). `previous` is the
    /// old count.
    pub fn release_semaphore(&mut self, id: Id, release: i32) -> Result<Signalled, NtStatus> {
        let previous = match &mut self.object_mut(id)?.kind {
            Kind::Semaphore { count, limit } => {
                if release <= 0 {
                    return Err(STATUS_INVALID_PARAMETER);
                }
                match count.checked_add(release) {
                    Some(n) if n <= *limit => core::mem::replace(count, n),
                    _ => return Err(STATUS_SEMAPHORE_LIMIT_EXCEEDED),
                }
            }
            _ => return Err(STATUS_OBJECT_TYPE_MISMATCH),
        };
        let mut wakes = Vec::new();
        self.wait_test(id, &mut wakes);
        Ok(Signalled { previous, wakes })
    }

    /// NtQuerySemaphore: (count, limit).
    pub fn query_semaphore(&self, id: Id) -> Result<(i32, i32), NtStatus> {
        match &self.object(id)?.kind {
            Kind::Semaphore { count, limit } => Ok((*count, *limit)),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    fn timer_mut(&mut self, id: Id) -> Result<&mut Timer, NtStatus> {
        match &mut self.object_mut(id)?.kind {
            Kind::Timer(t) => Ok(t),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    /// NtCancelTimer: takes the timer out of the queue and its APC out of
    /// the setter's queue; the state is kept and returned.
    pub fn cancel_timer(&mut self, id: Id) -> Result<bool, NtStatus> {
        let t = self.timer_mut(id)?;
        let (due, apc, state) = (t.due.take(), t.apc.take(), t.signalled);
        if let Some(k) = due {
            self.queue.remove(&k);
        }
        if let Some(a) = apc {
            if let Ok(th) = self.thread_mut(a.thread) {
                th.apcs.retain(|q| q.timer != Some(id));
            }
        }
        Ok(state)
    }

    /// NtSetTimer by `setter`: cancels the timer, resets it, and sets it
    /// due at `due_time` (negative relative, positive absolute; due now or
    /// earlier expires at once), then every `period_ms` milliseconds when
    /// positive (negative: STATUS_INVALID_PARAMETER_6). `apc` = (routine,
    /// context) is queued to `setter` at each expiry. `previous` is the
    /// state before.
    pub fn set_timer(
        &mut self,
        id: Id,
        setter: Id,
        due_time: i64,
        period_ms: i32,
        apc: Option<(u64, u64)>,
    ) -> Result<Signalled, NtStatus> {
        self.timer_mut(id)?;
        if period_ms < 0 {
            return Err(STATUS_INVALID_PARAMETER_6);
        }
        self.running_thread(setter)?;
        let previous = self.cancel_timer(id)? as i32;
        let due = deadline_of(self.now, due_time);
        let now = self.now;
        let t = self.timer_mut(id)?;
        t.signalled = false;
        t.period = period_ms as i64 * 10_000;
        t.apc = apc.map(|(routine, context)| TimerApc {
            thread: setter,
            routine,
            context,
        });
        let mut wakes = Vec::new();
        if due <= now {
            self.expire_timer(id, &mut wakes);
        } else {
            let key = self.insert_deadline(due, Deadline::Timer(id));
            self.timer_mut(id)?.due = Some(key);
        }
        Ok(Signalled { previous, wakes })
    }

    /// NtQueryTimer.
    pub fn query_timer(&self, id: Id) -> Result<TimerInfo, NtStatus> {
        match &self.object(id)?.kind {
            Kind::Timer(t) => Ok(TimerInfo {
                remaining: t.due.map_or(0, |k| k.0.saturating_sub(self.now).max(0)),
                signalled: t.signalled,
            }),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    /// NtQueueApcThread: an ended thread takes no APCs
    /// (STATUS_UNSUCCESSFUL, as KeInsertQueueApc's refusal); a thread in an
    /// alertable wait is woken to run it.
    pub fn queue_apc(&mut self, thread: Id, apc: UserApc) -> Result<Option<Wake>, NtStatus> {
        if self.thread(thread)?.ended {
            return Err(STATUS_UNSUCCESSFUL);
        }
        let mut wakes = Vec::new();
        self.push_apc(thread, QueuedApc { apc, timer: None }, &mut wakes);
        Ok(wakes.pop())
    }

    /// NtAlertThread (KeAlertThread): a thread in an alertable wait leaves
    /// it with STATUS_ALERTED; any other is marked alerted for its next
    /// alertable wait or NtTestAlert.
    pub fn alert_thread(&mut self, thread: Id) -> Result<Option<Wake>, NtStatus> {
        let t = self.thread_mut(thread)?;
        if t.ended || t.alerted {
            return Ok(None);
        }
        if t.wait.as_ref().is_some_and(|w| w.alertable) {
            return Ok(Some(self.unwait(thread, STATUS_ALERTED, None)));
        }
        t.alerted = true;
        Ok(None)
    }

    /// NtTestAlert (KeTestAlertThread), and NtContinue's TestAlert: an
    /// alerted thread gets STATUS_ALERTED (and its mark cleared); otherwise
    /// STATUS_SUCCESS with the first queued user APC to deliver, if any.
    pub fn test_alert(&mut self, thread: Id) -> Result<(NtStatus, Option<UserApc>), NtStatus> {
        self.running_thread(thread)?;
        let t = self.thread_mut(thread)?;
        if core::mem::take(&mut t.alerted) {
            return Ok((STATUS_ALERTED, None));
        }
        Ok((STATUS_SUCCESS, t.apcs.pop_front().map(|q| q.apc)))
    }

    /// A thread ends (PspExitThread): its wait (if any) is dropped without
    /// a reply, timers whose APCs target it are cancelled (ExTimerRundown),
    /// its APCs are discarded, the mutants it owns are abandoned in the
    /// order it took them (KeRundownThread), and its object is signalled.
    /// Ending an ended thread does nothing.
    pub fn end_thread(&mut self, thread: Id) -> Result<Vec<Wake>, NtStatus> {
        if self.thread(thread)?.ended {
            return Ok(Vec::new());
        }
        self.unwait(thread, STATUS_SUCCESS, None);
        let timers: Vec<Id> = self
            .objects
            .iter()
            .filter(|(_, o)| matches!(&o.kind, Kind::Timer(t) if t.apc.is_some_and(|a| a.thread == thread)))
            .map(|(&id, _)| id)
            .collect();
        for id in timers {
            self.cancel_timer(id)?;
        }
        let t = self.thread_mut(thread)?;
        t.apcs.clear();
        t.alerted = false;
        t.ended = true;
        let owned = core::mem::take(&mut t.owned);
        let mut wakes = Vec::new();
        for m in owned {
            if let Some(Kind::Mutant {
                owner,
                count,
                abandoned,
            }) = self.objects.get_mut(&m).map(|o| &mut o.kind)
            {
                *owner = None;
                *count = 0;
                *abandoned = true;
            }
            self.wait_test(m, &mut wakes);
        }
        self.wait_test(thread, &mut wakes);
        Ok(wakes)
    }

    /// A process ends: its live threads end (in creation order), then its
    /// object is signalled.
    pub fn end_process(&mut self, process: Id) -> Result<Vec<Wake>, NtStatus> {
        let threads = match &self.object(process)?.kind {
            Kind::Process { ended: true, .. } => return Ok(Vec::new()),
            Kind::Process { threads, .. } => threads.clone(),
            _ => return Err(STATUS_OBJECT_TYPE_MISMATCH),
        };
        let mut wakes = Vec::new();
        for t in threads {
            wakes.extend(self.end_thread(t)?);
        }
        if let Kind::Process { ended, .. } = &mut self.object_mut(process)?.kind {
            *ended = true;
        }
        self.wait_test(process, &mut wakes);
        Ok(wakes)
    }
}

#[cfg(test)]
impl Dispatcher {
    /// Test hook: a mutant owned by `thread` at its recursion limit.
    pub(super) fn force_mutant_to_limit(&mut self, id: Id) {
        if let Some(Kind::Mutant { count, .. }) = self.objects.get_mut(&id).map(|o| &mut o.kind) {
            *count = wait::MUTANT_MAX_COUNT;
        }
    }
}
