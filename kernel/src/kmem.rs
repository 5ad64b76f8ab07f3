//! Kernel access to physical memory. All RAM and low MMIO is mapped at
//! [`WINDOW_BASE`] + paddr (the boot code maps the first 4 GiB); kernel objects
//! live in memory retyped from untypeds and are reached only through here.

/// Base of the kernel's physical-memory window (PML4 slot 511, PDPT slot 0).
pub const WINDOW_BASE: u64 = 0xFFFF_FF80_0000_0000;
/// How much physical memory the window maps.
pub const WINDOW_SIZE: u64 = 4 << 30;

pub const fn phys_to_virt(paddr: u64) -> u64 {
    WINDOW_BASE + paddr
}

/// A typed reference to a kernel object at a physical address.
///
/// # Safety
/// `paddr` must hold a live, properly aligned `T` that no other reference
/// aliases for the returned lifetime (the kernel runs on one CPU with
/// interrupts off, and objects are reached only through their capabilities).
pub unsafe fn object_mut<T>(paddr: u64) -> &'static mut T {
    debug_assert!(
        paddr < WINDOW_SIZE && paddr % core::mem::align_of::<T>() as u64 == 0,
        "object_mut::<{}>({paddr:#x})",
        core::any::type_name::<T>()
    );
    // SAFETY: forwarded to the caller.
    unsafe { &mut *(phys_to_virt(paddr) as *mut T) }
}

/// Zeroes `len` bytes of physical memory.
pub fn zero(paddr: u64, len: u64) {
    assert!(paddr + len <= WINDOW_SIZE);
    // SAFETY: the range lies inside the window; callers zero only memory that
    // they own (fresh objects, boot allocations).
    unsafe { core::ptr::write_bytes(phys_to_virt(paddr) as *mut u8, 0, len as usize) };
}

/// Copies bytes into physical memory.
pub fn write(paddr: u64, data: &[u8]) {
    assert!(paddr + data.len() as u64 <= WINDOW_SIZE);
    // SAFETY: as for `zero`.
    unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), phys_to_virt(paddr) as *mut u8, data.len()) };
}

/// A read-only view of physical memory (boot modules, firmware tables).
pub fn slice(paddr: u64, len: u64) -> &'static [u8] {
    assert!(paddr + len <= WINDOW_SIZE);
    // SAFETY: inside the window; the kernel does not write these ranges while
    // the view is in use.
    unsafe { core::slice::from_raw_parts(phys_to_virt(paddr) as *const u8, len as usize) }
}

pub fn read_u64(paddr: u64) -> u64 {
    assert!(paddr + 8 <= WINDOW_SIZE);
    // SAFETY: inside the window; unaligned reads are fine on x86.
    unsafe { (phys_to_virt(paddr) as *const u64).read_unaligned() }
}

pub fn write_u64(paddr: u64, v: u64) {
    assert!(paddr + 8 <= WINDOW_SIZE);
    // SAFETY: as for `zero`.
    unsafe { (phys_to_virt(paddr) as *mut u64).write_unaligned(v) }
}
