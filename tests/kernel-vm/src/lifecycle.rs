//! Mappings go away with their caps: unmapping, deleting a frame cap (the
//! last one or a mapped copy), revoking the untyped a frame came from,
//! deleting or unmapping a page table, page directory or PDPT, deleting a
//! PML4. Each time a child thread's access to the address must fault as
//! "not present" (the root must not fault: it has no handler), which also
//! shows the TLB no longer holds the old translation.

use crate::common::*;
use guest_test::{check_eq, expect_err, ok, Suite, TestResult};
use kernel_vm::env::{self, Env, AREA, AREA2, D, HUGE, LARGE, PAGE, ROOT, VSPACE};
use kernel_vm::vm::{self, RW};
use sel4::{CapRights, ErrorCode, ObjectType, Untyped};

pub fn run(env: &Env, s: &mut Suite) {
    env.test(s, "unmap_then_read_faults", unmap_read);
    env.test(s, "unmap_then_write_faults", unmap_write);
    env.test(s, "delete_frame_cap_unmaps", delete_frame);
    env.test(s, "delete_mapped_copy_unmaps_only_it", delete_copy);
    env.test(s, "revoke_parent_untyped_unmaps", revoke_untyped);
    env.test(s, "revoke_unmaps_2m_frame", revoke_large);
    env.test(s, "delete_page_table_unmaps", delete_pt);
    env.test(s, "delete_page_directory_unmaps", delete_pd);
    env.test(s, "delete_pdpt_unmaps", delete_pdpt);
    env.test(s, "unmap_page_table_clears_it", unmap_pt_clears);
    env.test(s, "unmap_pdpt_and_pd", unmap_upper_tables);
    env.test(s, "delete_pml4_releases_vspace", delete_pml4);
    env.test(s, "unmap_seen_by_running_thread", unmap_running);
}

fn unmap_read(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let f = mapped_frame(env, AREA)?;
    poke(AREA, 42);
    expect_read(env, AREA, 42)?;
    ok!(vm::page_unmap(f));
    expect_no_access(env, AREA, false)
}

fn unmap_write(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let f = mapped_frame(env, AREA + 9 * PAGE)?;
    check_eq!(peek(AREA + 9 * PAGE), 0);
    ok!(vm::page_unmap(f));
    expect_no_access(env, AREA + 9 * PAGE, true)
}

fn delete_frame(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let f = mapped_frame(env, AREA)?;
    poke(AREA, 1);
    ok!(ROOT.delete(f, D));
    expect_no_access(env, AREA, false)
}

fn delete_copy(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let f = mapped_frame(env, AREA)?;
    let c = ok!(env.copy(f, CapRights::READ_WRITE));
    ok!(vm::page_map(c, VSPACE, AREA + PAGE, RW, 0));
    poke(AREA, 6);
    check_eq!(peek(AREA + PAGE), 6);
    // The copy is not the frame's last cap, but its mapping is its own.
    ok!(ROOT.delete(c, D));
    expect_no_access(env, AREA + PAGE, false)?;
    check_eq!(peek(AREA), 6);
    // Likewise the original, while the copy lives on.
    let c2 = ok!(env.copy(f, CapRights::READ_WRITE));
    ok!(ROOT.delete(f, D));
    expect_no_access(env, AREA, true)?;
    ok!(vm::page_map(c2, VSPACE, AREA + 2 * PAGE, RW, 0));
    check_eq!(peek(AREA + 2 * PAGE), 6);
    Ok(())
}

fn revoke_untyped(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let ut = ok!(env.obj(ObjectType::Untyped, 16));
    let f = env.slot();
    ok!(Untyped(ut).retype(ObjectType::SmallPage, 0, ROOT, 0, 0, f, 1));
    ok!(vm::page_map(f, VSPACE, AREA, RW, 0));
    // Two more mappings, through copies.
    let c1 = ok!(env.copy(f, CapRights::READ_WRITE));
    let c2 = ok!(env.copy(f, CapRights::READ_ONLY));
    ok!(vm::page_map(c1, VSPACE, AREA + PAGE, RW, 0));
    ok!(vm::page_map(c2, VSPACE, AREA + 2 * PAGE, RW, 0));
    poke(AREA, 8);
    check_eq!(peek(AREA + 2 * PAGE), 8);
    ok!(ROOT.revoke(ut, D));
    for i in 0..3 {
        check_eq!(sel4::debug_cap_identify(f + i), 0);
        expect_no_access(env, AREA + i * PAGE, false)?;
    }
    Ok(())
}

fn revoke_large(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 2)?;
    let ut = ok!(env.obj(ObjectType::Untyped, 21));
    let f = env.slot();
    ok!(Untyped(ut).retype(ObjectType::LargePage, 0, ROOT, 0, 0, f, 1));
    ok!(vm::page_map(f, VSPACE, AREA + LARGE, RW, 0));
    poke(AREA + LARGE + LARGE / 2, 5);
    ok!(ROOT.revoke(ut, D));
    expect_no_access(env, AREA + LARGE + LARGE / 2, false)
}

fn delete_pt(env: &Env) -> TestResult {
    let [_, _, pt] = tables(env, VSPACE, AREA, 3)?;
    let f = mapped_frame(env, AREA + 3 * PAGE)?;
    poke(AREA + 3 * PAGE, 1);
    ok!(ROOT.delete(pt, D));
    expect_no_access(env, AREA + 3 * PAGE, false)?;
    // The frame cap still records its mapping (seL4 does not chase it):
    // it maps again only after an Unmap.
    expect_err!(vm::page_map(f, VSPACE, AREA2, RW, 0), ErrorCode::InvalidArgument, [0]);
    ok!(vm::page_unmap(f));
    tables(env, VSPACE, AREA2, 3)?;
    ok!(vm::page_map(f, VSPACE, AREA2, RW, 0));
    check_eq!(peek(AREA2), 1);
    Ok(())
}

fn delete_pd(env: &Env) -> TestResult {
    let [_, pd, _] = tables(env, VSPACE, AREA, 3)?;
    mapped_frame(env, AREA)?;
    let big = ok!(env.obj(ObjectType::LargePage, 0));
    ok!(vm::page_map(big, VSPACE, AREA + LARGE, RW, 0));
    ok!(ROOT.delete(pd, D));
    expect_no_access(env, AREA, false)?;
    expect_no_access(env, AREA + LARGE, true)
}

fn delete_pdpt(env: &Env) -> TestResult {
    let [pdpt, _, _] = tables(env, VSPACE, AREA, 3)?;
    mapped_frame(env, AREA)?;
    ok!(ROOT.delete(pdpt, D));
    expect_no_access(env, AREA, false)?;
    // The PML4 slot is free again.
    tables(env, VSPACE, AREA, 1)?;
    Ok(())
}

fn unmap_pt_clears(env: &Env) -> TestResult {
    let [_, _, pt] = tables(env, VSPACE, AREA, 3)?;
    let f = mapped_frame(env, AREA + 4 * PAGE)?;
    poke(AREA + 4 * PAGE, 2);
    ok!(vm::pt_unmap(pt));
    expect_no_access(env, AREA + 4 * PAGE, false)?;
    // Mapped elsewhere, the table is empty: the frame is not there.
    tables(env, VSPACE, AREA2, 2)?;
    ok!(vm::pt_map(pt, VSPACE, AREA2, 0));
    expect_no_access(env, AREA2 + 4 * PAGE, false)?;
    // The frame's cap still says mapped; after Unmap it maps into the moved table.
    ok!(vm::page_unmap(f));
    ok!(vm::page_map(f, VSPACE, AREA2 + 4 * PAGE, RW, 0));
    check_eq!(peek(AREA2 + 4 * PAGE), 2);
    Ok(())
}

fn unmap_upper_tables(env: &Env) -> TestResult {
    let [pdpt, pd, _] = tables(env, VSPACE, AREA, 3)?;
    mapped_frame(env, AREA)?;
    ok!(vm::pd_unmap(pd));
    expect_no_access(env, AREA, false)?;
    // The PDPT slot is free: a new page directory with a 2 MiB page goes in.
    let pd2 = ok!(env.obj(ObjectType::PageDirectory, 0));
    ok!(vm::pd_map(pd2, VSPACE, AREA, 0));
    let big = ok!(env.obj(ObjectType::LargePage, 0));
    ok!(vm::page_map(big, VSPACE, AREA, RW, 0));
    poke(AREA + 8, 4);
    ok!(vm::pdpt_unmap(pdpt));
    expect_no_access(env, AREA + 8, false)?;
    // And the PML4 slot is free.
    tables(env, VSPACE, AREA + HUGE, 3)?;
    mapped_frame(env, AREA + HUGE)?;
    check_eq!(peek(AREA + HUGE), 0);
    Ok(())
}

fn delete_pml4(env: &Env) -> TestResult {
    let pml4 = ok!(env.obj(ObjectType::PML4, 0));
    ok!(vm::assign(env::ROOT_POOL, pml4));
    let [pdpt, _, _] = tables(env, pml4, AREA, 3)?;
    let f = ok!(env.frame());
    ok!(vm::page_map(f, pml4, AREA, RW, 0));
    ok!(ROOT.delete(pml4, D));
    // Its ASID is free again and nothing mapped there is reachable by the
    // new owner: the old caps unmap without touching it.
    let p2 = ok!(env.obj(ObjectType::PML4, 0));
    ok!(vm::assign(env::ROOT_POOL, p2));
    tables(env, p2, AREA, 1)?;
    ok!(vm::page_unmap(f));
    ok!(vm::pdpt_unmap(pdpt));
    let g = ok!(env.frame());
    expect_err!(vm::page_map(g, p2, AREA, RW, 0), ErrorCode::FailedLookup, [0, 2, 30]);
    Ok(())
}

fn unmap_running(env: &Env) -> TestResult {
    // A child reads the page (its translation is now in the TLB), reports,
    // and reads again after the root unmapped it in between: the second
    // read must fault.
    tables(env, VSPACE, AREA, 3)?;
    let f = mapped_frame(env, AREA)?;
    poke(AREA, 31);
    let ep = spawn_child(env, child_read_twice, AREA)?;
    check_eq!(env::recv_done(ep)?, 31);
    ok!(vm::page_unmap(f));
    let (ip, addr, prefetch, code) = env::recv_vm_fault(ep)?;
    check_eq!(addr, AREA);
    check_eq!(ip, env::get(IP));
    check_eq!((prefetch, code), (false, vm::fsr::USER));
    // Mapped again, the child's read goes through.
    ok!(vm::page_map(f, VSPACE, AREA, RW, 0));
    env::reply();
    check_eq!(env::recv_done(ep)?, 31);
    Ok(())
}
