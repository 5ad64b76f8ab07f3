//! ntdll.dll (PE32+, x86_64-pc-windows-msvc): the `Nt*` service stubs, each
//! generated from the one service table in `nt-abi` (`nt_services!`); the
//! `Zw*` names are export aliases (xtask writes them into the .def file from
//! the same table). Each stub marshals its arguments into the thread's
//! service buffer and makes an seL4 Call to the thread's service endpoint
//! (both found in its TEB, see `nt_abi::wire::teb_slots`). Beside them:
//! the user-mode loader (`ldr`), Rtl (`rtl`), the C runtime subset (`crt`)
//! and the user APC entry (`ki`).
#![no_std]
#![feature(c_variadic)]

mod crt;
mod ki;
mod ldr;
mod rtl;
mod service;

use nt_abi::NtStatus;

macro_rules! stubs {
    ($( $(#[$m:meta])* $name:ident = $num:literal {
        $( $arg:ident : $kind:ident $(<$t:ident>)? $({ $($k:ident : $v:ident),* })? ),* $(,)?
    } ),* $(,)?) => { $(
        $(#[$m])*
        #[no_mangle]
        #[allow(non_snake_case, clippy::too_many_arguments)]
        pub extern "system" fn $name($($arg: u64),*) -> NtStatus {
            service::call(nt_abi::ServiceId::$name, &[$($arg),*])
        }
    )* };
}

nt_abi::nt_services!(stubs);

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    // A bug in ntdll: stop this process with a CPU fault (the Executive
    // terminates a faulting process and reports it).
    loop {
        // SAFETY: ud2 only raises #UD; the Executive ends the process.
        unsafe { core::arch::asm!("ud2") };
    }
}

// MSVC-target code that touches floating point refers to `_fltused`, which
// the C runtime normally defines; ntdll links without one. It is defined in
// assembly because rustc exports every `#[no_mangle]` item of a cdylib, and
// `_fltused` is no export of ntdll's.
core::arch::global_asm!(
    ".pushsection .rdata,\"dr\"",
    ".globl _fltused",
    "_fltused:",
    ".long 0",
    ".popsection",
);
