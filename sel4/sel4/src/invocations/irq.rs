//! x86 IRQ and I/O-port invocations (`seL4_IRQControl_GetIOAPIC`,
//! `seL4_IRQHandler_Ack`, `seL4_X86_IOPortControl_Issue`,
//! `seL4_X86_IOPort_In8`, ...), packed as libsel4's stubs pack them
//! (argument indices from `sel4_abi::invocation`).

use super::invoke;
use crate::{CNode, CPtr, Error};
use sel4_abi::invocation::{self as inv, InvocationLabel as L};

/// The IRQ control capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IrqControl(pub CPtr);

impl IrqControl {
    /// `seL4_IRQControl_Get` (legacy PIC only).
    pub fn get(&self, irq: u64, root: CNode, index: u64, depth: u8) -> Result<(), Error> {
        use inv::irq_issue_irq_handler as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::IRQ] = irq;
        mr[a::INDEX] = index;
        mr[a::DEPTH] = depth as u64;
        invoke(self.0, a::LABEL, &mr, &[root.0]).map(|_| ())
    }

    /// `seL4_IRQControl_GetIOAPIC`: a handler for IRQ `vector + 16`, raised
    /// by `pin` of `ioapic` at CPU vector `vector + 48`.
    #[allow(clippy::too_many_arguments)]
    pub fn get_ioapic(&self, root: CNode, index: u64, depth: u8, ioapic: u64, pin: u64, level: u64, polarity: u64, vector: u64) -> Result<(), Error> {
        use inv::x86_irq_issue_irq_handler_ioapic as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::INDEX] = index;
        mr[a::DEPTH] = depth as u64;
        mr[a::IOAPIC] = ioapic;
        mr[a::PIN] = pin;
        mr[a::LEVEL] = level;
        mr[a::POLARITY] = polarity;
        mr[a::VECTOR] = vector;
        invoke(self.0, a::LABEL, &mr, &[root.0]).map(|_| ())
    }

    /// `seL4_IRQControl_GetMSI`.
    #[allow(clippy::too_many_arguments)]
    pub fn get_msi(&self, root: CNode, index: u64, depth: u8, bus: u64, dev: u64, func: u64, handle: u64, vector: u64) -> Result<(), Error> {
        use inv::x86_irq_issue_irq_handler_msi as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::INDEX] = index;
        mr[a::DEPTH] = depth as u64;
        mr[a::PCI_BUS] = bus;
        mr[a::PCI_DEV] = dev;
        mr[a::PCI_FUNC] = func;
        mr[a::HANDLE] = handle;
        mr[a::VECTOR] = vector;
        invoke(self.0, a::LABEL, &mr, &[root.0]).map(|_| ())
    }
}

/// An IRQ handler capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IrqHandler(pub CPtr);

impl IrqHandler {
    /// `seL4_IRQHandler_Ack`: unmask the IRQ.
    pub fn ack(&self) -> Result<(), Error> {
        invoke(self.0, L::IRQAckIRQ, &[], &[]).map(|_| ())
    }

    /// `seL4_IRQHandler_SetNotification`.
    pub fn set_notification(&self, ntfn: CPtr) -> Result<(), Error> {
        invoke(self.0, L::IRQSetIRQHandler, &[], &[ntfn]).map(|_| ())
    }

    /// `seL4_IRQHandler_Clear`.
    pub fn clear(&self) -> Result<(), Error> {
        invoke(self.0, L::IRQClearIRQHandler, &[], &[]).map(|_| ())
    }
}

/// The I/O-port control capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoPortControl(pub CPtr);

impl IoPortControl {
    /// `seL4_X86_IOPortControl_Issue`: ports `first..=last`.
    pub fn issue(&self, first: u64, last: u64, root: CNode, index: u64, depth: u8) -> Result<(), Error> {
        use inv::x86_io_port_control_issue as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::FIRST_PORT] = first;
        mr[a::LAST_PORT] = last;
        mr[a::INDEX] = index;
        mr[a::DEPTH] = depth as u64;
        invoke(self.0, a::LABEL, &mr, &[root.0]).map(|_| ())
    }
}

/// An I/O-port capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoPort(pub CPtr);

impl IoPort {
    fn read(&self, label: L, port: u64) -> Result<u64, Error> {
        invoke(self.0, label, &[port], &[]).map(|r| r.mrs.0[0])
    }

    fn write(&self, label: L, port: u64, v: u64) -> Result<(), Error> {
        invoke(self.0, label, &[port, v], &[]).map(|_| ())
    }

    pub fn in8(&self, port: u64) -> Result<u64, Error> {
        self.read(L::X86IOPortIn8, port)
    }
    pub fn in16(&self, port: u64) -> Result<u64, Error> {
        self.read(L::X86IOPortIn16, port)
    }
    pub fn in32(&self, port: u64) -> Result<u64, Error> {
        self.read(L::X86IOPortIn32, port)
    }
    pub fn out8(&self, port: u64, v: u64) -> Result<(), Error> {
        self.write(L::X86IOPortOut8, port, v)
    }
    pub fn out16(&self, port: u64, v: u64) -> Result<(), Error> {
        self.write(L::X86IOPortOut16, port, v)
    }
    pub fn out32(&self, port: u64, v: u64) -> Result<(), Error> {
        self.write(L::X86IOPortOut32, port, v)
    }
}
