//! Shared test helpers: the committed fixtures, patching a fixture by RVA or
//! by header field, and a small builder for hand-made PE32+ images whose
//! every field a test chooses. Each test crate uses a different subset, so
//! unused-item warnings are silenced here.
#![allow(dead_code)]

use pe::PeImage;

/// fixdll.dll: exports by name, ordinal-only, data, two forwarders.
pub const DLL: &[u8] = include_bytes!("../fixtures/fixdll.dll");
/// fixexe.exe: imports by name and ordinal, TLS callbacks, DIR64 relocations.
pub const EXE: &[u8] = include_bytes!("../fixtures/fixexe.exe");
/// fixed.exe: native subsystem, /FIXED (relocations stripped).
pub const FIXED: &[u8] = include_bytes!("../fixtures/fixed.exe");

pub const FIXTURES: [(&str, &[u8]); 3] = [
    ("fixdll.dll", DLL),
    ("fixexe.exe", EXE),
    ("fixed.exe", FIXED),
];

/// e_lfanew of a fixture.
pub fn lfanew(file: &[u8]) -> usize {
    u32::from_le_bytes(file[0x3C..0x40].try_into().unwrap()) as usize
}

/// File offset of the optional header.
pub fn opt(file: &[u8]) -> usize {
    lfanew(file) + 24
}

/// File offset of section header `i`.
pub fn section_header(file: &[u8], i: usize) -> usize {
    let size_opt = u16::from_le_bytes(
        file[lfanew(file) + 20..lfanew(file) + 22]
            .try_into()
            .unwrap(),
    ) as usize;
    opt(file) + size_opt + 40 * i
}

pub fn put16(b: &mut [u8], off: usize, v: u16) {
    b[off..off + 2].copy_from_slice(&v.to_le_bytes());
}
pub fn put32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}
pub fn put64(b: &mut [u8], off: usize, v: u64) {
    b[off..off + 8].copy_from_slice(&v.to_le_bytes());
}
pub fn get32(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}
pub fn get64(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}

/// File offset of `rva` in a fixture (which must parse).
pub fn file_offset(file: &[u8], rva: u32) -> usize {
    PeImage::parse(file).unwrap().rva_to_offset(rva).unwrap()
}

/// A copy of `file` with `f` applied to it.
pub fn patched(file: &[u8], f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut v = file.to_vec();
    f(&mut v);
    v
}

/// The image laid out in a SizeOfImage buffer.
pub fn mapped(file: &[u8]) -> Vec<u8> {
    let img = PeImage::parse(file).unwrap();
    let mut m = vec![0xAA; img.size_of_image() as usize];
    img.load_into(&mut m).unwrap();
    m
}

/// One section for [`Builder`].
#[derive(Clone)]
pub struct Sec {
    pub name: &'static str,
    pub virtual_size: u32,
    pub data: Vec<u8>,
    pub characteristics: u32,
}

/// Builds a minimal PE32+ image: DOS header, NT headers with 16 data
/// directories, the section table, then each section's raw data at
/// FileAlignment and its memory at SectionAlignment, contiguous.
#[derive(Clone)]
pub struct Builder {
    pub section_alignment: u32,
    pub file_alignment: u32,
    pub image_base: u64,
    pub characteristics: u16,
    pub subsystem: u16,
    pub entry: u32,
    pub dirs: [(u32, u32); 16],
    pub sections: Vec<Sec>,
}

pub const LFANEW: usize = 0x40;
pub const OPT: usize = LFANEW + 24;
pub const SECTION_TABLE: usize = OPT + 0xF0;

fn align(v: u32, a: u32) -> u32 {
    (v + a - 1) & !(a - 1)
}

impl Builder {
    pub fn new() -> Builder {
        Builder {
            section_alignment: 0x1000,
            file_alignment: 0x200,
            image_base: 0x1_4000_0000,
            characteristics: 0x0022,
            subsystem: 3,
            entry: 0,
            dirs: [(0, 0); 16],
            sections: Vec::new(),
        }
    }

    pub fn section(
        mut self,
        name: &'static str,
        virtual_size: u32,
        data: Vec<u8>,
        characteristics: u32,
    ) -> Builder {
        self.sections.push(Sec {
            name,
            virtual_size,
            data,
            characteristics,
        });
        self
    }

    pub fn size_of_headers(&self) -> u32 {
        align(
            (SECTION_TABLE + 40 * self.sections.len()) as u32,
            self.file_alignment,
        )
    }

    /// A section's size in memory as the loader sees it: VirtualSize, or
    /// the raw size when VirtualSize is 0.
    fn memory_size(&self, s: &Sec) -> u32 {
        if s.virtual_size == 0 {
            align(s.data.len() as u32, self.file_alignment)
        } else {
            s.virtual_size
        }
    }

    /// The RVA section `i` will get (sections added later do not move it).
    pub fn rva(&self, i: usize) -> u32 {
        let mut va = align(self.size_of_headers(), self.section_alignment);
        for s in &self.sections[..i] {
            va += align(self.memory_size(s).max(1), self.section_alignment);
        }
        va
    }

    pub fn build(&self) -> Vec<u8> {
        let n = self.sections.len();
        let soh = self.size_of_headers();
        let mut f = vec![0u8; soh as usize];
        f[0] = b'M';
        f[1] = b'Z';
        put32(&mut f, 0x3C, LFANEW as u32);
        f[LFANEW..LFANEW + 4].copy_from_slice(b"PE\0\0");
        let fh = LFANEW + 4;
        put16(&mut f, fh, 0x8664);
        put16(&mut f, fh + 2, n as u16);
        put16(&mut f, fh + 16, 0xF0);
        put16(&mut f, fh + 18, self.characteristics);
        put16(&mut f, OPT, 0x20B);
        put32(&mut f, OPT + 0x10, self.entry);
        put64(&mut f, OPT + 0x18, self.image_base);
        put32(&mut f, OPT + 0x20, self.section_alignment);
        put32(&mut f, OPT + 0x24, self.file_alignment);
        put16(&mut f, OPT + 0x44, self.subsystem);
        put32(&mut f, OPT + 0x6C, 16);
        for (i, (rva, size)) in self.dirs.iter().enumerate() {
            put32(&mut f, OPT + 0x70 + 8 * i, *rva);
            put32(&mut f, OPT + 0x74 + 8 * i, *size);
        }
        let mut end = align(soh, self.section_alignment);
        for (i, s) in self.sections.iter().enumerate() {
            let va = self.rva(i);
            let raw_ptr = f.len() as u32;
            let raw_size = align(s.data.len() as u32, self.file_alignment);
            let h = SECTION_TABLE + 40 * i;
            f[h..h + s.name.len()].copy_from_slice(s.name.as_bytes());
            put32(&mut f, h + 8, s.virtual_size);
            put32(&mut f, h + 12, va);
            put32(&mut f, h + 16, if s.data.is_empty() { 0 } else { raw_size });
            put32(&mut f, h + 20, if s.data.is_empty() { 0 } else { raw_ptr });
            put32(&mut f, h + 36, s.characteristics);
            f.extend_from_slice(&s.data);
            f.resize(
                (raw_ptr + if s.data.is_empty() { 0 } else { raw_size }) as usize,
                0,
            );
            end = va + align(self.memory_size(s).max(1), self.section_alignment);
        }
        put32(&mut f, OPT + 0x38, end);
        put32(&mut f, OPT + 0x3C, soh);
        f
    }
}
