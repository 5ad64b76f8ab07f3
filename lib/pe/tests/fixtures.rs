//! The crate against real images: the lld-linked fixtures (see
//! tests/fixtures/README.md), checked field by field against what
//! llvm-readobj reports for them, in file form and in mapped form, plus a
//! few hand-built images for layout cases lld does not produce.

mod common;

use common::*;
use pe::consts::*;
use pe::*;

#[test]
fn headers_of_the_dll() {
    let img = PeImage::parse(DLL).unwrap();
    assert_eq!(img.form(), Form::File);
    assert_eq!(img.machine(), MACHINE_AMD64);
    assert!(img.is_dll());
    assert!(!img.relocs_stripped());
    assert_eq!(img.image_base(), 0x1_8000_0000);
    assert_eq!(img.size_of_image(), 0x7000);
    assert_eq!(img.size_of_headers(), 0x400);
    assert_eq!(img.entry_rva(), Some(0x1000));
    assert_eq!(img.subsystem(), SUBSYSTEM_WINDOWS_GUI);
    assert_eq!(img.dll_characteristics(), 0x160);
    assert!(img.is_dynamic_base());
    assert_eq!(img.section_alignment(), 0x1000);
    assert_eq!(img.file_alignment(), 0x200);
    assert_eq!(img.stack_sizes(), (0x10_0000, 0x1000));
    assert_eq!(img.heap_sizes(), (0x10_0000, 0x1000));
    assert_eq!(img.subsystem_version(), (6, 0));
    assert_eq!(
        img.data_directory(DIRECTORY_EXPORT),
        Some(DataDirectory {
            rva: 0x201C,
            size: 0xBD
        })
    );
    assert_eq!(
        img.data_directory(DIRECTORY_BASERELOC),
        Some(DataDirectory {
            rva: 0x6000,
            size: 0xC
        })
    );
    assert_eq!(img.data_directory(DIRECTORY_IMPORT), None);
    assert_eq!(img.data_directory(DIRECTORY_TLS), None);
    assert_eq!(img.data_directory(16), None);
}

#[test]
fn headers_of_the_exe_and_the_fixed_image() {
    let exe = PeImage::parse(EXE).unwrap();
    assert!(!exe.is_dll());
    assert_eq!(exe.image_base(), 0x1_4000_0000);
    assert_eq!(exe.size_of_image(), 0x6000);
    assert_eq!(exe.entry_rva(), Some(0x1000));
    assert_eq!(exe.subsystem(), SUBSYSTEM_WINDOWS_CUI);
    assert_eq!(exe.dll_characteristics(), 0x8160);
    assert_eq!(
        exe.data_directory(DIRECTORY_IMPORT),
        Some(DataDirectory {
            rva: 0x205C,
            size: 0x3C
        })
    );
    assert_eq!(
        exe.data_directory(DIRECTORY_TLS),
        Some(DataDirectory {
            rva: 0x2000,
            size: 0x28
        })
    );
    assert_eq!(
        exe.data_directory(DIRECTORY_IAT),
        Some(DataDirectory {
            rva: 0x20C8,
            size: 0x30
        })
    );

    let fixed = PeImage::parse(FIXED).unwrap();
    assert!(fixed.relocs_stripped());
    assert!(!fixed.is_dynamic_base());
    assert_eq!(fixed.subsystem(), SUBSYSTEM_NATIVE);
    assert_eq!(fixed.size_of_image(), 0x4000);
    assert_eq!(fixed.data_directory(DIRECTORY_BASERELOC), None);
    assert_eq!(fixed.relocations().count(), 0);
    assert!(fixed.exports().unwrap().is_none());
    assert_eq!(fixed.imports().count(), 0);
    assert!(fixed.tls().unwrap().is_none());
}

#[test]
fn sections_and_their_protections() {
    let img = PeImage::parse(DLL).unwrap();
    let got: Vec<_> = img
        .sections()
        .map(|s| {
            (
                s.name().to_vec(),
                s.rva,
                s.virtual_size,
                s.data.len(),
                s.zero_fill(),
                s.protection(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (b".text".to_vec(), 0x1000, 0x1C, 0x1C, 0, PAGE_EXECUTE_READ),
            (b".rdata".to_vec(), 0x2000, 0xD9, 0xD9, 0, PAGE_READONLY),
            // .bss was merged into .data: 0x200 bytes from the file, the rest zero.
            (
                b".data".to_vec(),
                0x3000,
                0x2010,
                0x200,
                0x1E10,
                PAGE_WRITECOPY
            ),
            (b".reloc".to_vec(), 0x6000, 0xC, 0xC, 0, PAGE_READONLY),
        ]
    );
    assert_eq!(img.sections().len(), 4);
    assert_eq!(img.section(4), None);
    assert_eq!(img.section_at_rva(0x4000).map(|s| s.index), Some(2));
    assert_eq!(img.section_at_rva(0x5010).map(|s| s.index), None);
    // The file bytes of .text are the code: DllMain is `mov eax, 1; ret`.
    assert_eq!(
        &img.section(0).unwrap().data[..6],
        &[0xB8, 1, 0, 0, 0, 0xC3]
    );
    let exe = PeImage::parse(EXE).unwrap();
    let names: Vec<_> = exe.sections().map(|s| s.name().to_vec()).collect();
    assert_eq!(
        names,
        [&b".text"[..], b".rdata", b".data", b".tls", b".reloc"]
    );
}

#[test]
fn rva_to_file_offset() {
    let img = PeImage::parse(DLL).unwrap();
    assert_eq!(img.rva_to_offset(0), Some(0));
    assert_eq!(img.rva_to_offset(0x3FF), Some(0x3FF));
    assert_eq!(img.rva_to_offset(0x1000), Some(0x400));
    assert_eq!(img.rva_to_offset(0x201C), Some(0x61C));
    assert_eq!(img.rva_to_offset(0x31FF), Some(0x9FF));
    // Zero-filled bytes and the padding past a section have no file bytes.
    assert_eq!(img.rva_to_offset(0x3200), None);
    assert_eq!(img.rva_to_offset(0x101C), None);
    assert_eq!(img.rva_to_offset(0x7000), None);
    assert_eq!(img.read(0x3200, 1), Err(PeError::RvaOutOfRange));
    assert_eq!(img.read(0x31FF, 2), Err(PeError::RvaOutOfRange));
    assert_eq!(img.read(0x1000, 6).unwrap(), &[0xB8, 1, 0, 0, 0, 0xC3]);
    let name_rva = get32(img.read(0x201C, 40).unwrap(), 0x0C);
    assert_eq!(img.read_cstr(name_rva), Ok("fixdll.dll"));
    // The last byte of .rdata's raw data is padding, with no NUL after it.
    assert_eq!(img.read_cstr(0x21FF), Err(PeError::RvaOutOfRange));

    let m = mapped(DLL);
    let mapped = PeImage::parse_mapped(&m).unwrap();
    assert_eq!(mapped.rva_to_offset(0x3200), Some(0x3200));
    assert_eq!(mapped.read(0x3200, 4).unwrap(), &[0, 0, 0, 0]);
    assert_eq!(mapped.read(0x6FFF, 2), Err(PeError::RvaOutOfRange));
}

#[test]
fn layout_tiles_the_image() {
    for (name, file) in FIXTURES {
        let img = PeImage::parse(file).unwrap();
        let regions: Vec<_> = img.layout().collect();
        assert_eq!(regions.len(), 1 + img.section_count() as usize, "{name}");
        assert_eq!(regions[0].kind, RegionKind::Headers);
        assert_eq!(regions[0].rva, 0);
        assert_eq!(regions[0].data, &file[..img.size_of_headers() as usize]);
        assert_eq!(regions[0].protection, PAGE_READONLY);
        let mut next = 0;
        for r in &regions {
            assert_eq!(r.rva, next, "{name}: regions are contiguous");
            assert!(r.rva + r.size() <= img.size_of_image());
            assert_eq!(r.span % img.section_alignment(), 0);
            next = r.rva + r.span;
        }
        assert_eq!(
            next,
            img.size_of_image(),
            "{name}: the last span ends at SizeOfImage"
        );
    }
    let dll = PeImage::parse(DLL).unwrap();
    let data = dll.layout().nth(3).unwrap();
    assert_eq!(
        (
            data.kind,
            data.rva,
            data.data.len(),
            data.zero_fill,
            data.span,
            data.protection
        ),
        (
            RegionKind::Section(2),
            0x3000,
            0x200,
            0x1E10,
            0x3000,
            PAGE_WRITECOPY
        )
    );
    assert_eq!(private_protection(data.protection), PAGE_READWRITE);
}

#[test]
fn load_into_builds_the_mapped_image() {
    for (name, file) in FIXTURES {
        let img = PeImage::parse(file).unwrap();
        let soi = img.size_of_image() as usize;
        let mut m = vec![0xAA; soi + 16];
        img.load_into(&mut m).unwrap();
        assert_eq!(
            &m[..img.size_of_headers() as usize],
            &file[..img.size_of_headers() as usize],
            "{name}"
        );
        let mut covered = vec![false; soi];
        for s in img.sections() {
            let at = s.rva as usize;
            assert_eq!(&m[at..at + s.data.len()], s.data, "{name}");
            for c in &mut covered[at..at + s.data.len()] {
                *c = true;
            }
        }
        for c in &mut covered[..img.size_of_headers() as usize] {
            *c = true;
        }
        for (i, byte) in m[..soi].iter().enumerate() {
            if !covered[i] {
                assert_eq!(*byte, 0, "{name}: byte {i:#x} is zero-filled");
            }
        }
        assert!(
            m[soi..].iter().all(|&b| b == 0xAA),
            "{name}: nothing written past SizeOfImage"
        );
        let mut small = vec![0; soi - 1];
        assert_eq!(img.load_into(&mut small), Err(PeError::BufferTooSmall));
        assert_eq!(
            PeError::BufferTooSmall.ntstatus(),
            status::STATUS_BUFFER_TOO_SMALL
        );
    }
}

#[test]
fn mapped_form_agrees_with_file_form() {
    for (name, file) in FIXTURES {
        let f = PeImage::parse(file).unwrap();
        let m = mapped(file);
        let g = PeImage::parse_mapped(&m).unwrap();
        assert_eq!(g.form(), Form::Mapped);
        assert_eq!(
            (g.image_base(), g.size_of_image(), g.entry_rva()),
            (f.image_base(), f.size_of_image(), f.entry_rva())
        );
        for (a, b) in f.sections().zip(g.sections()) {
            assert_eq!(
                (a.rva, a.virtual_size, a.characteristics),
                (b.rva, b.virtual_size, b.characteristics)
            );
            assert_eq!(
                b.data.len(),
                b.virtual_size as usize,
                "{name}: mapped sections hold their whole size"
            );
            assert_eq!(&b.data[..a.data.len()], a.data);
        }
        let relocs = |i: &PeImage| i.relocations().collect::<Result<Vec<_>, _>>().unwrap();
        assert_eq!(relocs(&f), relocs(&g), "{name}");
        assert_eq!(exports_of(&f), exports_of(&g), "{name}");
        assert_eq!(imports_of(&f), imports_of(&g), "{name}");
        let tls = |i: &PeImage| {
            i.tls().unwrap().map(|t| {
                (
                    t.template().to_vec(),
                    t.index_rva(),
                    t.callbacks().collect::<Vec<_>>(),
                )
            })
        };
        assert_eq!(tls(&f), tls(&g), "{name}");
        // A buffer shorter than SizeOfImage is not a mapped image, but its
        // headers tell how long it should be.
        assert_eq!(
            PeImage::parse_mapped(&m[..m.len() - 1]).unwrap_err(),
            PeError::BufferTooSmall
        );
        let headers = &m[..f.size_of_headers() as usize];
        assert_eq!(PeImage::mapped_size(headers), Ok(f.size_of_image()));
        let short = &headers[..headers.len() - 1];
        assert_eq!(PeImage::mapped_size(short), Err(PeError::BadSizeOfHeaders));
        assert_eq!(
            PeImage::mapped_size(&headers[..0x40]),
            Err(PeError::BadLfanew)
        );
    }
}

fn exports_of<'a>(img: &PeImage<'a>) -> Option<Vec<(u32, Export<'a>)>> {
    img.exports().unwrap().map(|e| e.iter().collect())
}

type ImportList = Vec<(String, Vec<(Import<'static>, u32)>)>;

fn imports_of(img: &PeImage) -> ImportList {
    img.imports()
        .map(|dll| {
            let dll = dll.unwrap();
            let list = dll
                .imports()
                .map(|e| {
                    let e = e.unwrap();
                    let import = match e.import {
                        Import::ByName { hint, name } => Import::ByName {
                            hint,
                            name: name.to_string().leak(),
                        },
                        Import::ByOrdinal(o) => Import::ByOrdinal(o),
                    };
                    (import, e.iat_rva)
                })
                .collect();
            (dll.name().to_string(), list)
        })
        .collect()
}

#[test]
fn relocations_of_the_exe() {
    let img = PeImage::parse(EXE).unwrap();
    let got: Vec<_> = img.relocations().map(|r| r.unwrap()).collect();
    let rvas = [
        0x2000, 0x2008, 0x2010, 0x2018, 0x2028, 0x2030, 0x3000, 0x3008, 0x3010,
    ];
    let want: Vec<_> = rvas
        .iter()
        .map(|&rva| Relocation {
            rva,
            kind: RelocKind::Dir64,
        })
        .collect();
    assert_eq!(got, want);
    let dll = PeImage::parse(DLL).unwrap();
    assert_eq!(
        dll.relocations()
            .map(|r| r.unwrap().rva)
            .collect::<Vec<_>>(),
        [0x3000]
    );
}

#[test]
fn rebase_moves_every_pointer_and_the_header() {
    let img = PeImage::parse(EXE).unwrap();
    let original = mapped(EXE);
    let mut m = original.clone();
    let new_base = 0x7FF6_1230_0000u64;
    let delta = new_base.wrapping_sub(img.image_base());
    rebase(&mut m, new_base).unwrap();
    let rvas: Vec<u32> = img.relocations().map(|r| r.unwrap().rva).collect();
    for rva in &rvas {
        let at = *rva as usize;
        assert_eq!(
            get64(&m, at),
            get64(&original, at).wrapping_add(delta),
            "{rva:#x}"
        );
    }
    // Only the relocated values and the ImageBase field changed.
    let base_field = opt(EXE) + 0x18;
    for (i, (a, b)) in original.iter().zip(&m).enumerate() {
        let relocated = rvas
            .iter()
            .any(|&r| (r as usize..r as usize + 8).contains(&i));
        if a != b {
            assert!(
                relocated || (base_field..base_field + 8).contains(&i),
                "byte {i:#x} changed"
            );
        }
    }
    // The table pointer at .data+0 pointed at `start` (RVA 0x1000).
    assert_eq!(get64(&m, 0x3000), new_base + 0x1000);
    let moved = PeImage::parse_mapped(&m).unwrap();
    assert_eq!(moved.image_base(), new_base);
    // TLS addresses are converted with the new base, so they still land.
    let tls = moved.tls().unwrap().unwrap();
    assert_eq!(tls.raw_addresses()[0], new_base + 0x4000);
    assert_eq!(
        tls.callbacks().map(|c| c.unwrap()).collect::<Vec<_>>(),
        [0x102A, 0x102B]
    );
    // Moving back restores the original image exactly.
    rebase(&mut m, img.image_base()).unwrap();
    assert_eq!(m, original);
    // Applying a zero delta changes nothing.
    apply_relocations(&mut m, 0).unwrap();
    assert_eq!(m, original);
    // A raw delta leaves the header alone.
    apply_relocations(&mut m, 0x10000).unwrap();
    assert_eq!(get64(&m, 0x3000), 0x1_4000_0000 + 0x1000 + 0x10000);
    assert_eq!(
        PeImage::parse_mapped(&m).unwrap().image_base(),
        0x1_4000_0000
    );
}

#[test]
fn rebase_checks_the_new_base() {
    let mut m = mapped(DLL);
    assert_eq!(rebase(&mut m, 0x1234_5000), Err(PeError::BadImageBase));
    assert_eq!(m, mapped(DLL));
    rebase(&mut m, 0x10000).unwrap();
    assert_eq!(get64(&m, 0x3000), 0x10000 + 0x3010);
}

#[test]
fn a_fixed_image_cannot_move() {
    let mut m = mapped(FIXED);
    assert_eq!(
        rebase(&mut m, 0x2_0000_0000),
        Err(PeError::RelocationsStripped)
    );
    assert_eq!(
        PeError::RelocationsStripped.ntstatus(),
        status::STATUS_CONFLICTING_ADDRESSES
    );
    assert_eq!(m, mapped(FIXED));
    rebase(&mut m, 0x1_4000_0000).unwrap();
    assert_eq!(m, mapped(FIXED));
}

#[test]
fn exports_by_name_ordinal_and_hint() {
    let img = PeImage::parse(DLL).unwrap();
    let e = img.exports().unwrap().unwrap();
    assert_eq!(e.dll_name(), Some("fixdll.dll"));
    assert_eq!(e.ordinal_base(), 7);
    assert_eq!(e.function_count(), 7);
    assert_eq!(e.name_count(), 5);
    assert!(e.is_sorted());
    let fwd = |dll, target| Some(Export::Forwarder { dll, target });
    assert_eq!(e.by_name("add_one"), Some(Export::Rva(0x1006)));
    assert_eq!(e.by_name("times_two"), Some(Export::Rva(0x100A)));
    assert_eq!(e.by_name("exported_data"), Some(Export::Rva(0x3008)));
    assert_eq!(
        e.by_name("FwdByName"),
        fwd("other", ForwardTarget::Name("RealFunc"))
    );
    assert_eq!(
        e.by_name("FwdByOrdinal"),
        fwd("other", ForwardTarget::Ordinal(42))
    );
    for missing in ["", "hidden", "add_on", "add_one_", "ADD_ONE", "zzz", "A"] {
        assert_eq!(e.by_name(missing), None, "{missing:?}");
    }
    assert_eq!(e.by_ordinal(7), Some(Export::Rva(0x100A)));
    assert_eq!(e.by_ordinal(8), None, "an unused slot");
    assert_eq!(
        e.by_ordinal(9),
        Some(Export::Rva(0x100E)),
        "the NONAME export"
    );
    assert_eq!(
        e.by_ordinal(10),
        fwd("other", ForwardTarget::Name("RealFunc"))
    );
    assert_eq!(e.by_ordinal(12), Some(Export::Rva(0x1006)));
    assert_eq!(e.by_ordinal(6), None);
    assert_eq!(e.by_ordinal(14), None);
    assert_eq!(e.by_ordinal(0), None);
    // Hints: right, wrong, and out of range all find the name.
    let add_one_slot = (0..e.name_count())
        .find(|&i| e.name_entry(i).unwrap().0 == "add_one")
        .unwrap() as u16;
    assert_eq!(
        e.by_hint_or_name(add_one_slot, "add_one"),
        Some(Export::Rva(0x1006))
    );
    assert_eq!(e.by_hint_or_name(0, "add_one"), Some(Export::Rva(0x1006)));
    assert_eq!(e.by_hint_or_name(999, "add_one"), Some(Export::Rva(0x1006)));
    assert_eq!(e.by_hint_or_name(add_one_slot, "nope"), None);
    let names: Vec<_> = (0..e.name_count())
        .map(|i| e.name_entry(i).unwrap())
        .collect();
    assert_eq!(
        names,
        [
            ("FwdByName", 10),
            ("FwdByOrdinal", 11),
            ("add_one", 12),
            ("exported_data", 13),
            ("times_two", 7)
        ]
    );
    assert_eq!(e.name_entry(5), None);
    let all: Vec<_> = e.iter().map(|(o, _)| o).collect();
    assert_eq!(all, [7, 9, 10, 11, 12, 13]);
}

#[test]
fn imports_of_the_exe() {
    let img = PeImage::parse(EXE).unwrap();
    let by_name = |hint, name| Import::ByName { hint, name };
    assert_eq!(
        imports_of(&img),
        [
            (
                "fixdll.dll".to_string(),
                vec![
                    (by_name(0, "add_one"), 0x20C8),
                    (Import::ByOrdinal(9), 0x20D0),
                    (by_name(7, "times_two"), 0x20D8)
                ]
            ),
            (
                "kernel32.dll".to_string(),
                vec![(by_name(0, "ExitProcess"), 0x20E8)]
            ),
        ]
    );
    let dll = img.imports().next().unwrap().unwrap();
    assert_eq!(
        (dll.iat_rva(), dll.lookup_rva(), dll.time_date_stamp()),
        (0x20C8, 0x2098, 0)
    );
    assert_eq!(
        by_name(0, "x").not_found_status(),
        status::STATUS_ENTRYPOINT_NOT_FOUND
    );
    assert_eq!(
        Import::ByOrdinal(1).not_found_status(),
        status::STATUS_ORDINAL_NOT_FOUND
    );
    assert_eq!(PeImage::parse(DLL).unwrap().imports().count(), 0);
}

#[test]
fn bind_resolves_through_the_dll_exports() {
    let dll = PeImage::parse(DLL).unwrap();
    let exports = dll.exports().unwrap().unwrap();
    let dll_base = 0x7FF8_0000_0000u64;
    let mut m = mapped(EXE);
    let mut seen = Vec::new();
    bind_imports(&mut m, |name, import| {
        seen.push((name.to_string(), format!("{import:?}")));
        match name {
            "fixdll.dll" => match exports.resolve(import) {
                Some(Export::Rva(rva)) => Ok(dll_base + u64::from(rva)),
                _ => Err(import.not_found_status()),
            },
            "kernel32.dll" => Ok(0x7FFE_0000_1000),
            _ => Err(status::STATUS_DLL_NOT_FOUND),
        }
    })
    .unwrap();
    assert_eq!(seen.len(), 4);
    assert_eq!(get64(&m, 0x20C8), dll_base + 0x1006);
    assert_eq!(get64(&m, 0x20D0), dll_base + 0x100E);
    assert_eq!(get64(&m, 0x20D8), dll_base + 0x100A);
    assert_eq!(get64(&m, 0x20E0), 0, "the terminator stays");
    assert_eq!(get64(&m, 0x20E8), 0x7FFE_0000_1000);
    // The names survive binding in OriginalFirstThunk.
    let bound = PeImage::parse_mapped(&m).unwrap();
    assert_eq!(
        imports_of(&bound),
        imports_of(&PeImage::parse(EXE).unwrap())
    );
}

#[test]
fn bind_reports_the_resolvers_error() {
    let mut m = mapped(EXE);
    let r = bind_imports(&mut m, |name, import| match (name, import) {
        ("fixdll.dll", Import::ByOrdinal(9)) => Err(import.not_found_status()),
        _ => Ok(1),
    });
    assert_eq!(r, Err(BindError::Resolve(status::STATUS_ORDINAL_NOT_FOUND)));
    assert_eq!(
        get64(&m, 0x20C8),
        1,
        "slots before the failure were written"
    );
    assert_ne!(get64(&m, 0x20D0), 1);
    // An image without imports binds trivially.
    let mut d = mapped(DLL);
    bind_imports(&mut d, |_, _| -> Result<u64, ()> { panic!("no imports") }).unwrap();
}

#[test]
fn tls_of_the_exe() {
    let img = PeImage::parse(EXE).unwrap();
    let tls = img.tls().unwrap().unwrap();
    assert_eq!(tls.template_rva(), 0x4000);
    assert_eq!(
        tls.template(),
        &[0xEF, 0xBE, 0xAD, 0xDE, 0x0D, 0xF0, 0xFE, 0xCA]
    );
    assert_eq!(tls.zero_fill(), 0x10);
    assert_eq!(tls.block_size(), 0x18);
    assert_eq!(tls.index_rva(), Some(0x302C));
    assert_eq!(tls.characteristics(), 0x0010_0000);
    assert_eq!(
        tls.raw_addresses(),
        [0x1_4000_4000, 0x1_4000_4008, 0x1_4000_302C, 0x1_4000_2028]
    );
    assert_eq!(
        tls.callbacks().collect::<Vec<_>>(),
        [Ok(0x102A), Ok(0x102B)]
    );
}

// Hand-built images for cases the fixtures do not cover.

#[test]
fn built_images_parse() {
    let b = Builder::new()
        .section(
            ".text",
            0x10,
            vec![0xC3; 0x10],
            SCN_CNT_CODE | SCN_MEM_EXECUTE | SCN_MEM_READ,
        )
        .section(
            ".bss",
            0x3000,
            vec![],
            SCN_CNT_UNINITIALIZED_DATA | SCN_MEM_READ | SCN_MEM_WRITE,
        )
        .section(
            ".shared",
            0,
            vec![7; 0x30],
            SCN_MEM_READ | SCN_MEM_WRITE | SCN_MEM_SHARED,
        );
    let file = b.build();
    let img = PeImage::parse(&file).unwrap();
    let s: Vec<_> = img
        .sections()
        .map(|s| (s.rva, s.virtual_size, s.data.len(), s.protection()))
        .collect();
    assert_eq!(
        s,
        [
            (0x1000, 0x10, 0x10, PAGE_EXECUTE_READ),
            (0x2000, 0x3000, 0, PAGE_WRITECOPY),
            // VirtualSize 0: the raw size (0x200 after file alignment) counts.
            (0x5000, 0x200, 0x200, PAGE_READWRITE),
        ]
    );
    assert_eq!(img.entry_rva(), None);
    let mut m = vec![0xFF; img.size_of_image() as usize];
    img.load_into(&mut m).unwrap();
    assert!(m[0x2000..0x5000].iter().all(|&b| b == 0));
    assert_eq!(&m[0x5000..0x5030], &[7; 0x30]);
}

#[test]
fn low_alignment_images_map_with_one_protection() {
    let mut b = Builder::new();
    b.section_alignment = 0x200;
    b.file_alignment = 0x200;
    let b = b
        .section(
            ".text",
            0x10,
            vec![0xC3; 0x10],
            SCN_MEM_EXECUTE | SCN_MEM_READ,
        )
        .section(".rdata", 0x10, vec![1; 0x10], SCN_MEM_READ);
    let file = b.build();
    let img = PeImage::parse(&file).unwrap();
    assert!(img.layout().all(|r| r.protection == PAGE_EXECUTE_WRITECOPY));
    // File offsets and RVAs coincide.
    for s in img.sections() {
        assert_eq!(img.rva_to_offset(s.rva), Some(s.rva as usize));
    }
    // FileAlignment must then equal SectionAlignment.
    let mut bad = file.clone();
    put32(&mut bad, OPT + 0x24, 0x100);
    assert_eq!(PeImage::parse(&bad).unwrap_err(), PeError::BadAlignment);
}
