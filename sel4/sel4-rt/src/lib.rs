//! Runtime for root tasks: the ELF entry point the kernel jumps to (RDI =
//! BootInfo address, RSP = 0, as seL4 starts its initial thread), a stack, the
//! root thread's TLS block (FS base, holding the IPC buffer pointer from
//! BootInfo), and a panic handler that reports on the debug console and
//! halts. A program supplies `main` with `root_task!`.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]

use sel4::abi::{cap, BootInfo, IpcBuffer};
use sel4::TlsBlock;

const STACK_SIZE: usize = 256 * 1024;

#[repr(C, align(16))]
struct Stack([u8; STACK_SIZE]);

/// The root thread's TLS block; its FS base points here from the start.
static ROOT_TLS: TlsBlock = TlsBlock::new();

#[no_mangle]
static mut __sel4_rt_stack: Stack = Stack([0; STACK_SIZE]);

core::arch::global_asm!(
    ".section .text._start",
    ".global _start",
    "_start:",
    "    lea rsp, [rip + {stack} + {size}]",
    "    xor ebp, ebp",
    "    call {start}",
    "    ud2",
    stack = sym __sel4_rt_stack,
    size = const STACK_SIZE,
    start = sym rt_start,
);

extern "Rust" {
    fn __sel4_rt_main(bootinfo: &'static BootInfo) -> !;
}

extern "C" fn rt_start(bootinfo: *const BootInfo) -> ! {
    // SAFETY: the kernel passes the address of the mapped, read-only BootInfo
    // frame, which stays mapped for the root task's lifetime.
    let bi = unsafe { &*bootinfo };
    // SAFETY: no thread uses ROOT_TLS yet (this is the first code to run),
    // and BootInfo names the root task's own IPC buffer, mapped writable.
    unsafe { ROOT_TLS.init(bi.ipc_buffer as *mut IpcBuffer, cap::INIT_THREAD_TCB) };
    // Before this call the FS base is 0 and nothing may touch the buffer.
    sel4::set_tls_base(ROOT_TLS.base());
    // SAFETY: `root_task!` defines this symbol with the right signature.
    unsafe { __sel4_rt_main(bi) }
}

/// Declares the root task's `fn main(&'static BootInfo) -> !`.
#[macro_export]
macro_rules! root_task {
    ($main:path) => {
        #[no_mangle]
        fn __sel4_rt_main(bootinfo: &'static $crate::BootInfoRef) -> ! {
            $main(bootinfo)
        }
    };
}

pub use sel4::abi::BootInfo as BootInfoRef;

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    sel4::println!("root task panicked: {}", info);
    sel4::debug_halt()
}
