//! CSpace lookup: lookup-failure types and the CNode cap data word.
//!
//! Sources: libsel4/include/sel4/constants.h (`seL4_LookupFailureType`),
//! src/api/faults.c (`setMRs_lookup_failure`, how a failure is described in
//! MRs) and libsel4/mode_include/64/sel4/shared_types.bf (block
//! seL4_CNode_CapData: guard 58 bits above guardSize 6 bits).

use crate::consts::{GUARD_BITS, GUARD_SIZE_BITS};

abi_enum! {
    /// `seL4_LookupFailureType`, the user-visible number (the kernel's
    /// internal lookup_fault tag plus one).
    pub enum LookupFailureType: u64 {
        /// No failure.
        NoFailure = 0,
        /// The root was not a CNode cap.
        InvalidRoot = 1,
        /// A slot on the path was empty; followed by bitsLeft.
        MissingCapability = 2,
        /// Bits did not run out exactly; followed by bitsLeft, bitsFound.
        DepthMismatch = 3,
        /// Guard differed; followed by bitsLeft, guardFound, bitsFound.
        GuardMismatch = 4,
    }
}

impl LookupFailureType {
    /// MRs used by the description of this failure, type word included:
    /// the description starts at MR1 of a FailedLookup error reply and at MR3
    /// of a CapFault message.
    pub const fn description_len(self) -> usize {
        match self {
            LookupFailureType::NoFailure => 0,
            LookupFailureType::InvalidRoot => 1,
            LookupFailureType::MissingCapability => 2,
            LookupFailureType::DepthMismatch => 3,
            LookupFailureType::GuardMismatch => 4,
        }
    }
}

/// Offsets, relative to the first MR of a lookup-failure description, of its
/// words (src/api/faults.c, `setMRs_lookup_failure`).
pub mod description {
    /// The [`super::LookupFailureType`] value.
    pub const TYPE: usize = 0;
    /// Bits still unresolved (MissingCapability, DepthMismatch, GuardMismatch).
    pub const BITS_LEFT: usize = 1;
    /// DepthMismatch: bits the CNode would have resolved.
    pub const DEPTH_MISMATCH_BITS_FOUND: usize = 2;
    /// GuardMismatch: the CNode's guard value.
    pub const GUARD_MISMATCH_GUARD_FOUND: usize = 2;
    /// GuardMismatch: the CNode's guard size.
    pub const GUARD_MISMATCH_BITS_FOUND: usize = 3;
}

const GUARD_SIZE_MASK: u64 = (1 << GUARD_SIZE_BITS) - 1;
const GUARD_MASK: u64 = (1 << GUARD_BITS) - 1;

/// Encodes CNode cap data (the badge word of Mint/Mutate/Rotate, and the
/// `cspace_root_data` of TCB Configure/SetSpace) from a guard value and guard
/// size. Each field is masked to its width, as libsel4's
/// `seL4_CNode_CapData_new` does.
pub const fn cnode_cap_data(guard: u64, guard_size: u64) -> u64 {
    ((guard & GUARD_MASK) << GUARD_SIZE_BITS) | (guard_size & GUARD_SIZE_MASK)
}

/// Guard value (bits 6-63) of a CNode cap data word.
pub const fn cap_data_guard(data: u64) -> u64 {
    (data >> GUARD_SIZE_BITS) & GUARD_MASK
}

/// Guard size (bits 0-5) of a CNode cap data word.
pub const fn cap_data_guard_size(data: u64) -> u64 {
    data & GUARD_SIZE_MASK
}
