//! CNode invocations (src/object/cnode.c, `decodeCNodeInvocation`): Copy,
//! Mint, Move, Mutate, Rotate, Delete, Revoke, SaveCaller and
//! CancelBadgedSends; rights masking and badges; guards and depths through
//! multi-level CSpaces; the derivation tree behind Revoke; what deleting the
//! last cap to an endpoint does to threads blocked on it; and the error
//! details of every failed lookup.

use crate::env::*;
use crate::kids::{self, rec, REC};
use guest_test::{check, check_eq, expect_err, ok, TestResult};
use sel4::abi::invocation::{cnode_copy, cnode_delete, cnode_mint, cnode_rotate, untyped_retype};
use sel4::abi::lookup::cnode_cap_data;
use sel4::abi::{cap, cap_tag};
use sel4::{invoke, invoke_raw, CNode, CapRights, ErrorCode, ObjectType};

pub const TESTS: &[Test] = &[
    ("cnode_copy_endpoint", copy_endpoint),
    ("cnode_copy_masks_rights", copy_masks_rights),
    ("cnode_copy_cannot_add_rights", copy_cannot_add_rights),
    ("cnode_copy_keeps_badge", copy_keeps_badge),
    ("cnode_mint_badges_notification", mint_badge),
    ("cnode_mint_badged_again_illegal", mint_badged_again),
    ("cnode_mint_zero_badge_stays_unbadged", mint_zero_badge),
    ("cnode_mint_masks_rights", mint_masks_rights),
    ("cnode_mint_cnode_guard", mint_cnode_guard),
    ("cnode_mint_cnode_guard_mismatch", mint_cnode_guard_mismatch),
    ("cnode_mint_guard_masked_to_size", mint_guard_masked),
    ("cnode_mint_guard_too_big_illegal", mint_guard_too_big),
    ("cnode_move_empties_source", move_empties_source),
    ("cnode_move_to_occupied_delete_first", move_occupied),
    ("cnode_move_from_empty_failed_lookup", move_from_empty),
    ("cnode_move_keeps_derivation", move_keeps_derivation),
    ("cnode_mutate_sets_cnode_guard", mutate_cnode_guard),
    ("cnode_mutate_endpoint_illegal", mutate_endpoint),
    ("cnode_mutate_tcb_moves", mutate_tcb),
    ("cnode_rotate_three_slots", rotate_three),
    ("cnode_rotate_swap", rotate_swap),
    ("cnode_rotate_pivot_is_source_illegal", rotate_pivot_source),
    ("cnode_rotate_pivot_is_dest_illegal", rotate_pivot_dest),
    ("cnode_rotate_dest_occupied_delete_first", rotate_dest_occupied),
    ("cnode_rotate_empty_source_failed_lookup", rotate_empty_source),
    ("cnode_rotate_empty_pivot_failed_lookup", rotate_empty_pivot),
    ("cnode_rotate_endpoint_illegal", rotate_endpoint),
    ("cnode_delete_empties_slot", delete_empties),
    ("cnode_delete_empty_slot_ok", delete_empty),
    ("cnode_revoke_deletes_copies", revoke_copies),
    ("cnode_revoke_deletes_copies_of_any_object", revoke_copies_any),
    ("cnode_revoke_deletes_badged_children", revoke_badged_children),
    ("cnode_revoke_badged_keeps_other_badges", revoke_badged_only),
    ("cnode_revoke_unbadged_copy_is_no_parent", revoke_copy_no_parent),
    ("cnode_revoke_empty_slot_ok", revoke_empty),
    ("cnode_revoke_keeps_object_alive", revoke_keeps_object),
    ("cnode_delete_copy_keeps_object", delete_copy_keeps_object),
    ("cnode_delete_last_cap_restarts_caller", delete_last_restarts_caller),
    ("cnode_delete_last_cap_restarts_sender", delete_last_restarts_sender),
    ("cnode_depth_zero_range_error", depth_zero),
    ("cnode_depth_65_range_error", depth_65),
    ("cnode_root_short_depth_guard_mismatch", root_short_depth),
    ("cnode_subcnode_depth_mismatch", subcnode_depth_mismatch),
    ("cnode_leftover_bits_depth_mismatch", leftover_bits),
    ("cnode_two_level_lookup", two_level),
    ("cnode_copy_from_empty_failed_lookup", copy_from_empty),
    ("cnode_copy_source_short_depth", copy_source_short_depth),
    ("cnode_copy_src_root_not_cnode", copy_src_root_not_cnode),
    ("cnode_copy_dest_occupied_delete_first", copy_dest_occupied),
    ("cnode_copy_checks_dest_before_source", copy_dest_first),
    ("cnode_copy_irq_control_illegal", copy_irq_control),
    ("cnode_copy_io_port_control_illegal", copy_io_port_control),
    ("cnode_copy_unmapped_page_table_illegal", copy_unmapped_pt),
    ("cnode_copy_unassigned_pml4_illegal", copy_unassigned_pml4),
    ("cnode_copy_initial_caps", copy_initial_caps),
    ("cnode_save_caller_without_caller", save_caller_none),
    ("cnode_save_caller_occupied_delete_first", save_caller_occupied),
    ("cnode_cancel_badged_sends_restarts_badge", cancel_badged),
    ("cnode_cancel_badged_sends_needs_all_rights", cancel_badged_rights),
    ("cnode_cancel_badged_sends_unbadged_noop", cancel_unbadged),
    ("cnode_cancel_badged_sends_not_endpoint", cancel_not_endpoint),
    ("cnode_other_label_illegal", other_label),
    ("cnode_truncated_messages", truncated),
    ("cnode_invoke_empty_slot_invalid_capability", invoke_empty),
];

/// A Call-style signal through `ntfn`: the reply is empty on success.
fn signal_call(ntfn: u64) -> Result<sel4::Reply, sel4::Error> {
    invoke_raw(ntfn, 0, &[], &[])
}

fn copy_endpoint(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let c = ok!(e.copy(ep, CapRights::ALL));
    check_tag(c, cap_tag::ENDPOINT)?;
    check_tag(ep, cap_tag::ENDPOINT)
}

fn copy_masks_rights(e: &Env) -> TestResult {
    // Invoking an endpoint or notification cap without Write is
    // InvalidCapability 0 (decodeInvocation); only a Call sees the error.
    let ep = ok!(e.endpoint());
    let ro = ok!(e.copy(ep, CapRights::READ_ONLY));
    expect_err!(e.invoke_in_child(ro, 1, false)?, ErrorCode::InvalidCapability, [0]);
    let n = ok!(e.notification());
    let nro = ok!(e.copy(n, CapRights::NO_WRITE));
    expect_err!(e.invoke_in_child(nro, 0, false)?, ErrorCode::InvalidCapability, [0]);
    let nw = ok!(e.copy(n, CapRights::WRITE_ONLY));
    ok!(signal_call(nw));
    Ok(())
}

fn copy_cannot_add_rights(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    let ro = ok!(e.copy(n, CapRights::READ_ONLY));
    let again = ok!(e.copy(ro, CapRights::ALL));
    expect_err!(e.invoke_in_child(again, 0, false)?, ErrorCode::InvalidCapability, [0]);
    Ok(())
}

fn copy_keeps_badge(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    let m = ok!(e.mint(n, CapRights::ALL, 9));
    let c = ok!(e.copy(m, CapRights::ALL));
    ok!(signal_call(c));
    check_eq!(sel4::poll(n), 9);
    Ok(())
}

fn mint_badge(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    let m = ok!(e.mint(n, CapRights::ALL, 0x1234_5678_9abc));
    ok!(signal_call(m));
    check_eq!(sel4::poll(n), 0x1234_5678_9abc);
    Ok(())
}

fn mint_badged_again(e: &Env) -> TestResult {
    // updateCapData (src/object/objecttype.c) only badges a cap whose badge
    // is 0; otherwise the new cap is null and Mint says IllegalOperation.
    let ep = ok!(e.endpoint());
    let m = ok!(e.mint(ep, CapRights::ALL, 1));
    let s = e.slot();
    expect_err!(ROOT.mint(s, D, ROOT, m, D, CapRights::ALL, 2), ErrorCode::IllegalOperation, []);
    expect_err!(ROOT.mint(s, D, ROOT, m, D, CapRights::ALL, 0), ErrorCode::IllegalOperation, []);
    check_empty(s)
}

fn mint_zero_badge(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    let z = ok!(e.mint(n, CapRights::ALL, 0));
    let m = ok!(e.mint(z, CapRights::ALL, 7));
    ok!(signal_call(m));
    check_eq!(sel4::poll(n), 7);
    Ok(())
}

fn mint_masks_rights(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    let m = ok!(e.mint(n, CapRights::READ_ONLY, 3));
    expect_err!(e.invoke_in_child(m, 0, false)?, ErrorCode::InvalidCapability, [0]);
    Ok(())
}

/// A radix-4 CNode and a cap to it minted with guard 5 of 3 bits.
fn guarded(e: &Env) -> Result<(u64, u64), guest_test::Failure> {
    let cn = ok!(e.cnode(4));
    let g = ok!(e.mint(cn, CapRights::ALL, cnode_cap_data(5, 3)));
    Ok((cn, g))
}

fn mint_cnode_guard(e: &Env) -> TestResult {
    let (cn, g) = guarded(e)?;
    let ep = ok!(e.endpoint());
    ok!(CNode(g).copy((5 << 4) | 2, 7, ROOT, ep, D, CapRights::ALL));
    check_tag(ok!(take(e, cn, 2, 4)), cap_tag::ENDPOINT)
}

fn mint_cnode_guard_mismatch(e: &Env) -> TestResult {
    let (_, g) = guarded(e)?;
    let ep = ok!(e.endpoint());
    expect_err!(CNode(g).copy((6 << 4) | 2, 7, ROOT, ep, D, CapRights::ALL), ErrorCode::FailedLookup, [0, 4, 7, 5, 3]);
    // Guard size 3 with only 2 bits to resolve: GuardMismatch too.
    expect_err!(CNode(g).delete(1, 2), ErrorCode::FailedLookup, [0, 4, 2, 5, 3]);
    Ok(())
}

fn mint_guard_masked(e: &Env) -> TestResult {
    // The guard keeps only guardSize bits: 0b1111 with size 2 is 0b11.
    let cn = ok!(e.cnode(4));
    let g = ok!(e.mint(cn, CapRights::ALL, cnode_cap_data(0b1111, 2)));
    let ep = ok!(e.endpoint());
    ok!(CNode(g).copy((0b11 << 4) | 1, 6, ROOT, ep, D, CapRights::ALL));
    check_tag(ok!(take(e, cn, 1, 4)), cap_tag::ENDPOINT)
}

fn mint_guard_too_big(e: &Env) -> TestResult {
    let s = e.slots(2);
    let bad = cnode_cap_data(0, ROOT_GUARD_BITS + 1);
    expect_err!(ROOT.mint(s, D, ROOT, ROOT.0, D, CapRights::ALL, bad), ErrorCode::IllegalOperation, []);
    ok!(ROOT.mint(s + 1, D, ROOT, ROOT.0, D, CapRights::ALL, cnode_cap_data(0, ROOT_GUARD_BITS)));
    check_tag(s + 1, cap_tag::CNODE)
}

fn move_empties_source(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let s = e.slot();
    ok!(ROOT.move_(s, D, ROOT, ep, D));
    check_tag(s, cap_tag::ENDPOINT)?;
    check_empty(ep)
}

fn move_occupied(e: &Env) -> TestResult {
    let a = ok!(e.endpoint());
    let b = ok!(e.notification());
    expect_err!(ROOT.move_(b, D, ROOT, a, D), ErrorCode::DeleteFirst, []);
    check_tag(a, cap_tag::ENDPOINT)?;
    check_tag(b, cap_tag::NOTIFICATION)
}

fn move_from_empty(e: &Env) -> TestResult {
    let (s, d) = (e.slot(), e.slot());
    expect_err!(ROOT.move_(d, D, ROOT, s, D), ErrorCode::FailedLookup, [1, 2, 64]);
    Ok(())
}

fn move_keeps_derivation(e: &Env) -> TestResult {
    // The moved cap keeps its place in the derivation tree: revoking it at
    // its new slot still deletes the copy made before the move.
    let ep = ok!(e.endpoint());
    let c = ok!(e.copy(ep, CapRights::ALL));
    let s = e.slot();
    ok!(ROOT.move_(s, D, ROOT, ep, D));
    ok!(ROOT.revoke(s, D));
    check_empty(c)?;
    check_tag(s, cap_tag::ENDPOINT)
}

fn mutate_cnode_guard(e: &Env) -> TestResult {
    let cn = ok!(e.cnode(4));
    let c = ok!(e.copy(cn, CapRights::ALL));
    let s = e.slot();
    ok!(ROOT.mutate(s, D, ROOT, c, D, cnode_cap_data(2, 2)));
    check_empty(c)?;
    let ep = ok!(e.endpoint());
    ok!(CNode(s).copy((2 << 4) | 9, 6, ROOT, ep, D, CapRights::ALL));
    check_tag(ok!(take(e, cn, 9, 4)), cap_tag::ENDPOINT)
}

fn mutate_endpoint(e: &Env) -> TestResult {
    // Mutate passes preserve=true to updateCapData, which nulls any
    // endpoint or notification cap: IllegalOperation, nothing moves.
    let ep = ok!(e.endpoint());
    let s = e.slot();
    expect_err!(ROOT.mutate(s, D, ROOT, ep, D, 5), ErrorCode::IllegalOperation, []);
    expect_err!(ROOT.mutate(s, D, ROOT, ep, D, 0), ErrorCode::IllegalOperation, []);
    check_tag(ep, cap_tag::ENDPOINT)?;
    check_empty(s)
}

fn mutate_tcb(e: &Env) -> TestResult {
    // Caps without cap data are moved unchanged.
    let t = ok!(e.obj(ObjectType::TCB, 0));
    let s = e.slot();
    ok!(ROOT.mutate(s, D, ROOT, t, D, 0x55));
    check_tag(s, cap_tag::THREAD)?;
    check_empty(t)
}

fn rotate_three(e: &Env) -> TestResult {
    // Pivot's cap goes to dest, source's to the pivot (invokeCNodeRotate).
    let src = ok!(e.obj(ObjectType::TCB, 0));
    let pivot = ok!(e.cnode(2));
    let dest = e.slot();
    ok!(ROOT.rotate(dest, D, 0, ROOT, pivot, D, 0, ROOT, src, D));
    check_tag(dest, cap_tag::CNODE)?;
    check_tag(pivot, cap_tag::THREAD)?;
    check_empty(src)
}

fn rotate_swap(e: &Env) -> TestResult {
    let a = ok!(e.obj(ObjectType::TCB, 0));
    let b = ok!(e.cnode(2));
    ok!(ROOT.rotate(a, D, 0, ROOT, b, D, 0, ROOT, a, D));
    check_tag(a, cap_tag::CNODE)?;
    check_tag(b, cap_tag::THREAD)
}

fn rotate_pivot_source(e: &Env) -> TestResult {
    let a = ok!(e.obj(ObjectType::TCB, 0));
    let d = e.slot();
    expect_err!(ROOT.rotate(d, D, 0, ROOT, a, D, 0, ROOT, a, D), ErrorCode::IllegalOperation, []);
    check_tag(a, cap_tag::THREAD)
}

fn rotate_pivot_dest(e: &Env) -> TestResult {
    let a = ok!(e.obj(ObjectType::TCB, 0));
    let b = ok!(e.cnode(2));
    expect_err!(ROOT.rotate(b, D, 0, ROOT, b, D, 0, ROOT, a, D), ErrorCode::IllegalOperation, []);
    Ok(())
}

fn rotate_dest_occupied(e: &Env) -> TestResult {
    let a = ok!(e.obj(ObjectType::TCB, 0));
    let b = ok!(e.cnode(2));
    let c = ok!(e.endpoint());
    expect_err!(ROOT.rotate(c, D, 0, ROOT, b, D, 0, ROOT, a, D), ErrorCode::DeleteFirst, []);
    check_tag(a, cap_tag::THREAD)?;
    check_tag(b, cap_tag::CNODE)
}

fn rotate_empty_source(e: &Env) -> TestResult {
    let b = ok!(e.cnode(2));
    let (src, d) = (e.slot(), e.slot());
    expect_err!(ROOT.rotate(d, D, 0, ROOT, b, D, 0, ROOT, src, D), ErrorCode::FailedLookup, [1, 2, 64]);
    Ok(())
}

fn rotate_empty_pivot(e: &Env) -> TestResult {
    let a = ok!(e.obj(ObjectType::TCB, 0));
    let (p, d) = (e.slot(), e.slot());
    expect_err!(ROOT.rotate(d, D, 0, ROOT, p, D, 0, ROOT, a, D), ErrorCode::FailedLookup, [0, 2, 64]);
    Ok(())
}

fn rotate_endpoint(e: &Env) -> TestResult {
    // Rotate applies cap data with preserve=true, like Mutate.
    let a = ok!(e.endpoint());
    let b = ok!(e.cnode(2));
    let d = e.slot();
    expect_err!(ROOT.rotate(d, D, 0, ROOT, b, D, 0, ROOT, a, D), ErrorCode::IllegalOperation, []);
    check_tag(a, cap_tag::ENDPOINT)?;
    check_empty(d)
}

fn delete_empties(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    ok!(ROOT.delete(ep, D));
    check_empty(ep)
}

fn delete_empty(e: &Env) -> TestResult {
    let s = e.slot();
    ok!(ROOT.delete(s, D));
    check_empty(s)
}

fn revoke_copies(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let c1 = ok!(e.copy(ep, CapRights::ALL));
    let c2 = ok!(e.copy(ep, CapRights::READ_ONLY));
    let c3 = ok!(e.copy(c1, CapRights::ALL));
    ok!(ROOT.revoke(ep, D));
    for c in [c1, c2, c3] {
        check_empty(c)?;
    }
    check_tag(ep, cap_tag::ENDPOINT)
}

fn revoke_copies_any(e: &Env) -> TestResult {
    // Retype makes every new cap an original (seL4 insertNewCap), so copies
    // of a frame, CNode, TCB or notification are its children and go with
    // a revoke of it.
    for (ty, bits, tag) in [
        (ObjectType::SmallPage, 0, cap_tag::FRAME),
        (ObjectType::CapTable, 2, cap_tag::CNODE),
        (ObjectType::TCB, 0, cap_tag::THREAD),
        (ObjectType::Notification, 0, cap_tag::NOTIFICATION),
    ] {
        let o = ok!(e.obj(ty, bits));
        let c1 = ok!(e.copy(o, CapRights::ALL));
        let c2 = ok!(e.copy(c1, CapRights::ALL));
        ok!(ROOT.revoke(o, D));
        check_empty(c1)?;
        check_empty(c2)?;
        check_tag(o, tag)?;
    }
    Ok(())
}

fn revoke_badged_children(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let b = ok!(e.mint(ep, CapRights::ALL, 1));
    let bc = ok!(e.copy(b, CapRights::ALL));
    ok!(ROOT.revoke(ep, D));
    check_empty(b)?;
    check_empty(bc)
}

fn revoke_badged_only(e: &Env) -> TestResult {
    // isMDBParentOf: a badged cap is the parent only of copies with its badge.
    let ep = ok!(e.endpoint());
    let a = ok!(e.mint(ep, CapRights::ALL, 1));
    let a2 = ok!(e.copy(a, CapRights::ALL));
    let b = ok!(e.mint(ep, CapRights::ALL, 2));
    ok!(ROOT.revoke(a, D));
    check_empty(a2)?;
    check_tag(a, cap_tag::ENDPOINT)?;
    check_tag(b, cap_tag::ENDPOINT)?;
    check_tag(ep, cap_tag::ENDPOINT)
}

fn revoke_copy_no_parent(e: &Env) -> TestResult {
    // A copy of an unbadged endpoint cap is not revocable (isCapRevocable),
    // so it is nobody's parent: revoking it deletes nothing.
    let ep = ok!(e.endpoint());
    let c1 = ok!(e.copy(ep, CapRights::ALL));
    let c2 = ok!(e.copy(c1, CapRights::ALL));
    ok!(ROOT.revoke(c1, D));
    check_tag(c2, cap_tag::ENDPOINT)?;
    check_tag(c1, cap_tag::ENDPOINT)
}

fn revoke_empty(e: &Env) -> TestResult {
    let s = e.slot();
    ok!(ROOT.revoke(s, D));
    Ok(())
}

fn revoke_keeps_object(e: &Env) -> TestResult {
    // A sender blocked through a copy stays blocked when the copy is
    // revoked away: the endpoint still has its original cap, so it is not
    // finalised and nothing cancels the send.
    let ep = ok!(e.endpoint());
    let c = ok!(e.copy(ep, CapRights::ALL));
    ok!(e.spawn(ROOT_PRIO, 0, kids::send_once, kids::arg(c, 0)));
    check!(wait_until(|| kids::started(0)), "sender never ran");
    yields(3);
    ok!(ROOT.revoke(ep, D));
    check_empty(c)?;
    yields(3);
    check!(!kids::done(0), "the blocked send returned when only a copy was revoked");
    let Some((info, badge)) = try_recv(ep) else { return Err(guest_test::Failure::new(format_args!("no message queued"))) };
    check_eq!(info.label(), kids::SEND_LABEL);
    check_eq!(badge, 0);
    check!(wait_until(|| kids::done(0)), "sender not released by the receive");
    Ok(())
}

fn delete_copy_keeps_object(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let c = ok!(e.copy(ep, CapRights::ALL));
    ok!(e.spawn(ROOT_PRIO, 0, kids::recv_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::started(0)), "receiver never ran");
    yields(3);
    ok!(ROOT.delete(c, D));
    yields(3);
    check!(!kids::done(0), "deleting a copy released the receiver");
    ok!(e.spawn(ROOT_PRIO, 0, kids::send_once, kids::arg(ep, REC)));
    check!(wait_until(|| kids::done(0)), "message not delivered");
    check_eq!(get(rec::LABEL), kids::SEND_LABEL);
    check_eq!(get(rec::MR), kids::MSG_WORD);
    Ok(())
}

fn delete_last_restarts_caller(e: &Env) -> TestResult {
    // Deleting the last cap finalises the endpoint: cancelAllIPC
    // (src/object/endpoint.c) sets every queued thread to Restart, so the
    // caller re-executes its Call, now on an empty slot, and gets an
    // InvalidCapability(0) error reply.
    let ep = ok!(e.endpoint());
    ok!(e.spawn(ROOT_PRIO, 0, kids::call_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::started(0)), "caller never ran");
    yields(3);
    check!(!kids::done(0), "Call returned with nobody receiving");
    ok!(ROOT.delete(ep, D));
    check!(wait_until(|| kids::done(0)), "caller not released");
    check_eq!(get(rec::LABEL), ErrorCode::InvalidCapability as u64);
    check_eq!(get(rec::LEN), 1);
    check_eq!(get(rec::MR), 0);
    check_eq!(get(rec::BADGE), 0);
    Ok(())
}

fn delete_last_restarts_sender(e: &Env) -> TestResult {
    // The restarted Send hits an empty slot; Send drops the error silently.
    let ep = ok!(e.endpoint());
    ok!(e.spawn(ROOT_PRIO, 0, kids::send_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::started(0)), "sender never ran");
    yields(3);
    check!(!kids::done(0), "Send returned with nobody receiving");
    ok!(ROOT.delete(ep, D));
    check!(wait_until(|| kids::done(0)), "sender not released");
    Ok(())
}

fn depth_zero(e: &Env) -> TestResult {
    let s = e.slot();
    expect_err!(ROOT.delete(s, 0), ErrorCode::RangeError, [1, 64]);
    Ok(())
}

fn depth_65(e: &Env) -> TestResult {
    let s = e.slot();
    expect_err!(ROOT.delete(s, 65), ErrorCode::RangeError, [1, 64]);
    expect_err!(ROOT.revoke(s, 255), ErrorCode::RangeError, [1, 64]);
    Ok(())
}

fn root_short_depth(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    expect_err!(ROOT.delete(ep, ROOT_BITS as u8), ErrorCode::FailedLookup, [0, 4, ROOT_BITS, 0, ROOT_GUARD_BITS]);
    check_tag(ep, cap_tag::ENDPOINT)
}

fn subcnode_depth_mismatch(e: &Env) -> TestResult {
    // Radix 4, no guard, 3 bits: the level needs more bits than are left.
    let cn = ok!(e.cnode(4));
    expect_err!(CNode(cn).delete(0, 3), ErrorCode::FailedLookup, [0, 3, 3, 4]);
    Ok(())
}

/// A cap to the root CNode with guard size 0: radix 13, so cptrs of more
/// than 13 bits can continue into sub-CNodes.
fn unguarded_root(e: &Env) -> Result<u64, sel4::Error> {
    e.mint(ROOT.0, CapRights::ALL, cnode_cap_data(0, 0))
}

fn leftover_bits(e: &Env) -> TestResult {
    // 17 bits: 13 reach an endpoint cap, 4 are left over (lookupSlotForCNodeOp).
    let r0 = ok!(unguarded_root(e));
    let ep = ok!(e.endpoint());
    expect_err!(CNode(r0).delete((ep << 4) | 1, 17), ErrorCode::FailedLookup, [0, 3, 4, 0]);
    check_tag(ep, cap_tag::ENDPOINT)
}

fn two_level(e: &Env) -> TestResult {
    let r0 = ok!(unguarded_root(e));
    let cn = ok!(e.cnode(4));
    let ep = ok!(e.endpoint());
    // Into the sub-CNode through the root: 13 bits of root, 4 of cn.
    ok!(CNode(r0).copy((cn << 4) | 3, 17, ROOT, ep, D, CapRights::ALL));
    // And back out, as a source.
    let s = e.slot();
    ok!(ROOT.copy(s, D, CNode(r0), (cn << 4) | 3, 17, CapRights::ALL));
    check_tag(s, cap_tag::ENDPOINT)?;
    check_tag(ok!(take(e, cn, 3, 4)), cap_tag::ENDPOINT)
}

fn copy_from_empty(e: &Env) -> TestResult {
    let (s, d) = (e.slot(), e.slot());
    expect_err!(ROOT.copy(d, D, ROOT, s, D, CapRights::ALL), ErrorCode::FailedLookup, [1, 2, 64]);
    Ok(())
}

fn copy_source_short_depth(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let d = e.slot();
    expect_err!(ROOT.copy(d, D, ROOT, ep, 13, CapRights::ALL), ErrorCode::FailedLookup, [1, 4, 13, 0, ROOT_GUARD_BITS]);
    Ok(())
}

fn copy_src_root_not_cnode(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let d = e.slot();
    expect_err!(ROOT.copy(d, D, CNode(ep), ep, D, CapRights::ALL), ErrorCode::FailedLookup, [1, 1]);
    Ok(())
}

fn copy_dest_occupied(e: &Env) -> TestResult {
    let a = ok!(e.endpoint());
    let b = ok!(e.endpoint());
    expect_err!(ROOT.copy(b, D, ROOT, a, D, CapRights::ALL), ErrorCode::DeleteFirst, []);
    expect_err!(ROOT.copy(a, D, ROOT, a, D, CapRights::ALL), ErrorCode::DeleteFirst, []);
    Ok(())
}

fn copy_dest_first(e: &Env) -> TestResult {
    let b = ok!(e.endpoint());
    let empty = e.slot();
    expect_err!(ROOT.copy(b, D, ROOT, empty, D, CapRights::ALL), ErrorCode::DeleteFirst, []);
    Ok(())
}

fn copy_irq_control(e: &Env) -> TestResult {
    // deriveCap makes no copy of IRQControl: the new cap is null.
    let d = e.slot();
    expect_err!(ROOT.copy(d, D, ROOT, cap::IRQ_CONTROL, D, CapRights::ALL), ErrorCode::IllegalOperation, []);
    check_empty(d)
}

fn copy_io_port_control(e: &Env) -> TestResult {
    let d = e.slot();
    expect_err!(ROOT.copy(d, D, ROOT, cap::IO_PORT_CONTROL, D, CapRights::ALL), ErrorCode::IllegalOperation, []);
    check_empty(d)
}

fn copy_unmapped_pt(e: &Env) -> TestResult {
    // Arch_deriveCap: an unmapped page table cannot be copied.
    let pt = ok!(e.obj(ObjectType::PageTable, 0));
    let d = e.slot();
    expect_err!(ROOT.copy(d, D, ROOT, pt, D, CapRights::ALL), ErrorCode::IllegalOperation, []);
    let pd = ok!(e.obj(ObjectType::PageDirectory, 0));
    expect_err!(ROOT.copy(d, D, ROOT, pd, D, CapRights::ALL), ErrorCode::IllegalOperation, []);
    let pdpt = ok!(e.obj(ObjectType::PDPT, 0));
    expect_err!(ROOT.copy(d, D, ROOT, pdpt, D, CapRights::ALL), ErrorCode::IllegalOperation, []);
    check_empty(d)
}

fn copy_unassigned_pml4(e: &Env) -> TestResult {
    // Mode_deriveCap: a PML4 without an ASID cannot be copied.
    let p = ok!(e.obj(ObjectType::PML4, 0));
    let d = e.slot();
    expect_err!(ROOT.copy(d, D, ROOT, p, D, CapRights::ALL), ErrorCode::IllegalOperation, []);
    Ok(())
}

fn copy_initial_caps(e: &Env) -> TestResult {
    // Caps that derive as themselves: the TCB, CNode, the (ASID-assigned)
    // VSpace, ASID control and pool, frames, untypeds without children.
    for (src, tag) in [
        (cap::INIT_THREAD_TCB, cap_tag::THREAD),
        (cap::INIT_THREAD_CNODE, cap_tag::CNODE),
        (cap::INIT_THREAD_VSPACE, cap_tag::PML4),
        (cap::ASID_CONTROL, cap_tag::ASID_CONTROL),
        (cap::INIT_THREAD_ASID_POOL, cap_tag::ASID_POOL),
        (cap::INIT_THREAD_IPC_BUFFER, cap_tag::FRAME),
        (cap::DOMAIN, cap_tag::DOMAIN),
    ] {
        let d = e.slot();
        ok!(ROOT.copy(d, D, ROOT, src, D, CapRights::ALL));
        check_tag(d, tag)?;
    }
    Ok(())
}

fn save_caller_none(e: &Env) -> TestResult {
    // No pending caller: SaveCaller succeeds and the slot stays empty.
    let s = e.slot();
    ok!(ROOT.save_caller(s, D));
    check_empty(s)
}

fn save_caller_occupied(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    expect_err!(ROOT.save_caller(ep, D), ErrorCode::DeleteFirst, []);
    Ok(())
}

fn cancel_badged(e: &Env) -> TestResult {
    // Two senders with badges 1 and 2. Delete badge 1's sending cap, then
    // cancel badge-1 sends: that sender restarts, its Send finds an empty
    // slot and returns; the badge-2 sender stays queued.
    let ep = ok!(e.endpoint());
    let m1 = ok!(e.mint(ep, CapRights::ALL, 1));
    let m2 = ok!(e.mint(ep, CapRights::ALL, 2));
    let c1 = ok!(e.copy(m1, CapRights::ALL));
    ok!(e.spawn(ROOT_PRIO, 0, kids::send_once, kids::arg(c1, 0)));
    ok!(e.spawn(ROOT_PRIO, 0, kids::send_once, kids::arg(m2, REC)));
    check!(wait_until(|| kids::started(0) && kids::started(REC)), "senders never ran");
    yields(3);
    ok!(ROOT.delete(c1, D));
    yields(3);
    check!(!kids::done(0), "deleting a non-final cap released a sender");
    ok!(ROOT.cancel_badged_sends(m1, D));
    check!(wait_until(|| kids::done(0)), "badge-1 sender not restarted");
    yields(3);
    check!(!kids::done(REC), "badge-2 sender was cancelled too");
    let Some((_, badge)) = try_recv(ep) else { return Err(guest_test::Failure::new(format_args!("badge-2 send lost"))) };
    check_eq!(badge, 2);
    check!(wait_until(|| kids::done(REC)), "badge-2 sender not released");
    Ok(())
}

fn cancel_badged_rights(e: &Env) -> TestResult {
    // hasCancelSendRights: Write, Read, Grant and GrantReply all needed.
    let ep = ok!(e.endpoint());
    for r in [CapRights::READ_WRITE, CapRights::NO_WRITE, CapRights(0b1011), CapRights(0b0111)] {
        let m = ok!(e.mint(ep, r, 1));
        expect_err!(ROOT.cancel_badged_sends(m, D), ErrorCode::IllegalOperation, []);
    }
    Ok(())
}

fn cancel_unbadged(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    ok!(e.spawn(ROOT_PRIO, 0, kids::send_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::started(0)), "sender never ran");
    yields(3);
    ok!(ROOT.cancel_badged_sends(ep, D));
    yields(3);
    check!(!kids::done(0), "an unbadged cap cancelled a send");
    check!(try_recv(ep).is_some(), "the send was lost");
    Ok(())
}

fn cancel_not_endpoint(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    expect_err!(ROOT.cancel_badged_sends(n, D), ErrorCode::IllegalOperation, []);
    let s = e.slot();
    expect_err!(ROOT.cancel_badged_sends(s, D), ErrorCode::IllegalOperation, []);
    Ok(())
}

fn other_label(e: &Env) -> TestResult {
    let _ = e;
    expect_err!(invoke(ROOT.0, untyped_retype::LABEL, &[0; 6], &[ROOT.0]), ErrorCode::IllegalOperation, []);
    expect_err!(invoke_raw(ROOT.0, 0, &[0, 64], &[]), ErrorCode::IllegalOperation, []);
    Ok(())
}

fn truncated(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let d = e.slot();
    let t = ErrorCode::TruncatedMessage;
    expect_err!(invoke(ROOT.0, cnode_delete::LABEL, &[ep], &[]), t, []);
    expect_err!(invoke(ROOT.0, cnode_copy::LABEL, &[d, 64, ep, 64], &[ROOT.0]), t, []);
    expect_err!(invoke(ROOT.0, cnode_copy::LABEL, &[d, 64, ep, 64, CapRights::ALL.word()], &[]), t, []);
    expect_err!(invoke(ROOT.0, cnode_mint::LABEL, &[d, 64, ep, 64, CapRights::ALL.word()], &[ROOT.0]), t, []);
    expect_err!(invoke(ROOT.0, cnode_rotate::LABEL, &[d, 64, 0, ep, 64, 0, ep], &[ROOT.0, ROOT.0]), t, []);
    check_empty(d)
}

fn invoke_empty(e: &Env) -> TestResult {
    // An empty slot resolves (resolveAddressBits does not look at the cap);
    // decodeInvocation then rejects the null cap: InvalidCapability 0.
    let s = e.slot();
    expect_err!(e.invoke_in_child(s, 0, false)?, ErrorCode::InvalidCapability, [0]);
    expect_err!(e.invoke_in_child(s, sel4::abi::invocation::tcb_suspend::LABEL as u64, false)?, ErrorCode::InvalidCapability, [0]);
    // A Send drops the error: the thread just goes on.
    ok!(e.invoke_in_child(s, 0, true)?);
    Ok(())
}
