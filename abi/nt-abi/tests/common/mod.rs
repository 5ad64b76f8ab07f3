//! Test support: a fake caller address space implementing `UserMemory`, a
//! small deterministic RNG, and a generator of random but well-formed
//! argument sets for any service (with the expected decoding computed
//! independently of the marshaller).

#![allow(dead_code)]

use nt_abi::consts::OBJ_VALID_ATTRIBUTES;
use nt_abi::services::{ArgKind, Dir, Pointee, ServiceId};
use nt_abi::status::{NtStatus, STATUS_ACCESS_VIOLATION};
use nt_abi::wire::UserMemory;

/// Where the fake address space starts (MM_LOWEST_USER_ADDRESS).
pub const BASE: u64 = 0x1_0000;

/// A flat fake address space: `[BASE, BASE + bytes.len())` is mapped,
/// `[ro_start, ro_end)` of it is read-only. Writes are logged.
pub struct FakeMemory {
    pub bytes: Vec<u8>,
    pub ro: (u64, u64),
    pub writes: Vec<(u64, Vec<u8>)>,
    next: u64,
}

impl FakeMemory {
    pub fn new(size: usize) -> Self {
        FakeMemory { bytes: vec![0; size], ro: (0, 0), writes: Vec::new(), next: BASE + 16 }
    }

    fn range(&self, addr: u64, len: u64) -> Option<core::ops::Range<usize>> {
        let start = addr.checked_sub(BASE)?;
        let end = start.checked_add(len)?;
        if end > self.bytes.len() as u64 {
            return None;
        }
        Some(start as usize..end as usize)
    }

    /// Allocates `len` bytes at a random small misalignment (the stubs must
    /// not care about alignment, except where Windows probes with one) and
    /// returns the address.
    pub fn alloc(&mut self, rng: &mut Rng, len: usize) -> u64 {
        let misalign = if rng.chance(3) { rng.below(8) } else { 0 };
        let addr = self.next + misalign;
        self.next = (addr + len as u64 + 16) & !7;
        assert!(self.next - BASE <= self.bytes.len() as u64, "fake memory exhausted");
        addr
    }

    /// Allocates `len` bytes at a multiple of `align` (a power of two):
    /// for what Windows probes with an alignment (OBJECT_ATTRIBUTES and
    /// their name's characters).
    pub fn alloc_aligned(&mut self, len: usize, align: u64) -> u64 {
        let addr = (self.next + align - 1) & !(align - 1);
        self.next = (addr + len as u64 + 16) & !7;
        assert!(self.next - BASE <= self.bytes.len() as u64, "fake memory exhausted");
        addr
    }

    pub fn poke(&mut self, addr: u64, data: &[u8]) {
        let r = self.range(addr, data.len() as u64).expect("poke outside fake memory");
        self.bytes[r].copy_from_slice(data);
    }

    pub fn peek(&self, addr: u64, len: usize) -> &[u8] {
        let r = self.range(addr, len as u64).expect("peek outside fake memory");
        &self.bytes[r]
    }

    pub fn fill_random(&mut self, rng: &mut Rng, addr: u64, len: usize) {
        let r = self.range(addr, len as u64).expect("fill outside fake memory");
        for b in &mut self.bytes[r] {
            *b = rng.next() as u8;
        }
    }

    /// A UNICODE_STRING at a fresh address; returns its address.
    pub fn unicode_string(&mut self, rng: &mut Rng, length: u16, maximum_length: u16) -> u64 {
        let buffer = if maximum_length == 0 && rng.chance(2) { 0 } else { self.alloc(rng, maximum_length as usize) };
        if buffer != 0 {
            self.fill_random(rng, buffer, maximum_length as usize);
        }
        let header = self.alloc(rng, 16);
        let mut h = [0u8; 16];
        h[0..2].copy_from_slice(&length.to_le_bytes());
        h[2..4].copy_from_slice(&maximum_length.to_le_bytes());
        h[4..8].copy_from_slice(&(rng.next() as u32).to_le_bytes()); // padding: ignored
        h[8..16].copy_from_slice(&buffer.to_le_bytes());
        self.poke(header, &h);
        header
    }
}

impl UserMemory for FakeMemory {
    fn read(&self, addr: u64, dst: &mut [u8]) -> Result<(), NtStatus> {
        let r = self.range(addr, dst.len() as u64).ok_or(STATUS_ACCESS_VIOLATION)?;
        dst.copy_from_slice(&self.bytes[r]);
        Ok(())
    }

    fn probe_write(&self, addr: u64, len: u64) -> Result<(), NtStatus> {
        self.range(addr, len).ok_or(STATUS_ACCESS_VIOLATION)?;
        if len > 0 && addr < self.ro.1 && addr + len > self.ro.0 {
            return Err(STATUS_ACCESS_VIOLATION);
        }
        Ok(())
    }

    fn write(&mut self, addr: u64, src: &[u8]) -> Result<(), NtStatus> {
        self.probe_write(addr, src.len() as u64)?;
        let r = self.range(addr, src.len() as u64).ok_or(STATUS_ACCESS_VIOLATION)?;
        self.bytes[r].copy_from_slice(src);
        self.writes.push((addr, src.to_vec()));
        Ok(())
    }
}

/// xorshift64*: deterministic, good enough to pick test values.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability 1/n.
    pub fn chance(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    pub fn even_below(&mut self, n: u64) -> u16 {
        (self.below(n / 2 + 1) * 2) as u16
    }
}

/// What one argument should decode to.
#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    Scalar(u64),
    Null,
    /// In/InOut bytes (exact).
    Bytes(Vec<u8>),
    /// Pure output, present.
    Out,
    /// A byte buffer with its caller address and contents.
    Buffer {
        addr: u64,
        data: Vec<u8>,
    },
    /// An output buffer at `addr` of `len` bytes.
    OutBuf {
        addr: u64,
        len: u64,
    },
    /// String characters.
    Str(Vec<u8>),
    /// OutString: header address, buffer address, capacity.
    OutStr {
        header: u64,
        buffer: u64,
        cap: u16,
    },
    Oa {
        root: u64,
        name: Option<Vec<u8>>,
        attributes: u32,
        sd: u64,
        sqos: u64,
    },
}

/// A generated call.
pub struct Scenario {
    pub service: ServiceId,
    pub args: Vec<u64>,
    pub expect: Vec<Expect>,
    /// Bytes that must travel in the buffer (aligned), the rest is flexible.
    pub fixed: u64,
    pub has_string: bool,
}

fn align16(n: u64) -> u64 {
    (n + 15) & !15
}

/// Builds random, well-formed arguments for `service` in `mem`.
/// `big` allows byte buffers larger than the service buffer.
pub fn scenario(service: ServiceId, mem: &mut FakeMemory, rng: &mut Rng, big: bool) -> Scenario {
    let desc = service.desc();
    let n = desc.args.len();
    let mut args: Vec<u64> = (0..n).map(|_| rng.next()).collect();
    let mut expect = vec![Expect::Null; n];
    let mut fixed = 0u64;
    let mut has_string = false;
    // Which scalars are lengths of a buffer (set below, not random).
    let mut lengths = vec![None::<u64>; n];

    let pick_len = |rng: &mut Rng| -> u64 {
        match rng.below(8) {
            0 => 0,
            1 if big => 60_000 + rng.below(20_000),
            2 => rng.below(4096),
            _ => rng.below(300),
        }
    };

    for (i, a) in desc.args.iter().enumerate() {
        match a.kind {
            ArgKind::Scalar(_) => {}
            ArgKind::Ptr { dir, ty, opt } => {
                if opt && rng.chance(3) {
                    args[i] = 0;
                    expect[i] = Expect::Null;
                    continue;
                }
                let size = ty.size();
                // Records with a probe alignment (CONTEXT) are where a caller
                // must put them; the others at any byte.
                let p = if ty.align() > 1 { mem.alloc_aligned(size, ty.align()) } else { mem.alloc(rng, size) };
                mem.fill_random(rng, p, size);
                args[i] = p;
                expect[i] = match dir {
                    Dir::Out => Expect::Out,
                    Dir::In | Dir::InOut => Expect::Bytes(mem.peek(p, size).to_vec()),
                };
                if !(dir == Dir::Out && ty.is_word()) {
                    fixed += align16(size as u64);
                }
            }
            ArgKind::InBuf { len } | ArgKind::OutBuf { len, .. } => {
                let n = pick_len(rng);
                let p = if n == 0 && rng.chance(2) { 0 } else { mem.alloc(rng, n as usize) };
                if p != 0 {
                    mem.fill_random(rng, p, n as usize);
                }
                lengths[len as usize] = Some(n);
                args[i] = p;
                expect[i] = if matches!(a.kind, ArgKind::InBuf { .. }) {
                    Expect::Buffer { addr: p, data: if p == 0 { vec![] } else { mem.peek(p, n as usize).to_vec() } }
                } else {
                    Expect::OutBuf { addr: p, len: n }
                };
            }
            ArgKind::InArray { ty, count } => {
                let c = if big && rng.chance(8) { 9000 } else { rng.below(70) };
                let bytes = c as usize * ty.size();
                let p = if c == 0 && rng.chance(2) { 0 } else { mem.alloc(rng, bytes) };
                if p != 0 {
                    mem.fill_random(rng, p, bytes);
                }
                lengths[count as usize] = Some(c);
                args[i] = p;
                expect[i] = Expect::Buffer { addr: p, data: if p == 0 { vec![] } else { mem.peek(p, bytes).to_vec() } };
            }
            ArgKind::InSized { ty, opt } => {
                if opt && rng.chance(3) {
                    args[i] = 0;
                    continue;
                }
                let size = ty.size() + rng.below(0x200) as usize;
                let p = mem.alloc(rng, size);
                mem.fill_random(rng, p, size);
                match ty.size_field() {
                    Some((at, 4)) => mem.poke(p + at as u64, &(size as u32).to_le_bytes()),
                    Some((at, _)) => mem.poke(p + at as u64, &(size as u64).to_le_bytes()),
                    None => unreachable!(),
                }
                args[i] = p;
                expect[i] = Expect::Bytes(mem.peek(p, size).to_vec());
                fixed += align16(size as u64);
            }
            ArgKind::String => {
                let len = rng.even_below(400);
                let max = len + rng.even_below(20);
                let h = mem.unicode_string(rng, len, max);
                let buffer = u64::from_le_bytes(mem.peek(h + 8, 8).try_into().unwrap());
                args[i] = h;
                expect[i] = Expect::Str(if len == 0 { vec![] } else { mem.peek(buffer, len as usize).to_vec() });
                fixed += align16(len as u64);
                has_string |= len > 0;
            }
            ArgKind::OutString => {
                let max = rng.even_below(300);
                let len = rng.even_below(max as u64 + 1).min(max);
                let h = mem.unicode_string(rng, len, max);
                let buffer = u64::from_le_bytes(mem.peek(h + 8, 8).try_into().unwrap());
                args[i] = h;
                expect[i] = Expect::OutStr { header: h, buffer, cap: max };
                fixed += align16(max as u64);
                has_string |= max > 0;
            }
            ArgKind::ObjectAttributes { opt } => {
                if opt && rng.chance(3) {
                    args[i] = 0;
                    continue;
                }
                let (name_ptr, name) = if rng.chance(4) {
                    (0, None)
                } else {
                    let len = rng.even_below(300);
                    let h = mem.unicode_string(rng, len, len);
                    // The characters are probed with WCHAR alignment.
                    let mut buffer = u64::from_le_bytes(mem.peek(h + 8, 8).try_into().unwrap());
                    if buffer % 2 != 0 {
                        buffer = mem.alloc_aligned(len as usize, 2);
                        mem.fill_random(rng, buffer, len as usize);
                        mem.poke(h + 8, &buffer.to_le_bytes());
                    }
                    fixed += align16(len as u64);
                    has_string |= len > 0;
                    (h, Some(if len == 0 { vec![] } else { mem.peek(buffer, len as usize).to_vec() }))
                };
                let root = if rng.chance(2) { 0 } else { rng.next() };
                let attributes = rng.next() as u32 & OBJ_VALID_ATTRIBUTES;
                let (sd, sqos) = (rng.next(), rng.next());
                // The record is probed with ULONG alignment.
                let p = mem.alloc_aligned(0x30, 4);
                let mut rec = [0u8; 0x30];
                rec[0..4].copy_from_slice(&0x30u32.to_le_bytes());
                rec[4..8].copy_from_slice(&(rng.next() as u32).to_le_bytes()); // padding
                rec[8..16].copy_from_slice(&root.to_le_bytes());
                rec[16..24].copy_from_slice(&name_ptr.to_le_bytes());
                rec[24..28].copy_from_slice(&attributes.to_le_bytes());
                rec[28..32].copy_from_slice(&(rng.next() as u32).to_le_bytes()); // padding
                rec[32..40].copy_from_slice(&sd.to_le_bytes());
                rec[40..48].copy_from_slice(&sqos.to_le_bytes());
                mem.poke(p, &rec);
                args[i] = p;
                expect[i] = Expect::Oa { root, name, attributes, sd, sqos };
                fixed += 0x30;
            }
        }
    }
    // Length and count arguments get the generated values; a U32 keeps
    // garbage in its upper half, which both sides must ignore.
    for (i, l) in lengths.iter().enumerate() {
        if let Some(v) = l {
            args[i] = match desc.args[i].kind {
                ArgKind::Scalar(nt_abi::Scalar::U32) => v | (rng.next() << 32),
                _ => *v,
            };
        }
    }
    for (i, a) in desc.args.iter().enumerate() {
        if let ArgKind::Scalar(s) = a.kind {
            expect[i] = Expect::Scalar(s.truncate(args[i]));
        }
    }
    Scenario { service, args, expect, fixed, has_string }
}

/// The byte size of a buffer-like argument in a scenario.
pub fn buffer_len(desc: &nt_abi::ServiceDesc, args: &[u64], kind: ArgKind) -> u64 {
    let scalar = |i: u8| match desc.args[i as usize].kind {
        ArgKind::Scalar(s) => s.truncate(args[i as usize]),
        _ => unreachable!(),
    };
    match kind {
        ArgKind::InBuf { len } | ArgKind::OutBuf { len, .. } => scalar(len),
        ArgKind::InArray { ty, count } => scalar(count) * ty.size() as u64,
        _ => unreachable!(),
    }
}

/// Is `p` a word-sized pointee?
pub fn is_word(p: Pointee) -> bool {
    p.is_word()
}
