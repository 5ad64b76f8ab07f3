//! Flag and rights constants: ACCESS_MASK bits (generic, standard and the
//! object-specific rights of every object type Triton serves), OBJ_*
//! attributes, handle duplication options, MEM_*/PAGE_*/SEC_* memory
//! constants and CONTEXT_* flags.
//!
//! Sources: nt-facts.md §3 "ACCESS_MASK", "OBJ_*", "Memory" and §7 (mingw-w64
//! winnt.h, ntdef.h, ddk/wdm.h; phnt phnt_ntdef.h, ntpsapi.h, ntmmapi.h,
//! ntobapi.h, ntexapi.h).

use crate::types::AccessMask;

// --- ACCESS_MASK layout ---

/// Bits 0-15: rights specific to the object type.
pub const SPECIFIC_RIGHTS_ALL: AccessMask = 0x0000_FFFF;
pub const DELETE: AccessMask = 0x0001_0000;
pub const READ_CONTROL: AccessMask = 0x0002_0000;
pub const WRITE_DAC: AccessMask = 0x0004_0000;
pub const WRITE_OWNER: AccessMask = 0x0008_0000;
/// Wait on the handle.
pub const SYNCHRONIZE: AccessMask = 0x0010_0000;
pub const STANDARD_RIGHTS_REQUIRED: AccessMask = 0x000F_0000;
pub const STANDARD_RIGHTS_ALL: AccessMask = 0x001F_0000;
pub const STANDARD_RIGHTS_READ: AccessMask = READ_CONTROL;
pub const STANDARD_RIGHTS_WRITE: AccessMask = READ_CONTROL;
pub const STANDARD_RIGHTS_EXECUTE: AccessMask = READ_CONTROL;
pub const ACCESS_SYSTEM_SECURITY: AccessMask = 0x0100_0000;
pub const MAXIMUM_ALLOWED: AccessMask = 0x0200_0000;
pub const GENERIC_ALL: AccessMask = 0x1000_0000;
pub const GENERIC_EXECUTE: AccessMask = 0x2000_0000;
pub const GENERIC_WRITE: AccessMask = 0x4000_0000;
pub const GENERIC_READ: AccessMask = 0x8000_0000;

/// `GENERIC_MAPPING`: what each GENERIC_* bit means for one object type.
/// The tables themselves belong to the Executive's object types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct GenericMapping {
    pub generic_read: AccessMask,
    pub generic_write: AccessMask,
    pub generic_execute: AccessMask,
    pub generic_all: AccessMask,
}

impl GenericMapping {
    /// `RtlMapGenericMask`: replaces each GENERIC_* bit of `mask` by the
    /// rights it maps to. Other bits (including MAXIMUM_ALLOWED) are kept.
    pub const fn map(&self, mask: AccessMask) -> AccessMask {
        let mut out = mask & !(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
        if mask & GENERIC_READ != 0 {
            out |= self.generic_read;
        }
        if mask & GENERIC_WRITE != 0 {
            out |= self.generic_write;
        }
        if mask & GENERIC_EXECUTE != 0 {
            out |= self.generic_execute;
        }
        if mask & GENERIC_ALL != 0 {
            out |= self.generic_all;
        }
        out
    }
}

// --- File rights ---

pub const FILE_READ_DATA: AccessMask = 0x0001;
pub const FILE_LIST_DIRECTORY: AccessMask = 0x0001;
pub const FILE_WRITE_DATA: AccessMask = 0x0002;
pub const FILE_ADD_FILE: AccessMask = 0x0002;
pub const FILE_APPEND_DATA: AccessMask = 0x0004;
pub const FILE_ADD_SUBDIRECTORY: AccessMask = 0x0004;
pub const FILE_READ_EA: AccessMask = 0x0008;
pub const FILE_WRITE_EA: AccessMask = 0x0010;
pub const FILE_EXECUTE: AccessMask = 0x0020;
pub const FILE_TRAVERSE: AccessMask = 0x0020;
pub const FILE_DELETE_CHILD: AccessMask = 0x0040;
pub const FILE_READ_ATTRIBUTES: AccessMask = 0x0080;
pub const FILE_WRITE_ATTRIBUTES: AccessMask = 0x0100;
pub const FILE_ALL_ACCESS: AccessMask = 0x001F_01FF;
pub const FILE_GENERIC_READ: AccessMask = 0x0012_0089;
pub const FILE_GENERIC_WRITE: AccessMask = 0x0012_0116;
pub const FILE_GENERIC_EXECUTE: AccessMask = 0x0012_00A0;

// --- Process rights ---

pub const PROCESS_TERMINATE: AccessMask = 0x0001;
pub const PROCESS_CREATE_THREAD: AccessMask = 0x0002;
pub const PROCESS_SET_SESSIONID: AccessMask = 0x0004;
pub const PROCESS_VM_OPERATION: AccessMask = 0x0008;
pub const PROCESS_VM_READ: AccessMask = 0x0010;
pub const PROCESS_VM_WRITE: AccessMask = 0x0020;
pub const PROCESS_DUP_HANDLE: AccessMask = 0x0040;
pub const PROCESS_CREATE_PROCESS: AccessMask = 0x0080;
pub const PROCESS_SET_QUOTA: AccessMask = 0x0100;
pub const PROCESS_SET_INFORMATION: AccessMask = 0x0200;
pub const PROCESS_QUERY_INFORMATION: AccessMask = 0x0400;
pub const PROCESS_SUSPEND_RESUME: AccessMask = 0x0800;
pub const PROCESS_QUERY_LIMITED_INFORMATION: AccessMask = 0x1000;
/// Vista and later.
pub const PROCESS_ALL_ACCESS: AccessMask = 0x001F_FFFF;

// --- Thread rights ---

pub const THREAD_TERMINATE: AccessMask = 0x0001;
pub const THREAD_SUSPEND_RESUME: AccessMask = 0x0002;
pub const THREAD_ALERT: AccessMask = 0x0004;
pub const THREAD_GET_CONTEXT: AccessMask = 0x0008;
pub const THREAD_SET_CONTEXT: AccessMask = 0x0010;
pub const THREAD_SET_INFORMATION: AccessMask = 0x0020;
pub const THREAD_QUERY_INFORMATION: AccessMask = 0x0040;
pub const THREAD_SET_THREAD_TOKEN: AccessMask = 0x0080;
pub const THREAD_IMPERSONATE: AccessMask = 0x0100;
pub const THREAD_DIRECT_IMPERSONATION: AccessMask = 0x0200;
pub const THREAD_SET_LIMITED_INFORMATION: AccessMask = 0x0400;
pub const THREAD_QUERY_LIMITED_INFORMATION: AccessMask = 0x0800;
pub const THREAD_RESUME: AccessMask = 0x1000;
pub const THREAD_ALL_ACCESS: AccessMask = 0x001F_FFFF;

// --- Dispatcher objects: event, semaphore, timer, mutant ---

pub const EVENT_QUERY_STATE: AccessMask = 0x0001;
pub const EVENT_MODIFY_STATE: AccessMask = 0x0002;
pub const EVENT_ALL_ACCESS: AccessMask = 0x001F_0003;
pub const SEMAPHORE_QUERY_STATE: AccessMask = 0x0001;
pub const SEMAPHORE_MODIFY_STATE: AccessMask = 0x0002;
pub const SEMAPHORE_ALL_ACCESS: AccessMask = 0x001F_0003;
pub const TIMER_QUERY_STATE: AccessMask = 0x0001;
pub const TIMER_MODIFY_STATE: AccessMask = 0x0002;
pub const TIMER_ALL_ACCESS: AccessMask = 0x001F_0003;
pub const MUTANT_QUERY_STATE: AccessMask = 0x0001;
pub const MUTANT_ALL_ACCESS: AccessMask = 0x001F_0001;

// --- Section rights ---

pub const SECTION_QUERY: AccessMask = 0x0001;
pub const SECTION_MAP_WRITE: AccessMask = 0x0002;
pub const SECTION_MAP_READ: AccessMask = 0x0004;
pub const SECTION_MAP_EXECUTE: AccessMask = 0x0008;
pub const SECTION_EXTEND_SIZE: AccessMask = 0x0010;
pub const SECTION_MAP_EXECUTE_EXPLICIT: AccessMask = 0x0020;
pub const SECTION_ALL_ACCESS: AccessMask = 0x000F_001F;

// --- Registry key rights ---

pub const KEY_QUERY_VALUE: AccessMask = 0x0001;
pub const KEY_SET_VALUE: AccessMask = 0x0002;
pub const KEY_CREATE_SUB_KEY: AccessMask = 0x0004;
pub const KEY_ENUMERATE_SUB_KEYS: AccessMask = 0x0008;
pub const KEY_NOTIFY: AccessMask = 0x0010;
pub const KEY_CREATE_LINK: AccessMask = 0x0020;
pub const KEY_WOW64_64KEY: AccessMask = 0x0100;
pub const KEY_READ: AccessMask = 0x0002_0019;
pub const KEY_EXECUTE: AccessMask = 0x0002_0019;
pub const KEY_WRITE: AccessMask = 0x0002_0006;
pub const KEY_ALL_ACCESS: AccessMask = 0x000F_003F;

// --- Object directory and symbolic link rights ---

pub const DIRECTORY_QUERY: AccessMask = 0x0001;
pub const DIRECTORY_TRAVERSE: AccessMask = 0x0002;
pub const DIRECTORY_CREATE_OBJECT: AccessMask = 0x0004;
pub const DIRECTORY_CREATE_SUBDIRECTORY: AccessMask = 0x0008;
pub const DIRECTORY_ALL_ACCESS: AccessMask = 0x000F_000F;
pub const SYMBOLIC_LINK_QUERY: AccessMask = 0x0001;
pub const SYMBOLIC_LINK_ALL_ACCESS: AccessMask = 0x000F_0001;

// --- NtDuplicateObject options ---

pub const DUPLICATE_CLOSE_SOURCE: u32 = 0x1;
pub const DUPLICATE_SAME_ACCESS: u32 = 0x2;
pub const DUPLICATE_SAME_ATTRIBUTES: u32 = 0x4;

// --- OBJECT_ATTRIBUTES.Attributes ---

pub const OBJ_PROTECT_CLOSE: u32 = 0x0001;
pub const OBJ_INHERIT: u32 = 0x0002;
pub const OBJ_AUDIT_OBJECT_CLOSE: u32 = 0x0004;
pub const OBJ_NO_RIGHTS_UPGRADE: u32 = 0x0008;
pub const OBJ_PERMANENT: u32 = 0x0010;
pub const OBJ_EXCLUSIVE: u32 = 0x0020;
pub const OBJ_CASE_INSENSITIVE: u32 = 0x0040;
pub const OBJ_OPENIF: u32 = 0x0080;
pub const OBJ_OPENLINK: u32 = 0x0100;
pub const OBJ_KERNEL_HANDLE: u32 = 0x0200;
pub const OBJ_FORCE_ACCESS_CHECK: u32 = 0x0400;
pub const OBJ_IGNORE_IMPERSONATED_DEVICEMAP: u32 = 0x0800;
pub const OBJ_DONT_REPARSE: u32 = 0x1000;
/// Every bit an OBJECT_ATTRIBUTES may carry; others are
/// STATUS_INVALID_PARAMETER.
pub const OBJ_VALID_ATTRIBUTES: u32 = 0x1FF2;
/// The low handle bits a caller may use as tags.
pub const OBJ_HANDLE_TAGBITS: u64 = 0x3;

// --- Page protection (PAGE_*) ---

pub const PAGE_NOACCESS: u32 = 0x01;
pub const PAGE_READONLY: u32 = 0x02;
pub const PAGE_READWRITE: u32 = 0x04;
pub const PAGE_WRITECOPY: u32 = 0x08;
pub const PAGE_EXECUTE: u32 = 0x10;
pub const PAGE_EXECUTE_READ: u32 = 0x20;
pub const PAGE_EXECUTE_READWRITE: u32 = 0x40;
pub const PAGE_EXECUTE_WRITECOPY: u32 = 0x80;
/// Modifier.
pub const PAGE_GUARD: u32 = 0x100;
/// Modifier.
pub const PAGE_NOCACHE: u32 = 0x200;
/// Modifier.
pub const PAGE_WRITECOMBINE: u32 = 0x400;

// --- Allocation types, region states and types (MEM_*) ---

pub const MEM_COMMIT: u32 = 0x1000;
pub const MEM_RESERVE: u32 = 0x2000;
pub const MEM_DECOMMIT: u32 = 0x4000;
pub const MEM_RELEASE: u32 = 0x8000;
/// State.
pub const MEM_FREE: u32 = 0x1_0000;
/// Type.
pub const MEM_PRIVATE: u32 = 0x2_0000;
/// Type.
pub const MEM_MAPPED: u32 = 0x4_0000;
pub const MEM_RESET: u32 = 0x8_0000;
pub const MEM_TOP_DOWN: u32 = 0x10_0000;
pub const MEM_WRITE_WATCH: u32 = 0x20_0000;
pub const MEM_PHYSICAL: u32 = 0x40_0000;
/// Type; equal to SEC_IMAGE.
pub const MEM_IMAGE: u32 = 0x100_0000;
pub const MEM_LARGE_PAGES: u32 = 0x2000_0000;

// --- NtCreateSection AllocationAttributes (SEC_*) ---

pub const SEC_FILE: u32 = 0x0080_0000;
pub const SEC_IMAGE: u32 = 0x0100_0000;
pub const SEC_PROTECTED_IMAGE: u32 = 0x0200_0000;
pub const SEC_RESERVE: u32 = 0x0400_0000;
/// The default.
pub const SEC_COMMIT: u32 = 0x0800_0000;
pub const SEC_NOCACHE: u32 = 0x1000_0000;
pub const SEC_WRITECOMBINE: u32 = 0x4000_0000;
pub const SEC_LARGE_PAGES: u32 = 0x8000_0000;
pub const SEC_IMAGE_NO_EXECUTE: u32 = 0x1100_0000;

// --- Waits ---

/// Most handles NtWaitForMultipleObjects accepts.
pub const MAXIMUM_WAIT_OBJECTS: u32 = 64;

// --- CONTEXT.ContextFlags (AMD64) ---

pub const CONTEXT_AMD64: u32 = 0x0010_0000;
pub const CONTEXT_CONTROL: u32 = CONTEXT_AMD64 | 0x01;
pub const CONTEXT_INTEGER: u32 = CONTEXT_AMD64 | 0x02;
pub const CONTEXT_SEGMENTS: u32 = CONTEXT_AMD64 | 0x04;
pub const CONTEXT_FLOATING_POINT: u32 = CONTEXT_AMD64 | 0x08;
pub const CONTEXT_DEBUG_REGISTERS: u32 = CONTEXT_AMD64 | 0x10;
pub const CONTEXT_FULL: u32 = CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_FLOATING_POINT;
pub const CONTEXT_ALL: u32 = CONTEXT_FULL | CONTEXT_SEGMENTS | CONTEXT_DEBUG_REGISTERS;
