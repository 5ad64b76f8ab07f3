//! Why an image (or an operation on one) was refused, and the NTSTATUS a
//! loader reports for it. Nearly every malformation maps to
//! STATUS_INVALID_IMAGE_FORMAT, as in NT; the few exceptions are the ones NT
//! itself reports differently (no MZ, a 32-bit image, a fixed image that
//! cannot move, a buffer too small).

use core::fmt;

/// NTSTATUS values for image loading, as plain `u32`s (nt-abi declares
/// them; these are its values, for callers that do not use its newtype).
/// The loader-level
/// ones (DLL_NOT_FOUND, ENTRYPOINT_NOT_FOUND, ORDINAL_NOT_FOUND) are never
/// produced by this crate, which only reads images; they are here so `ntos`
/// and ntdll report resolution failures consistently (see
/// [`crate::Import::not_found_status`]).
pub mod status {
    use nt_abi::status as nt;

    /// The image was mapped away from its ImageBase (informational: it needs
    /// relocation).
    pub const STATUS_IMAGE_NOT_AT_BASE: u32 = nt::STATUS_IMAGE_NOT_AT_BASE.0;
    /// An address range is already in use; also a fixed image that would
    /// have to move.
    pub const STATUS_CONFLICTING_ADDRESSES: u32 = nt::STATUS_CONFLICTING_ADDRESSES.0;
    /// A caller's buffer is smaller than the image.
    pub const STATUS_BUFFER_TOO_SMALL: u32 = nt::STATUS_BUFFER_TOO_SMALL.0;
    /// A malformed image.
    pub const STATUS_INVALID_IMAGE_FORMAT: u32 = nt::STATUS_INVALID_IMAGE_FORMAT.0;
    /// The file has no MZ header.
    pub const STATUS_INVALID_IMAGE_NOT_MZ: u32 = nt::STATUS_INVALID_IMAGE_NOT_MZ.0;
    /// An imported DLL could not be found.
    pub const STATUS_DLL_NOT_FOUND: u32 = nt::STATUS_DLL_NOT_FOUND.0;
    /// An import by ordinal names an ordinal the DLL does not export.
    pub const STATUS_ORDINAL_NOT_FOUND: u32 = nt::STATUS_ORDINAL_NOT_FOUND.0;
    /// An import by name names a function the DLL does not export.
    pub const STATUS_ENTRYPOINT_NOT_FOUND: u32 = nt::STATUS_ENTRYPOINT_NOT_FOUND.0;
    /// A 32-bit image where a 64-bit one is needed.
    pub const STATUS_INVALID_IMAGE_WIN_32: u32 = nt::STATUS_INVALID_IMAGE_WIN_32.0;
}

/// Why the crate refused an image or an operation on it. Variants carrying
/// a number name the section (0-based) or data directory concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeError {
    /// No `MZ` at the start of the file.
    NotMz,
    /// A header (DOS, file, optional header, section table) runs past the
    /// end of the input.
    TruncatedHeaders,
    /// e_lfanew is negative, zero or points past the end of the input.
    BadLfanew,
    /// No `PE\0\0` signature at e_lfanew.
    NotPe,
    /// A PE32 (32-bit) image; only PE32+ is supported.
    Pe32,
    /// The optional header is too small for its fields, has an unknown
    /// magic, or its data directories do not fit in it.
    BadOptionalHeader,
    /// The file header names another machine than AMD64.
    UnsupportedMachine(u16),
    /// IMAGE_FILE_EXECUTABLE_IMAGE is clear (an object file or failed link).
    NotExecutable,
    /// SectionAlignment or FileAlignment is not a power of two, or they
    /// break the rules between them.
    BadAlignment,
    /// ImageBase is not 64 KiB aligned, or ImageBase + SizeOfImage
    /// overflows.
    BadImageBase,
    /// SizeOfImage is zero.
    BadSizeOfImage,
    /// SizeOfHeaders does not cover the section table, or exceeds the file
    /// or SizeOfImage.
    BadSizeOfHeaders,
    /// More than [`crate::consts::MAX_SECTIONS`] sections.
    TooManySections,
    /// AddressOfEntryPoint is outside the image.
    BadEntryPoint,
    /// A section is not where the layout rules put it: sections must be
    /// ordered, SectionAlignment-aligned and contiguous, the first one right
    /// after the headers.
    SectionNotContiguous(u16),
    /// A section has neither a virtual size nor raw data.
    SectionEmpty(u16),
    /// A section's virtual range ends beyond SizeOfImage.
    SectionOutOfImage(u16),
    /// A section's raw data lies (partly) beyond the end of the file.
    SectionOutOfFile(u16),
    /// A data directory's range ends beyond SizeOfImage.
    BadDataDirectory(u8),
    /// A caller's buffer (the destination of `load_into`, or a mapped image)
    /// is smaller than SizeOfImage.
    BufferTooSmall,
    /// An RVA range asked for is not readable in this form of the image.
    RvaOutOfRange,
    /// A base relocation block header is unreadable or its SizeOfBlock is
    /// below 8, odd, or runs past the directory.
    BadRelocationBlock,
    /// A base relocation type this crate does not apply on x86_64.
    UnsupportedRelocation(u8),
    /// A base relocation's target lies outside the image.
    RelocationOutOfRange,
    /// A 32-bit (HIGHLOW) relocation's result does not fit in 32 bits.
    RelocationOverflow,
    /// The image must move but was linked without relocations.
    RelocationsStripped,
    /// The export directory or one of its arrays is unreadable or too large.
    BadExportDirectory,
    /// An export name is unreadable, empty, too long or not UTF-8.
    BadExportName,
    /// An exported RVA, or a name's ordinal index, is out of range.
    BadExportRva,
    /// A forwarder string is not `DLL.Name` or `DLL.#ordinal`.
    BadForwarder,
    /// An import descriptor is unreadable (often: no terminating entry).
    BadImportDescriptor,
    /// An imported DLL name or IMAGE_IMPORT_BY_NAME is unreadable, empty,
    /// too long or not UTF-8.
    BadImportName,
    /// An import thunk is unreadable, has reserved bits set, or its IAT slot
    /// lies outside the image.
    BadImportThunk,
    /// More import descriptors or thunks than the limits allow.
    TooManyImports,
    /// The TLS directory is unreadable or its addresses are outside the
    /// image.
    BadTlsDirectory,
    /// A TLS callback address is outside the image, or the callback array
    /// is unreadable or unterminated.
    BadTlsCallback,
}

impl PeError {
    /// The NTSTATUS a loader reports for this error: INVALID_IMAGE_NOT_MZ,
    /// INVALID_IMAGE_WIN_32, CONFLICTING_ADDRESSES (a fixed image that must
    /// move), BUFFER_TOO_SMALL, and INVALID_IMAGE_FORMAT for everything else.
    pub fn ntstatus(&self) -> u32 {
        match self {
            PeError::NotMz => status::STATUS_INVALID_IMAGE_NOT_MZ,
            PeError::Pe32 => status::STATUS_INVALID_IMAGE_WIN_32,
            PeError::RelocationsStripped => status::STATUS_CONFLICTING_ADDRESSES,
            PeError::BufferTooSmall => status::STATUS_BUFFER_TOO_SMALL,
            _ => status::STATUS_INVALID_IMAGE_FORMAT,
        }
    }
}

impl core::error::Error for PeError {}

impl fmt::Display for PeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PeError::NotMz => f.write_str("no MZ header"),
            PeError::TruncatedHeaders => f.write_str("headers run past the end of the image"),
            PeError::BadLfanew => f.write_str("e_lfanew out of range"),
            PeError::NotPe => f.write_str("no PE signature"),
            PeError::Pe32 => f.write_str("PE32 (32-bit) image"),
            PeError::BadOptionalHeader => f.write_str("malformed optional header"),
            PeError::UnsupportedMachine(m) => write!(f, "machine {m:#06x} is not AMD64"),
            PeError::NotExecutable => f.write_str("not an executable image"),
            PeError::BadAlignment => f.write_str("bad section or file alignment"),
            PeError::BadImageBase => f.write_str("bad ImageBase"),
            PeError::BadSizeOfImage => f.write_str("bad SizeOfImage"),
            PeError::BadSizeOfHeaders => f.write_str("bad SizeOfHeaders"),
            PeError::TooManySections => f.write_str("too many sections"),
            PeError::BadEntryPoint => f.write_str("entry point outside the image"),
            PeError::SectionNotContiguous(i) => write!(f, "section {i} misplaced"),
            PeError::SectionEmpty(i) => write!(f, "section {i} is empty"),
            PeError::SectionOutOfImage(i) => write!(f, "section {i} exceeds SizeOfImage"),
            PeError::SectionOutOfFile(i) => write!(f, "section {i} raw data beyond end of file"),
            PeError::BadDataDirectory(i) => write!(f, "data directory {i} out of range"),
            PeError::BufferTooSmall => f.write_str("buffer smaller than SizeOfImage"),
            PeError::RvaOutOfRange => f.write_str("RVA range not readable"),
            PeError::BadRelocationBlock => f.write_str("malformed relocation block"),
            PeError::UnsupportedRelocation(t) => write!(f, "unsupported relocation type {t}"),
            PeError::RelocationOutOfRange => f.write_str("relocation target outside the image"),
            PeError::RelocationOverflow => f.write_str("32-bit relocation overflows"),
            PeError::RelocationsStripped => f.write_str("relocations stripped, image cannot move"),
            PeError::BadExportDirectory => f.write_str("malformed export directory"),
            PeError::BadExportName => f.write_str("malformed export name"),
            PeError::BadExportRva => f.write_str("export RVA or ordinal out of range"),
            PeError::BadForwarder => f.write_str("malformed forwarder"),
            PeError::BadImportDescriptor => f.write_str("malformed import descriptor"),
            PeError::BadImportName => f.write_str("malformed import name"),
            PeError::BadImportThunk => f.write_str("malformed import thunk"),
            PeError::TooManyImports => f.write_str("too many imports"),
            PeError::BadTlsDirectory => f.write_str("malformed TLS directory"),
            PeError::BadTlsCallback => f.write_str("malformed TLS callback"),
        }
    }
}
