//! The service table's consistency: dense unique numbers, unique names,
//! argument counts within the limits, every size reference naming a
//! suitable argument, message sizes within seL4's limit, and every
//! prototype matching phnt's parameter list (names and order).

use nt_abi::services::{ArgKind, Dir, Pointee, Scalar, SERVICES};
use nt_abi::wire::{MAX_CALL_WORDS, MAX_REPLY_WORDS, SEL4_MSG_MAX_LENGTH};
use nt_abi::{ServiceId, MAX_ARGS, SERVICE_COUNT};
use std::collections::HashSet;

/// Parameter names of every prototype, in order, as declared in phnt
/// (ntobapi.h, ntpsapi.h, ntmmapi.h, ntexapi.h, ntkeapi.h).
const PHNT: &[(&str, &[&str])] = &[
    ("NtYieldExecution", &[]),
    ("NtTestAlert", &[]),
    ("NtClose", &["Handle"]),
    (
        "NtDuplicateObject",
        &[
            "SourceProcessHandle",
            "SourceHandle",
            "TargetProcessHandle",
            "TargetHandle",
            "DesiredAccess",
            "HandleAttributes",
            "Options",
        ],
    ),
    (
        "NtQueryObject",
        &["Handle", "ObjectInformationClass", "ObjectInformation", "ObjectInformationLength", "ReturnLength"],
    ),
    ("NtMakeTemporaryObject", &["Handle"]),
    ("NtWaitForSingleObject", &["Handle", "Alertable", "Timeout"]),
    ("NtWaitForMultipleObjects", &["Count", "Handles", "WaitType", "Alertable", "Timeout"]),
    ("NtSignalAndWaitForSingleObject", &["SignalHandle", "WaitHandle", "Alertable", "Timeout"]),
    ("NtCreateDirectoryObject", &["DirectoryHandle", "DesiredAccess", "ObjectAttributes"]),
    ("NtOpenDirectoryObject", &["DirectoryHandle", "DesiredAccess", "ObjectAttributes"]),
    (
        "NtQueryDirectoryObject",
        &["DirectoryHandle", "Buffer", "Length", "ReturnSingleEntry", "RestartScan", "Context", "ReturnLength"],
    ),
    ("NtCreateSymbolicLinkObject", &["LinkHandle", "DesiredAccess", "ObjectAttributes", "LinkTarget"]),
    ("NtOpenSymbolicLinkObject", &["LinkHandle", "DesiredAccess", "ObjectAttributes"]),
    ("NtQuerySymbolicLinkObject", &["LinkHandle", "LinkTarget", "ReturnedLength"]),
    (
        "NtCreateProcessEx",
        &[
            "ProcessHandle",
            "DesiredAccess",
            "ObjectAttributes",
            "ParentProcess",
            "Flags",
            "SectionHandle",
            "DebugPort",
            "TokenHandle",
            "Reserved",
        ],
    ),
    (
        "NtCreateUserProcess",
        &[
            "ProcessHandle",
            "ThreadHandle",
            "ProcessDesiredAccess",
            "ThreadDesiredAccess",
            "ProcessObjectAttributes",
            "ThreadObjectAttributes",
            "ProcessFlags",
            "ThreadFlags",
            "ProcessParameters",
            "CreateInfo",
            "AttributeList",
        ],
    ),
    ("NtOpenProcess", &["ProcessHandle", "DesiredAccess", "ObjectAttributes", "ClientId"]),
    ("NtTerminateProcess", &["ProcessHandle", "ExitStatus"]),
    (
        "NtQueryInformationProcess",
        &["ProcessHandle", "ProcessInformationClass", "ProcessInformation", "ProcessInformationLength", "ReturnLength"],
    ),
    (
        "NtSetInformationProcess",
        &["ProcessHandle", "ProcessInformationClass", "ProcessInformation", "ProcessInformationLength"],
    ),
    (
        "NtCreateThread",
        &[
            "ThreadHandle",
            "DesiredAccess",
            "ObjectAttributes",
            "ProcessHandle",
            "ClientId",
            "ThreadContext",
            "InitialTeb",
            "CreateSuspended",
        ],
    ),
    (
        "NtCreateThreadEx",
        &[
            "ThreadHandle",
            "DesiredAccess",
            "ObjectAttributes",
            "ProcessHandle",
            "StartRoutine",
            "Argument",
            "CreateFlags",
            "ZeroBits",
            "StackSize",
            "MaximumStackSize",
            "AttributeList",
        ],
    ),
    ("NtOpenThread", &["ThreadHandle", "DesiredAccess", "ObjectAttributes", "ClientId"]),
    ("NtTerminateThread", &["ThreadHandle", "ExitStatus"]),
    (
        "NtQueryInformationThread",
        &["ThreadHandle", "ThreadInformationClass", "ThreadInformation", "ThreadInformationLength", "ReturnLength"],
    ),
    (
        "NtSetInformationThread",
        &["ThreadHandle", "ThreadInformationClass", "ThreadInformation", "ThreadInformationLength"],
    ),
    ("NtSuspendThread", &["ThreadHandle", "PreviousSuspendCount"]),
    ("NtResumeThread", &["ThreadHandle", "PreviousSuspendCount"]),
    ("NtGetContextThread", &["ThreadHandle", "ThreadContext"]),
    ("NtSetContextThread", &["ThreadHandle", "ThreadContext"]),
    ("NtQueueApcThread", &["ThreadHandle", "ApcRoutine", "ApcArgument1", "ApcArgument2", "ApcArgument3"]),
    ("NtAlertThread", &["ThreadHandle"]),
    ("NtDelayExecution", &["Alertable", "DelayInterval"]),
    (
        "NtAllocateVirtualMemory",
        &["ProcessHandle", "BaseAddress", "ZeroBits", "RegionSize", "AllocationType", "PageProtection"],
    ),
    ("NtFreeVirtualMemory", &["ProcessHandle", "BaseAddress", "RegionSize", "FreeType"]),
    ("NtProtectVirtualMemory", &["ProcessHandle", "BaseAddress", "RegionSize", "NewProtection", "OldProtection"]),
    (
        "NtQueryVirtualMemory",
        &[
            "ProcessHandle",
            "BaseAddress",
            "MemoryInformationClass",
            "MemoryInformation",
            "MemoryInformationLength",
            "ReturnLength",
        ],
    ),
    ("NtReadVirtualMemory", &["ProcessHandle", "BaseAddress", "Buffer", "NumberOfBytesToRead", "NumberOfBytesRead"]),
    (
        "NtWriteVirtualMemory",
        &["ProcessHandle", "BaseAddress", "Buffer", "NumberOfBytesToWrite", "NumberOfBytesWritten"],
    ),
    ("NtFlushInstructionCache", &["ProcessHandle", "BaseAddress", "Length"]),
    ("NtLockVirtualMemory", &["ProcessHandle", "BaseAddress", "RegionSize", "MapType"]),
    (
        "NtCreateSection",
        &[
            "SectionHandle",
            "DesiredAccess",
            "ObjectAttributes",
            "MaximumSize",
            "SectionPageProtection",
            "AllocationAttributes",
            "FileHandle",
        ],
    ),
    ("NtOpenSection", &["SectionHandle", "DesiredAccess", "ObjectAttributes"]),
    (
        "NtMapViewOfSection",
        &[
            "SectionHandle",
            "ProcessHandle",
            "BaseAddress",
            "ZeroBits",
            "CommitSize",
            "SectionOffset",
            "ViewSize",
            "InheritDisposition",
            "AllocationType",
            "PageProtection",
        ],
    ),
    ("NtUnmapViewOfSection", &["ProcessHandle", "BaseAddress"]),
    (
        "NtQuerySection",
        &["SectionHandle", "SectionInformationClass", "SectionInformation", "SectionInformationLength", "ReturnLength"],
    ),
    ("NtExtendSection", &["SectionHandle", "NewSectionSize"]),
    ("NtCreateEvent", &["EventHandle", "DesiredAccess", "ObjectAttributes", "EventType", "InitialState"]),
    ("NtOpenEvent", &["EventHandle", "DesiredAccess", "ObjectAttributes"]),
    ("NtSetEvent", &["EventHandle", "PreviousState"]),
    ("NtResetEvent", &["EventHandle", "PreviousState"]),
    ("NtPulseEvent", &["EventHandle", "PreviousState"]),
    ("NtClearEvent", &["EventHandle"]),
    (
        "NtQueryEvent",
        &["EventHandle", "EventInformationClass", "EventInformation", "EventInformationLength", "ReturnLength"],
    ),
    ("NtCreateMutant", &["MutantHandle", "DesiredAccess", "ObjectAttributes", "InitialOwner"]),
    ("NtOpenMutant", &["MutantHandle", "DesiredAccess", "ObjectAttributes"]),
    ("NtReleaseMutant", &["MutantHandle", "PreviousCount"]),
    (
        "NtQueryMutant",
        &["MutantHandle", "MutantInformationClass", "MutantInformation", "MutantInformationLength", "ReturnLength"],
    ),
    ("NtCreateSemaphore", &["SemaphoreHandle", "DesiredAccess", "ObjectAttributes", "InitialCount", "MaximumCount"]),
    ("NtOpenSemaphore", &["SemaphoreHandle", "DesiredAccess", "ObjectAttributes"]),
    ("NtReleaseSemaphore", &["SemaphoreHandle", "ReleaseCount", "PreviousCount"]),
    (
        "NtQuerySemaphore",
        &[
            "SemaphoreHandle",
            "SemaphoreInformationClass",
            "SemaphoreInformation",
            "SemaphoreInformationLength",
            "ReturnLength",
        ],
    ),
    ("NtCreateTimer", &["TimerHandle", "DesiredAccess", "ObjectAttributes", "TimerType"]),
    ("NtOpenTimer", &["TimerHandle", "DesiredAccess", "ObjectAttributes"]),
    (
        "NtSetTimer",
        &["TimerHandle", "DueTime", "TimerApcRoutine", "TimerContext", "ResumeTimer", "Period", "PreviousState"],
    ),
    ("NtCancelTimer", &["TimerHandle", "CurrentState"]),
    (
        "NtQueryTimer",
        &["TimerHandle", "TimerInformationClass", "TimerInformation", "TimerInformationLength", "ReturnLength"],
    ),
    ("NtQuerySystemTime", &["SystemTime"]),
    ("NtSetSystemTime", &["SystemTime", "PreviousTime"]),
    ("NtQueryPerformanceCounter", &["PerformanceCounter", "PerformanceFrequency"]),
    ("NtQueryTimerResolution", &["MaximumTime", "MinimumTime", "CurrentTime"]),
    (
        "NtQuerySystemInformation",
        &["SystemInformationClass", "SystemInformation", "SystemInformationLength", "ReturnLength"],
    ),
    ("NtDisplayString", &["String"]),
    ("NtContinue", &["ContextRecord", "TestAlert"]),
];

fn snake(camel: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in camel.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[test]
fn prototypes_match_phnt() {
    assert_eq!(PHNT.len(), SERVICE_COUNT, "the table declares exactly the T4/T5 services");
    for (name, params) in PHNT {
        let id = ServiceId::from_name(name).unwrap_or_else(|| panic!("{name} missing from the table"));
        let args: Vec<&str> = id.desc().args.iter().map(|a| a.name).collect();
        let want: Vec<String> = params.iter().map(|p| snake(p)).collect();
        assert_eq!(args, want, "{name}");
        assert_eq!(id.arg_count(), params.len());
    }
}

#[test]
fn numbers_are_dense_and_stable() {
    assert_eq!(SERVICE_COUNT, 75);
    assert_eq!(SERVICES.len(), SERVICE_COUNT);
    for (i, s) in SERVICES.iter().enumerate() {
        assert_eq!(s.number as usize, i);
        assert_eq!(s.id as usize, i);
        assert_eq!(ServiceId::try_from(i as u32), Ok(s.id));
        assert_eq!(u32::from(s.id), i as u32);
        assert_eq!(ServiceId::ALL[i], s.id);
    }
    assert_eq!(ServiceId::try_from(SERVICE_COUNT as u32), Err(SERVICE_COUNT as u32));
    // Pinned numbers: changing one breaks every ntdll built before.
    assert_eq!(ServiceId::NtYieldExecution.number(), 0);
    assert_eq!(ServiceId::NtTestAlert.number(), 1);
    assert_eq!(ServiceId::NtClose.number(), 2);
    assert_eq!(ServiceId::NtCreateEvent.number(), 48);
    assert_eq!(ServiceId::NtDisplayString.number(), 73);
    assert_eq!(ServiceId::NtContinue.number(), 74);
}

#[test]
fn null_services_are_cheap() {
    for id in [ServiceId::NtYieldExecution, ServiceId::NtTestAlert] {
        let d = id.desc();
        assert!(id.number() < 2);
        assert_eq!((d.arg_count(), d.call_words(), d.reply_words()), (0, 0, 0));
        assert!(!d.uses_buffer);
    }
}

#[test]
fn names_are_unique_and_well_formed() {
    let mut names = HashSet::new();
    for s in SERVICES.iter() {
        assert!(s.name.starts_with("Nt"), "{}", s.name);
        assert!(names.insert(s.name), "duplicate {}", s.name);
        assert_eq!(ServiceId::from_name(s.name), Some(s.id));
        assert_eq!(s.id.name(), s.name);
        let mut args = HashSet::new();
        for a in s.args {
            assert!(args.insert(a.name), "{}: duplicate argument {}", s.name, a.name);
            assert!(a.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{}", a.name);
        }
    }
}

#[test]
fn argument_counts_and_message_sizes_fit() {
    const { assert!(MAX_ARGS <= 17) };
    const { assert!(MAX_CALL_WORDS <= SEL4_MSG_MAX_LENGTH && MAX_REPLY_WORDS <= SEL4_MSG_MAX_LENGTH) };
    assert_eq!(SEL4_MSG_MAX_LENGTH, sel4_abi::MSG_MAX_LENGTH);
    for s in SERVICES.iter() {
        assert!(s.arg_count() <= MAX_ARGS, "{}", s.name);
        assert!(s.call_words() <= MAX_CALL_WORDS);
        assert!(s.reply_words() <= MAX_REPLY_WORDS);
        assert_eq!(s.outputs as usize, s.args.iter().filter(|a| a.kind.is_output()).count());
    }
}

#[test]
fn size_references_name_suitable_arguments() {
    for s in SERVICES.iter() {
        let mut used = HashSet::new();
        let scalar = |i: u8| match s.args.get(i as usize).map(|a| a.kind) {
            Some(ArgKind::Scalar(k)) => Some(k),
            _ => None,
        };
        for (i, a) in s.args.iter().enumerate() {
            match a.kind {
                ArgKind::InBuf { len } | ArgKind::OutBuf { len, .. } => {
                    assert!(len as usize != i);
                    assert!(scalar(len).is_some_and(Scalar::is_length), "{}.{}: length", s.name, a.name);
                    assert!(used.insert(len), "{}: length used twice", s.name);
                }
                ArgKind::InArray { count, ty } => {
                    assert_eq!(scalar(count), Some(Scalar::U32), "{}.{}", s.name, a.name);
                    assert!(!ty.is_variable());
                    assert!(used.insert(count));
                }
                ArgKind::InSized { ty, .. } => assert!(ty.is_variable(), "{}.{}", s.name, a.name),
                ArgKind::Ptr { ty, .. } => assert!(!ty.is_variable(), "{}.{}", s.name, a.name),
                _ => {}
            }
            if let ArgKind::OutBuf { len, ret: Some(r) } = a.kind {
                // ReturnLength: an optional word output as wide as the length.
                let want = match scalar(len) {
                    Some(Scalar::U32) => Pointee::U32,
                    _ => Pointee::Usize,
                };
                assert_eq!(
                    s.args[r as usize].kind,
                    ArgKind::Ptr { dir: Dir::Out, ty: want, opt: true },
                    "{}.{}: return length",
                    s.name,
                    a.name
                );
            }
        }
    }
}

#[test]
fn spot_checks_of_kinds() {
    let kind = |id: ServiceId, name: &str| {
        let d = id.desc();
        d.args[d.arg_index(name).unwrap()].kind
    };
    assert_eq!(kind(ServiceId::NtClose, "handle"), ArgKind::Scalar(Scalar::Handle));
    assert_eq!(kind(ServiceId::NtCreateEvent, "object_attributes"), ArgKind::ObjectAttributes { opt: true });
    assert_eq!(kind(ServiceId::NtOpenEvent, "object_attributes"), ArgKind::ObjectAttributes { opt: false });
    assert_eq!(
        kind(ServiceId::NtWaitForSingleObject, "timeout"),
        ArgKind::Ptr { dir: Dir::In, ty: Pointee::I64, opt: true }
    );
    assert_eq!(
        kind(ServiceId::NtWaitForMultipleObjects, "handles"),
        ArgKind::InArray { ty: Pointee::Handle, count: 0 }
    );
    assert_eq!(
        kind(ServiceId::NtQuerySystemInformation, "system_information"),
        ArgKind::OutBuf { len: 2, ret: Some(3) }
    );
    assert_eq!(kind(ServiceId::NtReadVirtualMemory, "base_address"), ArgKind::Scalar(Scalar::Addr));
    assert_eq!(
        kind(ServiceId::NtAllocateVirtualMemory, "region_size"),
        ArgKind::Ptr { dir: Dir::InOut, ty: Pointee::Usize, opt: false }
    );
    assert_eq!(kind(ServiceId::NtQuerySymbolicLinkObject, "link_target"), ArgKind::OutString);
    assert_eq!(kind(ServiceId::NtDisplayString, "string"), ArgKind::String);
    // Word-sized pure outputs use no buffer at all.
    assert!(!ServiceId::NtQueryPerformanceCounter.desc().uses_buffer);
    assert!(!ServiceId::NtSetEvent.desc().uses_buffer);
    assert!(ServiceId::NtWaitForSingleObject.desc().uses_buffer);
}
