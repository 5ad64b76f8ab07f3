//! Boot-time physical memory bookkeeping without an allocator: a
//! fixed-capacity set of disjoint address ranges, and the split of a range
//! into the naturally aligned power-of-two blocks that become untyped caps
//! (seL4 `create_untypeds_for_region` in `src/kernel/boot.c`).

/// A half-open address range `[start, end)`; empty when `end <= start`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Hash)]
pub struct Range {
    /// First address in the range.
    pub start: u64,
    /// First address after the range.
    pub end: u64,
}

impl Range {
    /// `[start, end)`.
    pub const fn new(start: u64, end: u64) -> Range {
        Range { start, end }
    }

    /// Whether the range holds no address.
    pub const fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// Number of bytes (0 when empty).
    pub const fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// Whether `addr` lies in the range.
    pub const fn contains(&self, addr: u64) -> bool {
        self.start <= addr && addr < self.end
    }

    /// The common part of two ranges (possibly empty).
    pub fn intersect(&self, other: &Range) -> Range {
        Range {
            start: self.start.max(other.start),
            end: self.end.min(other.end),
        }
    }

    /// Whether the ranges share at least one address.
    pub fn overlaps(&self, other: &Range) -> bool {
        !self.intersect(other).is_empty()
    }
}

/// A [`RangeSet`] operation needed more than its capacity.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CapacityError;

/// Up to `N` disjoint ranges, kept sorted, with touching ranges merged.
/// Operations that would need more than `N` ranges fail and leave the set
/// unchanged.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RangeSet<const N: usize> {
    ranges: [Range; N],
    len: usize,
}

impl<const N: usize> Default for RangeSet<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> RangeSet<N> {
    /// An empty set.
    pub const fn new() -> Self {
        RangeSet {
            ranges: [Range { start: 0, end: 0 }; N],
            len: 0,
        }
    }

    /// The ranges, sorted, disjoint and not touching.
    pub fn as_slice(&self) -> &[Range] {
        &self.ranges[..self.len]
    }

    /// Iterates over the ranges in address order.
    pub fn iter(&self) -> core::slice::Iter<'_, Range> {
        self.as_slice().iter()
    }

    /// Number of ranges.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the set is empty.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Total bytes covered.
    pub fn total(&self) -> u64 {
        self.iter().map(Range::len).sum()
    }

    /// Whether `addr` is covered.
    pub fn contains(&self, addr: u64) -> bool {
        self.iter().any(|r| r.contains(addr))
    }

    /// Replaces `self.ranges[i..j]` with `with`, shifting the tail.
    fn splice(&mut self, i: usize, j: usize, with: &[Range]) -> Result<(), CapacityError> {
        let new_len = self.len - (j - i) + with.len();
        if new_len > N {
            return Err(CapacityError);
        }
        // Move the tail to its new place, then fill the gap.
        let tail = i + with.len();
        if tail != j {
            self.ranges.copy_within(j..self.len, tail);
        }
        self.ranges[i..tail].copy_from_slice(with);
        self.len = new_len;
        Ok(())
    }

    /// Adds a range, merging it with every range it overlaps or touches.
    /// An empty range changes nothing.
    pub fn insert(&mut self, r: Range) -> Result<(), CapacityError> {
        if r.is_empty() {
            return Ok(());
        }
        let s = self.as_slice();
        // First range that ends at or after r.start (touching counts), and
        // first range that starts after r.end.
        let i = s.partition_point(|x| x.end < r.start);
        let j = s.partition_point(|x| x.start <= r.end);
        let mut merged = r;
        if i < j {
            merged.start = merged.start.min(s[i].start);
            merged.end = merged.end.max(s[j - 1].end);
        }
        self.splice(i, j, &[merged])
    }

    /// Removes every address of `hole`. Splitting a range in two needs one
    /// more slot.
    pub fn remove(&mut self, hole: Range) -> Result<(), CapacityError> {
        if hole.is_empty() {
            return Ok(());
        }
        let s = self.as_slice();
        // The ranges that share an address with the hole.
        let i = s.partition_point(|x| x.end <= hole.start);
        let j = s.partition_point(|x| x.start < hole.end);
        if i >= j {
            return Ok(());
        }
        let mut keep = [Range::default(); 2];
        let mut k = 0;
        if s[i].start < hole.start {
            keep[k] = Range::new(s[i].start, hole.start);
            k += 1;
        }
        if s[j - 1].end > hole.end {
            keep[k] = Range::new(hole.end, s[j - 1].end);
            k += 1;
        }
        self.splice(i, j, &keep[..k])
    }

    /// Keeps only the addresses inside `window`.
    pub fn clip(&mut self, window: Range) {
        // Removing from the outside never splits a range, so this cannot
        // exceed the capacity.
        let _ = self.remove(Range::new(0, window.start));
        let _ = self.remove(Range::new(window.end.max(window.start), u64::MAX));
        if window.is_empty() {
            self.len = 0;
        }
    }
}

impl<'a, const N: usize> IntoIterator for &'a RangeSet<N> {
    type Item = &'a Range;
    type IntoIter = core::slice::Iter<'a, Range>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// `ranges` minus `holes`, as a new set: the boot code's "usable memory
/// minus reserved regions".
pub fn subtract<const N: usize>(
    ranges: &[Range],
    holes: &[Range],
) -> Result<RangeSet<N>, CapacityError> {
    let mut set = RangeSet::new();
    for r in ranges {
        set.insert(*r)?;
    }
    for h in holes {
        set.remove(*h)?;
    }
    Ok(set)
}

/// Splits `r` into naturally aligned power-of-two blocks, lowest first, as
/// seL4's `create_untypeds_for_region` does: each block is as large as the
/// start address's alignment and the remaining length allow, capped at
/// `2^max_bits`; blocks smaller than `2^min_bits` are skipped (seL4 uses
/// `seL4_MinUntypedBits` 4 and `seL4_MaxUntypedBits` 47). `emit` gets
/// `(paddr, size_bits)`.
pub fn split_into_untypeds(r: Range, min_bits: u8, max_bits: u8, mut emit: impl FnMut(u64, u8)) {
    let mut start = r.start;
    let max_bits = max_bits.min(63) as u32;
    while start < r.end {
        let len = r.end - start;
        // len >= 1 here, so ilog2 is defined.
        let mut bits = len.ilog2().min(max_bits);
        if start != 0 {
            bits = bits.min(start.trailing_zeros());
        }
        if bits >= min_bits as u32 {
            emit(start, bits as u8);
        }
        // start + 2^bits <= end, so this cannot overflow.
        start += 1u64 << bits;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec::Vec;

    fn r(start: u64, end: u64) -> Range {
        Range::new(start, end)
    }

    fn set_of<const N: usize>(s: &RangeSet<N>) -> Vec<(u64, u64)> {
        s.iter().map(|x| (x.start, x.end)).collect()
    }

    #[test]
    fn insert_merges() {
        let mut s = RangeSet::<8>::new();
        s.insert(r(10, 20)).unwrap();
        s.insert(r(30, 40)).unwrap();
        s.insert(r(0, 5)).unwrap();
        assert_eq!(set_of(&s), [(0, 5), (10, 20), (30, 40)]);
        // Touching merges.
        s.insert(r(20, 25)).unwrap();
        assert_eq!(set_of(&s), [(0, 5), (10, 25), (30, 40)]);
        // Spanning several.
        s.insert(r(4, 31)).unwrap();
        assert_eq!(set_of(&s), [(0, 40)]);
        s.insert(r(7, 7)).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s.total(), 40);
        assert!(s.contains(39) && !s.contains(40));
    }

    #[test]
    fn remove_splits_and_trims() {
        let mut s = RangeSet::<4>::new();
        s.insert(r(0, 100)).unwrap();
        s.remove(r(10, 20)).unwrap();
        assert_eq!(set_of(&s), [(0, 10), (20, 100)]);
        s.remove(r(5, 30)).unwrap();
        assert_eq!(set_of(&s), [(0, 5), (30, 100)]);
        s.remove(r(0, 5)).unwrap();
        assert_eq!(set_of(&s), [(30, 100)]);
        s.remove(r(200, 300)).unwrap();
        s.remove(r(0, 1000)).unwrap();
        assert!(s.is_empty());
    }

    #[test]
    fn capacity_errors_leave_set_unchanged() {
        let mut s = RangeSet::<2>::new();
        s.insert(r(0, 10)).unwrap();
        s.insert(r(20, 30)).unwrap();
        let before = s;
        assert_eq!(s.insert(r(40, 50)), Err(CapacityError));
        assert_eq!(s, before);
        assert_eq!(s.remove(r(2, 3)), Err(CapacityError));
        assert_eq!(s, before);
        // Merging still works at capacity.
        s.insert(r(10, 20)).unwrap();
        assert_eq!(set_of(&s), [(0, 30)]);
    }

    #[test]
    fn subtract_and_clip() {
        let s = subtract::<8>(
            &[r(0, 0xa0000), r(0x10_0000, 0x800_0000)],
            &[r(0x10_0000, 0x20_0000), r(0x9f000, 0xa0000)],
        )
        .unwrap();
        assert_eq!(set_of(&s), [(0, 0x9f000), (0x20_0000, 0x800_0000)]);
        let mut c = s;
        c.clip(r(0x1000, 0x40_0000));
        assert_eq!(set_of(&c), [(0x1000, 0x9f000), (0x20_0000, 0x40_0000)]);
        c.clip(r(5, 5));
        assert!(c.is_empty());
    }

    #[test]
    fn split_examples() {
        let mut v = Vec::new();
        split_into_untypeds(r(0x1000, 0x7000), 4, 47, |p, b| v.push((p, b)));
        assert_eq!(v, [(0x1000, 12), (0x2000, 13), (0x4000, 13), (0x6000, 12)]);
        v.clear();
        // Unaligned edges: 8 bytes at each end are dropped.
        split_into_untypeds(r(0x18, 0x48), 4, 47, |p, b| v.push((p, b)));
        assert_eq!(v, [(0x20, 5)]);
        v.clear();
        split_into_untypeds(r(0x18, 0x58), 4, 47, |p, b| v.push((p, b)));
        assert_eq!(v, [(0x20, 5), (0x40, 4)]);
        v.clear();
        // Starting at 0 any alignment is fine; the cap applies.
        split_into_untypeds(r(0, 1 << 50), 4, 47, |p, b| v.push((p, b)));
        assert_eq!(v.len(), 8);
        assert!(v.iter().all(|&(_, b)| b == 47));
        v.clear();
        split_into_untypeds(r(5, 5), 4, 47, |p, b| v.push((p, b)));
        split_into_untypeds(r(0x10, 0x1f), 4, 47, |p, b| v.push((p, b)));
        assert!(v.is_empty());
        // The top of the address space.
        split_into_untypeds(r(u64::MAX - 0xff, u64::MAX), 4, 47, |p, b| v.push((p, b)));
        assert_eq!(v.iter().map(|&(_, b)| 1u64 << b).sum::<u64>(), 0xf0);
    }

    fn range() -> impl Strategy<Value = Range> {
        prop_oneof![
            (0u64..4096, 0u64..4096).prop_map(|(a, b)| r(a.min(b), a.max(b))),
            (any::<u64>(), any::<u64>()).prop_map(|(a, b)| r(a.min(b), a.max(b))),
        ]
    }

    /// A range and block-size limits, with the range short enough relative
    /// to the largest block that the block count stays small.
    fn split_case() -> impl Strategy<Value = (Range, u8, u8)> {
        (0u8..=12, 4u8..=47).prop_flat_map(|(min, max)| {
            let cap = 1u64 << (max as u32 + 12).min(63);
            (
                prop_oneof![
                    (0u64..4096, 0u64..4096).prop_map(|(a, b)| r(a.min(b), a.max(b))),
                    (any::<u64>(), 0..cap).prop_map(|(s, l)| r(s, s.saturating_add(l))),
                    (0..cap, 0..cap).prop_map(|(a, b)| r(a.min(b), a.max(b))),
                ],
                Just(min),
                Just(max),
            )
        })
    }

    /// A byte-level model over a small universe.
    fn model_apply(ops: &[(bool, Range)]) -> Vec<bool> {
        let mut m = std::vec![false; 256];
        for &(ins, x) in ops {
            for a in x.start..x.end.min(256) {
                m[a as usize] = ins;
            }
        }
        m
    }

    proptest! {
        #[test]
        fn rangeset_matches_model(ops in proptest::collection::vec(
            (any::<bool>(), (0u64..256, 0u64..256).prop_map(|(a, b)| r(a.min(b), a.max(b)))), 0..40)) {
            let mut s = RangeSet::<256>::new();
            for &(ins, x) in &ops {
                if ins { s.insert(x).unwrap() } else { s.remove(x).unwrap() }
                // Sorted, non-empty, disjoint and not touching.
                let v = s.as_slice();
                for w in v.windows(2) {
                    prop_assert!(w[0].end < w[1].start);
                }
                prop_assert!(v.iter().all(|x| !x.is_empty()));
            }
            let m = model_apply(&ops);
            for a in 0..256u64 {
                prop_assert_eq!(s.contains(a), m[a as usize], "addr {}", a);
            }
        }

        #[test]
        fn rangeset_small_capacity_is_atomic(ops in proptest::collection::vec((any::<bool>(), range()), 0..30)) {
            let mut s = RangeSet::<3>::new();
            for (ins, x) in ops {
                let before = s;
                let res = if ins { s.insert(x) } else { s.remove(x) };
                if res.is_err() {
                    prop_assert_eq!(s, before);
                }
                prop_assert!(s.len() <= 3);
                for w in s.as_slice().windows(2) {
                    prop_assert!(w[0].end < w[1].start);
                }
            }
        }

        #[test]
        fn split_properties((x, min_bits, max_bits) in split_case()) {
            let mut blocks = Vec::new();
            split_into_untypeds(x, min_bits, max_bits, |p, b| blocks.push((p, b)));
            let mut prev_end = x.start;
            for &(p, b) in &blocks {
                let size = 1u64 << b;
                prop_assert!(b >= min_bits && b <= max_bits);
                prop_assert_eq!(p % size, 0, "aligned");
                prop_assert!(p >= prev_end, "sorted and disjoint");
                prop_assert!(p + size <= x.end, "inside");
                prev_end = p + size;
                // Maximal: the aligned block of twice the size containing
                // this one is not inside the range (or the cap stops it).
                if b < max_bits && b < 63 {
                    let big = 1u64 << (b + 1);
                    let bs = p & !(big - 1);
                    let inside = bs >= x.start && bs.checked_add(big).is_some_and(|e| e <= x.end);
                    prop_assert!(!inside, "block {:#x}/{} not maximal", p, b);
                }
            }
            // Coverage: everything between the min-aligned edges is covered
            // (when min <= max), as the blocks are contiguous there.
            if min_bits <= max_bits {
                let a = crate::untyped::checked_align_up(x.start, min_bits);
                let z = x.end & !((1u64 << min_bits) - 1);
                if let Some(a) = a {
                    if a < z {
                        let covered: u64 = blocks.iter().map(|&(_, b)| 1u64 << b).sum();
                        prop_assert_eq!(covered, z - a);
                        prop_assert_eq!(blocks.first().map(|b| b.0), Some(a));
                        let last = blocks.last().unwrap();
                        prop_assert_eq!(last.0 + (1u64 << last.1), z);
                    } else {
                        prop_assert!(blocks.is_empty());
                    }
                }
            } else {
                prop_assert!(blocks.is_empty());
            }
        }
    }
}
