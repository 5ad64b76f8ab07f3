//! The floating-point conversions of the printf engine (`e E f F g G a A`),
//! printing a double as the Universal C runtime of Windows 10 2004 and
//! later does:
//!
//! - digits are the exact decimal value correctly rounded, ties (exactly
//!   representable halves) to even: `%.0f` of 2.5 is `2` (Microsoft's
//!   printf documentation; older runtimes rounded ties up). The rounding
//!   mode is always to-nearest: ntdll has no `fesetround`;
//! - `%e` exponents have at least two digits (`1.000000e+00`,
//!   `1e+100`); `%a` exponents as few as needed (`0x1.8p+1`);
//! - `%g` uses `%e` style when the exponent X (after rounding to P
//!   significant digits) is below -4 or at least P, else `%f` style, and
//!   drops trailing zeros unless `#`; zero counts as X = -1, so `%#g` of 0
//!   is `0.000000` (the UCRT's digit count, one more than C's);
//! - `%a` without a precision prints all 13 hex digits (`0x1.0000000000000p+0`);
//!   with a shorter precision it rounds up only when the first dropped hex
//!   digit is 9 or more, and a carry out of the leading digit stays there
//!   (`%.1a` of 0x1.f9p0 is `0x2.0p+0`): the UCRT's rules;
//! - infinities and NaNs print `inf`, `nan`, `nan(snan)` (signalling) and
//!   `nan(ind)` (the x86 default NaN, sign set: `-nan(ind)`), upper-case
//!   for `E F G A`, with a `-` when the sign bit is set; they are padded
//!   with spaces even under the `0` flag and get no `0x`;
//! - `#` keeps the decimal point when no digits follow it (`%#.0f` of 1 is
//!   `1.`); the sign of -0.0 is printed.
//!
//! Digits come from `core::fmt` (exact, ties to even) into a fixed buffer;
//! zeros past the last digit any double can have are kept as a count, so
//! huge precisions cost no memory.

use core::fmt::Write;

/// Fraction digits asked of `core::fmt` for `%f`: a double's exact decimal
/// expansion ends within 1074 fraction digits, so later ones are zeros.
const FRAC_MAX: usize = 1080;
/// Significant digits asked of `core::fmt` for `%e`/`%g`: an exact
/// expansion has at most 767.
const SIG_MAX: usize = 770;
/// Room for the longest rendering kept in memory: 309 integer digits, a
/// point and FRAC_MAX fraction digits.
const CAP: usize = 309 + 1 + FRAC_MAX + 16;

const SIGN_BIT: u64 = 1 << 63;
const EXP_MASK: u64 = 0x7FF << 52;
const MANT_MASK: u64 = (1 << 52) - 1;
const QUIET_BIT: u64 = 1 << 51;

/// A rendered value without its sign: `buf[..zeros_at]`, then `zeros`
/// zeros, then `buf[zeros_at..len]` (an exponent, if any).
pub(super) struct Float {
    buf: [u8; CAP],
    len: usize,
    zeros_at: usize,
    zeros: usize,
    /// The sign bit was set: print a `-`.
    pub negative: bool,
    /// An infinity or NaN: no `0x`, no zero padding.
    pub special: bool,
}

impl Float {
    fn new(negative: bool) -> Self {
        Float {
            buf: [0; CAP],
            len: 0,
            zeros_at: 0,
            zeros: 0,
            negative,
            special: false,
        }
    }

    /// Units the rendering occupies.
    pub fn len(&self) -> usize {
        self.len + self.zeros
    }

    /// Hands each character to `put`, in order.
    pub fn emit(&self, mut put: impl FnMut(u8)) {
        self.buf[..self.zeros_at].iter().for_each(|&b| put(b));
        (0..self.zeros).for_each(|_| put(b'0'));
        self.buf[self.zeros_at..self.len]
            .iter()
            .for_each(|&b| put(b));
    }

    fn push(&mut self, b: u8) {
        // The constants above size `buf` for every rendering; a byte past
        // the end would be a bug here, dropped rather than a panic.
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    fn push_all(&mut self, s: &[u8]) {
        s.iter().for_each(|&b| self.push(b));
    }

    /// Marks the end of the digits: `n` more zeros go here.
    fn pad_zeros(&mut self, n: usize) {
        self.zeros_at = self.len;
        self.zeros = n;
    }

    /// `%g` without `#`: drops trailing fraction zeros, and the point if
    /// nothing is left after it. Called before any exponent is added.
    fn crop(&mut self) {
        if !self.buf[..self.len].contains(&b'.') {
            return;
        }
        self.zeros = 0;
        while self.len > 0 && self.buf[self.len - 1] == b'0' {
            self.len -= 1;
        }
        if self.len > 0 && self.buf[self.len - 1] == b'.' {
            self.len -= 1;
        }
        self.zeros_at = self.len;
    }

    /// `e+05`, `E-100`: at least two exponent digits.
    fn exponent(&mut self, e: u8, x: i32) {
        self.push(e);
        self.push(if x < 0 { b'-' } else { b'+' });
        let x = x.unsigned_abs();
        if x < 10 {
            self.push(b'0');
        }
        self.decimal(x);
    }

    fn decimal(&mut self, x: u32) {
        let mut digits = [0u8; 10];
        let mut n = 0;
        let mut v = x;
        loop {
            digits[9 - n] = b'0' + (v % 10) as u8;
            n += 1;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.push_all(&digits[10 - n..]);
    }
}

/// A `core::fmt` sink over a byte buffer; output past its end is dropped
/// (the callers size their requests to fit).
struct Sink<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Write for Sink<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &b in s.as_bytes() {
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
        Ok(())
    }
}

/// The first `n` (1..=SIG_MAX) significant digits of `x` (finite, not
/// negative), correctly rounded, and the decimal exponent of the first.
fn significant(x: f64, n: usize, digits: &mut [u8; SIG_MAX]) -> i32 {
    let mut text = [0u8; SIG_MAX + 16];
    let mut sink = Sink {
        buf: &mut text,
        len: 0,
    };
    // `{:.*e}` prints "d.ddde-5": one digit, the point, n-1 digits, then
    // the exponent with a sign only when negative.
    let _ = write!(sink, "{:.*e}", n - 1, x);
    let text = &sink.buf[..sink.len];
    let mut k = 0;
    let mut i = 0;
    while i < text.len() && text[i] != b'e' {
        if text[i].is_ascii_digit() && k < n {
            digits[k] = text[i];
            k += 1;
        }
        i += 1;
    }
    let mut exp = 0i32;
    let negative = text.get(i + 1) == Some(&b'-');
    for &b in &text[(i + 1 + negative as usize).min(text.len())..] {
        exp = exp.saturating_mul(10).saturating_add((b - b'0') as i32);
    }
    if negative {
        -exp
    } else {
        exp
    }
}

/// Renders the double with bit pattern `bits` for conversion `conv` (one
/// of `e E f F g G a A`), with the directive's precision and `#` flag.
pub(super) fn render(bits: u64, conv: u8, precision: Option<usize>, alt: bool) -> Float {
    let upper = conv.is_ascii_uppercase();
    let mut out = Float::new(bits & SIGN_BIT != 0);
    if bits & EXP_MASK == EXP_MASK {
        out.special = true;
        let mant = bits & MANT_MASK;
        let text: &[u8] = if mant == 0 {
            b"inf"
        } else if bits & SIGN_BIT != 0 && mant == QUIET_BIT {
            b"nan(ind)"
        } else if mant & QUIET_BIT != 0 {
            b"nan"
        } else {
            b"nan(snan)"
        };
        text.iter()
            .for_each(|&b| out.push(if upper { b.to_ascii_uppercase() } else { b }));
        out.pad_zeros(0);
        return out;
    }
    let x = f64::from_bits(bits & !SIGN_BIT);
    let e = if upper { b'E' } else { b'e' };
    match conv.to_ascii_lowercase() {
        b'f' => fixed(&mut out, x, precision.unwrap_or(6), alt),
        b'e' => exponential(&mut out, x, precision.unwrap_or(6), alt, e),
        b'g' => general(&mut out, x, precision, alt, e),
        _ => hex(&mut out, bits, precision.unwrap_or(13), alt, upper),
    }
    out
}

/// `%f`: `ddd.ddd` with `p` fraction digits.
fn fixed(out: &mut Float, x: f64, p: usize, alt: bool) {
    let mut sink = Sink {
        buf: &mut out.buf,
        len: 0,
    };
    let _ = write!(sink, "{:.*}", p.min(FRAC_MAX), x);
    out.len = sink.len;
    if p == 0 && alt {
        out.push(b'.');
    }
    out.pad_zeros(p.saturating_sub(FRAC_MAX));
}

/// `%e`: `d.ddde+XX` with `p` fraction digits.
fn exponential(out: &mut Float, x: f64, p: usize, alt: bool, e: u8) {
    let mut digits = [0u8; SIG_MAX];
    let n = (p + 1).min(SIG_MAX);
    let exp = significant(x, n, &mut digits);
    out.push(digits[0]);
    if p > 0 || alt {
        out.push(b'.');
    }
    out.push_all(&digits[1..n]);
    out.pad_zeros(p + 1 - n);
    out.exponent(e, exp);
}

/// `%g`: `p` significant digits in `%e` or `%f` style.
fn general(out: &mut Float, x: f64, precision: Option<usize>, alt: bool, e: u8) {
    let p = match precision {
        None => 6,
        Some(0) => 1,
        Some(p) => p,
    };
    let mut digits = [0u8; SIG_MAX];
    let n = p.min(SIG_MAX);
    let mut exp = significant(x, n, &mut digits);
    if x == 0.0 {
        // The UCRT lays zero out as a value below 1: all p digits after
        // the point.
        exp = -1;
    }
    if exp < -4 || exp >= p as i32 {
        out.push(digits[0]);
        out.push(b'.');
        out.push_all(&digits[1..n]);
        out.pad_zeros(p - n);
        if !alt {
            out.crop();
        }
        out.exponent(e, exp);
        return;
    }
    if exp < 0 {
        out.push_all(b"0.");
        (0..exp.unsigned_abs()).skip(1).for_each(|_| out.push(b'0'));
        out.push_all(&digits[..n]);
    } else {
        // 0 <= exp < p and exp <= 308 < n: the point falls inside the digits.
        let point = exp as usize + 1;
        out.push_all(&digits[..point]);
        out.push(b'.');
        out.push_all(&digits[point..n]);
    }
    out.pad_zeros(p - n);
    if !alt {
        out.crop();
    }
}

/// `%a`: `h.hhhp+d` (the caller adds `0x`) with `p` hex fraction digits.
fn hex(out: &mut Float, bits: u64, p: usize, alt: bool, upper: bool) {
    let exp_field = ((bits & EXP_MASK) >> 52) as i32;
    let mant = bits & MANT_MASK;
    let hexit = |d: u64| -> u8 {
        match d {
            0..=9 => b'0' + d as u8,
            _ if upper => b'A' + (d - 10) as u8,
            _ => b'a' + (d - 10) as u8,
        }
    };
    // A normal number is 1.mmm * 2^(e-1023); a subnormal 0.mmm * 2^-1022.
    let (lead, exp) = match (exp_field, mant) {
        (0, 0) => (b'0', 0),
        (0, _) => (b'0', -1022),
        _ => (b'1', exp_field - 1023),
    };
    out.push(lead);
    if p > 0 || alt {
        out.push(b'.');
    }
    let first = out.len;
    let mut left = p;
    let mut shift = 48i32;
    if mant != 0 {
        while shift >= 0 && left > 0 {
            out.push(hexit((mant >> shift) & 0xF));
            shift -= 4;
            left -= 1;
        }
        if shift >= 0 && (mant >> shift) & 0xF > 8 {
            // Carry through trailing f digits, into the leading digit if
            // every kept digit was f.
            let mut i = out.len;
            while i > first && matches!(out.buf[i - 1], b'f' | b'F') {
                out.buf[i - 1] = b'0';
                i -= 1;
            }
            if i > first {
                let d = &mut out.buf[i - 1];
                *d = if *d == b'9' { hexit(10) } else { *d + 1 };
            } else {
                out.buf[0] += 1;
            }
        }
    }
    out.pad_zeros(left);
    out.push(if upper { b'P' } else { b'p' });
    out.push(if exp < 0 { b'-' } else { b'+' });
    out.decimal(exp.unsigned_abs());
}
