//! Kernel-internal cap type numbers (`capType`) on x86_64, as returned in RDI
//! by the DebugCapIdentify syscall.
//!
//! Source: the `tagged_union cap capType` in
//! include/arch/x86/arch/64/mode/object/structures.bf. Generic caps have even
//! tags and arch caps odd ones (the kernel's `isArchCap` tests bit 0). Tags of
//! caps that exist only under MCS, the IOMMU or VT-x are listed for
//! completeness but never occur in Triton.

/// Empty slot.
pub const NULL: u64 = 0;
/// Untyped memory.
pub const UNTYPED: u64 = 2;
/// Endpoint.
pub const ENDPOINT: u64 = 4;
/// Notification.
pub const NOTIFICATION: u64 = 6;
/// Reply (non-MCS: the one-shot caller cap).
pub const REPLY: u64 = 8;
/// CNode.
pub const CNODE: u64 = 10;
/// TCB.
pub const THREAD: u64 = 12;
/// IRQ control.
pub const IRQ_CONTROL: u64 = 14;
/// IRQ handler.
pub const IRQ_HANDLER: u64 = 16;
/// Zombie (an object being deleted).
pub const ZOMBIE: u64 = 18;
/// Domain control.
pub const DOMAIN: u64 = 20;
/// MCS only.
pub const SCHED_CONTEXT: u64 = 22;
/// MCS only.
pub const SCHED_CONTROL: u64 = 24;

/// Frame of any size.
pub const FRAME: u64 = 1;
/// Page table.
pub const PAGE_TABLE: u64 = 3;
/// Page directory.
pub const PAGE_DIRECTORY: u64 = 5;
/// PDPT.
pub const PDPT: u64 = 7;
/// PML4 (VSpace root).
pub const PML4: u64 = 9;
/// ASID control.
pub const ASID_CONTROL: u64 = 11;
/// ASID pool.
pub const ASID_POOL: u64 = 13;
/// IOMMU only.
pub const IO_SPACE: u64 = 15;
/// IOMMU only.
pub const IO_PAGE_TABLE: u64 = 17;
/// I/O port range.
pub const IO_PORT: u64 = 19;
/// VT-x only.
pub const VCPU: u64 = 21;
/// VT-x only.
pub const EPT_PT: u64 = 23;
/// VT-x only.
pub const EPT_PD: u64 = 25;
/// VT-x only.
pub const EPT_PDPT: u64 = 27;
/// VT-x only.
pub const EPT_PML4: u64 = 29;
/// I/O port control.
pub const IO_PORT_CONTROL: u64 = 31;

/// Whether `tag` is an arch (x86) cap type.
pub const fn is_arch(tag: u64) -> bool {
    tag & 1 == 1
}
