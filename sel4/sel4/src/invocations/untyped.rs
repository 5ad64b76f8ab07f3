//! Untyped capabilities: `seL4_Untyped_Retype`.

use super::invoke;
use crate::{CNode, CPtr, Error};
use sel4_abi::invocation::untyped_retype as a;

/// A capability to untyped memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Untyped(pub CPtr);

impl Untyped {
    /// Corresponds to `seL4_Untyped_Retype`: creates `num_objects` objects
    /// of `object_type` (an [`sel4_abi::ObjectType`] or a raw number) and puts
    /// their caps in slots `node_offset..` of the CNode found at
    /// `node_index`/`node_depth` in `root` (`node_depth` 0: `root` itself).
    /// `size_bits` is log2 bytes for untypeds and log2 slots for CNodes.
    #[allow(clippy::too_many_arguments)]
    pub fn retype(
        &self,
        object_type: impl Into<u64>,
        size_bits: u64,
        root: CNode,
        node_index: u64,
        node_depth: u64,
        node_offset: u64,
        num_objects: u64,
    ) -> Result<(), Error> {
        let mut mr = [0u64; a::LENGTH];
        mr[a::TYPE] = object_type.into();
        mr[a::SIZE_BITS] = size_bits;
        mr[a::NODE_INDEX] = node_index;
        mr[a::NODE_DEPTH] = node_depth;
        mr[a::NODE_OFFSET] = node_offset;
        mr[a::NUM_OBJECTS] = num_objects;
        let mut caps = [0; a::EXTRA_CAPS];
        caps[a::CAP_ROOT] = root.0;
        invoke(self.0, a::LABEL, &mr, &caps).map(|_| ())
    }
}
