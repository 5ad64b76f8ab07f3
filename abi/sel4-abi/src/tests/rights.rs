//! CapRights (doc §4): named values, constructor argument order, accessors.

use crate::*;

#[test]
fn named_rights_match_libsel4() {
    assert_eq!(CapRights::NONE.word(), 0x0);
    assert_eq!(CapRights::WRITE_ONLY.word(), 0x1);
    assert_eq!(CapRights::READ_ONLY.word(), 0x2);
    assert_eq!(CapRights::READ_WRITE.word(), 0x3);
    assert_eq!(CapRights::GRANT_ONLY.word(), 0x4);
    assert_eq!(CapRights::GRANT_REPLY_ONLY.word(), 0x8);
    assert_eq!(CapRights::NO_READ.word(), 0xD);
    assert_eq!(CapRights::NO_WRITE.word(), 0xE);
    assert_eq!(CapRights::ALL.word(), 0xF);
    // libsel4's definitions, in seL4_CapRights_new(grantReply, grant, read, write) form.
    assert_eq!(CapRights::new(0, 0, 1, 1), CapRights::READ_WRITE);
    assert_eq!(CapRights::new(1, 1, 1, 1), CapRights::ALL);
    assert_eq!(CapRights::new(0, 0, 1, 0), CapRights::READ_ONLY);
    assert_eq!(CapRights::new(0, 0, 0, 1), CapRights::WRITE_ONLY);
    assert_eq!(CapRights::new(0, 1, 0, 0), CapRights::GRANT_ONLY);
    assert_eq!(CapRights::new(1, 0, 0, 0), CapRights::GRANT_REPLY_ONLY);
    assert_eq!(CapRights::new(1, 1, 1, 0), CapRights::NO_WRITE);
    assert_eq!(CapRights::new(1, 1, 0, 1), CapRights::NO_READ);
    assert_eq!(CapRights::new(0, 0, 0, 0), CapRights::NONE);
}

#[test]
fn all_sixteen_combinations() {
    for bits in 0u64..16 {
        let (w, r, g, gr) = (bits & 1, (bits >> 1) & 1, (bits >> 2) & 1, (bits >> 3) & 1);
        let c = CapRights::new(gr, g, r, w);
        assert_eq!(c.word(), bits);
        assert_eq!(c.can_write(), w == 1);
        assert_eq!(c.can_read(), r == 1);
        assert_eq!(c.can_grant(), g == 1);
        assert_eq!(c.can_grant_reply(), gr == 1);
        for other in 0u64..16 {
            let o = CapRights(other);
            assert_eq!(c.and(o).word(), bits & other);
            assert_eq!(c.contains(o), bits & other == other);
        }
    }
    // Only the low bit of each constructor argument counts.
    assert_eq!(CapRights::new(2, 2, 2, 2), CapRights::NONE);
    assert_eq!(CapRights::new(3, 0, 0, 0), CapRights::GRANT_REPLY_ONLY);
    // from_word drops undefined bits; the raw constructor keeps them.
    assert_eq!(CapRights::from_word(0xFFF3), CapRights::READ_WRITE);
    assert_eq!(u64::from(CapRights(0x13)), 0x13);
    assert_eq!(CapRights::from(3u64), CapRights::READ_WRITE);
    assert_eq!(
        CapRights::ALL.and(CapRights::READ_ONLY),
        CapRights::READ_ONLY
    );
}
