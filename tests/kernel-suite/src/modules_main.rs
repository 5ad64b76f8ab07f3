//! Boot modules after the root task (a Triton extension): the harness boots
//! this root task with two more modules, ELF files it knows by name; their
//! pages must be mapped where the TRITON_BOOT_MODULES record says, with frame
//! caps after the untypeds and the empty region after those.
#![no_std]
#![no_main]

extern crate sel4_rt;

use guest_test::{check, check_eq, Suite, TestResult};
use sel4::abi::bootinfo::find_extra_chunk;
use sel4::abi::{bootinfo_id, cap_tag, triton_modules, BootInfo};
use sel4::debug_cap_identify;

fn record(bi: &'static BootInfo) -> Option<&'static [u8]> {
    find_extra_chunk(sel4::extra_bootinfo(bi), bootinfo_id::TRITON_BOOT_MODULES)
}

/// The size an ELF file declares: its section headers come last (lld).
fn elf_size(m: &[u8]) -> Option<u64> {
    let shoff = u64::from_le_bytes(m.get(0x28..0x30)?.try_into().ok()?);
    let shentsize = u16::from_le_bytes(m.get(0x3A..0x3C)?.try_into().ok()?) as u64;
    let shnum = u16::from_le_bytes(m.get(0x3C..0x3E)?.try_into().ok()?) as u64;
    Some(shoff + shentsize * shnum)
}

fn check_modules(bi: &'static BootInfo) -> TestResult {
    let payload = record(bi).ok_or_else(|| guest_test::Failure::new(format_args!("no TRITON_BOOT_MODULES record")))?;
    let mods: [Option<triton_modules::Module>; 3] = {
        let mut it = triton_modules::modules(payload);
        [it.next(), it.next(), it.next()]
    };
    check!(mods[2].is_none(), "more than two modules");
    let mut next_slot = bi.untyped.end;
    let mut last_end = bi.ipc_buffer + 3 * 4096;
    for (m, want) in mods.iter().zip(["hello-root", "fault-divide"]) {
        let m = m.ok_or_else(|| guest_test::Failure::new(format_args!("module {want} missing")))?;
        check!(m.name == want.as_bytes(), "module name {:?}", core::str::from_utf8(m.name));
        check_eq!(m.first_slot, next_slot);
        check_eq!(m.frames, m.size.div_ceil(4096));
        check!(m.vaddr % 4096 == 0 && m.vaddr > last_end, "module at {:#x} overlaps", m.vaddr);
        // SAFETY: the record says the module is mapped there.
        let bytes = unsafe { core::slice::from_raw_parts(m.vaddr as *const u8, m.size as usize) };
        check_eq!(&bytes[..4], b"\x7fELF");
        check_eq!(elf_size(bytes), Some(m.size));
        for s in m.first_slot..m.first_slot + m.frames {
            check_eq!(debug_cap_identify(s), cap_tag::FRAME);
        }
        next_slot = m.first_slot + m.frames;
        last_end = m.vaddr + m.size;
    }
    check_eq!(bi.empty.start, next_slot);
    check_eq!(debug_cap_identify(next_slot), cap_tag::NULL);
    Ok(())
}

fn main(bi: &'static BootInfo) -> ! {
    let mut s = Suite::new("kernel-modules");
    s.run("boot_modules_mapped_with_frame_caps", || check_modules(bi));
    s.run("untypeds_still_follow_image_frames", || {
        check_eq!(bi.untyped.start, bi.user_image_frames.end);
        Ok(())
    });
    s.finish()
}
sel4_rt::root_task!(main);
