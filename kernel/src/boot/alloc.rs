//! The boot allocator: carves naturally aligned, zeroed blocks for the root
//! task's objects out of free RAM before the rest becomes untypeds.

use crate::kmem;
use kernel_core::memory::{Range, RangeSet};

pub struct BootAlloc {
    free: RangeSet<64>,
}

impl BootAlloc {
    pub fn new(free: RangeSet<64>) -> BootAlloc {
        BootAlloc { free }
    }

    /// A zeroed block of 2^bits bytes, aligned to its size.
    pub fn alloc(&mut self, bits: u32) -> u64 {
        let size = 1u64 << bits;
        let found = self.free.iter().find_map(|r| {
            let start = (r.start + size - 1) & !(size - 1);
            (start + size <= r.end).then_some(start)
        });
        let paddr = found.unwrap_or_else(|| panic!("boot: out of memory for a 2^{bits} byte object"));
        self.free.remove(Range { start: paddr, end: paddr + size }).expect("range set full");
        kmem::zero(paddr, size);
        paddr
    }

    pub fn into_free(self) -> RangeSet<64> {
        self.free
    }
}
