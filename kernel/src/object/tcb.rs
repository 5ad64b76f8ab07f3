//! Thread control blocks. A TCB object (2^11 bytes, seL4_TCBBits) holds the
//! thread's own small CNode in its first half (CSpace root, VSpace root,
//! reply and caller slots, IPC buffer frame) and the [`Tcb`] in its second.

use crate::arch::x86_64::cpu::FpuState;
use crate::arch::x86_64::traps::TrapFrame;
use crate::kmem;
use crate::object::cnode;
use kernel_core::cap::{Cap, Cte};

/// Offset of [`Tcb`] inside a TCB object (seL4's TCB_OFFSET).
pub const TCB_OFFSET: u64 = 1 << 10;

/// Slots of the TCB's own CNode (seL4's tcb_cnode_index).
pub const SLOT_CTABLE: u64 = 0;
pub const SLOT_VTABLE: u64 = 1;
pub const SLOT_REPLY: u64 = 2;
pub const SLOT_CALLER: u64 = 3;
pub const SLOT_BUFFER: u64 = 4;

/// seL4's thread states.
#[repr(u64)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ThreadState {
    Inactive = 0,
    Running = 1,
    Restart = 2,
    BlockedOnReceive = 3,
    BlockedOnSend = 4,
    BlockedOnReply = 5,
    BlockedOnNotification = 6,
}

#[repr(C, align(16))]
pub struct Tcb {
    pub fpu: FpuState,
    pub frame: TrapFrame,
    pub fs_base: u64,
    pub gs_base: u64,
    pub state: ThreadState,
    pub priority: u8,
    pub mcp: u8,
    pub domain: u8,
    /// The fault endpoint, a cptr in this thread's CSpace (non-MCS).
    pub fault_ep: u64,
    /// The IPC buffer's user address (its frame is in SLOT_BUFFER).
    pub ipc_buffer: u64,
    pub name: [u8; 32],
}

const _: () = assert!(core::mem::size_of::<Tcb>() as u64 <= (1 << sel4_abi::TCB_BITS) - TCB_OFFSET);

impl Tcb {
    /// The TCB of the TCB object at physical `obj`.
    pub fn at(obj: u64) -> &'static mut Tcb {
        // SAFETY: `obj` comes from a thread capability or the boot code: a live
        // TCB object, 2 KiB aligned, so the Tcb at TCB_OFFSET is aligned too.
        unsafe { kmem::object_mut::<Tcb>(obj + TCB_OFFSET) }
    }

    /// Initialises a fresh (zeroed) TCB object as seL4's retype does.
    pub fn init(obj: u64) -> &'static mut Tcb {
        let t = Tcb::at(obj);
        t.fpu = FpuState::initial();
        t.frame = TrapFrame {
            cs: crate::arch::x86_64::gdt::USER_CS,
            ss: crate::arch::x86_64::gdt::USER_SS,
            rflags: 0x202,
            ..Default::default()
        };
        t.state = ThreadState::Inactive;
        t
    }

    /// The physical address of this TCB's object (for capabilities).
    pub fn object(&self) -> u64 {
        self as *const Tcb as u64 - kmem::WINDOW_BASE - TCB_OFFSET
    }

    /// One of the TCB's own slots.
    pub fn slot(&self, index: u64) -> &'static mut Cte {
        cnode::slot(self.object(), index)
    }

    pub fn cspace_root(&self) -> kernel_core::cap::RawCap {
        self.slot(SLOT_CTABLE).cap
    }

    pub fn vspace_root(&self) -> Option<u64> {
        match Cap::decode(self.slot(SLOT_VTABLE).cap) {
            Some(Cap::Pml4 { paddr, asid: Some(_) }) => Some(paddr),
            _ => None,
        }
    }

    pub fn name(&self) -> &str {
        let n = self.name.iter().position(|&b| b == 0).unwrap_or(self.name.len());
        core::str::from_utf8(&self.name[..n]).unwrap_or("?")
    }

    pub fn set_name(&mut self, name: &[u8]) {
        let n = name.len().min(self.name.len() - 1);
        self.name = [0; 32];
        self.name[..n].copy_from_slice(&name[..n]);
    }

    /// The IPC buffer's physical address, if the thread has a usable one.
    pub fn ipc_buffer_paddr(&self) -> Option<u64> {
        match Cap::decode(self.slot(SLOT_BUFFER).cap) {
            Some(Cap::Frame { paddr, size, device: false, .. }) => {
                let mask = (1u64 << size.bits()) - 1;
                Some(paddr + (self.ipc_buffer & mask))
            }
            _ => None,
        }
    }
}
