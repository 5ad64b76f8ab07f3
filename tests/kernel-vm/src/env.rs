//! The environment of every VM test: a private untyped to retype from, a
//! window of root-CNode slots, an area of the root VSpace to map into, child
//! threads (IPC buffer page, stack and TLS block each, in this image), and
//! the way children report back. After each test, `Env::test` revokes the
//! private untyped and the device untypeds (destroying every object and
//! thread the test made, which unmaps whatever they mapped) and empties the
//! slot window, so tests do not depend on each other.
//!
//! The root never blocks on a child: it polls its endpoint between Yields
//! (children run at the root's priority), so a kernel that loses a fault
//! makes a test FAIL instead of hanging the suite.

use core::cell::Cell;
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};
use guest_test::pool::{image_frame_cap, image_start, ThreadPool};
use guest_test::{Failure, Suite, TestResult};
use sel4::abi::cap;
use sel4::fault::Fault;
use sel4::{BootInfo, CNode, CPtr, MessageInfo, ObjectType, Tcb, Untyped};

/// Depth of a cptr resolved from the root CNode.
pub const D: u8 = 64;
/// The root CNode.
pub const ROOT: CNode = CNode(cap::INIT_THREAD_CNODE);
/// The root thread's TCB.
pub const ME: Tcb = Tcb(cap::INIT_THREAD_TCB);
/// The root thread's VSpace (PML4, ASID 1).
pub const VSPACE: CPtr = cap::INIT_THREAD_VSPACE;
/// ASID control and the root's ASID pool.
pub const ASID_CONTROL: CPtr = cap::ASID_CONTROL;
pub const ROOT_POOL: CPtr = cap::INIT_THREAD_ASID_POOL;
/// The root's priority during the tests; children get the same, so a Yield
/// by the root lets them run.
pub const PRIO: u64 = 100;
/// Yields the root makes while waiting for a child before giving up.
pub const MAX_YIELDS: usize = 5000;

/// The slot window: the last 1536 slots of the 2^13-slot root CNode.
pub const WIN_END: u64 = 1 << 13;
pub const WIN_START: u64 = WIN_END - 1536;

/// Where tests map in the root VSpace: PML4 slot 1 (512 GiB up), far from
/// the image, which the boot code mapped under PML4 slot 0.
pub const AREA: u64 = 0x80_0000_0000;
/// A second area (PML4 slot 2).
pub const AREA2: u64 = 0x100_0000_0000;

pub const PAGE: u64 = 4096;
pub const LARGE: u64 = 1 << 21;
pub const HUGE: u64 = 1 << 30;

/// log2 size of the per-test untyped (capped by the largest RAM untyped).
const TEST_UT_BITS: u64 = 25;

/// The label of a child's report on its endpoint (fault labels are 1..5).
pub const DONE: u64 = 0x77;

// ------------------------------------------------------------ shared words

/// Words children and the root share; reset to 0 after every test.
pub static SH: [AtomicU64; 16] = [const { AtomicU64::new(0) }; 16];

pub fn get(i: usize) -> u64 {
    SH[i].load(SeqCst)
}

pub fn set(i: usize, v: u64) {
    SH[i].store(v, SeqCst)
}

// ------------------------------------------------------------ child threads

/// The children's memory (at most four at a time), in this image.
static POOL: ThreadPool<4> = ThreadPool::new();

/// What a child sent the root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    /// A fault message (the child waits for a reply).
    Fault(Fault),
    /// A report: label DONE, MR0.
    Done(u64),
    /// Anything else.
    Other(MessageInfo),
}

/// NBRecv on `ep`; `None` when nothing was there (the root enters NBRecv
/// with info 0, which a failed NBRecv leaves alone; every message here has
/// a nonzero label).
pub fn try_recv(ep: CPtr) -> Option<Msg> {
    let (info, badge) = sel4::nb_recv(ep);
    if info.word() == 0 && badge == 0 {
        return None;
    }
    Some(match info.label() {
        DONE => Msg::Done(sel4::get_mr(0)),
        1..=5 => Msg::Fault(Fault::decode(info, sel4::get_mr)),
        _ => Msg::Other(info),
    })
}

/// Polls `ep` between Yields until a message arrives (bounded).
pub fn recv(ep: CPtr) -> Result<Msg, Failure> {
    for _ in 0..MAX_YIELDS {
        if let Some(m) = try_recv(ep) {
            return Ok(m);
        }
        sel4::yield_now();
    }
    Err(Failure::new(format_args!("no message from the child after {MAX_YIELDS} yields")))
}

/// Receives a VM fault, failing the test on anything else.
pub fn recv_vm_fault(ep: CPtr) -> Result<(u64, u64, bool, u64), Failure> {
    match recv(ep)? {
        Msg::Fault(Fault::VMFault { ip, addr, prefetch, fsr }) => Ok((ip, addr, prefetch, fsr)),
        m => Err(Failure::new(format_args!("expected a VMFault, got {m:?}"))),
    }
}

/// Receives a child's report, failing the test on anything else.
pub fn recv_done(ep: CPtr) -> Result<u64, Failure> {
    match recv(ep)? {
        Msg::Done(v) => Ok(v),
        m => Err(Failure::new(format_args!("expected the child's report, got {m:?}"))),
    }
}

/// Answers the message just received (a fault: the child restarts).
pub fn reply() {
    sel4::reply(MessageInfo::new(0, 0, 0, 0));
}

/// In a child: reports `v` to the root on `ep` (a Send: returns once the
/// root has taken it).
pub fn report(ep: CPtr, v: u64) {
    let mut r = sel4::MsgRegs::default();
    r.0[0] = v;
    sel4::sys_send(ep, MessageInfo::new(DONE, 0, 0, 1), &mut r);
}

// ------------------------------------------------------------ the environment

pub struct Env {
    pub bi: &'static BootInfo,
    /// The per-test untyped and its physical address.
    pub ut: Untyped,
    pub ut_bits: u64,
    pub ut_paddr: u64,
    /// A device untyped of at least 1 GiB: (cptr, paddr, size bits).
    pub dev_huge: Option<(CPtr, u64, u64)>,
    /// The smallest device untyped of at least 4 KiB: (cptr, paddr, size bits).
    pub dev_small: Option<(CPtr, u64, u64)>,
    /// A RAM untyped of at least 1 GiB (none with 512 MiB of RAM).
    pub ram_huge: Option<CPtr>,
    next: Cell<u64>,
}

impl Env {
    /// Carves the per-test untyped out of the largest RAM untyped (into the
    /// first empty slot) and sets the root's priority.
    pub fn new(bi: &'static BootInfo) -> Result<Env, Failure> {
        let n = (bi.untyped.end - bi.untyped.start) as usize;
        let list = &bi.untyped_list[..n];
        let all = || list.iter().enumerate().map(|(i, u)| (bi.untyped.start + i as u64, u));
        // The test untyped comes from the smallest RAM untyped big enough
        // (the largest if none is), so a 1 GiB one stays whole if possible.
        let ram_uts = || all().filter(|(_, u)| u.is_device == 0);
        let pick = ram_uts()
            .filter(|(_, u)| u.size_bits as u64 >= TEST_UT_BITS)
            .min_by_key(|(_, u)| u.size_bits)
            .or_else(|| ram_uts().max_by_key(|(_, u)| u.size_bits));
        let Some((ram, u)) = pick else {
            return Err(Failure::new(format_args!("no RAM untyped")));
        };
        let ut_bits = (u.size_bits as u64).min(TEST_UT_BITS);
        let ut_paddr = u.paddr;
        let dev_huge = all()
            .filter(|(_, u)| u.is_device != 0 && u.size_bits >= 30)
            .min_by_key(|(_, u)| u.paddr)
            .map(|(c, u)| (c, u.paddr, u.size_bits as u64));
        let dev_small = all()
            .filter(|(_, u)| u.is_device != 0 && u.size_bits >= 12)
            .min_by_key(|(_, u)| u.size_bits)
            .map(|(c, u)| (c, u.paddr, u.size_bits as u64));
        let ram_huge = ram_uts().find(|&(c, u)| c != ram && u.size_bits >= 30).map(|(c, _)| c);
        let slot = bi.empty.start;
        guest_test::ok!(Untyped(ram).retype(ObjectType::Untyped, ut_bits, ROOT, 0, 0, slot, 1));
        guest_test::ok!(ME.set_priority(ME, PRIO));
        if bi.empty.end < WIN_END || bi.empty.start + 8 > WIN_START {
            return Err(Failure::new(format_args!("the slot window is not empty")));
        }
        Ok(Env {
            bi,
            ut: Untyped(slot),
            ut_bits,
            ut_paddr,
            dev_huge,
            dev_small,
            ram_huge,
            next: Cell::new(WIN_START),
        })
    }

    /// Runs one test, then cleans up after it; a failed cleanup fails the test.
    pub fn test(&self, s: &mut Suite, name: &str, f: fn(&Env) -> TestResult) {
        s.run_with_cleanup(name, || f(self), || self.cleanup());
    }

    fn cleanup(&self) -> TestResult {
        // Destroys every object and thread the test made (and frees the
        // threads' pool entries).
        let mut first_err = POOL.revoke(self.ut).err();
        // (A 1 GiB RAM frame comes from an untyped that may be the parent of
        // the test untyped: it is not revoked, its frame's window slot is
        // deleted below.)
        for d in [self.dev_huge, self.dev_small].into_iter().flatten() {
            if let Err(e) = ROOT.revoke(d.0, D) {
                first_err.get_or_insert(e);
            }
        }
        for slot in WIN_START..self.next.get() {
            if let Err(e) = ROOT.delete(slot, D) {
                first_err.get_or_insert(e);
            }
        }
        self.next.set(WIN_START);
        for w in SH.iter() {
            w.store(0, SeqCst);
        }
        sel4::with_ipc_buffer(|b| b.caps_or_badges = [0; 3]);
        match first_err {
            None => Ok(()),
            Some(e) => Err(Failure::new(format_args!("cleanup after the test failed: {e:?}"))),
        }
    }

    /// A fresh slot in the window.
    pub fn slot(&self) -> CPtr {
        self.slots(1)
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
        self.objs(ty, size_bits, 1)
    }

    /// Retypes `n` objects (n <= 256) into fresh consecutive slots; returns the first.
    pub fn objs(&self, ty: ObjectType, size_bits: u64, n: u64) -> Result<CPtr, sel4::Error> {
        let s = self.slots(n);
        self.ut.retype(ty, size_bits, ROOT, 0, 0, s, n)?;
        Ok(s)
    }

    /// Retypes one object from another untyped into a fresh slot.
    pub fn obj_from(&self, ut: CPtr, ty: ObjectType, size_bits: u64) -> Result<CPtr, sel4::Error> {
        let s = self.slot();
        Untyped(ut).retype(ty, size_bits, ROOT, 0, 0, s, 1)?;
        Ok(s)
    }

    pub fn frame(&self) -> Result<CPtr, sel4::Error> {
        self.obj(ObjectType::SmallPage, 0)
    }

    pub fn endpoint(&self) -> Result<CPtr, sel4::Error> {
        self.obj(ObjectType::Endpoint, 0)
    }

    /// Copies `src` (rights masked by `rights`) into a fresh slot.
    pub fn copy(&self, src: CPtr, rights: sel4::CapRights) -> Result<CPtr, sel4::Error> {
        let s = self.slot();
        ROOT.copy(s, D, ROOT, src, D, rights)?;
        Ok(s)
    }

    /// The image frame cap that maps `vaddr`.
    pub fn frame_of(&self, vaddr: u64) -> CPtr {
        image_frame_cap(self.bi, vaddr)
    }

    /// Creates, configures and starts a child thread running `f(arg)` in the
    /// root's CSpace and VSpace `vspace`, at the root's priority, with fault
    /// endpoint `fault_ep` (a root-CNode cptr; 0 for none).
    pub fn spawn_in(&self, vspace: CPtr, fault_ep: CPtr, f: fn(u64), arg: u64) -> Result<Tcb, Failure> {
        let c = POOL.thread(self.bi, self.ut, self.slot(), vspace, fault_ep, PRIO)?;
        POOL.start(&c, f, arg)?;
        Ok(c.tcb)
    }

    /// `spawn_in` the root's VSpace.
    pub fn spawn(&self, fault_ep: CPtr, f: fn(u64), arg: u64) -> Result<Tcb, Failure> {
        self.spawn_in(VSPACE, fault_ep, f, arg)
    }

    /// The image's first and last page (for mapping it into another VSpace).
    pub fn image_pages(&self) -> (u64, u64) {
        let start = image_start() & !(PAGE - 1);
        let n = self.bi.user_image_frames.end - self.bi.user_image_frames.start;
        (start, start + (n - 1) * PAGE)
    }
}
