//! The Executive's clock tick: the CMOS real-time clock's periodic
//! interrupt at 64 Hz (IOAPIC pin 8), delivered to a notification bound to
//! the Executive's own thread, so it arrives through the same Recv as
//! service calls, with `TICK_BADGE`. Each tick refreshes KUSER_SHARED_DATA's
//! clocks, and the service loop then advances the dispatcher's clock, which
//! fires timers and ends wait timeouts.

use super::shared_data;
use super::time::{cmos_read, cmos_write, Clock};
use crate::mm::map::PRIVATE_BASE;
use crate::mm::Memory;
use sel4::abi::{cap, vm, ObjectType};
use sel4::irq::{IoPort, IrqControl, IrqHandler};
use sel4::{CNode, CPtr, Tcb};

/// The badge a tick arrives with (no thread badge has this bit).
pub const TICK_BADGE: u64 = 1 << 63;
/// The RTC's IOAPIC pin and the vector the kernel numbers it with.
const RTC_PIN: u64 = 8;
const RTC_VECTOR: u64 = 8;
/// Register A's rate field: 32768 >> (rate - 1) Hz; 10 is 64 Hz.
const RTC_RATE: u8 = 10;
/// Where the Executive maps KUSER_SHARED_DATA for itself.
const SHARED_DATA: u64 = PRIVATE_BASE + 0x2000;

pub struct Tick {
    handler: IrqHandler,
    cmos: IoPort,
}

/// Creates the KUSER_SHARED_DATA frame (processes map copies of its cap),
/// mapped for the Executive to write.
pub fn shared_page(mem: &mut Memory, clock: &Clock, physical_pages: u64) -> Option<CPtr> {
    let frame = mem.frame().ok()?;
    mem.map_own(frame, SHARED_DATA, vm::DEFAULT).ok()?;
    shared_data::initial(Tick::page(), physical_pages, clock.since_boot(), clock.now());
    Some(frame)
}

impl Tick {
    /// Starts the tick (after `shared_page`); None when the machine gives
    /// no RTC interrupt (the shared clocks then stay as at boot).
    pub fn start(mem: &mut Memory, clock: &Clock) -> Option<Tick> {
        let cmos = clock.cmos?;
        let ntfn = mem.alloc(ObjectType::Notification, 0).ok()?;
        let badged = mem.slot().ok()?;
        let root = CNode(cap::INIT_THREAD_CNODE);
        root.mint(badged, 64, root, ntfn, 64, sel4::CapRights::ALL, TICK_BADGE).ok()?;
        let handler = mem.slot().ok()?;
        IrqControl(cap::IRQ_CONTROL).get_ioapic(root, handler, 64, 0, RTC_PIN, 0, 0, RTC_VECTOR).ok()?;
        let handler = IrqHandler(handler);
        handler.set_notification(badged).ok()?;
        Tcb(cap::INIT_THREAD_TCB).bind_notification(ntfn).ok()?;
        // Registers A (rate) and B (periodic interrupt enable); bit 7 of
        // the index keeps NMIs off while they change.
        let a = cmos_read(cmos, 0x8A)?;
        cmos_write(cmos, 0x8A, (a & 0xF0) | RTC_RATE)?;
        let b = cmos_read(cmos, 0x8B)?;
        cmos_write(cmos, 0x8B, b | 0x40)?;
        // Reading register C acknowledges anything pending.
        cmos_read(cmos, 0x0C)?;
        handler.ack().ok()?;
        Some(Tick { handler, cmos })
    }

    fn page() -> &'static mut [u8] {
        // SAFETY: SHARED_DATA maps the shared-data frame read-write for the
        // Executive's lifetime (`shared_page` maps it before the tick
        // starts), and only the Executive's one thread writes it.
        unsafe { core::slice::from_raw_parts_mut(SHARED_DATA as *mut u8, 4096) }
    }

    /// One tick: acknowledge the RTC and its IRQ, refresh the clocks.
    pub fn tick(&self, clock: &Clock) {
        let _ = cmos_read(self.cmos, 0x0C);
        let _ = self.handler.ack();
        shared_data::update(Self::page(), clock.since_boot(), clock.now());
    }
}
