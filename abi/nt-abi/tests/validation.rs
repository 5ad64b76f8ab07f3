//! The specific answers to specific bad input, on both sides: what the
//! stub refuses before sending, what the Executive refuses on receipt (each
//! with the NTSTATUS Windows gives for the same mistake), and the exact
//! wire layout of a few calls.

mod common;

use common::{FakeMemory, Rng};
use nt_abi::consts::{OBJ_CASE_INSENSITIVE, OBJ_INHERIT};
use nt_abi::services::pointee;
use nt_abi::status::*;
use nt_abi::types::Handle;
use nt_abi::wire::{
    copy_back, extent, marshal, unmarshal, ArgValue, BufferRef, Call, Descriptor, OutBufferTarget, OutTarget, Reply,
    SERVICE_BUFFER_SIZE, SPAN_ALIGN,
};
use nt_abi::ServiceId;
use proptest::prelude::*;

fn span(offset: u32, aux: u64) -> u64 {
    Descriptor::Span { offset, aux }.encode().unwrap()
}

fn ext(in_end: u64, end: u64) -> u64 {
    in_end | end << 32
}

/// An OBJECT_ATTRIBUTES record as it sits in the service buffer.
fn oa_record(length: u32, attributes: u32, name: u64) -> [u8; 0x30] {
    let mut r = [0u8; 0x30];
    r[0..4].copy_from_slice(&length.to_le_bytes());
    r[8..16].copy_from_slice(&0x40u64.to_le_bytes());
    r[16..24].copy_from_slice(&name.to_le_bytes());
    r[24..28].copy_from_slice(&attributes.to_le_bytes());
    r
}

// --------------------------------------------------------------------------
// Descriptors
// --------------------------------------------------------------------------

#[test]
fn descriptor_encoding() {
    assert_eq!(Descriptor::Null.encode(), Some(0));
    assert_eq!(Descriptor::decode(0), Some(Descriptor::Null));
    assert_eq!(Descriptor::Reply.encode(), Some(0xC000_0000_0000_0000));
    assert_eq!(Descriptor::decode(0xC000_0000_0000_0001), None);
    assert_eq!(Descriptor::Span { offset: 0x20, aux: 5 }.encode(), Some(0x4000_0000_0000_0000 | 2 << 47 | 5));
    // Unaligned or out-of-range offsets, oversized aux/addresses.
    assert_eq!(Descriptor::Span { offset: 8, aux: 0 }.encode(), None);
    assert_eq!(Descriptor::Span { offset: SERVICE_BUFFER_SIZE as u32, aux: 0 }.encode(), None);
    assert_eq!(Descriptor::Span { offset: 0, aux: 1 << 47 }.encode(), None);
    assert_eq!(Descriptor::User { addr: 1 << 47 }.encode(), None);
    // Tag 00 with payload, reserved bits set.
    assert_eq!(Descriptor::decode(1), None);
    assert_eq!(Descriptor::decode(0x4000_0000_0000_0000 | 1 << 59), None);
    assert_eq!(Descriptor::decode(0x8000_0000_0000_0000 | 1 << 47), None);
}

proptest! {
    #[test]
    fn descriptors_round_trip(word: u64) {
        if let Some(d) = Descriptor::decode(word) {
            prop_assert_eq!(d.encode(), Some(word));
        }
    }

    #[test]
    fn encoded_descriptors_decode(off in 0..(SERVICE_BUFFER_SIZE / SPAN_ALIGN) as u32, aux in 0u64..1 << 47) {
        let d = Descriptor::Span { offset: off * SPAN_ALIGN as u32, aux };
        prop_assert_eq!(Descriptor::decode(d.encode().unwrap()), Some(d));
        let u = Descriptor::User { addr: aux };
        prop_assert_eq!(Descriptor::decode(u.encode().unwrap()), Some(u));
    }
}

// --------------------------------------------------------------------------
// The Executive's checks
// --------------------------------------------------------------------------

#[test]
fn message_length_is_exact() {
    let id = ServiceId::NtClose;
    assert_eq!(unmarshal(id, &[], &[]).unwrap_err(), STATUS_INVALID_PARAMETER);
    assert_eq!(unmarshal(id, &[4, 0], &[]).unwrap_err(), STATUS_INVALID_PARAMETER);
    let d = unmarshal(id, &[4], &[]).unwrap();
    assert_eq!(d.values(), &[ArgValue::Scalar(4)]);
    // NtYieldExecution: no words at all.
    assert!(unmarshal(ServiceId::NtYieldExecution, &[], &[]).is_ok());
    assert_eq!(unmarshal(ServiceId::NtYieldExecution, &[0], &[]).unwrap_err(), STATUS_INVALID_PARAMETER);
}

#[test]
fn extent_is_checked() {
    let id = ServiceId::NtWaitForSingleObject; // handle, alertable, timeout, extent
    let big = SERVICE_BUFFER_SIZE as u64 + 16;
    for bad in [ext(32, 16), ext(0, big), ext(big, big)] {
        assert_eq!(extent(id, &[4, 1, 0, bad]).unwrap_err(), STATUS_INVALID_PARAMETER);
    }
    // The snapshot must cover the inputs.
    assert_eq!(unmarshal(id, &[4, 1, 0, ext(16, 16)], &[0; 8]).unwrap_err(), STATUS_INVALID_PARAMETER);
    assert!(unmarshal(id, &[4, 1, 0, ext(16, 16)], &[0; 16]).is_ok());
}

#[test]
fn scalars_are_truncated_to_their_width() {
    let id = ServiceId::NtWaitForSingleObject;
    let d = unmarshal(id, &[0xDEAD_0000_0000_0008, 0xFFFF_FF00, 0, ext(0, 0)], &[]).unwrap();
    // HANDLE keeps all 64 bits; BOOLEAN only its low byte (0 here: FALSE).
    assert_eq!(d.values()[0], ArgValue::Scalar(0xDEAD_0000_0000_0008));
    assert_eq!(d.values()[1], ArgValue::Scalar(0));
    let Call::NtWaitForSingleObject(a) = d.typed().unwrap() else { panic!() };
    assert_eq!(a.handle, Handle(0xDEAD_0000_0000_0008));
    assert!(!a.alertable);
    assert!(a.timeout.is_none());
    // ULONG and LONG: the low half.
    let d = unmarshal(ServiceId::NtTerminateThread, &[0, 0x1234_5678_C000_0005], &[]).unwrap();
    let Call::NtTerminateThread(a) = d.typed().unwrap() else { panic!() };
    assert_eq!(a.thread_handle, None);
    assert_eq!(a.exit_status, 0xC000_0005u32 as i32);
}

#[test]
fn mandatory_pointers_must_not_be_null() {
    // NtDelayExecution(Alertable, DelayInterval): DelayInterval is _In_.
    let id = ServiceId::NtDelayExecution;
    assert_eq!(unmarshal(id, &[0, 0, ext(0, 0)], &[]).unwrap_err(), STATUS_ACCESS_VIOLATION);
    // NtCreateEvent's EventHandle (_Out_) as NULL.
    let id = ServiceId::NtCreateEvent;
    assert_eq!(unmarshal(id, &[0, 0, 0, 0, 0, ext(0, 0)], &[]).unwrap_err(), STATUS_ACCESS_VIOLATION);
    // ... as REPLY it is fine, and the optional OBJECT_ATTRIBUTES may be NULL.
    let reply = Descriptor::Reply.encode().unwrap();
    let d = unmarshal(id, &[reply, 0x1F0003, 0, 1, 1, ext(0, 0)], &[]).unwrap();
    let Call::NtCreateEvent(a) = d.typed().unwrap() else { panic!() };
    assert_eq!(a.event_handle.slot.target, OutTarget::Word);
    assert!(a.object_attributes.is_none());
    assert_eq!((a.desired_access, a.event_type, a.initial_state), (0x1F0003, 1, true));
}

#[test]
fn descriptor_forms_must_fit_the_kind() {
    let id = ServiceId::NtCreateEvent;
    let reply = Descriptor::Reply.encode().unwrap();
    let user = Descriptor::User { addr: 0x1_0000 }.encode().unwrap();
    // A word-sized output given a span, or a User address.
    assert_eq!(unmarshal(id, &[span(0, 8), 0, 0, 0, 0, ext(16, 16)], &[0; 16]).unwrap_err(), STATUS_INVALID_PARAMETER);
    assert_eq!(unmarshal(id, &[user, 0, 0, 0, 0, ext(0, 0)], &[]).unwrap_err(), STATUS_INVALID_PARAMETER);
    // OBJECT_ATTRIBUTES as REPLY, as User, with the wrong span size, as garbage.
    for bad in [reply, user, span(0, 0x28), 0x1234] {
        assert_eq!(
            unmarshal(id, &[reply, 0, bad, 0, 0, ext(0x30, 0x30)], &[0; 0x30]).unwrap_err(),
            STATUS_INVALID_PARAMETER
        );
    }
    // An In<I64> of the wrong size.
    let id = ServiceId::NtDelayExecution;
    assert_eq!(unmarshal(id, &[0, span(0, 4), ext(16, 16)], &[0; 16]).unwrap_err(), STATUS_INVALID_PARAMETER);
}

#[test]
fn spans_must_lie_in_the_buffer() {
    let id = ServiceId::NtDelayExecution;
    // Input beyond in_end (though below end): not in the snapshot.
    assert_eq!(unmarshal(id, &[0, span(16, 8), ext(16, 32)], &[0; 32]).unwrap_err(), STATUS_ACCESS_VIOLATION);
    let d = unmarshal(id, &[0, span(16, 8), ext(32, 32)], &[0x11; 32]).unwrap();
    let Call::NtDelayExecution(a) = d.typed().unwrap() else { panic!() };
    assert_eq!(a.delay_interval.get(), 0x1111_1111_1111_1111);
    // An output span beyond end.
    let id = ServiceId::NtCreateThread; // client_id is Out<ClientId> (16 bytes)
    let reply = Descriptor::Reply.encode().unwrap();
    let mut mrs = [reply, 0, 0, 8, span(0x500, 16), span(0, 0x4D0), span(0x4D0, 0x28), 0, ext(0x500, 0x508)];
    let snap = vec![0u8; 0x500];
    assert_eq!(unmarshal(id, &mrs, &snap).unwrap_err(), STATUS_ACCESS_VIOLATION);
    mrs[8] = ext(0x510, 0x500); // in_end > end
    assert_eq!(unmarshal(id, &mrs, &snap).unwrap_err(), STATUS_INVALID_PARAMETER);
    mrs[8] = ext(0x500, 0x510);
    let d = unmarshal(id, &mrs, &snap).unwrap();
    let Call::NtCreateThread(a) = d.typed().unwrap() else { panic!() };
    assert_eq!(a.client_id.slot.target, OutTarget::Span(nt_abi::wire::Span { offset: 0x500, len: 16 }));
    assert_eq!(a.thread_context.bytes().len(), 0x4D0);
}

#[test]
fn buffers_follow_their_length_argument() {
    // NtSetInformationThread(handle, class, InBuf{len: 3}, len)
    let id = ServiceId::NtSetInformationThread;
    let snap = [7u8; 32];
    // Length 0: NULL is fine, and so is any span of length 0.
    let d = unmarshal(id, &[4, 17, 0, 0, ext(0, 0)], &[]).unwrap();
    assert_eq!(d.values()[2], ArgValue::InBuf(BufferRef::Local(&[])));
    // NULL with a length: the pointer would be dereferenced.
    assert_eq!(unmarshal(id, &[4, 17, 0, 4, ext(0, 0)], &[]).unwrap_err(), STATUS_ACCESS_VIOLATION);
    // A span whose size disagrees with the length argument.
    assert_eq!(unmarshal(id, &[4, 17, span(0, 3), 4, ext(32, 32)], &snap).unwrap_err(), STATUS_INVALID_PARAMETER);
    // The length's upper half is ignored (ULONG).
    let d = unmarshal(id, &[4, 17, span(0, 4), 0xFFFF_FFFF_0000_0004, ext(32, 32)], &snap).unwrap();
    assert_eq!(d.values()[2], ArgValue::InBuf(BufferRef::Local(&[7; 4])));
    // A buffer left in the caller's memory is passed on unvalidated.
    let user = Descriptor::User { addr: 0x7FFF_FFFF_0000 }.encode().unwrap();
    let d = unmarshal(id, &[4, 17, user, 0x1000, ext(0, 0)], &[]).unwrap();
    assert_eq!(d.values()[2], ArgValue::InBuf(BufferRef::User { addr: 0x7FFF_FFFF_0000, len: 0x1000 }));
    assert_eq!(nt_abi::wire::check_user_range(0x7FFF_FFFF_0000, 0x1000), Err(STATUS_ACCESS_VIOLATION));
    assert_eq!(nt_abi::wire::check_user_range(0x7FFF_FFFE_F000, 0x1000), Ok(()));
    assert_eq!(nt_abi::wire::check_user_range(u64::MAX, 2), Err(STATUS_ACCESS_VIOLATION));
    assert_eq!(nt_abi::wire::check_user_range(u64::MAX, 0), Ok(()));
}

#[test]
fn object_attributes_are_checked_like_windows() {
    let id = ServiceId::NtOpenEvent;
    let reply = Descriptor::Reply.encode().unwrap();
    let run = |rec: [u8; 0x30], name: &[u8]| {
        let mut snap = rec.to_vec();
        snap.resize(0x30, 0);
        snap.extend_from_slice(name);
        let end = snap.len() as u64;
        unmarshal(id, &[reply, 0x1F0003, span(0, 0x30), ext(end, end)], &snap).map(|d| match d.values()[2] {
            ArgValue::ObjectAttributes(Some(oa)) => {
                (oa.root_directory, oa.attributes, oa.object_name.map(|n| format!("{n:?}")))
            }
            other => panic!("{other:?}"),
        })
    };
    // Length must be sizeof(OBJECT_ATTRIBUTES).
    assert_eq!(run(oa_record(0x2C, 0, 0), &[]).unwrap_err(), STATUS_INVALID_PARAMETER);
    // Attribute bits outside OBJ_VALID_ATTRIBUTES (0x1FF2).
    assert_eq!(run(oa_record(0x30, 0x1, 0), &[]).unwrap_err(), STATUS_INVALID_PARAMETER);
    assert_eq!(run(oa_record(0x30, 0x2000, 0), &[]).unwrap_err(), STATUS_INVALID_PARAMETER);
    // An odd name length.
    assert_eq!(run(oa_record(0x30, 0, span(0x30, 3)), b"abc").unwrap_err(), STATUS_OBJECT_NAME_INVALID);
    // A name outside the snapshot, or a name given as a User address.
    assert_eq!(run(oa_record(0x30, 0, span(0x40, 2)), b"ab").unwrap_err(), STATUS_ACCESS_VIOLATION);
    let user = Descriptor::User { addr: 0x10000 }.encode().unwrap();
    assert_eq!(run(oa_record(0x30, 0, user), &[]).unwrap_err(), STATUS_INVALID_PARAMETER);
    // A good one.
    let name: Vec<u8> = "\\BaseNamedObjects\\E".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let (root, attributes, name) =
        run(oa_record(0x30, OBJ_CASE_INSENSITIVE | OBJ_INHERIT, span(0x30, name.len() as u64)), &name).unwrap();
    assert_eq!(root, Handle(0x40));
    assert_eq!(attributes, OBJ_CASE_INSENSITIVE | OBJ_INHERIT);
    assert_eq!(name.as_deref(), Some("\"\\\\BaseNamedObjects\\\\E\""));
}

#[test]
fn sized_records_must_agree_with_their_header() {
    // NtCreateThreadEx's attribute list: TotalLength (SIZE_T at 0) is the size.
    let id = ServiceId::NtCreateThreadEx;
    let reply = Descriptor::Reply.encode().unwrap();
    let mut snap = vec![0u8; 0x30];
    snap[0..8].copy_from_slice(&0x28u64.to_le_bytes());
    let mut mrs = [reply, 0, 0, 4, 0, 0, 0, 0, 0, 0, span(0, 0x28), ext(0x30, 0x30)];
    assert!(unmarshal(id, &mrs, &snap).is_ok());
    mrs[10] = span(0, 0x20);
    assert_eq!(unmarshal(id, &mrs, &snap).unwrap_err(), STATUS_INVALID_PARAMETER);
    // Smaller than the header.
    mrs[10] = span(0, 4);
    assert_eq!(unmarshal(id, &mrs, &snap).unwrap_err(), STATUS_INVALID_PARAMETER);
}

// --------------------------------------------------------------------------
// The stub's side
// --------------------------------------------------------------------------

#[test]
fn stub_refuses_bad_pointers_before_sending() {
    let mut mem = FakeMemory::new(64 * 1024);
    let mut rng = Rng::new(1);
    let mut buf = vec![0u8; SERVICE_BUFFER_SIZE];
    let id = ServiceId::NtQueryPerformanceCounter;
    // NULL mandatory output; unmapped output; read-only output.
    assert_eq!(marshal(id, &[0, 0], &mem, &mut buf).unwrap_err(), STATUS_ACCESS_VIOLATION);
    assert_eq!(marshal(id, &[0x10, 0], &mem, &mut buf).unwrap_err(), STATUS_ACCESS_VIOLATION);
    let ro = mem.alloc(&mut rng, 8);
    mem.ro = (ro, ro + 8);
    assert_eq!(marshal(id, &[ro, 0], &mem, &mut buf).unwrap_err(), STATUS_ACCESS_VIOLATION);
    // A UNICODE_STRING whose Buffer is unmapped.
    let s = mem.alloc(&mut rng, 16);
    let mut h = [0u8; 16];
    h[0..2].copy_from_slice(&8u16.to_le_bytes());
    h[8..16].copy_from_slice(&0x20u64.to_le_bytes());
    mem.poke(s, &h);
    assert_eq!(marshal(ServiceId::NtDisplayString, &[s], &mem, &mut buf).unwrap_err(), STATUS_ACCESS_VIOLATION);
    // Wrong argument count (a stub bug).
    assert_eq!(marshal(id, &[0], &mem, &mut buf).unwrap_err(), STATUS_INVALID_PARAMETER);
    assert!(mem.writes.is_empty());
}

#[test]
fn stub_checks_object_attributes_like_windows() {
    // ObpCaptureObjectCreateInformation probes the record with ULONG
    // alignment; ObpCaptureObjectName refuses an odd Length or one above
    // MaximumLength and probes the characters with WCHAR alignment.
    let mut mem = FakeMemory::new(64 * 1024);
    let mut buf = vec![0u8; SERVICE_BUFFER_SIZE];
    let id = ServiceId::NtOpenDirectoryObject;
    let handle = mem.alloc_aligned(8, 8);
    let chars = mem.alloc_aligned(64, 2);
    let name = mem.alloc_aligned(16, 8);
    let header = |length: u16, max: u16, buffer: u64| {
        let mut h = [0u8; 16];
        h[0..2].copy_from_slice(&length.to_le_bytes());
        h[2..4].copy_from_slice(&max.to_le_bytes());
        h[8..16].copy_from_slice(&buffer.to_le_bytes());
        h
    };
    let oa = mem.alloc_aligned(0x31, 8);
    mem.poke(oa, &oa_record(0x30, 0, name));
    let cases = [
        (header(8, 8, chars), oa, None),
        (header(8, 8, chars), oa + 1, Some(STATUS_DATATYPE_MISALIGNMENT)),
        (header(7, 8, chars), oa, Some(STATUS_OBJECT_NAME_INVALID)),
        (header(8, 6, chars), oa, Some(STATUS_OBJECT_NAME_INVALID)),
        (header(8, 8, chars + 1), oa, Some(STATUS_DATATYPE_MISALIGNMENT)),
        // An empty name's Buffer is never probed.
        (header(0, 0, 1), oa, None),
    ];
    // The misaligned record is refused before it is read.
    for (h, p, want) in cases {
        mem.poke(name, &h);
        let r = marshal(id, &[handle, 1, p], &mem, &mut buf);
        assert_eq!(r.err(), want, "{h:?} at {p:#x}");
    }
}

#[test]
fn a_context_is_probed_with_its_alignment() {
    let mut mem = FakeMemory::new(64 * 1024);
    let mut buf = vec![0u8; SERVICE_BUFFER_SIZE];
    let ctx = mem.alloc_aligned(0x4D0 + 16, 16);
    for id in [ServiceId::NtGetContextThread, ServiceId::NtSetContextThread] {
        assert!(marshal(id, &[4, ctx], &mem, &mut buf).is_ok(), "{id:?}");
        for off in [1, 4, 8] {
            let r = marshal(id, &[4, ctx + off], &mem, &mut buf);
            assert_eq!(r.err(), Some(STATUS_DATATYPE_MISALIGNMENT), "{id:?} at +{off}");
        }
    }
}

#[test]
fn strings_that_cannot_fit_are_name_too_long() {
    let mut mem = FakeMemory::new(256 * 1024);
    let mut rng = Rng::new(2);
    let mut buf = vec![0u8; SERVICE_BUFFER_SIZE];
    // NtCreateSymbolicLinkObject with a name and a target of 40000 bytes each.
    let name = mem.unicode_string(&mut rng, 40_000, 40_000);
    let target = mem.unicode_string(&mut rng, 40_000, 40_000);
    let oa = mem.alloc(&mut rng, 0x30);
    mem.poke(oa, &oa_record(0x30, 0, name));
    let handle = mem.alloc(&mut rng, 8);
    let args = [handle, 0xF0001, oa, target];
    let id = ServiceId::NtCreateSymbolicLinkObject;
    assert_eq!(marshal(id, &args, &mem, &mut buf).unwrap_err(), STATUS_NAME_TOO_LONG);
    // Each alone fits.
    let small = mem.unicode_string(&mut rng, 2, 2);
    assert!(marshal(id, &[handle, 0xF0001, oa, small], &mem, &mut buf).is_ok());
}

#[test]
fn big_buffers_stay_in_caller_memory() {
    let mut mem = FakeMemory::new(256 * 1024);
    let mut rng = Rng::new(3);
    let mut buf = vec![0u8; SERVICE_BUFFER_SIZE];
    let id = ServiceId::NtReadVirtualMemory;
    let out = mem.alloc(&mut rng, 100_000);
    let read = mem.alloc(&mut rng, 8);
    let call = marshal(id, &[4, 0x7000_0000, out, 100_000, read], &mem, &mut buf).unwrap();
    // Nothing placed in the buffer for it: only the NumberOfBytesRead slot.
    assert_eq!(call.extent().end, 0);
    let d = unmarshal(id, call.words(), &[]).unwrap();
    let Call::NtReadVirtualMemory(a) = d.typed().unwrap() else { panic!() };
    assert_eq!((a.buffer.target, a.buffer.user_addr, a.buffer.len), (OutBufferTarget::User, out, 100_000));
    // The same read of 4 KiB goes through the buffer.
    let call = marshal(id, &[4, 0x7000_0000, out, 4096, read], &mem, &mut buf).unwrap();
    assert_eq!(call.extent(), nt_abi::wire::Extent { in_end: 0, end: 4096 });
    let d = unmarshal(id, call.words(), &[]).unwrap();
    let Call::NtReadVirtualMemory(a) = d.typed().unwrap() else { panic!() };
    assert_eq!(a.buffer.user_addr, out);
    assert!(matches!(a.buffer.target, OutBufferTarget::Local(s) if s.len == 4096));
}

#[test]
fn wire_layout_of_nt_create_event() {
    let mut mem = FakeMemory::new(64 * 1024);
    let mut rng = Rng::new(4);
    let mut buf = vec![0u8; SERVICE_BUFFER_SIZE];
    let units: Vec<u8> = "\\E".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let name = mem.unicode_string(&mut rng, 4, 6);
    let buffer = u64::from_le_bytes(mem.peek(name + 8, 8).try_into().unwrap());
    mem.poke(buffer, &units);
    let oa = mem.alloc(&mut rng, 0x30);
    mem.poke(oa, &oa_record(0x30, OBJ_CASE_INSENSITIVE, name));
    let handle = mem.alloc(&mut rng, 8);
    let call = marshal(ServiceId::NtCreateEvent, &[handle, 0x1F0003, oa, 0xAAAA_0000_0000_0001, 0x101], &mem, &mut buf)
        .unwrap();
    assert_eq!(call.label(), 48);
    // MR0 REPLY; MR1 access; MR2 span of the record at 0; MR3 EVENT_TYPE
    // truncated; MR4 BOOLEAN as 1; MR5 extent (record 0x30 + name 16).
    assert_eq!(call.words(), &[0xC000_0000_0000_0000, 0x1F0003, span(0, 0x30), 1, 1, ext(0x40, 0x40)]);
    assert_eq!(&buf[0x10..0x18], &span(0x30, 4).to_le_bytes());
    assert_eq!(&buf[0x30..0x34], &units[..]);

    // Reply: the handle; the stub stores it.
    let snapshot = buf[..0x40].to_vec();
    let d = unmarshal(ServiceId::NtCreateEvent, call.words(), &snapshot).unwrap();
    let Call::NtCreateEvent(a) = d.typed().unwrap() else { panic!() };
    let mut reply = Reply::new(ServiceId::NtCreateEvent, &mut buf);
    reply.put::<pointee::Handle>(a.event_handle, &Handle(0x44)).unwrap();
    assert_eq!(reply.words(), &[1, 0x44]);
    let words = reply.words().to_vec();
    assert_eq!(copy_back(&call, STATUS_SUCCESS, &words, &buf, &mut mem), STATUS_SUCCESS);
    assert_eq!(mem.peek(handle, 8), &0x44u64.to_le_bytes());
}

#[test]
fn copy_back_rejects_malformed_replies_and_reports_late_faults() {
    let mut mem = FakeMemory::new(64 * 1024);
    let mut rng = Rng::new(5);
    let mut buf = vec![0u8; SERVICE_BUFFER_SIZE];
    let id = ServiceId::NtQueryPerformanceCounter;
    let (c, f) = (mem.alloc(&mut rng, 8), mem.alloc(&mut rng, 8));
    let call = marshal(id, &[c, f], &mem, &mut buf).unwrap();
    // Wrong length, mask bits beyond the outputs.
    assert_eq!(copy_back(&call, STATUS_SUCCESS, &[1, 2], &buf, &mut mem), STATUS_INTERNAL_ERROR);
    assert_eq!(copy_back(&call, STATUS_SUCCESS, &[4, 2, 3], &buf, &mut mem), STATUS_INTERNAL_ERROR);
    assert!(mem.writes.is_empty());
    // No words: nothing to copy, the status stands.
    assert_eq!(copy_back(&call, STATUS_INVALID_HANDLE, &[], &buf, &mut mem), STATUS_INVALID_HANDLE);
    // The frequency pointer became read-only after the call was sent.
    mem.ro = (f, f + 8);
    assert_eq!(copy_back(&call, STATUS_SUCCESS, &[3, 7, 8], &buf, &mut mem), STATUS_ACCESS_VIOLATION);
    assert_eq!(mem.peek(c, 8), &7u64.to_le_bytes());
    // A reply label wider than an NTSTATUS.
    assert_eq!(nt_abi::wire::reply_status(1 << 32), STATUS_INTERNAL_ERROR);
    assert_eq!(nt_abi::wire::reply_status(0xC000_0008), STATUS_INVALID_HANDLE);
}

#[test]
fn reply_refuses_oversized_strings() {
    let mut mem = FakeMemory::new(64 * 1024);
    let mut rng = Rng::new(6);
    let mut buf = vec![0u8; SERVICE_BUFFER_SIZE];
    let id = ServiceId::NtQuerySymbolicLinkObject;
    let target = mem.unicode_string(&mut rng, 0, 8);
    let call = marshal(id, &[4, target, 0], &mem, &mut buf).unwrap();
    let snapshot = buf[..call.extent().in_end as usize].to_vec();
    let d = unmarshal(id, call.words(), &snapshot).unwrap();
    let Call::NtQuerySymbolicLinkObject(a) = d.typed().unwrap() else { panic!() };
    assert_eq!(a.link_target.span.len, 8);
    assert!(a.returned_length.is_none());
    let mut reply = Reply::new(id, &mut buf);
    assert_eq!(reply.put_string(a.link_target, &[0; 10], 8), Err(STATUS_BUFFER_TOO_SMALL));
    assert_eq!(reply.put_string(a.link_target, &[0; 8], 10), Err(STATUS_BUFFER_TOO_SMALL));
    assert!(reply.words().is_empty());
    reply.put_string(a.link_target, &[b'C', 0, b':', 0, 0, 0], 4).unwrap();
    let words = reply.words().to_vec();
    assert_eq!(copy_back(&call, STATUS_SUCCESS, &words, &buf, &mut mem), STATUS_SUCCESS);
    assert_eq!(mem.peek(target, 2), &4u16.to_le_bytes());
}
