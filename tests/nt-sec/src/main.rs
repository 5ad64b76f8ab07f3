//! nt-sec.exe: page-file-backed sections as a native program sees them.
//! NtCreateSection (unnamed, named, OBJ_OPENIF, SEC_COMMIT / SEC_RESERVE),
//! views that share their pages (two views of one process, a view mapped
//! into a child through its process handle, a child that opens the section
//! by name and writes), copy-on-write views that keep their writes to
//! themselves, NtUnmapViewOfSection (the address is then free: a service
//! writing there fails with STATUS_ACCESS_VIOLATION), NtQuerySection,
//! NtQueryVirtualMemory on views (MEM_MAPPED), NtExtendSection, the
//! section's frames going back when it goes (SystemPerformanceInformation's
//! AvailablePages), and the
//! statuses Windows gives bad input (facts: ReactOS's apitest
//! NtMapViewOfSection.c Test_PageFileSection, run against Windows).
#![no_std]
#![no_main]

use nt_test::nt::*;
use nt_test::nt_abi::consts::*;
use nt_test::nt_abi::status::*;
use nt_test::nt_abi::types::{
    Handle, MemoryBasicInformation as Mbi, Peb, ProcessBasicInformation, RtlUserProcessParameters,
};
use nt_test::nt_abi::NtStatus;
use nt_test::util::{self, oa, us};
use nt_test::{check, check_eq, check_st, say, w};

nt_test::entry!("nt-sec", run);

#[link(name = "ntdll", kind = "raw-dylib")]
extern "system" {
    fn NtCreateSection(
        section: *mut Handle,
        access: u32,
        oa: *const nt_test::nt_abi::types::ObjectAttributes,
        maximum_size: *const i64,
        protect: u32,
        attributes: u32,
        file: Handle,
    ) -> NtStatus;
    fn NtMapViewOfSection(
        section: Handle,
        process: Handle,
        base: *mut usize,
        zero_bits: usize,
        commit_size: usize,
        offset: *mut i64,
        view_size: *mut usize,
        inherit: u32,
        allocation_type: u32,
        protect: u32,
    ) -> NtStatus;
    fn NtUnmapViewOfSection(process: Handle, base: usize) -> NtStatus;
    fn NtQuerySection(
        section: Handle,
        class: u32,
        info: *mut u8,
        len: usize,
        ret: *mut usize,
    ) -> NtStatus;
    fn NtExtendSection(section: Handle, size: *mut i64) -> NtStatus;
    fn NtQueryVirtualMemory(
        process: Handle,
        base: usize,
        class: u32,
        info: *mut u8,
        len: usize,
        ret: *mut usize,
    ) -> NtStatus;
    fn NtReadVirtualMemory(
        process: Handle,
        base: usize,
        buffer: *mut u8,
        len: usize,
        read: *mut usize,
    ) -> NtStatus;
    fn NtWriteVirtualMemory(
        process: Handle,
        base: usize,
        buffer: *const u8,
        len: usize,
        written: *mut usize,
    ) -> NtStatus;
    fn NtQuerySystemTime(time: *mut i64) -> NtStatus;
    fn NtQuerySystemInformation(class: u32, info: *mut u8, len: u32, ret: *mut u32) -> NtStatus;
}

const ME: Handle = Handle::CURRENT_PROCESS;
const SIZE: i64 = 0x20000;
const VIEW_SHARE: u32 = 1;
const SECTION_NAME: &[u16] = w!("\\BaseNamedObjects\\TritonSec");

fn run(_peb: &Peb) {
    create_errors();
    two_views();
    copy_on_write();
    map_errors();
    reserved_section();
    named_and_children();
    memory_returns();
}

fn create(size: Option<i64>, protect: u32, attributes: u32) -> (NtStatus, Handle) {
    let mut h = Handle::NULL;
    let size_ptr = size.as_ref().map_or(core::ptr::null(), |s| s as *const i64);
    // SAFETY: valid pointers to locals.
    let st = unsafe {
        NtCreateSection(
            &mut h,
            SECTION_ALL_ACCESS,
            core::ptr::null(),
            size_ptr,
            protect,
            attributes,
            Handle::NULL,
        )
    };
    (st, h)
}

/// Maps a view: (status, base, size).
fn map(
    h: Handle,
    process: Handle,
    base: usize,
    offset: Option<i64>,
    size: usize,
    alloc: u32,
    protect: u32,
) -> (NtStatus, usize, usize) {
    let (mut b, mut s) = (base, size);
    let mut off = offset.unwrap_or(0);
    let off_ptr = if offset.is_some() {
        &mut off as *mut i64
    } else {
        core::ptr::null_mut()
    };
    // SAFETY: valid pointers to locals.
    let st = unsafe {
        NtMapViewOfSection(
            h, process, &mut b, 0, 0, off_ptr, &mut s, VIEW_SHARE, alloc, protect,
        )
    };
    (st, b, s)
}

fn unmap(base: usize) -> NtStatus {
    // SAFETY: unmapping has no memory-safety effect on this code (the
    // callers no longer use the view).
    unsafe { NtUnmapViewOfSection(ME, base) }
}

fn close(h: Handle) {
    // SAFETY: a handle of ours.
    unsafe { NtClose(h) };
}

/// A service writing 8 bytes at `addr` (the access-violation probe).
fn probe_write(addr: usize) -> NtStatus {
    // SAFETY: the Executive checks the address; a bad one is the point.
    unsafe { NtQuerySystemTime(addr as *mut i64) }
}

fn peek(addr: usize) -> u32 {
    // SAFETY: callers pass mapped, readable view addresses.
    unsafe { (addr as *const u32).read_volatile() }
}

fn poke(addr: usize, v: u32) {
    // SAFETY: callers pass mapped, writable view addresses.
    unsafe { (addr as *mut u32).write_volatile(v) }
}

fn query(addr: usize) -> (NtStatus, Mbi) {
    let mut m = Mbi::default();
    // SAFETY: the buffer is `m`.
    let st = unsafe {
        NtQueryVirtualMemory(
            ME,
            addr,
            0,
            &mut m as *mut Mbi as *mut u8,
            core::mem::size_of::<Mbi>(),
            core::ptr::null_mut(),
        )
    };
    (st, m)
}

fn create_errors() {
    check_st!(
        create(None, PAGE_READWRITE, SEC_COMMIT).0,
        STATUS_INVALID_PARAMETER_4
    );
    check_st!(
        create(Some(0), PAGE_READWRITE, SEC_COMMIT).0,
        STATUS_INVALID_PARAMETER_4
    );
    check_st!(
        create(Some(SIZE), PAGE_READWRITE, 0).0,
        STATUS_INVALID_PARAMETER_6
    );
    check_st!(
        create(Some(SIZE), PAGE_READWRITE, SEC_COMMIT | SEC_RESERVE).0,
        STATUS_INVALID_PARAMETER_6
    );
    check_st!(
        create(Some(SIZE), PAGE_READWRITE, SEC_IMAGE).0,
        STATUS_INVALID_FILE_FOR_SECTION
    );
    check_st!(
        create(Some(SIZE), PAGE_NOACCESS, SEC_COMMIT).0,
        STATUS_INVALID_PAGE_PROTECTION
    );
    check_st!(
        create(Some(SIZE), 0, SEC_COMMIT).0,
        STATUS_INVALID_PAGE_PROTECTION
    );
    check_st!(
        create(Some(SIZE), PAGE_READWRITE | PAGE_GUARD, SEC_COMMIT).0,
        STATUS_INVALID_PAGE_PROTECTION
    );
    check_st!(
        create(Some(0x80_0000_0000), PAGE_READWRITE, SEC_COMMIT).0,
        STATUS_COMMITMENT_LIMIT
    );
    check_st!(
        create(Some(0x800_0000_0000), PAGE_READWRITE, SEC_RESERVE).0,
        STATUS_INSUFFICIENT_RESOURCES
    );
    check_st!(
        create(Some(0x8000_0000_0000), PAGE_READWRITE, SEC_RESERVE).0,
        STATUS_SECTION_TOO_BIG
    );
    // A file handle must name a file (none exist before the I/O manager).
    let mut h = Handle::NULL;
    let size = SIZE;
    // SAFETY: valid pointers.
    let st = unsafe {
        NtCreateSection(
            &mut h,
            SECTION_ALL_ACCESS,
            core::ptr::null(),
            &size,
            PAGE_READWRITE,
            SEC_COMMIT,
            Handle(0x1234),
        )
    };
    check_st!(st, STATUS_INVALID_HANDLE);
    // A huge reserved section is only address space.
    let (st, big) = create(Some(0x2_0000_0000), PAGE_READWRITE, SEC_RESERVE);
    if check_st!(st, STATUS_SUCCESS) == STATUS_SUCCESS {
        // SAFETY: valid pointers.
        let st = unsafe {
            NtCreateSection(
                &mut h,
                SECTION_ALL_ACCESS,
                core::ptr::null(),
                &size,
                PAGE_READWRITE,
                SEC_COMMIT,
                big,
            )
        };
        check_eq!(
            st,
            STATUS_OBJECT_TYPE_MISMATCH,
            "a section handle is no file"
        );
        let (st, base, len) = map(big, ME, 0, None, 0, 0, PAGE_READWRITE);
        check_st!(st, STATUS_SUCCESS);
        check_eq!(len, 0x2_0000_0000, "view size 0 maps the whole section");
        check_st!(unmap(base), STATUS_SUCCESS);
        close(big);
    }
}

fn two_views() {
    let (st, h) = create(Some(SIZE - 0x800), PAGE_READWRITE, SEC_COMMIT);
    if check_st!(st, STATUS_SUCCESS) != STATUS_SUCCESS {
        return;
    }
    let mut info = [0u8; 0x18];
    let mut ret = 0usize;
    // SAFETY: the buffer is `info`.
    let st = unsafe { NtQuerySection(h, 0, info.as_mut_ptr(), info.len(), &mut ret) };
    check_st!(st, STATUS_SUCCESS);
    check_eq!(ret, 0x18);
    check_eq!(
        u64::from_le_bytes(info[0..8].try_into().unwrap()),
        0,
        "BaseAddress"
    );
    check_eq!(
        u32::from_le_bytes(info[8..12].try_into().unwrap()),
        SEC_COMMIT,
        "AllocationAttributes"
    );
    check_eq!(
        i64::from_le_bytes(info[16..24].try_into().unwrap()),
        SIZE,
        "MaximumSize is page-rounded"
    );
    // SAFETY: as above.
    unsafe {
        check_st!(
            NtQuerySection(h, 1, info.as_mut_ptr(), 0x40, &mut ret),
            STATUS_SECTION_NOT_IMAGE
        );
        check_st!(
            NtQuerySection(h, 0, info.as_mut_ptr(), 0x10, &mut ret),
            STATUS_INFO_LENGTH_MISMATCH
        );
        check_st!(
            NtQuerySection(h, 77, info.as_mut_ptr(), 0x18, &mut ret),
            STATUS_INVALID_INFO_CLASS
        );
    }
    let mut new_size = SIZE * 2;
    // SAFETY: valid pointer.
    check_st!(
        unsafe { NtExtendSection(h, &mut new_size) },
        STATUS_SECTION_NOT_EXTENDED
    );

    let (st, a, alen) = map(h, ME, 0, None, 0, 0, PAGE_READWRITE);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(alen, SIZE as usize);
    check_eq!(a % 0x10000, 0, "a view starts on 64 KiB");
    let (st, b, _) = map(h, ME, 0, Some(0), 0, 0, PAGE_READWRITE);
    check_st!(st, STATUS_SUCCESS);
    check!(a != b && a != 0 && b != 0, "two views at {a:#x} and {b:#x}");
    if a == 0 || b == 0 {
        return;
    }
    check_eq!(peek(a), 0, "a new section reads as zero");
    poke(a, 0x1111_2222);
    poke(a + 0x5000, 0x5555);
    check_eq!(
        peek(b),
        0x1111_2222,
        "a write through one view shows in the other"
    );
    check_eq!(peek(b + 0x5000), 0x5555);
    poke(b + 0x1_F000, 0xF00D);
    check_eq!(peek(a + 0x1_F000), 0xF00D, "and back");
    // A service writes into the shared page too.
    check_st!(probe_write(a + 0x100), STATUS_SUCCESS);
    check!(
        peek(b + 0x100) != 0 || peek(b + 0x104) != 0,
        "a service's write shows in the other view"
    );

    let (st, m) = query(a + 0x3000);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(m.type_, MEM_MAPPED);
    check_eq!(m.state, MEM_COMMIT);
    check_eq!(m.allocation_base, a as u64);
    check_eq!(m.protect, PAGE_READWRITE);
    check_eq!(m.region_size, SIZE as u64 - 0x3000);

    // A view of the second 64 KiB.
    poke(a + 0x10000, 0x6464);
    let (st, c, clen) = map(h, ME, 0, Some(0x10000), 0x1000, 0, PAGE_READONLY);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(clen, 0x1000);
    if st == STATUS_SUCCESS {
        check_eq!(peek(c), 0x6464, "an offset view shows its part");
        check_eq!(probe_write(c), STATUS_ACCESS_VIOLATION, "a read-only view");
        check_st!(unmap(c), STATUS_SUCCESS);
    }

    // Views cannot be freed as private memory, private memory cannot be unmapped.
    let (mut fb, mut fs) = (a, 0usize);
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtFreeVirtualMemory(ME, &mut fb, &mut fs, MEM_RELEASE) },
        STATUS_UNABLE_TO_DELETE_SECTION
    );
    let (mut pb, mut ps) = (0usize, 0x1000usize);
    // SAFETY: valid pointers.
    if unsafe {
        NtAllocateVirtualMemory(
            ME,
            &mut pb,
            0,
            &mut ps,
            MEM_COMMIT | MEM_RESERVE,
            PAGE_READWRITE,
        )
    }
    .is_success()
    {
        check_st!(unmap(pb), STATUS_NOT_MAPPED_VIEW);
        let mut z = 0usize;
        // SAFETY: valid pointers.
        unsafe { NtFreeVirtualMemory(ME, &mut pb, &mut z, MEM_RELEASE) };
    }

    // Unmapped: the range is free and a service cannot write there.
    check_eq!(
        unmap(b + 0x2000),
        STATUS_SUCCESS,
        "any address in the view unmaps it"
    );
    check_eq!(probe_write(b), STATUS_ACCESS_VIOLATION, "after the unmap");
    check_eq!(query(b).1.state, MEM_FREE);
    check_st!(unmap(b), STATUS_NOT_MAPPED_VIEW);
    check_eq!(peek(a), 0x1111_2222, "the other view keeps the data");

    // The section outlives its handle while a view remains, and its pages
    // outlive every view while a handle remains.
    let (st, d, _) = map(h, ME, 0, None, 0, 0, PAGE_READWRITE);
    check_st!(st, STATUS_SUCCESS);
    check_st!(unmap(a), STATUS_SUCCESS);
    close(h);
    if st == STATUS_SUCCESS {
        check_eq!(peek(d + 0x5000), 0x5555, "the data lives while a view does");
        check_st!(unmap(d), STATUS_SUCCESS);
    }
}

fn copy_on_write() {
    let (st, h) = create(Some(SIZE), PAGE_READWRITE, SEC_COMMIT);
    if check_st!(st, STATUS_SUCCESS) != STATUS_SUCCESS {
        return;
    }
    let (_, a, _) = map(h, ME, 0, None, 0, 0, PAGE_READWRITE);
    let (st, c, _) = map(h, ME, 0, None, 0, 0, PAGE_WRITECOPY);
    check_eq!(st, STATUS_SUCCESS, "a copy-on-write view");
    if a == 0 || c == 0 {
        return;
    }
    poke(a, 7);
    poke(a + 0x1000, 8);
    check_eq!(peek(c), 7, "a copy-on-write view reads the section");
    check_eq!(query(c).1.protect, PAGE_WRITECOPY);
    poke(c, 70);
    check_eq!(peek(c), 70, "its write stays in the view");
    check_eq!(peek(a), 7, "the section does not see it");
    poke(a, 9);
    check_eq!(peek(c), 70, "the written page is the view's own now");
    poke(a + 0x1000, 80);
    check_eq!(
        peek(c + 0x1000),
        80,
        "an unwritten page still shows the section"
    );
    // A service writes through copy-on-write as the process would.
    check_st!(probe_write(c + 0x2000), STATUS_SUCCESS);
    check_eq!(
        peek(a + 0x2000),
        0,
        "a service's write to a copy-on-write view stays private"
    );
    check_st!(unmap(c), STATUS_SUCCESS);
    check_st!(unmap(a), STATUS_SUCCESS);
    close(h);

    // A read-only section allows copy-on-write views but no writable ones.
    let (st, r) = create(Some(SIZE), PAGE_READONLY, SEC_COMMIT);
    if check_st!(st, STATUS_SUCCESS) == STATUS_SUCCESS {
        check_st!(
            map(r, ME, 0, None, 0, 0, PAGE_READWRITE).0,
            STATUS_SECTION_PROTECTION
        );
        let (st, v, _) = map(r, ME, 0, None, 0, 0, PAGE_WRITECOPY);
        check_st!(st, STATUS_SUCCESS);
        if st == STATUS_SUCCESS {
            poke(v, 3);
            check_eq!(peek(v), 3);
            check_st!(unmap(v), STATUS_SUCCESS);
        }
        close(r);
    }
}

fn map_errors() {
    let (st, h) = create(Some(SIZE), PAGE_READWRITE, SEC_COMMIT);
    if check_st!(st, STATUS_SUCCESS) != STATUS_SUCCESS {
        return;
    }
    check_st!(
        map(h, ME, 0x3000_1000, Some(0), 0x1000, 0, PAGE_READWRITE).0,
        STATUS_MAPPED_ALIGNMENT
    );
    check_st!(
        map(
            h,
            ME,
            0x3000_0000,
            Some(0),
            0x1000,
            0,
            PAGE_EXECUTE_READWRITE
        )
        .0,
        STATUS_SECTION_PROTECTION
    );
    check_st!(
        map(h, ME, 0, Some(0x1000), 0, 0, PAGE_READWRITE).0,
        STATUS_MAPPED_ALIGNMENT
    );
    check_st!(
        map(h, ME, 0, Some(SIZE), 0, 0, PAGE_READWRITE).0,
        STATUS_INVALID_VIEW_SIZE
    );
    check_st!(
        map(h, ME, 0, Some(0), SIZE as usize + 1, 0, PAGE_READWRITE).0,
        STATUS_INVALID_VIEW_SIZE
    );
    check_st!(
        map(h, ME, 0, Some(0x10000), 0x10001, 0, PAGE_READWRITE).0,
        STATUS_INVALID_VIEW_SIZE
    );
    check_st!(
        map(h, ME, 0, Some(0), usize::MAX, 0, PAGE_READWRITE).0,
        STATUS_INVALID_PARAMETER_3
    );
    check_st!(
        map(h, ME, 0, Some(0), 0, MEM_COMMIT, PAGE_READWRITE).0,
        STATUS_INVALID_PARAMETER_9
    );
    check_st!(
        map(h, ME, 0, Some(0), 0, 0, 0).0,
        STATUS_INVALID_PAGE_PROTECTION
    );
    check_st!(
        map(Handle(0x1234), ME, 0, None, 0, 0, PAGE_READWRITE).0,
        STATUS_INVALID_HANDLE
    );
    check_st!(
        map(h, Handle::CURRENT_THREAD, 0, None, 0, 0, PAGE_READWRITE).0,
        STATUS_OBJECT_TYPE_MISMATCH
    );
    let (mut b, mut s) = (0usize, 0usize);
    // SAFETY: valid pointers.
    unsafe {
        check_st!(
            NtMapViewOfSection(
                h,
                ME,
                &mut b,
                0,
                0,
                core::ptr::null_mut(),
                &mut s,
                0,
                0,
                PAGE_READWRITE
            ),
            STATUS_INVALID_PARAMETER_8
        );
        s = 0x1000;
        check_st!(
            NtMapViewOfSection(
                h,
                ME,
                &mut b,
                0,
                0x2000,
                core::ptr::null_mut(),
                &mut s,
                1,
                0,
                PAGE_READWRITE
            ),
            STATUS_INVALID_PARAMETER_5
        );
    }
    // At a chosen place, then the place is taken.
    let (st, at, _) = map(h, ME, 0x3000_0000, Some(0), 0x2000, 0, PAGE_READWRITE);
    check_st!(st, STATUS_SUCCESS);
    check_eq!(at, 0x3000_0000);
    check_st!(
        map(h, ME, 0x3000_0000, Some(0), 0x2000, 0, PAGE_READWRITE).0,
        STATUS_CONFLICTING_ADDRESSES
    );
    let (mut cb, mut cs) = (0x3000_0000usize, 0x1000usize);
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtFreeVirtualMemory(ME, &mut cb, &mut cs, MEM_DECOMMIT) },
        STATUS_UNABLE_TO_DELETE_SECTION
    );
    check_st!(unmap(at), STATUS_SUCCESS);
    // MEM_TOP_DOWN places the view above the others.
    let (st, top, _) = map(h, ME, 0, None, 0, MEM_TOP_DOWN, PAGE_READWRITE);
    check_st!(st, STATUS_SUCCESS);
    check!(top > 0x7000_0000_0000, "a top-down view at {top:#x}");
    check_st!(unmap(top), STATUS_SUCCESS);

    // A handle without SECTION_MAP_WRITE maps read-only views only.
    let mut ro = Handle::NULL;
    // SAFETY: valid pointers.
    if unsafe { NtDuplicateObject(ME, h, ME, &mut ro, SECTION_MAP_READ, 0, 0) }.is_success() {
        check_st!(
            map(ro, ME, 0, None, 0, 0, PAGE_READWRITE).0,
            STATUS_ACCESS_DENIED
        );
        let (st, v, _) = map(ro, ME, 0, None, 0, 0, PAGE_READONLY);
        check_st!(st, STATUS_SUCCESS);
        if st == STATUS_SUCCESS {
            check_st!(unmap(v), STATUS_SUCCESS);
        }
        let mut n = SIZE;
        // SAFETY: valid pointer.
        check_st!(unsafe { NtExtendSection(ro, &mut n) }, STATUS_ACCESS_DENIED);
        close(ro);
    } else {
        check!(false, "NtDuplicateObject of a section");
    }
    // Shared writing needs SECTION_MAP_WRITE alone; reading needs SECTION_MAP_READ.
    let mut wo = Handle::NULL;
    // SAFETY: valid pointers.
    if unsafe { NtDuplicateObject(ME, h, ME, &mut wo, SECTION_MAP_WRITE, 0, 0) }.is_success() {
        let (st, v, _) = map(wo, ME, 0, None, 0, 0, PAGE_READWRITE);
        check_st!(st, STATUS_SUCCESS);
        if st == STATUS_SUCCESS {
            check_st!(unmap(v), STATUS_SUCCESS);
        }
        check_st!(
            map(wo, ME, 0, None, 0, 0, PAGE_READONLY).0,
            STATUS_ACCESS_DENIED
        );
        close(wo);
    }
    close(h);
}

fn reserved_section() {
    let (st, h) = create(Some(SIZE), PAGE_READWRITE, SEC_RESERVE);
    if check_st!(st, STATUS_SUCCESS) != STATUS_SUCCESS {
        return;
    }
    let mut info = [0u8; 0x18];
    // SAFETY: the buffer is `info`.
    unsafe { NtQuerySection(h, 0, info.as_mut_ptr(), info.len(), core::ptr::null_mut()) };
    check_eq!(
        u32::from_le_bytes(info[8..12].try_into().unwrap()),
        SEC_RESERVE
    );
    let (mut b, mut s) = (0usize, 0x1000usize);
    // SAFETY: valid pointers.
    unsafe {
        check_st!(
            NtMapViewOfSection(
                h,
                ME,
                &mut b,
                0,
                0x1000,
                core::ptr::null_mut(),
                &mut s,
                1,
                MEM_RESERVE,
                PAGE_READWRITE
            ),
            STATUS_INVALID_PARAMETER_9
        );
    }
    // Two pages, the first committed.
    let (mut b, mut s) = (0usize, 0x2000usize);
    // SAFETY: valid pointers.
    let st = unsafe {
        NtMapViewOfSection(
            h,
            ME,
            &mut b,
            0,
            0x1000,
            core::ptr::null_mut(),
            &mut s,
            1,
            0,
            PAGE_READWRITE,
        )
    };
    if check_st!(st, STATUS_SUCCESS) != STATUS_SUCCESS {
        close(h);
        return;
    }
    poke(b, 1);
    check_eq!(peek(b), 1);
    check_eq!(query(b).1.state, MEM_COMMIT);
    check_eq!(query(b + 0x1000).1.state, MEM_RESERVE);
    check_eq!(
        probe_write(b + 0x1000),
        STATUS_ACCESS_VIOLATION,
        "a reserved view page"
    );
    let (mut cb, mut cs) = (b + 0x1000, 0x1000usize);
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtAllocateVirtualMemory(ME, &mut cb, 0, &mut cs, MEM_COMMIT, PAGE_READWRITE) },
        STATUS_SUCCESS
    );
    check_eq!(probe_write(b + 0x1000), STATUS_SUCCESS, "once committed");
    check_st!(unmap(b), STATUS_SUCCESS);
    close(h);
}

const PROCESS_BASIC: u32 = 0;

fn exit_status(h: Handle) -> Option<i32> {
    for _ in 0..400_000 {
        let mut info = ProcessBasicInformation::default();
        let mut len = 0u32;
        // SAFETY: the buffer is `info`.
        let st = unsafe {
            NtQueryInformationProcess(
                h,
                PROCESS_BASIC,
                &mut info as *mut _ as *mut u8,
                0x30,
                &mut len,
            )
        };
        if !st.is_success() {
            return None;
        }
        if info.exit_status != STATUS_PENDING.0 as i32 {
            return Some(info.exit_status);
        }
        util::yield_now();
    }
    None
}

/// Starts nt-child.exe with `command_line`; (process, thread) handles.
fn start_child(command_line: &[u16]) -> Option<(Handle, Handle)> {
    let image = us(w!("\\SystemRoot\\system32\\nt-child.exe"));
    let cmd = us(command_line);
    let mut params: *mut RtlUserProcessParameters = core::ptr::null_mut();
    // SAFETY: valid pointers; the block is destroyed below.
    let st = unsafe {
        RtlCreateProcessParameters(
            &mut params,
            &image,
            core::ptr::null(),
            core::ptr::null(),
            &cmd,
            0,
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
        )
    };
    if !st.is_success() {
        say!("RtlCreateProcessParameters: {st}");
        return None;
    }
    // SAFETY: plain data; all-zero is valid.
    let mut info: RtlUserProcessInformation = unsafe { core::mem::zeroed() };
    // SAFETY: valid pointers.
    let st = unsafe {
        RtlCreateUserProcess(
            &image,
            0,
            params,
            0,
            0,
            Handle::NULL,
            0,
            Handle::NULL,
            Handle::NULL,
            &mut info,
        )
    };
    // SAFETY: ours.
    unsafe { RtlDestroyProcessParameters(params) };
    if !st.is_success() {
        say!("RtlCreateUserProcess: {st}");
        return None;
    }
    Some((info.process_handle, info.thread_handle))
}

fn run_child(command_line: &[u16]) -> Option<i32> {
    let (p, t) = start_child(command_line)?;
    // SAFETY: valid handles.
    unsafe { NtResumeThread(t, core::ptr::null_mut()) };
    let r = exit_status(p);
    close(t);
    close(p);
    r
}

fn named_and_children() {
    let name = us(SECTION_NAME);
    let attrs = oa(&name, 0, Handle::NULL);
    let size = SIZE;
    let mut h = Handle::NULL;
    // SAFETY: valid pointers.
    let st = unsafe {
        NtCreateSection(
            &mut h,
            SECTION_ALL_ACCESS,
            &attrs,
            &size,
            PAGE_READWRITE,
            SEC_COMMIT,
            Handle::NULL,
        )
    };
    if check_st!(st, STATUS_SUCCESS) != STATUS_SUCCESS {
        return;
    }
    let mut h2 = Handle::NULL;
    // SAFETY: valid pointers.
    unsafe {
        check_st!(
            NtCreateSection(
                &mut h2,
                SECTION_ALL_ACCESS,
                &attrs,
                &size,
                PAGE_READWRITE,
                SEC_COMMIT,
                Handle::NULL
            ),
            STATUS_OBJECT_NAME_COLLISION
        );
        let openif = oa(&name, OBJ_OPENIF, Handle::NULL);
        check_st!(
            NtCreateSection(
                &mut h2,
                SECTION_ALL_ACCESS,
                &openif,
                &size,
                PAGE_READWRITE,
                SEC_COMMIT,
                Handle::NULL
            ),
            STATUS_OBJECT_NAME_EXISTS
        );
    }
    let (st, a, _) = map(h, ME, 0, None, 0, 0, PAGE_READWRITE);
    check_st!(st, STATUS_SUCCESS);
    let (st, a2, _) = map(h2, ME, 0, None, 0, 0, PAGE_READWRITE);
    check_eq!(
        st,
        STATUS_SUCCESS,
        "the OBJ_OPENIF handle maps the same section"
    );
    if a == 0 || a2 == 0 {
        return;
    }
    poke(a, 0x1234);
    check_eq!(peek(a2), 0x1234);
    check_st!(unmap(a2), STATUS_SUCCESS);
    close(h2);

    // A child opens it by name and writes; the parent sees the writes.
    check_eq!(
        run_child(w!("nt-child.exe section TritonSec")),
        Some(0x1234),
        "the child read the parent's value"
    );
    check_eq!(peek(a + 4), 0x1235, "the parent sees the child's write");
    check_eq!(peek(a + 0x1000), 0x1235, "on every page");
    // Mapped read-only, the child's write is an access violation.
    check_eq!(
        run_child(w!("nt-child.exe sectionro TritonSec")),
        Some(STATUS_ACCESS_VIOLATION.0 as i32)
    );

    // A view mapped into another process through its handle.
    if let Some((p, t)) = start_child(w!("nt-child.exe wait")) {
        let (st, cb, _) = map(h, p, 0, None, 0, 0, PAGE_READWRITE);
        check_eq!(st, STATUS_SUCCESS, "a view in the child");
        let mut got = [0u8; 4];
        let mut n = 0usize;
        // SAFETY: valid pointers; the addresses are the child's.
        unsafe {
            check_st!(
                NtReadVirtualMemory(p, cb, got.as_mut_ptr(), 4, &mut n),
                STATUS_SUCCESS
            );
            check_eq!(
                u32::from_le_bytes(got),
                0x1234,
                "the child's view shows the parent's data"
            );
            let v = 0xCAFEu32.to_le_bytes();
            check_st!(
                NtWriteVirtualMemory(p, cb + 8, v.as_ptr(), 4, &mut n),
                STATUS_SUCCESS
            );
        }
        check_eq!(
            peek(a + 8),
            0xCAFE,
            "a write in the child's view shows in the parent's"
        );
        // SAFETY: valid handles.
        unsafe {
            check_st!(NtUnmapViewOfSection(p, cb), STATUS_SUCCESS);
            check_st!(
                NtReadVirtualMemory(p, cb, got.as_mut_ptr(), 4, &mut n),
                STATUS_PARTIAL_COPY
            );
            // A child that ends with a view mapped gives it back too.
            map(h, p, 0, None, 0, 0, PAGE_READWRITE);
            NtTerminateProcess(p, 0);
        }
        check_eq!(exit_status(p), Some(0));
        close(t);
        close(p);
    }

    // The name goes with the last handle; the data with the last view.
    check_st!(unmap(a), STATUS_SUCCESS);
    close(h);
    let mut again = Handle::NULL;
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtOpenSection(&mut again, SECTION_MAP_READ, &attrs) },
        STATUS_OBJECT_NAME_NOT_FOUND
    );
}

/// SystemPerformanceInformation.AvailablePages.
fn available_pages() -> u64 {
    let mut b = [0u8; 0x158];
    let mut ret = 0u32;
    // SAFETY: the buffer is `b`.
    let st = unsafe { NtQuerySystemInformation(2, b.as_mut_ptr(), b.len() as u32, &mut ret) };
    if !st.is_success() {
        say!("SystemPerformanceInformation: {st}");
        return 0;
    }
    u32::from_le_bytes(b[0x2C..0x30].try_into().unwrap()) as u64
}

fn memory_returns() {
    const PAGES: usize = 64;
    let before = available_pages();
    let (st, h) = create(Some(PAGES as i64 * 0x1000), PAGE_READWRITE, SEC_COMMIT);
    if check_st!(st, STATUS_SUCCESS) != STATUS_SUCCESS {
        return;
    }
    let (st, a, _) = map(h, ME, 0, None, 0, 0, PAGE_READWRITE);
    let (_, b, _) = map(h, ME, 0, None, 0, 0, PAGE_READONLY);
    if check_st!(st, STATUS_SUCCESS) != STATUS_SUCCESS || b == 0 {
        return;
    }
    for i in 0..PAGES {
        poke(a + i * 0x1000, i as u32 + 1);
    }
    check!(
        (0..PAGES).all(|i| peek(b + i * 0x1000) == i as u32 + 1),
        "every page shared"
    );
    let during = available_pages();
    check!(
        before >= during + PAGES as u64,
        "{PAGES} pages in use: {before} -> {during} available"
    );
    check_st!(unmap(a), STATUS_SUCCESS);
    check_st!(unmap(b), STATUS_SUCCESS);
    let views_gone = available_pages();
    check!(
        views_gone < during + PAGES as u64,
        "the section keeps its pages while its handle is open"
    );
    close(h);
    let after = available_pages();
    check!(
        after >= during + PAGES as u64,
        "the pages come back with the section: {during} -> {after}"
    );
}
