//! x86_64 paging and ASID invocations (`seL4_X86_Page_Map`,
//! `seL4_X86_PageTable_Map`, ..., `seL4_X86_ASIDPool_Assign`), packed as
//! libsel4's stubs pack them (argument indices from `sel4_abi::invocation`).

use super::invoke;
use crate::{CNode, CPtr, Error};
use sel4_abi::invocation::{self as inv, InvocationLabel as L};

/// `seL4_CapRights_t` words for Page_Map.
pub const RW: u64 = 3;
pub const RO: u64 = 2;
pub const WRITE_ONLY: u64 = 1;
pub const NO_RIGHTS: u64 = 0;

fn unit(r: Result<crate::Reply, Error>) -> Result<(), Error> {
    r.map(|_| ())
}

/// `seL4_X86_Page_Map`.
pub fn page_map(frame: CPtr, vspace: CPtr, vaddr: u64, rights: u64, attr: u64) -> Result<(), Error> {
    let mut mr = [0u64; inv::x86_page_map::LENGTH];
    mr[inv::x86_page_map::VADDR] = vaddr;
    mr[inv::x86_page_map::RIGHTS] = rights;
    mr[inv::x86_page_map::ATTR] = attr;
    unit(invoke(frame, L::X86PageMap, &mr, &[vspace]))
}

/// `seL4_X86_Page_Unmap`.
pub fn page_unmap(frame: CPtr) -> Result<(), Error> {
    unit(invoke(frame, L::X86PageUnmap, &[], &[]))
}

/// `seL4_X86_Page_GetAddress`.
pub fn page_get_address(frame: CPtr) -> Result<u64, Error> {
    invoke(frame, L::X86PageGetAddress, &[], &[]).map(|r| r.mr(inv::x86_page_get_address::OUT_PADDR))
}

/// `seL4_X86_PageTable_Map`.
pub fn pt_map(pt: CPtr, vspace: CPtr, vaddr: u64, attr: u64) -> Result<(), Error> {
    unit(invoke(pt, L::X86PageTableMap, &[vaddr, attr], &[vspace]))
}

/// `seL4_X86_PageTable_Unmap`.
pub fn pt_unmap(pt: CPtr) -> Result<(), Error> {
    unit(invoke(pt, L::X86PageTableUnmap, &[], &[]))
}

/// `seL4_X86_PageDirectory_Map`.
pub fn pd_map(pd: CPtr, vspace: CPtr, vaddr: u64, attr: u64) -> Result<(), Error> {
    unit(invoke(pd, L::X86PageDirectoryMap, &[vaddr, attr], &[vspace]))
}

/// `seL4_X86_PageDirectory_Unmap`.
pub fn pd_unmap(pd: CPtr) -> Result<(), Error> {
    unit(invoke(pd, L::X86PageDirectoryUnmap, &[], &[]))
}

/// `seL4_X86_PDPT_Map`.
pub fn pdpt_map(pdpt: CPtr, vspace: CPtr, vaddr: u64, attr: u64) -> Result<(), Error> {
    unit(invoke(pdpt, L::X86PDPTMap, &[vaddr, attr], &[vspace]))
}

/// `seL4_X86_PDPT_Unmap`.
pub fn pdpt_unmap(pdpt: CPtr) -> Result<(), Error> {
    unit(invoke(pdpt, L::X86PDPTUnmap, &[], &[]))
}

/// `seL4_X86_ASIDControl_MakePool`: the pool cap goes to `index`/`depth` in `root`.
pub fn make_pool(control: CPtr, untyped: CPtr, root: CNode, index: u64, depth: u64) -> Result<(), Error> {
    unit(invoke(control, L::X86ASIDControlMakePool, &[index, depth], &[untyped, root.0]))
}

/// `seL4_X86_ASIDPool_Assign`.
pub fn assign(pool: CPtr, pml4: CPtr) -> Result<(), Error> {
    unit(invoke(pool, L::X86ASIDPoolAssign, &[], &[pml4]))
}
