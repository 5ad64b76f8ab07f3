//! `bootimg`: the Triton boot image, the second multiboot module that holds
//! ntdll.dll, drivers, programs and the boot configuration.
//!
//! The image is a POSIX ustar archive: a standard format that GNU tar can
//! create, list and unpack, so an image can be inspected and assembled by
//! hand. `ntos` (the root task) reads it from the module the kernel maps in,
//! without a heap; `xtask` writes it on the host.
//!
//! - [`Archive::new`] checks a whole archive up front (checksums, octal
//!   fields, sizes, names; see [`tar`] for the rules) and then
//!   yields [`Entry`] values with borrowed data; [`Archive::find_ci`] and
//!   [`Archive::file_ci`] look names up as NT does, ignoring case.
//! - [`Config::parse`] checks the `boot.cfg` text (see
//!   [`config`]); [`Config::get`] looks values up.
//! - `Builder` (feature `std`, host only) writes byte-for-byte
//!   reproducible archives.
//!
//! The reader and parser take untrusted bytes: they never panic, never
//! allocate, use no `unsafe`, and do work bounded by the input's size.
//!
//! ```
//! # #[cfg(feature = "std")] {
//! use bootimg::{Archive, Builder, Config, BOOT_CONFIG};
//!
//! let image = Builder::new()
//!     .add_file(BOOT_CONFIG, b"[boot]\nprogram = \\SystemRoot\\system32\\ntcmd.exe\n")
//!     .add_dir("system32")
//!     .add_file("system32/ntcmd.exe", b"MZ")
//!     .finish();
//!
//! // What ntos does with the module's bytes:
//! let archive = Archive::new(&image).expect("boot image");
//! let config = Config::parse(archive.file_ci(BOOT_CONFIG).expect("boot.cfg")).expect("boot.cfg");
//! let program = config.get("boot", "program").expect("program");
//! let path = program.strip_prefix("\\SystemRoot\\").unwrap_or(program);
//! assert_eq!(archive.file_ci(path), Some(&b"MZ"[..]));
//! # }
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(any(feature = "std", test))]
extern crate std;

pub mod config;
mod name;
pub mod tar;
#[cfg(feature = "std")]
mod write;

pub use config::{Config, ConfigEntries, ConfigEntry, ConfigError, ConfigErrorKind};
pub use name::{path_eq_ci, NameError, MAX_NAME_LEN};
pub use tar::{Archive, Entries, Entry, Error, ErrorKind, Field, Kind, BLOCK};
#[cfg(feature = "std")]
pub use write::{BuildError, Builder, MAX_FILE_SIZE};

/// The name of the boot configuration inside the image.
pub const BOOT_CONFIG: &str = "boot.cfg";
