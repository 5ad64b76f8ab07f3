//! System-call dispatch. The eight seL4 API calls go to IPC and object
//! invocation; the debug calls (DebugPutChar, DebugHalt, DebugCapIdentify,
//! DebugNameThread, DebugDumpScheduler) and SetTLSBase are served here; any
//! other number is an UnknownSyscall fault, as in seL4.

use crate::fault::{self, Fault};
use crate::object::cnode;
use crate::object::tcb::Tcb;
use crate::{arch, console, kmem, sched};
use kernel_core::cap::Cap;
use sel4_abi::Syscall;

pub fn handle_syscall() -> ! {
    let t = sched::current().expect("a system call has a current thread");
    let number = t.frame.rdx as i64 as isize;
    let frame = &mut t.frame;
    match Syscall::try_from(number) {
        Ok(Syscall::DebugPutChar) => console::put_byte(frame.rdi as u8),
        Ok(Syscall::DebugHalt) => {
            kprintln!("kernel: halted by DebugHalt from thread \"{}\"", t.name());
            arch::exit_qemu(arch::x86_64::EXIT_HALT)
        }
        Ok(Syscall::DebugCapIdentify) => {
            let cptr = frame.rdi;
            t.frame.rdi = match cnode::lookup_cap(t.cspace_root(), cptr) {
                Ok((cap, _)) => cap.tag(),
                Err(_) => 0,
            }
        }
        Ok(Syscall::DebugNameThread) => {
            let cptr = frame.rdi;
            name_thread(t, cptr)
        }
        Ok(Syscall::DebugDumpScheduler) => dump_scheduler(),
        Ok(Syscall::SetTLSBase) => {
            let base = frame.rdi;
            t.fs_base = if base < 1 << 47 { base } else { 0 }
        }
        Ok(Syscall::Yield) => {}
        _ => {
            let f = Fault::UnknownSyscall { number: frame.rdx };
            // FaultIP is the `syscall` instruction itself.
            frame.rip -= 2;
            fault::handle_fault(t, f)
        }
    }
    sched::schedule()
}

/// DebugNameThread: the name is NUL-terminated from msg[0] of the caller's
/// IPC buffer. seL4 halts on a bad cap or name; Triton ignores the call.
fn name_thread(caller: &Tcb, cptr: u64) {
    let Ok((Cap::Thread { tcb }, _)) = cnode::lookup_cap(caller.cspace_root(), cptr) else { return };
    let Some(buf) = caller.ipc_buffer_paddr() else { return };
    let bytes = kmem::slice(buf + 8, 31);
    let n = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    Tcb::at(tcb).set_name(&bytes[..n]);
}

fn dump_scheduler() {
    kprintln!("kernel: scheduler:");
    if let Some(t) = sched::current() {
        kprintln!("  {:<16} state={:?} prio={} ip={:#x}", t.name(), t.state, t.priority, t.frame.rip);
    }
}
