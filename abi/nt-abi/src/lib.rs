//! `nt-abi`: the NT native API as Triton serves it, declared once for
//! ntdll.dll (the client stubs) and the Executive (`ntos`, the server).
//!
//! - [`status`]: NTSTATUS and its values.
//! - [`types`]: x86_64 layouts of the structures that cross the boundary
//!   (UNICODE_STRING, OBJECT_ATTRIBUTES, CLIENT_ID, PEB, TEB,
//!   KUSER_SHARED_DATA, ...), with handle rules.
//! - [`consts`], [`classes`]: access rights, OBJ_*, MEM_*/PAGE_*/SEC_*,
//!   information classes and the other enumerations.
//! - [`services`]: THE service table, [`nt_services!`], from which
//!   everything per-service is generated: [`ServiceId`], the descriptors
//!   the wire code interprets, the typed argument structs, and (in other
//!   crates) the ntdll stubs and the Executive's dispatch.
//! - [`wire`]: how a call travels over seL4 IPC and the per-thread service
//!   buffer: `marshal` / `copy_back` for ntdll, `unmarshal` / `Reply` for
//!   the Executive, all validated, none panicking on any input.
//!
//! Facts come from /work/shared/reference/nt-facts.md and the phnt headers
//! (winsiderss/phnt) named beside each item; the protocol is Triton's own,
//! informed by Neptune OS's (neptune-os-study.md §4) but with the buffer
//! descriptors validated instead of trusted.
//!
//! # Generating code from the table
//!
//! [`nt_services!`] hands the table to a macro of the caller's. An ntdll stub
//! generator is a dozen lines (each argument is one machine word on Win64,
//! so every stub has the same shape):
//!
//! ```ignore
//! macro_rules! stubs {
//!     ($( $(#[$m:meta])* $name:ident = $num:literal {
//!         $( $arg:ident : $kind:ident $(<$t:ident>)? $({ $($k:ident : $v:ident),* })? ),* $(,)?
//!     } ),* $(,)?) => { $(
//!         #[no_mangle]
//!         pub extern "system" fn $name($($arg: u64),*) -> nt_abi::NtStatus {
//!             crate::syscall::call(nt_abi::ServiceId::$name, &[$($arg),*])
//!         }
//!     )* };
//! }
//! nt_abi::nt_services!(stubs);
//! ```
//!
//! `tests/stubs.rs` runs exactly that against an in-process Executive.

#![no_std]
#![forbid(unsafe_code)]


pub mod classes;
pub mod consts;
pub mod services;
pub mod status;
pub mod types;
pub mod wire;

pub use services::{ArgDesc, ArgKind, Dir, Pointee, Scalar, ServiceDesc, ServiceId, MAX_ARGS, SERVICES, SERVICE_COUNT};
pub use status::{NtStatus, NTSTATUS};
pub use types::Handle;
