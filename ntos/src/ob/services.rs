//! The object services' logic: NtClose, NtDuplicateObject, NtQueryObject,
//! NtMakeTemporaryObject, the directory and symbolic link services, and
//! handle flags. Arguments are plain Rust values (handles as u64, names as
//! UTF-16); outputs that Windows writes into the caller's buffer come back
//! as the exact bytes, with the UNICODE_STRING pointers inside them made
//! from the buffer's address in the caller (`user_buffer`).
//!
//! Sizes and statuses follow Windows as Wine's om.c tests record them and
//! as WRK/ReactOS implement them; each function says which.

use crate::record::put;
use alloc::vec;
use alloc::vec::Vec;
use nt_abi::classes::ObjectInfoClass;
use nt_abi::consts::*;
use nt_abi::status::*;
use nt_abi::types::AccessMask;

use super::namespace::Directory;
use super::{
    Body, Created, ObjectAttrs, ObjectId, ObjectManager, Opened, Plan, ProcessId, TypeId,
    HANDLE_ATTRIBUTES, MAX_NAME_BYTES,
};

/// sizeof(UNICODE_STRING) = sizeof(OBJECT_NAME_INFORMATION) on x64.
const UNICODE_STRING_SIZE: usize = 0x10;
/// sizeof(OBJECT_BASIC_INFORMATION).
const BASIC_INFO_SIZE: usize = 0x38;
/// sizeof(OBJECT_TYPE_INFORMATION) on x64 (phnt ntobapi.h).
const TYPE_INFO_SIZE: usize = 0x68;
/// sizeof(OBJECT_DIRECTORY_INFORMATION) on x64.
const DIR_ENTRY_SIZE: usize = 0x20;
/// sizeof(OBJECT_HANDLE_FLAG_INFORMATION).
const HANDLE_FLAG_INFO_SIZE: usize = 2;

/// The answer of a query that fills a caller's buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryOutput {
    /// STATUS_SUCCESS, or a length status (STATUS_INFO_LENGTH_MISMATCH...)
    /// with `return_length` still meaningful.
    pub status: NtStatus,
    /// The bytes to copy to the start of the caller's buffer (empty when
    /// nothing is written).
    pub data: Vec<u8>,
    /// The ReturnLength to report: bytes written, or needed.
    pub return_length: u32,
}

/// NtQueryDirectoryObject's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryQuery {
    /// STATUS_SUCCESS, STATUS_MORE_ENTRIES, STATUS_NO_MORE_ENTRIES or
    /// STATUS_BUFFER_TOO_SMALL.
    pub status: NtStatus,
    pub data: Vec<u8>,
    pub return_length: u32,
    /// The new *Context, when it changes.
    pub context: Option<u32>,
}

/// NtQuerySymbolicLinkObject's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymlinkQuery {
    /// STATUS_SUCCESS or STATUS_BUFFER_TOO_SMALL.
    pub status: NtStatus,
    /// The bytes for LinkTarget.Buffer (the target and a NUL), on success.
    pub data: Vec<u8>,
    /// LinkTarget.Length to write, on success.
    pub length: u16,
    /// *ReturnedLength: the target's length plus the NUL, in both cases.
    pub returned_length: u32,
}

/// NtDuplicateObject's answer: the status, the new handle, and the bodies
/// of objects destroyed by DUPLICATE_CLOSE_SOURCE (which closes the source
/// even when the duplication fails).
#[derive(Debug, PartialEq, Eq)]
pub struct Duplicated<B> {
    pub status: NtStatus,
    pub handle: Option<u64>,
    pub destroyed: Vec<B>,
}

fn put16(b: &mut [u8], at: usize, v: u16) {
    put(b, at, &v.to_le_bytes());
}

fn put32(b: &mut [u8], at: usize, v: u32) {
    put(b, at, &v.to_le_bytes());
}

fn put64(b: &mut [u8], at: usize, v: u64) {
    put(b, at, &v.to_le_bytes());
}

/// A UNICODE_STRING at `at`.
fn put_unicode_string(b: &mut [u8], at: usize, length: usize, maximum: usize, buffer: u64) {
    put16(b, at, length as u16);
    put16(b, at + 2, maximum as u16);
    put64(b, at + 8, buffer);
}

/// `s` as UTF-16LE followed by a NUL, at `at`.
fn put_wide(b: &mut [u8], at: usize, s: &[u16]) {
    for (i, c) in s.iter().enumerate() {
        put16(b, at + 2 * i, *c);
    }
    put16(b, at + 2 * s.len(), 0);
}

fn length_mismatch(need: usize) -> QueryOutput {
    QueryOutput {
        status: STATUS_INFO_LENGTH_MISMATCH,
        data: Vec::new(),
        return_length: need as u32,
    }
}

impl<B> ObjectManager<B> {
    /// NtClose: STATUS_INVALID_HANDLE for anything that is not an open
    /// handle of `pid`, STATUS_HANDLE_NOT_CLOSABLE for a handle protected
    /// from close (it stays open). Returns the bodies of objects that died.
    pub fn close(&mut self, pid: ProcessId, handle: u64) -> Result<Vec<B>, NtStatus> {
        let e = self.entry(pid, handle)?;
        if e.attributes & OBJ_PROTECT_CLOSE != 0 {
            return Err(STATUS_HANDLE_NOT_CLOSABLE);
        }
        let mut out = Vec::new();
        if let Some(t) = self.tables.get_mut(&pid) {
            t.remove(handle);
        }
        self.drop_handle(e.object, &mut out);
        Ok(out)
    }

    /// NtDuplicateObject between two handle tables (the Executive turns
    /// the process handles into ids; a NULL target process is None).
    ///
    /// Options other than DUPLICATE_CLOSE_SOURCE, DUPLICATE_SAME_ACCESS and
    /// DUPLICATE_SAME_ATTRIBUTES are STATUS_INVALID_PARAMETER. The new
    /// handle's access is the source's (SAME_ACCESS) or `access` mapped and
    /// cut to the type's valid mask (WRK ObDuplicateObject); without
    /// security, asking for more than the source had is allowed, as it is
    /// on Windows when the object's security descriptor permits it. Its
    /// attributes are the source's (SAME_ATTRIBUTES) or `attributes`'
    /// OBJ_INHERIT, OBJ_PROTECT_CLOSE and OBJ_EXCLUSIVE. Without a target
    /// only DUPLICATE_CLOSE_SOURCE does anything. DUPLICATE_CLOSE_SOURCE
    /// closes the source whatever happens to the copy (documented for
    /// DuplicateHandle), unless it is protected from close.
    pub fn duplicate_object(
        &mut self,
        source_pid: ProcessId,
        source_handle: u64,
        target_pid: Option<ProcessId>,
        access: AccessMask,
        attributes: u32,
        options: u32,
    ) -> Duplicated<B> {
        let mut result = Duplicated {
            status: STATUS_SUCCESS,
            handle: None,
            destroyed: Vec::new(),
        };
        if options & !(DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES)
            != 0
        {
            result.status = STATUS_INVALID_PARAMETER;
            return result;
        }
        let src = match self.entry(source_pid, source_handle) {
            Ok(e) => e,
            Err(s) => {
                result.status = s;
                return result;
            }
        };
        if let Some(target) = target_pid {
            if attributes & !(OBJ_VALID_ATTRIBUTES | HANDLE_ATTRIBUTES) != 0 {
                result.status = STATUS_INVALID_PARAMETER;
            } else {
                let access = if options & DUPLICATE_SAME_ACCESS != 0 {
                    src.access
                } else {
                    let t = self.obj(src.object).map_or(TypeId::TYPE, |o| o.type_id);
                    self.types[t.index()].grant(access)
                };
                let attrs = if options & DUPLICATE_SAME_ATTRIBUTES != 0 {
                    src.attributes
                } else {
                    attributes & (HANDLE_ATTRIBUTES | OBJ_EXCLUSIVE)
                };
                match self.add_handle(target, src.object, access, attrs) {
                    Ok(h) => result.handle = Some(h),
                    Err(s) => result.status = s,
                }
            }
        }
        if options & DUPLICATE_CLOSE_SOURCE != 0 {
            if let Ok(bodies) = self.close(source_pid, source_handle) {
                result.destroyed = bodies;
            }
        }
        result
    }

    /// NtQueryObject for a handle of `pid`. ObjectTypesInformation ignores
    /// the handle. `length` is ObjectInformationLength, `user_buffer` the
    /// caller's address of ObjectInformation. Unknown classes, and the
    /// session classes (set-only), are STATUS_INVALID_INFO_CLASS.
    pub fn query_object(
        &self,
        pid: ProcessId,
        handle: u64,
        class: u32,
        length: u32,
        user_buffer: u64,
    ) -> Result<QueryOutput, NtStatus> {
        let class = ObjectInfoClass::try_from(class).map_err(|_| STATUS_INVALID_INFO_CLASS)?;
        if class == ObjectInfoClass::ObjectTypesInformation {
            return Ok(self.types_information(length, user_buffer));
        }
        let e = self.entry(pid, handle)?;
        self.query_object_info(e.object, e.access, e.attributes, class, length, user_buffer)
    }

    /// NtQueryObject for an object the Executive resolved itself (a pseudo
    /// handle), with the access and handle attributes to report.
    ///
    /// - ObjectBasicInformation: exactly 0x38 bytes, else
    ///   STATUS_INFO_LENGTH_MISMATCH (ReturnLength 0x38). Attributes are the
    ///   handle's plus OBJ_PERMANENT/OBJ_EXCLUSIVE of the object; pool
    ///   charges, security descriptor size and creation time are 0.
    /// - ObjectNameInformation: UNICODE_STRING + name + NUL (0x10 bytes and
    ///   an empty string for unnamed objects); a shorter buffer is
    ///   STATUS_INFO_LENGTH_MISMATCH with the size needed (Wine om.c).
    /// - ObjectTypeInformation: OBJECT_TYPE_INFORMATION + type name + NUL,
    ///   same length rule.
    /// - ObjectHandleFlagInformation: exactly 2 bytes (Inherit,
    ///   ProtectFromClose).
    pub fn query_object_info(
        &self,
        id: ObjectId,
        access: AccessMask,
        attributes: u32,
        class: ObjectInfoClass,
        length: u32,
        user_buffer: u64,
    ) -> Result<QueryOutput, NtStatus> {
        let o = self.obj(id).ok_or(STATUS_INVALID_HANDLE)?;
        let len = length as usize;
        match class {
            ObjectInfoClass::ObjectBasicInformation => {
                if len != BASIC_INFO_SIZE {
                    return Ok(length_mismatch(BASIC_INFO_SIZE));
                }
                let mut b = vec![0u8; BASIC_INFO_SIZE];
                let mut flags = attributes & HANDLE_ATTRIBUTES;
                if o.permanent {
                    flags |= OBJ_PERMANENT;
                }
                if o.exclusive {
                    flags |= OBJ_EXCLUSIVE;
                }
                put32(&mut b, 0, flags);
                put32(&mut b, 4, access);
                put32(&mut b, 8, o.handles);
                put32(&mut b, 0xC, self.pointer_count(id));
                let name_size = self
                    .object_name(id)
                    .map_or(0, |n| UNICODE_STRING_SIZE + 2 * n.len() + 2);
                put32(&mut b, 0x24, name_size as u32);
                put32(&mut b, 0x28, self.type_info_size(o.type_id) as u32);
                Ok(QueryOutput {
                    status: STATUS_SUCCESS,
                    data: b,
                    return_length: BASIC_INFO_SIZE as u32,
                })
            }
            ObjectInfoClass::ObjectNameInformation => {
                let name = self.object_name(id).unwrap_or_default();
                let need = if name.is_empty() {
                    UNICODE_STRING_SIZE
                } else {
                    UNICODE_STRING_SIZE + 2 * name.len() + 2
                };
                if len < need {
                    return Ok(length_mismatch(need));
                }
                let mut b = vec![0u8; need];
                if !name.is_empty() {
                    put_unicode_string(
                        &mut b,
                        0,
                        2 * name.len(),
                        2 * name.len() + 2,
                        user_buffer + UNICODE_STRING_SIZE as u64,
                    );
                    put_wide(&mut b, UNICODE_STRING_SIZE, &name);
                }
                Ok(QueryOutput {
                    status: STATUS_SUCCESS,
                    data: b,
                    return_length: need as u32,
                })
            }
            ObjectInfoClass::ObjectTypeInformation => {
                let need = self.type_info_size(o.type_id);
                if len < need {
                    return Ok(length_mismatch(need));
                }
                let data = self.type_info(o.type_id, user_buffer);
                Ok(QueryOutput {
                    status: STATUS_SUCCESS,
                    data,
                    return_length: need as u32,
                })
            }
            ObjectInfoClass::ObjectTypesInformation => {
                Ok(self.types_information(length, user_buffer))
            }
            ObjectInfoClass::ObjectHandleFlagInformation => {
                if len != HANDLE_FLAG_INFO_SIZE {
                    return Ok(length_mismatch(HANDLE_FLAG_INFO_SIZE));
                }
                let data = vec![
                    (attributes & OBJ_INHERIT != 0) as u8,
                    (attributes & OBJ_PROTECT_CLOSE != 0) as u8,
                ];
                Ok(QueryOutput {
                    status: STATUS_SUCCESS,
                    data,
                    return_length: HANDLE_FLAG_INFO_SIZE as u32,
                })
            }
            ObjectInfoClass::ObjectSessionInformation
            | ObjectInfoClass::ObjectSessionObjectInformation => Err(STATUS_INVALID_INFO_CLASS),
        }
    }

    /// PointerCount as NT counts it: one per handle, one for the directory
    /// entry, plus the other references.
    fn pointer_count(&self, id: ObjectId) -> u32 {
        self.obj(id)
            .map_or(0, |o| o.refs + o.handles + o.parent.is_some() as u32)
    }

    fn type_info_size(&self, t: TypeId) -> usize {
        TYPE_INFO_SIZE + 2 * self.types[t.index()].name.len() + 2
    }

    /// OBJECT_TYPE_INFORMATION of `t` followed by its name, for a buffer at
    /// user address `at`.
    fn type_info(&self, t: TypeId, at: u64) -> Vec<u8> {
        let ti = &self.types[t.index()];
        let n = 2 * ti.name.len();
        let mut b = vec![0u8; self.type_info_size(t)];
        put_unicode_string(&mut b, 0, n, n + 2, at + TYPE_INFO_SIZE as u64);
        put32(&mut b, 0x10, ti.objects);
        put32(&mut b, 0x14, ti.handles);
        put32(&mut b, 0x28, ti.high_objects);
        put32(&mut b, 0x2C, ti.high_handles);
        put32(&mut b, 0x40, ti.def.invalid_attributes);
        put32(&mut b, 0x44, ti.def.mapping.generic_read);
        put32(&mut b, 0x48, ti.def.mapping.generic_write);
        put32(&mut b, 0x4C, ti.def.mapping.generic_execute);
        put32(&mut b, 0x50, ti.def.mapping.generic_all);
        put32(&mut b, 0x54, ti.def.valid_access);
        // TypeIndex: Windows numbers types from 2.
        b[0x5A] = (t.index() + 2) as u8;
        put_wide(&mut b, TYPE_INFO_SIZE, &ti.name);
        b
    }

    /// ObjectTypesInformation: NumberOfTypes, then every type's
    /// OBJECT_TYPE_INFORMATION and name, each at a pointer-aligned offset
    /// (the first at 8), as Wine's om.c walks them.
    fn types_information(&self, length: u32, user_buffer: u64) -> QueryOutput {
        let align = |x: usize| (x + 7) & !7;
        let mut offsets = Vec::with_capacity(self.types.len());
        let mut end = 8;
        for i in 0..self.types.len() {
            let at = align(end);
            offsets.push(at);
            end = at + self.type_info_size(TypeId(i as u16));
        }
        if (length as usize) < end {
            return length_mismatch(end);
        }
        let mut b = vec![0u8; end];
        put32(&mut b, 0, self.types.len() as u32);
        for (i, &at) in offsets.iter().enumerate() {
            let info = self.type_info(TypeId(i as u16), user_buffer + at as u64);
            b[at..at + info.len()].copy_from_slice(&info);
        }
        QueryOutput {
            status: STATUS_SUCCESS,
            data: b,
            return_length: end as u32,
        }
    }

    /// NtMakeTemporaryObject: the handle needs DELETE access; the object
    /// loses OBJ_PERMANENT and leaves the namespace when its last handle
    /// closes.
    pub fn make_temporary(&mut self, pid: ProcessId, handle: u64) -> Result<(), NtStatus> {
        let id = self.lookup_handle(pid, handle, DELETE, None)?.object;
        if let Some(o) = self.obj_mut(id) {
            o.permanent = false;
        }
        Ok(())
    }

    /// NtSetInformationObject(ObjectHandleFlagInformation): sets a handle's
    /// inherit and protect-from-close flags.
    pub fn set_handle_flags(
        &mut self,
        pid: ProcessId,
        handle: u64,
        inherit: bool,
        protect_from_close: bool,
    ) -> Result<(), NtStatus> {
        let e = self
            .tables
            .get_mut(&pid)
            .and_then(|t| t.get_mut(handle))
            .ok_or(STATUS_INVALID_HANDLE)?;
        e.attributes = if inherit { OBJ_INHERIT } else { 0 }
            | if protect_from_close {
                OBJ_PROTECT_CLOSE
            } else {
                0
            };
        Ok(())
    }

    /// Creates an object the object manager owns the body of.
    fn create_own(
        &mut self,
        pid: Option<ProcessId>,
        attrs: &ObjectAttrs,
        type_id: TypeId,
        body: Body<B>,
        access: AccessMask,
    ) -> Result<Created, NtStatus> {
        match self.prepare_create(pid, attrs, type_id, access)? {
            Plan::Opened(created) => Ok(created),
            Plan::New { place, access } => {
                Ok(self.finish_create(place, access, pid, attrs, type_id, body))
            }
        }
    }

    /// A handle to an object of the non-parsing type `t` by name.
    fn open_own(
        &mut self,
        pid: ProcessId,
        attrs: &ObjectAttrs,
        t: TypeId,
        access: AccessMask,
    ) -> Result<u64, NtStatus> {
        match self.open_object_by_name(Some(pid), attrs, Some(t), access)? {
            Opened::Object {
                handle: Some(h), ..
            } => Ok(h),
            // Lookups for a type without a parse procedure never stop at a
            // parsing object, and a process always gets a handle.
            _ => Err(STATUS_INTERNAL_ERROR),
        }
    }

    /// NtCreateDirectoryObject (or, with `pid` None, a directory the
    /// Executive makes, e.g. with OBJ_PERMANENT at boot).
    pub fn create_directory(
        &mut self,
        pid: Option<ProcessId>,
        attrs: &ObjectAttrs,
        access: AccessMask,
    ) -> Result<Created, NtStatus> {
        self.create_own(
            pid,
            attrs,
            TypeId::DIRECTORY,
            Body::Directory(Directory::default()),
            access,
        )
    }

    /// NtOpenDirectoryObject.
    pub fn open_directory(
        &mut self,
        pid: ProcessId,
        attrs: &ObjectAttrs,
        access: AccessMask,
    ) -> Result<u64, NtStatus> {
        self.open_own(pid, attrs, TypeId::DIRECTORY, access)
    }

    /// NtCreateSymbolicLinkObject. The target is any name (it is only
    /// looked at when the link is followed); one longer than a name may be
    /// is STATUS_INVALID_PARAMETER. (A NULL or zero-capacity LinkTarget is
    /// the caller's to reject: Windows answers STATUS_ACCESS_VIOLATION and
    /// STATUS_INVALID_PARAMETER.)
    pub fn create_symbolic_link(
        &mut self,
        pid: Option<ProcessId>,
        attrs: &ObjectAttrs,
        access: AccessMask,
        target: &[u16],
    ) -> Result<Created, NtStatus> {
        if target.len() * 2 > MAX_NAME_BYTES {
            return Err(STATUS_INVALID_PARAMETER);
        }
        self.create_own(
            pid,
            attrs,
            TypeId::SYMBOLIC_LINK,
            Body::SymbolicLink(target.to_vec()),
            access,
        )
    }

    /// NtOpenSymbolicLinkObject: opens the link itself (the last component
    /// is not followed when a link is what is opened).
    pub fn open_symbolic_link(
        &mut self,
        pid: ProcessId,
        attrs: &ObjectAttrs,
        access: AccessMask,
    ) -> Result<u64, NtStatus> {
        self.open_own(pid, attrs, TypeId::SYMBOLIC_LINK, access)
    }

    /// NtQuerySymbolicLinkObject: needs SYMBOLIC_LINK_QUERY. `capacity` is
    /// the caller's LinkTarget.MaximumLength; it must hold the target and a
    /// NUL, else STATUS_BUFFER_TOO_SMALL; ReturnedLength is that size either
    /// way (Wine om.c test_directory).
    pub fn query_symbolic_link(
        &self,
        pid: ProcessId,
        handle: u64,
        capacity: u16,
    ) -> Result<SymlinkQuery, NtStatus> {
        let id = self
            .lookup_handle(
                pid,
                handle,
                SYMBOLIC_LINK_QUERY,
                Some(TypeId::SYMBOLIC_LINK),
            )?
            .object;
        let Some(Body::SymbolicLink(target)) = self.obj(id).map(|o| &o.body) else {
            return Err(STATUS_OBJECT_TYPE_MISMATCH);
        };
        let need = 2 * target.len() + 2;
        if (capacity as usize) < need {
            return Ok(SymlinkQuery {
                status: STATUS_BUFFER_TOO_SMALL,
                data: Vec::new(),
                length: 0,
                returned_length: need as u32,
            });
        }
        let mut data = vec![0u8; need];
        put_wide(&mut data, 0, target);
        Ok(SymlinkQuery {
            status: STATUS_SUCCESS,
            data,
            length: (2 * target.len()) as u16,
            returned_length: need as u32,
        })
    }

    /// NtQueryDirectoryObject: needs DIRECTORY_QUERY. Entries go out in a
    /// stable order (by upcased name), `context` counting those already
    /// returned (RestartScan starts at 0). The buffer holds the
    /// OBJECT_DIRECTORY_INFORMATION array, an all-zero terminating entry,
    /// then each name and type name with a NUL; every entry costs 0x20 plus
    /// both strings and NULs. Outcomes (ReactOS obdir.c, Wine sync.c):
    /// - nothing left: STATUS_NO_MORE_ENTRIES, ReturnLength 0x20;
    /// - ReturnSingleEntry and the entry does not fit:
    ///   STATUS_BUFFER_TOO_SMALL with the size it needs;
    /// - otherwise as many entries as fit, STATUS_MORE_ENTRIES if some are
    ///   left over (even none fitting), else STATUS_SUCCESS; ReturnLength is
    ///   the bytes used and the context advances past what was returned.
    pub fn query_directory(
        &self,
        pid: ProcessId,
        handle: u64,
        user_buffer: u64,
        length: u32,
        return_single_entry: bool,
        restart_scan: bool,
        context: u32,
    ) -> Result<DirectoryQuery, NtStatus> {
        let dir = self
            .lookup_handle(pid, handle, DIRECTORY_QUERY, Some(TypeId::DIRECTORY))?
            .object;
        let d = self.directory(dir).ok_or(STATUS_OBJECT_TYPE_MISMATCH)?;
        let start = if restart_scan { 0 } else { context as usize };
        let len = length as usize;
        let terminator = |len: usize| {
            if len >= DIR_ENTRY_SIZE {
                vec![0u8; DIR_ENTRY_SIZE]
            } else {
                Vec::new()
            }
        };
        if start >= d.len() {
            return Ok(DirectoryQuery {
                status: STATUS_NO_MORE_ENTRIES,
                data: terminator(len),
                return_length: DIR_ENTRY_SIZE as u32,
                context: None,
            });
        }
        let mut chosen: Vec<(&[u16], &[u16])> = Vec::new();
        let mut used = DIR_ENTRY_SIZE;
        let mut status = STATUS_SUCCESS;
        for id in d.iter().skip(start) {
            let Some(o) = self.obj(id) else { continue };
            let type_name = &self.types[o.type_id.index()].name;
            let size = DIR_ENTRY_SIZE + 2 * o.name.len() + 2 + 2 * type_name.len() + 2;
            if used + size > len {
                if return_single_entry {
                    return Ok(DirectoryQuery {
                        status: STATUS_BUFFER_TOO_SMALL,
                        data: Vec::new(),
                        return_length: (used + size) as u32,
                        context: None,
                    });
                }
                status = STATUS_MORE_ENTRIES;
                break;
            }
            used += size;
            chosen.push((&o.name, type_name));
            if return_single_entry {
                break;
            }
        }
        if chosen.is_empty() {
            return Ok(DirectoryQuery {
                status,
                data: terminator(len),
                return_length: DIR_ENTRY_SIZE as u32,
                context: Some(start as u32),
            });
        }
        let mut b = vec![0u8; used];
        let mut pool = (chosen.len() + 1) * DIR_ENTRY_SIZE;
        for (i, (name, type_name)) in chosen.iter().enumerate() {
            for (j, s) in [name, type_name].into_iter().enumerate() {
                let n = 2 * s.len();
                put_unicode_string(
                    &mut b,
                    i * DIR_ENTRY_SIZE + j * UNICODE_STRING_SIZE,
                    n,
                    n + 2,
                    user_buffer + pool as u64,
                );
                put_wide(&mut b, pool, s);
                pool += n + 2;
            }
        }
        Ok(DirectoryQuery {
            status,
            data: b,
            return_length: used as u32,
            context: Some((start + chosen.len()) as u32),
        })
    }
}
