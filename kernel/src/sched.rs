//! The scheduler and the way back to user mode: which thread runs, and
//! switching the CPU to it (address space, trap-frame pointer, FS/GS bases,
//! FPU state). With nothing runnable the CPU idles in `hlt`.

use crate::arch::x86_64::cpu::{self, MSR_FS_BASE, MSR_GS_BASE};
use crate::arch::x86_64::traps;
use crate::object::tcb::{Tcb, ThreadState};
use crate::object::vspace;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The running thread's TCB object (0: none, the CPU idles).
static CURRENT: AtomicU64 = AtomicU64::new(0);
/// Whose registers the FPU holds (0: the initial state, nobody's).
static FPU_OWNER: AtomicU64 = AtomicU64::new(0);
static IDLE_REPORTED: AtomicBool = AtomicBool::new(false);

pub fn current() -> Option<&'static mut Tcb> {
    match CURRENT.load(Ordering::Relaxed) {
        0 => None,
        t => Some(Tcb::at(t)),
    }
}

/// Enters the root task.
pub fn start(root: u64) -> ! {
    CURRENT.store(root, Ordering::Relaxed);
    schedule()
}

fn runnable(t: &Tcb) -> bool {
    matches!(t.state, ThreadState::Running | ThreadState::Restart)
}

/// Picks the thread to run and returns to user mode in it.
pub fn schedule() -> ! {
    match current() {
        Some(t) if runnable(t) => switch_to(t),
        _ => idle(),
    }
}

fn switch_to(t: &'static mut Tcb) -> ! {
    let obj = t.object();
    CURRENT.store(obj, Ordering::Relaxed);
    if t.state == ThreadState::Restart {
        // Re-executes the system call it was in (seL4's Restart state).
        t.frame.rip -= 2;
        t.state = ThreadState::Running;
    }
    match t.vspace_root() {
        Some(pml4) if pml4 != cpu::read_cr3() => {
            // SAFETY: a PML4 with an ASID was initialised with the kernel's half.
            unsafe { cpu::write_cr3(pml4) }
        }
        Some(_) => {}
        None => {
            kprintln!("kernel: thread \"{}\" has no valid VSpace; suspended", t.name());
            t.state = ThreadState::Inactive;
            idle()
        }
    }
    let owner = FPU_OWNER.load(Ordering::Relaxed);
    if owner != obj {
        if owner != 0 {
            Tcb::at(owner).fpu.save();
        }
        t.fpu.restore();
        FPU_OWNER.store(obj, Ordering::Relaxed);
    }
    cpu::wrmsr(MSR_FS_BASE, t.fs_base);
    cpu::wrmsr(MSR_GS_BASE, t.gs_base);
    traps::set_current_frame(&mut t.frame);
    traps::return_to_user(&t.frame)
}

/// No thread can run: wait for interrupts on the kernel's own address space.
fn idle() -> ! {
    CURRENT.store(0, Ordering::Relaxed);
    if !IDLE_REPORTED.swap(true, Ordering::Relaxed) {
        kprintln!("kernel: idle, no runnable threads");
    }
    // SAFETY: the kernel PML4 maps the kernel.
    unsafe { cpu::write_cr3(vspace::kernel_pml4()) };
    loop {
        cpu::wait_for_interrupt();
    }
}
