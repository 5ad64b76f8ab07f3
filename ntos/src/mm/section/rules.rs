//! The argument rules of the data-section services, as pure functions:
//! what NtCreateSection accepts for a page-file-backed section, which view
//! of it NtMapViewOfSection places, and the section rights a view's
//! protection needs. Facts from ReactOS's apitest NtMapViewOfSection.c
//! (Test_PageFileSection, run against Windows) and the NT memory manager's
//! documented behaviour; the statuses are Windows' (x64).

use crate::mm::vad::{is_valid_protection, ALLOCATION_GRANULARITY, PAGE_SIZE};
use nt_abi::consts::*;
use nt_abi::status::*;
use nt_abi::types::MM_HIGHEST_USER_ADDRESS;
use nt_abi::NtStatus;

/// The SEC_* bits NtCreateSection knows; anything else is
/// STATUS_INVALID_PARAMETER_6.
const KNOWN_ATTRIBUTES: u32 = SEC_FILE
    | SEC_IMAGE
    | SEC_PROTECTED_IMAGE
    | SEC_RESERVE
    | SEC_COMMIT
    | SEC_NOCACHE
    | SEC_WRITECOMBINE
    | SEC_LARGE_PAGES
    | SEC_NO_CHANGE;
/// SEC_NO_CHANGE (also an AllocationType bit of NtMapViewOfSection).
pub const SEC_NO_CHANGE: u32 = 0x0040_0000;
/// MEM_DOS_LIM: NtMapViewOfSection accepts it (x86 only in effect).
const MEM_DOS_LIM: u32 = 0x4000_0000;
/// A reserve-only section this large cannot get its prototype tables
/// (Windows x64 refuses 8 TiB with STATUS_INSUFFICIENT_RESOURCES).
const MAX_RESERVED_SECTION: u64 = 1 << 40;
/// Sections reach at most the user address space (128 TiB: Windows says
/// STATUS_SECTION_TOO_BIG).
const MAX_SECTION: u64 = 1 << 47;

/// NtCreateSection's AllocationAttributes: exactly one of SEC_COMMIT and
/// SEC_RESERVE, or SEC_IMAGE without either (nor SEC_NOCACHE), and no
/// unknown bits; all else is STATUS_INVALID_PARAMETER_6. True for SEC_IMAGE.
pub fn check_attributes(attributes: u32) -> Result<bool, NtStatus> {
    let kind = attributes & (SEC_COMMIT | SEC_RESERVE | SEC_IMAGE);
    let valid = attributes & !KNOWN_ATTRIBUTES == 0
        && matches!(kind, SEC_COMMIT | SEC_RESERVE | SEC_IMAGE)
        && (kind != SEC_IMAGE || attributes & SEC_NOCACHE == 0);
    if valid {
        Ok(kind == SEC_IMAGE)
    } else {
        Err(STATUS_INVALID_PARAMETER_6)
    }
}

/// A page-file-backed section NtCreateSection may create.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataSectionSpec {
    /// MaximumSize rounded up to pages.
    pub size: u64,
    /// SEC_RESERVE: views start reserved; SEC_COMMIT: committed.
    pub reserve: bool,
    /// SectionPageProtection: the most any view may have.
    pub protect: u32,
    /// The SEC_* bits as NtQuerySection reports them.
    pub attributes: u32,
}

/// NtCreateSection's checks for a section without a file, in Windows'
/// order: AllocationAttributes (exactly one of SEC_COMMIT / SEC_RESERVE,
/// or SEC_IMAGE, no unknown bits: STATUS_INVALID_PARAMETER_6), the
/// protection (STATUS_INVALID_PAGE_PROTECTION; PAGE_NOACCESS and the
/// modifiers are refused for page-file sections too), then MaximumSize
/// (missing or not positive: STATUS_INVALID_PARAMETER_4; too large:
/// STATUS_SECTION_TOO_BIG, STATUS_INSUFFICIENT_RESOURCES, or for committed
/// sections more than `commit_available` bytes STATUS_COMMITMENT_LIMIT).
/// SEC_IMAGE needs a file: STATUS_INVALID_FILE_FOR_SECTION.
pub fn check_create(
    maximum_size: Option<i64>,
    protect: u32,
    attributes: u32,
    commit_available: u64,
) -> Result<DataSectionSpec, NtStatus> {
    if check_attributes(attributes)? {
        // An image section is made from a file.
        return Err(STATUS_INVALID_FILE_FOR_SECTION);
    }
    if attributes & SEC_LARGE_PAGES != 0 {
        // Large pages need SeLockMemoryPrivilege, which nobody holds.
        return Err(STATUS_PRIVILEGE_NOT_HELD);
    }
    if !is_valid_protection(protect) || protect & !0xFF != 0 || protect == PAGE_NOACCESS {
        return Err(STATUS_INVALID_PAGE_PROTECTION);
    }
    let size = match maximum_size {
        Some(s) if s > 0 => s as u64,
        _ => return Err(STATUS_INVALID_PARAMETER_4),
    };
    if size >= MAX_SECTION {
        return Err(STATUS_SECTION_TOO_BIG);
    }
    let size = size.next_multiple_of(PAGE_SIZE);
    let reserve = attributes & SEC_RESERVE != 0;
    if reserve && size > MAX_RESERVED_SECTION {
        return Err(STATUS_INSUFFICIENT_RESOURCES);
    }
    if !reserve && size > commit_available {
        return Err(STATUS_COMMITMENT_LIMIT);
    }
    Ok(DataSectionSpec {
        size,
        reserve,
        protect,
        attributes: attributes
            & (SEC_COMMIT | SEC_RESERVE | SEC_NOCACHE | SEC_WRITECOMBINE | SEC_NO_CHANGE),
    })
}

/// NtMapViewOfSection's arguments that do not depend on the section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapArgs {
    pub base: u64,
    pub zero_bits: u64,
    pub commit_size: u64,
    /// None: SectionOffset NULL (0).
    pub offset: Option<i64>,
    pub view_size: u64,
    pub inherit: u32,
    pub allocation_type: u32,
    pub protect: u32,
}

/// What [`check_map`] decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViewPlan {
    pub base: u64,
    /// The section offset of the view's first byte (64 KiB aligned).
    pub offset: u64,
    /// The view's length, page-rounded.
    pub size: u64,
    /// Leading bytes (page-rounded) committed at once; the rest reserved.
    pub commit: u64,
    pub top_down: bool,
}

/// ViewShare and ViewUnmap.
pub const VIEW_SHARE: u32 = 1;
pub const VIEW_UNMAP: u32 = 2;

/// NtMapViewOfSection's checks for a view of a data section of
/// `section_size` bytes (`reserve`: SEC_RESERVE), in Windows' order:
/// InheritDisposition (_8), AllocationType (MEM_TOP_DOWN, MEM_RESERVE,
/// SEC_NO_CHANGE, MEM_DOS_LIM, MEM_LARGE_PAGES only: _9; MEM_COMMIT and
/// MEM_RESERVE with a CommitSize are _9 too), the protection
/// (STATUS_INVALID_PAGE_PROTECTION), the base (above the user range or
/// a view size reaching past it: _3), then the section's part: the offset
/// (64 KiB multiple: STATUS_MAPPED_ALIGNMENT, inside the section), the
/// size (0 = the rest of the section; beyond it STATUS_INVALID_VIEW_SIZE),
/// CommitSize within the view (_5) and the base alignment
/// (STATUS_MAPPED_ALIGNMENT). ZeroBits is the VAD logic's.
pub fn check_map(a: &MapArgs, section_size: u64, reserve: bool) -> Result<ViewPlan, NtStatus> {
    check_map_args(a)?;
    plan_view(a, section_size, reserve)
}

/// The checks of [`check_map`] that come before Windows looks at the
/// handles.
pub fn check_map_args(a: &MapArgs) -> Result<(), NtStatus> {
    if a.inherit != VIEW_SHARE && a.inherit != VIEW_UNMAP {
        return Err(STATUS_INVALID_PARAMETER_8);
    }
    let allowed = MEM_TOP_DOWN | MEM_RESERVE | SEC_NO_CHANGE | MEM_DOS_LIM | MEM_LARGE_PAGES;
    if a.allocation_type & !allowed != 0
        || (a.allocation_type & MEM_RESERVE != 0 && a.commit_size != 0)
    {
        return Err(STATUS_INVALID_PARAMETER_9);
    }
    if !is_valid_protection(a.protect) {
        return Err(STATUS_INVALID_PAGE_PROTECTION);
    }
    if a.base > MM_HIGHEST_USER_ADDRESS || MM_HIGHEST_USER_ADDRESS + 1 - a.base < a.view_size {
        return Err(STATUS_INVALID_PARAMETER_3);
    }
    Ok(())
}

/// The checks of [`check_map`] against the section, and the view.
fn plan_view(a: &MapArgs, section_size: u64, reserve: bool) -> Result<ViewPlan, NtStatus> {
    let offset = match a.offset {
        None => 0,
        Some(o) if o < 0 => return Err(STATUS_INVALID_VIEW_SIZE),
        Some(o) => o as u64,
    };
    if offset % ALLOCATION_GRANULARITY != 0 {
        return Err(STATUS_MAPPED_ALIGNMENT);
    }
    if offset >= section_size {
        return Err(STATUS_INVALID_VIEW_SIZE);
    }
    let rest = section_size - offset;
    let size = if a.view_size == 0 { rest } else { a.view_size };
    if size > rest {
        return Err(STATUS_INVALID_VIEW_SIZE);
    }
    let size = size
        .next_multiple_of(PAGE_SIZE)
        .min(rest.next_multiple_of(PAGE_SIZE));
    if a.commit_size > size {
        return Err(STATUS_INVALID_PARAMETER_5);
    }
    if a.base % ALLOCATION_GRANULARITY != 0 {
        return Err(STATUS_MAPPED_ALIGNMENT);
    }
    let commit = if a.allocation_type & MEM_RESERVE != 0 {
        0
    } else if reserve {
        a.commit_size.next_multiple_of(PAGE_SIZE)
    } else {
        size
    };
    Ok(ViewPlan {
        base: a.base,
        offset,
        size,
        commit,
        top_down: a.allocation_type & MEM_TOP_DOWN != 0,
    })
}

/// The section rights a view with `protect` needs of its handle (the
/// table ReactOS keeps as MmMakeSectionAccess, Windows' values): reading
/// for read-only, copy-on-write and no-access views, writing (alone) for
/// shared writes, executing for execute views.
pub fn map_access(protect: u32) -> u32 {
    match protect & 0xFF {
        PAGE_READWRITE => SECTION_MAP_WRITE,
        PAGE_EXECUTE => SECTION_MAP_EXECUTE,
        PAGE_EXECUTE_READ | PAGE_EXECUTE_WRITECOPY => SECTION_MAP_READ | SECTION_MAP_EXECUTE,
        PAGE_EXECUTE_READWRITE => SECTION_MAP_WRITE | SECTION_MAP_EXECUTE,
        _ => SECTION_MAP_READ,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AVAIL: u64 = 64 << 20;

    fn create(size: Option<i64>, protect: u32, attrs: u32) -> Result<DataSectionSpec, NtStatus> {
        check_create(size, protect, attrs, AVAIL)
    }

    #[test]
    fn create_rounds_and_keeps_kind() {
        let s = create(Some(0x1001), PAGE_READWRITE, SEC_COMMIT).unwrap();
        assert_eq!(
            (s.size, s.reserve, s.protect, s.attributes),
            (0x2000, false, PAGE_READWRITE, SEC_COMMIT)
        );
        let s = create(Some(0x20000), PAGE_READONLY, SEC_RESERVE).unwrap();
        assert_eq!((s.size, s.reserve), (0x20000, true));
    }

    #[test]
    fn create_attribute_errors() {
        assert_eq!(
            create(Some(0x1000), PAGE_READWRITE, 0),
            Err(STATUS_INVALID_PARAMETER_6)
        );
        assert_eq!(
            create(Some(0x1000), PAGE_READWRITE, SEC_COMMIT | SEC_RESERVE),
            Err(STATUS_INVALID_PARAMETER_6)
        );
        assert_eq!(
            create(Some(0x1000), PAGE_READWRITE, SEC_COMMIT | 1),
            Err(STATUS_INVALID_PARAMETER_6)
        );
        assert_eq!(
            create(Some(0x1000), PAGE_READWRITE, SEC_IMAGE | SEC_COMMIT),
            Err(STATUS_INVALID_PARAMETER_6)
        );
        assert_eq!(
            create(Some(0x1000), PAGE_READWRITE, SEC_IMAGE),
            Err(STATUS_INVALID_FILE_FOR_SECTION)
        );
        assert_eq!(
            create(Some(0x1000), PAGE_READWRITE, SEC_COMMIT | SEC_LARGE_PAGES),
            Err(STATUS_PRIVILEGE_NOT_HELD)
        );
    }

    #[test]
    fn create_protection_and_size_errors() {
        for p in [
            0,
            PAGE_NOACCESS,
            PAGE_READWRITE | PAGE_GUARD,
            PAGE_READONLY | PAGE_READWRITE,
            0x800,
        ] {
            assert_eq!(
                create(Some(0x1000), p, SEC_COMMIT),
                Err(STATUS_INVALID_PAGE_PROTECTION),
                "{p:#x}"
            );
        }
        for s in [None, Some(0), Some(-1)] {
            assert_eq!(
                create(s, PAGE_READWRITE, SEC_COMMIT),
                Err(STATUS_INVALID_PARAMETER_4)
            );
        }
        assert_eq!(
            create(Some(0x80_0000_0000), PAGE_READWRITE, SEC_COMMIT),
            Err(STATUS_COMMITMENT_LIMIT)
        );
        assert_eq!(
            create(Some(0x800_0000_0000), PAGE_READWRITE, SEC_RESERVE),
            Err(STATUS_INSUFFICIENT_RESOURCES)
        );
        assert_eq!(
            create(Some(0x8000_0000_0000), PAGE_READWRITE, SEC_RESERVE),
            Err(STATUS_SECTION_TOO_BIG)
        );
        assert!(create(Some(0x2_0000_0000), PAGE_READWRITE, SEC_RESERVE).is_ok());
    }

    fn args() -> MapArgs {
        MapArgs {
            base: 0,
            zero_bits: 0,
            commit_size: 0,
            offset: None,
            view_size: 0,
            inherit: VIEW_SHARE,
            allocation_type: 0,
            protect: PAGE_READWRITE,
        }
    }

    #[test]
    fn map_whole_and_parts() {
        let v = check_map(&args(), 0x20000, false).unwrap();
        assert_eq!((v.offset, v.size, v.commit), (0, 0x20000, 0x20000));
        let v = check_map(
            &MapArgs {
                offset: Some(0x10000),
                view_size: 0x1001,
                ..args()
            },
            0x20000,
            false,
        )
        .unwrap();
        assert_eq!((v.offset, v.size), (0x10000, 0x2000));
        let v = check_map(
            &MapArgs {
                commit_size: 0x800,
                view_size: 0x2000,
                ..args()
            },
            0x20000,
            true,
        )
        .unwrap();
        assert_eq!((v.size, v.commit), (0x2000, 0x1000));
        let v = check_map(
            &MapArgs {
                allocation_type: MEM_RESERVE | MEM_TOP_DOWN,
                ..args()
            },
            0x20000,
            false,
        )
        .unwrap();
        assert_eq!((v.commit, v.top_down), (0, true));
    }

    #[test]
    fn map_errors_in_windows_order() {
        let bad = |a: MapArgs| check_map(&a, 0x20000, false).unwrap_err();
        assert_eq!(
            bad(MapArgs {
                inherit: 0,
                protect: 0,
                ..args()
            }),
            STATUS_INVALID_PARAMETER_8
        );
        assert_eq!(
            bad(MapArgs {
                allocation_type: MEM_COMMIT,
                commit_size: 0x1000,
                ..args()
            }),
            STATUS_INVALID_PARAMETER_9
        );
        assert_eq!(
            bad(MapArgs {
                allocation_type: MEM_RESERVE,
                commit_size: 0x1000,
                ..args()
            }),
            STATUS_INVALID_PARAMETER_9
        );
        assert_eq!(
            bad(MapArgs {
                protect: 0,
                ..args()
            }),
            STATUS_INVALID_PAGE_PROTECTION
        );
        assert_eq!(
            bad(MapArgs {
                view_size: u64::MAX,
                ..args()
            }),
            STATUS_INVALID_PARAMETER_3
        );
        assert_eq!(
            bad(MapArgs {
                base: MM_HIGHEST_USER_ADDRESS + 1,
                ..args()
            }),
            STATUS_INVALID_PARAMETER_3
        );
        assert_eq!(
            bad(MapArgs {
                offset: Some(0x1000),
                ..args()
            }),
            STATUS_MAPPED_ALIGNMENT
        );
        assert_eq!(
            bad(MapArgs {
                offset: Some(0x20000),
                ..args()
            }),
            STATUS_INVALID_VIEW_SIZE
        );
        assert_eq!(
            bad(MapArgs {
                offset: Some(-0x10000),
                ..args()
            }),
            STATUS_INVALID_VIEW_SIZE
        );
        assert_eq!(
            bad(MapArgs {
                view_size: 0x20001,
                ..args()
            }),
            STATUS_INVALID_VIEW_SIZE
        );
        assert_eq!(
            bad(MapArgs {
                offset: Some(0x10000),
                view_size: 0x10001,
                ..args()
            }),
            STATUS_INVALID_VIEW_SIZE
        );
        assert_eq!(
            bad(MapArgs {
                view_size: 0x1000,
                commit_size: 0x2000,
                ..args()
            }),
            STATUS_INVALID_PARAMETER_5
        );
        assert_eq!(
            bad(MapArgs {
                base: 0x3000_1000,
                ..args()
            }),
            STATUS_MAPPED_ALIGNMENT
        );
    }

    #[test]
    fn access_per_protection() {
        assert_eq!(map_access(PAGE_READONLY), SECTION_MAP_READ);
        assert_eq!(map_access(PAGE_WRITECOPY), SECTION_MAP_READ);
        assert_eq!(map_access(PAGE_NOACCESS), SECTION_MAP_READ);
        assert_eq!(map_access(PAGE_READWRITE), SECTION_MAP_WRITE);
        assert_eq!(
            map_access(PAGE_EXECUTE_READWRITE),
            SECTION_MAP_WRITE | SECTION_MAP_EXECUTE
        );
        assert_eq!(
            map_access(PAGE_EXECUTE_WRITECOPY),
            SECTION_MAP_READ | SECTION_MAP_EXECUTE
        );
    }

    /// Random arguments never panic, and a plan always lies in the section.
    #[test]
    fn random_arguments() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let size = (next() % 0x10_0000)
                .next_multiple_of(PAGE_SIZE)
                .max(PAGE_SIZE);
            let pick = |v: u64, small: u64| if v & 1 == 0 { v >> 1 } else { (v >> 1) % small };
            let a = MapArgs {
                base: pick(next(), 0x100_0000) & !0xFFF,
                zero_bits: 0,
                commit_size: pick(next(), 0x4_0000),
                offset: if next() & 1 == 0 {
                    None
                } else {
                    Some(pick(next(), 0x4_0000) as i64 & !0xFFFF)
                },
                view_size: pick(next(), 0x4_0000),
                inherit: (next() % 3) as u32,
                allocation_type: [0, MEM_RESERVE, MEM_TOP_DOWN, MEM_COMMIT][(next() % 4) as usize],
                protect: [PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY, 0][(next() % 4) as usize],
            };
            if let Ok(v) = check_map(&a, size, next() & 1 == 0) {
                assert!(v.offset + v.size <= size, "{a:?} -> {v:?}");
                assert!(v.commit <= v.size && v.size > 0);
            }
            let _ = check_create(
                Some(next() as i64),
                (next() & 0x7FF) as u32,
                next() as u32,
                AVAIL,
            );
        }
    }
}
