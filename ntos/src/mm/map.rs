//! Mappings: the Executive's own address space and its clients'. The
//! Executive keeps a private region (PML4 slot 1, from 512 GiB) for what it
//! maps for itself: device memory such as the VGA text buffer, its heap,
//! the service buffers it shares with client threads, and a one-page
//! window through which it reads and writes client frames. Paging
//! structures are created on first use, in the Executive's space and in
//! each client's (whose structures the client's `Space` records so they are
//! pooled again when the process ends).

use super::Memory;
use alloc::vec::Vec;
use sel4::abi::{cap, vm, ObjectType};
use sel4::{vspace, CPtr, Error};

/// Start of the Executive's private mappings.
pub const PRIVATE_BASE: u64 = 0x80_0000_0000;
/// The page through which the Executive touches a client frame.
const WINDOW: u64 = 0x80_0000_1000;
const OWN: CPtr = cap::INIT_THREAD_VSPACE;

type MapFn = fn(CPtr, CPtr, u64, u64) -> Result<(), Error>;
/// Paging structures below the PML4, from the top: what to create and how
/// to map it when a mapping at the level below fails for lack of it.
const LEVELS: [(ObjectType, MapFn); 3] = [
    (ObjectType::PDPT, vspace::pdpt_map),
    (ObjectType::PageDirectory, vspace::pd_map),
    (ObjectType::PageTable, vspace::pt_map),
];

impl Memory {
    /// Maps `frame` (4 KiB) read-write at `vaddr` in the Executive's own
    /// address space.
    pub fn map_own(&mut self, frame: CPtr, vaddr: u64, attr: u64) -> Result<(), Error> {
        self.map_frame(OWN, frame, vaddr, vspace::RW, attr, None)
    }

    /// Maps a 2 MiB `frame` read-write at `vaddr` (2 MiB aligned) in the
    /// Executive's own address space.
    pub fn map_own_large(&mut self, frame: CPtr, vaddr: u64, attr: u64) -> Result<(), Error> {
        match vspace::page_map(frame, OWN, vaddr, vspace::RW, attr) {
            Err(e) if e.failed_lookup().is_some() => {
                self.ensure_table(OWN, 1, vaddr, None)?;
                vspace::page_map(frame, OWN, vaddr, vspace::RW, attr)
            }
            r => r,
        }
    }

    /// Maps `frame` at `vaddr` of `vspace`, creating a missing PDPT, page
    /// directory or page table (their Map reports FailedLookup when the
    /// level above is missing); new structures are recorded in `tables`.
    pub fn map_frame(
        &mut self,
        vspace: CPtr,
        frame: CPtr,
        vaddr: u64,
        rights: u64,
        attr: u64,
        mut tables: Option<&mut Vec<(ObjectType, CPtr)>>,
    ) -> Result<(), Error> {
        match vspace::page_map(frame, vspace, vaddr, rights, attr) {
            Err(e) if e.failed_lookup().is_some() => {
                self.ensure_table(vspace, 2, vaddr, tables.as_deref_mut())?;
                vspace::page_map(frame, vspace, vaddr, rights, attr)
            }
            r => r,
        }
    }

    /// Makes sure the paging structure at `level` (2: page table, 1: page
    /// directory, 0: PDPT) for `vaddr` exists, creating the ones above it
    /// first when they are missing too.
    fn ensure_table(
        &mut self,
        vspace: CPtr,
        level: usize,
        vaddr: u64,
        mut tables: Option<&mut Vec<(ObjectType, CPtr)>>,
    ) -> Result<(), Error> {
        let (ty, map) = LEVELS[level];
        let table = self.take(ty)?;
        let r = match map(table, vspace, vaddr, vm::DEFAULT) {
            Err(e) if e.failed_lookup().is_some() && level > 0 => {
                self.ensure_table(vspace, level - 1, vaddr, tables.as_deref_mut())?;
                map(table, vspace, vaddr, vm::DEFAULT)
            }
            r => r,
        };
        match r {
            Ok(()) => {
                if let Some(t) = tables {
                    t.push((ty, table));
                }
                Ok(())
            }
            Err(e) => {
                self.give(ty, table);
                Err(e)
            }
        }
    }

    /// Runs `f` on the 4 KiB of `frame` (mapped through the window: a copy
    /// of the cap, since a cap maps at one place only).
    pub fn with_frame<R>(&mut self, frame: CPtr, f: impl FnOnce(&mut [u8; 4096]) -> R) -> Result<R, Error> {
        let copy = self.copy_cap(frame)?;
        if let Err(e) = self.map_own(copy, WINDOW, vm::DEFAULT) {
            self.free_slot(copy);
            return Err(e);
        }
        // SAFETY: the window page is mapped read-write to `frame` until the
        // unmap below, and nothing else refers to it meanwhile.
        let r = f(unsafe { &mut *(WINDOW as *mut [u8; 4096]) });
        let _ = vspace::page_unmap(copy);
        self.free_slot(copy);
        Ok(r)
    }

    /// A zeroed 4 KiB frame (pooled frames are zeroed when given back).
    pub fn frame(&mut self) -> Result<CPtr, Error> {
        self.take(ObjectType::SmallPage)
    }

    /// Gives back a frame that is no longer mapped anywhere: zeroed, pooled.
    pub fn give_frame(&mut self, frame: CPtr) {
        if self.with_frame(frame, |b| b.fill(0)).is_ok() {
            self.give(ObjectType::SmallPage, frame);
        } else {
            self.free_slot(frame);
        }
    }
}
