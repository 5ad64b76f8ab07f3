//! The Executive's side of a call: [`unmarshal`] turns the message words
//! and a private snapshot of the service buffer into validated views of
//! every argument ([`DecodedArgs`]), without panicking on any input.
//!
//! Views borrow the snapshot (inputs) or name places to write (outputs:
//! [`OutSlot`], [`OutBuffer`], [`OutStringSlot`], used with
//! [`Reply`](super::Reply)). Typed per-service structs are built from them
//! by [`DecodedArgs::typed`].

use core::fmt;
use core::marker::PhantomData;

use super::{oa_record, rd_u32, rd_u64, Descriptor, SERVICE_BUFFER_SIZE};
use crate::consts::OBJ_VALID_ATTRIBUTES;
use crate::services::pointee::{Fixed, PointeeType};
use crate::services::{ArgKind, Dir, Pointee, ServiceId, MAX_ARGS};
use crate::status::{
    NtStatus, STATUS_ACCESS_VIOLATION, STATUS_INTERNAL_ERROR, STATUS_INVALID_PARAMETER, STATUS_OBJECT_NAME_INVALID,
};
use crate::types::{Handle, ObjectAttributes};

/// A validated range of the service buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    pub offset: u32,
    pub len: u32,
}

impl Span {
    /// The byte range.
    pub fn range(self) -> core::ops::Range<usize> {
        self.offset as usize..self.offset as usize + self.len as usize
    }
}

/// The buffer extent a call declares (its last word).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Extent {
    /// Inputs are `0..in_end`: the part the Executive must snapshot.
    pub in_end: u32,
    /// Outputs are reserved below `end`.
    pub end: u32,
}

/// Reads and checks a call's extent word: `in_end <= end <=
/// SERVICE_BUFFER_SIZE`. Services that never use the buffer have an empty
/// extent. The Executive calls this first, copies `0..in_end` of the shared
/// buffer, and passes that copy to [`unmarshal`].
pub fn extent(service: ServiceId, mrs: &[u64]) -> Result<Extent, NtStatus> {
    let desc = service.desc();
    if mrs.len() != desc.call_words() {
        return Err(STATUS_INVALID_PARAMETER);
    }
    if !desc.uses_buffer {
        return Ok(Extent::default());
    }
    let w = mrs[desc.args.len()];
    let (in_end, end) = (w as u32, (w >> 32) as u32);
    if in_end > end || end as usize > SERVICE_BUFFER_SIZE {
        return Err(STATUS_INVALID_PARAMETER);
    }
    Ok(Extent { in_end, end })
}

/// Input bytes: in the snapshot, or left in the caller's memory.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum BufferRef<'a> {
    Local(&'a [u8]),
    /// Not yet validated: the handler checks the range (see
    /// [`check_user_range`](super::check_user_range)) when it reads it.
    User {
        addr: u64,
        len: u64,
    },
}

impl<'a> BufferRef<'a> {
    /// Length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            BufferRef::Local(b) => b.len() as u64,
            BufferRef::User { len, .. } => *len,
        }
    }

    /// Is it empty?
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, when they are in the snapshot.
    pub fn local(&self) -> Option<&'a [u8]> {
        match self {
            BufferRef::Local(b) => Some(b),
            BufferRef::User { .. } => None,
        }
    }
}

impl fmt::Debug for BufferRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BufferRef::Local(b) => write!(f, "Local({} bytes)", b.len()),
            BufferRef::User { addr, len } => write!(f, "User({addr:#x}, {len})"),
        }
    }
}

/// Where an output goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutTarget {
    /// A word-sized value, returned in reply register MR1+slot.
    Word,
    /// A span of the shared buffer (larger pointees).
    Span(Span),
}

/// One output argument: its reply slot and where its bytes go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutSlot {
    /// Index among the service's outputs (bit in the written mask).
    pub slot: u8,
    pub target: OutTarget,
}

/// An output byte buffer (OutBuf).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutBuffer {
    pub slot: u8,
    /// Its length argument.
    pub len: u64,
    /// The caller's address of the buffer (0 for an empty one): pointers the
    /// Executive writes into the output must point there.
    pub user_addr: u64,
    pub target: OutBufferTarget,
}

/// Where an OutBuf's bytes go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutBufferTarget {
    /// The shared buffer; the stub copies the written bytes out.
    Local(Span),
    /// The caller's memory directly (unvalidated, as [`BufferRef::User`]).
    User,
}

/// A caller-provided UNICODE_STRING to fill (OutString): capacity
/// `span.len` bytes (its MaximumLength).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutStringSlot {
    pub slot: u8,
    pub span: Span,
}

/// The characters of an input UNICODE_STRING (UTF-16LE, even length, no
/// terminator).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct UnicodeStr<'a>(pub &'a [u8]);

impl<'a> UnicodeStr<'a> {
    /// Length in bytes (the UNICODE_STRING's Length).
    pub fn len_bytes(&self) -> usize {
        self.0.len()
    }

    /// Is it empty?
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The UTF-16 code units.
    pub fn units(&self) -> impl Iterator<Item = u16> + 'a {
        self.0.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]))
    }

    /// The raw bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.0
    }
}

impl fmt::Debug for UnicodeStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"")?;
        for c in char::decode_utf16(self.units()) {
            write!(f, "{}", c.unwrap_or(char::REPLACEMENT_CHARACTER).escape_debug())?;
        }
        write!(f, "\"")
    }
}

/// A validated OBJECT_ATTRIBUTES.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectAttributesView<'a> {
    pub root_directory: Handle,
    pub object_name: Option<UnicodeStr<'a>>,
    /// OBJ_* flags, all within OBJ_VALID_ATTRIBUTES.
    pub attributes: u32,
    /// Raw caller pointers, not interpreted yet.
    pub security_descriptor: u64,
    pub security_quality_of_service: u64,
}

/// One decoded argument, by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgValue<'a> {
    /// A scalar, truncated to its defined width (Bool is 0 or 1).
    Scalar(u64),
    /// In/OptIn: exactly the pointee's bytes, or None for NULL.
    In(Option<&'a [u8]>),
    /// Out/OptOut.
    Out(Option<OutSlot>),
    /// InOut/OptInOut: the input bytes and the output slot.
    InOut(Option<(&'a [u8], OutSlot)>),
    /// InBuf and InArray (empty when the length is 0).
    InBuf(BufferRef<'a>),
    OutBuf(OutBuffer),
    /// InSized/OptInSized: the whole record, its size field checked.
    InSized(Option<&'a [u8]>),
    String(UnicodeStr<'a>),
    OutString(OutStringSlot),
    ObjectAttributes(Option<ObjectAttributesView<'a>>),
}

/// All arguments of one call, validated.
#[derive(Clone, Copy, Debug)]
pub struct DecodedArgs<'a> {
    pub service: ServiceId,
    values: [ArgValue<'a>; MAX_ARGS],
    count: u8,
}

impl<'a> DecodedArgs<'a> {
    /// The arguments in prototype order.
    pub fn values(&self) -> &[ArgValue<'a>] {
        &self.values[..self.count as usize]
    }
}

/// Validates a call and returns views of its arguments.
///
/// `mrs` are the message registers as received, `snapshot` the Executive's
/// private copy of (at least) bytes `0..in_end` of the thread's service
/// buffer (see [`extent`]). Never panics; every malformed input is an
/// NTSTATUS (see the module documentation of [`crate::wire`]).
pub fn unmarshal<'a>(service: ServiceId, mrs: &[u64], snapshot: &'a [u8]) -> Result<DecodedArgs<'a>, NtStatus> {
    let desc = service.desc();
    let ext = extent(service, mrs)?;
    let in_end = ext.in_end as usize;
    if snapshot.len() < in_end {
        return Err(STATUS_INVALID_PARAMETER);
    }
    let input = &snapshot[..in_end];
    let end = ext.end as u64;

    let mut out = DecodedArgs { service, values: [ArgValue::Scalar(0); MAX_ARGS], count: desc.args.len() as u8 };
    let mut slot = 0u8;
    for (i, arg) in desc.args.iter().enumerate() {
        let word = mrs[i];
        let value = match arg.kind {
            ArgKind::Scalar(s) => ArgValue::Scalar(s.truncate(word)),
            ArgKind::Ptr { dir, ty, opt } => decode_ptr(word, dir, ty, opt, slot, input, end)?,
            ArgKind::InBuf { len } => {
                let n = length_arg(desc.args[len as usize].kind, mrs[len as usize]);
                ArgValue::InBuf(decode_in_buffer(word, n, input)?)
            }
            ArgKind::InArray { ty, count } => {
                let n =
                    length_arg(desc.args[count as usize].kind, mrs[count as usize]).saturating_mul(ty.size() as u64);
                ArgValue::InBuf(decode_in_buffer(word, n, input)?)
            }
            ArgKind::OutBuf { len, .. } => {
                let n = length_arg(desc.args[len as usize].kind, mrs[len as usize]);
                ArgValue::OutBuf(decode_out_buffer(word, n, slot, end)?)
            }
            ArgKind::InSized { ty, opt } => ArgValue::InSized(decode_sized(word, ty, opt, input)?),
            ArgKind::String => match Descriptor::decode(word) {
                Some(Descriptor::Null) => return Err(STATUS_ACCESS_VIOLATION),
                Some(Descriptor::Span { offset, aux }) => {
                    if aux % 2 != 0 {
                        return Err(STATUS_INVALID_PARAMETER);
                    }
                    ArgValue::String(UnicodeStr(in_span(input, offset, aux)?))
                }
                _ => return Err(STATUS_INVALID_PARAMETER),
            },
            ArgKind::OutString => match Descriptor::decode(word) {
                Some(Descriptor::Null) => return Err(STATUS_ACCESS_VIOLATION),
                Some(Descriptor::Span { offset, aux }) => {
                    if aux > u16::MAX as u64 {
                        return Err(STATUS_INVALID_PARAMETER);
                    }
                    ArgValue::OutString(OutStringSlot { slot, span: out_span(offset, aux, end)? })
                }
                _ => return Err(STATUS_INVALID_PARAMETER),
            },
            ArgKind::ObjectAttributes { opt } => ArgValue::ObjectAttributes(decode_oa(word, opt, input)?),
        };
        if arg.kind.is_output() {
            slot += 1;
        }
        out.values[i] = value;
    }
    Ok(out)
}

/// The value of a length argument, truncated as its kind says.
fn length_arg(kind: ArgKind, word: u64) -> u64 {
    match kind {
        ArgKind::Scalar(s) => s.truncate(word),
        _ => word,
    }
}

/// A span that must lie in the input part of the buffer.
fn in_span(input: &[u8], offset: u32, len: u64) -> Result<&[u8], NtStatus> {
    let start = offset as usize;
    let end = (offset as u64).checked_add(len).ok_or(STATUS_ACCESS_VIOLATION)?;
    if end > input.len() as u64 {
        return Err(STATUS_ACCESS_VIOLATION);
    }
    Ok(&input[start..end as usize])
}

/// A span that must lie below the declared end of the buffer.
fn out_span(offset: u32, len: u64, end: u64) -> Result<Span, NtStatus> {
    match (offset as u64).checked_add(len) {
        Some(e) if e <= end => Ok(Span { offset, len: len as u32 }),
        _ => Err(STATUS_ACCESS_VIOLATION),
    }
}

fn decode_ptr<'a>(
    word: u64,
    dir: Dir,
    ty: Pointee,
    opt: bool,
    slot: u8,
    input: &'a [u8],
    end: u64,
) -> Result<ArgValue<'a>, NtStatus> {
    let size = ty.size() as u64;
    let d = Descriptor::decode(word).ok_or(STATUS_INVALID_PARAMETER)?;
    if d == Descriptor::Null {
        if !opt {
            return Err(STATUS_ACCESS_VIOLATION);
        }
        return Ok(match dir {
            Dir::In => ArgValue::In(None),
            Dir::Out => ArgValue::Out(None),
            Dir::InOut => ArgValue::InOut(None),
        });
    }
    let word_out = ty.is_word();
    match (dir, d) {
        (Dir::Out, Descriptor::Reply) if word_out => Ok(ArgValue::Out(Some(OutSlot { slot, target: OutTarget::Word }))),
        (Dir::Out, Descriptor::Span { offset, aux }) if !word_out && aux == size => {
            let span = out_span(offset, aux, end)?;
            Ok(ArgValue::Out(Some(OutSlot { slot, target: OutTarget::Span(span) })))
        }
        (Dir::In, Descriptor::Span { offset, aux }) if aux == size => {
            Ok(ArgValue::In(Some(in_span(input, offset, aux)?)))
        }
        (Dir::InOut, Descriptor::Span { offset, aux }) if aux == size => {
            let bytes = in_span(input, offset, aux)?;
            let target = if word_out { OutTarget::Word } else { OutTarget::Span(Span { offset, len: aux as u32 }) };
            Ok(ArgValue::InOut(Some((bytes, OutSlot { slot, target }))))
        }
        _ => Err(STATUS_INVALID_PARAMETER),
    }
}

fn decode_in_buffer(word: u64, n: u64, input: &[u8]) -> Result<BufferRef<'_>, NtStatus> {
    match Descriptor::decode(word) {
        Some(Descriptor::Null) if n == 0 => Ok(BufferRef::Local(&[])),
        Some(Descriptor::Null) => Err(STATUS_ACCESS_VIOLATION),
        Some(Descriptor::Span { offset, aux }) if aux == n => Ok(BufferRef::Local(in_span(input, offset, aux)?)),
        Some(Descriptor::User { addr }) => Ok(BufferRef::User { addr, len: n }),
        _ => Err(STATUS_INVALID_PARAMETER),
    }
}

fn decode_out_buffer(word: u64, n: u64, slot: u8, end: u64) -> Result<OutBuffer, NtStatus> {
    match Descriptor::decode(word) {
        Some(Descriptor::Null) if n == 0 => {
            Ok(OutBuffer { slot, len: 0, user_addr: 0, target: OutBufferTarget::Local(Span::default()) })
        }
        Some(Descriptor::Null) => Err(STATUS_ACCESS_VIOLATION),
        Some(Descriptor::Span { offset, aux }) => {
            let span = out_span(offset, n, end)?;
            Ok(OutBuffer { slot, len: n, user_addr: aux, target: OutBufferTarget::Local(span) })
        }
        Some(Descriptor::User { addr }) => {
            Ok(OutBuffer { slot, len: n, user_addr: addr, target: OutBufferTarget::User })
        }
        _ => Err(STATUS_INVALID_PARAMETER),
    }
}

fn decode_sized(word: u64, ty: Pointee, opt: bool, input: &[u8]) -> Result<Option<&[u8]>, NtStatus> {
    match Descriptor::decode(word) {
        Some(Descriptor::Null) if opt => Ok(None),
        Some(Descriptor::Null) => Err(STATUS_ACCESS_VIOLATION),
        Some(Descriptor::Span { offset, aux }) => {
            let bytes = in_span(input, offset, aux)?;
            if (bytes.len()) < ty.size() {
                return Err(STATUS_INVALID_PARAMETER);
            }
            // The record's own size field must agree with the span: the
            // handler may trust either.
            let declared = match ty.size_field() {
                Some((at, 4)) => rd_u32(bytes, at) as u64,
                Some((at, _)) => rd_u64(bytes, at),
                None => return Err(STATUS_INTERNAL_ERROR),
            };
            if declared != aux {
                return Err(STATUS_INVALID_PARAMETER);
            }
            Ok(Some(bytes))
        }
        _ => Err(STATUS_INVALID_PARAMETER),
    }
}

fn decode_oa(word: u64, opt: bool, input: &[u8]) -> Result<Option<ObjectAttributesView<'_>>, NtStatus> {
    let rec = match Descriptor::decode(word) {
        Some(Descriptor::Null) if opt => return Ok(None),
        Some(Descriptor::Null) => return Err(STATUS_ACCESS_VIOLATION),
        Some(Descriptor::Span { offset, aux }) if aux == oa_record::SIZE as u64 => in_span(input, offset, aux)?,
        _ => return Err(STATUS_INVALID_PARAMETER),
    };
    // ObpCaptureObjectCreateInformation: Length must be the structure size
    // and the attributes must be valid ones.
    if rd_u32(rec, oa_record::LENGTH) != ObjectAttributes::SIZE {
        return Err(STATUS_INVALID_PARAMETER);
    }
    let attributes = rd_u32(rec, oa_record::ATTRIBUTES);
    if attributes & !OBJ_VALID_ATTRIBUTES != 0 {
        return Err(STATUS_INVALID_PARAMETER);
    }
    let object_name = match Descriptor::decode(rd_u64(rec, oa_record::OBJECT_NAME)) {
        Some(Descriptor::Null) => None,
        Some(Descriptor::Span { offset, aux }) => {
            if aux % 2 != 0 {
                return Err(STATUS_OBJECT_NAME_INVALID);
            }
            Some(UnicodeStr(in_span(input, offset, aux)?))
        }
        _ => return Err(STATUS_INVALID_PARAMETER),
    };
    Ok(Some(ObjectAttributesView {
        root_directory: Handle(rd_u64(rec, oa_record::ROOT_DIRECTORY)),
        object_name,
        attributes,
        security_descriptor: rd_u64(rec, oa_record::SECURITY_DESCRIPTOR),
        security_quality_of_service: rd_u64(rec, oa_record::SECURITY_QOS),
    }))
}

// ---------------------------------------------------------------------------
// Typed views: what the generated per-service structs hold.
// ---------------------------------------------------------------------------

/// A validated input pointee (`In<T>`): exactly `T`'s bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct InRef<'a, T> {
    bytes: &'a [u8],
    _t: PhantomData<T>,
}

impl<'a, T: PointeeType> InRef<'a, T> {
    /// The raw bytes (always `T::KIND.size()` of them).
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl<T: Fixed> InRef<'_, T> {
    /// The decoded value.
    pub fn get(&self) -> T::Value {
        T::decode(self.bytes)
    }
}

impl<T: PointeeType> fmt::Debug for InRef<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "In<{:?}>({:02x?})", T::KIND, self.bytes)
    }
}

/// An output pointee (`Out<T>`): pass it to
/// [`Reply::put`](super::Reply::put) or [`Reply::put_bytes`](super::Reply::put_bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct OutRef<T> {
    pub slot: OutSlot,
    _t: PhantomData<T>,
}

impl<T> OutRef<T> {
    /// A typed output for `slot` (the generated code's constructor).
    pub fn new(slot: OutSlot) -> Self {
        OutRef { slot, _t: PhantomData }
    }
}

impl<T: PointeeType> fmt::Debug for OutRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Out<{:?}>({:?})", T::KIND, self.slot)
    }
}

/// An in/out pointee (`InOut<T>`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct InOutRef<'a, T: PointeeType> {
    pub input: InRef<'a, T>,
    pub output: OutRef<T>,
}

/// An input array (`InArray<T>`) of `count` elements.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct InArrayRef<'a, T> {
    pub buffer: BufferRef<'a>,
    _t: PhantomData<T>,
}

impl<'a, T: Fixed + 'a> InArrayRef<'a, T> {
    /// The elements, when they are in the snapshot (else None: the handler
    /// reads the caller's memory).
    pub fn iter(&self) -> Option<impl Iterator<Item = T::Value> + 'a> {
        let size = T::KIND.size();
        self.buffer.local().map(move |b| b.chunks_exact(size).map(T::decode))
    }
}

impl<T: PointeeType> fmt::Debug for InArrayRef<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InArray<{:?}>({:?})", T::KIND, self.buffer)
    }
}

/// Conversion from a decoded argument to the typed view the table's kind
/// maps to. A mismatch means the generated code and the table disagree,
/// which cannot happen; it is reported as STATUS_INTERNAL_ERROR rather than
/// a panic all the same.
pub trait FromArg<'a>: Sized {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus>;
}

macro_rules! from_scalar {
    ($t:ty, |$w:ident| $e:expr) => {
        impl<'a> FromArg<'a> for $t {
            fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
                match v {
                    Some(ArgValue::Scalar($w)) => {
                        let $w = *$w;
                        Ok($e)
                    }
                    _ => Err(STATUS_INTERNAL_ERROR),
                }
            }
        }
    };
}

from_scalar!(u32, |w| w as u32);
from_scalar!(i32, |w| w as u32 as i32);
from_scalar!(u64, |w| w);
from_scalar!(bool, |w| w != 0);
from_scalar!(Handle, |w| Handle(w));
from_scalar!(Option<Handle>, |w| if w == 0 { None } else { Some(Handle(w)) });

impl<'a, T> FromArg<'a> for Option<InRef<'a, T>> {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
        match v {
            Some(ArgValue::In(b)) => Ok(b.map(|bytes| InRef { bytes, _t: PhantomData })),
            _ => Err(STATUS_INTERNAL_ERROR),
        }
    }
}

impl<'a, T> FromArg<'a> for InRef<'a, T> {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
        Option::<InRef<'a, T>>::from_arg(v)?.ok_or(STATUS_INTERNAL_ERROR)
    }
}

impl<'a, T> FromArg<'a> for Option<OutRef<T>> {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
        match v {
            Some(ArgValue::Out(s)) => Ok(s.map(OutRef::new)),
            _ => Err(STATUS_INTERNAL_ERROR),
        }
    }
}

impl<'a, T> FromArg<'a> for OutRef<T> {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
        Option::<OutRef<T>>::from_arg(v)?.ok_or(STATUS_INTERNAL_ERROR)
    }
}

impl<'a, T: PointeeType> FromArg<'a> for Option<InOutRef<'a, T>> {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
        match v {
            Some(ArgValue::InOut(x)) => {
                Ok(x.map(|(bytes, slot)| InOutRef {
                    input: InRef { bytes, _t: PhantomData },
                    output: OutRef::new(slot),
                }))
            }
            _ => Err(STATUS_INTERNAL_ERROR),
        }
    }
}

impl<'a, T: PointeeType> FromArg<'a> for InOutRef<'a, T> {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
        Option::<InOutRef<'a, T>>::from_arg(v)?.ok_or(STATUS_INTERNAL_ERROR)
    }
}

impl<'a> FromArg<'a> for BufferRef<'a> {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
        match v {
            Some(ArgValue::InBuf(b)) => Ok(*b),
            _ => Err(STATUS_INTERNAL_ERROR),
        }
    }
}

impl<'a, T> FromArg<'a> for InArrayRef<'a, T> {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
        match v {
            Some(ArgValue::InBuf(buffer)) => Ok(InArrayRef { buffer: *buffer, _t: PhantomData }),
            _ => Err(STATUS_INTERNAL_ERROR),
        }
    }
}

impl<'a> FromArg<'a> for OutBuffer {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
        match v {
            Some(ArgValue::OutBuf(b)) => Ok(*b),
            _ => Err(STATUS_INTERNAL_ERROR),
        }
    }
}

impl<'a> FromArg<'a> for Option<&'a [u8]> {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
        match v {
            Some(ArgValue::InSized(b)) => Ok(*b),
            _ => Err(STATUS_INTERNAL_ERROR),
        }
    }
}

impl<'a> FromArg<'a> for &'a [u8] {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
        Option::<&'a [u8]>::from_arg(v)?.ok_or(STATUS_INTERNAL_ERROR)
    }
}

impl<'a> FromArg<'a> for UnicodeStr<'a> {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
        match v {
            Some(ArgValue::String(s)) => Ok(*s),
            _ => Err(STATUS_INTERNAL_ERROR),
        }
    }
}

impl<'a> FromArg<'a> for OutStringSlot {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
        match v {
            Some(ArgValue::OutString(s)) => Ok(*s),
            _ => Err(STATUS_INTERNAL_ERROR),
        }
    }
}

impl<'a> FromArg<'a> for Option<ObjectAttributesView<'a>> {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
        match v {
            Some(ArgValue::ObjectAttributes(o)) => Ok(*o),
            _ => Err(STATUS_INTERNAL_ERROR),
        }
    }
}

impl<'a> FromArg<'a> for ObjectAttributesView<'a> {
    fn from_arg(v: Option<&ArgValue<'a>>) -> Result<Self, NtStatus> {
        Option::<ObjectAttributesView<'a>>::from_arg(v)?.ok_or(STATUS_INTERNAL_ERROR)
    }
}

/// Maps a table kind to its typed view (used by the generated structs).
#[doc(hidden)]
#[macro_export]
macro_rules! __nt_view_type {
    ($l:lifetime; U32) => { u32 };
    ($l:lifetime; I32) => { i32 };
    ($l:lifetime; Bool) => { bool };
    ($l:lifetime; Usize) => { u64 };
    ($l:lifetime; Addr) => { u64 };
    ($l:lifetime; AccessMask) => { $crate::types::AccessMask };
    ($l:lifetime; Handle) => { $crate::types::Handle };
    ($l:lifetime; OptHandle) => { ::core::option::Option<$crate::types::Handle> };
    ($l:lifetime; In<$t:ident>) => { $crate::wire::InRef<$l, $crate::services::pointee::$t> };
    ($l:lifetime; OptIn<$t:ident>) => {
        ::core::option::Option<$crate::wire::InRef<$l, $crate::services::pointee::$t>>
    };
    ($l:lifetime; Out<$t:ident>) => { $crate::wire::OutRef<$crate::services::pointee::$t> };
    ($l:lifetime; OptOut<$t:ident>) => { ::core::option::Option<$crate::wire::OutRef<$crate::services::pointee::$t>> };
    ($l:lifetime; InOut<$t:ident>) => { $crate::wire::InOutRef<$l, $crate::services::pointee::$t> };
    ($l:lifetime; OptInOut<$t:ident>) => {
        ::core::option::Option<$crate::wire::InOutRef<$l, $crate::services::pointee::$t>>
    };
    ($l:lifetime; InBuf { $($p:tt)* }) => { $crate::wire::BufferRef<$l> };
    ($l:lifetime; OutBuf { $($p:tt)* }) => { $crate::wire::OutBuffer };
    ($l:lifetime; InArray<$t:ident> { $($p:tt)* }) => { $crate::wire::InArrayRef<$l, $crate::services::pointee::$t> };
    ($l:lifetime; InSized<$t:ident>) => { &$l [u8] };
    ($l:lifetime; OptInSized<$t:ident>) => { ::core::option::Option<&$l [u8]> };
    ($l:lifetime; String) => { $crate::wire::UnicodeStr<$l> };
    ($l:lifetime; OutString) => { $crate::wire::OutStringSlot };
    ($l:lifetime; ObjectAttributes) => { $crate::wire::ObjectAttributesView<$l> };
    ($l:lifetime; OptObjectAttributes) => { ::core::option::Option<$crate::wire::ObjectAttributesView<$l>> };
}
