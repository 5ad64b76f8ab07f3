//! A process's user address space as NT's memory manager keeps it: the
//! allocations (VADs) and the state of every page, with the rules of
//! NtAllocateVirtualMemory, NtFreeVirtualMemory, NtProtectVirtualMemory,
//! NtQueryVirtualMemory and the view half of NtMapViewOfSection /
//! NtUnmapViewOfSection. Pure bookkeeping: it decides, and tells the caller
//! what to do with frames ([`PageAction`], [`FaultResolution`]); the seL4
//! side (`mm::space`) executes.
//!
//! Pages are 4 KiB, allocations start on 64 KiB boundaries when the memory
//! manager picks or rounds the address, and the user range is
//! [`MM_LOWEST_USER_ADDRESS`]..=[`MM_HIGHEST_USER_ADDRESS`].
//!
//! Every page is free (in no allocation), reserved, or committed with a
//! PAGE_* protection; a committed page is *backed* once the caller gave it
//! a frame. Frames arrive lazily: a committed page gets one on first touch
//! ([`AddressSpace::demand_fault`]) or when the caller fills it
//! ([`AddressSpace::set_backed`]). A backed page is mapped exactly when its
//! protection has [`Rights`] (not PAGE_NOACCESS, not PAGE_GUARD); every
//! operation returns the [`PageAction`]s that keep the page tables so.
//!
//! Commit accounting: committed pages of private allocations are counted
//! ([`AddressSpace::committed_private_pages`]); an operation that would
//! take the count over the limit ([`AddressSpace::set_commit_limit`]) fails
//! with STATUS_COMMITMENT_LIMIT and changes nothing. View pages are charged
//! to their section, as in NT.

mod fault;
mod ops;
mod protection;
#[cfg(test)]
mod random_tests;
mod runs;
#[cfg(test)]
mod tests;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use nt_abi::consts::*;
use nt_abi::status::*;
use nt_abi::types::{MemoryBasicInformation, MM_HIGHEST_USER_ADDRESS, MM_LOWEST_USER_ADDRESS};
use nt_abi::NtStatus;
use runs::Vad;

pub use protection::{is_valid as is_valid_protection, rights as protection_rights};

pub const PAGE_SIZE: u64 = 0x1000;
/// Where the memory manager places allocations it chooses or rounds.
pub const ALLOCATION_GRANULARITY: u64 = 0x1_0000;


/// MEMORY_BASIC_INFORMATION.Type of an allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VadType {
    /// NtAllocateVirtualMemory's memory.
    Private,
    /// A view of a data section.
    Mapped,
    /// A view of an image section.
    Image,
}

impl VadType {
    /// The MEM_* value NtQueryVirtualMemory reports.
    pub fn mem_type(self) -> u32 {
        match self {
            VadType::Private => MEM_PRIVATE,
            VadType::Mapped => MEM_MAPPED,
            VadType::Image => MEM_IMAGE,
        }
    }
}

/// One page of an allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageState {
    /// The PAGE_* protection with modifiers; 0 = reserved, not committed.
    pub protect: u32,
    /// The page has a frame (only committed pages have one).
    pub backed: bool,
}

impl PageState {
    pub const RESERVED: PageState = PageState {
        protect: 0,
        backed: false,
    };

    pub fn is_committed(self) -> bool {
        self.protect != 0
    }
}

/// Caching of a mapping (PAGE_NOCACHE, PAGE_WRITECOMBINE, or neither).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheMode {
    WriteBack,
    Uncached,
    WriteCombining,
}

/// How to map a page. Read access is implied: on x86 every mapping reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rights {
    pub write: bool,
    pub execute: bool,
    pub cache: CacheMode,
}

/// What a faulting access tried to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    Execute,
}

/// What the caller does to a page's mapping. `page` is the page's address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageAction {
    /// The page has a frame that is not mapped: map it with `rights`.
    Map { page: u64, rights: Rights },
    /// The page is mapped: change its rights.
    Remap { page: u64, rights: Rights },
    /// The page is mapped and must not be accessible any more: unmap it but
    /// keep the frame and its contents (the page stays backed).
    Unmap { page: u64 },
    /// The page loses its frame: unmap it if `mapped`, then give the frame
    /// back (free a private frame, drop a reference to a section's).
    Release { page: u64, mapped: bool },
}

/// The result of an operation on a range: the range it covered after
/// rounding, and what to do to the page tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub base: u64,
    pub size: u64,
    pub actions: Vec<PageAction>,
}

/// Where the contents of a page that gets its first frame come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fill {
    /// A zeroed frame (private memory).
    Zero,
    /// The section's own frame for this page, shared: `offset` is the
    /// page's offset from the view's base; `tag` the view's.
    ViewShared { tag: u64, offset: u64 },
    /// A private copy of the section's page.
    ViewCopy { tag: u64, offset: u64 },
}

/// The Executive's answer to a page fault in user memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultResolution {
    /// Give the page a frame filled as `fill`, map it with `rights`, and
    /// restart the thread. The page is recorded as backed already; if no
    /// frame can be had, call `set_backed(page, false)`.
    Map {
        page: u64,
        rights: Rights,
        fill: Fill,
    },
    /// A write to a copy-on-write page that has a frame: replace the frame
    /// by a private copy of it (or, if it is private already, keep it) and
    /// map it with `rights`. The page's protection is now the read-write one.
    CopyOnWrite { page: u64, rights: Rights },
    /// A guard page: its PAGE_GUARD is cleared; raise
    /// STATUS_GUARD_PAGE_VIOLATION in the thread after doing `action`.
    Guard { action: Option<PageAction> },
    /// Raise STATUS_ACCESS_VIOLATION: free, reserved or PAGE_NOACCESS
    /// memory, or an access the protection forbids.
    AccessViolation,
    /// The page is mapped already with rights that allow the access (another
    /// thread's fault mapped it first): just restart the thread.
    Retry,
}

impl FaultResolution {
    /// The exception to raise in the faulting thread, if any.
    pub fn exception(&self) -> Option<NtStatus> {
        match self {
            FaultResolution::Guard { .. } => Some(STATUS_GUARD_PAGE_VIOLATION),
            FaultResolution::AccessViolation => Some(STATUS_ACCESS_VIOLATION),
            _ => None,
        }
    }
}

/// [`AddressSpace::guard_hit`]'s result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuardHit {
    pub page: u64,
    /// Map the page's frame if it has one.
    pub action: Option<PageAction>,
}

/// A view NtMapViewOfSection places ([`AddressSpace::map_view`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViewRequest {
    /// 0 = let the memory manager choose; otherwise a multiple of 64 KiB.
    pub base: u64,
    /// Bytes; rounded up to pages.
    pub size: u64,
    /// [`VadType::Mapped`] or [`VadType::Image`].
    pub kind: VadType,
    /// The view's protection: AllocationProtect, and every committed page's.
    pub protect: u32,
    /// The section's protection; the view's pages never exceed it.
    pub max_protect: u32,
    /// Commit every page now (false for SEC_RESERVE sections).
    pub commit: bool,
    /// The caller fills every page from a private copy (see [`Fill`]).
    pub private_copies: bool,
    pub zero_bits: u64,
    pub top_down: bool,
    /// The caller's, e.g. the section's id.
    pub tag: u64,
}

/// [`AddressSpace::unmap_view`]'s result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmapped {
    pub base: u64,
    pub size: u64,
    pub tag: u64,
    pub actions: Vec<PageAction>,
}

/// One allocation, for teardown and the process VM counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllocationInfo {
    pub base: u64,
    pub size: u64,
    pub kind: VadType,
    pub allocation_protect: u32,
    pub tag: u64,
    pub committed_pages: u64,
    pub backed_pages: u64,
}

/// One page as [`AddressSpace::page`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageInfo {
    pub allocation_base: u64,
    pub kind: VadType,
    pub state: PageState,
    /// How the page is mapped when backed; None = not mapped.
    pub rights: Option<Rights>,
}

/// The user address space of one process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressSpace {
    /// Allocations keyed by base address; none overlap.
    vads: BTreeMap<u64, Vad>,
    commit: Commit,
}

/// The private commit charge, in pages.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Commit {
    pages: u64,
    peak: u64,
    limit: u64,
}

impl Commit {
    /// Adds `pages`, or fails with STATUS_COMMITMENT_LIMIT.
    fn charge(&mut self, pages: u64) -> Result<(), NtStatus> {
        match self.pages.checked_add(pages) {
            Some(total) if total <= self.limit => {
                self.pages = total;
                self.peak = self.peak.max(total);
                Ok(())
            }
            _ => Err(STATUS_COMMITMENT_LIMIT),
        }
    }
}

impl Default for AddressSpace {
    fn default() -> Self {
        Self::new()
    }
}

fn page_of(addr: u64) -> u64 {
    addr & !(PAGE_SIZE - 1)
}

/// The end of the page holding the last byte of `[addr, addr + size)`, plus
/// one: Windows' page rounding of a range (size > 0, no overflow).
fn page_end(addr: u64, size: u64) -> u64 {
    ((addr + size - 1) | (PAGE_SIZE - 1)) + 1
}

impl AddressSpace {
    /// An empty address space without a commit limit.
    pub fn new() -> AddressSpace {
        AddressSpace {
            vads: BTreeMap::new(),
            commit: Commit {
                pages: 0,
                peak: 0,
                limit: u64::MAX,
            },
        }
    }

    /// The most committed private pages this space may have.
    pub fn set_commit_limit(&mut self, pages: u64) {
        self.commit.limit = pages;
    }

    /// Committed pages of private allocations (PagefileUsage in pages).
    pub fn committed_private_pages(&self) -> u64 {
        self.commit.pages
    }

    /// The most [`Self::committed_private_pages`] has been.
    pub fn peak_committed_private_pages(&self) -> u64 {
        self.commit.peak
    }

    /// Bytes in allocations (the process's VirtualSize).
    pub fn virtual_size(&self) -> u64 {
        self.vads.values().map(|v| v.pages * PAGE_SIZE).sum()
    }

    /// Every allocation, in address order.
    pub fn allocations(&self) -> impl Iterator<Item = AllocationInfo> + '_ {
        self.vads.iter().map(|(&base, v)| AllocationInfo {
            base,
            size: v.pages * PAGE_SIZE,
            kind: v.kind,
            allocation_protect: v.allocation_protect,
            tag: v.tag,
            committed_pages: v.count(0, v.pages, |s| s.is_committed()),
            backed_pages: v.count(0, v.pages, |s| s.backed),
        })
    }

    /// Sets the tag of the allocation based at `base` (the Executive marks
    /// its own allocations, e.g. a thread's stack).
    pub fn set_tag(&mut self, base: u64, tag: u64) -> Result<(), NtStatus> {
        let vad = self
            .vads
            .get_mut(&base)
            .ok_or(STATUS_MEMORY_NOT_ALLOCATED)?;
        vad.tag = tag;
        Ok(())
    }

    /// The allocation holding `addr`: its base and description.
    fn find(&self, addr: u64) -> Option<(u64, &Vad)> {
        let (&base, vad) = self.vads.range(..=addr).next_back()?;
        (addr - base < vad.pages * PAGE_SIZE).then_some((base, vad))
    }

    /// Whether no allocation overlaps `[start, end)`.
    fn is_free(&self, start: u64, end: u64) -> bool {
        match self.vads.range(..end).next_back() {
            Some((&base, vad)) => base + vad.pages * PAGE_SIZE <= start,
            None => true,
        }
    }

    /// A 64 KiB-aligned free range of `size` bytes inside the user range
    /// ending at or below `highest`, the lowest one or (`top_down`) the
    /// highest one.
    fn find_free(&self, size: u64, highest: u64, top_down: bool) -> Option<u64> {
        let limit = highest.min(MM_HIGHEST_USER_ADDRESS) + 1;
        let align = ALLOCATION_GRANULARITY;
        // The gaps between allocations, as [start, end).
        let mut gaps = Vec::with_capacity(self.vads.len() + 1);
        let mut cursor = MM_LOWEST_USER_ADDRESS;
        for (&base, vad) in &self.vads {
            if base > cursor {
                gaps.push((cursor, base));
            }
            cursor = cursor.max(base + vad.pages * PAGE_SIZE);
        }
        gaps.push((cursor, MM_HIGHEST_USER_ADDRESS + 1));
        let fits = |(start, end): (u64, u64)| {
            let end = end.min(limit);
            if top_down {
                let s = end.checked_sub(size)? & !(align - 1);
                (s >= start).then_some(s)
            } else {
                let s = start.checked_add(align - 1)? & !(align - 1);
                (s.checked_add(size)? <= end).then_some(s)
            }
        };
        if top_down {
            gaps.into_iter().rev().find_map(fits)
        } else {
            gaps.into_iter().find_map(fits)
        }
    }

    /// The mapping rights of a page of `vad` with protection `protect`.
    fn rights_in(vad: &Vad, protect: u32) -> Option<Rights> {
        protection::rights(protect, vad.private_copies)
    }

    /// One page's state, or None for free memory.
    pub fn page(&self, addr: u64) -> Option<PageInfo> {
        let (base, vad) = self.find(addr)?;
        let state = vad.state((page_of(addr) - base) / PAGE_SIZE);
        Some(PageInfo {
            allocation_base: base,
            kind: vad.kind,
            state,
            rights: if state.backed {
                Self::rights_in(vad, state.protect)
            } else {
                None
            },
        })
    }

    /// NtQueryVirtualMemory(MemoryBasicInformation): the run of pages from
    /// `addr`'s page with the same state and protection inside one
    /// allocation (committed and reserved pages are never one region), or
    /// the free run up to the next allocation or the end of the user range.
    /// Free memory reports AllocationBase 0, Protect PAGE_NOACCESS, Type 0;
    /// reserved pages Protect 0 (Windows' values). Addresses above the user
    /// range are STATUS_INVALID_PARAMETER.
    pub fn query(&self, addr: u64) -> Result<MemoryBasicInformation, NtStatus> {
        if addr > MM_HIGHEST_USER_ADDRESS {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let page = page_of(addr);
        let Some((base, vad)) = self.find(page) else {
            let next = self
                .vads
                .range(page..)
                .next()
                .map_or(MM_HIGHEST_USER_ADDRESS + 1, |(&b, _)| b);
            return Ok(MemoryBasicInformation {
                base_address: page,
                region_size: next - page,
                state: MEM_FREE,
                protect: PAGE_NOACCESS,
                ..Default::default()
            });
        };
        let idx = (page - base) / PAGE_SIZE;
        let protect = vad.state(idx).protect;
        // Runs may differ only in being backed, which the query ignores.
        let end = vad
            .runs_in(idx, vad.pages)
            .take_while(|r| r.2.protect == protect)
            .last()
            .map_or(idx + 1, |r| r.1);
        Ok(MemoryBasicInformation {
            base_address: page,
            allocation_base: base,
            allocation_protect: vad.allocation_protect,
            partition_id: 0,
            region_size: (end - idx) * PAGE_SIZE,
            state: if protect == 0 {
                MEM_RESERVE
            } else {
                MEM_COMMIT
            },
            protect,
            type_: vad.kind.mem_type(),
        })
    }

    /// Process teardown: forgets every allocation and returns what to do
    /// with the frames. (Read [`Self::allocations`] first for the views'
    /// tags.)
    pub fn release_all(&mut self) -> Vec<PageAction> {
        let mut actions = Vec::new();
        for (base, vad) in core::mem::take(&mut self.vads) {
            release_pages(base, &vad, 0, vad.pages, &mut actions);
        }
        self.commit.pages = 0;
        actions
    }
}

/// The allocation holding `addr`, mutable (a function of the map alone, so
/// that the commit charge can change while it is borrowed).
fn find_mut(vads: &mut BTreeMap<u64, Vad>, addr: u64) -> Option<(u64, &mut Vad)> {
    let (&base, vad) = vads.range_mut(..=addr).next_back()?;
    (addr - base < vad.pages * PAGE_SIZE).then_some((base, vad))
}

/// The allocation holding all of `[start, end)`, if one does.
fn find_range_mut(vads: &mut BTreeMap<u64, Vad>, start: u64, end: u64) -> Option<(u64, &mut Vad)> {
    find_mut(vads, start).filter(|(base, vad)| end <= base + vad.pages * PAGE_SIZE)
}

/// Appends a Release for every backed page of `vad` (based at `base`) in
/// pages `[from, to)`.
fn release_pages(base: u64, vad: &Vad, from: u64, to: u64, actions: &mut Vec<PageAction>) {
    for (s, e, state) in vad.runs_in(from, to) {
        if state.backed {
            let mapped = protection::rights(state.protect, vad.private_copies).is_some();
            actions.extend((s..e).map(|i| PageAction::Release {
                page: base + i * PAGE_SIZE,
                mapped,
            }));
        }
    }
}

/// The action that moves a backed page's mapping from protection `old` to
/// `new`, if any.
fn transition(page: u64, old: Option<Rights>, new: Option<Rights>) -> Option<PageAction> {
    match (old, new) {
        (None, Some(rights)) => Some(PageAction::Map { page, rights }),
        (Some(_), None) => Some(PageAction::Unmap { page }),
        (Some(a), Some(b)) if a != b => Some(PageAction::Remap { page, rights: b }),
        _ => None,
    }
}
