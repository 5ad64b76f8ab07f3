//! The dispatcher objects one thread at a time: events, mutants,
//! semaphores and timers created, opened by name in \BaseNamedObjects,
//! signalled and queried, with their previous-state outputs, the query
//! classes and lengths, and bad input (handles, pointers, parameters).

use crate::*;
use nt_test::nt::NtCreateEvent;
use nt_test::nt_abi::consts::*;
use nt_test::nt_abi::status::*;
use nt_test::nt_abi::types::{Handle, ObjectAttributes};
use nt_test::nt_abi::NtStatus;
use nt_test::util::{bad, oa, us};
use nt_test::{check, check_eq, w};

/// A handle value nothing in this process uses.
const BOGUS: Handle = Handle(0xdead_bee0);

pub fn run() {
    events();
    event_bad_input();
    mutants();
    semaphores();
    timers();
    named();
    access();
}

/// Creates an unnamed event; NULL when creation failed (a failed check).
pub fn event(kind: u32, initial: bool) -> Handle {
    let mut h = Handle::NULL;
    // SAFETY: a valid output pointer.
    check_st!(
        unsafe {
            NtCreateEvent(
                &mut h,
                EVENT_ALL_ACCESS,
                core::ptr::null(),
                kind,
                initial as u8,
            )
        },
        STATUS_SUCCESS
    );
    h
}

pub fn mutant(owned: bool) -> Handle {
    let mut h = Handle::NULL;
    // SAFETY: a valid output pointer.
    check_st!(
        unsafe { NtCreateMutant(&mut h, MUTANT_ALL_ACCESS, core::ptr::null(), owned as u8) },
        STATUS_SUCCESS
    );
    h
}

pub fn semaphore(initial: i32, maximum: i32) -> Handle {
    let mut h = Handle::NULL;
    // SAFETY: a valid output pointer.
    check_st!(
        unsafe {
            NtCreateSemaphore(
                &mut h,
                SEMAPHORE_ALL_ACCESS,
                core::ptr::null(),
                initial,
                maximum,
            )
        },
        STATUS_SUCCESS
    );
    h
}

pub fn timer(kind: u32) -> Handle {
    let mut h = Handle::NULL;
    // SAFETY: a valid output pointer.
    check_st!(
        unsafe { NtCreateTimer(&mut h, TIMER_ALL_ACCESS, core::ptr::null(), kind) },
        STATUS_SUCCESS
    );
    h
}

/// EVENT_BASIC_INFORMATION: (EventType, EventState), or the failure.
pub fn query_event(h: Handle) -> Result<(u32, i32), NtStatus> {
    let mut b = [0u32; 2];
    let mut len = 0u32;
    // SAFETY: an 8-byte buffer and a valid length pointer.
    let st = unsafe { NtQueryEvent(h, 0, b.as_mut_ptr() as *mut u8, 8, &mut len) };
    if st != STATUS_SUCCESS {
        return Err(st);
    }
    check_eq!(len, 8, "EVENT_BASIC_INFORMATION return length");
    Ok((b[0], b[1] as i32))
}

/// MUTANT_BASIC_INFORMATION: (CurrentCount, OwnedByCaller, AbandonedState).
pub fn query_mutant(h: Handle) -> Result<(i32, u8, u8), NtStatus> {
    let mut b = [0xCCu8; 8];
    let mut len = 0u32;
    // SAFETY: an 8-byte buffer and a valid length pointer.
    let st = unsafe { NtQueryMutant(h, 0, b.as_mut_ptr(), 8, &mut len) };
    if st != STATUS_SUCCESS {
        return Err(st);
    }
    check_eq!(len, 8, "MUTANT_BASIC_INFORMATION return length");
    Ok((i32::from_le_bytes([b[0], b[1], b[2], b[3]]), b[4], b[5]))
}

/// SEMAPHORE_BASIC_INFORMATION: (CurrentCount, MaximumCount).
pub fn query_semaphore(h: Handle) -> Result<(i32, i32), NtStatus> {
    let mut b = [0i32; 2];
    let mut len = 0u32;
    // SAFETY: an 8-byte buffer and a valid length pointer.
    let st = unsafe { NtQuerySemaphore(h, 0, b.as_mut_ptr() as *mut u8, 8, &mut len) };
    if st != STATUS_SUCCESS {
        return Err(st);
    }
    check_eq!(len, 8, "SEMAPHORE_BASIC_INFORMATION return length");
    Ok((b[0], b[1]))
}

/// TIMER_BASIC_INFORMATION: (RemainingTime, TimerState).
pub fn query_timer(h: Handle) -> Result<(i64, u8), NtStatus> {
    let mut b = [0xCCu8; 16];
    let mut len = 0u32;
    // SAFETY: a 16-byte buffer and a valid length pointer.
    let st = unsafe { NtQueryTimer(h, 0, b.as_mut_ptr(), 16, &mut len) };
    if st != STATUS_SUCCESS {
        return Err(st);
    }
    check_eq!(len, 16, "TIMER_BASIC_INFORMATION return length");
    Ok((i64::from_le_bytes(b[..8].try_into().unwrap()), b[8]))
}

fn events() {
    // Wine's ntdll sync.c test_event sequence, as Windows answers it.
    let n = event(NOTIFICATION, false);
    check_eq!(
        query_event(n),
        Ok((0, 0)),
        "notification event, unsignalled"
    );
    let mut prev = 0x55i32;
    // SAFETY: valid pointers to locals throughout.
    unsafe {
        check_st!(NtSetEvent(n, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 0);
        check_st!(NtSetEvent(n, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 1, "set twice: it was signalled");
        check_eq!(query_event(n), Ok((0, 1)));
        // A notification event stays signalled through any number of waits.
        check_st!(wait1(n, 0), STATUS_SUCCESS);
        check_st!(wait1(n, 0), STATUS_SUCCESS);
        check_st!(NtResetEvent(n, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 1);
        check_st!(NtResetEvent(n, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 0);
        check_st!(wait1(n, 0), STATUS_TIMEOUT, "poll of an unsignalled event");
        check_st!(
            NtSetEvent(n, core::ptr::null_mut()),
            STATUS_SUCCESS,
            "no previous state wanted"
        );
        check_st!(NtClearEvent(n), STATUS_SUCCESS);
        check_eq!(query_event(n), Ok((0, 0)), "cleared");
        // A pulse with nobody waiting leaves it unsignalled.
        check_st!(NtPulseEvent(n, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 0);
        check_eq!(query_event(n), Ok((0, 0)), "after a pulse");
    }
    close(n);

    let s = event(SYNCHRONIZATION, true);
    check_eq!(
        query_event(s),
        Ok((1, 1)),
        "synchronization event, signalled"
    );
    let mut prev = 0x55i32;
    // SAFETY: valid pointers to locals throughout.
    unsafe {
        // Satisfying a wait resets it.
        check_st!(wait1(s, 0), STATUS_SUCCESS);
        check_eq!(query_event(s), Ok((1, 0)), "auto-reset by the wait");
        check_st!(wait1(s, 0), STATUS_TIMEOUT);
        check_st!(NtPulseEvent(s, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 0);
        check_st!(NtSetEvent(s, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 0);
        check_st!(NtPulseEvent(s, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 1, "pulse of a signalled event");
        check_eq!(query_event(s), Ok((1, 0)));
    }
    close(s);

    // Created signalled: a notification event.
    let n = event(NOTIFICATION, true);
    check_eq!(query_event(n), Ok((0, 1)));
    close(n);
}

fn event_bad_input() {
    let mut h = Handle::NULL;
    let e = event(NOTIFICATION, false);
    let m = mutant(false);
    let mut info = [0u8; 16];
    let mut len = 0u32;
    // SAFETY: the pointers are valid or are the bad addresses under test,
    // which the Executive must refuse.
    unsafe {
        check_st!(
            NtCreateEvent(&mut h, EVENT_ALL_ACCESS, core::ptr::null(), 2, 0),
            STATUS_INVALID_PARAMETER,
            "EVENT_TYPE 2"
        );
        check_st!(
            NtCreateEvent(&mut h, EVENT_ALL_ACCESS, core::ptr::null(), u32::MAX, 0),
            STATUS_INVALID_PARAMETER
        );
        check_st!(
            NtCreateEvent(
                core::ptr::null_mut(),
                EVENT_ALL_ACCESS,
                core::ptr::null(),
                0,
                0
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtCreateEvent(
                bad::KERNEL as *mut Handle,
                EVENT_ALL_ACCESS,
                core::ptr::null(),
                0,
                0
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtCreateEvent(
                &mut h,
                EVENT_ALL_ACCESS,
                bad::UNMAPPED as *const ObjectAttributes,
                0,
                0
            ),
            STATUS_ACCESS_VIOLATION
        );
        for bogus in [Handle::NULL, BOGUS] {
            check_st!(
                NtSetEvent(bogus, core::ptr::null_mut()),
                STATUS_INVALID_HANDLE
            );
            check_st!(
                NtResetEvent(bogus, core::ptr::null_mut()),
                STATUS_INVALID_HANDLE
            );
            check_st!(
                NtPulseEvent(bogus, core::ptr::null_mut()),
                STATUS_INVALID_HANDLE
            );
            check_st!(NtClearEvent(bogus), STATUS_INVALID_HANDLE);
            check_st!(
                NtQueryEvent(bogus, 0, info.as_mut_ptr(), 8, core::ptr::null_mut()),
                STATUS_INVALID_HANDLE
            );
        }
        // Another type's handle.
        check_st!(
            NtSetEvent(m, core::ptr::null_mut()),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(
            NtResetEvent(m, core::ptr::null_mut()),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(
            NtPulseEvent(m, core::ptr::null_mut()),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(
            NtClearEvent(Handle::CURRENT_PROCESS),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(
            NtQueryEvent(m, 0, info.as_mut_ptr(), 8, core::ptr::null_mut()),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        // A bad previous-state pointer is refused before the event changes.
        check_st!(
            NtSetEvent(e, bad::KERNEL as *mut i32),
            STATUS_ACCESS_VIOLATION
        );
        check_eq!(query_event(e), Ok((0, 0)), "not set through a bad pointer");
        check_st!(
            NtResetEvent(e, bad::UNMAPPED as *mut i32),
            STATUS_ACCESS_VIOLATION
        );
        // Query: the class, then the length (exactly 8), then the buffers.
        check_st!(
            NtQueryEvent(e, 1, info.as_mut_ptr(), 8, core::ptr::null_mut()),
            STATUS_INVALID_INFO_CLASS
        );
        check_st!(
            NtQueryEvent(e, 0, info.as_mut_ptr(), 0, core::ptr::null_mut()),
            STATUS_INFO_LENGTH_MISMATCH
        );
        check_st!(
            NtQueryEvent(e, 0, info.as_mut_ptr(), 4, &mut len),
            STATUS_INFO_LENGTH_MISMATCH
        );
        check_st!(
            NtQueryEvent(e, 0, info.as_mut_ptr(), 16, &mut len),
            STATUS_INFO_LENGTH_MISMATCH
        );
        check_st!(
            NtQueryEvent(e, 0, core::ptr::null_mut(), 8, core::ptr::null_mut()),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtQueryEvent(e, 0, bad::KERNEL as *mut u8, 8, core::ptr::null_mut()),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtQueryEvent(e, 0, info.as_mut_ptr(), 8, bad::UNMAPPED as *mut u32),
            STATUS_ACCESS_VIOLATION
        );
        // A closed handle.
        close(e);
        check_st!(
            NtSetEvent(e, core::ptr::null_mut()),
            STATUS_INVALID_HANDLE,
            "closed handle"
        );
    }
    close(m);
}

fn mutants() {
    // Wine's sync.c test_mutant sequence.
    let m = mutant(true);
    let mut prev = 0x55i32;
    check_eq!(query_mutant(m), Ok((0, 1, 0)), "created owned");
    // SAFETY: valid pointers to locals throughout.
    unsafe {
        check_st!(wait1(m, 0), STATUS_SUCCESS, "the owner acquires it again");
        check_st!(wait1(m, 0), STATUS_SUCCESS);
        check_eq!(query_mutant(m), Ok((-2, 1, 0)), "owned three times");
        check_st!(NtReleaseMutant(m, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, -2);
        check_st!(NtReleaseMutant(m, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, -1);
        check_st!(NtReleaseMutant(m, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 0, "last release");
        check_eq!(query_mutant(m), Ok((1, 0, 0)), "free");
        prev = 0x55;
        check_st!(NtReleaseMutant(m, &mut prev), STATUS_MUTANT_NOT_OWNED);
        check_eq!(prev, 0x55, "untouched on failure");
        check_st!(wait1(m, 0), STATUS_SUCCESS, "a free mutant is acquired");
        check_eq!(query_mutant(m), Ok((0, 1, 0)));
        check_st!(NtReleaseMutant(m, core::ptr::null_mut()), STATUS_SUCCESS);

        let mut info = [0u8; 8];
        check_st!(
            NtQueryMutant(m, 0, info.as_mut_ptr(), 0, core::ptr::null_mut()),
            STATUS_INFO_LENGTH_MISMATCH
        );
        check_st!(
            NtQueryMutant(m, 0x42, info.as_mut_ptr(), 8, core::ptr::null_mut()),
            STATUS_INVALID_INFO_CLASS
        );
        check_st!(
            NtQueryMutant(BOGUS, 0, info.as_mut_ptr(), 8, core::ptr::null_mut()),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtQueryMutant(m, 0, bad::KERNEL as *mut u8, 8, core::ptr::null_mut()),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtReleaseMutant(BOGUS, core::ptr::null_mut()),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtReleaseMutant(Handle::CURRENT_THREAD, core::ptr::null_mut()),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        let mut h = Handle::NULL;
        check_st!(
            NtCreateMutant(
                core::ptr::null_mut(),
                MUTANT_ALL_ACCESS,
                core::ptr::null(),
                0
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtCreateMutant(
                &mut h,
                MUTANT_ALL_ACCESS,
                bad::KERNEL as *const ObjectAttributes,
                0
            ),
            STATUS_ACCESS_VIOLATION
        );
    }
    close(m);
}

fn semaphores() {
    let mut h = Handle::NULL;
    // SAFETY: valid pointers to locals throughout.
    unsafe {
        // Wine's sync.c test_semaphore: initial above the maximum.
        check_st!(
            NtCreateSemaphore(&mut h, SEMAPHORE_ALL_ACCESS, core::ptr::null(), 2, 1),
            STATUS_INVALID_PARAMETER
        );
        check_st!(
            NtCreateSemaphore(&mut h, SEMAPHORE_ALL_ACCESS, core::ptr::null(), 0, 0),
            STATUS_INVALID_PARAMETER,
            "maximum 0"
        );
        check_st!(
            NtCreateSemaphore(&mut h, SEMAPHORE_ALL_ACCESS, core::ptr::null(), 0, -1),
            STATUS_INVALID_PARAMETER
        );
        check_st!(
            NtCreateSemaphore(&mut h, SEMAPHORE_ALL_ACCESS, core::ptr::null(), -1, 1),
            STATUS_INVALID_PARAMETER
        );
        check_st!(
            NtCreateSemaphore(
                core::ptr::null_mut(),
                SEMAPHORE_ALL_ACCESS,
                core::ptr::null(),
                0,
                1
            ),
            STATUS_ACCESS_VIOLATION
        );
    }
    let s = semaphore(1, 2);
    check_eq!(query_semaphore(s), Ok((1, 2)));
    let mut prev = 0x55i32;
    // SAFETY: valid pointers to locals, or bad ones under test.
    unsafe {
        check_st!(wait1(s, 0), STATUS_SUCCESS);
        check_eq!(query_semaphore(s), Ok((0, 2)), "a wait takes one");
        check_st!(wait1(s, 0), STATUS_TIMEOUT);
        check_st!(
            NtReleaseSemaphore(s, 3, &mut prev),
            STATUS_SEMAPHORE_LIMIT_EXCEEDED
        );
        check_eq!(prev, 0x55, "untouched on failure");
        check_st!(NtReleaseSemaphore(s, 1, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 0);
        check_st!(NtReleaseSemaphore(s, 1, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 1);
        check_st!(
            NtReleaseSemaphore(s, 1, &mut prev),
            STATUS_SEMAPHORE_LIMIT_EXCEEDED
        );
        check_eq!(query_semaphore(s), Ok((2, 2)));
        check_st!(
            NtReleaseSemaphore(s, 0, core::ptr::null_mut()),
            STATUS_INVALID_PARAMETER,
            "release 0"
        );
        check_st!(
            NtReleaseSemaphore(s, -1, core::ptr::null_mut()),
            STATUS_INVALID_PARAMETER
        );
        check_st!(wait1(s, 0), STATUS_SUCCESS);
        check_st!(wait1(s, 0), STATUS_SUCCESS);
        check_st!(
            NtReleaseSemaphore(s, 2, &mut prev),
            STATUS_SUCCESS,
            "release two at once"
        );
        check_eq!(prev, 0);
        let mut info = [0u8; 8];
        check_st!(
            NtQuerySemaphore(s, 0, info.as_mut_ptr(), 0, core::ptr::null_mut()),
            STATUS_INFO_LENGTH_MISMATCH
        );
        check_st!(
            NtQuerySemaphore(s, 0x42, info.as_mut_ptr(), 8, core::ptr::null_mut()),
            STATUS_INVALID_INFO_CLASS
        );
        check_st!(
            NtQuerySemaphore(BOGUS, 0, info.as_mut_ptr(), 8, core::ptr::null_mut()),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtReleaseSemaphore(BOGUS, 1, core::ptr::null_mut()),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtReleaseSemaphore(Handle::CURRENT_PROCESS, 1, core::ptr::null_mut()),
            STATUS_OBJECT_TYPE_MISMATCH
        );
    }
    close(s);
    // A count near the LONG limit does not wrap.
    let big = semaphore(1, i32::MAX);
    // SAFETY: no pointers.
    check_st!(
        unsafe { NtReleaseSemaphore(big, i32::MAX, core::ptr::null_mut()) },
        STATUS_SEMAPHORE_LIMIT_EXCEEDED
    );
    check_eq!(query_semaphore(big), Ok((1, i32::MAX)));
    close(big);
}

fn timers() {
    let mut h = Handle::NULL;
    // SAFETY: valid pointers to locals, or bad ones under test.
    unsafe {
        // NtCreateTimer checks the type first: STATUS_INVALID_PARAMETER_4
        // (the WRK's ex/timer.c; ReactOS the same).
        check_st!(
            NtCreateTimer(&mut h, TIMER_ALL_ACCESS, core::ptr::null(), 2),
            STATUS_INVALID_PARAMETER_4
        );
        check_st!(
            NtCreateTimer(
                core::ptr::null_mut(),
                TIMER_ALL_ACCESS,
                core::ptr::null(),
                0
            ),
            STATUS_ACCESS_VIOLATION
        );
    }
    let t = timer(NOTIFICATION);
    check_eq!(
        query_timer(t).map(|q| q.1),
        Ok(0),
        "a new timer is unsignalled"
    );
    let mut state = 0x55u8;
    // SAFETY: valid pointers to locals, or bad ones under test.
    unsafe {
        check_st!(NtCancelTimer(t, &mut state), STATUS_SUCCESS);
        check_eq!(state, 0, "cancel of a timer never set");
        check_st!(wait1(t, 0), STATUS_TIMEOUT);
        // Due in 10 s: set, not signalled, time remaining within 10 s.
        let due = rel(10_000);
        check_st!(NtSetTimer(t, &due, 0, 0, 0, 0, &mut state), STATUS_SUCCESS);
        check_eq!(state, 0, "previous state");
        match query_timer(t) {
            Ok((left, st)) => {
                check!(left > 0 && left <= 10_000 * MS, "remaining {left}");
                check_eq!(st, 0);
            }
            Err(e) => {
                check!(false, "NtQueryTimer: {e}");
            }
        }
        check_st!(NtCancelTimer(t, &mut state), STATUS_SUCCESS);
        check_eq!(state, 0, "cancelled before it fired");
        check_st!(
            wait1(t, 100),
            STATUS_TIMEOUT,
            "a cancelled timer does not fire"
        );
        // Due in the past (absolute time 1): fires at once and stays
        // signalled (a notification timer).
        let past = 1i64;
        check_st!(
            NtSetTimer(t, &past, 0, 0, 0, 0, core::ptr::null_mut()),
            STATUS_SUCCESS
        );
        check_st!(wait1(t, 100), STATUS_SUCCESS);
        check_st!(
            wait1(t, 0),
            STATUS_SUCCESS,
            "notification timer stays signalled"
        );
        check_eq!(query_timer(t).map(|q| q.1), Ok(1));
        check_st!(NtCancelTimer(t, &mut state), STATUS_SUCCESS);
        check_eq!(state, 1, "cancel keeps and reports the signal state");
        // Setting it again resets the state and reports the old one.
        check_st!(NtSetTimer(t, &due, 0, 0, 0, 0, &mut state), STATUS_SUCCESS);
        check_eq!(state, 1, "previous state of a fired timer");
        check_st!(wait1(t, 0), STATUS_TIMEOUT, "set again: unsignalled");
        check_st!(NtCancelTimer(t, core::ptr::null_mut()), STATUS_SUCCESS);

        check_st!(
            NtSetTimer(t, &due, 0, 0, 0, -1, core::ptr::null_mut()),
            STATUS_INVALID_PARAMETER_6,
            "negative period"
        );
        check_st!(
            NtSetTimer(t, core::ptr::null(), 0, 0, 0, 0, core::ptr::null_mut()),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtSetTimer(
                t,
                bad::KERNEL as *const i64,
                0,
                0,
                0,
                0,
                core::ptr::null_mut()
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtSetTimer(BOGUS, &due, 0, 0, 0, 0, core::ptr::null_mut()),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtCancelTimer(BOGUS, core::ptr::null_mut()),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtCancelTimer(Handle::CURRENT_THREAD, core::ptr::null_mut()),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        let mut info = [0u8; 16];
        check_st!(
            NtQueryTimer(t, 0, info.as_mut_ptr(), 8, core::ptr::null_mut()),
            STATUS_INFO_LENGTH_MISMATCH
        );
        check_st!(
            NtQueryTimer(t, 0x42, info.as_mut_ptr(), 16, core::ptr::null_mut()),
            STATUS_INVALID_INFO_CLASS
        );
        check_st!(
            NtQueryTimer(BOGUS, 0, info.as_mut_ptr(), 16, core::ptr::null_mut()),
            STATUS_INVALID_HANDLE
        );
    }
    close(t);

    // A synchronization timer: one wait takes the signal.
    let s = timer(SYNCHRONIZATION);
    let past = 1i64;
    // SAFETY: valid pointers to locals.
    unsafe {
        check_st!(
            NtSetTimer(s, &past, 0, 0, 0, 0, core::ptr::null_mut()),
            STATUS_SUCCESS
        );
        check_st!(wait1(s, 100), STATUS_SUCCESS);
        check_st!(wait1(s, 0), STATUS_TIMEOUT, "auto-reset by the wait");
    }
    close(s);
}

/// Named objects in \BaseNamedObjects: create, open, OPENIF, collisions
/// and type mismatches, and lifetime with the last handle.
fn named() {
    let name = us(w!("\\BaseNamedObjects\\nt-wait-event"));
    let attrs = oa(&name, 0, Handle::NULL);
    let attrs_openif = oa(&name, OBJ_OPENIF, Handle::NULL);
    let upper = us(w!("\\BaseNamedObjects\\NT-WAIT-EVENT"));
    let attrs_ci = oa(&upper, OBJ_CASE_INSENSITIVE, Handle::NULL);
    let missing = us(w!("\\BaseNamedObjects\\nt-wait-missing"));
    let attrs_missing = oa(&missing, 0, Handle::NULL);
    let (mut a, mut b, mut c) = (Handle::NULL, Handle::NULL, Handle::NULL);
    // SAFETY: valid pointers to locals throughout.
    unsafe {
        check_st!(
            NtCreateEvent(&mut a, EVENT_ALL_ACCESS, &attrs, NOTIFICATION, 0),
            STATUS_SUCCESS
        );
        check_st!(
            NtCreateEvent(&mut b, EVENT_ALL_ACCESS, &attrs, NOTIFICATION, 0),
            STATUS_OBJECT_NAME_COLLISION
        );
        check_st!(
            NtCreateEvent(&mut b, EVENT_ALL_ACCESS, &attrs_openif, SYNCHRONIZATION, 1),
            STATUS_OBJECT_NAME_EXISTS
        );
        // The same object: OPENIF's type and state arguments are ignored.
        check_st!(NtSetEvent(a, core::ptr::null_mut()), STATUS_SUCCESS);
        check_eq!(query_event(b), Ok((0, 1)), "one object behind both handles");
        check_st!(
            NtOpenEvent(&mut c, EVENT_ALL_ACCESS, &attrs),
            STATUS_SUCCESS
        );
        check_st!(NtResetEvent(c, core::ptr::null_mut()), STATUS_SUCCESS);
        check_eq!(query_event(a), Ok((0, 0)));
        close(c);
        check_st!(
            NtOpenEvent(&mut c, EVENT_ALL_ACCESS, &attrs_ci),
            STATUS_SUCCESS,
            "OBJ_CASE_INSENSITIVE"
        );
        close(c);
        check_st!(
            NtOpenEvent(&mut c, EVENT_ALL_ACCESS, &attrs_missing),
            STATUS_OBJECT_NAME_NOT_FOUND
        );
        check_st!(
            NtOpenEvent(
                &mut c,
                EVENT_ALL_ACCESS,
                bad::UNMAPPED as *const ObjectAttributes
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtOpenEvent(core::ptr::null_mut(), EVENT_ALL_ACCESS, &attrs),
            STATUS_ACCESS_VIOLATION
        );
        // Another type under the name (Windows 7 and later:
        // STATUS_OBJECT_TYPE_MISMATCH, as Wine's om.c records).
        check_st!(
            NtCreateMutant(&mut c, MUTANT_ALL_ACCESS, &attrs, 0),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(
            NtOpenMutant(&mut c, MUTANT_ALL_ACCESS, &attrs),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(
            NtOpenSemaphore(&mut c, SEMAPHORE_ALL_ACCESS, &attrs),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(
            NtOpenTimer(&mut c, TIMER_ALL_ACCESS, &attrs),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        // The name goes with the last handle.
        close(a);
        close(b);
        check_st!(
            NtOpenEvent(&mut c, EVENT_ALL_ACCESS, &attrs),
            STATUS_OBJECT_NAME_NOT_FOUND,
            "gone with its handles"
        );

        // Each type by name.
        let mname = us(w!("\\BaseNamedObjects\\nt-wait-mutant"));
        let mattrs = oa(&mname, 0, Handle::NULL);
        check_st!(
            NtCreateMutant(&mut a, MUTANT_ALL_ACCESS, &mattrs, 1),
            STATUS_SUCCESS
        );
        check_st!(
            NtOpenMutant(&mut b, MUTANT_ALL_ACCESS, &mattrs),
            STATUS_SUCCESS
        );
        check_st!(
            NtReleaseMutant(b, core::ptr::null_mut()),
            STATUS_SUCCESS,
            "released through the other handle"
        );
        check_eq!(query_mutant(a), Ok((1, 0, 0)));
        check_st!(
            NtOpenEvent(&mut c, EVENT_ALL_ACCESS, &mattrs),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        close(a);
        close(b);

        let sname = us(w!("\\BaseNamedObjects\\nt-wait-semaphore"));
        let sattrs = oa(&sname, 0, Handle::NULL);
        let sattrs_openif = oa(&sname, OBJ_OPENIF, Handle::NULL);
        check_st!(
            NtCreateSemaphore(&mut a, SEMAPHORE_ALL_ACCESS, &sattrs, 0, 5),
            STATUS_SUCCESS
        );
        check_st!(
            NtCreateSemaphore(&mut b, SEMAPHORE_ALL_ACCESS, &sattrs_openif, 3, 9),
            STATUS_OBJECT_NAME_EXISTS
        );
        check_eq!(
            query_semaphore(b),
            Ok((0, 5)),
            "the existing semaphore's counts"
        );
        check_st!(
            NtOpenSemaphore(&mut c, SEMAPHORE_ALL_ACCESS, &sattrs),
            STATUS_SUCCESS
        );
        check_st!(
            NtReleaseSemaphore(c, 2, core::ptr::null_mut()),
            STATUS_SUCCESS
        );
        check_eq!(query_semaphore(a), Ok((2, 5)));
        close(a);
        close(b);
        close(c);

        let tname = us(w!("\\BaseNamedObjects\\nt-wait-timer"));
        let tattrs = oa(&tname, 0, Handle::NULL);
        check_st!(
            NtCreateTimer(&mut a, TIMER_ALL_ACCESS, &tattrs, NOTIFICATION),
            STATUS_SUCCESS
        );
        check_st!(
            NtOpenTimer(&mut b, TIMER_ALL_ACCESS, &tattrs),
            STATUS_SUCCESS
        );
        let past = 1i64;
        check_st!(
            NtSetTimer(a, &past, 0, 0, 0, 0, core::ptr::null_mut()),
            STATUS_SUCCESS
        );
        check_st!(
            wait1(b, 100),
            STATUS_SUCCESS,
            "fired, seen through the other handle"
        );
        close(a);
        close(b);
    }
}

/// Handles carry the rights they were opened with.
fn access() {
    let mut q = Handle::NULL;
    // SAFETY: valid pointers to locals.
    unsafe {
        check_st!(
            NtCreateEvent(
                &mut q,
                EVENT_QUERY_STATE,
                core::ptr::null(),
                NOTIFICATION,
                0
            ),
            STATUS_SUCCESS
        );
        check_st!(
            NtSetEvent(q, core::ptr::null_mut()),
            STATUS_ACCESS_DENIED,
            "no EVENT_MODIFY_STATE"
        );
        check_st!(wait1(q, 0), STATUS_ACCESS_DENIED, "no SYNCHRONIZE");
        check!(query_event(q).is_ok(), "EVENT_QUERY_STATE allows the query");
    }
    close(q);
    let mut s = Handle::NULL;
    // SAFETY: valid pointers to locals.
    unsafe {
        check_st!(
            NtCreateSemaphore(&mut s, SYNCHRONIZE, core::ptr::null(), 1, 1),
            STATUS_SUCCESS
        );
        check_st!(
            NtReleaseSemaphore(s, 1, core::ptr::null_mut()),
            STATUS_ACCESS_DENIED
        );
        check_eq!(
            query_semaphore(s),
            Err(STATUS_ACCESS_DENIED),
            "no SEMAPHORE_QUERY_STATE"
        );
        check_st!(wait1(s, 0), STATUS_SUCCESS, "SYNCHRONIZE allows the wait");
    }
    close(s);
}
