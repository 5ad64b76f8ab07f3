//! Process and thread records and their life cycle: creating a process
//! from an image (ntdll.dll and the program mapped, PEB and process
//! parameters written), creating threads (TCB, TEB, stack, service buffer
//! shared with the Executive, badged endpoint caps in the process's CNode),
//! and tearing both down so every frame, table and slot is pooled again.
//!
//! A thread's caps live in its process's CNode (2^8 slots): slot 2k is
//! the service endpoint of the process's k-th thread (badge = thread id),
//! slot 2k+1 its fault endpoint (badge = thread id | `FAULT_BADGE`). Both
//! are badged copies of the Executive's one endpoint.

use crate::record::put;
use super::image::{self, Mapped};
use super::params::Params;
use crate::mm::section::{self, DataView};
use crate::mm::space::{Space, PAGE};
use crate::mm::vad::{self, Access, AddressSpace, FaultResolution, PageAction, VadType, ViewRequest};
use crate::mm::Memory;
use crate::ob::ObjectId;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::mem::offset_of;
use nt_abi::consts::*;
use nt_abi::status::*;
use nt_abi::types::{ClientId, NtTib, Peb, Teb, TEB_SIZE, VER_PLATFORM_WIN32_NT};
use nt_abi::wire::{teb_slots, SERVICE_BUFFER_SIZE};
use nt_abi::NtStatus;
use sel4::abi::{cap, lookup::cnode_cap_data, ObjectType, UserContext};
use sel4::{CNode, CPtr, Tcb};

/// Marks a fault endpoint's badge.
pub const FAULT_BADGE: u64 = 1 << 62;
/// Radix of a process's CNode; half its slots are threads.
const CNODE_BITS: u64 = 8;
pub const MAX_THREADS: usize = 1 << (CNODE_BITS - 1);
/// Client threads run below the Executive (seL4's maximum priority): NT
/// priority p (1..=31) is seL4 priority `PRIORITY_ZERO + p`, so the
/// normal priority 8 is seL4's 100 and the highest, 31, is 123.
const PRIORITY_ZERO: u64 = 92;
/// NT's normal priority (NORMAL_PRIORITY_CLASS, no increment).
pub const NORMAL_PRIORITY: i32 = 8;
/// The smallest and largest stack a thread gets. Stacks cannot grow yet
/// (no guard-page handling), so the whole reserve is committed; committed
/// pages get frames only when touched, so a large stack costs nothing
/// until it is used.
const MIN_STACK: u64 = 256 * 1024;
const MAX_STACK: u64 = 16 * 1024 * 1024;

/// The seL4 priority of a thread with NT priority `nt` (clamped to 1..=31).
pub const fn sel4_priority(nt: i32) -> u64 {
    let p = if nt < 1 {
        1
    } else if nt > 31 {
        31
    } else {
        nt
    };
    PRIORITY_ZERO + p as u64
}

pub struct Process {
    pub pid: u64,
    /// The process object (the Executive holds a reference while it runs).
    pub object: ObjectId,
    pub parent: u64,
    pub space: Space,
    pub cnode: CPtr,
    /// Thread id in each of the CNode's thread positions.
    slots: [Option<u64>; MAX_THREADS],
    pub threads: Vec<u64>,
    /// What is reserved and committed where: images, PEB, stacks, TEBs,
    /// buffers, and what the program allocates.
    pub vad: AddressSpace,
    /// The views of data sections, by base address.
    pub views: BTreeMap<u64, DataView>,
    pub peb: u64,
    pub image: Mapped,
    pub ntdll: Mapped,
    /// ntdll's LdrInitializeThunk, where threads start.
    pub ldr_thunk: u64,
    /// ntdll's KiUserApcDispatcher, where user APCs run (0: none).
    pub apc_dispatcher: u64,
    /// The device path of the file behind each image view, by base
    /// (NtQueryVirtualMemory's MemoryMappedFilenameInformation).
    pub mapped_files: BTreeMap<u64, Vec<u16>>,
    /// The NT path of the image file.
    pub image_name: Vec<u16>,
    /// Where the process parameters are (0: none, NtCreateProcessEx).
    pub params: u64,
    /// The base priority of its threads (NT's KPROCESS BasePriority).
    pub base_priority: i32,
    /// STATUS_PENDING while it runs.
    pub exit_status: NtStatus,
    pub create_time: i64,
    pub exit_time: i64,
}

pub struct Thread {
    pub tid: u64,
    pub object: ObjectId,
    pub pid: u64,
    pub tcb: CPtr,
    /// Position in the process's CNode (caps at 2k and 2k+1).
    pub index: usize,
    pub teb: u64,
    /// The service buffer: the frames (originals), where the client sees
    /// them and where the Executive does.
    buffer_frames: Vec<CPtr>,
    pub user_buffer: u64,
    pub exec_buffer: u64,
    /// (StackBase, StackLimit).
    pub stack: (u64, u64),
    /// Whether the Executive allocated the stack (and frees it with the
    /// thread); NtCreateThread's threads run on their creator's stack.
    pub own_stack: bool,
    pub suspend_count: u32,
    /// NT priority (1..=31) and the increment over the process's base
    /// priority it was derived from (ThreadBasePriority).
    pub priority: i32,
    pub base_increment: i32,
    /// ThreadQuerySetWin32StartAddress: the start routine.
    pub win32_start: u64,
    pub hide_from_debugger: bool,
    pub exit_status: NtStatus,
    pub create_time: i64,
    pub exit_time: i64,
}

impl Thread {
    pub fn alive(&self) -> bool {
        self.exit_status == STATUS_PENDING
    }

    /// The Executive's view of the thread's service buffer.
    pub fn buffer(&self) -> &'static mut [u8] {
        // SAFETY: exec_buffer maps SERVICE_BUFFER_SIZE bytes of this
        // thread's buffer frames for as long as the thread record exists;
        // the Executive is single-threaded and uses one view at a time.
        unsafe { core::slice::from_raw_parts_mut(self.exec_buffer as *mut u8, SERVICE_BUFFER_SIZE) }
    }
}

/// How a new thread starts.
#[derive(Clone, Copy, Debug)]
pub enum Start {
    /// At ntdll's LdrInitializeThunk(start, arg) (the start-up contract),
    /// on a stack the Executive allocates: `stack_size` bytes, or the
    /// image's stack reserve when 0.
    Thunk { start: u64, arg: u64, stack_size: u64 },
    /// Exactly at these registers (NtCreateThread's CONTEXT; the GS base
    /// becomes the TEB), on the creator's stack (INITIAL_TEB): `stack` is
    /// (StackBase, StackLimit, DeallocationStack).
    Context { regs: UserContext, stack: (u64, u64, u64) },
}

fn nt(_: sel4::Error) -> NtStatus {
    STATUS_INSUFFICIENT_RESOURCES
}


impl Process {
    /// Reserves `size` bytes at the highest free place.
    pub fn reserve_top(&mut self, size: u64) -> Result<u64, NtStatus> {
        Ok(self.vad.allocate(0, size, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE, 0)?.base)
    }

    /// Commits `[base, base + size)` (its pages get frames when touched).
    pub fn commit(&mut self, mem: &mut Memory, base: u64, size: u64, protect: u32) -> Result<(), NtStatus> {
        let change = self.vad.allocate(base, size, MEM_COMMIT, protect, 0)?;
        self.apply(mem, &change.actions)
    }

    /// Carries out page actions of the VAD logic.
    pub fn apply(&mut self, mem: &mut Memory, actions: &[PageAction]) -> Result<(), NtStatus> {
        let mut r = Ok(());
        for a in actions {
            if self.space.apply(mem, a).is_err() {
                r = Err(STATUS_NO_MEMORY);
            }
        }
        r
    }

    /// Gives a committed page without a frame a zeroed one.
    fn back(&mut self, mem: &mut Memory, page: u64) -> Result<(), NtStatus> {
        let rights = self.vad.set_backed(page, true)?;
        self.space.back(mem, page, rights).map_err(|_| {
            let _ = self.vad.set_backed(page, false);
            STATUS_NO_MEMORY
        })
    }

    /// Checks `[addr, addr + len)` for an access by the Executive on the
    /// client's behalf (`check`: with the client's own rights) and backs
    /// its pages when `touch`.
    fn prepare(&mut self, mem: &mut Memory, addr: u64, len: u64, access: Access, check: bool, touch: bool) -> Result<(), NtStatus> {
        if len == 0 {
            return Ok(());
        }
        let end = addr.checked_add(len).ok_or(STATUS_ACCESS_VIOLATION)?;
        let mut page = addr & !(PAGE - 1);
        while page < end {
            let info = self.vad.page(page).ok_or(STATUS_ACCESS_VIOLATION)?;
            if !info.state.is_committed() {
                return Err(STATUS_ACCESS_VIOLATION);
            }
            if check {
                match vad::protection_rights(info.state.protect, true) {
                    Some(r) if access != Access::Write || r.write => {}
                    _ => return Err(STATUS_ACCESS_VIOLATION),
                }
            }
            if info.kind == VadType::Mapped {
                // A data view's page comes from its section (a write to a
                // copy-on-write page makes the private copy first), as if
                // the process itself had touched it.
                self.page_fault(mem, page, access)?;
            } else if touch && !info.state.backed {
                self.back(mem, page)?;
            }
            page += PAGE;
        }
        Ok(())
    }

    /// Writes client memory (committed pages; with `check`, only writable
    /// ones, as the client itself could).
    pub fn write(&mut self, mem: &mut Memory, addr: u64, src: &[u8], check: bool) -> Result<(), NtStatus> {
        self.prepare(mem, addr, src.len() as u64, Access::Write, check, true)?;
        self.space.write(mem, addr, src)
    }

    /// Reads client memory (committed pages; with `check`, only readable
    /// ones).
    pub fn read(&mut self, mem: &mut Memory, addr: u64, dst: &mut [u8], check: bool) -> Result<(), NtStatus> {
        self.prepare(mem, addr, dst.len() as u64, Access::Read, check, false)?;
        self.space.read(mem, addr, dst)
    }

    /// A page fault of one of the process's threads: Ok when the thread may
    /// go on, else the exception it raises.
    pub fn page_fault(&mut self, mem: &mut Memory, addr: u64, access: Access) -> Result<(), NtStatus> {
        match self.vad.demand_fault(addr, access) {
            FaultResolution::Map { page, rights, fill } => {
                section::fill_view_page(mem, &mut self.space, &self.views, page, rights, fill).inspect_err(|_| {
                    let _ = self.vad.set_backed(page, false);
                })
            }
            // A page still mapping its section's frame gets a private copy.
            FaultResolution::CopyOnWrite { page, rights } => {
                self.space.make_private(mem, page, rights).map_err(|_| STATUS_NO_MEMORY)
            }
            FaultResolution::Guard { action } => {
                if let Some(a) = action {
                    let _ = self.space.apply(mem, &a);
                }
                Err(STATUS_GUARD_PAGE_VIOLATION)
            }
            FaultResolution::AccessViolation => Err(STATUS_ACCESS_VIOLATION),
            FaultResolution::Retry => Ok(()),
        }
    }

    /// Reserves, commits and fills a block for the Executive's own
    /// structures (PEB, parameters); returns its address.
    fn place(&mut self, mem: &mut Memory, bytes: &[u8], protect: u32) -> Result<u64, NtStatus> {
        let size = (bytes.len() as u64).max(1);
        let base = self.reserve_top(size)?;
        self.commit(mem, base, size, protect)?;
        self.write(mem, base, bytes, false)?;
        Ok(base)
    }

    /// Maps an image at `base`, or with `base` 0 at its preferred base,
    /// else where the memory manager chooses (relocated); reports whether
    /// it is away from its preferred base.
    pub fn map_image(&mut self, mem: &mut Memory, file: &[u8], base: u64, tag: u64) -> Result<(Mapped, bool), NtStatus> {
        let (img, size) = image::image_span(file)?;
        let preferred = img.image_base();
        let exact = base != 0;
        let mut view = ViewRequest {
            base: if exact { base } else { preferred },
            size,
            kind: VadType::Image,
            protect: PAGE_EXECUTE_WRITECOPY,
            max_protect: PAGE_EXECUTE_WRITECOPY,
            commit: true,
            private_copies: true,
            zero_bits: 0,
            top_down: false,
            tag,
        };
        let (base, _) = match self.vad.map_view(&view) {
            Ok(r) => r,
            Err(e) if exact => return Err(e),
            Err(_) => {
                view.base = 0;
                self.vad.map_view(&view)?
            }
        };
        match image::map_image(mem, self, file, base) {
            Ok(m) => Ok((m, base != preferred)),
            Err(e) => {
                self.unmap_view(mem, base);
                Err(e)
            }
        }
    }

    /// Removes the view at `base` with its frames.
    pub fn unmap_view(&mut self, mem: &mut Memory, base: u64) {
        if let Ok(u) = self.vad.unmap_view(base) {
            let _ = self.apply(mem, &u.actions);
        }
    }

    /// Releases the private allocation at `base` with its frames.
    pub fn release(&mut self, mem: &mut Memory, base: u64) {
        if let Ok(c) = self.vad.free(base, 0, MEM_RELEASE) {
            let _ = self.apply(mem, &c.actions);
        }
    }

    /// Gives `page` (committed) a copy of `frame` owned elsewhere.
    fn share(&mut self, mem: &mut Memory, page: u64, frame: CPtr) -> Result<(), NtStatus> {
        let rights = self.vad.set_backed(page, true)?;
        self.space.back_shared(mem, page, frame, rights).map_err(|_| {
            let _ = self.vad.set_backed(page, false);
            STATUS_NO_MEMORY
        })
    }

    pub fn alive(&self) -> bool {
        self.exit_status == STATUS_PENDING
    }

    /// Could the process itself access `[addr, addr + len)` (`write`: for
    /// writing)? What a probe of a caller's pointer asks before the
    /// Executive, or the service stub after it, touches the memory.
    pub fn accessible(&self, addr: u64, len: u64, write: bool) -> Result<(), NtStatus> {
        nt_abi::wire::check_user_range(addr, len)?;
        if len == 0 {
            return Ok(());
        }
        let mut page = addr & !(PAGE - 1);
        while page < addr + len {
            let info = self.vad.page(page).ok_or(STATUS_ACCESS_VIOLATION)?;
            match vad::protection_rights(info.state.protect, true) {
                Some(r) if info.state.is_committed() && (!write || r.write) => {}
                _ => return Err(STATUS_ACCESS_VIOLATION),
            }
            page += PAGE;
        }
        Ok(())
    }
}

/// The RVA of a DLL's export (not forwarded).
fn export_rva(file: &[u8], name: &str) -> Option<u32> {
    match pe::PeImage::parse(file).ok()?.exports().ok()??.by_name(name)? {
        pe::Export::Rva(rva) => Some(rva),
        pe::Export::Forwarder { .. } => None,
    }
}

/// Everything needed to create a process.
pub struct ProcessSpec<'a> {
    pub pid: u64,
    pub parent: u64,
    pub image_file: &'a [u8],
    pub image_name: &'a [u16],
    pub ntdll_file: &'a [u8],
    /// None leaves PEB.ProcessParameters NULL for the creator to fill
    /// (NtCreateProcessEx, as on Windows).
    pub params: Option<&'a Params>,
    pub now: i64,
}

/// Creates a process (no threads yet): address space, CNode, ntdll and the
/// image mapped, PEB and parameters written.
pub fn create_process(mem: &mut Memory, spec: &ProcessSpec) -> Result<Process, NtStatus> {
    let space = Space::new(mem).map_err(nt)?;
    let cnode = match mem.take_cnode(CNODE_BITS) {
        Ok(c) => c,
        Err(e) => {
            space.destroy(mem);
            return Err(nt(e));
        }
    };
    let empty = Mapped { base: 0, size: 0, entry: 0, subsystem: 0, subsystem_version: (0, 0), stack: (0, 0) };
    let mut p = Process {
        pid: spec.pid,
        object: ObjectId::NONE,
        parent: spec.parent,
        space,
        cnode,
        slots: [None; MAX_THREADS],
        threads: Vec::new(),
        vad: AddressSpace::new(),
        views: BTreeMap::new(),
        peb: 0,
        image: empty,
        ntdll: empty,
        ldr_thunk: 0,
        apc_dispatcher: 0,
        mapped_files: BTreeMap::new(),
        image_name: spec.image_name.to_vec(),
        params: 0,
        base_priority: NORMAL_PRIORITY,
        exit_status: STATUS_PENDING,
        create_time: spec.now,
        exit_time: 0,
    };
    match fill_process(mem, &mut p, spec) {
        Ok(()) => Ok(p),
        Err(e) => {
            release_process(mem, &mut p);
            Err(e)
        }
    }
}

fn fill_process(mem: &mut Memory, p: &mut Process, spec: &ProcessSpec) -> Result<(), NtStatus> {
    p.ntdll = p.map_image(mem, spec.ntdll_file, 0, 0)?.0;
    p.ldr_thunk = p.ntdll.base + export_rva(spec.ntdll_file, "LdrInitializeThunk").ok_or(STATUS_ENTRYPOINT_NOT_FOUND)? as u64;
    p.apc_dispatcher = export_rva(spec.ntdll_file, "KiUserApcDispatcher").map_or(0, |rva| p.ntdll.base + rva as u64);
    p.image = p.map_image(mem, spec.image_file, 0, 0)?.0;
    // The parameters go where the PEB can point at them.
    if let Some(params) = spec.params {
        let size = params.build(0).len() as u64;
        let params_base = p.reserve_top(size)?;
        p.commit(mem, params_base, size, PAGE_READWRITE)?;
        p.write(mem, params_base, &params.build(params_base), false)?;
        p.params = params_base;
    }
    let mut peb = [0u8; PAGE as usize];
    put(&mut peb, offset_of!(Peb, image_base_address), &p.image.base.to_le_bytes());
    put(&mut peb, offset_of!(Peb, process_parameters), &p.params.to_le_bytes());
    put(&mut peb, offset_of!(Peb, number_of_processors), &1u32.to_le_bytes());
    put(&mut peb, offset_of!(Peb, os_major_version), &10u32.to_le_bytes());
    put(&mut peb, offset_of!(Peb, os_minor_version), &0u32.to_le_bytes());
    put(&mut peb, offset_of!(Peb, os_build_number), &19045u16.to_le_bytes());
    put(&mut peb, offset_of!(Peb, os_platform_id), &VER_PLATFORM_WIN32_NT.to_le_bytes());
    put(&mut peb, offset_of!(Peb, image_subsystem), &(p.image.subsystem as u32).to_le_bytes());
    put(&mut peb, offset_of!(Peb, image_subsystem_major_version), &(p.image.subsystem_version.0 as u32).to_le_bytes());
    put(&mut peb, offset_of!(Peb, image_subsystem_minor_version), &(p.image.subsystem_version.1 as u32).to_le_bytes());
    put(&mut peb, offset_of!(Peb, active_process_affinity_mask), &1u64.to_le_bytes());
    put(&mut peb, offset_of!(Peb, heap_segment_reserve), &(1u64 << 20).to_le_bytes());
    put(&mut peb, offset_of!(Peb, heap_segment_commit), &(2u64 << 12).to_le_bytes());
    put(&mut peb, offset_of!(Peb, maximum_number_of_heaps), &16u32.to_le_bytes());
    p.peb = p.place(mem, &peb, PAGE_READWRITE)?;
    Ok(())
}

/// What a new thread needs from the Executive.
pub struct ThreadSpec {
    pub tid: u64,
    pub start: Start,
    pub suspended: bool,
    /// The Executive's endpoint, minted into the process's CNode.
    pub endpoint: CPtr,
    /// Where the Executive maps the service buffer for itself.
    pub exec_buffer: u64,
    pub now: i64,
}

/// Creates a thread of `p`.
pub fn create_thread(mem: &mut Memory, p: &mut Process, spec: &ThreadSpec) -> Result<Thread, NtStatus> {
    let index = p.slots.iter().position(|s| s.is_none()).ok_or(STATUS_INSUFFICIENT_RESOURCES)?;
    let (stack_size, win32_start) = match spec.start {
        Start::Thunk { start, stack_size, .. } => {
            let size = if stack_size != 0 { stack_size } else { p.image.stack.0.max(p.image.stack.1) };
            (size.clamp(MIN_STACK, MAX_STACK).next_multiple_of(PAGE), start)
        }
        Start::Context { regs, .. } => (0, regs.rip),
    };
    let mut t = Thread {
        tid: spec.tid,
        object: ObjectId::NONE,
        pid: p.pid,
        tcb: 0,
        index,
        teb: 0,
        buffer_frames: Vec::new(),
        user_buffer: 0,
        exec_buffer: spec.exec_buffer,
        stack: (0, 0),
        own_stack: stack_size != 0,
        suspend_count: spec.suspended as u32,
        priority: p.base_priority,
        base_increment: 0,
        win32_start,
        hide_from_debugger: false,
        exit_status: STATUS_PENDING,
        create_time: spec.now,
        exit_time: 0,
    };
    match fill_thread(mem, p, &mut t, spec, stack_size) {
        Ok(()) => {
            p.slots[index] = Some(t.tid);
            p.threads.push(t.tid);
            Ok(t)
        }
        Err(e) => {
            release_thread(mem, p, &mut t);
            Err(e)
        }
    }
}

fn fill_thread(mem: &mut Memory, p: &mut Process, t: &mut Thread, spec: &ThreadSpec, stack_size: u64) -> Result<(), NtStatus> {
    let cnode = CNode(p.cnode);
    let (service_slot, fault_slot) = (2 * t.index as u64, 2 * t.index as u64 + 1);
    mem.mint_into(cnode, service_slot, CNODE_BITS as u8, spec.endpoint, t.tid).map_err(nt)?;
    mem.mint_into(cnode, fault_slot, CNODE_BITS as u8, spec.endpoint, t.tid | FAULT_BADGE).map_err(nt)?;

    // The stack (unless the creator made one), then the TEB and IPC
    // buffer in one reservation.
    let teb_pages = (TEB_SIZE as u64).next_multiple_of(PAGE);
    let deallocation_stack = match spec.start {
        Start::Context { stack: (base, limit, allocation_base), .. } => {
            t.stack = (base, limit);
            allocation_base
        }
        Start::Thunk { .. } => {
            let stack_base = p.reserve_top(stack_size)?;
            t.stack = (stack_base + stack_size, stack_base);
            p.commit(mem, stack_base, stack_size, PAGE_READWRITE)?;
            stack_base
        }
    };
    let teb = p.reserve_top(teb_pages + PAGE)?;
    t.teb = teb;
    p.commit(mem, teb, teb_pages + PAGE, PAGE_READWRITE)?;
    let ipc = teb + teb_pages;

    // The service buffer: frames mapped in the Executive and the client.
    let buf = p.reserve_top(SERVICE_BUFFER_SIZE as u64)?;
    t.user_buffer = buf;
    p.commit(mem, buf, SERVICE_BUFFER_SIZE as u64, PAGE_READWRITE)?;
    for i in 0..(SERVICE_BUFFER_SIZE as u64 / PAGE) {
        let f = mem.frame().map_err(nt)?;
        t.buffer_frames.push(f);
        mem.map_own(f, spec.exec_buffer + i * PAGE, sel4::abi::vm::DEFAULT).map_err(nt)?;
        p.share(mem, buf + i * PAGE, f)?;
    }

    let mut tb = [0u8; TEB_SIZE];
    let tib = offset_of!(Teb, nt_tib);
    put(&mut tb, tib + offset_of!(NtTib, stack_base), &t.stack.0.to_le_bytes());
    put(&mut tb, tib + offset_of!(NtTib, stack_limit), &t.stack.1.to_le_bytes());
    put(&mut tb, tib + offset_of!(NtTib, self_), &teb.to_le_bytes());
    put(&mut tb, offset_of!(Teb, client_id) + offset_of!(ClientId, unique_process), &p.pid.to_le_bytes());
    put(&mut tb, offset_of!(Teb, client_id) + offset_of!(ClientId, unique_thread), &t.tid.to_le_bytes());
    put(&mut tb, offset_of!(Teb, real_client_id) + offset_of!(ClientId, unique_process), &p.pid.to_le_bytes());
    put(&mut tb, offset_of!(Teb, real_client_id) + offset_of!(ClientId, unique_thread), &t.tid.to_le_bytes());
    put(&mut tb, offset_of!(Teb, process_environment_block), &p.peb.to_le_bytes());
    put(&mut tb, offset_of!(Teb, deallocation_stack), &deallocation_stack.to_le_bytes());
    put(&mut tb, teb_slots::SERVICE_ENDPOINT, &service_slot.to_le_bytes());
    put(&mut tb, teb_slots::SERVICE_BUFFER, &buf.to_le_bytes());
    put(&mut tb, teb_slots::IPC_BUFFER, &ipc.to_le_bytes());
    let sus = offset_of!(Teb, static_unicode_string);
    let sub = offset_of!(Teb, static_unicode_buffer);
    put(&mut tb, sus + 2, &(nt_abi::types::STATIC_UNICODE_BUFFER_LENGTH as u16 * 2).to_le_bytes());
    put(&mut tb, sus + 8, &(teb + sub as u64).to_le_bytes());
    p.write(mem, teb, &tb, false)?;

    let tcb = mem.take(ObjectType::TCB).map_err(nt)?;
    t.tcb = tcb;
    // The IPC buffer needs its frame now: seL4 binds it to the TCB.
    p.write(mem, ipc, &[0], false)?;
    let ipc_frame = p.space.frame(ipc).ok_or(STATUS_INTERNAL_ERROR)?;
    let tcb = Tcb(tcb);
    tcb.configure(
        fault_slot,
        CNode(p.cnode),
        cnode_cap_data(0, 64 - CNODE_BITS),
        p.space.pml4,
        0,
        ipc,
        ipc_frame,
    )
    .map_err(nt)?;
    tcb.set_priority(Tcb(cap::INIT_THREAD_TCB), sel4_priority(t.priority)).map_err(nt)?;
    let ctx = match spec.start {
        Start::Thunk { start, arg, .. } => UserContext {
            rip: p.ldr_thunk,
            // As after a call: 8 mod 16, with 32 bytes of home space.
            rsp: t.stack.0 - 0x28,
            rcx: start,
            rdx: arg,
            rflags: 0x202,
            gs_base: teb,
            ..Default::default()
        },
        // The kernel keeps only the user bits of RFLAGS, with IF set.
        Start::Context { regs, .. } => UserContext { gs_base: teb, ..regs },
    };
    let words = sel4::abi::USER_CONTEXT_WORDS as u64;
    tcb.write_registers(!spec.suspended, 0, words, &ctx).map_err(nt)?;
    Ok(())
}

/// Stops a thread for good and gives back everything it holds; the record
/// (ids, exit status, times) stays for whoever still refers to it.
pub fn release_thread(mem: &mut Memory, p: &mut Process, t: &mut Thread) {
    if t.tcb != 0 {
        let tcb = Tcb(t.tcb);
        let _ = tcb.suspend();
        // A suspended TCB is reusable once it no longer holds the
        // process's CNode: its copy would become the CNode's last cap when
        // the process ends, and seL4 refuses to Configure a TCB whose old
        // CSpace root would then need a (long-running) delete. So it is
        // parked on the Executive's own CSpace and VSpace, which outlive
        // it; Configure replaces them (and the IPC buffer) on reuse.
        match tcb.set_space(0, CNode(cap::INIT_THREAD_CNODE), 0, cap::INIT_THREAD_VSPACE, 0) {
            Ok(()) => mem.give(ObjectType::TCB, t.tcb),
            Err(_) => mem.free_slot(t.tcb),
        }
        t.tcb = 0;
    }
    let cnode = CNode(p.cnode);
    let _ = cnode.delete(2 * t.index as u64, CNODE_BITS as u8);
    let _ = cnode.delete(2 * t.index as u64 + 1, CNODE_BITS as u8);
    if p.slots[t.index] == Some(t.tid) {
        p.slots[t.index] = None;
    }
    p.threads.retain(|x| *x != t.tid);
    let stack = if t.own_stack { t.stack.1 } else { 0 };
    for base in [t.user_buffer, t.teb, stack] {
        if base != 0 {
            p.release(mem, base);
        }
    }
    for f in t.buffer_frames.drain(..) {
        let _ = sel4::vspace::page_unmap(f);
        mem.give_frame(f);
    }
    (t.user_buffer, t.teb, t.stack) = (0, 0, (0, 0));
}

/// Gives back everything a process holds (its threads must be released);
/// the record stays for whoever still refers to it.
pub fn release_process(mem: &mut Memory, p: &mut Process) {
    if p.cnode != 0 {
        // Empty by now: every thread's caps were deleted with the thread,
        // and released TCBs no longer name it as their CSpace.
        mem.give_cnode(CNODE_BITS, p.cnode);
        p.cnode = 0;
    }
    let actions = p.vad.release_all();
    let _ = p.apply(mem, &actions);
    core::mem::replace(&mut p.space, Space::empty()).destroy(mem);
}
