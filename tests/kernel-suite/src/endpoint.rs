//! Endpoint IPC between threads (src/object/endpoint.c, src/kernel/thread.c):
//! Send/NBSend/Call/Recv/NBRecv/Reply/ReplyRecv, badges, long messages,
//! queueing order, reply caps (non-MCS: held in the receiver's TCB, saved
//! with SaveCaller), and capability transfer with its unwrapping and
//! stopping rules (`transferCaps`).

use crate::env::*;
use crate::kids::{self, rec, REC};
use guest_test::{check, check_eq, ok, Failure, TestResult};
use sel4::abi::{cap, cap_tag, MSG_MAX_LENGTH};
use sel4::{CapRights, MessageInfo, MsgRegs};

pub const TESTS: &[Test] = &[
    ("ep_send_recv", send_recv),
    ("ep_badge_delivered", badge_delivered),
    ("ep_label_delivered_whole", label_whole),
    ("ep_long_message_120_mrs", long_message),
    ("ep_length_clamped_to_120", length_clamped),
    ("ep_recv_blocks_until_send", recv_blocks),
    ("ep_send_blocks_until_recv", send_blocks),
    ("ep_nbsend_without_receiver_drops", nbsend_drops),
    ("ep_nbsend_to_waiting_receiver", nbsend_delivers),
    ("ep_nbrecv_idle_sets_only_badge", nbrecv_idle),
    ("ep_nbrecv_takes_waiting_sender", nbrecv_takes_sender),
    ("ep_senders_queue_in_order", senders_fifo),
    ("ep_receivers_queue_in_order", receivers_fifo),
    ("ep_call_reply", call_reply),
    ("ep_reply_recv_serves_two_calls", reply_recv),
    ("ep_call_without_grant_gets_no_reply_cap", call_without_grant),
    ("ep_call_with_grant_reply_right", call_grant_reply),
    ("ep_save_caller_then_send_replies", save_caller_send),
    ("ep_reply_without_caller_is_noop", reply_no_caller),
    ("ep_recv_discards_unused_reply_cap", recv_discards_reply),
    ("ep_copy_reply_cap_illegal", copy_reply_cap),
    ("ep_send_without_write_is_dropped", send_without_write),
    ("ep_sender_caps_unwrapped_bits_ignored", sender_unwrapped_ignored),
    ("ep_cap_transfer_with_grant", cap_transfer),
    ("ep_cap_transfer_needs_grant", cap_transfer_needs_grant),
    ("ep_cap_transfer_slot_occupied", cap_transfer_slot_occupied),
    ("ep_cap_transfer_without_receive_path", cap_transfer_no_path),
    ("ep_cap_unwrap_same_endpoint", unwrap_same_ep),
    ("ep_cap_unwrap_then_transfer", unwrap_then_transfer),
    ("ep_cap_transfer_then_unwrap", transfer_then_unwrap),
    ("ep_cap_transfer_stops_at_null_cap", transfer_stops_null),
    ("ep_cap_transfer_one_slot_only", transfer_one_slot),
    ("ep_cap_transfer_stops_at_underivable", transfer_stops_underivable),
    ("ep_reply_with_grant_transfers_cap", reply_grant),
    ("ep_reply_without_grant_drops_cap", reply_no_grant),
    ("ep_receiver_without_buffer_gets_four_mrs", receiver_no_buffer),
    ("ep_sender_without_buffer_sends_four_mrs", sender_no_buffer),
];

// Shared words used as parameters by the children below.
const P_NCAPS: usize = 40;
const P_CAP0: usize = 41; // .. 43
const P_SLOT: usize = 44;
const P_LEN: usize = 45;
const P_LABEL: usize = 46;
const P_SAVE: usize = 47;
const R_BADGES: usize = 48; // .. 50: caps_or_badges after a receive
const R_OK: usize = 51;

fn fail(why: &str) -> Failure {
    Failure::new(format_args!("{why}"))
}

/// The MR pattern long messages carry.
fn pattern(i: usize) -> u64 {
    0x5000 + 3 * i as u64
}

/// Sends P_LEN MRs (pattern) with label P_LABEL and the P_NCAPS caps at
/// P_CAP0.., on the cap in the argument.
fn send_params(a: u64) {
    let ep = a & 0xffff_ffff;
    let r = (a >> 32) as usize;
    let len = get(P_LEN).max(1) as usize;
    for i in 0..len.min(MSG_MAX_LENGTH) {
        sel4::set_mr(i, pattern(i));
    }
    let n = get(P_NCAPS);
    for i in 0..n as usize {
        sel4::set_cap(i, get(P_CAP0 + i));
    }
    let label = if get(P_LABEL) == 0 { kids::SEND_LABEL } else { get(P_LABEL) };
    set(r + rec::STARTED, 1);
    sel4::send(ep, MessageInfo::new(label, 0, n, len as u64));
    set(r + rec::DONE, 1);
}

/// Receives with the receive path at P_SLOT (if set), records the message,
/// the badges in caps_or_badges, and whether MR0..P_LEN match the pattern.
fn recv_params(a: u64) {
    let ep = a & 0xffff_ffff;
    let r = (a >> 32) as usize;
    if get(P_SLOT) != 0 {
        sel4::set_cap_receive_path(ROOT.0, get(P_SLOT), D as u64);
    }
    set(r + rec::STARTED, 1);
    let (info, badge) = sel4::recv(ep);
    let n = info.length() as usize;
    set(R_OK, (0..n).all(|i| sel4::get_mr(i) == pattern(i)) as u64);
    for i in 0..3 {
        set(R_BADGES + i, sel4::get_badge(i));
    }
    kids::record(r, info, badge);
}

/// Spawns a receiver (record 0) and a sender (record REC) on `rx`/`tx`
/// caps and waits for the message.
fn transfer(e: &Env, rx: u64, tx: u64) -> TestResult {
    ok!(e.spawn(ROOT_PRIO, 0, recv_params, kids::arg(rx, 0)));
    check!(wait_until(|| kids::started(0)), "receiver never ran");
    ok!(e.spawn(ROOT_PRIO, 0, send_params, kids::arg(tx, REC)));
    check!(wait_until(|| kids::done(0)), "message not received");
    Ok(())
}

fn send_recv(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    ok!(e.spawn(ROOT_PRIO, 0, kids::recv_once, kids::arg(ep, 0)));
    ok!(e.spawn(ROOT_PRIO, 0, kids::send_once, kids::arg(ep, REC)));
    check!(wait_until(|| kids::done(0) && kids::done(REC)), "no transfer");
    check_eq!(get(rec::LABEL), kids::SEND_LABEL);
    check_eq!(get(rec::LEN), 1);
    check_eq!(get(rec::MR), kids::MSG_WORD);
    check_eq!(get(rec::BADGE), 0);
    check_eq!(get(rec::CAPS), 0);
    check_eq!(get(rec::UNWRAPPED), 0);
    Ok(())
}

fn badge_delivered(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let m = ok!(e.mint(ep, CapRights::ALL, 0xbeef_0000_0001));
    ok!(e.spawn(ROOT_PRIO, 0, kids::recv_once, kids::arg(ep, 0)));
    ok!(e.spawn(ROOT_PRIO, 0, kids::send_once, kids::arg(m, REC)));
    check!(wait_until(|| kids::done(0)), "no transfer");
    check_eq!(get(rec::BADGE), 0xbeef_0000_0001);
    Ok(())
}

fn label_whole(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    set(P_LABEL, MessageInfo::MAX_LABEL);
    transfer(e, ep, ep)?;
    check_eq!(get(rec::LABEL), MessageInfo::MAX_LABEL);
    Ok(())
}

fn long_message(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    set(P_LEN, MSG_MAX_LENGTH as u64);
    transfer(e, ep, ep)?;
    check_eq!(get(rec::LEN), MSG_MAX_LENGTH as u64);
    check_eq!(get(R_OK), 1);
    Ok(())
}

fn length_clamped(e: &Env) -> TestResult {
    // messageInfoFromWord clamps a length field above 120 to 120.
    let ep = ok!(e.endpoint());
    set(P_LEN, MessageInfo::MAX_LENGTH_FIELD);
    transfer(e, ep, ep)?;
    check_eq!(get(rec::LEN), MSG_MAX_LENGTH as u64);
    check_eq!(get(R_OK), 1);
    Ok(())
}

fn recv_blocks(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    ok!(e.spawn(ROOT_PRIO, 0, kids::recv_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::started(0)), "receiver never ran");
    yields(10);
    check!(!kids::done(0), "Recv returned with nothing sent");
    ok!(e.spawn(ROOT_PRIO, 0, kids::send_once, kids::arg(ep, REC)));
    check!(wait_until(|| kids::done(0) && kids::done(REC)), "no transfer");
    Ok(())
}

fn send_blocks(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    ok!(e.spawn(ROOT_PRIO, 0, kids::send_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::started(0)), "sender never ran");
    yields(10);
    check!(!kids::done(0), "Send returned with nobody receiving");
    ok!(e.spawn(ROOT_PRIO, 0, kids::recv_once, kids::arg(ep, REC)));
    check!(wait_until(|| kids::done(0) && kids::done(REC)), "no transfer");
    check_eq!(get(REC + rec::MR), kids::MSG_WORD);
    Ok(())
}

fn nbsend_once(a: u64) {
    let ep = a & 0xffff_ffff;
    let r = (a >> 32) as usize;
    sel4::set_mr(0, kids::MSG_WORD);
    set(r + rec::STARTED, 1);
    sel4::nb_send(ep, MessageInfo::new(kids::SEND_LABEL, 0, 0, 1));
    set(r + rec::DONE, 1);
}

fn nbsend_drops(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    ok!(e.spawn(ROOT_PRIO, 0, nbsend_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::done(0)), "NBSend blocked");
    check!(try_recv(ep).is_none(), "NBSend without a receiver was queued");
    Ok(())
}

fn nbsend_delivers(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    ok!(e.spawn(ROOT_PRIO, 0, kids::recv_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::started(0)), "receiver never ran");
    yields(3);
    ok!(e.spawn(ROOT_PRIO, 0, nbsend_once, kids::arg(ep, REC)));
    check!(wait_until(|| kids::done(0)), "NBSend to a waiting receiver lost");
    check_eq!(get(rec::MR), kids::MSG_WORD);
    Ok(())
}

fn nbrecv_idle(e: &Env) -> TestResult {
    // doNBRecvFailedTransfer writes only the badge register: the info and
    // message registers keep what they held.
    let ep = ok!(e.endpoint());
    let mut regs = MsgRegs([1, 2, 3, 4]);
    let (badge, info) = sel4::sys_nbrecv(ep, &mut regs);
    check_eq!(badge, 0);
    check_eq!(info.word(), 0);
    check_eq!(regs, MsgRegs([1, 2, 3, 4]));
    Ok(())
}

fn nbrecv_takes_sender(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let m = ok!(e.mint(ep, CapRights::ALL, 77));
    ok!(e.spawn(ROOT_PRIO, 0, kids::send_once, kids::arg(m, 0)));
    check!(wait_until(|| kids::started(0)), "sender never ran");
    yields(3);
    let Some((info, badge)) = try_recv(ep) else { return Err(fail("nothing received")) };
    check_eq!(badge, 77);
    check_eq!(info.label(), kids::SEND_LABEL);
    check_eq!(sel4::get_mr(0), kids::MSG_WORD);
    check!(wait_until(|| kids::done(0)), "sender not released");
    Ok(())
}

fn senders_fifo(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    for (k, badge) in [1u64, 2, 3].into_iter().enumerate() {
        let m = ok!(e.mint(ep, CapRights::ALL, badge));
        ok!(e.spawn(ROOT_PRIO, 0, kids::send_once, kids::arg(m, k * REC)));
        check!(wait_until(|| kids::started(k * REC)), "sender never ran");
        yields(3);
    }
    for want in [1u64, 2, 3] {
        let Some((_, badge)) = try_recv(ep) else { return Err(fail("a queued send is missing")) };
        check_eq!(badge, want);
    }
    Ok(())
}

fn receivers_fifo(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    for k in 0..2 {
        ok!(e.spawn(ROOT_PRIO, 0, kids::recv_once, kids::arg(ep, k * REC)));
        check!(wait_until(|| kids::started(k * REC)), "receiver never ran");
        yields(3);
    }
    let m5 = ok!(e.mint(ep, CapRights::ALL, 5));
    let m6 = ok!(e.mint(ep, CapRights::ALL, 6));
    sel4::nb_send(m5, MessageInfo::new(1, 0, 0, 0));
    check!(wait_until(|| kids::done(0)), "first receiver not served first");
    check!(!kids::done(REC), "one message woke two receivers");
    sel4::nb_send(m6, MessageInfo::new(1, 0, 0, 0));
    check!(wait_until(|| kids::done(REC)), "second receiver not served");
    check_eq!(get(rec::BADGE), 5);
    check_eq!(get(REC + rec::BADGE), 6);
    Ok(())
}

/// Server: receives `n` calls and answers each with label 0x33 and MR0 + 1
/// (the first with Reply, the rest through ReplyRecv).
fn server(a: u64) {
    let ep = a & 0xffff_ffff;
    let n = a >> 32;
    let _ = sel4::recv(ep);
    for _ in 1..n {
        sel4::set_mr(0, sel4::get_mr(0) + 1);
        let _ = sel4::reply_recv(ep, MessageInfo::new(0x33, 0, 0, 1));
    }
    sel4::set_mr(0, sel4::get_mr(0) + 1);
    sel4::reply(MessageInfo::new(0x33, 0, 0, 1));
    set(R_OK, 1);
}

fn call_reply(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    ok!(e.spawn(ROOT_PRIO, 0, server, ep | (1 << 32)));
    ok!(e.spawn(ROOT_PRIO, 0, kids::call_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::done(0)), "Call not answered");
    check_eq!(get(rec::LABEL), 0x33);
    check_eq!(get(rec::LEN), 1);
    check_eq!(get(rec::MR), kids::MSG_WORD + 1);
    check_eq!(get(rec::BADGE), 0);
    Ok(())
}

fn reply_recv(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    ok!(e.spawn(ROOT_PRIO, 0, server, ep | (2 << 32)));
    ok!(e.spawn(ROOT_PRIO, 0, kids::call_once, kids::arg(ep, 0)));
    ok!(e.spawn(ROOT_PRIO, 0, kids::call_once, kids::arg(ep, REC)));
    check!(wait_until(|| kids::done(0) && kids::done(REC) && get(R_OK) == 1), "calls not all answered");
    check_eq!(get(rec::MR), kids::MSG_WORD + 1);
    check_eq!(get(REC + rec::MR), kids::MSG_WORD + 1);
    Ok(())
}

/// Server that receives once, saves its reply cap to P_SAVE's slot, and
/// records (record 2*REC).
fn saving_server(a: u64) {
    let ep = a & 0xffff_ffff;
    let r = 2 * REC;
    set(r + rec::STARTED, 1);
    let (info, badge) = sel4::recv(ep);
    let saved = ROOT.save_caller(get(P_SAVE), D).is_ok();
    set(R_OK, saved as u64);
    kids::record(r, info, badge);
}

fn call_without_grant(e: &Env) -> TestResult {
    // sendIPC: a Call through a cap with neither Grant nor GrantReply makes
    // no reply cap; the caller is left Inactive after the transfer.
    let ep = ok!(e.endpoint());
    let rw = ok!(e.mint(ep, CapRights::READ_WRITE, 0));
    let save = e.slot();
    set(P_SAVE, save);
    ok!(e.spawn(ROOT_PRIO, 0, saving_server, ep));
    ok!(e.spawn(ROOT_PRIO, 0, kids::call_once, kids::arg(rw, 0)));
    check!(wait_until(|| kids::done(2 * REC)), "server got nothing");
    check_eq!(get(R_OK), 1);
    check_empty(save)?;
    yields(10);
    check!(!kids::done(0), "the caller returned without a reply");
    Ok(())
}

fn call_grant_reply(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let gr = ok!(e.mint(ep, CapRights(CapRights::READ_WRITE.0 | CapRights::GRANT_REPLY_BIT), 0));
    ok!(e.spawn(ROOT_PRIO, 0, server, ep | (1 << 32)));
    ok!(e.spawn(ROOT_PRIO, 0, kids::call_once, kids::arg(gr, 0)));
    check!(wait_until(|| kids::done(0)), "Call with GrantReply not answered");
    check_eq!(get(rec::LABEL), 0x33);
    Ok(())
}

fn save_caller_send(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let save = e.slot();
    set(P_SAVE, save);
    ok!(e.spawn(ROOT_PRIO, 0, saving_server, ep));
    ok!(e.spawn(ROOT_PRIO, 0, kids::call_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::done(2 * REC)), "server got nothing");
    check_tag(save, cap_tag::REPLY)?;
    check!(!kids::done(0), "caller returned before the reply");
    // A Send on the saved reply cap is the reply; it uses the cap up.
    sel4::set_mr(0, 0x99);
    sel4::send(save, MessageInfo::new(0x44, 0, 0, 1));
    check!(wait_until(|| kids::done(0)), "reply through the saved cap lost");
    check_eq!(get(rec::LABEL), 0x44);
    check_eq!(get(rec::MR), 0x99);
    check_empty(save)
}

fn reply_alone(a: u64) {
    sel4::reply(MessageInfo::new(1, 0, 0, 0));
    set(a as usize + rec::DONE, 1);
}

fn reply_no_caller(e: &Env) -> TestResult {
    ok!(e.spawn(ROOT_PRIO, 0, reply_alone, 0));
    check!(wait_until(|| kids::done(0)), "Reply with no caller did not return");
    Ok(())
}

/// Receives a call, then NBRecvs again (discarding the reply cap), then
/// tries to save the caller.
fn forgetful_server(a: u64) {
    let ep = a & 0xffff_ffff;
    let _ = sel4::recv(ep);
    let _ = sel4::nb_recv(ep);
    let _ = ROOT.save_caller(get(P_SAVE), D);
    set(R_OK, 1);
}

fn recv_discards_reply(e: &Env) -> TestResult {
    // handleRecv deletes an unused reply cap before receiving (deleteCallerCap).
    let ep = ok!(e.endpoint());
    let save = e.slot();
    set(P_SAVE, save);
    ok!(e.spawn(ROOT_PRIO, 0, forgetful_server, ep));
    ok!(e.spawn(ROOT_PRIO, 0, kids::call_once, kids::arg(ep, 0)));
    check!(wait_until(|| get(R_OK) == 1), "server did not finish");
    check_empty(save)?;
    yields(5);
    check!(!kids::done(0), "the forgotten caller returned");
    Ok(())
}

fn copy_reply_cap(e: &Env) -> TestResult {
    // deriveCap turns a reply cap into a null cap: Copy is IllegalOperation.
    let ep = ok!(e.endpoint());
    let save = e.slot();
    set(P_SAVE, save);
    ok!(e.spawn(ROOT_PRIO, 0, saving_server, ep));
    ok!(e.spawn(ROOT_PRIO, 0, kids::call_once, kids::arg(ep, 0)));
    check!(wait_until(|| kids::done(2 * REC)), "server got nothing");
    check_tag(save, cap_tag::REPLY)?;
    let d = e.slot();
    guest_test::expect_err!(ROOT.copy(d, D, ROOT, save, D, CapRights::ALL), sel4::ErrorCode::IllegalOperation, []);
    check_empty(d)
}

fn send_without_write(e: &Env) -> TestResult {
    // The error (InvalidCapability) of a Send is dropped: it returns at once.
    let ep = ok!(e.endpoint());
    let ro = ok!(e.copy(ep, CapRights::READ_ONLY));
    ok!(e.spawn(ROOT_PRIO, 0, kids::send_once, kids::arg(ro, 0)));
    check!(wait_until(|| kids::done(0)), "Send on a read-only cap blocked");
    check!(try_recv(ep).is_none(), "a message went through a read-only cap");
    Ok(())
}

fn unwrapped_sender(a: u64) {
    let ep = a & 0xffff_ffff;
    sel4::send(ep, MessageInfo::new(0x55, 0b111, 0, 1));
}

fn sender_unwrapped_ignored(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    ok!(e.spawn(ROOT_PRIO, 0, kids::recv_once, kids::arg(ep, 0)));
    ok!(e.spawn(ROOT_PRIO, 0, unwrapped_sender, ep));
    check!(wait_until(|| kids::done(0)), "no transfer");
    check_eq!(get(rec::LABEL), 0x55);
    check_eq!(get(rec::UNWRAPPED), 0);
    check_eq!(get(rec::CAPS), 0);
    Ok(())
}

/// Sets up a receive slot and the caps to send; returns the receive slot.
fn caps(e: &Env, caps: &[u64]) -> u64 {
    let slot = e.slot();
    set(P_SLOT, slot);
    set(P_NCAPS, caps.len() as u64);
    for (i, c) in caps.iter().enumerate() {
        set(P_CAP0 + i, *c);
    }
    slot
}

fn cap_transfer(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let n = ok!(e.notification());
    let nb = ok!(e.mint(n, CapRights::ALL, 0x31));
    let slot = caps(e, &[nb]);
    transfer(e, ep, ep)?;
    check_eq!(get(rec::CAPS), 1);
    check_eq!(get(rec::UNWRAPPED), 0);
    check_tag(slot, cap_tag::NOTIFICATION)?;
    // The transferred cap keeps its badge.
    ok!(sel4::invoke_raw(slot, 0, &[], &[]));
    check_eq!(sel4::poll(n), 0x31);
    Ok(())
}

fn cap_transfer_needs_grant(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let tx = ok!(e.mint(ep, CapRights(CapRights::READ_WRITE.0 | CapRights::GRANT_REPLY_BIT), 0));
    let n = ok!(e.notification());
    let slot = caps(e, &[n]);
    transfer(e, ep, tx)?;
    check_eq!(get(rec::CAPS), 0);
    check_eq!(get(rec::MR), pattern(0));
    check_empty(slot)
}

fn cap_transfer_slot_occupied(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let n = ok!(e.notification());
    let slot = caps(e, &[n]);
    ok!(ROOT.copy(slot, D, ROOT, ep, D, CapRights::ALL));
    transfer(e, ep, ep)?;
    check_eq!(get(rec::CAPS), 0);
    check_eq!(get(rec::LABEL), kids::SEND_LABEL);
    check_tag(slot, cap_tag::ENDPOINT)
}

fn cap_transfer_no_path(e: &Env) -> TestResult {
    // Receive path all zero: receiveCNode 0 is the null slot, no receive slot.
    let ep = ok!(e.endpoint());
    let n = ok!(e.notification());
    caps(e, &[n]);
    set(P_SLOT, 0);
    transfer(e, ep, ep)?;
    check_eq!(get(rec::CAPS), 0);
    Ok(())
}

fn unwrap_same_ep(e: &Env) -> TestResult {
    // A cap to the endpoint the message travels on arrives as its badge.
    let ep = ok!(e.endpoint());
    let m = ok!(e.mint(ep, CapRights::ALL, 0x77));
    let slot = caps(e, &[m]);
    transfer(e, ep, ep)?;
    check_eq!(get(rec::CAPS), 1);
    check_eq!(get(rec::UNWRAPPED), 0b1);
    check_eq!(get(R_BADGES), 0x77);
    check_empty(slot)
}

fn unwrap_then_transfer(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let m = ok!(e.mint(ep, CapRights::ALL, 0x77));
    let n = ok!(e.notification());
    let slot = caps(e, &[m, n]);
    transfer(e, ep, ep)?;
    check_eq!(get(rec::CAPS), 2);
    check_eq!(get(rec::UNWRAPPED), 0b01);
    check_eq!(get(R_BADGES), 0x77);
    check_tag(slot, cap_tag::NOTIFICATION)
}

fn transfer_then_unwrap(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let m = ok!(e.mint(ep, CapRights::ALL, 0x78));
    let n = ok!(e.notification());
    let slot = caps(e, &[n, m]);
    transfer(e, ep, ep)?;
    check_eq!(get(rec::CAPS), 2);
    check_eq!(get(rec::UNWRAPPED), 0b10);
    check_eq!(get(R_BADGES + 1), 0x78);
    check_tag(slot, cap_tag::NOTIFICATION)
}

fn transfer_stops_null(e: &Env) -> TestResult {
    // An empty slot among the caps: deriveCap gives a null cap, the
    // transfer stops there and extraCaps counts the caps before it.
    let ep = ok!(e.endpoint());
    let m = ok!(e.mint(ep, CapRights::ALL, 0x79));
    let empty = e.slot();
    let n = ok!(e.notification());
    let slot = caps(e, &[m, empty, n]);
    transfer(e, ep, ep)?;
    check_eq!(get(rec::CAPS), 1);
    check_eq!(get(rec::UNWRAPPED), 0b1);
    check_empty(slot)
}

fn transfer_one_slot(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let n1 = ok!(e.notification());
    let n2 = ok!(e.notification());
    let slot = caps(e, &[n1, n2]);
    transfer(e, ep, ep)?;
    check_eq!(get(rec::CAPS), 1);
    check_tag(slot, cap_tag::NOTIFICATION)
}

fn transfer_stops_underivable(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let slot = caps(e, &[cap::IRQ_CONTROL]);
    transfer(e, ep, ep)?;
    check_eq!(get(rec::CAPS), 0);
    check_empty(slot)
}

/// Server receiving on the cap in the argument; replies with the cap at
/// P_CAP0 attached.
fn cap_reply_server(a: u64) {
    let ep = a & 0xffff_ffff;
    let _ = sel4::recv(ep);
    sel4::set_cap(0, get(P_CAP0));
    sel4::set_mr(0, 0x66);
    sel4::reply(MessageInfo::new(0x33, 0, 1, 1));
    set(R_OK, 1);
}

/// Caller with a receive slot at P_SLOT; records the reply in record 0.
fn cap_reply_client(a: u64) {
    let ep = a & 0xffff_ffff;
    sel4::set_cap_receive_path(ROOT.0, get(P_SLOT), D as u64);
    set(rec::STARTED, 1);
    sel4::set_mr(0, 1);
    let info = sel4::call(ep, MessageInfo::new(0x22, 0, 0, 1));
    kids::record(0, info, 0);
}

fn reply_cap_test(e: &Env, server_cap: u64, ep: u64) -> Result<u64, Failure> {
    let n = ok!(e.notification());
    let slot = e.slot();
    set(P_SLOT, slot);
    set(P_CAP0, n);
    ok!(e.spawn(ROOT_PRIO, 0, cap_reply_server, server_cap));
    ok!(e.spawn(ROOT_PRIO, 0, cap_reply_client, ep));
    check!(wait_until(|| kids::done(0)), "call not answered");
    check_eq!(get(rec::LABEL), 0x33);
    check_eq!(get(rec::MR), 0x66);
    Ok(slot)
}

fn reply_grant(e: &Env) -> TestResult {
    // The reply cap may carry caps when the receiver's cap had Grant.
    let ep = ok!(e.endpoint());
    let slot = reply_cap_test(e, ep, ep)?;
    check_eq!(get(rec::CAPS), 1);
    check_tag(slot, cap_tag::NOTIFICATION)
}

fn reply_no_grant(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    let rx = ok!(e.mint(ep, CapRights::READ_ONLY, 0));
    let slot = reply_cap_test(e, rx, ep)?;
    check_eq!(get(rec::CAPS), 0);
    check_empty(slot)
}

/// Receives with registers only (no IPC buffer); records length and MR0..3.
fn recv_regs(a: u64) {
    let ep = a & 0xffff_ffff;
    set(rec::STARTED, 1);
    let mut r = MsgRegs::default();
    let (badge, info) = sel4::sys_recv(ep, &mut r);
    set(rec::BADGE, badge);
    set(rec::LEN, info.length());
    for i in 0..4 {
        set(rec::MR + i, r.0[i]);
    }
    set(rec::DONE, 1);
}

/// Sends 10 MRs with registers only (no IPC buffer).
fn send_regs(a: u64) {
    let ep = a & 0xffff_ffff;
    let mut r = MsgRegs([pattern(0), pattern(1), pattern(2), pattern(3)]);
    sel4::sys_send(ep, MessageInfo::new(kids::SEND_LABEL, 0, 0, 10), &mut r);
    set(REC + rec::DONE, 1);
}

fn receiver_no_buffer(e: &Env) -> TestResult {
    // copyMRs moves only the register MRs when a side has no buffer.
    let ep = ok!(e.endpoint());
    let c = ok!(e.thread_without_buffer(ROOT_PRIO, 0));
    ok!(e.start(&c, recv_regs, ep));
    check!(wait_until(|| kids::started(0)), "receiver never ran");
    set(P_LEN, 10);
    ok!(e.spawn(ROOT_PRIO, 0, send_params, kids::arg(ep, REC)));
    check!(wait_until(|| kids::done(0)), "no transfer");
    check_eq!(get(rec::LEN), 4);
    for i in 0..4 {
        check_eq!(get(rec::MR + i), pattern(i));
    }
    Ok(())
}

fn sender_no_buffer(e: &Env) -> TestResult {
    let ep = ok!(e.endpoint());
    set(P_SLOT, 0);
    ok!(e.spawn(ROOT_PRIO, 0, recv_params, kids::arg(ep, 0)));
    check!(wait_until(|| kids::started(0)), "receiver never ran");
    let c = ok!(e.thread_without_buffer(ROOT_PRIO, 0));
    ok!(e.start(&c, send_regs, ep));
    check!(wait_until(|| kids::done(0)), "no transfer");
    check_eq!(get(rec::LEN), 4);
    check_eq!(get(R_OK), 1);
    Ok(())
}
