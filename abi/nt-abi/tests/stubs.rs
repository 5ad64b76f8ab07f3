//! The table used the way ntdll and the Executive will use it: a macro
//! generates one `extern "system"` stub per service (every argument one
//! machine word, as on Win64), each stub marshals, "calls" an in-process
//! Executive that unmarshals, dispatches on the typed `Call` and replies,
//! and the stub copies the outputs back. Pointers are addresses in a fake
//! caller address space.

mod common;

use std::cell::RefCell;

use common::{FakeMemory, Rng};
use nt_abi::services::pointee;
use nt_abi::status::*;
use nt_abi::types::Handle;
use nt_abi::wire::{self, Call, Reply, SERVICE_BUFFER_SIZE};
use nt_abi::{NtStatus, ServiceId};

thread_local! {
    static MEM: RefCell<FakeMemory> = RefCell::new(FakeMemory::new(256 * 1024));
    static SHARED: RefCell<Vec<u8>> = RefCell::new(vec![0; SERVICE_BUFFER_SIZE]);
    static TRACE: RefCell<Vec<ServiceId>> = const { RefCell::new(Vec::new()) };
}

/// The stub body every generated stub shares: marshal, IPC, copy back.
fn syscall(service: ServiceId, args: &[u64]) -> NtStatus {
    MEM.with(|m| {
        SHARED.with(|s| {
            let (mut mem, mut shared) = (m.borrow_mut(), s.borrow_mut());
            let call = match wire::marshal(service, args, &*mem, &mut shared) {
                Ok(c) => c,
                Err(status) => return status,
            };
            // seL4_Call(label, words) ... the Executive runs ...
            let (label, reply) = executive(call.label(), call.words(), &mut shared);
            wire::copy_back(&call, wire::reply_status(label), &reply, &shared, &mut *mem)
        })
    })
}

macro_rules! stubs {
    ($( $(#[$m:meta])* $name:ident = $num:literal {
        $( $arg:ident : $kind:ident $(<$t:ident>)? $({ $($k:ident : $v:ident),* })? ),* $(,)?
    } ),* $(,)?) => { $(
        #[allow(non_snake_case, dead_code, clippy::too_many_arguments)]
        $(#[$m])*
        pub extern "system" fn $name($($arg: u64),*) -> NtStatus {
            syscall(ServiceId::$name, &[$($arg),*])
        }
    )* };
}

nt_abi::nt_services!(stubs);

/// A toy Executive: a handle table of events and one symbolic link.
fn executive(label: u64, mrs: &[u64], shared: &mut [u8]) -> (u64, Vec<u64>) {
    let service = match ServiceId::from_label(label) {
        Ok(s) => s,
        Err(e) => return (e.0 as u64, vec![]),
    };
    TRACE.with(|t| t.borrow_mut().push(service));
    // Snapshot the inputs before looking at them.
    let snapshot = match wire::extent(service, mrs) {
        Ok(ext) => shared[..ext.in_end as usize].to_vec(),
        Err(e) => return (e.0 as u64, vec![]),
    };
    let call = match wire::unmarshal(service, mrs, &snapshot).and_then(|d| d.typed()) {
        Ok(c) => c,
        Err(e) => return (e.0 as u64, vec![]),
    };
    let mut reply = Reply::new(service, shared);
    let status = dispatch(call, &mut reply);
    reply.set_status(status);
    (reply.label(), reply.words().to_vec())
}

fn dispatch(call: Call<'_>, reply: &mut Reply<'_>) -> NtStatus {
    let link: Vec<u8> = "\\Device\\Beep".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let result = match call {
        Call::NtYieldExecution(_) => Ok(STATUS_SUCCESS),
        Call::NtClose(a) => Ok(if a.handle == Handle(0x44) { STATUS_SUCCESS } else { STATUS_INVALID_HANDLE }),
        Call::NtCreateEvent(a) => {
            let name = a.object_attributes.and_then(|oa| oa.object_name);
            assert_eq!(name.map(|n| format!("{n:?}")).as_deref(), Some("\"\\\\BaseNamedObjects\\\\Ready\""));
            reply.put::<pointee::Handle>(a.event_handle, &Handle(0x44)).map(|()| STATUS_SUCCESS)
        }
        Call::NtSetEvent(a) => {
            if a.event_handle != Handle(0x44) {
                Ok(STATUS_OBJECT_TYPE_MISMATCH)
            } else {
                match a.previous_state {
                    Some(out) => reply.put::<pointee::I32>(out, &0).map(|()| STATUS_SUCCESS),
                    None => Ok(STATUS_SUCCESS),
                }
            }
        }
        Call::NtWaitForSingleObject(a) => {
            Ok(if a.timeout.map(|t| t.get()) == Some(0) { STATUS_TIMEOUT } else { STATUS_SUCCESS })
        }
        Call::NtQuerySymbolicLinkObject(a) => {
            // Windows: too small -> BUFFER_TOO_SMALL with the needed size.
            let needed = link.len() as u32;
            let size_out = |reply: &mut Reply<'_>| match a.returned_length {
                Some(out) => reply.put::<pointee::U32>(out, &needed),
                None => Ok(()),
            };
            if (a.link_target.span.len as usize) < link.len() {
                size_out(reply).map(|()| STATUS_BUFFER_TOO_SMALL)
            } else {
                reply
                    .put_string(a.link_target, &link, link.len() as u16)
                    .and_then(|()| size_out(reply))
                    .map(|()| STATUS_SUCCESS)
            }
        }
        Call::NtQueryInformationThread(a) => {
            let info = [0x5Au8; 0x30]; // a THREAD_BASIC_INFORMATION
            if a.thread_information.len != info.len() as u64 {
                Ok(STATUS_INFO_LENGTH_MISMATCH)
            } else {
                reply.put_buffer(&a.thread_information, &info).and_then(|n| match a.return_length {
                    Some(out) => reply.put::<pointee::U32>(out, &(n as u32)).map(|()| STATUS_SUCCESS),
                    None => Ok(STATUS_SUCCESS),
                })
            }
        }
        _ => Ok(STATUS_NOT_IMPLEMENTED),
    };
    result.unwrap_or_else(|e| e)
}

fn mem<R>(f: impl FnOnce(&mut FakeMemory) -> R) -> R {
    MEM.with(|m| f(&mut m.borrow_mut()))
}

#[test]
fn stubs_drive_the_executive() {
    let mut rng = Rng::new(7);
    assert_eq!(NtYieldExecution(), STATUS_SUCCESS);
    assert_eq!(NtTestAlert(), STATUS_NOT_IMPLEMENTED);

    // NtCreateEvent(&h, EVENT_ALL_ACCESS, &oa, SynchronizationEvent, FALSE)
    let (h, oa) = mem(|m| {
        let units: Vec<u8> = "\\BaseNamedObjects\\Ready".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let name = m.unicode_string(&mut rng, units.len() as u16, units.len() as u16);
        let buffer = u64::from_le_bytes(m.peek(name + 8, 8).try_into().unwrap());
        m.poke(buffer, &units);
        let oa = m.alloc(&mut rng, 0x30);
        let mut rec = [0u8; 0x30];
        rec[0] = 0x30;
        rec[16..24].copy_from_slice(&name.to_le_bytes());
        rec[24..28].copy_from_slice(&0x40u32.to_le_bytes());
        m.poke(oa, &rec);
        (m.alloc(&mut rng, 8), oa)
    });
    assert_eq!(NtCreateEvent(h, 0x1F_0003, oa, 1, 0), STATUS_SUCCESS);
    let handle = mem(|m| u64::from_le_bytes(m.peek(h, 8).try_into().unwrap()));
    assert_eq!(handle, 0x44);

    // NtSetEvent with and without PreviousState; a wrong handle.
    let prev = mem(|m| {
        let p = m.alloc(&mut rng, 4);
        m.poke(p, &[0xFF; 4]);
        p
    });
    assert_eq!(NtSetEvent(handle, prev), STATUS_SUCCESS);
    assert_eq!(mem(|m| m.peek(prev, 4).to_vec()), vec![0; 4]);
    assert_eq!(NtSetEvent(handle, 0), STATUS_SUCCESS);
    assert_eq!(NtSetEvent(0x48, 0), STATUS_OBJECT_TYPE_MISMATCH);

    // A zero timeout.
    let t = mem(|m| {
        let t = m.alloc(&mut rng, 8);
        m.poke(t, &0i64.to_le_bytes());
        t
    });
    assert_eq!(NtWaitForSingleObject(handle, 0, t), STATUS_TIMEOUT);
    assert_eq!(NtWaitForSingleObject(handle, 0, 0), STATUS_SUCCESS);

    // A bad pointer never reaches the Executive.
    let before = TRACE.with(|t| t.borrow().len());
    assert_eq!(NtWaitForSingleObject(handle, 0, 0x10), STATUS_ACCESS_VIOLATION);
    assert_eq!(NtCreateEvent(0, 0x1F_0003, 0, 1, 0), STATUS_ACCESS_VIOLATION);
    assert_eq!(TRACE.with(|t| t.borrow().len()), before);

    // Variable-size output: too small, then big enough.
    let (small, big, ret) = mem(|m| {
        let small = m.unicode_string(&mut rng, 0, 4);
        let big = m.unicode_string(&mut rng, 0, 64);
        (small, big, m.alloc(&mut rng, 4))
    });
    assert_eq!(NtQuerySymbolicLinkObject(4, small, ret), STATUS_BUFFER_TOO_SMALL);
    assert_eq!(mem(|m| u32::from_le_bytes(m.peek(ret, 4).try_into().unwrap())), 24);
    assert_eq!(mem(|m| u16::from_le_bytes(m.peek(small, 2).try_into().unwrap())), 0); // untouched
    assert_eq!(NtQuerySymbolicLinkObject(4, big, ret), STATUS_SUCCESS);
    let text = mem(|m| {
        let len = u16::from_le_bytes(m.peek(big, 2).try_into().unwrap()) as usize;
        let buffer = u64::from_le_bytes(m.peek(big + 8, 8).try_into().unwrap());
        let units: Vec<u16> = m.peek(buffer, len).chunks(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        String::from_utf16(&units).unwrap()
    });
    assert_eq!(text, "\\Device\\Beep");

    // A fixed-size information class.
    let (info, len) = mem(|m| (m.alloc(&mut rng, 0x30), m.alloc(&mut rng, 4)));
    assert_eq!(NtQueryInformationThread(Handle::CURRENT_THREAD.0, 0, info, 0x20, len), STATUS_INFO_LENGTH_MISMATCH);
    assert_eq!(NtQueryInformationThread(Handle::CURRENT_THREAD.0, 0, info, 0x30, len), STATUS_SUCCESS);
    assert_eq!(mem(|m| m.peek(info, 0x30).to_vec()), vec![0x5A; 0x30]);
    assert_eq!(mem(|m| u32::from_le_bytes(m.peek(len, 4).try_into().unwrap())), 0x30);

    // Handles: the Executive's answer travels back unchanged.
    assert_eq!(NtClose(0x44), STATUS_SUCCESS);
    assert_eq!(NtClose(0x48), STATUS_INVALID_HANDLE);
}

#[test]
fn a_forged_label_is_an_invalid_system_service() {
    let mut shared = vec![0u8; 16];
    let (label, words) = executive(ServiceId::ALL.len() as u64, &[], &mut shared);
    assert_eq!(NtStatus(label as u32), STATUS_INVALID_SYSTEM_SERVICE);
    assert!(words.is_empty());
}
