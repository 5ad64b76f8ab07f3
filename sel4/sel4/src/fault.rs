//! Decoding fault messages (what a fault handler receives on its endpoint).
//! The label is the fault type and the MR layouts are the x86_64 ones named
//! in `sel4_abi::fault`.

use crate::LookupFailure;
use sel4_abi::fault::{cap_fault, unknown_syscall, user_exception, vm_fault};
use sel4_abi::{FaultType, MessageInfo};

/// A decoded fault message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// A capability lookup failed in a send or receive.
    CapFault { ip: u64, addr: u64, in_recv_phase: bool, lookup: Option<LookupFailure> },
    /// An unserved system call; `regs` are MR0..17 (RAX..R15, FaultIP, SP,
    /// FLAGS), the order a reply writes them back in.
    UnknownSyscall { regs: [u64; unknown_syscall::REPLY_REGISTERS], number: u64 },
    /// A CPU exception other than a page fault.
    UserException { ip: u64, sp: u64, flags: u64, number: u64, code: u64 },
    /// A page fault.
    VMFault { ip: u64, addr: u64, prefetch: bool, fsr: u64 },
    /// Any other label.
    Unknown { label: u64 },
}

impl Fault {
    /// Decodes a message from its info and an accessor for MR `i`.
    pub fn decode(info: MessageInfo, mr: impl Fn(usize) -> u64) -> Fault {
        match FaultType::try_from(info.label()) {
            Ok(FaultType::CapFault) => {
                let n = info.length() as usize;
                let mut w = [0u64; 4];
                for (k, v) in w.iter_mut().enumerate() {
                    if cap_fault::LOOKUP_FAILURE_TYPE + k < n {
                        *v = mr(cap_fault::LOOKUP_FAILURE_TYPE + k);
                    }
                }
                let len = n.saturating_sub(cap_fault::LOOKUP_FAILURE_TYPE).min(4);
                Fault::CapFault {
                    ip: mr(cap_fault::IP),
                    addr: mr(cap_fault::ADDR),
                    in_recv_phase: mr(cap_fault::IN_RECV_PHASE) != 0,
                    lookup: LookupFailure::from_words(&w[..len]),
                }
            }
            Ok(FaultType::UnknownSyscall) => {
                let mut regs = [0u64; unknown_syscall::REPLY_REGISTERS];
                for (i, r) in regs.iter_mut().enumerate() {
                    *r = mr(i);
                }
                Fault::UnknownSyscall { regs, number: mr(unknown_syscall::SYSCALL) }
            }
            Ok(FaultType::UserException) => Fault::UserException {
                ip: mr(user_exception::FAULT_IP),
                sp: mr(user_exception::SP),
                flags: mr(user_exception::FLAGS),
                number: mr(user_exception::NUMBER),
                code: mr(user_exception::CODE),
            },
            Ok(FaultType::VMFault) => Fault::VMFault {
                ip: mr(vm_fault::IP),
                addr: mr(vm_fault::ADDR),
                prefetch: mr(vm_fault::PREFETCH_FAULT) != 0,
                fsr: mr(vm_fault::FSR),
            },
            _ => Fault::Unknown { label: info.label() },
        }
    }
}
