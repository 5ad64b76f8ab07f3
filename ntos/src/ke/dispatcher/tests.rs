//! Table-driven tests of the dispatcher against Windows behaviour (the WRK /
//! ReactOS kernel rules and Wine's tests of the same services).

use super::*;
use alloc::vec;

const P: Id = 1;
const A: Id = 10;
const B: Id = 11;
const C: Id = 12;
const D: Id = 13;
const E1: Id = 100;
const E2: Id = 101;
const M1: Id = 110;
const M2: Id = 111;
const S1: Id = 120;
const T1: Id = 130;
const T2: Id = 131;
const T3: Id = 132;
const NOW: i64 = 1_000_000;
const ANY: WaitType = WaitType::Any;
const ALL: WaitType = WaitType::All;

/// A process with threads A, B, C, D at time NOW.
fn setup() -> Dispatcher {
    let mut d = Dispatcher::new(NOW);
    d.create_process(P).unwrap();
    for t in [A, B, C, D] {
        d.create_thread(t, P).unwrap();
    }
    d
}

fn wk(thread: Id, status: NtStatus) -> Wake {
    Wake {
        thread,
        status,
        apc: None,
    }
}

fn apc(n: u64) -> UserApc {
    UserApc {
        routine: 0x1000 + n,
        args: [n, n + 1, n + 2],
    }
}

fn block(d: &mut Dispatcher, t: Id, objs: &[Id], kind: WaitType) {
    assert_eq!(
        d.wait(t, objs, kind, false, None),
        Ok(None),
        "thread {t} should block"
    );
}

fn threads(w: &[Wake]) -> Vec<Id> {
    w.iter().map(|w| w.thread).collect()
}

// ---- events ----

#[test]
fn notification_set_wakes_all_fifo_and_stays_signalled() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    for t in [C, A, B] {
        block(&mut d, t, &[E1], ANY);
    }
    let s = d.set_event(E1).unwrap();
    assert_eq!(s.previous, 0);
    assert_eq!(
        s.wakes,
        vec![
            wk(C, STATUS_WAIT_0),
            wk(A, STATUS_WAIT_0),
            wk(B, STATUS_WAIT_0)
        ]
    );
    assert_eq!(d.query_event(E1), Ok((EventType::Notification, true)));
}

#[test]
fn synchronization_set_wakes_one_and_resets() {
    let mut d = setup();
    d.create_event(E1, EventType::Synchronization, false)
        .unwrap();
    block(&mut d, B, &[E1], ANY);
    block(&mut d, A, &[E1], ANY);
    let s = d.set_event(E1).unwrap();
    assert_eq!(s.wakes, vec![wk(B, STATUS_WAIT_0)]);
    assert_eq!(d.query_event(E1).unwrap().1, false);
    assert_eq!(d.set_event(E1).unwrap().wakes, vec![wk(A, STATUS_WAIT_0)]);
}

#[test]
fn synchronization_set_without_waiters_stays_until_consumed() {
    let mut d = setup();
    d.create_event(E1, EventType::Synchronization, false)
        .unwrap();
    assert!(d.set_event(E1).unwrap().wakes.is_empty());
    assert_eq!(d.query_event(E1).unwrap().1, true);
    assert_eq!(
        d.wait(A, &[E1], ANY, false, None),
        Ok(Some(wk(A, STATUS_WAIT_0)))
    );
    assert_eq!(d.query_event(E1).unwrap().1, false);
    assert_eq!(
        d.wait(B, &[E1], ANY, false, Some(0)),
        Ok(Some(wk(B, STATUS_TIMEOUT)))
    );
}

#[test]
fn set_and_reset_return_previous_state() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, true).unwrap();
    assert_eq!(d.set_event(E1).unwrap().previous, 1);
    assert_eq!(d.reset_event(E1), Ok(1));
    assert_eq!(d.reset_event(E1), Ok(0));
    assert_eq!(d.set_event(E1).unwrap().previous, 0);
}

#[test]
fn pulse_notification_wakes_current_waiters_then_resets() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    block(&mut d, A, &[E1], ANY);
    block(&mut d, B, &[E1], ANY);
    let s = d.pulse_event(E1).unwrap();
    assert_eq!((s.previous, threads(&s.wakes)), (0, vec![A, B]));
    assert_eq!(d.query_event(E1).unwrap().1, false);
    assert_eq!(
        d.wait(C, &[E1], ANY, false, Some(0)),
        Ok(Some(wk(C, STATUS_TIMEOUT)))
    );
}

#[test]
fn pulse_synchronization_wakes_one() {
    let mut d = setup();
    d.create_event(E1, EventType::Synchronization, false)
        .unwrap();
    block(&mut d, A, &[E1], ANY);
    block(&mut d, B, &[E1], ANY);
    assert_eq!(threads(&d.pulse_event(E1).unwrap().wakes), vec![A]);
    assert_eq!(d.query_event(E1).unwrap().1, false);
}

#[test]
fn pulse_without_waiters_leaves_event_unsignalled() {
    let mut d = setup();
    for kind in [EventType::Notification, EventType::Synchronization] {
        let mut d2 = setup();
        d2.create_event(E1, kind, false).unwrap();
        assert_eq!(
            d2.pulse_event(E1).unwrap(),
            Signalled {
                previous: 0,
                wakes: vec![]
            }
        );
        assert_eq!(d2.query_event(E1), Ok((kind, false)));
    }
    d.create_event(E1, EventType::Notification, true).unwrap();
    assert_eq!(d.pulse_event(E1).unwrap().previous, 1);
    assert_eq!(d.query_event(E1).unwrap().1, false);
}

#[test]
fn type_values_from_the_services() {
    assert_eq!(EventType::from_raw(0), Ok(EventType::Notification));
    assert_eq!(EventType::from_raw(1), Ok(EventType::Synchronization));
    assert_eq!(EventType::from_raw(2), Err(STATUS_INVALID_PARAMETER));
    assert_eq!(WaitType::from_raw(0), Ok(WaitType::All));
    assert_eq!(WaitType::from_raw(1), Ok(WaitType::Any));
    assert_eq!(WaitType::from_raw(2), Err(STATUS_INVALID_PARAMETER_3));
}

#[test]
fn wrong_kind_and_unknown_ids() {
    let mut d = setup();
    d.create_semaphore(S1, 0, 1).unwrap();
    let cases: [(Result<(), NtStatus>, NtStatus); 8] = [
        (d.set_event(S1).map(|_| ()), STATUS_OBJECT_TYPE_MISMATCH),
        (d.set_event(999).map(|_| ()), STATUS_INVALID_HANDLE),
        (
            d.release_mutant(S1, A).map(|_| ()),
            STATUS_OBJECT_TYPE_MISMATCH,
        ),
        (
            d.release_semaphore(A, 1).map(|_| ()),
            STATUS_OBJECT_TYPE_MISMATCH,
        ),
        (d.cancel_timer(S1).map(|_| ()), STATUS_OBJECT_TYPE_MISMATCH),
        (d.query_timer(999).map(|_| ()), STATUS_INVALID_HANDLE),
        (
            d.create_event(S1, EventType::Notification, false),
            STATUS_INTERNAL_ERROR,
        ),
        (
            d.wait(999, &[S1], ANY, false, None).map(|_| ()),
            STATUS_INVALID_HANDLE,
        ),
    ];
    for (i, (got, want)) in cases.into_iter().enumerate() {
        assert_eq!(got, Err(want), "case {i}");
    }
}

// ---- mutants ----

#[test]
fn mutant_created_owned() {
    let mut d = setup();
    d.create_mutant(M1, Some(A)).unwrap();
    assert_eq!(
        d.query_mutant(M1, A),
        Ok(MutantInfo {
            current_count: 0,
            owned_by_caller: true,
            abandoned: false
        })
    );
    assert_eq!(d.query_mutant(M1, B).unwrap().owned_by_caller, false);
    block(&mut d, B, &[M1], ANY);
    d.create_mutant(M2, None).unwrap();
    assert_eq!(d.query_mutant(M2, A).unwrap().current_count, 1);
}

#[test]
fn mutant_recursion_and_release_counts() {
    let mut d = setup();
    d.create_mutant(M1, None).unwrap();
    for _ in 0..3 {
        assert_eq!(
            d.wait(A, &[M1], ANY, false, None),
            Ok(Some(wk(A, STATUS_WAIT_0)))
        );
    }
    assert_eq!(d.query_mutant(M1, A).unwrap().current_count, -2);
    let prev: Vec<i32> = (0..3)
        .map(|_| d.release_mutant(M1, A).unwrap().previous)
        .collect();
    assert_eq!(prev, vec![-2, -1, 0]);
    assert_eq!(d.release_mutant(M1, A), Err(STATUS_MUTANT_NOT_OWNED));
}

#[test]
fn mutant_release_by_non_owner() {
    let mut d = setup();
    d.create_mutant(M1, Some(A)).unwrap();
    assert_eq!(d.release_mutant(M1, B), Err(STATUS_MUTANT_NOT_OWNED));
    assert_eq!(d.query_mutant(M1, A).unwrap().current_count, 0);
}

#[test]
fn mutant_release_hands_ownership_to_first_waiter() {
    let mut d = setup();
    d.create_mutant(M1, Some(A)).unwrap();
    block(&mut d, C, &[M1], ANY);
    block(&mut d, B, &[M1], ANY);
    let s = d.release_mutant(M1, A).unwrap();
    assert_eq!((s.previous, s.wakes), (0, vec![wk(C, STATUS_WAIT_0)]));
    assert!(d.query_mutant(M1, C).unwrap().owned_by_caller);
    assert_eq!(
        d.release_mutant(M1, C).unwrap().wakes,
        vec![wk(B, STATUS_WAIT_0)]
    );
}

#[test]
fn abandoned_mutant_goes_to_next_waiter_with_abandoned_status() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    d.create_mutant(M1, Some(A)).unwrap();
    d.create_event(E2, EventType::Notification, false).unwrap();
    assert_eq!(d.wait(B, &[E1, E2, M1], ANY, false, None), Ok(None));
    let w = d.end_thread(A).unwrap();
    assert_eq!(w[0], wk(B, NtStatus::abandoned_wait(2)));
    assert_eq!(
        d.query_mutant(M1, B),
        Ok(MutantInfo {
            current_count: 0,
            owned_by_caller: true,
            abandoned: false
        })
    );
}

#[test]
fn abandoned_mutant_without_waiters() {
    let mut d = setup();
    d.create_mutant(M1, Some(A)).unwrap();
    d.end_thread(A).unwrap();
    assert_eq!(
        d.query_mutant(M1, B),
        Ok(MutantInfo {
            current_count: 1,
            owned_by_caller: false,
            abandoned: true
        })
    );
    assert_eq!(d.release_mutant(M1, B), Err(STATUS_ABANDONED));
    d.create_event(E1, EventType::Notification, false).unwrap();
    d.create_event(E2, EventType::Notification, false).unwrap();
    assert_eq!(
        d.wait(B, &[E1, E2, M1], ANY, false, None),
        Ok(Some(wk(B, NtStatus::abandoned_wait(2))))
    );
    assert_eq!(
        d.wait(B, &[M1], ANY, false, None),
        Ok(Some(wk(B, STATUS_WAIT_0)))
    );
}

#[test]
fn abandoned_mutant_in_wait_all_reports_abandoned_wait_0() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, true).unwrap();
    d.create_mutant(M1, Some(A)).unwrap();
    block(&mut d, B, &[E1, M1], ALL);
    assert_eq!(
        d.end_thread(A).unwrap(),
        vec![wk(B, STATUS_ABANDONED_WAIT_0)]
    );
}

#[test]
fn mutant_recursion_limit() {
    let mut d = setup();
    d.create_mutant(M1, Some(A)).unwrap();
    d.force_mutant_to_limit(M1);
    assert_eq!(
        d.wait(A, &[M1], ANY, false, None),
        Err(STATUS_MUTANT_LIMIT_EXCEEDED)
    );
    d.create_event(E1, EventType::Notification, false).unwrap();
    assert_eq!(
        d.wait(A, &[E1, M1], ALL, false, None),
        Err(STATUS_MUTANT_LIMIT_EXCEEDED)
    );
    assert_eq!(
        d.wait(A, &[E1], ANY, false, Some(0)),
        Ok(Some(wk(A, STATUS_TIMEOUT)))
    );
}

#[test]
fn ending_owner_abandons_mutants_in_acquisition_order() {
    let mut d = setup();
    d.create_mutant(M2, None).unwrap();
    d.create_mutant(M1, None).unwrap();
    d.wait(A, &[M2], ANY, false, None).unwrap();
    d.wait(A, &[M1], ANY, false, None).unwrap();
    block(&mut d, B, &[M1], ANY);
    block(&mut d, C, &[M2], ANY);
    block(&mut d, D, &[A], ANY);
    let w = d.end_thread(A).unwrap();
    assert_eq!(
        w,
        vec![
            wk(C, STATUS_ABANDONED_WAIT_0),
            wk(B, STATUS_ABANDONED_WAIT_0),
            wk(D, STATUS_WAIT_0)
        ]
    );
}

#[test]
fn owner_may_wait_all_on_its_mutant() {
    let mut d = setup();
    d.create_mutant(M1, Some(A)).unwrap();
    d.create_event(E1, EventType::Synchronization, false)
        .unwrap();
    block(&mut d, A, &[M1, E1], ALL);
    assert_eq!(d.set_event(E1).unwrap().wakes, vec![wk(A, STATUS_WAIT_0)]);
    assert_eq!(d.query_mutant(M1, A).unwrap().current_count, -1);
}

// ---- semaphores ----

#[test]
fn semaphore_creation_parameters() {
    let mut d = setup();
    let table = [
        (0, 0, false),
        (-1, 5, false),
        (6, 5, false),
        (0, -3, false),
        (0, 1, true),
        (5, 5, true),
        (0, i32::MAX, true),
    ];
    for (i, (init, limit, ok)) in table.into_iter().enumerate() {
        let r = d.create_semaphore(200 + i as Id, init, limit);
        assert_eq!(r.is_ok(), ok, "{init}/{limit}");
        if !ok {
            assert_eq!(r, Err(STATUS_INVALID_PARAMETER));
        }
    }
}

#[test]
fn semaphore_wait_decrements_and_blocks_at_zero() {
    let mut d = setup();
    d.create_semaphore(S1, 2, 5).unwrap();
    assert_eq!(
        d.wait(A, &[S1], ANY, false, None),
        Ok(Some(wk(A, STATUS_WAIT_0)))
    );
    assert_eq!(
        d.wait(B, &[S1], ANY, false, None),
        Ok(Some(wk(B, STATUS_WAIT_0)))
    );
    assert_eq!(d.query_semaphore(S1), Ok((0, 5)));
    block(&mut d, C, &[S1], ANY);
}

#[test]
fn semaphore_release_wakes_as_many_as_released() {
    let mut d = setup();
    d.create_semaphore(S1, 0, 10).unwrap();
    for t in [B, A, C] {
        block(&mut d, t, &[S1], ANY);
    }
    let s = d.release_semaphore(S1, 2).unwrap();
    assert_eq!((s.previous, threads(&s.wakes)), (0, vec![B, A]));
    assert_eq!(d.query_semaphore(S1), Ok((0, 10)));
    let s = d.release_semaphore(S1, 3).unwrap();
    assert_eq!((s.previous, threads(&s.wakes)), (0, vec![C]));
    assert_eq!(d.query_semaphore(S1), Ok((2, 10)));
    assert_eq!(d.release_semaphore(S1, 1).unwrap().previous, 2);
}

#[test]
fn semaphore_release_limits() {
    let mut d = setup();
    d.create_semaphore(S1, 3, 5).unwrap();
    d.create_semaphore(S1 + 1, 1, i32::MAX).unwrap();
    let cases = [
        (S1, 3, Err(STATUS_SEMAPHORE_LIMIT_EXCEEDED)),
        (S1, 0, Err(STATUS_INVALID_PARAMETER)),
        (S1, -1, Err(STATUS_INVALID_PARAMETER)),
        (S1 + 1, i32::MAX, Err(STATUS_SEMAPHORE_LIMIT_EXCEEDED)),
        (S1, 2, Ok(3)),
        (S1, 1, Err(STATUS_SEMAPHORE_LIMIT_EXCEEDED)),
    ];
    for (id, n, want) in cases {
        assert_eq!(
            d.release_semaphore(id, n).map(|s| s.previous),
            want,
            "{id} +{n}"
        );
    }
    assert_eq!(d.query_semaphore(S1), Ok((5, 5)));
}

// ---- WaitAll / WaitAny ----

#[test]
fn wait_all_event_mutant_semaphore() {
    let mut d = setup();
    d.create_event(E1, EventType::Synchronization, false)
        .unwrap();
    d.create_mutant(M1, Some(B)).unwrap();
    d.create_semaphore(S1, 0, 3).unwrap();
    block(&mut d, A, &[E1, M1, S1], ALL);
    assert!(d.set_event(E1).unwrap().wakes.is_empty());
    assert!(d.release_semaphore(S1, 1).unwrap().wakes.is_empty());
    // Nothing was consumed while the wait was not satisfied.
    assert_eq!(d.query_event(E1).unwrap().1, true);
    assert_eq!(d.query_semaphore(S1).unwrap().0, 1);
    assert_eq!(
        d.release_mutant(M1, B).unwrap().wakes,
        vec![wk(A, STATUS_WAIT_0)]
    );
    assert_eq!(d.query_event(E1).unwrap().1, false);
    assert_eq!(d.query_semaphore(S1).unwrap().0, 0);
    assert!(d.query_mutant(M1, A).unwrap().owned_by_caller);
}

#[test]
fn wait_all_immediate_when_all_signalled() {
    let mut d = setup();
    d.create_event(E1, EventType::Synchronization, true)
        .unwrap();
    d.create_mutant(M1, None).unwrap();
    d.create_semaphore(S1, 2, 3).unwrap();
    assert_eq!(
        d.wait(A, &[S1, M1, E1], ALL, false, Some(0)),
        Ok(Some(wk(A, STATUS_WAIT_0)))
    );
    assert_eq!(d.query_semaphore(S1).unwrap().0, 1);
    assert_eq!(d.query_event(E1).unwrap().1, false);
}

#[test]
fn wait_all_partial_lets_others_take_objects() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    d.create_semaphore(S1, 0, 3).unwrap();
    block(&mut d, A, &[S1, E1], ALL);
    block(&mut d, B, &[S1], ANY);
    assert_eq!(
        d.release_semaphore(S1, 1).unwrap().wakes,
        vec![wk(B, STATUS_WAIT_0)]
    );
    assert!(d.set_event(E1).unwrap().wakes.is_empty());
    assert_eq!(
        d.release_semaphore(S1, 1).unwrap().wakes,
        vec![wk(A, STATUS_WAIT_0)]
    );
}

#[test]
fn wait_all_waiter_skipped_for_later_wait_any() {
    let mut d = setup();
    d.create_event(E1, EventType::Synchronization, false)
        .unwrap();
    d.create_mutant(M1, Some(C)).unwrap();
    block(&mut d, A, &[E1, M1], ALL);
    block(&mut d, B, &[E1], ANY);
    assert_eq!(d.set_event(E1).unwrap().wakes, vec![wk(B, STATUS_WAIT_0)]);
}

#[test]
fn wait_any_lowest_signalled_index_wins() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, true).unwrap();
    d.create_event(E2, EventType::Notification, true).unwrap();
    d.create_semaphore(S1, 1, 1).unwrap();
    assert_eq!(
        d.wait(A, &[S1, E2, E1], ANY, false, None),
        Ok(Some(wk(A, STATUS_WAIT_0)))
    );
    assert_eq!(
        d.wait(A, &[S1, E2, E1], ANY, false, None),
        Ok(Some(wk(A, NtStatus::wait(1))))
    );
}

#[test]
fn wait_any_reports_index_of_signalled_object() {
    let mut d = setup();
    for e in [E1, E2, E2 + 1] {
        d.create_event(e, EventType::Synchronization, false)
            .unwrap();
    }
    block(&mut d, A, &[E1, E2, E2 + 1], ANY);
    assert_eq!(
        d.set_event(E2 + 1).unwrap().wakes,
        vec![wk(A, NtStatus::wait(2))]
    );
    // The other objects no longer list A.
    assert!(d.set_event(E1).unwrap().wakes.is_empty());
    assert_eq!(d.query_event(E1).unwrap().1, true);
}

#[test]
fn wait_all_duplicates_are_a_parameter_mix() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    d.create_event(E2, EventType::Notification, false).unwrap();
    assert_eq!(
        d.wait(A, &[E1, E2, E1], ALL, false, None),
        Err(STATUS_INVALID_PARAMETER_MIX)
    );
    // WaitAny accepts them; the first index is reported.
    block(&mut d, A, &[E2, E1, E1], ANY);
    assert_eq!(
        d.set_event(E1).unwrap().wakes,
        vec![wk(A, NtStatus::wait(1))]
    );
}

#[test]
fn wait_object_counts() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, true).unwrap();
    let mut many = vec![E1];
    for i in 0..64 {
        d.create_event(300 + i, EventType::Notification, false)
            .unwrap();
        many.push(300 + i);
    }
    assert_eq!(
        d.wait(A, &[], ANY, false, None),
        Err(STATUS_INVALID_PARAMETER_1)
    );
    assert_eq!(
        d.wait(A, &many, ANY, false, None),
        Err(STATUS_INVALID_PARAMETER_1)
    );
    assert_eq!(
        d.wait(A, &many[..64], ANY, false, None),
        Ok(Some(wk(A, STATUS_WAIT_0)))
    );
    block(&mut d, B, &many[1..], ANY);
    assert_eq!(
        d.set_event(363).unwrap().wakes,
        vec![wk(B, NtStatus::wait(63))]
    );
}

#[test]
fn wait_with_unknown_object_changes_nothing() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    assert_eq!(
        d.wait(A, &[E1, 999], ANY, false, None),
        Err(STATUS_INVALID_HANDLE)
    );
    assert!(d.set_event(E1).unwrap().wakes.is_empty());
}

#[test]
fn waiting_and_ended_threads_cannot_wait() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    block(&mut d, A, &[E1], ANY);
    assert_eq!(
        d.wait(A, &[E1], ANY, false, None),
        Err(STATUS_INTERNAL_ERROR)
    );
    d.end_thread(B).unwrap();
    assert_eq!(
        d.wait(B, &[E1], ANY, false, None),
        Err(STATUS_THREAD_IS_TERMINATING)
    );
    assert_eq!(d.delay(B, false, -10), Err(STATUS_THREAD_IS_TERMINATING));
    assert_eq!(
        d.wait(E1, &[E1], ANY, false, None),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
}

// ---- timeouts ----

#[test]
fn zero_timeout_polls() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    assert_eq!(
        d.wait(A, &[E1], ANY, false, Some(0)),
        Ok(Some(wk(A, STATUS_TIMEOUT)))
    );
    d.set_event(E1).unwrap();
    assert_eq!(
        d.wait(A, &[E1], ANY, false, Some(0)),
        Ok(Some(wk(A, STATUS_WAIT_0)))
    );
    assert_eq!(d.next_deadline(), None);
}

#[test]
fn relative_timeout_expires_at_its_deadline() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    assert_eq!(d.wait(A, &[E1], ANY, false, Some(-100)), Ok(None));
    assert_eq!(d.next_deadline(), Some(NOW + 100));
    assert_eq!(d.advance(NOW + 99), Expired::default());
    assert_eq!(d.advance(NOW + 100).wakes, vec![wk(A, STATUS_TIMEOUT)]);
    assert_eq!(d.next_deadline(), None);
    // The timed-out wait left the event's list.
    assert!(d.set_event(E1).unwrap().wakes.is_empty());
}

#[test]
fn absolute_timeouts() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    assert_eq!(
        d.wait(A, &[E1], ANY, false, Some(NOW - 5)),
        Ok(Some(wk(A, STATUS_TIMEOUT)))
    );
    assert_eq!(
        d.wait(A, &[E1], ANY, false, Some(NOW)),
        Ok(Some(wk(A, STATUS_TIMEOUT)))
    );
    assert_eq!(d.wait(A, &[E1], ANY, false, Some(NOW + 50)), Ok(None));
    assert_eq!(d.advance(NOW + 50).wakes, vec![wk(A, STATUS_TIMEOUT)]);
}

#[test]
fn satisfied_wait_drops_its_deadline() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    d.wait(A, &[E1], ANY, false, Some(-100)).unwrap();
    assert_eq!(d.set_event(E1).unwrap().wakes, vec![wk(A, STATUS_WAIT_0)]);
    assert_eq!(d.next_deadline(), None);
    assert!(d.advance(NOW + 1000).wakes.is_empty());
}

#[test]
fn timeouts_expire_in_due_order_ties_by_arrival() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    d.wait(A, &[E1], ANY, false, Some(-300)).unwrap();
    d.wait(B, &[E1], ANY, false, Some(-100)).unwrap();
    d.wait(C, &[E1], ANY, false, Some(NOW + 300)).unwrap();
    d.wait(D, &[E1], ANY, false, Some(-200)).unwrap();
    assert_eq!(threads(&d.advance(NOW + 1000).wakes), vec![B, D, A, C]);
}

#[test]
fn clock_never_goes_back_and_extreme_timeouts_saturate() {
    let mut d = setup();
    d.advance(NOW + 10);
    d.advance(NOW);
    assert_eq!(d.now(), NOW + 10);
    d.create_event(E1, EventType::Notification, false).unwrap();
    assert_eq!(d.wait(A, &[E1], ANY, false, Some(i64::MIN)), Ok(None));
    assert_eq!(d.next_deadline(), Some(i64::MAX));
    assert_eq!(d.wait(B, &[E1], ANY, false, Some(i64::MAX)), Ok(None));
    assert_eq!(threads(&d.advance(i64::MAX).wakes), vec![A, B]);
}

// ---- delay ----

#[test]
fn delay_execution() {
    let mut d = setup();
    assert_eq!(d.delay(A, false, 0), Ok(Some(wk(A, STATUS_SUCCESS))));
    assert_eq!(d.delay(A, false, NOW - 1), Ok(Some(wk(A, STATUS_SUCCESS))));
    assert_eq!(d.delay(A, false, -500), Ok(None));
    assert_eq!(d.advance(NOW + 499).wakes, vec![]);
    assert_eq!(d.advance(NOW + 500).wakes, vec![wk(A, STATUS_SUCCESS)]);
}

#[test]
fn alertable_delay_with_queued_apc_returns_at_once() {
    let mut d = setup();
    d.queue_apc(A, apc(1)).unwrap();
    assert_eq!(
        d.delay(A, true, -500),
        Ok(Some(Wake {
            thread: A,
            status: STATUS_USER_APC,
            apc: Some(apc(1))
        }))
    );
    assert_eq!(d.next_deadline(), None);
}

#[test]
fn alert_ends_alertable_delay() {
    let mut d = setup();
    assert_eq!(d.delay(A, true, -500), Ok(None));
    assert_eq!(d.alert_thread(A), Ok(Some(wk(A, STATUS_ALERTED))));
    assert_eq!(d.next_deadline(), None);
    assert_eq!(d.test_alert(A), Ok((STATUS_SUCCESS, None)));
}

#[test]
fn non_alertable_delay_ignores_apcs() {
    let mut d = setup();
    assert_eq!(d.delay(A, false, -500), Ok(None));
    assert_eq!(d.queue_apc(A, apc(1)), Ok(None));
    assert_eq!(d.alert_thread(A), Ok(None));
    assert_eq!(d.advance(NOW + 500).wakes, vec![wk(A, STATUS_SUCCESS)]);
    assert_eq!(d.test_alert(A), Ok((STATUS_ALERTED, None)));
    assert_eq!(d.test_alert(A), Ok((STATUS_SUCCESS, Some(apc(1)))));
}

// ---- APCs and alerts ----

#[test]
fn apc_interrupts_alertable_wait() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    assert_eq!(d.wait(A, &[E1], ANY, true, Some(-100)), Ok(None));
    let w = d.queue_apc(A, apc(7)).unwrap();
    assert_eq!(
        w,
        Some(Wake {
            thread: A,
            status: STATUS_USER_APC,
            apc: Some(apc(7))
        })
    );
    assert_eq!(d.next_deadline(), None);
    assert!(d.set_event(E1).unwrap().wakes.is_empty());
}

#[test]
fn apc_waits_for_an_alertable_moment() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    block(&mut d, A, &[E1], ANY);
    assert_eq!(d.queue_apc(A, apc(1)), Ok(None));
    assert_eq!(d.set_event(E1).unwrap().wakes, vec![wk(A, STATUS_WAIT_0)]);
    assert_eq!(d.test_alert(A), Ok((STATUS_SUCCESS, Some(apc(1)))));
    assert_eq!(d.test_alert(A), Ok((STATUS_SUCCESS, None)));
}

#[test]
fn queued_apcs_are_delivered_one_at_a_time_in_order() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    for n in 1..=3 {
        d.queue_apc(A, apc(n)).unwrap();
    }
    let w = d.wait(A, &[E1], ANY, true, None).unwrap().unwrap();
    assert_eq!((w.status, w.apc), (STATUS_USER_APC, Some(apc(1))));
    assert_eq!(d.test_alert(A), Ok((STATUS_SUCCESS, Some(apc(2)))));
    assert_eq!(d.test_alert(A), Ok((STATUS_SUCCESS, Some(apc(3)))));
    assert_eq!(d.test_alert(A), Ok((STATUS_SUCCESS, None)));
}

#[test]
fn signalled_object_beats_pending_apc() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, true).unwrap();
    d.queue_apc(A, apc(1)).unwrap();
    assert_eq!(
        d.wait(A, &[E1], ANY, true, None),
        Ok(Some(wk(A, STATUS_WAIT_0)))
    );
    assert_eq!(d.test_alert(A), Ok((STATUS_SUCCESS, Some(apc(1)))));
}

#[test]
fn alert_thread_cases() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    assert_eq!(d.wait(A, &[E1], ANY, true, None), Ok(None));
    assert_eq!(d.alert_thread(A), Ok(Some(wk(A, STATUS_ALERTED))));
    block(&mut d, B, &[E1], ANY);
    assert_eq!(d.alert_thread(B), Ok(None));
    assert_eq!(d.alert_thread(B), Ok(None));
    assert_eq!(d.set_event(E1).unwrap().wakes, vec![wk(B, STATUS_WAIT_0)]);
    d.reset_event(E1).unwrap();
    assert_eq!(
        d.wait(B, &[E1], ANY, true, None),
        Ok(Some(wk(B, STATUS_ALERTED)))
    );
    assert_eq!(
        d.wait(B, &[E1], ANY, true, Some(0)),
        Ok(Some(wk(B, STATUS_TIMEOUT)))
    );
}

#[test]
fn alert_comes_before_apc() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    d.queue_apc(A, apc(1)).unwrap();
    d.alert_thread(A).unwrap();
    assert_eq!(
        d.wait(A, &[E1], ANY, true, None),
        Ok(Some(wk(A, STATUS_ALERTED)))
    );
    let w = d.wait(A, &[E1], ANY, true, None).unwrap().unwrap();
    assert_eq!(w.status, STATUS_USER_APC);
}

#[test]
fn test_alert_clears_the_alert() {
    let mut d = setup();
    d.alert_thread(A).unwrap();
    assert_eq!(d.test_alert(A), Ok((STATUS_ALERTED, None)));
    assert_eq!(d.test_alert(A), Ok((STATUS_SUCCESS, None)));
}

#[test]
fn apc_to_ended_thread_fails() {
    let mut d = setup();
    d.queue_apc(A, apc(1)).unwrap();
    d.end_thread(A).unwrap();
    assert_eq!(d.queue_apc(A, apc(2)), Err(STATUS_UNSUCCESSFUL));
    assert_eq!(d.alert_thread(A), Ok(None));
    assert_eq!(d.test_alert(A), Err(STATUS_THREAD_IS_TERMINATING));
    assert_eq!(d.queue_apc(E1, apc(1)), Err(STATUS_INVALID_HANDLE));
}

// ---- timers ----

#[test]
fn notification_timer_signals_and_wakes_all() {
    let mut d = setup();
    d.create_timer(T1, TimerType::Notification).unwrap();
    assert_eq!(d.set_timer(T1, A, -1000, 0, None).unwrap().previous, 0);
    assert_eq!(
        d.query_timer(T1),
        Ok(TimerInfo {
            remaining: 1000,
            signalled: false
        })
    );
    block(&mut d, B, &[T1], ANY);
    block(&mut d, C, &[T1], ANY);
    d.advance(NOW + 400);
    assert_eq!(d.query_timer(T1).unwrap().remaining, 600);
    let e = d.advance(NOW + 1000);
    assert_eq!(e.timers, vec![T1]);
    assert_eq!(threads(&e.wakes), vec![B, C]);
    assert_eq!(
        d.query_timer(T1),
        Ok(TimerInfo {
            remaining: 0,
            signalled: true
        })
    );
    assert_eq!(
        d.wait(D, &[T1], ANY, false, None),
        Ok(Some(wk(D, STATUS_WAIT_0)))
    );
}

#[test]
fn synchronization_timer_wakes_one() {
    let mut d = setup();
    d.create_timer(T1, TimerType::Synchronization).unwrap();
    d.set_timer(T1, A, -10, 0, None).unwrap();
    block(&mut d, B, &[T1], ANY);
    block(&mut d, C, &[T1], ANY);
    assert_eq!(threads(&d.advance(NOW + 10).wakes), vec![B]);
    assert_eq!(d.query_timer(T1).unwrap().signalled, false);
}

#[test]
fn timers_expire_in_due_order() {
    let mut d = setup();
    for t in [T1, T2, T3] {
        d.create_timer(t, TimerType::Notification).unwrap();
    }
    d.set_timer(T1, A, -300, 0, None).unwrap();
    d.set_timer(T2, A, NOW + 100, 0, None).unwrap();
    d.set_timer(T3, A, -200, 0, None).unwrap();
    assert_eq!(d.next_deadline(), Some(NOW + 100));
    assert_eq!(d.advance(NOW + 250).timers, vec![T2, T3]);
    assert_eq!(d.advance(NOW + 10_000).timers, vec![T1]);
    assert_eq!(d.next_deadline(), None);
}

#[test]
fn periodic_timer_rearms_from_expiry() {
    let mut d = setup();
    d.create_timer(T1, TimerType::Synchronization).unwrap();
    d.set_timer(T1, A, -100, 2, None).unwrap();
    assert_eq!(d.advance(NOW + 100).timers, vec![T1]);
    assert_eq!(d.next_deadline(), Some(NOW + 100 + 20_000));
    // The first expiry is consumed by the next waiter.
    assert_eq!(
        d.wait(B, &[T1], ANY, false, None),
        Ok(Some(wk(B, STATUS_WAIT_0)))
    );
    block(&mut d, B, &[T1], ANY);
    // A late tick fires once; the next period counts from it.
    let e = d.advance(NOW + 100_000);
    assert_eq!((e.timers, threads(&e.wakes)), (vec![T1], vec![B]));
    assert_eq!(d.next_deadline(), Some(NOW + 100_000 + 20_000));
    // B consumed the synchronization timer's signal.
    assert_eq!(d.cancel_timer(T1), Ok(false));
    assert_eq!(d.next_deadline(), None);
}

#[test]
fn cancel_keeps_state_and_set_resets_it() {
    let mut d = setup();
    d.create_timer(T1, TimerType::Notification).unwrap();
    assert_eq!(d.cancel_timer(T1), Ok(false));
    d.set_timer(T1, A, -10, 0, None).unwrap();
    assert_eq!(d.cancel_timer(T1), Ok(false));
    assert!(d.advance(NOW + 100).timers.is_empty());
    d.set_timer(T1, A, -10, 0, None).unwrap();
    d.advance(NOW + 110);
    assert_eq!(d.cancel_timer(T1), Ok(true));
    assert_eq!(d.query_timer(T1).unwrap().signalled, true);
    assert_eq!(d.set_timer(T1, A, -10, 0, None).unwrap().previous, 1);
    assert_eq!(d.query_timer(T1).unwrap().signalled, false);
}

#[test]
fn timer_apc_goes_to_the_setter() {
    let mut d = setup();
    d.create_timer(T1, TimerType::Notification).unwrap();
    d.create_event(E1, EventType::Notification, false).unwrap();
    d.set_timer(T1, A, -100, 0, Some((0x4000, 0x55))).unwrap();
    assert_eq!(d.wait(A, &[E1], ANY, true, None), Ok(None));
    let at = NOW + 100;
    let e = d.advance(at);
    let want = UserApc {
        routine: 0x4000,
        args: [0x55, at as u32 as u64, (at as u64) >> 32],
    };
    assert_eq!(
        e.wakes,
        vec![Wake {
            thread: A,
            status: STATUS_USER_APC,
            apc: Some(want)
        }]
    );
}

#[test]
fn timer_apc_waits_in_queue_for_non_alertable_setter() {
    let mut d = setup();
    d.create_timer(T1, TimerType::Notification).unwrap();
    d.set_timer(T1, A, -100, 0, Some((0x4000, 1))).unwrap();
    block(&mut d, A, &[T1], ANY);
    assert_eq!(d.advance(NOW + 100).wakes, vec![wk(A, STATUS_WAIT_0)]);
    assert_eq!(d.test_alert(A).unwrap().1.map(|a| a.routine), Some(0x4000));
}

#[test]
fn periodic_timer_keeps_one_apc_queued() {
    let mut d = setup();
    d.create_timer(T1, TimerType::Notification).unwrap();
    d.set_timer(T1, A, -100, 1, Some((0x4000, 1))).unwrap();
    d.advance(NOW + 100);
    d.advance(NOW + 100 + 10_000);
    d.advance(NOW + 100 + 20_000);
    assert!(d.test_alert(A).unwrap().1.is_some());
    assert_eq!(d.test_alert(A), Ok((STATUS_SUCCESS, None)));
    d.advance(NOW + 100 + 30_000);
    assert!(d.test_alert(A).unwrap().1.is_some());
}

#[test]
fn cancel_removes_queued_timer_apc() {
    let mut d = setup();
    d.create_timer(T1, TimerType::Notification).unwrap();
    d.queue_apc(A, apc(1)).unwrap();
    d.set_timer(T1, A, -100, 0, Some((0x4000, 1))).unwrap();
    d.advance(NOW + 100);
    assert_eq!(d.cancel_timer(T1), Ok(true));
    assert_eq!(d.test_alert(A), Ok((STATUS_SUCCESS, Some(apc(1)))));
    assert_eq!(d.test_alert(A), Ok((STATUS_SUCCESS, None)));
}

#[test]
fn timer_due_in_the_past_expires_at_once() {
    let mut d = setup();
    d.create_timer(T1, TimerType::Notification).unwrap();
    d.set_timer(T1, A, -10, 0, None).unwrap();
    block(&mut d, B, &[T1], ANY);
    let s = d.set_timer(T1, A, NOW - 1, 0, None).unwrap();
    assert_eq!(s.wakes, vec![wk(B, STATUS_WAIT_0)]);
    assert_eq!(d.next_deadline(), None);
    let s = d.set_timer(T1, A, 0, 0, None).unwrap();
    assert_eq!(s.previous, 1);
    assert_eq!(d.query_timer(T1).unwrap().signalled, true);
}

#[test]
fn timer_parameter_checks() {
    let mut d = setup();
    d.create_timer(T1, TimerType::Notification).unwrap();
    assert_eq!(
        d.set_timer(T1, A, -10, -1, None),
        Err(STATUS_INVALID_PARAMETER_6)
    );
    assert_eq!(d.set_timer(S1, A, -10, 0, None), Err(STATUS_INVALID_HANDLE));
    d.end_thread(B).unwrap();
    assert_eq!(
        d.set_timer(T1, B, -10, 0, None),
        Err(STATUS_THREAD_IS_TERMINATING)
    );
    assert_eq!(d.next_deadline(), None);
}

#[test]
fn ending_the_setter_cancels_its_apc_timers() {
    let mut d = setup();
    d.create_timer(T1, TimerType::Notification).unwrap();
    d.create_timer(T2, TimerType::Notification).unwrap();
    d.set_timer(T1, A, -100, 0, Some((0x4000, 1))).unwrap();
    d.set_timer(T2, A, -100, 0, None).unwrap();
    d.end_thread(A).unwrap();
    assert_eq!(d.advance(NOW + 100).timers, vec![T2]);
}

#[test]
fn resetting_a_timer_replaces_its_due_time() {
    let mut d = setup();
    d.create_timer(T1, TimerType::Notification).unwrap();
    d.set_timer(T1, A, -100, 0, None).unwrap();
    d.set_timer(T1, A, -500, 0, None).unwrap();
    assert_eq!(d.next_deadline(), Some(NOW + 500));
    assert!(d.advance(NOW + 499).timers.is_empty());
    assert_eq!(d.advance(NOW + 500).timers, vec![T1]);
}

// ---- threads and processes ----

#[test]
fn thread_object_signalled_when_it_ends() {
    let mut d = setup();
    block(&mut d, B, &[A], ANY);
    block(&mut d, C, &[A], ANY);
    assert_eq!(threads(&d.end_thread(A).unwrap()), vec![B, C]);
    assert_eq!(
        d.wait(D, &[A], ANY, false, None),
        Ok(Some(wk(D, STATUS_WAIT_0)))
    );
    assert_eq!(d.end_thread(A), Ok(vec![]));
}

#[test]
fn ending_a_waiting_thread_drops_its_wait() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    d.wait(A, &[E1], ANY, false, Some(-100)).unwrap();
    d.end_thread(A).unwrap();
    assert!(d.set_event(E1).unwrap().wakes.is_empty());
    assert_eq!(d.next_deadline(), None);
}

#[test]
fn process_end_ends_threads_then_signals_process() {
    let mut d = setup();
    d.create_process(2).unwrap();
    d.create_thread(20, 2).unwrap();
    d.create_thread(21, 2).unwrap();
    block(&mut d, A, &[2], ANY);
    block(&mut d, B, &[21], ANY);
    block(&mut d, C, &[20, 21, 2], ALL);
    let w = d.end_process(2).unwrap();
    assert_eq!(
        w,
        vec![
            wk(B, STATUS_WAIT_0),
            wk(A, STATUS_WAIT_0),
            wk(C, STATUS_WAIT_0)
        ]
    );
    assert_eq!(d.create_thread(22, 2), Err(STATUS_PROCESS_IS_TERMINATING));
    assert_eq!(d.end_process(2), Ok(vec![]));
    assert_eq!(d.create_thread(22, E1), Err(STATUS_INVALID_HANDLE));
}

#[test]
fn delete_rules() {
    let mut d = setup();
    d.create_event(E1, EventType::Notification, false).unwrap();
    d.create_mutant(M1, Some(A)).unwrap();
    d.create_timer(T1, TimerType::Notification).unwrap();
    block(&mut d, B, &[E1], ANY);
    assert_eq!(d.delete(E1), Err(STATUS_INTERNAL_ERROR));
    assert_eq!(d.delete(A), Err(STATUS_INTERNAL_ERROR));
    assert_eq!(d.delete(P), Err(STATUS_INTERNAL_ERROR));
    assert_eq!(d.delete(M1), Ok(()));
    assert_eq!(d.end_thread(A), Ok(vec![]));
    d.set_timer(T1, C, -10, 0, None).unwrap();
    assert_eq!(d.delete(T1), Ok(()));
    assert_eq!(d.next_deadline(), None);
    assert_eq!(d.delete(A), Ok(()));
    assert_eq!(d.delete(A), Err(STATUS_INVALID_HANDLE));
    d.end_process(P).unwrap();
    assert_eq!(d.delete(P), Ok(()));
}

// ---- NtSignalAndWaitForSingleObject ----

#[test]
fn signal_and_wait_sets_then_waits() {
    let mut d = setup();
    d.create_event(E1, EventType::Synchronization, false)
        .unwrap();
    d.create_event(E2, EventType::Synchronization, false)
        .unwrap();
    block(&mut d, B, &[E1], ANY);
    let (s, own) = d.signal_and_wait(A, E1, E2, false, None).unwrap();
    assert_eq!(
        (s.previous, s.wakes, own),
        (0, vec![wk(B, STATUS_WAIT_0)], None)
    );
    assert_eq!(d.set_event(E2).unwrap().wakes, vec![wk(A, STATUS_WAIT_0)]);
}

#[test]
fn signal_and_wait_hands_over_a_mutant() {
    let mut d = setup();
    d.create_mutant(M1, Some(A)).unwrap();
    d.create_event(E1, EventType::Notification, true).unwrap();
    block(&mut d, B, &[M1], ANY);
    let (s, own) = d.signal_and_wait(A, M1, E1, false, None).unwrap();
    assert_eq!(
        (s.wakes, own),
        (vec![wk(B, STATUS_WAIT_0)], Some(wk(A, STATUS_WAIT_0)))
    );
    assert!(d.query_mutant(M1, B).unwrap().owned_by_caller);
}

#[test]
fn signal_and_wait_failures_do_not_wait() {
    let mut d = setup();
    d.create_mutant(M1, Some(B)).unwrap();
    d.create_semaphore(S1, 1, 1).unwrap();
    d.create_timer(T1, TimerType::Notification).unwrap();
    d.create_event(E1, EventType::Notification, false).unwrap();
    let cases = [
        (M1, STATUS_MUTANT_NOT_OWNED),
        (S1, STATUS_SEMAPHORE_LIMIT_EXCEEDED),
        (T1, STATUS_OBJECT_TYPE_MISMATCH),
        (C, STATUS_OBJECT_TYPE_MISMATCH),
        (999, STATUS_INVALID_HANDLE),
    ];
    for (sig, want) in cases {
        assert_eq!(
            d.signal_and_wait(A, sig, E1, false, None),
            Err(want),
            "{sig}"
        );
    }
    assert_eq!(
        d.signal_and_wait(A, E1, 999, false, None),
        Err(STATUS_INVALID_HANDLE)
    );
    assert_eq!(d.query_event(E1).unwrap().1, false);
    // A is not waiting.
    assert_eq!(
        d.wait(A, &[E1], ANY, false, Some(0)),
        Ok(Some(wk(A, STATUS_TIMEOUT)))
    );
}
