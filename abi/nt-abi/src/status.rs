//! NTSTATUS: the 32-bit result of every native service, with its bit layout
//! and every value listed in /work/shared/reference/nt-facts.md §1 (checked
//! there against mingw-w64 ntstatus.h/ntdef.h and phnt phnt_ntdef.h).
//!
//! Bits 31-30 are the severity (0 success, 1 informational, 2 warning,
//! 3 error), bit 29 the customer flag, bits 27-16 the facility, bits 15-0 the
//! code. `NT_SUCCESS` is "as a signed LONG, at least 0", so informational
//! values count as success and warnings do not.

use core::fmt;

/// An NTSTATUS value. `#[repr(transparent)]` over `u32`, so an
/// `extern "system" fn(..) -> NtStatus` returns it in EAX exactly as a C
/// `NTSTATUS` (a `LONG`) would be returned.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(transparent)]
pub struct NtStatus(pub u32);

/// The C type, for signatures that must spell `NTSTATUS` as Windows does.
#[allow(clippy::upper_case_acronyms)]
pub type NTSTATUS = i32;

/// Severity field values (bits 31-30).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// 00: success (including the wait indexes and the APC/alert values).
    Success,
    /// 01: informational; still `NT_SUCCESS`.
    Informational,
    /// 10: warning; not `NT_SUCCESS`, but output may be partially valid
    /// (STATUS_BUFFER_OVERFLOW).
    Warning,
    /// 11: error.
    Error,
}

impl NtStatus {
    /// The value as the signed C `NTSTATUS`.
    pub const fn to_ntstatus(self) -> NTSTATUS {
        self.0 as i32
    }

    /// From the signed C `NTSTATUS`.
    pub const fn from_ntstatus(v: NTSTATUS) -> Self {
        NtStatus(v as u32)
    }

    /// `NT_SUCCESS`: success and informational values.
    pub const fn is_success(self) -> bool {
        (self.0 as i32) >= 0
    }

    /// `NT_INFORMATION`: severity 01.
    pub const fn is_information(self) -> bool {
        self.0 >> 30 == 1
    }

    /// `NT_WARNING`: severity 10.
    pub const fn is_warning(self) -> bool {
        self.0 >> 30 == 2
    }

    /// `NT_ERROR`: severity 11.
    pub const fn is_error(self) -> bool {
        self.0 >> 30 == 3
    }

    /// The severity field.
    pub const fn severity(self) -> Severity {
        match self.0 >> 30 {
            0 => Severity::Success,
            1 => Severity::Informational,
            2 => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The customer flag (bit 29): set for values not defined by Microsoft.
    pub const fn is_customer(self) -> bool {
        self.0 & (1 << 29) != 0
    }

    /// The facility field (bits 27-16).
    pub const fn facility(self) -> u16 {
        ((self.0 >> 16) & 0xFFF) as u16
    }

    /// The code field (bits 15-0).
    pub const fn code(self) -> u16 {
        self.0 as u16
    }

    /// STATUS_WAIT_0 + `index`: the status of a wait satisfied by object
    /// `index` (0..64, MAXIMUM_WAIT_OBJECTS).
    pub const fn wait(index: u32) -> Self {
        NtStatus(STATUS_WAIT_0.0 + (index & 0x3F))
    }

    /// STATUS_ABANDONED_WAIT_0 + `index`: the wait was satisfied by an
    /// abandoned mutant.
    pub const fn abandoned_wait(index: u32) -> Self {
        NtStatus(STATUS_ABANDONED_WAIT_0.0 + (index & 0x3F))
    }

    /// A Win32 error code wrapped as an NTSTATUS (facility 7, error
    /// severity): `0xC0070000 | code`.
    pub const fn from_win32(code: u16) -> Self {
        NtStatus(0xC007_0000 | code as u32)
    }

    /// The name of a value listed here (`"STATUS_ACCESS_VIOLATION"`), for
    /// diagnostics. Aliases give the first name declared (STATUS_SUCCESS,
    /// not STATUS_WAIT_0).
    pub fn name(self) -> Option<&'static str> {
        NAMED.iter().find(|(v, _)| *v == self).map(|(_, n)| *n)
    }
}

impl fmt::Debug for NtStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n}"),
            None => write!(f, "NtStatus({:#010x})", self.0),
        }
    }
}

impl fmt::Display for NtStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#010x}", self.0)?;
        if let Some(n) = self.name() {
            write!(f, " ({n})")?;
        }
        Ok(())
    }
}

impl From<NtStatus> for u32 {
    fn from(s: NtStatus) -> u32 {
        s.0
    }
}

impl From<u32> for NtStatus {
    fn from(v: u32) -> NtStatus {
        NtStatus(v)
    }
}

/// Declares the named constants and the name table from one list, so a
/// value and its name cannot drift apart.
macro_rules! statuses {
    ($( $(#[$meta:meta])* $name:ident = $value:literal, )+) => {
        $( $(#[$meta])* pub const $name: NtStatus = NtStatus($value); )+

        /// Every named value, in declaration order.
        pub const NAMED: &[(NtStatus, &str)] = &[ $( (NtStatus($value), stringify!($name)), )+ ];
    };
}

statuses! {
    // --- Success, wait and APC values (severity 00) ---
    STATUS_SUCCESS = 0x0000_0000,
    /// Alias of STATUS_SUCCESS: the wait was satisfied by object 0.
    STATUS_WAIT_0 = 0x0000_0000,
    STATUS_WAIT_1 = 0x0000_0001,
    STATUS_WAIT_2 = 0x0000_0002,
    STATUS_WAIT_3 = 0x0000_0003,
    /// The last wait index (MAXIMUM_WAIT_OBJECTS - 1); see [`NtStatus::wait`].
    STATUS_WAIT_63 = 0x0000_003F,
    STATUS_ABANDONED = 0x0000_0080,
    /// Alias of STATUS_ABANDONED; see [`NtStatus::abandoned_wait`].
    STATUS_ABANDONED_WAIT_0 = 0x0000_0080,
    STATUS_ABANDONED_WAIT_63 = 0x0000_00BF,
    STATUS_USER_APC = 0x0000_00C0,
    STATUS_KERNEL_APC = 0x0000_0100,
    STATUS_ALERTED = 0x0000_0101,
    STATUS_TIMEOUT = 0x0000_0102,
    STATUS_PENDING = 0x0000_0103,
    STATUS_REPARSE = 0x0000_0104,
    STATUS_MORE_ENTRIES = 0x0000_0105,
    STATUS_NOT_ALL_ASSIGNED = 0x0000_0106,
    STATUS_NOTIFY_ENUM_DIR = 0x0000_010C,

    // --- Informational (severity 01) ---
    /// OBJ_OPENIF opened an existing object.
    STATUS_OBJECT_NAME_EXISTS = 0x4000_0000,
    STATUS_THREAD_WAS_SUSPENDED = 0x4000_0001,
    /// A section was mapped at another address and needs relocation.
    STATUS_IMAGE_NOT_AT_BASE = 0x4000_0003,
    STATUS_IMAGE_MACHINE_TYPE_MISMATCH = 0x4000_000E,
    STATUS_NO_YIELD_PERFORMED = 0x4000_0024,

    // --- Warnings (severity 10) ---
    STATUS_GUARD_PAGE_VIOLATION = 0x8000_0001,
    STATUS_DATATYPE_MISALIGNMENT = 0x8000_0002,
    STATUS_BREAKPOINT = 0x8000_0003,
    STATUS_SINGLE_STEP = 0x8000_0004,
    /// Partial data returned (the buffer is filled and the needed size
    /// reported).
    STATUS_BUFFER_OVERFLOW = 0x8000_0005,
    STATUS_NO_MORE_FILES = 0x8000_0006,
    STATUS_PARTIAL_COPY = 0x8000_000D,
    STATUS_DEVICE_BUSY = 0x8000_0011,
    STATUS_NO_MORE_EAS = 0x8000_0012,
    STATUS_NO_MORE_ENTRIES = 0x8000_001A,
    STATUS_LONGJUMP = 0x8000_0026,
    STATUS_UNWIND_CONSOLIDATE = 0x8000_0029,

    // --- Errors (severity 11) ---
    STATUS_UNSUCCESSFUL = 0xC000_0001,
    STATUS_NOT_IMPLEMENTED = 0xC000_0002,
    STATUS_INVALID_INFO_CLASS = 0xC000_0003,
    STATUS_INFO_LENGTH_MISMATCH = 0xC000_0004,
    STATUS_ACCESS_VIOLATION = 0xC000_0005,
    STATUS_IN_PAGE_ERROR = 0xC000_0006,
    STATUS_INVALID_HANDLE = 0xC000_0008,
    STATUS_BAD_INITIAL_STACK = 0xC000_0009,
    STATUS_BAD_INITIAL_PC = 0xC000_000A,
    STATUS_INVALID_CID = 0xC000_000B,
    STATUS_INVALID_PARAMETER = 0xC000_000D,
    STATUS_NO_SUCH_DEVICE = 0xC000_000E,
    STATUS_NO_SUCH_FILE = 0xC000_000F,
    STATUS_INVALID_DEVICE_REQUEST = 0xC000_0010,
    STATUS_END_OF_FILE = 0xC000_0011,
    STATUS_NO_MEDIA_IN_DEVICE = 0xC000_0013,
    /// Returned by completion routines to stop completion.
    STATUS_MORE_PROCESSING_REQUIRED = 0xC000_0016,
    STATUS_NO_MEMORY = 0xC000_0017,
    STATUS_CONFLICTING_ADDRESSES = 0xC000_0018,
    STATUS_NOT_MAPPED_VIEW = 0xC000_0019,
    STATUS_UNABLE_TO_FREE_VM = 0xC000_001A,
    STATUS_UNABLE_TO_DELETE_SECTION = 0xC000_001B,
    STATUS_INVALID_SYSTEM_SERVICE = 0xC000_001C,
    STATUS_ILLEGAL_INSTRUCTION = 0xC000_001D,
    STATUS_INVALID_VIEW_SIZE = 0xC000_001F,
    STATUS_INVALID_FILE_FOR_SECTION = 0xC000_0020,
    STATUS_ALREADY_COMMITTED = 0xC000_0021,
    STATUS_ACCESS_DENIED = 0xC000_0022,
    STATUS_BUFFER_TOO_SMALL = 0xC000_0023,
    STATUS_OBJECT_TYPE_MISMATCH = 0xC000_0024,
    STATUS_NONCONTINUABLE_EXCEPTION = 0xC000_0025,
    STATUS_INVALID_DISPOSITION = 0xC000_0026,
    STATUS_UNWIND = 0xC000_0027,
    STATUS_BAD_STACK = 0xC000_0028,
    STATUS_INVALID_UNWIND_TARGET = 0xC000_0029,
    STATUS_NOT_COMMITTED = 0xC000_002D,
    STATUS_INVALID_PARAMETER_MIX = 0xC000_0030,
    STATUS_OBJECT_NAME_INVALID = 0xC000_0033,
    STATUS_OBJECT_NAME_NOT_FOUND = 0xC000_0034,
    STATUS_OBJECT_NAME_COLLISION = 0xC000_0035,
    STATUS_PORT_DISCONNECTED = 0xC000_0037,
    STATUS_DEVICE_ALREADY_ATTACHED = 0xC000_0038,
    STATUS_OBJECT_PATH_INVALID = 0xC000_0039,
    STATUS_OBJECT_PATH_NOT_FOUND = 0xC000_003A,
    STATUS_OBJECT_PATH_SYNTAX_BAD = 0xC000_003B,
    STATUS_SECTION_TOO_BIG = 0xC000_0040,
    STATUS_SHARING_VIOLATION = 0xC000_0043,
    STATUS_INVALID_PAGE_PROTECTION = 0xC000_0045,
    STATUS_MUTANT_NOT_OWNED = 0xC000_0046,
    STATUS_SEMAPHORE_LIMIT_EXCEEDED = 0xC000_0047,
    STATUS_SECTION_NOT_IMAGE = 0xC000_0049,
    STATUS_THREAD_IS_TERMINATING = 0xC000_004B,
    STATUS_SECTION_PROTECTION = 0xC000_004E,
    STATUS_FILE_LOCK_CONFLICT = 0xC000_0054,
    STATUS_DELETE_PENDING = 0xC000_0056,
    STATUS_PRIVILEGE_NOT_HELD = 0xC000_0061,
    STATUS_PROCEDURE_NOT_FOUND = 0xC000_007A,
    STATUS_INVALID_IMAGE_FORMAT = 0xC000_007B,
    STATUS_DISK_FULL = 0xC000_007F,
    STATUS_SECTION_NOT_EXTENDED = 0xC000_0087,
    STATUS_ARRAY_BOUNDS_EXCEEDED = 0xC000_008C,
    STATUS_FLOAT_DIVIDE_BY_ZERO = 0xC000_008E,
    STATUS_FLOAT_INVALID_OPERATION = 0xC000_0090,
    STATUS_INTEGER_DIVIDE_BY_ZERO = 0xC000_0094,
    STATUS_INTEGER_OVERFLOW = 0xC000_0095,
    STATUS_PRIVILEGED_INSTRUCTION = 0xC000_0096,
    STATUS_INSUFFICIENT_RESOURCES = 0xC000_009A,
    STATUS_DEVICE_NOT_CONNECTED = 0xC000_009D,
    STATUS_FREE_VM_NOT_AT_BASE = 0xC000_009F,
    STATUS_MEMORY_NOT_ALLOCATED = 0xC000_00A0,
    STATUS_MEDIA_WRITE_PROTECTED = 0xC000_00A2,
    STATUS_DEVICE_NOT_READY = 0xC000_00A3,
    STATUS_IO_TIMEOUT = 0xC000_00B5,
    STATUS_FILE_IS_A_DIRECTORY = 0xC000_00BA,
    STATUS_NOT_SUPPORTED = 0xC000_00BB,
    STATUS_DEVICE_DOES_NOT_EXIST = 0xC000_00C0,
    STATUS_BAD_DEVICE_TYPE = 0xC000_00CB,
    STATUS_NOT_SAME_DEVICE = 0xC000_00D4,
    STATUS_INTERNAL_ERROR = 0xC000_00E5,
    STATUS_INVALID_USER_BUFFER = 0xC000_00E8,
    STATUS_INVALID_PARAMETER_1 = 0xC000_00EF,
    STATUS_INVALID_PARAMETER_2 = 0xC000_00F0,
    STATUS_INVALID_PARAMETER_3 = 0xC000_00F1,
    STATUS_INVALID_PARAMETER_4 = 0xC000_00F2,
    STATUS_INVALID_PARAMETER_5 = 0xC000_00F3,
    STATUS_INVALID_PARAMETER_6 = 0xC000_00F4,
    STATUS_INVALID_PARAMETER_7 = 0xC000_00F5,
    STATUS_INVALID_PARAMETER_8 = 0xC000_00F6,
    STATUS_INVALID_PARAMETER_9 = 0xC000_00F7,
    STATUS_INVALID_PARAMETER_10 = 0xC000_00F8,
    STATUS_INVALID_PARAMETER_11 = 0xC000_00F9,
    STATUS_INVALID_PARAMETER_12 = 0xC000_00FA,
    STATUS_STACK_OVERFLOW = 0xC000_00FD,
    STATUS_VARIABLE_NOT_FOUND = 0xC000_0100,
    STATUS_DIRECTORY_NOT_EMPTY = 0xC000_0101,
    STATUS_NOT_A_DIRECTORY = 0xC000_0103,
    STATUS_NAME_TOO_LONG = 0xC000_0106,
    STATUS_PROCESS_IS_TERMINATING = 0xC000_010A,
    STATUS_TOO_MANY_OPENED_FILES = 0xC000_011F,
    STATUS_CANCELLED = 0xC000_0120,
    STATUS_FILE_DELETED = 0xC000_0123,
    STATUS_FILE_CLOSED = 0xC000_0128,
    STATUS_COMMITMENT_LIMIT = 0xC000_012D,
    STATUS_INVALID_IMAGE_NOT_MZ = 0xC000_012F,
    STATUS_DLL_NOT_FOUND = 0xC000_0135,
    STATUS_ORDINAL_NOT_FOUND = 0xC000_0138,
    STATUS_ENTRYPOINT_NOT_FOUND = 0xC000_0139,
    STATUS_CONTROL_C_EXIT = 0xC000_013A,
    STATUS_INVALID_ADDRESS = 0xC000_0141,
    STATUS_DLL_INIT_FAILED = 0xC000_0142,
    STATUS_UNHANDLED_EXCEPTION = 0xC000_0144,
    STATUS_PIPE_BROKEN = 0xC000_014B,
    STATUS_KEY_DELETED = 0xC000_017C,
    STATUS_KEY_HAS_CHILDREN = 0xC000_0180,
    STATUS_INVALID_DEVICE_STATE = 0xC000_0184,
    STATUS_IO_DEVICE_ERROR = 0xC000_0185,
    STATUS_INVALID_BUFFER_SIZE = 0xC000_0206,
    STATUS_MAPPED_ALIGNMENT = 0xC000_0220,
    STATUS_NOT_FOUND = 0xC000_0225,
    STATUS_HANDLE_NOT_CLOSABLE = 0xC000_0235,
    STATUS_ILLEGAL_DLL_RELOCATION = 0xC000_0269,
    STATUS_DRIVER_UNABLE_TO_LOAD = 0xC000_026C,
    STATUS_INVALID_IMAGE_WIN_32 = 0xC000_0359,
    STATUS_INVALID_IMAGE_WIN_64 = 0xC000_035A,
    STATUS_HEAP_CORRUPTION = 0xC000_0374,
    STATUS_STACK_BUFFER_OVERRUN = 0xC000_0409,
    STATUS_ASSERTION_FAILURE = 0xC000_0420,
}
