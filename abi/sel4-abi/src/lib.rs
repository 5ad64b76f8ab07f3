//! `sel4-abi`: the seL4 16.0.0 x86_64 non-MCS user ABI, declared once for both
//! the Triton kernel and the user-level code that talks to it.
//!
//! Everything here is plain data: numbers, `#[repr(C)]` layouts and pure
//! encode/decode helpers, so that the two sides of every system call agree by
//! construction. Facts come from the libsel4 headers and interface XML of seL4
//! 16.0.0 (each item cites the file it was read from) and from
//! /work/shared/reference/sel4-x86_64-abi.md. The build configuration the
//! numbers match is recorded in [`consts::config`]: non-MCS, IOMMU off, VT-x
//! off, huge pages on, one core, FS/GS base via MSR, FXSAVE, root CNode of
//! 2^13 slots, 230 bootinfo untypeds, debug syscalls on.
//!
//! Type convention: bit counts, log2 sizes and element counts are `usize`;
//! anything that travels in a message word or names an address, cap slot,
//! label or priority is `u64` (the x86_64 `seL4_Word`).

#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

/// Declares a fieldless `#[repr(int)]` ABI enumeration together with the
/// conversions both sides need: `ALL` (every variant, ascending), a
/// `TryFrom<int>` that hands back the rejected raw value, and `From<Self>`
/// for the integer type.
macro_rules! abi_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $repr:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:expr, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr($repr)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant = $value, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];
        }

        impl core::convert::TryFrom<$repr> for $name {
            type Error = $repr;

            /// Accepts exactly the ABI values; anything else is returned as
            /// the error so the caller can report it.
            fn try_from(raw: $repr) -> Result<Self, $repr> {
                match raw {
                    $( v if v == $value => Ok($name::$variant), )+
                    _ => Err(raw),
                }
            }
        }

        impl From<$name> for $repr {
            fn from(v: $name) -> $repr {
                v as $repr
            }
        }
    };
}

pub mod bootinfo;
pub mod cap;
pub mod cap_tag;
pub mod consts;
pub mod context;
pub mod error;
pub mod fault;
pub mod invocation;
pub mod ipc_buffer;
pub mod lookup;
pub mod message;
pub mod object;
pub mod rights;
pub mod syscall;
pub mod vm;

#[cfg(test)]
mod tests;

pub use bootinfo::{
    bootinfo_id, extra_chunks, triton_modules, write_chunk, BootInfo, BootInfoHeader, ExtraChunks, SlotRegion,
    UntypedDesc,
};
pub use consts::*;
pub use context::{UserContext, FRAME_REGISTERS, GP_REGISTERS, USER_CONTEXT_WORDS};
pub use error::{Error, NUM_ERRORS};
pub use fault::FaultType;
pub use invocation::{InvocationLabel, NUM_LABELS};
pub use ipc_buffer::{IpcBuffer, IPC_BUFFER_ALIGN, IPC_BUFFER_SIZE};
pub use lookup::LookupFailureType;
pub use message::MessageInfo;
pub use object::ObjectType;
pub use rights::CapRights;
pub use syscall::{is_api, Syscall};
