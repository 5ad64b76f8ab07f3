//! x86_64 (`#[repr(C)]`) layouts of the NT structures that cross the
//! boundary between programs, ntdll and the Executive, plus the handle type.
//!
//! Offsets and sizes come from /work/shared/reference/nt-facts.md §2 (phnt
//! phnt_ntdef.h, ntrtl.h, ntpebteb.h, ntpsapi.h, ntldr.h, ntexapi.h;
//! mingw-w64 winnt.h) and are checked field by field in `tests/layout.rs`.
//! Pointers, `HANDLE`s, `SIZE_T` and `ULONG_PTR` are written as `u64` so the
//! layouts are those of the x86_64 target whatever crate uses them, and so
//! nothing here is a Rust pointer that could be dereferenced by accident:
//! every address in these structures belongs to some NT process.
//!
//! Big structures (PEB, TEB, KUSER_SHARED_DATA) declare the fields
//! nt-facts.md lists and name the bytes between them `_reserved*`; their
//! meaning is documented in phnt, and nothing in Triton reads them yet.

mod info;
mod process;
mod shared_data;
mod teb;

pub use info::*;
pub use process::*;
pub use shared_data::*;
pub use teb::*;

/// `LARGE_INTEGER`: 8 bytes, 8-aligned on both architectures; only
/// `QuadPart` is ever used from Rust. NT time is 100 ns units since
/// 1601-01-01 UTC; a negative timeout is relative.
pub type LargeInteger = i64;

/// `ACCESS_MASK` (a `ULONG`).
pub type AccessMask = u32;

/// 116444736000000000: 1970-01-01 in NT time (nt-facts.md §2).
pub const UNIX_EPOCH_AS_NT_TIME: i64 = 0x019D_B1DE_D53E_8000;

/// A `HANDLE` value as a caller passes it: pointer-sized, opaque.
///
/// Rules (nt-facts.md; phnt ntpsapi.h for the pseudo handles): real handles
/// are multiples of 4 starting at 4, and the low two bits are tag bits the
/// Executive ignores (`OBJ_HANDLE_TAGBITS`); NULL is never a valid handle;
/// small negative values are pseudo handles that name the caller's own
/// process, thread, session or tokens without a handle-table entry.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Debug)]
#[repr(transparent)]
pub struct Handle(pub u64);

impl Handle {
    /// NULL: "no handle".
    pub const NULL: Handle = Handle(0);
    /// `NtCurrentProcess()` = `(HANDLE)(LONG_PTR)-1`.
    pub const CURRENT_PROCESS: Handle = Handle(-1i64 as u64);
    /// `NtCurrentThread()` = `(HANDLE)(LONG_PTR)-2`.
    pub const CURRENT_THREAD: Handle = Handle(-2i64 as u64);
    /// `NtCurrentSession()` = -3.
    pub const CURRENT_SESSION: Handle = Handle(-3i64 as u64);
    /// `NtCurrentProcessToken()` = -4.
    pub const CURRENT_PROCESS_TOKEN: Handle = Handle(-4i64 as u64);
    /// `NtCurrentThreadToken()` = -5.
    pub const CURRENT_THREAD_TOKEN: Handle = Handle(-5i64 as u64);
    /// `NtCurrentThreadEffectiveToken()` = -6.
    pub const CURRENT_THREAD_EFFECTIVE_TOKEN: Handle = Handle(-6i64 as u64);

    /// Handle values are multiples of this.
    pub const ALIGNMENT: u64 = 4;
    /// The low bits a caller may use as tags (`OBJ_HANDLE_TAGBITS`).
    pub const TAG_BITS: u64 = 3;

    /// Is this NULL?
    pub const fn is_null(self) -> bool {
        self.0 == 0
    }

    /// Is this one of the pseudo handles -1..=-6?
    pub const fn is_pseudo(self) -> bool {
        let v = self.0 as i64;
        v < 0 && v >= -6
    }

    /// The handle-table index (value / 4 with the tag bits dropped), or None
    /// for NULL, pseudo handles and values no table could hold (negative as
    /// a `LONG_PTR`).
    pub const fn table_index(self) -> Option<u64> {
        if self.is_null() || (self.0 as i64) < 0 {
            return None;
        }
        let index = self.0 >> 2;
        if index == 0 {
            None
        } else {
            Some(index)
        }
    }

    /// The handle for table index `index` (index 0 is reserved so that no
    /// handle is NULL).
    pub const fn from_table_index(index: u64) -> Handle {
        Handle(index << 2)
    }
}

/// `UNICODE_STRING`: Length and MaximumLength in bytes (no terminating NUL
/// counted), 4 bytes of padding, then Buffer. Size 0x10.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct UnicodeString {
    pub length: u16,
    pub maximum_length: u16,
    pub buffer: u64,
}

/// `ANSI_STRING` / `STRING`: the same layout with 8-bit characters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct AnsiString {
    pub length: u16,
    pub maximum_length: u16,
    pub buffer: u64,
}

/// `OBJECT_ATTRIBUTES`. Size 0x30; `length` must equal that size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ObjectAttributes {
    pub length: u32,
    pub root_directory: u64,
    /// `PUNICODE_STRING`, may be NULL.
    pub object_name: u64,
    /// OBJ_* flags ([`crate::consts`]).
    pub attributes: u32,
    pub security_descriptor: u64,
    pub security_quality_of_service: u64,
}

impl ObjectAttributes {
    /// `sizeof(OBJECT_ATTRIBUTES)` on x86_64, the only accepted `Length`.
    pub const SIZE: u32 = 0x30;
}

/// `IO_STATUS_BLOCK`: Status (in a union with a pointer, hence the 8-byte
/// slot) and Information. Size 0x10.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct IoStatusBlock {
    pub status: i32,
    pub information: u64,
}

/// `CLIENT_ID`: process and thread ids, both HANDLE-sized. Size 0x10.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ClientId {
    pub unique_process: u64,
    pub unique_thread: u64,
}

/// `LIST_ENTRY`: an empty list head points to itself. Size 0x10.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ListEntry {
    pub flink: u64,
    pub blink: u64,
}

/// `KSYSTEM_TIME`: readers loop until `high1_time == high2_time`. Size 0xC,
/// 4-aligned (it sits at offset 0x14 of KUSER_SHARED_DATA).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct KSystemTime {
    pub low_part: u32,
    pub high1_time: i32,
    pub high2_time: i32,
}
