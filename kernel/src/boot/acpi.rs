//! ACPI, as far as the kernel needs it (the facts of seL4's
//! src/plat/pc99/machine/acpi.c): the RSDP, found by scanning the BIOS
//! area and handed to the root task as the X86_ACPI_RSDP extra BootInfo
//! chunk, and the IOAPICs that the MADT (reached through the RSDT) lists.

use crate::kmem;

/// The BIOS read-only area that holds the RSDP on PCs (seL4 BIOS_PADDR_*).
const BIOS_START: u64 = 0x0E_0000;
const BIOS_END: u64 = 0x10_0000;
/// The ACPI 1.0 part of the RSDP, which its first checksum covers.
const RSDP_V1_LEN: usize = 20;
/// The ACPI 2.0 RSDP that seL4 copies out whole (`acpi_rsdp_t`).
pub const RSDP_LEN: usize = 36;
/// A system description table header.
const HEADER_LEN: usize = 36;
/// Tables longer than this are taken as corrupt.
const MAX_TABLE_LEN: u32 = 1 << 20;

/// Most IOAPIC entries the MADT scan reports.
pub const MAX_MADT_IOAPICS: usize = 8;

fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |a, &b| a.wrapping_add(b))
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

/// The RSDP: the first 16-byte aligned "RSD PTR " in the BIOS area whose
/// ACPI 1.0 checksum is right, copied as the 36 bytes of an ACPI 2.0 RSDP
/// (whatever follows a revision-0 RSDP fills its 2.0 fields, as in seL4).
/// `None` when there is none or it fails seL4's validation (the 2.0
/// checksum for revision > 0, and the RSDT's checksum).
pub fn rsdp() -> Option<[u8; RSDP_LEN]> {
    let mut a = BIOS_START;
    while a < BIOS_END {
        let head = kmem::slice(a, RSDP_V1_LEN as u64);
        if &head[..8] == b"RSD PTR " && checksum(head) == 0 {
            let mut r = [0u8; RSDP_LEN];
            r.copy_from_slice(kmem::slice(a, RSDP_LEN as u64));
            return valid(&r).then_some(r);
        }
        a += 16;
    }
    None
}

fn valid(rsdp: &[u8; RSDP_LEN]) -> bool {
    let revision = rsdp[15];
    if revision > 0 && checksum(rsdp) != 0 {
        return false;
    }
    table(u32_at(rsdp, 16) as u64).is_some()
}

/// The system description table at `paddr`, if its header is sane and its
/// checksum right.
fn table(paddr: u64) -> Option<&'static [u8]> {
    if paddr == 0 || paddr + HEADER_LEN as u64 > kmem::WINDOW_SIZE {
        return None;
    }
    let len = u32_at(kmem::slice(paddr, HEADER_LEN as u64), 4);
    if (len as usize) < HEADER_LEN || len > MAX_TABLE_LEN || paddr + len as u64 > kmem::WINDOW_SIZE {
        return None;
    }
    let t = kmem::slice(paddr, len as u64);
    (checksum(t) == 0).then_some(t)
}

/// What the MADT says about interrupt controllers.
pub struct Madt {
    /// IOAPIC register bases, in table order.
    pub ioapics: [u64; MAX_MADT_IOAPICS],
    pub num_ioapics: usize,
}

/// Scans the RSDT (seL4 reads the 32-bit RSDT, not the XSDT) for the MADT
/// and collects its IOAPIC entries.
pub fn madt(rsdp: &[u8; RSDP_LEN]) -> Option<Madt> {
    let rsdt = table(u32_at(rsdp, 16) as u64)?;
    let entries = (rsdt.len() - HEADER_LEN) / 4;
    for i in 0..entries {
        let t = match table(u32_at(rsdt, HEADER_LEN + 4 * i) as u64) {
            Some(t) if &t[..4] == b"APIC" && t.len() >= HEADER_LEN + 8 => t,
            _ => continue,
        };
        let mut m = Madt { ioapics: [0; MAX_MADT_IOAPICS], num_ioapics: 0 };
        // Interrupt-controller structures follow the local APIC address and flags.
        let mut off = HEADER_LEN + 8;
        while off + 2 <= t.len() {
            let (kind, len) = (t[off], t[off + 1] as usize);
            if len < 2 || off + len > t.len() {
                break;
            }
            // Type 1: I/O APIC {id u8, reserved u8, address u32, GSI base u32}.
            if kind == 1 && len >= 12 && m.num_ioapics < MAX_MADT_IOAPICS {
                m.ioapics[m.num_ioapics] = u32_at(t, off + 4) as u64;
                m.num_ioapics += 1;
            }
            off += len;
        }
        return Some(m);
    }
    None
}
