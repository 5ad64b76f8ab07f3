//! Cross-checks between the numbers this crate derives or packs itself
//! (object sizes, lookup-failure codes, rights, CNode cap data) and the
//! `sel4-abi` crate's declarations; the capType tags are the ABI crate's own.

use crate::cap::{self, Cap, Rights};
use crate::cspace::{lookup_slot, LookupError, LookupFailure, ResolvedSlot, SlotReader};
use crate::untyped::{object_size_bits, object_type};
use sel4_abi::consts;
use sel4_abi::error::Error;
use sel4_abi::lookup::{self as abi_lookup, LookupFailureType};
use sel4_abi::object::{ObjectType, NUM_OBJECT_TYPES};
use sel4_abi::rights::CapRights;

#[test]
fn sizes_agree() {
    assert_eq!(cap::SLOT_BITS as usize, consts::SLOT_BITS);
    assert_eq!(cap::TCB_BITS as usize, consts::TCB_BITS);
    assert_eq!(cap::ENDPOINT_BITS as usize, consts::ENDPOINT_BITS);
    assert_eq!(cap::NOTIFICATION_BITS as usize, consts::NOTIFICATION_BITS);
    assert_eq!(cap::MIN_UNTYPED_BITS as usize, consts::MIN_UNTYPED_BITS);
    assert_eq!(cap::MAX_UNTYPED_BITS as usize, consts::MAX_UNTYPED_BITS);
    assert_eq!(object_type::COUNT, NUM_OBJECT_TYPES);
    for &t in ObjectType::ALL {
        let n = u64::from(t);
        assert!(n < object_type::COUNT);
        assert_eq!(object_type::is_frame(n), t.is_frame());
        for user in [1usize, 4, 13, 40] {
            // object_size_bits also applies the decoder's range checks,
            // which sel4-abi leaves to the caller.
            let too_small = t == ObjectType::Untyped && user < consts::MIN_UNTYPED_BITS;
            let abi = t
                .size_bits(user)
                .filter(|&b| b <= consts::MAX_UNTYPED_BITS && !too_small);
            let ours = object_size_bits(n, user as u64).ok().map(usize::from);
            assert_eq!(ours, abi, "type {t:?} size {user}");
        }
    }
}

#[test]
fn lookup_failures_agree() {
    let cases = [
        (LookupFailure::InvalidRoot, LookupFailureType::InvalidRoot),
        (
            LookupFailure::MissingCapability { bits_left: 3 },
            LookupFailureType::MissingCapability,
        ),
        (
            LookupFailure::DepthMismatch {
                bits_left: 3,
                bits_found: 4,
            },
            LookupFailureType::DepthMismatch,
        ),
        (
            LookupFailure::GuardMismatch {
                bits_left: 3,
                guard_found: 4,
                bits_found: 5,
            },
            LookupFailureType::GuardMismatch,
        ),
    ];
    for (ours, abi) in cases {
        assert_eq!(ours.type_code(), u64::from(abi));
        assert_eq!(ours.mr_count(), abi.description_len());
    }
    assert_eq!(
        LookupError::RangeError { min: 1, max: 64 }.error_code(),
        u64::from(Error::RangeError)
    );
    assert_eq!(
        LookupError::FailedLookup(LookupFailure::InvalidRoot).error_code(),
        u64::from(Error::FailedLookup)
    );
}

#[test]
fn rights_agree() {
    for w in 0..16u64 {
        let ours = Rights::from_word(w);
        let abi = CapRights::from_word(w);
        assert_eq!(ours.write, abi.can_write());
        assert_eq!(ours.read, abi.can_read());
        assert_eq!(ours.grant, abi.can_grant());
        assert_eq!(ours.grant_reply, abi.can_grant_reply());
    }
    assert_eq!(Rights::ALL.word(), CapRights::ALL.word());
}

#[test]
fn cnode_cap_data_agrees() {
    let c = Cap::CNode {
        ptr: 0x10_0000,
        radix: 8,
        guard_size: 0,
        guard: 0,
    };
    let data = abi_lookup::cnode_cap_data(0x2a, 10);
    assert_eq!(
        cap::update_cap_data(false, data, &c),
        Cap::CNode {
            ptr: 0x10_0000,
            radix: 8,
            guard_size: 10,
            guard: 0x2a
        }
    );
}

struct Empty;

impl SlotReader for Empty {
    fn read_slot(&self, _: u64, _: u64) -> cap::RawCap {
        cap::RawCap::NULL
    }
}

#[test]
fn root_cnode_shape_resolves_slot_numbers() {
    // With the ABI's root CNode shape a cptr is just the slot number.
    let root = Cap::CNode {
        ptr: 0x40_0000,
        radix: consts::ROOT_CNODE_SIZE_BITS as u8,
        guard_size: consts::ROOT_CNODE_GUARD_SIZE as u8,
        guard: 0,
    }
    .encode();
    for slot in [0u64, 1, 16, (1 << consts::ROOT_CNODE_SIZE_BITS) - 1] {
        assert_eq!(
            lookup_slot(&Empty, root, slot),
            Ok(ResolvedSlot {
                cnode_ptr: 0x40_0000,
                index: slot,
                bits_remaining: 0
            })
        );
    }
}
