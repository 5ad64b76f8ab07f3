//! Notifications (src/object/notification.c): Signal ORs badges into the
//! word, Wait returns and clears it, Poll never blocks; waiter queues;
//! binding to a TCB, so that a thread blocked in an endpoint Recv receives
//! the signal instead (`sendSignal`, `receiveIPC`); the Bind/Unbind errors
//! of `decodeBindNotification`; deleting a notification with waiters.

use crate::env::*;
use crate::kids::{self, rec, REC};
use guest_test::{check, check_eq, expect_err, ok, Failure, TestResult};
use sel4::abi::fault::cap_fault;
use sel4::abi::invocation::tcb_bind_notification;
use sel4::abi::{FaultType, LookupFailureType};
use sel4::{invoke, invoke_raw, CapRights, ErrorCode, MessageInfo};

pub const TESTS: &[Test] = &[
    ("ntfn_signal_then_poll", signal_poll),
    ("ntfn_signals_or_badges", or_badges),
    ("ntfn_poll_idle_is_zero", poll_idle),
    ("ntfn_poll_clears", poll_clears),
    ("ntfn_wait_when_active_returns", wait_active),
    ("ntfn_waiter_woken_with_badge", waiter_woken),
    ("ntfn_waiters_queue_in_order", waiters_fifo),
    ("ntfn_unbadged_signal_activates", unbadged_signal),
    ("ntfn_read_only_cap_cannot_signal", read_only_cannot_signal),
    ("ntfn_call_signals_and_replies_empty", call_signals),
    ("ntfn_bound_signal_wakes_endpoint_recv", bound_wakes_recv),
    ("ntfn_bound_active_before_recv", bound_active_first),
    ("ntfn_bound_thread_still_gets_ipc", bound_gets_ipc),
    ("ntfn_bound_thread_waits_on_own", bound_waits_own),
    ("ntfn_bound_caller_not_woken", bound_caller_not_woken),
    ("ntfn_wait_on_other_bound_faults", wait_other_bound),
    ("ntfn_bind_twice_illegal", bind_twice),
    ("ntfn_bind_bound_notification_illegal", bind_bound),
    ("ntfn_bind_not_notification_illegal", bind_not_ntfn),
    ("ntfn_bind_without_read_illegal", bind_without_read),
    ("ntfn_bind_with_waiter_illegal", bind_with_waiter),
    ("ntfn_bind_truncated", bind_truncated),
    ("ntfn_unbind_not_bound_illegal", unbind_not_bound),
    ("ntfn_unbind_stops_wakeups", unbind_stops),
    ("ntfn_delete_releases_waiter", delete_releases_waiter),
    ("ntfn_delete_unbinds", delete_unbinds),
];

fn signal_poll(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    let b = ok!(e.mint(n, CapRights::ALL, 0x10));
    sel4::signal(b);
    check_eq!(sel4::poll(n), 0x10);
    Ok(())
}

fn or_badges(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    for badge in [1u64, 2, 8, 2] {
        sel4::signal(ok!(e.mint(n, CapRights::ALL, badge)));
    }
    check_eq!(sel4::poll(n), 11);
    Ok(())
}

fn poll_idle(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    check_eq!(sel4::poll(n), 0);
    Ok(())
}

fn poll_clears(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    sel4::signal(ok!(e.mint(n, CapRights::ALL, 4)));
    check_eq!(sel4::poll(n), 4);
    check_eq!(sel4::poll(n), 0);
    Ok(())
}

fn wait_active(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    sel4::signal(ok!(e.mint(n, CapRights::ALL, 4)));
    ok!(e.spawn(ROOT_PRIO, 0, kids::wait_once, kids::arg(n, 0)));
    check!(wait_until(|| kids::done(0)), "Wait on an active notification blocked");
    check_eq!(get(rec::BADGE), 4);
    check_eq!(sel4::poll(n), 0);
    Ok(())
}

fn waiter_woken(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    ok!(e.spawn(ROOT_PRIO, 0, kids::wait_once, kids::arg(n, 0)));
    check!(wait_until(|| kids::started(0)), "waiter never ran");
    yields(5);
    check!(!kids::done(0), "Wait returned before any signal");
    sel4::signal(ok!(e.mint(n, CapRights::ALL, 0x20)));
    check!(wait_until(|| kids::done(0)), "waiter not woken");
    check_eq!(get(rec::BADGE), 0x20);
    // The badge went to the waiter; the word stays clear.
    check_eq!(sel4::poll(n), 0);
    Ok(())
}

fn waiters_fifo(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    for k in 0..2 {
        ok!(e.spawn(ROOT_PRIO, 0, kids::wait_once, kids::arg(n, k * REC)));
        check!(wait_until(|| kids::started(k * REC)), "waiter never ran");
        yields(3);
    }
    sel4::signal(ok!(e.mint(n, CapRights::ALL, 1)));
    check!(wait_until(|| kids::done(0)), "first waiter not woken first");
    check!(!kids::done(REC), "one signal woke two waiters");
    sel4::signal(ok!(e.mint(n, CapRights::ALL, 2)));
    check!(wait_until(|| kids::done(REC)), "second waiter not woken");
    check_eq!(get(rec::BADGE), 1);
    check_eq!(get(REC + rec::BADGE), 2);
    Ok(())
}

fn unbadged_signal(e: &Env) -> TestResult {
    // An unbadged signal makes the notification Active with word 0, so a
    // Wait returns at once (with 0) instead of blocking.
    let n = ok!(e.notification());
    sel4::signal(n);
    ok!(e.spawn(ROOT_PRIO, 0, kids::wait_once, kids::arg(n, 0)));
    check!(wait_until(|| kids::done(0)), "Wait after an unbadged signal blocked");
    check_eq!(get(rec::BADGE), 0);
    Ok(())
}

fn read_only_cannot_signal(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    let ro = ok!(e.mint(n, CapRights::READ_ONLY, 5));
    ok!(e.invoke_in_child(ro, 0, true)?);
    check_eq!(sel4::poll(n), 0);
    expect_err!(e.invoke_in_child(ro, 0, false)?, ErrorCode::InvalidCapability, [0]);
    Ok(())
}

fn call_signals(e: &Env) -> TestResult {
    // A Call on a notification signals it and gets an empty success reply.
    let n = ok!(e.notification());
    let b = ok!(e.mint(n, CapRights::ALL, 6));
    let r = ok!(invoke_raw(b, 0x77, &[1, 2], &[]));
    check_eq!(r.info, MessageInfo::new(0, 0, 0, 0));
    check_eq!(sel4::poll(n), 6);
    Ok(())
}

/// A child bound to `n` that will run `f(arg)`.
fn bound(e: &Env, n: u64, fault_ep: u64) -> Result<Child, Failure> {
    let c = e.thread(ROOT_PRIO, fault_ep)?;
    ok!(c.tcb.bind_notification(n));
    Ok(c)
}

fn bound_wakes_recv(e: &Env) -> TestResult {
    // sendSignal: a bound thread blocked in an endpoint Recv is taken off
    // the endpoint and gets the badge; only the badge register is written.
    let n = ok!(e.notification());
    let ep = ok!(e.endpoint());
    let c = bound(e, n, 0)?;
    ok!(e.start(&c, kids::recv_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::started(0)), "receiver never ran");
    yields(3);
    sel4::signal(ok!(e.mint(n, CapRights::ALL, 0x40)));
    check!(wait_until(|| kids::done(0)), "bound receiver not woken by the signal");
    check_eq!(get(rec::BADGE), 0x40);
    check_eq!(get(rec::LABEL), 0);
    check_eq!(get(rec::LEN), 0);
    // The badge went to the thread. (Only after unbinding may another
    // thread poll the notification: handleRecv refuses others' bound ones.)
    ok!(c.tcb.unbind_notification());
    check_eq!(sel4::poll(n), 0);
    // It left the endpoint: a send now finds no receiver.
    sel4::nb_send(ep, MessageInfo::new(1, 0, 0, 0));
    check!(try_recv(ep).is_none(), "NBSend was queued");
    Ok(())
}

fn bound_active_first(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    let ep = ok!(e.endpoint());
    sel4::signal(ok!(e.mint(n, CapRights::ALL, 0x41)));
    let c = bound(e, n, 0)?;
    ok!(e.start(&c, kids::recv_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::done(0)), "Recv blocked although the bound notification was active");
    check_eq!(get(rec::BADGE), 0x41);
    Ok(())
}

fn bound_gets_ipc(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    let ep = ok!(e.endpoint());
    let c = bound(e, n, 0)?;
    ok!(e.start(&c, kids::recv_once, kids::arg(ep, 0)));
    ok!(e.spawn(ROOT_PRIO, 0, kids::send_once, kids::arg(ep, REC)));
    check!(wait_until(|| kids::done(0)), "bound thread got no message");
    check_eq!(get(rec::LABEL), kids::SEND_LABEL);
    check_eq!(get(rec::MR), kids::MSG_WORD);
    Ok(())
}

fn bound_waits_own(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    let c = bound(e, n, 0)?;
    ok!(e.start(&c, kids::wait_once, kids::arg(n, 0)));
    check!(wait_until(|| kids::started(0)), "waiter never ran");
    yields(3);
    sel4::signal(ok!(e.mint(n, CapRights::ALL, 3)));
    check!(wait_until(|| kids::done(0)), "bound thread waiting on its own notification not woken");
    check_eq!(get(rec::BADGE), 3);
    Ok(())
}

fn bound_caller_not_woken(e: &Env) -> TestResult {
    // A bound thread blocked on a reply is not woken: the notification
    // becomes active instead (the comment in sendSignal says so).
    let n = ok!(e.notification());
    let ep = ok!(e.endpoint());
    ok!(e.spawn(ROOT_PRIO, 0, kids::recv_once, kids::arg(ep, REC)));
    let c = bound(e, n, 0)?;
    ok!(e.start(&c, kids::call_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::done(REC)), "call not received");
    sel4::signal(ok!(e.mint(n, CapRights::ALL, 9)));
    yields(5);
    check!(!kids::done(0), "a thread waiting for a reply was woken by its notification");
    ok!(c.tcb.unbind_notification());
    check_eq!(sel4::poll(n), 9);
    Ok(())
}

/// Checks the CapFault of a Recv on `cptr` that found no receivable cap.
pub fn check_recv_cap_fault(info: MessageInfo, cptr: u64) -> TestResult {
    check_eq!(info.label(), FaultType::CapFault as u64);
    check_eq!(info.length(), 5);
    check_eq!(sel4::get_mr(cap_fault::ADDR), cptr);
    check_eq!(sel4::get_mr(cap_fault::IN_RECV_PHASE), 1);
    check_eq!(sel4::get_mr(cap_fault::LOOKUP_FAILURE_TYPE), LookupFailureType::MissingCapability as u64);
    check_eq!(sel4::get_mr(cap_fault::BITS_LEFT), 0);
    Ok(())
}

fn wait_other_bound(e: &Env) -> TestResult {
    // handleRecv: a notification bound to another thread cannot be waited on.
    let n = ok!(e.notification());
    let f = ok!(e.endpoint());
    let _owner = bound(e, n, 0)?;
    ok!(e.spawn(ROOT_PRIO, f, kids::wait_once, kids::arg(n, 0)));
    let Some((info, _)) = recv_polling(f) else { return Err(Failure::new(format_args!("no fault message"))) };
    check_recv_cap_fault(info, n)?;
    check!(!kids::done(0), "the faulting Wait returned");
    Ok(())
}

fn bind_twice(e: &Env) -> TestResult {
    let (n1, n2) = (ok!(e.notification()), ok!(e.notification()));
    let c = e.thread(ROOT_PRIO, 0)?;
    ok!(c.tcb.bind_notification(n1));
    expect_err!(c.tcb.bind_notification(n2), ErrorCode::IllegalOperation, []);
    Ok(())
}

fn bind_bound(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    let (a, b) = (e.thread(ROOT_PRIO, 0)?, e.thread(ROOT_PRIO, 0)?);
    ok!(a.tcb.bind_notification(n));
    expect_err!(b.tcb.bind_notification(n), ErrorCode::IllegalOperation, []);
    Ok(())
}

fn bind_not_ntfn(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let c = e.thread(ROOT_PRIO, 0)?;
    expect_err!(c.tcb.bind_notification(ep), ErrorCode::IllegalOperation, []);
    let empty = e.slot();
    expect_err!(c.tcb.bind_notification(empty), ErrorCode::IllegalOperation, []);
    Ok(())
}

fn bind_without_read(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    let wo = ok!(e.copy(n, CapRights::WRITE_ONLY));
    let c = e.thread(ROOT_PRIO, 0)?;
    expect_err!(c.tcb.bind_notification(wo), ErrorCode::IllegalOperation, []);
    Ok(())
}

fn bind_with_waiter(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    ok!(e.spawn(ROOT_PRIO, 0, kids::wait_once, kids::arg(n, 0)));
    check!(wait_until(|| kids::started(0)), "waiter never ran");
    yields(3);
    let c = e.thread(ROOT_PRIO, 0)?;
    expect_err!(c.tcb.bind_notification(n), ErrorCode::IllegalOperation, []);
    Ok(())
}

fn bind_truncated(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    expect_err!(invoke(c.tcb.0, tcb_bind_notification::LABEL, &[], &[]), ErrorCode::TruncatedMessage, []);
    Ok(())
}

fn unbind_not_bound(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    expect_err!(c.tcb.unbind_notification(), ErrorCode::IllegalOperation, []);
    let n = ok!(e.notification());
    ok!(c.tcb.bind_notification(n));
    ok!(c.tcb.unbind_notification());
    expect_err!(c.tcb.unbind_notification(), ErrorCode::IllegalOperation, []);
    Ok(())
}

fn unbind_stops(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    let ep = ok!(e.endpoint());
    let c = bound(e, n, 0)?;
    ok!(c.tcb.unbind_notification());
    ok!(e.start(&c, kids::recv_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::started(0)), "receiver never ran");
    yields(3);
    sel4::signal(ok!(e.mint(n, CapRights::ALL, 5)));
    yields(5);
    check!(!kids::done(0), "an unbound thread was woken by the notification");
    check_eq!(sel4::poll(n), 5);
    Ok(())
}

fn delete_releases_waiter(e: &Env) -> TestResult {
    // cancelAllSignals restarts the waiter; its Wait now names an empty
    // slot, which is a CapFault in the receive phase.
    let n = ok!(e.notification());
    let f = ok!(e.endpoint());
    ok!(e.spawn(ROOT_PRIO, f, kids::wait_once, kids::arg(n, 0)));
    check!(wait_until(|| kids::started(0)), "waiter never ran");
    yields(3);
    ok!(ROOT.delete(n, D));
    let Some((info, _)) = recv_polling(f) else { return Err(Failure::new(format_args!("no fault message"))) };
    check_recv_cap_fault(info, n)
}

fn delete_unbinds(e: &Env) -> TestResult {
    let (n1, n2) = (ok!(e.notification()), ok!(e.notification()));
    let c = e.thread(ROOT_PRIO, 0)?;
    ok!(c.tcb.bind_notification(n1));
    ok!(ROOT.delete(n1, D));
    ok!(c.tcb.bind_notification(n2));
    Ok(())
}
