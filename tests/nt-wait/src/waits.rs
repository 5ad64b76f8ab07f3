//! Waits: NtWaitForSingleObject / NtWaitForMultipleObjects /
//! NtSignalAndWaitForSingleObject / NtDelayExecution rules and bad input,
//! relative and absolute timeouts measured with NtQuerySystemTime, timers
//! firing in due order and periodically, alerts, and scenarios across
//! worker threads (wake-ups, WaitAll, abandoned mutants) and a child
//! process. The clock ticks at 64 Hz, so times are checked with a tick or
//! two of slack.

use crate::objects::{event, mutant, query_event, query_mutant, query_semaphore, semaphore, timer};
use crate::*;
use core::sync::atomic::Ordering;
use nt_test::nt::*;
use nt_test::nt_abi::status::*;
use nt_test::nt_abi::types::{Handle, RtlUserProcessParameters};
use nt_test::nt_abi::NtStatus;
use nt_test::util::{bad, us};
use nt_test::{check, check_eq, w};

const BOGUS: Handle = Handle(0xdead_bee0);

pub fn run() {
    wait_rules();
    multiple();
    signal_and_wait();
    timeouts();
    delays();
    timer_order();
    periodic();
    alerts();
    wake_one_thread();
    notification_wakes_all();
    synchronization_wakes_one();
    pulse_wakes_waiters();
    wait_all_threads();
    abandoned();
    not_owner();
    thread_handles();
    close_while_waiting();
    child_process();
}

/// NtWaitForSingleObject's bad input and the pseudo handles.
fn wait_rules() {
    let e = event(NOTIFICATION, false);
    let zero = 0i64;
    // SAFETY: valid pointers to locals, or bad ones under test.
    unsafe {
        check_st!(
            NtWaitForSingleObject(Handle::NULL, 0, &zero),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtWaitForSingleObject(BOGUS, 0, &zero),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtWaitForSingleObject(e, 0, bad::KERNEL as *const i64),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtWaitForSingleObject(e, 0, bad::UNMAPPED as *const i64),
            STATUS_ACCESS_VIOLATION
        );
        // A running thread or process is not signalled.
        check_st!(
            NtWaitForSingleObject(Handle::CURRENT_THREAD, 0, &zero),
            STATUS_TIMEOUT
        );
        check_st!(
            NtWaitForSingleObject(Handle::CURRENT_PROCESS, 0, &zero),
            STATUS_TIMEOUT
        );
        check_st!(
            NtWaitForSingleObject(e, 1, &zero),
            STATUS_TIMEOUT,
            "alertable poll, nothing pending"
        );
    }
    close(e);
    check_st!(wait1(e, 0), STATUS_INVALID_HANDLE, "closed handle");
}

/// NtWaitForMultipleObjects: counts, wait types, WaitAny's lowest index,
/// WaitAll taking everything or nothing.
fn multiple() {
    let a = event(NOTIFICATION, false);
    let b = event(NOTIFICATION, true);
    let c = event(NOTIFICATION, true);
    let zero = 0i64;
    let hs = [a, b, c];
    // SAFETY: valid pointers to locals, or bad ones under test.
    unsafe {
        check_st!(
            NtWaitForMultipleObjects(0, hs.as_ptr(), WAIT_ANY, 0, &zero),
            STATUS_INVALID_PARAMETER_1,
            "count 0"
        );
        check_st!(
            NtWaitForMultipleObjects(65, hs.as_ptr(), WAIT_ANY, 0, &zero),
            STATUS_INVALID_PARAMETER_1,
            "count 65"
        );
        check_st!(
            NtWaitForMultipleObjects(3, hs.as_ptr(), 2, 0, &zero),
            STATUS_INVALID_PARAMETER_3,
            "wait type 2"
        );
        check_st!(
            NtWaitForMultipleObjects(1, core::ptr::null(), WAIT_ANY, 0, &zero),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtWaitForMultipleObjects(2, bad::KERNEL as *const Handle, WAIT_ANY, 0, &zero),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtWaitForMultipleObjects(3, hs.as_ptr(), WAIT_ANY, 0, bad::UNMAPPED as *const i64),
            STATUS_ACCESS_VIOLATION
        );
        let with_bogus = [a, BOGUS];
        check_st!(
            NtWaitForMultipleObjects(2, with_bogus.as_ptr(), WAIT_ANY, 0, &zero),
            STATUS_INVALID_HANDLE
        );
    }
    check_st!(
        wait_n(&hs, WAIT_ANY, 0),
        NtStatus::wait(1),
        "the lowest signalled index"
    );
    check_st!(wait_n(&[c, b], WAIT_ANY, 0), STATUS_WAIT_0);
    check_st!(
        wait_n(&hs, WAIT_ALL, 0),
        STATUS_TIMEOUT,
        "one of three unsignalled"
    );
    check_st!(wait_n(&[b, c], WAIT_ALL, 0), STATUS_SUCCESS);
    check_st!(
        wait_n(&[b, b], WAIT_ANY, 0),
        STATUS_WAIT_0,
        "WaitAny may name an object twice"
    );
    check_st!(
        wait_n(&[b, b], WAIT_ALL, 0),
        STATUS_INVALID_PARAMETER_MIX,
        "WaitAll may not"
    );
    // 64 handles are allowed.
    let many = [c; 64];
    check_st!(wait_n(&many, WAIT_ANY, 0), STATUS_WAIT_0, "64 handles");
    close(a);
    close(b);
    close(c);

    // WaitAny on synchronization events takes only the one it reports.
    let s1 = event(SYNCHRONIZATION, false);
    let s2 = event(SYNCHRONIZATION, true);
    let s3 = event(SYNCHRONIZATION, true);
    check_st!(wait_n(&[s1, s2, s3], WAIT_ANY, 0), STATUS_WAIT_1);
    check_eq!(query_event(s2), Ok((1, 0)), "taken");
    check_eq!(query_event(s3), Ok((1, 1)), "left signalled");
    check_st!(wait_n(&[s1, s2, s3], WAIT_ANY, 0), STATUS_WAIT_2);
    check_st!(wait_n(&[s1, s2, s3], WAIT_ANY, 0), STATUS_TIMEOUT);

    // WaitAll takes nothing unless it takes everything.
    let sem = semaphore(0, 2);
    // SAFETY: no pointers.
    unsafe { NtSetEvent(s1, core::ptr::null_mut()) };
    check_st!(wait_n(&[s1, sem], WAIT_ALL, 0), STATUS_TIMEOUT);
    check_eq!(
        query_event(s1),
        Ok((1, 1)),
        "a failed WaitAll leaves the event signalled"
    );
    // SAFETY: no pointers.
    unsafe { NtReleaseSemaphore(sem, 1, core::ptr::null_mut()) };
    check_st!(wait_n(&[s1, sem], WAIT_ALL, 0), STATUS_SUCCESS);
    check_eq!(query_event(s1), Ok((1, 0)), "WaitAll took the event");
    check_eq!(query_semaphore(sem), Ok((0, 2)), "and the semaphore");
    // A mutant its caller owns satisfies a wait again (recursively).
    let m = mutant(true);
    check_st!(wait_n(&[s1, m], WAIT_ANY, 0), STATUS_WAIT_1);
    check_eq!(query_mutant(m), Ok((-1, 1, 0)));
    close(s1);
    close(s2);
    close(s3);
    close(sem);
    close(m);
}

fn signal_and_wait() {
    let a = event(NOTIFICATION, false);
    let b = event(NOTIFICATION, true);
    let c = event(NOTIFICATION, false);
    let full = semaphore(1, 1);
    let free = mutant(false);
    let t = timer(NOTIFICATION);
    let zero = 0i64;
    // SAFETY: valid pointers to locals, or bad ones under test.
    unsafe {
        check_st!(
            NtSignalAndWaitForSingleObject(a, b, 0, &zero),
            STATUS_SUCCESS
        );
        check_eq!(query_event(a), Ok((0, 1)), "the signal half set it");
        check_st!(
            NtSignalAndWaitForSingleObject(a, c, 0, &zero),
            STATUS_TIMEOUT,
            "nothing to wait for"
        );
        check_st!(
            NtSignalAndWaitForSingleObject(full, b, 0, &zero),
            STATUS_SEMAPHORE_LIMIT_EXCEEDED
        );
        check_st!(
            NtSignalAndWaitForSingleObject(free, b, 0, &zero),
            STATUS_MUTANT_NOT_OWNED
        );
        // Only events, mutants and semaphores can be signalled.
        check_st!(
            NtSignalAndWaitForSingleObject(t, b, 0, &zero),
            STATUS_OBJECT_TYPE_MISMATCH,
            "a timer"
        );
        check_st!(
            NtSignalAndWaitForSingleObject(Handle::CURRENT_THREAD, b, 0, &zero),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(
            NtSignalAndWaitForSingleObject(BOGUS, b, 0, &zero),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtSignalAndWaitForSingleObject(a, BOGUS, 0, &zero),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtSignalAndWaitForSingleObject(a, b, 0, bad::KERNEL as *const i64),
            STATUS_ACCESS_VIOLATION
        );
        // Release a semaphore and wait on it: gets back what it gave.
        let s = semaphore(0, 1);
        check_st!(
            NtSignalAndWaitForSingleObject(s, s, 0, &zero),
            STATUS_SUCCESS
        );
        check_eq!(query_semaphore(s), Ok((0, 1)));
        close(s);
        // Release an owned mutant and wait on it: the caller owns it again.
        let m = mutant(true);
        check_st!(
            NtSignalAndWaitForSingleObject(m, m, 0, &zero),
            STATUS_SUCCESS
        );
        check_eq!(query_mutant(m), Ok((0, 1, 0)));
        close(m);
    }
    for h in [a, b, c, full, free, t] {
        close(h);
    }
}

/// Relative and absolute timeouts last at least about their length.
fn timeouts() {
    let e = event(NOTIFICATION, false);
    let t0 = now();
    check_st!(wait1(e, 50), STATUS_TIMEOUT, "50 ms relative");
    let ms = since_ms(t0);
    check!((30..2000).contains(&ms), "a 50 ms timeout took {ms} ms");

    let t0 = now();
    let until = t0 + 50 * MS;
    // SAFETY: valid pointers to locals.
    check_st!(
        unsafe { NtWaitForSingleObject(e, 0, &until) },
        STATUS_TIMEOUT,
        "absolute"
    );
    let ms = since_ms(t0);
    check!(
        (30..2000).contains(&ms),
        "an absolute timeout 50 ms ahead took {ms} ms"
    );

    // An absolute time already past is a poll.
    let t0 = now();
    let past = 1i64;
    // SAFETY: valid pointers to locals.
    check_st!(
        unsafe { NtWaitForSingleObject(e, 0, &past) },
        STATUS_TIMEOUT
    );
    check!(since_ms(t0) < 30, "a past deadline returns at once");

    let t0 = now();
    check_st!(
        wait_n(&[e, e], WAIT_ANY, 50),
        STATUS_TIMEOUT,
        "WaitAny 50 ms"
    );
    let ms = since_ms(t0);
    check!((30..2000).contains(&ms), "WaitAny timed out after {ms} ms");
    close(e);
}

fn delays() {
    let t0 = now();
    check_st!(unsafe_delay(0, rel(50)), STATUS_SUCCESS);
    let ms = since_ms(t0);
    check!(
        (30..2000).contains(&ms),
        "NtDelayExecution(50 ms) took {ms} ms"
    );
    let t0 = now();
    check_st!(unsafe_delay(0, now() + 50 * MS), STATUS_SUCCESS, "absolute");
    let ms = since_ms(t0);
    check!(
        (30..2000).contains(&ms),
        "absolute delay of 50 ms took {ms} ms"
    );
    check_st!(unsafe_delay(0, 0), STATUS_SUCCESS, "zero: a yield");
    check_st!(unsafe_delay(0, 1), STATUS_SUCCESS, "a past absolute time");
    // SAFETY: bad pointers under test.
    unsafe {
        check_st!(
            NtDelayExecution(0, core::ptr::null()),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtDelayExecution(0, bad::KERNEL as *const i64),
            STATUS_ACCESS_VIOLATION
        );
    }
}

fn unsafe_delay(alertable: u8, interval: i64) -> NtStatus {
    // SAFETY: a valid pointer to a local.
    unsafe { NtDelayExecution(alertable, &interval) }
}

/// Two timers fire in due order, whatever order they were set in.
fn timer_order() {
    let late = timer(NOTIFICATION);
    let early = timer(NOTIFICATION);
    let (d_late, d_early) = (rel(200), rel(80));
    let t0 = now();
    // SAFETY: valid pointers to locals.
    unsafe {
        check_st!(
            NtSetTimer(late, &d_late, 0, 0, 0, 0, core::ptr::null_mut()),
            STATUS_SUCCESS
        );
        check_st!(
            NtSetTimer(early, &d_early, 0, 0, 0, 0, core::ptr::null_mut()),
            STATUS_SUCCESS
        );
    }
    check_st!(
        wait_n(&[late, early], WAIT_ANY, 2000),
        STATUS_WAIT_1,
        "the earlier timer first"
    );
    let first = since_ms(t0);
    check!(
        (60..2000).contains(&first),
        "80 ms timer fired after {first} ms"
    );
    check_st!(
        wait1(late, 0),
        STATUS_TIMEOUT,
        "the later one has not fired yet"
    );
    check_st!(wait1(late, 2000), STATUS_SUCCESS);
    let second = since_ms(t0);
    check!(
        second >= 170 && second >= first,
        "200 ms timer fired after {second} ms"
    );
    // Two threads, one per timer: they wake in due order too.
    let j_late = Job::new(Op::Single, &[late], 3000);
    let j_early = Job::new(Op::Single, &[early], 3000);
    let (d_late, d_early) = (rel(150), rel(60));
    // SAFETY: valid pointers to locals.
    unsafe {
        check_st!(
            NtSetTimer(late, &d_late, 0, 0, 0, 0, core::ptr::null_mut()),
            STATUS_SUCCESS
        );
        check_st!(
            NtSetTimer(early, &d_early, 0, 0, 0, 0, core::ptr::null_mut()),
            STATUS_SUCCESS
        );
    }
    let (th_late, th_early) = (start(&j_late, false), start(&j_early, false));
    check_st!(join(th_late, 3000), STATUS_SUCCESS);
    check_st!(join(th_early, 3000), STATUS_SUCCESS);
    check_eq!(
        (j_late.status(), j_early.status()),
        (Some(STATUS_SUCCESS), Some(STATUS_SUCCESS))
    );
    let (s_late, s_early) = (
        j_late.seq.load(Ordering::Acquire),
        j_early.seq.load(Ordering::Acquire),
    );
    check!(
        s_early < s_late,
        "the 60 ms timer's waiter woke first ({s_early} vs {s_late})"
    );
    // Absolute due time.
    let due = now() + 50 * MS;
    let t0 = now();
    // SAFETY: valid pointers to locals.
    check_st!(
        unsafe { NtSetTimer(early, &due, 0, 0, 0, 0, core::ptr::null_mut()) },
        STATUS_SUCCESS
    );
    check_st!(wait1(early, 2000), STATUS_SUCCESS, "absolute due time");
    let ms = since_ms(t0);
    check!((30..2000).contains(&ms), "absolute timer after {ms} ms");
    close(late);
    close(early);
}

/// A periodic synchronization timer fires again and again until cancelled.
fn periodic() {
    let t = timer(SYNCHRONIZATION);
    let due = rel(40);
    let t0 = now();
    // SAFETY: valid pointers to locals.
    check_st!(
        unsafe { NtSetTimer(t, &due, 0, 0, 0, 40, core::ptr::null_mut()) },
        STATUS_SUCCESS
    );
    let mut fired = 0;
    for _ in 0..4 {
        if wait1(t, 1000) == STATUS_SUCCESS {
            fired += 1;
        }
    }
    check_eq!(fired, 4, "a 40 ms periodic timer fired 4 times");
    let ms = since_ms(t0);
    check!((120..3000).contains(&ms), "4 periods took {ms} ms");
    let mut state = 0x55u8;
    // SAFETY: a valid pointer to a local.
    check_st!(unsafe { NtCancelTimer(t, &mut state) }, STATUS_SUCCESS);
    // Drain a signal that may have come in since the last wait.
    wait1(t, 0);
    check_st!(wait1(t, 150), STATUS_TIMEOUT, "cancelled: no more periods");
    close(t);
}

fn alerts() {
    let e = event(NOTIFICATION, false);
    // SAFETY: no pointers, or valid ones to locals.
    unsafe {
        check_st!(NtTestAlert(), STATUS_SUCCESS, "nothing pending");
        check_st!(NtAlertThread(Handle::CURRENT_THREAD), STATUS_SUCCESS);
        check_st!(NtTestAlert(), STATUS_ALERTED, "the pending alert");
        check_st!(NtTestAlert(), STATUS_SUCCESS, "consumed");
        // A pending alert ends an alertable wait or delay at once.
        check_st!(NtAlertThread(Handle::CURRENT_THREAD), STATUS_SUCCESS);
        let long = rel(2000);
        let t0 = now();
        check_st!(NtWaitForSingleObject(e, 1, &long), STATUS_ALERTED);
        check!(since_ms(t0) < 1000, "at once");
        check_st!(NtAlertThread(Handle::CURRENT_THREAD), STATUS_SUCCESS);
        check_st!(NtDelayExecution(1, &long), STATUS_ALERTED);
        // A non-alertable wait neither sees nor consumes it.
        check_st!(NtAlertThread(Handle::CURRENT_THREAD), STATUS_SUCCESS);
        check_st!(wait1(e, 20), STATUS_TIMEOUT);
        check_st!(
            NtTestAlert(),
            STATUS_ALERTED,
            "still pending after a non-alertable wait"
        );
        check_st!(NtAlertThread(BOGUS), STATUS_INVALID_HANDLE);
        check_st!(NtAlertThread(e), STATUS_OBJECT_TYPE_MISMATCH);
    }

    // Another thread in an alertable wait wakes with STATUS_ALERTED.
    let job = Job {
        alertable: true,
        ..Job::new(Op::Single, &[e], 3000)
    };
    let th = start(&job, false);
    check!(until_started(&job, 1));
    check!(!job.done(), "blocked");
    // SAFETY: no pointers.
    check_st!(unsafe { NtAlertThread(th) }, STATUS_SUCCESS);
    check_st!(join(th, 2000), STATUS_SUCCESS);
    check_eq!(job.status(), Some(STATUS_ALERTED), "alertable wait alerted");

    // A non-alertable one keeps waiting (times out), and the alert stays
    // pending for its next NtTestAlert.
    let job = Job::new(Op::Single, &[e], 300);
    let th = start(&job, false);
    let t0 = now();
    check!(until_started(&job, 1));
    // SAFETY: no pointers.
    check_st!(unsafe { NtAlertThread(th) }, STATUS_SUCCESS);
    sleep_ms(30);
    check!(!job.done(), "a non-alertable wait is not ended by an alert");
    check_st!(join(th, 2000), STATUS_SUCCESS);
    check_eq!(job.status(), Some(STATUS_TIMEOUT));
    let ms = (job.ended_at.load(Ordering::Acquire) - t0) / MS;
    check!(ms >= 250, "it waited its whole timeout ({ms} ms)");
    check_eq!(
        NtStatus(job.test_alert.load(Ordering::Acquire)),
        STATUS_ALERTED,
        "the alert stayed pending"
    );
    close(e);
}

/// A thread blocked on an event wakes when another thread sets it.
fn wake_one_thread() {
    let e = event(SYNCHRONIZATION, false);
    let job = Job::new(Op::Single, &[e], 3000);
    let th = start(&job, false);
    check!(until_started(&job, 1));
    check!(!job.done(), "blocked on the event");
    let t0 = now();
    // SAFETY: no pointers.
    check_st!(
        unsafe { NtSetEvent(e, core::ptr::null_mut()) },
        STATUS_SUCCESS
    );
    check_st!(join(th, 2000), STATUS_SUCCESS);
    check_eq!(job.status(), Some(STATUS_SUCCESS));
    let ms = (job.ended_at.load(Ordering::Acquire) - t0) / MS;
    check!(ms < 1000, "woke {ms} ms after the set");
    check_eq!(query_event(e), Ok((1, 0)), "the waiter took the signal");
    close(e);
}

/// Runs `n` workers waiting on `h` (timeout `ms`); returns their jobs'
/// statuses after `act` ran and `settle` ms passed, joining them all.
fn waiters<const N: usize>(
    h: Handle,
    ms: i64,
    act: impl FnOnce(),
    settle: i64,
) -> [Option<NtStatus>; N] {
    let jobs: [Job; N] = core::array::from_fn(|_| Job::new(Op::Single, &[h], ms));
    let ths: [Handle; N] = core::array::from_fn(|i| start(&jobs[i], false));
    for j in &jobs {
        check!(until_started(j, 1));
    }
    act();
    sleep_ms(settle);
    let seen: [Option<NtStatus>; N] = core::array::from_fn(|i| jobs[i].status());
    for th in ths {
        join(th, ms + 2000);
    }
    seen
}

fn notification_wakes_all() {
    let e = event(NOTIFICATION, false);
    let seen: [_; 3] = waiters(e, 3000, || unsafe_set(e), 150);
    check_eq!(
        seen,
        [Some(STATUS_SUCCESS); 3],
        "a notification event wakes every waiter"
    );
    close(e);
}

fn synchronization_wakes_one() {
    let e = event(SYNCHRONIZATION, false);
    let seen: [_; 3] = waiters(e, 500, || unsafe_set(e), 150);
    let woke = seen.iter().filter(|s| **s == Some(STATUS_SUCCESS)).count();
    check_eq!(
        woke,
        1,
        "a synchronization event wakes one waiter ({seen:?})"
    );
    check_eq!(
        seen.iter().filter(|s| s.is_none()).count(),
        2,
        "the others still wait"
    );
    close(e);
}

fn pulse_wakes_waiters() {
    let e = event(NOTIFICATION, false);
    let seen: [_; 2] = waiters(e, 3000, || unsafe_pulse(e), 150);
    check_eq!(
        seen,
        [Some(STATUS_SUCCESS); 2],
        "a pulse wakes every waiter of a notification event"
    );
    check_eq!(query_event(e), Ok((0, 0)), "and leaves it unsignalled");
    close(e);
    let s = event(SYNCHRONIZATION, false);
    let seen: [_; 2] = waiters(s, 400, || unsafe_pulse(s), 150);
    check_eq!(
        seen.iter().filter(|x| **x == Some(STATUS_SUCCESS)).count(),
        1,
        "one waiter of a synchronization event ({seen:?})"
    );
    check_eq!(query_event(s), Ok((1, 0)));
    close(s);
}

fn unsafe_set(e: Handle) {
    // SAFETY: no pointers.
    unsafe { NtSetEvent(e, core::ptr::null_mut()) };
}

fn unsafe_pulse(e: Handle) {
    // SAFETY: no pointers.
    unsafe { NtPulseEvent(e, core::ptr::null_mut()) };
}

/// WaitAll across an event, a mutant and a semaphore completes only when
/// all three are signalled, and takes them all.
fn wait_all_threads() {
    let e = event(SYNCHRONIZATION, false);
    let m = mutant(true);
    let s = semaphore(0, 2);
    let job = Job::new(Op::All, &[e, m, s], 3000);
    let th = start(&job, false);
    check!(until_started(&job, 1));
    // SAFETY: no pointers.
    unsafe {
        NtSetEvent(e, core::ptr::null_mut());
        sleep_ms(50);
        check!(!job.done(), "event alone");
        NtReleaseSemaphore(s, 1, core::ptr::null_mut());
        sleep_ms(50);
        check!(!job.done(), "event and semaphore, mutant still owned");
        check_eq!(
            query_event(e),
            Ok((1, 1)),
            "a WaitAll not satisfied takes nothing"
        );
        check_st!(NtReleaseMutant(m, core::ptr::null_mut()), STATUS_SUCCESS);
    }
    check_st!(join(th, 2000), STATUS_SUCCESS);
    check_eq!(job.status(), Some(STATUS_SUCCESS), "WaitAll completed");
    check_eq!(query_event(e), Ok((1, 0)), "took the event");
    check_eq!(query_semaphore(s), Ok((0, 2)), "took the semaphore");
    // It ended owning the mutant: abandoned now.
    check_eq!(
        query_mutant(m),
        Ok((1, 0, 1)),
        "took the mutant (then abandoned it)"
    );
    close(e);
    close(m);
    close(s);
}

/// A thread that ends owning a mutant abandons it: the next waiter gets
/// STATUS_ABANDONED_WAIT_0 and owns it (Wine's sync.c test_mutant).
fn abandoned() {
    let m = mutant(false);
    let go = event(NOTIFICATION, false);
    let job = Job::new(Op::HoldMutant, &[m, go], 3000);
    let th = start(&job, false);
    check!(until_started(&job, 2), "the worker owns the mutant");
    check_eq!(query_mutant(m), Ok((0, 0, 0)), "owned by the worker");
    check_st!(wait1(m, 0), STATUS_TIMEOUT, "owned by another thread");
    // Let it go and wait for the mutant in one step.
    let long = rel(3000);
    // SAFETY: a valid pointer to a local.
    check_st!(
        unsafe { NtSignalAndWaitForSingleObject(go, m, 0, &long) },
        STATUS_ABANDONED_WAIT_0
    );
    check_eq!(
        query_mutant(m),
        Ok((0, 1, 0)),
        "owned by the waiter, no longer abandoned"
    );
    check_st!(join(th, 2000), STATUS_SUCCESS);
    let mut prev = 0x55;
    // SAFETY: a valid pointer to a local.
    check_st!(unsafe { NtReleaseMutant(m, &mut prev) }, STATUS_SUCCESS);
    check_eq!(prev, 0);
    close(m);

    // Abandoned with nobody waiting: signalled and marked until acquired;
    // WaitAny reports the abandoned index.
    let m = mutant(false);
    let job = Job::new(Op::HoldMutant, &[m, go], 3000);
    let th = start(&job, false);
    check!(until_started(&job, 2));
    check_st!(
        join(th, 2000),
        STATUS_SUCCESS,
        "ends at once: the go event is set"
    );
    check_eq!(query_mutant(m), Ok((1, 0, 1)), "abandoned");
    let never = event(NOTIFICATION, false);
    check_st!(
        wait_n(&[never, m], WAIT_ANY, 0),
        NtStatus::abandoned_wait(1)
    );
    check_eq!(query_mutant(m), Ok((0, 1, 0)));
    close(m);
    close(go);
    close(never);
}

/// Only the owner releases a mutant.
fn not_owner() {
    let m = mutant(true);
    let job = Job::new(Op::ReleaseMutant, &[m], 0);
    let th = start(&job, false);
    check_st!(join(th, 2000), STATUS_SUCCESS);
    check_eq!(
        job.status(),
        Some(STATUS_MUTANT_NOT_OWNED),
        "another thread's release"
    );
    check_eq!(query_mutant(m), Ok((0, 1, 0)), "still ours");
    close(m);
}

/// A thread handle is signalled when the thread ends.
fn thread_handles() {
    let job = Job::new(Op::Nap, &[], 100);
    let th = start(&job, true);
    check_st!(wait1(th, 0), STATUS_TIMEOUT, "a suspended thread");
    let t0 = now();
    // SAFETY: a null previous-count pointer is allowed.
    check_st!(
        unsafe { NtResumeThread(th, core::ptr::null_mut()) },
        STATUS_SUCCESS
    );
    check_st!(wait1(th, 3000), STATUS_SUCCESS, "ended");
    let ms = since_ms(t0);
    check!((70..3000).contains(&ms), "after its 100 ms nap: {ms} ms");
    check_st!(wait1(th, 0), STATUS_SUCCESS, "stays signalled");
    check_eq!(job.status(), Some(STATUS_SUCCESS), "the nap");
    close(th);

    // WaitAll on two threads.
    let j1 = Job::new(Op::Nap, &[], 30);
    let j2 = Job::new(Op::Nap, &[], 90);
    let (t1, t2) = (start(&j1, false), start(&j2, false));
    check_st!(wait_n(&[t1, t2], WAIT_ALL, 3000), STATUS_SUCCESS);
    check!(j1.done() && j2.done(), "both ended");
    check!(
        j1.seq.load(Ordering::Acquire) < j2.seq.load(Ordering::Acquire),
        "the shorter nap ended first"
    );
    join(t1, 100);
    join(t2, 100);
}

/// Closing the handle a thread waits on does not end its wait: the wait
/// holds the object.
fn close_while_waiting() {
    let e = event(NOTIFICATION, false);
    let job = Job::new(Op::Single, &[e], 300);
    let th = start(&job, false);
    check!(until_started(&job, 1));
    close(e);
    sleep_ms(30);
    check!(!job.done(), "still waiting after the close");
    join(th, 2000);
    check_eq!(
        job.status(),
        Some(STATUS_TIMEOUT),
        "the wait ran to its timeout"
    );
}

/// Starts nt-child.exe with `cmd` (its first thread suspended, as
/// RtlCreateUserProcess leaves it): (process, thread).
fn spawn_child(cmd: &[u16]) -> Option<(Handle, Handle)> {
    let image = us(w!("\\SystemRoot\\system32\\nt-child.exe"));
    let cmd = us(cmd);
    let mut p: *mut RtlUserProcessParameters = core::ptr::null_mut();
    // SAFETY: valid strings and output pointers.
    let st = unsafe {
        RtlCreateProcessParameters(
            &mut p,
            &image,
            core::ptr::null(),
            core::ptr::null(),
            &cmd,
            0,
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
        )
    };
    if !check_eq!(st, STATUS_SUCCESS, "parameters for nt-child") {
        return None;
    }
    // SAFETY: plain data; all-zero is valid.
    let mut info: RtlUserProcessInformation = unsafe { core::mem::zeroed() };
    // SAFETY: valid pointers; `p` is destroyed after.
    let st = unsafe {
        RtlCreateUserProcess(
            &image,
            0,
            p,
            0,
            0,
            Handle::NULL,
            0,
            Handle::NULL,
            Handle::NULL,
            &mut info,
        )
    };
    // SAFETY: `p` came from RtlCreateProcessParameters.
    unsafe { RtlDestroyProcessParameters(p) };
    if !check_eq!(st, STATUS_SUCCESS, "RtlCreateUserProcess") {
        return None;
    }
    Some((info.process_handle, info.thread_handle))
}

/// A process handle is signalled when the process ends.
fn child_process() {
    if let Some((ph, th)) = spawn_child(w!("nt-child.exe return 21")) {
        check_st!(wait1(ph, 0), STATUS_TIMEOUT, "its thread is suspended");
        // SAFETY: no pointers.
        check_st!(
            unsafe { NtResumeThread(th, core::ptr::null_mut()) },
            STATUS_SUCCESS
        );
        let never = event(NOTIFICATION, false);
        check_st!(
            wait_n(&[never, ph], WAIT_ANY, 5000),
            STATUS_WAIT_1,
            "the child ended"
        );
        check_st!(wait1(th, 1000), STATUS_SUCCESS, "and its thread");
        close(never);
        close(th);
        close(ph);
    }
    if let Some((ph, th)) = spawn_child(w!("nt-child.exe wait")) {
        // SAFETY: no pointers.
        check_st!(
            unsafe { NtResumeThread(th, core::ptr::null_mut()) },
            STATUS_SUCCESS
        );
        check_st!(wait1(ph, 100), STATUS_TIMEOUT, "the child runs on");
        // SAFETY: no pointers.
        check_st!(unsafe { NtTerminateProcess(ph, 3) }, STATUS_SUCCESS);
        check_st!(wait1(ph, 5000), STATUS_SUCCESS, "terminated");
        check_st!(wait1(th, 1000), STATUS_SUCCESS);
        close(th);
        close(ph);
    }
}
