//! Mappings in the Executive's own address space. The Executive keeps a
//! private region (PML4 slot 1, from 512 GiB) for what it maps for itself:
//! device memory such as the VGA text buffer now, client pages later. The
//! paging structures for it are created on first use.

use super::Memory;
use sel4::abi::{cap, vm, ObjectType};
use sel4::{vspace, CPtr, Error};

/// Start of the Executive's private mappings.
pub const PRIVATE_BASE: u64 = 0x80_0000_0000;
const VSPACE: CPtr = cap::INIT_THREAD_VSPACE;

impl Memory {
    /// Maps `frame` (4 KiB) read-write at `vaddr` in the Executive's own
    /// address space, creating a missing PDPT, page directory or page table
    /// (their Map reports FailedLookup when the level above is missing,
    /// DeleteFirst when the table is already there).
    pub fn map_own(&mut self, frame: CPtr, vaddr: u64, attr: u64) -> Result<(), Error> {
        match vspace::page_map(frame, VSPACE, vaddr, vspace::RW, attr) {
            Err(e) if e.failed_lookup().is_some() => {
                self.ensure_table(2, vaddr)?;
                vspace::page_map(frame, VSPACE, vaddr, vspace::RW, attr)
            }
            r => r,
        }
    }

    /// Makes sure the paging structure at `level` (2: page table, 1: page
    /// directory, 0: PDPT) for `vaddr` exists, creating the ones above it
    /// first when they are missing too.
    fn ensure_table(&mut self, level: usize, vaddr: u64) -> Result<(), Error> {
        type MapFn = fn(CPtr, CPtr, u64, u64) -> Result<(), Error>;
        const LEVELS: [(ObjectType, MapFn); 3] = [
            (ObjectType::PDPT, vspace::pdpt_map),
            (ObjectType::PageDirectory, vspace::pd_map),
            (ObjectType::PageTable, vspace::pt_map),
        ];
        let (ty, map) = LEVELS[level];
        let table = self.alloc(ty, 0)?;
        match map(table, VSPACE, vaddr, vm::DEFAULT) {
            Err(e) if e.failed_lookup().is_some() && level > 0 => {
                self.ensure_table(level - 1, vaddr)?;
                map(table, VSPACE, vaddr, vm::DEFAULT)
            }
            r => r,
        }
    }
}
