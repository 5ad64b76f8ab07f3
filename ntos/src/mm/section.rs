//! Section services for image sections: NtOpenSection, NtMapViewOfSection,
//! NtUnmapViewOfSection and NtQuerySection. The image sections are the
//! boot image's DLLs that the Executive puts in `\KnownDlls` at boot; a
//! view is the image laid out and relocated for its place (see
//! `ps::image`), so the loader never relocates. Data sections,
//! NtCreateSection and NtExtendSection come with issue T5.

use crate::ex::dispatch::Outcome;
use crate::ex::object::{Body, OwnedAttrs};
use crate::ex::Executive;
use crate::ob::{Opened, TypeId};
use nt_abi::classes::SectionInfoClass;
use nt_abi::consts::*;
use nt_abi::status::*;
use nt_abi::wire::{args, Reply};

/// ViewShare and ViewUnmap: NtMapViewOfSection's inherit dispositions.
const VIEW_SHARE: u32 = 1;
const VIEW_UNMAP: u32 = 2;
/// SECTION_BASIC_INFORMATION and SECTION_IMAGE_INFORMATION sizes.
const BASIC_SIZE: u64 = 0x18;
const IMAGE_SIZE: u64 = 0x40;

impl Executive {
    pub fn nt_open_section(&mut self, tid: u64, a: args::NtOpenSection, reply: &mut Reply) -> Outcome {
        let pid = self.caller_pid(tid);
        let attrs = OwnedAttrs::from_wire(&a.object_attributes);
        match self.ob.open_object_by_name(Some(pid), &attrs.attrs(), Some(TypeId::SECTION), a.desired_access) {
            Ok(Opened::Object { handle: Some(h), .. }) => {
                let _ = reply.put(a.section_handle, &nt_abi::types::Handle(h));
                Outcome::Reply(STATUS_SUCCESS)
            }
            Ok(Opened::Object { id, .. }) | Ok(Opened::Parse { object: id, .. }) => {
                let gone = self.ob.dereference(id);
                self.destroyed(gone);
                Outcome::Reply(STATUS_OBJECT_TYPE_MISMATCH)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    /// The image file a section handle names (with `access`).
    fn image_section(&self, tid: u64, h: nt_abi::types::Handle, access: u32) -> Result<(&'static [u8], u64), nt_abi::NtStatus> {
        let info = self.ob.lookup_handle(self.caller_pid(tid), h.0, access, Some(TypeId::SECTION))?;
        match self.ob.body(info.object) {
            Some(Body::ImageSection(s)) => Ok((s.file, s.size)),
            _ => Err(STATUS_OBJECT_TYPE_MISMATCH),
        }
    }

    pub fn nt_map_view_of_section(&mut self, tid: u64, a: args::NtMapViewOfSection, reply: &mut Reply) -> Outcome {
        let (file, size) = match self.image_section(tid, a.section_handle, SECTION_MAP_READ) {
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
                let _ = reply.put(a.base_address.output, &m.base);
                let _ = reply.put(a.view_size.output, &m.size);
                if let Some(o) = a.section_offset {
                    let _ = reply.put(o.output, &0i64);
                }
                Outcome::Reply(if moved { STATUS_IMAGE_NOT_AT_BASE } else { STATUS_SUCCESS })
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
        match p.vad.unmap_view(a.base_address) {
            Ok(u) => Outcome::Reply(p.apply(&mut self.mem, &u.actions).err().unwrap_or(STATUS_SUCCESS)),
            Err(e) => Outcome::Reply(e),
        }
    }

    pub fn nt_query_section(&mut self, tid: u64, a: args::NtQuerySection, reply: &mut Reply) -> Outcome {
        let (file, size) = match self.image_section(tid, a.section_handle, SECTION_QUERY) {
            Ok(s) => s,
            Err(e) => return Outcome::Reply(e),
        };
        let (need, data): (u64, alloc::vec::Vec<u8>) = match SectionInfoClass::try_from(a.section_information_class) {
            Ok(SectionInfoClass::SectionBasicInformation) => {
                let mut b = alloc::vec![0u8; BASIC_SIZE as usize];
                b[8..12].copy_from_slice(&(SEC_IMAGE | SEC_FILE).to_le_bytes());
                b[16..24].copy_from_slice(&size.to_le_bytes());
                (BASIC_SIZE, b)
            }
            Ok(SectionInfoClass::SectionImageInformation) => (IMAGE_SIZE, image_information(file)),
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
    let Ok(img) = pe::PeImage::parse(file) else { return b };
    let mut put = |at: usize, v: &[u8]| b[at..at + v.len()].copy_from_slice(v);
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
