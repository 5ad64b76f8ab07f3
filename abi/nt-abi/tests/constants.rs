//! NTSTATUS values and helpers, rights and flag constants, enumerations and
//! handle rules, against nt-facts.md §1 and §3.

use nt_abi::classes::*;
use nt_abi::consts::*;
use nt_abi::status::{self, NtStatus};
use nt_abi::types::Handle;

/// Every (name, value) pair of nt-facts.md §1, extracted from its tables.
const NT_FACTS_STATUS: &[(&str, u32)] = &[
    ("STATUS_SUCCESS", 0x00000000),
    ("STATUS_REPARSE", 0x00000104),
    ("STATUS_MORE_ENTRIES", 0x00000105),
    ("STATUS_ABANDONED", 0x00000080),
    ("STATUS_NOT_ALL_ASSIGNED", 0x00000106),
    ("STATUS_USER_APC", 0x000000C0),
    ("STATUS_NOTIFY_ENUM_DIR", 0x0000010C),
    ("STATUS_KERNEL_APC", 0x00000100),
    ("STATUS_OBJECT_NAME_EXISTS", 0x40000000),
    ("STATUS_ALERTED", 0x00000101),
    ("STATUS_THREAD_WAS_SUSPENDED", 0x40000001),
    ("STATUS_TIMEOUT", 0x00000102),
    ("STATUS_IMAGE_NOT_AT_BASE", 0x40000003),
    ("STATUS_PENDING", 0x00000103),
    ("STATUS_IMAGE_MACHINE_TYPE_MISMATCH", 0x4000000E),
    ("STATUS_GUARD_PAGE_VIOLATION", 0x80000001),
    ("STATUS_NO_MORE_FILES", 0x80000006),
    ("STATUS_DATATYPE_MISALIGNMENT", 0x80000002),
    ("STATUS_PARTIAL_COPY", 0x8000000D),
    ("STATUS_BREAKPOINT", 0x80000003),
    ("STATUS_DEVICE_BUSY", 0x80000011),
    ("STATUS_SINGLE_STEP", 0x80000004),
    ("STATUS_NO_MORE_EAS", 0x80000012),
    ("STATUS_BUFFER_OVERFLOW", 0x80000005),
    ("STATUS_NO_MORE_ENTRIES", 0x8000001A),
    ("STATUS_LONGJUMP", 0x80000026),
    ("STATUS_UNWIND_CONSOLIDATE", 0x80000029),
    ("STATUS_UNSUCCESSFUL", 0xC0000001),
    ("STATUS_INVALID_PAGE_PROTECTION", 0xC0000045),
    ("STATUS_NOT_IMPLEMENTED", 0xC0000002),
    ("STATUS_MUTANT_NOT_OWNED", 0xC0000046),
    ("STATUS_INVALID_INFO_CLASS", 0xC0000003),
    ("STATUS_SEMAPHORE_LIMIT_EXCEEDED", 0xC0000047),
    ("STATUS_INFO_LENGTH_MISMATCH", 0xC0000004),
    ("STATUS_SECTION_NOT_IMAGE", 0xC0000049),
    ("STATUS_ACCESS_VIOLATION", 0xC0000005),
    ("STATUS_THREAD_IS_TERMINATING", 0xC000004B),
    ("STATUS_IN_PAGE_ERROR", 0xC0000006),
    ("STATUS_FILE_LOCK_CONFLICT", 0xC0000054),
    ("STATUS_INVALID_HANDLE", 0xC0000008),
    ("STATUS_DELETE_PENDING", 0xC0000056),
    ("STATUS_BAD_INITIAL_STACK", 0xC0000009),
    ("STATUS_PRIVILEGE_NOT_HELD", 0xC0000061),
    ("STATUS_BAD_INITIAL_PC", 0xC000000A),
    ("STATUS_PROCEDURE_NOT_FOUND", 0xC000007A),
    ("STATUS_INVALID_CID", 0xC000000B),
    ("STATUS_INVALID_IMAGE_FORMAT", 0xC000007B),
    ("STATUS_INVALID_PARAMETER", 0xC000000D),
    ("STATUS_DISK_FULL", 0xC000007F),
    ("STATUS_NO_SUCH_DEVICE", 0xC000000E),
    ("STATUS_ARRAY_BOUNDS_EXCEEDED", 0xC000008C),
    ("STATUS_NO_SUCH_FILE", 0xC000000F),
    ("STATUS_FLOAT_DIVIDE_BY_ZERO", 0xC000008E),
    ("STATUS_INVALID_DEVICE_REQUEST", 0xC0000010),
    ("STATUS_FLOAT_INVALID_OPERATION", 0xC0000090),
    ("STATUS_END_OF_FILE", 0xC0000011),
    ("STATUS_INTEGER_DIVIDE_BY_ZERO", 0xC0000094),
    ("STATUS_NO_MEDIA_IN_DEVICE", 0xC0000013),
    ("STATUS_INTEGER_OVERFLOW", 0xC0000095),
    ("STATUS_MORE_PROCESSING_REQUIRED", 0xC0000016),
    ("STATUS_PRIVILEGED_INSTRUCTION", 0xC0000096),
    ("STATUS_NO_MEMORY", 0xC0000017),
    ("STATUS_INSUFFICIENT_RESOURCES", 0xC000009A),
    ("STATUS_CONFLICTING_ADDRESSES", 0xC0000018),
    ("STATUS_DEVICE_NOT_CONNECTED", 0xC000009D),
    ("STATUS_NOT_MAPPED_VIEW", 0xC0000019),
    ("STATUS_MEDIA_WRITE_PROTECTED", 0xC00000A2),
    ("STATUS_UNABLE_TO_FREE_VM", 0xC000001A),
    ("STATUS_DEVICE_NOT_READY", 0xC00000A3),
    ("STATUS_INVALID_SYSTEM_SERVICE", 0xC000001C),
    ("STATUS_IO_TIMEOUT", 0xC00000B5),
    ("STATUS_ILLEGAL_INSTRUCTION", 0xC000001D),
    ("STATUS_FILE_IS_A_DIRECTORY", 0xC00000BA),
    ("STATUS_INVALID_VIEW_SIZE", 0xC000001F),
    ("STATUS_NOT_SUPPORTED", 0xC00000BB),
    ("STATUS_INVALID_FILE_FOR_SECTION", 0xC0000020),
    ("STATUS_DEVICE_DOES_NOT_EXIST", 0xC00000C0),
    ("STATUS_ALREADY_COMMITTED", 0xC0000021),
    ("STATUS_BAD_DEVICE_TYPE", 0xC00000CB),
    ("STATUS_ACCESS_DENIED", 0xC0000022),
    ("STATUS_NOT_SAME_DEVICE", 0xC00000D4),
    ("STATUS_BUFFER_TOO_SMALL", 0xC0000023),
    ("STATUS_INTERNAL_ERROR", 0xC00000E5),
    ("STATUS_OBJECT_TYPE_MISMATCH", 0xC0000024),
    ("STATUS_INVALID_USER_BUFFER", 0xC00000E8),
    ("STATUS_NONCONTINUABLE_EXCEPTION", 0xC0000025),
    ("STATUS_INVALID_DISPOSITION", 0xC0000026),
    ("STATUS_STACK_OVERFLOW", 0xC00000FD),
    ("STATUS_UNWIND", 0xC0000027),
    ("STATUS_VARIABLE_NOT_FOUND", 0xC0000100),
    ("STATUS_BAD_STACK", 0xC0000028),
    ("STATUS_DIRECTORY_NOT_EMPTY", 0xC0000101),
    ("STATUS_INVALID_UNWIND_TARGET", 0xC0000029),
    ("STATUS_NOT_A_DIRECTORY", 0xC0000103),
    ("STATUS_NOT_COMMITTED", 0xC000002D),
    ("STATUS_NAME_TOO_LONG", 0xC0000106),
    ("STATUS_INVALID_PARAMETER_MIX", 0xC0000030),
    ("STATUS_PROCESS_IS_TERMINATING", 0xC000010A),
    ("STATUS_OBJECT_NAME_INVALID", 0xC0000033),
    ("STATUS_TOO_MANY_OPENED_FILES", 0xC000011F),
    ("STATUS_OBJECT_NAME_NOT_FOUND", 0xC0000034),
    ("STATUS_CANCELLED", 0xC0000120),
    ("STATUS_OBJECT_NAME_COLLISION", 0xC0000035),
    ("STATUS_FILE_DELETED", 0xC0000123),
    ("STATUS_PORT_DISCONNECTED", 0xC0000037),
    ("STATUS_FILE_CLOSED", 0xC0000128),
    ("STATUS_DEVICE_ALREADY_ATTACHED", 0xC0000038),
    ("STATUS_INVALID_IMAGE_NOT_MZ", 0xC000012F),
    ("STATUS_OBJECT_PATH_INVALID", 0xC0000039),
    ("STATUS_DLL_NOT_FOUND", 0xC0000135),
    ("STATUS_OBJECT_PATH_NOT_FOUND", 0xC000003A),
    ("STATUS_ORDINAL_NOT_FOUND", 0xC0000138),
    ("STATUS_OBJECT_PATH_SYNTAX_BAD", 0xC000003B),
    ("STATUS_ENTRYPOINT_NOT_FOUND", 0xC0000139),
    ("STATUS_SHARING_VIOLATION", 0xC0000043),
    ("STATUS_CONTROL_C_EXIT", 0xC000013A),
    ("STATUS_INVALID_ADDRESS", 0xC0000141),
    ("STATUS_DLL_INIT_FAILED", 0xC0000142),
    ("STATUS_UNHANDLED_EXCEPTION", 0xC0000144),
    ("STATUS_PIPE_BROKEN", 0xC000014B),
    ("STATUS_KEY_DELETED", 0xC000017C),
    ("STATUS_KEY_HAS_CHILDREN", 0xC0000180),
    ("STATUS_INVALID_DEVICE_STATE", 0xC0000184),
    ("STATUS_IO_DEVICE_ERROR", 0xC0000185),
    ("STATUS_INVALID_BUFFER_SIZE", 0xC0000206),
    ("STATUS_NOT_FOUND", 0xC0000225),
    ("STATUS_HANDLE_NOT_CLOSABLE", 0xC0000235),
    ("STATUS_ILLEGAL_DLL_RELOCATION", 0xC0000269),
    ("STATUS_DRIVER_UNABLE_TO_LOAD", 0xC000026C),
    ("STATUS_INVALID_IMAGE_WIN_32", 0xC0000359),
    ("STATUS_INVALID_IMAGE_WIN_64", 0xC000035A),
    ("STATUS_HEAP_CORRUPTION", 0xC0000374),
    ("STATUS_STACK_BUFFER_OVERRUN", 0xC0000409),
    ("STATUS_ASSERTION_FAILURE", 0xC0000420),
];

#[test]
fn every_listed_status_is_declared_with_its_value() {
    for (name, value) in NT_FACTS_STATUS {
        let found = status::NAMED.iter().find(|(_, n)| n == name);
        assert_eq!(found.map(|(v, _)| v.0), Some(*value), "{name}");
    }
}

#[test]
fn names_and_values_are_unique_except_documented_aliases() {
    let aliases = [("STATUS_WAIT_0", "STATUS_SUCCESS"), ("STATUS_ABANDONED_WAIT_0", "STATUS_ABANDONED")];
    for (i, (v, n)) in status::NAMED.iter().enumerate() {
        for (w, m) in &status::NAMED[..i] {
            assert_ne!(n, m);
            if v == w {
                assert!(aliases.contains(&(n, m)), "{n} duplicates {m}");
            }
        }
    }
    assert_eq!(status::STATUS_WAIT_0.name(), Some("STATUS_SUCCESS"));
    assert_eq!(status::STATUS_ACCESS_VIOLATION.name(), Some("STATUS_ACCESS_VIOLATION"));
    assert_eq!(NtStatus(0xC0DE_0001).name(), None);
    assert_eq!(format!("{:?}", status::STATUS_INVALID_HANDLE), "STATUS_INVALID_HANDLE");
    assert_eq!(format!("{}", status::STATUS_TIMEOUT), "0x00000102 (STATUS_TIMEOUT)");
}

#[test]
fn severity_and_success() {
    use nt_abi::status::Severity;
    use status::*;
    for s in [STATUS_SUCCESS, STATUS_TIMEOUT, STATUS_PENDING, STATUS_USER_APC, STATUS_WAIT_63] {
        assert!(s.is_success() && !s.is_error() && !s.is_warning());
        assert_eq!(s.severity(), Severity::Success);
    }
    assert!(STATUS_OBJECT_NAME_EXISTS.is_success() && STATUS_OBJECT_NAME_EXISTS.is_information());
    assert_eq!(STATUS_OBJECT_NAME_EXISTS.severity(), Severity::Informational);
    assert!(!STATUS_BUFFER_OVERFLOW.is_success() && STATUS_BUFFER_OVERFLOW.is_warning());
    assert_eq!(STATUS_NO_MORE_ENTRIES.severity(), Severity::Warning);
    assert!(STATUS_ACCESS_VIOLATION.is_error() && !STATUS_ACCESS_VIOLATION.is_success());
    assert_eq!(STATUS_ACCESS_VIOLATION.severity(), Severity::Error);
    assert_eq!(STATUS_ACCESS_VIOLATION.to_ntstatus(), 0xC000_0005u32 as i32);
    assert_eq!(NtStatus::from_ntstatus(-1073741819), STATUS_ACCESS_VIOLATION);
    assert_eq!((STATUS_ACCESS_VIOLATION.facility(), STATUS_ACCESS_VIOLATION.code()), (0, 5));
    assert!(!STATUS_ACCESS_VIOLATION.is_customer());
    // Win32 errors wrapped as NTSTATUS: facility 7.
    let e = NtStatus::from_win32(5);
    assert_eq!((e.0, e.facility(), e.code()), (0xC007_0005, 7, 5));
    assert_eq!(NtStatus::wait(3), STATUS_WAIT_3);
    assert_eq!(NtStatus::wait(63), STATUS_WAIT_63);
    assert_eq!(NtStatus::abandoned_wait(63), STATUS_ABANDONED_WAIT_63);
    assert_eq!(STATUS_INVALID_PARAMETER_12.0, 0xC000_00FA);
}

#[test]
fn access_rights() {
    assert_eq!(STANDARD_RIGHTS_REQUIRED, DELETE | READ_CONTROL | WRITE_DAC | WRITE_OWNER);
    assert_eq!(STANDARD_RIGHTS_ALL, STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE);
    assert_eq!(FILE_ALL_ACCESS, STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x1FF);
    assert_eq!(FILE_GENERIC_READ, READ_CONTROL | FILE_READ_DATA | FILE_READ_ATTRIBUTES | FILE_READ_EA | SYNCHRONIZE);
    assert_eq!(
        FILE_GENERIC_WRITE,
        READ_CONTROL | FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA | FILE_APPEND_DATA | SYNCHRONIZE
    );
    assert_eq!(FILE_GENERIC_EXECUTE, READ_CONTROL | FILE_READ_ATTRIBUTES | FILE_EXECUTE | SYNCHRONIZE);
    assert_eq!(PROCESS_ALL_ACCESS, STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFF);
    assert_eq!(THREAD_ALL_ACCESS, STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFF);
    assert_eq!(EVENT_ALL_ACCESS, STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | EVENT_QUERY_STATE | EVENT_MODIFY_STATE);
    assert_eq!(SEMAPHORE_ALL_ACCESS, EVENT_ALL_ACCESS);
    assert_eq!(TIMER_ALL_ACCESS, EVENT_ALL_ACCESS);
    assert_eq!(MUTANT_ALL_ACCESS, STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | MUTANT_QUERY_STATE);
    assert_eq!(SECTION_ALL_ACCESS, STANDARD_RIGHTS_REQUIRED | 0x1F);
    assert_eq!(KEY_READ, READ_CONTROL | KEY_QUERY_VALUE | KEY_ENUMERATE_SUB_KEYS | KEY_NOTIFY);
    assert_eq!(KEY_WRITE, READ_CONTROL | KEY_SET_VALUE | KEY_CREATE_SUB_KEY);
    assert_eq!(DIRECTORY_ALL_ACCESS, STANDARD_RIGHTS_REQUIRED | 0xF);
    assert_eq!(SYMBOLIC_LINK_ALL_ACCESS, STANDARD_RIGHTS_REQUIRED | SYMBOLIC_LINK_QUERY);
    assert_eq!(
        (GENERIC_READ, GENERIC_WRITE, GENERIC_EXECUTE, GENERIC_ALL),
        (0x8000_0000, 0x4000_0000, 0x2000_0000, 0x1000_0000)
    );
    assert_eq!((ACCESS_SYSTEM_SECURITY, MAXIMUM_ALLOWED), (0x0100_0000, 0x0200_0000));
    let m = GenericMapping {
        generic_read: READ_CONTROL | EVENT_QUERY_STATE,
        generic_write: READ_CONTROL | EVENT_MODIFY_STATE,
        generic_execute: READ_CONTROL | SYNCHRONIZE,
        generic_all: EVENT_ALL_ACCESS,
    };
    assert_eq!(m.map(GENERIC_READ | DELETE), READ_CONTROL | EVENT_QUERY_STATE | DELETE);
    assert_eq!(m.map(GENERIC_ALL | MAXIMUM_ALLOWED), EVENT_ALL_ACCESS | MAXIMUM_ALLOWED);
    assert_eq!((DUPLICATE_CLOSE_SOURCE, DUPLICATE_SAME_ACCESS, DUPLICATE_SAME_ATTRIBUTES), (1, 2, 4));
}

#[test]
fn object_attribute_flags() {
    let all = OBJ_INHERIT
        | OBJ_PERMANENT
        | OBJ_EXCLUSIVE
        | OBJ_CASE_INSENSITIVE
        | OBJ_OPENIF
        | OBJ_OPENLINK
        | OBJ_KERNEL_HANDLE
        | OBJ_FORCE_ACCESS_CHECK
        | OBJ_IGNORE_IMPERSONATED_DEVICEMAP
        | OBJ_DONT_REPARSE;
    assert_eq!(all, OBJ_VALID_ATTRIBUTES);
    assert_eq!(OBJ_VALID_ATTRIBUTES, 0x1FF2);
    assert_eq!((OBJ_CASE_INSENSITIVE, OBJ_OPENIF, OBJ_KERNEL_HANDLE), (0x40, 0x80, 0x200));
}

#[test]
fn memory_constants() {
    assert_eq!(
        [PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY, PAGE_EXECUTE, PAGE_EXECUTE_READ],
        [1, 2, 4, 8, 0x10, 0x20]
    );
    assert_eq!([PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY, PAGE_GUARD, PAGE_NOCACHE], [0x40, 0x80, 0x100, 0x200]);
    assert_eq!([MEM_COMMIT, MEM_RESERVE, MEM_DECOMMIT, MEM_RELEASE], [0x1000, 0x2000, 0x4000, 0x8000]);
    assert_eq!(
        [MEM_FREE, MEM_PRIVATE, MEM_MAPPED, MEM_RESET, MEM_TOP_DOWN],
        [0x10000, 0x20000, 0x40000, 0x80000, 0x100000]
    );
    assert_eq!(MEM_IMAGE, SEC_IMAGE);
    assert_eq!(SEC_IMAGE_NO_EXECUTE, SEC_IMAGE | SEC_NOCACHE);
    assert_eq!([SEC_FILE, SEC_RESERVE, SEC_COMMIT, SEC_LARGE_PAGES], [0x80_0000, 0x400_0000, 0x800_0000, 0x8000_0000]);
    assert_eq!(CONTEXT_FULL, 0x10_000B);
    assert_eq!(CONTEXT_ALL, 0x10_001F);
}

#[test]
fn enumerations() {
    use core::convert::TryFrom;
    // nt-facts.md §3 values.
    for (c, v) in [
        (ProcessInfoClass::ProcessBasicInformation, 0),
        (ProcessInfoClass::ProcessVmCounters, 3),
        (ProcessInfoClass::ProcessDebugPort, 7),
        (ProcessInfoClass::ProcessHandleCount, 20),
        (ProcessInfoClass::ProcessWow64Information, 26),
        (ProcessInfoClass::ProcessImageFileName, 27),
        (ProcessInfoClass::ProcessCookie, 36),
        (ProcessInfoClass::ProcessImageInformation, 37),
        (ProcessInfoClass::ProcessImageFileNameWin32, 43),
    ] {
        assert_eq!(u32::from(c), v);
    }
    for (c, v) in [
        (ThreadInfoClass::ThreadBasicInformation, 0),
        (ThreadInfoClass::ThreadQuerySetWin32StartAddress, 9),
        (ThreadInfoClass::ThreadHideFromDebugger, 17),
        (ThreadInfoClass::ThreadIsTerminated, 20),
        (ThreadInfoClass::ThreadTebInformation, 26),
        (ThreadInfoClass::ThreadSuspendCount, 35),
        (ThreadInfoClass::ThreadNameInformation, 38),
    ] {
        assert_eq!(u32::from(c), v);
    }
    for (c, v) in [
        (SystemInfoClass::SystemBasicInformation, 0),
        (SystemInfoClass::SystemProcessInformation, 5),
        (SystemInfoClass::SystemModuleInformation, 11),
        (SystemInfoClass::SystemHandleInformation, 16),
        (SystemInfoClass::SystemKernelDebuggerInformation, 35),
        (SystemInfoClass::SystemRangeStartInformation, 50),
        (SystemInfoClass::SystemExtendedHandleInformation, 64),
        (SystemInfoClass::SystemLogicalProcessorInformation, 73),
    ] {
        assert_eq!(u32::from(c), v);
    }
    assert_eq!(u32::from(MemoryInfoClass::MemoryImageInformation), 6);
    assert_eq!(u32::from(ObjectInfoClass::ObjectHandleFlagInformation), 4);
    assert_eq!(u32::from(SectionInfoClass::SectionImageInformation), 1);
    assert_eq!(u32::from(SectionInherit::ViewUnmap), 2);
    assert_eq!(u32::from(WaitType::WaitAny), 1);
    assert_eq!(u32::from(EventType::SynchronizationEvent), 1);
    assert_eq!(u32::from(TimerType::NotificationTimer), 0);
    // Dense enumerations: ALL is 0..n in order, TryFrom inverts From.
    for all in [ProcessInfoClass::ALL.len(), ThreadInfoClass::ALL.len(), SystemInfoClass::ALL.len()] {
        assert!(all >= 40);
    }
    for (i, c) in ProcessInfoClass::ALL.iter().enumerate() {
        assert_eq!(u32::from(*c), i as u32);
        assert_eq!(ProcessInfoClass::try_from(i as u32), Ok(*c));
    }
    assert_eq!(ProcessInfoClass::try_from(9999), Err(9999));
    assert_eq!(SectionInherit::try_from(0), Err(0));
    assert_eq!(PsCreateState::try_from(6), Ok(PsCreateState::PsCreateSuccess));
}

#[test]
fn handle_rules() {
    assert_eq!(Handle::CURRENT_PROCESS.0, u64::MAX);
    assert_eq!(Handle::CURRENT_THREAD.0, u64::MAX - 1);
    assert!(Handle::CURRENT_PROCESS.is_pseudo() && Handle::CURRENT_THREAD_EFFECTIVE_TOKEN.is_pseudo());
    assert!(!Handle(4).is_pseudo() && !Handle(-7i64 as u64).is_pseudo());
    assert_eq!(Handle::NULL.table_index(), None);
    assert_eq!(Handle(3).table_index(), None); // tag bits of NULL
    assert_eq!(Handle(4).table_index(), Some(1));
    assert_eq!(Handle(7).table_index(), Some(1)); // tag bits ignored
    assert_eq!(Handle::CURRENT_PROCESS.table_index(), None);
    assert_eq!(Handle::from_table_index(5), Handle(20));
    assert_eq!(Handle::ALIGNMENT, 4);
    assert_eq!(Handle::TAG_BITS, OBJ_HANDLE_TAGBITS);
    assert_eq!(MAXIMUM_WAIT_OBJECTS, 64);
}
