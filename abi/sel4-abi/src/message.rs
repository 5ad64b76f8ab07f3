//! The message tag, `seL4_MessageInfo_t`: one word carried in RSI.
//!
//! Layout from libsel4/mode_include/64/sel4/shared_types.bf (block
//! seL4_MessageInfo). The bitfield generator puts the last-listed field in the
//! least-significant bits, giving:
//!
//! | bits  | field         | width |
//! |-------|---------------|-------|
//! | 0-6   | length        | 7     |
//! | 7-8   | extraCaps     | 2     |
//! | 9-11  | capsUnwrapped | 3     |
//! | 12-63 | label         | 52    |
//!
//! The label is an invocation label on the way in, an error code in a kernel
//! reply and the fault type in a fault message.

use crate::consts::{MSG_EXTRA_CAP_BITS, MSG_LENGTH_BITS, MSG_MAX_LENGTH};

const LENGTH_SHIFT: u32 = 0;
const LENGTH_BITS: u32 = MSG_LENGTH_BITS as u32;
const EXTRA_CAPS_SHIFT: u32 = LENGTH_SHIFT + LENGTH_BITS;
const EXTRA_CAPS_BITS: u32 = MSG_EXTRA_CAP_BITS as u32;
const CAPS_UNWRAPPED_SHIFT: u32 = EXTRA_CAPS_SHIFT + EXTRA_CAPS_BITS;
/// capsUnwrapped has one bit per possible extra cap (seL4_MsgMaxExtraCaps = 3).
const CAPS_UNWRAPPED_BITS: u32 = 3;
const LABEL_SHIFT: u32 = CAPS_UNWRAPPED_SHIFT + CAPS_UNWRAPPED_BITS;
/// Width of the label field on 64-bit (52 bits).
pub const LABEL_BITS: u32 = 64 - LABEL_SHIFT;

const fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// `seL4_MessageInfo_t`. The raw word is public so it can be moved to and from
/// RSI without ceremony.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(transparent)]
pub struct MessageInfo(pub u64);

impl MessageInfo {
    /// Largest value the label field can hold.
    pub const MAX_LABEL: u64 = mask(LABEL_BITS);
    /// Largest value the length field can hold (127; the kernel clamps any
    /// length above [`MSG_MAX_LENGTH`] to 120).
    pub const MAX_LENGTH_FIELD: u64 = mask(LENGTH_BITS);

    /// Builds a tag, argument order as libsel4's `seL4_MessageInfo_new`. Each
    /// argument is masked to its field width, as the generated C does, so an
    /// over-wide value can never spill into a neighbouring field.
    pub const fn new(label: u64, caps_unwrapped: u64, extra_caps: u64, length: u64) -> Self {
        MessageInfo(
            ((label & mask(LABEL_BITS)) << LABEL_SHIFT)
                | ((caps_unwrapped & mask(CAPS_UNWRAPPED_BITS)) << CAPS_UNWRAPPED_SHIFT)
                | ((extra_caps & mask(EXTRA_CAPS_BITS)) << EXTRA_CAPS_SHIFT)
                | ((length & mask(LENGTH_BITS)) << LENGTH_SHIFT),
        )
    }

    /// Wraps a raw word (e.g. RSI).
    pub const fn from_word(word: u64) -> Self {
        MessageInfo(word)
    }

    /// The raw word.
    pub const fn word(self) -> u64 {
        self.0
    }

    /// Label field (bits 12-63).
    pub const fn label(self) -> u64 {
        (self.0 >> LABEL_SHIFT) & mask(LABEL_BITS)
    }

    /// capsUnwrapped field (bits 9-11): bit i set means extra cap i arrived as
    /// a badge in `caps_or_badges[i]`.
    pub const fn caps_unwrapped(self) -> u64 {
        (self.0 >> CAPS_UNWRAPPED_SHIFT) & mask(CAPS_UNWRAPPED_BITS)
    }

    /// extraCaps field (bits 7-8).
    pub const fn extra_caps(self) -> u64 {
        (self.0 >> EXTRA_CAPS_SHIFT) & mask(EXTRA_CAPS_BITS)
    }

    /// length field (bits 0-6), exactly as encoded (may exceed 120).
    pub const fn length(self) -> u64 {
        (self.0 >> LENGTH_SHIFT) & mask(LENGTH_BITS)
    }

    /// The length the kernel acts on: the field clamped to
    /// [`MSG_MAX_LENGTH`], as `messageInfoFromWord` in include/api/types.h
    /// does for every tag read from RSI.
    pub const fn clamped_length(self) -> usize {
        let len = self.length() as usize;
        if len > MSG_MAX_LENGTH {
            MSG_MAX_LENGTH
        } else {
            len
        }
    }

    /// Same tag with the label replaced (masked to 52 bits).
    pub const fn with_label(self, label: u64) -> Self {
        Self::new(
            label,
            self.caps_unwrapped(),
            self.extra_caps(),
            self.length(),
        )
    }

    /// Same tag with capsUnwrapped replaced (masked to 3 bits).
    pub const fn with_caps_unwrapped(self, caps_unwrapped: u64) -> Self {
        Self::new(
            self.label(),
            caps_unwrapped,
            self.extra_caps(),
            self.length(),
        )
    }

    /// Same tag with extraCaps replaced (masked to 2 bits).
    pub const fn with_extra_caps(self, extra_caps: u64) -> Self {
        Self::new(
            self.label(),
            self.caps_unwrapped(),
            extra_caps,
            self.length(),
        )
    }

    /// Same tag with length replaced (masked to 7 bits).
    pub const fn with_length(self, length: u64) -> Self {
        Self::new(
            self.label(),
            self.caps_unwrapped(),
            self.extra_caps(),
            length,
        )
    }
}

impl From<u64> for MessageInfo {
    fn from(word: u64) -> Self {
        MessageInfo(word)
    }
}

impl From<MessageInfo> for u64 {
    fn from(info: MessageInfo) -> u64 {
        info.0
    }
}
