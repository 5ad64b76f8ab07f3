//! bench-vm-nt.exe: the NT memory manager's costs seen from a program:
//! NtAllocateVirtualMemory (reserve + commit 64 KiB), a write to each of
//! its 16 pages (16 demand-zero faults), NtFreeVirtualMemory; and one
//! demand-zero fault alone (touching a fresh page of a large committed
//! region). Prints `bench-raw vm-nt.METRIC = INT FRAC` in TSC ticks (under
//! QEMU -icount shift=0: instructions) and a suite line when done. Output
//! and panics go through the nt-test runtime.
#![no_std]
#![no_main]

use nt_test::nt::{NtAllocateVirtualMemory, NtFreeVirtualMemory, NtTerminateProcess};
use nt_test::nt_abi::types::Handle;
use nt_test::say;

const MEM_COMMIT: u32 = 0x1000;
const MEM_RESERVE: u32 = 0x2000;
const MEM_RELEASE: u32 = 0x8000;
const PAGE_READWRITE: u32 = 4;
const ROUNDS: u64 = 500;
const FAULT_PAGES: u64 = 2048;

fn report(name: &str, total: u64, rounds: u64) {
    say!("bench-raw vm-nt.{name} = {} {}", total / rounds, total % rounds * 100 / rounds);
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
    say!("suite nt-bench-vm: {} passed, {} failed", ok as u32, !ok as u32);
    // SAFETY: ends this process.
    unsafe { NtTerminateProcess(Handle::CURRENT_PROCESS, 0) };
    0
}
