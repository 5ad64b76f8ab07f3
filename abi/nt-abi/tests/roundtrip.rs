//! marshal -> unmarshal -> Reply -> copy_back round trips for every
//! service with random arguments: what the Executive decodes must be
//! exactly what the caller passed, and what the caller gets back must be
//! exactly what the Executive wrote, byte for byte, with no other write.

mod common;

use common::{scenario, Expect, FakeMemory, Rng};
use nt_abi::services::pointee;
use nt_abi::status::{NtStatus, STATUS_INSUFFICIENT_RESOURCES, STATUS_NAME_TOO_LONG};
use nt_abi::wire::{
    copy_back, extent, marshal, unmarshal, ArgValue, BufferRef, OutBufferTarget, OutRef, OutSlot, OutTarget, Reply,
    SERVICE_BUFFER_SIZE,
};
use nt_abi::{ArgKind, Dir, ServiceId, SERVICE_COUNT};
use proptest::prelude::*;

fn align16(n: u64) -> u64 {
    (n + 15) & !15
}

/// One full round trip; panics (fails the test) on any mismatch.
fn round_trip(service: ServiceId, seed: u64, buf_size: usize) {
    let mut rng = Rng::new(seed);
    let mut mem = FakeMemory::new(512 * 1024);
    let sc = scenario(service, &mut mem, &mut rng, true);
    let desc = service.desc();
    let mut shared = vec![0u8; buf_size];
    let cap = (buf_size.min(SERVICE_BUFFER_SIZE) as u64) & !15;

    let call = match marshal(service, &sc.args, &mem, &mut shared) {
        Ok(call) => {
            assert!(sc.fixed <= cap, "{service:?}: fixed {} > cap {cap} yet marshalled", sc.fixed);
            call
        }
        Err(e) => {
            assert!(sc.fixed > cap, "{service:?} seed {seed}: unexpected {e:?}");
            assert!(e == STATUS_NAME_TOO_LONG || e == STATUS_INSUFFICIENT_RESOURCES, "{e:?}");
            return;
        }
    };
    assert_eq!(call.label(), service.number() as u64);
    assert_eq!(call.words().len(), desc.call_words());
    assert!(mem.writes.is_empty(), "marshal wrote caller memory");

    // Which byte buffers travel inline: greedy in prototype order.
    let mut room = cap - sc.fixed;
    let mut inline = vec![false; desc.args.len()];
    for (i, a) in desc.args.iter().enumerate() {
        if matches!(a.kind, ArgKind::InBuf { .. } | ArgKind::OutBuf { .. } | ArgKind::InArray { .. }) {
            let n = common::buffer_len(desc, &sc.args, a.kind);
            if n > 0 && sc.args[i] != 0 && align16(n) <= room {
                room -= align16(n);
                inline[i] = true;
            }
        }
    }

    // The Executive: snapshot the inputs, unmarshal.
    let ext = extent(service, call.words()).expect("extent");
    assert!(ext.in_end <= ext.end && ext.end as usize <= buf_size.min(SERVICE_BUFFER_SIZE));
    let snapshot = shared[..ext.in_end as usize].to_vec();
    let decoded = unmarshal(service, call.words(), &snapshot).expect("unmarshal of a marshalled call");
    assert_eq!(decoded.values().len(), desc.args.len());
    let typed = decoded.typed().expect("typed view");
    assert_eq!(typed.service(), service);

    let mut slot = 0u8;
    for (i, a) in desc.args.iter().enumerate() {
        let v = decoded.values()[i];
        let e = &sc.expect[i];
        let here = slot;
        if a.kind.is_output() {
            slot += 1;
        }
        let ctx = || format!("{service:?} arg {} ({:?}) seed {seed}", a.name, a.kind);
        match (a.kind, e) {
            (ArgKind::Scalar(_), Expect::Scalar(x)) => assert_eq!(v, ArgValue::Scalar(*x), "{}", ctx()),
            (ArgKind::Ptr { dir, .. }, Expect::Null) => {
                let want = match dir {
                    Dir::In => ArgValue::In(None),
                    Dir::Out => ArgValue::Out(None),
                    Dir::InOut => ArgValue::InOut(None),
                };
                assert_eq!(v, want, "{}", ctx());
            }
            (ArgKind::Ptr { dir: Dir::In, .. }, Expect::Bytes(b)) => {
                assert_eq!(v, ArgValue::In(Some(b)), "{}", ctx())
            }
            (ArgKind::Ptr { dir: Dir::InOut, ty, .. }, Expect::Bytes(b)) => match v {
                ArgValue::InOut(Some((bytes, s))) => {
                    assert_eq!(bytes, &b[..], "{}", ctx());
                    assert_eq!(s.slot, here);
                    match s.target {
                        OutTarget::Word => assert!(ty.is_word()),
                        OutTarget::Span(sp) => assert!(!ty.is_word() && sp.len as usize == ty.size()),
                    }
                }
                _ => panic!("{}: {v:?}", ctx()),
            },
            (ArgKind::Ptr { dir: Dir::Out, ty, .. }, Expect::Out) => match v {
                ArgValue::Out(Some(OutSlot { slot: s, target })) => {
                    assert_eq!(s, here);
                    match target {
                        OutTarget::Word => assert!(ty.is_word(), "{}", ctx()),
                        OutTarget::Span(sp) => assert!(!ty.is_word() && sp.len as usize == ty.size(), "{}", ctx()),
                    }
                }
                _ => panic!("{}: {v:?}", ctx()),
            },
            (ArgKind::InBuf { .. } | ArgKind::InArray { .. }, Expect::Buffer { addr, data }) => {
                let want = if data.is_empty() {
                    BufferRef::Local(&[])
                } else if inline[i] {
                    BufferRef::Local(data)
                } else {
                    BufferRef::User { addr: *addr, len: data.len() as u64 }
                };
                assert_eq!(v, ArgValue::InBuf(want), "{}", ctx());
            }
            (ArgKind::OutBuf { .. }, Expect::OutBuf { addr, len }) => match v {
                ArgValue::OutBuf(ob) => {
                    assert_eq!(ob.slot, here);
                    assert_eq!(ob.len, *len, "{}", ctx());
                    if *len == 0 {
                        assert_eq!(ob.user_addr, 0);
                    } else {
                        assert_eq!(ob.user_addr, *addr, "{}", ctx());
                        match ob.target {
                            OutBufferTarget::Local(sp) => {
                                assert!(inline[i], "{}", ctx());
                                assert_eq!(sp.len as u64, *len);
                            }
                            OutBufferTarget::User => assert!(!inline[i], "{}", ctx()),
                        }
                    }
                }
                _ => panic!("{}: {v:?}", ctx()),
            },
            (ArgKind::InSized { .. }, Expect::Null) => assert_eq!(v, ArgValue::InSized(None), "{}", ctx()),
            (ArgKind::InSized { .. }, Expect::Bytes(b)) => assert_eq!(v, ArgValue::InSized(Some(b)), "{}", ctx()),
            (ArgKind::String, Expect::Str(b)) => match v {
                ArgValue::String(s) => assert_eq!(s.bytes(), &b[..], "{}", ctx()),
                _ => panic!("{}: {v:?}", ctx()),
            },
            (ArgKind::OutString, Expect::OutStr { cap, .. }) => match v {
                ArgValue::OutString(os) => {
                    assert_eq!(os.slot, here);
                    assert_eq!(os.span.len, *cap as u32, "{}", ctx());
                }
                _ => panic!("{}: {v:?}", ctx()),
            },
            (ArgKind::ObjectAttributes { .. }, Expect::Null) => {
                assert_eq!(v, ArgValue::ObjectAttributes(None), "{}", ctx())
            }
            (ArgKind::ObjectAttributes { .. }, Expect::Oa { root, name, attributes, sd, sqos }) => match v {
                ArgValue::ObjectAttributes(Some(oa)) => {
                    assert_eq!(oa.root_directory.0, *root);
                    assert_eq!(oa.object_name.map(|n| n.bytes().to_vec()), *name, "{}", ctx());
                    assert_eq!(oa.attributes, *attributes);
                    assert_eq!((oa.security_descriptor, oa.security_quality_of_service), (*sd, *sqos));
                }
                _ => panic!("{}: {v:?}", ctx()),
            },
            _ => panic!("{}: expectation {e:?} does not fit", ctx()),
        }
    }

    // The Executive writes some outputs; the stub must deliver exactly
    // those, in slot order.
    let status = [0, 0x103, 0x8000_0005, 0xC000_0023][rng.below(4) as usize];
    let mut expected_writes: Vec<(u64, Vec<u8>)> = Vec::new();
    let (label, words) = {
        let mut reply = Reply::new(service, &mut shared);
        reply.set_status(NtStatus(status));
        for (i, a) in desc.args.iter().enumerate() {
            if !a.kind.is_output() || rng.chance(4) {
                continue;
            }
            match (decoded.values()[i], &sc.expect[i]) {
                (ArgValue::Out(Some(s)) | ArgValue::InOut(Some((_, s))), _) => {
                    let (ArgKind::Ptr { ty, .. }, addr) = (a.kind, sc.args[i]) else { unreachable!() };
                    let data: Vec<u8> = (0..ty.size()).map(|_| rng.next() as u8).collect();
                    reply.put_bytes(OutRef::<pointee::Context>::new(s), &data).expect("put_bytes");
                    expected_writes.push((addr, data));
                }
                (ArgValue::OutBuf(ob), _) => {
                    if let OutBufferTarget::Local(_) = ob.target {
                        let n = rng.below(ob.len + 1) as usize;
                        let data: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                        assert_eq!(reply.put_buffer(&ob, &data), Ok(n as u64));
                        if n > 0 {
                            expected_writes.push((ob.user_addr, data));
                        }
                    }
                }
                (ArgValue::OutString(os), Expect::OutStr { header, buffer, cap }) => {
                    let n = rng.even_below(*cap as u64 + 1).min(*cap) as usize;
                    let length = (rng.below(*cap as u64 + 1)) as u16;
                    let data: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                    reply.put_string(os, &data, length).expect("put_string");
                    if n > 0 {
                        expected_writes.push((*buffer, data));
                    }
                    expected_writes.push((*header, length.to_le_bytes().to_vec()));
                }
                (ArgValue::Out(None) | ArgValue::InOut(None), _) => {}
                (other, _) => panic!("{service:?}: output {other:?}"),
            }
        }
        (reply.label(), reply.words().to_vec())
    };
    let got = copy_back(&call, nt_abi::wire::reply_status(label), &words, &shared, &mut mem);
    assert_eq!(got, NtStatus(status));
    assert_eq!(mem.writes, expected_writes, "{service:?} seed {seed}");
}

#[test]
fn every_service_round_trips() {
    for service in ServiceId::ALL {
        for seed in 0..60u64 {
            let size = [SERVICE_BUFFER_SIZE, 8192, 1024][(seed % 3) as usize];
            round_trip(service, seed * 7919 + service.number() as u64, size);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn random_calls_round_trip(n in 0..SERVICE_COUNT, seed: u64, size_sel in 0..4usize) {
        let size = [SERVICE_BUFFER_SIZE, SERVICE_BUFFER_SIZE + 4096, 8192, 512][size_sel];
        round_trip(ServiceId::ALL[n], seed, size);
    }
}
