//! The boot screen and what the Executive does after it. The boot image
//! (ntdll.dll, programs, drivers and boot.cfg in the second boot module) and
//! the first process arrive with issue T4; until then the Executive reports
//! what it found and halts.

use crate::ke::console::{Console, NORMAL, TITLE};
use crate::mm::Memory;
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

/// Lists a boot image (a ustar archive) and its boot configuration.
fn read_boot_image(con: &Console, bytes: &[u8]) {
    let mut w = con;
    let archive = match bootimg::Archive::new(bytes) {
        Ok(a) => a,
        Err(e) => {
            let _ = writeln!(w, "   not a boot image: {e:?}");
            return;
        }
    };
    for e in archive.entries() {
        let _ = writeln!(w, "   {:<40} {:>8} bytes", e.name(), e.size);
    }
    match archive.file_ci("system32/ntdll.dll") {
        Some(dll) => describe_ntdll(con, dll),
        None => {
            let _ = writeln!(w, " The boot image has no system32/ntdll.dll");
        }
    }
    match archive.file_ci(bootimg::BOOT_CONFIG).map(bootimg::Config::parse) {
        Some(Ok(cfg)) => match cfg.get("boot", "program") {
            Some(p) => {
                let _ = writeln!(w, " First program: {p}");
            }
            None => {
                let _ = writeln!(w, " boot.cfg names no [boot] program");
            }
        },
        Some(Err(e)) => {
            let _ = writeln!(w, " boot.cfg: line {}: {:?}", e.line, e.kind);
        }
        None => {
            let _ = writeln!(w, " The boot image has no boot.cfg");
        }
    }
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
        " ntdll.dll: PE32+ {kind}, {exports} exports, {} KiB image at {:#x}",
        image.size_of_image() >> 10,
        image.image_base()
    );
}

/// The boot modules the kernel handed over (Triton's BootInfo record).
fn modules(bi: &'static BootInfo) -> Option<&'static [u8]> {
    find_extra_chunk(sel4::extra_bootinfo(bi), bootinfo_id::TRITON_BOOT_MODULES)
}

pub fn run(con: &Console, bi: &'static BootInfo) -> ! {
    let mut w = con;
    match modules(bi) {
        Some(p) => {
            for m in triton_modules::modules(p) {
                let name = core::str::from_utf8(m.name).unwrap_or("?");
                let _ = writeln!(w, " Boot image: {name} ({} KiB at {:#x})", m.size.div_ceil(1024), m.vaddr);
                // SAFETY: the kernel mapped the module's pages there (Triton's
                // BootInfo record), and nothing else uses them.
                let bytes = unsafe { core::slice::from_raw_parts(m.vaddr as *const u8, m.size as usize) };
                read_boot_image(con, bytes);
            }
        }
        None => {
            let _ = writeln!(w, " Boot image: none (pass it as the second boot module)");
        }
    }
    let _ = writeln!(w);
    let _ = writeln!(w, " Starting programs is not implemented yet (issue T4); halting.");
    sel4::debug_halt()
}
