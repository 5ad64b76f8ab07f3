//! The POSIX ustar reader: checks a whole archive up front, then hands out
//! its entries as names and borrowed data.
//!
//! Why our own reader: the one maintained `no_std` tar reader on crates.io,
//! `tar-no-std` 0.5, casts headers with `unsafe`, calls `expect` while
//! iterating, yields only regular files (no directories), skips entries it
//! cannot read instead of reporting them, and pulls in `log`, `bitflags` and
//! `num-traits`. The ustar subset a boot image needs is a few hundred lines,
//! and owning them lets every rule below be checked and tested here.
//!
//! Rules (each one has a test in `tests/header.rs`):
//! - A header is one 512-byte block; its data follows, padded to a block
//!   boundary, and the padded data must lie inside the archive.
//! - The checksum field is octal; it must equal the byte sum of the header
//!   with the checksum field counted as spaces (the unsigned sum, or the
//!   signed one that some historic tars wrote).
//! - Magic `ustar\0` and version `00` (POSIX ustar) only. GNU tar's own
//!   format (`ustar  \0`) reuses the prefix field for other data, so reading
//!   it as ustar could misname entries; it is refused as [`ErrorKind::BadMagic`]
//!   (make images with `tar --format=ustar`).
//! - Numeric fields (mode, uid, gid, size, mtime, checksum, devmajor,
//!   devminor) are octal digits, optionally after leading spaces, followed
//!   only by NULs or spaces; they may fill the whole field. mode, uid, gid,
//!   size, mtime and checksum need at least one digit; devmajor and devminor
//!   may be blank. GNU's base-256 encoding (high bit set) is refused: no
//!   boot-image file comes near the 8 GiB octal limit.
//! - Names: the prefix field (when non-empty), `/`, then the name field,
//!   each up to its first NUL and valid UTF-8, then checked and normalised
//!   by `src/name.rs` ([`NameError`]): no absolute paths, no `..`, no
//!   characters NT refuses; empty and `.` components and a trailing `/` are
//!   dropped.
//! - Type flags: `0`, NUL and `7` (contiguous) are files, `5` a directory;
//!   `1`, `2`, `3`, `4`, `6` (links, devices, FIFOs) are [`Kind::Other`] and
//!   must have size 0 (POSIX stores no data for them, so a size would make
//!   the next header's position ambiguous); any other flag is
//!   [`Kind::Other`] with its data skipped by size, as POSIX asks of readers.
//!   GNU long-name and long-link entries (`L`, `K`) and pax extended headers
//!   (`x`, `g`) are refused: they change the name or size of the entry after
//!   them, so skipping them would yield wrongly named entries.
//! - The archive ends at a zero block, or at its last byte when that falls
//!   on a header boundary. A zero block followed by a non-zero block is an
//!   error (GNU tar only warns, but a boot image with a hole in it is
//!   broken), and whatever follows the end marker is ignored (tar pads
//!   archives to its record size).
//!
//! Work is bounded: each step moves at least one block forward, so an
//! archive of n bytes takes at most n / 512 + 1 steps to check or iterate.

use crate::name::{NameBuf, NameError};
use core::fmt;

/// Bytes in a tar block (a header, or a unit of data padding).
pub const BLOCK: usize = 512;

/// Byte ranges of the ustar header fields (POSIX.1-2017, pax "ustar
/// Interchange Format"), for code that builds or patches headers.
pub mod header {
    use core::ops::Range;
    /// File name (or its last part when the prefix is used), NUL-padded.
    pub const NAME: Range<usize> = 0..100;
    /// Permission bits, octal.
    pub const MODE: Range<usize> = 100..108;
    /// Owner id, octal.
    pub const UID: Range<usize> = 108..116;
    /// Group id, octal.
    pub const GID: Range<usize> = 116..124;
    /// Data size in bytes, octal.
    pub const SIZE: Range<usize> = 124..136;
    /// Modification time in seconds since 1970, octal.
    pub const MTIME: Range<usize> = 136..148;
    /// Header checksum, octal.
    pub const CHKSUM: Range<usize> = 148..156;
    /// Entry type.
    pub const TYPEFLAG: usize = 156;
    /// Link target.
    pub const LINKNAME: Range<usize> = 157..257;
    /// `ustar\0`.
    pub const MAGIC: Range<usize> = 257..263;
    /// `00`.
    pub const VERSION: Range<usize> = 263..265;
    /// Owner name.
    pub const UNAME: Range<usize> = 265..297;
    /// Group name.
    pub const GNAME: Range<usize> = 297..329;
    /// Device major number, octal.
    pub const DEVMAJOR: Range<usize> = 329..337;
    /// Device minor number, octal.
    pub const DEVMINOR: Range<usize> = 337..345;
    /// Leading directories of a name longer than 100 bytes.
    pub const PREFIX: Range<usize> = 345..500;
    /// The POSIX magic and version.
    pub const USTAR_MAGIC: &[u8; 8] = b"ustar\x0000";
}

/// The byte sum of a header with its checksum field counted as spaces:
/// (unsigned sum, signed sum). Only ever called on a whole block.
pub(crate) fn checksums(block: &[u8]) -> (u64, i64) {
    let mut unsigned = 0u64;
    let mut signed = 0i64;
    for (i, &b) in block.iter().enumerate() {
        let b = if header::CHKSUM.contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    (unsigned, signed)
}

/// A numeric header field, named in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The mode field.
    Mode,
    /// The uid field.
    Uid,
    /// The gid field.
    Gid,
    /// The size field.
    Size,
    /// The mtime field.
    Mtime,
    /// The checksum field.
    Checksum,
    /// The devmajor field.
    DevMajor,
    /// The devminor field.
    DevMinor,
}

/// What is wrong with an archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A header or an entry's (padded) data runs past the end of the archive.
    Truncated,
    /// The header checksum does not match.
    BadChecksum,
    /// Not POSIX ustar magic and version (GNU, v7 or another format).
    BadMagic,
    /// A numeric field is not octal as the rules require.
    BadField(Field),
    /// The name or prefix field is not valid UTF-8.
    NameNotUtf8,
    /// The name is not allowed (see [`NameError`]).
    BadName(NameError),
    /// A GNU long-name or long-link entry (type `L` or `K`).
    GnuLongName,
    /// A pax extended header (type `x` or `g`).
    PaxHeader,
    /// A link, device or FIFO entry with a non-zero size.
    UnexpectedData,
    /// A zero block that is not followed by another zero block or the end.
    LoneZeroBlock,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Truncated => f.write_str("header or data runs past the end of the archive"),
            ErrorKind::BadChecksum => f.write_str("header checksum mismatch"),
            ErrorKind::BadMagic => {
                f.write_str("not a POSIX ustar header (make the image with `tar --format=ustar`)")
            }
            ErrorKind::BadField(field) => write!(f, "{field:?} field is not valid octal"),
            ErrorKind::NameNotUtf8 => f.write_str("name is not valid UTF-8"),
            ErrorKind::BadName(e) => write!(f, "bad name: {e}"),
            ErrorKind::GnuLongName => f.write_str(
                "GNU long-name entry not supported (names must fit ustar's 155+100 bytes)",
            ),
            ErrorKind::PaxHeader => f.write_str("pax extended header not supported"),
            ErrorKind::UnexpectedData => f.write_str("link, device or FIFO entry has a size"),
            ErrorKind::LoneZeroBlock => f.write_str("zero block inside the archive"),
        }
    }
}

/// Why an archive was refused: what, and the offset of the header at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    /// Byte offset of the header (block) where the problem is.
    pub offset: usize,
    /// What is wrong.
    pub kind: ErrorKind,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "boot image: header at byte {}: {}",
            self.offset, self.kind
        )
    }
}

/// What an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A regular file (type `0`, NUL or `7`).
    File,
    /// A directory (type `5`).
    Dir,
    /// Anything else, with its type flag: links, devices, FIFOs, vendor types.
    Other(u8),
}

/// One entry of a checked archive.
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    name: NameBuf,
    /// What the entry is.
    pub kind: Kind,
    /// Permission bits from the header (for example 0o644).
    pub mode: u32,
    /// Data size in bytes (`data.len()`).
    pub size: usize,
    /// The entry's data, borrowed from the archive.
    pub data: &'a [u8],
    /// Byte offset of the entry's header in the archive; the data starts one
    /// [`BLOCK`] later.
    pub offset: usize,
}

impl<'a> Entry<'a> {
    /// The normalised name: components joined by `/`, no leading `./`, no
    /// trailing `/`. Empty only for a directory entry naming the archive's
    /// root (`./`).
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// Byte offset of the data in the archive.
    pub fn data_offset(&self) -> usize {
        self.offset + BLOCK
    }

    /// Whether this entry is `path`, compared as NT does: case-insensitive,
    /// `/` or `\` as separators (see [`crate::path_eq_ci`]).
    pub fn name_eq_ci(&self, path: &str) -> bool {
        crate::name::path_eq_ci(self.name(), path)
    }
}

impl fmt::Debug for Entry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("name", &self.name())
            .field("kind", &self.kind)
            .field("mode", &format_args!("{:#o}", self.mode))
            .field("size", &self.size)
            .field("offset", &self.offset)
            .finish()
    }
}

impl PartialEq for Entry<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
            && self.kind == other.kind
            && self.mode == other.mode
            && self.data == other.data
            && self.offset == other.offset
    }
}

impl Eq for Entry<'_> {}

/// The value of an octal field, by the rules in the module comment.
/// `None` if the field breaks them. Fields are at most 12 bytes, so the
/// value (at most 36 bits) cannot overflow.
fn octal(field: &[u8], need_digit: bool) -> Option<u64> {
    let mut rest = field;
    while let [b' ', tail @ ..] = rest {
        rest = tail;
    }
    let mut value = 0u64;
    let mut digits = 0usize;
    while let [d @ b'0'..=b'7', tail @ ..] = rest {
        value = value.checked_mul(8)?.checked_add(u64::from(d - b'0'))?;
        digits += 1;
        rest = tail;
    }
    if rest.iter().any(|&b| b != 0 && b != b' ') || (need_digit && digits == 0) {
        return None;
    }
    Some(value)
}

/// A string field: the bytes before the first NUL (all of them if none).
fn text(field: &[u8]) -> &[u8] {
    match field.iter().position(|&b| b == 0) {
        Some(n) => field.get(..n).unwrap_or(field),
        None => field,
    }
}

/// What one step of the walk found. The entry makes it large (the inline
/// name), but there is no heap to box it into and it is moved once a step.
#[allow(clippy::large_enum_variant)]
enum Step<'a> {
    /// An entry, and the offset of the next header.
    Entry(Entry<'a>, usize),
    /// The end of the archive.
    End,
}

/// Reads the header at `offset` (a multiple of [`BLOCK`]).
fn step(bytes: &[u8], offset: usize) -> Result<Step<'_>, Error> {
    let err = |kind| Error { offset, kind };
    let rest = bytes.get(offset..).unwrap_or(&[]);
    if rest.is_empty() {
        return Ok(Step::End);
    }
    let Some(block) = rest.get(..BLOCK) else {
        return Err(err(ErrorKind::Truncated));
    };
    if block.iter().all(|&b| b == 0) {
        return match rest.get(BLOCK..2 * BLOCK) {
            Some(next) if next.iter().any(|&b| b != 0) => Err(err(ErrorKind::LoneZeroBlock)),
            _ => Ok(Step::End),
        };
    }
    let field = |r: core::ops::Range<usize>| block.get(r).unwrap_or(&[]);
    let number =
        |r, which, need_digit| octal(field(r), need_digit).ok_or(err(ErrorKind::BadField(which)));

    let stored = number(header::CHKSUM, Field::Checksum, true)?;
    let (unsigned, signed) = checksums(block);
    if stored != unsigned && i64::try_from(stored).ok() != Some(signed) {
        return Err(err(ErrorKind::BadChecksum));
    }
    // Before the magic: `L` and `K` only occur in GNU-format archives, whose
    // magic is refused too, but "long name" says better what to fix; `x` and
    // `g` (pax) carry the ustar magic.
    let flag = block.get(header::TYPEFLAG).copied().unwrap_or(0);
    match flag {
        b'L' | b'K' => return Err(err(ErrorKind::GnuLongName)),
        b'x' | b'g' => return Err(err(ErrorKind::PaxHeader)),
        _ => {}
    }
    if field(header::MAGIC.start..header::VERSION.end) != header::USTAR_MAGIC {
        return Err(err(ErrorKind::BadMagic));
    }

    let mode = number(header::MODE, Field::Mode, true)?;
    number(header::UID, Field::Uid, true)?;
    number(header::GID, Field::Gid, true)?;
    let size = number(header::SIZE, Field::Size, true)?;
    number(header::MTIME, Field::Mtime, true)?;
    number(header::DEVMAJOR, Field::DevMajor, false)?;
    number(header::DEVMINOR, Field::DevMinor, false)?;

    let utf8 = |r| core::str::from_utf8(text(field(r))).map_err(|_| err(ErrorKind::NameNotUtf8));
    let (prefix, raw) = (utf8(header::PREFIX)?, utf8(header::NAME)?);
    if prefix.is_empty() && raw.is_empty() {
        return Err(err(ErrorKind::BadName(NameError::Empty)));
    }
    let name = NameBuf::normalise(prefix, raw).map_err(|e| err(ErrorKind::BadName(e)))?;

    let kind = match flag {
        b'0' | 0 | b'7' => Kind::File,
        b'5' => Kind::Dir,
        other => Kind::Other(other),
    };
    if matches!(flag, b'1' | b'2' | b'3' | b'4' | b'6') && size != 0 {
        return Err(err(ErrorKind::UnexpectedData));
    }
    // Only the archive root (`./`) may have an empty name, and only as a
    // directory: a file needs a name to be found by.
    if name.as_str().is_empty() && kind != Kind::Dir {
        return Err(err(ErrorKind::BadName(NameError::Empty)));
    }

    let truncated = err(ErrorKind::Truncated);
    let size = usize::try_from(size).map_err(|_| truncated)?;
    let padded = size.checked_next_multiple_of(BLOCK).ok_or(truncated)?;
    let data_end = BLOCK.checked_add(padded).ok_or(truncated)?;
    if data_end > rest.len() {
        return Err(truncated);
    }
    let data = rest.get(BLOCK..BLOCK + size).ok_or(truncated)?;
    let next = offset.checked_add(data_end).ok_or(truncated)?;
    // The mode field holds at most 8 octal digits (24 bits), so this fits.
    let mode = u32::try_from(mode).unwrap_or(u32::MAX);
    Ok(Step::Entry(
        Entry {
            name,
            kind,
            mode,
            size,
            data,
            offset,
        },
        next,
    ))
}

/// A checked ustar archive over borrowed bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Archive<'a> {
    bytes: &'a [u8],
    count: usize,
    end: usize,
}

impl<'a> Archive<'a> {
    /// Checks every header and entry of `bytes` (see the module comment for
    /// the rules) and returns the archive, or the first problem found.
    /// Iterating a checked archive cannot fail.
    pub fn new(bytes: &'a [u8]) -> Result<Archive<'a>, Error> {
        let mut offset = 0;
        let mut count = 0;
        // Each entry advances `offset` by at least one block.
        while let Step::Entry(_, next) = step(bytes, offset)? {
            offset = next;
            count += 1;
        }
        Ok(Archive {
            bytes,
            count,
            end: offset,
        })
    }

    /// The entries, in archive order.
    pub fn entries(&self) -> Entries<'a> {
        Entries {
            bytes: self.bytes,
            offset: 0,
            left: self.count,
        }
    }

    /// How many entries the archive has.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the archive has no entries.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Offset of the end marker (or of the end of the bytes if there is
    /// none): everything before it is headers and data.
    pub fn end_offset(&self) -> usize {
        self.end
    }

    /// The archive's bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The entry named `path`, compared as NT does: ASCII case-insensitive,
    /// `/` or `\` as separators, empty and `.` components ignored. When an
    /// archive holds the same name twice the last one wins, as when tar
    /// extracts it (so `tar -rf` can override a file). Linear in the number
    /// of entries; a boot image has a few dozen.
    pub fn find_ci(&self, path: &str) -> Option<Entry<'a>> {
        self.entries().filter(|e| e.name_eq_ci(path)).last()
    }

    /// The data of the regular file named `path` (as [`Archive::find_ci`]).
    pub fn file_ci(&self, path: &str) -> Option<&'a [u8]> {
        self.find_ci(path)
            .filter(|e| e.kind == Kind::File)
            .map(|e| e.data)
    }
}

/// Iterator over the entries of an [`Archive`].
#[derive(Clone, Debug)]
pub struct Entries<'a> {
    bytes: &'a [u8],
    offset: usize,
    left: usize,
}

impl<'a> Iterator for Entries<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        // The archive was checked, so `step` succeeds here; `left` bounds
        // the walk even if it somehow did not.
        if self.left == 0 {
            return None;
        }
        match step(self.bytes, self.offset) {
            Ok(Step::Entry(entry, next)) => {
                self.offset = next;
                self.left -= 1;
                Some(entry)
            }
            _ => {
                self.left = 0;
                None
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Entries<'_> {}

impl<'a> IntoIterator for &Archive<'a> {
    type Item = Entry<'a>;
    type IntoIter = Entries<'a>;
    fn into_iter(self) -> Entries<'a> {
        self.entries()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_rules() {
        assert_eq!(octal(b"0000644\0", true), Some(0o644));
        assert_eq!(octal(b"   644 \0", true), Some(0o644));
        assert_eq!(octal(b"00000000012\0", true), Some(10));
        assert_eq!(octal(b"777777777777", true), Some(0o777777777777));
        assert_eq!(octal(b"\0\0\0\0\0\0\0\0", false), Some(0));
        assert_eq!(octal(b"        ", false), Some(0));
        assert_eq!(octal(b"\0\0\0\0\0\0\0\0", true), None);
        assert_eq!(octal(b"0000648\0", true), None);
        assert_eq!(octal(b"00 12\0\0\0", true), None);
        assert_eq!(octal(b"0000644x", true), None);
        assert_eq!(octal(b"\x80\0\0\0\0\0\0\x01", true), None);
        assert_eq!(octal(b"", true), None);
    }

    #[test]
    fn text_field() {
        assert_eq!(text(b"abc\0def"), b"abc");
        assert_eq!(text(b"abc"), b"abc");
        assert_eq!(text(b"\0abc"), b"");
    }
}
