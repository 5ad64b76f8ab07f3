//! A seeded mutation fuzzer: flips, overwrites and truncates bytes of the
//! fixtures, then runs everything a loader would (parse, layout,
//! load_into, parse_mapped, relocations, rebase, exports, imports, bind,
//! TLS) in both forms. Every call must return `Ok` or `Err` — no panic, no
//! hang — and whatever comes back `Ok` must be consistent: slices inside
//! the input, RVAs inside SizeOfImage, regions tiling the image, and every
//! parsed file loading and re-parsing as a mapped image.
//!
//! Deterministic: the same seed gives the same inputs on every run. Set
//! PE_FUZZ_ITERATIONS for a longer run, PE_FUZZ_SEED for other inputs.

mod common;

use common::FIXTURES;
use pe::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

const DEFAULT_ITERATIONS: u64 = 200_000;
const DEFAULT_SEED: u64 = 0x7217_0A5E_ED00_0001;

/// Larger images are parsed and walked, but not loaded (the test would
/// spend its time zeroing memory).
const MAX_LOAD: u32 = 1 << 20;

/// No single input may take anywhere near this long.
const HANG: Duration = Duration::from_secs(2);

/// xorshift64*: small, fast, and fully determined by the seed.
struct Rng(u64);

impl Rng {
    /// Spreads the seed (splitmix64's finalizer) so nearby seeds give
    /// unrelated streams; xorshift needs a non-zero state.
    fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Values at the edges of the checks: zero, alignments, the fixtures' own
/// sizes and RVAs, sign and overflow boundaries.
const INTERESTING: [u32; 32] = [
    0,
    1,
    2,
    7,
    8,
    0x10,
    0x14,
    0x28,
    0x3C,
    0x40,
    0x7F,
    0x80,
    0xFF,
    0x1FF,
    0x200,
    0x400,
    0xFFF,
    0x1000,
    0x1001,
    0x2000,
    0x20C8,
    0x3000,
    0x5FFF,
    0x6000,
    0x7000,
    0xFFFF,
    0x1_0000,
    0x7FFF_FFFF,
    0x8000_0000,
    0xFFFF_0000,
    0xFFFF_FFF8,
    0xFFFF_FFFF,
];

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..1 + rng.below(6) {
        if v.is_empty() {
            break;
        }
        // Half the mutations hit the headers, where most checks live; the
        // rest land anywhere, tables and code included.
        let pos = if rng.below(2) == 0 {
            rng.below(v.len().min(0x400))
        } else {
            rng.below(v.len())
        };
        match rng.below(8) {
            0 => v[pos] ^= 1 << rng.below(8),
            1 => v[pos] = rng.next() as u8,
            2 | 3 => {
                let x = INTERESTING[rng.below(INTERESTING.len())];
                let x = x.wrapping_add(rng.below(3) as u32).wrapping_sub(1);
                let at = pos & !3;
                if at + 4 <= v.len() {
                    v[at..at + 4].copy_from_slice(&x.to_le_bytes());
                }
            }
            4 => {
                // A VA near one of the fixtures' image bases.
                let base = [0x1_4000_0000u64, 0x1_8000_0000][rng.below(2)];
                let x = base + u64::from(INTERESTING[rng.below(INTERESTING.len())]);
                let at = pos & !7;
                if at + 8 <= v.len() {
                    v[at..at + 8].copy_from_slice(&x.to_le_bytes());
                }
            }
            5 => v[pos] = 0,
            6 => {
                let at = pos & !1;
                if at + 2 <= v.len() {
                    let x = rng.next() as u16;
                    v[at..at + 2].copy_from_slice(&x.to_le_bytes());
                }
            }
            _ => {
                if rng.below(4) == 0 {
                    v.truncate(pos);
                } else {
                    v[pos] = 0xFF;
                }
            }
        }
    }
    v
}

#[derive(Default, Debug)]
struct Stats {
    parsed: u64,
    loaded: u64,
    rebased: u64,
    bound: u64,
    exports: u64,
    imports: u64,
    relocations: u64,
    tls_callbacks: u64,
}

fn inside(bytes: &[u8], s: &[u8]) -> bool {
    let r = bytes.as_ptr_range();
    s.is_empty() || (r.start <= s.as_ptr() && s.as_ptr_range().end <= r.end)
}

/// Everything a loader reads from a checked image, with the invariants the
/// crate promises about what it returns.
fn walk(img: &PeImage, bytes: &[u8], stats: &mut Stats) {
    let soi = u64::from(img.size_of_image());
    assert!(u64::from(img.entry_rva().unwrap_or(0)) < soi);
    for s in img.sections() {
        assert!(inside(bytes, s.data));
        assert!(s.data.len() <= s.virtual_size as usize);
        assert!(u64::from(s.rva) + u64::from(s.virtual_size) <= soi);
        let _ = (s.name(), s.protection());
    }
    let mut next = 0u64;
    for r in img.layout() {
        assert!(inside(bytes, r.data));
        assert_eq!(u64::from(r.rva), next, "regions are contiguous");
        assert!(u64::from(r.rva) + u64::from(r.size()) <= soi);
        assert!(r.size() <= r.span);
        next = u64::from(r.rva) + u64::from(r.span);
    }
    for r in img.relocations() {
        let Ok(r) = r else { break };
        assert!(u64::from(r.rva) + u64::from(r.kind.width()) <= soi);
        stats.relocations += 1;
    }
    if let Ok(Some(e)) = img.exports() {
        stats.exports += 1;
        if let Some(n) = e.dll_name() {
            assert!(inside(bytes, n.as_bytes()));
        }
        let check = |x: Option<Export>| match x {
            Some(Export::Rva(rva)) => assert!(u64::from(rva) < soi),
            Some(Export::Forwarder { dll, target }) => {
                assert!(!dll.is_empty() && inside(bytes, dll.as_bytes()));
                if let ForwardTarget::Name(n) = target {
                    assert!(!n.is_empty() && inside(bytes, n.as_bytes()));
                }
            }
            None => {}
        };
        for i in 0..e.name_count().min(300) {
            let (name, ordinal) = e.name_entry(i).expect("checked names stay readable");
            assert!(inside(bytes, name.as_bytes()));
            check(e.by_name(name));
            check(e.by_hint_or_name(i as u16, name));
            check(e.by_ordinal(ordinal));
        }
        for o in 0..300 {
            check(e.by_ordinal(e.ordinal_base().wrapping_add(o)));
        }
        for name in ["add_one", "FwdByName", "", "zzzz"] {
            check(e.by_name(name));
        }
        e.iter().take(300).for_each(|(_, x)| check(Some(x)));
    }
    for dll in img.imports() {
        let Ok(dll) = dll else { break };
        assert!(inside(bytes, dll.name().as_bytes()));
        for entry in dll.imports() {
            let Ok(entry) = entry else { break };
            assert!(u64::from(entry.iat_rva) + 8 <= soi);
            if let Import::ByName { name, .. } = entry.import {
                assert!(inside(bytes, name.as_bytes()));
            }
            stats.imports += 1;
        }
    }
    if let Ok(Some(tls)) = img.tls() {
        assert!(inside(bytes, tls.template()));
        assert!(u64::from(tls.template_rva()) + tls.template().len() as u64 <= soi);
        if let Some(i) = tls.index_rva() {
            assert!(u64::from(i) + 4 <= soi);
        }
        for cb in tls.callbacks() {
            let Ok(rva) = cb else { break };
            assert!(u64::from(rva) < soi);
            stats.tls_callbacks += 1;
        }
    }
}

fn exercise(file: &[u8], stats: &mut Stats) {
    let img = match PeImage::parse(file) {
        Ok(img) => img,
        Err(e) => {
            let _ = (e.ntstatus(), e.to_string());
            return;
        }
    };
    stats.parsed += 1;
    walk(&img, file, stats);
    if img.size_of_image() > MAX_LOAD {
        return;
    }
    let mut m = vec![0xA5; img.size_of_image() as usize];
    img.load_into(&mut m).expect("a checked file always loads");
    let mapped = PeImage::parse_mapped(&m).expect("a loaded file is a valid mapped image");
    stats.loaded += 1;
    walk(&mapped, &m, stats);
    if rebase(&mut m, 0x7FF6_0000_0000).is_ok() {
        stats.rebased += 1;
    }
    if bind_imports(&mut m, |_, _| Ok::<u64, ()>(0x7FFE_0000_1000)).is_ok() {
        stats.bound += 1;
    }
    // Binding may have written anywhere the import table pointed, headers
    // included; whatever still parses must still be consistent.
    if let Ok(after) = PeImage::parse_mapped(&m) {
        walk(&after, &m, stats);
        let _ = apply_relocations(&mut m, -0x1_0000);
    }
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn mutated_fixtures_never_panic_or_hang() {
    let iterations = env("PE_FUZZ_ITERATIONS", DEFAULT_ITERATIONS);
    let seed = env("PE_FUZZ_SEED", DEFAULT_SEED);
    let mut rng = Rng::new(seed);
    let mut stats = Stats::default();
    for i in 0..iterations {
        let (name, base) = FIXTURES[i as usize % FIXTURES.len()];
        let input = mutate(&mut rng, base);
        let start = Instant::now();
        let r = catch_unwind(AssertUnwindSafe(|| exercise(&input, &mut stats)));
        if r.is_err() {
            panic!("iteration {i} ({name}, seed {seed:#x}) panicked; input: {input:02x?}");
        }
        assert!(
            start.elapsed() < HANG,
            "iteration {i} ({name}, seed {seed:#x}) took {:?}",
            start.elapsed()
        );
    }
    eprintln!("{iterations} inputs: {stats:?}");
    // The mutations must leave enough inputs valid to reach the deep code.
    let n = iterations / 100;
    assert!(stats.parsed > 20 * n, "{stats:?}");
    assert!(
        stats.loaded > 20 * n && stats.rebased > 10 * n && stats.bound > 10 * n,
        "{stats:?}"
    );
    assert!(
        stats.exports > 5 * n && stats.imports > 5 * n && stats.tls_callbacks > 5 * n,
        "{stats:?}"
    );
}

#[test]
fn random_bytes_behind_valid_headers_never_panic() {
    // Keep the fixtures' headers and randomize everything after them, so
    // every table the directories point at is garbage.
    let mut rng = Rng::new(DEFAULT_SEED ^ 0xFFFF);
    let mut stats = Stats::default();
    for i in 0..3_000 {
        let (_, base) = FIXTURES[i % FIXTURES.len()];
        let mut v = base.to_vec();
        for b in &mut v[0x400..] {
            *b = if rng.below(3) == 0 {
                0
            } else {
                rng.next() as u8
            };
        }
        exercise(&v, &mut stats);
    }
    assert!(stats.parsed == 3_000, "{stats:?}");
}
