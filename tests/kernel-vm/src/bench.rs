//! VM benchmark (`./x bench vm`): the TSC delta per 4 KiB frame Map+Unmap
//! pair, and per VM-fault round trip (the child faults, the root as its
//! pager maps a frame there and replies with ReplyRecv, the child resumes
//! and faults on its next page). Under QEMU `-icount shift=0` the TSC
//! counts guest instructions, so the harness reports that run as
//! instructions. Invocations use the register forms of the system calls
//! directly, as a tuned pager would.
#![no_std]
#![no_main]

extern crate sel4_rt;

use core::arch::x86_64::_rdtsc;
use kernel_vm::env::{self, Env, AREA, PAGE, VSPACE};
use kernel_vm::vm;
use sel4::abi::invocation::InvocationLabel as L;
use sel4::abi::FaultType;
use sel4::{println, sys_call, sys_recv, sys_reply_recv, BootInfo, MessageInfo, MsgRegs, ObjectType};

const MAP_ROUNDS: u64 = 20_000;
const WARMUP: u64 = 200;
/// Pages the child touches per round, and rounds.
const FAULT_PAGES: u64 = 64;
const FAULT_ROUNDS: u64 = 100;

fn tsc() -> u64 {
    // SAFETY: rdtsc has no side effects.
    unsafe { _rdtsc() }
}

fn per_op(name: &str, delta: u64, ops: u64) {
    println!("bench-raw {} = {} {}", name, delta / ops, delta % ops * 100 / ops);
}

/// One Map of `frame` at `vaddr` in the root VSpace (extra cap 0 must hold
/// the VSpace cptr); returns the reply label.
fn map(frame: u64, vaddr: u64) -> u64 {
    let mut r = MsgRegs([vaddr, vm::RW, vm::WRITE_BACK, 0]);
    sys_call(frame, MessageInfo::new(L::X86PageMap as u64, 0, 1, 3), &mut r).1.label()
}

fn unmap(frame: u64) -> u64 {
    let mut r = MsgRegs::default();
    sys_call(frame, MessageInfo::new(L::X86PageUnmap as u64, 0, 0, 0), &mut r).1.label()
}

/// The child: touches FAULT_PAGES pages of AREA, reports with a Call, forever.
fn child(_: u64) {
    let mut round = 0;
    loop {
        for i in 0..FAULT_PAGES {
            // SAFETY: the pager maps every page this touches.
            unsafe { ((AREA + i * PAGE) as *mut u64).write_volatile(round) };
        }
        round += 1;
        // A Call: the child waits while the pager unmaps the pages again.
        let mut r = MsgRegs([round, 0, 0, 0]);
        sys_call(env::get(0), MessageInfo::new(env::DONE, 0, 0, 1), &mut r);
    }
}

fn run(env: &Env) -> Result<(), &'static str> {
    // Tables for AREA and a frame to map.
    for (ty, l) in [(ObjectType::PDPT, L::X86PDPTMap), (ObjectType::PageDirectory, L::X86PageDirectoryMap), (ObjectType::PageTable, L::X86PageTableMap)] {
        let t = env.obj(ty, 0).map_err(|_| "retype a table")?;
        sel4::invoke(t, l, &[AREA, 0], &[VSPACE]).map_err(|_| "map a table")?;
    }
    let frame = env.frame().map_err(|_| "retype a frame")?;
    sel4::set_cap(0, VSPACE);
    for _ in 0..WARMUP {
        if map(frame, AREA) != 0 || unmap(frame) != 0 {
            return Err("map/unmap failed");
        }
    }
    let t0 = tsc();
    for _ in 0..MAP_ROUNDS {
        map(frame, AREA);
        unmap(frame);
    }
    let t1 = tsc();
    per_op("vm.map_unmap_4k", t1 - t0, MAP_ROUNDS);

    // Fault round trips.
    let frames = env.objs(ObjectType::SmallPage, 0, FAULT_PAGES).map_err(|_| "retype frames")?;
    let ep = env.endpoint().map_err(|_| "retype an endpoint")?;
    env::set(0, ep);
    env.spawn(ep, child, 0).map_err(|_| "start the child")?;
    // (Starting the child used the IPC buffer's cap slots.)
    sel4::set_cap(0, VSPACE);
    let mut regs = MsgRegs::default();
    let (_, mut info) = sys_recv(ep, &mut regs);
    let mut total = 0;
    for round in 0..FAULT_ROUNDS {
        let t0 = tsc();
        for i in 0..FAULT_PAGES {
            if info.label() != FaultType::VMFault as u64 || regs.0[1] != AREA + i * PAGE {
                println!("bench-vm: round {round} page {i}: label {} MRs {:x?}", info.label(), regs.0);
                return Err("unexpected message in the fault loop");
            }
            if map(frames + i, AREA + i * PAGE) != 0 {
                return Err("map in the fault loop failed");
            }
            let (_, next) = sys_reply_recv(ep, MessageInfo::new(0, 0, 0, 0), &mut regs);
            info = next;
        }
        total += tsc() - t0;
        if info.label() != env::DONE || regs.0[0] != round + 1 {
            return Err("the child did not report");
        }
        for i in 0..FAULT_PAGES {
            if unmap(frames + i) != 0 {
                return Err("unmap in the fault loop failed");
            }
        }
        // Answer the report: the child starts the next round.
        let (_, next) = sys_reply_recv(ep, MessageInfo::new(0, 0, 0, 0), &mut regs);
        info = next;
    }
    per_op("vm.fault_roundtrip", total, FAULT_ROUNDS * FAULT_PAGES);
    Ok(())
}

fn main(bi: &'static BootInfo) -> ! {
    let ok = match Env::new(bi) {
        Ok(env) => match run(&env) {
            Ok(()) => true,
            Err(e) => {
                println!("bench-vm: {e}");
                false
            }
        },
        Err(e) => {
            println!("bench-vm: environment: {e}");
            false
        }
    };
    println!("suite kernel-vm-bench: {} passed, {} failed", ok as u8, !ok as u8);
    sel4::debug_halt()
}
sel4_rt::root_task!(main);
