//! What a user-mode loader needs on top of the readers for modules that lie
//! mapped in its own address space (RVA = offset): resolving an image's
//! imports into a list of IAT fixups without writing to the image
//! ([`resolve_imports`]), the stretches of the image those fixups write
//! ([`write_runs`]), following export forwarders from module to module
//! ([`resolve_export`]) and the DLL-name rules for finding a loaded module
//! ([`DllName`]).
//!
//! Why fixups rather than [`crate::bind_imports`]: in place, an image's IAT
//! is read-only until the loader changes its protection, and the rest of
//! the image stays read-only or executable, so the image can only be read
//! as `&[u8]`. Resolving one import may also load, bind and initialise
//! other modules. So the loader first resolves everything into a fixup
//! list while only reading, then makes exactly the runs it needs writable,
//! writes the slots itself and restores the protection.

use crate::consts::{SCN_MEM_EXECUTE, SCN_MEM_WRITE};
use crate::error::{status, PeError};
use crate::exports::{Export, Exports, ForwardTarget};
use crate::image::PeImage;
use crate::imports::{BindError, Import};
use crate::read::put_u64;
use crate::MAX_IMPORTS_TOTAL;

/// One resolved import: the address to store in the 8-byte IAT slot at
/// `iat_rva`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fixup {
    /// RVA of the IAT slot (inside the image: the import walk checked it).
    pub iat_rva: u32,
    /// The resolved address.
    pub address: u64,
}

/// How [`resolve_imports`] turns an image's imports into addresses: once
/// per import descriptor [`Resolver::dll`] finds (or loads) the DLL, then
/// [`Resolver::import`] resolves each function imported from it.
pub trait Resolver {
    /// What the resolver knows about a DLL between the two calls.
    type Dll;
    /// Why a DLL or an import could not be resolved.
    type Error;
    /// The DLL an import descriptor names (as written in the image, e.g.
    /// `ntdll.dll`).
    fn dll(&mut self, name: &str) -> Result<Self::Dll, Self::Error>;
    /// The address of one function imported from `dll`.
    fn import(&mut self, dll: &mut Self::Dll, import: &Import<'_>) -> Result<u64, Self::Error>;
}

/// How many functions `image` imports, after checking every descriptor,
/// name and thunk: the length of the fixup list [`resolve_imports`] needs.
/// At most [`crate::MAX_IMPORTS_TOTAL`].
pub fn count_imports(image: &PeImage<'_>) -> Result<u32, PeError> {
    let mut total = 0u32;
    for dll in image.imports() {
        for entry in dll?.imports() {
            entry?;
            total += 1;
            if total > MAX_IMPORTS_TOTAL {
                return Err(PeError::TooManyImports);
            }
        }
    }
    Ok(total)
}

/// Resolves every import of the mapped `image` through `resolver`, in table
/// order, into `fixups`; returns how many it filled. Nothing is written to
/// the image. A `fixups` shorter than [`count_imports`] fails with
/// [`PeError::TooManyImports`]. Stops at the first error.
pub fn resolve_imports<R: Resolver>(
    image: &PeImage<'_>,
    fixups: &mut [Fixup],
    resolver: &mut R,
) -> Result<usize, BindError<R::Error>> {
    let mut n = 0;
    for dll in image.imports() {
        let dll = dll?;
        let mut handle = resolver.dll(dll.name()).map_err(BindError::Resolve)?;
        for entry in dll.imports() {
            let entry = entry?;
            let slot = fixups.get_mut(n).ok_or(PeError::TooManyImports)?;
            let address = resolver
                .import(&mut handle, &entry.import)
                .map_err(BindError::Resolve)?;
            *slot = Fixup {
                iat_rva: entry.iat_rva,
                address,
            };
            n += 1;
        }
    }
    Ok(n)
}

/// Writes `fixups` into a mapped image held as a mutable buffer (what a
/// loader does slot by slot in place). Fails, having written the fixups
/// before it, at the first slot outside `mapped`.
pub fn apply_fixups(mapped: &mut [u8], fixups: &[Fixup]) -> Result<(), PeError> {
    for f in fixups {
        put_u64(mapped, f.iat_rva as usize, f.address).ok_or(PeError::BadImportThunk)?;
    }
    Ok(())
}

/// A stretch of one section that consecutive fixups write to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteRun {
    /// From the first slot written...
    pub rva: u32,
    /// ...to the end of the last one (a multiple of 8 bytes).
    pub len: u32,
    /// Which fixups (indexes into the list) lie in the run.
    pub fixups: core::ops::Range<usize>,
    /// IMAGE_SCN_* flags of the section holding the run.
    pub characteristics: u32,
}

impl WriteRun {
    /// The page protection to give the run while the loader writes it, or
    /// `None` when its section is writable already. A run in an executable
    /// section (old linkers put the IAT in `.text`) stays executable, since
    /// code may share its pages.
    pub fn write_protection(&self) -> Option<u32> {
        use crate::consts::{PAGE_EXECUTE_READWRITE, PAGE_READWRITE};
        if self.characteristics & SCN_MEM_WRITE != 0 {
            None
        } else if self.characteristics & SCN_MEM_EXECUTE != 0 {
            Some(PAGE_EXECUTE_READWRITE)
        } else {
            Some(PAGE_READWRITE)
        }
    }
}

/// The runs of `image` that `fixups` write, in list order: consecutive
/// fixups whose slots lie in the same section form one run. A slot that is
/// not wholly inside one section (in the headers, or straddling a section's
/// end) is an error ([`PeError::BadImportThunk`]).
pub fn write_runs<'a, 'f>(image: &PeImage<'a>, fixups: &'f [Fixup]) -> WriteRuns<'a, 'f> {
    WriteRuns {
        image: *image,
        fixups,
        next: 0,
    }
}

/// Iterator of [`write_runs`]; stops after its first error.
#[derive(Clone, Debug)]
pub struct WriteRuns<'a, 'f> {
    image: PeImage<'a>,
    fixups: &'f [Fixup],
    next: usize,
}

impl Iterator for WriteRuns<'_, '_> {
    type Item = Result<WriteRun, PeError>;

    fn next(&mut self) -> Option<Self::Item> {
        let first = *self.fixups.get(self.next)?;
        let start = self.next;
        let section = self.image.section_at_rva(first.iat_rva);
        let Some(section) = section.filter(|s| slot_in(s, first.iat_rva)) else {
            self.next = self.fixups.len();
            return Some(Err(PeError::BadImportThunk));
        };
        let (mut lo, mut hi) = (first.iat_rva, first.iat_rva + 8);
        let mut end = start + 1;
        while let Some(f) = self.fixups.get(end) {
            if !slot_in(&section, f.iat_rva) {
                break;
            }
            lo = lo.min(f.iat_rva);
            hi = hi.max(f.iat_rva + 8);
            end += 1;
        }
        self.next = end;
        Some(Ok(WriteRun {
            rva: lo,
            len: hi - lo,
            fixups: start..end,
            characteristics: section.characteristics,
        }))
    }
}

/// Whether the 8-byte slot at `rva` lies wholly inside `section`.
fn slot_in(section: &crate::Section<'_>, rva: u32) -> bool {
    section.contains(rva)
        && rva
            .checked_add(7)
            .is_some_and(|last| section.contains(last))
}

/// Whether `len` bytes at `rva` lie inside one writable section, as the
/// slot a loader stores a module's TLS index in must.
pub fn is_writable(image: &PeImage<'_>, rva: u32, len: u32) -> bool {
    let Some(section) = image.section_at_rva(rva) else {
        return false;
    };
    let inside = len == 0
        || rva
            .checked_add(len - 1)
            .is_some_and(|last| section.contains(last));
    inside && section.characteristics & SCN_MEM_WRITE != 0
}

/// What to look up in a module's exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// By name, trying name-table slot `hint` first when there is one.
    Name {
        /// The import's hint (None for forwarders and GetProcAddress).
        hint: Option<u16>,
        /// The exported name (case-sensitive).
        name: &'a str,
    },
    /// By ordinal (a ULONG in LdrGetProcedureAddress).
    Ordinal(u32),
}

impl<'a> From<Import<'a>> for Lookup<'a> {
    fn from(import: Import<'a>) -> Self {
        match import {
            Import::ByName { hint, name } => Lookup::Name {
                hint: Some(hint),
                name,
            },
            Import::ByOrdinal(ordinal) => Lookup::Ordinal(u32::from(ordinal)),
        }
    }
}

impl<'a> From<ForwardTarget<'a>> for Lookup<'a> {
    fn from(target: ForwardTarget<'a>) -> Self {
        match target {
            ForwardTarget::Name(name) => Lookup::Name { hint: None, name },
            ForwardTarget::Ordinal(ordinal) => Lookup::Ordinal(u32::from(ordinal)),
        }
    }
}

impl Lookup<'_> {
    /// The NTSTATUS for an import that is not exported:
    /// STATUS_ENTRYPOINT_NOT_FOUND by name, STATUS_ORDINAL_NOT_FOUND by
    /// ordinal (as [`Import::not_found_status`]).
    pub fn not_found_status(&self) -> u32 {
        match self {
            Lookup::Name { .. } => status::STATUS_ENTRYPOINT_NOT_FOUND,
            Lookup::Ordinal(_) => status::STATUS_ORDINAL_NOT_FOUND,
        }
    }

    fn find<'e>(&self, exports: &Exports<'e>) -> Option<Export<'e>> {
        match *self {
            Lookup::Name {
                hint: Some(hint),
                name,
            } => exports.by_hint_or_name(hint, name),
            Lookup::Name { hint: None, name } => exports.by_name(name),
            Lookup::Ordinal(ordinal) => exports.by_ordinal(ordinal),
        }
    }
}

/// Most forwarders [`resolve_export`] follows for one lookup. Real chains
/// are one or two long; the limit turns a forwarding cycle into an error.
pub const MAX_FORWARD_HOPS: u32 = 16;

/// The loaded modules, as [`resolve_export`] sees them. `'m` is how long
/// the module images stay mapped: export tables borrow from them, not from
/// the set, so the set can load more modules while a forwarder string is
/// still in use.
pub trait Modules<'m> {
    /// A handle on one module.
    type Module: Copy;
    /// The module's base address and its checked export directory (`None`
    /// when it exports nothing); an NTSTATUS if its exports are malformed.
    fn exports(&mut self, module: Self::Module) -> Result<(u64, Option<Exports<'m>>), u32>;
    /// The module a forwarder names (`dll` as written, usually without an
    /// extension: see [`DllName`]), loading it if need be.
    fn forwarded(&mut self, dll: &str) -> Result<Self::Module, u32>;
}

/// The address `lookup` resolves to in `module`, following forwarders into
/// other modules (at most [`MAX_FORWARD_HOPS`]). A missing export fails
/// with the not-found status of what was being looked up at that point
/// ([`Lookup::not_found_status`]), and so does a forwarding cycle.
pub fn resolve_export<'m, M: Modules<'m>>(
    modules: &mut M,
    module: M::Module,
    lookup: Lookup<'_>,
) -> Result<u64, u32> {
    let (mut module, mut lookup) = (module, lookup);
    for _ in 0..=MAX_FORWARD_HOPS {
        let (base, exports) = modules.exports(module)?;
        let export = exports.and_then(|e| lookup.find(&e));
        match export.ok_or(lookup.not_found_status())? {
            Export::Rva(rva) => return Ok(base.wrapping_add(u64::from(rva))),
            Export::Forwarder { dll, target } => {
                module = modules.forwarded(dll)?;
                lookup = target.into();
            }
        }
    }
    Err(lookup.not_found_status())
}

/// Longest DLL name [`DllName`] holds, in UTF-16 units (MAX_PATH, less the
/// terminating NUL, plus room for the `.dll` it may append).
pub const MAX_DLL_NAME: usize = 259 + 4;

/// A DLL's file name as the loader matches it against loaded modules'
/// BaseDllName, UTF-16, after Windows's extension rule: a name whose last
/// component has no dot gets `.dll` appended, and a trailing dot means "no
/// extension" and is dropped. Any directory part is removed: DLLs come from
/// one directory (`\KnownDlls`), so the file name alone identifies them.
#[derive(Clone, Copy)]
pub struct DllName {
    buf: [u16; MAX_DLL_NAME],
    len: usize,
}

impl core::fmt::Debug for DllName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let units = self.as_utf16().iter().copied();
        let s =
            core::char::decode_utf16(units).map(|c| c.unwrap_or(core::char::REPLACEMENT_CHARACTER));
        f.write_str("DllName(\"")?;
        for c in s {
            core::fmt::Write::write_char(f, c)?;
        }
        f.write_str("\")")
    }
}

impl DllName {
    /// From a UTF-16 name or path (a UNICODE_STRING's buffer). `None` when
    /// the file name is empty, contains a NUL, or is too long
    /// ([`MAX_DLL_NAME`]).
    pub fn from_utf16(name: &[u16]) -> Option<DllName> {
        let file = base_name(name);
        let mut d = DllName {
            buf: [0; MAX_DLL_NAME],
            len: 0,
        };
        for &c in file {
            d.push(c)?;
        }
        d.finish()
    }

    /// From a name as an image writes it (an import descriptor's DLL name
    /// or a forwarder's DLL part: ASCII in practice, UTF-8 accepted), with
    /// the same rules as [`DllName::from_utf16`].
    pub fn from_utf8(name: &str) -> Option<DllName> {
        let file = name.rsplit(['\\', '/']).next().unwrap_or(name);
        let mut d = DllName {
            buf: [0; MAX_DLL_NAME],
            len: 0,
        };
        let mut units = [0u16; 2];
        for ch in file.chars() {
            for &u in ch.encode_utf16(&mut units).iter() {
                d.push(u)?;
            }
        }
        d.finish()
    }

    fn push(&mut self, c: u16) -> Option<()> {
        if c == 0 {
            return None;
        }
        *self.buf.get_mut(self.len)? = c;
        self.len += 1;
        Some(())
    }

    fn finish(mut self) -> Option<DllName> {
        if self.len == 0 {
            return None;
        }
        if self.as_utf16().last() == Some(&u16::from(b'.')) {
            self.len -= 1;
        } else if !self.as_utf16().contains(&u16::from(b'.')) {
            for &c in b".dll" {
                self.push(u16::from(c))?;
            }
        }
        // Nothing left, or only dots ("..", which the rule cut to "."), is
        // no file name.
        let dots_only = self.as_utf16().iter().all(|&c| c == u16::from(b'.'));
        (!dots_only).then_some(self)
    }

    /// The name, without a terminating NUL.
    pub fn as_utf16(&self) -> &[u16] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Whether a loaded module's BaseDllName (or any file name) is this
    /// name: equal but for the case of ASCII letters. Other characters
    /// must match exactly (NT upcases all of Unicode; DLL names are ASCII
    /// in practice).
    pub fn matches(&self, file_name: &[u16]) -> bool {
        eq_ignore_ascii_case(self.as_utf16(), file_name)
    }
}

/// The last component of a path: what follows its last `\` or `/` (the
/// whole string when it has neither).
pub fn base_name(path: &[u16]) -> &[u16] {
    let is_sep = |c: &u16| *c == u16::from(b'\\') || *c == u16::from(b'/');
    match path.iter().rposition(is_sep) {
        Some(i) => path.get(i + 1..).unwrap_or(&[]),
        None => path,
    }
}

/// UTF-16 equality that ignores the case of ASCII letters.
pub fn eq_ignore_ascii_case(a: &[u16], b: &[u16]) -> bool {
    let fold = |c: u16| {
        if (u16::from(b'a')..=u16::from(b'z')).contains(&c) {
            c - 0x20
        } else {
            c
        }
    };
    a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| fold(x) == fold(y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn w(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    fn name(s: &str) -> Option<Vec<u16>> {
        DllName::from_utf8(s).map(|d| d.as_utf16().to_vec())
    }

    #[test]
    fn the_extension_rule() {
        assert_eq!(name("ntdll"), Some(w("ntdll.dll")));
        assert_eq!(name("NTDLL"), Some(w("NTDLL.dll")));
        assert_eq!(name("kernel32.dll"), Some(w("kernel32.dll")));
        assert_eq!(name("foo.drv"), Some(w("foo.drv")));
        assert_eq!(name("foo."), Some(w("foo")));
        assert_eq!(name("a.b.c"), Some(w("a.b.c")));
        assert_eq!(name("\\SystemRoot\\system32\\x"), Some(w("x.dll")));
        assert_eq!(name("C:/dir.d/y"), Some(w("y.dll")));
        assert_eq!(name("dir.d\\y.dll"), Some(w("y.dll")));
    }

    #[test]
    fn bad_names_are_refused() {
        for s in ["", ".", "..", "\\", "dir\\", "a\0b", "dir\\."] {
            assert_eq!(name(s), None, "{s:?}");
        }
        let long = "x".repeat(MAX_DLL_NAME - 4);
        assert_eq!(name(&long).map(|n| n.len()), Some(MAX_DLL_NAME));
        assert_eq!(name(&"x".repeat(MAX_DLL_NAME - 3)), None);
        assert_eq!(name(&"x".repeat(MAX_DLL_NAME + 1)), None);
        assert_eq!(
            name(&std::format!("{}.dll", "x".repeat(MAX_DLL_NAME - 4))),
            Some(w(&std::format!("{}.dll", "x".repeat(MAX_DLL_NAME - 4))))
        );
    }

    #[test]
    fn matching_ignores_ascii_case_only() {
        let n = DllName::from_utf8("Kernel32").unwrap();
        assert!(n.matches(&w("KERNEL32.DLL")));
        assert!(n.matches(&w("kernel32.dll")));
        assert!(!n.matches(&w("kernel32.dl")));
        assert!(!n.matches(&w("kernel33.dll")));
        let e = DllName::from_utf8("\u{e9}t\u{e9}").unwrap();
        assert!(e.matches(&w("\u{e9}T\u{e9}.DLL")));
        assert!(!e.matches(&w("\u{c9}t\u{e9}.dll")));
        assert!(!eq_ignore_ascii_case(&w("@"), &w("`")));
        assert!(eq_ignore_ascii_case(&[], &[]));
    }

    #[test]
    fn base_names() {
        assert_eq!(base_name(&w("a\\b/c")), &w("c")[..]);
        assert_eq!(base_name(&w("abc")), &w("abc")[..]);
        assert_eq!(base_name(&w("abc\\")), &[][..]);
        assert_eq!(base_name(&[]), &[][..]);
    }

    #[test]
    fn lookups_carry_the_right_not_found_status() {
        let by_name: Lookup<'_> = Import::ByName { hint: 3, name: "f" }.into();
        assert_eq!(
            by_name,
            Lookup::Name {
                hint: Some(3),
                name: "f"
            }
        );
        assert_eq!(
            by_name.not_found_status(),
            status::STATUS_ENTRYPOINT_NOT_FOUND
        );
        let by_ord: Lookup<'_> = ForwardTarget::Ordinal(5).into();
        assert_eq!(by_ord, Lookup::Ordinal(5));
        assert_eq!(by_ord.not_found_status(), status::STATUS_ORDINAL_NOT_FOUND);
        let fwd: Lookup<'_> = ForwardTarget::Name("g").into();
        assert_eq!(
            fwd,
            Lookup::Name {
                hint: None,
                name: "g"
            }
        );
    }

    #[test]
    fn write_protection_follows_the_section() {
        use crate::consts::*;
        let run = |c| WriteRun {
            rva: 0,
            len: 8,
            fixups: 0..1,
            characteristics: c,
        };
        assert_eq!(run(SCN_MEM_READ).write_protection(), Some(PAGE_READWRITE));
        assert_eq!(
            run(SCN_MEM_READ | SCN_MEM_EXECUTE).write_protection(),
            Some(PAGE_EXECUTE_READWRITE)
        );
        assert_eq!(run(SCN_MEM_READ | SCN_MEM_WRITE).write_protection(), None);
    }
}
