//! Shared test helpers: the committed fixtures, hand-made ustar headers
//! whose every byte a test chooses, checksum repair after patching, and a
//! small seeded generator. Each test crate uses a different subset, so
//! unused-item warnings are silenced here.
#![allow(dead_code)]

use bootimg::tar::header;
use bootimg::BLOCK;

/// GNU tar 1.34 `--format=ustar` archive of a small boot tree (see
/// `fixtures/README.md`).
pub const GNU_USTAR: &[u8] = include_bytes!("../fixtures/gnu-ustar.tar");
/// GNU tar's own format (`ustar  \0` magic), one short name.
pub const GNU_FORMAT: &[u8] = include_bytes!("../fixtures/gnu-format.tar");
/// GNU tar's own format with a 120-byte name: an `L` entry first.
pub const GNU_LONGNAME: &[u8] = include_bytes!("../fixtures/gnu-longname.tar");
/// pax format with a 321-byte path: an `x` header first.
pub const PAX_LONGNAME: &[u8] = include_bytes!("../fixtures/pax-longname.tar");

/// Writes `value` as zero-padded octal in all but the last byte of the
/// field, NUL last (what the writer and GNU tar do).
pub fn put_octal(block: &mut [u8], field: std::ops::Range<usize>, value: u64) {
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}\0");
    block[field].copy_from_slice(text.as_bytes());
}

/// Writes `bytes` at the start of `field` and NUL-fills the rest.
pub fn put(block: &mut [u8], field: std::ops::Range<usize>, bytes: &[u8]) {
    let f = &mut block[field];
    f.fill(0);
    f[..bytes.len()].copy_from_slice(bytes);
}

/// Recomputes the checksum of the header starting at `block[0]`.
pub fn fix_checksum(block: &mut [u8]) {
    let sum: u64 = block[..BLOCK]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if header::CHKSUM.contains(&i) {
                32
            } else {
                u64::from(b)
            }
        })
        .sum();
    let text = format!("{sum:06o}\0 ");
    block[header::CHKSUM].copy_from_slice(text.as_bytes());
}

/// A valid ustar header with any name bytes, type flag and size.
pub fn raw_header(name: &[u8], flag: u8, size: u64) -> [u8; BLOCK] {
    let mut b = [0u8; BLOCK];
    put(&mut b, header::NAME, name);
    put_octal(&mut b, header::MODE, 0o644);
    put_octal(&mut b, header::UID, 0);
    put_octal(&mut b, header::GID, 0);
    put_octal(&mut b, header::SIZE, size);
    put_octal(&mut b, header::MTIME, 0);
    b[header::TYPEFLAG] = flag;
    put(
        &mut b,
        header::MAGIC.start..header::VERSION.end,
        header::USTAR_MAGIC,
    );
    put_octal(&mut b, header::DEVMAJOR, 0);
    put_octal(&mut b, header::DEVMINOR, 0);
    fix_checksum(&mut b);
    b
}

/// An archive of `(header, data)` pairs, data padded, then the end marker.
pub fn archive(entries: &[([u8; BLOCK], &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (h, data) in entries {
        out.extend_from_slice(h);
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(BLOCK), 0);
    }
    out.resize(out.len() + 2 * BLOCK, 0);
    out
}

/// An archive of one regular file.
pub fn one_file(name: &[u8], data: &[u8]) -> Vec<u8> {
    archive(&[(raw_header(name, b'0', data.len() as u64), data)])
}

/// xorshift64*: small, fast, and fully determined by the seed.
pub struct Rng(u64);

impl Rng {
    /// Spreads the seed (splitmix64's finalizer) so nearby seeds give
    /// unrelated streams; xorshift needs a non-zero state.
    pub fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0; the modulo bias is irrelevant here).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}
