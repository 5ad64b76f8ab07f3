//! Errors of kernel invocations: the error code (the reply's label) together
//! with the detail MRs the kernel returns with it, and the lookup-failure
//! description shared by FailedLookup errors and CapFault messages.
//!
//! Detail layouts follow `setMRs_syscall_error` (src/object/tcb.c) and
//! `setMRs_lookup_failure` (src/api/faults.c); the indices come from
//! `sel4_abi::error::mr` and `sel4_abi::lookup::description`.

use core::fmt;
use sel4_abi::error::mr;
use sel4_abi::lookup::description as desc;
use sel4_abi::{Error as ErrorCode, LookupFailureType};

/// Most detail MRs any error carries: FailedLookup's source flag plus a
/// four-word GuardMismatch description.
pub const MAX_ERROR_DETAIL: usize = 5;

/// A failed invocation: the `seL4_Error` code and the detail MRs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Error {
    label: u64,
    /// MRs the kernel said it returned (the reply's length).
    len: usize,
    mrs: [u64; MAX_ERROR_DETAIL],
}

impl Error {
    /// Builds an error from a reply's label, length and first MRs (`mrs`
    /// must hold min(length, MAX_ERROR_DETAIL) words or more).
    pub fn from_reply(label: u64, length: usize, mrs: &[u64]) -> Error {
        let mut e = Error { label, len: length, mrs: [0; MAX_ERROR_DETAIL] };
        let n = length.min(MAX_ERROR_DETAIL).min(mrs.len());
        e.mrs[..n].copy_from_slice(&mrs[..n]);
        e
    }

    /// The raw label of the reply.
    pub fn label(&self) -> u64 {
        self.label
    }

    /// The error code, if the label is one.
    pub fn code(&self) -> Option<ErrorCode> {
        ErrorCode::try_from(self.label).ok()
    }

    /// Whether this is error `code`.
    pub fn is(&self, code: ErrorCode) -> bool {
        self.label == code as u64
    }

    /// The reply's length (number of detail MRs the kernel wrote).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the reply carried no detail MRs.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The detail MRs (at most [`MAX_ERROR_DETAIL`] of them).
    pub fn detail(&self) -> &[u64] {
        &self.mrs[..self.len.min(MAX_ERROR_DETAIL)]
    }

    /// InvalidArgument: the index of the offending argument.
    pub fn invalid_argument(&self) -> Option<u64> {
        self.word_if(ErrorCode::InvalidArgument, mr::INVALID_ARGUMENT_NUMBER)
    }

    /// InvalidCapability: 0 = the invoked cap, k = extra cap k-1.
    pub fn invalid_capability(&self) -> Option<u64> {
        self.word_if(ErrorCode::InvalidCapability, mr::INVALID_CAPABILITY_NUMBER)
    }

    /// RangeError: (min, max) allowed.
    pub fn range(&self) -> Option<(u64, u64)> {
        Some((self.word_if(ErrorCode::RangeError, mr::RANGE_MIN)?, self.word_if(ErrorCode::RangeError, mr::RANGE_MAX)?))
    }

    /// NotEnoughMemory: bytes still free in the untyped.
    pub fn memory_left(&self) -> Option<u64> {
        self.word_if(ErrorCode::NotEnoughMemory, mr::NOT_ENOUGH_MEMORY_BYTES_LEFT)
    }

    /// FailedLookup: (whether the source lookup failed, the failure).
    pub fn failed_lookup(&self) -> Option<(bool, LookupFailure)> {
        let src = self.word_if(ErrorCode::FailedLookup, mr::FAILED_LOOKUP_WAS_SOURCE)?;
        let d = mr::FAILED_LOOKUP_DESCRIPTION;
        Some((src != 0, LookupFailure::from_words(self.detail().get(d..)?)?))
    }

    fn word_if(&self, code: ErrorCode, i: usize) -> Option<u64> {
        if self.is(code) { self.detail().get(i).copied() } else { None }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.code() {
            Some(c) => write!(f, "{c:?}")?,
            None => write!(f, "label {}", self.label)?,
        }
        write!(f, " {:?}", self.detail())?;
        if self.len > MAX_ERROR_DETAIL {
            write!(f, " (length {})", self.len)?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A decoded lookup-failure description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookupFailure {
    /// The root was not a CNode cap.
    InvalidRoot,
    /// A slot on the path was empty (or held no CNode where one was needed).
    MissingCapability { bits_left: u64 },
    /// The bits did not run out exactly.
    DepthMismatch { bits_left: u64, bits_found: u64 },
    /// A guard did not match.
    GuardMismatch { bits_left: u64, guard_found: u64, bits_found: u64 },
}

impl LookupFailure {
    /// Decodes a description (type word first); `None` if it is short or the
    /// type is not a failure.
    pub fn from_words(w: &[u64]) -> Option<LookupFailure> {
        let t = LookupFailureType::try_from(*w.get(desc::TYPE)?).ok()?;
        if w.len() < t.description_len() {
            return None;
        }
        Some(match t {
            LookupFailureType::NoFailure => return None,
            LookupFailureType::InvalidRoot => LookupFailure::InvalidRoot,
            LookupFailureType::MissingCapability => {
                LookupFailure::MissingCapability { bits_left: w[desc::BITS_LEFT] }
            }
            LookupFailureType::DepthMismatch => LookupFailure::DepthMismatch {
                bits_left: w[desc::BITS_LEFT],
                bits_found: w[desc::DEPTH_MISMATCH_BITS_FOUND],
            },
            LookupFailureType::GuardMismatch => LookupFailure::GuardMismatch {
                bits_left: w[desc::BITS_LEFT],
                guard_found: w[desc::GUARD_MISMATCH_GUARD_FOUND],
                bits_found: w[desc::GUARD_MISMATCH_BITS_FOUND],
            },
        })
    }
}
