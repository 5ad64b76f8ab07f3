//! The writer: GNU tar's exact bytes for the same tree (the committed
//! `writer-reference.tar`), determinism, and every name it refuses.

mod common;

use bootimg::{Archive, BuildError, Builder, Kind, NameError, BLOCK};
use common::*;

const WRITER_REFERENCE: &[u8] = include_bytes!("fixtures/writer-reference.tar");

/// The tree of `writer-reference.tar`, in GNU tar's order.
fn reference_tree(b: &mut Builder) -> &mut Builder {
    let boot_cfg = Archive::new(GNU_USTAR)
        .unwrap()
        .file_ci("boot.cfg")
        .unwrap();
    let d = format!("deep/{}", "d".repeat(60));
    let e = format!("{d}/{}", "e".repeat(60));
    b.add_file("boot.cfg", boot_cfg)
        .add_dir("deep")
        .add_dir(&d)
        .add_dir(&e)
        .add_file(&format!("{e}/{}.txt", "f".repeat(90)), b"deep\n")
        .add_dir("system32")
        .add_dir("system32/drivers")
        .add_file("system32/drivers/beep.sys", b"")
        .add_file("system32/ntcmd.exe", &[b'C'; 512])
        .add_file("system32/ntdll.dll", &[b'N'; 1300])
}

#[test]
fn same_bytes_as_gnu_tar() {
    let ours = reference_tree(&mut Builder::new()).finish();
    assert_eq!(ours.len(), WRITER_REFERENCE.len());
    for (i, (a, b)) in ours
        .chunks(BLOCK)
        .zip(WRITER_REFERENCE.chunks(BLOCK))
        .enumerate()
    {
        assert_eq!(a, b, "block {i} differs");
    }
}

#[test]
fn deterministic() {
    let a = reference_tree(&mut Builder::new()).finish();
    let b = reference_tree(&mut Builder::new()).finish();
    assert_eq!(a, b);
    // finish() leaves the builder as it was.
    let mut builder = Builder::new();
    reference_tree(&mut builder);
    assert_eq!(builder.finish(), builder.finish());
}

#[test]
fn empty_image_is_just_the_end_marker() {
    let image = Builder::new().finish();
    assert_eq!(image, [0; 2 * BLOCK]);
    assert!(Archive::new(&image).unwrap().is_empty());
}

#[test]
fn reads_back() {
    let image = reference_tree(&mut Builder::new()).finish();
    let archive = Archive::new(&image).unwrap();
    let system32 = archive.find_ci("system32").unwrap();
    assert_eq!((system32.kind, system32.mode), (Kind::Dir, 0o755));
    let ntdll = archive.find_ci("system32/ntdll.dll").unwrap();
    assert_eq!(
        (ntdll.kind, ntdll.mode, ntdll.data),
        (Kind::File, 0o644, &[b'N'; 1300][..])
    );
}

#[test]
fn refuses_names_the_reader_would_refuse() {
    let cases: [(&str, BuildError); 9] = [
        ("", BuildError::BadName(NameError::Empty)),
        ("/abs", BuildError::BadName(NameError::Absolute)),
        ("a/../b", BuildError::BadName(NameError::DotDot)),
        ("..", BuildError::BadName(NameError::DotDot)),
        ("a\\b", BuildError::BadName(NameError::BadChar(b'\\'))),
        ("c:", BuildError::BadName(NameError::BadChar(b':'))),
        ("tab\there", BuildError::BadName(NameError::BadChar(b'\t'))),
        ("a?", BuildError::BadName(NameError::BadChar(b'?'))),
        ("nul\0", BuildError::BadName(NameError::BadChar(0))),
    ];
    for (name, want) in cases {
        assert_eq!(
            Builder::new().try_add_file(name, b"").err(),
            Some(want),
            "{name:?}"
        );
        assert_eq!(
            Builder::new().try_add_dir(name).err(),
            Some(want),
            "{name:?}"
        );
    }
}

#[test]
fn refuses_names_that_would_not_read_back_unchanged() {
    for name in ["./a", "a/./b", "a//b", "a/", "."] {
        assert_eq!(
            Builder::new().try_add_file(name, b"").err(),
            Some(BuildError::NotCanonical),
            "{name:?}"
        );
    }
}

#[test]
fn refuses_names_too_long_for_ustar() {
    let too_long = [
        "a".repeat(101),
        format!("p/{}", "n".repeat(101)),
        format!("{}/{}", "p".repeat(156), "n".repeat(10)),
    ];
    for name in &too_long {
        assert_eq!(
            Builder::new().try_add_file(name, b"").err(),
            Some(BuildError::NameTooLong)
        );
    }
    // A 100-byte directory name needs the prefix for its `/`; with no `/`
    // to split at, it cannot be stored.
    assert_eq!(
        Builder::new().try_add_dir(&"d".repeat(100)).err(),
        Some(BuildError::NameTooLong)
    );
    assert!(Builder::new().try_add_file(&"f".repeat(100), b"").is_ok());
    let longest = format!("{}/{}", "p".repeat(155), "n".repeat(100));
    let image = Builder::new().add_file(&longest, b"x").finish();
    assert_eq!(
        Archive::new(&image)
            .unwrap()
            .entries()
            .next()
            .unwrap()
            .name(),
        longest
    );
}

#[test]
fn refuses_duplicates_ignoring_case() {
    let mut b = Builder::new();
    b.add_dir("System32").add_file("System32/ntdll.dll", b"");
    assert_eq!(
        b.try_add_file("SYSTEM32/NTDLL.DLL", b"").err(),
        Some(BuildError::Duplicate)
    );
    assert_eq!(
        b.try_add_file("system32", b"").err(),
        Some(BuildError::Duplicate)
    );
    assert_eq!(b.try_add_dir("system32").err(), Some(BuildError::Duplicate));
    // The refused entries left no trace.
    assert_eq!(Archive::new(&b.finish()).unwrap().len(), 2);
}

#[test]
#[should_panic(expected = "cannot add file `../x`")]
fn add_file_panics_with_the_reason() {
    Builder::new().add_file("../x", b"");
}

#[test]
fn errors_say_what_is_wrong() {
    assert!(BuildError::NameTooLong.to_string().contains("155"));
    assert!(BuildError::BadName(NameError::DotDot)
        .to_string()
        .contains(".."));
}
