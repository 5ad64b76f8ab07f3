//! One service call: marshal into the service buffer, seL4 Call the
//! Executive (with the `sel4` crate's system call), copy the outputs back.
//! Caller memory is touched only inside a probe (`probed`): a fault there
//! comes back as STATUS_ACCESS_VIOLATION from the stub instead of ending the
//! process (see `nt_abi::wire::probe`). The TEB read and the probe are the
//! only assembly here.

use core::arch::asm;
use nt_abi::status::{STATUS_ACCESS_VIOLATION, STATUS_INVALID_SYSTEM_SERVICE};
use nt_abi::wire::{self, check_user_range, teb_slots, UserMemory, SERVICE_BUFFER_SIZE};
use nt_abi::{NtStatus, ServiceId};
use sel4_abi::{MessageInfo, FAST_MESSAGE_REGISTERS};

/// The calling process's own memory, as the marshaller sees it. Ranges are
/// checked against the user half first; an unmapped page in a checked range
/// faults, and the probe around the marshaller turns that into
/// STATUS_ACCESS_VIOLATION.
struct OwnMemory;

impl UserMemory for OwnMemory {
    fn read(&self, addr: u64, dst: &mut [u8]) -> Result<(), NtStatus> {
        check_user_range(addr, dst.len() as u64)?;
        if dst.is_empty() {
            return Ok(());
        }
        // NULL never names caller memory, and copy_nonoverlapping must not
        // be given it (its debug check would panic, ending the process).
        if addr == 0 {
            return Err(STATUS_ACCESS_VIOLATION);
        }
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
        if src.is_empty() {
            return Ok(());
        }
        // As in `read`.
        if addr == 0 {
            return Err(STATUS_ACCESS_VIOLATION);
        }
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

/// The registers a probe restores on recovery: the resume address and
/// stack pointer (words 0 and 1, `nt_abi::wire::probe`), then RBX, RBP,
/// RDI, RSI, R12-R15 and XMM6-15, the Win64 callee-saved state.
#[repr(C, align(16))]
struct ProbeFrame([u64; 10 + 20]);

core::arch::global_asm!(
    ".globl triton_probe",
    "triton_probe:",
    // rcx = routine, rdx = its argument, r8 = frame.
    "    mov [r8 + 8], rsp",
    "    lea rax, [rip + 3f]",
    "    mov [r8], rax",
    "    mov [r8 + 16], rbx",
    "    mov [r8 + 24], rbp",
    "    mov [r8 + 32], rdi",
    "    mov [r8 + 40], rsi",
    "    mov [r8 + 48], r12",
    "    mov [r8 + 56], r13",
    "    mov [r8 + 64], r14",
    "    mov [r8 + 72], r15",
    "    movdqa [r8 + 80], xmm6",
    "    movdqa [r8 + 96], xmm7",
    "    movdqa [r8 + 112], xmm8",
    "    movdqa [r8 + 128], xmm9",
    "    movdqa [r8 + 144], xmm10",
    "    movdqa [r8 + 160], xmm11",
    "    movdqa [r8 + 176], xmm12",
    "    movdqa [r8 + 192], xmm13",
    "    movdqa [r8 + 208], xmm14",
    "    movdqa [r8 + 224], xmm15",
    "    mov rax, gs:[0x30]",
    "    mov [rax + {slot}], r8",
    // Home space, and 16-byte alignment at the call.
    "    sub rsp, 40",
    "    mov rax, rcx",
    "    mov rcx, rdx",
    "    call rax",
    "    add rsp, 40",
    "    mov rcx, gs:[0x30]",
    "    mov qword ptr [rcx + {slot}], 0",
    "    ret",
    // Recovery (the Executive resumed us here): rcx = frame, rsp = the
    // stack pointer at entry, eax = the status to return.
    "3:",
    "    mov rbx, [rcx + 16]",
    "    mov rbp, [rcx + 24]",
    "    mov rdi, [rcx + 32]",
    "    mov rsi, [rcx + 40]",
    "    mov r12, [rcx + 48]",
    "    mov r13, [rcx + 56]",
    "    mov r14, [rcx + 64]",
    "    mov r15, [rcx + 72]",
    "    movdqa xmm6, [rcx + 80]",
    "    movdqa xmm7, [rcx + 96]",
    "    movdqa xmm8, [rcx + 112]",
    "    movdqa xmm9, [rcx + 128]",
    "    movdqa xmm10, [rcx + 144]",
    "    movdqa xmm11, [rcx + 160]",
    "    movdqa xmm12, [rcx + 176]",
    "    movdqa xmm13, [rcx + 192]",
    "    movdqa xmm14, [rcx + 208]",
    "    movdqa xmm15, [rcx + 224]",
    "    mov rdx, gs:[0x30]",
    "    mov qword ptr [rdx + {slot}], 0",
    "    ret",
    slot = const teb_slots::PROBE_FRAME,
);

extern "win64" {
    fn triton_probe(routine: extern "win64" fn(*mut u8) -> u32, context: *mut u8, frame: *mut ProbeFrame) -> u32;
}

/// Runs `f`, which touches caller memory; a fault on memory the caller may
/// not touch ends `f` early with STATUS_ACCESS_VIOLATION. `f` must own
/// nothing that needs dropping: a recovery leaves its frames as a longjmp
/// would.
fn probed<F: FnMut() -> NtStatus>(mut f: F) -> NtStatus {
    extern "win64" fn trampoline<F: FnMut() -> NtStatus>(context: *mut u8) -> u32 {
        // SAFETY: `context` is the `&mut F` `probed` passed, alive for the call.
        let f = unsafe { &mut *(context as *mut F) };
        f().0
    }
    let mut frame = ProbeFrame([0; 30]);
    // SAFETY: triton_probe saves the callee-saved state in `frame`, records
    // it in the TEB, calls `trampoline(&mut f)` and clears the record; on
    // recovery it restores that state and returns the Executive's status.
    NtStatus(unsafe { triton_probe(trampoline::<F>, &mut f as *mut F as *mut u8, &mut frame) })
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
    probed(|| {
        // SAFETY: the Executive maps the thread's service buffer at this
        // address for the thread's life; only this thread uses it between
        // calls.
        let buf = unsafe { core::slice::from_raw_parts_mut(buf_addr as *mut u8, SERVICE_BUFFER_SIZE) };
        let mut mem = OwnMemory;
        let call = match wire::marshal(service, args, &mem, buf) {
            Ok(c) => c,
            Err(status) => return status,
        };
        let (label, len) = sel4_call(endpoint, ipc, call.label(), call.words(), &mut regs);
        // A reply longer than any service's is malformed: copy_back refuses
        // it by its length alone.
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
    })
}
