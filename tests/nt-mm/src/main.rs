//! nt-mm.exe: the virtual memory services as a native program sees them:
//! reserve/commit/decommit/release round trips with NtQueryVirtualMemory,
//! demand-zero pages, protections (a write to read-only memory through a
//! service is an access violation; a guard page reports
//! STATUS_GUARD_PAGE_VIOLATION once), NtRead/WriteVirtualMemory,
//! NtLockVirtualMemory, NtFlushInstructionCache, and bad input.
#![no_std]
#![no_main]

use core::mem::offset_of;
use nt_test::nt::*;
use nt_test::nt_abi::consts::*;
use nt_test::nt_abi::status::*;
use nt_test::nt_abi::types::{Handle, MemoryBasicInformation as Mbi};
use nt_test::nt_abi::NtStatus;
use nt_test::util::bad;
use nt_test::{check, check_eq, check_st};

#[link(name = "ntdll", kind = "raw-dylib")]
extern "system" {
    fn NtQueryVirtualMemory(process: Handle, base: usize, class: u32, info: *mut u8, len: usize, ret: *mut usize) -> NtStatus;
    fn NtReadVirtualMemory(process: Handle, base: usize, buffer: *mut u8, len: usize, read: *mut usize) -> NtStatus;
    fn NtWriteVirtualMemory(process: Handle, base: usize, buffer: *const u8, len: usize, written: *mut usize) -> NtStatus;
    fn NtLockVirtualMemory(process: Handle, base: *mut usize, size: *mut usize, map_type: u32) -> NtStatus;
    fn NtFlushInstructionCache(process: Handle, base: usize, len: usize) -> NtStatus;
    fn NtQuerySystemTime(time: *mut i64) -> NtStatus;
}

const ME: Handle = Handle::CURRENT_PROCESS;
const STATUS_FREE_VM_NOT_AT_BASE: NtStatus = NtStatus(0xC000_009F);
const STATUS_MEMORY_NOT_ALLOCATED: NtStatus = NtStatus(0xC000_00A0);
const STATUS_COMMITMENT_LIMIT: NtStatus = NtStatus(0xC000_012D);

fn allocate(base: usize, size: usize, kind: u32, protect: u32) -> (NtStatus, usize, usize) {
    let (mut b, mut s) = (base, size);
    // SAFETY: valid pointers.
    let st = unsafe { NtAllocateVirtualMemory(ME, &mut b, 0, &mut s, kind, protect) };
    (st, b, s)
}

fn free(base: usize, size: usize, kind: u32) -> (NtStatus, usize, usize) {
    let (mut b, mut s) = (base, size);
    // SAFETY: valid pointers.
    let st = unsafe { NtFreeVirtualMemory(ME, &mut b, &mut s, kind) };
    (st, b, s)
}

fn protect(base: usize, size: usize, new: u32) -> (NtStatus, u32) {
    let (mut b, mut s, mut old) = (base, size, 0u32);
    // SAFETY: valid pointers.
    let st = unsafe { NtProtectVirtualMemory(ME, &mut b, &mut s, new, &mut old) };
    (st, old)
}

fn query(addr: usize) -> (NtStatus, Mbi) {
    let mut b = [0u8; 0x30];
    // SAFETY: a valid buffer of its length.
    let st = unsafe { NtQueryVirtualMemory(ME, addr, 0, b.as_mut_ptr(), 0x30, core::ptr::null_mut()) };
    let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap());
    let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
    let m = Mbi {
        base_address: u64_at(offset_of!(Mbi, base_address)),
        allocation_base: u64_at(offset_of!(Mbi, allocation_base)),
        allocation_protect: u32_at(offset_of!(Mbi, allocation_protect)),
        partition_id: 0,
        region_size: u64_at(offset_of!(Mbi, region_size)),
        state: u32_at(offset_of!(Mbi, state)),
        protect: u32_at(offset_of!(Mbi, protect)),
        type_: u32_at(offset_of!(Mbi, type_)),
    };
    (st, m)
}

fn reserve_commit_release() {
    let (st, base, size) = allocate(0, 0x3_0000, MEM_RESERVE, PAGE_READWRITE);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(base % 0x1_0000, 0, "64 KiB granularity");
    check_eq!(size, 0x3_0000);
    let (_, m) = query(base);
    check_eq!(m.state, MEM_RESERVE);
    check_eq!(m.allocation_base, base as u64);
    check_eq!(m.type_, MEM_PRIVATE);
    // Commit two pages in the middle (rounded to pages).
    let (st, cb, cs) = allocate(base + 0x1_0010, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    check_st!(st, STATUS_SUCCESS);
    check_eq!((cb, cs), (base + 0x1_0000, 0x2000), "page rounding");
    let (_, m) = query(base + 0x1_0000);
    check_eq!((m.state, m.protect, m.region_size), (MEM_COMMIT, PAGE_READWRITE, 0x2000));
    // Demand-zero: committed memory reads as zero and keeps what is written.
    // SAFETY: the two pages are committed read-write.
    unsafe {
        let p = (base + 0x1_0000) as *mut u64;
        check_eq!(p.read_volatile(), 0);
        check_eq!(p.add(0x1FF).read_volatile(), 0);
        p.write_volatile(0x1122_3344_5566_7788);
        check_eq!(p.read_volatile(), 0x1122_3344_5566_7788);
    }
    // Decommit: reserved again.
    let (st, _, _) = free(base + 0x1_0000, 0x1000, MEM_DECOMMIT);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(query(base + 0x1_0000).1.state, MEM_RESERVE);
    // A release needs the allocation base and size 0.
    check_st!(free(base + 0x1000, 0, MEM_RELEASE).0, STATUS_FREE_VM_NOT_AT_BASE);
    check_st!(free(base, 0, MEM_RELEASE).0, STATUS_SUCCESS);
    check_eq!(query(base).1.state, MEM_FREE);
    check_st!(free(base, 0, MEM_RELEASE).0, STATUS_MEMORY_NOT_ALLOCATED);
}

fn protections() {
    let (st, base, _) = allocate(0, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    check_st!(st, STATUS_SUCCESS);
    let (st, old) = protect(base, 0x1000, PAGE_READONLY);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(old, PAGE_READWRITE);
    check_eq!(query(base).1.protect, PAGE_READONLY);
    // A service may not write there for us: the probe answers.
    check_st!(unsafe { NtQuerySystemTime(base as *mut i64) }, STATUS_ACCESS_VIOLATION);
    // The page after it is still writable.
    let mut t = 0i64;
    check_st!(unsafe { NtQuerySystemTime((base + 0x1000) as *mut i64) }, STATUS_SUCCESS);
    check_st!(unsafe { NtQuerySystemTime(&mut t) }, STATUS_SUCCESS);
    // A guard page reports once, then the page is plain read-write.
    let (st, _) = protect(base + 0x1000, 0x1000, PAGE_READWRITE | PAGE_GUARD);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(query(base + 0x1000).1.protect, PAGE_READWRITE | PAGE_GUARD);
    check_st!(unsafe { NtQuerySystemTime((base + 0x1000) as *mut i64) }, STATUS_GUARD_PAGE_VIOLATION);
    check_eq!(query(base + 0x1000).1.protect, PAGE_READWRITE);
    check_st!(unsafe { NtQuerySystemTime((base + 0x1000) as *mut i64) }, STATUS_SUCCESS);
    // PAGE_NOACCESS.
    check_st!(protect(base + 0x1000, 0x1000, PAGE_NOACCESS).0, STATUS_SUCCESS);
    check_st!(unsafe { NtQuerySystemTime((base + 0x1000) as *mut i64) }, STATUS_ACCESS_VIOLATION);
    // Bad protections, reserved pages.
    check_st!(protect(base, 0x1000, 0).0, STATUS_INVALID_PAGE_PROTECTION);
    check_st!(protect(base, 0x1000, PAGE_READONLY | PAGE_READWRITE).0, STATUS_INVALID_PAGE_PROTECTION);
    check_st!(protect(base, 0x1000, PAGE_WRITECOPY).0, STATUS_INVALID_PAGE_PROTECTION);
    check_st!(free(base, 0, MEM_RELEASE).0, STATUS_SUCCESS);
    check_st!(protect(base, 0x1000, PAGE_READONLY).0, STATUS_CONFLICTING_ADDRESSES);
}

fn bad_allocations() {
    check_st!(allocate(0, 0, MEM_RESERVE, PAGE_READWRITE).0, STATUS_INVALID_PARAMETER_4);
    check_st!(allocate(0, 0x1000, 0, PAGE_READWRITE).0, STATUS_INVALID_PARAMETER_5);
    check_st!(allocate(0, 0x1000, MEM_RESERVE, 0).0, STATUS_INVALID_PAGE_PROTECTION);
    check_st!(allocate(0, 0x1000, MEM_RESERVE, PAGE_NOACCESS | PAGE_GUARD).0, STATUS_INVALID_PAGE_PROTECTION);
    check_st!(allocate(0x7FFF_FFFF_0000_0000, 0x1000, MEM_RESERVE, PAGE_READWRITE).0, STATUS_INVALID_PARAMETER_2);
    // Committing free memory.
    let (st, base, _) = allocate(0, 0x1_0000, MEM_RESERVE, PAGE_READWRITE);
    check_st!(st, STATUS_SUCCESS);
    check_st!(free(base, 0, MEM_RELEASE).0, STATUS_SUCCESS);
    check_st!(allocate(base, 0x1000, MEM_COMMIT, PAGE_READWRITE).0, STATUS_CONFLICTING_ADDRESSES);
    // Top-down lands above bottom-up.
    let (st, low, _) = allocate(0, 0x1_0000, MEM_RESERVE, PAGE_READWRITE);
    let (st2, high, _) = allocate(0, 0x1_0000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    check!(st.0 == 0 && st2.0 == 0 && high > low);
    free(low, 0, MEM_RELEASE);
    free(high, 0, MEM_RELEASE);
    // Bad pointers and handles.
    let mut s = 0x1000usize;
    check_st!(unsafe { NtAllocateVirtualMemory(ME, core::ptr::null_mut(), 0, &mut s, MEM_RESERVE, PAGE_READWRITE) }, STATUS_ACCESS_VIOLATION);
    let mut b = 0usize;
    check_st!(unsafe { NtAllocateVirtualMemory(ME, &mut b, 0, bad::UNMAPPED as *mut usize, MEM_RESERVE, PAGE_READWRITE) }, STATUS_ACCESS_VIOLATION);
    check_st!(unsafe { NtAllocateVirtualMemory(Handle(0x1234), &mut b, 0, &mut s, MEM_RESERVE, PAGE_READWRITE) }, STATUS_INVALID_HANDLE);
    check_st!(unsafe { NtAllocateVirtualMemory(Handle::CURRENT_THREAD, &mut b, 0, &mut s, MEM_RESERVE, PAGE_READWRITE) }, STATUS_OBJECT_TYPE_MISMATCH);
}

fn query_rules() {
    let (st, m) = query(0);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(m.state, MEM_FREE, "the first 64 KiB are never allocated");
    check_st!(query(0xFFFF_8000_0000_0000).0, STATUS_INVALID_PARAMETER);
    let mut b = [0u8; 0x30];
    check_st!(unsafe { NtQueryVirtualMemory(ME, 0x1_0000, 0, b.as_mut_ptr(), 0x20, core::ptr::null_mut()) }, STATUS_INFO_LENGTH_MISMATCH);
    check_st!(unsafe { NtQueryVirtualMemory(ME, 0x1_0000, 99, b.as_mut_ptr(), 0x30, core::ptr::null_mut()) }, STATUS_INVALID_INFO_CLASS);
    check_st!(unsafe { NtQueryVirtualMemory(ME, 0x1_0000, 0, bad::KERNEL as *mut u8, 0x30, core::ptr::null_mut()) }, STATUS_ACCESS_VIOLATION);
    // The program's own image is MEM_IMAGE.
    let here = query_rules as *const () as usize;
    let (_, m) = query(here);
    check_eq!(m.type_, MEM_IMAGE);
    check_eq!(m.state, MEM_COMMIT);
}

fn read_write_lock_flush() {
    let (st, base, _) = allocate(0, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    check_st!(st, STATUS_SUCCESS);
    let data = *b"triton memory!!!";
    let mut n = 0usize;
    check_st!(unsafe { NtWriteVirtualMemory(ME, base + 0xFF8, data.as_ptr(), data.len(), &mut n) }, STATUS_SUCCESS);
    check_eq!(n, data.len());
    let mut back = [0u8; 16];
    check_st!(unsafe { NtReadVirtualMemory(ME, base + 0xFF8, back.as_mut_ptr(), 16, &mut n) }, STATUS_SUCCESS);
    check_eq!(back, data);
    // Reading free memory is a partial copy.
    check_st!(unsafe { NtReadVirtualMemory(ME, 0x1000, back.as_mut_ptr(), 16, &mut n) }, STATUS_PARTIAL_COPY);
    let (mut lb, mut ls) = (base + 0x10, 0x100usize);
    check_st!(unsafe { NtLockVirtualMemory(ME, &mut lb, &mut ls, 1) }, STATUS_SUCCESS);
    check_eq!((lb, ls), (base, 0x1000));
    let (mut lb, mut ls) = (base, 0x1000usize);
    check_st!(unsafe { NtLockVirtualMemory(ME, &mut lb, &mut ls, 0) }, STATUS_INVALID_PARAMETER);
    check_st!(unsafe { NtLockVirtualMemory(ME, &mut lb, &mut ls, 2) }, STATUS_PRIVILEGE_NOT_HELD);
    let (mut lb, mut ls) = (0x1000usize, 0x1000usize);
    check_st!(unsafe { NtLockVirtualMemory(ME, &mut lb, &mut ls, 1) }, STATUS_NOT_COMMITTED);
    check_st!(unsafe { NtFlushInstructionCache(ME, base, 0x1000) }, STATUS_SUCCESS);
    check_st!(unsafe { NtFlushInstructionCache(Handle(0x1234), base, 0x1000) }, STATUS_INVALID_HANDLE);
    check_st!(free(base, 0, MEM_RELEASE).0, STATUS_SUCCESS);
    // A copy as big as the Executive's own heap: an answer, not a crash.
    let big = 16 << 20;
    let (st, base, _) = allocate(0, big, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    check_st!(st, STATUS_SUCCESS);
    // SAFETY: the region is committed read-write memory of this process.
    let st = unsafe { NtReadVirtualMemory(ME, base, base as *mut u8, big, &mut n) };
    check!(st == STATUS_SUCCESS || st == STATUS_NO_MEMORY, "16 MiB copy: {st:?}");
    let mut t = 0i64;
    // SAFETY: a valid pointer.
    check_st!(unsafe { NtQuerySystemTime(&mut t) }, STATUS_SUCCESS);
    check_st!(free(base, 0, MEM_RELEASE).0, STATUS_SUCCESS);
}

/// Commit is limited by the system's memory (no page file): committing
/// more is STATUS_COMMITMENT_LIMIT; reserving is not charged; a thread's
/// stack pages get frames only as it goes deeper.
fn commit_limit() {
    const BIG: usize = 64 << 30;
    check_st!(allocate(0, BIG, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE).0, STATUS_COMMITMENT_LIMIT);
    let (st, base, size) = allocate(0, BIG, MEM_RESERVE, PAGE_READWRITE);
    check_eq!(st, STATUS_SUCCESS, "reserving is free");
    check_eq!(size, BIG);
    check_st!(allocate(base, BIG, MEM_COMMIT, PAGE_READWRITE).0, STATUS_COMMITMENT_LIMIT);
    // Nothing was committed by the failed calls.
    check_eq!(query(base).1.state, MEM_RESERVE);
    check_eq!(query(base).1.region_size, BIG as u64);
    // A small commit inside it still works.
    check_st!(allocate(base, 0x1000, MEM_COMMIT, PAGE_READWRITE).0, STATUS_SUCCESS);
    check_st!(free(base, 0, MEM_RELEASE).0, STATUS_SUCCESS);
}

#[inline(never)]
fn deep(n: u32) -> u64 {
    let pad = core::hint::black_box([n as u8; 1024]);
    if n == 0 { pad[3] as u64 } else { deep(n - 1) + pad[7] as u64 }
}

/// The stack is committed up front but backed as it is touched: 200 KiB
/// of recursion works.
fn stack_grows() {
    check_eq!(deep(200), 20_100, "1 + 2 + ... + 200");
}

/// MemoryMappedFilenameInformation (2): the file behind an image view.
fn mapped_file_names() {
    let name_at = |addr: usize, len: usize| -> (NtStatus, usize, [u16; 128]) {
        let mut b = [0u8; 16 + 256];
        let mut ret = 0usize;
        // SAFETY: a valid buffer of at least `len` bytes.
        let st = unsafe { NtQueryVirtualMemory(ME, addr, 2, b.as_mut_ptr(), len, &mut ret) };
        let n = u16::from_le_bytes([b[0], b[1]]) as usize / 2;
        let mut units = [0u16; 128];
        for (i, u) in units.iter_mut().enumerate().take(n.min(128)) {
            *u = u16::from_le_bytes([b[16 + 2 * i], b[17 + 2 * i]]);
        }
        (st, n, units)
    };
    let ends_with = |units: &[u16], n: usize, tail: &str| n >= tail.len() && nt_test::util::eq_w_ci(&units[n - tail.len()..n], tail);
    let (st, n, units) = name_at(mapped_file_names as *const () as usize, 16 + 256);
    check_st!(st, STATUS_SUCCESS);
    check!(ends_with(&units, n, "\\system32\\nt-mm.exe"), "the program's own image");
    let ntdll = nt_test::util::ntdll_base();
    let (st, n, units) = name_at(ntdll + 0x1000, 16 + 256);
    check_st!(st, STATUS_SUCCESS);
    check!(ends_with(&units, n, "\\system32\\ntdll.dll"), "ntdll");
    check!(ends_with(&units, n, "ntdll.dll") && units[0] == b'\\' as u16, "a device path");
    // Too small for the header, too small for the name.
    check_st!(name_at(ntdll, 8).0, STATUS_INFO_LENGTH_MISMATCH);
    check_st!(name_at(ntdll, 20).0, STATUS_BUFFER_OVERFLOW);
    // Private memory has no file.
    let (st, base, _) = allocate(0, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    check_st!(st, STATUS_SUCCESS);
    check_st!(name_at(base, 16 + 256).0, STATUS_INVALID_ADDRESS);
    free(base, 0, MEM_RELEASE);
}

fn run(_peb: &nt_test::nt_abi::types::Peb) {
    mapped_file_names();
    commit_limit();
    stack_grows();
    reserve_commit_release();
    protections();
    bad_allocations();
    query_rules();
    read_write_lock_flush();
}

nt_test::entry!("nt-mm", run);
