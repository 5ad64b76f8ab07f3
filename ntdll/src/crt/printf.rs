//! The sprintf family over `rtl::format` (MS C runtime rules; see there).
//! Buffers without a count are written without a bound, as C's sprintf.

use crate::rtl::misc::VaArgs;
use core::ffi::VaList;
use rtl::format::{finish_ms, format, Unit, Writer};

/// Units in an "unbounded" buffer (the largest object size).
const UNBOUNDED: usize = isize::MAX as usize / 2;

unsafe fn fmt_z<'a, T: Unit>(f: *const T) -> &'a [T] {
    let mut n = 0;
    while (*f.add(n)).to_u16() != 0 {
        n += 1;
    }
    core::slice::from_raw_parts(f, n)
}

/// sprintf-style: no bound, always NUL-terminated, returns the length.
unsafe fn print<T: Unit>(buf: *mut T, f: *const T, args: &mut VaList) -> i32 {
    let mut out = Writer::from_raw(buf, UNBOUNDED);
    let n = format(fmt_z(f), &mut VaArgs(args), &mut out);
    out.set(n, T::from_narrow(0));
    n as i32
}

/// _snprintf-style: see `rtl::format::finish_ms`.
unsafe fn nprint<T: Unit>(buf: *mut T, count: usize, f: *const T, args: &mut VaList) -> i32 {
    let mut out = Writer::from_raw(buf, count);
    format(fmt_z(f), &mut VaArgs(args), &mut out);
    finish_ms(&mut out, count, T::from_narrow(0))
}

#[no_mangle]
pub unsafe extern "C" fn sprintf(buf: *mut u8, f: *const u8, mut args: ...) -> i32 {
    print(buf, f, &mut args)
}
#[no_mangle]
pub unsafe extern "C" fn vsprintf(buf: *mut u8, f: *const u8, mut args: VaList) -> i32 {
    print(buf, f, &mut args)
}
/// swprintf in its legacy MS form, without a count (ntdll's).
#[no_mangle]
pub unsafe extern "C" fn swprintf(buf: *mut u16, f: *const u16, mut args: ...) -> i32 {
    print(buf, f, &mut args)
}
#[no_mangle]
pub unsafe extern "C" fn _swprintf(buf: *mut u16, f: *const u16, mut args: ...) -> i32 {
    print(buf, f, &mut args)
}
#[no_mangle]
pub unsafe extern "C" fn _snprintf(buf: *mut u8, count: usize, f: *const u8, mut args: ...) -> i32 {
    nprint(buf, count, f, &mut args)
}
#[no_mangle]
pub unsafe extern "C" fn _vsnprintf(
    buf: *mut u8,
    count: usize,
    f: *const u8,
    mut args: VaList,
) -> i32 {
    nprint(buf, count, f, &mut args)
}
#[no_mangle]
pub unsafe extern "C" fn _snwprintf(
    buf: *mut u16,
    count: usize,
    f: *const u16,
    mut args: ...
) -> i32 {
    nprint(buf, count, f, &mut args)
}
#[no_mangle]
pub unsafe extern "C" fn _vsnwprintf(
    buf: *mut u16,
    count: usize,
    f: *const u16,
    mut args: VaList,
) -> i32 {
    nprint(buf, count, f, &mut args)
}
