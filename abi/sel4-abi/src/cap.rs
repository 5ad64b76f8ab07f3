//! Fixed slots of the root task's CNode (`seL4_RootCNodeCapSlots`,
//! libsel4/include/sel4/bootinfo_types.h).
//!
//! Because the root CNode's guard absorbs every bit its radix does not (see
//! [`crate::ROOT_CNODE_GUARD_SIZE`]), a cptr into it is just the slot number.
//! Slots from [`NUM_INITIAL_CAPS`] on are filled at boot in this order:
//! userImagePaging, extraBIPages, userImageFrames, untypeds; the rest is the
//! `empty` region (src/kernel/boot.c and src/arch/x86/kernel/boot.c).

/// Always null.
pub const NULL: u64 = 0;
/// The root task's TCB.
pub const INIT_THREAD_TCB: u64 = 1;
/// The root CNode itself.
pub const INIT_THREAD_CNODE: u64 = 2;
/// The root task's VSpace (PML4). Alias: `seL4_CapInitThreadPD`.
pub const INIT_THREAD_VSPACE: u64 = 3;
/// IRQ control.
pub const IRQ_CONTROL: u64 = 4;
/// ASID control.
pub const ASID_CONTROL: u64 = 5;
/// The initial ASID pool.
pub const INIT_THREAD_ASID_POOL: u64 = 6;
/// I/O port control (present on x86).
pub const IO_PORT_CONTROL: u64 = 7;
/// Master IOSpace; null because Triton has no IOMMU.
pub const IO_SPACE: u64 = 8;
/// The bootinfo frame.
pub const BOOT_INFO_FRAME: u64 = 9;
/// The root task's IPC buffer frame.
pub const INIT_THREAD_IPC_BUFFER: u64 = 10;
/// Domain control.
pub const DOMAIN: u64 = 11;
/// ARM SMMU only; null on x86.
pub const SMMU_SID_CONTROL: u64 = 12;
/// ARM SMMU only; null on x86.
pub const SMMU_CB_CONTROL: u64 = 13;
/// MCS only; null here.
pub const INIT_THREAD_SC: u64 = 14;
/// ARM SMC only; null on x86.
pub const SMC: u64 = 15;
/// First slot filled dynamically at boot.
pub const NUM_INITIAL_CAPS: u64 = 16;
/// libsel4's legacy alias of [`INIT_THREAD_VSPACE`].
pub const INIT_THREAD_PD: u64 = INIT_THREAD_VSPACE;
