//! Kernel-side services of the Executive: the console and the clock.

pub mod console;
pub mod dispatcher;
pub mod services;
pub mod shared_data;
pub mod tick;
pub mod time;
