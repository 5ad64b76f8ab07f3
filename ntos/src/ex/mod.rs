//! Executive support: the boot sequence.

pub mod boot;
