//! Property tests against simple models: the header rules (alignment,
//! SizeOfImage), relocation (every target moves by exactly the delta and
//! nothing else changes), export lookup (the binary search finds exactly
//! the names a linear scan finds), and protections. Images are built with
//! the test builder so the generated tables are known exactly.

mod common;

use common::*;
use pe::consts::*;
use pe::*;
use proptest::collection::{btree_set, vec};
use proptest::prelude::*;

/// A DLL with `.text` (0x100 bytes) and an `.edata` section holding an
/// export directory for `names` (in the order given; each exports function
/// slot i at RVA 0x1000 + 4 * i), with ordinal base `base`.
fn dll_with_exports(names: &[String], base: u32) -> Vec<u8> {
    let b = Builder::new().section(
        ".text",
        0x100,
        vec![0xC3; 0x100],
        SCN_MEM_EXECUTE | SCN_MEM_READ,
    );
    let edata = b.rva(1);
    let n = names.len() as u32;
    let functions = 40;
    let name_table = functions + 4 * n;
    let ordinals = name_table + 4 * n;
    let mut strings = ordinals + 2 * n;
    let mut d = vec![0u8; strings as usize];
    put32(&mut d, 0x10, base);
    put32(&mut d, 0x14, n);
    put32(&mut d, 0x18, n);
    put32(&mut d, 0x1C, edata + functions);
    put32(&mut d, 0x20, edata + name_table);
    put32(&mut d, 0x24, edata + ordinals);
    for (i, name) in names.iter().enumerate() {
        put32(
            &mut d,
            (functions + 4 * i as u32) as usize,
            0x1000 + 4 * i as u32,
        );
        put32(
            &mut d,
            (name_table + 4 * i as u32) as usize,
            edata + strings,
        );
        put16(&mut d, (ordinals + 2 * i as u32) as usize, i as u16);
        d.extend_from_slice(name.as_bytes());
        d.push(0);
        strings += name.len() as u32 + 1;
    }
    let size = d.len() as u32;
    let mut b = b.section(".edata", size, d, SCN_MEM_READ);
    b.characteristics |= FILE_DLL;
    b.dirs[DIRECTORY_EXPORT] = (edata, size);
    b.build()
}

/// An image with `.data` (`len` bytes of `fill`) and a `.reloc` section
/// with one DIR64 per offset in `targets` (page-grouped, as linkers do).
fn image_with_relocs(len: u32, fill: u8, targets: &[u32]) -> (Vec<u8>, u32) {
    let b = Builder::new().section(
        ".data",
        len,
        vec![fill; len as usize],
        SCN_MEM_READ | SCN_MEM_WRITE,
    );
    let data = b.rva(0);
    let mut table = Vec::new();
    let mut i = 0;
    while i < targets.len() {
        let page = (data + targets[i]) & !0xFFF;
        let mut entries = Vec::new();
        while i < targets.len() && (data + targets[i]) & !0xFFF == page {
            entries.push(0xA000 | ((data + targets[i]) & 0xFFF) as u16);
            i += 1;
        }
        if entries.len() % 2 == 1 {
            entries.push(0); // ABSOLUTE padding to a 4-byte block size
        }
        table.extend_from_slice(&page.to_le_bytes());
        table.extend_from_slice(&(8 + 2 * entries.len() as u32).to_le_bytes());
        for e in entries {
            table.extend_from_slice(&e.to_le_bytes());
        }
    }
    let size = table.len() as u32;
    let mut b = b.section(
        ".reloc",
        size.max(1),
        table,
        SCN_MEM_READ | SCN_MEM_DISCARDABLE,
    );
    if size > 0 {
        b.dirs[DIRECTORY_BASERELOC] = (b.rva(1), size);
    }
    (b.build(), data)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn alignment_rule_matches_the_model(
        sa_log in 0u32..20,
        fa_log in 0u32..20,
        odd in any::<bool>(),
    ) {
        let sa = (1u32 << sa_log) | u32::from(odd && sa_log > 0);
        let fa = 1u32 << fa_log;
        let mut b = Builder::new();
        b.section_alignment = sa.max(0x200);
        b.file_alignment = 0x200;
        let b = b.section(".text", 0x10, vec![0xC3; 0x10], SCN_MEM_EXECUTE | SCN_MEM_READ);
        let mut f = b.build();
        put32(&mut f, OPT + 0x20, sa);
        put32(&mut f, OPT + 0x24, fa);
        let legal = sa.is_power_of_two()
            && fa.is_power_of_two()
            && if sa < 0x1000 { fa == sa } else { fa <= sa };
        let r = PeImage::parse(&f);
        if !legal {
            prop_assert_eq!(r.unwrap_err(), PeError::BadAlignment);
        } else {
            // Legal alignments may still misplace the section (it was laid
            // out for another alignment), but never fail the alignment rule.
            prop_assert!(r.err() != Some(PeError::BadAlignment));
        }
    }

    #[test]
    fn size_of_image_must_cover_every_section(soi in 0u32..0x8000) {
        let b = Builder::new()
            .section(".text", 0x10, vec![0xC3; 0x10], SCN_MEM_EXECUTE | SCN_MEM_READ)
            .section(".data", 0x1800, vec![1; 0x10], SCN_MEM_READ | SCN_MEM_WRITE);
        let mut f = b.build();
        put32(&mut f, OPT + 0x38, soi);
        let r = PeImage::parse(&f);
        // .text ends at 0x1010, .data at 0x2000 + 0x1800.
        let headers = b.size_of_headers();
        match soi {
            0 => prop_assert_eq!(r.unwrap_err(), PeError::BadSizeOfImage),
            s if s < headers => prop_assert_eq!(r.unwrap_err(), PeError::BadSizeOfHeaders),
            s if s < 0x1010 => prop_assert_eq!(r.unwrap_err(), PeError::SectionOutOfImage(0)),
            s if s < 0x3800 => prop_assert_eq!(r.unwrap_err(), PeError::SectionOutOfImage(1)),
            s => {
                let img = r.unwrap();
                let mut m = vec![0; s as usize];
                img.load_into(&mut m).unwrap();
                prop_assert!(m[0x2010..0x3800].iter().all(|&b| b == 0));
            }
        }
    }

    #[test]
    fn rebase_moves_exactly_the_relocated_values(
        slots in btree_set(0u32..0x600, 0..80),
        fill in any::<u8>(),
        base_64k in 1u64..0x7FFF_FFFF,
    ) {
        // Slots are 8-byte aligned so the targets never overlap.
        let targets: Vec<u32> = slots.iter().map(|s| s * 8).collect();
        let (file, data) = image_with_relocs(0x3000, fill, &targets);
        let img = PeImage::parse(&file).unwrap();
        let listed: Vec<u32> = img.relocations().map(|r| r.unwrap().rva).collect();
        let want: Vec<u32> = targets.iter().map(|t| data + t).collect();
        prop_assert_eq!(&listed, &want);

        let mut m = vec![0; img.size_of_image() as usize];
        img.load_into(&mut m).unwrap();
        let before = m.clone();
        let new_base = base_64k << 16;
        rebase(&mut m, new_base).unwrap();
        let delta = new_base.wrapping_sub(img.image_base());
        let header = OPT + 0x18;
        for (i, (a, b)) in before.iter().zip(&m).enumerate() {
            let target = want.iter().find(|&&t| (t as usize..t as usize + 8).contains(&i));
            if let Some(&t) = target {
                let old = get64(&before, t as usize);
                prop_assert_eq!(get64(&m, t as usize), old.wrapping_add(delta));
            } else if !(header..header + 8).contains(&i) {
                prop_assert_eq!(a, b, "byte {:#x} changed", i);
            }
        }
        prop_assert_eq!(PeImage::parse_mapped(&m).unwrap().image_base(), new_base);
        rebase(&mut m, img.image_base()).unwrap();
        prop_assert_eq!(m, before);
    }

    #[test]
    fn binary_search_finds_exactly_the_exported_names(
        names in btree_set("[A-Za-z_][A-Za-z0-9_]{0,12}", 1..60),
        probes in vec("[A-Za-z_][A-Za-z0-9_]{0,12}", 0..20),
        base in 0u32..1000,
        shuffle in any::<bool>(),
    ) {
        // BTreeSet<String> iterates in byte order, which is the PE order.
        let mut names: Vec<String> = names.into_iter().collect();
        if shuffle && names.len() > 1 {
            names.reverse();
        }
        let file = dll_with_exports(&names, base);
        let img = PeImage::parse(&file).unwrap();
        let e = img.exports().unwrap().unwrap();
        prop_assert_eq!(e.is_sorted(), !(shuffle && names.len() > 1));
        for (i, name) in names.iter().enumerate() {
            let want = Some(Export::Rva(0x1000 + 4 * i as u32));
            prop_assert_eq!(e.by_name(name), want);
            prop_assert_eq!(e.by_ordinal(base + i as u32), want);
            prop_assert_eq!(e.by_hint_or_name(i as u16, name), want);
            prop_assert_eq!(e.by_hint_or_name(0, name), want);
        }
        for p in &probes {
            let want = names
                .iter()
                .position(|n| n == p)
                .map(|i| Export::Rva(0x1000 + 4 * i as u32));
            prop_assert_eq!(e.by_name(p), want);
        }
        prop_assert_eq!(e.by_ordinal(base + names.len() as u32), None);
        prop_assert_eq!(e.by_ordinal(base.wrapping_sub(1)), None);
    }

    #[test]
    fn protections_are_nt_values(c in any::<u32>()) {
        let p = section_protection(c);
        let all = [
            PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY,
            PAGE_EXECUTE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY,
        ];
        prop_assert!(all.contains(&p));
        let q = private_protection(p);
        prop_assert!(q != PAGE_WRITECOPY && q != PAGE_EXECUTE_WRITECOPY);
        // Explicit access flags decide when any is present.
        if c & (SCN_MEM_EXECUTE | SCN_MEM_READ | SCN_MEM_WRITE) != 0 {
            let executable = matches!(
                p,
                PAGE_EXECUTE | PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY
            );
            prop_assert_eq!(executable, c & SCN_MEM_EXECUTE != 0);
            let writable = matches!(
                p,
                PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY
            );
            prop_assert_eq!(writable, c & SCN_MEM_WRITE != 0);
            if writable {
                let copy = matches!(p, PAGE_WRITECOPY | PAGE_EXECUTE_WRITECOPY);
                prop_assert_eq!(copy, c & SCN_MEM_SHARED == 0);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..2048), keep in 0usize..0x200) {
        // Raw garbage, and garbage behind a real header prefix.
        let _ = PeImage::parse(&bytes).map(|i| i.layout().count());
        let _ = PeImage::parse_mapped(&bytes).map(|i| i.sections().count());
        let mut v = EXE[..keep.min(EXE.len())].to_vec();
        v.extend_from_slice(&bytes);
        if let Ok(img) = PeImage::parse(&v) {
            let _ = img.exports();
            let _ = img.imports().count();
            let _ = img.relocations().count();
            let _ = img.tls();
        }
    }
}
