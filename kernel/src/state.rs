//! Kernel-global state. The kernel runs on one CPU with interrupts masked
//! whenever it touches its state (the idle loop only waits), so a global is
//! never accessed concurrently; `Global` makes that rule explicit in one place.

use core::cell::UnsafeCell;

pub struct Global<T>(UnsafeCell<T>);

// SAFETY: one CPU, and kernel code never runs concurrently with itself
// (interrupt handlers in the idle loop touch only what the loop re-reads).
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    pub const fn new(v: T) -> Global<T> {
        Global(UnsafeCell::new(v))
    }

    /// The state. Callers must not keep two overlapping borrows of the same
    /// field alive; the kernel's call structure (short, non-reentrant
    /// functions) keeps to that.
    #[allow(clippy::mut_from_ref)]
    pub fn get(&self) -> &mut T {
        // SAFETY: see the type's comment: single CPU, no reentrancy.
        unsafe { &mut *self.0.get() }
    }
}
