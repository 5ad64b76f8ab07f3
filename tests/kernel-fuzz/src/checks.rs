//! The checks the summary line counts: the kernel is alive and consistent
//! after fuzzing (initial and control caps unchanged, fresh objects work,
//! the servers still answer, the fuzzer's own calls never stalled), and no
//! memory leaked (an untyped, once revoked, can be retyped whole again).

use crate::inv::{self, Reply};
use crate::layout::{ctl, untypeds, Layout, ARENA_BITS, SPARE_BITS, WS_LEN};
use crate::threads::{self, CONTROL_STALLS, FAILED, PASSED, SERVED};
use core::fmt;
use core::sync::atomic::Ordering::SeqCst;
use sel4::abi::invocation::InvocationLabel as L;
use sel4::abi::{MessageInfo, ObjectType};
use sel4::{debug_cap_identify, println, MsgRegs};

/// A failed check's message.
pub struct Failure(heapless_str::Str);

mod heapless_str {
    /// A fixed-capacity string, so no allocator is needed.
    pub struct Str {
        pub buf: [u8; 160],
        pub len: usize,
    }

    impl core::fmt::Write for Str {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let n = s.len().min(self.buf.len() - self.len);
            self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
            self.len += n;
            Ok(())
        }
    }
}

impl Failure {
    pub fn new(args: fmt::Arguments) -> Failure {
        let mut s = heapless_str::Str { buf: [0; 160], len: 0 };
        let _ = fmt::write(&mut s, args);
        Failure(s)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(core::str::from_utf8(&self.0.buf[..self.0.len]).unwrap_or("?"))
    }
}

macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err($crate::checks::Failure::new(format_args!($($arg)+)));
        }
    };
}
pub(crate) use ensure;

/// Records one check; failures are printed, passes only counted (there are
/// many per run).
pub fn record(name: &str, epoch: u64, r: Result<(), Failure>) {
    match r {
        Ok(()) => {
            PASSED.fetch_add(1, SeqCst);
        }
        Err(e) => {
            FAILED.fetch_add(1, SeqCst);
            println!("test {name}@{epoch} ... FAILED: {e}");
        }
    }
}

/// An invocation the check needs to succeed.
fn must(what: &str, r: Reply) -> Result<Reply, Failure> {
    ensure!(r.ok(), "{what}: {r}");
    Ok(r)
}

/// The cap types of the slots below the working set, taken after setup.
pub struct Snapshot {
    tags: [u8; 1024],
    len: usize,
}

impl Snapshot {
    pub fn take(l: &Layout) -> Snapshot {
        let mut s = Snapshot { tags: [0; 1024], len: (l.ws as usize).min(1024) };
        for slot in 0..s.len {
            s.tags[slot] = debug_cap_identify(slot as u64) as u8;
        }
        s
    }
}

/// The initial caps, BootInfo's caps and the control region are as they
/// were after setup: the fuzzer may not touch them, so any change is the
/// kernel's doing.
pub fn caps_unchanged(snap: &Snapshot) -> Result<(), Failure> {
    for slot in 0..snap.len {
        let t = debug_cap_identify(slot as u64);
        ensure!(t == snap.tags[slot] as u64, "slot {slot}: cap type {t}, was {}", snap.tags[slot]);
    }
    Ok(())
}

/// The fuzzer's own calls never needed rescuing since the last check.
pub fn no_control_stalls(seen: &mut u64) -> Result<(), Failure> {
    let now = CONTROL_STALLS.load(SeqCst);
    let new = now - *seen;
    *seen = now;
    ensure!(new == 0, "{new} of the fuzzer's own calls stalled");
    Ok(())
}

/// Objects retyped now from a spare untyped work: a notification carries a
/// badge, a fresh endpoint with nobody on it neither blocks NBSend nor
/// delivers anything to NBRecv, and the untyped is whole again afterwards.
pub fn fresh_objects(l: &Layout) -> Result<(), Failure> {
    let spare = l.c(ctl::SPARE_UT);
    must("revoke spare", inv::revoke(spare))?;
    // A notification the fuzzer bound to the root thread would answer the
    // NBRecv below; unbinding fails harmlessly when there is none.
    inv::invoke(inv::ROOT_TCB, L::TCBUnbindNotification as u64, &[], &[]);
    let r = fresh_objects_in(l, spare);
    // Whatever happened, leave the scratch slots empty for the next check.
    must("revoke spare at the end", inv::revoke(spare))?;
    r
}

fn fresh_objects_in(l: &Layout, spare: u64) -> Result<(), Failure> {
    let (ep, ntfn, badged) = (l.c(ctl::TMP), l.c(ctl::TMP + 1), l.c(ctl::TMP + 2));
    must("retype endpoint", inv::retype(spare, ObjectType::Endpoint as u64, 0, ep, 1))?;
    must("retype notification", inv::retype(spare, ObjectType::Notification as u64, 0, ntfn, 1))?;
    must("mint badged notification", inv::mint(badged, ntfn, 0xf, 0x5a5a))?;
    let mut m = MsgRegs::default();
    sel4::sys_nbsend(badged, MessageInfo::new(0, 0, 0, 1), &mut m);
    let (b, _) = sel4::sys_nbrecv(ntfn, &mut m);
    ensure!(b == 0x5a5a, "notification poll after a signal: badge {b:#x}, wanted 0x5a5a");
    let (b, _) = sel4::sys_nbrecv(ntfn, &mut m);
    ensure!(b == 0, "second poll: badge {b:#x}, wanted 0");
    sel4::sys_nbsend(ep, MessageInfo::new(0x42, 0, 0, 2), &mut m);
    let (b, i) = sel4::sys_nbrecv(ep, &mut m);
    ensure!(b == 0 && i.label() == 0, "NBRecv on an idle endpoint: badge {b:#x} info {:#x}", i.word());
    for s in [ep, ntfn, badged] {
        ensure!(debug_cap_identify(s) != 0, "slot {s} empty before the revoke");
    }
    must("revoke spare again", inv::revoke(spare))?;
    for s in [ep, ntfn, badged] {
        ensure!(debug_cap_identify(s) == 0, "slot {s} still holds a cap after revoking its untyped");
    }
    must("spare whole again", inv::retype(spare, ObjectType::Untyped as u64, SPARE_BITS, ep, 1))?;
    Ok(())
}

/// Both servers answer a Call with an 8-word message: the echo carries
/// the sum of the words, so MRs in registers and in the buffer both arrived.
pub fn servers_answer(l: &Layout) -> Result<(), Failure> {
    for (s, off) in ctl::SERVED_EP.iter().enumerate() {
        let words = [3u64, 5, 7, 11, 13, 17, 19, 23 + s as u64];
        let before = SERVED[s].load(SeqCst);
        let r = inv::invoke(l.c(*off), 0x77, &words, &[]);
        let want_sum: u64 = words.iter().sum();
        ensure!(r.label == 0 && r.len == 4, "server {s}: reply {r}");
        let got = MessageInfo(r.mrs[1]);
        ensure!(r.mrs[0] == 0, "server {s} saw badge {:#x}, wanted 0", r.mrs[0]);
        ensure!(got.label() == 0x77 && got.length() == 8, "server {s} saw info {:#x}", got.word());
        ensure!(r.mrs[2] == want_sum, "server {s}: sum {} wanted {want_sum}", r.mrs[2]);
        ensure!(SERVED[s].load(SeqCst) > before, "server {s} did not count the message");
    }
    Ok(())
}

/// The working set is empty (after the epoch's revoke and sweep).
pub fn ws_empty(l: &Layout) -> Result<(), Failure> {
    for i in 0..WS_LEN {
        let t = debug_cap_identify(l.w(i));
        ensure!(t == 0, "working-set slot {} still holds cap type {t}", l.w(i));
    }
    Ok(())
}

/// Nothing is left allocated in `untyped` (already revoked): it can be
/// retyped into one untyped of its full size, which needs all of it free.
pub fn whole_again(l: &Layout, untyped: u64, size_bits: u64) -> Result<(), Failure> {
    let tmp = l.c(ctl::LEAK_TMP);
    let r = inv::retype(untyped, ObjectType::Untyped as u64, size_bits, tmp, 1);
    ensure!(r.ok(), "untyped in slot {untyped} (2^{size_bits} bytes) cannot be retyped whole: {r}");
    must("revoke after the leak check", inv::revoke(untyped))?;
    ensure!(debug_cap_identify(tmp) == 0, "leak-check untyped still present after revoke");
    Ok(())
}

/// The arena's leak check: revoke it, then retype it whole.
pub fn arena_whole(l: &Layout) -> Result<(), Failure> {
    must("revoke arena", inv::revoke(l.c(ctl::ARENA_UT)))?;
    whole_again(l, l.c(ctl::ARENA_UT), ARENA_BITS)
}

/// The periodic consistency checks.
pub fn sanity(l: &Layout, snap: &Snapshot, epoch: u64, stalls: &mut u64) {
    threads::PROGRESS.fetch_add(1, SeqCst);
    record("caps-unchanged", epoch, caps_unchanged(snap));
    record("fresh-objects", epoch, fresh_objects(l));
    record("servers-answer", epoch, servers_answer(l));
    record("no-control-stalls", epoch, no_control_stalls(stalls));
}

/// Teardown: revoke every BootInfo untyped and check each is whole again.
/// The one holding the fuzzer's own objects goes last: revoking it ends
/// the helper threads.
pub fn all_untypeds_whole(l: &Layout) {
    let mut order = [0u64; 256];
    let mut n = 0;
    for (i, _) in untypeds(l.bi).iter().enumerate() {
        let slot = l.bi.untyped.start + i as u64;
        if slot != l.big_ut && n < order.len() {
            order[n] = slot;
            n += 1;
        }
    }
    order[n] = l.big_ut;
    n += 1;
    for &slot in &order[..n] {
        let u = untypeds(l.bi)[(slot - l.bi.untyped.start) as usize];
        threads::PROGRESS.fetch_add(1, SeqCst);
        let r = inv::revoke(slot);
        let res = if r.ok() {
            whole_again(l, slot, u.size_bits as u64)
        } else {
            Err(Failure::new(format_args!("revoke of untyped slot {slot}: {r}")))
        };
        record(if u.is_device != 0 { "device-untyped-whole" } else { "ram-untyped-whole" }, slot, res);
    }
}
