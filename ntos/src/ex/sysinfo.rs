//! NtQuerySystemInformation, and the memory counters NtQueryInformationProcess
//! shares with it (VM_COUNTERS). The records are built as bytes by pure
//! functions (host-tested); the handler gathers the numbers from the
//! Executive's state and applies each class's length rule.
//!
//! Layouts are phnt's ntexapi.h / ntpsapi.h (x64); the length rules are
//! what Windows does as Wine's dlls/ntdll/tests/info.c records it:
//! SystemBasicInformation takes exactly its size; processor and
//! performance records take at least theirs (performance: at least the
//! pre-Windows 10 record, 0x138, and gets as much of the 0x158 one as
//! fits); time of day takes any length up to its 0x30 bytes and gets that
//! much; the process and module lists report the length they need with
//! STATUS_INFO_LENGTH_MISMATCH.

use crate::record::put;
use crate::ex::dispatch::Outcome;
use crate::ex::Executive;
use crate::mm::vad::VadType;
use alloc::vec;
use alloc::vec::Vec;
use nt_abi::classes::SystemInfoClass;
use nt_abi::status::*;
use nt_abi::types::{
    SystemBasicInformation as Sbi, MM_HIGHEST_USER_ADDRESS, MM_LOWEST_USER_ADDRESS,
};
use nt_abi::wire::{args, Reply};

const PAGE: u64 = 0x1000;


// ----- SystemBasicInformation (0) -----

/// SYSTEM_BASIC_INFORMATION for a machine with `physical_pages` pages of
/// RAM. One processor (the kernel runs on one); the timer resolution is the
/// Executive's tick. The untyped list is the memory manager's business, so
/// the lowest and highest physical page numbers are those of RAM starting
/// at page 1 (the PC's first page is the real-mode IVT, never RAM to NT).
pub fn basic_information(physical_pages: u64, timer_resolution: u32) -> [u8; 0x40] {
    use core::mem::offset_of;
    let mut b = [0u8; 0x40];
    let pages = physical_pages.min(u32::MAX as u64) as u32;
    put(
        &mut b,
        offset_of!(Sbi, timer_resolution),
        &timer_resolution.to_le_bytes(),
    );
    put(
        &mut b,
        offset_of!(Sbi, page_size),
        &(PAGE as u32).to_le_bytes(),
    );
    put(
        &mut b,
        offset_of!(Sbi, number_of_physical_pages),
        &pages.to_le_bytes(),
    );
    put(
        &mut b,
        offset_of!(Sbi, lowest_physical_page_number),
        &1u32.to_le_bytes(),
    );
    put(
        &mut b,
        offset_of!(Sbi, highest_physical_page_number),
        &pages.to_le_bytes(),
    );
    put(
        &mut b,
        offset_of!(Sbi, allocation_granularity),
        &0x1_0000u32.to_le_bytes(),
    );
    put(
        &mut b,
        offset_of!(Sbi, minimum_user_mode_address),
        &MM_LOWEST_USER_ADDRESS.to_le_bytes(),
    );
    put(
        &mut b,
        offset_of!(Sbi, maximum_user_mode_address),
        &MM_HIGHEST_USER_ADDRESS.to_le_bytes(),
    );
    put(
        &mut b,
        offset_of!(Sbi, active_processors_affinity_mask),
        &1u64.to_le_bytes(),
    );
    b[offset_of!(Sbi, number_of_processors)] = 1;
    b
}

// ----- SystemProcessorInformation (1) -----

/// SYSTEM_PROCESSOR_INFORMATION: Architecture USHORT 0, Level USHORT 2,
/// Revision USHORT 4, MaximumProcessors USHORT 6, FeatureBits ULONG 8.
pub const PROCESSOR_INFO_SIZE: usize = 12;
const PROCESSOR_ARCHITECTURE_AMD64: u16 = 9;

/// The record from CPUID leaf 1 (EAX: signature, EDX: feature flags):
/// ProcessorLevel is the family and ProcessorRevision model << 8 |
/// stepping, with the extended family/model fields folded in as Intel's
/// and AMD's manuals define them.
pub fn processor_information(signature: u32, edx: u32) -> [u8; PROCESSOR_INFO_SIZE] {
    let stepping = signature & 0xF;
    let base_family = (signature >> 8) & 0xF;
    let family = if base_family == 0xF {
        base_family + ((signature >> 20) & 0xFF)
    } else {
        base_family
    };
    let mut model = (signature >> 4) & 0xF;
    if base_family == 6 || base_family == 0xF {
        model |= ((signature >> 16) & 0xF) << 4;
    }
    let mut b = [0u8; PROCESSOR_INFO_SIZE];
    put(&mut b, 0, &PROCESSOR_ARCHITECTURE_AMD64.to_le_bytes());
    put(&mut b, 2, &(family as u16).to_le_bytes());
    put(&mut b, 4, &((model << 8 | stepping) as u16).to_le_bytes());
    put(&mut b, 6, &1u16.to_le_bytes());
    put(&mut b, 8, &feature_bits(edx).to_le_bytes());
    b
}

/// The KF_* feature bits (KeFeatureBits' low word, as ReactOS' ketypes.h
/// numbers them) that CPUID leaf 1 EDX shows; CR4 and the fast system
/// call are architectural on x86_64.
pub fn feature_bits(edx: u32) -> u32 {
    const KF_RDTSC: u32 = 0x2;
    const KF_CR4: u32 = 0x4;
    const KF_CMOV: u32 = 0x8;
    const KF_GLOBAL_PAGE: u32 = 0x10;
    const KF_LARGE_PAGE: u32 = 0x20;
    const KF_MTRR: u32 = 0x40;
    const KF_CMPXCHG8B: u32 = 0x80;
    const KF_MMX: u32 = 0x100;
    const KF_PAT: u32 = 0x400;
    const KF_FXSR: u32 = 0x800;
    const KF_FAST_SYSCALL: u32 = 0x1000;
    const KF_XMMI: u32 = 0x2000;
    const KF_XMMI64: u32 = 0x1_0000;
    let map = [
        (3, KF_LARGE_PAGE),
        (4, KF_RDTSC),
        (8, KF_CMPXCHG8B),
        (12, KF_MTRR),
        (13, KF_GLOBAL_PAGE),
        (15, KF_CMOV),
        (16, KF_PAT),
        (23, KF_MMX),
        (24, KF_FXSR),
        (25, KF_XMMI),
        (26, KF_XMMI64),
    ];
    map.iter()
        .filter(|(bit, _)| edx & (1 << bit) != 0)
        .fold(KF_CR4 | KF_FAST_SYSCALL, |f, (_, kf)| f | kf)
}

// ----- SystemPerformanceInformation (2) -----

/// The Windows 10 record (with the four Threshold ULONGLONGs at the end)
/// and the older one Windows still accepts.
pub const PERFORMANCE_INFO_SIZE: usize = 0x158;
pub const PERFORMANCE_INFO_MIN: usize = 0x138;

/// What SYSTEM_PERFORMANCE_INFORMATION reports, in pages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Performance {
    pub available: u64,
    pub committed: u64,
    pub commit_limit: u64,
    pub peak_commitment: u64,
}

/// The record: AvailablePages 0x2C, CommittedPages 0x30, CommitLimit 0x34,
/// PeakCommitment 0x38 (ULONGs) and ResidentAvailablePages 0x148
/// (LONGLONG); the I/O, cache, pool and scheduler counters are not kept
/// and read 0.
pub fn performance_information(p: &Performance) -> [u8; PERFORMANCE_INFO_SIZE] {
    let ulong = |v: u64| (v.min(u32::MAX as u64) as u32).to_le_bytes();
    let mut b = [0u8; PERFORMANCE_INFO_SIZE];
    put(&mut b, 0x2C, &ulong(p.available));
    put(&mut b, 0x30, &ulong(p.committed));
    put(&mut b, 0x34, &ulong(p.commit_limit));
    put(&mut b, 0x38, &ulong(p.peak_commitment));
    put(&mut b, 0x148, &(p.available as i64).to_le_bytes());
    b
}

// ----- SystemTimeOfDayInformation (3) -----

/// SYSTEM_TIMEOFDAY_INFORMATION: BootTime 0, CurrentTime 8, TimeZoneBias
/// 0x10, TimeZoneId 0x18, Reserved 0x1C, BootTimeBias 0x20, SleepTimeBias
/// 0x28. The clock is UTC and no time zone is set: bias and id are 0.
pub const TIME_OF_DAY_SIZE: usize = 0x30;

pub fn time_of_day(boot_time: i64, now: i64) -> [u8; TIME_OF_DAY_SIZE] {
    let mut b = [0u8; TIME_OF_DAY_SIZE];
    put(&mut b, 0, &boot_time.to_le_bytes());
    put(&mut b, 8, &now.to_le_bytes());
    b
}

// ----- VM_COUNTERS (SystemProcessInformation, ProcessVmCounters) -----

/// VM_COUNTERS (0x58), VM_COUNTERS_EX (+ PrivateUsage: 0x60) and
/// VM_COUNTERS_EX2 (+ PrivateWorkingSetSize, SharedCommitUsage: 0x70).
pub const VM_COUNTERS_SIZE: usize = 0x58;
pub const VM_COUNTERS_EX_SIZE: usize = 0x60;
pub const VM_COUNTERS_EX2_SIZE: usize = 0x70;

/// A process's memory, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VmStats {
    /// Reserved address space (VirtualSize).
    pub virtual_size: u64,
    /// Pages with a frame (WorkingSetSize): Triton never trims, so every
    /// touched page stays in the working set.
    pub working_set: u64,
    /// Of those, pages of private allocations (PrivateWorkingSetSize).
    pub private_working_set: u64,
    /// Committed private memory (PagefileUsage, PrivateUsage) and its peak.
    pub private: u64,
    pub peak_private: u64,
}

impl VmStats {
    /// The numbers of an address space.
    pub fn of(vad: &crate::mm::vad::AddressSpace) -> VmStats {
        let (mut working_set, mut private_working_set) = (0, 0);
        for a in vad.allocations() {
            working_set += a.backed_pages * PAGE;
            if a.kind == VadType::Private {
                private_working_set += a.backed_pages * PAGE;
            }
        }
        VmStats {
            virtual_size: vad.virtual_size(),
            working_set,
            private_working_set,
            private: vad.committed_private_pages() * PAGE,
            peak_private: vad.peak_committed_private_pages() * PAGE,
        }
    }
}

/// VM_COUNTERS_EX2 (cut to the size a caller asked for). Peaks of the
/// virtual size and working set are not tracked: the current values stand
/// in (a peak is never below them). No page faults are counted and the
/// Executive charges no pool quota.
pub fn vm_counters(v: &VmStats) -> [u8; VM_COUNTERS_EX2_SIZE] {
    let mut b = [0u8; VM_COUNTERS_EX2_SIZE];
    put(&mut b, 0x00, &v.virtual_size.to_le_bytes());
    put(&mut b, 0x08, &v.virtual_size.to_le_bytes());
    put(&mut b, 0x18, &v.working_set.to_le_bytes());
    put(&mut b, 0x20, &v.working_set.to_le_bytes());
    put(&mut b, 0x48, &v.private.to_le_bytes());
    put(&mut b, 0x50, &v.peak_private.max(v.private).to_le_bytes());
    put(&mut b, 0x58, &v.private.to_le_bytes());
    put(&mut b, 0x60, &v.private_working_set.to_le_bytes());
    b
}

// ----- SystemProcessInformation (5) -----

/// SYSTEM_PROCESS_INFORMATION without its threads, and one
/// SYSTEM_THREAD_INFORMATION.
pub const PROCESS_ENTRY_SIZE: usize = 0x100;
pub const THREAD_ENTRY_SIZE: usize = 0x50;

/// KTHREAD_STATE and KWAIT_REASON values the list uses.
pub const STATE_READY: u32 = 1;
pub const STATE_RUNNING: u32 = 2;
pub const STATE_WAITING: u32 = 5;
pub const WAIT_REASON_SUSPENDED: u32 = 5;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadEntry {
    pub tid: u64,
    pub create_time: i64,
    pub start_address: u64,
    pub priority: i32,
    pub state: u32,
    pub wait_reason: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessEntry {
    pub pid: u64,
    pub parent: u64,
    /// The image's file name (Windows lists `smss.exe`, not a path).
    pub name: Vec<u16>,
    pub base_priority: i32,
    pub handle_count: u32,
    pub create_time: i64,
    pub vm: VmStats,
    pub threads: Vec<ThreadEntry>,
}

/// The last component of an NT path.
pub fn file_name(path: &[u16]) -> &[u16] {
    let start = path
        .iter()
        .rposition(|&c| c == b'\\' as u16)
        .map_or(0, |i| i + 1);
    &path[start..]
}

/// Bytes of one process's entry: the record, its threads, its name with a
/// NUL, rounded up to 8 so the next record is aligned.
fn entry_size(p: &ProcessEntry) -> usize {
    (PROCESS_ENTRY_SIZE + p.threads.len() * THREAD_ENTRY_SIZE + name_bytes(p) + 2)
        .next_multiple_of(8)
}

/// The name's bytes (a UNICODE_STRING's Length is a USHORT).
fn name_bytes(p: &ProcessEntry) -> usize {
    (p.name.len() * 2).min(u16::MAX as usize - 1)
}

/// The bytes SystemProcessInformation needs for `list`.
pub fn process_list_size(list: &[ProcessEntry]) -> usize {
    list.iter().map(entry_size).sum()
}

/// The chained records for a caller buffer at `user_addr` (the
/// ImageName.Buffer pointers point into it). Kernel and user times are not
/// kept per thread (0); a thread's priority is its base priority (there
/// are no dynamic boosts).
pub fn process_list(list: &[ProcessEntry], user_addr: u64) -> Vec<u8> {
    let mut out = vec![0u8; process_list_size(list)];
    let mut at = 0usize;
    for (i, p) in list.iter().enumerate() {
        let size = entry_size(p);
        let e = &mut out[at..at + size];
        if i + 1 < list.len() {
            put(e, 0x00, &(size as u32).to_le_bytes());
        }
        put(e, 0x04, &(p.threads.len() as u32).to_le_bytes());
        put(e, 0x14, &(p.threads.len() as u32).to_le_bytes());
        put(e, 0x20, &p.create_time.to_le_bytes());
        let name_at = PROCESS_ENTRY_SIZE + p.threads.len() * THREAD_ENTRY_SIZE;
        let len = name_bytes(p);
        put(e, 0x38, &(len as u16).to_le_bytes());
        put(e, 0x3A, &(len as u16 + 2).to_le_bytes());
        put(e, 0x40, &(user_addr + (at + name_at) as u64).to_le_bytes());
        put(e, 0x48, &p.base_priority.to_le_bytes());
        put(e, 0x50, &p.pid.to_le_bytes());
        put(e, 0x58, &p.parent.to_le_bytes());
        put(e, 0x60, &p.handle_count.to_le_bytes());
        // SessionId 0x64: every process is in session 0.
        put(e, 0x70, &vm_counters(&p.vm)[..VM_COUNTERS_EX_SIZE]);
        for (k, t) in p.threads.iter().enumerate() {
            let r = &mut e[PROCESS_ENTRY_SIZE + k * THREAD_ENTRY_SIZE..][..THREAD_ENTRY_SIZE];
            put(r, 0x10, &t.create_time.to_le_bytes());
            put(r, 0x20, &t.start_address.to_le_bytes());
            put(r, 0x28, &p.pid.to_le_bytes());
            put(r, 0x30, &t.tid.to_le_bytes());
            put(r, 0x38, &t.priority.to_le_bytes());
            put(r, 0x3C, &t.priority.to_le_bytes());
            put(r, 0x44, &t.state.to_le_bytes());
            put(r, 0x48, &t.wait_reason.to_le_bytes());
        }
        for (k, c) in p.name[..len / 2].iter().enumerate() {
            put(e, name_at + 2 * k, &c.to_le_bytes());
        }
        at += size;
    }
    out
}

// ----- SystemModuleInformation (11) -----

/// RTL_PROCESS_MODULES: NumberOfModules (ULONG, padded to 8), then
/// RTL_PROCESS_MODULE_INFORMATION records of 0x128 bytes: Section 0,
/// MappedBase 8, ImageBase 0x10, ImageSize 0x18, Flags 0x1C,
/// LoadOrderIndex 0x20, InitOrderIndex 0x22, LoadCount 0x24,
/// OffsetToFileName 0x26, FullPathName\[256\] 0x28.
pub const MODULE_ENTRY_SIZE: usize = 0x128;
const MODULES_HEADER: usize = 8;

/// A "system module": what runs in the system's own address spaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Module {
    pub path: &'static str,
    pub base: u64,
    pub size: u32,
}

/// Where the Triton kernel runs (`kernel/link.ld`'s KERNEL_OFFSET).
pub const KERNEL_WINDOW: u64 = 0xFFFF_FFFF_8000_0000;

pub fn modules_size(modules: &[Module]) -> usize {
    MODULES_HEADER + modules.len() * MODULE_ENTRY_SIZE
}

pub fn module_list(modules: &[Module]) -> Vec<u8> {
    let mut out = vec![0u8; modules_size(modules)];
    put(&mut out, 0, &(modules.len() as u32).to_le_bytes());
    for (i, m) in modules.iter().enumerate() {
        let r = &mut out[MODULES_HEADER + i * MODULE_ENTRY_SIZE..][..MODULE_ENTRY_SIZE];
        put(r, 0x10, &m.base.to_le_bytes());
        put(r, 0x18, &m.size.to_le_bytes());
        put(r, 0x20, &(i as u16).to_le_bytes());
        put(r, 0x22, &(i as u16).to_le_bytes());
        put(r, 0x24, &1u16.to_le_bytes());
        let path = &m.path.as_bytes()[..m.path.len().min(255)];
        let file = path.iter().rposition(|&c| c == b'\\').map_or(0, |i| i + 1);
        put(r, 0x26, &(file as u16).to_le_bytes());
        put(r, 0x28, path);
    }
    out
}

// ----- Length rules -----

/// What a class returns for a buffer of `len` bytes: Ok(bytes to copy) or
/// Err(STATUS_INFO_LENGTH_MISMATCH, the length to report).
pub fn fit(class: SystemInfoClass, len: usize, full: usize) -> Result<usize, usize> {
    use SystemInfoClass as C;
    match class {
        C::SystemBasicInformation if len == full => Ok(full),
        C::SystemProcessorInformation if len >= full => Ok(full),
        C::SystemPerformanceInformation if len >= PERFORMANCE_INFO_MIN => Ok(len.min(full)),
        C::SystemTimeOfDayInformation if len <= full => Ok(len),
        C::SystemProcessInformation | C::SystemModuleInformation if len >= full => Ok(full),
        _ => Err(full),
    }
}

impl Executive {
    pub fn nt_query_system_information(
        &mut self,
        tid: u64,
        a: args::NtQuerySystemInformation,
        reply: &mut Reply,
    ) -> Outcome {
        use SystemInfoClass as C;
        let out = a.system_information;
        // Classes past the table (Windows has more after 79) are not known.
        let Ok(class) = SystemInfoClass::try_from(a.system_information_class) else {
            return Outcome::Reply(STATUS_INVALID_INFO_CLASS);
        };
        // The rest are valid classes Triton does not serve yet (handles,
        // pools, processor performance, ...).
        if !matches!(
            class,
            C::SystemBasicInformation
                | C::SystemProcessorInformation
                | C::SystemPerformanceInformation
                | C::SystemTimeOfDayInformation
                | C::SystemProcessInformation
                | C::SystemModuleInformation
        ) {
            return Outcome::Reply(STATUS_NOT_IMPLEMENTED);
        }
        // ProbeForWrite(Buffer, Length, sizeof(ULONG)) comes first.
        if out.len != 0 {
            if out.user_addr % 4 != 0 {
                return Outcome::Reply(STATUS_DATATYPE_MISALIGNMENT);
            }
            if let Err(e) = nt_abi::wire::check_user_range(out.user_addr, out.len) {
                return Outcome::Reply(e);
            }
        }
        let data: Vec<u8> = match class {
            C::SystemBasicInformation => basic_information(
                self.mem.ram_bytes() / PAGE,
                crate::ke::shared_data::TICK_100NS as u32,
            )
            .to_vec(),
            C::SystemProcessorInformation => {
                let r = core::arch::x86_64::__cpuid(1);
                processor_information(r.eax, r.edx).to_vec()
            }
            C::SystemPerformanceInformation => {
                performance_information(&self.performance()).to_vec()
            }
            C::SystemTimeOfDayInformation => {
                let now = self.clock.now();
                time_of_day(now - self.clock.since_boot(), now).to_vec()
            }
            C::SystemProcessInformation => {
                let list = self.process_entries(tid);
                let need = process_list_size(&list);
                if (out.len as usize) < need {
                    return mismatch(need, a.return_length, reply);
                }
                process_list(&list, out.user_addr)
            }
            _ => module_list(&system_modules()),
        };
        let n = match fit(class, out.len as usize, data.len()) {
            Ok(n) => n,
            Err(need) => return mismatch(need, a.return_length, reply),
        };
        let st = self.deliver(tid, &out, &data[..n], reply);
        if st == STATUS_SUCCESS {
            if let Some(r) = a.return_length {
                let _ = reply.put(r, &(n as u32));
            }
        }
        Outcome::Reply(st)
    }

    /// The system's memory in pages. Without a page file the commit limit
    /// is RAM. No system-wide peak is kept: the live processes' peaks add
    /// up to a bound that is never below the current commitment.
    fn performance(&self) -> Performance {
        let live = || self.processes.values().filter(|p| p.alive());
        let committed = self.commit_charge();
        let peaks: u64 = live().map(|p| p.vad.peak_committed_private_pages()).sum();
        Performance {
            available: self.mem.available_bytes() / PAGE,
            committed,
            commit_limit: self.commit_limit(),
            peak_commitment: peaks.max(committed),
        }
    }

    /// Committed private pages of every live process, in pages.
    pub fn commit_charge(&self) -> u64 {
        self.processes.values().filter(|p| p.alive()).map(|p| p.vad.committed_private_pages()).sum()
    }

    /// The system commit limit in pages: RAM, as there is no page file.
    pub fn commit_limit(&self) -> u64 {
        self.mem.ram_bytes() / PAGE
    }

    /// Every live process with its live threads. The caller is running;
    /// a suspended thread waits (Suspended); the Executive does not know
    /// what the others are blocked on, so they are listed as ready.
    fn process_entries(&self, caller: u64) -> Vec<ProcessEntry> {
        let mut list = Vec::new();
        for (&pid, p) in self.processes.iter().filter(|(_, p)| p.alive()) {
            let threads = p
                .threads
                .iter()
                .filter_map(|t| self.threads.get(t).filter(|t| t.alive()))
                .map(|t| {
                    let (state, wait_reason) = if t.tid == caller {
                        (STATE_RUNNING, 0)
                    } else if t.suspend_count > 0 {
                        (STATE_WAITING, WAIT_REASON_SUSPENDED)
                    } else {
                        (STATE_READY, 0)
                    };
                    ThreadEntry {
                        tid: t.tid,
                        create_time: t.create_time,
                        start_address: t.win32_start,
                        priority: t.priority,
                        state,
                        wait_reason,
                    }
                })
                .collect();
            list.push(ProcessEntry {
                pid,
                parent: p.parent,
                name: file_name(&p.image_name).to_vec(),
                base_priority: p.base_priority,
                handle_count: self.ob.handle_count(pid).unwrap_or(0) as u32,
                create_time: p.create_time,
                vm: VmStats::of(&p.vad),
                threads,
            });
        }
        list
    }
}

/// STATUS_INFO_LENGTH_MISMATCH with the length the class needs.
fn mismatch(
    need: usize,
    ret: Option<nt_abi::wire::OutRef<nt_abi::services::pointee::U32>>,
    reply: &mut Reply,
) -> Outcome {
    if let Some(r) = ret {
        let _ = reply.put(r, &(need as u32));
    }
    Outcome::Reply(STATUS_INFO_LENGTH_MISMATCH)
}

/// The system modules: the kernel and the Executive, the two programs the
/// boot loader started (neither is a file of the NT namespace, hence the
/// `\Boot\` prefix, named as the build names them). The kernel is linked
/// into the top 2 GiB; the root task is not told its extent, so its size
/// reads 0. The Executive's image runs from its ELF header to the end of
/// its data.
pub fn system_modules() -> [Module; 2] {
    [
        Module {
            path: "\\Boot\\triton-kernel",
            base: KERNEL_WINDOW,
            size: 0,
        },
        Module {
            path: "\\Boot\\ntos",
            base: executive_base(),
            size: (executive_end() - executive_base()) as u32,
        },
    ]
}

extern "C" {
    // Defined by the linker: the first byte of the loaded ELF header and
    // the end of the image's last segment.
    static __ehdr_start: u8;
    static _end: u8;
}

fn executive_base() -> u64 {
    (&raw const __ehdr_start) as u64
}

fn executive_end() -> u64 {
    (&raw const _end) as u64
}

#[cfg(test)]
mod tests;
