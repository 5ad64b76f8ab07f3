//! Pages getting frames: page faults in user memory (demand-zero pages,
//! view pages, copy-on-write, guard pages) and the caller's own filling of
//! pages.

use super::*;
use protection::{permits, written, Permit};

impl AddressSpace {
    /// A guard page was touched: clears PAGE_GUARD on `addr`'s page (only
    /// that page, as in Windows: the next page of a stack stays a guard)
    /// and tells the caller to map the frame if the page has one. The
    /// caller raises STATUS_GUARD_PAGE_VIOLATION in the thread. None if the
    /// page is not a committed guard page.
    pub fn guard_hit(&mut self, addr: u64) -> Option<GuardHit> {
        if addr > MM_HIGHEST_USER_ADDRESS {
            return None;
        }
        let (base, vad) = find_mut(&mut self.vads, addr)?;
        let idx = (page_of(addr) - base) / PAGE_SIZE;
        let state = vad.state(idx);
        if !state.is_committed() || state.protect & PAGE_GUARD == 0 {
            return None;
        }
        let protect = state.protect & !PAGE_GUARD;
        vad.update(idx, idx + 1, |_, _, old| PageState { protect, ..old });
        let page = page_of(addr);
        let action = match (state.backed, Self::rights_in(vad, protect)) {
            (true, Some(rights)) => Some(PageAction::Map { page, rights }),
            _ => None,
        };
        Some(GuardHit { page, action })
    }

    /// A thread's `access` at `addr` faulted: decides what the Executive
    /// does and records its effect (the page is backed from now on, a
    /// written copy-on-write page has the read-write protection, a guard
    /// page has lost PAGE_GUARD).
    pub fn demand_fault(&mut self, addr: u64, access: Access) -> FaultResolution {
        if addr > MM_HIGHEST_USER_ADDRESS {
            return FaultResolution::AccessViolation;
        }
        let page = page_of(addr);
        let Some((base, vad)) = find_mut(&mut self.vads, page) else {
            return FaultResolution::AccessViolation;
        };
        let idx = (page - base) / PAGE_SIZE;
        let state = vad.state(idx);
        if !state.is_committed() {
            return FaultResolution::AccessViolation;
        }
        if state.protect & PAGE_GUARD != 0 {
            let action = self.guard_hit(page).and_then(|hit| hit.action);
            return FaultResolution::Guard { action };
        }
        // The protection the page has once the access is done, and whether
        // its first frame must be a private copy of the section's page.
        let (protect, copy) = match permits(state.protect, access) {
            Permit::No => return FaultResolution::AccessViolation,
            Permit::Yes => (state.protect, false),
            // Its frames are private copies already, mapped writable.
            Permit::CopyOnWrite if vad.private_copies => (state.protect, true),
            Permit::CopyOnWrite => (written(state.protect), true),
        };
        let Some(rights) = Self::rights_in(vad, protect) else {
            return FaultResolution::AccessViolation;
        };
        if state.backed && protect == state.protect {
            // Mapped with these rights already: another thread's fault on
            // the same page got there first.
            return FaultResolution::Retry;
        }
        vad.update(idx, idx + 1, |_, _, _| PageState {
            protect,
            backed: true,
        });
        if state.backed {
            return FaultResolution::CopyOnWrite { page, rights };
        }
        let offset = idx * PAGE_SIZE;
        let fill = match vad.kind {
            VadType::Private => Fill::Zero,
            _ if copy || vad.private_copies => Fill::ViewCopy {
                tag: vad.tag,
                offset,
            },
            _ => Fill::ViewShared {
                tag: vad.tag,
                offset,
            },
        };
        FaultResolution::Map { page, rights, fill }
    }

    /// The caller gave `addr`'s page a frame (`backed`; e.g. it filled an
    /// image page or committed memory eagerly) or took it away (after a
    /// fault resolution it could not carry out). Returns the rights to map
    /// a new frame with, None meaning "keep it unmapped" (PAGE_NOACCESS or
    /// PAGE_GUARD). Reserved pages are STATUS_NOT_COMMITTED, free memory
    /// STATUS_MEMORY_NOT_ALLOCATED.
    pub fn set_backed(&mut self, addr: u64, backed: bool) -> Result<Option<Rights>, NtStatus> {
        if addr > MM_HIGHEST_USER_ADDRESS {
            return Err(STATUS_MEMORY_NOT_ALLOCATED);
        }
        let (base, vad) = find_mut(&mut self.vads, addr).ok_or(STATUS_MEMORY_NOT_ALLOCATED)?;
        let idx = (page_of(addr) - base) / PAGE_SIZE;
        let state = vad.state(idx);
        if !state.is_committed() {
            return Err(STATUS_NOT_COMMITTED);
        }
        vad.update(idx, idx + 1, |_, _, old| PageState { backed, ..old });
        Ok(if backed {
            Self::rights_in(vad, state.protect)
        } else {
            None
        })
    }
}
