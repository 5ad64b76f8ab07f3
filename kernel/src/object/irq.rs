//! Device authority the kernel has handed out: the IRQ table and the
//! I/O-port allocation map.
//!
//! IRQs (seL4 src/object/interrupt.c with the pc99 IOAPIC controller).
//! IRQ numbers are seL4's: CPU vector = IRQ + 0x20, and users get IRQs
//! 16..=123 (CPU vectors 48..=155) through IRQControl GetIOAPIC/GetMSI.
//! Per IRQ the kernel keeps
//! - its state: Inactive (no handler cap), Signal (a handler cap exists) or
//!   Reserved (the kernel's own);
//! - its routing: an IOAPIC pin, an MSI source, or nothing yet;
//! - a slot of the IRQ node: a kernel-owned CNode slot holding a copy of the
//!   notification cap that SetNotification gave, linked into the derivation
//!   tree like any other slot, so deleting or revoking that notification
//!   also empties the slot.
//!
//! An interrupt signals the notification with that cap's badge and masks
//! the IRQ; it stays masked until the handler thread Acks it. An IOAPIC
//! pin is masked in the IOAPIC. An MSI cannot be masked at the source, so
//! the kernel masks it in software: an MSI that arrives while masked is
//! remembered and delivered when the IRQ is acknowledged.
//!
//! I/O ports (seL4 src/arch/x86/object/ioport.c): one bit per port, set
//! while an IOPort cap covers it. The ports the kernel itself drives start
//! out set and are never freed, so IOPortControl refuses them exactly as it
//! refuses ports already issued (RevokeFirst).

use crate::arch::x86_64::ioapic;
use crate::object::cnode;
use crate::object::notification;
use crate::state::Global;
use kernel_core::cap::{Cap, Cte, MdbNode, RawCap};

/// CPU vector of IRQ 0 (seL4 IRQ_INT_OFFSET).
pub const IRQ_INT_OFFSET: u64 = 0x20;
/// First and last IRQ users can get a handler for (seL4 irq_user_min/max).
pub const IRQ_USER_MIN: usize = 16;
pub const IRQ_USER_MAX: usize = 155 - IRQ_INT_OFFSET as usize;
/// seL4 maxIRQ on a uniprocessor (its timer IRQ, CPU vector 157).
pub const MAX_IRQ: usize = 157 - IRQ_INT_OFFSET as usize;
const NUM_IRQS: usize = MAX_IRQ + 1;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum IrqState {
    Inactive,
    Signal,
    Reserved,
}

/// Where an IRQ comes from (seL4's x86_irq_state).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Route {
    Free,
    IoApic { ioapic: u8, pin: u8, masked: bool },
    /// seL4 also records the PCI bus/device/function and handle of an MSI;
    /// without an IOMMU nothing reads them, so Triton does not keep them.
    Msi { masked: bool, pending: bool },
}

/// The IRQ node: one 32-byte slot per IRQ.
#[repr(C, align(32))]
struct IrqNode([Cte; NUM_IRQS]);

struct Irqs {
    state: [IrqState; NUM_IRQS],
    route: [Route; NUM_IRQS],
}

const EMPTY_CTE: Cte = Cte { cap: RawCap::NULL, mdb: MdbNode::EMPTY };
static NODE: Global<IrqNode> = Global::new(IrqNode([EMPTY_CTE; NUM_IRQS]));
static IRQS: Global<Irqs> = Global::new(Irqs {
    state: {
        let mut s = [IrqState::Inactive; NUM_IRQS];
        s[MAX_IRQ] = IrqState::Reserved;
        s
    },
    route: [Route::Free; NUM_IRQS],
});

/// Where the kernel image is linked above its load address (link.ld
/// KERNEL_OFFSET): statics reach the physical window through this.
const KERNEL_OFFSET: u64 = 0xFFFF_FFFF_8000_0000;

/// The IRQ node slot of `irq`, as a physical slot address (how the
/// derivation tree names slots).
fn node_slot(irq: usize) -> u64 {
    let node = NODE.get() as *mut IrqNode as u64 - KERNEL_OFFSET;
    node + irq as u64 * 32
}

/// seL4 isIRQActive: whether `irq` has a handler cap (or is the kernel's).
pub fn is_active(irq: usize) -> bool {
    IRQS.get().state[irq] != IrqState::Inactive
}

/// seL4 maskInterrupt.
fn mask(irq: usize, masked: bool) {
    if !(IRQ_USER_MIN..=IRQ_USER_MAX).contains(&irq) {
        return;
    }
    let route = &mut IRQS.get().route[irq];
    let held_back = match route {
        Route::IoApic { ioapic: a, pin, masked: m } => {
            ioapic::set_masked(*a as usize, *pin as usize, masked);
            *m = masked;
            false
        }
        Route::Msi { masked: m, pending } => {
            *m = masked;
            let deliver_now = !masked && *pending;
            if deliver_now {
                *pending = false;
            }
            deliver_now
        }
        Route::Free => false,
    };
    if held_back {
        // The MSI that came while masked is delivered now.
        deliver(irq);
    }
}

/// seL4 setIRQState: Inactive masks the IRQ, anything else unmasks it.
fn set_state(irq: usize, state: IrqState) {
    IRQS.get().state[irq] = state;
    mask(irq, state == IrqState::Inactive);
}

/// IRQControl GetIOAPIC, after decoding: `irq` is routed from `pin` of
/// `ioapic` and a handler cap for it goes into `dest`, derived from the
/// IRQControl cap in `control`.
pub fn issue_ioapic(irq: usize, ioapic_: usize, pin: usize, level: bool, active_low: bool, control: u64, dest: u64) {
    ioapic::map_pin(ioapic_, pin, level, active_low, (irq as u64 + IRQ_INT_OFFSET) as u8);
    IRQS.get().route[irq] = Route::IoApic { ioapic: ioapic_ as u8, pin: pin as u8, masked: true };
    issue(irq, control, dest);
}

/// IRQControl GetMSI, after decoding (the user programs the device with
/// the CPU vector of `irq`).
pub fn issue_msi(irq: usize, control: u64, dest: u64) {
    IRQS.get().route[irq] = Route::Msi { masked: true, pending: false };
    issue(irq, control, dest);
}

/// seL4 invokeIRQControl.
fn issue(irq: usize, control: u64, dest: u64) {
    set_state(irq, IrqState::Signal);
    cnode::cte_insert(Cap::IrqHandler { irq: irq as u16 }, control, dest);
}

/// IRQHandler SetNotification: a copy of the notification cap in `src`
/// replaces whatever the IRQ signalled before.
pub fn set_notification(irq: usize, ntfn: Cap, src: u64) {
    let slot = node_slot(irq);
    cnode::cte_delete(slot);
    cnode::cte_insert(ntfn, src, slot);
}

/// IRQHandler Clear: the IRQ signals nothing any more.
pub fn clear_notification(irq: usize) {
    cnode::cte_delete(node_slot(irq));
}

/// IRQHandler Ack: unmask.
pub fn ack(irq: usize) {
    mask(irq, false);
}

/// The last IRQHandler cap for `irq` is gone (seL4 deletingIRQHandler and
/// deletedIRQHandler): the notification copy goes, and the IRQ is masked.
pub fn handler_deleted(irq: usize) {
    cnode::cte_delete(node_slot(irq));
    set_state(irq, IrqState::Inactive);
}

/// A device interrupt for `irq` (seL4 handleInterrupt, without the EOI,
/// which the caller sends).
pub fn handle(irq: usize) {
    if irq > MAX_IRQ {
        return;
    }
    match IRQS.get().state[irq] {
        IrqState::Signal => {
            if let Route::Msi { masked: true, pending } = &mut IRQS.get().route[irq] {
                *pending = true;
                return;
            }
            deliver(irq);
        }
        IrqState::Inactive => mask(irq, true),
        IrqState::Reserved => {}
    }
}

/// Signals the IRQ's notification (if it has one the handler may send on)
/// and masks the IRQ until it is acknowledged.
fn deliver(irq: usize) {
    if let Cap::Notification { ptr, badge, rights } = cnode::cap_at(node_slot(irq)) {
        if rights.write {
            notification::send_signal(ptr, badge);
        }
    }
    mask(irq, true);
}

// ---- I/O ports

const PORT_WORDS: usize = 65536 / 64;

/// Ports the kernel drives: COM1, the two PICs' command and data ports, the
/// PIT, port 0x61 (PIT channel 2 gate, used for timer calibration) and
/// QEMU's isa-debug-exit (4 ports from 0xF4).
pub const KERNEL_PORTS: [(u16, u16); 6] =
    [(0x20, 0x21), (0x40, 0x43), (0x61, 0x61), (0xA0, 0xA1), (0xF4, 0xF7), (0x3F8, 0x3FF)];

const fn kernel_port_map() -> [u64; PORT_WORDS] {
    let mut m = [0u64; PORT_WORDS];
    let mut i = 0;
    while i < KERNEL_PORTS.len() {
        let (first, last) = KERNEL_PORTS[i];
        let mut p = first as usize;
        while p <= last as usize {
            m[p / 64] |= 1 << (p % 64);
            p += 1;
        }
        i += 1;
    }
    m
}

static KERNEL_PORT_MAP: [u64; PORT_WORDS] = kernel_port_map();
/// seL4 x86KSAllocatedIOPorts.
static PORTS: Global<[u64; PORT_WORDS]> = Global::new(kernel_port_map());

/// The bits of word `w` that cover ports `first..=last`.
fn port_bits(w: usize, first: u16, last: u16) -> u64 {
    let (lo, hi) = (w * 64, w * 64 + 63);
    let a = (first as usize).max(lo) - lo;
    let b = (last as usize).min(hi) - lo;
    (u64::MAX >> (63 - b)) & (u64::MAX << a)
}

/// Whether no port of `first..=last` is issued or the kernel's.
pub fn ports_free(first: u16, last: u16) -> bool {
    let m = PORTS.get();
    (first as usize / 64..=last as usize / 64).all(|w| m[w] & port_bits(w, first, last) == 0)
}

/// Marks `first..=last` issued (IOPortControl Issue).
pub fn allocate_ports(first: u16, last: u16) {
    let m = PORTS.get();
    for w in first as usize / 64..=last as usize / 64 {
        m[w] |= port_bits(w, first, last);
    }
}

/// The last IOPort cap for `first..=last` is gone (seL4 freeIOPortRange).
/// The kernel's own ports stay taken.
pub fn free_ports(first: u16, last: u16) {
    let m = PORTS.get();
    for w in first as usize / 64..=last as usize / 64 {
        m[w] &= !port_bits(w, first, last) | KERNEL_PORT_MAP[w];
    }
}
