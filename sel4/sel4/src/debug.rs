//! The debug system calls (seL4's DEBUG_BUILD/PRINTING set) and a
//! `core::fmt::Write` sink over DebugPutChar.

use crate::arch::syscall_rdi;
use sel4_abi::Syscall;

/// Corresponds to `seL4_DebugPutChar`.
pub fn debug_put_char(c: u8) {
    syscall_rdi(Syscall::DebugPutChar, c as u64);
}

/// Writes a string with DebugPutChar.
pub fn debug_puts(s: &str) {
    s.bytes().for_each(debug_put_char);
}

/// Corresponds to `seL4_DebugHalt`: stops the machine.
pub fn debug_halt() -> ! {
    syscall_rdi(Syscall::DebugHalt, 0);
    // A kernel without DebugHalt returns; there is nothing sensible to do.
    loop {
        crate::sys_yield();
    }
}

/// Corresponds to `seL4_DebugCapIdentify`: the kernel's cap type number of
/// the capability at `cptr` (0 for an empty slot or a failed lookup).
pub fn debug_cap_identify(cptr: u64) -> u64 {
    syscall_rdi(Syscall::DebugCapIdentify, cptr)
}

/// Corresponds to `seL4_DebugDumpScheduler`.
pub fn debug_dump_scheduler() {
    syscall_rdi(Syscall::DebugDumpScheduler, 0);
}

/// Corresponds to `seL4_DebugNameThread`: the name travels NUL-terminated in
/// the IPC buffer from msg[0].
pub fn debug_name_thread(tcb: u64, name: &str) {
    let bytes = name.as_bytes();
    crate::with_ipc_buffer(|buf| {
        let max = buf.msg.len() * 8 - 1;
        let n = bytes.len().min(max);
        let mut words = [0u64; sel4_abi::MSG_MAX_LENGTH];
        for (i, b) in bytes[..n].iter().enumerate() {
            words[i / 8] |= (*b as u64) << ((i % 8) * 8);
        }
        buf.msg.copy_from_slice(&words);
    });
    syscall_rdi(Syscall::DebugNameThread, tcb);
}

/// The SetTLSBase system call (served by Triton, which keeps FS/GS bases in
/// MSRs): sets the calling thread's FS base. The thread's TLS block moves
/// with it, so the new base must point to a [`crate::TlsBlock`] set up for
/// this thread.
pub fn set_tls_base(base: u64) {
    syscall_rdi(Syscall::SetTLSBase, base);
}

/// `core::fmt::Write` over DebugPutChar, for `print!`/`println!`.
pub struct DebugWriter;

impl core::fmt::Write for DebugWriter {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        debug_puts(s);
        Ok(())
    }
}
