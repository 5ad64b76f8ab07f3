//! Import descriptors and thunks: walking them ([`PeImage::imports`]) and
//! binding a mapped image's IAT through a caller's resolver
//! ([`bind_imports`]).
//!
//! The descriptor array ends at the first entry whose Name or FirstThunk is
//! zero (NT's rule; the terminator is normally all zero). Each descriptor's
//! names are read from OriginalFirstThunk (the lookup table), or from
//! FirstThunk (the IAT itself) when OriginalFirstThunk is 0, and resolved
//! addresses go into FirstThunk. Bound imports (pre-filled IATs) are not
//! trusted: binding always resolves again from the lookup table.
//!
//! Walks are lazy and stop at the first error. Every step is bounds-checked
//! and the limits [`crate::MAX_IMPORT_DLLS`], [`crate::MAX_IMPORTS_PER_DLL`]
//! and (for binding) [`crate::MAX_IMPORTS_TOTAL`] bound the total work, so
//! an import table without terminators, or one whose thunks feed each other
//! while it is bound, ends in an error rather than a hang.

use crate::consts::{DIRECTORY_IMPORT, ORDINAL_FLAG64};
use crate::error::{status, PeError};
use crate::image::{Headers, PeImage};
use crate::read::{put_u64, u32_at};
use crate::{MAX_IMPORTS_PER_DLL, MAX_IMPORTS_TOTAL, MAX_IMPORT_DLLS};

/// One imported function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Import<'a> {
    /// By name; `hint` is the name-table index the linker saw in the DLL.
    ByName {
        /// Where to look first in the DLL's export name table.
        hint: u16,
        /// The exported name.
        name: &'a str,
    },
    /// By ordinal.
    ByOrdinal(u16),
}

impl Import<'_> {
    /// The NTSTATUS a loader reports when the DLL does not export this:
    /// STATUS_ENTRYPOINT_NOT_FOUND for a name, STATUS_ORDINAL_NOT_FOUND for
    /// an ordinal.
    pub fn not_found_status(&self) -> u32 {
        match self {
            Import::ByName { .. } => status::STATUS_ENTRYPOINT_NOT_FOUND,
            Import::ByOrdinal(_) => status::STATUS_ORDINAL_NOT_FOUND,
        }
    }
}

/// One thunk: what is imported and where its address goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportEntry<'a> {
    /// The imported function.
    pub import: Import<'a>,
    /// RVA of its 8-byte IAT slot (inside the image).
    pub iat_rva: u32,
}

/// A descriptor as stored: plain numbers, no borrow.
#[derive(Clone, Copy, Debug)]
struct RawDescriptor {
    name: u32,
    lookup: u32,
    iat: u32,
    time_date_stamp: u32,
}

/// Descriptor `i` of the import directory, or `None` at the terminator.
fn descriptor(image: &PeImage<'_>, dir_rva: u32, i: u32) -> Result<Option<RawDescriptor>, PeError> {
    if i >= MAX_IMPORT_DLLS {
        return Err(PeError::TooManyImports);
    }
    let rva = i
        .checked_mul(20)
        .and_then(|o| dir_rva.checked_add(o))
        .ok_or(PeError::BadImportDescriptor)?;
    let d = image
        .read(rva, 20)
        .map_err(|_| PeError::BadImportDescriptor)?;
    let field = |o| u32_at(d, o).ok_or(PeError::BadImportDescriptor);
    let (original_first_thunk, time_date_stamp, name, first_thunk) =
        (field(0)?, field(4)?, field(0xC)?, field(0x10)?);
    if name == 0 || first_thunk == 0 {
        return Ok(None);
    }
    let lookup = if original_first_thunk != 0 {
        original_first_thunk
    } else {
        first_thunk
    };
    Ok(Some(RawDescriptor {
        name,
        lookup,
        iat: first_thunk,
        time_date_stamp,
    }))
}

/// The DLL name of a descriptor.
fn dll_name<'a>(image: &PeImage<'a>, d: &RawDescriptor) -> Result<&'a str, PeError> {
    match image.read_cstr(d.name) {
        Ok(s) if !s.is_empty() => Ok(s),
        _ => Err(PeError::BadImportName),
    }
}

/// Thunk `j` of a descriptor, or `None` at its terminating zero.
fn thunk<'a>(
    image: &PeImage<'a>,
    d: &RawDescriptor,
    j: u32,
) -> Result<Option<ImportEntry<'a>>, PeError> {
    if j >= MAX_IMPORTS_PER_DLL {
        return Err(PeError::TooManyImports);
    }
    let off = j * 8; // j < 2^16: no overflow
    let lookup = d.lookup.checked_add(off).ok_or(PeError::BadImportThunk)?;
    let value = image.u64_at_rva(lookup).ok_or(PeError::BadImportThunk)?;
    if value == 0 {
        return Ok(None);
    }
    let iat_rva = d.iat.checked_add(off).ok_or(PeError::BadImportThunk)?;
    if iat_rva
        .checked_add(8)
        .is_none_or(|end| end > image.size_of_image())
    {
        return Err(PeError::BadImportThunk);
    }
    let import = if value & ORDINAL_FLAG64 != 0 {
        Import::ByOrdinal(value as u16)
    } else {
        // A 31-bit RVA of IMAGE_IMPORT_BY_NAME; bits 31..62 are reserved
        // (zero). A resolved address here means the IAT was read after
        // binding, which only OriginalFirstThunk survives.
        let rva = u32::try_from(value)
            .ok()
            .filter(|r| r >> 31 == 0)
            .ok_or(PeError::BadImportThunk)?;
        let hint = image.u16_at_rva(rva).ok_or(PeError::BadImportName)?;
        let name = match rva.checked_add(2).map(|n| image.read_cstr(n)) {
            Some(Ok(name)) if !name.is_empty() => name,
            _ => return Err(PeError::BadImportName),
        };
        Import::ByName { hint, name }
    };
    Ok(Some(ImportEntry { import, iat_rva }))
}

/// Iterator over an image's import descriptors.
#[derive(Clone, Debug)]
pub struct ImportDlls<'a> {
    image: PeImage<'a>,
    dir_rva: u32,
    next: u32,
    done: bool,
}

/// One imported DLL.
#[derive(Clone, Copy, Debug)]
pub struct ImportDll<'a> {
    image: PeImage<'a>,
    raw: RawDescriptor,
    name: &'a str,
}

/// Iterator over the functions imported from one DLL.
#[derive(Clone, Debug)]
pub struct Imports<'a> {
    image: PeImage<'a>,
    raw: RawDescriptor,
    next: u32,
    done: bool,
}

impl<'a> PeImage<'a> {
    /// The imported DLLs, in table order (empty when the image imports
    /// nothing). In a mapped image that was already bound, read the imports
    /// only if every descriptor has an OriginalFirstThunk, because binding
    /// overwrites FirstThunk.
    pub fn imports(&self) -> ImportDlls<'a> {
        match self.h.dir(DIRECTORY_IMPORT) {
            Some(d) => ImportDlls {
                image: *self,
                dir_rva: d.rva,
                next: 0,
                done: false,
            },
            None => ImportDlls {
                image: *self,
                dir_rva: 0,
                next: 0,
                done: true,
            },
        }
    }
}

impl<'a> Iterator for ImportDlls<'a> {
    type Item = Result<ImportDll<'a>, PeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = descriptor(&self.image, self.dir_rva, self.next).and_then(|d| match d {
            None => Ok(None),
            Some(raw) => Ok(Some(ImportDll {
                image: self.image,
                raw,
                name: dll_name(&self.image, &raw)?,
            })),
        });
        self.next += 1;
        match r {
            Ok(Some(dll)) => Some(Ok(dll)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl<'a> ImportDll<'a> {
    /// The DLL's name as the import table gives it (e.g. `ntdll.dll`).
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// RVA of the IAT (FirstThunk).
    pub fn iat_rva(&self) -> u32 {
        self.raw.iat
    }

    /// RVA of the table the names are read from (OriginalFirstThunk, or
    /// FirstThunk when that is 0).
    pub fn lookup_rva(&self) -> u32 {
        self.raw.lookup
    }

    /// The descriptor's TimeDateStamp (non-zero for bound imports).
    pub fn time_date_stamp(&self) -> u32 {
        self.raw.time_date_stamp
    }

    /// The functions imported from this DLL.
    pub fn imports(&self) -> Imports<'a> {
        Imports {
            image: self.image,
            raw: self.raw,
            next: 0,
            done: false,
        }
    }
}

impl<'a> Iterator for Imports<'a> {
    type Item = Result<ImportEntry<'a>, PeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = thunk(&self.image, &self.raw, self.next);
        self.next += 1;
        match r {
            Ok(Some(entry)) => Some(Ok(entry)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Why [`bind_imports`] failed: the image, or the caller's resolver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindError<E> {
    /// The import table is malformed.
    Image(PeError),
    /// The resolver refused an import (a missing DLL or export).
    Resolve(E),
}

impl<E> From<PeError> for BindError<E> {
    fn from(e: PeError) -> Self {
        BindError::Image(e)
    }
}

/// Fills the IAT of the mapped image `mapped` (laid out at its RVAs, at
/// least SizeOfImage bytes): for every import, `resolve(dll_name, &import)`
/// returns the address to store in its IAT slot. Stops at the first error;
/// slots already written stay written (the loader fails the whole load
/// anyway).
///
/// The resolver sees names borrowed from the image while the image is not
/// being written; each slot is written after its import has been read, so
/// an IAT that doubles as the lookup table (OriginalFirstThunk 0) works.
pub fn bind_imports<E>(
    mapped: &mut [u8],
    mut resolve: impl FnMut(&str, &Import<'_>) -> Result<u64, E>,
) -> Result<(), BindError<E>> {
    let h: Headers = PeImage::parse_mapped(mapped)?.h;
    let Some(dir) = h.dir(DIRECTORY_IMPORT) else {
        return Ok(());
    };
    let mut i = 0;
    let mut total = 0u32;
    loop {
        let Some(raw) = descriptor(&view(mapped, h), dir.rva, i)? else {
            return Ok(());
        };
        dll_name(&view(mapped, h), &raw)?;
        let mut j = 0;
        loop {
            let (slot, address) = {
                let image = view(mapped, h);
                let Some(entry) = thunk(&image, &raw, j)? else {
                    break;
                };
                total += 1;
                if total > MAX_IMPORTS_TOTAL {
                    return Err(PeError::TooManyImports.into());
                }
                let name = dll_name(&image, &raw)?;
                (
                    entry.iat_rva,
                    resolve(name, &entry.import).map_err(BindError::Resolve)?,
                )
            };
            // thunk() checked the slot is inside SizeOfImage <= mapped.len().
            put_u64(mapped, slot as usize, address).ok_or(PeError::BadImportThunk)?;
            j += 1;
        }
        i += 1;
    }
}

/// A mapped-form view of `mapped` with already-checked headers; building it
/// is free, so the binder makes a fresh one for every step and never holds
/// a borrow across a write.
fn view(mapped: &[u8], h: Headers) -> PeImage<'_> {
    PeImage::from_checked(mapped, h)
}
