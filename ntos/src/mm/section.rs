//! The section services: NtCreateSection, NtOpenSection,
//! NtMapViewOfSection, NtUnmapViewOfSection, NtQuerySection and
//! NtExtendSection.
//!
//! Image sections are the boot image's DLLs that the Executive puts in
//! `\KnownDlls` at boot; a view is the image laid out and relocated for
//! its place (see `ps::image`), so the loader never relocates.
//!
//! Data sections are page-file backed (there are no file objects before
//! the I/O manager). A section owns one frame per page, allocated when a
//! view first touches the page ([`SectionPages`]); every view page maps a
//! copy of that frame's cap (seL4 wants one cap per mapping), so shared
//! views in any process see each other's writes, and a copy-on-write view
//! gets a private copy on its first write. A view holds a reference to its
//! section object, so the frames go back when the last view is unmapped
//! and the last handle closed. The argument rules are `section/rules.rs`.

mod rules;

use crate::ex::dispatch::Outcome;
use crate::ex::object::{Body, OwnedAttrs};
use crate::ex::Executive;
use crate::mm::space::{Space, PAGE};
use crate::mm::vad::{Fill, Rights, VadType, ViewRequest};
use crate::mm::Memory;
use crate::ob::{ObjectId, TypeId};
use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::RefCell;
use nt_abi::classes::SectionInfoClass;
use nt_abi::consts::*;
use nt_abi::status::*;
use nt_abi::types::Handle;
use nt_abi::wire::{args, Reply};
use nt_abi::NtStatus;
use rules::{VIEW_SHARE, VIEW_UNMAP};
use sel4::CPtr;
/// SECTION_BASIC_INFORMATION and SECTION_IMAGE_INFORMATION sizes.
const BASIC_SIZE: u64 = 0x18;
const IMAGE_SIZE: u64 = 0x40;

/// The frames of a data section: one per page a view has touched, by page
/// index. Shared between the section object and its views
/// ([`SharedPages`]): a view's page faults need them without the object
/// manager.
#[derive(Default)]
pub struct SectionPages {
    frames: BTreeMap<u64, CPtr>,
}

pub type SharedPages = Rc<RefCell<SectionPages>>;

impl SectionPages {
    /// The frame of page `index`, allocated (zeroed) on first use.
    pub fn frame(&mut self, mem: &mut Memory, index: u64) -> Result<CPtr, NtStatus> {
        if let Some(&f) = self.frames.get(&index) {
            return Ok(f);
        }
        let f = mem.frame().map_err(|_| STATUS_NO_MEMORY)?;
        self.frames.insert(index, f);
        Ok(f)
    }

    /// The frame of page `index` if it has one.
    pub fn existing(&self, index: u64) -> Option<CPtr> {
        self.frames.get(&index).copied()
    }

    /// Gives every frame back (no view maps them any more).
    fn release(&mut self, mem: &mut Memory) {
        for (_, f) in core::mem::take(&mut self.frames) {
            mem.give_frame(f);
        }
    }
}

/// A page-file-backed section object's body.
pub struct DataSection {
    /// MaximumSize, page-rounded.
    pub size: u64,
    /// SectionPageProtection: the most its views may have.
    pub protect: u32,
    /// SEC_COMMIT or SEC_RESERVE (with SEC_NOCACHE...), as queried.
    pub attributes: u32,
    pub pages: SharedPages,
}

impl DataSection {
    /// The object is gone (no view, no handle): its frames go back.
    pub fn release(self, mem: &mut Memory) {
        self.pages.borrow_mut().release(mem);
    }
}

/// A view of a data section in a process (the process keeps them by base
/// address): the section's pages, the section offset of the view's first
/// page, and the section object the view holds a reference to.
pub struct DataView {
    pub pages: SharedPages,
    pub offset: u64,
    pub object: ObjectId,
}

/// Gives a view page its first frame (a page fault's `Fill` for a data
/// view, see `Process::page_fault`): the section's own frame, shared, or a
/// private copy of it. Pages of views without a record (image views, whose
/// pages are filled when mapped) get a zeroed frame.
pub fn fill_view_page(
    mem: &mut Memory,
    space: &mut Space,
    views: &BTreeMap<u64, DataView>,
    page: u64,
    rights: Rights,
    fill: Fill,
) -> Result<(), NtStatus> {
    let nomem = |_| STATUS_NO_MEMORY;
    let (offset, shared) = match fill {
        Fill::Zero => return space.back(mem, page, Some(rights)).map_err(nomem),
        Fill::ViewShared { offset, .. } => (offset, true),
        Fill::ViewCopy { offset, .. } => (offset, false),
    };
    let Some(view) = views.get(&(page - offset)) else {
        return space.back(mem, page, Some(rights)).map_err(nomem);
    };
    let index = (view.offset + offset) / PAGE;
    if shared {
        let frame = view.pages.borrow_mut().frame(mem, index)?;
        return space
            .back_shared(mem, page, frame, Some(rights))
            .map_err(nomem);
    }
    space.back(mem, page, Some(rights)).map_err(nomem)?;
    // A page the section never had reads as zero: the new frame is already.
    let Some(source) = view.pages.borrow().existing(index) else {
        return Ok(());
    };
    let target = space.frame(page).ok_or(STATUS_INTERNAL_ERROR)?;
    copy_frame(mem, source, target)
}

/// Copies one frame's 4 KiB into another (through the Executive's window,
/// one frame at a time).
pub fn copy_frame(mem: &mut Memory, from: CPtr, to: CPtr) -> Result<(), NtStatus> {
    let mut buf = alloc::vec![0u8; PAGE as usize];
    mem.with_frame(from, |f| buf.copy_from_slice(f))
        .map_err(|_| STATUS_NO_MEMORY)?;
    mem.with_frame(to, |f| f.copy_from_slice(&buf))
        .map_err(|_| STATUS_NO_MEMORY)
}

impl Executive {
    pub fn nt_create_section(
        &mut self,
        tid: u64,
        a: args::NtCreateSection,
        reply: &mut Reply,
    ) -> Outcome {
        let pid = self.caller_pid(tid);
        let image = match rules::check_attributes(a.allocation_attributes) {
            Ok(i) => i,
            Err(e) => return Outcome::Reply(e),
        };
        if let Some(h) = a.file_handle.filter(|h| *h != Handle::NULL) {
            // There are no file objects before the I/O manager: a valid
            // handle names something else.
            return Outcome::Reply(match self.ob.lookup_handle(pid, h.0, 0, None) {
                Ok(_) => STATUS_OBJECT_TYPE_MISMATCH,
                Err(e) => e,
            });
        }
        if image {
            return Outcome::Reply(STATUS_INVALID_FILE_FOR_SECTION);
        }
        let size = a.maximum_size.map(|s| s.get());
        let spec = match rules::check_create(
            size,
            a.section_page_protection,
            a.allocation_attributes,
            self.mem.available_bytes(),
        ) {
            Ok(s) => s,
            Err(e) => return Outcome::Reply(e),
        };
        let body = Body::DataSection(DataSection {
            size: spec.size,
            protect: spec.protect,
            attributes: spec.attributes,
            pages: SharedPages::default(),
        });
        let attrs = a.object_attributes.as_ref().map(OwnedAttrs::from_wire);
        let no_name = OwnedAttrs {
            name: None,
            root: 0,
            attributes: 0,
        };
        let attrs = attrs.as_ref().unwrap_or(&no_name);
        match self.ob.create_object(
            Some(pid),
            &attrs.attrs(),
            TypeId::SECTION,
            body,
            a.desired_access,
        ) {
            Ok((c, unused)) => {
                // OBJ_OPENIF found an existing section: the new body was never used.
                self.destroyed(unused.into_iter().collect());
                let Some(h) = c.handle else {
                    return Outcome::Reply(STATUS_INTERNAL_ERROR);
                };
                let _ = reply.put(a.section_handle, &Handle(h));
                Outcome::Reply(c.status)
            }
            Err((e, body)) => {
                self.destroyed(alloc::vec![body]);
                Outcome::Reply(e)
            }
        }
    }

    /// A view of a data section (`object`, opened by the caller with
    /// `granted` access).
    fn map_data_view(
        &mut self,
        tid: u64,
        object: ObjectId,
        granted: u32,
        a: args::NtMapViewOfSection,
        reply: &mut Reply,
    ) -> Outcome {
        let Some(Body::DataSection(s)) = self.ob.body(object) else {
            return Outcome::Reply(STATUS_OBJECT_TYPE_MISMATCH);
        };
        let (size, reserve, max_protect, pages) = (
            s.size,
            s.attributes & SEC_RESERVE != 0,
            s.protect,
            s.pages.clone(),
        );
        let m = rules::MapArgs {
            base: a.base_address.input.get(),
            zero_bits: a.zero_bits,
            commit_size: a.commit_size,
            offset: a.section_offset.map(|o| o.input.get()),
            view_size: a.view_size.input.get(),
            inherit: a.inherit_disposition,
            allocation_type: a.allocation_type,
            protect: a.page_protection,
        };
        if let Err(e) = rules::check_map_args(&m) {
            return Outcome::Reply(e);
        }
        let pid = match self.process_for(tid, a.process_handle, PROCESS_VM_OPERATION) {
            Ok(p) => p,
            Err(e) => return Outcome::Reply(e),
        };
        let need = rules::map_access(a.page_protection);
        if granted & need != need {
            return Outcome::Reply(STATUS_ACCESS_DENIED);
        }
        let plan = match rules::check_map(&m, size, reserve) {
            Ok(p) => p,
            Err(e) => return Outcome::Reply(e),
        };
        let Some(p) = self.processes.get_mut(&pid).filter(|p| p.alive()) else {
            return Outcome::Reply(STATUS_PROCESS_IS_TERMINATING);
        };
        let view = ViewRequest {
            base: plan.base,
            size: plan.size,
            kind: VadType::Mapped,
            protect: a.page_protection,
            max_protect,
            commit: plan.commit == plan.size,
            private_copies: false,
            zero_bits: a.zero_bits,
            top_down: plan.top_down,
            tag: 0,
        };
        let (base, len) = match p.vad.map_view(&view) {
            Ok(r) => r,
            Err(e) => return Outcome::Reply(e),
        };
        if plan.commit != 0 && plan.commit != plan.size {
            if let Err(e) = p
                .vad
                .allocate(base, plan.commit, MEM_COMMIT, a.page_protection, 0)
            {
                let _ = p.vad.unmap_view(base);
                return Outcome::Reply(e);
            }
        }
        if let Err(e) = self.ob.reference(object) {
            let _ = p.vad.unmap_view(base);
            return Outcome::Reply(e);
        }
        p.views.insert(
            base,
            DataView {
                pages,
                offset: plan.offset,
                object,
            },
        );
        let _ = reply.put(a.base_address.output, &base);
        let _ = reply.put(a.view_size.output, &len);
        if let Some(o) = a.section_offset {
            let _ = reply.put(o.output, &(plan.offset as i64));
        }
        Outcome::Reply(STATUS_SUCCESS)
    }

    /// A process's views of data sections are gone (its address space was
    /// released): their references to the sections go.
    pub fn drop_views(&mut self, pid: u64) {
        let Some(p) = self.processes.get_mut(&pid) else {
            return;
        };
        let views: Vec<DataView> = core::mem::take(&mut p.views).into_values().collect();
        for v in views {
            drop(v.pages);
            let gone = self.ob.dereference(v.object);
            self.destroyed(gone);
        }
    }

    pub fn nt_extend_section(&mut self, tid: u64, a: args::NtExtendSection) -> Outcome {
        let pid = self.caller_pid(tid);
        match self.ob.lookup_handle(
            pid,
            a.section_handle.0,
            SECTION_EXTEND_SIZE,
            Some(TypeId::SECTION),
        ) {
            // Only sections backed by a file grow (with their file); page-file
            // and image sections keep their size.
            Ok(_) => Outcome::Reply(STATUS_SECTION_NOT_EXTENDED),
            Err(e) => Outcome::Reply(e),
        }
    }
}

impl Executive {
    pub fn nt_open_section(&mut self, tid: u64, a: args::NtOpenSection, reply: &mut Reply) -> Outcome {
        self.open_named(tid, a.section_handle, a.desired_access, &a.object_attributes, TypeId::SECTION, reply)
    }

    /// The image file a section handle names (with `access`).
    fn image_section(
        &self,
        tid: u64,
        h: Handle,
        access: u32,
    ) -> Result<(&'static [u8], u64, Vec<u16>), nt_abi::NtStatus> {
        let info =
            self.ob
                .lookup_handle(self.caller_pid(tid), h.0, access, Some(TypeId::SECTION))?;
        match self.ob.body(info.object) {
            Some(Body::ImageSection(s)) => Ok((s.file, s.size, s.name.clone())),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    pub fn nt_map_view_of_section(
        &mut self,
        tid: u64,
        a: args::NtMapViewOfSection,
        reply: &mut Reply,
    ) -> Outcome {
        let info = match self.ob.lookup_handle(
            self.caller_pid(tid),
            a.section_handle.0,
            0,
            Some(TypeId::SECTION),
        ) {
            Ok(i) => i,
            Err(e) => return Outcome::Reply(e),
        };
        if let Some(Body::DataSection(_)) = self.ob.body(info.object) {
            return self.map_data_view(tid, info.object, info.access, a, reply);
        }
        let (file, size, name) = match self.image_section(tid, a.section_handle, SECTION_MAP_READ) {
            Ok(s) => s,
            Err(e) => return Outcome::Reply(e),
        };
        let pid = match self.process_for(tid, a.process_handle, PROCESS_VM_OPERATION) {
            Ok(p) => p,
            Err(e) => return Outcome::Reply(e),
        };
        // Windows' order of checks: disposition, then the view's place.
        if a.inherit_disposition != VIEW_SHARE && a.inherit_disposition != VIEW_UNMAP {
            return Outcome::Reply(STATUS_INVALID_PARAMETER_8);
        }
        let base = a.base_address.input.get();
        if base % vad_granularity() != 0 {
            return Outcome::Reply(STATUS_MAPPED_ALIGNMENT);
        }
        // An image view always starts at the image's beginning and spans it.
        if a.section_offset.is_some_and(|o| o.input.get() != 0) {
            return Outcome::Reply(STATUS_INVALID_PARAMETER);
        }
        let requested = a.view_size.input.get();
        if requested != 0 && requested != size {
            return Outcome::Reply(STATUS_INVALID_VIEW_SIZE);
        }
        let Some(p) = self.processes.get_mut(&pid).filter(|p| p.alive()) else {
            return Outcome::Reply(STATUS_PROCESS_IS_TERMINATING);
        };
        match p.map_image(&mut self.mem, file, base, 0) {
            Ok((m, moved)) => {
                p.mapped_files.insert(m.base, name);
                let _ = reply.put(a.base_address.output, &m.base);
                let _ = reply.put(a.view_size.output, &m.size);
                if let Some(o) = a.section_offset {
                    let _ = reply.put(o.output, &0i64);
                }
                Outcome::Reply(if moved {
                    STATUS_IMAGE_NOT_AT_BASE
                } else {
                    STATUS_SUCCESS
                })
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    pub fn nt_unmap_view_of_section(&mut self, tid: u64, a: args::NtUnmapViewOfSection) -> Outcome {
        let pid = match self.process_for(tid, a.process_handle, PROCESS_VM_OPERATION) {
            Ok(p) => p,
            Err(e) => return Outcome::Reply(e),
        };
        let Some(p) = self.processes.get_mut(&pid).filter(|p| p.alive()) else {
            return Outcome::Reply(STATUS_PROCESS_IS_TERMINATING);
        };
        let u = match p.vad.unmap_view(a.base_address) {
            Ok(u) => u,
            Err(e) => return Outcome::Reply(e),
        };
        // The frames leave the process first; the section keeps its own.
        let st = p
            .apply(&mut self.mem, &u.actions)
            .err()
            .unwrap_or(STATUS_SUCCESS);
        p.mapped_files.remove(&u.base);
        if let Some(v) = p.views.remove(&u.base) {
            drop(v.pages);
            let gone = self.ob.dereference(v.object);
            self.destroyed(gone);
        }
        Outcome::Reply(st)
    }

    pub fn nt_query_section(
        &mut self,
        tid: u64,
        a: args::NtQuerySection,
        reply: &mut Reply,
    ) -> Outcome {
        let info = match self.ob.lookup_handle(
            self.caller_pid(tid),
            a.section_handle.0,
            SECTION_QUERY,
            Some(TypeId::SECTION),
        ) {
            Ok(i) => i,
            Err(e) => return Outcome::Reply(e),
        };
        // (file, size, SEC_* attributes); a data section has no file.
        let (file, size, attributes) = match self.ob.body(info.object) {
            Some(Body::ImageSection(s)) => (Some(s.file), s.size, SEC_IMAGE | SEC_FILE),
            Some(Body::DataSection(s)) => (None, s.size, s.attributes),
            _ => return Outcome::Reply(STATUS_OBJECT_TYPE_MISMATCH),
        };
        let (need, data): (u64, alloc::vec::Vec<u8>) =
            match SectionInfoClass::try_from(a.section_information_class) {
                Ok(SectionInfoClass::SectionBasicInformation) => {
                    // BaseAddress stays 0: based sections do not exist.
                    let mut b = alloc::vec![0u8; BASIC_SIZE as usize];
                    b[8..12].copy_from_slice(&attributes.to_le_bytes());
                    b[16..24].copy_from_slice(&size.to_le_bytes());
                    (BASIC_SIZE, b)
                }
                Ok(SectionInfoClass::SectionImageInformation) => match file {
                    Some(f) => (IMAGE_SIZE, image_information(f)),
                    None => return Outcome::Reply(STATUS_SECTION_NOT_IMAGE),
                },
                Ok(_) => return Outcome::Reply(STATUS_INVALID_INFO_CLASS),
                Err(_) => return Outcome::Reply(STATUS_INVALID_INFO_CLASS),
            };
        if a.section_information_length < need {
            return Outcome::Reply(STATUS_INFO_LENGTH_MISMATCH);
        }
        let st = self.put_out(tid, &a.section_information, &data, reply);
        if st == STATUS_SUCCESS {
            if let Some(r) = a.return_length {
                let _ = reply.put(r, &need);
            }
        }
        Outcome::Reply(st)
    }
}

fn vad_granularity() -> u64 {
    crate::mm::vad::ALLOCATION_GRANULARITY
}

/// SECTION_IMAGE_INFORMATION (0x40 bytes, phnt's x64 layout:
/// ImageCharacteristics at 0x2C, Machine at 0x30, ImageFileSize at 0x38)
/// of an image file.
pub(crate) fn image_information(file: &[u8]) -> alloc::vec::Vec<u8> {
    let mut b = alloc::vec![0u8; IMAGE_SIZE as usize];
    let Ok(img) = pe::PeImage::parse(file) else {
        return b;
    };
    let mut put = |at: usize, v: &[u8]| crate::record::put(&mut b, at, v);
    let entry = img.entry_rva().map_or(0, |r| img.image_base() + r as u64);
    let (reserve, commit) = img.stack_sizes();
    let (major, minor) = img.subsystem_version();
    put(0x00, &entry.to_le_bytes());
    put(0x10, &reserve.to_le_bytes());
    put(0x18, &commit.to_le_bytes());
    put(0x20, &(img.subsystem() as u32).to_le_bytes());
    put(0x24, &minor.to_le_bytes());
    put(0x26, &major.to_le_bytes());
    // 0x28 is OperatingSystemVersion (GpValue before Vista), left 0.
    put(0x2C, &img.characteristics().to_le_bytes());
    put(0x2E, &img.dll_characteristics().to_le_bytes());
    put(0x30, &img.machine().to_le_bytes());
    put(0x32, &[(entry != 0) as u8]);
    put(0x38, &(file.len() as u32).to_le_bytes());
    b
}
