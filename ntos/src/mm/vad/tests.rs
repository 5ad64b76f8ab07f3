//! Table-driven tests of the address-space rules against Windows' observed
//! behaviour. Facts come from Wine's ntdll and kernel32 virtual-memory
//! tests (which run on Windows), ReactOS's ARM3 virtual.c and the WRK; each
//! test names the fact it checks.

use super::ops::zero_bits_limit;
use super::*;

const RW: u32 = PAGE_READWRITE;
const RESERVE: u32 = MEM_RESERVE;
const COMMIT: u32 = MEM_COMMIT;
const BOTH: u32 = MEM_RESERVE | MEM_COMMIT;
const TOP: u64 = MM_HIGHEST_USER_ADDRESS;

fn ok(r: Result<Change, NtStatus>) -> (u64, u64) {
    let c = r.unwrap();
    (c.base, c.size)
}

fn mbi(s: &AddressSpace, addr: u64) -> MemoryBasicInformation {
    s.query(addr).unwrap()
}

/// A space with a committed read-write 64 KiB allocation at 0x10000 whose
/// pages all have frames (as after touching them).
fn touched() -> AddressSpace {
    let mut s = AddressSpace::new();
    assert_eq!(ok(s.allocate(0, 0x10000, BOTH, RW, 0)), (0x10000, 0x10000));
    for p in (0x10000..0x20000).step_by(0x1000) {
        assert!(s.set_backed(p, true).unwrap().is_some());
    }
    s
}

fn rights(write: bool, execute: bool) -> Rights {
    Rights {
        write,
        execute,
        cache: CacheMode::WriteBack,
    }
}

fn view(kind: VadType, protect: u32, max_protect: u32) -> ViewRequest {
    ViewRequest {
        base: 0,
        size: 0x3000,
        kind,
        protect,
        max_protect,
        commit: true,
        private_copies: false,
        zero_bits: 0,
        top_down: false,
        tag: 77,
    }
}

// --- Protections ---

#[test]
fn every_base_protection_and_single_modifier_is_valid() {
    for base in [
        PAGE_NOACCESS,
        PAGE_READONLY,
        PAGE_READWRITE,
        PAGE_WRITECOPY,
        PAGE_EXECUTE,
        PAGE_EXECUTE_READ,
        PAGE_EXECUTE_READWRITE,
        PAGE_EXECUTE_WRITECOPY,
    ] {
        assert!(is_valid_protection(base), "{base:#x}");
        if base != PAGE_NOACCESS {
            for m in [PAGE_GUARD, PAGE_NOCACHE, PAGE_WRITECOMBINE] {
                assert!(is_valid_protection(base | m), "{:#x}", base | m);
            }
        }
    }
}

#[test]
fn invalid_protections_are_refused() {
    // MiMakeProtectionMask: no base, two bases, modifiers on NOACCESS, two
    // modifiers together, unknown bits.
    for p in [
        0,
        PAGE_GUARD,
        PAGE_READONLY | PAGE_READWRITE,
        PAGE_READWRITE | PAGE_EXECUTE,
        PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE,
        PAGE_NOACCESS | PAGE_GUARD,
        PAGE_NOACCESS | PAGE_NOCACHE,
        PAGE_NOACCESS | PAGE_WRITECOMBINE,
        PAGE_READWRITE | PAGE_GUARD | PAGE_NOCACHE,
        PAGE_READWRITE | PAGE_NOCACHE | PAGE_WRITECOMBINE,
        PAGE_READWRITE | PAGE_GUARD | PAGE_WRITECOMBINE,
        PAGE_READWRITE | 0x800,
        0x4000_0004,
    ] {
        assert!(!is_valid_protection(p), "{p:#x}");
    }
}

#[test]
fn mapping_rights_follow_the_protection() {
    let table = [
        (PAGE_NOACCESS, None),
        (PAGE_READONLY, Some(rights(false, false))),
        (PAGE_READWRITE, Some(rights(true, false))),
        // Copy-on-write maps read-only so that the first write faults.
        (PAGE_WRITECOPY, Some(rights(false, false))),
        // x86 has no execute-only pages.
        (PAGE_EXECUTE, Some(rights(false, true))),
        (PAGE_EXECUTE_READ, Some(rights(false, true))),
        (PAGE_EXECUTE_READWRITE, Some(rights(true, true))),
        (PAGE_EXECUTE_WRITECOPY, Some(rights(false, true))),
        (PAGE_READWRITE | PAGE_GUARD, None),
        (0, None),
    ];
    for (p, r) in table {
        assert_eq!(protection_rights(p, false), r, "{p:#x}");
    }
    assert_eq!(
        protection_rights(PAGE_WRITECOPY, true),
        Some(rights(true, false))
    );
    assert_eq!(
        protection_rights(PAGE_READWRITE | PAGE_NOCACHE, false),
        Some(Rights {
            write: true,
            execute: false,
            cache: CacheMode::Uncached
        })
    );
    assert_eq!(
        protection_rights(PAGE_READONLY | PAGE_WRITECOMBINE, false),
        Some(Rights {
            write: false,
            execute: false,
            cache: CacheMode::WriteCombining
        })
    );
}

// --- NtAllocateVirtualMemory: rounding and placement ---

#[test]
fn reserve_anywhere_rounds_the_size_up_to_pages() {
    // Wine kernel32 test_VirtualAlloc: a reserve of 0xFFFC bytes is a
    // 0x10000-byte region.
    let mut s = AddressSpace::new();
    assert_eq!(
        ok(s.allocate(0, 0xFFFC, RESERVE, PAGE_NOACCESS, 0)),
        (0x10000, 0x10000)
    );
    assert_eq!(ok(s.allocate(0, 0x1001, RESERVE, RW, 0)), (0x20000, 0x2000));
}

#[test]
fn reserve_at_an_address_rounds_the_base_down_to_64k_and_the_end_up_to_a_page() {
    // ReactOS/WRK: start = base rounded down to 64 KiB, end = last byte's
    // page end.
    let mut s = AddressSpace::new();
    assert_eq!(
        ok(s.allocate(0x1234_5678, 0x1000, RESERVE, RW, 0)),
        (0x1234_0000, 0x7000)
    );
    let m = mbi(&s, 0x1234_0000);
    assert_eq!(
        (m.allocation_base, m.region_size, m.state),
        (0x1234_0000, 0x7000, MEM_RESERVE)
    );
}

#[test]
fn allocations_the_memory_manager_places_are_64k_aligned_bottom_up() {
    let mut s = AddressSpace::new();
    let bases: Vec<u64> = (0..4)
        .map(|_| ok(s.allocate(0, 0x1000, BOTH, RW, 0)).0)
        .collect();
    assert_eq!(bases, [0x10000, 0x20000, 0x30000, 0x40000]);
}

#[test]
fn bottom_up_search_fills_the_first_gap_that_fits() {
    let mut s = AddressSpace::new();
    s.allocate(0x10000, 0x10000, RESERVE, RW, 0).unwrap();
    s.allocate(0x40000, 0x10000, RESERVE, RW, 0).unwrap();
    // 0x20000..0x40000 is free: a 0x20000 allocation fits exactly.
    assert_eq!(
        ok(s.allocate(0, 0x20000, RESERVE, RW, 0)),
        (0x20000, 0x20000)
    );
    assert_eq!(ok(s.allocate(0, 0x1000, RESERVE, RW, 0)).0, 0x50000);
}

#[test]
fn top_down_takes_the_highest_free_range() {
    let mut s = AddressSpace::new();
    let (b, _) = ok(s.allocate(0, 0x1000, BOTH | MEM_TOP_DOWN, RW, 0));
    assert_eq!(b, 0x7FFF_FFFE_0000);
    let (b, _) = ok(s.allocate(0, 0x10000, RESERVE | MEM_TOP_DOWN, RW, 0));
    assert_eq!(b, 0x7FFF_FFFD_0000);
    // MEM_TOP_DOWN with an address is ignored: the address is used.
    assert_eq!(
        ok(s.allocate(0x50000, 0x1000, RESERVE | MEM_TOP_DOWN, RW, 0)).0,
        0x50000
    );
}

#[test]
fn commit_with_no_address_reserves_and_commits() {
    // ReactOS: no base address takes the reserve path even without
    // MEM_RESERVE.
    let mut s = AddressSpace::new();
    assert_eq!(ok(s.allocate(0, 0x2000, COMMIT, RW, 0)), (0x10000, 0x2000));
    let m = mbi(&s, 0x10000);
    assert_eq!(
        (m.state, m.protect, m.region_size, m.type_),
        (MEM_COMMIT, RW, 0x2000, MEM_PRIVATE)
    );
}

#[test]
fn commit_rounds_to_pages() {
    // Wine ntdll test: 2 bytes at base+0x1fff cover pages 1 and 2.
    let mut s = AddressSpace::new();
    s.allocate(0x10000, 0x10000, RESERVE, PAGE_NOACCESS, 0)
        .unwrap();
    assert_eq!(ok(s.allocate(0x11fff, 2, COMMIT, RW, 0)), (0x11000, 0x2000));
    assert_eq!(mbi(&s, 0x10000).state, MEM_RESERVE);
    let m = mbi(&s, 0x11000);
    assert_eq!(
        (m.state, m.region_size, m.allocation_protect),
        (MEM_COMMIT, 0x2000, PAGE_NOACCESS)
    );
}

// --- ZeroBits ---

#[test]
fn zero_bits_one_keeps_the_address_below_2_pow_31() {
    // Wine ntdll test: with 1 zero bit the address has bits 63..31 clear.
    let mut s = AddressSpace::new();
    let (b, _) = ok(s.allocate(0, 0x1000, BOTH | MEM_TOP_DOWN, RW, 1));
    assert_eq!(b, 0x7FFF_0000);
    for zero_bits in 2..=15 {
        let (b, _) = ok(s.allocate(0, 0x1000, BOTH | MEM_TOP_DOWN, RW, zero_bits));
        assert_eq!(b >> (32 - zero_bits), 0, "{zero_bits}");
    }
}

#[test]
fn zero_bits_leaving_no_room_above_64k_is_no_memory() {
    // Wine ntdll test: 16..=21 zero bits leave at most 64 KiB: no memory.
    let mut s = AddressSpace::new();
    for zero_bits in 16..=21 {
        assert_eq!(
            s.allocate(0, 0x1000, BOTH, RW, zero_bits),
            Err(STATUS_NO_MEMORY),
            "{zero_bits}"
        );
    }
}

#[test]
fn zero_bits_22_to_31_are_invalid_parameter_3() {
    // Wine ntdll test: "22 zero bits is invalid"; the WRK's limit is 53 of
    // 64 bits (a count n < 32 means n + 32).
    let mut s = AddressSpace::new();
    for zero_bits in 22..32 {
        assert_eq!(
            s.allocate(0, 0x1000, BOTH, RW, zero_bits),
            Err(STATUS_INVALID_PARAMETER_3),
            "{zero_bits}"
        );
    }
}

#[test]
fn zero_bits_above_31_are_a_mask_of_which_only_the_leading_zeros_count() {
    // Wine ntdll test: 0x1aaaaaaa on 64-bit means "below 2^29".
    assert_eq!(zero_bits_limit(0x1aaa_aaaa), Some(0x1FFF_FFFF));
    let mut s = AddressSpace::new();
    let (b, _) = ok(s.allocate(0, 0x1000, BOTH | MEM_TOP_DOWN, RW, 0x1aaa_aaaa));
    assert_eq!(b, 0x1FFF_0000);
    // A mask with its top bit below bit 10 forces more than 53 zero bits.
    assert_eq!(zero_bits_limit(32), None);
    assert_eq!(zero_bits_limit(0x3FF), None);
    assert_eq!(zero_bits_limit(0x7FF), Some(0x7FF));
    // A mask reaching past the user range limits nothing.
    assert_eq!(zero_bits_limit(u64::MAX), Some(TOP));
    assert_eq!(zero_bits_limit(0), Some(TOP));
}

#[test]
fn zero_bits_are_checked_before_everything_else() {
    // ReactOS's order: ZeroBits (_3) before AllocationType (_5).
    let mut s = AddressSpace::new();
    assert_eq!(s.allocate(0, 0, 0, 0, 22), Err(STATUS_INVALID_PARAMETER_3));
}

// --- Parameter checks ---

#[test]
fn bad_allocation_types_are_invalid_parameter_5() {
    // ReactOS NtAllocateVirtualMemory's AllocationType checks; Wine: an
    // unknown flag (AT_ROUND_TO_PAGE 0x40000000) is refused.
    let mut s = AddressSpace::new();
    for t in [
        0,
        MEM_TOP_DOWN,
        MEM_DECOMMIT,
        MEM_RELEASE,
        MEM_RESET | MEM_COMMIT,
        MEM_RESET | MEM_TOP_DOWN,
        MEM_COMMIT | 0x4000_0000,
        MEM_COMMIT | 1,
        MEM_LARGE_PAGES | MEM_RESERVE,
        MEM_LARGE_PAGES | MEM_COMMIT | MEM_WRITE_WATCH | MEM_RESERVE,
        MEM_WRITE_WATCH | MEM_COMMIT,
        MEM_PHYSICAL | MEM_COMMIT,
        MEM_PHYSICAL | MEM_RESERVE | MEM_COMMIT,
    ] {
        assert_eq!(
            s.allocate(0, 0x1000, t, RW, 0),
            Err(STATUS_INVALID_PARAMETER_5),
            "{t:#x}"
        );
    }
}

#[test]
fn physical_memory_needs_read_write_and_is_not_implemented() {
    let mut s = AddressSpace::new();
    let phys = MEM_PHYSICAL | MEM_RESERVE;
    assert_eq!(
        s.allocate(0, 0x1000, phys, PAGE_READONLY, 0),
        Err(STATUS_INVALID_PARAMETER_6)
    );
    assert_eq!(
        s.allocate(0, 0x1000, phys, RW, 0),
        Err(STATUS_NOT_IMPLEMENTED)
    );
    assert_eq!(
        s.allocate(0, 0x1000, MEM_WRITE_WATCH | RESERVE, RW, 0),
        Err(STATUS_NOT_IMPLEMENTED)
    );
    assert_eq!(
        s.allocate(0, 0x1000, MEM_LARGE_PAGES | BOTH, RW, 0),
        Err(STATUS_NOT_IMPLEMENTED)
    );
    assert_eq!(s.allocations().count(), 0);
}

#[test]
fn bad_protections_are_invalid_page_protection() {
    let mut s = AddressSpace::new();
    for p in [
        0,
        PAGE_GUARD | PAGE_NOACCESS,
        PAGE_READONLY | PAGE_READWRITE,
        0x800 | RW,
    ] {
        assert_eq!(
            s.allocate(0, 0x1000, BOTH, p, 0),
            Err(STATUS_INVALID_PAGE_PROTECTION),
            "{p:#x}"
        );
    }
    // The type is checked first (_5), the protection before the address.
    assert_eq!(
        s.allocate(0, 0x1000, 0, 0, 0),
        Err(STATUS_INVALID_PARAMETER_5)
    );
    assert_eq!(
        s.allocate(u64::MAX, 0x1000, BOTH, 0, 0),
        Err(STATUS_INVALID_PAGE_PROTECTION)
    );
}

#[test]
fn size_zero_or_past_the_user_range_is_invalid_parameter_4() {
    // ReactOS: a zero size or one that runs past the user range.
    let mut s = AddressSpace::new();
    assert_eq!(
        s.allocate(0, 0, BOTH, RW, 0),
        Err(STATUS_INVALID_PARAMETER_4)
    );
    assert_eq!(
        s.allocate(0x10000, 0, RESERVE, RW, 0),
        Err(STATUS_INVALID_PARAMETER_4)
    );
    assert_eq!(
        s.allocate(0x7FFF_FFFE_0000, 0x20000, RESERVE, RW, 0),
        Err(STATUS_INVALID_PARAMETER_4)
    );
    assert_eq!(
        s.allocate(0, u64::MAX, RESERVE, RW, 0),
        Err(STATUS_INVALID_PARAMETER_4)
    );
    // Exactly up to the end of the user range is fine.
    assert_eq!(
        ok(s.allocate(0x7FFF_FFFE_0000, 0x10000, RESERVE, RW, 0)),
        (0x7FFF_FFFE_0000, 0x10000)
    );
}

#[test]
fn an_address_above_the_user_range_is_invalid_parameter_2() {
    let mut s = AddressSpace::new();
    assert_eq!(
        s.allocate(TOP + 1, 0x1000, RESERVE, RW, 0),
        Err(STATUS_INVALID_PARAMETER_2)
    );
    assert_eq!(
        s.allocate(0xFFFF_8000_0000_0000, 0x1000, COMMIT, RW, 0),
        Err(STATUS_INVALID_PARAMETER_2)
    );
}

#[test]
fn reserving_in_the_first_64k_is_invalid_parameter() {
    // Wine's NtAllocateVirtualMemory refuses the low 64 KiB outright.
    let mut s = AddressSpace::new();
    assert_eq!(
        s.allocate(0x1000, 0x1000, RESERVE, RW, 0),
        Err(STATUS_INVALID_PARAMETER)
    );
    assert_eq!(
        s.allocate(0xFFFF, 0x1000, BOTH, RW, 0),
        Err(STATUS_INVALID_PARAMETER)
    );
}

#[test]
fn copy_on_write_is_refused_for_private_memory() {
    // ReactOS: "Copy on write not allowed through this path", on both the
    // reserve and the commit path.
    let mut s = AddressSpace::new();
    assert_eq!(
        s.allocate(0, 0x1000, BOTH, PAGE_WRITECOPY, 0),
        Err(STATUS_INVALID_PAGE_PROTECTION)
    );
    assert_eq!(
        s.allocate(0, 0x1000, RESERVE, PAGE_EXECUTE_WRITECOPY, 0),
        Err(STATUS_INVALID_PAGE_PROTECTION)
    );
    s.allocate(0x10000, 0x10000, RESERVE, RW, 0).unwrap();
    assert_eq!(
        s.allocate(0x10000, 0x1000, COMMIT, PAGE_WRITECOPY, 0),
        Err(STATUS_INVALID_PAGE_PROTECTION)
    );
}

// --- Conflicts ---

#[test]
fn a_second_reserve_in_the_same_64k_conflicts() {
    // Wine ntdll test: base+0x1000 of a 0x1000 allocation conflicts because
    // the base rounds down onto it, with or without ZeroBits.
    let mut s = AddressSpace::new();
    let (b, _) = ok(s.allocate(0, 0x1000, BOTH, PAGE_EXECUTE_READWRITE, 0));
    for zero_bits in [0, 12] {
        assert_eq!(
            s.allocate(b + 0x1000, 0x1000, BOTH, PAGE_EXECUTE_READWRITE, zero_bits),
            Err(STATUS_CONFLICTING_ADDRESSES)
        );
    }
}

#[test]
fn reserving_over_any_part_of_an_allocation_conflicts() {
    let mut s = AddressSpace::new();
    s.allocate(0x20000, 0x20000, RESERVE, RW, 0).unwrap();
    for (base, size) in [
        (0x10000, 0x10001),
        (0x30000, 0x1000),
        (0x3F000, 0x2000),
        (0x10000, 0x40000),
    ] {
        assert_eq!(
            s.allocate(base, size, RESERVE, RW, 0),
            Err(STATUS_CONFLICTING_ADDRESSES),
            "{base:#x}"
        );
    }
    // Right below and right above are free.
    assert_eq!(
        ok(s.allocate(0x10000, 0x10000, RESERVE, RW, 0)),
        (0x10000, 0x10000)
    );
    assert_eq!(
        ok(s.allocate(0x40000, 0x1000, RESERVE, RW, 0)),
        (0x40000, 0x1000)
    );
}

#[test]
fn committing_free_memory_conflicts() {
    let mut s = AddressSpace::new();
    assert_eq!(
        s.allocate(0x10000, 0x1000, COMMIT, RW, 0),
        Err(STATUS_CONFLICTING_ADDRESSES)
    );
}

#[test]
fn committing_across_two_allocations_or_past_the_end_conflicts() {
    let mut s = AddressSpace::new();
    s.allocate(0x10000, 0x10000, RESERVE, RW, 0).unwrap();
    s.allocate(0x20000, 0x10000, RESERVE, RW, 0).unwrap();
    s.allocate(0x40000, 0x8000, RESERVE, RW, 0).unwrap();
    assert_eq!(
        s.allocate(0x1F000, 0x2000, COMMIT, RW, 0),
        Err(STATUS_CONFLICTING_ADDRESSES)
    );
    assert_eq!(
        s.allocate(0x47000, 0x2000, COMMIT, RW, 0),
        Err(STATUS_CONFLICTING_ADDRESSES)
    );
    assert_eq!(
        s.allocate(0x48000, 0x1000, COMMIT, RW, 0),
        Err(STATUS_CONFLICTING_ADDRESSES)
    );
    assert_eq!(s.committed_private_pages(), 0);
}

#[test]
fn the_address_space_runs_out() {
    let mut s = AddressSpace::new();
    assert_eq!(
        s.allocate(0, TOP + 1 - 0x10000, RESERVE, RW, 0)
            .unwrap()
            .base,
        0x10000
    );
    assert_eq!(s.allocate(0, 0x1000, RESERVE, RW, 0), Err(STATUS_NO_MEMORY));
}

// --- Re-commit ---

#[test]
fn recommitting_sets_the_protection_and_charges_only_new_pages() {
    // Windows changes the protection of pages committed already (ReactOS
    // calls MiProtectVirtualMemory for them).
    let mut s = AddressSpace::new();
    s.allocate(0x10000, 0x10000, RESERVE, RW, 0).unwrap();
    s.allocate(0x10000, 0x2000, COMMIT, RW, 0).unwrap();
    assert_eq!(s.committed_private_pages(), 2);
    s.allocate(0x11000, 0x2000, COMMIT, PAGE_READONLY, 0)
        .unwrap();
    assert_eq!(s.committed_private_pages(), 3);
    assert_eq!(
        (mbi(&s, 0x10000).protect, mbi(&s, 0x10000).region_size),
        (RW, 0x1000)
    );
    assert_eq!(
        (mbi(&s, 0x11000).protect, mbi(&s, 0x11000).region_size),
        (PAGE_READONLY, 0x2000)
    );
}

#[test]
fn recommitting_backed_pages_changes_their_mapping() {
    let mut s = touched();
    let c = s
        .allocate(0x10000, 0x2000, COMMIT, PAGE_READONLY, 0)
        .unwrap();
    assert_eq!(
        c.actions,
        [
            PageAction::Remap {
                page: 0x10000,
                rights: rights(false, false)
            },
            PageAction::Remap {
                page: 0x11000,
                rights: rights(false, false)
            },
        ]
    );
    let c = s
        .allocate(0x10000, 0x1000, COMMIT, PAGE_READONLY | PAGE_GUARD, 0)
        .unwrap();
    assert_eq!(c.actions, [PageAction::Unmap { page: 0x10000 }]);
    // Same protection again: nothing to do.
    assert!(s
        .allocate(0x11000, 0x1000, COMMIT, PAGE_READONLY, 0)
        .unwrap()
        .actions
        .is_empty());
}

// --- NtQueryVirtualMemory ---

#[test]
fn a_reservation_reports_protect_0_and_its_allocation_protect() {
    // Wine kernel32 test: NT reports Protect 0 for reserved memory.
    let mut s = AddressSpace::new();
    let (b, _) = ok(s.allocate(0, 0xFFFC, RESERVE, PAGE_NOACCESS, 0));
    let m = mbi(&s, b);
    assert_eq!(
        m,
        MemoryBasicInformation {
            base_address: b,
            allocation_base: b,
            allocation_protect: PAGE_NOACCESS,
            partition_id: 0,
            region_size: 0x10000,
            state: MEM_RESERVE,
            protect: 0,
            type_: MEM_PRIVATE,
        }
    );
}

#[test]
fn a_committed_page_in_a_reservation_is_its_own_region() {
    // Wine kernel32 test: committing 0x1000 of a reservation makes a
    // 0x1000-byte committed region reporting PAGE_NOACCESS.
    let mut s = AddressSpace::new();
    let (b, _) = ok(s.allocate(0, 0xFFFC, RESERVE, PAGE_NOACCESS, 0));
    assert_eq!(
        ok(s.allocate(b, 0x1000, COMMIT, PAGE_NOACCESS, 0)),
        (b, 0x1000)
    );
    let m = mbi(&s, b);
    assert_eq!(
        (m.region_size, m.state, m.protect),
        (0x1000, MEM_COMMIT, PAGE_NOACCESS)
    );
    let m = mbi(&s, b + 0x1000);
    assert_eq!(
        (m.base_address, m.allocation_base, m.region_size, m.state),
        (b + 0x1000, b, 0xF000, MEM_RESERVE)
    );
}

#[test]
fn a_query_inside_a_run_starts_at_the_page_and_runs_to_the_runs_end() {
    let mut s = AddressSpace::new();
    s.allocate(0x10000, 0x8000, BOTH, RW, 0).unwrap();
    let m = mbi(&s, 0x12345);
    assert_eq!(
        (m.base_address, m.region_size, m.allocation_base),
        (0x12000, 0x6000, 0x10000)
    );
}

#[test]
fn runs_break_where_the_protection_changes_not_where_frames_are() {
    let mut s = touched();
    s.set_backed(0x13000, false).unwrap();
    // Backed or not, the pages are one committed read-write region.
    assert_eq!(mbi(&s, 0x10000).region_size, 0x10000);
    s.protect(0x14000, 0x1000, PAGE_READONLY).unwrap();
    assert_eq!(mbi(&s, 0x10000).region_size, 0x4000);
    assert_eq!(
        (mbi(&s, 0x14000).region_size, mbi(&s, 0x14000).protect),
        (0x1000, PAGE_READONLY)
    );
    assert_eq!(mbi(&s, 0x15000).region_size, 0xB000);
}

#[test]
fn free_memory_runs_to_the_next_allocation() {
    // Free regions: AllocationBase 0, Protect PAGE_NOACCESS, Type 0.
    let mut s = AddressSpace::new();
    s.allocate(0x50000, 0x1000, RESERVE, RW, 0).unwrap();
    let m = mbi(&s, 0x23456);
    assert_eq!(
        m,
        MemoryBasicInformation {
            base_address: 0x23000,
            region_size: 0x2D000,
            state: MEM_FREE,
            protect: PAGE_NOACCESS,
            ..Default::default()
        }
    );
    // Below the lowest user address too, up to the first allocation.
    assert_eq!(
        (mbi(&s, 0).base_address, mbi(&s, 0).region_size),
        (0, 0x50000)
    );
    // The page after the one-page allocation is free up to the user range's
    // end.
    let m = mbi(&s, 0x51000);
    assert_eq!((m.state, m.region_size), (MEM_FREE, TOP + 1 - 0x51000));
}

#[test]
fn queries_above_the_user_range_are_invalid_parameter() {
    let s = AddressSpace::new();
    assert_eq!(s.query(TOP + 1), Err(STATUS_INVALID_PARAMETER));
    assert_eq!(s.query(u64::MAX), Err(STATUS_INVALID_PARAMETER));
    assert_eq!(mbi(&s, TOP).base_address, TOP & !0xFFF);
    assert_eq!(mbi(&s, TOP).region_size, 0x1000);
}

#[test]
fn a_guard_page_reports_its_modifier() {
    let mut s = AddressSpace::new();
    s.allocate(0, 0x1000, BOTH, RW | PAGE_GUARD, 0).unwrap();
    assert_eq!(mbi(&s, 0x10000).protect, 0x104);
    assert_eq!(mbi(&s, 0x10000).allocation_protect, 0x104);
}

// --- NtFreeVirtualMemory ---

#[test]
fn free_types_other_than_exactly_decommit_or_release_are_invalid_parameter_4() {
    // ReactOS: "Only two flags are supported, exclusively"; Wine kernel32
    // test: type 0 is ERROR_INVALID_PARAMETER.
    let mut s = touched();
    for t in [0, MEM_DECOMMIT | MEM_RELEASE, MEM_COMMIT, MEM_RELEASE | 1] {
        assert_eq!(
            s.free(0x10000, 0, t),
            Err(STATUS_INVALID_PARAMETER_4),
            "{t:#x}"
        );
    }
}

#[test]
fn free_address_and_size_checks() {
    let mut s = touched();
    assert_eq!(
        s.free(TOP + 1, 0, MEM_RELEASE),
        Err(STATUS_INVALID_PARAMETER_2)
    );
    assert_eq!(
        s.free(0x10000, TOP, MEM_RELEASE),
        Err(STATUS_INVALID_PARAMETER_3)
    );
}

#[test]
fn release_with_size_0_needs_the_allocation_base_page() {
    // Wine ntdll test: base+0x1001 is STATUS_FREE_VM_NOT_AT_BASE, base+0xfff
    // (same page as the base) releases the whole 0x10000.
    let mut s = touched();
    assert_eq!(
        s.free(0x11001, 0, MEM_RELEASE),
        Err(STATUS_FREE_VM_NOT_AT_BASE)
    );
    assert_eq!(
        s.free(0x11001, 0, MEM_DECOMMIT),
        Err(STATUS_FREE_VM_NOT_AT_BASE)
    );
    let c = s.free(0x10fff, 0, MEM_RELEASE).unwrap();
    assert_eq!((c.base, c.size, c.actions.len()), (0x10000, 0x10000, 16));
    assert_eq!(mbi(&s, 0x10000).state, MEM_FREE);
    assert_eq!(s.allocations().count(), 0);
}

#[test]
fn decommit_with_size_0_at_the_base_decommits_everything() {
    // Wine ntdll test: MEM_DECOMMIT of size 0 at base+0xffe succeeds.
    let mut s = touched();
    let c = s.free(0x10ffe, 0, MEM_DECOMMIT).unwrap();
    assert_eq!((c.base, c.size), (0x10000, 0x10000));
    assert!(c
        .actions
        .iter()
        .all(|a| matches!(a, PageAction::Release { mapped: true, .. })));
    let m = mbi(&s, 0x10000);
    assert_eq!(
        (m.state, m.region_size, m.protect),
        (MEM_RESERVE, 0x10000, 0)
    );
    assert_eq!(s.committed_private_pages(), 0);
}

#[test]
fn decommit_rounds_to_pages() {
    // Wine ntdll test: 2 bytes at base+0x1fff decommit 0x2000 from +0x1000.
    let mut s = touched();
    let c = s.free(0x11fff, 2, MEM_DECOMMIT).unwrap();
    assert_eq!((c.base, c.size), (0x11000, 0x2000));
    assert_eq!(
        c.actions,
        [
            PageAction::Release {
                page: 0x11000,
                mapped: true
            },
            PageAction::Release {
                page: 0x12000,
                mapped: true
            }
        ]
    );
    assert_eq!(s.committed_private_pages(), 14);
    // Decommitting reserved pages again is fine and releases nothing.
    assert!(s
        .free(0x11000, 0x2000, MEM_DECOMMIT)
        .unwrap()
        .actions
        .is_empty());
    assert_eq!(s.committed_private_pages(), 14);
}

#[test]
fn freeing_free_memory_is_memory_not_allocated() {
    // Wine ntdll test: releasing a released region.
    let mut s = AddressSpace::new();
    assert_eq!(
        s.free(0x10000, 0, MEM_RELEASE),
        Err(STATUS_MEMORY_NOT_ALLOCATED)
    );
    assert_eq!(
        s.free(0x10000, 0x1000, MEM_DECOMMIT),
        Err(STATUS_MEMORY_NOT_ALLOCATED)
    );
    assert_eq!(s.free(0, 0, MEM_RELEASE), Err(STATUS_MEMORY_NOT_ALLOCATED));
}

#[test]
fn freeing_past_the_allocation_is_unable_to_free_vm() {
    // ReactOS: a range beyond the VAD's end.
    let mut s = touched();
    s.allocate(0x20000, 0x10000, RESERVE, RW, 0).unwrap();
    assert_eq!(
        s.free(0x1F000, 0x2000, MEM_RELEASE),
        Err(STATUS_UNABLE_TO_FREE_VM)
    );
    assert_eq!(
        s.free(0x10000, 0x10001, MEM_DECOMMIT),
        Err(STATUS_UNABLE_TO_FREE_VM)
    );
}

#[test]
fn views_cannot_be_freed_only_unmapped() {
    // ReactOS: only private memory can be freed (STATUS_UNABLE_TO_DELETE_SECTION).
    let mut s = AddressSpace::new();
    let (b, _) = s.map_view(&view(VadType::Mapped, RW, RW)).unwrap();
    assert_eq!(
        s.free(b, 0, MEM_RELEASE),
        Err(STATUS_UNABLE_TO_DELETE_SECTION)
    );
    assert_eq!(
        s.free(b, 0x1000, MEM_DECOMMIT),
        Err(STATUS_UNABLE_TO_DELETE_SECTION)
    );
}

#[test]
fn releasing_the_front_leaves_an_allocation_based_after_it() {
    // ReactOS case A: the VAD's start moves up.
    let mut s = touched();
    let c = s.free(0x10000, 0x3000, MEM_RELEASE).unwrap();
    assert_eq!((c.base, c.size, c.actions.len()), (0x10000, 0x3000, 3));
    assert_eq!(mbi(&s, 0x10000).state, MEM_FREE);
    assert_eq!(mbi(&s, 0x10000).region_size, 0x3000);
    let m = mbi(&s, 0x13000);
    assert_eq!(
        (m.allocation_base, m.region_size, m.state),
        (0x13000, 0xD000, MEM_COMMIT)
    );
    assert_eq!(s.committed_private_pages(), 13);
    assert_eq!(s.virtual_size(), 0xD000);
}

#[test]
fn releasing_the_end_shrinks_the_allocation() {
    // ReactOS case C.
    let mut s = touched();
    s.free(0x1E000, 0x2000, MEM_RELEASE).unwrap();
    let m = mbi(&s, 0x10000);
    assert_eq!((m.allocation_base, m.region_size), (0x10000, 0xE000));
    assert_eq!(mbi(&s, 0x1E000).state, MEM_FREE);
}

#[test]
fn releasing_the_middle_splits_the_allocation() {
    // ReactOS case B: two VADs, the upper one based after the hole.
    let mut s = touched();
    let c = s.free(0x14000, 0x4000, MEM_RELEASE).unwrap();
    assert_eq!((c.base, c.size), (0x14000, 0x4000));
    let bases: Vec<(u64, u64)> = s.allocations().map(|a| (a.base, a.size)).collect();
    assert_eq!(bases, [(0x10000, 0x4000), (0x18000, 0x8000)]);
    assert_eq!(mbi(&s, 0x19000).allocation_base, 0x18000);
    assert_eq!(mbi(&s, 0x15000).state, MEM_FREE);
    // The upper piece is released with size 0 at its own base.
    assert_eq!(s.free(0x18000, 0, MEM_RELEASE).unwrap().size, 0x8000);
    assert_eq!(s.committed_private_pages(), 4);
}

#[test]
fn releasing_the_whole_allocation_with_its_size_is_fine() {
    // ReactOS case D.
    let mut s = touched();
    let c = s.free(0x10000, 0x10000, MEM_RELEASE).unwrap();
    assert_eq!((c.base, c.size), (0x10000, 0x10000));
    assert_eq!(s.allocations().count(), 0);
}

#[test]
fn release_actions_say_which_pages_were_mapped() {
    let mut s = touched();
    s.protect(0x10000, 0x1000, PAGE_NOACCESS).unwrap();
    s.set_backed(0x11000, false).unwrap();
    let c = s.free(0x10000, 0x3000, MEM_DECOMMIT).unwrap();
    assert_eq!(
        c.actions,
        [
            PageAction::Release {
                page: 0x10000,
                mapped: false
            },
            PageAction::Release {
                page: 0x12000,
                mapped: true
            }
        ]
    );
}

// --- NtProtectVirtualMemory ---

#[test]
fn protecting_uncommitted_pages_is_not_committed() {
    // Wine kernel32 test: VirtualProtect of reserved memory, and of a range
    // only partly committed, fails (ERROR_INVALID_ADDRESS =
    // STATUS_NOT_COMMITTED).
    let mut s = AddressSpace::new();
    let (b, _) = ok(s.allocate(0, 0xFFFC, RESERVE, PAGE_NOACCESS, 0));
    assert_eq!(
        s.protect(b, 0xFFFC, PAGE_READONLY),
        Err(STATUS_NOT_COMMITTED)
    );
    s.allocate(b, 0x1000, COMMIT, PAGE_NOACCESS, 0).unwrap();
    assert_eq!(
        s.protect(b, 0xFFFC, PAGE_READONLY),
        Err(STATUS_NOT_COMMITTED)
    );
}

#[test]
fn protect_returns_the_first_pages_old_protection() {
    // Wine kernel32 test: NOACCESS -> READONLY -> READWRITE.
    let mut s = AddressSpace::new();
    let (b, _) = ok(s.allocate(0, 0x2000, BOTH, PAGE_NOACCESS, 0));
    assert_eq!(
        s.protect(b, 0x1000, PAGE_READONLY).unwrap().1,
        PAGE_NOACCESS
    );
    let (c, old) = s.protect(b, 0x2000, RW).unwrap();
    assert_eq!((old, c.base, c.size), (PAGE_READONLY, b, 0x2000));
    assert_eq!(mbi(&s, b).region_size, 0x2000);
}

#[test]
fn protect_outside_one_allocation_conflicts() {
    let mut s = touched();
    s.allocate(0x20000, 0x10000, BOTH, RW, 0).unwrap();
    assert_eq!(
        s.protect(0x30000, 0x1000, RW),
        Err(STATUS_CONFLICTING_ADDRESSES)
    );
    assert_eq!(
        s.protect(0x1F000, 0x2000, RW),
        Err(STATUS_CONFLICTING_ADDRESSES)
    );
}

#[test]
fn protect_parameter_checks() {
    // ReactOS NtProtectVirtualMemory: the protection first, then the base
    // (_2), then the size (_3, zero included).
    let mut s = touched();
    assert_eq!(
        s.protect(TOP + 1, 0, 0),
        Err(STATUS_INVALID_PAGE_PROTECTION)
    );
    assert_eq!(
        s.protect(TOP + 1, 0x1000, RW),
        Err(STATUS_INVALID_PARAMETER_2)
    );
    assert_eq!(s.protect(0x10000, 0, RW), Err(STATUS_INVALID_PARAMETER_3));
    assert_eq!(s.protect(0x10000, TOP, RW), Err(STATUS_INVALID_PARAMETER_3));
    assert_eq!(
        s.protect(0x10000, 0x1000, PAGE_WRITECOPY),
        Err(STATUS_INVALID_PAGE_PROTECTION)
    );
    assert_eq!(
        s.protect(0x10000, 0x1000, PAGE_EXECUTE_WRITECOPY),
        Err(STATUS_INVALID_PAGE_PROTECTION)
    );
}

#[test]
fn protect_tells_how_to_change_the_mappings() {
    let mut s = touched();
    let (c, _) = s.protect(0x10000, 0x1000, PAGE_EXECUTE_READ).unwrap();
    assert_eq!(
        c.actions,
        [PageAction::Remap {
            page: 0x10000,
            rights: rights(false, true)
        }]
    );
    let (c, _) = s.protect(0x10000, 0x1000, PAGE_NOACCESS).unwrap();
    assert_eq!(c.actions, [PageAction::Unmap { page: 0x10000 }]);
    let (c, old) = s.protect(0x10000, 0x1000, RW).unwrap();
    assert_eq!(
        (old, c.actions),
        (
            PAGE_NOACCESS,
            vec![PageAction::Map {
                page: 0x10000,
                rights: rights(true, false)
            }]
        )
    );
    let (c, _) = s.protect(0x10000, 0x1000, RW | PAGE_GUARD).unwrap();
    assert_eq!(c.actions, [PageAction::Unmap { page: 0x10000 }]);
    // Pages without frames need nothing.
    s.set_backed(0x11000, false).unwrap();
    assert!(s
        .protect(0x11000, 0x1000, PAGE_READONLY)
        .unwrap()
        .0
        .actions
        .is_empty());
}

#[test]
fn read_write_asked_of_an_image_view_means_copy_on_write() {
    // The loader protects the IAT PAGE_READWRITE; Windows reports
    // PAGE_WRITECOPY for image pages until they are written.
    let mut s = AddressSpace::new();
    let (b, _) = s
        .map_view(&view(
            VadType::Image,
            PAGE_EXECUTE_WRITECOPY,
            PAGE_EXECUTE_WRITECOPY,
        ))
        .unwrap();
    assert_eq!(
        s.protect(b, 0x1000, PAGE_READONLY).unwrap().1,
        PAGE_EXECUTE_WRITECOPY
    );
    assert_eq!(s.protect(b, 0x1000, RW).unwrap().1, PAGE_READONLY);
    assert_eq!(mbi(&s, b).protect, PAGE_WRITECOPY);
    s.protect(b + 0x1000, 0x1000, PAGE_EXECUTE_READWRITE)
        .unwrap();
    assert_eq!(mbi(&s, b + 0x1000).protect, PAGE_EXECUTE_WRITECOPY);
    assert_eq!(mbi(&s, b).type_, MEM_IMAGE);
}

#[test]
fn a_views_pages_stay_within_the_sections_protection() {
    let mut s = AddressSpace::new();
    let (b, _) = s
        .map_view(&view(VadType::Mapped, PAGE_READONLY, PAGE_READONLY))
        .unwrap();
    assert_eq!(s.protect(b, 0x1000, RW), Err(STATUS_SECTION_PROTECTION));
    assert_eq!(
        s.protect(b, 0x1000, PAGE_EXECUTE_READ),
        Err(STATUS_SECTION_PROTECTION)
    );
    // Copy-on-write needs only read access to the section.
    assert_eq!(
        s.protect(b, 0x1000, PAGE_WRITECOPY).unwrap().1,
        PAGE_READONLY
    );
    assert_eq!(
        s.protect(b, 0x1000, PAGE_NOACCESS).unwrap().1,
        PAGE_WRITECOPY
    );
    // A writable section's view may be read-write, shared.
    let (b, _) = s.map_view(&view(VadType::Mapped, RW, RW)).unwrap();
    s.protect(b, 0x1000, PAGE_READONLY).unwrap();
    s.protect(b, 0x1000, RW).unwrap();
    assert_eq!(mbi(&s, b).protect, RW);
}

// --- Faults ---

#[test]
fn a_first_touch_maps_a_zero_page_with_the_pages_rights() {
    let mut s = AddressSpace::new();
    s.allocate(0, 0x2000, BOTH, RW, 0).unwrap();
    assert_eq!(
        s.demand_fault(0x11234, Access::Write),
        FaultResolution::Map {
            page: 0x11000,
            rights: rights(true, false),
            fill: Fill::Zero
        }
    );
    assert!(s.page(0x11000).unwrap().state.backed);
    assert!(!s.page(0x10000).unwrap().state.backed);
    // A second fault on the page (another thread's) only retries.
    assert_eq!(
        s.demand_fault(0x11000, Access::Read),
        FaultResolution::Retry
    );
}

#[test]
fn faults_on_memory_that_is_not_committed_are_access_violations() {
    let mut s = AddressSpace::new();
    s.allocate(0x10000, 0x2000, RESERVE, RW, 0).unwrap();
    s.allocate(0x20000, 0x1000, BOTH, PAGE_NOACCESS, 0).unwrap();
    for addr in [0, 0x10000, 0x11fff, 0x12000, 0x20000, TOP + 1, u64::MAX] {
        let r = s.demand_fault(addr, Access::Read);
        assert_eq!(r, FaultResolution::AccessViolation, "{addr:#x}");
        assert_eq!(r.exception(), Some(STATUS_ACCESS_VIOLATION));
    }
}

#[test]
fn accesses_the_protection_forbids_are_access_violations() {
    let cases = [
        (PAGE_READONLY, Access::Write, false),
        (PAGE_READONLY, Access::Execute, false),
        (PAGE_READONLY, Access::Read, true),
        (PAGE_READWRITE, Access::Execute, false),
        (PAGE_EXECUTE, Access::Write, false),
        (PAGE_EXECUTE, Access::Read, true),
        (PAGE_EXECUTE, Access::Execute, true),
        (PAGE_EXECUTE_READ, Access::Write, false),
        (PAGE_EXECUTE_READWRITE, Access::Write, true),
        (PAGE_EXECUTE_READWRITE, Access::Execute, true),
    ];
    for (protect, access, allowed) in cases {
        let mut s = AddressSpace::new();
        s.allocate(0, 0x1000, BOTH, protect, 0).unwrap();
        let r = s.demand_fault(0x10000, access);
        assert_eq!(
            matches!(r, FaultResolution::Map { .. }),
            allowed,
            "{protect:#x} {access:?}: {r:?}"
        );
        assert_eq!(s.page(0x10000).unwrap().state.backed, allowed);
    }
}

#[test]
fn a_guard_page_faults_once_then_works() {
    // The first touch raises STATUS_GUARD_PAGE_VIOLATION and clears
    // PAGE_GUARD on that page only; the next touch maps it.
    let mut s = AddressSpace::new();
    s.allocate(0, 0x2000, BOTH, RW | PAGE_GUARD, 0).unwrap();
    let r = s.demand_fault(0x10008, Access::Write);
    assert_eq!(r, FaultResolution::Guard { action: None });
    assert_eq!(r.exception(), Some(STATUS_GUARD_PAGE_VIOLATION));
    assert_eq!(mbi(&s, 0x10000).protect, RW);
    assert_eq!(mbi(&s, 0x11000).protect, RW | PAGE_GUARD);
    assert!(matches!(
        s.demand_fault(0x10008, Access::Write),
        FaultResolution::Map { .. }
    ));
}

#[test]
fn guard_hit_on_a_page_with_a_frame_maps_it() {
    let mut s = touched();
    let (c, _) = s
        .protect(0x10000, 0x1000, PAGE_READONLY | PAGE_GUARD)
        .unwrap();
    assert_eq!(c.actions, [PageAction::Unmap { page: 0x10000 }]);
    assert_eq!(
        s.guard_hit(0x10abc),
        Some(GuardHit {
            page: 0x10000,
            action: Some(PageAction::Map {
                page: 0x10000,
                rights: rights(false, false)
            })
        })
    );
    assert_eq!(s.guard_hit(0x10abc), None);
}

#[test]
fn guard_hit_elsewhere_is_none() {
    let mut s = touched();
    s.allocate(0x20000, 0x1000, RESERVE, RW | PAGE_GUARD, 0)
        .unwrap();
    for addr in [0x10000, 0x20000, 0x30000, TOP + 1] {
        assert_eq!(s.guard_hit(addr), None, "{addr:#x}");
    }
}

#[test]
fn views_fill_from_the_section_shared_and_copy_on_write() {
    let mut s = AddressSpace::new();
    let (b, _) = s
        .map_view(&view(VadType::Mapped, PAGE_WRITECOPY, RW))
        .unwrap();
    // A read maps the section's own frame read-only.
    assert_eq!(
        s.demand_fault(b + 0x1000, Access::Read),
        FaultResolution::Map {
            page: b + 0x1000,
            rights: rights(false, false),
            fill: Fill::ViewShared {
                tag: 77,
                offset: 0x1000
            }
        }
    );
    // A write then replaces it by a private copy, now read-write.
    assert_eq!(
        s.demand_fault(b + 0x1000, Access::Write),
        FaultResolution::CopyOnWrite {
            page: b + 0x1000,
            rights: rights(true, false)
        }
    );
    assert_eq!(mbi(&s, b + 0x1000).protect, RW);
    assert_eq!(mbi(&s, b).protect, PAGE_WRITECOPY);
    // A first touch that writes gets the private copy at once.
    assert_eq!(
        s.demand_fault(b + 0x2000, Access::Write),
        FaultResolution::Map {
            page: b + 0x2000,
            rights: rights(true, false),
            fill: Fill::ViewCopy {
                tag: 77,
                offset: 0x2000
            }
        }
    );
}

#[test]
fn views_with_private_copies_map_copy_on_write_pages_writable() {
    let mut s = AddressSpace::new();
    let req = ViewRequest {
        private_copies: true,
        ..view(
            VadType::Image,
            PAGE_EXECUTE_WRITECOPY,
            PAGE_EXECUTE_WRITECOPY,
        )
    };
    let (b, _) = s.map_view(&req).unwrap();
    assert_eq!(s.set_backed(b, true), Ok(Some(rights(true, true))));
    assert_eq!(s.demand_fault(b, Access::Write), FaultResolution::Retry);
    assert_eq!(
        s.demand_fault(b + 0x1000, Access::Read),
        FaultResolution::Map {
            page: b + 0x1000,
            rights: rights(true, true),
            fill: Fill::ViewCopy {
                tag: 77,
                offset: 0x1000
            }
        }
    );
}

#[test]
fn set_backed_needs_committed_pages() {
    let mut s = AddressSpace::new();
    s.allocate(0x10000, 0x2000, RESERVE, RW, 0).unwrap();
    s.allocate(0x10000, 0x1000, COMMIT, PAGE_NOACCESS, 0)
        .unwrap();
    assert_eq!(s.set_backed(0x10000, true), Ok(None));
    assert_eq!(s.set_backed(0x11000, true), Err(STATUS_NOT_COMMITTED));
    assert_eq!(
        s.set_backed(0x30000, true),
        Err(STATUS_MEMORY_NOT_ALLOCATED)
    );
    assert_eq!(
        s.set_backed(TOP + 1, true),
        Err(STATUS_MEMORY_NOT_ALLOCATED)
    );
}

// --- Commit accounting ---

#[test]
fn only_private_committed_pages_are_charged() {
    let mut s = AddressSpace::new();
    s.allocate(0, 0x10000, RESERVE, RW, 0).unwrap();
    assert_eq!(s.committed_private_pages(), 0);
    s.allocate(0, 0x3000, BOTH, RW, 0).unwrap();
    s.map_view(&view(VadType::Mapped, RW, RW)).unwrap();
    assert_eq!(s.committed_private_pages(), 3);
    s.free(0x20000, 0x1000, MEM_DECOMMIT).unwrap();
    assert_eq!(
        (
            s.committed_private_pages(),
            s.peak_committed_private_pages()
        ),
        (2, 3)
    );
}

#[test]
fn the_commit_limit_refuses_without_changing_anything() {
    let mut s = AddressSpace::new();
    s.set_commit_limit(4);
    s.allocate(0x10000, 0x10000, RESERVE, RW, 0).unwrap();
    s.allocate(0x10000, 0x3000, COMMIT, RW, 0).unwrap();
    let before = s.clone();
    assert_eq!(
        s.allocate(0x10000, 0x5000, COMMIT, RW, 0),
        Err(STATUS_COMMITMENT_LIMIT)
    );
    assert_eq!(
        s.allocate(0, 0x2000, BOTH, RW, 0),
        Err(STATUS_COMMITMENT_LIMIT)
    );
    assert_eq!(s, before);
    // Re-committing the three committed pages and one more fits.
    s.allocate(0x10000, 0x4000, COMMIT, RW, 0).unwrap();
    assert_eq!(s.committed_private_pages(), 4);
}

// --- MEM_RESET ---

#[test]
fn reset_drops_the_frames_and_keeps_the_pages_committed() {
    let mut s = touched();
    let c = s
        .allocate(0x10000, 0x2000, MEM_RESET, PAGE_NOACCESS, 0)
        .unwrap();
    assert_eq!(
        c.actions,
        [
            PageAction::Release {
                page: 0x10000,
                mapped: true
            },
            PageAction::Release {
                page: 0x11000,
                mapped: true
            }
        ]
    );
    assert_eq!(
        (mbi(&s, 0x10000).state, mbi(&s, 0x10000).protect),
        (MEM_COMMIT, RW)
    );
    assert_eq!(s.committed_private_pages(), 16);
    assert!(matches!(
        s.demand_fault(0x10000, Access::Read),
        FaultResolution::Map {
            fill: Fill::Zero,
            ..
        }
    ));
    assert_eq!(
        s.allocate(0x30000, 0x1000, MEM_RESET, RW, 0),
        Err(STATUS_CONFLICTING_ADDRESSES)
    );
}

// --- Views ---

#[test]
fn map_view_placement_and_checks() {
    let mut s = AddressSpace::new();
    let at = |base| ViewRequest {
        base,
        ..view(
            VadType::Image,
            PAGE_EXECUTE_WRITECOPY,
            PAGE_EXECUTE_WRITECOPY,
        )
    };
    assert_eq!(s.map_view(&at(0x1_4000_0000)), Ok((0x1_4000_0000, 0x3000)));
    assert_eq!(
        s.map_view(&at(0x1_4000_0000)),
        Err(STATUS_CONFLICTING_ADDRESSES)
    );
    assert_eq!(s.map_view(&at(0x1_4000_1000)), Err(STATUS_MAPPED_ALIGNMENT));
    assert_eq!(s.map_view(&at(TOP + 1)), Err(STATUS_INVALID_PARAMETER_3));
    assert_eq!(
        s.map_view(&ViewRequest { size: 0, ..at(0) }),
        Err(STATUS_INVALID_VIEW_SIZE)
    );
    assert_eq!(
        s.map_view(&ViewRequest {
            zero_bits: 22,
            ..at(0)
        }),
        Err(STATUS_INVALID_PARAMETER_4)
    );
    assert_eq!(
        s.map_view(&ViewRequest {
            kind: VadType::Private,
            ..at(0)
        }),
        Err(STATUS_INVALID_PARAMETER)
    );
    assert_eq!(
        s.map_view(&view(VadType::Mapped, RW, PAGE_READONLY)),
        Err(STATUS_SECTION_PROTECTION)
    );
    assert_eq!(s.map_view(&at(0)), Ok((0x10000, 0x3000)));
    let m = mbi(&s, 0x1_4000_2000);
    assert_eq!(
        (
            m.allocation_base,
            m.type_,
            m.state,
            m.protect,
            m.region_size
        ),
        (
            0x1_4000_0000,
            MEM_IMAGE,
            MEM_COMMIT,
            PAGE_EXECUTE_WRITECOPY,
            0x1000
        )
    );
}

#[test]
fn a_reserved_view_commits_through_allocate() {
    // SEC_RESERVE views commit with NtAllocateVirtualMemory(MEM_COMMIT),
    // charged to the section, not the process.
    let mut s = AddressSpace::new();
    let (b, _) = s
        .map_view(&ViewRequest {
            commit: false,
            ..view(VadType::Mapped, RW, RW)
        })
        .unwrap();
    assert_eq!(mbi(&s, b).state, MEM_RESERVE);
    assert_eq!(
        ok(s.allocate(b + 0x1000, 0x1000, COMMIT, RW, 0)),
        (b + 0x1000, 0x1000)
    );
    assert_eq!(mbi(&s, b + 0x1000).state, MEM_COMMIT);
    assert_eq!(s.committed_private_pages(), 0);
    assert_eq!(
        s.allocate(b, 0x1000, COMMIT, PAGE_EXECUTE_READ, 0),
        Err(STATUS_SECTION_PROTECTION)
    );
}

#[test]
fn unmap_view_takes_any_address_inside_the_view() {
    let mut s = AddressSpace::new();
    let (b, _) = s.map_view(&view(VadType::Mapped, RW, RW)).unwrap();
    s.set_backed(b + 0x1000, true).unwrap();
    s.allocate(0, 0x1000, BOTH, RW, 0).unwrap();
    assert_eq!(
        s.unmap_view(b + 0x2345),
        Ok(Unmapped {
            base: b,
            size: 0x3000,
            tag: 77,
            actions: vec![PageAction::Release {
                page: b + 0x1000,
                mapped: true
            }]
        })
    );
    assert_eq!(s.unmap_view(b), Err(STATUS_NOT_MAPPED_VIEW));
    assert_eq!(s.unmap_view(0x20000), Err(STATUS_NOT_MAPPED_VIEW));
    assert_eq!(s.unmap_view(TOP + 1), Err(STATUS_INVALID_PARAMETER_2));
}

// --- Whole-space operations ---

#[test]
fn allocations_list_every_vad_with_its_counters() {
    let mut s = touched();
    s.set_backed(0x10000, false).unwrap();
    s.allocate(0x30000, 0x4000, RESERVE, PAGE_READONLY, 0)
        .unwrap();
    s.allocate(0x31000, 0x1000, COMMIT, PAGE_READONLY, 0)
        .unwrap();
    s.set_tag(0x30000, 5).unwrap();
    assert_eq!(s.set_tag(0x31000, 5), Err(STATUS_MEMORY_NOT_ALLOCATED));
    let all: Vec<AllocationInfo> = s.allocations().collect();
    assert_eq!(
        all,
        [
            AllocationInfo {
                base: 0x10000,
                size: 0x10000,
                kind: VadType::Private,
                allocation_protect: RW,
                tag: 0,
                committed_pages: 16,
                backed_pages: 15
            },
            AllocationInfo {
                base: 0x30000,
                size: 0x4000,
                kind: VadType::Private,
                allocation_protect: PAGE_READONLY,
                tag: 5,
                committed_pages: 1,
                backed_pages: 0
            },
        ]
    );
    assert_eq!(s.virtual_size(), 0x14000);
}

#[test]
fn release_all_gives_back_every_frame() {
    let mut s = touched();
    let (b, _) = s.map_view(&view(VadType::Mapped, RW, RW)).unwrap();
    s.set_backed(b, true).unwrap();
    let actions = s.release_all();
    assert_eq!(actions.len(), 17);
    assert!(actions
        .iter()
        .all(|a| matches!(a, PageAction::Release { mapped: true, .. })));
    assert_eq!(
        (s.allocations().count(), s.committed_private_pages()),
        (0, 0)
    );
    assert_eq!(mbi(&s, 0).region_size, TOP + 1);
}

#[test]
fn a_large_reservation_costs_runs_not_pages() {
    // A 64 GiB reservation with a few committed pages spread out works and
    // queries in runs.
    let mut s = AddressSpace::new();
    let (b, size) = ok(s.allocate(0, 1 << 36, RESERVE, RW, 0));
    for i in 0..64u64 {
        s.allocate(b + i * (1 << 30), 0x1000, COMMIT, RW, 0)
            .unwrap();
    }
    assert_eq!(s.committed_private_pages(), 64);
    let m = mbi(&s, b + 0x1000);
    assert_eq!((m.state, m.region_size), (MEM_RESERVE, (1 << 30) - 0x1000));
    assert_eq!(s.free(b, 0, MEM_RELEASE).unwrap().size, size);
}
