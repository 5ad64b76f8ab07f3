//! Fixed regression cases, run before the random calls, each one check:
//! minimised reproducers of the kernel bugs found while building this
//! fuzzer (where Triton differs from seL4, or crashes), and a few structures
//! random calls rarely build (a thread deleting itself, a revoke that
//! destroys the CNode it was invoked through). Each case names the seL4
//! behaviour it expects. The deep CNode chain, which crashed the kernel
//! when it was written, comes last so that the others report first.

use crate::checks::{ensure, record, Failure};
use crate::inv::{self, Reply, DEPTH, ROOT_CNODE};
use crate::layout::{ctl, Layout};
use crate::threads::{self, IN_FUZZ, RESCUES, RESCUE_LABEL};
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};
use sel4::abi::invocation::InvocationLabel as L;
use sel4::abi::{Error, MessageInfo, ObjectType};
use sel4::{debug_cap_identify, MsgRegs};

type Case = fn(&Layout) -> Result<(), Failure>;

const CASES: [(&str, Case); 9] = [
    ("null-cap-call-replies-invalid-capability", null_cap_call),
    ("read-only-endpoint-call-replies-invalid-capability", read_only_endpoint_call),
    ("notification-call-gets-empty-reply", notification_call),
    ("cnode-depth-is-a-whole-word", cnode_depth_word),
    ("domain-is-a-whole-word", domain_word),
    ("resume-restarts-a-thread-blocked-in-send", resume_blocked_sender),
    ("thread-deletes-its-own-last-tcb-cap", self_delete),
    ("revoke-destroys-the-invoked-cnode", revoke_own_cnode),
    ("delete-deep-cnode-chain", deep_cnode_chain),
];

pub fn run(l: &Layout) {
    for (name, case) in CASES {
        // Named first: if the kernel dies in a case, the log says which.
        sel4::println!("fuzz: regression case {name}");
        threads::PROGRESS.fetch_add(1, SeqCst);
        record(name, 0, case(l));
    }
}

fn must(what: &str, r: Reply) -> Result<Reply, Failure> {
    ensure!(r.ok(), "{what}: {r}");
    Ok(r)
}

/// A Call the watchdog may have to rescue: counted as a fuzzed call, not a
/// stall of the fuzzer's own code. Returns the reply and whether it was
/// rescued (blocked or faulted instead of getting a reply).
fn probe_call(cptr: u64, label: u64, mrs: &[u64], caps: &[u64]) -> (Reply, bool) {
    let before = RESCUES.load(SeqCst);
    IN_FUZZ.store(true, SeqCst);
    let r = inv::invoke(cptr, label, mrs, caps);
    IN_FUZZ.store(false, SeqCst);
    (r, RESCUES.load(SeqCst) != before || r.label == RESCUE_LABEL)
}

/// seL4 decodeInvocation: invoking a null cap (an empty slot; the lookup
/// itself succeeds) is a syscall error, InvalidCapability with MR0 = 0, not
/// a CapFault.
fn null_cap_call(l: &Layout) -> Result<(), Failure> {
    let empty = l.c(ctl::TMP);
    ensure!(debug_cap_identify(empty) == 0, "slot {empty} is not empty");
    let (r, rescued) = probe_call(empty, 0, &[], &[]);
    ensure!(!rescued, "Call on an empty slot faulted (CapFault) instead of replying InvalidCapability");
    ensure!(r.label == Error::InvalidCapability as u64 && r.mrs[0] == 0, "Call on an empty slot: {r}");
    Ok(())
}

/// seL4 decodeInvocation: an endpoint cap without Send (Write) right is a
/// syscall error, InvalidCapability 0, not a CapFault.
fn read_only_endpoint_call(l: &Layout) -> Result<(), Failure> {
    let ro = l.c(ctl::TMP);
    must("mint a read-only endpoint cap", inv::mint(ro, l.c(ctl::SERVED_EP[0]), 0x2, 0))?;
    let (r, rescued) = probe_call(ro, 0, &[], &[]);
    must("delete the read-only cap", inv::delete(ro))?;
    ensure!(!rescued, "Call on a read-only endpoint cap faulted instead of replying InvalidCapability");
    ensure!(r.label == Error::InvalidCapability as u64 && r.mrs[0] == 0, "Call on a read-only endpoint cap: {r}");
    Ok(())
}

/// seL4 handleInvocation: a Call that signals a notification gets the
/// kernel's empty reply (label 0, length 0), not its own message back.
fn notification_call(l: &Layout) -> Result<(), Failure> {
    let (spare, ntfn) = (l.c(ctl::SPARE_UT), l.c(ctl::TMP));
    must("revoke spare", inv::revoke(spare))?;
    must("retype notification", inv::retype(spare, ObjectType::Notification as u64, 0, ntfn, 1))?;
    let (r, rescued) = probe_call(ntfn, 0x55, &[1, 2, 3], &[]);
    must("revoke spare after", inv::revoke(spare))?;
    ensure!(!rescued, "Call on a notification did not return");
    ensure!(r.label == 0 && r.len == 0, "Call on a notification returned {r} (its own message?), wanted label 0 length 0");
    Ok(())
}

/// seL4 decodeCNodeInvocation reads the depth as a whole word and
/// lookupSlotForCNodeOp wants 1..64: a depth word 0x140 (low byte 64) is
/// RangeError(1, 64), not depth 64.
fn cnode_depth_word(l: &Layout) -> Result<(), Failure> {
    let slot = l.c(ctl::TMP);
    let r = inv::invoke(ROOT_CNODE, L::CNodeDelete as u64, &[slot, 0x140], &[]);
    ensure!(r.label == Error::RangeError as u64 && r.mrs[..2] == [1, 64], "CNode_Delete with depth 0x140: {r}, wanted RangeError(1, 64)");
    Ok(())
}

/// seL4 decodeDomainInvocation reads the domain as a whole word: 0x100 is
/// not domain 0 but InvalidArgument(0) (there is one domain).
fn domain_word(_l: &Layout) -> Result<(), Failure> {
    let r = inv::invoke(sel4::abi::cap::DOMAIN, L::DomainSetSet as u64, &[0x100], &[inv::ROOT_TCB]);
    ensure!(r.label == Error::InvalidArgument as u64 && r.mrs[0] == 0, "DomainSet_Set with domain 0x100: {r}, wanted InvalidArgument(0)");
    Ok(())
}

/// Set by the probe threads when they reach code they should (or should
/// not) reach.
static PROBE_FLAG: AtomicU64 = AtomicU64::new(0);
static PROBE_SLOT: AtomicU64 = AtomicU64::new(0);

/// Probe: blocks for good in a Send on an endpoint nobody receives on.
extern "C" fn send_forever(_k: u64) -> ! {
    let mut m = MsgRegs::default();
    loop {
        sel4::sys_send(PROBE_SLOT.load(SeqCst), MessageInfo::new(0, 0, 0, 0), &mut m);
    }
}

/// Probe: where a Resume after WriteRegisters should send the thread.
extern "C" fn set_flag_and_wait(_k: u64) -> ! {
    PROBE_FLAG.store(1, SeqCst);
    let mut m = MsgRegs::default();
    loop {
        sel4::sys_recv(PROBE_SLOT.load(SeqCst), &mut m);
    }
}

/// Makes the probe TCB in `slot` (from the working set's 16 KiB untyped).
fn probe_tcb(l: &Layout, slot: u64) -> Result<(), Failure> {
    must("retype probe TCB", inv::retype(l.w(1), ObjectType::TCB as u64, 0, slot, 1))?;
    Ok(())
}

fn cleanup(l: &Layout) -> Result<(), Failure> {
    must("revoke the probe's untyped", inv::revoke(l.w(1)))?;
    must("probe untyped whole again", inv::retype(l.w(1), ObjectType::Untyped as u64, 14, l.c(ctl::TMP + 5), 1))?;
    must("delete the check untyped", inv::delete(l.c(ctl::TMP + 5)))?;
    Ok(())
}

/// seL4 restart (TCB_Resume, WriteRegisters with resume) acts on every
/// stopped thread, including one blocked in Send (isStopped): it leaves the
/// endpoint and runs from its (rewritten) instruction pointer.
fn resume_blocked_sender(l: &Layout) -> Result<(), Failure> {
    let (tcb, ep) = (l.w(41), l.w(42));
    probe_tcb(l, tcb)?;
    must("retype endpoint", inv::retype(l.w(1), ObjectType::Endpoint as u64, 0, ep, 1))?;
    PROBE_SLOT.store(ep, SeqCst);
    PROBE_FLAG.store(0, SeqCst);
    threads::start_probe(l, tcb, send_forever).map_err(|e| Failure::new(format_args!("{e}")))?;
    sel4::sys_yield(); // the probe runs and blocks in its Send
    // A new rip and a fresh stack (RSP is not kept on the syscall path).
    let regs = [set_flag_and_wait as *const () as u64, threads::probe_stack_top() - 8];
    must("WriteRegisters on the blocked probe", inv::tcb_write_registers(tcb, false, &regs))?;
    must("resume the probe", inv::invoke(tcb, L::TCBResume as u64, &[], &[]))?;
    sel4::sys_yield();
    let reached = PROBE_FLAG.load(SeqCst) == 1;
    must("suspend the probe", inv::invoke(tcb, L::TCBSuspend as u64, &[], &[]))?;
    cleanup(l)?;
    ensure!(reached, "TCB_Resume left a thread blocked in Send where it was (seL4 restarts it)");
    Ok(())
}

/// Probe: deletes the last cap to its own TCB; must never run again.
extern "C" fn delete_self(_k: u64) -> ! {
    let mut m = MsgRegs([PROBE_SLOT.load(SeqCst), DEPTH, 0, 0]);
    sel4::sys_call(ROOT_CNODE, MessageInfo::new(L::CNodeDelete as u64, 0, 0, 2), &mut m);
    PROBE_FLAG.store(2, SeqCst);
    loop {
        sel4::sys_yield();
    }
}

/// A thread that deletes its own TCB (its last cap) is gone: it never
/// returns from the call, and its memory is free again.
fn self_delete(l: &Layout) -> Result<(), Failure> {
    let tcb = l.w(41);
    probe_tcb(l, tcb)?;
    PROBE_SLOT.store(tcb, SeqCst);
    PROBE_FLAG.store(0, SeqCst);
    threads::start_probe(l, tcb, delete_self).map_err(|e| Failure::new(format_args!("{e}")))?;
    for _ in 0..3 {
        sel4::sys_yield();
    }
    let (ran_on, still_there) = (PROBE_FLAG.load(SeqCst) != 0, debug_cap_identify(tcb) != 0);
    cleanup(l)?;
    ensure!(!ran_on, "the thread ran on after deleting its own TCB");
    ensure!(!still_there, "the TCB cap is still there");
    Ok(())
}

/// Revoking an untyped through the CNode that holds it, where that CNode
/// was retyped from the untyped: the revoke deletes the CNode, and with it
/// the untyped's own slot. Everything goes; the kernel survives.
fn revoke_own_cnode(l: &Layout) -> Result<(), Failure> {
    let (ut, cn) = (l.w(43), l.w(44));
    must("retype a small untyped", inv::retype(l.w(1), ObjectType::Untyped as u64, 12, ut, 1))?;
    must("retype a CNode from it", inv::retype(ut, ObjectType::CapTable as u64, 2, cn, 1))?;
    must("move the untyped into the CNode", inv::invoke(cn, L::CNodeMove as u64, &[0, 2, ut, DEPTH], &[ROOT_CNODE]))?;
    must("revoke the untyped through the CNode", inv::invoke(cn, L::CNodeRevoke as u64, &[0, 2], &[]))?;
    ensure!(debug_cap_identify(cn) == 0, "the CNode survived the revoke of its parent");
    cleanup(l)
}

/// Deleting the only cap to the head of a chain of CNodes, each held in
/// slot 0 of the one before. seL4 deletes any such chain without recursion
/// (Zombie caps, preemptible deletion); a recursive delete overflows the
/// kernel stack (Triton: a 4000-long chain; it broke at about 560).
fn deep_cnode_chain(l: &Layout) -> Result<(), Failure> {
    const N: u64 = 4000;
    const RADIX: u64 = 12;
    let ut = l.w(3); // the working set's 2^20 untyped
    let holder = l.w(40);
    must("retype the holder CNode", inv::retype(ut, ObjectType::CapTable as u64, RADIX, holder, 1))?;
    // N CNodes of 2 slots, into the holder's slots 0..N.
    let mut done = 0;
    while done < N {
        let k = (N - done).min(256);
        let r = inv::invoke(ut, L::UntypedRetype as u64, &[ObjectType::CapTable as u64, 1, 0, 0, done, k], &[holder]);
        must("retype the chain's CNodes", r)?;
        done += k;
    }
    // Link from the tail: holder[j+1] moves into slot 0 of holder[j].
    for j in (0..N - 1).rev() {
        let r = inv::invoke(holder, L::CNodeMove as u64, &[j << 1, RADIX + 1, j + 1, RADIX], &[holder]);
        must("move a CNode into the previous one", r)?;
    }
    must("delete the chain's head", inv::invoke(holder, L::CNodeDelete as u64, &[0, RADIX], &[]))?;
    must("delete the holder", inv::delete(holder))?;
    must("revoke the untyped", inv::revoke(ut))?;
    let r = inv::retype(ut, ObjectType::Untyped as u64, 20, holder, 1);
    ensure!(r.ok(), "the untyped is not whole after deleting the chain: {r}");
    must("delete the check untyped", inv::delete(holder)).map(|_| ())
}
