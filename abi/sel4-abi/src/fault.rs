//! Fault messages: the fault types (which are also the message label) and the
//! MR index of every word of each fault message on x86_64.
//!
//! Sources: the `seL4_Fault` tagged union in
//! libsel4/sel4_arch_include/x86_64/sel4/sel4_arch/types.bf (type numbers),
//! the `seL4_*_Msg` enumerations in libsel4/include/sel4/shared_types.h
//! (CapFault) and libsel4/sel4_arch_include/x86_64/sel4/sel4_arch/constants.h
//! (VMFault, UnknownSyscall, UserException), the reply handling in
//! src/api/faults.c (`handleFaultReply`) and the message sizes in
//! include/arch/x86/arch/64/mode/machine/registerset.h.
//!
//! A fault is delivered as a Call on the fault endpoint: label = fault type,
//! no caps, badge = the fault endpoint cap's badge.

abi_enum! {
    /// `seL4_FaultType` (non-MCS).
    pub enum FaultType: u64 {
        /// No fault.
        NullFault = 0,
        /// A cap lookup failed during a send/receive.
        CapFault = 1,
        /// An unknown syscall number, or `int n` in the trap range.
        UnknownSyscall = 2,
        /// A CPU exception other than a page fault.
        UserException = 3,
        /// Hardware debug API only (not enabled in Triton).
        DebugException = 4,
        /// A page fault.
        VMFault = 5,
    }
}

/// `seL4_CapFault_Msg` (libsel4/include/sel4/shared_types.h). Words from
/// LOOKUP_FAILURE_TYPE on are a lookup-failure description (see
/// [`crate::lookup::description`]); length is 4 to 7 depending on the type.
pub mod cap_fault {
    /// Address to restart at.
    pub const IP: usize = 0;
    /// The cptr that failed.
    pub const ADDR: usize = 1;
    /// 1 if the failure happened in the receive phase.
    pub const IN_RECV_PHASE: usize = 2;
    /// [`crate::LookupFailureType`] (1-4).
    pub const LOOKUP_FAILURE_TYPE: usize = 3;
    /// Unresolved bits.
    pub const BITS_LEFT: usize = 4;
    /// DepthMismatch: bits found.
    pub const DEPTH_MISMATCH_BITS_FOUND: usize = 5;
    /// GuardMismatch: the guard found (shares index 5 with the above).
    pub const GUARD_MISMATCH_GUARD_FOUND: usize = 5;
    /// GuardMismatch: the guard size.
    pub const GUARD_MISMATCH_BITS_FOUND: usize = 6;
}

/// `seL4_VMFault_Msg` (x86_64 sel4_arch/constants.h).
pub mod vm_fault {
    /// Faulting instruction address.
    pub const IP: usize = 0;
    /// Faulting data address (CR2).
    pub const ADDR: usize = 1;
    /// [`INSTRUCTION_FAULT`] if an instruction fetch faulted, else
    /// [`DATA_FAULT`] (page-fault error code bit 4).
    pub const PREFETCH_FAULT: usize = 2;
    /// The x86 page-fault error code.
    pub const FSR: usize = 3;
    /// Message length.
    pub const LENGTH: usize = 4;
    /// `seL4_DataFault`.
    pub const DATA_FAULT: u64 = 0;
    /// `seL4_InstructionFault`.
    pub const INSTRUCTION_FAULT: u64 = 1;
}

/// `seL4_UserException_Msg` (x86_64 sel4_arch/constants.h).
pub mod user_exception {
    /// Faulting instruction address.
    pub const FAULT_IP: usize = 0;
    /// Stack pointer.
    pub const SP: usize = 1;
    /// RFLAGS.
    pub const FLAGS: usize = 2;
    /// Exception vector.
    pub const NUMBER: usize = 3;
    /// Hardware error code.
    pub const CODE: usize = 4;
    /// Message length.
    pub const LENGTH: usize = 5;
    /// Words a reply may write back (FaultIP, SP, FLAGS): `n_exceptionMessage`.
    pub const REPLY_REGISTERS: usize = 3;
}

/// `seL4_UnknownSyscall_Msg` (x86_64 sel4_arch/constants.h).
pub mod unknown_syscall {
    /// RAX.
    pub const RAX: usize = 0;
    /// RBX.
    pub const RBX: usize = 1;
    /// RCX (stale on the `syscall` path).
    pub const RCX: usize = 2;
    /// RDX.
    pub const RDX: usize = 3;
    /// RSI.
    pub const RSI: usize = 4;
    /// RDI.
    pub const RDI: usize = 5;
    /// RBP.
    pub const RBP: usize = 6;
    /// R8.
    pub const R8: usize = 7;
    /// R9.
    pub const R9: usize = 8;
    /// R10.
    pub const R10: usize = 9;
    /// R11 (stale on the `syscall` path).
    pub const R11: usize = 10;
    /// R12.
    pub const R12: usize = 11;
    /// R13.
    pub const R13: usize = 12;
    /// R14.
    pub const R14: usize = 13;
    /// R15.
    pub const R15: usize = 14;
    /// Address of the `syscall` (or `int`) instruction; a handler that wants
    /// the thread to continue past it must add 2 in its reply.
    pub const FAULT_IP: usize = 15;
    /// RSP (stale on the `syscall` path).
    pub const SP: usize = 16;
    /// RFLAGS.
    pub const FLAGS: usize = 17;
    /// The syscall number (for `int n`: n << 24 | low 24 bits of EAX).
    pub const SYSCALL: usize = 18;
    /// Message length.
    pub const LENGTH: usize = 19;
    /// Words a reply may write back (RAX..FLAGS): `n_syscallMessage`.
    pub const REPLY_REGISTERS: usize = 18;
}

/// First IDT vector that user `int n` turns into an UnknownSyscall fault on a
/// uniprocessor: one past the timer vector (`int_trap_min` in
/// include/plat/pc99/plat/machine.h). With SMP it would be 160.
pub const INT_TRAP_MIN: u64 = 158;
/// Last such vector (`int_trap_max`).
pub const INT_TRAP_MAX: u64 = 254;

impl FaultType {
    /// Message length the kernel sends for this fault, or `None` when it
    /// varies (CapFault: 4 + the lookup-failure description's extra words) or
    /// the fault does not occur in Triton (NullFault, DebugException).
    pub const fn message_length(self) -> Option<usize> {
        match self {
            FaultType::VMFault => Some(vm_fault::LENGTH),
            FaultType::UserException => Some(user_exception::LENGTH),
            FaultType::UnknownSyscall => Some(unknown_syscall::LENGTH),
            FaultType::NullFault | FaultType::CapFault | FaultType::DebugException => None,
        }
    }
}
