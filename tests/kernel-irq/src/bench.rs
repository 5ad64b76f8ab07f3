//! Interrupt-latency benchmark (`./x bench irq`): TSC ticks from a device
//! interrupt to the handler thread running. A low-priority thread spins
//! storing the TSC; the CMOS RTC's periodic interrupt (IOAPIC pin 8)
//! interrupts it, and the kernel signals the notification a high-priority
//! handler thread waits on; the handler reads the TSC first thing and
//! subtracts the spinner's last value. Under QEMU `-icount shift=0` the TSC
//! counts instructions, so the harness reports that run as instructions.
//! Samples where the spinner did not run since the last one are dropped;
//! the median is reported.
#![no_std]
#![no_main]

extern crate sel4_rt;

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use kernel_irq::*;
use sel4::abi::cap_tag;
use sel4::{BootInfo, CapRights};

const SAMPLES: usize = 301;
const V_RTC: u64 = 8;

static LAST: AtomicU64 = AtomicU64::new(0);
static STOP: AtomicBool = AtomicBool::new(false);
static DELTAS: [AtomicU64; SAMPLES] = [const { AtomicU64::new(0) }; SAMPLES];
static TAKEN: AtomicU64 = AtomicU64::new(0);
static DROPPED: AtomicU64 = AtomicU64::new(0);
/// Caps for the handler thread: IRQ handler, notification, RTC ports.
static CAPS: [AtomicU64; 3] = [const { AtomicU64::new(0) }; 3];

fn spinner(_: u64) {
    while !STOP.load(Relaxed) {
        LAST.store(rdtsc(), Relaxed);
    }
}

fn handler(_: u64) {
    let h = IrqHandler(CAPS[0].load(Relaxed));
    let n = CAPS[1].load(Relaxed);
    let rtc = Rtc(IoPort(CAPS[2].load(Relaxed)));
    let mut taken = 0;
    let mut dropped = 0;
    while taken < SAMPLES && dropped < 10 * SAMPLES as u64 {
        LAST.store(0, Relaxed);
        sel4::wait(n);
        let t1 = rdtsc();
        let t0 = LAST.load(Relaxed);
        if t0 != 0 && t1 > t0 {
            DELTAS[taken].store(t1 - t0, Relaxed);
            taken += 1;
        } else {
            dropped += 1;
        }
        let _ = rtc.ack();
        let _ = h.ack();
    }
    TAKEN.store(taken as u64, Relaxed);
    DROPPED.store(dropped, Relaxed);
    STOP.store(true, Relaxed);
}

fn fail(why: &str) -> ! {
    sel4::println!("bench-irq: {why}");
    sel4::println!("suite kernel-bench-irq: 0 passed, 1 failed");
    sel4::debug_halt()
}

fn main(bi: &'static BootInfo) -> ! {
    let Ok(env) = Env::new(bi) else { fail("no environment") };
    let port = env.fixed_slot(0);
    if IO_PORT_CONTROL.issue(RTC_INDEX, RTC_DATA, ROOT, port, D).is_err() {
        fail("cannot issue the RTC ports");
    }
    let h = env.slot();
    if IRQ_CONTROL.get_ioapic(ROOT, h, D, 0, RTC_PIN, 0, 0, V_RTC).is_err() || sel4::debug_cap_identify(h) != cap_tag::IRQ_HANDLER {
        fail("cannot get the RTC's IRQ handler");
    }
    let Ok(n) = env.notification() else { fail("no notification") };
    let Ok(nb) = env.mint(n, CapRights::ALL, 1) else { fail("cannot mint") };
    if IrqHandler(h).set_notification(nb).is_err() {
        fail("cannot set the notification");
    }
    CAPS[0].store(h, Relaxed);
    CAPS[1].store(nb, Relaxed);
    CAPS[2].store(port, Relaxed);
    if env.spawn(200, handler, 0).is_err() || env.spawn(50, spinner, 0).is_err() {
        fail("cannot start the threads");
    }
    let rtc = Rtc(IoPort(port));
    if rtc.start_periodic(RATE_1024HZ).is_err() {
        fail("cannot start the RTC");
    }
    // Below the spinner: the root runs again once the handler has its
    // samples and the spinner has stopped.
    let _ = ME.set_priority(ME, 10);
    sel4::yield_now();
    let _ = rtc.stop();

    let taken = TAKEN.load(Relaxed) as usize;
    if taken < SAMPLES {
        sel4::println!("bench-irq: only {taken} samples ({} dropped)", DROPPED.load(Relaxed));
        fail("too few samples");
    }
    let mut d = [0u64; SAMPLES];
    for (o, a) in d.iter_mut().zip(DELTAS.iter()) {
        *o = a.load(Relaxed);
    }
    d.sort_unstable();
    let median = d[SAMPLES / 2];
    let sum: u64 = d.iter().sum();
    sel4::println!(
        "bench-irq: {SAMPLES} samples ({} dropped): min {} median {} mean {} max {} TSC ticks",
        DROPPED.load(Relaxed),
        d[0],
        median,
        sum / SAMPLES as u64,
        d[SAMPLES - 1]
    );
    sel4::println!("bench-raw irq.to_handler = {median} 0");
    sel4::println!("suite kernel-bench-irq: 1 passed, 0 failed");
    sel4::debug_halt()
}
sel4_rt::root_task!(main);
