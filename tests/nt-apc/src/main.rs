//! nt-apc.exe: user APCs as a native program sees them: an APC queued to a
//! thread runs in that thread, with its three arguments, when the thread
//! waits alertably (the wait returns STATUS_USER_APC) or calls
//! NtTestAlert; never in a non-alertable wait; a timer's APC routine runs
//! in the thread that set the timer; APCs run in the order queued; the
//! interrupted code goes on with its registers intact (NtContinue).
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use nt_test::nt::*;
use nt_test::nt_abi::status::*;
use nt_test::nt_abi::types::Handle;
use nt_test::nt_abi::NtStatus;
use nt_test::{check, check_eq, check_st};

#[link(name = "ntdll", kind = "raw-dylib")]
extern "system" {
    fn NtQueueApcThread(thread: Handle, routine: usize, a1: usize, a2: usize, a3: usize) -> NtStatus;
    fn NtCreateTimer(handle: *mut Handle, access: u32, oa: *const u8, kind: u32) -> NtStatus;
    fn NtSetTimer(timer: Handle, due: *const i64, routine: usize, context: usize, resume: u8, period: i32, previous: *mut u8) -> NtStatus;
    fn NtCancelTimer(timer: Handle, state: *mut u8) -> NtStatus;
}

const MS: i64 = 10_000;
/// Every APC run: (a1, a2, a3) summed in order, and a count.
static RUNS: AtomicUsize = AtomicUsize::new(0);
static TRACE: AtomicU64 = AtomicU64::new(0);
static LAST_ARGS: [AtomicUsize; 3] = [AtomicUsize::new(0), AtomicUsize::new(0), AtomicUsize::new(0)];

extern "system" fn apc(a1: usize, a2: usize, a3: usize) {
    RUNS.fetch_add(1, Ordering::SeqCst);
    // The order of runs, one decimal digit each (a1 is the digit).
    let t = TRACE.load(Ordering::SeqCst);
    TRACE.store(t * 10 + (a1 as u64 % 10), Ordering::SeqCst);
    for (slot, v) in LAST_ARGS.iter().zip([a1, a2, a3]) {
        slot.store(v, Ordering::SeqCst);
    }
}

fn reset() {
    RUNS.store(0, Ordering::SeqCst);
    TRACE.store(0, Ordering::SeqCst);
}

fn queue(thread: Handle, a1: usize) -> NtStatus {
    // SAFETY: `apc` is a valid routine of this process.
    unsafe { NtQueueApcThread(thread, apc as *const () as usize, a1, 0x2222, 0x3333) }
}

fn delay(alertable: bool, ms: i64) -> NtStatus {
    let interval = -ms * MS;
    // SAFETY: a valid pointer.
    unsafe { NtDelayExecution(alertable as u8, &interval) }
}

fn event() -> Handle {
    let mut h = Handle::NULL;
    // SAFETY: valid pointers.
    check_st!(unsafe { NtCreateEvent(&mut h, 0x1F_0003, core::ptr::null(), 0, 0) }, STATUS_SUCCESS);
    h
}

fn wait(h: Handle, alertable: bool, ms: i64) -> NtStatus {
    let timeout = -ms * MS;
    // SAFETY: a valid pointer.
    unsafe { NtWaitForSingleObject(h, alertable as u8, &timeout) }
}

fn own_thread() {
    let me = Handle::CURRENT_THREAD;
    reset();
    check_st!(queue(me, 1), STATUS_SUCCESS);
    // Not yet: nothing alertable happened.
    check_eq!(RUNS.load(Ordering::SeqCst), 0);
    // A non-alertable wait does not run it.
    let e = event();
    check_st!(wait(e, false, 20), STATUS_TIMEOUT);
    check_eq!(RUNS.load(Ordering::SeqCst), 0);
    // NtTestAlert runs it.
    // SAFETY: no arguments.
    unsafe { NtTestAlert() };
    check_eq!(RUNS.load(Ordering::SeqCst), 1);
    check_eq!(LAST_ARGS[0].load(Ordering::SeqCst), 1);
    check_eq!(LAST_ARGS[1].load(Ordering::SeqCst), 0x2222);
    check_eq!(LAST_ARGS[2].load(Ordering::SeqCst), 0x3333);
    // An alertable wait with an APC pending returns STATUS_USER_APC at
    // once, after running it; several run in the order queued.
    reset();
    check_st!(queue(me, 4), STATUS_SUCCESS);
    check_st!(queue(me, 5), STATUS_SUCCESS);
    check_st!(queue(me, 6), STATUS_SUCCESS);
    check_st!(wait(e, true, 5000), STATUS_USER_APC);
    check_eq!(RUNS.load(Ordering::SeqCst), 3);
    check_eq!(TRACE.load(Ordering::SeqCst), 456, "FIFO");
    // Nothing left: the next alertable wait times out.
    check_st!(delay(true, 20), STATUS_SUCCESS);
    check_eq!(RUNS.load(Ordering::SeqCst), 3);
    // Registers survive the APC: values live across the call.
    let (x, y) = (core::hint::black_box(0x1234_5678u64), core::hint::black_box(0x9ABC_DEF0u64));
    check_st!(queue(me, 7), STATUS_SUCCESS);
    check_st!(delay(true, 1000), STATUS_USER_APC);
    check_eq!(core::hint::black_box(x), 0x1234_5678);
    check_eq!(core::hint::black_box(y), 0x9ABC_DEF0);
    // SAFETY: a handle of this program.
    unsafe { NtClose(e) };
}

/// A thread that sleeps alertably and reports how its sleep ended.
extern "system" fn sleeper(out: *mut u32) -> u32 {
    let st = delay(true, 3000);
    // SAFETY: `out` is the caller's, alive until it joined us.
    unsafe { out.write_volatile(st.0) };
    0
}

fn other_thread() {
    reset();
    let mut result = 0u32;
    let mut h = Handle::NULL;
    // SAFETY: valid pointers; `result` outlives the thread (joined below).
    let st = unsafe {
        NtCreateThreadEx(&mut h, 0x1F_FFFF, core::ptr::null(), Handle::CURRENT_PROCESS, sleeper as *const () as usize, &mut result as *mut u32 as usize, 0, 0, 0, 0, core::ptr::null())
    };
    check_st!(st, STATUS_SUCCESS);
    // Let it reach its sleep, then queue to it: its sleep ends with
    // STATUS_USER_APC, the APC having run in it.
    check_st!(delay(false, 50), STATUS_SUCCESS);
    check_st!(queue(h, 8), STATUS_SUCCESS);
    // SAFETY: a valid handle; wait for the thread to end.
    let timeout = -2000 * MS;
    check_st!(unsafe { NtWaitForSingleObject(h, 0, &timeout) }, STATUS_SUCCESS);
    check_eq!(result, STATUS_USER_APC.0);
    check_eq!(RUNS.load(Ordering::SeqCst), 1);
    check_eq!(LAST_ARGS[0].load(Ordering::SeqCst), 8);
    // Queueing to an ended thread fails; bad handles.
    check!(queue(h, 9) != STATUS_SUCCESS);
    // SAFETY: handles of this program.
    unsafe { NtClose(h) };
    check_st!(queue(Handle(0x1234), 1), STATUS_INVALID_HANDLE);
    check_st!(queue(Handle::CURRENT_PROCESS, 1), STATUS_OBJECT_TYPE_MISMATCH);
}

fn timer_apc() {
    reset();
    let mut t = Handle::NULL;
    // SAFETY: valid pointers.
    check_st!(unsafe { NtCreateTimer(&mut t, 0x1F_0003, core::ptr::null(), 0) }, STATUS_SUCCESS);
    let due = -30 * MS;
    let mut prev = 0u8;
    // SAFETY: valid pointers; the routine is `apc` with the context 3.
    check_st!(unsafe { NtSetTimer(t, &due, apc as *const () as usize, 3, 0, 0, &mut prev) }, STATUS_SUCCESS);
    // The APC runs in this thread once the timer fired and it waits alertably.
    check_st!(delay(true, 2000), STATUS_USER_APC);
    check_eq!(RUNS.load(Ordering::SeqCst), 1);
    check_eq!(LAST_ARGS[0].load(Ordering::SeqCst), 3, "the timer context");
    // A periodic timer keeps queueing; cancelled, it stops.
    let due = -20 * MS;
    // SAFETY: as above.
    check_st!(unsafe { NtSetTimer(t, &due, apc as *const () as usize, 4, 0, 20, &mut prev) }, STATUS_SUCCESS);
    check_st!(delay(true, 2000), STATUS_USER_APC);
    check_st!(delay(true, 2000), STATUS_USER_APC);
    check!(RUNS.load(Ordering::SeqCst) >= 3);
    let mut state = 0u8;
    // SAFETY: valid pointers.
    check_st!(unsafe { NtCancelTimer(t, &mut state) }, STATUS_SUCCESS);
    let after = RUNS.load(Ordering::SeqCst);
    check_st!(delay(true, 100), STATUS_SUCCESS);
    check_eq!(RUNS.load(Ordering::SeqCst), after, "no APC after the cancel");
    // SAFETY: a handle of this program.
    unsafe { NtClose(t) };
}

fn run(_peb: &nt_test::nt_abi::types::Peb) {
    own_thread();
    other_thread();
    timer_apc();
}

nt_test::entry!("nt-apc", run);
