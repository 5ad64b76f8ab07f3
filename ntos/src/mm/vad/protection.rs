//! PAGE_* protections: which values the virtual-memory services accept, the
//! rights a page with a given protection is mapped with, which accesses it
//! permits, and what a section's protection allows its views.

use super::{Access, CacheMode, Rights};
use nt_abi::consts::*;

/// The base protection: the low byte (the modifiers are bits 8-10).
fn base(protect: u32) -> u32 {
    protect & 0xFF
}

/// Whether `protect` is a protection Windows accepts. The facts (also in
/// ReactOS's MiMakeProtectionMask): exactly one base value in the low byte
/// (so 0 and two bases are refused), nothing above PAGE_WRITECOMBINE, and
/// the modifiers PAGE_GUARD, PAGE_NOCACHE and PAGE_WRITECOMBINE exclude one
/// another and PAGE_NOACCESS.
pub fn is_valid(protect: u32) -> bool {
    if protect & !(0xFF | PAGE_GUARD | PAGE_NOCACHE | PAGE_WRITECOMBINE) != 0 {
        return false;
    }
    if !base(protect).is_power_of_two() {
        return false;
    }
    let modifiers = protect & (PAGE_GUARD | PAGE_NOCACHE | PAGE_WRITECOMBINE);
    if modifiers == 0 {
        return true;
    }
    modifiers.is_power_of_two() && base(protect) != PAGE_NOACCESS
}

/// PAGE_WRITECOPY or PAGE_EXECUTE_WRITECOPY (with any modifier).
pub fn is_write_copy(protect: u32) -> bool {
    matches!(base(protect), PAGE_WRITECOPY | PAGE_EXECUTE_WRITECOPY)
}

/// The protection a copy-on-write page has once written: its private copy
/// is ordinary read-write memory (Windows reports PAGE_READWRITE then).
pub fn written(protect: u32) -> u32 {
    let modifiers = protect & !0xFF;
    match base(protect) {
        PAGE_WRITECOPY => PAGE_READWRITE | modifiers,
        PAGE_EXECUTE_WRITECOPY => PAGE_EXECUTE_READWRITE | modifiers,
        _ => protect,
    }
}

/// In a copy-on-write view a write never reaches the section, so Windows
/// turns a request for read-write pages into copy-on-write ones (the loader
/// protects an image's IAT PAGE_READWRITE and sees PAGE_WRITECOPY).
pub fn as_copy_on_write(protect: u32) -> u32 {
    let modifiers = protect & !0xFF;
    match base(protect) {
        PAGE_READWRITE => PAGE_WRITECOPY | modifiers,
        PAGE_EXECUTE_READWRITE => PAGE_EXECUTE_WRITECOPY | modifiers,
        _ => protect,
    }
}

/// The rights a committed page with a frame is mapped with, or None when it
/// must stay unmapped (PAGE_NOACCESS, PAGE_GUARD, or not committed: 0).
/// x86 pages are always readable when mapped, so PAGE_EXECUTE maps readable.
/// A copy-on-write page maps read-only so that the first write faults,
/// unless its frame is already a private copy (`private_copy`).
pub fn rights(protect: u32, private_copy: bool) -> Option<Rights> {
    if protect & PAGE_GUARD != 0 {
        return None;
    }
    let (write, execute) = match base(protect) {
        PAGE_READONLY => (false, false),
        PAGE_READWRITE => (true, false),
        PAGE_WRITECOPY => (private_copy, false),
        PAGE_EXECUTE | PAGE_EXECUTE_READ => (false, true),
        PAGE_EXECUTE_READWRITE => (true, true),
        PAGE_EXECUTE_WRITECOPY => (private_copy, true),
        _ => return None,
    };
    let cache = if protect & PAGE_NOCACHE != 0 {
        CacheMode::Uncached
    } else if protect & PAGE_WRITECOMBINE != 0 {
        CacheMode::WriteCombining
    } else {
        CacheMode::WriteBack
    };
    Some(Rights {
        write,
        execute,
        cache,
    })
}

/// What an access to a committed page without PAGE_GUARD may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permit {
    Yes,
    /// A write to a copy-on-write page: allowed after a private copy.
    CopyOnWrite,
    No,
}

pub fn permits(protect: u32, access: Access) -> Permit {
    let p = base(protect);
    let ok = match access {
        // Reading is what any mapping gives on x86 (PAGE_EXECUTE included).
        Access::Read => p != PAGE_NOACCESS,
        Access::Write => matches!(p, PAGE_READWRITE | PAGE_EXECUTE_READWRITE),
        Access::Execute => {
            matches!(
                p,
                PAGE_EXECUTE | PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY
            )
        }
    };
    if ok {
        Permit::Yes
    } else if access == Access::Write && is_write_copy(protect) {
        Permit::CopyOnWrite
    } else {
        Permit::No
    }
}

/// What a protection needs of the section behind a view: read, shared
/// write, execute. Copy-on-write needs only read (writes go to private
/// copies); PAGE_NOACCESS needs nothing.
fn needs(protect: u32) -> (bool, bool, bool) {
    match base(protect) {
        PAGE_READONLY | PAGE_WRITECOPY => (true, false, false),
        PAGE_READWRITE => (true, true, false),
        PAGE_EXECUTE => (false, false, true),
        PAGE_EXECUTE_READ | PAGE_EXECUTE_WRITECOPY => (true, false, true),
        PAGE_EXECUTE_READWRITE => (true, true, true),
        _ => (false, false, false),
    }
}

/// Whether a view of a section created with protection `max` may have pages
/// with protection `protect` (Windows fails others with
/// STATUS_SECTION_PROTECTION): every right the page needs must be granted,
/// where a copy-on-write section grants no shared write.
pub fn section_allows(max: u32, protect: u32) -> bool {
    let (need_r, need_w, need_x) = needs(protect);
    let (has_r, has_w, has_x) = needs(max);
    (!need_r || has_r) && (!need_w || has_w) && (!need_x || has_x)
}
