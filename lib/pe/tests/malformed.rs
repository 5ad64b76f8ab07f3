//! Hand-made malformed images: each test breaks one field of a fixture (or
//! builds a table no linker would) and checks the exact error, that nothing
//! panics, and that the writers leave the image untouched when they refuse.

mod common;

use common::*;
use pe::consts::*;
use pe::*;

fn err(file: &[u8]) -> PeError {
    PeImage::parse(file).unwrap_err()
}

/// File offsets inside fixexe.exe's headers.
fn exe_field(off: usize, f: impl FnOnce(&mut Vec<u8>, usize)) -> Vec<u8> {
    patched(EXE, |v| f(v, off))
}

// ---------------------------------------------------------------- headers

#[test]
fn truncated_headers() {
    assert_eq!(err(&[]), PeError::NotMz);
    assert_eq!(err(b"M"), PeError::NotMz);
    assert_eq!(err(b"MZ"), PeError::TruncatedHeaders);
    assert_eq!(err(&EXE[..0x3F]), PeError::TruncatedHeaders);
    let nt = lfanew(EXE);
    assert_eq!(err(&EXE[..nt + 3]), PeError::BadLfanew);
    assert_eq!(
        err(&EXE[..nt + 10]),
        PeError::TruncatedHeaders,
        "file header cut"
    );
    assert_eq!(
        err(&EXE[..nt + 24 + 0x50]),
        PeError::TruncatedHeaders,
        "optional header cut"
    );
    assert_eq!(
        err(&EXE[..section_header(EXE, 4) + 20]),
        PeError::TruncatedHeaders,
        "section table cut"
    );
    assert_eq!(
        err(&EXE[..0x3FF]),
        PeError::BadSizeOfHeaders,
        "SizeOfHeaders past the end"
    );
    // Every prefix of every fixture is refused, and none panics.
    for (name, file) in FIXTURES {
        for len in 0..file.len() {
            assert!(
                PeImage::parse(&file[..len]).is_err(),
                "{name} cut to {len:#x}"
            );
        }
    }
}

#[test]
fn not_mz_and_not_pe() {
    assert_eq!(err(&patched(EXE, |v| v[0] = b'X')), PeError::NotMz);
    assert_eq!(
        PeError::NotMz.ntstatus(),
        status::STATUS_INVALID_IMAGE_NOT_MZ
    );
    assert_eq!(
        err(&patched(EXE, |v| v[lfanew(EXE) + 1] = b'F')),
        PeError::NotPe
    );
    assert_eq!(
        PeError::NotPe.ntstatus(),
        status::STATUS_INVALID_IMAGE_FORMAT
    );
}

#[test]
fn e_lfanew_out_of_range() {
    let len = EXE.len() as u32;
    for (v, want) in [
        (0, PeError::BadLfanew),
        (0x8000_0000, PeError::BadLfanew),
        (0xFFFF_FFF0, PeError::BadLfanew),
        (len, PeError::BadLfanew),
        (len - 2, PeError::BadLfanew),
        (0x40, PeError::NotPe),
    ] {
        assert_eq!(
            err(&patched(EXE, |f| put32(f, 0x3C, v))),
            want,
            "e_lfanew {v:#x}"
        );
    }
}

#[test]
fn wrong_kind_of_image() {
    let o = opt(EXE);
    let pe32 = exe_field(o, |v, o| put16(v, o, PE32_MAGIC));
    assert_eq!(err(&pe32), PeError::Pe32);
    assert_eq!(
        PeError::Pe32.ntstatus(),
        status::STATUS_INVALID_IMAGE_WIN_32
    );
    assert_eq!(
        err(&exe_field(o, |v, o| put16(v, o, 0x30B))),
        PeError::BadOptionalHeader
    );
    let fh = lfanew(EXE) + 4;
    assert_eq!(
        err(&exe_field(fh, |v, o| put16(v, o, MACHINE_I386))),
        PeError::UnsupportedMachine(MACHINE_I386)
    );
    assert_eq!(
        err(&exe_field(fh + 0x12, |v, o| put16(v, o, 0x0020))),
        PeError::NotExecutable
    );
}

#[test]
fn optional_header_size_and_directory_count() {
    let fh = lfanew(EXE) + 4;
    assert_eq!(
        err(&exe_field(fh + 0x10, |v, o| put16(v, o, 0x60))),
        PeError::BadOptionalHeader
    );
    assert_eq!(
        err(&exe_field(fh + 0x10, |v, o| put16(v, o, 0xFFFF))),
        PeError::TruncatedHeaders
    );
    // 16 directories claimed in an optional header with room for none.
    assert_eq!(
        err(&exe_field(fh + 0x10, |v, o| put16(v, o, 0x70))),
        PeError::BadOptionalHeader
    );
    // More than 16 claimed: the extra ones are ignored.
    let many = exe_field(opt(EXE) + 0x6C, |v, o| put32(v, o, 0x1000));
    assert!(PeImage::parse(&many).is_ok());
    // Fewer claimed: the others are absent.
    let few = exe_field(opt(EXE) + 0x6C, |v, o| put32(v, o, 2));
    let img = PeImage::parse(&few).unwrap();
    assert!(img.data_directory(DIRECTORY_IMPORT).is_some());
    assert_eq!(img.data_directory(DIRECTORY_TLS), None);
    assert_eq!(img.relocations().count(), 0);
}

#[test]
fn alignment_rules() {
    let o = opt(EXE);
    for (sa, fa) in [
        (0x1001, 0x200),
        (0, 0x200),
        (0x1000, 0),
        (0x1000, 0x300),
        (0x1000, 0x2000),
        (0x800, 0x200),
    ] {
        let f = patched(EXE, |v| {
            put32(v, o + 0x20, sa);
            put32(v, o + 0x24, fa);
        });
        assert_eq!(
            err(&f),
            PeError::BadAlignment,
            "SectionAlignment {sa:#x}, FileAlignment {fa:#x}"
        );
    }
}

#[test]
fn image_base_rules() {
    let o = opt(EXE);
    assert_eq!(
        err(&exe_field(o + 0x18, |v, o| put64(v, o, 0x1_4000_1000))),
        PeError::BadImageBase
    );
    let wraps = patched(EXE, |v| {
        put64(v, o + 0x18, 0xFFFF_FFFF_FFFF_0000);
        put32(v, o + 0x38, 0x1_0000);
    });
    assert_eq!(err(&wraps), PeError::BadImageBase);
}

#[test]
fn size_of_image_too_small() {
    let o = opt(EXE) + 0x38;
    assert_eq!(
        err(&exe_field(o, |v, o| put32(v, o, 0))),
        PeError::BadSizeOfImage
    );
    assert_eq!(
        err(&exe_field(o, |v, o| put32(v, o, 0x3000))),
        PeError::SectionOutOfImage(2)
    );
    assert_eq!(
        err(&exe_field(o, |v, o| put32(v, o, 0x5010))),
        PeError::SectionOutOfImage(4)
    );
    assert_eq!(
        err(&exe_field(o, |v, o| put32(v, o, 0x800))),
        PeError::BadEntryPoint
    );
    assert_eq!(
        err(&exe_field(o, |v, o| put32(v, o, 0x300))),
        PeError::BadSizeOfHeaders
    );
    // SizeOfImage need not be a multiple of SectionAlignment.
    assert!(PeImage::parse(&exe_field(o, |v, o| put32(v, o, 0x5024))).is_ok());
}

#[test]
fn size_of_headers_rules() {
    let o = opt(EXE) + 0x3C;
    assert_eq!(
        err(&exe_field(o, |v, o| put32(v, o, 0x100))),
        PeError::BadSizeOfHeaders,
        "below the section table"
    );
    assert_eq!(
        err(&exe_field(o, |v, o| put32(v, o, 0x7000))),
        PeError::BadSizeOfHeaders,
        "above SizeOfImage"
    );
    assert_eq!(
        err(&exe_field(o, |v, o| put32(v, o, 0x1400))),
        PeError::BadSizeOfHeaders,
        "past the file"
    );
    // Headers that reach into the first section's pages move it.
    assert_eq!(
        err(&exe_field(o, |v, o| put32(v, o, 0x1001 - 0x400 + 0x400))),
        PeError::BadSizeOfHeaders
    );
}

#[test]
fn section_count_and_entry_point() {
    let fh = lfanew(EXE) + 4;
    assert_eq!(
        err(&exe_field(fh + 2, |v, o| put16(v, o, 97))),
        PeError::TooManySections
    );
    // A sixth header of zeros is not where a sixth section would go.
    assert_eq!(
        err(&exe_field(fh + 2, |v, o| put16(v, o, 6))),
        PeError::SectionNotContiguous(5)
    );
    assert_eq!(
        err(&exe_field(opt(EXE) + 0x10, |v, o| put32(v, o, 0x6000))),
        PeError::BadEntryPoint
    );
    // No sections at all is a (useless) valid image with just headers.
    let none = patched(EXE, |v| {
        put16(v, fh + 2, 0);
        put32(v, opt(EXE) + 0x10, 0);
        for d in 0..16 {
            put64(v, opt(EXE) + 0x70 + 8 * d, 0);
        }
    });
    let img = PeImage::parse(&none).unwrap();
    assert_eq!(img.layout().count(), 1);
}

#[test]
fn sections_out_of_place() {
    let s1 = section_header(EXE, 1);
    assert_eq!(
        err(&exe_field(s1 + 12, |v, o| put32(v, o, 0x2100))),
        PeError::SectionNotContiguous(1),
        "misaligned"
    );
    assert_eq!(
        err(&exe_field(s1 + 12, |v, o| put32(v, o, 0x3000))),
        PeError::SectionNotContiguous(1),
        "gap"
    );
    assert_eq!(
        err(&exe_field(s1 + 12, |v, o| put32(v, o, 0x1000))),
        PeError::SectionNotContiguous(1),
        "overlap"
    );
    // A section growing into the next one.
    assert_eq!(
        err(&exe_field(s1 + 8, |v, o| put32(v, o, 0x1001))),
        PeError::SectionNotContiguous(2)
    );
    let empty = patched(EXE, |v| {
        put32(v, s1 + 8, 0);
        put32(v, s1 + 16, 0);
    });
    assert_eq!(err(&empty), PeError::SectionEmpty(1));
    assert_eq!(
        err(&exe_field(s1 + 8, |v, o| put32(v, o, 0xFFFF_FFFF))),
        PeError::SectionOutOfImage(1)
    );
}

#[test]
fn section_raw_data_beyond_eof() {
    let last = section_header(EXE, 4);
    let len = EXE.len() as u32;
    assert_eq!(
        err(&exe_field(last + 20, |v, o| put32(v, o, len))),
        PeError::SectionOutOfFile(4)
    );
    assert_eq!(
        err(&exe_field(last + 16, |v, o| put32(v, o, 0x10000))),
        PeError::SectionOutOfFile(4)
    );
    let wraps = patched(EXE, |v| put32(v, last + 20, 0xFFFF_FF00));
    assert_eq!(err(&wraps), PeError::SectionOutOfFile(4));
    // The file ends inside the last section's raw data.
    assert_eq!(err(&EXE[..EXE.len() - 1]), PeError::SectionOutOfFile(4));
    // A mapped image has no raw data to check.
    let mut m = mapped(EXE);
    put32(&mut m, last + 20, 0xFFFF_FF00);
    assert!(PeImage::parse_mapped(&m).is_ok());
}

#[test]
fn data_directories_out_of_range() {
    let d = |i: usize| opt(EXE) + 0x70 + 8 * i;
    let beyond = patched(EXE, |v| put32(v, d(1), 0x5FF0));
    assert_eq!(err(&beyond), PeError::BadDataDirectory(1));
    let wraps = patched(EXE, |v| put32(v, d(9), 0xFFFF_FFF0));
    assert_eq!(err(&wraps), PeError::BadDataDirectory(9));
    // SECURITY holds a file offset, never checked against the image.
    let security = patched(EXE, |v| {
        put32(v, d(4), 0xFFFF_0000);
        put32(v, d(4) + 4, 0x1000);
    });
    assert!(PeImage::parse(&security).is_ok());
    // A zero size means absent, whatever the RVA.
    let absent = patched(EXE, |v| {
        put32(v, d(1), 0xFFFF_0000);
        put32(v, d(1) + 4, 0);
    });
    assert_eq!(PeImage::parse(&absent).unwrap().imports().count(), 0);
}

// ------------------------------------------------------------ relocations

/// fixexe.exe with its relocation directory (RVA 0x5000) patched.
fn exe_relocs(f: impl FnOnce(&mut Vec<u8>, usize)) -> Vec<u8> {
    let at = file_offset(EXE, 0x5000);
    patched(EXE, |v| f(v, at))
}

fn reloc_error(file: &[u8]) -> PeError {
    let img = PeImage::parse(file).unwrap();
    let listed = img.relocations().find_map(Result::err).unwrap();
    // Applying fails the same way and leaves the image as it was.
    let mut m = mapped(file);
    let before = m.clone();
    assert_eq!(rebase(&mut m, 0x7FF0_0000_0000), Err(listed));
    assert_eq!(m, before);
    listed
}

#[test]
fn relocation_block_size_bogus() {
    for size in [0u32, 3, 7, 9, 0x26, 0xFFFF, 0xFFFF_FFFF] {
        let f = exe_relocs(|v, at| put32(v, at + 4, size));
        assert_eq!(
            reloc_error(&f),
            PeError::BadRelocationBlock,
            "SizeOfBlock {size:#x}"
        );
    }
    // Second block's size cut by the directory size.
    let short = patched(EXE, |v| put32(v, opt(EXE) + 0x70 + 8 * 5 + 4, 0x22));
    assert_eq!(reloc_error(&short), PeError::BadRelocationBlock);
    // Trailing bytes too short for a block header.
    let tail = patched(EXE, |v| put32(v, opt(EXE) + 0x70 + 8 * 5 + 4, 0x28));
    assert_eq!(reloc_error(&tail), PeError::BadRelocationBlock);
}

#[test]
fn relocation_entries_out_of_range_or_unsupported() {
    let high = exe_relocs(|v, at| put32(v, at, 0x5FF0));
    assert_eq!(reloc_error(&high), PeError::RelocationOutOfRange);
    let wraps = exe_relocs(|v, at| put32(v, at, 0xFFFF_FFF0));
    assert_eq!(reloc_error(&wraps), PeError::RelocationOutOfRange);
    for t in [1u16, 2, 4, 5, 9, 11, 15] {
        let f = exe_relocs(|v, at| put16(v, at + 8, (t << 12) | 0x008));
        assert_eq!(reloc_error(&f), PeError::UnsupportedRelocation(t as u8));
    }
}

#[test]
fn highlow_relocations_apply_and_overflow() {
    // Turn the DIR64 at RVA 0x3000 (pointing at RVA 0x1000) into a HIGHLOW.
    let f = exe_relocs(|v, at| put16(v, at + 0x14 + 8, 0x3000));
    let img = PeImage::parse(&f).unwrap();
    assert!(img.relocations().any(|r| r
        == Ok(Relocation {
            rva: 0x3000,
            kind: RelocKind::HighLow
        })));
    let mut m = mapped(&f);
    rebase(&mut m, 0x1_4001_0000).unwrap();
    assert_eq!(get32(&m, 0x3000), 0x4001_1000);
    assert_eq!(get32(&m, 0x3004), 1, "the high half is not touched");
    let mut m = mapped(&f);
    assert_eq!(
        rebase(&mut m, 0x2_0000_0000),
        Err(PeError::RelocationOverflow)
    );
    assert_eq!(m, mapped(&f));
}

#[test]
fn unreadable_relocation_directory() {
    // In the file the directory must lie in initialized data.
    let d = opt(EXE) + 0x70 + 8 * 5;
    let f = patched(EXE, |v| put32(v, d, 0x5100));
    let img = PeImage::parse(&f).unwrap();
    assert_eq!(
        img.relocations().collect::<Vec<_>>(),
        [Err(PeError::BadRelocationBlock)]
    );
}

// ---------------------------------------------------------------- exports

const EXPORT_DIR: u32 = 0x201C;

fn dll_exports(f: impl FnOnce(&mut Vec<u8>, usize)) -> Result<(), PeError> {
    let at = file_offset(DLL, EXPORT_DIR);
    let file = patched(DLL, |v| f(v, at));
    let file_result = PeImage::parse(&file).unwrap().exports().map(|_| ());
    // The mapped form refuses too, though not always for the same reason:
    // there, arrays may run on into the next section's memory.
    let m = mapped(&file);
    assert!(PeImage::parse_mapped(&m).unwrap().exports().is_err());
    file_result
}

#[test]
fn export_tables_out_of_range() {
    assert_eq!(
        dll_exports(|v, d| put32(v, d + 0x20, 0xFFFF_0000)),
        Err(PeError::BadExportDirectory),
        "names"
    );
    assert_eq!(
        dll_exports(|v, d| put32(v, d + 0x1C, 0x6FF0)),
        Err(PeError::BadExportDirectory),
        "functions"
    );
    assert_eq!(
        dll_exports(|v, d| put32(v, d + 0x24, 0x6FFC)),
        Err(PeError::BadExportDirectory),
        "ordinals"
    );
    assert_eq!(
        dll_exports(|v, d| put32(v, d + 0x14, 0x1_0001)),
        Err(PeError::BadExportDirectory),
        "too many"
    );
    assert_eq!(
        dll_exports(|v, d| put32(v, d + 0x18, 0x1000)),
        Err(PeError::BadExportDirectory),
        "names run off"
    );
    assert_eq!(
        dll_exports(|v, d| put32(v, d + 0x0C, 0x7FFF_0000)),
        Err(PeError::BadExportName),
        "dll name"
    );
}

#[test]
fn export_names_out_of_range() {
    let names = file_offset(DLL, 0x206B);
    for rva in [0x7FFF_0000, 0x7000, 0x6FFF] {
        let f = patched(DLL, |v| put32(v, names + 4, rva));
        assert_eq!(
            PeImage::parse(&f).unwrap().exports().unwrap_err(),
            PeError::BadExportName,
            "{rva:#x}"
        );
    }
    // A name in zero-filled memory is empty: refused in both forms.
    let f = patched(DLL, |v| put32(v, names + 4, 0x3800));
    assert_eq!(
        PeImage::parse(&f).unwrap().exports().unwrap_err(),
        PeError::BadExportName
    );
    let m = mapped(&f);
    assert_eq!(
        PeImage::parse_mapped(&m).unwrap().exports().unwrap_err(),
        PeError::BadExportName
    );
}

#[test]
fn export_ordinals_and_rvas_out_of_range() {
    let ordinals = file_offset(DLL, 0x207F);
    let f = patched(DLL, |v| put16(v, ordinals + 2, 7));
    assert_eq!(
        PeImage::parse(&f).unwrap().exports().unwrap_err(),
        PeError::BadExportRva
    );
    let functions = file_offset(DLL, 0x204F);
    let f = patched(DLL, |v| put32(v, functions, 0x7000));
    assert_eq!(
        PeImage::parse(&f).unwrap().exports().unwrap_err(),
        PeError::BadExportRva
    );
}

#[test]
fn malformed_forwarders() {
    let at = DLL
        .windows(14)
        .position(|w| w == b"other.RealFunc")
        .unwrap();
    // No dot, no dot (cut short), nothing after the dot, not UTF-8.
    for (i, byte) in [(5, b'x'), (5, 0), (6, 0), (7, 0xFF)] {
        let f = patched(DLL, |v| v[at + i] = byte);
        assert_eq!(
            PeImage::parse(&f).unwrap().exports().unwrap_err(),
            PeError::BadForwarder,
            "{i} {byte}"
        );
    }
    let at = DLL.windows(9).position(|w| w == b"other.#42").unwrap();
    for (i, byte) in [(7, b'x'), (7, 0), (6, b'x')] {
        let f = patched(DLL, |v| v[at + i] = byte);
        let e = PeImage::parse(&f).unwrap().exports();
        if (i, byte) == (6, b'x') {
            // `other.x42` is a forwarder to a function named x42.
            let e = e.unwrap().unwrap();
            let fwd = Export::Forwarder {
                dll: "other",
                target: ForwardTarget::Name("x42"),
            };
            assert_eq!(e.by_name("FwdByOrdinal"), Some(fwd));
        } else {
            assert_eq!(e.unwrap_err(), PeError::BadForwarder, "{i} {byte}");
        }
    }
}

#[test]
fn unsorted_names_are_still_found() {
    let names = file_offset(DLL, 0x206B);
    let ordinals = file_offset(DLL, 0x207F);
    // Swap name slots 0 and 4 (and their ordinals) so the table is unsorted.
    let f = patched(DLL, |v| {
        let (a, b) = (get32(v, names), get32(v, names + 16));
        put32(v, names, b);
        put32(v, names + 16, a);
        let (x, y) = (
            u16::from_le_bytes([v[ordinals], v[ordinals + 1]]),
            u16::from_le_bytes([v[ordinals + 8], v[ordinals + 9]]),
        );
        put16(v, ordinals, y);
        put16(v, ordinals + 8, x);
    });
    let img = PeImage::parse(&f).unwrap();
    let e = img.exports().unwrap().unwrap();
    assert!(!e.is_sorted());
    assert_eq!(e.by_name("times_two"), Some(Export::Rva(0x100A)));
    assert_eq!(e.by_name("add_one"), Some(Export::Rva(0x1006)));
    assert!(matches!(
        e.by_name("FwdByName"),
        Some(Export::Forwarder { .. })
    ));
    assert_eq!(e.by_name("nope"), None);
}

// ---------------------------------------------------------------- imports

/// Descriptors of fixexe.exe: fixdll.dll at 0x205C, kernel32.dll at 0x2070,
/// the terminator at 0x2084.
const FIXDLL_DESCRIPTOR: u32 = 0x205C;

fn import_error(file: &[u8]) -> PeError {
    let img = PeImage::parse(file).unwrap();
    let mut first = None;
    for dll in img.imports() {
        match dll {
            Err(e) => {
                first = Some(e);
                break;
            }
            Ok(dll) => {
                if let Some(e) = dll.imports().find_map(Result::err) {
                    first = Some(e);
                    break;
                }
            }
        }
    }
    let first = first.unwrap();
    // Binding the mapped image fails the same way.
    let mut m = mapped(file);
    assert_eq!(
        bind_imports(&mut m, |_, _| Ok::<u64, ()>(0x7FF0_0000_0000)),
        Err(BindError::Image(first))
    );
    first
}

#[test]
fn import_name_rva_out_of_range() {
    let d = file_offset(EXE, FIXDLL_DESCRIPTOR);
    for rva in [0x7FFF_0000u32, 0x6000, 0x5FFF] {
        let f = patched(EXE, |v| put32(v, d + 0xC, rva));
        assert_eq!(
            import_error(&f),
            PeError::BadImportName,
            "dll name at {rva:#x}"
        );
    }
    // The IMAGE_IMPORT_BY_NAME of the first thunk.
    let int = file_offset(EXE, 0x2098);
    for rva in [0x7FFF_0000u64, 0x5FFF, 0x2133] {
        let f = patched(EXE, |v| put64(v, int, rva));
        assert_eq!(
            import_error(&f),
            PeError::BadImportName,
            "hint/name at {rva:#x}"
        );
    }
}

#[test]
fn import_thunks_malformed() {
    let int = file_offset(EXE, 0x2098);
    let reserved = patched(EXE, |v| put64(v, int, 0x0000_0001_0000_20FA));
    assert_eq!(import_error(&reserved), PeError::BadImportThunk);
    let d = file_offset(EXE, FIXDLL_DESCRIPTOR);
    let iat_outside = patched(EXE, |v| put32(v, d + 0x10, 0x5FFC));
    assert_eq!(import_error(&iat_outside), PeError::BadImportThunk);
    let lookup_outside = patched(EXE, |v| put32(v, d, 0x7FFF_FFF0));
    assert_eq!(import_error(&lookup_outside), PeError::BadImportThunk);
}

#[test]
fn unterminated_thunk_array() {
    // kernel32's lookup table at 0x20B8: replace its terminator and the
    // bytes up to the first hint/name (0x20F8) with that name's RVA, so the
    // walk runs on into the name strings.
    let start = file_offset(EXE, 0x20C0);
    let end = file_offset(EXE, 0x20F8);
    let f = patched(EXE, |v| {
        let mut at = start;
        while at + 8 <= end {
            put64(v, at, 0x20F8);
            at += 8;
        }
    });
    let img = PeImage::parse(&f).unwrap();
    let k32 = img.imports().nth(1).unwrap().unwrap();
    let r: Vec<_> = k32.imports().collect();
    assert!(r.len() < 20);
    assert_eq!(r.last(), Some(&Err(PeError::BadImportThunk)));
}

#[test]
fn thunk_loop_through_the_iat_ends() {
    // OriginalFirstThunk = FirstThunk - 8: lookup entry j is IAT slot j-1,
    // so every address bind writes becomes the next import to resolve. With
    // a resolver that returns a valid name RVA, the table feeds itself until
    // it runs off the image.
    let mut m = mapped(EXE);
    put32(&mut m, FIXDLL_DESCRIPTOR as usize, 0x20C0);
    put64(&mut m, 0x20C0, 0x20F8);
    let mut calls = 0u32;
    let r = bind_imports(&mut m, |_, _| {
        calls += 1;
        Ok::<u64, ()>(0x20F8)
    });
    // It ends when a write lands on a name or the table leaves the image.
    assert!(
        matches!(
            r,
            Err(BindError::Image(
                PeError::BadImportThunk | PeError::BadImportName
            ))
        ),
        "{r:?}"
    );
    assert!(calls > 1 && calls < MAX_IMPORTS_PER_DLL, "{calls} calls");
    // With addresses for results, the loop ends at the first one.
    let mut m = mapped(EXE);
    put32(&mut m, FIXDLL_DESCRIPTOR as usize, 0x20C0);
    put64(&mut m, 0x20C0, 0x20F8);
    let r = bind_imports(&mut m, |_, _| Ok::<u64, ()>(0x7FF0_0000_1000));
    assert_eq!(r, Err(BindError::Image(PeError::BadImportThunk)));
}

#[test]
fn unterminated_descriptor_array() {
    // Copies of a valid descriptor fill a whole section: the walk ends at
    // the section's end, with an error.
    let idata = build_idata(200);
    let img = PeImage::parse(&idata).unwrap();
    let r: Vec<_> = img.imports().collect();
    assert_eq!(r.len(), 200 + 1);
    assert!(r[..200]
        .iter()
        .all(|d| d.as_ref().is_ok_and(|d| d.imports().count() == 1)));
    assert_eq!(r[200].as_ref().unwrap_err(), &PeError::BadImportDescriptor);
}

#[test]
fn too_many_import_descriptors() {
    let idata = build_idata(MAX_IMPORT_DLLS as usize + 10);
    let img = PeImage::parse(&idata).unwrap();
    assert_eq!(
        img.imports().last().unwrap().unwrap_err(),
        PeError::TooManyImports
    );
    assert_eq!(img.imports().count(), MAX_IMPORT_DLLS as usize + 1);
    let mut m = vec![0; img.size_of_image() as usize];
    img.load_into(&mut m).unwrap();
    assert_eq!(
        bind_imports(&mut m, |_, _| Ok::<u64, ()>(1)),
        Err(BindError::Image(PeError::TooManyImports))
    );
}

/// An image whose only section holds: the hint/name `f` at +0, the DLL name
/// `a.dll` at +8, a lookup table [+0, 0] at +16, an IAT at +32, then
/// `count` copies of one descriptor from +48 to the end of the section's
/// raw data, with no terminator.
fn build_idata(count: usize) -> Vec<u8> {
    let b = Builder::new();
    let base = b.rva(0);
    let mut data = vec![0u8; 48];
    data[2] = b'f';
    data[8..13].copy_from_slice(b"a.dll");
    put64(&mut data, 16, u64::from(base));
    put64(&mut data, 32, u64::from(base));
    for _ in 0..count {
        let mut d = [0u8; 20];
        put32(&mut d, 0, base + 16);
        put32(&mut d, 0xC, base + 8);
        put32(&mut d, 0x10, base + 32);
        data.extend_from_slice(&d);
    }
    // Raw data exactly as long as the section, so the walk cannot find a
    // zero descriptor in the file alignment padding.
    let size = data.len() as u32;
    let mut b = b.section(".idata", size, data, SCN_MEM_READ | SCN_MEM_WRITE);
    b.file_alignment = 0x200;
    b.dirs[DIRECTORY_IMPORT] = (base + 48, 20);
    let mut f = b.build();
    // Cut the raw size to the data, without the alignment padding.
    put32(&mut f, SECTION_TABLE + 16, size);
    f.truncate(f.len() - (f.len() - (b.size_of_headers() as usize + size as usize)));
    f
}

// -------------------------------------------------------------------- TLS

fn exe_tls(f: impl FnOnce(&mut Vec<u8>, usize)) -> Vec<u8> {
    let at = file_offset(EXE, 0x2000);
    patched(EXE, |v| f(v, at))
}

fn tls_error(file: &[u8]) -> PeError {
    PeImage::parse(file).unwrap().tls().unwrap_err()
}

#[test]
fn tls_directory_out_of_range() {
    assert_eq!(
        tls_error(&exe_tls(|v, t| put64(v, t, 0x1_4000_4010))),
        PeError::BadTlsDirectory,
        "start > end"
    );
    assert_eq!(
        tls_error(&exe_tls(|v, t| put64(v, t, 0x1_3FFF_F000))),
        PeError::BadTlsDirectory,
        "below base"
    );
    assert_eq!(
        tls_error(&exe_tls(|v, t| put64(v, t + 8, 0x1_4000_6001))),
        PeError::BadTlsDirectory,
        "past image"
    );
    assert_eq!(
        tls_error(&exe_tls(|v, t| put64(v, t + 8, 0x1_4000_4100))),
        PeError::BadTlsDirectory,
        "zero-filled"
    );
    assert_eq!(
        tls_error(&exe_tls(|v, t| put64(v, t + 0x10, 0x1_4000_5FFE))),
        PeError::BadTlsDirectory,
        "index"
    );
    assert_eq!(
        tls_error(&exe_tls(|v, t| put64(v, t + 0x18, 0x1_4000_5FFC))),
        PeError::BadTlsDirectory,
        "callbacks"
    );
    assert_eq!(
        tls_error(&exe_tls(|v, t| put32(v, t + 0x20, 0xFFFF_FFFF))),
        PeError::BadTlsDirectory,
        "zero fill"
    );
    let d = opt(EXE) + 0x70 + 8 * 9;
    assert_eq!(
        tls_error(&patched(EXE, |v| put32(v, d, 0x2120))),
        PeError::BadTlsDirectory,
        "directory"
    );
}

#[test]
fn tls_callbacks_out_of_range_or_unterminated() {
    let cb = file_offset(EXE, 0x2028);
    let f = patched(EXE, |v| put64(v, cb + 8, 0x1_4000_6000));
    let callbacks: Vec<_> = PeImage::parse(&f)
        .unwrap()
        .tls()
        .unwrap()
        .unwrap()
        .callbacks()
        .collect();
    assert_eq!(callbacks, [Ok(0x102A), Err(PeError::BadTlsCallback)]);
    // Fill the array's terminator and the rest of .rdata's data with
    // callback addresses: the walk ends at the end of the data.
    let end = file_offset(EXE, 0x2133) + 1;
    let f = patched(EXE, |v| {
        let mut at = cb + 16;
        while at + 8 <= end {
            put64(v, at, 0x1_4000_102A);
            at += 8;
        }
    });
    let callbacks: Vec<_> = PeImage::parse(&f)
        .unwrap()
        .tls()
        .unwrap()
        .unwrap()
        .callbacks()
        .collect();
    assert!(callbacks.len() < 40);
    assert_eq!(callbacks.last(), Some(&Err(PeError::BadTlsCallback)));
}

#[test]
fn every_error_has_an_image_status() {
    let errors = [
        PeError::TruncatedHeaders,
        PeError::SectionOutOfFile(0),
        PeError::BadRelocationBlock,
        PeError::BadExportName,
        PeError::BadImportThunk,
        PeError::BadTlsCallback,
        PeError::UnsupportedRelocation(4),
    ];
    for e in errors {
        assert_eq!(e.ntstatus(), status::STATUS_INVALID_IMAGE_FORMAT, "{e:?}");
        assert!(!format!("{e}").is_empty());
    }
}
