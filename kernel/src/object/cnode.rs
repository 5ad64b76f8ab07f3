//! CNodes: arrays of 32-byte slots (a two-word capability and its
//! derivation-tree links), and capability lookup in a thread's CSpace.

use crate::kmem;
use kernel_core::cap::{Cap, Cte, RawCap};
use kernel_core::cspace::{self, LookupFailure, ResolvedSlot, SlotReader};

/// Reads CNode slots straight from physical memory.
pub struct PhysSlots;

impl SlotReader for PhysSlots {
    fn read_slot(&self, cnode_ptr: u64, index: u64) -> RawCap {
        slot(cnode_ptr, index).cap
    }
}

/// The slot at `index` of the CNode at physical `cnode`.
pub fn slot(cnode: u64, index: u64) -> &'static mut Cte {
    slot_at(cnode + index * 32)
}

/// The slot at physical address `paddr`.
pub fn slot_at(paddr: u64) -> &'static mut Cte {
    // SAFETY: slot addresses come from capabilities to CNode/TCB objects,
    // which cover whole, 32-byte aligned slot arrays of live objects.
    unsafe { kmem::object_mut::<Cte>(paddr) }
}

/// Writes a capability into an empty slot (boot and retype use this; the
/// derivation links are set by the caller when the cap has a parent).
pub fn install(paddr: u64, cap: Cap) {
    let s = slot_at(paddr);
    s.cap = cap.encode();
    s.mdb = Default::default();
}

/// Looks up `cptr` at full depth in the CSpace whose root is `root`.
pub fn lookup_cap(root: RawCap, cptr: u64) -> Result<(Cap, u64), LookupFailure> {
    let (raw, slot) = cspace::lookup_cap(&PhysSlots, root, cptr)?;
    Ok((Cap::decode(raw).unwrap_or(Cap::Null), slot_paddr(&slot)))
}

pub fn slot_paddr(s: &ResolvedSlot) -> u64 {
    s.cnode_ptr + s.index * 32
}
