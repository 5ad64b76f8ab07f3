//! I/O-port invocations (seL4 src/arch/x86/object/ioport.c): IOPortControl
//! Issue hands out a cap to an inclusive port range that overlaps nothing
//! issued before (nor the kernel's own ports, see `object::irq`); IOPort
//! In8/In16/In32/Out8/Out16/Out32 access ports inside the cap's range,
//! every byte of the access included.

use super::{ensure_empty, lookup_slot, Invocation, Outcome, Result, SyscallError};
use crate::arch::x86_64::ioapic::{port_in, port_out};
use crate::object::cnode;
use crate::object::irq;
use kernel_core::cap::Cap;
use sel4_abi::invocation::{x86_io_port_control_issue as issue, InvocationLabel as L};

pub fn decode(inv: &mut Invocation) -> Result {
    match inv.cap {
        Cap::IoPortControl => decode_control(inv),
        Cap::IoPort { first, last } => decode_port(inv, first, last),
        _ => Err(SyscallError::IllegalOperation.into()),
    }
}

/// seL4 decodeX86PortControlInvocation.
fn decode_control(inv: &mut Invocation) -> Result {
    if inv.label() != Some(L::X86IOPortControlIssue) {
        return Err(SyscallError::IllegalOperation.into());
    }
    inv.need(issue::LENGTH, issue::EXTRA_CAPS)?;
    let first = (inv.arg(issue::FIRST_PORT) & 0xFFFF) as u16;
    let last = (inv.arg(issue::LAST_PORT) & 0xFFFF) as u16;
    let index = inv.arg(issue::INDEX);
    let depth = inv.arg(issue::DEPTH);
    let root = inv.extra_cap(issue::CAP_ROOT).unwrap().cap;
    if last < first {
        return Err(SyscallError::InvalidArgument(1).into());
    }
    if !irq::ports_free(first, last) {
        return Err(SyscallError::RevokeFirst.into());
    }
    let dest = lookup_slot(root, index, depth, false)?;
    ensure_empty(dest)?;
    irq::allocate_ports(first, last);
    cnode::cte_insert(Cap::IoPort { first, last }, inv.slot, dest);
    Ok(Outcome::Reply([0; 4], 0))
}

/// seL4 ensurePortOperationAllowed: all `bytes` ports from `port` must lie
/// in `first..=last`.
fn allowed(port: u16, bytes: u32, first: u16, last: u16) -> core::result::Result<(), SyscallError> {
    let end = port as u32 + bytes - 1;
    if port < first || end > last as u32 {
        Err(SyscallError::IllegalOperation)
    } else {
        Ok(())
    }
}

/// seL4 decodeX86PortInvocation.
fn decode_port(inv: &mut Invocation, first: u16, last: u16) -> Result {
    let (bytes, is_in) = match inv.label() {
        Some(L::X86IOPortIn8) => (1, true),
        Some(L::X86IOPortIn16) => (2, true),
        Some(L::X86IOPortIn32) => (4, true),
        Some(L::X86IOPortOut8) => (1, false),
        Some(L::X86IOPortOut16) => (2, false),
        Some(L::X86IOPortOut32) => (4, false),
        _ => return Err(SyscallError::IllegalOperation.into()),
    };
    if is_in {
        inv.need(1, 0)?;
        let port = (inv.arg(0) & 0xFFFF) as u16;
        allowed(port, bytes, first, last)?;
        let v = port_in(port, bytes);
        Ok(Outcome::Reply([v as u64, 0, 0, 0], 1))
    } else {
        inv.need(2, 0)?;
        let port = (inv.arg(0) & 0xFFFF) as u16;
        let mask = if bytes == 4 { u32::MAX as u64 } else { (1u64 << (8 * bytes)) - 1 };
        let data = (inv.arg(1) & mask) as u32;
        allowed(port, bytes, first, last)?;
        port_out(port, bytes, data);
        Ok(Outcome::Reply([0; 4], 0))
    }
}
