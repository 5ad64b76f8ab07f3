//! Kernel-side services of the Executive: the console.

pub mod console;
