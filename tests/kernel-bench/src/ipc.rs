//! IPC round-trip benchmark: a client (the root thread) Calls a server
//! thread in the same address space, which answers with ReplyRecv; both
//! use one-word messages, the fastpath's case. It prints the TSC delta per
//! round trip; under QEMU `-icount shift=0` the TSC counts guest
//! instructions, so the harness reports that run as instructions.
//! The harness boots it once with the fastpath and once with
//! `fastpath=off` on the kernel command line.
#![no_std]
#![no_main]

extern crate sel4_rt;

use core::arch::x86_64::_rdtsc;
use sel4::abi::invocation::InvocationLabel as L;
use sel4::abi::{cap, BootInfo, IpcBuffer, MessageInfo, ObjectType};
use sel4::{println, sys_call, sys_reply_recv, MsgRegs};

const ROUNDS: u64 = 200_000;
const WARMUP: u64 = 500;

#[repr(C, align(4096))]
struct Page([u8; 4096]);
/// The server's IPC buffer: a page of this image, so its frame cap is in
/// BootInfo's image frames.
static mut SERVER_IPC: Page = Page([0; 4096]);
#[repr(C, align(16))]
struct Stack([u8; 16384]);
static mut SERVER_STACK: Stack = Stack([0; 16384]);

extern "C" {
    static __ehdr_start: u8;
}

/// A raw invocation: MRs (all in registers or the buffer), extra caps.
fn invoke(buf: *mut IpcBuffer, cptr: u64, label: L, mrs: &[u64], caps: &[u64]) -> u64 {
    let mut regs = MsgRegs::default();
    for (i, v) in mrs.iter().enumerate() {
        if i < 4 {
            regs.0[i] = *v;
        } else {
            // SAFETY: the root thread's own IPC buffer, from BootInfo.
            unsafe { (*buf).msg[i] = *v };
        }
    }
    for (i, c) in caps.iter().enumerate() {
        // SAFETY: as above.
        unsafe { (*buf).caps_or_badges[i] = *c };
    }
    let info = MessageInfo::new(label as u64, 0, caps.len() as u64, mrs.len() as u64);
    sys_call(cptr, info, &mut regs).1.label()
}

extern "C" fn server(ep: u64) -> ! {
    let mut regs = MsgRegs::default();
    let (_, mut info) = sel4::sys_recv(ep, &mut regs);
    loop {
        regs.0[0] += 1;
        let (_, i) = sys_reply_recv(ep, info, &mut regs);
        info = i;
    }
}

fn main(bi: &'static BootInfo) -> ! {
    let buf = bi.ipc_buffer as *mut IpcBuffer;
    let root = cap::INIT_THREAD_CNODE;
    let free = bi.empty.start;
    let (tcb, ep) = (free, free + 1);
    // An untyped big enough for a TCB and an endpoint.
    let n = (bi.untyped.end - bi.untyped.start) as usize;
    let ut = (0..n).find(|&i| bi.untyped_list[i].is_device == 0 && bi.untyped_list[i].size_bits >= 16).expect("an untyped");
    let ut_cap = bi.untyped.start + ut as u64;
    let retype = |ty: ObjectType, slot: u64| invoke(buf, ut_cap, L::UntypedRetype, &[ty as u64, 0, 0, 0, slot, 1], &[root]);
    assert_eq!(retype(ObjectType::TCB, tcb), 0, "retype TCB");
    assert_eq!(retype(ObjectType::Endpoint, ep), 0, "retype endpoint");

    // The server's IPC buffer frame: the image page holding SERVER_IPC.
    let (ipc_vaddr, image_start, stack_top) = (
        core::ptr::addr_of!(SERVER_IPC) as u64,
        core::ptr::addr_of!(__ehdr_start) as u64 & !0xfff,
        core::ptr::addr_of!(SERVER_STACK) as u64 + 16384,
    );
    let frame = bi.user_image_frames.start + (ipc_vaddr - image_start) / 4096;
    let r = invoke(buf, tcb, L::TCBConfigure, &[0, 0, 0, ipc_vaddr], &[root, cap::INIT_THREAD_VSPACE, frame]);
    assert_eq!(r, 0, "configure");
    assert_eq!(invoke(buf, tcb, L::TCBSetPriority, &[255], &[cap::INIT_THREAD_TCB]), 0, "priority");
    // rip, rsp, rflags, rax, rbx, rcx, rdx, rsi, rdi: the entry and its argument.
    let regs = [server as *const () as u64, stack_top - 8, 0x202, 0, 0, 0, 0, 0, ep];
    let mut mrs = [0u64; 11];
    mrs[0] = 1; // resume
    mrs[1] = regs.len() as u64;
    mrs[2..].copy_from_slice(&regs);
    assert_eq!(invoke(buf, tcb, L::TCBWriteRegisters, &mrs, &[]), 0, "write registers");

    let info = MessageInfo::new(0, 0, 0, 1);
    let mut m = MsgRegs::default();
    for _ in 0..WARMUP {
        sys_call(ep, info, &mut m);
    }
    let before = m.0[0];
    // SAFETY: rdtsc has no side effects.
    let t0 = unsafe { _rdtsc() };
    for _ in 0..ROUNDS {
        sys_call(ep, info, &mut m);
    }
    // SAFETY: as above.
    let t1 = unsafe { _rdtsc() };
    let ok = m.0[0] == before + ROUNDS;
    if !ok {
        println!("bench-ipc: server counter {} -> {}, expected +{}", before, m.0[0], ROUNDS);
    }
    println!("bench-raw ipc.roundtrip = {} {}", (t1 - t0) / ROUNDS, (t1 - t0) % ROUNDS * 100 / ROUNDS);
    println!("suite kernel-bench-ipc: {} passed, {} failed", ok as u8, !ok as u8);
    sel4::debug_halt()
}
sel4_rt::root_task!(main);
