//! nt-sysinfo.exe: NtQuerySystemInformation as a native program sees it:
//! the basic, processor, performance and time-of-day records with their
//! length rules (Wine's dlls/ntdll/tests/info.c records Windows' answers),
//! the process list (this program, its threads as they come and go, a
//! child process appearing and disappearing), the module list, and the
//! memory counters (ProcessVmCounters, the list's VM fields, the system's
//! commitment) moving with NtAllocateVirtualMemory and page touches.
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicBool, Ordering};
use nt_test::nt::*;
use nt_test::nt_abi::consts::*;
use nt_test::nt_abi::status::*;
use nt_test::nt_abi::types::*;
use nt_test::nt_abi::NtStatus;
use nt_test::util::{self, bad, us};
use nt_test::{check, check_eq, check_st, say, w};

#[link(name = "ntdll", kind = "raw-dylib")]
extern "system" {
    fn NtQuerySystemInformation(
        class: u32,
        info: *mut u8,
        length: u32,
        return_length: *mut u32,
    ) -> NtStatus;
}

const BASIC: u32 = 0;
const PROCESSOR: u32 = 1;
const PERFORMANCE: u32 = 2;
const TIME_OF_DAY: u32 = 3;
const PROCESSES: u32 = 5;
const MODULES: u32 = 11;
const PROCESS_QUOTA_LIMITS: u32 = 1;
const PROCESS_VM_COUNTERS: u32 = 3;
const PROCESS_HANDLE_COUNT: u32 = 20;
const PROCESS_TIMES: u32 = 4;

/// A buffer aligned for every record.
#[repr(C, align(16))]
struct Buf([u8; 0x4000]);

impl Buf {
    fn new() -> Buf {
        Buf([0; 0x4000])
    }
    fn ptr(&mut self) -> *mut u8 {
        self.0.as_mut_ptr()
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

fn query(class: u32, buf: *mut u8, len: u32) -> (NtStatus, u32) {
    let mut ret = 0xDEAD_BEEFu32;
    // SAFETY: `buf` is valid for `len` bytes or a deliberate bad pointer.
    let st = unsafe { NtQuerySystemInformation(class, buf, len, &mut ret) };
    (st, ret)
}

fn my_pid() -> u64 {
    // SAFETY: the TEB is mapped for the thread's lifetime.
    unsafe { (*util::teb()).client_id.unique_process }
}

fn my_tid() -> u64 {
    // SAFETY: as above.
    unsafe { (*util::teb()).client_id.unique_thread }
}

fn classes_and_pointers() {
    let mut b = Buf::new();
    check_st!(
        query(0xFFFF_FFFF, core::ptr::null_mut(), 0).0,
        STATUS_INVALID_INFO_CLASS
    );
    check_st!(query(200, b.ptr(), 0x40).0, STATUS_INVALID_INFO_CLASS);
    // SAFETY: no pointers.
    check_st!(
        unsafe { NtQuerySystemInformation(BASIC, core::ptr::null_mut(), 0, core::ptr::null_mut()) },
        STATUS_INFO_LENGTH_MISMATCH
    );
    let st = query(BASIC, core::ptr::null_mut(), 0x40).0;
    check!(
        st == STATUS_ACCESS_VIOLATION || st == STATUS_INVALID_PARAMETER,
        "NULL buffer: {st}"
    );
    check_st!(
        query(BASIC, bad::KERNEL as *mut u8, 0x40).0,
        STATUS_ACCESS_VIOLATION
    );
    check_st!(
        query(BASIC, bad::UNMAPPED as *mut u8, 0x40).0,
        STATUS_ACCESS_VIOLATION
    );
    // SAFETY: inside `b`; deliberately misaligned.
    check_st!(
        query(BASIC, unsafe { b.ptr().add(1) }, 0x40).0,
        STATUS_DATATYPE_MISALIGNMENT
    );
    // SAFETY: `b` is valid; the ReturnLength pointer is not.
    let st = unsafe { NtQuerySystemInformation(BASIC, b.ptr(), 0x40, bad::KERNEL as *mut u32) };
    check_eq!(st, STATUS_ACCESS_VIOLATION, "bad ReturnLength");
}

fn basic() {
    let mut b = Buf::new();
    check_eq!(
        query(BASIC, b.ptr(), 0x80).0,
        STATUS_INFO_LENGTH_MISMATCH,
        "twice the size"
    );
    check_st!(query(BASIC, b.ptr(), 0x3F).0, STATUS_INFO_LENGTH_MISMATCH);
    // SAFETY: `b` holds 0x40 bytes; no ReturnLength.
    check_st!(
        unsafe { NtQuerySystemInformation(BASIC, b.ptr(), 0x40, core::ptr::null_mut()) },
        STATUS_SUCCESS
    );
    let (st, ret) = query(BASIC, b.ptr(), 0x40);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(ret, 0x40);
    let b = &b.0;
    check_eq!(u32_at(b, 0x08), 0x1000, "PageSize");
    check_eq!(u32_at(b, 0x18), 0x10000, "AllocationGranularity");
    check_eq!(u64_at(b, 0x20), 0x10000, "MinimumUserModeAddress");
    check_eq!(u64_at(b, 0x28), 0x7FFF_FFFE_FFFF, "MaximumUserModeAddress");
    check_eq!(b[0x38], 1, "NumberOfProcessors");
    check_eq!(u64_at(b, 0x30), 1, "ActiveProcessorsAffinityMask");
    // SAFETY: KUSER_SHARED_DATA is mapped readable in every process.
    let shared = unsafe {
        (*(KUSER_SHARED_DATA_ADDRESS as *const KUserSharedData)).number_of_physical_pages
    };
    check_eq!(
        u32_at(b, 0x0C),
        shared,
        "NumberOfPhysicalPages as KUSER_SHARED_DATA says"
    );
    check!(u32_at(b, 0x0C) > 1000);
}

fn processor() {
    let mut b = Buf::new();
    let (st, ret) = query(PROCESSOR, b.ptr(), 12);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(ret, 12);
    check_eq!(u16_at(&b.0, 0), 9, "PROCESSOR_ARCHITECTURE_AMD64");
    check!(
        u16_at(&b.0, 2) >= 6,
        "ProcessorLevel (family) {}",
        u16_at(&b.0, 2)
    );
    check!(u32_at(&b.0, 8) & 0x2 != 0, "KF_RDTSC");
    check_st!(query(PROCESSOR, b.ptr(), 11).0, STATUS_INFO_LENGTH_MISMATCH);
    let (st, ret) = query(PROCESSOR, b.ptr(), 24);
    check_eq!(st, STATUS_SUCCESS, "a larger buffer");
    check_eq!(ret, 12);
}

/// (AvailablePages, CommittedPages, CommitLimit, PeakCommitment).
fn performance_pages() -> (u32, u32, u32, u32) {
    let mut b = Buf::new();
    let (st, _) = query(PERFORMANCE, b.ptr(), 0x158);
    check_st!(st, STATUS_SUCCESS);
    (
        u32_at(&b.0, 0x2C),
        u32_at(&b.0, 0x30),
        u32_at(&b.0, 0x34),
        u32_at(&b.0, 0x38),
    )
}

fn performance() {
    let mut b = Buf::new();
    check_st!(
        query(PERFORMANCE, b.ptr(), 0).0,
        STATUS_INFO_LENGTH_MISMATCH
    );
    check_st!(
        query(PERFORMANCE, b.ptr(), 0x100).0,
        STATUS_INFO_LENGTH_MISMATCH
    );
    let (st, ret) = query(PERFORMANCE, b.ptr(), 0x138);
    check_eq!(st, STATUS_SUCCESS, "the pre-Windows 10 size");
    check_eq!(ret, 0x138);
    let (st, ret) = query(PERFORMANCE, b.ptr(), 0x158);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(ret, 0x158);
    let (st, ret) = query(PERFORMANCE, b.ptr(), 0x200);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(ret, 0x158, "a larger buffer gets the record");
    let (avail, committed, limit, peak) = performance_pages();
    check!(
        avail > 0 && committed > 0,
        "available {avail} committed {committed}"
    );
    check!(
        limit >= committed && peak >= committed,
        "limit {limit} peak {peak} committed {committed}"
    );
}

fn time_of_day() {
    let mut b = Buf::new();
    let (st, ret) = query(TIME_OF_DAY, b.ptr(), 0);
    check_eq!(st, STATUS_SUCCESS, "no bytes");
    check_eq!(ret, 0);
    b.0[0x18..0x1C].copy_from_slice(&0xDEAD_BEEFu32.to_le_bytes());
    let (st, ret) = query(TIME_OF_DAY, b.ptr(), 24);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(ret, 24);
    check_eq!(u32_at(&b.0, 0x18), 0xDEAD_BEEF, "beyond 24 bytes untouched");
    let (st, ret) = query(TIME_OF_DAY, b.ptr(), 49);
    check_st!(st, STATUS_INFO_LENGTH_MISMATCH);
    check_eq!(ret, 0x30);
    let (st, ret) = query(TIME_OF_DAY, b.ptr(), 0x30);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(ret, 0x30);
    let (boot, current) = (u64_at(&b.0, 0) as i64, u64_at(&b.0, 8) as i64);
    let mut now = 0i64;
    // SAFETY: valid pointer.
    unsafe { NtQuerySystemTime(&mut now) };
    check!(boot > 0 && boot < current, "boot {boot} current {current}");
    check!(
        (now - current).abs() < 10_000_000,
        "current time is the system time"
    );
    // SAFETY: KUSER_SHARED_DATA is readable; InterruptTime (0x8) is
    // LowPart then High1Time, one little-endian quad.
    let since_boot =
        unsafe { core::ptr::read_volatile((KUSER_SHARED_DATA_ADDRESS + 8) as *const i64) };
    check!(
        (current - boot - since_boot).abs() < 10_000_000,
        "boot time is now minus the interrupt time"
    );
    check_eq!(u64_at(&b.0, 0x10), 0, "TimeZoneBias (UTC)");
}

/// One process of the list: (offset of its entry, thread count).
struct Listed {
    at: usize,
    threads: u32,
}

/// The process list in `b`; returns the needed length.
fn list(b: &mut Buf) -> u32 {
    let (st, ret) = query(PROCESSES, b.ptr(), b.0.len() as u32);
    check_eq!(st, STATUS_SUCCESS, "the process list");
    ret
}

fn find(b: &Buf, pid: u64) -> Option<Listed> {
    let mut at = 0usize;
    loop {
        if u64_at(&b.0, at + 0x50) == pid {
            return Some(Listed {
                at,
                threads: u32_at(&b.0, at + 4),
            });
        }
        match u32_at(&b.0, at) {
            0 => return None,
            n => at += n as usize,
        }
        if at + 0x100 > b.0.len() {
            return None;
        }
    }
}

fn name_of(b: &Buf, e: &Listed) -> &'static str {
    let len = u16_at(&b.0, e.at + 0x38) as usize;
    let addr = u64_at(&b.0, e.at + 0x40);
    let base = b.0.as_ptr() as u64;
    if addr < base || addr + len as u64 > base + b.0.len() as u64 {
        return "<outside the buffer>";
    }
    let off = (addr - base) as usize;
    for (name, text) in [
        ("nt-sysinfo.exe", w!("nt-sysinfo.exe")),
        ("nt-child.exe", w!("nt-child.exe")),
    ] {
        if len == text.len() * 2
            && (0..text.len()).all(|i| u16_at(&b.0, off + 2 * i) == text[i])
            && u16_at(&b.0, off + len) == 0
        {
            return name;
        }
    }
    "<other>"
}

fn process_info(class: u32, out: &mut [u8]) -> (NtStatus, u32) {
    let mut ret = 0u32;
    // SAFETY: `out` is valid for its length.
    let st = unsafe {
        NtQueryInformationProcess(
            Handle::CURRENT_PROCESS,
            class,
            out.as_mut_ptr(),
            out.len() as u32,
            &mut ret,
        )
    };
    (st, ret)
}

fn process_list_self() {
    let (st, need) = query(PROCESSES, core::ptr::null_mut(), 0);
    check_st!(st, STATUS_INFO_LENGTH_MISMATCH);
    check!(need >= 0x100 + 0x50, "needed length {need}");
    let mut b = Buf::new();
    let (st, ret) = query(PROCESSES, b.ptr(), need - 8);
    check_eq!(st, STATUS_INFO_LENGTH_MISMATCH, "8 bytes short");
    check_eq!(ret, need);
    let got = list(&mut b);
    check_eq!(got, need, "the length it asked for");
    let Some(me) = find(&b, my_pid()) else {
        check!(false, "pid {} not in the list", my_pid());
        return;
    };
    check_eq!(name_of(&b, &me), "nt-sysinfo.exe");
    check_eq!(me.threads, 1);
    let t = me.at + 0x100;
    check_eq!(
        u64_at(&b.0, t + 0x28),
        my_pid(),
        "thread ClientId.UniqueProcess"
    );
    check_eq!(
        u64_at(&b.0, t + 0x30),
        my_tid(),
        "thread ClientId.UniqueThread"
    );
    check_eq!(u32_at(&b.0, t + 0x44), 2, "the caller is Running");
    check_eq!(u32_at(&b.0, me.at + 0x48), 8, "BasePriority");
    let mut hc = [0u8; 4];
    check_st!(
        process_info(PROCESS_HANDLE_COUNT, &mut hc).0,
        STATUS_SUCCESS
    );
    check_eq!(
        u32_at(&b.0, me.at + 0x60),
        u32::from_le_bytes(hc),
        "HandleCount"
    );
    let mut times = [0u8; 0x20];
    check_st!(process_info(PROCESS_TIMES, &mut times).0, STATUS_SUCCESS);
    check_eq!(u64_at(&b.0, me.at + 0x20), u64_at(&times, 0), "CreateTime");
    let mut vm = [0u8; 0x60];
    check_st!(process_info(PROCESS_VM_COUNTERS, &mut vm).0, STATUS_SUCCESS);
    check_eq!(
        u64_at(&b.0, me.at + 0x78),
        u64_at(&vm, 8),
        "VirtualSize as ProcessVmCounters"
    );
    check_eq!(
        u64_at(&b.0, me.at + 0xB8),
        u64_at(&vm, 0x48),
        "PagefileUsage as ProcessVmCounters"
    );

    // A buffer too large for the service buffer is written in place.
    let (mut base, mut size) = (0usize, 0x20000usize);
    // SAFETY: valid pointers.
    let st = unsafe {
        NtAllocateVirtualMemory(
            Handle::CURRENT_PROCESS,
            &mut base,
            0,
            &mut size,
            MEM_COMMIT | MEM_RESERVE,
            PAGE_READWRITE,
        )
    };
    if check_eq!(st, STATUS_SUCCESS) {
        let (st, ret) = query(PROCESSES, base as *mut u8, size as u32);
        check_eq!(st, STATUS_SUCCESS, "a 128 KiB buffer");
        check!(ret >= need - 0x100, "length {ret}");
        // SAFETY: the first entry lies in the committed buffer.
        let name_ptr = unsafe { *((base + 0x40) as *const u64) };
        check!(
            name_ptr >= base as u64 && name_ptr < (base + ret as usize) as u64,
            "ImageName.Buffer in the caller's buffer"
        );
        let mut zero = 0usize;
        // SAFETY: valid pointers.
        unsafe { NtFreeVirtualMemory(Handle::CURRENT_PROCESS, &mut base, &mut zero, MEM_RELEASE) };
    }
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "system" fn worker(_: usize) -> u32 {
    while !STOP.load(Ordering::Acquire) {
        util::yield_now();
    }
    0
}

fn threads_of_me() -> Option<(u32, Buf)> {
    let mut b = Buf::new();
    list(&mut b);
    let me = find(&b, my_pid())?;
    Some((me.threads, b))
}

fn thread_terminated(h: Handle) -> bool {
    let mut v = [0u8; 4];
    let mut ret = 0u32;
    // SAFETY: valid pointers; class 20 is ThreadIsTerminated.
    let st = unsafe { NtQueryInformationThread(h, 20, v.as_mut_ptr(), 4, &mut ret) };
    st.is_success() && u32::from_le_bytes(v) != 0
}

fn process_list_threads() {
    let mut h = Handle::NULL;
    // SAFETY: valid pointers; the start routine is ours.
    let st = unsafe {
        NtCreateThreadEx(
            &mut h,
            THREAD_ALL_ACCESS,
            core::ptr::null(),
            Handle::CURRENT_PROCESS,
            worker as *const () as usize,
            0,
            0,
            0,
            0,
            0,
            core::ptr::null(),
        )
    };
    if !check_eq!(st, STATUS_SUCCESS, "NtCreateThreadEx") {
        return;
    }
    let mut tbi = [0u8; 0x30];
    let mut ret = 0u32;
    // SAFETY: valid pointers.
    unsafe { NtQueryInformationThread(h, 0, tbi.as_mut_ptr(), 0x30, &mut ret) };
    let new_tid = u64_at(&tbi, 0x18);
    match threads_of_me() {
        Some((n, b)) => {
            check_eq!(n, 2, "a second thread is listed");
            let me = find(&b, my_pid()).unwrap();
            let second = (0..2)
                .map(|k| me.at + 0x100 + k * 0x50)
                .find(|&t| u64_at(&b.0, t + 0x30) == new_tid);
            match second {
                Some(t) => check_eq!(
                    u64_at(&b.0, t + 0x20),
                    worker as *const () as u64,
                    "its StartAddress"
                ),
                None => check!(false, "thread {new_tid} not listed"),
            };
        }
        None => {
            check!(false, "not listed");
        }
    }
    STOP.store(true, Ordering::Release);
    let mut ended = false;
    for _ in 0..100_000 {
        if thread_terminated(h) {
            ended = true;
            break;
        }
        util::yield_now();
    }
    check!(ended, "the worker ended");
    check_eq!(
        threads_of_me().map(|(n, _)| n),
        Some(1),
        "an ended thread leaves the list"
    );
    // SAFETY: valid handle.
    unsafe { NtClose(h) };
}

fn child_listed(pid: u64) -> Option<(&'static str, u64)> {
    let mut b = Buf::new();
    list(&mut b);
    let e = find(&b, pid)?;
    Some((name_of(&b, &e), u64_at(&b.0, e.at + 0x58)))
}

/// Starts nt-child.exe with `cmd` as its command line; its process
/// information (first thread running), or None after a failed check.
fn spawn_child(cmd: &[u16]) -> Option<RtlUserProcessInformation> {
    let image = us(w!("\\SystemRoot\\system32\\nt-child.exe"));
    let cmd = us(cmd);
    let mut p: *mut RtlUserProcessParameters = core::ptr::null_mut();
    let null = core::ptr::null();
    // SAFETY: valid strings.
    let st = unsafe {
        RtlCreateProcessParameters(&mut p, &image, null, null, &cmd, 0, null, null, null, null)
    };
    if !check_eq!(st, STATUS_SUCCESS) {
        return None;
    }
    // SAFETY: plain data; all-zero is valid.
    let mut info: RtlUserProcessInformation = unsafe { core::mem::zeroed() };
    // SAFETY: valid pointers.
    let st = unsafe {
        RtlCreateUserProcess(
            &image,
            0,
            p,
            0,
            0,
            Handle::NULL,
            0,
            Handle::NULL,
            Handle::NULL,
            &mut info,
        )
    };
    // SAFETY: the block RtlCreateProcessParameters made.
    unsafe { RtlDestroyProcessParameters(p) };
    if !check_eq!(st, STATUS_SUCCESS, "RtlCreateUserProcess") {
        return None;
    }
    // SAFETY: valid handle and pointer.
    unsafe { NtResumeThread(info.thread_handle, core::ptr::null_mut()) };
    Some(info)
}

/// A child that ran and ended gives back every page it had: the free
/// memory is what it was before (after one child has run, so that the
/// Executive's own first-use structures are in place).
fn memory_comes_back() {
    let run_child = || -> bool {
        let Some(info) = spawn_child(w!("nt-child.exe exit 0")) else { return false };
        let timeout = -5_000 * 10_000i64;
        // SAFETY: a valid handle and pointer.
        let st = unsafe { NtWaitForSingleObject(info.process_handle, 0, &timeout) };
        // SAFETY: valid handles.
        unsafe {
            NtClose(info.thread_handle);
            NtClose(info.process_handle);
        }
        check_eq!(st, STATUS_SUCCESS, "the child ends")
    };
    if !run_child() {
        return;
    }
    let before = performance_pages().0;
    for _ in 0..3 {
        run_child();
        check_eq!(performance_pages().0, before, "available pages after a child ended");
    }
}

fn process_list_child() {
    let Some(info) = spawn_child(w!("nt-child.exe wait")) else { return };
    let pid = info.client_id.unique_process;
    check_eq!(
        child_listed(pid),
        Some(("nt-child.exe", my_pid())),
        "the child and its parent"
    );
    // SAFETY: valid handle.
    check_st!(
        unsafe { NtTerminateProcess(info.process_handle, 3) },
        STATUS_SUCCESS
    );
    let mut gone = false;
    for _ in 0..100_000 {
        if child_listed(pid).is_none() {
            gone = true;
            break;
        }
        util::yield_now();
    }
    check!(
        gone,
        "an ended process leaves the list (while its handle is still open)"
    );
    // SAFETY: valid handles.
    unsafe {
        NtClose(info.thread_handle);
        NtClose(info.process_handle);
    }
}

fn modules() {
    let (st, need) = query(MODULES, core::ptr::null_mut(), 0);
    check_st!(st, STATUS_INFO_LENGTH_MISMATCH);
    check!(
        need >= 8 + 0x128 && (need - 8) % 0x128 == 0,
        "RTL_PROCESS_MODULES of {need} bytes"
    );
    let mut b = Buf::new();
    let (st, ret) = query(MODULES, b.ptr(), b.0.len() as u32);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(ret, need);
    let n = u32_at(&b.0, 0) as usize;
    check_eq!(8 + n * 0x128, need as usize, "NumberOfModules");
    for i in 0..n {
        let r = 8 + i * 0x128;
        check!(u64_at(&b.0, r + 0x10) != 0, "module {i} ImageBase");
        check_eq!(u16_at(&b.0, r + 0x20) as usize, i, "LoadOrderIndex");
        let name = &b.0[r + 0x28..r + 0x128];
        let len = name.iter().position(|&c| c == 0).unwrap_or(256);
        let file = u16_at(&b.0, r + 0x26) as usize;
        check!(
            len > 0 && file < len && (file == 0 || name[file - 1] == b'\\'),
            "module {i} OffsetToFileName {file} of {len}"
        );
    }
}

fn vm_counters() -> [u8; 0x70] {
    let mut vm = [0u8; 0x70];
    let (st, ret) = process_info(PROCESS_VM_COUNTERS, &mut vm);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(ret, 0x70);
    vm
}

fn memory_counters() {
    let mut small = [0u8; 0x80];
    for (len, want) in [
        (0x58, STATUS_SUCCESS),
        (0x60, STATUS_SUCCESS),
        (0x70, STATUS_SUCCESS),
        (0x50, STATUS_INFO_LENGTH_MISMATCH),
        (0x59, STATUS_INFO_LENGTH_MISMATCH),
    ] {
        let (st, ret) = process_info(PROCESS_VM_COUNTERS, &mut small[..len]);
        check_eq!(st, want, "VM_COUNTERS of {len:#x} bytes");
        if want == STATUS_SUCCESS {
            check_eq!(ret as usize, len);
        }
    }
    let mut q = [0u8; 0x58];
    check_eq!(
        process_info(PROCESS_QUOTA_LIMITS, &mut q[..0x30]).0,
        STATUS_SUCCESS,
        "QUOTA_LIMITS"
    );
    check!(
        u64_at(&q, 0x10) > 0 && u64_at(&q, 0x10) <= u64_at(&q, 0x18),
        "working-set bounds"
    );
    check_eq!(
        process_info(PROCESS_QUOTA_LIMITS, &mut q).0,
        STATUS_SUCCESS,
        "QUOTA_LIMITS_EX"
    );
    check_st!(
        process_info(PROCESS_QUOTA_LIMITS, &mut q[..0x40]).0,
        STATUS_INFO_LENGTH_MISMATCH
    );

    let before = vm_counters();
    let (_, committed_before, _, _) = performance_pages();
    const SIZE: usize = 0x10_0000;
    let (mut base, mut size) = (0usize, SIZE);
    // SAFETY: valid pointers.
    let st = unsafe {
        NtAllocateVirtualMemory(
            Handle::CURRENT_PROCESS,
            &mut base,
            0,
            &mut size,
            MEM_COMMIT | MEM_RESERVE,
            PAGE_READWRITE,
        )
    };
    if !check_eq!(st, STATUS_SUCCESS) {
        return;
    }
    let after = vm_counters();
    check_eq!(
        u64_at(&after, 8) - u64_at(&before, 8),
        SIZE as u64,
        "VirtualSize grows by the allocation"
    );
    check_eq!(
        u64_at(&after, 0x48) - u64_at(&before, 0x48),
        SIZE as u64,
        "PagefileUsage grows by the commit"
    );
    check_eq!(
        u64_at(&after, 0x58),
        u64_at(&after, 0x48),
        "PrivateUsage = PagefileUsage"
    );
    check!(
        u64_at(&after, 0x50) >= u64_at(&after, 0x48),
        "PeakPagefileUsage"
    );
    check_eq!(
        u64_at(&after, 0x20),
        u64_at(&before, 0x20),
        "committing touches no page"
    );
    let (_, committed, _, _) = performance_pages();
    check_eq!(
        committed - committed_before,
        (SIZE / 0x1000) as u32,
        "the system's CommittedPages"
    );
    for i in 0..16 {
        // SAFETY: inside the committed read-write allocation.
        unsafe { core::ptr::write_volatile((base + i * 0x1000) as *mut u8, 1) };
    }
    let touched = vm_counters();
    check_eq!(
        u64_at(&touched, 0x20) - u64_at(&after, 0x20),
        16 * 0x1000,
        "16 touched pages join the working set"
    );
    check_eq!(
        u64_at(&touched, 0x60) - u64_at(&after, 0x60),
        16 * 0x1000,
        "PrivateWorkingSetSize"
    );
    let mut b = Buf::new();
    list(&mut b);
    if let Some(me) = find(&b, my_pid()) {
        check_eq!(
            u64_at(&b.0, me.at + 0x90),
            u64_at(&touched, 0x20),
            "the list's WorkingSetSize"
        );
        check_eq!(
            u64_at(&b.0, me.at + 0xC8),
            u64_at(&touched, 0x58),
            "the list's PrivatePageCount"
        );
    }
    let mut zero = 0usize;
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtFreeVirtualMemory(Handle::CURRENT_PROCESS, &mut base, &mut zero, MEM_RELEASE) },
        STATUS_SUCCESS
    );
    let freed = vm_counters();
    check_eq!(
        u64_at(&freed, 0x48),
        u64_at(&before, 0x48),
        "PagefileUsage back after the release"
    );
    check_eq!(
        u64_at(&freed, 0x20),
        u64_at(&before, 0x20),
        "WorkingSetSize back after the release"
    );
}

fn run(_peb: &Peb) {
    classes_and_pointers();
    basic();
    processor();
    performance();
    time_of_day();
    process_list_self();
    process_list_threads();
    process_list_child();
    memory_comes_back();
    modules();
    memory_counters();
    let (passed, failed) = nt_test::check::counts();
    say!("nt-sysinfo: {} checks", passed + failed);
}

nt_test::entry!("nt-sysinfo", run);
