//! Integer <-> text conversions for the C runtime (atoi, strtol, strtoul,
//! _itoa and friends) and for Rtl (RtlCharToInteger, RtlIntegerToChar,
//! RtlUnicodeStringToInteger), generic over narrow and wide characters.

use nt_abi::status::{STATUS_BUFFER_OVERFLOW, STATUS_INVALID_PARAMETER};
use nt_abi::NtStatus;

fn is_space(c: u16) -> bool {
    c == b' ' as u16 || (9..=13).contains(&c)
}

fn digit(c: u16, base: u32) -> Option<u32> {
    let d = match c {
        0x30..=0x39 => c as u32 - 0x30,
        0x41..=0x5A => c as u32 - 0x41 + 10,
        0x61..=0x7A => c as u32 - 0x61 + 10,
        _ => return None,
    };
    (d < base).then_some(d)
}

/// The result of [`parse`]: magnitude, sign, overflow, and how many
/// units were consumed (0 when no digits were found).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub magnitude: u64,
    pub negative: bool,
    pub overflow: bool,
    pub end: usize,
}

/// strtol's grammar: spaces, a sign, then for base 0 or 16 an optional
/// `0x`, for base 0 a leading `0` meaning octal; digits until the first
/// that is not one. `limit` is the largest magnitude before overflow is
/// flagged. `s` ends at its first NUL.
pub fn parse(s: &[u16], base: u32, limit: u64) -> Parsed {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while is_space(at(i)) {
        i += 1;
    }
    let negative = at(i) == b'-' as u16;
    if negative || at(i) == b'+' as u16 {
        i += 1;
    }
    let mut base = base;
    let hex_prefix = at(i) == b'0' as u16 && (at(i + 1) | 0x20) == b'x' as u16;
    if (base == 0 || base == 16) && hex_prefix && digit(at(i + 2), 16).is_some() {
        base = 16;
        i += 2;
    } else if base == 0 {
        base = if at(i) == b'0' as u16 { 8 } else { 10 };
    }
    let none = Parsed {
        magnitude: 0,
        negative: false,
        overflow: false,
        end: 0,
    };
    if !(2..=36).contains(&base) {
        return none;
    }
    let (mut v, mut overflow, start) = (0u64, false, i);
    while let Some(d) = digit(at(i), base) {
        match v
            .checked_mul(base as u64)
            .and_then(|x| x.checked_add(d as u64))
        {
            Some(x) if x <= limit => v = x,
            _ => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return none;
    }
    Parsed {
        magnitude: if overflow { limit } else { v },
        negative,
        overflow,
        end: i,
    }
}

/// strtol (32-bit LONG): clamps to LONG_MIN/LONG_MAX on overflow.
/// Returns the value and the number of units consumed.
pub fn strtol(s: &[u16], base: u32) -> (i32, usize) {
    let p = parse(s, base, 1 << 31);
    let v = if p.negative {
        (p.magnitude as i64).wrapping_neg()
    } else {
        (p.magnitude as i64).min(i32::MAX as i64)
    };
    (v as i32, p.end)
}

/// strtoul: ULONG_MAX on overflow; a `-` negates in unsigned arithmetic.
pub fn strtoul(s: &[u16], base: u32) -> (u32, usize) {
    let p = parse(s, base, u32::MAX as u64);
    let v = p.magnitude as u32;
    (
        if p.negative && !p.overflow {
            v.wrapping_neg()
        } else {
            v
        },
        p.end,
    )
}

/// _strtoi64.
pub fn strtoi64(s: &[u16], base: u32) -> (i64, usize) {
    let p = parse(s, base, 1 << 63);
    let v = if p.negative {
        (p.magnitude as i64).wrapping_neg()
    } else {
        p.magnitude.min(i64::MAX as u64) as i64
    };
    (v, p.end)
}

/// atoi / atol / _atoi64: decimal, wrapping on overflow like ntdll's.
pub fn atoi64(s: &[u16]) -> i64 {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while is_space(at(i)) {
        i += 1;
    }
    let negative = at(i) == b'-' as u16;
    if negative || at(i) == b'+' as u16 {
        i += 1;
    }
    let mut v = 0i64;
    while let Some(d) = digit(at(i), 10) {
        v = v.wrapping_mul(10).wrapping_add(d as i64);
        i += 1;
    }
    if negative {
        v.wrapping_neg()
    } else {
        v
    }
}

/// Writes `v` in `base` (2..=36, lower-case letters) with a `-` when
/// `negative`; returns the number of bytes written (no NUL). `out` must
/// hold 65 bytes; an invalid base writes nothing.
pub fn to_text(mut v: u64, negative: bool, base: u32, upper: bool, out: &mut [u8; 65]) -> usize {
    if !(2..=36).contains(&base) {
        return 0;
    }
    let mut tmp = [0u8; 64];
    let mut n = 0;
    loop {
        let d = (v % base as u64) as u8;
        tmp[n] = match d {
            0..=9 => b'0' + d,
            _ if upper => b'A' + d - 10,
            _ => b'a' + d - 10,
        };
        n += 1;
        v /= base as u64;
        if v == 0 {
            break;
        }
    }
    let mut k = 0;
    if negative {
        out[0] = b'-';
        k = 1;
    }
    for i in 0..n {
        out[k + i] = tmp[n - 1 - i];
    }
    k + n
}

/// _itoa/_ltoa (32-bit) and _i64toa: a sign only in base 10, otherwise the
/// two's-complement bits of the `bits`-wide value.
pub fn signed_to_text(v: i64, bits: u32, base: u32, out: &mut [u8; 65]) -> usize {
    if base == 10 && v < 0 {
        to_text(v.unsigned_abs(), true, base, false, out)
    } else {
        let mask = if bits == 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
        to_text(v as u64 & mask, false, base, false, out)
    }
}

/// RtlCharToInteger / RtlUnicodeStringToInteger: spaces, a sign, for base
/// 0 a prefix `0x`/`0o`/`0b` (else decimal), digits until the first that
/// is not one; wraps on overflow. Bases other than 0, 2, 8, 10, 16 are
/// STATUS_INVALID_PARAMETER.
pub fn rtl_to_integer(s: &[u16], base: u32) -> Result<u32, NtStatus> {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while at(i) != 0 && at(i) <= b' ' as u16 {
        i += 1;
    }
    let negative = at(i) == b'-' as u16;
    if negative || at(i) == b'+' as u16 {
        i += 1;
    }
    let base = match base {
        0 => {
            let b = if at(i) == b'0' as u16 {
                match at(i + 1) as u8 {
                    b'x' | b'X' => 16,
                    b'o' | b'O' => 8,
                    b'b' | b'B' => 2,
                    _ => 0,
                }
            } else {
                0
            };
            if b != 0 {
                i += 2;
                b
            } else {
                10
            }
        }
        2 | 8 | 10 | 16 => base,
        _ => return Err(STATUS_INVALID_PARAMETER),
    };
    let mut v = 0u32;
    while let Some(d) = digit(at(i), base) {
        v = v.wrapping_mul(base).wrapping_add(d);
        i += 1;
    }
    Ok(if negative { v.wrapping_neg() } else { v })
}

/// RtlIntegerToChar: unsigned `value` in base 2, 8, 10 or 16 (0 = 10),
/// upper-case hex, into `out` (whose length is the caller's Length); a NUL
/// is added when there is room. Returns the number of digits.
pub fn rtl_integer_to_char(value: u32, base: u32, out: &mut [u8]) -> Result<usize, NtStatus> {
    let base = match base {
        0 => 10,
        2 | 8 | 10 | 16 => base,
        _ => return Err(STATUS_INVALID_PARAMETER),
    };
    let mut text = [0u8; 65];
    let n = to_text(value as u64, false, base, true, &mut text);
    if n > out.len() {
        return Err(STATUS_BUFFER_OVERFLOW);
    }
    out[..n].copy_from_slice(&text[..n]);
    if n < out.len() {
        out[n] = 0;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn w(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    fn text(v: i64, bits: u32, base: u32) -> std::string::String {
        let mut out = [0u8; 65];
        let n = signed_to_text(v, bits, base, &mut out);
        std::string::String::from_utf8(out[..n].to_vec()).unwrap()
    }

    #[test]
    fn strtol_family() {
        assert_eq!(strtol(&w("  -123xyz"), 10), (-123, 6));
        assert_eq!(strtol(&w("0x1A"), 0), (26, 4));
        assert_eq!(strtol(&w("0x1A"), 16), (26, 4));
        assert_eq!(strtol(&w("0xG"), 16), (0, 1));
        assert_eq!(strtol(&w("017"), 0), (15, 3));
        assert_eq!(strtol(&w("z"), 36), (35, 1));
        assert_eq!(strtol(&w("abc"), 10), (0, 0));
        assert_eq!(strtol(&w("99999999999"), 10), (i32::MAX, 11));
        assert_eq!(strtol(&w("-99999999999"), 10), (i32::MIN, 12));
        assert_eq!(strtol(&w("-2147483648"), 10), (i32::MIN, 11));
        assert_eq!(strtol(&w("12"), 1), (0, 0));
        assert_eq!(strtoul(&w("4294967295"), 10), (u32::MAX, 10));
        assert_eq!(strtoul(&w("4294967296"), 10), (u32::MAX, 10));
        assert_eq!(strtoul(&w("-1"), 10), (u32::MAX, 2));
        assert_eq!(strtoul(&w("+7"), 0), (7, 2));
        assert_eq!(strtoi64(&w("-9223372036854775808"), 10), (i64::MIN, 20));
        assert_eq!(atoi64(&w(" +42abc")), 42);
        assert_eq!(atoi64(&w("-7")), -7);
        assert_eq!(atoi64(&w("x")), 0);
        assert_eq!(atoi64(&w("4294967297")) as i32, 1);
    }

    #[test]
    fn itoa_family() {
        assert_eq!(text(-255, 32, 10), "-255");
        assert_eq!(text(-1, 32, 16), "ffffffff");
        assert_eq!(text(-1, 64, 16), "ffffffffffffffff");
        assert_eq!(text(255, 32, 2), "11111111");
        assert_eq!(text(0, 32, 10), "0");
        assert_eq!(text(35, 32, 36), "z");
        assert_eq!(text(i64::MIN, 64, 10), "-9223372036854775808");
        assert_eq!(text(5, 32, 1), "");
        assert_eq!(text(5, 32, 37), "");
    }

    #[test]
    fn rtl_conversions() {
        assert_eq!(rtl_to_integer(&w("  123"), 0), Ok(123));
        assert_eq!(rtl_to_integer(&w("0x1f"), 0), Ok(31));
        assert_eq!(rtl_to_integer(&w("0b101"), 0), Ok(5));
        assert_eq!(rtl_to_integer(&w("0o17"), 0), Ok(15));
        assert_eq!(rtl_to_integer(&w("-1"), 10), Ok(u32::MAX));
        assert_eq!(rtl_to_integer(&w("ff"), 16), Ok(255));
        assert_eq!(rtl_to_integer(&w("12z"), 10), Ok(12));
        assert_eq!(rtl_to_integer(&w("1"), 7), Err(STATUS_INVALID_PARAMETER));
        let mut b = [0xAAu8; 4];
        assert_eq!(rtl_integer_to_char(255, 16, &mut b), Ok(2));
        assert_eq!(&b, b"FF\0\xAA");
        let mut b = [0u8; 3];
        assert_eq!(rtl_integer_to_char(123, 0, &mut b), Ok(3));
        assert_eq!(&b, b"123");
        assert_eq!(
            rtl_integer_to_char(1234, 10, &mut b),
            Err(STATUS_BUFFER_OVERFLOW)
        );
        assert_eq!(
            rtl_integer_to_char(1, 3, &mut b),
            Err(STATUS_INVALID_PARAMETER)
        );
    }

    proptest::proptest! {
        #[test]
        fn text_round_trip(v in proptest::prelude::any::<i32>(), base in 2u32..=36) {
            let mut out = [0u8; 65];
            let n = signed_to_text(v as i64, 32, base, &mut out);
            let s: Vec<u16> = out[..n].iter().map(|&b| b as u16).collect();
            let (back, end) = strtoul(&s, base);
            proptest::prop_assert_eq!(end, n);
            if base == 10 {
                proptest::prop_assert_eq!(back as i32, v);
            } else {
                proptest::prop_assert_eq!(back, v as u32);
            }
        }

        #[test]
        fn parse_never_panics(s in proptest::collection::vec(0u16..0x80, 0..30), base in 0u32..40) {
            let _ = strtol(&s, base);
            let _ = strtoul(&s, base);
            let _ = rtl_to_integer(&s, base);
            let _ = atoi64(&s);
        }
    }
}
