//! Directories and name lookup (NT ObpLookupObjectName): walking a path
//! from the root or a RootDirectory handle, following symbolic links,
//! stopping at objects that parse their own names.
//!
//! Rules, with the statuses Windows gives (Wine dlls/ntdll/tests/om.c,
//! checked on Windows; the Windows Research Kernel's ObpLookupObjectName):
//! - without a root the name must start with `\`, else
//!   STATUS_OBJECT_PATH_SYNTAX_BAD; with a root it must not (unless the
//!   root is a file, whose parse procedure takes any name);
//! - an empty component (`\\x`, `\x\\y`, a trailing `\`) is
//!   STATUS_OBJECT_NAME_INVALID when the lookup reaches it;
//! - a missing component with more after it is STATUS_OBJECT_PATH_NOT_FOUND,
//!   a missing last one STATUS_OBJECT_NAME_NOT_FOUND (or the place for a
//!   create);
//! - a non-directory in the middle of a path is STATUS_OBJECT_TYPE_MISMATCH,
//!   except devices, files and keys, where the lookup stops and returns the
//!   rest of the name;
//! - a symbolic link is replaced by its target and the lookup starts again
//!   from the root, unless it is the last component and a symbolic link is
//!   what is being opened; OBJ_DONT_REPARSE makes any link
//!   STATUS_REPARSE_POINT_ENCOUNTERED; the 32nd reparse of one lookup
//!   (OBJ_MAX_REPARSE_ATTEMPTS) fails with STATUS_OBJECT_NAME_NOT_FOUND, as
//!   WRK does, so link loops end;
//! - a RootDirectory handle that is a symbolic link only opens itself (empty
//!   name); any other non-directory without a parse procedure is
//!   STATUS_OBJECT_TYPE_MISMATCH (Windows 7 and later).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use nt_abi::consts::{OBJ_CASE_INSENSITIVE, OBJ_DONT_REPARSE};
use nt_abi::status::*;

use super::name::{split_first, upcased, SEPARATOR};
use super::{Body, ObjectId, ObjectManager, ProcessId, TypeId};

/// STATUS_REPARSE_POINT_ENCOUNTERED (ntstatus.h; Windows 10): a lookup
/// with OBJ_DONT_REPARSE met a symbolic link. Not in nt-abi's list.
pub const STATUS_REPARSE_POINT_ENCOUNTERED: NtStatus = NtStatus(0xC000_050B);

/// OBJ_MAX_REPARSE_ATTEMPTS (WRK ntobapi.h).
const MAX_REPARSE: u32 = 32;

/// The longest name a reparse may build, in bytes (ObpParseSymbolicLink
/// fails past it with STATUS_NAME_TOO_LONG).
const MAX_REPARSED_BYTES: usize = 0xFFF0;

/// A directory's entries, by upcased name; names equal but for case (made
/// by case-sensitive creates) share a key, oldest first.
#[derive(Default)]
pub(crate) struct Directory {
    entries: BTreeMap<Vec<u16>, Vec<ObjectId>>,
}

impl Directory {
    /// Every entry in enumeration order (by upcased name, then age).
    pub fn iter(&self) -> impl Iterator<Item = ObjectId> + '_ {
        self.entries.values().flatten().copied()
    }

    pub fn len(&self) -> usize {
        self.entries.values().map(Vec::len).sum()
    }
}

/// Where a lookup ended.
pub(crate) enum Resolved {
    Existing(ObjectId),
    /// A device, file or key and the rest of the name for it.
    Parse {
        object: ObjectId,
        remaining: Vec<u16>,
    },
    /// (Creates only.) The last component is free in `parent`.
    Insert {
        parent: ObjectId,
        name: Vec<u16>,
    },
}

/// Where an absolute name starts.
enum Start {
    /// The name is a whole object (`\`, `\??`).
    Object(ObjectId),
    /// Look `path` (no leading `\`) up in `dir`.
    Path(ObjectId, Vec<u16>),
}

impl<B> ObjectManager<B> {
    pub(crate) fn directory(&self, id: ObjectId) -> Option<&Directory> {
        match &self.obj(id)?.body {
            Body::Directory(d) => Some(d),
            _ => None,
        }
    }

    /// The entry `name` of directory `dir`.
    pub(crate) fn dir_find(
        &self,
        dir: ObjectId,
        name: &[u16],
        case_insensitive: bool,
    ) -> Option<ObjectId> {
        let ids = self.directory(dir)?.entries.get(&upcased(name))?;
        if case_insensitive {
            return ids.first().copied();
        }
        ids.iter()
            .copied()
            .find(|&id| self.obj(id).is_some_and(|o| o.name == name))
    }

    /// Puts `id` (already named) into `dir`; the entry holds a reference
    /// on the directory.
    pub(crate) fn dir_insert(&mut self, dir: ObjectId, id: ObjectId) {
        let Some(key) = self.obj(id).map(|o| upcased(&o.name)) else {
            return;
        };
        if let Some(Body::Directory(d)) = self.obj_mut(dir).map(|o| &mut o.body) {
            d.entries.entry(key).or_default().push(id);
        } else {
            return;
        }
        if let Some(d) = self.obj_mut(dir) {
            d.refs += 1;
        }
        if let Some(o) = self.obj_mut(id) {
            o.parent = Some(dir);
        }
    }

    /// Takes `id` out of `dir`'s entries (the caller fixes the counts).
    pub(crate) fn dir_remove(&mut self, dir: ObjectId, id: ObjectId) {
        let Some(key) = self.obj(id).map(|o| upcased(&o.name)) else {
            return;
        };
        if let Some(Body::Directory(d)) = self.obj_mut(dir).map(|o| &mut o.body) {
            if let Some(ids) = d.entries.get_mut(&key) {
                ids.retain(|&x| x != id);
                if ids.is_empty() {
                    d.entries.remove(&key);
                }
            }
        }
    }

    fn parses(&self, t: TypeId) -> bool {
        self.types
            .get(t.index())
            .is_some_and(|t| t.def.parses_names)
    }

    /// Where an absolute name (or an empty one: the root) starts, with the
    /// `\??` prefix sent to the DOS devices directory.
    fn start(&self, name: &[u16]) -> Start {
        const DOS: [u16; 3] = [SEPARATOR, b'?' as u16, b'?' as u16];
        if name.len() <= 1 {
            return Start::Object(self.root);
        }
        if name == DOS {
            return Start::Object(self.dos_devices);
        }
        if name.len() > 3 && name[..3] == DOS && name[3] == SEPARATOR {
            return Start::Path(self.dos_devices, name[4..].to_vec());
        }
        Start::Path(self.root, name[1..].to_vec())
    }

    /// What an object that parses names gives for `remaining` when the
    /// caller wants `expected`.
    fn parse_result(
        &self,
        object: ObjectId,
        own: TypeId,
        remaining: &[u16],
        expected: Option<TypeId>,
    ) -> Result<Resolved, NtStatus> {
        let wants_parse = expected.is_none_or(|t| self.parses(t));
        if !remaining.is_empty() {
            return if wants_parse {
                Ok(Resolved::Parse {
                    object,
                    remaining: remaining.to_vec(),
                })
            } else {
                Err(STATUS_OBJECT_TYPE_MISMATCH)
            };
        }
        // Opening a file through its device (or a key through another
        // key) runs the parse procedure even with nothing left of the name.
        if expected.is_some_and(|t| t != own && self.parses(t)) {
            return Ok(Resolved::Parse {
                object,
                remaining: Vec::new(),
            });
        }
        Ok(Resolved::Existing(object))
    }

    /// Looks `name` up for `pid` (root handle `root`, 0 for none).
    /// `expected` is the type being opened or created; `create` asks for
    /// the free place of the last component instead of
    /// STATUS_OBJECT_NAME_NOT_FOUND, and never runs parse procedures
    /// (Windows inserts named objects only into directories).
    pub(crate) fn resolve(
        &self,
        pid: Option<ProcessId>,
        root: u64,
        name: &[u16],
        attributes: u32,
        expected: Option<TypeId>,
        create: bool,
    ) -> Result<Resolved, NtStatus> {
        let ci = attributes & OBJ_CASE_INSENSITIVE != 0
            || expected.is_some_and(|t| {
                self.types
                    .get(t.index())
                    .is_some_and(|t| t.def.case_insensitive)
            });
        let (mut dir, mut path) = if root != 0 {
            let pid = pid.ok_or(STATUS_INVALID_HANDLE)?;
            let r = self.entry(pid, root)?.object;
            let ro = self.obj(r).ok_or(STATUS_INVALID_HANDLE)?;
            if name.first() == Some(&SEPARATOR) {
                if ro.type_id == TypeId::FILE && !create && expected.is_none_or(|t| self.parses(t))
                {
                    return Ok(Resolved::Parse {
                        object: r,
                        remaining: name.to_vec(),
                    });
                }
                return Err(STATUS_OBJECT_PATH_SYNTAX_BAD);
            }
            match &ro.body {
                Body::Directory(_) if name.is_empty() => return Ok(Resolved::Existing(r)),
                Body::Directory(_) => (r, name.to_vec()),
                Body::SymbolicLink(_) if name.is_empty() => return Ok(Resolved::Existing(r)),
                _ if !create && self.parses(ro.type_id) => {
                    return self.parse_result(r, ro.type_id, name, expected)
                }
                _ => return Err(STATUS_OBJECT_TYPE_MISMATCH),
            }
        } else {
            if name.first() != Some(&SEPARATOR) {
                return Err(STATUS_OBJECT_PATH_SYNTAX_BAD);
            }
            match self.start(name) {
                Start::Object(id) => return Ok(Resolved::Existing(id)),
                Start::Path(d, p) => (d, p),
            }
        };
        let mut pos = 0;
        let mut reparses = 0;
        loop {
            let (component, rest) = split_first(&path[pos..]);
            if component.is_empty() {
                return Err(STATUS_OBJECT_NAME_INVALID);
            }
            let last = rest.is_empty();
            let Some(child) = self.dir_find(dir, component, ci) else {
                if !last {
                    return Err(STATUS_OBJECT_PATH_NOT_FOUND);
                }
                if create {
                    return Ok(Resolved::Insert {
                        parent: dir,
                        name: component.to_vec(),
                    });
                }
                return Err(STATUS_OBJECT_NAME_NOT_FOUND);
            };
            let co = self.obj(child).ok_or(STATUS_INTERNAL_ERROR)?;
            match &co.body {
                Body::SymbolicLink(_) if last && expected == Some(TypeId::SYMBOLIC_LINK) => {
                    return Ok(Resolved::Existing(child))
                }
                Body::SymbolicLink(target) => {
                    if attributes & OBJ_DONT_REPARSE != 0 {
                        return Err(STATUS_REPARSE_POINT_ENCOUNTERED);
                    }
                    reparses += 1;
                    if reparses >= MAX_REPARSE {
                        return Err(STATUS_OBJECT_NAME_NOT_FOUND);
                    }
                    if (target.len() + rest.len()) * 2 > MAX_REPARSED_BYTES {
                        return Err(STATUS_NAME_TOO_LONG);
                    }
                    let mut full = target.clone();
                    full.extend_from_slice(rest);
                    // A target that is not absolute leads nowhere from the
                    // root (WRK: the name is not found).
                    if full.first().is_some_and(|&c| c != SEPARATOR) {
                        return Err(STATUS_OBJECT_NAME_NOT_FOUND);
                    }
                    match self.start(&full) {
                        Start::Object(id) => return Ok(Resolved::Existing(id)),
                        Start::Path(d, p) => {
                            dir = d;
                            path = p;
                            pos = 0;
                        }
                    }
                }
                Body::Directory(_) if last => return Ok(Resolved::Existing(child)),
                Body::Directory(_) => {
                    dir = child;
                    pos += component.len() + 1;
                }
                _ if self.parses(co.type_id) => {
                    if create {
                        // Wine om.c: creating `\??\PIPE\x` (a device in the
                        // path) is STATUS_OBJECT_PATH_NOT_FOUND.
                        return if last {
                            Ok(Resolved::Existing(child))
                        } else {
                            Err(STATUS_OBJECT_PATH_NOT_FOUND)
                        };
                    }
                    return self.parse_result(child, co.type_id, rest, expected);
                }
                _ if last => return Ok(Resolved::Existing(child)),
                _ => return Err(STATUS_OBJECT_TYPE_MISMATCH),
            }
        }
    }
}
