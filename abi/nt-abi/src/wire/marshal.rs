//! ntdll's side of a call: [`marshal`] turns the stub's raw argument words
//! into the message words and the service-buffer contents, reading caller
//! memory only through [`UserMemory`], and records what
//! [`copy_back`](super::copy_back) must write after the reply.
//!
//! Order of work: (1) capture every header (UNICODE_STRING,
//! OBJECT_ATTRIBUTES, variable-record sizes) and probe every output pointer,
//! so a bad pointer fails before anything is sent; (2) size the data that
//! must travel in the buffer (fixed pointees, strings, records) and let byte
//! buffers in while they fit, in prototype order; (3) lay inputs out from
//! offset 0, then output reservations, copying each input byte from the
//! caller exactly once.

use super::{
    align_up, oa_record, us, wr_u32, wr_u64, Descriptor, Extent, UserMemory, MAX_CALL_WORDS, SERVICE_BUFFER_SIZE,
    SPAN_ALIGN,
};
use crate::services::{ArgKind, Dir, ServiceId, MAX_ARGS};
use crate::status::{
    NtStatus, STATUS_ACCESS_VIOLATION, STATUS_DATATYPE_MISALIGNMENT, STATUS_INSUFFICIENT_RESOURCES,
    STATUS_INTERNAL_ERROR, STATUS_INVALID_PARAMETER, STATUS_NAME_TOO_LONG, STATUS_OBJECT_NAME_INVALID,
};

/// What the stub must do with one output after the reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CopyBack {
    /// Nothing: a NULL optional output, or a buffer the Executive writes in
    /// place.
    Skip,
    /// Store the low `size` bytes of the reply word at `addr`.
    Word { addr: u64, size: u8 },
    /// Copy the written bytes (at most `cap`) from the span at `offset`.
    Bytes { addr: u64, offset: u32, cap: u32 },
    /// Copy the characters to `buffer` and the new Length to the
    /// UNICODE_STRING at `header`.
    String { header: u64, buffer: u64, offset: u32, cap: u32 },
}

impl CopyBack {
    fn set_offset(&mut self, off: u32) {
        match self {
            CopyBack::Bytes { offset, .. } | CopyBack::String { offset, .. } => *offset = off,
            CopyBack::Skip | CopyBack::Word { .. } => {}
        }
    }
}

/// A marshalled call: the message to send and the copy-back plan.
#[derive(Clone, Copy, Debug)]
pub struct MarshalledCall {
    service: ServiceId,
    words: [u64; MAX_CALL_WORDS],
    len: u8,
    extent: Extent,
    pub(crate) outputs: [CopyBack; MAX_ARGS],
    pub(crate) n_out: u8,
}

impl MarshalledCall {
    /// The service called.
    pub fn service(&self) -> ServiceId {
        self.service
    }

    /// The IPC label: the service number.
    pub fn label(&self) -> u64 {
        self.service.number() as u64
    }

    /// The message registers to send.
    pub fn words(&self) -> &[u64] {
        &self.words[..self.len as usize]
    }

    /// The part of the service buffer in use.
    pub fn extent(&self) -> Extent {
        self.extent
    }
}

/// Per-argument plan, made before anything is written to the buffer.
#[derive(Clone, Copy)]
enum Plan {
    /// The final word: a scalar, or a Null/Reply/User descriptor.
    Word(u64),
    /// Copy `len` bytes from the caller's `src` into the input part.
    In { src: u64, len: u32 },
    /// Reserve `len` bytes in the output part; `aux` goes in the descriptor.
    Out { len: u32, aux: u64 },
    /// A byte buffer to read: inline if it fits, else left in place.
    FlexIn { src: u64, len: u64 },
    /// A byte buffer to fill: reserved if it fits, else left in place.
    FlexOut { dst: u64, len: u64 },
    /// An OBJECT_ATTRIBUTES, captured field by field, and its name.
    Oa { length: u32, root: u64, attributes: u32, sd: u64, sqos: u64, name: Option<(u64, u16)> },
}

/// Marshals one call.
///
/// `args` are the raw argument words as the stub received them, `mem` gives
/// access to the caller's memory, `buf` is the thread's service buffer (at
/// most [`SERVICE_BUFFER_SIZE`] bytes of it are used). Errors are what the
/// service would have returned for the same bad arguments, before anything
/// is sent: STATUS_ACCESS_VIOLATION (a NULL mandatory pointer, or whatever
/// `mem` reports), STATUS_NAME_TOO_LONG / STATUS_INSUFFICIENT_RESOURCES
/// (strings and records that together exceed the buffer), and
/// STATUS_INVALID_PARAMETER when `args` has the wrong length (a stub bug).
pub fn marshal<M: UserMemory + ?Sized>(
    service: ServiceId,
    args: &[u64],
    mem: &M,
    buf: &mut [u8],
) -> Result<MarshalledCall, NtStatus> {
    let desc = service.desc();
    let n = desc.args.len();
    if args.len() != n {
        return Err(STATUS_INVALID_PARAMETER);
    }
    let cap = buf.len().min(SERVICE_BUFFER_SIZE) as u64 & !(SPAN_ALIGN as u64 - 1);

    // Scalars first: buffers take their lengths from them.
    let mut scalars = [0u64; MAX_ARGS];
    for (i, a) in desc.args.iter().enumerate() {
        if let ArgKind::Scalar(s) = a.kind {
            scalars[i] = s.truncate(args[i]);
        }
    }

    // (1) Capture headers, probe outputs, plan.
    let mut plans = [Plan::Word(0); MAX_ARGS];
    let mut copy = [CopyBack::Skip; MAX_ARGS];
    let mut fixed = 0u64;
    let mut has_string = false;
    for (i, a) in desc.args.iter().enumerate() {
        let p = args[i];
        plans[i] = match a.kind {
            ArgKind::Scalar(_) => Plan::Word(scalars[i]),
            ArgKind::Ptr { dir, ty, opt } => {
                if p == 0 {
                    if !opt {
                        return Err(STATUS_ACCESS_VIOLATION);
                    }
                    Plan::Word(0)
                } else {
                    let size = ty.size() as u64;
                    // NtGet/SetContextThread probe the CONTEXT with its
                    // 16-byte alignment (CONTEXT_ALIGN); the other fixed
                    // records are probed without an alignment on x64.
                    if p % ty.align() != 0 {
                        return Err(STATUS_DATATYPE_MISALIGNMENT);
                    }
                    if dir != Dir::In {
                        mem.probe_write(p, size)?;
                        copy[i] = if ty.is_word() {
                            CopyBack::Word { addr: p, size: size as u8 }
                        } else {
                            CopyBack::Bytes { addr: p, offset: 0, cap: size as u32 }
                        };
                    }
                    match dir {
                        Dir::Out if ty.is_word() => Plan::Word(encode(Descriptor::Reply)?),
                        Dir::Out => {
                            fixed += align_up(size);
                            Plan::Out { len: size as u32, aux: size }
                        }
                        Dir::In | Dir::InOut => {
                            fixed += align_up(size);
                            Plan::In { src: p, len: size as u32 }
                        }
                    }
                }
            }
            ArgKind::InBuf { len } => flex_in(p, scalars[len as usize]),
            ArgKind::InArray { ty, count } => flex_in(p, scalars[count as usize].saturating_mul(ty.size() as u64)),
            ArgKind::OutBuf { len, .. } => match scalars[len as usize] {
                0 => Plan::Word(0),
                n => Plan::FlexOut { dst: p, len: n },
            },
            ArgKind::InSized { ty, opt } => {
                if p == 0 {
                    if !opt {
                        return Err(STATUS_ACCESS_VIOLATION);
                    }
                    Plan::Word(0)
                } else {
                    let (at, width) = ty.size_field().ok_or(STATUS_INTERNAL_ERROR)?;
                    let mut hdr = [0u8; 8];
                    mem.read(add(p, at as u64)?, &mut hdr[..width])?;
                    let size = u64::from_le_bytes(hdr);
                    if size > cap {
                        return Err(STATUS_INSUFFICIENT_RESOURCES);
                    }
                    fixed += align_up(size);
                    Plan::In { src: p, len: size as u32 }
                }
            }
            ArgKind::String => {
                if p == 0 {
                    return Err(STATUS_ACCESS_VIOLATION);
                }
                let (len, _, buffer) = read_unicode_string(mem, p)?;
                has_string |= len > 0;
                fixed += align_up(len as u64);
                Plan::In { src: buffer, len: len as u32 }
            }
            ArgKind::OutString => {
                if p == 0 {
                    return Err(STATUS_ACCESS_VIOLATION);
                }
                let (_, max, buffer) = read_unicode_string(mem, p)?;
                mem.probe_write(p, 2)?;
                if max > 0 {
                    mem.probe_write(buffer, max as u64)?;
                }
                has_string |= max > 0;
                fixed += align_up(max as u64);
                copy[i] = CopyBack::String { header: p, buffer, offset: 0, cap: max as u32 };
                Plan::Out { len: max as u32, aux: max as u64 }
            }
            ArgKind::ObjectAttributes { opt } => {
                if p == 0 {
                    if !opt {
                        return Err(STATUS_ACCESS_VIOLATION);
                    }
                    Plan::Word(0)
                } else {
                    // ObpCaptureObjectCreateInformation probes the record
                    // with ULONG alignment.
                    if p % 4 != 0 {
                        return Err(STATUS_DATATYPE_MISALIGNMENT);
                    }
                    let mut rec = [0u8; oa_record::SIZE];
                    mem.read(p, &mut rec)?;
                    let name_ptr = super::rd_u64(&rec, oa_record::OBJECT_NAME);
                    let name = if name_ptr == 0 {
                        None
                    } else {
                        let (len, max, buffer) = read_unicode_string(mem, name_ptr)?;
                        // ObpCaptureObjectName: an odd Length or one above
                        // MaximumLength is a bad name; the characters are
                        // probed with WCHAR alignment.
                        if len % 2 != 0 || len > max {
                            return Err(STATUS_OBJECT_NAME_INVALID);
                        }
                        if len > 0 && buffer % 2 != 0 {
                            return Err(STATUS_DATATYPE_MISALIGNMENT);
                        }
                        has_string |= len > 0;
                        fixed += align_up(len as u64);
                        Some((buffer, len))
                    };
                    fixed += oa_record::SIZE as u64;
                    Plan::Oa {
                        length: super::rd_u32(&rec, oa_record::LENGTH),
                        root: super::rd_u64(&rec, oa_record::ROOT_DIRECTORY),
                        attributes: super::rd_u32(&rec, oa_record::ATTRIBUTES),
                        sd: super::rd_u64(&rec, oa_record::SECURITY_DESCRIPTOR),
                        sqos: super::rd_u64(&rec, oa_record::SECURITY_QOS),
                        name,
                    }
                }
            }
        };
    }

    // (2) What must travel in the buffer has to fit; byte buffers come in
    // while they fit and otherwise stay in the caller's memory.
    if fixed > cap {
        return Err(if has_string { STATUS_NAME_TOO_LONG } else { STATUS_INSUFFICIENT_RESOURCES });
    }
    let mut room = cap - fixed;
    for (i, plan) in plans.iter_mut().enumerate().take(n) {
        match *plan {
            Plan::FlexIn { src, len } => {
                *plan = if src != 0 && align_up(len) <= room {
                    room -= align_up(len);
                    Plan::In { src, len: len as u32 }
                } else {
                    Plan::Word(encode(Descriptor::User { addr: src })?)
                };
            }
            Plan::FlexOut { dst, len } => {
                *plan = if dst != 0 && align_up(len) <= room {
                    mem.probe_write(dst, len)?;
                    room -= align_up(len);
                    copy[i] = CopyBack::Bytes { addr: dst, offset: 0, cap: len as u32 };
                    Plan::Out { len: len as u32, aux: dst }
                } else {
                    Plan::Word(encode(Descriptor::User { addr: dst })?)
                };
            }
            _ => {}
        }
    }

    // (3) Lay out and copy: inputs from 0, then outputs.
    let mut words = [0u64; MAX_CALL_WORDS];
    let mut cursor = 0u64;
    for i in 0..n {
        match plans[i] {
            Plan::In { src, len } => {
                let off = place(&mut cursor, len as u64);
                if len > 0 {
                    mem.read(src, region(buf, off, len as u64)?)?;
                }
                copy[i].set_offset(off);
                words[i] = span(off, len as u64)?;
            }
            Plan::Oa { length, root, attributes, sd, sqos, name } => {
                let off = place(&mut cursor, oa_record::SIZE as u64);
                let name_word = match name {
                    None => 0,
                    Some((buffer, len)) => {
                        let noff = place(&mut cursor, len as u64);
                        if len > 0 {
                            mem.read(buffer, region(buf, noff, len as u64)?)?;
                        }
                        span(noff, len as u64)?
                    }
                };
                let rec = region(buf, off, oa_record::SIZE as u64)?;
                rec.fill(0);
                wr_u32(rec, oa_record::LENGTH, length);
                wr_u64(rec, oa_record::ROOT_DIRECTORY, root);
                wr_u64(rec, oa_record::OBJECT_NAME, name_word);
                wr_u32(rec, oa_record::ATTRIBUTES, attributes);
                wr_u64(rec, oa_record::SECURITY_DESCRIPTOR, sd);
                wr_u64(rec, oa_record::SECURITY_QOS, sqos);
                words[i] = span(off, oa_record::SIZE as u64)?;
            }
            _ => {}
        }
    }
    let in_end = cursor;
    for i in 0..n {
        match plans[i] {
            Plan::Out { len, aux } => {
                let off = place(&mut cursor, len as u64);
                copy[i].set_offset(off);
                words[i] = encode(Descriptor::Span { offset: off, aux })?;
            }
            Plan::Word(w) => words[i] = w,
            _ => {}
        }
    }
    let extent = Extent { in_end: in_end as u32, end: cursor as u32 };
    let mut len = n;
    if desc.uses_buffer {
        words[n] = extent.in_end as u64 | (extent.end as u64) << 32;
        len += 1;
    }

    let mut outputs = [CopyBack::Skip; MAX_ARGS];
    let mut n_out = 0usize;
    for (i, a) in desc.args.iter().enumerate() {
        if a.kind.is_output() {
            outputs[n_out] = copy[i];
            n_out += 1;
        }
    }
    Ok(MarshalledCall { service, words, len: len as u8, extent, outputs, n_out: n_out as u8 })
}

/// A byte buffer of `len` bytes at `p`: nothing when empty.
fn flex_in(p: u64, len: u64) -> Plan {
    if len == 0 {
        Plan::Word(0)
    } else {
        Plan::FlexIn { src: p, len }
    }
}

/// Reads a caller UNICODE_STRING: (Length, MaximumLength, Buffer).
fn read_unicode_string<M: UserMemory + ?Sized>(mem: &M, p: u64) -> Result<(u16, u16, u64), NtStatus> {
    let mut h = [0u8; us::SIZE];
    mem.read(p, &mut h)?;
    Ok((super::rd_u16(&h, us::LENGTH), super::rd_u16(&h, us::MAXIMUM_LENGTH), super::rd_u64(&h, us::BUFFER)))
}

/// Caller address arithmetic: a wrap is a bad pointer.
fn add(p: u64, off: u64) -> Result<u64, NtStatus> {
    p.checked_add(off).ok_or(STATUS_ACCESS_VIOLATION)
}

/// Places `len` bytes at the cursor (aligned) and returns the offset.
/// Empty spans sit at offset 0 so they never need an out-of-range offset.
fn place(cursor: &mut u64, len: u64) -> u32 {
    if len == 0 {
        return 0;
    }
    let off = *cursor;
    *cursor = align_up(off + len);
    off as u32
}

fn region(buf: &mut [u8], off: u32, len: u64) -> Result<&mut [u8], NtStatus> {
    buf.get_mut(off as usize..off as usize + len as usize).ok_or(STATUS_INTERNAL_ERROR)
}

fn span(offset: u32, len: u64) -> Result<u64, NtStatus> {
    encode(Descriptor::Span { offset, aux: len })
}

/// A descriptor that does not fit its bits can only carry an address
/// outside user space.
fn encode(d: Descriptor) -> Result<u64, NtStatus> {
    d.encode().ok_or(STATUS_ACCESS_VIOLATION)
}
