//! Every error of the paging invocations, with seL4's error code and
//! detail words: TruncatedMessage, IllegalOperation, InvalidCapability (the
//! invoked cap and the VSpace cap), InvalidArgument for addresses beyond the
//! user limit, AlignmentError, FailedLookup (missing tables with the bits
//! left, a VSpace whose ASID is gone), DeleteFirst and RevokeFirst.

use crate::common::*;
use guest_test::{expect_err, ok, Suite, TestResult};
use kernel_vm::env::{self, Env, AREA, ASID_CONTROL, D, HUGE, LARGE, PAGE, ROOT, VSPACE};
use kernel_vm::vm::{self, RW};
use sel4::abi::invocation::InvocationLabel as L;
use sel4::{invoke, invoke_raw, CapRights, ErrorCode, ObjectType};

pub fn run(env: &Env, s: &mut Suite) {
    env.test(s, "page_map_truncated", page_map_truncated);
    env.test(s, "page_map_invalid_vspace_cap", page_map_bad_vspace);
    env.test(s, "page_map_above_user_top", page_map_above_top);
    env.test(s, "page_map_misaligned", page_map_misaligned);
    env.test(s, "page_map_missing_tables", page_map_missing);
    env.test(s, "large_page_over_table_delete_first", large_over_table);
    env.test(s, "small_page_under_large_page", small_under_large);
    env.test(s, "frame_illegal_labels", frame_labels);
    env.test(s, "pml4_has_no_invocations", pml4_labels);
    env.test(s, "map_into_vspace_of_deleted_pool", deleted_pool);
    env.test(s, "table_map_truncated", table_truncated);
    env.test(s, "table_map_already_mapped", table_already_mapped);
    env.test(s, "table_map_invalid_vspace_cap", table_bad_vspace);
    env.test(s, "table_map_above_user_top", table_above_top);
    env.test(s, "table_map_missing_parents", table_missing);
    env.test(s, "table_map_occupied_delete_first", table_occupied);
    env.test(s, "table_unmap_needs_last_cap", table_unmap_revoke_first);
    env.test(s, "unmapped_table_cannot_be_copied", table_copy_unmapped);
    env.test(s, "table_illegal_labels", table_labels);
    env.test(s, "unmap_of_unmapped_caps", unmap_unmapped);
}

fn page_map_truncated(env: &Env) -> TestResult {
    let f = ok!(env.frame());
    let l = L::X86PageMap as u64;
    expect_err!(invoke_raw(f, l, &[AREA, RW], &[VSPACE]), ErrorCode::TruncatedMessage, []);
    expect_err!(invoke_raw(f, l, &[AREA, RW, 0], &[]), ErrorCode::TruncatedMessage, []);
    expect_err!(invoke_raw(f, l, &[], &[]), ErrorCode::TruncatedMessage, []);
    Ok(())
}

fn page_map_bad_vspace(env: &Env) -> TestResult {
    let [pdpt, _, _] = tables(env, VSPACE, AREA, 3)?;
    let f = ok!(env.frame());
    let ep = ok!(env.endpoint());
    let unassigned = ok!(env.obj(ObjectType::PML4, 0));
    for bad in [pdpt, ep, unassigned, f, env::ROOT_POOL] {
        expect_err!(vm::page_map(f, bad, AREA, RW, 0), ErrorCode::InvalidCapability, [1]);
    }
    Ok(())
}

fn page_map_above_top(env: &Env) -> TestResult {
    let f = ok!(env.frame());
    let big = ok!(env.obj(ObjectType::LargePage, 0));
    for v in [1u64 << 47, 0x7FFF_FFFF_F000, 0xFFFF_FF80_0000_0000, 0xFFFF_FFFF_FFFF_F000, u64::MAX] {
        expect_err!(vm::page_map(f, VSPACE, v, RW, 0), ErrorCode::InvalidArgument, [0]);
    }
    expect_err!(vm::page_map(big, VSPACE, 0x7FFF_FFE0_0000, RW, 0), ErrorCode::InvalidArgument, [0]);
    Ok(())
}

fn page_map_misaligned(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let f = ok!(env.frame());
    let big = ok!(env.obj(ObjectType::LargePage, 0));
    expect_err!(vm::page_map(f, VSPACE, AREA + 0x800, RW, 0), ErrorCode::AlignmentError, []);
    expect_err!(vm::page_map(f, VSPACE, AREA + 1, RW, 0), ErrorCode::AlignmentError, []);
    expect_err!(vm::page_map(big, VSPACE, AREA + PAGE, RW, 0), ErrorCode::AlignmentError, []);
    if let Some((dev, _, _)) = env.dev_huge {
        let huge = ok!(env.obj_from(dev, ObjectType::HugePage, 0));
        expect_err!(vm::page_map(huge, VSPACE, AREA + LARGE, RW, 0), ErrorCode::AlignmentError, []);
    }
    Ok(())
}

fn page_map_missing(env: &Env) -> TestResult {
    let f = ok!(env.frame());
    let big = ok!(env.obj(ObjectType::LargePage, 0));
    let missing = ErrorCode::FailedLookup;
    // No PDPT: 39 bits left; no page directory: 30; no page table: 21.
    expect_err!(vm::page_map(f, VSPACE, AREA, RW, 0), missing, [0, 2, 39]);
    expect_err!(vm::page_map(big, VSPACE, AREA, RW, 0), missing, [0, 2, 39]);
    if let Some((dev, _, _)) = env.dev_huge {
        let huge = ok!(env.obj_from(dev, ObjectType::HugePage, 0));
        expect_err!(vm::page_map(huge, VSPACE, AREA, RW, 0), missing, [0, 2, 39]);
    }
    let pdpt = ok!(env.obj(ObjectType::PDPT, 0));
    ok!(vm::pdpt_map(pdpt, VSPACE, AREA, 0));
    expect_err!(vm::page_map(f, VSPACE, AREA, RW, 0), missing, [0, 2, 30]);
    expect_err!(vm::page_map(big, VSPACE, AREA, RW, 0), missing, [0, 2, 30]);
    let pd = ok!(env.obj(ObjectType::PageDirectory, 0));
    ok!(vm::pd_map(pd, VSPACE, AREA, 0));
    expect_err!(vm::page_map(f, VSPACE, AREA, RW, 0), missing, [0, 2, 21]);
    // The 2 MiB page needs nothing more.
    ok!(vm::page_map(big, VSPACE, AREA, RW, 0));
    Ok(())
}

fn large_over_table(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let big = ok!(env.obj(ObjectType::LargePage, 0));
    expect_err!(vm::page_map(big, VSPACE, AREA, RW, 0), ErrorCode::DeleteFirst, []);
    if let Some((dev, _, _)) = env.dev_huge {
        let huge = ok!(env.obj_from(dev, ObjectType::HugePage, 0));
        expect_err!(vm::page_map(huge, VSPACE, AREA, RW, 0), ErrorCode::DeleteFirst, []);
        // Next to the page directory it fits.
        ok!(vm::page_map(huge, VSPACE, AREA + HUGE, RW, vm::UNCACHEABLE));
        // And a page directory cannot go where the 1 GiB page is.
        let pd = ok!(env.obj(ObjectType::PageDirectory, 0));
        expect_err!(vm::pd_map(pd, VSPACE, AREA + HUGE, 0), ErrorCode::DeleteFirst, []);
    }
    Ok(())
}

fn small_under_large(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 2)?;
    let big = ok!(env.obj(ObjectType::LargePage, 0));
    ok!(vm::page_map(big, VSPACE, AREA, RW, 0));
    let f = ok!(env.frame());
    // The entry holds a 2 MiB page, not a page table.
    expect_err!(vm::page_map(f, VSPACE, AREA + PAGE, RW, 0), ErrorCode::FailedLookup, [0, 2, 21]);
    let pt = ok!(env.obj(ObjectType::PageTable, 0));
    expect_err!(vm::pt_map(pt, VSPACE, AREA, 0), ErrorCode::DeleteFirst, []);
    Ok(())
}

fn frame_labels(env: &Env) -> TestResult {
    let f = ok!(env.frame());
    for l in [0, L::X86PageTableMap as u64, L::X86PDPTUnmap as u64, L::X86ASIDPoolAssign as u64, L::CNodeCopy as u64, 999] {
        expect_err!(invoke_raw(f, l, &[AREA, RW, 0], &[VSPACE]), ErrorCode::IllegalOperation, []);
    }
    Ok(())
}

fn pml4_labels(env: &Env) -> TestResult {
    let fresh = ok!(env.obj(ObjectType::PML4, 0));
    for cap in [VSPACE, fresh] {
        for l in [L::X86PageMap, L::X86PDPTMap, L::X86PageTableUnmap, L::X86PageGetAddress, L::X86ASIDPoolAssign] {
            expect_err!(invoke(cap, l, &[AREA, 0, 0], &[VSPACE]), ErrorCode::IllegalOperation, []);
        }
    }
    Ok(())
}

fn deleted_pool(env: &Env) -> TestResult {
    let ut = ok!(env.obj(ObjectType::Untyped, 12));
    let pool = env.slot();
    ok!(vm::make_pool(ASID_CONTROL, ut, ROOT, pool, D as u64));
    let pml4 = ok!(env.obj(ObjectType::PML4, 0));
    ok!(vm::assign(pool, pml4));
    let [_, _, pt] = tables(env, pml4, AREA, 3)?;
    let f = ok!(env.frame());
    ok!(vm::page_map(f, pml4, AREA, RW, 0));
    ok!(ROOT.delete(pool, D));
    // The PML4 cap still says "assigned", but its ASID leads nowhere.
    let g = ok!(env.frame());
    expect_err!(vm::page_map(g, pml4, AREA + PAGE, RW, 0), ErrorCode::FailedLookup, [0, 1]);
    let pd = ok!(env.obj(ObjectType::PageDirectory, 0));
    expect_err!(vm::pd_map(pd, pml4, AREA + HUGE, 0), ErrorCode::FailedLookup, [0, 1]);
    // Unmapping what was mapped there still works (there is nothing to undo).
    ok!(vm::page_unmap(f));
    ok!(vm::pt_unmap(pt));
    // The PML4 cannot get another ASID.
    expect_err!(vm::assign(env::ROOT_POOL, pml4), ErrorCode::InvalidCapability, [1]);
    // A new pool takes the freed index, and a new PML4 the old one's ASID:
    // that ASID now leads to another VSpace.
    let ut2 = ok!(env.obj(ObjectType::Untyped, 12));
    let pool2 = env.slot();
    ok!(vm::make_pool(ASID_CONTROL, ut2, ROOT, pool2, D as u64));
    let other = ok!(env.obj(ObjectType::PML4, 0));
    ok!(vm::assign(pool2, other));
    expect_err!(vm::page_map(g, pml4, AREA + PAGE, RW, 0), ErrorCode::InvalidCapability, [1]);
    expect_err!(vm::pd_map(pd, pml4, AREA + HUGE, 0), ErrorCode::InvalidCapability, [1]);
    expect_err!(vm::page_map(g, other, AREA + PAGE, RW, 0), ErrorCode::FailedLookup, [0, 2, 39]);
    Ok(())
}

fn table_truncated(env: &Env) -> TestResult {
    let pt = ok!(env.obj(ObjectType::PageTable, 0));
    let pd = ok!(env.obj(ObjectType::PageDirectory, 0));
    let pdpt = ok!(env.obj(ObjectType::PDPT, 0));
    for (cap, l) in [(pt, L::X86PageTableMap), (pd, L::X86PageDirectoryMap), (pdpt, L::X86PDPTMap)] {
        expect_err!(invoke(cap, l, &[AREA], &[VSPACE]), ErrorCode::TruncatedMessage, []);
        expect_err!(invoke(cap, l, &[AREA, 0], &[]), ErrorCode::TruncatedMessage, []);
    }
    Ok(())
}

fn table_already_mapped(env: &Env) -> TestResult {
    let [pdpt, pd, pt] = tables(env, VSPACE, AREA, 3)?;
    expect_err!(vm::pt_map(pt, VSPACE, AREA + LARGE, 0), ErrorCode::InvalidCapability, [0]);
    expect_err!(vm::pd_map(pd, VSPACE, AREA + HUGE, 0), ErrorCode::InvalidCapability, [0]);
    expect_err!(vm::pdpt_map(pdpt, VSPACE, AREA + (512 * HUGE), 0), ErrorCode::InvalidCapability, [0]);
    // Even into a bad VSpace: the mapped cap is checked first.
    expect_err!(vm::pt_map(pt, pt, AREA, 0), ErrorCode::InvalidCapability, [0]);
    Ok(())
}

fn table_bad_vspace(env: &Env) -> TestResult {
    let pt = ok!(env.obj(ObjectType::PageTable, 0));
    let pd = ok!(env.obj(ObjectType::PageDirectory, 0));
    let pdpt = ok!(env.obj(ObjectType::PDPT, 0));
    let unassigned = ok!(env.obj(ObjectType::PML4, 0));
    let f = ok!(env.frame());
    for bad in [unassigned, f, pdpt, env::ROOT_POOL, ASID_CONTROL] {
        expect_err!(vm::pt_map(pt, bad, AREA, 0), ErrorCode::InvalidCapability, [1]);
        expect_err!(vm::pd_map(pd, bad, AREA, 0), ErrorCode::InvalidCapability, [1]);
        if bad != pdpt {
            expect_err!(vm::pdpt_map(pdpt, bad, AREA, 0), ErrorCode::InvalidCapability, [1]);
        }
    }
    Ok(())
}

fn table_above_top(env: &Env) -> TestResult {
    let pt = ok!(env.obj(ObjectType::PageTable, 0));
    let pd = ok!(env.obj(ObjectType::PageDirectory, 0));
    let pdpt = ok!(env.obj(ObjectType::PDPT, 0));
    for v in [1u64 << 47, 0xFFFF_8000_0000_0000, 0xFFFF_FF80_0000_0000, u64::MAX] {
        expect_err!(vm::pt_map(pt, VSPACE, v, 0), ErrorCode::InvalidArgument, [0]);
        expect_err!(vm::pd_map(pd, VSPACE, v, 0), ErrorCode::InvalidArgument, [0]);
        expect_err!(vm::pdpt_map(pdpt, VSPACE, v, 0), ErrorCode::InvalidArgument, [0]);
    }
    Ok(())
}

fn table_missing(env: &Env) -> TestResult {
    let pt = ok!(env.obj(ObjectType::PageTable, 0));
    let pd = ok!(env.obj(ObjectType::PageDirectory, 0));
    expect_err!(vm::pt_map(pt, VSPACE, AREA, 0), ErrorCode::FailedLookup, [0, 2, 39]);
    expect_err!(vm::pd_map(pd, VSPACE, AREA, 0), ErrorCode::FailedLookup, [0, 2, 39]);
    tables(env, VSPACE, AREA, 1)?;
    expect_err!(vm::pt_map(pt, VSPACE, AREA, 0), ErrorCode::FailedLookup, [0, 2, 30]);
    ok!(vm::pd_map(pd, VSPACE, AREA, 0));
    ok!(vm::pt_map(pt, VSPACE, AREA, 0));
    Ok(())
}

fn table_occupied(env: &Env) -> TestResult {
    let pt = ok!(env.obj(ObjectType::PageTable, 0));
    let pd = ok!(env.obj(ObjectType::PageDirectory, 0));
    let pdpt = ok!(env.obj(ObjectType::PDPT, 0));
    // The boot code mapped the image's PDPT, page directory and page tables.
    let (image, _) = env.image_pages();
    expect_err!(vm::pdpt_map(pdpt, VSPACE, image, 0), ErrorCode::DeleteFirst, []);
    expect_err!(vm::pd_map(pd, VSPACE, image, 0), ErrorCode::DeleteFirst, []);
    expect_err!(vm::pt_map(pt, VSPACE, image, 0), ErrorCode::DeleteFirst, []);
    // And what a test mapped itself.
    tables(env, VSPACE, AREA, 3)?;
    expect_err!(vm::pdpt_map(pdpt, VSPACE, AREA, 0), ErrorCode::DeleteFirst, []);
    expect_err!(vm::pd_map(pd, VSPACE, AREA, 0), ErrorCode::DeleteFirst, []);
    expect_err!(vm::pt_map(pt, VSPACE, AREA, 0), ErrorCode::DeleteFirst, []);
    Ok(())
}

fn table_unmap_revoke_first(env: &Env) -> TestResult {
    let [pdpt, pd, pt] = tables(env, VSPACE, AREA, 3)?;
    for (cap, unmap) in [(pt, vm::pt_unmap as fn(u64) -> _), (pd, vm::pd_unmap), (pdpt, vm::pdpt_unmap)] {
        // A mapped table cap can be copied; then it is not the last one.
        let copy = ok!(env.copy(cap, CapRights::ALL));
        expect_err!(unmap(cap), ErrorCode::RevokeFirst, []);
        expect_err!(unmap(copy), ErrorCode::RevokeFirst, []);
        ok!(ROOT.delete(copy, D));
        ok!(unmap(cap));
    }
    // Everything is unmapped now: the tables map again.
    tables(env, VSPACE, AREA, 3)?;
    Ok(())
}

fn table_copy_unmapped(env: &Env) -> TestResult {
    let pt = ok!(env.obj(ObjectType::PageTable, 0));
    let pml4 = ok!(env.obj(ObjectType::PML4, 0));
    for cap in [pt, pml4] {
        let s = env.slot();
        expect_err!(ROOT.copy(s, D, ROOT, cap, D, CapRights::ALL), ErrorCode::IllegalOperation, []);
    }
    Ok(())
}

fn table_labels(env: &Env) -> TestResult {
    let pt = ok!(env.obj(ObjectType::PageTable, 0));
    let pd = ok!(env.obj(ObjectType::PageDirectory, 0));
    let pdpt = ok!(env.obj(ObjectType::PDPT, 0));
    let wrong = [
        (pt, [L::X86PageDirectoryMap, L::X86PDPTUnmap, L::X86PageMap, L::X86PageGetAddress]),
        (pd, [L::X86PageTableMap, L::X86PageTableUnmap, L::X86PDPTMap, L::X86PageUnmap]),
        (pdpt, [L::X86PageDirectoryMap, L::X86PageDirectoryUnmap, L::X86PageTableMap, L::UntypedRetype]),
    ];
    for (cap, labels) in wrong {
        for l in labels {
            expect_err!(invoke(cap, l, &[AREA, 0], &[VSPACE]), ErrorCode::IllegalOperation, []);
        }
        expect_err!(invoke_raw(cap, 0, &[AREA, 0], &[VSPACE]), ErrorCode::IllegalOperation, []);
    }
    Ok(())
}

fn unmap_unmapped(env: &Env) -> TestResult {
    let f = ok!(env.frame());
    let pt = ok!(env.obj(ObjectType::PageTable, 0));
    let pd = ok!(env.obj(ObjectType::PageDirectory, 0));
    let pdpt = ok!(env.obj(ObjectType::PDPT, 0));
    ok!(vm::page_unmap(f));
    ok!(vm::pt_unmap(pt));
    ok!(vm::pd_unmap(pd));
    ok!(vm::pdpt_unmap(pdpt));
    Ok(())
}
