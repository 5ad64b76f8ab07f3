//! The enumerations services take as scalar arguments: information classes
//! (PROCESSINFOCLASS, THREADINFOCLASS, SYSTEM_INFORMATION_CLASS,
//! MEMORY_INFORMATION_CLASS and the per-object ones), EVENT_TYPE,
//! TIMER_TYPE, WAIT_TYPE, SECTION_INHERIT and PS_CREATE_STATE.
//!
//! Values: nt-facts.md §3 for the ones it lists, the rest counted from the
//! phnt enum declarations named on each type. The wire carries these as
//! plain `ULONG`s; a handler converts with `TryFrom<u32>` and answers
//! STATUS_INVALID_INFO_CLASS (or STATUS_INVALID_PARAMETER for the non-class
//! enums) when the value is not one of them.

/// Declares a fieldless `#[repr(u32)]` enumeration with `ALL`, a
/// `TryFrom<u32>` that hands back the rejected value, and `From<Self> for
/// u32`. Variant names are the Windows names, so they can be grepped and
/// checked against the headers.
macro_rules! nt_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:expr, )+
        }
    ) => {
        $(#[$meta])*
        #[allow(clippy::enum_variant_names)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u32)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $value, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];
        }

        impl core::convert::TryFrom<u32> for $name {
            type Error = u32;

            fn try_from(raw: u32) -> Result<Self, u32> {
                match raw {
                    $( v if v == $value => Ok($name::$variant), )+
                    _ => Err(raw),
                }
            }
        }

        impl From<$name> for u32 {
            fn from(v: $name) -> u32 {
                v as u32
            }
        }
    };
}

nt_enum! {
    /// `PROCESSINFOCLASS` (NtQuery/SetInformationProcess; phnt ntpsapi.h, values 0..=49).
    pub enum ProcessInfoClass {
        ProcessBasicInformation = 0,
        ProcessQuotaLimits = 1,
        ProcessIoCounters = 2,
        ProcessVmCounters = 3,
        ProcessTimes = 4,
        ProcessBasePriority = 5,
        ProcessRaisePriority = 6,
        ProcessDebugPort = 7,
        ProcessExceptionPort = 8,
        ProcessAccessToken = 9,
        ProcessLdtInformation = 10,
        ProcessLdtSize = 11,
        ProcessDefaultHardErrorMode = 12,
        ProcessIoPortHandlers = 13,
        ProcessPooledUsageAndLimits = 14,
        ProcessWorkingSetWatch = 15,
        ProcessUserModeIOPL = 16,
        ProcessEnableAlignmentFaultFixup = 17,
        ProcessPriorityClass = 18,
        ProcessWx86Information = 19,
        ProcessHandleCount = 20,
        ProcessAffinityMask = 21,
        ProcessPriorityBoost = 22,
        ProcessDeviceMap = 23,
        ProcessSessionInformation = 24,
        ProcessForegroundInformation = 25,
        ProcessWow64Information = 26,
        ProcessImageFileName = 27,
        ProcessLUIDDeviceMapsEnabled = 28,
        ProcessBreakOnTermination = 29,
        ProcessDebugObjectHandle = 30,
        ProcessDebugFlags = 31,
        ProcessHandleTracing = 32,
        ProcessIoPriority = 33,
        ProcessExecuteFlags = 34,
        ProcessTlsInformation = 35,
        ProcessCookie = 36,
        ProcessImageInformation = 37,
        ProcessCycleTime = 38,
        ProcessPagePriority = 39,
        ProcessInstrumentationCallback = 40,
        ProcessThreadStackAllocation = 41,
        ProcessWorkingSetWatchEx = 42,
        ProcessImageFileNameWin32 = 43,
        ProcessImageFileMapping = 44,
        ProcessAffinityUpdateMode = 45,
        ProcessMemoryAllocationMode = 46,
        ProcessGroupInformation = 47,
        ProcessTokenVirtualizationEnabled = 48,
        ProcessConsoleHostProcess = 49,
    }
}

nt_enum! {
    /// `THREADINFOCLASS` (NtQuery/SetInformationThread; phnt ntpsapi.h, values 0..=41).
    pub enum ThreadInfoClass {
        ThreadBasicInformation = 0,
        ThreadTimes = 1,
        ThreadPriority = 2,
        ThreadBasePriority = 3,
        ThreadAffinityMask = 4,
        ThreadImpersonationToken = 5,
        ThreadDescriptorTableEntry = 6,
        ThreadEnableAlignmentFaultFixup = 7,
        ThreadEventPair = 8,
        ThreadQuerySetWin32StartAddress = 9,
        ThreadZeroTlsCell = 10,
        ThreadPerformanceCount = 11,
        ThreadAmILastThread = 12,
        ThreadIdealProcessor = 13,
        ThreadPriorityBoost = 14,
        ThreadSetTlsArrayAddress = 15,
        ThreadIsIoPending = 16,
        ThreadHideFromDebugger = 17,
        ThreadBreakOnTermination = 18,
        ThreadSwitchLegacyState = 19,
        ThreadIsTerminated = 20,
        ThreadLastSystemCall = 21,
        ThreadIoPriority = 22,
        ThreadCycleTime = 23,
        ThreadPagePriority = 24,
        ThreadActualBasePriority = 25,
        ThreadTebInformation = 26,
        ThreadCSwitchMon = 27,
        ThreadCSwitchPmu = 28,
        ThreadWow64Context = 29,
        ThreadGroupInformation = 30,
        ThreadUmsInformation = 31,
        ThreadCounterProfiling = 32,
        ThreadIdealProcessorEx = 33,
        ThreadCpuAccountingInformation = 34,
        ThreadSuspendCount = 35,
        ThreadHeterogeneousCpuPolicy = 36,
        ThreadContainerId = 37,
        ThreadNameInformation = 38,
        ThreadSelectedCpuSets = 39,
        ThreadSystemThreadInformation = 40,
        ThreadActualGroupAffinity = 41,
    }
}

nt_enum! {
    /// `SYSTEM_INFORMATION_CLASS` (NtQuerySystemInformation; phnt ntexapi.h, values 0..=79).
    pub enum SystemInfoClass {
        SystemBasicInformation = 0,
        SystemProcessorInformation = 1,
        SystemPerformanceInformation = 2,
        SystemTimeOfDayInformation = 3,
        SystemPathInformation = 4,
        SystemProcessInformation = 5,
        SystemCallCountInformation = 6,
        SystemDeviceInformation = 7,
        SystemProcessorPerformanceInformation = 8,
        SystemFlagsInformation = 9,
        SystemCallTimeInformation = 10,
        SystemModuleInformation = 11,
        SystemLocksInformation = 12,
        SystemStackTraceInformation = 13,
        SystemPagedPoolInformation = 14,
        SystemNonPagedPoolInformation = 15,
        SystemHandleInformation = 16,
        SystemObjectInformation = 17,
        SystemPageFileInformation = 18,
        SystemVdmInstemulInformation = 19,
        SystemVdmBopInformation = 20,
        SystemFileCacheInformation = 21,
        SystemPoolTagInformation = 22,
        SystemInterruptInformation = 23,
        SystemDpcBehaviorInformation = 24,
        SystemFullMemoryInformation = 25,
        SystemLoadGdiDriverInformation = 26,
        SystemUnloadGdiDriverInformation = 27,
        SystemTimeAdjustmentInformation = 28,
        SystemSummaryMemoryInformation = 29,
        SystemMirrorMemoryInformation = 30,
        SystemPerformanceTraceInformation = 31,
        SystemObsolete0 = 32,
        SystemExceptionInformation = 33,
        SystemCrashDumpStateInformation = 34,
        SystemKernelDebuggerInformation = 35,
        SystemContextSwitchInformation = 36,
        SystemRegistryQuotaInformation = 37,
        SystemExtendServiceTableInformation = 38,
        SystemPrioritySeparation = 39,
        SystemVerifierAddDriverInformation = 40,
        SystemVerifierRemoveDriverInformation = 41,
        SystemProcessorIdleInformation = 42,
        SystemLegacyDriverInformation = 43,
        SystemCurrentTimeZoneInformation = 44,
        SystemLookasideInformation = 45,
        SystemTimeSlipNotification = 46,
        SystemSessionCreate = 47,
        SystemSessionDetach = 48,
        SystemSessionInformation = 49,
        SystemRangeStartInformation = 50,
        SystemVerifierInformation = 51,
        SystemVerifierThunkExtend = 52,
        SystemSessionProcessInformation = 53,
        SystemLoadGdiDriverInSystemSpace = 54,
        SystemNumaProcessorMap = 55,
        SystemPrefetcherInformation = 56,
        SystemExtendedProcessInformation = 57,
        SystemRecommendedSharedDataAlignment = 58,
        SystemComPlusPackage = 59,
        SystemNumaAvailableMemory = 60,
        SystemProcessorPowerInformation = 61,
        SystemEmulationBasicInformation = 62,
        SystemEmulationProcessorInformation = 63,
        SystemExtendedHandleInformation = 64,
        SystemLostDelayedWriteInformation = 65,
        SystemBigPoolInformation = 66,
        SystemSessionPoolTagInformation = 67,
        SystemSessionMappedViewInformation = 68,
        SystemHotpatchInformation = 69,
        SystemObjectSecurityMode = 70,
        SystemWatchdogTimerHandler = 71,
        SystemWatchdogTimerInformation = 72,
        SystemLogicalProcessorInformation = 73,
        SystemWow64SharedInformationObsolete = 74,
        SystemRegisterFirmwareTableInformationHandler = 75,
        SystemFirmwareTableInformation = 76,
        SystemModuleInformationEx = 77,
        SystemVerifierTriageInformation = 78,
        SystemSuperfetchInformation = 79,
    }
}

nt_enum! {
    /// `MEMORY_INFORMATION_CLASS` (NtQueryVirtualMemory; phnt ntmmapi.h).
    pub enum MemoryInfoClass {
        MemoryBasicInformation = 0,
        MemoryWorkingSetInformation = 1,
        MemoryMappedFilenameInformation = 2,
        MemoryRegionInformation = 3,
        MemoryWorkingSetExInformation = 4,
        MemorySharedCommitInformation = 5,
        MemoryImageInformation = 6,
        MemoryRegionInformationEx = 7,
        MemoryPrivilegedBasicInformation = 8,
        MemoryEnclaveImageInformation = 9,
        MemoryBasicInformationCapped = 10,
        MemoryPhysicalContiguityInformation = 11,
        MemoryBadInformation = 12,
        MemoryBadInformationAllProcesses = 13,
        MemoryImageExtensionInformation = 14,
    }
}

nt_enum! {
    /// `OBJECT_INFORMATION_CLASS` (NtQueryObject; phnt ntobapi.h).
    pub enum ObjectInfoClass {
        ObjectBasicInformation = 0,
        ObjectNameInformation = 1,
        ObjectTypeInformation = 2,
        ObjectTypesInformation = 3,
        ObjectHandleFlagInformation = 4,
        ObjectSessionInformation = 5,
        ObjectSessionObjectInformation = 6,
    }
}

nt_enum! {
    /// `SECTION_INFORMATION_CLASS` (NtQuerySection; phnt ntmmapi.h).
    pub enum SectionInfoClass {
        SectionBasicInformation = 0,
        SectionImageInformation = 1,
        SectionRelocationInformation = 2,
        SectionOriginalBaseInformation = 3,
        SectionInternalImageInformation = 4,
    }
}

nt_enum! {
    /// `EVENT_INFORMATION_CLASS` (NtQueryEvent; phnt ntexapi.h).
    pub enum EventInfoClass {
        EventBasicInformation = 0,
    }
}

nt_enum! {
    /// `MUTANT_INFORMATION_CLASS` (NtQueryMutant; phnt ntexapi.h).
    pub enum MutantInfoClass {
        MutantBasicInformation = 0,
        MutantOwnerInformation = 1,
    }
}

nt_enum! {
    /// `SEMAPHORE_INFORMATION_CLASS` (NtQuerySemaphore; phnt ntexapi.h).
    pub enum SemaphoreInfoClass {
        SemaphoreBasicInformation = 0,
    }
}

nt_enum! {
    /// `TIMER_INFORMATION_CLASS` (NtQueryTimer; phnt ntexapi.h).
    pub enum TimerInfoClass {
        TimerBasicInformation = 0,
    }
}

nt_enum! {
    /// `EVENT_TYPE` (phnt phnt_ntdef.h).
    pub enum EventType {
        /// Manual reset: stays signalled until reset.
        NotificationEvent = 0,
        /// Auto reset: a satisfied wait resets it.
        SynchronizationEvent = 1,
    }
}

nt_enum! {
    /// `TIMER_TYPE` (phnt phnt_ntdef.h).
    pub enum TimerType {
        NotificationTimer = 0,
        SynchronizationTimer = 1,
    }
}

nt_enum! {
    /// `WAIT_TYPE` (phnt phnt_ntdef.h). NtWaitForMultipleObjects accepts
    /// WaitAll and WaitAny only.
    pub enum WaitType {
        WaitAll = 0,
        WaitAny = 1,
        WaitNotification = 2,
        WaitDequeue = 3,
        WaitDpc = 4,
    }
}

nt_enum! {
    /// `SECTION_INHERIT` (NtMapViewOfSection; phnt ntmmapi.h).
    pub enum SectionInherit {
        ViewShare = 1,
        ViewUnmap = 2,
    }
}

nt_enum! {
    /// `PS_CREATE_STATE` (PS_CREATE_INFO.State; phnt ntpsapi.h).
    pub enum PsCreateState {
        PsCreateInitialState = 0,
        PsCreateFailOnFileOpen = 1,
        PsCreateFailOnSectionCreate = 2,
        PsCreateFailExeFormat = 3,
        PsCreateFailMachineMismatch = 4,
        PsCreateFailExeName = 5,
        PsCreateSuccess = 6,
    }
}
