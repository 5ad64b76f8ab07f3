//! The services that change an address space: NtAllocateVirtualMemory,
//! NtFreeVirtualMemory, NtProtectVirtualMemory, and placing and removing
//! section views. Parameters are checked in Windows' order, so that a call
//! with several bad parameters fails with the status Windows gives (the
//! order and statuses as in ReactOS's ARM3 virtual.c and the WRK, and as
//! Wine's tests observe Windows).

use super::*;
use protection::{as_copy_on_write, is_valid, is_write_copy, section_allows};

/// The highest address an allocation may end at for NtAllocateVirtualMemory's
/// ZeroBits, or None (STATUS_INVALID_PARAMETER_3). On 64-bit Windows a value
/// below 32 counts leading zero bits of a 32-bit address (1 keeps the
/// address below 2^31), a larger value is a mask whose highest set bit is
/// the highest the address may have; either way at most 53 of the 64 bits
/// may be forced to zero (WRK's MM_MAXIMUM_ZERO_BITS), so 21 is the largest
/// count (and finds no room above 64 KiB) and 22..=31 are invalid.
pub(super) fn zero_bits_limit(zero_bits: u64) -> Option<u64> {
    if zero_bits == 0 {
        return Some(MM_HIGHEST_USER_ADDRESS);
    }
    let count = if zero_bits >= 32 {
        u64::from(zero_bits.leading_zeros())
    } else {
        zero_bits + 32
    };
    (count <= 53).then(|| (u64::MAX >> count).min(MM_HIGHEST_USER_ADDRESS))
}

/// NtAllocateVirtualMemory's AllocationType checks (ReactOS's, in its
/// order); every failure is STATUS_INVALID_PARAMETER_5 except MEM_PHYSICAL
/// without PAGE_READWRITE, which is the protection's (_6).
fn check_allocation_type(alloc_type: u32, protect: u32) -> Result<(), NtStatus> {
    let known = MEM_COMMIT
        | MEM_RESERVE
        | MEM_RESET
        | MEM_PHYSICAL
        | MEM_TOP_DOWN
        | MEM_WRITE_WATCH
        | MEM_LARGE_PAGES;
    let bad = alloc_type & !known != 0
        || alloc_type & (MEM_COMMIT | MEM_RESERVE | MEM_RESET) == 0
        || (alloc_type & MEM_RESET != 0 && alloc_type != MEM_RESET)
        || (alloc_type & MEM_LARGE_PAGES != 0
            && (alloc_type & MEM_COMMIT == 0
                || alloc_type & (MEM_PHYSICAL | MEM_WRITE_WATCH) != 0))
        || (alloc_type & MEM_WRITE_WATCH != 0 && alloc_type & MEM_RESERVE == 0)
        || (alloc_type & MEM_PHYSICAL != 0
            && (alloc_type & MEM_RESERVE == 0
                || alloc_type & !(MEM_RESERVE | MEM_TOP_DOWN | MEM_PHYSICAL) != 0));
    if bad {
        return Err(STATUS_INVALID_PARAMETER_5);
    }
    if alloc_type & MEM_PHYSICAL != 0 && protect != PAGE_READWRITE {
        return Err(STATUS_INVALID_PARAMETER_6);
    }
    Ok(())
}

impl AddressSpace {
    /// NtAllocateVirtualMemory. `base` 0 lets the memory manager choose.
    ///
    /// - MEM_RESERVE (or any allocation with `base` 0) creates a private
    ///   allocation: a given base is rounded down to 64 KiB and the end up
    ///   to a page; a chosen one is the lowest (MEM_TOP_DOWN: highest) free
    ///   64 KiB-aligned range under the ZeroBits limit, of `size` rounded
    ///   up to pages. With MEM_COMMIT its pages are committed too.
    ///   ZeroBits limits only addresses the memory manager chooses (Wine's
    ///   test: a given address that conflicts is STATUS_CONFLICTING_ADDRESSES
    ///   with 12 zero bits as without).
    /// - MEM_COMMIT alone commits the pages of `[base, base + size)`
    ///   (rounded to pages) inside one existing allocation, and gives every
    ///   page of the range `protect`, committed before or not (Windows
    ///   changes the protection of pages committed already).
    /// - MEM_RESET alone: the contents of the committed private pages in
    ///   the range are no longer needed; their frames are released (they
    ///   read as zero again) and they stay committed.
    ///
    /// MEM_PHYSICAL, MEM_WRITE_WATCH and MEM_LARGE_PAGES pass Windows'
    /// checks and then fail with STATUS_NOT_IMPLEMENTED: Triton has no AWE
    /// regions, write tracking or large pages yet.
    pub fn allocate(
        &mut self,
        base: u64,
        size: u64,
        alloc_type: u32,
        protect: u32,
        zero_bits: u64,
    ) -> Result<Change, NtStatus> {
        let highest = zero_bits_limit(zero_bits).ok_or(STATUS_INVALID_PARAMETER_3)?;
        check_allocation_type(alloc_type, protect)?;
        if !is_valid(protect) {
            return Err(STATUS_INVALID_PAGE_PROTECTION);
        }
        if base > MM_HIGHEST_USER_ADDRESS {
            return Err(STATUS_INVALID_PARAMETER_2);
        }
        if MM_HIGHEST_USER_ADDRESS + 1 - base < size || size == 0 {
            return Err(STATUS_INVALID_PARAMETER_4);
        }
        if alloc_type & (MEM_PHYSICAL | MEM_WRITE_WATCH | MEM_LARGE_PAGES) != 0 {
            return Err(STATUS_NOT_IMPLEMENTED);
        }
        if alloc_type == MEM_RESET {
            return self.reset(base, size);
        }
        if base == 0 || alloc_type & MEM_RESERVE != 0 {
            return self.reserve(base, size, alloc_type, protect, highest);
        }
        self.commit(base, size, protect)
    }

    fn reserve(
        &mut self,
        base: u64,
        size: u64,
        alloc_type: u32,
        protect: u32,
        highest: u64,
    ) -> Result<Change, NtStatus> {
        // Copy-on-write needs a section to copy from.
        if is_write_copy(protect) {
            return Err(STATUS_INVALID_PAGE_PROTECTION);
        }
        let (start, len) = if base == 0 {
            let len = page_end(0, size);
            let start = self
                .find_free(len, highest, alloc_type & MEM_TOP_DOWN != 0)
                .ok_or(STATUS_NO_MEMORY)?;
            (start, len)
        } else {
            let start = base & !(ALLOCATION_GRANULARITY - 1);
            // The first 64 KiB are never allocated (Wine's tests: an address
            // there is STATUS_INVALID_PARAMETER).
            if start < MM_LOWEST_USER_ADDRESS {
                return Err(STATUS_INVALID_PARAMETER);
            }
            let end = page_end(base, size);
            if !self.is_free(start, end) {
                return Err(STATUS_CONFLICTING_ADDRESSES);
            }
            (start, end - start)
        };
        let pages = len / PAGE_SIZE;
        let state = if alloc_type & MEM_COMMIT != 0 {
            self.commit.charge(pages)?;
            PageState {
                protect,
                backed: false,
            }
        } else {
            PageState::RESERVED
        };
        self.vads
            .insert(start, Vad::new(pages, VadType::Private, protect, state));
        Ok(Change {
            base: start,
            size: len,
            actions: Vec::new(),
        })
    }

    /// The protection a page of `vad` gets when asked for `protect`, or the
    /// status refusing it: copy-on-write only in views, a view's pages
    /// within its section's protection (read-write asked of a copy-on-write
    /// view means copy-on-write).
    fn effective_protection(vad: &Vad, protect: u32) -> Result<u32, NtStatus> {
        match vad.kind {
            VadType::Private if is_write_copy(protect) => Err(STATUS_INVALID_PAGE_PROTECTION),
            VadType::Private => Ok(protect),
            VadType::Mapped | VadType::Image => {
                let cow = vad.kind == VadType::Image || is_write_copy(vad.allocation_protect);
                let protect = if cow {
                    as_copy_on_write(protect)
                } else {
                    protect
                };
                if section_allows(vad.max_protect, protect) {
                    Ok(protect)
                } else {
                    Err(STATUS_SECTION_PROTECTION)
                }
            }
        }
    }

    fn commit(&mut self, base: u64, size: u64, protect: u32) -> Result<Change, NtStatus> {
        let (start, end) = (page_of(base), page_end(base, size));
        let (vbase, vad) =
            find_range_mut(&mut self.vads, start, end).ok_or(STATUS_CONFLICTING_ADDRESSES)?;
        let protect = Self::effective_protection(vad, protect)?;
        let (from, to) = ((start - vbase) / PAGE_SIZE, (end - vbase) / PAGE_SIZE);
        if vad.kind == VadType::Private {
            self.commit
                .charge(vad.count(from, to, |s| !s.is_committed()))?;
        }
        let actions = set_protection(vbase, vad, from, to, protect);
        Ok(Change {
            base: start,
            size: end - start,
            actions,
        })
    }

    fn reset(&mut self, base: u64, size: u64) -> Result<Change, NtStatus> {
        let (start, end) = (page_of(base), page_end(base, size));
        let (vbase, vad) =
            find_range_mut(&mut self.vads, start, end).ok_or(STATUS_CONFLICTING_ADDRESSES)?;
        let mut actions = Vec::new();
        // A view's frames are its section's: resetting them would lose the
        // section's data for every other view, so views keep them.
        if vad.kind == VadType::Private {
            let (from, to) = ((start - vbase) / PAGE_SIZE, (end - vbase) / PAGE_SIZE);
            release_pages(vbase, vad, from, to, &mut actions);
            vad.update(from, to, |_, _, old| PageState {
                protect: old.protect,
                backed: false,
            });
        }
        Ok(Change {
            base: start,
            size: end - start,
            actions,
        })
    }

    /// NtFreeVirtualMemory on private memory.
    ///
    /// MEM_DECOMMIT turns the committed pages of the range into reserved
    /// ones (reserved pages in the range are fine); MEM_RELEASE frees the
    /// range. With `size` 0 the range is the whole allocation, and `base`
    /// must be in its first page (STATUS_FREE_VM_NOT_AT_BASE). A nonzero
    /// size is rounded to pages and must stay inside the allocation holding
    /// `base` (STATUS_UNABLE_TO_FREE_VM); releasing part of an allocation
    /// leaves its other part(s) as allocations of their own, based where
    /// they start (ReactOS's cases A, B, C). Free memory is
    /// STATUS_MEMORY_NOT_ALLOCATED, views STATUS_UNABLE_TO_DELETE_SECTION
    /// (they go with NtUnmapViewOfSection). The result's range is the one
    /// decommitted or released.
    pub fn free(&mut self, base: u64, size: u64, free_type: u32) -> Result<Change, NtStatus> {
        if free_type != MEM_RELEASE && free_type != MEM_DECOMMIT {
            return Err(STATUS_INVALID_PARAMETER_4);
        }
        if base > MM_HIGHEST_USER_ADDRESS {
            return Err(STATUS_INVALID_PARAMETER_2);
        }
        if MM_HIGHEST_USER_ADDRESS + 1 - base < size {
            return Err(STATUS_INVALID_PARAMETER_3);
        }
        let start = page_of(base);
        let (vbase, vad) = find_mut(&mut self.vads, start).ok_or(STATUS_MEMORY_NOT_ALLOCATED)?;
        let vend = vbase + vad.pages * PAGE_SIZE;
        if size != 0 && page_end(base, size) > vend {
            return Err(STATUS_UNABLE_TO_FREE_VM);
        }
        if vad.kind != VadType::Private {
            return Err(STATUS_UNABLE_TO_DELETE_SECTION);
        }
        let (start, end) = if size == 0 {
            if start != vbase {
                return Err(STATUS_FREE_VM_NOT_AT_BASE);
            }
            (vbase, vend)
        } else {
            (start, page_end(base, size))
        };
        let (from, to) = ((start - vbase) / PAGE_SIZE, (end - vbase) / PAGE_SIZE);
        let mut actions = Vec::new();
        release_pages(vbase, vad, from, to, &mut actions);
        self.commit.pages -= vad.count(from, to, |s| s.is_committed());
        if free_type == MEM_DECOMMIT {
            vad.update(from, to, |_, _, _| PageState::RESERVED);
        } else {
            // Keep what lies below and above the released pages as
            // allocations of their own.
            let upper = (to < vad.pages).then(|| vad.split_off(to));
            if from > 0 {
                vad.split_off(from);
            } else {
                self.vads.remove(&vbase);
            }
            if let Some(upper) = upper {
                self.vads.insert(vbase + to * PAGE_SIZE, upper);
            }
        }
        Ok(Change {
            base: start,
            size: end - start,
            actions,
        })
    }

    /// NtProtectVirtualMemory: gives every page of `[base, base + size)`
    /// (rounded to pages) `new_protect` and returns the old protection of
    /// the first page. The range must lie in one allocation
    /// (STATUS_CONFLICTING_ADDRESSES) and be committed throughout
    /// (STATUS_NOT_COMMITTED); copy-on-write is for views only
    /// (STATUS_INVALID_PAGE_PROTECTION), and a view's pages stay within its
    /// section's protection (STATUS_SECTION_PROTECTION).
    pub fn protect(
        &mut self,
        base: u64,
        size: u64,
        new_protect: u32,
    ) -> Result<(Change, u32), NtStatus> {
        if !is_valid(new_protect) {
            return Err(STATUS_INVALID_PAGE_PROTECTION);
        }
        if base > MM_HIGHEST_USER_ADDRESS {
            return Err(STATUS_INVALID_PARAMETER_2);
        }
        if MM_HIGHEST_USER_ADDRESS + 1 - base < size || size == 0 {
            return Err(STATUS_INVALID_PARAMETER_3);
        }
        let (start, end) = (page_of(base), page_end(base, size));
        let (vbase, vad) =
            find_range_mut(&mut self.vads, start, end).ok_or(STATUS_CONFLICTING_ADDRESSES)?;
        let protect = Self::effective_protection(vad, new_protect)?;
        let (from, to) = ((start - vbase) / PAGE_SIZE, (end - vbase) / PAGE_SIZE);
        if vad.count(from, to, |s| !s.is_committed()) != 0 {
            return Err(STATUS_NOT_COMMITTED);
        }
        let old = vad.state(from).protect;
        let actions = set_protection(vbase, vad, from, to, protect);
        Ok((
            Change {
                base: start,
                size: end - start,
                actions,
            },
            old,
        ))
    }

    /// Places a section view (NtMapViewOfSection's address-space half; the
    /// section's own checks are the caller's). Returns (base, size). A given
    /// base must be a multiple of 64 KiB (STATUS_MAPPED_ALIGNMENT) and free
    /// (STATUS_CONFLICTING_ADDRESSES); otherwise the memory manager chooses
    /// as for NtAllocateVirtualMemory (STATUS_NO_MEMORY when full). The
    /// view's pages are committed with `protect` when `commit`, with no
    /// frames yet: the caller calls [`Self::set_backed`] for each page it
    /// fills, or lets faults fill them ([`Fill`]).
    pub fn map_view(&mut self, view: &ViewRequest) -> Result<(u64, u64), NtStatus> {
        if view.kind == VadType::Private {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let highest = zero_bits_limit(view.zero_bits).ok_or(STATUS_INVALID_PARAMETER_4)?;
        if !is_valid(view.protect) || !is_valid(view.max_protect) {
            return Err(STATUS_INVALID_PAGE_PROTECTION);
        }
        if !section_allows(view.max_protect, view.protect) {
            return Err(STATUS_SECTION_PROTECTION);
        }
        if view.base > MM_HIGHEST_USER_ADDRESS {
            return Err(STATUS_INVALID_PARAMETER_3);
        }
        if view.size == 0 || MM_HIGHEST_USER_ADDRESS + 1 - view.base < view.size {
            return Err(STATUS_INVALID_VIEW_SIZE);
        }
        let len = page_end(0, view.size);
        let start = if view.base == 0 {
            self.find_free(len, highest, view.top_down)
                .ok_or(STATUS_NO_MEMORY)?
        } else {
            if view.base % ALLOCATION_GRANULARITY != 0 {
                return Err(STATUS_MAPPED_ALIGNMENT);
            }
            if view.base < MM_LOWEST_USER_ADDRESS || view.base + len > MM_HIGHEST_USER_ADDRESS + 1 {
                return Err(STATUS_INVALID_PARAMETER_3);
            }
            if !self.is_free(view.base, view.base + len) {
                return Err(STATUS_CONFLICTING_ADDRESSES);
            }
            view.base
        };
        let state = if view.commit {
            PageState {
                protect: view.protect,
                backed: false,
            }
        } else {
            PageState::RESERVED
        };
        let mut vad = Vad::new(len / PAGE_SIZE, view.kind, view.protect, state);
        vad.max_protect = view.max_protect;
        vad.private_copies = view.private_copies;
        vad.tag = view.tag;
        self.vads.insert(start, vad);
        Ok((start, len))
    }

    /// NtUnmapViewOfSection: removes the view holding `addr` (any address
    /// inside it, as in Windows). Private memory or free memory is
    /// STATUS_NOT_MAPPED_VIEW.
    pub fn unmap_view(&mut self, addr: u64) -> Result<Unmapped, NtStatus> {
        if addr > MM_HIGHEST_USER_ADDRESS {
            return Err(STATUS_INVALID_PARAMETER_2);
        }
        let (base, vad) = self.find(addr).ok_or(STATUS_NOT_MAPPED_VIEW)?;
        if vad.kind == VadType::Private {
            return Err(STATUS_NOT_MAPPED_VIEW);
        }
        let mut actions = Vec::new();
        release_pages(base, vad, 0, vad.pages, &mut actions);
        let (size, tag) = (vad.pages * PAGE_SIZE, vad.tag);
        self.vads.remove(&base);
        Ok(Unmapped {
            base,
            size,
            tag,
            actions,
        })
    }
}

/// Commits pages `[from, to)` of `vad` (based at `vbase`) with `protect`,
/// keeping their frames; returns the mapping changes of the backed ones.
fn set_protection(vbase: u64, vad: &mut Vad, from: u64, to: u64, protect: u32) -> Vec<PageAction> {
    let mut actions = Vec::new();
    let private_copies = vad.private_copies;
    let now = protection::rights(protect, private_copies);
    vad.update(from, to, |s, e, old| {
        if old.backed {
            let was = protection::rights(old.protect, private_copies);
            actions.extend((s..e).filter_map(|i| transition(vbase + i * PAGE_SIZE, was, now)));
        }
        PageState {
            protect,
            backed: old.backed,
        }
    });
    actions
}
