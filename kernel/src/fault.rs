//! Faults (seL4 src/kernel/faulthandler.c, src/api/faults.c): a CPU exception
//! or an unserved system call in a user thread becomes a fault message sent,
//! as a Call, to the thread's fault endpoint (a cptr in its own CSpace). The
//! handler's reply decides whether and how the thread resumes. A thread
//! without a usable handler is suspended with a report on the console;
//! everything else keeps running. A fault in the kernel itself is a bug:
//! it is reported with the registers and stops the machine.

use crate::arch::x86_64::cpu;
use crate::arch::x86_64::idt::{USER_TRAP_FIRST, USER_TRAP_LAST};
use crate::arch::x86_64::traps::TrapFrame;
use crate::ipc;
use crate::object::cnode;
use crate::object::endpoint;
use crate::object::tcb::{self, Tcb, ThreadState};
use crate::sched;
use kernel_core::cap::Cap;
use kernel_core::cspace::LookupFailure;
use sel4_abi::fault::FaultType;

/// A user fault, with what seL4's fault message needs.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    CapFault { addr: u64, in_recv: bool, lf: LookupFailure },
    UnknownSyscall { number: u64 },
    UserException { number: u64, code: u64 },
    VmFault { addr: u64, fsr: u64, prefetch: bool },
}

impl Fault {
    pub fn type_code(&self) -> u64 {
        (match self {
            Fault::CapFault { .. } => FaultType::CapFault,
            Fault::UnknownSyscall { .. } => FaultType::UnknownSyscall,
            Fault::UserException { .. } => FaultType::UserException,
            Fault::VmFault { .. } => FaultType::VMFault,
        }) as u64
    }
}

const PAGE_FAULT: u64 = 14;
/// #NM: an FPU/SSE instruction while CR0.TS is set.
const DEVICE_NOT_AVAILABLE: u64 = 7;

/// A trap taken in user mode: the current thread's frame was just saved.
pub fn handle_user_trap() -> ! {
    let t = sched::current().expect("a user trap has a current thread");
    t.fault_ip = t.frame.rip;
    let v = t.frame.vector;
    if v == DEVICE_NOT_AVAILABLE && sched::fpu_trap(t) {
        sched::schedule()
    }
    let fault = if v == PAGE_FAULT {
        Fault::VmFault { addr: cpu::read_cr2(), fsr: t.frame.error, prefetch: t.frame.error & (1 << 4) != 0 }
    } else if v < 32 {
        Fault::UserException { number: v, code: t.frame.error }
    } else if (USER_TRAP_FIRST..=USER_TRAP_LAST).contains(&v) {
        // `int n`: seL4 reports (n << 24) | (EAX & 0xFFFFFF) at the int
        // instruction, computed in a C int, so it arrives sign-extended.
        t.fault_ip = t.frame.rip - 2;
        Fault::UnknownSyscall { number: ((v << 24 | (t.frame.rax & 0xFF_FFFF)) as u32 as i32) as i64 as u64 }
    } else {
        crate::interrupt::handle_interrupt(v);
        sched::schedule()
    };
    handle_fault(t, fault);
    sched::schedule()
}

/// seL4 handleFault: send the fault to the thread's handler, or suspend it.
pub fn handle_fault(t: &'static mut Tcb, fault: Fault) {
    // The handler: an endpoint cap with Send and Grant or GrantReply.
    let handler = match cnode::lookup_cap(t.cspace_root(), t.fault_ep) {
        Ok((Cap::Endpoint { ptr, badge, rights }, _)) if rights.write && (rights.grant || rights.grant_reply) => {
            Some((ptr, badge, rights))
        }
        _ => None,
    };
    match handler {
        Some((ptr, badge, rights)) => {
            t.fault = Some(fault);
            endpoint::send_ipc(true, true, badge, rights.grant, rights.grant_reply, t, ptr);
        }
        None => {
            report(t, &fault);
            t.fault = None;
            sched::set_state(t, ThreadState::Inactive);
            sched::forget(t);
        }
    }
}

fn report(t: &Tcb, fault: &Fault) {
    let f = &t.frame;
    match *fault {
        Fault::CapFault { addr, in_recv, lf } => kprintln!(
            "kernel: fault in thread \"{}\": CapFault addr={:#x} in_recv={} lookup_failure={} ip={:#x} (cap there: {:?})",
            t.name(),
            addr,
            in_recv as u8,
            lf.type_code(),
            t.fault_ip,
            cnode::lookup_cap(t.cspace_root(), addr).map(|(c, _)| c).ok()
        ),
        Fault::UnknownSyscall { number } => kprintln!(
            "kernel: fault in thread \"{}\": UnknownSyscall number={} ip={:#x}",
            t.name(),
            number as i64,
            t.fault_ip
        ),
        Fault::UserException { number, code } => kprintln!(
            "kernel: fault in thread \"{}\": UserException vector={} code={:#x} ip={:#x}",
            t.name(),
            number,
            code,
            t.fault_ip
        ),
        Fault::VmFault { addr, fsr, prefetch } => kprintln!(
            "kernel: fault in thread \"{}\": VMFault addr={:#x} fsr={:#x} prefetch={} ip={:#x}",
            t.name(),
            addr,
            fsr,
            prefetch as u8,
            t.fault_ip
        ),
    }
    dump_registers(f);
    kprintln!("kernel: thread suspended: \"{}\" has no fault handler", t.name());
}

/// seL4 setMRs_fault: the fault message in the handler's registers/buffer.
pub fn set_fault_mrs(f: &Fault, sender: &Tcb, receiver: &mut Tcb, buf: Option<u64>) -> usize {
    let s = &sender.frame;
    match *f {
        Fault::CapFault { addr, in_recv, lf } => {
            ipc::set_mrs(receiver, buf, 0, &[sender.fault_ip, addr, in_recv as u64]);
            ipc::set_lookup_failure_mrs(receiver, buf, 3, &lf)
        }
        Fault::UnknownSyscall { number } => {
            let regs = [
                s.rax, s.rbx, s.rcx, s.rdx, s.rsi, s.rdi, s.rbp, s.r8, s.r9, s.r10, s.r11, s.r12, s.r13, s.r14,
                s.r15, sender.fault_ip, s.rsp, s.rflags, number,
            ];
            ipc::set_mrs(receiver, buf, 0, &regs)
        }
        Fault::UserException { number, code } => {
            ipc::set_mrs(receiver, buf, 0, &[sender.fault_ip, s.rsp, s.rflags, number, code])
        }
        Fault::VmFault { addr, fsr, prefetch } => {
            ipc::set_mrs(receiver, buf, 0, &[sender.fault_ip, addr, prefetch as u64, fsr])
        }
    }
}

/// seL4 handleFaultReply: applies the handler's reply to the faulted thread;
/// true if it should restart.
pub fn handle_fault_reply(f: &Fault, faulter: &mut Tcb, replier: &Tcb) -> bool {
    let tag = ipc::message_info(replier);
    let buf = ipc::ipc_buffer(replier, false);
    let len = tag.length() as usize;
    // The register order of the fault message (sel4-abi's UserContext indices).
    use tcb::reg::*;
    let order: &[usize] = match f {
        Fault::CapFault { .. } | Fault::VmFault { .. } => return true,
        Fault::UnknownSyscall { .. } => &[RAX, RBX, RCX, RDX, RSI, RDI, RBP, R8, R9, R10, R11, R12, R13, R14, R15, RIP, RSP, RFLAGS],
        Fault::UserException { .. } => &[RIP, RSP, RFLAGS],
    };
    for (i, &r) in order.iter().enumerate().take(len) {
        faulter.set_register(r, ipc::get_mr(replier, buf, i));
    }
    faulter.registers_modified();
    tag.label() == 0
}

fn dump_registers(f: &TrapFrame) {
    kprintln!("  rip={:#018x} rsp={:#018x} rflags={:#x}", f.rip, f.rsp, f.rflags);
    kprintln!("  rax={:#018x} rbx={:#018x} rcx={:#018x} rdx={:#018x}", f.rax, f.rbx, f.rcx, f.rdx);
    kprintln!("  rsi={:#018x} rdi={:#018x} rbp={:#018x} r8 ={:#018x}", f.rsi, f.rdi, f.rbp, f.r8);
    kprintln!("  r9 ={:#018x} r10={:#018x} r11={:#018x} r12={:#018x}", f.r9, f.r10, f.r11, f.r12);
    kprintln!("  r13={:#018x} r14={:#018x} r15={:#018x}", f.r13, f.r14, f.r15);
}

/// A trap taken in kernel mode: an interrupt while idle, or a kernel bug.
pub fn handle_kernel_trap(frame: &mut TrapFrame) {
    if frame.vector >= 32 {
        crate::interrupt::handle_interrupt(frame.vector);
        return;
    }
    let cr2 = if frame.vector == PAGE_FAULT { cpu::read_cr2() } else { 0 };
    kprintln!(
        "kernel: exception {} (error {:#x}) in kernel mode at {:#x}, cr2={:#x}",
        frame.vector,
        frame.error,
        frame.rip,
        cr2
    );
    dump_registers(frame);
    panic!("exception {} in kernel mode", frame.vector);
}
