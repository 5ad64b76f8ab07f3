//! The Executive's heap (the `alloc` crate's global allocator): a
//! linked-list allocator over a region of the Executive's own address space
//! that is mapped once at boot with 2 MiB pages (one CSpace slot each),
//! sized from the RAM (1/16 of it, between 2 MiB and 32 MiB). Mapping it up front keeps the allocator from ever
//! calling back into `Memory` (which could be in the middle of an
//! operation); kernel objects and client pages never live on this heap.

use super::Memory;
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use alloc::vec::Vec;
use linked_list_allocator::Heap;
use nt_abi::status::STATUS_NO_MEMORY;
use nt_abi::NtStatus;
use sel4::abi::{vm, ObjectType};

/// Where the heap starts in the Executive's address space.
pub const HEAP_BASE: u64 = 0x81_0000_0000;
const MIN: u64 = 2 << 20;
const LARGE: u64 = 2 << 20;
const MAX: u64 = 32 << 20;

pub struct ExecutiveHeap(UnsafeCell<Heap>);

// SAFETY: the Executive is one thread; the heap is never touched from two
// threads (nothing else runs in its address space).
unsafe impl Sync for ExecutiveHeap {}

#[cfg_attr(not(test), global_allocator)]
pub static HEAP: ExecutiveHeap = ExecutiveHeap(UnsafeCell::new(Heap::empty()));

// SAFETY: allocate/deallocate follow the `Heap`'s contract; the single
// Executive thread never reenters the allocator (see `Sync` above).
unsafe impl GlobalAlloc for ExecutiveHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: one thread, no reentrancy (the heap never calls out).
        let heap = unsafe { &mut *self.0.get() };
        heap.allocate_first_fit(layout).map_or(core::ptr::null_mut(), |p| p.as_ptr())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as in `alloc`; `ptr` came from `alloc` with this layout.
        unsafe { (*self.0.get()).deallocate(core::ptr::NonNull::new_unchecked(ptr), layout) }
    }
}

/// A zeroed buffer of `len` bytes, or STATUS_NO_MEMORY when the heap
/// cannot hold it: buffers sized by a client must never stop the Executive
/// (a failed plain allocation would).
pub fn try_zeroed(len: usize) -> Result<Vec<u8>, NtStatus> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| STATUS_NO_MEMORY)?;
    v.resize(len, 0);
    Ok(v)
}

impl Memory {
    /// Maps the heap region and hands it to the allocator; returns its size.
    pub fn init_heap(&mut self) -> u64 {
        let size = (self.ram_bytes() / 16).clamp(MIN, MAX) & !(LARGE - 1);
        let mut mapped = 0;
        while mapped < size {
            let ok = self
                .alloc(ObjectType::LargePage, 0)
                .and_then(|f| self.map_own_large(f, HEAP_BASE + mapped, vm::DEFAULT));
            if ok.is_err() {
                break;
            }
            mapped += LARGE;
        }
        // SAFETY: [HEAP_BASE, +mapped) is mapped read-write, zeroed (fresh
        // frames) and used by nothing else; this runs once, before any
        // allocation.
        unsafe { (*HEAP.0.get()).init(HEAP_BASE as *mut u8, mapped as usize) };
        mapped
    }
}
