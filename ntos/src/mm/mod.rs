//! The Executive's memory: every untyped cap from BootInfo, the root
//! CNode's free slots, pools of reusable objects, the Executive's heap, its
//! own mappings and its clients' address spaces. All kernel objects the
//! Executive creates come from here.

pub mod heap;
pub mod map;
pub mod section;
pub mod services;
pub mod space;
pub mod vad;
mod untyped;

pub use untyped::{Memory, DEPTH};
