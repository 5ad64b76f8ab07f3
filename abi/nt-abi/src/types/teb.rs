//! NT_TIB and the TEB: the per-thread block that GS points to on x86_64
//! (`gs:[0x30]` is the TEB's own address, `gs:[0x60]` the PEB).
//!
//! Sources: nt-facts.md §2 "NT_TIB and TEB"; field order from mingw-w64
//! winnt.h (`_NT_TIB`) and phnt ntpebteb.h (`_TEB`, whose x86_64 size is
//! 0x1878 on Windows 11 24H2). Only the fields ntdll and CRT code read
//! directly are named; the bytes between them are `_reserved*`.

use super::{ClientId, ListEntry, UnicodeString};

/// `NT_TIB` (x86_64). Size 0x38.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct NtTib {
    /// x86 SEH chain head; unused on x86_64.
    pub exception_list: u64,
    /// High end of the stack.
    pub stack_base: u64,
    /// Low end of the committed stack.
    pub stack_limit: u64,
    pub sub_system_tib: u64,
    /// Union with Version.
    pub fiber_data: u64,
    pub arbitrary_user_pointer: u64,
    /// Linear address of this TEB (`NtCurrentTeb()` reads it).
    pub self_: u64,
}

/// Number of `TlsSlots` (TLS_MINIMUM_AVAILABLE).
pub const TLS_MINIMUM_AVAILABLE: usize = 64;
/// Number of WCHARs in `StaticUnicodeBuffer` (STATIC_UNICODE_BUFFER_LENGTH).
pub const STATIC_UNICODE_BUFFER_LENGTH: usize = 261;
/// `sizeof(TEB)` on x86_64 (Windows 11 24H2, phnt).
pub const TEB_SIZE: usize = 0x1878;

/// `TEB` (x86_64), size [`TEB_SIZE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Teb {
    pub nt_tib: NtTib,
    pub environment_pointer: u64,
    pub client_id: ClientId,
    pub active_rpc_handle: u64,
    /// Array indexed by each module's TLS index.
    pub thread_local_storage_pointer: u64,
    pub process_environment_block: u64,
    pub last_error_value: u32,
    pub count_of_owned_critical_sections: u32,
    pub csr_client_thread: u64,
    pub win32_thread_info: u64,
    /// User32Reserved\[26\], UserReserved\[5\], WOW32Reserved.
    pub _reserved_0x80: [u8; 0x88],
    /// LCID.
    pub current_locale: u32,
    pub fp_software_status_register: u32,
    /// ReservedForDebuggerInstrumentation .. WorkingOnBehalfTicket.
    pub _reserved_0x110: [u8; 0x1B0],
    pub exception_code: i32,
    pub activation_context_stack_pointer: u64,
    /// Instrumentation callback fields and GdiTebBatch.
    pub _reserved_0x2d0: [u8; 0x508],
    pub real_client_id: ClientId,
    /// GDI and OpenGL fields.
    pub _reserved_0x7e8: [u8; 0xA68],
    pub last_status_value: i32,
    /// MaximumLength 522 (the buffer below).
    pub static_unicode_string: UnicodeString,
    pub static_unicode_buffer: [u16; STATIC_UNICODE_BUFFER_LENGTH],
    /// Base of the stack reservation.
    pub deallocation_stack: u64,
    pub tls_slots: [u64; TLS_MINIMUM_AVAILABLE],
    pub tls_links: ListEntry,
    pub vdm: u64,
    pub reserved_for_nt_rpc: u64,
    pub dbg_ss_reserved: [u64; 2],
    pub hard_error_mode: u32,
    /// Instrumentation\[11\] .. ThreadPoolData.
    pub _reserved_0x16b4: [u8; 0xCC],
    /// `PVOID*`: another 1024 TLS slots, allocated on demand.
    pub tls_expansion_slots: u64,
    /// ChpeV2CpuAreaInfo .. ActiveFrame.
    pub _reserved_0x1788: [u8; 0x40],
    pub fls_data: u64,
    /// PreferredLanguages .. Rcu\[2\].
    pub _reserved_0x17d0: [u8; 0xA8],
}
