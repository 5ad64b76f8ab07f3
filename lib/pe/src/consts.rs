//! The PE/COFF and NT numbers the crate and its users need, named as in
//! winnt.h (without the `IMAGE_` prefix where Rust paths make it redundant).
//! Values are from mingw-w64's winnt.h, as listed in `nt-facts.md` §6 and
//! §3 ("Memory").

/// `MZ`, the DOS header's e_magic.
pub const DOS_SIGNATURE: u16 = 0x5A4D;
/// `PE\0\0`, the NT headers' signature.
pub const NT_SIGNATURE: u32 = 0x0000_4550;
/// Optional header magic of a PE32 (32-bit) image.
pub const PE32_MAGIC: u16 = 0x10B;
/// Optional header magic of a PE32+ (64-bit) image, the only kind accepted.
pub const PE32PLUS_MAGIC: u16 = 0x20B;

/// IMAGE_FILE_MACHINE_AMD64.
pub const MACHINE_AMD64: u16 = 0x8664;
/// IMAGE_FILE_MACHINE_I386.
pub const MACHINE_I386: u16 = 0x014C;

/// File characteristic: relocations were stripped, the image must load at
/// its ImageBase.
pub const FILE_RELOCS_STRIPPED: u16 = 0x0001;
/// File characteristic: the image is executable (unset for failed links).
pub const FILE_EXECUTABLE_IMAGE: u16 = 0x0002;
/// File characteristic: the image can handle addresses above 2 GiB.
pub const FILE_LARGE_ADDRESS_AWARE: u16 = 0x0020;
/// File characteristic: a system file (driver).
pub const FILE_SYSTEM: u16 = 0x1000;
/// File characteristic: the image is a DLL.
pub const FILE_DLL: u16 = 0x2000;

/// Subsystem: unknown.
pub const SUBSYSTEM_UNKNOWN: u16 = 0;
/// Subsystem: native (drivers, smss, native programs).
pub const SUBSYSTEM_NATIVE: u16 = 1;
/// Subsystem: Windows GUI.
pub const SUBSYSTEM_WINDOWS_GUI: u16 = 2;
/// Subsystem: Windows console.
pub const SUBSYSTEM_WINDOWS_CUI: u16 = 3;

/// DllCharacteristics: 64-bit ASLR (high-entropy VA).
pub const DLLCHARACTERISTICS_HIGH_ENTROPY_VA: u16 = 0x0020;
/// DllCharacteristics: the image can be relocated (ASLR).
pub const DLLCHARACTERISTICS_DYNAMIC_BASE: u16 = 0x0040;
/// DllCharacteristics: the image is compatible with no-execute data.
pub const DLLCHARACTERISTICS_NX_COMPAT: u16 = 0x0100;
/// DllCharacteristics: no structured exception handlers (x86 only).
pub const DLLCHARACTERISTICS_NO_SEH: u16 = 0x0400;
/// DllCharacteristics: a WDM driver.
pub const DLLCHARACTERISTICS_WDM_DRIVER: u16 = 0x2000;
/// DllCharacteristics: Control Flow Guard.
pub const DLLCHARACTERISTICS_GUARD_CF: u16 = 0x4000;

/// Data directory index: export table.
pub const DIRECTORY_EXPORT: usize = 0;
/// Data directory index: import descriptors.
pub const DIRECTORY_IMPORT: usize = 1;
/// Data directory index: resources.
pub const DIRECTORY_RESOURCE: usize = 2;
/// Data directory index: exception table (.pdata).
pub const DIRECTORY_EXCEPTION: usize = 3;
/// Data directory index: certificates; the only entry that holds a file
/// offset instead of an RVA, so it is never checked against SizeOfImage.
pub const DIRECTORY_SECURITY: usize = 4;
/// Data directory index: base relocations.
pub const DIRECTORY_BASERELOC: usize = 5;
/// Data directory index: debug directory.
pub const DIRECTORY_DEBUG: usize = 6;
/// Data directory index: TLS directory.
pub const DIRECTORY_TLS: usize = 9;
/// Data directory index: load configuration.
pub const DIRECTORY_LOAD_CONFIG: usize = 10;
/// Data directory index: bound imports.
pub const DIRECTORY_BOUND_IMPORT: usize = 11;
/// Data directory index: import address table (what a loader makes
/// writable while it binds).
pub const DIRECTORY_IAT: usize = 12;
/// Data directory index: delay-load import descriptors.
pub const DIRECTORY_DELAY_IMPORT: usize = 13;
/// Data directory index: CLR runtime header.
pub const DIRECTORY_COM_DESCRIPTOR: usize = 14;
/// The number of data directory slots an optional header can have.
pub const NUMBER_OF_DIRECTORY_ENTRIES: usize = 16;

/// Section characteristic: contains code.
pub const SCN_CNT_CODE: u32 = 0x0000_0020;
/// Section characteristic: contains initialized data.
pub const SCN_CNT_INITIALIZED_DATA: u32 = 0x0000_0040;
/// Section characteristic: contains uninitialized data.
pub const SCN_CNT_UNINITIALIZED_DATA: u32 = 0x0000_0080;
/// Section characteristic: can be discarded after loading.
pub const SCN_MEM_DISCARDABLE: u32 = 0x0200_0000;
/// Section characteristic: shared between every process that maps the
/// image (so writes are not copy-on-write).
pub const SCN_MEM_SHARED: u32 = 0x1000_0000;
/// Section characteristic: executable.
pub const SCN_MEM_EXECUTE: u32 = 0x2000_0000;
/// Section characteristic: readable.
pub const SCN_MEM_READ: u32 = 0x4000_0000;
/// Section characteristic: writable.
pub const SCN_MEM_WRITE: u32 = 0x8000_0000;

/// Base relocation type: padding, skipped.
pub const REL_BASED_ABSOLUTE: u8 = 0;
/// Base relocation type: add the low 32 bits of the delta to a 32-bit value.
pub const REL_BASED_HIGHLOW: u8 = 3;
/// Base relocation type: add the delta to a 64-bit value.
pub const REL_BASED_DIR64: u8 = 10;

/// Import thunk flag: the entry is an ordinal, not a name RVA (PE32+).
pub const ORDINAL_FLAG64: u64 = 0x8000_0000_0000_0000;

/// NT page protections, as nt-abi declares them.
pub use nt_abi::consts::{
    PAGE_EXECUTE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY, PAGE_NOACCESS, PAGE_READONLY,
    PAGE_READWRITE, PAGE_WRITECOPY,
};

/// The page size the layout rules assume (x86_64).
pub const PAGE_SIZE: u32 = 0x1000;

/// ImageBase must be a multiple of this (64 KiB, the NT allocation
/// granularity).
pub const IMAGE_BASE_ALIGNMENT: u64 = 0x1_0000;

/// The most sections the NT loader accepts.
pub const MAX_SECTIONS: u16 = 96;
