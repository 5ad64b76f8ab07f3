//! VM faults: seL4's VMFault message (label 5, length 4: IP, Addr,
//! PrefetchFault, FSR) for reads, writes and instruction fetches, the
//! kernel half closed to users, a reply restarting the faulting
//! instruction, and pagers that resolve faults on demand (4 KiB and 2 MiB
//! pages, read-only then read-write, and for a thread in a VSpace of its
//! own).

use crate::common::*;
use guest_test::{check, check_eq, ok, Failure, Suite, TestResult};
use kernel_vm::env::{self, Env, Msg, AREA, LARGE, PAGE, ROOT_POOL, VSPACE};
use kernel_vm::vm::{self, fsr, RO, RW};
use sel4::abi::fault::vm_fault;
use sel4::abi::FaultType;
use sel4::fault::Fault;
use sel4::{CPtr, CapRights, ObjectType};

pub fn run(env: &Env, s: &mut Suite) {
    env.test(s, "vm_fault_message_layout", message_layout);
    env.test(s, "write_fault_fsr", write_fault);
    env.test(s, "instruction_fetch_fault", fetch_fault);
    env.test(s, "no_execute_attribute_faults_fetch", no_execute);
    env.test(s, "kernel_half_faults_as_protection", kernel_half);
    env.test(s, "reply_restarts_faulting_instruction", restart);
    env.test(s, "pager_maps_4k_on_demand", pager_4k);
    env.test(s, "pager_read_only_then_read_write", pager_ro_rw);
    env.test(s, "pager_maps_2m_on_demand", pager_2m);
    env.test(s, "pager_for_thread_in_own_vspace", pager_own_vspace);
}

fn message_layout(env: &Env) -> TestResult {
    let ep = spawn_child(env, child_read, AREA + 0x18)?;
    // Raw: the tag and the four registers as they arrive.
    let mut got = None;
    for _ in 0..env::MAX_YIELDS {
        let (info, badge) = sel4::nb_recv(ep);
        if info.word() != 0 || badge != 0 {
            got = Some((info, badge));
            break;
        }
        sel4::yield_now();
    }
    let Some((info, badge)) = got else { return Err(Failure::new(format_args!("no fault message"))) };
    check_eq!(info.label(), FaultType::VMFault as u64);
    check_eq!(info.length(), 4);
    check_eq!(info.extra_caps(), 0);
    check_eq!(badge, 0);
    check_eq!(sel4::get_mr(vm_fault::IP), env::get(IP));
    check_eq!(sel4::get_mr(vm_fault::ADDR), AREA + 0x18);
    check_eq!(sel4::get_mr(vm_fault::PREFETCH_FAULT), 0);
    check_eq!(sel4::get_mr(vm_fault::FSR), fsr::USER);
    Ok(())
}

fn write_fault(env: &Env) -> TestResult {
    // Nothing mapped, then a page table without the page: both "not present".
    expect_no_access(env, AREA + 0x1000_0000, true)?;
    tables(env, VSPACE, AREA, 3)?;
    expect_no_access(env, AREA + 5 * PAGE + 8, true)?;
    Ok(())
}

fn fetch_fault(env: &Env) -> TestResult {
    let target = AREA + 0x2340;
    let ep = spawn_child(env, child_exec, target)?;
    let (ip, addr, prefetch, code) = env::recv_vm_fault(ep)?;
    check_eq!(ip, target);
    check_eq!(addr, target);
    check!(prefetch, "an instruction fetch not reported as one");
    check_eq!(code, fsr::USER | fsr::FETCH);
    Ok(())
}

fn no_execute(env: &Env) -> TestResult {
    // A `ret` on a mapped page: executable without the attribute, a
    // protection fault on the fetch with Triton's no-execute bit.
    tables(env, VSPACE, AREA, 3)?;
    let f = ok!(env.frame());
    ok!(vm::page_map(f, VSPACE, AREA, vm::RW, 0));
    poke(AREA, 0xC3);
    let ep = spawn_child(env, child_exec, AREA)?;
    match env::recv(ep)? {
        env::Msg::Done(_) => {}
        m => return Err(guest_test::Failure::new(format_args!("executing a plain page gave {m:?}"))),
    }
    ok!(vm::page_map(f, VSPACE, AREA, vm::RW, sel4::abi::vm::NO_EXECUTE_BIT));
    let ep = spawn_child(env, child_exec, AREA)?;
    let (ip, addr, prefetch, code) = env::recv_vm_fault(ep)?;
    check_eq!((ip, addr), (AREA, AREA));
    check!(prefetch, "the fetch was not reported as one");
    check_eq!(code, fsr::PRESENT | fsr::USER | fsr::FETCH);
    Ok(())
}

fn kernel_half(env: &Env) -> TestResult {
    // The kernel's window is mapped, but not for users.
    let kaddr = 0xFFFF_FF80_0000_1000;
    let ep = spawn_child(env, child_read, kaddr)?;
    let (ip, addr, prefetch, code) = env::recv_vm_fault(ep)?;
    check_eq!(addr, kaddr);
    check_eq!(ip, env::get(IP));
    check!(!prefetch);
    check_eq!(code, fsr::PRESENT | fsr::USER);
    Ok(())
}

fn restart(env: &Env) -> TestResult {
    // Replying without fixing anything: the same instruction faults again.
    let ep = spawn_child(env, child_write, AREA)?;
    let first = env::recv_vm_fault(ep)?;
    env::reply();
    let second = env::recv_vm_fault(ep)?;
    check_eq!(first, second);
    check_eq!(first.0, env::get(IP));
    Ok(())
}

/// How many pages `child_touch` writes.
const TOUCH_PAGES: u64 = 16;

/// In a child: writes i+1 to page i of `base`, then reports the sum of
/// what it reads back.
fn child_touch(base: u64) {
    for i in 0..TOUCH_PAGES {
        poke(base + i * PAGE + (i % 8) * 8, i + 1);
    }
    let sum = (0..TOUCH_PAGES).map(|i| peek(base + i * PAGE + (i % 8) * 8)).sum();
    env::report(env::get(EP), sum);
}

/// The pager: serves VM faults on `ep` by mapping a fresh frame of the
/// given type at the faulting page of `vspace`, until the child reports;
/// returns (report, faults served).
fn serve(env: &Env, ep: CPtr, vspace: CPtr, ty: ObjectType, size: u64, want_fsr: u64) -> Result<(u64, u64), Failure> {
    let mut faults = 0;
    loop {
        match env::recv(ep)? {
            Msg::Done(v) => return Ok((v, faults)),
            Msg::Fault(Fault::VMFault { addr, prefetch, fsr: code, .. }) => {
                check!(!prefetch);
                check_eq!(code, want_fsr);
                check!(faults < 64, "too many faults");
                let f = ok!(env.obj(ty, 0));
                ok!(vm::page_map(f, vspace, addr & !(size - 1), RW, vm::WRITE_BACK));
                faults += 1;
                env::reply();
            }
            m => return Err(Failure::new(format_args!("unexpected message {m:?}"))),
        }
    }
}

fn pager_4k(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let ep = spawn_child(env, child_touch, AREA)?;
    let (sum, faults) = serve(env, ep, VSPACE, ObjectType::SmallPage, PAGE, fsr::USER | fsr::WRITE)?;
    check_eq!(faults, TOUCH_PAGES);
    check_eq!(sum, TOUCH_PAGES * (TOUCH_PAGES + 1) / 2);
    // The root sees what the child wrote.
    for i in 0..TOUCH_PAGES {
        check_eq!(peek(AREA + i * PAGE + (i % 8) * 8), i + 1);
    }
    Ok(())
}

/// In a child: reads `a`, writes what it read plus 7, reports what is there.
fn child_read_then_write(a: u64) {
    let v = peek(a);
    poke(a, v + 7);
    env::report(env::get(EP), peek(a));
}

fn pager_ro_rw(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 3)?;
    let f = ok!(env.frame());
    let ep = spawn_child(env, child_read_then_write, AREA + 64)?;
    // The read: map the page read-only.
    let (_, addr, _, code) = env::recv_vm_fault(ep)?;
    check_eq!((addr, code), (AREA + 64, fsr::USER));
    ok!(vm::page_map(f, VSPACE, AREA, RO, 0));
    env::reply();
    // The write: now a protection fault; upgrade in place.
    let (_, addr, _, code) = env::recv_vm_fault(ep)?;
    check_eq!((addr, code), (AREA + 64, fsr::PRESENT | fsr::WRITE | fsr::USER));
    ok!(vm::page_map(f, VSPACE, AREA, RW, 0));
    env::reply();
    check_eq!(env::recv_done(ep)?, 7);
    check_eq!(peek(AREA + 64), 7);
    Ok(())
}

fn pager_2m(env: &Env) -> TestResult {
    tables(env, VSPACE, AREA, 2)?;
    let ep = spawn_child(env, child_touch, AREA + LARGE + 3 * PAGE)?;
    // One 2 MiB page covers all 16 pages the child touches.
    let (sum, faults) = serve(env, ep, VSPACE, ObjectType::LargePage, LARGE, fsr::USER | fsr::WRITE)?;
    check_eq!(faults, 1);
    check_eq!(sum, TOUCH_PAGES * (TOUCH_PAGES + 1) / 2);
    check_eq!(peek(AREA + LARGE + 3 * PAGE), 1);
    Ok(())
}

fn pager_own_vspace(env: &Env) -> TestResult {
    // A VSpace with the program image (copies of the image frame caps, so
    // the same memory) and nothing else.
    let pml4 = ok!(env.obj(ObjectType::PML4, 0));
    ok!(vm::assign(ROOT_POOL, pml4));
    let (first, last) = env.image_pages();
    tables(env, pml4, first, 2)?;
    let mut region = first & !(LARGE - 1);
    while region <= last {
        let pt = ok!(env.obj(ObjectType::PageTable, 0));
        ok!(vm::pt_map(pt, pml4, region, 0));
        region += LARGE;
    }
    let mut page = first;
    while page <= last {
        let c = ok!(env.copy(env.frame_of(page), CapRights::READ_WRITE));
        ok!(vm::page_map(c, pml4, page, RW, 0));
        page += PAGE;
    }
    tables(env, pml4, AREA, 3)?;
    let ep = ok!(env.endpoint());
    env::set(EP, ep);
    env.spawn_in(pml4, ep, child_touch, AREA)?;
    let (sum, faults) = serve(env, ep, pml4, ObjectType::SmallPage, PAGE, fsr::USER | fsr::WRITE)?;
    check_eq!(faults, TOUCH_PAGES);
    check_eq!(sum, TOUCH_PAGES * (TOUCH_PAGES + 1) / 2);
    // The root's own VSpace has nothing at AREA: the pages went to the
    // child's VSpace only (a child of the root's VSpace must fault there).
    expect_no_access(env, AREA, false)?;
    Ok(())
}
