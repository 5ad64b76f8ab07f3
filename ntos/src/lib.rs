//! The NT Executive (`ntos`): Triton's root task. It takes every untyped
//! capability the kernel hands over, manages kernel objects itself, and
//! serves the NT Native API over IPC. Component folders follow NTOSKRNL's:
//! `ob` (object manager), `ps` (processes and threads), `mm` (memory),
//! `ke` (the console), `ex` (boot and the service dispatcher).
//!
//! The crate is a library with the root task as its binary (`main.rs`) so
//! that the pure parts (object names, handle tables, the namespace) are
//! tested on the host by `cargo test -p ntos`.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod ex;
pub mod ke;
pub mod mm;
pub mod ob;
pub mod ps;
pub mod record;
