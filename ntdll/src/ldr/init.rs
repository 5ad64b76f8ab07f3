//! Process and thread start and end, as the loader sees them: building
//! PEB.Ldr for a new process (process heap, module lists with the process
//! image and ntdll, its imports), per-thread TLS and attach notifications,
//! and the detach notifications when a thread or the process ends.

use core::mem::size_of;

use nt_abi::status::*;
use nt_abi::types::{PebLdrData, RtlUserProcessParameters};
use nt_abi::NtStatus;
use pe::PeImage;

use super::load::{
    self, DLL_PROCESS_ATTACH, DLL_PROCESS_DETACH, DLL_THREAD_ATTACH, DLL_THREAD_DETACH,
};
use super::module::{self, flags, List, Module};
use super::{sys, tls};
use crate::rtl::heap::RtlCreateHeap;

/// HEAP_GROWABLE: the process heap grows past its first reservation.
const HEAP_GROWABLE: u32 = 0x2;

extern "C" {
    /// The linker's symbol for the base of the image it links (ntdll).
    static __ImageBase: u8;
}

/// ntdll's base address.
fn ntdll_base() -> u64 {
    core::ptr::addr_of!(__ImageBase) as u64
}

/// The process image's record: always first in load order.
fn exe() -> Option<*mut Module> {
    module::iter(List::Load, false).next()
}

/// Builds the loader state of a starting process and loads and
/// initialises everything its image imports. On failure the process
/// cannot run; the caller ends it with the status.
pub fn process() -> Result<(), NtStatus> {
    let peb = sys::peb();
    // SAFETY: the Executive set up the PEB and the process image.
    let (exe_base, params) = unsafe { ((*peb).image_base_address, (*peb).process_parameters) };
    let exe_size = module::checked_size(exe_base, None)?;
    // SAFETY: checked_size confirmed the image's headers; the Executive
    // mapped all SizeOfImage bytes.
    let exe_bytes =
        unsafe { core::slice::from_raw_parts(exe_base as *const u8, exe_size as usize) };
    let (reserve, commit) = PeImage::parse_mapped(exe_bytes)
        .map_err(|e| NtStatus(e.ntstatus()))?
        .heap_sizes();

    let heap = RtlCreateHeap(
        HEAP_GROWABLE,
        core::ptr::null_mut(),
        reserve as usize,
        commit as usize,
        core::ptr::null_mut(),
        core::ptr::null_mut(),
    );
    if heap.is_null() {
        return Err(STATUS_NO_MEMORY);
    }
    // SAFETY: the PEB is this process's; nothing else uses these fields yet.
    unsafe { (*peb).process_heap = heap as u64 };
    let ldr = sys::alloc(size_of::<PebLdrData>()).ok_or(STATUS_NO_MEMORY)? as *mut PebLdrData;
    // SAFETY: a fresh zeroed PEB_LDR_DATA.
    unsafe {
        (*ldr).length = size_of::<PebLdrData>() as u32;
        (*ldr).initialized = 1;
        module::init_head(core::ptr::addr_of_mut!((*ldr).in_load_order_module_list));
        module::init_head(core::ptr::addr_of_mut!((*ldr).in_memory_order_module_list));
        module::init_head(core::ptr::addr_of_mut!(
            (*ldr).in_initialization_order_module_list
        ));
        (*peb).ldr = ldr as u64;
    }

    // The process image: FullDllName is ImagePathName.
    let params = params as *const RtlUserProcessParameters;
    let path = if params.is_null() {
        &[][..]
    } else {
        // SAFETY: the Executive's parameter block is normalized (absolute
        // pointers) and lives as long as the process.
        unsafe { module::utf16((*params).image_path_name) }
    };
    let exe = module::new_module(exe_base, exe_size, path)?;
    describe(exe, false)?;
    // ntdll: mapped by the Executive, already "initialised" (it is us).
    let mut buf = [0u16; 64];
    let ntdll_name = fill(&mut buf, load::SYSTEM32, "ntdll.dll");
    let base = ntdll_base();
    let ntdll = module::new_module(base, module::checked_size(base, None)?, ntdll_name)?;
    describe(ntdll, true)?;
    for m in [exe, ntdll] {
        module::pin(m);
        module::insert_tail(List::Load, m);
        module::insert_tail(List::Memory, m);
    }
    // The process image never gets DllMain calls, so it is not on the
    // initialisation list; ntdll heads it.
    module::insert_tail(List::Init, ntdll);

    tls::setup(exe)?;
    load::pin_new_modules(true);
    let bound = load::bind(exe);
    load::pin_new_modules(false);
    bound?;
    tls::init_thread()?;
    load::initialize(1)?;
    tls::run_callbacks(exe, DLL_PROCESS_ATTACH);
    Ok(())
}

/// `prefix` + `name` (ASCII) in `buf`.
fn fill<'b>(buf: &'b mut [u16], prefix: &str, name: &str) -> &'b [u16] {
    let mut n = 0;
    for (slot, c) in buf.iter_mut().zip(prefix.bytes().chain(name.bytes())) {
        *slot = u16::from(c);
        n += 1;
    }
    &buf[..n]
}

/// Fills the image-derived fields of the record of the process image
/// (`dll` false) or ntdll (`dll` true, already attached).
fn describe(m: *mut Module, dll: bool) -> Result<(), NtStatus> {
    let image = module::image(m)?;
    // SAFETY: a fresh record.
    let e = unsafe { &mut (*m).entry };
    e.entry_point = image
        .entry_rva()
        .map_or(0, |rva| e.dll_base + u64::from(rva));
    e.time_date_stamp = image.time_date_stamp();
    e.flags = flags::ENTRY_PROCESSED;
    if dll {
        e.flags |= flags::IMAGE_DLL | flags::PROCESS_ATTACH_CALLED;
        // ntdll's own entry point (if it had one) is not a DllMain to call.
        e.entry_point = 0;
    }
    Ok(())
}

/// A new thread of a running process: its TLS blocks, then TLS callbacks
/// and DllMain(DLL_THREAD_ATTACH) of each DLL, then the process image's
/// TLS callbacks.
pub fn thread() -> Result<(), NtStatus> {
    tls::init_thread()?;
    load::notify_threads(DLL_THREAD_ATTACH);
    if let Some(exe) = exe() {
        tls::run_callbacks(exe, DLL_THREAD_ATTACH);
    }
    Ok(())
}

/// The calling thread is ending: the process image's TLS callbacks, the
/// DLLs' DLL_THREAD_DETACH in reverse order, then its TLS blocks go.
pub fn thread_end() {
    if let Some(exe) = exe() {
        tls::run_callbacks(exe, DLL_THREAD_DETACH);
    }
    load::notify_threads(DLL_THREAD_DETACH);
    tls::free_thread();
}

/// The process is ending: PEB.Ldr records the shutdown, then the process
/// image's TLS callbacks and every DLL's DLL_PROCESS_DETACH run, last
/// initialised first. Nothing is unmapped: the process goes away whole.
pub fn process_end() {
    let ldr = module::ldr();
    // SAFETY: PEB.Ldr and the TEB are live.
    unsafe {
        (*ldr).shutdown_in_progress = 1;
        (*ldr).shutdown_thread_id = (*sys::teb()).client_id.unique_thread;
    }
    if let Some(exe) = exe() {
        tls::run_callbacks(exe, DLL_PROCESS_DETACH);
    }
    load::detach_all();
}
