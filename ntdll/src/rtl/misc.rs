//! Time conversion, version, error-code, random-number and memory exports,
//! and DbgPrint.

use super::{peb, teb};
use core::ffi::VaList;
use nt_abi::status::{STATUS_INVALID_PARAMETER, STATUS_SUCCESS};
use nt_abi::NtStatus;
use rtl::format::{self, Args, Writer};
use rtl::time::{self, TimeFields};

#[no_mangle]
pub unsafe extern "system" fn RtlTimeToTimeFields(Time: *const i64, TimeFields: *mut TimeFields) {
    *TimeFields = time::to_fields(*Time);
}

#[no_mangle]
pub unsafe extern "system" fn RtlTimeFieldsToTime(
    TimeFields: *const TimeFields,
    Time: *mut i64,
) -> u8 {
    match time::from_fields(&*TimeFields) {
        Some(t) => {
            *Time = t;
            1
        }
        None => 0,
    }
}

#[no_mangle]
pub unsafe extern "system" fn RtlTimeToSecondsSince1970(
    Time: *const i64,
    ElapsedSeconds: *mut u32,
) -> u8 {
    match time::to_seconds_since_1970(*Time) {
        Some(s) => {
            *ElapsedSeconds = s;
            1
        }
        None => 0,
    }
}

#[no_mangle]
pub unsafe extern "system" fn RtlTimeToSecondsSince1980(
    Time: *const i64,
    ElapsedSeconds: *mut u32,
) -> u8 {
    match time::to_seconds_since_1980(*Time) {
        Some(s) => {
            *ElapsedSeconds = s;
            1
        }
        None => 0,
    }
}

#[no_mangle]
pub unsafe extern "system" fn RtlSecondsSince1970ToTime(ElapsedSeconds: u32, Time: *mut i64) {
    *Time = time::from_seconds_since_1970(ElapsedSeconds);
}

#[no_mangle]
pub unsafe extern "system" fn RtlSecondsSince1980ToTime(ElapsedSeconds: u32, Time: *mut i64) {
    *Time = time::from_seconds_since_1980(ElapsedSeconds);
}

/// `RTL_OSVERSIONINFOW` (0x114 bytes) and `RTL_OSVERSIONINFOEXW` (0x11C).
#[repr(C)]
pub struct OsVersionInfoExW {
    pub os_version_info_size: u32,
    pub major_version: u32,
    pub minor_version: u32,
    pub build_number: u32,
    pub platform_id: u32,
    pub csd_version: [u16; 128],
    pub service_pack_major: u16,
    pub service_pack_minor: u16,
    pub suite_mask: u16,
    pub product_type: u8,
    pub reserved: u8,
}

const OSVERSIONINFOW_SIZE: u32 = 0x114;
const OSVERSIONINFOEXW_SIZE: u32 = 0x11C;
/// VER_NT_WORKSTATION.
const VER_NT_WORKSTATION: u8 = 1;

/// RtlGetVersion: the PEB's version fields (the Executive sets 10.0.19045);
/// the EX fields for a 0x11C-byte structure.
#[no_mangle]
pub unsafe extern "system" fn RtlGetVersion(VersionInformation: *mut OsVersionInfoExW) -> NtStatus {
    let v = &mut *VersionInformation;
    let size = v.os_version_info_size;
    if size != OSVERSIONINFOW_SIZE && size != OSVERSIONINFOEXW_SIZE {
        return STATUS_INVALID_PARAMETER;
    }
    let p = &*peb();
    v.major_version = p.os_major_version;
    v.minor_version = p.os_minor_version;
    v.build_number = p.os_build_number as u32;
    v.platform_id = p.os_platform_id;
    v.csd_version = [0; 128];
    let csd = super::string::units(&p.csd_version);
    let n = csd.len().min(127);
    v.csd_version[..n].copy_from_slice(&csd[..n]);
    if size == OSVERSIONINFOEXW_SIZE {
        v.service_pack_major = p.os_csd_version >> 8;
        v.service_pack_minor = p.os_csd_version & 0xFF;
        v.suite_mask = 0;
        v.product_type = VER_NT_WORKSTATION;
        v.reserved = 0;
    }
    STATUS_SUCCESS
}

/// RtlGetNtVersionNumbers: the build number carries 0xF0000000 (a "free",
/// i.e. release, build) as on Windows.
#[no_mangle]
pub unsafe extern "system" fn RtlGetNtVersionNumbers(
    MajorVersion: *mut u32,
    MinorVersion: *mut u32,
    BuildNumber: *mut u32,
) {
    let p = &*peb();
    if !MajorVersion.is_null() {
        *MajorVersion = p.os_major_version;
    }
    if !MinorVersion.is_null() {
        *MinorVersion = p.os_minor_version;
    }
    if !BuildNumber.is_null() {
        *BuildNumber = 0xF000_0000 | p.os_build_number as u32;
    }
}

/// RtlNtStatusToDosError; like Windows it also records the status in
/// TEB.LastStatusValue.
#[no_mangle]
pub extern "system" fn RtlNtStatusToDosError(Status: NtStatus) -> u32 {
    // SAFETY: the TEB is this thread's, mapped for its life.
    unsafe { (*teb()).last_status_value = Status.0 as i32 };
    rtl::status::to_dos_error(Status.0)
}

/// One step of the generator both RtlRandom and RtlRandomEx use: a
/// Lehmer-style LCG modulo 2^31 - 1 (Windows' RtlRandom additionally
/// shuffles through a table; ours does not).
fn lcg(seed: u32) -> u32 {
    ((seed as u64 * 0x7FFF_FFED + 0x7FFF_FFC3) % 0x7FFF_FFFF) as u32
}

#[no_mangle]
pub unsafe extern "system" fn RtlRandom(Seed: *mut u32) -> u32 {
    *Seed = lcg(*Seed);
    *Seed
}

#[no_mangle]
pub unsafe extern "system" fn RtlRandomEx(Seed: *mut u32) -> u32 {
    *Seed = lcg(*Seed);
    *Seed
}

/// RtlCompareMemory: how many leading bytes are equal.
#[no_mangle]
pub unsafe extern "system" fn RtlCompareMemory(
    Source1: *const u8,
    Source2: *const u8,
    Length: usize,
) -> usize {
    let mut i = 0;
    while i < Length && *Source1.add(i) == *Source2.add(i) {
        i += 1;
    }
    i
}

#[no_mangle]
pub unsafe extern "system" fn RtlFillMemory(Destination: *mut u8, Length: usize, Fill: u8) {
    core::ptr::write_bytes(Destination, Fill, Length);
}

#[no_mangle]
pub unsafe extern "system" fn RtlZeroMemory(Destination: *mut u8, Length: usize) {
    core::ptr::write_bytes(Destination, 0, Length);
}

#[no_mangle]
pub unsafe extern "system" fn RtlMoveMemory(
    Destination: *mut u8,
    Source: *const u8,
    Length: usize,
) {
    core::ptr::copy(Source, Destination, Length);
}

/// RtlCopyMemory is RtlMoveMemory on x86_64 Windows too (overlap-safe).
#[no_mangle]
pub unsafe extern "system" fn RtlCopyMemory(
    Destination: *mut u8,
    Source: *const u8,
    Length: usize,
) {
    core::ptr::copy(Source, Destination, Length);
}

/// A C `va_list` as printf arguments: one 8-byte slot per argument.
pub struct VaArgs<'a, 'f>(pub &'a mut VaList<'f>);

impl Args for VaArgs<'_, '_> {
    fn next(&mut self) -> u64 {
        // SAFETY: the format string promised this argument (C printf rules).
        unsafe { self.0.arg::<u64>() }
    }
}

/// Formats into a 512-byte line (Windows' DbgPrint limit) and writes it to
/// the serial port.
unsafe fn debug_print(fmt: *const u8, args: &mut VaList) -> NtStatus {
    let mut buf = [0u8; 512];
    let mut out = Writer::new(&mut buf);
    format::format(super::string::narrow_z(fmt), &mut VaArgs(args), &mut out);
    let n = out.stored();
    for &b in &buf[..n] {
        sel4::debug_put_char(b);
    }
    STATUS_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn DbgPrint(Format: *const u8, mut args: ...) -> NtStatus {
    debug_print(Format, &mut args)
}

/// DbgPrintEx: every component and level is printed (there is no debug
/// filter mask yet).
#[no_mangle]
pub unsafe extern "C" fn DbgPrintEx(
    _ComponentId: u32,
    _Level: u32,
    Format: *const u8,
    mut args: ...
) -> NtStatus {
    debug_print(Format, &mut args)
}

#[no_mangle]
pub unsafe extern "system" fn vDbgPrintEx(
    _ComponentId: u32,
    _Level: u32,
    Format: *const u8,
    mut arglist: VaList,
) -> NtStatus {
    debug_print(Format, &mut arglist)
}
