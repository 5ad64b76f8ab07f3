//! The reply: [`Reply`] is how an Executive handler writes outputs (reply
//! registers for word-sized values, the shared service buffer for the
//! rest), and [`copy_back`] is how the ntdll stub delivers them to the
//! caller's pointers afterwards.

use super::marshal::CopyBack;
use super::unmarshal::{OutBuffer, OutBufferTarget, OutRef, OutStringSlot, OutTarget};
use super::{MarshalledCall, UserMemory, MAX_REPLY_WORDS};
use crate::services::pointee::{Fixed, PointeeType};
use crate::services::{ServiceDesc, ServiceId};
use crate::status::{NtStatus, STATUS_BUFFER_TOO_SMALL, STATUS_INTERNAL_ERROR, STATUS_NOT_IMPLEMENTED, STATUS_SUCCESS};

/// A reply under construction. Holds the Executive's mapping of the
/// calling thread's service buffer, where span outputs are written.
pub struct Reply<'s> {
    desc: &'static ServiceDesc,
    status: NtStatus,
    /// `msg[0]`: the written mask; `msg[1 + k]`: output k.
    msg: [u64; MAX_REPLY_WORDS],
    shared: &'s mut [u8],
}

impl<'s> Reply<'s> {
    /// An empty reply (STATUS_SUCCESS, nothing written) for `service`.
    pub fn new(service: ServiceId, shared: &'s mut [u8]) -> Self {
        Reply { desc: service.desc(), status: STATUS_SUCCESS, msg: [0; MAX_REPLY_WORDS], shared }
    }

    /// Sets the NTSTATUS.
    pub fn set_status(&mut self, status: NtStatus) {
        self.status = status;
    }

    /// The NTSTATUS.
    pub fn status(&self) -> NtStatus {
        self.status
    }

    /// The reply label: the NTSTATUS.
    pub fn label(&self) -> u64 {
        self.status.0 as u64
    }

    /// The reply message registers: none when nothing was written, else
    /// the mask and one word per output.
    pub fn words(&self) -> &[u64] {
        if self.msg[0] == 0 {
            &[]
        } else {
            &self.msg[..self.desc.reply_words()]
        }
    }

    fn mark(&mut self, slot: u8, word: u64) -> Result<(), NtStatus> {
        if slot >= self.desc.outputs {
            return Err(STATUS_INTERNAL_ERROR);
        }
        self.msg[0] |= 1 << slot;
        self.msg[1 + slot as usize] = word;
        Ok(())
    }

    /// Writes a typed output (`Out<T>`, `InOut<T>`).
    pub fn put<T: Fixed>(&mut self, out: OutRef<T>, value: &T::Value) -> Result<(), NtStatus> {
        match out.slot.target {
            OutTarget::Word => {
                let mut b = [0u8; 8];
                T::encode(value, &mut b[..T::KIND.size().min(8)]);
                self.mark(out.slot.slot, u64::from_le_bytes(b))
            }
            OutTarget::Span(span) => {
                let dst = self.shared.get_mut(span.range()).ok_or(STATUS_INTERNAL_ERROR)?;
                T::encode(value, dst);
                self.mark(out.slot.slot, span.len as u64)
            }
        }
    }

    /// Writes an output given as raw bytes (CONTEXT, PS_CREATE_INFO):
    /// exactly the pointee's size, zero-filled if `bytes` is shorter.
    pub fn put_bytes<T: PointeeType>(&mut self, out: OutRef<T>, bytes: &[u8]) -> Result<(), NtStatus> {
        match out.slot.target {
            OutTarget::Word => {
                let mut b = [0u8; 8];
                let n = bytes.len().min(T::KIND.size()).min(8);
                b[..n].copy_from_slice(&bytes[..n]);
                self.mark(out.slot.slot, u64::from_le_bytes(b))
            }
            OutTarget::Span(span) => {
                let dst = self.shared.get_mut(span.range()).ok_or(STATUS_INTERNAL_ERROR)?;
                let n = bytes.len().min(dst.len());
                dst[..n].copy_from_slice(&bytes[..n]);
                dst[n..].fill(0);
                self.mark(out.slot.slot, span.len as u64)
            }
        }
    }

    /// The bytes of an output buffer in the shared buffer, to build a
    /// result in place; report the length with [`Reply::set_written`].
    /// None for a buffer left in the caller's memory.
    pub fn buffer_mut(&mut self, out: &OutBuffer) -> Option<&mut [u8]> {
        match out.target {
            OutBufferTarget::Local(span) => self.shared.get_mut(span.range()),
            OutBufferTarget::User => None,
        }
    }

    /// Records that the first `n` bytes of an output buffer are valid.
    pub fn set_written(&mut self, out: &OutBuffer, n: u64) -> Result<(), NtStatus> {
        match out.target {
            OutBufferTarget::Local(span) if n <= span.len as u64 => self.mark(out.slot, n),
            OutBufferTarget::Local(_) => Err(STATUS_INTERNAL_ERROR),
            // Written in place by the Executive; nothing for the stub to do.
            OutBufferTarget::User => Ok(()),
        }
    }

    /// Copies `data` into an output buffer (at most its length) and returns
    /// how many bytes were written. A buffer left in the caller's memory
    /// must be written by the Executive's own user-memory access
    /// (STATUS_NOT_IMPLEMENTED here).
    pub fn put_buffer(&mut self, out: &OutBuffer, data: &[u8]) -> Result<u64, NtStatus> {
        let dst = self.buffer_mut(out).ok_or(STATUS_NOT_IMPLEMENTED)?;
        let n = data.len().min(dst.len());
        dst[..n].copy_from_slice(&data[..n]);
        self.set_written(out, n as u64)?;
        Ok(n as u64)
    }

    /// Fills a caller's UNICODE_STRING: `data` (UTF-16LE bytes, possibly
    /// with a terminating NUL beyond `length`) and the new Length.
    /// STATUS_BUFFER_TOO_SMALL if either exceeds MaximumLength; the handler
    /// normally checks first and reports the needed size instead.
    pub fn put_string(&mut self, out: OutStringSlot, data: &[u8], length: u16) -> Result<(), NtStatus> {
        if data.len() > out.span.len as usize || length as u32 > out.span.len {
            return Err(STATUS_BUFFER_TOO_SMALL);
        }
        let dst = self.shared.get_mut(out.span.range()).ok_or(STATUS_INTERNAL_ERROR)?;
        dst[..data.len()].copy_from_slice(data);
        self.mark(out.slot, data.len() as u64 | (length as u64) << 32)
    }
}

/// The NTSTATUS a reply label carries; a label wider than 32 bits is not
/// one the Executive sends (STATUS_INTERNAL_ERROR).
pub fn reply_status(label: u64) -> NtStatus {
    if label > u32::MAX as u64 {
        STATUS_INTERNAL_ERROR
    } else {
        NtStatus(label as u32)
    }
}

/// Delivers a reply's outputs to the caller's pointers and returns the
/// status the stub returns: `status`, or STATUS_ACCESS_VIOLATION if an
/// output pointer became unwritable meanwhile (as Windows returns when its
/// final write faults), or STATUS_INTERNAL_ERROR for a malformed reply (in
/// which case nothing is written).
///
/// `reply` are the reply message registers, `shared` the thread's service
/// buffer.
pub fn copy_back<M: UserMemory + ?Sized>(
    call: &MarshalledCall,
    status: NtStatus,
    reply: &[u64],
    shared: &[u8],
    mem: &mut M,
) -> NtStatus {
    if reply.is_empty() {
        return status;
    }
    let n_out = call.n_out as usize;
    if n_out == 0 || reply.len() != 1 + n_out {
        return STATUS_INTERNAL_ERROR;
    }
    let mask = reply[0];
    if mask >> n_out != 0 {
        return STATUS_INTERNAL_ERROR;
    }
    let written = |k: usize| mask & (1 << k) != 0;

    // Check everything before writing anything.
    for k in (0..n_out).filter(|&k| written(k)) {
        let w = reply[1 + k];
        let ok = match call.outputs[k] {
            CopyBack::Skip | CopyBack::Word { .. } => true,
            CopyBack::Bytes { offset, cap, .. } => w <= cap as u64 && shared.len() as u64 >= offset as u64 + w,
            CopyBack::String { offset, cap, .. } => {
                let (n, len) = (w & 0xFFFF_FFFF, w >> 32);
                n <= cap as u64 && len <= cap as u64 && shared.len() as u64 >= offset as u64 + n
            }
        };
        if !ok {
            return STATUS_INTERNAL_ERROR;
        }
    }

    for k in (0..n_out).filter(|&k| written(k)) {
        let w = reply[1 + k];
        let result = match call.outputs[k] {
            CopyBack::Skip => Ok(()),
            CopyBack::Word { addr, size } => mem.write(addr, &w.to_le_bytes()[..size as usize]),
            CopyBack::Bytes { addr, offset, .. } => {
                let src = &shared[offset as usize..offset as usize + w as usize];
                if src.is_empty() {
                    Ok(())
                } else {
                    mem.write(addr, src)
                }
            }
            CopyBack::String { header, buffer, offset, .. } => {
                let n = (w & 0xFFFF_FFFF) as usize;
                let src = &shared[offset as usize..offset as usize + n];
                let data = if src.is_empty() { Ok(()) } else { mem.write(buffer, src) };
                data.and_then(|()| mem.write(header, &((w >> 32) as u16).to_le_bytes()))
            }
        };
        if let Err(e) = result {
            return e;
        }
    }
    status
}
