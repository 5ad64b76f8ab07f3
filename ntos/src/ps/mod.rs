//! Processes and threads (NTOSKRNL's Ps).

pub mod params;
