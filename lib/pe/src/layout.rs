//! The load plan: what a loader copies where, and with which page
//! protection, to turn a checked image into its in-memory form. The plan
//! is a list of [`Region`]s (the headers, then each section); a loader
//! that maps pages into another address space (`ntos`) walks the list,
//! while [`PeImage::load_into`] copies it into one contiguous buffer.
//!
//! Protections follow NT's image views: a writable section that is not
//! IMAGE_SCN_MEM_SHARED is copy-on-write (PAGE_WRITECOPY), because the same
//! image pages may back several processes; a loader that gives each process
//! private copies uses [`private_protection`] instead.

use crate::consts::*;
use crate::error::PeError;
use crate::image::{PeImage, Sections};
use crate::read::align_up;

/// The NT page protection of a section with these IMAGE_SCN_* flags, as an
/// image view would have it.
///
/// A section with none of MEM_EXECUTE/READ/WRITE gets them from its
/// contents flags (code: execute + read; data: read + write), as ReactOS
/// does for old linkers. Write access without MEM_SHARED is copy-on-write.
pub fn section_protection(characteristics: u32) -> u32 {
    let mut c = characteristics;
    if c & (SCN_MEM_EXECUTE | SCN_MEM_READ | SCN_MEM_WRITE) == 0 {
        if c & SCN_CNT_CODE != 0 {
            c |= SCN_MEM_EXECUTE | SCN_MEM_READ;
        }
        if c & (SCN_CNT_INITIALIZED_DATA | SCN_CNT_UNINITIALIZED_DATA) != 0 {
            c |= SCN_MEM_READ | SCN_MEM_WRITE;
        }
    }
    let x = c & SCN_MEM_EXECUTE != 0;
    let r = c & SCN_MEM_READ != 0;
    let w = c & SCN_MEM_WRITE != 0;
    let shared = c & SCN_MEM_SHARED != 0;
    // x86 pages cannot be writable without being readable, so W implies R.
    match (x, r || w, w, shared) {
        (false, false, _, _) => PAGE_NOACCESS,
        (true, false, _, _) => PAGE_EXECUTE,
        (false, true, false, _) => PAGE_READONLY,
        (true, true, false, _) => PAGE_EXECUTE_READ,
        (false, true, true, false) => PAGE_WRITECOPY,
        (false, true, true, true) => PAGE_READWRITE,
        (true, true, true, false) => PAGE_EXECUTE_WRITECOPY,
        (true, true, true, true) => PAGE_EXECUTE_READWRITE,
    }
}

/// The protection for a process-private copy of a page: copy-on-write
/// becomes plain read/write, everything else is unchanged.
pub fn private_protection(protection: u32) -> u32 {
    match protection {
        PAGE_WRITECOPY => PAGE_READWRITE,
        PAGE_EXECUTE_WRITECOPY => PAGE_EXECUTE_READWRITE,
        p => p,
    }
}

/// What a [`Region`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionKind {
    /// The headers (DOS header through section table), at RVA 0.
    Headers,
    /// The section with this table index.
    Section(u16),
}

/// One step of the load plan: copy `data` to `rva`, zero the next
/// `zero_fill` bytes, and give the pages `[rva, rva + span)` the protection
/// `protection`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region<'a> {
    /// Headers or which section.
    pub kind: RegionKind,
    /// Where the region starts in the image.
    pub rva: u32,
    /// The bytes to copy to `rva`.
    pub data: &'a [u8],
    /// How many zero bytes follow `data` (uninitialized data).
    pub zero_fill: u32,
    /// The address range the protection covers: the region's size rounded up
    /// to SectionAlignment. Regions tile the image without gaps or overlap,
    /// up to SizeOfImage rounded up to SectionAlignment. When
    /// SectionAlignment is below the page size, sections share pages, and
    /// (as NT does) every region is PAGE_EXECUTE_WRITECOPY.
    pub span: u32,
    /// NT PAGE_* protection as for an image view (see
    /// [`section_protection`]); the headers are PAGE_READONLY.
    pub protection: u32,
}

impl Region<'_> {
    /// `data.len() + zero_fill`: the bytes the region defines.
    pub fn size(&self) -> u32 {
        let data = u32::try_from(self.data.len()).unwrap_or(u32::MAX);
        data.saturating_add(self.zero_fill)
    }
}

/// Iterator over the load plan: the headers, then every section in RVA
/// order.
#[derive(Clone, Debug)]
pub struct Layout<'a> {
    image: PeImage<'a>,
    headers_done: bool,
    sections: Sections<'a>,
}

impl<'a> Layout<'a> {
    /// The protection for a region: below page-size alignment one page can
    /// hold several sections, so NT maps the whole image with one protection.
    fn protection(&self, p: u32) -> u32 {
        if self.image.section_alignment() < PAGE_SIZE {
            PAGE_EXECUTE_WRITECOPY
        } else {
            p
        }
    }

    fn span(&self, size: u32) -> u32 {
        // parse() checked that every region's aligned end fits in u32.
        align_up(size, self.image.section_alignment()).unwrap_or(size)
    }
}

impl<'a> Iterator for Layout<'a> {
    type Item = Region<'a>;

    fn next(&mut self) -> Option<Region<'a>> {
        if !self.headers_done {
            self.headers_done = true;
            let size = self.image.size_of_headers();
            let data = self.image.bytes().get(..size as usize).unwrap_or(&[]);
            return Some(Region {
                kind: RegionKind::Headers,
                rva: 0,
                data,
                zero_fill: 0,
                span: self.span(size),
                protection: self.protection(PAGE_READONLY),
            });
        }
        let s = self.sections.next()?;
        Some(Region {
            kind: RegionKind::Section(s.index),
            rva: s.rva,
            data: s.data,
            zero_fill: s.zero_fill(),
            span: self.span(s.virtual_size),
            protection: self.protection(s.protection()),
        })
    }
}

impl<'a> PeImage<'a> {
    /// The load plan (see [`Region`]). Regions are in RVA order, do not
    /// overlap, and all end within SizeOfImage; anything they do not define
    /// is zero.
    pub fn layout(&self) -> Layout<'a> {
        Layout {
            image: *self,
            headers_done: false,
            sections: self.sections(),
        }
    }

    /// Lays the image out in `dest`, which must hold at least SizeOfImage
    /// bytes: the first SizeOfImage bytes are zeroed, then every region is
    /// copied to its RVA. Bytes beyond SizeOfImage are left alone. The
    /// result is what [`PeImage::parse_mapped`], [`crate::rebase`] and
    /// [`crate::bind_imports`] work on.
    pub fn load_into(&self, dest: &mut [u8]) -> Result<(), PeError> {
        let image = dest
            .get_mut(..self.size_of_image() as usize)
            .ok_or(PeError::BufferTooSmall)?;
        image.fill(0);
        for region in self.layout() {
            let start = region.rva as usize;
            let to = start
                .checked_add(region.data.len())
                .and_then(|end| image.get_mut(start..end))
                // Cannot happen for a checked image: sections end within
                // SizeOfImage. Reported rather than assumed.
                .ok_or(PeError::SectionOutOfImage(match region.kind {
                    RegionKind::Section(i) => i,
                    RegionKind::Headers => 0,
                }))?;
            to.copy_from_slice(region.data);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: u32 = SCN_MEM_READ;
    const W: u32 = SCN_MEM_WRITE;
    const X: u32 = SCN_MEM_EXECUTE;
    const S: u32 = SCN_MEM_SHARED;

    #[test]
    fn protections_match_nt_image_views() {
        assert_eq!(section_protection(0), PAGE_NOACCESS);
        assert_eq!(section_protection(S), PAGE_NOACCESS);
        assert_eq!(section_protection(X), PAGE_EXECUTE);
        assert_eq!(section_protection(R), PAGE_READONLY);
        assert_eq!(section_protection(R | X), PAGE_EXECUTE_READ);
        assert_eq!(section_protection(W), PAGE_WRITECOPY);
        assert_eq!(section_protection(R | W), PAGE_WRITECOPY);
        assert_eq!(section_protection(R | W | S), PAGE_READWRITE);
        assert_eq!(section_protection(W | S), PAGE_READWRITE);
        assert_eq!(section_protection(X | W), PAGE_EXECUTE_WRITECOPY);
        assert_eq!(section_protection(R | W | X), PAGE_EXECUTE_WRITECOPY);
        assert_eq!(section_protection(R | W | X | S), PAGE_EXECUTE_READWRITE);
    }

    #[test]
    fn contents_flags_stand_in_for_missing_access_flags() {
        assert_eq!(section_protection(SCN_CNT_CODE), PAGE_EXECUTE_READ);
        assert_eq!(section_protection(SCN_CNT_INITIALIZED_DATA), PAGE_WRITECOPY);
        assert_eq!(
            section_protection(SCN_CNT_UNINITIALIZED_DATA | S),
            PAGE_READWRITE
        );
        assert_eq!(
            section_protection(SCN_CNT_CODE | SCN_CNT_INITIALIZED_DATA),
            PAGE_EXECUTE_WRITECOPY
        );
        // Explicit access flags win over contents flags.
        assert_eq!(section_protection(SCN_CNT_CODE | R), PAGE_READONLY);
    }

    #[test]
    fn private_copies_drop_copy_on_write() {
        assert_eq!(private_protection(PAGE_WRITECOPY), PAGE_READWRITE);
        assert_eq!(
            private_protection(PAGE_EXECUTE_WRITECOPY),
            PAGE_EXECUTE_READWRITE
        );
        for p in [
            PAGE_NOACCESS,
            PAGE_READONLY,
            PAGE_READWRITE,
            PAGE_EXECUTE,
            PAGE_EXECUTE_READ,
            PAGE_EXECUTE_READWRITE,
        ] {
            assert_eq!(private_protection(p), p);
        }
    }
}
