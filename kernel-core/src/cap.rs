//! Capabilities: Triton's two-word encoding, the CSpace slot layout and the
//! pure rules seL4 applies when caps are derived, badged, masked and revoked.
//!
//! A slot ([`Cte`]) is 32 bytes, as in seL4 (`seL4_SlotBits` = 5): a two-word
//! cap ([`RawCap`]) followed by a two-word derivation-tree node ([`MdbNode`]).
//! The kernel stores [`RawCap`]s in memory and works with the typed [`Cap`].
//!
//! Only the *tag* position is an ABI fact: `seL4_DebugCapIdentify` returns the
//! seL4 x86_64 capType number, which Triton keeps in the low 5 bits of `w0`
//! (tag values from `include/arch/x86/arch/64/mode/object/structures.bf` and
//! `include/object/structures_64.bf`). The rest of the packing is Triton's
//! own; user code never sees it. seL4 packs fields differently (it stores
//! kernel-virtual pointers and the tag in the top bits); Triton stores
//! physical addresses, which are below 2^47.
//!
//! # Encoding
//!
//! Common layout of `w0`:
//!
//! | bits    | content                                                   |
//! |---------|-----------------------------------------------------------|
//! | 0..=4   | capType tag (see [`tag`])                                 |
//! | 5..=16  | 12 bits of small per-type fields ("small" below)          |
//! | 17..=59 | bits 4..=46 of the object's physical address ("ptr")      |
//! | 60..=63 | zero                                                      |
//!
//! Per type ("small" bit numbers count from bit 5 of `w0`; `-` = zero):
//!
//! | cap             | small                                           | ptr   | `w1`                |
//! |-----------------|-------------------------------------------------|-------|---------------------|
//! | null            | -                                               | -     | 0                   |
//! | untyped         | 0..=5 size_bits, 6 is_device                    | paddr | free_index (bytes)  |
//! | endpoint        | 0..=3 rights (seL4_CapRights order)             | ptr   | badge               |
//! | notification    | 0..=3 rights                                    | ptr   | badge               |
//! | reply           | 0 master, 1 can_grant                           | tcb   | 0                   |
//! | cnode           | 0..=5 radix, 6..=11 guard_size                  | ptr   | guard               |
//! | thread          | -                                               | tcb   | 0                   |
//! | irq_control     | -                                               | -     | 0                   |
//! | irq_handler     | 0..=11 irq                                      | -     | 0                   |
//! | zombie          | 0 is_tcb, 1..=6 cnode radix                     | ptr   | remaining           |
//! | domain          | -                                               | -     | 0                   |
//! | frame           | 0..=1 size, 2..=3 vm rights, 4 device, 5 mapped | paddr | mapping word        |
//! | page_table      | 0 mapped                                        | paddr | mapping word        |
//! | page_directory  | 0 mapped                                        | paddr | mapping word        |
//! | pdpt            | 0 mapped                                        | paddr | mapping word        |
//! | pml4            | 0 has asid                                      | paddr | asid                |
//! | asid_control    | -                                               | -     | 0                   |
//! | asid_pool       | 0..=11 asid_base                                | paddr | 0                   |
//! | io_port         | -                                               | -     | first \| last << 16 |
//! | io_port_control | -                                               | -     | 0                   |
//!
//! The mapping word is `vaddr | asid`: the virtual address is 4 KiB aligned,
//! so its low 12 bits carry the 12-bit ASID; it is 0 when unmapped.
//!
//! [`Cap::decode`] is strict: it accepts exactly the words that
//! [`Cap::encode`] produces for a valid cap ([`Cap::is_valid`]), so every
//! reserved bit must be zero. Hence `decode(encode(c)) == Some(c)` for every
//! valid `c`, and `encode(decode(r)?) == r` for every raw `r`.

/// log2 of the size of a CSpace slot (`seL4_SlotBits`).
pub const SLOT_BITS: u32 = 5;
/// Physical addresses (and user virtual addresses) are below `2^PADDR_BITS`.
pub const PADDR_BITS: u32 = 47;
/// log2 size of a TCB object (`seL4_TCBBits`, 11 with Triton's 512-byte
/// FXSAVE area).
pub const TCB_BITS: u64 = 11;
/// log2 size of an endpoint object (`seL4_EndpointBits`).
pub const ENDPOINT_BITS: u64 = 4;
/// log2 size of a notification object (`seL4_NotificationBits`, non-MCS).
pub const NOTIFICATION_BITS: u64 = 5;
/// log2 size of every x86_64 paging structure (PT, PD, PDPT, PML4).
pub const PAGING_STRUCTURE_BITS: u64 = 12;
/// log2 size of an ASID pool (`seL4_ASIDPoolBits`).
pub const ASID_POOL_BITS: u64 = 12;
/// Number of bits in an ASID (x86_64: 3 pool bits + 9 index bits).
pub const ASID_BITS: u32 = 12;
/// An ASID pool covers `2^ASID_POOL_INDEX_BITS` ASIDs (`seL4_ASIDPoolIndexBits`).
pub const ASID_POOL_INDEX_BITS: u32 = 9;
/// Smallest untyped (`seL4_MinUntypedBits`).
pub const MIN_UNTYPED_BITS: u8 = 4;
/// Largest untyped (`seL4_MaxUntypedBits`).
pub const MAX_UNTYPED_BITS: u8 = 47;
/// Largest CNode radix Triton accepts: a CNode object of `2^(radix + 5)`
/// bytes must still fit in the largest untyped.
pub const MAX_CNODE_RADIX: u8 = MAX_UNTYPED_BITS - SLOT_BITS as u8;
/// IRQ numbers fit in 12 bits, as in seL4's `irq_handler_cap` (non-SMP).
pub const IRQ_BITS: u32 = 12;

/// seL4 x86_64 capType numbers (the value `seL4_DebugCapIdentify` returns),
/// as the ABI crate declares them. Even numbers are generic caps, odd
/// numbers are arch caps (seL4 `isArchCap`).
pub use sel4_abi::cap_tag as tag;

const TAG_MASK: u64 = 0x1f;
const SMALL_SHIFT: u32 = 5;
const SMALL_MASK: u64 = 0xfff;
/// Object pointers keep bits 4..=46; shifting by 13 puts them at 17..=59.
const PTR_SHIFT: u32 = 13;
const PTR_MASK: u64 = ((1u64 << PADDR_BITS) - 1) & !0xf;
const PAGE_BITS: u32 = 12;
const VADDR_MASK: u64 = ((1u64 << PADDR_BITS) - 1) & !((1u64 << PAGE_BITS) - 1);
const ASID_MASK: u64 = (1u64 << ASID_BITS) - 1;

/// `2^bits - 1`, saturating at all ones (seL4 `MASK`, made total).
const fn mask(bits: u64) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

const fn is_aligned(x: u64, bits: u64) -> bool {
    x & mask(bits) == 0
}

/// A pointer Triton can store: below 2^47 and aligned to `2^bits` (at
/// least 16 bytes, the pointer field's granularity).
const fn ptr_ok(p: u64, bits: u64) -> bool {
    p < (1u64 << PADDR_BITS) && is_aligned(p, if bits < 4 { 4 } else { bits })
}

/// A cap as it is stored in a slot: two machine words.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct RawCap {
    /// Tag, small fields and object pointer (see the module table).
    pub w0: u64,
    /// The type's wide field: badge, guard, free index, mapping, ...
    pub w1: u64,
}

impl RawCap {
    /// The null cap (an empty slot).
    pub const NULL: RawCap = RawCap { w0: 0, w1: 0 };

    /// The capType tag, as `seL4_DebugCapIdentify` reports it. Meaningful
    /// even for words that [`Cap::decode`] rejects.
    pub const fn tag(&self) -> u64 {
        self.w0 & TAG_MASK
    }

    /// Whether the slot is empty (tag 0).
    pub const fn is_null(&self) -> bool {
        self.tag() == tag::NULL
    }

    // Field readers for the IPC fastpath, which must not pay for a full
    // decode; each agrees with `Cap::decode_trusted` (tested).

    const fn small(&self) -> u64 {
        (self.w0 >> SMALL_SHIFT) & SMALL_MASK
    }

    const fn ptr(&self) -> u64 {
        (self.w0 >> PTR_SHIFT) & PTR_MASK
    }

    /// An endpoint cap's (object, badge, rights word).
    #[inline]
    pub const fn as_endpoint(&self) -> Option<(u64, u64, u64)> {
        if self.tag() == tag::ENDPOINT { Some((self.ptr(), self.w1, self.small() & 0xf)) } else { None }
    }

    /// A non-master reply cap to `tcb` (what `Cap::Reply { master: false }`
    /// encodes to), built without the general encoder.
    #[inline]
    pub const fn reply(tcb: u64, can_grant: bool) -> RawCap {
        RawCap { w0: pack(tag::REPLY, (can_grant as u64) << 1, tcb), w1: 0 }
    }

    /// A CNode cap's (slots, radix, guard size, guard).
    #[inline]
    pub const fn as_cnode(&self) -> Option<(u64, u64, u64, u64)> {
        if self.tag() == tag::CNODE {
            Some((self.ptr(), self.small() & 0x3f, (self.small() >> 6) & 0x3f, self.w1))
        } else {
            None
        }
    }

    /// A non-master reply cap's (caller TCB, can_grant).
    #[inline]
    pub const fn as_reply(&self) -> Option<(u64, bool)> {
        if self.tag() == tag::REPLY && self.small() & 1 == 0 { Some((self.ptr(), self.small() & 2 != 0)) } else { None }
    }

    /// A PML4 cap's object, when it has an ASID (a usable VSpace root).
    #[inline]
    pub const fn as_assigned_pml4(&self) -> Option<u64> {
        if self.tag() == tag::PML4 && self.small() & 1 != 0 { Some(self.ptr()) } else { None }
    }
}

/// Capability rights, in `seL4_CapRights_t` bit order
/// (`libsel4/mode_include/64/sel4/shared_types.bf`): bit 0 write, bit 1 read,
/// bit 2 grant, bit 3 grant-reply.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Hash)]
pub struct Rights {
    /// Write; on endpoints and notifications, "can send".
    pub write: bool,
    /// Read; on endpoints and notifications, "can receive".
    pub read: bool,
    /// Grant: may transfer caps.
    pub grant: bool,
    /// Grant-reply: may transfer a reply cap.
    pub grant_reply: bool,
}

impl Rights {
    /// No rights (`seL4_NoRights`).
    pub const NONE: Rights = Rights::from_word(0);
    /// All rights (`seL4_AllRights`).
    pub const ALL: Rights = Rights::from_word(0xf);
    /// Read and write (`seL4_ReadWrite`).
    pub const READ_WRITE: Rights = Rights::from_word(0x3);

    /// Decodes a rights word; bits above 3 are ignored, as seL4's
    /// `rightsFromWord` does.
    pub const fn from_word(w: u64) -> Rights {
        Rights {
            write: w & 1 != 0,
            read: w & 2 != 0,
            grant: w & 4 != 0,
            grant_reply: w & 8 != 0,
        }
    }

    /// The `seL4_CapRights_t` word.
    pub const fn word(self) -> u64 {
        (self.write as u64)
            | (self.read as u64) << 1
            | (self.grant as u64) << 2
            | (self.grant_reply as u64) << 3
    }

    /// Intersection of two rights sets.
    pub const fn and(self, other: Rights) -> Rights {
        Rights::from_word(self.word() & other.word())
    }
}

/// Frame sizes, numbered as seL4's `vm_page_size` (`X86_SmallPage` 0,
/// `X86_LargePage` 1, `X64_HugePage` 2).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum FrameSize {
    /// 4 KiB.
    Small4K,
    /// 2 MiB.
    Large2M,
    /// 1 GiB.
    Huge1G,
}

impl FrameSize {
    /// log2 of the size in bytes (seL4 `pageBitsForSize`).
    pub const fn bits(self) -> u64 {
        match self {
            FrameSize::Small4K => 12,
            FrameSize::Large2M => 21,
            FrameSize::Huge1G => 30,
        }
    }

    /// The seL4 `vm_page_size` number.
    pub const fn word(self) -> u64 {
        match self {
            FrameSize::Small4K => 0,
            FrameSize::Large2M => 1,
            FrameSize::Huge1G => 2,
        }
    }

    /// Inverse of [`FrameSize::word`].
    pub const fn from_word(w: u64) -> Option<FrameSize> {
        match w {
            0 => Some(FrameSize::Small4K),
            1 => Some(FrameSize::Large2M),
            2 => Some(FrameSize::Huge1G),
            _ => None,
        }
    }
}

/// Rights of a frame mapping, numbered as seL4's x86 `vm_rights`
/// (`include/arch/x86/arch/object/structures.h`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum VmRights {
    /// No user access.
    KernelOnly = 1,
    /// User read.
    ReadOnly = 2,
    /// User read and write.
    ReadWrite = 3,
}

impl VmRights {
    /// The seL4 `vm_rights` number.
    pub const fn word(self) -> u64 {
        self as u64
    }

    /// Inverse of [`VmRights::word`]; 0 and values above 3 are invalid.
    pub const fn from_word(w: u64) -> Option<VmRights> {
        match w {
            1 => Some(VmRights::KernelOnly),
            2 => Some(VmRights::ReadOnly),
            3 => Some(VmRights::ReadWrite),
            _ => None,
        }
    }

    /// Narrows these rights by a cap-rights mask, as seL4's x86
    /// `maskVMRights` (`src/arch/x86/kernel/vspace.c`): read is needed to
    /// keep any user access, and write-only collapses to kernel-only.
    pub const fn mask(self, m: Rights) -> VmRights {
        match self {
            VmRights::ReadOnly if m.read => VmRights::ReadOnly,
            VmRights::ReadWrite if m.read => {
                if m.write {
                    VmRights::ReadWrite
                } else {
                    VmRights::ReadOnly
                }
            }
            _ => VmRights::KernelOnly,
        }
    }
}

/// Where a frame or paging structure is mapped.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub struct Mapping {
    /// The address space (12 bits).
    pub asid: u16,
    /// Virtual address of the mapping: below 2^47, 4 KiB aligned.
    pub vaddr: u64,
}

impl Mapping {
    const fn is_valid(&self) -> bool {
        (self.asid as u64) <= ASID_MASK && self.vaddr & !VADDR_MASK == 0
    }

    const fn word(m: &Option<Mapping>) -> u64 {
        match m {
            Some(m) => (m.vaddr & VADDR_MASK) | (m.asid as u64 & ASID_MASK),
            None => 0,
        }
    }

    const fn from_word(mapped: bool, w: u64) -> Option<Mapping> {
        if mapped {
            Some(Mapping {
                asid: (w & ASID_MASK) as u16,
                vaddr: w & VADDR_MASK,
            })
        } else {
            None
        }
    }
}

/// What a zombie cap is destroying (seL4 `ZombieType_ZombieTCB` or
/// `ZombieType_ZombieCNode(radix)`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum ZombieKind {
    /// A TCB's cap slots.
    Tcb,
    /// A CNode of `2^radix` slots (radix below 64).
    CNode {
        /// log2 of the slot count.
        radix: u8,
    },
}

/// A decoded capability. Pointers are physical addresses below 2^47.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cap {
    /// Empty slot.
    Null,
    /// Untyped memory `[paddr, paddr + 2^size_bits)`.
    Untyped {
        /// Base (16-byte aligned).
        paddr: u64,
        /// log2 size, 4..=47.
        size_bits: u8,
        /// Device memory: only frames and untypeds can be made from it.
        is_device: bool,
        /// Bytes already used from the base, a multiple of 16, at most
        /// `2^size_bits` (seL4 stores it in 16-byte units).
        free_index: u64,
    },
    /// Endpoint.
    Endpoint {
        /// Object address (16-byte aligned).
        ptr: u64,
        /// Badge delivered to receivers; 0 means unbadged.
        badge: u64,
        /// write = send, read = receive, grant, grant-reply.
        rights: Rights,
    },
    /// Notification.
    Notification {
        /// Object address (16-byte aligned).
        ptr: u64,
        /// Badge OR-ed into the word on signal; 0 means unbadged.
        badge: u64,
        /// write = send (signal), read = receive (wait); seL4 notification
        /// caps have no grant rights, and no seL4 rule looks at them here.
        rights: Rights,
    },
    /// Reply cap (non-MCS): lets the holder reply to the thread `tcb`.
    Reply {
        /// The caller's TCB.
        tcb: u64,
        /// The per-thread master reply cap (kept in the TCB's slot).
        master: bool,
        /// The reply may carry caps.
        can_grant: bool,
    },
    /// CNode of `2^radix` slots, with a guard of `guard_size` bits.
    CNode {
        /// Address of slot 0 (32-byte aligned).
        ptr: u64,
        /// log2 of the slot count, 1..=[`MAX_CNODE_RADIX`].
        radix: u8,
        /// Bits of guard; `radix + guard_size <= 64`.
        guard_size: u8,
        /// Guard value, below `2^guard_size`.
        guard: u64,
    },
    /// Thread.
    Thread {
        /// The TCB object's address.
        tcb: u64,
    },
    /// Authority to create IRQ handler caps.
    IrqControl,
    /// Authority over one IRQ.
    IrqHandler {
        /// IRQ number, below 2^12.
        irq: u16,
    },
    /// An object that is being deleted (its slots are being emptied).
    Zombie {
        /// The object's slots (TCB base or CNode slot 0).
        ptr: u64,
        /// What is being deleted.
        kind: ZombieKind,
        /// Slots still to be cleared (seL4's zombie "number").
        remaining: u64,
    },
    /// Domain control.
    Domain,
    /// Frame.
    Frame {
        /// Base, aligned to the frame size.
        paddr: u64,
        /// Frame size.
        size: FrameSize,
        /// Rights used when mapping.
        rights: VmRights,
        /// Device memory (not zeroed, not kernel-usable).
        device: bool,
        /// Where this cap's frame is mapped, if it is.
        mapping: Option<Mapping>,
    },
    /// Page table.
    PageTable {
        /// Base (4 KiB aligned).
        paddr: u64,
        /// Where it is mapped.
        mapping: Option<Mapping>,
    },
    /// Page directory.
    PageDirectory {
        /// Base (4 KiB aligned).
        paddr: u64,
        /// Where it is mapped.
        mapping: Option<Mapping>,
    },
    /// Page-directory pointer table.
    Pdpt {
        /// Base (4 KiB aligned).
        paddr: u64,
        /// Where it is mapped.
        mapping: Option<Mapping>,
    },
    /// PML4, the root of a VSpace.
    Pml4 {
        /// Base (4 KiB aligned).
        paddr: u64,
        /// The ASID assigned to it, if any (12 bits).
        asid: Option<u16>,
    },
    /// Authority to create ASID pools.
    AsidControl,
    /// A pool of 512 ASIDs.
    AsidPool {
        /// Pool object (4 KiB aligned).
        paddr: u64,
        /// First ASID of the pool: below 2^12 and a multiple of 512.
        asid_base: u16,
    },
    /// I/O ports `first..=last`.
    IoPort {
        /// First port.
        first: u16,
        /// Last port (inclusive), at least `first`.
        last: u16,
    },
    /// Authority to create I/O port caps.
    IoPortControl,
}

const fn pack(t: u64, small: u64, ptr: u64) -> u64 {
    t | (small & SMALL_MASK) << SMALL_SHIFT | (ptr & PTR_MASK) << PTR_SHIFT
}

const fn mapping_ok(m: &Option<Mapping>) -> bool {
    match m {
        Some(m) => m.is_valid(),
        None => true,
    }
}

impl Cap {
    /// The capType tag (see [`tag`]).
    pub const fn tag(&self) -> u64 {
        match self {
            Cap::Null => tag::NULL,
            Cap::Untyped { .. } => tag::UNTYPED,
            Cap::Endpoint { .. } => tag::ENDPOINT,
            Cap::Notification { .. } => tag::NOTIFICATION,
            Cap::Reply { .. } => tag::REPLY,
            Cap::CNode { .. } => tag::CNODE,
            Cap::Thread { .. } => tag::THREAD,
            Cap::IrqControl => tag::IRQ_CONTROL,
            Cap::IrqHandler { .. } => tag::IRQ_HANDLER,
            Cap::Zombie { .. } => tag::ZOMBIE,
            Cap::Domain => tag::DOMAIN,
            Cap::Frame { .. } => tag::FRAME,
            Cap::PageTable { .. } => tag::PAGE_TABLE,
            Cap::PageDirectory { .. } => tag::PAGE_DIRECTORY,
            Cap::Pdpt { .. } => tag::PDPT,
            Cap::Pml4 { .. } => tag::PML4,
            Cap::AsidControl => tag::ASID_CONTROL,
            Cap::AsidPool { .. } => tag::ASID_POOL,
            Cap::IoPort { .. } => tag::IO_PORT,
            Cap::IoPortControl => tag::IO_PORT_CONTROL,
        }
    }

    /// Whether this is the null cap.
    pub const fn is_null(&self) -> bool {
        matches!(self, Cap::Null)
    }

    /// Arch caps have odd tags (seL4 `isArchCap`).
    pub const fn is_arch(&self) -> bool {
        self.tag() & 1 == 1
    }

    /// Whether every field is in the range the encoding (and seL4) allows;
    /// see the field docs. Only valid caps round-trip through
    /// [`Cap::encode`] and [`Cap::decode`].
    pub const fn is_valid(&self) -> bool {
        match *self {
            Cap::Null | Cap::IrqControl | Cap::Domain | Cap::AsidControl | Cap::IoPortControl => {
                true
            }
            Cap::Untyped {
                paddr,
                size_bits,
                free_index,
                ..
            } => {
                size_bits >= MIN_UNTYPED_BITS
                    && size_bits <= MAX_UNTYPED_BITS
                    && ptr_ok(paddr, 4)
                    && paddr + (1u64 << size_bits) <= 1u64 << PADDR_BITS
                    && is_aligned(free_index, 4)
                    && free_index <= 1u64 << size_bits
            }
            Cap::Endpoint { ptr, .. } | Cap::Notification { ptr, .. } => ptr_ok(ptr, 4),
            Cap::Reply { tcb, .. } | Cap::Thread { tcb } => ptr_ok(tcb, 4),
            Cap::CNode {
                ptr,
                radix,
                guard_size,
                guard,
            } => {
                ptr_ok(ptr, SLOT_BITS as u64)
                    && radix >= 1
                    && radix <= MAX_CNODE_RADIX
                    && radix as u32 + guard_size as u32 <= 64
                    && guard & !mask(guard_size as u64) == 0
            }
            Cap::IrqHandler { irq } => (irq as u32) < (1u32 << IRQ_BITS),
            Cap::Zombie { ptr, kind, .. } => {
                ptr_ok(ptr, 4)
                    && match kind {
                        ZombieKind::Tcb => true,
                        ZombieKind::CNode { radix } => radix < 64,
                    }
            }
            Cap::Frame {
                paddr,
                size,
                ref mapping,
                ..
            } => ptr_ok(paddr, size.bits()) && mapping_ok(mapping),
            Cap::PageTable { paddr, ref mapping }
            | Cap::PageDirectory { paddr, ref mapping }
            | Cap::Pdpt { paddr, ref mapping } => {
                ptr_ok(paddr, PAGING_STRUCTURE_BITS) && mapping_ok(mapping)
            }
            Cap::Pml4 { paddr, asid } => {
                ptr_ok(paddr, PAGING_STRUCTURE_BITS)
                    && match asid {
                        Some(a) => (a as u64) <= ASID_MASK,
                        None => true,
                    }
            }
            Cap::AsidPool { paddr, asid_base } => {
                ptr_ok(paddr, ASID_POOL_BITS)
                    && (asid_base as u64) <= ASID_MASK
                    && is_aligned(asid_base as u64, ASID_POOL_INDEX_BITS as u64)
            }
            Cap::IoPort { first, last } => first <= last,
        }
    }

    /// Packs the cap into two words (see the module table). Fields out of
    /// range are truncated to their width, so an invalid cap encodes to
    /// something that [`Cap::decode`] may reject or read differently.
    pub const fn encode(&self) -> RawCap {
        let t = self.tag();
        let (w0, w1) = match *self {
            Cap::Null | Cap::IrqControl | Cap::Domain | Cap::AsidControl | Cap::IoPortControl => {
                (t, 0)
            }
            Cap::Untyped {
                paddr,
                size_bits,
                is_device,
                free_index,
            } => (
                pack(
                    t,
                    (size_bits as u64 & 0x3f) | (is_device as u64) << 6,
                    paddr,
                ),
                free_index,
            ),
            Cap::Endpoint { ptr, badge, rights } | Cap::Notification { ptr, badge, rights } => {
                (pack(t, rights.word(), ptr), badge)
            }
            Cap::Reply {
                tcb,
                master,
                can_grant,
            } => (pack(t, master as u64 | (can_grant as u64) << 1, tcb), 0),
            Cap::CNode {
                ptr,
                radix,
                guard_size,
                guard,
            } => (
                pack(
                    t,
                    (radix as u64 & 0x3f) | (guard_size as u64 & 0x3f) << 6,
                    ptr,
                ),
                guard,
            ),
            Cap::Thread { tcb } => (pack(t, 0, tcb), 0),
            Cap::IrqHandler { irq } => (pack(t, irq as u64, 0), 0),
            Cap::Zombie {
                ptr,
                kind,
                remaining,
            } => {
                let small = match kind {
                    ZombieKind::Tcb => 1,
                    ZombieKind::CNode { radix } => (radix as u64 & 0x3f) << 1,
                };
                (pack(t, small, ptr), remaining)
            }
            Cap::Frame {
                paddr,
                size,
                rights,
                device,
                ref mapping,
            } => (
                pack(
                    t,
                    size.word()
                        | rights.word() << 2
                        | (device as u64) << 4
                        | (mapping.is_some() as u64) << 5,
                    paddr,
                ),
                Mapping::word(mapping),
            ),
            Cap::PageTable { paddr, ref mapping }
            | Cap::PageDirectory { paddr, ref mapping }
            | Cap::Pdpt { paddr, ref mapping } => (
                pack(t, mapping.is_some() as u64, paddr),
                Mapping::word(mapping),
            ),
            Cap::Pml4 { paddr, asid } => match asid {
                Some(a) => (pack(t, 1, paddr), a as u64 & ASID_MASK),
                None => (pack(t, 0, paddr), 0),
            },
            Cap::AsidPool { paddr, asid_base } => (pack(t, asid_base as u64, paddr), 0),
            Cap::IoPort { first, last } => (t, first as u64 | (last as u64) << 16),
        };
        RawCap { w0, w1 }
    }

    /// Unpacks a stored cap. Returns `None` for an unknown tag, a field out
    /// of range, or any reserved bit set (the encoding is canonical).
    pub fn decode(raw: RawCap) -> Option<Cap> {
        let cap = Cap::extract(raw)?;
        // The extraction ignores bits it does not use; re-encoding and
        // comparing rejects any word with those bits set.
        if cap.is_valid() && cap.encode() == raw {
            Some(cap)
        } else {
            None
        }
    }

    /// Unpacks a cap the kernel itself stored (so it is canonical), without
    /// re-checking it: the kernel's hot paths read slots with this. An
    /// unknown tag still reads as `Null`.
    #[inline]
    pub fn decode_trusted(raw: RawCap) -> Cap {
        Cap::extract(raw).unwrap_or(Cap::Null)
    }

    #[inline]
    fn extract(raw: RawCap) -> Option<Cap> {
        let w0 = raw.w0;
        let w1 = raw.w1;
        let small = (w0 >> SMALL_SHIFT) & SMALL_MASK;
        let ptr = (w0 >> PTR_SHIFT) & PTR_MASK;
        let bit = |n: u32| small >> n & 1 != 0;
        let cap = match raw.tag() {
            tag::NULL => Cap::Null,
            tag::UNTYPED => Cap::Untyped {
                paddr: ptr,
                size_bits: (small & 0x3f) as u8,
                is_device: bit(6),
                free_index: w1,
            },
            tag::ENDPOINT => Cap::Endpoint {
                ptr,
                badge: w1,
                rights: Rights::from_word(small),
            },
            tag::NOTIFICATION => Cap::Notification {
                ptr,
                badge: w1,
                rights: Rights::from_word(small),
            },
            tag::REPLY => Cap::Reply {
                tcb: ptr,
                master: bit(0),
                can_grant: bit(1),
            },
            tag::CNODE => Cap::CNode {
                ptr,
                radix: (small & 0x3f) as u8,
                guard_size: (small >> 6 & 0x3f) as u8,
                guard: w1,
            },
            tag::THREAD => Cap::Thread { tcb: ptr },
            tag::IRQ_CONTROL => Cap::IrqControl,
            tag::IRQ_HANDLER => Cap::IrqHandler { irq: small as u16 },
            tag::ZOMBIE => Cap::Zombie {
                ptr,
                kind: if bit(0) {
                    ZombieKind::Tcb
                } else {
                    ZombieKind::CNode {
                        radix: (small >> 1 & 0x3f) as u8,
                    }
                },
                remaining: w1,
            },
            tag::DOMAIN => Cap::Domain,
            tag::FRAME => Cap::Frame {
                paddr: ptr,
                size: FrameSize::from_word(small & 3)?,
                rights: VmRights::from_word(small >> 2 & 3)?,
                device: bit(4),
                mapping: Mapping::from_word(bit(5), w1),
            },
            tag::PAGE_TABLE => Cap::PageTable {
                paddr: ptr,
                mapping: Mapping::from_word(bit(0), w1),
            },
            tag::PAGE_DIRECTORY => Cap::PageDirectory {
                paddr: ptr,
                mapping: Mapping::from_word(bit(0), w1),
            },
            tag::PDPT => Cap::Pdpt {
                paddr: ptr,
                mapping: Mapping::from_word(bit(0), w1),
            },
            tag::PML4 => Cap::Pml4 {
                paddr: ptr,
                asid: if bit(0) {
                    Some((w1 & ASID_MASK) as u16)
                } else {
                    None
                },
            },
            tag::ASID_CONTROL => Cap::AsidControl,
            tag::ASID_POOL => Cap::AsidPool {
                paddr: ptr,
                asid_base: small as u16,
            },
            tag::IO_PORT => Cap::IoPort {
                first: w1 as u16,
                last: (w1 >> 16) as u16,
            },
            tag::IO_PORT_CONTROL => Cap::IoPortControl,
            _ => return None,
        };
        Some(cap)
    }

    /// The object's physical address, or 0 for caps without one (seL4
    /// `cap_get_capPtr`; non-MCS reply caps have none).
    pub const fn ptr(&self) -> u64 {
        match *self {
            Cap::Untyped { paddr, .. }
            | Cap::Frame { paddr, .. }
            | Cap::PageTable { paddr, .. }
            | Cap::PageDirectory { paddr, .. }
            | Cap::Pdpt { paddr, .. }
            | Cap::Pml4 { paddr, .. }
            | Cap::AsidPool { paddr, .. } => paddr,
            Cap::Endpoint { ptr, .. }
            | Cap::Notification { ptr, .. }
            | Cap::CNode { ptr, .. }
            | Cap::Zombie { ptr, .. } => ptr,
            Cap::Thread { tcb } => tcb,
            _ => 0,
        }
    }

    /// log2 of the object's size, 0 for caps without an object (seL4
    /// `cap_get_capSizeBits`).
    pub const fn size_bits(&self) -> u64 {
        match *self {
            Cap::Untyped { size_bits, .. } => size_bits as u64,
            Cap::Endpoint { .. } => ENDPOINT_BITS,
            Cap::Notification { .. } => NOTIFICATION_BITS,
            Cap::CNode { radix, .. } => radix as u64 + SLOT_BITS as u64,
            Cap::Thread { .. } => TCB_BITS,
            Cap::Zombie { kind, .. } => match kind {
                ZombieKind::Tcb => TCB_BITS,
                ZombieKind::CNode { radix } => radix as u64 + SLOT_BITS as u64,
            },
            Cap::Frame { size, .. } => size.bits(),
            Cap::PageTable { .. }
            | Cap::PageDirectory { .. }
            | Cap::Pdpt { .. }
            | Cap::Pml4 { .. } => PAGING_STRUCTURE_BITS,
            Cap::AsidPool { .. } => ASID_POOL_BITS,
            _ => 0,
        }
    }

    /// Whether the cap names memory, so that it can be a child of an
    /// untyped (seL4 `cap_get_capIsPhysical`).
    pub const fn is_physical(&self) -> bool {
        matches!(
            self,
            Cap::Untyped { .. }
                | Cap::Endpoint { .. }
                | Cap::Notification { .. }
                | Cap::CNode { .. }
                | Cap::Thread { .. }
                | Cap::Zombie { .. }
                | Cap::Frame { .. }
                | Cap::PageTable { .. }
                | Cap::PageDirectory { .. }
                | Cap::Pdpt { .. }
                | Cap::Pml4 { .. }
                | Cap::AsidPool { .. }
        )
    }

    /// The badge of an endpoint or notification cap.
    pub const fn badge(&self) -> Option<u64> {
        match *self {
            Cap::Endpoint { badge, .. } | Cap::Notification { badge, .. } => Some(badge),
            _ => None,
        }
    }
}

impl From<Cap> for RawCap {
    fn from(c: Cap) -> RawCap {
        c.encode()
    }
}

/// Why a cap cannot be derived (seL4 `deriveCap` failure).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DeriveError {
    /// `seL4_IllegalOperation`: a paging structure that is not mapped (or a
    /// PML4 without an ASID) cannot be copied.
    IllegalOperation,
}

/// seL4 `sameRegionAs` (`src/object/objecttype.c`, with the x86 and x86_64
/// arch parts): whether `b` lies within the authority of `a`, used to find
/// the children of `a` in the derivation tree.
pub fn same_region_as(a: &Cap, b: &Cap) -> bool {
    match *a {
        Cap::Untyped {
            paddr, size_bits, ..
        } => {
            if !b.is_physical() {
                return false;
            }
            let a_base = paddr;
            let b_base = b.ptr();
            let a_top = a_base.wrapping_add(mask(size_bits as u64));
            let b_top = b_base.wrapping_add(mask(b.size_bits()));
            a_base <= b_base && b_top <= a_top && b_base <= b_top
        }
        Cap::Endpoint { ptr, .. } => matches!(*b, Cap::Endpoint { ptr: p, .. } if p == ptr),
        Cap::Notification { ptr, .. } => {
            matches!(*b, Cap::Notification { ptr: p, .. } if p == ptr)
        }
        Cap::CNode { ptr, radix, .. } => {
            matches!(*b, Cap::CNode { ptr: p, radix: r, .. } if p == ptr && r == radix)
        }
        Cap::Thread { tcb } => matches!(*b, Cap::Thread { tcb: t } if t == tcb),
        Cap::Reply { tcb, .. } => matches!(*b, Cap::Reply { tcb: t, .. } if t == tcb),
        Cap::Domain => matches!(b, Cap::Domain),
        // x86 has no arch caps descending from IRQ control
        // (Arch_isIRQControlDescendant is false).
        Cap::IrqControl => matches!(b, Cap::IrqControl | Cap::IrqHandler { .. }),
        Cap::IrqHandler { irq } => matches!(*b, Cap::IrqHandler { irq: i } if i == irq),
        Cap::Null | Cap::Zombie { .. } => false,
        Cap::Frame { paddr, size, .. } => match *b {
            Cap::Frame {
                paddr: pb,
                size: sb,
                ..
            } => {
                let top_a = paddr.wrapping_add(mask(size.bits()));
                let top_b = pb.wrapping_add(mask(sb.bits()));
                paddr <= pb && top_a >= top_b && pb <= top_b
            }
            _ => false,
        },
        Cap::PageTable { paddr, .. } => matches!(*b, Cap::PageTable { paddr: p, .. } if p == paddr),
        Cap::PageDirectory { paddr, .. } => {
            matches!(*b, Cap::PageDirectory { paddr: p, .. } if p == paddr)
        }
        Cap::Pdpt { paddr, .. } => matches!(*b, Cap::Pdpt { paddr: p, .. } if p == paddr),
        Cap::Pml4 { paddr, .. } => matches!(*b, Cap::Pml4 { paddr: p, .. } if p == paddr),
        Cap::AsidControl => matches!(b, Cap::AsidControl),
        Cap::AsidPool { paddr, .. } => matches!(*b, Cap::AsidPool { paddr: p, .. } if p == paddr),
        Cap::IoPortControl => matches!(b, Cap::IoPortControl | Cap::IoPort { .. }),
        Cap::IoPort { first, last } => {
            matches!(*b, Cap::IoPort { first: f, last: l } if f == first && l == last)
        }
    }
}

/// seL4 `sameObjectAs`: whether `a` and `b` name the same object, used to
/// decide whether a cap is the last one to its object. Untyped and IRQ
/// control caps never count; an IO-port control cap is not the same object
/// as an IO-port cap; frames must also agree on size and device-ness.
pub fn same_object_as(a: &Cap, b: &Cap) -> bool {
    match (a, b) {
        (Cap::Untyped { .. }, _) | (Cap::IrqControl, _) => false,
        (Cap::IoPortControl, Cap::IoPort { .. }) => false,
        (
            Cap::Frame {
                paddr: pa,
                size: sa,
                device: da,
                ..
            },
            Cap::Frame {
                paddr: pb,
                size: sb,
                device: db,
                ..
            },
        ) => pa == pb && sa == sb && da == db,
        _ => same_region_as(a, b),
    }
}

/// seL4 `deriveCap` (`src/object/objecttype.c`, `src/arch/x86/object/objecttype.c`,
/// `src/arch/x86/64/object/objecttype.c`): the cap that a Copy/Mint/Mutate or
/// a cap transfer puts in the destination slot.
///
/// - Zombie, IRQ control, reply and IO-port control caps derive to null.
/// - Page tables, page directories and PDPTs must be mapped, and a PML4 must
///   have an ASID; otherwise the derivation fails with IllegalOperation.
/// - A frame cap derives to an unmapped copy.
/// - An untyped cap derives to itself. seL4 also fails with RevokeFirst when
///   the source untyped has children; that needs the derivation tree, so
///   the caller checks it (seL4 `ensureNoChildren`).
pub fn derive_cap(cap: &Cap) -> Result<Cap, DeriveError> {
    match *cap {
        Cap::Zombie { .. } | Cap::IrqControl | Cap::Reply { .. } | Cap::IoPortControl => {
            Ok(Cap::Null)
        }
        Cap::PageTable { mapping, .. }
        | Cap::PageDirectory { mapping, .. }
        | Cap::Pdpt { mapping, .. } => {
            if mapping.is_some() {
                Ok(*cap)
            } else {
                Err(DeriveError::IllegalOperation)
            }
        }
        Cap::Pml4 { asid, .. } => {
            if asid.is_some() {
                Ok(*cap)
            } else {
                Err(DeriveError::IllegalOperation)
            }
        }
        Cap::Frame {
            paddr,
            size,
            rights,
            device,
            ..
        } => Ok(Cap::Frame {
            paddr,
            size,
            rights,
            device,
            mapping: None,
        }),
        _ => Ok(*cap),
    }
}

/// seL4 `updateCapData` (`src/object/objecttype.c`): applies the data word
/// of a Mint/Mutate/Rotate (or TCB SetSpace) to a cap.
///
/// - Endpoint and notification: `data` becomes the badge, but only when not
///   `preserve` and the cap is still unbadged; otherwise the result is null.
/// - CNode: `data` is a `seL4_CNode_CapData`: guard size in bits 0..=5, guard
///   in bits 6..=63 (truncated to the guard size). If guard size plus radix
///   exceeds 64 the result is null.
/// - Everything else is unchanged (x86 only changes IOSpace caps, and
///   Triton has no IOMMU).
pub fn update_cap_data(preserve: bool, data: u64, cap: &Cap) -> Cap {
    match *cap {
        Cap::Endpoint { ptr, badge, rights } => {
            if !preserve && badge == 0 {
                Cap::Endpoint {
                    ptr,
                    badge: data,
                    rights,
                }
            } else {
                Cap::Null
            }
        }
        Cap::Notification { ptr, badge, rights } => {
            if !preserve && badge == 0 {
                Cap::Notification {
                    ptr,
                    badge: data,
                    rights,
                }
            } else {
                Cap::Null
            }
        }
        Cap::CNode { ptr, radix, .. } => {
            let guard_size = data & 0x3f;
            if guard_size + radix as u64 > 64 {
                Cap::Null
            } else {
                Cap::CNode {
                    ptr,
                    radix,
                    guard_size: guard_size as u8,
                    guard: (data >> 6) & mask(guard_size),
                }
            }
        }
        _ => *cap,
    }
}

/// seL4 `maskCapRights` (`src/object/objecttype.c`, x86 `Arch_maskCapRights`):
/// removes rights from a cap.
///
/// - Endpoint: each of the four rights is AND-ed.
/// - Notification: AND-ed too; seL4 keeps only send (write) and receive
///   (read) on these caps, which behave identically.
/// - Reply: can-grant is AND-ed with grant.
/// - Frame: the VM rights are narrowed by [`VmRights::mask`].
/// - Every other cap is unchanged.
pub fn mask_cap_rights(rights: Rights, cap: &Cap) -> Cap {
    match *cap {
        Cap::Endpoint {
            ptr,
            badge,
            rights: r,
        } => Cap::Endpoint {
            ptr,
            badge,
            rights: r.and(rights),
        },
        Cap::Notification {
            ptr,
            badge,
            rights: r,
        } => Cap::Notification {
            ptr,
            badge,
            rights: r.and(rights),
        },
        Cap::Reply {
            tcb,
            master,
            can_grant,
        } => Cap::Reply {
            tcb,
            master,
            can_grant: can_grant && rights.grant,
        },
        Cap::Frame {
            paddr,
            size,
            rights: vm,
            device,
            mapping,
        } => Cap::Frame {
            paddr,
            size,
            rights: vm.mask(rights),
            device,
            mapping,
        },
        _ => *cap,
    }
}

/// seL4 `isCapRevocable` (`src/object/objecttype.c`, x86
/// `Arch_isCapRevocable`): whether a cap `derived` from `src` becomes the
/// root of its own revocable subtree.
///
/// Endpoints and notifications are revocable when the badge changed; an IRQ
/// handler when it came from IRQ control; an IO-port cap when it came from
/// IO-port control; untyped caps always; nothing else.
pub fn is_cap_revocable(derived: &Cap, src: &Cap) -> bool {
    match *derived {
        Cap::Endpoint { badge, .. } | Cap::Notification { badge, .. } => {
            // seL4 reads src's badge field assuming the same type (a cap is
            // only derived from one of its own type); a different type
            // counts as a changed badge here.
            src.tag() != derived.tag() || src.badge() != Some(badge)
        }
        Cap::IrqHandler { .. } => matches!(src, Cap::IrqControl),
        Cap::IoPort { .. } => matches!(src, Cap::IoPortControl),
        Cap::Untyped { .. } => true,
        _ => false,
    }
}

/// seL4 `hasCancelSendRights`: an endpoint cap with all four rights, which
/// may cancel badged sends (CNode CancelBadgedSends).
pub fn has_cancel_send_rights(cap: &Cap) -> bool {
    matches!(cap, Cap::Endpoint { rights, .. } if *rights == Rights::ALL)
}

/// seL4 `isMDBParentOf` (`src/object/cnode.c`): whether slot `b` (cap and
/// MDB node) is a child of slot `a` in the derivation tree, given that `b`
/// follows `a` in MDB order.
///
/// `a` must be revocable and cover `b`'s region. For a badged endpoint or
/// notification, `b` must carry the same badge and must not start its own
/// badged subtree (`first_badged`).
pub fn is_mdb_parent_of(a: &Cap, a_mdb: &MdbNode, b: &Cap, b_mdb: &MdbNode) -> bool {
    if !a_mdb.revocable() || !same_region_as(a, b) {
        return false;
    }
    // x86 Arch_isMDBParentOf imposes nothing more.
    match *a {
        Cap::Endpoint { badge, .. } | Cap::Notification { badge, .. } => {
            badge == 0 || (b.badge() == Some(badge) && !b_mdb.first_badged())
        }
        _ => true,
    }
}

/// seL4 `isFinalCapability`: whether a cap is the last one to its object,
/// given the caps in its MDB neighbours (`None` when the link is 0). Caps to
/// the same object are always adjacent in MDB order, so the neighbours
/// decide.
pub fn is_final_capability(cap: &Cap, prev: Option<&Cap>, next: Option<&Cap>) -> bool {
    let prev_same = prev.is_some_and(|p| same_object_as(p, cap));
    let next_same = next.is_some_and(|n| same_object_as(cap, n));
    !prev_same && !next_same
}

/// seL4 `slotCapLongRunningDelete`: whether deleting this cap may take
/// preemptible work (final thread, CNode and zombie caps).
pub fn is_long_running_delete(cap: &Cap, is_final: bool) -> bool {
    is_final
        && matches!(
            cap,
            Cap::Thread { .. } | Cap::Zombie { .. } | Cap::CNode { .. }
        )
}

/// seL4 `setUntypedCapAsFull` (`src/object/cnode.c`): when an untyped cap is
/// copied whole (same base and size), the source is marked full so the two
/// cannot both allocate from the same memory. Returns the updated source.
pub fn set_untyped_cap_as_full(src: &Cap, new: &Cap) -> Cap {
    match (*src, *new) {
        (
            Cap::Untyped {
                paddr,
                size_bits,
                is_device,
                ..
            },
            Cap::Untyped {
                paddr: np,
                size_bits: ns,
                ..
            },
        ) if paddr == np && size_bits == ns => Cap::Untyped {
            paddr,
            size_bits,
            is_device,
            free_index: 1u64 << (size_bits as u32).min(63),
        },
        _ => *src,
    }
}

/// The derivation-tree links of a slot: physical addresses of the previous
/// and next slots in MDB order (0 for none), plus two flags. Slots are
/// 32-byte aligned, so the low 5 bits of a link are free; `next` carries
/// `revocable` in bit 0 and `first_badged` in bit 1 (the same pairing as
/// seL4's `mdb_node` in `include/object/structures_64.bf`).
#[repr(C)]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct MdbNode {
    /// Previous slot address (bits 5..) and free low bits.
    pub prev: u64,
    /// Next slot address (bits 5..), revocable (bit 0), first_badged (bit 1).
    pub next: u64,
}

const LINK_MASK: u64 = !((1u64 << SLOT_BITS) - 1);
const REVOCABLE: u64 = 1;
const FIRST_BADGED: u64 = 2;

impl MdbNode {
    /// A node with no links and no flags.
    pub const EMPTY: MdbNode = MdbNode { prev: 0, next: 0 };

    /// Address of the previous slot, 0 if none.
    pub const fn prev(&self) -> u64 {
        self.prev & LINK_MASK
    }

    /// Address of the next slot, 0 if none.
    pub const fn next(&self) -> u64 {
        self.next & LINK_MASK
    }

    /// Sets the previous link; `slot` must be 32-byte aligned.
    pub fn set_prev(&mut self, slot: u64) {
        debug_assert!(slot & !LINK_MASK == 0, "unaligned slot address");
        self.prev = (self.prev & !LINK_MASK) | (slot & LINK_MASK);
    }

    /// Sets the next link, keeping the flags; `slot` must be 32-byte aligned.
    pub fn set_next(&mut self, slot: u64) {
        debug_assert!(slot & !LINK_MASK == 0, "unaligned slot address");
        self.next = (self.next & !LINK_MASK) | (slot & LINK_MASK);
    }

    /// Whether the cap may be revoked (it roots its own subtree).
    pub const fn revocable(&self) -> bool {
        self.next & REVOCABLE != 0
    }

    /// Sets the revocable flag.
    pub fn set_revocable(&mut self, v: bool) {
        self.next = (self.next & !REVOCABLE) | if v { REVOCABLE } else { 0 };
    }

    /// Whether this badged cap is the first of its badge (seL4
    /// `mdbFirstBadged`): its parent is unbadged.
    pub const fn first_badged(&self) -> bool {
        self.next & FIRST_BADGED != 0
    }

    /// Sets the first-badged flag.
    pub fn set_first_badged(&mut self, v: bool) {
        self.next = (self.next & !FIRST_BADGED) | if v { FIRST_BADGED } else { 0 };
    }
}

/// One CSpace slot (`cte_t`): 32 bytes.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Cte {
    /// The stored cap.
    pub cap: RawCap,
    /// Its derivation-tree node.
    pub mdb: MdbNode,
}

#[cfg(test)]
pub(crate) mod strategies {
    //! proptest generators for valid caps, shared with other modules' tests.
    use super::*;
    use proptest::prelude::*;
    use std::vec;

    /// A pointer below 2^47 aligned to `2^bits`.
    pub fn aligned_ptr(bits: u32) -> impl Strategy<Value = u64> {
        (0..(1u64 << (PADDR_BITS - bits))).prop_map(move |x| x << bits)
    }

    pub fn rights() -> impl Strategy<Value = Rights> {
        (0u64..16).prop_map(Rights::from_word)
    }

    pub fn mapping() -> impl Strategy<Value = Option<Mapping>> {
        proptest::option::of(
            (0u16..4096, aligned_ptr(12)).prop_map(|(asid, vaddr)| Mapping { asid, vaddr }),
        )
    }

    pub fn frame_size() -> impl Strategy<Value = FrameSize> {
        prop_oneof![
            Just(FrameSize::Small4K),
            Just(FrameSize::Large2M),
            Just(FrameSize::Huge1G)
        ]
    }

    pub fn vm_rights() -> impl Strategy<Value = VmRights> {
        prop_oneof![
            Just(VmRights::KernelOnly),
            Just(VmRights::ReadOnly),
            Just(VmRights::ReadWrite)
        ]
    }

    pub fn untyped() -> impl Strategy<Value = Cap> {
        (MIN_UNTYPED_BITS..=MAX_UNTYPED_BITS)
            .prop_flat_map(|s| {
                let max_units = ((1u64 << PADDR_BITS) - (1u64 << s)) >> 4;
                (
                    Just(s),
                    0..=max_units,
                    any::<bool>(),
                    0..=((1u64 << s) >> 4),
                )
            })
            .prop_map(|(size_bits, units, is_device, free)| Cap::Untyped {
                paddr: units << 4,
                size_bits,
                is_device,
                free_index: free << 4,
            })
    }

    pub fn cnode() -> impl Strategy<Value = Cap> {
        (1u8..=MAX_CNODE_RADIX)
            .prop_flat_map(|radix| (Just(radix), 0u8..=(64 - radix)))
            .prop_flat_map(|(radix, guard_size)| {
                (
                    aligned_ptr(SLOT_BITS),
                    Just(radix),
                    Just(guard_size),
                    any::<u64>().prop_map(move |g| g & mask(guard_size as u64)),
                )
            })
            .prop_map(|(ptr, radix, guard_size, guard)| Cap::CNode {
                ptr,
                radix,
                guard_size,
                guard,
            })
    }

    pub fn frame() -> impl Strategy<Value = Cap> {
        frame_size()
            .prop_flat_map(|size| {
                (
                    aligned_ptr(size.bits() as u32),
                    Just(size),
                    vm_rights(),
                    any::<bool>(),
                    mapping(),
                )
            })
            .prop_map(|(paddr, size, rights, device, mapping)| Cap::Frame {
                paddr,
                size,
                rights,
                device,
                mapping,
            })
    }

    /// Any valid cap.
    pub fn cap() -> impl Strategy<Value = Cap> {
        prop_oneof![
            Just(Cap::Null),
            untyped(),
            (aligned_ptr(4), any::<u64>(), rights())
                .prop_map(|(ptr, badge, rights)| Cap::Endpoint { ptr, badge, rights }),
            (aligned_ptr(4), any::<u64>(), rights())
                .prop_map(|(ptr, badge, rights)| Cap::Notification { ptr, badge, rights }),
            (aligned_ptr(4), any::<bool>(), any::<bool>()).prop_map(|(tcb, master, can_grant)| {
                Cap::Reply {
                    tcb,
                    master,
                    can_grant,
                }
            }),
            cnode(),
            aligned_ptr(4).prop_map(|tcb| Cap::Thread { tcb }),
            Just(Cap::IrqControl),
            (0u16..4096).prop_map(|irq| Cap::IrqHandler { irq }),
            (
                aligned_ptr(4),
                prop_oneof![
                    Just(ZombieKind::Tcb),
                    (0u8..64).prop_map(|radix| ZombieKind::CNode { radix })
                ],
                any::<u64>()
            )
                .prop_map(|(ptr, kind, remaining)| Cap::Zombie {
                    ptr,
                    kind,
                    remaining
                }),
            Just(Cap::Domain),
            frame(),
            (aligned_ptr(12), mapping())
                .prop_map(|(paddr, mapping)| Cap::PageTable { paddr, mapping }),
            (aligned_ptr(12), mapping())
                .prop_map(|(paddr, mapping)| Cap::PageDirectory { paddr, mapping }),
            (aligned_ptr(12), mapping()).prop_map(|(paddr, mapping)| Cap::Pdpt { paddr, mapping }),
            (aligned_ptr(12), proptest::option::of(0u16..4096))
                .prop_map(|(paddr, asid)| Cap::Pml4 { paddr, asid }),
            Just(Cap::AsidControl),
            (aligned_ptr(12), 0u16..8).prop_map(|(paddr, pool)| Cap::AsidPool {
                paddr,
                asid_base: pool << 9
            }),
            (any::<u16>(), any::<u16>()).prop_map(|(a, b)| Cap::IoPort {
                first: a.min(b),
                last: a.max(b)
            }),
            Just(Cap::IoPortControl),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::strategies;
    use super::*;
    use proptest::prelude::*;

    fn ep(ptr: u64, badge: u64, rights: Rights) -> Cap {
        Cap::Endpoint { ptr, badge, rights }
    }

    #[test]
    fn cte_is_32_bytes() {
        assert_eq!(core::mem::size_of::<Cte>(), 32);
        assert_eq!(core::mem::size_of::<RawCap>(), 16);
        assert_eq!(core::mem::size_of::<MdbNode>(), 16);
        assert_eq!(core::mem::align_of::<Cte>(), 8);
    }

    #[test]
    fn tags_match_sel4() {
        let cases: &[(Cap, u64)] = &[
            (Cap::Null, 0),
            (Cap::IrqControl, 14),
            (Cap::Domain, 20),
            (Cap::AsidControl, 11),
            (Cap::IoPortControl, 31),
            (Cap::Thread { tcb: 0x1000 }, 12),
            (Cap::IrqHandler { irq: 3 }, 16),
            (Cap::IoPort { first: 1, last: 2 }, 19),
            (
                Cap::Pml4 {
                    paddr: 0x2000,
                    asid: None,
                },
                9,
            ),
        ];
        for (cap, t) in cases {
            assert_eq!(cap.tag(), *t);
            assert_eq!(cap.encode().w0 & 0x1f, *t, "{cap:?}");
            assert_eq!(cap.encode().tag(), *t);
        }
        assert!(Cap::Null.encode() == RawCap::default());
        assert!(RawCap::NULL.is_null());
    }

    #[test]
    fn encoding_table_examples() {
        let c = Cap::CNode {
            ptr: 0x10_0000,
            radix: 13,
            guard_size: 51,
            guard: 0,
        };
        let r = c.encode();
        assert_eq!(r.w0, 10 | 13 << 5 | 51 << 11 | 0x10_0000 << 13);
        assert_eq!(r.w1, 0);
        let f = Cap::Frame {
            paddr: 0x20_0000,
            size: FrameSize::Large2M,
            rights: VmRights::ReadWrite,
            device: false,
            mapping: Some(Mapping {
                asid: 5,
                vaddr: 0x4000_0000,
            }),
        };
        let r = f.encode();
        assert_eq!(r.w0, 1 | (1 | 3 << 2 | 1 << 5) << 5 | 0x20_0000 << 13);
        assert_eq!(r.w1, 0x4000_0000 | 5);
        assert_eq!(Cap::decode(r), Some(f));
    }

    #[test]
    fn decode_rejects_bad_fields() {
        // Unknown tags (e.g. sched-context 22, io_space 15).
        for t in [15u64, 17, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30] {
            assert_eq!(Cap::decode(RawCap { w0: t, w1: 0 }), None, "tag {t}");
        }
        // Null with stray bits.
        assert_eq!(Cap::decode(RawCap { w0: 0, w1: 1 }), None);
        assert_eq!(Cap::decode(RawCap { w0: 1 << 63, w1: 0 }), None);
        // Untyped with size 3 and with free index beyond the end.
        let u = Cap::Untyped {
            paddr: 0x1000,
            size_bits: 12,
            is_device: false,
            free_index: 0x1000,
        };
        assert!(Cap::decode(u.encode()).is_some());
        let mut r = u.encode();
        r.w1 = 0x1010;
        assert_eq!(Cap::decode(r), None);
        r.w1 = 8; // not a multiple of 16
        assert_eq!(Cap::decode(r), None);
        let bad = Cap::Untyped {
            paddr: 0,
            size_bits: 3,
            is_device: false,
            free_index: 0,
        };
        assert_eq!(Cap::decode(bad.encode()), None);
        // Frame with VM rights 0, and a huge page that is not 1 GiB aligned.
        let mut r = Cap::Frame {
            paddr: 0,
            size: FrameSize::Small4K,
            rights: VmRights::ReadOnly,
            device: false,
            mapping: None,
        }
        .encode();
        r.w0 &= !(3 << 7);
        assert_eq!(Cap::decode(r), None);
        let huge = Cap::Frame {
            paddr: 0x20_0000,
            size: FrameSize::Huge1G,
            rights: VmRights::ReadOnly,
            device: false,
            mapping: None,
        };
        assert!(!huge.is_valid());
        // An unmapped frame with a non-zero mapping word.
        let mut r = Cap::Frame {
            paddr: 0,
            size: FrameSize::Small4K,
            rights: VmRights::ReadOnly,
            device: false,
            mapping: None,
        }
        .encode();
        r.w1 = 0x1000;
        assert_eq!(Cap::decode(r), None);
        // CNode whose guard does not fit its guard size, or radix 0.
        let c = Cap::CNode {
            ptr: 0x1000,
            radix: 4,
            guard_size: 2,
            guard: 4,
        };
        assert!(!c.is_valid());
        assert_eq!(Cap::decode(c.encode()), None);
        let c0 = Cap::CNode {
            ptr: 0x1000,
            radix: 0,
            guard_size: 2,
            guard: 0,
        };
        assert_eq!(Cap::decode(c0.encode()), None);
        // IO ports reversed, ASID pool base not a multiple of 512.
        assert_eq!(
            Cap::decode(Cap::IoPort { first: 5, last: 4 }.encode()),
            None
        );
        assert_eq!(
            Cap::decode(
                Cap::AsidPool {
                    paddr: 0,
                    asid_base: 1
                }
                .encode()
            ),
            None
        );
    }

    #[test]
    fn rights_words() {
        assert_eq!(Rights::ALL.word(), 0xf);
        assert_eq!(Rights::NONE.word(), 0);
        assert_eq!(Rights::from_word(0x1f), Rights::ALL);
        let w = Rights::from_word(1);
        assert!(w.write && !w.read && !w.grant && !w.grant_reply);
        assert_eq!(
            Rights::from_word(0xe).and(Rights::from_word(0x3)).word(),
            0x2
        );
    }

    #[test]
    fn vm_rights_mask_matches_sel4() {
        use VmRights::*;
        let r = |w| Rights::from_word(w);
        assert_eq!(ReadWrite.mask(r(0xf)), ReadWrite);
        assert_eq!(ReadWrite.mask(r(0x2)), ReadOnly);
        assert_eq!(ReadWrite.mask(r(0x1)), KernelOnly);
        assert_eq!(ReadOnly.mask(r(0x2)), ReadOnly);
        assert_eq!(ReadOnly.mask(r(0x1)), KernelOnly);
        assert_eq!(KernelOnly.mask(r(0xf)), KernelOnly);
    }

    #[test]
    fn derive_rules() {
        assert_eq!(
            derive_cap(&Cap::Zombie {
                ptr: 0x100,
                kind: ZombieKind::Tcb,
                remaining: 3
            }),
            Ok(Cap::Null)
        );
        assert_eq!(derive_cap(&Cap::IrqControl), Ok(Cap::Null));
        assert_eq!(derive_cap(&Cap::IoPortControl), Ok(Cap::Null));
        assert_eq!(
            derive_cap(&Cap::Reply {
                tcb: 0x800,
                master: false,
                can_grant: true
            }),
            Ok(Cap::Null)
        );
        let m = Some(Mapping {
            asid: 1,
            vaddr: 0x20_0000,
        });
        for (mapped, unmapped) in [
            (
                Cap::PageTable {
                    paddr: 0x1000,
                    mapping: m,
                },
                Cap::PageTable {
                    paddr: 0x1000,
                    mapping: None,
                },
            ),
            (
                Cap::PageDirectory {
                    paddr: 0x1000,
                    mapping: m,
                },
                Cap::PageDirectory {
                    paddr: 0x1000,
                    mapping: None,
                },
            ),
            (
                Cap::Pdpt {
                    paddr: 0x1000,
                    mapping: m,
                },
                Cap::Pdpt {
                    paddr: 0x1000,
                    mapping: None,
                },
            ),
            (
                Cap::Pml4 {
                    paddr: 0x1000,
                    asid: Some(1),
                },
                Cap::Pml4 {
                    paddr: 0x1000,
                    asid: None,
                },
            ),
        ] {
            assert_eq!(derive_cap(&mapped), Ok(mapped));
            assert_eq!(derive_cap(&unmapped), Err(DeriveError::IllegalOperation));
        }
        let f = Cap::Frame {
            paddr: 0x1000,
            size: FrameSize::Small4K,
            rights: VmRights::ReadWrite,
            device: true,
            mapping: m,
        };
        assert_eq!(
            derive_cap(&f),
            Ok(Cap::Frame {
                paddr: 0x1000,
                size: FrameSize::Small4K,
                rights: VmRights::ReadWrite,
                device: true,
                mapping: None
            })
        );
        let e = ep(0x40, 7, Rights::ALL);
        assert_eq!(derive_cap(&e), Ok(e));
        for c in [
            Cap::AsidControl,
            Cap::AsidPool {
                paddr: 0x1000,
                asid_base: 512,
            },
            Cap::IoPort { first: 1, last: 9 },
            Cap::Domain,
        ] {
            assert_eq!(derive_cap(&c), Ok(c));
        }
    }

    #[test]
    fn update_cap_data_rules() {
        let e = ep(0x40, 0, Rights::ALL);
        assert_eq!(update_cap_data(false, 42, &e), ep(0x40, 42, Rights::ALL));
        assert_eq!(update_cap_data(true, 42, &e), Cap::Null);
        assert_eq!(
            update_cap_data(false, 42, &ep(0x40, 1, Rights::ALL)),
            Cap::Null
        );
        let n = Cap::Notification {
            ptr: 0x40,
            badge: 0,
            rights: Rights::READ_WRITE,
        };
        assert_eq!(update_cap_data(false, 9, &n).badge(), Some(9));
        assert_eq!(update_cap_data(true, 9, &n), Cap::Null);

        let c = Cap::CNode {
            ptr: 0x10000,
            radix: 13,
            guard_size: 0,
            guard: 0,
        };
        // guard size 51, guard 0: Triton's root CNode shape.
        assert_eq!(
            update_cap_data(false, 51, &c),
            Cap::CNode {
                ptr: 0x10000,
                radix: 13,
                guard_size: 51,
                guard: 0
            }
        );
        // guard size 4, guard 0b1011 (extra guard bits are truncated).
        assert_eq!(
            update_cap_data(false, 4 | 0x7b << 6, &c),
            Cap::CNode {
                ptr: 0x10000,
                radix: 13,
                guard_size: 4,
                guard: 0xb
            }
        );
        // 13 + 52 > 64: rejected.
        assert_eq!(update_cap_data(false, 52, &c), Cap::Null);
        // preserve does not matter for CNodes.
        assert_eq!(update_cap_data(true, 51, &c).tag(), tag::CNODE);
        let t = Cap::Thread { tcb: 0x800 };
        assert_eq!(update_cap_data(false, 5, &t), t);
    }

    #[test]
    fn mask_rights_rules() {
        let e = ep(0x40, 1, Rights::ALL);
        assert_eq!(
            mask_cap_rights(Rights::from_word(0x3), &e),
            ep(0x40, 1, Rights::READ_WRITE)
        );
        let r = Cap::Reply {
            tcb: 0x800,
            master: false,
            can_grant: true,
        };
        assert_eq!(
            mask_cap_rights(Rights::from_word(0xb), &r),
            Cap::Reply {
                tcb: 0x800,
                master: false,
                can_grant: false
            }
        );
        let f = Cap::Frame {
            paddr: 0,
            size: FrameSize::Small4K,
            rights: VmRights::ReadWrite,
            device: false,
            mapping: None,
        };
        match mask_cap_rights(Rights::from_word(2), &f) {
            Cap::Frame { rights, .. } => assert_eq!(rights, VmRights::ReadOnly),
            other => panic!("{other:?}"),
        }
        let c = Cap::CNode {
            ptr: 0x1000,
            radix: 2,
            guard_size: 0,
            guard: 0,
        };
        assert_eq!(mask_cap_rights(Rights::NONE, &c), c);
    }

    #[test]
    fn revocable_rules() {
        let e0 = ep(0x40, 0, Rights::ALL);
        let e5 = ep(0x40, 5, Rights::ALL);
        assert!(is_cap_revocable(&e5, &e0));
        assert!(!is_cap_revocable(&e0, &e0));
        assert!(!is_cap_revocable(&e5, &e5));
        assert!(is_cap_revocable(
            &Cap::IrqHandler { irq: 1 },
            &Cap::IrqControl
        ));
        assert!(!is_cap_revocable(
            &Cap::IrqHandler { irq: 1 },
            &Cap::IrqHandler { irq: 1 }
        ));
        assert!(is_cap_revocable(
            &Cap::IoPort { first: 0, last: 1 },
            &Cap::IoPortControl
        ));
        let u = Cap::Untyped {
            paddr: 0,
            size_bits: 12,
            is_device: false,
            free_index: 0,
        };
        assert!(is_cap_revocable(&u, &u));
        assert!(!is_cap_revocable(&Cap::Thread { tcb: 0x800 }, &u));
    }

    #[test]
    fn region_and_object_rules() {
        let u = Cap::Untyped {
            paddr: 0x10000,
            size_bits: 16,
            is_device: false,
            free_index: 0,
        };
        let inside = Cap::Thread { tcb: 0x1f800 };
        let straddle = Cap::Frame {
            paddr: 0x1f000,
            size: FrameSize::Small4K,
            rights: VmRights::ReadWrite,
            device: false,
            mapping: None,
        };
        let outside = Cap::Thread { tcb: 0x20000 };
        assert!(same_region_as(&u, &inside));
        assert!(same_region_as(&u, &straddle));
        assert!(!same_region_as(&u, &outside));
        assert!(same_region_as(&u, &u));
        assert!(!same_object_as(&u, &u));
        assert!(!same_region_as(&u, &Cap::IrqControl));
        assert!(!same_region_as(
            &u,
            &Cap::Reply {
                tcb: 0x10000,
                master: true,
                can_grant: true
            }
        ));
        // A sub-frame is in the region of a large frame but is not the same
        // object.
        let big = Cap::Frame {
            paddr: 0,
            size: FrameSize::Large2M,
            rights: VmRights::ReadWrite,
            device: false,
            mapping: None,
        };
        let small = Cap::Frame {
            paddr: 0x1000,
            size: FrameSize::Small4K,
            rights: VmRights::ReadOnly,
            device: false,
            mapping: None,
        };
        assert!(same_region_as(&big, &small));
        assert!(!same_region_as(&small, &big));
        assert!(!same_object_as(&big, &small));
        assert!(same_object_as(&big, &derive_cap(&big).unwrap()));
        assert!(same_region_as(
            &Cap::IrqControl,
            &Cap::IrqHandler { irq: 4 }
        ));
        assert!(!same_object_as(
            &Cap::IrqControl,
            &Cap::IrqHandler { irq: 4 }
        ));
        assert!(same_region_as(
            &Cap::IoPortControl,
            &Cap::IoPort { first: 1, last: 1 }
        ));
        assert!(!same_object_as(
            &Cap::IoPortControl,
            &Cap::IoPort { first: 1, last: 1 }
        ));
        assert!(same_object_as(
            &ep(0x40, 1, Rights::NONE),
            &ep(0x40, 2, Rights::ALL)
        ));
        assert!(!same_region_as(&Cap::Null, &Cap::Null));
    }

    #[test]
    fn mdb_parent_rules() {
        let mut rev = MdbNode::default();
        rev.set_revocable(true);
        let plain = MdbNode::default();
        let mut fb = MdbNode::default();
        fb.set_first_badged(true);
        let e0 = ep(0x40, 0, Rights::ALL);
        let e5 = ep(0x40, 5, Rights::ALL);
        assert!(is_mdb_parent_of(&e0, &rev, &e5, &fb));
        assert!(!is_mdb_parent_of(&e0, &plain, &e5, &fb));
        assert!(is_mdb_parent_of(&e5, &rev, &e5, &plain));
        assert!(!is_mdb_parent_of(&e5, &rev, &e5, &fb));
        assert!(!is_mdb_parent_of(
            &e5,
            &rev,
            &ep(0x40, 6, Rights::ALL),
            &plain
        ));
        assert!(!is_mdb_parent_of(
            &e0,
            &rev,
            &ep(0x80, 0, Rights::ALL),
            &plain
        ));
    }

    #[test]
    fn final_and_long_running() {
        let t = Cap::Thread { tcb: 0x800 };
        let other = Cap::Thread { tcb: 0x1000 };
        assert!(is_final_capability(&t, None, None));
        assert!(is_final_capability(&t, Some(&other), Some(&Cap::Null)));
        assert!(!is_final_capability(&t, Some(&t), None));
        assert!(!is_final_capability(&t, None, Some(&t)));
        assert!(is_long_running_delete(&t, true));
        assert!(!is_long_running_delete(&t, false));
        assert!(!is_long_running_delete(&Cap::Domain, true));
        assert!(has_cancel_send_rights(&ep(0x40, 0, Rights::ALL)));
        assert!(!has_cancel_send_rights(&ep(0x40, 0, Rights::READ_WRITE)));
        assert!(!has_cancel_send_rights(&Cap::Domain));
    }

    #[test]
    fn untyped_full() {
        let u = Cap::Untyped {
            paddr: 0x1000,
            size_bits: 12,
            is_device: false,
            free_index: 0x100,
        };
        match set_untyped_cap_as_full(&u, &u) {
            Cap::Untyped { free_index, .. } => assert_eq!(free_index, 0x1000),
            other => panic!("{other:?}"),
        }
        let smaller = Cap::Untyped {
            paddr: 0x1000,
            size_bits: 11,
            is_device: false,
            free_index: 0,
        };
        assert_eq!(set_untyped_cap_as_full(&u, &smaller), u);
    }

    #[test]
    fn mdb_node_flags_and_links() {
        let mut m = MdbNode::default();
        m.set_next(0xffff_8000_0000_1020);
        m.set_prev(0x40);
        m.set_revocable(true);
        m.set_first_badged(true);
        assert_eq!(m.next(), 0xffff_8000_0000_1020);
        assert_eq!(m.prev(), 0x40);
        assert!(m.revocable() && m.first_badged());
        m.set_next(0x60);
        assert!(m.revocable() && m.first_badged());
        m.set_revocable(false);
        assert!(!m.revocable() && m.first_badged());
        assert_eq!(m.next(), 0x60);
        m.set_first_badged(false);
        assert_eq!(
            m,
            MdbNode {
                prev: 0x40,
                next: 0x60
            }
        );
    }

    proptest! {
        #[test]
        fn roundtrip(c in strategies::cap()) {
            prop_assert!(c.is_valid(), "{:?}", c);
            let raw = c.encode();
            prop_assert_eq!(raw.tag(), c.tag());
            prop_assert_eq!(Cap::decode(raw), Some(c));
            prop_assert_eq!(Cap::decode_trusted(raw), c);
            let ep = match c { Cap::Endpoint { ptr, badge, rights } => Some((ptr, badge, rights.word())), _ => None };
            prop_assert_eq!(raw.as_endpoint(), ep);
            let reply = match c { Cap::Reply { tcb, master: false, can_grant } => Some((tcb, can_grant)), _ => None };
            if let Some((tcb, g)) = reply {
                prop_assert_eq!(RawCap::reply(tcb, g), raw);
            }
            prop_assert_eq!(raw.as_reply(), reply);
            let pml4 = match c { Cap::Pml4 { paddr, asid: Some(_) } => Some(paddr), _ => None };
            let cnode = match c {
                Cap::CNode { ptr, radix, guard_size, guard } => Some((ptr, radix as u64, guard_size as u64, guard)),
                _ => None,
            };
            prop_assert_eq!(raw.as_cnode(), cnode);
            prop_assert_eq!(raw.as_assigned_pml4(), pml4);
        }

        #[test]
        fn decode_total_and_canonical(w0 in any::<u64>(), w1 in any::<u64>()) {
            let raw = RawCap { w0, w1 };
            if let Some(c) = Cap::decode(raw) {
                prop_assert!(c.is_valid());
                prop_assert_eq!(c.encode(), raw);
                prop_assert_eq!(c.tag(), raw.tag());
            }
        }

        #[test]
        fn decode_total_near_valid(c in strategies::cap(), flip in 0u32..128) {
            // Flipping one bit of a valid encoding either yields another
            // canonical cap or is rejected; never a panic or a non-canonical
            // accept.
            let mut raw = c.encode();
            if flip < 64 { raw.w0 ^= 1 << flip } else { raw.w1 ^= 1 << (flip - 64) }
            if let Some(d) = Cap::decode(raw) {
                prop_assert_eq!(d.encode(), raw);
            }
        }

        #[test]
        fn derived_caps_stay_valid(c in strategies::cap(), data in any::<u64>(),
                                   preserve in any::<bool>(), r in strategies::rights()) {
            if let Ok(d) = derive_cap(&c) {
                prop_assert!(d.is_valid());
                if !d.is_null() {
                    prop_assert!(same_region_as(&c, &d), "{:?} -> {:?}", c, d);
                }
            }
            let u = update_cap_data(preserve, data, &c);
            prop_assert!(u.is_valid(), "{:?}", u);
            let m = mask_cap_rights(r, &c);
            prop_assert!(m.is_valid());
            prop_assert_eq!(m.tag(), c.tag());
            // Masking with all rights changes nothing.
            prop_assert_eq!(mask_cap_rights(Rights::ALL, &c), c);
        }

        #[test]
        fn mdb_links_keep_flags(prev in any::<u64>(), next in any::<u64>(),
                                rev in any::<bool>(), fb in any::<bool>()) {
            let (prev, next) = (prev & !31, next & !31);
            let mut m = MdbNode::default();
            m.set_revocable(rev);
            m.set_first_badged(fb);
            m.set_prev(prev);
            m.set_next(next);
            prop_assert_eq!((m.prev(), m.next(), m.revocable(), m.first_badged()),
                            (prev, next, rev, fb));
        }
    }
}
