//! The environment every T2 test runs in: a private untyped to retype from,
//! a window of root-CNode slots, a pool of child threads (IPC buffer page,
//! stack, TLS block each) and shared words for children to report through.
//! After each test, `Env::test` revokes the untyped (destroying every object
//! and thread the test made), empties the window and resets the shared
//! words, so tests do not depend on each other.
//!
//! The root task never blocks in a T2 test: children do the blocking IPC and
//! the root polls (NBRecv, Poll, shared words) between bounded Yields, so a
//! kernel that loses a message makes a test FAIL instead of hanging the suite.

use core::cell::Cell;
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};
use guest_test::pool::{image_end, image_frame_cap, image_start, ThreadPool};
use guest_test::{check, Failure, Suite, TestResult};
use sel4::abi::{bootinfo_id, cap, cap_tag};
use sel4::{BootInfo, CNode, CPtr, MessageInfo, ObjectType, Tcb, Untyped};

pub use guest_test::pool::Child;

/// A named test of a T2 group.
pub type Test = (&'static str, fn(&Env) -> TestResult);

/// Depth of a cptr resolved from the root CNode (its guard takes the bits
/// its radix does not).
pub const D: u8 = 64;
/// The root CNode.
pub const ROOT: CNode = CNode(cap::INIT_THREAD_CNODE);
/// The root thread's TCB.
pub const ME: Tcb = Tcb(cap::INIT_THREAD_TCB);
/// The root thread's VSpace.
pub const VSPACE: CPtr = cap::INIT_THREAD_VSPACE;
/// Root CNode radix (BootInfo's initThreadCNodeSizeBits).
pub const ROOT_BITS: u64 = 13;
/// Guard size of the root CNode cap.
pub const ROOT_GUARD_BITS: u64 = 64 - ROOT_BITS;
/// The root task's priority during T2 tests; children default to it, so a
/// Yield by the root lets them run.
pub const ROOT_PRIO: u64 = 100;
/// Yields the root makes while waiting for children before giving up.
pub const MAX_YIELDS: usize = 2000;

/// The test window: the last 512 slots of the root CNode.
pub const WIN_END: u64 = 1 << ROOT_BITS;
pub const WIN_START: u64 = WIN_END - 512;

/// log2 size of the per-test untyped (capped by the largest RAM untyped).
const TEST_UT_BITS: u64 = 23;

// ------------------------------------------------------------ shared words

/// Words children and the root share; reset to 0 after every test.
pub static SH: [AtomicU64; 64] = [const { AtomicU64::new(0) }; 64];
/// An ordered log of events (values pushed by threads).
static LOG: [AtomicU64; 32] = [const { AtomicU64::new(0) }; 32];
static LOG_LEN: AtomicU64 = AtomicU64::new(0);

pub fn get(i: usize) -> u64 {
    SH[i].load(SeqCst)
}

pub fn set(i: usize, v: u64) {
    SH[i].store(v, SeqCst)
}

pub fn add(i: usize, v: u64) {
    SH[i].fetch_add(v, SeqCst);
}

/// Appends `v` to the event log.
pub fn log(v: u64) {
    let i = LOG_LEN.fetch_add(1, SeqCst) as usize;
    if i < LOG.len() {
        LOG[i].store(v, SeqCst);
    }
}

/// The event log so far (copied out).
pub fn log_entries() -> ([u64; 32], usize) {
    let n = (LOG_LEN.load(SeqCst) as usize).min(LOG.len());
    let mut out = [0; 32];
    for (i, o) in out.iter_mut().enumerate().take(n) {
        *o = LOG[i].load(SeqCst);
    }
    (out, n)
}

/// Yields until `cond` holds, at most MAX_YIELDS times.
pub fn wait_until(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..MAX_YIELDS {
        if cond() {
            return true;
        }
        sel4::yield_now();
    }
    cond()
}

/// Yields `n` times (to let ready children of the root's priority run).
pub fn yields(n: usize) {
    for _ in 0..n {
        sel4::yield_now();
    }
}

/// NBRecv on `ep`; `None` when nothing was there. Test messages always have
/// a nonzero label or length and fault messages a nonzero label, and the
/// root enters NBRecv with info 0, which a failed NBRecv leaves alone.
pub fn try_recv(ep: CPtr) -> Option<(MessageInfo, u64)> {
    let (info, badge) = sel4::nb_recv(ep);
    if info.word() == 0 && badge == 0 { None } else { Some((info, badge)) }
}

/// Polls `ep` between yields until a message arrives (bounded).
pub fn recv_polling(ep: CPtr) -> Option<(MessageInfo, u64)> {
    for _ in 0..MAX_YIELDS {
        if let Some(m) = try_recv(ep) {
            return Some(m);
        }
        sel4::yield_now();
    }
    None
}

/// The cap type in `slot` (DebugCapIdentify).
pub fn ident(slot: CPtr) -> u64 {
    sel4::debug_cap_identify(slot)
}

/// Fails unless `slot` holds a cap of type `tag`.
pub fn check_tag(slot: CPtr, tag: u64) -> TestResult {
    let t = ident(slot);
    check!(t == tag, "slot {slot}: cap type {t}, wanted {tag}");
    Ok(())
}

// ------------------------------------------------------------ thread pool

/// Memory of the pooled threads (at most eight in one test), in this image.
static POOL: ThreadPool<8> = ThreadPool::new();

/// The two bytes of program text at `ip`, if `ip` lies in this program's
/// image (so that a wrong address from the kernel cannot fault the root).
pub fn code_at(ip: u64) -> Option<[u8; 2]> {
    if ip < image_start() || ip.checked_add(2)? > image_end() {
        return None;
    }
    // SAFETY: the range check keeps the read inside the mapped image.
    Some(unsafe { core::ptr::read_volatile(ip as *const [u8; 2]) })
}

// ------------------------------------------------------------ the environment

pub struct Env {
    pub bi: &'static BootInfo,
    /// The per-test untyped.
    pub ut: Untyped,
    pub ut_bits: u64,
    /// The largest device untyped: (cptr, size bits).
    pub dev: (CPtr, u64),
    next: Cell<u64>,
}

impl Env {
    /// Carves the per-test untyped out of the largest RAM untyped (into the
    /// first empty slot) and sets the root's priority.
    pub fn new(bi: &'static BootInfo) -> Result<Env, Failure> {
        let n = (bi.untyped.end - bi.untyped.start) as usize;
        let list = &bi.untyped_list[..n];
        let pick = |device: u8| {
            list.iter()
                .enumerate()
                .filter(|(_, u)| u.is_device == device)
                .max_by_key(|(_, u)| u.size_bits)
                .map(|(i, u)| (bi.untyped.start + i as u64, u.size_bits as u64))
        };
        let Some((ram, ram_bits)) = pick(0) else { return Err(Failure::new(format_args!("no RAM untyped"))) };
        let Some(dev) = pick(1) else { return Err(Failure::new(format_args!("no device untyped"))) };
        let ut_bits = ram_bits.min(TEST_UT_BITS);
        let slot = bi.empty.start;
        guest_test::ok!(Untyped(ram).retype(ObjectType::Untyped, ut_bits, ROOT, 0, 0, slot, 1));
        guest_test::ok!(ME.set_priority(ME, ROOT_PRIO));
        Ok(Env { bi, ut: Untyped(slot), ut_bits, dev, next: Cell::new(WIN_START) })
    }

    /// Runs one test, then cleans up after it; a failed cleanup fails the test.
    pub fn test(&self, s: &mut Suite, name: &str, f: fn(&Env) -> TestResult) {
        s.run_with_cleanup(name, || f(self), || self.cleanup());
    }

    fn cleanup(&self) -> TestResult {
        // Destroys every object and thread the test made (and frees the
        // threads' pool entries).
        let mut first_err = POOL.revoke(self.ut).err();
        for slot in WIN_START..self.next.get() {
            if let Err(e) = ROOT.delete(slot, D) {
                first_err.get_or_insert(e);
            }
        }
        self.next.set(WIN_START);
        for w in SH.iter() {
            w.store(0, SeqCst);
        }
        LOG_LEN.store(0, SeqCst);
        sel4::with_ipc_buffer(|b| {
            b.caps_or_badges = [0; 3];
            b.receive_cnode = 0;
            b.receive_index = 0;
            b.receive_depth = 0;
        });
        if let Err(e) = ME.set_priority(ME, ROOT_PRIO) {
            first_err.get_or_insert(e);
        }
        match first_err {
            None => Ok(()),
            Some(e) => Err(Failure::new(format_args!("cleanup after the test failed: {e:?}"))),
        }
    }

    /// A fresh slot in the window.
    pub fn slot(&self) -> CPtr {
        let s = self.next.get();
        assert!(s < WIN_END, "test window exhausted");
        self.next.set(s + 1);
        s
    }

    /// `n` consecutive fresh slots; returns the first.
    pub fn slots(&self, n: u64) -> CPtr {
        let s = self.next.get();
        assert!(s + n <= WIN_END, "test window exhausted");
        self.next.set(s + n);
        s
    }

    /// Retypes one object from the test untyped into a fresh slot.
    pub fn obj(&self, ty: ObjectType, size_bits: u64) -> Result<CPtr, sel4::Error> {
        let s = self.slot();
        self.ut.retype(ty, size_bits, ROOT, 0, 0, s, 1)?;
        Ok(s)
    }

    /// One object of `ty` from `u` into a fresh slot.
    pub fn obj_from(&self, u: Untyped, ty: ObjectType) -> Result<u64, sel4::Error> {
        let s = self.slot();
        u.retype(ty, 0, ROOT, 0, 0, s, 1)?;
        Ok(s)
    }

    pub fn endpoint(&self) -> Result<CPtr, sel4::Error> {
        self.obj(ObjectType::Endpoint, 0)
    }

    pub fn notification(&self) -> Result<CPtr, sel4::Error> {
        self.obj(ObjectType::Notification, 0)
    }

    /// A CNode of 2^radix slots (guard 0, guard size 0).
    pub fn cnode(&self, radix: u64) -> Result<CPtr, sel4::Error> {
        self.obj(ObjectType::CapTable, radix)
    }

    /// An untyped of 2^bits bytes.
    pub fn untyped(&self, bits: u64) -> Result<CPtr, sel4::Error> {
        self.obj(ObjectType::Untyped, bits)
    }

    /// Copies `src` (full rights masked by `rights`) into a fresh slot.
    pub fn copy(&self, src: CPtr, rights: sel4::CapRights) -> Result<CPtr, sel4::Error> {
        let s = self.slot();
        ROOT.copy(s, D, ROOT, src, D, rights)?;
        Ok(s)
    }

    /// Mints `src` with `rights` and `badge` into a fresh slot.
    pub fn mint(&self, src: CPtr, rights: sel4::CapRights, badge: u64) -> Result<CPtr, sel4::Error> {
        let s = self.slot();
        ROOT.mint(s, D, ROOT, src, D, rights, badge)?;
        Ok(s)
    }

    /// The image frame cap that maps `vaddr`.
    pub fn frame_of(&self, vaddr: u64) -> CPtr {
        image_frame_cap(self.bi, vaddr)
    }

    /// Creates and configures a child thread (same CSpace and VSpace as the
    /// root) at `prio`, with fault endpoint `fault_ep` (0: none) and an IPC
    /// buffer of its own; not started yet.
    pub fn thread(&self, prio: u64, fault_ep: CPtr) -> Result<Child, Failure> {
        POOL.thread(self.bi, self.ut, self.slot(), VSPACE, fault_ep, prio)
    }

    /// Like `thread`, but the child has no IPC buffer.
    pub fn thread_without_buffer(&self, prio: u64, fault_ep: CPtr) -> Result<Child, Failure> {
        POOL.thread_without_buffer(self.bi, self.ut, self.slot(), VSPACE, fault_ep, prio)
    }

    /// Starts `c` at `f(arg)`.
    pub fn start(&self, c: &Child, f: fn(u64), arg: u64) -> TestResult {
        POOL.start(c, f, arg)
    }

    /// `thread` and `start` in one.
    pub fn spawn(&self, prio: u64, fault_ep: CPtr, f: fn(u64), arg: u64) -> Result<Child, Failure> {
        let c = self.thread(prio, fault_ep)?;
        self.start(&c, f, arg)?;
        Ok(c)
    }

    /// The initial registers `start` would give `c`.
    pub fn initial_context(&self, c: &Child, f: fn(u64), arg: u64) -> sel4::UserContext {
        POOL.initial_context(c, f, arg)
    }

    /// Prepares `c`'s TLS block as `start` does, for tests that start it
    /// with their own WriteRegisters.
    pub fn prepare_tls(&self, c: &Child) -> u64 {
        let mem = POOL.memory(c);
        // SAFETY: the thread has not started; the block is its pool entry's.
        unsafe { mem.tls().init(mem.ipc_buffer() as *mut sel4::abi::IpcBuffer, c.tcb.0) };
        mem.tls().base()
    }

    /// The TSC frequency in MHz from the extra BootInfo (0 if absent).
    pub fn tsc_mhz(&self) -> u64 {
        for (id, payload) in sel4::abi::extra_chunks(sel4::extra_bootinfo(self.bi)) {
            if id == bootinfo_id::X86_TSC_FREQ && payload.len() >= 4 {
                return u32::from_le_bytes(payload[0..4].try_into().unwrap()) as u64;
            }
        }
        0
    }
}

// Words used by `invoke_in_child`.
const IC_CAP: usize = 56;
const IC_LABEL: usize = 57;
const IC_SEND: usize = 58;
const IC_DONE: usize = 59;
const IC_INFO: usize = 60;
const IC_MR: usize = 61; // .. 63

fn invoke_child(_: u64) {
    let (cap, label) = (get(IC_CAP), get(IC_LABEL));
    let mut r = sel4::MsgRegs::default();
    let info = MessageInfo::new(label, 0, 0, 0);
    if get(IC_SEND) != 0 {
        sel4::sys_send(cap, info, &mut r);
        // A Send returns nothing: report success, not a stale earlier reply.
        set(IC_INFO, 0);
    } else {
        let (_, reply) = sel4::sys_call(cap, info, &mut r);
        set(IC_INFO, reply.word());
        for i in 0..3 {
            set(IC_MR + i, r.0[i]);
        }
    }
    set(IC_DONE, 1);
}

impl Env {
    /// Invokes `cap` with `label` and no arguments from a child thread
    /// that has a fault handler, as a Call (`send` false) or a Send. For
    /// invocations a wrong kernel might answer with a fault instead of an
    /// error: the fault then fails the test instead of stopping the root
    /// task. Returns the reply like `sel4::invoke_raw` (a Send returns Ok).
    pub fn invoke_in_child(&self, cap: CPtr, label: u64, send: bool) -> Result<Result<(), sel4::Error>, Failure> {
        set(IC_CAP, cap);
        set(IC_LABEL, label);
        set(IC_SEND, send as u64);
        set(IC_DONE, 0);
        let f = guest_test::ok!(self.endpoint());
        self.spawn(ROOT_PRIO, f, invoke_child, 0)?;
        for _ in 0..MAX_YIELDS {
            if get(IC_DONE) != 0 {
                let info = MessageInfo::from_word(get(IC_INFO));
                if info.label() == 0 {
                    return Ok(Ok(()));
                }
                let mrs = [get(IC_MR), get(IC_MR + 1), get(IC_MR + 2)];
                return Ok(Err(sel4::Error::from_reply(info.label(), info.length() as usize, &mrs)));
            }
            if let Some((info, _)) = try_recv(f) {
                return Err(Failure::new(format_args!(
                    "the invocation faulted its thread (fault type {}, MR0..3 {:#x} {:#x} {:#x} {:#x})",
                    info.label(), sel4::get_mr(0), sel4::get_mr(1), sel4::get_mr(2), sel4::get_mr(3)
                )));
            }
            sel4::yield_now();
        }
        Err(Failure::new(format_args!("the invoking thread neither returned nor faulted")))
    }
}

/// Moves the cap at `index` of the radix-`radix` CNode `cn` into a fresh
/// root slot and returns it: the root's 64-bit lookups cannot reach into a
/// sub-CNode, so this is how its contents are looked at.
pub fn take(e: &Env, cn: u64, index: u64, radix: u8) -> Result<u64, sel4::Error> {
    let s = e.slot();
    ROOT.move_(s, D, CNode(cn), index, radix)?;
    Ok(s)
}

/// Fails unless the slot is empty.
pub fn check_empty(slot: CPtr) -> TestResult {
    check_tag(slot, cap_tag::NULL)
}
