//! A minimal, defensive ELF64 reader for the root task image: the header
//! and the PT_LOAD segments, each checked against the file's bounds. The
//! kernel loads only what this accepts; anything malformed is an error,
//! never a panic.

/// A loadable segment: where it goes and the bytes the file supplies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment<'a> {
    /// Where the segment starts in the address space.
    pub vaddr: u64,
    /// Its size in memory; bytes past `data` are zero.
    pub memsz: u64,
    /// PF_X, PF_W, PF_R.
    pub flags: u32,
    /// The bytes the file supplies (at most `memsz`).
    pub data: &'a [u8],
}

/// Why an image was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfError {
    /// No ELF magic, not 64-bit or not little-endian.
    NotElf64,
    /// Another machine's code.
    NotX86_64,
    /// Not ET_EXEC (the root task is a static executable).
    NotExecutable,
    /// Program headers of the wrong size or past the end of the file.
    BadProgramHeaders,
    /// A segment's file bytes lie past the end of the file.
    SegmentOutOfFile,
    /// A segment's file size exceeds its memory size, or it wraps around.
    SegmentTooLarge,
}

/// The program-header type of a loadable segment.
pub const PT_LOAD: u32 = 1;
const EM_X86_64: u16 = 62;
const ET_EXEC: u16 = 2;
const PHDR_SIZE: usize = 56;

fn u16_at(b: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(o..o + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(o..o + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], o: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(o..o + 8)?.try_into().ok()?))
}

/// A checked ELF64 x86_64 executable.
#[derive(Clone, Copy, Debug)]
pub struct Elf<'a> {
    file: &'a [u8],
    /// The entry point.
    pub entry: u64,
    phoff: usize,
    phnum: usize,
}

impl<'a> Elf<'a> {
    /// Checks the header and every program header.
    pub fn parse(file: &'a [u8]) -> Result<Elf<'a>, ElfError> {
        if file.len() < 64 || &file[0..4] != b"\x7fELF" || file[4] != 2 || file[5] != 1 {
            return Err(ElfError::NotElf64);
        }
        if u16_at(file, 18) != Some(EM_X86_64) {
            return Err(ElfError::NotX86_64);
        }
        if u16_at(file, 16) != Some(ET_EXEC) {
            return Err(ElfError::NotExecutable);
        }
        let entry = u64_at(file, 24).ok_or(ElfError::NotElf64)?;
        let phoff = u64_at(file, 32).ok_or(ElfError::NotElf64)?;
        let phentsize = u16_at(file, 54).ok_or(ElfError::NotElf64)? as usize;
        let phnum = u16_at(file, 56).ok_or(ElfError::NotElf64)? as usize;
        let end = (phnum as u64).checked_mul(PHDR_SIZE as u64).and_then(|n| n.checked_add(phoff));
        if phentsize != PHDR_SIZE || end.is_none_or(|e| e > file.len() as u64) {
            return Err(ElfError::BadProgramHeaders);
        }
        let elf = Elf { file, entry, phoff: phoff as usize, phnum };
        // Validate every segment once, so iteration cannot fail later.
        for i in 0..phnum {
            elf.segment(i)?;
        }
        Ok(elf)
    }

    fn segment(&self, i: usize) -> Result<Option<Segment<'a>>, ElfError> {
        let p = self.phoff + i * PHDR_SIZE;
        let f = self.file;
        let bad = ElfError::BadProgramHeaders;
        if u32_at(f, p).ok_or(bad)? != PT_LOAD {
            return Ok(None);
        }
        let flags = u32_at(f, p + 4).ok_or(bad)?;
        let offset = u64_at(f, p + 8).ok_or(bad)?;
        let vaddr = u64_at(f, p + 16).ok_or(bad)?;
        let filesz = u64_at(f, p + 32).ok_or(bad)?;
        let memsz = u64_at(f, p + 40).ok_or(bad)?;
        if filesz > memsz || vaddr.checked_add(memsz).is_none() {
            return Err(ElfError::SegmentTooLarge);
        }
        let end = offset.checked_add(filesz).ok_or(ElfError::SegmentOutOfFile)?;
        if end > f.len() as u64 {
            return Err(ElfError::SegmentOutOfFile);
        }
        Ok(Some(Segment { vaddr, memsz, flags, data: &f[offset as usize..end as usize] }))
    }

    /// The PT_LOAD segments with a non-zero size.
    pub fn load_segments(&self) -> impl Iterator<Item = Segment<'a>> + Clone + '_ {
        (0..self.phnum).filter_map(|i| self.segment(i).ok().flatten()).filter(|s| s.memsz > 0)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn image(segs: &[(u64, u64, &[u8])]) -> Vec<u8> {
        let data_off = 64 + PHDR_SIZE * segs.len();
        let mut v = std::vec![0u8; data_off];
        v[0..4].copy_from_slice(b"\x7fELF");
        v[4] = 2;
        v[5] = 1;
        v[16..18].copy_from_slice(&ET_EXEC.to_le_bytes());
        v[18..20].copy_from_slice(&EM_X86_64.to_le_bytes());
        v[24..32].copy_from_slice(&0x401000u64.to_le_bytes());
        v[32..40].copy_from_slice(&64u64.to_le_bytes());
        v[54..56].copy_from_slice(&(PHDR_SIZE as u16).to_le_bytes());
        v[56..58].copy_from_slice(&(segs.len() as u16).to_le_bytes());
        for (i, (vaddr, memsz, data)) in segs.iter().enumerate() {
            let p = 64 + i * PHDR_SIZE;
            let off = v.len() as u64;
            v[p..p + 4].copy_from_slice(&PT_LOAD.to_le_bytes());
            v[p + 4..p + 8].copy_from_slice(&5u32.to_le_bytes());
            v[p + 8..p + 16].copy_from_slice(&off.to_le_bytes());
            v[p + 16..p + 24].copy_from_slice(&vaddr.to_le_bytes());
            v[p + 32..p + 40].copy_from_slice(&(data.len() as u64).to_le_bytes());
            v[p + 40..p + 48].copy_from_slice(&memsz.to_le_bytes());
            v.extend_from_slice(data);
        }
        v
    }

    #[test]
    fn reads_segments() {
        let f = image(&[(0x400000, 0x10, b"abc"), (0x402000, 0x2000, b"")]);
        let e = Elf::parse(&f).unwrap();
        assert_eq!(e.entry, 0x401000);
        let s: Vec<_> = e.load_segments().collect();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].data, b"abc");
        assert_eq!(s[1].memsz, 0x2000);
    }

    #[test]
    fn rejects_malformed() {
        assert_eq!(Elf::parse(b"hello").unwrap_err(), ElfError::NotElf64);
        let mut f = image(&[(0x400000, 0x10, b"abc")]);
        f[18] = 3;
        assert_eq!(Elf::parse(&f).unwrap_err(), ElfError::NotX86_64);
        let mut f = image(&[(0x400000, 0x10, b"abc")]);
        f[64 + 8] = 0xff; // segment offset far past the end
        assert_eq!(Elf::parse(&f).unwrap_err(), ElfError::SegmentOutOfFile);
        let f = image(&[(0x400000, 1, b"abc")]); // filesz > memsz
        assert_eq!(Elf::parse(&f).unwrap_err(), ElfError::SegmentTooLarge);
        let mut f = image(&[(0x400000, 0x10, b"abc")]);
        f[56] = 200; // more headers than the file holds
        assert_eq!(Elf::parse(&f).unwrap_err(), ElfError::BadProgramHeaders);
    }

    #[test]
    fn mutated_images_never_panic() {
        let base = image(&[(0x400000, 0x10, b"abcdef"), (0x402000, 0x3000, b"xyz")]);
        let mut seed = 0x1234_5678_9abc_def0u64;
        for _ in 0..20_000 {
            let mut f = base.clone();
            for _ in 0..4 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let i = (seed as usize) % f.len();
                f[i] = (seed >> 32) as u8;
            }
            if seed % 7 == 0 {
                f.truncate((seed >> 40) as usize % f.len());
            }
            if let Ok(e) = Elf::parse(&f) {
                for s in e.load_segments() {
                    assert!(s.data.len() as u64 <= s.memsz);
                }
            }
        }
    }
}
