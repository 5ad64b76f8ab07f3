//! The loader's record of a module: a LDR_DATA_TABLE_ENTRY followed by the
//! loader's own fields, linked into PEB.Ldr's three lists; finding modules
//! by name, base and address; and read-only views of a module's image.
//!
//! Everything here runs under the loader lock, which is what makes the raw
//! list and entry accesses exclusive.

use core::mem::size_of;
use core::ptr::{addr_of_mut, null_mut};

use nt_abi::status::*;
use nt_abi::types::{LdrDataTableEntry, ListEntry, PebLdrData, UnicodeString};
use nt_abi::NtStatus;
use pe::{DllName, PeImage};

use super::sys::{self, peb};

/// LDR_DATA_TABLE_ENTRY flags (phnt ntldr.h LDRP_*) the loader sets.
pub mod flags {
    /// The module is a DLL (not the process image).
    pub const IMAGE_DLL: u32 = 0x0000_0004;
    /// Mapped and listed, imports not bound yet.
    pub const LOAD_IN_PROGRESS: u32 = 0x0000_1000;
    /// Its initialisation (TLS callbacks, DllMain) has been run or is not
    /// needed.
    pub const ENTRY_PROCESSED: u32 = 0x0000_4000;
    /// No DLL_THREAD_ATTACH/DETACH calls (LdrDisableThreadCalloutsForDll).
    pub const DONT_CALL_FOR_THREADS: u32 = 0x0004_0000;
    /// DllMain(DLL_PROCESS_ATTACH) returned TRUE: it gets a DETACH later.
    pub const PROCESS_ATTACH_CALLED: u32 = 0x0008_0000;
}

/// ObsoleteLoadCount of a module that is never unloaded (Windows's value
/// for the process image, ntdll and static imports).
pub const PINNED: u16 = 0xFFFF;

/// sizeof(LDR_DATA_TABLE_ENTRY) on Windows 10 x64. nt-abi's entry ends at
/// TimeDateStamp; the bytes up to here are Windows's later fields, kept zero
/// so programs that read them find nothing rather than loader data.
const WINDOWS_ENTRY_SIZE: usize = 0x120;

/// TlsIndex of a module with static TLS (Windows sets -1; the real index is
/// in [`Module::tls_slot`]).
pub const TLS_INDEX_USED: u16 = 0xFFFF;

/// A loaded module. `entry` must stay first: list links point into it and
/// programs see the record as a LDR_DATA_TABLE_ENTRY.
#[repr(C)]
pub struct Module {
    pub entry: LdrDataTableEntry,
    _windows: [u8; WINDOWS_ENTRY_SIZE - size_of::<LdrDataTableEntry>()],
    /// Its index in every thread's ThreadLocalStoragePointer array, when
    /// the image has a TLS directory.
    pub tls_slot: Option<u32>,
    /// The modules its import descriptors bound against, one reference
    /// each (heap array of `deps_len` entries, `deps_cap` allocated).
    pub deps: *mut *mut Module,
    pub deps_len: u32,
    pub deps_cap: u32,
    /// Marked for unloading (LdrUnloadDll works on the set).
    pub unloading: bool,
}

/// The `*_links` field of `entry` for `list`, and back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum List {
    Load,
    Memory,
    Init,
}

impl List {
    fn offset(self) -> usize {
        match self {
            List::Load => 0,
            List::Memory => 0x10,
            List::Init => 0x20,
        }
    }

    fn head(self, ldr: *mut PebLdrData) -> *mut ListEntry {
        // SAFETY: `ldr` is PEB.Ldr, allocated by the loader.
        unsafe {
            match self {
                List::Load => addr_of_mut!((*ldr).in_load_order_module_list),
                List::Memory => addr_of_mut!((*ldr).in_memory_order_module_list),
                List::Init => addr_of_mut!((*ldr).in_initialization_order_module_list),
            }
        }
    }

    fn link(self, m: *mut Module) -> *mut ListEntry {
        (m as usize + self.offset()) as *mut ListEntry
    }

    fn module(self, link: *mut ListEntry) -> *mut Module {
        (link as usize - self.offset()) as *mut Module
    }
}

/// PEB.Ldr.
pub fn ldr() -> *mut PebLdrData {
    // SAFETY: the PEB lives as long as the process.
    unsafe { (*peb()).ldr as *mut PebLdrData }
}

/// Makes an empty list head.
pub fn init_head(head: *mut ListEntry) {
    // SAFETY: the caller owns `head`.
    unsafe {
        (*head).flink = head as u64;
        (*head).blink = head as u64;
    }
}

/// Appends `m` to `list`.
pub fn insert_tail(list: List, m: *mut Module) {
    let head = list.head(ldr());
    let node = list.link(m);
    // SAFETY: the head and the nodes of listed modules are valid; the
    // loader lock makes the update exclusive.
    unsafe {
        let last = (*head).blink as *mut ListEntry;
        (*node).flink = head as u64;
        (*node).blink = last as u64;
        (*last).flink = node as u64;
        (*head).blink = node as u64;
    }
}

/// Takes `m` off `list` if it is on it (a node never linked has a NULL
/// flink).
pub fn remove(list: List, m: *mut Module) {
    let node = list.link(m);
    // SAFETY: as in `insert_tail`.
    unsafe {
        if (*node).flink == 0 {
            return;
        }
        let (next, prev) = (
            (*node).flink as *mut ListEntry,
            (*node).blink as *mut ListEntry,
        );
        (*prev).flink = next as u64;
        (*next).blink = prev as u64;
        (*node).flink = 0;
        (*node).blink = 0;
    }
}

/// The modules on `list`, first to last (`rev`: last to first). The next
/// link is read before a module is yielded, so the caller may take the
/// yielded module off the list, and modules appended meanwhile are seen.
pub fn iter(list: List, rev: bool) -> impl Iterator<Item = *mut Module> {
    let head = list.head(ldr());
    // SAFETY (both reads): list links of listed modules are valid.
    let step = move |link: *mut ListEntry| unsafe {
        if rev {
            (*link).blink as *mut ListEntry
        } else {
            (*link).flink as *mut ListEntry
        }
    };
    let mut next = step(head);
    core::iter::from_fn(move || {
        if next == head || next.is_null() {
            return None;
        }
        let current = next;
        next = step(current);
        Some(list.module(current))
    })
}

/// The last module in load order: what a later "loaded since" check starts
/// after.
pub fn last_loaded() -> *mut Module {
    iter(List::Load, true).next().unwrap_or(null_mut())
}

/// The modules loaded after `mark` (a [`last_loaded`] value), in load
/// order.
pub fn loaded_since(mark: *mut Module) -> impl Iterator<Item = *mut Module> {
    let mut seen = mark.is_null();
    iter(List::Load, false).filter(move |&m| {
        let after = seen;
        if m == mark {
            seen = true;
        }
        after
    })
}

/// Allocates a module record for the image at `base` with FullDllName
/// `full` (copied, NUL-terminated, BaseDllName its last component), not
/// yet listed.
pub fn new_module(base: u64, size_of_image: u32, full: &[u16]) -> Result<*mut Module, NtStatus> {
    let units = full.len().min(0x7FFE);
    let bytes = size_of::<Module>() + (units + 1) * 2;
    let p = sys::alloc(bytes).ok_or(STATUS_NO_MEMORY)?;
    let m = p as *mut Module;
    let name = (p as usize + size_of::<Module>()) as *mut u16;
    let file = pe::base_name(&full[..units]).len();
    // SAFETY: `p` is a fresh zeroed block of `bytes` bytes; the name buffer
    // follows the record.
    unsafe {
        core::ptr::copy_nonoverlapping(full.as_ptr(), name, units);
        let e = &mut (*m).entry;
        e.dll_base = base;
        e.size_of_image = size_of_image;
        e.full_dll_name = UnicodeString {
            length: (units * 2) as u16,
            maximum_length: ((units + 1) * 2) as u16,
            buffer: name as u64,
        };
        e.base_dll_name = UnicodeString {
            length: (file * 2) as u16,
            maximum_length: ((file + 1) * 2) as u16,
            buffer: name.add(units - file) as u64,
        };
        // No hash table links the entries; an empty list keeps programs
        // that walk HashLinks from following NULL.
        init_head(addr_of_mut!(e.hash_links));
    }
    Ok(m)
}

/// Frees a record from [`new_module`] that is on no list.
pub fn free_module(m: *mut Module) {
    // SAFETY: the record is live; its deps array came from sys::alloc.
    unsafe { sys::free((*m).deps as *mut u8) };
    sys::free(m as *mut u8);
}

/// Records that `m`'s imports hold a reference on `dep`.
pub fn push_dep(m: *mut Module, dep: *mut Module) -> Result<(), NtStatus> {
    // SAFETY: `m` is a live record; the array is reallocated here only.
    unsafe {
        let md = &mut *m;
        if md.deps_len == md.deps_cap {
            let cap = (md.deps_cap * 2).max(4);
            let new = sys::alloc(cap as usize * size_of::<*mut Module>()).ok_or(STATUS_NO_MEMORY)?
                as *mut *mut Module;
            if !md.deps.is_null() {
                core::ptr::copy_nonoverlapping(md.deps, new, md.deps_len as usize);
                sys::free(md.deps as *mut u8);
            }
            md.deps = new;
            md.deps_cap = cap;
        }
        *md.deps.add(md.deps_len as usize) = dep;
        md.deps_len += 1;
    }
    Ok(())
}

/// The modules `m` holds references on.
pub fn deps(m: *mut Module) -> &'static [*mut Module] {
    // SAFETY: `deps` holds `deps_len` initialised entries (or is NULL).
    unsafe {
        let md = &*m;
        if md.deps.is_null() {
            &[]
        } else {
            core::slice::from_raw_parts(md.deps, md.deps_len as usize)
        }
    }
}

/// One more reference on `m` (none for a pinned module).
pub fn add_ref(m: *mut Module) {
    // SAFETY: `m` is a live record.
    let count = unsafe { &mut (*m).entry.obsolete_load_count };
    if *count != PINNED {
        *count = count.saturating_add(1).min(PINNED - 1);
    }
}

/// One reference less on `m`; whether that was the last one.
pub fn release(m: *mut Module) -> bool {
    // SAFETY: `m` is a live record.
    let count = unsafe { &mut (*m).entry.obsolete_load_count };
    if *count == PINNED || *count == 0 {
        return false;
    }
    *count -= 1;
    *count == 0
}

/// Makes `m` permanent.
pub fn pin(m: *mut Module) {
    // SAFETY: `m` is a live record.
    unsafe { (*m).entry.obsolete_load_count = PINNED };
}

/// The module's BaseDllName.
pub fn base_name(m: *mut Module) -> &'static [u16] {
    // SAFETY: the name buffer lives as long as the record.
    unsafe { utf16((*m).entry.base_dll_name) }
}

/// The units of a UNICODE_STRING (empty when it has no buffer).
///
/// # Safety
/// `s.buffer` must point to `s.length` readable bytes for as long as the
/// result is used.
pub unsafe fn utf16<'a>(s: UnicodeString) -> &'a [u16] {
    if s.buffer == 0 || s.length < 2 {
        &[]
    } else {
        // SAFETY: per the contract above.
        unsafe { core::slice::from_raw_parts(s.buffer as *const u16, usize::from(s.length / 2)) }
    }
}

/// The listed module whose BaseDllName is `name`.
pub fn find_by_name(name: &DllName) -> Option<*mut Module> {
    iter(List::Load, false).find(|&m| name.matches(base_name(m)))
}

/// The listed module loaded at `base`.
pub fn find_by_base(base: u64) -> Option<*mut Module> {
    // SAFETY: listed records are live.
    iter(List::Load, false).find(|&m| unsafe { (*m).entry.dll_base } == base)
}

/// The listed module whose image contains `address`.
pub fn find_by_address(address: u64) -> Option<*mut Module> {
    iter(List::Load, false).find(|&m| {
        // SAFETY: listed records are live.
        let e = unsafe { &(*m).entry };
        address.wrapping_sub(e.dll_base) < u64::from(e.size_of_image)
    })
}

/// The checked image of a listed module: its SizeOfImage bytes at its
/// base, as `PeImage` reads them.
///
/// The view only reads, and only the headers and directories the loader
/// needs (export, import, TLS), which nothing writes while a module is
/// loaded; it lasts no longer than the loader operation that made it, and
/// the module is not unmapped during that operation.
pub fn image(m: *mut Module) -> Result<PeImage<'static>, NtStatus> {
    // SAFETY: listed records are live.
    let e = unsafe { &(*m).entry };
    // SAFETY: the module was checked when it was listed to span
    // SizeOfImage mapped bytes from its base (see `checked_size`).
    let bytes =
        unsafe { core::slice::from_raw_parts(e.dll_base as *const u8, e.size_of_image as usize) };
    PeImage::parse_mapped(bytes).map_err(|e| NtStatus(e.ntstatus()))
}

/// SizeOfImage of the image mapped at `base`, after checking its headers.
/// `view` is the size of the view the loader mapped, which the image must
/// fit in; `None` for the images the Executive mapped (the process image
/// and ntdll), which are read through the one page every image has mapped
/// at its base and must have their headers within it.
pub fn checked_size(base: u64, view: Option<u64>) -> Result<u32, NtStatus> {
    let invalid = NtStatus(pe::status::STATUS_INVALID_IMAGE_FORMAT);
    let readable = usize::try_from(view.unwrap_or(PAGE)).map_err(|_| invalid)?;
    // SAFETY: a view's bytes are mapped; so is the first page of an image.
    let headers = unsafe { core::slice::from_raw_parts(base as *const u8, readable) };
    let size = PeImage::mapped_size(headers).map_err(|e| NtStatus(e.ntstatus()))?;
    match view {
        Some(v) if u64::from(size) > v => Err(invalid),
        _ => Ok(size),
    }
}

/// The page size: what [`checked_size`] reads of an image the Executive
/// mapped.
const PAGE: u64 = 0x1000;
