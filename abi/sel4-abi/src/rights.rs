//! Capability access rights, `seL4_CapRights_t`: one word with Write in bit 0,
//! Read in bit 1, Grant in bit 2 and GrantReply in bit 3.
//!
//! Layout from libsel4/mode_include/64/sel4/shared_types.bf (block
//! seL4_CapRights, last field lowest); named values from
//! libsel4/include/sel4/shared_types.h; the width `seL4_CapRightsBits` from
//! libsel4/include/sel4/constants.h. The kernel reads only these four bits of
//! a rights word (`rightsFromWord`).

use crate::consts::CAP_RIGHTS_BITS;

/// `seL4_CapRights_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(transparent)]
pub struct CapRights(pub u64);

impl CapRights {
    /// Write (for endpoints: may send).
    pub const WRITE_BIT: u64 = 1 << 0;
    /// Read (for endpoints: may receive).
    pub const READ_BIT: u64 = 1 << 1;
    /// Grant: may transfer caps.
    pub const GRANT_BIT: u64 = 1 << 2;
    /// GrantReply: may transfer a reply cap (Call).
    pub const GRANT_REPLY_BIT: u64 = 1 << 3;
    /// The bits that carry meaning.
    pub const MASK: u64 = (1 << CAP_RIGHTS_BITS) - 1;

    /// `seL4_NoRights`.
    pub const NONE: CapRights = CapRights(0);
    /// `seL4_CanWrite`.
    pub const WRITE_ONLY: CapRights = CapRights(Self::WRITE_BIT);
    /// `seL4_CanRead`.
    pub const READ_ONLY: CapRights = CapRights(Self::READ_BIT);
    /// `seL4_ReadWrite`.
    pub const READ_WRITE: CapRights = CapRights(Self::READ_BIT | Self::WRITE_BIT);
    /// `seL4_CanGrant`.
    pub const GRANT_ONLY: CapRights = CapRights(Self::GRANT_BIT);
    /// `seL4_CanGrantReply`.
    pub const GRANT_REPLY_ONLY: CapRights = CapRights(Self::GRANT_REPLY_BIT);
    /// `seL4_NoWrite`.
    pub const NO_WRITE: CapRights = CapRights(Self::MASK & !Self::WRITE_BIT);
    /// `seL4_NoRead`.
    pub const NO_READ: CapRights = CapRights(Self::MASK & !Self::READ_BIT);
    /// `seL4_AllRights`.
    pub const ALL: CapRights = CapRights(Self::MASK);

    /// Argument order as libsel4's `seL4_CapRights_new(grantReply, grant,
    /// read, write)`; each argument's low bit is used, as the generated C does.
    pub const fn new(grant_reply: u64, grant: u64, read: u64, write: u64) -> Self {
        CapRights(((grant_reply & 1) << 3) | ((grant & 1) << 2) | ((read & 1) << 1) | (write & 1))
    }

    /// The rights in a raw word, keeping only the four defined bits.
    pub const fn from_word(word: u64) -> Self {
        CapRights(word & Self::MASK)
    }

    /// The raw word.
    pub const fn word(self) -> u64 {
        self.0
    }

    /// Write right.
    pub const fn can_write(self) -> bool {
        self.0 & Self::WRITE_BIT != 0
    }

    /// Read right.
    pub const fn can_read(self) -> bool {
        self.0 & Self::READ_BIT != 0
    }

    /// Grant right.
    pub const fn can_grant(self) -> bool {
        self.0 & Self::GRANT_BIT != 0
    }

    /// GrantReply right.
    pub const fn can_grant_reply(self) -> bool {
        self.0 & Self::GRANT_REPLY_BIT != 0
    }

    /// Intersection, the kernel's "mask rights" used by Copy/Mint and mapping.
    pub const fn and(self, other: CapRights) -> Self {
        CapRights(self.0 & other.0)
    }

    /// Whether every right in `other` is also in `self`.
    pub const fn contains(self, other: CapRights) -> bool {
        self.0 & other.0 == other.0
    }
}

impl From<u64> for CapRights {
    fn from(word: u64) -> Self {
        CapRights(word)
    }
}

impl From<CapRights> for u64 {
    fn from(r: CapRights) -> u64 {
        r.0
    }
}
