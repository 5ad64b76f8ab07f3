//! Process and thread creation through ntdll's Rtl layer and the older
//! services: RtlCreateProcessParameters / RtlNormalizeProcessParams /
//! RtlDestroyProcessParameters, RtlCreateUserProcess (nt-child.exe, first
//! thread suspended as on Windows), RtlCreateUserThread, NtCreateProcessEx
//! from an image section, and NtSetInformationThread/Process with the
//! queries that read the values back; bad input for each.

use super::{process_basic, record_arg, teb, thread_basic, wait_process, wait_thread, SEEN};
use core::sync::atomic::Ordering;
use nt_test::nt::*;
use nt_test::nt_abi::consts::*;
use nt_test::nt_abi::status::*;
use nt_test::nt_abi::types::*;
use nt_test::nt_abi::NtStatus;
use nt_test::util::{self, bad, eq_w, oa, units, us, Wide};
use nt_test::{check, check_eq, check_st, w};

// Services the shared declarations (nt_test::nt) do not list.
#[link(name = "ntdll", kind = "raw-dylib")]
extern "system" {
    fn NtCreateProcessEx(
        process: *mut Handle,
        access: u32,
        oa: *const ObjectAttributes,
        parent: Handle,
        flags: u32,
        section: Handle,
        debug_port: Handle,
        token: Handle,
        reserved: u32,
    ) -> NtStatus;
    fn NtSetInformationThread(thread: Handle, class: u32, info: *const u8, length: u32)
        -> NtStatus;
    fn NtSetInformationProcess(
        process: Handle,
        class: u32,
        info: *const u8,
        length: u32,
    ) -> NtStatus;
}

const PROCESS_BASE_PRIORITY: u32 = 5;
const PROCESS_PRIORITY_CLASS: u32 = 18;
const THREAD_PRIORITY: u32 = 2;
const THREAD_BASE_PRIORITY: u32 = 3;
const THREAD_HIDE_FROM_DEBUGGER: u32 = 17;
const THREAD_SUSPEND_COUNT: u32 = 35;
const PROCESS_BASIC: u32 = 0;
const THREAD_BASIC: u32 = 0;
/// PROCESS_PRIORITY_CLASS_HIGH (winternl: 1 idle, 2 normal, 3 high, 4
/// realtime, 5 below normal, 6 above normal).
const CLASS_HIGH: u8 = 3;

const CHILD: &[u16] = w!("\\SystemRoot\\system32\\nt-child.exe");

pub fn run() {
    parameters();
    user_process();
    user_thread();
    process_from_section();
    set_thread_information();
}

/// A parameter block's string as text, whether the block is normalized
/// (absolute buffers) or not (offsets from the block).
///
/// # Safety
/// `p` must be a whole parameter block and `s` one of its strings.
unsafe fn text(p: *const RtlUserProcessParameters, s: &UnicodeString) -> &'static [u16] {
    let normalized = (*p).flags & RTL_USER_PROC_PARAMS_NORMALIZED != 0;
    let at = if normalized {
        s.buffer
    } else {
        s.buffer + p as u64
    };
    if s.length == 0 {
        return &[];
    }
    core::slice::from_raw_parts(at as *const u16, s.length as usize / 2)
}

fn parameters() {
    let image = us(CHILD);
    let cmd = us(w!("nt-child.exe return 21"));
    let dir = us(w!("C:\\work"));
    let dll = us(w!("C:\\system32"));
    let mut p: *mut RtlUserProcessParameters = core::ptr::null_mut();
    // SAFETY: valid strings; a NULL environment is this process's.
    let st = unsafe {
        RtlCreateProcessParameters(
            &mut p,
            &image,
            &dll,
            &dir,
            &cmd,
            0,
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
        )
    };
    if !check_eq!(st, STATUS_SUCCESS, "RtlCreateProcessParameters") || p.is_null() {
        return;
    }
    // SAFETY: the block RtlCreateProcessParameters made, until destroyed.
    unsafe {
        let b = &*p;
        // As on Windows (Wine's env.c test): denormalized, strings as
        // offsets inside the block, which holds them all.
        check_eq!(b.flags & RTL_USER_PROC_PARAMS_NORMALIZED, 0, "denormalized");
        let size = core::mem::size_of::<RtlUserProcessParameters>() as u64;
        check!(
            b.length as u64 > size && b.maximum_length >= b.length,
            "Length {:#x} MaximumLength {:#x}",
            b.length,
            b.maximum_length
        );
        for (name, s) in [
            ("CurrentDirectory", &b.current_directory.dos_path),
            ("DllPath", &b.dll_path),
            ("ImagePathName", &b.image_path_name),
            ("CommandLine", &b.command_line),
            ("WindowTitle", &b.window_title),
        ] {
            check!(
                s.buffer >= size && s.buffer + s.maximum_length as u64 <= b.length as u64,
                "{name}: offset {:#x} max {:#x} outside the block",
                s.buffer,
                s.maximum_length
            );
        }
        check!(
            eq_w(
                text(p, &b.image_path_name),
                "\\SystemRoot\\system32\\nt-child.exe"
            ),
            "image"
        );
        check!(
            eq_w(text(p, &b.command_line), "nt-child.exe return 21"),
            "command line"
        );
        check!(
            eq_w(text(p, &b.current_directory.dos_path), "C:\\work\\"),
            "current directory {} (a trailing backslash is added)",
            Wide(text(p, &b.current_directory.dos_path))
        );
        check_eq!(
            b.current_directory.dos_path.maximum_length,
            520,
            "room for MAX_PATH characters"
        );
        check!(eq_w(text(p, &b.dll_path), "C:\\system32"), "dll path");
        check_eq!(b.window_title.length, 0, "a NULL title is empty");
        // The environment is this process's block, not part of the
        // normalisation (an address either way).
        let own = util::peb()
            .as_ref()
            .map(|q| q.process_parameters as *const RtlUserProcessParameters);
        if let Some(own) = own {
            check_eq!(b.environment, (*own).environment, "the current environment");
        }
        let env = b.environment;

        let q = RtlNormalizeProcessParams(p);
        check_eq!(q, p, "normalized in place");
        let b = &*p;
        check!(b.flags & RTL_USER_PROC_PARAMS_NORMALIZED != 0, "normalized");
        check!(
            b.image_path_name.buffer > p as u64
                && b.image_path_name.buffer < p as u64 + b.length as u64,
            "absolute image path {:#x}",
            b.image_path_name.buffer
        );
        check!(
            eq_w(units(&b.command_line), "nt-child.exe return 21"),
            "absolute command line"
        );
        check!(
            eq_w(
                units(&b.image_path_name),
                "\\SystemRoot\\system32\\nt-child.exe"
            ),
            "absolute image"
        );
        check_eq!(b.environment, env, "the environment is not moved");
        let before = b.command_line.buffer;
        RtlNormalizeProcessParams(p);
        check_eq!(
            (*p).command_line.buffer,
            before,
            "normalizing twice changes nothing"
        );
        check_eq!(
            RtlNormalizeProcessParams(core::ptr::null_mut()),
            core::ptr::null_mut()
        );

        check_st!(RtlDestroyProcessParameters(p), STATUS_SUCCESS);
    }

    // Defaults: no command line is the image path; an explicit
    // environment is kept as given.
    let mut env = 0usize;
    // SAFETY: valid pointers; everything made here is destroyed here.
    unsafe {
        check_st!(RtlCreateEnvironment(0, &mut env), STATUS_SUCCESS);
        let st = RtlCreateProcessParameters(
            &mut p,
            &image,
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            env,
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
        );
        if check_eq!(st, STATUS_SUCCESS) {
            RtlNormalizeProcessParams(p);
            let b = &*p;
            check!(
                eq_w(
                    units(&b.command_line),
                    "\\SystemRoot\\system32\\nt-child.exe"
                ),
                "default command line {}",
                Wide(units(&b.command_line))
            );
            check_eq!(b.environment, env as u64, "the environment given");
            let cd = units(&b.current_directory.dos_path);
            check!(
                !cd.is_empty() && cd[cd.len() - 1] == b'\\' as u16,
                "inherited current directory {}",
                Wide(cd)
            );
            check_st!(RtlDestroyProcessParameters(p), STATUS_SUCCESS);
        }
        RtlDestroyEnvironment(env);
        // Bad input: Windows dereferences these and faults; ntdll answers
        // with a status instead.
        check_st!(
            RtlCreateProcessParameters(
                &mut p,
                core::ptr::null(),
                core::ptr::null(),
                core::ptr::null(),
                core::ptr::null(),
                0,
                core::ptr::null(),
                core::ptr::null(),
                core::ptr::null(),
                core::ptr::null(),
            ),
            STATUS_INVALID_PARAMETER
        );
        check_st!(
            RtlCreateProcessParameters(
                core::ptr::null_mut(),
                &image,
                core::ptr::null(),
                core::ptr::null(),
                core::ptr::null(),
                0,
                core::ptr::null(),
                core::ptr::null(),
                core::ptr::null(),
                core::ptr::null(),
            ),
            STATUS_INVALID_PARAMETER
        );
    }
}

/// A parameter block for nt-child.exe with `cmd`.
fn child_params(cmd: &[u16]) -> *mut RtlUserProcessParameters {
    let image = us(CHILD);
    let cmd = us(cmd);
    let mut p: *mut RtlUserProcessParameters = core::ptr::null_mut();
    // SAFETY: valid strings.
    let st = unsafe {
        RtlCreateProcessParameters(
            &mut p,
            &image,
            core::ptr::null(),
            core::ptr::null(),
            &cmd,
            0,
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
            core::ptr::null(),
        )
    };
    check_eq!(st, STATUS_SUCCESS, "parameters for nt-child");
    p
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn user_process() {
    let p = child_params(w!("nt-child.exe return 21"));
    if p.is_null() {
        return;
    }
    let image = us(CHILD);
    // SAFETY: plain data; all-zero is valid.
    let mut info: RtlUserProcessInformation = unsafe { core::mem::zeroed() };
    // SAFETY: valid pointers; the handles are closed below.
    let st = unsafe {
        RtlCreateUserProcess(
            &image,
            0,
            p,
            0,
            0,
            Handle::NULL,
            0,
            Handle::NULL,
            Handle::NULL,
            &mut info,
        )
    };
    if check_eq!(st, STATUS_SUCCESS, "RtlCreateUserProcess") {
        check_eq!(info.length, 0x68);
        // SAFETY: `p` is still the caller's block.
        check_eq!(
            unsafe { (*p).flags } & RTL_USER_PROC_PARAMS_NORMALIZED,
            0,
            "the caller's block is left denormalized"
        );
        let (ph, th) = (info.process_handle, info.thread_handle);
        let (st, pb) = process_basic(ph);
        check_eq!(st, STATUS_SUCCESS);
        check_eq!(info.client_id.unique_process, pb.unique_process_id);
        check_eq!(
            pb.inherited_from_unique_process_id,
            teb().client_id.unique_process
        );
        let (st, tb) = thread_basic(th);
        check_eq!(st, STATUS_SUCCESS);
        check_eq!(
            tb.client_id,
            info.client_id,
            "ClientId is the first thread's"
        );
        let ii = &info.image_information;
        let rest = &ii.rest;
        check!(ii.transfer_address != 0, "entry point");
        check_eq!(
            u32_at(rest, 0x18),
            1,
            "SubSystemType: IMAGE_SUBSYSTEM_NATIVE"
        );
        check_eq!(
            u16::from_le_bytes([rest[0x28], rest[0x29]]),
            0x8664,
            "Machine"
        );
        check_eq!(
            u16::from_le_bytes([rest[0x24], rest[0x25]]) & 0x2000,
            0,
            "not IMAGE_FILE_DLL"
        );
        check_eq!(rest[0x2A], 1, "ImageContainsCode");
        // Its first thread is suspended (Windows' RtlCreateUserProcess).
        for _ in 0..50 {
            util::yield_now();
        }
        let mut count = 0u32;
        let mut len = 0u32;
        // SAFETY: `count` is the 4-byte buffer.
        unsafe {
            check_st!(
                NtQueryInformationThread(
                    th,
                    THREAD_SUSPEND_COUNT,
                    &mut count as *mut u32 as *mut u8,
                    4,
                    &mut len
                ),
                STATUS_SUCCESS
            );
        }
        check_eq!(count, 1, "created suspended");
        check_eq!(
            process_basic(ph).1.exit_status,
            STATUS_PENDING.0 as i32,
            "ran while suspended"
        );
        let mut prev = 0u32;
        // SAFETY: valid pointers.
        check_st!(unsafe { NtResumeThread(th, &mut prev) }, STATUS_SUCCESS);
        check_eq!(prev, 1);
        check_eq!(
            wait_process(ph),
            Some(21),
            "the exit code from its command line"
        );
        check_eq!(wait_thread(th), Some(21));
        // SAFETY: valid handles.
        unsafe {
            NtClose(th);
            NtClose(ph);
        }
    }

    // A normalized block goes in the same way and comes back normalized.
    // SAFETY: `p` is ours.
    unsafe { RtlNormalizeProcessParams(p) };
    // SAFETY: as above.
    let st = unsafe {
        RtlCreateUserProcess(
            &image,
            0,
            p,
            0,
            0,
            Handle::NULL,
            0,
            Handle::NULL,
            Handle::NULL,
            &mut info,
        )
    };
    if check_eq!(st, STATUS_SUCCESS, "from a normalized block") {
        check!(
            unsafe { (*p).flags } & RTL_USER_PROC_PARAMS_NORMALIZED != 0,
            "still normalized"
        );
        // SAFETY: valid handles.
        unsafe { NtResumeThread(info.thread_handle, core::ptr::null_mut()) };
        check_eq!(wait_process(info.process_handle), Some(21));
        // SAFETY: valid handles.
        unsafe {
            NtClose(info.thread_handle);
            NtClose(info.process_handle);
        }
    }

    // Bad input. A missing file is Windows' NtOpenFile answer.
    let missing = us(w!("\\SystemRoot\\system32\\nosuch.exe"));
    let not_image = us(w!("\\SystemRoot\\boot.cfg"));
    // SAFETY: each call passes one bad argument.
    unsafe {
        check_st!(
            RtlCreateUserProcess(
                &missing,
                0,
                p,
                0,
                0,
                Handle::NULL,
                0,
                Handle::NULL,
                Handle::NULL,
                &mut info
            ),
            STATUS_OBJECT_NAME_NOT_FOUND
        );
        check_st!(
            RtlCreateUserProcess(
                &not_image,
                0,
                p,
                0,
                0,
                Handle::NULL,
                0,
                Handle::NULL,
                Handle::NULL,
                &mut info
            ),
            STATUS_INVALID_IMAGE_NOT_MZ
        );
        // NULL parameters or information: Windows faults on them; ntdll
        // answers STATUS_INVALID_PARAMETER.
        check_st!(
            RtlCreateUserProcess(
                &image,
                0,
                core::ptr::null_mut(),
                0,
                0,
                Handle::NULL,
                0,
                Handle::NULL,
                Handle::NULL,
                &mut info
            ),
            STATUS_INVALID_PARAMETER
        );
        check_st!(
            RtlCreateUserProcess(
                &image,
                0,
                p,
                0,
                0,
                Handle::NULL,
                0,
                Handle::NULL,
                Handle::NULL,
                core::ptr::null_mut()
            ),
            STATUS_INVALID_PARAMETER
        );
        check_st!(
            RtlCreateUserProcess(
                &image,
                0,
                p,
                0,
                0,
                Handle(0x7ff0),
                0,
                Handle::NULL,
                Handle::NULL,
                &mut info
            ),
            STATUS_INVALID_HANDLE,
        );
        check_st!(RtlDestroyProcessParameters(p), STATUS_SUCCESS);
    }
}

fn user_thread() {
    let mut h = Handle::NULL;
    let mut cid = ClientId::default();
    let start: ThreadStart = record_arg;
    SEEN.store(0, Ordering::SeqCst);
    // SAFETY: valid pointers; the start routine is ours.
    let st = unsafe {
        RtlCreateUserThread(
            Handle::CURRENT_PROCESS,
            0,
            0,
            0,
            0,
            0,
            start,
            0xABC,
            &mut h,
            &mut cid,
        )
    };
    if check_eq!(st, STATUS_SUCCESS, "RtlCreateUserThread") {
        check_eq!(wait_thread(h), Some(77), "ends with the routine's result");
        check_eq!(SEEN.load(Ordering::SeqCst), 0xABC, "its parameter");
        check_eq!(cid.unique_process, teb().client_id.unique_process);
        check_eq!(thread_basic(h).1.client_id, cid, "ClientId out");
        // SAFETY: valid handle.
        unsafe { NtClose(h) };
    }

    // Suspended until resumed.
    SEEN.store(0, Ordering::SeqCst);
    // SAFETY: as above.
    let st = unsafe {
        RtlCreateUserThread(
            Handle::CURRENT_PROCESS,
            0,
            1,
            0,
            0,
            0,
            start,
            0xDEF,
            &mut h,
            core::ptr::null_mut(),
        )
    };
    if check_eq!(st, STATUS_SUCCESS, "suspended") {
        for _ in 0..50 {
            util::yield_now();
        }
        check_eq!(SEEN.load(Ordering::SeqCst), 0, "a suspended thread ran");
        let mut prev = 0u32;
        // SAFETY: valid pointers.
        check_st!(unsafe { NtResumeThread(h, &mut prev) }, STATUS_SUCCESS);
        check_eq!(prev, 1);
        check_eq!(wait_thread(h), Some(77));
        check_eq!(SEEN.load(Ordering::SeqCst), 0xDEF);
        // SAFETY: valid handle.
        unsafe { NtClose(h) };
    }

    // Without a handle out: the thread runs, found again by its ClientId.
    SEEN.store(0, Ordering::SeqCst);
    cid = ClientId::default();
    // SAFETY: as above.
    let st = unsafe {
        RtlCreateUserThread(
            Handle::CURRENT_PROCESS,
            0,
            1,
            0,
            0,
            0,
            start,
            0x55,
            core::ptr::null_mut(),
            &mut cid,
        )
    };
    if check_eq!(st, STATUS_SUCCESS, "no handle out") {
        let empty = oa(core::ptr::null(), 0, Handle::NULL);
        // SAFETY: valid pointers.
        let st = unsafe { NtOpenThread(&mut h, THREAD_ALL_ACCESS, &empty, &cid) };
        if check_eq!(st, STATUS_SUCCESS, "opened by its ClientId") {
            // SAFETY: valid handle.
            unsafe { NtResumeThread(h, core::ptr::null_mut()) };
            check_eq!(wait_thread(h), Some(77));
            check_eq!(SEEN.load(Ordering::SeqCst), 0x55);
            // SAFETY: valid handle.
            unsafe { NtClose(h) };
        }
    }

    // Bad process handles.
    // SAFETY: each call passes one bad argument.
    unsafe {
        check_st!(
            RtlCreateUserThread(Handle(0x7ff0), 0, 0, 0, 0, 0, start, 0, &mut h, &mut cid),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            RtlCreateUserThread(
                Handle::CURRENT_THREAD,
                0,
                0,
                0,
                0,
                0,
                start,
                0,
                &mut h,
                &mut cid
            ),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(
            RtlCreateUserThread(
                Handle::CURRENT_PROCESS,
                0,
                0,
                0,
                0,
                0,
                start,
                0,
                &mut h,
                bad::KERNEL as *mut ClientId
            ),
            STATUS_ACCESS_VIOLATION
        );
    }
}

fn open_section(name: &[u16]) -> (NtStatus, Handle) {
    let n = us(name);
    let a = oa(&n, OBJ_CASE_INSENSITIVE, Handle::NULL);
    let mut h = Handle::NULL;
    // SAFETY: valid pointers.
    let st = unsafe { NtOpenSection(&mut h, SECTION_MAP_EXECUTE | SECTION_QUERY, &a) };
    (st, h)
}

fn create_from(section: Handle, parent: Handle, flags: u32) -> (NtStatus, Handle) {
    let mut h = Handle::NULL;
    // SAFETY: valid pointers.
    let st = unsafe {
        NtCreateProcessEx(
            &mut h,
            PROCESS_ALL_ACCESS,
            core::ptr::null(),
            parent,
            flags,
            section,
            Handle::NULL,
            Handle::NULL,
            0,
        )
    };
    (st, h)
}

/// NtCreateProcessEx from an image section. The only sections a program
/// can open yet are \KnownDlls' DLL images: Windows' kernel makes a
/// process from any image section (refusing a DLL is kernel32's
/// CreateProcess check), and so does the Executive: a process with an
/// address space and a PEB, no threads, and no parameters.
fn process_from_section() {
    let (st, s) = open_section(w!("\\KnownDlls\\nt_dlla.dll"));
    if !check_eq!(st, STATUS_SUCCESS, "open nt_dlla.dll's section") {
        return;
    }
    let (st, ph) = create_from(s, Handle::CURRENT_PROCESS, 0);
    if check_eq!(st, STATUS_SUCCESS, "NtCreateProcessEx") {
        let (st, info) = process_basic(ph);
        check_eq!(st, STATUS_SUCCESS);
        check!(info.peb_base_address != 0, "its PEB");
        check!(
            info.unique_process_id != 0 && info.unique_process_id != teb().client_id.unique_process,
            "pid {:#x}",
            info.unique_process_id
        );
        check_eq!(
            info.inherited_from_unique_process_id,
            teb().client_id.unique_process
        );
        check_eq!(
            info.exit_status,
            STATUS_PENDING.0 as i32,
            "alive without threads"
        );
        set_process_information(ph);
        // SAFETY: a valid process handle.
        check_st!(unsafe { NtTerminateProcess(ph, 0x77) }, STATUS_SUCCESS);
        check_eq!(wait_process(ph), Some(0x77));
        // SAFETY: valid handle.
        unsafe { NtClose(ph) };
    }
    // Bad input.
    let (_, t) = super::create_thread(record_arg, 0, THREAD_CREATE_FLAGS_CREATE_SUSPENDED);
    check_eq!(
        create_from(Handle(0x7ff0), Handle::CURRENT_PROCESS, 0).0,
        STATUS_INVALID_HANDLE
    );
    check_eq!(
        create_from(t, Handle::CURRENT_PROCESS, 0).0,
        STATUS_OBJECT_TYPE_MISMATCH,
        "a thread handle as the section"
    );
    check_eq!(
        create_from(s, t, 0).0,
        STATUS_OBJECT_TYPE_MISMATCH,
        "a thread handle as the parent"
    );
    check_eq!(
        create_from(s, Handle::NULL, 0).0,
        STATUS_INVALID_PARAMETER,
        "no parent"
    );
    check_eq!(
        create_from(s, Handle::CURRENT_PROCESS, 0x8000_0000).0,
        STATUS_INVALID_PARAMETER,
        "unknown flags"
    );
    // No section asks for a copy of the parent (Windows' fork): not
    // implemented by the Executive.
    check_eq!(
        create_from(Handle::NULL, Handle::CURRENT_PROCESS, 0).0,
        STATUS_NOT_IMPLEMENTED,
        "NULL section"
    );
    // SAFETY: each call passes one bad pointer; then valid handles.
    unsafe {
        check_st!(
            NtCreateProcessEx(
                core::ptr::null_mut(),
                PROCESS_ALL_ACCESS,
                core::ptr::null(),
                Handle::CURRENT_PROCESS,
                0,
                s,
                Handle::NULL,
                Handle::NULL,
                0
            ),
            STATUS_ACCESS_VIOLATION
        );
        NtTerminateThread(t, 0);
        NtClose(t);
        NtClose(s);
    }
}

fn set_process(h: Handle, class: u32, data: &[u8]) -> NtStatus {
    // SAFETY: `data` is the buffer, its length as given.
    unsafe { NtSetInformationProcess(h, class, data.as_ptr(), data.len() as u32) }
}

/// NtSetInformationProcess on `h` (a process without threads, so no
/// scheduling changes anywhere else).
fn set_process_information(h: Handle) {
    let mut class = [0u8; 2];
    let mut len = 0u32;
    let query_class = |class: &mut [u8; 2], len: &mut u32| {
        // SAFETY: the 2-byte buffer.
        unsafe { NtQueryInformationProcess(h, PROCESS_PRIORITY_CLASS, class.as_mut_ptr(), 2, len) }
    };
    check_st!(query_class(&mut class, &mut len), STATUS_SUCCESS);
    check_eq!(
        class[1],
        2,
        "a new process is PROCESS_PRIORITY_CLASS_NORMAL"
    );
    check_eq!(process_basic(h).1.base_priority, 8);
    // PROCESS_PRIORITY_CLASS: BOOLEAN Foreground, UCHAR PriorityClass.
    check_st!(
        set_process(h, PROCESS_PRIORITY_CLASS, &[0, CLASS_HIGH]),
        STATUS_SUCCESS
    );
    check_st!(query_class(&mut class, &mut len), STATUS_SUCCESS);
    check_eq!(class[1], CLASS_HIGH);
    check_eq!(
        process_basic(h).1.base_priority,
        13,
        "HIGH_PRIORITY_CLASS is base 13"
    );
    check_st!(
        set_process(h, PROCESS_BASE_PRIORITY, &10u32.to_le_bytes()),
        STATUS_SUCCESS
    );
    check_eq!(process_basic(h).1.base_priority, 10);
    // Bad input.
    check_st!(
        set_process(h, PROCESS_PRIORITY_CLASS, &[0, 7]),
        STATUS_INVALID_PARAMETER
    );
    check_st!(
        set_process(h, PROCESS_BASE_PRIORITY, &0u32.to_le_bytes()),
        STATUS_INVALID_PARAMETER
    );
    check_st!(
        set_process(h, PROCESS_BASE_PRIORITY, &32u32.to_le_bytes()),
        STATUS_INVALID_PARAMETER
    );
    check_eq!(
        process_basic(h).1.base_priority,
        10,
        "unchanged by refused calls"
    );
    check_st!(
        set_process(h, PROCESS_PRIORITY_CLASS, &[0, 2, 0, 0]),
        STATUS_INFO_LENGTH_MISMATCH
    );
    check_st!(
        set_process(h, PROCESS_BASE_PRIORITY, &[8]),
        STATUS_INFO_LENGTH_MISMATCH
    );
    check_st!(set_process(h, 9999, &[0; 4]), STATUS_INVALID_INFO_CLASS);
    // Query-only.
    check_st!(
        set_process(h, PROCESS_BASIC, &[0; 0x30]),
        STATUS_INVALID_INFO_CLASS
    );
    check_st!(
        set_process(Handle(0x7ff0), PROCESS_PRIORITY_CLASS, &[0, 2]),
        STATUS_INVALID_HANDLE
    );
    check_st!(
        set_process(Handle::CURRENT_THREAD, PROCESS_PRIORITY_CLASS, &[0, 2]),
        STATUS_OBJECT_TYPE_MISMATCH
    );
    // SAFETY: an unreadable buffer on purpose.
    check_st!(
        unsafe { NtSetInformationProcess(h, PROCESS_BASE_PRIORITY, bad::KERNEL as *const u8, 4) },
        STATUS_ACCESS_VIOLATION
    );
}

fn set_thread(h: Handle, class: u32, data: &[u8]) -> NtStatus {
    // SAFETY: `data` is the buffer, its length as given.
    unsafe { NtSetInformationThread(h, class, data.as_ptr(), data.len() as u32) }
}

/// NtSetInformationThread on a suspended thread of this process, read
/// back through THREAD_BASIC_INFORMATION (ThreadPriority and
/// ThreadBasePriority are set-only classes on Windows).
fn set_thread_information() {
    let (st, h) = super::create_thread(record_arg, 0, THREAD_CREATE_FLAGS_CREATE_SUSPENDED);
    if !check_eq!(st, STATUS_SUCCESS) {
        return;
    }
    let base = process_basic(Handle::CURRENT_PROCESS).1.base_priority;
    check_st!(
        set_thread(h, THREAD_PRIORITY, &12i32.to_le_bytes()),
        STATUS_SUCCESS
    );
    check_eq!(thread_basic(h).1.priority, 12, "ThreadPriority");
    check_st!(
        set_thread(h, THREAD_BASE_PRIORITY, &1i32.to_le_bytes()),
        STATUS_SUCCESS
    );
    let (_, tb) = thread_basic(h);
    check_eq!(
        (tb.priority, tb.base_priority),
        (base + 1, 1),
        "ThreadBasePriority +1"
    );
    check_st!(
        set_thread(h, THREAD_BASE_PRIORITY, &(-2i32).to_le_bytes()),
        STATUS_SUCCESS
    );
    let (_, tb) = thread_basic(h);
    check_eq!(
        (tb.priority, tb.base_priority),
        (base - 2, -2),
        "ThreadBasePriority -2"
    );
    // THREAD_BASE_PRIORITY_LOWRT + 1: saturation at the top of the class.
    check_st!(
        set_thread(h, THREAD_BASE_PRIORITY, &16i32.to_le_bytes()),
        STATUS_SUCCESS
    );
    check_eq!(thread_basic(h).1.priority, 15, "saturated");
    check_st!(
        set_thread(h, THREAD_BASE_PRIORITY, &3i32.to_le_bytes()),
        STATUS_INVALID_PARAMETER
    );
    check_st!(
        set_thread(h, THREAD_PRIORITY, &0i32.to_le_bytes()),
        STATUS_INVALID_PARAMETER
    );
    check_st!(
        set_thread(h, THREAD_PRIORITY, &32i32.to_le_bytes()),
        STATUS_INVALID_PARAMETER
    );
    check_eq!(thread_basic(h).1.priority, 15, "unchanged by refused calls");
    check_st!(
        set_thread(h, THREAD_BASE_PRIORITY, &0i32.to_le_bytes()),
        STATUS_SUCCESS
    );
    check_eq!(thread_basic(h).1.priority, base);
    let mut b = [0u8; 8];
    let mut len = 0u32;
    // SAFETY: `b` holds what each call says.
    unsafe {
        check_st!(
            NtQueryInformationThread(h, THREAD_PRIORITY, b.as_mut_ptr(), 4, &mut len),
            STATUS_INVALID_INFO_CLASS
        );
        // ThreadHideFromDebugger: no data to set, a BOOLEAN to query.
        check_st!(
            NtQueryInformationThread(h, THREAD_HIDE_FROM_DEBUGGER, b.as_mut_ptr(), 1, &mut len),
            STATUS_SUCCESS
        );
        check_eq!(b[0], 0, "not hidden yet");
        check_st!(
            NtSetInformationThread(h, THREAD_HIDE_FROM_DEBUGGER, core::ptr::null(), 0),
            STATUS_SUCCESS
        );
        check_st!(
            NtQueryInformationThread(h, THREAD_HIDE_FROM_DEBUGGER, b.as_mut_ptr(), 1, &mut len),
            STATUS_SUCCESS
        );
        check_eq!(b[0], 1, "hidden");
    }
    // Bad input.
    check_st!(
        set_thread(h, THREAD_HIDE_FROM_DEBUGGER, &[1]),
        STATUS_INFO_LENGTH_MISMATCH
    );
    check_st!(
        set_thread(h, THREAD_PRIORITY, &[0; 8]),
        STATUS_INFO_LENGTH_MISMATCH
    );
    check_st!(set_thread(h, 9999, &[0; 4]), STATUS_INVALID_INFO_CLASS);
    // Query-only.
    check_st!(
        set_thread(h, THREAD_BASIC, &[0; 0x30]),
        STATUS_INVALID_INFO_CLASS
    );
    check_st!(
        set_thread(Handle(0x7ff0), THREAD_PRIORITY, &8i32.to_le_bytes()),
        STATUS_INVALID_HANDLE
    );
    check_st!(
        set_thread(
            Handle::CURRENT_PROCESS,
            THREAD_PRIORITY,
            &8i32.to_le_bytes()
        ),
        STATUS_OBJECT_TYPE_MISMATCH
    );
    // SAFETY: an unreadable buffer on purpose.
    check_st!(
        unsafe { NtSetInformationThread(h, THREAD_PRIORITY, bad::KERNEL as *const u8, 4) },
        STATUS_ACCESS_VIOLATION
    );
    // SAFETY: valid handle.
    unsafe { NtResumeThread(h, core::ptr::null_mut()) };
    check_eq!(wait_thread(h), Some(77));
    // SAFETY: valid handle.
    unsafe { NtClose(h) };
}
