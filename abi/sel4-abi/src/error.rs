//! Error codes of kernel replies (`seL4_Error`) and where their details go.
//!
//! Source: libsel4/include/sel4/errors.h for the numbers; the detail MRs are
//! those written by `setMRs_syscall_error` in src/object/tcb.c. An error
//! reply's tag has label = error code, no caps, and length = MRs written; only
//! a Call receives it (Send/NBSend drop errors).

abi_enum! {
    /// `seL4_Error`.
    pub enum Error: u64 {
        /// Success.
        NoError = 0,
        /// MR0 = index of the offending argument word.
        InvalidArgument = 1,
        /// MR0 = which cap: 0 the invoked cap, k >= 1 extra cap k-1.
        InvalidCapability = 2,
        /// No details.
        IllegalOperation = 3,
        /// MR0 = minimum allowed, MR1 = maximum allowed.
        RangeError = 4,
        /// No details.
        AlignmentError = 5,
        /// MR0 = 1 if the source lookup failed, then a lookup-failure
        /// description from MR1 (see [`crate::lookup`]).
        FailedLookup = 6,
        /// Too few MRs or extra caps. No details.
        TruncatedMessage = 7,
        /// Destination not empty. No details.
        DeleteFirst = 8,
        /// No details.
        RevokeFirst = 9,
        /// MR0 = bytes still free in the untyped.
        NotEnoughMemory = 10,
    }
}

/// `seL4_NumErrors`: number of error codes (one past the largest).
pub const NUM_ERRORS: usize = 11;

/// Indices of the detail MRs in an error reply (src/object/tcb.c,
/// `setMRs_syscall_error`).
pub mod mr {
    /// InvalidArgument: the offending argument's index.
    pub const INVALID_ARGUMENT_NUMBER: usize = 0;
    /// InvalidCapability: 0 = invoked cap, k = extra cap k-1.
    pub const INVALID_CAPABILITY_NUMBER: usize = 0;
    /// RangeError: smallest allowed value.
    pub const RANGE_MIN: usize = 0;
    /// RangeError: largest allowed value.
    pub const RANGE_MAX: usize = 1;
    /// FailedLookup: 1 if the failed lookup was the source, else 0.
    pub const FAILED_LOOKUP_WAS_SOURCE: usize = 0;
    /// FailedLookup: first MR of the lookup-failure description.
    pub const FAILED_LOOKUP_DESCRIPTION: usize = 1;
    /// NotEnoughMemory: bytes left in the untyped.
    pub const NOT_ENOUGH_MEMORY_BYTES_LEFT: usize = 0;
}

impl Error {
    /// Number of detail MRs this error carries in a reply, not counting a
    /// FailedLookup's lookup-failure description (whose length depends on the
    /// failure type, see [`crate::LookupFailureType::description_len`]).
    pub const fn detail_mrs(self) -> usize {
        match self {
            Error::InvalidArgument | Error::InvalidCapability | Error::NotEnoughMemory => 1,
            Error::RangeError => 2,
            Error::FailedLookup => 1,
            _ => 0,
        }
    }
}
