//! Boot information handed to the root task: `seL4_BootInfo`, its slot regions
//! and untyped descriptors, and the chain of "extra bootinfo" chunks that
//! follows the bootinfo frame.
//!
//! Sources: libsel4/include/sel4/bootinfo_types.h (structs, chunk IDs, frame
//! size), libsel4/arch_include/x86/sel4/arch/bootinfo_types.h (x86 chunk
//! payloads), src/kernel/boot.c (`populate_bi_frame`,
//! `calculate_extra_bi_size_bits`) and src/arch/x86/kernel/boot.c
//! (`init_sys_state`, which writes the x86 chunks and sets `numIOPTLevels`).
//!
//! All layouts are for x86_64, non-MCS, with
//! CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS = 230. Byte order is little-endian.

use crate::consts::{MAX_BOOTINFO_UNTYPED_CAPS, PAGE_BITS, WORD_BITS};

/// `seL4_SlotRegion`: slots `start..end` of the root CNode (`end` is the first
/// slot after the region).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(C)]
pub struct SlotRegion {
    /// First slot of the region.
    pub start: u64,
    /// First slot after the region.
    pub end: u64,
}

impl SlotRegion {
    /// A region covering `start..end`.
    pub const fn new(start: u64, end: u64) -> Self {
        SlotRegion { start, end }
    }

    /// Number of slots (0 for an inverted region rather than a wrap-around).
    pub const fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// Whether the region has no slots.
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `slot` lies in the region.
    pub const fn contains(&self, slot: u64) -> bool {
        slot >= self.start && slot < self.end
    }

    /// The slots as a range.
    pub const fn range(&self) -> core::ops::Range<u64> {
        self.start..self.end
    }
}

/// `seL4_UntypedDesc`: 16 bytes describing one bootinfo untyped cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(C)]
pub struct UntypedDesc {
    /// Physical base address.
    pub paddr: u64,
    /// log2 of the size in bytes.
    pub size_bits: u8,
    /// 1 for device memory (may only be retyped to frames or untypeds).
    pub is_device: u8,
    /// Pads the struct to two words.
    pub padding: [u8; 6],
}

impl UntypedDesc {
    /// A descriptor with zero padding.
    pub const fn new(paddr: u64, size_bits: u8, is_device: bool) -> Self {
        UntypedDesc {
            paddr,
            size_bits,
            is_device: is_device as u8,
            padding: [0; 6],
        }
    }

    /// Whether the untyped is device memory.
    pub const fn device(&self) -> bool {
        self.is_device != 0
    }

    /// Size in bytes, or `None` if `size_bits` is not below 64.
    pub const fn size_bytes(&self) -> Option<u64> {
        if (self.size_bits as usize) < WORD_BITS {
            Some(1u64 << self.size_bits)
        } else {
            None
        }
    }

    /// The second word of the descriptor as it sits in memory (little-endian
    /// bytes size_bits, is_device, padding).
    const fn second_word(&self) -> u64 {
        let p = self.padding;
        u64::from_le_bytes([
            self.size_bits,
            self.is_device,
            p[0],
            p[1],
            p[2],
            p[3],
            p[4],
            p[5],
        ])
    }

    const fn from_two_words(paddr: u64, second: u64) -> Self {
        let b = second.to_le_bytes();
        UntypedDesc {
            paddr,
            size_bits: b[0],
            is_device: b[1],
            padding: [b[2], b[3], b[4], b[5], b[6], b[7]],
        }
    }
}

/// `seL4_BootInfo` for x86_64 non-MCS (3848 bytes; must fit one 4 KiB frame).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct BootInfo {
    /// Bytes of extra bootinfo (exact, not rounded up).
    pub extra_len: u64,
    /// This node's ID (0 on a uniprocessor).
    pub node_id: u64,
    /// Number of nodes (CPUs) booted.
    pub num_nodes: u64,
    /// VT-d page-table levels; [`NUM_IOPT_LEVELS_NO_IOMMU`] without an IOMMU.
    pub num_iopt_levels: u64,
    /// Virtual address of the root task's IPC buffer.
    pub ipc_buffer: u64,
    /// Free slots of the root CNode.
    pub empty: SlotRegion,
    /// Shared-frame caps (empty on x86).
    pub shared_frames: SlotRegion,
    /// Frame caps of the root-task image, in address order.
    pub user_image_frames: SlotRegion,
    /// PDPT, then page-directory, then page-table caps of the initial VSpace.
    pub user_image_paging: SlotRegion,
    /// IOSpace caps (ARM SMMU only; empty on x86).
    pub io_space_caps: SlotRegion,
    /// Frame caps backing the extra bootinfo.
    pub extra_bi_pages: SlotRegion,
    /// Radix of the root CNode ([`crate::ROOT_CNODE_SIZE_BITS`]).
    pub init_thread_cnode_size_bits: u64,
    /// Domain of the initial thread (0).
    pub init_thread_domain: u64,
    /// Slots holding untyped caps.
    pub untyped: SlotRegion,
    /// One descriptor per untyped cap, in slot order; only the first
    /// `untyped.len()` entries are meaningful.
    pub untyped_list: [UntypedDesc; MAX_BOOTINFO_UNTYPED_CAPS],
}

/// What the x86 kernel stores in `num_iopt_levels` when built without an
/// IOMMU: -1 as a word (src/arch/x86/kernel/boot.c), although the libsel4
/// header comment says 0.
pub const NUM_IOPT_LEVELS_NO_IOMMU: u64 = u64::MAX;

/// Size of [`BootInfo`] in bytes.
pub const BOOTINFO_SIZE: usize = core::mem::size_of::<BootInfo>();

// The layout facts both sides rely on, checked at compile time for every
// target (reference doc §8; bootinfo_types.h asserts the frame bound too).
const _: () = assert!(BOOTINFO_SIZE == 3848);
const _: () = assert!(core::mem::offset_of!(BootInfo, untyped) == 152);
const _: () = assert!(core::mem::offset_of!(BootInfo, untyped_list) == 168);
const _: () = assert!(BOOTINFO_SIZE <= crate::consts::BOOTINFO_FRAME_SIZE);
const _: () = assert!(core::mem::size_of::<UntypedDesc>() == 16);
const _: () = assert!(core::mem::size_of::<BootInfoHeader>() == BootInfoHeader::SIZE);
/// Size of [`BootInfo`] in words.
pub const BOOTINFO_WORDS: usize = BOOTINFO_SIZE / 8;
/// Words before `untyped_list`: 5 scalars, 6 regions, 2 scalars, 1 region.
const HEAD_WORDS: usize = 5 + 6 * 2 + 2 + 2;

impl BootInfo {
    /// An all-zero bootinfo.
    pub const fn zeroed() -> Self {
        let r = SlotRegion::new(0, 0);
        BootInfo {
            extra_len: 0,
            node_id: 0,
            num_nodes: 0,
            num_iopt_levels: 0,
            ipc_buffer: 0,
            empty: r,
            shared_frames: r,
            user_image_frames: r,
            user_image_paging: r,
            io_space_caps: r,
            extra_bi_pages: r,
            init_thread_cnode_size_bits: 0,
            init_thread_domain: 0,
            untyped: r,
            untyped_list: [UntypedDesc::new(0, 0, false); MAX_BOOTINFO_UNTYPED_CAPS],
        }
    }

    /// The meaningful prefix of `untyped_list` (length `untyped.len()`, capped
    /// at the array length so a corrupt region cannot index out of bounds).
    pub fn untyped_descs(&self) -> &[UntypedDesc] {
        let n = self.untyped.len().min(MAX_BOOTINFO_UNTYPED_CAPS as u64) as usize;
        &self.untyped_list[..n]
    }

    /// The struct as the words it occupies in memory.
    pub fn to_words(&self) -> [u64; BOOTINFO_WORDS] {
        let mut w = [0u64; BOOTINFO_WORDS];
        let head = [
            self.extra_len,
            self.node_id,
            self.num_nodes,
            self.num_iopt_levels,
            self.ipc_buffer,
            self.empty.start,
            self.empty.end,
            self.shared_frames.start,
            self.shared_frames.end,
            self.user_image_frames.start,
            self.user_image_frames.end,
            self.user_image_paging.start,
            self.user_image_paging.end,
            self.io_space_caps.start,
            self.io_space_caps.end,
            self.extra_bi_pages.start,
            self.extra_bi_pages.end,
            self.init_thread_cnode_size_bits,
            self.init_thread_domain,
            self.untyped.start,
            self.untyped.end,
        ];
        w[..HEAD_WORDS].copy_from_slice(&head);
        for (i, d) in self.untyped_list.iter().enumerate() {
            w[HEAD_WORDS + 2 * i] = d.paddr;
            w[HEAD_WORDS + 2 * i + 1] = d.second_word();
        }
        w
    }

    /// Inverse of [`Self::to_words`].
    pub fn from_words(w: &[u64; BOOTINFO_WORDS]) -> Self {
        let region = |i: usize| SlotRegion::new(w[i], w[i + 1]);
        let mut bi = BootInfo {
            extra_len: w[0],
            node_id: w[1],
            num_nodes: w[2],
            num_iopt_levels: w[3],
            ipc_buffer: w[4],
            empty: region(5),
            shared_frames: region(7),
            user_image_frames: region(9),
            user_image_paging: region(11),
            io_space_caps: region(13),
            extra_bi_pages: region(15),
            init_thread_cnode_size_bits: w[17],
            init_thread_domain: w[18],
            untyped: region(19),
            ..Self::zeroed()
        };
        for (i, d) in bi.untyped_list.iter_mut().enumerate() {
            *d = UntypedDesc::from_two_words(w[HEAD_WORDS + 2 * i], w[HEAD_WORDS + 2 * i + 1]);
        }
        bi
    }

    /// Serialises into the first [`BOOTINFO_SIZE`] bytes of `out` (e.g. the
    /// bootinfo frame); returns `false`, writing nothing, if `out` is short.
    pub fn write_bytes(&self, out: &mut [u8]) -> bool {
        let Some(dst) = out.get_mut(..BOOTINFO_SIZE) else {
            return false;
        };
        for (chunk, word) in dst.chunks_exact_mut(8).zip(self.to_words()) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        true
    }

    /// Parses the first [`BOOTINFO_SIZE`] bytes of `bytes`; `None` if short.
    /// Works on any alignment.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let src = bytes.get(..BOOTINFO_SIZE)?;
        let mut w = [0u64; BOOTINFO_WORDS];
        for (word, chunk) in w.iter_mut().zip(src.chunks_exact(8)) {
            *word = read_u64(chunk, 0)?;
        }
        Some(Self::from_words(&w))
    }
}

impl Default for BootInfo {
    fn default() -> Self {
        Self::zeroed()
    }
}

/// `seL4_BootInfoHeader`: starts every extra-bootinfo chunk. `len` counts the
/// whole chunk, header included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(C)]
pub struct BootInfoHeader {
    /// One of [`bootinfo_id`].
    pub id: u64,
    /// Chunk length in bytes including this 16-byte header.
    pub len: u64,
}

impl BootInfoHeader {
    /// Size of the header in bytes.
    pub const SIZE: usize = 16;

    /// The header's in-memory bytes.
    pub const fn to_bytes(&self) -> [u8; 16] {
        let a = self.id.to_le_bytes();
        let b = self.len.to_le_bytes();
        [
            a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], b[0], b[1], b[2], b[3], b[4], b[5],
            b[6], b[7],
        ]
    }

    /// Reads a header from the start of `bytes` (any alignment).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        Some(BootInfoHeader {
            id: read_u64(bytes, 0)?,
            len: read_u64(bytes, 8)?,
        })
    }
}

/// Where the kernel puts the root task's boot data and how it starts the
/// task (src/arch/x86/kernel/boot.c, `init_sys_state`;
/// include/arch/x86/arch/machine/cpu_registers.h). Offsets are from the first
/// page-aligned address after the end of the root task's ELF image.
pub mod root_task {
    use crate::consts::{BOOTINFO_FRAME_SIZE, PAGE_SIZE};

    /// The IPC buffer frame.
    pub const IPC_BUFFER_OFFSET: u64 = 0;
    /// The bootinfo frame; its address is passed in RDI.
    pub const BOOTINFO_OFFSET: u64 = IPC_BUFFER_OFFSET + PAGE_SIZE as u64;
    /// The extra bootinfo region (if `extra_len` is non-zero).
    pub const EXTRA_BOOTINFO_OFFSET: u64 = BOOTINFO_OFFSET + BOOTINFO_FRAME_SIZE as u64;
    /// Initial RFLAGS, `FLAGS_USER_DEFAULT`: IF (bit 9) and the always-one bit 1.
    pub const INITIAL_RFLAGS: u64 = (1 << 9) | (1 << 1);
}

/// Extra-bootinfo chunk IDs (`seL4_BootInfoID`, bootinfo_types.h). All IDs
/// share one namespace across architectures.
pub mod bootinfo_id {
    /// Filler; skip it.
    pub const PADDING: u64 = 0;
    /// VBE info and mode blocks ([`super::x86::VBE_CHUNK_LEN`] bytes).
    pub const X86_VBE: u64 = 1;
    /// Multiboot memory map.
    pub const X86_MBMMAP: u64 = 2;
    /// Raw ACPI 2.0 RSDP (36 bytes).
    pub const X86_ACPI_RSDP: u64 = 3;
    /// Multiboot2 framebuffer description (22 bytes).
    pub const X86_FRAMEBUFFER: u64 = 4;
    /// TSC frequency in MHz, a `u32`.
    pub const X86_TSC_FREQ: u64 = 5;
    /// Flattened device tree (not used on x86).
    pub const FDT: u64 = 6;
    /// `SEL4_BOOTINFO_HEADER_NUM`: first unassigned ID.
    pub const NUM: u64 = 7;
    /// Triton extension: the boot modules after the root task (seL4 ignores
    /// them), mapped into the root task; see [`super::triton_modules`].
    pub const TRITON_BOOT_MODULES: u64 = 0x100;
}

/// The payload of a [`bootinfo_id::TRITON_BOOT_MODULES`] chunk: a `u64`
/// count, then one [`triton_modules::ENTRY_LEN`]-byte entry per module, in
/// multiboot order. Each module's pages are mapped read-write into the root
/// task at `vaddr` (page aligned, in increasing order after the extra
/// BootInfo), and their frame caps fill slots `first_slot ..
/// first_slot + frames`, which come after the untyped caps (BootInfo's
/// `empty` region starts after them).
pub mod triton_modules {
    /// Bytes of one entry: vaddr, size, first_slot, frames (u64 each), then
    /// the module's file name (the first word of its command line without
    /// directories), NUL-terminated in 32 bytes.
    pub const ENTRY_LEN: usize = 64;
    /// Most modules described.
    pub const MAX_MODULES: usize = 15;
    /// Offset of the command line in an entry.
    pub const NAME_OFFSET: usize = 32;

    /// One module as the chunk describes it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Module<'a> {
        /// Where it is mapped in the root task.
        pub vaddr: u64,
        /// Its size in bytes.
        pub size: u64,
        /// The slot of its first frame cap.
        pub first_slot: u64,
        /// How many 4 KiB frames (and caps) it has.
        pub frames: u64,
        /// Its multiboot command line (up to the first NUL).
        pub name: &'a [u8],
    }

    fn word(b: &[u8], at: usize) -> Option<u64> {
        Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
    }

    /// The modules of a chunk payload; stops at anything malformed.
    pub fn modules(payload: &[u8]) -> impl Iterator<Item = Module<'_>> {
        let n = word(payload, 0).unwrap_or(0).min(MAX_MODULES as u64) as usize;
        (0..n).map_while(move |i| {
            let e = payload.get(8 + i * ENTRY_LEN..8 + (i + 1) * ENTRY_LEN)?;
            let raw = &e[NAME_OFFSET..];
            let len = raw.iter().position(|&c| c == 0).unwrap_or(raw.len());
            Some(Module {
                vaddr: word(e, 0)?,
                size: word(e, 8)?,
                first_slot: word(e, 16)?,
                frames: word(e, 24)?,
                name: &raw[..len],
            })
        })
    }

    /// Writes one entry (the kernel's side).
    pub fn write_entry(out: &mut [u8; ENTRY_LEN], m: &Module) {
        out[0..8].copy_from_slice(&m.vaddr.to_le_bytes());
        out[8..16].copy_from_slice(&m.size.to_le_bytes());
        out[16..24].copy_from_slice(&m.first_slot.to_le_bytes());
        out[24..32].copy_from_slice(&m.frames.to_le_bytes());
        let n = m.name.len().min(ENTRY_LEN - NAME_OFFSET - 1);
        out[NAME_OFFSET..].fill(0);
        out[NAME_OFFSET..NAME_OFFSET + n].copy_from_slice(&m.name[..n]);
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn entries_round_trip_and_bad_input_stops() {
            let mut payload = [0u8; 8 + 2 * ENTRY_LEN];
            payload[0] = 2;
            let a = Module { vaddr: 0x50_0000, size: 5000, first_slot: 300, frames: 2, name: b"/boot/ntdll.dll" };
            let b = Module { vaddr: 0x50_2000, size: 1, first_slot: 302, frames: 1, name: &[b'x'; 40] };
            let mut e = [0u8; ENTRY_LEN];
            write_entry(&mut e, &a);
            payload[8..8 + ENTRY_LEN].copy_from_slice(&e);
            write_entry(&mut e, &b);
            payload[8 + ENTRY_LEN..].copy_from_slice(&e);
            let got: [Option<Module>; 2] = {
                let mut it = modules(&payload);
                [it.next(), it.next()]
            };
            assert_eq!(got[0], Some(a));
            assert_eq!(got[1].unwrap().name.len(), ENTRY_LEN - NAME_OFFSET - 1);
            // A count larger than the payload stops at the end.
            payload[0] = 9;
            assert_eq!(modules(&payload).count(), 2);
            assert_eq!(modules(&payload[..20]).count(), 0);
            assert_eq!(modules(&[]).count(), 0);
        }
    }
}

/// Payload layouts of the x86 chunks (arch/bootinfo_types.h, and the kernel's
/// include/plat/pc99/plat/machine/acpi.h and include/arch/x86/arch/kernel/multiboot2.h).
/// All payloads are packed, so they are described by byte lengths and offsets.
pub mod x86 {
    use super::read_u64;

    /// Whole VBE chunk: header, 512-byte info block, 256-byte mode block,
    /// then four u32s (mode, interface segment, offset, length).
    pub const VBE_CHUNK_LEN: usize = 16 + 512 + 256 + 4 * 4;
    /// Payload of the ACPI RSDP chunk (ACPI 2.0 RSDP).
    pub const ACPI_RSDP_LEN: usize = 36;
    /// Payload of the framebuffer chunk: addr u64, pitch/width/height u32,
    /// bpp u8, type u8.
    pub const FRAMEBUFFER_LEN: usize = 22;
    /// `SEL4_MULTIBOOT_MAX_MMAP_ENTRIES`.
    pub const MB_MMAP_MAX_ENTRIES: usize = 50;
    /// `sizeof(seL4_X86_mb_mmap_t)`: size u32, base u64, length u64, type u32.
    pub const MB_MMAP_ENTRY_LEN: usize = 24;
    /// Payload of the memory-map chunk: `mmap_length` u32 (bytes of valid
    /// entries) followed by the fixed entry array.
    pub const MB_MMAP_PAYLOAD_LEN: usize = 4 + MB_MMAP_MAX_ENTRIES * MB_MMAP_ENTRY_LEN;
    /// Whole memory-map chunk (1220 bytes).
    pub const MB_MMAP_CHUNK_LEN: usize = 16 + MB_MMAP_PAYLOAD_LEN;
    /// `SEL4_MULTIBOOT_RAM_REGION_TYPE`.
    pub const MB_RAM_REGION_TYPE: u32 = 1;
    /// Payload of the TSC-frequency chunk (u32 MHz).
    pub const TSC_FREQ_LEN: usize = 4;

    /// One multiboot memory-map entry (`seL4_X86_mb_mmap_t`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
    pub struct MbMmapEntry {
        /// Multiboot's entry-size field, copied verbatim.
        pub size: u32,
        /// Physical start.
        pub base_addr: u64,
        /// Length in bytes.
        pub length: u64,
        /// Region type; [`MB_RAM_REGION_TYPE`] is RAM.
        pub ty: u32,
    }

    impl MbMmapEntry {
        /// Packed little-endian encoding.
        pub fn to_bytes(&self) -> [u8; MB_MMAP_ENTRY_LEN] {
            let mut b = [0u8; MB_MMAP_ENTRY_LEN];
            b[0..4].copy_from_slice(&self.size.to_le_bytes());
            b[4..12].copy_from_slice(&self.base_addr.to_le_bytes());
            b[12..20].copy_from_slice(&self.length.to_le_bytes());
            b[20..24].copy_from_slice(&self.ty.to_le_bytes());
            b
        }

        /// Decodes the start of `b`; `None` if shorter than an entry.
        pub fn from_bytes(b: &[u8]) -> Option<Self> {
            Some(MbMmapEntry {
                size: read_u32(b, 0)?,
                base_addr: read_u64(b, 4)?,
                length: read_u64(b, 12)?,
                ty: read_u32(b, 20)?,
            })
        }
    }

    /// The valid entries of a memory-map payload: `mmap_length / 24` entries,
    /// capped by the maximum and by what the payload actually holds.
    pub fn mb_mmap_entries(payload: &[u8]) -> impl Iterator<Item = MbMmapEntry> + '_ {
        let bytes = read_u32(payload, 0).unwrap_or(0) as usize;
        let entries = payload.get(4..).unwrap_or(&[]);
        let n = (bytes / MB_MMAP_ENTRY_LEN)
            .min(MB_MMAP_MAX_ENTRIES)
            .min(entries.len() / MB_MMAP_ENTRY_LEN);
        entries
            .chunks_exact(MB_MMAP_ENTRY_LEN)
            .take(n)
            .filter_map(MbMmapEntry::from_bytes)
    }

    /// The TSC frequency (MHz) from a TSC_FREQ payload.
    pub fn tsc_freq_mhz(payload: &[u8]) -> Option<u32> {
        read_u32(payload, 0)
    }

    fn read_u32(b: &[u8], at: usize) -> Option<u32> {
        let s = b.get(at..at.checked_add(4)?)?;
        Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
}

/// Little-endian u64 at byte `at` of `b`, any alignment.
fn read_u64(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(u64::from_le_bytes(a))
}

/// Iterator over extra-bootinfo chunks; see [`extra_chunks`].
#[derive(Clone, Debug)]
pub struct ExtraChunks<'a> {
    data: &'a [u8],
    offset: usize,
}

impl<'a> Iterator for ExtraChunks<'a> {
    type Item = (u64, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.offset;
        // Any malformed header ends the walk for good (the iterator is fused).
        self.offset = self.data.len();
        let header = BootInfoHeader::from_bytes(self.data.get(start..)?)?;
        let len = usize::try_from(header.len).ok()?;
        if len < BootInfoHeader::SIZE {
            return None;
        }
        let end = start.checked_add(len)?;
        let payload = self.data.get(start + BootInfoHeader::SIZE..end)?;
        self.offset = end;
        Some((header.id, payload))
    }
}

impl core::iter::FusedIterator for ExtraChunks<'_> {}

/// Walks the extra bootinfo, yielding `(id, payload)` for every chunk,
/// padding chunks included. Pass exactly the first `extra_len` bytes. Chunks
/// are packed with no alignment padding, so headers are read bytewise. The
/// walk stops, without panicking, at the end of the data or at the first
/// header that is truncated, has `len < 16` or overruns the data.
pub fn extra_chunks(extra: &[u8]) -> ExtraChunks<'_> {
    ExtraChunks {
        data: extra,
        offset: 0,
    }
}

/// Payload of the first chunk with ID `id` (see [`extra_chunks`]).
pub fn find_extra_chunk(extra: &[u8], id: u64) -> Option<&[u8]> {
    extra_chunks(extra).find(|&(i, _)| i == id).map(|(_, p)| p)
}

/// Writes one chunk (header, then `payload`) at byte `offset` of `buf` and
/// returns the offset just past it, where the next chunk goes. Returns `None`
/// and leaves `buf` untouched if the chunk does not fit.
pub fn write_chunk(buf: &mut [u8], offset: usize, id: u64, payload: &[u8]) -> Option<usize> {
    let len = BootInfoHeader::SIZE.checked_add(payload.len())?;
    let end = offset.checked_add(len)?;
    let dst = buf.get_mut(offset..end)?;
    let header = BootInfoHeader {
        id,
        len: len as u64,
    };
    dst[..BootInfoHeader::SIZE].copy_from_slice(&header.to_bytes());
    dst[BootInfoHeader::SIZE..].copy_from_slice(payload);
    Some(end)
}

/// log2 of the region the kernel reserves for `extra_size` bytes of extra
/// bootinfo: 0 when there is none, else the size rounded up to whole pages
/// and then to a power of two (src/kernel/boot.c,
/// `calculate_extra_bi_size_bits`).
pub const fn extra_bi_size_bits(extra_size: usize) -> usize {
    if extra_size == 0 {
        return 0;
    }
    let mut bits = PAGE_BITS;
    while bits < usize::BITS as usize - 1 && (1usize << bits) < extra_size {
        bits += 1;
    }
    bits
}
