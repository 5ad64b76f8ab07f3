//! Untyped-memory arithmetic: where Retype puts new objects and how the
//! untyped's free index moves (seL4 `src/object/untyped.c`,
//! `decodeUntypedInvocation` and `invokeUntyped_Retype`), and object sizes
//! (seL4 `getObjectSize` in `src/object/objecttype.c` and the x86 variants).
//!
//! seL4 keeps the free index in 16-byte units; Triton's
//! [`Cap::Untyped`](crate::cap::Cap::Untyped) keeps it in bytes (always a
//! multiple of 16), and so does this module.

use crate::cap::{MAX_UNTYPED_BITS, MIN_UNTYPED_BITS, SLOT_BITS, TCB_BITS};

/// Rounds `x` up to a multiple of `2^bits`, wrapping on overflow as seL4's
/// `alignUp` does (so `align_up(u64::MAX, 4) == 0`). `bits` of 64 or more
/// gives 0 (the only multiple of 2^64 in a word).
pub const fn align_up(x: u64, bits: u8) -> u64 {
    if bits >= 64 {
        return 0;
    }
    let m = (1u64 << bits) - 1;
    x.wrapping_add(m) & !m
}

/// Like [`align_up`], but `None` instead of wrapping.
pub const fn checked_align_up(x: u64, bits: u8) -> Option<u64> {
    if bits >= 64 {
        return if x == 0 { Some(0) } else { None };
    }
    let m = (1u64 << bits) - 1;
    match x.checked_add(m) {
        Some(v) => Some(v & !m),
        None => None,
    }
}

/// Where a Retype places its objects.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RetypePlan {
    /// Address of the first new object: the untyped's free address (after a
    /// reset, its base) rounded up to the object size.
    pub first_object: u64,
    /// log2 size of each object.
    pub obj_size_bits: u8,
    /// Number of objects.
    pub num_objects: u64,
    /// The untyped's free index (bytes from its base) after the Retype:
    /// just past the last object.
    pub new_free_index: u64,
    /// The untyped had no children, so seL4 resets it first: its old
    /// contents (up to the old free index) must be cleared, unless it is
    /// device memory, before the objects are created.
    pub reset: bool,
}

impl RetypePlan {
    /// Address of object `i` (objects are back to back); `object_addr(n)`
    /// is the end of the last one.
    pub const fn object_addr(&self, i: u64) -> u64 {
        let offset = match i.checked_shl(self.obj_size_bits as u32) {
            Some(o) => o,
            None => 0,
        };
        self.first_object.wrapping_add(offset)
    }
}

/// The untyped is too small: seL4_NotEnoughMemory, whose MR0 is the number
/// of bytes still free.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct NotEnoughMemory {
    /// Bytes free in the untyped (from the free index, or from the base
    /// when it was reset).
    pub bytes_free: u64,
}

/// Plans a Retype of `num_objects` objects of `2^obj_size_bits` bytes from
/// the untyped `[untyped_paddr, untyped_paddr + 2^untyped_size_bits)` whose
/// free index is `free_index` bytes.
///
/// As in seL4: if the untyped has no children (`no_children`, the caller's
/// `ensureNoChildren` check) allocation restarts from the base, otherwise
/// from the free index. The space check is seL4's:
/// `(bytes_free >> obj_size_bits) < num_objects` fails with
/// [`NotEnoughMemory`]. The first object is the free address rounded up to
/// the object size. For a naturally aligned untyped that always fits once
/// the check passes; for any other untyped this function also checks that
/// the rounded-up objects end inside it.
///
/// The caller has already rejected bad types, sizes and a count of 0
/// (seL4 checks those first); with 0 objects the plan is empty and the free
/// index only moves up to the alignment point.
pub fn retype_plan(
    untyped_paddr: u64,
    untyped_size_bits: u8,
    free_index: u64,
    obj_size_bits: u8,
    num_objects: u64,
    no_children: bool,
) -> Result<RetypePlan, NotEnoughMemory> {
    // u128 keeps every intermediate exact whatever the inputs.
    let size: u128 = 1u128 << untyped_size_bits.min(64);
    let used: u128 = if no_children { 0 } else { free_index as u128 };
    let bytes_free = size.saturating_sub(used);
    let report = NotEnoughMemory {
        bytes_free: bytes_free.min(u64::MAX as u128) as u64,
    };
    let fits = if obj_size_bits >= 128 {
        0
    } else {
        bytes_free >> obj_size_bits
    };
    if fits < num_objects as u128 {
        return Err(report);
    }
    let base = untyped_paddr as u128;
    let obj_bits = obj_size_bits.min(127) as u32;
    let obj_mask = (1u128 << obj_bits) - 1;
    let first = (base + used + obj_mask) & !obj_mask;
    let end = first + ((num_objects as u128) << obj_bits);
    if end > base + size || end > u64::MAX as u128 {
        return Err(report);
    }
    Ok(RetypePlan {
        first_object: first as u64,
        obj_size_bits,
        num_objects,
        new_free_index: (end - base) as u64,
        reset: no_children,
    })
}

/// seL4 object type numbers for Triton's configuration (x86_64, non-MCS,
/// huge pages on, no IOMMU, no VT-x); `libsel4/include/sel4/objecttype.h`
/// and the x86 / x86_64 `objecttype.h`.
pub mod object_type {
    /// `seL4_UntypedObject`.
    pub const UNTYPED: u64 = 0;
    /// `seL4_TCBObject`.
    pub const TCB: u64 = 1;
    /// `seL4_EndpointObject`.
    pub const ENDPOINT: u64 = 2;
    /// `seL4_NotificationObject`.
    pub const NOTIFICATION: u64 = 3;
    /// `seL4_CapTableObject`.
    pub const CAP_TABLE: u64 = 4;
    /// `seL4_X86_PDPTObject`.
    pub const PDPT: u64 = 5;
    /// `seL4_X64_PML4Object`.
    pub const PML4: u64 = 6;
    /// `seL4_X64_HugePageObject` (1 GiB).
    pub const HUGE_PAGE: u64 = 7;
    /// `seL4_X86_4K`.
    pub const SMALL_PAGE: u64 = 8;
    /// `seL4_X86_LargePageObject` (2 MiB).
    pub const LARGE_PAGE: u64 = 9;
    /// `seL4_X86_PageTableObject`.
    pub const PAGE_TABLE: u64 = 10;
    /// `seL4_X86_PageDirectoryObject`.
    pub const PAGE_DIRECTORY: u64 = 11;
    /// `seL4_ObjectTypeCount` without the IOMMU: types are below this.
    pub const COUNT: u64 = 12;

    /// Frame types: the only ones (with untyped) a device untyped may be
    /// retyped into (seL4 `Arch_isFrameType`).
    pub const fn is_frame(t: u64) -> bool {
        matches!(t, HUGE_PAGE | SMALL_PAGE | LARGE_PAGE)
    }
}

/// Why an object type and size were refused (the first checks of seL4
/// `decodeUntypedInvocation`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ObjectSizeError {
    /// seL4_InvalidArgument(0): unknown object type.
    InvalidType,
    /// seL4_RangeError(0, 47): the size argument is 64 or more, or the
    /// object would exceed `seL4_MaxUntypedBits`.
    TooLarge,
    /// seL4_InvalidArgument(1): a CNode of 0 radix bits or an untyped
    /// below `seL4_MinUntypedBits`.
    TooSmall,
}

/// log2 of the size of an object of type `ty` (see [`object_type`]) with
/// the Retype size argument `user_size` (seL4 `getObjectSize`), with the
/// argument checks seL4 makes before using it, in seL4's order.
pub fn object_size_bits(ty: u64, user_size: u64) -> Result<u8, ObjectSizeError> {
    use self::object_type as t;
    let bits = match ty {
        t::UNTYPED => user_size,
        t::TCB => TCB_BITS,
        t::ENDPOINT => crate::cap::ENDPOINT_BITS,
        t::NOTIFICATION => crate::cap::NOTIFICATION_BITS,
        t::CAP_TABLE => user_size.saturating_add(SLOT_BITS as u64),
        t::PDPT | t::PML4 | t::PAGE_TABLE | t::PAGE_DIRECTORY => crate::cap::PAGING_STRUCTURE_BITS,
        t::HUGE_PAGE => 30,
        t::SMALL_PAGE => 12,
        t::LARGE_PAGE => 21,
        _ => return Err(ObjectSizeError::InvalidType),
    };
    if user_size >= 64 || bits > MAX_UNTYPED_BITS as u64 {
        return Err(ObjectSizeError::TooLarge);
    }
    if (ty == t::CAP_TABLE && user_size == 0)
        || (ty == t::UNTYPED && user_size < MIN_UNTYPED_BITS as u64)
    {
        return Err(ObjectSizeError::TooSmall);
    }
    Ok(bits as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn align_up_basics() {
        assert_eq!(align_up(0, 12), 0);
        assert_eq!(align_up(1, 12), 0x1000);
        assert_eq!(align_up(0x1000, 12), 0x1000);
        assert_eq!(align_up(0x1001, 4), 0x1010);
        assert_eq!(align_up(5, 0), 5);
        assert_eq!(align_up(u64::MAX, 4), 0);
        assert_eq!(checked_align_up(u64::MAX, 4), None);
        assert_eq!(checked_align_up(0x11, 4), Some(0x20));
        assert_eq!(align_up(3, 64), 0);
        assert_eq!(checked_align_up(0, 64), Some(0));
    }

    #[test]
    fn retype_from_fresh_untyped() {
        // 64 KiB untyped, four 4 KiB frames.
        let p = retype_plan(0x10_0000, 16, 0, 12, 4, true).unwrap();
        assert_eq!(p.first_object, 0x10_0000);
        assert_eq!(p.new_free_index, 0x4000);
        assert_eq!(p.object_addr(3), 0x10_3000);
        assert!(p.reset);
    }

    #[test]
    fn retype_aligns_after_used_space() {
        // Children exist: allocate after 0x30 used bytes; a 2 KiB TCB goes
        // to the next 2 KiB boundary.
        let p = retype_plan(0x10_0000, 16, 0x30, 11, 1, false).unwrap();
        assert_eq!(p.first_object, 0x10_0800);
        assert_eq!(p.new_free_index, 0x1000);
        assert!(!p.reset);
        // Without children the same untyped restarts at its base.
        let p = retype_plan(0x10_0000, 16, 0x30, 11, 1, true).unwrap();
        assert_eq!(p.first_object, 0x10_0000);
        assert_eq!(p.new_free_index, 0x800);
    }

    #[test]
    fn not_enough_memory_reports_free_bytes() {
        // 4 KiB untyped with 0x100 used: 0xf00 free, one 4 KiB frame won't fit.
        assert_eq!(
            retype_plan(0x1000, 12, 0x100, 12, 1, false),
            Err(NotEnoughMemory { bytes_free: 0xf00 })
        );
        // Exactly full works; one more does not.
        assert!(retype_plan(0x1000, 12, 0, 4, 256, false).is_ok());
        assert_eq!(
            retype_plan(0x1000, 12, 0, 4, 257, false),
            Err(NotEnoughMemory { bytes_free: 0x1000 })
        );
        // A full untyped.
        assert_eq!(
            retype_plan(0x1000, 12, 0x1000, 4, 1, false),
            Err(NotEnoughMemory { bytes_free: 0 })
        );
        // An object larger than the untyped.
        assert_eq!(
            retype_plan(0, 12, 0, 13, 1, true),
            Err(NotEnoughMemory { bytes_free: 0x1000 })
        );
    }

    #[test]
    fn misaligned_untyped_is_checked_exactly() {
        // A 4 KiB untyped at 0x10 (not naturally aligned): seL4's count check
        // passes, but a 4 KiB-aligned object would run past the end.
        assert_eq!(
            retype_plan(0x10, 12, 0, 12, 1, true),
            Err(NotEnoughMemory { bytes_free: 0x1000 })
        );
    }

    #[test]
    fn object_sizes() {
        use object_type as t;
        assert_eq!(object_size_bits(t::TCB, 0), Ok(11));
        assert_eq!(object_size_bits(t::ENDPOINT, 0), Ok(4));
        assert_eq!(object_size_bits(t::NOTIFICATION, 0), Ok(5));
        assert_eq!(object_size_bits(t::CAP_TABLE, 13), Ok(18));
        assert_eq!(
            object_size_bits(t::CAP_TABLE, 0),
            Err(ObjectSizeError::TooSmall)
        );
        assert_eq!(
            object_size_bits(t::CAP_TABLE, 43),
            Err(ObjectSizeError::TooLarge)
        );
        assert_eq!(object_size_bits(t::UNTYPED, 47), Ok(47));
        assert_eq!(
            object_size_bits(t::UNTYPED, 48),
            Err(ObjectSizeError::TooLarge)
        );
        assert_eq!(
            object_size_bits(t::UNTYPED, 3),
            Err(ObjectSizeError::TooSmall)
        );
        assert_eq!(
            object_size_bits(t::UNTYPED, u64::MAX),
            Err(ObjectSizeError::TooLarge)
        );
        assert_eq!(
            object_size_bits(t::CAP_TABLE, u64::MAX),
            Err(ObjectSizeError::TooLarge)
        );
        // The size argument is checked even for fixed-size types.
        assert_eq!(object_size_bits(t::TCB, 64), Err(ObjectSizeError::TooLarge));
        assert_eq!(object_size_bits(t::HUGE_PAGE, 0), Ok(30));
        assert_eq!(object_size_bits(t::LARGE_PAGE, 0), Ok(21));
        assert_eq!(object_size_bits(t::SMALL_PAGE, 0), Ok(12));
        for ty in [t::PDPT, t::PML4, t::PAGE_TABLE, t::PAGE_DIRECTORY] {
            assert_eq!(object_size_bits(ty, 0), Ok(12));
        }
        assert_eq!(
            object_size_bits(t::COUNT, 0),
            Err(ObjectSizeError::InvalidType)
        );
        assert!(t::is_frame(t::SMALL_PAGE) && !t::is_frame(t::TCB));
    }

    /// A naturally aligned untyped with a used prefix, and a request.
    fn case() -> impl Strategy<Value = (u64, u8, u64, u8, u64, bool)> {
        (4u8..=47).prop_flat_map(|s| {
            (
                (0..(1u64 << (47 - s))).prop_map(move |i| i << s),
                Just(s),
                (0..=(1u64 << s) >> 4).prop_map(|i| i << 4),
                4u8..=(s + 2).min(47),
                1u64..=300,
                any::<bool>(),
            )
        })
    }

    proptest! {
        #[test]
        fn plan_is_sound((paddr, size, free, obj, n, no_children) in case()) {
            let end = paddr + (1u64 << size);
            let start_used = if no_children { 0 } else { free };
            match retype_plan(paddr, size, free, obj, n, no_children) {
                Ok(p) => {
                    // Aligned, inside, non-overlapping (back to back, each
                    // 2^obj long), and after the used prefix.
                    prop_assert_eq!(p.first_object % (1u64 << obj), 0);
                    prop_assert!(p.first_object >= paddr + start_used);
                    for i in [0, n / 2, n - 1] {
                        let a = p.object_addr(i);
                        prop_assert!(a >= paddr && a + (1u64 << obj) <= end);
                        prop_assert_eq!(a % (1u64 << obj), 0);
                    }
                    prop_assert_eq!(p.object_addr(n - 1) + (1u64 << obj), paddr + p.new_free_index);
                    // The free index only moves forward (from where the
                    // allocation started) and stays within the untyped.
                    prop_assert!(p.new_free_index >= start_used);
                    prop_assert!(p.new_free_index <= 1u64 << size);
                    prop_assert_eq!(p.new_free_index % 16, 0);
                    prop_assert_eq!(p.reset, no_children);
                }
                Err(e) => {
                    let free_bytes = (1u64 << size) - start_used;
                    prop_assert_eq!(e.bytes_free, free_bytes);
                    // seL4's check is exact for aligned untypeds.
                    prop_assert!((free_bytes >> obj) < n);
                }
            }
        }

        #[test]
        fn successive_retypes_never_overlap(size in 12u8..=24,
                                            reqs in proptest::collection::vec((4u8..=14, 1u64..=8), 1..12)) {
            let paddr = 1u64 << 30;
            let mut free = 0u64;
            let mut taken: std::vec::Vec<(u64, u64)> = std::vec::Vec::new();
            for (obj, n) in reqs {
                if let Ok(p) = retype_plan(paddr, size, free, obj, n, false) {
                    let (s, e) = (p.first_object, p.object_addr(n));
                    for &(ts, te) in &taken {
                        prop_assert!(e <= ts || s >= te, "overlap");
                    }
                    taken.push((s, e));
                    prop_assert!(p.new_free_index >= free);
                    free = p.new_free_index;
                }
            }
        }

        #[test]
        fn never_panics(paddr in any::<u64>(), size in any::<u8>(), free in any::<u64>(),
                        obj in any::<u8>(), n in any::<u64>(), nc in any::<bool>()) {
            let _ = retype_plan(paddr, size, free, obj, n, nc);
            let _ = object_size_bits(obj as u64 % 16, free);
        }
    }
}
