//! The reader against archives GNU tar made (`fixtures/README.md` says
//! how): the ustar one is read entry by entry, including what the writer
//! never produces (`./` names, the root entry, a symlink, a 0755 file,
//! tar's padding to a 10 KiB record), and the GNU- and pax-format ones are
//! refused with the error that says what to change.

mod common;

use bootimg::{Archive, Config, Error, ErrorKind, Kind, BOOT_CONFIG};
use common::*;

#[test]
fn gnu_ustar_entries() {
    let archive = Archive::new(GNU_USTAR).unwrap();
    let (d, e, f) = ("d".repeat(60), "e".repeat(60), "f".repeat(90));
    let deep = format!("deep/{d}/{e}");
    let want: Vec<(String, Kind, u32, usize)> = vec![
        ("".into(), Kind::Dir, 0o755, 0),
        ("boot.cfg".into(), Kind::File, 0o644, 163),
        ("deep".into(), Kind::Dir, 0o755, 0),
        (format!("deep/{d}"), Kind::Dir, 0o755, 0),
        (deep.clone(), Kind::Dir, 0o755, 0),
        (format!("{deep}/{f}.txt"), Kind::File, 0o644, 5),
        ("system32".into(), Kind::Dir, 0o755, 0),
        ("system32/current.dll".into(), Kind::Other(b'2'), 0o777, 0),
        ("system32/drivers".into(), Kind::Dir, 0o755, 0),
        ("system32/drivers/beep.sys".into(), Kind::File, 0o644, 0),
        ("system32/ntcmd.exe".into(), Kind::File, 0o755, 512),
        ("system32/ntdll.dll".into(), Kind::File, 0o644, 1300),
    ];
    let got: Vec<_> = archive
        .entries()
        .map(|e| (e.name().to_string(), e.kind, e.mode, e.size))
        .collect();
    assert_eq!(got, want);
    assert_eq!(archive.len(), want.len());
    // 12 headers and 1 + 1 + 1 + 3 data blocks, then the end marker; the
    // rest of the 10 KiB record is zeros.
    assert_eq!(archive.end_offset(), 18 * 512);
    assert_eq!(GNU_USTAR.len(), 10240);
}

#[test]
fn gnu_ustar_data() {
    let archive = Archive::new(GNU_USTAR).unwrap();
    assert_eq!(
        archive.file_ci("SYSTEM32\\NTDLL.DLL"),
        Some(&[b'N'; 1300][..])
    );
    assert_eq!(
        archive.file_ci("system32/ntcmd.exe"),
        Some(&[b'C'; 512][..])
    );
    assert_eq!(
        archive.file_ci("System32\\Drivers\\Beep.sys"),
        Some(&[][..])
    );
    let long = format!(
        "deep\\{}\\{}\\{}.TXT",
        "D".repeat(60),
        "E".repeat(60),
        "F".repeat(90)
    );
    assert_eq!(archive.file_ci(&long), Some(&b"deep\n"[..]));
    for e in archive.entries() {
        assert_eq!(
            &GNU_USTAR[e.data_offset()..e.data_offset() + e.size],
            e.data
        );
    }
}

#[test]
fn gnu_ustar_boot_config() {
    let archive = Archive::new(GNU_USTAR).unwrap();
    let config = Config::parse(archive.file_ci(BOOT_CONFIG).unwrap()).unwrap();
    assert_eq!(
        config.get("boot", "program"),
        Some("\\SystemRoot\\system32\\ntcmd.exe")
    );
    assert_eq!(config.get("boot", "args"), Some(""));
    let drivers: Vec<_> = config
        .get("drivers", "load")
        .unwrap()
        .split_ascii_whitespace()
        .collect();
    assert_eq!(drivers, ["i8042prt.sys", "kbdclass.sys", "beep.sys"]);
    assert_eq!(config.sections().collect::<Vec<_>>(), ["boot", "drivers"]);
}

#[test]
fn other_formats_are_refused_clearly() {
    assert_eq!(
        Archive::new(GNU_FORMAT),
        Err(Error {
            offset: 0,
            kind: ErrorKind::BadMagic
        })
    );
    assert_eq!(
        Archive::new(GNU_LONGNAME),
        Err(Error {
            offset: 0,
            kind: ErrorKind::GnuLongName
        })
    );
    assert_eq!(
        Archive::new(PAX_LONGNAME),
        Err(Error {
            offset: 0,
            kind: ErrorKind::PaxHeader
        })
    );
    let message = Archive::new(GNU_FORMAT).unwrap_err().to_string();
    assert!(message.contains("--format=ustar"), "{message}");
}
