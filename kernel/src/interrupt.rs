//! Interrupts: the local APIC timer drives preemption (a 2 ms tick,
//! calibrated against PIT channel 2 at boot; in TSC-deadline mode where the
//! CPU has it, else periodic); device interrupts come through the IOAPIC
//! (found in ACPI's MADT) or as MSIs on CPU vectors 48..=155, seL4's user
//! IRQs 16..=123, and are handed to `object::irq`.

use crate::arch::x86_64::{cpu, ioapic};
use crate::kmem;
use crate::object::irq;
use crate::sched;
use crate::state::Global;

const LAPIC_BASE: u64 = 0xFEE0_0000;
const REG_ID: u64 = 0x20;
const REG_TPR: u64 = 0x80;
const REG_EOI: u64 = 0xB0;
const REG_SVR: u64 = 0xF0;
const REG_LVT_TIMER: u64 = 0x320;
const REG_TIMER_INIT: u64 = 0x380;
const REG_TIMER_CURRENT: u64 = 0x390;
const REG_TIMER_DIVIDE: u64 = 0x3E0;
const MSR_APIC_BASE: u32 = 0x1B;
const MSR_TSC_DEADLINE: u32 = 0x6E0;
const LVT_TIMER_PERIODIC: u32 = 1 << 17;
const LVT_TIMER_TSC_DEADLINE: u32 = 2 << 17;

pub const TIMER_VECTOR: u64 = 0x20;
/// CPU vectors of the IRQs users can have handlers for.
const DEVICE_VECTORS: core::ops::RangeInclusive<u64> =
    irq::IRQ_USER_MIN as u64 + irq::IRQ_INT_OFFSET..=irq::IRQ_USER_MAX as u64 + irq::IRQ_INT_OFFSET;
const SPURIOUS_VECTOR: u64 = 0xFF;
/// The scheduler tick (seL4's default CONFIG_TIMER_TICK_MS is 2).
const TICK_MS: u64 = 2;

struct Clock {
    lapic_per_ms: u64,
    tsc_per_ms: u64,
    /// TSC cycles per tick when the timer runs in TSC-deadline mode (0: periodic).
    deadline_ticks: u64,
}

static CLOCK: Global<Clock> = Global::new(Clock { lapic_per_ms: 0, tsc_per_ms: 0, deadline_ticks: 0 });

fn lapic_read(reg: u64) -> u32 {
    // SAFETY: the LAPIC page is in the uncached part of the physical window.
    unsafe { (kmem::phys_to_virt(LAPIC_BASE + reg) as *const u32).read_volatile() }
}

fn lapic_write(reg: u64, v: u32) {
    // SAFETY: as for lapic_read.
    unsafe { (kmem::phys_to_virt(LAPIC_BASE + reg) as *mut u32).write_volatile(v) }
}

/// Enables the local APIC, starts the scheduler tick and takes over the
/// IOAPICs (every pin masked until a handler is issued for it).
pub fn init() {
    cpu::wrmsr(MSR_APIC_BASE, cpu::rdmsr(MSR_APIC_BASE) | 1 << 11);
    lapic_write(REG_SVR, (1 << 8) | SPURIOUS_VECTOR as u32);
    lapic_write(REG_TPR, 0);
    lapic_write(REG_TIMER_DIVIDE, 0b1011); // divide by 1
    let (lapic, tsc) = calibrate();
    let c = CLOCK.get();
    c.lapic_per_ms = lapic.max(1);
    c.tsc_per_ms = tsc.max(1);
    let mode = if ioapic::has_tsc_deadline() {
        c.deadline_ticks = c.tsc_per_ms * TICK_MS;
        lapic_write(REG_LVT_TIMER, LVT_TIMER_TSC_DEADLINE | TIMER_VECTOR as u32);
        // The MMIO write must reach the APIC before the MSR write (SDM 10.5.4.1).
        core::sync::atomic::fence(core::sync::atomic::Ordering::SeqCst);
        arm_deadline();
        "TSC deadline"
    } else {
        lapic_write(REG_LVT_TIMER, LVT_TIMER_PERIODIC | TIMER_VECTOR as u32);
        lapic_write(REG_TIMER_INIT, (c.lapic_per_ms * TICK_MS).min(u32::MAX as u64) as u32);
        "periodic"
    };
    kprintln!("timer: {} MHz TSC, {} ms tick ({})", c.tsc_per_ms / 1000, TICK_MS, mode);
    init_ioapics();
}

/// Programs the next tick in TSC-deadline mode.
fn arm_deadline() {
    cpu::wrmsr(MSR_TSC_DEADLINE, cpu::rdtsc() + CLOCK.get().deadline_ticks);
}

/// Finds the IOAPICs in ACPI's MADT (or assumes the PC's one at its usual
/// address) and masks all their pins, routed to this CPU.
fn init_ioapics() {
    let madt = crate::boot::acpi::rsdp().and_then(|r| crate::boot::acpi::madt(&r));
    let default = [ioapic::DEFAULT_BASE];
    let bases = match &madt {
        Some(m) if m.num_ioapics > 0 => &m.ioapics[..m.num_ioapics],
        _ => &default[..],
    };
    ioapic::init(bases, lapic_read(REG_ID) >> 24);
    match ioapic::base(0) {
        Some(b) => kprintln!("irq: IOAPIC at {:#x}, {} pins; legacy PIC masked", b, ioapic::pins(0)),
        None => kprintln!("irq: no IOAPIC; legacy PIC masked"),
    }
}

/// LAPIC timer counts and TSC cycles per millisecond, measured over 10 ms
/// of PIT channel 2 (1.193182 MHz), whose output is readable in port 0x61.
fn calibrate() -> (u64, u64) {
    const PIT_HZ: u64 = 1_193_182;
    const MS: u64 = 10;
    let count = (PIT_HZ * MS / 1000) as u16;
    let gate = cpu::inb(0x61) & !0x02; // speaker off
    cpu::outb(0x61, gate & !0x01);
    cpu::outb(0x43, 0xB0); // channel 2, lo/hi byte, mode 0
    cpu::outb(0x42, count as u8);
    cpu::outb(0x42, (count >> 8) as u8);
    lapic_write(REG_LVT_TIMER, 1 << 16); // masked, one-shot
    lapic_write(REG_TIMER_INIT, u32::MAX);
    let tsc0 = cpu::rdtsc();
    cpu::outb(0x61, gate | 0x01); // start counting
    let mut spins = 0u64;
    while cpu::inb(0x61) & 0x20 == 0 && spins < 100_000_000 {
        spins += 1;
    }
    let tsc1 = cpu::rdtsc();
    let lapic = u32::MAX - lapic_read(REG_TIMER_CURRENT);
    cpu::outb(0x61, gate);
    ((lapic as u64) / MS, (tsc1 - tsc0) / MS)
}

/// TSC cycles per millisecond, as calibrated at boot.
pub fn tsc_per_ms() -> u64 {
    CLOCK.get().tsc_per_ms
}

/// An interrupt arrived (from user mode or the idle loop).
pub fn handle_interrupt(vector: u64) {
    match vector {
        TIMER_VECTOR => {
            if CLOCK.get().deadline_ticks != 0 {
                arm_deadline();
            }
            lapic_write(REG_EOI, 0);
            sched::timer_tick();
        }
        SPURIOUS_VECTOR => {}
        v if DEVICE_VECTORS.contains(&v) => {
            // Signal and mask first, then EOI (seL4 handleInterrupt).
            irq::handle((v - irq::IRQ_INT_OFFSET) as usize);
            lapic_write(REG_EOI, 0);
        }
        _ => lapic_write(REG_EOI, 0),
    }
}
