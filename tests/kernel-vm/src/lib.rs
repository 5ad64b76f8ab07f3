//! Shared parts of the VM test suite (`kernel-vm`) and the VM benchmark
//! (`bench-vm`): the paging invocations and the test environment.
#![no_std]

pub mod env;
pub mod vm;
