//! The Executive's state: memory, the console, the boot image, the process
//! and thread tables, and the endpoint every client thread calls. One
//! `Executive` value exists; the service loop (`ex::dispatch`) owns it.

use super::object::Body;
use crate::ke::console::Console;
use super::wait::Blocked;
use crate::ke::dispatcher::Dispatcher;
use crate::ke::tick::Tick;
use crate::ke::time::Clock;
use crate::mm::Memory;
use crate::ps::params::Params;
use crate::ps::process::{self, ProcessSpec, Start, ThreadSpec};
use crate::ob::{ObjectAttrs, ObjectManager, TypeId};
use crate::ps::{Process, Thread};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt::Write;
use nt_abi::status::*;
use nt_abi::NtStatus;
use sel4::abi::ObjectType;
use sel4::CPtr;

/// Where the Executive maps its view of each thread's service buffer: one
/// 64 KiB window per live thread.
const SERVICE_WINDOWS: u64 = 0x90_0000_0000;
const WINDOW: u64 = nt_abi::wire::SERVICE_BUFFER_SIZE as u64;

pub struct Executive {
    pub mem: Memory,
    pub console: Console,
    pub clock: Clock,
    /// KUSER_SHARED_DATA's frame, and the tick that keeps its clocks.
    pub shared_data: Option<CPtr>,
    pub tick: Option<Tick>,
    /// The endpoint the Executive receives on; clients hold badged copies.
    pub endpoint: CPtr,
    /// The boot image (a ustar archive), if the boot loader passed one.
    pub boot_image: &'static [u8],
    pub ob: ObjectManager<Body>,
    /// Process and thread records by id; a record lives as long as its
    /// object (the Executive holds a reference while it runs).
    pub processes: BTreeMap<u64, Process>,
    pub threads: BTreeMap<u64, Thread>,
    /// Client ids (process and thread ids share one space, as in NT's
    /// CID table): multiples of 4 from 8 (4 is NT's System process).
    next_cid: u64,
    free_windows: Vec<u64>,
    next_window: u64,
    /// The caller's service-buffer inputs, copied before unmarshalling.
    pub snapshot: Vec<u8>,
    /// The TCB of a caller that suspended itself: the service loop stops
    /// it right after its reply (stopping it before would cancel the
    /// reply, and seL4 would restart the call on resume).
    pub suspend_after_reply: Option<CPtr>,
    /// Events, mutants, semaphores, timers, and processes and threads as
    /// waitable objects (ids: client ids and `new_id`s, one space).
    pub ke: Dispatcher,
    /// Threads blocked in a wait, with their saved replies.
    pub blocked: BTreeMap<u64, Blocked>,
}

impl Executive {
    pub fn new(mut mem: Memory, console: Console, clock: Clock, boot_image: &'static [u8]) -> Result<Executive, sel4::Error> {
        let endpoint = mem.alloc(ObjectType::Endpoint, 0)?;
        Ok(Executive {
            mem,
            console,
            clock,
            shared_data: None,
            tick: None,
            endpoint,
            boot_image,
            ob: ObjectManager::new(),
            processes: BTreeMap::new(),
            threads: BTreeMap::new(),
            next_cid: 8,
            free_windows: Vec::new(),
            next_window: SERVICE_WINDOWS,
            snapshot: Vec::with_capacity(nt_abi::wire::SERVICE_BUFFER_SIZE),
            suspend_after_reply: None,
            ke: Dispatcher::new(0),
            blocked: BTreeMap::new(),
        })
    }

    /// An id for a dispatcher object (from the client-id space, so it
    /// never equals a process's or thread's).
    pub fn new_id(&mut self) -> u64 {
        self.cid()
    }

    fn cid(&mut self) -> u64 {
        let c = self.next_cid;
        self.next_cid += 4;
        c
    }

    /// A boot-image file by path inside the archive (case-insensitive).
    pub fn boot_file(&self, path: &str) -> Option<&'static [u8]> {
        bootimg::Archive::new(self.boot_image).ok()?.file_ci(path)
    }

    /// Creates a process from an image file and its first thread (not
    /// started when `suspended`); returns (pid, tid).
    pub fn spawn(&mut self, image_name: &[u16], params: &Params, parent: u64, suspended: bool) -> Result<(u64, u64), NtStatus> {
        let (file, device) = self.open_image_file(image_name)?;
        let pid = self.create_process(file, image_name, device, Some(params), parent)?;
        let p = &self.processes[&pid];
        let (entry, peb) = (p.image.entry, p.peb);
        match self.create_thread(pid, Start::Thunk { start: entry, arg: peb, stack_size: 0 }, suspended) {
            Ok(tid) => Ok((pid, tid)),
            Err(e) => {
                self.terminate_process(pid, e);
                Err(e)
            }
        }
    }

    /// Creates a process without threads from an image file (`params`
    /// None: PEB.ProcessParameters stays NULL); returns its pid. `device`
    /// is the file's path as ProcessImageFileName and
    /// MemoryMappedFilenameInformation report it.
    pub fn create_process(
        &mut self,
        file: &[u8],
        image_name: &[u16],
        device: Vec<u16>,
        params: Option<&Params>,
        parent: u64,
    ) -> Result<u64, NtStatus> {
        let ntdll = self.boot_file("system32/ntdll.dll").ok_or(STATUS_DLL_NOT_FOUND)?;
        let pid = self.cid();
        let spec = ProcessSpec { pid, parent, image_file: file, image_name, ntdll_file: ntdll, params, now: self.clock.now() };
        let mut p = process::create_process(&mut self.mem, &spec)?;
        let ntdll_path: Vec<u16> = "\\SystemRoot\\system32\\ntdll.dll".encode_utf16().collect();
        let ntdll_device = self.open_image_file(&ntdll_path).map_or(ntdll_path, |(_, d)| d);
        p.mapped_files.insert(p.image.base, device);
        p.mapped_files.insert(p.ntdll.base, ntdll_device);
        if let Some(frame) = self.shared_data {
            if let Err(e) = map_shared_data(&mut self.mem, &mut p, frame) {
                process::release_process(&mut self.mem, &mut p);
                return Err(e);
            }
        }
        let created = self
            .ob
            .create_object(None, &ObjectAttrs::default(), TypeId::PROCESS, Body::Process(pid), 0)
            .map_err(|(s, _)| s)
            .and_then(|(c, _)| self.ob.create_handle_table(pid).map(|()| c.id));
        let object = match created {
            Ok(id) => id,
            Err(e) => {
                process::release_process(&mut self.mem, &mut p);
                return Err(e);
            }
        };
        p.object = object;
        let _ = self.ke.create_process(pid);
        self.processes.insert(pid, p);
        Ok(pid)
    }

    /// A new thread in process `pid`.
    pub fn create_thread(&mut self, pid: u64, start: Start, suspended: bool) -> Result<u64, NtStatus> {
        let tid = self.cid();
        let window = self.free_windows.pop().unwrap_or_else(|| {
            self.next_window += WINDOW;
            self.next_window - WINDOW
        });
        let spec = ThreadSpec { tid, start, suspended, endpoint: self.endpoint, exec_buffer: window, now: self.clock.now() };
        let p = self.processes.get_mut(&pid).filter(|p| p.alive()).ok_or(STATUS_PROCESS_IS_TERMINATING)?;
        match process::create_thread(&mut self.mem, p, &spec) {
            Ok(mut t) => {
                match self.ob.create_object(None, &ObjectAttrs::default(), TypeId::THREAD, Body::Thread(tid), 0) {
                    Ok((c, _)) => t.object = c.id,
                    Err((s, _)) => {
                        process::release_thread(&mut self.mem, p, &mut t);
                        self.free_windows.push(window);
                        return Err(s);
                    }
                }
                let _ = self.ke.create_thread(tid, pid);
                self.threads.insert(tid, t);
                Ok(tid)
            }
            Err(e) => {
                self.free_windows.push(window);
                Err(e)
            }
        }
    }

    /// Ends a thread; the process ends with its last thread. The records
    /// stay (exit status, times) until their objects go.
    pub fn terminate_thread(&mut self, tid: u64, status: NtStatus) {
        let Some(t) = self.threads.get_mut(&tid) else { return };
        if !t.alive() {
            return;
        }
        t.exit_status = status;
        t.exit_time = self.clock.now();
        let (pid, window, object) = (t.pid, t.exec_buffer, t.object);
        // Its wait ends unanswered; mutants it held are abandoned and the
        // thread object is signalled.
        self.unblock(tid);
        let wakes = self.ke.end_thread(tid).unwrap_or_default();
        self.wake(wakes);
        let Some(t) = self.threads.get_mut(&tid) else { return };
        let Some(p) = self.processes.get_mut(&pid) else { return };
        process::release_thread(&mut self.mem, p, t);
        self.free_windows.push(window);
        let last = p.threads.is_empty();
        // The Executive's reference of a running thread.
        let gone = self.ob.dereference(object);
        self.destroyed(gone);
        let Some(p) = self.processes.get_mut(&pid) else { return };
        if last {
            if p.alive() {
                p.exit_status = status;
            }
            self.end_process(pid);
        }
    }

    /// Ends every thread of a process and releases its memory.
    pub fn terminate_process(&mut self, pid: u64, status: NtStatus) {
        let Some(p) = self.processes.get_mut(&pid) else { return };
        if p.alive() {
            p.exit_status = status;
        }
        let tids = p.threads.clone();
        for tid in tids {
            self.terminate_thread(tid, status);
        }
        // A process that never had a thread ends here.
        self.end_process(pid);
    }

    fn end_process(&mut self, pid: u64) {
        let now = self.clock.now();
        let Some(p) = self.processes.get_mut(&pid) else { return };
        if p.cnode == 0 {
            return;
        }
        p.exit_time = now;
        let (object, status, started_by_executive) = (p.object, p.exit_status, p.parent == 0);
        let name: alloc::string::String =
            char::decode_utf16(p.image_name.iter().copied()).map(|c| c.unwrap_or('?')).collect();
        process::release_process(&mut self.mem, p);
        self.drop_views(pid);
        let wakes = self.ke.end_process(pid).unwrap_or_default();
        self.wake(wakes);
        let mut gone = self.ob.destroy_handle_table(pid);
        // The Executive's reference of a running process.
        gone.extend(self.ob.dereference(object));
        self.destroyed(gone);
        // A program the Executive started itself has nobody else to tell.
        if started_by_executive {
            let _ = writeln!(
                &self.console,
                " {name} ended with status {:#010x}; {} KiB of memory free",
                status.0,
                self.mem.available_bytes() >> 10
            );
        }
    }
}

/// Maps KUSER_SHARED_DATA read-only at its fixed address in a new process.
fn map_shared_data(mem: &mut Memory, p: &mut Process, frame: CPtr) -> Result<(), NtStatus> {
    use crate::mm::vad::{VadType, ViewRequest};
    use nt_abi::consts::PAGE_READONLY;
    let view = ViewRequest {
        base: nt_abi::types::KUSER_SHARED_DATA_ADDRESS,
        size: 0x1000,
        kind: VadType::Mapped,
        protect: PAGE_READONLY,
        max_protect: PAGE_READONLY,
        commit: true,
        private_copies: false,
        zero_bits: 0,
        top_down: false,
        tag: 0,
    };
    let (base, _) = p.vad.map_view(&view)?;
    let rights = p.vad.set_backed(base, true)?;
    p.space.back_shared(mem, base, frame, rights).map_err(|_| STATUS_NO_MEMORY)
}
