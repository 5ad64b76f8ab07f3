//! Structures that services take or return by pointer: the query results
//! of the T4/T5 information classes, the thread-creation inputs (CONTEXT,
//! INITIAL_TEB, PS_CREATE_INFO, PS_ATTRIBUTE) and the small sync-object
//! records.
//!
//! Sources: nt-facts.md §3 (PROCESS/THREAD/SYSTEM/MEMORY_BASIC_INFORMATION)
//! and §7 (CONTEXT flags); phnt ntpsapi.h (`_INITIAL_TEB`, `_PS_CREATE_INFO`,
//! `_PS_ATTRIBUTE`, `_PS_ATTRIBUTE_LIST`, PROCESS/THREAD_CREATE_FLAGS_*),
//! ntexapi.h (EVENT/MUTANT/SEMAPHORE/TIMER_BASIC_INFORMATION), ntmmapi.h
//! (`_SECTION_BASIC_INFORMATION`), ntobapi.h
//! (`_OBJECT_DIRECTORY_INFORMATION`); mingw-w64 winnt.h (the AMD64
//! `_CONTEXT`, size 0x4D0, 16-byte aligned).

use super::{ClientId, UnicodeString};

/// `PROCESS_BASIC_INFORMATION` (ProcessBasicInformation). Size 0x30.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ProcessBasicInformation {
    pub exit_status: i32,
    pub peb_base_address: u64,
    pub affinity_mask: u64,
    pub base_priority: i32,
    pub unique_process_id: u64,
    pub inherited_from_unique_process_id: u64,
}

/// `THREAD_BASIC_INFORMATION` (ThreadBasicInformation). Size 0x30.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ThreadBasicInformation {
    pub exit_status: i32,
    pub teb_base_address: u64,
    pub client_id: ClientId,
    pub affinity_mask: u64,
    pub priority: i32,
    pub base_priority: i32,
}

/// `SYSTEM_BASIC_INFORMATION` (SystemBasicInformation). Size 0x40.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct SystemBasicInformation {
    pub reserved: u32,
    pub timer_resolution: u32,
    /// 0x1000.
    pub page_size: u32,
    pub number_of_physical_pages: u32,
    pub lowest_physical_page_number: u32,
    pub highest_physical_page_number: u32,
    /// 0x10000.
    pub allocation_granularity: u32,
    /// [`MM_LOWEST_USER_ADDRESS`].
    pub minimum_user_mode_address: u64,
    /// [`MM_HIGHEST_USER_ADDRESS`].
    pub maximum_user_mode_address: u64,
    pub active_processors_affinity_mask: u64,
    pub number_of_processors: i8,
}

/// Lowest address a user allocation can have (SystemBasicInformation).
pub const MM_LOWEST_USER_ADDRESS: u64 = 0x1_0000;
/// Highest user address on x86_64 (SystemBasicInformation).
pub const MM_HIGHEST_USER_ADDRESS: u64 = 0x7FFF_FFFE_FFFF;
/// `MmUserProbeAddress` on x86_64: the first address a probe rejects. The
/// 64 KiB from here up to 2^47 are a no-access guard region, so a range
/// that ends at or below this address never reaches the kernel half.
pub const MM_USER_PROBE_ADDRESS: u64 = 0x7FFF_FFFF_0000;

/// `MEMORY_BASIC_INFORMATION` (MemoryBasicInformation). Size 0x30.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MemoryBasicInformation {
    pub base_address: u64,
    pub allocation_base: u64,
    pub allocation_protect: u32,
    pub partition_id: u16,
    pub region_size: u64,
    /// MEM_COMMIT, MEM_RESERVE or MEM_FREE.
    pub state: u32,
    pub protect: u32,
    /// MEM_PRIVATE, MEM_MAPPED or MEM_IMAGE.
    pub type_: u32,
}

/// `INITIAL_TEB`: the stack NtCreateThread gives the new thread. Size 0x28.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct InitialTeb {
    pub old_stack_base: u64,
    pub old_stack_limit: u64,
    pub stack_base: u64,
    pub stack_limit: u64,
    pub stack_allocation_base: u64,
}

/// `PS_CREATE_INFO` (NtCreateUserProcess's in/out record): Size, State, then
/// a state-dependent union (0x48 bytes). Size 0x58.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct PsCreateInfo {
    /// Must be `size_of::<PsCreateInfo>()`.
    pub size: u64,
    /// `PS_CREATE_STATE` ([`PsCreateState`](crate::classes::PsCreateState)).
    pub state: u32,
    /// InitState (input) or SuccessState / Fail* (output).
    pub union_: [u64; 9],
}

/// `PS_ATTRIBUTE`: one entry of a PS_ATTRIBUTE_LIST. Size 0x20.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct PsAttribute {
    /// PS_ATTRIBUTE_* number.
    pub attribute: u64,
    pub size: u64,
    /// The value itself, or a pointer to it (ValuePtr), by attribute.
    pub value: u64,
    /// `PSIZE_T`, optional.
    pub return_length: u64,
}

/// Size of the PS_ATTRIBUTE_LIST header (TotalLength) before the entries.
pub const PS_ATTRIBUTE_LIST_HEADER: usize = 8;

/// `PROCESS_CREATE_FLAGS_*` (NtCreateProcessEx, NtCreateUserProcess).
pub const PROCESS_CREATE_FLAGS_BREAKAWAY: u32 = 0x0000_0001;
pub const PROCESS_CREATE_FLAGS_NO_DEBUG_INHERIT: u32 = 0x0000_0002;
pub const PROCESS_CREATE_FLAGS_INHERIT_HANDLES: u32 = 0x0000_0004;
pub const PROCESS_CREATE_FLAGS_OVERRIDE_ADDRESS_SPACE: u32 = 0x0000_0008;
pub const PROCESS_CREATE_FLAGS_LARGE_PAGES: u32 = 0x0000_0010;
pub const PROCESS_CREATE_FLAGS_PROTECTED_PROCESS: u32 = 0x0000_0040;
pub const PROCESS_CREATE_FLAGS_CREATE_SUSPENDED: u32 = 0x0000_0200;
pub const PROCESS_CREATE_FLAGS_MINIMAL_PROCESS: u32 = 0x0000_0800;

/// `THREAD_CREATE_FLAGS_*` (NtCreateThreadEx, NtCreateUserProcess).
pub const THREAD_CREATE_FLAGS_CREATE_SUSPENDED: u32 = 0x0000_0001;
pub const THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH: u32 = 0x0000_0002;
pub const THREAD_CREATE_FLAGS_HIDE_FROM_DEBUGGER: u32 = 0x0000_0004;
pub const THREAD_CREATE_FLAGS_LOADER_WORKER: u32 = 0x0000_0010;
pub const THREAD_CREATE_FLAGS_SKIP_LOADER_INIT: u32 = 0x0000_0020;
pub const THREAD_CREATE_FLAGS_BYPASS_PROCESS_FREEZE: u32 = 0x0000_0040;

/// `CONTEXT` (AMD64), size 0x4D0, 16-byte aligned. Which parts a
/// Get/SetContext call transfers is chosen by `context_flags`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, align(16))]
pub struct Context {
    pub p1_home: u64,
    pub p2_home: u64,
    pub p3_home: u64,
    pub p4_home: u64,
    pub p5_home: u64,
    pub p6_home: u64,
    /// CONTEXT_* ([`crate::consts`]).
    pub context_flags: u32,
    pub mx_csr: u32,
    pub seg_cs: u16,
    pub seg_ds: u16,
    pub seg_es: u16,
    pub seg_fs: u16,
    pub seg_gs: u16,
    pub seg_ss: u16,
    pub eflags: u32,
    pub dr0: u64,
    pub dr1: u64,
    pub dr2: u64,
    pub dr3: u64,
    pub dr6: u64,
    pub dr7: u64,
    pub rax: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rbx: u64,
    pub rsp: u64,
    pub rbp: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub rip: u64,
    /// XMM_SAVE_AREA32 (the FXSAVE image), union with Header/Legacy/Xmm0-15.
    pub flt_save: [u8; 512],
    /// M128A VectorRegister\[26\], as (low, high) pairs.
    pub vector_register: [[u64; 2]; 26],
    pub vector_control: u64,
    pub debug_control: u64,
    pub last_branch_to_rip: u64,
    pub last_branch_from_rip: u64,
    pub last_exception_to_rip: u64,
    pub last_exception_from_rip: u64,
}

/// `sizeof(CONTEXT)` on AMD64.
pub const CONTEXT_SIZE: usize = 0x4D0;

/// `EVENT_BASIC_INFORMATION` (EventBasicInformation). Size 8.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct EventBasicInformation {
    /// EVENT_TYPE.
    pub event_type: u32,
    pub event_state: i32,
}

/// `MUTANT_BASIC_INFORMATION` (MutantBasicInformation). Size 8.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MutantBasicInformation {
    pub current_count: i32,
    pub owned_by_caller: u8,
    pub abandoned_state: u8,
}

/// `SEMAPHORE_BASIC_INFORMATION` (SemaphoreBasicInformation). Size 8.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct SemaphoreBasicInformation {
    pub current_count: i32,
    pub maximum_count: i32,
}

/// `TIMER_BASIC_INFORMATION` (TimerBasicInformation). Size 0x10.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct TimerBasicInformation {
    pub remaining_time: i64,
    pub timer_state: u8,
}

/// `SECTION_BASIC_INFORMATION` (SectionBasicInformation). Size 0x18.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct SectionBasicInformation {
    pub base_address: u64,
    pub allocation_attributes: u32,
    pub maximum_size: i64,
}

/// `OBJECT_DIRECTORY_INFORMATION`: one NtQueryDirectoryObject entry; the
/// strings point into the caller's own output buffer. Size 0x20.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ObjectDirectoryInformation {
    pub name: UnicodeString,
    pub type_name: UnicodeString,
}
