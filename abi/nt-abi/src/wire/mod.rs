//! The IPC wire format of a service call, declared once for ntdll (which
//! marshals and copies back) and the Executive (which unmarshals, validates
//! and replies). Everything here is driven by the table in
//! [`crate::services`]; no service is handled by name.
//!
//! # Call (ntdll -> Executive): a seL4 Call on the Executive's endpoint
//!
//! - **label** = the service number.
//! - **MR0..MRn-1** = the n argument words in prototype order (the stub
//!   gathers the four register arguments and the stack arguments alike).
//!   A scalar travels as itself, truncated to its defined width. A pointer
//!   is *replaced* by a [`Descriptor`] word.
//! - **MRn** (only for services that may use the buffer,
//!   [`ServiceDesc::uses_buffer`](crate::services::ServiceDesc)) = the
//!   extent word: `in_end | end << 32`. Bytes `0..in_end` of the thread's
//!   service buffer are inputs, `in_end..end` are reserved for outputs.
//! - The length is exact per service; at most 18 words, far below seL4's
//!   120 ([`SEL4_MSG_MAX_LENGTH`]).
//!
//! # The service buffer
//!
//! A per-thread range of [`SERVICE_BUFFER_SIZE`] bytes mapped both in the
//! thread's process and in the Executive. The stub copies every input the
//! Executive must read (fixed-size pointees, strings, OBJECT_ATTRIBUTES with
//! their names, variable records, buffers that fit) into it and reserves
//! space for larger outputs, each span [`SPAN_ALIGN`]-aligned, inputs first.
//! Because other threads of the process can write the buffer while the
//! Executive works, the Executive first copies `0..in_end` into private
//! memory and unmarshals that snapshot only; outputs it writes to the shared
//! buffer, and the stub copies them out after the reply.
//!
//! A byte buffer (InBuf/OutBuf/InArray) that does not fit after everything
//! else travels as a [`Descriptor::User`] address instead: the Executive,
//! which manages every client address space, reads or writes the caller's
//! memory itself and validates the range when it does so (the handler can
//! then check its arguments in Windows' order before touching memory).
//!
//! # Reply (Executive -> ntdll)
//!
//! - **label** = the NTSTATUS.
//! - No MRs when the service has no outputs, or when nothing was written.
//!   Otherwise **MR0** = the written mask (bit k: output k was written) and
//!   **MR1+k** = output k: the value itself for a word-sized pointee
//!   ([`Pointee::is_word`](crate::services::Pointee::is_word)), else the
//!   number of bytes written to its span (for an OutString,
//!   `bytes | new_length << 32`). Outputs are the Out/InOut/OutBuf/OutString
//!   arguments in prototype order.
//!
//! # Validation (the Executive never trusts a word)
//!
//! [`unmarshal()`] checks the message length (STATUS_INVALID_PARAMETER), each
//! descriptor's form against its argument's kind (INVALID_PARAMETER), NULL
//! for a mandatory pointer (ACCESS_VIOLATION, as dereferencing it would),
//! every span against the buffer extent (ACCESS_VIOLATION), every size
//! against the declared one (INVALID_PARAMETER), OBJECT_ATTRIBUTES.Length
//! and its attribute bits (INVALID_PARAMETER) and name lengths
//! (OBJECT_NAME_INVALID when odd). Information lengths
//! (INFO_LENGTH_MISMATCH, BUFFER_TOO_SMALL) are each service's semantics and
//! stay with the handlers.
//!
//! # Bad user pointers on the ntdll side
//!
//! The stub cannot catch a page fault with SEH (not there yet), so the
//! marshaller reads and writes caller memory only through [`UserMemory`],
//! which refuses ranges outside the user half, and ntdll runs it inside a
//! probe ([`probe`]): a fault on an unmapped or protected caller address
//! makes the Executive resume the thread at the probe's recovery code, and
//! the stub returns STATUS_ACCESS_VIOLATION as Windows' kernel-mode probes
//! do.

mod marshal;
mod reply;
mod typed;
mod unmarshal;

pub use marshal::{marshal, MarshalledCall};
pub use reply::{copy_back, reply_status, Reply};
pub use typed::{args, Call};
pub use unmarshal::{
    extent, unmarshal, ArgValue, BufferRef, DecodedArgs, Extent, FromArg, InArrayRef, InOutRef, InRef,
    ObjectAttributesView, OutBuffer, OutBufferTarget, OutRef, OutSlot, OutStringSlot, OutTarget, Span, UnicodeStr,
};

use crate::services::MAX_ARGS;
use crate::status::NtStatus;

/// Bytes of the per-thread service buffer.
pub const SERVICE_BUFFER_SIZE: usize = 64 * 1024;
/// Alignment of every span in the service buffer (CONTEXT needs 16).
pub const SPAN_ALIGN: usize = 16;
/// seL4's `seL4_MsgMaxLength` (sel4-abi `MSG_MAX_LENGTH`, checked in tests).
pub const SEL4_MSG_MAX_LENGTH: usize = 120;
/// Most words in a call: every argument plus the extent word.
pub const MAX_CALL_WORDS: usize = MAX_ARGS + 1;
/// Most words in a reply: the mask plus one per argument.
pub const MAX_REPLY_WORDS: usize = MAX_ARGS + 1;

const _: () = assert!(MAX_CALL_WORDS <= SEL4_MSG_MAX_LENGTH && MAX_REPLY_WORDS <= SEL4_MSG_MAX_LENGTH);
// Span offsets are stored in 16-byte units in 12 bits.
const _: () = assert!(SERVICE_BUFFER_SIZE / SPAN_ALIGN <= 1 << OFFSET_BITS);

const TAG_SHIFT: u32 = 62;
const TAG_SPAN: u64 = 1;
const TAG_USER: u64 = 2;
const TAG_REPLY: u64 = 3;
const OFFSET_SHIFT: u32 = 47;
const OFFSET_BITS: u32 = 12;
/// Low 47 bits: a length or a user address (user space ends below 2^47).
pub const AUX_MASK: u64 = (1 << 47) - 1;

/// What a pointer argument's word becomes on the wire.
///
/// Encoding (bits 63-62 are the tag):
/// - `0` exactly: [`Descriptor::Null`].
/// - tag 01: [`Descriptor::Span`]; bits 58-47 = offset / 16, bits 46-0 =
///   `aux`; bits 61-59 zero.
/// - tag 10: [`Descriptor::User`]; bits 46-0 = the address; bits 61-47 zero.
/// - tag 11 with nothing else set: [`Descriptor::Reply`].
///
/// Anything else is malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Descriptor {
    /// A NULL pointer (or a zero-length buffer, whose pointer Windows never
    /// looks at).
    Null,
    /// Data in the service buffer at `offset` (a multiple of
    /// [`SPAN_ALIGN`]). `aux` is the span's length, except for an OutBuf,
    /// whose length is its length argument: there `aux` is the caller's
    /// buffer address, which the Executive needs to build pointers into it
    /// (OBJECT_NAME_INFORMATION, OBJECT_DIRECTORY_INFORMATION, ...).
    Span { offset: u32, aux: u64 },
    /// A byte buffer left in the caller's memory at `addr`; its length is
    /// its length argument.
    User { addr: u64 },
    /// A word-sized output whose value comes back in a reply register.
    Reply,
}

impl Descriptor {
    /// The wire word, or None if a field does not fit its bits (an offset
    /// not aligned or beyond the buffer, an aux or address of 2^47 or more).
    pub const fn encode(self) -> Option<u64> {
        match self {
            Descriptor::Null => Some(0),
            Descriptor::Span { offset, aux } => {
                let off = offset as u64;
                if !off.is_multiple_of(SPAN_ALIGN as u64)
                    || off / SPAN_ALIGN as u64 >= 1 << OFFSET_BITS
                    || aux > AUX_MASK
                {
                    return None;
                }
                Some(TAG_SPAN << TAG_SHIFT | (off / SPAN_ALIGN as u64) << OFFSET_SHIFT | aux)
            }
            Descriptor::User { addr } => {
                if addr > AUX_MASK {
                    return None;
                }
                Some(TAG_USER << TAG_SHIFT | addr)
            }
            Descriptor::Reply => Some(TAG_REPLY << TAG_SHIFT),
        }
    }

    /// Parses a wire word; None when it is malformed.
    pub const fn decode(word: u64) -> Option<Descriptor> {
        let body = word & ((1 << TAG_SHIFT) - 1);
        match word >> TAG_SHIFT {
            0 if word == 0 => Some(Descriptor::Null),
            TAG_SPAN if body >> (OFFSET_SHIFT + OFFSET_BITS) == 0 => Some(Descriptor::Span {
                offset: (((body >> OFFSET_SHIFT) & ((1 << OFFSET_BITS) - 1)) * SPAN_ALIGN as u64) as u32,
                aux: body & AUX_MASK,
            }),
            TAG_USER if body >> OFFSET_SHIFT == 0 => Some(Descriptor::User { addr: body }),
            TAG_REPLY if body == 0 => Some(Descriptor::Reply),
            _ => None,
        }
    }
}

/// Access to the calling thread's memory, implemented by ntdll (and by
/// tests). Every method reports a bad range as an NTSTATUS (normally
/// STATUS_ACCESS_VIOLATION) instead of faulting; the marshaller passes the
/// status on unchanged.
///
/// The methods copy rather than lend slices: caller memory can change under
/// the copy (other threads), and a copy keeps that race out of Rust's
/// aliasing rules.
pub trait UserMemory {
    /// Copies `dst.len()` bytes from the caller's address `addr`.
    fn read(&self, addr: u64, dst: &mut [u8]) -> Result<(), NtStatus>;
    /// Checks that `len` bytes at `addr` could be written, without writing
    /// (Windows probes output pointers before it acts).
    fn probe_write(&self, addr: u64, len: u64) -> Result<(), NtStatus>;
    /// Copies `src` to the caller's address `addr`.
    fn write(&mut self, addr: u64, src: &[u8]) -> Result<(), NtStatus>;
}

/// Checks a caller range the way ProbeForRead/ProbeForWrite do before any
/// access: a zero length is always accepted; otherwise the range must not
/// wrap and must end at or below `MM_USER_PROBE_ADDRESS`
/// (STATUS_ACCESS_VIOLATION). Whether the pages are mapped is the memory
/// manager's question, asked when the handler copies.
pub fn check_user_range(addr: u64, len: u64) -> Result<(), NtStatus> {
    if len == 0 {
        return Ok(());
    }
    match addr.checked_add(len) {
        Some(end) if end <= crate::types::MM_USER_PROBE_ADDRESS => Ok(()),
        _ => Err(crate::status::STATUS_ACCESS_VIOLATION),
    }
}

/// Rounds up to [`SPAN_ALIGN`].
const fn align_up(n: u64) -> u64 {
    (n + SPAN_ALIGN as u64 - 1) & !(SPAN_ALIGN as u64 - 1)
}

/// Little-endian field readers for the safe parsing of wire records.
fn rd_u16(b: &[u8], at: usize) -> u16 {
    let mut a = [0u8; 2];
    if let Some(s) = b.get(at..at + 2) {
        a.copy_from_slice(s);
    }
    u16::from_le_bytes(a)
}

fn rd_u32(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        a.copy_from_slice(s);
    }
    u32::from_le_bytes(a)
}

fn rd_u64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    if let Some(s) = b.get(at..at + 8) {
        a.copy_from_slice(s);
    }
    u64::from_le_bytes(a)
}

fn wr_u32(b: &mut [u8], at: usize, v: u32) {
    if let Some(s) = b.get_mut(at..at + 4) {
        s.copy_from_slice(&v.to_le_bytes());
    }
}

fn wr_u64(b: &mut [u8], at: usize, v: u64) {
    if let Some(s) = b.get_mut(at..at + 8) {
        s.copy_from_slice(&v.to_le_bytes());
    }
}

/// The OBJECT_ATTRIBUTES record in the service buffer: the caller's
/// structure (same 0x30-byte layout) with ObjectName replaced by a
/// descriptor of the name's characters (NULL or a Span whose aux is the
/// byte length). Security fields travel as the caller's raw pointers: Triton
/// does not interpret security descriptors yet.
pub mod oa_record {
    /// Record size (= `sizeof(OBJECT_ATTRIBUTES)`).
    pub const SIZE: usize = 0x30;
    pub const LENGTH: usize = 0x00;
    pub const ROOT_DIRECTORY: usize = 0x08;
    pub const OBJECT_NAME: usize = 0x10;
    pub const ATTRIBUTES: usize = 0x18;
    pub const SECURITY_DESCRIPTOR: usize = 0x20;
    pub const SECURITY_QOS: usize = 0x28;
}

/// Field offsets of a `UNICODE_STRING` in caller memory.
mod us {
    pub const SIZE: usize = 0x10;
    pub const LENGTH: usize = 0;
    pub const MAXIMUM_LENGTH: usize = 2;
    pub const BUFFER: usize = 8;
}

/// Where a thread finds its way to the Executive: words the Executive writes
/// into the thread's TEB (in `_reserved_0x110`, the TEB's SystemReserved1
/// area, which Windows keeps for the system) before the thread runs.
pub mod teb_slots {
    /// The cptr of the thread's service endpoint (a Call there is a service call).
    pub const SERVICE_ENDPOINT: usize = 0x110;
    /// The address of the thread's service buffer ([`super::SERVICE_BUFFER_SIZE`] bytes).
    pub const SERVICE_BUFFER: usize = 0x118;
    /// The address of the thread's seL4 IPC buffer (MR4 and up).
    pub const IPC_BUFFER: usize = 0x120;
    /// The address of the thread's active [`ProbeFrame`](super::probe) while
    /// ntdll touches caller memory, else 0.
    pub const PROBE_FRAME: usize = 0x128;
}

/// Touching caller memory without SEH: while ntdll copies a caller's
/// arguments in or results out, `teb_slots::PROBE_FRAME` points at a frame
/// on its stack. If that copy faults on memory the caller may not touch,
/// the Executive does not end the process: it resumes the thread at
/// `frame[RESUME_RIP]` with RSP = `frame[RESUME_RSP]`, RCX = the frame's
/// address and RAX = STATUS_ACCESS_VIOLATION (STATUS_GUARD_PAGE_VIOLATION
/// for a guard page), and ntdll's recovery code
/// restores the rest of the registers from the frame and returns the status
/// from the service stub.
pub mod probe {
    /// Word index of the recovery address in the frame.
    pub const RESUME_RIP: usize = 0;
    /// Word index of the stack pointer to resume with.
    pub const RESUME_RSP: usize = 1;
}
