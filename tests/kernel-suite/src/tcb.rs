//! TCB invocations (src/object/tcb.c): Read/Write/CopyRegisters with their
//! count checks and register sanitising, Configure/SetSpace/SetIPCBuffer
//! validation, priorities bounded by the authority's MCP (`checkPrio`),
//! Suspend/Resume, SetTLSBase, SetFlags and DebugNameThread.

use crate::env::*;
use crate::kids::{self, rec};
use guest_test::{check, check_eq, expect_err, ok, Failure, TestResult};
use sel4::abi::invocation::{
    cnode_copy, tcb_copy_registers, tcb_flag, tcb_read_registers, tcb_set_priority, tcb_write_registers,
};
use sel4::abi::lookup::cnode_cap_data;
use sel4::abi::{MAX_PRIO, USER_CONTEXT_WORDS};
use sel4::{invoke, invoke_raw, CNode, CapRights, ErrorCode, MessageInfo, MsgRegs, ObjectType, Tcb, Untyped, UserContext};

pub const TESTS: &[Test] = &[
    ("tcb_read_registers_fresh_thread", read_fresh),
    ("tcb_write_read_registers_roundtrip", write_read),
    ("tcb_write_registers_sanitises_flags", sanitise_flags),
    ("tcb_write_registers_zeroes_noncanonical", noncanonical),
    ("tcb_read_registers_count_zero_range_error", read_count_zero),
    ("tcb_read_registers_count_21_range_error", read_count_21),
    ("tcb_read_registers_self_illegal", read_self),
    ("tcb_write_registers_self_illegal", write_self),
    ("tcb_write_registers_count_21_truncated", write_count_21),
    ("tcb_write_registers_short_message_truncated", write_short),
    ("tcb_read_registers_partial_count", read_partial),
    ("tcb_write_registers_partial_count", write_partial),
    ("tcb_read_registers_blocked_in_syscall", read_blocked),
    ("tcb_read_registers_suspend_source", read_suspends),
    ("tcb_write_registers_without_resume", write_no_resume),
    ("tcb_write_registers_resume_unblocks", write_resume_unblocks),
    ("tcb_copy_registers_frame", copy_frame),
    ("tcb_copy_registers_integer", copy_integer),
    ("tcb_copy_registers_suspends_source", copy_suspends),
    ("tcb_copy_registers_bad_source", copy_bad_source),
    ("tcb_copy_registers_truncated", copy_truncated),
    ("tcb_configure_bad_cspace_illegal", configure_bad_cspace),
    ("tcb_configure_bad_vspace_illegal", configure_bad_vspace),
    ("tcb_configure_unaligned_buffer", configure_unaligned),
    ("tcb_configure_buffer_not_frame", configure_buffer_not_frame),
    ("tcb_configure_truncated", configure_truncated),
    ("tcb_set_space_bad_cspace_illegal", set_space_bad_cspace),
    ("tcb_set_space_unassigned_pml4_illegal", set_space_bad_vspace),
    ("tcb_set_space_with_guard_data", set_space_guard),
    ("tcb_set_ipc_buffer_unaligned", ipc_unaligned),
    ("tcb_set_ipc_buffer_not_frame", ipc_not_frame),
    ("tcb_set_ipc_buffer_device_frame", ipc_device_frame),
    ("tcb_set_ipc_buffer_zero_removes", ipc_zero),
    ("tcb_set_priority_above_mcp_range_error", prio_above_mcp),
    ("tcb_set_priority_over_max_range_error", prio_over_max),
    ("tcb_set_mc_priority_above_authority", mcp_above),
    ("tcb_set_sched_params_checks_both", sched_params),
    ("tcb_fresh_thread_has_mcp_zero", fresh_mcp_zero),
    ("tcb_set_priority_authority_not_tcb", prio_bad_authority),
    ("tcb_set_priority_truncated", prio_truncated),
    ("tcb_suspend_stops_thread", suspend_stops),
    ("tcb_resume_restarts_suspended", resume_restarts),
    ("tcb_resume_runnable_thread_noop", resume_noop),
    ("tcb_suspend_cancels_blocked_send", suspend_cancels_send),
    ("tcb_delete_last_cap_stops_thread", delete_stops),
    ("tcb_set_tls_base_read_back", tls_base),
    ("tcb_set_flags_fpu_disabled", set_flags),
    ("tcb_debug_name_thread", name_thread),
    ("tcb_other_label_illegal", other_label),
];

const CNT: usize = 30;
const STARTS: usize = 31;
const FLAG: usize = 32;

/// Counts forever, yielding each round (so the root, at the same
/// priority, gets the CPU back).
fn spin_yield(_: u64) {
    add(STARTS, 1);
    loop {
        add(CNT, 1);
        sel4::yield_now();
    }
}

fn set_flag(v: u64) {
    set(FLAG, v);
}

/// Distinct, canonical values for all 20 registers.
fn sample() -> UserContext {
    let mut w = [0u64; USER_CONTEXT_WORDS];
    for (i, v) in w.iter_mut().enumerate() {
        *v = 0x1111_0000 + i as u64 * 0x101;
    }
    let mut c = UserContext::from_words(&w);
    c.rflags = 0x202 | 1; // IF, bit 1 and CF: survive sanitising
    c
}

/// seL4's sanitiseRegister for FLAGS (src/arch/x86/machine/registerset.c):
/// bit 1 set, bits 3 and 5 clear, IF set, TF clear, nothing above bit 11.
fn sanitised_flags(v: u64) -> u64 {
    (((v | 0x2) & !0x28) | 0x200) & !0x100 & 0xfff
}

fn read_fresh(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    let r = ok!(c.tcb.read_registers(false, 0, USER_CONTEXT_WORDS as u64));
    check_eq!(r, UserContext { rflags: 0x202, ..UserContext::default() });
    Ok(())
}

fn write_read(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    let s = sample();
    ok!(c.tcb.write_registers(false, 0, USER_CONTEXT_WORDS as u64, &s));
    check_eq!(ok!(c.tcb.read_registers(false, 0, USER_CONTEXT_WORDS as u64)), s);
    Ok(())
}

fn sanitise_flags(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    for f in [0u64, u64::MAX, 0x100, 0x3000 | 0x202] {
        let s = UserContext { rflags: f, ..sample() };
        ok!(c.tcb.write_registers(false, 0, 3, &s));
        check_eq!(ok!(c.tcb.read_registers(false, 0, 3)).rflags, sanitised_flags(f));
    }
    check_eq!(sanitised_flags(0), 0x202);
    check_eq!(sanitised_flags(u64::MAX), 0xed7);
    Ok(())
}

fn noncanonical(e: &Env) -> TestResult {
    // Mode_sanitiseRegister: RIP, FS and GS bases in the non-canonical hole
    // become 0; canonical ones (even kernel-half) and RSP are kept.
    let c = e.thread(ROOT_PRIO, 0)?;
    let s = UserContext { rip: 0x0000_8000_0000_0000, fs_base: 0xffff_0000_0000_0000, gs_base: 0x8000_0000_1000, rsp: 0x8000_0000_0000, ..sample() };
    ok!(c.tcb.write_registers(false, 0, USER_CONTEXT_WORDS as u64, &s));
    let r = ok!(c.tcb.read_registers(false, 0, USER_CONTEXT_WORDS as u64));
    check_eq!(r.rip, 0);
    check_eq!(r.fs_base, 0);
    check_eq!(r.gs_base, 0);
    check_eq!(r.rsp, 0x8000_0000_0000);
    let k = UserContext { rip: 0xffff_8000_0000_1000, ..sample() };
    ok!(c.tcb.write_registers(false, 0, 1, &k));
    check_eq!(ok!(c.tcb.read_registers(false, 0, 1)).rip, 0xffff_8000_0000_1000);
    Ok(())
}

fn read_count_zero(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    expect_err!(c.tcb.read_registers(false, 0, 0), ErrorCode::RangeError, [1, 20]);
    Ok(())
}

fn read_count_21(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    expect_err!(c.tcb.read_registers(false, 0, 21), ErrorCode::RangeError, [1, 20]);
    expect_err!(c.tcb.read_registers(false, 0, u64::MAX), ErrorCode::RangeError, [1, 20]);
    Ok(())
}

fn read_self(_e: &Env) -> TestResult {
    expect_err!(ME.read_registers(false, 0, 1), ErrorCode::IllegalOperation, []);
    // The count is checked first.
    expect_err!(ME.read_registers(false, 0, 0), ErrorCode::RangeError, [1, 20]);
    Ok(())
}

fn write_self(_e: &Env) -> TestResult {
    expect_err!(ME.write_registers(false, 0, 1, &sample()), ErrorCode::IllegalOperation, []);
    Ok(())
}

fn write_count_21(e: &Env) -> TestResult {
    // The message holds 20 registers; asking for 21 is a short message.
    let c = e.thread(ROOT_PRIO, 0)?;
    expect_err!(c.tcb.write_registers(false, 0, 21, &sample()), ErrorCode::TruncatedMessage, []);
    Ok(())
}

fn write_short(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    let l = tcb_write_registers::LABEL;
    expect_err!(invoke(c.tcb.0, l, &[0, 5, 1, 2, 3], &[]), ErrorCode::TruncatedMessage, []);
    expect_err!(invoke(c.tcb.0, l, &[0], &[]), ErrorCode::TruncatedMessage, []);
    expect_err!(invoke(c.tcb.0, tcb_read_registers::LABEL, &[0], &[]), ErrorCode::TruncatedMessage, []);
    Ok(())
}

fn read_partial(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    ok!(c.tcb.write_registers(false, 0, USER_CONTEXT_WORDS as u64, &sample()));
    let r = ok!(invoke(c.tcb.0, tcb_read_registers::LABEL, &[0, 3], &[]));
    check_eq!(r.info, MessageInfo::new(0, 0, 0, 3));
    let s = sample();
    check_eq!([r.mr(0), r.mr(1), r.mr(2)], [s.rip, s.rsp, s.rflags]);
    let r = ok!(invoke(c.tcb.0, tcb_read_registers::LABEL, &[0, 19], &[]));
    check_eq!(r.info.length(), 19);
    check_eq!(r.mr(18), s.fs_base);
    Ok(())
}

fn write_partial(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    let s = sample();
    ok!(c.tcb.write_registers(false, 0, 2, &s));
    let r = ok!(c.tcb.read_registers(false, 0, USER_CONTEXT_WORDS as u64));
    check_eq!(r, UserContext { rip: s.rip, rsp: s.rsp, rflags: 0x202, ..UserContext::default() });
    Ok(())
}

fn recv_raw(ep: u64) {
    set(FLAG, 1);
    let mut r = MsgRegs([7, 8, 9, 10]);
    sel4::sys_recv(ep, &mut r);
    set(FLAG, 2);
}

fn read_blocked(e: &Env) -> TestResult {
    // A thread in a system call reports rip = the `syscall` instruction
    // (FaultIP), RDX = the syscall number, RDI = the cptr, MRs in R10.. .
    let ep = ok!(e.endpoint());
    let c = ok!(e.spawn(ROOT_PRIO, 0, recv_raw, ep));
    check!(wait_until(|| get(FLAG) == 1), "thread never ran");
    yields(3);
    let r = ok!(c.tcb.read_registers(false, 0, USER_CONTEXT_WORDS as u64));
    check_eq!(code_at(r.rip), Some([0x0f, 0x05]));
    check_eq!(r.rdx, sel4::abi::Syscall::Recv.register_value());
    check_eq!(r.rdi, ep);
    check_eq!([r.r10, r.r8, r.r9, r.r15], [7, 8, 9, 10]);
    check!(r.fs_base != 0, "fs_base of a sel4 thread is its TLS block");
    Ok(())
}

fn read_suspends(e: &Env) -> TestResult {
    let c = ok!(e.spawn(ROOT_PRIO, 0, spin_yield, 0));
    check!(wait_until(|| get(CNT) > 2), "thread never ran");
    ok!(c.tcb.read_registers(true, 0, 1));
    let n = get(CNT);
    yields(20);
    check_eq!(get(CNT), n);
    Ok(())
}

fn write_no_resume(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    e.prepare_tls(&c);
    let ctx = e.initial_context(&c, set_flag, 5);
    ok!(c.tcb.write_registers(false, 0, USER_CONTEXT_WORDS as u64, &ctx));
    yields(10);
    check_eq!(get(FLAG), 0);
    ok!(c.tcb.resume());
    check!(wait_until(|| get(FLAG) == 5), "resumed thread did not run");
    Ok(())
}

fn write_resume_unblocks(e: &Env) -> TestResult {
    // restart() also takes a blocked thread off its endpoint.
    let ep = ok!(e.endpoint());
    let c = ok!(e.spawn(ROOT_PRIO, 0, kids::recv_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::started(0)), "receiver never ran");
    yields(3);
    let ctx = e.initial_context(&c, set_flag, 6);
    ok!(c.tcb.write_registers(true, 0, USER_CONTEXT_WORDS as u64, &ctx));
    check!(wait_until(|| get(FLAG) == 6), "thread not restarted at the new rip");
    check!(!kids::done(0), "the old Recv returned");
    sel4::nb_send(ep, MessageInfo::new(1, 0, 0, 0));
    check!(try_recv(ep).is_none(), "endpoint still had the receiver");
    Ok(())
}

fn copy_frame(e: &Env) -> TestResult {
    let (a, b) = (e.thread(ROOT_PRIO, 0)?, e.thread(ROOT_PRIO, 0)?);
    let s = sample();
    ok!(a.tcb.write_registers(false, 0, USER_CONTEXT_WORDS as u64, &s));
    ok!(b.tcb.copy_registers(a.tcb, false, false, true, false, 0));
    let r = ok!(b.tcb.read_registers(false, 0, USER_CONTEXT_WORDS as u64));
    check_eq!(r, UserContext { fs_base: 0, gs_base: 0, ..s });
    Ok(())
}

fn copy_integer(e: &Env) -> TestResult {
    let (a, b) = (e.thread(ROOT_PRIO, 0)?, e.thread(ROOT_PRIO, 0)?);
    let s = sample();
    ok!(a.tcb.write_registers(false, 0, USER_CONTEXT_WORDS as u64, &s));
    ok!(b.tcb.copy_registers(a.tcb, false, false, false, true, 0));
    let r = ok!(b.tcb.read_registers(false, 0, USER_CONTEXT_WORDS as u64));
    check_eq!(r, UserContext { rflags: 0x202, fs_base: s.fs_base, gs_base: s.gs_base, ..UserContext::default() });
    Ok(())
}

fn copy_suspends(e: &Env) -> TestResult {
    let a = ok!(e.spawn(ROOT_PRIO, 0, spin_yield, 0));
    let b = e.thread(ROOT_PRIO, 0)?;
    check!(wait_until(|| get(CNT) > 2), "thread never ran");
    ok!(b.tcb.copy_registers(a.tcb, true, false, false, false, 0));
    let n = get(CNT);
    yields(20);
    check_eq!(get(CNT), n);
    Ok(())
}

fn copy_bad_source(e: &Env) -> TestResult {
    let b = e.thread(ROOT_PRIO, 0)?;
    let ep = ok!(e.endpoint());
    expect_err!(b.tcb.copy_registers(Tcb(ep), false, false, true, true, 0), ErrorCode::InvalidCapability, [1]);
    Ok(())
}

fn copy_truncated(e: &Env) -> TestResult {
    let b = e.thread(ROOT_PRIO, 0)?;
    expect_err!(invoke(b.tcb.0, tcb_copy_registers::LABEL, &[0b1100], &[]), ErrorCode::TruncatedMessage, []);
    expect_err!(invoke(b.tcb.0, tcb_copy_registers::LABEL, &[], &[b.tcb.0]), ErrorCode::TruncatedMessage, []);
    Ok(())
}

fn fresh_tcb(e: &Env) -> Result<Tcb, Failure> {
    Ok(Tcb(ok!(e.obj(ObjectType::TCB, 0))))
}

fn configure_bad_cspace(e: &Env) -> TestResult {
    let t = fresh_tcb(e)?;
    let ep = ok!(e.endpoint());
    expect_err!(t.configure(0, CNode(ep), 0, VSPACE, 0, 0, 0), ErrorCode::IllegalOperation, []);
    Ok(())
}

fn configure_bad_vspace(e: &Env) -> TestResult {
    let t = fresh_tcb(e)?;
    let ep = ok!(e.endpoint());
    expect_err!(t.configure(0, ROOT, 0, ep, 0, 0, 0), ErrorCode::IllegalOperation, []);
    let pml4 = ok!(e.obj(ObjectType::PML4, 0));
    expect_err!(t.configure(0, ROOT, 0, pml4, 0, 0, 0), ErrorCode::IllegalOperation, []);
    ok!(t.configure(0, ROOT, 0, VSPACE, 0, 0, 0));
    Ok(())
}

fn configure_unaligned(e: &Env) -> TestResult {
    let t = fresh_tcb(e)?;
    let (page, frame) = (e.bi.ipc_buffer, sel4::abi::cap::INIT_THREAD_IPC_BUFFER);
    expect_err!(t.configure(0, ROOT, 0, VSPACE, 0, page + 8, frame), ErrorCode::AlignmentError, []);
    expect_err!(t.configure(0, ROOT, 0, VSPACE, 0, page + 512, frame), ErrorCode::AlignmentError, []);
    ok!(t.configure(0, ROOT, 0, VSPACE, 0, page + 1024, frame));
    Ok(())
}

fn configure_buffer_not_frame(e: &Env) -> TestResult {
    let t = fresh_tcb(e)?;
    let ep = ok!(e.endpoint());
    expect_err!(t.configure(0, ROOT, 0, VSPACE, 0, e.bi.ipc_buffer, ep), ErrorCode::IllegalOperation, []);
    // With buffer address 0 the frame argument is not looked at.
    ok!(t.configure(0, ROOT, 0, VSPACE, 0, 0, ep));
    Ok(())
}

fn configure_truncated(e: &Env) -> TestResult {
    let t = fresh_tcb(e)?;
    let l = sel4::abi::invocation::tcb_configure::LABEL;
    expect_err!(invoke(t.0, l, &[0, 0, 0, 0], &[ROOT.0, VSPACE]), ErrorCode::TruncatedMessage, []);
    expect_err!(invoke(t.0, l, &[0, 0, 0], &[ROOT.0, VSPACE, 0]), ErrorCode::TruncatedMessage, []);
    Ok(())
}

fn set_space_bad_cspace(e: &Env) -> TestResult {
    let t = fresh_tcb(e)?;
    let n = ok!(e.notification());
    expect_err!(t.set_space(0, CNode(n), 0, VSPACE, 0), ErrorCode::IllegalOperation, []);
    // CNode cap data that cannot apply (guard too big) gives a null cap.
    expect_err!(t.set_space(0, ROOT, cnode_cap_data(0, 60), VSPACE, 0), ErrorCode::IllegalOperation, []);
    ok!(t.set_space(0, ROOT, 0, VSPACE, 0));
    Ok(())
}

fn set_space_bad_vspace(e: &Env) -> TestResult {
    let t = fresh_tcb(e)?;
    let pml4 = ok!(e.obj(ObjectType::PML4, 0));
    expect_err!(t.set_space(0, ROOT, 0, pml4, 0), ErrorCode::IllegalOperation, []);
    Ok(())
}

/// Runs in a CSpace where slot 3 is a notification and slot 1 its own
/// TCB: signals, reports, and suspends itself (the usual exit path would
/// name its TCB by a root-CNode cptr, which means nothing here).
fn signal_3(_: u64) {
    sel4::signal(3);
    set(FLAG, 1);
    let _ = Tcb(1).suspend();
}

fn set_space_guard(e: &Env) -> TestResult {
    // A radix-4 CNode given as CSpace root with guard data (0, 60) makes a
    // 64-bit cptr i name its slot i.
    let n = ok!(e.notification());
    let cn = ok!(e.cnode(4));
    ok!(CNode(cn).mint(3, 4, ROOT, n, D, CapRights::ALL, 0x5));
    let c = e.thread(ROOT_PRIO, 0)?;
    ok!(CNode(cn).copy(1, 4, ROOT, c.tcb.0, D, CapRights::ALL));
    ok!(c.tcb.set_space(0, CNode(cn), cnode_cap_data(0, 60), VSPACE, 0));
    ok!(e.start(&c, signal_3, 0));
    check!(wait_until(|| get(FLAG) == 1), "thread did not run");
    check_eq!(sel4::poll(n), 0x5);
    Ok(())
}

fn ipc_unaligned(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    let frame = e.frame_of(c.ipc);
    expect_err!(c.tcb.set_ipc_buffer(c.ipc + 0x10, frame), ErrorCode::AlignmentError, []);
    ok!(c.tcb.set_ipc_buffer(c.ipc + 0xc00, frame));
    Ok(())
}

fn ipc_not_frame(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    let ep = ok!(e.endpoint());
    expect_err!(c.tcb.set_ipc_buffer(c.ipc, ep), ErrorCode::IllegalOperation, []);
    let pt = ok!(e.obj(ObjectType::PageTable, 0));
    // An unmapped page table does not even derive.
    expect_err!(c.tcb.set_ipc_buffer(c.ipc, pt), ErrorCode::IllegalOperation, []);
    Ok(())
}

fn ipc_device_frame(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    let f = e.slot();
    ok!(Untyped(e.dev.0).retype(ObjectType::SmallPage, 0, ROOT, 0, 0, f, 1));
    expect_err!(c.tcb.set_ipc_buffer(c.ipc, f), ErrorCode::IllegalOperation, []);
    Ok(())
}

/// Sends 10 MRs from registers; whether the IPC buffer words travel
/// depends on the kernel seeing a buffer.
fn send10(ep: u64) {
    let mut r = MsgRegs([1, 2, 3, 4]);
    sel4::sys_send(ep, MessageInfo::new(9, 0, 0, 10), &mut r);
}

fn ipc_zero(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let c = e.thread(ROOT_PRIO, 0)?;
    // Address 0 removes the buffer; the frame cap is not checked then.
    ok!(c.tcb.set_ipc_buffer(0, ep));
    ok!(e.spawn(ROOT_PRIO, 0, kids::recv_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::started(0)), "receiver never ran");
    ok!(e.start(&c, send10, ep));
    check!(wait_until(|| kids::done(0)), "no message");
    check_eq!(get(rec::LEN), 4);
    Ok(())
}

/// A thread to use as authority, with MCP 50.
fn authority(e: &Env) -> Result<Tcb, Failure> {
    let a = fresh_tcb(e)?;
    ok!(a.set_mc_priority(ME, 50));
    Ok(a)
}

fn prio_above_mcp(e: &Env) -> TestResult {
    let a = authority(e)?;
    let t = fresh_tcb(e)?;
    expect_err!(t.set_priority(a, 51), ErrorCode::RangeError, [0, 50]);
    ok!(t.set_priority(a, 50));
    Ok(())
}

fn prio_over_max(e: &Env) -> TestResult {
    let t = fresh_tcb(e)?;
    expect_err!(t.set_priority(ME, MAX_PRIO + 1), ErrorCode::RangeError, [0, MAX_PRIO]);
    expect_err!(t.set_mc_priority(ME, u64::MAX), ErrorCode::RangeError, [0, MAX_PRIO]);
    Ok(())
}

fn mcp_above(e: &Env) -> TestResult {
    let a = authority(e)?;
    let t = fresh_tcb(e)?;
    expect_err!(t.set_mc_priority(a, 60), ErrorCode::RangeError, [0, 50]);
    ok!(t.set_mc_priority(a, 50));
    // The new MCP bounds what t may grant as an authority.
    let u = fresh_tcb(e)?;
    expect_err!(u.set_priority(t, 51), ErrorCode::RangeError, [0, 50]);
    Ok(())
}

fn sched_params(e: &Env) -> TestResult {
    let a = authority(e)?;
    let t = fresh_tcb(e)?;
    expect_err!(t.set_sched_params(a, 60, 10), ErrorCode::RangeError, [0, 50]);
    expect_err!(t.set_sched_params(a, 10, 60), ErrorCode::RangeError, [0, 50]);
    ok!(t.set_sched_params(a, 50, 50));
    expect_err!(fresh_tcb(e)?.set_priority(t, 51), ErrorCode::RangeError, [0, 50]);
    Ok(())
}

fn fresh_mcp_zero(e: &Env) -> TestResult {
    let fresh = fresh_tcb(e)?;
    let t = fresh_tcb(e)?;
    expect_err!(t.set_priority(fresh, 1), ErrorCode::RangeError, [0, 0]);
    ok!(t.set_priority(fresh, 0));
    Ok(())
}

fn prio_bad_authority(e: &Env) -> TestResult {
    let t = fresh_tcb(e)?;
    let ep = ok!(e.endpoint());
    expect_err!(t.set_priority(Tcb(ep), 1), ErrorCode::InvalidCapability, [1]);
    expect_err!(t.set_mc_priority(Tcb(ep), 1), ErrorCode::InvalidCapability, [1]);
    expect_err!(t.set_sched_params(Tcb(e.slot()), 1, 1), ErrorCode::InvalidCapability, [1]);
    Ok(())
}

fn prio_truncated(e: &Env) -> TestResult {
    let t = fresh_tcb(e)?;
    let l = tcb_set_priority::LABEL;
    expect_err!(invoke(t.0, l, &[1], &[]), ErrorCode::TruncatedMessage, []);
    expect_err!(invoke(t.0, l, &[], &[ME.0]), ErrorCode::TruncatedMessage, []);
    Ok(())
}

fn suspend_stops(e: &Env) -> TestResult {
    let c = ok!(e.spawn(ROOT_PRIO, 0, spin_yield, 0));
    check!(wait_until(|| get(CNT) > 2), "thread never ran");
    ok!(c.tcb.suspend());
    let n = get(CNT);
    yields(20);
    check_eq!(get(CNT), n);
    Ok(())
}

fn resume_restarts(e: &Env) -> TestResult {
    let c = ok!(e.spawn(ROOT_PRIO, 0, spin_yield, 0));
    check!(wait_until(|| get(CNT) > 2), "thread never ran");
    ok!(c.tcb.suspend());
    let n = get(CNT);
    ok!(c.tcb.resume());
    check!(wait_until(|| get(CNT) > n + 2), "resumed thread did not continue");
    check_eq!(get(STARTS), 1);
    Ok(())
}

fn resume_noop(e: &Env) -> TestResult {
    let c = ok!(e.spawn(ROOT_PRIO, 0, spin_yield, 0));
    check!(wait_until(|| get(CNT) > 2), "thread never ran");
    ok!(c.tcb.resume());
    ok!(c.tcb.resume());
    let n = get(CNT);
    check!(wait_until(|| get(CNT) > n + 2), "thread stopped");
    check_eq!(get(STARTS), 1);
    Ok(())
}

fn suspend_cancels_send(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let c = ok!(e.spawn(ROOT_PRIO, 0, kids::send_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::started(0)), "sender never ran");
    yields(3);
    ok!(c.tcb.suspend());
    check!(try_recv(ep).is_none(), "a suspended thread's send was still queued");
    // Resumed, it restarts the system call and sends again.
    ok!(c.tcb.resume());
    yields(3);
    let Some((info, _)) = try_recv(ep) else { return Err(Failure::new(format_args!("restarted send missing"))) };
    check_eq!(info.label(), kids::SEND_LABEL);
    check!(wait_until(|| kids::done(0)), "sender not released");
    Ok(())
}

fn delete_stops(e: &Env) -> TestResult {
    let c = ok!(e.spawn(ROOT_PRIO, 0, spin_yield, 0));
    check!(wait_until(|| get(CNT) > 2), "thread never ran");
    ok!(ROOT.delete(c.tcb.0, D));
    let n = get(CNT);
    yields(20);
    check_eq!(get(CNT), n);
    Ok(())
}

fn tls_base(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    ok!(c.tcb.set_tls_base(0x1234_5000));
    let r = ok!(c.tcb.read_registers(false, 0, USER_CONTEXT_WORDS as u64));
    check_eq!(r.fs_base, 0x1234_5000);
    check_eq!(r.gs_base, 0);
    Ok(())
}

fn set_flags(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    check_eq!(ok!(c.tcb.set_flags(0, tcb_flag::FPU_DISABLED)), tcb_flag::FPU_DISABLED);
    check_eq!(ok!(c.tcb.set_flags(0, 0)), tcb_flag::FPU_DISABLED);
    check_eq!(ok!(c.tcb.set_flags(tcb_flag::FPU_DISABLED, 0)), 0);
    // Unknown bits are not kept.
    check_eq!(ok!(c.tcb.set_flags(0, 0xff)), tcb_flag::FPU_DISABLED);
    check_eq!(ok!(c.tcb.set_flags(u64::MAX, 0)), 0);
    Ok(())
}

fn name_thread(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    sel4::debug_name_thread(c.tcb.0, "kernel-suite-child");
    ok!(e.start(&c, set_flag, 7));
    check!(wait_until(|| get(FLAG) == 7), "named thread did not run");
    Ok(())
}

fn other_label(e: &Env) -> TestResult {
    let c = e.thread(ROOT_PRIO, 0)?;
    expect_err!(invoke(c.tcb.0, cnode_copy::LABEL, &[0; 5], &[ROOT.0]), ErrorCode::IllegalOperation, []);
    expect_err!(invoke_raw(c.tcb.0, 0, &[], &[]), ErrorCode::IllegalOperation, []);
    Ok(())
}
