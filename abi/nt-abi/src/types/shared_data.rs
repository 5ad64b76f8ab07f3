//! KUSER_SHARED_DATA: the read-only page mapped at 0x7FFE0000 in every
//! process, from which ntdll reads time, version and processor facts
//! without a service call.
//!
//! Sources: nt-facts.md §2 "KUSER_SHARED_DATA"; every offset below through
//! 0x3D8 is also a `C_ASSERT` in phnt ntexapi.h. Beyond 0x3D8 the layout
//! depends on the Windows version (XState, then the 21H1 additions); Triton
//! uses the 21H1+ size 0xA80 and leaves that tail reserved.

use super::KSystemTime;

/// User-mode address of the page on both architectures.
pub const KUSER_SHARED_DATA_ADDRESS: u64 = 0x7FFE_0000;
/// `sizeof(KUSER_SHARED_DATA)` from Windows 10 21H1 on.
pub const KUSER_SHARED_DATA_SIZE: usize = 0xA80;
/// `PROCESSOR_FEATURE_MAX`.
pub const PROCESSOR_FEATURE_MAX: usize = 64;

/// `NtProductType` values.
pub const NT_PRODUCT_WIN_NT: u32 = 1;
/// `NtProductType`: domain controller.
pub const NT_PRODUCT_LANMAN_NT: u32 = 2;
/// `NtProductType`: server.
pub const NT_PRODUCT_SERVER: u32 = 3;
/// `NativeProcessorArchitecture`: PROCESSOR_ARCHITECTURE_AMD64.
pub const PROCESSOR_ARCHITECTURE_AMD64: u16 = 9;
/// `NativeProcessorArchitecture`: PROCESSOR_ARCHITECTURE_INTEL.
pub const PROCESSOR_ARCHITECTURE_INTEL: u16 = 0;

/// `KUSER_SHARED_DATA`, size [`KUSER_SHARED_DATA_SIZE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct KUserSharedData {
    pub tick_count_low_deprecated: u32,
    /// ms = ticks * multiplier >> 24.
    pub tick_count_multiplier: u32,
    /// 100 ns units since boot.
    pub interrupt_time: KSystemTime,
    /// UTC, NT time.
    pub system_time: KSystemTime,
    pub time_zone_bias: KSystemTime,
    pub image_number_low: u16,
    pub image_number_high: u16,
    /// e.g. `C:\Windows`, NUL-terminated.
    pub nt_system_root: [u16; 260],
    pub max_stack_trace_depth: u32,
    pub crypto_exponent: u32,
    pub time_zone_id: u32,
    pub large_page_minimum: u32,
    pub ait_sampling_value: u32,
    pub app_compat_flag: u32,
    pub rng_seed_version: u64,
    pub global_validation_runlevel: u32,
    pub time_zone_bias_stamp: i32,
    pub nt_build_number: u32,
    pub nt_product_type: u32,
    pub product_type_is_valid: u8,
    pub reserved0: u8,
    pub native_processor_architecture: u16,
    pub nt_major_version: u32,
    pub nt_minor_version: u32,
    pub processor_features: [u8; PROCESSOR_FEATURE_MAX],
    pub reserved1: u32,
    pub reserved3: u32,
    pub time_slip: u32,
    pub alternative_architecture: u32,
    pub boot_id: u32,
    pub system_expiration_date: i64,
    pub suite_mask: u32,
    pub kd_debugger_enabled: u8,
    pub mitigation_policies: u8,
    pub cycles_per_yield: u16,
    pub active_console_id: u32,
    pub dismount_count: u32,
    pub com_plus_package: u32,
    pub last_system_rit_event_tick_count: u32,
    pub number_of_physical_pages: u32,
    pub safe_boot_mode: u8,
    pub virtualization_flags: u8,
    pub reserved12: [u8; 2],
    pub shared_data_flags: u32,
    pub data_flags_pad: u32,
    pub test_ret_instruction: u64,
    pub qpc_frequency: i64,
    pub system_call: u32,
    pub reserved2: u32,
    pub full_number_of_physical_pages: u64,
    pub system_call_pad: u64,
    /// Union with TickCountQuad.
    pub tick_count: KSystemTime,
    pub tick_count_pad: u32,
    pub cookie: u32,
    pub cookie_pad: u32,
    pub console_session_foreground_process_id: i64,
    pub time_update_lock: u64,
    pub baseline_system_time_qpc: u64,
    pub baseline_interrupt_time_qpc: u64,
    pub qpc_system_time_increment: u64,
    pub qpc_interrupt_time_increment: u64,
    pub qpc_system_time_increment_shift: u8,
    pub qpc_interrupt_time_increment_shift: u8,
    pub unparked_processor_count: u16,
    pub enclave_feature_mask: [u32; 4],
    pub telemetry_coverage_round: u32,
    pub user_mode_global_logger: [u16; 16],
    pub image_file_execution_options: u32,
    pub lang_generation_count: u32,
    pub reserved4: u64,
    pub interrupt_time_bias: u64,
    pub qpc_bias: u64,
    pub active_processor_count: u32,
    pub active_group_count: u8,
    pub reserved9: u8,
    /// QpcBypassEnabled (low byte) and QpcReserved.
    pub qpc_data: u16,
    pub time_zone_bias_effective_start: i64,
    pub time_zone_bias_effective_end: i64,
    /// XState and the version-dependent tail.
    pub _reserved_0x3d8: [u8; KUSER_SHARED_DATA_SIZE - 0x3D8],
}
