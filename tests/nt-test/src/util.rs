//! Helpers for building what the services take: UTF-16 names (`w!` at
//! compile time, [`WBuf`] at run time), UNICODE_STRING / ANSI_STRING /
//! OBJECT_ATTRIBUTES values, the current TEB and PEB, the bad addresses the
//! bad-input checks pass, and ntdll exports looked up by name.

use core::fmt::{self, Write};
use nt_abi::types::{AnsiString, Handle, ObjectAttributes, Peb, Teb, UnicodeString};

/// Addresses every service must refuse with STATUS_ACCESS_VIOLATION (or
/// report as such) instead of touching.
pub mod bad {
    /// The first kernel-half address (above MmUserProbeAddress).
    pub const KERNEL: usize = 0xFFFF_8000_0000_0000;
    /// Non-canonical: neither half.
    pub const NONCANONICAL: usize = 0x8000_0000_0000_0000;
    /// In the no-access guard region just below 2^47.
    pub const USER_TOP: usize = 0x7FFF_FFFF_F000;
    /// A user address nothing maps: the first 64 KiB are never allocatable
    /// (MM_LOWEST_USER_ADDRESS), so this page is always free.
    pub const UNMAPPED: usize = 0x8000;
}

/// ASCII text as UTF-16 at compile time (panics the build on non-ASCII).
pub const fn ascii_utf16<const N: usize>(s: &str) -> [u16; N] {
    let b = s.as_bytes();
    assert!(b.len() == N);
    let mut out = [0u16; N];
    let mut i = 0;
    while i < N {
        assert!(b[i] < 0x80, "w! takes ASCII");
        out[i] = b[i] as u16;
        i += 1;
    }
    out
}

/// `w!("\\Device")`: a `&'static [u16]` of the text (no terminating NUL);
/// `wz!` adds one.
#[macro_export]
macro_rules! w {
    ($s:expr) => {{
        const S: &str = $s;
        const W: [u16; S.len()] = $crate::util::ascii_utf16::<{ S.len() }>(S);
        &W as &'static [u16]
    }};
}

/// `wz!("x")`: like `w!` with a terminating NUL (for PCWSTR arguments).
#[macro_export]
macro_rules! wz {
    ($s:expr) => {
        $crate::w!(concat!($s, "\0"))
    };
}

/// A UNICODE_STRING over `text` (Length = MaximumLength = its size).
pub fn us(text: &[u16]) -> UnicodeString {
    UnicodeString {
        length: (text.len() * 2) as u16,
        maximum_length: (text.len() * 2) as u16,
        buffer: text.as_ptr() as u64,
    }
}

/// An empty UNICODE_STRING with room for `buf`.
pub fn us_out(buf: &mut [u16]) -> UnicodeString {
    UnicodeString {
        length: 0,
        maximum_length: (buf.len() * 2) as u16,
        buffer: buf.as_mut_ptr() as u64,
    }
}

/// An ANSI_STRING over `text`.
pub fn ansi(text: &[u8]) -> AnsiString {
    AnsiString {
        length: text.len() as u16,
        maximum_length: text.len() as u16,
        buffer: text.as_ptr() as u64,
    }
}

/// OBJECT_ATTRIBUTES for `name` (may be NULL) relative to `root`.
pub fn oa(name: *const UnicodeString, attributes: u32, root: Handle) -> ObjectAttributes {
    ObjectAttributes {
        length: ObjectAttributes::SIZE,
        root_directory: root.0,
        object_name: name as u64,
        attributes,
        security_descriptor: 0,
        security_quality_of_service: 0,
    }
}

/// The text of a UNICODE_STRING as UTF-16 units.
///
/// # Safety
/// `s.buffer` must point to `s.length` readable bytes.
pub unsafe fn units(s: &UnicodeString) -> &[u16] {
    if s.length == 0 || s.buffer == 0 {
        return &[];
    }
    // SAFETY: by the caller's promise.
    unsafe { core::slice::from_raw_parts(s.buffer as *const u16, s.length as usize / 2) }
}

/// Compares UTF-16 text with ASCII text exactly.
pub fn eq_w(a: &[u16], b: &str) -> bool {
    a.len() == b.len() && a.iter().zip(b.bytes()).all(|(x, y)| *x == y as u16)
}

/// Compares UTF-16 text with ASCII text, ignoring ASCII case.
pub fn eq_w_ci(a: &[u16], b: &str) -> bool {
    let low = |c: u16| {
        if (b'A' as u16..=b'Z' as u16).contains(&c) {
            c + 32
        } else {
            c
        }
    };
    a.len() == b.len()
        && a.iter()
            .zip(b.bytes())
            .all(|(x, y)| low(*x) == low(y as u16))
}

/// Shows UTF-16 text in a failure message.
pub struct Wide<'a>(pub &'a [u16]);

impl fmt::Display for Wide<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in char::decode_utf16(self.0.iter().copied()) {
            f.write_char(c.unwrap_or(char::REPLACEMENT_CHARACTER))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Wide<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// A UTF-16 string built at run time (`write!` into it), up to N units, with
/// a terminating NUL kept after the text.
pub struct WBuf<const N: usize> {
    buf: [u16; N],
    len: usize,
}

impl<const N: usize> WBuf<N> {
    pub const fn new() -> Self {
        WBuf {
            buf: [0; N],
            len: 0,
        }
    }

    /// `WBuf::from_fmt(format_args!(..))`.
    pub fn from_fmt(args: fmt::Arguments) -> Self {
        let mut b = Self::new();
        let _ = b.write_fmt(args);
        b
    }

    /// The text without the NUL.
    pub fn units(&self) -> &[u16] {
        &self.buf[..self.len]
    }

    /// The text followed by its NUL (for PCWSTR arguments).
    pub fn as_pcwstr(&self) -> *const u16 {
        self.buf.as_ptr()
    }

    /// A UNICODE_STRING over the text.
    pub fn us(&self) -> UnicodeString {
        us(self.units())
    }
}

impl<const N: usize> Default for WBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Write for WBuf<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.encode_utf16() {
            if self.len + 1 >= N {
                return Err(fmt::Error);
            }
            self.buf[self.len] = c;
            self.len += 1;
        }
        self.buf[self.len] = 0;
        Ok(())
    }
}

/// The calling thread's TEB (`gs:[0x30]`, NT_TIB.Self).
pub fn teb() -> *mut Teb {
    let t: u64;
    // SAFETY: reads one word at gs:0x30, which the Executive maps for every
    // thread (the GS base is the TEB).
    unsafe {
        core::arch::asm!("mov {}, gs:[0x30]", out(reg) t, options(nostack, readonly, preserves_flags))
    };
    t as *mut Teb
}

/// The process's PEB (`gs:[0x60]`, TEB.ProcessEnvironmentBlock).
pub fn peb() -> *mut Peb {
    let p: u64;
    // SAFETY: as in `teb`.
    unsafe {
        core::arch::asm!("mov {}, gs:[0x60]", out(reg) p, options(nostack, readonly, preserves_flags))
    };
    p as *mut Peb
}

/// ntdll's base address (LdrGetDllHandle), or 0 when the loader does not
/// know it.
pub fn ntdll_base() -> usize {
    let name = us(crate::w!("ntdll.dll"));
    let mut h = 0usize;
    // SAFETY: valid name and output pointer.
    let st = unsafe {
        crate::nt::LdrGetDllHandle(core::ptr::null(), core::ptr::null_mut(), &name, &mut h)
    };
    if st.is_success() {
        h
    } else {
        0
    }
}

/// The address of ntdll's export `name` (LdrGetProcedureAddress), or None.
pub fn ntdll_proc(name: &[u8]) -> Option<usize> {
    let base = ntdll_base();
    if base == 0 {
        return None;
    }
    let a = ansi(name);
    let mut p = 0usize;
    // SAFETY: valid name and output pointer.
    let st = unsafe { crate::nt::LdrGetProcedureAddress(base, &a, 0, &mut p) };
    if st.is_success() && p != 0 {
        Some(p)
    } else {
        None
    }
}

/// Gives the processor to another thread once (NtYieldExecution).
pub fn yield_now() {
    // SAFETY: no arguments.
    unsafe { crate::nt::NtYieldExecution() };
}
