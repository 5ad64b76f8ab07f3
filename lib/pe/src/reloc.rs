//! Base relocations: listing them ([`PeImage::relocations`]) and applying
//! them to a mapped image ([`apply_relocations`], [`rebase`]).
//!
//! The directory is a sequence of blocks, each an 8-byte header (page RVA,
//! SizeOfBlock including the header) followed by 16-bit entries (type in the
//! top 4 bits, offset in the page in the low 12). On x86_64 the linkers emit
//! DIR64 (and ABSOLUTE padding); HIGHLOW is applied too, because lld-link
//! emits it for 32-bit absolute addresses in images linked
//! /LARGEADDRESSAWARE:NO. Every other type is refused rather than guessed.
//!
//! Applying works on the mapped image alone: the relocation table is read
//! from the same buffer the fixups go into, so the same code serves `ntos`
//! (after `load_into`) and ntdll (on a module mapped at its base). All
//! entries are checked before the first byte changes, so a malformed table
//! leaves the image untouched.

use crate::consts::*;
use crate::error::PeError;
use crate::image::{Headers, PeImage};
use crate::read::{put_u32, put_u64, u16_at, u32_at, u64_at};

/// What a relocation does to the bytes at its RVA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelocKind {
    /// IMAGE_REL_BASED_HIGHLOW: add the delta to the 32-bit value.
    HighLow,
    /// IMAGE_REL_BASED_DIR64: add the delta to the 64-bit value.
    Dir64,
}

impl RelocKind {
    /// How many bytes the relocation changes.
    pub fn width(self) -> u32 {
        match self {
            RelocKind::HighLow => 4,
            RelocKind::Dir64 => 8,
        }
    }
}

/// One base relocation (ABSOLUTE padding entries are skipped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Relocation {
    /// Where the value to fix up starts; the whole value lies inside the
    /// image.
    pub rva: u32,
    /// How to fix it up.
    pub kind: RelocKind,
}

/// Walks the relocation directory; it is handed the directory's bytes on
/// every step so the caller may write to the image between steps.
#[derive(Clone, Copy, Debug)]
struct Cursor {
    /// Offset of the next block header or entry within the directory.
    off: usize,
    /// Where the current block ends (== `off` between blocks).
    block_end: usize,
    /// The current block's page RVA.
    page: u32,
    done: bool,
}

impl Cursor {
    fn new() -> Cursor {
        Cursor {
            off: 0,
            block_end: 0,
            page: 0,
            done: false,
        }
    }

    fn next(&mut self, dir: &[u8], size_of_image: u32) -> Option<Result<Relocation, PeError>> {
        let r = self.step(dir, size_of_image);
        if !matches!(r, Some(Ok(_))) {
            self.done = true;
        }
        r
    }

    fn step(&mut self, dir: &[u8], size_of_image: u32) -> Option<Result<Relocation, PeError>> {
        if self.done {
            return None;
        }
        // Each pass consumes at least two bytes of a finite directory, so the
        // loop ends.
        loop {
            if self.off >= self.block_end {
                if self.off >= dir.len() {
                    return None;
                }
                let (Some(page), Some(size)) = (u32_at(dir, self.off), u32_at(dir, self.off + 4))
                else {
                    return Some(Err(PeError::BadRelocationBlock));
                };
                let size = size as usize;
                // SizeOfBlock counts the header and whole entries, and the
                // block must fit in what is left of the directory.
                if size < 8 || !size.is_multiple_of(2) || size > dir.len() - self.off {
                    return Some(Err(PeError::BadRelocationBlock));
                }
                self.page = page;
                self.block_end = self.off + size;
                self.off += 8;
                continue;
            }
            let Some(entry) = u16_at(dir, self.off) else {
                return Some(Err(PeError::BadRelocationBlock));
            };
            self.off += 2;
            let kind = match (entry >> 12) as u8 {
                REL_BASED_ABSOLUTE => continue,
                REL_BASED_HIGHLOW => RelocKind::HighLow,
                REL_BASED_DIR64 => RelocKind::Dir64,
                other => return Some(Err(PeError::UnsupportedRelocation(other))),
            };
            let rva = self.page.checked_add(u32::from(entry & 0xFFF));
            return Some(match rva {
                Some(rva)
                    if rva
                        .checked_add(kind.width())
                        .is_some_and(|end| end <= size_of_image) =>
                {
                    Ok(Relocation { rva, kind })
                }
                _ => Err(PeError::RelocationOutOfRange),
            });
        }
    }
}

/// Iterator over an image's base relocations, in table order. Yields an
/// error (and then stops) at the first malformed block or entry.
#[derive(Clone, Debug)]
pub struct Relocations<'a> {
    dir: &'a [u8],
    size_of_image: u32,
    cursor: Cursor,
    /// An error found before the walk began (unreadable directory).
    pending: Option<PeError>,
}

impl Iterator for Relocations<'_> {
    type Item = Result<Relocation, PeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.pending.take() {
            self.cursor.done = true;
            return Some(Err(e));
        }
        self.cursor.next(self.dir, self.size_of_image)
    }
}

impl<'a> PeImage<'a> {
    /// The base relocations (empty when the image has no relocation
    /// directory). In a file the whole directory must lie in one section's
    /// initialized data, as linkers place it.
    pub fn relocations(&self) -> Relocations<'a> {
        let (dir, pending) = match self.h.dir(DIRECTORY_BASERELOC) {
            None => (&[][..], None),
            Some(d) => match self.read(d.rva, d.size) {
                Ok(b) => (b, None),
                Err(_) => (&[][..], Some(PeError::BadRelocationBlock)),
            },
        };
        Relocations {
            dir,
            size_of_image: self.h.size_of_image,
            cursor: Cursor::new(),
            pending,
        }
    }
}

/// The relocation directory of a mapped image, re-sliced from `mapped` on
/// each use so the borrow ends before the next write.
fn mapped_dir<'a>(mapped: &'a [u8], h: &Headers) -> Option<&'a [u8]> {
    let d = h.dir(DIRECTORY_BASERELOC)?;
    mapped.get(d.rva as usize..(d.rva as usize).checked_add(d.size as usize)?)
}

/// The value relocation `r` leaves in `image` when the image moves by
/// `delta`, or why it cannot. HIGHLOW values must stay 32-bit.
fn relocated(image: &[u8], r: Relocation, delta: i64) -> Result<u64, PeError> {
    let at = r.rva as usize;
    match r.kind {
        RelocKind::Dir64 => {
            let v = u64_at(image, at).ok_or(PeError::RelocationOutOfRange)?;
            Ok(v.wrapping_add(delta as u64))
        }
        RelocKind::HighLow => {
            let v = u32_at(image, at).ok_or(PeError::RelocationOutOfRange)?;
            let moved = i64::from(v)
                .checked_add(delta)
                .ok_or(PeError::RelocationOverflow)?;
            u32::try_from(moved)
                .map(u64::from)
                .map_err(|_| PeError::RelocationOverflow)
        }
    }
}

/// Adds `delta` (new base − header ImageBase) to every relocated value of
/// the mapped image `mapped` (at least SizeOfImage bytes, as laid out by
/// [`PeImage::load_into`]). Does not change the ImageBase field; loaders
/// should call [`rebase`], which does.
///
/// A zero delta changes nothing and returns `Ok` at once. An image linked
/// without relocations (IMAGE_FILE_RELOCS_STRIPPED) cannot move and fails
/// with [`PeError::RelocationsStripped`]; an image with no relocation
/// directory (nothing to fix up) succeeds. The whole table is checked
/// before anything is written, so on error the image is unchanged (unless
/// the table relocates its own bytes, which no linker produces; the second
/// pass stays bounds-checked all the same).
pub fn apply_relocations(mapped: &mut [u8], delta: i64) -> Result<(), PeError> {
    let h = PeImage::parse_mapped(mapped)?.h;
    if delta == 0 {
        return Ok(());
    }
    if h.characteristics & FILE_RELOCS_STRIPPED != 0 {
        return Err(PeError::RelocationsStripped);
    }
    if h.dir(DIRECTORY_BASERELOC).is_none() {
        return Ok(());
    }

    // Pass 1: check every entry and every 32-bit result.
    let dir = mapped_dir(mapped, &h).ok_or(PeError::BadRelocationBlock)?;
    let mut cursor = Cursor::new();
    while let Some(r) = cursor.next(dir, h.size_of_image) {
        relocated(mapped, r?, delta)?;
    }

    // Pass 2: apply. Each step re-reads the table from `mapped`.
    let mut cursor = Cursor::new();
    loop {
        let r = {
            let dir = mapped_dir(mapped, &h).ok_or(PeError::BadRelocationBlock)?;
            match cursor.next(dir, h.size_of_image) {
                None => break,
                Some(r) => r?,
            }
        };
        let v = relocated(mapped, r, delta)?;
        let written = match r.kind {
            RelocKind::Dir64 => put_u64(mapped, r.rva as usize, v),
            RelocKind::HighLow => put_u32(mapped, r.rva as usize, v as u32),
        };
        written.ok_or(PeError::RelocationOutOfRange)?;
    }
    Ok(())
}

/// Moves the mapped image `mapped` to `new_base`: applies the relocations
/// for `new_base − ImageBase` and then writes `new_base` into the header's
/// ImageBase field, as NT does, so later VA-to-RVA conversions (TLS
/// callbacks, a second `rebase`) use the actual base. `new_base` must be
/// 64 KiB aligned and leave room for SizeOfImage below 2^64.
pub fn rebase(mapped: &mut [u8], new_base: u64) -> Result<(), PeError> {
    let h = PeImage::parse_mapped(mapped)?.h;
    if !new_base.is_multiple_of(IMAGE_BASE_ALIGNMENT)
        || new_base.checked_add(u64::from(h.size_of_image)).is_none()
    {
        return Err(PeError::BadImageBase);
    }
    let delta = new_base.wrapping_sub(h.image_base) as i64;
    apply_relocations(mapped, delta)?;
    put_u64(mapped, h.image_base_field, new_base).ok_or(PeError::TruncatedHeaders)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn block(page: u32, entries: &[u16]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&page.to_le_bytes());
        b.extend_from_slice(&(8 + 2 * entries.len() as u32).to_le_bytes());
        for e in entries {
            b.extend_from_slice(&e.to_le_bytes());
        }
        b
    }

    fn walk(dir: &[u8], soi: u32) -> Vec<Result<Relocation, PeError>> {
        let mut c = Cursor::new();
        let mut out = Vec::new();
        while let Some(r) = c.next(dir, soi) {
            out.push(r);
        }
        out
    }

    #[test]
    fn walks_blocks_and_skips_padding() {
        let mut dir = block(0x1000, &[0xA008, 0x0000, 0x3010]);
        dir.extend(block(0x2000, &[0xAFF8, 0x0000]));
        let got = walk(&dir, 0x3000);
        assert_eq!(
            got,
            [
                Ok(Relocation {
                    rva: 0x1008,
                    kind: RelocKind::Dir64
                }),
                Ok(Relocation {
                    rva: 0x1010,
                    kind: RelocKind::HighLow
                }),
                Ok(Relocation {
                    rva: 0x2FF8,
                    kind: RelocKind::Dir64
                }),
            ]
        );
    }

    #[test]
    fn refuses_bad_blocks_and_stops() {
        // SizeOfBlock 0 would loop forever in a naive walker.
        let mut dir = 0x1000u32.to_le_bytes().to_vec();
        dir.extend(0u32.to_le_bytes());
        assert_eq!(walk(&dir, 0x3000), [Err(PeError::BadRelocationBlock)]);
        // Odd size, size past the directory, and a truncated header.
        let mut odd = block(0x1000, &[0xA000]);
        odd[4] = 11;
        assert_eq!(walk(&odd, 0x3000), [Err(PeError::BadRelocationBlock)]);
        let mut long = block(0x1000, &[0xA000]);
        long[4] = 12;
        assert_eq!(walk(&long, 0x3000), [Err(PeError::BadRelocationBlock)]);
        assert_eq!(
            walk(&[0, 0x10, 0, 0], 0x3000),
            [Err(PeError::BadRelocationBlock)]
        );
    }

    #[test]
    fn refuses_targets_outside_the_image_and_unknown_types() {
        assert_eq!(
            walk(&block(0x2000, &[0xAFF9]), 0x3000),
            [Err(PeError::RelocationOutOfRange)]
        );
        assert_eq!(
            walk(&block(0xFFFF_F000, &[0xAFFF]), u32::MAX),
            [Err(PeError::RelocationOutOfRange)]
        );
        assert_eq!(
            walk(&block(0x1000, &[0x1000, 0xA000]), 0x3000),
            [Err(PeError::UnsupportedRelocation(1))]
        );
    }

    #[test]
    fn highlow_must_stay_32_bit() {
        let mut img = [0u8; 16];
        img[..4].copy_from_slice(&0xFFFF_0000u32.to_le_bytes());
        let r = Relocation {
            rva: 0,
            kind: RelocKind::HighLow,
        };
        assert_eq!(
            relocated(&img, r, 0x1_0000),
            Err(PeError::RelocationOverflow)
        );
        assert_eq!(relocated(&img, r, -0x1_0000), Ok(0xFFFE_0000));
        let d = Relocation {
            rva: 8,
            kind: RelocKind::Dir64,
        };
        assert_eq!(relocated(&img, d, -1), Ok(u64::MAX));
        assert_eq!(
            relocated(
                &img,
                Relocation {
                    rva: 9,
                    kind: RelocKind::Dir64
                },
                1
            ),
            Err(PeError::RelocationOutOfRange)
        );
    }
}
