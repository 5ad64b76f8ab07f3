//! nt-time.exe: the time services and KUSER_SHARED_DATA as a native program
//! sees them: the shared page is mapped read-only at 0x7FFE0000 with the
//! version fields and clocks that move with the tick; NtQuerySystemTime,
//! NtSetSystemTime, NtQueryPerformanceCounter and NtQueryTimerResolution
//! with their bad input.
#![no_std]
#![no_main]

use core::mem::offset_of;
use nt_test::nt_abi::status::*;
use nt_test::nt_abi::types::{Handle, KSystemTime, KUserSharedData as S, MemoryBasicInformation, KUSER_SHARED_DATA_ADDRESS};
use nt_test::nt_abi::NtStatus;
use nt_test::util::bad;
use nt_test::{check, check_eq, check_st};

#[link(name = "ntdll", kind = "raw-dylib")]
extern "system" {
    fn NtQuerySystemTime(time: *mut i64) -> NtStatus;
    fn NtSetSystemTime(new: *const i64, previous: *mut i64) -> NtStatus;
    fn NtQueryPerformanceCounter(counter: *mut i64, frequency: *mut i64) -> NtStatus;
    fn NtQueryTimerResolution(maximum: *mut u32, minimum: *mut u32, current: *mut u32) -> NtStatus;
    fn NtYieldExecution() -> NtStatus;
    fn NtQueryVirtualMemory(process: Handle, base: usize, class: u32, info: *mut u8, len: usize, ret: *mut usize) -> NtStatus;
}

fn shared<T: Copy>(offset: usize) -> T {
    // SAFETY: the page at KUSER_SHARED_DATA_ADDRESS is mapped readable in
    // every process; `offset` is a field of KUSER_SHARED_DATA.
    unsafe { ((KUSER_SHARED_DATA_ADDRESS as usize + offset) as *const T).read_volatile() }
}

/// A KSYSTEM_TIME read as Windows' readers do (retry on a torn read).
fn shared_time(offset: usize) -> i64 {
    loop {
        let high1: i32 = shared(offset + offset_of!(KSystemTime, high1_time));
        let low: u32 = shared(offset + offset_of!(KSystemTime, low_part));
        let high2: i32 = shared(offset + offset_of!(KSystemTime, high2_time));
        if high1 == high2 {
            return ((high1 as i64) << 32) | low as i64;
        }
    }
}

/// Spins (yielding) until the interrupt time passed `until`, or gives up.
fn wait_until(until: i64) -> bool {
    for _ in 0..2_000_000 {
        if shared_time(offset_of!(S, interrupt_time)) > until {
            return true;
        }
        // SAFETY: no arguments.
        unsafe { NtYieldExecution() };
    }
    false
}

fn shared_page() {
    let mut mbi = [0u8; 0x30];
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtQueryVirtualMemory(Handle::CURRENT_PROCESS, KUSER_SHARED_DATA_ADDRESS as usize, 0, mbi.as_mut_ptr(), 0x30, core::ptr::null_mut()) },
        STATUS_SUCCESS
    );
    let word = |o: usize| u32::from_le_bytes(mbi[o..o + 4].try_into().unwrap());
    check_eq!(word(offset_of!(MemoryBasicInformation, state)), 0x1000, "MEM_COMMIT");
    check_eq!(word(offset_of!(MemoryBasicInformation, protect)), 2, "PAGE_READONLY");
    check_eq!(shared::<u32>(offset_of!(S, nt_major_version)), 10);
    check_eq!(shared::<u32>(offset_of!(S, nt_minor_version)), 0);
    check_eq!(shared::<u32>(offset_of!(S, nt_build_number)), 19045);
    check_eq!(shared::<u16>(offset_of!(S, native_processor_architecture)), 9, "AMD64");
    check_eq!(shared::<u16>(offset_of!(S, nt_system_root)), b'C' as u16);
    check!(shared::<u32>(offset_of!(S, number_of_physical_pages)) > 1000);
    check_eq!(shared::<u32>(offset_of!(S, active_processor_count)), 1);
    check_eq!(shared::<i64>(offset_of!(S, qpc_frequency)), 10_000_000);
    // Read-only: a service asked to write there gets an access violation.
    check_st!(unsafe { NtQuerySystemTime(KUSER_SHARED_DATA_ADDRESS as *mut i64) }, STATUS_ACCESS_VIOLATION);
}

fn clocks_move() {
    let t0 = shared_time(offset_of!(S, interrupt_time));
    let ticks0 = shared_time(offset_of!(S, tick_count));
    check!(t0 > 0);
    // Three ticks of 15.625 ms later...
    check!(wait_until(t0 + 3 * 156_250), "the interrupt time did not move");
    let t1 = shared_time(offset_of!(S, interrupt_time));
    let ticks1 = shared_time(offset_of!(S, tick_count));
    check!(t1 > t0);
    check!(ticks1 >= ticks0 + 2, "tick count {ticks0} -> {ticks1}");
    // SystemTime follows NtQuerySystemTime within a tick or two.
    let mut now = 0i64;
    // SAFETY: a valid pointer.
    check_st!(unsafe { NtQuerySystemTime(&mut now) }, STATUS_SUCCESS);
    let shared_now = shared_time(offset_of!(S, system_time));
    check!((now - shared_now).abs() < 4 * 156_250, "system time {now} vs shared {shared_now}");
    // After 2026-01-01 (CMOS or the fallback).
    // 2026-01-01 00:00 UTC in NT time.
    check!(now >= 0x01DC_7AB1_9281_0000, "the system time is in 2026 or later: {now:#x}");
}

fn system_time() {
    let (mut a, mut b) = (0i64, 0i64);
    // SAFETY: valid pointers.
    unsafe {
        check_st!(NtQuerySystemTime(&mut a), STATUS_SUCCESS);
        check_st!(NtQuerySystemTime(&mut b), STATUS_SUCCESS);
    }
    check!(b >= a);
    check_st!(unsafe { NtQuerySystemTime(core::ptr::null_mut()) }, STATUS_ACCESS_VIOLATION);
    check_st!(unsafe { NtQuerySystemTime(bad::KERNEL as *mut i64) }, STATUS_ACCESS_VIOLATION);
    check_st!(unsafe { NtQuerySystemTime(bad::UNMAPPED as *mut i64) }, STATUS_ACCESS_VIOLATION);
    // Set it one hour ahead, read it back, set it back.
    let hour = 36_000_000_000i64;
    let (mut prev, mut later) = (0i64, 0i64);
    // SAFETY: valid pointers.
    unsafe {
        check_st!(NtSetSystemTime(&(a + hour), &mut prev), STATUS_SUCCESS);
        check!(prev >= a && prev - a < hour / 60, "previous {prev} vs {a}");
        check_st!(NtQuerySystemTime(&mut later), STATUS_SUCCESS);
        check!(later >= a + hour && later - (a + hour) < hour / 60, "{later} vs {}", a + hour);
        check_st!(NtSetSystemTime(&prev, core::ptr::null_mut()), STATUS_SUCCESS);
        check_st!(NtQuerySystemTime(&mut later), STATUS_SUCCESS);
        check!(later >= prev && later - prev < hour / 60);
        // Only the previous time.
        check_st!(NtSetSystemTime(core::ptr::null(), &mut prev), STATUS_SUCCESS);
        check!(prev >= a);
        check_st!(NtSetSystemTime(bad::UNMAPPED as *const i64, core::ptr::null_mut()), STATUS_ACCESS_VIOLATION);
    }
}

fn performance_counter() {
    let (mut c0, mut c1, mut f) = (0i64, 0i64, 0i64);
    // SAFETY: valid pointers.
    unsafe {
        check_st!(NtQueryPerformanceCounter(&mut c0, &mut f), STATUS_SUCCESS);
        check_eq!(f, 10_000_000);
        check_st!(NtQueryPerformanceCounter(&mut c1, core::ptr::null_mut()), STATUS_SUCCESS);
    }
    check!(c1 >= c0);
    check_st!(unsafe { NtQueryPerformanceCounter(core::ptr::null_mut(), &mut f) }, STATUS_ACCESS_VIOLATION);
    check_st!(unsafe { NtQueryPerformanceCounter(&mut c0, bad::KERNEL as *mut i64) }, STATUS_ACCESS_VIOLATION);
}

fn timer_resolution() {
    let (mut max, mut min, mut cur) = (0u32, 0u32, 0u32);
    // SAFETY: valid pointers.
    check_st!(unsafe { NtQueryTimerResolution(&mut max, &mut min, &mut cur) }, STATUS_SUCCESS);
    check_eq!(max, 156_250);
    check!(min <= max && min > 0);
    check!(cur >= min && cur <= max);
    check_st!(unsafe { NtQueryTimerResolution(core::ptr::null_mut(), &mut min, &mut cur) }, STATUS_ACCESS_VIOLATION);
    check_st!(unsafe { NtQueryTimerResolution(&mut max, bad::UNMAPPED as *mut u32, &mut cur) }, STATUS_ACCESS_VIOLATION);
}

fn run(_peb: &nt_test::nt_abi::types::Peb) {
    shared_page();
    clocks_move();
    system_time();
    performance_counter();
    timer_resolution();
}

nt_test::entry!("nt-time", run);
