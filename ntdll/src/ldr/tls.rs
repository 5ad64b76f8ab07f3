//! Static TLS (the `.tls` data of images, what `__declspec(thread)` and
//! Rust's `#[thread_local]` use on Windows): a slot per module with a TLS
//! directory, each thread's ThreadLocalStoragePointer array (TEB+0x58)
//! indexed by slot, each slot pointing at that thread's copy of the
//! module's template plus zero fill; and the TLS callbacks.
//!
//! Slots are handed out in load order and never reused, so an array
//! pointer a thread still holds for an unloaded module never aliases
//! another module's block. A module loaded after the process started gets
//! its block in the calling thread and in threads started later; threads
//! that already run do not get one (Windows since Vista also updates them;
//! that needs the Executive to list a process's threads, which is not
//! wired up yet).

use core::ptr::{addr_of_mut, null_mut};
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use nt_abi::status::*;
use nt_abi::NtStatus;

use super::module::{self, List, Module, TLS_INDEX_USED};
use super::sys;

/// How many slots have been handed out.
static SLOTS: AtomicU32 = AtomicU32::new(0);
/// Whether the first thread has its array: from then on a newly loaded
/// module's block is added to the calling thread at once.
static THREADS_HAVE_ARRAYS: AtomicBool = AtomicBool::new(false);

/// `PIMAGE_TLS_CALLBACK`.
type TlsCallback = extern "system" fn(usize, u32, usize);

fn invalid(_: pe::PeError) -> NtStatus {
    STATUS_INVALID_IMAGE_FORMAT
}

/// Gives `m` a slot if its image has a TLS directory: checks the directory
/// and its callback list, stores the slot in the image's AddressOfIndex,
/// and gives the calling thread its block when threads already have
/// arrays.
pub fn setup(m: *mut Module) -> Result<(), NtStatus> {
    let image = module::image(m)?;
    let Some(tls) = image.tls().map_err(invalid)? else {
        return Ok(());
    };
    for callback in tls.callbacks() {
        callback.map_err(invalid)?;
    }
    let index_rva = tls.index_rva();
    if let Some(rva) = index_rva {
        if !pe::is_writable(&image, rva, 4) {
            return Err(STATUS_INVALID_IMAGE_FORMAT);
        }
    }
    let slot = SLOTS.fetch_add(1, Ordering::Relaxed);
    // SAFETY: `m` is a live record; the index slot lies in a writable
    // section of its image (checked above; the view is not used again).
    unsafe {
        (*m).tls_slot = Some(slot);
        (*m).entry.tls_index = TLS_INDEX_USED;
        if let Some(rva) = index_rva {
            (((*m).entry.dll_base + u64::from(rva)) as *mut u32).write_unaligned(slot);
        }
    }
    if THREADS_HAVE_ARRAYS.load(Ordering::Relaxed) {
        give_block(m)?;
    }
    Ok(())
}

/// The calling thread's array: its first slot and its capacity, which is
/// kept in the word before the slots.
fn array() -> (*mut *mut u8, u32) {
    // SAFETY: the TEB is this thread's; the array (when set) was made by
    // `grow`, with the capacity word in front.
    unsafe {
        let slots = (*sys::teb()).thread_local_storage_pointer as *mut *mut u8;
        if slots.is_null() {
            (null_mut(), 0)
        } else {
            (slots, *(slots as *mut u64).sub(1) as u32)
        }
    }
}

/// Makes the calling thread's array hold at least `want` slots. An old
/// array is copied and then freed.
fn grow(want: u32) -> Result<*mut *mut u8, NtStatus> {
    let (old, cap) = array();
    if want <= cap {
        return Ok(old);
    }
    let words = want as usize + 1;
    let block = sys::alloc(words * 8).ok_or(STATUS_NO_MEMORY)? as *mut u64;
    // SAFETY: `block` holds `words` words; `old` holds `cap` slots.
    unsafe {
        *block = u64::from(want);
        let slots = block.add(1) as *mut *mut u8;
        if !old.is_null() {
            core::ptr::copy_nonoverlapping(old, slots, cap as usize);
            sys::free((old as *mut u64).sub(1) as *mut u8);
        }
        (*sys::teb()).thread_local_storage_pointer = slots as u64;
        Ok(slots)
    }
}

/// Gives the calling thread its copy of `m`'s TLS data.
fn give_block(m: *mut Module) -> Result<(), NtStatus> {
    // SAFETY: `m` is a live record.
    let Some(slot) = (unsafe { (*m).tls_slot }) else {
        return Ok(());
    };
    let slots = grow(SLOTS.load(Ordering::Relaxed))?;
    let image = module::image(m)?;
    let tls = image
        .tls()
        .map_err(invalid)?
        .ok_or(STATUS_INVALID_IMAGE_FORMAT)?;
    let template = tls.template();
    let block = sys::alloc(tls.block_size() as usize).ok_or(STATUS_NO_MEMORY)?;
    // SAFETY: the block holds template + zero fill bytes (zeroed by
    // alloc); `slot` < the array's capacity (grow).
    unsafe {
        core::ptr::copy_nonoverlapping(template.as_ptr(), block, template.len());
        *slots.add(slot as usize) = block;
    }
    Ok(())
}

/// Gives the calling thread (a new thread, or the first one once the
/// process image and its DLLs are loaded) its array and a block for every
/// loaded module with TLS.
pub fn init_thread() -> Result<(), NtStatus> {
    THREADS_HAVE_ARRAYS.store(true, Ordering::Relaxed);
    for m in module::iter(List::Load, false) {
        give_block(m)?;
    }
    Ok(())
}

/// Frees the calling thread's block of `m` (the module is being unloaded).
pub fn drop_block(m: *mut Module) {
    // SAFETY: `m` is a live record.
    let Some(slot) = (unsafe { (*m).tls_slot }) else {
        return;
    };
    let (slots, cap) = array();
    if slot < cap {
        // SAFETY: `slot` is inside the array.
        unsafe {
            let p = slots.add(slot as usize);
            sys::free(*p);
            *p = null_mut();
        }
    }
}

/// Frees the calling thread's blocks and array (the thread is ending).
pub fn free_thread() {
    for m in module::iter(List::Load, false) {
        drop_block(m);
    }
    let (slots, _) = array();
    if !slots.is_null() {
        // SAFETY: the array came from `grow`, capacity word first.
        unsafe {
            sys::free((slots as *mut u64).sub(1) as *mut u8);
            *addr_of_mut!((*sys::teb()).thread_local_storage_pointer) = 0;
        }
    }
}

/// Calls `m`'s TLS callbacks with `reason` (DLL_PROCESS_ATTACH etc.). The
/// image is looked at afresh for each callback, so no view of it is held
/// while its code runs.
pub fn run_callbacks(m: *mut Module, reason: u32) {
    // SAFETY: `m` is a live record.
    if unsafe { (*m).tls_slot }.is_none() {
        return;
    }
    // SAFETY: as above.
    let base = unsafe { (*m).entry.dll_base };
    let mut i = 0;
    loop {
        let rva = module::image(m)
            .ok()
            .and_then(|image| image.tls().ok().flatten())
            .and_then(|tls| tls.callbacks().nth(i))
            .and_then(Result::ok);
        let Some(rva) = rva else { return };
        // SAFETY: the callback address lies inside the module's image
        // (checked by `callbacks`); it is a PIMAGE_TLS_CALLBACK.
        let callback: TlsCallback =
            unsafe { core::mem::transmute((base + u64::from(rva)) as usize) };
        callback(base as usize, reason, 0);
        i += 1;
    }
}
