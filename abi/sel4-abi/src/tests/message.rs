//! MessageInfo encoding (doc §3): fixed examples, masking of over-wide
//! fields, exhaustive round trips over the small fields and randomised ones
//! over the label.

use crate::tests::Rng;
use crate::*;

#[test]
fn known_encodings() {
    // seL4_Signal's tag: label 0, no caps, length 1.
    assert_eq!(MessageInfo::new(0, 0, 0, 1).word(), 1);
    assert_eq!(MessageInfo::new(0, 0, 0, 0).word(), 0);
    // label << 12 | capsUnwrapped << 9 | extraCaps << 7 | length.
    assert_eq!(MessageInfo::new(5, 0, 0, 3).word(), 0x5003);
    assert_eq!(MessageInfo::new(0, 0, 1, 0).word(), 1 << 7);
    assert_eq!(MessageInfo::new(0, 1, 0, 0).word(), 1 << 9);
    assert_eq!(MessageInfo::new(0, 0b111, 0b11, 0x7F).word(), 0xFFF);
    assert_eq!(MessageInfo::new(1, 0, 0, 0).word(), 1 << 12);
    assert_eq!(
        MessageInfo::new(MessageInfo::MAX_LABEL, 7, 3, 127).word(),
        u64::MAX
    );
    assert_eq!(message::LABEL_BITS, 52);
    // A Retype call: label 1, one extra cap, six MRs.
    let retype = MessageInfo::new(InvocationLabel::UntypedRetype as u64, 0, 1, 6);
    assert_eq!(retype.word(), (1 << 12) | (1 << 7) | 6);
    let w = 0xDEAD_BEEF_0000_0000u64 | (0b101 << 9) | (0b10 << 7) | 0x55;
    let m = MessageInfo(w);
    assert_eq!(m.label(), w >> 12);
    assert_eq!(m.caps_unwrapped(), 0b101);
    assert_eq!(m.extra_caps(), 0b10);
    assert_eq!(m.length(), 0x55);
    assert_eq!(MessageInfo::from_word(w), m);
    assert_eq!(u64::from(m), w);
    assert_eq!(MessageInfo::from(w), m);
}

#[test]
fn over_wide_fields_are_masked() {
    let m = MessageInfo::new(0, 0, 0, 128);
    assert_eq!(m.word(), 0, "length 128 must not spill into extraCaps");
    let m = MessageInfo::new(0, 0, 4, 0);
    assert_eq!(m.word(), 0, "extraCaps 4 must not spill into capsUnwrapped");
    let m = MessageInfo::new(0, 8, 0, 0);
    assert_eq!(m.word(), 0, "capsUnwrapped 8 must not spill into the label");
    let m = MessageInfo::new(1 << 52, 0, 0, 0);
    assert_eq!(m.word(), 0, "label bit 52 is dropped");
    let m = MessageInfo::new(u64::MAX, u64::MAX, u64::MAX, u64::MAX);
    assert_eq!(m.word(), u64::MAX);
    assert_eq!(m.label(), MessageInfo::MAX_LABEL);
    assert_eq!(m.length(), 127);
    let m = MessageInfo::new(3, 1, 2, 200);
    assert_eq!(
        (m.label(), m.caps_unwrapped(), m.extra_caps(), m.length()),
        (3, 1, 2, 200 & 0x7F)
    );
    // The with_* setters mask too and leave the other fields alone.
    let base = MessageInfo::new(0xABC, 5, 2, 9);
    assert_eq!(base.with_length(0x80 | 4), MessageInfo::new(0xABC, 5, 2, 4));
    assert_eq!(base.with_extra_caps(7), MessageInfo::new(0xABC, 5, 3, 9));
    assert_eq!(
        base.with_caps_unwrapped(0xF),
        MessageInfo::new(0xABC, 7, 2, 9)
    );
    assert_eq!(
        base.with_label(u64::MAX),
        MessageInfo::new(MessageInfo::MAX_LABEL, 5, 2, 9)
    );
}

#[test]
fn clamped_length() {
    for len in 0..=127u64 {
        let m = MessageInfo::new(0, 0, 0, len);
        assert_eq!(m.clamped_length(), (len as usize).min(MSG_MAX_LENGTH));
    }
    assert_eq!(MessageInfo::MAX_LENGTH_FIELD, 127);
}

#[test]
fn exhaustive_small_fields_round_trip() {
    let labels = [
        0u64,
        1,
        2,
        52,
        0xFFF,
        1 << 31,
        (1 << 52) - 2,
        MessageInfo::MAX_LABEL,
    ];
    for &label in &labels {
        for cu in 0..8 {
            for ec in 0..4 {
                for len in 0..128 {
                    let m = MessageInfo::new(label, cu, ec, len);
                    assert_eq!(m.label(), label);
                    assert_eq!(m.caps_unwrapped(), cu);
                    assert_eq!(m.extra_caps(), ec);
                    assert_eq!(m.length(), len);
                    assert_eq!(
                        m.word(),
                        (label << 12) | (cu << 9) | (ec << 7) | len,
                        "layout of ({label}, {cu}, {ec}, {len})"
                    );
                }
            }
        }
    }
}

#[test]
fn random_words_round_trip() {
    let mut rng = Rng::new(0x5EED);
    for _ in 0..100_000 {
        let w = rng.next_u64();
        let m = MessageInfo(w);
        // Decoding then re-encoding reproduces every bit of any word.
        let again = MessageInfo::new(m.label(), m.caps_unwrapped(), m.extra_caps(), m.length());
        assert_eq!(again, m);
        // Encoding arbitrary inputs keeps exactly the low bits of each.
        let (a, b, c, d) = (
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
        );
        let e = MessageInfo::new(a, b, c, d);
        assert_eq!(e.label(), a & ((1 << 52) - 1));
        assert_eq!(e.caps_unwrapped(), b & 7);
        assert_eq!(e.extra_caps(), c & 3);
        assert_eq!(e.length(), d & 0x7F);
    }
}
