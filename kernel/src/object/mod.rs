//! Kernel objects as they sit in retyped memory: TCBs, endpoints,
//! notifications, CNodes (capability slots) and paging structures. Object
//! pointers in capabilities are physical addresses; these modules turn them
//! into typed references. This file creates objects (Retype) and finalises
//! them when their last capability goes.

pub mod cnode;
pub mod endpoint;
pub mod irq;
pub mod notification;
pub mod queue;
pub mod tcb;
pub mod vspace;

use crate::kmem;
use crate::sched;
use kernel_core::cap::{Cap, FrameSize, Rights, VmRights};
use kernel_core::untyped::object_type as t;
use tcb::{Tcb, ThreadState};

/// seL4 createObject: initialises fresh memory as an object and returns the
/// capability to it. Retype guarantees the range is free and aligned.
pub fn create(ty: u64, obj: u64, bits: u8, user_size: u64, device: bool) -> Cap {
    if !device {
        kmem::zero(obj, 1 << bits);
    }
    match ty {
        t::UNTYPED => Cap::Untyped { paddr: obj, size_bits: bits, is_device: device, free_index: 0 },
        t::TCB => {
            Tcb::init(obj);
            cnode::install(obj + tcb::SLOT_REPLY * 32, Cap::Reply { tcb: obj, master: true, can_grant: true });
            Cap::Thread { tcb: obj }
        }
        t::ENDPOINT => Cap::Endpoint { ptr: obj, badge: 0, rights: Rights::ALL },
        t::NOTIFICATION => Cap::Notification { ptr: obj, badge: 0, rights: Rights::ALL },
        t::CAP_TABLE => Cap::CNode { ptr: obj, radix: user_size as u8, guard_size: 0, guard: 0 },
        t::SMALL_PAGE | t::LARGE_PAGE | t::HUGE_PAGE => Cap::Frame {
            paddr: obj,
            size: match ty {
                t::SMALL_PAGE => FrameSize::Small4K,
                t::LARGE_PAGE => FrameSize::Large2M,
                _ => FrameSize::Huge1G,
            },
            rights: VmRights::ReadWrite,
            device,
            mapping: None,
        },
        t::PAGE_TABLE => Cap::PageTable { paddr: obj, mapping: None },
        t::PAGE_DIRECTORY => Cap::PageDirectory { paddr: obj, mapping: None },
        t::PDPT => Cap::Pdpt { paddr: obj, mapping: None },
        t::PML4 => {
            vspace::init_user_pml4(obj);
            Cap::Pml4 { paddr: obj, asid: None }
        }
        _ => Cap::Null,
    }
}

/// seL4 finaliseCap: the last capability to an object is gone; it was in
/// `home_slot`, which is empty now.
pub fn finalise(cap: Cap, home_slot: u64) {
    match cap {
        Cap::Endpoint { ptr, .. } => endpoint::cancel_all_ipc(ptr),
        Cap::Notification { ptr, .. } => {
            notification::unbind_notification(ptr);
            notification::cancel_all_signals(ptr);
        }
        Cap::CNode { ptr, radix, .. } => empty_slots(ptr, 1 << radix, false, home_slot),
        Cap::Thread { tcb } => {
            let th = Tcb::at(tcb);
            suspend(th);
            notification::unbind_tcb(th);
            empty_slots(tcb, tcb::NUM_SLOTS, true, home_slot);
        }
        // seL4 Arch_finaliseCap / Mode_finaliseCap. A frame cap's mapping is
        // its own, so it goes whenever the cap does, final or not (see
        // cnode::cte_delete); tables and PML4s only with their last cap.
        Cap::Frame { paddr, size, mapping: Some(m), .. } => vspace::unmap_frame(size, m.asid, m.vaddr, paddr),
        Cap::PageTable { paddr, mapping: Some(m) } => vspace::unmap_table(m.asid, m.vaddr, 1, paddr),
        Cap::PageDirectory { paddr, mapping: Some(m) } => vspace::unmap_table(m.asid, m.vaddr, 2, paddr),
        Cap::Pdpt { paddr, mapping: Some(m) } => vspace::unmap_table(m.asid, m.vaddr, 3, paddr),
        Cap::Pml4 { paddr, asid: Some(asid) } => vspace::release_asid(asid, paddr),
        Cap::IrqHandler { irq } => irq::handler_deleted(irq as usize),
        Cap::IoPort { first, last } => irq::free_ports(first, last),
        Cap::AsidPool { paddr, asid_base } => vspace::delete_asid_pool(asid_base, paddr),
        _ => {}
    }
}

/// A dying CNode's or TCB's slots, queued for emptying. Deleting a slot may
/// make another CNode or TCB final, nested without bound (seL4 handles this
/// with zombie caps); rather than recursing on the kernel stack, each dying
/// object gets a frame, kept in the 32-byte slot that held its last cap:
/// that slot is empty, and nothing else runs until the queue is drained.
/// Frames link to the one that was being emptied when they were found, so
/// the queue costs no memory of its own however deep the nesting.
#[repr(C)]
struct Frame {
    first: u64,
    count: u64,
    next: u64,
    /// The previous frame's address, bit 0 set if this object is a TCB.
    link: u64,
}

/// The frame being emptied (a kernel virtual address), 0 when idle.
static TOP: crate::state::Global<u64> = crate::state::Global::new(0);

fn frame_at(va: u64) -> &'static mut Frame {
    // SAFETY: frames live in empty 32-byte slots of kernel objects (see
    // `Frame`), reached through the physical window; nothing else uses those
    // slots while the queue is drained.
    unsafe { &mut *(va as *mut Frame) }
}

fn empty_slots(first: u64, count: u64, is_tcb: bool, home_slot: u64) {
    let va = kmem::phys_to_virt(home_slot);
    let top = TOP.get();
    *frame_at(va) = Frame { first, count, next: 0, link: *top | is_tcb as u64 };
    let draining = *top != 0;
    *top = va;
    if draining {
        return;
    }
    while *top != 0 {
        let f = frame_at(*top);
        if f.next < f.count {
            let slot = f.first + f.next * 32;
            f.next += 1;
            cnode::cte_delete(slot);
        } else {
            let (done, link, obj) = (*top, f.link, f.first);
            *top = link & !1;
            // The home slot is an empty slot again.
            *frame_at(done) = Frame { first: 0, count: 0, next: 0, link: 0 };
            if link & 1 != 0 {
                sched::destroyed(obj);
            }
        }
    }
}

/// seL4 suspend: the thread stops, leaving any IPC it was in.
pub fn suspend(th: &mut Tcb) {
    endpoint::cancel_ipc(th);
    if th.state == ThreadState::Running {
        // seL4 updateRestartPC: a running thread resumes where it stopped.
        th.fault_ip = th.frame.rip;
    }
    sched::set_state(th, ThreadState::Inactive);
    sched::forget(th);
}

/// seL4 restart: a stopped thread (inactive or blocked in any IPC) leaves
/// that IPC and runs again from its FaultIP.
pub fn restart(th: &mut Tcb) {
    let stopped = matches!(
        th.state,
        ThreadState::Inactive
            | ThreadState::BlockedOnReceive
            | ThreadState::BlockedOnSend
            | ThreadState::BlockedOnNotification
            | ThreadState::BlockedOnReply
    );
    if stopped {
        endpoint::cancel_ipc(th);
        let master = th.object() + tcb::SLOT_REPLY * 32;
        if cnode::cap_at(master).is_null() {
            cnode::install(master, Cap::Reply { tcb: th.object(), master: true, can_grant: true });
        }
        th.state = ThreadState::Restart;
        sched::possible_switch_to(th);
    }
}
