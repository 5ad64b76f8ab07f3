//! Numeric constants of the seL4 16.0.0 x86_64 non-MCS user ABI, as configured
//! for Triton (see [`config`]).
//!
//! Type convention used throughout this crate:
//! * bit counts (`*_BITS`), log2 sizes and element counts are `usize`, because
//!   they size arrays and drive shifts on the host side;
//! * values that travel in message words or name addresses / cap slots
//!   (priorities, labels, addresses, cptrs) are `u64`, the seL4 word on x86_64.

/// The build configuration Triton implements. These are the CMake options of
/// the seL4 build whose generated headers the numbers in this crate match;
/// where Triton differs from the seL4 defaults it is noted.
pub mod config {
    /// `KernelIsMCS`: off. Syscall numbers, labels, object types and the
    /// bootinfo layout in this crate are the non-MCS ones.
    pub const MCS: bool = false;
    /// `KernelIOMMU`: off (seL4's pc99 default is on). Removes the IOPageTable
    /// object type and three x86 invocation labels.
    pub const IOMMU: bool = false;
    /// `KernelVTX`: off. No VCPU/EPT types or labels, VMEnter not served.
    pub const VTX: bool = false;
    /// `KernelHugePage`: on, so 1 GiB pages are object type 7.
    pub const HUGE_PAGE: bool = true;
    /// `KernelMaxNumNodes`: one core (no SMP labels or SMP debug syscalls).
    pub const MAX_NUM_NODES: usize = 1;
    /// `KernelFSGSBase` = `msr` (seL4's x86_64 default is `inst`). With `msr`,
    /// CONFIG_SET_TLS_BASE_SELF holds and the SetTLSBase syscall (-30) is
    /// served; user code may not use `wrfsbase`.
    pub const FSGSBASE_INST: bool = false;
    /// CONFIG_SET_TLS_BASE_SELF, a consequence of [`FSGSBASE_INST`] being false.
    pub const SET_TLS_BASE_SELF: bool = !FSGSBASE_INST;
    /// `KernelXSaveSize`: 512 bytes (FXSAVE), which keeps `seL4_TCBBits` at 11.
    pub const XSAVE_SIZE: usize = 512;
    /// `KernelDebugBuild` and `KernelPrinting`: on, so the debug syscalls
    /// -9..=-14 are served.
    pub const DEBUG_BUILD: bool = true;
    /// See [`DEBUG_BUILD`].
    pub const PRINTING: bool = true;
    /// `HardwareDebugAPI`: off (no breakpoint labels, no DebugException fault).
    pub const HARDWARE_DEBUG_API: bool = false;
}

// --- Words, slots, guards: sel4_arch/constants.h (x86_64), mode/types.h ---

/// `seL4_WordBits` (libsel4/sel4_arch_include/x86_64/sel4/sel4_arch/constants.h).
pub const WORD_BITS: usize = 64;
/// `seL4_WordSizeBits`: a word is 8 bytes (same header).
pub const WORD_SIZE_BITS: usize = 3;
/// `seL4_SlotBits`: a CNode slot is 32 bytes, a two-word cap plus a two-word
/// derivation node (same header).
pub const SLOT_BITS: usize = 5;
/// `seL4_GuardBits`: width of the guard field of CNode cap data
/// (libsel4/mode_include/64/sel4/shared_types.bf, block seL4_CNode_CapData).
pub const GUARD_BITS: usize = 58;
/// `seL4_GuardSizeBits`: width of the guard-size field (same block).
pub const GUARD_SIZE_BITS: usize = 6;
/// `seL4_BadgeBits`: a badge is a full word on 64-bit
/// (libsel4/mode_include/64/sel4/mode/types.h).
pub const BADGE_BITS: usize = 64;

// --- Paging: sel4_arch/constants.h (x86_64) ---

/// `seL4_PageBits`: 4 KiB frames.
pub const PAGE_BITS: usize = 12;
/// `seL4_LargePageBits`: 2 MiB frames.
pub const LARGE_PAGE_BITS: usize = 21;
/// `seL4_HugePageBits`: 1 GiB frames.
pub const HUGE_PAGE_BITS: usize = 30;
/// Bytes in a 4 KiB page, for convenience.
pub const PAGE_SIZE: usize = 1 << PAGE_BITS;
/// `seL4_PageTableEntryBits` (and the same for every paging level): 8-byte entries.
pub const PAGING_ENTRY_BITS: usize = 3;
/// `seL4_PageTableIndexBits` (and every other level): 512 entries per table.
pub const PAGING_INDEX_BITS: usize = 9;
/// `seL4_PageTableBits`.
pub const PAGE_TABLE_BITS: usize = 12;
/// `seL4_PageDirBits`.
pub const PAGE_DIR_BITS: usize = 12;
/// `seL4_PDPTBits`.
pub const PDPT_BITS: usize = 12;
/// `seL4_PML4Bits`.
pub const PML4_BITS: usize = 12;
/// `seL4_VSpaceBits`, defined by libsel4 as the PML4 size.
pub const VSPACE_BITS: usize = PML4_BITS;

// --- Kernel objects: sel4_arch/constants.h (x86_64) ---

/// `seL4_TCBBits`: 11 because Triton's XSAVE area is 512 bytes (FXSAVE); seL4
/// uses 12 only when CONFIG_XSAVE_SIZE >= 832.
pub const TCB_BITS: usize = 11;
/// `seL4_EndpointBits`.
pub const ENDPOINT_BITS: usize = 4;
/// `seL4_NotificationBits` (non-MCS; MCS would be 6).
pub const NOTIFICATION_BITS: usize = 5;
/// `seL4_ASIDPoolBits`: a pool is one 4 KiB page.
pub const ASID_POOL_BITS: usize = 12;
/// `seL4_ASIDPoolIndexBits`: 512 ASIDs per pool.
pub const ASID_POOL_INDEX_BITS: usize = 9;
/// `seL4_NumASIDPoolsBits`: 8 pools.
pub const NUM_ASID_POOL_BITS: usize = 3;
/// `seL4_IOPageTableBits` (only meaningful with the IOMMU, which Triton disables).
pub const IO_PAGE_TABLE_BITS: usize = 12;
/// `seL4_VCPUBits` (libsel4/arch_include/x86/sel4/arch/constants.h; VT-x only).
pub const VCPU_BITS: usize = 14;
/// `seL4_MinUntypedBits`.
pub const MIN_UNTYPED_BITS: usize = 4;
/// `seL4_MaxUntypedBits`.
pub const MAX_UNTYPED_BITS: usize = 47;

// --- IPC: constants.h and sel4_arch/constants.h ---

/// `seL4_IPCBufferSizeBits`: the IPC buffer is 1024 bytes and must be aligned
/// to its size (x86_64 sel4_arch/constants.h).
pub const IPC_BUFFER_SIZE_BITS: usize = 10;
/// `seL4_MsgLengthBits` (libsel4/include/sel4/constants.h).
pub const MSG_LENGTH_BITS: usize = 7;
/// `seL4_MsgMaxLength`: message registers per message (constants.h).
pub const MSG_MAX_LENGTH: usize = 120;
/// `seL4_MsgExtraCapBits` (constants.h).
pub const MSG_EXTRA_CAP_BITS: usize = 2;
/// `seL4_MsgMaxExtraCaps` = 2^MsgExtraCapBits - 1 (constants.h).
pub const MSG_MAX_EXTRA_CAPS: usize = (1 << MSG_EXTRA_CAP_BITS) - 1;
/// `seL4_FastMessageRegisters`: MR0..MR3 travel in R10, R8, R9, R15
/// (x86_64 sel4_arch/constants.h).
pub const FAST_MESSAGE_REGISTERS: usize = 4;
/// `seL4_CapRightsBits` (constants.h).
pub const CAP_RIGHTS_BITS: usize = 4;

// --- Scheduling and retype: kernel configuration ---

/// CONFIG_RETYPE_FAN_OUT_LIMIT: most objects a single Retype may create.
pub const RETYPE_FAN_OUT_LIMIT: usize = 256;
/// CONFIG_NUM_PRIORITIES.
pub const NUM_PRIORITIES: usize = 256;
/// `seL4_MinPrio` (constants.h, enum priorityConstants).
pub const MIN_PRIO: u64 = 0;
/// `seL4_MaxPrio` = CONFIG_NUM_PRIORITIES - 1 (constants.h). A `u64` because
/// it is compared with priorities taken from message words.
pub const MAX_PRIO: u64 = NUM_PRIORITIES as u64 - 1;

// --- Boot: bootinfo_types.h and Triton's configuration ---

/// CONFIG_ROOT_CNODE_SIZE_BITS: Triton's root CNode has 2^13 slots (seL4's
/// default is 12).
pub const ROOT_CNODE_SIZE_BITS: usize = 13;
/// Guard size of the root CNode cap: the guard absorbs all bits the radix does
/// not, so a cptr into the root CNode is simply the slot number
/// (src/kernel/boot.c, `create_root_cnode`).
pub const ROOT_CNODE_GUARD_SIZE: usize = WORD_BITS - ROOT_CNODE_SIZE_BITS;
/// CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS: length of `BootInfo::untyped_list`.
pub const MAX_BOOTINFO_UNTYPED_CAPS: usize = 230;
/// `seL4_BootInfoFrameBits` = `seL4_PageBits`
/// (libsel4/include/sel4/bootinfo_types.h).
pub const BOOTINFO_FRAME_BITS: usize = PAGE_BITS;
/// `seL4_BootInfoFrameSize`; extra bootinfo starts this far after the bootinfo.
pub const BOOTINFO_FRAME_SIZE: usize = 1 << BOOTINFO_FRAME_BITS;

// --- Address space limits ---

/// The kernel's own user limit, `USER_TOP` in
/// include/plat/pc99/plat/64/plat_mode/machine/hardware.h: a frame mapping
/// must start and end at or below it (src/arch/x86/kernel/vspace.c).
pub const USER_TOP: u64 = 0x7FFF_FFFF_FFFF;
/// `seL4_UserTop`, deprecated in libsel4 (x86_64 sel4_arch/constants.h): the
/// first user-inaccessible address as libsel4 sees it.
pub const USER_TOP_DEPRECATED: u64 = 0x7FFF_FFFF_F000;
/// `seL4_UserVSpaceTop` = `seL4_UserTop` - 1 (same header).
pub const USER_VSPACE_TOP: u64 = USER_TOP_DEPRECATED - 1;
