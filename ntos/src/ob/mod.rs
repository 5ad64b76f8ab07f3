//! The object manager: NT objects, their names and the per-process handle
//! tables, as pure logic the Executive drives (no seL4 code here).
//!
//! # Model
//!
//! [`ObjectManager<B>`] owns every object in an arena; an [`ObjectId`]
//! carries a generation, so an id kept after its object died never names a
//! newer one. Each object has a header (type, name, containing directory,
//! pointer and handle counts, permanent and exclusive flags) and a body:
//! directories, symbolic links and type objects are the object manager's
//! own, everything else is a `B`, the Executive's body enum (processes,
//! threads, sections, events...).
//!
//! Lifetime follows NT: an object lives while it has handles, references
//! (taken by the Executive with [`reference`](ObjectManager::reference) or
//! returned by the calls that say so) or a place in a directory. A named
//! object leaves its directory when its last handle closes unless it is
//! permanent (OBJ_PERMANENT); it is destroyed when nothing holds it any
//! more. Every call that can destroy objects returns their bodies
//! (`Vec<B>`) so the Executive can release what they own (caps, memory).
//!
//! Security is not modelled: every access a type allows is granted, so
//! only handles limit access (granted rights are the requested ones mapped
//! through the type's GENERIC_MAPPING and cut to its valid mask; see
//! [`TypeDef`]). Security descriptors in OBJECT_ATTRIBUTES are ignored.
//!
//! # API
//!
//! Types: [`TypeId`] constants for the standard types,
//! [`register_type`](ObjectManager::register_type)`(TypeDef) -> Result<TypeId>`.
//!
//! Objects and names ([`ObjectAttrs`] is OBJECT_ATTRIBUTES: root handle,
//! name, OBJ_* flags; `pid: None` means the Executive itself, which gets a
//! reference instead of a handle):
//! - `create_object(pid, &attrs, type, body, access) -> Result<(Created, Option<B>), (NtStatus, B)>`
//!   (an OBJ_OPENIF open of an existing object hands the unused body back);
//! - `open_object_by_name(pid, &attrs, expected_type, access) -> Result<Opened>`,
//!   which may stop at a device, file or key with the rest of the name
//!   ([`Opened::Parse`]);
//! - `insert_handle(pid, id, access, attributes) -> Result<u64>`;
//! - `lookup_handle(pid, handle, access, type) -> Result<HandleInfo>` and
//!   `reference_by_handle(...) -> Result<ObjectId>` (the second takes a
//!   reference). Pseudo handles (-1, -2, ...) are not handled here: the
//!   Executive resolves them to its own objects before calling;
//! - `reference(id)`, `dereference(id) -> Vec<B>`, `body(id)`,
//!   `body_mut(id)`, `object_type(id)`, `object_name(id)`.
//!
//! Handle tables: `create_handle_table(pid)`, `inherit_handles(parent,
//! child)`, `destroy_handle_table(pid) -> Vec<B>`, `handle_count(pid)`,
//! `set_handle_limit(n)`.
//!
//! Services (services.rs; handles as u64, names as `&[u16]`, output
//! buffers as bytes with pointers made from the caller's buffer address):
//! `close`, `duplicate_object`, `query_object` / `query_object_info`,
//! `make_temporary`, `set_handle_flags`, `create_directory`,
//! `open_directory`, `query_directory`, `create_symbolic_link`,
//! `open_symbolic_link`, `query_symbolic_link`.
//!
//! # Namespace
//!
//! `\` holds `\ObjectTypes` (one Type object per type), `\Device`,
//! `\Driver`, `\GLOBAL??` (with `GLOBALROOT` -> `` and `Global` ->
//! `\GLOBAL??`), `\BaseNamedObjects` (with `Global` and `Local` links to
//! itself), `\KnownDlls` and the link `\DosDevices` -> `\??`. As in
//! Windows, `\??` is not an entry of the root: a name starting with `\??\`
//! (or equal to `\??`) is looked up in the DOS devices directory, which is
//! `\GLOBAL??` for every process. All of these are permanent.

mod handles;
mod name;
mod namespace;
mod services;
#[cfg(test)]
mod tests;
mod types;

pub use name::{eq_ignore_case, upcase, utf16, MAX_NAME_BYTES};
pub use services::{DirectoryQuery, Duplicated, QueryOutput, SymlinkQuery};
pub use types::{TypeDef, TypeId};

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use nt_abi::consts::{OBJ_EXCLUSIVE, OBJ_INHERIT, OBJ_PROTECT_CLOSE, OBJ_VALID_ATTRIBUTES};
use nt_abi::status::*;
use nt_abi::types::AccessMask;

use handles::{HandleEntry, HandleTable};
use namespace::Directory;
use types::{TypeInfo, STANDARD_TYPES};

/// The Executive's name for a process (its handle table's key).
pub type ProcessId = u64;

/// Names one object; stale ids (the object died) name nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    index: u32,
    generation: u32,
}

impl ObjectId {
    /// Names no object (a record not yet given one).
    pub const NONE: ObjectId = ObjectId { index: u32::MAX, generation: u32::MAX };
}

/// OBJECT_ATTRIBUTES as the object manager needs it. `root` is the
/// RootDirectory handle (0 for none), `name` the ObjectName (None for a
/// NULL pointer), `attributes` the OBJ_* flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ObjectAttrs<'a> {
    pub root: u64,
    pub name: Option<&'a [u16]>,
    pub attributes: u32,
}

/// What a create gave: the object (new, or the existing one an OBJ_OPENIF
/// create opened), its handle (None for the Executive, which holds a
/// reference instead) and STATUS_SUCCESS or STATUS_OBJECT_NAME_EXISTS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Created {
    pub id: ObjectId,
    pub handle: Option<u64>,
    pub status: NtStatus,
}

/// What an open by name found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Opened {
    /// The object, with a handle (or, for the Executive, a reference).
    Object { id: ObjectId, handle: Option<u64> },
    /// The lookup reached a device, file or registry key and the rest of
    /// the name is that object's to parse (NT parse procedures); `remaining`
    /// starts with `\` unless empty. The object is referenced; no handle
    /// was made.
    Parse {
        object: ObjectId,
        remaining: Vec<u16>,
    },
}

/// One handle as the Executive sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandleInfo {
    pub object: ObjectId,
    pub access: AccessMask,
    /// OBJ_INHERIT and OBJ_PROTECT_CLOSE.
    pub attributes: u32,
}

/// Handle attributes a handle entry keeps.
const HANDLE_ATTRIBUTES: u32 = OBJ_INHERIT | OBJ_PROTECT_CLOSE;

/// The default most handles one process may hold (Windows' per-process
/// limit, 2^24).
const DEFAULT_HANDLE_LIMIT: usize = 1 << 24;

/// An object's body.
pub(crate) enum Body<B> {
    Directory(Directory),
    SymbolicLink(Vec<u16>),
    /// A type's object under `\ObjectTypes`.
    Type,
    Executive(B),
}

struct Object<B> {
    type_id: TypeId,
    /// The name in its directory, original case; empty when unnamed or no
    /// longer in the namespace.
    name: Vec<u16>,
    /// The directory holding it; holding a place there keeps it alive.
    parent: Option<ObjectId>,
    /// Pointer references other than handles and the directory entry
    /// (the Executive's, and one per object inside a directory).
    refs: u32,
    handles: u32,
    permanent: bool,
    /// Created with OBJ_EXCLUSIVE; `owner` is the process that may hold
    /// handles to it while it has any.
    exclusive: bool,
    owner: Option<ProcessId>,
    body: Body<B>,
}

struct Slot<B> {
    generation: u32,
    object: Option<Object<B>>,
}

/// The object manager. See the module documentation.
pub struct ObjectManager<B> {
    slots: Vec<Slot<B>>,
    free_slots: Vec<u32>,
    types: Vec<TypeInfo>,
    tables: BTreeMap<ProcessId, HandleTable>,
    root: ObjectId,
    object_types: ObjectId,
    /// The DOS devices directory `\??` stands for (`\GLOBAL??`).
    dos_devices: ObjectId,
    handle_limit: usize,
}

impl<B> Default for ObjectManager<B> {
    fn default() -> Self {
        Self::new()
    }
}

impl<B> ObjectManager<B> {
    /// The object manager with the standard types and the boot namespace.
    pub fn new() -> Self {
        let mut om = ObjectManager {
            slots: Vec::new(),
            free_slots: Vec::new(),
            types: Vec::new(),
            tables: BTreeMap::new(),
            root: ObjectId {
                index: 0,
                generation: 0,
            },
            object_types: ObjectId {
                index: 0,
                generation: 0,
            },
            dos_devices: ObjectId {
                index: 0,
                generation: 0,
            },
            handle_limit: DEFAULT_HANDLE_LIMIT,
        };
        // The types' counters must exist before any object is counted;
        // their objects are made right after the directory that holds them.
        let placeholder = om.root;
        om.types = STANDARD_TYPES
            .iter()
            .map(|d| TypeInfo::new(*d, placeholder))
            .collect();
        om.root = om.alloc(TypeId::DIRECTORY, Body::Directory(Directory::default()));
        if let Some(root) = om.obj_mut(om.root) {
            // Nothing names the root, so one permanent reference keeps it.
            root.permanent = true;
            root.refs = 1;
        }
        om.object_types = om.boot_object(
            om.root,
            "ObjectTypes",
            TypeId::DIRECTORY,
            Body::Directory(Directory::default()),
        );
        for i in 0..STANDARD_TYPES.len() {
            let id = om.boot_object(
                om.object_types,
                STANDARD_TYPES[i].name,
                TypeId::TYPE,
                Body::Type,
            );
            om.types[i].object = id;
        }
        for dir in ["Device", "Driver", "KnownDlls"] {
            om.boot_object(
                om.root,
                dir,
                TypeId::DIRECTORY,
                Body::Directory(Directory::default()),
            );
        }
        om.dos_devices = om.boot_object(
            om.root,
            "GLOBAL??",
            TypeId::DIRECTORY,
            Body::Directory(Directory::default()),
        );
        let bno = om.boot_object(
            om.root,
            "BaseNamedObjects",
            TypeId::DIRECTORY,
            Body::Directory(Directory::default()),
        );
        let links = [
            (om.root, "DosDevices", "\\??"),
            (om.dos_devices, "GLOBALROOT", ""),
            (om.dos_devices, "Global", "\\GLOBAL??"),
            (bno, "Global", "\\BaseNamedObjects"),
            (bno, "Local", "\\BaseNamedObjects"),
        ];
        for (dir, link, target) in links {
            om.boot_object(
                dir,
                link,
                TypeId::SYMBOLIC_LINK,
                Body::SymbolicLink(utf16(target)),
            );
        }
        om
    }

    /// A permanent object named `name` in `dir`, made at boot (names are
    /// distinct by construction, so there is nothing to check).
    fn boot_object(
        &mut self,
        dir: ObjectId,
        name: &str,
        type_id: TypeId,
        body: Body<B>,
    ) -> ObjectId {
        let id = self.alloc(type_id, body);
        if let Some(o) = self.obj_mut(id) {
            o.permanent = true;
            o.name = utf16(name);
        }
        self.dir_insert(dir, id);
        id
    }

    /// Registers an Executive object type; its Type object appears under
    /// `\ObjectTypes`. A name already used is STATUS_OBJECT_NAME_COLLISION.
    pub fn register_type(&mut self, def: TypeDef) -> Result<TypeId, NtStatus> {
        let name = utf16(def.name);
        if name.is_empty() || name.contains(&name::SEPARATOR) {
            return Err(STATUS_OBJECT_NAME_INVALID);
        }
        if self.dir_find(self.object_types, &name, true).is_some() {
            return Err(STATUS_OBJECT_NAME_COLLISION);
        }
        let t = TypeId(u16::try_from(self.types.len()).map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?);
        // TypeIndex in OBJECT_TYPE_INFORMATION is a UCHAR (index + 2).
        if t.0 > 253 {
            return Err(STATUS_INSUFFICIENT_RESOURCES);
        }
        let placeholder = self.root;
        self.types.push(TypeInfo::new(def, placeholder));
        let id = self.boot_object(self.object_types, def.name, TypeId::TYPE, Body::Type);
        self.types[t.index()].object = id;
        Ok(t)
    }

    /// Lowers (or raises) the number of handles one process may hold; past
    /// it, new handles fail with STATUS_INSUFFICIENT_RESOURCES.
    pub fn set_handle_limit(&mut self, limit: usize) {
        self.handle_limit = limit;
    }

    // ----- The arena -----

    fn obj(&self, id: ObjectId) -> Option<&Object<B>> {
        let slot = self.slots.get(id.index as usize)?;
        if slot.generation != id.generation {
            return None;
        }
        slot.object.as_ref()
    }

    fn obj_mut(&mut self, id: ObjectId) -> Option<&mut Object<B>> {
        let slot = self.slots.get_mut(id.index as usize)?;
        if slot.generation != id.generation {
            return None;
        }
        slot.object.as_mut()
    }

    /// A new object with no handle, reference or name; the caller gives it
    /// one at once.
    fn alloc(&mut self, type_id: TypeId, body: Body<B>) -> ObjectId {
        let object = Object {
            type_id,
            name: Vec::new(),
            parent: None,
            refs: 0,
            handles: 0,
            permanent: false,
            exclusive: false,
            owner: None,
            body,
        };
        self.types[type_id.index()].add_object();
        match self.free_slots.pop() {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                slot.object = Some(object);
                ObjectId {
                    index,
                    generation: slot.generation,
                }
            }
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    object: Some(object),
                });
                ObjectId {
                    index: (self.slots.len() - 1) as u32,
                    generation: 0,
                }
            }
        }
    }

    /// Destroys `id` if nothing holds it any more.
    fn maybe_destroy(&mut self, id: ObjectId, out: &mut Vec<B>) {
        let dead =
            matches!(self.obj(id), Some(o) if o.handles == 0 && o.refs == 0 && o.parent.is_none());
        if !dead {
            return;
        }
        let slot = &mut self.slots[id.index as usize];
        let Some(object) = slot.object.take() else {
            return;
        };
        slot.generation = slot.generation.wrapping_add(1);
        self.free_slots.push(id.index);
        self.types[object.type_id.index()].objects -= 1;
        // A directory holding entries has a reference per entry, so a dead
        // one is empty; only Executive bodies own anything.
        if let Body::Executive(b) = object.body {
            out.push(b);
        }
    }

    /// Takes `id` out of its directory (NT ObpDeleteNameCheck).
    fn remove_name(&mut self, id: ObjectId, out: &mut Vec<B>) {
        let Some(parent) = self.obj(id).and_then(|o| o.parent) else {
            return;
        };
        self.dir_remove(parent, id);
        if let Some(o) = self.obj_mut(id) {
            o.parent = None;
            o.name = Vec::new();
        }
        if let Some(p) = self.obj_mut(parent) {
            p.refs -= 1;
        }
        self.maybe_destroy(parent, out);
    }

    /// One handle to `id` went away.
    fn drop_handle(&mut self, id: ObjectId, out: &mut Vec<B>) {
        let Some(o) = self.obj_mut(id) else { return };
        o.handles -= 1;
        let last = o.handles == 0;
        let temporary = !o.permanent;
        if last {
            o.owner = None;
        }
        let t = o.type_id;
        self.types[t.index()].handles -= 1;
        if last && temporary {
            self.remove_name(id, out);
        }
        self.maybe_destroy(id, out);
    }

    // ----- Handles -----

    /// Can `pid` take one more handle? (Checked before an object is made,
    /// so making it cannot fail half way.)
    fn check_room(&self, pid: ProcessId) -> Result<(), NtStatus> {
        match self.tables.get(&pid) {
            None => Err(STATUS_PROCESS_IS_TERMINATING),
            Some(t) if t.len() >= self.handle_limit => Err(STATUS_INSUFFICIENT_RESOURCES),
            Some(_) => Ok(()),
        }
    }

    /// A new handle for `pid` to the live object `id` with `access` already
    /// granted; `attributes` are the caller's OBJ_* flags (OBJ_EXCLUSIVE
    /// asks for exclusive use; OBJ_INHERIT and OBJ_PROTECT_CLOSE are kept).
    /// The exclusive rules are NT's ObpIncrementHandleCount.
    fn add_handle(
        &mut self,
        pid: ProcessId,
        id: ObjectId,
        access: AccessMask,
        attributes: u32,
    ) -> Result<u64, NtStatus> {
        self.check_room(pid)?;
        let o = self.obj(id).ok_or(STATUS_INVALID_HANDLE)?;
        if attributes & OBJ_EXCLUSIVE != 0 {
            if attributes & OBJ_INHERIT != 0 || !o.exclusive {
                return Err(STATUS_INVALID_PARAMETER);
            }
            if o.owner.map_or(o.handles != 0, |p| p != pid) {
                return Err(STATUS_ACCESS_DENIED);
            }
        } else if o.exclusive && o.owner.is_some_and(|p| p != pid) {
            return Err(STATUS_ACCESS_DENIED);
        }
        let entry = HandleEntry {
            object: id,
            access,
            attributes: attributes & HANDLE_ATTRIBUTES,
        };
        let limit = self.handle_limit;
        let handle = self
            .tables
            .get_mut(&pid)
            .and_then(|t| t.insert(entry, limit))
            .ok_or(STATUS_INSUFFICIENT_RESOURCES)?;
        self.count_handle(pid, id, attributes);
        Ok(handle)
    }

    /// Bookkeeping for a handle just put in `pid`'s table.
    fn count_handle(&mut self, pid: ProcessId, id: ObjectId, attributes: u32) {
        if let Some(o) = self.obj_mut(id) {
            o.handles += 1;
            if o.exclusive && attributes & OBJ_EXCLUSIVE != 0 {
                o.owner = Some(pid);
            }
            let t = o.type_id;
            self.types[t.index()].add_handle();
        }
    }

    /// Makes `pid`'s handle table (a new process). A second table for the
    /// same process is STATUS_INVALID_PARAMETER.
    pub fn create_handle_table(&mut self, pid: ProcessId) -> Result<(), NtStatus> {
        if self.tables.contains_key(&pid) {
            return Err(STATUS_INVALID_PARAMETER);
        }
        self.tables.insert(pid, HandleTable::default());
        Ok(())
    }

    /// Copies the parent's OBJ_INHERIT handles into the child's table at
    /// the same values. The child's table must exist and be empty
    /// (STATUS_INVALID_PARAMETER otherwise); a missing parent table is
    /// STATUS_PROCESS_IS_TERMINATING.
    pub fn inherit_handles(&mut self, parent: ProcessId, child: ProcessId) -> Result<(), NtStatus> {
        if parent == child || self.tables.get(&child).is_none_or(|t| t.len() != 0) {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let mut table = self
            .tables
            .get(&parent)
            .ok_or(STATUS_PROCESS_IS_TERMINATING)?
            .inheritable(OBJ_INHERIT);
        // An object held exclusively stays with its owner (a handle to it
        // can be made inheritable after the fact with set_handle_flags).
        let owned: Vec<u64> = table
            .iter()
            .filter(|(_, e)| self.obj(e.object).is_some_and(|o| o.owner.is_some()))
            .map(|(h, _)| h)
            .collect();
        for h in owned {
            table.remove(h);
        }
        let inherited: Vec<ObjectId> = table.iter().map(|(_, e)| e.object).collect();
        self.tables.insert(child, table);
        for id in inherited {
            self.count_handle(child, id, 0);
        }
        Ok(())
    }

    /// Closes every handle of `pid` (protected ones too) and forgets its
    /// table; returns the bodies of the objects that died.
    pub fn destroy_handle_table(&mut self, pid: ProcessId) -> Vec<B> {
        let mut out = Vec::new();
        if let Some(table) = self.tables.remove(&pid) {
            for (_, e) in table.iter() {
                self.drop_handle(e.object, &mut out);
            }
        }
        out
    }

    /// How many handles `pid` holds (None without a table).
    pub fn handle_count(&self, pid: ProcessId) -> Option<usize> {
        self.tables.get(&pid).map(|t| t.len())
    }

    /// The entry behind a handle; STATUS_INVALID_HANDLE for closed, random
    /// or pseudo handles and for a process without a table.
    fn entry(&self, pid: ProcessId, handle: u64) -> Result<HandleEntry, NtStatus> {
        self.tables
            .get(&pid)
            .and_then(|t| t.get(handle))
            .copied()
            .ok_or(STATUS_INVALID_HANDLE)
    }

    /// ObReferenceObjectByHandle without the reference: the handle must
    /// exist (STATUS_INVALID_HANDLE), name an object of `expected` type if
    /// given (STATUS_OBJECT_TYPE_MISMATCH) and hold every right in
    /// `access` (specific rights; STATUS_ACCESS_DENIED).
    pub fn lookup_handle(
        &self,
        pid: ProcessId,
        handle: u64,
        access: AccessMask,
        expected: Option<TypeId>,
    ) -> Result<HandleInfo, NtStatus> {
        let e = self.entry(pid, handle)?;
        let o = self.obj(e.object).ok_or(STATUS_INVALID_HANDLE)?;
        if expected.is_some_and(|t| t != o.type_id) {
            return Err(STATUS_OBJECT_TYPE_MISMATCH);
        }
        if access & !e.access != 0 {
            return Err(STATUS_ACCESS_DENIED);
        }
        Ok(HandleInfo {
            object: e.object,
            access: e.access,
            attributes: e.attributes,
        })
    }

    /// ObReferenceObjectByHandle: [`lookup_handle`](Self::lookup_handle)
    /// plus a reference the caller drops with
    /// [`dereference`](Self::dereference), so the object outlives a close
    /// of the handle (a wait in progress, a mapping being made).
    pub fn reference_by_handle(
        &mut self,
        pid: ProcessId,
        handle: u64,
        access: AccessMask,
        expected: Option<TypeId>,
    ) -> Result<ObjectId, NtStatus> {
        let id = self.lookup_handle(pid, handle, access, expected)?.object;
        self.reference(id)?;
        Ok(id)
    }

    /// Gives `pid` a handle to `id` (an object the Executive found or made
    /// itself: NtOpenProcess by client id, a pseudo handle duplicated).
    /// `access` may hold generic rights and MAXIMUM_ALLOWED; `attributes`
    /// are OBJ_* flags (OBJ_INHERIT, OBJ_PROTECT_CLOSE, OBJ_EXCLUSIVE).
    pub fn insert_handle(
        &mut self,
        pid: ProcessId,
        id: ObjectId,
        access: AccessMask,
        attributes: u32,
    ) -> Result<u64, NtStatus> {
        let t = self.obj(id).ok_or(STATUS_INVALID_HANDLE)?.type_id;
        let granted = self.types[t.index()].grant(access);
        self.add_handle(pid, id, granted, attributes)
    }

    // ----- References and bodies -----

    /// Takes a pointer reference (ObReferenceObject). A stale id is
    /// STATUS_INVALID_HANDLE.
    pub fn reference(&mut self, id: ObjectId) -> Result<(), NtStatus> {
        let o = self.obj_mut(id).ok_or(STATUS_INVALID_HANDLE)?;
        o.refs += 1;
        Ok(())
    }

    /// Drops a reference (ObDereferenceObject); returns the body if that
    /// was the last thing holding the object. A stale id or an object
    /// without references is ignored.
    pub fn dereference(&mut self, id: ObjectId) -> Vec<B> {
        let mut out = Vec::new();
        if let Some(o) = self.obj_mut(id) {
            if o.refs > 0 {
                o.refs -= 1;
                self.maybe_destroy(id, &mut out);
            }
        }
        out
    }

    /// The Executive body of a live object.
    pub fn body(&self, id: ObjectId) -> Option<&B> {
        match &self.obj(id)?.body {
            Body::Executive(b) => Some(b),
            _ => None,
        }
    }

    pub fn body_mut(&mut self, id: ObjectId) -> Option<&mut B> {
        match &mut self.obj_mut(id)?.body {
            Body::Executive(b) => Some(b),
            _ => None,
        }
    }

    /// The type of a live object.
    pub fn object_type(&self, id: ObjectId) -> Option<TypeId> {
        Some(self.obj(id)?.type_id)
    }

    /// The full name (`\BaseNamedObjects\x`), or None for an unnamed
    /// object. A directory that has left the namespace contributes no
    /// component, as in ObQueryNameString.
    pub fn object_name(&self, id: ObjectId) -> Option<Vec<u16>> {
        if id == self.root {
            return Some(utf16("\\"));
        }
        let mut parts: Vec<&[u16]> = Vec::new();
        let mut cur = self.obj(id)?;
        cur.parent?;
        loop {
            if !cur.name.is_empty() {
                parts.push(&cur.name);
            }
            match cur.parent.and_then(|p| self.obj(p)) {
                Some(p) => cur = p,
                None => break,
            }
        }
        let mut full = Vec::new();
        for part in parts.iter().rev() {
            full.push(name::SEPARATOR);
            full.extend_from_slice(part);
        }
        Some(full)
    }

    // ----- Create and open -----

    /// Creates an object of type `type_id` with the Executive body `body`
    /// (NtCreateEvent and friends, through ObCreateObject and
    /// ObInsertObject). With `pid` the caller gets a handle with `access`;
    /// without, the Executive gets one reference.
    ///
    /// Names: no name, or an empty one, makes an unnamed object (a NULL
    /// name with a root handle is STATUS_OBJECT_NAME_INVALID); a name that
    /// exists already is STATUS_OBJECT_NAME_COLLISION for an object of the
    /// same type and STATUS_OBJECT_TYPE_MISMATCH for another type (Windows
    /// Vista and later), unless OBJ_OPENIF opens the existing object of the
    /// same type: then the status is STATUS_OBJECT_NAME_EXISTS and `body`
    /// comes back unused. On failure `body` comes back with the status.
    pub fn create_object(
        &mut self,
        pid: Option<ProcessId>,
        attrs: &ObjectAttrs,
        type_id: TypeId,
        body: B,
        access: AccessMask,
    ) -> Result<(Created, Option<B>), (NtStatus, B)> {
        match self.prepare_create(pid, attrs, type_id, access) {
            Err(status) => Err((status, body)),
            Ok(Plan::Opened(created)) => Ok((created, Some(body))),
            Ok(Plan::New { place, access }) => Ok((
                self.finish_create(place, access, pid, attrs, type_id, Body::Executive(body)),
                None,
            )),
        }
    }

    /// Opens an existing object by name (ObOpenObjectByName): NtOpenEvent
    /// and friends with `expected` their type, or None for any type. The
    /// rules for names, symbolic links and `\??` are the module's; an
    /// object of another type is STATUS_OBJECT_TYPE_MISMATCH. With `pid`
    /// the caller gets a handle, without it the Executive a reference.
    pub fn open_object_by_name(
        &mut self,
        pid: Option<ProcessId>,
        attrs: &ObjectAttrs,
        expected: Option<TypeId>,
        access: AccessMask,
    ) -> Result<Opened, NtStatus> {
        if attrs.attributes & !OBJ_VALID_ATTRIBUTES != 0 {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let name = match attrs.name {
            None if attrs.root != 0 => return Err(STATUS_OBJECT_NAME_INVALID),
            None => return Err(STATUS_OBJECT_PATH_SYNTAX_BAD),
            Some(n) if n.len() * 2 > MAX_NAME_BYTES => return Err(STATUS_OBJECT_NAME_INVALID),
            Some(n) => n,
        };
        let id = match self.resolve(pid, attrs.root, name, attrs.attributes, expected, false)? {
            namespace::Resolved::Existing(id) => id,
            namespace::Resolved::Parse { object, remaining } => {
                self.reference(object)?;
                return Ok(Opened::Parse { object, remaining });
            }
            namespace::Resolved::Insert { .. } => return Err(STATUS_OBJECT_NAME_NOT_FOUND),
        };
        let t = self.obj(id).ok_or(STATUS_OBJECT_NAME_NOT_FOUND)?.type_id;
        if expected.is_some_and(|e| e != t) {
            return Err(STATUS_OBJECT_TYPE_MISMATCH);
        }
        let handle = self.handle_or_reference(pid, id, access, attrs.attributes)?;
        Ok(Opened::Object { id, handle })
    }

    /// A handle for `pid`, or a reference for the Executive.
    fn handle_or_reference(
        &mut self,
        pid: Option<ProcessId>,
        id: ObjectId,
        access: AccessMask,
        attributes: u32,
    ) -> Result<Option<u64>, NtStatus> {
        match pid {
            Some(pid) => self.insert_handle(pid, id, access, attributes).map(Some),
            None => self.reference(id).map(|_| None),
        }
    }

    /// Every check of a create, done before the object exists: attributes,
    /// the name's place, room for the handle. An OBJ_OPENIF hit is opened
    /// here.
    fn prepare_create(
        &mut self,
        pid: Option<ProcessId>,
        attrs: &ObjectAttrs,
        type_id: TypeId,
        access: AccessMask,
    ) -> Result<Plan, NtStatus> {
        let a = attrs.attributes;
        let invalid = self
            .types
            .get(type_id.index())
            .ok_or(STATUS_OBJECT_TYPE_MISMATCH)?
            .def
            .invalid_attributes;
        if a & !OBJ_VALID_ATTRIBUTES != 0
            || a & invalid != 0
            || (a & OBJ_EXCLUSIVE != 0 && a & OBJ_INHERIT != 0)
        {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let place = match attrs.name {
            None if attrs.root != 0 => return Err(STATUS_OBJECT_NAME_INVALID),
            // An empty name is no name, whatever the root (Wine om.c
            // test_name_limits: an unnamed create with a bogus root works).
            None => None,
            Some(n) if n.is_empty() => None,
            Some(n) if n.len() * 2 > MAX_NAME_BYTES => return Err(STATUS_OBJECT_NAME_INVALID),
            Some(n) => match self.resolve(pid, attrs.root, n, a, Some(type_id), true)? {
                namespace::Resolved::Insert { parent, name } => Some((parent, name)),
                namespace::Resolved::Existing(id) => {
                    let existing = self.obj(id).ok_or(STATUS_OBJECT_NAME_NOT_FOUND)?.type_id;
                    if existing != type_id {
                        return Err(STATUS_OBJECT_TYPE_MISMATCH);
                    }
                    if a & nt_abi::consts::OBJ_OPENIF == 0 {
                        return Err(STATUS_OBJECT_NAME_COLLISION);
                    }
                    let handle = self.handle_or_reference(pid, id, access, a)?;
                    return Ok(Plan::Opened(Created {
                        id,
                        handle,
                        status: STATUS_OBJECT_NAME_EXISTS,
                    }));
                }
                namespace::Resolved::Parse { .. } => return Err(STATUS_OBJECT_PATH_NOT_FOUND),
            },
        };
        if let Some(pid) = pid {
            self.check_room(pid)?;
        }
        Ok(Plan::New { place, access })
    }

    /// Makes the object a [`Plan::New`] describes; cannot fail.
    #[allow(clippy::too_many_arguments)]
    fn finish_create(
        &mut self,
        place: Option<(ObjectId, Vec<u16>)>,
        access: AccessMask,
        pid: Option<ProcessId>,
        attrs: &ObjectAttrs,
        type_id: TypeId,
        body: Body<B>,
    ) -> Created {
        let id = self.alloc(type_id, body);
        let a = attrs.attributes;
        let granted = self.types[type_id.index()].grant(access);
        if let Some(o) = self.obj_mut(id) {
            o.permanent = a & nt_abi::consts::OBJ_PERMANENT != 0;
            o.exclusive = a & OBJ_EXCLUSIVE != 0;
        }
        if let Some((parent, name)) = place {
            if let Some(o) = self.obj_mut(id) {
                o.name = name;
            }
            self.dir_insert(parent, id);
        }
        let handle = match pid {
            Some(pid) => {
                let entry = HandleEntry {
                    object: id,
                    access: granted,
                    attributes: a & HANDLE_ATTRIBUTES,
                };
                let limit = self.handle_limit;
                // check_room said there is room.
                let h = self
                    .tables
                    .get_mut(&pid)
                    .and_then(|t| t.insert(entry, limit));
                if h.is_some() {
                    self.count_handle(pid, id, a);
                }
                h
            }
            None => {
                if let Some(o) = self.obj_mut(id) {
                    o.refs = 1;
                }
                None
            }
        };
        Created {
            id,
            handle,
            status: STATUS_SUCCESS,
        }
    }
}

/// The outcome of [`ObjectManager::prepare_create`].
enum Plan {
    /// OBJ_OPENIF opened an existing object.
    Opened(Created),
    /// Make a new object, named `place` (directory, component) if any.
    New {
        place: Option<(ObjectId, Vec<u16>)>,
        access: AccessMask,
    },
}
