//! Mapping that works: every table level, frames of every size (1 GiB from
//! a device untyped, and from RAM where there is enough), reads and writes
//! through the mappings, GetAddress, remapping with new rights, replacing a
//! mapping (with the TLB flushed), attributes, and the rights a mapping
//! gets from its cap and the rights word.

use crate::common::*;
use guest_test::{check, check_eq, expect_err, ok, Suite, TestResult};
use kernel_vm::env::{Env, AREA, HUGE, LARGE, PAGE, VSPACE};
use kernel_vm::vm::{self, fsr, RO, RW};
use sel4::{CapRights, ErrorCode, ObjectType};

pub fn run(env: &Env, s: &mut Suite) {
    env.test(s, "map_4k_through_pdpt_pd_pt", map_4k);
    env.test(s, "fresh_frame_reads_zero", fresh_frame_zero);
    env.test(s, "two_mappings_share_a_frame", two_mappings);
    env.test(s, "get_address_of_retyped_frames", get_address);
    env.test(s, "map_2m_frame", map_2m);
    env.test(s, "map_1g_device_frame", map_1g_device);
    env.test(s, "map_1g_ram_frame", map_1g_ram);
    env.test(s, "map_4k_device_frame", map_4k_device);
    env.test(s, "device_untypeds_leave_out_kernel_regions", device_regions);
    env.test(s, "map_vga_text_buffer", map_vga);
    env.test(s, "remap_same_vaddr_new_rights", remap_rights);
    env.test(s, "remap_mapped_frame_elsewhere_fails", remap_elsewhere);
    env.test(s, "remap_into_other_vspace_fails", remap_other_vspace);
    env.test(s, "unmap_then_map_elsewhere", unmap_map_elsewhere);
    env.test(s, "replace_4k_mapping_flushes_tlb", replace_4k);
    env.test(s, "replace_2m_mapping_flushes_tlb", replace_2m);
    env.test(s, "cache_attributes", attributes);
    env.test(s, "rights_word_read_only", rights_read_only);
    env.test(s, "read_only_cap_limits_rights", read_only_cap);
    env.test(s, "no_read_right_is_kernel_only", kernel_only);
    env.test(s, "table_map_rounds_vaddr_down", rounds_down);
    env.test(s, "map_in_second_pml4_slot", second_slot);
}

fn map_4k(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let f = mapped_frame(env, AREA)?;
    poke(AREA, 0x1234);
    poke(AREA + PAGE - 8, 0x5678);
    check_eq!(peek(AREA), 0x1234);
    check_eq!(peek(AREA + PAGE - 8), 0x5678);
    // The neighbouring page is not mapped.
    expect_no_access(env, AREA + PAGE, false)?;
    // GetAddress works on a mapped frame too.
    check!(ok!(vm::page_get_address(f)) % PAGE == 0);
    Ok(())
}

fn fresh_frame_zero(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    mapped_frame(env, AREA)?;
    for i in 0..PAGE / 8 {
        check_eq!(peek(AREA + i * 8), 0);
    }
    Ok(())
}

fn two_mappings(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let f = mapped_frame(env, AREA)?;
    let c = ok!(env.copy(f, CapRights::READ_WRITE));
    ok!(vm::page_map(c, VSPACE, AREA + 5 * PAGE, RW, vm::WRITE_BACK));
    poke(AREA + 16, 0xAB);
    check_eq!(peek(AREA + 5 * PAGE + 16), 0xAB);
    poke(AREA + 5 * PAGE + 24, 0xCD);
    check_eq!(peek(AREA + 24), 0xCD);
    check_eq!(ok!(vm::page_get_address(f)), ok!(vm::page_get_address(c)));
    Ok(())
}

fn get_address(env: &Env) -> TestResult {
    // The test untyped is empty at the start of every test, so its first
    // objects sit at its start, in order.
    let f1 = ok!(env.frame());
    let f2 = ok!(env.frame());
    check_eq!(ok!(vm::page_get_address(f1)), env.ut_paddr);
    check_eq!(ok!(vm::page_get_address(f2)), env.ut_paddr + PAGE);
    let big = ok!(env.obj(ObjectType::LargePage, 0));
    check_eq!(ok!(vm::page_get_address(big)), env.ut_paddr + LARGE);
    Ok(())
}

fn map_2m(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 2)?;
    let f = ok!(env.obj(ObjectType::LargePage, 0));
    let v = AREA + 3 * LARGE;
    ok!(vm::page_map(f, VSPACE, v, RW, vm::WRITE_BACK));
    poke(v, 1);
    poke(v + LARGE / 2, 2);
    poke(v + LARGE - 8, 3);
    check_eq!(peek(v) + peek(v + LARGE / 2) + peek(v + LARGE - 8), 6);
    check_eq!(ok!(vm::page_get_address(f)) % LARGE, 0);
    expect_no_access(env, v + LARGE, true)?;
    Ok(())
}

fn map_1g_device(env: &Env) -> TestResult {
    let Some((dev, paddr, _)) = env.dev_huge else {
        sel4::println!("  (no device untyped of 1 GiB or more: nothing to map)");
        return Ok(());
    };
    tables(env, VSPACE, AREA, 1)?;
    let f = ok!(env.obj_from(dev, ObjectType::HugePage, 0));
    check_eq!(ok!(vm::page_get_address(f)), paddr);
    ok!(vm::page_map(f, VSPACE, AREA + HUGE, RW, vm::UNCACHEABLE));
    // Unbacked physical memory: reads must not fault (their value is QEMU's).
    let _ = peek(AREA + HUGE);
    let _ = peek(AREA + 2 * HUGE - 8);
    ok!(vm::page_unmap(f));
    expect_no_access(env, AREA + HUGE, false)?;
    Ok(())
}

fn map_1g_ram(env: &Env) -> TestResult {
    let Some(ram) = env.ram_huge else {
        sel4::println!("  (skipped: no RAM untyped of 1 GiB at this memory size; map_1g_device_frame covers 1 GiB pages)");
        return Ok(());
    };
    tables(env, VSPACE, AREA, 1)?;
    let f = ok!(env.obj_from(ram, ObjectType::HugePage, 0));
    ok!(vm::page_map(f, VSPACE, AREA + HUGE, RW, vm::WRITE_BACK));
    poke(AREA + HUGE, 11);
    poke(AREA + 2 * HUGE - 8, 12);
    check_eq!(peek(AREA + HUGE) + peek(AREA + 2 * HUGE - 8), 23);
    Ok(())
}

fn map_4k_device(env: &Env) -> TestResult {
    let Some((dev, paddr, _)) = env.dev_small else {
        return Err(guest_test::Failure::new(format_args!("no device untyped")));
    };
    tables(env, VSPACE, AREA, 3)?;
    // Device untypeds give frames and untypeds only (checked while there is
    // room: a full untyped says NotEnoughMemory first).
    let s = env.slot();
    let pt = sel4::Untyped(dev).retype(ObjectType::PageTable, 0, kernel_vm::env::ROOT, 0, 0, s, 1);
    expect_err!(pt, ErrorCode::InvalidArgument, [1]);
    let f = ok!(env.obj_from(dev, ObjectType::SmallPage, 0));
    check_eq!(ok!(vm::page_get_address(f)), paddr);
    // Mapped uncached and never touched: it may be some device's registers.
    ok!(vm::page_map(f, VSPACE, AREA, RW, vm::UNCACHEABLE));
    ok!(vm::page_unmap(f));
    Ok(())
}

fn remap_rights(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let f = mapped_frame(env, AREA)?;
    poke(AREA, 7);
    // Same frame, same address, read-only now.
    ok!(vm::page_map(f, VSPACE, AREA, RO, vm::WRITE_BACK));
    check_eq!(peek(AREA), 7);
    let ep = spawn_child(env, child_write, AREA)?;
    let (ip, addr, prefetch, code) = kernel_vm::env::recv_vm_fault(ep)?;
    check_eq!(addr, AREA);
    check_eq!(ip, kernel_vm::env::get(IP));
    check!(!prefetch);
    check_eq!(code, fsr::PRESENT | fsr::WRITE | fsr::USER);
    // Read-write again: the retried store goes through.
    ok!(vm::page_map(f, VSPACE, AREA, RW, vm::WRITE_BACK));
    kernel_vm::env::reply();
    check_eq!(kernel_vm::env::recv_done(ep)?, 1);
    check_eq!(peek(AREA), WRITE_VALUE);
    Ok(())
}

fn remap_elsewhere(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let f = mapped_frame(env, AREA)?;
    expect_err!(vm::page_map(f, VSPACE, AREA + PAGE, RW, 0), ErrorCode::InvalidArgument, [0]);
    // Even an address the range check would refuse gets the same answer.
    expect_err!(vm::page_map(f, VSPACE, 1 << 47, RW, 0), ErrorCode::InvalidArgument, [0]);
    Ok(())
}

fn remap_other_vspace(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let f = mapped_frame(env, AREA)?;
    let pml4 = ok!(env.obj(ObjectType::PML4, 0));
    ok!(vm::assign(kernel_vm::env::ROOT_POOL, pml4));
    expect_err!(vm::page_map(f, pml4, AREA, RW, 0), ErrorCode::InvalidCapability, [1]);
    Ok(())
}

fn unmap_map_elsewhere(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let f = mapped_frame(env, AREA)?;
    poke(AREA + 8, 99);
    ok!(vm::page_unmap(f));
    ok!(vm::page_unmap(f));
    ok!(vm::page_map(f, VSPACE, AREA + 7 * PAGE, RW, 0));
    check_eq!(peek(AREA + 7 * PAGE + 8), 99);
    expect_no_access(env, AREA, false)?;
    Ok(())
}

fn replace_4k(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let f1 = mapped_frame(env, AREA + PAGE)?;
    let f2 = mapped_frame(env, AREA + 2 * PAGE)?;
    poke(AREA + PAGE, 1);
    poke(AREA + 2 * PAGE, 2);
    let c1 = ok!(env.copy(f1, CapRights::READ_WRITE));
    let c2 = ok!(env.copy(f2, CapRights::READ_WRITE));
    ok!(vm::page_map(c1, VSPACE, AREA, RW, 0));
    check_eq!(peek(AREA), 1);
    // seL4 lets a 4 KiB mapping replace another; the old translation must go.
    ok!(vm::page_map(c2, VSPACE, AREA, RW, 0));
    check_eq!(peek(AREA), 2);
    // Unmapping the replaced frame's cap leaves the new mapping alone.
    ok!(vm::page_unmap(c1));
    check_eq!(peek(AREA), 2);
    ok!(vm::page_unmap(c2));
    expect_no_access(env, AREA, false)?;
    Ok(())
}

fn replace_2m(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 2)?;
    let f1 = ok!(env.obj(ObjectType::LargePage, 0));
    let f2 = ok!(env.obj(ObjectType::LargePage, 0));
    ok!(vm::page_map(f1, VSPACE, AREA + LARGE, RW, 0));
    ok!(vm::page_map(f2, VSPACE, AREA + 2 * LARGE, RW, 0));
    poke(AREA + LARGE + 64, 1);
    poke(AREA + 2 * LARGE + 64, 2);
    let c1 = ok!(env.copy(f1, CapRights::READ_WRITE));
    let c2 = ok!(env.copy(f2, CapRights::READ_WRITE));
    ok!(vm::page_map(c1, VSPACE, AREA, RW, 0));
    check_eq!(peek(AREA + 64), 1);
    ok!(vm::page_map(c2, VSPACE, AREA, RW, 0));
    check_eq!(peek(AREA + 64), 2);
    Ok(())
}

fn attributes(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let attrs = [vm::WRITE_BACK, vm::WRITE_THROUGH, vm::CACHE_DISABLED, vm::UNCACHEABLE, vm::WRITE_COMBINING];
    for (i, a) in attrs.iter().enumerate() {
        let v = AREA + i as u64 * PAGE;
        let f = ok!(env.frame());
        ok!(vm::page_map(f, VSPACE, v, RW, *a));
        poke(v, 100 + i as u64);
        check_eq!(peek(v), 100 + i as u64);
    }
    // A 2 MiB page keeps its PAT bit apart from its address bits: data
    // written through a write-combining mapping is in the same frame when
    // it is mapped write-back.
    let pd = ok!(env.obj(ObjectType::PageDirectory, 0));
    let pdpt = ok!(env.obj(ObjectType::PDPT, 0));
    let base = AREA + 512 * HUGE;
    ok!(vm::pdpt_map(pdpt, VSPACE, base, 0));
    ok!(vm::pd_map(pd, VSPACE, base, vm::WRITE_THROUGH));
    let big = ok!(env.obj(ObjectType::LargePage, 0));
    ok!(vm::page_map(big, VSPACE, base, RW, vm::WRITE_COMBINING));
    poke(base + LARGE - 8, 0xC0FFEE);
    ok!(vm::page_map(big, VSPACE, base, RW, vm::WRITE_BACK));
    check_eq!(peek(base + LARGE - 8), 0xC0FFEE);
    // Attribute bits above PAT are ignored.
    ok!(vm::page_map(big, VSPACE, base, RW, !0));
    check_eq!(peek(base + LARGE - 8), 0xC0FFEE);
    Ok(())
}

fn rights_read_only(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let f = ok!(env.frame());
    ok!(vm::page_map(f, VSPACE, AREA, RO, 0));
    check_eq!(peek(AREA), 0);
    expect_read(env, AREA, 0)?;
    let ep = spawn_child(env, child_write, AREA)?;
    let (_, addr, _, code) = kernel_vm::env::recv_vm_fault(ep)?;
    check_eq!(addr, AREA);
    check_eq!(code, fsr::PRESENT | fsr::WRITE | fsr::USER);
    Ok(())
}

fn read_only_cap(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let f = ok!(env.frame());
    let ro = ok!(env.copy(f, CapRights::READ_ONLY));
    // Asking for read-write through a read-only cap gives a read-only mapping.
    ok!(vm::page_map(ro, VSPACE, AREA, RW | 0xC, 0));
    let ep = spawn_child(env, child_write, AREA)?;
    let (_, addr, _, code) = kernel_vm::env::recv_vm_fault(ep)?;
    check_eq!(addr, AREA);
    check_eq!(code, fsr::PRESENT | fsr::WRITE | fsr::USER);
    Ok(())
}

fn kernel_only(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    // Without read there is no user access at all; write-only is the same.
    for (i, rights) in [vm::NO_RIGHTS, vm::WRITE_ONLY].iter().enumerate() {
        let v = AREA + i as u64 * PAGE;
        let f = ok!(env.frame());
        ok!(vm::page_map(f, VSPACE, v, *rights, 0));
        let ep = spawn_child(env, child_read, v)?;
        let (ip, addr, prefetch, code) = kernel_vm::env::recv_vm_fault(ep)?;
        check_eq!(addr, v);
        check_eq!(ip, kernel_vm::env::get(IP));
        check!(!prefetch);
        check_eq!(code, fsr::PRESENT | fsr::USER);
    }
    Ok(())
}

fn rounds_down(env: &Env) -> TestResult {
    let pdpt = ok!(env.obj(ObjectType::PDPT, 0));
    let pd = ok!(env.obj(ObjectType::PageDirectory, 0));
    let pt = ok!(env.obj(ObjectType::PageTable, 0));
    // Each table goes where the entry covering the address is.
    ok!(vm::pdpt_map(pdpt, VSPACE, AREA + 0x12_3456_7890, 0));
    ok!(vm::pd_map(pd, VSPACE, AREA + 0x1234_5678, 0));
    ok!(vm::pt_map(pt, VSPACE, AREA + 0x1F_FFFF, 0));
    mapped_frame(env, AREA)?;
    poke(AREA, 5);
    check_eq!(peek(AREA), 5);
    Ok(())
}

fn second_slot(env: &Env) -> TestResult {
    // The last 512 GiB the user half has (PML4 slot 255) and the last
    // mappable page under the kernel's limit.
    let top = 0x7F80_0000_0000u64;
    tables(env, VSPACE, top, 3)?;
    let pd_end = top + 511 * HUGE;
    let pd = ok!(env.obj(ObjectType::PageDirectory, 0));
    let pt = ok!(env.obj(ObjectType::PageTable, 0));
    ok!(vm::pd_map(pd, VSPACE, pd_end, 0));
    ok!(vm::pt_map(pt, VSPACE, pd_end + 511 * LARGE, 0));
    let last = 0x7FFF_FFFF_E000u64;
    mapped_frame(env, last)?;
    poke(last + PAGE - 8, 77);
    check_eq!(peek(last + PAGE - 8), 77);
    mapped_frame(env, top)?;
    poke(top, 78);
    check_eq!(peek(top), 78);
    Ok(())
}

/// The untyped covering `paddr`: (cptr, base, size bits, device).
fn untyped_at(env: &Env, paddr: u64) -> Option<(sel4::CPtr, u64, u64, bool)> {
    let bi = env.bi;
    let n = (bi.untyped.end - bi.untyped.start) as usize;
    bi.untyped_list[..n].iter().enumerate().find_map(|(i, u)| {
        let end = u.paddr + (1u64 << u.size_bits);
        (u.paddr <= paddr && paddr < end).then_some((bi.untyped.start + i as u64, u.paddr, u.size_bits as u64, u.is_device != 0))
    })
}

fn device_regions(env: &Env) -> TestResult {
    let bi = env.bi;
    let n = (bi.untyped.end - bi.untyped.start) as usize;
    let list = &bi.untyped_list[..n];
    // No two untypeds overlap.
    for (i, a) in list.iter().enumerate() {
        for b in &list[i + 1..] {
            let (a0, a1) = (a.paddr, a.paddr + (1u64 << a.size_bits));
            let (b0, b1) = (b.paddr, b.paddr + (1u64 << b.size_bits));
            check!(a1 <= b0 || b1 <= a0, "untypeds {a0:#x}..{a1:#x} and {b0:#x}..{b1:#x} overlap");
        }
    }
    // The kernel's own: its image (loaded at 1 MiB), the IOAPIC and the
    // local APIC registers are in no untyped.
    for k in [0x10_0000u64, 0xFEC0_0000, 0xFEE0_0000] {
        check!(untyped_at(env, k).is_none(), "{k:#x} is in an untyped");
    }
    // Non-RAM ranges are device untypeds: the VGA text buffer, the PCI
    // hole (where QEMU puts the framebuffer) and memory above 4 GiB.
    for d in [0xB_8000u64, 0xFD00_0000, 0xE000_0000, 1 << 32, 1 << 40] {
        match untyped_at(env, d) {
            Some((_, _, _, true)) => {}
            other => return Err(guest_test::Failure::new(format_args!("{d:#x}: {other:?}, wanted a device untyped"))),
        }
    }
    Ok(())
}

/// A frame cap for the device page at `paddr`: the untyped in front of it
/// is used up by untypeds of descending sizes (each lands at the current
/// free offset), then the frame comes next.
fn device_frame_at(env: &Env, paddr: u64) -> Result<sel4::CPtr, guest_test::Failure> {
    let Some((ut, base, _, true)) = untyped_at(env, paddr) else {
        return Err(guest_test::Failure::new(format_args!("no device untyped at {paddr:#x}")));
    };
    let offset = paddr - base;
    for bit in (12..64).rev() {
        if offset & (1 << bit) != 0 {
            ok!(env.obj_from(ut, ObjectType::Untyped, bit));
        }
    }
    let f = ok!(env.obj_from(ut, ObjectType::SmallPage, 0));
    check_eq!(ok!(vm::page_get_address(f)), paddr);
    Ok(f)
}

fn map_vga(env: &Env) -> TestResult {
    let f = device_frame_at(env, 0xB_8000)?;
    tables(env, VSPACE, AREA, 3)?;
    ok!(vm::page_map(f, VSPACE, AREA, RW, vm::UNCACHEABLE));
    // The last cell of the 80x25 text screen: write it, read it back, put
    // the old one back.
    let cell = AREA + 2 * (80 * 25 - 1);
    // SAFETY: the VGA text buffer is mapped read-write at AREA.
    unsafe {
        let p = cell as *mut u16;
        let old = p.read_volatile();
        p.write_volatile(0x1F00 | b'T' as u16);
        let back = p.read_volatile();
        p.write_volatile(old);
        check_eq!(back, 0x1F00 | b'T' as u16);
    }
    Ok(())
}
