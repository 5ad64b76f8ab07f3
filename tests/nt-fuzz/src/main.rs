//! nt-fuzz.exe: sends the Executive random service calls straight through
//! the thread's seL4 endpoint, bypassing ntdll's marshalling: random
//! labels, message lengths, argument words and buffer descriptors, over a
//! service buffer full of random bytes. The Executive must answer every
//! one (any status) and go on serving; the suite checks that it still
//! answers a real service (NtQuerySystemTime through ntdll) after every
//! round and that the answers are NTSTATUS values.
//!
//! Calls that could hurt the fuzzer itself are left out: ending or
//! suspending threads and processes, waits and delays (they may block),
//! thread and process creation (random start addresses), and changes to
//! its own memory. No argument is ever a pseudo handle (-1, -2) or a
//! small handle value, so no call reaches the fuzzer's own objects, and
//! every caller-memory descriptor points into a scratch region.
#![no_std]
#![no_main]

use nt_test::nt::*;
use nt_test::nt_abi::types::Handle;
use nt_test::nt_abi::wire::{teb_slots, SERVICE_BUFFER_SIZE};
use nt_test::nt_abi::{NtStatus, ServiceId};
use nt_test::{check, say};

const ROUNDS: u32 = 40;
const CALLS_PER_ROUND: u32 = 500;
const SCRATCH_SIZE: usize = 0x4000;
/// Services the fuzzer never calls (see the module comment).
const EXCLUDED: &[u32] = &[6, 7, 8, 15, 16, 17, 18, 21, 22, 23, 24, 26, 27, 30, 31, 33, 35, 36, 39, 45];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn teb_word(offset: usize) -> u64 {
    // SAFETY: the TEB is mapped for the thread's life; `offset` is one of
    // Triton's TEB slots.
    unsafe { ((nt_test::util::teb() as usize + offset) as *const u64).read() }
}

/// One argument word: small numbers, sizes, flags, random words (never
/// tagged as a caller-memory descriptor), and descriptors of the three
/// kinds the wire knows.
fn word(rng: &mut Rng, scratch: u64) -> u64 {
    const SPAN: u64 = 1 << 62;
    const USER: u64 = 2 << 62;
    match rng.below(10) {
        0 => 0,
        1 => rng.below(0x100),
        2 => 0x1_0000 << rng.below(20),
        3 => rng.next() & !(1 << 63),
        // A span somewhere in (or past) the service buffer.
        4 | 5 => SPAN | (rng.below(0x1000) << 47) | rng.below(SERVICE_BUFFER_SIZE as u64 + 64),
        // Caller memory: the scratch region, or addresses that are not
        // the fuzzer's (kernel half, unmapped low memory).
        6 => USER | (scratch + rng.below(SCRATCH_SIZE as u64)),
        7 => USER | [0x8000, 0x7FFF_FFFF_0000, 0x7FFF_FFFF_FFFF, 1][rng.below(4) as usize],
        8 => 3 << 62,
        _ => [0xFFFF_FFFF, 0x8000_0000, 0x7FFF_FFFF, 0x100, 0x1000][rng.below(5) as usize],
    }
}

/// Pointers into memory that is not there: ntdll's copy faults inside its
/// probe and the stub returns STATUS_ACCESS_VIOLATION; the process goes on.
fn unmapped_pointers() {
    use nt_test::nt_abi::status::STATUS_ACCESS_VIOLATION;
    use nt_test::nt_abi::types::UnicodeString;
    let unmapped = nt_test::util::bad::UNMAPPED;
    for _ in 0..3 {
        // SAFETY: the pointers are bad on purpose; ntdll must not crash.
        check!(unsafe { NtQuerySystemTime(unmapped as *mut i64) } == STATUS_ACCESS_VIOLATION);
        let s = UnicodeString { length: 8, maximum_length: 8, buffer: unmapped as u64 };
        // SAFETY: as above: the string's characters are not there.
        check!(unsafe { NtDisplayString(&s) } == STATUS_ACCESS_VIOLATION);
        // SAFETY: as above: the UNICODE_STRING itself is not there.
        check!(unsafe { NtDisplayString(unmapped as *const UnicodeString) } == STATUS_ACCESS_VIOLATION);
    }
    let mut now = 0i64;
    // SAFETY: a valid pointer: the thread still works normally.
    check!(unsafe { NtQuerySystemTime(&mut now) } == NtStatus(0) && now > 0);
}

/// Creating handles without end meets the per-process handle limit with
/// STATUS_INSUFFICIENT_RESOURCES; closing them all gives everything back,
/// and the Executive goes on serving.
fn handle_exhaustion() {
    use nt_test::nt_abi::status::{STATUS_INSUFFICIENT_RESOURCES, STATUS_SUCCESS};
    let mut first = Handle::NULL;
    let mut count = 0u64;
    let last = loop {
        let mut h = Handle::NULL;
        // SAFETY: valid pointers.
        let st = unsafe { NtCreateEvent(&mut h, 0x1F_0003, core::ptr::null(), 0, 0) };
        if st != STATUS_SUCCESS || count >= 1_000_000 {
            break st;
        }
        if count == 0 {
            first = h;
        }
        count += 1;
    };
    check!(last == STATUS_INSUFFICIENT_RESOURCES, "the limit's status after {count} handles: {last:?}");
    check!(count >= 1000, "at least a thousand handles ({count})");
    // Handles are dense multiples of 4 from the first one.
    let mut closed = 0u64;
    for i in 0..count {
        // SAFETY: the handles this loop made.
        if unsafe { NtClose(Handle(first.0 + 4 * i)) } == STATUS_SUCCESS {
            closed += 1;
        }
    }
    check!(closed == count, "closed {closed} of {count}");
    let mut h = Handle::NULL;
    // SAFETY: valid pointers.
    check!(unsafe { NtCreateEvent(&mut h, 0x1F_0003, core::ptr::null(), 0, 0) } == STATUS_SUCCESS);
    // SAFETY: the handle just made.
    unsafe { NtClose(h) };
}

fn run(_peb: &nt_test::nt_abi::types::Peb) {
    unmapped_pointers();
    handle_exhaustion();
    let endpoint = teb_word(teb_slots::SERVICE_ENDPOINT);
    let buffer = teb_word(teb_slots::SERVICE_BUFFER);
    let ipc = teb_word(teb_slots::IPC_BUFFER);
    let (mut scratch, mut size) = (0u64, SCRATCH_SIZE as u64);
    // SAFETY: valid pointers to locals.
    let st = unsafe {
        NtAllocateVirtualMemory(Handle::CURRENT_PROCESS, &mut scratch as *mut u64 as *mut usize, 0, &mut size as *mut u64 as *mut usize, 0x3000, 4)
    };
    check!(st.0 == 0 && scratch != 0);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut odd_statuses = 0u32;
    let mut succeeded = 0u32;
    for round in 0..ROUNDS {
        for _ in 0..CALLS_PER_ROUND {
            let label = match rng.below(16) {
                0 => rng.next() & 0xFFFF_FFFF,
                _ => rng.below(80),
            };
            if EXCLUDED.contains(&(label as u32)) {
                continue;
            }
            // SAFETY: the service buffer is this thread's, SERVICE_BUFFER_SIZE
            // bytes; random contents are what is being tested.
            let buf = unsafe { core::slice::from_raw_parts_mut(buffer as *mut u64, SERVICE_BUFFER_SIZE / 8) };
            for w in buf.iter_mut().take(rng.below(64) as usize * 16) {
                *w = rng.next();
            }
            // Mostly the exact length the service takes, so that the
            // descriptors and buffers get decoded, not just the length.
            let exact = u32::try_from(label).ok().and_then(|l| ServiceId::try_from(l).ok()).map(|s| s.desc().call_words());
            let len = match (rng.below(4), exact) {
                (0, _) => rng.below(121) as usize,
                (1, _) | (_, None) => rng.below(19) as usize,
                (_, Some(n)) => n,
            };
            let mut words = [0u64; 120];
            for w in words.iter_mut().take(len) {
                *w = word(&mut rng, scratch);
            }
            for (i, w) in words.iter().enumerate().take(len).skip(4) {
                // SAFETY: the thread's IPC buffer, message register i.
                unsafe { ((ipc + 8 + 8 * i as u64) as *mut u64).write(*w) };
            }
            let mut mr = sel4::MsgRegs([words[0], words[1], words[2], words[3]]);
            let info = sel4::abi::MessageInfo::new(label, 0, 0, len as u64);
            let (_, reply) = sel4::sys_call(endpoint, info, &mut mr);
            // Every answer is an NTSTATUS (32 bits).
            if reply.label() > u32::MAX as u64 {
                odd_statuses += 1;
            }
            if reply.label() as u32 & 0xC000_0000 != 0xC000_0000 {
                succeeded += 1;
            }
        }
        let mut now = 0i64;
        // SAFETY: a valid pointer.
        let alive = unsafe { NtQuerySystemTime(&mut now) } == NtStatus(0) && now > 0;
        check!(alive);
        if !alive {
            say!("the Executive stopped answering after round {round}");
            return;
        }
    }
    check!(odd_statuses == 0);
    say!("nt-fuzz: random calls answered, {succeeded} of them without an error status");
}

nt_test::entry!("nt-fuzz", run);
