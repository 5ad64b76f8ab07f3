//! nt_dllfail.dll: a DLL whose DllMain refuses DLL_PROCESS_ATTACH, so
//! LdrLoadDll must fail with STATUS_DLL_INIT_FAILED and unload it.
#![no_std]

// The test runtime's panic handler and compiler support symbols.
use nt_test as _;

#[no_mangle]
pub extern "system" fn dllfail_export() -> u32 {
    1
}

#[no_mangle]
pub extern "system" fn _DllMainCRTStartup(_module: usize, reason: u32, _reserved: usize) -> i32 {
    // FALSE for the process attach; TRUE otherwise.
    (reason != 1) as i32
}
