//! The runtime of Triton's native NT test programs (PE32+ images for
//! x86_64-pc-windows-msvc that import only ntdll.dll): the ntdll imports
//! ([`nt`]), console output through NtDisplayString ([`out`]), counted
//! checks that print their failures and the closing `suite NAME: N passed,
//! M failed` line ([`check`]), helpers to build the NT structures the
//! services take ([`util`]), the program entry macro ([`entry!`]) and a
//! panic handler that reports and ends the process.
//!
//! Programs link with `/ENTRY:NtProcessStartup /SUBSYSTEM:NATIVE
//! /NODEFAULTLIB` (xtask passes those); by the start-up contract ntdll's
//! LdrInitializeThunk calls the entry with the PEB address as its argument.
#![no_std]

pub mod check;
pub mod nt;
pub mod out;
pub mod util;

pub use nt_abi;

/// Defines the program entry `NtProcessStartup(peb)`: prints the suite's
/// first line, runs `$body(peb)` and ends the process with the suite's
/// summary (exit status 0 when every check passed, 1 otherwise).
///
/// ```ignore
/// nt_test::entry!("nt-ob", run);
/// fn run(peb: &nt_test::nt_abi::types::Peb) { check!(true); }
/// ```
#[macro_export]
macro_rules! entry {
    ($suite:literal, $body:path) => {
        #[no_mangle]
        pub extern "system" fn NtProcessStartup(peb: *mut $crate::nt_abi::types::Peb) -> u32 {
            $crate::check::begin($suite);
            // SAFETY: the loader passes the PEB the Executive mapped for this
            // process; it stays mapped for the life of the process.
            let peb = unsafe { &*peb };
            $body(peb);
            $crate::check::finish()
        }
    };
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    check::abort(info)
}

/// MSVC-target code that touches floating point refers to `_fltused`, which
/// the C runtime normally defines; test programs link without one.
#[no_mangle]
#[used]
pub static _fltused: i32 = 0;

/// `__chkstk`: LLVM calls it before a frame larger than a page so that a
/// Windows stack grows one guard page at a time. Triton commits every
/// thread's whole stack up front, so there is nothing to touch; the probe
/// only has to preserve every register (RAX carries the frame size).
///
/// # Safety
/// Called only by compiler-generated prologues.
#[no_mangle]
#[unsafe(naked)]
pub unsafe extern "C" fn __chkstk() {
    core::arch::naked_asm!("ret")
}
