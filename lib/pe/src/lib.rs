//! `pe`: the PE32+ (x86_64) image logic that the NT Executive (`ntos`) and
//! ntdll's user-mode loader share.
//!
//! The crate turns untrusted bytes into checked facts and never trusts a
//! number it has not bounded: every offset, size and count an image supplies
//! is checked with overflow-free arithmetic before it is used, nothing
//! panics on any input, and nothing allocates (the crate uses neither `std`
//! nor `alloc`, so ntdll can use it before it has a heap). All work is
//! bounded by the size of the input and a few documented limits, so a
//! hostile image cannot make a loader spin.
//!
//! The pieces, in the order a loader uses them:
//! - [`PeImage::parse`] checks a PE file (headers, section table, section
//!   data, alignment, data directories) up front; [`PeImage::parse_mapped`]
//!   does the same for an image already laid out in memory.
//! - [`PeImage::layout`] is the load plan: headers and sections as
//!   (rva, bytes, zero fill, NT page protection), so `ntos` can map an image
//!   into a new process without knowing PE; [`PeImage::load_into`] fills a
//!   SizeOfImage buffer from it.
//! - [`rebase`] and [`apply_relocations`] apply base relocations to a mapped
//!   image; [`PeImage::relocations`] lists them.
//! - [`PeImage::exports`] finds exports by name (binary search of the sorted
//!   name table), hint or ordinal, including forwarders.
//! - [`PeImage::imports`] walks the import descriptors and thunks;
//!   [`bind_imports`] fills the IAT of a mapped image through a resolver.
//! - [`PeImage::tls`] gives the TLS template, index slot and callbacks.
//! - [`PeError`] says why an image was refused and which NTSTATUS a loader
//!   should report ([`PeError::ntstatus`]); [`status`] holds those values.
//!
//! # Example
//!
//! A process image laid out at a new base, as `ntos` would map it, then
//! bound against modules already loaded, as ntdll's loader would:
//!
//! ```
//! use pe::{bind_imports, rebase, status, BindError, Export, PeImage};
//!
//! /// A loaded module: its name, its mapped image, and its base address.
//! struct Module(&'static str, Vec<u8>, u64);
//!
//! fn load(file: &[u8], base: u64, loaded: &[Module]) -> Result<Vec<u8>, u32> {
//!     let image = PeImage::parse(file).map_err(|e| e.ntstatus())?;
//!     let mut mapped = vec![0; image.size_of_image() as usize];
//!     image.load_into(&mut mapped).map_err(|e| e.ntstatus())?;
//!     rebase(&mut mapped, base).map_err(|e| e.ntstatus())?;
//!
//!     let mut tables = Vec::new();
//!     for Module(name, image, base) in loaded {
//!         let exports = PeImage::parse_mapped(image).and_then(|i| i.exports());
//!         tables.push((*name, *base, exports.map_err(|e| e.ntstatus())?));
//!     }
//!     let bound = bind_imports(&mut mapped, |dll, import| {
//!         let (_, base, exports) = tables
//!             .iter()
//!             .find(|(name, _, _)| name.eq_ignore_ascii_case(dll))
//!             .ok_or(status::STATUS_DLL_NOT_FOUND)?;
//!         match exports.and_then(|e| e.resolve(import)) {
//!             Some(Export::Rva(rva)) => Ok(base + u64::from(rva)),
//!             // A real loader follows forwarders to the DLL they name.
//!             _ => Err(import.not_found_status()),
//!         }
//!     });
//!     bound.map_err(|e| match e {
//!         BindError::Image(e) => e.ntstatus(),
//!         BindError::Resolve(status) => status,
//!     })?;
//!     Ok(mapped)
//! }
//!
//! let dll = include_bytes!("../tests/fixtures/fixdll.dll");
//! let exe = include_bytes!("../tests/fixtures/fixexe.exe");
//! let base = 0x7FF8_0000_0000;
//! let fixdll = Module("fixdll.dll", load(dll, base, &[]).unwrap(), base);
//! // fixexe.exe imports from fixdll.dll and from kernel32.dll, which is not
//! // loaded here.
//! let r = load(exe, 0x7FF6_0000_0000, &[fixdll]);
//! assert_eq!(r, Err(status::STATUS_DLL_NOT_FOUND));
//! ```
//!
//! Facts come from the PE/COFF specification and mingw-w64's winnt.h, as
//! collected in the project's `nt-facts.md`; where the specification leaves
//! the loader's behaviour open, the module says which loader's rule it
//! follows (ReactOS's image section code for the layout checks).

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(test)]
extern crate std;

pub mod consts;
mod error;
mod exports;
mod image;
mod imports;
mod layout;
mod mapped;
mod read;
mod reloc;
mod tls;

pub use error::{status, PeError};
pub use exports::{Export, Exports, ForwardTarget};
pub use image::{DataDirectory, Form, PeImage, Section, Sections};
pub use imports::{bind_imports, BindError, Import, ImportDll, ImportDlls, ImportEntry, Imports};
pub use layout::{private_protection, section_protection, Layout, Region, RegionKind};
pub use mapped::{
    apply_fixups, base_name, count_imports, eq_ignore_ascii_case, is_writable, resolve_export,
    resolve_imports, write_runs, DllName, Fixup, Lookup, Modules, Resolver, WriteRun, WriteRuns,
    MAX_DLL_NAME, MAX_FORWARD_HOPS,
};
pub use reloc::{apply_relocations, rebase, RelocKind, Relocation, Relocations};
pub use tls::{Tls, TlsCallbacks};

/// Longest name (export, import or DLL name, forwarder string) the crate
/// accepts, not counting the terminating NUL. MSVC caps decorated names at
/// 4096 characters; the cap also bounds the work of each string scan.
pub const MAX_NAME_LEN: usize = 4096;

/// Most import descriptors (imported DLLs) one image may have.
pub const MAX_IMPORT_DLLS: u32 = 4096;

/// Most thunks (imported functions) one import descriptor may have. Ordinals
/// are 16-bit, so no DLL can usefully supply more; the cap bounds the total
/// work of an import walk to `MAX_IMPORT_DLLS * MAX_IMPORTS_PER_DLL` steps.
pub const MAX_IMPORTS_PER_DLL: u32 = 0x1_0000;

/// Most functions [`bind_imports`] binds for one image, across all its
/// DLLs: far beyond real programs, small enough that a hostile import table
/// cannot keep a loader busy.
pub const MAX_IMPORTS_TOTAL: u32 = 0x4_0000;

/// Most exported functions and most exported names one image may have
/// (ordinals are 16-bit).
pub const MAX_EXPORTS: u32 = 0x1_0000;
