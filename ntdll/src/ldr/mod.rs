//! The user-mode loader (Ldr*): every thread starts in
//! [`LdrInitializeThunk`], which builds the process's module lists the
//! first time (PEB.Ldr: the process image, ntdll, and everything they
//! import, initialised in dependency order), runs per-thread TLS and
//! attach notifications, calls the thread's start routine and ends the
//! thread with its result. LdrLoadDll and friends load and unload DLLs
//! later; DLLs come from `\KnownDlls` (image sections the Executive
//! creates at boot, mapped with the Executive's relocations applied).
//!
//! The image logic (import walks, export lookups with forwarders, TLS
//! directories, DLL-name rules) is `pe`'s, host-tested there; this module
//! holds the NT side: records, lists, mapping, protection, calls into
//! DllMain. All of it runs under the loader lock ([`sys::LoaderLock`]).

mod init;
mod load;
mod module;
mod sys;
mod tls;

use nt_abi::status::*;
use nt_abi::types::{AnsiString, LdrDataTableEntry, UnicodeString};
use nt_abi::{NtStatus, NTSTATUS};
use pe::{DllName, Lookup};

use module::{flags, Module};
use sys::LoaderLock;

/// The start routine of a thread (for the first one the process image's
/// entry point, called with the PEB).
type StartRoutine = extern "system" fn(usize) -> u32;

/// Where every thread of a process starts (start-up contract): RCX = the
/// start routine, RDX = its argument. The first thread initialises the
/// process (a failure ends it with the status, after a line on the debug
/// console), later ones their TLS and DLL_THREAD_ATTACH. Never returns:
/// the thread ends with the start routine's result, and the process with
/// its last thread.
#[no_mangle]
pub extern "system" fn LdrInitializeThunk(start: usize, argument: usize) -> ! {
    let first = module::ldr().is_null();
    let started = {
        let _lock = LoaderLock::acquire();
        if first {
            init::process()
        } else {
            init::thread()
        }
    };
    match started {
        Ok(()) => {}
        Err(status) if first => {
            sys::report("cannot start", image_path(), status);
            sys::terminate_process(status)
        }
        Err(status) => sys::terminate_thread(status.0),
    }
    // SAFETY: the Executive (or NtCreateThreadEx's caller) passed the
    // address of a routine with this signature.
    let start: StartRoutine = unsafe { core::mem::transmute(start) };
    exit_thread(start(argument))
}

/// ProcessParameters.ImagePathName, for messages.
fn image_path() -> &'static [u16] {
    // SAFETY: the PEB and its (normalized) parameter block live as long as
    // the process.
    unsafe {
        let params =
            (*sys::peb()).process_parameters as *const nt_abi::types::RtlUserProcessParameters;
        if params.is_null() {
            &[]
        } else {
            module::utf16((*params).image_path_name)
        }
    }
}

/// Ends the calling thread with `status`: the whole process (with
/// DLL_PROCESS_DETACH) when it is the last thread, otherwise the thread
/// after DLL_THREAD_DETACH. What RtlExitUserThread does on Windows.
pub(crate) fn exit_thread(status: u32) -> ! {
    if sys::is_last_thread() {
        RtlExitUserProcess(status)
    }
    LdrShutdownThread();
    sys::terminate_thread(status)
}

/// Checks that a caller's `len` bytes at `p` are in the user half of the
/// address space (STATUS_ACCESS_VIOLATION otherwise, as the SEH frame of
/// the Windows function would report). Unmapped user pages still fault the
/// caller: there is no structured exception handling yet.
fn probe<T>(p: *const T, len: usize) -> Result<(), NtStatus> {
    nt_abi::wire::check_user_range(p as u64, len as u64)
}

/// The counted string a caller passed: its units (UTF-16) or bytes.
///
/// # Safety
/// `s` must be NULL or point to a readable UNICODE_STRING/ANSI_STRING whose
/// buffer holds Length bytes.
unsafe fn counted<'a, C>(s: *const UnicodeString) -> Result<&'a [C], NtStatus> {
    if s.is_null() {
        return Err(STATUS_INVALID_PARAMETER);
    }
    probe(s, core::mem::size_of::<UnicodeString>())?;
    // SAFETY: per the contract above; the range was probed.
    let s = unsafe { *s };
    let len = usize::from(s.length) / core::mem::size_of::<C>();
    if len == 0 || s.buffer == 0 {
        return Ok(&[]);
    }
    probe(s.buffer as *const C, usize::from(s.length))?;
    // SAFETY: as above.
    Ok(unsafe { core::slice::from_raw_parts(s.buffer as *const C, len) })
}

/// The DLL name a caller passed, or the status for a name no module can
/// have.
fn dll_name(name: *const UnicodeString) -> Result<DllName, NtStatus> {
    // SAFETY: the caller passes a valid UNICODE_STRING (or NULL).
    let units: &[u16] = unsafe { counted(name)? };
    DllName::from_utf16(units).ok_or(if pe::base_name(units).len() > pe::MAX_DLL_NAME {
        STATUS_NAME_TOO_LONG
    } else {
        STATUS_DLL_NOT_FOUND
    })
}

/// Checks an out parameter the caller must supply (before any work whose
/// result it would receive).
fn writable<T>(out: *mut T) -> Result<(), NtStatus> {
    if out.is_null() {
        return Err(STATUS_INVALID_PARAMETER);
    }
    probe(out, core::mem::size_of::<T>())
}

/// Stores `value` through an out parameter the caller must supply.
fn put<T>(out: *mut T, value: T) -> Result<(), NtStatus> {
    writable(out)?;
    // SAFETY: a caller's out pointer, checked non-NULL and in user space.
    unsafe { out.write_unaligned(value) };
    Ok(())
}

fn result(r: Result<(), NtStatus>) -> NTSTATUS {
    match r {
        Ok(()) => STATUS_SUCCESS.to_ntstatus(),
        Err(status) => status.to_ntstatus(),
    }
}

/// The loader's lists exist (not so before the first thread's start, or
/// in a thread NtCreateThread started in a process without them).
fn ready() -> Result<(), NtStatus> {
    if module::ldr().is_null() {
        Err(STATUS_DLL_NOT_FOUND)
    } else {
        Ok(())
    }
}

/// Loads a DLL (or finds it loaded) and takes a reference on it; its base
/// is the module handle. `SearchPath` and `DllCharacteristics` are
/// accepted and not used: every DLL comes from `\KnownDlls` (a path is
/// reduced to its file name), and DONT_RESOLVE_DLL_REFERENCES-style
/// characteristics are not supported. Errors: STATUS_DLL_NOT_FOUND,
/// STATUS_INVALID_IMAGE_FORMAT, STATUS_ENTRYPOINT_NOT_FOUND /
/// STATUS_ORDINAL_NOT_FOUND for an unresolved import,
/// STATUS_DLL_INIT_FAILED; after a failure nothing it loaded stays.
#[no_mangle]
pub extern "system" fn LdrLoadDll(
    _search_path: *const u16,
    _dll_characteristics: *const u32,
    dll_name_string: *const UnicodeString,
    base_address: *mut usize,
) -> NTSTATUS {
    result((|| {
        ready()?;
        let name = dll_name(dll_name_string)?;
        writable(base_address)?;
        let _lock = LoaderLock::acquire();
        let mark = module::last_loaded();
        let loaded = load::load(&name).and_then(|m| load::initialize(0).map(|()| m));
        match loaded {
            Ok(m) => {
                module::add_ref(m);
                // SAFETY: a listed record.
                put(base_address, unsafe { (*m).entry.dll_base } as usize)
            }
            Err(status) => {
                load::discard_since(mark);
                Err(status)
            }
        }
    })())
}

/// The base of a loaded module (by BaseDllName, `.dll` added as
/// LdrLoadDll does), without a reference; STATUS_DLL_NOT_FOUND when it is
/// not loaded.
#[no_mangle]
pub extern "system" fn LdrGetDllHandle(
    _dll_path: *const u16,
    _dll_characteristics: *const u32,
    dll_name_string: *const UnicodeString,
    dll_handle: *mut usize,
) -> NTSTATUS {
    LdrGetDllHandleEx(
        LDR_GET_DLL_HANDLE_EX_UNCHANGED_REFCOUNT,
        _dll_path,
        _dll_characteristics,
        dll_name_string,
        dll_handle,
    )
}

/// LdrGetDllHandleEx flags.
const LDR_GET_DLL_HANDLE_EX_UNCHANGED_REFCOUNT: u32 = 0x1;
const LDR_GET_DLL_HANDLE_EX_PIN: u32 = 0x2;

/// LdrGetDllHandle that also takes a reference (flags 0), none
/// (UNCHANGED_REFCOUNT) or pins the module (PIN).
#[no_mangle]
pub extern "system" fn LdrGetDllHandleEx(
    flags_: u32,
    _dll_path: *const u16,
    _dll_characteristics: *const u32,
    dll_name_string: *const UnicodeString,
    dll_handle: *mut usize,
) -> NTSTATUS {
    result((|| {
        if flags_ & !(LDR_GET_DLL_HANDLE_EX_UNCHANGED_REFCOUNT | LDR_GET_DLL_HANDLE_EX_PIN) != 0 {
            return Err(STATUS_INVALID_PARAMETER);
        }
        ready()?;
        let name = dll_name(dll_name_string)?;
        let _lock = LoaderLock::acquire();
        let m = module::find_by_name(&name).ok_or(STATUS_DLL_NOT_FOUND)?;
        // SAFETY: a listed record.
        put(dll_handle, unsafe { (*m).entry.dll_base } as usize)?;
        if flags_ & LDR_GET_DLL_HANDLE_EX_PIN != 0 {
            module::pin(m);
        } else if flags_ & LDR_GET_DLL_HANDLE_EX_UNCHANGED_REFCOUNT == 0 {
            module::add_ref(m);
        }
        Ok(())
    })())
}

/// The address of an export of the module at `base_address`, by name when
/// `name` is given, else by `ordinal`; forwarders are followed (loading
/// and initialising the DLL they name if need be). A name that is not
/// exported is STATUS_PROCEDURE_NOT_FOUND, an ordinal
/// STATUS_ORDINAL_NOT_FOUND, an unknown module STATUS_DLL_NOT_FOUND; no
/// name and ordinal 0 is STATUS_INVALID_PARAMETER.
#[no_mangle]
pub extern "system" fn LdrGetProcedureAddress(
    base_address: usize,
    name: *const AnsiString,
    ordinal: u32,
    procedure_address: *mut usize,
) -> NTSTATUS {
    result((|| {
        ready()?;
        writable(procedure_address)?;
        let _lock = LoaderLock::acquire();
        let m = module::find_by_base(base_address as u64).ok_or(STATUS_DLL_NOT_FOUND)?;
        let lookup = if name.is_null() {
            if ordinal == 0 {
                return Err(STATUS_INVALID_PARAMETER);
            }
            Lookup::Ordinal(ordinal)
        } else {
            // SAFETY: the caller passes a valid ANSI_STRING, which has
            // UNICODE_STRING's layout.
            let bytes: &[u8] = unsafe { counted(name as *const UnicodeString)? };
            // Export names are ASCII: anything else cannot match.
            let name = core::str::from_utf8(bytes).map_err(|_| STATUS_PROCEDURE_NOT_FOUND)?;
            Lookup::Name { hint: None, name }
        };
        let mark = module::last_loaded();
        let found = load::procedure(m, lookup).and_then(|a| load::initialize(0).map(|()| a));
        match found {
            Ok(address) => put(procedure_address, address as usize),
            Err(status) => {
                load::discard_since(mark);
                // As Wine's tests of Windows show: a missing name is
                // PROCEDURE_NOT_FOUND, a missing ordinal ORDINAL_NOT_FOUND.
                Err(match status {
                    STATUS_ENTRYPOINT_NOT_FOUND => STATUS_PROCEDURE_NOT_FOUND,
                    other => other,
                })
            }
        }
    })())
}

/// Releases a reference on the module at `base_address`; at the last one
/// it gets DLL_PROCESS_DETACH and is unmapped, and so is every DLL only it
/// kept loaded. The process image, ntdll and the DLLs loaded at process
/// start are never unloaded. Unknown base: STATUS_DLL_NOT_FOUND.
#[no_mangle]
pub extern "system" fn LdrUnloadDll(base_address: usize) -> NTSTATUS {
    result((|| {
        ready()?;
        let _lock = LoaderLock::acquire();
        let m = module::find_by_base(base_address as u64).ok_or(STATUS_DLL_NOT_FOUND)?;
        load::unload(m);
        Ok(())
    })())
}

/// The LDR_DATA_TABLE_ENTRY of the module containing `address`;
/// STATUS_NO_MORE_ENTRIES when no module does.
#[no_mangle]
pub extern "system" fn LdrFindEntryForAddress(
    address: usize,
    entry: *mut *mut LdrDataTableEntry,
) -> NTSTATUS {
    result((|| {
        ready().map_err(|_| STATUS_NO_MORE_ENTRIES)?;
        let _lock = LoaderLock::acquire();
        let m = module::find_by_address(address as u64).ok_or(STATUS_NO_MORE_ENTRIES)?;
        put(entry, m as *mut LdrDataTableEntry)
    })())
}

/// Stops DLL_THREAD_ATTACH/DETACH calls to the DLL at `base_address`.
#[no_mangle]
pub extern "system" fn LdrDisableThreadCalloutsForDll(base_address: usize) -> NTSTATUS {
    result((|| {
        ready()?;
        let _lock = LoaderLock::acquire();
        let m: *mut Module =
            module::find_by_base(base_address as u64).ok_or(STATUS_DLL_NOT_FOUND)?;
        // SAFETY: a listed record.
        unsafe { (*m).entry.flags |= flags::DONT_CALL_FOR_THREADS };
        Ok(())
    })())
}

/// The calling thread is ending: TLS callbacks and DLL_THREAD_DETACH, then
/// its TLS blocks are freed. (RtlExitUserThread should call this before
/// NtTerminateThread, as LdrInitializeThunk does.)
#[no_mangle]
pub extern "system" fn LdrShutdownThread() {
    if ready().is_ok() {
        let _lock = LoaderLock::acquire();
        init::thread_end();
    }
}

/// The process is ending: DLL_PROCESS_DETACH for every DLL, last
/// initialised first.
#[no_mangle]
pub extern "system" fn LdrShutdownProcess() {
    if ready().is_ok() {
        let _lock = LoaderLock::acquire();
        init::process_end();
    }
}

/// Ends the process the way ExitProcess does: DLL_PROCESS_DETACH
/// notifications in this thread, then the process with `exit_status`.
/// (Windows first ends the other threads with NtTerminateProcess(NULL);
/// the Executive takes a NULL handle for the whole process, which would end
/// it before the notifications, so that step waits for the Executive.)
#[no_mangle]
pub extern "system" fn RtlExitUserProcess(exit_status: u32) -> ! {
    LdrShutdownProcess();
    sys::terminate_process(NtStatus(exit_status))
}
