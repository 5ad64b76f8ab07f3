//! A client process's address space as seL4 sees it: its PML4 (with an
//! ASID), the paging structures created for it, and the frame behind every
//! page that has one. Which pages exist and with which protection is the
//! VAD logic's business (`mm::vad`); this module carries out its
//! `PageAction`s and lets the Executive read and write client frames
//! through its window, never through the client's own mappings.

use super::vad::{CacheMode, PageAction, Rights};
use super::Memory;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use nt_abi::status::*;
use nt_abi::NtStatus;
use sel4::abi::{cap, vm, ObjectType};
use sel4::{vspace, CPtr, Error};

pub const PAGE: u64 = 0x1000;

/// The frame behind one page.
#[derive(Clone, Copy, Debug)]
struct Page {
    /// The frame cap mapped in the client (for a shared page, a copy whose
    /// original another owner keeps).
    frame: CPtr,
    /// Shared with the Executive: only the copy is ours to free.
    shared: bool,
    /// Whether the frame is mapped now (PAGE_NOACCESS and PAGE_GUARD pages
    /// keep their frame unmapped).
    mapped: bool,
}

/// seL4 rights and attributes for VAD rights.
fn sel4_rights(r: Rights) -> (u64, u64) {
    let rights = if r.write { vspace::RW } else { vspace::RO };
    let nx = if r.execute { 0 } else { vm::NO_EXECUTE_BIT };
    let cache = match r.cache {
        CacheMode::WriteBack => vm::DEFAULT,
        CacheMode::Uncached => vm::CACHE_DISABLED,
        CacheMode::WriteCombining => vm::WRITE_COMBINING,
    };
    (rights, nx | cache)
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

    /// Pages with a frame (for accounting).
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// The frame behind `page`, if it has one.
    pub fn frame(&self, page: u64) -> Option<CPtr> {
        self.pages.get(&page).map(|p| p.frame)
    }

    fn install(&mut self, mem: &mut Memory, page: u64, mut p: Page, rights: Option<Rights>) -> Result<(), Error> {
        if let Some(r) = rights {
            let (rights, attr) = sel4_rights(r);
            mem.map_frame(self.pml4, p.frame, page, rights, attr, Some(&mut self.tables))?;
            p.mapped = true;
        }
        self.pages.insert(page, p);
        Ok(())
    }

    /// Gives `page` a new zeroed frame, mapped with `rights` (None: kept
    /// unmapped).
    pub fn back(&mut self, mem: &mut Memory, page: u64, rights: Option<Rights>) -> Result<(), Error> {
        let frame = mem.frame()?;
        let p = Page { frame, shared: false, mapped: false };
        self.install(mem, page, p, rights).inspect_err(|_| mem.give_frame(frame))
    }

    /// Gives `page` a copy of `frame`, which stays its owner's.
    pub fn back_shared(&mut self, mem: &mut Memory, page: u64, frame: CPtr, rights: Option<Rights>) -> Result<(), Error> {
        let copy = mem.copy_cap(frame)?;
        let p = Page { frame: copy, shared: true, mapped: false };
        self.install(mem, page, p, rights).inspect_err(|_| mem.free_slot(copy))
    }

    /// A write to a copy-on-write page: a page that maps a frame owned
    /// elsewhere (a section's) gets a private copy of it, mapped with
    /// `rights`; a private page is just remapped.
    pub fn make_private(&mut self, mem: &mut Memory, page: u64, rights: Rights) -> Result<(), Error> {
        let Some(p) = self.pages.get(&page).copied() else { return Ok(()) };
        if !p.shared {
            return self.apply(mem, &PageAction::Remap { page, rights });
        }
        let frame = mem.frame()?;
        let mut buf = alloc::vec![0u8; PAGE as usize];
        let copied = mem
            .with_frame(p.frame, |f| buf.copy_from_slice(f))
            .and_then(|()| mem.with_frame(frame, |f| f.copy_from_slice(&buf)));
        if let Err(e) = copied {
            mem.give_frame(frame);
            return Err(e);
        }
        self.release(mem, page);
        let new = Page { frame, shared: false, mapped: false };
        self.install(mem, page, new, Some(rights)).inspect_err(|_| {
            // The page keeps its (unmapped) private copy.
            self.pages.insert(page, new);
        })
    }

    /// Carries out one of the VAD logic's decisions.
    pub fn apply(&mut self, mem: &mut Memory, action: &PageAction) -> Result<(), Error> {
        match *action {
            PageAction::Map { page, rights } | PageAction::Remap { page, rights } => {
                let Some(mut p) = self.pages.remove(&page) else { return Ok(()) };
                if p.mapped {
                    let _ = vspace::page_unmap(p.frame);
                    p.mapped = false;
                }
                let frame = p.frame;
                let shared = p.shared;
                self.install(mem, page, p, Some(rights)).inspect_err(|_| {
                    self.pages.insert(page, Page { frame, shared, mapped: false });
                })
            }
            PageAction::Unmap { page } => {
                if let Some(p) = self.pages.get_mut(&page) {
                    if p.mapped {
                        let _ = vspace::page_unmap(p.frame);
                        p.mapped = false;
                    }
                }
                Ok(())
            }
            PageAction::Release { page, .. } => {
                self.release(mem, page);
                Ok(())
            }
        }
    }

    fn release(&mut self, mem: &mut Memory, page: u64) {
        if let Some(p) = self.pages.remove(&page) {
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

    /// Copies `src` into backed client pages at `addr`
    /// (STATUS_ACCESS_VIOLATION on a page without a frame).
    pub fn write(&self, mem: &mut Memory, addr: u64, src: &[u8]) -> Result<(), NtStatus> {
        self.walk(addr, src.len(), |frame, off, range| {
            let frame = frame.ok_or(STATUS_ACCESS_VIOLATION)?;
            mem.with_frame(frame, |f| f[off..off + range.len()].copy_from_slice(&src[range]))
                .map_err(|_| STATUS_NO_MEMORY)
        })
    }

    /// Copies client memory at `addr` into `dst`; pages without a frame
    /// read as zero (committed, never touched).
    pub fn read(&self, mem: &mut Memory, addr: u64, dst: &mut [u8]) -> Result<(), NtStatus> {
        let len = dst.len();
        self.walk(addr, len, |frame, off, range| {
            let n = range.len();
            match frame {
                Some(frame) => mem
                    .with_frame(frame, |f| dst[range].copy_from_slice(&f[off..off + n]))
                    .map_err(|_| STATUS_NO_MEMORY),
                None => {
                    dst[range].fill(0);
                    Ok(())
                }
            }
        })
    }

    /// Calls `f(frame, offset in page, range of the caller's buffer)` for
    /// each page of `[addr, addr + len)`.
    fn walk(
        &self,
        addr: u64,
        len: usize,
        mut f: impl FnMut(Option<CPtr>, usize, core::ops::Range<usize>) -> Result<(), NtStatus>,
    ) -> Result<(), NtStatus> {
        let end = addr.checked_add(len as u64).ok_or(STATUS_ACCESS_VIOLATION)?;
        let mut a = addr;
        while a < end {
            let base = a & !(PAGE - 1);
            let off = (a - base) as usize;
            let n = ((base + PAGE).min(end) - a) as usize;
            let at = (a - addr) as usize;
            f(self.frame(base), off, at..at + n)?;
            a += n as u64;
        }
        Ok(())
    }

    /// Unmaps everything and gives every frame and paging structure back.
    pub fn destroy(mut self, mem: &mut Memory) {
        let addrs: Vec<u64> = self.pages.keys().copied().collect();
        for a in addrs {
            self.release(mem, a);
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
