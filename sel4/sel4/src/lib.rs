//! The user-side seL4 library: typed wrappers over the system calls of the
//! seL4 x86_64 ABI (declared in `sel4-abi`), the calling thread's IPC buffer
//! and debug output. Programs use this crate, never raw `syscall`
//! instructions; the only assembly lives in `arch/x86_64.rs`.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]

mod arch;
mod debug;
mod ipc_buffer;

pub use arch::{
    sys_call, sys_nbrecv, sys_nbsend, sys_recv, sys_reply, sys_reply_recv, sys_send, sys_yield,
    MsgRegs,
};
pub use debug::{
    debug_cap_identify, debug_dump_scheduler, debug_halt, debug_name_thread, debug_put_char,
    debug_puts, set_tls_base, DebugWriter,
};
pub use ipc_buffer::{ipc_buffer, set_ipc_buffer};
pub use sel4_abi as abi;
pub use sel4_abi::{BootInfo, Error, MessageInfo};

/// A capability address in the caller's CSpace.
pub type CPtr = u64;

/// Prints to the kernel's debug console (DebugPutChar), like `print!`.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => {{
        use core::fmt::Write as _;
        let _ = write!($crate::DebugWriter, $($arg)*);
    }};
}

/// Prints a line to the kernel's debug console, like `println!`.
#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => {{
        use core::fmt::Write as _;
        let _ = writeln!($crate::DebugWriter, $($arg)*);
    }};
}
