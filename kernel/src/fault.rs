//! Faults: what a CPU exception or an unserved system call in a user thread
//! becomes. seL4 delivers a fault as IPC to the thread's fault endpoint; a
//! thread without a usable handler is suspended with a report on the
//! console, and everything else keeps running. A fault in the kernel itself
//! is a bug: it is reported with the registers and stops the machine.

use crate::arch::x86_64::cpu;
use crate::arch::x86_64::idt::{USER_TRAP_FIRST, USER_TRAP_LAST};
use crate::arch::x86_64::traps::TrapFrame;
use crate::object::tcb::{Tcb, ThreadState};
use crate::sched;

/// A user fault, with the contents of seL4's fault message (§9 of the ABI).
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    UnknownSyscall { number: u64 },
    UserException { number: u64, code: u64 },
    VmFault { addr: u64, fsr: u64, prefetch: bool },
}

const PAGE_FAULT: u64 = 14;

/// A trap taken in user mode (the frame is the current thread's).
pub fn handle_user_trap() -> ! {
    let t = sched::current().expect("a user trap has a current thread");
    let frame = &mut t.frame;
    let v = frame.vector;
    let fault = if v == PAGE_FAULT {
        Fault::VmFault { addr: cpu::read_cr2(), fsr: frame.error, prefetch: frame.error & (1 << 4) != 0 }
    } else if v < 32 {
        Fault::UserException { number: v, code: frame.error }
    } else if (USER_TRAP_FIRST..=USER_TRAP_LAST).contains(&v) {
        // `int n`: seL4 reports (n << 24) | (EAX & 0xFFFFFF) at the int instruction.
        frame.rip -= 2;
        Fault::UnknownSyscall { number: v << 24 | (frame.rax & 0xFF_FFFF) }
    } else {
        // Device interrupts are not routed yet: nothing can raise one.
        kprintln!("kernel: unexpected interrupt vector {v} in user mode");
        sched::schedule()
    };
    handle_fault(t, fault)
}

/// Delivers `fault` for thread `t`: with no fault endpoint yet, the thread is
/// suspended with a report (seL4's behaviour for a thread without a handler).
pub fn handle_fault(t: &'static mut Tcb, fault: Fault) -> ! {
    let f = &t.frame;
    match fault {
        Fault::UnknownSyscall { number } => {
            kprintln!("kernel: fault in thread \"{}\": UnknownSyscall number={} ip={:#x}", t.name(), number as i64, f.rip)
        }
        Fault::UserException { number, code } => kprintln!(
            "kernel: fault in thread \"{}\": UserException vector={} code={:#x} ip={:#x}",
            t.name(),
            number,
            code,
            f.rip
        ),
        Fault::VmFault { addr, fsr, prefetch } => kprintln!(
            "kernel: fault in thread \"{}\": VMFault addr={:#x} fsr={:#x} prefetch={} ip={:#x}",
            t.name(),
            addr,
            fsr,
            prefetch as u8,
            f.rip
        ),
    }
    dump_registers(f);
    kprintln!("kernel: thread suspended: \"{}\" has no fault handler", t.name());
    t.state = ThreadState::Inactive;
    sched::schedule()
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
        // An interrupt woke the idle loop; nothing is routed yet.
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
