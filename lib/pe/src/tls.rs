//! The TLS directory: the per-thread data template, the slot that receives
//! the module's TLS index, and the callbacks a loader runs on process and
//! thread attach and detach.
//!
//! The directory holds virtual addresses, not RVAs, computed for the
//! ImageBase in the header. They are turned into RVAs with that same header
//! value, which is right for a file and for a mapped image moved with
//! [`crate::rebase`] (it updates the header along with the addresses).

use crate::consts::DIRECTORY_TLS;
use crate::error::PeError;
use crate::image::PeImage;
use crate::read::{u32_at, u64_at};

/// Size of IMAGE_TLS_DIRECTORY64.
const TLS_DIRECTORY_SIZE: u32 = 0x28;

/// A checked TLS directory.
#[derive(Clone, Copy, Debug)]
pub struct Tls<'a> {
    image: PeImage<'a>,
    raw: [u64; 4],
    template: &'a [u8],
    template_rva: u32,
    zero_fill: u32,
    characteristics: u32,
    index_rva: Option<u32>,
    callbacks_rva: Option<u32>,
}

impl<'a> PeImage<'a> {
    /// The TLS directory, or `Ok(None)` when the image has none. Checks that
    /// the template lies inside the image (and, in a file, in one section's
    /// initialized data), that the index slot and the callback array start
    /// inside the image, and that template plus zero fill fits in 32 bits.
    /// The callbacks themselves are checked as [`Tls::callbacks`] reads
    /// them.
    pub fn tls(&self) -> Result<Option<Tls<'a>>, PeError> {
        let Some(dir) = self.h.dir(DIRECTORY_TLS) else {
            return Ok(None);
        };
        let bad = PeError::BadTlsDirectory;
        let d = self.read(dir.rva, TLS_DIRECTORY_SIZE).map_err(|_| bad)?;
        let va = |o| u64_at(d, o).ok_or(bad);
        let (start, end, index, callbacks) = (va(0)?, va(8)?, va(0x10)?, va(0x18)?);
        let zero_fill = u32_at(d, 0x20).ok_or(bad)?;
        let characteristics = u32_at(d, 0x24).ok_or(bad)?;

        let (template_rva, template) = if start == 0 && end == 0 {
            (0, &[][..])
        } else {
            let len = end
                .checked_sub(start)
                .and_then(|l| u32::try_from(l).ok())
                .ok_or(bad)?;
            let rva = self.va_to_rva(start, len).ok_or(bad)?;
            (rva, self.read(rva, len).map_err(|_| bad)?)
        };
        let template_len = u32::try_from(template.len()).map_err(|_| bad)?;
        template_len.checked_add(zero_fill).ok_or(bad)?;
        let index_rva = match index {
            0 => None,
            va => Some(self.va_to_rva(va, 4).ok_or(bad)?),
        };
        let callbacks_rva = match callbacks {
            0 => None,
            va => Some(self.va_to_rva(va, 8).ok_or(bad)?),
        };
        Ok(Some(Tls {
            image: *self,
            raw: [start, end, index, callbacks],
            template,
            template_rva,
            zero_fill,
            characteristics,
            index_rva,
            callbacks_rva,
        }))
    }
}

impl<'a> Tls<'a> {
    /// The initial contents of each thread's TLS block
    /// (StartAddressOfRawData..EndAddressOfRawData).
    pub fn template(&self) -> &'a [u8] {
        self.template
    }

    /// RVA of the template (0 when it is empty).
    pub fn template_rva(&self) -> u32 {
        self.template_rva
    }

    /// How many zero bytes follow the template in each thread's block
    /// (SizeOfZeroFill).
    pub fn zero_fill(&self) -> u32 {
        self.zero_fill
    }

    /// Size of each thread's block: template plus zero fill (checked not to
    /// overflow).
    pub fn block_size(&self) -> u32 {
        (self.template.len() as u32).saturating_add(self.zero_fill)
    }

    /// The directory's Characteristics (alignment flags).
    pub fn characteristics(&self) -> u32 {
        self.characteristics
    }

    /// RVA of the 32-bit slot where the loader stores the module's TLS index
    /// (AddressOfIndex), if the image has one.
    pub fn index_rva(&self) -> Option<u32> {
        self.index_rva
    }

    /// The directory's four addresses as stored: StartAddressOfRawData,
    /// EndAddressOfRawData, AddressOfIndex, AddressOfCallBacks.
    pub fn raw_addresses(&self) -> [u64; 4] {
        self.raw
    }

    /// The TLS callbacks, as RVAs, in the order the loader calls them.
    pub fn callbacks(&self) -> TlsCallbacks<'a> {
        TlsCallbacks {
            image: self.image,
            next: self.callbacks_rva,
            done: self.callbacks_rva.is_none(),
        }
    }
}

/// Iterator over TLS callback RVAs; reads the zero-terminated array of VAs
/// and yields an error (then stops) for an address outside the image or an
/// array that runs out of readable bytes before its terminator.
#[derive(Clone, Debug)]
pub struct TlsCallbacks<'a> {
    image: PeImage<'a>,
    next: Option<u32>,
    done: bool,
}

impl Iterator for TlsCallbacks<'_> {
    type Item = Result<u32, PeError>;

    fn next(&mut self) -> Option<Result<u32, PeError>> {
        if self.done {
            return None;
        }
        let r = self.step();
        if !matches!(r, Some(Ok(_))) {
            self.done = true;
        }
        r
    }
}

impl TlsCallbacks<'_> {
    fn step(&mut self) -> Option<Result<u32, PeError>> {
        // Each step moves 8 bytes further through a finite image, so the
        // walk ends.
        let at = self.next?;
        let Some(va) = self.image.u64_at_rva(at) else {
            return Some(Err(PeError::BadTlsCallback));
        };
        if va == 0 {
            return None;
        }
        self.next = at.checked_add(8);
        Some(self.image.va_to_rva(va, 1).ok_or(PeError::BadTlsCallback))
    }
}
