//! The wait machinery: whether an object satisfies a thread's wait, the
//! side effects of satisfying it, the wait test run when an object becomes
//! signalled (ke/wait.c's KiWaitTest), and starting, ending and timing out
//! waits.

use super::*;

/// A mutant's recursion count at which its signal state is MINLONG: one
/// more acquisition raises STATUS_MUTANT_LIMIT_EXCEEDED (ke/wait.c).
pub(super) const MUTANT_MAX_COUNT: u32 = 0x8000_0001;

impl Dispatcher {
    /// Whether `obj` would satisfy a wait of `thread` now: a signalled
    /// event or timer, a free mutant or one the thread owns (recursive
    /// acquisition), a semaphore above 0, an ended process or thread.
    pub(super) fn available(&self, obj: Id, thread: Id) -> bool {
        match self.objects.get(&obj).map(|o| &o.kind) {
            Some(Kind::Event { signalled, .. }) => *signalled,
            Some(Kind::Timer(t)) => t.signalled,
            Some(Kind::Mutant { owner, count, .. }) => *count == 0 || *owner == Some(thread),
            Some(Kind::Semaphore { count, .. }) => *count > 0,
            Some(Kind::Process { ended, .. }) => *ended,
            Some(Kind::Thread(t)) => t.ended,
            None => false,
        }
    }

    /// Whether acquiring `obj` would take a mutant `thread` owns past its
    /// recursion limit.
    fn at_mutant_limit(&self, obj: Id, thread: Id) -> bool {
        matches!(self.objects.get(&obj).map(|o| &o.kind),
            Some(Kind::Mutant { owner: Some(o), count, .. }) if *o == thread && *count >= MUTANT_MAX_COUNT)
    }

    /// The side effect of satisfying a wait with `obj` (KiWaitSatisfy*):
    /// auto-reset objects reset, a semaphore counts down, a mutant is
    /// (re)acquired. True when that acquired an abandoned mutant.
    fn acquire(&mut self, obj: Id, thread: Id) -> bool {
        let mut newly_owned = false;
        let mut was_abandoned = false;
        match self.objects.get_mut(&obj).map(|o| &mut o.kind) {
            Some(Kind::Event {
                kind: EventType::Synchronization,
                signalled,
            }) => *signalled = false,
            Some(Kind::Timer(t)) if t.kind == EventType::Synchronization => t.signalled = false,
            Some(Kind::Semaphore { count, .. }) => *count -= 1,
            Some(Kind::Mutant {
                owner,
                count,
                abandoned,
            }) => {
                *count += 1;
                if *count == 1 {
                    *owner = Some(thread);
                    newly_owned = true;
                    was_abandoned = core::mem::take(abandoned);
                }
            }
            _ => {}
        }
        if newly_owned {
            if let Ok(t) = self.thread_mut(thread) {
                t.owned.push(obj);
            }
        }
        was_abandoned
    }

    /// Satisfies the wait now if it can: WaitAny takes the lowest index
    /// available (STATUS_WAIT_0 + i, or STATUS_ABANDONED_WAIT_0 + i for an
    /// abandoned mutant); WaitAll takes every object at once, only when all
    /// are available (STATUS_WAIT_0, or STATUS_ABANDONED_WAIT_0 when one
    /// was an abandoned mutant, as ke/wait.c and Wine's check_wait report).
    fn try_satisfy(
        &mut self,
        thread: Id,
        objects: &[Id],
        kind: WaitType,
    ) -> Result<Option<NtStatus>, NtStatus> {
        match kind {
            WaitType::Any => {
                let Some(i) = objects.iter().position(|&o| self.available(o, thread)) else {
                    return Ok(None);
                };
                if self.at_mutant_limit(objects[i], thread) {
                    return Err(STATUS_MUTANT_LIMIT_EXCEEDED);
                }
                let abandoned = self.acquire(objects[i], thread);
                Ok(Some(if abandoned {
                    NtStatus::abandoned_wait(i as u32)
                } else {
                    NtStatus::wait(i as u32)
                }))
            }
            WaitType::All => {
                if objects.iter().any(|&o| self.at_mutant_limit(o, thread)) {
                    return Err(STATUS_MUTANT_LIMIT_EXCEEDED);
                }
                if !objects.iter().all(|&o| self.available(o, thread)) {
                    return Ok(None);
                }
                let mut abandoned = false;
                for &o in objects {
                    abandoned |= self.acquire(o, thread);
                }
                Ok(Some(if abandoned {
                    STATUS_ABANDONED_WAIT_0
                } else {
                    STATUS_WAIT_0
                }))
            }
        }
    }

    /// KiWaitTest: `obj` may have become signalled; completes the waits
    /// queued on it that it now satisfies, in FIFO order, until the
    /// object is taken (a synchronization event resets, a semaphore
    /// reaches 0, a mutant gets an owner).
    pub(super) fn wait_test(&mut self, obj: Id, wakes: &mut Vec<Wake>) {
        let Some(o) = self.objects.get(&obj) else {
            return;
        };
        let entries: Vec<(Id, u8)> = o.waiters.iter().copied().collect();
        for (thread, index) in entries {
            if !self.available(obj, thread) {
                continue;
            }
            let Some((kind, objects)) = self
                .thread(thread)
                .ok()
                .and_then(|t| t.wait.as_ref())
                .map(|w| (w.kind, w.objects.clone()))
            else {
                // Woken earlier in this loop (a WaitAny naming `obj` twice).
                continue;
            };
            let status = match kind {
                WaitType::Any => {
                    if self.acquire(obj, thread) {
                        NtStatus::abandoned_wait(index as u32)
                    } else {
                        NtStatus::wait(index as u32)
                    }
                }
                WaitType::All => match self.try_satisfy(thread, &objects, kind) {
                    Ok(Some(s)) => s,
                    // Not all signalled yet; the limit cannot be reached by a
                    // blocked thread, whose counts do not move.
                    _ => continue,
                },
            };
            wakes.push(self.unwait(thread, status, None));
        }
    }

    /// Ends `thread`'s wait: its wait blocks leave every object and its
    /// deadline leaves the queue.
    pub(super) fn unwait(&mut self, thread: Id, status: NtStatus, apc: Option<UserApc>) -> Wake {
        let wait = self.thread_mut(thread).ok().and_then(|t| t.wait.take());
        if let Some(w) = wait {
            for o in &w.objects {
                if let Some(obj) = self.objects.get_mut(o) {
                    obj.waiters.retain(|e| e.0 != thread);
                }
            }
            if let Some(k) = w.deadline {
                self.queue.remove(&k);
            }
        }
        Wake {
            thread,
            status,
            apc,
        }
    }

    /// Starts a wait of a running thread on validated objects (the order
    /// of KeWaitForMultipleObjects and Wine's check_wait): satisfied
    /// objects first; then, for an alertable wait, a pending alert
    /// (STATUS_ALERTED) or user APC (STATUS_USER_APC with the APC); then an
    /// expired timeout; otherwise the thread blocks.
    fn begin_wait(
        &mut self,
        thread: Id,
        objects: Vec<Id>,
        kind: WaitType,
        alertable: bool,
        timeout: Option<i64>,
        delay: bool,
    ) -> Result<Option<Wake>, NtStatus> {
        if let Some(status) = self.try_satisfy(thread, &objects, kind)? {
            return Ok(Some(Wake {
                thread,
                status,
                apc: None,
            }));
        }
        if alertable {
            let t = self.thread_mut(thread)?;
            if core::mem::take(&mut t.alerted) {
                return Ok(Some(Wake {
                    thread,
                    status: STATUS_ALERTED,
                    apc: None,
                }));
            }
            if let Some(q) = t.apcs.pop_front() {
                return Ok(Some(Wake {
                    thread,
                    status: STATUS_USER_APC,
                    apc: Some(q.apc),
                }));
            }
        }
        let deadline = timeout.map(|t| deadline_of(self.now, t));
        if deadline.is_some_and(|d| d <= self.now) {
            let status = if delay {
                STATUS_SUCCESS
            } else {
                STATUS_TIMEOUT
            };
            return Ok(Some(Wake {
                thread,
                status,
                apc: None,
            }));
        }
        for (i, o) in objects.iter().enumerate() {
            if let Some(obj) = self.objects.get_mut(o) {
                obj.waiters.push_back((thread, i as u8));
            }
        }
        let key = deadline.map(|d| self.insert_deadline(d, Deadline::Wait(thread)));
        self.thread_mut(thread)?.wait = Some(Wait {
            objects,
            kind,
            alertable,
            deadline: key,
            delay,
        });
        Ok(None)
    }

    /// NtWaitForSingleObject / NtWaitForMultipleObjects for `thread`.
    /// `timeout`: None waits forever, negative is relative, positive
    /// absolute, 0 polls. Checks as ob/obwait.c: 0 or more than 64 objects
    /// STATUS_INVALID_PARAMETER_1, an unknown id STATUS_INVALID_HANDLE, an
    /// object named twice in a WaitAll STATUS_INVALID_PARAMETER_MIX.
    pub fn wait(
        &mut self,
        thread: Id,
        objects: &[Id],
        kind: WaitType,
        alertable: bool,
        timeout: Option<i64>,
    ) -> Result<Option<Wake>, NtStatus> {
        if objects.is_empty() || objects.len() > MAXIMUM_WAIT_OBJECTS {
            return Err(STATUS_INVALID_PARAMETER_1);
        }
        for &o in objects {
            self.object(o)?;
        }
        if kind == WaitType::All
            && objects
                .iter()
                .enumerate()
                .any(|(i, o)| objects[i + 1..].contains(o))
        {
            return Err(STATUS_INVALID_PARAMETER_MIX);
        }
        self.running_thread(thread)?;
        self.begin_wait(thread, objects.to_vec(), kind, alertable, timeout, false)
    }

    /// NtSignalAndWaitForSingleObject: signals `signal` (an event is set, a
    /// mutant released by `thread`, a semaphore released by 1; any other
    /// kind is STATUS_OBJECT_TYPE_MISMATCH), then waits on `object`. A
    /// failed signal (STATUS_MUTANT_NOT_OWNED, ...) does not wait.
    pub fn signal_and_wait(
        &mut self,
        thread: Id,
        signal: Id,
        object: Id,
        alertable: bool,
        timeout: Option<i64>,
    ) -> Result<(Signalled, Option<Wake>), NtStatus> {
        self.running_thread(thread)?;
        self.object(object)?;
        let signalled = match &self.object(signal)?.kind {
            Kind::Event { .. } => self.set_event(signal)?,
            Kind::Mutant { .. } => self.release_mutant(signal, thread)?,
            Kind::Semaphore { .. } => self.release_semaphore(signal, 1)?,
            _ => return Err(STATUS_OBJECT_TYPE_MISMATCH),
        };
        let own = self.begin_wait(
            thread,
            alloc::vec![object],
            WaitType::Any,
            alertable,
            timeout,
            false,
        )?;
        Ok((signalled, own))
    }

    /// NtDelayExecution: a wait on nothing that ends with STATUS_SUCCESS at
    /// `interval` (negative relative, positive absolute; 0 returns at
    /// once), or earlier with STATUS_ALERTED / STATUS_USER_APC when
    /// alertable (ke/wait.c's KeDelayExecutionThread).
    pub fn delay(
        &mut self,
        thread: Id,
        alertable: bool,
        interval: i64,
    ) -> Result<Option<Wake>, NtStatus> {
        self.running_thread(thread)?;
        self.begin_wait(
            thread,
            Vec::new(),
            WaitType::Any,
            alertable,
            Some(interval),
            true,
        )
    }

    /// A timer's expiry (ke/timerobj.c, ex/timer.c): it becomes signalled
    /// and satisfies waits; a periodic timer is due again one period from
    /// now (missed periods are not made up); then its APC is queued to the
    /// thread that set it, unless that timer's APC is still queued.
    pub(super) fn expire_timer(&mut self, id: Id, wakes: &mut Vec<Wake>) {
        let now = self.now;
        let (period, apc) = match self.objects.get_mut(&id).map(|o| &mut o.kind) {
            Some(Kind::Timer(t)) => {
                t.due = None;
                t.signalled = true;
                (t.period, t.apc)
            }
            _ => return,
        };
        self.wait_test(id, wakes);
        if period > 0 {
            let key = self.insert_deadline(now.saturating_add(period), Deadline::Timer(id));
            if let Some(Kind::Timer(t)) = self.objects.get_mut(&id).map(|o| &mut o.kind) {
                t.due = Some(key);
            }
        }
        if let Some(a) = apc {
            let pending = self.thread(a.thread).map_or(true, |t| {
                t.ended || t.apcs.iter().any(|q| q.timer == Some(id))
            });
            if !pending {
                let apc = UserApc {
                    routine: a.routine,
                    args: [a.context, now as u32 as u64, (now as u64) >> 32],
                };
                self.push_apc(
                    a.thread,
                    QueuedApc {
                        apc,
                        timer: Some(id),
                    },
                    wakes,
                );
            }
        }
    }

    /// Queues a user APC (KiInsertQueueApc): a thread in an alertable wait
    /// leaves it with STATUS_USER_APC and the first queued APC.
    pub(super) fn push_apc(&mut self, thread: Id, q: QueuedApc, wakes: &mut Vec<Wake>) {
        let Ok(t) = self.thread_mut(thread) else {
            return;
        };
        t.apcs.push_back(q);
        if t.wait.as_ref().is_some_and(|w| w.alertable) {
            let apc = t.apcs.pop_front().map(|q| q.apc);
            wakes.push(self.unwait(thread, STATUS_USER_APC, apc));
        }
    }
}
