//! One service call: marshal into the service buffer, seL4 Call the
//! Executive (with the `sel4` crate's system call), copy the outputs back.
//! The TEB read is the only assembly here.

use core::arch::asm;
use nt_abi::status::STATUS_INVALID_SYSTEM_SERVICE;
use nt_abi::wire::{self, check_user_range, teb_slots, UserMemory, SERVICE_BUFFER_SIZE};
use nt_abi::{NtStatus, ServiceId};
use sel4_abi::{MessageInfo, FAST_MESSAGE_REGISTERS};

/// The calling process's own memory, as the marshaller sees it. Ranges are
/// checked against the user half first; an unmapped page in a checked range
/// still faults this thread (structured exception handling arrives later).
struct OwnMemory;

impl UserMemory for OwnMemory {
    fn read(&self, addr: u64, dst: &mut [u8]) -> Result<(), NtStatus> {
        check_user_range(addr, dst.len() as u64)?;
        // SAFETY: the range is in the user half (checked above); the caller
        // passed it as a readable buffer of this size.
        unsafe { core::ptr::copy_nonoverlapping(addr as *const u8, dst.as_mut_ptr(), dst.len()) };
        Ok(())
    }

    fn probe_write(&self, addr: u64, len: u64) -> Result<(), NtStatus> {
        check_user_range(addr, len)
    }

    fn write(&mut self, addr: u64, src: &[u8]) -> Result<(), NtStatus> {
        check_user_range(addr, src.len() as u64)?;
        // SAFETY: as in `read`, for a buffer the caller passed as writable.
        unsafe { core::ptr::copy_nonoverlapping(src.as_ptr(), addr as *mut u8, src.len()) };
        Ok(())
    }
}

/// A word of this thread's TEB (GS:[0x30] is the TEB's own address).
fn teb_word(offset: usize) -> u64 {
    let teb: u64;
    // SAFETY: on Windows x64, GS points at the thread's TEB, whose Self
    // field (0x30) holds its address; the Executive sets it up.
    unsafe { asm!("mov {}, gs:[0x30]", out(reg) teb, options(nostack, readonly, preserves_flags)) };
    // SAFETY: the TEB is mapped for the thread's life; `offset` is one of
    // the `teb_slots` words inside it.
    unsafe { ((teb as usize + offset) as *const u64).read() }
}

/// seL4_Call with `words` as the message (MR4 and up through the IPC
/// buffer); returns the reply's label and length, its MR0..3 in `reply`.
fn sel4_call(endpoint: u64, ipc_buffer: u64, label: u64, words: &[u64], reply: &mut [u64; 4]) -> (u64, usize) {
    let n = words.len();
    for (i, w) in words.iter().enumerate().skip(FAST_MESSAGE_REGISTERS) {
        // SAFETY: the IPC buffer is this thread's (TEB), msg[i] at 8 + 8 * i.
        unsafe { ((ipc_buffer + 8 + 8 * i as u64) as *mut u64).write(*w) };
    }
    let mut mr = sel4::MsgRegs::default();
    mr.0[..n.min(4)].copy_from_slice(&words[..n.min(4)]);
    let (_, info) = sel4::sys_call(endpoint, MessageInfo::new(label, 0, 0, n as u64), &mut mr);
    *reply = mr.0;
    (info.label(), info.length() as usize)
}

pub fn call(service: ServiceId, args: &[u64]) -> NtStatus {
    let ipc = teb_word(teb_slots::IPC_BUFFER);
    let endpoint = teb_word(teb_slots::SERVICE_ENDPOINT);
    let mut regs = [0u64; 4];
    // Without arguments there is nothing to marshal and nothing comes
    // back but the status (NtYieldExecution, NtTestAlert).
    if args.is_empty() {
        let (label, _) = sel4_call(endpoint, ipc, service.number() as u64, &[], &mut regs);
        return wire::reply_status(label);
    }
    let buf_addr = teb_word(teb_slots::SERVICE_BUFFER);
    if buf_addr == 0 {
        return STATUS_INVALID_SYSTEM_SERVICE;
    }
    // SAFETY: the Executive maps the thread's service buffer at this address
    // for the thread's life; only this thread uses it between calls.
    let buf = unsafe { core::slice::from_raw_parts_mut(buf_addr as *mut u8, SERVICE_BUFFER_SIZE) };
    let mut mem = OwnMemory;
    let call = match wire::marshal(service, args, &mem, buf) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let (label, len) = sel4_call(endpoint, ipc, call.label(), call.words(), &mut regs);
    // A reply longer than any service's is malformed: copy_back refuses it
    // by its length alone.
    let len = len.min(wire::MAX_REPLY_WORDS + 1);
    let mut reply = [0u64; wire::MAX_REPLY_WORDS + 1];
    for (i, r) in reply.iter_mut().enumerate().take(len) {
        *r = if i < 4 {
            regs[i]
        } else {
            // SAFETY: as in sel4_call: the thread's IPC buffer.
            unsafe { ((ipc + 8 + 8 * i as u64) as *const u64).read() }
        };
    }
    wire::copy_back(&call, wire::reply_status(label), &reply[..len], buf, &mut mem)
}
