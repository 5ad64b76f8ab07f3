//! Reading the multiboot 1 information structure that the boot loader
//! leaves in memory (layout from the Multiboot Specification 0.6.96, as
//! mirrored by seL4 `include/arch/x86/arch/kernel/multiboot.h`).
//!
//! Everything is read through [`PhysMem`], and every address and length in
//! the structure is untrusted: walks stop at the first unreadable or
//! malformed entry and are bounded, so a corrupt structure gives short
//! results, never a hang or a panic.

/// Read access to physical memory.
pub trait PhysMem {
    /// Copies `buf.len()` bytes from `paddr`; `false` if any of them cannot
    /// be read (then `buf` may be partly written).
    fn read(&self, paddr: u64, buf: &mut [u8]) -> bool;
}

/// A [`PhysMem`] over a byte slice that stands at physical address `base`
/// (for tests, and for memory the kernel has already copied).
#[derive(Clone, Copy, Debug)]
pub struct SliceMem<'a> {
    /// Physical address of `bytes[0]`.
    pub base: u64,
    /// The memory contents.
    pub bytes: &'a [u8],
}

impl PhysMem for SliceMem<'_> {
    fn read(&self, paddr: u64, buf: &mut [u8]) -> bool {
        let Some(off) = paddr.checked_sub(self.base) else {
            return false;
        };
        let Ok(off) = usize::try_from(off) else {
            return false;
        };
        match off
            .checked_add(buf.len())
            .and_then(|end| self.bytes.get(off..end))
        {
            Some(src) => {
                buf.copy_from_slice(src);
                true
            }
            None => false,
        }
    }
}

/// The value in EAX when a multiboot 1 loader enters the kernel.
pub const BOOTLOADER_MAGIC: u32 = 0x2BAD_B002;

/// Bits of the `flags` word: which fields of the structure are valid.
pub mod flags {
    /// `mem_lower` and `mem_upper`.
    pub const MEM: u32 = 1 << 0;
    /// `boot_device`.
    pub const BOOT_DEVICE: u32 = 1 << 1;
    /// `cmdline`.
    pub const CMDLINE: u32 = 1 << 2;
    /// `mods_count` and `mods_addr`.
    pub const MODS: u32 = 1 << 3;
    /// a.out symbol table in `syms`.
    pub const AOUT_SYMS: u32 = 1 << 4;
    /// ELF section headers in `syms`.
    pub const ELF_SHDR: u32 = 1 << 5;
    /// `mmap_length` and `mmap_addr`.
    pub const MMAP: u32 = 1 << 6;
    /// `drives_length` and `drives_addr`.
    pub const DRIVES: u32 = 1 << 7;
    /// `config_table`.
    pub const CONFIG_TABLE: u32 = 1 << 8;
    /// `boot_loader_name`.
    pub const BOOT_LOADER_NAME: u32 = 1 << 9;
    /// `apm_table`.
    pub const APM_TABLE: u32 = 1 << 10;
    /// The VBE fields.
    pub const VBE: u32 = 1 << 11;
    /// The framebuffer fields.
    pub const FRAMEBUFFER: u32 = 1 << 12;
}

/// Memory-map entry types.
pub mod mmap_type {
    /// Usable RAM.
    pub const AVAILABLE: u32 = 1;
    /// Reserved.
    pub const RESERVED: u32 = 2;
    /// ACPI tables, reclaimable after reading them.
    pub const ACPI_RECLAIMABLE: u32 = 3;
    /// ACPI non-volatile storage.
    pub const NVS: u32 = 4;
    /// Defective RAM.
    pub const BAD: u32 = 5;
}

/// Walks stop after this many memory-map entries: far more than any
/// firmware reports, and a bound on work for a corrupt length.
pub const MAX_MMAP_ENTRIES: usize = 1024;
/// Walks stop after this many modules.
pub const MAX_MODULES: usize = 256;

/// Bytes of the fixed part of the structure (flags through the VBE fields).
const INFO_SIZE: usize = 88;
/// Bytes of the framebuffer fields that follow it (flag 12).
const FB_SIZE: usize = 28;

/// Why the structure could not be read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MbError {
    /// EAX did not hold [`BOOTLOADER_MAGIC`].
    BadMagic(u32),
    /// The structure itself (or its framebuffer part) is not readable.
    Unreadable {
        /// Address of the failed read.
        paddr: u64,
    },
}

/// The VBE fields (flag 11).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Vbe {
    /// Address of the VBE controller information block.
    pub control_info: u32,
    /// Address of the VBE mode information block.
    pub mode_info: u32,
    /// Current video mode.
    pub mode: u16,
    /// Protected-mode interface segment.
    pub interface_seg: u16,
    /// Protected-mode interface offset.
    pub interface_off: u16,
    /// Protected-mode interface length.
    pub interface_len: u16,
}

/// The framebuffer fields (flag 12).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Framebuffer {
    /// Physical address.
    pub addr: u64,
    /// Bytes per line.
    pub pitch: u32,
    /// Width in pixels (or characters in text mode).
    pub width: u32,
    /// Height in pixels (or characters).
    pub height: u32,
    /// Bits per pixel.
    pub bpp: u8,
    /// 0 indexed, 1 RGB, 2 EGA text.
    pub kind: u8,
    /// Palette or colour-mask description, uninterpreted.
    pub color_info: [u8; 6],
}

/// The multiboot 1 information structure. Optional parts are `None` (or 0)
/// when their flag is clear.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MultibootInfo {
    /// Which fields are valid (see [`flags`]).
    pub flags: u32,
    /// KiB of memory below 1 MiB (0 without [`flags::MEM`]).
    pub mem_lower: u32,
    /// KiB of memory from 1 MiB to the first hole (0 without [`flags::MEM`]).
    pub mem_upper: u32,
    /// BIOS boot device.
    pub boot_device: Option<u32>,
    /// Address of the kernel command line (NUL-terminated).
    pub cmdline: Option<u64>,
    /// Module count and address of the module list ((0, 0) without
    /// [`flags::MODS`]).
    pub mods: (u32, u64),
    /// The four symbol words (a.out or ELF section info), if either flag
    /// 4 or 5 is set.
    pub syms: Option<[u32; 4]>,
    /// Memory map address and length in bytes.
    pub mmap: Option<(u64, u32)>,
    /// Drive list address and length in bytes.
    pub drives: Option<(u64, u32)>,
    /// Address of the BIOS configuration table.
    pub config_table: Option<u64>,
    /// Address of the boot loader's name (NUL-terminated).
    pub boot_loader_name: Option<u64>,
    /// Address of the APM table.
    pub apm_table: Option<u64>,
    /// VBE information.
    pub vbe: Option<Vbe>,
    /// Framebuffer information.
    pub framebuffer: Option<Framebuffer>,
}

/// One memory-map entry.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MmapEntry {
    /// First address.
    pub base: u64,
    /// Length in bytes.
    pub length: u64,
    /// Type (see [`mmap_type`]).
    pub kind: u32,
}

impl MmapEntry {
    /// Usable RAM.
    pub const fn is_available(&self) -> bool {
        self.kind == mmap_type::AVAILABLE
    }

    /// The entry as a half-open range, clipped at the top of the address
    /// space.
    pub const fn range(&self) -> crate::memory::Range {
        crate::memory::Range {
            start: self.base,
            end: self.base.saturating_add(self.length),
        }
    }
}

/// One boot module.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Module {
    /// First byte.
    pub start: u64,
    /// First byte after the module.
    pub end: u64,
    /// Address of the module's string (NUL-terminated), if any.
    pub cmdline: Option<u64>,
}

fn u16_at(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    u32_at(b, off) as u64 | (u32_at(b, off + 4) as u64) << 32
}

/// Checks the EAX value a multiboot 1 loader passes.
pub const fn check_magic(eax: u32) -> Result<(), MbError> {
    if eax == BOOTLOADER_MAGIC {
        Ok(())
    } else {
        Err(MbError::BadMagic(eax))
    }
}

/// Reads the information structure at `info_paddr` (the EBX value).
pub fn parse(mem: &impl PhysMem, info_paddr: u64) -> Result<MultibootInfo, MbError> {
    let mut b = [0u8; INFO_SIZE];
    if !mem.read(info_paddr, &mut b) {
        return Err(MbError::Unreadable { paddr: info_paddr });
    }
    let f = u32_at(&b, 0);
    let has = |flag: u32| f & flag != 0;
    let addr = |off: usize| u32_at(&b, off) as u64;
    let framebuffer = if has(flags::FRAMEBUFFER) {
        let at = info_paddr.wrapping_add(INFO_SIZE as u64);
        let mut fb = [0u8; FB_SIZE];
        if !mem.read(at, &mut fb) {
            return Err(MbError::Unreadable { paddr: at });
        }
        let mut color_info = [0u8; 6];
        color_info.copy_from_slice(&fb[22..28]);
        Some(Framebuffer {
            addr: u64_at(&fb, 0),
            pitch: u32_at(&fb, 8),
            width: u32_at(&fb, 12),
            height: u32_at(&fb, 16),
            bpp: fb[20],
            kind: fb[21],
            color_info,
        })
    } else {
        None
    };
    Ok(MultibootInfo {
        flags: f,
        mem_lower: if has(flags::MEM) { u32_at(&b, 4) } else { 0 },
        mem_upper: if has(flags::MEM) { u32_at(&b, 8) } else { 0 },
        boot_device: has(flags::BOOT_DEVICE).then(|| u32_at(&b, 12)),
        cmdline: has(flags::CMDLINE).then(|| addr(16)),
        mods: if has(flags::MODS) {
            (u32_at(&b, 20), addr(24))
        } else {
            (0, 0)
        },
        syms: (has(flags::AOUT_SYMS) || has(flags::ELF_SHDR)).then(|| {
            [
                u32_at(&b, 28),
                u32_at(&b, 32),
                u32_at(&b, 36),
                u32_at(&b, 40),
            ]
        }),
        mmap: has(flags::MMAP).then(|| (addr(48), u32_at(&b, 44))),
        drives: has(flags::DRIVES).then(|| (addr(56), u32_at(&b, 52))),
        config_table: has(flags::CONFIG_TABLE).then(|| addr(60)),
        boot_loader_name: has(flags::BOOT_LOADER_NAME).then(|| addr(64)),
        apm_table: has(flags::APM_TABLE).then(|| addr(68)),
        vbe: has(flags::VBE).then(|| Vbe {
            control_info: u32_at(&b, 72),
            mode_info: u32_at(&b, 76),
            mode: u16_at(&b, 80),
            interface_seg: u16_at(&b, 82),
            interface_off: u16_at(&b, 84),
            interface_len: u16_at(&b, 86),
        }),
        framebuffer,
    })
}

impl MultibootInfo {
    /// The memory map, if the loader gave one (empty otherwise). Each entry
    /// starts with a `size` word that does not count itself, so the next
    /// entry is `size + 4` bytes on; the walk stops at the end of the map,
    /// at an entry too short to hold base, length and type (size < 20), at
    /// an entry that runs past the end, at an unreadable entry, or after
    /// [`MAX_MMAP_ENTRIES`].
    pub fn memory_map<'m, M: PhysMem>(&self, mem: &'m M) -> MmapIter<'m, M> {
        let (addr, len) = self.mmap.unwrap_or((0, 0));
        MmapIter {
            mem,
            cur: addr,
            end: addr.saturating_add(len as u64),
            count: 0,
        }
    }

    /// The boot modules (none without [`flags::MODS`]); stops at the first
    /// unreadable entry or after [`MAX_MODULES`].
    pub fn modules<'m, M: PhysMem>(&self, mem: &'m M) -> ModuleIter<'m, M> {
        ModuleIter {
            mem,
            addr: self.mods.1,
            left: (self.mods.0 as usize).min(MAX_MODULES),
        }
    }
}

/// Iterator over memory-map entries; see [`MultibootInfo::memory_map`].
#[derive(Clone, Debug)]
pub struct MmapIter<'m, M> {
    mem: &'m M,
    cur: u64,
    end: u64,
    count: usize,
}

impl<M: PhysMem> Iterator for MmapIter<'_, M> {
    type Item = MmapEntry;

    fn next(&mut self) -> Option<MmapEntry> {
        const ENTRY: u64 = 24;
        if self.count >= MAX_MMAP_ENTRIES || self.end.saturating_sub(self.cur) < ENTRY {
            return self.stop();
        }
        let mut b = [0u8; ENTRY as usize];
        if !self.mem.read(self.cur, &mut b) {
            return self.stop();
        }
        let size = u32_at(&b, 0) as u64;
        // cur + 24 <= end was checked, so cur + 4 cannot overflow.
        let next = match (self.cur + 4).checked_add(size) {
            Some(n) if size >= ENTRY - 4 && n <= self.end => n,
            _ => return self.stop(),
        };
        self.cur = next;
        self.count += 1;
        Some(MmapEntry {
            base: u64_at(&b, 4),
            length: u64_at(&b, 12),
            kind: u32_at(&b, 20),
        })
    }
}

impl<M> MmapIter<'_, M> {
    /// Ends the walk for good (the iterator is fused).
    fn stop(&mut self) -> Option<MmapEntry> {
        self.cur = self.end;
        None
    }
}

/// Iterator over boot modules; see [`MultibootInfo::modules`].
#[derive(Clone, Debug)]
pub struct ModuleIter<'m, M> {
    mem: &'m M,
    addr: u64,
    left: usize,
}

impl<M: PhysMem> Iterator for ModuleIter<'_, M> {
    type Item = Module;

    fn next(&mut self) -> Option<Module> {
        if self.left == 0 {
            return None;
        }
        let mut b = [0u8; 16];
        if !self.mem.read(self.addr, &mut b) {
            self.left = 0;
            return None;
        }
        self.left -= 1;
        self.addr = self.addr.wrapping_add(16);
        let name = u32_at(&b, 8) as u64;
        Some(Module {
            start: u32_at(&b, 0) as u64,
            end: u32_at(&b, 4) as u64,
            cmdline: (name != 0).then_some(name),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

/// Why [`read_cstr`] failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CStrError {
    /// A byte before the terminator could not be read.
    Unreadable {
        /// Its address.
        paddr: u64,
    },
    /// No NUL within the buffer; the buffer holds the first `buf.len()`
    /// bytes of the string.
    Truncated,
}

/// Reads the NUL-terminated string at `paddr` into `buf` and returns the
/// bytes before the NUL.
pub fn read_cstr<'b>(
    mem: &impl PhysMem,
    paddr: u64,
    buf: &'b mut [u8],
) -> Result<&'b [u8], CStrError> {
    for i in 0..buf.len() {
        let at = paddr
            .checked_add(i as u64)
            .ok_or(CStrError::Unreadable { paddr: u64::MAX })?;
        if !mem.read(at, &mut buf[i..i + 1]) {
            return Err(CStrError::Unreadable { paddr: at });
        }
        if buf[i] == 0 {
            return Ok(&buf[..i]);
        }
    }
    Err(CStrError::Truncated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec::Vec;

    const BASE: u64 = 0x1_0000;

    /// Builds a memory image at BASE for tests.
    struct Image {
        bytes: Vec<u8>,
    }

    impl Image {
        fn new(size: usize) -> Self {
            Image {
                bytes: std::vec![0; size],
            }
        }
        fn put(&mut self, paddr: u64, data: &[u8]) {
            let off = (paddr - BASE) as usize;
            self.bytes[off..off + data.len()].copy_from_slice(data);
        }
        fn u32(&mut self, paddr: u64, v: u32) {
            self.put(paddr, &v.to_le_bytes());
        }
        fn u64(&mut self, paddr: u64, v: u64) {
            self.put(paddr, &v.to_le_bytes());
        }
        fn mem(&self) -> SliceMem<'_> {
            SliceMem {
                base: BASE,
                bytes: &self.bytes,
            }
        }
    }

    const INFO: u64 = BASE;
    const CMDLINE: u64 = BASE + 0x200;
    const MODS: u64 = BASE + 0x300;
    const MMAP: u64 = BASE + 0x400;
    const NAME: u64 = BASE + 0x600;

    /// A GRUB-like structure: memory, cmdline, two modules, a three-entry
    /// memory map and a loader name.
    fn grub_like() -> Image {
        let mut im = Image::new(0x1000);
        let f = flags::MEM | flags::CMDLINE | flags::MODS | flags::MMAP | flags::BOOT_LOADER_NAME;
        im.u32(INFO, f);
        im.u32(INFO + 4, 639);
        im.u32(INFO + 8, 130_048);
        im.u32(INFO + 16, CMDLINE as u32);
        im.u32(INFO + 20, 2);
        im.u32(INFO + 24, MODS as u32);
        im.u32(INFO + 44, 3 * 24);
        im.u32(INFO + 48, MMAP as u32);
        im.u32(INFO + 64, NAME as u32);
        im.put(CMDLINE, b"triton console=serial\0");
        im.put(NAME, b"GRUB 2.12\0");
        // Modules: [0x20_0000, 0x21_0000) named "root", and one unnamed.
        im.u32(MODS, 0x20_0000);
        im.u32(MODS + 4, 0x21_0000);
        im.u32(MODS + 8, (CMDLINE + 0x40) as u32);
        im.put(CMDLINE + 0x40, b"root\0");
        im.u32(MODS + 16, 0x30_0000);
        im.u32(MODS + 20, 0x30_1000);
        let entries = [
            (0u64, 0x9fc00u64, 1u32),
            (0x9fc00, 0x400, 2),
            (0x10_0000, 0x7ee_0000, 1),
        ];
        for (i, (base, len, kind)) in entries.iter().enumerate() {
            let at = MMAP + 24 * i as u64;
            im.u32(at, 20);
            im.u64(at + 4, *base);
            im.u64(at + 12, *len);
            im.u32(at + 20, *kind);
        }
        im
    }

    #[test]
    fn parses_grub_like_info() {
        let mut im = grub_like();
        im.put(BASE + 0xfff, b"x");
        let mem = im.mem();
        let info = parse(&mem, INFO).unwrap();
        assert_eq!(info.mem_lower, 639);
        assert_eq!(info.mem_upper, 130_048);
        assert_eq!(info.cmdline, Some(CMDLINE));
        assert_eq!(info.mods, (2, MODS));
        assert_eq!(info.mmap, Some((MMAP, 72)));
        assert_eq!(info.boot_loader_name, Some(NAME));
        assert_eq!(info.boot_device, None);
        assert_eq!(info.vbe, None);
        assert_eq!(info.framebuffer, None);
        assert_eq!(info.syms, None);

        let map: Vec<_> = info.memory_map(&mem).collect();
        assert_eq!(map.len(), 3);
        assert_eq!(
            map[2],
            MmapEntry {
                base: 0x10_0000,
                length: 0x7ee_0000,
                kind: 1
            }
        );
        assert!(map[0].is_available() && !map[1].is_available());
        assert_eq!(map[1].range(), crate::memory::Range::new(0x9fc00, 0xa0000));

        let mods: Vec<_> = info.modules(&mem).collect();
        assert_eq!(
            mods,
            [
                Module {
                    start: 0x20_0000,
                    end: 0x21_0000,
                    cmdline: Some(CMDLINE + 0x40)
                },
                Module {
                    start: 0x30_0000,
                    end: 0x30_1000,
                    cmdline: None
                }
            ]
        );

        let mut buf = [0u8; 64];
        assert_eq!(
            read_cstr(&mem, info.cmdline.unwrap(), &mut buf),
            Ok(&b"triton console=serial"[..])
        );
        assert_eq!(
            read_cstr(&mem, mods[0].cmdline.unwrap(), &mut buf),
            Ok(&b"root"[..])
        );
        let mut small = [0u8; 4];
        assert_eq!(
            read_cstr(&mem, info.cmdline.unwrap(), &mut small),
            Err(CStrError::Truncated)
        );
        assert_eq!(&small, b"trit");
        // A string running off the end of memory.
        let end = BASE + 0x1000;
        assert_eq!(
            read_cstr(&mem, end - 1, &mut buf),
            Err(CStrError::Unreadable { paddr: end })
        );
        assert_eq!(read_cstr(&mem, 0, &mut []), Err(CStrError::Truncated));
    }

    #[test]
    fn walks_by_size_field() {
        // Entries with size 28 (4 bytes of padding after the type).
        let mut im = grub_like();
        for i in 0..2u64 {
            let at = MMAP + 32 * i;
            im.u32(at, 28);
            im.u64(at + 4, 0x1000 * (i + 1));
            im.u64(at + 12, 0x1000);
            im.u32(at + 20, 1);
            im.u32(at + 24, 0xdead_beef);
        }
        im.u32(INFO + 44, 64);
        let mem = im.mem();
        let info = parse(&mem, INFO).unwrap();
        let bases: Vec<_> = info.memory_map(&mem).map(|e| e.base).collect();
        assert_eq!(bases, [0x1000, 0x2000]);
    }

    #[test]
    fn stops_on_bad_entries() {
        let mut im = grub_like();
        // Second entry claims size 4: too short, the walk stops there.
        im.u32(MMAP + 24, 4);
        let mem = im.mem();
        let info = parse(&mem, INFO).unwrap();
        assert_eq!(info.memory_map(&mem).count(), 1);

        // A huge size runs past the end of the map.
        let mut im = grub_like();
        im.u32(MMAP + 24, u32::MAX);
        let mem = im.mem();
        assert_eq!(parse(&mem, INFO).unwrap().memory_map(&mem).count(), 1);

        // A map length that is not a whole number of entries.
        let mut im = grub_like();
        im.u32(INFO + 44, 3 * 24 - 1);
        let mem = im.mem();
        assert_eq!(parse(&mem, INFO).unwrap().memory_map(&mem).count(), 2);

        // A map that lies outside readable memory, and a huge module count.
        let mut im = grub_like();
        im.u32(INFO + 48, 0x10);
        im.u32(INFO + 20, u32::MAX);
        let mem = im.mem();
        let info = parse(&mem, INFO).unwrap();
        let mut it = info.memory_map(&mem);
        assert_eq!(it.next(), None);
        assert_eq!(it.next(), None);
        // Module entries run off the 4 KiB image: (0x1000 - 0x300) / 16.
        assert_eq!(info.modules(&mem).count(), 208);
    }

    #[test]
    fn flags_gate_fields() {
        let mut im = grub_like();
        im.u32(INFO, 0);
        let mem = im.mem();
        let info = parse(&mem, INFO).unwrap();
        assert_eq!(info.mem_lower, 0);
        assert_eq!(info.cmdline, None);
        assert_eq!(info.mods, (0, 0));
        assert_eq!(info.mmap, None);
        assert_eq!(info.memory_map(&mem).count(), 0);
        assert_eq!(info.modules(&mem).count(), 0);
    }

    #[test]
    fn vbe_and_framebuffer() {
        let mut im = grub_like();
        im.u32(INFO, flags::VBE | flags::FRAMEBUFFER | flags::ELF_SHDR);
        im.u32(INFO + 28, 21);
        im.u32(INFO + 40, 20);
        im.u32(INFO + 72, 0x8000);
        im.u32(INFO + 76, 0x8200);
        im.put(INFO + 80, &0x4118u16.to_le_bytes());
        im.u64(INFO + 88, 0xfd00_0000);
        im.u32(INFO + 96, 4096);
        im.u32(INFO + 100, 1024);
        im.u32(INFO + 104, 768);
        im.put(INFO + 108, &[32, 1, 16, 8, 8, 8, 0, 8]);
        let mem = im.mem();
        let info = parse(&mem, INFO).unwrap();
        let vbe = info.vbe.unwrap();
        assert_eq!(
            (vbe.control_info, vbe.mode_info, vbe.mode),
            (0x8000, 0x8200, 0x4118)
        );
        assert_eq!(
            info.framebuffer,
            Some(Framebuffer {
                addr: 0xfd00_0000,
                pitch: 4096,
                width: 1024,
                height: 768,
                bpp: 32,
                kind: 1,
                color_info: [16, 8, 8, 8, 0, 8],
            })
        );
        assert_eq!(info.syms, Some([21, 0, 0, 20]));
    }

    #[test]
    fn unreadable_info_and_magic() {
        let im = grub_like();
        let mem = im.mem();
        assert_eq!(parse(&mem, 0), Err(MbError::Unreadable { paddr: 0 }));
        // The fixed part must be whole.
        let end = BASE + 0x1000;
        assert_eq!(
            parse(&mem, end - 40),
            Err(MbError::Unreadable { paddr: end - 40 })
        );
        // Framebuffer fields past the end.
        let mut im = Image::new(INFO_SIZE);
        im.u32(INFO, flags::FRAMEBUFFER);
        let mem = im.mem();
        assert_eq!(
            parse(&mem, INFO),
            Err(MbError::Unreadable {
                paddr: INFO + INFO_SIZE as u64
            })
        );
        assert_eq!(check_magic(BOOTLOADER_MAGIC), Ok(()));
        assert_eq!(
            check_magic(0x36d7_6289),
            Err(MbError::BadMagic(0x36d7_6289))
        );
    }

    #[test]
    fn slice_mem_bounds() {
        let data = [1u8, 2, 3, 4];
        let m = SliceMem {
            base: u64::MAX - 3,
            bytes: &data,
        };
        let mut b = [0u8; 2];
        assert!(m.read(u64::MAX - 1, &mut b));
        assert_eq!(b, [3, 4]);
        assert!(!m.read(u64::MAX, &mut b));
        assert!(!m.read(0, &mut b));
        assert!(m.read(u64::MAX, &mut []));
    }

    /// xorshift64*: a tiny seeded generator for the fuzz test.
    fn rng(seed: u64) -> impl FnMut() -> u64 {
        let mut s = seed | 1;
        move || {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            s.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    #[test]
    fn fuzz_random_bytes() {
        for seed in 0..300u64 {
            let mut next = rng(seed);
            let len = (next() % 2048) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            // Point some addresses back into the image so the walks run.
            if len >= INFO_SIZE {
                for off in [16usize, 24, 48, 64] {
                    if next() & 1 == 0 {
                        let target = BASE as u32 + (next() % len as u64) as u32;
                        bytes[off..off + 4].copy_from_slice(&target.to_le_bytes());
                    }
                }
                if next() & 1 == 0 {
                    bytes[44..48].copy_from_slice(&((next() % 4096) as u32).to_le_bytes());
                }
            }
            let mem = SliceMem {
                base: BASE,
                bytes: &bytes,
            };
            if let Ok(info) = parse(&mem, BASE) {
                let n = info.memory_map(&mem).count();
                assert!(n <= MAX_MMAP_ENTRIES && n <= len / 24 + 1);
                let m = info.modules(&mem).count();
                assert!(m <= MAX_MODULES && m <= len / 16 + 1);
                let mut buf = [0u8; 128];
                if let Some(c) = info.cmdline {
                    let _ = read_cstr(&mem, c, &mut buf);
                }
                for module in info.modules(&mem) {
                    if let Some(c) = module.cmdline {
                        let _ = read_cstr(&mem, c, &mut buf);
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn arbitrary_images_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600),
                                        at in 0u64..700) {
            let mem = SliceMem { base: BASE, bytes: &bytes };
            if let Ok(info) = parse(&mem, BASE + at) {
                prop_assert!(info.memory_map(&mem).count() <= bytes.len() / 24 + 1);
                prop_assert!(info.modules(&mem).count() <= MAX_MODULES);
            }
        }

        #[test]
        fn always_readable_memory_is_bounded(len in any::<u32>(),
                                             size in any::<u32>(), count in any::<u32>()) {
            // Memory that reads as the same pattern everywhere: only the
            // caps bound the walks.
            struct Pattern(u32);
            impl PhysMem for Pattern {
                fn read(&self, _paddr: u64, buf: &mut [u8]) -> bool {
                    for (i, b) in buf.iter_mut().enumerate() {
                        *b = self.0.to_le_bytes()[i % 4];
                    }
                    true
                }
            }
            let mem = Pattern(size);
            let info = MultibootInfo {
                flags: flags::MMAP | flags::MODS,
                mem_lower: 0, mem_upper: 0, boot_device: None, cmdline: None,
                mods: (count, 0), syms: None, mmap: Some((0x1000, len)), drives: None,
                config_table: None, boot_loader_name: None, apm_table: None,
                vbe: None, framebuffer: None,
            };
            prop_assert!(info.memory_map(&mem).count() <= MAX_MMAP_ENTRIES);
            prop_assert!(info.modules(&mem).count() <= MAX_MODULES);
        }
    }
}
