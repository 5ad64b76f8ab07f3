//! A client process's address space as seL4 sees it: its PML4 (with an
//! ASID), the paging structures created for it, and every page the
//! Executive mapped there with the frame cap behind it and its NT
//! protection. The Executive reads and writes client memory through these
//! records (`read`/`write`), never through the client's own mappings.
//! Which addresses are reserved or committed is the VAD logic's business
//! (`mm::vad`); this module only executes mappings.

use super::Memory;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use nt_abi::consts::*;
use nt_abi::status::*;
use nt_abi::NtStatus;
use sel4::abi::{cap, vm, ObjectType};
use sel4::{vspace, CPtr, Error};

pub const PAGE: u64 = 0x1000;

/// One mapped page.
#[derive(Clone, Copy, Debug)]
pub struct Page {
    /// The frame cap mapped in the client (for a shared page, a copy whose
    /// original another owner keeps).
    pub frame: CPtr,
    /// NT PAGE_* protection.
    pub protect: u32,
    /// Shared with the Executive: the original frame belongs to someone
    /// else (a thread's service buffer), only the copy is ours.
    pub shared: bool,
    /// Whether the frame is currently mapped (PAGE_NOACCESS and PAGE_GUARD
    /// pages keep their frame but are not mapped).
    pub mapped: bool,
}

/// seL4 rights and attributes for an NT protection, or None when the page
/// must not be accessible at all.
pub fn sel4_rights(protect: u32) -> Option<(u64, u64)> {
    if protect & PAGE_GUARD != 0 {
        return None;
    }
    let nx = vm::NO_EXECUTE_BIT;
    match protect & 0xFF {
        PAGE_READONLY => Some((vspace::RO, nx)),
        PAGE_READWRITE | PAGE_WRITECOPY => Some((vspace::RW, nx)),
        PAGE_EXECUTE | PAGE_EXECUTE_READ => Some((vspace::RO, 0)),
        PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY => Some((vspace::RW, 0)),
        _ => None,
    }
}

fn readable(protect: u32) -> bool {
    sel4_rights(protect).is_some()
}

fn writable(protect: u32) -> bool {
    matches!(sel4_rights(protect), Some((vspace::RW, _)))
}

pub struct Space {
    pub pml4: CPtr,
    tables: Vec<(ObjectType, CPtr)>,
    pages: BTreeMap<u64, Page>,
}

impl Space {
    pub fn new(mem: &mut Memory) -> Result<Space, Error> {
        let pml4 = match mem.pooled(ObjectType::PML4) {
            Some(p) => p,
            None => {
                let p = mem.alloc(ObjectType::PML4, 0)?;
                if let Err(e) = vspace::assign(cap::INIT_THREAD_ASID_POOL, p) {
                    mem.free_slot(p);
                    return Err(e);
                }
                p
            }
        };
        Ok(Space { pml4, tables: Vec::new(), pages: BTreeMap::new() })
    }

    /// An address space with nothing in it and no PML4: what a process
    /// record keeps once its memory is given back.
    pub fn empty() -> Space {
        Space { pml4: 0, tables: Vec::new(), pages: BTreeMap::new() }
    }

    pub fn page(&self, vaddr: u64) -> Option<&Page> {
        self.pages.get(&(vaddr & !(PAGE - 1)))
    }

    /// Pages mapped (for accounting).
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    fn install(&mut self, mem: &mut Memory, vaddr: u64, mut page: Page) -> Result<(), Error> {
        if let Some((rights, attr)) = sel4_rights(page.protect) {
            mem.map_frame(self.pml4, page.frame, vaddr, rights, vm::DEFAULT | attr, Some(&mut self.tables))?;
            page.mapped = true;
        }
        self.pages.insert(vaddr, page);
        Ok(())
    }

    /// Maps a new zeroed frame at `vaddr` (page aligned, not mapped yet).
    pub fn commit(&mut self, mem: &mut Memory, vaddr: u64, protect: u32) -> Result<(), Error> {
        let frame = mem.frame()?;
        let page = Page { frame, protect, shared: false, mapped: false };
        self.install(mem, vaddr, page).inspect_err(|_| mem.give_frame(frame))
    }

    /// Maps a copy of `frame`, which stays its owner's, at `vaddr`.
    pub fn map_shared(&mut self, mem: &mut Memory, vaddr: u64, frame: CPtr, protect: u32) -> Result<(), Error> {
        let copy = mem.copy_cap(frame)?;
        let page = Page { frame: copy, protect, shared: true, mapped: false };
        self.install(mem, vaddr, page).inspect_err(|_| mem.free_slot(copy))
    }

    /// Changes a mapped page's protection; returns the old one.
    pub fn protect(&mut self, mem: &mut Memory, vaddr: u64, protect: u32) -> Result<u32, Error> {
        let Some(mut page) = self.pages.remove(&vaddr) else {
            return Err(Error::from_reply(sel4::ErrorCode::InvalidArgument as u64, 1, &[0]));
        };
        let old = page.protect;
        if page.mapped {
            let _ = vspace::page_unmap(page.frame);
            page.mapped = false;
        }
        page.protect = protect;
        let frame = page.frame;
        self.install(mem, vaddr, page).inspect_err(|_| {
            // Could not map with the new rights: keep the page, unmapped.
            self.pages.insert(vaddr, Page { frame, protect, shared: page.shared, mapped: false });
        })?;
        Ok(old)
    }

    /// Unmaps the page at `vaddr` and gives its frame back.
    pub fn unmap(&mut self, mem: &mut Memory, vaddr: u64) {
        if let Some(p) = self.pages.remove(&vaddr) {
            if p.mapped {
                let _ = vspace::page_unmap(p.frame);
            }
            if p.shared {
                mem.free_slot(p.frame);
            } else {
                mem.give_frame(p.frame);
            }
        }
    }

    /// Copies `src` into the client at `addr` regardless of protection (the
    /// Executive setting up a process) or, with `check`, only into
    /// writable pages (on behalf of the client). Fails with
    /// STATUS_ACCESS_VIOLATION on a page that is not there.
    pub fn write(&self, mem: &mut Memory, addr: u64, src: &[u8], check: bool) -> Result<(), NtStatus> {
        self.walk(addr, src.len(), |page, off, range| {
            if check && !writable(page.protect) {
                return Err(STATUS_ACCESS_VIOLATION);
            }
            mem.with_frame(page.frame, |f| f[off..off + range.len()].copy_from_slice(&src[range]))
                .map_err(|_| STATUS_NO_MEMORY)
        })
    }

    /// Copies client memory at `addr` into `dst` (see `write` for `check`).
    pub fn read(&self, mem: &mut Memory, addr: u64, dst: &mut [u8], check: bool) -> Result<(), NtStatus> {
        let len = dst.len();
        self.walk(addr, len, |page, off, range| {
            if check && !readable(page.protect) {
                return Err(STATUS_ACCESS_VIOLATION);
            }
            let n = range.len();
            mem.with_frame(page.frame, |f| dst[range].copy_from_slice(&f[off..off + n]))
                .map_err(|_| STATUS_NO_MEMORY)
        })
    }

    /// Calls `f(page, offset in page, range of the caller's buffer)` for
    /// each page of `[addr, addr + len)`, all of which must be present.
    fn walk(
        &self,
        addr: u64,
        len: usize,
        mut f: impl FnMut(&Page, usize, core::ops::Range<usize>) -> Result<(), NtStatus>,
    ) -> Result<(), NtStatus> {
        let end = addr.checked_add(len as u64).ok_or(STATUS_ACCESS_VIOLATION)?;
        let mut a = addr;
        while a < end {
            let base = a & !(PAGE - 1);
            let page = self.pages.get(&base).ok_or(STATUS_ACCESS_VIOLATION)?;
            let off = (a - base) as usize;
            let n = ((base + PAGE).min(end) - a) as usize;
            let at = (a - addr) as usize;
            f(page, off, at..at + n)?;
            a += n as u64;
        }
        Ok(())
    }

    /// Unmaps everything and gives every frame and paging structure back.
    pub fn destroy(mut self, mem: &mut Memory) {
        let addrs: Vec<u64> = self.pages.keys().copied().collect();
        for a in addrs {
            self.unmap(mem, a);
        }
        // Lowest levels first: a structure is empty once what it held is gone.
        for (ty, table) in self.tables.drain(..).rev() {
            let r = match ty {
                ObjectType::PageTable => vspace::pt_unmap(table),
                ObjectType::PageDirectory => vspace::pd_unmap(table),
                _ => vspace::pdpt_unmap(table),
            };
            if r.is_ok() {
                mem.give(ty, table);
            } else {
                mem.free_slot(table);
            }
        }
        if self.pml4 != 0 {
            mem.give(ObjectType::PML4, self.pml4);
        }
    }
}
