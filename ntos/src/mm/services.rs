//! The memory services: NtAllocateVirtualMemory, NtFreeVirtualMemory,
//! NtProtectVirtualMemory, NtQueryVirtualMemory, NtReadVirtualMemory and
//! NtWriteVirtualMemory. The rules are the VAD logic's (`mm::vad`); these
//! handlers find the process, carry out the page actions, and return the
//! rounded ranges the way Windows writes them back.

use crate::ex::dispatch::Outcome;
use crate::ex::Executive;
use core::mem::offset_of;
use nt_abi::classes::MemoryInfoClass;
use nt_abi::status::*;
use nt_abi::types::MemoryBasicInformation as Mbi;
use nt_abi::wire::{args, OutBuffer, Reply};
use nt_abi::NtStatus;

/// The MEMORY_BASIC_INFORMATION bytes (padding zero).
fn mbi_bytes(m: &Mbi) -> [u8; core::mem::size_of::<Mbi>()] {
    let mut b = [0u8; core::mem::size_of::<Mbi>()];
    let mut put = |at: usize, v: &[u8]| crate::record::put(&mut b, at, v);
    put(offset_of!(Mbi, base_address), &m.base_address.to_le_bytes());
    put(offset_of!(Mbi, allocation_base), &m.allocation_base.to_le_bytes());
    put(offset_of!(Mbi, allocation_protect), &m.allocation_protect.to_le_bytes());
    put(offset_of!(Mbi, partition_id), &m.partition_id.to_le_bytes());
    put(offset_of!(Mbi, region_size), &m.region_size.to_le_bytes());
    put(offset_of!(Mbi, state), &m.state.to_le_bytes());
    put(offset_of!(Mbi, protect), &m.protect.to_le_bytes());
    put(offset_of!(Mbi, type_), &m.type_.to_le_bytes());
    b
}

impl Executive {
    pub fn nt_allocate_virtual_memory(&mut self, tid: u64, a: args::NtAllocateVirtualMemory, reply: &mut Reply) -> Outcome {
        // The system commit limit binds every process: what is left of it
        // is this process's room to commit more.
        let room = self.commit_limit().saturating_sub(self.commit_charge());
        let r = self.process_for(tid, a.process_handle, nt_abi::consts::PROCESS_VM_OPERATION).and_then(|pid| {
            let p = self.processes.get_mut(&pid).ok_or(STATUS_PROCESS_IS_TERMINATING)?;
            p.vad.set_commit_limit(p.vad.committed_private_pages() + room);
            let change = p.vad.allocate(
                a.base_address.input.get(),
                a.region_size.input.get(),
                a.allocation_type,
                a.page_protection,
                a.zero_bits,
            )?;
            p.apply(&mut self.mem, &change.actions)?;
            Ok((change.base, change.size))
        });
        self.ranged_reply(r, a.base_address.output, a.region_size.output, reply)
    }

    pub fn nt_free_virtual_memory(&mut self, tid: u64, a: args::NtFreeVirtualMemory, reply: &mut Reply) -> Outcome {
        let r = self.process_for(tid, a.process_handle, nt_abi::consts::PROCESS_VM_OPERATION).and_then(|pid| {
            let p = self.processes.get_mut(&pid).ok_or(STATUS_PROCESS_IS_TERMINATING)?;
            let change = p.vad.free(a.base_address.input.get(), a.region_size.input.get(), a.free_type)?;
            p.apply(&mut self.mem, &change.actions)?;
            Ok((change.base, change.size))
        });
        self.ranged_reply(r, a.base_address.output, a.region_size.output, reply)
    }

    pub fn nt_protect_virtual_memory(&mut self, tid: u64, a: args::NtProtectVirtualMemory, reply: &mut Reply) -> Outcome {
        let r = self.process_for(tid, a.process_handle, nt_abi::consts::PROCESS_VM_OPERATION).and_then(|pid| {
            let p = self.processes.get_mut(&pid).ok_or(STATUS_PROCESS_IS_TERMINATING)?;
            let (change, old) = p.vad.protect(a.base_address.input.get(), a.region_size.input.get(), a.new_protection)?;
            p.apply(&mut self.mem, &change.actions)?;
            Ok((change.base, change.size, old))
        });
        match r {
            Ok((base, size, old)) => {
                let _ = reply.put(a.old_protection, &old);
                self.ranged_reply(Ok((base, size)), a.base_address.output, a.region_size.output, reply)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    /// x86 keeps instruction caches coherent: only the handle is checked.
    pub fn nt_flush_instruction_cache(&mut self, tid: u64, a: args::NtFlushInstructionCache) -> Outcome {
        Outcome::Reply(match self.process_for(tid, a.process_handle, nt_abi::consts::PROCESS_VM_WRITE) {
            Ok(_) => STATUS_SUCCESS,
            Err(e) => e,
        })
    }

    /// NtLockVirtualMemory: Triton never pages memory out, so locking means
    /// giving every page of the range its frame now. MAP_PROCESS (1) is
    /// the lock a process may take; MAP_SYSTEM (2) needs a privilege.
    pub fn nt_lock_virtual_memory(&mut self, tid: u64, a: args::NtLockVirtualMemory, reply: &mut Reply) -> Outcome {
        const MAP_PROCESS: u32 = 1;
        const MAP_SYSTEM: u32 = 2;
        if a.map_type & !(MAP_PROCESS | MAP_SYSTEM) != 0 || a.map_type == 0 {
            return Outcome::Reply(STATUS_INVALID_PARAMETER);
        }
        if a.map_type & MAP_SYSTEM != 0 {
            return Outcome::Reply(STATUS_PRIVILEGE_NOT_HELD);
        }
        let r = self.process_for(tid, a.process_handle, nt_abi::consts::PROCESS_VM_OPERATION).and_then(|pid| {
            let p = self.processes.get_mut(&pid).filter(|p| p.alive()).ok_or(STATUS_PROCESS_IS_TERMINATING)?;
            let (base, size) = (a.base_address.input.get(), a.region_size.input.get());
            let end = base.checked_add(size).filter(|_| size != 0).ok_or(STATUS_INVALID_PARAMETER)?;
            let (start, end) = (base & !0xFFF, end.next_multiple_of(0x1000));
            let mut page = start;
            while page < end {
                if !p.vad.page(page).is_some_and(|i| i.state.is_committed()) {
                    return Err(STATUS_NOT_COMMITTED);
                }
                page += 0x1000;
            }
            // Touching each page backs it (the Executive's own read would
            // not: untouched pages read as zero without a frame).
            let mut page = start;
            while page < end {
                let mut b = [0u8; 1];
                p.read(&mut self.mem, page, &mut b, false)?;
                p.write(&mut self.mem, page, &b, false)?;
                page += 0x1000;
            }
            Ok((start, end - start))
        });
        self.ranged_reply(r, a.base_address.output, a.region_size.output, reply)
    }

    /// Writes back a (base, size) pair, as the range services do.
    fn ranged_reply(
        &self,
        r: Result<(u64, u64), NtStatus>,
        base: nt_abi::wire::OutRef<nt_abi::services::pointee::Usize>,
        size: nt_abi::wire::OutRef<nt_abi::services::pointee::Usize>,
        reply: &mut Reply,
    ) -> Outcome {
        match r {
            Ok((b, s)) => {
                let _ = reply.put(base, &b);
                let _ = reply.put(size, &s);
                Outcome::Reply(STATUS_SUCCESS)
            }
            Err(e) => Outcome::Reply(e),
        }
    }

    pub fn nt_query_virtual_memory(&mut self, tid: u64, a: args::NtQueryVirtualMemory, reply: &mut Reply) -> Outcome {
        let pid = match self.process_for(tid, a.process_handle, nt_abi::consts::PROCESS_QUERY_INFORMATION) {
            Ok(p) => p,
            Err(e) => return Outcome::Reply(e),
        };
        let Some(p) = self.processes.get(&pid) else { return Outcome::Reply(STATUS_PROCESS_IS_TERMINATING) };
        match MemoryInfoClass::try_from(a.memory_information_class) {
            Ok(MemoryInfoClass::MemoryBasicInformation) => {
                let size = core::mem::size_of::<Mbi>() as u64;
                if a.memory_information_length < size {
                    return Outcome::Reply(STATUS_INFO_LENGTH_MISMATCH);
                }
                match p.vad.query(a.base_address) {
                    Ok(m) => {
                        let bytes = mbi_bytes(&m);
                        let st = self.put_out(tid, &a.memory_information, &bytes, reply);
                        if st == STATUS_SUCCESS {
                            if let Some(r) = a.return_length {
                                let _ = reply.put(r, &size);
                            }
                        }
                        Outcome::Reply(st)
                    }
                    Err(e) => Outcome::Reply(e),
                }
            }
            // The file behind an image view: UNICODE_STRING then the name
            // (the OBJECT_NAME_INFORMATION rules); memory with no file
            // behind it is STATUS_INVALID_ADDRESS (the WRK's queryvm.c).
            Ok(MemoryInfoClass::MemoryMappedFilenameInformation) => {
                let name = match p.vad.query(a.base_address) {
                    Ok(m) => p.mapped_files.get(&m.allocation_base).cloned(),
                    Err(e) => return Outcome::Reply(e),
                };
                let Some(name) = name else { return Outcome::Reply(STATUS_INVALID_ADDRESS) };
                let text = (name.len() * 2) as u64;
                let need = 16 + text + 2;
                if let Some(r) = a.return_length {
                    let _ = reply.put(r, &need);
                }
                if a.memory_information_length < 16 {
                    return Outcome::Reply(STATUS_INFO_LENGTH_MISMATCH);
                }
                if a.memory_information_length < need {
                    return Outcome::Reply(STATUS_BUFFER_OVERFLOW);
                }
                let mut b = alloc::vec::Vec::with_capacity(need as usize);
                b.extend_from_slice(&(text as u16).to_le_bytes());
                b.extend_from_slice(&((text + 2) as u16).to_le_bytes());
                b.extend_from_slice(&[0; 4]);
                b.extend_from_slice(&(a.memory_information.user_addr + 16).to_le_bytes());
                b.extend(name.iter().flat_map(|u| u.to_le_bytes()));
                b.extend_from_slice(&[0, 0]);
                Outcome::Reply(self.put_out(tid, &a.memory_information, &b, reply))
            }
            Ok(_) => Outcome::Reply(STATUS_NOT_IMPLEMENTED),
            Err(_) => Outcome::Reply(STATUS_INVALID_INFO_CLASS),
        }
    }

    pub fn nt_read_virtual_memory(&mut self, tid: u64, a: args::NtReadVirtualMemory, reply: &mut Reply) -> Outcome {
        let pid = match self.process_for(tid, a.process_handle, nt_abi::consts::PROCESS_VM_READ) {
            Ok(p) => p,
            Err(e) => return Outcome::Reply(e),
        };
        let len = a.number_of_bytes_to_read;
        if len > 16 << 20 {
            return Outcome::Reply(STATUS_INSUFFICIENT_RESOURCES);
        }
        let mut data = match super::heap::try_zeroed(len as usize) {
            Ok(d) => d,
            Err(e) => return Outcome::Reply(e),
        };
        let st = match self.processes.get_mut(&pid) {
            Some(p) => p.read(&mut self.mem, a.base_address, &mut data, true).map_or_else(|_| STATUS_PARTIAL_COPY, |()| STATUS_SUCCESS),
            None => STATUS_PROCESS_IS_TERMINATING,
        };
        if st != STATUS_SUCCESS {
            return Outcome::Reply(st);
        }
        let st = self.put_out(tid, &a.buffer, &data, reply);
        if st == STATUS_SUCCESS {
            if let Some(r) = a.number_of_bytes_read {
                let _ = reply.put(r, &len);
            }
        }
        Outcome::Reply(st)
    }

    pub fn nt_write_virtual_memory(&mut self, tid: u64, a: args::NtWriteVirtualMemory, reply: &mut Reply) -> Outcome {
        let pid = match self.process_for(tid, a.process_handle, nt_abi::consts::PROCESS_VM_WRITE) {
            Ok(p) => p,
            Err(e) => return Outcome::Reply(e),
        };
        let data = match self.get_in(tid, &a.buffer) {
            Ok(d) => d,
            Err(e) => return Outcome::Reply(e),
        };
        let st = match self.processes.get_mut(&pid) {
            Some(p) => p.write(&mut self.mem, a.base_address, &data, true).map_or_else(|_| STATUS_PARTIAL_COPY, |()| STATUS_SUCCESS),
            None => STATUS_PROCESS_IS_TERMINATING,
        };
        if st == STATUS_SUCCESS {
            if let Some(r) = a.number_of_bytes_written {
                let _ = reply.put(r, &(data.len() as u64));
            }
        }
        Outcome::Reply(st)
    }

    /// Delivers an output buffer's bytes: into the shared buffer, or into
    /// the caller's memory when the buffer was left there.
    pub fn put_out(&mut self, tid: u64, out: &OutBuffer, data: &[u8], reply: &mut Reply) -> NtStatus {
        if data.len() as u64 > out.len {
            return STATUS_BUFFER_TOO_SMALL;
        }
        if reply.buffer_mut(out).is_some() {
            return match reply.put_buffer(out, data) {
                Ok(_) => STATUS_SUCCESS,
                Err(e) => e,
            };
        }
        let pid = self.caller_pid(tid);
        match self.processes.get_mut(&pid).filter(|p| p.alive()) {
            Some(p) => match nt_abi::wire::check_user_range(out.user_addr, data.len() as u64) {
                Ok(()) => p.write(&mut self.mem, out.user_addr, data, true).err().unwrap_or(STATUS_SUCCESS),
                Err(e) => e,
            },
            None => STATUS_INVALID_HANDLE,
        }
    }

    /// An input buffer's bytes, from the snapshot or the caller's memory.
    pub fn get_in(&mut self, tid: u64, b: &nt_abi::wire::BufferRef) -> Result<alloc::vec::Vec<u8>, NtStatus> {
        match *b {
            nt_abi::wire::BufferRef::Local(bytes) => Ok(bytes.to_vec()),
            nt_abi::wire::BufferRef::User { addr, len } => {
                nt_abi::wire::check_user_range(addr, len)?;
                if len > 16 << 20 {
                    return Err(STATUS_INSUFFICIENT_RESOURCES);
                }
                let mut v = super::heap::try_zeroed(len as usize)?;
                let pid = self.caller_pid(tid);
                let p = self.processes.get_mut(&pid).filter(|p| p.alive()).ok_or(STATUS_INVALID_HANDLE)?;
                p.read(&mut self.mem, addr, &mut v, true)?;
                Ok(v)
            }
        }
    }
}

