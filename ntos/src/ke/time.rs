//! System time: the CMOS real-time clock read once at boot, advanced by the
//! TSC (whose frequency the kernel reports in BootInfo). NT time counts
//! 100 ns intervals since 1601-01-01 UTC; the CMOS clock is taken as UTC.

use sel4::abi::bootinfo::x86;
use sel4::abi::{bootinfo_id, cap, BootInfo};
use sel4::irq::{IoPort, IoPortControl};
use sel4::CNode;

/// 100 ns intervals per second.
pub const TICKS_PER_SECOND: i64 = 10_000_000;
/// Days from 1601-01-01 to 1970-01-01.
const DAYS_1601_TO_1970: i64 = 134_774;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// days_from_civil).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// NT time of a calendar date and time.
pub fn nt_time(year: i64, month: u32, day: u32, h: u32, min: u32, s: u32) -> i64 {
    let days = days_from_civil(year, month, day) + DAYS_1601_TO_1970;
    (days * 86_400 + (h * 3600 + min * 60 + s) as i64) * TICKS_PER_SECOND
}

/// A CMOS register value in the clock's encoding (BCD unless status
/// register B bit 2 says binary).
fn decode(v: u8, binary: bool) -> u32 {
    if binary { v as u32 } else { (v >> 4) as u32 * 10 + (v & 0xF) as u32 }
}

/// The CMOS registers: seconds, minutes, hours, day, month, year, century,
/// status B; to NT time. None when they make no sense.
pub fn cmos_to_nt(r: [u8; 8]) -> Option<i64> {
    let binary = r[7] & 4 != 0;
    let h24 = r[7] & 2 != 0;
    let s = decode(r[0], binary);
    let min = decode(r[1], binary);
    let pm = r[2] & 0x80 != 0;
    let mut h = decode(r[2] & 0x7F, binary);
    if !h24 {
        h = (h % 12) + if pm { 12 } else { 0 };
    }
    let day = decode(r[3], binary);
    let month = decode(r[4], binary);
    let century = match decode(r[6], binary) {
        c @ 19..=21 => c,
        _ => 20,
    };
    let year = century as i64 * 100 + decode(r[5], binary) as i64;
    if s > 59 || min > 59 || h > 23 || !(1..=31).contains(&day) || !(1..=12).contains(&month) {
        return None;
    }
    Some(nt_time(year, month, day, h, min, s))
}

fn rdtsc() -> u64 {
    // SAFETY: rdtsc only reads the time-stamp counter (not disabled for
    // user mode by the kernel).
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// The system clock.
pub struct Clock {
    boot_time: i64,
    boot_tsc: u64,
    tsc_mhz: u64,
    /// The CMOS ports (0x70-0x71), also the periodic tick's (`ke::tick`).
    pub cmos: Option<IoPort>,
}

impl Clock {
    /// Reads the CMOS clock through an I/O port capability issued into
    /// `slot`; the TSC frequency from BootInfo.
    pub fn new(bi: &'static BootInfo, slot: u64) -> Clock {
        let tsc_mhz = sel4::abi::bootinfo::find_extra_chunk(sel4::extra_bootinfo(bi), bootinfo_id::X86_TSC_FREQ)
            .and_then(x86::tsc_freq_mhz)
            .filter(|m| *m > 0)
            .unwrap_or(1000) as u64;
        let boot_tsc = rdtsc();
        let root = CNode(cap::INIT_THREAD_CNODE);
        let cmos = IoPortControl(cap::IO_PORT_CONTROL).issue(0x70, 0x71, root, slot, 64).ok().map(|()| IoPort(slot));
        let boot_time = cmos
            .and_then(read_cmos)
            // 2026-01-01 when there is no usable clock.
            .unwrap_or_else(|| nt_time(2026, 1, 1, 0, 0, 0));
        Clock { boot_time, boot_tsc, tsc_mhz, cmos }
    }

    /// Now, in NT time.
    pub fn now(&self) -> i64 {
        self.boot_time + self.since_boot()
    }

    /// Sets the system time (NtSetSystemTime); the interrupt time goes on.
    pub fn set(&mut self, now: i64) {
        self.boot_time = now - self.since_boot();
    }

    /// 100 ns intervals since boot.
    pub fn since_boot(&self) -> i64 {
        let ticks = rdtsc().wrapping_sub(self.boot_tsc);
        (ticks as u128 * 10 / self.tsc_mhz as u128) as i64
    }
}

/// One CMOS register (index port 0x70, data port 0x71); the tick uses
/// the same registers for the RTC's periodic interrupt.
pub fn cmos_read(port: IoPort, reg: u8) -> Option<u8> {
    port.out8(0x70, reg as u64).ok()?;
    port.in8(0x71).ok().map(|v| v as u8)
}

/// Writes one CMOS register.
pub fn cmos_write(port: IoPort, reg: u8, v: u8) -> Option<()> {
    port.out8(0x70, reg as u64).ok()?;
    port.out8(0x71, v as u64).ok()
}

fn read_cmos(port: IoPort) -> Option<i64> {
    let reg = |r: u8| cmos_read(port, r);
    // Wait out an update in progress (status A bit 7), then read twice
    // until two reads agree, as the clock may tick in between.
    let read = || -> Option<[u8; 8]> {
        for _ in 0..100_000 {
            if reg(0x0A)? & 0x80 == 0 {
                break;
            }
        }
        Some([reg(0)?, reg(2)?, reg(4)?, reg(7)?, reg(8)?, reg(9)?, reg(0x32)?, reg(0x0B)?])
    };
    let mut last = read()?;
    for _ in 0..5 {
        let again = read()?;
        if again == last {
            return cmos_to_nt(last);
        }
        last = again;
    }
    cmos_to_nt(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs() {
        assert_eq!(nt_time(1601, 1, 1, 0, 0, 0), 0);
        assert_eq!(nt_time(1970, 1, 1, 0, 0, 0), nt_abi::types::UNIX_EPOCH_AS_NT_TIME);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn cmos_bcd_and_binary() {
        // 2026-11-25 20:38:07, BCD, 24-hour.
        let bcd = [0x07, 0x38, 0x20, 0x25, 0x11, 0x26, 0x20, 0x02];
        assert_eq!(cmos_to_nt(bcd), Some(nt_time(2026, 11, 25, 20, 38, 7)));
        let bin = [7, 38, 20, 25, 11, 26, 20, 0x06];
        assert_eq!(cmos_to_nt(bin), Some(nt_time(2026, 11, 25, 20, 38, 7)));
        // 12-hour clock: 8 PM.
        let pm = [0x07, 0x38, 0x88, 0x25, 0x11, 0x26, 0x20, 0x00];
        assert_eq!(cmos_to_nt(pm), Some(nt_time(2026, 11, 25, 20, 38, 7)));
        // Nonsense.
        assert_eq!(cmos_to_nt([0x99, 0, 0, 1, 1, 0, 0x20, 2]), None);
        assert_eq!(cmos_to_nt([0, 0, 0, 0, 1, 0, 0x20, 2]), None);
    }
}
