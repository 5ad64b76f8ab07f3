//! Scheduling (src/kernel/thread.c: `schedule`, `possibleSwitchTo`,
//! `setPriority`; src/api/syscall.c: `handleYield`): the highest-priority
//! runnable thread runs; a thread made runnable at a higher priority than
//! the current one runs at once, one of equal priority waits its turn;
//! Yield moves the caller behind its equals; blocked and lower-priority
//! threads do not run; equal priorities share the CPU on timer ticks.

use crate::asm::rdtsc;
use crate::env::*;
use guest_test::{check, check_eq, ok, TestResult};
use sel4::MessageInfo;

pub const TESTS: &[Test] = &[
    ("sched_higher_priority_runs_on_resume", higher_runs),
    ("sched_lower_priority_waits", lower_waits),
    ("sched_raising_priority_preempts", raising_preempts),
    ("sched_equal_priority_resume_does_not_preempt", equal_no_preempt),
    ("sched_yield_lets_equals_run", yield_interleaves),
    ("sched_runs_highest_priority_first", priority_order),
    ("sched_blocked_thread_does_not_run", blocked_does_not_run),
    ("sched_signal_wakes_higher_priority_at_once", signal_wakes_higher),
    ("sched_priority_change_while_blocked", prio_change_blocked),
    ("sched_ipc_to_higher_priority_receiver", ipc_switches),
    ("sched_round_robin_on_timer", round_robin),
];

const FLAG: usize = 30;
const CNT: usize = 31;
const NTFN: usize = 32;

fn set_flag(v: u64) {
    set(FLAG, v);
}

fn log_prio(p: u64) {
    log(p);
}

fn higher_runs(e: &Env) -> TestResult {
    let c = e.thread(200, 0)?;
    e.start(&c, set_flag, 1)?;
    // No yield: the resume itself switched to the higher-priority thread.
    check_eq!(get(FLAG), 1);
    Ok(())
}

fn lower_waits(e: &Env) -> TestResult {
    let c = e.thread(50, 0)?;
    e.start(&c, set_flag, 1)?;
    yields(50);
    check_eq!(get(FLAG), 0);
    ok!(ME.set_priority(ME, 40));
    // Lowering ourselves below it made it run before we got back here.
    check_eq!(get(FLAG), 1);
    Ok(())
}

fn raising_preempts(e: &Env) -> TestResult {
    let c = e.thread(50, 0)?;
    e.start(&c, set_flag, 1)?;
    yields(10);
    check_eq!(get(FLAG), 0);
    ok!(c.tcb.set_priority(ME, 150));
    check_eq!(get(FLAG), 1);
    Ok(())
}

fn equal_no_preempt(e: &Env) -> TestResult {
    // schedule(): a candidate of the current thread's priority is queued
    // behind it, not switched to.
    let c = e.thread(ROOT_PRIO, 0)?;
    e.start(&c, set_flag, 1)?;
    check_eq!(get(FLAG), 0);
    check!(wait_until(|| get(FLAG) == 1), "thread never ran");
    Ok(())
}

fn yielder(id: u64) {
    log(id * 10 + 1);
    sel4::yield_now();
    log(id * 10 + 2);
    add(CNT, 1);
}

fn yield_interleaves(e: &Env) -> TestResult {
    // Both start below the root, so neither runs before the other is
    // queued (a timer tick while the root spawned them used to let the
    // first run alone); then the root steps below them (cleanup restores it).
    ok!(e.spawn(ROOT_PRIO - 1, 0, yielder, 1));
    ok!(e.spawn(ROOT_PRIO - 1, 0, yielder, 2));
    ok!(ME.set_priority(ME, ROOT_PRIO - 2));
    check!(wait_until(|| get(CNT) == 2), "threads did not finish");
    let (l, n) = log_entries();
    check_eq!(n, 4);
    let mut first = [l[0], l[1]];
    first.sort_unstable();
    check!(first == [11, 21], "log {:?}: a thread ran on past its Yield", &l[..n]);
    Ok(())
}

fn priority_order(e: &Env) -> TestResult {
    for p in [20u64, 30, 10] {
        let c = e.thread(p, 0)?;
        e.start(&c, log_prio, p)?;
    }
    yields(10);
    check_eq!(log_entries().1, 0);
    ok!(ME.set_priority(ME, 5));
    let (l, n) = log_entries();
    check_eq!(&l[..n], &[30, 20, 10]);
    Ok(())
}

/// Counts, then waits on the notification in SH[NTFN], forever.
fn count_and_wait(_: u64) {
    loop {
        add(CNT, 1);
        sel4::wait(get(NTFN));
    }
}

fn blocked_does_not_run(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    set(NTFN, n);
    ok!(e.spawn(ROOT_PRIO, 0, count_and_wait, 0));
    check!(wait_until(|| get(CNT) == 1), "thread never ran");
    yields(30);
    check_eq!(get(CNT), 1);
    sel4::signal(n);
    check!(wait_until(|| get(CNT) == 2), "thread not woken");
    Ok(())
}

fn signal_wakes_higher(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    set(NTFN, n);
    let c = e.thread(150, 0)?;
    e.start(&c, count_and_wait, 0)?;
    check_eq!(get(CNT), 1);
    sel4::signal(n);
    check_eq!(get(CNT), 2);
    sel4::signal(n);
    check_eq!(get(CNT), 3);
    Ok(())
}

fn prio_change_blocked(e: &Env) -> TestResult {
    // Raising a blocked thread's priority does not run it; waking it does.
    let n = ok!(e.notification());
    set(NTFN, n);
    let c = ok!(e.spawn(ROOT_PRIO, 0, count_and_wait, 0));
    check!(wait_until(|| get(CNT) == 1), "thread never ran");
    ok!(c.tcb.set_priority(ME, 150));
    check_eq!(get(CNT), 1);
    sel4::signal(n);
    check_eq!(get(CNT), 2);
    Ok(())
}

fn high_receiver(ep: u64) {
    sel4::recv(ep);
    log(1);
}

fn low_sender(ep: u64) {
    sel4::send(ep, MessageInfo::new(1, 0, 0, 0));
    log(2);
}

fn ipc_switches(e: &Env) -> TestResult {
    // The sender's message makes the higher-priority receiver runnable,
    // which then runs before the sender continues.
    let ep = ok!(e.endpoint());
    let r = e.thread(150, 0)?;
    e.start(&r, high_receiver, ep)?;
    let s = e.thread(50, 0)?;
    e.start(&s, low_sender, ep)?;
    ok!(ME.set_priority(ME, 40));
    let (l, n) = log_entries();
    check_eq!(&l[..n], &[1, 2]);
    Ok(())
}

const SEEN: usize = 40; // SEEN + id: times thread id saw the other one move
const COUNT: usize = 42; // COUNT + id: thread id's progress counter
const DONE: usize = 44;
const DEADLINE: usize = 46;

/// Spins until it has seen the other thread make progress three times
/// while it was itself running, or until the deadline (TSC) passes.
fn spinner(id: u64) {
    let me = id as usize;
    let other = 1 - me;
    let mut last = get(COUNT + other);
    while get(SEEN + me) < 3 && rdtsc() < get(DEADLINE) {
        add(COUNT + me, 1);
        let now = get(COUNT + other);
        if now != last {
            add(SEEN + me, 1);
            last = now;
        }
    }
    add(DONE, 1);
}

fn round_robin(e: &Env) -> TestResult {
    // Two equal-priority threads that never block or yield both progress
    // only if the timer tick preempts them (round robin on time slices).
    let mhz = match e.tsc_mhz() {
        0 => 2000,
        m => m,
    };
    set(DEADLINE, rdtsc() + mhz * 1000 * 1500); // 1.5 s
    ok!(e.spawn(ROOT_PRIO, 0, spinner, 0));
    ok!(e.spawn(ROOT_PRIO, 0, spinner, 1));
    check!(wait_until(|| get(DONE) == 2), "spinners did not finish");
    check!(get(SEEN) >= 3 && get(SEEN + 1) >= 3,
        "no interleaving: thread 0 saw thread 1 move {} times, thread 1 saw 0 {} times", get(SEEN), get(SEEN + 1));
    Ok(())
}
