//! Untyped memory and CSpace slots. Objects are retyped from the RAM
//! untypeds BootInfo lists (the kernel reports exhaustion per untyped with
//! NotEnoughMemory, so the allocator moves on to the next); device memory is
//! reached by splitting the device untyped that covers an address until a
//! 4 KiB piece is left.

use sel4::abi::{cap, BootInfo, ObjectType, UntypedDesc};
use sel4::{CNode, CPtr, Error, ErrorCode, Untyped};

/// The root CNode as a retype destination (node_depth 0: itself).
const ROOT: CNode = CNode(cap::INIT_THREAD_CNODE);

pub struct Memory {
    bi: &'static BootInfo,
    next_slot: CPtr,
    end_slot: CPtr,
    /// RAM untypeds known to be exhausted for small objects.
    exhausted: [bool; sel4::abi::MAX_BOOTINFO_UNTYPED_CAPS],
}

impl Memory {
    pub fn new(bi: &'static BootInfo) -> Memory {
        Memory {
            bi,
            next_slot: bi.empty.start,
            end_slot: bi.empty.end,
            exhausted: [false; sel4::abi::MAX_BOOTINFO_UNTYPED_CAPS],
        }
    }

    fn untypeds(&self) -> &'static [UntypedDesc] {
        let n = (self.bi.untyped.end - self.bi.untyped.start) as usize;
        &self.bi.untyped_list[..n]
    }

    /// A fresh slot of the root CNode.
    pub fn slot(&mut self) -> CPtr {
        assert!(self.next_slot < self.end_slot, "ntos: out of CSpace slots");
        self.next_slot += 1;
        self.next_slot - 1
    }

    /// Free slots left in the root CNode.
    pub fn free_slots(&self) -> u64 {
        self.end_slot - self.next_slot
    }

    /// RAM in untyped caps, in bytes.
    pub fn ram_bytes(&self) -> u64 {
        self.untypeds().iter().filter(|u| u.is_device == 0).map(|u| 1u64 << u.size_bits).sum()
    }

    /// A new object of `ty` (with `size_bits` for untypeds and CNodes) in a
    /// fresh slot, from the first RAM untyped with room for it.
    pub fn alloc(&mut self, ty: ObjectType, size_bits: u64) -> Result<CPtr, Error> {
        let slot = self.slot();
        let obj_bits = ty.size_bits(size_bits as usize).unwrap_or(0) as u8;
        let mut last = None;
        for (i, u) in self.untypeds().iter().enumerate() {
            if u.is_device != 0 || self.exhausted[i] || u.size_bits < obj_bits {
                continue;
            }
            let ut = Untyped(self.bi.untyped.start + i as u64);
            match ut.retype(ty, size_bits, ROOT, 0, 0, slot, 1) {
                Ok(()) => return Ok(slot),
                Err(e) if e.code() == Some(ErrorCode::NotEnoughMemory) => {
                    if obj_bits <= 12 {
                        self.exhausted[i] = true;
                    }
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
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
            let first = self.slot();
            let second = self.slot();
            debug_assert_eq!(second, first + 1);
            cap.retype(ObjectType::Untyped, bits - 1, ROOT, 0, 0, first, 2)?;
            bits -= 1;
            if paddr >= base + (1 << bits) {
                base += 1 << bits;
                cap = Untyped(second);
            } else {
                cap = Untyped(first);
            }
        }
        let frame = self.slot();
        cap.retype(ObjectType::SmallPage, 0, ROOT, 0, 0, frame, 1)?;
        Ok(frame)
    }
}
