//! bench-syscall.exe: times NtYieldExecution, the null NT service (no
//! arguments, no buffer, no state to look at: with one thread ready there
//! is nothing to yield to), through the whole path: ntdll's stub,
//! the seL4 Call, the Executive's decode and dispatch, the reply. Prints
//! `bench-raw syscall.null_roundtrip = INT FRAC` (TSC ticks per round
//! trip, which under QEMU -icount shift=0 are instructions) and a suite
//! line so the harness knows it is done.
#![no_std]
#![no_main]

use nt_abi::types::{Handle, UnicodeString};
use nt_abi::NtStatus;

#[link(name = "ntdll", kind = "raw-dylib")]
extern "system" {
    fn NtYieldExecution() -> NtStatus;
    fn NtDisplayString(string: *const UnicodeString) -> NtStatus;
    fn NtTerminateProcess(process: Handle, exit_status: i32) -> NtStatus;
}

const WARMUP: u64 = 1_000;
const ROUNDS: u64 = 20_000;

fn print(text: &str) {
    let mut buf = [0u16; 128];
    let n = text.len().min(buf.len());
    for (d, s) in buf.iter_mut().zip(text.bytes()) {
        *d = s as u16;
    }
    let s = UnicodeString { length: (n * 2) as u16, maximum_length: (n * 2) as u16, buffer: buf.as_ptr() as u64 };
    // SAFETY: `s` describes `buf`, alive for the call.
    unsafe { NtDisplayString(&s) };
}

/// Formats `v` in decimal into `out`; returns the digits.
fn decimal(mut v: u64, out: &mut [u8; 20]) -> &str {
    let mut i = out.len();
    loop {
        i -= 1;
        out[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    core::str::from_utf8(&out[i..]).unwrap_or("?")
}

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
    let (mut a, mut b) = ([0u8; 20], [0u8; 20]);
    let per = decimal((t1 - t0) / ROUNDS, &mut a);
    let frac = decimal((t1 - t0) % ROUNDS * 100 / ROUNDS, &mut b);
    print("bench-raw syscall.null_roundtrip = ");
    print(per);
    print(" ");
    print(frac);
    print("\n");
    print(if ok { "suite nt-bench-syscall: 1 passed, 0 failed\n" } else { "suite nt-bench-syscall: 0 passed, 1 failed\n" });
    // SAFETY: ends this process.
    unsafe { NtTerminateProcess(Handle::CURRENT_PROCESS, 0) };
    0
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    // SAFETY: ends this process.
    unsafe { NtTerminateProcess(Handle::CURRENT_PROCESS, 1) };
    loop {}
}

/// MSVC-target code that touches floating point refers to `_fltused`.
#[no_mangle]
#[used]
pub static _fltused: i32 = 0;
