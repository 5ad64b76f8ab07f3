//! The host-side writer (feature `std`): builds a boot image that is the
//! same bytes on every run, so `xtask` can pack ntdll.dll, drivers,
//! programs and `boot.cfg` reproducibly.
//!
//! Every header is what GNU tar 1.34 writes for
//! `tar --format=ustar --numeric-owner --owner=0 --group=0 --mtime=@0
//! --blocking-factor=1` over files of mode 0644 and directories of mode
//! 0755 (`tests/writer.rs` compares the writer's output with a committed GNU
//! tar archive byte for byte, `tests/support/gnu-tar-check.sh` with a fresh
//! one):
//! uid, gid and mtime 0, empty user and group names, devmajor and devminor
//! `0000000`, directory names ending in `/`, names over 100 bytes split at
//! the last `/` that leaves at most 155 bytes of prefix (GNU's
//! `split_long_name`). The archive ends with the two zero blocks and
//! nothing else: tar's padding to a 10 KiB record only matters for tapes.
//!
//! The writer only stores names the reader accepts and that stay the same
//! when the reader normalises them, so what goes in is what comes out.

use crate::name::{check_component, NameError};
use crate::tar::{checksums, header, BLOCK};
use std::collections::BTreeSet;
use std::fmt;
use std::format;
use std::string::String;
use std::vec::Vec;

/// Largest file the ustar size field (11 octal digits) can describe.
pub const MAX_FILE_SIZE: u64 = 0o777_7777_7777;

/// Why the writer refused an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// The reader would refuse the name.
    BadName(NameError),
    /// The name has an empty or `.` component, or a leading or trailing
    /// `/`: it would not read back as written.
    NotCanonical,
    /// The name cannot be split into ustar's prefix (155 bytes) and name
    /// (100 bytes) fields.
    NameTooLong,
    /// The archive already has an entry of this name (compared
    /// case-insensitively, as NT will look it up).
    Duplicate,
    /// The file is larger than [`MAX_FILE_SIZE`].
    TooLarge,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::BadName(e) => write!(f, "bad name: {e}"),
            BuildError::NotCanonical => {
                f.write_str("name has an empty or `.` component or a leading or trailing `/`")
            }
            BuildError::NameTooLong => {
                f.write_str("name does not fit ustar's 155-byte prefix and 100-byte name")
            }
            BuildError::Duplicate => f.write_str("an entry of that name (ignoring case) exists"),
            BuildError::TooLarge => f.write_str("file larger than ustar's 8 GiB limit"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Builds a boot image in memory, entries in the order they are added.
///
/// ```
/// let image = bootimg::Builder::new()
///     .add_file("boot.cfg", b"[boot]\nprogram = ntcmd.exe\n")
///     .add_dir("system32")
///     .add_file("system32/ntdll.dll", b"MZ...")
///     .finish();
/// let archive = bootimg::Archive::new(&image).unwrap();
/// assert_eq!(archive.file_ci("SYSTEM32\\NTDLL.DLL"), Some(&b"MZ..."[..]));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Builder {
    out: Vec<u8>,
    /// Names so far, ASCII-lowercased, to refuse duplicates.
    names: BTreeSet<String>,
}

impl Builder {
    /// An empty image.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Adds a regular file (mode 0644).
    ///
    /// # Panics
    ///
    /// If the name or size cannot be stored ([`Builder::try_add_file`] says
    /// why instead): the build tool chooses these names, so a bad one is a
    /// bug in it.
    pub fn add_file(&mut self, name: &str, data: &[u8]) -> &mut Builder {
        if let Err(e) = self.try_add_file(name, data) {
            panic!("bootimg: cannot add file `{name}`: {e}");
        }
        self
    }

    /// Adds a directory (mode 0755).
    ///
    /// # Panics
    ///
    /// If the name cannot be stored ([`Builder::try_add_dir`] says why).
    pub fn add_dir(&mut self, name: &str) -> &mut Builder {
        if let Err(e) = self.try_add_dir(name) {
            panic!("bootimg: cannot add directory `{name}`: {e}");
        }
        self
    }

    /// Adds a regular file (mode 0644), or says why it cannot.
    pub fn try_add_file(&mut self, name: &str, data: &[u8]) -> Result<&mut Builder, BuildError> {
        let size = u64::try_from(data.len()).map_err(|_| BuildError::TooLarge)?;
        if size > MAX_FILE_SIZE {
            return Err(BuildError::TooLarge);
        }
        self.add(name, false, data)
    }

    /// Adds a directory (mode 0755), or says why it cannot.
    pub fn try_add_dir(&mut self, name: &str) -> Result<&mut Builder, BuildError> {
        self.add(name, true, &[])
    }

    /// The image: every entry, then the two zero blocks that end a tar
    /// archive. The builder is left as it was, so more can be added.
    pub fn finish(&self) -> Vec<u8> {
        let mut image = Vec::with_capacity(self.out.len() + 2 * BLOCK);
        image.extend_from_slice(&self.out);
        image.resize(self.out.len() + 2 * BLOCK, 0);
        image
    }

    fn add(&mut self, name: &str, dir: bool, data: &[u8]) -> Result<&mut Builder, BuildError> {
        check_canonical(name)?;
        let key = name.to_ascii_lowercase();
        if self.names.contains(&key) {
            return Err(BuildError::Duplicate);
        }
        // Directories are stored with a trailing `/`, as tar does.
        let mut stored = String::from(name);
        if dir {
            stored.push('/');
        }
        let (prefix, last) = split_name(&stored)?;
        let mut block = [0u8; BLOCK];
        put(&mut block, header::NAME, last.as_bytes());
        put(&mut block, header::PREFIX, prefix.as_bytes());
        put_octal(&mut block, header::MODE, if dir { 0o755 } else { 0o644 });
        put_octal(&mut block, header::UID, 0);
        put_octal(&mut block, header::GID, 0);
        put_octal(&mut block, header::SIZE, data.len() as u64);
        put_octal(&mut block, header::MTIME, 0);
        block[header::TYPEFLAG] = if dir { b'5' } else { b'0' };
        put(
            &mut block,
            header::MAGIC.start..header::VERSION.end,
            header::USTAR_MAGIC,
        );
        put_octal(&mut block, header::DEVMAJOR, 0);
        put_octal(&mut block, header::DEVMINOR, 0);
        // Six digits, NUL, space: the historic layout GNU tar keeps.
        let (sum, _) = checksums(&block);
        put(
            &mut block,
            header::CHKSUM,
            format!("{sum:06o}\0 ").as_bytes(),
        );

        self.out.extend_from_slice(&block);
        self.out.extend_from_slice(data);
        let padded = self.out.len().next_multiple_of(BLOCK);
        self.out.resize(padded, 0);
        self.names.insert(key);
        Ok(self)
    }
}

/// Accepts names the reader accepts and returns unchanged: components
/// joined by single `/`, none empty, `.` or `..`, no NT-invalid bytes.
fn check_canonical(name: &str) -> Result<(), BuildError> {
    if name.is_empty() {
        return Err(BuildError::BadName(NameError::Empty));
    }
    if name.starts_with('/') {
        return Err(BuildError::BadName(NameError::Absolute));
    }
    for c in name.split('/') {
        if c.is_empty() || c == "." {
            return Err(BuildError::NotCanonical);
        }
        check_component(c).map_err(BuildError::BadName)?;
    }
    Ok(())
}

/// (prefix, name) fields for a stored name, as GNU tar's `split_long_name`
/// chooses them: the name field alone when it fits, else the split at the
/// last `/` at or before byte 155 (never the trailing `/` of a directory).
fn split_name(stored: &str) -> Result<(&str, &str), BuildError> {
    let name_len = header::NAME.len();
    if stored.len() <= name_len {
        return Ok(("", stored));
    }
    let limit = if stored.len() > header::PREFIX.len() + 1 {
        header::PREFIX.len() + 1
    } else if stored.ends_with('/') {
        stored.len() - 1
    } else {
        stored.len()
    };
    let at = stored.as_bytes()[..limit].iter().rposition(|&b| b == b'/');
    match at {
        Some(i) if i > 0 && stored.len() - i - 1 <= name_len => {
            Ok((&stored[..i], &stored[i + 1..]))
        }
        _ => Err(BuildError::NameTooLong),
    }
}

/// Copies `bytes` into the start of `field` (callers keep them short enough).
fn put(block: &mut [u8; BLOCK], field: std::ops::Range<usize>, bytes: &[u8]) {
    block[field][..bytes.len()].copy_from_slice(bytes);
}

/// Writes `value` as zero-padded octal filling the field but its last
/// byte, which stays NUL.
fn put_octal(block: &mut [u8; BLOCK], field: std::ops::Range<usize>, value: u64) {
    let digits = field.len() - 1;
    put(block, field, format!("{value:0digits$o}").as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_gnu_tar() {
        let d60 = "d".repeat(60);
        let e60 = "e".repeat(60);
        let f90 = "f".repeat(90);
        // From the GNU tar fixture: `./ddd.../eee.../` splits before `eee`.
        let dir = format!("./{d60}/{e60}/");
        assert_eq!(split_name(&dir), Ok((&dir[..62], &dir[63..])));
        let file = format!("{d60}/{e60}/{f90}");
        assert_eq!(split_name(&file), Ok((&file[..121], &file[122..])));
        assert_eq!(split_name(&"a".repeat(100)), Ok(("", &*"a".repeat(100))));
        assert_eq!(split_name(&"a".repeat(101)), Err(BuildError::NameTooLong));
        // The last part would be 101 bytes.
        assert_eq!(
            split_name(&format!("p/{}", "a".repeat(101))),
            Err(BuildError::NameTooLong)
        );
        // A directory whose last part is exactly 100 bytes: the trailing `/`
        // is not a split point, so the split is before it.
        let long_dir = format!("p/{}/", "a".repeat(99));
        assert_eq!(split_name(&long_dir), Ok(("p", &long_dir[2..])));
        // 155-byte prefix plus 100-byte name fits; 156 does not.
        let max = format!("{}/{}", "p".repeat(155), "n".repeat(100));
        assert_eq!(split_name(&max), Ok((&max[..155], &max[156..])));
        let over = format!("{}/{}", "p".repeat(156), "n".repeat(99));
        assert_eq!(split_name(&over), Err(BuildError::NameTooLong));
    }

    #[test]
    fn octal_fields() {
        let mut block = [0u8; BLOCK];
        put_octal(&mut block, header::SIZE, 10);
        assert_eq!(&block[header::SIZE], b"00000000012\0");
        put_octal(&mut block, header::MODE, 0o644);
        assert_eq!(&block[header::MODE], b"0000644\0");
    }
}
