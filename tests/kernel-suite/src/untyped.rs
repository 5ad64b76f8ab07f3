//! Untyped_Retype: every object type, several objects per call, destination
//! CNodes by index/depth, the watermark and alignment, reuse after revoke,
//! device untypeds, and every error `decodeUntypedInvocation`
//! (src/object/untyped.c) can return, in the order it checks them.

use crate::env::*;
use guest_test::{check, expect_err, ok, TestResult};
use sel4::abi::invocation::{tcb_suspend, untyped_retype};
use sel4::abi::object::{absent, NUM_OBJECT_TYPES};
use sel4::abi::{cap_tag, MAX_UNTYPED_BITS, RETYPE_FAN_OUT_LIMIT};
use sel4::{invoke, invoke_raw, CNode, CapRights, ErrorCode, ObjectType, Untyped};

pub const TESTS: &[Test] = &[
    ("untyped_retype_tcb", retype_tcb),
    ("untyped_retype_endpoint", retype_endpoint),
    ("untyped_retype_notification", retype_notification),
    ("untyped_retype_captable", retype_captable),
    ("untyped_retype_untyped", retype_untyped),
    ("untyped_retype_4k_frame", retype_4k),
    ("untyped_retype_2m_frame", retype_2m),
    ("untyped_retype_1g_frame_from_device", retype_1g),
    ("untyped_retype_page_table", retype_page_table),
    ("untyped_retype_page_directory", retype_page_directory),
    ("untyped_retype_pdpt", retype_pdpt),
    ("untyped_retype_pml4", retype_pml4),
    ("untyped_retype_several_into_range", retype_several),
    ("untyped_retype_fan_out_limit", retype_fan_out_limit),
    ("untyped_retype_into_subcnode_by_index", retype_into_subcnode),
    ("untyped_retype_depth_zero_uses_root", retype_depth_zero),
    ("untyped_retype_aligns_objects", retype_aligns),
    ("untyped_free_bytes_count_from_watermark", free_bytes_from_watermark),
    ("untyped_object_larger_than_untyped", object_too_big),
    ("untyped_reuse_after_revoke", reuse_after_revoke),
    ("untyped_reuse_after_deleting_children", reuse_after_delete),
    ("untyped_partial_delete_keeps_watermark", partial_delete),
    ("untyped_revoke_deletes_objects", revoke_deletes_objects),
    ("untyped_copy_marks_original_full", copy_marks_full),
    ("untyped_copy_with_children_revoke_first", copy_with_children),
    ("untyped_num_objects_zero_range_error", num_zero),
    ("untyped_num_objects_over_limit_range_error", num_over_limit),
    ("untyped_offset_beyond_cnode_range_error", offset_beyond),
    ("untyped_window_overruns_cnode_range_error", window_overrun),
    ("untyped_subcnode_offset_range_error", subcnode_offset),
    ("untyped_occupied_slot_delete_first", occupied_slot),
    ("untyped_bad_type_invalid_argument", bad_type),
    ("untyped_untyped_too_big_range_error", untyped_too_big),
    ("untyped_size_bits_word_range_error", size_bits_word),
    ("untyped_untyped_too_small_invalid_argument", untyped_too_small),
    ("untyped_captable_size_zero_invalid_argument", captable_zero),
    ("untyped_captable_too_big_range_error", captable_too_big),
    ("untyped_fixed_size_ignores_size_bits", fixed_size_ignores_size_bits),
    ("untyped_device_gives_frames_and_untypeds", device_frames),
    ("untyped_device_rejects_kernel_objects", device_rejects),
    ("untyped_device_child_stays_device", device_child),
    ("untyped_node_guard_mismatch_failed_lookup", node_guard_mismatch),
    ("untyped_node_wrong_depth_failed_lookup", node_wrong_depth),
    ("untyped_node_not_cnode_failed_lookup", node_not_cnode),
    ("untyped_node_empty_failed_lookup", node_empty),
    ("untyped_root_not_cnode_invalid_root", root_not_cnode),
    ("untyped_root_not_cnode_depth_zero", root_not_cnode_depth_zero),
    ("untyped_node_depth_too_big_range_error", node_depth_too_big),
    ("untyped_truncated_message", truncated),
    ("untyped_other_label_illegal_operation", other_label),
];

/// A fresh child untyped of 2^bits bytes to work in.
fn small(e: &Env, bits: u64) -> Result<Untyped, guest_test::Failure> {
    Ok(Untyped(ok!(e.untyped(bits))))
}

fn one(e: &Env, ty: ObjectType, size: u64, tag: u64) -> TestResult {
    let s = ok!(e.obj(ty, size));
    check_tag(s, tag)
}

fn retype_tcb(e: &Env) -> TestResult {
    one(e, ObjectType::TCB, 0, cap_tag::THREAD)
}

fn retype_endpoint(e: &Env) -> TestResult {
    one(e, ObjectType::Endpoint, 0, cap_tag::ENDPOINT)
}

fn retype_notification(e: &Env) -> TestResult {
    one(e, ObjectType::Notification, 0, cap_tag::NOTIFICATION)
}

fn retype_captable(e: &Env) -> TestResult {
    one(e, ObjectType::CapTable, 4, cap_tag::CNODE)
}

fn retype_untyped(e: &Env) -> TestResult {
    one(e, ObjectType::Untyped, 12, cap_tag::UNTYPED)
}

fn retype_4k(e: &Env) -> TestResult {
    one(e, ObjectType::SmallPage, 0, cap_tag::FRAME)
}

fn retype_2m(e: &Env) -> TestResult {
    check!(e.ut_bits >= 21, "test untyped of 2^{} bytes is too small", e.ut_bits);
    one(e, ObjectType::LargePage, 0, cap_tag::FRAME)
}

fn retype_1g(e: &Env) -> TestResult {
    // RAM is too small for a 1 GiB frame; device memory may become frames.
    let (dev, bits) = e.dev;
    check!(bits >= 30, "largest device untyped has only 2^{bits} bytes");
    let s = e.slot();
    ok!(Untyped(dev).retype(ObjectType::HugePage, 0, ROOT, 0, 0, s, 1));
    check_tag(s, cap_tag::FRAME)
}

fn retype_page_table(e: &Env) -> TestResult {
    one(e, ObjectType::PageTable, 0, cap_tag::PAGE_TABLE)
}

fn retype_page_directory(e: &Env) -> TestResult {
    one(e, ObjectType::PageDirectory, 0, cap_tag::PAGE_DIRECTORY)
}

fn retype_pdpt(e: &Env) -> TestResult {
    one(e, ObjectType::PDPT, 0, cap_tag::PDPT)
}

fn retype_pml4(e: &Env) -> TestResult {
    one(e, ObjectType::PML4, 0, cap_tag::PML4)
}

fn retype_several(e: &Env) -> TestResult {
    let first = e.slots(10);
    let after = e.slot();
    ok!(e.ut.retype(ObjectType::Endpoint, 0, ROOT, 0, 0, first, 10));
    for s in first..first + 10 {
        check_tag(s, cap_tag::ENDPOINT)?;
    }
    check_empty(after)
}

fn retype_fan_out_limit(e: &Env) -> TestResult {
    // 256 endpoints fill a 2^12 untyped exactly and a 2^8-slot CNode.
    let u = small(e, 12)?;
    let cn = ok!(e.cnode(8));
    let n = RETYPE_FAN_OUT_LIMIT as u64;
    ok!(u.retype(ObjectType::Endpoint, 0, CNode(cn), 0, 0, 0, n));
    check_tag(ok!(take(e, cn, 0, 8)), cap_tag::ENDPOINT)?;
    check_tag(ok!(take(e, cn, n - 1, 8)), cap_tag::ENDPOINT)?;
    let s = e.slot();
    expect_err!(u.retype(ObjectType::Endpoint, 0, ROOT, 0, 0, s, 1), ErrorCode::NotEnoughMemory, [0]);
    Ok(())
}

fn retype_into_subcnode(e: &Env) -> TestResult {
    // node_index/node_depth name the CNode cap's slot in root.
    let cn = ok!(e.cnode(4));
    ok!(e.ut.retype(ObjectType::Notification, 0, ROOT, cn, D as u64, 2, 3));
    for i in 2..5 {
        check_tag(ok!(take(e, cn, i, 4)), cap_tag::NOTIFICATION)?;
    }
    // Slot 5 stayed empty: moving from it finds nothing (source lookup, depth 4).
    let s = e.slot();
    expect_err!(ROOT.move_(s, D, CNode(cn), 5, 4), ErrorCode::FailedLookup, [1, 2, 4]);
    Ok(())
}

fn retype_depth_zero(e: &Env) -> TestResult {
    // node_depth 0: the root argument itself is the destination CNode.
    let cn = ok!(e.cnode(3));
    ok!(e.ut.retype(ObjectType::Endpoint, 0, CNode(cn), 12345, 0, 7, 1));
    check_tag(ok!(take(e, cn, 7, 3)), cap_tag::ENDPOINT)
}

fn retype_aligns(e: &Env) -> TestResult {
    // 16-byte endpoint at 0, then a TCB aligned up to 2 KiB fills 2^12
    // exactly (seL4 aligns the free pointer to the object size).
    let u = small(e, 12)?;
    let s = e.slots(3);
    ok!(u.retype(ObjectType::Endpoint, 0, ROOT, 0, 0, s, 1));
    ok!(u.retype(ObjectType::TCB, 0, ROOT, 0, 0, s + 1, 1));
    expect_err!(u.retype(ObjectType::Endpoint, 0, ROOT, 0, 0, s + 2, 1), ErrorCode::NotEnoughMemory, [0]);
    Ok(())
}

fn free_bytes_from_watermark(e: &Env) -> TestResult {
    // NotEnoughMemory reports the bytes after the watermark, unaligned.
    let u = small(e, 12)?;
    let s = e.slots(3);
    ok!(u.retype(ObjectType::Endpoint, 0, ROOT, 0, 0, s, 1));
    expect_err!(u.retype(ObjectType::TCB, 0, ROOT, 0, 0, s + 1, 2), ErrorCode::NotEnoughMemory, [4096 - 16]);
    Ok(())
}

fn object_too_big(e: &Env) -> TestResult {
    let u = small(e, 10)?;
    let s = e.slot();
    expect_err!(u.retype(ObjectType::TCB, 0, ROOT, 0, 0, s, 1), ErrorCode::NotEnoughMemory, [1024]);
    check_empty(s)
}

fn reuse_after_revoke(e: &Env) -> TestResult {
    let u = small(e, 12)?;
    let s = e.slots(3);
    ok!(u.retype(ObjectType::TCB, 0, ROOT, 0, 0, s, 2));
    expect_err!(u.retype(ObjectType::Endpoint, 0, ROOT, 0, 0, s + 2, 1), ErrorCode::NotEnoughMemory, [0]);
    ok!(ROOT.revoke(u.0, D));
    check_empty(s)?;
    check_empty(s + 1)?;
    // No children left: the next retype starts from the beginning again.
    ok!(u.retype(ObjectType::TCB, 0, ROOT, 0, 0, s, 2));
    check_tag(s + 1, cap_tag::THREAD)
}

fn reuse_after_delete(e: &Env) -> TestResult {
    let u = small(e, 12)?;
    let s = e.slots(2);
    ok!(u.retype(ObjectType::TCB, 0, ROOT, 0, 0, s, 2));
    ok!(ROOT.delete(s, D));
    ok!(ROOT.delete(s + 1, D));
    ok!(u.retype(ObjectType::TCB, 0, ROOT, 0, 0, s, 2));
    check_tag(s, cap_tag::THREAD)
}

fn partial_delete(e: &Env) -> TestResult {
    // With a child left the untyped keeps allocating after its watermark.
    let u = small(e, 12)?;
    let s = e.slots(3);
    ok!(u.retype(ObjectType::TCB, 0, ROOT, 0, 0, s, 2));
    ok!(ROOT.delete(s, D));
    expect_err!(u.retype(ObjectType::TCB, 0, ROOT, 0, 0, s + 2, 1), ErrorCode::NotEnoughMemory, [0]);
    Ok(())
}

fn revoke_deletes_objects(e: &Env) -> TestResult {
    let u = small(e, 12)?;
    let s = e.slots(4);
    ok!(u.retype(ObjectType::Notification, 0, ROOT, 0, 0, s, 3));
    let c = ok!(e.copy(s, CapRights::ALL));
    ok!(ROOT.revoke(u.0, D));
    for x in [s, s + 1, s + 2, c] {
        check_empty(x)?;
    }
    check_tag(u.0, cap_tag::UNTYPED)
}

fn copy_marks_full(e: &Env) -> TestResult {
    let u = small(e, 12)?;
    let c = ok!(e.copy(u.0, CapRights::ALL));
    check_tag(c, cap_tag::UNTYPED)?;
    // setUntypedCapAsFull (src/object/cnode.c): the copy owns the memory now,
    // and the original, having a child, allocates from its full watermark.
    let s = e.slots(2);
    expect_err!(u.retype(ObjectType::Endpoint, 0, ROOT, 0, 0, s, 1), ErrorCode::NotEnoughMemory, [0]);
    ok!(Untyped(c).retype(ObjectType::Endpoint, 0, ROOT, 0, 0, s + 1, 1));
    Ok(())
}

fn copy_with_children(e: &Env) -> TestResult {
    // deriveCap of an untyped with children: RevokeFirst.
    let u = small(e, 12)?;
    ok!(e.obj_from(u, ObjectType::Endpoint));
    let s = e.slot();
    expect_err!(ROOT.copy(s, D, ROOT, u.0, D, CapRights::ALL), ErrorCode::RevokeFirst, []);
    check_empty(s)
}

fn num_zero(e: &Env) -> TestResult {
    let s = e.slot();
    expect_err!(e.ut.retype(ObjectType::Endpoint, 0, ROOT, 0, 0, s, 0), ErrorCode::RangeError, [1, RETYPE_FAN_OUT_LIMIT as u64]);
    Ok(())
}

fn num_over_limit(e: &Env) -> TestResult {
    let s = e.slot();
    let n = RETYPE_FAN_OUT_LIMIT as u64 + 1;
    expect_err!(e.ut.retype(ObjectType::Endpoint, 0, ROOT, 0, 0, s, n), ErrorCode::RangeError, [1, n - 1]);
    Ok(())
}

fn offset_beyond(e: &Env) -> TestResult {
    let size = 1u64 << ROOT_BITS;
    expect_err!(e.ut.retype(ObjectType::Endpoint, 0, ROOT, 0, 0, size, 1), ErrorCode::RangeError, [0, size - 1]);
    Ok(())
}

fn window_overrun(e: &Env) -> TestResult {
    // Offset fine, but three objects from the second-to-last slot do not fit.
    let size = 1u64 << ROOT_BITS;
    expect_err!(e.ut.retype(ObjectType::Endpoint, 0, ROOT, 0, 0, size - 2, 3), ErrorCode::RangeError, [1, 2]);
    check_empty(size - 2)
}

fn subcnode_offset(e: &Env) -> TestResult {
    let cn = ok!(e.cnode(4));
    expect_err!(e.ut.retype(ObjectType::Endpoint, 0, ROOT, cn, D as u64, 16, 1), ErrorCode::RangeError, [0, 15]);
    expect_err!(e.ut.retype(ObjectType::Endpoint, 0, CNode(cn), 0, 0, 10, 7), ErrorCode::RangeError, [1, 6]);
    Ok(())
}

fn occupied_slot(e: &Env) -> TestResult {
    // Every slot of the window must be empty, not just the first.
    let s = e.slots(3);
    ok!(e.ut.retype(ObjectType::Endpoint, 0, ROOT, 0, 0, s + 2, 1));
    expect_err!(e.ut.retype(ObjectType::Notification, 0, ROOT, 0, 0, s, 3), ErrorCode::DeleteFirst, []);
    check_empty(s)?;
    check_tag(s + 2, cap_tag::ENDPOINT)
}

fn bad_type(e: &Env) -> TestResult {
    let s = e.slot();
    for ty in [NUM_OBJECT_TYPES, absent::IO_PAGE_TABLE, absent::VCPU, u64::MAX] {
        expect_err!(e.ut.retype(ty, 0, ROOT, 0, 0, s, 1), ErrorCode::InvalidArgument, [0]);
    }
    check_empty(s)
}

fn untyped_too_big(e: &Env) -> TestResult {
    let s = e.slot();
    let max = MAX_UNTYPED_BITS as u64;
    expect_err!(e.ut.retype(ObjectType::Untyped, max + 1, ROOT, 0, 0, s, 1), ErrorCode::RangeError, [0, max]);
    Ok(())
}

fn size_bits_word(e: &Env) -> TestResult {
    // size_bits >= 64 is rejected for every type, fixed-size ones included.
    let s = e.slot();
    let max = MAX_UNTYPED_BITS as u64;
    expect_err!(e.ut.retype(ObjectType::TCB, 64, ROOT, 0, 0, s, 1), ErrorCode::RangeError, [0, max]);
    expect_err!(e.ut.retype(ObjectType::Untyped, 64, ROOT, 0, 0, s, 1), ErrorCode::RangeError, [0, max]);
    Ok(())
}

fn untyped_too_small(e: &Env) -> TestResult {
    let s = e.slot();
    expect_err!(e.ut.retype(ObjectType::Untyped, 3, ROOT, 0, 0, s, 1), ErrorCode::InvalidArgument, [1]);
    ok!(e.ut.retype(ObjectType::Untyped, 4, ROOT, 0, 0, s, 1));
    check_tag(s, cap_tag::UNTYPED)
}

fn captable_zero(e: &Env) -> TestResult {
    let s = e.slot();
    expect_err!(e.ut.retype(ObjectType::CapTable, 0, ROOT, 0, 0, s, 1), ErrorCode::InvalidArgument, [1]);
    Ok(())
}

fn captable_too_big(e: &Env) -> TestResult {
    // 2^43 slots of 2^5 bytes is 2^48 bytes, over seL4_MaxUntypedBits.
    let s = e.slot();
    let max = MAX_UNTYPED_BITS as u64;
    expect_err!(e.ut.retype(ObjectType::CapTable, max - 4, ROOT, 0, 0, s, 1), ErrorCode::RangeError, [0, max]);
    Ok(())
}

fn fixed_size_ignores_size_bits(e: &Env) -> TestResult {
    let s = e.slots(2);
    ok!(e.ut.retype(ObjectType::Endpoint, 63, ROOT, 0, 0, s, 1));
    ok!(e.ut.retype(ObjectType::SmallPage, 40, ROOT, 0, 0, s + 1, 1));
    check_tag(s, cap_tag::ENDPOINT)?;
    check_tag(s + 1, cap_tag::FRAME)
}

fn device_frames(e: &Env) -> TestResult {
    let d = Untyped(e.dev.0);
    let s = e.slots(3);
    ok!(d.retype(ObjectType::SmallPage, 0, ROOT, 0, 0, s, 1));
    ok!(d.retype(ObjectType::LargePage, 0, ROOT, 0, 0, s + 1, 1));
    ok!(d.retype(ObjectType::Untyped, 12, ROOT, 0, 0, s + 2, 1));
    check_tag(s, cap_tag::FRAME)?;
    check_tag(s + 1, cap_tag::FRAME)?;
    check_tag(s + 2, cap_tag::UNTYPED)
}

fn device_rejects(e: &Env) -> TestResult {
    let d = Untyped(e.dev.0);
    let s = e.slot();
    for ty in [ObjectType::TCB, ObjectType::Endpoint, ObjectType::Notification, ObjectType::PageTable, ObjectType::PML4] {
        expect_err!(d.retype(ty, 0, ROOT, 0, 0, s, 1), ErrorCode::InvalidArgument, [1]);
    }
    expect_err!(d.retype(ObjectType::CapTable, 4, ROOT, 0, 0, s, 1), ErrorCode::InvalidArgument, [1]);
    check_empty(s)
}

fn device_child(e: &Env) -> TestResult {
    let s = e.slots(2);
    ok!(Untyped(e.dev.0).retype(ObjectType::Untyped, 12, ROOT, 0, 0, s, 1));
    expect_err!(Untyped(s).retype(ObjectType::Endpoint, 0, ROOT, 0, 0, s + 1, 1), ErrorCode::InvalidArgument, [1]);
    ok!(Untyped(s).retype(ObjectType::SmallPage, 0, ROOT, 0, 0, s + 1, 1));
    check_tag(s + 1, cap_tag::FRAME)
}

fn node_guard_mismatch(e: &Env) -> TestResult {
    // Index 2^13 at depth 64: the root's 51-bit guard (0) sees a 1.
    let idx = 1u64 << ROOT_BITS;
    expect_err!(e.ut.retype(ObjectType::Endpoint, 0, ROOT, idx, D as u64, 0, 1), ErrorCode::FailedLookup, [0, 4, 64, 0, ROOT_GUARD_BITS]);
    Ok(())
}

fn node_wrong_depth(e: &Env) -> TestResult {
    // Depth 13 is shorter than the root's guard: GuardMismatch, bitsLeft 13.
    let cn = ok!(e.cnode(2));
    expect_err!(e.ut.retype(ObjectType::Endpoint, 0, ROOT, cn, 13, 0, 1), ErrorCode::FailedLookup, [0, 4, 13, 0, ROOT_GUARD_BITS]);
    Ok(())
}

fn node_not_cnode(e: &Env) -> TestResult {
    // The slot resolves, but holds no CNode: MissingCapability(node_depth).
    let ep = ok!(e.endpoint());
    expect_err!(e.ut.retype(ObjectType::Endpoint, 0, ROOT, ep, D as u64, 0, 1), ErrorCode::FailedLookup, [0, 2, 64]);
    Ok(())
}

fn node_empty(e: &Env) -> TestResult {
    let s = e.slot();
    expect_err!(e.ut.retype(ObjectType::Endpoint, 0, ROOT, s, D as u64, 0, 1), ErrorCode::FailedLookup, [0, 2, 64]);
    Ok(())
}

fn root_not_cnode(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    expect_err!(e.ut.retype(ObjectType::Endpoint, 0, CNode(ep), 5, D as u64, 0, 1), ErrorCode::FailedLookup, [0, 1]);
    Ok(())
}

fn root_not_cnode_depth_zero(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    expect_err!(e.ut.retype(ObjectType::Endpoint, 0, CNode(ep), 0, 0, 0, 1), ErrorCode::FailedLookup, [0, 2, 0]);
    Ok(())
}

fn node_depth_too_big(e: &Env) -> TestResult {
    let cn = ok!(e.cnode(2));
    expect_err!(e.ut.retype(ObjectType::Endpoint, 0, ROOT, cn, 65, 0, 1), ErrorCode::RangeError, [1, 64]);
    Ok(())
}

fn truncated(e: &Env) -> TestResult {
    let s = e.slot();
    let mut mr = [0u64; untyped_retype::LENGTH];
    mr[untyped_retype::TYPE] = ObjectType::Endpoint as u64;
    mr[untyped_retype::NODE_OFFSET] = s;
    mr[untyped_retype::NUM_OBJECTS] = 1;
    let label = untyped_retype::LABEL;
    expect_err!(invoke(e.ut.0, label, &mr[..untyped_retype::LENGTH - 1], &[ROOT.0]), ErrorCode::TruncatedMessage, []);
    expect_err!(invoke(e.ut.0, label, &mr, &[]), ErrorCode::TruncatedMessage, []);
    ok!(invoke(e.ut.0, label, &mr, &[ROOT.0]));
    check_tag(s, cap_tag::ENDPOINT)
}

fn other_label(e: &Env) -> TestResult {
    expect_err!(invoke(e.ut.0, tcb_suspend::LABEL, &[], &[]), ErrorCode::IllegalOperation, []);
    expect_err!(invoke_raw(e.ut.0, 0, &[], &[]), ErrorCode::IllegalOperation, []);
    Ok(())
}
