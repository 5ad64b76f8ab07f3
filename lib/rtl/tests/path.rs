//! DOS path -> full path -> NT path, as Windows resolves them.

use rtl::path::{dos_device, full_path, full_path_bytes, nt_path, path_type, PathType};

fn w(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

fn full(name: &str, cur: &str) -> (String, Option<String>) {
    let (n, c) = (w(name), w(cur));
    let mut out = vec![0u16; rtl::path::bound(&n, &c)];
    let r = full_path(&n, &c, &mut out).unwrap();
    let s = String::from_utf16(&out[..r.len]).unwrap();
    (
        s,
        r.file_part
            .map(|f| String::from_utf16(&out[f..r.len]).unwrap()),
    )
}

fn nt(name: &str, cur: &str) -> (String, Option<String>) {
    let (n, c) = (w(name), w(cur));
    let mut out = vec![0u16; rtl::path::bound(&n, &c)];
    let r = nt_path(&n, &c, &mut out).unwrap();
    let s = String::from_utf16(&out[..r.len]).unwrap();
    (
        s,
        r.file_part
            .map(|f| String::from_utf16(&out[f..r.len]).unwrap()),
    )
}

#[test]
fn types() {
    let cases = [
        ("\\\\server\\share", PathType::UncAbsolute),
        ("//server/share", PathType::UncAbsolute),
        ("C:\\x", PathType::DriveAbsolute),
        ("c:/x", PathType::DriveAbsolute),
        ("C:x", PathType::DriveRelative),
        ("C:", PathType::DriveRelative),
        ("\\x", PathType::Rooted),
        ("x\\y", PathType::Relative),
        ("\\\\.\\COM1", PathType::LocalDevice),
        ("\\\\?\\C:\\x", PathType::LocalDevice),
        ("\\\\.", PathType::RootLocalDevice),
        ("\\\\?", PathType::RootLocalDevice),
        ("\\\\.x", PathType::UncAbsolute),
    ];
    for (p, t) in cases {
        assert_eq!(path_type(&w(p)), t, "{p}");
    }
}

#[test]
fn devices() {
    assert_eq!(dos_device(&w("CON")), Some((0, 3)));
    assert_eq!(dos_device(&w("c:\\dir\\nul.txt")), Some((7, 3)));
    assert_eq!(dos_device(&w("lpt1:")), Some((0, 4)));
    assert_eq!(dos_device(&w("C:aux  .x")), Some((2, 3)));
    assert_eq!(dos_device(&w("COM10")), None);
    assert_eq!(dos_device(&w("LPT0")), None);
    assert_eq!(dos_device(&w("console")), None);
    assert_eq!(dos_device(&w("\\\\.\\nul")), None);
    assert_eq!(dos_device(&w("\\\\server\\share\\nul")), None);
    assert_eq!(dos_device(&w("nul\\x")), None);
}

#[test]
fn full_paths() {
    let cur = "C:\\work\\dir\\";
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("C:\\x", "C:\\x", Some("x")),
        ("C:\\a\\..\\b", "C:\\b", Some("b")),
        ("C:\\a\\.\\b\\", "C:\\a\\b\\", None),
        ("C:/a//b", "C:\\a\\b", Some("b")),
        ("C:\\a\\..\\..\\..", "C:\\", None),
        ("C:\\a\\.", "C:\\a", Some("a")),
        ("C:\\a\\..", "C:\\", None),
        ("C:\\foo. ", "C:\\foo", Some("foo")),
        ("C:\\foo.\\bar", "C:\\foo\\bar", Some("bar")),
        ("C:\\foo \\", "C:\\foo \\", None),
        ("C:\\a...", "C:\\a", Some("a")),
        ("file.txt", "C:\\work\\dir\\file.txt", Some("file.txt")),
        ("..\\up", "C:\\work\\up", Some("up")),
        (".", "C:\\work\\dir", Some("dir")),
        ("..", "C:\\work", Some("work")),
        ("\\rooted", "C:\\rooted", Some("rooted")),
        ("C:rel", "C:\\work\\dir\\rel", Some("rel")),
        ("c:rel", "C:\\work\\dir\\rel", Some("rel")),
        ("D:rel", "D:\\rel", Some("rel")),
        ("D:", "D:\\", None),
        (
            "\\\\server\\share\\x\\..\\y",
            "\\\\server\\share\\y",
            Some("y"),
        ),
        ("\\\\server\\share\\..\\..", "\\\\server\\share\\", None),
        ("//server/share/x", "\\\\server\\share\\x", Some("x")),
        ("\\\\server", "\\\\server", Some("server")),
        ("\\\\.\\COM1", "\\\\.\\COM1", Some("COM1")),
        ("\\\\.\\C:\\a\\..\\b", "\\\\.\\C:\\b", Some("b")),
        ("\\\\?\\C:\\a\\..\\b", "\\\\?\\C:\\a\\..\\b", Some("b")),
        ("\\\\.", "\\\\.\\", None),
        ("nul", "\\\\.\\nul", None),
        ("C:\\dir\\CON.txt", "\\\\.\\CON", None),
    ];
    for (name, want, part) in cases {
        let (got, fp) = full(name, cur);
        assert_eq!(got, *want, "full path of {name:?}");
        assert_eq!(fp.as_deref(), *part, "file part of {name:?}");
    }
    // Relative to a UNC current directory.
    assert_eq!(full("\\x", "\\\\srv\\sh\\dir\\").0, "\\\\srv\\sh\\x");
    assert_eq!(full("y", "\\\\srv\\sh\\dir\\").0, "\\\\srv\\sh\\dir\\y");
    assert_eq!(full("..\\..\\..", "\\\\srv\\sh\\dir\\").0, "\\\\srv\\sh\\");
    // Current directory without its trailing separator.
    assert_eq!(full("f", "C:\\d").0, "C:\\d\\f");
}

#[test]
fn nt_paths() {
    let cur = "C:\\cur\\";
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("C:\\x", "\\??\\C:\\x", Some("x")),
        ("C:\\dir\\", "\\??\\C:\\dir\\", None),
        ("rel\\f.txt", "\\??\\C:\\cur\\rel\\f.txt", Some("f.txt")),
        (
            "\\\\server\\share\\x",
            "\\??\\UNC\\server\\share\\x",
            Some("x"),
        ),
        ("\\\\?\\C:\\a\\..\\b", "\\??\\C:\\a\\..\\b", Some("b")),
        ("\\??\\C:\\x", "\\??\\C:\\x", Some("x")),
        ("\\\\.\\C:\\x", "\\??\\C:\\x", Some("x")),
        ("NUL", "\\??\\NUL", None),
        ("c:\\temp\\con.log", "\\??\\con", None),
        ("C:\\", "\\??\\C:\\", None),
    ];
    for (name, want, part) in cases {
        let (got, fp) = nt(name, cur);
        assert_eq!(got, *want, "NT path of {name:?}");
        assert_eq!(fp.as_deref(), *part, "file part of {name:?}");
    }
    let mut small = [0u16; 4];
    assert!(nt_path(&w("C:\\x"), &w(cur), &mut small).is_err());
    assert!(full_path(&[], &w(cur), &mut [0u16; 64]).is_err());
}

/// RtlGetFullPathName_U's byte counts (ReactOS's apitest, checked against
/// Windows: `C:\test` with no buffer reports sizeof(L"C:\\test") = 16).
#[test]
fn full_path_byte_counts() {
    let (n, c) = (w("C:\\a\\..\\b\\.\\c.txt"), w("C:\\"));
    let mut out = vec![0u16; rtl::path::bound(&n, &c)];
    let r = full_path(&n, &c, &mut out).unwrap();
    assert_eq!(String::from_utf16(&out[..r.len]).unwrap(), "C:\\b\\c.txt");
    // Ten units: 20 bytes written; 22 needed with the NUL.
    assert_eq!(full_path_bytes(r.len, 128), Ok(20));
    assert_eq!(full_path_bytes(r.len, 22), Ok(20));
    assert_eq!(full_path_bytes(r.len, 21), Err(22));
    assert_eq!(full_path_bytes(r.len, 20), Err(22), "no room for the NUL");
    assert_eq!(full_path_bytes(r.len, 4), Err(22));
    assert_eq!(full_path_bytes(7, 0), Err(16), "C:\\test, no buffer");
    assert_eq!(full_path_bytes(usize::MAX, 0), Err(u32::MAX), "saturates");
}

proptest::proptest! {
    /// Arbitrary names never panic, and full paths only shrink or keep
    /// within the bound.
    #[test]
    fn never_panics(name in proptest::collection::vec(proptest::sample::select(w("ab.\\/: ?C\u{e9}")), 1..24),
                    cur in proptest::sample::select(vec!["C:\\x\\", "\\\\s\\h\\", "", "C:", "\\\\.\\", "rel"])) {
        let c = w(cur);
        let mut out = vec![0u16; rtl::path::bound(&name, &c)];
        if let Ok(r) = full_path(&name, &c, &mut out) {
            proptest::prop_assert!(r.len <= out.len());
            if let Some(f) = r.file_part { proptest::prop_assert!(f <= r.len); }
        }
        let mut out = vec![0u16; rtl::path::bound(&name, &c)];
        if let Ok(r) = nt_path(&name, &c, &mut out) {
            proptest::prop_assert!(r.len <= out.len());
        }
    }
}
