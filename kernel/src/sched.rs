//! The scheduler (seL4 non-MCS): 256 priorities, each a FIFO ready queue of
//! TCBs with a bitmap of non-empty queues; round-robin within a priority by
//! a time slice counted in timer ticks; preemption when a higher-priority
//! thread becomes runnable. The running thread is not in a ready queue. With
//! nothing runnable the CPU idles in `hlt`. This module also owns the way
//! back to user mode: address space, trap-frame pointer, FS/GS bases and
//! the FPU state of the chosen thread.

use crate::arch::x86_64::cpu::{self, MSR_FS_BASE, MSR_GS_BASE};
use crate::arch::x86_64::traps;
use crate::object::tcb::{Tcb, ThreadState};
use crate::object::vspace;
use crate::state::Global;

/// Timer ticks per time slice (seL4's default CONFIG_TIME_SLICE is 5).
pub const TIME_SLICE: u32 = 5;

/// seL4's scheduler action after a kernel entry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    ResumeCurrent,
    ChooseNew,
    SwitchTo(u64),
}

struct Scheduler {
    /// The running thread's TCB object (0: the CPU idles).
    current: u64,
    action: Action,
    heads: [u64; 256],
    tails: [u64; 256],
    bitmap: [u64; 4],
    /// Whose registers the FPU holds (0: nobody's).
    fpu_owner: u64,
    /// Whether CR0.TS is set (the running thread has its FPU disabled).
    fpu_disabled: bool,
    /// What FS_BASE and GS_BASE hold now.
    fs_base: u64,
    gs_base: u64,
    idle_reported: bool,
}

static SCHED: Global<Scheduler> = Global::new(Scheduler {
    current: 0,
    action: Action::ResumeCurrent,
    heads: [0; 256],
    tails: [0; 256],
    bitmap: [0; 4],
    fpu_owner: 0,
    fpu_disabled: false,
    fs_base: 0,
    gs_base: 0,
    idle_reported: false,
});

fn s() -> &'static mut Scheduler {
    SCHED.get()
}

#[inline(always)]
pub fn current() -> Option<&'static mut Tcb> {
    match s().current {
        0 => None,
        t => Some(Tcb::at(t)),
    }
}

pub fn current_object() -> u64 {
    s().current
}

pub fn is_runnable(t: &Tcb) -> bool {
    matches!(t.state, ThreadState::Running | ThreadState::Restart)
}

/// seL4 tcbSchedAppend: queue `t` at the tail of its priority's queue.
pub fn enqueue(t: &mut Tcb) {
    if t.queued {
        return;
    }
    let obj = t.object();
    let p = t.priority as usize;
    let sc = s();
    t.sched_next = 0;
    t.sched_prev = sc.tails[p];
    if sc.tails[p] != 0 {
        Tcb::at(sc.tails[p]).sched_next = obj;
    } else {
        sc.heads[p] = obj;
    }
    sc.tails[p] = obj;
    sc.bitmap[p / 64] |= 1 << (p % 64);
    t.queued = true;
}

/// seL4 tcbSchedEnqueue: queue `t` at the head of its priority's queue.
pub fn enqueue_front(t: &mut Tcb) {
    if t.queued {
        return;
    }
    let obj = t.object();
    let p = t.priority as usize;
    let sc = s();
    t.sched_prev = 0;
    t.sched_next = sc.heads[p];
    if sc.heads[p] != 0 {
        Tcb::at(sc.heads[p]).sched_prev = obj;
    } else {
        sc.tails[p] = obj;
    }
    sc.heads[p] = obj;
    sc.bitmap[p / 64] |= 1 << (p % 64);
    t.queued = true;
}

/// seL4 tcbSchedDequeue.
pub fn dequeue(t: &mut Tcb) {
    if !t.queued {
        return;
    }
    let p = t.priority as usize;
    let sc = s();
    if t.sched_prev != 0 {
        Tcb::at(t.sched_prev).sched_next = t.sched_next;
    } else {
        sc.heads[p] = t.sched_next;
    }
    if t.sched_next != 0 {
        Tcb::at(t.sched_next).sched_prev = t.sched_prev;
    } else {
        sc.tails[p] = t.sched_prev;
    }
    if sc.heads[p] == 0 {
        sc.bitmap[p / 64] &= !(1 << (p % 64));
    }
    t.sched_next = 0;
    t.sched_prev = 0;
    t.queued = false;
}

/// Whether no ready thread has a priority above `prio` (seL4 isHighestPrio).
#[inline(always)]
pub fn is_highest(prio: u8) -> bool {
    let b = &s().bitmap;
    let (w, bit) = (prio as usize / 64, prio as usize % 64);
    // Bits above `prio` in its own word, then every word above it.
    let above_in_word = if bit == 63 { 0 } else { b[w] >> (bit + 1) };
    above_in_word == 0 && b[w + 1..].iter().all(|&x| x == 0)
}

/// The fastpath's switch: the current thread is blocked, `t` runs now.
#[inline(always)]
pub fn switch_directly(t: &'static mut Tcb) -> ! {
    s().action = Action::ResumeCurrent;
    switch_to(t)
}

fn highest_ready_priority() -> Option<usize> {
    let sc = s();
    (0..4).rev().find(|&i| sc.bitmap[i] != 0).map(|i| i * 64 + 63 - sc.bitmap[i].leading_zeros() as usize)
}

/// seL4 setThreadState: also asks for a reschedule when the running thread
/// stops being runnable.
pub fn set_state(t: &mut Tcb, state: ThreadState) {
    t.state = state;
    // seL4 scheduleTCB.
    if t.object() == s().current && s().action == Action::ResumeCurrent && !is_runnable(t) {
        reschedule_required();
    }
}

/// seL4 rescheduleRequired: the current choice is void; pick again on exit.
pub fn reschedule_required() {
    let sc = s();
    if let Action::SwitchTo(t) = sc.action {
        enqueue_front(Tcb::at(t));
    }
    sc.action = Action::ChooseNew;
}

/// seL4 possibleSwitchTo: `t` became runnable; `schedule` decides whether
/// it preempts the current thread.
pub fn possible_switch_to(t: &mut Tcb) {
    let sc = s();
    if sc.action != Action::ResumeCurrent {
        reschedule_required();
        enqueue_front(t);
    } else {
        sc.action = Action::SwitchTo(t.object());
    }
}

/// Removes a thread the kernel is about to destroy or suspend from every
/// scheduler structure.
pub fn forget(t: &mut Tcb) {
    dequeue(t);
    let sc = s();
    let obj = t.object();
    if sc.action == Action::SwitchTo(obj) {
        sc.action = Action::ChooseNew;
    }
    if sc.current == obj {
        reschedule_required();
    }
}

/// The TCB object is going away: nothing may point at it any more.
pub fn destroyed(obj: u64) {
    let sc = s();
    if sc.fpu_owner == obj {
        sc.fpu_owner = 0;
    }
    if sc.current == obj {
        sc.current = 0;
        sc.action = Action::ChooseNew;
    }
}

/// seL4 Yield: the current thread goes to the back of its queue.
pub fn yield_current() {
    if let Some(t) = current() {
        dequeue(t);
        enqueue(t);
    }
    reschedule_required();
}

/// A timer tick: charge the running thread; at the end of its slice it goes
/// to the back of its queue (round-robin).
pub fn timer_tick() {
    if let Some(t) = current() {
        if t.time_slice > 1 {
            t.time_slice -= 1;
        } else {
            t.time_slice = TIME_SLICE;
            if is_runnable(t) {
                enqueue(t);
            }
            reschedule_required();
        }
    }
}

/// Enters the root task.
pub fn start(root: u64) -> ! {
    s().current = root;
    schedule()
}

/// seL4 schedule: decides who runs after this kernel entry (the current
/// thread, if still runnable, goes back to the head of its queue first),
/// then returns to user mode.
pub fn schedule() -> ! {
    let sc = s();
    let action = sc.action;
    sc.action = Action::ResumeCurrent;
    let cur = sc.current;
    let was_runnable = cur != 0 && is_runnable(Tcb::at(cur));
    match action {
        Action::ResumeCurrent => {
            if was_runnable {
                switch_to(Tcb::at(cur))
            } else {
                choose_new()
            }
        }
        Action::ChooseNew => {
            if was_runnable {
                enqueue_front(Tcb::at(cur));
            }
            choose_new()
        }
        Action::SwitchTo(cand) => {
            if was_runnable {
                enqueue_front(Tcb::at(cur));
            }
            let c = Tcb::at(cand);
            let fastfail = cur == 0 || !was_runnable || c.priority < Tcb::at(cur).priority;
            if fastfail && !is_highest(c.priority) {
                enqueue_front(c);
                choose_new()
            } else if was_runnable && c.priority == Tcb::at(cur).priority {
                enqueue(c);
                choose_new()
            } else {
                dequeue(c);
                switch_to(c)
            }
        }
    }
}

/// seL4 scheduleChooseNewThread: the head of the highest non-empty queue.
fn choose_new() -> ! {
    match highest_ready_priority() {
        Some(p) => {
            let t = Tcb::at(s().heads[p]);
            dequeue(t);
            switch_to(t)
        }
        None => idle(),
    }
}

#[inline(always)]
fn switch_to(t: &'static mut Tcb) -> ! {
    let obj = t.object();
    let sc = s();
    sc.current = obj;
    if t.state == ThreadState::Restart {
        // seL4 activateThread: a restarted thread re-executes from FaultIP.
        t.frame.rip = t.fault_ip;
        t.state = ThreadState::Running;
    }
    match t.vspace_root() {
        Some(pml4) => {
            if pml4 != cpu::read_cr3() {
                // SAFETY: a PML4 with an ASID was initialised with the kernel's half.
                unsafe { cpu::write_cr3(pml4) }
            }
        }
        None => {
            // seL4 would run it and take a fault; the thread cannot run at all.
            kprintln!("kernel: thread \"{}\" has no valid VSpace; suspended", t.name());
            forget(t);
            t.state = ThreadState::Inactive;
            schedule()
        }
    }
    // Lazy FPU (as seL4): the FPU keeps its owner's registers, and any other
    // thread runs with CR0.TS set, so its first FPU/SSE instruction traps
    // (#NM) and `fpu_trap` switches the state then. A thread with
    // seL4_TCBFlag_fpuDisabled always runs with TS set and takes a fault.
    let ts = sc.fpu_owner != obj || t.flags & sel4_abi::invocation::tcb_flag::FPU_DISABLED != 0;
    if ts != sc.fpu_disabled {
        cpu::set_task_switched(ts);
        sc.fpu_disabled = ts;
    }
    // The bases live in MSRs; rewrite them only when they differ.
    if sc.fs_base != t.fs_base {
        cpu::wrmsr(MSR_FS_BASE, t.fs_base);
        sc.fs_base = t.fs_base;
    }
    if sc.gs_base != t.gs_base {
        cpu::wrmsr(MSR_GS_BASE, t.gs_base);
        sc.gs_base = t.gs_base;
    }
    traps::set_current_frame(&mut t.frame);
    traps::return_to_user(&t.frame)
}

/// No thread can run: wait for interrupts on the kernel's own address space.
fn idle() -> ! {
    let sc = s();
    sc.current = 0;
    if !sc.idle_reported {
        sc.idle_reported = true;
        kprintln!("kernel: idle, no runnable threads");
    }
    // SAFETY: the kernel PML4 maps the kernel.
    unsafe { cpu::write_cr3(vspace::kernel_pml4()) };
    loop {
        cpu::wait_for_interrupt();
        if sc.action != Action::ResumeCurrent || highest_ready_priority().is_some() {
            schedule()
        }
    }
}

/// #NM from the current thread: give it the FPU. False if the thread has
/// its FPU disabled (then the trap is a fault).
pub fn fpu_trap(t: &mut Tcb) -> bool {
    if t.flags & sel4_abi::invocation::tcb_flag::FPU_DISABLED != 0 {
        return false;
    }
    let sc = s();
    cpu::set_task_switched(false);
    sc.fpu_disabled = false;
    let obj = t.object();
    if sc.fpu_owner != obj {
        if sc.fpu_owner != 0 {
            Tcb::at(sc.fpu_owner).fpu.save();
        }
        t.fpu.restore();
        sc.fpu_owner = obj;
    }
    true
}

/// For DebugDumpScheduler: every queued thread and the current one.
pub fn for_each_thread(mut f: impl FnMut(&Tcb, &str)) {
    let sc = s();
    if let Some(t) = current() {
        f(t, "running");
    }
    for p in (0..256).rev() {
        let mut t = sc.heads[p];
        while t != 0 {
            let tcb = Tcb::at(t);
            f(tcb, "ready");
            t = tcb.sched_next;
        }
    }
}
