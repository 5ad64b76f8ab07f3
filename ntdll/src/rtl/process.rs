//! Process parameters and process/thread creation: RtlCreateProcessParameters(Ex),
//! RtlDestroyProcessParameters, RtlNormalizeProcessParams,
//! RtlDeNormalizeProcessParams, RtlCreateUserProcess (NtCreateUserProcess),
//! RtlCreateUserThread (NtCreateThreadEx), RtlExitUserThread.
//!
//! A parameter block is one virtual-memory allocation: the 0x400-byte
//! structure, then every string it describes (NUL-terminated, 8-aligned).
//! "Normalized" blocks hold absolute string addresses, "denormalized"
//! ones offsets from the block's start; the Environment is a separate
//! block and is never part of the normalisation.

use super::env::{params, vm_alloc, vm_free};
use super::string::units;
use core::ffi::c_void;
use core::mem::size_of;
use nt_abi::consts::{PROCESS_ALL_ACCESS, THREAD_ALL_ACCESS};
use nt_abi::status::{STATUS_INVALID_PARAMETER, STATUS_NO_MEMORY, STATUS_SUCCESS};
use nt_abi::types::{
    ClientId, PsAttribute, PsCreateInfo, RtlUserProcessParameters, UnicodeString,
    PROCESS_CREATE_FLAGS_INHERIT_HANDLES, PS_ATTRIBUTE_LIST_HEADER,
    RTL_USER_PROC_PARAMS_NORMALIZED, THREAD_CREATE_FLAGS_CREATE_SUSPENDED,
};
use nt_abi::NtStatus;

/// PS_ATTRIBUTE numbers (phnt ntpsapi.h: number | THREAD 0x10000 | INPUT
/// 0x20000 | ADDITIVE 0x40000).
const PS_ATTRIBUTE_PARENT_PROCESS: u64 = 0x60000;
const PS_ATTRIBUTE_CLIENT_ID: u64 = 0x10003;
const PS_ATTRIBUTE_IMAGE_NAME: u64 = 0x20005;
const PS_ATTRIBUTE_IMAGE_INFO: u64 = 0x6;

/// Room kept for the current directory so RtlSetCurrentDirectory_U can
/// change it in place (MAX_PATH characters).
const CURDIR_ROOM: usize = 260 * 2;

/// `SECTION_IMAGE_INFORMATION` (x86_64, 0x40 bytes), filled by the
/// Executive through PS_ATTRIBUTE_IMAGE_INFO.
#[derive(Clone, Copy, Default)]
#[repr(C)]
pub struct SectionImageInformation {
    pub transfer_address: u64,
    pub zero_bits: u32,
    pub maximum_stack_size: u64,
    pub committed_stack_size: u64,
    pub sub_system_type: u32,
    pub sub_system_version: u32,
    pub operating_system_version: u32,
    pub image_characteristics: u16,
    pub dll_characteristics: u16,
    pub machine: u16,
    pub image_contains_code: u8,
    pub image_flags: u8,
    pub loader_flags: u32,
    pub image_file_size: u32,
    pub check_sum: u32,
}

/// `RTL_USER_PROCESS_INFORMATION` (x86_64, 0x68 bytes).
#[derive(Clone, Copy, Default)]
#[repr(C)]
pub struct RtlUserProcessInformation {
    pub length: u32,
    pub process_handle: u64,
    pub thread_handle: u64,
    pub client_id: ClientId,
    pub image_information: SectionImageInformation,
}

const _: () = assert!(size_of::<SectionImageInformation>() == 0x40);
const _: () = assert!(size_of::<RtlUserProcessInformation>() == 0x68);

/// The string fields of a parameter block, in storage order.
fn strings(p: &mut RtlUserProcessParameters) -> [&mut UnicodeString; 8] {
    [
        &mut p.current_directory.dos_path,
        &mut p.dll_path,
        &mut p.image_path_name,
        &mut p.command_line,
        &mut p.window_title,
        &mut p.desktop_info,
        &mut p.shell_info,
        &mut p.runtime_data,
    ]
}

fn round8(n: usize) -> usize {
    (n + 7) & !7
}

/// RtlCreateProcessParametersEx. NULL DllPath and CurrentDirectory are
/// taken from this process, a NULL CommandLine is the image path, a NULL
/// Environment is this process's block (referenced, not copied). With
/// RTL_USER_PROC_PARAMS_NORMALIZED in `Flags` the block comes back
/// normalized, else denormalized as RtlCreateProcessParameters returns it.
#[no_mangle]
pub unsafe extern "system" fn RtlCreateProcessParametersEx(
    pProcessParameters: *mut *mut RtlUserProcessParameters,
    ImagePathName: *const UnicodeString,
    DllPath: *const UnicodeString,
    CurrentDirectory: *const UnicodeString,
    CommandLine: *const UnicodeString,
    Environment: *mut c_void,
    WindowTitle: *const UnicodeString,
    DesktopInfo: *const UnicodeString,
    ShellInfo: *const UnicodeString,
    RuntimeData: *const UnicodeString,
    Flags: u32,
) -> NtStatus {
    if pProcessParameters.is_null() || ImagePathName.is_null() {
        return STATUS_INVALID_PARAMETER;
    }
    let me = params();
    let inherit =
        |s: *const UnicodeString, f: fn(&RtlUserProcessParameters) -> &UnicodeString| -> &[u16] {
            if !s.is_null() {
                units(s)
            } else if !me.is_null() {
                units(f(&*me))
            } else {
                &[]
            }
        };
    let cur: &[u16] = inherit(CurrentDirectory, |p| &p.current_directory.dos_path);
    let cur_slash = !cur.is_empty() && cur[cur.len() - 1] != b'\\' as u16;
    let image = units(ImagePathName);
    let values: [&[u16]; 8] = [
        cur,
        inherit(DllPath, |p| &p.dll_path),
        image,
        if CommandLine.is_null() {
            image
        } else {
            units(CommandLine)
        },
        units(WindowTitle),
        units(DesktopInfo),
        units(ShellInfo),
        units(RuntimeData),
    ];
    // Each string's capacity in bytes (NUL included).
    let caps: [usize; 8] = core::array::from_fn(|i| {
        let n = values[i].len() * 2 + 2;
        if i == 0 {
            (n + if cur_slash { 2 } else { 0 }).max(CURDIR_ROOM)
        } else {
            n
        }
    });
    let header = size_of::<RtlUserProcessParameters>();
    let total = header + caps.iter().map(|&c| round8(c)).sum::<usize>();
    if total > u32::MAX as usize || caps.iter().any(|&c| c > 0xFFFE) {
        return STATUS_INVALID_PARAMETER;
    }
    let base = vm_alloc(total) as *mut u8;
    if base.is_null() {
        return STATUS_NO_MEMORY;
    }
    // Fresh memory is zero: only the non-zero fields are written.
    let p = &mut *(base as *mut RtlUserProcessParameters);
    p.maximum_length = total as u32;
    p.length = total as u32;
    p.flags = RTL_USER_PROC_PARAMS_NORMALIZED;
    p.environment = if Environment.is_null() && !me.is_null() {
        (*me).environment
    } else {
        Environment as u64
    };
    if p.environment != 0 {
        p.environment_size = (rtl::env::from_ptr(p.environment as *const u16).len() * 2) as u64;
    }
    let mut at = header;
    for (i, s) in strings(p).into_iter().enumerate() {
        let dst = base.add(at) as *mut u16;
        core::ptr::copy_nonoverlapping(values[i].as_ptr(), dst, values[i].len());
        let mut len = values[i].len();
        if i == 0 && cur_slash {
            *dst.add(len) = b'\\' as u16;
            len += 1;
        }
        *s = UnicodeString {
            length: (len * 2) as u16,
            maximum_length: caps[i] as u16,
            buffer: dst as u64,
        };
        at += round8(caps[i]);
    }
    if Flags & RTL_USER_PROC_PARAMS_NORMALIZED == 0 {
        RtlDeNormalizeProcessParams(p);
    }
    *pProcessParameters = p;
    STATUS_SUCCESS
}

#[no_mangle]
pub unsafe extern "system" fn RtlCreateProcessParameters(
    pProcessParameters: *mut *mut RtlUserProcessParameters,
    ImagePathName: *const UnicodeString,
    DllPath: *const UnicodeString,
    CurrentDirectory: *const UnicodeString,
    CommandLine: *const UnicodeString,
    Environment: *mut c_void,
    WindowTitle: *const UnicodeString,
    DesktopInfo: *const UnicodeString,
    ShellInfo: *const UnicodeString,
    RuntimeData: *const UnicodeString,
) -> NtStatus {
    RtlCreateProcessParametersEx(
        pProcessParameters,
        ImagePathName,
        DllPath,
        CurrentDirectory,
        CommandLine,
        Environment,
        WindowTitle,
        DesktopInfo,
        ShellInfo,
        RuntimeData,
        0,
    )
}

#[no_mangle]
pub extern "system" fn RtlDestroyProcessParameters(
    ProcessParameters: *mut RtlUserProcessParameters,
) -> NtStatus {
    vm_free(ProcessParameters as *mut c_void)
}

/// RtlNormalizeProcessParams: offsets -> addresses (no-op if normalized).
#[no_mangle]
pub unsafe extern "system" fn RtlNormalizeProcessParams(
    ProcessParameters: *mut RtlUserProcessParameters,
) -> *mut RtlUserProcessParameters {
    if let Some(p) = ProcessParameters.as_mut() {
        if p.flags & RTL_USER_PROC_PARAMS_NORMALIZED == 0 {
            let base = ProcessParameters as u64;
            for s in strings(p) {
                if s.buffer != 0 {
                    s.buffer += base;
                }
            }
            p.flags |= RTL_USER_PROC_PARAMS_NORMALIZED;
        }
    }
    ProcessParameters
}

/// RtlDeNormalizeProcessParams: addresses -> offsets (no-op if not normalized).
#[no_mangle]
pub unsafe extern "system" fn RtlDeNormalizeProcessParams(
    ProcessParameters: *mut RtlUserProcessParameters,
) -> *mut RtlUserProcessParameters {
    if let Some(p) = ProcessParameters.as_mut() {
        if p.flags & RTL_USER_PROC_PARAMS_NORMALIZED != 0 {
            let base = ProcessParameters as u64;
            for s in strings(p) {
                if s.buffer != 0 {
                    s.buffer -= base;
                }
            }
            p.flags &= !RTL_USER_PROC_PARAMS_NORMALIZED;
        }
    }
    ProcessParameters
}

/// A PS_ATTRIBUTE_LIST with room for four entries.
#[repr(C)]
struct AttributeList {
    total_length: u64,
    entries: [PsAttribute; 4],
}

impl AttributeList {
    fn new() -> Self {
        AttributeList {
            total_length: PS_ATTRIBUTE_LIST_HEADER as u64,
            entries: Default::default(),
        }
    }

    fn push(&mut self, attribute: u64, size: usize, value: u64) {
        let i = (self.total_length as usize - PS_ATTRIBUTE_LIST_HEADER) / size_of::<PsAttribute>();
        self.entries[i] = PsAttribute {
            attribute,
            size: size as u64,
            value,
            return_length: 0,
        };
        self.total_length += size_of::<PsAttribute>() as u64;
    }
}

/// RtlCreateUserProcess through NtCreateUserProcess. As on Windows, the
/// initial thread is created suspended (the caller resumes it). The
/// parameter block is passed denormalized (offsets), whatever the caller's
/// state, and restored afterwards. Security descriptors, the debug port and
/// the token are not supported yet and are ignored.
#[no_mangle]
pub unsafe extern "system" fn RtlCreateUserProcess(
    NtImagePathName: *const UnicodeString,
    _AttributesDeprecated: u32,
    ProcessParameters: *mut RtlUserProcessParameters,
    _ProcessSecurityDescriptor: *mut c_void,
    _ThreadSecurityDescriptor: *mut c_void,
    ParentProcess: u64,
    InheritHandles: u8,
    _DebugPort: u64,
    _TokenHandle: u64,
    ProcessInformation: *mut RtlUserProcessInformation,
) -> NtStatus {
    if NtImagePathName.is_null() || ProcessInformation.is_null() || ProcessParameters.is_null() {
        return STATUS_INVALID_PARAMETER;
    }
    let info = &mut *ProcessInformation;
    *info = RtlUserProcessInformation {
        length: size_of::<RtlUserProcessInformation>() as u32,
        ..Default::default()
    };
    let mut create = PsCreateInfo {
        size: size_of::<PsCreateInfo>() as u64,
        ..Default::default()
    };
    let mut attrs = AttributeList::new();
    attrs.push(
        PS_ATTRIBUTE_IMAGE_NAME,
        (*NtImagePathName).length as usize,
        (*NtImagePathName).buffer,
    );
    attrs.push(
        PS_ATTRIBUTE_CLIENT_ID,
        size_of::<ClientId>(),
        &mut info.client_id as *mut ClientId as u64,
    );
    attrs.push(
        PS_ATTRIBUTE_IMAGE_INFO,
        size_of::<SectionImageInformation>(),
        &mut info.image_information as *mut SectionImageInformation as u64,
    );
    if ParentProcess != 0 {
        attrs.push(PS_ATTRIBUTE_PARENT_PROCESS, 8, ParentProcess);
    }
    let was_normalized = (*ProcessParameters).flags & RTL_USER_PROC_PARAMS_NORMALIZED != 0;
    RtlDeNormalizeProcessParams(ProcessParameters);
    let st = crate::NtCreateUserProcess(
        &mut info.process_handle as *mut u64 as u64,
        &mut info.thread_handle as *mut u64 as u64,
        PROCESS_ALL_ACCESS as u64,
        THREAD_ALL_ACCESS as u64,
        0,
        0,
        if InheritHandles != 0 {
            PROCESS_CREATE_FLAGS_INHERIT_HANDLES
        } else {
            0
        } as u64,
        THREAD_CREATE_FLAGS_CREATE_SUSPENDED as u64,
        ProcessParameters as u64,
        &mut create as *mut PsCreateInfo as u64,
        &attrs as *const AttributeList as u64,
    );
    if was_normalized {
        RtlNormalizeProcessParams(ProcessParameters);
    }
    st
}

/// RtlCreateUserThread through NtCreateThreadEx (the thread starts in
/// LdrInitializeThunk like every thread). The security descriptor is
/// ignored. Without `ThreadHandle` the new handle is closed.
#[no_mangle]
pub unsafe extern "system" fn RtlCreateUserThread(
    Process: u64,
    _ThreadSecurityDescriptor: *mut c_void,
    CreateSuspended: u8,
    ZeroBits: u32,
    MaximumStackSize: usize,
    CommittedStackSize: usize,
    StartAddress: *mut c_void,
    Parameter: *mut c_void,
    ThreadHandle: *mut u64,
    ClientId: *mut ClientId,
) -> NtStatus {
    let mut attrs = AttributeList::new();
    if !ClientId.is_null() {
        attrs.push(
            PS_ATTRIBUTE_CLIENT_ID,
            size_of::<ClientId>(),
            ClientId as u64,
        );
    }
    let mut h = 0u64;
    let st = crate::NtCreateThreadEx(
        &mut h as *mut u64 as u64,
        THREAD_ALL_ACCESS as u64,
        0,
        Process,
        StartAddress as u64,
        Parameter as u64,
        if CreateSuspended != 0 {
            THREAD_CREATE_FLAGS_CREATE_SUSPENDED
        } else {
            0
        } as u64,
        ZeroBits as u64,
        CommittedStackSize as u64,
        MaximumStackSize as u64,
        if ClientId.is_null() {
            0
        } else {
            &attrs as *const AttributeList as u64
        },
    );
    if st.is_success() {
        if ThreadHandle.is_null() {
            crate::NtClose(h);
        } else {
            *ThreadHandle = h;
        }
    }
    st
}

/// RtlExitUserThread: the loader's thread exit (DLL_THREAD_DETACH, or the
/// whole process when this is its last thread, then NtTerminateThread).
#[no_mangle]
pub extern "system" fn RtlExitUserThread(ExitStatus: NtStatus) -> ! {
    crate::ldr::exit_thread(ExitStatus.0)
}
