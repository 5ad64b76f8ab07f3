//! Host tests of the process and thread services' pure parts: attribute
//! lists, PS_CREATE_INFO, CONTEXT conversion, priorities and the
//! boot-image file lookup, each with hostile input.

use super::*;

/// xorshift64*: a seeded generator, so a failure repeats.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn list(entries: &[Attribute]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&((8 + entries.len() * 32) as u64).to_le_bytes());
    for e in entries {
        for w in [e.attribute, e.size, e.value, e.return_length] {
            b.extend_from_slice(&w.to_le_bytes());
        }
    }
    b
}

fn at(attribute: u64, size: u64, value: u64) -> Attribute {
    Attribute { attribute, size, value, return_length: 0 }
}

#[test]
fn attribute_lists_parse_whole_entries() {
    assert_eq!(parse_attributes(&list(&[])), Ok(vec![]));
    assert_eq!(parse_attributes(&[0u8; 7]), Err(STATUS_INVALID_PARAMETER));
    let one = at(attribute::CLIENT_ID, 16, 0x1000);
    let mut b = list(&[one]);
    assert_eq!(parse_attributes(&b), Ok(vec![one]));
    // A partial entry after the last whole one is not an entry.
    b.extend_from_slice(&[0xFF; 31]);
    assert_eq!(parse_attributes(&b), Ok(vec![one]));
    // Numbers past the last Windows defines.
    assert_eq!(parse_attributes(&list(&[at(31, 0, 0)])), Err(STATUS_INVALID_PARAMETER));
    assert_eq!(parse_attributes(&list(&[at(0x2_0000 | 0xFFFF, 0, 0)])), Err(STATUS_INVALID_PARAMETER));
}

#[test]
fn create_attributes_are_interpreted() {
    let c = CreateAttributes::from_list(&list(&[
        at(attribute::IMAGE_NAME, 40, 0x5000),
        at(attribute::CLIENT_ID, 16, 0x6000),
        at(attribute::TEB_ADDRESS, 8, 0x6100),
        at(attribute::IMAGE_INFO, 0x40, 0x7000),
        at(attribute::PARENT_PROCESS, 8, 0x44),
        // Known to Windows, ignored by Triton (PsAttributeMitigationOptions).
        at(0x2_0010, 8, 0x1234),
    ]))
    .unwrap();
    assert_eq!(c.image_name, Some((0x5000, 40)));
    assert_eq!(c.parent, Some(Handle(0x44)));
    assert_eq!(c.client_id.map(|a| a.value), Some(0x6000));
    assert_eq!(c.teb_address.map(|a| a.value), Some(0x6100));
    assert_eq!(c.image_info.map(|a| a.value), Some(0x7000));
    assert_eq!(c.outputs().count(), 3);
    assert_eq!(CreateAttributes::from_list(&list(&[])), Ok(CreateAttributes::default()));
}

#[test]
fn bad_create_attributes_are_refused() {
    for bad in [
        vec![at(attribute::IMAGE_NAME, 3, 0x5000)],
        vec![at(attribute::IMAGE_NAME, 0, 0x5000)],
        vec![at(attribute::IMAGE_NAME, 0x1_0000, 0x5000)],
        vec![at(attribute::IMAGE_NAME, 2, 1), at(attribute::IMAGE_NAME, 2, 1)],
        vec![at(attribute::CLIENT_ID, 15, 0x6000)],
        vec![at(attribute::TEB_ADDRESS, 4, 0x6000)],
        vec![at(attribute::IMAGE_INFO, 0x3F, 0x6000)],
        vec![at(attribute::CLIENT_ID, 16, 1), at(attribute::CLIENT_ID, 16, 2)],
        vec![at(attribute::PARENT_PROCESS, 8, 4), at(attribute::PARENT_PROCESS, 8, 8)],
    ] {
        assert_eq!(CreateAttributes::from_list(&list(&bad)), Err(STATUS_INVALID_PARAMETER), "{bad:?}");
    }
}

#[test]
fn random_attribute_lists_never_panic() {
    let mut rng = Rng(0x5EED_0001);
    for _ in 0..20_000 {
        let n = (rng.next() % 200) as usize;
        let mut b = rng.bytes(n);
        if rng.next() % 2 == 0 && b.len() >= 40 {
            // Mostly-valid numbers, so the interpretation runs too.
            let numbers = [
                attribute::IMAGE_NAME,
                attribute::CLIENT_ID,
                attribute::TEB_ADDRESS,
                attribute::IMAGE_INFO,
                attribute::PARENT_PROCESS,
            ];
            b[8..16].copy_from_slice(&numbers[(rng.next() % 5) as usize].to_le_bytes());
        }
        let _ = parse_attributes(&b);
        let _ = CreateAttributes::from_list(&b);
    }
}

#[test]
fn create_info_states() {
    let ok = create_info_success(0x7000_0000, RTL_USER_PROC_PARAMS_NORMALIZED, 0x7FF0_0000);
    assert_eq!(u64_at(&ok, 0), 0x58);
    assert_eq!(u32_at(&ok, create_info::STATE), PsCreateState::PsCreateSuccess as u32);
    assert_eq!(u64_at(&ok, create_info::PARAMETERS_NATIVE), 0x7000_0000);
    assert_eq!(u32_at(&ok, create_info::CURRENT_PARAMETER_FLAGS), 1);
    assert_eq!(u64_at(&ok, create_info::PEB_NATIVE), 0x7FF0_0000);
    // FileHandle and SectionHandle are NULL.
    assert_eq!(u64_at(&ok, 0x18), 0);
    assert_eq!(u64_at(&ok, 0x20), 0);
    let fail = create_info_failure(PsCreateState::PsCreateFailOnFileOpen);
    assert_eq!(u32_at(&fail, create_info::STATE), 1);
    assert!(fail[0x10..].iter().all(|b| *b == 0));
}

fn sample_registers(rng: &mut Rng) -> UserContext {
    UserContext {
        rip: rng.next(),
        rsp: rng.next(),
        rflags: rng.next() & 0xFFFF_FFFF,
        rax: rng.next(),
        rbx: rng.next(),
        rcx: rng.next(),
        rdx: rng.next(),
        rsi: rng.next(),
        rdi: rng.next(),
        rbp: rng.next(),
        r8: rng.next(),
        r9: rng.next(),
        r10: rng.next(),
        r11: rng.next(),
        r12: rng.next(),
        r13: rng.next(),
        r14: rng.next(),
        r15: rng.next(),
        fs_base: rng.next(),
        gs_base: rng.next(),
    }
}

fn with_flags(flags: u32) -> Vec<u8> {
    let mut c = vec![0u8; nt_abi::types::CONTEXT_SIZE];
    put(&mut c, offset_of!(Context, context_flags), &flags.to_le_bytes());
    c
}

#[test]
fn contexts_round_trip_control_and_integer() {
    let mut rng = Rng(0x5EED_0002);
    for _ in 0..1000 {
        let r = sample_registers(&mut rng);
        let c = context_from_registers(&with_flags(CONTEXT_FULL), &r);
        assert_eq!(c.len(), 0x4D0);
        assert_eq!(u64_at(&c, offset_of!(Context, rip)), r.rip);
        assert_eq!(u64_at(&c, offset_of!(Context, r15)), r.r15);
        assert_eq!(u16::from_le_bytes([c[offset_of!(Context, seg_cs)], c[offset_of!(Context, seg_cs) + 1]]), USER_CS);
        // The FPU part is not filled, and the flags say so.
        assert_eq!(u32_at(&c, offset_of!(Context, context_flags)), CONTEXT_CONTROL | CONTEXT_INTEGER);
        let mut back = UserContext { fs_base: r.fs_base, gs_base: r.gs_base, ..Default::default() };
        assert_eq!(registers_from_context(&c, &mut back), Ok(true));
        assert_eq!(back, UserContext { rflags: r.rflags & 0xFFFF_FFFF, ..r });
    }
}

#[test]
fn context_flags_choose_the_parts() {
    let mut rng = Rng(0x5EED_0003);
    let r = sample_registers(&mut rng);
    // Without CONTEXT_AMD64 nothing is transferred.
    let c = context_from_registers(&with_flags(0x3), &r);
    assert_eq!(c, with_flags(0x3));
    let mut x = UserContext::default();
    assert_eq!(registers_from_context(&with_flags(0x3), &mut x), Ok(false));
    assert_eq!(x, UserContext::default());
    // Integer only: RIP and RSP stay.
    let c = context_from_registers(&with_flags(CONTEXT_INTEGER), &r);
    assert_eq!(u64_at(&c, offset_of!(Context, rip)), 0);
    assert_eq!(u64_at(&c, offset_of!(Context, rax)), r.rax);
    let mut y = UserContext { rip: 5, ..Default::default() };
    assert_eq!(registers_from_context(&c, &mut y), Ok(false));
    assert_eq!((y.rip, y.rax), (5, r.rax));
    // Debug registers read as 0; enabling a breakpoint is not supported.
    let mut input = with_flags(CONTEXT_DEBUG_REGISTERS);
    put(&mut input, offset_of!(Context, dr0), &7u64.to_le_bytes());
    let c = context_from_registers(&input, &r);
    assert_eq!(u64_at(&c, offset_of!(Context, dr0)), 0);
    put(&mut input, offset_of!(Context, dr7), &1u64.to_le_bytes());
    assert_eq!(registers_from_context(&input, &mut y), Err(STATUS_NOT_IMPLEMENTED));
}

#[test]
fn random_contexts_never_panic() {
    let mut rng = Rng(0x5EED_0004);
    for _ in 0..5000 {
        let n = (rng.next() % 0x600) as usize;
        let bytes = rng.bytes(n);
        let r = sample_registers(&mut rng);
        assert_eq!(context_from_registers(&bytes, &r).len(), 0x4D0);
        let mut x = r;
        let _ = registers_from_context(&bytes, &mut x);
    }
}

#[test]
fn priorities() {
    assert_eq!(priority_with_increment(8, 0), Ok(8));
    assert_eq!(priority_with_increment(8, 2), Ok(10));
    assert_eq!(priority_with_increment(8, -2), Ok(6));
    assert_eq!(priority_with_increment(8, 16), Ok(15));
    assert_eq!(priority_with_increment(8, -16), Ok(1));
    assert_eq!(priority_with_increment(14, 2), Ok(15));
    assert_eq!(priority_with_increment(2, -2), Ok(1));
    for bad in [3, -3, 15, -15, 17, i32::MIN, i32::MAX] {
        assert_eq!(priority_with_increment(8, bad), Err(STATUS_INVALID_PARAMETER), "{bad}");
    }
    assert_eq!(class_priority(2), Ok(8));
    assert_eq!(class_priority(1), Ok(4));
    assert_eq!(class_priority(0), Err(STATUS_INVALID_PARAMETER));
    assert_eq!(class_priority(7), Err(STATUS_INVALID_PARAMETER));
    // NT priorities map below the Executive (255), in order, normal at 100.
    assert_eq!(process::sel4_priority(NORMAL_PRIORITY), 100);
    for p in 1..31 {
        assert!(process::sel4_priority(p) < process::sel4_priority(p + 1));
    }
    assert_eq!(process::sel4_priority(0), process::sel4_priority(1));
    assert_eq!(process::sel4_priority(99), process::sel4_priority(31));
    assert!(process::sel4_priority(31) < 255);
}

fn w(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

const ARCHIVE: &[(&str, bool, &[u8])] = &[
    ("boot.cfg", false, b"[boot]"),
    ("system32", true, b""),
    ("system32/ntdll.dll", false, b"MZ-ntdll"),
    ("system32/Child.exe", false, b"MZ-child"),
    ("apps/tools/x.exe", false, b"MZ-x"),
];

fn find(path: &str) -> Result<(&'static [u8], String), NtStatus> {
    find_boot_file(ARCHIVE.iter().copied(), &w(path))
}

#[test]
fn boot_files_are_found_as_nt_opens_them() {
    assert_eq!(find("\\system32\\child.EXE"), Ok((&b"MZ-child"[..], String::from("system32\\Child.exe"))));
    assert_eq!(find("\\boot.cfg").map(|f| f.0), Ok(&b"[boot]"[..]));
    // A directory given only by its files' names.
    assert_eq!(find("\\APPS\\tools\\x.exe").map(|f| f.0), Ok(&b"MZ-x"[..]));
    assert_eq!(find("\\system32"), Err(STATUS_FILE_IS_A_DIRECTORY));
    assert_eq!(find(""), Err(STATUS_FILE_IS_A_DIRECTORY));
    assert_eq!(find("\\"), Err(STATUS_FILE_IS_A_DIRECTORY));
    assert_eq!(find("\\system32\\nosuch.exe"), Err(STATUS_OBJECT_NAME_NOT_FOUND));
    assert_eq!(find("\\apps\\tools\\nosuch.exe"), Err(STATUS_OBJECT_NAME_NOT_FOUND));
    assert_eq!(find("\\nosuch.exe"), Err(STATUS_OBJECT_NAME_NOT_FOUND));
    assert_eq!(find("\\nosuchdir\\x.exe"), Err(STATUS_OBJECT_PATH_NOT_FOUND));
    assert_eq!(find("\\apps\\x.exe"), Err(STATUS_OBJECT_NAME_NOT_FOUND));
    // A file used as a directory.
    assert_eq!(find("\\boot.cfg\\x.exe"), Err(STATUS_OBJECT_PATH_NOT_FOUND));
    assert_eq!(find("\\ap\\x.exe"), Err(STATUS_OBJECT_PATH_NOT_FOUND));
}

#[test]
fn random_paths_never_panic() {
    let mut rng = Rng(0x5EED_0005);
    let alphabet: Vec<u16> = w("\\/.aApsStx32ey:\u{e9}").into_iter().chain([0xD800, 0]).collect();
    for _ in 0..5000 {
        let n = (rng.next() % 24) as usize;
        let path: Vec<u16> = (0..n).map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize]).collect();
        let _ = find_boot_file(ARCHIVE.iter().copied(), &path);
    }
}

#[test]
fn win32_paths_of_boot_files() {
    assert_eq!(win32_path(&w("\\Device\\BootImage\\system32\\a.exe")), w("C:\\system32\\a.exe"));
    assert_eq!(win32_path(&w("\\KnownDlls\\a.dll")), w("\\KnownDlls\\a.dll"));
}

#[test]
fn images_that_do_not_parse() {
    assert_eq!(image_status(b"[boot]"), STATUS_INVALID_IMAGE_NOT_MZ);
    assert_eq!(image_status(b""), STATUS_INVALID_IMAGE_NOT_MZ);
    assert_eq!(image_status(b"MZ\0\0"), STATUS_INVALID_IMAGE_FORMAT);
}

#[test]
fn information_buffers_are_probed_with_their_alignment() {
    assert_eq!(probe_alignment(0), 4);
    assert_eq!(probe_alignment(1), 1);
    assert_eq!(probe_alignment(2), 1);
    assert_eq!(probe_alignment(4), 4);
    assert_eq!(probe_alignment(0x30), 4);
}
