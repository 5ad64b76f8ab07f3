//! Fault delivery (src/kernel/faulthandler.c, src/api/faults.c,
//! src/arch/x86/api/faults.c): a faulting thread with a fault endpoint
//! sends the handler (here the root, polling with NBRecv) a message whose
//! label is the fault type and whose MRs follow the x86_64 layouts; the
//! reply resumes it as `handleFaultReply` says. Without a usable handler
//! the thread is suspended and everything else goes on.

use crate::asm;
use crate::env::*;
use guest_test::{check, check_eq, ok, Failure, TestResult};
use sel4::abi::fault::{cap_fault, unknown_syscall as us, user_exception as ue, vm_fault as vm};
use sel4::abi::{FaultType, LookupFailureType};
use sel4::{CapRights, MessageInfo};

pub const TESTS: &[Test] = &[
    ("fault_cap_fault_send_bad_cptr", cap_send),
    ("fault_cap_fault_call_bad_cptr", cap_call),
    ("fault_cap_fault_recv_empty_slot", cap_recv_empty),
    ("fault_cap_fault_recv_without_read", cap_recv_no_read),
    ("fault_cap_fault_recv_not_endpoint", cap_recv_not_ep),
    ("fault_cap_fault_bad_extra_cap", cap_extra),
    ("fault_cap_fault_reply_restarts", cap_restart),
    ("fault_message_badge_is_fault_ep_badge", fault_badge),
    ("fault_unknown_syscall_message", us_message),
    ("fault_unknown_syscall_reply_resumes", us_resume),
    ("fault_unknown_syscall_reply_label_suspends", us_label_suspends),
    ("fault_unknown_syscall_short_reply_restarts", us_short_reply),
    ("fault_int_trap_is_unknown_syscall", int_trap_test),
    ("fault_user_exception_divide", ue_divide),
    ("fault_user_exception_reply_new_ip", ue_resume),
    ("fault_user_exception_reply_label_suspends", ue_label_suspends),
    ("fault_user_exception_privileged_instruction", ue_gp),
    ("fault_vm_fault_read", vm_read),
    ("fault_vm_fault_null_pointer", vm_null),
    ("fault_vm_fault_write", vm_write),
    ("fault_vm_fault_instruction_fetch", vm_exec),
    ("fault_vm_fault_reply_refaults", vm_refault),
    ("fault_reply_through_saved_cap", saved_reply),
    ("fault_registers_of_faulted_thread", faulted_registers),
    ("fault_no_handler_suspends_thread", no_handler),
    ("fault_handler_without_grant_suspends", handler_no_grant),
    ("fault_handler_not_endpoint_suspends", handler_not_ep),
    ("fault_suspend_cancels_fault_message", suspend_cancels),
];

/// A cptr that fails to resolve: bit 13 is inside the root's 51-bit guard.
const BAD: u64 = 1 << 13;
/// An address nothing maps.
const UNMAPPED: u64 = 0xdead_0000;

const FLAG: usize = 30;
const RESULT: usize = 31;

fn fail(why: &str) -> Failure {
    Failure::new(format_args!("{why}"))
}

/// Waits for the fault message on `f`.
fn fault_on(f: u64) -> Result<(MessageInfo, u64), Failure> {
    recv_polling(f).ok_or_else(|| fail("no fault message"))
}

/// A child with fault endpoint `f` running `body(arg)`.
fn faulter(e: &Env, f: u64, body: fn(u64), arg: u64) -> Result<Child, Failure> {
    e.spawn(ROOT_PRIO, f, body, arg)
}

/// The two bytes at `ip` are a `syscall` instruction.
fn check_syscall_at(ip: u64) -> TestResult {
    let b = code_at(ip);
    check!(b == Some([0x0f, 0x05]), "fault IP {ip:#x} is not a syscall instruction");
    Ok(())
}

fn check_guard_mismatch_cap_fault(info: MessageInfo, addr: u64, recv: u64) -> TestResult {
    check_eq!(info.label(), FaultType::CapFault as u64);
    check_eq!(info.length(), 7);
    check_eq!(info.extra_caps(), 0);
    check_syscall_at(sel4::get_mr(cap_fault::IP))?;
    check_eq!(sel4::get_mr(cap_fault::ADDR), addr);
    check_eq!(sel4::get_mr(cap_fault::IN_RECV_PHASE), recv);
    check_eq!(sel4::get_mr(cap_fault::LOOKUP_FAILURE_TYPE), LookupFailureType::GuardMismatch as u64);
    check_eq!(sel4::get_mr(cap_fault::BITS_LEFT), 64);
    check_eq!(sel4::get_mr(cap_fault::GUARD_MISMATCH_GUARD_FOUND), 0);
    check_eq!(sel4::get_mr(cap_fault::GUARD_MISMATCH_BITS_FOUND), ROOT_GUARD_BITS);
    Ok(())
}

fn send_bad(_: u64) {
    set(FLAG, 1);
    sel4::send(BAD, MessageInfo::new(1, 0, 0, 0));
    set(FLAG, 2);
}

fn call_bad(_: u64) {
    set(FLAG, 1);
    sel4::call(BAD, MessageInfo::new(1, 0, 0, 0));
    set(FLAG, 2);
}

fn recv_on(cptr: u64) {
    set(FLAG, 1);
    sel4::recv(cptr);
    set(FLAG, 2);
}

fn cap_send(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    faulter(e, f, send_bad, 0)?;
    let (info, badge) = fault_on(f)?;
    check_eq!(badge, 0);
    check_guard_mismatch_cap_fault(info, BAD, 0)?;
    check_eq!(get(FLAG), 1);
    Ok(())
}

fn cap_call(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    faulter(e, f, call_bad, 0)?;
    let (info, _) = fault_on(f)?;
    check_guard_mismatch_cap_fault(info, BAD, 0)
}

fn cap_recv_empty(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    let s = e.slot();
    faulter(e, f, recv_on, s)?;
    let (info, _) = fault_on(f)?;
    check_syscall_at(sel4::get_mr(cap_fault::IP))?;
    crate::notification::check_recv_cap_fault(info, s)
}

fn cap_recv_no_read(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    let ep = ok!(e.endpoint());
    let wo = ok!(e.copy(ep, CapRights::WRITE_ONLY));
    faulter(e, f, recv_on, wo)?;
    let (info, _) = fault_on(f)?;
    crate::notification::check_recv_cap_fault(info, wo)
}

fn cap_recv_not_ep(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    let t = ok!(e.obj(sel4::ObjectType::TCB, 0));
    faulter(e, f, recv_on, t)?;
    let (info, _) = fault_on(f)?;
    crate::notification::check_recv_cap_fault(info, t)
}

fn send_bad_extra(ep: u64) {
    sel4::set_cap(0, BAD);
    set(FLAG, 1);
    sel4::send(ep, MessageInfo::new(1, 0, 1, 0));
    set(FLAG, 2);
}

fn cap_extra(e: &Env) -> TestResult {
    // lookupExtraCaps fails before the send: a CapFault naming the extra cap.
    let f = ok!(e.endpoint());
    let ep = ok!(e.endpoint());
    faulter(e, f, send_bad_extra, ep)?;
    let (info, _) = fault_on(f)?;
    check_guard_mismatch_cap_fault(info, BAD, 0)?;
    check!(try_recv(ep).is_none(), "the message was sent anyway");
    Ok(())
}

fn cap_restart(e: &Env) -> TestResult {
    // A reply to a CapFault always restarts the thread at the fault IP,
    // which faults again; the reply's contents do not matter.
    let f = ok!(e.endpoint());
    faulter(e, f, send_bad, 0)?;
    let (_, _) = fault_on(f)?;
    let ip = sel4::get_mr(cap_fault::IP);
    sel4::set_mr(0, 0x1234);
    sel4::reply(MessageInfo::new(5, 0, 0, 1));
    let (info, _) = fault_on(f)?;
    check_guard_mismatch_cap_fault(info, BAD, 0)?;
    check_eq!(sel4::get_mr(cap_fault::IP), ip);
    check_eq!(get(FLAG), 1);
    Ok(())
}

fn fault_badge(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    let fb = ok!(e.mint(f, CapRights::ALL, 0x77));
    faulter(e, fb, send_bad, 0)?;
    let (_, badge) = fault_on(f)?;
    check_eq!(badge, 0x77);
    Ok(())
}

/// An unserved syscall number.
const NUMBER: u64 = -100i64 as u64;

fn unknown_syscall(n: u64) {
    set(FLAG, 1);
    // SAFETY: kt_unknown_syscall preserves the callee-saved registers and
    // its stack; whatever the handler does to RAX is its result.
    let r = unsafe { asm::kt_unknown_syscall(n) };
    set(RESULT, r);
    set(FLAG, 2);
}

fn us_message(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    faulter(e, f, unknown_syscall, NUMBER)?;
    let (info, _) = fault_on(f)?;
    check_eq!(info.label(), FaultType::UnknownSyscall as u64);
    check_eq!(info.length(), us::LENGTH as u64);
    let m = sel4::get_mr;
    check_eq!(
        [m(us::RAX), m(us::RBX), m(us::RDX), m(us::RSI), m(us::RDI), m(us::RBP), m(us::R8), m(us::R9), m(us::R10)],
        [0xa0, 0xb0, NUMBER, 0x50, 0xd0, 0xb9, 0x80, 0x90, 0x100]
    );
    check_eq!([m(us::R13), m(us::R14), m(us::R15)], [0x130, 0x140, 0x150]);
    check_eq!(m(us::FAULT_IP), asm::unknown_syscall_insn());
    check_eq!(m(us::SYSCALL), NUMBER);
    check!(m(us::FLAGS) & 0x200 != 0, "FLAGS {:#x} without IF", m(us::FLAGS));
    check!(m(us::R12) != 0, "R12 (the parked stack pointer) is 0");
    Ok(())
}

/// Replies to the fault message in the buffer with its 18 registers, RAX
/// replaced and FaultIP advanced past the 2-byte instruction.
fn reply_resume(label: u64, rax: u64) {
    sel4::set_mr(us::RAX, rax);
    sel4::set_mr(us::FAULT_IP, sel4::get_mr(us::FAULT_IP) + 2);
    sel4::reply(MessageInfo::new(label, 0, 0, us::REPLY_REGISTERS as u64));
}

fn us_resume(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    faulter(e, f, unknown_syscall, NUMBER)?;
    fault_on(f)?;
    reply_resume(0, 0x5eed);
    check!(wait_until(|| get(FLAG) == 2), "thread not resumed");
    check_eq!(get(RESULT), 0x5eed);
    Ok(())
}

fn us_label_suspends(e: &Env) -> TestResult {
    // A nonzero label in the reply leaves the thread Inactive.
    let f = ok!(e.endpoint());
    faulter(e, f, unknown_syscall, NUMBER)?;
    fault_on(f)?;
    reply_resume(1, 0x5eed);
    yields(20);
    check_eq!(get(FLAG), 1);
    check!(try_recv(f).is_none(), "the thread faulted again");
    Ok(())
}

fn us_short_reply(e: &Env) -> TestResult {
    // Only min(length, 18) registers are written back: a one-word reply
    // sets RAX, FaultIP stays on the syscall, which runs (and faults) again.
    let f = ok!(e.endpoint());
    faulter(e, f, unknown_syscall, NUMBER)?;
    fault_on(f)?;
    let ip = sel4::get_mr(us::FAULT_IP);
    sel4::set_mr(us::RAX, 0x77);
    sel4::reply(MessageInfo::new(0, 0, 0, 1));
    let (info, _) = fault_on(f)?;
    check_eq!(info.label(), FaultType::UnknownSyscall as u64);
    check_eq!(sel4::get_mr(us::RAX), 0x77);
    check_eq!(sel4::get_mr(us::FAULT_IP), ip);
    check_eq!(sel4::get_mr(us::RBX), 0xb0);
    Ok(())
}

fn int_trap(_: u64) {
    set(FLAG, 1);
    // SAFETY: kt_int_trap only changes RAX, which is its result.
    let r = unsafe { asm::kt_int_trap() };
    set(RESULT, r);
    set(FLAG, 2);
}

fn int_trap_test(e: &Env) -> TestResult {
    // c_handle_interrupt: a trap-range `int n` becomes UnknownSyscall with
    // number (n << 24) | (EAX & 0xffffff), computed in a C `int` and so
    // sign-extended to 64 bits; FaultIP is the `int` instruction.
    let f = ok!(e.endpoint());
    faulter(e, f, int_trap, 0)?;
    let (info, _) = fault_on(f)?;
    check_eq!(info.label(), FaultType::UnknownSyscall as u64);
    check_eq!(sel4::get_mr(us::FAULT_IP), asm::int_trap_insn());
    check_eq!(sel4::get_mr(us::RAX), 0x123456);
    check_eq!(sel4::get_mr(us::SYSCALL), 0xa012_3456u32 as i32 as i64 as u64);
    reply_resume(0, 5);
    check!(wait_until(|| get(FLAG) == 2), "thread not resumed");
    check_eq!(get(RESULT), 5);
    Ok(())
}

fn divide(_: u64) {
    set(FLAG, 1);
    // SAFETY: kt_div_zero faults; if resumed it returns normally.
    let r = unsafe { asm::kt_div_zero() };
    set(RESULT, r);
    set(FLAG, 2);
}

fn check_user_exception(info: MessageInfo, ip: u64, number: u64, code: u64) -> TestResult {
    check_eq!(info.label(), FaultType::UserException as u64);
    check_eq!(info.length(), ue::LENGTH as u64);
    check_eq!(sel4::get_mr(ue::FAULT_IP), ip);
    check_eq!(sel4::get_mr(ue::NUMBER), number);
    check_eq!(sel4::get_mr(ue::CODE), code);
    check!(sel4::get_mr(ue::FLAGS) & 0x200 != 0, "FLAGS without IF");
    check!(sel4::get_mr(ue::SP) != 0, "SP is 0");
    Ok(())
}

fn ue_divide(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    faulter(e, f, divide, 0)?;
    let (info, _) = fault_on(f)?;
    check_user_exception(info, asm::div_zero_insn(), 0, 0)
}

fn ue_resume(e: &Env) -> TestResult {
    // The reply writes FaultIP, SP and FLAGS; label 0 restarts there.
    let f = ok!(e.endpoint());
    faulter(e, f, divide, 0)?;
    fault_on(f)?;
    sel4::set_mr(ue::FAULT_IP, asm::div_zero_resume());
    sel4::reply(MessageInfo::new(0, 0, 0, ue::REPLY_REGISTERS as u64));
    check!(wait_until(|| get(FLAG) == 2), "thread not resumed");
    check_eq!(get(RESULT), 0x600d);
    Ok(())
}

fn ue_label_suspends(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    faulter(e, f, divide, 0)?;
    fault_on(f)?;
    sel4::set_mr(ue::FAULT_IP, asm::div_zero_resume());
    sel4::reply(MessageInfo::new(2, 0, 0, ue::REPLY_REGISTERS as u64));
    yields(20);
    check_eq!(get(FLAG), 1);
    check!(try_recv(f).is_none(), "the thread faulted again");
    Ok(())
}

fn hlt(_: u64) {
    set(FLAG, 1);
    // SAFETY: faults (#GP) in user mode.
    unsafe { asm::kt_hlt() };
    set(FLAG, 2);
}

fn ue_gp(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    faulter(e, f, hlt, 0)?;
    let (info, _) = fault_on(f)?;
    check_user_exception(info, asm::hlt_insn(), 13, 0)
}

fn load(addr: u64) {
    set(FLAG, 1);
    // SAFETY: faults on an unmapped address; if resumed the value is unused.
    let v = unsafe { asm::kt_load(addr) };
    set(RESULT, v);
    set(FLAG, 2);
}

fn store(addr: u64) {
    set(FLAG, 1);
    // SAFETY: faults on an unmapped address.
    unsafe { asm::kt_store(addr, 1) };
    set(FLAG, 2);
}

fn jump(addr: u64) {
    set(FLAG, 1);
    // SAFETY: faults fetching at an unmapped address.
    unsafe { asm::kt_jump(addr) };
    set(FLAG, 2);
}

fn check_vm_fault(info: MessageInfo, ip: u64, addr: u64, fsr: u64) -> TestResult {
    check_eq!(info.label(), FaultType::VMFault as u64);
    check_eq!(info.length(), vm::LENGTH as u64);
    check_eq!(sel4::get_mr(vm::IP), ip);
    check_eq!(sel4::get_mr(vm::ADDR), addr);
    check_eq!(sel4::get_mr(vm::PREFETCH_FAULT), vm::DATA_FAULT);
    check_eq!(sel4::get_mr(vm::FSR), fsr);
    Ok(())
}

/// x86 page-fault error code bits: user mode (2), write (1).
const PF_USER: u64 = 1 << 2;
const PF_WRITE: u64 = 1 << 1;

fn vm_read(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    faulter(e, f, load, UNMAPPED)?;
    let (info, _) = fault_on(f)?;
    check_vm_fault(info, asm::load_insn(), UNMAPPED, PF_USER)
}

fn vm_null(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    faulter(e, f, load, 0)?;
    let (info, _) = fault_on(f)?;
    check_vm_fault(info, asm::load_insn(), 0, PF_USER)
}

fn vm_write(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    faulter(e, f, store, UNMAPPED + 8)?;
    let (info, _) = fault_on(f)?;
    check_vm_fault(info, asm::store_insn(), UNMAPPED + 8, PF_USER | PF_WRITE)
}

fn vm_exec(e: &Env) -> TestResult {
    // IP and address are both the target; PrefetchFault mirrors the
    // error code's I/D bit (bit 4), which the CPU reports only with NX on.
    let f = ok!(e.endpoint());
    faulter(e, f, jump, UNMAPPED)?;
    let (info, _) = fault_on(f)?;
    check_eq!(info.label(), FaultType::VMFault as u64);
    check_eq!(sel4::get_mr(vm::IP), UNMAPPED);
    check_eq!(sel4::get_mr(vm::ADDR), UNMAPPED);
    let fsr = sel4::get_mr(vm::FSR);
    check_eq!(sel4::get_mr(vm::PREFETCH_FAULT), (fsr >> 4) & 1);
    check_eq!(fsr & 0x7, PF_USER);
    Ok(())
}

fn vm_refault(e: &Env) -> TestResult {
    // A VMFault reply restarts the thread at the faulting instruction.
    let f = ok!(e.endpoint());
    faulter(e, f, load, UNMAPPED)?;
    fault_on(f)?;
    sel4::reply(MessageInfo::new(0, 0, 0, 0));
    let (info, _) = fault_on(f)?;
    check_vm_fault(info, asm::load_insn(), UNMAPPED, PF_USER)?;
    check_eq!(get(FLAG), 1);
    Ok(())
}

fn saved_reply(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    faulter(e, f, divide, 0)?;
    fault_on(f)?;
    let s = e.slot();
    ok!(ROOT.save_caller(s, D));
    check_tag(s, sel4::abi::cap_tag::REPLY)?;
    sel4::set_mr(ue::FAULT_IP, asm::div_zero_resume());
    sel4::send(s, MessageInfo::new(0, 0, 0, ue::REPLY_REGISTERS as u64));
    check!(wait_until(|| get(FLAG) == 2), "thread not resumed through the saved reply cap");
    check_eq!(get(RESULT), 0x600d);
    check_empty(s)
}

fn faulted_registers(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    let c = faulter(e, f, divide, 0)?;
    fault_on(f)?;
    let r = ok!(c.tcb.read_registers(false, 0, 3));
    check_eq!(r.rip, asm::div_zero_insn());
    check_eq!(r.rsp, sel4::get_mr(ue::SP));
    Ok(())
}

fn ok_body(_: u64) {
    add(FLAG + 2, 1);
}

fn no_handler(e: &Env) -> TestResult {
    // No fault endpoint: the thread is suspended (handleDoubleFault), and
    // others keep running. It can be restarted with new registers.
    let c = e.spawn(ROOT_PRIO, 0, divide, 0)?;
    check!(wait_until(|| get(FLAG) == 1), "thread never ran");
    yields(10);
    check_eq!(get(FLAG), 1);
    ok!(e.spawn(ROOT_PRIO, 0, ok_body, 0));
    check!(wait_until(|| get(FLAG + 2) == 1), "another thread did not run");
    let mut r = ok!(c.tcb.read_registers(false, 0, 20));
    check_eq!(r.rip, asm::div_zero_insn());
    r.rip = asm::div_zero_resume();
    ok!(c.tcb.write_registers(true, 0, 20, &r));
    check!(wait_until(|| get(FLAG) == 2), "thread not restarted");
    check_eq!(get(RESULT), 0x600d);
    Ok(())
}

fn handler_no_grant(e: &Env) -> TestResult {
    // sendFaultIPC needs Send and Grant or GrantReply on the handler cap.
    let f = ok!(e.endpoint());
    let rw = ok!(e.mint(f, CapRights::READ_WRITE, 0));
    e.spawn(ROOT_PRIO, rw, divide, 0)?;
    check!(wait_until(|| get(FLAG) == 1), "thread never ran");
    yields(10);
    check!(try_recv(f).is_none(), "fault delivered through a cap without Grant");
    check_eq!(get(FLAG), 1);
    Ok(())
}

fn handler_not_ep(e: &Env) -> TestResult {
    let n = ok!(e.notification());
    e.spawn(ROOT_PRIO, n, divide, 0)?;
    check!(wait_until(|| get(FLAG) == 1), "thread never ran");
    yields(10);
    check_eq!(sel4::poll(n), 0);
    check_eq!(get(FLAG), 1);
    Ok(())
}

fn suspend_cancels(e: &Env) -> TestResult {
    let f = ok!(e.endpoint());
    let c = faulter(e, f, divide, 0)?;
    check!(wait_until(|| get(FLAG) == 1), "thread never ran");
    yields(3);
    ok!(c.tcb.suspend());
    check!(try_recv(f).is_none(), "fault message of a suspended thread still queued");
    Ok(())
}
