//! The printf engine of ntdll's sprintf / swprintf / _snprintf /
//! _snwprintf / _vsnprintf / DbgPrint family, following the Microsoft C
//! runtime's conventions:
//!
//! - conversions `d i u o x X c C s S Z p %` (`%wZ` is a UNICODE_STRING*,
//!   `%Z` an ANSI_STRING*); `n` consumes its argument and writes nothing
//!   (the MSVC runtime refuses `%n` by default too);
//! - flags `- + space # 0`, width and precision, both possibly `*`;
//! - size prefixes `hh h l ll L I I32 I64 w z j t`; `l` is 32 bits
//!   (LLP64), `I`/`z`/`t` are pointer-sized (64);
//! - in a narrow format `%s`/`%c` are narrow and `%S`/`%C` wide, in a wide
//!   format the other way round (the legacy MS rule); `h` forces narrow,
//!   `l`/`w` wide; characters crossing widths go through the ANSI code page;
//! - a NULL string prints `(null)`; `%p` prints 16 upper-case hex digits.
//!
//! - floating-point conversions `e E f F g G a A` (any size prefix: a
//!   `long double` is a `double` on Windows) print as the Universal C
//!   runtime does (the rules are in the `float` submodule).
//!
//! Arguments come one 8-byte slot at a time ([`Args`]), as on x86_64
//! Windows where every variadic argument occupies one slot (a double
//! travels as its bit pattern).

use crate::unicode::CodePage;

mod float;

/// A source of variadic argument slots.
pub trait Args {
    /// The next argument's 8-byte slot.
    fn next(&mut self) -> u64;
}

/// Arguments from a slice (tests, and callers that collected them); slots
/// past the end read as 0.
pub struct SliceArgs<'a> {
    args: &'a [u64],
    at: usize,
}

impl<'a> SliceArgs<'a> {
    pub fn new(args: &'a [u64]) -> Self {
        SliceArgs { args, at: 0 }
    }
}

impl Args for SliceArgs<'_> {
    fn next(&mut self) -> u64 {
        let v = self.args.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        v
    }
}

/// A character unit: `u8` for narrow strings, `u16` for wide ones.
pub trait Unit: Copy + Eq + 'static {
    const WIDE: bool;
    fn to_u16(self) -> u16;
    fn from_narrow(b: u8) -> Self;
    fn from_wide(c: u16) -> Self;
}

impl Unit for u8 {
    const WIDE: bool = false;
    fn to_u16(self) -> u16 {
        self as u16
    }
    fn from_narrow(b: u8) -> Self {
        b
    }
    fn from_wide(c: u16) -> Self {
        CodePage::Ansi.from_unicode(c)
    }
}

impl Unit for u16 {
    const WIDE: bool = true;
    fn to_u16(self) -> u16 {
        self
    }
    fn from_narrow(b: u8) -> Self {
        CodePage::Ansi.to_unicode(b)
    }
    fn from_wide(c: u16) -> Self {
        c
    }
}

/// Where formatted output goes: a buffer of `cap` units that keeps
/// counting (in `len`) past its end, so callers learn the full length.
pub struct Writer<'a, T: Unit> {
    ptr: *mut T,
    cap: usize,
    /// Units produced so far (written or not).
    pub len: usize,
    _buf: core::marker::PhantomData<&'a mut [T]>,
}

impl<'a, T: Unit> Writer<'a, T> {
    pub fn new(buf: &'a mut [T]) -> Self {
        Writer {
            ptr: buf.as_mut_ptr(),
            cap: buf.len(),
            len: 0,
            _buf: core::marker::PhantomData,
        }
    }

    /// A writer over raw memory (sprintf's unbounded buffer).
    ///
    /// # Safety
    /// `ptr` must be valid for `cap` writes of `T` while the writer lives.
    pub unsafe fn from_raw(ptr: *mut T, cap: usize) -> Self {
        Writer {
            ptr,
            cap,
            len: 0,
            _buf: core::marker::PhantomData,
        }
    }

    /// Units actually stored (at most the capacity).
    pub fn stored(&self) -> usize {
        self.len.min(self.cap)
    }

    /// Stores `v` at `i` if the buffer has room (used for terminators).
    pub fn set(&mut self, i: usize, v: T) -> bool {
        if i < self.cap {
            // SAFETY: i < cap, the writable extent `new`/`from_raw` promised.
            unsafe { self.ptr.add(i).write(v) };
            true
        } else {
            false
        }
    }

    fn push(&mut self, v: T) {
        let i = self.len;
        self.set(i, v);
        self.len += 1;
    }

    fn narrow(&mut self, b: u8) {
        self.push(T::from_narrow(b))
    }

    fn wide(&mut self, c: u16) {
        self.push(T::from_wide(c))
    }

    fn pad(&mut self, n: usize, c: u8) {
        for _ in 0..n {
            self.narrow(c);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Size {
    Default,
    Char,
    Short,
    Long,
    Wide64,
    Ptr,
    ForceWide,
}

#[derive(Default, Clone, Copy)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
}

/// Formats `fmt` (stopping at its end or a NUL) with `args` into `out`;
/// returns the number of units produced (`out.len`).
///
/// # Safety
/// The string arguments (`%s`, `%S`, `%Z`, `%wZ`) must be NULL or valid as
/// the directives claim, exactly as C's printf requires.
pub unsafe fn format<F: Unit, T: Unit>(
    fmt: &[F],
    args: &mut impl Args,
    out: &mut Writer<'_, T>,
) -> usize {
    let unit = |i: usize| fmt.get(i).map(|c| c.to_u16()).filter(|&c| c != 0);
    let mut i = 0;
    while let Some(c) = unit(i) {
        if c != b'%' as u16 {
            if F::WIDE {
                out.wide(c)
            } else {
                out.narrow(c as u8)
            }
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let mut spec = Spec::default();
        while let Some(f) = unit(i) {
            match f as u8 {
                b'-' => spec.left = true,
                b'+' => spec.plus = true,
                b' ' => spec.space = true,
                b'#' => spec.alt = true,
                b'0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        if unit(i) == Some(b'*' as u16) {
            let w = args.next() as i32;
            if w < 0 {
                spec.left = true;
            }
            spec.width = w.unsigned_abs() as usize;
            i += 1;
        } else {
            while let Some(d) = unit(i).filter(|d| (b'0' as u16..=b'9' as u16).contains(d)) {
                spec.width = spec
                    .width
                    .saturating_mul(10)
                    .saturating_add((d - b'0' as u16) as usize);
                i += 1;
            }
        }
        if unit(i) == Some(b'.' as u16) {
            i += 1;
            if unit(i) == Some(b'*' as u16) {
                let p = args.next() as i32;
                spec.precision = (p >= 0).then_some(p as usize);
                i += 1;
            } else {
                let mut p = 0usize;
                while let Some(d) = unit(i).filter(|d| (b'0' as u16..=b'9' as u16).contains(d)) {
                    p = p
                        .saturating_mul(10)
                        .saturating_add((d - b'0' as u16) as usize);
                    i += 1;
                }
                spec.precision = Some(p);
            }
        }
        // Width and precision beyond any buffer are nonsense; keep loops bounded.
        spec.width = spec.width.min(1 << 20);
        spec.precision = spec.precision.map(|p| p.min(1 << 20));
        let at = |i: usize, s: &[u8]| {
            s.iter()
                .enumerate()
                .all(|(k, &b)| unit(i + k) == Some(b as u16))
        };
        let size = if at(i, b"I64") {
            i += 3;
            Size::Wide64
        } else if at(i, b"I32") {
            i += 3;
            Size::Long
        } else if at(i, b"ll") {
            i += 2;
            Size::Wide64
        } else if at(i, b"hh") {
            i += 2;
            Size::Char
        } else {
            let s = match unit(i).map(|c| c as u8) {
                Some(b'h') => Size::Short,
                Some(b'l') => Size::Long,
                Some(b'w') => Size::ForceWide,
                Some(b'L') | Some(b'j') => Size::Wide64,
                Some(b'I') | Some(b'z') | Some(b't') => Size::Ptr,
                _ => Size::Default,
            };
            if s != Size::Default {
                i += 1;
            }
            s
        };
        let Some(conv) = unit(i) else {
            // A directive cut off by the end of the format: print it as is.
            for k in start..i {
                copy_unit(fmt[k], out);
            }
            break;
        };
        i += 1;
        match conv as u8 {
            b'd' | b'i' => {
                let v = args.next();
                let v = match size {
                    Size::Char => v as i8 as i64,
                    Size::Short => v as i16 as i64,
                    Size::Wide64 | Size::Ptr => v as i64,
                    _ => v as i32 as i64,
                };
                let sign = if v < 0 {
                    Some(b'-')
                } else if spec.plus {
                    Some(b'+')
                } else if spec.space {
                    Some(b' ')
                } else {
                    None
                };
                integer(out, &spec, v.unsigned_abs(), 10, false, sign, &[]);
            }
            b'u' | b'o' | b'x' | b'X' => {
                let v = args.next();
                let v = match size {
                    Size::Char => v as u8 as u64,
                    Size::Short => v as u16 as u64,
                    Size::Wide64 | Size::Ptr => v,
                    _ => v as u32 as u64,
                };
                let (base, upper) = match conv as u8 {
                    b'u' => (10, false),
                    b'o' => (8, false),
                    b'x' => (16, false),
                    _ => (16, true),
                };
                let prefix: &[u8] = match (spec.alt && v != 0, conv as u8) {
                    (true, b'x') => b"0x",
                    (true, b'X') => b"0X",
                    _ => &[],
                };
                integer(out, &spec, v, base, upper, None, prefix);
            }
            b'p' => {
                let v = args.next();
                let spec = Spec {
                    precision: Some(16),
                    ..spec
                };
                integer(out, &spec, v, 16, true, None, &[]);
            }
            b'c' | b'C' => {
                let v = args.next();
                if wide_arg(F::WIDE, conv == b'C' as u16, size) {
                    pad_around(out, &spec, 1, |o| o.wide(v as u16));
                } else {
                    pad_around(out, &spec, 1, |o| o.narrow(v as u8));
                }
            }
            b's' | b'S' => {
                let p = args.next();
                if p == 0 {
                    string_narrow(out, &spec, b"(null)");
                } else if wide_arg(F::WIDE, conv == b'S' as u16, size) {
                    let s = wide_z(p as *const u16, spec.precision);
                    string_wide(out, &spec, s);
                } else {
                    let s = narrow_z(p as *const u8, spec.precision);
                    string_narrow(out, &spec, s);
                }
            }
            b'Z' => {
                // ANSI_STRING / UNICODE_STRING: u16 Length (bytes), u16
                // MaximumLength, 4 bytes padding, then the buffer pointer.
                let p = args.next() as *const u8;
                let (len, buf) = if p.is_null() {
                    (0, 0)
                } else {
                    (
                        (p as *const u16).read_unaligned() as usize,
                        (p.add(8) as *const u64).read_unaligned(),
                    )
                };
                if buf == 0 {
                    string_narrow(out, &spec, b"(null)");
                } else if size == Size::ForceWide || size == Size::Long {
                    let s = core::slice::from_raw_parts(buf as *const u16, len / 2);
                    string_wide(
                        out,
                        &spec,
                        &s[..spec.precision.map_or(s.len(), |p| p.min(s.len()))],
                    );
                } else {
                    let s = core::slice::from_raw_parts(buf as *const u8, len);
                    string_narrow(
                        out,
                        &spec,
                        &s[..spec.precision.map_or(s.len(), |p| p.min(s.len()))],
                    );
                }
            }
            b'n' => {
                args.next();
            }
            b'e' | b'E' | b'f' | b'F' | b'g' | b'G' | b'a' | b'A' => {
                let v = float::render(args.next(), conv as u8, spec.precision, spec.alt);
                floating(out, &spec, &v, conv as u8);
            }
            _ => copy_unit(fmt[i - 1], out),
        }
    }
    out.len
}

fn copy_unit<F: Unit, T: Unit>(c: F, out: &mut Writer<'_, T>) {
    if F::WIDE {
        out.wide(c.to_u16())
    } else {
        out.narrow(c.to_u16() as u8)
    }
}

/// Is a `%s`/`%c` argument wide? `upper` = the `S`/`C` spelling.
fn wide_arg(fmt_wide: bool, upper: bool, size: Size) -> bool {
    match size {
        Size::Short | Size::Char => false,
        Size::Long | Size::ForceWide => true,
        _ => fmt_wide != upper,
    }
}

/// Up to `max` units of a NUL-terminated string.
unsafe fn narrow_z<'a>(p: *const u8, max: Option<usize>) -> &'a [u8] {
    let mut n = 0;
    while max.is_none_or(|m| n < m) && *p.add(n) != 0 {
        n += 1;
    }
    core::slice::from_raw_parts(p, n)
}

unsafe fn wide_z<'a>(p: *const u16, max: Option<usize>) -> &'a [u16] {
    let mut n = 0;
    while max.is_none_or(|m| n < m) && *p.add(n) != 0 {
        n += 1;
    }
    core::slice::from_raw_parts(p, n)
}

fn pad_around<T: Unit>(
    out: &mut Writer<'_, T>,
    spec: &Spec,
    len: usize,
    body: impl FnOnce(&mut Writer<'_, T>),
) {
    let pad = spec.width.saturating_sub(len);
    if !spec.left {
        out.pad(pad, if spec.zero { b'0' } else { b' ' });
    }
    body(out);
    if spec.left {
        out.pad(pad, b' ');
    }
}

fn string_narrow<T: Unit>(out: &mut Writer<'_, T>, spec: &Spec, s: &[u8]) {
    let s = &s[..spec.precision.map_or(s.len(), |p| p.min(s.len()))];
    pad_around(out, spec, s.len(), |o| s.iter().for_each(|&b| o.narrow(b)));
}

fn string_wide<T: Unit>(out: &mut Writer<'_, T>, spec: &Spec, s: &[u16]) {
    let s = &s[..spec.precision.map_or(s.len(), |p| p.min(s.len()))];
    pad_around(out, spec, s.len(), |o| s.iter().for_each(|&c| o.wide(c)));
}

/// An integer with sign or prefix, precision (minimum digits) and padding.
fn integer<T: Unit>(
    out: &mut Writer<'_, T>,
    spec: &Spec,
    v: u64,
    base: u64,
    upper: bool,
    sign: Option<u8>,
    prefix: &[u8],
) {
    let mut digits = [0u8; 64];
    let mut n = 0;
    let mut x = v;
    while x != 0 {
        let d = (x % base) as u8;
        digits[63 - n] = match d {
            0..=9 => b'0' + d,
            _ if upper => b'A' + d - 10,
            _ => b'a' + d - 10,
        };
        n += 1;
        x /= base;
    }
    let min_digits = spec.precision.unwrap_or(1);
    let mut zeros = min_digits.saturating_sub(n);
    // `#o` guarantees a leading 0.
    if spec.alt && base == 8 && zeros == 0 && (n == 0 || digits[64 - n] != b'0') {
        zeros = 1;
    }
    let zero_pad = spec.precision.is_none();
    signed_field(out, spec, sign, prefix, zeros + n, zero_pad, |out| {
        out.pad(zeros, b'0');
        digits[64 - n..].iter().for_each(|&b| out.narrow(b));
    });
}

/// A number's field: the sign and prefix, then `len` units written by
/// `body`, padded to the width on the left (spaces), on the right (`-`), or
/// with zeros between the prefix and the body (`0`, when `zero_pad`
/// allows it).
fn signed_field<T: Unit>(
    out: &mut Writer<'_, T>,
    spec: &Spec,
    sign: Option<u8>,
    prefix: &[u8],
    len: usize,
    zero_pad: bool,
    body: impl FnOnce(&mut Writer<'_, T>),
) {
    let pad = spec.width.saturating_sub(sign.is_some() as usize + prefix.len() + len);
    let zero_pad = zero_pad && spec.zero && !spec.left;
    if !spec.left && !zero_pad {
        out.pad(pad, b' ');
    }
    if let Some(s) = sign {
        out.narrow(s);
    }
    prefix.iter().for_each(|&b| out.narrow(b));
    if zero_pad {
        out.pad(pad, b'0');
    }
    body(out);
    if spec.left {
        out.pad(pad, b' ');
    }
}

/// A rendered double with its sign, `0x` prefix (`%a`) and padding: zeros
/// go between the prefix and the digits, except for infinities and NaNs,
/// which are padded with spaces.
fn floating<T: Unit>(out: &mut Writer<'_, T>, spec: &Spec, v: &float::Float, conv: u8) {
    let sign = if v.negative {
        Some(b'-')
    } else if spec.plus {
        Some(b'+')
    } else if spec.space {
        Some(b' ')
    } else {
        None
    };
    let prefix: &[u8] = match conv {
        _ if v.special => b"",
        b'a' => b"0x",
        b'A' => b"0X",
        _ => b"",
    };
    signed_field(out, spec, sign, prefix, v.len(), !v.special, |out| v.emit(|b| out.narrow(b)));
}

/// What `_snprintf`/`_vsnprintf`/`_snwprintf` return after formatting
/// into a buffer of `count` units: the length if it fit (then a NUL is
/// written when there is room for one), else -1 and no NUL.
pub fn finish_ms<T: Unit>(out: &mut Writer<'_, T>, count: usize, zero: T) -> i32 {
    if out.len > count || out.len > i32::MAX as usize {
        return -1;
    }
    out.set(out.len, zero);
    out.len as i32
}

/// What C99 `snprintf` returns: always NUL-terminated when `count` > 0
/// (truncating), and the full length the output needed.
pub fn finish_c99<T: Unit>(out: &mut Writer<'_, T>, count: usize, zero: T) -> i32 {
    if count > 0 {
        out.set(out.len.min(count - 1), zero);
    }
    out.len.min(i32::MAX as usize) as i32
}
