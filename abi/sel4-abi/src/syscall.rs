//! System call numbers (the value in RDX on a `syscall` entry).
//!
//! Source: libsel4/include/api/syscall.xml, numbered by
//! tools/syscall_header_gen.py: every entry counts down from -1 in file order,
//! first the non-MCS `api-master` list, then the whole `<debug>` list. An
//! entry's config condition only decides whether the kernel *serves* it; the
//! number is assigned regardless, so these numbers hold in every build.

use crate::consts::config;

abi_enum! {
    /// A seL4 system call number (`seL4_Syscall_ID`, non-MCS).
    pub enum Syscall: isize {
        /// `seL4_SysCall`: send to RDI and wait for the reply.
        Call = -1,
        /// `seL4_SysReplyRecv`: reply through the caller slot, then receive on RDI.
        ReplyRecv = -2,
        /// `seL4_SysSend`.
        Send = -3,
        /// `seL4_SysNBSend`: like Send, but never blocks and drops errors.
        NBSend = -4,
        /// `seL4_SysRecv`.
        Recv = -5,
        /// `seL4_SysReply`: reply through the caller slot.
        Reply = -6,
        /// `seL4_SysYield`.
        Yield = -7,
        /// `seL4_SysNBRecv`: poll.
        NBRecv = -8,
        /// Print the character in RDI (CONFIG_PRINTING).
        DebugPutChar = -9,
        /// Dump the scheduler state (CONFIG_PRINTING).
        DebugDumpScheduler = -10,
        /// Halt the machine (CONFIG_DEBUG_BUILD).
        DebugHalt = -11,
        /// Return the kernel cap type of cptr RDI in RDI; see [`crate::cap_tag`].
        DebugCapIdentify = -12,
        /// Emit a capDL snapshot (CONFIG_DEBUG_BUILD).
        DebugSnapshot = -13,
        /// Name TCB RDI with the NUL-terminated string at `msg[0]` of the IPC buffer.
        DebugNameThread = -14,
        /// CONFIG_DEBUG_BUILD with SMP only.
        DebugSendIPI = -15,
        /// CONFIG_DEBUG_BUILD with SMP only.
        DebugGetThreadAffinity = -16,
        /// CONFIG_DANGEROUS_CODE_INJECTION only.
        DebugRun = -17,
        /// CONFIG_ENABLE_BENCHMARKS only.
        BenchmarkFlushCaches = -18,
        /// CONFIG_ENABLE_BENCHMARKS only.
        BenchmarkResetLog = -19,
        /// CONFIG_ENABLE_BENCHMARKS only.
        BenchmarkFinalizeLog = -20,
        /// CONFIG_ENABLE_BENCHMARKS only.
        BenchmarkSetLogBuffer = -21,
        /// CONFIG_ENABLE_BENCHMARKS only.
        BenchmarkNullSyscall = -22,
        /// CONFIG_BENCHMARK_TRACK_UTILISATION only.
        BenchmarkGetThreadUtilisation = -23,
        /// CONFIG_BENCHMARK_TRACK_UTILISATION only.
        BenchmarkResetThreadUtilisation = -24,
        /// CONFIG_DEBUG_BUILD with CONFIG_BENCHMARK_TRACK_UTILISATION only.
        BenchmarkDumpAllThreadsUtilisation = -25,
        /// CONFIG_DEBUG_BUILD with CONFIG_BENCHMARK_TRACK_UTILISATION only.
        BenchmarkResetAllThreadsUtilisation = -26,
        /// CONFIG_KERNEL_X86_DANGEROUS_MSR only.
        X86DangerousWRMSR = -27,
        /// CONFIG_KERNEL_X86_DANGEROUS_MSR only.
        X86DangerousRDMSR = -28,
        /// CONFIG_VTX only.
        VMEnter = -29,
        /// Set this thread's TLS (FS) base to RDI; served when
        /// CONFIG_SET_TLS_BASE_SELF holds, which it does for Triton.
        SetTLSBase = -30,
    }
}

/// Lowest (most negative) API syscall number; -1..=-8 are the API calls and
/// the kernel tells them apart from the rest with a range check.
pub const API_MIN: isize = -8;
/// Highest API syscall number.
pub const API_MAX: isize = -1;

/// Whether `n` is one of the eight API syscalls (-1..=-8). Everything else goes
/// to the kernel's unknown-syscall path (debug calls, then UnknownSyscall fault).
pub const fn is_api(n: isize) -> bool {
    n >= API_MIN && n <= API_MAX
}

impl Syscall {
    /// The number passed in RDX.
    pub const fn number(self) -> isize {
        self as isize
    }

    /// See the free function [`is_api`].
    pub const fn is_api(n: isize) -> bool {
        is_api(n)
    }

    /// Decodes the raw RDX register: the number is a sign-extended negative
    /// word, so reinterpret the 64 bits as signed first.
    pub fn from_register(rdx: u64) -> Option<Self> {
        Self::try_from(rdx as i64 as isize).ok()
    }

    /// The RDX value user code loads for this syscall.
    pub const fn register_value(self) -> u64 {
        self as isize as i64 as u64
    }

    /// Whether a kernel built with Triton's [`config`] serves this call. An
    /// unserved number becomes an UnknownSyscall fault (src/api/syscall.c,
    /// `handleUnknownSyscall`).
    pub const fn is_served(self) -> bool {
        use Syscall::*;
        match self {
            Call | ReplyRecv | Send | NBSend | Recv | Reply | Yield | NBRecv => true,
            DebugPutChar | DebugDumpScheduler => config::PRINTING,
            DebugHalt | DebugCapIdentify | DebugSnapshot | DebugNameThread => config::DEBUG_BUILD,
            DebugSendIPI | DebugGetThreadAffinity => {
                config::DEBUG_BUILD && config::MAX_NUM_NODES > 1
            }
            VMEnter => config::VTX,
            SetTLSBase => config::SET_TLS_BASE_SELF,
            // Code injection, benchmarks and the dangerous MSR calls are off.
            DebugRun
            | BenchmarkFlushCaches
            | BenchmarkResetLog
            | BenchmarkFinalizeLog
            | BenchmarkSetLogBuffer
            | BenchmarkNullSyscall
            | BenchmarkGetThreadUtilisation
            | BenchmarkResetThreadUtilisation
            | BenchmarkDumpAllThreadsUtilisation
            | BenchmarkResetAllThreadsUtilisation
            | X86DangerousWRMSR
            | X86DangerousRDMSR => false,
        }
    }
}
