//! nt-ps.exe: processes and threads as a native program sees them. Its own
//! PEB, TEB and process parameters; NtQueryInformationProcess/Thread;
//! NtOpenProcess/NtOpenThread by CLIENT_ID; threads from NtCreateThreadEx
//! and the old NtCreateThread; suspend counts; thread contexts; child
//! processes (nt-child.exe) from NtCreateUserProcess with their exit codes;
//! bad input for each; the Rtl creation layer and NtCreateProcessEx /
//! NtSetInformation* are in `rtl_ps`. Run with `--faults` it is the nt-faults suite:
//! children that fault must end with the exception code while this
//! process goes on.
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU64, Ordering};
use nt_test::nt::*;
use nt_test::nt_abi::consts::*;
use nt_test::nt_abi::status::*;
use nt_test::nt_abi::types::*;
use nt_test::nt_abi::NtStatus;
use nt_test::util::{self, bad, eq_w_ci, oa, units, us, Wide};
use nt_test::{check, check_eq, check_st, say, w};

nt_test::entry!("nt-ps", run);

mod rtl_ps;

extern "C" {
    /// The linker's symbol at this image's own base.
    static __ImageBase: u8;
}

const PROCESS_BASIC: u32 = 0;
const PROCESS_TIMES: u32 = 4;
const PROCESS_IMAGE_FILE_NAME: u32 = 27;
const THREAD_BASIC: u32 = 0;
const THREAD_TIMES: u32 = 1;
/// PS_ATTRIBUTE_IMAGE_NAME (input, a PWSTR of `size` bytes).
const PS_ATTRIBUTE_IMAGE_NAME: u64 = 0x2_0005;
/// PS_ATTRIBUTE_CLIENT_ID (output, a CLIENT_ID).
const PS_ATTRIBUTE_CLIENT_ID: u64 = 0x1_0003;

fn run(peb: &Peb) {
    let params = peb.process_parameters as *const RtlUserProcessParameters;
    // SAFETY: the Executive maps the parameter block for the process.
    let cmd = if params.is_null() {
        &[][..]
    } else {
        unsafe { units(&(*params).command_line) }
    };
    if cmd.ends_with(w!("--faults")) {
        nt_test::check::rename("nt-faults");
        faults();
        return;
    }
    own_blocks(peb);
    query_process();
    query_thread();
    open_by_client_id();
    threads();
    old_create_thread();
    suspend_and_context();
    children();
    rtl_ps::run();
}

fn teb() -> &'static Teb {
    // SAFETY: gs:[0x30] is this thread's TEB, mapped for its lifetime.
    unsafe { &*util::teb() }
}

/// The PEB, TEB and process parameters the Executive built.
fn own_blocks(peb: &Peb) {
    let t = teb();
    check_eq!(
        util::peb() as u64,
        peb as *const Peb as u64,
        "the entry argument is the PEB"
    );
    check_eq!(t.nt_tib.self_, t as *const Teb as u64);
    check_eq!(t.process_environment_block, peb as *const Peb as u64);
    check!(
        t.client_id.unique_process != 0 && t.client_id.unique_process % 4 == 0,
        "pid {:#x}",
        t.client_id.unique_process
    );
    check!(
        t.client_id.unique_thread != 0 && t.client_id.unique_thread % 4 == 0,
        "tid {:#x}",
        t.client_id.unique_thread
    );
    let sp: u64;
    // SAFETY: reads the stack pointer.
    unsafe { core::arch::asm!("mov {}, rsp", out(reg) sp) };
    check!(
        t.nt_tib.stack_limit < sp && sp < t.nt_tib.stack_base,
        "rsp {sp:#x} outside {:#x}..{:#x}",
        t.nt_tib.stack_limit,
        t.nt_tib.stack_base
    );
    check!(
        t.nt_tib.stack_base - t.nt_tib.stack_limit >= 0x10000,
        "stack of {:#x} bytes",
        t.nt_tib.stack_base - t.nt_tib.stack_limit
    );
    check_eq!(peb.os_major_version, 10);
    check_eq!(peb.os_minor_version, 0);
    check_eq!(peb.os_build_number, 19045);
    check_eq!(peb.os_platform_id, VER_PLATFORM_WIN32_NT);
    check!(
        peb.number_of_processors >= 1,
        "{} processors",
        peb.number_of_processors
    );
    // SAFETY: only the address of the linker symbol is taken.
    check_eq!(peb.image_base_address, unsafe {
        &__ImageBase as *const u8 as u64
    });
    check_eq!(peb.image_subsystem, 1, "IMAGE_SUBSYSTEM_NATIVE");
    check!(peb.ldr != 0, "the loader made PEB.Ldr");
    check!(peb.process_heap != 0, "the loader made the process heap");

    let p = peb.process_parameters as *const RtlUserProcessParameters;
    if !check!(!p.is_null(), "no process parameters") {
        return;
    }
    // SAFETY: mapped by the Executive (checked non-NULL).
    let p = unsafe { &*p };
    check!(
        p.flags & RTL_USER_PROC_PARAMS_NORMALIZED != 0,
        "flags {:#x}",
        p.flags
    );
    check!(
        p.length as usize >= core::mem::size_of::<RtlUserProcessParameters>(),
        "Length {:#x}",
        p.length
    );
    check!(
        p.maximum_length >= p.length,
        "MaximumLength {:#x}",
        p.maximum_length
    );
    // SAFETY: the strings live in the block.
    let (cmd, image, cd) = unsafe {
        (
            units(&p.command_line),
            units(&p.image_path_name),
            units(&p.current_directory.dos_path),
        )
    };
    check!(
        cmd.ends_with(w!("alpha  \"beta gamma\"")),
        "command line {}",
        Wide(cmd)
    );
    check!(
        image.len() >= 9 && eq_w_ci(&image[image.len() - 9..], "nt-ps.exe"),
        "image path {}",
        Wide(image)
    );
    check!(
        !cd.is_empty() && cd[cd.len() - 1] == b'\\' as u16,
        "current directory {}",
        Wide(cd)
    );
    // The environment: NAME=VALUE strings ending with an empty one.
    let env = p.environment as *const u16;
    if check!(!env.is_null(), "no environment") {
        let mut ok = false;
        let mut prev = 1u16;
        for i in 0..32768 {
            // SAFETY: bounded walk over the block; it ends at "\0\0".
            let c = unsafe { *env.add(i) };
            if c == 0 && prev == 0 {
                ok = true;
                break;
            }
            prev = c;
        }
        check!(ok, "environment block has no end");
    }
}

fn process_basic(h: Handle) -> (NtStatus, ProcessBasicInformation) {
    let mut info = ProcessBasicInformation::default();
    let mut len = 0u32;
    // SAFETY: the buffer is `info`.
    let st = unsafe {
        NtQueryInformationProcess(
            h,
            PROCESS_BASIC,
            &mut info as *mut _ as *mut u8,
            0x30,
            &mut len,
        )
    };
    (st, info)
}

fn thread_basic(h: Handle) -> (NtStatus, ThreadBasicInformation) {
    let mut info = ThreadBasicInformation::default();
    let mut len = 0u32;
    // SAFETY: the buffer is `info`.
    let st = unsafe {
        NtQueryInformationThread(
            h,
            THREAD_BASIC,
            &mut info as *mut _ as *mut u8,
            0x30,
            &mut len,
        )
    };
    (st, info)
}

fn query_process() {
    let me = Handle::CURRENT_PROCESS;
    let mut info = ProcessBasicInformation::default();
    let mut len = 0u32;
    let ip = &mut info as *mut _ as *mut u8;
    // SAFETY: the buffer is `info` (0x30 bytes) unless a call says otherwise.
    unsafe {
        check_st!(
            NtQueryInformationProcess(me, PROCESS_BASIC, ip, 0x30, &mut len),
            STATUS_SUCCESS
        );
        check_eq!(len, 0x30);
        check_eq!(info.peb_base_address, util::peb() as u64);
        check_eq!(info.unique_process_id, teb().client_id.unique_process);
        check_eq!(info.exit_status, STATUS_PENDING.0 as i32, "a live process");
        check_st!(
            NtQueryInformationProcess(me, PROCESS_BASIC, ip, 0x2F, &mut len),
            STATUS_INFO_LENGTH_MISMATCH
        );
        check_st!(
            NtQueryInformationProcess(me, PROCESS_BASIC, ip, 0, core::ptr::null_mut()),
            STATUS_INFO_LENGTH_MISMATCH
        );
        check_st!(
            NtQueryInformationProcess(me, 9999, ip, 0x30, &mut len),
            STATUS_INVALID_INFO_CLASS
        );
        check_st!(
            NtQueryInformationProcess(Handle(0x7ff0), PROCESS_BASIC, ip, 0x30, &mut len),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtQueryInformationProcess(Handle::NULL, PROCESS_BASIC, ip, 0x30, &mut len),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtQueryInformationProcess(Handle::CURRENT_THREAD, PROCESS_BASIC, ip, 0x30, &mut len),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(
            NtQueryInformationProcess(me, PROCESS_BASIC, bad::KERNEL as *mut u8, 0x30, &mut len),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtQueryInformationProcess(me, PROCESS_BASIC, bad::UNMAPPED as *mut u8, 0x30, &mut len),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtQueryInformationProcess(me, PROCESS_BASIC, ip.add(1), 0x30, &mut len),
            STATUS_DATATYPE_MISALIGNMENT
        );
        check_st!(
            NtQueryInformationProcess(me, PROCESS_BASIC, ip, 0x30, bad::KERNEL as *mut u32),
            STATUS_ACCESS_VIOLATION
        );
    }
    // ProcessTimes: KERNEL_USER_TIMES (creation, exit, kernel, user).
    let mut times = [0i64; 4];
    // SAFETY: the buffer is `times` (0x20 bytes).
    let st = unsafe {
        NtQueryInformationProcess(
            me,
            PROCESS_TIMES,
            times.as_mut_ptr() as *mut u8,
            0x20,
            &mut len,
        )
    };
    check_eq!(st, STATUS_SUCCESS);
    let mut now = 0i64;
    // SAFETY: valid output pointer.
    unsafe { NtQuerySystemTime(&mut now) };
    check!(
        times[0] > 0 && times[0] <= now,
        "created at {} (now {now})",
        times[0]
    );
    check_eq!(times[1], 0, "not exited");
    // ProcessImageFileName: a UNICODE_STRING and its text.
    let mut buf = [0u64; 64];
    // SAFETY: the buffer is `buf` (512 bytes).
    let st = unsafe {
        NtQueryInformationProcess(
            me,
            PROCESS_IMAGE_FILE_NAME,
            buf.as_mut_ptr() as *mut u8,
            512,
            &mut len,
        )
    };
    check_eq!(st, STATUS_SUCCESS);
    if st.is_success() {
        // SAFETY: the service wrote a UNICODE_STRING pointing into `buf`.
        let n = unsafe { units(&*(buf.as_ptr() as *const UnicodeString)) };
        check!(
            n.len() > 9 && eq_w_ci(&n[n.len() - 9..], "nt-ps.exe"),
            "image file name {}",
            Wide(n)
        );
    }
    // SAFETY: 16 bytes only fit the UNICODE_STRING.
    let st = unsafe {
        NtQueryInformationProcess(
            me,
            PROCESS_IMAGE_FILE_NAME,
            buf.as_mut_ptr() as *mut u8,
            16,
            &mut len,
        )
    };
    check_eq!(st, STATUS_INFO_LENGTH_MISMATCH);
    check!(len > 16, "needed {len}");
}

fn query_thread() {
    let (st, info) = thread_basic(Handle::CURRENT_THREAD);
    check_eq!(st, STATUS_SUCCESS);
    check_eq!(info.teb_base_address, teb() as *const Teb as u64);
    check_eq!(info.client_id, teb().client_id);
    check_eq!(info.exit_status, STATUS_PENDING.0 as i32);
    let mut times = [0i64; 4];
    let mut len = 0u32;
    let mut b = [0u64; 8];
    // SAFETY: buffers as sized.
    unsafe {
        check_st!(
            NtQueryInformationThread(
                Handle::CURRENT_THREAD,
                THREAD_TIMES,
                times.as_mut_ptr() as *mut u8,
                0x20,
                &mut len
            ),
            STATUS_SUCCESS
        );
        check!(times[0] > 0 && times[1] == 0, "thread times {times:?}");
        check_st!(
            NtQueryInformationThread(
                Handle::CURRENT_THREAD,
                THREAD_BASIC,
                b.as_mut_ptr() as *mut u8,
                0x2F,
                &mut len
            ),
            STATUS_INFO_LENGTH_MISMATCH
        );
        check_st!(
            NtQueryInformationThread(
                Handle::CURRENT_THREAD,
                9999,
                b.as_mut_ptr() as *mut u8,
                0x30,
                &mut len
            ),
            STATUS_INVALID_INFO_CLASS
        );
        check_st!(
            NtQueryInformationThread(
                Handle::CURRENT_PROCESS,
                THREAD_BASIC,
                b.as_mut_ptr() as *mut u8,
                0x30,
                &mut len
            ),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(
            NtQueryInformationThread(
                Handle(0x7ff0),
                THREAD_BASIC,
                b.as_mut_ptr() as *mut u8,
                0x30,
                &mut len
            ),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtQueryInformationThread(
                Handle::CURRENT_THREAD,
                THREAD_BASIC,
                bad::KERNEL as *mut u8,
                0x30,
                &mut len
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtQueryInformationThread(
                Handle::CURRENT_THREAD,
                THREAD_BASIC,
                (b.as_mut_ptr() as *mut u8).add(1),
                0x30,
                &mut len
            ),
            STATUS_DATATYPE_MISALIGNMENT
        );
    }
}

fn open_by_client_id() {
    let me = teb().client_id;
    let empty = oa(core::ptr::null(), 0, Handle::NULL);
    let mut h = Handle::NULL;
    // SAFETY: valid pointers unless a call says otherwise.
    unsafe {
        let pid_only = ClientId {
            unique_process: me.unique_process,
            unique_thread: 0,
        };
        check_st!(
            NtOpenProcess(&mut h, PROCESS_QUERY_INFORMATION, &empty, &pid_only),
            STATUS_SUCCESS
        );
        check_eq!(process_basic(h).1.unique_process_id, me.unique_process);
        NtClose(h);
        check_st!(
            NtOpenThread(&mut h, THREAD_QUERY_INFORMATION, &empty, &me),
            STATUS_SUCCESS
        );
        check_eq!(thread_basic(h).1.client_id, me);
        // Only the rights asked for: no THREAD_TERMINATE here.
        check_st!(NtTerminateThread(h, 1), STATUS_ACCESS_DENIED);
        NtClose(h);
        let thread_only = ClientId {
            unique_process: 0,
            unique_thread: me.unique_thread,
        };
        check_st!(
            NtOpenThread(&mut h, THREAD_QUERY_INFORMATION, &empty, &thread_only),
            STATUS_SUCCESS
        );
        NtClose(h);
        let nobody = ClientId {
            unique_process: 0x00ff_fffc,
            unique_thread: 0,
        };
        check_st!(
            NtOpenProcess(&mut h, PROCESS_QUERY_INFORMATION, &empty, &nobody),
            STATUS_INVALID_CID
        );
        let wrong = ClientId {
            unique_process: 0x00ff_fffc,
            unique_thread: me.unique_thread,
        };
        check_st!(
            NtOpenThread(&mut h, THREAD_QUERY_INFORMATION, &empty, &wrong),
            STATUS_INVALID_CID
        );
        let nothread = ClientId {
            unique_process: me.unique_process,
            unique_thread: 0x00ff_fffc,
        };
        check_st!(
            NtOpenThread(&mut h, THREAD_QUERY_INFORMATION, &empty, &nothread),
            STATUS_INVALID_CID
        );
        // Neither a name nor a client id, or both.
        check_st!(
            NtOpenProcess(&mut h, PROCESS_QUERY_INFORMATION, &empty, core::ptr::null()),
            STATUS_INVALID_PARAMETER_MIX
        );
        let n = us(w!("\\BaseNamedObjects\\x"));
        let named = oa(&n, 0, Handle::NULL);
        check_st!(
            NtOpenProcess(&mut h, PROCESS_QUERY_INFORMATION, &named, &pid_only),
            STATUS_INVALID_PARAMETER_MIX
        );
        check_st!(
            NtOpenProcess(
                &mut h,
                PROCESS_QUERY_INFORMATION,
                &empty,
                bad::KERNEL as *const ClientId
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtOpenProcess(
                core::ptr::null_mut(),
                PROCESS_QUERY_INFORMATION,
                &empty,
                &pid_only
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtOpenThread(
                &mut h,
                THREAD_QUERY_INFORMATION,
                bad::KERNEL as *const ObjectAttributes,
                &me
            ),
            STATUS_ACCESS_VIOLATION
        );
    }
}

/// What the test threads saw: their argument, or-ed flags.
static SEEN: AtomicU64 = AtomicU64::new(0);
static SPIN: AtomicU64 = AtomicU64::new(0);

extern "system" fn record_arg(arg: usize) -> u32 {
    SEEN.store(arg as u64, Ordering::SeqCst);
    77
}

extern "system" fn spin(_: usize) -> u32 {
    loop {
        SPIN.fetch_add(1, Ordering::SeqCst);
        util::yield_now();
    }
}

/// Polls a thread's (or process's) exit status until it is not
/// STATUS_PENDING, yielding between polls.
fn wait_thread(h: Handle) -> Option<i32> {
    for _ in 0..200_000 {
        let (st, info) = thread_basic(h);
        if !st.is_success() {
            return None;
        }
        if info.exit_status != STATUS_PENDING.0 as i32 {
            return Some(info.exit_status);
        }
        util::yield_now();
    }
    None
}

fn wait_process(h: Handle) -> Option<i32> {
    for _ in 0..400_000 {
        let (st, info) = process_basic(h);
        if !st.is_success() {
            return None;
        }
        if info.exit_status != STATUS_PENDING.0 as i32 {
            return Some(info.exit_status);
        }
        util::yield_now();
    }
    None
}

fn create_thread(start: ThreadStart, arg: usize, flags: u32) -> (NtStatus, Handle) {
    let mut h = Handle::NULL;
    // SAFETY: valid pointers; the start routine is ours.
    let st = unsafe {
        NtCreateThreadEx(
            &mut h,
            THREAD_ALL_ACCESS,
            core::ptr::null(),
            Handle::CURRENT_PROCESS,
            start as *const () as usize,
            arg,
            flags,
            0,
            0,
            0,
            core::ptr::null(),
        )
    };
    (st, h)
}

fn threads() {
    SEEN.store(0, Ordering::SeqCst);
    let (st, h) = create_thread(record_arg, 0x1234_5678, 0);
    check_eq!(st, STATUS_SUCCESS);
    check_eq!(
        wait_thread(h),
        Some(77),
        "the start routine's return is the exit status"
    );
    check_eq!(SEEN.load(Ordering::SeqCst), 0x1234_5678);
    let (st, info) = thread_basic(h);
    check_eq!(st, STATUS_SUCCESS);
    check!(
        info.client_id.unique_thread != teb().client_id.unique_thread,
        "a new thread id"
    );
    check_eq!(
        info.client_id.unique_process,
        teb().client_id.unique_process
    );
    // SAFETY: valid handle.
    unsafe { NtClose(h) };

    // Terminated from outside with a chosen status.
    let (st, h) = create_thread(spin, 0, 0);
    check_eq!(st, STATUS_SUCCESS);
    // SAFETY: a valid thread handle with THREAD_TERMINATE.
    check_st!(unsafe { NtTerminateThread(h, 55) }, STATUS_SUCCESS);
    check_eq!(wait_thread(h), Some(55));
    // SAFETY: valid handle.
    unsafe { NtClose(h) };

    // Bad input.
    let mut h = Handle::NULL;
    // SAFETY: each call passes one bad argument.
    unsafe {
        let f = record_arg as *const () as usize;
        check_st!(
            NtCreateThreadEx(
                &mut h,
                THREAD_ALL_ACCESS,
                core::ptr::null(),
                Handle(0x7ff0),
                f,
                0,
                0,
                0,
                0,
                0,
                core::ptr::null()
            ),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtCreateThreadEx(
                &mut h,
                THREAD_ALL_ACCESS,
                core::ptr::null(),
                Handle::CURRENT_THREAD,
                f,
                0,
                0,
                0,
                0,
                0,
                core::ptr::null()
            ),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(
            NtCreateThreadEx(
                core::ptr::null_mut(),
                THREAD_ALL_ACCESS,
                core::ptr::null(),
                Handle::CURRENT_PROCESS,
                f,
                0,
                0,
                0,
                0,
                0,
                core::ptr::null()
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtCreateThreadEx(
                bad::KERNEL as *mut Handle,
                THREAD_ALL_ACCESS,
                core::ptr::null(),
                Handle::CURRENT_PROCESS,
                f,
                0,
                0,
                0,
                0,
                0,
                core::ptr::null()
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(NtTerminateThread(Handle(0x7ff0), 1), STATUS_INVALID_HANDLE);
        check_st!(NtTerminateProcess(Handle(0x7ff0), 1), STATUS_INVALID_HANDLE);
        check_st!(
            NtTerminateThread(Handle::CURRENT_PROCESS, 1),
            STATUS_OBJECT_TYPE_MISMATCH
        );
    }
}

/// The thread NtCreateThread starts at its CONTEXT's Rip: no loader, its
/// argument in RCX.
extern "system" fn old_style_entry(arg: usize) -> ! {
    SEEN.store(arg as u64, Ordering::SeqCst);
    // SAFETY: ends this thread.
    unsafe { NtTerminateThread(Handle::CURRENT_THREAD, 66) };
    loop {
        util::yield_now();
    }
}

fn old_create_thread() {
    // A 64 KiB stack of our own.
    let mut base = 0usize;
    let mut size = 0x10000usize;
    // SAFETY: valid pointers.
    let st = unsafe {
        NtAllocateVirtualMemory(
            Handle::CURRENT_PROCESS,
            &mut base,
            0,
            &mut size,
            MEM_RESERVE | MEM_COMMIT,
            PAGE_READWRITE,
        )
    };
    if !check_eq!(st, STATUS_SUCCESS, "stack for NtCreateThread") {
        return;
    }
    let top = (base + size) as u64;
    // SAFETY: CONTEXT is plain data; all-zero is a valid value.
    let mut ctx: Context = unsafe { core::mem::zeroed() };
    ctx.context_flags = CONTEXT_FULL;
    ctx.rip = old_style_entry as *const () as usize as u64;
    // As at a function entry (nt-facts §7: RSP mod 16 = 8): home space
    // and the return-address slot, 0x28 bytes below a 16-aligned top.
    ctx.rsp = top - 0x28;
    ctx.rcx = 0xC0FFEE;
    ctx.eflags = 0x202;
    let initial = InitialTeb {
        old_stack_base: 0,
        old_stack_limit: 0,
        stack_base: top,
        stack_limit: base as u64,
        stack_allocation_base: base as u64,
    };
    let mut h = Handle::NULL;
    let mut cid = ClientId::default();
    SEEN.store(0, Ordering::SeqCst);
    // SAFETY: valid pointers.
    let st = unsafe {
        NtCreateThread(
            &mut h,
            THREAD_ALL_ACCESS,
            core::ptr::null(),
            Handle::CURRENT_PROCESS,
            &mut cid,
            &ctx,
            &initial,
            0,
        )
    };
    check_eq!(st, STATUS_SUCCESS);
    check!(cid.unique_thread != 0, "client id {cid:?}");
    check_eq!(wait_thread(h), Some(66));
    check_eq!(SEEN.load(Ordering::SeqCst), 0xC0FFEE);
    // SAFETY: each call passes one bad argument.
    unsafe {
        NtClose(h);
        check_st!(
            NtCreateThread(
                &mut h,
                THREAD_ALL_ACCESS,
                core::ptr::null(),
                Handle::CURRENT_PROCESS,
                &mut cid,
                core::ptr::null(),
                &initial,
                0
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtCreateThread(
                &mut h,
                THREAD_ALL_ACCESS,
                core::ptr::null(),
                Handle::CURRENT_PROCESS,
                &mut cid,
                &ctx,
                core::ptr::null(),
                0
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtCreateThread(
                &mut h,
                THREAD_ALL_ACCESS,
                core::ptr::null(),
                Handle(0x7ff0),
                &mut cid,
                &ctx,
                &initial,
                0
            ),
            STATUS_INVALID_HANDLE
        );
    }
}

fn suspend_and_context() {
    // Created suspended: it does not run until resumed.
    SEEN.store(0, Ordering::SeqCst);
    let (st, h) = create_thread(record_arg, 1, THREAD_CREATE_FLAGS_CREATE_SUSPENDED);
    check_eq!(st, STATUS_SUCCESS);
    for _ in 0..50 {
        util::yield_now();
    }
    check_eq!(SEEN.load(Ordering::SeqCst), 0, "a suspended thread ran");
    // Its context is the start-up contract: RIP at LdrInitializeThunk,
    // RCX = start routine, RDX = argument. Change the argument.
    // SAFETY: CONTEXT is plain data.
    let mut ctx: Context = unsafe { core::mem::zeroed() };
    ctx.context_flags = CONTEXT_FULL;
    // SAFETY: `ctx` is a 16-aligned CONTEXT.
    check_st!(unsafe { NtGetContextThread(h, &mut ctx) }, STATUS_SUCCESS);
    check_eq!(
        ctx.rcx,
        record_arg as *const () as usize as u64,
        "RCX = start routine"
    );
    check_eq!(ctx.rdx, 1, "RDX = argument");
    check!(
        ctx.rip != 0 && ctx.rsp % 16 == 8,
        "rip {:#x} rsp {:#x}",
        ctx.rip,
        ctx.rsp
    );
    ctx.rdx = 2;
    // SAFETY: as above.
    check_st!(unsafe { NtSetContextThread(h, &ctx) }, STATUS_SUCCESS);
    let mut prev = 99u32;
    // SAFETY: valid pointers.
    check_st!(unsafe { NtResumeThread(h, &mut prev) }, STATUS_SUCCESS);
    check_eq!(prev, 1);
    check_eq!(wait_thread(h), Some(77));
    check_eq!(
        SEEN.load(Ordering::SeqCst),
        2,
        "the argument set by NtSetContextThread"
    );
    // SAFETY: valid handle.
    unsafe { NtClose(h) };

    // Suspend counts on a running thread.
    let (_, s) = create_thread(spin, 0, 0);
    let mut prev = 99u32;
    // SAFETY: valid pointers throughout.
    unsafe {
        check_st!(NtSuspendThread(s, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 0);
        check_st!(NtSuspendThread(s, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 1);
        let before = SPIN.load(Ordering::SeqCst);
        for _ in 0..20 {
            util::yield_now();
        }
        check_eq!(
            SPIN.load(Ordering::SeqCst),
            before,
            "a suspended thread ran"
        );
        let mut ctx: Context = core::mem::zeroed();
        ctx.context_flags = CONTEXT_CONTROL;
        check_st!(NtGetContextThread(s, &mut ctx), STATUS_SUCCESS);
        check!(
            ctx.rip != 0 && ctx.rsp != 0,
            "rip {:#x} rsp {:#x}",
            ctx.rip,
            ctx.rsp
        );
        check_st!(NtResumeThread(s, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 2);
        check_st!(NtResumeThread(s, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 1);
        check_st!(NtResumeThread(s, &mut prev), STATUS_SUCCESS);
        check_eq!(prev, 0, "resuming a running thread");
        // Bad input.
        check_st!(
            NtSuspendThread(Handle(0x7ff0), &mut prev),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtResumeThread(Handle::CURRENT_PROCESS, &mut prev),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(
            NtSuspendThread(s, bad::KERNEL as *mut u32),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtGetContextThread(s, core::ptr::null_mut()),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtGetContextThread(s, bad::KERNEL as *mut Context),
            STATUS_ACCESS_VIOLATION
        );
        let mut raw = [0u8; 0x4F0];
        let odd = raw.as_mut_ptr().add(8) as *mut Context;
        let odd = if odd as usize % 16 == 0 {
            raw.as_mut_ptr().add(4) as *mut Context
        } else {
            odd
        };
        check_st!(NtGetContextThread(s, odd), STATUS_DATATYPE_MISALIGNMENT);
        check_st!(
            NtGetContextThread(Handle(0x7ff0), &mut ctx),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtSetContextThread(Handle::CURRENT_PROCESS, &ctx),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(NtTerminateThread(s, 3), STATUS_SUCCESS);
        check_eq!(wait_thread(s), Some(3));
        NtClose(s);
    }
}

/// A normalised RTL_USER_PROCESS_PARAMETERS with its strings in one block.
#[repr(C, align(16))]
struct Params {
    p: RtlUserProcessParameters,
    text: [u16; 512],
}

/// Starts nt-child.exe (or `image`) with `args`; returns the process and
/// thread handles, or the failing status.
fn spawn_image(
    image: &[u16],
    args: &str,
    thread_flags: u32,
) -> Result<(Handle, Handle, ClientId), NtStatus> {
    // SAFETY: plain data; zero is valid for every field.
    let mut block: Params = unsafe { core::mem::zeroed() };
    let mut used = 0usize;
    let base = block.text.as_ptr() as u64;
    let put = |text: &mut [u16; 512], used: &mut usize, s: &[u16]| -> UnicodeString {
        let start = *used;
        text[start..start + s.len()].copy_from_slice(s);
        *used += s.len() + 1; // keep a NUL after each string
        UnicodeString {
            length: (s.len() * 2) as u16,
            maximum_length: (s.len() * 2 + 2) as u16,
            buffer: base + start as u64 * 2,
        }
    };
    let mut cmdline = util::WBuf::<160>::new();
    let _ = core::fmt::Write::write_fmt(&mut cmdline, format_args!("nt-child.exe {args}"));
    block.p.image_path_name = put(&mut block.text, &mut used, image);
    block.p.command_line = put(&mut block.text, &mut used, cmdline.units());
    block.p.current_directory.dos_path = put(&mut block.text, &mut used, w!("C:\\"));
    block.p.dll_path = put(&mut block.text, &mut used, w!("C:\\system32"));
    let env_at = used;
    put(&mut block.text, &mut used, w!("TRITON=1"));
    block.text[used] = 0;
    used += 1;
    block.p.environment = base + env_at as u64 * 2;
    block.p.environment_size = ((used - env_at) * 2) as u64;
    block.p.flags = RTL_USER_PROC_PARAMS_NORMALIZED;
    block.p.length = (core::mem::size_of::<RtlUserProcessParameters>() + used * 2) as u32;
    block.p.maximum_length = core::mem::size_of::<Params>() as u32;

    let mut info = PsCreateInfo {
        size: core::mem::size_of::<PsCreateInfo>() as u64,
        ..Default::default()
    };
    let mut cid = ClientId::default();
    #[repr(C)]
    struct Attrs {
        total: u64,
        a: [PsAttribute; 2],
    }
    let attrs = Attrs {
        total: core::mem::size_of::<Attrs>() as u64,
        a: [
            PsAttribute {
                attribute: PS_ATTRIBUTE_IMAGE_NAME,
                size: (image.len() * 2) as u64,
                value: image.as_ptr() as u64,
                return_length: 0,
            },
            PsAttribute {
                attribute: PS_ATTRIBUTE_CLIENT_ID,
                size: 16,
                value: &mut cid as *mut _ as u64,
                return_length: 0,
            },
        ],
    };
    let (mut ph, mut th) = (Handle::NULL, Handle::NULL);
    // SAFETY: every pointer refers to a local that outlives the call.
    let st = unsafe {
        NtCreateUserProcess(
            &mut ph,
            &mut th,
            PROCESS_ALL_ACCESS,
            THREAD_ALL_ACCESS,
            core::ptr::null(),
            core::ptr::null(),
            0,
            thread_flags,
            &block.p,
            &mut info,
            &attrs as *const Attrs as *const u8,
        )
    };
    if st.is_success() {
        Ok((ph, th, cid))
    } else {
        Err(st)
    }
}

fn spawn(args: &str) -> Result<(Handle, Handle, ClientId), NtStatus> {
    spawn_image(w!("\\SystemRoot\\system32\\nt-child.exe"), args, 0)
}

/// Runs a child to its end and returns its exit status.
fn child_status(args: &str) -> Option<i32> {
    match spawn(args) {
        Ok((p, t, _)) => {
            let r = wait_process(p);
            // SAFETY: valid handles.
            unsafe {
                NtClose(t);
                NtClose(p);
            }
            r
        }
        Err(e) => {
            say!("spawn `{args}` failed: {e}");
            None
        }
    }
}

fn children() {
    check_eq!(child_status("exit 42"), Some(42));
    check_eq!(
        child_status("return 7"),
        Some(7),
        "returning from the entry ends the last thread"
    );
    // Another NT path to the same file.
    match spawn_image(w!("\\??\\C:\\system32\\nt-child.exe"), "exit 5", 0) {
        Ok((p, t, _)) => {
            check_eq!(wait_process(p), Some(5));
            // SAFETY: valid handles.
            unsafe {
                NtClose(t);
                NtClose(p);
            }
        }
        Err(e) => {
            check!(false, "spawn through \\??\\C:: {e}");
        }
    }
    // A waiting child: its identity, then terminated with a chosen status.
    match spawn("wait") {
        Ok((p, t, cid)) => {
            let (st, info) = process_basic(p);
            check_eq!(st, STATUS_SUCCESS);
            check!(
                info.unique_process_id != teb().client_id.unique_process,
                "child pid {:#x}",
                info.unique_process_id
            );
            check_eq!(
                info.inherited_from_unique_process_id,
                teb().client_id.unique_process
            );
            check!(info.peb_base_address != 0, "child PEB");
            check_eq!(info.exit_status, STATUS_PENDING.0 as i32);
            check_eq!(
                cid.unique_process,
                info.unique_process_id,
                "PS_ATTRIBUTE_CLIENT_ID"
            );
            let (st, ti) = thread_basic(t);
            check_eq!(st, STATUS_SUCCESS);
            check_eq!(ti.client_id.unique_process, info.unique_process_id);
            let mut h = Handle::NULL;
            let empty = oa(core::ptr::null(), 0, Handle::NULL);
            let c = ClientId {
                unique_process: info.unique_process_id,
                unique_thread: 0,
            };
            // SAFETY: valid pointers.
            unsafe {
                check_st!(
                    NtOpenProcess(&mut h, PROCESS_TERMINATE, &empty, &c),
                    STATUS_SUCCESS
                );
                check_st!(NtTerminateProcess(h, 0x1234), STATUS_SUCCESS);
                NtClose(h);
            }
            check_eq!(wait_process(p), Some(0x1234));
            check_eq!(wait_thread(t), Some(0x1234), "its threads end with it");
            // SAFETY: valid handles.
            unsafe {
                NtClose(t);
                NtClose(p);
            }
        }
        Err(e) => {
            check!(false, "spawn wait: {e}");
        }
    }
    // Created with its first thread suspended.
    match spawn_image(
        w!("\\SystemRoot\\system32\\nt-child.exe"),
        "exit 9",
        THREAD_CREATE_FLAGS_CREATE_SUSPENDED,
    ) {
        Ok((p, t, _)) => {
            for _ in 0..50 {
                util::yield_now();
            }
            check_eq!(
                process_basic(p).1.exit_status,
                STATUS_PENDING.0 as i32,
                "suspended child ran"
            );
            let mut prev = 0u32;
            // SAFETY: valid pointers.
            check_st!(unsafe { NtResumeThread(t, &mut prev) }, STATUS_SUCCESS);
            check_eq!(prev, 1);
            check_eq!(wait_process(p), Some(9));
            // SAFETY: valid handles.
            unsafe {
                NtClose(t);
                NtClose(p);
            }
        }
        Err(e) => {
            check!(false, "spawn suspended: {e}");
        }
    }
    // Images that are not there, or not images.
    check_eq!(
        spawn_image(w!("\\SystemRoot\\system32\\nosuch.exe"), "", 0).err(),
        Some(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    check_eq!(
        spawn_image(w!("\\SystemRoot\\boot.cfg"), "", 0).err(),
        Some(STATUS_INVALID_IMAGE_NOT_MZ)
    );
    check_eq!(
        spawn_image(w!("\\SystemRoot\\nosuchdir\\x.exe"), "", 0).err(),
        Some(STATUS_OBJECT_PATH_NOT_FOUND)
    );
    // Bad pointers.
    let mut info = PsCreateInfo {
        size: 0x58,
        ..Default::default()
    };
    let mut h = Handle::NULL;
    // SAFETY: each call passes one bad argument.
    unsafe {
        check_st!(
            NtCreateUserProcess(
                core::ptr::null_mut(),
                &mut h,
                PROCESS_ALL_ACCESS,
                THREAD_ALL_ACCESS,
                core::ptr::null(),
                core::ptr::null(),
                0,
                0,
                core::ptr::null(),
                &mut info,
                core::ptr::null()
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtCreateUserProcess(
                &mut h,
                &mut h,
                PROCESS_ALL_ACCESS,
                THREAD_ALL_ACCESS,
                core::ptr::null(),
                core::ptr::null(),
                0,
                0,
                core::ptr::null(),
                core::ptr::null_mut(),
                core::ptr::null()
            ),
            STATUS_ACCESS_VIOLATION
        );
        info.size = 0x50;
        check_st!(
            NtCreateUserProcess(
                &mut h,
                &mut h,
                PROCESS_ALL_ACCESS,
                THREAD_ALL_ACCESS,
                core::ptr::null(),
                core::ptr::null(),
                0,
                0,
                core::ptr::null(),
                &mut info,
                core::ptr::null()
            ),
            STATUS_INVALID_PARAMETER
        );
    }
}

/// nt-faults: children that fault end with the exception code; this
/// process goes on (it creates a thread and another child afterwards).
fn faults() {
    check_eq!(
        child_status("null"),
        Some(STATUS_ACCESS_VIOLATION.0 as i32),
        "NULL read"
    );
    check_eq!(
        child_status("div"),
        Some(STATUS_INTEGER_DIVIDE_BY_ZERO.0 as i32),
        "divide by zero"
    );
    check_eq!(
        child_status("ud2"),
        Some(STATUS_ILLEGAL_INSTRUCTION.0 as i32),
        "invalid opcode"
    );
    // A faulting thread in this process would end it, so the parent only
    // shows it is alive and well.
    let (st, h) = create_thread(record_arg, 3, 0);
    check_eq!(st, STATUS_SUCCESS);
    check_eq!(wait_thread(h), Some(77));
    check_eq!(child_status("exit 0"), Some(0));
}
