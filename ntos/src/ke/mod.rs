//! Kernel-side services of the Executive: the console and the clock.

pub mod console;
pub mod time;
