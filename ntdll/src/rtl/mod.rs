//! ntdll's Rtl library: the exported `Rtl*` functions (and DbgPrint) with
//! their Windows prototypes, each a thin layer over the host-tested `rtl`
//! crate plus the raw-pointer and NT-service work only ntdll can do.
//! Other ntdll modules (the loader) call these functions directly.
#![allow(non_snake_case)]

pub mod env;
pub mod heap;
pub mod misc;
pub mod num;
pub mod path;
pub mod process;
pub mod string;

use nt_abi::types::{Peb, Teb};

/// The current thread's TEB (`gs:[0x30]`).
pub fn teb() -> *mut Teb {
    let teb: usize;
    // SAFETY: on Windows x64, GS points at the thread's TEB, whose Self
    // field (0x30) holds its address; the Executive sets it up.
    unsafe {
        core::arch::asm!("mov {}, gs:[0x30]", out(reg) teb, options(nostack, readonly, preserves_flags))
    };
    teb as *mut Teb
}

/// The process's PEB (`gs:[0x60]`).
pub fn peb() -> *mut Peb {
    let peb: usize;
    // SAFETY: as in `teb`: TEB.ProcessEnvironmentBlock is at 0x60.
    unsafe {
        core::arch::asm!("mov {}, gs:[0x60]", out(reg) peb, options(nostack, readonly, preserves_flags))
    };
    peb as *mut Peb
}
