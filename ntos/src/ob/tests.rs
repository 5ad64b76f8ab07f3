//! Host tests of the object manager: names, handle tables, types, the
//! namespace rules, object lifetime, every service, and a seeded random
//! sequence of operations checked against the bookkeeping invariants.
//! Expected statuses are Windows' (Wine dlls/ntdll/tests/om.c, WRK,
//! ReactOS), as the module comments cite.

use super::handles::{HandleEntry, HandleTable};
use super::name::{split_first, upcased};
use super::namespace::STATUS_REPARSE_POINT_ENCOUNTERED;
use super::*;
use nt_abi::classes::ObjectInfoClass;
use nt_abi::consts::*;
use std::collections::BTreeMap;

type Om = ObjectManager<u32>;
const P: ProcessId = 1;
const Q: ProcessId = 2;

fn w(s: &str) -> Vec<u16> {
    utf16(s)
}

fn om() -> Om {
    let mut om = Om::new();
    om.create_handle_table(P).unwrap();
    om.create_handle_table(Q).unwrap();
    om
}

fn at(name: &[u16], attributes: u32) -> ObjectAttrs<'_> {
    ObjectAttrs {
        root: 0,
        name: Some(name),
        attributes,
    }
}

fn rel(root: u64, name: &[u16], attributes: u32) -> ObjectAttrs<'_> {
    ObjectAttrs {
        root,
        name: Some(name),
        attributes,
    }
}

/// Creates an event named `name` for P; Ok(handle) or the status.
fn event(om: &mut Om, name: &str, attributes: u32, body: u32) -> Result<u64, NtStatus> {
    let n = w(name);
    match om.create_object(
        Some(P),
        &at(&n, attributes),
        TypeId::EVENT,
        body,
        EVENT_ALL_ACCESS,
    ) {
        Ok((c, _)) => Ok(c.handle.unwrap()),
        Err((s, b)) => {
            assert_eq!(b, body, "the body comes back on failure");
            Err(s)
        }
    }
}

fn open(om: &mut Om, name: &str, attributes: u32, t: Option<TypeId>) -> Result<Opened, NtStatus> {
    let n = w(name);
    om.open_object_by_name(Some(P), &at(&n, attributes), t, GENERIC_READ)
}

fn open_handle(
    om: &mut Om,
    name: &str,
    attributes: u32,
    t: Option<TypeId>,
) -> Result<u64, NtStatus> {
    match open(om, name, attributes, t)? {
        Opened::Object { handle, .. } => Ok(handle.unwrap()),
        Opened::Parse { .. } => panic!("unexpected parse"),
    }
}

fn id_of(om: &Om, pid: ProcessId, h: u64) -> ObjectId {
    om.lookup_handle(pid, h, 0, None).unwrap().object
}

fn mkdir(om: &mut Om, name: &str, attributes: u32) -> u64 {
    let n = w(name);
    om.create_directory(Some(P), &at(&n, attributes), DIRECTORY_ALL_ACCESS)
        .unwrap()
        .handle
        .unwrap()
}

fn mklink(om: &mut Om, name: &str, target: &str) -> u64 {
    let (n, t) = (w(name), w(target));
    om.create_symbolic_link(Some(P), &at(&n, 0), SYMBOLIC_LINK_ALL_ACCESS, &t)
        .unwrap()
        .handle
        .unwrap()
}

/// A device object named `name` (made by the Executive, permanent).
fn device(om: &mut Om, name: &str) -> ObjectId {
    let n = w(name);
    let (c, _) = om
        .create_object(None, &at(&n, OBJ_PERMANENT), TypeId::DEVICE, 900, 0)
        .unwrap();
    assert!(om.dereference(c.id).is_empty());
    c.id
}

fn live(om: &Om) -> usize {
    om.slots.iter().filter(|s| s.object.is_some()).count()
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

/// The UNICODE_STRING at `at` in output `b` written for user address `user`.
fn ustr(b: &[u8], at: usize, user: u64) -> String {
    let len = u16_at(b, at) as usize;
    let ptr = u64_at(b, at + 8);
    if len == 0 {
        return String::new();
    }
    let off = (ptr - user) as usize;
    assert_eq!(u16_at(b, off + len), 0, "NUL after the string");
    String::from_utf16(
        &(0..len / 2)
            .map(|i| u16_at(b, off + 2 * i))
            .collect::<Vec<_>>(),
    )
    .unwrap()
}

/// Every bookkeeping invariant: handle counts equal table entries, type
/// totals equal live objects and handles, directory entries and parents
/// agree, and directory references cover their entries.
fn check(om: &Om) {
    let mut handles: BTreeMap<ObjectId, u32> = BTreeMap::new();
    for t in om.tables.values() {
        for (_, e) in t.iter() {
            assert!(om.obj(e.object).is_some(), "handle to a dead object");
            *handles.entry(e.object).or_default() += 1;
        }
    }
    let mut per_type_objects = vec![0u32; om.types.len()];
    let mut per_type_handles = vec![0u32; om.types.len()];
    for (i, s) in om.slots.iter().enumerate() {
        let Some(o) = &s.object else { continue };
        let id = ObjectId {
            index: i as u32,
            generation: s.generation,
        };
        assert_eq!(
            o.handles,
            handles.get(&id).copied().unwrap_or(0),
            "handle count of {id:?}"
        );
        per_type_objects[o.type_id.index()] += 1;
        per_type_handles[o.type_id.index()] += o.handles;
        if let Some(p) = o.parent {
            assert!(
                om.directory(p).unwrap().iter().any(|c| c == id),
                "parent lists child"
            );
            assert!(!o.name.is_empty());
        } else {
            assert!(o.name.is_empty() || id == om.root);
        }
        if let Body::Directory(d) = &o.body {
            assert!(o.refs as usize >= d.len());
            for c in d.iter() {
                assert_eq!(om.obj(c).unwrap().parent, Some(id));
            }
        }
        assert!(
            o.handles > 0 || o.refs > 0 || o.parent.is_some(),
            "unreachable object {id:?} survived"
        );
    }
    for (i, t) in om.types.iter().enumerate() {
        assert_eq!(t.objects, per_type_objects[i], "objects of {}", t.def.name);
        assert_eq!(t.handles, per_type_handles[i], "handles of {}", t.def.name);
        assert!(t.objects <= t.high_objects && t.handles <= t.high_handles);
    }
}

// ----- Names -----

#[test]
fn upcase_ascii_and_latin1() {
    assert_eq!(upcase('a' as u16), 'A' as u16);
    assert_eq!(upcase('z' as u16), 'Z' as u16);
    assert_eq!(upcase('A' as u16), 'A' as u16);
    assert_eq!(upcase(0xE4), 0xC4); // ä
    assert_eq!(upcase(0xFE), 0xDE); // þ
    assert_eq!(upcase(0xFF), 0x178); // ÿ
    assert_eq!(upcase(0xF7), 0xF7); // division sign stays
    assert_eq!(upcase(0xDF), 0xDF); // sharp s has no single upper case
    assert_eq!(upcase('\\' as u16), '\\' as u16);
    assert_eq!(upcase(0), 0);
}

#[test]
fn upcase_extended_a_greek_cyrillic() {
    assert_eq!(upcase(0x101), 0x100);
    assert_eq!(upcase(0x100), 0x100);
    assert_eq!(upcase(0x13A), 0x139);
    assert_eq!(upcase(0x17E), 0x17D);
    assert_eq!(upcase(0x131), 0x131); // dotless i left alone
    assert_eq!(upcase(0x3B1), 0x391);
    assert_eq!(upcase(0x3C2), 0x3A3);
    assert_eq!(upcase(0x430), 0x410);
    assert_eq!(upcase(0x451), 0x401);
    assert_eq!(upcase(0x4E00), 0x4E00);
}

#[test]
fn name_comparison_and_splitting() {
    assert!(eq_ignore_case(
        &w("BaseNamedObjects"),
        &w("basenamedOBJECTS")
    ));
    assert!(!eq_ignore_case(&w("abc"), &w("abcd")));
    assert!(eq_ignore_case(&w("Ärger"), &w("äRGER")));
    assert_eq!(upcased(&w("x\\y")), w("X\\Y"));
    assert_eq!(split_first(&w("a\\b\\c")), (&w("a")[..], &w("\\b\\c")[..]));
    assert_eq!(split_first(&w("abc")), (&w("abc")[..], &[][..]));
    assert_eq!(split_first(&w("\\x")), (&[][..], &w("\\x")[..]));
}

// ----- Handle tables -----

fn entry(n: u32) -> HandleEntry {
    HandleEntry {
        object: ObjectId {
            index: n,
            generation: 0,
        },
        access: 0,
        attributes: 0,
    }
}

#[test]
fn handle_values_start_at_4_and_reuse_lowest() {
    let mut t = HandleTable::default();
    let hs: Vec<u64> = (0..4).map(|i| t.insert(entry(i), 100).unwrap()).collect();
    assert_eq!(hs, [4, 8, 12, 16]);
    t.remove(8).unwrap();
    t.remove(4).unwrap();
    assert_eq!(t.insert(entry(9), 100), Some(4));
    assert_eq!(t.insert(entry(9), 100), Some(8));
    assert_eq!(t.insert(entry(9), 100), Some(20));
    assert_eq!(t.len(), 5);
}

#[test]
fn handle_tag_bits_are_ignored() {
    let mut t = HandleTable::default();
    let h = t.insert(entry(7), 10).unwrap();
    for v in [h, h | 1, h | 2, h | 3] {
        assert_eq!(t.get(v).unwrap().object.index, 7);
    }
}

#[test]
fn bad_handle_values_name_nothing() {
    let mut t = HandleTable::default();
    t.insert(entry(1), 10).unwrap();
    for v in [
        0,
        1,
        2,
        3,
        8,
        12,
        0x1000,
        u64::MAX,
        u64::MAX - 1,
        1 << 63,
        0xdead_beef,
    ] {
        assert!(t.get(v).is_none(), "{v:#x}");
        assert!(t.remove(v).is_none(), "{v:#x}");
    }
    assert_eq!(t.len(), 1);
}

#[test]
fn handle_table_shrinks_and_limits() {
    let mut t = HandleTable::default();
    for i in 0..3 {
        t.insert(entry(i), 3).unwrap();
    }
    assert_eq!(t.insert(entry(3), 3), None);
    t.remove(12).unwrap();
    t.remove(8).unwrap();
    assert_eq!(t.iter().map(|(h, _)| h).collect::<Vec<_>>(), [4]);
    assert_eq!(t.insert(entry(3), 3), Some(8));
}

#[test]
fn handle_limit_is_insufficient_resources() {
    let mut om = om();
    om.set_handle_limit(2);
    event(&mut om, "\\BaseNamedObjects\\a", 0, 1).unwrap();
    event(&mut om, "", 0, 2).unwrap();
    assert_eq!(
        event(&mut om, "\\BaseNamedObjects\\b", 0, 3),
        Err(STATUS_INSUFFICIENT_RESOURCES)
    );
    assert!(
        open(&mut om, "\\BaseNamedObjects\\b", 0, None).is_err(),
        "the failed create left no name"
    );
    check(&om);
}

// ----- Types -----

#[test]
fn standard_type_mappings_match_windows() {
    let om = Om::new();
    let m = |t: TypeId| {
        let d = om.types[t.index()].def;
        (
            d.mapping.generic_read,
            d.mapping.generic_write,
            d.mapping.generic_execute,
            d.mapping.generic_all,
            d.valid_access,
        )
    };
    assert_eq!(
        m(TypeId::EVENT),
        (0x20001, 0x20002, 0x120000, 0x1F0003, 0x1F0003)
    );
    assert_eq!(
        m(TypeId::MUTANT),
        (0x20001, 0x20000, 0x120000, 0x1F0001, 0x1F0001)
    );
    assert_eq!(
        m(TypeId::PROCESS),
        (0x20410, 0x20BEA, 0x121001, 0x1FFFFF, 0x1FFFFF)
    );
    assert_eq!(
        m(TypeId::THREAD),
        (0x20048, 0x20437, 0x121800, 0x1FFFFF, 0x1FFFFF)
    );
    assert_eq!(
        m(TypeId::DIRECTORY),
        (0x20003, 0x2000C, 0x20003, 0xF000F, 0xF000F)
    );
    assert_eq!(
        m(TypeId::SYMBOLIC_LINK),
        (0x20001, 0x20000, 0x20001, 0xF0001, 0xF0001)
    );
    assert_eq!(
        m(TypeId::SECTION),
        (0x20005, 0x20002, 0x20008, 0xF001F, 0x1F001F)
    );
    assert_eq!(
        m(TypeId::FILE),
        (0x120089, 0x120116, 0x1200A0, 0x1F01FF, 0x1F01FF)
    );
    assert_eq!(
        m(TypeId::KEY),
        (0x20019, 0x20006, 0x20039, 0xF003F, 0x1F003F)
    );
    assert_eq!(
        m(TypeId::TYPE),
        (0x20000, 0x20000, 0x20000, 0xF0001, 0x1F0001)
    );
    assert_eq!(
        m(TypeId::TOKEN),
        (0x2001A, 0x201E0, 0x20005, 0xF01FF, 0x1F01FF)
    );
    assert_eq!(
        m(TypeId::JOB),
        (0x20004, 0x20019, 0x120000, 0x1F003F, 0x1F003F)
    );
    let names: Vec<&str> = om.types.iter().map(|t| t.def.name).collect();
    assert_eq!(&names[..3], ["Type", "Directory", "SymbolicLink"]);
}

#[test]
fn granted_access_is_mapped_and_cut_to_valid_mask() {
    let mut om = om();
    let h = event(&mut om, "", 0, 1).unwrap();
    let id = id_of(&om, P, h);
    let h2 = om
        .insert_handle(P, id, GENERIC_READ | 0x8000 | ACCESS_SYSTEM_SECURITY, 0)
        .unwrap();
    assert_eq!(
        om.lookup_handle(P, h2, 0, None).unwrap().access,
        0x20001 | ACCESS_SYSTEM_SECURITY
    );
    let h3 = om.insert_handle(P, id, MAXIMUM_ALLOWED, 0).unwrap();
    assert_eq!(
        om.lookup_handle(P, h3, 0, None).unwrap().access,
        EVENT_ALL_ACCESS
    );
    let h4 = om
        .insert_handle(P, id, GENERIC_EXECUTE | EVENT_MODIFY_STATE, 0)
        .unwrap();
    assert_eq!(
        om.lookup_handle(P, h4, 0, None).unwrap().access,
        SYNCHRONIZE | READ_CONTROL | EVENT_MODIFY_STATE
    );
}

#[test]
fn register_type_adds_a_type_object() {
    let mut om = om();
    let def = TypeDef {
        name: "WindowStation",
        mapping: GenericMapping {
            generic_read: 1,
            generic_write: 2,
            generic_execute: 4,
            generic_all: 7,
        },
        valid_access: 0x1F0007,
        invalid_attributes: 0,
        parses_names: false,
        case_insensitive: false,
    };
    let t = om.register_type(def).unwrap();
    assert_eq!(t.index(), 19);
    assert_eq!(om.register_type(def), Err(STATUS_OBJECT_NAME_COLLISION));
    assert_eq!(
        om.register_type(TypeDef {
            name: "a\\b",
            ..def
        }),
        Err(STATUS_OBJECT_NAME_INVALID)
    );
    assert_eq!(
        om.register_type(TypeDef { name: "", ..def }),
        Err(STATUS_OBJECT_NAME_INVALID)
    );
    let h = open_handle(
        &mut om,
        "\\ObjectTypes\\windowstation",
        OBJ_CASE_INSENSITIVE,
        Some(TypeId::TYPE),
    )
    .unwrap();
    assert_eq!(om.object_type(id_of(&om, P, h)), Some(TypeId::TYPE));
    let n = w("\\x");
    let (c, _) = om
        .create_object(Some(P), &at(&n, 0), t, 5, GENERIC_ALL)
        .unwrap();
    assert_eq!(
        om.lookup_handle(P, c.handle.unwrap(), 0, Some(t))
            .unwrap()
            .access,
        0x1F0007 & 7
    );
    check(&om);
}

// ----- Boot namespace -----

#[test]
fn boot_namespace_exists() {
    let mut om = om();
    for d in [
        "\\",
        "\\Device",
        "\\Driver",
        "\\ObjectTypes",
        "\\GLOBAL??",
        "\\??",
        "\\BaseNamedObjects",
        "\\KnownDlls",
    ] {
        open_handle(&mut om, d, 0, Some(TypeId::DIRECTORY))
            .unwrap_or_else(|s| panic!("{d}: {s:?}"));
    }
    for t in [
        "Type",
        "Directory",
        "SymbolicLink",
        "Process",
        "Thread",
        "Section",
        "Event",
        "Mutant",
        "Semaphore",
        "Timer",
        "File",
        "Device",
        "Driver",
        "Key",
    ] {
        open_handle(
            &mut om,
            &format!("\\ObjectTypes\\{t}"),
            0,
            Some(TypeId::TYPE),
        )
        .unwrap_or_else(|s| panic!("{t}: {s:?}"));
    }
    check(&om);
}

#[test]
fn dos_devices_prefix_is_global_directory() {
    let mut om = om();
    let a = open_handle(&mut om, "\\??", 0, Some(TypeId::DIRECTORY)).unwrap();
    let b = open_handle(&mut om, "\\GLOBAL??", 0, Some(TypeId::DIRECTORY)).unwrap();
    let c = open_handle(&mut om, "\\DosDevices", 0, Some(TypeId::DIRECTORY)).unwrap();
    assert_eq!(id_of(&om, P, a), id_of(&om, P, b));
    assert_eq!(id_of(&om, P, c), id_of(&om, P, b));
    let h = event(&mut om, "\\??\\Ev", 0, 1).unwrap();
    assert_eq!(om.object_name(id_of(&om, P, h)), Some(w("\\GLOBAL??\\Ev")));
    let h2 = open_handle(&mut om, "\\DosDevices\\Ev", 0, Some(TypeId::EVENT)).unwrap();
    assert_eq!(id_of(&om, P, h2), id_of(&om, P, h));
    // `??` is not an entry of the root.
    let root = open_handle(&mut om, "\\", 0, None).unwrap();
    let q = w("??");
    assert_eq!(
        om.open_object_by_name(Some(P), &rel(root, &q, 0), None, 0),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
}

#[test]
fn globalroot_and_bno_links() {
    let mut om = om();
    let d = open_handle(
        &mut om,
        "\\GLOBAL??\\GLOBALROOT\\Device",
        0,
        Some(TypeId::DIRECTORY),
    )
    .unwrap();
    let d2 = open_handle(&mut om, "\\Device", 0, Some(TypeId::DIRECTORY)).unwrap();
    assert_eq!(id_of(&om, P, d), id_of(&om, P, d2));
    let r = open_handle(&mut om, "\\??\\GLOBALROOT", 0, Some(TypeId::DIRECTORY)).unwrap();
    assert_eq!(om.object_name(id_of(&om, P, r)), Some(w("\\")));
    let h = event(&mut om, "\\BaseNamedObjects\\Local\\e", 0, 1).unwrap();
    let h2 = open_handle(
        &mut om,
        "\\BaseNamedObjects\\Global\\e",
        0,
        Some(TypeId::EVENT),
    )
    .unwrap();
    assert_eq!(id_of(&om, P, h), id_of(&om, P, h2));
    assert_eq!(
        om.object_name(id_of(&om, P, h)),
        Some(w("\\BaseNamedObjects\\e"))
    );
}

// ----- Name rules -----

#[test]
fn relative_name_without_root_is_syntax_bad() {
    let mut om = om();
    assert_eq!(
        open(&mut om, "BaseNamedObjects", 0, None),
        Err(STATUS_OBJECT_PATH_SYNTAX_BAD)
    );
    assert_eq!(
        event(&mut om, "BaseNamedObjects\\x", 0, 1),
        Err(STATUS_OBJECT_PATH_SYNTAX_BAD)
    );
    assert_eq!(
        open(&mut om, "", 0, None),
        Err(STATUS_OBJECT_PATH_SYNTAX_BAD)
    );
}

#[test]
fn null_names() {
    let mut om = om();
    let none = ObjectAttrs {
        root: 0,
        name: None,
        attributes: 0,
    };
    assert_eq!(
        om.open_object_by_name(Some(P), &none, None, 0),
        Err(STATUS_OBJECT_PATH_SYNTAX_BAD)
    );
    let dir = open_handle(&mut om, "\\BaseNamedObjects", 0, None).unwrap();
    let rooted = ObjectAttrs {
        root: dir,
        name: None,
        attributes: 0,
    };
    assert_eq!(
        om.open_object_by_name(Some(P), &rooted, None, 0),
        Err(STATUS_OBJECT_NAME_INVALID)
    );
    assert_eq!(
        om.create_object(Some(P), &rooted, TypeId::EVENT, 1, 0)
            .map(|_| ()),
        Err((STATUS_OBJECT_NAME_INVALID, 1))
    );
    let (c, _) = om
        .create_object(Some(P), &none, TypeId::EVENT, 2, 0)
        .unwrap();
    assert_eq!(om.object_name(c.id), None);
}

#[test]
fn empty_components_are_name_invalid() {
    let mut om = om();
    for n in [
        "\\\\BaseNamedObjects",
        "\\BaseNamedObjects\\",
        "\\BaseNamedObjects\\\\x",
        "\\Device\\\\",
    ] {
        assert_eq!(
            open(&mut om, n, 0, None),
            Err(STATUS_OBJECT_NAME_INVALID),
            "{n}"
        );
        assert_eq!(
            event(&mut om, n, 0, 1),
            Err(STATUS_OBJECT_NAME_INVALID),
            "{n}"
        );
    }
}

#[test]
fn missing_components() {
    let mut om = om();
    assert_eq!(
        open(&mut om, "\\BaseNamedObjects\\nope", 0, None),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    assert_eq!(
        open(&mut om, "\\BaseNamedObjects\\nope\\x", 0, None),
        Err(STATUS_OBJECT_PATH_NOT_FOUND)
    );
    // A trailing `\` after a missing component is a missing path first.
    assert_eq!(
        open(&mut om, "\\BaseNamedObjects\\nope\\", 0, None),
        Err(STATUS_OBJECT_PATH_NOT_FOUND)
    );
    assert_eq!(
        event(&mut om, "\\nope\\x", 0, 1),
        Err(STATUS_OBJECT_PATH_NOT_FOUND)
    );
}

#[test]
fn root_directory_handles() {
    let mut om = om();
    let dir = open_handle(&mut om, "\\BaseNamedObjects", 0, Some(TypeId::DIRECTORY)).unwrap();
    let n = w("ev");
    let (c, _) = om
        .create_object(
            Some(P),
            &rel(dir, &n, 0),
            TypeId::EVENT,
            1,
            EVENT_ALL_ACCESS,
        )
        .unwrap();
    assert_eq!(om.object_name(c.id), Some(w("\\BaseNamedObjects\\ev")));
    let empty = w("");
    let Opened::Object { id, .. } = om
        .open_object_by_name(Some(P), &rel(dir, &empty, 0), None, 0)
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(id, id_of(&om, P, dir));
    for bad in ["\\", "\\ev", "\\ev\\"] {
        let b = w(bad);
        assert_eq!(
            om.open_object_by_name(Some(P), &rel(dir, &b, 0), None, 0),
            Err(STATUS_OBJECT_PATH_SYNTAX_BAD),
            "{bad}"
        );
    }
    let b = w("ev\\");
    assert_eq!(
        om.open_object_by_name(Some(P), &rel(dir, &b, 0), None, 0),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    let b = w("nope\\");
    assert_eq!(
        om.open_object_by_name(Some(P), &rel(dir, &b, 0), None, 0),
        Err(STATUS_OBJECT_PATH_NOT_FOUND)
    );
    assert_eq!(
        om.open_object_by_name(Some(P), &rel(0xdead_bee0, &n, 0), None, 0),
        Err(STATUS_INVALID_HANDLE)
    );
    assert_eq!(
        om.open_object_by_name(Some(Q), &rel(dir, &n, 0), None, 0),
        Err(STATUS_INVALID_HANDLE),
        "handles are per process"
    );
    assert_eq!(
        om.open_object_by_name(None, &rel(dir, &n, 0), None, 0),
        Err(STATUS_INVALID_HANDLE)
    );
}

#[test]
fn non_directory_roots_and_paths() {
    let mut om = om();
    let ev = event(&mut om, "\\BaseNamedObjects\\ev", 0, 1).unwrap();
    let x = w("x");
    let empty = w("");
    assert_eq!(
        om.open_object_by_name(Some(P), &rel(ev, &x, 0), None, 0),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    assert_eq!(
        om.open_object_by_name(Some(P), &rel(ev, &empty, 0), Some(TypeId::EVENT), 0),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    assert_eq!(
        open(&mut om, "\\BaseNamedObjects\\ev\\x", 0, None),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    assert_eq!(
        event(&mut om, "\\BaseNamedObjects\\ev\\x", 0, 2),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    // A symbolic link as root opens only itself (Wine om.c test_directory).
    let l = w("\\BaseNamedObjects\\Local");
    let link = om
        .open_symbolic_link(P, &at(&l, 0), SYMBOLIC_LINK_QUERY)
        .unwrap();
    assert!(om
        .open_object_by_name(
            Some(P),
            &rel(link, &empty, 0),
            Some(TypeId::SYMBOLIC_LINK),
            0
        )
        .is_ok());
    assert_eq!(
        om.open_object_by_name(Some(P), &rel(link, &x, 0), None, 0),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    assert_eq!(
        om.create_object(Some(P), &rel(link, &x, 0), TypeId::EVENT, 3, 0)
            .map(|_| ()),
        Err((STATUS_OBJECT_TYPE_MISMATCH, 3))
    );
}

#[test]
fn name_length_limits() {
    let mut om = om();
    let mut ok = w("\\BaseNamedObjects\\");
    ok.resize(MAX_NAME_BYTES / 2, 'a' as u16);
    let (c, _) = om
        .create_object(Some(P), &at(&ok, 0), TypeId::EVENT, 1, 0)
        .unwrap();
    assert_eq!(c.status, STATUS_SUCCESS);
    let mut long = ok.clone();
    long.push('a' as u16);
    assert_eq!(
        om.create_object(Some(P), &at(&long, 0), TypeId::EVENT, 2, 0)
            .map(|_| ()),
        Err((STATUS_OBJECT_NAME_INVALID, 2))
    );
    assert_eq!(
        om.open_object_by_name(Some(P), &at(&long, 0), None, 0),
        Err(STATUS_OBJECT_NAME_INVALID)
    );
    assert!(om
        .open_object_by_name(Some(P), &at(&ok, 0), None, 0)
        .is_ok());
}

#[test]
fn embedded_nul_is_an_ordinary_character() {
    let mut om = om();
    let mut a = w("\\BaseNamedObjects\\x");
    a.push(0);
    a.push('y' as u16);
    let (c, _) = om
        .create_object(Some(P), &at(&a, 0), TypeId::EVENT, 1, 0)
        .unwrap();
    assert_eq!(
        open(&mut om, "\\BaseNamedObjects\\x", 0, None),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    let Opened::Object { id, .. } = om
        .open_object_by_name(Some(P), &at(&a, 0), None, 0)
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(id, c.id);
    assert_eq!(om.object_name(c.id), Some(a));
}

#[test]
fn case_rules() {
    let mut om = om();
    let h = event(&mut om, "\\BaseNamedObjects\\Test", 0, 1).unwrap();
    // Events are case-sensitive unless asked (Wine om.c test_case_sensitive).
    assert_eq!(
        open(&mut om, "\\BaseNamedObjects\\TEST", 0, None),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    assert_eq!(
        open(&mut om, "\\BASENamedObjects\\Test", 0, Some(TypeId::EVENT)),
        Err(STATUS_OBJECT_PATH_NOT_FOUND)
    );
    let h2 = open_handle(
        &mut om,
        "\\BASENAMEDOBJECTS\\tEST",
        OBJ_CASE_INSENSITIVE,
        Some(TypeId::EVENT),
    )
    .unwrap();
    assert_eq!(id_of(&om, P, h), id_of(&om, P, h2));
    // A case-sensitive create of a name differing in case is another object.
    let h3 = event(&mut om, "\\BaseNamedObjects\\test", 0, 2).unwrap();
    assert_ne!(id_of(&om, P, h3), id_of(&om, P, h));
    assert_eq!(
        event(&mut om, "\\BaseNamedObjects\\TEST", OBJ_CASE_INSENSITIVE, 3),
        Err(STATUS_OBJECT_NAME_COLLISION)
    );
    // The oldest wins a case-insensitive lookup; exact lookups find each.
    let hi = open_handle(
        &mut om,
        "\\BaseNamedObjects\\TEST",
        OBJ_CASE_INSENSITIVE,
        None,
    )
    .unwrap();
    assert_eq!(id_of(&om, P, hi), id_of(&om, P, h));
    let hs = open_handle(&mut om, "\\BaseNamedObjects\\test", 0, None).unwrap();
    assert_eq!(id_of(&om, P, hs), id_of(&om, P, h3));
    check(&om);
}

#[test]
fn case_insensitive_types_ignore_case_anyway() {
    let mut om = om();
    open_handle(&mut om, "\\device", 0, Some(TypeId::DIRECTORY)).unwrap();
    open_handle(&mut om, "\\objecttypes\\EVENT", 0, Some(TypeId::TYPE)).unwrap();
    assert_eq!(
        open(&mut om, "\\device", 0, None),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    let ev = w("\\BaseNamedObjects\\Ärger");
    om.create_object(Some(P), &at(&ev, 0), TypeId::EVENT, 1, 0)
        .unwrap();
    open_handle(
        &mut om,
        "\\basenamedobjects\\äRGER",
        OBJ_CASE_INSENSITIVE,
        Some(TypeId::EVENT),
    )
    .unwrap();
}

// ----- Create -----

#[test]
fn create_collisions() {
    let mut om = om();
    event(&mut om, "\\BaseNamedObjects\\x", 0, 1).unwrap();
    assert_eq!(
        event(&mut om, "\\BaseNamedObjects\\x", 0, 2),
        Err(STATUS_OBJECT_NAME_COLLISION)
    );
    let n = w("\\BaseNamedObjects\\x");
    assert_eq!(
        om.create_object(Some(P), &at(&n, 0), TypeId::MUTANT, 3, 0)
            .map(|_| ()),
        Err((STATUS_OBJECT_TYPE_MISMATCH, 3))
    );
    assert_eq!(
        om.create_object(Some(P), &at(&n, OBJ_OPENIF), TypeId::MUTANT, 4, 0)
            .map(|_| ()),
        Err((STATUS_OBJECT_TYPE_MISMATCH, 4))
    );
    check(&om);
}

#[test]
fn openif_opens_the_existing_object() {
    let mut om = om();
    let h = event(&mut om, "\\BaseNamedObjects\\x", 0, 1).unwrap();
    let n = w("\\BaseNamedObjects\\x");
    let (c, unused) = om
        .create_object(Some(P), &at(&n, OBJ_OPENIF), TypeId::EVENT, 2, GENERIC_READ)
        .unwrap();
    assert_eq!(c.status, STATUS_OBJECT_NAME_EXISTS);
    assert!(c.status.is_success() && c.status.is_information());
    assert_eq!(unused, Some(2));
    assert_eq!(c.id, id_of(&om, P, h));
    assert_eq!(
        om.lookup_handle(P, c.handle.unwrap(), 0, None)
            .unwrap()
            .access,
        0x20001
    );
    assert_eq!(om.obj(c.id).unwrap().handles, 2);
    assert_eq!(om.body(c.id), Some(&1));
    check(&om);
}

#[test]
fn root_name_collides_like_windows() {
    let mut om = om();
    let root = w("\\");
    assert_eq!(
        om.create_directory(Some(P), &at(&root, 0), DIRECTORY_QUERY),
        Err(STATUS_OBJECT_NAME_COLLISION)
    );
    let c = om
        .create_directory(Some(P), &at(&root, OBJ_OPENIF), DIRECTORY_QUERY)
        .unwrap();
    assert_eq!(c.status, STATUS_OBJECT_NAME_EXISTS);
    assert_eq!(
        om.create_object(Some(P), &at(&root, OBJ_OPENIF), TypeId::MUTANT, 1, 0)
            .map(|_| ()),
        Err((STATUS_OBJECT_TYPE_MISMATCH, 1))
    );
    assert_eq!(
        om.create_symbolic_link(Some(P), &at(&root, 0), 0, &w("\\x")),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
}

#[test]
fn unnamed_creates_ignore_the_root() {
    let mut om = om();
    let empty = w("");
    let (c, _) = om
        .create_object(Some(P), &rel(0xdead_bee0, &empty, 0), TypeId::MUTANT, 1, 0)
        .unwrap();
    assert_eq!(c.status, STATUS_SUCCESS);
    assert_eq!(om.object_name(c.id), None);
}

#[test]
fn invalid_attributes() {
    let mut om = om();
    let none = ObjectAttrs::default();
    let bad = |om: &mut Om, t: TypeId, a: u32| {
        om.create_object(
            Some(P),
            &ObjectAttrs {
                attributes: a,
                ..none
            },
            t,
            7,
            0,
        )
        .map(|_| ())
        .unwrap_err()
        .0
    };
    assert_eq!(
        bad(&mut om, TypeId::PROCESS, OBJ_PERMANENT),
        STATUS_INVALID_PARAMETER
    );
    assert_eq!(
        bad(&mut om, TypeId::THREAD, OBJ_OPENIF),
        STATUS_INVALID_PARAMETER
    );
    assert_eq!(
        bad(&mut om, TypeId::EVENT, OBJ_OPENLINK),
        STATUS_INVALID_PARAMETER
    );
    assert_eq!(
        bad(&mut om, TypeId::EVENT, 0x8000),
        STATUS_INVALID_PARAMETER
    );
    assert_eq!(
        bad(&mut om, TypeId::EVENT, OBJ_PROTECT_CLOSE),
        STATUS_INVALID_PARAMETER
    );
    assert_eq!(
        bad(&mut om, TypeId::EVENT, OBJ_EXCLUSIVE | OBJ_INHERIT),
        STATUS_INVALID_PARAMETER
    );
    assert_eq!(bad(&mut om, TypeId(200), 0), STATUS_OBJECT_TYPE_MISMATCH);
    let n = w("\\x");
    assert_eq!(
        om.open_object_by_name(Some(P), &at(&n, 0x8000), None, 0),
        Err(STATUS_INVALID_PARAMETER)
    );
    assert!(om
        .create_object(
            Some(P),
            &ObjectAttrs {
                attributes: OBJ_INHERIT,
                ..none
            },
            TypeId::PROCESS,
            8,
            0
        )
        .is_ok());
}

#[test]
fn create_without_handle_table() {
    let mut om = om();
    let n = w("\\BaseNamedObjects\\x");
    assert_eq!(
        om.create_object(Some(9), &at(&n, 0), TypeId::EVENT, 5, 0)
            .map(|_| ()),
        Err((STATUS_PROCESS_IS_TERMINATING, 5))
    );
    assert_eq!(
        open(&mut om, "\\BaseNamedObjects\\x", 0, None),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    let before = live(&om);
    assert!(om
        .open_object_by_name(Some(9), &at(&w("\\Device"), 0), None, 0)
        .is_err());
    assert_eq!(live(&om), before);
}

#[test]
fn executive_creates_hold_a_reference() {
    let mut om = om();
    let (c, _) = om
        .create_object(None, &ObjectAttrs::default(), TypeId::SECTION, 11, 0)
        .unwrap();
    assert_eq!(c.handle, None);
    assert_eq!(om.body(c.id), Some(&11));
    *om.body_mut(c.id).unwrap() = 12;
    assert_eq!(om.dereference(c.id), vec![12]);
    assert_eq!(om.body(c.id), None);
    let n = w("\\KnownDlls\\ntdll.dll");
    let (c, _) = om
        .create_object(None, &at(&n, OBJ_PERMANENT), TypeId::SECTION, 13, 0)
        .unwrap();
    assert!(
        om.dereference(c.id).is_empty(),
        "permanent and named: it stays"
    );
    let Opened::Object { id, handle: None } = om
        .open_object_by_name(
            None,
            &at(&w("\\KNOWNDLLS\\NTDLL.DLL"), OBJ_CASE_INSENSITIVE),
            Some(TypeId::SECTION),
            0,
        )
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(id, c.id);
    assert!(om.dereference(id).is_empty());
    check(&om);
}

// ----- Lifetime -----

#[test]
fn temporary_object_leaves_namespace_on_last_close() {
    let mut om = om();
    let h = event(&mut om, "\\BaseNamedObjects\\t", 0, 1).unwrap();
    let h2 = open_handle(&mut om, "\\BaseNamedObjects\\t", 0, None).unwrap();
    let id = id_of(&om, P, h);
    om.reference(id).unwrap();
    assert!(om.close(P, h).unwrap().is_empty());
    let h3 = open_handle(&mut om, "\\BaseNamedObjects\\t", 0, None).unwrap();
    om.close(P, h3).unwrap();
    assert!(om.close(P, h2).unwrap().is_empty(), "still referenced");
    assert_eq!(
        open(&mut om, "\\BaseNamedObjects\\t", 0, None),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    assert_eq!(om.object_name(id), None);
    assert_eq!(om.body(id), Some(&1));
    event(&mut om, "\\BaseNamedObjects\\t", 0, 2).unwrap();
    assert_eq!(om.dereference(id), vec![1]);
    check(&om);
}

#[test]
fn permanent_objects_stay_until_made_temporary() {
    let mut om = om();
    let h = event(&mut om, "\\BaseNamedObjects\\p", OBJ_PERMANENT, 1).unwrap();
    assert!(om.close(P, h).unwrap().is_empty());
    let h = open_handle(&mut om, "\\BaseNamedObjects\\p", 0, None).unwrap();
    assert_eq!(
        om.make_temporary(P, h),
        Err(STATUS_ACCESS_DENIED),
        "GENERIC_READ has no DELETE"
    );
    let id = id_of(&om, P, h);
    let hd = om.insert_handle(P, id, DELETE, 0).unwrap();
    om.make_temporary(P, hd).unwrap();
    assert!(om.close(P, hd).unwrap().is_empty());
    assert_eq!(om.close(P, h).unwrap(), vec![1]);
    assert_eq!(
        open(&mut om, "\\BaseNamedObjects\\p", 0, None),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    assert_eq!(om.make_temporary(P, h), Err(STATUS_INVALID_HANDLE));
    check(&om);
}

#[test]
fn stale_ids_never_alias() {
    let mut om = om();
    let h = event(&mut om, "", 0, 1).unwrap();
    let old = id_of(&om, P, h);
    assert_eq!(om.close(P, h).unwrap(), vec![1]);
    let h2 = event(&mut om, "", 0, 2).unwrap();
    let new = id_of(&om, P, h2);
    assert_eq!(old.index, new.index, "the slot is reused");
    assert_ne!(old, new);
    assert_eq!(om.body(old), None);
    assert_eq!(om.reference(old), Err(STATUS_INVALID_HANDLE));
    assert!(om.dereference(old).is_empty());
    assert_eq!(om.object_type(old), None);
    assert_eq!(om.insert_handle(P, old, 0, 0), Err(STATUS_INVALID_HANDLE));
    assert_eq!(om.body(new), Some(&2));
}

#[test]
fn directory_lives_while_it_has_entries() {
    let mut om = om();
    let d = mkdir(&mut om, "\\BaseNamedObjects\\dir", 0);
    let dir_id = id_of(&om, P, d);
    let e = event(&mut om, "\\BaseNamedObjects\\dir\\e", 0, 1).unwrap();
    assert!(om.close(P, d).unwrap().is_empty());
    assert_eq!(
        open(&mut om, "\\BaseNamedObjects\\dir", 0, None),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    assert!(om.obj(dir_id).is_some(), "its entry holds it");
    // The orphaned entry's name has no leading directory any more.
    assert_eq!(om.object_name(id_of(&om, P, e)), Some(w("\\e")));
    assert_eq!(om.close(P, e).unwrap(), vec![1]);
    assert!(om.obj(dir_id).is_none(), "the last entry took it along");
    check(&om);
}

#[test]
fn reference_by_handle_outlives_close() {
    let mut om = om();
    let h = event(&mut om, "", 0, 4).unwrap();
    let id = om
        .reference_by_handle(P, h, EVENT_MODIFY_STATE, Some(TypeId::EVENT))
        .unwrap();
    assert!(om.close(P, h).unwrap().is_empty());
    assert_eq!(om.body(id), Some(&4));
    assert_eq!(om.dereference(id), vec![4]);
    check(&om);
}

// ----- Handles -----

#[test]
fn close_rejects_bad_handles() {
    let mut om = om();
    let h = event(&mut om, "", 0, 1).unwrap();
    for v in [0, 1, 8, 0x1000, u64::MAX, u64::MAX - 1, 0xdead_beef] {
        assert_eq!(
            om.close(P, v).map(|_| ()),
            Err(STATUS_INVALID_HANDLE),
            "{v:#x}"
        );
    }
    assert_eq!(om.close(Q, h).map(|_| ()), Err(STATUS_INVALID_HANDLE));
    assert_eq!(om.close(77, h).map(|_| ()), Err(STATUS_INVALID_HANDLE));
    assert_eq!(om.close(P, h | 3).unwrap(), vec![1], "tag bits ignored");
    assert_eq!(
        om.close(P, h).map(|_| ()),
        Err(STATUS_INVALID_HANDLE),
        "closed twice"
    );
}

#[test]
fn protected_handles_resist_close() {
    let mut om = om();
    let h = event(&mut om, "", 0, 1).unwrap();
    om.set_handle_flags(P, h, true, true).unwrap();
    assert_eq!(om.close(P, h).map(|_| ()), Err(STATUS_HANDLE_NOT_CLOSABLE));
    assert_eq!(
        om.lookup_handle(P, h, 0, None).unwrap().attributes,
        OBJ_INHERIT | OBJ_PROTECT_CLOSE
    );
    om.set_handle_flags(P, h, false, false).unwrap();
    assert_eq!(om.close(P, h).unwrap(), vec![1]);
    assert_eq!(
        om.set_handle_flags(P, h, false, false),
        Err(STATUS_INVALID_HANDLE)
    );
}

#[test]
fn lookup_checks_type_then_access() {
    let mut om = om();
    let n = w("");
    let (c, _) = om
        .create_object(Some(P), &at(&n, 0), TypeId::EVENT, 1, EVENT_QUERY_STATE)
        .unwrap();
    let h = c.handle.unwrap();
    assert!(om
        .lookup_handle(P, h, EVENT_QUERY_STATE, Some(TypeId::EVENT))
        .is_ok());
    assert_eq!(
        om.lookup_handle(P, h, EVENT_MODIFY_STATE, Some(TypeId::EVENT)),
        Err(STATUS_ACCESS_DENIED)
    );
    assert_eq!(
        om.lookup_handle(P, h, EVENT_MODIFY_STATE, Some(TypeId::SEMAPHORE)),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    assert_eq!(
        om.lookup_handle(P, 0xdead_bee0, 0, Some(TypeId::SEMAPHORE)),
        Err(STATUS_INVALID_HANDLE)
    );
    assert_eq!(
        om.reference_by_handle(P, h, SYNCHRONIZE, None),
        Err(STATUS_ACCESS_DENIED)
    );
    assert_eq!(
        om.obj(c.id).unwrap().refs,
        0,
        "a failed reference takes none"
    );
    for pseudo in [u64::MAX, u64::MAX - 1, u64::MAX - 5] {
        assert_eq!(
            om.lookup_handle(P, pseudo, 0, None),
            Err(STATUS_INVALID_HANDLE)
        );
    }
}

#[test]
fn destroy_handle_table_closes_everything() {
    let mut om = om();
    let a = event(&mut om, "", 0, 1).unwrap();
    event(&mut om, "\\BaseNamedObjects\\n", 0, 2).unwrap();
    om.set_handle_flags(P, a, false, true).unwrap();
    let h = open_handle(&mut om, "\\BaseNamedObjects", 0, None).unwrap();
    let dup = om.duplicate_object(P, h, Some(Q), 0, 0, DUPLICATE_SAME_ACCESS);
    assert!(dup.status.is_success());
    let mut bodies = om.destroy_handle_table(P);
    bodies.sort();
    assert_eq!(bodies, vec![1, 2]);
    assert_eq!(om.handle_count(P), None);
    assert!(om.destroy_handle_table(P).is_empty());
    assert_eq!(om.handle_count(Q), Some(1));
    assert_eq!(om.create_handle_table(Q), Err(STATUS_INVALID_PARAMETER));
    check(&om);
}

#[test]
fn inheritance_copies_inheritable_handles_at_same_values() {
    let mut om = om();
    let a = event(&mut om, "", OBJ_INHERIT, 1).unwrap();
    let b = event(&mut om, "", 0, 2).unwrap();
    let c = event(&mut om, "", 0, 3).unwrap();
    om.set_handle_flags(P, c, true, true).unwrap();
    om.create_handle_table(5).unwrap();
    om.inherit_handles(P, 5).unwrap();
    assert_eq!(om.handle_count(5), Some(2));
    assert_eq!(
        om.lookup_handle(5, a, 0, None).unwrap().object,
        id_of(&om, P, a)
    );
    assert_eq!(om.lookup_handle(5, b, 0, None), Err(STATUS_INVALID_HANDLE));
    assert_eq!(
        om.lookup_handle(5, c, 0, None).unwrap().attributes,
        OBJ_INHERIT | OBJ_PROTECT_CLOSE
    );
    assert_eq!(om.obj(id_of(&om, P, a)).unwrap().handles, 2);
    // The child's next handle takes the lowest free value (b's).
    let n = event_for(&mut om, 5);
    assert_eq!(n, b);
    assert_eq!(
        om.inherit_handles(P, 5),
        Err(STATUS_INVALID_PARAMETER),
        "child not empty"
    );
    assert_eq!(
        om.inherit_handles(P, 6),
        Err(STATUS_INVALID_PARAMETER),
        "no child table"
    );
    om.create_handle_table(6).unwrap();
    assert_eq!(
        om.inherit_handles(66, 6),
        Err(STATUS_PROCESS_IS_TERMINATING)
    );
    assert_eq!(om.inherit_handles(6, 6), Err(STATUS_INVALID_PARAMETER));
    assert!(om.close(P, a).unwrap().is_empty());
    assert_eq!(om.destroy_handle_table(5).len(), 2);
    check(&om);
}

fn event_for(om: &mut Om, pid: ProcessId) -> u64 {
    let (c, _) = om
        .create_object(Some(pid), &ObjectAttrs::default(), TypeId::EVENT, 50, 0)
        .unwrap();
    c.handle.unwrap()
}

// ----- Duplication -----

#[test]
fn duplicate_same_access_and_attributes() {
    let mut om = om();
    let h = event(&mut om, "", OBJ_INHERIT, 1).unwrap();
    let d = om.duplicate_object(
        P,
        h,
        Some(Q),
        0,
        0,
        DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES,
    );
    assert_eq!(d.status, STATUS_SUCCESS);
    let info = om.lookup_handle(Q, d.handle.unwrap(), 0, None).unwrap();
    assert_eq!(
        (info.access, info.attributes),
        (EVENT_ALL_ACCESS, OBJ_INHERIT)
    );
    let d2 = om.duplicate_object(P, h, Some(P), GENERIC_READ, OBJ_PROTECT_CLOSE, 0);
    let info = om.lookup_handle(P, d2.handle.unwrap(), 0, None).unwrap();
    assert_eq!((info.access, info.attributes), (0x20001, OBJ_PROTECT_CLOSE));
    // More access than the source had: allowed (no security descriptors).
    let weak = om.duplicate_object(P, d2.handle.unwrap(), Some(P), EVENT_ALL_ACCESS, 0, 0);
    assert_eq!(
        om.lookup_handle(P, weak.handle.unwrap(), 0, None)
            .unwrap()
            .access,
        EVENT_ALL_ACCESS
    );
    assert_eq!(om.obj(info.object).unwrap().handles, 4);
    check(&om);
}

#[test]
fn duplicate_close_source() {
    let mut om = om();
    let h = event(&mut om, "", 0, 1).unwrap();
    let d = om.duplicate_object(
        P,
        h,
        Some(Q),
        0,
        0,
        DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE,
    );
    assert_eq!(d.status, STATUS_SUCCESS);
    assert!(d.destroyed.is_empty());
    assert_eq!(om.lookup_handle(P, h, 0, None), Err(STATUS_INVALID_HANDLE));
    // Without a target only the close happens, and it can destroy.
    let d2 = om.duplicate_object(Q, d.handle.unwrap(), None, 0, 0, DUPLICATE_CLOSE_SOURCE);
    assert_eq!(
        (d2.status, d2.handle, d2.destroyed),
        (STATUS_SUCCESS, None, vec![1])
    );
    // Without a target and without closing nothing happens.
    let h = event(&mut om, "", 0, 2).unwrap();
    let d3 = om.duplicate_object(P, h, None, 0, 0, 0);
    assert_eq!((d3.status, d3.handle), (STATUS_SUCCESS, None));
    assert!(om.lookup_handle(P, h, 0, None).is_ok());
    check(&om);
}

#[test]
fn duplicate_failures() {
    let mut om = om();
    let h = event(&mut om, "", 0, 1).unwrap();
    assert_eq!(
        om.duplicate_object(P, h, Some(Q), 0, 0, 8).status,
        STATUS_INVALID_PARAMETER
    );
    assert_eq!(
        om.duplicate_object(P, 0x400, Some(Q), 0, 0, 0).status,
        STATUS_INVALID_HANDLE
    );
    assert_eq!(
        om.duplicate_object(P, h, Some(Q), 0, 0x8000_0000, 0).status,
        STATUS_INVALID_PARAMETER
    );
    // A dead target still closes the source (DuplicateHandle's contract).
    let d = om.duplicate_object(
        P,
        h,
        Some(99),
        0,
        0,
        DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS,
    );
    assert_eq!(
        (d.status, d.handle, d.destroyed),
        (STATUS_PROCESS_IS_TERMINATING, None, vec![1])
    );
    // A protected source survives DUPLICATE_CLOSE_SOURCE.
    let h = event(&mut om, "", 0, 2).unwrap();
    om.set_handle_flags(P, h, false, true).unwrap();
    let d = om.duplicate_object(
        P,
        h,
        Some(Q),
        0,
        0,
        DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS,
    );
    assert_eq!(d.status, STATUS_SUCCESS);
    assert!(om.lookup_handle(P, h, 0, None).is_ok());
    check(&om);
}

// ----- Exclusive objects -----

#[test]
fn exclusive_objects_belong_to_one_process() {
    let mut om = om();
    let h = event(&mut om, "\\BaseNamedObjects\\x", OBJ_EXCLUSIVE, 1).unwrap();
    let n = w("\\BaseNamedObjects\\x");
    assert_eq!(
        om.open_object_by_name(Some(Q), &at(&n, 0), None, 0),
        Err(STATUS_ACCESS_DENIED)
    );
    assert_eq!(
        om.open_object_by_name(Some(Q), &at(&n, OBJ_EXCLUSIVE), None, 0),
        Err(STATUS_ACCESS_DENIED)
    );
    assert!(om.open_object_by_name(Some(P), &at(&n, 0), None, 0).is_ok());
    assert_eq!(
        om.duplicate_object(P, h, Some(Q), 0, 0, DUPLICATE_SAME_ACCESS)
            .status,
        STATUS_ACCESS_DENIED
    );
    let m = w("\\BaseNamedObjects\\plain");
    om.create_object(Some(P), &at(&m, 0), TypeId::EVENT, 2, 0)
        .unwrap();
    assert_eq!(
        om.open_object_by_name(Some(P), &at(&m, OBJ_EXCLUSIVE), None, 0),
        Err(STATUS_INVALID_PARAMETER)
    );
    check(&om);
}

// ----- Symbolic links -----

#[test]
fn links_are_followed_except_when_opening_links() {
    let mut om = om();
    mkdir(&mut om, "\\BaseNamedObjects\\target", 0);
    let e = event(&mut om, "\\BaseNamedObjects\\target\\e", 0, 1).unwrap();
    mklink(
        &mut om,
        "\\BaseNamedObjects\\link",
        "\\BaseNamedObjects\\target",
    );
    let h = open_handle(
        &mut om,
        "\\BaseNamedObjects\\link\\e",
        0,
        Some(TypeId::EVENT),
    )
    .unwrap();
    assert_eq!(id_of(&om, P, h), id_of(&om, P, e));
    let d = open_handle(
        &mut om,
        "\\BaseNamedObjects\\link",
        0,
        Some(TypeId::DIRECTORY),
    )
    .unwrap();
    assert_eq!(
        om.object_name(id_of(&om, P, d)),
        Some(w("\\BaseNamedObjects\\target"))
    );
    let l = w("\\BaseNamedObjects\\link");
    let lh = om
        .open_symbolic_link(P, &at(&l, 0), SYMBOLIC_LINK_QUERY)
        .unwrap();
    assert_eq!(
        om.object_type(id_of(&om, P, lh)),
        Some(TypeId::SYMBOLIC_LINK)
    );
    // Creating through a link puts the object in the target directory.
    event(&mut om, "\\BaseNamedObjects\\link\\f", 0, 2).unwrap();
    open_handle(
        &mut om,
        "\\BaseNamedObjects\\target\\f",
        0,
        Some(TypeId::EVENT),
    )
    .unwrap();
    assert_eq!(
        om.open_symbolic_link(P, &at(&w("\\Device"), 0), 0),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    check(&om);
}

#[test]
fn link_loops_end_after_32_reparses() {
    let mut om = om();
    mklink(&mut om, "\\BaseNamedObjects\\a", "\\BaseNamedObjects\\b");
    mklink(&mut om, "\\BaseNamedObjects\\b", "\\BaseNamedObjects\\a");
    assert_eq!(
        open(&mut om, "\\BaseNamedObjects\\a", 0, None),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    assert_eq!(
        open(&mut om, "\\BaseNamedObjects\\a\\x\\y", 0, None),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    mklink(
        &mut om,
        "\\BaseNamedObjects\\self",
        "\\BaseNamedObjects\\self",
    );
    assert_eq!(
        event(&mut om, "\\BaseNamedObjects\\self", 0, 1),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    // A chain of 31 links resolves, 32 do not.
    mkdir(&mut om, "\\BaseNamedObjects\\end", 0);
    mklink(&mut om, "\\BaseNamedObjects\\c0", "\\BaseNamedObjects\\end");
    for i in 1..=31 {
        mklink(
            &mut om,
            &format!("\\BaseNamedObjects\\c{i}"),
            &format!("\\BaseNamedObjects\\c{}", i - 1),
        );
    }
    assert!(open(
        &mut om,
        "\\BaseNamedObjects\\c30",
        0,
        Some(TypeId::DIRECTORY)
    )
    .is_ok());
    assert_eq!(
        open(
            &mut om,
            "\\BaseNamedObjects\\c31",
            0,
            Some(TypeId::DIRECTORY)
        ),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
}

#[test]
fn dont_reparse_and_odd_targets() {
    let mut om = om();
    assert_eq!(
        open(
            &mut om,
            "\\DosDevices",
            OBJ_DONT_REPARSE,
            Some(TypeId::DIRECTORY)
        ),
        Err(STATUS_REPARSE_POINT_ENCOUNTERED)
    );
    assert!(open(
        &mut om,
        "\\DosDevices",
        OBJ_DONT_REPARSE,
        Some(TypeId::SYMBOLIC_LINK)
    )
    .is_ok());
    mklink(&mut om, "\\BaseNamedObjects\\rel", "BaseNamedObjects");
    assert_eq!(
        open(&mut om, "\\BaseNamedObjects\\rel", 0, None),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
    let long = vec!['a' as u16; MAX_NAME_BYTES / 2 + 1];
    assert_eq!(
        om.create_symbolic_link(Some(P), &at(&w("\\BaseNamedObjects\\l"), 0), 0, &long),
        Err(STATUS_INVALID_PARAMETER)
    );
    // A target plus the rest of the name may not grow past 0xFFF0 bytes.
    let mut big = w("\\");
    big.resize(0x7FF0, 'b' as u16);
    mklink(
        &mut om,
        "\\BaseNamedObjects\\big",
        &String::from_utf16(&big).unwrap(),
    );
    assert_eq!(
        open(&mut om, "\\BaseNamedObjects\\big\\abcdefghi", 0, None),
        Err(STATUS_NAME_TOO_LONG)
    );
}

#[test]
fn query_symbolic_link_lengths() {
    let mut om = om();
    let l = mklink(&mut om, "\\BaseNamedObjects\\q", "\\Device\\Null");
    let target_len = 2 * "\\Device\\Null".len();
    let full = om.query_symbolic_link(P, l, 512).unwrap();
    assert_eq!(
        (
            full.status,
            full.length as usize,
            full.returned_length as usize
        ),
        (STATUS_SUCCESS, target_len, target_len + 2)
    );
    assert_eq!(full.data.len(), target_len + 2);
    assert_eq!(&full.data[target_len..], [0, 0]);
    for cap in [0, target_len as u16, target_len as u16 + 1] {
        let q = om.query_symbolic_link(P, l, cap).unwrap();
        assert_eq!(
            (q.status, q.returned_length as usize),
            (STATUS_BUFFER_TOO_SMALL, target_len + 2),
            "{cap}"
        );
        assert!(q.data.is_empty());
    }
    assert_eq!(
        om.query_symbolic_link(P, l, target_len as u16 + 2)
            .unwrap()
            .status,
        STATUS_SUCCESS
    );
    let d = open_handle(&mut om, "\\Device", 0, None).unwrap();
    assert_eq!(
        om.query_symbolic_link(P, d, 100),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    let weak = om
        .duplicate_object(P, l, Some(P), READ_CONTROL, 0, 0)
        .handle
        .unwrap();
    assert_eq!(
        om.query_symbolic_link(P, weak, 100),
        Err(STATUS_ACCESS_DENIED)
    );
    let empty = mklink(&mut om, "\\BaseNamedObjects\\empty", "");
    let q = om.query_symbolic_link(P, empty, 2).unwrap();
    assert_eq!(
        (q.status, q.length, q.returned_length),
        (STATUS_SUCCESS, 0, 2)
    );
}

// ----- Parse procedures -----

#[test]
fn lookups_stop_at_devices() {
    let mut om = om();
    let dev = device(&mut om, "\\Device\\BootImage");
    mklink(
        &mut om,
        "\\BaseNamedObjects\\SystemRoot",
        "\\Device\\BootImage",
    );
    let expect = |r: Result<Opened, NtStatus>, rest: &str| match r {
        Ok(Opened::Parse { object, remaining }) => {
            assert_eq!(object, dev);
            assert_eq!(remaining, w(rest));
        }
        other => panic!("{other:?}"),
    };
    expect(
        open(&mut om, "\\Device\\BootImage\\system32\\x.exe", 0, None),
        "\\system32\\x.exe",
    );
    expect(
        open(
            &mut om,
            "\\BaseNamedObjects\\SystemRoot\\a",
            0,
            Some(TypeId::FILE),
        ),
        "\\a",
    );
    expect(
        open(&mut om, "\\Device\\BootImage", 0, Some(TypeId::FILE)),
        "",
    );
    // The parse result holds a reference for the Executive.
    assert_eq!(om.obj(dev).unwrap().refs, 3);
    om.dereference(dev);
    om.dereference(dev);
    om.dereference(dev);
    let Opened::Object { id, .. } = open(&mut om, "\\Device\\BootImage", 0, None).unwrap() else {
        panic!()
    };
    assert_eq!(id, dev);
    assert_eq!(
        open(
            &mut om,
            "\\Device\\BootImage\\x",
            0,
            Some(TypeId::DIRECTORY)
        ),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    assert_eq!(
        event(&mut om, "\\Device\\BootImage\\x", 0, 1),
        Err(STATUS_OBJECT_PATH_NOT_FOUND)
    );
    check(&om);
}

#[test]
fn file_roots_take_any_name() {
    let mut om = om();
    let n = w("");
    let (c, _) = om
        .create_object(Some(P), &at(&n, 0), TypeId::FILE, 1, FILE_ALL_ACCESS)
        .unwrap();
    let f = c.handle.unwrap();
    let x = w("\\sub\\x");
    let Opened::Parse { object, remaining } = om
        .open_object_by_name(Some(P), &rel(f, &x, 0), Some(TypeId::FILE), 0)
        .unwrap()
    else {
        panic!()
    };
    assert_eq!((object, remaining), (c.id, x.clone()));
    om.dereference(c.id);
    let y = w("y");
    assert!(matches!(
        om.open_object_by_name(Some(P), &rel(f, &y, 0), None, 0),
        Ok(Opened::Parse { .. })
    ));
    om.dereference(c.id);
    assert_eq!(
        om.open_object_by_name(Some(P), &rel(f, &y, 0), Some(TypeId::EVENT), 0),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    assert_eq!(
        om.create_object(Some(P), &rel(f, &y, 0), TypeId::EVENT, 2, 0)
            .map(|_| ()),
        Err((STATUS_OBJECT_TYPE_MISMATCH, 2))
    );
    assert_eq!(
        om.create_object(Some(P), &rel(f, &x, 0), TypeId::EVENT, 3, 0)
            .map(|_| ()),
        Err((STATUS_OBJECT_PATH_SYNTAX_BAD, 3))
    );
    check(&om);
}

// ----- NtQueryObject -----

const USER: u64 = 0x7_0000_0000;

#[test]
fn basic_information() {
    let mut om = om();
    let h = event(
        &mut om,
        "\\BaseNamedObjects\\b",
        OBJ_PERMANENT | OBJ_INHERIT,
        1,
    )
    .unwrap();
    let class = ObjectInfoClass::ObjectBasicInformation as u32;
    for len in [0, 0x37, 0x39, 0x100] {
        let q = om.query_object(P, h, class, len, USER).unwrap();
        assert_eq!(
            (q.status, q.return_length),
            (STATUS_INFO_LENGTH_MISMATCH, 0x38),
            "{len}"
        );
    }
    let q = om.query_object(P, h, class, 0x38, USER).unwrap();
    assert_eq!(q.status, STATUS_SUCCESS);
    assert_eq!(q.data.len(), 0x38);
    assert_eq!(u32_at(&q.data, 0), OBJ_INHERIT | OBJ_PERMANENT);
    assert_eq!(u32_at(&q.data, 4), EVENT_ALL_ACCESS);
    assert_eq!(u32_at(&q.data, 8), 1);
    assert_eq!(
        u32_at(&q.data, 0xC),
        2,
        "one handle plus the directory entry"
    );
    assert_eq!(
        u32_at(&q.data, 0x24) as usize,
        0x10 + 2 * "\\BaseNamedObjects\\b".len() + 2
    );
    assert_eq!(u32_at(&q.data, 0x28) as usize, 0x68 + 2 * "Event".len() + 2);
}

#[test]
fn name_information() {
    let mut om = om();
    let name = "\\BaseNamedObjects\\test_event";
    let h = event(&mut om, name, 0, 1).unwrap();
    let class = ObjectInfoClass::ObjectNameInformation as u32;
    let need = 0x10 + 2 * name.len() + 2;
    for len in [0, 0x10, need as u32 - 2] {
        let q = om.query_object(P, h, class, len, USER).unwrap();
        assert_eq!(
            (q.status, q.return_length as usize),
            (STATUS_INFO_LENGTH_MISMATCH, need)
        );
        assert!(q.data.is_empty());
    }
    let q = om.query_object(P, h, class, 1024, USER).unwrap();
    assert_eq!(
        (q.status, q.return_length as usize, q.data.len()),
        (STATUS_SUCCESS, need, need)
    );
    assert_eq!(ustr(&q.data, 0, USER), name);
    assert_eq!(u16_at(&q.data, 2) as usize, 2 * name.len() + 2);
    let unnamed = event(&mut om, "", 0, 2).unwrap();
    let q = om.query_object(P, unnamed, class, 1024, USER).unwrap();
    assert_eq!(
        (q.status, q.return_length, q.data),
        (STATUS_SUCCESS, 0x10, vec![0u8; 0x10])
    );
    let q = om.query_object(P, unnamed, class, 8, USER).unwrap();
    assert_eq!(
        (q.status, q.return_length),
        (STATUS_INFO_LENGTH_MISMATCH, 0x10)
    );
    let root = open_handle(&mut om, "\\", 0, None).unwrap();
    let q = om.query_object(P, root, class, 1024, USER).unwrap();
    assert_eq!(ustr(&q.data, 0, USER), "\\");
}

#[test]
fn type_information() {
    let mut om = om();
    let h = event(&mut om, "", 0, 1).unwrap();
    event(&mut om, "", 0, 2).unwrap();
    let class = ObjectInfoClass::ObjectTypeInformation as u32;
    let need = 0x68 + 2 * "Event".len() + 2;
    for len in [0, 0x68, need as u32 - 2] {
        let q = om.query_object(P, h, class, len, USER).unwrap();
        assert_eq!(
            (q.status, q.return_length as usize),
            (STATUS_INFO_LENGTH_MISMATCH, need)
        );
    }
    let q = om.query_object(P, h, class, 1024, USER).unwrap();
    let b = &q.data;
    assert_eq!((q.status, b.len()), (STATUS_SUCCESS, need));
    assert_eq!(ustr(b, 0, USER), "Event");
    assert_eq!(u64_at(b, 8), USER + 0x68);
    assert_eq!((u32_at(b, 0x10), u32_at(b, 0x14)), (2, 2));
    assert_eq!((u32_at(b, 0x28), u32_at(b, 0x2C)), (2, 2));
    assert_eq!(u32_at(b, 0x40), OBJ_OPENLINK);
    assert_eq!(
        [
            u32_at(b, 0x44),
            u32_at(b, 0x48),
            u32_at(b, 0x4C),
            u32_at(b, 0x50)
        ],
        [0x20001, 0x20002, 0x120000, 0x1F0003]
    );
    assert_eq!(u32_at(b, 0x54), 0x1F0003);
    assert_eq!(b[0x5A] as usize, TypeId::EVENT.index() + 2);
}

#[test]
fn types_information_walks_like_windows() {
    let om = om();
    let class = ObjectInfoClass::ObjectTypesInformation as u32;
    let short = om.query_object(P, 0, class, 256, USER).unwrap();
    assert_eq!(short.status, STATUS_INFO_LENGTH_MISMATCH);
    let q = om
        .query_object(P, 0xdead_bee0, class, short.return_length, USER)
        .unwrap();
    assert_eq!(
        (q.status, q.return_length),
        (STATUS_SUCCESS, short.return_length)
    );
    let b = &q.data;
    assert_eq!(u32_at(b, 0) as usize, om.types.len());
    let mut at = 8;
    let mut names = Vec::new();
    for _ in 0..u32_at(b, 0) {
        names.push(ustr(b, at, USER));
        let buffer = (u64_at(b, at + 8) - USER) as usize;
        assert_eq!(buffer, at + 0x68);
        at = (buffer + u16_at(b, at + 2) as usize + 7) & !7;
    }
    assert!(at >= b.len() && at - b.len() < 8);
    assert_eq!(names[0], "Type");
    assert!(names.contains(&"KeyedEvent".to_string()));
}

#[test]
fn handle_flag_information_and_bad_classes() {
    let mut om = om();
    let h = event(&mut om, "", OBJ_INHERIT, 1).unwrap();
    let class = ObjectInfoClass::ObjectHandleFlagInformation as u32;
    assert_eq!(
        om.query_object(P, h, class, 2, USER).unwrap().data,
        vec![1, 0]
    );
    assert_eq!(
        om.query_object(P, h, class, 3, USER).unwrap().status,
        STATUS_INFO_LENGTH_MISMATCH
    );
    assert_eq!(
        om.query_object(P, h, 5, 100, USER),
        Err(STATUS_INVALID_INFO_CLASS)
    );
    assert_eq!(
        om.query_object(P, h, 7, 100, USER),
        Err(STATUS_INVALID_INFO_CLASS)
    );
    assert_eq!(
        om.query_object(P, h, u32::MAX, 100, USER),
        Err(STATUS_INVALID_INFO_CLASS)
    );
    assert_eq!(
        om.query_object(P, 0x44, 0, 0x38, USER),
        Err(STATUS_INVALID_HANDLE)
    );
    let id = id_of(&om, P, h);
    let q = om
        .query_object_info(
            id,
            PROCESS_ALL_ACCESS,
            0,
            ObjectInfoClass::ObjectBasicInformation,
            0x38,
            USER,
        )
        .unwrap();
    assert_eq!(u32_at(&q.data, 4), PROCESS_ALL_ACCESS);
}

// ----- NtQueryDirectoryObject -----

fn dir_with(om: &mut Om, names: &[&str]) -> u64 {
    let d = mkdir(om, "\\BaseNamedObjects\\enum", 0);
    for (i, n) in names.iter().enumerate() {
        event(om, &format!("\\BaseNamedObjects\\enum\\{n}"), 0, i as u32).unwrap();
    }
    d
}

/// Decodes a directory query's entries.
fn entries(q: &DirectoryQuery) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while u16_at(&q.data, i * 0x20) != 0 {
        out.push((
            ustr(&q.data, i * 0x20, USER),
            ustr(&q.data, i * 0x20 + 0x10, USER),
        ));
        i += 1;
    }
    assert!(
        q.data[i * 0x20..i * 0x20 + 0x20].iter().all(|&x| x == 0),
        "zero entry ends the array"
    );
    out
}

#[test]
fn directory_query_single_entries() {
    let mut om = om();
    let d = dir_with(&mut om, &["b", "A", "c"]);
    let mut ctx = 0;
    let mut seen = Vec::new();
    loop {
        let q = om
            .query_directory(P, d, USER, 0x100, true, false, ctx)
            .unwrap();
        if q.status == STATUS_NO_MORE_ENTRIES {
            assert_eq!((q.return_length, q.context), (0x20, None));
            break;
        }
        assert_eq!(q.status, STATUS_SUCCESS);
        let e = entries(&q);
        assert_eq!(e.len(), 1);
        assert_eq!(
            q.return_length as usize,
            0x40 + 2 * (e[0].0.len() + 1 + "Event".len() + 1)
        );
        seen.push(e[0].0.clone());
        ctx = q.context.unwrap();
    }
    assert_eq!(seen, ["A", "b", "c"]);
    let q = om
        .query_directory(P, d, USER, 0x100, true, true, 99)
        .unwrap();
    assert_eq!((entries(&q)[0].0.as_str(), q.context), ("A", Some(1)));
}

#[test]
fn directory_query_many_entries() {
    let mut om = om();
    let d = dir_with(&mut om, &["one", "two", "three"]);
    let q = om
        .query_directory(P, d, USER, 0x1000, false, true, 0)
        .unwrap();
    assert_eq!((q.status, q.context), (STATUS_SUCCESS, Some(3)));
    assert_eq!(
        entries(&q),
        [
            ("one".into(), "Event".into()),
            ("three".into(), "Event".into()),
            ("two".into(), "Event".into())
        ]
    );
    assert_eq!(q.return_length as usize, q.data.len());
    let one = 0x20 + 2 * ("one".len() + 1 + "Event".len() + 1);
    let q = om
        .query_directory(P, d, USER, (0x20 + one) as u32, false, true, 0)
        .unwrap();
    assert_eq!(
        (q.status, q.context, entries(&q).len()),
        (STATUS_MORE_ENTRIES, Some(1), 1)
    );
    let q2 = om
        .query_directory(P, d, USER, 0x1000, false, false, 1)
        .unwrap();
    assert_eq!(
        (q2.status, q2.context, entries(&q2).len()),
        (STATUS_SUCCESS, Some(3), 2)
    );
    let q3 = om
        .query_directory(P, d, USER, 0x1000, false, false, 3)
        .unwrap();
    assert_eq!(
        (q3.status, q3.return_length, q3.data.len()),
        (STATUS_NO_MORE_ENTRIES, 0x20, 0x20)
    );
}

#[test]
fn directory_query_small_buffers() {
    let mut om = om();
    let d = dir_with(&mut om, &["name"]);
    let need = 0x40 + 2 * ("name".len() + 1 + "Event".len() + 1);
    let q = om.query_directory(P, d, USER, 0x30, true, true, 0).unwrap();
    assert_eq!(
        (q.status, q.return_length as usize, q.context),
        (STATUS_BUFFER_TOO_SMALL, need, None)
    );
    let q = om
        .query_directory(P, d, USER, 0x30, false, true, 0)
        .unwrap();
    assert_eq!(
        (q.status, q.return_length, q.context, q.data.len()),
        (STATUS_MORE_ENTRIES, 0x20, Some(0), 0x20)
    );
    let q = om
        .query_directory(P, d, USER, 0x10, false, true, 0)
        .unwrap();
    assert!(q.data.is_empty(), "not even the terminator fits");
    let q = om
        .query_directory(P, d, USER, need as u32, true, true, 0)
        .unwrap();
    assert_eq!((q.status, q.data.len()), (STATUS_SUCCESS, need));
    let q = om.query_directory(P, d, USER, 0, false, false, 7).unwrap();
    assert_eq!((q.status, q.data.len()), (STATUS_NO_MORE_ENTRIES, 0));
}

#[test]
fn directory_query_checks_the_handle() {
    let mut om = om();
    let weak = open_handle(&mut om, "\\Device", 0, None).unwrap();
    assert!(
        om.query_directory(P, weak, USER, 0x100, false, true, 0)
            .is_ok(),
        "GENERIC_READ includes DIRECTORY_QUERY"
    );
    let n = w("\\Device");
    let Opened::Object {
        handle: Some(none), ..
    } = om
        .open_object_by_name(Some(P), &at(&n, 0), None, DIRECTORY_TRAVERSE)
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(
        om.query_directory(P, none, USER, 0x100, false, true, 0),
        Err(STATUS_ACCESS_DENIED)
    );
    let e = event(&mut om, "", 0, 1).unwrap();
    assert_eq!(
        om.query_directory(P, e, USER, 0x100, false, true, 0),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    assert_eq!(
        om.query_directory(P, 0x888, USER, 0x100, false, true, 0),
        Err(STATUS_INVALID_HANDLE)
    );
    // The root lists the boot namespace, links with their type.
    let root = open_handle(&mut om, "\\", 0, None).unwrap();
    let q = om
        .query_directory(P, root, USER, 0x4000, false, true, 0)
        .unwrap();
    let list = entries(&q);
    assert!(list.contains(&("DosDevices".into(), "SymbolicLink".into())));
    assert!(list.contains(&("GLOBAL??".into(), "Directory".into())));
    assert!(!list.iter().any(|(n, _)| n == "??"));
}

// ----- Seeded random operations -----

/// xorshift64*: a fixed seed keeps failures reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn random_operations_keep_invariants_and_leak_nothing() {
    for seed in [1u64, 0x9E37_79B9, 0xDEAD_BEEF, 42] {
        let mut om = Om::new();
        let boot = live(&om);
        let pids = [10u64, 11, 12];
        for p in pids {
            om.create_handle_table(p).unwrap();
        }
        let mut rng = Rng(seed);
        let mut next_body = 0u32;
        let mut alive: BTreeMap<u32, ()> = BTreeMap::new();
        let names = [
            "\\BaseNamedObjects\\a",
            "\\BaseNamedObjects\\B",
            "\\BaseNamedObjects\\d\\x",
            "\\??\\c",
            "\\BaseNamedObjects\\Local\\a",
            "",
        ];
        let killed = std::cell::Cell::new(0);
        let destroyed = |bodies: Vec<u32>, alive: &mut BTreeMap<u32, ()>| {
            killed.set(killed.get() + bodies.len());
            for b in bodies {
                assert!(
                    alive.remove(&b).is_some(),
                    "body {b} destroyed twice or never made"
                );
            }
        };
        for _ in 0..3000 {
            let pid = pids[rng.below(3) as usize];
            let handles: Vec<u64> = om
                .tables
                .get(&pid)
                .map(|t| t.iter().map(|(h, _)| h).collect())
                .unwrap_or_default();
            let pick = |rng: &mut Rng| {
                if handles.is_empty() || rng.below(8) == 0 {
                    rng.next() & 0xFFFF
                } else {
                    handles[rng.below(handles.len() as u64) as usize]
                }
            };
            match rng.below(10) {
                0 | 1 => {
                    let n = w(names[rng.below(names.len() as u64) as usize]);
                    let flags = [
                        0,
                        OBJ_OPENIF,
                        OBJ_CASE_INSENSITIVE,
                        OBJ_PERMANENT,
                        OBJ_INHERIT,
                    ][rng.below(5) as usize];
                    let t = [TypeId::EVENT, TypeId::MUTANT][rng.below(2) as usize];
                    next_body += 1;
                    match om.create_object(Some(pid), &at(&n, flags), t, next_body, GENERIC_ALL) {
                        Ok((_, None)) => {
                            alive.insert(next_body, ());
                        }
                        Ok((_, Some(b))) | Err((_, b)) => assert_eq!(b, next_body),
                    }
                }
                2 => {
                    let n = if rng.below(2) == 0 {
                        w("\\BaseNamedObjects\\d")
                    } else {
                        w("\\BaseNamedObjects\\d\\e")
                    };
                    let _ =
                        om.create_directory(Some(pid), &at(&n, OBJ_OPENIF), DIRECTORY_ALL_ACCESS);
                }
                3 => {
                    let n = w(names[rng.below(names.len() as u64) as usize]);
                    if let Ok(Opened::Parse { object, .. }) = om.open_object_by_name(
                        Some(pid),
                        &at(&n, OBJ_CASE_INSENSITIVE),
                        None,
                        MAXIMUM_ALLOWED,
                    ) {
                        destroyed(om.dereference(object), &mut alive);
                    }
                }
                4 | 5 => {
                    if let Ok(b) = om.close(pid, pick(&mut rng)) {
                        destroyed(b, &mut alive);
                    }
                }
                6 => {
                    let target = if rng.below(6) == 0 {
                        None
                    } else {
                        Some(pids[rng.below(3) as usize])
                    };
                    let d = om.duplicate_object(
                        pid,
                        pick(&mut rng),
                        target,
                        GENERIC_READ,
                        OBJ_INHERIT,
                        rng.below(8) as u32,
                    );
                    destroyed(d.destroyed, &mut alive);
                }
                7 => {
                    if rng.below(3) == 0 {
                        let _ = om.make_temporary(pid, pick(&mut rng));
                    } else {
                        let _ = om.set_handle_flags(
                            pid,
                            pick(&mut rng),
                            rng.below(2) == 0,
                            rng.below(4) == 0,
                        );
                    }
                }
                8 => {
                    if let Ok(id) = om.reference_by_handle(pid, pick(&mut rng), 0, None) {
                        let _ = om
                            .close(pid, pick(&mut rng))
                            .map(|b| destroyed(b, &mut alive));
                        destroyed(om.dereference(id), &mut alive);
                    }
                }
                _ => {
                    // A process exits and a new one inherits from another.
                    destroyed(om.destroy_handle_table(pid), &mut alive);
                    om.create_handle_table(pid).unwrap();
                    let parent = pids[rng.below(3) as usize];
                    if parent != pid {
                        om.inherit_handles(parent, pid).unwrap();
                    }
                }
            }
            check(&om);
        }
        // The loop really made and destroyed objects along the way.
        assert!(
            next_body > 500 && killed.get() > 100,
            "seed {seed:#x}: {next_body} made, {} destroyed",
            killed.get()
        );
        for p in pids {
            destroyed(om.destroy_handle_table(p), &mut alive);
        }
        check(&om);
        // Permanent objects made on the way stay (as in NT); make them
        // temporary and the boot namespace alone remains.
        let perm: Vec<ObjectId> = (0..om.slots.len())
            .filter_map(|i| {
                let s = &om.slots[i];
                let o = s.object.as_ref()?;
                (o.permanent && matches!(o.body, Body::Executive(_))).then_some(ObjectId {
                    index: i as u32,
                    generation: s.generation,
                })
            })
            .collect();
        om.create_handle_table(1).unwrap();
        for id in perm {
            let h = om.insert_handle(1, id, DELETE, 0).unwrap();
            om.make_temporary(1, h).unwrap();
            destroyed(om.close(1, h).unwrap(), &mut alive);
        }
        // Directories made by the loop were temporary and are gone too.
        assert!(
            alive.is_empty(),
            "seed {seed:#x}: bodies never destroyed: {alive:?}"
        );
        assert_eq!(
            live(&om),
            boot,
            "seed {seed:#x}: only the boot namespace remains"
        );
        check(&om);
    }
}

// ----- More rules -----

#[test]
fn upcase_is_idempotent_and_case_insensitive_equality_symmetric() {
    for c in 0..=u16::MAX {
        let u = upcase(c);
        assert_eq!(upcase(u), u, "{c:#x}");
        assert!(eq_ignore_case(&[c], &[u]) && eq_ignore_case(&[u], &[c]));
        // Upcasing never turns a non-letter into a separator or NUL.
        if c != SEP && c != 0 {
            assert!(u != SEP && u != 0, "{c:#x}");
        }
    }
}

const SEP: u16 = b'\\' as u16;

#[test]
fn handle_table_matches_a_model() {
    let mut rng = Rng(7);
    let mut t = HandleTable::default();
    let mut model: BTreeMap<u64, u32> = BTreeMap::new();
    for i in 0..5000u32 {
        if rng.below(3) == 0 && !model.is_empty() {
            let keys: Vec<u64> = model.keys().copied().collect();
            let h = keys[rng.below(keys.len() as u64) as usize];
            assert_eq!(
                t.remove(h | rng.below(4)).map(|e| e.object.index),
                model.remove(&h)
            );
        } else if rng.below(5) == 0 {
            let h = rng.next();
            assert_eq!(
                t.get(h).is_some(),
                model.contains_key(&(h & !3)) && (h as i64) > 0,
                "{h:#x}"
            );
        } else {
            let expected = (1..)
                .map(|i| i * 4)
                .find(|h| !model.contains_key(h))
                .unwrap();
            assert_eq!(t.insert(entry(i), usize::MAX), Some(expected));
            model.insert(expected, i);
        }
        assert_eq!(t.len(), model.len());
    }
    assert!(t
        .iter()
        .map(|(h, e)| (h, e.object.index))
        .eq(model.iter().map(|(&h, &i)| (h, i))));
}

#[test]
fn random_names_never_panic() {
    let mut om = om();
    mkdir(&mut om, "\\BaseNamedObjects\\d", 0);
    mklink(&mut om, "\\BaseNamedObjects\\l", "\\BaseNamedObjects\\d");
    device(&mut om, "\\Device\\Dev");
    let alphabet = [
        SEP, SEP, SEP, 'a' as u16, 'A' as u16, 'd' as u16, 'l' as u16, '?' as u16, 0, 0xE4, 0xC4,
    ];
    let prefixes = [
        "",
        "\\",
        "\\BaseNamedObjects\\",
        "\\??\\",
        "\\Device\\Dev",
        "\\BaseNamedObjects\\l\\",
    ];
    let allowed = [
        STATUS_OBJECT_NAME_INVALID,
        STATUS_OBJECT_NAME_NOT_FOUND,
        STATUS_OBJECT_PATH_NOT_FOUND,
        STATUS_OBJECT_PATH_SYNTAX_BAD,
        STATUS_OBJECT_TYPE_MISMATCH,
        STATUS_OBJECT_NAME_COLLISION,
    ];
    let mut rng = Rng(0x5EED);
    for i in 0..4000 {
        let mut n = w(prefixes[rng.below(prefixes.len() as u64) as usize]);
        for _ in 0..rng.below(8) {
            n.push(alphabet[rng.below(alphabet.len() as u64) as usize]);
        }
        let a = [0, OBJ_CASE_INSENSITIVE, OBJ_OPENIF][rng.below(3) as usize];
        match om.create_object(Some(P), &at(&n, a), TypeId::EVENT, i, 0) {
            Ok(_) => {}
            Err((s, b)) => {
                assert_eq!(b, i);
                assert!(allowed.contains(&s), "create {n:?}: {s:?}");
            }
        }
        match om.open_object_by_name(Some(P), &at(&n, a), None, 0) {
            Ok(Opened::Parse { object, .. }) => assert!(om.dereference(object).is_empty()),
            Ok(_) => {}
            Err(s) => assert!(allowed.contains(&s), "open {n:?}: {s:?}"),
        }
    }
    check(&om);
    assert!(om.destroy_handle_table(P).len() > 10);
    check(&om);
}

#[test]
fn kernel_handle_and_openif_attributes_are_accepted_on_open() {
    let mut om = om();
    event(&mut om, "\\BaseNamedObjects\\k", OBJ_KERNEL_HANDLE, 1).unwrap();
    open_handle(
        &mut om,
        "\\BaseNamedObjects\\k",
        OBJ_OPENIF | OBJ_KERNEL_HANDLE,
        Some(TypeId::EVENT),
    )
    .unwrap();
}

#[test]
fn executive_types_can_parse_names() {
    let mut om = om();
    let def = TypeDef {
        name: "FilterConnectionPort",
        mapping: GenericMapping {
            generic_read: 1,
            generic_write: 2,
            generic_execute: 4,
            generic_all: 0xF,
        },
        valid_access: 0xF,
        invalid_attributes: 0,
        parses_names: true,
        case_insensitive: false,
    };
    let t = om.register_type(def).unwrap();
    let n = w("\\Port");
    let (c, _) = om
        .create_object(None, &at(&n, OBJ_PERMANENT), t, 3, 0)
        .unwrap();
    let Opened::Parse { object, remaining } = open(&mut om, "\\Port\\sub", 0, None).unwrap() else {
        panic!()
    };
    assert_eq!((object, remaining), (c.id, w("\\sub")));
    assert!(matches!(
        open(&mut om, "\\Port", 0, Some(TypeId::FILE)).unwrap(),
        Opened::Parse { .. }
    ));
    assert!(matches!(
        open(&mut om, "\\Port", 0, Some(t)).unwrap(),
        Opened::Object { .. }
    ));
}

#[test]
fn keys_parse_subkeys_but_open_themselves() {
    let mut om = om();
    let n = w("\\REGISTRY");
    let (c, _) = om
        .create_object(None, &at(&n, 0), TypeId::KEY, 8, 0)
        .unwrap();
    let Opened::Parse { remaining, .. } =
        open(&mut om, "\\Registry\\Machine", 0, Some(TypeId::KEY)).unwrap()
    else {
        panic!()
    };
    assert_eq!(remaining, w("\\Machine"), "keys are case-insensitive");
    om.dereference(c.id);
    let Opened::Object { id, .. } = open(&mut om, "\\registry", 0, Some(TypeId::KEY)).unwrap()
    else {
        panic!()
    };
    assert_eq!(id, c.id);
}

#[test]
fn links_to_devices_and_links_as_last_component() {
    let mut om = om();
    let dev = device(&mut om, "\\Device\\HarddiskVolume1");
    mklink(&mut om, "\\??\\C:", "\\Device\\HarddiskVolume1");
    let Opened::Parse { object, remaining } = open(
        &mut om,
        "\\??\\c:\\Windows",
        OBJ_CASE_INSENSITIVE,
        Some(TypeId::FILE),
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!((object, remaining), (dev, w("\\Windows")));
    om.dereference(dev);
    // A link found through another link opens as itself.
    let l = w("\\BaseNamedObjects\\Global\\Local");
    let h = om
        .open_symbolic_link(P, &at(&l, 0), SYMBOLIC_LINK_QUERY)
        .unwrap();
    assert_eq!(
        om.object_name(id_of(&om, P, h)),
        Some(w("\\BaseNamedObjects\\Local"))
    );
    // Opening a link by name with no type in mind follows it.
    let Opened::Object { id, .. } = open(&mut om, "\\DosDevices", 0, None).unwrap() else {
        panic!()
    };
    assert_eq!(om.object_name(id), Some(w("\\GLOBAL??")));
}

#[test]
fn creates_follow_links_in_the_last_component() {
    let mut om = om();
    mklink(
        &mut om,
        "\\BaseNamedObjects\\fwd",
        "\\BaseNamedObjects\\real",
    );
    let h = event(&mut om, "\\BaseNamedObjects\\fwd", 0, 1).unwrap();
    assert_eq!(
        om.object_name(id_of(&om, P, h)),
        Some(w("\\BaseNamedObjects\\real"))
    );
    mklink(&mut om, "\\BaseNamedObjects\\dangling", "\\nowhere\\x");
    assert_eq!(
        event(&mut om, "\\BaseNamedObjects\\dangling", 0, 2),
        Err(STATUS_OBJECT_PATH_NOT_FOUND)
    );
    let l = w("\\BaseNamedObjects\\fwd");
    assert_eq!(
        om.create_symbolic_link(Some(P), &at(&l, 0), 0, &w("\\x")),
        Err(STATUS_OBJECT_NAME_COLLISION)
    );
    let c = om
        .create_symbolic_link(Some(P), &at(&l, OBJ_OPENIF), 0, &w("\\x"))
        .unwrap();
    assert_eq!(c.status, STATUS_OBJECT_NAME_EXISTS);
    let q = om.query_symbolic_link(P, c.handle.unwrap(), 200);
    assert_eq!(
        q.unwrap_err(),
        STATUS_ACCESS_DENIED,
        "the handle got no access"
    );
}

#[test]
fn exclusive_objects_free_up_when_closed() {
    let mut om = om();
    let h = event(
        &mut om,
        "\\BaseNamedObjects\\x",
        OBJ_EXCLUSIVE | OBJ_PERMANENT,
        1,
    )
    .unwrap();
    let d = om.duplicate_object(P, h, Some(P), 0, OBJ_EXCLUSIVE, DUPLICATE_SAME_ACCESS);
    assert_eq!(d.status, STATUS_SUCCESS, "the owner may add handles");
    om.close(P, h).unwrap();
    om.close(P, d.handle.unwrap()).unwrap();
    let n = w("\\BaseNamedObjects\\x");
    let Opened::Object {
        handle: Some(qh), ..
    } = om
        .open_object_by_name(Some(Q), &at(&n, OBJ_EXCLUSIVE), None, 0)
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(
        om.open_object_by_name(Some(P), &at(&n, 0), None, 0),
        Err(STATUS_ACCESS_DENIED)
    );
    om.close(Q, qh).unwrap();
    assert!(
        om.open_object_by_name(Some(P), &at(&n, 0), None, 0).is_ok(),
        "no owner: anyone"
    );
}

#[test]
fn type_totals_and_high_water_marks() {
    let mut om = om();
    let hs: Vec<u64> = (0..3).map(|i| event(&mut om, "", 0, i).unwrap()).collect();
    for h in hs {
        om.close(P, h).unwrap();
    }
    let t = &om.types[TypeId::EVENT.index()];
    assert_eq!(
        (t.objects, t.handles, t.high_objects, t.high_handles),
        (0, 0, 3, 3)
    );
    let t = &om.types[TypeId::TYPE.index()];
    assert_eq!(
        t.objects as usize,
        om.types.len(),
        "one Type object per type"
    );
    let d = &om.types[TypeId::DIRECTORY.index()];
    assert_eq!(
        d.objects, 7,
        "\\, ObjectTypes, Device, Driver, KnownDlls, GLOBAL??, BaseNamedObjects"
    );
}

#[test]
fn pointer_count_counts_references() {
    let mut om = om();
    let h = event(&mut om, "", 0, 1).unwrap();
    let id = om.reference_by_handle(P, h, 0, None).unwrap();
    om.reference(id).unwrap();
    let q = om.query_object(P, h, 0, 0x38, USER).unwrap();
    assert_eq!((u32_at(&q.data, 8), u32_at(&q.data, 0xC)), (1, 3));
    om.dereference(id);
    assert!(om.close(P, h).unwrap().is_empty());
    assert_eq!(
        om.query_object_info(
            id,
            0,
            0,
            ObjectInfoClass::ObjectBasicInformation,
            0x38,
            USER
        )
        .unwrap()
        .status,
        STATUS_SUCCESS
    );
    assert_eq!(om.dereference(id), vec![1]);
    assert_eq!(
        om.query_object_info(
            id,
            0,
            0,
            ObjectInfoClass::ObjectBasicInformation,
            0x38,
            USER
        ),
        Err(STATUS_INVALID_HANDLE)
    );
}

#[test]
fn handle_limit_applies_to_every_way_of_making_handles() {
    let mut om = om();
    let h = event(&mut om, "\\BaseNamedObjects\\l", 0, 1).unwrap();
    om.set_handle_limit(1);
    assert_eq!(
        om.duplicate_object(P, h, Some(P), 0, 0, DUPLICATE_SAME_ACCESS)
            .status,
        STATUS_INSUFFICIENT_RESOURCES
    );
    assert_eq!(
        open(&mut om, "\\BaseNamedObjects\\l", 0, None),
        Err(STATUS_INSUFFICIENT_RESOURCES)
    );
    let id = id_of(&om, P, h);
    assert_eq!(
        om.insert_handle(P, id, 0, 0),
        Err(STATUS_INSUFFICIENT_RESOURCES)
    );
    let n = w("\\BaseNamedObjects\\l");
    assert_eq!(
        om.create_object(Some(P), &at(&n, OBJ_OPENIF), TypeId::EVENT, 2, 0)
            .map(|_| ()),
        Err((STATUS_INSUFFICIENT_RESOURCES, 2))
    );
    assert!(
        om.duplicate_object(P, h, Some(Q), 0, 0, DUPLICATE_SAME_ACCESS)
            .handle
            .is_some(),
        "per process"
    );
    check(&om);
}

#[test]
fn the_root_cannot_go_away() {
    let mut om = om();
    let r = open_handle(&mut om, "\\", 0, None).unwrap();
    let id = id_of(&om, P, r);
    let all = om.insert_handle(P, id, DELETE, 0).unwrap();
    om.make_temporary(P, all).unwrap();
    assert!(om.destroy_handle_table(P).is_empty());
    assert!(om.obj(id).is_some());
    assert_eq!(om.object_name(id), Some(w("\\")));
    check(&om);
}

#[test]
fn type_objects_have_names() {
    let om = om();
    let id = om.types[TypeId::EVENT.index()].object;
    assert_eq!(om.object_name(id), Some(w("\\ObjectTypes\\Event")));
    assert_eq!(om.object_type(id), Some(TypeId::TYPE));
    assert_eq!(om.body(id), None, "not an Executive body");
}

#[test]
fn directories_in_the_dos_devices_directory() {
    let mut om = om();
    mkdir(&mut om, "\\??\\PIPE", 0);
    let h = event(&mut om, "\\DosDevices\\PIPE\\e", 0, 1).unwrap();
    assert_eq!(
        om.object_name(id_of(&om, P, h)),
        Some(w("\\GLOBAL??\\PIPE\\e"))
    );
    assert_eq!(
        event(&mut om, "\\??\\PIPE\\e", 0, 2),
        Err(STATUS_OBJECT_NAME_COLLISION)
    );
    assert_eq!(
        open(&mut om, "\\??\\", 0, None),
        Err(STATUS_OBJECT_NAME_INVALID)
    );
    assert_eq!(
        open(&mut om, "\\???", 0, None),
        Err(STATUS_OBJECT_NAME_NOT_FOUND)
    );
}

#[test]
fn handle_values_restart_and_are_per_process() {
    let mut om = om();
    let a = event(&mut om, "", 0, 1).unwrap();
    let b = event_for(&mut om, Q);
    assert_eq!((a, b), (4, 4));
    assert_eq!(om.close(P, a).unwrap(), vec![1]);
    assert!(om.lookup_handle(Q, 4, 0, None).is_ok());
    assert_eq!(event(&mut om, "", 0, 2).unwrap(), 4);
}

#[test]
fn directory_listing_keeps_original_case_and_handles_removal() {
    let mut om = om();
    let d = mkdir(&mut om, "\\BaseNamedObjects\\L", 0);
    let hs: Vec<u64> = ["MiXed", "lower"]
        .iter()
        .enumerate()
        .map(|(i, n)| event(&mut om, &format!("\\BaseNamedObjects\\L\\{n}"), 0, i as u32).unwrap())
        .collect();
    let q = om
        .query_directory(P, d, USER, 0x400, true, true, 0)
        .unwrap();
    assert_eq!(entries(&q)[0].0, "lower");
    for h in hs {
        om.close(P, h).unwrap();
    }
    let q = om
        .query_directory(P, d, USER, 0x400, true, false, 1)
        .unwrap();
    assert_eq!(
        q.status, STATUS_NO_MORE_ENTRIES,
        "the entries left with their handles"
    );
}

#[test]
fn directory_query_pointers_stay_inside_the_buffer() {
    let mut om = om();
    let d = dir_with(&mut om, &["a", "bb", "ccc", "dddd"]);
    let q = om
        .query_directory(P, d, USER, 0x1000, false, true, 0)
        .unwrap();
    let n = entries(&q).len();
    assert_eq!(n, 4);
    for i in 0..2 * n {
        let ptr = u64_at(&q.data, i * 0x10 + 8);
        assert!(ptr >= USER + ((n + 1) * 0x20) as u64 && ptr < USER + q.data.len() as u64);
    }
}

#[test]
fn object_attrs_default_is_an_unnamed_object() {
    let mut om = om();
    let (c, unused) = om
        .create_object(
            Some(P),
            &ObjectAttrs::default(),
            TypeId::TIMER,
            3,
            GENERIC_ALL,
        )
        .unwrap();
    assert_eq!((c.status, unused), (STATUS_SUCCESS, None));
    assert_eq!(
        om.lookup_handle(P, c.handle.unwrap(), TIMER_ALL_ACCESS, Some(TypeId::TIMER))
            .unwrap()
            .access,
        TIMER_ALL_ACCESS
    );
    assert_eq!(om.close(P, c.handle.unwrap()).unwrap(), vec![3]);
}

#[test]
fn directory_creates_and_opens() {
    let mut om = om();
    let n = w("\\BaseNamedObjects\\D");
    let c = om
        .create_directory(Some(P), &at(&n, 0), GENERIC_READ)
        .unwrap();
    assert_eq!(
        om.lookup_handle(P, c.handle.unwrap(), 0, None)
            .unwrap()
            .access,
        0x20003
    );
    assert_eq!(
        om.create_directory(Some(P), &at(&n, 0), 0),
        Err(STATUS_OBJECT_NAME_COLLISION)
    );
    let h = om
        .open_directory(P, &at(&w("\\basenamedobjects\\d"), 0), DIRECTORY_TRAVERSE)
        .unwrap();
    assert_eq!(id_of(&om, P, h), c.id);
    assert_eq!(
        om.open_directory(P, &at(&w("\\BaseNamedObjects\\Local"), OBJ_DONT_REPARSE), 0),
        Err(STATUS_REPARSE_POINT_ENCOUNTERED)
    );
    event(&mut om, "\\BaseNamedObjects\\e", 0, 1).unwrap();
    assert_eq!(
        om.open_directory(P, &at(&w("\\BaseNamedObjects\\e"), 0), 0),
        Err(STATUS_OBJECT_TYPE_MISMATCH)
    );
    assert_eq!(
        om.open_directory(P, &ObjectAttrs::default(), 0),
        Err(STATUS_OBJECT_PATH_SYNTAX_BAD)
    );
    let b = om
        .create_directory(None, &at(&w("\\Sessions"), OBJ_PERMANENT), 0)
        .unwrap();
    assert_eq!(b.handle, None);
    assert!(om.dereference(b.id).is_empty());
    assert!(om.open_directory(P, &at(&w("\\Sessions"), 0), 0).is_ok());
}

#[test]
fn exclusive_handles_are_not_inherited() {
    let mut om = om();
    let h = event(&mut om, "", OBJ_EXCLUSIVE, 1).unwrap();
    let plain = event(&mut om, "", OBJ_INHERIT, 2).unwrap();
    om.set_handle_flags(P, h, true, false).unwrap();
    om.create_handle_table(7).unwrap();
    om.inherit_handles(P, 7).unwrap();
    assert_eq!(om.lookup_handle(7, h, 0, None), Err(STATUS_INVALID_HANDLE));
    assert!(om.lookup_handle(7, plain, 0, None).is_ok());
    check(&om);
}
