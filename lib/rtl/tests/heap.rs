//! Host tests of the heap core over a Vec-backed page source: random
//! alloc/free/realloc sequences checked against a model (contents intact,
//! no overlap, 16-byte alignment, reported sizes) and against the heap's
//! own invariant walk after every step.

use rtl::heap::{
    self, PageSource, GRANULARITY, HEAP_GROWABLE, HEAP_REALLOC_IN_PLACE_ONLY, HEAP_ZERO_MEMORY,
    PAGE_SIZE,
};
use std::alloc::{alloc, dealloc, Layout};
use std::collections::BTreeMap;

/// Reservations are real host memory; uncommitted pages are filled with
/// 0xCC and commit zero-fills, as NT does, so a heap that reads memory it
/// never committed or relies on stale bytes shows up.
#[derive(Default)]
struct VecSource {
    /// base -> (size, committed pages bitmap)
    regions: BTreeMap<usize, (usize, Vec<bool>)>,
    reserve_limit: Option<usize>,
}

impl VecSource {
    fn reserved(&self) -> usize {
        self.regions.values().map(|r| r.0).sum()
    }
}

impl PageSource for VecSource {
    fn reserve(&mut self, size: usize) -> Option<usize> {
        assert!(size > 0 && size % GRANULARITY == 0, "reserve {size:#x}");
        if let Some(limit) = self.reserve_limit {
            if self.reserved() + size > limit {
                return None;
            }
        }
        // SAFETY: non-zero size, valid alignment.
        let p = unsafe { alloc(Layout::from_size_align(size, PAGE_SIZE).unwrap()) } as usize;
        assert!(p != 0);
        // SAFETY: just allocated.
        unsafe { std::ptr::write_bytes(p as *mut u8, 0xCC, size) };
        self.regions
            .insert(p, (size, vec![false; size / PAGE_SIZE]));
        Some(p)
    }

    fn commit(&mut self, addr: usize, size: usize) -> bool {
        assert!(addr % PAGE_SIZE == 0 && size % PAGE_SIZE == 0 && size > 0);
        let (&base, r) = self
            .regions
            .range_mut(..=addr)
            .next_back()
            .expect("commit outside reservations");
        assert!(addr + size <= base + r.0, "commit past reservation end");
        for i in (addr - base) / PAGE_SIZE..(addr + size - base) / PAGE_SIZE {
            if !r.1[i] {
                r.1[i] = true;
                // SAFETY: inside the reservation.
                unsafe { std::ptr::write_bytes((base + i * PAGE_SIZE) as *mut u8, 0, PAGE_SIZE) };
            }
        }
        true
    }

    fn release(&mut self, base: usize) {
        let (size, _) = self
            .regions
            .remove(&base)
            .expect("release of an unknown base");
        // SAFETY: allocated by `reserve` with this layout.
        unsafe {
            dealloc(
                base as *mut u8,
                Layout::from_size_align(size, PAGE_SIZE).unwrap(),
            )
        };
    }
}

/// A simple xorshift so the sequences are reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn size_for(rng: &mut Rng) -> usize {
    match rng.below(10) {
        0..=5 => rng.below(100) as usize,
        6..=7 => rng.below(4000) as usize,
        8 => rng.below(70_000) as usize,
        _ => 0x7F000 + rng.below(300_000) as usize,
    }
}

fn fill(p: usize, len: usize, tag: u8) {
    // SAFETY: p..p+len is a live block the heap gave us.
    unsafe { std::ptr::write_bytes(p as *mut u8, tag, len) };
}

fn check(p: usize, len: usize, tag: u8) {
    // SAFETY: as in fill.
    let s = unsafe { std::slice::from_raw_parts(p as *const u8, len) };
    assert!(
        s.iter().all(|&b| b == tag),
        "block {p:#x} lost its contents"
    );
}

fn run(seed: u64, steps: usize, flags: u32) {
    let mut src = VecSource::default();
    let mut rng = Rng(seed);
    // SAFETY: the heap lives in memory of `src` only.
    let h = unsafe { heap::create(&mut src, flags, 0, 0, seed as u32) }.unwrap();
    let mut live: BTreeMap<usize, (usize, u8)> = BTreeMap::new();
    for step in 0..steps {
        let op = rng.below(10);
        unsafe {
            if op < 5 || live.is_empty() {
                let size = size_for(&mut rng);
                let zero = rng.below(2) == 0;
                let p = heap::alloc(&mut src, h, if zero { HEAP_ZERO_MEMORY } else { 0 }, size);
                if flags & HEAP_GROWABLE == 0 && p == 0 {
                    continue;
                }
                assert!(p != 0, "seed {seed} step {step}: alloc {size} failed");
                assert_eq!(p % 16, 0);
                if zero {
                    check(p, size, 0);
                }
                assert_eq!(heap::size(&mut src, h, 0, p), size);
                let tag = (step % 251) as u8 + 1;
                fill(p, size, tag);
                live.insert(p, (size, tag));
            } else if op < 8 {
                let i = rng.below(live.len() as u64) as usize;
                let (&p, &(size, tag)) = live.iter().nth(i).unwrap();
                check(p, size, tag);
                assert!(heap::free(&mut src, h, 0, p));
                live.remove(&p);
                // A second free of the same pointer is refused.
                assert!(
                    !heap::free(&mut src, h, 0, p),
                    "seed {seed} step {step}: double free accepted"
                );
            } else {
                let i = rng.below(live.len() as u64) as usize;
                let (&p, &(size, tag)) = live.iter().nth(i).unwrap();
                let new = size_for(&mut rng);
                let in_place = rng.below(4) == 0;
                let zero = rng.below(2) == 0;
                let f = if in_place {
                    HEAP_REALLOC_IN_PLACE_ONLY
                } else {
                    0
                } | if zero { HEAP_ZERO_MEMORY } else { 0 };
                let q = heap::realloc(&mut src, h, f, p, new);
                if q == 0 {
                    assert!(
                        in_place || flags & HEAP_GROWABLE == 0,
                        "seed {seed} step {step}: realloc failed"
                    );
                    check(p, size, tag);
                    continue;
                }
                if in_place {
                    assert_eq!(q, p);
                }
                assert_eq!(q % 16, 0);
                check(q, size.min(new), tag);
                if zero && new > size {
                    check(q + size, new - size, 0);
                }
                assert_eq!(heap::size(&mut src, h, 0, q), new);
                live.remove(&p);
                let tag = (step % 251) as u8 + 1;
                fill(q, new, tag);
                live.insert(q, (new, tag));
            }
            let st = heap::stats(&mut src, h)
                .unwrap_or_else(|| panic!("seed {seed} step {step}: heap inconsistent"));
            let large = live.values().filter(|(s, _)| s + 16 > 0x7F000).count();
            assert_eq!(st.busy_blocks + st.large_blocks, live.len());
            assert_eq!(st.large_blocks, large);
        }
        // No two live blocks overlap.
        let mut end = 0;
        for (&p, &(size, _)) in &live {
            assert!(p >= end, "seed {seed} step {step}: overlap at {p:#x}");
            end = p + size;
        }
    }
    for (&p, &(size, tag)) in &live {
        check(p, size, tag);
    }
    unsafe { assert!(heap::destroy(&mut src, h)) };
    assert!(src.regions.is_empty(), "destroy left reservations behind");
}

#[test]
fn random_sequences_growable() {
    for seed in 1..=12 {
        run(seed * 0x9E37_79B9, 600, HEAP_GROWABLE);
    }
}

#[test]
fn random_sequences_fixed_size() {
    for seed in 1..=6 {
        run(seed * 0x1234_5679, 400, 0);
    }
}

#[test]
fn invalid_pointers_are_refused() {
    let mut src = VecSource::default();
    unsafe {
        let h = heap::create(&mut src, HEAP_GROWABLE, 0, 0, 7).unwrap();
        let a = heap::alloc(&mut src, h, 0, 100);
        let b = heap::alloc(&mut src, h, 0, 100);
        assert!(a != 0 && b != 0);
        assert!(!heap::free(&mut src, h, 0, a + 16));
        assert!(!heap::free(&mut src, h, 0, a + 1));
        assert!(!heap::free(&mut src, h, 0, 0x1000));
        assert_eq!(heap::size(&mut src, h, 0, a + 32), usize::MAX);
        assert_eq!(heap::realloc(&mut src, h, 0, b + 48, 10), 0);
        assert!(heap::free(&mut src, h, 0, 0), "NULL frees succeed");
        assert!(heap::free(&mut src, h, 0, a));
        assert!(heap::free(&mut src, h, 0, b)); // coalesces with a
        assert!(!heap::free(&mut src, h, 0, a));
        assert!(!heap::free(&mut src, h, 0, b));
        assert!(heap::validate(&mut src, h, 0, 0));
        // Not a heap at all.
        let fake = vec![0u64; 8];
        assert_eq!(heap::alloc(&mut src, fake.as_ptr() as usize, 0, 8), 0);
        assert!(!heap::free(&mut src, 0, 0, a));
        let big = heap::alloc(&mut src, h, 0, 1 << 20);
        assert!(big != 0);
        assert!(heap::validate(&mut src, h, 0, big));
        assert!(heap::free(&mut src, h, 0, big));
        assert!(!heap::free(&mut src, h, 0, big));
        assert!(heap::destroy(&mut src, h));
    }
}

#[test]
fn zero_size_and_exhaustion() {
    let mut src = VecSource {
        reserve_limit: Some(0x20_0000),
        ..Default::default()
    };
    unsafe {
        let h = heap::create(&mut src, HEAP_GROWABLE, 0x10_0000, 0, 1).unwrap();
        let a = heap::alloc(&mut src, h, 0, 0);
        let b = heap::alloc(&mut src, h, 0, 0);
        assert!(a != 0 && b != 0 && a != b);
        assert_eq!(heap::size(&mut src, h, 0, a), 0);
        assert_eq!(heap::alloc(&mut src, h, 0, usize::MAX), 0);
        assert_eq!(heap::alloc(&mut src, h, 0, usize::MAX - 8), 0);
        // Fill until the page source says no: the heap reports NULL.
        let mut n = 0;
        while heap::alloc(&mut src, h, 0, 60_000) != 0 {
            n += 1;
            assert!(n < 100);
        }
        assert!(n >= 16);
        assert!(heap::validate(&mut src, h, 0, 0));
        assert!(heap::destroy(&mut src, h));
    }
}

#[test]
fn realloc_grows_in_place_into_free_neighbour() {
    let mut src = VecSource::default();
    unsafe {
        let h = heap::create(&mut src, HEAP_GROWABLE, 0, 0, 3).unwrap();
        let a = heap::alloc(&mut src, h, 0, 64);
        let b = heap::alloc(&mut src, h, 0, 256);
        let c = heap::alloc(&mut src, h, 0, 64);
        assert!(heap::free(&mut src, h, 0, b));
        assert_eq!(
            heap::realloc(&mut src, h, HEAP_REALLOC_IN_PLACE_ONLY, a, 300),
            a
        );
        assert_eq!(heap::size(&mut src, h, 0, a), 300);
        // c is in the way now.
        assert_eq!(
            heap::realloc(&mut src, h, HEAP_REALLOC_IN_PLACE_ONLY, a, 400),
            0
        );
        assert_eq!(
            heap::realloc(&mut src, h, HEAP_REALLOC_IN_PLACE_ONLY, a, 8),
            a
        );
        // The last block of a segment grows by committing more pages.
        let last = heap::alloc(&mut src, h, 0, 3000);
        assert_eq!(
            heap::realloc(&mut src, h, HEAP_REALLOC_IN_PLACE_ONLY, last, 200_000),
            last
        );
        assert!(heap::validate(&mut src, h, 0, 0));
        let _ = c;
        assert!(heap::destroy(&mut src, h));
    }
}
