//! The Executive's memory: every untyped cap from BootInfo, the root
//! CNode's free slots, and mappings into the Executive's own address space.
//! All kernel objects the Executive creates come from here.

pub mod map;
mod untyped;

pub use untyped::Memory;
