//! nt-ldr.exe: ntdll's loader as a program sees it. PEB.Ldr and its three
//! module lists (the exe first, ntdll second); LdrLoadDll of the test DLLs
//! (nt_dlla.dll: DllMain and TLS callback counts, exports by name and by
//! ordinal, forwarders to ntdll and to nt_dllb.dll; nt_dllb.dll: relocated
//! because its base is ntdll's; nt_dllfail.dll: DllMain fails),
//! LdrGetDllHandle, LdrGetProcedureAddress, LdrUnloadDll and their bad
//! input.
#![no_std]
#![no_main]

use core::sync::atomic::AtomicU32;
use nt_test::nt::*;
use nt_test::nt_abi::status::*;
use nt_test::nt_abi::types::{
    AnsiString, LdrDataTableEntry, ListEntry, Peb, PebLdrData, UnicodeString,
};
use nt_test::nt_abi::NtStatus;
use nt_test::util::{self, ansi, bad, eq_w_ci, units, us, Wide};
use nt_test::{check, check_eq, check_st, w};

nt_test::entry!("nt-ldr", run);

extern "C" {
    /// The linker's symbol at this image's own base.
    static __ImageBase: u8;
}

fn run(peb: &Peb) {
    module_lists(peb);
    load_and_resolve();
    failing_dll();
}

/// The entries of one loader list, from its head, `offset` bytes into each
/// entry (0 load order, 0x10 memory order, 0x20 initialisation order).
fn list_bases(head: *const ListEntry, offset: u64, out: &mut [u64; 16]) -> usize {
    let mut n = 0;
    // SAFETY: the loader keeps the lists well formed; the walk is bounded.
    let mut link = unsafe { (*head).flink };
    while link != head as u64 && link != 0 && n < out.len() {
        let e = (link - offset) as *const LdrDataTableEntry;
        // SAFETY: as above.
        unsafe {
            out[n] = (*e).dll_base;
            link = (*(link as *const ListEntry)).flink;
        }
        n += 1;
    }
    n
}

fn module_lists(peb: &Peb) {
    let ldr = peb.ldr as *const PebLdrData;
    if !check!(!ldr.is_null(), "PEB.Ldr is NULL") {
        return;
    }
    // SAFETY: made by the loader for this process.
    let l = unsafe { &*ldr };
    check_eq!(l.length as usize, core::mem::size_of::<PebLdrData>());
    check_eq!(l.initialized, 1);
    let mut load = [0u64; 16];
    let mut mem = [0u64; 16];
    let mut init = [0u64; 16];
    let n = list_bases(&l.in_load_order_module_list, 0, &mut load);
    let m = list_bases(&l.in_memory_order_module_list, 0x10, &mut mem);
    let k = list_bases(&l.in_initialization_order_module_list, 0x20, &mut init);
    let me = unsafe { &__ImageBase as *const u8 as u64 };
    let ntdll = util::ntdll_base() as u64;
    check!(n >= 3, "{n} modules loaded (exe, ntdll, nt_dllb)");
    check_eq!(load[0], me, "the exe is first in load order");
    check_eq!(load[1], ntdll, "ntdll is second in load order");
    check_eq!(mem[0], me, "the exe is first in memory order");
    check_eq!(m, n, "both lists hold every module");
    // The exe is never initialised (no DllMain): one entry fewer.
    check_eq!(k, n - 1, "the initialisation order list leaves out the exe");
    check!(
        !init[..k].contains(&me),
        "the exe in the initialisation list"
    );
    // The first entry describes this image.
    // SAFETY: the first load-order link is the exe's entry.
    let e = unsafe { &*(l.in_load_order_module_list.flink as *const LdrDataTableEntry) };
    check!(e.size_of_image > 0, "SizeOfImage");
    check!(e.entry_point != 0, "EntryPoint");
    // SAFETY: strings owned by the loader.
    let (full, base) = unsafe { (units(&e.full_dll_name), units(&e.base_dll_name)) };
    check!(eq_w_ci(base, "nt-ldr.exe"), "BaseDllName {}", Wide(base));
    check!(
        full.len() > base.len() && full.ends_with(base),
        "FullDllName {}",
        Wide(full)
    );
    // nt_dllb.dll came in through the import table, relocated.
    // SAFETY: a function of nt_dllb.dll, bound by the loader.
    check_eq!(unsafe { dllb_value() }, 0xB0B, "the static import is bound");
    let mut h = 0usize;
    let name = us(w!("nt_dllb.dll"));
    // SAFETY: valid pointers.
    check_st!(
        unsafe { LdrGetDllHandle(core::ptr::null(), core::ptr::null_mut(), &name, &mut h) },
        STATUS_SUCCESS
    );
    check!(
        h != 0 && h != 0x1_8000_0000,
        "nt_dllb at {h:#x} (ntdll's base is taken)"
    );
    check!(
        load[..n].contains(&(h as u64)),
        "nt_dllb in the load order list"
    );
}

/// Looks an export up by name.
fn proc(module: usize, name: &[u8]) -> Result<usize, NtStatus> {
    let a = ansi(name);
    let mut p = 0usize;
    // SAFETY: valid pointers.
    let st = unsafe { LdrGetProcedureAddress(module, &a, 0, &mut p) };
    if st.is_success() {
        Ok(p)
    } else {
        Err(st)
    }
}

fn load(name: &[u16]) -> Result<usize, NtStatus> {
    let n = us(name);
    let mut h = 0usize;
    // SAFETY: valid pointers.
    let st = unsafe { LdrLoadDll(core::ptr::null(), core::ptr::null_mut(), &n, &mut h) };
    if st.is_success() {
        Ok(h)
    } else {
        Err(st)
    }
}

fn counter(module: usize, name: &[u8], index: usize) -> u32 {
    match proc(module, name) {
        // SAFETY: the export is an array of 4 AtomicU32 in the loaded DLL.
        Ok(p) => unsafe {
            (*(p as *const [AtomicU32; 4]))[index].load(core::sync::atomic::Ordering::SeqCst)
        },
        Err(_) => u32::MAX,
    }
}

fn load_and_resolve() {
    // The static import of nt_dllb worked: its value and relocated pointer.
    let b = util::ntdll_base();
    check!(b != 0, "LdrGetDllHandle(ntdll.dll)");
    let mut h = 0usize;
    let name = us(w!("NTDLL.DLL"));
    // SAFETY: valid pointers.
    check_st!(
        unsafe { LdrGetDllHandle(core::ptr::null(), core::ptr::null_mut(), &name, &mut h) },
        STATUS_SUCCESS
    );
    check_eq!(h, b, "names compare case-insensitively");
    let name = us(w!("ntdll"));
    // SAFETY: valid pointers.
    check_st!(
        unsafe { LdrGetDllHandle(core::ptr::null(), core::ptr::null_mut(), &name, &mut h) },
        STATUS_SUCCESS
    );
    check_eq!(h, b, "\".dll\" is implied");

    let dllb = load(w!("nt_dllb.dll"));
    check!(dllb.is_ok(), "LdrLoadDll(nt_dllb.dll): {:?}", dllb.err());
    let dllb = dllb.unwrap_or(0);
    if let (Ok(v), Ok(s)) = (proc(dllb, b"DLLB_VALUE"), proc(dllb, b"DLLB_SELF")) {
        // SAFETY: exported statics of the loaded DLL.
        check_eq!(unsafe { *(s as *const u64) }, v as u64, "relocated pointer");
        check_eq!(unsafe { *(v as *const u32) }, 0xB0B);
    } else {
        check!(false, "nt_dllb exports");
    }

    // nt_dlla: loaded now, with its DllMain and TLS callback called once.
    let a = match load(w!("nt_dlla.dll")) {
        Ok(a) => a,
        Err(e) => {
            check!(false, "LdrLoadDll(nt_dlla.dll): {e}");
            return;
        }
    };
    check_eq!(a, 0x7FF7_0000_0000, "nt_dlla at its preferred base");
    check_eq!(
        counter(a, b"DLLA_MAIN_CALLS", 1),
        1,
        "DllMain(PROCESS_ATTACH) once"
    );
    check_eq!(
        counter(a, b"DLLA_TLS_CALLS", 1),
        1,
        "TLS callback (PROCESS_ATTACH) once"
    );
    if let Ok(p) = proc(a, b"DLLA_TLS_BEFORE_MAIN") {
        // SAFETY: an exported AtomicU32.
        check_eq!(
            unsafe { *(p as *const u32) },
            1,
            "TLS callbacks run before DllMain"
        );
    }
    // Loading again only counts a reference.
    check_eq!(load(w!("NT_DLLA.DLL")), Ok(a));
    check_eq!(counter(a, b"DLLA_MAIN_CALLS", 1), 1, "no second attach");
    // By name, by ordinal, forwarded.
    match proc(a, b"dlla_add") {
        Ok(p) => {
            // SAFETY: the export has this signature.
            let f: extern "system" fn(u32, u32) -> u32 = unsafe { core::mem::transmute(p) };
            check_eq!(f(40, 2), 42);
        }
        Err(e) => {
            check!(false, "dlla_add: {e}");
        }
    }
    let mut p = 0usize;
    // SAFETY: valid pointers; ordinal lookup with a NULL name.
    check_st!(
        unsafe { LdrGetProcedureAddress(a, core::ptr::null(), 7, &mut p) },
        STATUS_SUCCESS
    );
    check_eq!(Ok(p), proc(a, b"dlla_ordinal_target"), "ordinal 7");
    check_eq!(
        proc(a, b"dlla_by_ordinal"),
        Err(STATUS_PROCEDURE_NOT_FOUND),
        "NONAME exports have no name"
    );
    // SAFETY: valid pointers.
    check_st!(
        unsafe { LdrGetProcedureAddress(a, core::ptr::null(), 999, &mut p) },
        STATUS_ORDINAL_NOT_FOUND
    );
    check_eq!(
        proc(a, b"dlla_fwd_ntdll"),
        proc(b, b"NtYieldExecution"),
        "forwarded to ntdll"
    );
    check_eq!(
        proc(a, b"dlla_fwd_dllb"),
        proc(dllb, b"dllb_value"),
        "forwarded to nt_dllb"
    );
    check_eq!(proc(a, b"no_such_export"), Err(STATUS_PROCEDURE_NOT_FOUND));

    // A new thread attaches to the DLL: DllMain and TLS callback.
    extern "system" fn nothing(_: usize) -> u32 {
        0
    }
    let mut t = nt_test::nt_abi::types::Handle::NULL;
    // SAFETY: valid pointers; the start routine is ours.
    let st = unsafe {
        NtCreateThreadEx(
            &mut t,
            0x1F_FFFF,
            core::ptr::null(),
            nt_test::nt_abi::types::Handle::CURRENT_PROCESS,
            nothing as *const () as usize,
            0,
            0,
            0,
            0,
            0,
            core::ptr::null(),
        )
    };
    check_eq!(st, STATUS_SUCCESS);
    // The thread's end (after its DLL_THREAD_DETACH calls) signals it.
    let timeout = -5_000 * 10_000i64;
    // SAFETY: a valid handle and pointer.
    check_eq!(unsafe { NtWaitForSingleObject(t, 0, &timeout) }, STATUS_SUCCESS, "the thread ends");
    check_eq!(counter(a, b"DLLA_MAIN_CALLS", 2), 1, "DLL_THREAD_ATTACH");
    check_eq!(
        counter(a, b"DLLA_TLS_CALLS", 2),
        1,
        "TLS callback DLL_THREAD_ATTACH"
    );
    check_eq!(counter(a, b"DLLA_MAIN_CALLS", 3), 1, "DLL_THREAD_DETACH");
    // SAFETY: valid handle.
    unsafe { NtClose(t) };

    // Bad input.
    let missing = us(w!("nt_nosuch.dll"));
    let a_name = ansi(b"dlla_add");
    // SAFETY: each call passes one bad argument.
    unsafe {
        check_st!(
            LdrLoadDll(core::ptr::null(), core::ptr::null_mut(), &missing, &mut h),
            STATUS_DLL_NOT_FOUND
        );
        check_st!(
            LdrGetDllHandle(core::ptr::null(), core::ptr::null_mut(), &missing, &mut h),
            STATUS_DLL_NOT_FOUND
        );
        check_st!(
            LdrGetProcedureAddress(0x1000, &a_name, 0, &mut p),
            STATUS_DLL_NOT_FOUND
        );
        check_st!(
            LdrGetProcedureAddress(a, core::ptr::null::<AnsiString>(), 0, &mut p),
            STATUS_INVALID_PARAMETER
        );
        check_st!(LdrUnloadDll(0x1000), STATUS_DLL_NOT_FOUND);
        check_st!(
            LdrGetDllHandle(
                core::ptr::null(),
                core::ptr::null_mut(),
                bad::KERNEL as *const UnicodeString,
                &mut h
            ),
            STATUS_ACCESS_VIOLATION
        );
    }

    // Unloading: two loads, two unloads; DllMain(DETACH) on the last.
    // SAFETY: `a` was loaded twice above.
    unsafe {
        check_st!(LdrUnloadDll(a), STATUS_SUCCESS);
        check_eq!(
            counter(a, b"DLLA_MAIN_CALLS", 0),
            0,
            "detached while referenced"
        );
        check_st!(LdrUnloadDll(a), STATUS_SUCCESS);
    }
    let name = us(w!("nt_dlla.dll"));
    // SAFETY: valid pointers.
    check_st!(
        unsafe { LdrGetDllHandle(core::ptr::null(), core::ptr::null_mut(), &name, &mut h) },
        STATUS_DLL_NOT_FOUND
    );
    // Loaded again, it is attached afresh.
    if let Ok(a2) = load(w!("nt_dlla.dll")) {
        check_eq!(counter(a2, b"DLLA_MAIN_CALLS", 1), 1, "a fresh copy");
        // SAFETY: loaded just above.
        unsafe { LdrUnloadDll(a2) };
    } else {
        check!(false, "reload nt_dlla.dll");
    }
    // The statically imported DLL stays: the exe holds it.
    // SAFETY: one reference from LdrLoadDll above.
    check_st!(unsafe { LdrUnloadDll(dllb) }, STATUS_SUCCESS);
    let name = us(w!("nt_dllb.dll"));
    // SAFETY: valid pointers.
    check_st!(
        unsafe { LdrGetDllHandle(core::ptr::null(), core::ptr::null_mut(), &name, &mut h) },
        STATUS_SUCCESS
    );
}

fn failing_dll() {
    check_eq!(load(w!("nt_dllfail.dll")), Err(STATUS_DLL_INIT_FAILED));
    let name = us(w!("nt_dllfail.dll"));
    let mut h = 0usize;
    // SAFETY: valid pointers.
    check_st!(
        unsafe { LdrGetDllHandle(core::ptr::null(), core::ptr::null_mut(), &name, &mut h) },
        STATUS_DLL_NOT_FOUND
    );
}

// nt_dllb.dll is imported statically, so the loader resolves it at start.
#[link(name = "nt_dllb", kind = "raw-dylib")]
extern "system" {
    fn dllb_value() -> u32;
}
