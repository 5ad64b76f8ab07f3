//! "Service marshalling with random bytes" (issue T4): whatever words and
//! buffer bytes a hostile client sends, the Executive's decoding returns an
//! NTSTATUS and never panics; whatever it accepts is self-consistent; and
//! the stub's copy-back survives any reply.

mod common;

use common::{scenario, FakeMemory, Rng};
use nt_abi::status::*;
use nt_abi::wire::{
    copy_back, extent, marshal, unmarshal, ArgValue, BufferRef, Descriptor, OutBufferTarget, OutTarget, Reply,
    SERVICE_BUFFER_SIZE,
};
use nt_abi::{ServiceId, SERVICE_COUNT};
use proptest::prelude::*;

/// The statuses decoding may produce.
const DECODE_ERRORS: [NtStatus; 4] =
    [STATUS_INVALID_PARAMETER, STATUS_ACCESS_VIOLATION, STATUS_OBJECT_NAME_INVALID, STATUS_INVALID_SYSTEM_SERVICE];

/// A word that is often a plausible descriptor, so decoding gets past the
/// tag checks and exercises the bounds checks.
fn plausible_word(rng: &mut Rng) -> u64 {
    match rng.below(7) {
        0 => 0,
        1 => rng.next(),
        2 => Descriptor::Span { offset: (rng.below(4096) * 16) as u32, aux: rng.below(0x2_0000) }.encode().unwrap(),
        3 => Descriptor::Span { offset: (rng.below(64) * 16) as u32, aux: rng.below(0x80) }.encode().unwrap(),
        4 => Descriptor::User { addr: rng.next() & nt_abi::wire::AUX_MASK }.encode().unwrap(),
        5 => Descriptor::Reply.encode().unwrap(),
        _ => rng.below(0x2_0000) | rng.below(0x2_0000) << 32,
    }
}

/// Decodes `mrs` against `snapshot` and checks whatever comes out.
fn decode_checked(service: ServiceId, mrs: &[u64], snapshot: &[u8], shared: &mut [u8], rng: &mut Rng) {
    let decoded = match unmarshal(service, mrs, snapshot) {
        Ok(d) => d,
        Err(e) => {
            assert!(DECODE_ERRORS.contains(&e), "unexpected decode error {e:?}");
            return;
        }
    };
    // Accepted: the typed view exists, every local view lies in the
    // snapshot, every output lies in the declared extent.
    decoded.typed().expect("typed view of an accepted call");
    let ext = extent(service, mrs).expect("extent of an accepted call");
    for v in decoded.values() {
        match *v {
            ArgValue::Out(Some(s)) | ArgValue::InOut(Some((_, s))) => {
                if let OutTarget::Span(sp) = s.target {
                    assert!(sp.offset as u64 + sp.len as u64 <= ext.end as u64);
                }
            }
            ArgValue::OutBuf(ob) => {
                if let OutBufferTarget::Local(sp) = ob.target {
                    assert!(sp.offset as u64 + sp.len as u64 <= ext.end as u64);
                    assert_eq!(sp.len as u64, ob.len);
                }
            }
            ArgValue::OutString(os) => assert!(os.span.offset as u64 + os.span.len as u64 <= ext.end as u64),
            ArgValue::InBuf(BufferRef::Local(b)) => assert!(b.len() <= snapshot.len()),
            _ => {}
        }
    }
    // A handler writing every output must not panic either.
    let mut reply = Reply::new(service, shared);
    for v in decoded.values() {
        match *v {
            ArgValue::Out(Some(s)) | ArgValue::InOut(Some((_, s))) => {
                let bytes = [0xA5u8; 0x4D0];
                let _ = reply.put_bytes(nt_abi::wire::OutRef::<nt_abi::services::pointee::Context>::new(s), &bytes);
            }
            ArgValue::OutBuf(ob) => {
                let _ = reply.put_buffer(&ob, &[1, 2, 3]);
            }
            ArgValue::OutString(os) => {
                let _ = reply.put_string(os, &[0x41, 0], rng.next() as u16);
            }
            _ => {}
        }
    }
    let _ = reply.words();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Entirely random messages: label, words, snapshot.
    #[test]
    fn random_messages_never_panic(
        label in prop_oneof![0..SERVICE_COUNT as u64 + 2, any::<u64>()],
        seed: u64,
        len_delta in 0..3usize,
        snapshot in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut rng = Rng::new(seed);
        let service = match ServiceId::from_label(label) {
            Ok(s) => s,
            Err(e) => {
                prop_assert_eq!(e, STATUS_INVALID_SYSTEM_SERVICE);
                return Ok(());
            }
        };
        // Mostly the right length (to get past the length check), sometimes not.
        let right = service.desc().call_words();
        let len = match len_delta { 0 => right, 1 => right + 1, _ => right.saturating_sub(1) };
        let mut mrs: Vec<u64> = (0..len).map(|_| plausible_word(&mut rng)).collect();
        if service.desc().uses_buffer && len == right && rng.chance(2) {
            // A consistent extent, so the argument checks run.
            let end = rng.below(SERVICE_BUFFER_SIZE as u64 + 1);
            let in_end = rng.below(end.min(snapshot.len() as u64) + 1);
            mrs[right - 1] = in_end | end << 32;
        }
        let mut shared = vec![0u8; SERVICE_BUFFER_SIZE];
        decode_checked(service, &mrs, &snapshot, &mut shared, &mut rng);
    }

    /// Valid calls with one word or snapshot byte corrupted.
    #[test]
    fn mutated_calls_never_panic(n in 0..SERVICE_COUNT, seed: u64, flips in 1..4usize) {
        let service = ServiceId::ALL[n];
        let mut rng = Rng::new(seed);
        let mut mem = FakeMemory::new(512 * 1024);
        let sc = scenario(service, &mut mem, &mut rng, false);
        let mut shared = vec![0u8; SERVICE_BUFFER_SIZE];
        let Ok(call) = marshal(service, &sc.args, &mem, &mut shared) else { return Ok(()); };
        let mut mrs = call.words().to_vec();
        let ext = call.extent();
        let mut snapshot = shared[..ext.in_end as usize].to_vec();
        for _ in 0..flips {
            if !snapshot.is_empty() && rng.chance(2) {
                let at = rng.below(snapshot.len() as u64) as usize;
                snapshot[at] ^= 1 << rng.below(8);
            } else if !mrs.is_empty() {
                let at = rng.below(mrs.len() as u64) as usize;
                mrs[at] = if rng.chance(2) { mrs[at] ^ 1 << rng.below(64) } else { plausible_word(&mut rng) };
            }
        }
        decode_checked(service, &mrs, &snapshot, &mut shared, &mut rng);
    }

    /// Any reply to a valid call: copy-back returns a status, writes only
    /// through the caller's own output pointers, and never panics.
    #[test]
    fn random_replies_never_panic(n in 0..SERVICE_COUNT, seed: u64, extra in 0..2usize) {
        let service = ServiceId::ALL[n];
        let mut rng = Rng::new(seed);
        let mut mem = FakeMemory::new(512 * 1024);
        let sc = scenario(service, &mut mem, &mut rng, false);
        let mut shared = vec![0u8; SERVICE_BUFFER_SIZE];
        let Ok(call) = marshal(service, &sc.args, &mem, &mut shared) else { return Ok(()); };
        let words = service.desc().reply_words() + extra;
        let mut reply: Vec<u64> =
            (0..words).map(|_| if rng.chance(2) { rng.below(0x200) } else { rng.next() }).collect();
        if let Some(m) = reply.first_mut() {
            if rng.chance(2) { *m &= (1 << service.desc().outputs) - 1; }
        }
        let status = copy_back(&call, STATUS_SUCCESS, &reply, &shared, &mut mem);
        prop_assert!(status == STATUS_SUCCESS || status == STATUS_INTERNAL_ERROR || status == STATUS_ACCESS_VIOLATION);
        if status == STATUS_INTERNAL_ERROR {
            prop_assert!(mem.writes.is_empty());
        }
    }
}

#[test]
fn unknown_labels_are_invalid_system_service() {
    for label in [SERVICE_COUNT as u64, 0xFFFF, u64::MAX, 1 << 40] {
        assert_eq!(ServiceId::from_label(label), Err(STATUS_INVALID_SYSTEM_SERVICE));
    }
}
