//! The IPC buffer, `seL4_IPCBuffer`: one 1024-byte, 1024-aligned block per
//! thread that carries message registers beyond the four fast ones, extra cap
//! pointers / unwrapped badges and the receive-slot description.
//!
//! Layout from libsel4/include/sel4/shared_types.h (struct seL4_IPCBuffer_),
//! with seL4_MsgMaxLength = 120 and seL4_MsgMaxExtraCaps = 3 from
//! libsel4/include/sel4/constants.h.
//!
//! The kernel never uses the user mapping: it reaches the buffer through the
//! frame cap stored in the TCB and reads it as words, so [`word`] gives the
//! word index of each field as well.

use crate::consts::{IPC_BUFFER_SIZE_BITS, MSG_MAX_EXTRA_CAPS, MSG_MAX_LENGTH};

/// Size of the IPC buffer in bytes (2^`seL4_IPCBufferSizeBits`).
pub const IPC_BUFFER_SIZE: usize = 1 << IPC_BUFFER_SIZE_BITS;
/// Required alignment of a thread's IPC buffer address. libsel4 declares the
/// type aligned to its own size and the kernel rejects an unaligned buffer
/// with AlignmentError (src/arch/x86/kernel/vspace.c, `checkValidIPCBuffer`).
/// [`IpcBuffer`] itself keeps natural (8-byte) alignment so it can overlay any
/// word-aligned memory; whoever places a buffer must honour this value.
pub const IPC_BUFFER_ALIGN: usize = IPC_BUFFER_SIZE;
/// Number of words in the buffer.
pub const IPC_BUFFER_WORDS: usize = IPC_BUFFER_SIZE / 8;

/// Word index of each field inside the buffer (byte offset / 8).
pub mod word {
    use super::{MSG_MAX_EXTRA_CAPS, MSG_MAX_LENGTH};

    /// `tag`. The kernel ignores it: the tag travels in RSI.
    pub const TAG: usize = 0;
    /// `msg[0]`; MR i is at word `MSG + i`. Words for MR0..MR3 are only used
    /// by libsel4's wrappers; the kernel moves those in registers.
    pub const MSG: usize = 1;
    /// `userData`, never touched by the kernel.
    pub const USER_DATA: usize = MSG + MSG_MAX_LENGTH;
    /// `caps_or_badges[0]`.
    pub const CAPS_OR_BADGES: usize = USER_DATA + 1;
    /// `receiveCNode`.
    pub const RECEIVE_CNODE: usize = CAPS_OR_BADGES + MSG_MAX_EXTRA_CAPS;
    /// `receiveIndex`.
    pub const RECEIVE_INDEX: usize = RECEIVE_CNODE + 1;
    /// `receiveDepth`.
    pub const RECEIVE_DEPTH: usize = RECEIVE_INDEX + 1;
}

// Layout facts both sides rely on (reference doc §3), checked for every target.
const _: () = assert!(core::mem::size_of::<IpcBuffer>() == IPC_BUFFER_SIZE);
const _: () = assert!(core::mem::offset_of!(IpcBuffer, user_data) == word::USER_DATA * 8);
const _: () = assert!(core::mem::offset_of!(IpcBuffer, receive_cnode) == word::RECEIVE_CNODE * 8);
const _: () = assert!(core::mem::offset_of!(IpcBuffer, receive_depth) == 1016);

/// `seL4_IPCBuffer` (x86_64): 1024 bytes. See [`IPC_BUFFER_ALIGN`] for why
/// this type is not itself over-aligned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct IpcBuffer {
    /// Message tag slot (unused by the kernel).
    pub tag: u64,
    /// Message registers; `msg[i]` is MR i.
    pub msg: [u64; MSG_MAX_LENGTH],
    /// Free for user use.
    pub user_data: u64,
    /// Sending: cptrs of the extra caps. Receiving: badges of unwrapped caps.
    pub caps_or_badges: [u64; MSG_MAX_EXTRA_CAPS],
    /// Cptr (looked up at depth 64) of the CNode that receives a cap.
    pub receive_cnode: u64,
    /// Index in `receive_cnode` of the receive slot.
    pub receive_index: u64,
    /// Depth used to resolve `receive_index`.
    pub receive_depth: u64,
}

impl IpcBuffer {
    /// An all-zero buffer.
    pub const fn zeroed() -> Self {
        IpcBuffer {
            tag: 0,
            msg: [0; MSG_MAX_LENGTH],
            user_data: 0,
            caps_or_badges: [0; MSG_MAX_EXTRA_CAPS],
            receive_cnode: 0,
            receive_index: 0,
            receive_depth: 0,
        }
    }

    /// The buffer as its 128 words, in memory order.
    pub fn to_words(&self) -> [u64; IPC_BUFFER_WORDS] {
        let mut w = [0u64; IPC_BUFFER_WORDS];
        w[word::TAG] = self.tag;
        w[word::MSG..word::USER_DATA].copy_from_slice(&self.msg);
        w[word::USER_DATA] = self.user_data;
        w[word::CAPS_OR_BADGES..word::RECEIVE_CNODE].copy_from_slice(&self.caps_or_badges);
        w[word::RECEIVE_CNODE] = self.receive_cnode;
        w[word::RECEIVE_INDEX] = self.receive_index;
        w[word::RECEIVE_DEPTH] = self.receive_depth;
        w
    }

    /// Rebuilds a buffer from its 128 words (inverse of [`Self::to_words`]).
    pub fn from_words(w: &[u64; IPC_BUFFER_WORDS]) -> Self {
        let mut b = Self::zeroed();
        b.tag = w[word::TAG];
        b.msg.copy_from_slice(&w[word::MSG..word::USER_DATA]);
        b.user_data = w[word::USER_DATA];
        b.caps_or_badges
            .copy_from_slice(&w[word::CAPS_OR_BADGES..word::RECEIVE_CNODE]);
        b.receive_cnode = w[word::RECEIVE_CNODE];
        b.receive_index = w[word::RECEIVE_INDEX];
        b.receive_depth = w[word::RECEIVE_DEPTH];
        b
    }
}

impl Default for IpcBuffer {
    fn default() -> Self {
        Self::zeroed()
    }
}
