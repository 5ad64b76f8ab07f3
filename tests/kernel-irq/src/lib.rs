//! What the IRQ suite and the interrupt benchmark share: typed wrappers for
//! the IRQ and I/O-port invocations (packed as libsel4's stubs pack them),
//! the CMOS real-time clock as a test device, a TSC clock, and a small
//! environment of slots, a per-test untyped and pooled child threads.
#![no_std]

use core::cell::Cell;
use core::sync::atomic::{AtomicU64, Ordering::SeqCst};
use guest_test::pool::ThreadPool;
use guest_test::{Failure, TestResult};
use sel4::abi::{bootinfo_id, cap};
use sel4::{BootInfo, CNode, CPtr, Error, ObjectType, Tcb, Untyped};

/// Depth of a cptr resolved from the root CNode.
pub const D: u8 = 64;
pub const ROOT: CNode = CNode(cap::INIT_THREAD_CNODE);
pub const ME: Tcb = Tcb(cap::INIT_THREAD_TCB);
pub const VSPACE: CPtr = cap::INIT_THREAD_VSPACE;
pub const IRQ_CONTROL: IrqControl = IrqControl(cap::IRQ_CONTROL);
pub const IO_PORT_CONTROL: IoPortControl = IoPortControl(cap::IO_PORT_CONTROL);

// ------------------------------------------------------------ invocations

pub use sel4::irq::{IoPort, IoPortControl, IrqControl, IrqHandler};

// ------------------------------------------------------------ the CMOS RTC

/// The CMOS index and data ports.
pub const RTC_INDEX: u64 = 0x70;
pub const RTC_DATA: u64 = 0x71;
/// The RTC's ISA IRQ: IOAPIC pin 8 on PCs (no ACPI override), edge, active high.
pub const RTC_PIN: u64 = 8;
/// Periodic-interrupt rates (register A): 32768 >> (rate - 1) Hz.
pub const RATE_8192HZ: u8 = 3;
pub const RATE_1024HZ: u8 = 6;
pub const RATE_2HZ: u8 = 15;

/// The RTC, reached through an IOPort cap for 0x70..=0x71.
#[derive(Clone, Copy)]
pub struct Rtc(pub IoPort);

impl Rtc {
    pub fn read(&self, reg: u8) -> Result<u8, Error> {
        self.0.out8(RTC_INDEX, reg as u64)?;
        Ok(self.0.in8(RTC_DATA)? as u8)
    }

    pub fn write(&self, reg: u8, v: u8) -> Result<(), Error> {
        self.0.out8(RTC_INDEX, reg as u64)?;
        self.0.out8(RTC_DATA, v as u64)
    }

    /// Starts the periodic interrupt at `rate` (register A's low nibble,
    /// register B's PIE bit) and clears any pending flag.
    pub fn start_periodic(&self, rate: u8) -> Result<(), Error> {
        let a = self.read(0x0A)?;
        self.write(0x0A, (a & 0xF0) | rate)?;
        let b = self.read(0x0B)?;
        self.write(0x0B, b | 0x40)?;
        self.ack()?;
        Ok(())
    }

    /// Stops the periodic interrupt and clears the flags.
    pub fn stop(&self) -> Result<(), Error> {
        let b = self.read(0x0B)?;
        self.write(0x0B, b & !0x70)?;
        self.ack()?;
        Ok(())
    }

    /// Reads register C, which clears the interrupt flags and lowers IRQ 8.
    pub fn ack(&self) -> Result<u8, Error> {
        self.read(0x0C)
    }
}

// ------------------------------------------------------------ time

pub fn rdtsc() -> u64 {
    // SAFETY: reading the time-stamp counter has no side effects.
    unsafe { core::arch::x86_64::_rdtsc() }
}

static TSC_PER_MS: AtomicU64 = AtomicU64::new(1_000_000);

/// The TSC frequency in MHz from the extra BootInfo (0 if absent).
pub fn tsc_mhz(bi: &BootInfo) -> u64 {
    for (id, payload) in extra_chunks(bi) {
        if id == bootinfo_id::X86_TSC_FREQ && payload.len() >= 4 {
            return u32::from_le_bytes(payload[0..4].try_into().unwrap()) as u64;
        }
    }
    0
}

/// The extra BootInfo chunks.
pub fn extra_chunks(bi: &BootInfo) -> sel4::abi::ExtraChunks<'_> {
    sel4::abi::extra_chunks(sel4::extra_bootinfo(bi))
}

/// Sets the clock from BootInfo's TSC frequency.
pub fn init_clock(bi: &BootInfo) {
    let mhz = tsc_mhz(bi).max(1);
    TSC_PER_MS.store(mhz * 1000, SeqCst);
}

/// The TSC value `ms` milliseconds from now.
pub fn deadline(ms: u64) -> u64 {
    rdtsc() + ms * TSC_PER_MS.load(SeqCst)
}

/// Busy-waits `ms` milliseconds.
pub fn spin_ms(ms: u64) {
    let end = deadline(ms);
    while rdtsc() < end {
        core::hint::spin_loop();
    }
}

/// Polls `ntfn` until it has been signalled or `ms` milliseconds passed;
/// returns the word (0: nothing came).
pub fn poll_for(ntfn: CPtr, ms: u64) -> u64 {
    let end = deadline(ms);
    loop {
        let w = sel4::poll(ntfn);
        if w != 0 || rdtsc() >= end {
            return w;
        }
        core::hint::spin_loop();
    }
}

/// Spins until `cond` holds or `ms` milliseconds passed.
pub fn spin_until(ms: u64, mut cond: impl FnMut() -> bool) -> bool {
    let end = deadline(ms);
    while !cond() {
        if rdtsc() >= end {
            return cond();
        }
        core::hint::spin_loop();
    }
    true
}

// ------------------------------------------------------------ environment

/// Memory of the tests' child threads (at most four at a time).
static POOL: ThreadPool<4> = ThreadPool::new();

/// Words threads share with the root; zeroed after every test.
pub static SH: [AtomicU64; 16] = [const { AtomicU64::new(0) }; 16];

pub fn get(i: usize) -> u64 {
    SH[i].load(SeqCst)
}
pub fn set(i: usize, v: u64) {
    SH[i].store(v, SeqCst)
}
pub fn add(i: usize, v: u64) {
    SH[i].fetch_add(v, SeqCst);
}

/// Slots `window..window + WINDOW` of the root CNode are the tests' own and
/// are emptied after each test, as is everything retyped from the per-test
/// untyped.
pub const WINDOW: u64 = 256;
/// The root's priority during tests.
pub const ROOT_PRIO: u64 = 100;

pub struct Env {
    pub bi: &'static BootInfo,
    ut: Untyped,
    window: u64,
    next: Cell<u64>,
}

impl Env {
    /// Takes a 4 MiB (or the largest smaller) RAM untyped for the tests,
    /// reserves a slot window at the end of the root CNode and sets the
    /// root's priority to [`ROOT_PRIO`].
    pub fn new(bi: &'static BootInfo) -> Result<Env, Failure> {
        init_clock(bi);
        let n = (bi.untyped.end - bi.untyped.start) as usize;
        let (i, u) = bi.untyped_list[..n]
            .iter()
            .enumerate()
            .filter(|(_, u)| u.is_device == 0)
            .max_by_key(|(_, u)| u.size_bits)
            .ok_or_else(|| Failure::new(format_args!("no RAM untyped")))?;
        let slot = bi.empty.start;
        let bits = (u.size_bits as u64).min(22);
        guest_test::ok!(Untyped(bi.untyped.start + i as u64).retype(ObjectType::Untyped, bits, ROOT, 0, 0, slot, 1));
        guest_test::ok!(ME.set_priority(ME, ROOT_PRIO));
        let window = (1u64 << bi.init_thread_cnode_size_bits) - WINDOW;
        Ok(Env { bi, ut: Untyped(slot), window, next: Cell::new(window) })
    }

    /// A fresh slot of the window.
    pub fn slot(&self) -> CPtr {
        let s = self.next.get();
        assert!(s < self.window + WINDOW, "slot window exhausted");
        self.next.set(s + 1);
        s
    }

    /// A slot outside the window, never cleaned up (for the suite's own caps).
    pub fn fixed_slot(&self, i: u64) -> CPtr {
        self.bi.empty.start + 1 + i
    }

    pub fn obj(&self, ty: ObjectType) -> Result<CPtr, Error> {
        let s = self.slot();
        self.ut.retype(ty, 0, ROOT, 0, 0, s, 1)?;
        Ok(s)
    }

    /// An untyped of 2^bits bytes carved from the per-test untyped.
    pub fn untyped(&self, bits: u64) -> Result<Untyped, Error> {
        let s = self.slot();
        self.ut.retype(ObjectType::Untyped, bits, ROOT, 0, 0, s, 1)?;
        Ok(Untyped(s))
    }

    pub fn notification(&self) -> Result<CPtr, Error> {
        self.obj(ObjectType::Notification)
    }

    pub fn endpoint(&self) -> Result<CPtr, Error> {
        self.obj(ObjectType::Endpoint)
    }

    /// Mints `src` with `rights` and `badge` into a fresh slot.
    pub fn mint(&self, src: CPtr, rights: sel4::CapRights, badge: u64) -> Result<CPtr, Error> {
        let s = self.slot();
        ROOT.mint(s, D, ROOT, src, D, rights, badge)?;
        Ok(s)
    }

    /// Copies `src` into a fresh slot.
    pub fn copy(&self, src: CPtr) -> Result<CPtr, Error> {
        let s = self.slot();
        ROOT.copy(s, D, ROOT, src, D, sel4::CapRights::ALL)?;
        Ok(s)
    }

    /// Starts a child thread at `prio` running `f(arg)`, in the root's
    /// CSpace and VSpace, with an IPC buffer and TLS block of its own.
    pub fn spawn(&self, prio: u64, f: fn(u64), arg: u64) -> Result<Tcb, Failure> {
        let c = POOL.thread(self.bi, self.ut, self.slot(), VSPACE, 0, prio)?;
        POOL.start(&c, f, arg)?;
        Ok(c.tcb)
    }

    /// Runs one test and cleans up after it (a failed cleanup fails it).
    pub fn test(&self, s: &mut guest_test::Suite, name: &str, f: impl FnOnce(&Env) -> TestResult) {
        s.run_with_cleanup(name, || f(self), || self.cleanup());
    }

    fn cleanup(&self) -> TestResult {
        // Destroys every object and thread the test made (and frees the
        // threads' pool entries).
        let mut err = POOL.revoke(self.ut).err();
        for slot in self.window..self.next.get() {
            if let Err(e) = ROOT.delete(slot, D) {
                err.get_or_insert(e);
            }
        }
        self.next.set(self.window);
        for w in SH.iter() {
            w.store(0, SeqCst);
        }
        sel4::with_ipc_buffer(|b| b.caps_or_badges = [0; 3]);
        if let Err(e) = ME.set_priority(ME, ROOT_PRIO) {
            err.get_or_insert(e);
        }
        match err {
            None => Ok(()),
            Some(e) => Err(Failure::new(format_args!("cleanup after the test failed: {e:?}"))),
        }
    }
}
