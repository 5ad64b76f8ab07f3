//! TCB invocations (seL4 src/object/tcb.c, non-MCS): registers, Configure,
//! priorities with the MCP checks, IPC buffer, CSpace/VSpace roots,
//! Suspend/Resume, notification binding, TLS base and flags.

use super::{Invocation, Outcome, Result, SyscallError};
use crate::ipc;
use crate::object::notification::{self, Notification};
use crate::object::tcb::{self, Tcb};
use crate::object::{self, cnode};
use crate::sched;
use kernel_core::cap::{same_object_as, update_cap_data, Cap};
use sel4_abi::invocation::{copy_registers_flags as cf, tcb_flag, InvocationLabel as L};
use sel4_abi::{IPC_BUFFER_SIZE_BITS, USER_CONTEXT_WORDS};

/// seL4_UserContext words 0..18 are "frame" registers, 18..20 "gp" ones.
const FRAME_REGS: usize = 18;

/// seL4 checkPrio: a priority above the authority's MCP is refused.
fn check_prio(prio: u64, auth: &Tcb) -> core::result::Result<(), SyscallError> {
    if prio > auth.mcp as u64 { Err(SyscallError::RangeError(0, auth.mcp as u64)) } else { Ok(()) }
}

fn authority(inv: &Invocation) -> core::result::Result<&'static mut Tcb, SyscallError> {
    match inv.extra_cap(0).map(|c| c.cap) {
        Some(Cap::Thread { tcb }) => Ok(Tcb::at(tcb)),
        _ => Err(SyscallError::InvalidCapability(1)),
    }
}

/// seL4 checkValidIPCBuffer.
fn check_ipc_buffer(vaddr: u64, cap: &Cap) -> core::result::Result<(), SyscallError> {
    match cap {
        Cap::Frame { device: false, .. } => {}
        _ => return Err(SyscallError::IllegalOperation),
    }
    if vaddr & ((1 << IPC_BUFFER_SIZE_BITS) - 1) != 0 {
        return Err(SyscallError::AlignmentError);
    }
    Ok(())
}

fn is_valid_vtable_root(cap: &Cap) -> bool {
    matches!(cap, Cap::Pml4 { asid: Some(_), .. })
}

/// seL4 setPriority.
pub fn set_priority(t: &mut Tcb, prio: u8) {
    sched::dequeue(t);
    t.priority = prio;
    if sched::is_runnable(t) {
        if t.object() == sched::current_object() {
            sched::reschedule_required();
        } else {
            sched::possible_switch_to(t);
        }
    }
}

struct Space {
    fault_ep: u64,
    croot: (Cap, u64),
    vroot: (Cap, u64),
}

struct Buffer {
    vaddr: u64,
    cap: Option<(Cap, u64)>,
}

/// The root caps of Configure/SetSpace, checked and derived as seL4 does.
fn decode_space(inv: &Invocation, fault_ep: u64, cdata: u64, vdata: u64, target: u64) -> core::result::Result<Space, SyscallError> {
    let (c, cslot) = inv.extra_cap(0).map(|e| (e.cap, e.slot)).unwrap();
    let (v, vslot) = inv.extra_cap(1).map(|e| (e.cap, e.slot)).unwrap();
    let long = |slot: u64| {
        let cap = cnode::cap_at(target + slot * 32);
        kernel_core::cap::is_long_running_delete(&cap, cnode::is_final(target + slot * 32))
    };
    if long(tcb::SLOT_CTABLE) || long(tcb::SLOT_VTABLE) {
        return Err(SyscallError::IllegalOperation);
    }
    let c = if cdata != 0 { update_cap_data(false, cdata, &c) } else { c };
    let c = ipc::derive(cslot, &c).map_err(SyscallError::from_error)?;
    if !matches!(c, Cap::CNode { .. }) {
        return Err(SyscallError::IllegalOperation);
    }
    let v = if vdata != 0 { update_cap_data(false, vdata, &v) } else { v };
    let v = ipc::derive(vslot, &v).map_err(SyscallError::from_error)?;
    if !is_valid_vtable_root(&v) {
        return Err(SyscallError::IllegalOperation);
    }
    Ok(Space { fault_ep, croot: (c, cslot), vroot: (v, vslot) })
}

fn decode_buffer(vaddr: u64, cap: Cap, slot: u64) -> core::result::Result<Buffer, SyscallError> {
    if vaddr == 0 {
        return Ok(Buffer { vaddr, cap: None });
    }
    let c = ipc::derive(slot, &cap).map_err(SyscallError::from_error)?;
    check_ipc_buffer(vaddr, &c)?;
    Ok(Buffer { vaddr, cap: Some((c, slot)) })
}

/// seL4 invokeTCB_ThreadControl's space and buffer parts.
fn thread_control(t: &mut Tcb, tcap: Cap, tslot: u64, space: Option<Space>, buffer: Option<Buffer>) {
    let obj = t.object();
    let tcb_still_there = |tslot: u64| same_object_as(&tcap, &cnode::cap_at(tslot));
    if let Some(s) = space {
        t.fault_ep = s.fault_ep;
        for (slot, (cap, src)) in [(tcb::SLOT_CTABLE, s.croot), (tcb::SLOT_VTABLE, s.vroot)] {
            cnode::cte_delete(obj + slot * 32);
            if same_object_as(&cap, &cnode::cap_at(src)) && tcb_still_there(tslot) {
                cnode::cte_insert(cap, src, obj + slot * 32);
            }
        }
    }
    if let Some(b) = buffer {
        cnode::cte_delete(obj + tcb::SLOT_BUFFER * 32);
        t.ipc_buffer = b.vaddr;
        if let Some((cap, src)) = b.cap {
            if same_object_as(&cap, &cnode::cap_at(src)) && tcb_still_there(tslot) {
                cnode::cte_insert(cap, src, obj + tcb::SLOT_BUFFER * 32);
            }
        }
        if obj == sched::current_object() {
            sched::reschedule_required();
        }
    }
}

pub fn decode(inv: &mut Invocation, target: u64) -> Result {
    let t = Tcb::at(target);
    let is_self = target == inv.caller.object();
    let empty = Ok(Outcome::Reply([0; 4], 0));
    match inv.label() {
        Some(L::TCBReadRegisters) => {
            inv.need(2, 0)?;
            let flags = inv.arg(0);
            let n = inv.arg(1);
            if !(1..=USER_CONTEXT_WORDS as u64).contains(&n) {
                return Err(SyscallError::RangeError(1, USER_CONTEXT_WORDS as u64).into());
            }
            if is_self {
                return Err(SyscallError::IllegalOperation.into());
            }
            if flags & 1 != 0 {
                object::suspend(t);
            }
            if inv.is_call {
                let mut regs = [0u64; USER_CONTEXT_WORDS];
                for (i, r) in regs.iter_mut().enumerate().take(n as usize) {
                    *r = t.register(i);
                }
                ipc::reply_from_kernel(inv.caller, 0, &regs[..n as usize]);
            }
            Ok(Outcome::Done)
        }
        Some(L::TCBWriteRegisters) => {
            inv.need(2, 0)?;
            let flags = inv.arg(0);
            let w = inv.arg(1);
            if ((inv.length - 2) as u64) < w {
                return Err(SyscallError::TruncatedMessage.into());
            }
            if is_self {
                return Err(SyscallError::IllegalOperation.into());
            }
            let n = (w as usize).min(USER_CONTEXT_WORDS);
            for i in 0..n {
                let v = inv.arg(i + 2);
                t.set_register(i, v);
            }
            t.frame.rip = t.fault_ip;
            t.registers_modified();
            if flags & 1 != 0 {
                object::restart(t);
            }
            empty
        }
        Some(L::TCBCopyRegisters) => {
            inv.need(1, 1)?;
            let flags = inv.arg(0);
            let Some(Cap::Thread { tcb: src_obj }) = inv.extra_cap(0).map(|c| c.cap) else {
                return Err(SyscallError::InvalidCapability(1).into());
            };
            let src = Tcb::at(src_obj);
            if flags & cf::SUSPEND_SOURCE != 0 {
                object::suspend(src);
            }
            if flags & cf::RESUME_TARGET != 0 {
                object::restart(t);
            }
            if flags & cf::TRANSFER_FRAME != 0 {
                for i in 0..FRAME_REGS {
                    let v = src.register(i);
                    t.set_register(i, v);
                }
                t.frame.rip = src.frame.rip;
            }
            if flags & cf::TRANSFER_INTEGER != 0 {
                for i in FRAME_REGS..USER_CONTEXT_WORDS {
                    let v = src.register(i);
                    t.set_register(i, v);
                }
            }
            t.registers_modified();
            if target == sched::current_object() {
                sched::reschedule_required();
            }
            empty
        }
        Some(L::TCBSuspend) => {
            object::suspend(t);
            empty
        }
        Some(L::TCBResume) => {
            object::restart(t);
            empty
        }
        Some(L::TCBConfigure) => {
            inv.need(4, 3)?;
            let fault_ep = inv.arg(0);
            let (cdata, vdata, vaddr) = (inv.arg(1), inv.arg(2), inv.arg(3));
            let bufcap = inv.extra_cap(2).unwrap();
            let buffer = decode_buffer(vaddr, bufcap.cap, bufcap.slot)?;
            let space = decode_space(inv, fault_ep, cdata, vdata, target)?;
            thread_control(t, inv.cap, inv.slot, Some(space), Some(buffer));
            empty
        }
        Some(L::TCBSetPriority) => {
            inv.need(1, 1)?;
            let prio = inv.arg(0);
            check_prio(prio, authority(inv)?)?;
            set_priority(t, prio as u8);
            empty
        }
        Some(L::TCBSetMCPriority) => {
            inv.need(1, 1)?;
            let mcp = inv.arg(0);
            check_prio(mcp, authority(inv)?)?;
            t.mcp = mcp as u8;
            empty
        }
        Some(L::TCBSetSchedParams) => {
            inv.need(2, 1)?;
            let (mcp, prio) = (inv.arg(0), inv.arg(1));
            let auth = authority(inv)?;
            check_prio(mcp, auth)?;
            check_prio(prio, auth)?;
            t.mcp = mcp as u8;
            set_priority(t, prio as u8);
            empty
        }
        Some(L::TCBSetIPCBuffer) => {
            inv.need(1, 1)?;
            let c = inv.extra_cap(0).unwrap();
            let buffer = decode_buffer(inv.arg(0), c.cap, c.slot)?;
            thread_control(t, inv.cap, inv.slot, None, Some(buffer));
            empty
        }
        Some(L::TCBSetSpace) => {
            inv.need(3, 2)?;
            let space = decode_space(inv, inv.arg(0), inv.arg(1), inv.arg(2), target)?;
            thread_control(t, inv.cap, inv.slot, Some(space), None);
            empty
        }
        Some(L::TCBBindNotification) => {
            inv.need(0, 1)?;
            if t.bound_notification != 0 {
                return Err(SyscallError::IllegalOperation.into());
            }
            let ptr = match inv.extra_cap(0).unwrap().cap {
                Cap::Notification { ptr, rights, .. } if rights.read => ptr,
                _ => return Err(SyscallError::IllegalOperation.into()),
            };
            let n = Notification::at(ptr);
            if n.state() == notification::NtfnState::Waiting || n.bound_tcb() != 0 {
                return Err(SyscallError::IllegalOperation.into());
            }
            notification::bind(t, ptr);
            empty
        }
        Some(L::TCBUnbindNotification) => {
            if t.bound_notification == 0 {
                return Err(SyscallError::IllegalOperation.into());
            }
            notification::unbind_tcb(t);
            empty
        }
        Some(L::TCBSetTLSBase) => {
            inv.need(1, 0)?;
            t.set_register(tcb::reg::FS_BASE, inv.arg(0));
            if target == sched::current_object() {
                sched::reschedule_required();
            }
            empty
        }
        Some(L::TCBSetFlags) => {
            inv.need(2, 0)?;
            let (clear, set) = (inv.arg(0), inv.arg(1));
            t.flags = ((t.flags & !clear) | set) & tcb_flag::MASK;
            Ok(Outcome::Reply([t.flags, 0, 0, 0], 1))
        }
        _ => Err(SyscallError::IllegalOperation.into()),
    }
}
