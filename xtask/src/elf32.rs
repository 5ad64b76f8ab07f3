//! Converts the kernel's ELF64 into the ELF32 that QEMU's multiboot loader
//! accepts (it refuses 64-bit ELF files). Only the loadable segments matter:
//! each is emitted at its physical address, which is all a multiboot loader
//! uses, and the entry point is the 32-bit, identity-mapped `_start32`.

use object::elf::{FileHeader64, PT_LOAD};
use object::read::elf::{FileHeader, ProgramHeader};
use object::LittleEndian as LE;

pub fn to_multiboot_elf32(data: &[u8]) -> Result<Vec<u8>, String> {
    let hdr = FileHeader64::<LE>::parse(data).map_err(|e| format!("kernel ELF: {e}"))?;
    let e = hdr.endian().map_err(|e| e.to_string())?;
    let entry = hdr.e_entry(e);
    if entry >= 1 << 32 {
        return Err(format!("kernel entry {entry:#x} is not a physical 32-bit address"));
    }
    let mut segs = Vec::new();
    for ph in hdr.program_headers(e, data).map_err(|e| e.to_string())? {
        if ph.p_type(e) != PT_LOAD || ph.p_memsz(e) == 0 {
            continue;
        }
        let paddr = ph.p_paddr(e);
        if paddr + ph.p_memsz(e) > 1 << 32 {
            return Err(format!("segment at {paddr:#x} is above 4 GiB"));
        }
        let bytes = ph.data(e, data).map_err(|_| "segment data out of file".to_string())?;
        segs.push((paddr as u32, bytes, ph.p_memsz(e) as u32, ph.p_flags(e).0));
    }
    Ok(write(entry as u32, &segs))
}

/// Writes a minimal ELF32 (i386) executable: header, program headers, data.
fn write(entry: u32, segs: &[(u32, &[u8], u32, u32)]) -> Vec<u8> {
    const EHDR: usize = 52;
    const PHDR: usize = 32;
    let mut out = vec![0u8; EHDR + PHDR * segs.len()];
    out[0..4].copy_from_slice(b"\x7fELF");
    out[4] = 1; // ELFCLASS32
    out[5] = 1; // little endian
    out[6] = 1; // EV_CURRENT
    let put16 = |o: &mut Vec<u8>, at: usize, v: u16| o[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 = |o: &mut Vec<u8>, at: usize, v: u32| o[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut out, 16, 2); // ET_EXEC
    put16(&mut out, 18, 3); // EM_386
    put32(&mut out, 20, 1);
    put32(&mut out, 24, entry);
    put32(&mut out, 28, EHDR as u32); // e_phoff
    put16(&mut out, 40, EHDR as u16);
    put16(&mut out, 42, PHDR as u16);
    put16(&mut out, 44, segs.len() as u16);
    put16(&mut out, 46, 40); // e_shentsize (no sections)
    for (i, (paddr, bytes, memsz, flags)) in segs.iter().enumerate() {
        // Keep file offsets congruent to addresses modulo the page size.
        let pad = (*paddr as usize).wrapping_sub(out.len()) & 0xfff;
        out.resize(out.len() + pad, 0);
        let off = out.len();
        out.extend_from_slice(bytes);
        let ph = EHDR + i * PHDR;
        put32(&mut out, ph, 1); // PT_LOAD
        put32(&mut out, ph + 4, off as u32);
        put32(&mut out, ph + 8, *paddr);
        put32(&mut out, ph + 12, *paddr);
        put32(&mut out, ph + 16, bytes.len() as u32);
        put32(&mut out, ph + 20, *memsz);
        put32(&mut out, ph + 24, *flags);
        put32(&mut out, ph + 28, 0x1000);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-made ELF64 with one PT_LOAD at a high vaddr and low paddr.
    fn elf64(entry: u64, paddr: u64) -> Vec<u8> {
        let mut v = vec![0u8; 64 + 56 + 16];
        v[0..4].copy_from_slice(b"\x7fELF");
        v[4] = 2;
        v[5] = 1;
        v[6] = 1;
        v[16..18].copy_from_slice(&2u16.to_le_bytes());
        v[18..20].copy_from_slice(&62u16.to_le_bytes());
        v[20..24].copy_from_slice(&1u32.to_le_bytes());
        v[24..32].copy_from_slice(&entry.to_le_bytes());
        v[32..40].copy_from_slice(&64u64.to_le_bytes());
        v[52..54].copy_from_slice(&64u16.to_le_bytes());
        v[54..56].copy_from_slice(&56u16.to_le_bytes());
        v[56..58].copy_from_slice(&1u16.to_le_bytes());
        let ph = 64;
        v[ph..ph + 4].copy_from_slice(&1u32.to_le_bytes());
        v[ph + 4..ph + 8].copy_from_slice(&5u32.to_le_bytes());
        v[ph + 8..ph + 16].copy_from_slice(&120u64.to_le_bytes()); // offset
        v[ph + 16..ph + 24].copy_from_slice(&0xFFFF_FFFF_8010_0000u64.to_le_bytes());
        v[ph + 24..ph + 32].copy_from_slice(&paddr.to_le_bytes());
        v[ph + 32..ph + 40].copy_from_slice(&16u64.to_le_bytes());
        v[ph + 40..ph + 48].copy_from_slice(&32u64.to_le_bytes());
        v[120..136].copy_from_slice(&[0xAB; 16]);
        v
    }

    #[test]
    fn converts_segments_to_physical_elf32() {
        let out = to_multiboot_elf32(&elf64(0x100000, 0x100000)).unwrap();
        assert_eq!(&out[0..5], b"\x7fELF\x01");
        assert_eq!(u16::from_le_bytes([out[18], out[19]]), 3);
        assert_eq!(u32::from_le_bytes(out[24..28].try_into().unwrap()), 0x100000);
        let ph = 52;
        let off = u32::from_le_bytes(out[ph + 4..ph + 8].try_into().unwrap()) as usize;
        assert_eq!(off % 0x1000, 0);
        assert_eq!(u32::from_le_bytes(out[ph + 8..ph + 12].try_into().unwrap()), 0x100000);
        assert_eq!(u32::from_le_bytes(out[ph + 20..ph + 24].try_into().unwrap()), 32);
        assert_eq!(&out[off..off + 16], &[0xAB; 16]);
    }

    #[test]
    fn rejects_high_entry_and_garbage() {
        assert!(to_multiboot_elf32(&elf64(0xFFFF_FFFF_8000_0000, 0x100000)).is_err());
        assert!(to_multiboot_elf32(&elf64(0x100000, 0x1_0000_0000)).is_err());
        assert!(to_multiboot_elf32(b"not an elf").is_err());
    }
}
