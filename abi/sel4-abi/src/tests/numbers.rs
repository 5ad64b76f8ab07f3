//! Every ABI number checked by value against the reference doc (§1, §4-§9)
//! and the seL4 headers, and every `TryFrom` round-tripped.

use crate::fault::{cap_fault, unknown_syscall, user_exception, vm_fault};
use crate::invocation::{self as inv, InvocationLabel as L};
use crate::lookup::{cap_data_guard, cap_data_guard_size, cnode_cap_data};
use crate::object::{ObjectType as O, NUM_OBJECT_TYPES};
use crate::*;
use core::convert::TryFrom;

/// Checks that `ALL` round-trips through `TryFrom` and that every other value
/// in a window around it (and the extremes) is rejected.
macro_rules! check_try_from {
    ($ty:ty, $repr:ty, $lo:expr, $hi:expr) => {{
        for &v in <$ty>::ALL {
            let raw: $repr = v.into();
            assert_eq!(<$ty>::try_from(raw), Ok(v));
            assert_eq!(raw, v as $repr);
        }
        let mut accepted = 0usize;
        for raw in ($lo)..=($hi) {
            match <$ty>::try_from(raw) {
                Ok(v) => {
                    accepted += 1;
                    assert_eq!(v as $repr, raw);
                }
                Err(e) => assert_eq!(e, raw),
            }
        }
        assert_eq!(accepted, <$ty>::ALL.len());
        assert!(<$ty>::try_from(<$repr>::MAX).is_err());
    }};
}

#[test]
fn syscall_numbers() {
    use Syscall::*;
    let expected: [(Syscall, isize); 30] = [
        (Call, -1),
        (ReplyRecv, -2),
        (Send, -3),
        (NBSend, -4),
        (Recv, -5),
        (Reply, -6),
        (Yield, -7),
        (NBRecv, -8),
        (DebugPutChar, -9),
        (DebugDumpScheduler, -10),
        (DebugHalt, -11),
        (DebugCapIdentify, -12),
        (DebugSnapshot, -13),
        (DebugNameThread, -14),
        (DebugSendIPI, -15),
        (DebugGetThreadAffinity, -16),
        (DebugRun, -17),
        (BenchmarkFlushCaches, -18),
        (BenchmarkResetLog, -19),
        (BenchmarkFinalizeLog, -20),
        (BenchmarkSetLogBuffer, -21),
        (BenchmarkNullSyscall, -22),
        (BenchmarkGetThreadUtilisation, -23),
        (BenchmarkResetThreadUtilisation, -24),
        (BenchmarkDumpAllThreadsUtilisation, -25),
        (BenchmarkResetAllThreadsUtilisation, -26),
        (X86DangerousWRMSR, -27),
        (X86DangerousRDMSR, -28),
        (VMEnter, -29),
        (SetTLSBase, -30),
    ];
    assert_eq!(Syscall::ALL.len(), 30);
    for (i, &(s, n)) in expected.iter().enumerate() {
        assert_eq!(s.number(), n);
        assert_eq!(Syscall::ALL[i], s);
        assert_eq!(Syscall::try_from(n), Ok(s));
        assert_eq!(Syscall::from_register(n as i64 as u64), Some(s));
        assert_eq!(s.register_value(), n as i64 as u64);
        assert_eq!(Syscall::is_api(n), (-8..=-1).contains(&n));
    }
    assert_eq!(Syscall::try_from(-31), Err(-31));
    assert_eq!(Syscall::try_from(0), Err(0));
    assert_eq!(Syscall::from_register(0xFFFF_FFFF_FFFF_FFE1), None); // -31
    assert_eq!(Syscall::from_register(1), None);
    // A zero-extended 32-bit -1 is not -1.
    assert_eq!(Syscall::from_register(0xFFFF_FFFF), None);
    assert!(!is_api(0) && !is_api(-9) && is_api(-1) && is_api(-8));
    check_try_from!(Syscall, isize, -40isize, 10isize);
    assert!(Syscall::try_from(isize::MIN).is_err());
}

#[test]
fn syscalls_served_by_triton() {
    use Syscall::*;
    let served = [
        Call,
        ReplyRecv,
        Send,
        NBSend,
        Recv,
        Reply,
        Yield,
        NBRecv,
        DebugPutChar,
        DebugDumpScheduler,
        DebugHalt,
        DebugCapIdentify,
        DebugSnapshot,
        DebugNameThread,
        SetTLSBase,
    ];
    for &s in Syscall::ALL {
        assert_eq!(s.is_served(), served.contains(&s), "{s:?}");
    }
}

#[test]
fn invocation_label_numbers() {
    let expected: [(L, u64); 53] = [
        (L::InvalidInvocation, 0),
        (L::UntypedRetype, 1),
        (L::TCBReadRegisters, 2),
        (L::TCBWriteRegisters, 3),
        (L::TCBCopyRegisters, 4),
        (L::TCBConfigure, 5),
        (L::TCBSetPriority, 6),
        (L::TCBSetMCPriority, 7),
        (L::TCBSetSchedParams, 8),
        (L::TCBSetIPCBuffer, 9),
        (L::TCBSetSpace, 10),
        (L::TCBSuspend, 11),
        (L::TCBResume, 12),
        (L::TCBBindNotification, 13),
        (L::TCBUnbindNotification, 14),
        (L::TCBSetTLSBase, 15),
        (L::TCBSetFlags, 16),
        (L::CNodeRevoke, 17),
        (L::CNodeDelete, 18),
        (L::CNodeCancelBadgedSends, 19),
        (L::CNodeCopy, 20),
        (L::CNodeMint, 21),
        (L::CNodeMove, 22),
        (L::CNodeMutate, 23),
        (L::CNodeRotate, 24),
        (L::CNodeSaveCaller, 25),
        (L::IRQIssueIRQHandler, 26),
        (L::IRQAckIRQ, 27),
        (L::IRQSetIRQHandler, 28),
        (L::IRQClearIRQHandler, 29),
        (L::DomainSetSet, 30),
        (L::DomainScheduleConfigure, 31),
        (L::DomainScheduleSetStart, 32),
        (L::X86PDPTMap, 33),
        (L::X86PDPTUnmap, 34),
        (L::X86PageDirectoryMap, 35),
        (L::X86PageDirectoryUnmap, 36),
        (L::X86PageTableMap, 37),
        (L::X86PageTableUnmap, 38),
        (L::X86PageMap, 39),
        (L::X86PageUnmap, 40),
        (L::X86PageGetAddress, 41),
        (L::X86ASIDControlMakePool, 42),
        (L::X86ASIDPoolAssign, 43),
        (L::X86IOPortControlIssue, 44),
        (L::X86IOPortIn8, 45),
        (L::X86IOPortIn16, 46),
        (L::X86IOPortIn32, 47),
        (L::X86IOPortOut8, 48),
        (L::X86IOPortOut16, 49),
        (L::X86IOPortOut32, 50),
        (L::X86IRQIssueIRQHandlerIOAPIC, 51),
        (L::X86IRQIssueIRQHandlerMSI, 52),
    ];
    assert_eq!(NUM_LABELS, 53);
    assert_eq!(L::ALL.len(), NUM_LABELS);
    for (i, &(l, n)) in expected.iter().enumerate() {
        assert_eq!(l as u64, n);
        assert_eq!(n, i as u64);
        assert_eq!(L::ALL[i], l);
        assert_eq!(L::try_from(n), Ok(l));
    }
    assert_eq!(L::try_from(53), Err(53));
    check_try_from!(L, u64, 0u64, 100u64);
}

/// Each layout module agrees with the label-indexed tables, and the lengths
/// and cap counts match the kernel decoders' truncation checks (doc §7.3).
#[test]
fn invocation_layouts() {
    macro_rules! m {
        ($m:ident, $len:expr, $caps:expr) => {{
            assert_eq!(inv::$m::LENGTH, $len, stringify!($m));
            assert_eq!(inv::$m::EXTRA_CAPS, $caps, stringify!($m));
            assert_eq!(inv::$m::LABEL.length(), $len, stringify!($m));
            assert_eq!(inv::$m::LABEL.extra_caps(), $caps, stringify!($m));
            assert!(inv::$m::EXTRA_CAPS <= MSG_MAX_EXTRA_CAPS);
            inv::$m::LABEL
        }};
    }
    let covered = [
        m!(untyped_retype, 6, 1),
        m!(tcb_read_registers, 2, 0),
        m!(tcb_write_registers, 2, 0),
        m!(tcb_copy_registers, 1, 1),
        m!(tcb_configure, 4, 3),
        m!(tcb_set_priority, 1, 1),
        m!(tcb_set_mc_priority, 1, 1),
        m!(tcb_set_sched_params, 2, 1),
        m!(tcb_set_ipc_buffer, 1, 1),
        m!(tcb_set_space, 3, 2),
        m!(tcb_suspend, 0, 0),
        m!(tcb_resume, 0, 0),
        m!(tcb_bind_notification, 0, 1),
        m!(tcb_unbind_notification, 0, 0),
        m!(tcb_set_tls_base, 1, 0),
        m!(tcb_set_flags, 2, 0),
        m!(cnode_revoke, 2, 0),
        m!(cnode_delete, 2, 0),
        m!(cnode_cancel_badged_sends, 2, 0),
        m!(cnode_copy, 5, 1),
        m!(cnode_mint, 6, 1),
        m!(cnode_move, 4, 1),
        m!(cnode_mutate, 5, 1),
        m!(cnode_rotate, 8, 2),
        m!(cnode_save_caller, 2, 0),
        m!(irq_issue_irq_handler, 3, 1),
        m!(irq_ack_irq, 0, 0),
        m!(irq_set_irq_handler, 0, 1),
        m!(irq_clear_irq_handler, 0, 0),
        m!(domain_set_set, 1, 1),
        m!(domain_schedule_configure, 3, 0),
        m!(domain_schedule_set_start, 1, 0),
        m!(x86_pdpt_map, 2, 1),
        m!(x86_pdpt_unmap, 0, 0),
        m!(x86_page_directory_map, 2, 1),
        m!(x86_page_directory_unmap, 0, 0),
        m!(x86_page_table_map, 2, 1),
        m!(x86_page_table_unmap, 0, 0),
        m!(x86_page_map, 3, 1),
        m!(x86_page_unmap, 0, 0),
        m!(x86_page_get_address, 0, 0),
        m!(x86_asid_control_make_pool, 2, 2),
        m!(x86_asid_pool_assign, 0, 1),
        m!(x86_io_port_control_issue, 4, 1),
        m!(x86_io_port_in8, 1, 0),
        m!(x86_io_port_in16, 1, 0),
        m!(x86_io_port_in32, 1, 0),
        m!(x86_io_port_out8, 2, 0),
        m!(x86_io_port_out16, 2, 0),
        m!(x86_io_port_out32, 2, 0),
        m!(x86_irq_issue_irq_handler_ioapic, 7, 1),
        m!(x86_irq_issue_irq_handler_msi, 7, 1),
    ];
    // Every label except InvalidInvocation has exactly one module.
    for &l in L::ALL {
        let n = covered.iter().filter(|&&c| c == l).count();
        assert_eq!(n, usize::from(l != L::InvalidInvocation), "{l:?}");
    }

    // MR positions (doc §7.3 and the stub packing rule).
    assert_eq!(
        [
            inv::retype::TYPE,
            inv::retype::SIZE_BITS,
            inv::retype::NODE_INDEX,
            inv::retype::NODE_DEPTH,
            inv::retype::NODE_OFFSET,
            inv::retype::NUM_OBJECTS
        ],
        [0, 1, 2, 3, 4, 5]
    );
    assert_eq!(inv::retype::CAP_ROOT, 0);
    assert_eq!(
        (
            inv::tcb_read_registers::FLAGS,
            inv::tcb_read_registers::COUNT
        ),
        (0, 1)
    );
    assert_eq!(inv::tcb_write_registers::REGS, 2);
    assert_eq!(
        [
            inv::tcb_configure::FAULT_EP,
            inv::tcb_configure::CSPACE_ROOT_DATA,
            inv::tcb_configure::VSPACE_ROOT_DATA,
            inv::tcb_configure::BUFFER
        ],
        [0, 1, 2, 3]
    );
    assert_eq!(
        [
            inv::tcb_configure::CAP_CSPACE_ROOT,
            inv::tcb_configure::CAP_VSPACE_ROOT,
            inv::tcb_configure::CAP_BUFFER_FRAME
        ],
        [0, 1, 2]
    );
    assert_eq!(
        (
            inv::tcb_set_sched_params::MCP,
            inv::tcb_set_sched_params::PRIORITY
        ),
        (0, 1)
    );
    assert_eq!((inv::tcb_set_flags::CLEAR, inv::tcb_set_flags::SET), (0, 1));
    assert_eq!(
        [
            inv::cnode_mint::DEST_INDEX,
            inv::cnode_mint::DEST_DEPTH,
            inv::cnode_mint::SRC_INDEX,
            inv::cnode_mint::SRC_DEPTH,
            inv::cnode_mint::RIGHTS,
            inv::cnode_mint::BADGE
        ],
        [0, 1, 2, 3, 4, 5]
    );
    assert_eq!(inv::cnode_mutate::BADGE, 4);
    assert_eq!(
        [
            inv::cnode_rotate::DEST_INDEX,
            inv::cnode_rotate::DEST_DEPTH,
            inv::cnode_rotate::DEST_BADGE,
            inv::cnode_rotate::PIVOT_INDEX,
            inv::cnode_rotate::PIVOT_DEPTH,
            inv::cnode_rotate::PIVOT_BADGE,
            inv::cnode_rotate::SRC_INDEX,
            inv::cnode_rotate::SRC_DEPTH
        ],
        [0, 1, 2, 3, 4, 5, 6, 7]
    );
    assert_eq!(
        (
            inv::cnode_rotate::CAP_PIVOT_ROOT,
            inv::cnode_rotate::CAP_SRC_ROOT
        ),
        (0, 1)
    );
    assert_eq!(
        [
            inv::irq_issue_irq_handler::IRQ,
            inv::irq_issue_irq_handler::INDEX,
            inv::irq_issue_irq_handler::DEPTH
        ],
        [0, 1, 2]
    );
    assert_eq!(
        [
            inv::x86_page_map::VADDR,
            inv::x86_page_map::RIGHTS,
            inv::x86_page_map::ATTR
        ],
        [0, 1, 2]
    );
    assert_eq!(
        [
            inv::x86_asid_control_make_pool::CAP_UNTYPED,
            inv::x86_asid_control_make_pool::CAP_ROOT
        ],
        [0, 1]
    );
    assert_eq!(
        [
            inv::x86_io_port_control_issue::FIRST_PORT,
            inv::x86_io_port_control_issue::LAST_PORT,
            inv::x86_io_port_control_issue::INDEX,
            inv::x86_io_port_control_issue::DEPTH
        ],
        [0, 1, 2, 3]
    );
    assert_eq!(
        [
            inv::x86_irq_issue_irq_handler_ioapic::INDEX,
            inv::x86_irq_issue_irq_handler_ioapic::DEPTH,
            inv::x86_irq_issue_irq_handler_ioapic::IOAPIC,
            inv::x86_irq_issue_irq_handler_ioapic::PIN,
            inv::x86_irq_issue_irq_handler_ioapic::LEVEL,
            inv::x86_irq_issue_irq_handler_ioapic::POLARITY,
            inv::x86_irq_issue_irq_handler_ioapic::VECTOR
        ],
        [0, 1, 2, 3, 4, 5, 6]
    );
    assert_eq!(
        [
            inv::x86_irq_issue_irq_handler_msi::PCI_BUS,
            inv::x86_irq_issue_irq_handler_msi::PCI_DEV,
            inv::x86_irq_issue_irq_handler_msi::PCI_FUNC,
            inv::x86_irq_issue_irq_handler_msi::HANDLE,
            inv::x86_irq_issue_irq_handler_msi::VECTOR
        ],
        [2, 3, 4, 5, 6]
    );
    assert_eq!(inv::domain_schedule_configure::DURATION, 2);

    // Flag-word packing.
    assert_eq!(inv::register_flags::pack(true, 0xAB), 0xAB01);
    assert_eq!(inv::register_flags::arch_flags(0xAB01), 0xAB);
    assert_eq!(
        inv::copy_registers_flags::pack(true, false, true, true, 0),
        0b1101
    );
    assert_eq!(
        inv::copy_registers_flags::pack(false, true, false, false, 1),
        0x102
    );
    assert_eq!(inv::tcb_flag::FPU_DISABLED, 1);

    // pc99 vector arithmetic (include/plat/pc99/plat/machine.h).
    assert_eq!(inv::x86_irq::USER_VECTOR_MAX, 107);
    assert_eq!(inv::x86_irq::irq_for_vector(0), 16);
    assert_eq!(inv::x86_irq::cpu_vector_for_vector(0), 48);
    assert_eq!(inv::x86_irq::cpu_vector_for_vector(107), 155);
}

#[test]
fn error_numbers() {
    let expected = [
        (Error::NoError, 0),
        (Error::InvalidArgument, 1),
        (Error::InvalidCapability, 2),
        (Error::IllegalOperation, 3),
        (Error::RangeError, 4),
        (Error::AlignmentError, 5),
        (Error::FailedLookup, 6),
        (Error::TruncatedMessage, 7),
        (Error::DeleteFirst, 8),
        (Error::RevokeFirst, 9),
        (Error::NotEnoughMemory, 10),
    ];
    assert_eq!(NUM_ERRORS, 11);
    assert_eq!(Error::ALL.len(), NUM_ERRORS);
    for &(e, n) in &expected {
        assert_eq!(e as u64, n);
        assert_eq!(Error::try_from(n), Ok(e));
    }
    assert_eq!(Error::try_from(11), Err(11));
    check_try_from!(Error, u64, 0u64, 64u64);
    assert_eq!(Error::RangeError.detail_mrs(), 2);
    assert_eq!(Error::InvalidArgument.detail_mrs(), 1);
    assert_eq!(Error::IllegalOperation.detail_mrs(), 0);
    assert_eq!(error::mr::RANGE_MAX, 1);
}

#[test]
fn object_types_and_sizes() {
    let expected: [(O, u64, Option<usize>); 12] = [
        (O::Untyped, 0, Some(20)),
        (O::TCB, 1, Some(11)),
        (O::Endpoint, 2, Some(4)),
        (O::Notification, 3, Some(5)),
        (O::CapTable, 4, Some(25)),
        (O::PDPT, 5, Some(12)),
        (O::PML4, 6, Some(12)),
        (O::HugePage, 7, Some(30)),
        (O::SmallPage, 8, Some(12)),
        (O::LargePage, 9, Some(21)),
        (O::PageTable, 10, Some(12)),
        (O::PageDirectory, 11, Some(12)),
    ];
    assert_eq!(O::ALL.len() as u64, NUM_OBJECT_TYPES);
    for &(t, n, size) in &expected {
        assert_eq!(t as u64, n);
        assert_eq!(O::try_from(n), Ok(t));
        assert_eq!(t.size_bits(20), size, "{t:?}");
    }
    assert_eq!(O::try_from(12), Err(12));
    assert_eq!(O::try_from(object::absent::IO_PAGE_TABLE), Err(0xFF_FFFF));
    check_try_from!(O, u64, 0u64, 40u64);

    assert_eq!(O::CapTable.size_bits(0), None);
    assert_eq!(O::CapTable.size_bits(1), Some(6));
    assert_eq!(O::CapTable.size_bits(usize::MAX), None);
    assert_eq!(O::Untyped.size_bits(4), Some(4));
    assert_eq!(O::TCB.size_bits(0), Some(TCB_BITS));
    let frames: [O; 3] = [O::SmallPage, O::LargePage, O::HugePage];
    for &t in O::ALL {
        assert_eq!(t.is_frame(), frames.contains(&t));
        assert_eq!(
            t.allowed_from_device(),
            frames.contains(&t) || t == O::Untyped
        );
    }
    assert!(O::PML4.is_paging_structure() && !O::SmallPage.is_paging_structure());
    assert_eq!(object::ASID_POOL_SIZE_BITS, 12);
    assert_eq!(object::ASID_POOL_ENTRIES, 512);
    assert_eq!(object::NUM_ASID_POOLS, 8);
}

#[test]
fn constants() {
    assert_eq!(WORD_BITS, 64);
    assert_eq!(SLOT_BITS, 5);
    assert_eq!(GUARD_BITS, 58);
    assert_eq!(GUARD_SIZE_BITS, 6);
    assert_eq!(BADGE_BITS, 64);
    assert_eq!(PAGE_BITS, 12);
    assert_eq!(LARGE_PAGE_BITS, 21);
    assert_eq!(HUGE_PAGE_BITS, 30);
    assert_eq!(PAGE_TABLE_BITS, 12);
    assert_eq!(PAGE_DIR_BITS, 12);
    assert_eq!(PDPT_BITS, 12);
    assert_eq!(PML4_BITS, 12);
    assert_eq!(VSPACE_BITS, PML4_BITS);
    assert_eq!(PAGING_ENTRY_BITS + PAGING_INDEX_BITS, PAGE_TABLE_BITS);
    assert_eq!(TCB_BITS, 11);
    assert_eq!(ENDPOINT_BITS, 4);
    assert_eq!(NOTIFICATION_BITS, 5);
    assert_eq!(ASID_POOL_BITS, 12);
    assert_eq!(ASID_POOL_INDEX_BITS, 9);
    assert_eq!(WORD_SIZE_BITS + ASID_POOL_INDEX_BITS, ASID_POOL_BITS);
    assert_eq!(NUM_ASID_POOL_BITS, 3);
    assert_eq!(IPC_BUFFER_SIZE_BITS, 10);
    assert_eq!(MIN_UNTYPED_BITS, 4);
    assert_eq!(MAX_UNTYPED_BITS, 47);
    assert_eq!(MSG_LENGTH_BITS, 7);
    assert_eq!(MSG_MAX_LENGTH, 120);
    assert_eq!(MSG_EXTRA_CAP_BITS, 2);
    assert_eq!(MSG_MAX_EXTRA_CAPS, 3);
    assert_eq!(FAST_MESSAGE_REGISTERS, 4);
    assert_eq!(RETYPE_FAN_OUT_LIMIT, 256);
    assert_eq!(NUM_PRIORITIES, 256);
    assert_eq!(MAX_PRIO, 255);
    assert_eq!(ROOT_CNODE_SIZE_BITS, 13);
    assert_eq!(ROOT_CNODE_GUARD_SIZE, 51);
    assert_eq!(MAX_BOOTINFO_UNTYPED_CAPS, 230);
    assert_eq!(BOOTINFO_FRAME_BITS, 12);
    assert_eq!(USER_TOP, 0x7FFF_FFFF_FFFF);
    assert_eq!(USER_TOP_DEPRECATED, 0x7FFF_FFFF_F000);
    assert_eq!(USER_VSPACE_TOP, 0x7FFF_FFFF_EFFF);
    assert_eq!(CAP_RIGHTS_BITS, 4);
    assert_eq!(bootinfo::NUM_IOPT_LEVELS_NO_IOMMU, u64::MAX);
    const _: () = assert!(consts::config::SET_TLS_BASE_SELF && !consts::config::IOMMU);
}

#[test]
fn initial_cap_slots() {
    let expected = [
        cap::NULL,
        cap::INIT_THREAD_TCB,
        cap::INIT_THREAD_CNODE,
        cap::INIT_THREAD_VSPACE,
        cap::IRQ_CONTROL,
        cap::ASID_CONTROL,
        cap::INIT_THREAD_ASID_POOL,
        cap::IO_PORT_CONTROL,
        cap::IO_SPACE,
        cap::BOOT_INFO_FRAME,
        cap::INIT_THREAD_IPC_BUFFER,
        cap::DOMAIN,
        cap::SMMU_SID_CONTROL,
        cap::SMMU_CB_CONTROL,
        cap::INIT_THREAD_SC,
        cap::SMC,
        cap::NUM_INITIAL_CAPS,
    ];
    for (i, &slot) in expected.iter().enumerate() {
        assert_eq!(slot, i as u64);
    }
    assert_eq!(cap::INIT_THREAD_PD, 3);
}

#[test]
fn cap_tags() {
    use crate::cap_tag::*;
    let generic = [
        (NULL, 0),
        (UNTYPED, 2),
        (ENDPOINT, 4),
        (NOTIFICATION, 6),
        (REPLY, 8),
        (CNODE, 10),
        (THREAD, 12),
        (IRQ_CONTROL, 14),
        (IRQ_HANDLER, 16),
        (ZOMBIE, 18),
        (DOMAIN, 20),
        (SCHED_CONTEXT, 22),
        (SCHED_CONTROL, 24),
    ];
    let arch = [
        (FRAME, 1),
        (PAGE_TABLE, 3),
        (PAGE_DIRECTORY, 5),
        (PDPT, 7),
        (PML4, 9),
        (ASID_CONTROL, 11),
        (ASID_POOL, 13),
        (IO_SPACE, 15),
        (IO_PAGE_TABLE, 17),
        (IO_PORT, 19),
        (VCPU, 21),
        (EPT_PT, 23),
        (EPT_PD, 25),
        (EPT_PDPT, 27),
        (EPT_PML4, 29),
        (IO_PORT_CONTROL, 31),
    ];
    for &(t, v) in &generic {
        assert_eq!(t, v);
        assert!(!is_arch(t));
    }
    for &(t, v) in &arch {
        assert_eq!(t, v);
        assert!(is_arch(t));
    }
    // All tags fit the 5-bit capType field.
    assert!(generic.iter().chain(arch.iter()).all(|&(t, _)| t < 32));
}

#[test]
fn faults() {
    let expected = [
        (FaultType::NullFault, 0),
        (FaultType::CapFault, 1),
        (FaultType::UnknownSyscall, 2),
        (FaultType::UserException, 3),
        (FaultType::DebugException, 4),
        (FaultType::VMFault, 5),
    ];
    for &(f, n) in &expected {
        assert_eq!(f as u64, n);
        assert_eq!(FaultType::try_from(n), Ok(f));
    }
    assert_eq!(FaultType::try_from(6), Err(6));
    check_try_from!(FaultType, u64, 0u64, 20u64);

    assert_eq!(
        [
            cap_fault::IP,
            cap_fault::ADDR,
            cap_fault::IN_RECV_PHASE,
            cap_fault::LOOKUP_FAILURE_TYPE,
            cap_fault::BITS_LEFT,
            cap_fault::DEPTH_MISMATCH_BITS_FOUND,
            cap_fault::GUARD_MISMATCH_GUARD_FOUND,
            cap_fault::GUARD_MISMATCH_BITS_FOUND
        ],
        [0, 1, 2, 3, 4, 5, 5, 6]
    );
    // The CapFault words from LOOKUP_FAILURE_TYPE are a lookup description.
    use crate::lookup::description as d;
    assert_eq!(
        cap_fault::BITS_LEFT,
        cap_fault::LOOKUP_FAILURE_TYPE + d::BITS_LEFT
    );
    assert_eq!(
        cap_fault::GUARD_MISMATCH_BITS_FOUND,
        cap_fault::LOOKUP_FAILURE_TYPE + d::GUARD_MISMATCH_BITS_FOUND
    );
    assert_eq!(
        [
            vm_fault::IP,
            vm_fault::ADDR,
            vm_fault::PREFETCH_FAULT,
            vm_fault::FSR,
            vm_fault::LENGTH
        ],
        [0, 1, 2, 3, 4]
    );
    assert_eq!((vm_fault::DATA_FAULT, vm_fault::INSTRUCTION_FAULT), (0, 1));
    assert_eq!(
        [
            user_exception::FAULT_IP,
            user_exception::SP,
            user_exception::FLAGS,
            user_exception::NUMBER,
            user_exception::CODE,
            user_exception::LENGTH
        ],
        [0, 1, 2, 3, 4, 5]
    );
    use unknown_syscall as u;
    let us = [
        u::RAX,
        u::RBX,
        u::RCX,
        u::RDX,
        u::RSI,
        u::RDI,
        u::RBP,
        u::R8,
        u::R9,
        u::R10,
        u::R11,
        u::R12,
        u::R13,
        u::R14,
        u::R15,
        u::FAULT_IP,
        u::SP,
        u::FLAGS,
        u::SYSCALL,
        u::LENGTH,
    ];
    for (i, &v) in us.iter().enumerate() {
        assert_eq!(v, i);
    }
    assert_eq!(u::REPLY_REGISTERS, 18);
    assert_eq!(user_exception::REPLY_REGISTERS, 3);
    assert_eq!(FaultType::VMFault.message_length(), Some(4));
    assert_eq!(FaultType::UnknownSyscall.message_length(), Some(19));
    assert_eq!(FaultType::UserException.message_length(), Some(5));
    assert_eq!(FaultType::CapFault.message_length(), None);
    assert_eq!((fault::INT_TRAP_MIN, fault::INT_TRAP_MAX), (158, 254));
}

#[test]
fn lookup_failures_and_cnode_data() {
    let expected = [
        (LookupFailureType::NoFailure, 0, 0),
        (LookupFailureType::InvalidRoot, 1, 1),
        (LookupFailureType::MissingCapability, 2, 2),
        (LookupFailureType::DepthMismatch, 3, 3),
        (LookupFailureType::GuardMismatch, 4, 4),
    ];
    for &(t, n, len) in &expected {
        assert_eq!(t as u64, n);
        assert_eq!(LookupFailureType::try_from(n), Ok(t));
        assert_eq!(t.description_len(), len);
    }
    check_try_from!(LookupFailureType, u64, 0u64, 16u64);

    // guardSize in bits 0-5, guard in bits 6-63.
    assert_eq!(cnode_cap_data(0, 51), 51);
    assert_eq!(cnode_cap_data(1, 0), 1 << 6);
    assert_eq!(cnode_cap_data(0x3FF_FFFF_FFFF_FFFF, 63), u64::MAX);
    // Over-wide inputs are masked.
    assert_eq!(cnode_cap_data(0, 64), 0);
    assert_eq!(cnode_cap_data(1 << 58, 0), 0);
    let mut rng = crate::tests::Rng::new(99);
    for _ in 0..10_000 {
        let g = rng.next_u64() >> 6;
        let s = rng.below(64);
        let w = cnode_cap_data(g, s);
        assert_eq!(cap_data_guard(w), g);
        assert_eq!(cap_data_guard_size(w), s);
        assert_eq!(cnode_cap_data(cap_data_guard(w), cap_data_guard_size(w)), w);
    }
}

#[test]
fn vm_attributes() {
    assert_eq!(vm::WRITE_BACK, 0);
    assert_eq!(vm::WRITE_THROUGH, 1);
    assert_eq!(vm::CACHE_DISABLED, 2);
    assert_eq!(vm::UNCACHEABLE, 3);
    assert_eq!(vm::WRITE_COMBINING, 4);
    assert_eq!(vm::DEFAULT, 0);
    assert_eq!(vm::UNCACHEABLE, vm::PWT_BIT | vm::PCD_BIT);
    assert_eq!(vm::WRITE_COMBINING, vm::PAT_BIT);
}
