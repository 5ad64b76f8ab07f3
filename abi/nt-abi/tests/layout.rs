//! Every x86_64 offset and size nt-facts.md §2/§3 lists (and the phnt
//! C_ASSERTs for KUSER_SHARED_DATA, the mingw-w64 CONTEXT layout), checked
//! against the `#[repr(C)]` declarations.

use core::mem::{align_of, offset_of, size_of};
use nt_abi::types::*;

macro_rules! offsets {
    ($t:ty { $($field:ident $(. $sub:ident)* = $off:expr),* $(,)? }) => {
        $(
            assert_eq!(
                offset_of!($t, $field $(. $sub)*),
                $off,
                concat!(stringify!($t), ".", stringify!($field $(. $sub)*))
            );
        )*
    };
}

#[test]
fn small_structures() {
    assert_eq!(size_of::<UnicodeString>(), 0x10);
    offsets!(UnicodeString { length = 0, maximum_length = 2, buffer = 8 });
    assert_eq!(size_of::<AnsiString>(), 0x10);
    offsets!(AnsiString { length = 0, maximum_length = 2, buffer = 8 });
    assert_eq!(size_of::<ObjectAttributes>(), 0x30);
    assert_eq!(ObjectAttributes::SIZE as usize, size_of::<ObjectAttributes>());
    offsets!(ObjectAttributes {
        length = 0,
        root_directory = 8,
        object_name = 0x10,
        attributes = 0x18,
        security_descriptor = 0x20,
        security_quality_of_service = 0x28,
    });
    assert_eq!(size_of::<IoStatusBlock>(), 0x10);
    offsets!(IoStatusBlock { status = 0, information = 8 });
    assert_eq!(size_of::<ClientId>(), 0x10);
    offsets!(ClientId { unique_process = 0, unique_thread = 8 });
    assert_eq!((size_of::<LargeInteger>(), align_of::<LargeInteger>()), (8, 8));
    assert_eq!(size_of::<ListEntry>(), 0x10);
    offsets!(ListEntry { flink = 0, blink = 8 });
    assert_eq!(size_of::<Curdir>(), 0x18);
    offsets!(Curdir { dos_path = 0, handle = 0x10 });
    assert_eq!(size_of::<KSystemTime>(), 0xC);
    offsets!(KSystemTime { low_part = 0, high1_time = 4, high2_time = 8 });
    assert_eq!(size_of::<Handle>(), 8);
}

#[test]
fn process_parameters() {
    assert_eq!(size_of::<RtlDriveLetterCurdir>(), 0x18);
    assert_eq!(size_of::<RtlUserProcessParameters>(), 0x400);
    offsets!(RtlUserProcessParameters {
        maximum_length = 0x00,
        length = 0x04,
        flags = 0x08,
        debug_flags = 0x0C,
        console_handle = 0x10,
        console_flags = 0x18,
        standard_input = 0x20,
        standard_output = 0x28,
        standard_error = 0x30,
        current_directory = 0x38,
        current_directory.handle = 0x48,
        dll_path = 0x50,
        image_path_name = 0x60,
        command_line = 0x70,
        environment = 0x80,
        starting_x = 0x88,
        fill_attribute = 0xA0,
        window_flags = 0xA4,
        show_window_flags = 0xA8,
        window_title = 0xB0,
        desktop_info = 0xC0,
        shell_info = 0xD0,
        runtime_data = 0xE0,
        current_directories = 0xF0,
        environment_size = 0x3F0,
        environment_version = 0x3F8,
    });
    // Seven ULONGs from StartingX to FillAttribute.
    assert_eq!(
        offset_of!(RtlUserProcessParameters, window_flags) - offset_of!(RtlUserProcessParameters, starting_x),
        7 * 4
    );
}

#[test]
fn peb() {
    offsets!(Peb {
        inherited_address_space = 0x0,
        read_image_file_exec_options = 0x1,
        being_debugged = 0x2,
        bit_field = 0x3,
        mutant = 0x08,
        image_base_address = 0x10,
        ldr = 0x18,
        process_parameters = 0x20,
        sub_system_data = 0x28,
        process_heap = 0x30,
        fast_peb_lock = 0x38,
        cross_process_flags = 0x50,
        kernel_callback_table = 0x58,
        api_set_map = 0x68,
        tls_expansion_counter = 0x70,
        tls_bitmap = 0x78,
        tls_bitmap_bits = 0x80,
        ansi_code_page_data = 0xA0,
        oem_code_page_data = 0xA8,
        unicode_case_table_data = 0xB0,
        number_of_processors = 0xB8,
        nt_global_flag = 0xBC,
        critical_section_timeout = 0xC0,
        heap_segment_reserve = 0xC8,
        heap_segment_commit = 0xD0,
        number_of_heaps = 0xE8,
        maximum_number_of_heaps = 0xEC,
        process_heaps = 0xF0,
        loader_lock = 0x110,
        os_major_version = 0x118,
        os_minor_version = 0x11C,
        os_build_number = 0x120,
        os_csd_version = 0x122,
        os_platform_id = 0x124,
        image_subsystem = 0x128,
        image_subsystem_major_version = 0x12C,
        image_subsystem_minor_version = 0x130,
        active_process_affinity_mask = 0x138,
        gdi_handle_buffer = 0x140,
        post_process_init_routine = 0x230,
        tls_expansion_bitmap = 0x238,
        session_id = 0x2C0,
        // phnt ntpebteb.h, beyond nt-facts.md's list.
        csd_version = 0x2E8,
        minimum_stack_commit = 0x318,
    });
    assert_eq!(size_of::<Peb>(), 0x320);
}

#[test]
fn teb() {
    assert_eq!(size_of::<NtTib>(), 0x38);
    offsets!(NtTib {
        exception_list = 0x00,
        stack_base = 0x08,
        stack_limit = 0x10,
        sub_system_tib = 0x18,
        fiber_data = 0x20,
        arbitrary_user_pointer = 0x28,
        self_ = 0x30,
    });
    offsets!(Teb {
        nt_tib.self_ = 0x30,
        environment_pointer = 0x38,
        client_id = 0x40,
        client_id.unique_process = 0x40,
        client_id.unique_thread = 0x48,
        active_rpc_handle = 0x50,
        thread_local_storage_pointer = 0x58,
        process_environment_block = 0x60,
        last_error_value = 0x68,
        count_of_owned_critical_sections = 0x6C,
        csr_client_thread = 0x70,
        win32_thread_info = 0x78,
        current_locale = 0x108,
        exception_code = 0x2C0,
        activation_context_stack_pointer = 0x2C8,
        real_client_id = 0x7D8,
        last_status_value = 0x1250,
        static_unicode_string = 0x1258,
        static_unicode_buffer = 0x1268,
        deallocation_stack = 0x1478,
        tls_slots = 0x1480,
        tls_links = 0x1680,
        hard_error_mode = 0x16B0,
        tls_expansion_slots = 0x1780,
        fls_data = 0x17C8,
    });
    assert_eq!(size_of::<Teb>(), TEB_SIZE);
    assert_eq!(TEB_SIZE, 0x1878);
    // gs:[0x1480 + 8*i] is TLS slot i.
    assert_eq!(offset_of!(Teb, tls_slots) + 8 * 63, 0x1678);
}

#[test]
fn loader_data() {
    assert_eq!(size_of::<PebLdrData>(), 0x58);
    offsets!(PebLdrData {
        length = 0x0,
        initialized = 0x4,
        ss_handle = 0x08,
        in_load_order_module_list = 0x10,
        in_memory_order_module_list = 0x20,
        in_initialization_order_module_list = 0x30,
        entry_in_progress = 0x40,
        shutdown_in_progress = 0x48,
        shutdown_thread_id = 0x50,
    });
    offsets!(LdrDataTableEntry {
        in_load_order_links = 0x00,
        in_memory_order_links = 0x10,
        in_initialization_order_links = 0x20,
        dll_base = 0x30,
        entry_point = 0x38,
        size_of_image = 0x40,
        full_dll_name = 0x48,
        base_dll_name = 0x58,
        flags = 0x68,
        obsolete_load_count = 0x6C,
        tls_index = 0x6E,
        hash_links = 0x70,
        time_date_stamp = 0x80,
    });
}

#[test]
fn kuser_shared_data() {
    assert_eq!(size_of::<KUserSharedData>(), KUSER_SHARED_DATA_SIZE);
    assert_eq!(KUSER_SHARED_DATA_SIZE, 0xA80);
    assert_eq!(KUSER_SHARED_DATA_ADDRESS, 0x7FFE_0000);
    offsets!(KUserSharedData {
        tick_count_low_deprecated = 0x000,
        tick_count_multiplier = 0x004,
        interrupt_time = 0x008,
        system_time = 0x014,
        time_zone_bias = 0x020,
        image_number_low = 0x02C,
        image_number_high = 0x02E,
        nt_system_root = 0x030,
        max_stack_trace_depth = 0x238,
        crypto_exponent = 0x23C,
        time_zone_id = 0x240,
        large_page_minimum = 0x244,
        ait_sampling_value = 0x248,
        app_compat_flag = 0x24C,
        rng_seed_version = 0x250,
        global_validation_runlevel = 0x258,
        time_zone_bias_stamp = 0x25C,
        nt_build_number = 0x260,
        nt_product_type = 0x264,
        product_type_is_valid = 0x268,
        native_processor_architecture = 0x26A,
        nt_major_version = 0x26C,
        nt_minor_version = 0x270,
        processor_features = 0x274,
        reserved1 = 0x2B4,
        reserved3 = 0x2B8,
        time_slip = 0x2BC,
        alternative_architecture = 0x2C0,
        system_expiration_date = 0x2C8,
        suite_mask = 0x2D0,
        kd_debugger_enabled = 0x2D4,
        mitigation_policies = 0x2D5,
        cycles_per_yield = 0x2D6,
        active_console_id = 0x2D8,
        dismount_count = 0x2DC,
        com_plus_package = 0x2E0,
        last_system_rit_event_tick_count = 0x2E4,
        number_of_physical_pages = 0x2E8,
        safe_boot_mode = 0x2EC,
        virtualization_flags = 0x2ED,
        reserved12 = 0x2EE,
        shared_data_flags = 0x2F0,
        test_ret_instruction = 0x2F8,
        qpc_frequency = 0x300,
        system_call = 0x308,
        reserved2 = 0x30C,
        system_call_pad = 0x318,
        tick_count = 0x320,
        cookie = 0x330,
        console_session_foreground_process_id = 0x338,
        time_update_lock = 0x340,
        baseline_system_time_qpc = 0x348,
        baseline_interrupt_time_qpc = 0x350,
        qpc_system_time_increment = 0x358,
        qpc_interrupt_time_increment = 0x360,
        qpc_system_time_increment_shift = 0x368,
        qpc_interrupt_time_increment_shift = 0x369,
        unparked_processor_count = 0x36A,
        enclave_feature_mask = 0x36C,
        telemetry_coverage_round = 0x37C,
        user_mode_global_logger = 0x380,
        image_file_execution_options = 0x3A0,
        lang_generation_count = 0x3A4,
        reserved4 = 0x3A8,
        interrupt_time_bias = 0x3B0,
        qpc_bias = 0x3B8,
        active_processor_count = 0x3C0,
        active_group_count = 0x3C4,
        reserved9 = 0x3C5,
        qpc_data = 0x3C6,
        time_zone_bias_effective_start = 0x3C8,
        time_zone_bias_effective_end = 0x3D0,
    });
}

#[test]
fn information_records() {
    assert_eq!(size_of::<ProcessBasicInformation>(), 0x30);
    offsets!(ProcessBasicInformation {
        exit_status = 0x00,
        peb_base_address = 0x08,
        affinity_mask = 0x10,
        base_priority = 0x18,
        unique_process_id = 0x20,
        inherited_from_unique_process_id = 0x28,
    });
    assert_eq!(size_of::<ThreadBasicInformation>(), 0x30);
    offsets!(ThreadBasicInformation {
        exit_status = 0x00,
        teb_base_address = 0x08,
        client_id = 0x10,
        affinity_mask = 0x20,
        priority = 0x28,
        base_priority = 0x2C,
    });
    assert_eq!(size_of::<SystemBasicInformation>(), 0x40);
    offsets!(SystemBasicInformation {
        reserved = 0,
        timer_resolution = 4,
        page_size = 8,
        number_of_physical_pages = 0xC,
        lowest_physical_page_number = 0x10,
        highest_physical_page_number = 0x14,
        allocation_granularity = 0x18,
        minimum_user_mode_address = 0x20,
        maximum_user_mode_address = 0x28,
        active_processors_affinity_mask = 0x30,
        number_of_processors = 0x38,
    });
    assert_eq!(size_of::<MemoryBasicInformation>(), 0x30);
    offsets!(MemoryBasicInformation {
        base_address = 0x00,
        allocation_base = 0x08,
        allocation_protect = 0x10,
        partition_id = 0x14,
        region_size = 0x18,
        state = 0x20,
        protect = 0x24,
        type_ = 0x28,
    });
    assert_eq!((size_of::<EventBasicInformation>(), size_of::<MutantBasicInformation>()), (8, 8));
    assert_eq!((size_of::<SemaphoreBasicInformation>(), size_of::<TimerBasicInformation>()), (8, 0x10));
    assert_eq!(size_of::<SectionBasicInformation>(), 0x18);
    offsets!(SectionBasicInformation { base_address = 0, allocation_attributes = 8, maximum_size = 0x10 });
    assert_eq!(size_of::<ObjectDirectoryInformation>(), 0x20);
}

#[test]
fn thread_creation_records() {
    assert_eq!(size_of::<InitialTeb>(), 0x28);
    offsets!(InitialTeb { stack_base = 0x10, stack_limit = 0x18, stack_allocation_base = 0x20 });
    assert_eq!(size_of::<PsCreateInfo>(), 0x58);
    offsets!(PsCreateInfo { size = 0, state = 8, union_ = 0x10 });
    assert_eq!(size_of::<PsAttribute>(), 0x20);
    offsets!(PsAttribute { attribute = 0, size = 8, value = 0x10, return_length = 0x18 });
    assert_eq!((size_of::<Context>(), align_of::<Context>()), (CONTEXT_SIZE, 16));
    assert_eq!(CONTEXT_SIZE, 0x4D0);
    offsets!(Context {
        p1_home = 0x00,
        p6_home = 0x28,
        context_flags = 0x30,
        mx_csr = 0x34,
        seg_cs = 0x38,
        seg_ss = 0x42,
        eflags = 0x44,
        dr0 = 0x48,
        dr7 = 0x70,
        rax = 0x78,
        rcx = 0x80,
        rsp = 0x98,
        rdi = 0xB0,
        r8 = 0xB8,
        r15 = 0xF0,
        rip = 0xF8,
        flt_save = 0x100,
        vector_register = 0x300,
        vector_control = 0x4A0,
        debug_control = 0x4A8,
        last_exception_from_rip = 0x4C8,
    });
}

#[test]
fn wire_pointee_sizes_match_the_structures() {
    use nt_abi::Pointee;
    assert_eq!(Pointee::ClientId.size(), size_of::<ClientId>());
    assert_eq!(Pointee::Context.size(), size_of::<Context>());
    assert_eq!(Pointee::InitialTeb.size(), size_of::<InitialTeb>());
    assert_eq!(Pointee::PsCreateInfo.size(), size_of::<PsCreateInfo>());
    assert_eq!(Pointee::ProcessParameters.size(), size_of::<RtlUserProcessParameters>());
    assert_eq!(Pointee::PsAttributeList.size(), PS_ATTRIBUTE_LIST_HEADER);
    assert_eq!(Pointee::ProcessParameters.size_field(), Some((offset_of!(RtlUserProcessParameters, length), 4)));
    assert_eq!(Pointee::Handle.size(), size_of::<Handle>());
    assert_eq!(Pointee::I64.size(), size_of::<LargeInteger>());
}
