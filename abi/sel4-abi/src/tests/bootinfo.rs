//! Extra-bootinfo chunks (doc §8): writing, parsing unaligned chains, and
//! robustness of the parser against malformed and random input.

use crate::bootinfo::x86::{self, MbMmapEntry};
use crate::bootinfo::{extra_bi_size_bits, find_extra_chunk};
use crate::tests::Rng;
use crate::*;
use std::vec::Vec;

fn header(id: u64, len: u64) -> [u8; 16] {
    BootInfoHeader { id, len }.to_bytes()
}

#[test]
fn ids() {
    use bootinfo_id::*;
    assert_eq!(
        [
            PADDING,
            X86_VBE,
            X86_MBMMAP,
            X86_ACPI_RSDP,
            X86_FRAMEBUFFER,
            X86_TSC_FREQ,
            FDT,
            NUM
        ],
        [0, 1, 2, 3, 4, 5, 6, 7]
    );
}

#[test]
fn header_bytes() {
    let h = BootInfoHeader {
        id: 0x0102_0304_0506_0708,
        len: 0x1122,
    };
    let b = h.to_bytes();
    assert_eq!(b[0], 0x08);
    assert_eq!(b[7], 0x01);
    assert_eq!(b[8], 0x22);
    assert_eq!(b[9], 0x11);
    assert_eq!(BootInfoHeader::from_bytes(&b), Some(h));
    assert_eq!(BootInfoHeader::from_bytes(&b[..15]), None);
}

/// The chain the x86 kernel emits: RSDP (52 bytes, so everything after it is
/// unaligned), framebuffer, memory map, TSC frequency.
fn sample_chain() -> (Vec<u8>, usize) {
    let mut buf = std::vec![0u8; 4096];
    let rsdp: Vec<u8> = (0..x86::ACPI_RSDP_LEN as u8).collect();
    let fb = [0xAAu8; x86::FRAMEBUFFER_LEN];
    let mut mmap = std::vec![0u8; x86::MB_MMAP_PAYLOAD_LEN];
    let e0 = MbMmapEntry {
        size: 20,
        base_addr: 0,
        length: 0x9_FC00,
        ty: 1,
    };
    let e1 = MbMmapEntry {
        size: 20,
        base_addr: 0x10_0000,
        length: 0x7FE0_0000,
        ty: 1,
    };
    mmap[0..4].copy_from_slice(&(2 * x86::MB_MMAP_ENTRY_LEN as u32).to_le_bytes());
    mmap[4..28].copy_from_slice(&e0.to_bytes());
    mmap[28..52].copy_from_slice(&e1.to_bytes());
    let mut off = 0;
    off = write_chunk(&mut buf, off, bootinfo_id::X86_ACPI_RSDP, &rsdp).unwrap();
    assert_eq!(off, 52);
    off = write_chunk(&mut buf, off, bootinfo_id::X86_FRAMEBUFFER, &fb).unwrap();
    off = write_chunk(&mut buf, off, bootinfo_id::X86_MBMMAP, &mmap).unwrap();
    off = write_chunk(
        &mut buf,
        off,
        bootinfo_id::X86_TSC_FREQ,
        &3000u32.to_le_bytes(),
    )
    .unwrap();
    assert_eq!(off, 52 + 38 + x86::MB_MMAP_CHUNK_LEN + 20);
    (buf, off)
}

#[test]
fn parse_kernel_style_chain() {
    let (buf, len) = sample_chain();
    let chunks: Vec<(u64, &[u8])> = extra_chunks(&buf[..len]).collect();
    assert_eq!(chunks.len(), 4);
    assert_eq!(chunks[0].0, bootinfo_id::X86_ACPI_RSDP);
    assert_eq!(chunks[0].1.len(), 36);
    assert_eq!(chunks[0].1[35], 35);
    assert_eq!(chunks[1].0, bootinfo_id::X86_FRAMEBUFFER);
    assert_eq!(chunks[1].1, &[0xAA; 22][..]);
    assert_eq!(chunks[2].0, bootinfo_id::X86_MBMMAP);
    assert_eq!(chunks[2].1.len() + 16, 1220);
    assert_eq!(chunks[3].0, bootinfo_id::X86_TSC_FREQ);
    assert_eq!(x86::tsc_freq_mhz(chunks[3].1), Some(3000));

    let entries: Vec<MbMmapEntry> = x86::mb_mmap_entries(chunks[2].1).collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].base_addr, 0x10_0000);
    assert_eq!(entries[1].ty, x86::MB_RAM_REGION_TYPE);

    assert_eq!(
        find_extra_chunk(&buf[..len], bootinfo_id::X86_TSC_FREQ),
        Some(&3000u32.to_le_bytes()[..])
    );
    assert_eq!(find_extra_chunk(&buf[..len], bootinfo_id::FDT), None);

    // Passing the zero-filled backing region instead of extra_len bytes: the
    // zero header after the last chunk has len 0 and ends the walk.
    assert_eq!(extra_chunks(&buf).count(), 4);
}

#[test]
fn unaligned_start_and_padding_chunks() {
    let mut backing = [0u8; 300];
    for shift in 0..16 {
        let buf = &mut backing[shift..];
        let mut off = write_chunk(buf, 0, bootinfo_id::PADDING, &[0; 3]).unwrap();
        off = write_chunk(buf, off, 77, b"hello").unwrap();
        off = write_chunk(buf, off, bootinfo_id::FDT, &[]).unwrap();
        assert_eq!(off, 19 + 21 + 16);
        let got: Vec<(u64, &[u8])> = extra_chunks(&buf[..off]).collect();
        assert_eq!(
            got,
            std::vec![(0, &[0u8; 3][..]), (77, &b"hello"[..]), (6, &[][..])]
        );
    }
}

#[test]
fn malformed_lengths_stop_the_walk() {
    let mut buf = Vec::new();
    buf.extend_from_slice(&header(1, 20));
    buf.extend_from_slice(&[1, 2, 3, 4]);
    let good = buf.len();

    // len < 16 (including 0, which would otherwise loop forever).
    for bad_len in [0u64, 1, 8, 15] {
        let mut b = buf.clone();
        b.extend_from_slice(&header(2, bad_len));
        b.extend_from_slice(&[0; 32]);
        let ids: Vec<u64> = extra_chunks(&b).map(|c| c.0).collect();
        assert_eq!(ids, [1]);
    }
    // len overrunning the data, including values that overflow usize arithmetic.
    for bad_len in [17u64, 1000, u64::MAX, u64::MAX - 15, 1 << 63] {
        let mut b = buf.clone();
        b.extend_from_slice(&header(2, bad_len));
        let mut it = extra_chunks(&b);
        assert_eq!(it.next().map(|c| c.0), Some(1));
        assert_eq!(it.next(), None);
        assert_eq!(it.next(), None, "fused");
    }
    // A truncated header at the end is ignored.
    for extra in 1..16 {
        let mut b = buf.clone();
        b.extend_from_slice(&header(3, 16)[..extra]);
        assert_eq!(extra_chunks(&b).count(), 1);
    }
    // Exactly-fitting chunk is accepted; one byte short is not.
    let mut b = buf.clone();
    b.extend_from_slice(&header(4, 18));
    b.extend_from_slice(&[9, 9]);
    assert_eq!(extra_chunks(&b).count(), 2);
    assert_eq!(extra_chunks(&b[..b.len() - 1]).count(), 1);
    assert_eq!(extra_chunks(&buf[..good]).count(), 1);
    assert_eq!(extra_chunks(&[]).count(), 0);
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng::new(0xC0FFEE);
    let mut buf = [0u8; 512];
    for round in 0..20_000 {
        let n = rng.below(buf.len() as u64 + 1) as usize;
        rng.fill(&mut buf[..n]);
        // Bias some headers towards plausible lengths so deep chains occur.
        if round % 2 == 0 {
            let mut off = 0;
            while off + 16 <= n {
                let len = 16 + rng.below(48);
                buf[off + 8..off + 16].copy_from_slice(&len.to_le_bytes());
                off += len as usize;
            }
        }
        let data = &buf[..n];
        let mut total = 0usize;
        let mut count = 0usize;
        for (_, payload) in extra_chunks(data) {
            total += payload.len() + 16;
            count += 1;
        }
        assert!(total <= n, "chunks cover at most the input");
        assert!(count <= n / 16);
        let _ = x86::mb_mmap_entries(data).count();
        let _ = x86::tsc_freq_mhz(data);
        let _ = BootInfo::from_bytes(data);
    }
}

#[test]
fn mutated_valid_chains_never_panic() {
    let (orig, len) = sample_chain();
    let mut rng = Rng::new(42);
    for _ in 0..5_000 {
        let mut b = orig[..len].to_vec();
        for _ in 0..1 + rng.below(4) {
            let i = rng.below(len as u64) as usize;
            b[i] = rng.next_u64() as u8;
        }
        let cut = rng.below(len as u64 + 1) as usize;
        let data = &b[..cut];
        let covered: usize = extra_chunks(data).map(|(_, p)| p.len() + 16).sum();
        assert!(covered <= cut);
    }
}

#[test]
fn write_chunk_bounds() {
    let mut buf = [0u8; 40];
    assert_eq!(write_chunk(&mut buf, 0, 5, &[1; 24]), Some(40));
    let mut buf = [0u8; 40];
    assert_eq!(write_chunk(&mut buf, 1, 5, &[1; 24]), None);
    assert!(buf.iter().all(|&b| b == 0), "untouched on failure");
    assert_eq!(write_chunk(&mut buf, usize::MAX, 5, &[]), None);
    assert_eq!(write_chunk(&mut buf, 41, 5, &[]), None);
    assert_eq!(write_chunk(&mut buf, 24, 5, &[]), Some(40));
    assert_eq!(
        BootInfoHeader::from_bytes(&buf[24..]),
        Some(BootInfoHeader { id: 5, len: 16 })
    );
}

#[test]
fn mb_mmap_payload_bounds() {
    let mut p = std::vec![0u8; x86::MB_MMAP_PAYLOAD_LEN];
    // mmap_length claims more than the 50-entry array holds.
    p[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(x86::mb_mmap_entries(&p).count(), x86::MB_MMAP_MAX_ENTRIES);
    // ... and more than a truncated payload holds.
    assert_eq!(x86::mb_mmap_entries(&p[..4 + 3 * 24 + 5]).count(), 3);
    assert_eq!(x86::mb_mmap_entries(&p[..3]).count(), 0);
    let e = MbMmapEntry {
        size: 20,
        base_addr: 0x1234_5678_9ABC,
        length: 42,
        ty: 2,
    };
    assert_eq!(MbMmapEntry::from_bytes(&e.to_bytes()), Some(e));
    assert_eq!(MbMmapEntry::from_bytes(&e.to_bytes()[..23]), None);
    assert_eq!(x86::MB_MMAP_CHUNK_LEN, 1220);
    assert_eq!(x86::VBE_CHUNK_LEN, 800);
    assert_eq!(x86::tsc_freq_mhz(&[1, 2, 3]), None);
}

/// seL4's `calculate_extra_bi_size_bits`, transcribed arithmetically.
fn reference_size_bits(size: usize) -> usize {
    if size == 0 {
        return 0;
    }
    let rounded = (size + 4095) & !4095;
    let mut msb = 63 - rounded.leading_zeros() as usize;
    if size > (1 << msb) {
        msb += 1;
    }
    msb
}

#[test]
fn extra_region_size_bits() {
    assert_eq!(extra_bi_size_bits(0), 0);
    assert_eq!(extra_bi_size_bits(1), 12);
    assert_eq!(extra_bi_size_bits(1240), 12);
    assert_eq!(extra_bi_size_bits(4096), 12);
    assert_eq!(extra_bi_size_bits(4097), 13);
    assert_eq!(extra_bi_size_bits(12288), 14);
    for size in (0..70_000).chain([1 << 20, (1 << 20) + 1, 3 << 20]) {
        assert_eq!(
            extra_bi_size_bits(size),
            reference_size_bits(size),
            "size {size}"
        );
    }
}
