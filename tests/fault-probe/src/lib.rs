//! Shared by the fault probes: each probe announces itself, misbehaves once,
//! and must never get control back (the kernel suspends it); if it does, it
//! says so, which the harness reads as a failure.
#![no_std]

pub fn announce(what: &str) {
    sel4::println!("fault-probe: about to {what}");
}

pub fn survived(what: &str) -> ! {
    sel4::println!("fault-probe: FAILED: the thread ran on after {what}");
    sel4::debug_halt()
}
