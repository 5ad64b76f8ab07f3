//! Helpers the tests share: paging structures for an address, raw memory
//! access, and the children that touch memory for the root (which has no
//! fault handler, so it must never fault itself).

use core::arch::asm;
use guest_test::{check, check_eq, ok, Failure, TestResult};
use kernel_vm::env::{self, Env};
use kernel_vm::vm::{self, fsr};
use sel4::{CPtr, ObjectType};

/// Shared words: the endpoint children report on, and the address of the
/// instruction a child is about to fault on.
pub const EP: usize = 0;
pub const IP: usize = 1;

/// What `child_write` stores.
pub const WRITE_VALUE: u64 = 0x5EED_0000_0000_0001;

pub fn peek(a: u64) -> u64 {
    // SAFETY: tests only read addresses they mapped readable.
    unsafe { (a as *const u64).read_volatile() }
}

pub fn poke(a: u64, v: u64) {
    // SAFETY: tests only write addresses they mapped writable.
    unsafe { (a as *mut u64).write_volatile(v) }
}

/// Maps fresh paging structures for `vaddr` into `vspace`: a PDPT
/// (`levels` >= 1), a page directory (>= 2) and a page table (3). Returns
/// their caps (0 where not made).
pub fn tables(env: &Env, vspace: CPtr, vaddr: u64, levels: u32) -> Result<[CPtr; 3], Failure> {
    let mut caps = [0; 3];
    if levels >= 1 {
        caps[0] = ok!(env.obj(ObjectType::PDPT, 0));
        ok!(vm::pdpt_map(caps[0], vspace, vaddr, vm::WRITE_BACK));
    }
    if levels >= 2 {
        caps[1] = ok!(env.obj(ObjectType::PageDirectory, 0));
        ok!(vm::pd_map(caps[1], vspace, vaddr, vm::WRITE_BACK));
    }
    if levels >= 3 {
        caps[2] = ok!(env.obj(ObjectType::PageTable, 0));
        ok!(vm::pt_map(caps[2], vspace, vaddr, vm::WRITE_BACK));
    }
    Ok(caps)
}

/// A fresh 4 KiB frame mapped read-write at `vaddr` of the root VSpace
/// (whose tables must exist).
pub fn mapped_frame(env: &Env, vaddr: u64) -> Result<CPtr, Failure> {
    let f = ok!(env.frame());
    ok!(vm::page_map(f, env::VSPACE, vaddr, vm::RW, vm::WRITE_BACK));
    Ok(f)
}

/// In a child: loads from `addr` (the load's address goes to SH[IP] first)
/// and reports the value.
pub fn child_read(addr: u64) {
    let v: u64;
    // SAFETY: a load that may fault; the root's pager decides what happens.
    unsafe {
        asm!(
            "lea {ip}, [rip + 2f]",
            "mov qword ptr [{slot}], {ip}",
            "2:",
            "mov {v}, qword ptr [{a}]",
            ip = out(reg) _,
            slot = in(reg) env::SH[IP].as_ptr(),
            a = in(reg) addr,
            v = out(reg) v,
            options(nostack),
        )
    };
    env::report(env::get(EP), v);
}

/// In a child: stores WRITE_VALUE to `addr` (the store's address goes to
/// SH[IP] first) and reports 1.
pub fn child_write(addr: u64) {
    // SAFETY: a store that may fault; the root's pager decides what happens.
    unsafe {
        asm!(
            "lea {ip}, [rip + 2f]",
            "mov qword ptr [{slot}], {ip}",
            "2:",
            "mov qword ptr [{a}], {v}",
            ip = out(reg) _,
            slot = in(reg) env::SH[IP].as_ptr(),
            a = in(reg) addr,
            v = in(reg) WRITE_VALUE,
            options(nostack),
        )
    };
    env::report(env::get(EP), 1);
}

/// In a child: reads `addr`, reports the value, then reads it again and
/// reports that (for tests that change the mapping in between).
pub fn child_read_twice(addr: u64) {
    env::report(env::get(EP), peek(addr));
    child_read(addr);
}

/// In a child: calls `addr` as code (an instruction fetch there).
pub fn child_exec(addr: u64) {
    // SAFETY: the call faults (nothing executable is there); the child is
    // destroyed by the test's cleanup without being resumed.
    unsafe { asm!("call {t}", t = in(reg) addr, clobber_abi("C")) };
    env::report(env::get(EP), 0);
}

/// Starts a child running `f(addr)` in the root VSpace with a fresh fault
/// endpoint (also its report endpoint); returns the endpoint.
pub fn spawn_child(env: &Env, f: fn(u64), addr: u64) -> Result<CPtr, Failure> {
    let ep = ok!(env.endpoint());
    env::set(EP, ep);
    env.spawn(ep, f, addr)?;
    Ok(ep)
}

/// A child's access to `addr` must fault as "not present": the VMFault
/// message carries the faulting instruction, the address, no prefetch and
/// the user (plus write) bit.
pub fn expect_no_access(env: &Env, addr: u64, write: bool) -> TestResult {
    let ep = spawn_child(env, if write { child_write } else { child_read }, addr)?;
    let (ip, a, prefetch, code) = env::recv_vm_fault(ep)?;
    check_eq!(a, addr);
    check_eq!(ip, env::get(IP));
    check!(!prefetch, "a data access reported as an instruction fetch");
    check_eq!(code, fsr::USER | if write { fsr::WRITE } else { 0 });
    Ok(())
}

/// A child's access to `addr` must succeed: a read reports `want`.
pub fn expect_read(env: &Env, addr: u64, want: u64) -> TestResult {
    let ep = spawn_child(env, child_read, addr)?;
    match env::recv(ep)? {
        env::Msg::Done(v) => {
            check_eq!(v, want);
            Ok(())
        }
        m => Err(Failure::new(format_args!("the child's read of {addr:#x} gave {m:?}"))),
    }
}
