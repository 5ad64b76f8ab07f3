//! `rtl`: the logic of ntdll's run-time library, kept apart from ntdll so
//! the host can test it (`cargo test -p rtl`). ntdll's `rtl` and `crt`
//! modules are thin exported wrappers over this crate.
//!
//! - [`format`]: the printf engine (MS C runtime conventions).
//! - [`heap`]: the heap allocator over an abstract page source.
//! - [`env`]: environment blocks.
//! - [`num`]: integer <-> text (atoi, strtol, _itoa, RtlCharToInteger, ...).
//! - [`path`]: DOS path kinds, full paths and NT paths.
//! - [`status`]: NTSTATUS -> Win32 error codes.
//! - [`time`]: NT time <-> calendar fields and second counts.
//! - [`unicode`]: case mapping, the ANSI (Windows-1252) and OEM (CP437)
//!   code pages, string comparison.
//!
//! Nothing here allocates: ntdll uses the crate before it has a heap, so
//! every function works in buffers its caller provides.
#![no_std]

#[cfg(test)]
extern crate std;

pub mod env;
pub mod format;
pub mod heap;
pub mod num;
pub mod path;
pub mod status;
pub mod time;
pub mod unicode;
