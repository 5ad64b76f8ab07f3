//! Path exports over `rtl::path`: RtlDetermineDosPathNameType_U,
//! RtlIsDosDeviceName_U, RtlGetFullPathName_U, RtlDosPathNameToNtPathName_U
//! and the current directory (ProcessParameters->CurrentDirectory).
//!
//! RtlSetCurrentDirectory_U accepts any syntactically valid directory: it
//! does not open it (there are no files until the I/O manager arrives), so
//! CurrentDirectory.Handle stays as it was.

use super::env::params;
use super::heap;
use super::string::{units, wide_z};
use core::ffi::c_void;
use core::sync::atomic::{AtomicBool, Ordering};
use nt_abi::status::{
    STATUS_NAME_TOO_LONG, STATUS_NOT_A_DIRECTORY, STATUS_NO_MEMORY, STATUS_SUCCESS,
};
use nt_abi::types::UnicodeString;
use nt_abi::NtStatus;
use rtl::path::{self, Written};

/// Serialises users of the current directory (Windows uses the PEB lock).
static CURDIR_LOCK: AtomicBool = AtomicBool::new(false);

fn with_curdir<R>(f: impl FnOnce(&[u16]) -> R) -> R {
    while CURDIR_LOCK
        .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        crate::NtYieldExecution();
    }
    let p = params();
    // SAFETY: the process parameters and their CurrentDirectory buffer are
    // mapped for the life of the process; the lock keeps writers out.
    let cur = if p.is_null() {
        &[][..]
    } else {
        unsafe { units(&(*p).current_directory.dos_path) }
    };
    let r = f(cur);
    CURDIR_LOCK.store(false, Ordering::Release);
    r
}

/// Runs `conv` on `name` against the current directory in a process-heap
/// scratch buffer, then hands the result to `done`.
fn convert<R>(
    name: &[u16],
    conv: fn(&[u16], &[u16], &mut [u16]) -> Result<Written, NtStatus>,
    done: impl FnOnce(Result<(&[u16], Written), NtStatus>) -> R,
) -> R {
    with_curdir(|cur| {
        let n = path::bound(name, cur);
        let buf = heap::alloc(n * 2) as *mut u16;
        if buf.is_null() {
            return done(Err(STATUS_NO_MEMORY));
        }
        // SAFETY: a fresh allocation of n units.
        let out = unsafe { core::slice::from_raw_parts_mut(buf, n) };
        let r = conv(name, cur, out).map(|w| (&out[..w.len], w));
        let r = done(r);
        heap::free(buf as *mut c_void);
        r
    })
}

#[no_mangle]
pub unsafe extern "system" fn RtlDetermineDosPathNameType_U(Path: *const u16) -> u32 {
    path::path_type(wide_z(Path)) as u32
}

/// RtlIsDosDeviceName_U: (offset << 16) | length, both in bytes, or 0.
#[no_mangle]
pub unsafe extern "system" fn RtlIsDosDeviceName_U(DosFileName: *const u16) -> u32 {
    match path::dos_device(wide_z(DosFileName)) {
        Some((off, len)) => ((off * 2) << 16 | len * 2) as u32,
        None => 0,
    }
}

/// RtlGetFullPathName_U: the length in bytes written (no NUL), or the size
/// in bytes needed (NUL included) if `BufferLength` is too small, or 0 for
/// an invalid name.
#[no_mangle]
pub unsafe extern "system" fn RtlGetFullPathName_U(
    FileName: *const u16,
    BufferLength: u32,
    Buffer: *mut u16,
    FilePart: *mut *mut u16,
) -> u32 {
    if !FilePart.is_null() {
        *FilePart = core::ptr::null_mut();
    }
    convert(wide_z(FileName), path::full_path, |r| {
        let Ok((full, w)) = r else { return 0 };
        let bytes = match path::full_path_bytes(full.len(), BufferLength as usize) {
            Ok(bytes) => bytes,
            Err(needed) => return needed,
        };
        core::ptr::copy_nonoverlapping(full.as_ptr(), Buffer, full.len());
        *Buffer.add(full.len()) = 0;
        if let (Some(f), false) = (w.file_part, FilePart.is_null()) {
            *FilePart = Buffer.add(f);
        }
        bytes
    })
}

/// RtlDosPathNameToNtPathName_U: the NT path in a new process-heap string
/// (free with RtlFreeUnicodeString); RelativeName, if given, is cleared
/// (paths are never made relative to an open current directory yet).
#[no_mangle]
pub unsafe extern "system" fn RtlDosPathNameToNtPathName_U(
    DosFileName: *const u16,
    NtFileName: *mut UnicodeString,
    FilePart: *mut *mut u16,
    RelativeName: *mut [u64; 4],
) -> u8 {
    if !FilePart.is_null() {
        *FilePart = core::ptr::null_mut();
    }
    if !RelativeName.is_null() {
        *RelativeName = [0; 4];
    }
    convert(wide_z(DosFileName), path::nt_path, |r| {
        let Ok((nt, w)) = r else { return 0 };
        if !super::string::alloc_unicode(NtFileName, nt).is_success() {
            return 0;
        }
        if let (Some(f), false) = (w.file_part, FilePart.is_null()) {
            *FilePart = ((*NtFileName).buffer as *mut u16).add(f);
        }
        1
    })
}

/// RtlGetCurrentDirectory_U: the current directory without its trailing
/// separator (except for a root such as `C:\`); bytes written, or bytes
/// needed (NUL included) if the buffer is too small.
#[no_mangle]
pub unsafe extern "system" fn RtlGetCurrentDirectory_U(BufferLength: u32, Buffer: *mut u16) -> u32 {
    with_curdir(|cur| {
        let mut n = cur.len();
        let root = path::path_type(cur) == path::PathType::DriveAbsolute && n == 3;
        if n > 0 && cur[n - 1] == b'\\' as u16 && !root {
            n -= 1;
        }
        if (n + 1) * 2 > BufferLength as usize {
            return ((n + 1) * 2) as u32;
        }
        core::ptr::copy_nonoverlapping(cur.as_ptr(), Buffer, n);
        *Buffer.add(n) = 0;
        (n * 2) as u32
    })
}

/// RtlSetCurrentDirectory_U: stores the full path with a trailing `\`,
/// in place when the current buffer is big enough, else in a new
/// process-heap buffer.
#[no_mangle]
pub unsafe extern "system" fn RtlSetCurrentDirectory_U(Path: *const UnicodeString) -> NtStatus {
    let name = units(Path);
    // Resolve first (this takes the lock itself), then store under the lock.
    let mut tmp = [0u16; 262];
    let r = convert(name, path::full_path, |r| match r {
        Err(st) => Err(st),
        Ok((_, w)) if w.file_part.is_none() && path::dos_device(name).is_some() => {
            Err(STATUS_NOT_A_DIRECTORY)
        }
        Ok((full, _)) if full.len() + 1 >= tmp.len() => Err(STATUS_NAME_TOO_LONG),
        Ok((full, _)) => {
            tmp[..full.len()].copy_from_slice(full);
            let mut n = full.len();
            if tmp[n - 1] != b'\\' as u16 {
                tmp[n] = b'\\' as u16;
                n += 1;
            }
            Ok(n)
        }
    });
    let n = match r {
        Ok(n) => n,
        Err(st) => return st,
    };
    let p = params();
    with_curdir(|_| {
        let dos = &mut (*p).current_directory.dos_path;
        if (dos.maximum_length as usize) < (n + 1) * 2 || dos.buffer == 0 {
            let buf = heap::alloc((n + 1) * 2) as *mut u16;
            if buf.is_null() {
                return STATUS_NO_MEMORY;
            }
            // The old buffer is left alone: it may be inside the process
            // parameters block rather than on the heap.
            dos.buffer = buf as u64;
            dos.maximum_length = ((n + 1) * 2) as u16;
        }
        let dst = dos.buffer as *mut u16;
        core::ptr::copy_nonoverlapping(tmp.as_ptr(), dst, n);
        *dst.add(n) = 0;
        dos.length = (n * 2) as u16;
        STATUS_SUCCESS
    })
}
