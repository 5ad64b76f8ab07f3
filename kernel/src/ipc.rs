//! Message transfer (seL4 src/kernel/thread.c doIPCTransfer and friends):
//! message registers (MR0..3 in RCX-free registers R10, R8, R9, R15; the rest
//! in the IPC buffers), extra capabilities with Grant (unwrapped to a badge
//! when they name the endpoint the message travels on), fault messages, and
//! the reply that ends a Call.

use crate::fault::Fault;
use crate::kmem;
use crate::object::cnode;
use crate::object::tcb::{Tcb, ThreadState, SLOT_BUFFER};
use crate::sched;
use kernel_core::cap::{Cap, VmRights};
use kernel_core::cspace::{self, LookupFailure};
use sel4_abi::{MessageInfo, MSG_MAX_EXTRA_CAPS, MSG_MAX_LENGTH};

/// Message registers carried in CPU registers.
pub const FAST_MRS: usize = 4;
const CAPS_OR_BADGES: u64 = 976;
const RECEIVE_CNODE: u64 = 1000;

/// seL4 lookupIPCBuffer: the physical address of a thread's IPC buffer, if
/// it has a usable one (a non-device frame; writable for a receiver).
pub fn ipc_buffer(t: &Tcb, receiving: bool) -> Option<u64> {
    match Cap::decode_trusted(t.slot(SLOT_BUFFER).cap) {
        Cap::Frame { paddr, size, rights, device: false, .. } => {
            let ok = match rights {
                VmRights::ReadWrite => true,
                VmRights::ReadOnly => !receiving,
                _ => false,
            };
            ok.then(|| paddr + (t.ipc_buffer & ((1u64 << size.bits()) - 1)))
        }
        _ => None,
    }
}

pub fn get_mr(t: &Tcb, buf: Option<u64>, i: usize) -> u64 {
    match i {
        0 => t.frame.r10,
        1 => t.frame.r8,
        2 => t.frame.r9,
        3 => t.frame.r15,
        _ => buf.map(|b| kmem::read_u64(b + 8 + 8 * i as u64)).unwrap_or(0),
    }
}

/// seL4 setMR: returns how many MRs now count (i + 1, or 4 when MR i had
/// nowhere to go).
pub fn set_mr(t: &mut Tcb, buf: Option<u64>, i: usize, v: u64) -> usize {
    match i {
        0 => t.frame.r10 = v,
        1 => t.frame.r8 = v,
        2 => t.frame.r9 = v,
        3 => t.frame.r15 = v,
        _ => match buf {
            Some(b) if i < MSG_MAX_LENGTH as usize => kmem::write_u64(b + 8 + 8 * i as u64, v),
            _ => return FAST_MRS,
        },
    }
    i + 1
}

/// Writes a list of MRs from index `from`; returns the message length.
pub fn set_mrs(t: &mut Tcb, buf: Option<u64>, from: usize, vals: &[u64]) -> usize {
    let mut len = from;
    for (k, v) in vals.iter().enumerate() {
        len = set_mr(t, buf, from + k, *v);
    }
    len
}

/// The message info a thread passed in RSI, clamped as seL4 does.
pub fn message_info(t: &Tcb) -> MessageInfo {
    let mi = MessageInfo(t.frame.rsi);
    if mi.length() > MSG_MAX_LENGTH as u64 { mi.with_length(MSG_MAX_LENGTH as u64) } else { mi }
}

/// A looked-up extra capability: the cap and its slot.
#[derive(Clone, Copy)]
pub struct ExtraCap {
    pub cap: Cap,
    pub slot: u64,
}

/// seL4 lookupExtraCaps: the caps named in caps_or_badges; on failure the
/// fault to raise (a CapFault on the cptr).
pub fn lookup_extra_caps(t: &Tcb, buf: Option<u64>, info: MessageInfo) -> Result<([Option<ExtraCap>; 3], usize), Fault> {
    let mut out = [None; MSG_MAX_EXTRA_CAPS as usize];
    let Some(b) = buf else { return Ok((out, 0)) };
    let n = (info.extra_caps() as usize).min(MSG_MAX_EXTRA_CAPS as usize);
    for (i, o) in out.iter_mut().enumerate().take(n) {
        let cptr = kmem::read_u64(b + CAPS_OR_BADGES + 8 * i as u64);
        match cnode::lookup_cap(t.cspace_root(), cptr) {
            Ok((cap, slot)) => *o = Some(ExtraCap { cap, slot }),
            Err(lf) => return Err(Fault::CapFault { addr: cptr, in_recv: false, lf }),
        }
    }
    Ok((out, n))
}

/// seL4 deriveCap with the derivation-tree check for untypeds.
pub fn derive(slot: u64, cap: &Cap) -> Result<Cap, sel4_abi::Error> {
    if let Cap::Untyped { .. } = cap {
        if cnode::has_children(slot) {
            return Err(sel4_abi::Error::RevokeFirst);
        }
    }
    kernel_core::cap::derive_cap(cap).map_err(|_| sel4_abi::Error::IllegalOperation)
}

/// seL4 getReceiveSlots: the empty slot the receiver named for a cap.
fn receive_slot(t: &Tcb, buf: u64) -> Option<u64> {
    let cptr = kmem::read_u64(buf + RECEIVE_CNODE);
    let index = kmem::read_u64(buf + RECEIVE_CNODE + 8);
    let depth = kmem::read_u64(buf + RECEIVE_CNODE + 16);
    let (cnode, _) = cnode::lookup_cap(t.cspace_root(), cptr).ok()?;
    let s = cspace::lookup_slot_for_cnode_op(&cnode::PhysSlots, cnode.encode(), index, depth).ok()?;
    let slot = cnode::slot_paddr(&s);
    cnode::cap_at(slot).is_null().then_some(slot)
}

/// seL4 doIPCTransfer: a normal message or, if the sender is faulting, its
/// fault message. `ep` is the endpoint the message travels on (None for a
/// reply).
pub fn do_ipc_transfer(sender: &mut Tcb, ep: Option<u64>, badge: u64, grant: bool, receiver: &mut Tcb) {
    let recv_buf = ipc_buffer(receiver, true);
    match sender.fault {
        None => do_normal_transfer(sender, ep, badge, grant, receiver, recv_buf),
        Some(f) => {
            let len = crate::fault::set_fault_mrs(&f, sender, receiver, recv_buf);
            receiver.frame.rsi = MessageInfo::new(f.type_code(), 0, 0, len as u64).word();
            receiver.frame.rdi = badge;
        }
    }
}

fn do_normal_transfer(sender: &mut Tcb, ep: Option<u64>, badge: u64, grant: bool, receiver: &mut Tcb, recv_buf: Option<u64>) {
    let tag = message_info(sender);
    let send_buf = ipc_buffer(sender, false);
    let (caps, ncaps) = if grant && tag.extra_caps() > 0 {
        lookup_extra_caps(sender, send_buf, tag).unwrap_or(([None; 3], 0))
    } else {
        ([None; 3], 0)
    };
    let len = copy_mrs(sender, send_buf, receiver, recv_buf, tag.length() as usize);
    let mut info = MessageInfo::new(tag.label(), 0, 0, len as u64);
    info = transfer_caps(info, &caps[..ncaps], ep, receiver, recv_buf);
    receiver.frame.rsi = info.word();
    receiver.frame.rdi = badge;
}

/// seL4 copyMRs: registers always, the rest only when both have buffers.
fn copy_mrs(sender: &Tcb, send_buf: Option<u64>, receiver: &mut Tcb, recv_buf: Option<u64>, n: usize) -> usize {
    let mut i = 0;
    while i < n.min(FAST_MRS) {
        set_mr(receiver, None, i, get_mr(sender, None, i));
        i += 1;
    }
    if let (Some(sb), Some(rb)) = (send_buf, recv_buf) {
        while i < n {
            kmem::write_u64(rb + 8 + 8 * i as u64, kmem::read_u64(sb + 8 + 8 * i as u64));
            i += 1;
        }
    }
    i
}

/// seL4 transferCaps.
fn transfer_caps(info: MessageInfo, caps: &[Option<ExtraCap>], ep: Option<u64>, receiver: &Tcb, recv_buf: Option<u64>) -> MessageInfo {
    let Some(rb) = recv_buf else { return info };
    if caps.is_empty() {
        return info;
    }
    let mut dest = receive_slot(receiver, rb);
    let mut unwrapped = 0u64;
    let mut i = 0;
    for c in caps.iter() {
        let Some(ExtraCap { cap, slot }) = c else { break };
        match cap {
            Cap::Endpoint { ptr, badge, .. } if Some(*ptr) == ep => {
                kmem::write_u64(rb + CAPS_OR_BADGES + 8 * i as u64, *badge);
                unwrapped |= 1 << i;
            }
            _ => {
                let Some(d) = dest else { break };
                match derive(*slot, cap) {
                    Ok(dc) if !dc.is_null() => {
                        cnode::cte_insert(dc, *slot, d);
                        dest = None;
                    }
                    _ => break,
                }
            }
        }
        i += 1;
    }
    info.with_extra_caps(i as u64).with_caps_unwrapped(unwrapped)
}

/// seL4 doReplyTransfer: `replier` answers `caller` through the reply cap
/// in slot `reply_slot`.
pub fn do_reply_transfer(replier: &mut Tcb, caller: &'static mut Tcb, reply_slot: u64, grant: bool) {
    if caller.state != ThreadState::BlockedOnReply {
        cnode::cte_delete(reply_slot);
        return;
    }
    match caller.fault {
        None => {
            do_ipc_transfer(replier, None, 0, grant, caller);
            cnode::cte_delete(reply_slot);
            sched::set_state(caller, ThreadState::Running);
            sched::possible_switch_to(caller);
        }
        Some(f) => {
            cnode::cte_delete(reply_slot);
            let restart = crate::fault::handle_fault_reply(&f, caller, replier);
            caller.fault = None;
            if restart {
                sched::set_state(caller, ThreadState::Restart);
                sched::possible_switch_to(caller);
            } else {
                sched::set_state(caller, ThreadState::Inactive);
            }
        }
    }
}

/// A kernel reply to a Call: label = error code (0 for success), `mrs` as
/// the message, badge 0 (seL4 replyFromKernel_*).
pub fn reply_from_kernel(t: &mut Tcb, label: u64, mrs: &[u64]) {
    let buf = ipc_buffer(t, true);
    let len = if mrs.is_empty() { 0 } else { set_mrs(t, buf, 0, mrs) };
    t.frame.rsi = MessageInfo::new(label, 0, 0, len as u64).word();
    t.frame.rdi = 0;
}

/// Writes a lookup failure's description from MR `from`; returns the length.
pub fn set_lookup_failure_mrs(t: &mut Tcb, buf: Option<u64>, from: usize, lf: &LookupFailure) -> usize {
    let mut words = [0u64; 4];
    let n = lf.write_mrs(&mut words);
    set_mrs(t, buf, from, &words[..n])
}
