//! printf engine against outputs of the Microsoft C runtime (what MSVC's
//! sprintf prints for each directive), in narrow and wide formats.

use rtl::format::{finish_c99, finish_ms, format, SliceArgs, Writer};

fn w(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// sprintf into a big buffer.
fn sp(fmt: &str, args: &[u64]) -> String {
    let mut buf = vec![0u8; 8192];
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
        ("%f", &[0], "0.000000"),
        ("%5.2f|%d", &[0, 3], " 0.00|3"),
    ];
    for (fmt, args, want) in cases {
        assert_eq!(sp(fmt, args), *want, "format {fmt:?}");
    }
}

/// sprintf of doubles (each a bit pattern in its slot, as on x86_64).
fn fp(fmt: &str, args: &[f64]) -> String {
    let bits: Vec<u64> = args.iter().map(|v| v.to_bits()).collect();
    sp(fmt, &bits)
}

/// What the Universal C runtime (Windows 10 2004 and later) prints.
#[test]
fn floats() {
    let cases: &[(&str, f64, &str)] = &[
        // %f
        ("%f", 3.14159, "3.141590"),
        ("%08.3f", 3.14159, "0003.142"),
        ("%.2f", 2.675, "2.67"), // 2.67499999999999982236431605997495353221893310546875
        ("%.0f", 0.5, "0"),
        ("%.0f", 1.5, "2"),
        ("%.0f", 2.5, "2"), // exact ties go to even since Windows 10 2004
        ("%.1f", 0.25, "0.2"),
        ("%.2f", 0.125, "0.12"),
        ("%.2f", 0.375, "0.38"),
        ("%.1f", 2.35, "2.4"), // 2.35000000000000008882
        ("%.3f", 0.0006, "0.001"),
        ("%.3f", 0.0004, "0.000"),
        ("%.0f", 1e21, "1000000000000000000000"),
        (
            "%f",
            1180591620717411303424.0,
            "1180591620717411303424.000000",
        ),
        ("%.20f", 0.1, "0.10000000000000000555"),
        ("%f", -0.0, "-0.000000"),
        ("%.1f", -0.01, "-0.0"),
        ("%+f", 1.0, "+1.000000"),
        ("% f", 1.0, " 1.000000"),
        ("% f", -1.0, "-1.000000"),
        ("%-10.2f|", 3.14159, "3.14      |"),
        ("%10.2f|", 3.14159, "      3.14|"),
        ("%010.2f", -3.14159, "-000003.14"),
        ("%+010.2f", 3.14159, "+000003.14"),
        ("%-010.2f|", 3.14159, "3.14      |"),
        ("%.0f", 3.7, "4"),
        ("%#.0f", 3.7, "4."),
        ("%#.0f", -3.0, "-3."),
        ("%F", 1.5, "1.500000"),
        ("%lf", 1.5, "1.500000"),
        ("%Lf", 1.5, "1.500000"),
        ("%f", 1e-320, "0.000000"),
        ("%.3f", 999.9996, "1000.000"),
        // %e
        ("%e", 1.0, "1.000000e+00"),
        ("%e", 0.0, "0.000000e+00"),
        ("%e", -0.0, "-0.000000e+00"),
        ("%E", 12345.678, "1.234568E+04"),
        ("%e", 1e100, "1.000000e+100"),
        ("%e", 1e-300, "1.000000e-300"),
        ("%e", 1.7976931348623157e308, "1.797693e+308"),
        ("%e", 5e-324, "4.940656e-324"),
        ("%.0e", 12345.0, "1e+04"),
        ("%#.0e", 12345.0, "1.e+04"),
        ("%.2e", 9.999, "1.00e+01"),
        ("%.3e", 0.00012345, "1.234e-04"),    // 1.23449999...e-4
        ("%12.3e|", 1234.5, "   1.234e+03|"), // 1234.5 is a tie: to even
        ("%-12.3e|", 1235.5, "1.236e+03   |"),
        ("%012.3e", -1234.5, "-001.234e+03"),
        ("%+.1e", 0.05, "+5.0e-02"),
        // %g
        ("%g", 100000.0, "100000"),
        ("%g", 1000000.0, "1e+06"),
        ("%g", 0.0001, "0.0001"),
        ("%g", 0.00001, "1e-05"),
        ("%g", 1.5, "1.5"),
        ("%g", 0.1, "0.1"),
        ("%g", 123456789.0, "1.23457e+08"),
        ("%g", 999999.5, "1e+06"),
        ("%g", 0.0, "0"),
        ("%g", -0.0, "-0"),
        ("%#g", 0.0, "0.000000"),
        ("%#g", 1.5, "1.50000"),
        ("%#g", 123456.0, "123456."),
        ("%#g", 1e10, "1.00000e+10"),
        ("%G", 1e-10, "1E-10"),
        ("%G", 2.5e-5, "2.5E-05"),
        ("%.3g", 3.14159, "3.14"),
        ("%.3g", 1234.0, "1.23e+03"),
        ("%.0g", 3.7, "4"),
        ("%.1g", 0.25, "0.2"),
        ("%#.0g", 3.7, "4."),
        ("%#.1g", 1e10, "1.e+10"),
        ("%.10g", 0.1, "0.1"),
        ("%.17g", 0.1, "0.10000000000000001"),
        ("%.17g", 1e23, "9.9999999999999992e+22"),
        ("%10.4g|", 3.14159, "     3.142|"),
        ("%-10g|", 2.0, "2         |"),
        ("%010g", -2.5, "-0000002.5"),
        ("%g", 0.000123456, "0.000123456"),
        ("%g", 100.0, "100"),
        // %a
        ("%a", 1.0, "0x1.0000000000000p+0"),
        ("%a", 0.5, "0x1.0000000000000p-1"),
        ("%a", -2.5, "-0x1.4000000000000p+1"),
        ("%A", 255.0, "0X1.FE00000000000P+7"),
        ("%a", 0.0, "0x0.0000000000000p+0"),
        ("%a", -0.0, "-0x0.0000000000000p+0"),
        ("%a", 5e-324, "0x0.0000000000001p-1022"),
        ("%a", 1.7976931348623157e308, "0x1.fffffffffffffp+1023"),
        ("%a", 0.1, "0x1.999999999999ap-4"),
        ("%.0a", 1.0, "0x1p+0"),
        ("%#.0a", 1.0, "0x1.p+0"),
        ("%.1a", 1.0, "0x1.0p+0"),
        ("%.3a", 0.1, "0x1.99ap-4"),
        ("%.2a", 0.1, "0x1.9ap-4"),
        ("%.1a", 1.96875, "0x1.fp+0"), // 0x1.f8: a dropped 8 does not round up
        ("%.1a", 1.97265625, "0x2.0p+0"), // 0x1.f9: the carry stays in the lead digit
        ("%.0a", 1.5625, "0x2p+0"),    // 0x1.9: a dropped 9 rounds up
        ("%.0a", 1.5, "0x1p+0"),       // 0x1.8 does not
        ("%.15a", 1.0, "0x1.000000000000000p+0"),
        ("%025a", 1.0, "0x000001.0000000000000p+0"),
        ("%+a", 2.0, "+0x1.0000000000000p+1"),
        ("%30a|", -1.0, "         -0x1.0000000000000p+0|"),
        ("%-25a|", 1.0, "0x1.0000000000000p+0     |"),
    ];
    for (fmt, v, want) in cases {
        assert_eq!(fp(fmt, &[*v]), *want, "format {fmt:?} of {v:e}");
    }
}

#[test]
fn float_specials() {
    let qnan = f64::from_bits(0x7FF8_0000_0000_0000);
    let ind = f64::from_bits(0xFFF8_0000_0000_0000); // 0.0 / 0.0 on x86
    let snan = f64::from_bits(0x7FF0_0000_0000_0001);
    let neg_qnan = f64::from_bits(0xFFF8_0000_0000_0001);
    let cases: &[(&str, f64, &str)] = &[
        ("%f", f64::INFINITY, "inf"),
        ("%F", f64::INFINITY, "INF"),
        ("%e", f64::NEG_INFINITY, "-inf"),
        ("%G", f64::NEG_INFINITY, "-INF"),
        ("%a", f64::INFINITY, "inf"),
        ("%A", f64::NEG_INFINITY, "-INF"),
        ("%f", qnan, "nan"),
        ("%f", ind, "-nan(ind)"),
        ("%E", ind, "-NAN(IND)"),
        ("%g", snan, "nan(snan)"),
        ("%g", neg_qnan, "-nan"),
        ("%05f|", f64::INFINITY, "  inf|"),
        ("%-6f|", f64::INFINITY, "inf   |"),
        ("%+f", f64::INFINITY, "+inf"),
        ("% f", qnan, " nan"),
        ("%010a", f64::INFINITY, "       inf"),
        ("%.1f", f64::INFINITY, "inf"),
        ("%12f|", ind, "   -nan(ind)|"),
    ];
    for (fmt, v, want) in cases {
        assert_eq!(
            fp(fmt, &[*v]),
            *want,
            "format {fmt:?} of {:#x}",
            v.to_bits()
        );
    }
}

#[test]
fn float_precision_limits() {
    // Digits past a double's exact expansion are zeros, at any precision.
    let s = fp("%.1100f", &[1.0]);
    assert_eq!(s.len(), 1102);
    assert!(s.starts_with("1.000") && s[2..].bytes().all(|b| b == b'0'));
    let third = fp("%.1100f", &[1.0 / 3.0]);
    assert!(third.starts_with("0.333333333333333314829616256247390992939472198486328125000"));
    let s = fp("%.5000e", &[0.1]);
    assert_eq!(s.len(), 1 + 1 + 5000 + 4);
    assert!(s.starts_with("1.000000000000000055511151231257827021181583404541015625000"));
    assert!(s.ends_with("0e-01"));
    let s = fp("%.2000g", &[0.1]);
    assert_eq!(
        s,
        "0.1000000000000000055511151231257827021181583404541015625"
    );
    let s = fp("%#.900g", &[0.5]);
    assert_eq!(s.len(), 2 + 900);
    let s = fp("%.40a", &[1.0]);
    assert_eq!(s, format!("0x1.{}p+0", "0".repeat(40)));
    // The smallest subnormal, in full: 1074 fraction digits.
    let s = fp("%.1074f", &[5e-324]);
    assert!(s.starts_with("0.000") && s.ends_with("625"));
    assert_eq!(fp("%.751e", &[5e-324]).len(), 2 + 751 + 5);
    assert!(fp("%.750e", &[5e-324]).starts_with("4.9406564584124654417656879286822137236505980"));
    // The largest double, all 309 integer digits.
    let s = fp("%.0f", &[f64::MAX]);
    assert_eq!(s.len(), 309);
    assert_eq!(s, "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368");
    // A width far beyond the output pads to it.
    assert_eq!(fp("%300f", &[1.0]).len(), 300);
}

#[test]
fn wide_floats() {
    let f = w("%.2f|%e|%g|%a");
    let args = [3.14159f64, 1.0, 0.5, 1.0].map(f64::to_bits);
    let mut buf = vec![0u16; 128];
    let mut out = Writer::new(&mut buf);
    let n = unsafe { format(&f, &mut SliceArgs::new(&args), &mut out) };
    assert_eq!(
        String::from_utf16(&buf[..n]).unwrap(),
        "3.14|1.000000e+00|0.5|0x1.0000000000000p+0"
    );
    // Truncated by _snprintf's count like any other output.
    let mut small = [0xAAu8; 8];
    let mut out = Writer::new(&mut small[..6]);
    unsafe { format(b"%f", &mut SliceArgs::new(&[1.5f64.to_bits()]), &mut out) };
    assert_eq!(finish_ms(&mut out, 6, 0), -1);
    assert_eq!(&small, b"1.5000\xAA\xAA");
}

/// The value a `%a` rendering denotes (`[-]0xH.HHHp[+-]D`).
fn parse_hex_float(s: &str) -> f64 {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let s = s.strip_prefix("0x").unwrap();
    let (mant, exp) = s.split_once('p').unwrap();
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let mut v = u64::from_str_radix(int, 16).unwrap() as f64;
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        v += c.to_digit(16).unwrap() as f64 * scale;
        scale /= 16.0;
    }
    let e: i32 = exp.parse().unwrap();
    // Two steps keep 2^-1074 representable.
    let v = v * 2f64.powi(e / 2) * 2f64.powi(e - e / 2);
    if neg {
        -v
    } else {
        v
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
    /// Any double: the round-trip renderings read back as the same value.
    #[test]
    fn floats_round_trip(bits in proptest::num::u64::ANY) {
        let v = f64::from_bits(bits);
        if v.is_finite() {
            let e = fp("%.16e", &[v]);
            proptest::prop_assert_eq!(e.parse::<f64>().unwrap().to_bits(), bits, "{}", e);
            let g = fp("%.17g", &[v]);
            proptest::prop_assert_eq!(g.parse::<f64>().unwrap().to_bits(), bits, "{}", g);
            let a = fp("%a", &[v]);
            proptest::prop_assert_eq!(parse_hex_float(&a).to_bits(), bits, "{}", a);
            let f = fp("%.1074f", &[v]);
            proptest::prop_assert_eq!(f.parse::<f64>().unwrap().to_bits(), bits);
        }
        for conv in ["%e", "%f", "%g", "%a", "%E", "%G", "%A", "%F"] {
            let s = fp(conv, &[v]);
            proptest::prop_assert!(!s.is_empty());
            proptest::prop_assert_eq!(s.starts_with('-'), v.is_sign_negative(), "{}", s);
        }
    }

    /// Any flags, width and precision on any double: no panic, and the
    /// stored output never exceeds the buffer.
    #[test]
    fn float_directives_never_panic(flags in proptest::collection::vec(proptest::sample::select(b"-+ #0".to_vec()), 0..4),
                                    width in proptest::option::of(0usize..40), precision in proptest::option::of(0usize..40),
                                    conv in proptest::sample::select(b"eEfFgGaA".to_vec()), bits in proptest::num::u64::ANY,
                                    cap in 0usize..64) {
        let mut fmt = b"%".to_vec();
        fmt.extend(&flags);
        if let Some(w) = width { fmt.extend(w.to_string().bytes()); }
        if let Some(p) = precision { fmt.push(b'.'); fmt.extend(p.to_string().bytes()); }
        fmt.push(conv);
        let mut buf = vec![0u8; cap];
        let mut out = Writer::new(&mut buf);
        let n = unsafe { format(&fmt, &mut SliceArgs::new(&[bits]), &mut out) };
        proptest::prop_assert!(out.stored() <= cap);
        proptest::prop_assert!(n >= width.unwrap_or(0));
    }

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
