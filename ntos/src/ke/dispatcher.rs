//! NT's dispatcher objects and waits as pure logic: events, mutants,
//! semaphores, timers, and processes and threads as waitable objects; the
//! waits on them (WaitAny/WaitAll, timeouts, alertable waits), user APC
//! queues, alerts and the deadline queue. It decides; the caller (the
//! Executive) executes: every operation that completes waits returns the
//! [`Wake`]s to reply to, in the order NT would ready the threads.
//!
//! Semantics follow the NT kernel (facts from the WRK/ReactOS `ke/wait.c`,
//! `ke/eventobj.c`, `ke/mutex.c`, `ke/semphobj.c`, `ke/timerobj.c`,
//! `ob/obwait.c`, `ex/timer.c` and Wine's `server/` and tests).
//!
//! API ([`Dispatcher`]; ids are the caller's, one space for all objects,
//! a thread's id is also its object's id):
//! - clock: [`Dispatcher::advance`]`(now)` moves time (NT time, 100 ns) and
//!   returns what expired; [`Dispatcher::next_deadline`]; [`Dispatcher::now`].
//!   Operations that read the clock use the last `now` given, so the caller
//!   advances before each service.
//! - objects: `create_event`, `create_mutant`, `create_semaphore`,
//!   `create_timer`, `create_process`, `create_thread`, `delete`.
//! - signals: `set_event`, `reset_event`, `pulse_event`, `release_mutant`,
//!   `release_semaphore`, `set_timer`, `cancel_timer`; queries
//!   `query_event`, `query_mutant`, `query_semaphore`, `query_timer`.
//! - waits: `wait` (NtWaitForSingle/MultipleObjects), `signal_and_wait`,
//!   `delay` (NtDelayExecution); `Ok(Some(wake))` completes at once,
//!   `Ok(None)` blocks the thread until a later operation returns its wake.
//! - APCs and alerts: `queue_apc`, `alert_thread`, `test_alert`.
//! - ends: `end_thread`, `end_process`.
//!
//! Time: absolute deadlines (positive) and relative ones (negative, from
//! `now`) live on the one clock; a later change of the system time does
//! not move absolute deadlines (NT does; not modelled).
//!
//! Errors for misuse by the caller (an unknown id, a thread that is already
//! waiting or has ended, an id of the wrong kind) are NTSTATUS values
//! too, so a bug in the caller never panics here: STATUS_INVALID_HANDLE,
//! STATUS_OBJECT_TYPE_MISMATCH, STATUS_INTERNAL_ERROR,
//! STATUS_THREAD_IS_TERMINATING.

mod objects;
#[cfg(test)]
mod random_tests;
#[cfg(test)]
mod tests;
mod wait;

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;
use nt_abi::status::*;
use nt_abi::NtStatus;

/// An object id chosen by the caller.
pub type Id = u64;

/// MAXIMUM_WAIT_OBJECTS.
pub const MAXIMUM_WAIT_OBJECTS: usize = 64;

/// STATUS_MUTANT_LIMIT_EXCEEDED (not in nt-abi's list): a thread acquired a
/// mutant it owns 2^31 times.
pub const STATUS_MUTANT_LIMIT_EXCEEDED: NtStatus = NtStatus(0xC000_0191);

/// EVENT_TYPE: NotificationEvent = 0, SynchronizationEvent = 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// Stays signalled until reset; a set wakes every waiter.
    Notification,
    /// Auto-reset: satisfying one wait resets it.
    Synchronization,
}

/// TIMER_TYPE: NotificationTimer = 0, SynchronizationTimer = 1; the same
/// rules as the event types.
pub type TimerType = EventType;

impl EventType {
    /// From the service argument; anything else is STATUS_INVALID_PARAMETER
    /// (NtCreateEvent, NtCreateTimer).
    pub fn from_raw(v: u32) -> Result<Self, NtStatus> {
        match v {
            0 => Ok(EventType::Notification),
            1 => Ok(EventType::Synchronization),
            _ => Err(STATUS_INVALID_PARAMETER),
        }
    }
}

/// WAIT_TYPE: WaitAll = 0, WaitAny = 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitType {
    All,
    Any,
}

impl WaitType {
    /// From NtWaitForMultipleObjects' argument: anything else is
    /// STATUS_INVALID_PARAMETER_3 (ob/obwait.c).
    pub fn from_raw(v: u32) -> Result<Self, NtStatus> {
        match v {
            0 => Ok(WaitType::All),
            1 => Ok(WaitType::Any),
            _ => Err(STATUS_INVALID_PARAMETER_3),
        }
    }
}

/// A user-mode APC as the thread will run it: `routine(args[0], args[1],
/// args[2])` (NtQueueApcThread's three arguments; for a timer: its context
/// and the low and high halves of the expiry time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserApc {
    pub routine: u64,
    pub args: [u64; 3],
}

/// A thread whose wait completed: reply `status` to it, and deliver `apc`
/// on its way back to user mode when there is one (STATUS_USER_APC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wake {
    pub thread: Id,
    pub status: NtStatus,
    pub apc: Option<UserApc>,
}

/// The result of a signal operation: the previous state (event state
/// 0/1, mutant signal state, semaphore count) and the waits it completed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Signalled {
    pub previous: i32,
    pub wakes: Vec<Wake>,
}

/// What [`Dispatcher::advance`] found due, in due-time order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expired {
    /// The timers that expired.
    pub timers: Vec<Id>,
    /// The waits completed: timeouts, waits satisfied by expired timers,
    /// alertable waits interrupted by timer APCs.
    pub wakes: Vec<Wake>,
}

/// NtQueryMutant's MUTANT_BASIC_INFORMATION.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MutantInfo {
    /// The signal state: 1 when free, 1 - recursion count when owned.
    pub current_count: i32,
    pub owned_by_caller: bool,
    pub abandoned: bool,
}

/// NtQueryTimer's TIMER_BASIC_INFORMATION.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerInfo {
    /// 100 ns units until the timer expires; 0 when it is not set.
    pub remaining: i64,
    pub signalled: bool,
}

/// A position in the deadline queue: due time, then insertion order.
type Key = (i64, u64);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Deadline {
    Timer(Id),
    Wait(Id),
}

/// A timer's APC: the thread that set the timer, routine and context.
#[derive(Clone, Copy, Debug)]
struct TimerApc {
    thread: Id,
    routine: u64,
    context: u64,
}

#[derive(Debug)]
struct Timer {
    kind: TimerType,
    signalled: bool,
    due: Option<Key>,
    /// 100 ns units; 0 for a one-shot timer.
    period: i64,
    apc: Option<TimerApc>,
}

#[derive(Debug)]
struct QueuedApc {
    apc: UserApc,
    /// The timer that queued it: one such APC at a time per timer, and
    /// cancelling the timer removes it (ex/timer.c's single KAPC).
    timer: Option<Id>,
}

#[derive(Debug)]
struct Wait {
    objects: Vec<Id>,
    kind: WaitType,
    alertable: bool,
    deadline: Option<Key>,
    /// NtDelayExecution: the deadline completes it with STATUS_SUCCESS.
    delay: bool,
}

#[derive(Debug)]
struct Thread {
    process: Id,
    ended: bool,
    wait: Option<Wait>,
    /// Owned mutants in acquisition order, abandoned in that order at the end.
    owned: Vec<Id>,
    apcs: VecDeque<QueuedApc>,
    /// Alerted[UserMode].
    alerted: bool,
}

#[derive(Debug)]
enum Kind {
    Event {
        kind: EventType,
        signalled: bool,
    },
    /// `count` is the recursion count: 0 free, else owned by `owner`.
    Mutant {
        owner: Option<Id>,
        count: u32,
        abandoned: bool,
    },
    Semaphore {
        count: i32,
        limit: i32,
    },
    Timer(Timer),
    Process {
        ended: bool,
        threads: Vec<Id>,
    },
    Thread(Thread),
}

#[derive(Debug)]
struct Object {
    kind: Kind,
    /// Wait blocks queued on the object, FIFO: (thread, index in its wait).
    waiters: VecDeque<(Id, u8)>,
}

/// The dispatcher database.
#[derive(Debug, Default)]
pub struct Dispatcher {
    objects: BTreeMap<Id, Object>,
    queue: BTreeMap<Key, Deadline>,
    seq: u64,
    now: i64,
}

/// The absolute deadline of an NT timeout: negative = relative to `now`.
fn deadline_of(now: i64, timeout: i64) -> i64 {
    if timeout < 0 {
        now.saturating_sub(timeout)
    } else {
        timeout
    }
}

impl Dispatcher {
    /// An empty database at time `now`.
    pub fn new(now: i64) -> Self {
        Dispatcher {
            now,
            ..Default::default()
        }
    }

    /// The time last given to [`Dispatcher::advance`].
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The earliest timer or wait deadline.
    pub fn next_deadline(&self) -> Option<i64> {
        self.queue.keys().next().map(|k| k.0)
    }

    /// Moves the clock to `now` (never backwards) and expires every timer
    /// and wait due by then, in due order.
    pub fn advance(&mut self, now: i64) -> Expired {
        self.now = self.now.max(now);
        let mut out = Expired::default();
        while let Some((&key, _)) = self.queue.iter().next() {
            if key.0 > self.now {
                break;
            }
            match self.queue.remove(&key) {
                Some(Deadline::Timer(t)) => {
                    out.timers.push(t);
                    self.expire_timer(t, &mut out.wakes);
                }
                Some(Deadline::Wait(thread)) => {
                    let delay = self
                        .thread(thread)
                        .ok()
                        .and_then(|t| t.wait.as_ref())
                        .map_or(false, |w| w.delay);
                    if let Some(t) = self.thread_mut(thread).ok().and_then(|t| t.wait.as_mut()) {
                        t.deadline = None;
                    }
                    let status = if delay {
                        STATUS_SUCCESS
                    } else {
                        STATUS_TIMEOUT
                    };
                    out.wakes.push(self.unwait(thread, status, None));
                }
                None => {}
            }
        }
        out
    }

    fn insert_deadline(&mut self, due: i64, d: Deadline) -> Key {
        self.seq += 1;
        let key = (due, self.seq);
        self.queue.insert(key, d);
        key
    }

    fn object(&self, id: Id) -> Result<&Object, NtStatus> {
        self.objects.get(&id).ok_or(STATUS_INVALID_HANDLE)
    }

    fn object_mut(&mut self, id: Id) -> Result<&mut Object, NtStatus> {
        self.objects.get_mut(&id).ok_or(STATUS_INVALID_HANDLE)
    }

    fn thread(&self, id: Id) -> Result<&Thread, NtStatus> {
        match &self.object(id)?.kind {
            Kind::Thread(t) => Ok(t),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    fn thread_mut(&mut self, id: Id) -> Result<&mut Thread, NtStatus> {
        match &mut self.object_mut(id)?.kind {
            Kind::Thread(t) => Ok(t),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    /// A live thread that is not waiting: the only kind that can call a
    /// service.
    fn running_thread(&self, id: Id) -> Result<&Thread, NtStatus> {
        let t = self.thread(id)?;
        if t.ended {
            Err(STATUS_THREAD_IS_TERMINATING)
        } else if t.wait.is_some() {
            Err(STATUS_INTERNAL_ERROR)
        } else {
            Ok(t)
        }
    }
}
