//! nt-ob.exe: the object manager as a native program sees it. The namespace
//! the Executive builds at boot (\Device, \Driver, \ObjectTypes, \??,
//! \BaseNamedObjects, \KnownDlls, \SystemRoot), directory and symbolic link
//! objects with name reparsing, NtQueryObject, NtDuplicateObject, NtClose,
//! NtMakeTemporaryObject, handle values and access masks, the OBJ_* flags,
//! and bad input for every service. Expected statuses are Windows' (as
//! Wine's ntdll tests record them on real Windows, and ReactOS implements).
#![no_std]
#![no_main]

use nt_test::nt::*;
use nt_test::nt_abi::consts::*;
use nt_test::nt_abi::status::*;
use nt_test::nt_abi::types::{
    Handle, ObjectAttributes, ObjectDirectoryInformation, Peb, UnicodeString,
};
use nt_test::nt_abi::NtStatus;
use nt_test::util::{bad, eq_w, eq_w_ci, oa, units, us, us_out, Wide};
use nt_test::{check, check_eq, check_ok, check_st, w};

nt_test::entry!("nt-ob", run);

/// `OBJECT_BASIC_INFORMATION` (ObjectBasicInformation). Size 0x38.
#[derive(Clone, Copy, Default)]
#[repr(C)]
struct ObjectBasicInformation {
    attributes: u32,
    granted_access: u32,
    handle_count: u32,
    pointer_count: u32,
    paged_pool_charge: u32,
    non_paged_pool_charge: u32,
    reserved: [u32; 3],
    name_info_size: u32,
    type_info_size: u32,
    security_descriptor_size: u32,
    creation_time: i64,
}

const OBJECT_BASIC_INFORMATION: u32 = 0;
const OBJECT_NAME_INFORMATION: u32 = 1;
const OBJECT_TYPE_INFORMATION: u32 = 2;
const OBJECT_HANDLE_FLAG_INFORMATION: u32 = 4;

fn run(_peb: &Peb) {
    namespace();
    directories();
    names();
    case_and_openif();
    symbolic_links();
    query_directory();
    query_object();
    duplicate_and_close();
    temporary_and_permanent();
    random_handles();
}

/// Opens a directory by absolute name.
fn open_dir(name: &[u16], access: u32) -> (NtStatus, Handle) {
    let n = us(name);
    let a = oa(&n, OBJ_CASE_INSENSITIVE, Handle::NULL);
    let mut h = Handle::NULL;
    // SAFETY: valid pointers for the call.
    let st = unsafe { NtOpenDirectoryObject(&mut h, access, &a) };
    (st, h)
}

/// Creates a directory `name` (relative to `root` when it is not NULL).
fn create_dir(name: &[u16], attributes: u32, root: Handle) -> (NtStatus, Handle) {
    let n = us(name);
    let a = oa(&n, attributes, root);
    let mut h = Handle::NULL;
    // SAFETY: valid pointers for the call.
    let st = unsafe { NtCreateDirectoryObject(&mut h, DIRECTORY_ALL_ACCESS, &a) };
    (st, h)
}

fn create_link(name: &[u16], target: &[u16], attributes: u32) -> (NtStatus, Handle) {
    let n = us(name);
    let t = us(target);
    let a = oa(&n, attributes, Handle::NULL);
    let mut h = Handle::NULL;
    // SAFETY: valid pointers for the call.
    let st = unsafe { NtCreateSymbolicLinkObject(&mut h, SYMBOLIC_LINK_ALL_ACCESS, &a, &t) };
    (st, h)
}

fn open_link(name: &[u16], access: u32) -> (NtStatus, Handle) {
    let n = us(name);
    let a = oa(&n, OBJ_CASE_INSENSITIVE, Handle::NULL);
    let mut h = Handle::NULL;
    // SAFETY: valid pointers for the call.
    let st = unsafe { NtOpenSymbolicLinkObject(&mut h, access, &a) };
    (st, h)
}

fn close(h: Handle) -> NtStatus {
    // SAFETY: any handle value is acceptable input.
    unsafe { NtClose(h) }
}

/// A real handle: nonzero, a multiple of 4, not a pseudo handle.
fn is_real_handle(h: Handle) -> bool {
    h.0 != 0 && h.0 % 4 == 0 && (h.0 as i64) > 0
}

/// The target of the link `h` (into `buf`), or the failing status.
fn link_target<'a>(h: Handle, buf: &'a mut [u16]) -> Result<&'a [u16], NtStatus> {
    let mut s = us_out(buf);
    let mut len = 0u32;
    // SAFETY: `s` describes `buf`.
    let st = unsafe { NtQuerySymbolicLinkObject(h, &mut s, &mut len) };
    if st.is_success() {
        Ok(&buf[..s.length as usize / 2])
    } else {
        Err(st)
    }
}

fn basic_info(h: Handle) -> (NtStatus, ObjectBasicInformation) {
    let mut info = ObjectBasicInformation::default();
    let mut len = 0u32;
    // SAFETY: the buffer is `info`.
    let st = unsafe {
        NtQueryObject(
            h,
            OBJECT_BASIC_INFORMATION,
            &mut info as *mut _ as *mut u8,
            size_of_u32::<ObjectBasicInformation>(),
            &mut len,
        )
    };
    (st, info)
}

fn size_of_u32<T>() -> u32 {
    core::mem::size_of::<T>() as u32
}

/// The object's name (ObjectNameInformation) into `buf` as UTF-16.
fn object_name(h: Handle, buf: &mut [u64; 64]) -> Result<&[u16], NtStatus> {
    let mut len = 0u32;
    // SAFETY: the buffer is `buf` (8-aligned, 512 bytes).
    let st = unsafe {
        NtQueryObject(
            h,
            OBJECT_NAME_INFORMATION,
            buf.as_mut_ptr() as *mut u8,
            512,
            &mut len,
        )
    };
    if !st.is_success() {
        return Err(st);
    }
    // SAFETY: on success the buffer starts with a UNICODE_STRING whose text
    // follows it inside the buffer.
    let s = unsafe { &*(buf.as_ptr() as *const UnicodeString) };
    Ok(unsafe { units(s) })
}

/// The object's type name (ObjectTypeInformation starts with it).
fn type_name(h: Handle, buf: &mut [u64; 64]) -> Result<&[u16], NtStatus> {
    let mut len = 0u32;
    // SAFETY: as in `object_name`.
    let st = unsafe {
        NtQueryObject(
            h,
            OBJECT_TYPE_INFORMATION,
            buf.as_mut_ptr() as *mut u8,
            512,
            &mut len,
        )
    };
    if !st.is_success() {
        return Err(st);
    }
    // SAFETY: as in `object_name`.
    let s = unsafe { &*(buf.as_ptr() as *const UnicodeString) };
    Ok(unsafe { units(s) })
}

/// The directories and links the Executive creates at boot.
fn namespace() {
    for name in [
        w!("\\"),
        w!("\\Device"),
        w!("\\Driver"),
        w!("\\ObjectTypes"),
        w!("\\BaseNamedObjects"),
        w!("\\KnownDlls"),
        w!("\\??"),
    ] {
        let (st, h) = open_dir(name, DIRECTORY_QUERY);
        check!(st == STATUS_SUCCESS, "open {} returned {}", Wide(name), st);
        check!(is_real_handle(h), "{} handle {:#x}", Wide(name), h.0);
        close(h);
    }
    // Names are looked up case-insensitively with OBJ_CASE_INSENSITIVE.
    let (st, h) = open_dir(w!("\\OBJECTTYPES"), DIRECTORY_QUERY);
    check_eq!(st, STATUS_SUCCESS);
    close(h);

    // \SystemRoot -> \Device\BootImage; \??\C: too; \KnownDlls\KnownDllPath.
    let mut buf = [0u16; 128];
    let (st, h) = open_link(w!("\\SystemRoot"), SYMBOLIC_LINK_QUERY);
    check_eq!(st, STATUS_SUCCESS);
    match link_target(h, &mut buf) {
        Ok(t) => check!(
            eq_w_ci(t, "\\Device\\BootImage"),
            "\\SystemRoot -> {}",
            Wide(t)
        ),
        Err(e) => check!(false, "query \\SystemRoot: {e}"),
    };
    close(h);
    let (st, h) = open_link(w!("\\??\\C:"), SYMBOLIC_LINK_QUERY);
    check_eq!(st, STATUS_SUCCESS);
    match link_target(h, &mut buf) {
        Ok(t) => check!(eq_w_ci(t, "\\Device\\BootImage"), "\\??\\C: -> {}", Wide(t)),
        Err(e) => check!(false, "query \\??\\C:: {e}"),
    };
    close(h);
    let (st, h) = open_link(w!("\\KnownDlls\\KnownDllPath"), SYMBOLIC_LINK_QUERY);
    check_eq!(st, STATUS_SUCCESS);
    match link_target(h, &mut buf) {
        Ok(t) => check!(
            eq_w_ci(t, "\\SystemRoot\\system32"),
            "KnownDllPath -> {}",
            Wide(t)
        ),
        Err(e) => check!(false, "query KnownDllPath: {e}"),
    };
    close(h);

    // Every system32 DLL is a KnownDll section.
    for name in [
        w!("\\KnownDlls\\ntdll.dll"),
        w!("\\KnownDlls\\NTDLL.DLL"),
        w!("\\KnownDlls\\nt_dlla.dll"),
    ] {
        let n = us(name);
        let a = oa(&n, OBJ_CASE_INSENSITIVE, Handle::NULL);
        let mut h = Handle::NULL;
        // SAFETY: valid pointers.
        let st = unsafe { NtOpenSection(&mut h, SECTION_MAP_READ | SECTION_QUERY, &a) };
        check!(
            st == STATUS_SUCCESS,
            "open section {} returned {}",
            Wide(name),
            st
        );
        let mut tb = [0u64; 64];
        if let Ok(t) = type_name(h, &mut tb) {
            check!(eq_w(t, "Section"), "type {}", Wide(t));
        } else {
            check!(false, "no type for {}", Wide(name));
        }
        close(h);
    }
    let n = us(w!("\\KnownDlls\\nosuch.dll"));
    let a = oa(&n, OBJ_CASE_INSENSITIVE, Handle::NULL);
    let mut h = Handle::NULL;
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtOpenSection(&mut h, SECTION_QUERY, &a) },
        STATUS_OBJECT_NAME_NOT_FOUND
    );
    // A section is not a directory.
    let (st, _) = open_dir(w!("\\KnownDlls\\ntdll.dll"), DIRECTORY_QUERY);
    check_eq!(st, STATUS_OBJECT_TYPE_MISMATCH);
    // A directory is not a link.
    let (st, _) = open_link(w!("\\Device"), SYMBOLIC_LINK_QUERY);
    check_eq!(st, STATUS_OBJECT_TYPE_MISMATCH);
}

/// Creating and opening directories, collisions, relative names, and the
/// bad input of NtCreateDirectoryObject / NtOpenDirectoryObject.
fn directories() {
    let (st, d) = create_dir(w!("\\BaseNamedObjects\\nt-ob-dir"), 0, Handle::NULL);
    check_eq!(st, STATUS_SUCCESS);
    check!(is_real_handle(d), "handle {:#x}", d.0);
    let (st, _) = create_dir(w!("\\BaseNamedObjects\\nt-ob-dir"), 0, Handle::NULL);
    check_eq!(st, STATUS_OBJECT_NAME_COLLISION);
    let (st, d2) = create_dir(
        w!("\\BaseNamedObjects\\nt-ob-dir"),
        OBJ_OPENIF,
        Handle::NULL,
    );
    check_eq!(st, STATUS_OBJECT_NAME_EXISTS);
    check!(is_real_handle(d2) && d2 != d, "OPENIF handle {:#x}", d2.0);
    close(d2);
    // "\" exists: collision, or "exists" with OBJ_OPENIF.
    let (st, _) = create_dir(w!("\\"), 0, Handle::NULL);
    check_eq!(st, STATUS_OBJECT_NAME_COLLISION);
    let (st, r) = create_dir(w!("\\"), OBJ_OPENIF, Handle::NULL);
    check_eq!(st, STATUS_OBJECT_NAME_EXISTS);
    close(r);

    // Relative to a root directory.
    let (st, c) = create_dir(w!("child"), 0, d);
    check_eq!(st, STATUS_SUCCESS);
    let (st, c2) = open_dir(w!("\\BaseNamedObjects\\nt-ob-dir\\child"), DIRECTORY_QUERY);
    check_eq!(st, STATUS_SUCCESS);
    close(c2);
    let (st, _) = create_dir(w!("\\child2"), 0, d);
    check_eq!(st, STATUS_OBJECT_PATH_SYNTAX_BAD);
    let (st, _) = create_dir(w!("nosuch\\child"), 0, d);
    check_eq!(st, STATUS_OBJECT_PATH_NOT_FOUND);
    // An empty name relative to a directory opens that directory.
    let empty = us(&[]);
    let a = oa(&empty, 0, d);
    let mut h = Handle::NULL;
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtOpenDirectoryObject(&mut h, DIRECTORY_QUERY, &a) },
        STATUS_SUCCESS
    );
    close(h);
    // A NULL name relative to a directory is invalid.
    let a = oa(core::ptr::null(), 0, d);
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtOpenDirectoryObject(&mut h, DIRECTORY_QUERY, &a) },
        STATUS_OBJECT_NAME_INVALID
    );
    // Root directory handles: closed, random, and of the wrong type.
    let (st, _) = create_dir(w!("x"), 0, Handle(0xdead_bee0));
    check_eq!(st, STATUS_INVALID_HANDLE);
    let (st, l) = create_link(
        w!("\\BaseNamedObjects\\nt-ob-rootlink"),
        w!("\\BaseNamedObjects"),
        0,
    );
    check_eq!(st, STATUS_SUCCESS);
    let (st, _) = create_dir(w!("x"), 0, l);
    check_eq!(st, STATUS_OBJECT_TYPE_MISMATCH);
    close(l);
    close(c);
    let (st, _) = create_dir(w!("x"), 0, c);
    check_eq!(st, STATUS_INVALID_HANDLE);

    // Unnamed directories: create works, open has nothing to find.
    let a = oa(core::ptr::null(), 0, Handle::NULL);
    let mut h = Handle::NULL;
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtCreateDirectoryObject(&mut h, DIRECTORY_QUERY, &a) },
        STATUS_SUCCESS
    );
    close(h);
    // SAFETY: NULL attributes are allowed for create.
    check_st!(
        unsafe { NtCreateDirectoryObject(&mut h, DIRECTORY_QUERY, core::ptr::null()) },
        STATUS_SUCCESS
    );
    close(h);
    // SAFETY: the service must refuse NULL attributes.
    check_st!(
        unsafe { NtOpenDirectoryObject(&mut h, DIRECTORY_QUERY, core::ptr::null()) },
        STATUS_INVALID_PARAMETER
    );
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtOpenDirectoryObject(&mut h, DIRECTORY_QUERY, &a) },
        STATUS_OBJECT_PATH_SYNTAX_BAD
    );

    // Bad pointers and bad OBJECT_ATTRIBUTES.
    let n = us(w!("\\BaseNamedObjects\\nt-ob-bad"));
    let good = oa(&n, 0, Handle::NULL);
    for p in [0usize, bad::KERNEL, bad::NONCANONICAL, bad::UNMAPPED] {
        // SAFETY: the service must refuse the output pointer.
        let st = unsafe { NtCreateDirectoryObject(p as *mut Handle, DIRECTORY_QUERY, &good) };
        check!(st == STATUS_ACCESS_VIOLATION, "handle out {p:#x}: {st}");
        // SAFETY: as above.
        let st = unsafe { NtOpenDirectoryObject(p as *mut Handle, DIRECTORY_QUERY, &good) };
        check!(
            st == STATUS_ACCESS_VIOLATION,
            "open handle out {p:#x}: {st}"
        );
    }
    for p in [bad::KERNEL, bad::NONCANONICAL, bad::UNMAPPED] {
        // SAFETY: the service must refuse the attributes pointer.
        let st = unsafe {
            NtCreateDirectoryObject(&mut h, DIRECTORY_QUERY, p as *const ObjectAttributes)
        };
        check!(st == STATUS_ACCESS_VIOLATION, "attributes {p:#x}: {st}");
    }
    // Misaligned OBJECT_ATTRIBUTES (ProbeForRead with ULONG alignment).
    let mut raw = [0u64; 8];
    // SAFETY: the copy lands inside `raw` (0x30 bytes at offset 1 of 64).
    let odd = unsafe {
        let p = (raw.as_mut_ptr() as *mut u8).add(1) as *mut ObjectAttributes;
        p.write_unaligned(good);
        p
    };
    // SAFETY: the service must refuse the misaligned attributes.
    check_st!(
        unsafe { NtCreateDirectoryObject(&mut h, DIRECTORY_QUERY, odd) },
        STATUS_DATATYPE_MISALIGNMENT
    );
    let mut a = good;
    for len in [0u32, 0x2F, 0x31, 0x60] {
        a.length = len;
        // SAFETY: valid pointers.
        let st = unsafe { NtCreateDirectoryObject(&mut h, DIRECTORY_QUERY, &a) };
        check!(st == STATUS_INVALID_PARAMETER, "Length {len:#x}: {st}");
    }
    a = good;
    a.attributes = 0x8000_0000;
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtCreateDirectoryObject(&mut h, DIRECTORY_QUERY, &a) },
        STATUS_INVALID_PARAMETER
    );
    // The ObjectName pointer itself.
    a = good;
    a.object_name = bad::KERNEL as u64;
    // SAFETY: valid pointers; the name pointer is the bad input.
    check_st!(
        unsafe { NtCreateDirectoryObject(&mut h, DIRECTORY_QUERY, &a) },
        STATUS_ACCESS_VIOLATION
    );
    let nb = UnicodeString {
        buffer: 0,
        ..us(w!("\\BaseNamedObjects\\nt-ob-bad"))
    };
    a.object_name = &nb as *const _ as u64;
    // SAFETY: as above; the name's buffer is NULL with a nonzero length.
    check_st!(
        unsafe { NtCreateDirectoryObject(&mut h, DIRECTORY_QUERY, &a) },
        STATUS_ACCESS_VIOLATION
    );
    let nk = UnicodeString {
        buffer: bad::KERNEL as u64,
        ..nb
    };
    a.object_name = &nk as *const _ as u64;
    // SAFETY: as above.
    check_st!(
        unsafe { NtCreateDirectoryObject(&mut h, DIRECTORY_QUERY, &a) },
        STATUS_ACCESS_VIOLATION
    );
    close(d);
}

/// Malformed object names.
fn names() {
    let cases: [(&[u16], NtStatus); 6] = [
        (w!("BaseNamedObjects"), STATUS_OBJECT_PATH_SYNTAX_BAD),
        (w!("\\BaseNamedObjects\\"), STATUS_OBJECT_NAME_INVALID),
        (w!("\\\\BaseNamedObjects"), STATUS_OBJECT_NAME_INVALID),
        (
            w!("\\BaseNamedObjects\\\\nt-ob-x"),
            STATUS_OBJECT_NAME_INVALID,
        ),
        (
            w!("\\BaseNamedObjects\\nt-ob-nosuch\\"),
            STATUS_OBJECT_PATH_NOT_FOUND,
        ),
        (
            w!("\\BaseNamedObjects\\nt-ob-nosuch\\x"),
            STATUS_OBJECT_PATH_NOT_FOUND,
        ),
    ];
    for (name, want) in cases {
        let (st, h) = create_dir(name, 0, Handle::NULL);
        check!(st == want, "create {}: {st}, expected {want}", Wide(name));
        if st.is_success() {
            close(h);
        }
        let (st, _) = open_dir(name, DIRECTORY_QUERY);
        check!(st == want, "open {}: {st}, expected {want}", Wide(name));
    }
    let (st, _) = open_dir(w!("\\BaseNamedObjects\\nt-ob-nosuch"), DIRECTORY_QUERY);
    check_eq!(st, STATUS_OBJECT_NAME_NOT_FOUND);
    // An odd byte length and a Length above MaximumLength.
    let text = w!("\\BaseNamedObjects\\nt-ob-odd");
    let mut n = us(text);
    n.length -= 1;
    let a = oa(&n, 0, Handle::NULL);
    let mut h = Handle::NULL;
    // SAFETY: valid pointers; the length is the bad input.
    check_st!(
        unsafe { NtCreateDirectoryObject(&mut h, DIRECTORY_QUERY, &a) },
        STATUS_OBJECT_NAME_INVALID
    );
    // SAFETY: as above.
    check_st!(
        unsafe { NtOpenDirectoryObject(&mut h, DIRECTORY_QUERY, &a) },
        STATUS_OBJECT_NAME_INVALID
    );
    let mut n = us(text);
    n.maximum_length = n.length - 2;
    let a = oa(&n, 0, Handle::NULL);
    // SAFETY: as above.
    check_st!(
        unsafe { NtCreateDirectoryObject(&mut h, DIRECTORY_QUERY, &a) },
        STATUS_OBJECT_NAME_INVALID
    );
    // A misaligned name buffer (ProbeForRead with WCHAR alignment).
    let mut raw = [0u16; 40];
    // SAFETY: the bytes are copied inside `raw`.
    let p = unsafe {
        let dst = (raw.as_mut_ptr() as *mut u8).add(1);
        core::ptr::copy_nonoverlapping(text.as_ptr() as *const u8, dst, text.len() * 2);
        dst
    };
    let n = UnicodeString {
        length: (text.len() * 2) as u16,
        maximum_length: (text.len() * 2) as u16,
        buffer: p as u64,
    };
    let a = oa(&n, 0, Handle::NULL);
    // SAFETY: valid pointers; the buffer alignment is the bad input.
    check_st!(
        unsafe { NtCreateDirectoryObject(&mut h, DIRECTORY_QUERY, &a) },
        STATUS_DATATYPE_MISALIGNMENT
    );
}

/// OBJ_CASE_INSENSITIVE and OBJ_OPENIF.
fn case_and_openif() {
    let (st, d) = create_dir(w!("\\BaseNamedObjects\\nt-ob-Case"), 0, Handle::NULL);
    check_eq!(st, STATUS_SUCCESS);
    // Exact case without the flag, any case with it.
    let n = us(w!("\\BaseNamedObjects\\nt-ob-Case"));
    let a = oa(&n, 0, Handle::NULL);
    let mut h = Handle::NULL;
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtOpenDirectoryObject(&mut h, DIRECTORY_QUERY, &a) },
        STATUS_SUCCESS
    );
    close(h);
    let n = us(w!("\\BaseNamedObjects\\NT-OB-CASE"));
    let a = oa(&n, OBJ_CASE_INSENSITIVE, Handle::NULL);
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtOpenDirectoryObject(&mut h, DIRECTORY_QUERY, &a) },
        STATUS_SUCCESS
    );
    close(h);
    // Directory names ignore case even without the flag: the Directory
    // type is CaseInsensitive and Windows' ObCaseInsensitive is 1 by
    // default, so ObpLookupObjectName adds OBJ_CASE_INSENSITIVE. Only types
    // without that flag (events, mutants: Wine om.c test_case_sensitive)
    // take another case for another name.
    let (st, _) = create_dir(w!("\\BaseNamedObjects\\nt-ob-CASE"), 0, Handle::NULL);
    check_eq!(st, STATUS_OBJECT_NAME_COLLISION);
    let n = us(w!("\\BaseNamedObjects\\NT-OB-CASE"));
    let a = oa(&n, 0, Handle::NULL);
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtOpenDirectoryObject(&mut h, DIRECTORY_QUERY, &a) },
        STATUS_SUCCESS
    );
    close(h);
    // With it, the existing object collides (OPENIF: opens it).
    let (st, _) = create_dir(
        w!("\\BaseNamedObjects\\NT-OB-Case"),
        OBJ_CASE_INSENSITIVE,
        Handle::NULL,
    );
    check_eq!(st, STATUS_OBJECT_NAME_COLLISION);
    let (st, d3) = create_dir(
        w!("\\BaseNamedObjects\\NT-OB-Case"),
        OBJ_CASE_INSENSITIVE | OBJ_OPENIF,
        Handle::NULL,
    );
    check_eq!(st, STATUS_OBJECT_NAME_EXISTS);
    // OPENIF on a name of another type: a type mismatch, not a handle.
    let (st, l) = create_link(
        w!("\\BaseNamedObjects\\nt-ob-Case"),
        w!("\\Device"),
        OBJ_OPENIF,
    );
    check_eq!(st, STATUS_OBJECT_TYPE_MISMATCH);
    if st.is_success() {
        close(l);
    }
    close(d3);
    close(d);
}

/// Symbolic links: create, open, query, reparse (final and inner
/// components), and bad input.
fn symbolic_links() {
    let (st, d) = create_dir(w!("\\BaseNamedObjects\\nt-ob-target"), 0, Handle::NULL);
    check_eq!(st, STATUS_SUCCESS);
    let (st, c) = create_dir(w!("inner"), 0, d);
    check_eq!(st, STATUS_SUCCESS);
    let (st, l) = create_link(
        w!("\\BaseNamedObjects\\nt-ob-link"),
        w!("\\BaseNamedObjects\\nt-ob-target"),
        0,
    );
    check_eq!(st, STATUS_SUCCESS);
    check!(is_real_handle(l), "link handle {:#x}", l.0);

    // Opening the link name as a directory follows the link.
    let (st, h) = open_dir(w!("\\BaseNamedObjects\\nt-ob-link"), DIRECTORY_QUERY);
    check_eq!(st, STATUS_SUCCESS);
    let mut nb = [0u64; 64];
    match object_name(h, &mut nb) {
        Ok(n) => check!(
            eq_w(n, "\\BaseNamedObjects\\nt-ob-target"),
            "reparsed to {}",
            Wide(n)
        ),
        Err(e) => check!(false, "name: {e}"),
    };
    close(h);
    // So does a link in the middle of a path.
    let (st, h) = open_dir(w!("\\BaseNamedObjects\\nt-ob-link\\inner"), DIRECTORY_QUERY);
    check_eq!(st, STATUS_SUCCESS);
    close(h);
    // NtOpenSymbolicLinkObject opens the link itself: no reparse on the
    // last component.
    let (st, h) = open_link(w!("\\BaseNamedObjects\\nt-ob-link"), SYMBOLIC_LINK_QUERY);
    check_eq!(st, STATUS_SUCCESS);
    let mut buf = [0u16; 64];
    match link_target(h, &mut buf) {
        Ok(t) => check!(
            eq_w(t, "\\BaseNamedObjects\\nt-ob-target"),
            "target {}",
            Wide(t)
        ),
        Err(e) => check!(false, "query: {e}"),
    };
    // Lengths: ReturnedLength counts the terminating NUL; too small a
    // buffer is STATUS_BUFFER_TOO_SMALL with the length needed.
    let full = (w!("\\BaseNamedObjects\\nt-ob-target").len() * 2) as u32;
    let mut s = us_out(&mut buf);
    let mut len = 0u32;
    // SAFETY: `s` describes `buf`.
    check_st!(
        unsafe { NtQuerySymbolicLinkObject(h, &mut s, &mut len) },
        STATUS_SUCCESS
    );
    check_eq!(s.length as u32, full);
    check_eq!(len, full + 2);
    let mut small = [0u16; 4];
    let mut s = us_out(&mut small);
    len = 0;
    // SAFETY: `s` describes `small`.
    check_st!(
        unsafe { NtQuerySymbolicLinkObject(h, &mut s, &mut len) },
        STATUS_BUFFER_TOO_SMALL
    );
    check_eq!(len, full + 2);
    // Bad input for the query.
    let mut s = us_out(&mut buf);
    // SAFETY: the handle is the bad input.
    check_st!(
        unsafe { NtQuerySymbolicLinkObject(d, &mut s, &mut len) },
        STATUS_OBJECT_TYPE_MISMATCH
    );
    // SAFETY: as above.
    check_st!(
        unsafe { NtQuerySymbolicLinkObject(Handle(0x7ff0), &mut s, &mut len) },
        STATUS_INVALID_HANDLE
    );
    // SAFETY: the output string pointer is the bad input.
    check_st!(
        unsafe { NtQuerySymbolicLinkObject(h, core::ptr::null_mut(), &mut len) },
        STATUS_ACCESS_VIOLATION
    );
    // SAFETY: as above.
    check_st!(
        unsafe { NtQuerySymbolicLinkObject(h, bad::KERNEL as *mut UnicodeString, &mut len) },
        STATUS_ACCESS_VIOLATION
    );
    let mut s = UnicodeString {
        length: 0,
        maximum_length: 64,
        buffer: bad::KERNEL as u64,
    };
    // SAFETY: the string's buffer is the bad input.
    check_st!(
        unsafe { NtQuerySymbolicLinkObject(h, &mut s, &mut len) },
        STATUS_ACCESS_VIOLATION
    );
    let mut s = us_out(&mut buf);
    // SAFETY: the length pointer is the bad input.
    check_st!(
        unsafe { NtQuerySymbolicLinkObject(h, &mut s, bad::KERNEL as *mut u32) },
        STATUS_ACCESS_VIOLATION
    );
    close(h);
    // Without SYMBOLIC_LINK_QUERY access the query is denied.
    let (st, h) = open_link(w!("\\BaseNamedObjects\\nt-ob-link"), READ_CONTROL);
    check_eq!(st, STATUS_SUCCESS);
    let mut s = us_out(&mut buf);
    // SAFETY: valid pointers; the access is what is tested.
    check_st!(
        unsafe { NtQuerySymbolicLinkObject(h, &mut s, &mut len) },
        STATUS_ACCESS_DENIED
    );
    close(h);

    // Links to links, and a loop that must fail rather than spin.
    let (st, l2) = create_link(
        w!("\\BaseNamedObjects\\nt-ob-link2"),
        w!("\\BaseNamedObjects\\nt-ob-link"),
        0,
    );
    check_eq!(st, STATUS_SUCCESS);
    let (st, h) = open_dir(
        w!("\\BaseNamedObjects\\nt-ob-link2\\inner"),
        DIRECTORY_QUERY,
    );
    check_eq!(st, STATUS_SUCCESS);
    close(h);
    let (st, la) = create_link(
        w!("\\BaseNamedObjects\\nt-ob-loopa"),
        w!("\\BaseNamedObjects\\nt-ob-loopb"),
        0,
    );
    check_eq!(st, STATUS_SUCCESS);
    let (st, lb) = create_link(
        w!("\\BaseNamedObjects\\nt-ob-loopb"),
        w!("\\BaseNamedObjects\\nt-ob-loopa"),
        0,
    );
    check_eq!(st, STATUS_SUCCESS);
    let (st, _) = open_dir(w!("\\BaseNamedObjects\\nt-ob-loopa"), DIRECTORY_QUERY);
    check!(!st.is_success(), "a link loop opened: {st}");
    // A dangling link.
    let (st, ld) = create_link(
        w!("\\BaseNamedObjects\\nt-ob-dangle"),
        w!("\\BaseNamedObjects\\nt-ob-nowhere"),
        0,
    );
    check_eq!(st, STATUS_SUCCESS);
    let (st, _) = open_dir(w!("\\BaseNamedObjects\\nt-ob-dangle"), DIRECTORY_QUERY);
    check_eq!(st, STATUS_OBJECT_NAME_NOT_FOUND);
    for x in [l2, la, lb, ld] {
        close(x);
    }

    // Bad input for create.
    let n = us(w!("\\BaseNamedObjects\\nt-ob-badlink"));
    let a = oa(&n, 0, Handle::NULL);
    let mut h = Handle::NULL;
    // SAFETY: the target pointer is the bad input.
    check_st!(
        unsafe { NtCreateSymbolicLinkObject(&mut h, SYMBOLIC_LINK_QUERY, &a, core::ptr::null()) },
        STATUS_ACCESS_VIOLATION
    );
    let empty = UnicodeString::default();
    // SAFETY: an empty target is the bad input.
    check_st!(
        unsafe { NtCreateSymbolicLinkObject(&mut h, SYMBOLIC_LINK_QUERY, &a, &empty) },
        STATUS_INVALID_PARAMETER
    );
    let mut t = us(w!("\\Device"));
    t.length = 3;
    // SAFETY: an odd target length is the bad input.
    check_st!(
        unsafe { NtCreateSymbolicLinkObject(&mut h, SYMBOLIC_LINK_QUERY, &a, &t) },
        STATUS_INVALID_PARAMETER
    );
    let t = us(w!("\\Device"));
    // SAFETY: NULL attributes: no name to give the link.
    check_st!(
        unsafe {
            NtCreateSymbolicLinkObject(&mut h, SYMBOLIC_LINK_QUERY, bad::KERNEL as *const _, &t)
        },
        STATUS_ACCESS_VIOLATION
    );
    // SAFETY: the output handle pointer is the bad input.
    check_st!(
        unsafe { NtCreateSymbolicLinkObject(core::ptr::null_mut(), SYMBOLIC_LINK_QUERY, &a, &t) },
        STATUS_ACCESS_VIOLATION
    );
    // SAFETY: NULL attributes for open.
    check_st!(
        unsafe { NtOpenSymbolicLinkObject(&mut h, SYMBOLIC_LINK_QUERY, core::ptr::null()) },
        STATUS_INVALID_PARAMETER
    );
    let (st, _) = open_link(w!("\\BaseNamedObjects\\nt-ob-nolink"), SYMBOLIC_LINK_QUERY);
    check_eq!(st, STATUS_OBJECT_NAME_NOT_FOUND);
    let (st, _) = create_link(w!("\\BaseNamedObjects\\nt-ob-link"), w!("\\Device"), 0);
    check_eq!(st, STATUS_OBJECT_NAME_COLLISION);
    close(l);
    close(c);
    close(d);
}

/// Reads the entries of a NtQueryDirectoryObject buffer (ends at a zeroed
/// entry).
fn entries(buf: &[u64]) -> impl Iterator<Item = (&[u16], &[u16])> {
    let p = buf.as_ptr() as *const ObjectDirectoryInformation;
    let max = buf.len() * 8 / core::mem::size_of::<ObjectDirectoryInformation>();
    (0..max)
        // SAFETY: within `buf`; entries the service wrote point into `buf`.
        .map(move |i| unsafe { &*p.add(i) })
        .take_while(|e| e.name.buffer != 0)
        // SAFETY: as above.
        .map(|e| unsafe { (units(&e.name), units(&e.type_name)) })
}

/// NtQueryDirectoryObject: enumeration one at a time and all at once, the
/// context, the end, small buffers and bad input.
fn query_directory() {
    let (st, root) = open_dir(w!("\\"), DIRECTORY_QUERY);
    check_eq!(st, STATUS_SUCCESS);
    let mut buf = [0u64; 256];
    let mut ctx = 0u32;
    let mut len = 0u32;
    let mut seen = [false; 6];
    let want = [
        "Device",
        "Driver",
        "ObjectTypes",
        "BaseNamedObjects",
        "KnownDlls",
        "SystemRoot",
    ];
    let mut restart = 1u8;
    let mut count = 0;
    loop {
        // SAFETY: `buf` is 2 KiB.
        let st = unsafe {
            NtQueryDirectoryObject(
                root,
                buf.as_mut_ptr() as *mut u8,
                2048,
                1,
                restart,
                &mut ctx,
                &mut len,
            )
        };
        restart = 0;
        if st == STATUS_NO_MORE_ENTRIES {
            break;
        }
        if !check!(st == STATUS_SUCCESS, "entry {count}: {st}") || count > 200 {
            break;
        }
        count += 1;
        check!(
            len as usize >= core::mem::size_of::<ObjectDirectoryInformation>(),
            "ReturnLength {len}"
        );
        if let Some((name, ty)) = entries(&buf).next() {
            for (i, n) in want.iter().enumerate() {
                if eq_w(name, n) {
                    seen[i] = true;
                    let t = if *n == "SystemRoot" {
                        "SymbolicLink"
                    } else {
                        "Directory"
                    };
                    check!(eq_w(ty, t), "{n} has type {}", Wide(ty));
                }
            }
        }
    }
    for (i, n) in want.iter().enumerate() {
        check!(seen[i], "\\{n} not listed in \\");
    }
    check_eq!(ctx, count as u32, "the context counts entries");

    // All at once: the same entries.
    let mut ctx = 0u32;
    // SAFETY: `buf` is 2 KiB.
    let st = unsafe {
        NtQueryDirectoryObject(
            root,
            buf.as_mut_ptr() as *mut u8,
            2048,
            0,
            1,
            &mut ctx,
            &mut len,
        )
    };
    check!(
        st == STATUS_SUCCESS || st == STATUS_MORE_ENTRIES,
        "all at once: {st}"
    );
    check_eq!(entries(&buf).count() as u32, ctx);

    // \ObjectTypes lists the T4 types.
    let (st, types) = open_dir(w!("\\ObjectTypes"), DIRECTORY_QUERY);
    check_eq!(st, STATUS_SUCCESS);
    let mut found = [false; 4];
    let tnames = ["Directory", "SymbolicLink", "Process", "Thread"];
    let mut restart = 1u8;
    let mut ctx = 0u32;
    for _ in 0..200 {
        // SAFETY: `buf` is 2 KiB.
        let st = unsafe {
            NtQueryDirectoryObject(
                types,
                buf.as_mut_ptr() as *mut u8,
                2048,
                1,
                restart,
                &mut ctx,
                &mut len,
            )
        };
        restart = 0;
        if st != STATUS_SUCCESS {
            break;
        }
        if let Some((name, ty)) = entries(&buf).next() {
            for (i, t) in tnames.iter().enumerate() {
                if eq_w(name, t) {
                    found[i] = true;
                    check!(eq_w(ty, "Type"), "{t} has type {}", Wide(ty));
                }
            }
        }
    }
    for (i, t) in tnames.iter().enumerate() {
        check!(found[i], "\\ObjectTypes\\{t} missing");
    }
    close(types);

    // An empty directory has no entries.
    let (st, e) = create_dir(w!("\\BaseNamedObjects\\nt-ob-empty"), 0, Handle::NULL);
    check_eq!(st, STATUS_SUCCESS);
    let mut ctx = 0u32;
    // SAFETY: `buf` is 2 KiB.
    check_st!(
        unsafe {
            NtQueryDirectoryObject(
                e,
                buf.as_mut_ptr() as *mut u8,
                2048,
                1,
                1,
                &mut ctx,
                &mut len,
            )
        },
        STATUS_NO_MORE_ENTRIES
    );
    // Too small for the first entry.
    let mut ctx = 0u32;
    len = 0;
    // SAFETY: the length (8) is within `buf`.
    check_st!(
        unsafe {
            NtQueryDirectoryObject(
                root,
                buf.as_mut_ptr() as *mut u8,
                8,
                1,
                1,
                &mut ctx,
                &mut len,
            )
        },
        STATUS_BUFFER_TOO_SMALL
    );
    check!(
        len as usize > core::mem::size_of::<ObjectDirectoryInformation>(),
        "needed length {len}"
    );
    // Bad input.
    // SAFETY: each call passes one bad argument.
    unsafe {
        check_st!(
            NtQueryDirectoryObject(
                Handle(0x7ff0),
                buf.as_mut_ptr() as *mut u8,
                2048,
                1,
                1,
                &mut ctx,
                &mut len
            ),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtQueryDirectoryObject(
                Handle::NULL,
                buf.as_mut_ptr() as *mut u8,
                2048,
                1,
                1,
                &mut ctx,
                &mut len
            ),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtQueryDirectoryObject(
                root,
                buf.as_mut_ptr() as *mut u8,
                2048,
                1,
                1,
                core::ptr::null_mut(),
                &mut len
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtQueryDirectoryObject(root, bad::KERNEL as *mut u8, 2048, 1, 1, &mut ctx, &mut len),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtQueryDirectoryObject(
                root,
                bad::UNMAPPED as *mut u8,
                2048,
                1,
                1,
                &mut ctx,
                &mut len
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtQueryDirectoryObject(
                root,
                buf.as_mut_ptr() as *mut u8,
                2048,
                1,
                1,
                &mut ctx,
                bad::KERNEL as *mut u32
            ),
            STATUS_ACCESS_VIOLATION
        );
    }
    let (_, link) = open_link(w!("\\SystemRoot"), SYMBOLIC_LINK_QUERY);
    // SAFETY: a link handle is the bad input.
    check_st!(
        unsafe {
            NtQueryDirectoryObject(
                link,
                buf.as_mut_ptr() as *mut u8,
                2048,
                1,
                1,
                &mut ctx,
                &mut len,
            )
        },
        STATUS_OBJECT_TYPE_MISMATCH
    );
    close(link);
    let (st, trav) = open_dir(w!("\\BaseNamedObjects"), DIRECTORY_TRAVERSE);
    check_eq!(st, STATUS_SUCCESS);
    // SAFETY: the handle lacks DIRECTORY_QUERY.
    check_st!(
        unsafe {
            NtQueryDirectoryObject(
                trav,
                buf.as_mut_ptr() as *mut u8,
                2048,
                1,
                1,
                &mut ctx,
                &mut len,
            )
        },
        STATUS_ACCESS_DENIED
    );
    close(trav);
    close(e);
    close(root);
}

/// NtQueryObject: the basic, name, type and handle-flag classes; access
/// masks as granted (generic rights mapped); lengths and bad input.
fn query_object() {
    let (st, d) = open_dir(w!("\\BaseNamedObjects"), GENERIC_READ);
    check_eq!(st, STATUS_SUCCESS);
    let (st, info) = basic_info(d);
    check_eq!(st, STATUS_SUCCESS);
    // Directory GENERIC_READ = STANDARD_RIGHTS_READ | QUERY | TRAVERSE.
    check_eq!(
        info.granted_access,
        READ_CONTROL | DIRECTORY_QUERY | DIRECTORY_TRAVERSE
    );
    check!(info.handle_count >= 1, "HandleCount {}", info.handle_count);
    close(d);
    let (_, d) = open_dir(w!("\\BaseNamedObjects"), GENERIC_ALL);
    check_eq!(basic_info(d).1.granted_access, DIRECTORY_ALL_ACCESS);
    close(d);
    let (_, d) = open_dir(w!("\\BaseNamedObjects"), MAXIMUM_ALLOWED);
    check_eq!(basic_info(d).1.granted_access, DIRECTORY_ALL_ACCESS);
    let (_, l) = open_link(w!("\\SystemRoot"), GENERIC_READ);
    check_eq!(
        basic_info(l).1.granted_access,
        READ_CONTROL | SYMBOLIC_LINK_QUERY
    );

    let mut nb = [0u64; 64];
    match object_name(d, &mut nb) {
        Ok(n) => check!(eq_w(n, "\\BaseNamedObjects"), "name {}", Wide(n)),
        Err(e) => check!(false, "name: {e}"),
    };
    match type_name(d, &mut nb) {
        Ok(n) => check!(eq_w(n, "Directory"), "type {}", Wide(n)),
        Err(e) => check!(false, "type: {e}"),
    };
    match type_name(l, &mut nb) {
        Ok(n) => check!(eq_w(n, "SymbolicLink"), "type {}", Wide(n)),
        Err(e) => check!(false, "type: {e}"),
    };
    // The handle's tag bits are ignored.
    check_eq!(basic_info(Handle(d.0 | 3)).0, STATUS_SUCCESS);
    // An unnamed object has an empty name.
    let mut u = Handle::NULL;
    // SAFETY: NULL attributes are allowed for create.
    unsafe { NtCreateDirectoryObject(&mut u, DIRECTORY_QUERY, core::ptr::null()) };
    match object_name(u, &mut nb) {
        Ok(n) => check_eq!(n.len(), 0),
        Err(e) => check!(false, "unnamed: {e}"),
    };
    close(u);
    // Name information: the length needed is reported when it does not fit.
    let mut len = 0u32;
    // SAFETY: a zero length with a valid buffer.
    check_st!(
        unsafe {
            NtQueryObject(
                d,
                OBJECT_NAME_INFORMATION,
                nb.as_mut_ptr() as *mut u8,
                0,
                &mut len,
            )
        },
        STATUS_INFO_LENGTH_MISMATCH
    );
    check_eq!(len as usize, 16 + w!("\\BaseNamedObjects").len() * 2 + 2);
    len = 0;
    // SAFETY: room for the UNICODE_STRING only.
    check_st!(
        unsafe {
            NtQueryObject(
                d,
                OBJECT_NAME_INFORMATION,
                nb.as_mut_ptr() as *mut u8,
                16,
                &mut len,
            )
        },
        STATUS_INFO_LENGTH_MISMATCH
    );
    check!(len > 16, "needed {len}");
    // SAFETY: lengths smaller than the fixed record.
    unsafe {
        check_st!(
            NtQueryObject(
                d,
                OBJECT_BASIC_INFORMATION,
                core::ptr::null_mut(),
                0,
                core::ptr::null_mut()
            ),
            STATUS_INFO_LENGTH_MISMATCH
        );
        check_st!(
            NtQueryObject(
                d,
                OBJECT_BASIC_INFORMATION,
                nb.as_mut_ptr() as *mut u8,
                0x37,
                &mut len
            ),
            STATUS_INFO_LENGTH_MISMATCH
        );
        check_st!(
            NtQueryObject(
                d,
                OBJECT_TYPE_INFORMATION,
                nb.as_mut_ptr() as *mut u8,
                8,
                &mut len
            ),
            STATUS_INFO_LENGTH_MISMATCH
        );
        check_st!(
            NtQueryObject(d, 99, nb.as_mut_ptr() as *mut u8, 512, &mut len),
            STATUS_INVALID_INFO_CLASS
        );
        check_st!(
            NtQueryObject(
                Handle(0x7ff0),
                OBJECT_BASIC_INFORMATION,
                nb.as_mut_ptr() as *mut u8,
                512,
                &mut len
            ),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtQueryObject(
                d,
                OBJECT_BASIC_INFORMATION,
                bad::KERNEL as *mut u8,
                0x38,
                &mut len
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtQueryObject(
                d,
                OBJECT_BASIC_INFORMATION,
                bad::UNMAPPED as *mut u8,
                0x38,
                &mut len
            ),
            STATUS_ACCESS_VIOLATION
        );
        check_st!(
            NtQueryObject(
                d,
                OBJECT_BASIC_INFORMATION,
                nb.as_mut_ptr() as *mut u8,
                0x38,
                bad::KERNEL as *mut u32
            ),
            STATUS_ACCESS_VIOLATION
        );
    }

    // OBJ_INHERIT shows in the handle attributes and the handle flags.
    let n = us(w!("\\BaseNamedObjects"));
    let a = oa(&n, OBJ_INHERIT, Handle::NULL);
    let mut hi = Handle::NULL;
    // SAFETY: valid pointers.
    check_st!(
        unsafe { NtOpenDirectoryObject(&mut hi, DIRECTORY_QUERY, &a) },
        STATUS_SUCCESS
    );
    check!(
        basic_info(hi).1.attributes & OBJ_INHERIT != 0,
        "inherit attribute missing"
    );
    check!(
        basic_info(d).1.attributes & OBJ_INHERIT == 0,
        "inherit attribute on a plain handle"
    );
    let mut flags = [0u8; 2];
    // SAFETY: OBJECT_HANDLE_FLAG_INFORMATION is two BOOLEANs.
    check_st!(
        unsafe {
            NtQueryObject(
                hi,
                OBJECT_HANDLE_FLAG_INFORMATION,
                flags.as_mut_ptr(),
                2,
                &mut len,
            )
        },
        STATUS_SUCCESS
    );
    check_eq!(flags, [1, 0]);
    close(hi);
    close(l);
    close(d);
}

/// NtDuplicateObject and NtClose.
fn duplicate_and_close() {
    let me = Handle::CURRENT_PROCESS;
    let (_, d) = open_dir(w!("\\BaseNamedObjects"), DIRECTORY_ALL_ACCESS);
    let mut h = Handle::NULL;
    // SAFETY: valid pointers throughout this function unless noted.
    check_st!(
        unsafe { NtDuplicateObject(me, d, me, &mut h, 0, 0, DUPLICATE_SAME_ACCESS) },
        STATUS_SUCCESS
    );
    check!(
        is_real_handle(h) && h != d,
        "duplicate {:#x} of {:#x}",
        h.0,
        d.0
    );
    check_eq!(basic_info(h).1.granted_access, DIRECTORY_ALL_ACCESS);
    check!(basic_info(d).1.handle_count >= 2, "two handles now");
    close(h);
    // A narrower access.
    check_st!(
        unsafe { NtDuplicateObject(me, d, me, &mut h, DIRECTORY_QUERY, 0, 0) },
        STATUS_SUCCESS
    );
    check_eq!(basic_info(h).1.granted_access, DIRECTORY_QUERY);
    close(h);
    // Attributes: given, or the source's with DUPLICATE_SAME_ATTRIBUTES.
    check_st!(
        unsafe { NtDuplicateObject(me, d, me, &mut h, 0, OBJ_INHERIT, DUPLICATE_SAME_ACCESS) },
        STATUS_SUCCESS
    );
    check!(
        basic_info(h).1.attributes & OBJ_INHERIT != 0,
        "OBJ_INHERIT not given"
    );
    let mut h2 = Handle::NULL;
    check_st!(
        unsafe {
            NtDuplicateObject(
                me,
                h,
                me,
                &mut h2,
                0,
                0,
                DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES,
            )
        },
        STATUS_SUCCESS
    );
    check!(
        basic_info(h2).1.attributes & OBJ_INHERIT != 0,
        "OBJ_INHERIT not kept"
    );
    close(h2);
    // DUPLICATE_CLOSE_SOURCE closes the source.
    check_st!(
        unsafe {
            NtDuplicateObject(
                me,
                h,
                me,
                &mut h2,
                0,
                0,
                DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE,
            )
        },
        STATUS_SUCCESS
    );
    check_eq!(close(h), STATUS_INVALID_HANDLE);
    check_eq!(close(h2), STATUS_SUCCESS);
    // Bad input.
    unsafe {
        check_st!(
            NtDuplicateObject(me, Handle(0x7ff0), me, &mut h, 0, 0, DUPLICATE_SAME_ACCESS),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtDuplicateObject(me, Handle::NULL, me, &mut h, 0, 0, DUPLICATE_SAME_ACCESS),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtDuplicateObject(Handle(0x7ff0), d, me, &mut h, 0, 0, DUPLICATE_SAME_ACCESS),
            STATUS_INVALID_HANDLE
        );
        check_st!(
            NtDuplicateObject(me, d, Handle(0x7ff0), &mut h, 0, 0, DUPLICATE_SAME_ACCESS),
            STATUS_INVALID_HANDLE
        );
        // A directory is not a process.
        check_st!(
            NtDuplicateObject(d, d, me, &mut h, 0, 0, DUPLICATE_SAME_ACCESS),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(
            NtDuplicateObject(me, d, d, &mut h, 0, 0, DUPLICATE_SAME_ACCESS),
            STATUS_OBJECT_TYPE_MISMATCH
        );
        check_st!(
            NtDuplicateObject(
                me,
                d,
                me,
                bad::KERNEL as *mut Handle,
                0,
                0,
                DUPLICATE_SAME_ACCESS
            ),
            STATUS_ACCESS_VIOLATION
        );
    }
    // NtClose: once; never twice; NULL and garbage are invalid handles.
    let (_, x) = open_dir(w!("\\Device"), DIRECTORY_QUERY);
    check_eq!(close(x), STATUS_SUCCESS);
    check_eq!(close(x), STATUS_INVALID_HANDLE);
    check_eq!(close(Handle::NULL), STATUS_INVALID_HANDLE);
    check_eq!(close(Handle(0x0123_4568)), STATUS_INVALID_HANDLE);
    check_eq!(close(Handle(bad::KERNEL as u64)), STATUS_INVALID_HANDLE);
    // A closed handle is invalid for every service.
    check_eq!(basic_info(x).0, STATUS_INVALID_HANDLE);
    // Open handles are distinct multiples of 4.
    let mut hs = [Handle::NULL; 16];
    for h in hs.iter_mut() {
        *h = open_dir(w!("\\Device"), DIRECTORY_QUERY).1;
    }
    let distinct = (0..16).all(|i| (i + 1..16).all(|j| hs[i] != hs[j]));
    check!(
        distinct && hs.iter().all(|h| is_real_handle(*h)),
        "handles {:x?}",
        hs.map(|h| h.0)
    );
    for h in hs {
        close(h);
    }
    close(d);
}

/// Objects live while a handle is open, unless OBJ_PERMANENT; then
/// NtMakeTemporaryObject makes them go with the last handle.
fn temporary_and_permanent() {
    let (st, t) = create_dir(w!("\\BaseNamedObjects\\nt-ob-temp"), 0, Handle::NULL);
    check_eq!(st, STATUS_SUCCESS);
    close(t);
    check_eq!(
        open_dir(w!("\\BaseNamedObjects\\nt-ob-temp"), DIRECTORY_QUERY).0,
        STATUS_OBJECT_NAME_NOT_FOUND
    );
    // Triton has no privileges yet, so OBJ_PERMANENT is granted to all.
    let (st, p) = create_dir(
        w!("\\BaseNamedObjects\\nt-ob-perm"),
        OBJ_PERMANENT,
        Handle::NULL,
    );
    check_eq!(st, STATUS_SUCCESS);
    check!(
        basic_info(p).1.attributes & OBJ_PERMANENT != 0,
        "permanent attribute missing"
    );
    close(p);
    let (st, p) = open_dir(
        w!("\\BaseNamedObjects\\nt-ob-perm"),
        DIRECTORY_QUERY | DELETE,
    );
    check_eq!(st, STATUS_SUCCESS);
    // SAFETY: a valid handle with DELETE access.
    check_st!(unsafe { NtMakeTemporaryObject(p) }, STATUS_SUCCESS);
    close(p);
    check_eq!(
        open_dir(w!("\\BaseNamedObjects\\nt-ob-perm"), DIRECTORY_QUERY).0,
        STATUS_OBJECT_NAME_NOT_FOUND
    );
    // NtMakeTemporaryObject needs DELETE access and a valid handle.
    let (_, q) = create_dir(
        w!("\\BaseNamedObjects\\nt-ob-perm2"),
        OBJ_PERMANENT,
        Handle::NULL,
    );
    let (_, r) = open_dir(w!("\\BaseNamedObjects\\nt-ob-perm2"), DIRECTORY_QUERY);
    // SAFETY: any handle value is acceptable input.
    unsafe {
        check_st!(NtMakeTemporaryObject(r), STATUS_ACCESS_DENIED);
        check_st!(NtMakeTemporaryObject(Handle(0x7ff0)), STATUS_INVALID_HANDLE);
        check_st!(NtMakeTemporaryObject(Handle::NULL), STATUS_INVALID_HANDLE);
        check_ok!(NtMakeTemporaryObject(q));
    }
    close(r);
    close(q);
    check_eq!(
        open_dir(w!("\\BaseNamedObjects\\nt-ob-perm2"), DIRECTORY_QUERY).0,
        STATUS_OBJECT_NAME_NOT_FOUND
    );
}

/// Handle values nobody was given are refused by every handle service.
fn random_handles() {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..8 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // Far above any handle this program holds; a multiple of 4.
        let h = Handle(((x & 0x00ff_fffc) | 0x0100_0000) as u64);
        let (st, _) = basic_info(h);
        check!(
            st == STATUS_INVALID_HANDLE,
            "NtQueryObject({:#x}): {st}",
            h.0
        );
        check!(close(h) == STATUS_INVALID_HANDLE, "NtClose({:#x})", h.0);
    }
}
