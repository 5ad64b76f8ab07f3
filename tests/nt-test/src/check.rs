//! Counted checks. Every `check!`-style macro adds one to the passed or the
//! failed count; a failure prints `FAILED file:line: what (values)` at once,
//! which the harness lists under the suite. [`finish`] prints the closing
//! `suite NAME: N passed, M failed` line and ends the process.

use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use nt_abi::types::Handle;

static PASSED: AtomicU32 = AtomicU32::new(0);
static FAILED: AtomicU32 = AtomicU32::new(0);
/// The suite name (a `&'static str` split in two words, set once by
/// [`begin`] before any thread exists).
static NAME_PTR: AtomicUsize = AtomicUsize::new(0);
static NAME_LEN: AtomicUsize = AtomicUsize::new(0);

fn name() -> &'static str {
    let (p, n) = (
        NAME_PTR.load(Ordering::Acquire),
        NAME_LEN.load(Ordering::Acquire),
    );
    if p == 0 {
        return "?";
    }
    // SAFETY: `begin` stored the parts of a `&'static str`.
    unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(p as *const u8, n)) }
}

/// Records the suite name and prints the start line.
pub fn begin(suite: &'static str) {
    NAME_LEN.store(suite.len(), Ordering::Release);
    NAME_PTR.store(suite.as_ptr() as usize, Ordering::Release);
    crate::say!("suite {suite}: start");
}

/// Renames the suite (a program that runs as several suites picks its
/// name from its command line).
pub fn rename(suite: &'static str) {
    NAME_LEN.store(suite.len(), Ordering::Release);
    NAME_PTR.store(suite.as_ptr() as usize, Ordering::Release);
}

/// Counts one check; prints the failure with where it was and what it saw.
pub fn record(ok: bool, file: &str, line: u32, what: core::fmt::Arguments) -> bool {
    if ok {
        PASSED.fetch_add(1, Ordering::Relaxed);
    } else {
        FAILED.fetch_add(1, Ordering::Relaxed);
        crate::say!("FAILED {file}:{line}: {what}");
    }
    ok
}

/// (passed, failed) so far.
pub fn counts() -> (u32, u32) {
    (
        PASSED.load(Ordering::Relaxed),
        FAILED.load(Ordering::Relaxed),
    )
}

/// Prints the summary line and ends the process: exit status 0 when every
/// check passed, 1 otherwise.
pub fn finish() -> ! {
    let (p, f) = counts();
    crate::say!("suite {}: {p} passed, {f} failed", name());
    exit((f != 0) as i32)
}

/// Ends the calling process with `status`.
pub fn exit(status: i32) -> ! {
    // SAFETY: NtTerminateProcess on the current process does not return
    // when it succeeds.
    unsafe { crate::nt::NtTerminateProcess(Handle::CURRENT_PROCESS, status) };
    // The Executive refused: stop with a CPU fault rather than return into
    // the loader with a live process.
    loop {
        // SAFETY: ud2 only raises #UD, which ends the process.
        unsafe { core::arch::asm!("ud2") };
    }
}

/// The panic handler's body: report as a failed check, then the summary.
pub fn abort(info: &core::panic::PanicInfo) -> ! {
    FAILED.fetch_add(1, Ordering::Relaxed);
    match info.location() {
        Some(l) => crate::say!(
            "FAILED {}:{}: panic: {}",
            l.file(),
            l.line(),
            info.message()
        ),
        None => crate::say!("FAILED panic: {}", info.message()),
    }
    finish()
}

/// `check!(cond)` or `check!(cond, "fmt", args..)`: one check.
#[macro_export]
macro_rules! check {
    ($cond:expr) => {
        $crate::check::record($cond, file!(), line!(), format_args!("{}", stringify!($cond)))
    };
    ($cond:expr, $($fmt:tt)+) => {
        $crate::check::record($cond, file!(), line!(), format_args!("{}: {}", stringify!($cond), format_args!($($fmt)+)))
    };
}

/// `check_eq!(got, want)`: one check, printing both values on failure.
#[macro_export]
macro_rules! check_eq {
    ($got:expr, $want:expr $(,)?) => {{
        let (got, want) = (&$got, &$want);
        $crate::check::record(
            *got == *want,
            file!(),
            line!(),
            format_args!("{} = {:?}, expected {:?}", stringify!($got), got, want),
        )
    }};
    ($got:expr, $want:expr, $($fmt:tt)+) => {{
        let (got, want) = (&$got, &$want);
        $crate::check::record(
            *got == *want,
            file!(),
            line!(),
            format_args!("{} = {:?}, expected {:?} ({})", stringify!($got), got, want, format_args!($($fmt)+)),
        )
    }};
}

/// `check_st!(call, STATUS_X)`: the call returns exactly that NTSTATUS.
/// Evaluates to the status.
#[macro_export]
macro_rules! check_st {
    ($call:expr, $want:expr $(,)?) => {{
        let got: $crate::nt_abi::NtStatus = $call;
        let want: $crate::nt_abi::NtStatus = $want;
        $crate::check::record(
            got == want,
            file!(),
            line!(),
            format_args!("{} returned {}, expected {}", stringify!($call), got, want),
        );
        got
    }};
}

/// `check_ok!(call)`: the call returns an NT_SUCCESS status. Evaluates to
/// whether it did.
#[macro_export]
macro_rules! check_ok {
    ($call:expr $(,)?) => {{
        let got: $crate::nt_abi::NtStatus = $call;
        $crate::check::record(
            got.is_success(),
            file!(),
            line!(),
            format_args!("{} returned {}", stringify!($call), got),
        )
    }};
}
