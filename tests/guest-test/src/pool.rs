//! Child threads of a root-task test suite, in the root's own image: a
//! [`ThreadPool`] of IPC-buffer pages, stacks and TLS blocks in `.bss` (so
//! BootInfo's `userImageFrames` covers the pages and [`image_frame_cap`]
//! finds their frame caps), each entry lent to one thread until the test
//! that made it is cleaned up, and the create/start/revoke helpers built on
//! `sel4::thread` (children share the root's CSpace; the root's TCB is the
//! priority authority).

use crate::{Failure, TestResult};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use sel4::abi::cap;
use sel4::thread::{Thread, ThreadMemory};
use sel4::{BootInfo, CNode, CPtr, Tcb, TlsBlock, Untyped, UserContext};

const PAGE: usize = 4096;
/// Bytes of stack each pooled thread gets.
pub const STACK_SIZE: usize = 16 * 1024;

const ROOT: CNode = CNode(cap::INIT_THREAD_CNODE);
const ME: Tcb = Tcb(cap::INIT_THREAD_TCB);

extern "C" {
    static __ehdr_start: u8;
    static _end: u8;
}

/// The program image's first byte (its ELF header, `__ehdr_start`).
pub fn image_start() -> u64 {
    &raw const __ehdr_start as u64
}

/// The end of the program image (the linker's `_end`, past `.bss`).
pub fn image_end() -> u64 {
    &raw const _end as u64
}

/// The frame cap BootInfo's `userImageFrames` gives for the image page that
/// holds `vaddr` (an address of this program's image).
pub fn image_frame_cap(bi: &BootInfo, vaddr: u64) -> CPtr {
    let page = PAGE as u64;
    bi.user_image_frames.start + (vaddr / page - image_start() / page)
}

#[repr(C, align(4096))]
struct Page([u8; PAGE]);

#[repr(C, align(16))]
struct Stack([u8; STACK_SIZE]);

/// The memory of up to `N` child threads at a time. It lives in a `static`
/// (`static POOL: ThreadPool<4> = ThreadPool::new();`, which the methods
/// lending memory require): all zeros, so it lands in `.bss`, inside the
/// image.
pub struct ThreadPool<const N: usize> {
    pages: UnsafeCell<[Page; N]>,
    stacks: UnsafeCell<[Stack; N]>,
    tls: [TlsBlock; N],
    /// Entries lent out since the last [`ThreadPool::revoke`].
    used: AtomicUsize,
    /// The untyped every lent entry's TCB came from (0: none lent).
    untyped: AtomicU64,
}

// SAFETY: `create` lends each entry once (an atomic counter picks it) and
// writes its page only then, before the thread exists; afterwards only that
// thread uses the entry. Entries are lent again only after `revoke` revoked
// the one untyped all their threads' TCBs came from (`create` checks that),
// which destroyed those threads.
unsafe impl<const N: usize> Sync for ThreadPool<N> {}

/// A thread made on an entry of a [`ThreadPool`] (not started by
/// [`ThreadPool::thread`]; see [`ThreadPool::start`]).
#[derive(Clone, Copy, Debug)]
pub struct Child {
    pub tcb: Tcb,
    /// Its IPC buffer vaddr (0: configured without one).
    pub ipc: u64,
    /// The IPC buffer's frame cap (0: none).
    frame: CPtr,
    idx: usize,
}

impl<const N: usize> ThreadPool<N> {
    pub const fn new() -> Self {
        ThreadPool {
            pages: UnsafeCell::new([const { Page([0; PAGE]) }; N]),
            stacks: UnsafeCell::new([const { Stack([0; STACK_SIZE]) }; N]),
            tls: [const { TlsBlock::new() }; N],
            used: AtomicUsize::new(0),
            untyped: AtomicU64::new(0),
        }
    }

    /// Creates a thread on the next free entry: a TCB retyped from `ut`
    /// into root-CNode slot `slot`, given the root's CSpace, VSpace `vspace`,
    /// fault endpoint `fault_ep` (0: none), the entry's IPC buffer (cleared)
    /// and priority `prio`. Fails after `N` threads since the last
    /// [`ThreadPool::revoke`], or when an earlier one came from another
    /// untyped.
    pub fn thread(
        &'static self, bi: &BootInfo, ut: Untyped, slot: CPtr, vspace: CPtr, fault_ep: CPtr, prio: u64,
    ) -> Result<Child, Failure> {
        self.create(bi, ut, slot, vspace, fault_ep, prio, true)
    }

    /// Like [`ThreadPool::thread`], but the thread has no IPC buffer.
    pub fn thread_without_buffer(
        &'static self, bi: &BootInfo, ut: Untyped, slot: CPtr, vspace: CPtr, fault_ep: CPtr, prio: u64,
    ) -> Result<Child, Failure> {
        self.create(bi, ut, slot, vspace, fault_ep, prio, false)
    }

    #[allow(clippy::too_many_arguments)]
    fn create(
        &'static self, bi: &BootInfo, ut: Untyped, slot: CPtr, vspace: CPtr, fault_ep: CPtr, prio: u64,
        with_buffer: bool,
    ) -> Result<Child, Failure> {
        if let Err(other) = self.untyped.compare_exchange(0, ut.0, SeqCst, SeqCst) {
            if other != ut.0 {
                return Err(Failure::new(format_args!("pool threads from untyped {} and {other}", ut.0)));
            }
        }
        let idx = self.used.fetch_add(1, SeqCst);
        if idx >= N {
            return Err(Failure::new(format_args!("more than {N} threads in one test")));
        }
        let page = self.pages.get().cast::<Page>().wrapping_add(idx);
        // SAFETY: entry idx was just lent to this thread alone and the thread
        // does not exist yet; this clears what an earlier test's thread left
        // (receive paths, caps) in the page.
        unsafe { core::ptr::write_bytes(page, 0, 1) };
        let (ipc, frame) = if with_buffer { (page as u64, image_frame_cap(bi, page as u64)) } else { (0, 0) };
        let t = crate::ok!(Thread::create(ut, ROOT, slot));
        let c = Child { tcb: t.tcb, ipc, frame, idx };
        crate::ok!(t.configure(fault_ep, ROOT, vspace, &self.memory(&c)));
        crate::ok!(t.tcb.set_priority(ME, prio));
        Ok(c)
    }

    /// The memory `c` runs with (to start it by hand, or look at its TLS).
    pub fn memory(&'static self, c: &Child) -> ThreadMemory {
        let stack_top = self.stacks.get().cast::<Stack>().wrapping_add(c.idx + 1) as u64;
        // SAFETY: entry c.idx is lent to c's thread alone (see `create`)
        // until `revoke` has destroyed that thread.
        unsafe { ThreadMemory::new(c.ipc, c.frame, stack_top, &self.tls[c.idx]) }
    }

    /// Starts `c` at `f(arg)`: fills its TLS block and writes its registers.
    pub fn start(&'static self, c: &Child, f: fn(u64), arg: u64) -> TestResult {
        crate::ok!(Thread { tcb: c.tcb }.start(&self.memory(c), f, arg));
        Ok(())
    }

    /// The initial registers [`ThreadPool::start`] would give `c`.
    pub fn initial_context(&'static self, c: &Child, f: fn(u64), arg: u64) -> UserContext {
        Thread { tcb: c.tcb }.initial_context(&self.memory(c), f, arg)
    }

    /// Revokes `ut` (a root-CNode cptr), destroying every object made from
    /// it; when every thread of this pool came from `ut`, which were then
    /// destroyed too, their entries are free again.
    pub fn revoke(&self, ut: Untyped) -> Result<(), sel4::Error> {
        ROOT.revoke(ut.0, 64)?;
        if self.untyped.compare_exchange(ut.0, 0, SeqCst, SeqCst).is_ok() {
            self.used.store(0, SeqCst);
        }
        Ok(())
    }
}

impl<const N: usize> Default for ThreadPool<N> {
    fn default() -> Self {
        Self::new()
    }
}
