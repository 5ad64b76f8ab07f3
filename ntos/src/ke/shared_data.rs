//! KUSER_SHARED_DATA: one page the Executive writes and every process maps
//! read-only at 0x7FFE0000 (version fields, the system root, and the
//! clocks: TickCount, InterruptTime, SystemTime, refreshed on every clock
//! tick). The layout is nt-abi's `KUserSharedData`; `KSYSTEM_TIME` values
//! are written High2Time, LowPart, High1Time, the order readers rely on
//! to detect a torn read.

use crate::record::put;
use core::mem::offset_of;
use nt_abi::types::{KSystemTime, KUserSharedData, NT_PRODUCT_WIN_NT, PROCESSOR_ARCHITECTURE_AMD64};

type S = KUserSharedData;

/// The clock tick the Executive runs (the RTC at 64 Hz: 15.625 ms, which
/// is also Windows' default timer resolution).
pub const TICK_100NS: u64 = 156_250;


/// A KSYSTEM_TIME store in the order a reader checks.
fn put_time(b: &mut [u8], at: usize, t: i64) {
    let high = ((t as u64) >> 32) as i32;
    put(b, at + offset_of!(KSystemTime, high2_time), &high.to_le_bytes());
    put(b, at + offset_of!(KSystemTime, low_part), &(t as u32).to_le_bytes());
    put(b, at + offset_of!(KSystemTime, high1_time), &high.to_le_bytes());
}

/// The page's first contents.
pub fn initial(page: &mut [u8], physical_pages: u64, since_boot: i64, now: i64) {
    page.fill(0);
    // ms = ticks * multiplier >> 24, for ticks of TICK_100NS.
    let multiplier = ((TICK_100NS / 10_000) << 24) as u32 | ((((TICK_100NS % 10_000) << 24) / 10_000) as u32);
    put(page, offset_of!(S, tick_count_multiplier), &multiplier.to_le_bytes());
    let root: [u16; 10] = [b'C', b':', b'\\', b'W', b'i', b'n', b'd', b'o', b'w', b's'].map(u16::from);
    for (i, c) in root.iter().enumerate() {
        put(page, offset_of!(S, nt_system_root) + 2 * i, &c.to_le_bytes());
    }
    put(page, offset_of!(S, image_number_low), &0x8664u16.to_le_bytes());
    put(page, offset_of!(S, image_number_high), &0x8664u16.to_le_bytes());
    put(page, offset_of!(S, nt_build_number), &19045u32.to_le_bytes());
    put(page, offset_of!(S, nt_product_type), &NT_PRODUCT_WIN_NT.to_le_bytes());
    put(page, offset_of!(S, product_type_is_valid), &[1]);
    put(page, offset_of!(S, native_processor_architecture), &PROCESSOR_ARCHITECTURE_AMD64.to_le_bytes());
    put(page, offset_of!(S, nt_major_version), &10u32.to_le_bytes());
    put(page, offset_of!(S, nt_minor_version), &0u32.to_le_bytes());
    put(page, offset_of!(S, number_of_physical_pages), &(physical_pages as u32).to_le_bytes());
    put(page, offset_of!(S, full_number_of_physical_pages), &physical_pages.to_le_bytes());
    put(page, offset_of!(S, qpc_frequency), &crate::ke::time::TICKS_PER_SECOND.to_le_bytes());
    put(page, offset_of!(S, active_processor_count), &1u32.to_le_bytes());
    put(page, offset_of!(S, active_group_count), &[1]);
    update(page, since_boot, now);
}

/// The clocks, at a tick.
pub fn update(page: &mut [u8], since_boot: i64, now: i64) {
    let ticks = since_boot as u64 / TICK_100NS;
    put_time(page, offset_of!(S, interrupt_time), since_boot);
    put_time(page, offset_of!(S, system_time), now);
    put_time(page, offset_of!(S, tick_count), ticks as i64);
    put(page, offset_of!(S, tick_count_low_deprecated), &(ticks as u32).to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time_at(page: &[u8], at: usize) -> i64 {
        let low = u32::from_le_bytes(page[at..at + 4].try_into().unwrap());
        let high1 = i32::from_le_bytes(page[at + 4..at + 8].try_into().unwrap());
        let high2 = i32::from_le_bytes(page[at + 8..at + 12].try_into().unwrap());
        assert_eq!(high1, high2);
        ((high1 as i64) << 32) | low as i64
    }

    #[test]
    fn clocks_and_versions() {
        let mut page = [0u8; 4096];
        let now = crate::ke::time::nt_time(2026, 11, 25, 20, 0, 0);
        initial(&mut page, 65536, 10 * TICK_100NS as i64 + 5, now);
        assert_eq!(time_at(&page, offset_of!(S, interrupt_time)), 10 * TICK_100NS as i64 + 5);
        assert_eq!(time_at(&page, offset_of!(S, system_time)), now);
        assert_eq!(time_at(&page, offset_of!(S, tick_count)), 10);
        let ms_per_tick = |p: &[u8]| {
            let m = u32::from_le_bytes(p[offset_of!(S, tick_count_multiplier)..][..4].try_into().unwrap()) as u64;
            (1000 * m) >> 24
        };
        // 1000 ticks of 15.625 ms are 15625 ms.
        assert_eq!(ms_per_tick(&page), 15625);
        assert_eq!(u32::from_le_bytes(page[offset_of!(S, nt_major_version)..][..4].try_into().unwrap()), 10);
        assert_eq!(&page[offset_of!(S, nt_system_root)..][..6], &[b'C', 0, b':', 0, b'\\', 0]);
        update(&mut page, 1 << 40, now + 1);
        assert_eq!(time_at(&page, offset_of!(S, interrupt_time)), 1 << 40);
    }
}
