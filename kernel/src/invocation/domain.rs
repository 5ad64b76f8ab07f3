//! Domain capability invocations (seL4 src/object/domain? decodeDomainInvocation):
//! Triton has one scheduling domain, so only domain 0 exists.

use super::{Invocation, Outcome, Result, SyscallError};
use crate::object::tcb::Tcb;
use kernel_core::cap::Cap;
use sel4_abi::invocation::InvocationLabel;

pub fn decode(inv: &mut Invocation) -> Result {
    match inv.label() {
        Some(InvocationLabel::DomainSetSet) => {
            inv.need(1, 1)?;
            let domain = inv.arg(0);
            if domain >= 1 {
                return Err(SyscallError::InvalidArgument(0).into());
            }
            let Some(Cap::Thread { tcb }) = inv.extra_cap(0).map(|c| c.cap) else {
                return Err(SyscallError::InvalidArgument(1).into());
            };
            Tcb::at(tcb).domain = domain as u8;
            Ok(Outcome::Reply([0; 4], 0))
        }
        _ => Err(SyscallError::IllegalOperation.into()),
    }
}
