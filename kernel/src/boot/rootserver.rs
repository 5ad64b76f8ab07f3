//! The root task, built as seL4 builds its initial thread: the ELF image
//! copied into fresh frames and mapped at its link addresses, then the IPC
//! buffer, the BootInfo frame and the extra BootInfo pages right after it;
//! a root CNode of 2^13 slots holding the initial caps, the paging caps,
//! the frames and the untypeds in seL4's order; and a TCB at priority 255
//! that starts at the ELF entry with RDI = the BootInfo address.

use super::alloc::BootAlloc;
use super::BootMemory;
use crate::kmem;
use crate::object::cnode;
use crate::object::tcb::{self, Tcb, ThreadState};
use crate::object::vspace::{self, PTE_PRESENT, PTE_USER, PTE_WRITE, TABLE_FLAGS};
use kernel_core::cap::{Cap, FrameSize, Mapping, VmRights};
use kernel_core::memory::{split_into_untypeds, RangeSet};
use kernel_core::elf::{Elf, ElfError};
use sel4_abi::{bootinfo_id, cap, BootInfo, SlotRegion, UntypedDesc, MAX_BOOTINFO_UNTYPED_CAPS, ROOT_CNODE_SIZE_BITS};

/// The root task's ASID (seL4's IT_ASID).
const IT_ASID: u16 = 1;
const PAGE: u64 = 4096;

pub struct RootServer {
    cnode: u64,
    tcb: u64,
    bootinfo: u64,
    /// The extra BootInfo page (physical).
    extra: u64,
    /// Where each boot module after the root task is mapped.
    modules_vaddr: [u64; sel4_abi::triton_modules::MAX_MODULES],
    next_slot: u64,
}

fn parse_elf(file: &[u8]) -> Result<Elf<'_>, &'static str> {
    let elf = Elf::parse(file).map_err(|e| match e {
        ElfError::NotElf64 => "not an ELF64 file",
        ElfError::NotX86_64 => "not an x86_64 program",
        ElfError::NotExecutable => "not an executable",
        _ => "malformed program headers",
    })?;
    let mut any = false;
    for s in elf.load_segments() {
        any = true;
        if s.vaddr == 0 || s.vaddr + s.memsz > sel4_abi::USER_TOP {
            return Err("segment outside user space");
        }
    }
    if !any {
        return Err("no loadable segment");
    }
    Ok(elf)
}

/// The cap of a 4 KiB frame mapped read-write into the root task.
fn frame_cap(paddr: u64, vaddr: u64) -> Cap {
    Cap::Frame {
        paddr,
        size: FrameSize::Small4K,
        rights: VmRights::ReadWrite,
        device: false,
        mapping: Some(Mapping { asid: IT_ASID, vaddr }),
    }
}

pub fn create(alloc: &mut BootAlloc, elf: &[u8], mem: &BootMemory) -> RootServer {
    let elf = parse_elf(elf).unwrap_or_else(|e| panic!("root task: {e}"));
    let entry = elf.entry;
    let segs = elf.load_segments();
    let vstart = segs.clone().map(|s| s.vaddr).min().unwrap() & !(PAGE - 1);
    let vend = (segs.clone().map(|s| s.vaddr + s.memsz).max().unwrap() + PAGE - 1) & !(PAGE - 1);
    let ipc_vaddr = vend;
    let bi_vaddr = vend + PAGE;
    let extra_vaddr = vend + 2 * PAGE;
    let extra_pages = 1u64;
    // Boot modules after the root task follow the extra BootInfo, one page
    // apart (a guard page between them).
    let mut modules_vaddr = [0u64; sel4_abi::triton_modules::MAX_MODULES];
    let mut all_end = extra_vaddr + extra_pages * PAGE;
    for (i, m) in mem.modules[..mem.nmodules].iter().enumerate() {
        modules_vaddr[i] = all_end + PAGE;
        all_end = modules_vaddr[i] + ((m.end - m.start + PAGE - 1) & !(PAGE - 1));
    }

    let cnode = alloc.alloc(ROOT_CNODE_SIZE_BITS as u32 + 5);
    let tcb_obj = alloc.alloc(sel4_abi::TCB_BITS as u32);
    let pml4 = alloc.alloc(12);
    let asid_pool = alloc.alloc(12);
    vspace::init_user_pml4(pml4);
    kmem::write_u64(asid_pool + IT_ASID as u64 * 8, pml4);
    vspace::set_asid_pool(0, asid_pool);

    let mut rs = RootServer {
        cnode,
        tcb: tcb_obj,
        bootinfo: 0,
        extra: 0,
        modules_vaddr: [0; sel4_abi::triton_modules::MAX_MODULES],
        next_slot: cap::NUM_INITIAL_CAPS,
    };
    let slot = |i: u64| cnode + i * 32;

    // Paging structures: PDPTs, then PDs, then PTs, each in address order.
    let paging_start = rs.next_slot;
    for level in [2u32, 1, 0] {
        let shift = 12 + 9 * (level + 1);
        let mut v = vstart & !((1u64 << shift) - 1);
        while v < all_end {
            let table = alloc.alloc(12);
            let parent = vspace::table_for(pml4, v, level + 1).expect("parent table exists");
            vspace::set_entry(parent, vspace::index(v, level + 1), table | TABLE_FLAGS);
            let mapping = Some(Mapping { asid: IT_ASID, vaddr: v });
            let c = match level {
                2 => Cap::Pdpt { paddr: table, mapping },
                1 => Cap::PageDirectory { paddr: table, mapping },
                _ => Cap::PageTable { paddr: table, mapping },
            };
            cnode::install(slot(rs.next_slot), c);
            rs.next_slot += 1;
            v += 1 << shift;
        }
    }
    let paging = SlotRegion { start: paging_start, end: rs.next_slot };

    let map = |vaddr: u64, frame: u64| {
        let pt = vspace::table_for(pml4, vaddr, 0).expect("page table exists");
        vspace::set_entry(pt, vspace::index(vaddr, 0), frame | PTE_PRESENT | PTE_WRITE | PTE_USER);
    };
    // IPC buffer and BootInfo frames (fixed slots), extra BootInfo pages.
    let ipc = alloc.alloc(12);
    map(ipc_vaddr, ipc);
    let bi = alloc.alloc(12);
    map(bi_vaddr, bi);
    rs.bootinfo = bi;
    cnode::install(slot(cap::INIT_THREAD_IPC_BUFFER), frame_cap(ipc, ipc_vaddr));
    cnode::install(slot(cap::BOOT_INFO_FRAME), frame_cap(bi, bi_vaddr));
    let extra_start = rs.next_slot;
    let mut extra_paddr = 0;
    for i in 0..extra_pages {
        let f = alloc.alloc(12);
        if i == 0 {
            extra_paddr = f;
        }
        map(extra_vaddr + i * PAGE, f);
        cnode::install(slot(rs.next_slot), frame_cap(f, extra_vaddr + i * PAGE));
        rs.next_slot += 1;
    }
    let extra = SlotRegion { start: extra_start, end: rs.next_slot };
    let extra_len = write_extra_bootinfo(extra_paddr, mem);
    rs.extra = extra_paddr;
    // The modules' own pages, mapped now; their caps come after the untypeds.
    for (i, m) in mem.modules[..mem.nmodules].iter().enumerate() {
        let mut p = m.start;
        while p < m.end {
            map(modules_vaddr[i] + (p - m.start), p);
            p += PAGE;
        }
    }
    rs.modules_vaddr = modules_vaddr;

    // The image: one fresh frame per page, filled from the segments.
    let frames_start = rs.next_slot;
    let mut v = vstart;
    while v < vend {
        let f = alloc.alloc(12);
        for s in segs.clone() {
            let (a, b) = (v.max(s.vaddr), (v + PAGE).min(s.vaddr + s.data.len() as u64));
            if a < b {
                let off = (a - s.vaddr) as usize;
                kmem::write(f + (a - v), &s.data[off..off + (b - a) as usize]);
            }
        }
        map(v, f);
        cnode::install(slot(rs.next_slot), frame_cap(f, v));
        rs.next_slot += 1;
        v += PAGE;
    }
    let frames = SlotRegion { start: frames_start, end: rs.next_slot };

    // The fixed initial caps.
    let guard_size = 64 - ROOT_CNODE_SIZE_BITS as u8;
    let cnode_cap = Cap::CNode { ptr: cnode, radix: ROOT_CNODE_SIZE_BITS as u8, guard_size, guard: 0 };
    let pml4_cap = Cap::Pml4 { paddr: pml4, asid: Some(IT_ASID) };
    cnode::install(slot(cap::INIT_THREAD_TCB), Cap::Thread { tcb: tcb_obj });
    cnode::install(slot(cap::INIT_THREAD_CNODE), cnode_cap);
    cnode::install(slot(cap::INIT_THREAD_VSPACE), pml4_cap);
    cnode::install(slot(cap::IRQ_CONTROL), Cap::IrqControl);
    cnode::install(slot(cap::ASID_CONTROL), Cap::AsidControl);
    cnode::install(slot(cap::INIT_THREAD_ASID_POOL), Cap::AsidPool { paddr: asid_pool, asid_base: 0 });
    cnode::install(slot(cap::IO_PORT_CONTROL), Cap::IoPortControl);
    cnode::install(slot(cap::DOMAIN), Cap::Domain);

    // The initial thread.
    let t = Tcb::init(tcb_obj);
    // The TCB's own slots hold copies derived from the root CNode's caps, so
    // the derivation tree knows they are the same objects (seL4 does this too).
    cnode::cte_insert(cnode_cap, slot(cap::INIT_THREAD_CNODE), tcb_obj + tcb::SLOT_CTABLE * 32);
    cnode::cte_insert(pml4_cap, slot(cap::INIT_THREAD_VSPACE), tcb_obj + tcb::SLOT_VTABLE * 32);
    cnode::cte_insert(frame_cap(ipc, ipc_vaddr), slot(cap::INIT_THREAD_IPC_BUFFER), tcb_obj + tcb::SLOT_BUFFER * 32);
    cnode::install(tcb_obj + tcb::SLOT_REPLY * 32, Cap::Reply { tcb: tcb_obj, master: true, can_grant: true });
    t.priority = sel4_abi::MAX_PRIO as u8;
    t.mcp = sel4_abi::MAX_PRIO as u8;
    t.ipc_buffer = ipc_vaddr;
    t.frame.rip = entry;
    t.frame.rdi = bi_vaddr;
    t.state = ThreadState::Running;
    t.set_name(b"rootserver");

    let b = rs.bootinfo_mut();
    b.extra_len = extra_len;
    b.node_id = 0;
    b.num_nodes = 1;
    b.num_iopt_levels = u64::MAX; // no IOMMU: seL4 writes -1
    b.ipc_buffer = ipc_vaddr;
    b.user_image_paging = paging;
    b.extra_bi_pages = extra;
    b.user_image_frames = frames;
    b.init_thread_cnode_size_bits = ROOT_CNODE_SIZE_BITS as u64;
    b.init_thread_domain = 0;
    rs
}

/// Writes the extra BootInfo chunks (the multiboot memory map, seL4's
/// X86_MBMMAP layout: u32 length, then 24-byte entries) and returns the
/// number of bytes used.
fn write_extra_bootinfo(paddr: u64, mem: &BootMemory) -> u64 {
    let mut payload = [0u8; 4 + 50 * 24];
    let n = mem.mmap_len.min(50);
    payload[0..4].copy_from_slice(&((n * 24) as u32).to_le_bytes());
    for (i, e) in mem.mmap[..n].iter().enumerate() {
        let o = 4 + i * 24;
        payload[o..o + 4].copy_from_slice(&20u32.to_le_bytes());
        payload[o + 4..o + 12].copy_from_slice(&e.base.to_le_bytes());
        payload[o + 12..o + 20].copy_from_slice(&e.length.to_le_bytes());
        payload[o + 20..o + 24].copy_from_slice(&e.kind.to_le_bytes());
    }
    let mut page = [0u8; 4096];
    // seL4's order: VBE, the ACPI RSDP if found, the framebuffer, the memory
    // map, the TSC frequency. (QEMU's -kernel sets no graphics mode, so VBE
    // and framebuffer records appear only with a loader that does.)
    let mut len = 0;
    if let Some(v) = mem.vbe {
        // The 512-byte control and 256-byte mode information blocks, then
        // mode, interface segment, offset and length as u32s.
        let mut vbe = [0u8; 512 + 256 + 16];
        vbe[..512].copy_from_slice(kmem::slice(v.control_info as u64, 512));
        vbe[512..768].copy_from_slice(kmem::slice(v.mode_info as u64, 256));
        for (i, w) in [v.mode, v.interface_seg, v.interface_off, v.interface_len].iter().enumerate() {
            vbe[768 + 4 * i..772 + 4 * i].copy_from_slice(&(*w as u32).to_le_bytes());
        }
        len = sel4_abi::write_chunk(&mut page, len, bootinfo_id::X86_VBE, &vbe).expect("extra bootinfo fits");
    }
    if let Some(rsdp) = super::acpi::rsdp() {
        len = sel4_abi::write_chunk(&mut page, len, bootinfo_id::X86_ACPI_RSDP, &rsdp).expect("extra bootinfo fits");
    }
    if let Some(f) = mem.framebuffer {
        // addr u64, pitch u32, width u32, height u32, bpp u8, type u8 (packed).
        let mut fb = [0u8; 22];
        fb[0..8].copy_from_slice(&f.addr.to_le_bytes());
        fb[8..12].copy_from_slice(&f.pitch.to_le_bytes());
        fb[12..16].copy_from_slice(&f.width.to_le_bytes());
        fb[16..20].copy_from_slice(&f.height.to_le_bytes());
        fb[20] = f.bpp;
        fb[21] = f.kind;
        len = sel4_abi::write_chunk(&mut page, len, bootinfo_id::X86_FRAMEBUFFER, &fb).expect("extra bootinfo fits");
    }
    // seL4 always emits all 50 entries (1220 bytes with the header).
    let len = sel4_abi::write_chunk(&mut page, len, bootinfo_id::X86_MBMMAP, &payload).expect("extra bootinfo fits");
    // The TSC frequency in MHz (seL4 always emits it).
    let mhz = (crate::interrupt::tsc_per_ms() / 1000) as u32;
    let len = sel4_abi::write_chunk(&mut page, len, bootinfo_id::X86_TSC_FREQ, &mhz.to_le_bytes()).expect("extra bootinfo fits");
    kmem::write(paddr, &page[..len]);
    len as u64
}

impl RootServer {
    fn bootinfo_mut(&self) -> &'static mut BootInfo {
        // SAFETY: the BootInfo frame was allocated above for this purpose and
        // is 4 KiB aligned; the kernel writes it only during boot.
        unsafe { kmem::object_mut::<BootInfo>(self.bootinfo) }
    }

    /// Fills the untyped caps: RAM and device blocks merged in address order.
    pub fn add_untypeds(&mut self, ram: &RangeSet<64>, device: &RangeSet<64>) {
        let b = self.bootinfo_mut();
        let start = self.next_slot;
        let mut n = 0usize;
        let mut dropped = 0u64;
        let (mut ri, mut di) = (ram.iter().peekable(), device.iter().peekable());
        loop {
            let take_ram = match (ri.peek(), di.peek()) {
                (Some(r), Some(d)) => r.start < d.start,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let (r, is_device) = if take_ram { (ri.next().unwrap(), false) } else { (di.next().unwrap(), true) };
            split_into_untypeds(*r, sel4_abi::MIN_UNTYPED_BITS as u8, sel4_abi::MAX_UNTYPED_BITS as u8, |paddr, bits| {
                if n == MAX_BOOTINFO_UNTYPED_CAPS || self.next_slot == 1 << ROOT_CNODE_SIZE_BITS {
                    dropped += 1;
                    return;
                }
                b.untyped_list[n] = UntypedDesc { paddr, size_bits: bits, is_device: is_device as u8, padding: [0; 6] };
                cnode::install(
                    self.cnode + self.next_slot * 32,
                    Cap::Untyped { paddr, size_bits: bits, is_device, free_index: 0 },
                );
                self.next_slot += 1;
                n += 1;
            });
        }
        if dropped > 0 {
            kprintln!("boot: warning: {dropped} untyped blocks did not fit in BootInfo");
        }
        b.untyped = SlotRegion { start, end: self.next_slot };
        b.empty = SlotRegion { start: self.next_slot, end: 1 << ROOT_CNODE_SIZE_BITS };
    }

    /// Frame caps for the boot modules after the root task (already mapped),
    /// after the untypeds, and the Triton chunk describing them.
    pub fn add_module_frames(&mut self, mem: &BootMemory) {
        if mem.nmodules == 0 {
            return;
        }
        use sel4_abi::triton_modules::{write_entry, Module, ENTRY_LEN};
        let b = self.bootinfo_mut();
        let mut payload = [0u8; 8 + ENTRY_LEN * sel4_abi::triton_modules::MAX_MODULES];
        payload[0..8].copy_from_slice(&(mem.nmodules as u64).to_le_bytes());
        for (i, m) in mem.modules[..mem.nmodules].iter().enumerate() {
            let first_slot = self.next_slot;
            let mut p = m.start;
            while p < m.end {
                if self.next_slot == 1 << ROOT_CNODE_SIZE_BITS {
                    panic!("boot: no slots left for the boot modules' frames");
                }
                let vaddr = self.modules_vaddr[i] + (p - m.start);
                cnode::install(self.cnode + self.next_slot * 32, frame_cap(p, vaddr));
                self.next_slot += 1;
                p += PAGE;
            }
            let n = m.name.iter().position(|&c| c == 0).unwrap_or(m.name.len());
            let entry = Module {
                vaddr: self.modules_vaddr[i],
                size: m.end - m.start,
                first_slot,
                frames: self.next_slot - first_slot,
                name: &m.name[..n],
            };
            let mut e = [0u8; ENTRY_LEN];
            write_entry(&mut e, &entry);
            payload[8 + i * ENTRY_LEN..8 + (i + 1) * ENTRY_LEN].copy_from_slice(&e);
        }
        let used = 8 + mem.nmodules * ENTRY_LEN;
        let mut page = [0u8; 4096];
        let start = b.extra_len as usize;
        match sel4_abi::write_chunk(&mut page, start, bootinfo_id::TRITON_BOOT_MODULES, &payload[..used]) {
            Some(end) => {
                kmem::write(self.extra + start as u64, &page[start..end]);
                b.extra_len = end as u64;
            }
            None => kprintln!("boot: warning: no room for the boot modules record"),
        }
        b.empty = SlotRegion { start: self.next_slot, end: 1 << ROOT_CNODE_SIZE_BITS };
    }

    pub fn ram_untyped_bytes(&self) -> u64 {
        let b = self.bootinfo_mut();
        let n = (b.untyped.end - b.untyped.start) as usize;
        b.untyped_list[..n].iter().filter(|u| u.is_device == 0).map(|u| 1u64 << u.size_bits).sum()
    }

    pub fn untyped_count(&self) -> u64 {
        let b = self.bootinfo_mut();
        b.untyped.end - b.untyped.start
    }

    pub fn tcb_object(&self) -> u64 {
        self.tcb
    }
}
