//! Object names: NT upcasing and comparison of UTF-16 names, and the
//! splitting of a path into components.
//!
//! Names are UTF-16 code units, compared either exactly or after upcasing
//! each unit with the NT rules (RtlUpcaseUnicodeChar) for the ranges Triton
//! knows: ASCII, Latin-1, Latin Extended-A, Greek and basic Cyrillic. Units
//! outside those ranges compare exactly. Embedded NULs are ordinary
//! characters, as in NT (a counted UNICODE_STRING may hold them).

use alloc::vec::Vec;

/// `OBJ_NAME_PATH_SEPARATOR`.
pub const SEPARATOR: u16 = b'\\' as u16;

/// The longest name in bytes an OBJECT_ATTRIBUTES may carry: the captured
/// copy needs room for a terminating NUL inside a USHORT MaximumLength, so
/// 65532 works and 65534 is STATUS_OBJECT_NAME_INVALID (Wine om.c
/// test_name_limits, checked on Windows).
pub const MAX_NAME_BYTES: usize = 65532;

/// RtlUpcaseUnicodeChar for the ranges listed in the module comment.
pub fn upcase(c: u16) -> u16 {
    match c {
        0x61..=0x7A => c - 0x20,
        // Latin-1 lower case letters, except the division sign.
        0xE0..=0xFE if c != 0xF7 => c - 0x20,
        0xFF => 0x178,
        // Latin Extended-A: pairs of upper (even) and lower (odd) letters,
        // then a run where upper is odd; the dotless i and long s are left
        // alone because their upper forms are not letters of the same pair.
        0x100..=0x12F | 0x132..=0x137 | 0x14A..=0x177 if c & 1 == 1 => c - 1,
        0x139..=0x148 | 0x179..=0x17E if c & 1 == 0 => c - 1,
        // Greek small letters (final sigma maps to sigma).
        0x3B1..=0x3C1 | 0x3C3..=0x3CB => c - 0x20,
        0x3C2 => 0x3A3,
        // Cyrillic.
        0x430..=0x44F => c - 0x20,
        0x450..=0x45F => c - 0x50,
        _ => c,
    }
}

/// The name with every unit upcased: the key directories sort and look up by.
pub fn upcased(name: &[u16]) -> Vec<u16> {
    name.iter().map(|&c| upcase(c)).collect()
}

/// Are `a` and `b` the same name, ignoring case?
pub fn eq_ignore_case(a: &[u16], b: &[u16]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| upcase(x) == upcase(y))
}

/// UTF-16 of a Rust string, for names the Executive spells in its source.
pub fn utf16(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// The first component of `path` (which has no leading separator) and what
/// follows it, the separator included: `a\b\c` gives (`a`, `\b\c`).
pub fn split_first(path: &[u16]) -> (&[u16], &[u16]) {
    match path.iter().position(|&c| c == SEPARATOR) {
        Some(i) => (&path[..i], &path[i..]),
        None => (path, &[]),
    }
}
