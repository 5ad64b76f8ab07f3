//! Seeded random-operation tests: long runs of random (valid and invalid)
//! calls checked against a per-page model of states and protections. After
//! every call the whole address space is walked with `query` and compared
//! with the model, the commit charge is recounted, and the returned
//! PageActions and fault resolutions are applied to a simulated page table
//! that must always map exactly the committed pages with frames, with their
//! protections' rights. A failed call must leave the space unchanged.

use super::*;
use std::collections::{BTreeMap, HashMap};

/// xorshift64*: deterministic, so a failure names its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// The model's view of one page of an allocation (free pages are absent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct MPage {
    alloc_base: u64,
    alloc_protect: u32,
    kind: VadType,
    /// 0 = reserved.
    protect: u32,
}

/// Where most operations land: 48 granules from the lowest user address,
/// small enough that allocations collide often.
const WINDOW: u64 = 48 * ALLOCATION_GRANULARITY;
const TOP: u64 = MM_HIGHEST_USER_ADDRESS;

const PROTECTS: [u32; 11] = [
    PAGE_READWRITE,
    PAGE_READONLY,
    PAGE_NOACCESS,
    PAGE_EXECUTE_READ,
    PAGE_EXECUTE_READWRITE,
    PAGE_READWRITE | PAGE_GUARD,
    PAGE_READONLY | PAGE_NOCACHE,
    PAGE_EXECUTE,
    PAGE_WRITECOPY,
    PAGE_EXECUTE_WRITECOPY,
    0,
];

struct World {
    space: AddressSpace,
    model: BTreeMap<u64, MPage>,
    /// Simulated page table: page -> its frame's mapping (None = the frame
    /// exists but is not mapped).
    frames: HashMap<u64, Option<Rights>>,
    rng: Rng,
}

fn base_of(p: u32) -> u32 {
    p & 0xFF
}

fn cow_of(p: u32) -> u32 {
    match base_of(p) {
        PAGE_READWRITE => PAGE_WRITECOPY | (p & !0xFF),
        PAGE_EXECUTE_READWRITE => PAGE_EXECUTE_WRITECOPY | (p & !0xFF),
        _ => p,
    }
}

fn is_wc(p: u32) -> bool {
    matches!(base_of(p), PAGE_WRITECOPY | PAGE_EXECUTE_WRITECOPY)
}

impl World {
    fn new(seed: u64) -> World {
        World {
            space: AddressSpace::new(),
            model: BTreeMap::new(),
            frames: HashMap::new(),
            rng: Rng(seed | 1),
        }
    }

    fn addr(&mut self) -> u64 {
        MM_LOWEST_USER_ADDRESS + self.rng.below(WINDOW)
    }

    fn size(&mut self) -> u64 {
        match self.rng.below(4) {
            0 => 1 + self.rng.below(0x1000),
            1 => 1 + self.rng.below(0x10000),
            _ => 1 + self.rng.below(0x40000),
        }
    }

    fn apply(&mut self, action: &PageAction) {
        match *action {
            PageAction::Map { page, rights } => {
                let f = self
                    .frames
                    .get_mut(&page)
                    .expect("Map of a page without a frame");
                assert_eq!(*f, None, "Map of a mapped page {page:#x}");
                *f = Some(rights);
            }
            PageAction::Remap { page, rights } => {
                let f = self
                    .frames
                    .get_mut(&page)
                    .expect("Remap of a page without a frame");
                assert!(f.is_some(), "Remap of an unmapped page {page:#x}");
                *f = Some(rights);
            }
            PageAction::Unmap { page } => {
                let f = self
                    .frames
                    .get_mut(&page)
                    .expect("Unmap of a page without a frame");
                assert!(f.is_some(), "Unmap of an unmapped page {page:#x}");
                *f = None;
            }
            PageAction::Release { page, mapped } => {
                let f = self
                    .frames
                    .remove(&page)
                    .expect("Release of a page without a frame");
                assert_eq!(
                    f.is_some(),
                    mapped,
                    "Release of {page:#x} says mapped={mapped}"
                );
            }
        }
    }

    fn apply_all(&mut self, actions: &[PageAction]) {
        for a in actions {
            self.apply(a);
        }
    }

    /// The allocation (its base) holding every page of `[start, end)` in
    /// the model, if one does.
    fn one_allocation(&self, start: u64, end: u64) -> Option<u64> {
        let first = self.model.get(&start)?.alloc_base;
        let pages = (end - start) / PAGE_SIZE;
        let inside = self
            .model
            .range(start..end)
            .filter(|(_, p)| p.alloc_base == first)
            .count() as u64;
        (inside == pages).then_some(first)
    }

    fn allocate(&mut self) {
        let base = if self.rng.below(3) == 0 {
            0
        } else {
            self.addr()
        };
        let size = self.size();
        let alloc_type = self.rng.pick(&[
            MEM_RESERVE | MEM_COMMIT,
            MEM_RESERVE,
            MEM_COMMIT,
            MEM_COMMIT,
            MEM_RESERVE | MEM_COMMIT | MEM_TOP_DOWN,
            MEM_RESERVE | MEM_TOP_DOWN,
            MEM_RESET,
            MEM_DECOMMIT,
        ]);
        let protect = self.rng.pick(&PROTECTS);
        let zero_bits = self.rng.pick(&[0, 0, 0, 0, 1, 22]);
        let before = self.space.clone();
        let result = self
            .space
            .allocate(base, size, alloc_type, protect, zero_bits);

        let (start, end) = (page_of(base), page_end(base, size));
        let expect_param_error = if zero_bits == 22 {
            Some(STATUS_INVALID_PARAMETER_3)
        } else if alloc_type == MEM_DECOMMIT {
            Some(STATUS_INVALID_PARAMETER_5)
        } else if !is_valid_protection(protect) {
            Some(STATUS_INVALID_PAGE_PROTECTION)
        } else {
            None
        };
        if let Some(status) = expect_param_error {
            assert_eq!(result, Err(status));
        } else if base != 0 && alloc_type == MEM_COMMIT {
            // A commit at an address: the model knows for private memory.
            match self.one_allocation(start, end).map(|b| self.model[&b].kind) {
                None => assert_eq!(result, Err(STATUS_CONFLICTING_ADDRESSES)),
                Some(VadType::Private) if is_wc(protect) => {
                    assert_eq!(result, Err(STATUS_INVALID_PAGE_PROTECTION))
                }
                Some(VadType::Private) => {
                    assert!(result.is_ok(), "commit {base:#x}+{size:#x}: {result:?}")
                }
                Some(_) => {}
            }
        }
        let Ok(change) = result else {
            assert_eq!(self.space, before, "a failed allocate changed the space");
            return;
        };
        assert!(expect_param_error.is_none());
        if alloc_type == MEM_RESET {
            assert!(self.one_allocation(start, end).is_some());
            self.apply_all(&change.actions);
        } else if base == 0 || alloc_type & MEM_RESERVE != 0 {
            assert!(change.actions.is_empty());
            assert!(!is_wc(protect));
            if base != 0 {
                assert_eq!(
                    (change.base, change.base + change.size),
                    (base & !0xFFFF, end)
                );
            } else {
                assert_eq!(change.size, page_end(0, size));
                if zero_bits == 1 {
                    assert!(change.base + change.size <= 1 << 31);
                }
            }
            assert_eq!(change.base % ALLOCATION_GRANULARITY, 0);
            assert_eq!(
                self.model
                    .range(change.base..change.base + change.size)
                    .count(),
                0,
                "reserved over pages"
            );
            let state = if alloc_type & MEM_COMMIT != 0 {
                protect
            } else {
                0
            };
            for p in (change.base..change.base + change.size).step_by(PAGE_SIZE as usize) {
                let page = MPage {
                    alloc_base: change.base,
                    alloc_protect: protect,
                    kind: VadType::Private,
                    protect: state,
                };
                self.model.insert(p, page);
            }
        } else {
            assert_eq!((change.base, change.base + change.size), (start, end));
            assert!(
                self.one_allocation(start, end).is_some(),
                "commit outside one allocation"
            );
            let first = self.model[&start];
            let new = match first.kind {
                VadType::Private => {
                    assert!(!is_wc(protect));
                    protect
                }
                _ if first.kind == VadType::Image || is_wc(first.alloc_protect) => cow_of(protect),
                _ => protect,
            };
            for (_, p) in self.model.range_mut(start..end) {
                p.protect = new;
            }
            self.apply_all(&change.actions);
        }
    }

    /// The outcome of a reserve at a fixed address the model predicts.
    fn check_fixed_reserve_prediction(&mut self) {
        let base = self.addr();
        let size = self.size();
        let (start, end) = (base & !0xFFFF, page_end(base, size));
        let free = self.model.range(start..end).next().is_none();
        let before = self.space.clone();
        let result = self
            .space
            .allocate(base, size, MEM_RESERVE, PAGE_READWRITE, 0);
        assert_eq!(
            result.is_ok(),
            free,
            "reserve at {base:#x}+{size:#x}: {result:?}"
        );
        match result {
            Ok(c) => {
                for p in (c.base..c.base + c.size).step_by(PAGE_SIZE as usize) {
                    let page = MPage {
                        alloc_base: c.base,
                        alloc_protect: PAGE_READWRITE,
                        kind: VadType::Private,
                        protect: 0,
                    };
                    self.model.insert(p, page);
                }
            }
            Err(status) => {
                assert_eq!(status, STATUS_CONFLICTING_ADDRESSES);
                assert_eq!(self.space, before);
            }
        }
    }

    fn free(&mut self) {
        let addr = self.addr();
        let size = if self.rng.below(2) == 0 {
            0
        } else {
            self.size()
        };
        let free_type = self
            .rng
            .pick(&[MEM_RELEASE, MEM_DECOMMIT, MEM_RELEASE, MEM_DECOMMIT, 0]);
        let before = self.space.clone();
        let result = self.space.free(addr, size, free_type);
        let start = page_of(addr);
        let expected = if free_type == 0 {
            Err(STATUS_INVALID_PARAMETER_4)
        } else if let Some(first) = self.model.get(&start).copied() {
            let vend = self
                .model
                .range(first.alloc_base..)
                .take_while(|(_, p)| p.alloc_base == first.alloc_base)
                .count() as u64
                * PAGE_SIZE
                + first.alloc_base;
            if size != 0 && page_end(addr, size) > vend {
                Err(STATUS_UNABLE_TO_FREE_VM)
            } else if first.kind != VadType::Private {
                Err(STATUS_UNABLE_TO_DELETE_SECTION)
            } else if size == 0 && start != first.alloc_base {
                Err(STATUS_FREE_VM_NOT_AT_BASE)
            } else if size == 0 {
                Ok((first.alloc_base, vend))
            } else {
                Ok((start, page_end(addr, size)))
            }
        } else {
            Err(STATUS_MEMORY_NOT_ALLOCATED)
        };
        match (result, expected) {
            (Ok(c), Ok((s, e))) => {
                assert_eq!((c.base, c.base + c.size), (s, e));
                let alloc_base = self.model[&s].alloc_base;
                if free_type == MEM_DECOMMIT {
                    for (_, p) in self.model.range_mut(s..e) {
                        p.protect = 0;
                    }
                } else {
                    let gone: Vec<u64> = self.model.range(s..e).map(|(&a, _)| a).collect();
                    for a in gone {
                        self.model.remove(&a);
                    }
                    // What lies above the hole is an allocation of its own.
                    for (_, p) in self
                        .model
                        .range_mut(e..)
                        .take_while(|(_, p)| p.alloc_base == alloc_base)
                    {
                        p.alloc_base = e;
                    }
                }
                self.apply_all(&c.actions);
            }
            (Err(a), Err(b)) => {
                assert_eq!(a, b);
                assert_eq!(self.space, before);
            }
            (r, e) => {
                panic!("free({addr:#x}, {size:#x}, {free_type:#x}) = {r:?}, model says {e:?}")
            }
        }
    }

    fn protect(&mut self) {
        let addr = self.addr();
        let size = self.size();
        let protect = self.rng.pick(&PROTECTS);
        let before = self.space.clone();
        let result = self.space.protect(addr, size, protect);
        let (start, end) = (page_of(addr), page_end(addr, size));
        let alloc = self.one_allocation(start, end);
        let first = self.model.get(&start).copied();
        let expected = if !is_valid_protection(protect) {
            Some(Err(STATUS_INVALID_PAGE_PROTECTION))
        } else if alloc.is_none() {
            Some(Err(STATUS_CONFLICTING_ADDRESSES))
        } else if first.is_some_and(|f| f.kind == VadType::Private) {
            if is_wc(protect) {
                Some(Err(STATUS_INVALID_PAGE_PROTECTION))
            } else if self.model.range(start..end).any(|(_, p)| p.protect == 0) {
                Some(Err(STATUS_NOT_COMMITTED))
            } else {
                Some(Ok(first.map_or(0, |f| f.protect)))
            }
        } else {
            // Views: the section's rules decide; checked by the table tests.
            None
        };
        match result {
            Ok((c, old)) => {
                if let Some(e) = expected {
                    assert_eq!(Ok(old), e);
                }
                assert_eq!(old, first.map(|f| f.protect).unwrap_or(0));
                assert_eq!((c.base, c.base + c.size), (start, end));
                let f = first.unwrap();
                let new = if f.kind != VadType::Private
                    && (f.kind == VadType::Image || is_wc(f.alloc_protect))
                {
                    cow_of(protect)
                } else {
                    protect
                };
                for (_, p) in self.model.range_mut(start..end) {
                    p.protect = new;
                }
                self.apply_all(&c.actions);
            }
            Err(status) => {
                if let Some(e) = expected {
                    assert_eq!(
                        Err(status),
                        e.map(|_| ()),
                        "protect({addr:#x}, {size:#x}, {protect:#x})"
                    );
                }
                assert_eq!(self.space, before);
            }
        }
    }

    fn fault(&mut self) {
        // Mostly on allocated pages, where something happens.
        let addr = match self
            .model
            .keys()
            .nth(self.rng.below(self.model.len() as u64 + 1) as usize)
        {
            Some(&p) if self.rng.below(4) != 0 => p + self.rng.below(PAGE_SIZE),
            _ => self.addr(),
        };
        let access = self
            .rng
            .pick(&[Access::Read, Access::Write, Access::Execute]);
        let page = page_of(addr);
        let m = self.model.get(&page).copied();
        let r = self.space.demand_fault(addr, access);
        let Some(mut m) = m.filter(|m| m.protect != 0) else {
            assert_eq!(r, FaultResolution::AccessViolation);
            return;
        };
        if m.protect & PAGE_GUARD != 0 {
            let FaultResolution::Guard { action } = r else {
                panic!("guard page gave {r:?}")
            };
            m.protect &= !PAGE_GUARD;
            self.model.insert(page, m);
            if let Some(a) = action {
                self.apply(&a);
            }
            return;
        }
        let p = base_of(m.protect);
        let allowed = match access {
            Access::Read => p != PAGE_NOACCESS,
            Access::Write => {
                matches!(p, PAGE_READWRITE | PAGE_EXECUTE_READWRITE) || is_wc(m.protect)
            }
            Access::Execute => {
                matches!(
                    p,
                    PAGE_EXECUTE
                        | PAGE_EXECUTE_READ
                        | PAGE_EXECUTE_READWRITE
                        | PAGE_EXECUTE_WRITECOPY
                )
            }
        };
        match r {
            FaultResolution::AccessViolation => {
                assert!(!allowed, "{access:?} on {:#x} refused", m.protect)
            }
            FaultResolution::Map {
                page: p2,
                rights,
                fill,
            } => {
                assert!(allowed);
                assert_eq!(p2, page);
                assert_eq!(fill == Fill::Zero, m.kind == VadType::Private);
                assert!(
                    self.frames.insert(page, Some(rights)).is_none(),
                    "Map of a page with a frame"
                );
                self.written(page, m, access);
            }
            FaultResolution::CopyOnWrite { page: p2, rights } => {
                assert!(access == Access::Write && is_wc(m.protect));
                assert_eq!(p2, page);
                let f = self
                    .frames
                    .get_mut(&page)
                    .expect("copy-on-write of a page without a frame");
                *f = Some(rights);
                self.written(page, m, access);
            }
            FaultResolution::Retry => {
                assert!(allowed);
                assert!(
                    self.frames.get(&page).is_some_and(|f| f.is_some()),
                    "Retry on an unmapped page"
                );
            }
            FaultResolution::Guard { .. } => panic!("not a guard page"),
        }
    }

    /// A write to a copy-on-write page made it read-write (its frames are
    /// not private copies in this test).
    fn written(&mut self, page: u64, mut m: MPage, access: Access) {
        if access == Access::Write && is_wc(m.protect) {
            m.protect = match base_of(m.protect) {
                PAGE_WRITECOPY => PAGE_READWRITE,
                _ => PAGE_EXECUTE_READWRITE,
            } | (m.protect & !0xFF);
            self.model.insert(page, m);
        }
    }

    fn set_backed(&mut self) {
        let addr = self.addr();
        let page = page_of(addr);
        let backed = self.frames.contains_key(&page);
        let before = self.space.clone();
        let r = self.space.set_backed(addr, !backed);
        match self.model.get(&page) {
            None => assert_eq!(r, Err(STATUS_MEMORY_NOT_ALLOCATED)),
            Some(m) if m.protect == 0 => assert_eq!(r, Err(STATUS_NOT_COMMITTED)),
            Some(_) if backed => {
                assert_eq!(r, Ok(None));
                self.frames.remove(&page);
            }
            Some(_) => {
                self.frames.insert(page, r.unwrap());
            }
        }
        if r.is_err() {
            assert_eq!(self.space, before);
        }
    }

    fn map_view(&mut self) {
        let base = if self.rng.below(2) == 0 {
            0
        } else {
            self.addr() & !0xFFFF
        };
        let kind = self.rng.pick(&[VadType::Mapped, VadType::Image]);
        let (protect, max_protect) = self.rng.pick(&[
            (PAGE_READWRITE, PAGE_READWRITE),
            (PAGE_WRITECOPY, PAGE_READWRITE),
            (PAGE_READONLY, PAGE_READONLY),
            (PAGE_EXECUTE_WRITECOPY, PAGE_EXECUTE_WRITECOPY),
            (PAGE_EXECUTE_READ, PAGE_EXECUTE_WRITECOPY),
        ]);
        let req = ViewRequest {
            base,
            size: 1 + self.rng.below(0x20000),
            kind,
            protect,
            max_protect,
            commit: self.rng.below(4) != 0,
            private_copies: false,
            zero_bits: 0,
            top_down: self.rng.below(4) == 0,
            tag: self.rng.next(),
        };
        let before = self.space.clone();
        match self.space.map_view(&req) {
            Ok((b, size)) => {
                assert_eq!(size, page_end(0, req.size));
                assert!(base == 0 || b == base);
                assert_eq!(self.model.range(b..b + size).count(), 0, "view over pages");
                let state = if req.commit { protect } else { 0 };
                for p in (b..b + size).step_by(PAGE_SIZE as usize) {
                    self.model.insert(
                        p,
                        MPage {
                            alloc_base: b,
                            alloc_protect: protect,
                            kind,
                            protect: state,
                        },
                    );
                }
            }
            Err(status) => {
                assert_eq!(status, STATUS_CONFLICTING_ADDRESSES);
                assert_eq!(self.space, before);
            }
        }
    }

    fn unmap_view(&mut self) {
        let addr = self.addr();
        let r = self.space.unmap_view(addr);
        match self.model.get(&page_of(addr)).copied() {
            Some(m) if m.kind != VadType::Private => {
                let u = r.unwrap();
                assert_eq!(u.base, m.alloc_base);
                let gone: Vec<u64> = self
                    .model
                    .range(u.base..u.base + u.size)
                    .map(|(&a, _)| a)
                    .collect();
                assert_eq!(gone.len() as u64, u.size / PAGE_SIZE);
                for a in gone {
                    self.model.remove(&a);
                }
                self.apply_all(&u.actions);
            }
            _ => assert_eq!(r, Err(STATUS_NOT_MAPPED_VIEW)),
        }
    }

    /// Every region `query` reports agrees with the model, page by page,
    /// and is as long as it can be.
    fn check_query_walk(&self) {
        let mut addr = 0;
        while addr <= TOP {
            let m = self.space.query(addr).unwrap();
            assert_eq!(m.base_address, addr);
            assert!(m.region_size > 0 && m.region_size % PAGE_SIZE == 0);
            let end = addr + m.region_size;
            if m.state == MEM_FREE {
                assert_eq!(
                    self.model.range(addr..end).count(),
                    0,
                    "free region {addr:#x} has pages"
                );
                assert_eq!(
                    (m.allocation_base, m.protect, m.type_),
                    (0, PAGE_NOACCESS, 0)
                );
                assert!(
                    end == TOP + 1 || self.model.contains_key(&end),
                    "free region {addr:#x} stops early"
                );
            } else {
                let first = self.model[&addr];
                for p in (addr..end).step_by(PAGE_SIZE as usize) {
                    let mp = self
                        .model
                        .get(&p)
                        .unwrap_or_else(|| panic!("{p:#x} is free in the model"));
                    assert_eq!(*mp, first, "page {p:#x} in region {addr:#x}");
                }
                assert_eq!(m.allocation_base, first.alloc_base);
                assert_eq!(m.allocation_protect, first.alloc_protect);
                assert_eq!(m.type_, first.kind.mem_type());
                assert_eq!(m.protect, first.protect);
                assert_eq!(
                    m.state,
                    if first.protect == 0 {
                        MEM_RESERVE
                    } else {
                        MEM_COMMIT
                    }
                );
                assert!(
                    self.model.get(&end) != Some(&first),
                    "region {addr:#x} stops early"
                );
            }
            addr = end;
        }
        assert_eq!(addr, TOP + 1);
    }

    /// The simulated page table maps exactly the backed pages, with their
    /// protections' rights, and the commit charge matches the model.
    fn check_consistency(&self) {
        for (&page, &mapped) in &self.frames {
            let info = self
                .space
                .page(page)
                .unwrap_or_else(|| panic!("frame at free page {page:#x}"));
            assert!(
                info.state.backed && info.state.is_committed(),
                "frame at {page:#x}: {info:?}"
            );
            assert_eq!(mapped, info.rights, "mapping of {page:#x}");
            assert_eq!(mapped, protection_rights(info.state.protect, false));
        }
        let backed: u64 = self.space.allocations().map(|a| a.backed_pages).sum();
        assert_eq!(backed, self.frames.len() as u64);
        let committed = self
            .model
            .values()
            .filter(|p| p.kind == VadType::Private && p.protect != 0)
            .count() as u64;
        assert_eq!(self.space.committed_private_pages(), committed);
        let size: u64 = self.model.len() as u64 * PAGE_SIZE;
        assert_eq!(self.space.virtual_size(), size);
    }

    fn step(&mut self) {
        match self.rng.below(100) {
            0..=24 => self.allocate(),
            25..=29 => self.check_fixed_reserve_prediction(),
            30..=47 => self.free(),
            48..=65 => self.protect(),
            66..=85 => self.fault(),
            86..=91 => self.set_backed(),
            92..=95 => self.map_view(),
            96..=98 => self.unmap_view(),
            _ => {
                if self.rng.below(5) == 0 {
                    let actions = self.space.release_all();
                    self.apply_all(&actions);
                    self.model.clear();
                } else {
                    self.allocate();
                }
            }
        }
    }
}

#[test]
fn random_operations_agree_with_the_page_model() {
    for seed in 1..=24u64 {
        let mut w = World::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        for i in 0..1500 {
            w.step();
            w.check_consistency();
            if i % 5 == 0 {
                w.check_query_walk();
            }
        }
        w.check_query_walk();
        assert!(w.frames.is_empty() || !w.model.is_empty());
    }
}

#[test]
fn hostile_arguments_never_panic() {
    // Edge values around the user range's ends and the integer limits, in
    // every argument position: each call returns, success or status.
    let edges = [
        0,
        1,
        0xFFF,
        0x1000,
        0xFFFF,
        0x1_0000,
        TOP - 0xFFFF,
        TOP - 1,
        TOP,
        TOP + 1,
        1 << 47,
        u64::MAX / 2,
        u64::MAX - 0xFFF,
        u64::MAX,
    ];
    let mut rng = Rng(0x1234_5678);
    let mut s = AddressSpace::new();
    s.allocate(0, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE, 0)
        .unwrap();
    for _ in 0..20_000 {
        let a = rng.pick(&edges).wrapping_add(rng.below(3)).wrapping_sub(1);
        let b = rng.pick(&edges);
        let t = rng.next() as u32 & 0x00FF_F000 | rng.pick(&[0, MEM_COMMIT, MEM_RESERVE]);
        let p = rng.pick(&PROTECTS) | (rng.next() as u32 & rng.pick(&[0, 0x700, !0]));
        match rng.below(8) {
            0 => {
                let _ = s.allocate(a, b, t, p, rng.pick(&[0, 1, 21, 22, 32, u64::MAX, b]));
            }
            1 => {
                let _ = s.free(a, b, rng.pick(&[MEM_RELEASE, MEM_DECOMMIT, t]));
            }
            2 => {
                let _ = s.protect(a, b, p);
            }
            3 => {
                let _ = s.query(a);
            }
            4 => {
                let _ =
                    s.demand_fault(a, rng.pick(&[Access::Read, Access::Write, Access::Execute]));
            }
            5 => {
                let _ = (s.guard_hit(a), s.set_backed(a, rng.below(2) == 0));
            }
            6 => {
                let req = ViewRequest {
                    base: a,
                    size: b,
                    kind: rng.pick(&[VadType::Private, VadType::Mapped, VadType::Image]),
                    protect: p,
                    max_protect: rng.pick(&PROTECTS),
                    commit: rng.below(2) == 0,
                    private_copies: rng.below(2) == 0,
                    zero_bits: rng.pick(&[0, 1, 22, u64::MAX]),
                    top_down: rng.below(2) == 0,
                    tag: b,
                };
                let _ = s.map_view(&req);
            }
            _ => {
                let _ = s.unmap_view(a);
            }
        }
    }
    // Still a consistent space: every region walks to the end.
    let mut addr = 0;
    while addr <= TOP {
        addr += s.query(addr).unwrap().region_size;
    }
    assert_eq!(addr, TOP + 1);
}
