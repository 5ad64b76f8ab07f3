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
/// reply cap in `master` (cteInsert, specialised: reply caps are never
/// revocable and are not untyped).
#[inline(always)]
pub fn insert_reply(cap: RawCap, master: u64, dest: u64) {
    let next = slot_at(master).mdb.next();
    let d = slot_at(dest);
    d.cap = cap;
    d.mdb = MdbNode::EMPTY;
    d.mdb.set_prev(master);
    d.mdb.set_next(next);
    slot_at(master).mdb.set_next(dest);
    if next != 0 {
        slot_at(next).mdb.set_prev(dest);
    }
}

/// Empties a slot holding a non-master reply cap (emptySlot, specialised:
/// such a cap is neither revocable nor first-badged, so nothing passes on).
#[inline(always)]
pub fn remove_reply(paddr: u64) {
    let s = slot_at(paddr);
    let mdb = s.mdb;
    if mdb.prev() != 0 {
        slot_at(mdb.prev()).mdb.set_next(mdb.next());
    }
    if mdb.next() != 0 {
        slot_at(mdb.next()).mdb.set_prev(mdb.prev());
    }
    s.cap = RawCap::NULL;
    s.mdb = MdbNode::EMPTY;
}

pub fn slot_paddr(s: &ResolvedSlot) -> u64 {
    s.cnode_ptr + s.index * 32
}

// ---- The capability derivation tree (seL4's MDB: a doubly linked list of
// slots in depth-first order; a slot's children follow it).

fn decode(raw: RawCap) -> Cap {
    Cap::decode_trusted(raw)
}

/// The capability in the slot at `paddr`.
pub fn cap_at(paddr: u64) -> Cap {
    decode(slot_at(paddr).cap)
}

fn set_cap(paddr: u64, cap: Cap) {
    slot_at(paddr).cap = cap.encode();
}

/// seL4 cteInsert: `new` (derived from the cap in `src`) goes into the empty
/// slot `dest`, right after `src` in MDB order.
pub fn cte_insert(new: Cap, src: u64, dest: u64) {
    let src_cap = cap_at(src);
    let revocable = kernel_core::cap::is_cap_revocable(&new, &src_cap);
    set_cap(src, kernel_core::cap::set_untyped_cap_as_full(&src_cap, &new));
    let next = slot_at(src).mdb.next();
    let d = slot_at(dest);
    d.cap = new.encode();
    d.mdb = MdbNode::EMPTY;
    d.mdb.set_prev(src);
    d.mdb.set_next(next);
    d.mdb.set_revocable(revocable);
    d.mdb.set_first_badged(revocable);
    slot_at(src).mdb.set_next(dest);
    if next != 0 {
        slot_at(next).mdb.set_prev(dest);
    }
}

/// seL4 cteMove: the cap in `src` moves (as `new`) to the empty `dest`,
/// keeping its place in the derivation tree.
pub fn cte_move(new: Cap, src: u64, dest: u64) {
    let mdb = slot_at(src).mdb;
    let d = slot_at(dest);
    d.cap = new.encode();
    d.mdb = mdb;
    let s = slot_at(src);
    s.cap = RawCap::NULL;
    s.mdb = MdbNode::EMPTY;
    if mdb.prev() != 0 {
        slot_at(mdb.prev()).mdb.set_next(dest);
    }
    if mdb.next() != 0 {
        slot_at(mdb.next()).mdb.set_prev(dest);
    }
}

/// seL4 cteSwap: exchanges two caps (`c1` goes into `s2`, `c2` into `s1`)
/// and their places in the derivation tree. The order of the steps makes
/// adjacent slots come out right: the second slot's node is read after the
/// first round of re-pointing.
pub fn cte_swap(c1: Cap, s1: u64, c2: Cap, s2: u64) {
    slot_at(s1).cap = c2.encode();
    slot_at(s2).cap = c1.encode();
    let m1 = slot_at(s1).mdb;
    if m1.prev() != 0 {
        slot_at(m1.prev()).mdb.set_next(s2);
    }
    if m1.next() != 0 {
        slot_at(m1.next()).mdb.set_prev(s2);
    }
    let m2 = slot_at(s2).mdb;
    slot_at(s1).mdb = m2;
    slot_at(s2).mdb = m1;
    if m2.prev() != 0 {
        slot_at(m2.prev()).mdb.set_next(s1);
    }
    if m2.next() != 0 {
        slot_at(m2.next()).mdb.set_prev(s1);
    }
}

#[inline(always)]
/// Unlinks a slot from the derivation tree and empties it (seL4
/// emptySlot, without finalisation). A child inherits the revocable
/// "first badged" position of the removed slot as seL4 does.
pub fn empty_slot(paddr: u64) {
    let s = slot_at(paddr);
    if s.cap == RawCap::NULL {
        return;
    }
    let mdb = s.mdb;
    if mdb.prev() != 0 {
        slot_at(mdb.prev()).mdb.set_next(mdb.next());
    }
    if mdb.next() != 0 {
        let n = slot_at(mdb.next());
        n.mdb.set_prev(mdb.prev());
        let fb = n.mdb.first_badged() || mdb.first_badged();
        n.mdb.set_first_badged(fb);
    }
    s.cap = RawCap::NULL;
    s.mdb = MdbNode::EMPTY;
}

/// Whether the cap in `paddr` is the last one to its object.
pub fn is_final(paddr: u64) -> bool {
    let cap = cap_at(paddr);
    let m = slot_at(paddr).mdb;
    let prev = (m.prev() != 0).then(|| cap_at(m.prev()));
    let next = (m.next() != 0).then(|| cap_at(m.next()));
    kernel_core::cap::is_final_capability(&cap, prev.as_ref(), next.as_ref())
}

/// seL4 ensureNoChildren.
pub fn has_children(paddr: u64) -> bool {
    let m = slot_at(paddr).mdb;
    if m.next() == 0 {
        return false;
    }
    let n = slot_at(m.next());
    kernel_core::cap::is_mdb_parent_of(&cap_at(paddr), &m, &decode(n.cap), &n.mdb)
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

/// seL4 cteRevoke: deletes every descendant of the cap in `paddr`.
pub fn cte_revoke(paddr: u64) {
    while has_children(paddr) {
        let child = slot_at(paddr).mdb.next();
        cte_delete(child);
    }
}
