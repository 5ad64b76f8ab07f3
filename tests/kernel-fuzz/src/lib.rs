//! The kernel fuzzer: a root task that makes many seeded random system calls
//! and invocations against a working set of real kernel objects, and checks
//! that the kernel neither crashes nor hangs, stays consistent, and leaks no
//! memory. Two binaries share it: `kernel-fuzz` (the test, 50,000 calls) and
//! `kernel-fuzz-long` (the benchmark, 1,000,000 calls).
//!
//! A run: setup (control objects, helper threads, working set), the fixed
//! regression cases, then epochs of random calls; after each epoch the
//! sanity checks run and the working set is revoked, checked for leaks and
//! rebuilt. At the end every BootInfo untyped is revoked and must be whole
//! again. The summary line counts those checks; the random calls' own error
//! replies are expected and only counted (`bench fuzz-kernel.errors`).
#![no_std]

mod checks;
mod gen;
mod inv;
mod ipcbuf;
mod layout;
mod regress;
mod rng;
mod threads;

use checks::{record, Failure};
use core::sync::atomic::Ordering::SeqCst;
use gen::{FuzzCall, Gen, Kind, KINDS};
use inv::{ROOT_TCB, DEPTH};
use ipcbuf::Buf;
use layout::{ctl, ws, Layout, ARENA_BITS, SPARE_BITS, SYS_BITS, WS_LEN};
use sel4::abi::invocation::InvocationLabel as L;
use sel4::abi::{cap_tag as tag, BootInfo, MessageInfo, ObjectType};
use sel4::{debug_cap_identify, println, MsgRegs};
use threads::{FAULT_BADGE, FAULT_RESCUES, IN_FUZZ, PROGRESS, RESCUES};

/// The seed. Change it here to explore other call sequences; a failure is
/// reproduced by the same seed, kernel and iteration.
pub const SEED: u64 = 0x7219_07A5_F00D_5EED;
/// Calls per epoch (sanity checks, working-set rebuild and leak check between).
const EPOCH: u64 = 5000;
/// Print every call from this iteration on (for minimising a failure).
const TRACE_FROM: u64 = u64::MAX;

/// Counts of what the random calls did.
struct Stats {
    calls: u64,
    /// Calls that got a kernel reply with a non-zero label.
    errors: u64,
    /// Calls the watchdog had to rescue, and how many of those faulted.
    rescued: u64,
    faulted: u64,
    /// Faults where seL4 would have replied with an error instead (the
    /// invoked cap and the extra caps were all found, e.g. a null cap).
    fault_not_error: u64,
    /// Calls that blocked although they never block in seL4.
    blocked_wrongly: u64,
    /// Replies with a label that is neither an error code nor a server's 0.
    odd: u64,
    /// Calls refused by each rule (gen::Rule), then regenerated.
    refused: [u64; gen::RULES],
    per_kind: [u64; 6],
    /// Calls with labels 1..=52 that succeeded (label 0 reply), by label.
    succeeded: [u64; 53],
}

impl Stats {
    const ZERO: Stats = Stats {
        calls: 0,
        errors: 0,
        rescued: 0,
        faulted: 0,
        fault_not_error: 0,
        blocked_wrongly: 0,
        odd: 0,
        refused: [0; gen::RULES],
        per_kind: [0; 6],
        succeeded: [0; 53],
    };
}

/// Prints the first few of each kind of anomaly.
fn note(count: u64, what: &str, c: &FuzzCall) {
    if count <= 3 {
        println!("fuzz: {what}: {c}");
    }
}

/// Runs the fuzzer as the root task and halts the machine.
pub fn run(bi: &'static BootInfo, calls: u64, long: bool) -> ! {
    threads::LONG_RUN.store(long, SeqCst);
    // No `suite NAME:` line before the end: the harness stops reading there.
    println!("fuzz: {}: seed {SEED:#x}, {calls} calls, epochs of {EPOCH}", threads::suite_name());
    let l = Layout::new(bi);
    if let Err(e) = setup(&l) {
        record("setup", 0, Err(e));
        finish(&Stats::ZERO);
    }
    let snap = checks::Snapshot::take(&l);
    let mut stalls = 0;
    populate_or_fail(&l, 0);
    regress::run(&l);
    // From here on no thread the fuzzer reaches may outrank the watchdog.
    let r = inv::tcb_set_mcp(ROOT_TCB, threads::WATCHDOG_PRIO, ROOT_TCB);
    if !r.ok() {
        record("root-mcp", 0, Err(Failure::new(format_args!("lowering the root's MCP: {r}"))));
        finish(&Stats::ZERO);
    }

    let mut g = Gen::new(&l, SEED);
    let mut st = Stats::ZERO;
    let mut epoch = 0;
    let (mut cptr, mut ty) = (0, 0);
    while st.calls < calls {
        let i = st.calls;
        if i == (epoch + 1) * EPOCH {
            end_epoch(&l, &snap, epoch, &mut stalls, &st);
            epoch += 1;
            populate_or_fail(&l, epoch);
        }
        PROGRESS.fetch_add(1, SeqCst);
        let mut call = None;
        for attempt in 0..20 {
            // A few tries per cptr, then another one.
            if attempt % 5 == 0 {
                (cptr, ty) = g.cptr_and_type();
            }
            let c = g.generate(cptr, ty);
            match g.allowed(&c) {
                Ok(()) => {
                    call = Some(c);
                    break;
                }
                Err(rule) => st.refused[rule as usize] += 1,
            }
        }
        let Some(c) = call else { continue };
        if i >= TRACE_FROM {
            println!("fuzz: #{i}: {c}");
        }
        execute(&c, &mut st);
    }
    end_epoch(&l, &snap, epoch, &mut stalls, &st);
    teardown(&l, &mut stalls);
    finish(&st)
}

fn finish(st: &Stats) -> ! {
    let k = &st.per_kind;
    println!(
        "fuzz: {} calls (call {} send {} nbsend {} nbrecv {} reply {} yield {}), {} error replies",
        st.calls, k[0], k[1], k[2], k[3], k[4], k[5], st.errors
    );
    println!(
        "fuzz: rescued {} ({} faults, {} of them where seL4 replies with an error), blocked wrongly {}, odd replies {}",
        st.rescued, st.faulted, st.fault_not_error, st.blocked_wrongly, st.odd
    );
    println!("fuzz: refused and regenerated: {:?} (by rule, gen::Rule order)", st.refused);
    println!(
        "fuzz: servers answered {} and {}, agents went round {} and {} times",
        threads::SERVED[0].load(SeqCst),
        threads::SERVED[1].load(SeqCst),
        threads::AGENT_ROUNDS[0].load(SeqCst),
        threads::AGENT_ROUNDS[1].load(SeqCst)
    );
    sel4::print!("fuzz: successful invocations by label:");
    for (label, n) in st.succeeded.iter().enumerate().filter(|(_, n)| **n > 0) {
        sel4::print!(" {label}:{n}");
    }
    println!();
    println!("bench fuzz-kernel.calls = {} calls", st.calls);
    println!("bench fuzz-kernel.errors = {} calls", st.errors);
    println!(
        "suite {}: {} passed, {} failed",
        threads::suite_name(),
        threads::PASSED.load(SeqCst),
        threads::FAILED.load(SeqCst)
    );
    sel4::debug_halt()
}

/// Makes one fuzzed system call and counts what came back.
fn execute(c: &FuzzCall, st: &mut Stats) {
    let buf = Buf::current();
    for i in 4..c.len.min(120) {
        buf.set_mr(i, c.mrs[i]);
    }
    for (i, cap) in c.caps.iter().enumerate() {
        buf.set_cap(i, *cap);
    }
    let info = MessageInfo::new(c.label, c.unwrapped, c.ncaps as u64, c.len as u64);
    let mut m = MsgRegs([c.mrs[0], c.mrs[1], c.mrs[2], c.mrs[3]]);
    let (rescues, faults) = (RESCUES.load(SeqCst), FAULT_RESCUES.load(SeqCst));
    let mut reply = None;
    IN_FUZZ.store(true, SeqCst);
    match c.kind {
        Kind::Call => reply = Some(sel4::sys_call(c.cptr, info, &mut m).1),
        Kind::Send => sel4::sys_send(c.cptr, info, &mut m),
        Kind::NBSend => sel4::sys_nbsend(c.cptr, info, &mut m),
        Kind::NBRecv => {
            buf.set_receive(c.recv.0, c.recv.1, c.recv.2);
            sel4::sys_nbrecv(c.cptr, &mut m);
        }
        Kind::Reply => sel4::sys_reply(info, &mut m),
        Kind::Yield => sel4::sys_yield(),
    }
    IN_FUZZ.store(false, SeqCst);
    st.calls += 1;
    st.per_kind[KINDS.iter().position(|k| *k == c.kind).unwrap_or(0)] += 1;
    if RESCUES.load(SeqCst) != rescues {
        st.rescued += 1;
        let sends = matches!(c.kind, Kind::Call | Kind::Send);
        if FAULT_RESCUES.load(SeqCst) != faults {
            st.faulted += 1;
            // A Call or Send faults in seL4 only when a cptr lookup fails;
            // every cptr below 2^13 resolves in the root CNode.
            let found = |x: u64| x < 1 << 13;
            if sends && found(c.cptr) && c.caps[..c.ncaps].iter().all(|&x| found(x)) {
                st.fault_not_error += 1;
                note(st.fault_not_error, "faulted where seL4 replies with an error", c);
            } else if !sends && c.kind != Kind::NBRecv {
                st.blocked_wrongly += 1;
                note(st.blocked_wrongly, "faulted in a call that never faults", c);
            }
        } else if !(sends && c.ty == tag::ENDPOINT) {
            // Only a Call or Send on an endpoint may block (or, through a cap
            // without Grant, leave the caller inactive).
            st.blocked_wrongly += 1;
            note(st.blocked_wrongly, "blocked in a call that never blocks", c);
        }
        return;
    }
    if let Some(r) = reply {
        let label = r.label();
        if label != 0 {
            st.errors += 1;
        } else if c.label <= 52 && !matches!(c.ty, tag::ENDPOINT | tag::NOTIFICATION | tag::REPLY) {
            st.succeeded[c.label as usize] += 1;
        }
        // Kernel replies carry an error code (0..=10) and servers label 0.
        if label > 10 {
            st.odd += 1;
            note(st.odd, "odd reply label", c);
        }
    }
}

/// Creates the control objects and starts the helper threads.
fn setup(l: &Layout) -> Result<(), Failure> {
    let must = |what: &str, r: inv::Reply| -> Result<(), Failure> {
        if r.ok() {
            Ok(())
        } else {
            Err(Failure::new(format_args!("{what}: {r}")))
        }
    };
    let untyped = ObjectType::Untyped as u64;
    must("arena untyped", inv::retype(l.big_ut, untyped, ARENA_BITS, l.c(ctl::ARENA_UT), 1))?;
    must("control untyped", inv::retype(l.big_ut, untyped, SYS_BITS, l.c(ctl::SYS_UT), 1))?;
    let sys = l.c(ctl::SYS_UT);
    must("helper TCBs", inv::retype(sys, ObjectType::TCB as u64, 0, l.c(ctl::WATCHDOG), 3))?;
    let ep = ObjectType::Endpoint as u64;
    must("fault endpoint", inv::retype(sys, ep, 0, l.c(ctl::FAULT_EP), 1))?;
    must("served endpoints", inv::retype(sys, ep, 0, l.c(ctl::SERVED_EP[0]), 2))?;
    must("fault sink", inv::retype(sys, ep, 0, l.c(ctl::FAULT_SINK), 1))?;
    must("spare untyped", inv::retype(sys, untyped, SPARE_BITS, l.c(ctl::SPARE_UT), 1))?;
    must("badged fault endpoint", inv::mint(l.c(ctl::FAULT_EP_BADGED), l.c(ctl::FAULT_EP), 0xf, FAULT_BADGE))?;
    threads::start(l).map_err(|e| Failure::new(format_args!("{e}")))?;
    must("root fault endpoint", inv::tcb_set_space(ROOT_TCB, l.c(ctl::FAULT_EP_BADGED)))?;
    for s in 0..2 {
        ipcbuf::set_helper_receive(l.bi.ipc_buffer, 1 + s, inv::ROOT_CNODE, l.w(ws::SERVER_RECEIVE[s]), DEPTH);
    }
    // The servers run at the root's priority: let them reach their Recv.
    sel4::sys_yield();
    Ok(())
}

/// Fills the working set from the arena (the arena must be empty).
fn populate(l: &Layout) -> Result<(), Failure> {
    let arena = l.c(ctl::ARENA_UT);
    // Largest first, so that alignment wastes nothing.
    let plan: [(ObjectType, u64, u64, u64); 19] = [
        (ObjectType::LargePage, 0, 21, 1),
        (ObjectType::Untyped, 20, 3, 1),
        (ObjectType::Untyped, 16, 2, 1),
        (ObjectType::Untyped, 14, 1, 1),
        (ObjectType::Untyped, 12, 0, 1),
        (ObjectType::TCB, 0, 14, 3),
        (ObjectType::TCB, 0, ws::AGENT_TCB[0], 2),
        (ObjectType::CapTable, 4, 13, 1),
        (ObjectType::CapTable, 4, ws::AGENT_CSPACE[0], 2),
        (ObjectType::CapTable, 2, 12, 1),
        (ObjectType::PageTable, 0, 22, 1),
        (ObjectType::PageDirectory, 0, 23, 1),
        (ObjectType::PDPT, 0, 24, 1),
        (ObjectType::PML4, 0, 25, 1),
        (ObjectType::SmallPage, 0, 17, 4),
        (ObjectType::Notification, 0, 9, 3),
        (ObjectType::Endpoint, 0, 4, 2),
        (ObjectType::Endpoint, 0, 26, 1),
        (ObjectType::Notification, 0, 27, 1),
    ];
    for (ty, size, off, n) in plan {
        let r = inv::retype(arena, ty as u64, size, l.w(off), n);
        checks::ensure!(r.ok(), "retype {ty:?} into working-set slot {}: {r}", l.w(off));
    }
    // The working set's VSpace: an ASID, and tables down to a page table at
    // 0x1000_0000 (the generator's usual mapping addresses), so that maps
    // and threads in it get further. Best effort: a kernel without paging
    // invocations just gets an unmapped VSpace.
    let vs = [
        (sel4::abi::cap::INIT_THREAD_ASID_POOL, L::X86ASIDPoolAssign, 0),
        (l.w(24), L::X86PDPTMap, 0),
        (l.w(23), L::X86PageDirectoryMap, 0),
        (l.w(22), L::X86PageTableMap, 0x1000_0000),
    ];
    for (cptr, label, vaddr) in vs {
        let mrs: &[u64] = if label == L::X86ASIDPoolAssign { &[] } else { &[vaddr, 0] };
        if !inv::invoke(cptr, label as u64, mrs, &[l.w(25)]).ok() {
            break;
        }
    }
    // Copies of the served endpoints: badged with all rights, badged with
    // GrantReply only, and read-write without either (a Call through that
    // one leaves the caller inactive, for the watchdog to rescue).
    let copies = [(6, ctl::SERVED_EP[0], 0xf, 0x100), (7, ctl::SERVED_EP[1], 0x9, 0x200), (8, ctl::SERVED_EP[1], 0x3, 0)];
    for (off, src, rights, badge) in copies {
        let r = inv::mint(l.w(off), l.c(src), rights, badge);
        checks::ensure!(r.ok(), "mint of a served endpoint: {r}");
    }
    threads::start_agents(l).map_err(|e| Failure::new(format_args!("{e}")))
}

fn populate_or_fail(l: &Layout, epoch: u64) {
    PROGRESS.fetch_add(1, SeqCst);
    let r = populate(l);
    let failed = r.is_err();
    record("populate", epoch, r);
    if failed {
        finish(&Stats::ZERO);
    }
}

/// Between epochs: the sanity checks, then the working set goes (revoke
/// the arena, delete what is left in its slots) and the arena must be whole.
fn end_epoch(l: &Layout, snap: &checks::Snapshot, epoch: u64, stalls: &mut u64, st: &Stats) {
    checks::sanity(l, snap, epoch, stalls);
    clear_ws(l, epoch);
    println!(
        "fuzz: epoch {epoch}: {} calls, {} errors, {} rescued; checks {} passed, {} failed",
        st.calls,
        st.errors,
        st.rescued,
        threads::PASSED.load(SeqCst),
        threads::FAILED.load(SeqCst)
    );
}

fn clear_ws(l: &Layout, epoch: u64) {
    PROGRESS.fetch_add(1, SeqCst);
    let r = inv::revoke(l.c(ctl::ARENA_UT));
    record("arena-revoke", epoch, if r.ok() { Ok(()) } else { Err(Failure::new(format_args!("{r}"))) });
    for i in 0..WS_LEN {
        inv::delete(l.w(i));
    }
    record("ws-empty", epoch, checks::ws_empty(l));
    record("arena-whole", epoch, checks::arena_whole(l));
}

/// The end: every BootInfo untyped revoked and whole again (the helper
/// threads go with the last one), and the initial caps still in place.
fn teardown(l: &Layout, stalls: &mut u64) {
    record("no-control-stalls", u64::MAX, checks::no_control_stalls(stalls));
    checks::all_untypeds_whole(l);
    record("initial-caps", u64::MAX, initial_caps(l));
}

/// After teardown: slots 1..15 hold what seL4 gives the root task.
fn initial_caps(l: &Layout) -> Result<(), Failure> {
    use sel4::abi::cap_tag as t;
    let want = [0, t::THREAD, t::CNODE, t::PML4, t::IRQ_CONTROL, t::ASID_CONTROL, t::ASID_POOL, t::IO_PORT_CONTROL, 0, t::FRAME, t::FRAME, t::DOMAIN];
    for (slot, w) in want.iter().enumerate() {
        let got = debug_cap_identify(slot as u64);
        checks::ensure!(got == *w, "initial slot {slot}: cap type {got}, wanted {w}");
    }
    for slot in l.ctl..l.ws + WS_LEN {
        let got = debug_cap_identify(slot);
        checks::ensure!(got == 0, "slot {slot} not empty after teardown: cap type {got}");
    }
    Ok(())
}
