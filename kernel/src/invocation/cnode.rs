//! CNode invocations (seL4 src/object/cnode.c decodeCNodeInvocation):
//! Copy, Mint, Move, Mutate, Rotate, Delete, Revoke, SaveCaller and
//! CancelBadgedSends, with seL4's checks in seL4's order.

use super::{ensure_empty, lookup_slot, Invocation, Outcome, Result, SyscallError};
use crate::ipc;
use crate::object::cnode::{self, cap_at};
use crate::object::endpoint;
use crate::object::tcb::SLOT_CALLER;
use kernel_core::cap::{mask_cap_rights, update_cap_data, Cap, Rights};
use kernel_core::cspace::LookupFailure;
use sel4_abi::invocation::InvocationLabel as L;

fn missing(source: bool, depth: u64) -> SyscallError {
    SyscallError::FailedLookup { source, lf: LookupFailure::MissingCapability { bits_left: depth } }
}

pub fn decode(inv: &mut Invocation) -> Result {
    let label = inv.label();
    let ok = matches!(
        label,
        Some(
            L::CNodeRevoke
                | L::CNodeDelete
                | L::CNodeCancelBadgedSends
                | L::CNodeCopy
                | L::CNodeMint
                | L::CNodeMove
                | L::CNodeMutate
                | L::CNodeRotate
                | L::CNodeSaveCaller
        )
    );
    if !ok {
        return Err(SyscallError::IllegalOperation.into());
    }
    inv.need(2, 0)?;
    let index = inv.arg(0);
    let depth = inv.arg(1);
    let dest = lookup_slot(inv.cap, index, depth, false)?;

    match label.unwrap() {
        l @ (L::CNodeCopy | L::CNodeMint | L::CNodeMove | L::CNodeMutate) => {
            inv.need(4, 1)?;
            let src_index = inv.arg(2);
            let src_depth = inv.arg(3);
            let src_root = inv.extra_cap(0).unwrap().cap;
            ensure_empty(dest)?;
            let src = lookup_slot(src_root, src_index, src_depth, true)?;
            let src_cap = cap_at(src);
            if src_cap.is_null() {
                return Err(missing(true, src_depth).into());
            }
            let (new_cap, is_move) = match l {
                L::CNodeCopy => {
                    inv.need(5, 1)?;
                    let masked = mask_cap_rights(Rights::from_word(inv.arg(4)), &src_cap);
                    (ipc::derive(src, &masked).map_err(SyscallError::from_error)?, false)
                }
                L::CNodeMint => {
                    inv.need(6, 1)?;
                    let masked = mask_cap_rights(Rights::from_word(inv.arg(4)), &src_cap);
                    let updated = update_cap_data(false, inv.arg(5), &masked);
                    (ipc::derive(src, &updated).map_err(SyscallError::from_error)?, false)
                }
                L::CNodeMove => (src_cap, true),
                _ => {
                    inv.need(5, 1)?;
                    (update_cap_data(true, inv.arg(4), &src_cap), true)
                }
            };
            if new_cap.is_null() {
                return Err(SyscallError::IllegalOperation.into());
            }
            if is_move {
                cnode::cte_move(new_cap, src, dest);
            } else {
                cnode::cte_insert(new_cap, src, dest);
            }
        }
        L::CNodeRevoke => cnode::cte_revoke(dest),
        L::CNodeDelete => cnode::cte_delete(dest),
        L::CNodeSaveCaller => {
            ensure_empty(dest)?;
            let caller_slot = inv.caller.object() + SLOT_CALLER * 32;
            if let Cap::Reply { .. } = cap_at(caller_slot) {
                cnode::cte_move(cap_at(caller_slot), caller_slot, dest);
            }
        }
        L::CNodeCancelBadgedSends => {
            let c = cap_at(dest);
            if !kernel_core::cap::has_cancel_send_rights(&c) {
                return Err(SyscallError::IllegalOperation.into());
            }
            if let Cap::Endpoint { ptr, badge, .. } = c {
                if badge != 0 {
                    endpoint::cancel_badged_sends(ptr, badge);
                }
            }
        }
        L::CNodeRotate => {
            inv.need(8, 2)?;
            let pivot_data = inv.arg(2);
            let pivot_index = inv.arg(3);
            let pivot_depth = inv.arg(4);
            let src_data = inv.arg(5);
            let src_index = inv.arg(6);
            let src_depth = inv.arg(7);
            let pivot_root = inv.extra_cap(0).unwrap().cap;
            let src_root = inv.extra_cap(1).unwrap().cap;
            let src = lookup_slot(src_root, src_index, src_depth, true)?;
            let pivot = lookup_slot(pivot_root, pivot_index, pivot_depth, true)?;
            if pivot == src || pivot == dest {
                return Err(SyscallError::IllegalOperation.into());
            }
            if src != dest {
                ensure_empty(dest)?;
            }
            if cap_at(src).is_null() {
                return Err(missing(true, src_depth).into());
            }
            if cap_at(pivot).is_null() {
                return Err(missing(false, pivot_depth).into());
            }
            let new_src = update_cap_data(true, src_data, &cap_at(src));
            let new_pivot = update_cap_data(true, pivot_data, &cap_at(pivot));
            if new_src.is_null() || new_pivot.is_null() {
                return Err(SyscallError::IllegalOperation.into());
            }
            if src == dest {
                cnode::cte_swap(new_src, src, new_pivot, pivot);
            } else {
                cnode::cte_move(new_pivot, pivot, dest);
                cnode::cte_move(new_src, src, pivot);
            }
        }
        _ => return Err(SyscallError::IllegalOperation.into()),
    }
    Ok(Outcome::Reply([0; 4], 0))
}
