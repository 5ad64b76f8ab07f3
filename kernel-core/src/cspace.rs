//! Capability-pointer resolution: seL4's `resolveAddressBits` and the lookups
//! built on it (`src/kernel/cspace.c`), generic over how slots are read.
//!
//! A cptr is resolved `depth` bits at a time from its most significant end:
//! each CNode consumes its guard, then its radix bits as a slot index. The
//! walk stops when the bits run out, or early when the slot found holds
//! something other than a CNode cap (then bits are left over). The failure
//! kinds and the message words that describe them follow
//! `include/object/structures_64.bf` (`lookup_fault`) and
//! `src/api/faults.c` (`setMRs_lookup_failure`).

use crate::cap::{RawCap, SLOT_BITS};

/// Reads CSpace slots. The kernel implements this over physical memory, the
/// tests over a map; the slot lives at `cnode_ptr + index * 32`.
pub trait SlotReader {
    /// The cap stored in slot `index` of the CNode at `cnode_ptr`.
    fn read_slot(&self, cnode_ptr: u64, index: u64) -> RawCap;
}

/// Why a cptr could not be resolved (seL4 `lookup_fault`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LookupFailure {
    /// The starting cap is not a CNode cap.
    InvalidRoot,
    /// A cap of the needed kind was not found (raised by callers, not by
    /// the resolver itself).
    MissingCapability {
        /// Bits of the cptr that were still unresolved.
        bits_left: u64,
    },
    /// A CNode needed more bits than were left.
    DepthMismatch {
        /// Bits still unresolved when the CNode was reached.
        bits_left: u64,
        /// Bits the CNode would consume (guard + radix), or 0 when a
        /// CNode operation's lookup left bits over.
        bits_found: u64,
    },
    /// The cptr's bits did not match a CNode's guard.
    GuardMismatch {
        /// Bits still unresolved when the CNode was reached.
        bits_left: u64,
        /// The CNode cap's guard value.
        guard_found: u64,
        /// The CNode cap's guard size.
        bits_found: u64,
    },
}

impl LookupFailure {
    /// The libsel4 `seL4_LookupFailureType` number: InvalidRoot 1,
    /// MissingCapability 2, DepthMismatch 3, GuardMismatch 4 (the kernel's
    /// `lufType` plus one).
    pub const fn type_code(&self) -> u64 {
        match self {
            LookupFailure::InvalidRoot => 1,
            LookupFailure::MissingCapability { .. } => 2,
            LookupFailure::DepthMismatch { .. } => 3,
            LookupFailure::GuardMismatch { .. } => 4,
        }
    }

    /// How many message words [`LookupFailure::write_mrs`] produces (1..=4).
    pub const fn mr_count(&self) -> usize {
        match self {
            LookupFailure::InvalidRoot => 1,
            LookupFailure::MissingCapability { .. } => 2,
            LookupFailure::DepthMismatch { .. } => 3,
            LookupFailure::GuardMismatch { .. } => 4,
        }
    }

    /// Writes the lookup-failure description: type, then bitsLeft, then
    /// bitsFound (DepthMismatch) or guardFound and bitsFound (GuardMismatch).
    /// A FailedLookup error reply puts it from MR1, a CapFault from MR3.
    /// Writes at most `out.len()` words and returns how many it wrote.
    pub fn write_mrs(&self, out: &mut [u64]) -> usize {
        let words: [u64; 4] = match *self {
            LookupFailure::InvalidRoot => [1, 0, 0, 0],
            LookupFailure::MissingCapability { bits_left } => [2, bits_left, 0, 0],
            LookupFailure::DepthMismatch {
                bits_left,
                bits_found,
            } => [3, bits_left, bits_found, 0],
            LookupFailure::GuardMismatch {
                bits_left,
                guard_found,
                bits_found,
            } => [4, bits_left, guard_found, bits_found],
        };
        let n = self.mr_count().min(out.len());
        out[..n].copy_from_slice(&words[..n]);
        n
    }
}

/// Why a CNode-operation lookup failed (seL4 `lookupSlotForCNodeOp`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LookupError {
    /// `seL4_RangeError`: the depth was outside `min..=max`.
    RangeError {
        /// Smallest allowed depth (1).
        min: u64,
        /// Largest allowed depth (64).
        max: u64,
    },
    /// `seL4_FailedLookup` with this failure description.
    FailedLookup(LookupFailure),
}

impl LookupError {
    /// The seL4 error code: RangeError 4, FailedLookup 6.
    pub const fn error_code(&self) -> u64 {
        match self {
            LookupError::RangeError { .. } => 4,
            LookupError::FailedLookup(_) => 6,
        }
    }

    /// Writes the error reply's message words: min and max for RangeError;
    /// for FailedLookup, MR0 = 1 if the source lookup failed (the caller
    /// knows which lookup it was), then the failure description. Writes at
    /// most `out.len()` words and returns how many it wrote.
    pub fn write_mrs(&self, is_source: bool, out: &mut [u64]) -> usize {
        match *self {
            LookupError::RangeError { min, max } => {
                let words = [min, max];
                let n = out.len().min(2);
                out[..n].copy_from_slice(&words[..n]);
                n
            }
            LookupError::FailedLookup(f) => match out.split_first_mut() {
                Some((first, rest)) => {
                    *first = is_source as u64;
                    1 + f.write_mrs(rest)
                }
                None => 0,
            },
        }
    }
}

/// A slot found by resolution.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ResolvedSlot {
    /// Address of the CNode holding the slot.
    pub cnode_ptr: u64,
    /// Index of the slot in that CNode.
    pub index: u64,
    /// Bits of the cptr left unresolved (non-zero only when the walk
    /// stopped early at a non-CNode cap).
    pub bits_remaining: u64,
}

impl ResolvedSlot {
    /// The slot's address, `cnode_ptr + index * 32`.
    pub const fn slot_addr(&self) -> u64 {
        self.cnode_ptr
            .wrapping_add(self.index.wrapping_mul(1 << SLOT_BITS))
    }
}

/// The fields of a CNode cap the resolver needs: pointer, radix, guard
/// size, guard. Words that do not decode to a CNode cap give `None`.
/// The CNode fields of a stored cap. Slots hold only what the kernel wrote,
/// so the cheap decoding is used: this runs at every level of every lookup.
#[inline]
fn as_cnode(raw: RawCap) -> Option<(u64, u64, u64, u64)> {
    raw.as_cnode()
}

/// seL4 `resolveAddressBits`: resolves the low `depth` bits of `cptr`
/// (most significant first) starting at the CNode cap `root`.
///
/// At each CNode: the next guard-size bits must equal the guard
/// (GuardMismatch otherwise, also when fewer bits are left than the guard
/// size); guard plus radix bits must be available (DepthMismatch); the
/// radix bits index a slot. The walk ends when no bits are left, or early,
/// with bits remaining, when the slot does not hold a CNode cap. `depth`
/// should be at most 64; every valid CNode consumes at least one bit, so
/// the walk takes at most `depth` steps.
pub fn resolve_address_bits(
    r: &impl SlotReader,
    root: RawCap,
    cptr: u64,
    depth: u64,
) -> Result<ResolvedSlot, LookupFailure> {
    let (mut ptr, mut radix, mut guard_size, mut guard) =
        as_cnode(root).ok_or(LookupFailure::InvalidRoot)?;
    let mut n = depth;
    loop {
        let level = radix + guard_size;
        // seL4 masks the shift to 6 bits so that n = 64 with no guard is
        // well defined; the comparison below rejects guard_size > n anyway.
        let found = (cptr >> (n.wrapping_sub(guard_size) & 63)) & mask(guard_size);
        if guard_size > n || found != guard {
            return Err(LookupFailure::GuardMismatch {
                bits_left: n,
                guard_found: guard,
                bits_found: guard_size,
            });
        }
        if level > n {
            return Err(LookupFailure::DepthMismatch {
                bits_left: n,
                bits_found: level,
            });
        }
        let index = cptr.checked_shr((n - level) as u32).unwrap_or(0) & mask(radix);
        n -= level;
        let slot = ResolvedSlot {
            cnode_ptr: ptr,
            index,
            bits_remaining: n,
        };
        if n == 0 {
            return Ok(slot);
        }
        match as_cnode(r.read_slot(ptr, index)) {
            Some(next) => (ptr, radix, guard_size, guard) = next,
            None => return Ok(slot),
        }
    }
}

const fn mask(bits: u64) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// seL4 `lookupSlot`: resolves a full 64-bit cptr from a thread's CSpace
/// root. A leftover (the walk stopped at a non-CNode cap) is accepted.
pub fn lookup_slot(
    r: &impl SlotReader,
    root: RawCap,
    cptr: u64,
) -> Result<ResolvedSlot, LookupFailure> {
    resolve_address_bits(r, root, cptr, 64)
}

/// seL4 `lookupCapAndSlot`: [`lookup_slot`] plus the cap in the slot (which
/// may be null; callers that need a cap raise MissingCapability or
/// InvalidCapability themselves).
pub fn lookup_cap(
    r: &impl SlotReader,
    root: RawCap,
    cptr: u64,
) -> Result<(RawCap, ResolvedSlot), LookupFailure> {
    let slot = lookup_slot(r, root, cptr)?;
    Ok((r.read_slot(slot.cnode_ptr, slot.index), slot))
}

/// seL4 `lookupSlotForCNodeOp`: the lookup used by CNode invocations and
/// other explicit-depth destinations. The root must be a CNode cap
/// (InvalidRoot), `depth` must be in 1..=64 (RangeError(1, 64)), and the
/// cptr must resolve using exactly `depth` bits: a leftover is
/// DepthMismatch with `bits_found` 0.
pub fn lookup_slot_for_cnode_op(
    r: &impl SlotReader,
    root: RawCap,
    cptr: u64,
    depth: u64,
) -> Result<ResolvedSlot, LookupError> {
    if as_cnode(root).is_none() {
        return Err(LookupError::FailedLookup(LookupFailure::InvalidRoot));
    }
    if !(1..=64).contains(&depth) {
        return Err(LookupError::RangeError { min: 1, max: 64 });
    }
    let slot = resolve_address_bits(r, root, cptr, depth).map_err(LookupError::FailedLookup)?;
    if slot.bits_remaining != 0 {
        return Err(LookupError::FailedLookup(LookupFailure::DepthMismatch {
            bits_left: slot.bits_remaining,
            bits_found: 0,
        }));
    }
    Ok(slot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cap::{Cap, Rights};
    use proptest::prelude::*;
    use std::collections::HashMap;
    use std::vec::Vec;

    /// A CSpace in a map: (cnode_ptr, index) -> cap; absent slots are null.
    #[derive(Default, Debug, Clone)]
    struct FakeCSpace {
        slots: HashMap<(u64, u64), RawCap>,
    }

    impl FakeCSpace {
        fn put(&mut self, cnode: u64, index: u64, cap: Cap) {
            assert!(cap.is_valid(), "{cap:?}");
            self.slots.insert((cnode, index), cap.encode());
        }
    }

    impl SlotReader for FakeCSpace {
        fn read_slot(&self, cnode_ptr: u64, index: u64) -> RawCap {
            self.slots
                .get(&(cnode_ptr, index))
                .copied()
                .unwrap_or_default()
        }
    }

    fn cnode(ptr: u64, radix: u8, guard_size: u8, guard: u64) -> Cap {
        Cap::CNode {
            ptr,
            radix,
            guard_size,
            guard,
        }
    }

    fn ep(ptr: u64) -> Cap {
        Cap::Endpoint {
            ptr,
            badge: 0,
            rights: Rights::ALL,
        }
    }

    const ROOT: u64 = 0x10_0000;
    const SUB: u64 = 0x20_0000;

    /// Triton's initial CSpace: 2^13 slots, guard size 51, guard 0.
    fn triton_root() -> RawCap {
        cnode(ROOT, 13, 51, 0).encode()
    }

    #[test]
    fn single_level_triton_root() {
        let cs = FakeCSpace::default();
        for cptr in [0u64, 1, 5, 16, 0x1fff] {
            assert_eq!(
                lookup_slot(&cs, triton_root(), cptr),
                Ok(ResolvedSlot {
                    cnode_ptr: ROOT,
                    index: cptr,
                    bits_remaining: 0
                })
            );
        }
        let s = lookup_slot(&cs, triton_root(), 7).unwrap();
        assert_eq!(s.slot_addr(), ROOT + 7 * 32);
        // Any bit above the 13 index bits breaks the all-zero guard.
        for cptr in [0x2000u64, 1 << 63, u64::MAX] {
            assert_eq!(
                lookup_slot(&cs, triton_root(), cptr),
                Err(LookupFailure::GuardMismatch {
                    bits_left: 64,
                    guard_found: 0,
                    bits_found: 51
                })
            );
        }
        // CNode ops at depth 64 behave the same; other depths do not fit.
        assert_eq!(
            lookup_slot_for_cnode_op(&cs, triton_root(), 9, 64).map(|s| s.index),
            Ok(9)
        );
        assert_eq!(
            lookup_slot_for_cnode_op(&cs, triton_root(), 9, 13),
            Err(LookupError::FailedLookup(LookupFailure::GuardMismatch {
                bits_left: 13,
                guard_found: 0,
                bits_found: 51
            }))
        );
        assert_eq!(
            lookup_slot_for_cnode_op(&cs, triton_root(), 0, 60),
            Err(LookupError::FailedLookup(LookupFailure::DepthMismatch {
                bits_left: 60,
                bits_found: 64
            }))
        );
    }

    #[test]
    fn lookup_cap_returns_slot_contents() {
        let mut cs = FakeCSpace::default();
        cs.put(ROOT, 4, Cap::IrqControl);
        let (raw, slot) = lookup_cap(&cs, triton_root(), 4).unwrap();
        assert_eq!(Cap::decode(raw), Some(Cap::IrqControl));
        assert_eq!(slot.index, 4);
        // An empty slot resolves fine; the cap is null.
        let (raw, _) = lookup_cap(&cs, triton_root(), 5).unwrap();
        assert!(raw.is_null());
    }

    #[test]
    fn two_level_tree() {
        let mut cs = FakeCSpace::default();
        // Root: 256 slots, no guard. Slot 3: a CNode of 256 slots whose cap
        // has a 48-bit zero guard, so the two levels use 64 bits.
        let root = cnode(ROOT, 8, 0, 0).encode();
        cs.put(ROOT, 3, cnode(SUB, 8, 48, 0));
        cs.put(SUB, 7, ep(0x40));
        let cptr = 3 << 56 | 7;
        assert_eq!(
            lookup_slot(&cs, root, cptr),
            Ok(ResolvedSlot {
                cnode_ptr: SUB,
                index: 7,
                bits_remaining: 0
            })
        );
        let (raw, _) = lookup_cap(&cs, root, cptr).unwrap();
        assert_eq!(Cap::decode(raw), Some(ep(0x40)));
        // Depth 8 stops at the root slot holding the CNode cap itself.
        assert_eq!(
            lookup_slot_for_cnode_op(&cs, root, 3, 8),
            Ok(ResolvedSlot {
                cnode_ptr: ROOT,
                index: 3,
                bits_remaining: 0
            })
        );
        // A bad guard bit at the second level.
        assert_eq!(
            lookup_slot(&cs, root, 3 << 56 | 1 << 20 | 7),
            Err(LookupFailure::GuardMismatch {
                bits_left: 56,
                guard_found: 0,
                bits_found: 48
            })
        );
        // Depth 20 reaches the second level with 12 bits for 56 wanted:
        // the 48-bit guard does not even fit.
        assert_eq!(
            lookup_slot_for_cnode_op(&cs, root, 3 << 12, 20),
            Err(LookupError::FailedLookup(LookupFailure::GuardMismatch {
                bits_left: 12,
                guard_found: 0,
                bits_found: 48
            }))
        );
    }

    #[test]
    // Binary literals are grouped as guard / index / index bits.
    #[allow(clippy::unusual_byte_groupings)]
    fn guard_then_depth_mismatch() {
        let mut cs = FakeCSpace::default();
        // Root: radix 4, guard 0b101 (3 bits). Slot 1: CNode radix 6,
        // guard size 0.
        let root = cnode(ROOT, 4, 3, 0b101).encode();
        cs.put(ROOT, 1, cnode(SUB, 6, 0, 0));
        // depth 7 + 6 = 13: guard 101, index 0001, then 6 bits = 42.
        let cptr = 0b101_0001_101010;
        assert_eq!(
            resolve_address_bits(&cs, root, cptr, 13),
            Ok(ResolvedSlot {
                cnode_ptr: SUB,
                index: 42,
                bits_remaining: 0
            })
        );
        // Wrong guard.
        assert_eq!(
            resolve_address_bits(&cs, root, 0b100_0001_101010, 13),
            Err(LookupFailure::GuardMismatch {
                bits_left: 13,
                guard_found: 0b101,
                bits_found: 3
            })
        );
        // Depth 10: the second CNode wants 6 bits, only 3 remain.
        assert_eq!(
            resolve_address_bits(&cs, root, 0b101_0001_101, 10),
            Err(LookupFailure::DepthMismatch {
                bits_left: 3,
                bits_found: 6
            })
        );
        // Depth 5: the root's guard fits but guard + radix does not.
        assert_eq!(
            resolve_address_bits(&cs, root, 0b101_00, 5),
            Err(LookupFailure::DepthMismatch {
                bits_left: 5,
                bits_found: 7
            })
        );
        // Depth 2: not even the guard fits.
        assert_eq!(
            resolve_address_bits(&cs, root, 0b10, 2),
            Err(LookupFailure::GuardMismatch {
                bits_left: 2,
                guard_found: 0b101,
                bits_found: 3
            })
        );
    }

    #[test]
    fn stops_early_at_non_cnode() {
        let mut cs = FakeCSpace::default();
        let root = cnode(ROOT, 4, 0, 0).encode();
        cs.put(ROOT, 2, ep(0x80));
        let cptr = 2 << 60 | 0xdead;
        assert_eq!(
            lookup_slot(&cs, root, cptr),
            Ok(ResolvedSlot {
                cnode_ptr: ROOT,
                index: 2,
                bits_remaining: 60
            })
        );
        let (raw, slot) = lookup_cap(&cs, root, cptr).unwrap();
        assert_eq!(Cap::decode(raw), Some(ep(0x80)));
        assert_eq!(slot.bits_remaining, 60);
        // A CNode op must use every bit.
        assert_eq!(
            lookup_slot_for_cnode_op(&cs, root, cptr, 64),
            Err(LookupError::FailedLookup(LookupFailure::DepthMismatch {
                bits_left: 60,
                bits_found: 0
            }))
        );
        assert_eq!(
            lookup_slot_for_cnode_op(&cs, root, 2, 4).map(|s| s.index),
            Ok(2)
        );
        // An empty slot also ends the walk (null is not a CNode).
        assert_eq!(
            lookup_slot(&cs, root, 5 << 60),
            Ok(ResolvedSlot {
                cnode_ptr: ROOT,
                index: 5,
                bits_remaining: 60
            })
        );
        // So does a slot with undecodable garbage.
        cs.slots.insert((ROOT, 6), RawCap { w0: 22, w1: 0 });
        assert_eq!(lookup_slot(&cs, root, 6 << 60).unwrap().bits_remaining, 60);
    }

    #[test]
    fn invalid_root_and_depth_range() {
        let cs = FakeCSpace::default();
        for bad in [
            RawCap::NULL,
            ep(0x40).encode(),
        ] {
            assert_eq!(lookup_slot(&cs, bad, 0), Err(LookupFailure::InvalidRoot));
            // InvalidRoot wins over a bad depth, as in seL4.
            assert_eq!(
                lookup_slot_for_cnode_op(&cs, bad, 0, 0),
                Err(LookupError::FailedLookup(LookupFailure::InvalidRoot))
            );
        }
        for depth in [0u64, 65, u64::MAX] {
            assert_eq!(
                lookup_slot_for_cnode_op(&cs, triton_root(), 1, depth),
                Err(LookupError::RangeError { min: 1, max: 64 })
            );
        }
    }

    #[test]
    fn cyclic_cspace_terminates() {
        let mut cs = FakeCSpace::default();
        // Slot 0 of a 2-slot CNode points back at the CNode itself: a
        // 64-bit cptr of zeros walks it 64 times.
        let root = cnode(ROOT, 1, 0, 0).encode();
        cs.put(ROOT, 0, cnode(ROOT, 1, 0, 0));
        assert_eq!(
            lookup_slot(&cs, root, 0),
            Ok(ResolvedSlot {
                cnode_ptr: ROOT,
                index: 0,
                bits_remaining: 0
            })
        );
        assert_eq!(
            lookup_slot(&cs, root, 1),
            Ok(ResolvedSlot {
                cnode_ptr: ROOT,
                index: 1,
                bits_remaining: 0
            })
        );
    }

    #[test]
    fn failure_message_words() {
        let mut out = [0u64; 8];
        assert_eq!(LookupFailure::InvalidRoot.write_mrs(&mut out), 1);
        assert_eq!(out[0], 1);
        assert_eq!(
            LookupFailure::MissingCapability { bits_left: 7 }.write_mrs(&mut out),
            2
        );
        assert_eq!(&out[..2], &[2, 7]);
        assert_eq!(
            LookupFailure::DepthMismatch {
                bits_left: 60,
                bits_found: 0
            }
            .write_mrs(&mut out),
            3
        );
        assert_eq!(&out[..3], &[3, 60, 0]);
        let g = LookupFailure::GuardMismatch {
            bits_left: 64,
            guard_found: 5,
            bits_found: 51,
        };
        assert_eq!(g.write_mrs(&mut out), 4);
        assert_eq!(&out[..4], &[4, 64, 5, 51]);
        assert_eq!(g.type_code(), 4);
        // Short buffers are filled as far as they go.
        let mut two = [0u64; 2];
        assert_eq!(g.write_mrs(&mut two), 2);
        assert_eq!(two, [4, 64]);
        assert_eq!(g.write_mrs(&mut []), 0);
        // The FailedLookup error reply: MR0 = source flag, then the failure.
        let e = LookupError::FailedLookup(g);
        assert_eq!(e.error_code(), 6);
        assert_eq!(e.write_mrs(true, &mut out), 5);
        assert_eq!(&out[..5], &[1, 4, 64, 5, 51]);
        let r = LookupError::RangeError { min: 1, max: 64 };
        assert_eq!(r.error_code(), 4);
        assert_eq!(r.write_mrs(false, &mut out), 2);
        assert_eq!(&out[..2], &[1, 64]);
    }

    // ---- Reference model -------------------------------------------------

    /// The cptr's low `depth` bits, most significant first.
    fn bits_of(cptr: u64, depth: u64) -> Vec<bool> {
        (0..depth).rev().map(|i| cptr >> i & 1 == 1).collect()
    }

    fn value(bits: &[bool]) -> u64 {
        bits.iter().fold(0, |v, &b| v << 1 | b as u64)
    }

    /// resolveAddressBits written over a bit list instead of shifts.
    fn model(cs: &FakeCSpace, node: Cap, bits: &[bool]) -> Result<ResolvedSlot, LookupFailure> {
        let Cap::CNode {
            ptr,
            radix,
            guard_size,
            guard,
        } = node
        else {
            return Err(LookupFailure::InvalidRoot);
        };
        let (radix, gs) = (radix as usize, guard_size as usize);
        let n = bits.len() as u64;
        if gs > bits.len() || value(&bits[..gs]) != guard {
            return Err(LookupFailure::GuardMismatch {
                bits_left: n,
                guard_found: guard,
                bits_found: gs as u64,
            });
        }
        if gs + radix > bits.len() {
            return Err(LookupFailure::DepthMismatch {
                bits_left: n,
                bits_found: (gs + radix) as u64,
            });
        }
        let index = value(&bits[gs..gs + radix]);
        let rest = &bits[gs + radix..];
        let here = ResolvedSlot {
            cnode_ptr: ptr,
            index,
            bits_remaining: rest.len() as u64,
        };
        if rest.is_empty() {
            return Ok(here);
        }
        match Cap::decode(cs.read_slot(ptr, index)) {
            Some(next @ Cap::CNode { .. }) => model(cs, next, rest),
            _ => Ok(here),
        }
    }

    /// Builds `depth` bits by walking the CSpace from `root`: each CNode's
    /// guard, then an index taken from `choices`; random filler after a
    /// non-CNode slot.
    fn guided_cptr(cs: &FakeCSpace, root: Cap, choices: &[u64], depth: u64) -> u64 {
        let mut bits: Vec<bool> = Vec::new();
        let mut node = root;
        let mut k = 0;
        let mut pick = || {
            k += 1;
            choices[k % choices.len()].rotate_left(k as u32)
        };
        while let Cap::CNode {
            ptr,
            radix,
            guard_size,
            guard,
        } = node
        {
            bits.extend((0..guard_size).rev().map(|i| guard >> i & 1 == 1));
            let index = pick() & mask(radix as u64);
            bits.extend((0..radix).rev().map(|i| index >> i & 1 == 1));
            if bits.len() as u64 >= depth {
                break;
            }
            node = Cap::decode(cs.read_slot(ptr, index)).unwrap_or(Cap::Null);
        }
        while (bits.len() as u64) < depth {
            bits.push(pick() & 1 == 1);
        }
        bits.truncate(depth as usize);
        value(&bits)
    }

    /// A CNode cap with a small radix and guard, over one of `nodes`.
    fn small_cnode(nodes: usize) -> impl Strategy<Value = Cap> {
        (0..nodes, 1u8..=3, 0u8..=3, any::<u64>()).prop_map(|(i, radix, gs, g)| Cap::CNode {
            ptr: 0x1000 * (i as u64 + 1),
            radix,
            guard_size: gs,
            guard: g & ((1 << gs) - 1),
        })
    }

    /// Up to four CNodes whose slots hold nulls, endpoints or CNode caps
    /// (cycles included), and a root cap.
    fn cspace() -> impl Strategy<Value = (FakeCSpace, Cap)> {
        (1usize..=4).prop_flat_map(|nodes| {
            let slot = prop_oneof![
                1 => Just(Cap::Null),
                1 => Just(ep(0x40)),
                4 => small_cnode(nodes),
            ];
            (
                proptest::collection::vec(slot, nodes * 8),
                small_cnode(nodes),
            )
                .prop_map(move |(slots, root)| {
                    let mut cs = FakeCSpace::default();
                    for (k, cap) in slots.into_iter().enumerate() {
                        let node = 0x1000 * (k as u64 / 8 + 1);
                        cs.put(node, k as u64 % 8, cap);
                    }
                    (cs, root)
                })
        })
    }

    proptest! {
        #[test]
        fn matches_reference_model((cs, root) in cspace(), cptr in any::<u64>(),
                                   depth in 1u64..=64) {
            let got = resolve_address_bits(&cs, root.encode(), cptr, depth);
            prop_assert_eq!(got, model(&cs, root, &bits_of(cptr, depth)));
            if let Ok(s) = got {
                prop_assert!(s.bits_remaining < depth);
            }
        }

        #[test]
        fn matches_model_for_sparse_cptrs((cs, root) in cspace(),
                                          choice in proptest::collection::vec(0u64..8, 1..24),
                                          depth in 1u64..=64) {
            // Random u64s rarely pass several guards; cptrs built from
            // small digits with zero high bits reach deeper.
            let cptr = choice.iter().fold(0u64, |v, d| v << 3 | d);
            let got = resolve_address_bits(&cs, root.encode(), cptr, depth);
            prop_assert_eq!(got, model(&cs, root, &bits_of(cptr, depth)));
        }

        #[test]
        fn matches_model_on_guided_paths((cs, root) in cspace(),
                                         choices in proptest::collection::vec(any::<u64>(), 1..16),
                                         depth in 1u64..=64, flip in proptest::option::of(0u32..64)) {
            // A cptr that follows the tree (right guards, random indices)
            // reaches deep levels; an optional flipped bit makes it fail
            // somewhere along the way.
            let mut cptr = guided_cptr(&cs, root, &choices, depth);
            if let Some(f) = flip {
                cptr ^= 1 << f;
            }
            let got = resolve_address_bits(&cs, root.encode(), cptr, depth);
            prop_assert_eq!(got, model(&cs, root, &bits_of(cptr, depth)));
        }

        #[test]
        fn cnode_op_rules((cs, root) in cspace(), cptr in any::<u64>(), depth in 0u64..=70) {
            let got = lookup_slot_for_cnode_op(&cs, root.encode(), cptr, depth);
            if !(1..=64).contains(&depth) {
                prop_assert_eq!(got, Err(LookupError::RangeError { min: 1, max: 64 }));
            } else {
                match model(&cs, root, &bits_of(cptr, depth)) {
                    Err(f) => prop_assert_eq!(got, Err(LookupError::FailedLookup(f))),
                    Ok(s) if s.bits_remaining != 0 => prop_assert_eq!(
                        got,
                        Err(LookupError::FailedLookup(LookupFailure::DepthMismatch {
                            bits_left: s.bits_remaining,
                            bits_found: 0
                        }))
                    ),
                    Ok(s) => prop_assert_eq!(got, Ok(s)),
                }
            }
        }

        #[test]
        fn garbage_roots_never_panic(w0 in any::<u64>(), w1 in any::<u64>(),
                                     cptr in any::<u64>(), depth in any::<u64>()) {
            let cs = FakeCSpace::default();
            let root = RawCap { w0, w1 };
            let _ = resolve_address_bits(&cs, root, cptr, depth.min(64));
            let _ = lookup_slot_for_cnode_op(&cs, root, cptr, depth);
        }
    }
}
