//! RtlCreateHeap and the other heap exports over `rtl::heap`, with the
//! page source being this process's virtual memory (NtAllocateVirtualMemory
//! / NtFreeVirtualMemory on NtCurrentProcess).

use core::ffi::c_void;
use nt_abi::consts::{MEM_COMMIT, MEM_RELEASE, MEM_RESERVE, PAGE_READWRITE};
use nt_abi::Handle;
use rtl::heap::{self as core_heap, PageSource, HEAP_GROWABLE};

/// The process's own address space as a heap page source.
pub struct ProcessVm;

impl PageSource for ProcessVm {
    fn reserve(&mut self, size: usize) -> Option<usize> {
        let (mut base, mut len) = (0usize, size);
        let st = crate::NtAllocateVirtualMemory(
            Handle::CURRENT_PROCESS.0,
            &mut base as *mut usize as u64,
            0,
            &mut len as *mut usize as u64,
            MEM_RESERVE as u64,
            PAGE_READWRITE as u64,
        );
        (st.is_success() && base != 0).then_some(base)
    }

    fn commit(&mut self, addr: usize, size: usize) -> bool {
        let (mut base, mut len) = (addr, size);
        crate::NtAllocateVirtualMemory(
            Handle::CURRENT_PROCESS.0,
            &mut base as *mut usize as u64,
            0,
            &mut len as *mut usize as u64,
            MEM_COMMIT as u64,
            PAGE_READWRITE as u64,
        )
        .is_success()
    }

    fn release(&mut self, base: usize) {
        let (mut b, mut len) = (base, 0usize);
        // Nothing to do if this fails: the memory is lost to the heap either way.
        let _ = crate::NtFreeVirtualMemory(
            Handle::CURRENT_PROCESS.0,
            &mut b as *mut usize as u64,
            &mut len as *mut usize as u64,
            MEM_RELEASE as u64,
        );
    }

    fn relax(&mut self) {
        crate::NtYieldExecution();
    }
}

/// `PEB.ProcessHeap` (NULL until the loader has created it).
pub fn process_heap() -> *mut c_void {
    // SAFETY: the PEB is mapped for the life of the process.
    unsafe { (*super::peb()).process_heap as *mut c_void }
}

/// Allocates from the process heap (NULL if there is none yet or it is full).
pub fn alloc(size: usize) -> *mut c_void {
    RtlAllocateHeap(process_heap(), 0, size)
}

/// Frees a process-heap block; NULL is fine.
pub fn free(p: *mut c_void) {
    if !p.is_null() {
        RtlFreeHeap(process_heap(), 0, p);
    }
}

/// RtlCreateHeap. Caller-supplied memory (`HeapBase`), a caller-supplied
/// lock and RTL_HEAP_PARAMETERS are not supported: a HeapBase gives NULL,
/// the lock and parameters are ignored (the heap has its own lock). A heap
/// created with ReserveSize 0 is growable, as HeapCreate's with no maximum.
#[no_mangle]
pub extern "system" fn RtlCreateHeap(
    Flags: u32,
    HeapBase: *mut c_void,
    ReserveSize: usize,
    CommitSize: usize,
    _Lock: *mut c_void,
    _Parameters: *mut c_void,
) -> *mut c_void {
    if !HeapBase.is_null() {
        return core::ptr::null_mut();
    }
    let flags = if ReserveSize == 0 {
        Flags | HEAP_GROWABLE
    } else {
        Flags
    };
    // SAFETY: rdtsc has no preconditions; the cookie only needs to vary.
    let cookie = unsafe { core::arch::x86_64::_rdtsc() } as u32;
    // SAFETY: ProcessVm hands out fresh memory nothing else uses.
    match unsafe { core_heap::create(&mut ProcessVm, flags, ReserveSize, CommitSize, cookie) } {
        Some(h) => h as *mut c_void,
        None => core::ptr::null_mut(),
    }
}

/// RtlDestroyHeap: NULL on success, the handle back on failure.
#[no_mangle]
pub extern "system" fn RtlDestroyHeap(HeapHandle: *mut c_void) -> *mut c_void {
    if HeapHandle == process_heap() {
        return HeapHandle;
    }
    // SAFETY: the caller passes a heap handle; `destroy` checks its signature.
    if unsafe { core_heap::destroy(&mut ProcessVm, HeapHandle as usize) } {
        core::ptr::null_mut()
    } else {
        HeapHandle
    }
}

#[no_mangle]
pub extern "system" fn RtlAllocateHeap(
    HeapHandle: *mut c_void,
    Flags: u32,
    Size: usize,
) -> *mut c_void {
    // SAFETY: as in RtlDestroyHeap.
    unsafe { core_heap::alloc(&mut ProcessVm, HeapHandle as usize, Flags, Size) as *mut c_void }
}

/// RtlFreeHeap: TRUE, or FALSE for a pointer that is not a busy block of
/// this heap (returned as a LOGICAL so BOOLEAN and LOGICAL callers agree).
#[no_mangle]
pub extern "system" fn RtlFreeHeap(
    HeapHandle: *mut c_void,
    Flags: u32,
    BaseAddress: *mut c_void,
) -> u32 {
    // SAFETY: as in RtlDestroyHeap; the pointer is checked before use.
    unsafe {
        core_heap::free(
            &mut ProcessVm,
            HeapHandle as usize,
            Flags,
            BaseAddress as usize,
        ) as u32
    }
}

#[no_mangle]
pub extern "system" fn RtlReAllocateHeap(
    HeapHandle: *mut c_void,
    Flags: u32,
    BaseAddress: *mut c_void,
    Size: usize,
) -> *mut c_void {
    // SAFETY: as in RtlFreeHeap.
    unsafe {
        core_heap::realloc(
            &mut ProcessVm,
            HeapHandle as usize,
            Flags,
            BaseAddress as usize,
            Size,
        ) as *mut c_void
    }
}

/// RtlSizeHeap: the requested size, or (SIZE_T)-1 for a bad pointer.
#[no_mangle]
pub extern "system" fn RtlSizeHeap(
    HeapHandle: *mut c_void,
    Flags: u32,
    BaseAddress: *const c_void,
) -> usize {
    // SAFETY: as in RtlFreeHeap.
    unsafe {
        core_heap::size(
            &mut ProcessVm,
            HeapHandle as usize,
            Flags,
            BaseAddress as usize,
        )
    }
}

#[no_mangle]
pub extern "system" fn RtlValidateHeap(
    HeapHandle: *mut c_void,
    Flags: u32,
    BaseAddress: *const c_void,
) -> u8 {
    // SAFETY: as in RtlFreeHeap.
    unsafe {
        core_heap::validate(
            &mut ProcessVm,
            HeapHandle as usize,
            Flags,
            BaseAddress as usize,
        ) as u8
    }
}

#[no_mangle]
pub extern "system" fn RtlGetProcessHeap() -> *mut c_void {
    process_heap()
}
