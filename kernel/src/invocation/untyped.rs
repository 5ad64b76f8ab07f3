//! Untyped_Retype (seL4 src/object/untyped.c): carves new objects from an
//! untyped's free space into empty slots of a CNode, as children of the
//! untyped in the derivation tree. An untyped with no children is reset
//! (its free index back to 0) before it is used again.

use super::{ensure_empty, lookup_slot, Invocation, Outcome, Result, SyscallError};
use crate::object::{self, cnode};
use kernel_core::cap::Cap;
use kernel_core::untyped::{object_size_bits, object_type, retype_plan, ObjectSizeError};
use sel4_abi::invocation::{untyped_retype as a, InvocationLabel};
use sel4_abi::{MAX_UNTYPED_BITS, MIN_UNTYPED_BITS, RETYPE_FAN_OUT_LIMIT};

pub fn decode(inv: &mut Invocation) -> Result {
    if inv.label() != Some(InvocationLabel::UntypedRetype) {
        return Err(SyscallError::IllegalOperation.into());
    }
    inv.need(a::LENGTH, a::EXTRA_CAPS)?;
    let ty = inv.arg(a::TYPE);
    let user_size = inv.arg(a::SIZE_BITS);
    let node_index = inv.arg(a::NODE_INDEX);
    let node_depth = inv.arg(a::NODE_DEPTH);
    let node_offset = inv.arg(a::NODE_OFFSET);
    let node_window = inv.arg(a::NUM_OBJECTS);
    let root = inv.extra_cap(0).unwrap().cap;

    let obj_bits = match object_size_bits(ty, user_size) {
        Ok(b) => b,
        Err(ObjectSizeError::InvalidType) => return Err(SyscallError::InvalidArgument(0).into()),
        Err(ObjectSizeError::TooLarge) => return Err(SyscallError::RangeError(0, MAX_UNTYPED_BITS as u64).into()),
        Err(_) => return Err(SyscallError::InvalidArgument(1).into()),
    };
    if ty == object_type::CAP_TABLE && user_size == 0 {
        return Err(SyscallError::InvalidArgument(1).into());
    }
    if ty == object_type::UNTYPED && user_size < MIN_UNTYPED_BITS as u64 {
        return Err(SyscallError::InvalidArgument(1).into());
    }

    let dest_cnode = if node_depth == 0 {
        root
    } else {
        cnode::cap_at(lookup_slot(root, node_index, node_depth, false)?)
    };
    let Cap::CNode { ptr, radix, .. } = dest_cnode else {
        return Err(SyscallError::FailedLookup {
            source: false,
            lf: kernel_core::cspace::LookupFailure::MissingCapability { bits_left: node_depth },
        }
        .into());
    };
    let node_size = 1u64 << radix;
    if node_offset > node_size - 1 {
        return Err(SyscallError::RangeError(0, node_size - 1).into());
    }
    if node_window < 1 || node_window > RETYPE_FAN_OUT_LIMIT as u64 {
        return Err(SyscallError::RangeError(1, RETYPE_FAN_OUT_LIMIT as u64).into());
    }
    if node_window > node_size - node_offset {
        return Err(SyscallError::RangeError(1, node_size - node_offset).into());
    }
    for i in node_offset..node_offset + node_window {
        ensure_empty(ptr + i * 32)?;
    }

    let Cap::Untyped { paddr, size_bits, is_device, free_index } = inv.cap else { unreachable!() };
    let no_children = !cnode::has_children(inv.slot);
    let plan = retype_plan(paddr, size_bits, free_index, obj_bits, node_window, no_children)
        .map_err(|e| SyscallError::NotEnoughMemory(e.bytes_free))?;
    if is_device && !object_type::is_frame(ty) && ty != object_type::UNTYPED {
        return Err(SyscallError::InvalidArgument(1).into());
    }

    // invokeUntyped_Retype.
    cnode::slot_at(inv.slot).cap =
        Cap::Untyped { paddr, size_bits, is_device, free_index: plan.new_free_index }.encode();
    for i in 0..node_window {
        let obj = plan.first_object + (i << obj_bits);
        let cap = object::create(ty, obj, obj_bits, user_size, is_device);
        // seL4 insertNewCap: a new object's cap is an original (revocable,
        // first-badged) child of the untyped, so copies of it are its children.
        kernel_core::mdb::insert_new(&mut cnode::PhysSlots, cap, inv.slot, ptr + (node_offset + i) * 32);
    }
    Ok(Outcome::Reply([0; 4], 0))
}
