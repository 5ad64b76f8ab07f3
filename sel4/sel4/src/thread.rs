//! Threads in the caller's own CSpace and VSpace: retype a TCB from an
//! untyped, configure it with the caller's roots and an IPC buffer frame of
//! its own, then set its registers and resume it. The thread starts in
//! [`thread_entry`], which runs the given `fn(u64)` and then suspends the
//! thread (a thread has nowhere to return to).
//!
//! Until the root task can map frames of its own (T3), a thread's IPC buffer
//! is a page of the program image (e.g. page-aligned space in `.bss`) whose
//! frame cap BootInfo lists in `userImageFrames`.

use crate::{yield_now, CNode, CPtr, Error, TlsBlock, Tcb, Untyped};
use sel4_abi::{IpcBuffer, ObjectType, UserContext};

/// RFLAGS of a new thread: IF and the always-one bit 1, as seL4 gives.
const INITIAL_RFLAGS: u64 = 0x202;

/// The memory a thread uses in the shared address space.
pub struct ThreadMemory {
    ipc_buffer: u64,
    ipc_frame: CPtr,
    stack_top: u64,
    tls: &'static TlsBlock,
}

impl ThreadMemory {
    /// `ipc_buffer`: vaddr of the thread's IPC buffer (1 KiB aligned; 0 for
    /// none) inside the frame `ipc_frame`; `stack_top`: 16-byte aligned end
    /// of its stack; `tls`: its TLS block.
    ///
    /// # Safety
    /// While the thread runs, no other thread may use this IPC buffer, stack
    /// or TLS block, and they must stay mapped and writable.
    pub unsafe fn new(ipc_buffer: u64, ipc_frame: CPtr, stack_top: u64, tls: &'static TlsBlock) -> ThreadMemory {
        assert!(stack_top.is_multiple_of(16), "stack top must be 16-byte aligned");
        ThreadMemory { ipc_buffer, ipc_frame, stack_top, tls }
    }

    /// The IPC buffer vaddr (0: none).
    pub fn ipc_buffer(&self) -> u64 {
        self.ipc_buffer
    }

    /// The IPC buffer's frame cap.
    pub fn ipc_frame(&self) -> CPtr {
        self.ipc_frame
    }

    /// The stack's end.
    pub fn stack_top(&self) -> u64 {
        self.stack_top
    }

    /// The TLS block.
    pub fn tls(&self) -> &'static TlsBlock {
        self.tls
    }
}

/// A thread's TCB capability, as created here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thread {
    pub tcb: Tcb,
}

impl Thread {
    /// Retypes one TCB from `untyped` into slot `slot` of `dest` (`dest`
    /// itself is the destination CNode, node depth 0).
    pub fn create(untyped: Untyped, dest: CNode, slot: u64) -> Result<Thread, Error> {
        untyped.retype(ObjectType::TCB, 0, dest, 0, 0, slot, 1)?;
        Ok(Thread { tcb: Tcb(slot) })
    }

    /// Gives the thread `cspace`/`vspace` (cap data 0: as they are), fault
    /// endpoint `fault_ep` (a cptr in `cspace`; 0 for none) and the IPC
    /// buffer of `mem`.
    pub fn configure(&self, fault_ep: CPtr, cspace: CNode, vspace: CPtr, mem: &ThreadMemory) -> Result<(), Error> {
        let frame = if mem.ipc_buffer == 0 { 0 } else { mem.ipc_frame };
        self.tcb.configure(fault_ep, cspace, 0, vspace, 0, mem.ipc_buffer, frame)
    }

    /// The registers [`Thread::start`] writes: RIP at [`thread_entry`],
    /// RSP just below `stack_top` (as after a call), RDI = `arg`, RSI =
    /// `entry`, RDX = this TCB's cptr, FS base = the TLS block.
    pub fn initial_context(&self, mem: &ThreadMemory, entry: fn(u64), arg: u64) -> UserContext {
        UserContext {
            rip: thread_entry as extern "C" fn(u64, u64, u64) -> ! as usize as u64,
            rsp: mem.stack_top - 8,
            rflags: INITIAL_RFLAGS,
            rdi: arg,
            rsi: entry as usize as u64,
            rdx: self.tcb.0,
            fs_base: mem.tls.base(),
            ..UserContext::default()
        }
    }

    /// Fills the TLS block and starts the thread at `entry(arg)` with
    /// WriteRegisters (resume_target set).
    pub fn start(&self, mem: &ThreadMemory, entry: fn(u64), arg: u64) -> Result<(), Error> {
        // SAFETY: ThreadMemory::new's contract: the block is this thread's,
        // and the thread is not running yet (it is being started).
        unsafe { mem.tls.init(mem.ipc_buffer as *mut IpcBuffer, self.tcb.0) };
        let ctx = self.initial_context(mem, entry, arg);
        self.tcb.write_registers(true, 0, sel4_abi::USER_CONTEXT_WORDS as u64, &ctx)
    }
}

/// Creates, configures, prioritises and starts a thread running
/// `entry(arg)` in the caller's CSpace `cspace` and VSpace `vspace`.
#[allow(clippy::too_many_arguments)]
pub fn spawn(
    untyped: Untyped,
    cspace: CNode,
    slot: u64,
    vspace: CPtr,
    fault_ep: CPtr,
    authority: Tcb,
    priority: u64,
    mem: &ThreadMemory,
    entry: fn(u64),
    arg: u64,
) -> Result<Thread, Error> {
    let t = Thread::create(untyped, cspace, slot)?;
    t.configure(fault_ep, cspace, vspace, mem)?;
    t.tcb.set_priority(authority, priority)?;
    t.start(mem, entry, arg)?;
    Ok(t)
}

/// Where every thread started by [`Thread::start`] begins: runs `entry(arg)`,
/// then suspends itself through its own TCB cap.
extern "C" fn thread_entry(arg: u64, entry: u64, tcb: u64) -> ! {
    // SAFETY: `start` put a `fn(u64)` in RSI, which arrives here as `entry`;
    // fn pointers and u64 have the same size on x86_64.
    let f: fn(u64) = unsafe { core::mem::transmute::<u64, fn(u64)>(entry) };
    f(arg);
    let _ = Tcb(tcb).suspend();
    // Only reached if the suspend failed (the cap is gone): stay out of the way.
    loop {
        yield_now();
    }
}
