//! The well-formed invocations the fuzzer's own control code needs (setup,
//! sanity checks, teardown, the watchdog): a raw Call with MRs and extra
//! caps, and a few named wrappers. Each returns the whole reply, so a check
//! can report the error code and its detail words.

use crate::ipcbuf::Buf;
use sel4::abi::invocation::InvocationLabel as L;
use sel4::abi::{cap, MessageInfo, WORD_BITS};
use sel4::MsgRegs;

pub const ROOT_TCB: u64 = cap::INIT_THREAD_TCB;
pub const ROOT_CNODE: u64 = cap::INIT_THREAD_CNODE;
pub const ROOT_VSPACE: u64 = cap::INIT_THREAD_VSPACE;
pub const IPC_FRAME: u64 = cap::INIT_THREAD_IPC_BUFFER;
/// Depth of a slot number in the root CNode (radix 13 plus a 51-bit guard).
pub const DEPTH: u64 = WORD_BITS as u64;

/// A kernel reply: label (error code, 0 = success), length and MR0..7.
#[derive(Clone, Copy, Debug)]
pub struct Reply {
    pub label: u64,
    pub len: u64,
    pub mrs: [u64; 8],
}

impl Reply {
    pub fn ok(&self) -> bool {
        self.label == 0
    }
}

impl core::fmt::Display for Reply {
    fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
        let n = (self.len as usize).min(8);
        write!(f, "label {} mrs {:x?}", self.label, &self.mrs[..n])
    }
}

/// Call `cptr` with `label`, the MRs and extra caps given.
pub fn invoke(cptr: u64, label: u64, mrs: &[u64], caps: &[u64]) -> Reply {
    let buf = Buf::current();
    let mut regs = MsgRegs::default();
    for (i, v) in mrs.iter().enumerate() {
        if i < 4 {
            regs.0[i] = *v;
        } else {
            buf.set_mr(i, *v);
        }
    }
    for (i, c) in caps.iter().enumerate() {
        buf.set_cap(i, *c);
    }
    let info = MessageInfo::new(label, 0, caps.len() as u64, mrs.len() as u64);
    let (_, out) = sel4::sys_call(cptr, info, &mut regs);
    let mut r = Reply { label: out.label(), len: out.length(), mrs: [0; 8] };
    for i in 0..(r.len as usize).min(8) {
        r.mrs[i] = if i < 4 { regs.0[i] } else { buf.mr(i) };
    }
    r
}

pub fn retype(untyped: u64, ty: u64, size_bits: u64, dest: u64, count: u64) -> Reply {
    invoke(untyped, L::UntypedRetype as u64, &[ty, size_bits, 0, 0, dest, count], &[ROOT_CNODE])
}

pub fn revoke(slot: u64) -> Reply {
    invoke(ROOT_CNODE, L::CNodeRevoke as u64, &[slot, DEPTH], &[])
}

pub fn delete(slot: u64) -> Reply {
    invoke(ROOT_CNODE, L::CNodeDelete as u64, &[slot, DEPTH], &[])
}

pub fn mint(dest: u64, src: u64, rights: u64, badge: u64) -> Reply {
    invoke(ROOT_CNODE, L::CNodeMint as u64, &[dest, DEPTH, src, DEPTH, rights, badge], &[ROOT_CNODE])
}

pub fn tcb_set_space(tcb: u64, fault_ep: u64) -> Reply {
    invoke(tcb, L::TCBSetSpace as u64, &[fault_ep, 0, 0], &[ROOT_CNODE, ROOT_VSPACE])
}

pub fn tcb_set_mcp(tcb: u64, mcp: u64, authority: u64) -> Reply {
    invoke(tcb, L::TCBSetMCPriority as u64, &[mcp], &[authority])
}

/// ReadRegisters of the first `count` (at most 8) registers.
pub fn tcb_read_registers(tcb: u64, suspend: bool, count: u64) -> Reply {
    invoke(tcb, L::TCBReadRegisters as u64, &[suspend as u64, count], &[])
}

/// WriteRegisters of the first `regs.len()` (at most 10) registers.
pub fn tcb_write_registers(tcb: u64, resume: bool, regs: &[u64]) -> Reply {
    let mut mrs = [0u64; 12];
    mrs[0] = resume as u64;
    mrs[1] = regs.len() as u64;
    mrs[2..2 + regs.len()].copy_from_slice(regs);
    invoke(tcb, L::TCBWriteRegisters as u64, &mrs[..2 + regs.len()], &[])
}
