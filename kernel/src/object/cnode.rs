//! CNodes: arrays of 32-byte slots (a two-word capability and its
//! derivation-tree links), and capability lookup in a thread's CSpace.

use crate::kmem;
use kernel_core::cap::{Cap, Cte, MdbNode, RawCap};
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

/// Writes an original capability (no parent: boot caps, a TCB's master
/// reply cap) into an empty slot. Like seL4's write_slot it is revocable and
/// first-badged, so the caps derived from it count as its children.
pub fn install(paddr: u64, cap: Cap) {
    let s = slot_at(paddr);
    s.cap = cap.encode();
    s.mdb = MdbNode::EMPTY;
    s.mdb.set_revocable(true);
    s.mdb.set_first_badged(true);
}

/// Looks up `cptr` at full depth in the CSpace whose root is `root`.
pub fn lookup_cap(root: RawCap, cptr: u64) -> Result<(Cap, u64), LookupFailure> {
    let (raw, slot) = cspace::lookup_cap(&PhysSlots, root, cptr)?;
    Ok((Cap::decode_trusted(raw), slot_paddr(&slot)))
}

/// Like `lookup_cap`, without decoding the cap (the fastpath's lookup).
/// A root CNode that resolves all 64 bits in one level (the usual CSpace
/// of a process) takes a short cut; anything else walks the tree.
#[inline]
pub fn lookup_raw(root: RawCap, cptr: u64) -> Option<(RawCap, u64)> {
    if let Some((ptr, radix, guard_size, guard)) = root.as_cnode() {
        if radix + guard_size == 64 && radix < 64 && (guard_size == 0 || cptr >> radix == guard) {
            let slot = ptr + (cptr & ((1 << radix) - 1)) * 32;
            return Some((slot_at(slot).cap, slot));
        }
    }
    let (raw, slot) = cspace::lookup_cap(&PhysSlots, root, cptr).ok()?;
    Some((raw, slot_paddr(&slot)))
}

/// Puts a fresh reply cap into the empty `dest`, as the child of the master
/// reply cap in `master` (cteInsert, specialised for the IPC fastpath:
/// nothing is decoded, the result is the same).
#[inline(always)]
pub fn insert_reply(cap: RawCap, master: u64, dest: u64) {
    mdb::insert_reply(&mut PhysSlots, cap, master, dest);
}

/// Empties a slot holding a non-master reply cap (emptySlot, specialised
/// for the IPC fastpath, without finalisation: a reply cap has none).
#[inline(always)]
pub fn remove_reply(paddr: u64) {
    mdb::remove_reply(&mut PhysSlots, paddr);
}

pub fn slot_paddr(s: &ResolvedSlot) -> u64 {
    s.cnode_ptr + s.index * 32
}

// ---- The capability derivation tree (seL4's MDB: a doubly linked list of
// slots in depth-first order; a slot's children follow it). The list logic
// is `kernel_core::mdb`, tested on the host against a model; this part runs
// it on physical memory and adds what needs the rest of the kernel
// (finalising objects).

use kernel_core::mdb::{self, SlotStore};

/// The derivation tree's view of physical memory. The field accessors read
/// and write only the words an operation changes, so the generic code
/// compiles to what hand-written pointer updates would (the IPC fastpath
/// inserts and removes a reply cap on every round trip).
impl SlotStore for PhysSlots {
    #[inline(always)]
    fn get(&self, slot: u64) -> Cte {
        *slot_at(slot)
    }

    #[inline(always)]
    fn set(&mut self, slot: u64, cte: Cte) {
        *slot_at(slot) = cte;
    }

    #[inline(always)]
    fn cap(&self, slot: u64) -> RawCap {
        slot_at(slot).cap
    }

    #[inline(always)]
    fn set_cap(&mut self, slot: u64, cap: RawCap) {
        slot_at(slot).cap = cap;
    }

    #[inline(always)]
    fn mdb(&self, slot: u64) -> MdbNode {
        slot_at(slot).mdb
    }

    #[inline(always)]
    fn set_mdb(&mut self, slot: u64, mdb: MdbNode) {
        slot_at(slot).mdb = mdb;
    }
}

/// The capability in the slot at `paddr`.
pub fn cap_at(paddr: u64) -> Cap {
    Cap::decode_trusted(slot_at(paddr).cap)
}

/// seL4 cteInsert: `new` (derived from the cap in `src`) goes into the empty
/// slot `dest`, right after `src` in MDB order.
pub fn cte_insert(new: Cap, src: u64, dest: u64) {
    mdb::insert(&mut PhysSlots, new, src, dest);
}

/// seL4 cteMove: the cap in `src` moves (as `new`) to the empty `dest`,
/// keeping its place in the derivation tree.
pub fn cte_move(new: Cap, src: u64, dest: u64) {
    mdb::move_cap(&mut PhysSlots, new, src, dest);
}

/// seL4 cteSwap: exchanges two caps (`c1` goes into `s2`, `c2` into `s1`)
/// and their places in the derivation tree; adjacent slots included.
pub fn cte_swap(c1: Cap, s1: u64, c2: Cap, s2: u64) {
    mdb::swap(&mut PhysSlots, c1, s1, c2, s2);
}

/// Unlinks a slot from the derivation tree and empties it (seL4
/// emptySlot, without finalisation); an empty slot is left alone.
#[inline(always)]
pub fn empty_slot(paddr: u64) {
    mdb::empty(&mut PhysSlots, paddr);
}

/// Whether the cap in `paddr` is the last one to its object.
pub fn is_final(paddr: u64) -> bool {
    mdb::is_final(&PhysSlots, paddr)
}

/// seL4 ensureNoChildren.
pub fn has_children(paddr: u64) -> bool {
    mdb::has_children(&PhysSlots, paddr)
}

/// seL4 cteDelete: removes the cap in `paddr`, finalising its object when
/// it was the last cap to it.
pub fn cte_delete(paddr: u64) {
    let cap = cap_at(paddr);
    if cap.is_null() {
        return;
    }
    let last = is_final(paddr);
    empty_slot(paddr);
    // seL4 finalises arch caps on every delete: a frame cap's mapping
    // belongs to that cap, not to the frame (copies are unmapped).
    if last || matches!(cap, Cap::Frame { mapping: Some(_), .. }) {
        crate::object::finalise(cap, paddr);
    }
}

/// seL4 cteRevoke: deletes every descendant of the cap in `paddr`, always
/// the first child, until there is none.
pub fn cte_revoke(paddr: u64) {
    while let Some(child) = mdb::first_child(&PhysSlots, paddr) {
        cte_delete(child);
    }
}
