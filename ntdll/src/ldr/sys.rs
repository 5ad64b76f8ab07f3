//! What the loader needs from its surroundings: the current TEB and PEB,
//! the process heap, the loader lock, the few system services it calls
//! (sections, protection, termination) with typed arguments, and a
//! diagnostic line on the debug console.

use core::arch::asm;
use core::ffi::c_void;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use nt_abi::consts::{
    OBJ_CASE_INSENSITIVE, PAGE_EXECUTE_WRITECOPY, SECTION_MAP_EXECUTE, SECTION_MAP_READ,
    SECTION_QUERY,
};
use nt_abi::status::*;
use nt_abi::types::{ObjectAttributes, Peb, Teb, UnicodeString};
use nt_abi::{Handle, NtStatus};

use crate::rtl::heap::{RtlAllocateHeap, RtlFreeHeap};

/// This thread's TEB (`gs:[0x30]` holds its own address).
pub fn teb() -> *mut Teb {
    let teb: *mut Teb;
    // SAFETY: GS is the TEB of every thread (start-up contract); its Self
    // field at 0x30 holds the TEB's address.
    unsafe { asm!("mov {}, gs:[0x30]", out(reg) teb, options(nostack, readonly, preserves_flags)) };
    teb
}

/// The PEB (`gs:[0x60]`).
pub fn peb() -> *mut Peb {
    let peb: *mut Peb;
    // SAFETY: as in `teb`; TEB+0x60 is ProcessEnvironmentBlock.
    unsafe { asm!("mov {}, gs:[0x60]", out(reg) peb, options(nostack, readonly, preserves_flags)) };
    peb
}

/// HEAP_ZERO_MEMORY.
const HEAP_ZERO_MEMORY: u32 = 0x8;

/// `size` zeroed bytes from the process heap (16-byte aligned), or None.
pub fn alloc(size: usize) -> Option<*mut u8> {
    // SAFETY: PEB.ProcessHeap is created before the loader allocates
    // anything and lives as long as the process.
    let heap = unsafe { (*peb()).process_heap } as *mut c_void;
    let p = RtlAllocateHeap(heap, HEAP_ZERO_MEMORY, size.max(1)) as *mut u8;
    (!p.is_null()).then_some(p)
}

/// Returns a block from [`alloc`] (NULL is ignored).
pub fn free(p: *mut u8) {
    if !p.is_null() {
        // SAFETY: as in `alloc`.
        let heap = unsafe { (*peb()).process_heap } as *mut c_void;
        RtlFreeHeap(heap, 0, p as *mut c_void);
    }
}

/// The loader lock: recursive (DllMain may call the loader again on the
/// same thread) and spinning, with a yield to the scheduler between
/// attempts. Windows uses a critical section (PEB.LoaderLock); this one is
/// enough while threads of a process do not yet run loader code
/// concurrently in practice, and it is only ever held by loader code.
static LOCK_OWNER: AtomicU64 = AtomicU64::new(0);
static LOCK_DEPTH: AtomicU32 = AtomicU32::new(0);

/// Holds the loader lock until dropped.
pub struct LoaderLock(());

impl LoaderLock {
    pub fn acquire() -> LoaderLock {
        // The TEB address identifies the thread and is never 0.
        let me = teb() as u64;
        if LOCK_OWNER.load(Ordering::Acquire) != me {
            while LOCK_OWNER
                .compare_exchange_weak(0, me, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
            {
                crate::NtYieldExecution();
            }
        }
        // Only the owner touches the depth.
        LOCK_DEPTH.fetch_add(1, Ordering::Relaxed);
        LoaderLock(())
    }
}

impl Drop for LoaderLock {
    fn drop(&mut self) {
        if LOCK_DEPTH.fetch_sub(1, Ordering::Relaxed) == 1 {
            LOCK_OWNER.store(0, Ordering::Release);
        }
    }
}

/// `status` as a Result: informational values (IMAGE_NOT_AT_BASE) are
/// success, as NT_SUCCESS says.
pub fn check(status: NtStatus) -> Result<NtStatus, NtStatus> {
    if status.is_success() {
        Ok(status)
    } else {
        Err(status)
    }
}

/// A counted UTF-16 string over `units` (at most 32767 units, which every
/// caller's buffer respects).
pub fn unicode_string(units: &[u16]) -> UnicodeString {
    let bytes = (units.len() * 2).min(0xFFFE) as u16;
    UnicodeString {
        length: bytes,
        maximum_length: bytes,
        buffer: units.as_ptr() as u64,
    }
}

/// Opens the image section object at `path` and maps a view of it into
/// this process: the view's base and size. The Executive has applied base
/// relocations already, also when the view is not at the preferred base
/// (STATUS_IMAGE_NOT_AT_BASE). A name that does not exist is
/// STATUS_DLL_NOT_FOUND.
pub fn map_image_section(path: &[u16]) -> Result<(u64, u64), NtStatus> {
    let name = unicode_string(path);
    let attributes = ObjectAttributes {
        length: ObjectAttributes::SIZE,
        object_name: &name as *const UnicodeString as u64,
        attributes: OBJ_CASE_INSENSITIVE,
        ..ObjectAttributes::default()
    };
    let mut section = Handle::NULL;
    let access = SECTION_MAP_READ | SECTION_MAP_EXECUTE | SECTION_QUERY;
    let opened = crate::NtOpenSection(
        &mut section as *mut Handle as u64,
        u64::from(access),
        &attributes as *const ObjectAttributes as u64,
    );
    match opened {
        STATUS_OBJECT_NAME_NOT_FOUND
        | STATUS_OBJECT_PATH_NOT_FOUND
        | STATUS_OBJECT_NAME_INVALID => return Err(STATUS_DLL_NOT_FOUND),
        s => check(s)?,
    };
    let (mut base, mut size) = (0u64, 0u64);
    /// ViewShare: the view is not inherited by child processes' copies.
    const VIEW_SHARE: u64 = 1;
    let mapped = crate::NtMapViewOfSection(
        section.0,
        Handle::CURRENT_PROCESS.0,
        &mut base as *mut u64 as u64,
        0,
        0,
        0,
        &mut size as *mut u64 as u64,
        VIEW_SHARE,
        0,
        u64::from(PAGE_EXECUTE_WRITECOPY),
    );
    // The view keeps the section alive; the handle is no longer needed.
    crate::NtClose(section.0);
    check(mapped)?;
    Ok((base, size))
}

/// Unmaps a view [`map_image_section`] made.
pub fn unmap(base: u64) {
    crate::NtUnmapViewOfSection(Handle::CURRENT_PROCESS.0, base);
}

/// Gives `len` bytes at `address` the page protection `protection`; the
/// previous protection (of the first page) is returned.
pub fn protect(address: u64, len: u64, protection: u32) -> Result<u32, NtStatus> {
    let (mut base, mut size, mut old) = (address, len, 0u32);
    check(crate::NtProtectVirtualMemory(
        Handle::CURRENT_PROCESS.0,
        &mut base as *mut u64 as u64,
        &mut size as *mut u64 as u64,
        u64::from(protection),
        &mut old as *mut u32 as u64,
    ))?;
    Ok(old)
}

/// Ends the process (after the loader has shut down, or when it could not
/// start it).
pub fn terminate_process(status: NtStatus) -> ! {
    loop {
        crate::NtTerminateProcess(Handle::CURRENT_PROCESS.0, u64::from(status.0));
    }
}

/// Ends the calling thread.
pub fn terminate_thread(status: u32) -> ! {
    loop {
        crate::NtTerminateThread(Handle::CURRENT_THREAD.0, u64::from(status));
    }
}

/// Whether the calling thread is the last one of its process
/// (ThreadAmILastThread); false when the Executive cannot say.
pub fn is_last_thread() -> bool {
    let mut last = 0u32;
    let class = nt_abi::classes::ThreadInfoClass::ThreadAmILastThread as u64;
    let status = crate::NtQueryInformationThread(
        Handle::CURRENT_THREAD.0,
        class,
        &mut last as *mut u32 as u64,
        4,
        0,
    );
    status.is_success() && last != 0
}

/// Writes a loader diagnostic line ("LDR: what name: 0xstatus") to the
/// debug console (seL4's serial port), where the boot log is: the
/// loader's only way to say why a process could not start.
pub fn report(what: &str, name: &[u16], status: NtStatus) {
    let chars = core::char::decode_utf16(name.iter().copied()).map(|c| c.unwrap_or('?'));
    report_chars(what, chars, status);
}

/// [`report`] for a name an image gives (UTF-8).
pub fn report_str(what: &str, name: &str, status: NtStatus) {
    report_chars(what, name.chars(), status);
}

fn report_chars(what: &str, name: impl Iterator<Item = char>, status: NtStatus) {
    sel4::debug_puts("LDR: ");
    sel4::debug_puts(what);
    sel4::debug_puts(" ");
    for c in name {
        sel4::debug_put_char(if c.is_ascii() { c as u8 } else { b'?' });
    }
    sel4::debug_puts(": 0x");
    for i in (0..8).rev() {
        let nibble = ((status.0 >> (4 * i)) & 0xF) as u8;
        sel4::debug_put_char(if nibble < 10 {
            b'0' + nibble
        } else {
            b'a' + nibble - 10
        });
    }
    sel4::debug_puts("\n");
}
