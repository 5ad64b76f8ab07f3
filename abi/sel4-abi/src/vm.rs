//! x86 mapping attributes, `seL4_X86_VMAttributes`
//! (libsel4/arch_include/x86/sel4/arch/types.h). The kernel reads the word as
//! its `vm_attributes` block (include/arch/x86/arch/64/mode/object/structures.bf):
//! bit 0 PWT, bit 1 PCD, bit 2 PAT, copied into the page-table entry.

/// `seL4_X86_WriteBack`.
pub const WRITE_BACK: u64 = 0;
/// `seL4_X86_WriteThrough` (PWT).
pub const WRITE_THROUGH: u64 = 1;
/// `seL4_X86_CacheDisabled` (PCD).
pub const CACHE_DISABLED: u64 = 2;
/// `seL4_X86_Uncacheable` (PWT | PCD).
pub const UNCACHEABLE: u64 = 3;
/// `seL4_X86_WriteCombining` (PAT).
pub const WRITE_COMBINING: u64 = 4;
/// `seL4_X86_Default_VMAttributes`.
pub const DEFAULT: u64 = WRITE_BACK;

/// PWT bit of the attribute word.
pub const PWT_BIT: u64 = 1 << 0;
/// PCD bit of the attribute word.
pub const PCD_BIT: u64 = 1 << 1;
/// PAT bit of the attribute word.
pub const PAT_BIT: u64 = 1 << 2;
/// Triton extension: map the frame no-execute (the x86 XD bit). seL4
/// ignores attribute bits above PAT, so programs built for seL4 never set
/// it and see seL4's behaviour; the NT memory manager uses it for the
/// PAGE_* protections without execute.
pub const NO_EXECUTE_BIT: u64 = 1 << 3;
