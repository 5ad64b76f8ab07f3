//! Per-process structures: RTL_USER_PROCESS_PARAMETERS (with CURDIR), the
//! PEB and the loader's PEB_LDR_DATA / LDR_DATA_TABLE_ENTRY.
//!
//! Sources: nt-facts.md §2; field order from phnt ntrtl.h
//! (`_RTL_USER_PROCESS_PARAMETERS`, `_CURDIR`, `_RTL_DRIVE_LETTER_CURDIR`),
//! ntpebteb.h (`_PEB`), ntpsapi.h (`_PEB_LDR_DATA`) and ntldr.h
//! (`_LDR_DATA_TABLE_ENTRY`).

use super::{AnsiString, ListEntry, UnicodeString};

/// `CURDIR`: a DOS path and the handle of the open directory. Size 0x18.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Curdir {
    pub dos_path: UnicodeString,
    pub handle: u64,
}

/// `RTL_DRIVE_LETTER_CURDIR`: one per drive letter. Size 0x18.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct RtlDriveLetterCurdir {
    pub flags: u16,
    pub length: u16,
    pub time_stamp: u32,
    pub dos_path: AnsiString,
}

/// `RTL_USER_PROCESS_PARAMETERS` through EnvironmentVersion (size 0x400).
/// Later Windows versions append fields; `maximum_length`/`length` describe
/// the whole block including the strings stored after the structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct RtlUserProcessParameters {
    pub maximum_length: u32,
    pub length: u32,
    /// [`RTL_USER_PROC_PARAMS_NORMALIZED`]: string pointers are absolute
    /// rather than offsets from the start of the block.
    pub flags: u32,
    pub debug_flags: u32,
    pub console_handle: u64,
    pub console_flags: u32,
    pub standard_input: u64,
    pub standard_output: u64,
    pub standard_error: u64,
    pub current_directory: Curdir,
    pub dll_path: UnicodeString,
    pub image_path_name: UnicodeString,
    pub command_line: UnicodeString,
    /// A block of `NAME=VALUE\0` UTF-16 strings ending in an empty string.
    pub environment: u64,
    pub starting_x: u32,
    pub starting_y: u32,
    pub count_x: u32,
    pub count_y: u32,
    pub count_chars_x: u32,
    pub count_chars_y: u32,
    pub fill_attribute: u32,
    pub window_flags: u32,
    pub show_window_flags: u32,
    pub window_title: UnicodeString,
    pub desktop_info: UnicodeString,
    pub shell_info: UnicodeString,
    pub runtime_data: UnicodeString,
    pub current_directories: [RtlDriveLetterCurdir; 32],
    pub environment_size: u64,
    pub environment_version: u64,
}

/// `RTL_USER_PROC_PARAMS_NORMALIZED`, bit 0 of
/// [`RtlUserProcessParameters::flags`].
pub const RTL_USER_PROC_PARAMS_NORMALIZED: u32 = 0x1;

/// `PEB`, through MinimumStackCommit (0x320 bytes: the part whose layout has
/// not moved since Vista; later fields are appended by newer Windows
/// versions and the Executive gives the PEB a whole zeroed page anyway).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Peb {
    pub inherited_address_space: u8,
    pub read_image_file_exec_options: u8,
    pub being_debugged: u8,
    pub bit_field: u8,
    pub mutant: u64,
    pub image_base_address: u64,
    /// `PPEB_LDR_DATA`.
    pub ldr: u64,
    /// `PRTL_USER_PROCESS_PARAMETERS`.
    pub process_parameters: u64,
    pub sub_system_data: u64,
    pub process_heap: u64,
    pub fast_peb_lock: u64,
    pub atl_thunk_slist_ptr: u64,
    pub ifeo_key: u64,
    pub cross_process_flags: u32,
    /// Union with UserSharedInfoPtr.
    pub kernel_callback_table: u64,
    pub system_reserved: u32,
    pub atl_thunk_slist_ptr32: u32,
    pub api_set_map: u64,
    pub tls_expansion_counter: u32,
    pub tls_bitmap: u64,
    pub tls_bitmap_bits: [u32; 2],
    pub read_only_shared_memory_base: u64,
    pub shared_data: u64,
    pub read_only_static_server_data: u64,
    pub ansi_code_page_data: u64,
    pub oem_code_page_data: u64,
    pub unicode_case_table_data: u64,
    pub number_of_processors: u32,
    pub nt_global_flag: u32,
    pub critical_section_timeout: i64,
    pub heap_segment_reserve: u64,
    pub heap_segment_commit: u64,
    pub heap_decommit_total_free_threshold: u64,
    pub heap_decommit_free_block_threshold: u64,
    pub number_of_heaps: u32,
    pub maximum_number_of_heaps: u32,
    /// `PVOID*`: the array of heap handles.
    pub process_heaps: u64,
    pub gdi_shared_handle_table: u64,
    pub process_starter_helper: u64,
    pub gdi_dc_attribute_list: u32,
    pub loader_lock: u64,
    pub os_major_version: u32,
    pub os_minor_version: u32,
    pub os_build_number: u16,
    pub os_csd_version: u16,
    /// 2 = VER_PLATFORM_WIN32_NT.
    pub os_platform_id: u32,
    pub image_subsystem: u32,
    pub image_subsystem_major_version: u32,
    pub image_subsystem_minor_version: u32,
    pub active_process_affinity_mask: u64,
    /// `GDI_HANDLE_BUFFER`: 60 ULONGs on x86_64.
    pub gdi_handle_buffer: [u32; 60],
    pub post_process_init_routine: u64,
    pub tls_expansion_bitmap: u64,
    pub tls_expansion_bitmap_bits: [u32; 32],
    pub session_id: u32,
    pub app_compat_flags: u64,
    pub app_compat_flags_user: u64,
    pub shim_data: u64,
    pub app_compat_info: u64,
    pub csd_version: UnicodeString,
    pub activation_context_data: u64,
    pub process_assembly_storage_map: u64,
    pub system_default_activation_context_data: u64,
    pub system_assembly_storage_map: u64,
    pub minimum_stack_commit: u64,
}

/// `PEB.OSPlatformId` for every NT system.
pub const VER_PLATFORM_WIN32_NT: u32 = 2;

/// `PEB_LDR_DATA`. Size 0x58.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct PebLdrData {
    pub length: u32,
    pub initialized: u8,
    pub ss_handle: u64,
    pub in_load_order_module_list: ListEntry,
    pub in_memory_order_module_list: ListEntry,
    pub in_initialization_order_module_list: ListEntry,
    pub entry_in_progress: u64,
    pub shutdown_in_progress: u8,
    pub shutdown_thread_id: u64,
}

/// `LDR_DATA_TABLE_ENTRY` through TimeDateStamp (the fields programs read;
/// ntldr.h continues with loader-private fields that ntdll appends when it
/// needs them). Each list links the matching `*_links` field, not the start
/// of the entry: subtract 0x10 or 0x20 to get from a memory-order or
/// initialization-order node back to the entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct LdrDataTableEntry {
    pub in_load_order_links: ListEntry,
    pub in_memory_order_links: ListEntry,
    pub in_initialization_order_links: ListEntry,
    pub dll_base: u64,
    pub entry_point: u64,
    pub size_of_image: u32,
    pub full_dll_name: UnicodeString,
    pub base_dll_name: UnicodeString,
    pub flags: u32,
    /// ReactOS and older Windows call it LoadCount.
    pub obsolete_load_count: u16,
    pub tls_index: u16,
    pub hash_links: ListEntry,
    pub time_date_stamp: u32,
}
