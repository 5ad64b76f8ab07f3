//! System-call dispatch (seL4 src/api/syscall.c handleSyscall). The eight
//! API calls: Send/NBSend/Call invoke a capability (IPC on an endpoint,
//! Signal on a notification, a reply, or an object invocation); Recv/NBRecv
//! wait on an endpoint or notification; Reply and ReplyRecv answer the
//! caller; Yield. The debug calls and SetTLSBase are served here too; any
//! other number is an UnknownSyscall fault.

use crate::fault::{self, Fault};
use crate::invocation::{self, Invocation, InvocationError, Outcome};
use crate::ipc;
use crate::object::cnode;
use crate::object::endpoint;
use crate::object::notification::{self, Notification};
use crate::object::tcb::{Tcb, SLOT_CALLER};
use crate::{arch, console, kmem, sched};
use kernel_core::cap::Cap;
use kernel_core::cspace::LookupFailure;
use sel4_abi::Syscall;

#[inline(always)]
pub fn handle_syscall() -> ! {
    let t = sched::current().expect("a system call has a current thread");
    // seL4's FaultIP: the `syscall` instruction, for restarts and faults.
    t.fault_ip = t.frame.rip - 2;
    let number = t.frame.rdx as i64 as isize;
    // Call and ReplyRecv try the fastpath first; it returns only if it
    // cannot take the call.
    match number {
        -1 => crate::fastpath::call(t),
        -2 => crate::fastpath::reply_recv(t),
        _ => {}
    }
    slow_syscall(number)
}

fn slow_syscall(number: isize) -> ! {
    let t = sched::current().expect("a system call has a current thread");
    match Syscall::try_from(number) {
        Ok(Syscall::Send) => handle_invocation(t, false, true),
        Ok(Syscall::NBSend) => handle_invocation(t, false, false),
        Ok(Syscall::Call) => handle_invocation(t, true, true),
        Ok(Syscall::Recv) => handle_recv(t, true),
        Ok(Syscall::NBRecv) => handle_recv(t, false),
        Ok(Syscall::Reply) => handle_reply(t),
        Ok(Syscall::ReplyRecv) => {
            handle_reply(t);
            handle_recv(t, true)
        }
        Ok(Syscall::Yield) => sched::yield_current(),
        Ok(Syscall::DebugPutChar) => console::put_byte(t.frame.rdi as u8),
        Ok(Syscall::DebugHalt) => {
            kprintln!("kernel: halted by DebugHalt from thread \"{}\"", t.name());
            arch::exit_qemu(arch::x86_64::EXIT_HALT)
        }
        Ok(Syscall::DebugCapIdentify) => {
            let cptr = t.frame.rdi;
            t.frame.rdi = cnode::lookup_cap(t.cspace_root(), cptr).map(|(c, _)| c.tag()).unwrap_or(0);
        }
        Ok(Syscall::DebugNameThread) => {
            let cptr = t.frame.rdi;
            name_thread(t, cptr)
        }
        Ok(Syscall::DebugDumpScheduler) => dump_scheduler(),
        Ok(Syscall::SetTLSBase) => {
            let base = t.frame.rdi;
            t.set_register(crate::object::tcb::reg::FS_BASE, base);
        }
        _ => {
            let f = Fault::UnknownSyscall { number: t.frame.rdx };
            fault::handle_fault(t, f);
        }
    }
    sched::schedule()
}

/// seL4 handleInvocation.
fn handle_invocation(t: &'static mut Tcb, is_call: bool, is_blocking: bool) {
    let info = ipc::message_info(t);
    let cptr = t.frame.rdi;
    let (cap, slot) = match cnode::lookup_cap(t.cspace_root(), cptr) {
        Ok(x) => x,
        Err(lf) => {
            if is_blocking {
                fault::handle_fault(t, Fault::CapFault { addr: cptr, in_recv: false, lf });
            }
            return;
        }
    };
    let buf = ipc::ipc_buffer(t, false);
    let (extra, _) = match ipc::lookup_extra_caps(t, buf, info) {
        Ok(x) => x,
        Err(f) => {
            if is_blocking {
                fault::handle_fault(t, f);
            }
            return;
        }
    };
    let mut length = info.length() as usize;
    if buf.is_none() && length > ipc::FAST_MRS {
        length = ipc::FAST_MRS;
    }
    // seL4 decodeInvocation: a cap that cannot be invoked this way is an
    // InvalidCapability(0) error (replied to a Call, dropped otherwise).
    let invalid = |t: &mut Tcb| {
        if is_call {
            ipc::reply_from_kernel(t, sel4_abi::Error::InvalidCapability as u64, &[0]);
        }
    };
    match cap {
        Cap::Endpoint { ptr, badge, rights } => {
            if !rights.write {
                return invalid(t);
            }
            endpoint::send_ipc(is_blocking, is_call, badge, rights.grant, rights.grant_reply, t, ptr);
        }
        Cap::Notification { ptr, badge, rights } => {
            if !rights.write {
                return invalid(t);
            }
            notification::send_signal(ptr, badge);
            // seL4 completes the invocation with an empty reply to a Call.
            if is_call {
                ipc::reply_from_kernel(t, 0, &[]);
            }
        }
        Cap::Reply { tcb, master: false, can_grant } => {
            ipc::do_reply_transfer(t, Tcb::at(tcb), slot, can_grant);
            if is_call {
                ipc::reply_from_kernel(t, 0, &[]);
            }
        }
        Cap::Null | Cap::Reply { .. } | Cap::Zombie { .. } => invalid(t),
        _ => {
            let label = info.label();
            let mut inv = Invocation { label, length, caller: t, buf, cap, slot, extra, is_call };
            let result = invocation::decode(&mut inv);
            let t = inv.caller;
            match result {
                Ok(outcome) => {
                    // A caller that the invocation suspended or blocked gets no reply.
                    if is_call && sched::is_runnable(t) {
                        if let Outcome::Reply(words, n) = outcome {
                            ipc::reply_from_kernel(t, 0, &words[..n]);
                        }
                    }
                }
                Err(InvocationError::Syscall(e)) => {
                    if is_call {
                        let mut mrs = [0u64; 6];
                        let (code, n) = e.reply(&mut mrs);
                        ipc::reply_from_kernel(t, code, &mrs[..n]);
                    }
                }
            }
        }
    }
}

/// seL4 handleRecv.
fn handle_recv(t: &'static mut Tcb, blocking: bool) {
    let cptr = t.frame.rdi;
    let fault_on = |t: &'static mut Tcb, lf: LookupFailure| {
        fault::handle_fault(t, Fault::CapFault { addr: cptr, in_recv: true, lf });
    };
    let missing = LookupFailure::MissingCapability { bits_left: 0 };
    match cnode::lookup_cap(t.cspace_root(), cptr) {
        Err(lf) => fault_on(t, lf),
        Ok((Cap::Endpoint { ptr, rights, .. }, _)) => {
            if !rights.read {
                return fault_on(t, missing);
            }
            // seL4 deleteCallerCap: an unused reply cap is dropped.
            cnode::cte_delete(t.object() + SLOT_CALLER * 32);
            endpoint::receive_ipc(t, ptr, rights.grant, blocking);
        }
        Ok((Cap::Notification { ptr, rights, .. }, _)) => {
            let bound = Notification::at(ptr).bound_tcb();
            if !rights.read || (bound != 0 && bound != t.object()) {
                return fault_on(t, missing);
            }
            notification::receive_signal(t, ptr, blocking);
        }
        Ok(_) => fault_on(t, missing),
    }
}

/// seL4 handleReply: answers through the reply cap in the caller slot.
fn handle_reply(t: &mut Tcb) {
    let slot = t.object() + SLOT_CALLER * 32;
    if let Cap::Reply { tcb, master: false, can_grant } = cnode::cap_at(slot) {
        ipc::do_reply_transfer(t, Tcb::at(tcb), slot, can_grant);
    }
}

/// DebugNameThread: the name is NUL-terminated from msg[0] of the caller's
/// IPC buffer. seL4 halts on a bad cap or name; Triton ignores the call.
fn name_thread(caller: &Tcb, cptr: u64) {
    let Ok((Cap::Thread { tcb }, _)) = cnode::lookup_cap(caller.cspace_root(), cptr) else { return };
    let Some(buf) = ipc::ipc_buffer(caller, false) else { return };
    let bytes = kmem::slice(buf + 8, 31);
    let n = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    Tcb::at(tcb).set_name(&bytes[..n]);
}

fn dump_scheduler() {
    kprintln!("kernel: scheduler:");
    sched::for_each_thread(|t, what| {
        kprintln!("  {:<16} {:<8} state={:?} prio={} ip={:#x}", t.name(), what, t.state, t.priority, t.frame.rip);
    });
}
