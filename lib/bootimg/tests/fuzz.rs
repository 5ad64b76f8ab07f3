//! A seeded mutation fuzzer for the two parsers that take untrusted bytes.
//!
//! Archives (valid ones from the writer and the GNU tar fixtures) get bit
//! flips, field overwrites with edge values, type-flag and size changes,
//! name attacks, truncation, and inserted, removed or zeroed blocks; most
//! mutants then get their checksums repaired so the deeper checks run, not
//! just the checksum. Configurations get inserted syntax, control
//! characters, broken UTF-8, deletions and duplications.
//!
//! Every call must return (no panic, no hang), and what comes back `Ok` must
//! be consistent: entry count bounded by the archive's blocks, every data
//! slice inside the input at the offset the entry states, names that obey
//! the rules, lookups that find every entry; config keys, values and
//! sections borrowed from the input, well-formed, and found by `get`.
//!
//! Deterministic: the same seed gives the same inputs on every run. Set
//! BOOTIMG_FUZZ_ITERATIONS for a longer run, BOOTIMG_FUZZ_SEED for others.

mod common;

use bootimg::tar::header;
use bootimg::{Archive, Builder, Config, ErrorKind, Kind, BLOCK, MAX_NAME_LEN};
use common::*;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

const DEFAULT_ITERATIONS: u64 = 60_000;
const DEFAULT_SEED: u64 = 0xB007_1367_F022_0001;
/// No single input may take anywhere near this long.
const HANG: Duration = Duration::from_secs(2);

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `check` on `iterations` inputs made by `make`, reporting the
/// iteration of the first failure so it can be replayed. Returns how often
/// each outcome `check` named occurred, so a test can show that its inputs
/// reach past the first checks.
fn run<T>(
    what: &str,
    salt: u64,
    make: impl Fn(&mut Rng) -> T,
    check: impl Fn(&T) -> String,
) -> BTreeMap<String, u64> {
    let mut outcomes = BTreeMap::new();
    let iterations = setting("BOOTIMG_FUZZ_ITERATIONS", DEFAULT_ITERATIONS);
    let seed = setting("BOOTIMG_FUZZ_SEED", DEFAULT_SEED) ^ salt;
    let mut rng = Rng::new(seed);
    for i in 0..iterations {
        let input = make(&mut rng);
        let start = Instant::now();
        match catch_unwind(AssertUnwindSafe(|| check(&input))) {
            Ok(outcome) => *outcomes.entry(outcome).or_insert(0) += 1,
            Err(panic) => {
                eprintln!("{what}: iteration {i} (seed {seed:#x}) failed");
                std::panic::resume_unwind(panic);
            }
        }
        assert!(
            start.elapsed() < HANG,
            "{what}: iteration {i} (seed {seed:#x}) took {:?}",
            start.elapsed()
        );
    }
    eprintln!("{what}: {iterations} inputs: {outcomes:?}");
    outcomes
}

/// Asserts that at least `percent` of the inputs were accepted and that at
/// least `kinds` different errors occurred: a fuzzer whose mutants all die
/// at the first check tests nothing else.
fn assert_deep(outcomes: &BTreeMap<String, u64>, percent: u64, kinds: usize) {
    let total: u64 = outcomes.values().sum();
    let ok = outcomes.get("ok").copied().unwrap_or(0);
    assert!(
        ok * 100 >= total * percent,
        "only {ok} of {total} accepted: {outcomes:?}"
    );
    assert!(
        outcomes.len() > kinds,
        "too few kinds of outcome: {outcomes:?}"
    );
}

// ---- archives ----

fn archive_corpus() -> Vec<Vec<u8>> {
    let long = format!("{}/{}/{}", "p".repeat(70), "q".repeat(70), "n".repeat(90));
    let mut b = Builder::new();
    b.add_file("boot.cfg", b"[boot]\nprogram = ntcmd.exe\n")
        .add_dir("system32")
        .add_file("system32/ntdll.dll", &[0x4D; 1300])
        .add_file("system32/empty.sys", b"")
        .add_file("system32/block.exe", &[0x5A; BLOCK])
        .add_file(&long, b"deep");
    let hand = archive(&[
        (raw_header(b"./link", b'2', 0), &[]),
        (raw_header(b"vendor", b'A', 700), &[3; 700]),
        (raw_header(b"dir/", b'5', 0), &[]),
        (raw_header(b"dir/file", 0, 3), b"abc"),
    ]);
    vec![
        b.finish(),
        hand,
        GNU_USTAR.to_vec(),
        GNU_FORMAT.to_vec(),
        GNU_LONGNAME.to_vec(),
        PAX_LONGNAME.to_vec(),
    ]
}

const EDGE_BYTES: &[u8] = &[
    0, b' ', b'0', b'7', b'8', b'/', b'.', b'\\', b':', 0x7F, 0x80, 0xC3, 0xFF, b'5', b'2', b'L',
    b'x',
];
const TYPE_FLAGS: &[u8] = b"0\x00757LKxg12346AD ";
const NAME_PIECES: &[&[u8]] = &[
    b"..",
    b"/",
    b"./",
    b"a/../b",
    b"\\",
    b"x",
    b"\xC3\xA9",
    b"\xFF",
    b"",
    b"./.",
    b"//",
    b"a/..",
];
const NUMERIC: [std::ops::Range<usize>; 8] = [
    header::MODE,
    header::UID,
    header::GID,
    header::SIZE,
    header::MTIME,
    header::CHKSUM,
    header::DEVMAJOR,
    header::DEVMINOR,
];

/// A random block-aligned offset in `bytes`, up to and including the end
/// of its last whole block.
fn some_block(rng: &mut Rng, bytes: &[u8]) -> usize {
    rng.below(bytes.len() / BLOCK + 1) * BLOCK
}

/// The start of a random whole block of `bytes` (which has at least one).
fn whole_block(rng: &mut Rng, bytes: &[u8]) -> usize {
    rng.below(bytes.len() / BLOCK) * BLOCK
}

fn mutate_archive(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut a = rng.pick(corpus).clone();
    for _ in 0..1 + rng.below(4) {
        let len = a.len();
        let h = some_block(rng, &a);
        let in_header = |off: usize| h + off < len;
        match rng.below(12) {
            0 if len > 0 => {
                let i = rng.below(len);
                a[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                a[i] = *rng.pick(EDGE_BYTES);
            }
            2 => {
                let off = rng.below(BLOCK);
                if in_header(off) {
                    a[h + off] = *rng.pick(EDGE_BYTES);
                }
            }
            3 => {
                let field = rng.pick(&NUMERIC).clone();
                if in_header(field.end) {
                    for i in field {
                        a[h + i] = *rng.pick(b"0123456789 \0\x80");
                    }
                }
            }
            4 => {
                let field = if rng.chance(50) {
                    header::NAME
                } else {
                    header::PREFIX
                };
                if in_header(field.end) {
                    let mut name = Vec::new();
                    for _ in 0..1 + rng.below(4) {
                        let piece = rng.pick(NAME_PIECES);
                        name.extend_from_slice(piece);
                    }
                    name.truncate(field.len());
                    put(&mut a[h..], field, &name);
                }
            }
            5 => a.truncate(rng.below(len + 1)),
            6 => a.truncate(some_block(rng, &a)),
            7 if len >= BLOCK => {
                let from = whole_block(rng, &a);
                let block = a[from..from + BLOCK].to_vec();
                let to = some_block(rng, &a).min(len);
                a.splice(to..to, block);
            }
            8 if len >= BLOCK => {
                let at = whole_block(rng, &a);
                a.drain(at..at + BLOCK);
            }
            9 if len >= BLOCK => {
                let at = whole_block(rng, &a);
                a[at..at + BLOCK].fill(0);
            }
            10 => {
                if in_header(header::SIZE.end) {
                    let size = match rng.below(3) {
                        0 => rng.below(2 * BLOCK) as u64,
                        1 => rng.next() % 0o100_0000_0000,
                        _ => len as u64 - h as u64 + rng.below(3) as u64,
                    };
                    put_octal(&mut a[h..], header::SIZE, size);
                }
            }
            _ => {
                if in_header(header::TYPEFLAG + 1) {
                    a[h + header::TYPEFLAG] = *rng.pick(TYPE_FLAGS);
                }
            }
        }
    }
    // Repair the checksum of every block that still looks like a header, so
    // most mutants get past the checksum to the checks behind it.
    if rng.chance(70) {
        for block in a.chunks_exact_mut(BLOCK) {
            if &block[header::MAGIC] == b"ustar\0" {
                fix_checksum(block);
            }
        }
    }
    a
}

fn check_archive(input: &[u8]) -> String {
    let base = input.as_ptr() as usize;
    match Archive::new(input) {
        Err(e) => {
            assert!(e.offset <= input.len() && e.offset % BLOCK == 0, "{e:?}");
            let _ = e.to_string();
            format!("{:?}", e.kind)
        }
        Ok(archive) => {
            assert!(
                archive.len() <= input.len() / BLOCK,
                "more entries than blocks"
            );
            assert!(archive.end_offset() <= input.len());
            let entries: Vec<_> = archive.entries().collect();
            assert_eq!(entries.len(), archive.len());
            let mut last_end = 0;
            for e in &entries {
                // Every slice in bounds, where the entry says it is.
                let start = e.data.as_ptr() as usize;
                assert!(start >= base && start - base == e.data_offset(), "{e:?}");
                assert_eq!(e.size, e.data.len());
                assert!(e.data_offset() + e.size <= input.len());
                assert_eq!(&input[e.data_offset()..e.data_offset() + e.size], e.data);
                assert!(e.offset % BLOCK == 0 && e.offset >= last_end, "{e:?}");
                last_end = e.data_offset() + e.size;
                assert!(last_end <= archive.end_offset());
                // Names obey the rules.
                let name = e.name();
                assert!(name.len() <= MAX_NAME_LEN);
                assert!(!name.is_empty() || e.kind == Kind::Dir, "{e:?}");
                assert!(!name.starts_with('/') && !name.ends_with('/'), "{name:?}");
                for c in name.split('/').filter(|_| !name.is_empty()) {
                    assert!(!c.is_empty() && c != "." && c != "..", "{name:?}");
                    assert!(
                        !c.bytes()
                            .any(|b| b < 0x20 || b"\\:*?\"<>|\x7f".contains(&b)),
                        "{name:?}"
                    );
                }
                // Lookups find it (or a later entry of the same name).
                let found = archive
                    .find_ci(&name.to_ascii_uppercase())
                    .expect("find_ci");
                assert!(found.name().eq_ignore_ascii_case(name) && found.offset >= e.offset);
                let _ = format!("{e:?}");
            }
            "ok".into()
        }
    }
}

#[test]
fn mutated_archives() {
    let corpus = archive_corpus();
    for a in &corpus[..3] {
        Archive::new(a).expect("the valid part of the corpus parses");
    }
    let outcomes = run(
        "archives",
        0,
        |rng| mutate_archive(rng, &corpus),
        |a| check_archive(a),
    );
    assert_deep(&outcomes, 10, 10);
}

#[test]
fn random_bytes_are_not_archives() {
    // Pure noise almost never has a valid checksum; the point is that the
    // reader says so quickly, whatever the length.
    run(
        "noise",
        1,
        |rng| {
            (0..rng.below(4 * BLOCK))
                .map(|_| rng.next() as u8)
                .collect::<Vec<u8>>()
        },
        |a| match Archive::new(a) {
            Ok(archive) => {
                assert!(archive.is_empty());
                "ok".into()
            }
            Err(e) => {
                assert!(matches!(
                    e.kind,
                    ErrorKind::Truncated | ErrorKind::BadChecksum | ErrorKind::BadField(_)
                ));
                format!("{:?}", e.kind)
            }
        },
    );
}

// ---- configurations ----

const CONFIGS: &[&str] = &[
    "# Triton boot configuration\n[boot]\n\
     program = \\SystemRoot\\system32\\ntcmd.exe   # first program to start\n\
     args = \n[drivers]\nload = i8042prt.sys kbdclass.sys beep.sys\n",
    "[a]\r\nk=v\r\n[b]\r\nk = w # c\r\nempty=\r\n",
    "\u{feff}[s]\n  key.name-1 = value with spaces\t\n[s]\nkey.name-1 = again\n",
];
const CONFIG_PIECES: &[&[u8]] = &[
    b"[",
    b"]",
    b"=",
    b"#",
    b"\n",
    b"\r",
    b"\r\n",
    b" ",
    b"\t",
    b"\0",
    b"\xFF",
    b"\xC3",
    b"\xC3\xA9",
    b"a",
    b"[s]",
    b"k = v",
    b"\xEF\xBB\xBF",
    b"\x7F",
    b"[]",
    b"[a b]",
];

fn mutate_config(rng: &mut Rng) -> Vec<u8> {
    let mut c = rng.pick(CONFIGS).as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = c.len();
        let at = rng.below(len + 1);
        match rng.below(6) {
            0 if len > 0 => c[at.min(len - 1)] ^= 1 << rng.below(8),
            1 | 2 => {
                let piece = rng.pick(CONFIG_PIECES);
                c.splice(at..at, piece.iter().copied());
            }
            3 => {
                let end = (at + rng.below(12)).min(len);
                c.drain(at..end);
            }
            4 => {
                let end = (at + rng.below(24)).min(len);
                let copy = c[at..end].to_vec();
                let to = rng.below(len + 1);
                c.splice(to..to, copy);
            }
            _ => c.truncate(at),
        }
    }
    c
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
}

fn check_config(input: &[u8]) -> String {
    let lines = input.iter().filter(|&&b| b == b'\n').count() + 1;
    match Config::parse(input) {
        Err(e) => {
            assert!(e.line >= 1 && e.line <= lines, "{e:?} of {lines}");
            let _ = e.to_string();
            format!("{:?}", e.kind)
        }
        Ok(config) => {
            let range = input.as_ptr_range();
            let inside = |s: &str| {
                range.start <= s.as_ptr() && s.as_ptr() as usize + s.len() <= range.end as usize
            };
            assert!(inside(config.text()));
            let mut last_line = 0;
            for e in config.entries() {
                assert!(
                    inside(e.section) && inside(e.key) && inside(e.value),
                    "{e:?}"
                );
                assert!(is_name(e.section) && is_name(e.key), "{e:?}");
                assert_eq!(e.value, e.value.trim_matches([' ', '\t']));
                assert!(
                    !e.value.contains('#') && !e.value.chars().any(|c| c.is_control() && c != '\t')
                );
                assert!(e.line > last_line && e.line <= lines, "{e:?}");
                last_line = e.line;
                assert!(config.get(e.section, e.key).is_some());
                assert!(config.has_section(e.section));
            }
            for s in config.sections() {
                assert!(inside(s) && is_name(s), "{s:?}");
            }
            "ok".into()
        }
    }
}

#[test]
fn mutated_configs() {
    for c in CONFIGS {
        Config::parse(c).expect("the corpus parses");
    }
    let outcomes = run("configs", 2, mutate_config, |c| check_config(c));
    assert_deep(&outcomes, 10, 6);
}
