//! ntdll.dll's exports as the test programs call them, with the Windows
//! prototypes (phnt; the Nt* argument order is nt-abi's service table).
//! `raw-dylib` makes rustc write the import library itself, so nothing from
//! a Windows SDK is needed, and only the functions a program calls end up in
//! its import table.
//!
//! Pointers are typed with nt-abi's layouts; bad-input tests cast integers
//! to them. The C runtime exports are not declared here: the test programs
//! carry their own `memcpy`/`strlen` (compiler-builtins) under the same
//! names, so ntdll's are reached through `LdrGetProcedureAddress`
//! ([`crate::util::ntdll_proc`]).
#![allow(non_snake_case, clippy::too_many_arguments)]

use nt_abi::types::{
    AnsiString, ClientId, Context, Handle, InitialTeb, ObjectAttributes, PsCreateInfo,
    RtlUserProcessParameters, UnicodeString,
};
use nt_abi::NtStatus;

/// `TIME_FIELDS` (RtlTimeToTimeFields): every field a CSHORT.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct TimeFields {
    pub year: i16,
    pub month: i16,
    pub day: i16,
    pub hour: i16,
    pub minute: i16,
    pub second: i16,
    pub milliseconds: i16,
    /// 0 = Sunday.
    pub weekday: i16,
}

/// `SECTION_IMAGE_INFORMATION` (x86_64, 0x40 bytes): kept as bytes, the
/// tests only read the entry point (offset 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct SectionImageInformation {
    pub transfer_address: u64,
    pub rest: [u8; 0x38],
}

/// `RTL_USER_PROCESS_INFORMATION` (RtlCreateUserProcess's result). Size 0x68.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct RtlUserProcessInformation {
    pub length: u32,
    pub process_handle: Handle,
    pub thread_handle: Handle,
    pub client_id: ClientId,
    pub image_information: SectionImageInformation,
}

/// `RTL_RELATIVE_NAME_U` (RtlDosPathNameToNtPathName_U's optional output).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct RtlRelativeNameU {
    pub relative_name: UnicodeString,
    pub containing_directory: Handle,
    pub cur_dir_ref: u64,
}

/// A thread start routine (`PUSER_THREAD_START_ROUTINE`).
pub type ThreadStart = extern "system" fn(usize) -> u32;

#[link(name = "ntdll", kind = "raw-dylib")]
extern "system" {
    // ----- Services (nt-abi's table) -----
    pub fn NtYieldExecution() -> NtStatus;
    pub fn NtTestAlert() -> NtStatus;
    pub fn NtClose(handle: Handle) -> NtStatus;
    pub fn NtDuplicateObject(
        source_process: Handle,
        source_handle: Handle,
        target_process: Handle,
        target_handle: *mut Handle,
        desired_access: u32,
        handle_attributes: u32,
        options: u32,
    ) -> NtStatus;
    pub fn NtQueryObject(
        handle: Handle,
        class: u32,
        info: *mut u8,
        length: u32,
        return_length: *mut u32,
    ) -> NtStatus;
    pub fn NtMakeTemporaryObject(handle: Handle) -> NtStatus;
    pub fn NtWaitForSingleObject(handle: Handle, alertable: u8, timeout: *const i64) -> NtStatus;
    pub fn NtCreateDirectoryObject(
        handle: *mut Handle,
        access: u32,
        oa: *const ObjectAttributes,
    ) -> NtStatus;
    pub fn NtOpenDirectoryObject(
        handle: *mut Handle,
        access: u32,
        oa: *const ObjectAttributes,
    ) -> NtStatus;
    pub fn NtQueryDirectoryObject(
        handle: Handle,
        buffer: *mut u8,
        length: u32,
        return_single_entry: u8,
        restart_scan: u8,
        context: *mut u32,
        return_length: *mut u32,
    ) -> NtStatus;
    pub fn NtCreateSymbolicLinkObject(
        handle: *mut Handle,
        access: u32,
        oa: *const ObjectAttributes,
        target: *const UnicodeString,
    ) -> NtStatus;
    pub fn NtOpenSymbolicLinkObject(
        handle: *mut Handle,
        access: u32,
        oa: *const ObjectAttributes,
    ) -> NtStatus;
    pub fn NtQuerySymbolicLinkObject(
        handle: Handle,
        target: *mut UnicodeString,
        returned_length: *mut u32,
    ) -> NtStatus;
    pub fn NtCreateUserProcess(
        process: *mut Handle,
        thread: *mut Handle,
        process_access: u32,
        thread_access: u32,
        process_oa: *const ObjectAttributes,
        thread_oa: *const ObjectAttributes,
        process_flags: u32,
        thread_flags: u32,
        parameters: *const RtlUserProcessParameters,
        create_info: *mut PsCreateInfo,
        attribute_list: *const u8,
    ) -> NtStatus;
    pub fn NtOpenProcess(
        handle: *mut Handle,
        access: u32,
        oa: *const ObjectAttributes,
        cid: *const ClientId,
    ) -> NtStatus;
    pub fn NtTerminateProcess(process: Handle, exit_status: i32) -> NtStatus;
    pub fn NtQueryInformationProcess(
        process: Handle,
        class: u32,
        info: *mut u8,
        length: u32,
        return_length: *mut u32,
    ) -> NtStatus;
    pub fn NtCreateThread(
        thread: *mut Handle,
        access: u32,
        oa: *const ObjectAttributes,
        process: Handle,
        client_id: *mut ClientId,
        context: *const Context,
        initial_teb: *const InitialTeb,
        create_suspended: u8,
    ) -> NtStatus;
    pub fn NtCreateThreadEx(
        thread: *mut Handle,
        access: u32,
        oa: *const ObjectAttributes,
        process: Handle,
        start_routine: usize,
        argument: usize,
        create_flags: u32,
        zero_bits: usize,
        stack_size: usize,
        maximum_stack_size: usize,
        attribute_list: *const u8,
    ) -> NtStatus;
    pub fn NtOpenThread(
        handle: *mut Handle,
        access: u32,
        oa: *const ObjectAttributes,
        cid: *const ClientId,
    ) -> NtStatus;
    pub fn NtTerminateThread(thread: Handle, exit_status: i32) -> NtStatus;
    pub fn NtQueryInformationThread(
        thread: Handle,
        class: u32,
        info: *mut u8,
        length: u32,
        return_length: *mut u32,
    ) -> NtStatus;
    pub fn NtSuspendThread(thread: Handle, previous_count: *mut u32) -> NtStatus;
    pub fn NtResumeThread(thread: Handle, previous_count: *mut u32) -> NtStatus;
    pub fn NtGetContextThread(thread: Handle, context: *mut Context) -> NtStatus;
    pub fn NtSetContextThread(thread: Handle, context: *const Context) -> NtStatus;
    pub fn NtDelayExecution(alertable: u8, interval: *const i64) -> NtStatus;
    pub fn NtAllocateVirtualMemory(
        process: Handle,
        base: *mut usize,
        zero_bits: usize,
        size: *mut usize,
        allocation_type: u32,
        protect: u32,
    ) -> NtStatus;
    pub fn NtFreeVirtualMemory(
        process: Handle,
        base: *mut usize,
        size: *mut usize,
        free_type: u32,
    ) -> NtStatus;
    pub fn NtProtectVirtualMemory(
        process: Handle,
        base: *mut usize,
        size: *mut usize,
        new_protect: u32,
        old_protect: *mut u32,
    ) -> NtStatus;
    pub fn NtOpenSection(handle: *mut Handle, access: u32, oa: *const ObjectAttributes)
        -> NtStatus;
    pub fn NtCreateEvent(
        handle: *mut Handle,
        access: u32,
        oa: *const ObjectAttributes,
        kind: u32,
        initial: u8,
    ) -> NtStatus;
    pub fn NtQuerySystemTime(time: *mut i64) -> NtStatus;
    pub fn NtDisplayString(string: *const UnicodeString) -> NtStatus;

    // ----- Loader -----
    pub fn LdrLoadDll(
        path: *const u16,
        characteristics: *mut u32,
        name: *const UnicodeString,
        handle: *mut usize,
    ) -> NtStatus;
    pub fn LdrGetDllHandle(
        path: *const u16,
        characteristics: *mut u32,
        name: *const UnicodeString,
        handle: *mut usize,
    ) -> NtStatus;
    pub fn LdrGetProcedureAddress(
        module: usize,
        name: *const AnsiString,
        ordinal: u32,
        address: *mut usize,
    ) -> NtStatus;
    pub fn LdrUnloadDll(module: usize) -> NtStatus;

    // ----- Rtl: strings -----
    pub fn RtlInitUnicodeString(dest: *mut UnicodeString, source: *const u16);
    pub fn RtlInitAnsiString(dest: *mut AnsiString, source: *const u8);
    pub fn RtlCreateUnicodeString(dest: *mut UnicodeString, source: *const u16) -> u8;
    pub fn RtlFreeUnicodeString(string: *mut UnicodeString);
    pub fn RtlFreeAnsiString(string: *mut AnsiString);
    pub fn RtlAnsiStringToUnicodeString(
        dest: *mut UnicodeString,
        source: *const AnsiString,
        allocate: u8,
    ) -> NtStatus;
    pub fn RtlUnicodeStringToAnsiString(
        dest: *mut AnsiString,
        source: *const UnicodeString,
        allocate: u8,
    ) -> NtStatus;
    pub fn RtlUnicodeStringToOemString(
        dest: *mut AnsiString,
        source: *const UnicodeString,
        allocate: u8,
    ) -> NtStatus;
    pub fn RtlOemStringToUnicodeString(
        dest: *mut UnicodeString,
        source: *const AnsiString,
        allocate: u8,
    ) -> NtStatus;
    pub fn RtlCompareUnicodeString(
        a: *const UnicodeString,
        b: *const UnicodeString,
        case_insensitive: u8,
    ) -> i32;
    pub fn RtlEqualUnicodeString(
        a: *const UnicodeString,
        b: *const UnicodeString,
        case_insensitive: u8,
    ) -> u8;
    pub fn RtlPrefixUnicodeString(
        prefix: *const UnicodeString,
        s: *const UnicodeString,
        case_insensitive: u8,
    ) -> u8;
    pub fn RtlUpcaseUnicodeString(
        dest: *mut UnicodeString,
        source: *const UnicodeString,
        allocate: u8,
    ) -> NtStatus;
    pub fn RtlUpcaseUnicodeChar(c: u16) -> u16;
    pub fn RtlCopyUnicodeString(dest: *mut UnicodeString, source: *const UnicodeString);
    pub fn RtlAppendUnicodeStringToString(
        dest: *mut UnicodeString,
        source: *const UnicodeString,
    ) -> NtStatus;
    pub fn RtlAppendUnicodeToString(dest: *mut UnicodeString, source: *const u16) -> NtStatus;
    pub fn RtlDuplicateUnicodeString(
        flags: u32,
        source: *const UnicodeString,
        dest: *mut UnicodeString,
    ) -> NtStatus;
    pub fn RtlIntegerToUnicodeString(value: u32, base: u32, dest: *mut UnicodeString) -> NtStatus;
    pub fn RtlUnicodeStringToInteger(
        source: *const UnicodeString,
        base: u32,
        value: *mut u32,
    ) -> NtStatus;

    // ----- Rtl: heaps -----
    pub fn RtlCreateHeap(
        flags: u32,
        base: usize,
        reserve: usize,
        commit: usize,
        lock: usize,
        params: usize,
    ) -> usize;
    pub fn RtlDestroyHeap(heap: usize) -> usize;
    pub fn RtlAllocateHeap(heap: usize, flags: u32, size: usize) -> *mut u8;
    pub fn RtlFreeHeap(heap: usize, flags: u32, block: *mut u8) -> u8;
    pub fn RtlReAllocateHeap(heap: usize, flags: u32, block: *mut u8, size: usize) -> *mut u8;
    pub fn RtlSizeHeap(heap: usize, flags: u32, block: *const u8) -> usize;

    // ----- Rtl: environment, paths, process parameters -----
    pub fn RtlCreateEnvironment(clone_current: u8, environment: *mut usize) -> NtStatus;
    pub fn RtlDestroyEnvironment(environment: usize) -> NtStatus;
    pub fn RtlSetEnvironmentVariable(
        environment: *mut usize,
        name: *const UnicodeString,
        value: *const UnicodeString,
    ) -> NtStatus;
    pub fn RtlQueryEnvironmentVariable_U(
        environment: usize,
        name: *const UnicodeString,
        value: *mut UnicodeString,
    ) -> NtStatus;
    pub fn RtlDosPathNameToNtPathName_U(
        dos_name: *const u16,
        nt_name: *mut UnicodeString,
        file_part: *mut *const u16,
        relative: *mut RtlRelativeNameU,
    ) -> u8;
    pub fn RtlGetFullPathName_U(
        name: *const u16,
        buffer_bytes: u32,
        buffer: *mut u16,
        file_part: *mut *const u16,
    ) -> u32;
    pub fn RtlSetCurrentDirectory_U(path: *const UnicodeString) -> NtStatus;
    pub fn RtlGetCurrentDirectory_U(buffer_bytes: u32, buffer: *mut u16) -> u32;
    pub fn RtlCreateProcessParameters(
        result: *mut *mut RtlUserProcessParameters,
        image_path: *const UnicodeString,
        dll_path: *const UnicodeString,
        current_directory: *const UnicodeString,
        command_line: *const UnicodeString,
        environment: usize,
        window_title: *const UnicodeString,
        desktop_info: *const UnicodeString,
        shell_info: *const UnicodeString,
        runtime_data: *const UnicodeString,
    ) -> NtStatus;
    pub fn RtlDestroyProcessParameters(parameters: *mut RtlUserProcessParameters) -> NtStatus;
    pub fn RtlNormalizeProcessParams(
        parameters: *mut RtlUserProcessParameters,
    ) -> *mut RtlUserProcessParameters;
    pub fn RtlCreateUserProcess(
        image_path: *const UnicodeString,
        attributes: u32,
        parameters: *mut RtlUserProcessParameters,
        process_sd: usize,
        thread_sd: usize,
        parent: Handle,
        inherit_handles: u8,
        debug_port: Handle,
        token: Handle,
        info: *mut RtlUserProcessInformation,
    ) -> NtStatus;
    pub fn RtlCreateUserThread(
        process: Handle,
        sd: usize,
        create_suspended: u8,
        zero_bits: u32,
        maximum_stack: usize,
        committed_stack: usize,
        start: ThreadStart,
        parameter: usize,
        thread: *mut Handle,
        client_id: *mut ClientId,
    ) -> NtStatus;

    // ----- Rtl: time -----
    pub fn RtlTimeToTimeFields(time: *const i64, fields: *mut TimeFields);
    pub fn RtlTimeFieldsToTime(fields: *const TimeFields, time: *mut i64) -> u8;
    pub fn RtlTimeToSecondsSince1970(time: *const i64, seconds: *mut u32) -> u8;
    pub fn RtlSecondsSince1970ToTime(seconds: u32, time: *mut i64);
}

#[link(name = "ntdll", kind = "raw-dylib")]
extern "C" {
    /// Prints to the debugger (Triton: the serial port); returns an NTSTATUS.
    pub fn DbgPrint(format: *const u8, ...) -> NtStatus;
}
