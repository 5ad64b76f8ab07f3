//! Object types: the registry of what kinds of objects exist, with each
//! type's NT name, GENERIC_MAPPING, valid access mask, invalid attributes
//! and the flags that change how names are looked up.
//!
//! The standard types are registered first, in the order of [`TypeId`]'s
//! constants, so their ids are fixed; the Executive adds its own with
//! [`ObjectManager::register_type`](super::ObjectManager::register_type).
//! Every type is also an object of type `Type` under `\ObjectTypes`, as in
//! Windows 10.
//!
//! Mappings and masks: the values Windows reports through
//! NtQueryObject(ObjectTypesInformation), as checked by Wine's
//! dlls/ntdll/tests/om.c (test_object_types) on real Windows; specific rights
//! from nt-abi's `consts` (phnt ntobapi.h, ntpsapi.h, winnt.h). Invalid
//! attributes: the type initialisers of the Windows Research Kernel
//! (OBJ_OPENLINK is meaningless outside the registry; processes and threads
//! cannot be permanent, exclusive or opened with OPENIF; files cannot be
//! permanent or exclusive).

use alloc::vec::Vec;
use nt_abi::consts::*;
use nt_abi::types::AccessMask;

use super::ObjectId;

/// Index of an object type in the registry. The standard types have the
/// constants below; `TypeIndex` in OBJECT_TYPE_INFORMATION is this + 2
/// (Windows reserves 0 and 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub(crate) u16);

impl TypeId {
    pub const TYPE: TypeId = TypeId(0);
    pub const DIRECTORY: TypeId = TypeId(1);
    pub const SYMBOLIC_LINK: TypeId = TypeId(2);
    pub const TOKEN: TypeId = TypeId(3);
    pub const JOB: TypeId = TypeId(4);
    pub const PROCESS: TypeId = TypeId(5);
    pub const THREAD: TypeId = TypeId(6);
    pub const DEBUG_OBJECT: TypeId = TypeId(7);
    pub const EVENT: TypeId = TypeId(8);
    pub const MUTANT: TypeId = TypeId(9);
    pub const SEMAPHORE: TypeId = TypeId(10);
    pub const TIMER: TypeId = TypeId(11);
    pub const KEYED_EVENT: TypeId = TypeId(12);
    pub const IO_COMPLETION: TypeId = TypeId(13);
    pub const FILE: TypeId = TypeId(14);
    pub const DEVICE: TypeId = TypeId(15);
    pub const DRIVER: TypeId = TypeId(16);
    pub const SECTION: TypeId = TypeId(17);
    pub const KEY: TypeId = TypeId(18);

    /// The registry index.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// What the Executive says about a type when registering it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeDef {
    /// The NT type name ("Event").
    pub name: &'static str,
    pub mapping: GenericMapping,
    /// Rights a handle of this type can hold; requested rights outside it
    /// are dropped when a handle is made (ObpCreateHandle).
    pub valid_access: AccessMask,
    /// OBJ_* attributes a create of this type rejects with
    /// STATUS_INVALID_PARAMETER.
    pub invalid_attributes: u32,
    /// The type has an NT parse procedure: a name lookup that reaches such
    /// an object stops there and hands the rest of the name to the Executive
    /// (devices, files, registry keys).
    pub parses_names: bool,
    /// Lookups for this type are case-insensitive whatever the caller asks
    /// (TypeInfo.CaseInsensitive with Windows' default ObCaseInsensitive=1).
    pub case_insensitive: bool,
}

/// A registered type with its running totals.
pub(crate) struct TypeInfo {
    pub def: TypeDef,
    pub name: Vec<u16>,
    /// Its object under `\ObjectTypes`.
    pub object: ObjectId,
    pub objects: u32,
    pub handles: u32,
    pub high_objects: u32,
    pub high_handles: u32,
}

impl TypeInfo {
    pub fn new(def: TypeDef, object: ObjectId) -> Self {
        TypeInfo {
            def,
            name: def.name.encode_utf16().collect(),
            object,
            objects: 0,
            handles: 0,
            high_objects: 0,
            high_handles: 0,
        }
    }

    /// Access actually granted for `desired` (no security descriptors in
    /// Triton, so everything valid is granted): MAXIMUM_ALLOWED becomes
    /// GENERIC_ALL, generic rights are mapped, and the result is cut to the
    /// valid mask plus ACCESS_SYSTEM_SECURITY (WRK ObpCreateHandle and
    /// ObDuplicateObject). Triton runs every program with every privilege,
    /// so ACCESS_SYSTEM_SECURITY is granted like the rest.
    pub fn grant(&self, desired: AccessMask) -> AccessMask {
        let mut d = desired;
        if d & MAXIMUM_ALLOWED != 0 {
            d = (d & !MAXIMUM_ALLOWED) | GENERIC_ALL;
        }
        self.def.mapping.map(d) & (self.def.valid_access | ACCESS_SYSTEM_SECURITY)
    }

    pub fn add_object(&mut self) {
        self.objects += 1;
        self.high_objects = self.high_objects.max(self.objects);
    }

    pub fn add_handle(&mut self) {
        self.handles += 1;
        self.high_handles = self.high_handles.max(self.handles);
    }
}

const fn map(
    generic_read: AccessMask,
    generic_write: AccessMask,
    generic_execute: AccessMask,
    generic_all: AccessMask,
) -> GenericMapping {
    GenericMapping {
        generic_read,
        generic_write,
        generic_execute,
        generic_all,
    }
}

const READ: AccessMask = STANDARD_RIGHTS_READ;
const WRITE: AccessMask = STANDARD_RIGHTS_WRITE;
const EXECUTE: AccessMask = STANDARD_RIGHTS_EXECUTE;
const SYNC_EXECUTE: AccessMask = STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE;

// Rights nt-abi does not list (phnt ntobapi.h, ntdbg.h, ntexapi.h,
// ntseapi.h, ntpsapi.h, winnt.h).
const OBJECT_TYPE_ALL_ACCESS: AccessMask = STANDARD_RIGHTS_REQUIRED | 0x1;
const DEBUG_READ_EVENT: AccessMask = 0x1;
const DEBUG_PROCESS_ASSIGN: AccessMask = 0x2;
const DEBUG_ALL_ACCESS: AccessMask = STANDARD_RIGHTS_ALL | 0xF;
const KEYEDEVENT_WAIT: AccessMask = 0x1;
const KEYEDEVENT_WAKE: AccessMask = 0x2;
const KEYEDEVENT_ALL_ACCESS: AccessMask = STANDARD_RIGHTS_REQUIRED | 0x3;
const IO_COMPLETION_QUERY_STATE: AccessMask = 0x1;
const IO_COMPLETION_MODIFY_STATE: AccessMask = 0x2;
const IO_COMPLETION_ALL_ACCESS: AccessMask = STANDARD_RIGHTS_ALL | 0x3;
const JOB_OBJECT_ASSIGN_PROCESS: AccessMask = 0x1;
const JOB_OBJECT_QUERY: AccessMask = 0x4;
const JOB_OBJECT_TERMINATE: AccessMask = 0x8;
const JOB_OBJECT_SET_ATTRIBUTES: AccessMask = 0x10;
const JOB_OBJECT_ALL_ACCESS: AccessMask = STANDARD_RIGHTS_ALL | 0x3F;
const TOKEN_ASSIGN_PRIMARY: AccessMask = 0x1;
const TOKEN_DUPLICATE: AccessMask = 0x2;
const TOKEN_IMPERSONATE: AccessMask = 0x4;
const TOKEN_QUERY: AccessMask = 0x8;
const TOKEN_QUERY_SOURCE: AccessMask = 0x10;
const TOKEN_ADJUST_PRIVILEGES: AccessMask = 0x20;
const TOKEN_ADJUST_GROUPS: AccessMask = 0x40;
const TOKEN_ADJUST_DEFAULT: AccessMask = 0x80;
const TOKEN_ADJUST_SESSIONID: AccessMask = 0x100;
const TOKEN_ALL_ACCESS: AccessMask = STANDARD_RIGHTS_REQUIRED | 0x1FF;

const NO_OPENLINK: u32 = OBJ_OPENLINK;

const fn plain(name: &'static str, mapping: GenericMapping, valid_access: AccessMask) -> TypeDef {
    TypeDef {
        name,
        mapping,
        valid_access,
        invalid_attributes: NO_OPENLINK,
        parses_names: false,
        case_insensitive: false,
    }
}

/// The standard types, in [`TypeId`] order.
pub(crate) const STANDARD_TYPES: [TypeDef; 19] = [
    TypeDef {
        case_insensitive: true,
        ..plain(
            "Type",
            map(READ, WRITE, EXECUTE, OBJECT_TYPE_ALL_ACCESS),
            OBJECT_TYPE_ALL_ACCESS | SYNCHRONIZE,
        )
    },
    TypeDef {
        case_insensitive: true,
        ..plain(
            "Directory",
            map(
                READ | DIRECTORY_QUERY | DIRECTORY_TRAVERSE,
                WRITE | DIRECTORY_CREATE_OBJECT | DIRECTORY_CREATE_SUBDIRECTORY,
                EXECUTE | DIRECTORY_QUERY | DIRECTORY_TRAVERSE,
                DIRECTORY_ALL_ACCESS,
            ),
            DIRECTORY_ALL_ACCESS,
        )
    },
    TypeDef {
        case_insensitive: true,
        ..plain(
            "SymbolicLink",
            map(
                READ | SYMBOLIC_LINK_QUERY,
                WRITE,
                EXECUTE | SYMBOLIC_LINK_QUERY,
                SYMBOLIC_LINK_ALL_ACCESS,
            ),
            SYMBOLIC_LINK_ALL_ACCESS,
        )
    },
    plain(
        "Token",
        map(
            READ | TOKEN_QUERY_SOURCE | TOKEN_QUERY | TOKEN_DUPLICATE,
            WRITE
                | TOKEN_ADJUST_SESSIONID
                | TOKEN_ADJUST_DEFAULT
                | TOKEN_ADJUST_GROUPS
                | TOKEN_ADJUST_PRIVILEGES,
            EXECUTE | TOKEN_IMPERSONATE | TOKEN_ASSIGN_PRIMARY,
            TOKEN_ALL_ACCESS,
        ),
        TOKEN_ALL_ACCESS | SYNCHRONIZE,
    ),
    plain(
        "Job",
        map(
            READ | JOB_OBJECT_QUERY,
            WRITE | JOB_OBJECT_TERMINATE | JOB_OBJECT_SET_ATTRIBUTES | JOB_OBJECT_ASSIGN_PROCESS,
            SYNC_EXECUTE,
            JOB_OBJECT_ALL_ACCESS,
        ),
        JOB_OBJECT_ALL_ACCESS,
    ),
    TypeDef {
        invalid_attributes: OBJ_PERMANENT | OBJ_EXCLUSIVE | OBJ_OPENIF,
        ..plain(
            "Process",
            map(
                READ | PROCESS_VM_READ | PROCESS_QUERY_INFORMATION,
                WRITE
                    | PROCESS_SUSPEND_RESUME
                    | PROCESS_SET_INFORMATION
                    | PROCESS_SET_QUOTA
                    | PROCESS_CREATE_PROCESS
                    | PROCESS_DUP_HANDLE
                    | PROCESS_VM_WRITE
                    | PROCESS_VM_OPERATION
                    | PROCESS_CREATE_THREAD,
                SYNC_EXECUTE | PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_TERMINATE,
                PROCESS_ALL_ACCESS,
            ),
            PROCESS_ALL_ACCESS,
        )
    },
    TypeDef {
        invalid_attributes: OBJ_PERMANENT | OBJ_EXCLUSIVE | OBJ_OPENIF,
        ..plain(
            "Thread",
            map(
                READ | THREAD_QUERY_INFORMATION | THREAD_GET_CONTEXT,
                WRITE
                    | THREAD_SET_LIMITED_INFORMATION
                    | THREAD_SET_INFORMATION
                    | THREAD_SET_CONTEXT
                    | THREAD_SUSPEND_RESUME
                    | THREAD_TERMINATE
                    | THREAD_ALERT,
                SYNC_EXECUTE | THREAD_RESUME | THREAD_QUERY_LIMITED_INFORMATION,
                THREAD_ALL_ACCESS,
            ),
            THREAD_ALL_ACCESS,
        )
    },
    plain(
        "DebugObject",
        map(
            READ | DEBUG_READ_EVENT,
            WRITE | DEBUG_PROCESS_ASSIGN,
            SYNC_EXECUTE,
            DEBUG_ALL_ACCESS,
        ),
        DEBUG_ALL_ACCESS,
    ),
    plain(
        "Event",
        map(
            READ | EVENT_QUERY_STATE,
            WRITE | EVENT_MODIFY_STATE,
            SYNC_EXECUTE,
            EVENT_ALL_ACCESS,
        ),
        EVENT_ALL_ACCESS,
    ),
    plain(
        "Mutant",
        map(
            READ | MUTANT_QUERY_STATE,
            WRITE,
            SYNC_EXECUTE,
            MUTANT_ALL_ACCESS,
        ),
        MUTANT_ALL_ACCESS,
    ),
    plain(
        "Semaphore",
        map(
            READ | SEMAPHORE_QUERY_STATE,
            WRITE | SEMAPHORE_MODIFY_STATE,
            SYNC_EXECUTE,
            SEMAPHORE_ALL_ACCESS,
        ),
        SEMAPHORE_ALL_ACCESS,
    ),
    plain(
        "Timer",
        map(
            READ | TIMER_QUERY_STATE,
            WRITE | TIMER_MODIFY_STATE,
            SYNC_EXECUTE,
            TIMER_ALL_ACCESS,
        ),
        TIMER_ALL_ACCESS,
    ),
    plain(
        "KeyedEvent",
        map(
            READ | KEYEDEVENT_WAIT,
            WRITE | KEYEDEVENT_WAKE,
            EXECUTE,
            KEYEDEVENT_ALL_ACCESS,
        ),
        KEYEDEVENT_ALL_ACCESS | SYNCHRONIZE,
    ),
    TypeDef {
        invalid_attributes: OBJ_PERMANENT | OBJ_OPENLINK,
        case_insensitive: true,
        ..plain(
            "IoCompletion",
            map(
                READ | IO_COMPLETION_QUERY_STATE,
                WRITE | IO_COMPLETION_MODIFY_STATE,
                SYNC_EXECUTE,
                IO_COMPLETION_ALL_ACCESS,
            ),
            IO_COMPLETION_ALL_ACCESS,
        )
    },
    TypeDef {
        invalid_attributes: OBJ_PERMANENT | OBJ_EXCLUSIVE | OBJ_OPENLINK,
        parses_names: true,
        case_insensitive: true,
        ..plain(
            "File",
            map(
                FILE_GENERIC_READ,
                FILE_GENERIC_WRITE,
                FILE_GENERIC_EXECUTE,
                FILE_ALL_ACCESS,
            ),
            FILE_ALL_ACCESS,
        )
    },
    TypeDef {
        parses_names: true,
        case_insensitive: true,
        ..plain(
            "Device",
            map(
                FILE_GENERIC_READ,
                FILE_GENERIC_WRITE,
                FILE_GENERIC_EXECUTE,
                FILE_ALL_ACCESS,
            ),
            FILE_ALL_ACCESS,
        )
    },
    TypeDef {
        case_insensitive: true,
        ..plain(
            "Driver",
            map(
                FILE_GENERIC_READ,
                FILE_GENERIC_WRITE,
                FILE_GENERIC_EXECUTE,
                FILE_ALL_ACCESS,
            ),
            FILE_ALL_ACCESS,
        )
    },
    plain(
        "Section",
        map(
            READ | SECTION_QUERY | SECTION_MAP_READ,
            WRITE | SECTION_MAP_WRITE,
            EXECUTE | SECTION_MAP_EXECUTE,
            SECTION_ALL_ACCESS,
        ),
        SECTION_ALL_ACCESS | SYNCHRONIZE,
    ),
    TypeDef {
        invalid_attributes: OBJ_PERMANENT | OBJ_EXCLUSIVE,
        parses_names: true,
        case_insensitive: true,
        ..plain(
            "Key",
            map(
                READ | KEY_NOTIFY | KEY_ENUMERATE_SUB_KEYS | KEY_QUERY_VALUE,
                WRITE | KEY_CREATE_SUB_KEY | KEY_SET_VALUE,
                EXECUTE | KEY_CREATE_LINK | KEY_NOTIFY | KEY_ENUMERATE_SUB_KEYS | KEY_QUERY_VALUE,
                KEY_ALL_ACCESS,
            ),
            KEY_ALL_ACCESS | SYNCHRONIZE,
        )
    },
];
