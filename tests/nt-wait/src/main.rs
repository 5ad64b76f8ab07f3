//! nt-wait.exe: NT's dispatcher objects and waits as a native program sees
//! them. Events, mutants, semaphores and timers with their create/open/
//! signal/query services and bad input (objects.rs); waits, timeouts,
//! delays, alerts, and scenarios across threads and a child process
//! (waits.rs). The expected values are Windows' (WRK/ReactOS facts and
//! what Wine's ntdll/kernel32 sync tests record for Windows).
//!
//! Every wait a check makes has a timeout, and every worker thread is
//! joined with one (then terminated), so a broken service fails a check
//! instead of hanging the suite.
#![no_std]
#![no_main]

/// `check_st!(call, STATUS_X)` as nt-test's, or with a note after the
/// expected status that a failure prints too.
macro_rules! check_st {
    ($call:expr, $want:expr $(,)?) => {
        nt_test::check_st!($call, $want)
    };
    ($call:expr, $want:expr, $($fmt:tt)+) => {{
        let got: nt_test::nt_abi::NtStatus = $call;
        let want: nt_test::nt_abi::NtStatus = $want;
        nt_test::check::record(
            got == want,
            file!(),
            line!(),
            format_args!("{} returned {}, expected {} ({})", stringify!($call), got, want, format_args!($($fmt)+)),
        );
        got
    }};
}

mod objects;
mod waits;

use core::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use nt_test::nt::{
    NtClose, NtCreateThreadEx, NtDelayExecution, NtQuerySystemTime, NtTerminateThread, NtTestAlert,
    NtWaitForSingleObject,
};
use nt_test::nt_abi::consts::THREAD_ALL_ACCESS;
use nt_test::nt_abi::types::{Handle, ObjectAttributes};
use nt_test::nt_abi::NtStatus;

// The dispatcher services nt-test's list does not declare (phnt
// prototypes; argument order as nt-abi's service table).
#[link(name = "ntdll", kind = "raw-dylib")]
#[allow(non_snake_case)]
extern "system" {
    pub fn NtOpenEvent(handle: *mut Handle, access: u32, oa: *const ObjectAttributes) -> NtStatus;
    pub fn NtSetEvent(handle: Handle, previous: *mut i32) -> NtStatus;
    pub fn NtResetEvent(handle: Handle, previous: *mut i32) -> NtStatus;
    pub fn NtPulseEvent(handle: Handle, previous: *mut i32) -> NtStatus;
    pub fn NtClearEvent(handle: Handle) -> NtStatus;
    pub fn NtQueryEvent(
        handle: Handle,
        class: u32,
        info: *mut u8,
        len: u32,
        ret: *mut u32,
    ) -> NtStatus;
    pub fn NtCreateMutant(
        handle: *mut Handle,
        access: u32,
        oa: *const ObjectAttributes,
        owner: u8,
    ) -> NtStatus;
    pub fn NtOpenMutant(handle: *mut Handle, access: u32, oa: *const ObjectAttributes) -> NtStatus;
    pub fn NtReleaseMutant(handle: Handle, previous: *mut i32) -> NtStatus;
    pub fn NtQueryMutant(
        handle: Handle,
        class: u32,
        info: *mut u8,
        len: u32,
        ret: *mut u32,
    ) -> NtStatus;
    pub fn NtCreateSemaphore(
        handle: *mut Handle,
        access: u32,
        oa: *const ObjectAttributes,
        initial: i32,
        maximum: i32,
    ) -> NtStatus;
    pub fn NtOpenSemaphore(
        handle: *mut Handle,
        access: u32,
        oa: *const ObjectAttributes,
    ) -> NtStatus;
    pub fn NtReleaseSemaphore(handle: Handle, count: i32, previous: *mut i32) -> NtStatus;
    pub fn NtQuerySemaphore(
        handle: Handle,
        class: u32,
        info: *mut u8,
        len: u32,
        ret: *mut u32,
    ) -> NtStatus;
    pub fn NtCreateTimer(
        handle: *mut Handle,
        access: u32,
        oa: *const ObjectAttributes,
        kind: u32,
    ) -> NtStatus;
    pub fn NtOpenTimer(handle: *mut Handle, access: u32, oa: *const ObjectAttributes) -> NtStatus;
    pub fn NtSetTimer(
        handle: Handle,
        due: *const i64,
        apc: usize,
        context: usize,
        resume: u8,
        period: i32,
        previous: *mut u8,
    ) -> NtStatus;
    pub fn NtCancelTimer(handle: Handle, current: *mut u8) -> NtStatus;
    pub fn NtQueryTimer(
        handle: Handle,
        class: u32,
        info: *mut u8,
        len: u32,
        ret: *mut u32,
    ) -> NtStatus;
    pub fn NtWaitForMultipleObjects(
        count: u32,
        handles: *const Handle,
        wait_type: u32,
        alertable: u8,
        timeout: *const i64,
    ) -> NtStatus;
    pub fn NtSignalAndWaitForSingleObject(
        signal: Handle,
        wait: Handle,
        alertable: u8,
        timeout: *const i64,
    ) -> NtStatus;
    pub fn NtAlertThread(thread: Handle) -> NtStatus;
}

/// WAIT_TYPE values.
pub const WAIT_ALL: u32 = 0;
pub const WAIT_ANY: u32 = 1;
/// EVENT_TYPE / TIMER_TYPE values.
pub const NOTIFICATION: u32 = 0;
pub const SYNCHRONIZATION: u32 = 1;
/// One millisecond in NT time units (100 ns).
pub const MS: i64 = 10_000;
/// A status no service returns: a worker that has not finished yet.
const PENDING: u32 = 0xFFFF_FFFF;

/// A relative timeout of `ms` milliseconds (negative NT time).
pub fn rel(ms: i64) -> i64 {
    -ms * MS
}

/// The system time (100 ns units).
pub fn now() -> i64 {
    let mut t = 0i64;
    // SAFETY: a valid pointer to a local.
    unsafe { NtQuerySystemTime(&mut t) };
    t
}

/// Milliseconds since `t0` (a `now()` value).
pub fn since_ms(t0: i64) -> i64 {
    (now() - t0) / MS
}

/// Sleeps `ms` milliseconds (NtDelayExecution, not alertable).
pub fn sleep_ms(ms: i64) {
    let t = rel(ms);
    // SAFETY: a valid pointer to a local.
    unsafe { NtDelayExecution(0, &t) };
}

/// NtWaitForSingleObject with a relative timeout of `ms` (0: a poll).
pub fn wait1(h: Handle, ms: i64) -> NtStatus {
    let t = rel(ms);
    // SAFETY: a valid pointer to a local.
    unsafe { NtWaitForSingleObject(h, 0, &t) }
}

/// NtWaitForMultipleObjects with a relative timeout of `ms`.
pub fn wait_n(handles: &[Handle], wait_type: u32, ms: i64) -> NtStatus {
    let t = rel(ms);
    // SAFETY: valid pointers to the caller's slice and a local.
    unsafe { NtWaitForMultipleObjects(handles.len() as u32, handles.as_ptr(), wait_type, 0, &t) }
}

/// Closes a handle, ignoring the result (cleanup only).
pub fn close(h: Handle) {
    // SAFETY: no pointers.
    unsafe { NtClose(h) };
}

/// What a worker thread does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// NtWaitForSingleObject(handles[0]).
    Single,
    /// NtWaitForMultipleObjects(handles[..count], WaitAny).
    Any,
    /// NtWaitForMultipleObjects(handles[..count], WaitAll).
    All,
    /// Acquires the mutant handles[0], then waits on handles[1] and ends
    /// (still owning the mutant: it is abandoned).
    HoldMutant,
    /// NtReleaseMutant(handles[0]).
    ReleaseMutant,
    /// NtDelayExecution(timeout), then ends with exit code 7.
    Nap,
}

/// A worker thread's orders and what it saw. Lives on the creator's stack;
/// [`join`] makes sure the thread is gone before it goes out of scope.
pub struct Job {
    pub op: Op,
    pub handles: [Handle; 4],
    pub count: u32,
    pub alertable: bool,
    pub timeout_ms: i64,
    /// 1 when the thread runs; 2 once HoldMutant owns its mutant.
    pub started: AtomicU32,
    /// The status of its operation ([`PENDING`] until then).
    pub status: AtomicU32,
    /// What NtTestAlert said after the operation (a pending alert).
    pub test_alert: AtomicU32,
    /// When the operation returned (system time).
    pub ended_at: AtomicI64,
    /// The order in which workers finished (1 = first), from [`SEQ`].
    pub seq: AtomicU32,
}

/// Completion order across workers.
static SEQ: AtomicU32 = AtomicU32::new(0);

impl Job {
    pub fn new(op: Op, handles: &[Handle], timeout_ms: i64) -> Job {
        let mut h = [Handle::NULL; 4];
        h[..handles.len()].copy_from_slice(handles);
        Job {
            op,
            handles: h,
            count: handles.len() as u32,
            alertable: false,
            timeout_ms,
            started: AtomicU32::new(0),
            status: AtomicU32::new(PENDING),
            test_alert: AtomicU32::new(PENDING),
            ended_at: AtomicI64::new(0),
            seq: AtomicU32::new(0),
        }
    }

    /// The operation's status, or None while it has not returned.
    pub fn status(&self) -> Option<NtStatus> {
        match self.status.load(Ordering::Acquire) {
            PENDING => None,
            s => Some(NtStatus(s)),
        }
    }

    /// Whether the operation returned.
    pub fn done(&self) -> bool {
        self.status().is_some()
    }
}

extern "system" fn worker(arg: usize) -> u32 {
    // SAFETY: `start` passes a `&Job` that outlives the thread (`join`).
    let j = unsafe { &*(arg as *const Job) };
    j.started.store(1, Ordering::Release);
    let t = rel(j.timeout_ms);
    let alertable = j.alertable as u8;
    // SAFETY: the handles and the timeout are in `j` and on this stack.
    let st = unsafe {
        match j.op {
            Op::Single => NtWaitForSingleObject(j.handles[0], alertable, &t),
            Op::Any | Op::All => NtWaitForMultipleObjects(
                j.count,
                j.handles.as_ptr(),
                if j.op == Op::Any { WAIT_ANY } else { WAIT_ALL },
                alertable,
                &t,
            ),
            Op::HoldMutant => {
                let st = NtWaitForSingleObject(j.handles[0], 0, &t);
                j.started.store(2, Ordering::Release);
                if st.is_success() {
                    NtWaitForSingleObject(j.handles[1], 0, &t)
                } else {
                    st
                }
            }
            Op::ReleaseMutant => NtReleaseMutant(j.handles[0], core::ptr::null_mut()),
            Op::Nap => NtDelayExecution(0, &t),
        }
    };
    j.ended_at.store(now(), Ordering::Release);
    j.seq
        .store(SEQ.fetch_add(1, Ordering::AcqRel) + 1, Ordering::Release);
    // SAFETY: no arguments.
    let alert = unsafe { NtTestAlert() };
    j.test_alert.store(alert.0, Ordering::Release);
    j.status.store(st.0, Ordering::Release);
    if j.op == Op::Nap {
        7
    } else {
        0
    }
}

/// Starts a worker thread on `job` (suspended when asked); its handle, or
/// NULL when NtCreateThreadEx failed (a failed check).
pub fn start(job: &Job, suspended: bool) -> Handle {
    let mut h = Handle::NULL;
    // SAFETY: valid pointers; `job` outlives the thread (the caller joins).
    let st = unsafe {
        NtCreateThreadEx(
            &mut h,
            THREAD_ALL_ACCESS,
            core::ptr::null(),
            Handle::CURRENT_PROCESS,
            worker as *const () as usize,
            job as *const Job as usize,
            suspended as u32,
            0,
            0,
            0,
            core::ptr::null(),
        )
    };
    if !nt_test::check_ok!(st) {
        return Handle::NULL;
    }
    h
}

/// Waits (up to 2 s) until the worker runs (`started >= level`), then gives
/// it 60 ms more to reach its wait.
pub fn until_started(job: &Job, level: u32) -> bool {
    for _ in 0..200 {
        if job.started.load(Ordering::Acquire) >= level {
            sleep_ms(60);
            return true;
        }
        sleep_ms(10);
    }
    false
}

/// Waits for the thread to end (up to `ms`); a thread still running then
/// is terminated so that its Job can go. Closes the handle. The wait's
/// status.
pub fn join(th: Handle, ms: i64) -> NtStatus {
    if th.is_null() {
        return NtStatus(PENDING);
    }
    let st = wait1(th, ms);
    if st != nt_test::nt_abi::status::STATUS_SUCCESS {
        // SAFETY: no pointers.
        unsafe { NtTerminateThread(th, 1) };
        wait1(th, 2000);
    }
    close(th);
    st
}

fn run(_peb: &nt_test::nt_abi::types::Peb) {
    objects::run();
    waits::run();
}

nt_test::entry!("nt-wait", run);
