//! Where everything lives in the root CNode, and which slots no fuzzed call
//! may name.
//!
//! From BootInfo's first empty slot: a control region (the fuzzer's own
//! objects: helper threads, their endpoints, the untypeds it carves), then
//! the working set, the only part of the root CNode the fuzzer writes to.
//! Slots 0..16 and BootInfo's regions are fuzzed through the generator's
//! rules (see `gen.rs`); the control region and the root task's own frames
//! and paging caps are never named at all.

use sel4::abi::{BootInfo, SlotRegion};

/// Control-region slots (offsets from its start).
pub mod ctl {
    /// The fault endpoint the root thread's faults go to (the watchdog polls it).
    pub const FAULT_EP: u64 = 0;
    /// A badged copy of it with Grant: the root thread's fault_ep cptr.
    pub const FAULT_EP_BADGED: u64 = 1;
    /// The two endpoints served by the server threads.
    pub const SERVED_EP: [u64; 2] = [2, 3];
    pub const WATCHDOG: u64 = 4;
    pub const SERVER: [u64; 2] = [5, 6];
    /// The untyped the control objects come from.
    pub const SYS_UT: u64 = 7;
    /// The untyped the working set comes from (revoked every epoch).
    pub const ARENA_UT: u64 = 8;
    /// A small untyped for the "fresh objects still work" check.
    pub const SPARE_UT: u64 = 9;
    /// Scratch slots for the checks.
    pub const TMP: u64 = 10;
    /// Where the leak check puts its full-size untyped.
    pub const LEAK_TMP: u64 = 16;
    /// The agents' fault endpoint, which nobody receives on: a faulting
    /// agent waits there until its next restart.
    pub const FAULT_SINK: u64 = 17;
    pub const LEN: u64 = 32;
}

/// Working-set size in slots.
pub const WS_LEN: u64 = 128;

/// Working-set slots with a fixed role at the start of each epoch
/// (offsets; the rest of the plan is in `populate`).
pub mod ws {
    /// The endpoint and notification each agent waits on.
    pub const AGENT_EP: [u64; 2] = [4, 5];
    pub const AGENT_NTFN: [u64; 2] = [9, 10];
    /// The agents' TCBs, and their CSpaces (see `threads::start_agents`).
    pub const AGENT_TCB: [u64; 2] = [28, 29];
    pub const AGENT_CSPACE: [u64; 2] = [30, 31];
    /// Where the servers and agents receive caps.
    pub const SERVER_RECEIVE: [u64; 2] = [120, 121];
}
/// log2 bytes of the control objects' untyped and of the working set's.
pub const SYS_BITS: u64 = 16;
pub const ARENA_BITS: u64 = 22;
pub const SPARE_BITS: u64 = 12;

extern "C" {
    static __ehdr_start: u8;
}

pub struct Layout {
    pub bi: &'static BootInfo,
    /// First slot of the control region.
    pub ctl: u64,
    /// First slot of the working set.
    pub ws: u64,
    /// BootInfo slot of the RAM untyped the control and arena untypeds come from.
    pub big_ut: u64,
    /// Virtual addresses of the root task (image, IPC buffer, BootInfo):
    /// never used as a register value in a fuzzed call.
    pub image: (u64, u64),
}

impl Layout {
    pub fn new(bi: &'static BootInfo) -> Layout {
        let ctl = bi.empty.start;
        let ws = ctl + ctl::LEN;
        assert!(ws + WS_LEN <= bi.empty.end, "not enough empty slots");
        // The largest RAM untyped: it must hold the control and arena untypeds.
        let (mut big_ut, mut big_bits) = (0, 0);
        for (i, u) in untypeds(bi).iter().enumerate() {
            if u.is_device == 0 && u.size_bits as u64 > big_bits {
                big_bits = u.size_bits as u64;
                big_ut = bi.untyped.start + i as u64;
            }
        }
        assert!(big_bits > ARENA_BITS, "no RAM untyped bigger than 2^{ARENA_BITS}");
        // Only the address of the linker-defined symbol is taken (safe).
        let lo = &raw const __ehdr_start as u64 & !0xfff;
        Layout { bi, ctl, ws, big_ut, image: (lo, bi.ipc_buffer + 0x10_0000) }
    }

    pub fn c(&self, off: u64) -> u64 {
        self.ctl + off
    }

    pub fn w(&self, off: u64) -> u64 {
        self.ws + off
    }

    pub fn in_ws(&self, slot: u64) -> bool {
        (self.ws..self.ws + WS_LEN).contains(&slot)
    }

    pub fn is_untyped(&self, slot: u64) -> bool {
        self.bi.untyped.contains(slot)
    }

    /// Slots no fuzzed call may name, neither as the invoked cap nor as an
    /// extra cap: the root task's BootInfo and IPC buffer frames, image
    /// frames and paging structures (mapping or unmapping them, or using
    /// them as another thread's IPC buffer, would corrupt the root task),
    /// and the control region.
    pub fn forbidden(&self, slot: u64) -> bool {
        let regions: [SlotRegion; 3] = [self.bi.user_image_frames, self.bi.user_image_paging, self.bi.extra_bi_pages];
        slot == sel4::abi::cap::BOOT_INFO_FRAME
            || slot == sel4::abi::cap::INIT_THREAD_IPC_BUFFER
            || regions.iter().any(|r| r.contains(slot))
            || (self.ctl..self.ws).contains(&slot)
    }

    /// Whether a value could be an address in the root task (see `image`).
    pub fn in_image(&self, v: u64) -> bool {
        (self.image.0..self.image.1).contains(&v)
    }
}

pub fn untypeds(bi: &BootInfo) -> &[sel4::abi::UntypedDesc] {
    let n = (bi.untyped.len() as usize).min(bi.untyped_list.len());
    &bi.untyped_list[..n]
}
