//! Processes and threads (NTOSKRNL's Ps): parameters, image mapping, and
//! the life cycle of process and thread records.

pub mod image;
pub mod params;
pub mod process;
pub mod services;

pub use process::{Process, Start, Thread};
