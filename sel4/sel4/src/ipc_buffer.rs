//! Where this thread's IPC buffer is. The root task learns it from BootInfo;
//! the runtime records it here. (One thread per address space until thread
//! support moves this pointer into thread-local storage.)

use core::sync::atomic::{AtomicPtr, Ordering};
use sel4_abi::IpcBuffer;

static IPC_BUFFER: AtomicPtr<IpcBuffer> = AtomicPtr::new(core::ptr::null_mut());

/// Records the IPC buffer's address (the runtime calls this at start).
///
/// # Safety
/// `buf` must point to this thread's mapped, writable IPC buffer for the
/// rest of the program.
pub unsafe fn set_ipc_buffer(buf: *mut IpcBuffer) {
    IPC_BUFFER.store(buf, Ordering::Relaxed);
}

/// This thread's IPC buffer.
pub fn ipc_buffer() -> &'static mut IpcBuffer {
    let p = IPC_BUFFER.load(Ordering::Relaxed);
    assert!(!p.is_null(), "IPC buffer not set");
    // SAFETY: `set_ipc_buffer`'s contract: p is the thread's own mapped buffer,
    // and the thread is the only user of it.
    unsafe { &mut *p }
}
