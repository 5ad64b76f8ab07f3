//! Environment blocks: UTF-16 `NAME=VALUE\0` strings ending with an empty
//! string. Names compare case-insensitively; a name may start with `=`
//! (the per-drive current directories, `=C:=C:\dir`), so the separator is
//! the first `=` after the first character. Setting a new variable inserts
//! it in sorted (case-insensitive) position, as Windows keeps the block.

use crate::unicode;
use nt_abi::status::STATUS_INVALID_PARAMETER;
use nt_abi::NtStatus;

/// The block at `p` up to and including its final empty string's NUL.
///
/// # Safety
/// `p` must point at a well-formed environment block.
pub unsafe fn from_ptr<'a>(p: *const u16) -> &'a [u16] {
    let mut n = 0;
    loop {
        if *p.add(n) == 0 {
            // An empty string ends the block.
            return core::slice::from_raw_parts(p, n + 1);
        }
        while *p.add(n) != 0 {
            n += 1;
        }
        n += 1;
    }
}

/// The entries of a block (without their NULs), with their offsets.
pub fn entries(block: &[u16]) -> impl Iterator<Item = (usize, &[u16])> {
    let mut at = 0;
    core::iter::from_fn(move || {
        let rest = block.get(at..)?;
        let len = rest.iter().position(|&c| c == 0).unwrap_or(rest.len());
        if len == 0 {
            return None;
        }
        let item = (at, &rest[..len]);
        at += len + 1;
        Some(item)
    })
}

/// An entry's name and value (the value is empty if there is no `=`).
pub fn split(entry: &[u16]) -> (&[u16], &[u16]) {
    match entry.iter().skip(1).position(|&c| c == b'=' as u16) {
        Some(i) => (&entry[..i + 1], &entry[i + 2..]),
        None => (entry, &[]),
    }
}

/// RtlQueryEnvironmentVariable_U's lookup.
pub fn query<'a>(block: &'a [u16], name: &[u16]) -> Option<&'a [u16]> {
    entries(block)
        .map(|(_, e)| split(e))
        .find(|(n, _)| unicode::equal(n, name, true))
        .map(|(_, v)| v)
}

/// Is `name` acceptable for RtlSetEnvironmentVariable? Not empty and no
/// `=` after its first character.
pub fn valid_name(name: &[u16]) -> bool {
    !name.is_empty() && !name[1..].contains(&(b'=' as u16))
}

fn compare_names(a: &[u16], b: &[u16]) -> core::cmp::Ordering {
    unicode::compare(a, b, true).cmp(&0)
}

/// The block with `name` set to `value` (or removed when `value` is None),
/// written to `out`. Returns the new block's length in units (final NUL
/// included), `Ok(Err(needed))` if `out` is too small, or an error for a
/// bad name.
pub fn set(
    block: &[u16],
    name: &[u16],
    value: Option<&[u16]>,
    out: &mut [u16],
) -> Result<Result<usize, usize>, NtStatus> {
    if !valid_name(name) {
        return Err(STATUS_INVALID_PARAMETER);
    }
    let mut w = Emit { out, len: 0 };
    let mut done = false;
    for (_, e) in entries(block) {
        let (n, _) = split(e);
        let ord = compare_names(n, name);
        if !done && ord != core::cmp::Ordering::Less {
            if let Some(v) = value {
                w.entry(name, v);
            }
            done = true;
            if ord == core::cmp::Ordering::Equal {
                continue;
            }
        }
        w.put(e);
        w.put(&[0]);
    }
    if !done {
        if let Some(v) = value {
            w.entry(name, v);
        }
    }
    if w.len == 0 {
        // An empty block still needs its terminating empty string.
        w.put(&[0]);
    }
    w.put(&[0]);
    Ok(if w.len <= w.out.len() {
        Ok(w.len)
    } else {
        Err(w.len)
    })
}

/// Writes what fits and counts everything.
struct Emit<'a> {
    out: &'a mut [u16],
    len: usize,
}

impl Emit<'_> {
    fn put(&mut self, s: &[u16]) {
        for &c in s {
            if let Some(slot) = self.out.get_mut(self.len) {
                *slot = c;
            }
            self.len += 1;
        }
    }

    fn entry(&mut self, name: &[u16], value: &[u16]) {
        self.put(name);
        self.put(&[b'=' as u16]);
        self.put(value);
        self.put(&[0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{vec, vec::Vec};

    fn block(entries: &[&str]) -> Vec<u16> {
        let mut v = Vec::new();
        for e in entries {
            v.extend(e.encode_utf16());
            v.push(0);
        }
        v.push(0);
        v
    }

    fn w(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    fn set_vec(b: &[u16], name: &str, value: Option<&str>) -> Vec<u16> {
        let v = value.map(w);
        let mut out = vec![0u16; 2];
        let need = match set(b, &w(name), v.as_deref(), &mut out).unwrap() {
            Ok(n) => return out[..n].to_vec(),
            Err(n) => n,
        };
        let mut out = vec![0u16; need];
        let n = set(b, &w(name), v.as_deref(), &mut out).unwrap().unwrap();
        assert_eq!(n, need);
        out
    }

    #[test]
    fn query_and_split() {
        let b = block(&["=C:=C:\\dir", "Path=C:\\bin", "TEMP=x=y"]);
        assert_eq!(query(&b, &w("path")), Some(&w("C:\\bin")[..]));
        assert_eq!(query(&b, &w("=c:")), Some(&w("C:\\dir")[..]));
        assert_eq!(query(&b, &w("temp")), Some(&w("x=y")[..]));
        assert_eq!(query(&b, &w("PAT")), None);
        assert_eq!(unsafe { from_ptr(b.as_ptr()) }.len(), b.len());
        let empty = [0u16, 0];
        assert_eq!(unsafe { from_ptr(empty.as_ptr()) }.len(), 1);
        assert_eq!(query(&empty, &w("x")), None);
    }

    #[test]
    fn set_insert_replace_delete() {
        let b = block(&["=C:=C:\\", "A=1", "C=3"]);
        assert_eq!(
            set_vec(&b, "B", Some("2")),
            block(&["=C:=C:\\", "A=1", "B=2", "C=3"])
        );
        assert_eq!(
            set_vec(&b, "c", Some("33")),
            block(&["=C:=C:\\", "A=1", "c=33"])
        );
        assert_eq!(set_vec(&b, "a", None), block(&["=C:=C:\\", "C=3"]));
        assert_eq!(
            set_vec(&b, "Z", Some("")),
            block(&["=C:=C:\\", "A=1", "C=3", "Z="])
        );
        assert_eq!(set_vec(&b, "missing", None), b);
        assert_eq!(set_vec(&block(&["A=1"]), "A", None), vec![0, 0]);
        assert_eq!(set_vec(&[0], "X", Some("y")), block(&["X=y"]));
        assert_eq!(
            set(&b, &w("A=B"), None, &mut []),
            Err(STATUS_INVALID_PARAMETER)
        );
        assert_eq!(set(&b, &[], None, &mut []), Err(STATUS_INVALID_PARAMETER));
        assert_eq!(
            set_vec(&b, "=D:", Some("D:\\x")),
            block(&["=C:=C:\\", "=D:=D:\\x", "A=1", "C=3"])
        );
    }
}
