//! The kernel suite's root task. It checks what the kernel promises an
//! seL4 initial thread (the BootInfo frame, the initial caps, the mappings
//! BootInfo describes), then the T2 API: untyped retype, CNode operations,
//! endpoint and notification IPC, TCB invocations, fault delivery and
//! scheduling, each test checking the results and error details seL4 gives.
#![no_std]
#![no_main]
// A test failure is a fixed-size message (there is no allocator to box it).
#![allow(clippy::result_large_err)]

extern crate sel4_rt;

mod asm;
mod bootinfo;
mod cnode;
mod endpoint;
mod env;
mod fault;
mod kids;
mod notification;
mod sched;
mod tcb;
mod untyped;

use sel4::BootInfo;

/// The T2 groups, in the order they run: each relies only on what the ones
/// before it exercised (retype first, scheduling last).
const GROUPS: &[&[env::Test]] = &[
    untyped::TESTS,
    cnode::TESTS,
    endpoint::TESTS,
    notification::TESTS,
    tcb::TESTS,
    fault::TESTS,
    sched::TESTS,
];

fn main(bi: &'static BootInfo) -> ! {
    // Which suite this boot is: the harness boots the same program with
    // different memory sizes; the name comes from the RAM it finds.
    let mut suite = guest_test::Suite::new(bootinfo::suite_name(bi));
    bootinfo::run(&mut suite, bi);
    // Setting up the T2 environment already needs Retype; if it fails the
    // failure is one test and the T2 groups do not run.
    let mut env = None;
    suite.run("t2_environment", || {
        env = Some(env::Env::new(bi)?);
        Ok(())
    });
    if let Some(env) = env {
        for group in GROUPS {
            for (name, f) in group.iter() {
                env.test(&mut suite, name, *f);
            }
        }
    }
    suite.finish()
}
sel4_rt::root_task!(main);
