//! x86_64 paging structures: 4-level tables of 512 eight-byte entries. A
//! user PML4 shares the kernel's upper half (slot 511: the physical window
//! and the kernel image), which has no user bit. Users own the lower half
//! through PDPT, page-directory, page-table and frame caps; every mapping
//! entry is written here, and so is every TLB flush they need.
//!
//! Levels are numbered from the leaf up: 0 = page table, 1 = page
//! directory, 2 = PDPT, 3 = PML4. The ASID table (seL4 x86KSASIDTable) maps
//! an ASID's top 3 bits to an ASID pool, a 4 KiB object of 512 words, each
//! the physical address of the PML4 holding that ASID (0: free).
//!
//! TLB rules (one CPU, no PCIDs, user entries never global): only the
//! address space in CR3 can have cached translations, so a change to
//! another VSpace needs no flush; a leaf change in the current one needs an
//! `invlpg`, the removal of a table a full flush (CR3 reload).

use crate::arch::x86_64::cpu;
use crate::kmem;
use kernel_core::cap::{FrameSize, VmRights};

pub const PTE_PRESENT: u64 = 1 << 0;
pub const PTE_WRITE: u64 = 1 << 1;
pub const PTE_USER: u64 = 1 << 2;
pub const PTE_PWT: u64 = 1 << 3;
pub const PTE_PCD: u64 = 1 << 4;
/// PS: the entry maps a 2 MiB (PD) or 1 GiB (PDPT) page.
pub const PTE_LARGE: u64 = 1 << 7;
/// PAT bit of a 4 KiB entry (the same bit as PS in the levels above).
pub const PTE_PAT_SMALL: u64 = 1 << 7;
/// PAT bit of a 2 MiB or 1 GiB entry.
pub const PTE_PAT_LARGE: u64 = 1 << 12;
pub const ADDR_MASK: u64 = 0x000F_FFFF_FFFF_F000;

/// Flags of an entry that points to a lower-level table owned by user caps.
pub const TABLE_FLAGS: u64 = PTE_PRESENT | PTE_WRITE | PTE_USER;

/// PML4 slots of the user half.
const USER_PML4_SLOTS: u64 = 256;

/// seL4_X86_VMAttributes bits.
const ATTR_PWT: u64 = 1 << 0;
const ATTR_PCD: u64 = 1 << 1;
const ATTR_PAT: u64 = 1 << 2;
/// Triton's no-execute attribute (sel4-abi `vm::NO_EXECUTE_BIT`).
const ATTR_NX: u64 = sel4_abi::vm::NO_EXECUTE_BIT;
const PTE_NX: u64 = 1 << 63;

pub fn index(vaddr: u64, level: u32) -> u64 {
    (vaddr >> (12 + 9 * level)) & 511
}

pub fn entry(table: u64, i: u64) -> u64 {
    kmem::read_u64(table + i * 8)
}

pub fn set_entry(table: u64, i: u64, v: u64) {
    kmem::write_u64(table + i * 8, v)
}

/// The kernel's PML4 (the boot page tables), whose upper half every user PML4 copies.
pub fn kernel_pml4() -> u64 {
    extern "C" {
        static boot_pml4: u8;
    }
    // boot_pml4 is linked at its physical address.
    core::ptr::addr_of!(boot_pml4) as u64
}

/// Drops the boot identity mapping of low memory: from here on the lower
/// half belongs to user address spaces.
pub fn drop_identity_map() {
    set_entry(kernel_pml4(), 0, 0);
    // SAFETY: the kernel PML4 still maps the kernel (slot 511).
    unsafe { cpu::write_cr3(kernel_pml4()) };
}

/// Makes a zeroed PML4 a valid user VSpace root: the kernel's half copied in.
pub fn init_user_pml4(pml4: u64) {
    let k = kernel_pml4();
    for i in USER_PML4_SLOTS..512 {
        set_entry(pml4, i, entry(k, i));
    }
}

/// Walks from a PML4 to the table at `level` (2 = PDPT's PD ... ) for
/// `vaddr`; None where an entry is missing or maps a large page.
pub fn table_for(pml4: u64, vaddr: u64, level: u32) -> Option<u64> {
    walk(pml4, vaddr, level).ok()
}

/// The walk behind `table_for` and `lookup_slot`: the table at `level`, or
/// the address bits left unresolved where an entry on the way is missing
/// or maps a large page (seL4's MissingCapability lookup fault: 39 without
/// a PDPT, 30 without a page directory, 21 without a page table).
fn walk(pml4: u64, vaddr: u64, level: u32) -> Result<u64, u64> {
    let mut table = pml4;
    let mut l = 3;
    while l > level {
        let e = entry(table, index(vaddr, l));
        if e & PTE_PRESENT == 0 || (l < 3 && e & PTE_LARGE != 0) {
            return Err(12 + 9 * l as u64);
        }
        table = e & ADDR_MASK;
        l -= 1;
    }
    Ok(table)
}

/// The physical address of the entry for `vaddr` in the table at `level`
/// (seL4 lookupPML4Slot, lookupPDPTSlot, lookupPDSlot, lookupPTSlot), or
/// the bits left unresolved (see `walk`).
pub fn lookup_slot(pml4: u64, vaddr: u64, level: u32) -> Result<u64, u64> {
    Ok(walk(pml4, vaddr, level)? + index(vaddr, level) * 8)
}

fn cache_bits(attr: u64) -> u64 {
    (if attr & ATTR_PWT != 0 { PTE_PWT } else { 0 }) | (if attr & ATTR_PCD != 0 { PTE_PCD } else { 0 })
}

/// An entry pointing to a PDPT, page directory or page table (seL4
/// makeUserPML4E, makeUserPDPTEPageDirectory, makeUserPDEPageTable): present,
/// writable and user, with the caching bits of `attr`.
pub fn table_entry(table: u64, attr: u64) -> u64 {
    table | TABLE_FLAGS | cache_bits(attr)
}

/// The entry mapping a frame (seL4 makeUserPTE, makeUserPDELargePage,
/// makeUserPDPTEHugePage): writable unless read-only (kernel-only entries
/// are writable but have no user bit), user unless kernel-only, no-execute
/// only with Triton's NX attribute. PAT goes in bit 7 of a 4 KiB entry and
/// bit 12 of a 2 MiB one; seL4 never sets it for 1 GiB pages.
pub fn frame_entry(paddr: u64, size: FrameSize, rights: VmRights, attr: u64) -> u64 {
    let mut e = paddr | PTE_PRESENT | cache_bits(attr);
    if attr & ATTR_NX != 0 {
        e |= PTE_NX;
    }
    if rights != VmRights::ReadOnly {
        e |= PTE_WRITE;
    }
    if rights != VmRights::KernelOnly {
        e |= PTE_USER;
    }
    let pat = attr & ATTR_PAT != 0;
    match size {
        FrameSize::Small4K if pat => e |= PTE_PAT_SMALL,
        FrameSize::Small4K => {}
        FrameSize::Large2M if pat => e |= PTE_LARGE | PTE_PAT_LARGE,
        FrameSize::Large2M | FrameSize::Huge1G => e |= PTE_LARGE,
    }
    e
}

/// The level whose entries map frames of `size`.
pub fn frame_level(size: FrameSize) -> u32 {
    match size {
        FrameSize::Small4K => 0,
        FrameSize::Large2M => 1,
        FrameSize::Huge1G => 2,
    }
}

/// Whether the CPU can map 1 GiB pages (CPUID 0x80000001 EDX bit 26).
pub fn has_huge_pages() -> bool {
    // The extended leaf exists: boot checked for long mode with it.
    let r = core::arch::x86_64::__cpuid(0x8000_0001);
    r.edx & (1 << 26) != 0
}

fn is_current(pml4: u64) -> bool {
    cpu::read_cr3() & ADDR_MASK == pml4
}

/// One page of `pml4` changed: drop its translation if the TLB can hold it.
fn flush_page(pml4: u64, vaddr: u64) {
    if is_current(pml4) {
        cpu::invlpg(vaddr);
    }
}

/// A table of `pml4` went away: drop every translation of that VSpace.
fn flush_vspace(pml4: u64) {
    if is_current(pml4) {
        // SAFETY: reloading CR3 with its own value keeps the address space.
        unsafe { cpu::write_cr3(cpu::read_cr3()) };
    }
}

/// `pml4` is no longer a usable VSpace root: if the CPU runs on it, move to
/// the kernel's own tables (seL4 setVMRoot falling back to the global
/// root); the scheduler loads the next thread's root on the way out.
fn leave_vspace(pml4: u64) {
    if is_current(pml4) {
        // SAFETY: the kernel PML4 maps the kernel.
        unsafe { cpu::write_cr3(kernel_pml4()) };
    }
}

/// Writes the entry at `slot` (of a table in `pml4`'s tree) that maps
/// `vaddr`, flushing a translation the old entry may have left in the TLB.
pub fn write_entry(pml4: u64, slot: u64, vaddr: u64, e: u64) {
    let old = kmem::read_u64(slot);
    kmem::write_u64(slot, e);
    if old & PTE_PRESENT != 0 {
        flush_page(pml4, vaddr);
    }
}

// ---- The ASID table.

/// Number of ASID pools (seL4_NumASIDPoolsBits = 3).
pub const ASID_POOLS: usize = 8;
/// ASIDs per pool (seL4_ASIDPoolIndexBits = 9).
pub const ASIDS_PER_POOL: u64 = 512;

/// seL4's x86KSASIDTable: ASID pools by the ASID's top 3 bits.
static ASID_TABLE: crate::state::Global<[u64; ASID_POOLS]> = crate::state::Global::new([0; ASID_POOLS]);

pub fn set_asid_pool(index: usize, pool: u64) {
    ASID_TABLE.get()[index] = pool;
}

/// The pool at `index` of the ASID table (0: none).
pub fn asid_pool(index: usize) -> u64 {
    ASID_TABLE.get()[index]
}

/// The first free index of the ASID table.
pub fn free_pool_index() -> Option<usize> {
    ASID_TABLE.get().iter().position(|&p| p == 0)
}

/// seL4 findVSpaceForASID: the PML4 assigned to `asid`.
pub fn find_vspace(asid: u16) -> Option<u64> {
    let pool = ASID_TABLE.get().get(asid as usize >> 9).copied().filter(|&p| p != 0)?;
    let pml4 = kmem::read_u64(pool + (asid as u64 & 511) * 8);
    (pml4 != 0).then_some(pml4)
}

/// The first free ASID of `pool` (whose first ASID is `asid_base`); ASID 0
/// is never handed out.
pub fn free_asid(pool: u64, asid_base: u16) -> Option<u16> {
    (0..ASIDS_PER_POOL)
        .find(|&i| asid_base as u64 + i != 0 && kmem::read_u64(pool + i * 8) == 0)
        .map(|i| asid_base + i as u16)
}

/// Records `pml4` as the VSpace of `asid` in `pool` (seL4 performASIDPoolInvocation).
pub fn assign_asid(pool: u64, asid: u16, pml4: u64) {
    kmem::write_u64(pool + (asid as u64 & 511) * 8, pml4);
}

/// Drops `asid`'s PML4 from its pool (seL4 deleteASID).
pub fn release_asid(asid: u16, pml4: u64) {
    if find_vspace(asid) == Some(pml4) {
        let pool = ASID_TABLE.get()[asid as usize >> 9];
        kmem::write_u64(pool + (asid as u64 & 511) * 8, 0);
    }
    leave_vspace(pml4);
}

/// The last cap to an ASID pool is gone (seL4 deleteASIDPool): every PML4
/// in it loses its ASID. Their caps still say "assigned", so the user half
/// of each is cleared as well: a thread whose VTable is such a PML4 then
/// faults on every user access, as under seL4 (which runs it on the kernel's
/// tables), and no stale entry can reach memory freed later.
pub fn delete_asid_pool(asid_base: u16, pool: u64) {
    let hi = asid_base as usize >> 9;
    if ASID_TABLE.get().get(hi) != Some(&pool) {
        return;
    }
    for i in 0..ASIDS_PER_POOL {
        let pml4 = kmem::read_u64(pool + i * 8);
        if pml4 != 0 {
            for s in 0..USER_PML4_SLOTS {
                set_entry(pml4, s, 0);
            }
            leave_vspace(pml4);
        }
    }
    ASID_TABLE.get()[hi] = 0;
}

// ---- Unmapping (seL4 unmapPage, unmapPageTable, unmapPageDirectory, unmapPDPT).

/// Removes a frame's mapping if the entry still maps it (seL4 unmapPage).
pub fn unmap_frame(size: FrameSize, asid: u16, vaddr: u64, paddr: u64) {
    let Some(pml4) = find_vspace(asid) else { return };
    let level = frame_level(size);
    let Ok(slot) = lookup_slot(pml4, vaddr, level) else { return };
    let e = kmem::read_u64(slot);
    let leaf = level == 0 || e & PTE_LARGE != 0;
    let base = e & ADDR_MASK & !((1u64 << size.bits()) - 1);
    if e & PTE_PRESENT != 0 && leaf && base == paddr {
        kmem::write_u64(slot, 0);
        flush_page(pml4, vaddr);
    }
}

/// Removes a page table (`parent_level` 1), directory (2) or PDPT (3) from
/// its parent if the entry still points at it.
pub fn unmap_table(asid: u16, vaddr: u64, parent_level: u32, paddr: u64) {
    let Some(pml4) = find_vspace(asid) else { return };
    let Ok(slot) = lookup_slot(pml4, vaddr, parent_level) else { return };
    let e = kmem::read_u64(slot);
    let is_table = parent_level == 3 || e & PTE_LARGE == 0;
    if e & PTE_PRESENT != 0 && is_table && e & ADDR_MASK == paddr {
        kmem::write_u64(slot, 0);
        flush_vspace(pml4);
    }
}
