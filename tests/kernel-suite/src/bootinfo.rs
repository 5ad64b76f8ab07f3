//! BootInfo invariants: untyped descriptors (sorted, disjoint, aligned, sized
//! within seL4's limits, RAM matching the machine), slot regions, initial
//! caps identified with DebugCapIdentify, and the IPC buffer, BootInfo and
//! extra BootInfo mapped where BootInfo says.

use guest_test::pool::{image_end, image_start};
use guest_test::{check, check_eq, Suite, TestResult};
use sel4::abi::{bootinfo_id, cap, cap_tag, BootInfo, MAX_BOOTINFO_UNTYPED_CAPS, MAX_UNTYPED_BITS, MIN_UNTYPED_BITS};
use sel4::{debug_cap_identify, println};

fn ram_bytes(bi: &BootInfo) -> u64 {
    untypeds(bi).filter(|u| u.is_device == 0).map(|u| 1u64 << u.size_bits).sum()
}

fn untypeds(bi: &BootInfo) -> impl Iterator<Item = &sel4::abi::UntypedDesc> {
    let n = (bi.untyped.end - bi.untyped.start) as usize;
    bi.untyped_list[..n.min(MAX_BOOTINFO_UNTYPED_CAPS)].iter()
}

/// `kernel-bootinfo`, `-32m` or `-3g`, after the RAM the kernel handed over.
pub fn suite_name(bi: &BootInfo) -> &'static str {
    let mib = ram_bytes(bi) >> 20;
    if mib < 64 {
        "kernel-suite-32m"
    } else if mib > 2048 {
        "kernel-suite-3g"
    } else {
        "kernel-suite"
    }
}

fn region_tags(start: u64, end: u64, want: &[u64]) -> TestResult {
    for slot in start..end {
        let t = debug_cap_identify(slot);
        check!(want.contains(&t), "slot {slot}: cap type {t}, wanted one of {want:?}");
    }
    Ok(())
}

pub fn run(s: &mut Suite, bi: &'static BootInfo) {
    let n = (bi.untyped.end - bi.untyped.start) as usize;
    println!(
        "bootinfo: {} untypeds, {} MiB RAM untyped, empty slots {}..{}",
        n,
        ram_bytes(bi) >> 20,
        bi.empty.start,
        bi.empty.end
    );
    println!("bootinfo: ram_untyped_bytes={}", ram_bytes(bi));

    s.run("bootinfo_node_fields", || {
        check_eq!(bi.node_id, 0);
        check_eq!(bi.num_nodes, 1);
        check_eq!(bi.num_iopt_levels, u64::MAX);
        check_eq!(bi.init_thread_domain, 0);
        check_eq!(bi.init_thread_cnode_size_bits, 13);
        Ok(())
    });
    s.run("untyped_count_within_limit", || {
        check!(n > 0 && n <= MAX_BOOTINFO_UNTYPED_CAPS, "{n} untypeds");
        Ok(())
    });
    s.run("untyped_sizes_within_bounds", || {
        for u in untypeds(bi) {
            check!(
                (MIN_UNTYPED_BITS as u64..=MAX_UNTYPED_BITS as u64).contains(&(u.size_bits as u64)),
                "untyped at {:#x} has size bits {}", u.paddr, u.size_bits
            );
        }
        Ok(())
    });
    s.run("untyped_aligned_to_size", || {
        for u in untypeds(bi) {
            check!(u.paddr & ((1u64 << u.size_bits) - 1) == 0, "untyped {:#x}/{} misaligned", u.paddr, u.size_bits);
        }
        Ok(())
    });
    s.run("untyped_sorted_and_disjoint", || {
        let mut end = 0u64;
        for (i, u) in untypeds(bi).enumerate() {
            check!(i == 0 || u.paddr >= end, "untyped {:#x} overlaps or precedes the one before (ends {:#x})", u.paddr, end);
            end = u.paddr + (1u64 << u.size_bits);
        }
        Ok(())
    });
    s.run("untyped_padding_zero", || {
        for u in untypeds(bi) {
            check!(u.padding == [0; 6] && u.is_device <= 1);
        }
        Ok(())
    });
    s.run("ram_untyped_present", || {
        check!(ram_bytes(bi) >= 16 << 20, "only {} bytes of RAM untyped", ram_bytes(bi));
        Ok(())
    });
    s.run("kernel_regions_not_handed_out", || {
        // The kernel image starts at 1 MiB; the local APIC and IOAPIC pages are the kernel's.
        for u in untypeds(bi) {
            let (a, b) = (u.paddr, u.paddr + (1u64 << u.size_bits));
            for k in [0x10_0000u64, 0xFEE0_0000, 0xFEC0_0000] {
                check!(!(a <= k && k < b), "untyped {a:#x}..{b:#x} contains kernel address {k:#x}");
            }
        }
        Ok(())
    });
    s.run("vga_text_buffer_is_device_untyped", || {
        let hit = untypeds(bi).any(|u| u.is_device == 1 && u.paddr <= 0xB8000 && 0xB8000 < u.paddr + (1u64 << u.size_bits));
        check!(hit, "no device untyped covers 0xB8000");
        Ok(())
    });
    s.run("regions_are_contiguous_in_order", || {
        // seL4 fills slots from 16: paging, extra BI pages, image frames, untypeds, then empty.
        check_eq!(bi.user_image_paging.start, cap::NUM_INITIAL_CAPS);
        check_eq!(bi.extra_bi_pages.start, bi.user_image_paging.end);
        check_eq!(bi.user_image_frames.start, bi.extra_bi_pages.end);
        check_eq!(bi.untyped.start, bi.user_image_frames.end);
        check_eq!(bi.empty.start, bi.untyped.end);
        check_eq!(bi.empty.end, 1u64 << 13);
        check!(bi.shared_frames.start == bi.shared_frames.end);
        check!(bi.io_space_caps.start == bi.io_space_caps.end);
        Ok(())
    });
    s.run("initial_caps_identify", || {
        let want = [
            (cap::NULL, cap_tag::NULL),
            (cap::INIT_THREAD_TCB, cap_tag::THREAD),
            (cap::INIT_THREAD_CNODE, cap_tag::CNODE),
            (cap::INIT_THREAD_VSPACE, cap_tag::PML4),
            (cap::IRQ_CONTROL, cap_tag::IRQ_CONTROL),
            (cap::ASID_CONTROL, cap_tag::ASID_CONTROL),
            (cap::INIT_THREAD_ASID_POOL, cap_tag::ASID_POOL),
            (cap::IO_PORT_CONTROL, cap_tag::IO_PORT_CONTROL),
            (cap::IO_SPACE, cap_tag::NULL),
            (cap::BOOT_INFO_FRAME, cap_tag::FRAME),
            (cap::INIT_THREAD_IPC_BUFFER, cap_tag::FRAME),
            (cap::DOMAIN, cap_tag::DOMAIN),
            (cap::SMMU_SID_CONTROL, cap_tag::NULL),
            (cap::SMMU_CB_CONTROL, cap_tag::NULL),
            (cap::INIT_THREAD_SC, cap_tag::NULL),
            (cap::SMC, cap_tag::NULL),
        ];
        for (slot, tag) in want {
            let got = debug_cap_identify(slot);
            check!(got == tag, "slot {slot}: cap type {got}, wanted {tag}");
        }
        Ok(())
    });
    s.run("untyped_slots_hold_untyped_caps", || region_tags(bi.untyped.start, bi.untyped.end, &[cap_tag::UNTYPED]));
    s.run("image_frame_slots_hold_frames", || region_tags(bi.user_image_frames.start, bi.user_image_frames.end, &[cap_tag::FRAME]));
    s.run("extra_bi_slots_hold_frames", || region_tags(bi.extra_bi_pages.start, bi.extra_bi_pages.end, &[cap_tag::FRAME]));
    s.run("paging_slots_pdpt_then_pd_then_pt", || {
        let mut last = 0;
        let rank = |t| match t {
            cap_tag::PDPT => 1,
            cap_tag::PAGE_DIRECTORY => 2,
            cap_tag::PAGE_TABLE => 3,
            _ => 99,
        };
        for slot in bi.user_image_paging.start..bi.user_image_paging.end {
            let r = rank(debug_cap_identify(slot));
            check!(r != 99 && r >= last, "slot {slot} out of order");
            last = r;
        }
        check!(bi.user_image_paging.end - bi.user_image_paging.start >= 3, "need at least a PDPT, a PD and a PT");
        Ok(())
    });
    s.run("empty_region_is_empty", || {
        // Sampled: the first 64, and every 97th slot after.
        for slot in (bi.empty.start..bi.empty.end).filter(|s| s - bi.empty.start < 64 || s % 97 == 0) {
            check!(debug_cap_identify(slot) == cap_tag::NULL, "slot {slot} not empty");
        }
        Ok(())
    });
    s.run("bad_cptrs_identify_as_null", || {
        for cptr in [1u64 << 13, 1 << 40, u64::MAX, (1 << 13) + 1] {
            check_eq!(debug_cap_identify(cptr), cap_tag::NULL);
        }
        Ok(())
    });
    s.run("image_frames_cover_the_image", || {
        let (start, end) = (image_start(), image_end());
        let pages = (end.div_ceil(4096)) - start / 4096;
        check_eq!(bi.user_image_frames.end - bi.user_image_frames.start, pages);
        Ok(())
    });
    s.run("ipc_buffer_mapped_after_image", || {
        let end = image_end();
        check_eq!(bi.ipc_buffer, end.div_ceil(4096) * 4096);
        check!(bi.ipc_buffer.is_multiple_of(1024));
        // The runtime's TLS block must name the buffer BootInfo gives.
        check_eq!(sel4::ipc_buffer_ptr() as u64, bi.ipc_buffer);
        sel4::set_user_data(0x5a5a_1234);
        check_eq!(core::hint::black_box(sel4::get_user_data()), 0x5a5a_1234);
        sel4::set_user_data(0);
        Ok(())
    });
    s.run("bootinfo_frame_follows_ipc_buffer", || {
        check_eq!(bi as *const BootInfo as u64, bi.ipc_buffer + 4096);
        Ok(())
    });
    s.run("extra_bootinfo_has_memory_map", || {
        check!(bi.extra_len > 0, "no extra bootinfo");
        check!(bi.extra_bi_pages.end > bi.extra_bi_pages.start, "no extra bootinfo frames");
        let extra = sel4::extra_bootinfo(bi);
        let mut found = false;
        for (id, payload) in sel4::abi::extra_chunks(extra) {
            if id == bootinfo_id::X86_MBMMAP {
                found = true;
                // mmap_length u32, then 24-byte entries; RAM (type 1) must sum to about our RAM.
                check!(payload.len() >= 4 + 24, "short memory map");
                let len = u32::from_le_bytes(payload[0..4].try_into().unwrap()) as usize;
                let mut ram = 0u64;
                for e in payload[4..4 + len.min(payload.len() - 4)].chunks_exact(24) {
                    let l = u64::from_le_bytes(e[12..20].try_into().unwrap());
                    if u32::from_le_bytes(e[20..24].try_into().unwrap()) == 1 {
                        ram += l;
                    }
                }
                check!(ram >= ram_bytes(bi), "memory map RAM {ram} < untyped RAM {}", ram_bytes(bi));
            }
        }
        check!(found, "no X86_MBMMAP chunk");
        Ok(())
    });
}
