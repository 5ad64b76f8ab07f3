//! Boot: from the multiboot handoff to a runnable root task. Reads the memory
//! map and the modules, builds the root task from the first module (seL4's
//! convention), and turns every byte of memory the kernel does not keep into
//! untyped capabilities: free RAM as normal untypeds, everything else below
//! 2^47 (MMIO, firmware areas) as device untypeds, minus the kernel's own
//! devices (local APIC, IOAPIC).

pub mod acpi;
mod alloc;
mod rootserver;

use crate::kmem::{self, WINDOW_SIZE};
use crate::object::vspace;
use alloc::BootAlloc;
use kernel_core::memory::{Range, RangeSet};
use kernel_core::multiboot::{self, PhysMem};

pub const MULTIBOOT_MAGIC: u32 = 0x2BAD_B002;

/// Physical memory below this is firmware territory: handed out as device memory only.
const LOW_MEMORY_END: u64 = 0x10_0000;
/// The top of the physical address space seL4 x86_64 describes with untypeds.
const PADDR_TOP: u64 = 1 << 47;
/// Local APIC and IOAPIC registers: the kernel's, never in an untyped.
const KERNEL_DEVICES: [Range; 2] = [
    Range { start: 0xFEC0_0000, end: 0xFEC0_1000 },
    Range { start: 0xFEE0_0000, end: 0xFEE0_1000 },
];

/// Reads physical memory through the kernel window for the multiboot parser.
struct Window;

impl PhysMem for Window {
    fn read(&self, paddr: u64, buf: &mut [u8]) -> bool {
        match paddr.checked_add(buf.len() as u64) {
            Some(end) if end <= WINDOW_SIZE => {
                buf.copy_from_slice(kmem::slice(paddr, buf.len() as u64));
                true
            }
            _ => false,
        }
    }
}

/// One multiboot memory-map entry, kept for the extra BootInfo.
#[derive(Clone, Copy, Default)]
pub struct MmapEntry {
    pub base: u64,
    pub length: u64,
    pub kind: u32,
}

/// What the boot code collected from the multiboot information.
/// A boot module after the root task: its physical pages go to the root
/// task as frames (Triton extension; seL4 ignores extra modules).
#[derive(Clone, Copy, Default)]
pub struct BootModule {
    pub start: u64,
    pub end: u64,
    pub name: [u8; 32],
}

pub struct BootMemory {
    pub modules: [BootModule; sel4_abi::triton_modules::MAX_MODULES],
    pub nmodules: usize,
    /// The VBE and framebuffer information, when the loader set a graphics mode.
    pub vbe: Option<multiboot::Vbe>,
    pub framebuffer: Option<multiboot::Framebuffer>,
    pub mmap: [MmapEntry; 50],
    pub mmap_len: usize,
}

fn page_range(start: u64, end: u64) -> Range {
    Range { start: start & !0xfff, end: (end + 0xfff) & !0xfff }
}

/// Builds the root task and returns its TCB object's physical address.
pub fn boot_system(mbi: u64) -> u64 {
    let info = multiboot::parse(&Window, mbi).unwrap_or_else(|e| panic!("bad multiboot information: {e:?}"));
    if let Some(cmdline) = info.cmdline {
        let mut buf = [0u8; 256];
        if let Ok(line) = multiboot::read_cstr(&Window, cmdline, &mut buf) {
            apply_command_line(line);
        }
    }

    let mut mem = BootMemory {
        // Only blocks the kernel can read (they are copied into BootInfo).
        vbe: info.vbe.filter(|v| v.control_info as u64 + 512 <= WINDOW_SIZE && v.mode_info as u64 + 256 <= WINDOW_SIZE),
        framebuffer: info.framebuffer.filter(|f| f.addr != 0),
        mmap: [MmapEntry::default(); 50],
        mmap_len: 0,
        modules: [BootModule::default(); sel4_abi::triton_modules::MAX_MODULES],
        nmodules: 0,
    };
    let mut ram: RangeSet<64> = RangeSet::new();
    let mut usable: RangeSet<64> = RangeSet::new();
    for e in info.memory_map(&Window) {
        if mem.mmap_len < mem.mmap.len() {
            mem.mmap[mem.mmap_len] = MmapEntry { base: e.base, length: e.length, kind: e.kind };
            mem.mmap_len += 1;
        }
        if e.kind != 1 || e.length == 0 {
            continue;
        }
        let end = e.base.saturating_add(e.length);
        ram.insert(Range { start: e.base & !0xfff, end: (end + 0xfff) & !0xfff }).expect("too many RAM ranges");
        // Usable RAM: whole pages, above low memory, inside the kernel window.
        let start = ((e.base + 0xfff) & !0xfff).max(LOW_MEMORY_END);
        let end = (end & !0xfff).min(WINDOW_SIZE);
        if start < end {
            usable.insert(Range { start, end }).expect("too many RAM ranges");
        }
    }

    // The kernel image and every module stay out of the allocator until the
    // root task has been copied out of its module.
    let mut free = usable.clone();
    let (kstart, kend) = kernel_image_phys();
    free.remove(page_range(kstart, kend)).expect("range set full");
    let mut root_module = None;
    let mut modules: RangeSet<16> = RangeSet::new();
    for m in info.modules(&Window) {
        if root_module.is_none() {
            root_module = Some((m.start, m.end));
            modules.insert(page_range(m.start, m.end)).expect("too many boot modules");
        } else if m.start % 0x1000 == 0 && m.start < m.end && m.end <= WINDOW_SIZE && mem.nmodules < mem.modules.len() {
            // Later modules (the boot image) are handed to the root task.
            let mut name = [0u8; 32];
            if let Some(c) = m.cmdline {
                let mut buf = [0u8; 256];
                if let Ok(s) = multiboot::read_cstr(&Window, c, &mut buf) {
                    // The file name: the first word of the command line,
                    // without its directories.
                    let word = s.split(|&b| b == b' ').next().unwrap_or(&[]);
                    let base = word.rsplit(|&b| b == b'/').next().unwrap_or(&[]);
                    let n = base.len().min(31);
                    name[..n].copy_from_slice(&base[..n]);
                }
            }
            mem.modules[mem.nmodules] = BootModule { start: m.start, end: m.end, name };
            mem.nmodules += 1;
        } else {
            kprintln!("boot: ignoring module {:#x}..{:#x}", m.start, m.end);
            modules.insert(page_range(m.start, m.end)).expect("too many boot modules");
        }
        free.remove(page_range(m.start, m.end)).expect("range set full");
    }
    let (mstart, mend) = root_module.expect("no boot module: the root task must be the first module");
    if mend <= mstart || mend > WINDOW_SIZE {
        panic!("root task module {mstart:#x}..{mend:#x} is not readable");
    }

    vspace::drop_identity_map();
    let mut alloc = BootAlloc::new(free);
    let elf = kmem::slice(mstart, mend - mstart);
    let mut root = rootserver::create(&mut alloc, elf, &mem);

    // The root task's module (and any ignored one) is free again; then
    // everything free becomes untypeds.
    let mut free = alloc.into_free();
    for m in modules.iter() {
        let r = Range { start: m.start.max(LOW_MEMORY_END), end: m.end.min(WINDOW_SIZE) };
        if r.start < r.end {
            free.insert(r).expect("range set full");
        }
    }
    let mut device: RangeSet<64> = RangeSet::new();
    device.insert(Range { start: 0, end: PADDR_TOP }).expect("range set full");
    for r in ram.iter() {
        device.remove(Range { start: r.start.max(LOW_MEMORY_END), end: r.end }).expect("range set full");
    }
    for r in KERNEL_DEVICES {
        device.remove(r).expect("range set full");
    }
    root.add_untypeds(&free, &device);
    root.add_module_frames(&mem);
    let total = root.ram_untyped_bytes();
    kprintln!(
        "boot: {} MiB RAM in untypeds ({} untyped caps), root task `{}` starts",
        total >> 20,
        root.untyped_count(),
        "rootserver"
    );
    root.tcb_object()
}

/// Kernel options from the multiboot command line (words after the image name).
fn apply_command_line(line: &[u8]) {
    for word in line.split(|&b| b == b' ') {
        if word == b"fastpath=off" {
            crate::fastpath::set_enabled(false);
            kprintln!("boot: IPC fastpath disabled");
        }
    }
}

fn kernel_image_phys() -> (u64, u64) {
    extern "C" {
        static kernel_image_start_phys: u8;
        static kernel_image_end_phys: u8;
    }
    // Linker-script symbols: their addresses are physical.
    (core::ptr::addr_of!(kernel_image_start_phys) as u64, core::ptr::addr_of!(kernel_image_end_phys) as u64)
}
