//! nt_dlla.dll: the main test DLL of nt-ldr. It exports by name
//! (`dlla_add`), by ordinal only (7, see build.rs), forwards
//! `dlla_fwd_ntdll` to ntdll!NtYieldExecution and `dlla_fwd_dllb` to
//! nt_dllb!dllb_value, has a TLS callback, and counts what DllMain and the
//! TLS callback saw in exported variables nt-ldr reads.
#![no_std]

// The test runtime's panic handler and compiler support symbols.
use nt_test as _;

use core::sync::atomic::{AtomicU32, Ordering};

/// DllMain calls per reason: [DETACH, PROCESS_ATTACH, THREAD_ATTACH, THREAD_DETACH].
#[no_mangle]
pub static DLLA_MAIN_CALLS: [AtomicU32; 4] = [
    AtomicU32::new(0),
    AtomicU32::new(0),
    AtomicU32::new(0),
    AtomicU32::new(0),
];
/// TLS callback calls per reason, same order.
#[no_mangle]
pub static DLLA_TLS_CALLS: [AtomicU32; 4] = [
    AtomicU32::new(0),
    AtomicU32::new(0),
    AtomicU32::new(0),
    AtomicU32::new(0),
];
/// Set when the TLS callback ran before DllMain's process attach (the
/// loader's order).
#[no_mangle]
pub static DLLA_TLS_BEFORE_MAIN: AtomicU32 = AtomicU32::new(0);

#[no_mangle]
pub extern "system" fn dlla_add(a: u32, b: u32) -> u32 {
    a.wrapping_add(b)
}

/// Reached only through ordinal 7.
#[no_mangle]
pub extern "system" fn dlla_ordinal_target() -> u32 {
    0x0D7
}

#[no_mangle]
pub extern "system" fn _DllMainCRTStartup(_module: usize, reason: u32, _reserved: usize) -> i32 {
    if reason == 1 && DLLA_TLS_CALLS[1].load(Ordering::SeqCst) > 0 {
        DLLA_TLS_BEFORE_MAIN.store(1, Ordering::SeqCst);
    }
    if let Some(c) = DLLA_MAIN_CALLS.get(reason as usize) {
        c.fetch_add(1, Ordering::SeqCst);
    }
    1
}

extern "system" fn tls_callback(_module: usize, reason: u32, _reserved: usize) {
    if let Some(c) = DLLA_TLS_CALLS.get(reason as usize) {
        c.fetch_add(1, Ordering::SeqCst);
    }
}

// The TLS directory a C runtime would supply (tlssup): the callback array
// lives in .CRT$XL? sections the linker sorts by name, ends with NULL.
#[link_section = ".CRT$XLB"]
#[used]
static TLS_CALLBACKS: [Option<extern "system" fn(usize, u32, usize)>; 2] =
    [Some(tls_callback), None];

#[link_section = ".tls"]
#[used]
static TLS_TEMPLATE: [u8; 8] = [0; 8];

#[used]
static mut TLS_INDEX: u32 = 0;

/// `IMAGE_TLS_DIRECTORY64`.
#[repr(C)]
pub struct ImageTlsDirectory64 {
    start_address_of_raw_data: *const u8,
    end_address_of_raw_data: *const u8,
    address_of_index: *const u32,
    address_of_callbacks: *const Option<extern "system" fn(usize, u32, usize)>,
    size_of_zero_fill: u32,
    characteristics: u32,
}

// SAFETY: the directory is read-only data the loader reads.
unsafe impl Sync for ImageTlsDirectory64 {}

/// lld-link points the image's TLS data directory at `_tls_used`.
#[no_mangle]
#[used]
pub static _tls_used: ImageTlsDirectory64 = ImageTlsDirectory64 {
    start_address_of_raw_data: TLS_TEMPLATE.as_ptr(),
    // SAFETY: one past the end of the template.
    end_address_of_raw_data: unsafe { TLS_TEMPLATE.as_ptr().add(8) },
    address_of_index: &raw const TLS_INDEX,
    address_of_callbacks: TLS_CALLBACKS.as_ptr(),
    size_of_zero_fill: 0,
    characteristics: 0,
};
