//! x86_64 paging structures: 4-level tables of 512 eight-byte entries. A
//! user PML4 shares the kernel's upper half (slot 511: the physical window
//! and the kernel image), which has no user bit.

use crate::arch::x86_64::cpu;
use crate::kmem;

pub const PTE_PRESENT: u64 = 1 << 0;
pub const PTE_WRITE: u64 = 1 << 1;
pub const PTE_USER: u64 = 1 << 2;
pub const PTE_LARGE: u64 = 1 << 7;
pub const ADDR_MASK: u64 = 0x000F_FFFF_FFFF_F000;

/// Flags of an entry that points to a lower-level table owned by user caps.
pub const TABLE_FLAGS: u64 = PTE_PRESENT | PTE_WRITE | PTE_USER;

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
    for i in 256..512 {
        set_entry(pml4, i, entry(k, i));
    }
}

/// Walks from a PML4 to the table at `level` (2 = PDPT's PD ... ) for
/// `vaddr`; None where an entry is missing or maps a large page.
pub fn table_for(pml4: u64, vaddr: u64, level: u32) -> Option<u64> {
    let mut table = pml4;
    let mut l = 3;
    while l > level {
        let e = entry(table, index(vaddr, l));
        if e & PTE_PRESENT == 0 || (l < 3 && e & PTE_LARGE != 0) {
            return None;
        }
        table = e & ADDR_MASK;
        l -= 1;
    }
    Some(table)
}

/// seL4's x86KSASIDTable: ASID pools by the ASID's top 3 bits.
static ASID_TABLE: crate::state::Global<[u64; 8]> = crate::state::Global::new([0; 8]);

pub fn set_asid_pool(index: usize, pool: u64) {
    ASID_TABLE.get()[index] = pool;
}

/// seL4 findVSpaceForASID: the PML4 assigned to `asid`.
pub fn find_vspace(asid: u16) -> Option<u64> {
    let pool = ASID_TABLE.get().get(asid as usize >> 9).copied().filter(|&p| p != 0)?;
    let pml4 = kmem::read_u64(pool + (asid as u64 & 511) * 8);
    (pml4 != 0).then_some(pml4)
}

/// Drops `asid`'s PML4 from its pool (seL4 deleteASID).
pub fn release_asid(asid: u16, pml4: u64) {
    if find_vspace(asid) == Some(pml4) {
        let pool = ASID_TABLE.get()[asid as usize >> 9];
        kmem::write_u64(pool + (asid as u64 & 511) * 8, 0);
        flush_tlb();
    }
}

fn flush_tlb() {
    // SAFETY: reloading CR3 with its own value keeps the address space.
    unsafe { cpu::write_cr3(cpu::read_cr3()) };
}

/// Removes a frame's mapping if the entry still maps it (seL4 unmapPage).
pub fn unmap_frame(asid: u16, vaddr: u64, paddr: u64) {
    let Some(pml4) = find_vspace(asid) else { return };
    for level in 0..3 {
        if let Some(table) = table_for(pml4, vaddr, level) {
            let i = index(vaddr, level);
            let e = entry(table, i);
            let leaf = level == 0 || e & PTE_LARGE != 0;
            if e & PTE_PRESENT != 0 && leaf && e & ADDR_MASK == paddr {
                set_entry(table, i, 0);
                flush_tlb();
                return;
            }
        }
    }
}

/// Removes a page table, directory or PDPT from its parent (at
/// `parent_level`) if the entry still points at it.
pub fn unmap_table(asid: u16, vaddr: u64, parent_level: u32, paddr: u64) {
    let Some(pml4) = find_vspace(asid) else { return };
    if let Some(parent) = table_for(pml4, vaddr, parent_level) {
        let i = index(vaddr, parent_level);
        let e = entry(parent, i);
        if e & PTE_PRESENT != 0 && e & PTE_LARGE == 0 && e & ADDR_MASK == paddr {
            set_entry(parent, i, 0);
            flush_tlb();
        }
    }
}
