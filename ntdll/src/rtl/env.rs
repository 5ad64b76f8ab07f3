//! Environment exports: RtlCreateEnvironment, RtlDestroyEnvironment,
//! RtlSetEnvironmentVariable, RtlQueryEnvironmentVariable_U. Blocks live in
//! their own virtual-memory allocations, as on Windows; a NULL environment
//! argument means the process's (ProcessParameters->Environment).

use super::string::units;
use core::ffi::c_void;
use nt_abi::consts::{MEM_COMMIT, MEM_RELEASE, MEM_RESERVE, PAGE_READWRITE};
use nt_abi::status::{
    STATUS_BUFFER_TOO_SMALL, STATUS_INVALID_PARAMETER, STATUS_NO_MEMORY, STATUS_SUCCESS,
    STATUS_VARIABLE_NOT_FOUND,
};
use nt_abi::types::{RtlUserProcessParameters, UnicodeString};
use nt_abi::{Handle, NtStatus};

/// The process parameters (NULL before the Executive set them).
pub fn params() -> *mut RtlUserProcessParameters {
    // SAFETY: the PEB is mapped for the life of the process.
    unsafe { (*super::peb()).process_parameters as *mut RtlUserProcessParameters }
}

/// Allocates `bytes` of fresh committed memory.
pub fn vm_alloc(bytes: usize) -> *mut c_void {
    let (mut base, mut size) = (0usize, bytes);
    let st = crate::NtAllocateVirtualMemory(
        Handle::CURRENT_PROCESS.0,
        &mut base as *mut usize as u64,
        0,
        &mut size as *mut usize as u64,
        (MEM_RESERVE | MEM_COMMIT) as u64,
        PAGE_READWRITE as u64,
    );
    if st.is_success() {
        base as *mut c_void
    } else {
        core::ptr::null_mut()
    }
}

/// Releases an allocation made by [`vm_alloc`].
pub fn vm_free(p: *mut c_void) -> NtStatus {
    let (mut base, mut size) = (p as usize, 0usize);
    crate::NtFreeVirtualMemory(
        Handle::CURRENT_PROCESS.0,
        &mut base as *mut usize as u64,
        &mut size as *mut usize as u64,
        MEM_RELEASE as u64,
    )
}

/// The process environment block's address (NULL if none).
fn process_env() -> *mut u16 {
    let p = params();
    if p.is_null() {
        return core::ptr::null_mut();
    }
    // SAFETY: the process parameters are mapped for the life of the process.
    unsafe { (*p).environment as *mut u16 }
}

/// The units of a block (just the terminator for NULL).
///
/// # Safety
/// `p` is NULL or a well-formed block.
unsafe fn block<'a>(p: *const u16) -> &'a [u16] {
    if p.is_null() {
        &[0]
    } else {
        rtl::env::from_ptr(p)
    }
}

/// RtlCreateEnvironment: an empty block, or a copy of the process's.
#[no_mangle]
pub unsafe extern "system" fn RtlCreateEnvironment(
    CloneCurrentEnvironment: u8,
    Environment: *mut *mut c_void,
) -> NtStatus {
    let src: &[u16] = if CloneCurrentEnvironment != 0 {
        block(process_env())
    } else {
        &[0, 0]
    };
    let p = vm_alloc(src.len().max(2) * 2) as *mut u16;
    if p.is_null() {
        return STATUS_NO_MEMORY;
    }
    core::ptr::copy_nonoverlapping(src.as_ptr(), p, src.len());
    *Environment = p as *mut c_void;
    STATUS_SUCCESS
}

#[no_mangle]
pub extern "system" fn RtlDestroyEnvironment(Environment: *mut c_void) -> NtStatus {
    vm_free(Environment)
}

/// RtlSetEnvironmentVariable: builds the changed block in a new allocation
/// and frees the old one -- unless the old one is the process's own block
/// stored inside its process-parameters allocation, which is not ours to
/// free (it is simply abandoned).
#[no_mangle]
pub unsafe extern "system" fn RtlSetEnvironmentVariable(
    Environment: *mut *mut c_void,
    Name: *const UnicodeString,
    Value: *const UnicodeString,
) -> NtStatus {
    let own = Environment.is_null();
    let old = if own {
        process_env()
    } else {
        *Environment as *mut u16
    };
    let name = units(Name);
    let value = (!Value.is_null()).then(|| units(Value));
    let cur = block(old);
    let need = match rtl::env::set(cur, name, value, &mut []) {
        Err(st) => return st,
        Ok(Ok(n)) | Ok(Err(n)) => n,
    };
    let new = vm_alloc(need * 2) as *mut u16;
    if new.is_null() {
        return STATUS_NO_MEMORY;
    }
    let out = core::slice::from_raw_parts_mut(new, need);
    if rtl::env::set(cur, name, value, out) != Ok(Ok(need)) {
        vm_free(new as *mut c_void);
        return STATUS_INVALID_PARAMETER;
    }
    if own {
        let p = params();
        let inside = old as usize >= p as usize
            && (old as usize) < p as usize + (*p).maximum_length as usize;
        (*p).environment = new as u64;
        (*p).environment_size = (need * 2) as u64;
        (*p).environment_version += 1;
        if !old.is_null() && !inside {
            vm_free(old as *mut c_void);
        }
    } else {
        if !old.is_null() {
            vm_free(old as *mut c_void);
        }
        *Environment = new as *mut c_void;
    }
    STATUS_SUCCESS
}

/// RtlQueryEnvironmentVariable_U: copies the value (NUL-terminated when
/// there is room) and sets Value->Length; STATUS_BUFFER_TOO_SMALL with the
/// needed Length when MaximumLength is too small.
#[no_mangle]
pub unsafe extern "system" fn RtlQueryEnvironmentVariable_U(
    Environment: *mut c_void,
    Name: *const UnicodeString,
    Value: *mut UnicodeString,
) -> NtStatus {
    let env = if Environment.is_null() {
        process_env()
    } else {
        Environment as *mut u16
    };
    let Some(v) = rtl::env::query(block(env), units(Name)) else {
        return STATUS_VARIABLE_NOT_FOUND;
    };
    let bytes = v.len() * 2;
    if bytes > 0xFFFE {
        return STATUS_BUFFER_TOO_SMALL;
    }
    (*Value).length = bytes as u16;
    if bytes > (*Value).maximum_length as usize {
        return STATUS_BUFFER_TOO_SMALL;
    }
    let dst = (*Value).buffer as *mut u16;
    core::ptr::copy_nonoverlapping(v.as_ptr(), dst, v.len());
    if bytes + 2 <= (*Value).maximum_length as usize {
        *dst.add(v.len()) = 0;
    }
    STATUS_SUCCESS
}
