//! The export directory: lookups by name, hint and ordinal, and forwarders.
//!
//! [`PeImage::exports`] checks the whole directory once (every array in
//! range, every name readable, every name-ordinal index and function RVA in
//! range, every forwarder well formed), so the lookups after it cannot fail,
//! only miss. Name lookup is a binary search of the name table, which the
//! PE format keeps sorted; a table found unsorted is still searched
//! correctly, linearly.

use crate::consts::DIRECTORY_EXPORT;
use crate::error::PeError;
use crate::image::{DataDirectory, PeImage};
use crate::read::{u16_at, u32_at};
use crate::MAX_EXPORTS;

/// What an export resolves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export<'a> {
    /// Code or data at this RVA of the exporting image.
    Rva(u32),
    /// Forwarded to another DLL: `dll` is the module name as written (no
    /// extension, e.g. `NTDLL` for `NTDLL.RtlAllocateHeap`).
    Forwarder {
        /// The DLL to look in.
        dll: &'a str,
        /// What to look up there.
        target: ForwardTarget<'a>,
    },
}

/// The export a forwarder names in its target DLL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForwardTarget<'a> {
    /// `DLL.Name`.
    Name(&'a str),
    /// `DLL.#123`.
    Ordinal(u16),
}

/// Splits a forwarder string. The DLL part ends at the last dot (as NT's
/// loader does: DLL names may contain dots, function names do not); a
/// target starting with `#` is a decimal ordinal.
pub(crate) fn parse_forwarder(s: &str) -> Option<Export<'_>> {
    let (dll, target) = s.rsplit_once('.')?;
    if dll.is_empty() || target.is_empty() {
        return None;
    }
    let target = match target.strip_prefix('#') {
        Some(digits) => {
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            ForwardTarget::Ordinal(digits.parse().ok()?)
        }
        None => ForwardTarget::Name(target),
    };
    Some(Export::Forwarder { dll, target })
}

/// A checked export directory.
#[derive(Clone, Copy, Debug)]
pub struct Exports<'a> {
    image: PeImage<'a>,
    dir: DataDirectory,
    dll_name: Option<&'a str>,
    base: u32,
    /// AddressOfFunctions: u32 RVAs, one per ordinal from `base`.
    functions: &'a [u8],
    /// AddressOfNames: u32 RVAs of the names.
    names: &'a [u8],
    /// AddressOfNameOrdinals: u16 indexes into `functions`, one per name.
    name_ordinals: &'a [u8],
    sorted: bool,
}

impl<'a> PeImage<'a> {
    /// The export directory, checked in full, or `Ok(None)` when the image
    /// exports nothing. Works on both forms; in a file every array and
    /// string must lie in a section's initialized data.
    pub fn exports(&self) -> Result<Option<Exports<'a>>, PeError> {
        let Some(dir) = self.h.dir(DIRECTORY_EXPORT) else {
            return Ok(None);
        };
        let d = self
            .read(dir.rva, 40)
            .map_err(|_| PeError::BadExportDirectory)?;
        let field = |o| u32_at(d, o).ok_or(PeError::BadExportDirectory);
        let name_rva = field(0x0C)?;
        let base = field(0x10)?;
        let function_count = field(0x14)?;
        let name_count = field(0x18)?;
        if function_count > MAX_EXPORTS || name_count > MAX_EXPORTS {
            return Err(PeError::BadExportDirectory);
        }
        let array = |rva: u32, count: u32, width: u32| -> Result<&'a [u8], PeError> {
            if count == 0 {
                return Ok(&[]);
            }
            // count <= 0x10000 and width <= 4: no overflow.
            self.read(rva, count * width)
                .map_err(|_| PeError::BadExportDirectory)
        };
        let functions = array(field(0x1C)?, function_count, 4)?;
        let names = array(field(0x20)?, name_count, 4)?;
        let name_ordinals = array(field(0x24)?, name_count, 2)?;
        let dll_name = match name_rva {
            0 => None,
            rva => Some(self.read_cstr(rva).map_err(|_| PeError::BadExportName)?),
        };

        let mut e = Exports {
            image: *self,
            dir,
            dll_name,
            base,
            functions,
            names,
            name_ordinals,
            sorted: true,
        };
        let mut previous: Option<&str> = None;
        for i in 0..name_count {
            let name = e.checked_name(i)?;
            let index = u16_at(name_ordinals, i as usize * 2).ok_or(PeError::BadExportDirectory)?;
            if u32::from(index) >= function_count {
                return Err(PeError::BadExportRva);
            }
            if previous.is_some_and(|p| p.as_bytes() >= name.as_bytes()) {
                e.sorted = false;
            }
            previous = Some(name);
        }
        for i in 0..function_count {
            e.checked_function(i)?;
        }
        Ok(Some(e))
    }
}

impl<'a> Exports<'a> {
    /// Name `i` of the name table, checked.
    fn checked_name(&self, i: u32) -> Result<&'a str, PeError> {
        let rva = u32_at(self.names, i as usize * 4).ok_or(PeError::BadExportDirectory)?;
        match self.image.read_cstr(rva) {
            Ok(name) if !name.is_empty() => Ok(name),
            _ => Err(PeError::BadExportName),
        }
    }

    /// Function slot `index`, checked: `None` for an unused slot (RVA 0).
    fn checked_function(&self, index: u32) -> Result<Option<Export<'a>>, PeError> {
        let rva = u32_at(self.functions, index as usize * 4).ok_or(PeError::BadExportDirectory)?;
        if rva == 0 {
            return Ok(None);
        }
        if rva >= self.image.size_of_image() {
            return Err(PeError::BadExportRva);
        }
        // An RVA inside the export directory points at a forwarder string.
        if rva.wrapping_sub(self.dir.rva) < self.dir.size {
            let s = self
                .image
                .read_cstr(rva)
                .map_err(|_| PeError::BadForwarder)?;
            return parse_forwarder(s).map(Some).ok_or(PeError::BadForwarder);
        }
        Ok(Some(Export::Rva(rva)))
    }

    /// The name the DLL gives itself (export directory Name), if any.
    pub fn dll_name(&self) -> Option<&'a str> {
        self.dll_name
    }

    /// The ordinal of the first function slot (the directory's Base).
    pub fn ordinal_base(&self) -> u32 {
        self.base
    }

    /// NumberOfFunctions: how many ordinal slots there are (some may be
    /// unused).
    pub fn function_count(&self) -> u32 {
        (self.functions.len() / 4) as u32
    }

    /// NumberOfNames.
    pub fn name_count(&self) -> u32 {
        (self.names.len() / 4) as u32
    }

    /// Whether the name table is strictly sorted (so lookups binary-search).
    pub fn is_sorted(&self) -> bool {
        self.sorted
    }

    /// Name `i` of the name table and the ordinal it exports.
    pub fn name_entry(&self, i: u32) -> Option<(&'a str, u32)> {
        let name = self.checked_name(i).ok()?;
        let index = u16_at(self.name_ordinals, i as usize * 2)?;
        Some((name, self.base.wrapping_add(u32::from(index))))
    }

    /// The export with this ordinal, or `None` when the ordinal is out of
    /// range or its slot is unused.
    pub fn by_ordinal(&self, ordinal: u32) -> Option<Export<'a>> {
        let index = ordinal.checked_sub(self.base)?;
        self.checked_function(index).ok().flatten()
    }

    /// The export with this name (case-sensitive, as NT compares).
    pub fn by_name(&self, name: &str) -> Option<Export<'a>> {
        let i = self.find_name(name.as_bytes())?;
        self.export_for_name(i)
    }

    /// The export with this name, trying the name-table slot `hint` first as
    /// NT's loader does (import tables record where the name was in the
    /// DLL they were linked against), then searching.
    pub fn by_hint_or_name(&self, hint: u16, name: &str) -> Option<Export<'a>> {
        let h = u32::from(hint);
        if self.checked_name(h).is_ok_and(|n| n == name) {
            return self.export_for_name(h);
        }
        self.by_name(name)
    }

    /// Resolves an import against these exports (by hint and name, or by
    /// ordinal). On `None`, [`crate::Import::not_found_status`] gives the
    /// NTSTATUS to report.
    pub fn resolve(&self, import: &crate::Import<'_>) -> Option<Export<'a>> {
        match *import {
            crate::Import::ByName { hint, name } => self.by_hint_or_name(hint, name),
            crate::Import::ByOrdinal(ordinal) => self.by_ordinal(u32::from(ordinal)),
        }
    }

    /// Every used ordinal slot, in ordinal order, with what it exports.
    pub fn iter(&self) -> impl Iterator<Item = (u32, Export<'a>)> + 'a {
        let e = *self;
        (0..self.function_count()).filter_map(move |i| {
            let export = e.checked_function(i).ok().flatten()?;
            Some((e.base.wrapping_add(i), export))
        })
    }

    fn export_for_name(&self, i: u32) -> Option<Export<'a>> {
        let index = u16_at(self.name_ordinals, i as usize * 2)?;
        self.checked_function(u32::from(index)).ok().flatten()
    }

    /// The name table slot holding `name`.
    fn find_name(&self, name: &[u8]) -> Option<u32> {
        let count = self.name_count();
        let at = |i: u32| self.checked_name(i).ok().map(str::as_bytes);
        if !self.sorted {
            return (0..count).find(|&i| at(i) == Some(name));
        }
        let (mut lo, mut hi) = (0u32, count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match at(mid)?.cmp(name) {
                core::cmp::Ordering::Less => lo = mid + 1,
                core::cmp::Ordering::Greater => hi = mid,
                core::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarders_split_at_the_last_dot() {
        assert_eq!(
            parse_forwarder("NTDLL.RtlAllocateHeap"),
            Some(Export::Forwarder {
                dll: "NTDLL",
                target: ForwardTarget::Name("RtlAllocateHeap")
            })
        );
        assert_eq!(
            parse_forwarder("api-ms-win-core.1.Sleep"),
            Some(Export::Forwarder {
                dll: "api-ms-win-core.1",
                target: ForwardTarget::Name("Sleep")
            })
        );
        assert_eq!(
            parse_forwarder("other.#42"),
            Some(Export::Forwarder {
                dll: "other",
                target: ForwardTarget::Ordinal(42)
            })
        );
        assert_eq!(
            parse_forwarder("other.#65535"),
            Some(Export::Forwarder {
                dll: "other",
                target: ForwardTarget::Ordinal(65535)
            })
        );
    }

    #[test]
    fn malformed_forwarders_are_refused() {
        for s in [
            "",
            "NoDot",
            ".Name",
            "DLL.",
            "DLL.#",
            "DLL.#65536",
            "DLL.#12a",
            "DLL.#+1",
            "DLL.#-1",
        ] {
            assert_eq!(parse_forwarder(s), None, "{s:?}");
        }
    }
}
