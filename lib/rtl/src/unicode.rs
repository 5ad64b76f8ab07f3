//! UTF-16 case mapping and the two single-byte code pages ntdll converts
//! with: Windows-1252 as the ANSI code page and CP437 as the OEM code page
//! (the US defaults; there are no NLS files to load another yet).
//!
//! Case mapping is Unicode's simple (one-to-one) mapping as Rust's `core`
//! knows it, restricted to the Basic Multilingual Plane: a character whose
//! mapping is several characters (ß) or leaves the BMP stays as it is, and
//! surrogates never change. Windows' own table (l_intl.nls) is an older
//! snapshot of the same data, so the two agree on every living script.
//!
//! Unicode characters a code page lacks become `?` (Windows would use a
//! "best fit" character for some, e.g. Ā as A; we do not).

/// The character written for one the code page cannot represent.
pub const DEFAULT_CHAR: u8 = b'?';

/// RtlUpcaseUnicodeChar.
pub fn upcase(c: u16) -> u16 {
    if c < 0x80 {
        return (c as u8).to_ascii_uppercase() as u16;
    }
    map_simple(c, char::to_uppercase)
}

/// RtlDowncaseUnicodeChar.
pub fn downcase(c: u16) -> u16 {
    if c < 0x80 {
        return (c as u8).to_ascii_lowercase() as u16;
    }
    map_simple(c, char::to_lowercase)
}

fn map_simple<I: Iterator<Item = char>>(c: u16, f: fn(char) -> I) -> u16 {
    let Some(ch) = char::from_u32(c as u32) else {
        return c;
    };
    let mut it = f(ch);
    match (it.next(), it.next()) {
        (Some(m), None) if (m as u32) <= 0xFFFF => m as u32 as u16,
        _ => c,
    }
}

/// Windows-1252 bytes 0x80..=0x9F; the five bytes 1252 leaves undefined
/// map to the C1 control of the same value, as Windows does.
const CP1252_HIGH: [u16; 32] = [
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
];

/// CP437 bytes 0x80..=0xFF (0x00..=0x7F are ASCII, control codes included,
/// as in Windows' conversion tables rather than the glyph set).
const CP437_HIGH: [u16; 128] = [
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF,
    0x00EE, 0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
    0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1, 0x00ED, 0x00F3, 0x00FA,
    0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557,
    0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4,
    0x221E, 0x03C6, 0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
];

/// A single-byte code page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodePage {
    /// Windows-1252, the ANSI code page.
    Ansi,
    /// CP437, the OEM code page.
    Oem,
}

impl CodePage {
    /// The Unicode character for byte `b`.
    pub fn to_unicode(self, b: u8) -> u16 {
        match (self, b) {
            (_, 0..=0x7F) => b as u16,
            (CodePage::Ansi, 0x80..=0x9F) => CP1252_HIGH[b as usize - 0x80],
            (CodePage::Ansi, _) => b as u16,
            (CodePage::Oem, _) => CP437_HIGH[b as usize - 0x80],
        }
    }

    /// The byte for Unicode character `c`, or [`DEFAULT_CHAR`].
    pub fn from_unicode(self, c: u16) -> u8 {
        if c < 0x80 {
            return c as u8;
        }
        let table: &[u16] = match self {
            CodePage::Ansi if (0xA0..=0xFF).contains(&c) => return c as u8,
            CodePage::Ansi => &CP1252_HIGH,
            CodePage::Oem => &CP437_HIGH,
        };
        match table.iter().position(|&u| u == c) {
            Some(i) => 0x80 + i as u8,
            None => DEFAULT_CHAR,
        }
    }
}

/// RtlMultiByteToUnicodeN and friends: converts as many bytes of `src` as
/// fit into `dst` (one unit each); returns the number of units written.
pub fn bytes_to_utf16(cp: CodePage, src: &[u8], dst: &mut [u16]) -> usize {
    let n = src.len().min(dst.len());
    for (d, &s) in dst.iter_mut().zip(&src[..n]) {
        *d = cp.to_unicode(s);
    }
    n
}

/// RtlUnicodeToMultiByteN and friends: one byte per UTF-16 unit (a
/// surrogate pair becomes two `?`); returns the number of bytes written.
pub fn utf16_to_bytes(cp: CodePage, src: &[u16], dst: &mut [u8]) -> usize {
    let n = src.len().min(dst.len());
    for (d, &s) in dst.iter_mut().zip(&src[..n]) {
        *d = cp.from_unicode(s);
    }
    n
}

/// RtlCompareUnicodeString: the difference of the first differing
/// characters (upcased first when `ci`), else of the lengths in bytes.
pub fn compare(a: &[u16], b: &[u16], ci: bool) -> i32 {
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = if ci { (upcase(x), upcase(y)) } else { (x, y) };
        if x != y {
            return x as i32 - y as i32;
        }
    }
    (a.len() as i32 - b.len() as i32) * 2
}

/// Case-(in)sensitive equality of two UTF-16 strings.
pub fn equal(a: &[u16], b: &[u16], ci: bool) -> bool {
    a.len() == b.len() && compare(a, b, ci) == 0
}

/// RtlPrefixUnicodeString: does `s` start with `prefix`?
pub fn has_prefix(prefix: &[u16], s: &[u16], ci: bool) -> bool {
    prefix.len() <= s.len() && equal(prefix, &s[..prefix.len()], ci)
}

/// Byte-string comparison as _stricmp/_strnicmp do it (ASCII folding to
/// lower case, like the C runtime in the "C" locale).
pub fn compare_bytes_ci(a: &[u8], b: &[u8]) -> i32 {
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x != y {
            return x as i32 - y as i32;
        }
    }
    a.len() as i32 - b.len() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_mapping() {
        assert_eq!(upcase(b'a' as u16), b'A' as u16);
        assert_eq!(upcase(b'{' as u16), b'{' as u16);
        assert_eq!(upcase(0xE9), 0xC9); // é
        assert_eq!(upcase(0xFF), 0x178); // ÿ
        assert_eq!(upcase(0xDF), 0xDF); // ß has no one-character upper case
        assert_eq!(upcase(0x3B1), 0x391); // α
        assert_eq!(upcase(0x430), 0x410); // а
        assert_eq!(upcase(0xFF41), 0xFF21); // fullwidth a
        assert_eq!(upcase(0xD800), 0xD800);
        assert_eq!(downcase(b'Q' as u16), b'q' as u16);
        assert_eq!(downcase(0x410), 0x430);
        assert_eq!(downcase(0xC9), 0xE9);
    }

    #[test]
    fn code_pages_round_trip() {
        for b in 0..=255u8 {
            assert_eq!(CodePage::Ansi.from_unicode(CodePage::Ansi.to_unicode(b)), b);
            assert_eq!(CodePage::Oem.from_unicode(CodePage::Oem.to_unicode(b)), b);
        }
        assert_eq!(CodePage::Ansi.to_unicode(0x80), 0x20AC);
        assert_eq!(CodePage::Oem.to_unicode(0x80), 0xC7);
        assert_eq!(CodePage::Oem.to_unicode(0xDB), 0x2588);
        assert_eq!(CodePage::Ansi.from_unicode(0x4E2D), b'?');
        assert_eq!(CodePage::Oem.from_unicode(0xE9), 0x82);
    }

    #[test]
    fn comparisons() {
        let w = |s: &str| s.encode_utf16().collect::<std::vec::Vec<u16>>();
        assert_eq!(compare(&w("abc"), &w("ABC"), true), 0);
        assert!(compare(&w("abc"), &w("ABC"), false) > 0);
        assert_eq!(compare(&w("ab"), &w("abc"), false), -2);
        assert!(equal(&w("Hello"), &w("hELLO"), true));
        assert!(!equal(&w("Hello"), &w("hELLO"), false));
        assert!(has_prefix(&w("\\??\\"), &w("\\??\\C:\\x"), false));
        assert!(!has_prefix(&w("abcd"), &w("abc"), true));
        assert_eq!(compare_bytes_ci(b"ABC", b"abd"), -1);
    }
}
