//! Host tests of the NtQuerySystemInformation records and length rules.

use super::*;

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().unwrap())
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

fn w(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

#[test]
fn basic_information_fields_sit_where_windows_puts_them() {
    let b = basic_information(65536, 156_250);
    assert_eq!(u32_at(&b, 0x04), 156_250);
    assert_eq!(u32_at(&b, 0x08), 0x1000);
    assert_eq!(u32_at(&b, 0x0C), 65536);
    assert_eq!(u32_at(&b, 0x18), 0x10000);
    assert_eq!(u64_at(&b, 0x20), 0x10000);
    assert_eq!(u64_at(&b, 0x28), 0x7FFF_FFFE_FFFF);
    assert_eq!(u64_at(&b, 0x30), 1);
    assert_eq!(b[0x38], 1);
}

#[test]
fn processor_signature_decodes_family_model_and_stepping() {
    // Family 6, extended model 9, model 0xE, stepping 0xA (a Kaby Lake).
    let b = processor_information(0x0009_06EA, 1 << 4 | 1 << 25 | 1 << 26);
    assert_eq!(u16_at(&b, 0), 9);
    assert_eq!(u16_at(&b, 2), 6);
    assert_eq!(u16_at(&b, 4), 0x9E0A);
    assert_eq!(u16_at(&b, 6), 1);
    let f = u32_at(&b, 8);
    assert_eq!(f & 0x2, 0x2, "RDTSC");
    assert_eq!(f & 0x2000, 0x2000, "XMMI");
    assert_eq!(f & 0x1_0000, 0x1_0000, "XMMI64");
    assert_eq!(f & 0x100, 0, "no MMX bit given");
    // Family 0xF adds the extended family (AMD Zen: 0x17).
    let b = processor_information(0x0080_0F12, 0);
    assert_eq!(u16_at(&b, 2), 0x17);
    assert_eq!(u16_at(&b, 4), 0x0102);
}

#[test]
fn performance_counters_and_their_offsets() {
    let p = Performance {
        available: 1000,
        committed: 200,
        commit_limit: 4096,
        peak_commitment: 300,
    };
    let b = performance_information(&p);
    assert_eq!(u32_at(&b, 0x2C), 1000);
    assert_eq!(u32_at(&b, 0x30), 200);
    assert_eq!(u32_at(&b, 0x34), 4096);
    assert_eq!(u32_at(&b, 0x38), 300);
    assert_eq!(u64_at(&b, 0x148), 1000);
    // Huge values saturate rather than wrap.
    let b = performance_information(&Performance {
        available: 1 << 40,
        ..p
    });
    assert_eq!(u32_at(&b, 0x2C), u32::MAX);
}

#[test]
fn length_rules_per_class() {
    use SystemInfoClass as C;
    assert_eq!(fit(C::SystemBasicInformation, 0x40, 0x40), Ok(0x40));
    assert_eq!(fit(C::SystemBasicInformation, 0x41, 0x40), Err(0x40));
    assert_eq!(fit(C::SystemBasicInformation, 0x3F, 0x40), Err(0x40));
    assert_eq!(fit(C::SystemProcessorInformation, 12, 12), Ok(12));
    assert_eq!(fit(C::SystemProcessorInformation, 24, 12), Ok(12));
    assert_eq!(fit(C::SystemProcessorInformation, 11, 12), Err(12));
    assert_eq!(fit(C::SystemPerformanceInformation, 0, 0x158), Err(0x158));
    assert_eq!(
        fit(C::SystemPerformanceInformation, 0x138, 0x158),
        Ok(0x138)
    );
    assert_eq!(
        fit(C::SystemPerformanceInformation, 0x13A, 0x158),
        Ok(0x13A)
    );
    assert_eq!(
        fit(C::SystemPerformanceInformation, 0x200, 0x158),
        Ok(0x158)
    );
    assert_eq!(fit(C::SystemTimeOfDayInformation, 0, 0x30), Ok(0));
    assert_eq!(fit(C::SystemTimeOfDayInformation, 24, 0x30), Ok(24));
    assert_eq!(fit(C::SystemTimeOfDayInformation, 0x30, 0x30), Ok(0x30));
    assert_eq!(fit(C::SystemTimeOfDayInformation, 49, 0x30), Err(0x30));
    assert_eq!(fit(C::SystemModuleInformation, 7, 0x258), Err(0x258));
    assert_eq!(fit(C::SystemModuleInformation, 0x1000, 0x258), Ok(0x258));
}

#[test]
fn time_of_day_holds_boot_and_current_time() {
    let b = time_of_day(100, 250);
    assert_eq!(u64_at(&b, 0), 100);
    assert_eq!(u64_at(&b, 8), 250);
    assert!(b[0x10..].iter().all(|&x| x == 0));
}

#[test]
fn vm_counters_layout() {
    let v = VmStats {
        virtual_size: 0x10_0000,
        working_set: 0x3000,
        private_working_set: 0x1000,
        private: 0x5000,
        peak_private: 0x8000,
    };
    let b = vm_counters(&v);
    assert_eq!(u64_at(&b, 0x00), 0x10_0000, "PeakVirtualSize");
    assert_eq!(u64_at(&b, 0x08), 0x10_0000, "VirtualSize");
    assert_eq!(u32_at(&b, 0x10), 0, "PageFaultCount");
    assert_eq!(u64_at(&b, 0x20), 0x3000, "WorkingSetSize");
    assert_eq!(u64_at(&b, 0x48), 0x5000, "PagefileUsage");
    assert_eq!(u64_at(&b, 0x50), 0x8000, "PeakPagefileUsage");
    assert_eq!(u64_at(&b, 0x58), 0x5000, "PrivateUsage");
    assert_eq!(u64_at(&b, 0x60), 0x1000, "PrivateWorkingSetSize");
}

fn entry(pid: u64, name: &str, threads: usize) -> ProcessEntry {
    ProcessEntry {
        pid,
        parent: 0,
        name: w(name),
        base_priority: 8,
        handle_count: 3,
        create_time: 77,
        vm: VmStats {
            virtual_size: 0x2_0000,
            private: 0x4000,
            ..Default::default()
        },
        threads: (0..threads)
            .map(|k| ThreadEntry {
                tid: pid + 4 + 4 * k as u64,
                priority: 8,
                state: STATE_READY,
                ..Default::default()
            })
            .collect(),
    }
}

#[test]
fn process_list_chains_entries_with_threads_and_names() {
    let list = [entry(8, "a.exe", 1), entry(20, "longer-name.exe", 2)];
    let base = 0x10_0000u64;
    let b = process_list(&list, base);
    assert_eq!(b.len(), process_list_size(&list));
    let first = u32_at(&b, 0) as usize;
    assert_eq!(first, (0x100usize + 0x50 + 12).next_multiple_of(8));
    assert_eq!(u32_at(&b, 4), 1);
    assert_eq!(u64_at(&b, 0x50), 8);
    assert_eq!(u32_at(&b, 0x60), 3, "HandleCount");
    assert_eq!(u64_at(&b, 0x78), 0x2_0000, "VirtualSize");
    assert_eq!(u64_at(&b, 0xB8), 0x4000, "PagefileUsage");
    assert_eq!(u64_at(&b, 0xC8), 0x4000, "PrivatePageCount");
    // The name follows the thread array, NUL-terminated, and Buffer is the
    // caller's address of it.
    assert_eq!(u16_at(&b, 0x38), 10);
    assert_eq!(u16_at(&b, 0x3A), 12);
    let name_at = u64_at(&b, 0x40) - base;
    assert_eq!(name_at, 0x150);
    assert_eq!(u16_at(&b, name_at as usize), b'a' as u16);
    assert_eq!(u16_at(&b, name_at as usize + 10), 0);
    // The thread: its client id.
    assert_eq!(u64_at(&b, 0x100 + 0x28), 8);
    assert_eq!(u64_at(&b, 0x100 + 0x30), 12);
    // The last entry ends the chain and has both threads.
    let e = &b[first..];
    assert_eq!(u32_at(e, 0), 0);
    assert_eq!(u32_at(e, 4), 2);
    assert_eq!(u64_at(e, 0x40) - base, (first + 0x100 + 2 * 0x50) as u64);
    assert_eq!(first % 8, 0);
}

#[test]
fn empty_and_nameless_lists() {
    assert!(process_list(&[], 0x1000).is_empty());
    let b = process_list(&[entry(8, "", 0)], 0x1000);
    assert_eq!(b.len(), 0x108);
    assert_eq!(u16_at(&b, 0x38), 0);
    assert_eq!(u16_at(&b, 0x3A), 2);
}

#[test]
fn file_name_is_the_last_component() {
    assert_eq!(
        file_name(&w("\\SystemRoot\\system32\\nt-sysinfo.exe")),
        &w("nt-sysinfo.exe")[..]
    );
    assert_eq!(file_name(&w("plain.exe")), &w("plain.exe")[..]);
    assert_eq!(file_name(&w("trailing\\")), &[] as &[u16]);
}

#[test]
fn module_list_names_and_indices() {
    let m = [
        Module {
            path: "\\Boot\\kernel",
            base: KERNEL_WINDOW,
            size: 0,
        },
        Module {
            path: "\\Boot\\ntos",
            base: 0x40_0000,
            size: 0x1000,
        },
    ];
    let b = module_list(&m);
    assert_eq!(b.len(), 8 + 2 * 0x128);
    assert_eq!(u32_at(&b, 0), 2);
    let r = &b[8 + 0x128..];
    assert_eq!(u64_at(r, 0x10), 0x40_0000);
    assert_eq!(u32_at(r, 0x18), 0x1000);
    assert_eq!(u16_at(r, 0x20), 1);
    assert_eq!(u16_at(r, 0x26), 6);
    assert_eq!(&r[0x28..0x28 + 10], b"\\Boot\\ntos");
    assert_eq!(r[0x28 + 10], 0);
}

#[test]
fn the_executive_module_covers_this_code() {
    let [_, ex] = system_modules();
    let here = the_executive_module_covers_this_code as *const () as usize as u64;
    assert!(
        ex.base <= here && here < ex.base + ex.size as u64,
        "{:#x} in {:#x}+{:#x}",
        here,
        ex.base,
        ex.size
    );
}
