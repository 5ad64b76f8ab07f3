//! The service loop: receive on the Executive's endpoint, decode a client
//! thread's call with nt-abi's wire code (generated from the one service
//! table), run the handler, reply; and end a process whose thread faulted,
//! with the NT exception code of the fault.
//!
//! A reply goes out with ReplyRecv (one system call per service, the
//! kernel's fastpath when the reply fits in registers). A handler that
//! ends the calling thread does not reply at all.

use super::Executive;
use crate::ke::services::EventOp;
use crate::ke::tick::TICK_BADGE;
use crate::mm::vad::Access;
use crate::ps::process::FAULT_BADGE;
use core::fmt::Write;
use nt_abi::status::*;
use nt_abi::wire::{self, probe, teb_slots, Call, Reply};
use nt_abi::{NtStatus, ServiceId};
use sel4::abi::{MessageInfo, FAST_MESSAGE_REGISTERS};
use sel4::fault::Fault;
use sel4::MsgRegs;

/// What a handler wants sent back.
pub enum Outcome {
    Reply(NtStatus),
    /// The caller no longer exists (it ended itself or its process).
    NoReply,
}

fn ipc_buffer() -> &'static mut sel4::abi::IpcBuffer {
    // SAFETY: the root thread's IPC buffer (set up by sel4-rt from
    // BootInfo) is mapped for the Executive's lifetime, and only this one
    // thread uses it.
    unsafe { &mut *sel4::ipc_buffer_ptr() }
}

/// Serves clients forever.
pub fn serve(ex: &mut Executive) -> ! {
    let mut regs = MsgRegs::default();
    let (mut badge, mut info) = sel4::sys_recv(ex.endpoint, &mut regs);
    loop {
        // A clock tick (the bound notification): nobody to answer.
        if badge & TICK_BADGE != 0 {
            if let Some(t) = &ex.tick {
                t.tick(&ex.clock);
            }
            ex.advance_clock();
            (badge, info) = sel4::sys_recv(ex.endpoint, &mut regs);
            continue;
        }
        // The shortest path: a service without arguments (its message is
        // empty) is answered at once.
        if badge & FAULT_BADGE == 0 && info.length() == 0 {
            match ex.no_argument_service(badge, info.label()) {
                Some(Some(status)) => {
                    let reply = MessageInfo::new(status.0 as u64, 0, 0, 0);
                    (badge, info) = sel4::sys_reply_recv(ex.endpoint, reply, &mut regs);
                    continue;
                }
                // The caller went to run an APC: no reply.
                Some(None) => {
                    (badge, info) = sel4::sys_recv(ex.endpoint, &mut regs);
                    continue;
                }
                None => {}
            }
        }
        // No call or fault message is longer than this; a longer one is
        // cut and then refused by its length.
        let n = (info.length() as usize).min(MAX_MESSAGE);
        let mut mrs = [0u64; MAX_MESSAGE];
        mrs[..FAST_MESSAGE_REGISTERS].copy_from_slice(&regs.0);
        if n > FAST_MESSAGE_REGISTERS {
            mrs[FAST_MESSAGE_REGISTERS..n].copy_from_slice(&ipc_buffer().msg[FAST_MESSAGE_REGISTERS..n]);
        }
        let reply = if badge & FAULT_BADGE != 0 {
            ex.fault(badge & !FAULT_BADGE, info, &mrs[..n])
        } else {
            ex.call(badge, info.label(), &mrs[..n])
        };
        (badge, info) = match reply {
            Some((label, words, len)) => {
                regs.0.copy_from_slice(&words[..FAST_MESSAGE_REGISTERS]);
                if len > FAST_MESSAGE_REGISTERS {
                    ipc_buffer().msg[FAST_MESSAGE_REGISTERS..len].copy_from_slice(&words[FAST_MESSAGE_REGISTERS..len]);
                }
                let info = MessageInfo::new(label, 0, 0, len as u64);
                match ex.suspend_after_reply.take() {
                    // A caller that suspended itself: reply, then stop it
                    // before it runs (it is below the Executive's priority).
                    Some(tcb) => {
                        sel4::sys_reply(info, &mut regs);
                        let _ = sel4::Tcb(tcb).suspend();
                        sel4::sys_recv(ex.endpoint, &mut regs)
                    }
                    None => sel4::sys_reply_recv(ex.endpoint, info, &mut regs),
                }
            }
            None => sel4::sys_recv(ex.endpoint, &mut regs),
        };
    }
}

type ReplyWords = (u64, [u64; wire::MAX_REPLY_WORDS], usize);

/// The longest message the Executive reads: a service call's, or a fault's
/// (UnknownSyscall carries 20 words).
const MAX_MESSAGE: usize = if wire::MAX_CALL_WORDS > 20 { wire::MAX_CALL_WORDS } else { 20 } + 1;

fn status_only(s: NtStatus) -> Option<ReplyWords> {
    Some((s.0 as u32 as u64, [0; wire::MAX_REPLY_WORDS], 0))
}

impl Executive {
    /// One service call from thread `tid`.
    fn call(&mut self, tid: u64, label: u64, mrs: &[u64]) -> Option<ReplyWords> {
        let buffer = self.threads.get(&tid)?.buffer();
        let Some(service) = u32::try_from(label).ok().and_then(|l| ServiceId::try_from(l).ok()) else {
            return status_only(STATUS_INVALID_SYSTEM_SERVICE);
        };
        // Services without arguments take no message words (those with
        // an empty message went the short way in `serve`).
        if service.desc().args.is_empty() {
            return status_only(STATUS_INVALID_PARAMETER);
        }
        let extent = match wire::extent(service, mrs) {
            Ok(e) => e,
            Err(s) => return status_only(s),
        };
        let mut snapshot = core::mem::take(&mut self.snapshot);
        snapshot.clear();
        snapshot.extend_from_slice(&buffer[..extent.in_end as usize]);
        let decoded = wire::unmarshal(service, mrs, &snapshot).and_then(|d| d.typed());
        let mut reply = Reply::new(service, buffer);
        let outcome = match decoded {
            Ok(call) => self.dispatch(tid, call, &mut reply),
            Err(s) => Outcome::Reply(s),
        };
        self.snapshot = snapshot;
        match outcome {
            Outcome::NoReply => None,
            Outcome::Reply(status) => {
                reply.set_status(status);
                let mut words = [0u64; wire::MAX_REPLY_WORDS];
                let w = reply.words();
                words[..w.len()].copy_from_slice(w);
                Some((reply.label(), words, w.len()))
            }
        }
    }

    /// A service without arguments called by thread `tid`: its status,
    /// or Some(None) when the caller is not to be answered; None when
    /// `label` is not such a service.
    fn no_argument_service(&mut self, tid: u64, label: u64) -> Option<Option<NtStatus>> {
        let service = ServiceId::try_from(u32::try_from(label).ok()?).ok()?;
        match service {
            ServiceId::NtTestAlert => Some(self.nt_test_alert(tid)),
            // The reply itself puts the caller behind every other ready
            // thread of its priority (seL4 enqueues a woken thread at the
            // tail), which is what a yield is.
            ServiceId::NtYieldExecution => Some(Some(STATUS_SUCCESS)),
            _ => None,
        }
    }

    /// Routes a decoded call to its handler.
    fn dispatch(&mut self, tid: u64, call: Call, reply: &mut Reply) -> Outcome {
        match call {
            Call::NtDisplayString(a) => {
                let mut w = &self.console;
                for c in char::decode_utf16(a.string.units()) {
                    let _ = w.write_char(c.unwrap_or(char::REPLACEMENT_CHARACTER));
                }
                Outcome::Reply(STATUS_SUCCESS)
            }
            Call::NtAllocateVirtualMemory(a) => self.nt_allocate_virtual_memory(tid, a, reply),
            Call::NtFreeVirtualMemory(a) => self.nt_free_virtual_memory(tid, a, reply),
            Call::NtProtectVirtualMemory(a) => self.nt_protect_virtual_memory(tid, a, reply),
            Call::NtQueryVirtualMemory(a) => self.nt_query_virtual_memory(tid, a, reply),
            Call::NtReadVirtualMemory(a) => self.nt_read_virtual_memory(tid, a, reply),
            Call::NtWriteVirtualMemory(a) => self.nt_write_virtual_memory(tid, a, reply),
            Call::NtFlushInstructionCache(a) => self.nt_flush_instruction_cache(tid, a),
            Call::NtLockVirtualMemory(a) => self.nt_lock_virtual_memory(tid, a, reply),
            Call::NtCreateSection(a) => self.nt_create_section(tid, a, reply),
            Call::NtOpenSection(a) => self.nt_open_section(tid, a, reply),
            Call::NtMapViewOfSection(a) => self.nt_map_view_of_section(tid, a, reply),
            Call::NtUnmapViewOfSection(a) => self.nt_unmap_view_of_section(tid, a),
            Call::NtQuerySection(a) => self.nt_query_section(tid, a, reply),
            Call::NtExtendSection(a) => self.nt_extend_section(tid, a),
            Call::NtCreateEvent(a) => self.nt_create_event(tid, a, reply),
            Call::NtOpenEvent(a) => self.nt_open_event(tid, a, reply),
            Call::NtSetEvent(a) => self.nt_event_signal(tid, a.event_handle, EventOp::Set, a.previous_state, reply),
            Call::NtResetEvent(a) => self.nt_event_signal(tid, a.event_handle, EventOp::Reset, a.previous_state, reply),
            Call::NtPulseEvent(a) => self.nt_event_signal(tid, a.event_handle, EventOp::Pulse, a.previous_state, reply),
            Call::NtClearEvent(a) => self.nt_event_signal(tid, a.event_handle, EventOp::Reset, None, reply),
            Call::NtQueryEvent(a) => self.nt_query_event(tid, a, reply),
            Call::NtCreateMutant(a) => self.nt_create_mutant(tid, a, reply),
            Call::NtOpenMutant(a) => self.nt_open_mutant(tid, a, reply),
            Call::NtReleaseMutant(a) => self.nt_release_mutant(tid, a, reply),
            Call::NtQueryMutant(a) => self.nt_query_mutant(tid, a, reply),
            Call::NtCreateSemaphore(a) => self.nt_create_semaphore(tid, a, reply),
            Call::NtOpenSemaphore(a) => self.nt_open_semaphore(tid, a, reply),
            Call::NtReleaseSemaphore(a) => self.nt_release_semaphore(tid, a, reply),
            Call::NtQuerySemaphore(a) => self.nt_query_semaphore(tid, a, reply),
            Call::NtCreateTimer(a) => self.nt_create_timer(tid, a, reply),
            Call::NtOpenTimer(a) => self.nt_open_timer(tid, a, reply),
            Call::NtSetTimer(a) => self.nt_set_timer(tid, a, reply),
            Call::NtCancelTimer(a) => self.nt_cancel_timer(tid, a, reply),
            Call::NtQueryTimer(a) => self.nt_query_timer(tid, a, reply),
            Call::NtWaitForSingleObject(a) => self.nt_wait_for_single_object(tid, a),
            Call::NtWaitForMultipleObjects(a) => self.nt_wait_for_multiple_objects(tid, a),
            Call::NtSignalAndWaitForSingleObject(a) => self.nt_signal_and_wait_for_single_object(tid, a),
            Call::NtDelayExecution(a) => self.nt_delay_execution(tid, a),
            Call::NtAlertThread(a) => self.nt_alert_thread(tid, a),
            Call::NtQueueApcThread(a) => self.nt_queue_apc_thread(tid, a),
            Call::NtContinue(a) => self.nt_continue(tid, a.context_record.bytes(), a.test_alert),
            Call::NtQuerySystemTime(a) => {
                let _ = reply.put(a.system_time, &self.clock.now());
                Outcome::Reply(STATUS_SUCCESS)
            }
            // The counter is the clock's: 100 ns units since boot, at 10 MHz
            // (what Windows reports on machines with an invariant TSC).
            // One fixed tick (ke::tick): the coarsest, finest and current
            // resolutions are all 15.625 ms.
            Call::NtQueryTimerResolution(a) => {
                let r = crate::ke::shared_data::TICK_100NS as u32;
                let _ = reply.put(a.maximum_time, &r);
                let _ = reply.put(a.minimum_time, &r);
                let _ = reply.put(a.current_time, &r);
                Outcome::Reply(STATUS_SUCCESS)
            }
            // No privileges are modelled yet: anyone may set the clock.
            Call::NtSetSystemTime(a) => {
                if let Some(p) = a.previous_time {
                    let _ = reply.put(p, &self.clock.now());
                }
                if let Some(t) = a.system_time {
                    self.clock.set(t.get());
                }
                Outcome::Reply(STATUS_SUCCESS)
            }
            Call::NtQueryPerformanceCounter(a) => {
                let _ = reply.put(a.performance_counter, &self.clock.since_boot());
                if let Some(f) = a.performance_frequency {
                    let _ = reply.put(f, &crate::ke::time::TICKS_PER_SECOND);
                }
                Outcome::Reply(STATUS_SUCCESS)
            }
            Call::NtQuerySystemInformation(a) => self.nt_query_system_information(tid, a, reply),
            Call::NtClose(a) => self.nt_close(tid, a),
            Call::NtDuplicateObject(a) => self.nt_duplicate_object(tid, a, reply),
            Call::NtQueryObject(a) => self.nt_query_object(tid, a, reply),
            Call::NtMakeTemporaryObject(a) => self.nt_make_temporary_object(tid, a),
            Call::NtCreateDirectoryObject(a) => self.nt_create_directory_object(tid, a, reply),
            Call::NtOpenDirectoryObject(a) => self.nt_open_directory_object(tid, a, reply),
            Call::NtQueryDirectoryObject(a) => self.nt_query_directory_object(tid, a, reply),
            Call::NtCreateSymbolicLinkObject(a) => self.nt_create_symbolic_link_object(tid, a, reply),
            Call::NtOpenSymbolicLinkObject(a) => self.nt_open_symbolic_link_object(tid, a, reply),
            Call::NtQuerySymbolicLinkObject(a) => self.nt_query_symbolic_link_object(tid, a, reply),
            Call::NtCreateUserProcess(a) => self.nt_create_user_process(tid, a, reply),
            Call::NtCreateProcessEx(a) => self.nt_create_process_ex(tid, a, reply),
            Call::NtOpenProcess(a) => self.nt_open_process(tid, a, reply),
            Call::NtTerminateProcess(a) => self.nt_terminate_process(tid, a.process_handle, a.exit_status),
            Call::NtQueryInformationProcess(a) => self.nt_query_information_process(tid, a, reply),
            Call::NtSetInformationProcess(a) => self.nt_set_information_process(tid, a),
            Call::NtCreateThread(a) => self.nt_create_thread(tid, a, reply),
            Call::NtCreateThreadEx(a) => self.nt_create_thread_ex(tid, a, reply),
            Call::NtOpenThread(a) => self.nt_open_thread(tid, a, reply),
            Call::NtTerminateThread(a) => self.nt_terminate_thread(tid, a.thread_handle, a.exit_status),
            Call::NtQueryInformationThread(a) => self.nt_query_information_thread(tid, a, reply),
            Call::NtSetInformationThread(a) => self.nt_set_information_thread(tid, a),
            Call::NtSuspendThread(a) => self.nt_suspend_thread(tid, a, reply),
            Call::NtResumeThread(a) => self.nt_resume_thread(tid, a, reply),
            Call::NtGetContextThread(a) => self.nt_get_context_thread(tid, a, reply),
            Call::NtSetContextThread(a) => self.nt_set_context_thread(tid, a),
            _ => {
                let _ = reply;
                Outcome::Reply(STATUS_NOT_IMPLEMENTED)
            }
        }
    }

    /// A thread faulted. A page fault on committed memory is resolved (the
    /// page gets its frame) and the thread goes on; anything else ends its
    /// process with the NT exception code (user-mode exception dispatch
    /// arrives with SEH).
    fn fault(&mut self, tid: u64, info: MessageInfo, mrs: &[u64]) -> Option<ReplyWords> {
        let pid = self.threads.get(&tid).map(|t| t.pid)?;
        let fault = Fault::decode(info, |i| mrs.get(i).copied().unwrap_or(0));
        let (mut code, ip, detail) = exception_code(&fault);
        if let Fault::VMFault { addr, fsr, .. } = fault {
            let access = if fsr & 0x10 != 0 {
                Access::Execute
            } else if fsr & 2 != 0 {
                Access::Write
            } else {
                Access::Read
            };
            let p = self.processes.get_mut(&pid)?;
            match p.page_fault(&mut self.mem, addr, access) {
                // An empty reply restarts the faulting instruction.
                Ok(()) => return status_only(NtStatus(0)),
                Err(e) => code = e,
            }
            if self.recover_probe(tid, code) {
                return status_only(NtStatus(0));
            }
        }
        let name = self.processes.get(&pid).map(|p| p.image_name.clone()).unwrap_or_default();
        let mut w = &self.console;
        let _ = write!(w, "ntos: process ");
        for c in char::decode_utf16(name.iter().copied()) {
            let _ = w.write_char(c.unwrap_or('?'));
        }
        let _ = writeln!(w, " (pid {pid}) ended: exception {:#010x} at rip {ip:#x}{detail}", code.0 as u32);
        self.terminate_process(pid, code);
        None
    }
}

impl Executive {
    /// A fault while ntdll touched caller memory inside a probe (see
    /// `nt_abi::wire::probe`): resume the thread at the probe's recovery
    /// code with the fault's status (STATUS_ACCESS_VIOLATION, or
    /// STATUS_GUARD_PAGE_VIOLATION for a guard page, whose guard is now
    /// gone, as Windows' probes report). False when no probe is active.
    fn recover_probe(&mut self, tid: u64, code: NtStatus) -> bool {
        let Some(t) = self.threads.get(&tid) else { return false };
        let (teb, tcb) = (t.teb, sel4::Tcb(t.tcb));
        let Some(p) = self.processes.get_mut(&t.pid) else { return false };
        let mut word = [0u8; 8];
        if p.read(&mut self.mem, teb + teb_slots::PROBE_FRAME as u64, &mut word, false).is_err() {
            return false;
        }
        let frame = u64::from_le_bytes(word);
        let mut resume = [0u8; 16];
        if frame == 0 || p.read(&mut self.mem, frame, &mut resume, true).is_err() {
            return false;
        }
        let word_at = |i: usize| u64::from_le_bytes(resume[8 * i..8 * i + 8].try_into().unwrap_or([0; 8]));
        let words = sel4::abi::USER_CONTEXT_WORDS as u64;
        let Ok(mut ctx) = tcb.read_registers(false, 0, words) else { return false };
        ctx.rip = word_at(probe::RESUME_RIP);
        ctx.rsp = word_at(probe::RESUME_RSP);
        ctx.rcx = frame;
        ctx.rax = code.0 as u64;
        tcb.write_registers(false, 0, words, &ctx).is_ok()
    }
}

/// The NT exception code for a fault, its instruction pointer and details.
fn exception_code(f: &Fault) -> (NtStatus, u64, alloc::string::String) {
    use alloc::format;
    match *f {
        Fault::VMFault { ip, addr, fsr, .. } => {
            let access = if fsr & 0x10 != 0 { "execute" } else if fsr & 2 != 0 { "write" } else { "read" };
            (STATUS_ACCESS_VIOLATION, ip, format!(" ({access} of {addr:#x})"))
        }
        Fault::UserException { ip, number, .. } => {
            let code = match number {
                0 => STATUS_INTEGER_DIVIDE_BY_ZERO,
                1 => STATUS_SINGLE_STEP,
                3 => STATUS_BREAKPOINT,
                4 => STATUS_INTEGER_OVERFLOW,
                5 => STATUS_ARRAY_BOUNDS_EXCEEDED,
                6 => STATUS_ILLEGAL_INSTRUCTION,
                13 => STATUS_PRIVILEGED_INSTRUCTION,
                16 | 19 => STATUS_FLOAT_INVALID_OPERATION,
                17 => STATUS_DATATYPE_MISALIGNMENT,
                _ => STATUS_ACCESS_VIOLATION,
            };
            (code, ip, format!(" (vector {number})"))
        }
        Fault::UnknownSyscall { regs, number } => {
            (STATUS_INVALID_SYSTEM_SERVICE, regs[sel4::abi::fault::unknown_syscall::FAULT_IP], format!(" (system call {number:#x})"))
        }
        Fault::CapFault { ip, addr, .. } => (STATUS_ACCESS_VIOLATION, ip, format!(" (capability {addr:#x})")),
        Fault::Unknown { label } => (STATUS_ACCESS_VIOLATION, 0, format!(" (fault {label})")),
    }
}
