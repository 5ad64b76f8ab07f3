//! Filling an image view in a client address space: laid out with lib/pe,
//! relocated when it cannot sit at its preferred base, each page given its
//! section's protection. Each process gets private copies of the pages
//! (the view's copy-on-write pages are mapped writable at once): sharing
//! image pages between processes is a later step.

use super::Process;
use crate::mm::space::PAGE;
use crate::mm::Memory;
use nt_abi::status::*;
use nt_abi::NtStatus;
use pe::PeImage;

/// What the caller needs of a mapped image.
#[derive(Clone, Copy, Debug)]
pub struct Mapped {
    pub base: u64,
    /// SizeOfImage rounded up to a page.
    pub size: u64,
    /// Entry point address (0 when the image has none).
    pub entry: u64,
    pub subsystem: u16,
    pub subsystem_version: (u16, u16),
    /// (reserve, commit) of the initial thread's stack.
    pub stack: (u64, u64),
}

/// The parsed image's span in memory (page-rounded SizeOfImage), or
/// STATUS_INVALID_IMAGE_FORMAT.
pub fn image_span(file: &[u8]) -> Result<(PeImage<'_>, u64), NtStatus> {
    let image = PeImage::parse(file).map_err(|_| STATUS_INVALID_IMAGE_FORMAT)?;
    if image.machine() != pe::consts::MACHINE_AMD64 {
        return Err(STATUS_INVALID_IMAGE_FORMAT);
    }
    Ok((image, (image.size_of_image() as u64).next_multiple_of(PAGE)))
}

/// Fills the image view at `base` (placed by the caller) of `p` with
/// `file`: every page gets its frame now, with its section's protection.
pub fn map_image(mem: &mut Memory, p: &mut Process, file: &[u8], base: u64) -> Result<Mapped, NtStatus> {
    let (image, size) = image_span(file)?;
    let mut bytes = crate::mm::heap::try_zeroed(size as usize)?;
    image.load_into(&mut bytes).map_err(|_| STATUS_INVALID_IMAGE_FORMAT)?;
    if base != image.image_base() {
        if image.relocs_stripped() {
            return Err(STATUS_CONFLICTING_ADDRESSES);
        }
        pe::rebase(&mut bytes, base).map_err(|_| STATUS_INVALID_IMAGE_FORMAT)?;
    }
    let mut done = 0u64;
    for region in image.layout() {
        let start = region.rva as u64;
        let end = (start + region.span as u64).min(size);
        // Regions tile the image; with SectionAlignment below a page a page
        // may be shared, and the first region's protection holds.
        let from = (start & !(PAGE - 1)).max(done);
        if from >= end {
            continue;
        }
        p.vad.protect(base + from, end - from, region.protection)?;
        done = end.next_multiple_of(PAGE);
    }
    let mut page = 0;
    while page < size {
        // Every page gets its frame (the file's bytes are not kept).
        p.write(mem, base + page, &bytes[page as usize..(page + PAGE) as usize], false)?;
        page += PAGE;
    }
    let entry = image.entry_rva().map_or(0, |rva| base + rva as u64);
    let (reserve, commit) = image.stack_sizes();
    Ok(Mapped {
        base,
        size,
        entry,
        subsystem: image.subsystem(),
        subsystem_version: image.subsystem_version(),
        stack: (reserve, commit),
    })
}
