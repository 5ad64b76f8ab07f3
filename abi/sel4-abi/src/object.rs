//! Kernel object types for Untyped_Retype, and their sizes.
//!
//! Numbering: the enumerations in libsel4/include/sel4/objecttype.h (generic),
//! libsel4/sel4_arch_include/x86_64/sel4/sel4_arch/objecttype.h and
//! libsel4/arch_include/x86/sel4/arch/objecttype.h chain in that order, and a
//! member whose #ifdef is false takes no number. With Triton's configuration
//! (non-MCS, huge pages on, IOMMU off, VT-x off) that gives 0..=11 below.
//! Sizes: src/object/objecttype.c (`getObjectSize`) and
//! src/arch/x86/object/objecttype.c (`Arch_getObjectSize`), using the
//! constants of x86_64 sel4_arch/constants.h.

use crate::consts::{
    ASID_POOL_BITS, ASID_POOL_INDEX_BITS, ENDPOINT_BITS, HUGE_PAGE_BITS, LARGE_PAGE_BITS,
    NOTIFICATION_BITS, NUM_ASID_POOL_BITS, PAGE_BITS, PAGE_DIR_BITS, PAGE_TABLE_BITS, PDPT_BITS,
    PML4_BITS, SLOT_BITS, TCB_BITS,
};

abi_enum! {
    /// `seL4_ObjectType` for Triton's configuration.
    pub enum ObjectType: u64 {
        /// `seL4_UntypedObject`: size is the size argument (log2 bytes).
        Untyped = 0,
        /// `seL4_TCBObject`.
        TCB = 1,
        /// `seL4_EndpointObject`.
        Endpoint = 2,
        /// `seL4_NotificationObject`.
        Notification = 3,
        /// `seL4_CapTableObject`: size argument is log2 of the slot count.
        CapTable = 4,
        /// `seL4_X86_PDPTObject`.
        PDPT = 5,
        /// `seL4_X64_PML4Object` (the VSpace root).
        PML4 = 6,
        /// `seL4_X64_HugePageObject`: 1 GiB frame.
        HugePage = 7,
        /// `seL4_X86_4K`: 4 KiB frame.
        SmallPage = 8,
        /// `seL4_X86_LargePageObject`: 2 MiB frame.
        LargePage = 9,
        /// `seL4_X86_PageTableObject`.
        PageTable = 10,
        /// `seL4_X86_PageDirectoryObject`.
        PageDirectory = 11,
    }
}

/// `seL4_ObjectTypeCount`: first number that is not a valid type; Retype
/// rejects anything at or above it with InvalidArgument(0).
pub const NUM_OBJECT_TYPES: u64 = 12;
/// `seL4_NonArchObjectTypeCount`: the generic types are 0..5.
pub const NUM_NON_ARCH_OBJECT_TYPES: u64 = 5;

/// Values libsel4 gives the type names that are compiled out in this
/// configuration (arch/objecttype.h); the kernel rejects them.
pub mod absent {
    /// `seL4_X86_IOPageTableObject` without CONFIG_IOMMU.
    pub const IO_PAGE_TABLE: u64 = 0xFF_FFFF;
    /// `seL4_X86_VCPUObject` without CONFIG_VTX.
    pub const VCPU: u64 = 0xFF_FFFE;
    /// `seL4_X86_EPTPML4Object` without CONFIG_VTX.
    pub const EPT_PML4: u64 = 0xFF_FFFD;
    /// `seL4_X86_EPTPDPTObject` without CONFIG_VTX.
    pub const EPT_PDPT: u64 = 0xFF_FFFC;
    /// `seL4_X86_EPTPDObject` without CONFIG_VTX.
    pub const EPT_PD: u64 = 0xFF_FFFB;
    /// `seL4_X86_EPTPTObject` without CONFIG_VTX.
    pub const EPT_PT: u64 = 0xFF_FFFA;
}

/// An ASID pool is not a Retype type: ASIDControl_MakePool turns a 4 KiB
/// untyped into one. log2 of its size in bytes (`seL4_ASIDPoolBits`).
pub const ASID_POOL_SIZE_BITS: usize = ASID_POOL_BITS;
/// ASIDs per pool (2^`seL4_ASIDPoolIndexBits`).
pub const ASID_POOL_ENTRIES: usize = 1 << ASID_POOL_INDEX_BITS;
/// Number of ASID pools (2^`seL4_NumASIDPoolsBits`).
pub const NUM_ASID_POOLS: usize = 1 << NUM_ASID_POOL_BITS;
/// Total ASIDs (pools x entries).
pub const NUM_ASIDS: usize = NUM_ASID_POOLS * ASID_POOL_ENTRIES;

impl ObjectType {
    /// log2 of the object's size in bytes, given Retype's size argument.
    ///
    /// Untyped returns the argument unchanged and CapTable returns it plus
    /// `SLOT_BITS` (`None` for 0, which the kernel rejects with
    /// InvalidArgument(1), or on overflow); every other type has a fixed size
    /// and ignores the argument. Range checks against MIN/MAX_UNTYPED_BITS
    /// remain the decoder's job, as in src/object/untyped.c.
    pub const fn size_bits(self, user_size_bits: usize) -> Option<usize> {
        match self {
            ObjectType::Untyped => Some(user_size_bits),
            ObjectType::CapTable => {
                if user_size_bits == 0 {
                    None
                } else {
                    user_size_bits.checked_add(SLOT_BITS)
                }
            }
            ObjectType::TCB => Some(TCB_BITS),
            ObjectType::Endpoint => Some(ENDPOINT_BITS),
            ObjectType::Notification => Some(NOTIFICATION_BITS),
            ObjectType::PDPT => Some(PDPT_BITS),
            ObjectType::PML4 => Some(PML4_BITS),
            ObjectType::HugePage => Some(HUGE_PAGE_BITS),
            ObjectType::SmallPage => Some(PAGE_BITS),
            ObjectType::LargePage => Some(LARGE_PAGE_BITS),
            ObjectType::PageTable => Some(PAGE_TABLE_BITS),
            ObjectType::PageDirectory => Some(PAGE_DIR_BITS),
        }
    }

    /// Whether the type is a frame (4 KiB, 2 MiB or 1 GiB page).
    pub const fn is_frame(self) -> bool {
        matches!(
            self,
            ObjectType::SmallPage | ObjectType::LargePage | ObjectType::HugePage
        )
    }

    /// Whether the type is a paging structure (PML4, PDPT, PD, PT).
    pub const fn is_paging_structure(self) -> bool {
        matches!(
            self,
            ObjectType::PML4 | ObjectType::PDPT | ObjectType::PageDirectory | ObjectType::PageTable
        )
    }

    /// Whether a device untyped may be retyped into this type: only frames
    /// and untypeds (src/object/untyped.c, InvalidArgument(1) otherwise).
    pub const fn allowed_from_device(self) -> bool {
        self.is_frame() || matches!(self, ObjectType::Untyped)
    }
}
