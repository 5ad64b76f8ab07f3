//! x86_64 paging and ASID invocations (seL4 src/arch/x86/kernel/vspace.c,
//! src/arch/x86/64/kernel/vspace.c): Frame Map/Unmap/GetAddress,
//! PageTable/PageDirectory/PDPT Map/Unmap, ASIDControl MakePool,
//! ASIDPool Assign. PML4 caps have no invocations. Checks come in seL4's
//! order, so a message that breaks several rules gets seL4's error.
//!
//! Mapping rules, as seL4 has them: a frame's rights are its cap's VM
//! rights narrowed by the rights word (read is needed for user access,
//! write-only becomes kernel-only), the attributes word gives PWT/PCD/PAT
//! and, as a Triton extension seL4 programs never set, no-execute (bit 3); a 4 KiB or 2 MiB mapping silently replaces a
//! frame already mapped there, but not a table (DeleteFirst). A mapped
//! frame may be mapped again only at the same address and ASID (new rights
//! or attributes). Tables map only into an empty entry, and unmapping one
//! needs its only cap (RevokeFirst) and clears it.

use super::{ensure_empty, lookup_slot, Invocation, Outcome, Result, SyscallError};
use crate::kmem;
use crate::object::cnode;
use crate::object::vspace::{self, PTE_LARGE, PTE_PRESENT};
use kernel_core::cap::{Cap, FrameSize, Mapping, Rights};
use kernel_core::cspace::LookupFailure;
use sel4_abi::invocation::InvocationLabel as L;
use sel4_abi::USER_TOP;

type R<T> = core::result::Result<T, SyscallError>;

const PAGE_BITS: u64 = 12;

fn done() -> Result {
    Ok(Outcome::Reply([0; 4], 0))
}

pub fn decode(inv: &mut Invocation) -> Result {
    match inv.cap {
        Cap::Frame { .. } => frame(inv),
        Cap::PageTable { .. } | Cap::PageDirectory { .. } | Cap::Pdpt { .. } => table(inv),
        Cap::AsidControl => make_pool(inv),
        Cap::AsidPool { .. } => assign(inv),
        // seL4 decodeX86ModeMMUInvocation: a PML4 cap has no invocations.
        _ => Err(SyscallError::IllegalOperation.into()),
    }
}

/// seL4's lookup fault for a missing table, as a FailedLookup error.
fn missing(bits_left: u64) -> SyscallError {
    SyscallError::FailedLookup { source: false, lf: LookupFailure::MissingCapability { bits_left } }
}

/// The VSpace named by extra cap 0 (seL4 isValidNativeRoot): a PML4 with an
/// ASID, else InvalidCapability(1).
fn target_vspace(inv: &Invocation) -> R<(u64, u16)> {
    match inv.extra_cap(0).map(|c| c.cap) {
        Some(Cap::Pml4 { paddr, asid: Some(asid) }) => Ok((paddr, asid)),
        _ => Err(SyscallError::InvalidCapability(1)),
    }
}

/// The PML4's ASID must still lead to it (seL4 findVSpaceForASID): a
/// deleted pool gives FailedLookup (invalid root), another PML4 under the
/// ASID InvalidCapability(1).
fn check_asid(pml4: u64, asid: u16) -> R<()> {
    match vspace::find_vspace(asid) {
        None => Err(SyscallError::FailedLookup { source: false, lf: LookupFailure::InvalidRoot }),
        Some(p) if p != pml4 => Err(SyscallError::InvalidCapability(1)),
        Some(_) => Ok(()),
    }
}

/// seL4 decodeX86FrameInvocation.
fn frame(inv: &mut Invocation) -> Result {
    let Cap::Frame { paddr, size, rights, device, mapping } = inv.cap else { unreachable!() };
    match inv.label() {
        Some(L::X86PageMap) => {
            inv.need(3, 1)?;
            let vaddr = inv.arg(0);
            let rights_word = inv.arg(1);
            let attr = inv.arg(2);
            let (pml4, asid) = target_vspace(inv)?;
            let bits = size.bits();
            match mapping {
                Some(m) => {
                    if m.asid != asid {
                        return Err(SyscallError::InvalidCapability(1).into());
                    }
                    if m.vaddr != vaddr {
                        return Err(SyscallError::InvalidArgument(0).into());
                    }
                }
                None => {
                    let vtop = vaddr.wrapping_add(1 << bits);
                    if vaddr > USER_TOP || vtop > USER_TOP {
                        return Err(SyscallError::InvalidArgument(0).into());
                    }
                }
            }
            check_asid(pml4, asid)?;
            let vm = rights.mask(Rights::from_word(rights_word));
            if vaddr & ((1 << bits) - 1) != 0 {
                return Err(SyscallError::AlignmentError.into());
            }
            if size == FrameSize::Huge1G && !vspace::has_huge_pages() {
                // Triton: 1 GiB frames exist only where the CPU can map them.
                return Err(SyscallError::IllegalOperation.into());
            }
            let level = vspace::frame_level(size);
            let slot = vspace::lookup_slot(pml4, vaddr, level).map_err(missing)?;
            if level > 0 {
                // A large page may replace a large page, never a table.
                let e = kmem::read_u64(slot);
                if e & PTE_PRESENT != 0 && e & PTE_LARGE == 0 {
                    return Err(SyscallError::DeleteFirst.into());
                }
            }
            let m = Some(Mapping { asid, vaddr });
            cnode::slot_at(inv.slot).cap = Cap::Frame { paddr, size, rights, device, mapping: m }.encode();
            vspace::write_entry(pml4, slot, vaddr, vspace::frame_entry(paddr, size, vm, attr));
            done()
        }
        Some(L::X86PageUnmap) => {
            if let Some(m) = mapping {
                vspace::unmap_frame(size, m.asid, m.vaddr, paddr);
            }
            cnode::slot_at(inv.slot).cap = Cap::Frame { paddr, size, rights, device, mapping: None }.encode();
            done()
        }
        Some(L::X86PageGetAddress) => Ok(Outcome::Reply([paddr, 0, 0, 0], 1)),
        _ => Err(SyscallError::IllegalOperation.into()),
    }
}

/// seL4 decodeX86PageTableInvocation, decodeX64PageDirectoryInvocation and
/// decodeX64PDPTInvocation, which differ only in the level.
fn table(inv: &mut Invocation) -> Result {
    // The parent level (whose entry points at the table) and the labels.
    let (paddr, mapping, parent_level, map, unmap) = match inv.cap {
        Cap::PageTable { paddr, mapping } => (paddr, mapping, 1, L::X86PageTableMap, L::X86PageTableUnmap),
        Cap::PageDirectory { paddr, mapping } => {
            (paddr, mapping, 2, L::X86PageDirectoryMap, L::X86PageDirectoryUnmap)
        }
        Cap::Pdpt { paddr, mapping } => (paddr, mapping, 3, L::X86PDPTMap, L::X86PDPTUnmap),
        _ => unreachable!(),
    };
    let with_mapping = |m: Option<Mapping>| match inv.cap {
        Cap::PageTable { .. } => Cap::PageTable { paddr, mapping: m },
        Cap::PageDirectory { .. } => Cap::PageDirectory { paddr, mapping: m },
        _ => Cap::Pdpt { paddr, mapping: m },
    };
    let label = inv.label();
    if label == Some(unmap) {
        if !cnode::is_final(inv.slot) {
            return Err(SyscallError::RevokeFirst.into());
        }
        if let Some(m) = mapping {
            vspace::unmap_table(m.asid, m.vaddr, parent_level, paddr);
            kmem::zero(paddr, 1 << PAGE_BITS);
        }
        cnode::slot_at(inv.slot).cap = with_mapping(None).encode();
        return done();
    }
    if label != Some(map) {
        return Err(SyscallError::IllegalOperation.into());
    }
    inv.need(2, 1)?;
    if mapping.is_some() {
        return Err(SyscallError::InvalidCapability(0).into());
    }
    // The address is rounded down to what one entry of the parent covers.
    let span_bits = PAGE_BITS + 9 * parent_level as u64;
    let vaddr = inv.arg(0) & !((1u64 << span_bits) - 1);
    let attr = inv.arg(1);
    let (pml4, asid) = target_vspace(inv)?;
    if vaddr > USER_TOP {
        return Err(SyscallError::InvalidArgument(0).into());
    }
    check_asid(pml4, asid)?;
    let slot = vspace::lookup_slot(pml4, vaddr, parent_level).map_err(missing)?;
    if kmem::read_u64(slot) & PTE_PRESENT != 0 {
        return Err(SyscallError::DeleteFirst.into());
    }
    cnode::slot_at(inv.slot).cap = with_mapping(Some(Mapping { asid, vaddr })).encode();
    vspace::write_entry(pml4, slot, vaddr, vspace::table_entry(paddr, attr));
    done()
}

/// seL4 decodeX86MMUInvocation, ASID control: MakePool turns a 4 KiB
/// untyped into the pool of the first free ASID-table index.
fn make_pool(inv: &mut Invocation) -> Result {
    if inv.label() != Some(L::X86ASIDControlMakePool) {
        return Err(SyscallError::IllegalOperation.into());
    }
    inv.need(2, 2)?;
    let index = inv.arg(0);
    let depth = inv.arg(1);
    let parent = inv.extra_cap(0).unwrap();
    let root = inv.extra_cap(1).unwrap().cap;
    let Some(i) = vspace::free_pool_index() else {
        return Err(SyscallError::DeleteFirst.into());
    };
    let Cap::Untyped { paddr, size_bits, is_device: false, .. } = parent.cap else {
        return Err(SyscallError::InvalidCapability(1).into());
    };
    if size_bits as u64 != sel4_abi::ASID_POOL_BITS as u64 {
        return Err(SyscallError::InvalidCapability(1).into());
    }
    if cnode::has_children(parent.slot) {
        return Err(SyscallError::RevokeFirst.into());
    }
    let dest = lookup_slot(root, index, depth, false)?;
    ensure_empty(dest)?;
    // performASIDControlInvocation: the untyped is used up whole.
    cnode::slot_at(parent.slot).cap =
        Cap::Untyped { paddr, size_bits, is_device: false, free_index: 1 << size_bits }.encode();
    kmem::zero(paddr, 1 << size_bits);
    let asid_base = (i as u64 * vspace::ASIDS_PER_POOL) as u16;
    cnode::cte_insert(Cap::AsidPool { paddr, asid_base }, parent.slot, dest);
    vspace::set_asid_pool(i, paddr);
    done()
}

/// seL4 decodeX86MMUInvocation, ASID pool: Assign gives a PML4 the pool's
/// first free ASID.
fn assign(inv: &mut Invocation) -> Result {
    if inv.label() != Some(L::X86ASIDPoolAssign) {
        return Err(SyscallError::IllegalOperation.into());
    }
    let Some(vs) = inv.extra_cap(0) else {
        return Err(SyscallError::TruncatedMessage.into());
    };
    let Cap::Pml4 { paddr: pml4, asid: None } = vs.cap else {
        return Err(SyscallError::InvalidCapability(1).into());
    };
    let Cap::AsidPool { paddr, asid_base } = inv.cap else { unreachable!() };
    let pool = vspace::asid_pool(asid_base as usize >> 9);
    if pool == 0 {
        return Err(SyscallError::FailedLookup { source: false, lf: LookupFailure::InvalidRoot }.into());
    }
    if pool != paddr {
        return Err(SyscallError::InvalidCapability(0).into());
    }
    let Some(asid) = vspace::free_asid(pool, asid_base) else {
        return Err(SyscallError::DeleteFirst.into());
    };
    cnode::slot_at(vs.slot).cap = Cap::Pml4 { paddr: pml4, asid: Some(asid) }.encode();
    vspace::assign_asid(pool, asid, pml4);
    done()
}
