//! The random invocation generator and the rules that keep the root task
//! alive.
//!
//! A call is a system call (mostly Call), a cptr (70% working set, 20%
//! initial caps 1..15, 10% anything else, garbage included), a label (biased
//! towards the ones valid for the cap's type, as DebugCapIdentify reports
//! it), a length, message registers and extra caps. 60% of the time the
//! arguments are shaped like the invocation the label names (a Retype with a
//! real type and a destination in the working set, a Mint from a real slot)
//! so that calls get past the first checks and change kernel state; the
//! rest are biased random words.
//!
//! The watchdog (threads.rs) makes blocking and faulting harmless, so the
//! rules only have to stop the root task from destroying itself:
//! - the root task's frames, paging caps and the control region are never
//!   named ([`Layout::forbidden`]);
//! - the root TCB (slot 1) is not suspended, reconfigured, re-prioritised or
//!   given a TLS base, flags or another thread's registers, and is never the
//!   source of CopyRegisters (a thread running with its registers would run
//!   on its stack);
//! - the root VSpace (slot 3) is not mapped into, copied, or given to a
//!   thread, and neither is the root CNode (slot 2): threads the fuzzer
//!   configures run in working-set VSpaces and CSpaces only (the agents run
//!   the fuzzer's own code in the root's VSpace, with CSpaces of their own);
//! - every CNode position that resolves in the root CNode (slot 2) and is
//!   written, moved, deleted or revoked lies in the working set; Copy and
//!   Mint may also read slots 4..7 and 11 and the BootInfo untypeds;
//! - caps that would reach another thread (extra caps of an endpoint send
//!   or a reply) never include slots 1..3: a copy of the root's TCB, CNode
//!   or VSpace in the working set could later be used against it;
//! - no IOPort Out (it could reset or stop the machine);
//! - no register value points into the root task's image.

use crate::layout::{Layout, WS_LEN};
use crate::rng::Rng;
use sel4::abi::cap_tag as tag;
use sel4::abi::invocation::InvocationLabel as L;

const ROOT_TCB: u64 = 1;
const ROOT_CNODE: u64 = 2;
const ROOT_VSPACE: u64 = 3;
/// Last label of Triton's configuration (X86IRQIssueIRQHandlerMSI).
const MAX_LABEL: u64 = 52;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Call,
    Send,
    NBSend,
    NBRecv,
    Reply,
    Yield,
}

pub const KINDS: [Kind; 6] = [Kind::Call, Kind::Send, Kind::NBSend, Kind::NBRecv, Kind::Reply, Kind::Yield];

pub struct FuzzCall {
    pub kind: Kind,
    pub cptr: u64,
    /// DebugCapIdentify of `cptr` just before the call.
    pub ty: u64,
    pub label: u64,
    pub unwrapped: u64,
    /// The length field as sent (0..=127; the kernel clamps it to 120).
    pub len: usize,
    pub mrs: [u64; 120],
    pub ncaps: usize,
    pub caps: [u64; 3],
    /// The root thread's receive path for NBRecv (CNode, index, depth).
    pub recv: (u64, u64, u64),
}

impl core::fmt::Display for FuzzCall {
    fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
        let n = self.len.min(120);
        write!(
            f,
            "{:?} cptr={:#x} (type {}) label={} len={} unwrapped={} caps={:x?} recv={:x?} mrs={:x?}",
            self.kind,
            self.cptr,
            self.ty,
            self.label,
            self.len,
            self.unwrapped,
            &self.caps[..self.ncaps],
            self.recv,
            &self.mrs[..n.min(12)]
        )
    }
}

/// Whether (index, depth) in the root CNode names a slot, and which. Only
/// depth 64 reaches a slot there (radix 13 under a 51-bit guard); a depth
/// word whose low byte is 64 is treated the same, in case a kernel masks it.
fn root_slot(index: u64, depth: u64) -> Option<u64> {
    ((depth == 64 || depth & 0xff == 64) && index >> 13 == 0).then_some(index)
}

/// The slot a plain cptr names in the root CNode (looked up at depth 64).
fn cptr_slot(cptr: u64) -> Option<u64> {
    (cptr >> 13 == 0).then_some(cptr)
}

pub struct Gen<'a> {
    pub l: &'a Layout,
    pub rng: Rng,
    /// The cap type in each working-set slot, as of the last scan.
    types: [u8; WS_LEN as usize],
    /// Calls since that scan.
    since_scan: u32,
}

/// Calls between scans of the working set's cap types.
const SCAN_EVERY: u32 = 32;

impl Gen<'_> {
    pub fn new(l: &Layout, seed: u64) -> Gen<'_> {
        Gen { l, rng: Rng::new(seed), types: [0; WS_LEN as usize], since_scan: SCAN_EVERY }
    }

    /// Refreshes the working set's type table now and then (the calls
    /// change it all the time; a stale entry only makes a pick less apt).
    fn scan(&mut self) {
        self.since_scan += 1;
        if self.since_scan < SCAN_EVERY {
            return;
        }
        self.since_scan = 0;
        for i in 0..WS_LEN {
            self.types[i as usize] = sel4::debug_cap_identify(self.l.w(i)) as u8;
        }
    }

    /// A working-set slot whose cap type (as last scanned) passes `want`,
    /// chosen at random among them; any working-set slot if none does.
    fn ws_matching(&mut self, want: impl Fn(u64) -> bool) -> u64 {
        let n = self.types.iter().filter(|t| want(**t as u64)).count() as u64;
        if n == 0 {
            return self.ws_slot();
        }
        let k = self.rng.below(n) as usize;
        let i = self.types.iter().enumerate().filter(|(_, t)| want(**t as u64)).nth(k).map_or(0, |(i, _)| i);
        self.l.w(i as u64)
    }

    fn ws_slot(&mut self) -> u64 {
        self.l.w(self.rng.below(WS_LEN))
    }

    /// Any root CNode slot the fuzzer may name.
    fn any_slot(&mut self) -> u64 {
        for _ in 0..8 {
            let s = self.rng.below(1 << 13);
            if !self.l.forbidden(s) {
                return s;
            }
        }
        self.ws_slot()
    }

    /// A cptr, as the brief's mix: working set, initial caps, the rest.
    pub fn cptr(&mut self) -> u64 {
        match self.rng.weighted(&[70, 20, 4, 2, 4]) {
            0 => self.ws_slot(),
            1 => {
                // The root CNode most often: CNode operations change the most.
                let s = if self.rng.chance(35) { ROOT_CNODE } else { self.rng.range(1, 15) };
                if self.l.forbidden(s) {
                    self.ws_slot()
                } else {
                    s
                }
            }
            2 => self.any_slot(),
            3 => self.l.bi.untyped.start + self.rng.below(self.l.bi.untyped.len().max(1)),
            _ => self.garbage_cptr(),
        }
    }

    /// A cptr to invoke and its cap type. Empty working-set slots are
    /// mostly skipped: invoking them only tests the null-cap path.
    pub fn cptr_and_type(&mut self) -> (u64, u64) {
        self.scan();
        let mut c = self.cptr();
        if self.l.in_ws(c) && self.rng.chance(75) {
            c = self.ws_slot_where(false);
        }
        (c, sel4::debug_cap_identify(c))
    }

    /// A cptr that does not resolve (or resolves by accident).
    fn garbage_cptr(&mut self) -> u64 {
        let ws = self.ws_slot();
        let r = self.rng.next();
        let small = self.rng.below(16);
        self.rng.pick(&[u64::MAX, 1 << 13 | small, ws | 1 << 13, r, ws << 13, 1 << 63, 8192 + small])
    }

    /// A working-set slot holding a cap of type `want`, if there is one.
    fn ws_of(&mut self, want: u64) -> u64 {
        self.ws_matching(|t| t == want)
    }

    /// An extra cap for a role: usually a cap of the wanted type, else any.
    fn cap_of(&mut self, want: u64) -> u64 {
        match (want, self.rng.below(10)) {
            (tag::CNODE, 0..=4) => ROOT_CNODE,
            (tag::THREAD, 0..=3) => ROOT_TCB,
            (tag::PML4, 0..=1) => ROOT_VSPACE,
            (_, 0..=7) => self.ws_of(want),
            _ => self.cptr(),
        }
    }

    /// A working-set slot that is empty (`empty`) or holds a cap.
    fn ws_slot_where(&mut self, empty: bool) -> u64 {
        self.ws_matching(|t| (t == tag::NULL) == empty)
    }

    /// (index, depth) in the CNode `cnode` (a cptr), for a slot that should
    /// be empty (a destination), full (a source) or either.
    fn index_depth(&mut self, cnode: u64) -> (u64, u64) {
        self.index_depth_for(cnode, None)
    }

    fn index_depth_for(&mut self, cnode: u64, empty: Option<bool>) -> (u64, u64) {
        let odd_depth = [0, 1, 13, 63, 65, 0x140, u64::MAX];
        if cnode == ROOT_CNODE {
            let index = match self.rng.weighted(&[85, 5, 5, 5]) {
                0 => match empty {
                    Some(e) if self.rng.chance(80) => self.ws_slot_where(e),
                    _ => self.ws_slot(),
                },
                1 => self.rng.range(0, 15),
                2 => self.any_slot(),
                _ => self.garbage_cptr(),
            };
            let depth = if self.rng.chance(85) { 64 } else { self.rng.pick(&odd_depth) };
            (index, depth)
        } else {
            // The working set's own CNodes have radix 2 and 4; retyped ones 1..6.
            let depth = match self.rng.weighted(&[50, 35, 15]) {
                0 => self.rng.pick(&[2, 4]),
                1 => self.rng.range(1, 8),
                _ => self.rng.pick(&odd_depth),
            };
            let index = if self.rng.chance(85) { self.rng.below(1 << depth.min(8)) } else { self.value() };
            (index, depth)
        }
    }

    /// A biased random word.
    pub fn value(&mut self) -> u64 {
        let r = &mut self.rng;
        match r.weighted(&[25, 15, 5, 5, 5, 5, 20, 10, 5, 5]) {
            0 => r.below(17),
            1 => self.l.w(r.below(WS_LEN)),
            2 => r.range(1, 15),
            3 => r.pick(&[0, 13, 64, 65, 255]),
            4 => r.pick(&[u64::MAX, u32::MAX as u64, 1 << 63, (1 << 47) - 1, 1 << 47, u64::MAX - 1]),
            5 => r.below(13),
            6 => r.next(),
            7 => self.vaddr(),
            8 => r.pick(&[0, 1, 2, 3, 4, 254, 255, 256]),
            _ => 1 << r.below(64),
        }
    }

    /// A virtual address: aligned in an unused part of the address space,
    /// or something odd.
    fn vaddr(&mut self) -> u64 {
        let r = &mut self.rng;
        match r.weighted(&[40, 20, 10, 10, 10, 10]) {
            0 => 0x1000_0000 + (r.below(512) << 12),
            1 => 0x4000_0000 * r.range(1, 8),
            2 => 0x1000_0000 + (r.below(512) << 21),
            3 => r.pick(&[0, 0x7fff_ffff_f000, 0x8000_0000_0000, 0xffff_8000_0000_0000, u64::MAX]),
            4 => 0x1000_0000 + r.below(1 << 20) * 1024,
            _ => r.next() & 0x7fff_ffff_ffff,
        }
    }

    fn label_for(&mut self, ty: u64) -> u64 {
        let valid: &[u64] = match ty {
            tag::UNTYPED => &[1],
            tag::THREAD => &[2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
            tag::CNODE => &[17, 18, 19, 20, 21, 22, 23, 24, 25],
            tag::IRQ_CONTROL => &[26, 51, 52],
            tag::IRQ_HANDLER => &[27, 28, 29],
            tag::DOMAIN => &[30, 31, 32],
            // Maps more often than unmaps, so that mappings pile up.
            tag::PDPT => &[33, 33, 33, 34],
            tag::PAGE_DIRECTORY => &[35, 35, 35, 36],
            tag::PAGE_TABLE => &[37, 37, 37, 38],
            tag::FRAME => &[39, 39, 39, 40, 41],
            tag::ASID_CONTROL => &[42],
            tag::ASID_POOL => &[43],
            tag::IO_PORT_CONTROL => &[44],
            tag::IO_PORT => &[45, 46, 47],
            _ => &[],
        };
        match self.rng.weighted(&[60, 25, 15]) {
            0 if !valid.is_empty() => self.rng.pick(valid),
            0 | 1 => self.rng.below(MAX_LABEL + 1),
            _ => self.rng.below(1 << 20),
        }
    }

    fn kind_for(&mut self, ty: u64) -> Kind {
        let w: [u64; 6] = match ty {
            tag::ENDPOINT => [25, 10, 35, 25, 2, 3],
            tag::NOTIFICATION => [30, 15, 25, 25, 2, 3],
            tag::REPLY => [40, 20, 30, 5, 2, 3],
            _ => [75, 6, 8, 6, 2, 3],
        };
        KINDS[self.rng.weighted(&w)]
    }

    /// One random call on `cptr`, whose cap type is `ty`.
    pub fn generate(&mut self, cptr: u64, ty: u64) -> FuzzCall {
        let mut c = FuzzCall {
            kind: self.kind_for(ty),
            cptr,
            ty,
            label: self.label_for(ty),
            unwrapped: if self.rng.chance(10) { self.rng.below(8) } else { 0 },
            len: 0,
            mrs: [0; 120],
            ncaps: 0,
            caps: [0; 3],
            recv: (0, 0, 0),
        };
        let shaped = self.rng.chance(60) && self.shape(&mut c);
        if shaped {
            match self.rng.weighted(&[75, 10, 15]) {
                0 => {}
                1 => c.len = c.len.saturating_sub(1),
                _ => c.len = self.rng.below(128) as usize,
            }
            if self.rng.chance(10) {
                c.ncaps = self.rng.below(4) as usize;
            }
        } else {
            c.len = match self.rng.weighted(&[70, 20, 10]) {
                0 => self.rng.below(9),
                1 => self.rng.range(9, 120),
                _ => self.rng.range(121, 127),
            } as usize;
            c.ncaps = self.rng.weighted(&[40, 30, 15, 15]);
        }
        // Words beyond the shaped arguments, and caps beyond the shaped ones.
        for i in 0..c.len.min(120) {
            if !shaped || i >= 8 {
                c.mrs[i] = self.value();
            }
        }
        for i in 0..c.ncaps {
            if !shaped || c.caps[i] == 0 {
                c.caps[i] = self.cptr();
            }
        }
        if c.kind == Kind::NBRecv {
            c.recv = match self.rng.weighted(&[50, 40, 10]) {
                0 => (0, 0, 0),
                1 => (ROOT_CNODE, self.ws_slot(), 64),
                _ => {
                    let cn = self.ws_of(tag::CNODE);
                    let (i, d) = self.index_depth(cn);
                    (cn, i, d)
                }
            };
        }
        // No register value may point into the root task.
        for v in c.mrs.iter_mut() {
            if self.l.in_image(*v) {
                *v ^= 1 << 40;
            }
        }
        c
    }

    /// Arguments shaped like the invocation `c.label` names. Returns false
    /// when the label takes no arguments worth shaping.
    fn shape(&mut self, c: &mut FuzzCall) -> bool {
        let mut m = [0u64; 8];
        let mut caps = [0u64; 3];
        let (len, ncaps) = match c.label {
            1 => {
                // Retype: a real type and size, into the working set or a CNode in it.
                let odd = self.value();
                let ty = if self.rng.chance(90) { self.rng.below(12) } else { self.rng.pick(&[12, 13, 0xff_ffff, odd]) };
                m[0] = ty;
                m[1] = match ty {
                    0 if self.rng.chance(85) => self.rng.range(4, 21),
                    4 if self.rng.chance(85) => self.rng.range(1, 6),
                    _ if self.rng.chance(70) => self.rng.below(13),
                    _ => self.value(),
                };
                match self.rng.weighted(&[60, 25, 15]) {
                    0 => {
                        caps[0] = ROOT_CNODE;
                        m[4] = self.ws_slot_where(true);
                    }
                    1 => {
                        caps[0] = self.ws_of(tag::CNODE);
                        m[4] = self.rng.below(17);
                    }
                    _ => {
                        caps[0] = ROOT_CNODE;
                        m[2] = self.ws_slot();
                        m[3] = 64;
                        m[4] = self.rng.below(17);
                    }
                }
                m[5] = match self.rng.weighted(&[55, 30, 15]) {
                    0 => 1,
                    1 => self.rng.range(2, 4),
                    _ => self.rng.pick(&[0, 256, 257, u64::MAX]),
                };
                (6, 1)
            }
            2 => {
                m[0] = self.rng.below(2) | self.rng.pick(&[0, 0, 0x100, 0xff00]);
                m[1] = self.rng.below(22);
                (2, 0)
            }
            3 => {
                let n = self.rng.below(21);
                m[0] = self.rng.below(2);
                m[1] = n;
                for v in m.iter_mut().skip(2) {
                    *v = self.value();
                }
                // Only 6 register words are shaped; the rest come from value().
                ((2 + n) as usize, 0)
            }
            4 => {
                m[0] = self.rng.below(16) | self.rng.pick(&[0, 0, 0x100]);
                caps[0] = self.cap_of(tag::THREAD);
                (1, 1)
            }
            5 => {
                m[0] = self.ws_slot();
                m[1] = if self.rng.chance(70) { 0 } else { self.value() };
                m[2] = if self.rng.chance(80) { 0 } else { self.value() };
                m[3] = if self.rng.chance(30) { 0 } else { self.vaddr() };
                caps = [self.ws_of(tag::CNODE), self.ws_of(tag::PML4), self.ws_of(tag::FRAME)];
                (4, 3)
            }
            6 | 7 => {
                m[0] = self.rng.pick(&[0, 1, 2, 3, 4, 255, 256]);
                caps[0] = self.cap_of(tag::THREAD);
                (1, 1)
            }
            8 => {
                m[0] = self.rng.below(6);
                m[1] = self.rng.below(6);
                caps[0] = self.cap_of(tag::THREAD);
                (2, 1)
            }
            9 => {
                m[0] = if self.rng.chance(30) { 0 } else { self.vaddr() };
                caps[0] = self.ws_of(tag::FRAME);
                (1, 1)
            }
            10 => {
                m[0] = self.ws_slot();
                m[1] = if self.rng.chance(70) { 0 } else { self.value() };
                m[2] = if self.rng.chance(80) { 0 } else { self.value() };
                caps[0] = self.ws_of(tag::CNODE);
                caps[1] = self.ws_of(tag::PML4);
                (3, 2)
            }
            13 => {
                caps[0] = self.ws_of(tag::NOTIFICATION);
                (0, 1)
            }
            15 => {
                m[0] = self.value();
                (1, 0)
            }
            16 => {
                m[0] = self.rng.below(3);
                m[1] = self.rng.below(3);
                (2, 0)
            }
            17 | 18 | 19 | 25 => {
                (m[0], m[1]) = self.index_depth_for(c.cptr, Some(c.label == 25));
                (2, 0)
            }
            20..=23 => {
                (m[0], m[1]) = self.index_depth_for(c.cptr, Some(true));
                caps[0] = self.cap_of(tag::CNODE);
                (m[2], m[3]) = self.source_index_depth(caps[0]);
                m[4] = if c.label == 22 { 0 } else if self.rng.chance(70) { self.rng.below(16) } else { self.value() };
                m[5] = self.value();
                (if c.label == 22 { 4 } else if c.label == 21 { 6 } else { 5 }, 1)
            }
            24 => {
                (m[0], m[1]) = self.index_depth_for(c.cptr, Some(true));
                m[2] = self.value();
                caps[0] = self.cap_of(tag::CNODE);
                caps[1] = self.cap_of(tag::CNODE);
                (m[3], m[4]) = self.index_depth_for(caps[0], Some(false));
                m[5] = self.value();
                (m[6], m[7]) = self.index_depth_for(caps[1], Some(false));
                (8, 2)
            }
            26 => {
                m[0] = self.rng.below(25);
                caps[0] = self.cap_of(tag::CNODE);
                (m[1], m[2]) = self.index_depth_for(caps[0], Some(true));
                (3, 1)
            }
            28 => {
                caps[0] = self.ws_of(tag::NOTIFICATION);
                (0, 1)
            }
            30 => {
                m[0] = self.rng.below(3);
                caps[0] = self.cap_of(tag::THREAD);
                (1, 1)
            }
            31 => {
                m[0] = self.rng.below(4);
                m[1] = self.rng.below(3);
                m[2] = self.value();
                (3, 0)
            }
            32 => {
                m[0] = self.rng.below(4);
                (1, 0)
            }
            33 | 35 | 37 => {
                m[0] = self.vaddr();
                m[1] = self.rng.below(8);
                caps[0] = self.cap_of(tag::PML4);
                (2, 1)
            }
            39 => {
                m[0] = self.vaddr();
                m[1] = self.rng.below(16);
                m[2] = self.rng.below(8);
                caps[0] = self.cap_of(tag::PML4);
                (3, 1)
            }
            42 => {
                caps[0] = self.ws_of(tag::UNTYPED);
                caps[1] = self.cap_of(tag::CNODE);
                (m[0], m[1]) = self.index_depth_for(caps[1], Some(true));
                (2, 2)
            }
            43 => {
                caps[0] = self.ws_of(tag::PML4);
                (0, 1)
            }
            44 => {
                m[0] = self.rng.below(0x10000);
                m[1] = if self.rng.chance(70) { m[0] + self.rng.below(16) } else { self.rng.below(0x10000) };
                caps[0] = self.cap_of(tag::CNODE);
                (m[2], m[3]) = self.index_depth_for(caps[0], Some(true));
                (4, 1)
            }
            45..=47 => {
                m[0] = self.rng.below(0x10000);
                (1, 0)
            }
            51 | 52 => {
                caps[0] = self.cap_of(tag::CNODE);
                (m[0], m[1]) = self.index_depth_for(caps[0], Some(true));
                for v in m.iter_mut().skip(2).take(4) {
                    *v = self.rng.below(4);
                }
                m[6] = self.rng.below(112);
                (7, 1)
            }
            _ => return false,
        };
        c.mrs[..8].copy_from_slice(&m);
        c.caps = caps;
        c.len = len;
        c.ncaps = ncaps;
        true
    }

    /// A source slot for Copy/Mint/Move/Mutate in `cnode`: in the root
    /// CNode sometimes one of the initial caps or a BootInfo untyped (the
    /// rules drop the ones that may not move).
    fn source_index_depth(&mut self, cnode: u64) -> (u64, u64) {
        if cnode == ROOT_CNODE && self.rng.chance(20) {
            let s = if self.rng.chance(50) {
                self.rng.range(1, 15)
            } else {
                self.l.bi.untyped.start + self.rng.below(self.l.bi.untyped.len().max(1))
            };
            (s, 64)
        } else {
            self.index_depth_for(cnode, Some(false))
        }
    }

    /// Whether the call may be made: the rules in the module comment.
    /// On refusal, which rule refused it.
    pub fn allowed(&self, c: &FuzzCall) -> Result<(), Rule> {
        let l = self.l;
        let slot = cptr_slot(c.cptr);
        if slot.is_some_and(|s| l.forbidden(s)) {
            return Err(Rule::ForbiddenCap);
        }
        let caps = &c.caps[..c.ncaps];
        if caps.iter().any(|&x| cptr_slot(x).is_some_and(|s| l.forbidden(s))) {
            return Err(Rule::ForbiddenCap);
        }
        let invoking = matches!(c.kind, Kind::Call | Kind::Send | Kind::NBSend);
        let transfers = (invoking && matches!(c.ty, tag::ENDPOINT | tag::REPLY)) || c.kind == Kind::Reply;
        if transfers && caps.iter().any(|&x| matches!(cptr_slot(x), Some(1..=3))) {
            return Err(Rule::RootCapTransfer);
        }
        if c.kind == Kind::NBRecv {
            let (cn, index, depth) = c.recv;
            if cptr_slot(cn) == Some(ROOT_CNODE) && root_slot(index, depth).is_some_and(|s| !l.in_ws(s)) {
                return Err(Rule::RootSlot);
            }
        }
        if !invoking || matches!(c.ty, tag::ENDPOINT | tag::NOTIFICATION | tag::REPLY) {
            // The label is just data to an endpoint, notification or reply.
            return Ok(());
        }
        self.object_invocation_allowed(c, slot)
    }

    fn object_invocation_allowed(&self, c: &FuzzCall, slot: Option<u64>) -> Result<(), Rule> {
        let l = self.l;
        let label = c.label;
        let mr = |i: usize| if i < c.len.min(120) { c.mrs[i] } else { 0 };
        let cap = |i: usize| if i < c.ncaps { c.caps[i] } else { 0 };
        let is_root_cnode = |cptr: u64| cptr_slot(cptr) == Some(ROOT_CNODE);
        // A position written, moved or deleted: the working set only.
        let target_ok = |cnode: u64, index: u64, depth: u64| {
            !is_root_cnode(cnode) || root_slot(index, depth).is_none_or(|s| l.in_ws(s))
        };
        // A position copied from: also the initial caps that may be copied.
        let source_ok = |cnode: u64, index: u64, depth: u64| {
            !is_root_cnode(cnode)
                || root_slot(index, depth).is_none_or(|s| l.in_ws(s) || matches!(s, 4..=7 | 11) || l.is_untyped(s))
        };
        if (48..=50).contains(&label) {
            return Err(Rule::IoPortOut);
        }
        if slot == Some(ROOT_TCB) && (4..=11).chain(15..=16).any(|x| x == label) {
            return Err(Rule::RootTcb);
        }
        if slot == Some(ROOT_VSPACE) && (33..=40).contains(&label) {
            return Err(Rule::RootVspace);
        }
        // Nothing is mapped into the root's VSpace, and no thread the fuzzer
        // controls gets it (it would run in the root task's memory) or the
        // root CNode (a thread that stumbles on a `syscall` could use it).
        let root_vspace_arg = match label {
            5 | 10 => Some(1),
            33 | 35 | 37 | 39 => Some(0),
            _ => None,
        };
        if root_vspace_arg.is_some_and(|i| cptr_slot(cap(i)) == Some(ROOT_VSPACE)) {
            return Err(Rule::RootVspace);
        }
        if matches!(label, 5 | 10) && cptr_slot(cap(0)) == Some(ROOT_CNODE) {
            return Err(Rule::RootVspace);
        }
        let ok = match label {
            x if x == L::UntypedRetype as u64 => {
                let (index, depth, offset, count) = (mr(2), mr(3), mr(4), mr(5));
                let dest_is_root = is_root_cnode(cap(0)) && (depth == 0 || root_slot(index, depth) == Some(ROOT_CNODE));
                !dest_is_root
                    || (l.in_ws(offset) && (count == 0 || count > 256 || offset + count <= l.w(WS_LEN)))
            }
            x if x == L::TCBCopyRegisters as u64 => {
                if cptr_slot(cap(0)) == Some(ROOT_TCB) {
                    return Err(Rule::RootTcb);
                }
                true
            }
            17..=19 | 25 => target_ok(c.cptr, mr(0), mr(1)),
            20 | 21 => target_ok(c.cptr, mr(0), mr(1)) && source_ok(cap(0), mr(2), mr(3)),
            22 | 23 => target_ok(c.cptr, mr(0), mr(1)) && target_ok(cap(0), mr(2), mr(3)),
            24 => {
                target_ok(c.cptr, mr(0), mr(1)) && target_ok(cap(0), mr(3), mr(4)) && target_ok(cap(1), mr(6), mr(7))
            }
            26 => target_ok(cap(0), mr(1), mr(2)),
            42 => target_ok(cap(1), mr(0), mr(1)),
            44 => target_ok(cap(0), mr(2), mr(3)),
            51 | 52 => target_ok(cap(0), mr(0), mr(1)),
            _ => true,
        };
        if ok {
            Ok(())
        } else {
            Err(Rule::RootSlot)
        }
    }
}

/// The rules (module comment), for counting refusals.
#[derive(Clone, Copy, Debug)]
pub enum Rule {
    /// Names a root-task frame or paging cap or the control region.
    ForbiddenCap,
    /// Would send the root's TCB, CNode or VSpace cap to another thread.
    RootCapTransfer,
    /// Writes, moves or deletes a root CNode slot outside the working set.
    RootSlot,
    /// A destructive invocation of the root TCB.
    RootTcb,
    /// Maps into the root VSpace, or gives it or the root CNode to a thread.
    RootVspace,
    IoPortOut,
}

pub const RULES: usize = 6;
