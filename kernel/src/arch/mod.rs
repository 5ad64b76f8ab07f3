//! Architecture selection: exactly one architecture module is compiled and
//! re-exported under the same names.

#[cfg(target_arch = "x86_64")]
pub mod x86_64;
#[cfg(target_arch = "x86_64")]
pub use x86_64::{disable_interrupts, exit_qemu, init_cpu, init_early, EXIT_PANIC};

#[cfg(not(target_arch = "x86_64"))]
compile_error!("Triton's kernel supports x86_64 only so far");
