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
use nt_test::nt_abi::NtStatus;
use nt_test::util::{self, ansi, eq_w, units, us, us_out, Wide};
use nt_test::{check, check_eq, check_st, w, wz};

nt_test::entry!("nt-rtl", run);

/// `OSVERSIONINFOEXW` (0x11C bytes; `OSVERSIONINFOW` is its first 0x114).
#[repr(C)]
struct OsVersionInfoExW {
    size: u32,
    major: u32,
    minor: u32,
    build: u32,
    platform: u32,
    csd: [u16; 128],
    sp_major: u16,
    sp_minor: u16,
    suite_mask: u16,
    product_type: u8,
    reserved: u8,
}

// Rtl exports the shared declarations (nt_test::nt) do not list.
#[link(name = "ntdll", kind = "raw-dylib")]
extern "system" {
    fn RtlUnicodeToMultiByteSize(bytes: *mut u32, text: *const u16, text_bytes: u32) -> NtStatus;
    fn RtlCompareMemory(a: *const u8, b: *const u8, length: usize) -> usize;
    fn RtlRandomEx(seed: *mut u32) -> u32;
    fn RtlNtStatusToDosError(status: NtStatus) -> u32;
    fn RtlGetVersion(info: *mut OsVersionInfoExW) -> NtStatus;
}

fn run(peb: &Peb) {
    strings();
    heaps(peb);
    environment();
    paths();
    time();
    crt();
    printf_family();
    oem_and_sizes();
    misc();
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

/// The rest of the printf family, reached by name like `crt`'s. The
/// `v` forms take a Windows x64 `va_list`: a pointer to 8-byte slots.
fn printf_family() {
    type Sprintf = unsafe extern "C" fn(*mut u8, *const u8, ...) -> i32;
    type Vsprintf = unsafe extern "C" fn(*mut u8, *const u8, *const u64) -> i32;
    type Snprintf = unsafe extern "C" fn(*mut u8, usize, *const u8, ...) -> i32;
    type Vsnprintf = unsafe extern "C" fn(*mut u8, usize, *const u8, *const u64) -> i32;
    type Swprintf = unsafe extern "C" fn(*mut u16, *const u16, ...) -> i32;
    type Snwprintf = unsafe extern "C" fn(*mut u16, usize, *const u16, ...) -> i32;
    type Vsnwprintf = unsafe extern "C" fn(*mut u16, usize, *const u16, *const u64) -> i32;
    let get = |name: &[u8]| {
        let p = util::ntdll_proc(name);
        check!(
            p.is_some(),
            "ntdll exports {}",
            core::str::from_utf8(name).unwrap_or("?")
        );
        p
    };
    let mut out = [0u8; 96];
    fn text(out: &[u8], n: i32) -> &[u8] {
        &out[..n.max(0) as usize]
    }
    if let Some(p) = get(b"sprintf") {
        // SAFETY: ntdll's sprintf; every output fits `out`.
        let f: Sprintf = unsafe { core::mem::transmute(p) };
        unsafe {
            let n = f(
                out.as_mut_ptr(),
                b"%+d|%05d|%#x|%#o|%X|%u\0".as_ptr(),
                5i32,
                -42i32,
                255u32,
                8u32,
                0xBEEFu32,
                -1i32,
            );
            check_eq!(text(&out, n), &b"+5|-0042|0xff|010|BEEF|4294967295"[..]);
            let n = f(
                out.as_mut_ptr(),
                b"[%.3s|%-5s|%*d|%-*d|%s]\0".as_ptr(),
                b"abcdef\0".as_ptr(),
                b"ab\0".as_ptr(),
                4i32,
                7i32,
                3i32,
                1i32,
                core::ptr::null::<u8>(),
            );
            check_eq!(text(&out, n), &b"[abc|ab   |   7|1  |(null)]"[..]);
            // The size prefixes of the MS runtime: I64, l (32 bits), h, I.
            let n = f(
                out.as_mut_ptr(),
                b"%I64d %lx %hd %Ix %.2f %g\0".as_ptr(),
                i64::MIN,
                0x1_0000_0001u64,
                0x12345i32,
                usize::MAX,
                2.005f64,
                0.0001f64,
            );
            check_eq!(
                text(&out, n),
                &b"-9223372036854775808 1 9029 ffffffffffffffff 2.00 0.0001"[..],
                "%lx is 32 bits, %hd 16"
            );
            check_eq!(out[n.max(0) as usize], 0, "sprintf writes the NUL");
        }
    }
    if let Some(p) = get(b"vsprintf") {
        // SAFETY: ntdll's vsprintf over a slot array.
        let f: Vsprintf = unsafe { core::mem::transmute(p) };
        let args = [b"va\0".as_ptr() as u64, 12u64, (-3i64) as u64];
        let n = unsafe { f(out.as_mut_ptr(), b"%s:%d:%d\0".as_ptr(), args.as_ptr()) };
        check_eq!(text(&out, n), &b"va:12:-3"[..]);
    }
    if let Some(p) = get(b"_snprintf") {
        // SAFETY: ntdll's _snprintf; the count bounds every write.
        let f: Snprintf = unsafe { core::mem::transmute(p) };
        unsafe {
            // Exactly the count: the length, and no room for (so no) NUL.
            out.fill(b'#');
            check_eq!(
                f(out.as_mut_ptr(), 6, b"%s\0".as_ptr(), b"abcdef\0".as_ptr()),
                6
            );
            check_eq!(&out[..7], &b"abcdef#"[..], "no NUL when it fills the count");
            out.fill(b'#');
            check_eq!(f(out.as_mut_ptr(), 8, b"%d\0".as_ptr(), 123i32), 3);
            check_eq!(&out[..5], &b"123\0#"[..], "NUL when there is room");
            out.fill(b'#');
            check_eq!(f(out.as_mut_ptr(), 0, b"x\0".as_ptr()), -1, "count 0");
            check_eq!(out[0], b'#', "count 0 writes nothing");
        }
    }
    if let Some(p) = get(b"_vsnprintf") {
        // SAFETY: ntdll's _vsnprintf; the count bounds every write.
        let f: Vsnprintf = unsafe { core::mem::transmute(p) };
        let args = [0xABCDu64];
        out.fill(b'#');
        let n = unsafe { f(out.as_mut_ptr(), 3, b"%x!\0".as_ptr(), args.as_ptr()) };
        check_eq!(n, -1, "_vsnprintf: -1 when truncated");
        check_eq!(&out[..4], &b"abc#"[..]);
        let n = unsafe { f(out.as_mut_ptr(), 16, b"%x!\0".as_ptr(), args.as_ptr()) };
        check_eq!(&out[..6], &b"abcd!\0"[..]);
        check_eq!(n, 5);
    }
    let mut wout = [0u16; 64];
    if let Some(p) = get(b"swprintf") {
        // SAFETY: ntdll's legacy swprintf (no count); the output fits.
        let f: Swprintf = unsafe { core::mem::transmute(p) };
        let n = unsafe {
            f(
                wout.as_mut_ptr(),
                wz!("%s|%S|%c|%C|%5.2f|%-4d|%x").as_ptr(),
                wz!("wide").as_ptr(),
                b"narrow\0".as_ptr(),
                b'w' as u32,
                b'n' as u32,
                3.14159f64,
                7i32,
                0xABCu32,
            )
        };
        // In a wide format %s/%c are wide and %S/%C narrow (the MS rule).
        let got = &wout[..n.max(0) as usize];
        check!(
            eq_w(got, "wide|narrow|w|n| 3.14|7   |abc"),
            "swprintf gave {}",
            Wide(got)
        );
        check_eq!(wout[n.max(0) as usize], 0, "swprintf writes the NUL");
    }
    if let Some(p) = get(b"_snwprintf") {
        // SAFETY: ntdll's _snwprintf; the count bounds every write.
        let f: Snwprintf = unsafe { core::mem::transmute(p) };
        wout.fill(0x23);
        let n = unsafe { f(wout.as_mut_ptr(), 3, wz!("%d").as_ptr(), 12345i32) };
        check_eq!(n, -1, "_snwprintf: -1 when it does not fit");
        check!(
            eq_w(&wout[..4], "123#"),
            "truncated without a NUL: {}",
            Wide(&wout[..4])
        );
        wout.fill(0x23);
        let n = unsafe { f(wout.as_mut_ptr(), 2, wz!("%s").as_ptr(), wz!("ab").as_ptr()) };
        check_eq!(n, 2, "an exact fit");
        check!(eq_w(&wout[..3], "ab#"), "no NUL: {}", Wide(&wout[..3]));
        let n = unsafe {
            f(
                wout.as_mut_ptr(),
                64,
                wz!("%ws-%hs").as_ptr(),
                wz!("x").as_ptr(),
                b"y\0".as_ptr(),
            )
        };
        check!(
            eq_w(&wout[..n.max(0) as usize + 1], "x-y\0"),
            "%ws and %hs: {}",
            Wide(&wout[..4])
        );
    }
    if let Some(p) = get(b"_vsnwprintf") {
        // SAFETY: ntdll's _vsnwprintf over a slot array.
        let f: Vsnwprintf = unsafe { core::mem::transmute(p) };
        let args = [wz!("v").as_ptr() as u64, 9u64];
        wout.fill(0x23);
        let n = unsafe {
            f(
                wout.as_mut_ptr(),
                64,
                wz!("%s=%02d").as_ptr(),
                args.as_ptr(),
            )
        };
        check_eq!(n, 4);
        check!(eq_w(&wout[..5], "v=09\0"), "{}", Wide(&wout[..5]));
        let n = unsafe { f(wout.as_mut_ptr(), 2, wz!("%s=%02d").as_ptr(), args.as_ptr()) };
        check_eq!(n, -1);
    }
}

/// OEM (CP437) conversions and the multi-byte size of Unicode text.
fn oem_and_sizes() {
    // C-cedilla, u-umlaut, e-acute, a light shade and a box line: CP437's
    // 0x80, 0x81, 0x82, 0xB0 and 0xC4.
    let oem: [u8; 6] = [b'A', 0x80, 0x81, 0x82, 0xB0, 0xC4];
    let wide: [u16; 6] = [b'A' as u16, 0xC7, 0xFC, 0xE9, 0x2591, 0x2500];
    let src = ansi(&oem);
    let mut u = UnicodeString::default();
    // SAFETY: valid strings; the results are freed below.
    unsafe {
        check_st!(RtlOemStringToUnicodeString(&mut u, &src, 1), STATUS_SUCCESS);
        check_eq!(units(&u), &wide[..], "CP437 to Unicode");
        check_eq!(u.maximum_length, u.length + 2, "allocated with a NUL");
        let mut back = AnsiString::default();
        check_st!(
            RtlUnicodeStringToOemString(&mut back, &u, 1),
            STATUS_SUCCESS
        );
        check_eq!(
            core::slice::from_raw_parts(back.buffer as *const u8, back.length as usize),
            &oem[..],
            "and back"
        );
        RtlFreeAnsiString(&mut back);
        RtlFreeUnicodeString(&mut u);
        // A character CP437 lacks (the euro sign) becomes its default '?'.
        let euro = [0x20ACu16, b'x' as u16];
        let mut small = [0u8; 4];
        let mut o = AnsiString {
            length: 0,
            maximum_length: 4,
            buffer: small.as_mut_ptr() as u64,
        };
        check_st!(
            RtlUnicodeStringToOemString(&mut o, &us(&euro), 0),
            STATUS_SUCCESS
        );
        check_eq!(&small[..o.length as usize], &b"?x"[..]);
        // Into a caller's buffer that is too small.
        let mut tiny = [0u16; 2];
        let mut t = us_out(&mut tiny);
        check_st!(
            RtlOemStringToUnicodeString(&mut t, &src, 0),
            STATUS_BUFFER_OVERFLOW
        );
        let mut n = 99u32;
        check_st!(
            RtlUnicodeToMultiByteSize(&mut n, wide.as_ptr(), 12),
            STATUS_SUCCESS
        );
        check_eq!(n, 6, "a single-byte code page: one byte per character");
        check_st!(
            RtlUnicodeToMultiByteSize(&mut n, wide.as_ptr(), 0),
            STATUS_SUCCESS
        );
        check_eq!(n, 0);
    }
}

/// RtlCompareMemory, RtlRandomEx, RtlNtStatusToDosError, RtlGetVersion.
fn misc() {
    let a = *b"triton kernel";
    let b = *b"triton kErnel";
    // SAFETY: both buffers hold the lengths given.
    unsafe {
        check_eq!(RtlCompareMemory(a.as_ptr(), b.as_ptr(), a.len()), 8);
        check_eq!(RtlCompareMemory(a.as_ptr(), a.as_ptr(), a.len()), a.len());
        check_eq!(RtlCompareMemory(a.as_ptr(), b.as_ptr(), 0), 0);
        check_eq!(RtlCompareMemory(a.as_ptr(), b.as_ptr(), 5), 5);
    }
    // RtlRandomEx: values in 0..MAXLONG, the seed updated to the value.
    let mut seed = 12345u32;
    let mut all_same = true;
    let mut first = None;
    let mut in_range = true;
    for _ in 0..1000 {
        // SAFETY: a valid seed pointer.
        let v = unsafe { RtlRandomEx(&mut seed) };
        in_range &= v < 0x7FFF_FFFF;
        all_same &= *first.get_or_insert(v) == v;
    }
    check!(in_range, "RtlRandomEx stays below MAXLONG");
    check!(!all_same, "RtlRandomEx varies");
    let (mut s1, mut s2) = (7u32, 7u32);
    // SAFETY: valid seed pointers.
    unsafe {
        check_eq!(
            RtlRandomEx(&mut s1),
            RtlRandomEx(&mut s2),
            "same seed, same value"
        );
    }
    check!(s1 == s2 && s1 != 7, "the seed moves on: {s1}");

    let dos = |s: NtStatus| {
        // SAFETY: no pointers.
        unsafe { RtlNtStatusToDosError(s) }
    };
    check_eq!(dos(STATUS_SUCCESS), 0);
    check_eq!(dos(STATUS_ACCESS_VIOLATION), 998, "ERROR_NOACCESS");
    check_eq!(dos(STATUS_OBJECT_NAME_NOT_FOUND), 2, "ERROR_FILE_NOT_FOUND");
    check_eq!(dos(STATUS_OBJECT_PATH_NOT_FOUND), 3, "ERROR_PATH_NOT_FOUND");
    check_eq!(dos(STATUS_ACCESS_DENIED), 5, "ERROR_ACCESS_DENIED");
    check_eq!(dos(STATUS_INVALID_HANDLE), 6, "ERROR_INVALID_HANDLE");
    check_eq!(dos(STATUS_NO_MEMORY), 8, "ERROR_NOT_ENOUGH_MEMORY");
    check_eq!(dos(STATUS_INVALID_PARAMETER), 87, "ERROR_INVALID_PARAMETER");
    check_eq!(
        dos(STATUS_BUFFER_TOO_SMALL),
        122,
        "ERROR_INSUFFICIENT_BUFFER"
    );
    check_eq!(dos(STATUS_BUFFER_OVERFLOW), 234, "ERROR_MORE_DATA");
    check_eq!(dos(STATUS_NOT_IMPLEMENTED), 1, "ERROR_INVALID_FUNCTION");
    check_eq!(
        dos(STATUS_OBJECT_NAME_COLLISION),
        183,
        "ERROR_ALREADY_EXISTS"
    );
    check_eq!(dos(STATUS_PENDING), 997, "ERROR_IO_PENDING");
    check_eq!(
        dos(NtStatus(0xC007_0005)),
        5,
        "a Win32 error in FACILITY_WIN32"
    );
    check_eq!(
        dos(NtStatus(0xC0FF_EEEE)),
        317,
        "unknown: ERROR_MR_MID_NOT_FOUND"
    );
    check_eq!(
        // SAFETY: this thread's TEB.
        unsafe { (*util::teb()).last_status_value } as u32,
        0xC0FF_EEEE,
        "the status is kept in TEB.LastStatusValue"
    );

    // SAFETY: plain data; all-zero is valid.
    let mut v: OsVersionInfoExW = unsafe { core::mem::zeroed() };
    v.size = core::mem::size_of::<OsVersionInfoExW>() as u32;
    check_eq!(v.size, 0x11C);
    // SAFETY: `v` is as large as its size field says.
    unsafe {
        check_st!(RtlGetVersion(&mut v), STATUS_SUCCESS);
        check_eq!((v.major, v.minor, v.build, v.platform), (10, 0, 19045, 2));
        check_eq!(v.product_type, 1, "VER_NT_WORKSTATION");
        v.major = 0;
        v.size = 0x114;
        check_st!(RtlGetVersion(&mut v), STATUS_SUCCESS);
        check_eq!(v.major, 10, "OSVERSIONINFOW");
    }
}
