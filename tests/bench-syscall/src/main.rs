//! bench-syscall.exe: times NtYieldExecution, the null NT service (no
//! arguments, no buffer, no state to look at: with one thread ready there
//! is nothing to yield to), through the whole path: ntdll's stub,
//! the seL4 Call, the Executive's decode and dispatch, the reply. Prints
//! `bench-raw syscall.null_roundtrip = INT FRAC` (TSC ticks per round
//! trip, which under QEMU -icount shift=0 are instructions) and a suite
//! line so the harness knows it is done. Output and panics go through the
//! nt-test runtime.
#![no_std]
#![no_main]

use nt_test::nt::{NtTerminateProcess, NtYieldExecution};
use nt_test::nt_abi::types::Handle;
use nt_test::say;

const WARMUP: u64 = 1_000;
const ROUNDS: u64 = 20_000;

fn tsc() -> u64 {
    // SAFETY: rdtsc only reads the time-stamp counter.
    unsafe { core::arch::x86_64::_rdtsc() }
}

#[no_mangle]
pub extern "system" fn NtProcessStartup(_peb: usize) -> u32 {
    let mut ok = true;
    for _ in 0..WARMUP {
        // SAFETY: a service without arguments.
        ok &= unsafe { NtYieldExecution() }.0 == 0;
    }
    let t0 = tsc();
    for _ in 0..ROUNDS {
        // SAFETY: as above.
        unsafe { NtYieldExecution() };
    }
    let t1 = tsc();
    say!("bench-raw syscall.null_roundtrip = {} {}", (t1 - t0) / ROUNDS, (t1 - t0) % ROUNDS * 100 / ROUNDS);
    say!("suite nt-bench-syscall: {} passed, {} failed", ok as u32, !ok as u32);
    // SAFETY: ends this process.
    unsafe { NtTerminateProcess(Handle::CURRENT_PROCESS, 0) };
    0
}
