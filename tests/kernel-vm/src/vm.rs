//! The paging invocations (from the `sel4` crate) and the page-fault
//! error-code bits a VMFault's FSR carries.

pub use sel4::vspace::*;

pub use sel4::abi::vm::{CACHE_DISABLED, UNCACHEABLE, WRITE_BACK, WRITE_COMBINING, WRITE_THROUGH};

/// x86 page-fault error code bits (the VMFault FSR).
pub mod fsr {
    pub const PRESENT: u64 = 1 << 0;
    pub const WRITE: u64 = 1 << 1;
    pub const USER: u64 = 1 << 2;
    pub const FETCH: u64 = 1 << 4;
}

