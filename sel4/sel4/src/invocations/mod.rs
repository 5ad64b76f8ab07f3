//! Typed kernel invocations: the role of libsel4's generated stubs. Each
//! method packs its arguments as `libsel4/tools/syscall_stub_gen.py` does
//! (indices from `sel4_abi::invocation`): cap arguments become extra caps in
//! `caps_or_badges`, the rest fill MRs in declaration order, MR0..3 in
//! registers and MR4 on in the IPC buffer. The invocation is a Call; a reply
//! with a nonzero label is returned as [`Error`] with its detail MRs.

mod cnode;
mod tcb;
mod untyped;
pub mod irq;
pub mod vspace;

pub use cnode::CNode;
pub use tcb::Tcb;
pub use untyped::Untyped;

use crate::arch::{self, MsgRegs};
use crate::ipc_buffer::{assert_not_lent, with_ipc_buffer};
use crate::{CPtr, Error};
use sel4_abi::{InvocationLabel, MessageInfo, FAST_MESSAGE_REGISTERS, MSG_MAX_EXTRA_CAPS, MSG_MAX_LENGTH};

/// A successful invocation's reply: its info and MR0..3 (MR4 and up are in
/// the IPC buffer, see [`crate::get_mr`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reply {
    pub info: MessageInfo,
    pub mrs: MsgRegs,
}

impl Reply {
    /// Result MR `i` (registers for 0..3, the IPC buffer beyond).
    pub fn mr(&self, i: usize) -> u64 {
        if i < FAST_MESSAGE_REGISTERS { self.mrs.0[i] } else { crate::get_mr(i) }
    }
}

/// Invokes `cap` with a raw label, MRs and extra caps, as a Call. This is
/// what every typed method uses; tests use it directly to send malformed
/// invocations (short messages, unknown labels).
pub fn invoke_raw(cap: CPtr, label: u64, mrs: &[u64], caps: &[CPtr]) -> Result<Reply, Error> {
    assert!(mrs.len() <= MSG_MAX_LENGTH && caps.len() <= MSG_MAX_EXTRA_CAPS);
    if mrs.len() > FAST_MESSAGE_REGISTERS || !caps.is_empty() {
        with_ipc_buffer(|b| {
            if mrs.len() > FAST_MESSAGE_REGISTERS {
                b.msg[FAST_MESSAGE_REGISTERS..mrs.len()].copy_from_slice(&mrs[FAST_MESSAGE_REGISTERS..]);
            }
            b.caps_or_badges[..caps.len()].copy_from_slice(caps);
        });
    }
    let mut regs = MsgRegs::default();
    let n = mrs.len().min(FAST_MESSAGE_REGISTERS);
    regs.0[..n].copy_from_slice(&mrs[..n]);
    let info = MessageInfo::new(label, 0, caps.len() as u64, mrs.len() as u64);
    assert_not_lent();
    let (_, reply) = arch::sys_call(cap, info, &mut regs);
    if reply.label() != 0 {
        let len = reply.length() as usize;
        let mut words = [0u64; crate::error::MAX_ERROR_DETAIL];
        words[..FAST_MESSAGE_REGISTERS].copy_from_slice(&regs.0);
        if len > FAST_MESSAGE_REGISTERS {
            with_ipc_buffer(|b| {
                words[FAST_MESSAGE_REGISTERS..].copy_from_slice(&b.msg[FAST_MESSAGE_REGISTERS..crate::error::MAX_ERROR_DETAIL])
            });
        }
        return Err(Error::from_reply(reply.label(), len, &words));
    }
    Ok(Reply { info: reply, mrs: regs })
}

/// [`invoke_raw`] with a typed label.
pub fn invoke(cap: CPtr, label: InvocationLabel, mrs: &[u64], caps: &[CPtr]) -> Result<Reply, Error> {
    invoke_raw(cap, label as u64, mrs, caps)
}
