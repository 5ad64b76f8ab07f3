//! The capability derivation tree (seL4's "MDB"), generic over where slots
//! are stored.
//!
//! seL4 keeps the derivation tree as one doubly linked list of slots per
//! tree, in depth-first order: a cap's descendants follow it directly, and
//! the children of slot `a` are the maximal run of slots after `a` that
//! [`is_mdb_parent_of`] accepts. The links live in each slot's [`MdbNode`]
//! (previous and next slot addresses, 0 for none). The operations here are
//! the list half of `src/object/cnode.c` (cteInsert, cteMove, cteSwap,
//! emptySlot, isFinalCapability, ensureNoChildren) and `insertNewCap`; the
//! per-cap rules they consult are in [`crate::cap`]. Finalising objects is
//! the kernel's business: [`empty`] only unlinks and clears a slot.
//!
//! The kernel implements [`SlotStore`] over physical memory; the tests use a
//! map and check every operation against a separate model of the tree. The
//! kernel's IPC fastpath uses [`insert_reply`] and [`remove_reply`], so the
//! small helpers are `#[inline(always)]` and a store may override the
//! field accessors to touch only the words an operation changes.

use crate::cap::{
    is_cap_revocable, is_final_capability, is_mdb_parent_of, set_untyped_cap_as_full, Cap, Cte,
    MdbNode, RawCap,
};

/// Slot storage. A slot is named by its address: 32-byte aligned and never
/// 0, because a link of 0 means "no slot".
pub trait SlotStore {
    /// The slot at `slot`.
    fn get(&self, slot: u64) -> Cte;
    /// Overwrites the slot at `slot`.
    fn set(&mut self, slot: u64, cte: Cte);

    /// The cap in `slot`. Override when a whole-slot read is dearer.
    #[inline(always)]
    fn cap(&self, slot: u64) -> RawCap {
        self.get(slot).cap
    }
    /// Replaces the cap in `slot`, keeping its links.
    #[inline(always)]
    fn set_cap(&mut self, slot: u64, cap: RawCap) {
        let mut c = self.get(slot);
        c.cap = cap;
        self.set(slot, c);
    }
    /// The links of `slot`.
    #[inline(always)]
    fn mdb(&self, slot: u64) -> MdbNode {
        self.get(slot).mdb
    }
    /// Replaces the links of `slot`, keeping its cap.
    #[inline(always)]
    fn set_mdb(&mut self, slot: u64, mdb: MdbNode) {
        let mut c = self.get(slot);
        c.mdb = mdb;
        self.set(slot, c);
    }
}

#[inline(always)]
fn set_next<S: SlotStore>(s: &mut S, slot: u64, next: u64) {
    let mut m = s.mdb(slot);
    m.set_next(next);
    s.set_mdb(slot, m);
}

#[inline(always)]
fn set_prev<S: SlotStore>(s: &mut S, slot: u64, prev: u64) {
    let mut m = s.mdb(slot);
    m.set_prev(prev);
    s.set_mdb(slot, m);
}

#[inline(always)]
fn decode(raw: RawCap) -> Cap {
    Cap::decode_trusted(raw)
}

/// Whether `slot` is free to receive a cap: seL4 asserts an empty cap and
/// empty links before cteInsert and cteMove.
fn is_vacant<S: SlotStore>(s: &S, slot: u64) -> bool {
    let c = s.get(slot);
    c.cap.is_null() && c.mdb.prev() == 0 && c.mdb.next() == 0
}

/// Puts `cap` into the empty `dest` right after `src` in list order, with
/// the given flags. Shared by every kind of insertion so that the
/// specialised ones cannot drift from the general one.
#[inline(always)]
fn link_after<S: SlotStore>(s: &mut S, cap: RawCap, src: u64, dest: u64, revocable: bool, first_badged: bool) {
    let next = s.mdb(src).next();
    let mut node = MdbNode::EMPTY;
    node.set_prev(src);
    node.set_next(next);
    node.set_revocable(revocable);
    node.set_first_badged(first_badged);
    s.set(dest, Cte { cap, mdb: node });
    set_next(s, src, dest);
    if next != 0 {
        set_prev(s, next, dest);
    }
}

/// Takes the (occupied) `slot` out of its list and clears it. The next
/// slot inherits the "first badged" mark: it now starts where the removed
/// slot did, so an earlier badged cap with the same badge must still not
/// adopt it (seL4 emptySlot).
#[inline(always)]
fn unlink<S: SlotStore>(s: &mut S, slot: u64) {
    let m = s.mdb(slot);
    let (prev, next) = (m.prev(), m.next());
    if prev != 0 {
        set_next(s, prev, next);
    }
    if next != 0 {
        let mut n = s.mdb(next);
        n.set_prev(prev);
        // The flag is read again rather than kept from `m` (the same value:
        // `prev` is another slot): keeping `m` live across the update above
        // costs the fastpath, where `next` is 0, a register copy.
        if s.mdb(slot).first_badged() {
            n.set_first_badged(true);
        }
        s.set_mdb(next, n);
    }
    s.set(slot, Cte { cap: RawCap::NULL, mdb: MdbNode::EMPTY });
}

/// Writes an original cap (boot caps, a TCB's master reply cap) into an
/// empty slot: no links, revocable and first-badged, like seL4's boot-time
/// slot writes and setupReplyMaster, so that caps derived from it become
/// its children.
pub fn install<S: SlotStore>(s: &mut S, slot: u64, cap: Cap) {
    debug_assert!(is_vacant(s, slot), "install into an occupied slot {slot:#x}");
    let mut node = MdbNode::EMPTY;
    node.set_revocable(true);
    node.set_first_badged(true);
    s.set(slot, Cte { cap: cap.encode(), mdb: node });
}

/// seL4 cteInsert: `new` (derived from the cap in `src`) goes into the empty
/// `dest` right after `src`. It is revocable (and starts a badge run) when
/// [`is_cap_revocable`] says so; a whole-untyped copy marks the source
/// full so that the two caps cannot both hand out the same memory.
pub fn insert<S: SlotStore>(s: &mut S, new: Cap, src: u64, dest: u64) {
    debug_assert!(is_vacant(s, dest), "insert into an occupied slot {dest:#x}");
    let src_cap = decode(s.cap(src));
    let revocable = is_cap_revocable(&new, &src_cap);
    let full = set_untyped_cap_as_full(&src_cap, &new);
    if full != src_cap {
        s.set_cap(src, full.encode());
    }
    link_after(s, new.encode(), src, dest, revocable, revocable);
}

/// seL4 insertNewCap: a cap to an object just retyped from the untyped in
/// `parent` goes into the empty `dest` right after it. Unlike [`insert`],
/// the new cap is always original (revocable and first-badged), so copies
/// of it become its children, and the untyped is left as it is (retype has
/// already advanced its free index).
pub fn insert_new<S: SlotStore>(s: &mut S, cap: Cap, parent: u64, dest: u64) {
    debug_assert!(is_vacant(s, dest), "insert into an occupied slot {dest:#x}");
    link_after(s, cap.encode(), parent, dest, true, true);
}

/// seL4 cteMove: the cap in `src` moves, as `new` (the same cap, or a
/// mutated one), to the empty `dest`, keeping its place and flags in the
/// tree; `src` is left empty.
pub fn move_cap<S: SlotStore>(s: &mut S, new: Cap, src: u64, dest: u64) {
    debug_assert!(is_vacant(s, dest), "move into an occupied slot {dest:#x}");
    let m = s.mdb(src);
    s.set(dest, Cte { cap: new.encode(), mdb: m });
    s.set(src, Cte { cap: RawCap::NULL, mdb: MdbNode::EMPTY });
    if m.prev() != 0 {
        set_next(s, m.prev(), dest);
    }
    if m.next() != 0 {
        set_prev(s, m.next(), dest);
    }
}

/// seL4 cteSwap: `c1` (the cap from `s1`) goes into `s2` and `c2` into
/// `s1`, each keeping its place and flags in the tree.
///
/// The step order matters when the slots are neighbours: the first round
/// re-points `s1`'s neighbours (one of which is `s2` itself, so `s2` may
/// briefly point at itself), and only then is `s2`'s node read, so it
/// already reflects that change and the second round completes the swap.
pub fn swap<S: SlotStore>(s: &mut S, c1: Cap, s1: u64, c2: Cap, s2: u64) {
    s.set_cap(s1, c2.encode());
    s.set_cap(s2, c1.encode());
    let m1 = s.mdb(s1);
    if m1.prev() != 0 {
        set_next(s, m1.prev(), s2);
    }
    if m1.next() != 0 {
        set_prev(s, m1.next(), s2);
    }
    let m2 = s.mdb(s2);
    s.set_mdb(s1, m2);
    s.set_mdb(s2, m1);
    if m2.prev() != 0 {
        set_next(s, m2.prev(), s1);
    }
    if m2.next() != 0 {
        set_prev(s, m2.next(), s1);
    }
}

/// seL4 emptySlot without the post-deletion cleanup: unlinks the slot and
/// clears it. An empty slot is left alone. The removed cap's children stay
/// where they are and so become children of its parent.
#[inline(always)]
pub fn empty<S: SlotStore>(s: &mut S, slot: u64) {
    if !s.cap(slot).is_null() {
        unlink(s, slot);
    }
}

/// seL4 isMDBParentOf on two slots: whether `b` (which follows `a`) is a
/// child of `a`.
pub fn is_parent_of<S: SlotStore>(s: &S, a: u64, b: u64) -> bool {
    let (ca, cb) = (s.get(a), s.get(b));
    is_mdb_parent_of(&decode(ca.cap), &ca.mdb, &decode(cb.cap), &cb.mdb)
}

/// The first child of the cap in `slot`, if it has any: the next slot in
/// the list when that one is a child. Revoking is deleting this until it
/// is `None`.
pub fn first_child<S: SlotStore>(s: &S, slot: u64) -> Option<u64> {
    let next = s.mdb(slot).next();
    (next != 0 && is_parent_of(s, slot, next)).then_some(next)
}

/// Whether the cap in `slot` has children (the test of seL4
/// ensureNoChildren).
pub fn has_children<S: SlotStore>(s: &S, slot: u64) -> bool {
    first_child(s, slot).is_some()
}

/// seL4 isFinalCapability: whether the cap in `slot` is the last one to its
/// object. Caps to one object are always neighbours in the list (copies go
/// right after their source), so only the two neighbours need a look.
pub fn is_final<S: SlotStore>(s: &S, slot: u64) -> bool {
    let m = s.mdb(slot);
    let cap = decode(s.cap(slot));
    let prev = (m.prev() != 0).then(|| decode(s.cap(m.prev())));
    let next = (m.next() != 0).then(|| decode(s.cap(m.next())));
    is_final_capability(&cap, prev.as_ref(), next.as_ref())
}

/// [`insert`] for a fresh non-master reply cap `cap` derived from the master
/// reply cap in `master`, without decoding anything (the IPC fastpath).
/// The result is identical: a reply cap is never revocable and never an
/// untyped, so neither flag is set and the master is unchanged.
#[inline(always)]
pub fn insert_reply<S: SlotStore>(s: &mut S, cap: RawCap, master: u64, dest: u64) {
    debug_assert!(cap.as_reply().is_some() && is_vacant(s, dest));
    link_after(s, cap, master, dest, false, false);
}

/// [`empty`] for a slot known to hold a non-master reply cap (the IPC
/// fastpath): the same unlinking, without the emptiness check.
#[inline(always)]
pub fn remove_reply<S: SlotStore>(s: &mut S, slot: u64) {
    debug_assert!(s.cap(slot).as_reply().is_some());
    unlink(s, slot);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cap::{derive_cap, same_object_as, same_region_as, update_cap_data, FrameSize, Rights, VmRights};
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::vec::Vec;
    use std::vec;

    /// Slots in the test store: addresses 32, 64, ..., 32 * SLOTS.
    const SLOTS: usize = 20;

    fn addr(i: usize) -> u64 {
        (i as u64 + 1) * 32
    }

    fn index(a: u64) -> usize {
        (a / 32 - 1) as usize
    }

    /// A map-backed store that rejects any access outside its slots, so a
    /// forgotten "0 means none" check shows up as a panic.
    #[derive(Clone, Default, Debug)]
    struct MapStore(BTreeMap<u64, Cte>);

    fn check_addr(slot: u64) {
        assert!(slot != 0 && slot % 32 == 0 && slot <= addr(SLOTS - 1), "bad slot address {slot:#x}");
    }

    impl SlotStore for MapStore {
        fn get(&self, slot: u64) -> Cte {
            check_addr(slot);
            self.0.get(&slot).copied().unwrap_or_default()
        }
        fn set(&mut self, slot: u64, cte: Cte) {
            check_addr(slot);
            self.0.insert(slot, cte);
        }
    }

    impl MapStore {
        fn snapshot(&self) -> Vec<Cte> {
            (0..SLOTS).map(|i| self.get(addr(i))).collect()
        }

        /// The list containing `slot`, from its head (panics on a cycle).
        fn chain(&self, slot: u64) -> Vec<u64> {
            let mut head = slot;
            for _ in 0..SLOTS {
                if self.mdb(head).prev() == 0 {
                    break;
                }
                head = self.mdb(head).prev();
            }
            let mut out = vec![head];
            while self.mdb(*out.last().unwrap()).next() != 0 {
                assert!(out.len() <= SLOTS, "cycle in the list at {slot:#x}");
                out.push(self.mdb(*out.last().unwrap()).next());
            }
            out
        }
    }

    // ---- Caps used by the tests.

    fn untyped(paddr: u64, size_bits: u8) -> Cap {
        Cap::Untyped { paddr, size_bits, is_device: false, free_index: 0 }
    }

    fn endpoint(ptr: u64, badge: u64) -> Cap {
        Cap::Endpoint { ptr, badge, rights: Rights::ALL }
    }

    fn frame(paddr: u64) -> Cap {
        Cap::Frame { paddr, size: FrameSize::Small4K, rights: VmRights::ReadWrite, device: false, mapping: None }
    }

    fn cnode(ptr: u64, guard: u64) -> Cap {
        Cap::CNode { ptr, radix: 2, guard_size: 4, guard }
    }

    fn master(tcb: u64) -> Cap {
        Cap::Reply { tcb, master: true, can_grant: true }
    }

    fn cap_of(s: &MapStore, i: usize) -> Cap {
        Cap::decode(s.cap(addr(i))).expect("store holds an invalid cap")
    }

    fn run_of(s: &MapStore, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut n = s.mdb(addr(i)).next();
        while n != 0 && is_parent_of(s, addr(i), n) {
            out.push(index(n));
            assert!(out.len() < SLOTS, "cycle in the list after slot {i}");
            n = s.mdb(n).next();
        }
        out
    }

    fn order(s: &MapStore, i: usize) -> Vec<usize> {
        s.chain(addr(i)).into_iter().map(index).collect()
    }

    // ---- Unit tests.

    #[test]
    fn insert_goes_right_after_the_source() {
        let mut s = MapStore::default();
        install(&mut s, addr(0), endpoint(0x1000, 0));
        insert(&mut s, endpoint(0x1000, 0), addr(0), addr(1));
        insert(&mut s, endpoint(0x1000, 0), addr(0), addr(2));
        insert(&mut s, endpoint(0x1000, 0), addr(1), addr(3));
        assert_eq!(order(&s, 0), [0, 2, 1, 3]);
        // Unbadged copies are children of the original, but not revocable.
        assert_eq!(run_of(&s, 0), [2, 1, 3]);
        for i in 1..=3 {
            assert!(!s.mdb(addr(i)).revocable() && !s.mdb(addr(i)).first_badged());
        }
        assert!(!is_final(&s, addr(0)) && !is_final(&s, addr(3)));
    }

    #[test]
    fn badged_copies_and_revocability() {
        let mut s = MapStore::default();
        install(&mut s, addr(0), endpoint(0x1000, 0));
        // Mint badge 5: revocable, starts a badge run, a child of the original.
        insert(&mut s, endpoint(0x1000, 5), addr(0), addr(1));
        assert!(s.mdb(addr(1)).revocable() && s.mdb(addr(1)).first_badged());
        // A copy of the badged cap: not revocable, a child of the badged one.
        insert(&mut s, endpoint(0x1000, 5), addr(1), addr(2));
        assert!(!s.mdb(addr(2)).revocable() && !s.mdb(addr(2)).first_badged());
        assert_eq!(run_of(&s, 1), [2]);
        // A second mint with the same badge, after the original: it must not
        // adopt the first badge run.
        insert(&mut s, endpoint(0x1000, 5), addr(0), addr(3));
        assert_eq!(order(&s, 0), [0, 3, 1, 2]);
        assert_eq!(run_of(&s, 3), Vec::<usize>::new());
        assert_eq!(run_of(&s, 0), [3, 1, 2]);
        // A "mint" with badge 0 is a plain copy.
        insert(&mut s, endpoint(0x1000, 0), addr(0), addr(4));
        assert!(!s.mdb(addr(4)).revocable());
        // Deleting the first badged cap hands its mark to the copy, which
        // the other badge-5 cap still must not adopt once it sits after it.
        empty(&mut s, addr(1));
        assert!(s.mdb(addr(2)).first_badged());
        empty(&mut s, addr(4));
        assert_eq!(order(&s, 0), [0, 3, 2]);
        assert_eq!(run_of(&s, 3), Vec::<usize>::new());
        assert_eq!(run_of(&s, 0), [3, 2]);
    }

    #[test]
    fn untyped_copies_mark_the_source_full() {
        let mut s = MapStore::default();
        install(&mut s, addr(0), untyped(0x10000, 16));
        // A smaller untyped inside it leaves the source alone.
        let child = untyped(0x10000, 12);
        insert(&mut s, child, addr(0), addr(1));
        assert_eq!(cap_of(&s, 0), untyped(0x10000, 16));
        assert!(s.mdb(addr(1)).revocable());
        // A copy of the whole child marks the child full.
        insert(&mut s, child, addr(1), addr(2));
        assert_eq!(cap_of(&s, 1), Cap::Untyped { paddr: 0x10000, size_bits: 12, is_device: false, free_index: 4096 });
        assert_eq!(cap_of(&s, 2), child);
        assert!(s.mdb(addr(2)).revocable());
        assert_eq!(run_of(&s, 0), [1, 2]);
        assert_eq!(run_of(&s, 1), [2]);
        // Untyped caps never count as caps to the same object.
        assert!(is_final(&s, addr(1)) && is_final(&s, addr(2)));
    }

    #[test]
    fn retyped_caps_are_original() {
        let mut s = MapStore::default();
        install(&mut s, addr(0), untyped(0x10000, 16));
        insert_new(&mut s, frame(0x10000), addr(0), addr(1));
        assert!(s.mdb(addr(1)).revocable() && s.mdb(addr(1)).first_badged());
        assert_eq!(cap_of(&s, 0), untyped(0x10000, 16));
        insert(&mut s, frame(0x10000), addr(1), addr(2));
        assert_eq!(run_of(&s, 1), [2]);
        // Through the general insert the frame would not be revocable, and
        // its copy would be a sibling instead.
        insert(&mut s, frame(0x11000), addr(0), addr(3));
        insert(&mut s, frame(0x11000), addr(3), addr(4));
        assert!(!s.mdb(addr(3)).revocable());
        assert_eq!(run_of(&s, 3), Vec::<usize>::new());
        assert_eq!(run_of(&s, 0), [3, 4, 1, 2]);
    }

    /// Three caps to one endpoint in a list: 0, 1, 2 (original, copies).
    fn three() -> MapStore {
        let mut s = MapStore::default();
        install(&mut s, addr(0), endpoint(0x1000, 0));
        insert(&mut s, endpoint(0x1000, 7), addr(0), addr(1));
        insert(&mut s, endpoint(0x1000, 7), addr(1), addr(2));
        assert_eq!(order(&s, 0), [0, 1, 2]);
        s
    }

    #[test]
    fn empty_first_middle_last() {
        let mut s = three();
        empty(&mut s, addr(0));
        assert_eq!(order(&s, 1), [1, 2]);
        assert_eq!(s.mdb(addr(1)).prev(), 0);
        assert_eq!(s.get(addr(0)), Cte::default());

        let mut s = three();
        empty(&mut s, addr(1));
        assert_eq!(order(&s, 0), [0, 2]);
        // The copy inherits the removed cap's badge-run start.
        assert!(s.mdb(addr(2)).first_badged() && !s.mdb(addr(2)).revocable());
        assert_eq!(s.get(addr(1)), Cte::default());

        let mut s = three();
        empty(&mut s, addr(2));
        assert_eq!(order(&s, 0), [0, 1]);
        assert_eq!(s.mdb(addr(1)).next(), 0);
        // An empty slot stays as it is.
        let before = s.snapshot();
        empty(&mut s, addr(2));
        assert_eq!(s.snapshot(), before);
    }

    #[test]
    fn move_keeps_the_place() {
        let mut s = three();
        let flags = s.mdb(addr(1));
        move_cap(&mut s, endpoint(0x1000, 7), addr(1), addr(5));
        assert_eq!(order(&s, 0), [0, 5, 2]);
        assert_eq!(s.get(addr(1)), Cte::default());
        let moved = s.mdb(addr(5));
        assert_eq!((moved.revocable(), moved.first_badged()), (flags.revocable(), flags.first_badged()));
        assert_eq!(run_of(&s, 5), [2]);
        // Moving the head and the tail.
        move_cap(&mut s, endpoint(0x1000, 0), addr(0), addr(6));
        move_cap(&mut s, endpoint(0x1000, 7), addr(2), addr(7));
        assert_eq!(order(&s, 6), [6, 5, 7]);
        // A lone cap moves without touching anything else.
        install(&mut s, addr(3), frame(0x5000));
        move_cap(&mut s, frame(0x5000), addr(3), addr(4));
        assert_eq!(order(&s, 4), [4]);
        assert!(s.mdb(addr(4)).revocable());
    }

    #[test]
    fn swap_neighbours_both_ways() {
        for (a, b) in [(1, 2), (2, 1)] {
            let mut s = three();
            let (ca, cb) = (cap_of(&s, a), cap_of(&s, b));
            let (ma, mb) = (s.mdb(addr(a)), s.mdb(addr(b)));
            swap(&mut s, ca, addr(a), cb, addr(b));
            assert_eq!(order(&s, 0), [0, 2, 1], "swap({a}, {b})");
            assert_eq!(cap_of(&s, b), ca);
            assert_eq!(cap_of(&s, a), cb);
            // Flags travel with the caps.
            assert_eq!(s.mdb(addr(b)).revocable(), ma.revocable());
            assert_eq!(s.mdb(addr(a)).revocable(), mb.revocable());
        }
        // Head with its neighbour, and the two ends.
        for (a, b, want) in [(0, 1, [1, 0, 2]), (1, 0, [1, 0, 2]), (0, 2, [2, 1, 0]), (2, 0, [2, 1, 0])] {
            let mut s = three();
            let (ca, cb) = (cap_of(&s, a), cap_of(&s, b));
            swap(&mut s, ca, addr(a), cb, addr(b));
            assert_eq!(order(&s, want[0]), want, "swap({a}, {b})");
            assert_eq!(s.mdb(addr(want[0])).prev(), 0);
            assert_eq!(s.mdb(addr(want[2])).next(), 0);
        }
    }

    #[test]
    fn swap_across_lists() {
        let mut s = three();
        install(&mut s, addr(4), frame(0x5000));
        insert(&mut s, frame(0x5000), addr(4), addr(5));
        let (c1, c4) = (cap_of(&s, 1), cap_of(&s, 4));
        swap(&mut s, c1, addr(1), c4, addr(4));
        assert_eq!(order(&s, 0), [0, 4, 2]);
        assert_eq!(order(&s, 1), [1, 5]);
        assert_eq!(cap_of(&s, 4), c1);
        assert_eq!(run_of(&s, 1), [5]);
    }

    #[test]
    fn final_and_children() {
        let mut s = MapStore::default();
        install(&mut s, addr(0), untyped(0x10000, 16));
        insert_new(&mut s, cnode(0x10000, 0), addr(0), addr(1));
        insert_new(&mut s, endpoint(0x10100, 0), addr(0), addr(2));
        assert_eq!(order(&s, 0), [0, 2, 1]);
        assert!(is_final(&s, addr(1)) && is_final(&s, addr(2)));
        assert_eq!(first_child(&s, addr(0)), Some(addr(2)));
        assert!(!has_children(&s, addr(2)));
        // A CNode copy with another guard is the same object.
        insert(&mut s, cnode(0x10000, 3), addr(1), addr(3));
        assert!(!is_final(&s, addr(1)) && !is_final(&s, addr(3)));
        assert!(has_children(&s, addr(1)));
        // Revoke: delete first children until none is left.
        while let Some(c) = first_child(&s, addr(0)) {
            empty(&mut s, c);
        }
        assert_eq!(order(&s, 0), [0]);
        assert!(s.snapshot()[1..].iter().all(|c| *c == Cte::default()));
    }

    #[test]
    fn reply_ops_match_the_general_ones() {
        // A master with a neighbour on each side (as if moved into a list),
        // so that every link update is exercised.
        let mut base = MapStore::default();
        install(&mut base, addr(0), endpoint(0x1000, 0));
        install(&mut base, addr(1), master(0x8000));
        insert(&mut base, endpoint(0x1000, 0), addr(0), addr(2));
        // Splice the master between 0 and 2 by hand-built links.
        let mut m = base.mdb(addr(1));
        m.set_prev(addr(0));
        m.set_next(addr(2));
        base.set_mdb(addr(1), m);
        let mut m0 = base.mdb(addr(0));
        m0.set_next(addr(1));
        base.set_mdb(addr(0), m0);
        let mut m2 = base.mdb(addr(2));
        m2.set_prev(addr(1));
        base.set_mdb(addr(2), m2);
        assert_eq!(order(&base, 0), [0, 1, 2]);

        for grant in [false, true] {
            let reply = Cap::Reply { tcb: 0x8000, master: false, can_grant: grant };
            let (mut a, mut b) = (base.clone(), base.clone());
            insert(&mut a, reply, addr(1), addr(5));
            insert_reply(&mut b, RawCap::reply(0x8000, grant), addr(1), addr(5));
            assert_eq!(a.snapshot(), b.snapshot());
            assert_eq!(order(&a, 0), [0, 1, 5, 2]);
            assert_eq!(run_of(&a, 1), [5]);

            // Removal, also with an inherited first-badged mark to pass on.
            for fb in [false, true] {
                let (mut c, mut d) = (a.clone(), a.clone());
                for st in [&mut c, &mut d] {
                    let mut r = st.mdb(addr(5));
                    r.set_first_badged(fb);
                    st.set_mdb(addr(5), r);
                }
                empty(&mut c, addr(5));
                remove_reply(&mut d, addr(5));
                assert_eq!(c.snapshot(), d.snapshot());
                assert_eq!(c.snapshot(), {
                    let mut e = base.clone();
                    if fb {
                        let mut n = e.mdb(addr(2));
                        n.set_first_badged(true);
                        e.set_mdb(addr(2), n);
                    }
                    e.snapshot()
                });
            }
        }
    }

    // ---- The model: the derivation tree as seL4's abstract specification
    // keeps it, a parent per slot and an "original" flag, with no list at
    // all. The real structure must agree with it after every step.

    #[derive(Clone, Debug)]
    struct Entry {
        cap: Cap,
        original: bool,
        parent: Option<usize>,
    }

    #[derive(Clone, Debug)]
    struct Model(Vec<Option<Entry>>);

    /// The abstract spec's should_be_parent_of: written out here rather
    /// than taken from `is_mdb_parent_of`, whose `first_badged` bit is the
    /// list's stand-in for "the child is original".
    fn should_be_parent(src: &Cap, src_original: bool, new: &Cap, new_original: bool) -> bool {
        src_original
            && same_region_as(src, new)
            && match *src {
                Cap::Endpoint { badge, .. } | Cap::Notification { badge, .. } => {
                    badge == 0 || (new.badge() == Some(badge) && !new_original)
                }
                _ => true,
            }
    }

    impl Model {
        fn entry(&self, i: usize) -> &Entry {
            self.0[i].as_ref().expect("model slot is empty")
        }

        fn install(&mut self, i: usize, cap: Cap) {
            self.0[i] = Some(Entry { cap, original: true, parent: None });
        }

        fn insert(&mut self, new: Cap, src: usize, dest: usize) {
            let e = self.entry(src).clone();
            let original = is_cap_revocable(&new, &e.cap);
            let parent = if should_be_parent(&e.cap, e.original, &new, original) { Some(src) } else { e.parent };
            self.0[src].as_mut().unwrap().cap = set_untyped_cap_as_full(&e.cap, &new);
            self.0[dest] = Some(Entry { cap: new, original, parent });
        }

        fn insert_new(&mut self, cap: Cap, parent: usize, dest: usize) {
            self.0[dest] = Some(Entry { cap, original: true, parent: Some(parent) });
        }

        fn relabel(&mut self, f: impl Fn(usize) -> Option<usize>) {
            for e in self.0.iter_mut().flatten() {
                if let Some(p) = e.parent {
                    e.parent = f(p);
                }
            }
        }

        fn move_cap(&mut self, new: Cap, src: usize, dest: usize) {
            let mut e = self.0[src].take().unwrap();
            e.cap = new;
            self.0[dest] = Some(e);
            self.relabel(|p| Some(if p == src { dest } else { p }));
        }

        fn swap(&mut self, c1: Cap, s1: usize, c2: Cap, s2: usize) {
            self.relabel(|p| Some(if p == s1 { s2 } else if p == s2 { s1 } else { p }));
            let (mut e1, mut e2) = (self.0[s1].take().unwrap(), self.0[s2].take().unwrap());
            e1.cap = c1;
            e2.cap = c2;
            self.0[s2] = Some(e1);
            self.0[s1] = Some(e2);
        }

        /// Deleting a cap hands its children to its parent.
        fn empty(&mut self, i: usize) {
            let e = self.0[i].take().unwrap();
            self.relabel(|p| if p == i { e.parent } else { Some(p) });
        }

        fn descendants(&self, i: usize) -> BTreeSet<usize> {
            (0..SLOTS)
                .filter(|&j| {
                    let mut p = self.0[j].as_ref().and_then(|e| e.parent);
                    while let Some(q) = p {
                        if q == i {
                            return true;
                        }
                        p = self.entry(q).parent;
                    }
                    false
                })
                .collect()
        }
    }

    /// Checks the store against the model and the list invariants.
    fn check(s: &MapStore, m: &Model) {
        let occupied: Vec<usize> = (0..SLOTS).filter(|&i| m.0[i].is_some()).collect();
        for i in 0..SLOTS {
            let c = s.get(addr(i));
            match &m.0[i] {
                // Empty slots have a null cap and no links or flags.
                None => assert_eq!(c, Cte::default(), "slot {i} should be empty"),
                Some(e) => {
                    assert_eq!(Cap::decode(c.cap), Some(e.cap), "cap in slot {i}");
                    assert_eq!(c.mdb.revocable(), e.original, "revocable flag of slot {i}");
                }
            }
        }
        // Links point at occupied slots and agree in both directions.
        let live = |a: u64| a != 0 && m.0[index(a)].is_some();
        for &i in &occupied {
            let n = s.mdb(addr(i));
            if n.next() != 0 {
                assert!(live(n.next()), "slot {i} links to an empty next slot");
                assert_eq!(s.mdb(n.next()).prev(), addr(i), "next of slot {i} does not point back");
            }
            if n.prev() != 0 {
                assert!(live(n.prev()), "slot {i} links to an empty prev slot");
                assert_eq!(s.mdb(n.prev()).next(), addr(i), "prev of slot {i} does not point back");
            }
        }
        // Walking from every head reaches each occupied slot exactly once:
        // no cycles, no slot in two lists, none outside a list.
        let mut seen = vec![0u32; SLOTS];
        for &h in occupied.iter().filter(|&&i| s.mdb(addr(i)).prev() == 0) {
            let mut cur = addr(h);
            let mut steps = 0;
            while cur != 0 {
                seen[index(cur)] += 1;
                steps += 1;
                assert!(steps <= SLOTS, "cycle in the list from slot {h}");
                cur = s.mdb(cur).next();
            }
        }
        for &i in &occupied {
            assert_eq!(seen[i], 1, "slot {i} is in {} lists", seen[i]);
        }
        // A cap's descendants are exactly the run after it that
        // isMDBParentOf accepts: children directly follow their parent.
        for &i in &occupied {
            let run = run_of(s, i);
            let want = m.descendants(i);
            assert_eq!(run.iter().copied().collect::<BTreeSet<_>>(), want, "descendants of slot {i}");
            assert_eq!(first_child(s, addr(i)).map(index), run.first().copied());
            assert_eq!(has_children(s, addr(i)), !want.is_empty());
        }
        // isFinalCapability agrees with counting caps to the same object.
        for &i in &occupied {
            let ci = m.entry(i).cap;
            let others = occupied.iter().any(|&j| {
                let cj = m.entry(j).cap;
                j != i && (same_object_as(&ci, &cj) || same_object_as(&cj, &ci))
            });
            assert_eq!(is_final(s, addr(i)), !others, "is_final of slot {i} ({ci:?})");
        }
    }

    // ---- Random operation sequences.

    /// One step, with its operands as free choices that `World::apply`
    /// maps onto what exists (skipping the step when nothing fits).
    #[derive(Clone, Debug)]
    enum Op {
        /// Retype an untyped into one object (kind 0..6), through
        /// insertNewCap or, as the kernel does today, cteInsert.
        Retype { from: usize, kind: u8, shrink: u8, dest: usize, general: bool },
        /// CNode Copy (deriveCap, then cteInsert).
        Copy { src: usize, dest: usize },
        /// CNode Mint: a badge, or a CNode guard.
        Mint { src: usize, data: u64, dest: usize },
        /// IRQControl Get.
        Issue { irq: u16, dest: usize },
        /// CNode Move, or Mutate when `data` is given.
        Move { src: usize, dest: usize, data: Option<u64> },
        /// CNode Rotate with the destination equal to the source.
        Swap { a: usize, b: usize },
        /// CNode Delete.
        Delete { slot: usize },
        /// CNode Revoke.
        Revoke { slot: usize },
        /// A Call: the receiver gets a reply cap to the caller.
        Call { master: usize, dest: usize, grant: bool },
        /// A Reply: the reply cap is consumed.
        Reply { slot: usize },
    }

    fn op() -> impl Strategy<Value = Op> {
        let i = || any::<usize>();
        prop_oneof![
            4 => (i(), 0u8..6, 0u8..3, i(), any::<bool>())
                .prop_map(|(from, kind, shrink, dest, general)| Op::Retype { from, kind, shrink, dest, general }),
            3 => (i(), i()).prop_map(|(src, dest)| Op::Copy { src, dest }),
            3 => (i(), 0u64..4, i()).prop_map(|(src, data, dest)| Op::Mint { src, data, dest }),
            1 => (0u16..3, i()).prop_map(|(irq, dest)| Op::Issue { irq, dest }),
            2 => (i(), i(), proptest::option::of(0u64..4)).prop_map(|(src, dest, data)| Op::Move { src, dest, data }),
            2 => (i(), i()).prop_map(|(a, b)| Op::Swap { a, b }),
            2 => i().prop_map(|slot| Op::Delete { slot }),
            1 => i().prop_map(|slot| Op::Revoke { slot }),
            1 => (i(), i(), any::<bool>()).prop_map(|(master, dest, grant)| Op::Call { master, dest, grant }),
            1 => i().prop_map(|slot| Op::Reply { slot }),
        ]
    }

    /// Slots of the two masters: they live in TCBs, out of users' reach.
    const MASTERS: [usize; 2] = [3, 4];

    struct World {
        s: MapStore,
        m: Model,
    }

    fn pick(cands: &[usize], k: usize) -> Option<usize> {
        (!cands.is_empty()).then(|| cands[k % cands.len()])
    }

    impl World {
        fn new() -> World {
            let mut w = World { s: MapStore::default(), m: Model(vec![None; SLOTS]) };
            let roots = [
                untyped(0x10_0000, 16),
                untyped(0x20_0000, 14),
                Cap::IrqControl,
                master(0x40_0000),
                master(0x40_0800),
                // Originals with no parent, as if made by the boot code,
                // so that badges appear early in a sequence.
                endpoint(0x50_0000, 0),
                Cap::Notification { ptr: 0x50_0020, badge: 0, rights: Rights::ALL },
            ];
            for (i, c) in roots.into_iter().enumerate() {
                install(&mut w.s, addr(i), c);
                w.m.install(i, c);
            }
            check(&w.s, &w.m);
            w
        }

        fn empties(&self) -> Vec<usize> {
            (0..SLOTS).filter(|&i| self.m.0[i].is_none()).collect()
        }

        fn user(&self) -> Vec<usize> {
            (0..SLOTS).filter(|&i| self.m.0[i].is_some() && !MASTERS.contains(&i)).collect()
        }

        fn cap(&self, i: usize) -> Cap {
            self.m.entry(i).cap
        }

        fn insert(&mut self, new: Cap, src: usize, dest: usize) {
            insert(&mut self.s, new, addr(src), addr(dest));
            self.m.insert(new, src, dest);
        }

        /// A cap that deriveCap would produce from slot `i` after `f`, if
        /// any (an untyped with children cannot be copied).
        fn derived(&self, i: usize, f: impl Fn(&Cap) -> Cap) -> Option<Cap> {
            let c = self.cap(i);
            if matches!(c, Cap::Untyped { .. }) && has_children(&self.s, addr(i)) {
                return None;
            }
            derive_cap(&f(&c)).ok().filter(|d| !d.is_null())
        }

        /// Applies `op`; returns what it did, or `None` if it did not fit.
        fn apply(&mut self, op: &Op) -> Option<&'static str> {
            let (empties, user) = (self.empties(), self.user());
            let what = match *op {
                Op::Retype { from, kind, shrink, dest, general } => {
                    let uts: Vec<usize> =
                        user.iter().copied().filter(|&i| matches!(self.cap(i), Cap::Untyped { .. })).collect();
                    let (from, dest) = (pick(&uts, from)?, pick(&empties, dest)?);
                    let Cap::Untyped { paddr, size_bits, is_device, free_index } = self.cap(from) else {
                        unreachable!()
                    };
                    let bits: u8 = match kind {
                        0 => size_bits.saturating_sub(shrink).max(8),
                        1 => 12,
                        2 => 4,
                        3 => 5,
                        4 => 7,
                        _ => 11,
                    };
                    // Retype starts afresh when nothing was made from the
                    // untyped (or its children are all gone).
                    let free = if has_children(&self.s, addr(from)) { free_index } else { 0 };
                    let off = free.next_multiple_of(1 << bits);
                    if off + (1 << bits) > 1 << size_bits {
                        return None;
                    }
                    let obj = paddr + off;
                    let cap = match kind {
                        0 => untyped(obj, bits),
                        1 => frame(obj),
                        2 => endpoint(obj, 0),
                        3 => Cap::Notification { ptr: obj, badge: 0, rights: Rights::ALL },
                        4 => Cap::CNode { ptr: obj, radix: 2, guard_size: 0, guard: 0 },
                        _ => Cap::Thread { tcb: obj },
                    };
                    let ut = Cap::Untyped { paddr, size_bits, is_device, free_index: off + (1 << bits) };
                    self.s.set_cap(addr(from), ut.encode());
                    self.m.0[from].as_mut().unwrap().cap = ut;
                    if general {
                        self.insert(cap, from, dest);
                    } else {
                        insert_new(&mut self.s, cap, addr(from), addr(dest));
                        self.m.insert_new(cap, from, dest);
                    }
                    "retype"
                }
                Op::Copy { src, dest } => {
                    let (src, dest) = (pick(&user, src)?, pick(&empties, dest)?);
                    let new = self.derived(src, |c| *c)?;
                    self.insert(new, src, dest);
                    "copy"
                }
                Op::Mint { src, data, dest } => {
                    // Only caps whose data word means something (a mint of
                    // anything else is a copy).
                    let mintable: Vec<usize> = user
                        .iter()
                        .copied()
                        .filter(|&i| {
                            matches!(self.cap(i), Cap::Endpoint { .. } | Cap::Notification { .. } | Cap::CNode { .. })
                        })
                        .collect();
                    let (src, dest) = (pick(&mintable, src)?, pick(&empties, dest)?);
                    let new = self.derived(src, |c| match c {
                        Cap::CNode { .. } => update_cap_data(false, data << 6 | 2, c),
                        _ => update_cap_data(false, data, c),
                    })?;
                    self.insert(new, src, dest);
                    if new.badge().is_some_and(|b| b != 0) { "mint-badge" } else { "mint" }
                }
                Op::Issue { irq, dest } => {
                    let live = |c: Cap| self.m.0.iter().flatten().any(|e| e.cap == c);
                    if live(Cap::IrqHandler { irq }) {
                        return None;
                    }
                    let ctl = (0..SLOTS).find(|&i| self.m.0[i].as_ref().is_some_and(|e| e.cap == Cap::IrqControl))?;
                    let dest = pick(&empties, dest)?;
                    self.insert(Cap::IrqHandler { irq }, ctl, dest);
                    "issue"
                }
                Op::Move { src, dest, data } => {
                    let (src, dest) = (pick(&user, src)?, pick(&empties, dest)?);
                    let c = self.cap(src);
                    let new = match (c, data) {
                        (Cap::CNode { .. }, Some(d)) => update_cap_data(true, d << 6 | 2, &c),
                        _ => c,
                    };
                    move_cap(&mut self.s, new, addr(src), addr(dest));
                    self.m.move_cap(new, src, dest);
                    "move"
                }
                Op::Swap { a, b } => {
                    let a = pick(&user, a)?;
                    let others: Vec<usize> = user.iter().copied().filter(|&j| j != a).collect();
                    let b = pick(&others, b)?;
                    let (ca, cb) = (self.cap(a), self.cap(b));
                    let adjacent = self.s.mdb(addr(a)).next() == addr(b) || self.s.mdb(addr(b)).next() == addr(a);
                    swap(&mut self.s, ca, addr(a), cb, addr(b));
                    self.m.swap(ca, a, cb, b);
                    if adjacent { "swap-adjacent" } else { "swap" }
                }
                Op::Delete { slot } => {
                    let i = pick(&user, slot)?;
                    empty(&mut self.s, addr(i));
                    self.m.empty(i);
                    "delete"
                }
                Op::Revoke { slot } => {
                    let i = pick(&user, slot)?;
                    let doomed = self.m.descendants(i);
                    let before: BTreeSet<usize> = (0..SLOTS).filter(|&j| self.m.0[j].is_some()).collect();
                    let mut steps = 0;
                    while let Some(c) = first_child(&self.s, addr(i)) {
                        empty(&mut self.s, c);
                        steps += 1;
                        assert!(steps <= SLOTS, "revoke does not terminate");
                    }
                    let after: BTreeSet<usize> = (0..SLOTS).filter(|&j| !self.s.cap(addr(j)).is_null()).collect();
                    // Exactly the descendants went; nothing else did.
                    assert_eq!(before.difference(&after).copied().collect::<BTreeSet<_>>(), doomed);
                    assert!(!has_children(&self.s, addr(i)));
                    for j in &doomed {
                        self.m.0[*j] = None;
                    }
                    if doomed.is_empty() { "revoke-nothing" } else { "revoke" }
                }
                Op::Call { master, dest, grant } => {
                    let m = MASTERS[master % MASTERS.len()];
                    // A thread waits for at most one reply.
                    if has_children(&self.s, addr(m)) {
                        return None;
                    }
                    let dest = pick(&empties, dest)?;
                    let Cap::Reply { tcb, .. } = self.cap(m) else { unreachable!() };
                    let reply = Cap::Reply { tcb, master: false, can_grant: grant };
                    let mut general = self.s.clone();
                    insert(&mut general, reply, addr(m), addr(dest));
                    insert_reply(&mut self.s, RawCap::reply(tcb, grant), addr(m), addr(dest));
                    assert_eq!(self.s.snapshot(), general.snapshot(), "insert_reply differs from insert");
                    self.m.insert(reply, m, dest);
                    "call"
                }
                Op::Reply { slot } => {
                    let replies: Vec<usize> = user
                        .iter()
                        .copied()
                        .filter(|&i| matches!(self.cap(i), Cap::Reply { master: false, .. }))
                        .collect();
                    let i = pick(&replies, slot)?;
                    let mut general = self.s.clone();
                    empty(&mut general, addr(i));
                    remove_reply(&mut self.s, addr(i));
                    assert_eq!(self.s.snapshot(), general.snapshot(), "remove_reply differs from empty");
                    self.m.empty(i);
                    "reply"
                }
            };
            Some(what)
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Every step of a random sequence keeps the list consistent and in
        /// agreement with the model tree.
        #[test]
        fn random_sequences_keep_the_tree(ops in proptest::collection::vec(op(), 1..120)) {
            let mut w = World::new();
            for (n, op) in ops.iter().enumerate() {
                if w.apply(op).is_some() {
                    // Name the failing step in the panic message.
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&w.s, &w.m)));
                    prop_assert!(r.is_ok(), "invariant broken after step {} ({:?})", n, op);
                }
            }
        }
    }

    /// The generator reaches every kind of step, including the awkward
    /// ones (adjacent swaps, revokes that remove something, badges).
    #[test]
    fn random_sequences_cover_every_operation() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let mut seen: BTreeMap<&'static str, usize> = BTreeMap::new();
        for _ in 0..200 {
            let ops = proptest::collection::vec(op(), 60..120).new_tree(&mut runner).unwrap().current();
            let mut w = World::new();
            for op in &ops {
                if let Some(what) = w.apply(op) {
                    *seen.entry(what).or_default() += 1;
                }
            }
        }
        for what in [
            "retype", "copy", "mint", "mint-badge", "issue", "move", "swap", "swap-adjacent", "delete", "revoke",
            "revoke-nothing", "call", "reply",
        ] {
            assert!(seen.get(what).copied().unwrap_or(0) >= 20, "{what} ran too rarely: {seen:?}");
        }
    }
}
