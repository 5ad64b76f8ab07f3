//! `rtl`: the logic of ntdll's run-time library, kept apart from ntdll so
//! the host can test it (`cargo test -p rtl`). ntdll's `rtl` and `crt`
//! modules are thin exported wrappers over this crate.
//!
//! - [`format`]: the printf engine (MS C runtime conventions).
//! - [`heap`]: the heap allocator over an abstract page source.
//! - [`unicode`]: case mapping, the ANSI (Windows-1252) and OEM (CP437)
//!   code pages, string comparison.
//!
//! Nothing here allocates: ntdll uses the crate before it has a heap, so
//! every function works in buffers its caller provides.
#![no_std]

#[cfg(test)]
extern crate std;

pub mod format;
pub mod heap;
pub mod unicode;
