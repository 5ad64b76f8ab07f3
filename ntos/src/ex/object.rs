//! The Executive's object bodies and the glue between its records and the
//! object manager: which process or thread a handle names (pseudo handles
//! included), the boot namespace the Executive adds (the boot-image
//! device, `\SystemRoot`, `C:`, `\KnownDlls`), and what happens when the
//! object manager destroys an object.

use super::Executive;
use crate::ob::{utf16, ObjectAttrs, ObjectId, TypeId};
use crate::ps::Process;
use alloc::vec::Vec;
use nt_abi::consts::OBJ_PERMANENT;
use nt_abi::status::*;
use nt_abi::types::Handle;
use nt_abi::NtStatus;

/// What an Executive object is.
pub enum Body {
    /// A process record (by pid).
    Process(u64),
    /// A thread record (by tid).
    Thread(u64),
    /// An image section: a PE file of the boot image.
    ImageSection(ImageSection),
    /// A page-file-backed section (NtCreateSection).
    DataSection(crate::mm::section::DataSection),
    /// `\Device\BootImage`: the boot image's files parse below it.
    BootImage,
    /// An event, mutant, semaphore or timer (its dispatcher id).
    Dispatcher(u64),
}

pub struct ImageSection {
    pub file: &'static [u8],
    /// SizeOfImage, page-rounded.
    pub size: u64,
    /// The file's device path (`\Device\BootImage\system32\x.dll`).
    pub name: Vec<u16>,
}

/// An OBJECT_ATTRIBUTES from the wire, owned: the name as UTF-16 units
/// (None for a NULL ObjectName), the root handle and the OBJ_* flags; view
/// it for the object manager with [`OwnedAttrs::attrs`].
pub struct OwnedAttrs {
    pub name: Option<Vec<u16>>,
    pub root: u64,
    pub attributes: u32,
}

impl OwnedAttrs {
    pub fn from_wire(v: &nt_abi::wire::ObjectAttributesView) -> OwnedAttrs {
        OwnedAttrs {
            name: v.object_name.map(|n| n.units().collect()),
            root: v.root_directory.0,
            attributes: v.attributes,
        }
    }

    pub fn attrs(&self) -> ObjectAttrs<'_> {
        ObjectAttrs { root: self.root, name: self.name.as_deref(), attributes: self.attributes }
    }
}

/// The boot image's device name.
pub const BOOT_DEVICE: &str = "\\Device\\BootImage";

impl Executive {
    pub fn caller_pid(&self, tid: u64) -> u64 {
        self.threads.get(&tid).map_or(0, |t| t.pid)
    }

    /// The calling thread's process, while it has its memory.
    pub fn caller_process(&mut self, tid: u64) -> Option<&mut Process> {
        let pid = self.caller_pid(tid);
        self.processes.get_mut(&pid).filter(|p| p.alive())
    }

    /// The process a handle of the caller names, with `access`.
    pub fn process_for(&self, tid: u64, h: Handle, access: u32) -> Result<u64, NtStatus> {
        if h == Handle::CURRENT_PROCESS {
            return Ok(self.caller_pid(tid));
        }
        // The other pseudo handle names a thread.
        if h == Handle::CURRENT_THREAD {
            return Err(STATUS_OBJECT_TYPE_MISMATCH);
        }
        let info = self.ob.lookup_handle(self.caller_pid(tid), h.0, access, Some(TypeId::PROCESS))?;
        match self.ob.body(info.object) {
            Some(Body::Process(pid)) => Ok(*pid),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    /// The live process a handle names (STATUS_PROCESS_IS_TERMINATING for
    /// one that has ended).
    pub fn live_process_for(&mut self, tid: u64, h: Handle, access: u32) -> Result<&mut Process, NtStatus> {
        let pid = self.process_for(tid, h, access)?;
        self.processes.get_mut(&pid).filter(|p| p.alive()).ok_or(STATUS_PROCESS_IS_TERMINATING)
    }

    /// The thread a handle of the caller names, with `access`.
    pub fn thread_for(&self, tid: u64, h: Handle, access: u32) -> Result<u64, NtStatus> {
        if h == Handle::CURRENT_THREAD {
            return Ok(tid);
        }
        if h == Handle::CURRENT_PROCESS {
            return Err(STATUS_OBJECT_TYPE_MISMATCH);
        }
        let info = self.ob.lookup_handle(self.caller_pid(tid), h.0, access, Some(TypeId::THREAD))?;
        match self.ob.body(info.object) {
            Some(Body::Thread(t)) => Ok(*t),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    /// The object of a process or thread record.
    pub fn object_of_process(&self, pid: u64) -> Option<ObjectId> {
        self.processes.get(&pid).map(|p| p.object)
    }

    pub fn object_of_thread(&self, tid: u64) -> Option<ObjectId> {
        self.threads.get(&tid).map(|t| t.object)
    }

    /// Forgets the records of objects the object manager destroyed.
    pub fn destroyed(&mut self, bodies: Vec<Body>) {
        for b in bodies {
            match b {
                Body::Process(pid) => {
                    if let Some(p) = self.processes.remove(&pid) {
                        debug_assert!(!p.alive(), "a live process lost its object");
                    }
                    let _ = self.ke.delete(pid);
                }
                Body::Thread(tid) => {
                    self.threads.remove(&tid);
                    let _ = self.ke.delete(tid);
                }
                // Nothing waits on it: waits hold a reference.
                Body::Dispatcher(id) => {
                    let _ = self.ke.delete(id);
                }
                Body::DataSection(s) => s.release(&mut self.mem),
                Body::ImageSection(_) | Body::BootImage => {}
            }
        }
    }

    /// Closes a handle of the caller's process.
    pub fn close_handle(&mut self, pid: u64, handle: u64) -> NtStatus {
        match self.ob.close(pid, handle) {
            Ok(bodies) => {
                self.destroyed(bodies);
                STATUS_SUCCESS
            }
            Err(e) => e,
        }
    }

    /// The Executive's part of the namespace: the boot image device, the
    /// links that lead to it, and an image section in `\KnownDlls` for
    /// every DLL in the boot image's system32.
    pub fn boot_namespace(&mut self) -> Result<(), NtStatus> {
        let dev = utf16(BOOT_DEVICE);
        let attrs = ObjectAttrs { root: 0, name: Some(&dev), attributes: OBJ_PERMANENT };
        let (c, _) = self.ob.create_object(None, &attrs, TypeId::DEVICE, Body::BootImage, 0).map_err(|(s, _)| s)?;
        let _ = self.ob.dereference(c.id);
        for (link, target) in [("\\SystemRoot", BOOT_DEVICE), ("\\GLOBAL??\\C:", BOOT_DEVICE), ("\\KnownDlls\\KnownDllPath", "\\SystemRoot\\system32")] {
            let name = utf16(link);
            let attrs = ObjectAttrs { root: 0, name: Some(&name), attributes: OBJ_PERMANENT };
            let c = self.ob.create_symbolic_link(None, &attrs, 0, &utf16(target))?;
            let _ = self.ob.dereference(c.id);
        }
        let Ok(archive) = bootimg::Archive::new(self.boot_image) else { return Ok(()) };
        for e in archive.entries() {
            let name = e.name();
            let Some(file) = name.strip_prefix("system32/") else { continue };
            if file.contains('/') || !file.to_ascii_lowercase().ends_with(".dll") {
                continue;
            }
            let Ok((_, size)) = crate::ps::image::image_span(e.data) else { continue };
            let full = utf16(&alloc::format!("\\KnownDlls\\{file}"));
            let attrs = ObjectAttrs { root: 0, name: Some(&full), attributes: OBJ_PERMANENT };
            let path = alloc::format!("{BOOT_DEVICE}\\{}", name.replace('/', "\\"));
            let body = Body::ImageSection(ImageSection { file: e.data, size, name: utf16(&path) });
            if let Ok((c, _)) = self.ob.create_object(None, &attrs, TypeId::SECTION, body, 0) {
                let _ = self.ob.dereference(c.id);
            }
        }
        Ok(())
    }
}
