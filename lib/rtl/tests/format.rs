//! printf engine against outputs of the Microsoft C runtime (what MSVC's
//! sprintf prints for each directive), in narrow and wide formats.

use rtl::format::{finish_c99, finish_ms, format, SliceArgs, Writer};

fn w(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// sprintf into a big buffer.
fn sp(fmt: &str, args: &[u64]) -> String {
    let mut buf = vec![0u8; 512];
    let mut out = Writer::new(&mut buf);
    // SAFETY: string arguments in these tests point at live NUL-terminated data.
    let n = unsafe { format(fmt.as_bytes(), &mut SliceArgs::new(args), &mut out) };
    String::from_utf8(buf[..n].to_vec()).unwrap()
}

/// swprintf into a big buffer.
fn swp(fmt: &str, args: &[u64]) -> String {
    let f = w(fmt);
    let mut buf = vec![0u16; 512];
    let mut out = Writer::new(&mut buf);
    // SAFETY: as in sp.
    let n = unsafe { format(&f, &mut SliceArgs::new(args), &mut out) };
    String::from_utf16(&buf[..n]).unwrap()
}

#[test]
fn integers() {
    let cases: &[(&str, &[u64], &str)] = &[
        ("%d", &[42], "42"),
        ("%d", &[(-42i64) as u64], "-42"),
        ("%i", &[0xFFFF_FFFF], "-1"),
        ("%u", &[0xFFFF_FFFF], "4294967295"),
        ("%5d|", &[42], "   42|"),
        ("%-5d|", &[42], "42   |"),
        ("%05d", &[42], "00042"),
        ("%05d", &[(-42i64) as u64], "-0042"),
        ("%-08d|", &[123], "123     |"),
        ("%+d", &[5], "+5"),
        ("% d", &[5], " 5"),
        ("%+d", &[(-5i64) as u64], "-5"),
        ("%.3d", &[7], "007"),
        ("%8.3d|", &[7], "     007|"),
        ("%08.3d|", &[7], "     007|"),
        ("%.0d|", &[0], "|"),
        ("%x", &[255], "ff"),
        ("%X", &[255], "FF"),
        ("%#x", &[31], "0x1f"),
        ("%#X", &[31], "0X1F"),
        ("%#x", &[0], "0"),
        ("%#o", &[8], "010"),
        ("%#o", &[0], "0"),
        ("%o", &[8], "10"),
        ("%#08x", &[255], "0x0000ff"),
        ("%x", &[(-1i64) as u64], "ffffffff"),
        ("%lx", &[0x1_0000_0001], "1"),
        ("%llx", &[0x1_0000_0001], "100000001"),
        ("%I64x", &[0xDEAD_BEEF_CAFE], "deadbeefcafe"),
        ("%I64u", &[u64::MAX], "18446744073709551615"),
        ("%I64d", &[i64::MIN as u64], "-9223372036854775808"),
        ("%lld", &[(-1i64) as u64], "-1"),
        ("%zu", &[1 << 40], "1099511627776"),
        ("%Iu", &[1 << 40], "1099511627776"),
        ("%I32d", &[0x1_FFFF_FFFF], "-1"),
        ("%hd", &[0x1_FFFF], "-1"),
        ("%hu", &[0x1_FFFF], "65535"),
        ("%hhd", &[0x1FF], "-1"),
        ("%hhx", &[0x1AB], "ab"),
        ("%*d|", &[6, 42], "    42|"),
        ("%-*d|", &[6, 42], "42    |"),
        ("%*d|", &[(-6i64) as u64, 42], "42    |"),
        ("%.*d", &[4, 42], "0042"),
        ("%.*d", &[(-1i64) as u64, 42], "42"),
        ("%p", &[0x12FF7C], "000000000012FF7C"),
        ("%d%%", &[50], "50%"),
        ("%y", &[], "y"),
        ("abc%", &[], "abc%"),
        ("%5", &[], "%5"),
        ("x%ny", &[0], "xy"),
        ("%f", &[0], "%f"),
        ("%5.2f|%d", &[0, 3], "%5.2f|3"),
    ];
    for (fmt, args, want) in cases {
        assert_eq!(sp(fmt, args), *want, "format {fmt:?}");
    }
}

#[test]
fn strings_and_chars() {
    let hello = b"hello\0";
    let abcdef = b"abcdef\0";
    let wide = w("wide\0");
    let euro = w("\u{20AC}5\0");
    let hp = hello.as_ptr() as u64;
    let ap = abcdef.as_ptr() as u64;
    let wp = wide.as_ptr() as u64;
    let cases: &[(&str, &[u64], &str)] = &[
        ("%s", &[hp], "hello"),
        ("%10s|", &[hp], "     hello|"),
        ("%-10s|", &[hp], "hello     |"),
        ("%5.2s|", &[ap], "   ab|"),
        ("%.3s", &[ap], "abc"),
        ("%.0s|", &[ap], "|"),
        ("%.10s", &[ap], "abcdef"),
        ("%05s", &[hp], "hello"),
        ("%07s", &[hp], "00hello"),
        ("%s", &[0], "(null)"),
        ("%.3s", &[0], "(nu"),
        ("%S", &[wp], "wide"),
        ("%ls", &[wp], "wide"),
        ("%ws", &[wp], "wide"),
        ("%hs", &[hp], "hello"),
        ("%c%c", &[b'o' as u64, b'k' as u64 | 0x100], "ok"),
        ("%3c|", &[b'x' as u64], "  x|"),
        ("%-3c|", &[b'x' as u64], "x  |"),
        ("%C", &[0x41], "A"),
        ("[%s] [%d]", &[hp, 7], "[hello] [7]"),
    ];
    for (fmt, args, want) in cases {
        assert_eq!(sp(fmt, args), *want, "format {fmt:?}");
    }
    // A wide string through a narrow format goes through Windows-1252.
    let mut buf = vec![0u8; 16];
    let mut out = Writer::new(&mut buf);
    let n = unsafe {
        format(
            b"%S",
            &mut SliceArgs::new(&[euro.as_ptr() as u64]),
            &mut out,
        )
    };
    assert_eq!(&buf[..n], &[0x80, b'5']);
}

#[test]
fn counted_strings() {
    let text = w("counted!");
    // UNICODE_STRING { Length = 14 (7 chars), MaximumLength, pad, Buffer }.
    let us: [u64; 2] = [14 | (16 << 16), text.as_ptr() as u64];
    let bytes = b"ansi text";
    let an: [u64; 2] = [4 | (9 << 16), bytes.as_ptr() as u64];
    assert_eq!(sp("%wZ", &[us.as_ptr() as u64]), "counted");
    assert_eq!(sp("<%10wZ>", &[us.as_ptr() as u64]), "<   counted>");
    assert_eq!(sp("%Z", &[an.as_ptr() as u64]), "ansi");
    assert_eq!(sp("%wZ", &[0]), "(null)");
    let empty: [u64; 2] = [0, 0];
    assert_eq!(sp("%wZ", &[empty.as_ptr() as u64]), "(null)");
    assert_eq!(swp("%wZ", &[us.as_ptr() as u64]), "counted");
}

#[test]
fn wide_formats() {
    let narrow = b"narrow\0";
    let wide = w("wide\0");
    assert_eq!(swp("%s", &[wide.as_ptr() as u64]), "wide");
    assert_eq!(swp("%S", &[narrow.as_ptr() as u64]), "narrow");
    assert_eq!(swp("%hs", &[narrow.as_ptr() as u64]), "narrow");
    assert_eq!(swp("%ls", &[wide.as_ptr() as u64]), "wide");
    assert_eq!(swp("%c", &[0x3A9]), "\u{3A9}");
    assert_eq!(swp("%C", &[0x80]), "\u{20AC}");
    assert_eq!(
        swp("%-6s|%04X", &[wide.as_ptr() as u64, 0xBEEF]),
        "wide  |BEEF"
    );
    assert_eq!(swp("\u{E9}t\u{E9} %d", &[1]), "\u{E9}t\u{E9} 1");
    assert_eq!(swp("%s", &[0]), "(null)");
}

#[test]
fn truncation_rules() {
    // _snprintf: fits with room -> NUL, returns length.
    let mut buf = [0xAAu8; 8];
    let mut out = Writer::new(&mut buf[..8]);
    unsafe { format(b"abc", &mut SliceArgs::new(&[]), &mut out) };
    assert_eq!(finish_ms(&mut out, 8, 0), 3);
    assert_eq!(&buf[..4], b"abc\0");
    // Exactly fills: no NUL, returns the length.
    let mut buf = [0xAAu8; 4];
    let mut out = Writer::new(&mut buf[..3]);
    unsafe { format(b"abc", &mut SliceArgs::new(&[]), &mut out) };
    assert_eq!(finish_ms(&mut out, 3, 0), 3);
    assert_eq!(&buf, b"abc\xAA");
    // Too long: truncated, no NUL, -1.
    let mut buf = [0xAAu8; 6];
    let mut out = Writer::new(&mut buf[..4]);
    unsafe { format(b"%d", &mut SliceArgs::new(&[123456]), &mut out) };
    assert_eq!(finish_ms(&mut out, 4, 0), -1);
    assert_eq!(&buf, b"1234\xAA\xAA");
    // C99 snprintf: always terminated, returns the full length.
    let mut buf = [0xAAu8; 6];
    let mut out = Writer::new(&mut buf[..4]);
    unsafe { format(b"%d", &mut SliceArgs::new(&[123456]), &mut out) };
    assert_eq!(finish_c99(&mut out, 4, 0), 6);
    assert_eq!(&buf, b"123\0\xAA\xAA");
    let mut empty: [u8; 0] = [];
    let mut out = Writer::new(&mut empty);
    unsafe { format(b"xyz", &mut SliceArgs::new(&[]), &mut out) };
    assert_eq!(finish_c99(&mut out, 0, 0), 3);
    // Wide: _snwprintf.
    let mut wbuf = [0xAAAAu16; 4];
    let f = w("%s!");
    let s = w("hi\0");
    let mut out = Writer::new(&mut wbuf);
    unsafe { format(&f, &mut SliceArgs::new(&[s.as_ptr() as u64]), &mut out) };
    assert_eq!(finish_ms(&mut out, 4, 0), 3);
    assert_eq!(wbuf, [b'h' as u16, b'i' as u16, b'!' as u16, 0]);
}

proptest::proptest! {
    /// Any format string and arguments: no panic, and the stored output
    /// never exceeds the buffer.
    #[test]
    fn never_panics(fmt in proptest::collection::vec(proptest::sample::select(b"%-+ #0123456789.*hlwIzjtL64dixXuopcCnZfy%ab".to_vec()), 0..40),
                    args in proptest::collection::vec(0u64..1000, 0..8), cap in 0usize..32) {
        // Only integer-ish conversions may see these arguments: drop the
        // string and counted-string ones, which would dereference them.
        let fmt: Vec<u8> = fmt.into_iter().filter(|c| !b"sSZ".contains(c)).collect();
        let mut buf = vec![0u8; cap];
        let mut out = Writer::new(&mut buf);
        let n = unsafe { format(&fmt, &mut SliceArgs::new(&args), &mut out) };
        proptest::prop_assert!(out.stored() <= cap);
        proptest::prop_assert_eq!(n, out.len);
    }
}
