//! The process and thread services: creating processes (NtCreateUserProcess,
//! NtCreateProcessEx) and threads (NtCreateThreadEx, NtCreateThread),
//! opening them by client id, terminating them, their information classes,
//! suspend counts and register contexts.
//!
//! Client threads are seL4 threads the Executive controls through their
//! TCB caps. Three seL4 facts shape suspension and contexts:
//! - Suspending a thread queued on the Executive's endpoint (its call not
//!   yet received) takes it off the queue; on resume seL4 restarts it at
//!   the `syscall` instruction, so the call is simply sent again.
//! - Suspending a running or ready thread records where it stopped, and
//!   resume continues there.
//! - Suspending the thread whose call the Executive is serving would cancel
//!   its reply and make the resumed thread repeat the call. A thread that
//!   suspends itself therefore gets its reply first and is stopped right
//!   after it, before it runs again (`Executive::suspend_after_reply`).
//!   The Executive serves one call at a time and answers it at once, so
//!   the caller is the only thread that can be in a call.

use crate::record::put;
use crate::ex::dispatch::Outcome;
use crate::ex::object::Body;
use crate::ex::Executive;
use crate::ex::sysinfo;
use crate::ob::{ObjectAttrs, ObjectId, Opened, TypeId};
use crate::ps::params::Params;
use crate::ps::process::{self, Start, NORMAL_PRIORITY};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::mem::offset_of;
use nt_abi::classes::{ProcessInfoClass, PsCreateState, ThreadInfoClass};
use nt_abi::consts::*;
use nt_abi::status::*;
use nt_abi::types::{
    ClientId, Context, Handle, InitialTeb, ProcessBasicInformation as Pbi, ThreadBasicInformation as Tbi, UnicodeString,
    PROCESS_CREATE_FLAGS_CREATE_SUSPENDED, PROCESS_CREATE_FLAGS_INHERIT_HANDLES, RTL_USER_PROC_PARAMS_NORMALIZED,
    THREAD_CREATE_FLAGS_CREATE_SUSPENDED, THREAD_CREATE_FLAGS_HIDE_FROM_DEBUGGER,
};
use nt_abi::wire::{args, ObjectAttributesView, OutBuffer, OutBufferTarget, Reply};
use nt_abi::NtStatus;
use sel4::abi::{cap, UserContext, USER_CONTEXT_WORDS};
use sel4::Tcb;

/// NTSTATUS values nt-abi does not list yet (ntstatus.h).
const STATUS_SUSPEND_COUNT_EXCEEDED: NtStatus = NtStatus(0xC000_004A);
const STATUS_CANT_TERMINATE_SELF: NtStatus = NtStatus(0xC000_00DB);

/// MAXIMUM_SUSPEND_COUNT (ntddk.h).
const MAX_SUSPEND_COUNT: u32 = 127;

/// The PROCESS_CREATE_FLAGS_* and THREAD_CREATE_FLAGS_* bits Windows 10
/// defines (phnt ntpsapi.h); others are STATUS_INVALID_PARAMETER.
const PROCESS_CREATE_FLAGS_VALID: u32 = 0x0000_FFFF;
const THREAD_CREATE_FLAGS_VALID: u32 = 0x0000_00FF;

/// PS_ATTRIBUTE numbers (phnt ntpsapi.h: the number, | 0x10000 for a
/// thread attribute, | 0x20000 for an input, | 0x40000 for an additive one).
pub mod attribute {
    pub const PARENT_PROCESS: u64 = 0x6_0000;
    pub const CLIENT_ID: u64 = 0x1_0003;
    pub const TEB_ADDRESS: u64 = 0x1_0004;
    pub const IMAGE_NAME: u64 = 0x2_0005;
    pub const IMAGE_INFO: u64 = 0x6;
    /// PS_ATTRIBUTE_NUMBER_MASK.
    pub const NUMBER_MASK: u64 = 0xFFFF;
    /// One past the last attribute number phnt lists
    /// (PsAttributeEnableOptionalXStateFeatures, 30).
    pub const NUMBER_END: u64 = 31;
}

/// SECTION_IMAGE_INFORMATION's size (PS_ATTRIBUTE_IMAGE_INFO).
const IMAGE_INFO_SIZE: usize = 0x40;
/// PS_CREATE_INFO's size and the SuccessState fields Triton fills.
const CREATE_INFO_SIZE: usize = 0x58;
mod create_info {
    pub const STATE: usize = 0x08;
    pub const OUTPUT_FLAGS: usize = 0x10;
    pub const PARAMETERS_NATIVE: usize = 0x28;
    pub const CURRENT_PARAMETER_FLAGS: usize = 0x34;
    pub const PEB_NATIVE: usize = 0x38;
}

/// Triton's user selectors (kernel/src/arch/x86_64/gdt.rs): 64-bit code
/// and data; DS, ES, FS and GS are not used in 64-bit mode.
const USER_CS: u16 = 0x2B;
const USER_SS: u16 = 0x23;

/// One entry of a PS_ATTRIBUTE_LIST.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attribute {
    pub attribute: u64,
    pub size: u64,
    /// The value, or a pointer to it in the caller's memory.
    pub value: u64,
    /// PSIZE_T receiving the size of an output (0: none).
    pub return_length: u64,
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    if let Some(s) = b.get(at..at + 8) {
        w.copy_from_slice(s);
    }
    u64::from_le_bytes(w)
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        w.copy_from_slice(s);
    }
    u32::from_le_bytes(w)
}


/// The entries of a PS_ATTRIBUTE_LIST (`list` is its TotalLength bytes, as
/// the wire delivers it; a partial last entry is ignored, as Windows
/// counts whole entries). Numbers Windows does not define are
/// STATUS_INVALID_PARAMETER.
pub fn parse_attributes(list: &[u8]) -> Result<Vec<Attribute>, NtStatus> {
    if list.len() < nt_abi::types::PS_ATTRIBUTE_LIST_HEADER {
        return Err(STATUS_INVALID_PARAMETER);
    }
    let entries = &list[nt_abi::types::PS_ATTRIBUTE_LIST_HEADER..];
    entries
        .chunks_exact(0x20)
        .map(|e| {
            let a = Attribute { attribute: u64_at(e, 0), size: u64_at(e, 8), value: u64_at(e, 16), return_length: u64_at(e, 24) };
            if a.attribute & attribute::NUMBER_MASK >= attribute::NUMBER_END {
                return Err(STATUS_INVALID_PARAMETER);
            }
            Ok(a)
        })
        .collect()
}

/// The attributes the process and thread services act on. The others
/// Windows defines (debug object, token, job list, mitigation policies...)
/// are accepted and ignored: Triton has no security or jobs yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CreateAttributes {
    /// (address, bytes) of the image's NT path in the caller's memory.
    pub image_name: Option<(u64, u64)>,
    pub parent: Option<Handle>,
    pub client_id: Option<Attribute>,
    pub teb_address: Option<Attribute>,
    pub image_info: Option<Attribute>,
}

impl CreateAttributes {
    /// Interprets a list: each known attribute at most once, outputs large
    /// enough for what they receive (STATUS_INVALID_PARAMETER otherwise).
    pub fn from_list(list: &[u8]) -> Result<CreateAttributes, NtStatus> {
        let mut c = CreateAttributes::default();
        for a in parse_attributes(list)? {
            let (slot, min): (&mut Option<Attribute>, u64) = match a.attribute {
                attribute::IMAGE_NAME => {
                    if c.image_name.is_some() || a.size == 0 || a.size % 2 != 0 || a.size > u16::MAX as u64 - 1 {
                        return Err(STATUS_INVALID_PARAMETER);
                    }
                    c.image_name = Some((a.value, a.size));
                    continue;
                }
                attribute::PARENT_PROCESS => {
                    if c.parent.is_some() {
                        return Err(STATUS_INVALID_PARAMETER);
                    }
                    c.parent = Some(Handle(a.value));
                    continue;
                }
                attribute::CLIENT_ID => (&mut c.client_id, 16),
                attribute::TEB_ADDRESS => (&mut c.teb_address, 8),
                attribute::IMAGE_INFO => (&mut c.image_info, IMAGE_INFO_SIZE as u64),
                _ => continue,
            };
            if slot.is_some() || a.size < min {
                return Err(STATUS_INVALID_PARAMETER);
            }
            *slot = Some(a);
        }
        Ok(c)
    }

    fn outputs(&self) -> impl Iterator<Item = &Attribute> {
        [&self.client_id, &self.teb_address, &self.image_info].into_iter().flatten()
    }
}

/// PS_CREATE_INFO after a successful NtCreateUserProcess: SuccessState
/// with the child's parameter block and PEB. FileHandle and SectionHandle
/// stay NULL (no file objects before the I/O manager), which every caller
/// treats as nothing to close.
pub fn create_info_success(params: u64, params_flags: u32, peb: u64) -> [u8; CREATE_INFO_SIZE] {
    let mut b = [0u8; CREATE_INFO_SIZE];
    put(&mut b, 0, &(CREATE_INFO_SIZE as u64).to_le_bytes());
    put(&mut b, create_info::STATE, &(PsCreateState::PsCreateSuccess as u32).to_le_bytes());
    put(&mut b, create_info::OUTPUT_FLAGS, &0u32.to_le_bytes());
    put(&mut b, create_info::PARAMETERS_NATIVE, &params.to_le_bytes());
    put(&mut b, create_info::CURRENT_PARAMETER_FLAGS, &params_flags.to_le_bytes());
    put(&mut b, create_info::PEB_NATIVE, &peb.to_le_bytes());
    b
}

/// PS_CREATE_INFO after a failure in `state` (its union left zero: no file
/// handle or IFEO key to hand back).
pub fn create_info_failure(state: PsCreateState) -> [u8; CREATE_INFO_SIZE] {
    let mut b = [0u8; CREATE_INFO_SIZE];
    put(&mut b, 0, &(CREATE_INFO_SIZE as u64).to_le_bytes());
    put(&mut b, create_info::STATE, &(state as u32).to_le_bytes());
    b
}

/// Whether a CONTEXT's flags ask for `part` (CONTEXT_CONTROL, ...): every
/// bit of it, the CONTEXT_AMD64 bit included, as Windows tests them.
fn wants(flags: u32, part: u32) -> bool {
    flags & part == part
}

/// A CONTEXT (`input`, the caller's 0x4D0 bytes) with the parts its
/// ContextFlags ask for taken from `r`. seL4 gives no access to another
/// thread's FPU/SSE state, so CONTEXT_FLOATING_POINT is not filled and its
/// bit is cleared in the returned ContextFlags; the debug registers are 0
/// (Triton never sets hardware breakpoints); the segment selectors are
/// Triton's user selectors.
pub fn context_from_registers(input: &[u8], r: &UserContext) -> Vec<u8> {
    let mut c = vec![0u8; nt_abi::types::CONTEXT_SIZE];
    let n = input.len().min(c.len());
    c[..n].copy_from_slice(&input[..n]);
    let flags = u32_at(&c, offset_of!(Context, context_flags));
    let mut q = |at: usize, v: u64| put(&mut c, at, &v.to_le_bytes());
    if wants(flags, CONTEXT_CONTROL) {
        q(offset_of!(Context, rip), r.rip);
        q(offset_of!(Context, rsp), r.rsp);
    }
    if wants(flags, CONTEXT_INTEGER) {
        for (at, v) in [
            (offset_of!(Context, rax), r.rax),
            (offset_of!(Context, rcx), r.rcx),
            (offset_of!(Context, rdx), r.rdx),
            (offset_of!(Context, rbx), r.rbx),
            (offset_of!(Context, rbp), r.rbp),
            (offset_of!(Context, rsi), r.rsi),
            (offset_of!(Context, rdi), r.rdi),
            (offset_of!(Context, r8), r.r8),
            (offset_of!(Context, r9), r.r9),
            (offset_of!(Context, r10), r.r10),
            (offset_of!(Context, r11), r.r11),
            (offset_of!(Context, r12), r.r12),
            (offset_of!(Context, r13), r.r13),
            (offset_of!(Context, r14), r.r14),
            (offset_of!(Context, r15), r.r15),
        ] {
            q(at, v);
        }
    }
    if wants(flags, CONTEXT_DEBUG_REGISTERS) {
        for at in [
            offset_of!(Context, dr0),
            offset_of!(Context, dr1),
            offset_of!(Context, dr2),
            offset_of!(Context, dr3),
            offset_of!(Context, dr6),
            offset_of!(Context, dr7),
        ] {
            q(at, 0);
        }
    }
    if wants(flags, CONTEXT_CONTROL) {
        put(&mut c, offset_of!(Context, eflags), &(r.rflags as u32).to_le_bytes());
        put(&mut c, offset_of!(Context, seg_cs), &USER_CS.to_le_bytes());
        put(&mut c, offset_of!(Context, seg_ss), &USER_SS.to_le_bytes());
    }
    if wants(flags, CONTEXT_SEGMENTS) {
        for at in [offset_of!(Context, seg_ds), offset_of!(Context, seg_es)] {
            put(&mut c, at, &USER_SS.to_le_bytes());
        }
        for at in [offset_of!(Context, seg_fs), offset_of!(Context, seg_gs)] {
            put(&mut c, at, &0u16.to_le_bytes());
        }
    }
    let returned = if wants(flags, CONTEXT_FLOATING_POINT) { flags & !(CONTEXT_FLOATING_POINT & !CONTEXT_AMD64) } else { flags };
    put(&mut c, offset_of!(Context, context_flags), &returned.to_le_bytes());
    c
}

/// Applies a CONTEXT's CONTEXT_CONTROL and CONTEXT_INTEGER parts to `r`
/// (the kernel keeps only the user bits of RFLAGS). Segments are fixed and
/// the FPU/SSE state cannot be written through seL4, so those parts are
/// ignored; enabling a hardware breakpoint (DR7's enable bits) is
/// STATUS_NOT_IMPLEMENTED. Returns whether CONTEXT_CONTROL was applied.
pub fn registers_from_context(ctx: &[u8], r: &mut UserContext) -> Result<bool, NtStatus> {
    let flags = u32_at(ctx, offset_of!(Context, context_flags));
    let g = |at: usize| u64_at(ctx, at);
    if wants(flags, CONTEXT_DEBUG_REGISTERS) && g(offset_of!(Context, dr7)) & 0xFF != 0 {
        return Err(STATUS_NOT_IMPLEMENTED);
    }
    let control = wants(flags, CONTEXT_CONTROL);
    if control {
        r.rip = g(offset_of!(Context, rip));
        r.rsp = g(offset_of!(Context, rsp));
        r.rflags = u32_at(ctx, offset_of!(Context, eflags)) as u64;
    }
    if wants(flags, CONTEXT_INTEGER) {
        r.rax = g(offset_of!(Context, rax));
        r.rcx = g(offset_of!(Context, rcx));
        r.rdx = g(offset_of!(Context, rdx));
        r.rbx = g(offset_of!(Context, rbx));
        r.rbp = g(offset_of!(Context, rbp));
        r.rsi = g(offset_of!(Context, rsi));
        r.rdi = g(offset_of!(Context, rdi));
        r.r8 = g(offset_of!(Context, r8));
        r.r9 = g(offset_of!(Context, r9));
        r.r10 = g(offset_of!(Context, r10));
        r.r11 = g(offset_of!(Context, r11));
        r.r12 = g(offset_of!(Context, r12));
        r.r13 = g(offset_of!(Context, r13));
        r.r14 = g(offset_of!(Context, r14));
        r.r15 = g(offset_of!(Context, r15));
    }
    Ok(control)
}

/// A thread's priority after a ThreadBasePriority increment over the
/// process base: -2..=2, or the saturation values 16 (time critical: 15)
/// and -16 (idle: 1) (STATUS_INVALID_PARAMETER otherwise; the real-time
/// class's wider range does not exist in Triton).
pub fn priority_with_increment(base: i32, increment: i32) -> Result<i32, NtStatus> {
    match increment {
        -2..=2 => Ok((base + increment).clamp(1, 15)),
        16 => Ok(15),
        -16 => Ok(1),
        _ => Err(STATUS_INVALID_PARAMETER),
    }
}

/// The base priority of a PROCESS_PRIORITY_CLASS value (1 idle ... 6
/// above normal; winbase.h's classes as PspPriorityTable maps them).
pub fn class_priority(class: u8) -> Result<i32, NtStatus> {
    match class {
        1 => Ok(4),
        2 => Ok(NORMAL_PRIORITY),
        3 => Ok(13),
        4 => Ok(24),
        5 => Ok(6),
        6 => Ok(10),
        _ => Err(STATUS_INVALID_PARAMETER),
    }
}

/// A regular file of the boot image by its path below the device
/// (`\system32\x.exe`), given the archive's entries as (name, is a
/// directory, data); returns the data and the canonical path. Windows'
/// statuses: a directory is STATUS_FILE_IS_A_DIRECTORY (images are opened
/// with FILE_NON_DIRECTORY_FILE), a missing file in an existing directory
/// STATUS_OBJECT_NAME_NOT_FOUND, a missing directory
/// STATUS_OBJECT_PATH_NOT_FOUND.
pub fn find_boot_file<'n, 'd>(
    entries: impl Iterator<Item = (&'n str, bool, &'d [u8])> + Clone,
    path: &[u16],
) -> Result<(&'d [u8], String), NtStatus> {
    let path: String = char::decode_utf16(path.iter().copied()).map(|c| c.unwrap_or('\u{FFFD}')).collect();
    let path = path.trim_start_matches('\\');
    if path.is_empty() {
        return Err(STATUS_FILE_IS_A_DIRECTORY);
    }
    let mut found = None;
    for (name, dir, data) in entries.clone() {
        if bootimg::path_eq_ci(name, path) {
            // The last of equal names wins, as when tar extracts them.
            found = Some((name, dir, data));
        }
    }
    match found {
        Some((_, true, _)) => Err(STATUS_FILE_IS_A_DIRECTORY),
        Some((name, false, data)) => Ok((data, name.replace('/', "\\"))),
        None => {
            let parent = match path.rfind(['\\', '/']) {
                Some(i) => &path[..i],
                None => return Err(STATUS_OBJECT_NAME_NOT_FOUND),
            };
            let is_dir =
                |name: &str| name.char_indices().filter(|&(_, c)| c == '/').any(|(i, _)| bootimg::path_eq_ci(&name[..i], parent));
            if entries.clone().any(|(name, dir, _)| (dir && bootimg::path_eq_ci(name, parent)) || is_dir(name)) {
                Err(STATUS_OBJECT_NAME_NOT_FOUND)
            } else {
                Err(STATUS_OBJECT_PATH_NOT_FOUND)
            }
        }
    }
}

/// Windows' image statuses for a file that does not parse: no MZ header
/// at all, or a PE that is not an x86_64 one.
fn image_status(file: &[u8]) -> NtStatus {
    if file.len() < 2 || &file[..2] != b"MZ" {
        STATUS_INVALID_IMAGE_NOT_MZ
    } else {
        STATUS_INVALID_IMAGE_FORMAT
    }
}

/// A CLIENT_ID's bytes.
fn cid_bytes(pid: u64, tid: u64) -> [u8; 16] {
    let mut b = [0u8; 16];
    put(&mut b, offset_of!(ClientId, unique_process), &pid.to_le_bytes());
    put(&mut b, offset_of!(ClientId, unique_thread), &tid.to_le_bytes());
    b
}

fn utf16_bytes(s: &[u16]) -> Vec<u8> {
    s.iter().flat_map(|u| u.to_le_bytes()).collect()
}

/// Handle attributes from optional OBJECT_ATTRIBUTES (processes and
/// threads are unnamed, so only the flags matter).
fn handle_attributes(v: Option<&ObjectAttributesView>) -> u32 {
    v.map_or(0, |v| v.attributes)
}

/// The alignment an information buffer is probed with: ULONG, or a byte
/// for records smaller than one (0 stands for a variable-size record).
fn probe_alignment(size: u64) -> u64 {
    if size == 0 || size >= 4 {
        4
    } else {
        1
    }
}

/// QUOTA_LIMITS (x64): PagedPoolLimit, NonPagedPoolLimit,
/// MinimumWorkingSetSize, MaximumWorkingSetSize, PagefileLimit (SIZE_T),
/// TimeLimit (LARGE_INTEGER); QUOTA_LIMITS_EX adds WorkingSetLimit, three
/// reserved SIZE_Ts, Flags and CpuRateLimit (ULONGs).
const QUOTA_LIMITS_SIZE: u64 = 0x30;
const QUOTA_LIMITS_EX_SIZE: u64 = 0x58;

/// A process's quotas: no pool or page-file quota is charged (the limits
/// are SIZE_T's maximum), the working-set bounds are Windows' defaults
/// (50 and 345 pages; Triton never trims), no CPU time limit.
fn quota_limits(size: usize) -> Vec<u8> {
    let mut b = vec![0u8; size];
    put(&mut b, 0x00, &u64::MAX.to_le_bytes());
    put(&mut b, 0x08, &u64::MAX.to_le_bytes());
    put(&mut b, 0x10, &(50u64 * 4096).to_le_bytes());
    put(&mut b, 0x18, &(345u64 * 4096).to_le_bytes());
    put(&mut b, 0x20, &u64::MAX.to_le_bytes());
    b
}

/// KERNEL_USER_TIMES: creation and exit times; kernel and user time stay
/// 0 because the kernel keeps no per-thread CPU accounting yet.
fn times(create: i64, exit: i64) -> Vec<u8> {
    let mut b = vec![0u8; 0x20];
    put(&mut b, 0, &create.to_le_bytes());
    put(&mut b, 8, &exit.to_le_bytes());
    b
}

impl Executive {
    // ----- Helpers -----

    /// Reads caller memory (as the caller could).
    fn read_caller(&mut self, tid: u64, addr: u64, len: usize) -> Result<Vec<u8>, NtStatus> {
        nt_abi::wire::check_user_range(addr, len as u64)?;
        let mut v = crate::mm::heap::try_zeroed(len)?;
        let pid = self.caller_pid(tid);
        let Executive { processes, mem, .. } = self;
        processes.get_mut(&pid).filter(|p| p.alive()).ok_or(STATUS_INVALID_HANDLE)?.read(mem, addr, &mut v, true)?;
        Ok(v)
    }

    /// Writes caller memory (as the caller could).
    fn write_caller(&mut self, tid: u64, addr: u64, data: &[u8]) -> Result<(), NtStatus> {
        nt_abi::wire::check_user_range(addr, data.len() as u64)?;
        let pid = self.caller_pid(tid);
        let Executive { processes, mem, .. } = self;
        processes.get_mut(&pid).filter(|p| p.alive()).ok_or(STATUS_INVALID_HANDLE)?.write(mem, addr, data, true)
    }

    /// Could the caller write `len` bytes at `addr`?
    fn probe_caller(&self, tid: u64, addr: u64, len: u64) -> Result<(), NtStatus> {
        let p = self.processes.get(&self.caller_pid(tid)).ok_or(STATUS_INVALID_HANDLE)?;
        p.accessible(addr, len, true)
    }

    /// Delivers an information buffer. One that travels through the
    /// service buffer is copied to the caller's address by the service
    /// stub, which cannot survive a fault there: its address is probed
    /// here first, as Windows probes before it writes.
    pub(crate) fn deliver(&mut self, tid: u64, out: &OutBuffer, data: &[u8], reply: &mut Reply) -> NtStatus {
        if let OutBufferTarget::Local(_) = out.target {
            if let Err(e) = self.probe_caller(tid, out.user_addr, data.len() as u64) {
                return e;
            }
        }
        self.put_out(tid, out, data, reply)
    }

    /// Writes an output PS_ATTRIBUTE (its size was checked against `data`)
    /// and its ReturnLength.
    fn put_attribute(&mut self, tid: u64, a: &Attribute, data: &[u8]) -> Result<(), NtStatus> {
        self.write_caller(tid, a.value, data)?;
        if a.return_length != 0 {
            self.write_caller(tid, a.return_length, &(data.len() as u64).to_le_bytes())?;
        }
        Ok(())
    }

    /// Probes every output attribute before anything is created.
    fn probe_attributes(&self, tid: u64, c: &CreateAttributes) -> Result<(), NtStatus> {
        for a in c.outputs() {
            self.probe_caller(tid, a.value, a.size)?;
            if a.return_length != 0 {
                self.probe_caller(tid, a.return_length, 8)?;
            }
        }
        Ok(())
    }

    /// An image file by NT path, through the namespace (`\SystemRoot`,
    /// `\??\C:` and the other links lead to the boot-image device, which
    /// parses the rest of the name); returns the file and its full device
    /// path (what ProcessImageFileName reports).
    pub fn open_image_file(&mut self, name: &[u16]) -> Result<(&'static [u8], Vec<u16>), NtStatus> {
        let attrs = ObjectAttrs { root: 0, name: Some(name), attributes: OBJ_CASE_INSENSITIVE };
        let (object, remaining) = match self.ob.open_object_by_name(None, &attrs, None, 0)? {
            Opened::Parse { object, remaining } => (object, remaining),
            Opened::Object { id, .. } => (id, Vec::new()),
        };
        let device = matches!(self.ob.body(object), Some(Body::BootImage));
        let gone = self.ob.dereference(object);
        self.destroyed(gone);
        if !device {
            return Err(STATUS_OBJECT_TYPE_MISMATCH);
        }
        let archive = bootimg::Archive::new(self.boot_image).map_err(|_| STATUS_OBJECT_PATH_NOT_FOUND)?;
        let entries: Vec<bootimg::Entry<'static>> = archive.entries().collect();
        let listed = entries.iter().map(|e| (e.name(), e.kind == bootimg::Kind::Dir, e.data));
        let (data, canonical) = find_boot_file(listed, &remaining)?;
        let full = alloc::format!("{}\\{canonical}", crate::ex::object::BOOT_DEVICE);
        Ok((data, full.encode_utf16().collect()))
    }

    /// The full device path of a process's image, as recorded when it was
    /// created.
    fn image_device_path(&self, pid: u64) -> Vec<u16> {
        self.processes.get(&pid).and_then(|p| p.mapped_files.get(&p.image.base)).cloned().unwrap_or_default()
    }

    /// The live process `pid` (STATUS_PROCESS_IS_TERMINATING once it ended).
    fn live(&self, pid: u64) -> Result<(), NtStatus> {
        self.processes.get(&pid).filter(|p| p.alive()).map(|_| ()).ok_or(STATUS_PROCESS_IS_TERMINATING)
    }

    /// A process handle of the caller with any of `rights` (Windows lets
    /// PROCESS_QUERY_INFORMATION stand for ..._LIMITED_INFORMATION and
    /// PROCESS_SET_INFORMATION for ..._LIMITED_INFORMATION).
    fn process_with_any(&self, tid: u64, h: Handle, rights: u32) -> Result<u64, NtStatus> {
        if h == Handle::CURRENT_PROCESS || h == Handle::CURRENT_THREAD {
            return self.process_for(tid, h, 0);
        }
        let info = self.ob.lookup_handle(self.caller_pid(tid), h.0, 0, Some(TypeId::PROCESS))?;
        if info.access & rights == 0 {
            return Err(STATUS_ACCESS_DENIED);
        }
        self.process_for(tid, h, 0)
    }

    fn thread_with_any(&self, tid: u64, h: Handle, rights: u32) -> Result<u64, NtStatus> {
        if h == Handle::CURRENT_PROCESS || h == Handle::CURRENT_THREAD {
            return self.thread_for(tid, h, 0);
        }
        let info = self.ob.lookup_handle(self.caller_pid(tid), h.0, 0, Some(TypeId::THREAD))?;
        if info.access & rights == 0 {
            return Err(STATUS_ACCESS_DENIED);
        }
        self.thread_for(tid, h, 0)
    }

    /// A handle for the caller to an object the Executive holds.
    fn handle_for_caller(&mut self, tid: u64, object: ObjectId, access: u32, attributes: u32) -> Result<Handle, NtStatus> {
        let pid = self.caller_pid(tid);
        self.ob.insert_handle(pid, object, access, attributes).map(Handle)
    }

    /// Gives a thread its seL4 priority from its NT priority.
    fn apply_priority(&self, tid: u64) {
        if let Some(t) = self.threads.get(&tid).filter(|t| t.tcb != 0) {
            let _ = Tcb(t.tcb).set_priority(Tcb(cap::INIT_THREAD_TCB), process::sel4_priority(t.priority));
        }
    }

    // ----- Process creation -----

    pub fn nt_create_user_process(&mut self, tid: u64, a: args::NtCreateUserProcess, reply: &mut Reply) -> Outcome {
        if u64_at(a.create_info.input.bytes(), 0) != CREATE_INFO_SIZE as u64 {
            return Outcome::Reply(STATUS_INVALID_PARAMETER);
        }
        if a.process_flags & !PROCESS_CREATE_FLAGS_VALID != 0 || a.thread_flags & !THREAD_CREATE_FLAGS_VALID != 0 {
            return Outcome::Reply(STATUS_INVALID_PARAMETER);
        }
        let attrs = match a.attribute_list.map(CreateAttributes::from_list).transpose() {
            Ok(c) => c.unwrap_or_default(),
            Err(e) => return Outcome::Reply(e),
        };
        match self.create_user_process(tid, &a, &attrs, reply) {
            Ok(()) => Outcome::Reply(STATUS_SUCCESS),
            Err((e, state)) => {
                if let Some(state) = state {
                    let _ = reply.put_bytes(a.create_info.output, &create_info_failure(state));
                }
                Outcome::Reply(e)
            }
        }
    }

    /// NtCreateUserProcess after its argument checks; an error may come
    /// with the PS_CREATE_INFO state Windows reports for it.
    fn create_user_process(
        &mut self,
        tid: u64,
        a: &args::NtCreateUserProcess,
        attrs: &CreateAttributes,
        reply: &mut Reply,
    ) -> Result<(), (NtStatus, Option<PsCreateState>)> {
        let plain = |e: NtStatus| (e, None);
        let caller = self.caller_pid(tid);
        // The parameters, read from the caller (strings and environment
        // too when the block is normalized).
        let block_params = match a.process_parameters {
            Some(block) => {
                let Executive { processes, mem, .. } = &mut *self;
                let p = processes.get_mut(&caller).ok_or(plain(STATUS_INVALID_HANDLE))?;
                Params::parse(block, |addr, len| {
                    nt_abi::wire::check_user_range(addr, len as u64)?;
                    let mut v = crate::mm::heap::try_zeroed(len)?;
                    p.read(mem, addr, &mut v, true)?;
                    Ok(v)
                })
                .map(Some)
                .map_err(plain)?
            }
            None => None,
        };
        let image: Vec<u16> = match (attrs.image_name, &block_params) {
            (Some((addr, size)), _) => {
                // A name is a UNICODE_STRING's worth at most.
                if size > u16::MAX as u64 || size % 2 != 0 {
                    return Err(plain(STATUS_INVALID_PARAMETER));
                }
                let b = self.read_caller(tid, addr, size as usize).map_err(plain)?;
                b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect()
            }
            (None, Some(p)) if !p.image_path().is_empty() => p.image_path().to_vec(),
            _ => return Err(plain(STATUS_INVALID_PARAMETER)),
        };
        // Without a parameter block the child gets one naming its image.
        let params = block_params.unwrap_or_else(|| Params::new(&image, &image, &[], &[]));
        let parent = match attrs.parent {
            Some(h) => self.process_for(tid, h, PROCESS_CREATE_PROCESS).map_err(plain)?,
            None => caller,
        };
        self.live(parent).map_err(plain)?;
        self.probe_attributes(tid, attrs).map_err(plain)?;

        let (file, device) = self.open_image_file(&image).map_err(|e| (e, Some(PsCreateState::PsCreateFailOnFileOpen)))?;
        if crate::ps::image::image_span(file).is_err() {
            return Err((image_status(file), Some(PsCreateState::PsCreateFailOnSectionCreate)));
        }
        let pid = self.create_process(file, &image, device, Some(&params), parent).map_err(plain)?;
        let result = self.finish_user_process(tid, pid, parent, file, a, attrs, reply);
        if result.is_err() {
            self.terminate_process(pid, STATUS_UNSUCCESSFUL);
        }
        result.map_err(plain)
    }

    /// The rest of NtCreateUserProcess once the process exists: inherited
    /// handles, the first thread, the caller's handles and the outputs.
    #[allow(clippy::too_many_arguments)]
    fn finish_user_process(
        &mut self,
        tid: u64,
        pid: u64,
        parent: u64,
        file: &[u8],
        a: &args::NtCreateUserProcess,
        attrs: &CreateAttributes,
        reply: &mut Reply,
    ) -> Result<(), NtStatus> {
        if a.process_flags & PROCESS_CREATE_FLAGS_INHERIT_HANDLES != 0 {
            self.ob.inherit_handles(parent, pid)?;
        }
        let p = &self.processes[&pid];
        let (entry, peb, params, object) = (p.image.entry, p.peb, p.params, p.object);
        // A suspended process is, with one thread, its first thread
        // suspended (NtResumeProcess does not exist in Triton yet).
        let suspended = a.thread_flags & THREAD_CREATE_FLAGS_CREATE_SUSPENDED != 0
            || a.process_flags & PROCESS_CREATE_FLAGS_CREATE_SUSPENDED != 0;
        let child = self.create_thread(pid, Start::Thunk { start: entry, arg: peb, stack_size: 0 }, suspended)?;
        let thread_object = self.threads[&child].object;
        let ph = self.handle_for_caller(
            tid,
            object,
            a.process_desired_access,
            handle_attributes(a.process_object_attributes.as_ref()),
        )?;
        let th = match self.handle_for_caller(
            tid,
            thread_object,
            a.thread_desired_access,
            handle_attributes(a.thread_object_attributes.as_ref()),
        ) {
            Ok(h) => h,
            Err(e) => {
                let _ = self.close_handle(self.caller_pid(tid), ph.0);
                return Err(e);
            }
        };
        let teb = self.threads[&child].teb;
        // Probed before the process was made; a page the caller freed since
        // is its own loss, as when Windows' final write faults.
        if let Some(c) = attrs.client_id {
            let _ = self.put_attribute(tid, &c, &cid_bytes(pid, child));
        }
        if let Some(t) = attrs.teb_address {
            let _ = self.put_attribute(tid, &t, &teb.to_le_bytes());
        }
        if let Some(i) = attrs.image_info {
            let _ = self.put_attribute(tid, &i, &crate::mm::section::image_information(file));
        }
        let _ = reply.put(a.process_handle, &ph);
        let _ = reply.put(a.thread_handle, &th);
        let _ = reply.put_bytes(a.create_info.output, &create_info_success(params, RTL_USER_PROC_PARAMS_NORMALIZED, peb));
        Ok(())
    }

    /// NtCreateProcessEx: a process from an image section, without
    /// threads. As on Windows, PEB.ProcessParameters stays NULL: the
    /// creator writes a parameter block into the child
    /// (NtAllocateVirtualMemory, NtWriteVirtualMemory) and points the PEB at
    /// it, then creates the first thread. A NULL section (a copy of the
    /// parent's address space, Windows' fork) is STATUS_NOT_IMPLEMENTED;
    /// the debug port and token are ignored (no debugging or security yet).
    pub fn nt_create_process_ex(&mut self, tid: u64, a: args::NtCreateProcessEx, reply: &mut Reply) -> Outcome {
        if a.parent_process == Handle::NULL {
            return Outcome::Reply(STATUS_INVALID_PARAMETER);
        }
        if a.flags & !PROCESS_CREATE_FLAGS_VALID != 0 {
            return Outcome::Reply(STATUS_INVALID_PARAMETER);
        }
        let parent = match self.process_for(tid, a.parent_process, PROCESS_CREATE_PROCESS) {
            Ok(p) => p,
            Err(e) => return Outcome::Reply(e),
        };
        let Some(section) = a.section_handle else {
            return Outcome::Reply(STATUS_NOT_IMPLEMENTED);
        };
        let caller = self.caller_pid(tid);
        let (file, name) = match self.ob.lookup_handle(caller, section.0, SECTION_MAP_EXECUTE, Some(TypeId::SECTION)) {
            Ok(info) => match self.ob.body(info.object) {
                Some(Body::ImageSection(s)) => (s.file, self.ob.object_name(info.object).unwrap_or_default()),
                _ => return Outcome::Reply(STATUS_SECTION_NOT_IMAGE),
            },
            Err(e) => return Outcome::Reply(e),
        };
        if let Err(e) = self.live(parent) {
            return Outcome::Reply(e);
        }
        // The section object's name stands for the file (there is no file
        // object behind a \KnownDlls section).
        let pid = match self.create_process(file, &name, name.clone(), None, parent) {
            Ok(p) => p,
            Err(e) => return Outcome::Reply(e),
        };
        let inherited =
            if a.flags & PROCESS_CREATE_FLAGS_INHERIT_HANDLES != 0 { self.ob.inherit_handles(parent, pid) } else { Ok(()) };
        let object = self.processes[&pid].object;
        let handle = inherited.and_then(|()| {
            self.handle_for_caller(tid, object, a.desired_access, handle_attributes(a.object_attributes.as_ref()))
        });
        match handle {
            Ok(h) => {
                let _ = reply.put(a.process_handle, &h);
                Outcome::Reply(STATUS_SUCCESS)
            }
            Err(e) => {
                self.terminate_process(pid, STATUS_UNSUCCESSFUL);
                Outcome::Reply(e)
            }
        }
    }

    // ----- Thread creation -----

    /// NtCreateThreadEx: a thread starting in LdrInitializeThunk(start,
    /// arg) on a stack of max(StackSize, MaximumStackSize) bytes (or the
    /// image's reserve), committed whole because stacks cannot grow yet.
    /// ZeroBits is not applied to the stack's place;
    /// THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH and the loader-worker flags
    /// have no effect (Triton's TEB has no SameTebFlags yet).
    pub fn nt_create_thread_ex(&mut self, tid: u64, a: args::NtCreateThreadEx, reply: &mut Reply) -> Outcome {
        if a.create_flags & !THREAD_CREATE_FLAGS_VALID != 0 {
            return Outcome::Reply(STATUS_INVALID_PARAMETER);
        }
        let attrs = match a.attribute_list.map(CreateAttributes::from_list).transpose() {
            Ok(c) => c.unwrap_or_default(),
            Err(e) => return Outcome::Reply(e),
        };
        let pid = match self.process_for(tid, a.process_handle, PROCESS_CREATE_THREAD) {
            Ok(p) => p,
            Err(e) => return Outcome::Reply(e),
        };
        if let Err(e) = self.live(pid).and_then(|()| self.probe_attributes(tid, &attrs)) {
            return Outcome::Reply(e);
        }
        let start = Start::Thunk { start: a.start_routine, arg: a.argument, stack_size: a.stack_size.max(a.maximum_stack_size) };
        let suspended = a.create_flags & THREAD_CREATE_FLAGS_CREATE_SUSPENDED != 0;
        let new = match self.create_thread(pid, start, suspended) {
            Ok(t) => t,
            Err(e) => return Outcome::Reply(e),
        };
        if let Some(t) = self.threads.get_mut(&new) {
            t.hide_from_debugger = a.create_flags & THREAD_CREATE_FLAGS_HIDE_FROM_DEBUGGER != 0;
        }
        self.thread_created(tid, new, a.desired_access, a.object_attributes.as_ref(), &attrs, a.thread_handle, reply)
    }

    /// Hands a new thread to its creator: the handle and the attribute
    /// outputs; the thread ends again if the handle cannot be made.
    #[allow(clippy::too_many_arguments)]
    fn thread_created(
        &mut self,
        tid: u64,
        new: u64,
        access: u32,
        oa: Option<&ObjectAttributesView>,
        attrs: &CreateAttributes,
        out: nt_abi::wire::OutRef<nt_abi::services::pointee::Handle>,
        reply: &mut Reply,
    ) -> Outcome {
        let (object, pid, teb) = {
            let t = &self.threads[&new];
            (t.object, t.pid, t.teb)
        };
        match self.handle_for_caller(tid, object, access, handle_attributes(oa)) {
            Ok(h) => {
                if let Some(c) = attrs.client_id {
                    let _ = self.put_attribute(tid, &c, &cid_bytes(pid, new));
                }
                if let Some(t) = attrs.teb_address {
                    let _ = self.put_attribute(tid, &t, &teb.to_le_bytes());
                }
                let _ = reply.put(out, &h);
                Outcome::Reply(STATUS_SUCCESS)
            }
            Err(e) => {
                self.terminate_thread(new, STATUS_UNSUCCESSFUL);
                Outcome::Reply(e)
            }
        }
    }

    /// NtCreateThread: a thread that starts exactly at its CONTEXT's
    /// control and integer registers, on the stack INITIAL_TEB describes
    /// (the creator's; it is not freed with the thread).
    pub fn nt_create_thread(&mut self, tid: u64, a: args::NtCreateThread, reply: &mut Reply) -> Outcome {
        let pid = match self.process_for(tid, a.process_handle, PROCESS_CREATE_THREAD) {
            Ok(p) => p,
            Err(e) => return Outcome::Reply(e),
        };
        if let Err(e) = self.live(pid) {
            return Outcome::Reply(e);
        }
        let mut regs = UserContext::default();
        let ctx = a.thread_context.bytes();
        // The whole context counts here, whatever its flags say.
        let mut full = ctx.to_vec();
        put(&mut full, offset_of!(Context, context_flags), &(CONTEXT_CONTROL | CONTEXT_INTEGER).to_le_bytes());
        if let Err(e) = registers_from_context(&full, &mut regs) {
            return Outcome::Reply(e);
        }
        let it: InitialTeb = a.initial_teb.get();
        // A fixed-size stack is given by the Old* fields.
        let (base, limit) = if it.stack_base == 0 && it.stack_limit == 0 {
            (it.old_stack_base, it.old_stack_limit)
        } else {
            (it.stack_base, it.stack_limit)
        };
        let start = Start::Context { regs, stack: (base, limit, it.stack_allocation_base) };
        let new = match self.create_thread(pid, start, a.create_suspended) {
            Ok(t) => t,
            Err(e) => return Outcome::Reply(e),
        };
        let _ = reply.put(a.client_id, &ClientId { unique_process: pid, unique_thread: new });
        self.thread_created(
            tid,
            new,
            a.desired_access,
            a.object_attributes.as_ref(),
            &CreateAttributes::default(),
            a.thread_handle,
            reply,
        )
    }

    // ----- Opening by client id -----

    /// The object to open for NtOpenProcess/NtOpenThread: by client id, or
    /// by name (processes and threads have none, so that finds nothing of
    /// the type); both or neither is STATUS_INVALID_PARAMETER_MIX.
    fn open_by_cid(
        &mut self,
        tid: u64,
        oa: &ObjectAttributesView,
        cid: Option<ClientId>,
        access: u32,
        ty: TypeId,
        find: impl Fn(&Executive, ClientId) -> Option<ObjectId>,
    ) -> Result<Handle, NtStatus> {
        match (cid, oa.object_name) {
            (Some(c), None) => {
                let object = find(self, c).ok_or(STATUS_INVALID_CID)?;
                self.handle_for_caller(tid, object, access, oa.attributes)
            }
            (None, Some(name)) => {
                let name: Vec<u16> = name.units().collect();
                let attrs = ObjectAttrs { root: oa.root_directory.0, name: Some(&name), attributes: oa.attributes };
                match self.ob.open_object_by_name(Some(self.caller_pid(tid)), &attrs, Some(ty), access)? {
                    Opened::Object { handle: Some(h), .. } => Ok(Handle(h)),
                    Opened::Object { id, .. } | Opened::Parse { object: id, .. } => {
                        let gone = self.ob.dereference(id);
                        self.destroyed(gone);
                        Err(STATUS_OBJECT_TYPE_MISMATCH)
                    }
                }
            }
            _ => Err(STATUS_INVALID_PARAMETER_MIX),
        }
    }

    pub fn nt_open_process(&mut self, tid: u64, a: args::NtOpenProcess, reply: &mut Reply) -> Outcome {
        let cid = a.client_id.map(|c| c.get());
        // A thread id names its process (the process id, if given, must match).
        let find = |ex: &Executive, c: ClientId| {
            let pid = if c.unique_thread != 0 {
                let t = ex.threads.get(&c.unique_thread)?;
                if c.unique_process != 0 && c.unique_process != t.pid {
                    return None;
                }
                t.pid
            } else {
                c.unique_process
            };
            ex.object_of_process(pid)
        };
        match self.open_by_cid(tid, &a.object_attributes, cid, a.desired_access, TypeId::PROCESS, find) {
            Ok(h) => {
                let _ = reply.put(a.process_handle, &h);
                Outcome::Reply(STATUS_SUCCESS)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    pub fn nt_open_thread(&mut self, tid: u64, a: args::NtOpenThread, reply: &mut Reply) -> Outcome {
        let cid = a.client_id.map(|c| c.get());
        let find = |ex: &Executive, c: ClientId| {
            let t = ex.threads.get(&c.unique_thread)?;
            if c.unique_process != 0 && c.unique_process != t.pid {
                return None;
            }
            Some(t.object)
        };
        match self.open_by_cid(tid, &a.object_attributes, cid, a.desired_access, TypeId::THREAD, find) {
            Ok(h) => {
                let _ = reply.put(a.thread_handle, &h);
                Outcome::Reply(STATUS_SUCCESS)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    // ----- Termination -----

    /// NtTerminateProcess. NULL: every other thread of the caller's
    /// process ends and the caller goes on (the loader's
    /// RtlExitUserProcess does this first, then detaches the DLLs, then
    /// ends the process with NtCurrentProcess()). The caller's own process
    /// by handle ends with the caller (no reply). Another process needs
    /// PROCESS_TERMINATE; one that has ended is
    /// STATUS_PROCESS_IS_TERMINATING.
    pub fn nt_terminate_process(&mut self, tid: u64, handle: Option<Handle>, status: i32) -> Outcome {
        let status = NtStatus(status as u32);
        let me = self.caller_pid(tid);
        let Some(h) = handle else {
            let others: Vec<u64> = self.processes.get(&me).map_or(Vec::new(), |p| p.threads.clone());
            for t in others.into_iter().filter(|&t| t != tid) {
                self.terminate_thread(t, status);
            }
            return Outcome::Reply(STATUS_SUCCESS);
        };
        let pid = match self.process_for(tid, h, PROCESS_TERMINATE) {
            Ok(p) => p,
            Err(e) => return Outcome::Reply(e),
        };
        if let Err(e) = self.live(pid) {
            return Outcome::Reply(e);
        }
        self.terminate_process(pid, status);
        if pid == me {
            Outcome::NoReply
        } else {
            Outcome::Reply(STATUS_SUCCESS)
        }
    }

    /// NtTerminateThread. NULL is the caller, except that the last thread
    /// of a process may not end itself that way (STATUS_CANT_TERMINATE_SELF);
    /// NtCurrentThread() always ends it (and its process with it when it
    /// is the last). Another thread needs THREAD_TERMINATE; one that has
    /// ended already is left as it is.
    pub fn nt_terminate_thread(&mut self, tid: u64, handle: Option<Handle>, status: i32) -> Outcome {
        let status = NtStatus(status as u32);
        let target = match handle {
            None => {
                let alone = self.processes.get(&self.caller_pid(tid)).is_some_and(|p| p.threads.len() <= 1);
                if alone {
                    return Outcome::Reply(STATUS_CANT_TERMINATE_SELF);
                }
                tid
            }
            Some(h) => match self.thread_for(tid, h, THREAD_TERMINATE) {
                Ok(t) => t,
                Err(e) => return Outcome::Reply(e),
            },
        };
        self.terminate_thread(target, status);
        if target == tid {
            Outcome::NoReply
        } else {
            Outcome::Reply(STATUS_SUCCESS)
        }
    }

    // ----- Information -----

    pub fn nt_query_information_process(&mut self, tid: u64, a: args::NtQueryInformationProcess, reply: &mut Reply) -> Outcome {
        let out = a.process_information;
        let Ok(class) = ProcessInfoClass::try_from(a.process_information_class) else {
            return Outcome::Reply(STATUS_INVALID_INFO_CLASS);
        };
        use ProcessInfoClass as C;
        // The exact size each class needs (ImageFileName: at least its
        // UNICODE_STRING; ProcessHandleCount: ULONG or PROCESS_HANDLE_INFORMATION).
        let len = a.process_information_length as u64;
        let fixed: u64 = match class {
            C::ProcessBasicInformation => 0x30,
            C::ProcessTimes => 0x20,
            C::ProcessHandleCount => {
                if len == 8 {
                    8
                } else {
                    4
                }
            }
            C::ProcessSessionInformation => 4,
            // VM_COUNTERS, VM_COUNTERS_EX or VM_COUNTERS_EX2.
            C::ProcessVmCounters => match len as usize {
                n @ (sysinfo::VM_COUNTERS_EX_SIZE | sysinfo::VM_COUNTERS_EX2_SIZE) => n as u64,
                _ => sysinfo::VM_COUNTERS_SIZE as u64,
            },
            // QUOTA_LIMITS or QUOTA_LIMITS_EX.
            C::ProcessQuotaLimits => {
                if len == QUOTA_LIMITS_EX_SIZE {
                    len
                } else {
                    QUOTA_LIMITS_SIZE
                }
            }
            C::ProcessDebugPort | C::ProcessWow64Information => 8,
            C::ProcessPriorityClass => 2,
            C::ProcessImageFileName | C::ProcessImageFileNameWin32 => 0,
            // Set-only classes.
            C::ProcessBasePriority | C::ProcessRaisePriority | C::ProcessAccessToken | C::ProcessExceptionPort => {
                return Outcome::Reply(STATUS_INVALID_INFO_CLASS)
            }
            _ => return Outcome::Reply(STATUS_NOT_IMPLEMENTED),
        };
        // ProbeForWrite: ULONG alignment, byte alignment for byte records.
        if out.len != 0 && out.user_addr % probe_alignment(fixed) != 0 {
            return Outcome::Reply(STATUS_DATATYPE_MISALIGNMENT);
        }
        if fixed != 0 && len != fixed {
            if let Some(r) = a.return_length {
                let _ = reply.put(r, &(fixed as u32));
            }
            return Outcome::Reply(STATUS_INFO_LENGTH_MISMATCH);
        }
        let pid =
            match self.process_with_any(tid, a.process_handle, PROCESS_QUERY_INFORMATION | PROCESS_QUERY_LIMITED_INFORMATION) {
                Ok(p) => p,
                Err(e) => return Outcome::Reply(e),
            };
        let data: Vec<u8> = match class {
            C::ProcessBasicInformation => {
                let p = &self.processes[&pid];
                let mut b = vec![0u8; 0x30];
                put(&mut b, offset_of!(Pbi, exit_status), &p.exit_status.0.to_le_bytes());
                put(&mut b, offset_of!(Pbi, peb_base_address), &p.peb.to_le_bytes());
                put(&mut b, offset_of!(Pbi, affinity_mask), &1u64.to_le_bytes());
                put(&mut b, offset_of!(Pbi, base_priority), &p.base_priority.to_le_bytes());
                put(&mut b, offset_of!(Pbi, unique_process_id), &pid.to_le_bytes());
                put(&mut b, offset_of!(Pbi, inherited_from_unique_process_id), &p.parent.to_le_bytes());
                b
            }
            C::ProcessTimes => {
                let p = &self.processes[&pid];
                times(p.create_time, if p.alive() { 0 } else { p.exit_time })
            }
            C::ProcessHandleCount => {
                let n = self.ob.handle_count(pid).unwrap_or(0) as u32;
                let mut b = n.to_le_bytes().to_vec();
                if fixed == 8 {
                    // HandleCountHighWatermark: not tracked; the count is a lower bound.
                    b.extend_from_slice(&n.to_le_bytes());
                }
                b
            }
            // Every process is in session 0 (PEB.SessionId is 0 too).
            C::ProcessSessionInformation => 0u32.to_le_bytes().to_vec(),
            C::ProcessVmCounters => {
                sysinfo::vm_counters(&sysinfo::VmStats::of(&self.processes[&pid].vad))[..fixed as usize].to_vec()
            }
            C::ProcessQuotaLimits => quota_limits(fixed as usize),
            // No debugger can attach and there is no WOW64.
            C::ProcessDebugPort | C::ProcessWow64Information => 0u64.to_le_bytes().to_vec(),
            C::ProcessPriorityClass => {
                let base = self.processes[&pid].base_priority;
                let class = (1u8..=6).find(|&c| class_priority(c) == Ok(base)).unwrap_or(2);
                vec![0, class]
            }
            _ => {
                // ProcessImageFileName(Win32): UNICODE_STRING, then the text.
                let mut name = self.image_device_path(pid);
                if class == C::ProcessImageFileNameWin32 {
                    name = win32_path(&name);
                }
                let text = utf16_bytes(&name);
                let need = 16 + text.len() as u64 + 2;
                if len < need || text.len() > u16::MAX as usize - 2 {
                    if let Some(r) = a.return_length {
                        let _ = reply.put(r, &(need as u32));
                    }
                    return Outcome::Reply(STATUS_INFO_LENGTH_MISMATCH);
                }
                let mut b = vec![0u8; need as usize];
                put(&mut b, offset_of!(UnicodeString, length), &(text.len() as u16).to_le_bytes());
                put(&mut b, offset_of!(UnicodeString, maximum_length), &(text.len() as u16 + 2).to_le_bytes());
                put(&mut b, offset_of!(UnicodeString, buffer), &(out.user_addr + 16).to_le_bytes());
                put(&mut b, 16, &text);
                b
            }
        };
        let st = self.deliver(tid, &out, &data, reply);
        if st == STATUS_SUCCESS {
            if let Some(r) = a.return_length {
                let _ = reply.put(r, &(data.len() as u32));
            }
        }
        Outcome::Reply(st)
    }

    pub fn nt_query_information_thread(&mut self, tid: u64, a: args::NtQueryInformationThread, reply: &mut Reply) -> Outcome {
        let out = a.thread_information;
        let Ok(class) = ThreadInfoClass::try_from(a.thread_information_class) else {
            return Outcome::Reply(STATUS_INVALID_INFO_CLASS);
        };
        use ThreadInfoClass as C;
        let need: u64 = match class {
            C::ThreadBasicInformation => 0x30,
            C::ThreadTimes => 0x20,
            C::ThreadAmILastThread | C::ThreadIsTerminated | C::ThreadSuspendCount | C::ThreadIsIoPending => 4,
            C::ThreadQuerySetWin32StartAddress => 8,
            C::ThreadPriorityBoost => 4,
            C::ThreadHideFromDebugger | C::ThreadBreakOnTermination => {
                if class == C::ThreadHideFromDebugger {
                    1
                } else {
                    4
                }
            }
            C::ThreadPriority | C::ThreadBasePriority | C::ThreadImpersonationToken | C::ThreadZeroTlsCell => {
                return Outcome::Reply(STATUS_INVALID_INFO_CLASS)
            }
            _ => return Outcome::Reply(STATUS_NOT_IMPLEMENTED),
        };
        if out.len != 0 && out.user_addr % probe_alignment(need) != 0 {
            return Outcome::Reply(STATUS_DATATYPE_MISALIGNMENT);
        }
        if a.thread_information_length as u64 != need {
            if let Some(r) = a.return_length {
                let _ = reply.put(r, &(need as u32));
            }
            return Outcome::Reply(STATUS_INFO_LENGTH_MISMATCH);
        }
        let target = match self.thread_with_any(tid, a.thread_handle, THREAD_QUERY_INFORMATION | THREAD_QUERY_LIMITED_INFORMATION)
        {
            Ok(t) => t,
            Err(e) => return Outcome::Reply(e),
        };
        let Some(t) = self.threads.get(&target) else {
            return Outcome::Reply(STATUS_INVALID_HANDLE);
        };
        let data: Vec<u8> = match class {
            C::ThreadBasicInformation => {
                let base = self.processes.get(&t.pid).map_or(NORMAL_PRIORITY, |p| p.base_priority);
                let mut b = vec![0u8; 0x30];
                put(&mut b, offset_of!(Tbi, exit_status), &t.exit_status.0.to_le_bytes());
                put(&mut b, offset_of!(Tbi, teb_base_address), &t.teb.to_le_bytes());
                put(&mut b, offset_of!(Tbi, client_id), &t.pid.to_le_bytes());
                put(&mut b, offset_of!(Tbi, client_id) + 8, &target.to_le_bytes());
                put(&mut b, offset_of!(Tbi, affinity_mask), &1u64.to_le_bytes());
                put(&mut b, offset_of!(Tbi, priority), &t.priority.to_le_bytes());
                // THREAD_BASIC_INFORMATION.BasePriority is the increment
                // over the process's base.
                put(&mut b, offset_of!(Tbi, base_priority), &(t.priority - base).to_le_bytes());
                b
            }
            C::ThreadTimes => times(t.create_time, if t.alive() { 0 } else { t.exit_time }),
            C::ThreadAmILastThread => {
                let last = self.processes.get(&t.pid).is_some_and(|p| p.threads.len() == 1 && p.threads[0] == target);
                (last as u32).to_le_bytes().to_vec()
            }
            C::ThreadIsTerminated => (!t.alive() as u32).to_le_bytes().to_vec(),
            C::ThreadSuspendCount => t.suspend_count.to_le_bytes().to_vec(),
            // No I/O is ever pending, boosts are never disabled, no thread is critical.
            C::ThreadIsIoPending | C::ThreadPriorityBoost | C::ThreadBreakOnTermination => 0u32.to_le_bytes().to_vec(),
            C::ThreadQuerySetWin32StartAddress => t.win32_start.to_le_bytes().to_vec(),
            _ => vec![t.hide_from_debugger as u8],
        };
        let st = self.deliver(tid, &out, &data, reply);
        if st == STATUS_SUCCESS {
            if let Some(r) = a.return_length {
                let _ = reply.put(r, &(data.len() as u32));
            }
        }
        Outcome::Reply(st)
    }

    pub fn nt_set_information_process(&mut self, tid: u64, a: args::NtSetInformationProcess) -> Outcome {
        let Ok(class) = ProcessInfoClass::try_from(a.process_information_class) else {
            return Outcome::Reply(STATUS_INVALID_INFO_CLASS);
        };
        use ProcessInfoClass as C;
        let need = match class {
            C::ProcessBasePriority => 4,
            C::ProcessPriorityClass => 2,
            C::ProcessBasicInformation
            | C::ProcessTimes
            | C::ProcessHandleCount
            | C::ProcessImageFileName
            | C::ProcessImageFileNameWin32 => return Outcome::Reply(STATUS_INVALID_INFO_CLASS),
            _ => return Outcome::Reply(STATUS_NOT_IMPLEMENTED),
        };
        if a.process_information_length != need {
            return Outcome::Reply(STATUS_INFO_LENGTH_MISMATCH);
        }
        let data = match self.get_in(tid, &a.process_information) {
            Ok(d) => d,
            Err(e) => return Outcome::Reply(e),
        };
        let base = match class {
            C::ProcessBasePriority => match u32_at(&data, 0) as i32 {
                p @ 1..=31 => p,
                _ => return Outcome::Reply(STATUS_INVALID_PARAMETER),
            },
            _ => match class_priority(data[1]) {
                Ok(p) => p,
                Err(e) => return Outcome::Reply(e),
            },
        };
        let pid = match self.process_with_any(tid, a.process_handle, PROCESS_SET_INFORMATION) {
            Ok(p) => p,
            Err(e) => return Outcome::Reply(e),
        };
        // Each thread keeps its increment over the new base.
        let tids = self.processes.get_mut(&pid).map_or(Vec::new(), |p| {
            p.base_priority = base;
            p.threads.clone()
        });
        for t in tids {
            if let Some(th) = self.threads.get_mut(&t) {
                th.priority = priority_with_increment(base, th.base_increment).unwrap_or(base);
            }
            self.apply_priority(t);
        }
        Outcome::Reply(STATUS_SUCCESS)
    }

    pub fn nt_set_information_thread(&mut self, tid: u64, a: args::NtSetInformationThread) -> Outcome {
        let Ok(class) = ThreadInfoClass::try_from(a.thread_information_class) else {
            return Outcome::Reply(STATUS_INVALID_INFO_CLASS);
        };
        use ThreadInfoClass as C;
        let need = match class {
            C::ThreadPriority | C::ThreadBasePriority => 4,
            C::ThreadHideFromDebugger => 0,
            C::ThreadQuerySetWin32StartAddress => 8,
            C::ThreadBasicInformation
            | C::ThreadTimes
            | C::ThreadAmILastThread
            | C::ThreadIsTerminated
            | C::ThreadSuspendCount => return Outcome::Reply(STATUS_INVALID_INFO_CLASS),
            _ => return Outcome::Reply(STATUS_NOT_IMPLEMENTED),
        };
        if a.thread_information_length != need {
            return Outcome::Reply(STATUS_INFO_LENGTH_MISMATCH);
        }
        let data = match self.get_in(tid, &a.thread_information) {
            Ok(d) => d,
            Err(e) => return Outcome::Reply(e),
        };
        let value = u32_at(&data, 0) as i32;
        let target = match self.thread_with_any(tid, a.thread_handle, THREAD_SET_INFORMATION | THREAD_SET_LIMITED_INFORMATION) {
            Ok(t) => t,
            Err(e) => return Outcome::Reply(e),
        };
        let base =
            self.threads.get(&target).and_then(|t| self.processes.get(&t.pid)).map_or(NORMAL_PRIORITY, |p| p.base_priority);
        let Some(t) = self.threads.get_mut(&target) else {
            return Outcome::Reply(STATUS_INVALID_HANDLE);
        };
        match class {
            C::ThreadPriority => {
                if !(1..=31).contains(&value) {
                    return Outcome::Reply(STATUS_INVALID_PARAMETER);
                }
                t.priority = value;
            }
            C::ThreadBasePriority => match priority_with_increment(base, value) {
                Ok(p) => {
                    t.priority = p;
                    t.base_increment = value;
                }
                Err(e) => return Outcome::Reply(e),
            },
            C::ThreadHideFromDebugger => t.hide_from_debugger = true,
            _ => t.win32_start = u64_at(&data, 0),
        }
        self.apply_priority(target);
        Outcome::Reply(STATUS_SUCCESS)
    }

    // ----- Suspension and contexts -----

    pub fn nt_suspend_thread(&mut self, tid: u64, a: args::NtSuspendThread, reply: &mut Reply) -> Outcome {
        let target = match self.thread_for(tid, a.thread_handle, THREAD_SUSPEND_RESUME) {
            Ok(t) => t,
            Err(e) => return Outcome::Reply(e),
        };
        let Some(t) = self.threads.get_mut(&target) else {
            return Outcome::Reply(STATUS_INVALID_HANDLE);
        };
        if !t.alive() {
            return Outcome::Reply(STATUS_THREAD_IS_TERMINATING);
        }
        let prev = t.suspend_count;
        if prev >= MAX_SUSPEND_COUNT {
            return Outcome::Reply(STATUS_SUSPEND_COUNT_EXCEEDED);
        }
        t.suspend_count += 1;
        if prev == 0 {
            if target == tid {
                self.suspend_after_reply = Some(t.tcb);
            } else if !self.blocked.contains_key(&target) {
                let _ = Tcb(t.tcb).suspend();
            }
            // A thread blocked in a wait is not stopped (seL4 Suspend would
            // cancel its call): it keeps waiting, and when the wait ends it
            // gets its result and stops before running (`ex::wait::wake`).
        }
        if let Some(o) = a.previous_suspend_count {
            let _ = reply.put(o, &prev);
        }
        Outcome::Reply(STATUS_SUCCESS)
    }

    pub fn nt_resume_thread(&mut self, tid: u64, a: args::NtResumeThread, reply: &mut Reply) -> Outcome {
        let target = match self.thread_for(tid, a.thread_handle, THREAD_SUSPEND_RESUME) {
            Ok(t) => t,
            Err(e) => return Outcome::Reply(e),
        };
        let Some(t) = self.threads.get_mut(&target) else {
            return Outcome::Reply(STATUS_INVALID_HANDLE);
        };
        let prev = t.suspend_count;
        if prev > 0 && t.alive() {
            t.suspend_count -= 1;
            // A thread still blocked in a wait was never stopped.
            if t.suspend_count == 0 && !self.blocked.contains_key(&target) {
                let _ = Tcb(t.tcb).resume();
            }
        }
        if let Some(o) = a.previous_suspend_count {
            let _ = reply.put(o, &prev);
        }
        Outcome::Reply(STATUS_SUCCESS)
    }

    /// Reads a thread's registers. A suspended thread is read as it is; a
    /// running or ready one (or one queued on the Executive's endpoint) is
    /// stopped for the read and restarted after it. The caller itself is
    /// in this call: its registers are those at its `syscall`, with RIP
    /// the instruction after it (seL4 records the `syscall` itself), as
    /// Windows reports a thread's own context at its system call.
    fn thread_registers(&self, tid: u64, target: u64) -> Result<UserContext, NtStatus> {
        let t = self.threads.get(&target).filter(|t| t.alive()).ok_or(STATUS_THREAD_IS_TERMINATING)?;
        let tcb = Tcb(t.tcb);
        let read = |tcb: Tcb| tcb.read_registers(false, 0, USER_CONTEXT_WORDS as u64).map_err(|_| STATUS_UNSUCCESSFUL);
        // In a system call (this one, or a wait): read in place; seL4
        // reports the `syscall` instruction.
        if target == tid || self.blocked.contains_key(&target) {
            let mut r = read(tcb)?;
            r.rip += 2;
            return Ok(r);
        }
        if t.suspend_count > 0 {
            return read(tcb);
        }
        tcb.suspend().map_err(|_| STATUS_UNSUCCESSFUL)?;
        let r = read(tcb);
        let _ = tcb.resume();
        r
    }

    pub fn nt_get_context_thread(&mut self, tid: u64, a: args::NtGetContextThread, reply: &mut Reply) -> Outcome {
        let target = match self.thread_for(tid, a.thread_handle, THREAD_GET_CONTEXT) {
            Ok(t) => t,
            Err(e) => return Outcome::Reply(e),
        };
        match self.thread_registers(tid, target) {
            Ok(r) => {
                let ctx = context_from_registers(a.thread_context.input.bytes(), &r);
                let _ = reply.put_bytes(a.thread_context.output, &ctx);
                Outcome::Reply(STATUS_SUCCESS)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    /// NtSetContextThread. Another thread gets the registers where it
    /// stands (a running one is stopped, changed and restarted). The
    /// caller itself continues at the new context instead of returning
    /// (no reply; seL4 restarts it at the new RIP), which needs
    /// CONTEXT_CONTROL: setting only its other registers would hand the
    /// service stub a reply that was never sent (STATUS_NOT_IMPLEMENTED).
    pub fn nt_set_context_thread(&mut self, tid: u64, a: args::NtSetContextThread) -> Outcome {
        let target = match self.thread_for(tid, a.thread_handle, THREAD_SET_CONTEXT) {
            Ok(t) => t,
            Err(e) => return Outcome::Reply(e),
        };
        let Some(t) = self.threads.get(&target).filter(|t| t.alive()) else {
            return Outcome::Reply(STATUS_THREAD_IS_TERMINATING);
        };
        // A thread blocked in a wait is changed in place (stopping it would
        // cancel its call); it continues at the new context when its wait
        // ends, as on Windows.
        let (tcb, suspended) = (Tcb(t.tcb), t.suspend_count > 0 || self.blocked.contains_key(&target));
        let ctx = a.thread_context.bytes();
        let own = target == tid;
        if !own && !suspended && tcb.suspend().is_err() {
            return Outcome::Reply(STATUS_UNSUCCESSFUL);
        }
        let mut r = match tcb.read_registers(false, 0, USER_CONTEXT_WORDS as u64) {
            Ok(r) => r,
            Err(_) => {
                if !own && !suspended {
                    let _ = tcb.resume();
                }
                return Outcome::Reply(STATUS_UNSUCCESSFUL);
            }
        };
        let result = registers_from_context(ctx, &mut r);
        let status = match result {
            Ok(false) if own => STATUS_NOT_IMPLEMENTED,
            Ok(_) => match tcb.write_registers(!suspended, 0, USER_CONTEXT_WORDS as u64, &r) {
                Ok(()) if own => return Outcome::NoReply,
                Ok(()) => STATUS_SUCCESS,
                Err(_) => STATUS_UNSUCCESSFUL,
            },
            Err(e) => e,
        };
        // A failed change leaves a thread that was running running again.
        if status != STATUS_SUCCESS && !own && !suspended {
            let _ = tcb.resume();
        }
        Outcome::Reply(status)
    }
}

/// The Win32 form of a boot-image device path: `\Device\BootImage\x` is
/// `C:\x` (the `\??\C:` link names the boot image).
fn win32_path(device: &[u16]) -> Vec<u16> {
    let prefix: Vec<u16> = crate::ex::object::BOOT_DEVICE.encode_utf16().collect();
    match device.strip_prefix(prefix.as_slice()) {
        Some(rest) => "C:".encode_utf16().chain(rest.iter().copied()).collect(),
        None => device.to_vec(),
    }
}

#[cfg(test)]
mod tests;
