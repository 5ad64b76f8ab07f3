//! RtlCharToInteger, RtlUnicodeStringToInteger, RtlIntegerToChar and
//! RtlIntegerToUnicodeString over `rtl::num`.

use super::string::{narrow_z, units};
use nt_abi::status::{STATUS_ACCESS_VIOLATION, STATUS_BUFFER_OVERFLOW, STATUS_SUCCESS};
use nt_abi::types::UnicodeString;
use nt_abi::NtStatus;
use rtl::num;

fn store(r: Result<u32, NtStatus>, value: *mut u32) -> NtStatus {
    if value.is_null() {
        return STATUS_ACCESS_VIOLATION;
    }
    match r {
        Ok(v) => {
            // SAFETY: checked non-NULL; the caller passes a ULONG to fill.
            unsafe { *value = v };
            STATUS_SUCCESS
        }
        Err(st) => st,
    }
}

#[no_mangle]
pub unsafe extern "system" fn RtlCharToInteger(
    String: *const u8,
    Base: u32,
    Value: *mut u32,
) -> NtStatus {
    let s = narrow_z(String);
    // Only the leading spaces, sign, prefix and digits matter; 128 bytes
    // cover every string that does not overflow anyway.
    let mut wide = [0u16; 128];
    let n = s.len().min(wide.len());
    for (w, &b) in wide.iter_mut().zip(&s[..n]) {
        *w = b as u16;
    }
    store(num::rtl_to_integer(&wide[..n], Base), Value)
}

#[no_mangle]
pub unsafe extern "system" fn RtlUnicodeStringToInteger(
    String: *const UnicodeString,
    Base: u32,
    Value: *mut u32,
) -> NtStatus {
    store(num::rtl_to_integer(units(String), Base), Value)
}

#[no_mangle]
pub unsafe extern "system" fn RtlIntegerToChar(
    Value: u32,
    Base: u32,
    Length: i32,
    String: *mut u8,
) -> NtStatus {
    // A Length of 0 or less means "large enough" in practice; 33 bytes hold
    // any 32-bit value in base 2 with its NUL.
    let len = if Length <= 0 { 33 } else { Length as usize };
    let out = core::slice::from_raw_parts_mut(String, len);
    match num::rtl_integer_to_char(Value, Base, out) {
        Ok(_) => STATUS_SUCCESS,
        Err(st) => st,
    }
}

#[no_mangle]
pub unsafe extern "system" fn RtlIntegerToUnicodeString(
    Value: u32,
    Base: u32,
    String: *mut UnicodeString,
) -> NtStatus {
    let mut text = [0u8; 33];
    let n = match num::rtl_integer_to_char(Value, Base, &mut text) {
        Ok(n) => n,
        Err(st) => return st,
    };
    if n * 2 >= (*String).maximum_length as usize {
        return STATUS_BUFFER_OVERFLOW;
    }
    let dst = (*String).buffer as *mut u16;
    for (i, &b) in text[..n].iter().enumerate() {
        *dst.add(i) = b as u16;
    }
    *dst.add(n) = 0;
    (*String).length = (n * 2) as u16;
    STATUS_SUCCESS
}
