//! THE declaration of the NT services Triton serves: one table, from which
//! ntdll's stubs, the Executive's dispatch and this crate's marshalling are
//! all generated, so a service's shape is never written twice by hand.
//!
//! The table is the body of [`nt_services!`](crate::nt_services). Each entry gives the service's
//! name, its stable number and its arguments in the exact order and meaning
//! of the Windows prototype (phnt ntzwapi.h and the headers named on each
//! entry), each with an argument *kind* from the vocabulary below. Every
//! argument is one machine word on the Win64 calling convention, so the
//! kind says how to interpret and move the word, not how wide it is.
//!
//! # Argument kinds
//!
//! Scalars (the word itself is the value):
//! - `U32` (`ULONG`, enums, information classes), `I32` (`LONG`,
//!   `NTSTATUS`), `Bool` (`BOOLEAN`), `AccessMask`: only the low 32 (8 for
//!   `Bool`) bits are defined on Win64 (the callee ignores the rest of the
//!   register), so both sides truncate.
//! - `Usize` (`SIZE_T`, `ULONG_PTR`), `Handle`, `OptHandle` (NULL allowed),
//!   `Addr` (a pointer nobody on the caller's side dereferences: an address
//!   in another process, a routine, an opaque context): the full word.
//!
//! Pointers to fixed-size data, `T` one of the [`Pointee`]s:
//! - `In<T>`, `Out<T>`, `InOut<T>`, and `OptIn<T>`, `OptOut<T>`,
//!   `OptInOut<T>` which may be NULL.
//!
//! Pointers with a size rule:
//! - `InBuf { len: arg }`, `OutBuf { len: arg }` or
//!   `OutBuf { len: arg, ret: arg }`: a byte buffer whose length is the
//!   named `U32`/`Usize` argument, and for an output buffer the optional
//!   `OptOut` argument the service reports the needed or written length in.
//!   The pointer may be NULL exactly when the length is 0 (ProbeForRead and
//!   ProbeForWrite skip zero lengths, so Windows never looks at it).
//! - `InArray<T> { count: arg }`: `count` elements of `T`.
//! - `InSized<T>`, `OptInSized<T>`: a variable-size record whose size is in
//!   its own header (`ProcessParameters`, `PsAttributeList`).
//! - `String`: a `PUNICODE_STRING` whose characters are input.
//! - `OutString`: a caller-provided `PUNICODE_STRING` the service fills
//!   (capacity `MaximumLength`, result `Length`).
//! - `ObjectAttributes`, `OptObjectAttributes`: a `POBJECT_ATTRIBUTES`,
//!   carried with its ObjectName.
//!
//! How each kind travels over IPC is [`crate::wire`]'s business.
//!
//! # Numbering
//!
//! Numbers are dense from 0 and stable: a new service takes the next free
//! number, a retired one keeps its number forever. NtYieldExecution (0) and
//! NtTestAlert (1) take no arguments and touch no buffer; the null-service
//! benchmark uses them.

use crate::status::{NtStatus, STATUS_INVALID_SYSTEM_SERVICE};

/// Most arguments any service may declare (NtCreateUserProcess and
/// NtCreateThreadEx have 11).
pub const MAX_ARGS: usize = 17;

/// How a scalar argument word is interpreted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    U32,
    I32,
    Bool,
    Usize,
    Handle,
    OptHandle,
    AccessMask,
    Addr,
}

impl Scalar {
    /// The defined part of a raw argument word: Win64 leaves the upper bits
    /// of a register holding a 32-bit (or 8-bit) argument undefined.
    /// `I32` keeps its low 32 bits zero-extended; `Bool` becomes 0 or 1
    /// (any nonzero BOOLEAN is TRUE).
    pub const fn truncate(self, raw: u64) -> u64 {
        match self {
            Scalar::U32 | Scalar::I32 | Scalar::AccessMask => raw & 0xFFFF_FFFF,
            Scalar::Bool => (raw & 0xFF != 0) as u64,
            Scalar::Usize | Scalar::Handle | Scalar::OptHandle | Scalar::Addr => raw,
        }
    }

    /// Can this scalar be the length of a buffer?
    pub const fn is_length(self) -> bool {
        matches!(self, Scalar::U32 | Scalar::Usize)
    }
}

/// What a pointer argument points to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pointee {
    /// `HANDLE` (8 bytes).
    Handle,
    /// `ULONG` (4).
    U32,
    /// `LONG` (4).
    I32,
    /// `BOOLEAN` (1).
    Bool,
    /// `SIZE_T`, `PVOID` (8).
    Usize,
    /// `LARGE_INTEGER` (8).
    I64,
    /// `CLIENT_ID` (0x10).
    ClientId,
    /// `CONTEXT` (0x4D0).
    Context,
    /// `INITIAL_TEB` (0x28).
    InitialTeb,
    /// `PS_CREATE_INFO` (0x58).
    PsCreateInfo,
    /// `RTL_USER_PROCESS_PARAMETERS`: variable, `Length` (ULONG at 4) says
    /// how much; at least 0x400 (through EnvironmentVersion).
    ProcessParameters,
    /// `PS_ATTRIBUTE_LIST`: variable, `TotalLength` (SIZE_T at 0) says how
    /// much; at least the 8-byte header.
    PsAttributeList,
}

impl Pointee {
    /// Size in bytes; for a variable-size record, the smallest valid size.
    pub const fn size(self) -> usize {
        match self {
            Pointee::Bool => 1,
            Pointee::U32 | Pointee::I32 => 4,
            Pointee::Handle | Pointee::Usize | Pointee::I64 => 8,
            Pointee::ClientId => 0x10,
            Pointee::Context => 0x4D0,
            Pointee::InitialTeb => 0x28,
            Pointee::PsCreateInfo => 0x58,
            Pointee::ProcessParameters => 0x400,
            Pointee::PsAttributeList => 8,
        }
    }

    /// The alignment the service probes the caller's record with (1: none).
    pub const fn align(self) -> u64 {
        match self {
            Pointee::Context => 16,
            _ => 1,
        }
    }

    /// Is the size given by a field of the record itself?
    pub const fn is_variable(self) -> bool {
        self.size_field().is_some()
    }

    /// Fixed and at most a word: such outputs come back in reply message
    /// registers instead of the service buffer.
    pub const fn is_word(self) -> bool {
        !self.is_variable() && self.size() <= 8
    }

    /// For a variable-size record: (offset, width in bytes) of the field
    /// holding its total size.
    pub const fn size_field(self) -> Option<(usize, usize)> {
        match self {
            Pointee::ProcessParameters => Some((4, 4)),
            Pointee::PsAttributeList => Some((0, 8)),
            _ => None,
        }
    }
}

/// Direction of a pointer to fixed-size data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dir {
    In,
    Out,
    InOut,
}

/// The kind of one argument (see the module documentation). Argument
/// references (`len`, `ret`, `count`) are indexes into the service's
/// argument list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgKind {
    Scalar(Scalar),
    Ptr { dir: Dir, ty: Pointee, opt: bool },
    InBuf { len: u8 },
    OutBuf { len: u8, ret: Option<u8> },
    InArray { ty: Pointee, count: u8 },
    InSized { ty: Pointee, opt: bool },
    String,
    OutString,
    ObjectAttributes { opt: bool },
}

impl ArgKind {
    /// Does the service write through this argument (one reply slot)?
    pub const fn is_output(self) -> bool {
        matches!(self, ArgKind::Ptr { dir: Dir::Out | Dir::InOut, .. } | ArgKind::OutBuf { .. } | ArgKind::OutString)
    }

    /// Is this a pointer (its word is replaced by a descriptor on the wire)?
    pub const fn is_pointer(self) -> bool {
        !matches!(self, ArgKind::Scalar(_))
    }

    /// May this argument place data in the service buffer? Everything but
    /// scalars and word-sized pure outputs (those come back in registers).
    pub const fn uses_buffer(self) -> bool {
        match self {
            ArgKind::Scalar(_) => false,
            ArgKind::Ptr { dir: Dir::Out, ty, .. } => !ty.is_word(),
            _ => true,
        }
    }
}

/// One argument of a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArgDesc {
    /// The Windows parameter name in snake_case.
    pub name: &'static str,
    pub kind: ArgKind,
}

/// One service: the table entry plus the figures derived from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceDesc {
    pub id: ServiceId,
    /// `"NtClose"`.
    pub name: &'static str,
    /// The IPC label.
    pub number: u32,
    pub args: &'static [ArgDesc],
    /// Arguments the service writes through (reply slots).
    pub outputs: u8,
    /// Whether a call may use the service buffer (then the message carries
    /// the extent word).
    pub uses_buffer: bool,
}

impl ServiceDesc {
    /// Builds the entry and derives the counts (used by the table macro).
    pub const fn new(id: ServiceId, name: &'static str, number: u32, args: &'static [ArgDesc]) -> Self {
        let mut outputs = 0u8;
        let mut uses_buffer = false;
        let mut i = 0;
        while i < args.len() {
            if args[i].kind.is_output() {
                outputs += 1;
            }
            if args[i].kind.uses_buffer() {
                uses_buffer = true;
            }
            i += 1;
        }
        ServiceDesc { id, name, number, args, outputs, uses_buffer }
    }

    /// Number of arguments.
    pub const fn arg_count(&self) -> usize {
        self.args.len()
    }

    /// Message registers in a call: one per argument, plus the extent word
    /// when the service may use the buffer.
    pub const fn call_words(&self) -> usize {
        self.args.len() + self.uses_buffer as usize
    }

    /// Message registers in a full reply: none without outputs, else the
    /// written mask plus one word per output.
    pub const fn reply_words(&self) -> usize {
        if self.outputs == 0 {
            0
        } else {
            1 + self.outputs as usize
        }
    }

    /// The index of the argument called `name`.
    pub fn arg_index(&self, name: &str) -> Option<usize> {
        self.args.iter().position(|a| a.name == name)
    }
}

/// Marker types naming each [`Pointee`] in typed views
/// (`InRef<'a, pointee::I64>`); the table's `In<I64>` names both.
pub mod pointee {
    use super::Pointee;

    /// Implemented by every marker: which [`Pointee`] it stands for.
    pub trait PointeeType: Copy + core::fmt::Debug {
        const KIND: Pointee;
    }

    /// Pointees with a Rust value the wire code can decode and encode.
    pub trait Fixed: PointeeType {
        type Value: Copy + core::fmt::Debug + PartialEq;
        /// From exactly `KIND.size()` little-endian bytes.
        fn decode(bytes: &[u8]) -> Self::Value;
        /// Into exactly `KIND.size()` bytes.
        fn encode(value: &Self::Value, out: &mut [u8]);
    }

    macro_rules! markers {
        ($( $(#[$m:meta])* $name:ident ),* $(,)?) => {
            $(
                $(#[$m])*
                #[derive(Clone, Copy, Debug, PartialEq, Eq)]
                pub struct $name;
                impl PointeeType for $name {
                    const KIND: Pointee = Pointee::$name;
                }
            )*
        };
    }

    markers! {
        /// `HANDLE`.
        Handle,
        /// `ULONG`.
        U32,
        /// `LONG`.
        I32,
        /// `BOOLEAN`.
        Bool,
        /// `SIZE_T` / `PVOID`.
        Usize,
        /// `LARGE_INTEGER`.
        I64,
        /// `CLIENT_ID`.
        ClientId,
        /// `CONTEXT` (bytes only: see `types::Context` for the layout).
        Context,
        /// `INITIAL_TEB`.
        InitialTeb,
        /// `PS_CREATE_INFO` (bytes only).
        PsCreateInfo,
        /// `RTL_USER_PROCESS_PARAMETERS` (variable; bytes only).
        ProcessParameters,
        /// `PS_ATTRIBUTE_LIST` (variable; bytes only).
        PsAttributeList,
    }

    fn le<const N: usize>(b: &[u8]) -> [u8; N] {
        let mut a = [0u8; N];
        let n = b.len().min(N);
        a[..n].copy_from_slice(&b[..n]);
        a
    }

    fn put(out: &mut [u8], bytes: &[u8]) {
        let n = out.len().min(bytes.len());
        out[..n].copy_from_slice(&bytes[..n]);
    }

    macro_rules! fixed_int {
        ($marker:ident, $t:ty, $n:literal) => {
            impl Fixed for $marker {
                type Value = $t;
                fn decode(bytes: &[u8]) -> $t {
                    <$t>::from_le_bytes(le::<$n>(bytes))
                }
                fn encode(value: &$t, out: &mut [u8]) {
                    put(out, &value.to_le_bytes());
                }
            }
        };
    }

    fixed_int!(U32, u32, 4);
    fixed_int!(I32, i32, 4);
    fixed_int!(Usize, u64, 8);
    fixed_int!(I64, i64, 8);

    impl Fixed for Handle {
        type Value = crate::types::Handle;
        fn decode(bytes: &[u8]) -> Self::Value {
            crate::types::Handle(u64::from_le_bytes(le::<8>(bytes)))
        }
        fn encode(value: &Self::Value, out: &mut [u8]) {
            put(out, &value.0.to_le_bytes());
        }
    }

    impl Fixed for Bool {
        type Value = bool;
        /// Any nonzero BOOLEAN is TRUE.
        fn decode(bytes: &[u8]) -> bool {
            bytes.first().is_some_and(|b| *b != 0)
        }
        fn encode(value: &bool, out: &mut [u8]) {
            put(out, &[*value as u8]);
        }
    }

    impl Fixed for ClientId {
        type Value = crate::types::ClientId;
        fn decode(bytes: &[u8]) -> Self::Value {
            let b = le::<16>(bytes);
            crate::types::ClientId {
                unique_process: u64::from_le_bytes(le::<8>(&b[0..8])),
                unique_thread: u64::from_le_bytes(le::<8>(&b[8..16])),
            }
        }
        fn encode(value: &Self::Value, out: &mut [u8]) {
            let mut b = [0u8; 16];
            b[0..8].copy_from_slice(&value.unique_process.to_le_bytes());
            b[8..16].copy_from_slice(&value.unique_thread.to_le_bytes());
            put(out, &b);
        }
    }

    impl Fixed for InitialTeb {
        type Value = crate::types::InitialTeb;
        fn decode(bytes: &[u8]) -> Self::Value {
            let b = le::<0x28>(bytes);
            let w = |i: usize| u64::from_le_bytes(le::<8>(&b[i * 8..i * 8 + 8]));
            crate::types::InitialTeb {
                old_stack_base: w(0),
                old_stack_limit: w(1),
                stack_base: w(2),
                stack_limit: w(3),
                stack_allocation_base: w(4),
            }
        }
        fn encode(value: &Self::Value, out: &mut [u8]) {
            let mut b = [0u8; 0x28];
            let words = [
                value.old_stack_base,
                value.old_stack_limit,
                value.stack_base,
                value.stack_limit,
                value.stack_allocation_base,
            ];
            for (i, w) in words.iter().enumerate() {
                b[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
            }
            put(out, &b);
        }
    }
}

/// The service table. Expands to `callback! { <entries> }`, where each
/// entry is
///
/// ```text
/// $(#[$meta:meta])*
/// $name:ident = $number:literal {
///     $( $arg:ident : $kind:ident $(<$pointee:ident>)? $({ $($key:ident : $value:ident),* })? ),*
/// }
/// ```
///
/// and entries are separated by commas. The callback may be a path
/// (`nt_services!(crate::gen)`). A generator matches that grammar and
/// dispatches on `$kind`; see the crate documentation for an ntdll stub
/// generator in a dozen lines.
#[macro_export]
macro_rules! nt_services {
    ($($callback:ident)::+) => {
        $($callback)::+! {
            // ----- Cheap services first: the null-service benchmark -----

            /// phnt ntkeapi.h.
            NtYieldExecution = 0 {},
            /// phnt ntpsapi.h.
            NtTestAlert = 1 {},

            // ----- Objects and handles (phnt ntobapi.h) -----

            NtClose = 2 { handle: Handle },
            NtDuplicateObject = 3 {
                source_process_handle: Handle,
                source_handle: Handle,
                target_process_handle: OptHandle,
                target_handle: OptOut<Handle>,
                desired_access: AccessMask,
                handle_attributes: U32,
                options: U32,
            },
            NtQueryObject = 4 {
                handle: OptHandle,
                object_information_class: U32,
                object_information: OutBuf { len: object_information_length, ret: return_length },
                object_information_length: U32,
                return_length: OptOut<U32>,
            },
            NtMakeTemporaryObject = 5 { handle: Handle },
            NtWaitForSingleObject = 6 {
                handle: Handle,
                alertable: Bool,
                timeout: OptIn<I64>,
            },
            NtWaitForMultipleObjects = 7 {
                count: U32,
                handles: InArray<Handle> { count: count },
                wait_type: U32,
                alertable: Bool,
                timeout: OptIn<I64>,
            },
            NtSignalAndWaitForSingleObject = 8 {
                signal_handle: Handle,
                wait_handle: Handle,
                alertable: Bool,
                timeout: OptIn<I64>,
            },

            // ----- Object namespace (phnt ntobapi.h) -----
            //
            // NULL OBJECT_ATTRIBUTES reach the Executive here: a create
            // makes an unnamed object and an open is STATUS_INVALID_PARAMETER
            // (ObOpenObjectByName), as Wine's om.c records for Windows.

            NtCreateDirectoryObject = 9 {
                directory_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: OptObjectAttributes,
            },
            NtOpenDirectoryObject = 10 {
                directory_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: OptObjectAttributes,
            },
            NtQueryDirectoryObject = 11 {
                directory_handle: Handle,
                buffer: OutBuf { len: length, ret: return_length },
                length: U32,
                return_single_entry: Bool,
                restart_scan: Bool,
                context: InOut<U32>,
                return_length: OptOut<U32>,
            },
            NtCreateSymbolicLinkObject = 12 {
                link_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: OptObjectAttributes,
                link_target: String,
            },
            NtOpenSymbolicLinkObject = 13 {
                link_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: OptObjectAttributes,
            },
            NtQuerySymbolicLinkObject = 14 {
                link_handle: Handle,
                link_target: OutString,
                returned_length: OptOut<U32>,
            },

            // ----- Processes (phnt ntpsapi.h) -----

            NtCreateProcessEx = 15 {
                process_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: OptObjectAttributes,
                parent_process: Handle,
                flags: U32,
                section_handle: OptHandle,
                debug_port: OptHandle,
                token_handle: OptHandle,
                reserved: U32,
            },
            NtCreateUserProcess = 16 {
                process_handle: Out<Handle>,
                thread_handle: Out<Handle>,
                process_desired_access: AccessMask,
                thread_desired_access: AccessMask,
                process_object_attributes: OptObjectAttributes,
                thread_object_attributes: OptObjectAttributes,
                process_flags: U32,
                thread_flags: U32,
                process_parameters: OptInSized<ProcessParameters>,
                create_info: InOut<PsCreateInfo>,
                attribute_list: OptInSized<PsAttributeList>,
            },
            NtOpenProcess = 17 {
                process_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: ObjectAttributes,
                client_id: OptIn<ClientId>,
            },
            NtTerminateProcess = 18 {
                process_handle: OptHandle,
                exit_status: I32,
            },
            NtQueryInformationProcess = 19 {
                process_handle: Handle,
                process_information_class: U32,
                process_information: OutBuf { len: process_information_length, ret: return_length },
                process_information_length: U32,
                return_length: OptOut<U32>,
            },
            NtSetInformationProcess = 20 {
                process_handle: Handle,
                process_information_class: U32,
                process_information: InBuf { len: process_information_length },
                process_information_length: U32,
            },

            // ----- Threads and APCs (phnt ntpsapi.h; NtDelayExecution: ntexapi.h) -----

            NtCreateThread = 21 {
                thread_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: OptObjectAttributes,
                process_handle: Handle,
                client_id: Out<ClientId>,
                thread_context: In<Context>,
                initial_teb: In<InitialTeb>,
                create_suspended: Bool,
            },
            NtCreateThreadEx = 22 {
                thread_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: OptObjectAttributes,
                process_handle: Handle,
                start_routine: Addr,
                argument: Addr,
                create_flags: U32,
                zero_bits: Usize,
                stack_size: Usize,
                maximum_stack_size: Usize,
                attribute_list: OptInSized<PsAttributeList>,
            },
            NtOpenThread = 23 {
                thread_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: ObjectAttributes,
                client_id: OptIn<ClientId>,
            },
            NtTerminateThread = 24 {
                thread_handle: OptHandle,
                exit_status: I32,
            },
            NtQueryInformationThread = 25 {
                thread_handle: Handle,
                thread_information_class: U32,
                thread_information: OutBuf { len: thread_information_length, ret: return_length },
                thread_information_length: U32,
                return_length: OptOut<U32>,
            },
            NtSetInformationThread = 26 {
                thread_handle: Handle,
                thread_information_class: U32,
                thread_information: InBuf { len: thread_information_length },
                thread_information_length: U32,
            },
            NtSuspendThread = 27 {
                thread_handle: Handle,
                previous_suspend_count: OptOut<U32>,
            },
            NtResumeThread = 28 {
                thread_handle: Handle,
                previous_suspend_count: OptOut<U32>,
            },
            /// ThreadContext is in/out: ContextFlags selects what to fetch.
            NtGetContextThread = 29 {
                thread_handle: Handle,
                thread_context: InOut<Context>,
            },
            NtSetContextThread = 30 {
                thread_handle: Handle,
                thread_context: In<Context>,
            },
            NtQueueApcThread = 31 {
                thread_handle: Handle,
                apc_routine: Addr,
                apc_argument1: Addr,
                apc_argument2: Addr,
                apc_argument3: Addr,
            },
            NtAlertThread = 32 { thread_handle: Handle },
            NtDelayExecution = 33 {
                alertable: Bool,
                delay_interval: In<I64>,
            },

            // ----- Virtual memory (phnt ntmmapi.h) -----

            NtAllocateVirtualMemory = 34 {
                process_handle: Handle,
                base_address: InOut<Usize>,
                zero_bits: Usize,
                region_size: InOut<Usize>,
                allocation_type: U32,
                page_protection: U32,
            },
            NtFreeVirtualMemory = 35 {
                process_handle: Handle,
                base_address: InOut<Usize>,
                region_size: InOut<Usize>,
                free_type: U32,
            },
            NtProtectVirtualMemory = 36 {
                process_handle: Handle,
                base_address: InOut<Usize>,
                region_size: InOut<Usize>,
                new_protection: U32,
                old_protection: Out<U32>,
            },
            NtQueryVirtualMemory = 37 {
                process_handle: Handle,
                base_address: Addr,
                memory_information_class: U32,
                memory_information: OutBuf { len: memory_information_length, ret: return_length },
                memory_information_length: Usize,
                return_length: OptOut<Usize>,
            },
            /// BaseAddress is in the target process: an `Addr`, not a pointer
            /// the caller's side reads.
            NtReadVirtualMemory = 38 {
                process_handle: Handle,
                base_address: Addr,
                buffer: OutBuf { len: number_of_bytes_to_read, ret: number_of_bytes_read },
                number_of_bytes_to_read: Usize,
                number_of_bytes_read: OptOut<Usize>,
            },
            NtWriteVirtualMemory = 39 {
                process_handle: Handle,
                base_address: Addr,
                buffer: InBuf { len: number_of_bytes_to_write },
                number_of_bytes_to_write: Usize,
                number_of_bytes_written: OptOut<Usize>,
            },
            NtFlushInstructionCache = 40 {
                process_handle: Handle,
                base_address: Addr,
                length: Usize,
            },
            NtLockVirtualMemory = 41 {
                process_handle: Handle,
                base_address: InOut<Usize>,
                region_size: InOut<Usize>,
                map_type: U32,
            },

            // ----- Sections (phnt ntmmapi.h) -----

            NtCreateSection = 42 {
                section_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: OptObjectAttributes,
                maximum_size: OptIn<I64>,
                section_page_protection: U32,
                allocation_attributes: U32,
                file_handle: OptHandle,
            },
            NtOpenSection = 43 {
                section_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: ObjectAttributes,
            },
            NtMapViewOfSection = 44 {
                section_handle: Handle,
                process_handle: Handle,
                base_address: InOut<Usize>,
                zero_bits: Usize,
                commit_size: Usize,
                section_offset: OptInOut<I64>,
                view_size: InOut<Usize>,
                inherit_disposition: U32,
                allocation_type: U32,
                page_protection: U32,
            },
            NtUnmapViewOfSection = 45 {
                process_handle: Handle,
                base_address: Addr,
            },
            NtQuerySection = 46 {
                section_handle: Handle,
                section_information_class: U32,
                section_information: OutBuf { len: section_information_length, ret: return_length },
                section_information_length: Usize,
                return_length: OptOut<Usize>,
            },
            NtExtendSection = 47 {
                section_handle: Handle,
                new_section_size: InOut<I64>,
            },

            // ----- Events (phnt ntexapi.h) -----

            NtCreateEvent = 48 {
                event_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: OptObjectAttributes,
                event_type: U32,
                initial_state: Bool,
            },
            NtOpenEvent = 49 {
                event_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: ObjectAttributes,
            },
            NtSetEvent = 50 {
                event_handle: Handle,
                previous_state: OptOut<I32>,
            },
            NtResetEvent = 51 {
                event_handle: Handle,
                previous_state: OptOut<I32>,
            },
            NtPulseEvent = 52 {
                event_handle: Handle,
                previous_state: OptOut<I32>,
            },
            NtClearEvent = 53 { event_handle: Handle },
            NtQueryEvent = 54 {
                event_handle: Handle,
                event_information_class: U32,
                event_information: OutBuf { len: event_information_length, ret: return_length },
                event_information_length: U32,
                return_length: OptOut<U32>,
            },

            // ----- Mutants (phnt ntexapi.h) -----

            NtCreateMutant = 55 {
                mutant_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: OptObjectAttributes,
                initial_owner: Bool,
            },
            NtOpenMutant = 56 {
                mutant_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: ObjectAttributes,
            },
            NtReleaseMutant = 57 {
                mutant_handle: Handle,
                previous_count: OptOut<I32>,
            },
            NtQueryMutant = 58 {
                mutant_handle: Handle,
                mutant_information_class: U32,
                mutant_information: OutBuf { len: mutant_information_length, ret: return_length },
                mutant_information_length: U32,
                return_length: OptOut<U32>,
            },

            // ----- Semaphores (phnt ntexapi.h) -----

            NtCreateSemaphore = 59 {
                semaphore_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: OptObjectAttributes,
                initial_count: I32,
                maximum_count: I32,
            },
            NtOpenSemaphore = 60 {
                semaphore_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: ObjectAttributes,
            },
            NtReleaseSemaphore = 61 {
                semaphore_handle: Handle,
                release_count: I32,
                previous_count: OptOut<I32>,
            },
            NtQuerySemaphore = 62 {
                semaphore_handle: Handle,
                semaphore_information_class: U32,
                semaphore_information: OutBuf { len: semaphore_information_length, ret: return_length },
                semaphore_information_length: U32,
                return_length: OptOut<U32>,
            },

            // ----- Timers (phnt ntexapi.h) -----

            NtCreateTimer = 63 {
                timer_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: OptObjectAttributes,
                timer_type: U32,
            },
            NtOpenTimer = 64 {
                timer_handle: Out<Handle>,
                desired_access: AccessMask,
                object_attributes: ObjectAttributes,
            },
            /// Period is `_In_opt_ LONG`: a value, where 0 means one-shot.
            NtSetTimer = 65 {
                timer_handle: Handle,
                due_time: In<I64>,
                timer_apc_routine: Addr,
                timer_context: Addr,
                resume_timer: Bool,
                period: I32,
                previous_state: OptOut<Bool>,
            },
            NtCancelTimer = 66 {
                timer_handle: Handle,
                current_state: OptOut<Bool>,
            },
            NtQueryTimer = 67 {
                timer_handle: Handle,
                timer_information_class: U32,
                timer_information: OutBuf { len: timer_information_length, ret: return_length },
                timer_information_length: U32,
                return_length: OptOut<U32>,
            },

            // ----- Time and system information (phnt ntexapi.h) -----

            NtQuerySystemTime = 68 { system_time: Out<I64> },
            NtSetSystemTime = 69 {
                system_time: OptIn<I64>,
                previous_time: OptOut<I64>,
            },
            NtQueryPerformanceCounter = 70 {
                performance_counter: Out<I64>,
                performance_frequency: OptOut<I64>,
            },
            NtQueryTimerResolution = 71 {
                maximum_time: Out<U32>,
                minimum_time: Out<U32>,
                current_time: Out<U32>,
            },
            NtQuerySystemInformation = 72 {
                system_information_class: U32,
                system_information: OutBuf { len: system_information_length, ret: return_length },
                system_information_length: U32,
                return_length: OptOut<U32>,
            },
            /// Text on the boot console.
            NtDisplayString = 73 { string: String },

            // ----- Added after T4 (numbers continue) -----

            /// Resumes the calling thread at a CONTEXT (user APC and,
            /// later, exception dispatch return through it); `TestAlert`
            /// delivers the next pending user APC first.
            NtContinue = 74 {
                context_record: In<Context>,
                test_alert: Bool,
            },
        }
    };
}

/// Maps one argument kind of the table to its [`ArgKind`]; `$ix` is the
/// enum whose variants are the service's argument names, which turns an
/// argument reference into its index (a misspelt reference does not
/// compile).
#[doc(hidden)]
#[macro_export]
macro_rules! __nt_arg_kind {
    ($ix:ident; U32) => { $crate::services::ArgKind::Scalar($crate::services::Scalar::U32) };
    ($ix:ident; I32) => { $crate::services::ArgKind::Scalar($crate::services::Scalar::I32) };
    ($ix:ident; Bool) => { $crate::services::ArgKind::Scalar($crate::services::Scalar::Bool) };
    ($ix:ident; Usize) => { $crate::services::ArgKind::Scalar($crate::services::Scalar::Usize) };
    ($ix:ident; Handle) => { $crate::services::ArgKind::Scalar($crate::services::Scalar::Handle) };
    ($ix:ident; OptHandle) => { $crate::services::ArgKind::Scalar($crate::services::Scalar::OptHandle) };
    ($ix:ident; AccessMask) => { $crate::services::ArgKind::Scalar($crate::services::Scalar::AccessMask) };
    ($ix:ident; Addr) => { $crate::services::ArgKind::Scalar($crate::services::Scalar::Addr) };
    ($ix:ident; In<$t:ident>) => { $crate::__nt_arg_kind!(@ptr In, $t, false) };
    ($ix:ident; Out<$t:ident>) => { $crate::__nt_arg_kind!(@ptr Out, $t, false) };
    ($ix:ident; InOut<$t:ident>) => { $crate::__nt_arg_kind!(@ptr InOut, $t, false) };
    ($ix:ident; OptIn<$t:ident>) => { $crate::__nt_arg_kind!(@ptr In, $t, true) };
    ($ix:ident; OptOut<$t:ident>) => { $crate::__nt_arg_kind!(@ptr Out, $t, true) };
    ($ix:ident; OptInOut<$t:ident>) => { $crate::__nt_arg_kind!(@ptr InOut, $t, true) };
    ($ix:ident; InBuf { len: $len:ident }) => {
        $crate::services::ArgKind::InBuf { len: $ix::$len as u8 }
    };
    ($ix:ident; OutBuf { len: $len:ident }) => {
        $crate::services::ArgKind::OutBuf { len: $ix::$len as u8, ret: None }
    };
    ($ix:ident; OutBuf { len: $len:ident, ret: $ret:ident }) => {
        $crate::services::ArgKind::OutBuf { len: $ix::$len as u8, ret: Some($ix::$ret as u8) }
    };
    ($ix:ident; InArray<$t:ident> { count: $count:ident }) => {
        $crate::services::ArgKind::InArray { ty: $crate::services::Pointee::$t, count: $ix::$count as u8 }
    };
    ($ix:ident; InSized<$t:ident>) => {
        $crate::services::ArgKind::InSized { ty: $crate::services::Pointee::$t, opt: false }
    };
    ($ix:ident; OptInSized<$t:ident>) => {
        $crate::services::ArgKind::InSized { ty: $crate::services::Pointee::$t, opt: true }
    };
    ($ix:ident; String) => { $crate::services::ArgKind::String };
    ($ix:ident; OutString) => { $crate::services::ArgKind::OutString };
    ($ix:ident; ObjectAttributes) => { $crate::services::ArgKind::ObjectAttributes { opt: false } };
    ($ix:ident; OptObjectAttributes) => { $crate::services::ArgKind::ObjectAttributes { opt: true } };
    (@ptr $dir:ident, $t:ident, $opt:literal) => {
        $crate::services::ArgKind::Ptr {
            dir: $crate::services::Dir::$dir,
            ty: $crate::services::Pointee::$t,
            opt: $opt,
        }
    };
}

/// Generates [`ServiceId`], [`SERVICE_COUNT`] and [`SERVICES`] from the table.
macro_rules! generate_table {
    ($(
        $(#[$meta:meta])*
        $name:ident = $number:literal {
            $( $arg:ident : $kind:ident $(<$ty:ident>)? $({ $($key:ident : $value:ident),* })? ),* $(,)?
        }
    ),* $(,)?) => {
        /// A service, numbered as on the wire (the IPC label).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u32)]
        pub enum ServiceId {
            $( $(#[$meta])* $name = $number, )*
        }

        /// Number of services; numbers are `0..SERVICE_COUNT`.
        pub const SERVICE_COUNT: usize = [$(stringify!($name)),*].len();

        /// Every service, indexed by number.
        pub static SERVICES: [ServiceDesc; SERVICE_COUNT] = [
            $({
                #[allow(non_camel_case_types, dead_code, clippy::upper_case_acronyms)]
                enum Ix { $($arg),* }
                const ARGS: &[ArgDesc] = &[
                    $( ArgDesc {
                        name: stringify!($arg),
                        kind: $crate::__nt_arg_kind!(Ix; $kind $(<$ty>)? $({ $($key : $value),* })?),
                    }, )*
                ];
                ServiceDesc::new(ServiceId::$name, stringify!($name), $number, ARGS)
            },)*
        ];

        impl ServiceId {
            /// Every service, by number.
            pub const ALL: [ServiceId; SERVICE_COUNT] = [ $( ServiceId::$name, )* ];
        }
    };
}

crate::nt_services!(generate_table);

// The table must be dense and in order: `SERVICES[n].number == n`, which
// makes `ServiceId::desc` an index and `TryFrom<u32>` a bounds check.
const _: () = {
    let mut i = 0;
    while i < SERVICE_COUNT {
        assert!(SERVICES[i].number as usize == i, "service numbers must be dense and ascending");
        assert!(SERVICES[i].args.len() <= MAX_ARGS, "too many arguments");
        i += 1;
    }
};

impl ServiceId {
    /// The wire number (IPC label).
    pub const fn number(self) -> u32 {
        self as u32
    }

    /// The table entry.
    pub fn desc(self) -> &'static ServiceDesc {
        &SERVICES[self as usize]
    }

    /// `"NtClose"`.
    pub fn name(self) -> &'static str {
        self.desc().name
    }

    /// Number of arguments of the Windows prototype.
    pub fn arg_count(self) -> usize {
        self.desc().args.len()
    }

    /// The service an IPC label names, or STATUS_INVALID_SYSTEM_SERVICE
    /// (what Windows returns for an out-of-range system call number).
    pub fn from_label(label: u64) -> Result<ServiceId, NtStatus> {
        if label < SERVICE_COUNT as u64 {
            Ok(ServiceId::ALL[label as usize])
        } else {
            Err(STATUS_INVALID_SYSTEM_SERVICE)
        }
    }

    /// Looks a service up by its Windows name.
    pub fn from_name(name: &str) -> Option<ServiceId> {
        SERVICES.iter().find(|s| s.name == name).map(|s| s.id)
    }
}

impl TryFrom<u32> for ServiceId {
    type Error = u32;

    fn try_from(raw: u32) -> Result<Self, u32> {
        ServiceId::from_label(raw as u64).map_err(|_| raw)
    }
}

impl From<ServiceId> for u32 {
    fn from(id: ServiceId) -> u32 {
        id as u32
    }
}
