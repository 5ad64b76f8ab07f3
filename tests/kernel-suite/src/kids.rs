//! Bodies for child threads that many tests share: receive, send, call or
//! wait once on a cap and record what happened in the shared words.
//!
//! A child gets one `u64` argument: the cap in the low 32 bits and the first
//! shared word of its record in the high bits ([`arg`]). A record is
//! [`REC`] words: see [`rec`]. `STARTED` is set just before the blocking
//! call, `DONE` right after it returns, so the root can tell a child that is
//! blocked (started, not done) from one that never ran.

use crate::env::{get, set};
use sel4::{CPtr, MessageInfo};

/// Words in one record.
pub const REC: usize = 12;

/// Offsets inside a record.
pub mod rec {
    pub const STARTED: usize = 0;
    pub const DONE: usize = 1;
    pub const BADGE: usize = 2;
    pub const LABEL: usize = 3;
    pub const LEN: usize = 4;
    pub const CAPS: usize = 5;
    pub const UNWRAPPED: usize = 6;
    /// MR0..MR4 follow.
    pub const MR: usize = 7;
}

/// Label and first MR of the messages `send_once` and `call_once` send.
pub const SEND_LABEL: u64 = 0x11;
pub const CALL_LABEL: u64 = 0x22;
pub const MSG_WORD: u64 = 0x4242;

/// Packs a child's argument: `cap` and the first word of its record.
pub fn arg(cap: CPtr, record: usize) -> u64 {
    cap | ((record as u64) << 32)
}

fn split(a: u64) -> (CPtr, usize) {
    (a & 0xffff_ffff, (a >> 32) as usize)
}

/// Stores a received message into record `r`.
pub fn record(r: usize, info: MessageInfo, badge: u64) {
    set(r + rec::BADGE, badge);
    set(r + rec::LABEL, info.label());
    set(r + rec::LEN, info.length());
    set(r + rec::CAPS, info.extra_caps());
    set(r + rec::UNWRAPPED, info.caps_unwrapped());
    for i in 0..5 {
        set(r + rec::MR + i, sel4::get_mr(i));
    }
    set(r + rec::DONE, 1);
}

/// Whether record `r`'s child has reached its blocking call / returned.
pub fn started(r: usize) -> bool {
    get(r + rec::STARTED) != 0
}

pub fn done(r: usize) -> bool {
    get(r + rec::DONE) != 0
}

/// Recv once on the cap; record the message.
pub fn recv_once(a: u64) {
    let (ep, r) = split(a);
    set(r + rec::STARTED, 1);
    let (info, badge) = sel4::recv(ep);
    record(r, info, badge);
}

/// Send once (label SEND_LABEL, MR0 = MSG_WORD); then set DONE.
pub fn send_once(a: u64) {
    let (ep, r) = split(a);
    sel4::set_mr(0, MSG_WORD);
    set(r + rec::STARTED, 1);
    sel4::send(ep, MessageInfo::new(SEND_LABEL, 0, 0, 1));
    set(r + rec::DONE, 1);
}

/// Call once (label CALL_LABEL, MR0 = MSG_WORD); record the reply (its
/// badge from RDI too).
pub fn call_once(a: u64) {
    let (ep, r) = split(a);
    sel4::set_mr(0, MSG_WORD);
    set(r + rec::STARTED, 1);
    let mut regs = sel4::MsgRegs([MSG_WORD, 0, 0, 0]);
    let (badge, info) = sel4::sys_call(ep, MessageInfo::new(CALL_LABEL, 0, 0, 1), &mut regs);
    for (i, v) in regs.0.iter().enumerate() {
        sel4::set_mr(i, *v);
    }
    record(r, info, badge);
}

/// Wait once on a notification; record the word as the badge.
pub fn wait_once(a: u64) {
    let (n, r) = split(a);
    set(r + rec::STARTED, 1);
    let badge = sel4::wait(n);
    set(r + rec::BADGE, badge);
    set(r + rec::DONE, 1);
}
