//! The root task's view of its BootInfo: the extra BootInfo the kernel maps
//! right after the BootInfo frame.

use sel4_abi::{BootInfo, BOOTINFO_FRAME_SIZE};

/// The extra BootInfo bytes (`extra_len` of them, after the BootInfo frame),
/// to walk with `sel4_abi::extra_chunks`.
pub fn extra_bootinfo(bi: &BootInfo) -> &[u8] {
    let base = bi as *const BootInfo as usize + BOOTINFO_FRAME_SIZE as usize;
    // SAFETY: `bi` is the BootInfo frame the kernel mapped, and it maps
    // `extra_len` bytes right after it, for as long as the frame (seL4's
    // layout); the slice lives no longer than the reference to `bi`.
    unsafe { core::slice::from_raw_parts(base as *const u8, bi.extra_len as usize) }
}
