//! The loader helpers of `mapped.rs` on mapped images: the fixtures, DLLs
//! built here with export directories chosen per test (forwarder chains,
//! cycles, missing targets), ntdll.dll as the project builds it (when it has
//! been built), and corrupted copies that must fail cleanly.

mod common;

use common::*;
use pe::consts::*;
use pe::status::*;
use pe::*;
use proptest::prelude::*;

fn w(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// What an export slot of a built DLL holds.
#[derive(Clone, Copy)]
enum Ex {
    /// Code at this offset into the DLL's `.text`.
    Code(u32),
    /// A forwarder string.
    Fwd(&'static str),
}

/// `.text` of every built DLL, where `Ex::Code` offsets point.
const TEXT_RVA: u32 = 0x1000;

/// A mapped DLL exporting `entries` (ordinal, name, what) with ordinal
/// base `base`: `.text` (0x100 bytes of code), then `.edata` holding the
/// export directory, its arrays and strings (forwarder strings inside the
/// directory's range, as the format requires).
fn export_dll(dll: &str, base: u32, entries: &[(u32, Option<&str>, Ex)]) -> Vec<u8> {
    let b = Builder::new().section(".text", 0x100, vec![0xC3; 0x100], 0x6000_0020);
    let edata_rva = b.rva(1);
    let count = entries.iter().map(|e| e.0 - base + 1).max().unwrap_or(0);
    let mut named: Vec<(&str, u32)> = entries
        .iter()
        .filter_map(|(o, n, _)| n.map(|n| (n, o - base)))
        .collect();
    named.sort();

    let functions = 40u32;
    let names = functions + 4 * count;
    let ordinals = names + 4 * named.len() as u32;
    let mut data = vec![0u8; (ordinals + 2 * named.len() as u32) as usize];
    let string = |data: &mut Vec<u8>, s: &str| {
        let rva = edata_rva + data.len() as u32;
        data.extend_from_slice(s.as_bytes());
        data.push(0);
        rva
    };
    let dll_name = string(&mut data, dll);
    put32(&mut data, 0x0C, dll_name);
    put32(&mut data, 0x10, base);
    put32(&mut data, 0x14, count);
    put32(&mut data, 0x18, named.len() as u32);
    put32(&mut data, 0x1C, edata_rva + functions);
    put32(&mut data, 0x20, edata_rva + names);
    put32(&mut data, 0x24, edata_rva + ordinals);
    for (ordinal, _, what) in entries {
        let rva = match *what {
            Ex::Code(off) => TEXT_RVA + off,
            Ex::Fwd(s) => string(&mut data, s),
        };
        put32(&mut data, (functions + 4 * (ordinal - base)) as usize, rva);
    }
    for (i, (name, index)) in named.iter().enumerate() {
        let rva = string(&mut data, name);
        put32(&mut data, names as usize + 4 * i, rva);
        put16(&mut data, ordinals as usize + 2 * i, *index as u16);
    }
    let mut b = b.section(".edata", 0, data.clone(), 0x4000_0040);
    b.characteristics |= FILE_DLL;
    b.dirs[DIRECTORY_EXPORT] = (edata_rva, data.len() as u32);
    mapped(&b.build())
}

/// Loaded modules for [`resolve_export`]: name, base, mapped image. Every
/// forwarder the resolver follows is recorded.
struct Set<'m> {
    modules: Vec<(&'static str, u64, &'m [u8])>,
    forwarded: Vec<String>,
}

impl<'m> Set<'m> {
    fn new(modules: &[(&'static str, u64, &'m [u8])]) -> Self {
        Set {
            modules: modules.to_vec(),
            forwarded: Vec::new(),
        }
    }

    fn find(&self, dll: &str) -> Result<usize, u32> {
        let name = DllName::from_utf8(dll).ok_or(STATUS_INVALID_IMAGE_FORMAT)?;
        self.modules
            .iter()
            .position(|(n, _, _)| name.matches(&w(n)))
            .ok_or(STATUS_DLL_NOT_FOUND)
    }

    fn lookup(&mut self, dll: &str, lookup: Lookup<'_>) -> Result<u64, u32> {
        let m = self.find(dll)?;
        resolve_export(self, m, lookup)
    }
}

impl<'m> Modules<'m> for Set<'m> {
    type Module = usize;

    fn exports(&mut self, m: usize) -> Result<(u64, Option<Exports<'m>>), u32> {
        let (_, base, image) = self.modules[m];
        let image = PeImage::parse_mapped(image).map_err(|e| e.ntstatus())?;
        Ok((base, image.exports().map_err(|e| e.ntstatus())?))
    }

    fn forwarded(&mut self, dll: &str) -> Result<usize, u32> {
        self.forwarded.push(dll.into());
        self.find(dll)
    }
}

/// Resolves an image's imports against a [`Set`], recording the DLLs it
/// opens.
struct SetResolver<'m> {
    set: Set<'m>,
    opened: Vec<String>,
}

impl Resolver for SetResolver<'_> {
    type Dll = usize;
    type Error = u32;

    fn dll(&mut self, name: &str) -> Result<usize, u32> {
        self.opened.push(name.into());
        self.set.find(name)
    }

    fn import(&mut self, dll: &mut usize, import: &Import<'_>) -> Result<u64, u32> {
        resolve_export(&mut self.set, *dll, (*import).into())
    }
}

const DLL_BASE: u64 = 0x1_8000_0000;
const OTHER_BASE: u64 = 0x7FF0_0000_0000;
const K32_BASE: u64 = 0x7FF1_0000_0000;

fn other() -> Vec<u8> {
    export_dll(
        "other.dll",
        40,
        &[
            (41, Some("RealFunc"), Ex::Code(0x30)),
            (42, None, Ex::Code(0x20)),
        ],
    )
}

fn kernel32() -> Vec<u8> {
    export_dll(
        "KERNEL32.dll",
        1,
        &[(1, Some("ExitProcess"), Ex::Code(0x10))],
    )
}

#[test]
fn exports_resolve_by_name_hint_and_ordinal() {
    let (dll, other) = (mapped(DLL), other());
    let mut set = Set::new(&[
        ("fixdll.dll", DLL_BASE, &dll),
        ("other.dll", OTHER_BASE, &other),
    ]);
    let by_name = |name| Lookup::Name { hint: None, name };
    assert_eq!(
        set.lookup("fixdll", by_name("add_one")),
        Ok(DLL_BASE + 0x1006)
    );
    assert_eq!(
        set.lookup("FIXDLL.DLL", by_name("times_two")),
        Ok(DLL_BASE + 0x100A)
    );
    // A wrong hint falls back to the search; a right one is used directly.
    let hinted = |hint, name| Lookup::Name {
        hint: Some(hint),
        name,
    };
    assert_eq!(
        set.lookup("fixdll", hinted(0, "add_one")),
        Ok(DLL_BASE + 0x1006)
    );
    assert_eq!(
        set.lookup("fixdll", hinted(999, "add_one")),
        Ok(DLL_BASE + 0x1006)
    );
    assert_eq!(
        set.lookup("fixdll", Lookup::Ordinal(9)),
        Ok(DLL_BASE + 0x100E)
    );
    assert_eq!(
        set.lookup("fixdll", Lookup::Ordinal(13)),
        Ok(DLL_BASE + 0x3008)
    );
    assert!(set.forwarded.is_empty());

    assert_eq!(
        set.lookup("fixdll", by_name("Add_One")),
        Err(STATUS_ENTRYPOINT_NOT_FOUND)
    );
    assert_eq!(
        set.lookup("fixdll", by_name("hidden")),
        Err(STATUS_ENTRYPOINT_NOT_FOUND)
    );
    for ordinal in [0, 6, 8, 14, 0x1_0007, u32::MAX] {
        let r = set.lookup("fixdll", Lookup::Ordinal(ordinal));
        assert_eq!(r, Err(STATUS_ORDINAL_NOT_FOUND), "{ordinal}");
    }
    assert_eq!(
        set.lookup("nosuch", by_name("f")),
        Err(STATUS_DLL_NOT_FOUND)
    );
}

#[test]
fn forwarders_are_followed_by_name_and_ordinal() {
    let (dll, other) = (mapped(DLL), other());
    let mut set = Set::new(&[
        ("fixdll.dll", DLL_BASE, &dll),
        ("other.dll", OTHER_BASE, &other),
    ]);
    let by_name = |name| Lookup::Name { hint: None, name };
    assert_eq!(
        set.lookup("fixdll", by_name("FwdByName")),
        Ok(OTHER_BASE + u64::from(TEXT_RVA) + 0x30)
    );
    assert_eq!(
        set.lookup("fixdll", Lookup::Ordinal(11)),
        Ok(OTHER_BASE + u64::from(TEXT_RVA) + 0x20)
    );
    assert_eq!(set.forwarded, ["other", "other"]);

    // The forwarders' DLL is missing: its absence is the error.
    let mut alone = Set::new(&[("fixdll.dll", DLL_BASE, &dll)]);
    assert_eq!(
        alone.lookup("fixdll", by_name("FwdByOrdinal")),
        Err(STATUS_DLL_NOT_FOUND)
    );
}

#[test]
fn forwarder_chains_cycles_and_missing_targets() {
    let a = export_dll(
        "a.dll",
        1,
        &[
            (1, Some("chain"), Ex::Fwd("b.step")),
            (2, Some("loop"), Ex::Fwd("b.loop")),
            (3, Some("gone"), Ex::Fwd("b.nothing")),
            (4, Some("gone_ord"), Ex::Fwd("b.#77")),
            (5, Some("self"), Ex::Fwd("A.DLL.self")),
        ],
    );
    let b = export_dll(
        "b.dll",
        10,
        &[
            (10, Some("step"), Ex::Fwd("c.x.#5")),
            (11, Some("loop"), Ex::Fwd("a.loop")),
        ],
    );
    let c = export_dll("c.x", 5, &[(5, None, Ex::Code(0x44))]);
    let mut set = Set::new(&[
        ("a.dll", 0x10000, &a),
        ("b.dll", 0x20000, &b),
        ("c.x", 0x30000, &c),
    ]);
    let by_name = |name| Lookup::Name { hint: None, name };

    assert_eq!(
        set.lookup("a", by_name("chain")),
        Ok(0x30000 + u64::from(TEXT_RVA) + 0x44)
    );
    assert_eq!(set.forwarded, ["b", "c.x"]);

    set.forwarded.clear();
    assert_eq!(
        set.lookup("a", by_name("loop")),
        Err(STATUS_ENTRYPOINT_NOT_FOUND)
    );
    assert_eq!(set.forwarded.len(), MAX_FORWARD_HOPS as usize + 1);
    set.forwarded.clear();
    assert_eq!(
        set.lookup("a", by_name("self")),
        Err(STATUS_ENTRYPOINT_NOT_FOUND)
    );
    assert_eq!(set.forwarded.len(), MAX_FORWARD_HOPS as usize + 1);

    assert_eq!(
        set.lookup("a", by_name("gone")),
        Err(STATUS_ENTRYPOINT_NOT_FOUND)
    );
    assert_eq!(
        set.lookup("a", by_name("gone_ord")),
        Err(STATUS_ORDINAL_NOT_FOUND)
    );
}

#[test]
fn a_module_without_exports_exports_nothing() {
    let fixed = mapped(FIXED);
    let mut set = Set::new(&[("fixed.exe", 0x40_0000, &fixed)]);
    assert_eq!(
        set.lookup(
            "fixed.exe",
            Lookup::Name {
                hint: None,
                name: "x"
            }
        ),
        Err(STATUS_ENTRYPOINT_NOT_FOUND)
    );
    assert_eq!(
        set.lookup("fixed.exe", Lookup::Ordinal(1)),
        Err(STATUS_ORDINAL_NOT_FOUND)
    );
}

#[test]
fn imports_resolve_into_fixups_that_bind_like_bind_imports() {
    let (dll, other, k32) = (mapped(DLL), other(), kernel32());
    let modules = [
        ("fixdll.dll", DLL_BASE, &dll[..]),
        ("other.dll", OTHER_BASE, &other[..]),
        ("kernel32.dll", K32_BASE, &k32[..]),
    ];
    let exe = mapped(EXE);
    let image = PeImage::parse_mapped(&exe).unwrap();
    assert_eq!(count_imports(&image), Ok(4));

    let mut r = SetResolver {
        set: Set::new(&modules),
        opened: Vec::new(),
    };
    let mut fixups = [Fixup::default(); 4];
    assert_eq!(resolve_imports(&image, &mut fixups, &mut r), Ok(4));
    assert_eq!(r.opened, ["fixdll.dll", "kernel32.dll"]);
    assert_eq!(
        fixups,
        [
            Fixup {
                iat_rva: 0x20C8,
                address: DLL_BASE + 0x1006
            },
            Fixup {
                iat_rva: 0x20D0,
                address: DLL_BASE + 0x100E
            },
            Fixup {
                iat_rva: 0x20D8,
                address: DLL_BASE + 0x100A
            },
            Fixup {
                iat_rva: 0x20E8,
                address: K32_BASE + u64::from(TEXT_RVA) + 0x10
            },
        ]
    );

    // The same addresses as bind_imports writes with the same resolution.
    let mut by_fixups = exe.clone();
    apply_fixups(&mut by_fixups, &fixups).unwrap();
    let mut bound = exe.clone();
    let mut set = Set::new(&modules);
    bind_imports(&mut bound, |dll, import| {
        let m = set.find(dll)?;
        resolve_export(&mut set, m, (*import).into())
    })
    .unwrap();
    assert_eq!(by_fixups, bound);
    assert_ne!(by_fixups, exe);

    // The whole IAT is one run in .rdata, made writable as plain data.
    let runs: Vec<_> = write_runs(&image, &fixups).collect();
    assert_eq!(
        runs,
        [Ok(WriteRun {
            rva: 0x20C8,
            len: 0x28,
            fixups: 0..4,
            characteristics: PeImage::parse_mapped(&exe)
                .unwrap()
                .section(1)
                .unwrap()
                .characteristics,
        })]
    );
    assert_eq!(
        runs[0].as_ref().unwrap().write_protection(),
        Some(PAGE_READWRITE)
    );
}

#[test]
fn resolution_failures_stop_the_walk() {
    let dll = mapped(DLL);
    let exe = mapped(EXE);
    let image = PeImage::parse_mapped(&exe).unwrap();
    let mut fixups = [Fixup::default(); 4];

    // kernel32 is not loaded: the three fixdll imports resolve, then the
    // second descriptor fails.
    let mut r = SetResolver {
        set: Set::new(&[("fixdll.dll", DLL_BASE, &dll)]),
        opened: Vec::new(),
    };
    assert_eq!(
        resolve_imports(&image, &mut fixups, &mut r),
        Err(BindError::Resolve(STATUS_DLL_NOT_FOUND))
    );

    // A fixdll without `hidden` (ordinal 9): the import by ordinal fails.
    let stripped = export_dll(
        "fixdll.dll",
        7,
        &[
            (7, Some("times_two"), Ex::Code(0)),
            (12, Some("add_one"), Ex::Code(0)),
        ],
    );
    let mut r = SetResolver {
        set: Set::new(&[("fixdll.dll", DLL_BASE, &stripped)]),
        opened: Vec::new(),
    };
    assert_eq!(
        resolve_imports(&image, &mut fixups, &mut r),
        Err(BindError::Resolve(STATUS_ORDINAL_NOT_FOUND))
    );

    // Too short a fixup list.
    let k32 = kernel32();
    let mut r = SetResolver {
        set: Set::new(&[
            ("fixdll.dll", DLL_BASE, &dll),
            ("kernel32.dll", K32_BASE, &k32),
        ]),
        opened: Vec::new(),
    };
    assert_eq!(
        resolve_imports(&image, &mut fixups[..3], &mut r),
        Err(BindError::Image(PeError::TooManyImports))
    );
}

#[test]
fn malformed_import_tables_are_refused() {
    let exe = mapped(EXE);
    let check = |patch: &dyn Fn(&mut Vec<u8>), want: PeError| {
        let bad = patched(&exe, |m| patch(m));
        let image = PeImage::parse_mapped(&bad).unwrap();
        assert_eq!(count_imports(&image), Err(want));
        let mut r = SetResolver {
            set: Set::new(&[]),
            opened: Vec::new(),
        };
        let mut fixups = [Fixup::default(); 8];
        let got = resolve_imports(&image, &mut fixups, &mut r);
        assert!(got.is_err(), "{got:?}");
    };
    // The first descriptor's DLL name points outside the image.
    check(
        &|m| put32(m, 0x205C + 0xC, 0x7FFF_0000),
        PeError::BadImportName,
    );
    // Its lookup table's first entry has reserved bits set.
    check(
        &|m| put64(m, 0x2098, 0x0000_0001_0000_0000),
        PeError::BadImportThunk,
    );
    // Its IAT runs past SizeOfImage.
    check(
        &|m| put32(m, 0x205C + 0x10, 0x5FF8),
        PeError::BadImportThunk,
    );
}

#[test]
fn write_runs_split_by_section_and_refuse_stray_slots() {
    let exe = mapped(EXE);
    let image = PeImage::parse_mapped(&exe).unwrap();
    let f = |iat_rva| Fixup {
        iat_rva,
        address: 1,
    };
    let runs: Vec<_> = write_runs(
        &image,
        &[f(0x2100), f(0x2000), f(0x3000), f(0x3010), f(0x2008)],
    )
    .map(Result::unwrap)
    .collect();
    assert_eq!(runs.len(), 3);
    assert_eq!(
        (runs[0].rva, runs[0].len, runs[0].fixups.clone()),
        (0x2000, 0x108, 0..2)
    );
    assert_eq!(
        (runs[1].rva, runs[1].len, runs[1].fixups.clone()),
        (0x3000, 0x18, 2..4)
    );
    assert_eq!(
        (runs[2].rva, runs[2].len, runs[2].fixups.clone()),
        (0x2008, 8, 4..5)
    );
    assert_eq!(runs[1].write_protection(), None);
    assert!(write_runs(&image, &[]).next().is_none());

    // In the headers, straddling the end of .text (0x2E bytes at 0x1000),
    // outside the image: an error, after which the walk stops.
    for bad in [0x10, 0x1028, 0x6000, u32::MAX - 3] {
        let fixups = [f(0x2000), f(bad), f(0x2008)];
        let mut runs = write_runs(&image, &fixups);
        assert!(runs.next().unwrap().is_ok());
        assert_eq!(runs.next(), Some(Err(PeError::BadImportThunk)), "{bad:#x}");
        assert_eq!(runs.next(), None);
    }
    // .text (0x1000..0x102E) holds whole slots up to 0x1026.
    let text = write_runs(&image, &[f(0x1026)]).next().unwrap().unwrap();
    assert_eq!(text.write_protection(), Some(PAGE_EXECUTE_READWRITE));

    let mut copy = exe.clone();
    assert_eq!(apply_fixups(&mut copy, &[f(0x5FF8)]), Ok(()));
    assert_eq!(
        apply_fixups(&mut copy, &[f(0x5FF9)]),
        Err(PeError::BadImportThunk)
    );
    assert_eq!(
        apply_fixups(&mut copy, &[f(u32::MAX)]),
        Err(PeError::BadImportThunk)
    );
}

#[test]
fn tls_index_slots_must_be_writable() {
    let exe = mapped(EXE);
    let image = PeImage::parse_mapped(&exe).unwrap();
    let index = image.tls().unwrap().unwrap().index_rva().unwrap();
    assert_eq!(index, 0x302C);
    assert!(is_writable(&image, index, 4));
    assert!(is_writable(&image, 0x3000, 0));
    assert!(!is_writable(&image, index, 0x1000));
    assert!(!is_writable(&image, 0x2000, 4));
    assert!(!is_writable(&image, 0x10, 4));
    assert!(!is_writable(&image, 0x7000, 4));
    assert!(!is_writable(&image, u32::MAX, 4));
}

/// ntdll.dll as `./x build` leaves it; the test is skipped (with a note)
/// when it has not been built.
fn built_ntdll() -> Option<Vec<u8>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/pe/x86_64-pc-windows-msvc/debug/ntdll.dll"
    );
    match std::fs::read(path) {
        Ok(file) => Some(file),
        Err(_) => {
            eprintln!("{path} not built: skipping");
            None
        }
    }
}

#[test]
fn every_export_of_the_built_ntdll_resolves() {
    let Some(file) = built_ntdll() else { return };
    let image = mapped(&file);
    let parsed = PeImage::parse_mapped(&image).unwrap();
    assert!(parsed.is_dll());
    assert_eq!(count_imports(&parsed), Ok(0));
    let base = parsed.image_base();
    let exports = parsed.exports().unwrap().unwrap();
    assert!(exports.function_count() > 100);
    let mut set = Set::new(&[("ntdll.dll", base, &image)]);
    for i in 0..exports.name_count() {
        let (name, ordinal) = exports.name_entry(i).unwrap();
        let Some(Export::Rva(rva)) = exports.by_ordinal(ordinal) else {
            panic!("{name} is not code or data");
        };
        let want = Ok(base + u64::from(rva));
        let hint = u16::try_from(i).unwrap();
        assert_eq!(
            set.lookup(
                "ntdll",
                Lookup::Name {
                    hint: Some(hint),
                    name
                }
            ),
            want,
            "{name}"
        );
        assert_eq!(
            set.lookup("NTDLL.DLL", Lookup::Name { hint: None, name }),
            want,
            "{name}"
        );
        assert_eq!(
            set.lookup("ntdll", Lookup::Ordinal(ordinal)),
            want,
            "{name}"
        );
    }
    assert!(set.forwarded.is_empty());
    assert!(exports.by_name("NtClose").is_some());
}

#[test]
fn fixups_of_a_built_exe_against_the_built_ntdll() {
    // fixexe imports nothing from ntdll: an ntdll-only set must fail on its
    // first DLL, fixdll.dll, without touching ntdll's exports.
    let Some(file) = built_ntdll() else { return };
    let ntdll = mapped(&file);
    let exe = mapped(EXE);
    let image = PeImage::parse_mapped(&exe).unwrap();
    let mut r = SetResolver {
        set: Set::new(&[("ntdll.dll", 0x1_8000_0000, &ntdll)]),
        opened: Vec::new(),
    };
    let mut fixups = [Fixup::default(); 4];
    assert_eq!(
        resolve_imports(&image, &mut fixups, &mut r),
        Err(BindError::Resolve(STATUS_DLL_NOT_FOUND))
    );
    assert_eq!(r.opened, ["fixdll.dll"]);
}

proptest! {
    /// Corrupting the import tables of the mapped EXE never panics; when
    /// the tables still count, resolution (which never refuses here) fills
    /// exactly that many fixups, all inside the image.
    #[test]
    fn corrupted_import_tables_fail_cleanly(
        edits in proptest::collection::vec((0x2000usize..0x2134, any::<u8>()), 1..8)
    ) {
        let mut exe = mapped(EXE);
        for (at, v) in edits {
            exe[at] = v;
        }
        let image = PeImage::parse_mapped(&exe).unwrap();
        struct Any;
        impl Resolver for Any {
            type Dll = ();
            type Error = u32;
            fn dll(&mut self, _: &str) -> Result<(), u32> { Ok(()) }
            fn import(&mut self, _: &mut (), _: &Import<'_>) -> Result<u64, u32> { Ok(7) }
        }
        let mut fixups = vec![Fixup::default(); 16];
        let counted = count_imports(&image);
        let resolved = resolve_imports(&image, &mut fixups, &mut Any);
        match counted {
            Ok(n) if n as usize <= fixups.len() => {
                let k = resolved.unwrap();
                prop_assert_eq!(k, n as usize);
                for f in &fixups[..k] {
                    prop_assert!(f.iat_rva as usize + 8 <= exe.len());
                }
                for run in write_runs(&image, &fixups[..k]) {
                    if let Ok(run) = run {
                        prop_assert!(run.rva as usize + run.len as usize <= exe.len());
                    }
                }
            }
            Ok(_) => prop_assert!(resolved.is_err()),
            Err(_) => prop_assert!(resolved.is_err()),
        }
    }

    /// Both constructors agree, and a name matches itself in any ASCII
    /// case.
    #[test]
    fn dll_names_are_consistent(s in "[a-zA-Z0-9._\\\\/ \u{e9}-]{0,40}") {
        let a = DllName::from_utf8(&s);
        let b = DllName::from_utf16(&w(&s));
        prop_assert_eq!(a.map(|n| n.as_utf16().to_vec()), b.map(|n| n.as_utf16().to_vec()));
        if let Some(n) = a {
            let text = String::from_utf16(n.as_utf16()).unwrap();
            prop_assert!(!text.contains(['\\', '/']));
            let file = s.rsplit(['\\', '/']).next().unwrap_or("");
            prop_assert!(text.contains('.') || file.ends_with('.'));
            prop_assert!(n.matches(&w(&text.to_ascii_uppercase())));
            prop_assert!(n.matches(&w(&text.to_ascii_lowercase())));
        }
    }
}
