//! Kernel objects as they sit in retyped memory: TCBs, endpoints,
//! notifications, CNodes (capability slots) and paging structures. Object
//! pointers in capabilities are physical addresses; these modules turn them
//! into typed references. This file creates objects (Retype) and finalises
//! them when their last capability goes.

pub mod cnode;
pub mod endpoint;
pub mod irq;
pub mod notification;
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

/// seL4 finaliseCap: the last capability to an object is gone.
pub fn finalise(cap: Cap) {
    match cap {
        Cap::Endpoint { ptr, .. } => endpoint::cancel_all_ipc(ptr),
        Cap::Notification { ptr, .. } => {
            notification::unbind_notification(ptr);
            notification::cancel_all_signals(ptr);
        }
        Cap::CNode { ptr, radix, .. } => empty_slots(ptr, 1 << radix, 0),
        Cap::Thread { tcb } => {
            let th = Tcb::at(tcb);
            suspend(th);
            notification::unbind_tcb(th);
            empty_slots(tcb, tcb::NUM_SLOTS, tcb);
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

/// A CNode's or TCB's slots still to be emptied. Deleting a slot may make
/// another CNode or TCB final, nested without bound; rather than recursing
/// on the kernel stack (seL4 uses zombie caps for this), objects queue
/// here and one loop empties them all.
struct Pending {
    /// (first slot, slot count, next index, TCB object or 0)
    items: [(u64, u64, u64, u64); 256],
    len: usize,
    draining: bool,
}

static PENDING: crate::state::Global<Pending> =
    crate::state::Global::new(Pending { items: [(0, 0, 0, 0); 256], len: 0, draining: false });

fn empty_slots(first: u64, count: u64, tcb: u64) {
    let p = PENDING.get();
    if p.len == p.items.len() {
        // Queue full (256 nested objects): empty this one right here.
        for i in 0..count {
            cnode::cte_delete(first + i * 32);
        }
        if tcb != 0 {
            sched::destroyed(tcb);
        }
        return;
    }
    p.items[p.len] = (first, count, 0, tcb);
    p.len += 1;
    if p.draining {
        return;
    }
    p.draining = true;
    while p.len > 0 {
        let top = &mut p.items[p.len - 1];
        if top.2 < top.1 {
            let slot = top.0 + top.2 * 32;
            top.2 += 1;
            cnode::cte_delete(slot);
        } else {
            let done = top.3;
            p.len -= 1;
            if done != 0 {
                sched::destroyed(done);
            }
        }
    }
    p.draining = false;
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
