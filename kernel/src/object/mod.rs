//! Kernel objects as they sit in retyped memory: TCBs, CNodes (capability
//! slots) and paging structures. Object pointers in capabilities are
//! physical addresses; these modules turn them into typed references.

pub mod cnode;
pub mod tcb;
pub mod vspace;
