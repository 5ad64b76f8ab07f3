//! bench-vm-nt.exe: the NT memory manager's costs seen from a program:
//! NtAllocateVirtualMemory (reserve + commit 64 KiB), a write to each of
//! its 16 pages (16 demand-zero faults), NtFreeVirtualMemory; and one
//! demand-zero fault alone (touching a fresh page of a large committed
//! region). Prints `bench-raw vm-nt.METRIC = INT FRAC` in TSC ticks (under
//! QEMU -icount shift=0: instructions) and a suite line when done.
#![no_std]
#![no_main]

use nt_abi::types::{Handle, UnicodeString};
use nt_abi::NtStatus;

#[link(name = "ntdll", kind = "raw-dylib")]
extern "system" {
    fn NtAllocateVirtualMemory(process: Handle, base: *mut usize, zero_bits: usize, size: *mut usize, kind: u32, protect: u32) -> NtStatus;
    fn NtFreeVirtualMemory(process: Handle, base: *mut usize, size: *mut usize, kind: u32) -> NtStatus;
    fn NtDisplayString(string: *const UnicodeString) -> NtStatus;
    fn NtTerminateProcess(process: Handle, exit_status: i32) -> NtStatus;
}

const MEM_COMMIT: u32 = 0x1000;
const MEM_RESERVE: u32 = 0x2000;
const MEM_RELEASE: u32 = 0x8000;
const PAGE_READWRITE: u32 = 4;
const ROUNDS: u64 = 500;
const FAULT_PAGES: u64 = 2048;

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

fn report(name: &str, total: u64, rounds: u64) {
    let (mut a, mut b) = ([0u8; 20], [0u8; 20]);
    print("bench-raw vm-nt.");
    print(name);
    print(" = ");
    print(decimal(total / rounds, &mut a));
    print(" ");
    print(decimal(total % rounds * 100 / rounds, &mut b));
    print("\n");
}

fn tsc() -> u64 {
    // SAFETY: rdtsc only reads the time-stamp counter.
    unsafe { core::arch::x86_64::_rdtsc() }
}

fn allocate(size: usize) -> Option<usize> {
    let (mut base, mut s) = (0usize, size);
    // SAFETY: valid pointers.
    let st = unsafe { NtAllocateVirtualMemory(Handle::CURRENT_PROCESS, &mut base, 0, &mut s, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE) };
    (st.0 == 0).then_some(base)
}

fn release(base: usize) -> bool {
    let (mut b, mut s) = (base, 0usize);
    // SAFETY: valid pointers.
    unsafe { NtFreeVirtualMemory(Handle::CURRENT_PROCESS, &mut b, &mut s, MEM_RELEASE) }.0 == 0
}

/// Writes one word in each page of `[base, base + pages * 4 KiB)`.
fn touch(base: usize, pages: u64) {
    for i in 0..pages {
        // SAFETY: the range is committed read-write memory of this process.
        unsafe { ((base + (i as usize) * 0x1000) as *mut u64).write_volatile(i) };
    }
}

#[no_mangle]
pub extern "system" fn NtProcessStartup(_peb: usize) -> u32 {
    let mut ok = true;
    // Warm up (page tables, pools), then measure.
    for _ in 0..20 {
        match allocate(0x1_0000) {
            Some(b) => {
                touch(b, 16);
                ok &= release(b);
            }
            None => ok = false,
        }
    }
    let t0 = tsc();
    for _ in 0..ROUNDS {
        match allocate(0x1_0000) {
            Some(b) => {
                touch(b, 16);
                ok &= release(b);
            }
            None => ok = false,
        }
    }
    let t1 = tsc();
    report("alloc_touch_free_64k", t1 - t0, ROUNDS);
    // Demand-zero faults alone: one region, each page touched once, minus
    // the same loop over pages that are already there.
    match allocate((FAULT_PAGES * 0x1000) as usize) {
        Some(b) => {
            let t0 = tsc();
            touch(b, FAULT_PAGES);
            let t1 = tsc();
            touch(b, FAULT_PAGES);
            let t2 = tsc();
            let faults = (t1 - t0).saturating_sub(t2 - t1);
            report("demand_zero_fault", faults, FAULT_PAGES);
            ok &= release(b);
        }
        None => ok = false,
    }
    print(if ok { "suite nt-bench-vm: 1 passed, 0 failed\n" } else { "suite nt-bench-vm: 0 passed, 1 failed\n" });
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
