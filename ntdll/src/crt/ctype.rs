//! Character classes and case mapping. The narrow functions follow the "C"
//! locale (ASCII only; anything else, EOF included, is in no class); the
//! wide ones use Unicode's properties and simple case mapping.

use rtl::unicode;

fn ascii(c: i32) -> Option<u8> {
    u8::try_from(c).ok().filter(|b| b.is_ascii())
}

macro_rules! classes {
    ($($name:ident => $test:ident),* $(,)?) => { $(
        #[no_mangle]
        pub extern "C" fn $name(c: i32) -> i32 {
            ascii(c).is_some_and(|b| b.$test()) as i32
        }
    )* };
}

classes! {
    isalpha => is_ascii_alphabetic,
    isdigit => is_ascii_digit,
    isxdigit => is_ascii_hexdigit,
    isupper => is_ascii_uppercase,
    islower => is_ascii_lowercase,
    isalnum => is_ascii_alphanumeric,
    isprint => is_ascii_printable,
}

trait Printable {
    fn is_ascii_printable(&self) -> bool;
}

impl Printable for u8 {
    fn is_ascii_printable(&self) -> bool {
        (0x20..0x7F).contains(self)
    }
}

/// isspace: space, \t \n \v \f \r.
#[no_mangle]
pub extern "C" fn isspace(c: i32) -> i32 {
    matches!(c, 0x20 | 0x09..=0x0D) as i32
}

#[no_mangle]
pub extern "C" fn toupper(c: i32) -> i32 {
    ascii(c).map_or(c, |b| b.to_ascii_uppercase() as i32)
}

#[no_mangle]
pub extern "C" fn tolower(c: i32) -> i32 {
    ascii(c).map_or(c, |b| b.to_ascii_lowercase() as i32)
}

#[no_mangle]
pub extern "C" fn towupper(c: u16) -> u16 {
    unicode::upcase(c)
}

#[no_mangle]
pub extern "C" fn towlower(c: u16) -> u16 {
    unicode::downcase(c)
}

fn wide(c: u16) -> Option<char> {
    char::from_u32(c as u32)
}

#[no_mangle]
pub extern "C" fn iswalpha(c: u16) -> i32 {
    wide(c).is_some_and(char::is_alphabetic) as i32
}

/// iswdigit: the ASCII digits.
#[no_mangle]
pub extern "C" fn iswdigit(c: u16) -> i32 {
    (b'0' as u16..=b'9' as u16).contains(&c) as i32
}

#[no_mangle]
pub extern "C" fn iswspace(c: u16) -> i32 {
    wide(c).is_some_and(char::is_whitespace) as i32
}

#[no_mangle]
pub extern "C" fn abs(n: i32) -> i32 {
    n.wrapping_abs()
}

#[no_mangle]
pub extern "C" fn labs(n: i32) -> i32 {
    n.wrapping_abs()
}
