//! The object services: NtClose, NtDuplicateObject, NtQueryObject,
//! NtMakeTemporaryObject and the directory and symbolic link services. The
//! rules are the object manager's (`ob::services`); these handlers turn the
//! wire's arguments into its terms, resolve the pseudo handles it leaves to
//! the Executive, and deliver its outputs to the caller.
//!
//! Pseudo handles: NtCurrentProcess() and NtCurrentThread() name the
//! caller's process and thread with all access (ObReferenceObjectByHandle);
//! they are in no handle table, so NtClose of one is STATUS_INVALID_HANDLE
//! and a service expecting a directory or link gets
//! STATUS_OBJECT_TYPE_MISMATCH.

use crate::ex::dispatch::Outcome;
use crate::ex::object::OwnedAttrs;
use crate::ex::Executive;
use crate::ob::ObjectId;
use nt_abi::classes::ObjectInfoClass;
use nt_abi::consts::*;
use nt_abi::status::*;
use nt_abi::types::{AccessMask, Handle};
use nt_abi::wire::{args, ObjectAttributesView, OutRef, Reply};
use nt_abi::NtStatus;

/// What a pseudo handle stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pseudo {
    Process,
    Thread,
}

/// The pseudo handle `h` is, if it is NtCurrentProcess() or
/// NtCurrentThread(). The token and session pseudo handles (-3..-6) name
/// objects Triton does not have yet, so they are left to the handle table,
/// which refuses them (STATUS_INVALID_HANDLE).
fn pseudo(h: Handle) -> Option<Pseudo> {
    match h {
        Handle::CURRENT_PROCESS => Some(Pseudo::Process),
        Handle::CURRENT_THREAD => Some(Pseudo::Thread),
        _ => None,
    }
}

/// A pseudo handle where a directory or symbolic link is expected names a
/// process or thread: a type mismatch.
fn typed_handle(h: Handle) -> Result<u64, NtStatus> {
    match pseudo(h) {
        Some(_) => Err(STATUS_OBJECT_TYPE_MISMATCH),
        None => Ok(h.0),
    }
}

/// The OBJECT_ATTRIBUTES of a create (NULL: an unnamed object) or an open
/// (NULL: STATUS_INVALID_PARAMETER, ObOpenObjectByName). A pseudo handle as
/// RootDirectory names a process or thread, not a directory.
fn attributes(v: Option<&ObjectAttributesView>, open: bool) -> Result<OwnedAttrs, NtStatus> {
    match v {
        None if open => Err(STATUS_INVALID_PARAMETER),
        None => Ok(OwnedAttrs {
            name: None,
            root: 0,
            attributes: 0,
        }),
        Some(v) => {
            typed_handle(v.root_directory)?;
            Ok(OwnedAttrs::from_wire(v))
        }
    }
}

/// NtCreateSymbolicLinkObject's LinkTarget check (WRK): it must have room
/// (MaximumLength > 0) and an even Length not above it. The wire carries
/// only the characters (an odd length is refused in decoding and Length is
/// never above MaximumLength there), so an empty target stands for the zero
/// capacity Windows refuses; an empty target in a buffer with room, which
/// Windows accepts, is refused too.
fn link_target(units: &[u16]) -> Result<&[u16], NtStatus> {
    if units.is_empty() {
        Err(STATUS_INVALID_PARAMETER)
    } else {
        Ok(units)
    }
}

/// NtDuplicateObject without a target process only closes the source:
/// without DUPLICATE_CLOSE_SOURCE it is STATUS_INVALID_PARAMETER (WRK and
/// ReactOS ObDuplicateObject), checked once the source handle is known good.
fn needs_target(options: u32) -> bool {
    options & DUPLICATE_CLOSE_SOURCE == 0
}

impl Executive {
    /// The object and access a pseudo handle of thread `tid` names, with
    /// `pid` the process it is interpreted in (NtCurrentProcess() in
    /// NtDuplicateObject's source process is that process; NtCurrentThread()
    /// is always the calling thread).
    fn pseudo_object(
        &self,
        tid: u64,
        pid: u64,
        p: Pseudo,
    ) -> Result<(ObjectId, AccessMask), NtStatus> {
        let found = match p {
            Pseudo::Process => self
                .object_of_process(pid)
                .map(|id| (id, PROCESS_ALL_ACCESS)),
            Pseudo::Thread => self.object_of_thread(tid).map(|id| (id, THREAD_ALL_ACCESS)),
        };
        found.ok_or(STATUS_INVALID_HANDLE)
    }

    /// Writes a new handle, or answers the failure.
    fn handle_reply(
        &mut self,
        r: Result<(u64, NtStatus), NtStatus>,
        out: OutRef<nt_abi::services::pointee::Handle>,
        reply: &mut Reply,
    ) -> Outcome {
        match r {
            Ok((h, status)) => {
                let _ = reply.put(out, &Handle(h));
                Outcome::Reply(status)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    pub fn nt_close(&mut self, tid: u64, a: args::NtClose) -> Outcome {
        let pid = self.caller_pid(tid);
        Outcome::Reply(self.close_handle(pid, a.handle.0))
    }

    pub fn nt_duplicate_object(
        &mut self,
        tid: u64,
        a: args::NtDuplicateObject,
        reply: &mut Reply,
    ) -> Outcome {
        let source_pid = match self.live_pid(tid, a.source_process_handle) {
            Ok(p) => p,
            Err(e) => return Outcome::Reply(e),
        };
        // A bad target process fails the call, but DUPLICATE_CLOSE_SOURCE
        // still closes the source (WRK NtDuplicateObject).
        let target = match a.target_process_handle {
            None => Ok(None),
            Some(h) => self.live_pid(tid, h).map(Some),
        };
        let (status, handle) = match pseudo(a.source_handle) {
            Some(p) => self.duplicate_pseudo(tid, source_pid, p, target, &a),
            None => self.duplicate_real(source_pid, target, &a),
        };
        if let Some(h) = handle {
            if let Some(out) = a.target_handle {
                let _ = reply.put(out, &Handle(h));
            }
        }
        Outcome::Reply(status)
    }

    /// A process handle of the caller with PROCESS_DUP_HANDLE, for a
    /// process that still has its handle table.
    fn live_pid(&self, tid: u64, h: Handle) -> Result<u64, NtStatus> {
        let pid = self.process_for(tid, h, PROCESS_DUP_HANDLE)?;
        match self.processes.get(&pid) {
            Some(p) if p.alive() => Ok(pid),
            _ => Err(STATUS_PROCESS_IS_TERMINATING),
        }
    }

    /// NtDuplicateObject of a handle in a handle table.
    fn duplicate_real(
        &mut self,
        source_pid: u64,
        target: Result<Option<u64>, NtStatus>,
        a: &args::NtDuplicateObject,
    ) -> (NtStatus, Option<u64>) {
        let h = a.source_handle.0;
        let (target, target_error) = match target {
            Ok(t) => (t, None),
            Err(e) => (None, Some(e)),
        };
        // Without a usable target only the source's close is left to do;
        // the source handle is checked first.
        if target.is_none() {
            if let Err(e) = self.ob.lookup_handle(source_pid, h, 0, None) {
                return (e, None);
            }
            if target_error.is_none() && needs_target(a.options) {
                return (STATUS_INVALID_PARAMETER, None);
            }
        }
        let d = self.ob.duplicate_object(
            source_pid,
            h,
            target,
            a.desired_access,
            a.handle_attributes,
            a.options,
        );
        self.destroyed(d.destroyed);
        (target_error.unwrap_or(d.status), d.handle)
    }

    /// NtDuplicateObject of NtCurrentProcess() or NtCurrentThread(): a real
    /// handle to the process or thread in the target. The source is not in
    /// any table, so DUPLICATE_CLOSE_SOURCE has nothing to close.
    fn duplicate_pseudo(
        &mut self,
        tid: u64,
        source_pid: u64,
        p: Pseudo,
        target: Result<Option<u64>, NtStatus>,
        a: &args::NtDuplicateObject,
    ) -> (NtStatus, Option<u64>) {
        let valid_options =
            DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES;
        if a.options & !valid_options != 0 {
            return (STATUS_INVALID_PARAMETER, None);
        }
        let (id, full) = match self.pseudo_object(tid, source_pid, p) {
            Ok(x) => x,
            Err(e) => return (e, None),
        };
        let target = match target {
            Ok(Some(t)) => t,
            Ok(None) if needs_target(a.options) => return (STATUS_INVALID_PARAMETER, None),
            Ok(None) => return (STATUS_SUCCESS, None),
            Err(e) => return (e, None),
        };
        if a.handle_attributes & !(OBJ_VALID_ATTRIBUTES | OBJ_PROTECT_CLOSE) != 0 {
            return (STATUS_INVALID_PARAMETER, None);
        }
        let access = if a.options & DUPLICATE_SAME_ACCESS != 0 {
            full
        } else {
            a.desired_access
        };
        // A pseudo handle has no attributes of its own to keep.
        let attributes = if a.options & DUPLICATE_SAME_ATTRIBUTES != 0 {
            0
        } else {
            a.handle_attributes & (OBJ_INHERIT | OBJ_PROTECT_CLOSE)
        };
        match self.ob.insert_handle(target, id, access, attributes) {
            Ok(h) => (STATUS_SUCCESS, Some(h)),
            Err(e) => (e, None),
        }
    }

    pub fn nt_query_object(
        &mut self,
        tid: u64,
        a: args::NtQueryObject,
        reply: &mut Reply,
    ) -> Outcome {
        let pid = self.caller_pid(tid);
        let handle = a.handle.unwrap_or(Handle::NULL);
        let buffer = a.object_information;
        let length = a.object_information_length;
        let r = match pseudo(handle) {
            Some(p) => ObjectInfoClass::try_from(a.object_information_class)
                .map_err(|_| STATUS_INVALID_INFO_CLASS)
                .and_then(|class| {
                    let (id, access) = self.pseudo_object(tid, pid, p)?;
                    self.ob
                        .query_object_info(id, access, 0, class, length, buffer.user_addr)
                }),
            None => self.ob.query_object(
                pid,
                handle.0,
                a.object_information_class,
                length,
                buffer.user_addr,
            ),
        };
        let out = match r {
            Ok(out) => out,
            Err(e) => return Outcome::Reply(e),
        };
        if !out.data.is_empty() {
            let st = self.put_out(tid, &buffer, &out.data, reply);
            if st != STATUS_SUCCESS {
                return Outcome::Reply(st);
            }
        }
        if let Some(r) = a.return_length {
            let _ = reply.put(r, &out.return_length);
        }
        Outcome::Reply(out.status)
    }

    pub fn nt_make_temporary_object(
        &mut self,
        tid: u64,
        a: args::NtMakeTemporaryObject,
    ) -> Outcome {
        // A process or thread object is never permanent: with the DELETE
        // right a pseudo handle carries there is nothing to change.
        if pseudo(a.handle).is_some() {
            return Outcome::Reply(STATUS_SUCCESS);
        }
        let pid = self.caller_pid(tid);
        Outcome::Reply(
            self.ob
                .make_temporary(pid, a.handle.0)
                .err()
                .unwrap_or(STATUS_SUCCESS),
        )
    }

    pub fn nt_create_directory_object(
        &mut self,
        tid: u64,
        a: args::NtCreateDirectoryObject,
        reply: &mut Reply,
    ) -> Outcome {
        let pid = self.caller_pid(tid);
        let r = attributes(a.object_attributes.as_ref(), false).and_then(|o| {
            let c = self
                .ob
                .create_directory(Some(pid), &o.attrs(), a.desired_access)?;
            c.handle.map(|h| (h, c.status)).ok_or(STATUS_INTERNAL_ERROR)
        });
        self.handle_reply(r, a.directory_handle, reply)
    }

    pub fn nt_open_directory_object(
        &mut self,
        tid: u64,
        a: args::NtOpenDirectoryObject,
        reply: &mut Reply,
    ) -> Outcome {
        let pid = self.caller_pid(tid);
        let r = attributes(a.object_attributes.as_ref(), true)
            .and_then(|o| self.ob.open_directory(pid, &o.attrs(), a.desired_access))
            .map(|h| (h, STATUS_SUCCESS));
        self.handle_reply(r, a.directory_handle, reply)
    }

    pub fn nt_query_directory_object(
        &mut self,
        tid: u64,
        a: args::NtQueryDirectoryObject,
        reply: &mut Reply,
    ) -> Outcome {
        let pid = self.caller_pid(tid);
        let q = typed_handle(a.directory_handle).and_then(|h| {
            self.ob.query_directory(
                pid,
                h,
                a.buffer.user_addr,
                a.length,
                a.return_single_entry,
                a.restart_scan,
                a.context.input.get(),
            )
        });
        let q = match q {
            Ok(q) => q,
            Err(e) => return Outcome::Reply(e),
        };
        if !q.data.is_empty() {
            let st = self.put_out(tid, &a.buffer, &q.data, reply);
            if st != STATUS_SUCCESS {
                return Outcome::Reply(st);
            }
        }
        if let Some(c) = q.context {
            let _ = reply.put(a.context.output, &c);
        }
        if let Some(r) = a.return_length {
            let _ = reply.put(r, &q.return_length);
        }
        Outcome::Reply(q.status)
    }

    pub fn nt_create_symbolic_link_object(
        &mut self,
        tid: u64,
        a: args::NtCreateSymbolicLinkObject,
        reply: &mut Reply,
    ) -> Outcome {
        let pid = self.caller_pid(tid);
        let units: alloc::vec::Vec<u16> = a.link_target.units().collect();
        let r = attributes(a.object_attributes.as_ref(), false).and_then(|o| {
            let target = link_target(&units)?;
            let c =
                self.ob
                    .create_symbolic_link(Some(pid), &o.attrs(), a.desired_access, target)?;
            c.handle.map(|h| (h, c.status)).ok_or(STATUS_INTERNAL_ERROR)
        });
        self.handle_reply(r, a.link_handle, reply)
    }

    pub fn nt_open_symbolic_link_object(
        &mut self,
        tid: u64,
        a: args::NtOpenSymbolicLinkObject,
        reply: &mut Reply,
    ) -> Outcome {
        let pid = self.caller_pid(tid);
        let r = attributes(a.object_attributes.as_ref(), true)
            .and_then(|o| {
                self.ob
                    .open_symbolic_link(pid, &o.attrs(), a.desired_access)
            })
            .map(|h| (h, STATUS_SUCCESS));
        self.handle_reply(r, a.link_handle, reply)
    }

    pub fn nt_query_symbolic_link_object(
        &mut self,
        tid: u64,
        a: args::NtQuerySymbolicLinkObject,
        reply: &mut Reply,
    ) -> Outcome {
        let pid = self.caller_pid(tid);
        // MaximumLength, which the wire keeps as the span's length.
        let capacity = a.link_target.span.len.min(u16::MAX as u32) as u16;
        let q = match typed_handle(a.link_handle)
            .and_then(|h| self.ob.query_symbolic_link(pid, h, capacity))
        {
            Ok(q) => q,
            Err(e) => return Outcome::Reply(e),
        };
        if q.status == STATUS_SUCCESS {
            if let Err(e) = reply.put_string(a.link_target, &q.data, q.length) {
                return Outcome::Reply(e);
            }
        }
        if let Some(r) = a.returned_length {
            let _ = reply.put(r, &q.returned_length);
        }
        Outcome::Reply(q.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ob::ObjectAttrs;
    use nt_abi::wire::UnicodeStr;

    fn view(root: u64, name: Option<&[u8]>, attributes: u32) -> ObjectAttributesView<'_> {
        ObjectAttributesView {
            root_directory: Handle(root),
            object_name: name.map(UnicodeStr),
            attributes,
            security_descriptor: 0,
            security_quality_of_service: 0,
        }
    }

    #[test]
    fn pseudo_handles() {
        assert_eq!(pseudo(Handle::CURRENT_PROCESS), Some(Pseudo::Process));
        assert_eq!(pseudo(Handle::CURRENT_THREAD), Some(Pseudo::Thread));
        for h in [0u64, 4, 0x7ff0, -3i64 as u64, -6i64 as u64, -7i64 as u64] {
            assert_eq!(pseudo(Handle(h)), None, "{h:#x}");
            assert_eq!(typed_handle(Handle(h)), Ok(h));
        }
        assert_eq!(
            typed_handle(Handle::CURRENT_PROCESS),
            Err(STATUS_OBJECT_TYPE_MISMATCH)
        );
        assert_eq!(
            typed_handle(Handle::CURRENT_THREAD),
            Err(STATUS_OBJECT_TYPE_MISMATCH)
        );
    }

    #[test]
    fn null_attributes() {
        // Create: an unnamed object; open: an invalid parameter.
        let o = attributes(None, false).unwrap();
        assert_eq!(o.attrs(), ObjectAttrs::default());
        assert_eq!(attributes(None, true).err(), Some(STATUS_INVALID_PARAMETER));
    }

    #[test]
    fn attributes_from_the_wire() {
        let name = [b'\\', 0, b'x', 0];
        let v = view(8, Some(&name), OBJ_CASE_INSENSITIVE);
        for open in [false, true] {
            let o = attributes(Some(&v), open).unwrap();
            let a = o.attrs();
            assert_eq!(a.root, 8);
            assert_eq!(a.name, Some(&[b'\\' as u16, b'x' as u16][..]));
            assert_eq!(a.attributes, OBJ_CASE_INSENSITIVE);
        }
        // A NULL ObjectName stays None (the object manager decides).
        let v = view(0, None, 0);
        assert_eq!(attributes(Some(&v), true).unwrap().attrs().name, None);
        // A pseudo handle is no root directory.
        for root in [Handle::CURRENT_PROCESS, Handle::CURRENT_THREAD] {
            let v = view(root.0, Some(&name), 0);
            assert_eq!(
                attributes(Some(&v), false).err(),
                Some(STATUS_OBJECT_TYPE_MISMATCH)
            );
        }
    }

    #[test]
    fn link_targets() {
        assert_eq!(link_target(&[]), Err(STATUS_INVALID_PARAMETER));
        assert_eq!(link_target(&[b'\\' as u16]), Ok(&[b'\\' as u16][..]));
    }

    #[test]
    fn duplicate_without_target() {
        assert!(needs_target(0));
        assert!(needs_target(
            DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES
        ));
        assert!(!needs_target(DUPLICATE_CLOSE_SOURCE));
        assert!(!needs_target(
            DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS
        ));
    }
}
