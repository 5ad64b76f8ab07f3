//! The calling thread's IPC buffer, found through its TLS block (`fs:[0]`),
//! and small accessors for its fields.
//!
//! Access goes through [`with_ipc_buffer`], which lends a `&mut IpcBuffer`
//! for the duration of a closure and refuses to nest (a flag in the TLS
//! block), so there is never more than one live reference to the buffer. The
//! system-call wrappers check the same flag: the kernel writes the buffer
//! during a call, which must not happen while a reference is lent out.

use crate::arch;
use crate::tls::word;
use crate::CPtr;
use sel4_abi::{IpcBuffer, MSG_MAX_EXTRA_CAPS, MSG_MAX_LENGTH};

/// This thread's IPC buffer pointer, read from its TLS block with one `mov`
/// (null when the thread has no buffer).
#[inline(always)]
pub fn ipc_buffer_ptr() -> *mut IpcBuffer {
    arch::tls_ipc_buffer()
}

/// Records a new IPC buffer address for this thread (after a
/// `TCB_SetIPCBuffer` on itself, say).
///
/// # Safety
/// `buf` must be null or point to this thread's mapped, writable IPC buffer
/// for as long as it stays recorded, and the thread's FS base must point to
/// its own [`crate::TlsBlock`].
pub unsafe fn set_ipc_buffer(buf: *mut IpcBuffer) {
    assert_not_lent();
    // SAFETY: the caller's contract.
    unsafe { arch::tls_write(word::IPC_BUFFER, buf as u64) };
}

/// Panics if `with_ipc_buffer` has lent the buffer out: a system call now
/// could have the kernel write memory behind a live `&mut`.
#[inline(always)]
pub(crate) fn assert_not_lent() {
    assert!(arch::tls_read(word::BORROWED) == 0, "IPC buffer used inside with_ipc_buffer");
}

/// Runs `f` with this thread's IPC buffer. Panics if the thread has no
/// buffer, or when nested (including a system call made from inside `f`).
pub fn with_ipc_buffer<R>(f: impl FnOnce(&mut IpcBuffer) -> R) -> R {
    let p = ipc_buffer_ptr();
    assert!(!p.is_null(), "this thread has no IPC buffer");
    assert_not_lent();
    // SAFETY: the block is this thread's own (FS base) and the flag word
    // belongs to it alone.
    unsafe { arch::tls_write(word::BORROWED, 1) };
    // SAFETY: p is this thread's mapped buffer (set_ipc_buffer's contract, or
    // the runtime's); the borrow flag guarantees no other reference exists
    // and that no system call runs (which could write it) while `f` holds it.
    let r = f(unsafe { &mut *p });
    // SAFETY: as above.
    unsafe { arch::tls_write(word::BORROWED, 0) };
    r
}

/// This thread's own TCB cptr as recorded in its TLS block (0 if unknown).
pub fn current_tcb() -> CPtr {
    arch::tls_read(word::TCB)
}

/// Records this thread's own TCB cptr in its TLS block.
pub fn set_current_tcb(tcb: CPtr) {
    // SAFETY: every thread using this library has its FS base on its own
    // TlsBlock (see `ipc_buffer_ptr`).
    unsafe { arch::tls_write(word::TCB, tcb) };
}

/// Corresponds to `seL4_SetMR`: message register `i` in the buffer. MR0..3
/// are moved to and from registers by [`crate::send`] and friends.
pub fn set_mr(i: usize, v: u64) {
    with_ipc_buffer(|b| b.msg[i] = v);
}

/// Corresponds to `seL4_GetMR`.
pub fn get_mr(i: usize) -> u64 {
    with_ipc_buffer(|b| b.msg[i])
}

/// Writes `values` to MR0.. (at most 120).
pub fn set_mrs(values: &[u64]) {
    let n = values.len().min(MSG_MAX_LENGTH);
    with_ipc_buffer(|b| b.msg[..n].copy_from_slice(&values[..n]));
}

/// Corresponds to `seL4_SetCap`: the cptr of extra cap `i` to send.
pub fn set_cap(i: usize, cptr: CPtr) {
    assert!(i < MSG_MAX_EXTRA_CAPS);
    with_ipc_buffer(|b| b.caps_or_badges[i] = cptr);
}

/// Corresponds to `seL4_GetBadge`: the badge of unwrapped received cap `i`.
pub fn get_badge(i: usize) -> u64 {
    with_ipc_buffer(|b| b.caps_or_badges[i])
}

/// Corresponds to `seL4_SetCapReceivePath`: where a received cap goes
/// (`root` is looked up at depth 64 in this thread's CSpace, then `index` at
/// `depth` inside it).
pub fn set_cap_receive_path(root: CPtr, index: CPtr, depth: u64) {
    with_ipc_buffer(|b| {
        b.receive_cnode = root;
        b.receive_index = index;
        b.receive_depth = depth;
    });
}

/// Corresponds to `seL4_GetUserData`.
pub fn get_user_data() -> u64 {
    with_ipc_buffer(|b| b.user_data)
}

/// Corresponds to `seL4_SetUserData`.
pub fn set_user_data(v: u64) {
    with_ipc_buffer(|b| b.user_data = v);
}
