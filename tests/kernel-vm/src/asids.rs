//! ASID control and ASID pools: MakePool and Assign with all their errors,
//! the 8 pools running out, a pool's 512 ASIDs running out, ASIDs and pools
//! coming back when their caps are deleted or revoked.

use crate::common::*;
use guest_test::{check, check_eq, expect_err, ok, Failure, Suite, TestResult};
use kernel_vm::env::{Env, AREA, ASID_CONTROL, D, PAGE, ROOT, ROOT_POOL, VSPACE};
use kernel_vm::vm::{self, RW};
use sel4::abi::cap_tag;
use sel4::abi::invocation::InvocationLabel as L;
use sel4::{invoke, invoke_raw, CPtr, CapRights, ErrorCode, ObjectType, Untyped};

pub fn run(env: &Env, s: &mut Suite) {
    env.test(s, "make_pool_and_assign", make_pool_and_assign);
    env.test(s, "make_pool_truncated", make_pool_truncated);
    env.test(s, "make_pool_needs_4k_ram_untyped", make_pool_bad_untyped);
    env.test(s, "make_pool_untyped_with_children", make_pool_children);
    env.test(s, "make_pool_destination_errors", make_pool_dest);
    env.test(s, "asid_control_illegal_labels", control_labels);
    env.test(s, "assign_errors", assign_errors);
    env.test(s, "asid_pools_run_out", pools_run_out);
    env.test(s, "asid_pool_fills_up_512", pool_fills_up);
    env.test(s, "root_pool_has_510_free", root_pool_510);
    env.test(s, "revoke_untyped_frees_pool", revoke_frees_pool);
    env.test(s, "new_vspace_is_independent", independent_vspaces);
}

/// MakePool from a fresh 4 KiB untyped into a fresh slot; returns the pool.
fn new_pool(env: &Env) -> Result<CPtr, Failure> {
    let ut = ok!(env.obj(ObjectType::Untyped, 12));
    let pool = env.slot();
    ok!(vm::make_pool(ASID_CONTROL, ut, ROOT, pool, D as u64));
    Ok(pool)
}

fn make_pool_and_assign(env: &Env) -> TestResult {
    let pool = new_pool(env)?;
    check_eq!(sel4::debug_cap_identify(pool), cap_tag::ASID_POOL);
    let pml4 = ok!(env.obj(ObjectType::PML4, 0));
    ok!(vm::assign(pool, pml4));
    // Now it is a VSpace: tables and frames map into it.
    tables(env, pml4, AREA, 3)?;
    let f = ok!(env.frame());
    ok!(vm::page_map(f, pml4, AREA, RW, 0));
    // An assigned PML4 cap can be copied, and the copy is as good.
    let c = ok!(env.copy(pml4, CapRights::ALL));
    let g = ok!(env.frame());
    ok!(vm::page_map(g, c, AREA + PAGE, RW, 0));
    // A copy of the pool cap assigns from the same pool.
    let pc = ok!(env.copy(pool, CapRights::ALL));
    let p2 = ok!(env.obj(ObjectType::PML4, 0));
    ok!(vm::assign(pc, p2));
    Ok(())
}

fn make_pool_truncated(env: &Env) -> TestResult {
    let ut = ok!(env.obj(ObjectType::Untyped, 12));
    let s = env.slot();
    let l = L::X86ASIDControlMakePool as u64;
    expect_err!(invoke_raw(ASID_CONTROL, l, &[s], &[ut, ROOT.0]), ErrorCode::TruncatedMessage, []);
    expect_err!(invoke_raw(ASID_CONTROL, l, &[s, D as u64], &[ut]), ErrorCode::TruncatedMessage, []);
    expect_err!(invoke_raw(ASID_CONTROL, l, &[], &[]), ErrorCode::TruncatedMessage, []);
    Ok(())
}

fn make_pool_bad_untyped(env: &Env) -> TestResult {
    let ut8k = ok!(env.obj(ObjectType::Untyped, 13));
    let ut16 = ok!(env.obj(ObjectType::Untyped, 4));
    let f = ok!(env.frame());
    let s = env.slot();
    for bad in [ut8k, ut16, f, VSPACE, env.ut.0] {
        expect_err!(vm::make_pool(ASID_CONTROL, bad, ROOT, s, D as u64), ErrorCode::InvalidCapability, [1]);
    }
    // A 4 KiB device untyped will not do either.
    if let Some((dev, _, _)) = env.dev_small {
        let d = ok!(env.obj_from(dev, ObjectType::Untyped, 12));
        expect_err!(vm::make_pool(ASID_CONTROL, d, ROOT, s, D as u64), ErrorCode::InvalidCapability, [1]);
    }
    check_eq!(sel4::debug_cap_identify(s), cap_tag::NULL);
    Ok(())
}

fn make_pool_children(env: &Env) -> TestResult {
    let ut = ok!(env.obj(ObjectType::Untyped, 12));
    let child = env.slot();
    ok!(Untyped(ut).retype(ObjectType::Endpoint, 0, ROOT, 0, 0, child, 1));
    let s = env.slot();
    expect_err!(vm::make_pool(ASID_CONTROL, ut, ROOT, s, D as u64), ErrorCode::RevokeFirst, []);
    ok!(ROOT.revoke(ut, D));
    ok!(vm::make_pool(ASID_CONTROL, ut, ROOT, s, D as u64));
    // The untyped is used up now.
    let t = env.slot();
    expect_err!(Untyped(ut).retype(ObjectType::Endpoint, 0, ROOT, 0, 0, t, 1), ErrorCode::NotEnoughMemory, [0]);
    Ok(())
}

fn make_pool_dest(env: &Env) -> TestResult {
    let ut = ok!(env.obj(ObjectType::Untyped, 12));
    let busy = ok!(env.endpoint());
    expect_err!(vm::make_pool(ASID_CONTROL, ut, ROOT, busy, D as u64), ErrorCode::DeleteFirst, []);
    let s = env.slot();
    expect_err!(vm::make_pool(ASID_CONTROL, ut, ROOT, s, 0), ErrorCode::RangeError, [1, 64]);
    expect_err!(vm::make_pool(ASID_CONTROL, ut, ROOT, s, 65), ErrorCode::RangeError, [1, 64]);
    // Depth 13 is too few bits for the root CNode's guard: bits are left over.
    expect_err!(vm::make_pool(ASID_CONTROL, ut, ROOT, s, 13), ErrorCode::FailedLookup, [0, 4, 13, 0, 51]);
    // The root is not a CNode.
    expect_err!(vm::make_pool(ASID_CONTROL, ut, sel4::CNode(busy), s, D as u64), ErrorCode::FailedLookup, [0, 1]);
    // Nothing was consumed.
    ok!(vm::make_pool(ASID_CONTROL, ut, ROOT, s, D as u64));
    Ok(())
}

fn control_labels(env: &Env) -> TestResult {
    let ut = ok!(env.obj(ObjectType::Untyped, 12));
    let s = env.slot();
    for l in [0, L::X86ASIDPoolAssign as u64, L::X86PageMap as u64, L::UntypedRetype as u64] {
        expect_err!(invoke_raw(ASID_CONTROL, l, &[s, D as u64], &[ut, ROOT.0]), ErrorCode::IllegalOperation, []);
    }
    Ok(())
}

fn assign_errors(env: &Env) -> TestResult {
    let pml4 = ok!(env.obj(ObjectType::PML4, 0));
    let f = ok!(env.frame());
    expect_err!(invoke(ROOT_POOL, L::X86ASIDPoolAssign, &[], &[]), ErrorCode::TruncatedMessage, []);
    // Already assigned (the root's own VSpace), or not a PML4.
    for bad in [VSPACE, f, ROOT_POOL, ASID_CONTROL] {
        expect_err!(vm::assign(ROOT_POOL, bad), ErrorCode::InvalidCapability, [1]);
    }
    for l in [0, L::X86ASIDControlMakePool as u64, L::X86PageMap as u64] {
        expect_err!(invoke_raw(ROOT_POOL, l, &[], &[pml4]), ErrorCode::IllegalOperation, []);
    }
    ok!(vm::assign(ROOT_POOL, pml4));
    expect_err!(vm::assign(ROOT_POOL, pml4), ErrorCode::InvalidCapability, [1]);
    Ok(())
}

fn pools_run_out(env: &Env) -> TestResult {
    // Pool 0 is the root's; 7 more fit in the ASID table.
    let mut uts = [0; 8];
    let mut pools = [0; 8];
    let mut made = 0;
    for i in 0..8 {
        uts[i] = ok!(env.obj(ObjectType::Untyped, 12));
        pools[i] = env.slot();
        match vm::make_pool(ASID_CONTROL, uts[i], ROOT, pools[i], D as u64) {
            Ok(()) => made += 1,
            Err(e) => {
                check!(e.is(ErrorCode::DeleteFirst), "MakePool {i}: {e:?}");
                break;
            }
        }
    }
    check_eq!(made, 7);
    // Deleting a pool frees its index; the freed index is reused.
    ok!(ROOT.delete(pools[3], D));
    ok!(ROOT.revoke(uts[3], D));
    ok!(vm::make_pool(ASID_CONTROL, uts[3], ROOT, pools[3], D as u64));
    let pml4 = ok!(env.obj(ObjectType::PML4, 0));
    ok!(vm::assign(pools[3], pml4));
    expect_err!(vm::make_pool(ASID_CONTROL, uts[7], ROOT, pools[7], D as u64), ErrorCode::DeleteFirst, []);
    Ok(())
}

fn pool_fills_up(env: &Env) -> TestResult {
    let pool = new_pool(env)?;
    // 512 PML4s, in two retypes of 256.
    let first = ok!(env.objs(ObjectType::PML4, 0, 256));
    ok!(env.objs(ObjectType::PML4, 0, 256));
    for i in 0..512 {
        if let Err(e) = vm::assign(pool, first + i) {
            return Err(Failure::new(format_args!("Assign of PML4 {i}: {e:?}")));
        }
    }
    let extra = ok!(env.obj(ObjectType::PML4, 0));
    expect_err!(vm::assign(pool, extra), ErrorCode::DeleteFirst, []);
    // Deleting a PML4 gives its ASID back.
    ok!(ROOT.delete(first + 100, D));
    ok!(vm::assign(pool, extra));
    let another = ok!(env.obj(ObjectType::PML4, 0));
    expect_err!(vm::assign(pool, another), ErrorCode::DeleteFirst, []);
    // The reused ASID works: map into the VSpace that has it now.
    tables(env, extra, AREA, 1)?;
    Ok(())
}

fn root_pool_510(env: &Env) -> TestResult {
    // The root's pool: ASID 0 is never handed out and ASID 1 is the root's.
    let first = ok!(env.objs(ObjectType::PML4, 0, 256));
    ok!(env.objs(ObjectType::PML4, 0, 255));
    let mut n = 0;
    for i in 0..511 {
        match vm::assign(ROOT_POOL, first + i) {
            Ok(()) => n += 1,
            Err(e) => {
                check!(e.is(ErrorCode::DeleteFirst), "Assign {i}: {e:?}");
                break;
            }
        }
    }
    check_eq!(n, 510);
    Ok(())
}

fn revoke_frees_pool(env: &Env) -> TestResult {
    // Fill the ASID table, then revoke one pool's untyped: the pool is gone
    // and its index free again.
    let mut uts = [0; 7];
    for u in uts.iter_mut() {
        *u = ok!(env.obj(ObjectType::Untyped, 12));
        let p = env.slot();
        ok!(vm::make_pool(ASID_CONTROL, *u, ROOT, p, D as u64));
    }
    let extra_ut = ok!(env.obj(ObjectType::Untyped, 12));
    let s = env.slot();
    expect_err!(vm::make_pool(ASID_CONTROL, extra_ut, ROOT, s, D as u64), ErrorCode::DeleteFirst, []);
    ok!(ROOT.revoke(uts[5], D));
    ok!(vm::make_pool(ASID_CONTROL, extra_ut, ROOT, s, D as u64));
    Ok(())
}

fn independent_vspaces(env: &Env) -> TestResult {
    // Two VSpaces map different frames at the same address; the root's own
    // mapping there is a third one.
    let pool = new_pool(env)?;
    let a = ok!(env.obj(ObjectType::PML4, 0));
    let b = ok!(env.obj(ObjectType::PML4, 0));
    ok!(vm::assign(pool, a));
    ok!(vm::assign(ROOT_POOL, b));
    for vs in [a, b, VSPACE] {
        tables(env, vs, AREA, 3)?;
    }
    let fa = ok!(env.frame());
    let fb = ok!(env.frame());
    let fr = ok!(env.frame());
    ok!(vm::page_map(fa, a, AREA, RW, 0));
    ok!(vm::page_map(fb, b, AREA, RW, 0));
    ok!(vm::page_map(fr, VSPACE, AREA, RW, 0));
    poke(AREA, 3);
    // Look at a's and b's frames through root mappings of copies.
    let ca = ok!(env.copy(fa, CapRights::READ_WRITE));
    let cb = ok!(env.copy(fb, CapRights::READ_WRITE));
    ok!(vm::page_map(ca, VSPACE, AREA + PAGE, RW, 0));
    ok!(vm::page_map(cb, VSPACE, AREA + 2 * PAGE, RW, 0));
    check_eq!(peek(AREA + PAGE), 0);
    check_eq!(peek(AREA + 2 * PAGE), 0);
    // Deleting a's PML4 leaves the others alone.
    ok!(ROOT.delete(a, D));
    check_eq!(peek(AREA), 3);
    Ok(())
}
