//! The helper threads, all in the root task's address space.
//!
//! - The watchdog (low priority) runs only when the root thread cannot: a
//!   fuzzed call left it blocked (a Call on an endpoint nobody serves, a
//!   Call through a cap without Grant, which leaves the caller inactive) or
//!   it faulted (a failed cap lookup in a Call is a CapFault; the root's
//!   fault endpoint is the one the watchdog polls). The watchdog suspends
//!   it, moves its instruction pointer past the `syscall`, puts a marker
//!   label in its RSI and resumes it. So the fuzzer can throw any call
//!   without hanging itself, and a stall of the fuzzer's own control code
//!   is caught and reported instead of hanging the run.
//! - Two servers answer every message on their endpoints (ReplyRecv with an
//!   echo), so Calls on those endpoints complete and exercise real IPC.
//! - Two agents are threads the fuzzer may manipulate, made afresh in the
//!   working set every epoch: they wait on a working-set endpoint (answering
//!   what arrives) and notification, and get suspended, resumed,
//!   re-prioritised, bound, reconfigured and have their objects deleted
//!   under them. Each has a CSpace of its own in the working set. A
//!   faulting agent waits on a fault endpoint nobody serves.
//! - The regression cases (regress.rs) start a probe thread of their own.
//!
//! Priorities: root and servers 255, watchdog and agents `WATCHDOG_PRIO`,
//! and the root's MCP is lowered to that value once the helpers run, so no
//! thread the fuzzer can reach outranks the watchdog; at equal priority the
//! watchdog still gets its turn. (Servers block in every round; a Call to
//! an agent still switches to it directly, as the only thread to run.)

use crate::inv::{self, ROOT_TCB};
use crate::ipcbuf::{self, Buf};
use crate::layout::{ctl, ws, Layout};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use sel4::abi::invocation::InvocationLabel as L;
use sel4::abi::MessageInfo;
use sel4::{println, MsgRegs};

pub const WATCHDOG_PRIO: u64 = 3;
pub const SERVER_PRIO: u64 = 255;
/// The label a rescued call returns with (no kernel reply has it).
pub const RESCUE_LABEL: u64 = 0xDEAD_F00D;
/// The badge of the root thread's fault endpoint cap.
pub const FAULT_BADGE: u64 = 0x5EED_FA17_0000_0001;

/// Set around each fuzzed system call of the root thread.
pub static IN_FUZZ: AtomicBool = AtomicBool::new(false);
/// Bumped by the root thread as it goes; the watchdog gives up when a
/// rescue does not make it move.
pub static PROGRESS: AtomicU64 = AtomicU64::new(0);
/// Rescues of fuzzed calls, and how many of them were faults.
pub static RESCUES: AtomicU64 = AtomicU64::new(0);
pub static FAULT_RESCUES: AtomicU64 = AtomicU64::new(0);
/// Rescues of the fuzzer's own control code (each is a failure).
pub static CONTROL_STALLS: AtomicU64 = AtomicU64::new(0);
/// Messages each server received.
pub static SERVED: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
/// Messages and signals the agents received.
pub static AGENT_ROUNDS: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
/// Checks passed and failed, shared so the watchdog can print the summary
/// if it has to stop the run.
pub static PASSED: AtomicU64 = AtomicU64::new(0);
pub static FAILED: AtomicU64 = AtomicU64::new(0);
pub static LONG_RUN: AtomicBool = AtomicBool::new(false);

/// What the helpers need to know, written before they start.
static FAULT_EP: AtomicU64 = AtomicU64::new(0);
static SERVED_EP: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
static IMAGE_LO: AtomicU64 = AtomicU64::new(0);
static IMAGE_HI: AtomicU64 = AtomicU64::new(0);

const STACK: usize = 16 * 1024;

#[repr(C, align(16))]
struct Stack(UnsafeCell<[u8; STACK]>);

// SAFETY: each stack is used by exactly one helper thread, and the root
// thread only takes its address.
unsafe impl Sync for Stack {}

static STACKS: [Stack; ipcbuf::HELPERS] = [const { Stack(UnsafeCell::new([0; STACK])) }; ipcbuf::HELPERS];

pub fn suite_name() -> &'static str {
    if LONG_RUN.load(SeqCst) {
        "kernel-fuzz-long"
    } else {
        "kernel-fuzz"
    }
}

/// Where a helper thread runs: its CSpace root (and the CNode cap data to
/// set its guard), IPC buffer frame, and fault endpoint.
struct Place {
    cspace: u64,
    cspace_data: u64,
    frame: u64,
    fault_ep: u64,
}

/// Configures helper `k` (TCB `tcb`) in the root's VSpace and starts it at
/// `entry(k)` with priority `prio`.
fn launch(l: &Layout, k: usize, tcb: u64, p: Place, entry: extern "C" fn(u64) -> !, prio: u64) -> Result<(), &'static str> {
    let buffer = ipcbuf::helper_buffer(l.bi.ipc_buffer, k);
    ipcbuf::init_helper(k, buffer, tcb);
    let caps = [p.cspace, inv::ROOT_VSPACE, p.frame];
    if !inv::invoke(tcb, L::TCBConfigure as u64, &[p.fault_ep, p.cspace_data, 0, buffer], &caps).ok() {
        return Err("TCB_Configure of a helper failed");
    }
    if !inv::invoke(tcb, L::TCBSetPriority as u64, &[prio], &[ROOT_TCB]).ok() {
        return Err("TCB_SetPriority of a helper failed");
    }
    let stack_top = STACKS[k].0.get() as u64 + STACK as u64;
    // rip, rsp (as after a call: 8 below 16-byte alignment), rflags,
    // rax, rbx, rcx, rdx, rsi, rdi (the argument).
    let regs = [entry as *const () as u64, stack_top - 8, 0x202, 0, 0, 0, 0, 0, k as u64];
    if !inv::tcb_write_registers(tcb, true, &regs).ok() {
        return Err("TCB_WriteRegisters of a helper failed");
    }
    Ok(())
}

/// The root's CSpace, for the helpers the fuzzer cannot reach.
fn root_place(frame: u64) -> Place {
    Place { cspace: inv::ROOT_CNODE, cspace_data: 0, frame, fault_ep: 0 }
}

/// Creates and starts the watchdog and the servers from the control
/// region's objects.
pub fn start(l: &Layout) -> Result<(), &'static str> {
    FAULT_EP.store(l.c(ctl::FAULT_EP), SeqCst);
    SERVED_EP[0].store(l.c(ctl::SERVED_EP[0]), SeqCst);
    SERVED_EP[1].store(l.c(ctl::SERVED_EP[1]), SeqCst);
    IMAGE_LO.store(l.image.0, SeqCst);
    IMAGE_HI.store(l.image.1, SeqCst);
    let helpers = [
        (l.c(ctl::WATCHDOG), watchdog_main as extern "C" fn(u64) -> !, WATCHDOG_PRIO, "fuzz-watchdog"),
        (l.c(ctl::SERVER[0]), server_main, SERVER_PRIO, "fuzz-server0"),
        (l.c(ctl::SERVER[1]), server_main, SERVER_PRIO, "fuzz-server1"),
    ];
    for (k, (tcb, entry, prio, name)) in helpers.into_iter().enumerate() {
        sel4::debug_name_thread(tcb, name);
        launch(l, k, tcb, root_place(inv::IPC_FRAME), entry, prio)?;
    }
    Ok(())
}

/// The image frame holding the agents' (and the probe's) buffer page.
fn agent_frame(l: &Layout) -> u64 {
    l.bi.user_image_frames.start + (ipcbuf::agent_page() - l.image.0) / 4096
}

/// The top of the probe thread's stack.
pub fn probe_stack_top() -> u64 {
    STACKS[ipcbuf::PROBE].0.get() as u64 + STACK as u64
}

/// Starts the regression cases' probe thread (TCB `tcb`) at `entry`, at the
/// root's priority (so it runs when the root yields).
pub fn start_probe(l: &Layout, tcb: u64, entry: extern "C" fn(u64) -> !) -> Result<(), &'static str> {
    launch(l, ipcbuf::PROBE, tcb, root_place(agent_frame(l)), entry, SERVER_PRIO)
}

/// An agent's CSpace: a 16-slot working-set CNode whose guard makes a
/// cptr its slot number. It holds only what the agent uses, so a thread
/// running with it (the agent, or anything the fuzzer makes of it) can
/// never reach the root task's caps.
mod agent_cspace {
    pub const RADIX: u64 = 4;
    /// CNode cap data: guard size 60, guard 0.
    pub const DATA: u64 = 64 - RADIX;
    pub const EP: u64 = 0;
    pub const NTFN: u64 = 1;
    pub const FAULT_EP: u64 = 2;
    /// The CNode itself, as the receive CNode for caps sent to the agent.
    pub const SELF: u64 = 3;
    pub const RECEIVE: u64 = 8;
}

/// Starts the agents on this epoch's working set (their TCBs, CSpaces,
/// endpoints and notifications are in it).
pub fn start_agents(l: &Layout) -> Result<(), &'static str> {
    use agent_cspace as c;
    let frame = agent_frame(l);
    for a in 0..2 {
        let (tcb, cspace) = (l.w(ws::AGENT_TCB[a]), l.w(ws::AGENT_CSPACE[a]));
        sel4::debug_name_thread(tcb, ["fuzz-agent0", "fuzz-agent1"][a]);
        let contents = [
            (c::EP, l.w(ws::AGENT_EP[a])),
            (c::NTFN, l.w(ws::AGENT_NTFN[a])),
            (c::FAULT_EP, l.c(ctl::FAULT_SINK)),
            (c::SELF, cspace),
        ];
        for (index, src) in contents {
            let mrs = [index, c::RADIX, src, inv::DEPTH, 0xf];
            if !inv::invoke(cspace, L::CNodeCopy as u64, &mrs, &[inv::ROOT_CNODE]).ok() {
                return Err("filling an agent's CSpace failed");
            }
        }
        let k = ipcbuf::FIRST_AGENT + a;
        ipcbuf::set_helper_receive(l.bi.ipc_buffer, k, c::SELF, c::RECEIVE, c::RADIX);
        let place = Place { cspace, cspace_data: c::DATA, frame, fault_ep: c::FAULT_EP };
        launch(l, k, tcb, place, agent_main, WATCHDOG_PRIO)?;
    }
    Ok(())
}

/// Stops the run from the watchdog: what went wrong, then the summary line
/// with one more failure, so the harness reports it.
fn fatal(what: core::fmt::Arguments) -> ! {
    println!("test watchdog ... FAILED: {what}");
    println!(
        "suite {}: {} passed, {} failed",
        suite_name(),
        PASSED.load(SeqCst),
        FAILED.load(SeqCst) + 1
    );
    sel4::debug_halt()
}

const SYSCALL_INSN: [u8; 2] = [0x0f, 0x05];

/// The two code bytes at `addr`, if it lies inside the root task's image.
fn code_at(addr: u64) -> Option<[u8; 2]> {
    if addr < IMAGE_LO.load(SeqCst) || addr + 2 > IMAGE_HI.load(SeqCst) {
        return None;
    }
    // SAFETY: the root task's image is mapped readable for its lifetime, and
    // this thread shares its address space.
    Some(unsafe { (addr as *const [u8; 2]).read_volatile() })
}

extern "C" fn watchdog_main(k: u64) -> ! {
    ipcbuf::enter_helper(k as usize);
    let fault_ep = FAULT_EP.load(SeqCst);
    let (mut last_progress, mut repeats) = (u64::MAX, 0);
    loop {
        // Running at all means the root thread is blocked or stopped. If it
        // faulted, its fault message is waiting on the fault endpoint.
        let mut m = MsgRegs::default();
        let (badge, info) = sel4::sys_nbrecv(fault_ep, &mut m);
        let fault = if badge == FAULT_BADGE { info.label() } else { 0 };
        let p = PROGRESS.load(SeqCst);
        if p == last_progress {
            repeats += 1;
            if repeats > 3 {
                fatal(format_args!("the root thread stays stuck after {repeats} rescues (fault type {fault})"));
            }
        } else {
            (last_progress, repeats) = (p, 0);
        }
        let r = inv::tcb_read_registers(ROOT_TCB, true, 8);
        if !r.ok() || r.len < 8 {
            fatal(format_args!("ReadRegisters of the stuck root thread: {r}"));
        }
        let mut regs = r.mrs;
        // seL4 reports a thread in a system call at its `syscall` (FaultIP);
        // accept the address after it too.
        let rip = regs[0];
        regs[0] = if code_at(rip) == Some(SYSCALL_INSN) {
            rip + 2
        } else if code_at(rip.wrapping_sub(2)) == Some(SYSCALL_INSN) {
            rip
        } else {
            fatal(format_args!("the root thread stopped outside a system call: rip {rip:#x}, fault type {fault}"))
        };
        if IN_FUZZ.load(SeqCst) {
            RESCUES.fetch_add(1, SeqCst);
            if fault != 0 {
                FAULT_RESCUES.fetch_add(1, SeqCst);
            }
        } else {
            CONTROL_STALLS.fetch_add(1, SeqCst);
            println!("fuzz: watchdog: the fuzzer's own call at {rip:#x} stalled (fault type {fault}); skipping it");
        }
        regs[7] = MessageInfo::new(RESCUE_LABEL, 0, 0, 0).word();
        let w = inv::tcb_write_registers(ROOT_TCB, true, &regs);
        if !w.ok() {
            fatal(format_args!("WriteRegisters to resume the root thread: {w}"));
        }
    }
}

/// A server: answers every message with label 0 and four words, the badge,
/// the message info it got, the sum of its first 8 MRs, and its count.
extern "C" fn server_main(k: u64) -> ! {
    ipcbuf::enter_helper(k as usize);
    let s = k as usize - 1;
    let ep = SERVED_EP[s].load(SeqCst);
    let buf = Buf::current();
    let mut m = MsgRegs::default();
    let (mut badge, mut info) = sel4::sys_recv(ep, &mut m);
    loop {
        let n = SERVED[s].fetch_add(1, SeqCst) + 1;
        let len = (info.length() as usize).min(8);
        let sum = (0..len).fold(0u64, |a, i| a.wrapping_add(if i < 4 { m.0[i] } else { buf.mr(i) }));
        m = MsgRegs([badge, info.word(), sum, n]);
        (badge, info) = sel4::sys_reply_recv(ep, MessageInfo::new(0, 0, 0, 4), &mut m);
    }
}

/// An agent: answers messages on its endpoint (two words: the badge and
/// the message info) and, every fourth round, waits on its notification
/// instead. Everything it uses may have been changed by the fuzzer.
extern "C" fn agent_main(k: u64) -> ! {
    ipcbuf::enter_helper(k as usize);
    let a = k as usize - ipcbuf::FIRST_AGENT;
    let (ep, ntfn) = (agent_cspace::EP, agent_cspace::NTFN);
    let mut round = 0u64;
    loop {
        round += 1;
        AGENT_ROUNDS[a].fetch_add(1, SeqCst);
        let mut m = MsgRegs::default();
        if round % 4 == 0 {
            sel4::sys_recv(ntfn, &mut m);
        } else {
            let (badge, info) = sel4::sys_recv(ep, &mut m);
            m = MsgRegs([badge, info.word(), round, 0]);
            sel4::sys_reply(MessageInfo::new(0, 0, 0, 2), &mut m);
        }
    }
}
