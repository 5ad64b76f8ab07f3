//! atoi, strtol, _itoa and friends over `rtl::num` (no errno: ntdll has
//! none; overflow clamps as the C standard says).

use rtl::format::Unit;
use rtl::num;

/// The units of a NUL-terminated string widened to UTF-16 code units, fed
/// to `f` in chunks small enough for the stack: number parsing never needs
/// more than the leading spaces, sign, prefix and digits, so 512 units are
/// plenty (longer digit runs already overflow).
unsafe fn with_units<T: Unit, R>(s: *const T, f: impl FnOnce(&[u16]) -> R) -> R {
    let mut buf = [0u16; 512];
    let mut n = 0;
    while n < buf.len() && (*s.add(n)).to_u16() != 0 {
        buf[n] = (*s.add(n)).to_u16();
        n += 1;
    }
    f(&buf[..n])
}

unsafe fn set_end<T>(end: *mut *mut T, s: *const T, used: usize) {
    if !end.is_null() {
        *end = s.add(used) as *mut T;
    }
}

#[no_mangle]
pub unsafe extern "C" fn atoi(s: *const u8) -> i32 {
    with_units(s, num::atoi64) as i32
}
#[no_mangle]
pub unsafe extern "C" fn atol(s: *const u8) -> i32 {
    with_units(s, num::atoi64) as i32
}
#[no_mangle]
pub unsafe extern "C" fn _atoi64(s: *const u8) -> i64 {
    with_units(s, num::atoi64)
}
#[no_mangle]
pub unsafe extern "C" fn strtol(s: *const u8, end: *mut *mut u8, base: i32) -> i32 {
    let (v, used) = with_units(s, |u| num::strtol(u, base as u32));
    set_end(end, s, used);
    v
}
#[no_mangle]
pub unsafe extern "C" fn strtoul(s: *const u8, end: *mut *mut u8, base: i32) -> u32 {
    let (v, used) = with_units(s, |u| num::strtoul(u, base as u32));
    set_end(end, s, used);
    v
}
#[no_mangle]
pub unsafe extern "C" fn wcstol(s: *const u16, end: *mut *mut u16, base: i32) -> i32 {
    let (v, used) = with_units(s, |u| num::strtol(u, base as u32));
    set_end(end, s, used);
    v
}
#[no_mangle]
pub unsafe extern "C" fn wcstoul(s: *const u16, end: *mut *mut u16, base: i32) -> u32 {
    let (v, used) = with_units(s, |u| num::strtoul(u, base as u32));
    set_end(end, s, used);
    v
}

/// Writes the text of a number and a NUL to `out`; returns `out`.
unsafe fn put<T: Unit>(v: i64, bits: u32, signed: bool, radix: i32, out: *mut T) -> *mut T {
    let mut text = [0u8; 65];
    let n = if signed {
        num::signed_to_text(v, bits, radix as u32, &mut text)
    } else {
        num::to_text(v as u64, false, radix as u32, false, &mut text)
    };
    for (i, &b) in text[..n].iter().enumerate() {
        *out.add(i) = T::from_narrow(b);
    }
    *out.add(n) = T::from_narrow(0);
    out
}

#[no_mangle]
pub unsafe extern "C" fn _itoa(v: i32, out: *mut u8, radix: i32) -> *mut u8 {
    put(v as i64, 32, true, radix, out)
}
#[no_mangle]
pub unsafe extern "C" fn _ltoa(v: i32, out: *mut u8, radix: i32) -> *mut u8 {
    put(v as i64, 32, true, radix, out)
}
#[no_mangle]
pub unsafe extern "C" fn _ultoa(v: u32, out: *mut u8, radix: i32) -> *mut u8 {
    put(v as i64, 32, false, radix, out)
}
#[no_mangle]
pub unsafe extern "C" fn _i64toa(v: i64, out: *mut u8, radix: i32) -> *mut u8 {
    put(v, 64, true, radix, out)
}
#[no_mangle]
pub unsafe extern "C" fn _ui64toa(v: u64, out: *mut u8, radix: i32) -> *mut u8 {
    put(v as i64, 64, false, radix, out)
}
#[no_mangle]
pub unsafe extern "C" fn _itow(v: i32, out: *mut u16, radix: i32) -> *mut u16 {
    put(v as i64, 32, true, radix, out)
}
#[no_mangle]
pub unsafe extern "C" fn _ltow(v: i32, out: *mut u16, radix: i32) -> *mut u16 {
    put(v as i64, 32, true, radix, out)
}
#[no_mangle]
pub unsafe extern "C" fn _ultow(v: u32, out: *mut u16, radix: i32) -> *mut u16 {
    put(v as i64, 32, false, radix, out)
}
