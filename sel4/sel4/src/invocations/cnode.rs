//! CNode capabilities: the `seL4_CNode_*` invocations. The invoked CNode is
//! the root in which the destination (or target) `index` is resolved to
//! `depth` bits; depths are `seL4_Uint8` arguments, packed in the low byte
//! of their MR like the stubs do.

use super::invoke;
use crate::{CPtr, Error};
use sel4_abi::invocation as inv;
use sel4_abi::CapRights;

/// A CNode capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CNode(pub CPtr);

impl CNode {
    /// The three one-slot invocations share one layout.
    fn slot_op(&self, label: inv::InvocationLabel, index: u64, depth: u8) -> Result<(), Error> {
        use inv::cnode_revoke as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::INDEX] = index;
        mr[a::DEPTH] = depth as u64;
        invoke(self.0, label, &mr, &[]).map(|_| ())
    }

    /// Corresponds to `seL4_CNode_Revoke`: deletes every capability derived
    /// from the one at `index`.
    pub fn revoke(&self, index: u64, depth: u8) -> Result<(), Error> {
        self.slot_op(inv::cnode_revoke::LABEL, index, depth)
    }

    /// Corresponds to `seL4_CNode_Delete`.
    pub fn delete(&self, index: u64, depth: u8) -> Result<(), Error> {
        self.slot_op(inv::cnode_delete::LABEL, index, depth)
    }

    /// Corresponds to `seL4_CNode_CancelBadgedSends`: restarts every thread
    /// blocked sending with the badge of the endpoint cap at `index` (which
    /// must carry all rights).
    pub fn cancel_badged_sends(&self, index: u64, depth: u8) -> Result<(), Error> {
        self.slot_op(inv::cnode_cancel_badged_sends::LABEL, index, depth)
    }

    /// Corresponds to `seL4_CNode_SaveCaller` (non-MCS): moves this thread's
    /// pending reply cap into the slot.
    pub fn save_caller(&self, index: u64, depth: u8) -> Result<(), Error> {
        self.slot_op(inv::cnode_save_caller::LABEL, index, depth)
    }

    /// Corresponds to `seL4_CNode_Copy`: `rights` are ANDed into the copy.
    #[allow(clippy::too_many_arguments)]
    pub fn copy(
        &self,
        dest_index: u64,
        dest_depth: u8,
        src_root: CNode,
        src_index: u64,
        src_depth: u8,
        rights: CapRights,
    ) -> Result<(), Error> {
        use inv::cnode_copy as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::DEST_INDEX] = dest_index;
        mr[a::DEST_DEPTH] = dest_depth as u64;
        mr[a::SRC_INDEX] = src_index;
        mr[a::SRC_DEPTH] = src_depth as u64;
        mr[a::RIGHTS] = rights.word();
        let mut caps = [0; a::EXTRA_CAPS];
        caps[a::CAP_SRC_ROOT] = src_root.0;
        invoke(self.0, a::LABEL, &mr, &caps).map(|_| ())
    }

    /// Corresponds to `seL4_CNode_Mint`: a copy with masked rights and a
    /// badge (endpoint, notification) or guard data (CNode, see
    /// [`sel4_abi::lookup::cnode_cap_data`]).
    #[allow(clippy::too_many_arguments)]
    pub fn mint(
        &self,
        dest_index: u64,
        dest_depth: u8,
        src_root: CNode,
        src_index: u64,
        src_depth: u8,
        rights: CapRights,
        badge: u64,
    ) -> Result<(), Error> {
        use inv::cnode_mint as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::DEST_INDEX] = dest_index;
        mr[a::DEST_DEPTH] = dest_depth as u64;
        mr[a::SRC_INDEX] = src_index;
        mr[a::SRC_DEPTH] = src_depth as u64;
        mr[a::RIGHTS] = rights.word();
        mr[a::BADGE] = badge;
        let mut caps = [0; a::EXTRA_CAPS];
        caps[a::CAP_SRC_ROOT] = src_root.0;
        invoke(self.0, a::LABEL, &mr, &caps).map(|_| ())
    }

    /// Corresponds to `seL4_CNode_Move` (`move` is a Rust keyword).
    pub fn move_(
        &self,
        dest_index: u64,
        dest_depth: u8,
        src_root: CNode,
        src_index: u64,
        src_depth: u8,
    ) -> Result<(), Error> {
        use inv::cnode_move as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::DEST_INDEX] = dest_index;
        mr[a::DEST_DEPTH] = dest_depth as u64;
        mr[a::SRC_INDEX] = src_index;
        mr[a::SRC_DEPTH] = src_depth as u64;
        let mut caps = [0; a::EXTRA_CAPS];
        caps[a::CAP_SRC_ROOT] = src_root.0;
        invoke(self.0, a::LABEL, &mr, &caps).map(|_| ())
    }

    /// Corresponds to `seL4_CNode_Mutate`: a move that applies new cap data.
    #[allow(clippy::too_many_arguments)]
    pub fn mutate(
        &self,
        dest_index: u64,
        dest_depth: u8,
        src_root: CNode,
        src_index: u64,
        src_depth: u8,
        badge: u64,
    ) -> Result<(), Error> {
        use inv::cnode_mutate as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::DEST_INDEX] = dest_index;
        mr[a::DEST_DEPTH] = dest_depth as u64;
        mr[a::SRC_INDEX] = src_index;
        mr[a::SRC_DEPTH] = src_depth as u64;
        mr[a::BADGE] = badge;
        let mut caps = [0; a::EXTRA_CAPS];
        caps[a::CAP_SRC_ROOT] = src_root.0;
        invoke(self.0, a::LABEL, &mr, &caps).map(|_| ())
    }

    /// Corresponds to `seL4_CNode_Rotate`: the pivot's cap moves to the
    /// destination (with `dest_badge`) and the source's to the pivot (with
    /// `pivot_badge`). Source and destination may be the same slot (a swap).
    #[allow(clippy::too_many_arguments)]
    pub fn rotate(
        &self,
        dest_index: u64,
        dest_depth: u8,
        dest_badge: u64,
        pivot_root: CNode,
        pivot_index: u64,
        pivot_depth: u8,
        pivot_badge: u64,
        src_root: CNode,
        src_index: u64,
        src_depth: u8,
    ) -> Result<(), Error> {
        use inv::cnode_rotate as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::DEST_INDEX] = dest_index;
        mr[a::DEST_DEPTH] = dest_depth as u64;
        mr[a::DEST_BADGE] = dest_badge;
        mr[a::PIVOT_INDEX] = pivot_index;
        mr[a::PIVOT_DEPTH] = pivot_depth as u64;
        mr[a::PIVOT_BADGE] = pivot_badge;
        mr[a::SRC_INDEX] = src_index;
        mr[a::SRC_DEPTH] = src_depth as u64;
        let mut caps = [0; a::EXTRA_CAPS];
        caps[a::CAP_PIVOT_ROOT] = pivot_root.0;
        caps[a::CAP_SRC_ROOT] = src_root.0;
        invoke(self.0, a::LABEL, &mr, &caps).map(|_| ())
    }
}
