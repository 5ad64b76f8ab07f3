//! I/O-port invocations (seL4 src/arch/x86/object/ioport.c): IOPortControl
//! Issue, IOPort In8/In16/In32/Out8/Out16/Out32.

use super::{Invocation, Result, SyscallError};

pub fn decode(_inv: &mut Invocation) -> Result {
    Err(SyscallError::IllegalOperation.into())
}
