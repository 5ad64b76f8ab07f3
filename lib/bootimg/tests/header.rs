//! One test per header rule of the reader (listed in `src/tar.rs`): each
//! starts from a valid hand-made header, breaks or stretches one field, and
//! checks the exact outcome, including the offset an error names.

mod common;

use bootimg::tar::header;
use bootimg::{Archive, Error, ErrorKind, Field, Kind, NameError, BLOCK};
use common::*;

/// The error `Archive::new` gives, or a panic naming the entries it read.
fn err(bytes: &[u8]) -> Error {
    match Archive::new(bytes) {
        Ok(a) => panic!("accepted: {:?}", a.entries().collect::<Vec<_>>()),
        Err(e) => e,
    }
}

fn at0(kind: ErrorKind) -> Error {
    Error { offset: 0, kind }
}

/// The names of an archive's entries.
fn names(bytes: &[u8]) -> Vec<String> {
    Archive::new(bytes)
        .unwrap()
        .entries()
        .map(|e| e.name().to_string())
        .collect()
}

/// A one-file archive whose header `patch` changes (checksum repaired).
fn patched(patch: impl FnOnce(&mut [u8])) -> Vec<u8> {
    let mut a = one_file(b"file.txt", b"hello");
    patch(&mut a[..BLOCK]);
    fix_checksum(&mut a[..BLOCK]);
    a
}

// ---- checksum ----

#[test]
fn valid_header_reads_back() {
    let a = one_file(b"file.txt", b"hello");
    let archive = Archive::new(&a).unwrap();
    let e = archive.entries().next().unwrap();
    assert_eq!(
        (e.name(), e.kind, e.mode, e.size, e.data),
        ("file.txt", Kind::File, 0o644, 5, &b"hello"[..])
    );
    assert_eq!((e.offset, e.data_offset()), (0, BLOCK));
    assert_eq!((archive.len(), archive.end_offset()), (1, 2 * BLOCK));
}

#[test]
fn checksum_mismatch_is_refused() {
    let mut a = one_file(b"file.txt", b"hello");
    a[header::UNAME.start] = b'r';
    assert_eq!(err(&a), at0(ErrorKind::BadChecksum));
    // A wrong stored value, well-formed.
    let mut a = one_file(b"file.txt", b"hello");
    a[header::CHKSUM.start + 5] ^= 1;
    assert_eq!(err(&a), at0(ErrorKind::BadChecksum));
}

#[test]
fn signed_checksum_is_accepted() {
    // Historic tars summed signed chars; the sums differ once a byte has
    // its high bit set (here in the owner name, which is not checked).
    let mut a = one_file(b"file.txt", b"hello");
    a[header::UNAME.start] = 0xE9;
    let signed: i64 = a[..BLOCK]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if header::CHKSUM.contains(&i) {
                32
            } else {
                i64::from(b as i8)
            }
        })
        .sum();
    put(
        &mut a,
        header::CHKSUM,
        format!("{signed:06o}\0 ").as_bytes(),
    );
    assert_eq!(names(&a), ["file.txt"]);
    fix_checksum(&mut a[..BLOCK]);
    assert_eq!(names(&a), ["file.txt"]);
}

#[test]
fn checksum_field_must_be_octal() {
    let mut a = one_file(b"file.txt", b"hello");
    a[header::CHKSUM.start] = b'9';
    assert_eq!(err(&a), at0(ErrorKind::BadField(Field::Checksum)));
    put(&mut a, header::CHKSUM, b"");
    assert_eq!(err(&a), at0(ErrorKind::BadField(Field::Checksum)));
    // Leading spaces and a space terminator are the old layout: fine.
    let mut a = one_file(b"file.txt", b"hello");
    let text = String::from_utf8(a[header::CHKSUM][..6].to_vec()).unwrap();
    let value = u64::from_str_radix(&text, 8).unwrap();
    put(&mut a, header::CHKSUM, format!("{value:>7o} ").as_bytes());
    assert_eq!(names(&a), ["file.txt"]);
}

// ---- magic and version ----

#[test]
fn only_posix_ustar_magic() {
    let gnu =
        patched(|h| h[header::MAGIC.start..header::VERSION.end].copy_from_slice(b"ustar  \0"));
    assert_eq!(err(&gnu), at0(ErrorKind::BadMagic));
    let v7 = patched(|h| h[header::MAGIC.start..header::VERSION.end].fill(0));
    assert_eq!(err(&v7), at0(ErrorKind::BadMagic));
    let version = patched(|h| h[header::VERSION].copy_from_slice(b"01"));
    assert_eq!(err(&version), at0(ErrorKind::BadMagic));
}

// ---- numeric fields ----

/// The numeric fields, and whether they need a digit.
const NUMERIC: [(Field, std::ops::Range<usize>, bool); 7] = [
    (Field::Mode, header::MODE, true),
    (Field::Uid, header::UID, true),
    (Field::Gid, header::GID, true),
    (Field::Size, header::SIZE, true),
    (Field::Mtime, header::MTIME, true),
    (Field::DevMajor, header::DEVMAJOR, false),
    (Field::DevMinor, header::DEVMINOR, false),
];

#[test]
fn numeric_fields_reject_non_octal_digits() {
    for (field, range, _) in NUMERIC {
        let a = patched(|h| h[range.start] = b'8');
        assert_eq!(err(&a), at0(ErrorKind::BadField(field)), "{field:?}");
        let a = patched(|h| h[range.start + 1] = b'-');
        assert_eq!(err(&a), at0(ErrorKind::BadField(field)), "{field:?}");
    }
}

#[test]
fn numeric_fields_may_fill_the_field() {
    // `00006441` instead of `0000644\0`: all digits, no terminator.
    for (field, range, _) in NUMERIC {
        let a = patched(|h| h[range.end - 1] = b'1');
        let archive = Archive::new(&a).unwrap_or_else(|e| panic!("{field:?}: {e}"));
        let entry = archive.entries().next().unwrap();
        match field {
            Field::Mode => assert_eq!(entry.mode, 0o6441),
            // 0o51 bytes: the data block and the end marker cover them.
            Field::Size => assert_eq!(entry.size, 0o51),
            _ => {}
        }
    }
}

#[test]
fn numeric_fields_reject_text_after_the_terminator() {
    for (field, range, _) in NUMERIC {
        let a = patched(|h| {
            put(h, range.clone(), b"0\0");
            h[range.end - 1] = b'1';
        });
        assert_eq!(err(&a), at0(ErrorKind::BadField(field)), "{field:?}");
    }
}

#[test]
fn numeric_fields_allow_leading_spaces_and_space_terminators() {
    for (field, range, _) in NUMERIC {
        let a = patched(|h| {
            let width = range.len() - 1;
            let value = if field == Field::Size { "5" } else { "0" };
            put(h, range.clone(), format!("{value:>width$} ").as_bytes());
        });
        assert_eq!(names(&a), ["file.txt"], "{field:?}");
    }
}

#[test]
fn blank_fields_only_for_device_numbers() {
    for (field, range, need_digit) in NUMERIC {
        for blank in [0u8, b' '] {
            let a = patched(|h| h[range.clone()].fill(blank));
            if need_digit {
                assert_eq!(err(&a), at0(ErrorKind::BadField(field)), "{field:?}");
            } else {
                assert_eq!(names(&a), ["file.txt"], "{field:?}");
            }
        }
    }
}

#[test]
fn base256_numbers_are_refused() {
    let a = patched(|h| {
        h[header::SIZE].fill(0);
        h[header::SIZE.start] = 0x80;
        h[header::SIZE.end - 1] = 5;
    });
    assert_eq!(err(&a), at0(ErrorKind::BadField(Field::Size)));
}

#[test]
fn full_width_size_field() {
    let a = patched(|h| h[header::SIZE].copy_from_slice(b"000000000005"));
    let archive = Archive::new(&a).unwrap();
    assert_eq!(archive.entries().next().unwrap().data, b"hello");
}

#[test]
fn mode_is_reported() {
    let a = patched(|h| put_octal(h, header::MODE, 0o100755));
    assert_eq!(
        Archive::new(&a).unwrap().entries().next().unwrap().mode,
        0o100755
    );
}

// ---- sizes ----

#[test]
fn data_must_fit_in_the_archive() {
    // Data runs past the end.
    let mut a = one_file(b"f", b"hello");
    a.truncate(BLOCK + 3);
    assert_eq!(err(&a), at0(ErrorKind::Truncated));
    // The data fits but its padding does not.
    let mut a = one_file(b"f", b"hello");
    a.truncate(BLOCK + 5);
    assert_eq!(err(&a), at0(ErrorKind::Truncated));
    // Exactly one padded block, no end marker: fine.
    let mut a = one_file(b"f", b"hello");
    a.truncate(2 * BLOCK);
    assert_eq!(names(&a), ["f"]);
    // The largest size the field holds.
    let a = patched(|h| put_octal(h, header::SIZE, 0o77777777777));
    assert_eq!(err(&a), at0(ErrorKind::Truncated));
    let a = patched(|h| h[header::SIZE].copy_from_slice(b"777777777777"));
    assert_eq!(err(&a), at0(ErrorKind::Truncated));
}

#[test]
fn size_exactly_a_block_and_zero() {
    let block = [7u8; BLOCK];
    let a = archive(&[
        (raw_header(b"one", b'0', BLOCK as u64), &block),
        (raw_header(b"empty", b'0', 0), &[]),
        (raw_header(b"two", b'0', 1), b"x"),
    ]);
    let archive = Archive::new(&a).unwrap();
    let offsets: Vec<_> = archive.entries().map(|e| (e.offset, e.size)).collect();
    assert_eq!(offsets, [(0, BLOCK), (2 * BLOCK, 0), (3 * BLOCK, 1)]);
}

// ---- type flags ----

#[test]
fn type_flags() {
    let cases: [(u8, Kind); 5] = [
        (b'0', Kind::File),
        (0, Kind::File),
        (b'7', Kind::File),
        (b'5', Kind::Dir),
        (b'2', Kind::Other(b'2')),
    ];
    for (flag, kind) in cases {
        let a = archive(&[(raw_header(b"e", flag, 0), &[])]);
        assert_eq!(
            Archive::new(&a).unwrap().entries().next().unwrap().kind,
            kind,
            "{flag}"
        );
    }
}

#[test]
fn links_devices_and_fifos_have_no_data() {
    for flag in [b'1', b'2', b'3', b'4', b'6'] {
        let a = archive(&[(raw_header(b"e", flag, 1), b"x")]);
        assert_eq!(err(&a), at0(ErrorKind::UnexpectedData), "{}", flag as char);
    }
}

#[test]
fn unknown_types_skip_their_data() {
    let a = archive(&[
        (raw_header(b"vendor", b'A', 600), &[1; 600]),
        (raw_header(b"next", b'0', 1), b"n"),
    ]);
    let archive = Archive::new(&a).unwrap();
    let got: Vec<_> = archive
        .entries()
        .map(|e| (e.name().to_string(), e.kind, e.size))
        .collect();
    assert_eq!(
        got,
        [
            ("vendor".into(), Kind::Other(b'A'), 600),
            ("next".into(), Kind::File, 1)
        ]
    );
}

#[test]
fn gnu_long_names_and_pax_headers_are_refused() {
    for (flag, kind) in [
        (b'L', ErrorKind::GnuLongName),
        (b'K', ErrorKind::GnuLongName),
        (b'x', ErrorKind::PaxHeader),
        (b'g', ErrorKind::PaxHeader),
    ] {
        let a = archive(&[(raw_header(b"././@LongLink", flag, 3), b"abc")]);
        assert_eq!(err(&a), at0(kind));
    }
}

// ---- names ----

#[test]
fn names_are_normalised() {
    let a = archive(&[
        (raw_header(b"./boot.cfg", b'0', 0), &[]),
        (raw_header(b"system32/", b'5', 0), &[]),
        (raw_header(b"system32//./ntdll.dll", b'0', 0), &[]),
        (raw_header(b"./", b'5', 0), &[]),
    ]);
    assert_eq!(
        names(&a),
        ["boot.cfg", "system32", "system32/ntdll.dll", ""]
    );
}

#[test]
fn prefix_and_name_are_joined() {
    let mut h = raw_header(b"ntdll.dll", b'0', 0);
    put(&mut h, header::PREFIX, b"SystemRoot/system32");
    fix_checksum(&mut h);
    assert_eq!(
        names(&archive(&[(h, &[])])),
        ["SystemRoot/system32/ntdll.dll"]
    );
    // Both fields full, no NULs: 155 + 1 + 100 bytes.
    let mut h = raw_header(&[b'n'; 100], b'0', 0);
    put(&mut h, header::PREFIX, &[b'p'; 155]);
    fix_checksum(&mut h);
    let name = format!("{}/{}", "p".repeat(155), "n".repeat(100));
    assert_eq!(names(&archive(&[(h, &[])])), [name]);
}

#[test]
fn absolute_names_are_refused() {
    let a = one_file(b"/etc/passwd", b"");
    assert_eq!(err(&a), at0(ErrorKind::BadName(NameError::Absolute)));
    let mut h = raw_header(b"passwd", b'0', 0);
    put(&mut h, header::PREFIX, b"/etc");
    fix_checksum(&mut h);
    assert_eq!(
        err(&archive(&[(h, &[])])),
        at0(ErrorKind::BadName(NameError::Absolute))
    );
}

#[test]
fn dotdot_components_are_refused() {
    for name in [&b".."[..], b"../x", b"a/../b", b"a/..", b"./../x", b"a/../"] {
        assert_eq!(
            err(&one_file(name, b"")),
            at0(ErrorKind::BadName(NameError::DotDot))
        );
    }
    let mut h = raw_header(b"x", b'0', 0);
    put(&mut h, header::PREFIX, b"a/..");
    fix_checksum(&mut h);
    assert_eq!(
        err(&archive(&[(h, &[])])),
        at0(ErrorKind::BadName(NameError::DotDot))
    );
    // Not `..` itself.
    assert_eq!(names(&one_file(b"..a/b..", b"")), ["..a/b.."]);
}

#[test]
fn nt_invalid_characters_are_refused() {
    for b in [
        b'\\', b':', b'*', b'?', b'"', b'<', b'>', b'|', 1, b'\t', 0x1F, 0x7F,
    ] {
        let name = [b'a', b, b'c'];
        assert_eq!(
            err(&one_file(&name, b"")),
            at0(ErrorKind::BadName(NameError::BadChar(b))),
            "{b:#x}"
        );
    }
}

#[test]
fn names_must_be_utf8() {
    assert_eq!(err(&one_file(b"caf\xE9", b"")), at0(ErrorKind::NameNotUtf8));
    let mut h = raw_header(b"x", b'0', 0);
    put(&mut h, header::PREFIX, b"\xFF");
    fix_checksum(&mut h);
    assert_eq!(err(&archive(&[(h, &[])])), at0(ErrorKind::NameNotUtf8));
    assert_eq!(names(&one_file("café".as_bytes(), b"")), ["café"]);
}

#[test]
fn empty_names_are_refused_except_the_root_directory() {
    assert_eq!(
        err(&one_file(b"", b"")),
        at0(ErrorKind::BadName(NameError::Empty))
    );
    assert_eq!(
        err(&one_file(b"./", b"")),
        at0(ErrorKind::BadName(NameError::Empty))
    );
    assert_eq!(
        err(&one_file(b"/", b"")),
        at0(ErrorKind::BadName(NameError::Absolute))
    );
    let root = archive(&[(raw_header(b".", b'5', 0), &[])]);
    assert_eq!(names(&root), [""]);
}

#[test]
fn a_full_name_field_needs_no_nul() {
    let name = [b'x'; 100];
    assert_eq!(names(&one_file(&name, b"")), ["x".repeat(100)]);
}

// ---- the end of the archive ----

#[test]
fn end_marker_and_what_follows_it() {
    let mut a = one_file(b"f", b"x");
    assert_eq!(Archive::new(&a).unwrap().end_offset(), 2 * BLOCK);
    // Anything after the two zero blocks is ignored.
    a.extend_from_slice(&[0xAB; 3 * BLOCK + 7]);
    assert_eq!(names(&a), ["f"]);
    // One zero block then the end of the bytes: the end.
    let mut a = one_file(b"f", b"x");
    a.truncate(3 * BLOCK);
    assert_eq!(names(&a), ["f"]);
    // A zero block followed by a header: a hole in the archive.
    let mut a = one_file(b"f", b"x");
    a.truncate(3 * BLOCK);
    a.extend_from_slice(&one_file(b"g", b"y"));
    assert_eq!(
        err(&a),
        Error {
            offset: 2 * BLOCK,
            kind: ErrorKind::LoneZeroBlock
        }
    );
}

#[test]
fn archives_without_an_end_marker_and_empty_ones() {
    let mut a = one_file(b"f", b"x");
    a.truncate(2 * BLOCK);
    assert_eq!(names(&a), ["f"]);
    assert!(Archive::new(&[]).unwrap().is_empty());
    assert!(Archive::new(&[0; 2 * BLOCK]).unwrap().is_empty());
    assert!(Archive::new(&[0; BLOCK]).unwrap().is_empty());
}

#[test]
fn partial_blocks_are_truncation() {
    let mut a = one_file(b"f", b"x");
    a.truncate(2 * BLOCK);
    a.extend_from_slice(&[0; 100]);
    assert_eq!(
        err(&a),
        Error {
            offset: 2 * BLOCK,
            kind: ErrorKind::Truncated
        }
    );
    let header = raw_header(b"f", b'0', 0);
    assert_eq!(err(&header[..300]), at0(ErrorKind::Truncated));
}

#[test]
fn errors_name_the_header_at_fault() {
    let mut a = archive(&[
        (raw_header(b"a", b'0', 700), &[1; 700]),
        (raw_header(b"b", b'0', 1), b"b"),
    ]);
    a[3 * BLOCK + header::MODE.start] = b'9';
    fix_checksum(&mut a[3 * BLOCK..4 * BLOCK]);
    assert_eq!(
        err(&a),
        Error {
            offset: 3 * BLOCK,
            kind: ErrorKind::BadField(Field::Mode)
        }
    );
    assert!(err(&a).to_string().contains("1536"));
}

// ---- lookups ----

#[test]
fn lookups_ignore_case_and_accept_nt_separators() {
    let a = archive(&[
        (raw_header(b"System32/", b'5', 0), &[]),
        (raw_header(b"System32/NtDll.dll", b'0', 2), b"v1"),
        (raw_header(b"System32/ntdll.DLL", b'0', 2), b"v2"),
    ]);
    let archive = Archive::new(&a).unwrap();
    assert_eq!(
        archive.file_ci("system32\\ntdll.dll"),
        Some(&b"v2"[..]),
        "last one wins"
    );
    assert_eq!(archive.file_ci("/SYSTEM32/./NTDLL.DLL"), Some(&b"v2"[..]));
    assert_eq!(archive.find_ci("SYSTEM32").unwrap().kind, Kind::Dir);
    assert_eq!(
        archive.file_ci("system32"),
        None,
        "a directory is not a file"
    );
    assert_eq!(archive.find_ci("ntdll.dll"), None);
    assert_eq!(archive.find_ci("system32/../system32/ntdll.dll"), None);
    assert_eq!(archive.entries().len(), 3);
    assert_eq!((&archive).into_iter().count(), 3);
}
