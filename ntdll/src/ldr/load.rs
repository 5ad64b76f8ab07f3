//! Loading and unloading: mapping a DLL from `\KnownDlls`, binding its
//! imports (loading what they name, recursively), running initialisers in
//! dependency order, and taking modules apart again on failure or on the
//! last LdrUnloadDll.
//!
//! A load that fails part-way removes every module it added, so the module
//! lists are the same as before the call. Reference counts: each import
//! descriptor of a module holds one reference on the DLL it names
//! (recorded in the module's `deps`, released when it unloads), each
//! successful LdrLoadDll one. Modules loaded while the process starts are
//! pinned, as Windows does with static imports, and so are DLLs loaded
//! only to follow a forwarder (Windows never releases those either).

use nt_abi::status::*;
use nt_abi::NtStatus;
use pe::{BindError, DllName, Exports, Fixup, Import, Lookup, Modules, Resolver};

use super::module::{self, flags, List, Module};
use super::{sys, tls};

/// DllMain reasons (winnt.h).
pub const DLL_PROCESS_DETACH: u32 = 0;
pub const DLL_PROCESS_ATTACH: u32 = 1;
pub const DLL_THREAD_ATTACH: u32 = 2;
pub const DLL_THREAD_DETACH: u32 = 3;

/// `DllMain(HINSTANCE, DWORD, LPVOID) -> BOOL`.
type DllMain = extern "system" fn(usize, u32, usize) -> i32;

/// Where DLLs come from until files do: `\KnownDlls\<name>`.
const KNOWN_DLLS: &str = "\\KnownDlls\\";
/// The FullDllName prefix of a DLL from `\KnownDlls` (KnownDllPath).
pub const SYSTEM32: &str = "\\SystemRoot\\system32\\";

/// Whether modules loaded now are pinned (while the process starts).
static PIN_NEW: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// Sets whether modules loaded from now on are pinned.
pub fn pin_new_modules(on: bool) {
    PIN_NEW.store(on, core::sync::atomic::Ordering::Relaxed);
}

/// Says on the debug console what a starting process lacks (a program
/// probing with LdrLoadDll later is not worth a line).
fn starting_failure(what: &str, name: &str, status: NtStatus) {
    if PIN_NEW.load(core::sync::atomic::Ordering::Relaxed) {
        sys::report_str(what, name, status);
    }
}

fn invalid(_: pe::PeError) -> NtStatus {
    STATUS_INVALID_IMAGE_FORMAT
}

/// `prefix` followed by `name` in `buf`; the used part.
fn join<'b>(buf: &'b mut [u16], prefix: &str, name: &[u16]) -> &'b [u16] {
    let mut n = 0;
    for (slot, c) in buf
        .iter_mut()
        .zip(prefix.encode_utf16().chain(name.iter().copied()))
    {
        *slot = c;
        n += 1;
    }
    &buf[..n]
}

/// Room for a prefix above and the longest DllName.
const PATH_UNITS: usize = 32 + pe::MAX_DLL_NAME;

/// The module called `name`: an already listed one, or one mapped from
/// `\KnownDlls` now, listed, given its TLS slot and bound (which loads its
/// imports first). New modules have no reference yet and have not been
/// initialised; on failure the caller removes what was added since its
/// mark ([`discard_since`]).
pub fn load(name: &DllName) -> Result<*mut Module, NtStatus> {
    if let Some(m) = module::find_by_name(name) {
        return Ok(m);
    }
    let mut buf = [0u16; PATH_UNITS];
    let (base, view) = sys::map_image_section(join(&mut buf, KNOWN_DLLS, name.as_utf16()))?;
    let size = match module::checked_size(base, Some(view)) {
        Ok(size) => size,
        Err(status) => {
            sys::unmap(base);
            return Err(status);
        }
    };
    let m = match module::new_module(base, size, join(&mut buf, SYSTEM32, name.as_utf16())) {
        Ok(m) => m,
        Err(status) => {
            sys::unmap(base);
            return Err(status);
        }
    };
    // SAFETY: a fresh record.
    unsafe { (*m).entry.flags = flags::LOAD_IN_PROGRESS };
    module::insert_tail(List::Load, m);
    module::insert_tail(List::Memory, m);
    if PIN_NEW.load(core::sync::atomic::Ordering::Relaxed) {
        module::pin(m);
    }

    let image = module::image(m)?;
    let dll = image.is_dll();
    let entry = image.entry_rva();
    let stamp = image.time_date_stamp();
    // SAFETY: a listed record.
    unsafe {
        let e = &mut (*m).entry;
        // An image that is not a DLL is mapped but never called.
        e.entry_point = match (dll, entry) {
            (true, Some(rva)) => base + u64::from(rva),
            _ => 0,
        };
        e.time_date_stamp = stamp;
        if dll {
            e.flags |= flags::IMAGE_DLL;
        }
    }
    tls::setup(m)?;
    bind(m)?;
    // SAFETY: a listed record.
    unsafe { (*m).entry.flags &= !flags::LOAD_IN_PROGRESS };
    // Dependencies finished first, so they precede it: initialisation
    // order is dependency order.
    module::insert_tail(List::Init, m);
    Ok(m)
}

/// Binds the imports of `m` (a listed module): resolves them all (loading
/// the DLLs they name), then writes the IAT slots, making each run of them
/// writable just for the write.
pub fn bind(m: *mut Module) -> Result<(), NtStatus> {
    let count = pe::count_imports(&module::image(m)?).map_err(invalid)? as usize;
    if count == 0 {
        return Ok(());
    }
    let block = sys::alloc(count * core::mem::size_of::<Fixup>()).ok_or(STATUS_NO_MEMORY)?;
    // SAFETY: `count` zeroed Fixups (all-zero is a valid Fixup).
    let fixups = unsafe { core::slice::from_raw_parts_mut(block as *mut Fixup, count) };
    let result = resolve_and_write(m, fixups);
    sys::free(block);
    result
}

fn resolve_and_write(m: *mut Module, fixups: &mut [Fixup]) -> Result<(), NtStatus> {
    let resolved = pe::resolve_imports(&module::image(m)?, fixups, &mut Snapper { importer: m });
    let n = resolved.map_err(|e| match e {
        BindError::Image(e) => invalid(e),
        BindError::Resolve(status) => status,
    })?;
    let fixups = &fixups[..n];
    // SAFETY: a listed record.
    let base = unsafe { (*m).entry.dll_base };
    let mut run_index = 0;
    loop {
        // A fresh view per run: none is alive while the IAT is written.
        let run = pe::write_runs(&module::image(m)?, fixups).nth(run_index);
        let Some(run) = run else { return Ok(()) };
        let run = run.map_err(invalid)?;
        let (address, len) = (base + u64::from(run.rva), u64::from(run.len));
        let restore = match run.write_protection() {
            Some(p) => Some(sys::protect(address, len, p)?),
            None => None,
        };
        for f in &fixups[run.fixups.clone()] {
            // SAFETY: the slot is inside the image (write_runs checked it
            // against its section) and writable now.
            unsafe { ((base + u64::from(f.iat_rva)) as *mut u64).write_unaligned(f.address) };
        }
        if let Some(old) = restore {
            sys::protect(address, len, old)?;
        }
        run_index += 1;
    }
}

/// Resolves one module's imports: each descriptor's DLL is found or
/// loaded and referenced, each function looked up through forwarders.
struct Snapper {
    importer: *mut Module,
}

impl Resolver for Snapper {
    type Dll = *mut Module;
    type Error = NtStatus;

    fn dll(&mut self, name: &str) -> Result<*mut Module, NtStatus> {
        let found = DllName::from_utf8(name)
            .ok_or(STATUS_DLL_NOT_FOUND)
            .and_then(|dll| load(&dll));
        let dll = found.inspect_err(|&status| starting_failure("cannot load", name, status))?;
        module::push_dep(self.importer, dll)?;
        module::add_ref(dll);
        Ok(dll)
    }

    fn import(&mut self, dll: &mut *mut Module, import: &Import<'_>) -> Result<u64, NtStatus> {
        let found = pe::resolve_export(&mut Loaded, *dll, (*import).into()).map_err(NtStatus);
        found.inspect_err(|&status| {
            if let Import::ByName { name, .. } = import {
                starting_failure("cannot find", name, status);
            }
        })
    }
}

/// The listed modules as `pe::resolve_export` sees them.
pub struct Loaded;

impl Modules<'static> for Loaded {
    type Module = *mut Module;

    fn exports(&mut self, m: *mut Module) -> Result<(u64, Option<Exports<'static>>), u32> {
        let image = module::image(m).map_err(|s| s.0)?;
        // SAFETY: a listed record.
        let base = unsafe { (*m).entry.dll_base };
        Ok((base, image.exports().map_err(|e| e.ntstatus())?))
    }

    fn forwarded(&mut self, dll: &str) -> Result<*mut Module, u32> {
        let name = DllName::from_utf8(dll).ok_or(STATUS_DLL_NOT_FOUND.0)?;
        if let Some(m) = module::find_by_name(&name) {
            return Ok(m);
        }
        let m = load(&name).map_err(|s| s.0)?;
        module::pin(m);
        Ok(m)
    }
}

/// Looks `lookup` up in `m`'s exports (following forwarders).
pub fn procedure(m: *mut Module, lookup: Lookup<'_>) -> Result<u64, NtStatus> {
    pe::resolve_export(&mut Loaded, m, lookup).map_err(NtStatus)
}

/// Calls `m`'s DllMain with `reason`; its BOOL result.
fn call_dll_main(m: *mut Module, reason: u32, reserved: usize) -> bool {
    // SAFETY: a listed record.
    let (entry, base) = unsafe { ((*m).entry.entry_point, (*m).entry.dll_base) };
    if entry == 0 {
        return true;
    }
    // SAFETY: the entry point lies inside the DLL's image (checked when it
    // was parsed) and has DllMain's signature.
    let dll_main: DllMain = unsafe { core::mem::transmute(entry as usize) };
    dll_main(base as usize, reason, reserved) != 0
}

/// Runs the initialisers of every DLL not yet initialised, in
/// initialisation order: TLS callbacks, then DllMain(DLL_PROCESS_ATTACH,
/// `reserved`: non-NULL for the modules of a starting process, as on
/// Windows). A DllMain that returns FALSE stops the walk:
/// STATUS_DLL_INIT_FAILED.
pub fn initialize(reserved: usize) -> Result<(), NtStatus> {
    for m in module::iter(List::Init, false) {
        // SAFETY: a listed record.
        let e = unsafe { &mut (*m).entry };
        if e.flags & flags::ENTRY_PROCESSED != 0 {
            continue;
        }
        e.flags |= flags::ENTRY_PROCESSED;
        tls::run_callbacks(m, DLL_PROCESS_ATTACH);
        if !call_dll_main(m, DLL_PROCESS_ATTACH, reserved) {
            // SAFETY: a listed record.
            let name = module::base_name(m);
            sys::report("DllMain failed in", name, STATUS_DLL_INIT_FAILED);
            return Err(STATUS_DLL_INIT_FAILED);
        }
        // SAFETY: a listed record (DllMain may have loaded others).
        unsafe { (*m).entry.flags |= flags::PROCESS_ATTACH_CALLED };
    }
    Ok(())
}

/// DLL_THREAD_ATTACH or DLL_THREAD_DETACH for every initialised DLL
/// (TLS callbacks, then DllMain unless thread calls are off); attach in
/// initialisation order, detach in reverse.
pub fn notify_threads(reason: u32) {
    for m in module::iter(List::Init, reason == DLL_THREAD_DETACH) {
        // SAFETY: a listed record.
        let f = unsafe { (*m).entry.flags };
        if f & flags::PROCESS_ATTACH_CALLED == 0 {
            continue;
        }
        tls::run_callbacks(m, reason);
        if f & flags::DONT_CALL_FOR_THREADS == 0 {
            call_dll_main(m, reason, 0);
        }
    }
}

/// DLL_PROCESS_DETACH for every DLL that was attached, in reverse
/// initialisation order (the process is ending: `reserved` non-NULL).
pub fn detach_all() {
    for m in module::iter(List::Init, true) {
        detach(m, 1);
    }
}

/// DLL_PROCESS_DETACH for `m` if it was attached.
fn detach(m: *mut Module, reserved: usize) {
    // SAFETY: a listed record.
    let e = unsafe { &mut (*m).entry };
    if e.flags & flags::PROCESS_ATTACH_CALLED == 0 {
        return;
    }
    e.flags &= !flags::PROCESS_ATTACH_CALLED;
    tls::run_callbacks(m, DLL_PROCESS_DETACH);
    call_dll_main(m, DLL_PROCESS_DETACH, reserved);
}

/// Removes the modules listed after `mark` (a failed load): detaches those
/// that were attached, releases the references they held on older modules,
/// unmaps and frees them.
pub fn discard_since(mark: *mut Module) {
    for m in module::loaded_since(mark) {
        // SAFETY: a listed record.
        unsafe { (*m).unloading = true };
    }
    take_down();
}

/// Releases one reference on `m` (LdrUnloadDll); at the last one, `m` and
/// every module only it kept loaded are detached and unloaded.
pub fn unload(m: *mut Module) {
    // SAFETY: a listed record.
    if unsafe { (*m).unloading } || !module::release(m) {
        return;
    }
    // SAFETY: as above.
    unsafe { (*m).unloading = true };
    take_down();
}

/// Unloads the modules marked `unloading`. First the closure: a marked
/// module's references are released, and a module that loses its last one
/// is marked too. Then DLL_PROCESS_DETACH in reverse initialisation order,
/// then each is unlisted, its TLS block (this thread's) freed, its view
/// unmapped.
fn take_down() {
    // Each pass releases the references of modules marked in earlier
    // passes; it ends when a pass marks nothing new.
    let mut released_all = false;
    while !released_all {
        released_all = true;
        for m in module::iter(List::Load, false) {
            // SAFETY: listed records; `deps_len` is zeroed once released.
            unsafe {
                if !(*m).unloading || (*m).deps_len == 0 {
                    continue;
                }
                for &dep in module::deps(m) {
                    if !(*dep).unloading && module::release(dep) {
                        (*dep).unloading = true;
                    }
                }
                (*m).deps_len = 0;
            }
            released_all = false;
        }
    }
    for m in module::iter(List::Init, true) {
        // SAFETY: a listed record.
        if unsafe { (*m).unloading } {
            detach(m, 0);
        }
    }
    for m in module::iter(List::Load, false) {
        // SAFETY: a listed record, taken off every list before it is freed.
        unsafe {
            if !(*m).unloading {
                continue;
            }
            module::remove(List::Load, m);
            module::remove(List::Memory, m);
            module::remove(List::Init, m);
            tls::drop_block(m);
            sys::unmap((*m).entry.dll_base);
        }
        module::free_module(m);
    }
}
