//! nt_dllb.dll: the second test DLL. Its preferred base is ntdll's, so it
//! is always relocated; `dllb_self` is a pointer that only a correct
//! relocation leaves equal to the address of `DLLB_VALUE`. nt_dlla.dll
//! forwards one export here.
#![no_std]

// The test runtime's panic handler and compiler support symbols.
use nt_test as _;

use core::sync::atomic::{AtomicU32, Ordering};

/// A value the forwarded export returns.
#[no_mangle]
pub static DLLB_VALUE: u32 = 0xB0B;

/// An absolute pointer in data: fixed up by the base relocations.
#[no_mangle]
pub static DLLB_SELF: &u32 = &DLLB_VALUE;

/// DLL_PROCESS_ATTACH calls seen.
#[no_mangle]
pub static DLLB_ATTACHES: AtomicU32 = AtomicU32::new(0);

#[no_mangle]
pub extern "system" fn dllb_value() -> u32 {
    DLLB_VALUE
}

#[no_mangle]
pub extern "system" fn _DllMainCRTStartup(_module: usize, reason: u32, _reserved: usize) -> i32 {
    if reason == 1 {
        DLLB_ATTACHES.fetch_add(1, Ordering::SeqCst);
    }
    1
}
