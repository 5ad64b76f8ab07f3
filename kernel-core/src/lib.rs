//! `kernel-core`: the parts of the Triton kernel that are pure logic.
//!
//! Everything here works on plain values or on memory reached through small
//! traits ([`cspace::SlotReader`], [`multiboot::PhysMem`]), so the same code
//! runs inside the kernel and under host `cargo test`, where proptest checks
//! it against simple models. The crate has no `unsafe` at all: the kernel
//! supplies the few accessors that touch physical memory.
//!
//! Modules:
//! - [`cap`]: the two-word capability encoding, the MDB node packing and the
//!   derivation rules seL4 applies when caps are copied, minted or revoked.
//! - [`cspace`]: capability-pointer resolution (seL4 `resolveAddressBits`).
//! - [`mdb`]: the capability derivation tree (seL4's MDB list: insert, move,
//!   swap, empty, children, finality), generic over slot storage.
//! - [`elf`]: the root task's ELF64 program headers.
//! - [`untyped`]: retype arithmetic (where new objects go in an untyped).
//! - [`memory`]: physical range sets and the split into untyped blocks.
//! - [`multiboot`]: reading the multiboot 1 information structure.
//!
//! The seL4 facts come from seL4 16.0.0 (`seL4/seL4`); each module cites the
//! files it follows. The crate has no dependencies, so it keeps its own copy
//! of the few seL4 numbers it needs; a test module checks them against the
//! `sel4-abi` crate.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(test)]
extern crate std;

pub mod cap;
pub mod cspace;
pub mod elf;
pub mod mdb;
pub mod memory;
pub mod multiboot;
pub mod untyped;

#[cfg(test)]
mod abi_check;
