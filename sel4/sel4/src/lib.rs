//! The user-side seL4 library: typed wrappers over the system calls and
//! invocations of the seL4 x86_64 ABI (declared in `sel4-abi`), the calling
//! thread's IPC buffer (found through its TLS block), threads, fault
//! decoding and debug output. Programs use this crate, never raw `syscall`
//! instructions; the only assembly lives in `arch/x86_64.rs`.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]

mod arch;
mod debug;
mod error;
pub mod fault;
mod bootinfo;
mod invocations;
mod ipc;
mod ipc_buffer;
pub mod thread;
mod tls;

pub use arch::{
    sys_call, sys_nbrecv, sys_nbsend, sys_recv, sys_reply, sys_reply_recv, sys_send, sys_yield,
    MsgRegs,
};
pub use debug::{
    debug_cap_identify, debug_dump_scheduler, debug_halt, debug_name_thread, debug_put_char,
    debug_puts, set_tls_base, DebugWriter,
};
pub use error::{Error, LookupFailure, MAX_ERROR_DETAIL};
pub use bootinfo::extra_bootinfo;
pub use invocations::{invoke, invoke_raw, irq, vspace, CNode, Reply, Tcb, Untyped};
pub use ipc::{call, nb_recv, nb_send, poll, recv, reply, reply_recv, send, signal, wait, yield_now};
pub use ipc_buffer::{
    current_tcb, get_badge, get_mr, get_user_data, ipc_buffer_ptr, set_cap, set_cap_receive_path,
    set_current_tcb, set_ipc_buffer, set_mr, set_mrs, set_user_data, with_ipc_buffer,
};
pub use sel4_abi as abi;
pub use sel4_abi::{BootInfo, CapRights, Error as ErrorCode, MessageInfo, ObjectType, UserContext};
pub use tls::{word as tls_word, TlsBlock, TLS_WORDS};

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
