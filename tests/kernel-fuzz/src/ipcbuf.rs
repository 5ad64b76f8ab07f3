//! Every use of an IPC buffer, and of the `sel4` crate's per-thread state,
//! lives here so that it is easy to adapt when that crate changes.
//!
//! The root thread's buffer is the one BootInfo names. The watchdog and the
//! servers get 1 KiB buffers in the rest of the same page: the kernel
//! reaches a buffer through the frame cap plus the address modulo the frame
//! size, so one 4 KiB frame holds four buffers. The agents get theirs in a
//! page of this image ([`AGENT_PAGE`]), whose frame cap is one of BootInfo's
//! image frames. Each helper also gets a TLS block, because the `sel4` crate
//! finds a thread's buffer through its FS base.

use core::cell::UnsafeCell;
use sel4::abi::{IpcBuffer, IPC_BUFFER_SIZE};
use sel4::TlsBlock;

/// Helper threads (each with a buffer and a TLS block): watchdog, two
/// servers, two agents, and the probe thread of the regression cases.
pub const HELPERS: usize = 6;
/// The first agent's helper number.
pub const FIRST_AGENT: usize = 3;
/// The regression cases' probe thread.
pub const PROBE: usize = 5;

static TLS: [TlsBlock; HELPERS] = [const { TlsBlock::new() }; HELPERS];

#[repr(C, align(4096))]
struct Page(UnsafeCell<[u8; 4096]>);

// SAFETY: the page is only ever touched by the kernel and, through raw
// pointers in `Buf`, by the helper thread that owns each 1 KiB of it.
unsafe impl Sync for Page {}

/// The agents' IPC buffers: a page of the image, so mapped and backed by a
/// BootInfo frame cap.
static AGENT_PAGE: Page = Page(UnsafeCell::new([0; 4096]));

/// The address of the agents' buffer page.
pub fn agent_page() -> u64 {
    AGENT_PAGE.0.get() as u64
}

/// The address of helper `k`'s IPC buffer.
pub fn helper_buffer(root_buffer: u64, k: usize) -> u64 {
    let size = IPC_BUFFER_SIZE as u64;
    if k < FIRST_AGENT {
        root_buffer + (k as u64 + 1) * size
    } else {
        agent_page() + (k - FIRST_AGENT) as u64 * size
    }
}

/// Prepares helper `k`'s TLS block; call before the thread (re)starts.
pub fn init_helper(k: usize, buffer: u64, tcb: u64) {
    // SAFETY: helper k is not running (not started yet, or suspended), so no
    // thread uses its block, and `buffer` is a 1 KiB slot of a mapped,
    // writable page that belongs to helper k alone.
    unsafe { TLS[k].init(buffer as *mut IpcBuffer, tcb) };
}

/// The first thing helper `k` does: point its FS base at its TLS block.
pub fn enter_helper(k: usize) {
    sel4::set_tls_base(TLS[k].base());
}

/// An IPC buffer: the calling thread's, or (only for `set_helper_receive`)
/// a helper's. Accessed only with volatile reads and writes through a raw
/// pointer: the kernel writes it during system calls, and no Rust reference
/// to it is ever formed.
#[derive(Clone, Copy)]
pub struct Buf(*mut IpcBuffer);

impl Buf {
    pub fn current() -> Buf {
        let p = sel4::ipc_buffer_ptr();
        assert!(!p.is_null(), "thread without an IPC buffer");
        Buf(p)
    }

    /// Message register `i` (4..120; MR0..3 travel in registers).
    pub fn set_mr(self, i: usize, v: u64) {
        // SAFETY: self.0 is a mapped, writable 1 KiB IPC buffer (from the
        // TLS block, or one of the buffers `helper_buffer` hands out); the
        // index is bounds-checked by the array type.
        unsafe { (&raw mut (*self.0).msg[i]).write_volatile(v) }
    }

    pub fn mr(self, i: usize) -> u64 {
        // SAFETY: as in set_mr.
        unsafe { (&raw const (*self.0).msg[i]).read_volatile() }
    }

    /// The cptr of extra cap `i` to send.
    pub fn set_cap(self, i: usize, cptr: u64) {
        // SAFETY: as in set_mr.
        unsafe { (&raw mut (*self.0).caps_or_badges[i]).write_volatile(cptr) }
    }

    /// Where a received cap goes (CNode cptr, index, depth).
    pub fn set_receive(self, cnode: u64, index: u64, depth: u64) {
        // SAFETY: as in set_mr.
        unsafe {
            (&raw mut (*self.0).receive_cnode).write_volatile(cnode);
            (&raw mut (*self.0).receive_index).write_volatile(index);
            (&raw mut (*self.0).receive_depth).write_volatile(depth);
        }
    }
}

/// Sets the receive path of helper `k`'s buffer from the root thread (the
/// helper itself never changes it; the kernel reads it when a cap arrives).
pub fn set_helper_receive(root_buffer: u64, k: usize, cnode: u64, index: u64, depth: u64) {
    Buf(helper_buffer(root_buffer, k) as *mut IpcBuffer).set_receive(cnode, index, depth);
}
