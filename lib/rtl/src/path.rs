//! DOS path names: their kinds (RtlDetermineDosPathNameType_U), DOS device
//! names (RtlIsDosDeviceName_U), full paths (RtlGetFullPathName_U) and NT
//! paths (RtlDosPathNameToNtPathName_U), following the Win32 rules:
//!
//! - `/` and `\` are both separators; runs of separators collapse;
//! - `.` segments vanish, `..` removes the previous segment but never the
//!   root (`C:\`, `\\server\share\`, `\\.\`);
//! - a segment ending in a single `.` loses it, and unless the path ends
//!   with a separator its trailing dots and spaces go;
//! - `C:x` is relative to the current directory when that is on drive C,
//!   else to `C:\` (the per-drive `=C:` directories are not consulted);
//!   `\x` is relative to the current directory's root;
//! - CON, PRN, AUX, NUL, COM1-9 and LPT1-9 as the last segment (with any
//!   extension or trailing spaces or colon) name devices: `\\.\NUL`;
//! - `\\?\` paths are taken verbatim.
//!
//! NT paths: `C:\x` -> `\??\C:\x`, `\\server\share\x` -> `\??\UNC\server\share\x`,
//! `\\.\x` and `\\?\x` -> `\??\x`; a path already starting `\??\` is kept.
//!
//! All functions write into a caller buffer of at least [`bound`] units;
//! [`full_path_bytes`] turns a result into RtlGetFullPathName_U's byte
//! counts.

use nt_abi::status::{STATUS_BUFFER_TOO_SMALL, STATUS_OBJECT_NAME_INVALID};
use nt_abi::NtStatus;

/// RTL_PATH_TYPE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum PathType {
    Unknown = 0,
    UncAbsolute = 1,
    DriveAbsolute = 2,
    DriveRelative = 3,
    Rooted = 4,
    Relative = 5,
    LocalDevice = 6,
    RootLocalDevice = 7,
}

const SEP: u16 = b'\\' as u16;

fn is_sep(c: u16) -> bool {
    c == SEP || c == b'/' as u16
}

fn at(p: &[u16], i: usize) -> u16 {
    p.get(i).copied().unwrap_or(0)
}

/// RtlDetermineDosPathNameType_U.
pub fn path_type(p: &[u16]) -> PathType {
    if p.is_empty() {
        return PathType::Relative;
    }
    if is_sep(at(p, 0)) {
        if !is_sep(at(p, 1)) {
            return PathType::Rooted;
        }
        if at(p, 2) == b'.' as u16 || at(p, 2) == b'?' as u16 {
            if is_sep(at(p, 3)) {
                return PathType::LocalDevice;
            }
            if p.len() == 3 {
                return PathType::RootLocalDevice;
            }
        }
        return PathType::UncAbsolute;
    }
    if at(p, 1) == b':' as u16 {
        return if is_sep(at(p, 2)) {
            PathType::DriveAbsolute
        } else {
            PathType::DriveRelative
        };
    }
    PathType::Relative
}

/// RtlIsDosDeviceName_U: the (offset, length) in units of a device name in
/// the last segment of `p`, or None.
pub fn dos_device(p: &[u16]) -> Option<(usize, usize)> {
    match path_type(p) {
        PathType::UncAbsolute
        | PathType::LocalDevice
        | PathType::RootLocalDevice
        | PathType::Unknown => return None,
        _ => {}
    }
    let start = p.iter().rposition(|&c| is_sep(c)).map_or(0, |i| i + 1);
    // "C:nul" has its last segment after the drive.
    let start = if start == 0 && at(p, 1) == b':' as u16 {
        2
    } else {
        start
    };
    let seg = &p[start..];
    let mut len = seg
        .iter()
        .position(|&c| c == b'.' as u16 || c == b':' as u16)
        .unwrap_or(seg.len());
    while len > 0 && seg[len - 1] == b' ' as u16 {
        len -= 1;
    }
    let up = |i: usize| (seg[i] as u8).to_ascii_uppercase();
    if seg[..len].iter().any(|&c| c > 0x7F) {
        return None;
    }
    let name: [u8; 4] = core::array::from_fn(|i| if i < len { up(i) } else { 0 });
    let hit = match len {
        3 => matches!(&name[..3], b"CON" | b"PRN" | b"AUX" | b"NUL"),
        4 => matches!(&name[..3], b"COM" | b"LPT") && (b'1'..=b'9').contains(&name[3]),
        _ => false,
    };
    hit.then_some((start, len))
}

/// Units a buffer needs for [`full_path`] or [`nt_path`] of `name` with
/// current directory `cur`.
pub fn bound(name: &[u16], cur: &[u16]) -> usize {
    full_bound(name, cur) + 8
}

/// What [`full_path`] itself needs: the name, the current directory, a
/// separator and a root (`\\.\` at most) to spare.
fn full_bound(name: &[u16], cur: &[u16]) -> usize {
    name.len() + cur.len() + 12
}

/// A full or NT path written to a caller buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    /// Units written (no NUL).
    pub len: usize,
    /// Where the last segment starts, None when the path ends with a
    /// separator or names a device.
    pub file_part: Option<usize>,
    /// The kind of the input path.
    pub kind: PathType,
}

/// How many leading units of a full path are its root: `C:\`,
/// `\\server\share\` (or all of a shorter UNC path), `\\.\`.
fn root_len(p: &[u16]) -> usize {
    match path_type(p) {
        PathType::UncAbsolute => {
            // Skip "\\", then the server and share names.
            let mut i = 2;
            for _ in 0..2 {
                while i < p.len() && !is_sep(p[i]) {
                    i += 1;
                }
                if i < p.len() {
                    i += 1;
                }
            }
            i
        }
        PathType::LocalDevice | PathType::RootLocalDevice => 4.min(p.len()),
        PathType::DriveAbsolute => 3,
        PathType::DriveRelative => 2,
        PathType::Rooted => 1,
        _ => 0,
    }
}

fn copy(out: &mut [u16], at: usize, s: &[u16]) -> usize {
    out[at..at + s.len()].copy_from_slice(s);
    at + s.len()
}

/// What RtlGetFullPathName_U returns for a full path of `units` UTF-16
/// units and a caller buffer of `buffer_bytes` bytes: `Ok(bytes)` when the
/// path and its NUL fit (the length written, NUL not counted), else
/// `Err(bytes)`, the size the caller must pass, NUL included (so
/// `C:\test` reports 14 written, or 16 needed).
pub fn full_path_bytes(units: usize, buffer_bytes: usize) -> Result<u32, u32> {
    let bytes = units.saturating_mul(2);
    let needed = bytes.saturating_add(2);
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    if needed > buffer_bytes {
        Err(clamp(needed))
    } else {
        Ok(clamp(bytes))
    }
}

/// RtlGetFullPathName_U's result for `name` given the current directory
/// `cur` (a full DOS path, normally ending in `\`).
pub fn full_path(name: &[u16], cur: &[u16], out: &mut [u16]) -> Result<Written, NtStatus> {
    if name.is_empty() || name.contains(&0) {
        return Err(STATUS_OBJECT_NAME_INVALID);
    }
    if out.len() < full_bound(name, cur) {
        return Err(STATUS_BUFFER_TOO_SMALL);
    }
    let kind = path_type(name);
    let verbatim = kind == PathType::LocalDevice && name[2] == b'?' as u16;
    if verbatim {
        let n = copy(out, 0, name);
        let file_part = if is_sep(name[n - 1]) {
            None
        } else {
            name.iter().rposition(|&c| is_sep(c)).map(|i| i + 1)
        };
        return Ok(Written {
            len: n,
            file_part,
            kind,
        });
    }
    if let Some((off, len)) = dos_device(name) {
        let mut n = copy(out, 0, &[SEP, SEP, b'.' as u16, SEP]);
        n = copy(out, n, &name[off..off + len]);
        return Ok(Written {
            len: n,
            file_part: None,
            kind,
        });
    }
    // Assemble the raw path: a root and the segments still to normalise.
    let cur_root = root_len(cur).min(cur.len());
    let raw_len = match kind {
        PathType::UncAbsolute | PathType::LocalDevice | PathType::DriveAbsolute => {
            copy(out, 0, name)
        }
        PathType::RootLocalDevice => copy(out, 0, &[SEP, SEP, b'.' as u16, SEP]),
        PathType::DriveRelative => {
            let same = cur.len() >= 2
                && cur[1] == b':' as u16
                && (cur[0] as u8).eq_ignore_ascii_case(&(name[0] as u8))
                && cur[0] < 0x80
                && name[0] < 0x80;
            let n = if same {
                let n = copy(out, 0, cur);
                if is_sep(out[n - 1]) {
                    n
                } else {
                    copy(out, n, &[SEP])
                }
            } else {
                copy(out, 0, &[name[0], b':' as u16, SEP])
            };
            copy(out, n, &name[2..])
        }
        PathType::Rooted => {
            // The current directory's drive or \\server\share, then the name.
            let r = match path_type(cur) {
                PathType::DriveAbsolute | PathType::DriveRelative => 2,
                PathType::UncAbsolute | PathType::LocalDevice => cur_root.saturating_sub(1),
                _ => 0,
            };
            let n = copy(out, 0, &cur[..r]);
            copy(out, n, name)
        }
        PathType::Relative | PathType::Unknown => {
            let n = copy(out, 0, cur);
            let n = if n > 0 && !is_sep(out[n - 1]) {
                copy(out, n, &[SEP])
            } else {
                n
            };
            copy(out, n, name)
        }
    };
    let len = normalize(out, raw_len);
    let file_part = if len == 0 || is_sep(out[len - 1]) {
        None
    } else {
        out[..len].iter().rposition(|&c| is_sep(c)).map(|i| i + 1)
    };
    Ok(Written {
        len,
        file_part,
        kind,
    })
}

/// Normalises `out[..len]` in place (separators, `.`, `..`, trailing dots
/// and spaces); returns the new length. Writes never overtake reads.
fn normalize(out: &mut [u16], len: usize) -> usize {
    let root = root_len(&out[..len]).min(len);
    for c in out[..root].iter_mut() {
        if *c == b'/' as u16 {
            *c = SEP;
        }
    }
    // A UNC root without its trailing separator ("\\server\share").
    let (mut w, mut r) = (root, root);
    let ends_with_sep = len > root && is_sep(out[len - 1]);
    let mut last_was_dots = false;
    while r < len {
        while r < len && is_sep(out[r]) {
            r += 1;
        }
        if r >= len {
            break;
        }
        let s = r;
        while r < len && !is_sep(out[r]) {
            r += 1;
        }
        let seg_len = r - s;
        let dot = b'.' as u16;
        if seg_len == 1 && out[s] == dot {
            last_was_dots = true;
            continue;
        }
        if seg_len == 2 && out[s] == dot && out[s + 1] == dot {
            // Back to the start of the previous segment, never into the root.
            if w > root {
                w -= 1; // the separator after the previous segment
                while w > root && !is_sep(out[w - 1]) {
                    w -= 1;
                }
            }
            last_was_dots = true;
            continue;
        }
        last_was_dots = false;
        if w > 0 && !is_sep(out[w - 1]) {
            out[w] = SEP;
            w += 1;
        }
        out.copy_within(s..r, w);
        let mut seg_end = w + seg_len;
        // One trailing period goes ("a." is "a"; "a.." stays).
        if seg_len >= 2 && out[seg_end - 1] == dot && out[seg_end - 2] != dot {
            seg_end -= 1;
        }
        w = seg_end;
        if r < len {
            out[w] = SEP;
            w += 1;
        }
    }
    if !ends_with_sep || last_was_dots {
        // The last segment loses trailing dots and spaces; a path ending in
        // `.`/`..` ends without a separator (unless it is just the root).
        while w > root && is_sep(out[w - 1]) && (last_was_dots || !ends_with_sep) {
            w -= 1;
        }
        while w > root && (out[w - 1] == b'.' as u16 || out[w - 1] == b' ' as u16) {
            w -= 1;
        }
    }
    w
}

/// RtlDosPathNameToNtPathName_U's result for `name`.
pub fn nt_path(name: &[u16], cur: &[u16], out: &mut [u16]) -> Result<Written, NtStatus> {
    if name.is_empty() {
        return Err(STATUS_OBJECT_NAME_INVALID);
    }
    if out.len() < bound(name, cur) {
        return Err(STATUS_BUFFER_TOO_SMALL);
    }
    let q = b'?' as u16;
    let already_nt =
        name.len() >= 4 && name[0] == SEP && name[1] == q && name[2] == q && name[3] == SEP;
    if already_nt || (path_type(name) == PathType::LocalDevice && name[2] == q) {
        let mut n = copy(out, 0, &[SEP, q, q, SEP]);
        n = copy(out, n, &name[4..]);
        let file_part = out[..n]
            .iter()
            .rposition(|&c| c == SEP)
            .map(|i| i + 1)
            .filter(|&i| i < n);
        return Ok(Written {
            len: n,
            file_part,
            kind: path_type(name),
        });
    }
    // The full path goes 8 units in, leaving room for "\??\UNC".
    let full = full_path(name, cur, &mut out[8..])?;
    let body = &out[8..8 + full.len];
    let (prefix, skip): (&[u8], usize) = match path_type(body) {
        PathType::UncAbsolute => (b"\\??\\UNC", 1),
        PathType::LocalDevice | PathType::RootLocalDevice => (b"\\??\\", 4),
        _ => (b"\\??\\", 0),
    };
    for (i, &b) in prefix.iter().enumerate() {
        out[i] = b as u16;
    }
    out.copy_within(8 + skip..8 + full.len, prefix.len());
    let len = prefix.len() + full.len - skip;
    let file_part = full.file_part.map(|f| f + prefix.len() - skip);
    Ok(Written {
        len,
        file_part,
        kind: full.kind,
    })
}
