//! IRQ invocations (seL4 src/object/interrupt.c, src/arch/x86/object/interrupt.c):
//! IRQControl GetIOAPIC/GetMSI, IRQHandler SetNotification/Ack/Clear.

use super::{Invocation, Result, SyscallError};

pub fn decode(_inv: &mut Invocation) -> Result {
    Err(SyscallError::IllegalOperation.into())
}
