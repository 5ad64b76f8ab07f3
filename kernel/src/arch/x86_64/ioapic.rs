//! The I/O APIC (the 82093AA register interface that PCs and QEMU's `pc`
//! machine provide) and the port-I/O instructions behind the IOPort
//! invocations.
//!
//! Each IOAPIC is two 32-bit registers in one MMIO page: a register
//! selector at +0x00 and a data window at +0x10. Register 1 holds the
//! number of pins (bits 16..23, plus one); pin `p` has a 64-bit redirection
//! entry in registers 0x10 + 2p (low half: vector, trigger mode, polarity,
//! mask) and 0x11 + 2p (high half: destination APIC ID in bits 24..31).
//! As in seL4 (src/plat/pc99/machine/ioapic.c) the kernel keeps its own
//! copy of every low half, so masking and unmasking is one register write,
//! and every pin starts masked with vector 0 until a handler is issued.

use crate::kmem;
use crate::state::Global;
use core::arch::asm;

/// IOAPICs the kernel drives (seL4's default CONFIG_MAX_NUM_IOAPIC).
pub const MAX_IOAPICS: usize = 1;
/// Most pins one IOAPIC can have (seL4's IOAPIC_IRQ_LINES).
pub const MAX_PINS: usize = 240;
/// Where the first IOAPIC sits on PCs when ACPI does not say otherwise.
pub const DEFAULT_BASE: u64 = 0xFEC0_0000;

const REG_SELECT: u64 = 0x00;
const REG_WINDOW: u64 = 0x10;
const REG_VERSION: u32 = 0x01;
const REG_REDIRECTION: u32 = 0x10;

const LOW_MASKED: u32 = 1 << 16;
const LOW_LEVEL_SHIFT: u32 = 15;
const LOW_ACTIVE_LOW_SHIFT: u32 = 13;
/// Bits 16..31 of the low half are reserved except the mask bit: kept as read.
const LOW_RESERVED: u32 = 0xFFFF_0000 & !LOW_MASKED;
/// Bits 0..23 of the high half are reserved.
const HIGH_RESERVED: u32 = 0x00FF_FFFF;

struct IoApics {
    base: [u64; MAX_IOAPICS],
    pins: [u16; MAX_IOAPICS],
    count: usize,
    /// The APIC ID every pin is delivered to (the boot CPU's).
    dest: u32,
    /// The kernel's copy of each redirection entry's low half.
    low: [[u32; MAX_PINS]; MAX_IOAPICS],
}

static IOAPICS: Global<IoApics> = Global::new(IoApics {
    base: [0; MAX_IOAPICS],
    pins: [0; MAX_IOAPICS],
    count: 0,
    dest: 0,
    low: [[0; MAX_PINS]; MAX_IOAPICS],
});

fn read(base: u64, reg: u32) -> u32 {
    // SAFETY: `base` is an IOAPIC page (from ACPI or the PC default) in the
    // uncached top GiB of the physical window; the kernel owns the device.
    unsafe {
        (kmem::phys_to_virt(base + REG_SELECT) as *mut u32).write_volatile(reg);
        (kmem::phys_to_virt(base + REG_WINDOW) as *const u32).read_volatile()
    }
}

fn write(base: u64, reg: u32, v: u32) {
    // SAFETY: as for `read`.
    unsafe {
        (kmem::phys_to_virt(base + REG_SELECT) as *mut u32).write_volatile(reg);
        (kmem::phys_to_virt(base + REG_WINDOW) as *mut u32).write_volatile(v);
    }
}

/// Takes over the IOAPICs at `bases` (at most [`MAX_IOAPICS`] are used):
/// every pin is routed to the CPU with APIC ID `dest`, masked, vector 0.
pub fn init(bases: &[u64], dest: u32) {
    let s = IOAPICS.get();
    s.dest = dest;
    s.count = 0;
    for &base in bases.iter().take(MAX_IOAPICS) {
        if base == 0 || base >= kmem::WINDOW_SIZE {
            continue;
        }
        let i = s.count;
        let pins = (((read(base, REG_VERSION) >> 16) & 0xFF) + 1) as usize;
        let pins = pins.min(MAX_PINS);
        s.base[i] = base;
        s.pins[i] = pins as u16;
        for pin in 0..pins {
            let r = REG_REDIRECTION + 2 * pin as u32;
            write(base, r + 1, (read(base, r + 1) & HIGH_RESERVED) | dest << 24);
            let low = (read(base, r) & LOW_RESERVED) | LOW_MASKED;
            s.low[i][pin] = low;
            write(base, r, low);
        }
        s.count += 1;
    }
}

/// How many IOAPICs the kernel drives.
pub fn count() -> usize {
    IOAPICS.get().count
}

/// How many pins IOAPIC `ioapic` has (0 if there is no such IOAPIC).
pub fn pins(ioapic: usize) -> usize {
    let s = IOAPICS.get();
    if ioapic < s.count { s.pins[ioapic] as usize } else { 0 }
}

/// The MMIO base of IOAPIC `ioapic`.
pub fn base(ioapic: usize) -> Option<u64> {
    let s = IOAPICS.get();
    (ioapic < s.count).then(|| s.base[ioapic])
}

/// Routes `pin` to CPU vector `vector` with the given trigger mode (level)
/// and polarity (active low), leaving it masked.
pub fn map_pin(ioapic: usize, pin: usize, level: bool, active_low: bool, vector: u8) {
    let s = IOAPICS.get();
    if ioapic >= s.count || pin >= s.pins[ioapic] as usize {
        return;
    }
    let base = s.base[ioapic];
    let r = REG_REDIRECTION + 2 * pin as u32;
    write(base, r + 1, (read(base, r + 1) & HIGH_RESERVED) | s.dest << 24);
    let low = (read(base, r) & LOW_RESERVED)
        | LOW_MASKED
        | (level as u32) << LOW_LEVEL_SHIFT
        | (active_low as u32) << LOW_ACTIVE_LOW_SHIFT
        | vector as u32;
    s.low[ioapic][pin] = low;
    write(base, r, low);
}

/// Masks or unmasks `pin`; pins that do not exist are ignored (as seL4
/// ignores them), and a pin without a vector is never unmasked.
pub fn set_masked(ioapic: usize, pin: usize, masked: bool) {
    let s = IOAPICS.get();
    if ioapic >= s.count || pin >= s.pins[ioapic] as usize {
        return;
    }
    let low = &mut s.low[ioapic][pin];
    if masked {
        *low |= LOW_MASKED;
    } else if *low & 0xFF != 0 {
        *low &= !LOW_MASKED;
    }
    write(s.base[ioapic], REG_REDIRECTION + 2 * pin as u32, *low);
}

// ---- Port I/O of any width, for the IOPort invocations (the kernel's own
// byte-wide accesses are `cpu::inb`/`cpu::outb`).

/// Reads `bytes` (1, 2 or 4) bytes from `port`.
pub fn port_in(port: u16, bytes: u32) -> u32 {
    let v: u32;
    // SAFETY: port input has no memory effect; the caller checked the
    // thread's authority over the ports.
    unsafe {
        match bytes {
            1 => {
                let b: u8;
                asm!("in al, dx", in("dx") port, out("al") b, options(nomem, nostack, preserves_flags));
                v = b as u32;
            }
            2 => {
                let w: u16;
                asm!("in ax, dx", in("dx") port, out("ax") w, options(nomem, nostack, preserves_flags));
                v = w as u32;
            }
            _ => asm!("in eax, dx", in("dx") port, out("eax") v, options(nomem, nostack, preserves_flags)),
        }
    }
    v
}

/// Writes the low `bytes` (1, 2 or 4) bytes of `v` to `port`.
pub fn port_out(port: u16, bytes: u32, v: u32) {
    // SAFETY: as for `port_in`.
    unsafe {
        match bytes {
            1 => asm!("out dx, al", in("dx") port, in("al") v as u8, options(nomem, nostack, preserves_flags)),
            2 => asm!("out dx, ax", in("dx") port, in("ax") v as u16, options(nomem, nostack, preserves_flags)),
            _ => asm!("out dx, eax", in("dx") port, in("eax") v, options(nomem, nostack, preserves_flags)),
        }
    }
}

/// Whether the CPU's local APIC timer has TSC-deadline mode (CPUID.1:ECX[24]).
pub fn has_tsc_deadline() -> bool {
    // SAFETY (older toolchains mark it unsafe): CPUID leaf 1 exists on every
    // x86_64 CPU and has no side effect.
    #[allow(unused_unsafe)]
    let r = unsafe { core::arch::x86_64::__cpuid(1) };
    r.ecx & (1 << 24) != 0
}
