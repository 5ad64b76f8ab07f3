//! The VM suite's root task (`suite kernel-vm`): paging objects at every
//! level and size, frame rights and attributes, every error of every paging
//! and ASID invocation, mappings going away with their caps, ASID pools
//! filling up, VM faults with seL4's message and a pager that maps on
//! demand.
#![no_std]
#![no_main]

extern crate sel4_rt;

mod asids;
mod common;
mod errors;
mod faults;
mod lifecycle;
mod maps;

use kernel_vm::env::Env;
use sel4::BootInfo;

fn main(bi: &'static BootInfo) -> ! {
    let mut suite = guest_test::Suite::new("kernel-vm");
    match Env::new(bi) {
        Ok(env) => {
            maps::run(&env, &mut suite);
            errors::run(&env, &mut suite);
            asids::run(&env, &mut suite);
            lifecycle::run(&env, &mut suite);
            faults::run(&env, &mut suite);
        }
        Err(e) => suite.run("environment", || Err(e)),
    }
    suite.finish()
}
sel4_rt::root_task!(main);
