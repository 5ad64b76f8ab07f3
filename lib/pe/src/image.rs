//! Parsing and checking the headers and section table ([`PeImage`]), and
//! reading the image by RVA in either of its two forms (a file as stored, or
//! an image already laid out in memory).
//!
//! Everything the rest of the crate relies on is checked here, once:
//! - the DOS header, e_lfanew, signature, file header and optional header
//!   lie inside the input; the image is PE32+ for AMD64 and marked
//!   executable (IMAGE_FILE_EXECUTABLE_IMAGE, clear after a failed link);
//! - SectionAlignment and FileAlignment are powers of two, FileAlignment is
//!   at most SectionAlignment, and equal to it below the page size;
//! - ImageBase is 64 KiB aligned and ImageBase + SizeOfImage cannot
//!   overflow; SizeOfHeaders covers the section table and fits in the file
//!   and in SizeOfImage; the entry point is inside the image;
//! - at most 96 sections; each one starts SectionAlignment-aligned exactly
//!   where the previous one (or the headers) ends, has a non-zero size,
//!   ends within SizeOfImage, and (in a file) has its raw data inside the
//!   file. These are ReactOS's PeFmtCreateSection rules, which follow
//!   NT's image section creation; contiguity means every byte of the image
//!   belongs to exactly one region of the load plan;
//! - every data directory except SECURITY (a file offset) lies inside
//!   SizeOfImage.
//!
//! All arithmetic is checked, so a hostile header cannot wrap an offset.

use crate::consts::*;
use crate::error::PeError;
use crate::read::{align_up, bytes_at, cstr, u16_at, u32_at, u64_at};

/// Offsets inside the optional header of a PE32+ image (nt-facts §6).
mod oh {
    pub const MAGIC: usize = 0x00;
    pub const ENTRY: usize = 0x10;
    pub const IMAGE_BASE: usize = 0x18;
    pub const SECTION_ALIGNMENT: usize = 0x20;
    pub const FILE_ALIGNMENT: usize = 0x24;
    pub const SUBSYSTEM_VERSION: usize = 0x30;
    pub const SIZE_OF_IMAGE: usize = 0x38;
    pub const SIZE_OF_HEADERS: usize = 0x3C;
    pub const SUBSYSTEM: usize = 0x44;
    pub const DLL_CHARACTERISTICS: usize = 0x46;
    pub const STACK_RESERVE: usize = 0x48;
    pub const STACK_COMMIT: usize = 0x50;
    pub const HEAP_RESERVE: usize = 0x58;
    pub const HEAP_COMMIT: usize = 0x60;
    pub const NUMBER_OF_RVA_AND_SIZES: usize = 0x6C;
    pub const DATA_DIRECTORY: usize = 0x70;
}

// Sizes of the DOS header, the PE signature, the file header and a section
// header.
const DOS_HEADER_SIZE: usize = 0x40;
const SIGNATURE_SIZE: usize = 4;
const FILE_HEADER_SIZE: usize = 20;
const SECTION_HEADER_SIZE: usize = 40;

/// Which form the bytes of a [`PeImage`] are in; it decides how an RVA is
/// found in them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// The file as stored: headers at offset 0, each section's raw data at
    /// its PointerToRawData. Bytes a section zero-fills are not readable.
    File,
    /// The image laid out at its RVAs (what `load_into` produces, or what a
    /// loader finds at a module's base): RVA = offset.
    Mapped,
}

/// One data directory entry: where a table is and how large.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DataDirectory {
    /// RVA of the table.
    pub rva: u32,
    /// Size of the table in bytes.
    pub size: u32,
}

/// The checked header values. Plain numbers with no borrow, so the
/// operations that write into a mapped image can hold them while they
/// borrow the image mutably.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Headers {
    pub machine: u16,
    pub characteristics: u16,
    pub time_date_stamp: u32,
    pub entry: u32,
    pub image_base: u64,
    /// File offset (= RVA) of the ImageBase field, for `rebase`.
    pub image_base_field: usize,
    pub section_alignment: u32,
    pub file_alignment: u32,
    pub subsystem_version: (u16, u16),
    pub size_of_image: u32,
    pub size_of_headers: u32,
    pub subsystem: u16,
    pub dll_characteristics: u16,
    pub stack: (u64, u64),
    pub heap: (u64, u64),
    pub dirs: [DataDirectory; NUMBER_OF_DIRECTORY_ENTRIES],
    pub section_table: usize,
    pub section_count: u16,
}

impl Headers {
    /// The data directory `index`, or `None` when it is absent (an RVA or
    /// size of zero) or out of range.
    pub fn dir(&self, index: usize) -> Option<DataDirectory> {
        let d = *self.dirs.get(index)?;
        (d.rva != 0 && d.size != 0).then_some(d)
    }
}

/// A checked PE32+ image: the input bytes, their [`Form`], and the header
/// values [`PeImage::parse`] or [`PeImage::parse_mapped`] validated. Cheap
/// to copy.
#[derive(Clone, Copy)]
pub struct PeImage<'a> {
    bytes: &'a [u8],
    form: Form,
    pub(crate) h: Headers,
}

/// Shows the header summary, not the (possibly megabytes of) image bytes.
impl core::fmt::Debug for PeImage<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PeImage")
            .field("form", &self.form)
            .field("len", &self.bytes.len())
            .field("image_base", &format_args!("{:#x}", self.h.image_base))
            .field(
                "size_of_image",
                &format_args!("{:#x}", self.h.size_of_image),
            )
            .field("sections", &self.h.section_count)
            .finish_non_exhaustive()
    }
}

/// One section header as stored, before any interpretation.
#[derive(Clone, Copy)]
struct RawSection {
    name: [u8; 8],
    virtual_size: u32,
    rva: u32,
    raw_size: u32,
    raw_ptr: u32,
    characteristics: u32,
}

impl RawSection {
    fn read(bytes: &[u8], off: usize) -> Option<RawSection> {
        let h = bytes_at(bytes, off, SECTION_HEADER_SIZE)?;
        Some(RawSection {
            name: h.get(..8)?.try_into().ok()?,
            virtual_size: u32_at(h, 0x08)?,
            rva: u32_at(h, 0x0C)?,
            raw_size: u32_at(h, 0x10)?,
            raw_ptr: u32_at(h, 0x14)?,
            characteristics: u32_at(h, 0x24)?,
        })
    }

    /// The size in memory: VirtualSize, or SizeOfRawData when VirtualSize
    /// is zero (as NT does for old linkers that left it unset).
    fn memory_size(&self) -> u32 {
        if self.virtual_size == 0 {
            self.raw_size
        } else {
            self.virtual_size
        }
    }

    /// How many bytes the file supplies: the raw data, cut to the memory
    /// size (the rest of the raw data is file alignment padding).
    fn initialized_size(&self) -> u32 {
        self.raw_size.min(self.memory_size())
    }
}

/// One section of a checked image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Section<'a> {
    /// The section's position in the table (0-based).
    pub index: u16,
    /// The name as stored: NUL padded, not always NUL terminated (see
    /// [`Section::name`]).
    pub raw_name: [u8; 8],
    /// Where the section starts in the image.
    pub rva: u32,
    /// Its size in memory (VirtualSize, or SizeOfRawData when that is 0).
    pub virtual_size: u32,
    /// The bytes this form of the image holds for it, starting at `rva`: in
    /// a file the initialized part of the raw data (at most `virtual_size`
    /// bytes; the rest is zero-filled), in a mapped image all
    /// `virtual_size` bytes.
    pub data: &'a [u8],
    /// IMAGE_SCN_* flags.
    pub characteristics: u32,
}

impl<'a> Section<'a> {
    /// The name without its NUL padding.
    pub fn name(&self) -> &[u8] {
        let end = self.raw_name.iter().position(|&c| c == 0).unwrap_or(8);
        self.raw_name.get(..end).unwrap_or(&[])
    }

    /// The NT page protection for this section (see
    /// [`crate::section_protection`]).
    pub fn protection(&self) -> u32 {
        crate::layout::section_protection(self.characteristics)
    }

    /// How many bytes after `data` the loader must zero-fill.
    pub fn zero_fill(&self) -> u32 {
        let data = u32::try_from(self.data.len()).unwrap_or(u32::MAX);
        self.virtual_size.saturating_sub(data)
    }

    /// Whether `rva` lies inside the section's memory range.
    pub fn contains(&self, rva: u32) -> bool {
        rva >= self.rva && rva - self.rva < self.virtual_size
    }
}

/// Iterator over the sections of a checked image, in table order.
#[derive(Clone, Debug)]
pub struct Sections<'a> {
    image: PeImage<'a>,
    next: u16,
}

impl<'a> Iterator for Sections<'a> {
    type Item = Section<'a>;

    fn next(&mut self) -> Option<Section<'a>> {
        let s = self.image.section(self.next)?;
        self.next += 1;
        Some(s)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::from(self.image.h.section_count.saturating_sub(self.next));
        (left, Some(left))
    }
}

impl ExactSizeIterator for Sections<'_> {}

impl<'a> PeImage<'a> {
    /// Checks a PE32+ file as stored on disk (see the module documentation
    /// for every rule). Nothing is read later that was not bounded here or
    /// is not bounds-checked when read.
    pub fn parse(file: &'a [u8]) -> Result<PeImage<'a>, PeError> {
        Self::parse_as(file, Form::File)
    }

    /// Checks an image already laid out at its RVAs, such as a module a
    /// loader finds mapped at its base, or a buffer `load_into` filled. The
    /// slice must cover at least SizeOfImage bytes. The rules are those of
    /// [`PeImage::parse`], except that section raw data is not looked at
    /// (a mapped image has each section at its RVA).
    pub fn parse_mapped(image: &'a [u8]) -> Result<PeImage<'a>, PeError> {
        Self::parse_as(image, Form::Mapped)
    }

    fn parse_as(bytes: &'a [u8], form: Form) -> Result<PeImage<'a>, PeError> {
        let h = parse_headers(bytes, form, true)?;
        Ok(PeImage { bytes, form, h })
    }

    /// SizeOfImage of a mapped image of which `headers` holds the start (at
    /// least SizeOfHeaders bytes), after every header check
    /// [`PeImage::parse_mapped`] makes. For a loader that finds a module in
    /// memory and must know how long a slice to make over it before it can
    /// call `parse_mapped`.
    pub fn mapped_size(headers: &[u8]) -> Result<u32, PeError> {
        Ok(parse_headers(headers, Form::Mapped, false)?.size_of_image)
    }

    /// A mapped-form image over `bytes` with headers already checked on the
    /// same buffer (the writers re-create views between writes). Every read
    /// stays bounds-checked, so even stale headers cannot cause a panic.
    pub(crate) fn from_checked(bytes: &'a [u8], h: Headers) -> PeImage<'a> {
        PeImage {
            bytes,
            form: Form::Mapped,
            h,
        }
    }

    /// The bytes this image was parsed from.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Whether the bytes are a file or a mapped image.
    pub fn form(&self) -> Form {
        self.form
    }

    /// IMAGE_FILE_HEADER.Machine (always AMD64 once parsed).
    pub fn machine(&self) -> u16 {
        self.h.machine
    }

    /// IMAGE_FILE_HEADER.Characteristics (IMAGE_FILE_* flags).
    pub fn characteristics(&self) -> u16 {
        self.h.characteristics
    }

    /// IMAGE_FILE_HEADER.TimeDateStamp.
    pub fn time_date_stamp(&self) -> u32 {
        self.h.time_date_stamp
    }

    /// Whether the image is a DLL (IMAGE_FILE_DLL).
    pub fn is_dll(&self) -> bool {
        self.h.characteristics & FILE_DLL != 0
    }

    /// Whether the linker stripped the relocations, so the image can only
    /// load at [`image_base`](Self::image_base) (IMAGE_FILE_RELOCS_STRIPPED).
    pub fn relocs_stripped(&self) -> bool {
        self.h.characteristics & FILE_RELOCS_STRIPPED != 0
    }

    /// The preferred load address (OptionalHeader.ImageBase). After
    /// [`crate::rebase`] on a mapped image, its actual base.
    pub fn image_base(&self) -> u64 {
        self.h.image_base
    }

    /// OptionalHeader.SizeOfImage: how much address space the image spans.
    /// Every section ends within it.
    pub fn size_of_image(&self) -> u32 {
        self.h.size_of_image
    }

    /// OptionalHeader.SizeOfHeaders: how many bytes of headers are mapped
    /// at RVA 0.
    pub fn size_of_headers(&self) -> u32 {
        self.h.size_of_headers
    }

    /// The entry point RVA, or `None` when AddressOfEntryPoint is 0 (a DLL
    /// without an entry point).
    pub fn entry_rva(&self) -> Option<u32> {
        (self.h.entry != 0).then_some(self.h.entry)
    }

    /// OptionalHeader.SectionAlignment.
    pub fn section_alignment(&self) -> u32 {
        self.h.section_alignment
    }

    /// OptionalHeader.FileAlignment.
    pub fn file_alignment(&self) -> u32 {
        self.h.file_alignment
    }

    /// OptionalHeader.Subsystem (`consts::SUBSYSTEM_*`).
    pub fn subsystem(&self) -> u16 {
        self.h.subsystem
    }

    /// Major and minor subsystem version.
    pub fn subsystem_version(&self) -> (u16, u16) {
        self.h.subsystem_version
    }

    /// OptionalHeader.DllCharacteristics (`consts::DLLCHARACTERISTICS_*`).
    pub fn dll_characteristics(&self) -> u16 {
        self.h.dll_characteristics
    }

    /// Whether the image allows relocation by ASLR (DYNAMIC_BASE).
    pub fn is_dynamic_base(&self) -> bool {
        self.h.dll_characteristics & DLLCHARACTERISTICS_DYNAMIC_BASE != 0
    }

    /// SizeOfStackReserve and SizeOfStackCommit, for the initial thread.
    pub fn stack_sizes(&self) -> (u64, u64) {
        self.h.stack
    }

    /// SizeOfHeapReserve and SizeOfHeapCommit, for the process heap.
    pub fn heap_sizes(&self) -> (u64, u64) {
        self.h.heap
    }

    /// Data directory `index` (`consts::DIRECTORY_*`), or `None` when the
    /// image does not have it (its RVA or size is zero, or the optional
    /// header has fewer entries). All but SECURITY lie inside SizeOfImage.
    pub fn data_directory(&self, index: usize) -> Option<DataDirectory> {
        self.h.dir(index)
    }

    /// The number of sections.
    pub fn section_count(&self) -> u16 {
        self.h.section_count
    }

    /// The sections in table order (which is also RVA order).
    pub fn sections(&self) -> Sections<'a> {
        Sections {
            image: *self,
            next: 0,
        }
    }

    /// Section `index` (0-based), if there is one.
    pub fn section(&self, index: u16) -> Option<Section<'a>> {
        if index >= self.h.section_count {
            return None;
        }
        let off = self
            .h
            .section_table
            .checked_add(usize::from(index).checked_mul(SECTION_HEADER_SIZE)?)?;
        let raw = RawSection::read(self.bytes, off)?;
        let data = match self.form {
            Form::File if raw.raw_size == 0 => &[][..],
            Form::File => bytes_at(
                self.bytes,
                raw.raw_ptr as usize,
                raw.initialized_size() as usize,
            )?,
            Form::Mapped => bytes_at(self.bytes, raw.rva as usize, raw.memory_size() as usize)?,
        };
        Some(Section {
            index,
            raw_name: raw.name,
            rva: raw.rva,
            virtual_size: raw.memory_size(),
            data,
            characteristics: raw.characteristics,
        })
    }

    /// The section whose memory range contains `rva`.
    pub fn section_at_rva(&self, rva: u32) -> Option<Section<'a>> {
        self.sections().find(|s| s.contains(rva))
    }

    /// Where the byte at `rva` is in a file: inside the headers, or inside
    /// a section's initialized raw data. `None` for zero-filled bytes and
    /// RVAs outside the image; in a mapped image, `rva` itself.
    pub fn rva_to_offset(&self, rva: u32) -> Option<usize> {
        let region = self.region(rva)?;
        if region.is_empty() {
            return None;
        }
        // The region is a subslice of `bytes`: its distance from the start
        // is the offset (both are addresses in the same slice).
        (region.as_ptr() as usize).checked_sub(self.bytes.as_ptr() as usize)
    }

    /// The readable bytes from `rva` to the end of the piece of the image
    /// that contains it: the headers or a section's initialized data in a
    /// file, the rest of the image when mapped. A structure may not straddle
    /// two sections in a file, because their raw data need not be adjacent.
    pub(crate) fn region(&self, rva: u32) -> Option<&'a [u8]> {
        let soi = self.h.size_of_image as usize;
        let rva_us = rva as usize;
        match self.form {
            Form::Mapped => self.bytes.get(rva_us..soi),
            Form::File => {
                if rva < self.h.size_of_headers {
                    return self.bytes.get(rva_us..self.h.size_of_headers as usize);
                }
                let s = self.section_at_rva(rva)?;
                s.data.get((rva - s.rva) as usize..)
            }
        }
    }

    /// `len` bytes at `rva`, if this form of the image holds all of them.
    pub fn read(&self, rva: u32, len: u32) -> Result<&'a [u8], PeError> {
        self.region(rva)
            .and_then(|r| r.get(..len as usize))
            .ok_or(PeError::RvaOutOfRange)
    }

    /// The NUL-terminated string at `rva` (at most [`crate::MAX_NAME_LEN`]
    /// bytes, UTF-8).
    pub fn read_cstr(&self, rva: u32) -> Result<&'a str, PeError> {
        self.region(rva)
            .and_then(cstr)
            .ok_or(PeError::RvaOutOfRange)
    }

    pub(crate) fn u16_at_rva(&self, rva: u32) -> Option<u16> {
        u16_at(self.region(rva)?, 0)
    }

    pub(crate) fn u64_at_rva(&self, rva: u32) -> Option<u64> {
        u64_at(self.region(rva)?, 0)
    }

    /// The RVA of virtual address `va` under the header's ImageBase, if it
    /// lands inside the image with `len` bytes to spare.
    pub(crate) fn va_to_rva(&self, va: u64, len: u32) -> Option<u32> {
        let rva = u32::try_from(va.checked_sub(self.h.image_base)?).ok()?;
        (rva.checked_add(len)? <= self.h.size_of_image).then_some(rva)
    }
}

/// Checks the headers of `b` (see the module documentation). `whole` says
/// that `b` is the whole file or mapped image, not just its headers.
fn parse_headers(b: &[u8], form: Form, whole: bool) -> Result<Headers, PeError> {
    if u16_at(b, 0) != Some(DOS_SIGNATURE) {
        return Err(PeError::NotMz);
    }
    if b.len() < DOS_HEADER_SIZE {
        return Err(PeError::TruncatedHeaders);
    }
    let lfanew = u32_at(b, 0x3C).ok_or(PeError::TruncatedHeaders)?;
    // e_lfanew is a LONG: zero or negative cannot point at NT headers.
    if lfanew == 0 || lfanew > i32::MAX as u32 {
        return Err(PeError::BadLfanew);
    }
    let nt = lfanew as usize;
    let sig = u32_at(b, nt).ok_or(PeError::BadLfanew)?;
    if sig != NT_SIGNATURE {
        return Err(PeError::NotPe);
    }

    let fh = nt + SIGNATURE_SIZE;
    let file_header = bytes_at(b, fh, FILE_HEADER_SIZE).ok_or(PeError::TruncatedHeaders)?;
    let field16 = |o| u16_at(file_header, o).ok_or(PeError::TruncatedHeaders);
    let machine = field16(0)?;
    let section_count = field16(2)?;
    let time_date_stamp = u32_at(file_header, 4).ok_or(PeError::TruncatedHeaders)?;
    let size_of_optional = usize::from(field16(0x10)?);
    let characteristics = field16(0x12)?;

    let ohs = fh + FILE_HEADER_SIZE;
    let opt = bytes_at(b, ohs, size_of_optional).ok_or(PeError::TruncatedHeaders)?;
    match u16_at(opt, oh::MAGIC) {
        Some(PE32PLUS_MAGIC) => {}
        Some(PE32_MAGIC) => return Err(PeError::Pe32),
        _ => return Err(PeError::BadOptionalHeader),
    }
    if size_of_optional < oh::DATA_DIRECTORY {
        return Err(PeError::BadOptionalHeader);
    }
    if machine != MACHINE_AMD64 {
        return Err(PeError::UnsupportedMachine(machine));
    }
    if characteristics & FILE_EXECUTABLE_IMAGE == 0 {
        return Err(PeError::NotExecutable);
    }
    // The fixed part is in bounds (checked just above), so these reads
    // cannot fail; `ok_or` keeps that a checked fact rather than a panic.
    let r16 = |o| u16_at(opt, o).ok_or(PeError::BadOptionalHeader);
    let r32 = |o| u32_at(opt, o).ok_or(PeError::BadOptionalHeader);
    let r64 = |o| u64_at(opt, o).ok_or(PeError::BadOptionalHeader);

    let entry = r32(oh::ENTRY)?;
    let image_base = r64(oh::IMAGE_BASE)?;
    let section_alignment = r32(oh::SECTION_ALIGNMENT)?;
    let file_alignment = r32(oh::FILE_ALIGNMENT)?;
    let subsystem_version = (r16(oh::SUBSYSTEM_VERSION)?, r16(oh::SUBSYSTEM_VERSION + 2)?);
    let size_of_image = r32(oh::SIZE_OF_IMAGE)?;
    let size_of_headers = r32(oh::SIZE_OF_HEADERS)?;
    let subsystem = r16(oh::SUBSYSTEM)?;
    let dll_characteristics = r16(oh::DLL_CHARACTERISTICS)?;
    let stack = (r64(oh::STACK_RESERVE)?, r64(oh::STACK_COMMIT)?);
    let heap = (r64(oh::HEAP_RESERVE)?, r64(oh::HEAP_COMMIT)?);
    let rva_count = r32(oh::NUMBER_OF_RVA_AND_SIZES)?;

    // Entries beyond the sixteen defined ones are ignored, but those the
    // header claims must fit in it.
    let dir_count = (rva_count as usize).min(NUMBER_OF_DIRECTORY_ENTRIES);
    if oh::DATA_DIRECTORY + dir_count * 8 > size_of_optional {
        return Err(PeError::BadOptionalHeader);
    }
    let mut dirs = [DataDirectory::default(); NUMBER_OF_DIRECTORY_ENTRIES];
    for (i, d) in dirs.iter_mut().enumerate().take(dir_count) {
        let o = oh::DATA_DIRECTORY + i * 8;
        *d = DataDirectory {
            rva: r32(o)?,
            size: r32(o + 4)?,
        };
    }

    // Alignment (PE spec "Optional Header Windows-Specific Fields", as
    // ReactOS enforces it): powers of two; below the page size the file and
    // memory layouts must coincide.
    if !section_alignment.is_power_of_two() || !file_alignment.is_power_of_two() {
        return Err(PeError::BadAlignment);
    }
    if section_alignment < PAGE_SIZE {
        if file_alignment != section_alignment {
            return Err(PeError::BadAlignment);
        }
    } else if file_alignment > section_alignment {
        return Err(PeError::BadAlignment);
    }

    if size_of_image == 0 {
        return Err(PeError::BadSizeOfImage);
    }
    if !image_base.is_multiple_of(IMAGE_BASE_ALIGNMENT)
        || image_base.checked_add(u64::from(size_of_image)).is_none()
    {
        return Err(PeError::BadImageBase);
    }

    if section_count > MAX_SECTIONS {
        return Err(PeError::TooManySections);
    }
    let section_table = ohs + size_of_optional;
    let table_end = section_table + usize::from(section_count) * SECTION_HEADER_SIZE;
    if table_end > b.len() {
        return Err(PeError::TruncatedHeaders);
    }
    if (size_of_headers as usize) < table_end
        || size_of_headers > size_of_image
        || size_of_headers as usize > b.len()
    {
        return Err(PeError::BadSizeOfHeaders);
    }
    if whole && form == Form::Mapped && b.len() < size_of_image as usize {
        return Err(PeError::BufferTooSmall);
    }
    if entry >= size_of_image {
        return Err(PeError::BadEntryPoint);
    }

    // Sections: aligned, ordered, contiguous from the end of the headers.
    let mut next = align_up(size_of_headers, section_alignment).ok_or(PeError::BadSizeOfHeaders)?;
    for i in 0..section_count {
        let s = RawSection::read(b, section_table + usize::from(i) * SECTION_HEADER_SIZE)
            .ok_or(PeError::TruncatedHeaders)?;
        if s.rva != next {
            return Err(PeError::SectionNotContiguous(i));
        }
        let size = s.memory_size();
        if size == 0 {
            return Err(PeError::SectionEmpty(i));
        }
        let end = s
            .rva
            .checked_add(size)
            .ok_or(PeError::SectionOutOfImage(i))?;
        if end > size_of_image {
            return Err(PeError::SectionOutOfImage(i));
        }
        if form == Form::File && s.raw_size != 0 {
            let raw_end = s
                .raw_ptr
                .checked_add(s.raw_size)
                .ok_or(PeError::SectionOutOfFile(i))?;
            if raw_end as usize > b.len() {
                return Err(PeError::SectionOutOfFile(i));
            }
        }
        next = align_up(end, section_alignment).ok_or(PeError::SectionOutOfImage(i))?;
    }

    for (i, d) in dirs.iter().enumerate() {
        if i == DIRECTORY_SECURITY || d.rva == 0 || d.size == 0 {
            continue;
        }
        match d.rva.checked_add(d.size) {
            Some(end) if end <= size_of_image => {}
            _ => return Err(PeError::BadDataDirectory(i as u8)),
        }
    }

    Ok(Headers {
        machine,
        characteristics,
        time_date_stamp,
        entry,
        image_base,
        image_base_field: ohs + oh::IMAGE_BASE,
        section_alignment,
        file_alignment,
        subsystem_version,
        size_of_image,
        size_of_headers,
        subsystem,
        dll_characteristics,
        stack,
        heap,
        dirs,
        section_table,
        section_count,
    })
}
