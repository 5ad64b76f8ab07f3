//! Object invocations (seL4 src/object/*.c decode*/invoke*): a Call or Send
//! on a capability that is not an endpoint, notification or reply cap runs
//! one of these. Decoders return seL4's error with its detail MRs; the
//! syscall layer turns that into the error reply.

mod cnode;
mod domain;
mod ioport;
mod irq;
mod tcb;
mod untyped;
mod vspace;

use crate::ipc::{self, ExtraCap};
use crate::object::tcb::Tcb;
use kernel_core::cap::Cap;
use kernel_core::cspace::{LookupError, LookupFailure};
use sel4_abi::invocation::InvocationLabel;
use sel4_abi::Error;

/// seL4's syscall errors, with the values its error reply carries.
#[derive(Clone, Copy, Debug)]
pub enum SyscallError {
    InvalidArgument(u64),
    InvalidCapability(u64),
    IllegalOperation,
    RangeError(u64, u64),
    AlignmentError,
    FailedLookup { source: bool, lf: LookupFailure },
    TruncatedMessage,
    DeleteFirst,
    RevokeFirst,
    NotEnoughMemory(u64),
}

impl SyscallError {
    /// The error code and detail MRs of the reply (seL4 setMRs_syscall_error).
    pub fn reply(&self, out: &mut [u64; 6]) -> (u64, usize) {
        use SyscallError::*;
        let (code, n) = match *self {
            InvalidArgument(i) => {
                out[0] = i;
                (Error::InvalidArgument, 1)
            }
            InvalidCapability(i) => {
                out[0] = i;
                (Error::InvalidCapability, 1)
            }
            IllegalOperation => (Error::IllegalOperation, 0),
            RangeError(min, max) => {
                out[0] = min;
                out[1] = max;
                (Error::RangeError, 2)
            }
            AlignmentError => (Error::AlignmentError, 0),
            FailedLookup { source, lf } => {
                out[0] = source as u64;
                let mut w = [0u64; 4];
                let k = lf.write_mrs(&mut w);
                out[1..1 + k].copy_from_slice(&w[..k]);
                (Error::FailedLookup, 1 + k)
            }
            TruncatedMessage => (Error::TruncatedMessage, 0),
            DeleteFirst => (Error::DeleteFirst, 0),
            RevokeFirst => (Error::RevokeFirst, 0),
            NotEnoughMemory(b) => {
                out[0] = b;
                (Error::NotEnoughMemory, 1)
            }
        };
        (code as u64, n)
    }

    pub fn from_lookup(e: LookupError, source: bool) -> SyscallError {
        match e {
            LookupError::RangeError { min, max } => SyscallError::RangeError(min, max),
            LookupError::FailedLookup(lf) => SyscallError::FailedLookup { source, lf },
        }
    }

    pub fn from_error(e: Error) -> SyscallError {
        match e {
            Error::RevokeFirst => SyscallError::RevokeFirst,
            _ => SyscallError::IllegalOperation,
        }
    }
}

/// How an invocation ended, when it did not simply succeed with an empty reply.
pub enum Outcome {
    /// Success with result words for the reply (when the caller used Call).
    Reply([u64; 4], usize),
    /// Success; the reply (if any) was written by the invocation itself or
    /// the caller no longer waits for one (it blocked or was suspended).
    Done,
}

pub type Result<T = Outcome> = core::result::Result<T, InvocationError>;

pub enum InvocationError {
    Syscall(SyscallError),
}

impl From<SyscallError> for InvocationError {
    fn from(e: SyscallError) -> InvocationError {
        InvocationError::Syscall(e)
    }
}

/// The decoded parts of an invocation.
pub struct Invocation<'a> {
    pub label: u64,
    pub length: usize,
    pub caller: &'a mut Tcb,
    pub buf: Option<u64>,
    pub cap: Cap,
    pub slot: u64,
    pub extra: [Option<ExtraCap>; 3],
    pub is_call: bool,
}

impl Invocation<'_> {
    /// Message register `i` of the invocation (seL4 getSyscallArg).
    pub fn arg(&self, i: usize) -> u64 {
        ipc::get_mr(self.caller, self.buf, i)
    }

    pub fn extra_cap(&self, i: usize) -> Option<ExtraCap> {
        self.extra[i]
    }

    pub fn label(&self) -> Option<InvocationLabel> {
        InvocationLabel::try_from(self.label).ok()
    }

    pub fn need(&self, length: usize, caps: usize) -> core::result::Result<(), SyscallError> {
        if self.length < length || self.extra.iter().take(caps).any(|c| c.is_none()) {
            Err(SyscallError::TruncatedMessage)
        } else {
            Ok(())
        }
    }
}

/// seL4 lookupSlotForCNodeOp (lookupTargetSlot, lookupSourceSlot): the slot
/// at `index`/`depth` in the CNode `root`, as the slot's physical address;
/// `source` says which the error reply names.
pub(super) fn lookup_slot(root: Cap, index: u64, depth: u64, source: bool) -> core::result::Result<u64, SyscallError> {
    kernel_core::cspace::lookup_slot_for_cnode_op(&crate::object::cnode::PhysSlots, root.encode(), index, depth)
        .map(|s| crate::object::cnode::slot_paddr(&s))
        .map_err(|e| SyscallError::from_lookup(e, source))
}

/// seL4 ensureEmptySlot: DeleteFirst unless the slot is empty.
pub(super) fn ensure_empty(slot: u64) -> core::result::Result<(), SyscallError> {
    if crate::object::cnode::cap_at(slot).is_null() { Ok(()) } else { Err(SyscallError::DeleteFirst) }
}

/// seL4 decodeInvocation for everything but endpoints, notifications and
/// reply caps (handled by the syscall layer).
pub fn decode(inv: &mut Invocation) -> Result {
    match inv.cap {
        Cap::Untyped { .. } => untyped::decode(inv),
        Cap::CNode { .. } => cnode::decode(inv),
        Cap::Thread { tcb } => tcb::decode(inv, tcb),
        Cap::Domain => domain::decode(inv),
        Cap::Frame { .. }
        | Cap::PageTable { .. }
        | Cap::PageDirectory { .. }
        | Cap::Pdpt { .. }
        | Cap::Pml4 { .. }
        | Cap::AsidControl
        | Cap::AsidPool { .. } => vspace::decode(inv),
        Cap::IrqControl | Cap::IrqHandler { .. } => irq::decode(inv),
        Cap::IoPortControl | Cap::IoPort { .. } => ioport::decode(inv),
        _ => Err(SyscallError::IllegalOperation.into()),
    }
}
