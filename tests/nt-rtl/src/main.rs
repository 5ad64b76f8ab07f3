//! nt-rtl.exe: ntdll's run-time library as a program uses it. Unicode and
//! ANSI strings, integer conversion, heaps, the environment, DOS to NT
//! path conversion, time fields, DbgPrint, and the C runtime subset ntdll
//! exports (looked up by name: the program's own compiler-builtins define
//! the same `memcpy`/`strlen` names). Expected values are Windows' (MSVC
//! printf formats).
#![no_std]
#![no_main]

use nt_test::nt::*;
use nt_test::nt_abi::status::*;
use nt_test::nt_abi::types::{AnsiString, Peb, UnicodeString};
use nt_test::util::{self, ansi, eq_w, units, us, us_out, Wide};
use nt_test::{check, check_eq, check_st, w, wz};

nt_test::entry!("nt-rtl", run);

fn run(peb: &Peb) {
    strings();
    heaps(peb);
    environment();
    paths();
    time();
    crt();
    // SAFETY: a NUL-terminated format with no conversions.
    check_st!(
        unsafe { DbgPrint(b"nt-rtl: DbgPrint works\n\0".as_ptr()) },
        STATUS_SUCCESS
    );
}

fn strings() {
    let mut s = UnicodeString::default();
    // SAFETY: a NUL-terminated string.
    unsafe { RtlInitUnicodeString(&mut s, wz!("Hello").as_ptr()) };
    check_eq!((s.length, s.maximum_length), (10, 12));
    // SAFETY: NULL is allowed: an empty string.
    unsafe { RtlInitUnicodeString(&mut s, core::ptr::null()) };
    check_eq!((s.length, s.maximum_length, s.buffer), (0, 0, 0));
    let (a, b, c) = (us(w!("abc")), us(w!("ABC")), us(w!("abd")));
    // SAFETY: valid strings throughout.
    unsafe {
        check_eq!(RtlCompareUnicodeString(&a, &b, 1), 0);
        check!(
            RtlCompareUnicodeString(&a, &b, 0) > 0,
            "case-sensitive compare"
        );
        check!(RtlCompareUnicodeString(&a, &c, 0) < 0, "abc < abd");
        check_eq!(RtlEqualUnicodeString(&a, &b, 1), 1);
        check_eq!(RtlEqualUnicodeString(&a, &b, 0), 0);
        check_eq!(RtlPrefixUnicodeString(&us(w!("AB")), &a, 1), 1);
        check_eq!(RtlUpcaseUnicodeChar(b'q' as u16), b'Q' as u16);
        check_eq!(RtlUpcaseUnicodeChar(0xE9), 0xC9, "e-acute");
    }
    // ANSI <-> Unicode with allocation, and into a caller's buffer.
    let src = ansi(b"Native");
    let mut u = UnicodeString::default();
    // SAFETY: valid strings; the result is freed below.
    unsafe {
        check_st!(
            RtlAnsiStringToUnicodeString(&mut u, &src, 1),
            STATUS_SUCCESS
        );
        check!(eq_w(units(&u), "Native"), "converted {}", Wide(units(&u)));
        let mut back = AnsiString::default();
        check_st!(
            RtlUnicodeStringToAnsiString(&mut back, &u, 1),
            STATUS_SUCCESS
        );
        check_eq!(
            core::slice::from_raw_parts(back.buffer as *const u8, back.length as usize),
            b"Native"
        );
        RtlFreeAnsiString(&mut back);
        let mut up = UnicodeString::default();
        check_st!(RtlUpcaseUnicodeString(&mut up, &u, 1), STATUS_SUCCESS);
        check!(eq_w(units(&up), "NATIVE"), "upcased {}", Wide(units(&up)));
        RtlFreeUnicodeString(&mut up);
        RtlFreeUnicodeString(&mut u);
        let mut small = [0u16; 3];
        let mut dst = us_out(&mut small);
        check_st!(
            RtlAnsiStringToUnicodeString(&mut dst, &src, 0),
            STATUS_BUFFER_OVERFLOW
        );
    }
    // Append, copy, duplicate.
    let mut buf = [0u16; 8];
    let mut d = us_out(&mut buf);
    // SAFETY: valid strings.
    unsafe {
        check_st!(
            RtlAppendUnicodeStringToString(&mut d, &us(w!("abc"))),
            STATUS_SUCCESS
        );
        check_st!(
            RtlAppendUnicodeToString(&mut d, wz!("def").as_ptr()),
            STATUS_SUCCESS
        );
        check!(eq_w(units(&d), "abcdef"), "appended {}", Wide(units(&d)));
        check_st!(
            RtlAppendUnicodeToString(&mut d, wz!("ghi").as_ptr()),
            STATUS_BUFFER_TOO_SMALL
        );
        check_eq!(d.length, 12, "unchanged after a failed append");
        let mut dup = UnicodeString::default();
        check_st!(RtlDuplicateUnicodeString(1, &d, &mut dup), STATUS_SUCCESS);
        check_eq!(dup.maximum_length, dup.length + 2, "flag 1 adds a NUL");
        RtlFreeUnicodeString(&mut dup);
        check_st!(
            RtlDuplicateUnicodeString(4, &d, &mut dup),
            STATUS_INVALID_PARAMETER
        );
    }
    // Integers.
    let mut nb = [0u16; 16];
    let mut n = us_out(&mut nb);
    let mut v = 0u32;
    // SAFETY: valid strings.
    unsafe {
        check_st!(RtlIntegerToUnicodeString(1234, 10, &mut n), STATUS_SUCCESS);
        check!(eq_w(units(&n), "1234"), "{}", Wide(units(&n)));
        check_st!(RtlIntegerToUnicodeString(255, 16, &mut n), STATUS_SUCCESS);
        check!(eq_w(units(&n), "FF"), "{}", Wide(units(&n)));
        check_st!(
            RtlIntegerToUnicodeString(1, 7, &mut n),
            STATUS_INVALID_PARAMETER
        );
        check_st!(
            RtlUnicodeStringToInteger(&us(w!("  -42")), 10, &mut v),
            STATUS_SUCCESS
        );
        check_eq!(v as i32, -42);
        check_st!(
            RtlUnicodeStringToInteger(&us(w!("0x1F")), 0, &mut v),
            STATUS_SUCCESS
        );
        check_eq!(v, 31);
        check_st!(
            RtlUnicodeStringToInteger(&us(w!("12")), 3, &mut v),
            STATUS_INVALID_PARAMETER
        );
    }
}

fn heaps(peb: &Peb) {
    let heap = peb.process_heap as usize;
    // SAFETY: the process heap, and blocks from it.
    unsafe {
        let p = RtlAllocateHeap(heap, 0x8, 100); // HEAP_ZERO_MEMORY
        check!(!p.is_null() && (p as usize) % 16 == 0, "block {p:?}");
        check!((0..100).all(|i| *p.add(i) == 0), "HEAP_ZERO_MEMORY");
        check_eq!(RtlSizeHeap(heap, 0, p), 100);
        p.write_bytes(0x5A, 100);
        let q = RtlReAllocateHeap(heap, 0, p, 5000);
        check!(!q.is_null(), "realloc");
        check!(
            (0..100).all(|i| *q.add(i) == 0x5A),
            "realloc keeps the contents"
        );
        check_eq!(RtlSizeHeap(heap, 0, q), 5000);
        check_eq!(RtlFreeHeap(heap, 0, q), 1);
        check_eq!(
            RtlFreeHeap(heap, 0, core::ptr::null_mut()),
            1,
            "freeing NULL"
        );
        // A private growable heap: many blocks, all distinct.
        let h = RtlCreateHeap(0x2, 0, 0, 0, 0, 0); // HEAP_GROWABLE
        check!(h != 0, "RtlCreateHeap");
        let mut blocks = [core::ptr::null_mut::<u8>(); 64];
        for (i, b) in blocks.iter_mut().enumerate() {
            *b = RtlAllocateHeap(h, 0, 16 + i * 40);
            if !b.is_null() {
                b.write_bytes(i as u8, 16 + i * 40);
            }
        }
        check!(blocks.iter().all(|b| !b.is_null()), "64 allocations");
        check!(
            blocks
                .iter()
                .enumerate()
                .all(|(i, b)| *b.add(15 + i * 40) == i as u8),
            "blocks do not overlap"
        );
        let big = RtlAllocateHeap(h, 0, 2 << 20);
        check!(!big.is_null(), "a 2 MiB block in a growable heap");
        for b in blocks {
            RtlFreeHeap(h, 0, b);
        }
        RtlFreeHeap(h, 0, big);
        check_eq!(RtlDestroyHeap(h), 0, "RtlDestroyHeap returns NULL");
    }
}

fn environment() {
    let mut env = 0usize;
    // SAFETY: valid pointers; the environment is destroyed below.
    unsafe {
        check_st!(RtlCreateEnvironment(0, &mut env), STATUS_SUCCESS);
        let (name, value) = (us(w!("TritonVar")), us(w!("42")));
        check_st!(
            RtlSetEnvironmentVariable(&mut env, &name, &value),
            STATUS_SUCCESS
        );
        let mut out = [0u16; 8];
        let mut o = us_out(&mut out);
        check_st!(
            RtlQueryEnvironmentVariable_U(env, &us(w!("TRITONVAR")), &mut o),
            STATUS_SUCCESS
        );
        check!(eq_w(units(&o), "42"), "value {}", Wide(units(&o)));
        let mut tiny = [0u16; 1];
        let mut t = us_out(&mut tiny);
        check_st!(
            RtlQueryEnvironmentVariable_U(env, &name, &mut t),
            STATUS_BUFFER_TOO_SMALL
        );
        check_eq!(t.length, 4, "the length needed");
        check_st!(
            RtlQueryEnvironmentVariable_U(env, &us(w!("NoSuchVar")), &mut o),
            STATUS_VARIABLE_NOT_FOUND
        );
        // A NULL value deletes the variable.
        check_st!(
            RtlSetEnvironmentVariable(&mut env, &name, core::ptr::null()),
            STATUS_SUCCESS
        );
        check_st!(
            RtlQueryEnvironmentVariable_U(env, &name, &mut o),
            STATUS_VARIABLE_NOT_FOUND
        );
        check_st!(RtlDestroyEnvironment(env), STATUS_SUCCESS);
    }
}

fn paths() {
    let mut nt = UnicodeString::default();
    // SAFETY: NUL-terminated input; the result is freed below.
    unsafe {
        let ok = RtlDosPathNameToNtPathName_U(
            wz!("C:\\dir\\file.txt").as_ptr(),
            &mut nt,
            core::ptr::null_mut(),
            core::ptr::null_mut(),
        );
        check_eq!(ok, 1);
        check!(
            eq_w(units(&nt), "\\??\\C:\\dir\\file.txt"),
            "{}",
            Wide(units(&nt))
        );
        RtlFreeUnicodeString(&mut nt);
        let mut buf = [0u16; 64];
        let mut part: *const u16 = core::ptr::null();
        let n = RtlGetFullPathName_U(
            wz!("C:\\a\\..\\b\\.\\c.txt").as_ptr(),
            128,
            buf.as_mut_ptr(),
            &mut part,
        );
        // C:\b\c.txt is 10 units: 20 bytes, the NUL not counted.
        check_eq!(n, 20, "bytes of C:\\b\\c.txt");
        check!(eq_w(&buf[..10], "C:\\b\\c.txt"), "{}", Wide(&buf[..10]));
        check_eq!(buf[10], 0, "NUL-terminated");
        check_eq!(part, buf.as_ptr().add(5), "file part");
        // Too small: the size needed with the NUL (ReactOS's apitest, run
        // against Windows, expects sizeof(L"C:\\test") for C:\test).
        let needed =
            RtlGetFullPathName_U(wz!("C:\\b\\c.txt").as_ptr(), 4, buf.as_mut_ptr(), &mut part);
        check_eq!(needed, 22, "too small: the size needed with the NUL");
        check_eq!(
            RtlGetFullPathName_U(wz!("").as_ptr(), 128, buf.as_mut_ptr(), &mut part),
            0,
            "an empty name"
        );
        check_st!(
            RtlSetCurrentDirectory_U(&us(w!("C:\\system32"))),
            STATUS_SUCCESS
        );
        let cwd_is_system32 = |buf: &mut [u16; 64]| {
            let n = RtlGetCurrentDirectory_U(128, buf.as_mut_ptr()) as usize / 2;
            check!(eq_w(&buf[..n], "C:\\system32"), "cwd {}", Wide(&buf[..n]));
        };
        cwd_is_system32(&mut buf);
        // What fails before any file is opened (ReactOS's
        // RtlSetCurrentDirectory_U: a DOS device is not a directory; a name
        // without a full path is invalid), leaving the directory alone.
        // Whether the directory exists (STATUS_OBJECT_PATH_NOT_FOUND for
        // C:\no\such\dir) is the file system's answer: that check waits
        // for the I/O manager.
        check_st!(
            RtlSetCurrentDirectory_U(&us(w!(""))),
            STATUS_OBJECT_NAME_INVALID
        );
        check_st!(
            RtlSetCurrentDirectory_U(&us(w!("C:\\dir\\NUL"))),
            STATUS_NOT_A_DIRECTORY
        );
        cwd_is_system32(&mut buf);
    }
}

fn time() {
    let mut f = TimeFields::default();
    // SAFETY: valid pointers throughout.
    unsafe {
        RtlTimeToTimeFields(&0, &mut f);
        check_eq!(
            (f.year, f.month, f.day, f.hour, f.weekday),
            (1601, 1, 1, 0, 1)
        );
        let t = nt_test::nt_abi::types::UNIX_EPOCH_AS_NT_TIME + 86_400 * 10_000_000 + 1234 * 10_000;
        RtlTimeToTimeFields(&t, &mut f);
        check_eq!(
            (f.year, f.month, f.day, f.second, f.milliseconds, f.weekday),
            (1970, 1, 2, 1, 234, 5)
        );
        let mut back = 0i64;
        check_eq!(RtlTimeFieldsToTime(&f, &mut back), 1);
        check_eq!(back, t);
        f.month = 13;
        check_eq!(RtlTimeFieldsToTime(&f, &mut back), 0, "month 13");
        let mut secs = 0u32;
        check_eq!(RtlTimeToSecondsSince1970(&t, &mut secs), 1);
        check_eq!(secs, 86_401);
        check_eq!(RtlTimeToSecondsSince1970(&0, &mut secs), 0, "before 1970");
        let mut x = 0i64;
        RtlSecondsSince1970ToTime(1, &mut x);
        check_eq!(
            x,
            nt_test::nt_abi::types::UNIX_EPOCH_AS_NT_TIME + 10_000_000
        );
        let mut now = 0i64;
        check_st!(NtQuerySystemTime(&mut now), STATUS_SUCCESS);
        RtlTimeToTimeFields(&now, &mut f);
        check!(f.year >= 2024, "the clock says {}", f.year);
    }
}

fn crt() {
    type Sprintf = unsafe extern "C" fn(*mut u8, *const u8, ...) -> i32;
    type Snprintf = unsafe extern "C" fn(*mut u8, usize, *const u8, ...) -> i32;
    type Strlen = unsafe extern "C" fn(*const u8) -> usize;
    type Wcsicmp = unsafe extern "C" fn(*const u16, *const u16) -> i32;
    type Strtoul = unsafe extern "C" fn(*const u8, *mut *const u8, i32) -> u32;
    let get = |name: &[u8]| {
        let p = util::ntdll_proc(name);
        check!(
            p.is_some(),
            "ntdll exports {}",
            core::str::from_utf8(name).unwrap_or("?")
        );
        p
    };
    let mut out = [0u8; 64];
    if let Some(p) = get(b"sprintf") {
        // SAFETY: ntdll's sprintf; the buffer holds the output.
        let f: Sprintf = unsafe { core::mem::transmute(p) };
        let n = unsafe {
            f(
                out.as_mut_ptr(),
                b"%d|%5s|%-3x|%08.3f|%c|%%\0".as_ptr(),
                -17i32,
                b"ab\0".as_ptr(),
                255u32,
                3.14159f64,
                b'Z' as i32,
            )
        };
        check_eq!(
            &out[..n.max(0) as usize],
            &b"-17|   ab|ff |0003.142|Z|%"[..]
        );
        let n = unsafe {
            f(
                out.as_mut_ptr(),
                b"%I64u %p %ws\0".as_ptr(),
                u64::MAX,
                0x1234usize,
                wz!("w").as_ptr(),
            )
        };
        check_eq!(
            &out[..n.max(0) as usize],
            &b"18446744073709551615 0000000000001234 w"[..]
        );
    }
    if let Some(p) = get(b"_snprintf") {
        // SAFETY: ntdll's _snprintf; the count limits the output.
        let f: Snprintf = unsafe { core::mem::transmute(p) };
        out.fill(b'#');
        let n = unsafe { f(out.as_mut_ptr(), 4, b"%s\0".as_ptr(), b"abcdef\0".as_ptr()) };
        check_eq!(n, -1, "MSVC _snprintf: -1 when it does not fit");
        check_eq!(&out[..5], &b"abcd#"[..], "no NUL added when truncating");
    }
    if let Some(p) = get(b"strlen") {
        // SAFETY: ntdll's strlen on a NUL-terminated string.
        let f: Strlen = unsafe { core::mem::transmute(p) };
        check_eq!(unsafe { f(b"triton\0".as_ptr()) }, 6);
    }
    if let Some(p) = get(b"_wcsicmp") {
        // SAFETY: ntdll's _wcsicmp on NUL-terminated strings.
        let f: Wcsicmp = unsafe { core::mem::transmute(p) };
        check_eq!(
            unsafe { f(wz!("NtDll").as_ptr(), wz!("ntdll").as_ptr()) },
            0
        );
        check!(
            unsafe { f(wz!("a").as_ptr(), wz!("B").as_ptr()) } < 0,
            "a < B ignoring case"
        );
    }
    if let Some(p) = get(b"strtoul") {
        // SAFETY: ntdll's strtoul.
        let f: Strtoul = unsafe { core::mem::transmute(p) };
        let mut end: *const u8 = core::ptr::null();
        let s = b"0x7fz\0";
        check_eq!(unsafe { f(s.as_ptr(), &mut end, 0) }, 0x7f);
        check_eq!(end, unsafe { s.as_ptr().add(4) });
    }
}
