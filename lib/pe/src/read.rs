//! Bounds-checked little-endian reads from byte slices. Every read returns
//! `None` instead of panicking when it would leave the slice, so the rest of
//! the crate can use `?` on untrusted offsets.

use crate::MAX_NAME_LEN;

/// `len` bytes at `off`, if they are all inside `b`.
pub(crate) fn bytes_at(b: &[u8], off: usize, len: usize) -> Option<&[u8]> {
    b.get(off..off.checked_add(len)?)
}

/// The little-endian u16 at `off`.
pub(crate) fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes_at(b, off, 2)?.try_into().ok()?))
}

/// The little-endian u32 at `off`.
pub(crate) fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes_at(b, off, 4)?.try_into().ok()?))
}

/// The little-endian u64 at `off`.
pub(crate) fn u64_at(b: &[u8], off: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes_at(b, off, 8)?.try_into().ok()?))
}

/// Writes `v` little-endian at `off`; `None` (and nothing written) when the
/// eight bytes are not all inside `b`.
pub(crate) fn put_u64(b: &mut [u8], off: usize, v: u64) -> Option<()> {
    b.get_mut(off..off.checked_add(8)?)?
        .copy_from_slice(&v.to_le_bytes());
    Some(())
}

/// Writes `v` little-endian at `off`, like [`put_u64`].
pub(crate) fn put_u32(b: &mut [u8], off: usize, v: u32) -> Option<()> {
    b.get_mut(off..off.checked_add(4)?)?
        .copy_from_slice(&v.to_le_bytes());
    Some(())
}

/// The NUL-terminated string at the start of `b`: at most [`MAX_NAME_LEN`]
/// bytes before the NUL, valid UTF-8 (PE names are ASCII). `None` when the
/// NUL is missing within the limit or the bytes are not UTF-8. Looking no
/// further than the limit bounds the cost of every scan.
pub(crate) fn cstr(b: &[u8]) -> Option<&str> {
    let window = b.get(..b.len().min(MAX_NAME_LEN + 1))?;
    let len = window.iter().position(|&c| c == 0)?;
    core::str::from_utf8(window.get(..len)?).ok()
}

/// `v` rounded up to a multiple of `align` (a power of two), or `None` on
/// overflow.
pub(crate) fn align_up(v: u32, align: u32) -> Option<u32> {
    let mask = align.checked_sub(1)?;
    Some(v.checked_add(mask)? & !mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stay_in_bounds() {
        let b = [1u8, 2, 3, 4, 5, 6, 7, 8, 9];
        assert_eq!(u16_at(&b, 0), Some(0x0201));
        assert_eq!(u32_at(&b, 5), Some(0x0908_0706));
        assert_eq!(u32_at(&b, 6), None);
        assert_eq!(u64_at(&b, 1), Some(0x0908_0706_0504_0302));
        assert_eq!(u64_at(&b, 2), None);
        assert_eq!(bytes_at(&b, usize::MAX, 2), None);
        assert_eq!(bytes_at(&b, 9, 0), Some(&[][..]));
    }

    #[test]
    fn writes_stay_in_bounds() {
        let mut b = [0u8; 10];
        assert_eq!(put_u64(&mut b, 2, 0x1122_3344_5566_7788), Some(()));
        assert_eq!(b, [0, 0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
        assert_eq!(put_u64(&mut b, 3, 0), None);
        assert_eq!(put_u32(&mut b, 7, 0), None);
        assert_eq!(put_u32(&mut b, usize::MAX - 1, 0), None);
    }

    #[test]
    fn strings_need_a_nul_within_the_limit() {
        assert_eq!(cstr(b"abc\0def"), Some("abc"));
        assert_eq!(cstr(b"\0"), Some(""));
        assert_eq!(cstr(b"abc"), None);
        assert_eq!(cstr(b"\xff\0"), None);
        let mut long = [b'a'; MAX_NAME_LEN + 2];
        long[MAX_NAME_LEN] = 0;
        assert_eq!(cstr(&long).map(str::len), Some(MAX_NAME_LEN));
        long[MAX_NAME_LEN] = b'a';
        long[MAX_NAME_LEN + 1] = 0;
        assert_eq!(cstr(&long), None);
    }

    #[test]
    fn align_up_checks_overflow() {
        assert_eq!(align_up(0, 0x1000), Some(0));
        assert_eq!(align_up(1, 0x1000), Some(0x1000));
        assert_eq!(align_up(0x1000, 0x1000), Some(0x1000));
        assert_eq!(align_up(u32::MAX, 0x1000), None);
        assert_eq!(align_up(5, 0), None);
    }
}
