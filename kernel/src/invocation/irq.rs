//! IRQ invocations (seL4 src/object/interrupt.c, src/arch/x86/object/interrupt.c
//! and src/plat/pc99/machine/ioapic.c, IOAPIC controller): IRQControl
//! GetIOAPIC/GetMSI, IRQHandler SetNotification/Ack/Clear, with seL4's
//! checks in seL4's order. The plain IRQControl Get is for the legacy PIC,
//! which Triton does not use: it decodes its arguments and then refuses.

use super::{ensure_empty, lookup_slot, Invocation, Outcome, Result, SyscallError};
use crate::arch::x86_64::ioapic;
use crate::object::irq::{self, IRQ_USER_MAX, IRQ_USER_MIN};
use kernel_core::cap::Cap;
use sel4_abi::invocation::{irq_issue_irq_handler as get, x86_irq_issue_irq_handler_ioapic as io, InvocationLabel as L};

/// Largest PCI bus, device and function numbers (seL4 PCI_*_MAX).
const PCI_BUS_MAX: u64 = 255;
const PCI_DEV_MAX: u64 = 31;
const PCI_FUNC_MAX: u64 = 7;

fn done() -> Result {
    Ok(Outcome::Reply([0; 4], 0))
}

pub fn decode(inv: &mut Invocation) -> Result {
    match inv.cap {
        Cap::IrqControl => decode_control(inv),
        Cap::IrqHandler { irq } => decode_handler(inv, irq as usize),
        _ => Err(SyscallError::IllegalOperation.into()),
    }
}

/// seL4 decodeIRQControlInvocation and Arch_decodeIRQControlInvocation.
fn decode_control(inv: &mut Invocation) -> Result {
    let label = inv.label();
    if label == Some(L::IRQIssueIRQHandler) {
        // Arguments first (TruncatedMessage), then Arch_checkIRQ: with the
        // IOAPIC controller no IRQ may be had this way.
        inv.need(get::LENGTH, get::EXTRA_CAPS)?;
        return Err(SyscallError::IllegalOperation.into());
    }
    if !matches!(label, Some(L::X86IRQIssueIRQHandlerIOAPIC | L::X86IRQIssueIRQHandlerMSI)) {
        return Err(SyscallError::IllegalOperation.into());
    }
    // Both take the same seven words and one cap (io::LENGTH == msi's).
    inv.need(io::LENGTH, io::EXTRA_CAPS)?;
    let index = inv.arg(io::INDEX);
    let depth = inv.arg(io::DEPTH);
    let root = inv.extra_cap(io::CAP_ROOT).unwrap().cap;
    let vector = inv.arg(io::VECTOR);
    let max_vector = (IRQ_USER_MAX - IRQ_USER_MIN) as u64;
    if vector > max_vector {
        return Err(SyscallError::RangeError(0, max_vector).into());
    }
    let irq = vector as usize + IRQ_USER_MIN;
    if irq::is_active(irq) {
        return Err(SyscallError::RevokeFirst.into());
    }
    let dest = lookup_slot(root, index, depth, false)?;
    ensure_empty(dest)?;

    if label == Some(L::X86IRQIssueIRQHandlerIOAPIC) {
        let (ioapic_, pin) = (inv.arg(io::IOAPIC), inv.arg(io::PIN));
        let (level, polarity) = (inv.arg(io::LEVEL), inv.arg(io::POLARITY));
        // seL4 ioapic_decode_map_pin_to_vector.
        let count = ioapic::count() as u64;
        if count == 0 {
            return Err(SyscallError::IllegalOperation.into());
        }
        if ioapic_ >= count {
            return Err(SyscallError::RangeError(0, count - 1).into());
        }
        let pins = ioapic::pins(ioapic_ as usize) as u64;
        if pin >= pins {
            return Err(SyscallError::RangeError(0, pins.saturating_sub(1)).into());
        }
        if level > 1 || polarity > 1 {
            return Err(SyscallError::RangeError(0, 1).into());
        }
        irq::issue_ioapic(irq, ioapic_ as usize, pin as usize, level == 1, polarity == 1, inv.slot, dest);
    } else {
        use sel4_abi::invocation::x86_irq_issue_irq_handler_msi as msi;
        for (arg, max) in [(msi::PCI_BUS, PCI_BUS_MAX), (msi::PCI_DEV, PCI_DEV_MAX), (msi::PCI_FUNC, PCI_FUNC_MAX)] {
            if inv.arg(arg) > max {
                return Err(SyscallError::RangeError(0, max).into());
            }
        }
        irq::issue_msi(irq, inv.slot, dest);
    }
    done()
}

/// seL4 decodeIRQHandlerInvocation.
fn decode_handler(inv: &mut Invocation, irq: usize) -> Result {
    match inv.label() {
        Some(L::IRQAckIRQ) => irq::ack(irq),
        Some(L::IRQSetIRQHandler) => {
            let Some(extra) = inv.extra_cap(0) else {
                return Err(SyscallError::TruncatedMessage.into());
            };
            match extra.cap {
                Cap::Notification { rights, .. } if rights.write => {}
                // seL4 reports the notification as cap 0 here (not 1).
                _ => return Err(SyscallError::InvalidCapability(0).into()),
            }
            irq::set_notification(irq, extra.cap, extra.slot);
        }
        Some(L::IRQClearIRQHandler) => irq::clear_notification(irq),
        _ => return Err(SyscallError::IllegalOperation.into()),
    }
    done()
}
