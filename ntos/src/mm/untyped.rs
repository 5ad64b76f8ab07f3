//! Untyped memory and CSpace slots. Objects are retyped from the RAM
//! untypeds BootInfo lists (the kernel reports exhaustion per untyped with
//! NotEnoughMemory, so the allocator moves on to the next); device memory is
//! reached by splitting the device untyped that covers an address until a
//! 4 KiB piece is left.
//!
//! Objects the Executive no longer needs (a process's frames, page tables,
//! TCBs) go to per-type pools and are reused before new memory is retyped:
//! seL4 returns untyped memory only when a whole untyped is revoked, so
//! pooling is how memory comes back. Slots freed are reused the same way.

use alloc::vec::Vec;
use sel4::abi::{cap, BootInfo, ObjectType, UntypedDesc};
use sel4::{CNode, CPtr, Error, ErrorCode, Untyped};

/// The object kinds the Executive pools, with their pool index.
const POOLED: [ObjectType; 7] = [
    ObjectType::SmallPage,
    ObjectType::PageTable,
    ObjectType::PageDirectory,
    ObjectType::PDPT,
    ObjectType::PML4,
    ObjectType::TCB,
    ObjectType::Endpoint,
];

/// The root CNode as a retype destination (node_depth 0: itself).
const ROOT: CNode = CNode(cap::INIT_THREAD_CNODE);
/// Depth of a root-CNode cptr as a CNode invocation argument.
pub const DEPTH: u8 = 64;

pub struct Memory {
    bi: &'static BootInfo,
    next_slot: CPtr,
    end_slot: CPtr,
    /// RAM untypeds known to be exhausted for small objects.
    exhausted: [bool; sel4::abi::MAX_BOOTINFO_UNTYPED_CAPS],
    /// Slots given back, reused first.
    free: Vec<CPtr>,
    /// Unused objects by kind (`POOLED` order). Pooled frames are zero;
    /// pooled paging structures are empty and unmapped; pooled PML4s keep
    /// their ASID.
    pools: [Vec<CPtr>; POOLED.len()],
    /// Empty CNodes by radix (process CNodes).
    cnodes: Vec<(u64, CPtr)>,
    /// Bytes retyped from RAM untypeds so far (pooled objects included).
    retyped: u64,
}

impl Memory {
    pub fn new(bi: &'static BootInfo) -> Memory {
        Memory {
            bi,
            next_slot: bi.empty.start,
            end_slot: bi.empty.end,
            exhausted: [false; sel4::abi::MAX_BOOTINFO_UNTYPED_CAPS],
            free: Vec::new(),
            pools: Default::default(),
            cnodes: Vec::new(),
            retyped: 0,
        }
    }

    fn untypeds(&self) -> &'static [UntypedDesc] {
        let n = (self.bi.untyped.end - self.bi.untyped.start) as usize;
        &self.bi.untyped_list[..n]
    }

    /// A free slot of the root CNode (NotEnoughMemory when none is left:
    /// the caller reports it, the Executive goes on).
    pub fn slot(&mut self) -> Result<CPtr, Error> {
        if let Some(s) = self.free.pop() {
            return Ok(s);
        }
        self.fresh_slots(1)
    }

    /// `n` consecutive never-used slots (Retype fills consecutive slots).
    fn fresh_slots(&mut self, n: u64) -> Result<CPtr, Error> {
        if self.end_slot - self.next_slot < n {
            return Err(Error::from_reply(ErrorCode::NotEnoughMemory as u64, 1, &[0]));
        }
        self.next_slot += n;
        Ok(self.next_slot - n)
    }

    /// Free slots left in the root CNode.
    pub fn free_slots(&self) -> u64 {
        self.end_slot - self.next_slot + self.free.len() as u64
    }

    /// Deletes the cap in `slot` (destroying the object with its last cap)
    /// and makes the slot reusable.
    pub fn free_slot(&mut self, slot: CPtr) {
        // Deleting cannot fail for a valid root slot; an empty one is fine.
        let _ = ROOT.delete(slot, DEPTH);
        self.free.push(slot);
    }

    /// A copy of `cap` (all rights) in a fresh slot.
    pub fn copy_cap(&mut self, cap: CPtr) -> Result<CPtr, Error> {
        let slot = self.slot()?;
        match ROOT.copy(slot, DEPTH, ROOT, cap, DEPTH, sel4::abi::CapRights::ALL) {
            Ok(()) => Ok(slot),
            Err(e) => {
                self.free.push(slot);
                Err(e)
            }
        }
    }

    /// A badged copy of endpoint `ep` in slot `index` of `dest` (a
    /// process's CNode, addressed from the root CNode with `dest_depth`).
    pub fn mint_into(&mut self, dest: CNode, index: u64, dest_depth: u8, ep: CPtr, badge: u64) -> Result<(), Error> {
        dest.mint(index, dest_depth, ROOT, ep, DEPTH, sel4::abi::CapRights::ALL, badge)
    }

    /// An object from the pool of its kind, if there is one.
    pub fn pooled(&mut self, ty: ObjectType) -> Option<CPtr> {
        let i = POOLED.iter().position(|t| *t == ty)?;
        self.pools[i].pop()
    }

    /// An object of a pooled kind: from the pool, else newly retyped.
    pub fn take(&mut self, ty: ObjectType) -> Result<CPtr, Error> {
        if let Some(i) = POOLED.iter().position(|t| *t == ty) {
            if let Some(c) = self.pools[i].pop() {
                return Ok(c);
            }
        }
        self.alloc(ty, 0)
    }

    /// Gives an object of a pooled kind back (see `pools` for the state it
    /// must be in); other kinds are deleted with their slot.
    pub fn give(&mut self, ty: ObjectType, cap: CPtr) {
        match POOLED.iter().position(|t| *t == ty) {
            Some(i) => self.pools[i].push(cap),
            None => self.free_slot(cap),
        }
    }

    /// An empty CNode of 2^`bits` slots: pooled, else newly retyped.
    pub fn take_cnode(&mut self, bits: u64) -> Result<CPtr, Error> {
        match self.cnodes.iter().position(|(b, _)| *b == bits) {
            Some(i) => Ok(self.cnodes.swap_remove(i).1),
            None => self.alloc(ObjectType::CapTable, bits),
        }
    }

    /// Gives back a CNode whose slots are all empty.
    pub fn give_cnode(&mut self, bits: u64, cnode: CPtr) {
        self.cnodes.push((bits, cnode));
    }

    /// Bytes of RAM not in use: never retyped, or pooled.
    pub fn available_bytes(&self) -> u64 {
        let pooled: u64 = POOLED
            .iter()
            .zip(&self.pools)
            .map(|(t, p)| (1u64 << t.size_bits(0).unwrap_or(12)) * p.len() as u64)
            .sum::<u64>()
            + self
                .cnodes
                .iter()
                .map(|(bits, _)| 1u64 << ObjectType::CapTable.size_bits(*bits as usize).unwrap_or(0))
                .sum::<u64>();
        self.ram_bytes() - self.retyped + pooled
    }

    /// RAM in untyped caps, in bytes.
    pub fn ram_bytes(&self) -> u64 {
        self.untypeds().iter().filter(|u| u.is_device == 0).map(|u| 1u64 << u.size_bits).sum()
    }

    /// A new object of `ty` (with `size_bits` for untypeds and CNodes) in a
    /// fresh slot, from the first RAM untyped with room for it.
    pub fn alloc(&mut self, ty: ObjectType, size_bits: u64) -> Result<CPtr, Error> {
        let slot = self.slot()?;
        let obj_bits = ty.size_bits(size_bits as usize).unwrap_or(0) as u8;
        let mut last = None;
        for (i, u) in self.untypeds().iter().enumerate() {
            if u.is_device != 0 || self.exhausted[i] || u.size_bits < obj_bits {
                continue;
            }
            let ut = Untyped(self.bi.untyped.start + i as u64);
            match ut.retype(ty, size_bits, ROOT, 0, 0, slot, 1) {
                Ok(()) => {
                    self.retyped += 1 << obj_bits;
                    return Ok(slot);
                }
                Err(e) if e.code() == Some(ErrorCode::NotEnoughMemory) => {
                    if obj_bits <= 12 {
                        self.exhausted[i] = true;
                    }
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        self.free.push(slot);
        Err(last.unwrap_or_else(|| Error::from_reply(ErrorCode::NotEnoughMemory as u64, 1, &[0])))
    }

    /// A 4 KiB frame cap for the device memory at `paddr` (page aligned),
    /// split out of the device untyped that covers it.
    pub fn device_frame(&mut self, paddr: u64) -> Result<CPtr, Error> {
        let (i, u) = self
            .untypeds()
            .iter()
            .enumerate()
            .find(|(_, u)| u.is_device != 0 && u.paddr <= paddr && paddr < u.paddr + (1u64 << u.size_bits))
            .ok_or_else(|| Error::from_reply(ErrorCode::InvalidArgument as u64, 1, &[0]))?;
        let (mut cap, mut base, mut bits) = (Untyped(self.bi.untyped.start + i as u64), u.paddr, u.size_bits as u64);
        // Halve the untyped until the 4 KiB piece holding `paddr` is left.
        while bits > 12 {
            let first = self.fresh_slots(2)?;
            let second = first + 1;
            cap.retype(ObjectType::Untyped, bits - 1, ROOT, 0, 0, first, 2)?;
            bits -= 1;
            if paddr >= base + (1 << bits) {
                base += 1 << bits;
                cap = Untyped(second);
            } else {
                cap = Untyped(first);
            }
        }
        let frame = self.slot()?;
        cap.retype(ObjectType::SmallPage, 0, ROOT, 0, 0, frame, 1)?;
        Ok(frame)
    }
}
