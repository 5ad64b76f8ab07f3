//! Path rules shared by the reader and the writer: which names a boot image
//! may hold, how the reader normalises them, and how NT code looks them up
//! case-insensitively.
//!
//! Names in the archive use `/` between components, as tar does. The rules
//! exist because `ntos` turns these names into NT object names: a `..`
//! component or an absolute path would let an image name a file outside the
//! tree it is meant to populate, and the characters NT refuses in file names
//! (or reads as separators or stream markers) would make an entry that NT
//! code could never open or, worse, one that aliases another.

use core::fmt;

/// Longest normalised name an entry can have: the ustar prefix field (155
/// bytes), the `/` that joins it to the name, and the name field (100 bytes).
pub const MAX_NAME_LEN: usize = 155 + 1 + 100;

/// Why a name was refused (by the reader or by the writer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameError {
    /// The name is empty, or (for a file) consists only of `.` and `/`.
    Empty,
    /// The name starts with `/`.
    Absolute,
    /// A component is `..`.
    DotDot,
    /// A byte that NT does not allow in a file name: a control character,
    /// DEL, or one of `\ : * ? " < > |`.
    BadChar(u8),
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => f.write_str("empty name"),
            NameError::Absolute => f.write_str("absolute path"),
            NameError::DotDot => f.write_str("`..` component"),
            NameError::BadChar(b) => write!(f, "byte {b:#04x} not allowed in an NT file name"),
        }
    }
}

/// Whether NT refuses `b` in a file name. `\` is also the NT separator and
/// `:` introduces a stream name, so either would change what a name means
/// once `ntos` translates it.
pub(crate) fn bad_byte(b: u8) -> bool {
    b < 0x20 || b == 0x7F || matches!(b, b'\\' | b':' | b'*' | b'?' | b'"' | b'<' | b'>' | b'|')
}

/// Checks one component that is neither empty nor `.` (the caller decides
/// what those mean).
pub(crate) fn check_component(c: &str) -> Result<(), NameError> {
    if c == ".." {
        return Err(NameError::DotDot);
    }
    match c.bytes().find(|&b| bad_byte(b)) {
        Some(b) => Err(NameError::BadChar(b)),
        None => Ok(()),
    }
}

/// A normalised entry name, stored inline: the reader may not allocate, and
/// the ustar prefix and name fields are not adjacent in the header, so the
/// joined name cannot borrow from the archive.
#[derive(Clone, Copy)]
pub(crate) struct NameBuf {
    buf: [u8; MAX_NAME_LEN],
    len: usize,
}

impl NameBuf {
    /// Joins `prefix` and `name` as ustar does (`prefix/name` when the
    /// prefix is non-empty), checks every component and drops empty and `.`
    /// components, so `./system32//ntdll.dll` and `system32/` (a directory)
    /// become `system32/ntdll.dll` and `system32`. The result may be empty
    /// (an archive's `./` root entry); the caller decides whether that is
    /// allowed.
    pub(crate) fn normalise(prefix: &str, name: &str) -> Result<NameBuf, NameError> {
        let first = if prefix.is_empty() { name } else { prefix };
        if first.starts_with('/') {
            return Err(NameError::Absolute);
        }
        let mut out = NameBuf {
            buf: [0; MAX_NAME_LEN],
            len: 0,
        };
        for c in prefix.split('/').chain(name.split('/')) {
            if c.is_empty() || c == "." {
                continue;
            }
            check_component(c)?;
            if out.len != 0 {
                out.push(b"/");
            }
            out.push(c.as_bytes());
        }
        Ok(out)
    }

    /// Appends bytes. The joined input is at most [`MAX_NAME_LEN`] bytes
    /// and normalising only removes bytes, so this never runs out of room;
    /// it truncates rather than panic if that reasoning were ever wrong.
    fn push(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
    }

    /// The name. It is built from whole UTF-8 components joined by `/`, so
    /// it is always valid UTF-8; the fallback only avoids a panic path.
    pub(crate) fn as_str(&self) -> &str {
        let bytes = self.buf.get(..self.len).unwrap_or(&[]);
        core::str::from_utf8(bytes).unwrap_or("")
    }
}

/// The components of a lookup path: split on `/` or `\` (NT code passes
/// its own separators), empty and `.` components skipped.
fn query_components(path: &str) -> impl Iterator<Item = &str> {
    path.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
}

/// Whether normalised entry name `name` is the path `query`, comparing
/// components with ASCII case folding. NT's own rule upcases through a
/// Unicode table; boot-image names are ASCII in practice, and for other
/// characters an exact match is the safe subset of NT's rule.
pub fn path_eq_ci(name: &str, query: &str) -> bool {
    let mut a = query_components(name);
    let mut b = query_components(query);
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;

    fn norm(prefix: &str, name: &str) -> Result<String, NameError> {
        NameBuf::normalise(prefix, name).map(|n| String::from(n.as_str()))
    }

    #[test]
    fn normalises() {
        assert_eq!(norm("", "a/b").as_deref(), Ok("a/b"));
        assert_eq!(norm("", "./a//b/").as_deref(), Ok("a/b"));
        assert_eq!(norm("pre/fix", "name").as_deref(), Ok("pre/fix/name"));
        assert_eq!(norm("", "./").as_deref(), Ok(""));
        assert_eq!(norm("", "/etc"), Err(NameError::Absolute));
        assert_eq!(norm("/p", "n"), Err(NameError::Absolute));
        // The prefix is not empty, so the joined name is `p//n`: relative.
        assert_eq!(norm("p", "/n").as_deref(), Ok("p/n"));
        assert_eq!(norm("", "a/../b"), Err(NameError::DotDot));
        assert_eq!(norm("..", "b"), Err(NameError::DotDot));
        assert_eq!(norm("", "a\\b"), Err(NameError::BadChar(b'\\')));
        assert_eq!(norm("", "c:x"), Err(NameError::BadChar(b':')));
        assert_eq!(norm("", "a\tb"), Err(NameError::BadChar(b'\t')));
        assert_eq!(norm("", "...b").as_deref(), Ok("...b"));
        assert_eq!(norm("", "ünï").as_deref(), Ok("ünï"));
    }

    #[test]
    fn compares_ci() {
        assert!(path_eq_ci("system32/ntdll.dll", "SYSTEM32\\NtDll.Dll"));
        assert!(path_eq_ci("system32/ntdll.dll", "\\system32\\.\\ntdll.dll"));
        assert!(path_eq_ci("boot.cfg", "/boot.cfg"));
        assert!(!path_eq_ci("system32/ntdll.dll", "system32"));
        assert!(!path_eq_ci("system32", "system32/ntdll.dll"));
        assert!(!path_eq_ci("a/b", "a/../a/b"));
        assert!(!path_eq_ci("ü", "Ü"));
        assert!(path_eq_ci("", ""));
    }
}
