//! The boot sequence: memory, console and heap, the boot screen, the boot
//! image (ntdll.dll, programs, drivers and boot.cfg in the second boot
//! module), the first program named in boot.cfg, then the service loop.

use super::dispatch;
use super::Executive;
use crate::ke::console::{Console, NORMAL, TITLE};
use crate::ke::time::Clock;
use crate::mm::Memory;
use crate::ps::params::Params;
use alloc::vec::Vec;
use core::fmt::Write;
use sel4::abi::bootinfo::find_extra_chunk;
use sel4::abi::{bootinfo_id, triton_modules, BootInfo};

pub fn boot_screen(con: &Console, bi: &BootInfo, mem: &Memory) {
    let mut w = con;
    con.set_attr(TITLE);
    let _ = writeln!(w, " Triton NT Executive {} (x86_64)", env!("CARGO_PKG_VERSION"));
    con.set_attr(NORMAL);
    let _ = writeln!(w);
    let untypeds = bi.untyped.end - bi.untyped.start;
    let _ = writeln!(w, " Memory:     {} MiB of RAM in {} untyped caps", mem.ram_bytes() >> 20, untypeds);
    let _ = writeln!(w, " CSpace:     {} free slots of 2^{}", mem.free_slots(), bi.init_thread_cnode_size_bits);
    let _ = writeln!(w, " Processors: {}", bi.num_nodes);
}

/// Describes the boot image; returns its bytes when it is one.
fn read_boot_image(con: &Console, bytes: &'static [u8]) -> Option<&'static [u8]> {
    let mut w = con;
    let archive = match bootimg::Archive::new(bytes) {
        Ok(a) => a,
        Err(e) => {
            let _ = writeln!(w, "   not a boot image: {e:?}");
            return None;
        }
    };
    let _ = writeln!(w, " Files:      {}", archive.entries().count());
    match archive.file_ci("system32/ntdll.dll") {
        Some(dll) => describe_ntdll(con, dll),
        None => {
            let _ = writeln!(w, " The boot image has no system32/ntdll.dll");
        }
    }
    Some(bytes)
}

/// Checks ntdll.dll as the loader will: a PE32+ DLL with its exports.
fn describe_ntdll(con: &Console, dll: &[u8]) {
    let mut w = con;
    let image = match pe::PeImage::parse(dll) {
        Ok(i) => i,
        Err(e) => {
            let _ = writeln!(w, " ntdll.dll: not a usable image ({e:?})");
            return;
        }
    };
    let exports = match image.exports() {
        Ok(Some(x)) => x.name_count(),
        _ => 0,
    };
    let kind = if image.is_dll() { "DLL" } else { "program" };
    let _ = writeln!(
        w,
        " ntdll.dll:  PE32+ {kind}, {exports} exports, {} KiB image at {:#x}",
        image.size_of_image() >> 10,
        image.image_base()
    );
}

/// The boot modules the kernel handed over (Triton's BootInfo record).
fn modules(bi: &'static BootInfo) -> Option<&'static [u8]> {
    find_extra_chunk(sel4::extra_bootinfo(bi), bootinfo_id::TRITON_BOOT_MODULES)
}

/// The first boot module that is a boot image.
fn boot_image(con: &Console, bi: &'static BootInfo) -> Option<&'static [u8]> {
    let mut w = con;
    let Some(p) = modules(bi) else {
        let _ = writeln!(w, " Boot image: none (pass it as the second boot module)");
        return None;
    };
    triton_modules::modules(p).find_map(|m| {
        let name = core::str::from_utf8(m.name).unwrap_or("?");
        let _ = writeln!(w, " Boot image: {name} ({} KiB)", m.size.div_ceil(1024));
        // SAFETY: the kernel mapped the module's pages there (Triton's
        // BootInfo record), read-only to everyone but the Executive, which
        // never writes them.
        let bytes = unsafe { core::slice::from_raw_parts(m.vaddr as *const u8, m.size as usize) };
        read_boot_image(con, bytes)
    })
}

fn utf16(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// Boots the Executive and never returns.
pub fn start(bi: &'static BootInfo) -> ! {
    let mut mem = Memory::new(bi);
    let console = Console::new(&mut mem);
    let heap = mem.init_heap();
    // The I/O port cap's slot; at boot there are thousands.
    let clock = Clock::new(bi, mem.slot().unwrap_or(0));
    boot_screen(&console, bi, &mem);
    let mut w = &console;
    let _ = writeln!(w, " Heap:       {} KiB", heap >> 10);
    let image = boot_image(&console, bi).unwrap_or(&[]);
    let mut ex = match Executive::new(mem, console, clock, image) {
        Ok(ex) => ex,
        Err(e) => {
            sel4::println!("ntos: cannot create the service endpoint: {e:?}");
            sel4::debug_halt()
        }
    };
    let pages = ex.mem.ram_bytes() / 4096;
    ex.shared_data = crate::ke::tick::shared_page(&mut ex.mem, &ex.clock, pages);
    ex.tick = crate::ke::tick::Tick::start(&mut ex.mem, &ex.clock);
    if ex.tick.is_none() {
        let _ = writeln!(&ex.console, " Clock:      no RTC interrupt; the shared clocks stay as at boot");
    }
    // Handles and their objects live on the Executive's fixed heap: a
    // process may hold a share of it, so that one process cannot exhaust it
    // alone (every failure short of that is a status, not a stop).
    ex.ob.set_handle_limit((heap / 512) as usize);
    if let Err(s) = ex.boot_namespace() {
        let _ = writeln!(&ex.console, " Namespace: cannot create the boot objects ({:#010x})", s.0 as u32);
    }
    let cfg = ex.boot_file(bootimg::BOOT_CONFIG).map(bootimg::Config::parse);
    let (program, args) = match cfg {
        Some(Ok(c)) => (c.get("boot", "program").map(utf16), c.get("boot", "args").unwrap_or("").trim()),
        _ => (None, ""),
    };
    let mut w = &ex.console;
    match program {
        Some(path) => {
            let name: alloc::string::String = char::decode_utf16(path.iter().copied()).map(|c| c.unwrap_or('?')).collect();
            let _ = writeln!(w, " First program: {name}");
            let _ = writeln!(w, " Free memory: {} KiB", ex.mem.available_bytes() >> 10);
            let _ = writeln!(w);
            let base = name.rsplit('\\').next().unwrap_or(&name);
            let cmdline = if args.is_empty() { utf16(base) } else { utf16(&alloc::format!("{base} {args}")) };
            let env = utf16("SystemRoot=C:\\Windows\0Path=C:\\Windows\\system32\0\0");
            let params = Params::new(&path, &cmdline, &utf16("C:\\"), &env);
            if let Err(s) = ex.spawn(&path, &params, 0, false) {
                let _ = writeln!(&ex.console, " Cannot start {name}: status {:#010x}", s.0 as u32);
            }
        }
        None => {
            let _ = writeln!(w, " boot.cfg names no [boot] program");
        }
    }
    dispatch::serve(&mut ex)
}
