//! Thread control blocks. A TCB object (2^11 bytes, seL4_TCBBits) holds the
//! thread's own small CNode in its first half (CSpace root, VSpace root,
//! reply and caller slots, IPC buffer frame) and the [`Tcb`] in its second.

use crate::arch::x86_64::cpu::FpuState;
use crate::arch::x86_64::traps::TrapFrame;
use crate::kmem;
use crate::object::cnode;
use kernel_core::cap::Cte;

/// Offset of [`Tcb`] inside a TCB object (seL4's TCB_OFFSET).
pub const TCB_OFFSET: u64 = 1 << 10;

/// Slots of the TCB's own CNode (seL4's tcb_cnode_index).
pub const SLOT_CTABLE: u64 = 0;
pub const SLOT_VTABLE: u64 = 1;
pub const SLOT_REPLY: u64 = 2;
pub const SLOT_CALLER: u64 = 3;
pub const SLOT_BUFFER: u64 = 4;
/// How many slots the TCB's own CNode has.
pub const NUM_SLOTS: u64 = 5;

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

/// What a blocked thread is blocked on, and the IPC details seL4 keeps in
/// its thread state (blockingObject, blockingIPCBadge, CanGrant, ...).
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub struct Blocking {
    /// The endpoint or notification object.
    pub object: u64,
    pub badge: u64,
    pub can_grant: bool,
    pub can_grant_reply: bool,
    pub is_call: bool,
}

#[repr(C, align(16))]
pub struct Tcb {
    pub fpu: FpuState,
    /// User registers; `frame.rip` is where the thread resumes (NextIP).
    pub frame: TrapFrame,
    /// seL4's FaultIP: the instruction to re-execute on a restart (the
    /// `syscall` itself for a thread that entered by system call).
    pub fault_ip: u64,
    pub fs_base: u64,
    pub gs_base: u64,
    pub state: ThreadState,
    pub blocking: Blocking,
    pub priority: u8,
    pub mcp: u8,
    pub domain: u8,
    /// seL4_TCBFlag bits (bit 0: fpuDisabled).
    pub flags: u64,
    /// The fault endpoint, a cptr in this thread's CSpace (non-MCS).
    pub fault_ep: u64,
    /// The IPC buffer's user address (its frame is in SLOT_BUFFER).
    pub ipc_buffer: u64,
    /// The pending fault, while it is being delivered and answered.
    pub fault: Option<crate::fault::Fault>,
    /// The notification bound to this thread (0: none).
    pub bound_notification: u64,
    /// Links in a ready queue or an endpoint/notification queue (TCB objects, 0 = none).
    pub sched_next: u64,
    pub sched_prev: u64,
    pub queued: bool,
    pub ep_next: u64,
    pub ep_prev: u64,
    /// Timer ticks left in this thread's time slice.
    pub time_slice: u32,
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

    /// Initialises a fresh TCB object as seL4's retype does. Every field is
    /// written: zeroed memory is not a valid `Tcb` (e.g. `fault: None`).
    pub fn init(obj: u64) -> &'static mut Tcb {
        let t = Tcb {
            fpu: FpuState::initial(),
            frame: TrapFrame {
                cs: crate::arch::x86_64::gdt::USER_CS,
                ss: crate::arch::x86_64::gdt::USER_SS,
                rflags: 0x202,
                ..Default::default()
            },
            fault_ip: 0,
            fs_base: 0,
            gs_base: 0,
            state: ThreadState::Inactive,
            blocking: Blocking::default(),
            priority: 0,
            mcp: 0,
            domain: 0,
            flags: 0,
            fault_ep: 0,
            ipc_buffer: 0,
            fault: None,
            bound_notification: 0,
            sched_next: 0,
            sched_prev: 0,
            queued: false,
            ep_next: 0,
            ep_prev: 0,
            time_slice: crate::sched::TIME_SLICE,
            name: [0; 32],
        };
        // SAFETY: `obj` is a fresh TCB object (2 KiB, aligned); the Tcb part
        // at TCB_OFFSET is written whole before any reference to it exists.
        unsafe {
            let p = kmem::phys_to_virt(obj + TCB_OFFSET) as *mut Tcb;
            p.write(t);
            &mut *p
        }
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

    /// The PML4 this thread runs in, if its VSpace root is usable.
    #[inline]
    pub fn vspace_root(&self) -> Option<u64> {
        self.slot(SLOT_VTABLE).cap.as_assigned_pml4()
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
}

/// seL4_UserContext word indices.
pub use sel4_abi::context::reg;

const FLAGS_IF: u64 = 1 << 9;
const FLAGS_RESERVED1: u64 = 1 << 1;
/// Flags a user may set: CF, PF, AF, ZF, SF, DF, OF (and IF, forced on).
const FLAGS_USER_MASK: u64 = 0x0CD5;

/// seL4 Mode_sanitiseRegister: an address in the non-canonical hole becomes
/// 0 (a kernel-half address is kept: user mode cannot use it anyway, and the
/// MSRs and IRETQ accept it).
fn canonical_or_zero(v: u64) -> u64 {
    if (0x0000_8000_0000_0000..0xFFFF_8000_0000_0000).contains(&v) { 0 } else { v }
}

impl Tcb {
    /// A register by seL4_UserContext index (RIP is seL4's FaultIP).
    pub fn register(&self, i: usize) -> u64 {
        let f = &self.frame;
        match i {
            reg::RIP => self.fault_ip,
            reg::RSP => f.rsp,
            reg::RFLAGS => f.rflags,
            reg::RAX => f.rax,
            reg::RBX => f.rbx,
            reg::RCX => f.rcx,
            reg::RDX => f.rdx,
            reg::RSI => f.rsi,
            reg::RDI => f.rdi,
            reg::RBP => f.rbp,
            reg::R8 => f.r8,
            reg::R9 => f.r9,
            reg::R10 => f.r10,
            reg::R11 => f.r11,
            reg::R12 => f.r12,
            reg::R13 => f.r13,
            reg::R14 => f.r14,
            reg::R15 => f.r15,
            reg::FS_BASE => self.fs_base,
            reg::GS_BASE => self.gs_base,
            _ => 0,
        }
    }

    /// Writes a register by seL4_UserContext index, sanitised as seL4's
    /// sanitiseRegister does: flags keep only user bits with IF on; RIP
    /// and the segment bases must be canonical user addresses (else 0).
    /// Writing RIP sets both FaultIP and the resume address.
    pub fn set_register(&mut self, i: usize, v: u64) {
        let f = &mut self.frame;
        match i {
            reg::RIP => {
                let v = canonical_or_zero(v);
                self.fault_ip = v;
                f.rip = v;
            }
            reg::RSP => f.rsp = v,
            reg::RFLAGS => f.rflags = (v & FLAGS_USER_MASK) | FLAGS_IF | FLAGS_RESERVED1,
            reg::RAX => f.rax = v,
            reg::RBX => f.rbx = v,
            reg::RCX => f.rcx = v,
            reg::RDX => f.rdx = v,
            reg::RSI => f.rsi = v,
            reg::RDI => f.rdi = v,
            reg::RBP => f.rbp = v,
            reg::R8 => f.r8 = v,
            reg::R9 => f.r9 = v,
            reg::R10 => f.r10 = v,
            reg::R11 => f.r11 = v,
            reg::R12 => f.r12 = v,
            reg::R13 => f.r13 = v,
            reg::R14 => f.r14 = v,
            reg::R15 => f.r15 = v,
            reg::FS_BASE => self.fs_base = canonical_or_zero(v),
            reg::GS_BASE => self.gs_base = canonical_or_zero(v),
            _ => {}
        }
    }

    /// After the kernel rewrote user registers, the thread must return by
    /// IRETQ, which restores all of them (SYSRET would lose RCX and R11).
    pub fn registers_modified(&mut self) {
        self.frame.vector = crate::arch::x86_64::traps::MODIFIED_VECTOR;
    }
}
