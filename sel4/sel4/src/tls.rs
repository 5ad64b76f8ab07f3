//! The per-thread block a thread's FS base points to. Several threads may
//! share an address space, so the IPC buffer pointer cannot be a global: each
//! thread finds its own in word 0 of its block (`fs:[0]`), which is what
//! [`crate::ipc_buffer_ptr`] reads with one instruction.
//!
//! Layout (words): 0 = IPC buffer pointer (null: the thread has none),
//! 1 = nonzero while [`crate::with_ipc_buffer`] lends the buffer out, 2 = the
//! thread's own TCB cptr (0 if unknown), 3.. = free for the program.

use core::cell::UnsafeCell;
use sel4_abi::IpcBuffer;

/// Words in a [`TlsBlock`].
pub const TLS_WORDS: usize = 8;

/// Word indices inside a [`TlsBlock`].
pub mod word {
    /// The thread's IPC buffer pointer.
    pub const IPC_BUFFER: usize = 0;
    /// The `with_ipc_buffer` borrow flag.
    pub const BORROWED: usize = 1;
    /// The thread's own TCB cptr, for code that needs to name itself.
    pub const TCB: usize = 2;
    /// First word left to the program.
    pub const USER: usize = 3;
}

/// One thread's TLS block. It lives in memory of the address space (a
/// static, typically) and belongs to the thread whose FS base points to it.
#[repr(C, align(64))]
pub struct TlsBlock {
    words: UnsafeCell<[u64; TLS_WORDS]>,
}

// SAFETY: a block is written by its creator only before the owning thread
// starts (`init`, whose contract says so) and afterwards only by the owning
// thread through its FS base; no two threads use it at the same time.
unsafe impl Sync for TlsBlock {}

impl TlsBlock {
    /// An empty block (no IPC buffer).
    pub const fn new() -> TlsBlock {
        TlsBlock { words: UnsafeCell::new([0; TLS_WORDS]) }
    }

    /// The value to load into the owning thread's FS base.
    pub fn base(&self) -> u64 {
        self.words.get() as u64
    }

    /// Fills the block for a thread that is about to start with it.
    ///
    /// # Safety
    /// No running thread may be using this block (as its FS base) now.
    pub unsafe fn init(&self, ipc_buffer: *mut IpcBuffer, tcb: u64) {
        let w = self.words.get();
        // SAFETY: nobody else uses the block (the caller's contract), and the
        // pointer comes from our own UnsafeCell.
        unsafe {
            *w = [0; TLS_WORDS];
            (*w)[word::IPC_BUFFER] = ipc_buffer as u64;
            (*w)[word::TCB] = tcb;
        }
    }
}

impl Default for TlsBlock {
    fn default() -> Self {
        Self::new()
    }
}
