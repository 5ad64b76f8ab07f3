//! The IRQ and I/O-port suite (`kernel-irq`): a root task that checks the
//! kernel's seL4 x86 behaviour for IOPortControl/IOPort, IRQControl
//! (GetIOAPIC, GetMSI, the PIC-only Get) and IRQHandler, every decode error
//! in seL4's order, and real interrupts from a real device: the CMOS RTC's
//! periodic interrupt (ISA IRQ 8, IOAPIC pin 8) delivered on notifications,
//! masked until Ack, on a storm and while the CPU idles. Plus the extra
//! BootInfo records T3 adds (the ACPI RSDP, before the memory map).
#![no_std]
#![no_main]

extern crate sel4_rt;

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use guest_test::{check, check_eq, expect_err, ok, Suite, TestResult};
use kernel_irq::*;
use sel4::abi::invocation::InvocationLabel as L;
use sel4::abi::{bootinfo_id, cap, cap_tag};
use sel4::{BootInfo, CPtr, CapRights, ErrorCode as E};

/// The suite's IOPort cap for the RTC (0x70..=0x71), in a fixed slot.
static RTC_CAP: AtomicU64 = AtomicU64::new(0);
/// Set once an RTC interrupt has been seen, so the blocking tests may block.
static RTC_WORKS: AtomicBool = AtomicBool::new(false);

fn rtc() -> Rtc {
    Rtc(IoPort(RTC_CAP.load(SeqCst)))
}

/// The `vector` argument the RTC tests use: IRQ 24, CPU vector 56.
const V_RTC: u64 = 8;
/// Badge of the RTC notification caps.
const BADGE: u64 = 0x40;
/// How long a test waits for an interrupt that should come (ms).
const WAIT_MS: u64 = 1000;
/// How long a test watches for an interrupt that must not come (ms); the
/// RTC runs at 1024 Hz, so dozens of periods.
const QUIET_MS: u64 = 40;

fn main(bi: &'static BootInfo) -> ! {
    let mut s = Suite::new("kernel-irq");
    let env = match Env::new(bi) {
        Ok(e) => e,
        Err(f) => {
            s.run("environment", || Err(f));
            s.finish()
        }
    };
    s.run("ioport_issue_rtc_ports", || {
        let slot = env.fixed_slot(0);
        ok!(IO_PORT_CONTROL.issue(RTC_INDEX, RTC_DATA, ROOT, slot, D));
        check_eq!(sel4::debug_cap_identify(slot), cap_tag::IO_PORT);
        RTC_CAP.store(slot, SeqCst);
        Ok(())
    });

    // Extra BootInfo.
    s.run("bootinfo_acpi_rsdp_chunk", || bootinfo_rsdp(bi));
    s.run("bootinfo_tsc_frequency", || {
        check!(tsc_mhz(bi) > 0, "no TSC frequency in the extra BootInfo");
        Ok(())
    });

    // I/O ports.
    env.test(&mut s, "ioport_issue_truncated", issue_truncated);
    env.test(&mut s, "ioport_issue_last_before_first", issue_reversed);
    env.test(&mut s, "ioport_issue_kernel_ports_refused", issue_kernel_ports);
    env.test(&mut s, "ioport_issue_overlap_revoke_first", issue_overlap);
    env.test(&mut s, "ioport_issue_destination_errors", issue_destination);
    env.test(&mut s, "ioport_delete_last_cap_frees_range", issue_delete_frees);
    env.test(&mut s, "ioport_in_out_range_checks", port_range_checks);
    env.test(&mut s, "ioport_truncated_and_illegal_labels", port_truncated);
    env.test(&mut s, "ioport_in_reply_is_label0_length1", port_reply_shape);
    env.test(&mut s, "ioport_cmos_clock_reads_and_ticks", cmos_clock);
    env.test(&mut s, "ioport_cmos_nvram_out8_in8", cmos_nvram);
    env.test(&mut s, "ioport_pci_config_in32_in16_out32", pci_config);

    // IRQ control and handler decoding.
    env.test(&mut s, "irq_control_get_is_pic_only", irq_get_pic);
    env.test(&mut s, "irq_control_unknown_labels", irq_control_labels);
    env.test(&mut s, "irq_ioapic_truncated", irq_ioapic_truncated);
    env.test(&mut s, "irq_ioapic_vector_range", irq_vector_range);
    env.test(&mut s, "irq_ioapic_pin_level_polarity_range", irq_pin_range);
    env.test(&mut s, "irq_ioapic_destination_errors", irq_destination);
    env.test(&mut s, "irq_ioapic_active_irq_revoke_first", irq_revoke_first);
    env.test(&mut s, "irq_vector_bounds_give_handlers", irq_vector_bounds);
    env.test(&mut s, "irq_msi_checks_and_handler", irq_msi);
    env.test(&mut s, "irq_handler_set_notification_checks", irq_handler_checks);
    env.test(&mut s, "irq_handler_final_delete_frees_irq", irq_final_delete);
    env.test(&mut s, "irq_revoke_control_deletes_handlers", irq_revoke_control);

    // A real device: the RTC's periodic interrupt.
    env.test(&mut s, "rtc_interrupt_signals_badge", rtc_signals);
    env.test(&mut s, "rtc_masked_until_ack", rtc_masked_until_ack);
    env.test(&mut s, "rtc_clear_and_replace_notification", rtc_clear_replace);
    env.test(&mut s, "rtc_level_triggered_redelivered_until_serviced", rtc_level);
    env.test(&mut s, "rtc_delete_handler_masks_irq", rtc_delete_handler);
    env.test(&mut s, "rtc_notification_deleted_under_irq", rtc_notification_deleted);
    env.test(&mut s, "rtc_bound_notification_wakes_receiver", rtc_bound);
    env.test(&mut s, "rtc_handler_thread_preempts_lower_priority", rtc_preempts);
    env.test(&mut s, "rtc_storm_lower_priority_thread_progresses", rtc_storm);
    env.test(&mut s, "rtc_interrupt_wakes_idle_cpu", rtc_idle);

    env.test(&mut s, "ioport_revoke_control_frees_all", ioport_revoke_control);
    s.finish()
}
sel4_rt::root_task!(main);

// ------------------------------------------------------------ BootInfo

fn bootinfo_rsdp(bi: &BootInfo) -> TestResult {
    let mut ids = [0u64; 8];
    let mut n = 0;
    let mut rsdp = None;
    for (id, payload) in extra_chunks(bi) {
        if n < ids.len() {
            ids[n] = id;
            n += 1;
        }
        if id == bootinfo_id::X86_ACPI_RSDP {
            rsdp = Some(payload);
        }
    }
    let Some(r) = rsdp else { return Err(guest_test::Failure::new(format_args!("no X86_ACPI_RSDP chunk (chunks {:?})", &ids[..n]))) };
    check_eq!(r.len(), 36);
    check!(&r[..8] == b"RSD PTR ", "bad RSDP signature");
    let sum = r[..20].iter().fold(0u8, |a, &b| a.wrapping_add(b));
    check_eq!(sum, 0);
    // seL4's order: (VBE), RSDP, (framebuffer), memory map, TSC frequency.
    check_eq!(&ids[..n], &[bootinfo_id::X86_ACPI_RSDP, bootinfo_id::X86_MBMMAP, bootinfo_id::X86_TSC_FREQ][..]);
    Ok(())
}

// ------------------------------------------------------------ I/O ports

fn issue_truncated(e: &Env) -> TestResult {
    let s = e.slot();
    let c = IO_PORT_CONTROL.0;
    expect_err!(sel4::invoke(c, L::X86IOPortControlIssue, &[0x80, 0x80, s], &[ROOT.0]), E::TruncatedMessage, []);
    expect_err!(sel4::invoke(c, L::X86IOPortControlIssue, &[0x80, 0x80, s, 64], &[]), E::TruncatedMessage, []);
    check_eq!(sel4::debug_cap_identify(s), cap_tag::NULL);
    Ok(())
}

fn issue_reversed(e: &Env) -> TestResult {
    let s = e.slot();
    expect_err!(IO_PORT_CONTROL.issue(0x81, 0x80, ROOT, s, D), E::InvalidArgument, [1]);
    // Only the low 16 bits count: 0x1_0080..0x80 is 0x80..=0x80.
    ok!(IO_PORT_CONTROL.issue(0x1_0080, 0x80, ROOT, s, D));
    check_eq!(sel4::debug_cap_identify(s), cap_tag::IO_PORT);
    // And 0x80..0x1_0070 is reversed (0x70 < 0x80).
    expect_err!(IO_PORT_CONTROL.issue(0x80, 0x1_0070, ROOT, e.slot(), D), E::InvalidArgument, [1]);
    Ok(())
}

fn issue_kernel_ports(e: &Env) -> TestResult {
    // Serial, PIT, PICs, port 0x61, the debug-exit ports, and ranges over them.
    let refused: [(u64, u64); 14] = [
        (0x3F8, 0x3F8),
        (0x3FF, 0x3FF),
        (0x40, 0x40),
        (0x43, 0x43),
        (0x20, 0x20),
        (0x21, 0x21),
        (0xA0, 0xA1),
        (0x61, 0x61),
        (0xF4, 0xF4),
        (0xF7, 0xF7),
        (0x3F0, 0x400),
        (0x00, 0x20),
        (0x60, 0x64),
        (0, 0xFFFF),
    ];
    for (f, l) in refused {
        let s = e.slot();
        if let Ok(()) = IO_PORT_CONTROL.issue(f, l, ROOT, s, D) {
            return Err(guest_test::Failure::new(format_args!("ports {f:#x}..={l:#x} were issued")));
        }
        expect_err!(IO_PORT_CONTROL.issue(f, l, ROOT, s, D), E::RevokeFirst, []);
    }
    // Their neighbours are free.
    for (f, l) in [(0x3F7, 0x3F7), (0x400, 0x400), (0x44, 0x5F), (0x22, 0x22), (0x62, 0x63), (0xF8, 0xF8), (0x9F, 0x9F)] {
        let s = e.slot();
        ok!(IO_PORT_CONTROL.issue(f, l, ROOT, s, D));
        ok!(ROOT.delete(s, D));
    }
    Ok(())
}

fn issue_overlap(e: &Env) -> TestResult {
    ok!(IO_PORT_CONTROL.issue(0x80, 0x8F, ROOT, e.slot(), D));
    for (f, l) in [(0x8F, 0x90), (0x7F, 0x80), (0x84, 0x84), (0x70, 0x100)] {
        expect_err!(IO_PORT_CONTROL.issue(f, l, ROOT, e.slot(), D), E::RevokeFirst, []);
    }
    ok!(IO_PORT_CONTROL.issue(0x90, 0x90, ROOT, e.slot(), D));
    ok!(IO_PORT_CONTROL.issue(0x7F, 0x7F, ROOT, e.slot(), D));
    // Ranges over several 64-port words of seL4's bitmap.
    ok!(IO_PORT_CONTROL.issue(0x1C1, 0x23E, ROOT, e.slot(), D));
    for p in [0x1C1, 0x1FF, 0x200, 0x23E] {
        expect_err!(IO_PORT_CONTROL.issue(p, p, ROOT, e.slot(), D), E::RevokeFirst, []);
    }
    ok!(IO_PORT_CONTROL.issue(0x1C0, 0x1C0, ROOT, e.slot(), D));
    ok!(IO_PORT_CONTROL.issue(0x23F, 0x23F, ROOT, e.slot(), D));
    // The RTC ports belong to the suite's own cap.
    expect_err!(IO_PORT_CONTROL.issue(0x71, 0x71, ROOT, e.slot(), D), E::RevokeFirst, []);
    Ok(())
}

fn issue_destination(e: &Env) -> TestResult {
    let (f, l) = (0x2E0, 0x2E7);
    // An occupied slot, a bad depth, a root that is not a CNode.
    expect_err!(IO_PORT_CONTROL.issue(f, l, ROOT, cap::INIT_THREAD_TCB, D), E::DeleteFirst, []);
    expect_err!(IO_PORT_CONTROL.issue(f, l, ROOT, e.slot(), 0), E::RangeError, [1, 64]);
    expect_err!(sel4::invoke(IO_PORT_CONTROL.0, L::X86IOPortControlIssue, &[f, l, e.slot(), 65], &[ROOT.0]), E::RangeError, [1, 64]);
    expect_err!(IO_PORT_CONTROL.issue(f, l, sel4::CNode(cap::INIT_THREAD_TCB), 0, D), E::FailedLookup, [0, 1]);
    // The overlap check comes before the destination's.
    expect_err!(IO_PORT_CONTROL.issue(0x40, 0x40, ROOT, cap::INIT_THREAD_TCB, D), E::RevokeFirst, []);
    // None of that allocated the ports.
    let s = e.slot();
    ok!(IO_PORT_CONTROL.issue(f, l, ROOT, s, D));
    check_eq!(sel4::debug_cap_identify(s), cap_tag::IO_PORT);
    Ok(())
}

fn issue_delete_frees(e: &Env) -> TestResult {
    let a = e.slot();
    ok!(IO_PORT_CONTROL.issue(0x2E8, 0x2EF, ROOT, a, D));
    let b = ok!(e.copy(a));
    check_eq!(sel4::debug_cap_identify(b), cap_tag::IO_PORT);
    // A copy works like the original.
    ok!(IoPort(b).in8(0x2E8));
    ok!(ROOT.delete(a, D));
    expect_err!(IO_PORT_CONTROL.issue(0x2E8, 0x2E8, ROOT, e.slot(), D), E::RevokeFirst, []);
    ok!(ROOT.delete(b, D));
    let c = e.slot();
    ok!(IO_PORT_CONTROL.issue(0x2E8, 0x2EF, ROOT, c, D));
    // Sub-ranges are free again after the bigger cap goes.
    ok!(ROOT.delete(c, D));
    ok!(IO_PORT_CONTROL.issue(0x2EA, 0x2EA, ROOT, e.slot(), D));
    Ok(())
}

fn port_range_checks(e: &Env) -> TestResult {
    let p = rtc().0;
    ok!(p.in8(0x71));
    ok!(p.in8(0x70));
    ok!(p.in16(0x70));
    // Only the low 16 bits of the port argument count.
    ok!(p.in8(0xABCD_0071));
    for port in [0x6F, 0x72, 0x0, 0xFFFF] {
        expect_err!(p.in8(port), E::IllegalOperation, []);
        expect_err!(p.out8(port, 0), E::IllegalOperation, []);
    }
    // Every byte of the access must be inside.
    expect_err!(p.in16(0x71), E::IllegalOperation, []);
    expect_err!(p.in32(0x70), E::IllegalOperation, []);
    expect_err!(p.out16(0x71, 0), E::IllegalOperation, []);
    expect_err!(p.out32(0x70, 0), E::IllegalOperation, []);
    expect_err!(p.in16(0x6F), E::IllegalOperation, []);
    // A cap at the top of the port space: no wrap-around.
    let top = e.slot();
    ok!(IO_PORT_CONTROL.issue(0xFFFC, 0xFFFF, ROOT, top, D));
    let t = IoPort(top);
    ok!(t.in32(0xFFFC));
    ok!(t.in8(0xFFFF));
    expect_err!(t.in16(0xFFFF), E::IllegalOperation, []);
    expect_err!(t.in32(0xFFFD), E::IllegalOperation, []);
    expect_err!(t.out32(0xFFFE, 0), E::IllegalOperation, []);
    // Out16 inside a range works (the POST-code port pair).
    let post = e.slot();
    ok!(IO_PORT_CONTROL.issue(0x80, 0x81, ROOT, post, D));
    ok!(IoPort(post).out16(0x80, 0x1234));
    Ok(())
}

fn port_truncated(_e: &Env) -> TestResult {
    let p = RTC_CAP.load(SeqCst);
    for l in [L::X86IOPortIn8, L::X86IOPortIn16, L::X86IOPortIn32] {
        expect_err!(sel4::invoke(p, l, &[], &[]), E::TruncatedMessage, []);
    }
    for l in [L::X86IOPortOut8, L::X86IOPortOut16, L::X86IOPortOut32] {
        expect_err!(sel4::invoke(p, l, &[0x70], &[]), E::TruncatedMessage, []);
    }
    // Labels that are not IOPort methods.
    expect_err!(sel4::invoke(p, L::X86IOPortControlIssue, &[0x70, 0x70, 0, 64], &[ROOT.0]), E::IllegalOperation, []);
    expect_err!(sel4::invoke(p, L::IRQAckIRQ, &[], &[]), E::IllegalOperation, []);
    expect_err!(sel4::invoke_raw(p, 9999, &[0x70], &[]), E::IllegalOperation, []);
    // And IOPortControl takes only Issue.
    expect_err!(sel4::invoke(IO_PORT_CONTROL.0, L::X86IOPortIn8, &[0x70], &[]), E::IllegalOperation, []);
    Ok(())
}

fn port_reply_shape(_e: &Env) -> TestResult {
    let p = RTC_CAP.load(SeqCst);
    ok!(rtc().0.out8(RTC_INDEX, 0x0B));
    let r = ok!(sel4::invoke(p, L::X86IOPortIn8, &[RTC_DATA], &[]));
    check_eq!(r.info.label(), 0);
    check_eq!(r.info.length(), 1);
    check_eq!(r.info.extra_caps(), 0);
    check!(r.mrs.0[0] <= 0xFF, "In8 returned {:#x}", r.mrs.0[0]);
    // Out gives an empty reply.
    let r = ok!(sel4::invoke(p, L::X86IOPortOut8, &[RTC_INDEX, 0x0B], &[]));
    check_eq!(r.info.word(), 0);
    Ok(())
}

/// Reads the RTC time of day as (hours, minutes, seconds), in binary.
fn rtc_time(r: Rtc) -> Result<(u8, u8, u8), sel4::Error> {
    // Wait out an update in progress (register A bit 7), then read.
    for _ in 0..10_000 {
        if r.read(0x0A)? & 0x80 == 0 {
            break;
        }
    }
    let binary = r.read(0x0B)? & 0x04 != 0;
    let conv = |v: u8| if binary { v } else { (v >> 4) * 10 + (v & 0xF) };
    let s = conv(r.read(0x00)?);
    let m = conv(r.read(0x02)?);
    let h = conv(r.read(0x04)? & 0x7F);
    Ok((h, m, s))
}

fn cmos_clock(_e: &Env) -> TestResult {
    let r = rtc();
    let (h, m, s) = ok!(rtc_time(r));
    check!(s < 60 && m < 60 && h < 24, "implausible time {h}:{m}:{s}");
    // The clock runs: the seconds change within 2.5 s.
    let mut changed = false;
    let end = deadline(2500);
    while rdtsc() < end {
        let (_, _, s2) = ok!(rtc_time(r));
        if s2 != s {
            changed = true;
            break;
        }
        spin_ms(5);
    }
    check!(changed, "the RTC seconds stayed at {s}");
    Ok(())
}

fn cmos_nvram(_e: &Env) -> TestResult {
    let r = rtc();
    const REG: u8 = 0x7E;
    let old = ok!(r.read(REG));
    // Out8 sends only the low byte of the data word.
    ok!(r.0.out8(RTC_INDEX, REG as u64));
    ok!(r.0.out8(RTC_DATA, 0xDEAD_BE00 | 0xA5));
    check_eq!(ok!(r.read(REG)), 0xA5);
    ok!(r.write(REG, 0x5A));
    check_eq!(ok!(r.read(REG)), 0x5A);
    ok!(r.write(REG, old));
    Ok(())
}

fn pci_config(e: &Env) -> TestResult {
    let s = e.slot();
    ok!(IO_PORT_CONTROL.issue(0xCF8, 0xCFF, ROOT, s, D));
    let p = IoPort(s);
    // Bus 0, device 0, function 0, register 0: the host bridge's IDs.
    ok!(p.out32(0xCF8, 0x8000_0000));
    check_eq!(ok!(p.in32(0xCF8)), 0x8000_0000);
    let id = ok!(p.in32(0xCFC));
    check!(id != 0xFFFF_FFFF && id != 0, "no PCI host bridge: {id:#x}");
    check_eq!(ok!(p.in16(0xCFC)), id & 0xFFFF);
    check_eq!(ok!(p.in16(0xCFE)), id >> 16);
    check_eq!(ok!(p.in8(0xCFC)), id & 0xFF);
    // Out32 sends only the low 32 bits.
    ok!(p.out32(0xCF8, 0xFFFF_FFFF_8000_0000));
    check_eq!(ok!(p.in32(0xCF8)), 0x8000_0000);
    ok!(p.out32(0xCF8, 0));
    Ok(())
}

// ------------------------------------------------------------ IRQ decoding

fn irq_get_pic(e: &Env) -> TestResult {
    let s = e.slot();
    let c = IRQ_CONTROL.0;
    expect_err!(IRQ_CONTROL.get(8, ROOT, s, D), E::IllegalOperation, []);
    expect_err!(IRQ_CONTROL.get(0, ROOT, s, D), E::IllegalOperation, []);
    // The arguments are checked first.
    expect_err!(sel4::invoke(c, L::IRQIssueIRQHandler, &[8, s], &[ROOT.0]), E::TruncatedMessage, []);
    expect_err!(sel4::invoke(c, L::IRQIssueIRQHandler, &[8, s, 64], &[]), E::TruncatedMessage, []);
    check_eq!(sel4::debug_cap_identify(s), cap_tag::NULL);
    Ok(())
}

fn irq_control_labels(_e: &Env) -> TestResult {
    let c = IRQ_CONTROL.0;
    for l in [L::IRQAckIRQ, L::IRQSetIRQHandler, L::IRQClearIRQHandler, L::X86IOPortIn8, L::CNodeCopy] {
        expect_err!(sel4::invoke(c, l, &[0; 7], &[ROOT.0]), E::IllegalOperation, []);
    }
    expect_err!(sel4::invoke_raw(c, 0, &[], &[]), E::IllegalOperation, []);
    Ok(())
}

fn ioapic_mrs(slot: u64, pin: u64, vector: u64) -> [u64; 7] {
    [slot, 64, 0, pin, 0, 0, vector]
}

fn irq_ioapic_truncated(e: &Env) -> TestResult {
    let s = e.slot();
    let c = IRQ_CONTROL.0;
    let mrs = ioapic_mrs(s, 10, 30);
    for l in [L::X86IRQIssueIRQHandlerIOAPIC, L::X86IRQIssueIRQHandlerMSI] {
        expect_err!(sel4::invoke(c, l, &mrs[..6], &[ROOT.0]), E::TruncatedMessage, []);
        expect_err!(sel4::invoke(c, l, &mrs, &[]), E::TruncatedMessage, []);
        expect_err!(sel4::invoke(c, l, &[], &[]), E::TruncatedMessage, []);
    }
    check_eq!(sel4::debug_cap_identify(s), cap_tag::NULL);
    Ok(())
}

fn irq_vector_range(e: &Env) -> TestResult {
    let s = e.slot();
    for v in [108, 109, 200, u64::MAX] {
        expect_err!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 0, 10, 0, 0, v), E::RangeError, [0, 107]);
        expect_err!(IRQ_CONTROL.get_msi(ROOT, s, D, 0, 0, 0, 0, v), E::RangeError, [0, 107]);
    }
    // The vector is checked before the pin and the destination.
    expect_err!(IRQ_CONTROL.get_ioapic(ROOT, cap::INIT_THREAD_TCB, D, 7, 99, 5, 5, 108), E::RangeError, [0, 107]);
    check_eq!(sel4::debug_cap_identify(s), cap_tag::NULL);
    Ok(())
}

fn irq_pin_range(e: &Env) -> TestResult {
    let s = e.slot();
    let v = 30;
    expect_err!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 1, 10, 0, 0, v), E::RangeError, [0, 0]);
    // QEMU's IOAPIC has 24 pins.
    expect_err!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 0, 24, 0, 0, v), E::RangeError, [0, 23]);
    expect_err!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 0, u64::MAX, 0, 0, v), E::RangeError, [0, 23]);
    expect_err!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 0, 10, 2, 0, v), E::RangeError, [0, 1]);
    expect_err!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 0, 10, 0, 2, v), E::RangeError, [0, 1]);
    check_eq!(sel4::debug_cap_identify(s), cap_tag::NULL);
    // None of that made the IRQ active: the good request works.
    ok!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 0, 23, 1, 1, v));
    check_eq!(sel4::debug_cap_identify(s), cap_tag::IRQ_HANDLER);
    Ok(())
}

fn irq_destination(e: &Env) -> TestResult {
    let v = 31;
    let c = IRQ_CONTROL.0;
    expect_err!(IRQ_CONTROL.get_ioapic(ROOT, cap::INIT_THREAD_TCB, D, 0, 10, 0, 0, v), E::DeleteFirst, []);
    expect_err!(IRQ_CONTROL.get_ioapic(ROOT, e.slot(), 0, 0, 10, 0, 0, v), E::RangeError, [1, 64]);
    expect_err!(sel4::invoke(c, L::X86IRQIssueIRQHandlerIOAPIC, &[e.slot(), 65, 0, 10, 0, 0, v], &[ROOT.0]), E::RangeError, [1, 64]);
    expect_err!(IRQ_CONTROL.get_ioapic(sel4::CNode(cap::INIT_THREAD_TCB), 0, D, 0, 10, 0, 0, v), E::FailedLookup, [0, 1]);
    expect_err!(IRQ_CONTROL.get_msi(ROOT, cap::INIT_THREAD_TCB, D, 0, 0, 0, 0, v), E::DeleteFirst, []);
    // The destination is checked before the IOAPIC arguments.
    expect_err!(IRQ_CONTROL.get_ioapic(ROOT, cap::INIT_THREAD_TCB, D, 5, 99, 0, 0, v), E::DeleteFirst, []);
    let s = e.slot();
    ok!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 0, 10, 0, 0, v));
    check_eq!(sel4::debug_cap_identify(s), cap_tag::IRQ_HANDLER);
    Ok(())
}

fn irq_revoke_first(e: &Env) -> TestResult {
    let v = 20;
    let s = e.slot();
    ok!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 0, 10, 0, 0, v));
    expect_err!(IRQ_CONTROL.get_ioapic(ROOT, e.slot(), D, 0, 11, 0, 0, v), E::RevokeFirst, []);
    expect_err!(IRQ_CONTROL.get_msi(ROOT, e.slot(), D, 0, 3, 0, 0, v), E::RevokeFirst, []);
    // Checked before the destination.
    expect_err!(IRQ_CONTROL.get_ioapic(ROOT, cap::INIT_THREAD_TCB, D, 0, 11, 0, 0, v), E::RevokeFirst, []);
    // Another vector on the same pin is a different IRQ.
    ok!(IRQ_CONTROL.get_ioapic(ROOT, e.slot(), D, 0, 10, 0, 0, v + 1));
    ok!(ROOT.delete(s, D));
    ok!(IRQ_CONTROL.get_msi(ROOT, e.slot(), D, 0, 3, 0, 0, v));
    Ok(())
}

fn irq_vector_bounds(e: &Env) -> TestResult {
    for (v, pin) in [(0, 12), (107, 13), (54, 14)] {
        let s = e.slot();
        ok!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 0, pin, 0, 0, v));
        check_eq!(sel4::debug_cap_identify(s), cap_tag::IRQ_HANDLER);
        ok!(IrqHandler(s).ack());
        ok!(ROOT.delete(s, D));
    }
    Ok(())
}

fn irq_msi(e: &Env) -> TestResult {
    let s = e.slot();
    let v = 40;
    expect_err!(IRQ_CONTROL.get_msi(ROOT, s, D, 256, 0, 0, 0, v), E::RangeError, [0, 255]);
    expect_err!(IRQ_CONTROL.get_msi(ROOT, s, D, 0, 32, 0, 0, v), E::RangeError, [0, 31]);
    expect_err!(IRQ_CONTROL.get_msi(ROOT, s, D, 0, 0, 8, 0, v), E::RangeError, [0, 7]);
    // Bus first, then device, then function.
    expect_err!(IRQ_CONTROL.get_msi(ROOT, s, D, 300, 40, 9, 0, v), E::RangeError, [0, 255]);
    expect_err!(IRQ_CONTROL.get_msi(ROOT, s, D, 0, 40, 9, 0, v), E::RangeError, [0, 31]);
    check_eq!(sel4::debug_cap_identify(s), cap_tag::NULL);
    ok!(IRQ_CONTROL.get_msi(ROOT, s, D, 255, 31, 7, 0x1234, v));
    check_eq!(sel4::debug_cap_identify(s), cap_tag::IRQ_HANDLER);
    let h = IrqHandler(s);
    let n = ok!(e.notification());
    ok!(h.set_notification(n));
    ok!(h.ack());
    ok!(h.clear());
    ok!(h.ack());
    // Nothing raises it: nothing arrives.
    check_eq!(sel4::poll(n), 0);
    Ok(())
}

fn irq_handler_checks(e: &Env) -> TestResult {
    let s = e.slot();
    ok!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 0, 15, 0, 0, 41));
    let h = IrqHandler(s);
    expect_err!(sel4::invoke(s, L::IRQSetIRQHandler, &[], &[]), E::TruncatedMessage, []);
    let ep = ok!(e.endpoint());
    expect_err!(h.set_notification(ep), E::InvalidCapability, [0]);
    expect_err!(h.set_notification(cap::INIT_THREAD_TCB), E::InvalidCapability, [0]);
    let n = ok!(e.notification());
    let read_only = ok!(e.mint(n, CapRights::READ_ONLY, 5));
    expect_err!(h.set_notification(read_only), E::InvalidCapability, [0]);
    let write_only = ok!(e.mint(n, CapRights::WRITE_ONLY, 5));
    ok!(h.set_notification(write_only));
    ok!(h.set_notification(n));
    // Labels that are not IRQHandler methods.
    for l in [L::IRQIssueIRQHandler, L::X86IRQIssueIRQHandlerIOAPIC, L::X86IOPortIn8] {
        expect_err!(sel4::invoke(s, l, &[0; 7], &[ROOT.0]), E::IllegalOperation, []);
    }
    ok!(h.clear());
    ok!(h.clear());
    ok!(h.ack());
    // The handler cap can be copied, and the copy works.
    let c = ok!(e.copy(s));
    check_eq!(sel4::debug_cap_identify(c), cap_tag::IRQ_HANDLER);
    ok!(IrqHandler(c).set_notification(n));
    ok!(IrqHandler(c).ack());
    Ok(())
}

fn irq_final_delete(e: &Env) -> TestResult {
    let v = 50;
    let a = e.slot();
    ok!(IRQ_CONTROL.get_ioapic(ROOT, a, D, 0, 16, 0, 0, v));
    let b = ok!(e.copy(a));
    ok!(ROOT.delete(a, D));
    expect_err!(IRQ_CONTROL.get_ioapic(ROOT, e.slot(), D, 0, 16, 0, 0, v), E::RevokeFirst, []);
    ok!(ROOT.delete(b, D));
    let c = e.slot();
    ok!(IRQ_CONTROL.get_ioapic(ROOT, c, D, 0, 16, 0, 0, v));
    check_eq!(sel4::debug_cap_identify(c), cap_tag::IRQ_HANDLER);
    Ok(())
}

fn irq_revoke_control(e: &Env) -> TestResult {
    let (a, b) = (e.slot(), e.slot());
    ok!(IRQ_CONTROL.get_ioapic(ROOT, a, D, 0, 17, 0, 0, 60));
    ok!(IRQ_CONTROL.get_msi(ROOT, b, D, 0, 1, 0, 0, 61));
    let c = ok!(e.copy(a));
    ok!(ROOT.revoke(cap::IRQ_CONTROL, D));
    for s in [a, b, c] {
        check_eq!(sel4::debug_cap_identify(s), cap_tag::NULL);
    }
    check_eq!(sel4::debug_cap_identify(cap::IRQ_CONTROL), cap_tag::IRQ_CONTROL);
    ok!(IRQ_CONTROL.get_ioapic(ROOT, e.slot(), D, 0, 17, 0, 0, 60));
    ok!(IRQ_CONTROL.get_msi(ROOT, e.slot(), D, 0, 1, 0, 0, 61));
    Ok(())
}

// ------------------------------------------------------------ the RTC interrupt

/// A handler for the RTC's pin (edge or level triggered), a notification
/// minted with `BADGE`, and the RTC running at `rate`.
fn rtc_setup(e: &Env, level: u64, rate: u8) -> Result<(IrqHandler, CPtr), guest_test::Failure> {
    let s = e.slot();
    ok!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 0, RTC_PIN, level, 0, V_RTC));
    let n = ok!(e.notification());
    let nb = ok!(e.mint(n, CapRights::ALL, BADGE));
    let h = IrqHandler(s);
    ok!(h.set_notification(nb));
    ok!(rtc().start_periodic(rate));
    Ok((h, nb))
}

/// Stops the RTC; the handler cap goes with the test's window.
fn rtc_teardown() -> TestResult {
    ok!(rtc().stop());
    Ok(())
}

fn rtc_signals(e: &Env) -> TestResult {
    let (_, n) = rtc_setup(e, 0, RATE_1024HZ)?;
    let w = poll_for(n, WAIT_MS);
    rtc_teardown()?;
    check_eq!(w, BADGE);
    RTC_WORKS.store(true, SeqCst);
    Ok(())
}

fn rtc_masked_until_ack(e: &Env) -> TestResult {
    let (h, n) = rtc_setup(e, 0, RATE_1024HZ)?;
    let r = (|| {
        check_eq!(poll_for(n, WAIT_MS), BADGE);
        for round in 0..3 {
            // Serviced at the device, but not acknowledged: nothing comes.
            ok!(rtc().ack());
            spin_ms(QUIET_MS);
            let w = sel4::poll(n);
            check!(w == 0, "round {round}: signalled ({w:#x}) before the Ack");
            ok!(h.ack());
            check_eq!(poll_for(n, WAIT_MS), BADGE);
        }
        Ok(())
    })();
    rtc_teardown()?;
    r
}

fn rtc_clear_replace(e: &Env) -> TestResult {
    let (h, n1) = rtc_setup(e, 0, RATE_1024HZ)?;
    let r = (|| {
        check_eq!(poll_for(n1, WAIT_MS), BADGE);
        // Cleared: the interrupts signal nothing.
        ok!(h.clear());
        ok!(rtc().ack());
        ok!(h.ack());
        spin_ms(QUIET_MS);
        check_eq!(sel4::poll(n1), 0);
        // A new notification: it gets the next interrupt, the old one nothing.
        let n2 = ok!(e.notification());
        let n2b = ok!(e.mint(n2, CapRights::WRITE_ONLY, 0x3));
        ok!(h.set_notification(n2b));
        ok!(rtc().ack());
        ok!(h.ack());
        check_eq!(poll_for(n2, WAIT_MS), 0x3);
        // Replacing a set notification works the same way.
        ok!(h.set_notification(n1));
        ok!(rtc().ack());
        ok!(h.ack());
        check_eq!(poll_for(n1, WAIT_MS), BADGE);
        check_eq!(sel4::poll(n2), 0);
        Ok(())
    })();
    rtc_teardown()?;
    r
}

fn rtc_level(e: &Env) -> TestResult {
    let (h, n) = rtc_setup(e, 1, RATE_1024HZ)?;
    let r = (|| {
        check_eq!(poll_for(n, WAIT_MS), BADGE);
        // The RTC holds IRQ 8 high until register C is read: every Ack
        // before that brings the interrupt straight back.
        for _ in 0..3 {
            ok!(h.ack());
            check_eq!(poll_for(n, 5), BADGE);
        }
        // Serviced and acknowledged: the next period's interrupt comes.
        ok!(rtc().ack());
        ok!(h.ack());
        check_eq!(poll_for(n, WAIT_MS), BADGE);
        Ok(())
    })();
    rtc_teardown()?;
    r
}

fn rtc_delete_handler(e: &Env) -> TestResult {
    let (h, n) = rtc_setup(e, 0, RATE_1024HZ)?;
    let r = (|| {
        check_eq!(poll_for(n, WAIT_MS), BADGE);
        // Deleting the (only) handler cap masks the IRQ and forgets the
        // notification: the device keeps interrupting, nothing is signalled.
        ok!(ROOT.delete(h.0, D));
        ok!(rtc().ack());
        spin_ms(QUIET_MS);
        check_eq!(sel4::poll(n), 0);
        // The notification itself is untouched.
        sel4::signal(n);
        check_eq!(sel4::poll(n), BADGE);
        // The IRQ is free: a new handler gets the interrupts again.
        let s = e.slot();
        ok!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 0, RTC_PIN, 0, 0, V_RTC));
        ok!(IrqHandler(s).set_notification(n));
        ok!(rtc().ack());
        ok!(IrqHandler(s).ack());
        check_eq!(poll_for(n, WAIT_MS), BADGE);
        Ok(())
    })();
    rtc_teardown()?;
    r
}

fn rtc_notification_deleted(e: &Env) -> TestResult {
    let s = e.slot();
    ok!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 0, RTC_PIN, 0, 0, V_RTC));
    let h = IrqHandler(s);
    // A notification from an untyped of its own, a badged copy for the IRQ,
    // then that untyped revoked: the IRQ's copy of the cap goes with it.
    let ut = ok!(e.untyped(12));
    let (slot, badged) = (e.slot(), e.slot());
    let fresh = || -> TestResult {
        ok!(ut.retype(sel4::ObjectType::Notification, 0, ROOT, 0, 0, slot, 1));
        ok!(ROOT.mint(badged, D, ROOT, slot, D, CapRights::ALL, BADGE));
        Ok(())
    };
    fresh()?;
    ok!(h.set_notification(badged));
    ok!(ROOT.revoke(ut.0, D));
    check_eq!(sel4::debug_cap_identify(slot), cap_tag::NULL);
    check_eq!(sel4::debug_cap_identify(badged), cap_tag::NULL);
    ok!(rtc().start_periodic(RATE_1024HZ));
    let r = (|| {
        // Interrupts come with nothing to signal (and the memory is reused).
        spin_ms(QUIET_MS);
        fresh()?;
        check_eq!(sel4::poll(slot), 0);
        ok!(rtc().ack());
        ok!(h.ack());
        spin_ms(QUIET_MS);
        check_eq!(sel4::poll(slot), 0);
        // A notification set now works.
        ok!(h.set_notification(badged));
        ok!(rtc().ack());
        ok!(h.ack());
        check_eq!(poll_for(slot, WAIT_MS), BADGE);
        Ok(())
    })();
    rtc_teardown()?;
    r
}

// Shared words of the thread tests.
const W_HANDLER: usize = 0;
const W_NTFN: usize = 1;
const W_EP: usize = 2;
const W_COUNT: usize = 3;
const W_DONE: usize = 4;
const W_SPIN: usize = 5;
const W_PROGRESS: usize = 6;
const W_BADGE: usize = 7;
const W_DEADLINE: usize = 8;
const W_TARGET: usize = 9;

/// Waits on the endpoint; a signal of its bound notification ends the wait.
fn bound_receiver(_: u64) {
    let (_, badge) = sel4::recv(get(W_EP));
    set(W_BADGE, badge);
    set(W_DONE, 1);
}

fn rtc_bound(e: &Env) -> TestResult {
    let s = e.slot();
    ok!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 0, RTC_PIN, 0, 0, V_RTC));
    let n = ok!(e.notification());
    let nb = ok!(e.mint(n, CapRights::ALL, BADGE));
    ok!(IrqHandler(s).set_notification(nb));
    let ep = ok!(e.endpoint());
    set(W_EP, ep);
    let t = e.spawn(150, bound_receiver, 0)?;
    ok!(t.bind_notification(n));
    // The child now waits on the endpoint; the interrupt reaches it through
    // its bound notification.
    ok!(rtc().start_periodic(RATE_1024HZ));
    let done = spin_until(WAIT_MS, || get(W_DONE) != 0);
    rtc_teardown()?;
    check!(done, "the bound receiver was not woken");
    check_eq!(get(W_BADGE), BADGE);
    Ok(())
}

/// The interrupt thread: waits, counts, services the RTC, acknowledges,
/// until `W_TARGET` interrupts; records whether the spinner ran between
/// two interrupts.
fn irq_thread(_: u64) {
    let h = IrqHandler(get(W_HANDLER));
    let n = get(W_NTFN);
    let mut last_spin = get(W_SPIN);
    loop {
        sel4::wait(n);
        let spin = get(W_SPIN);
        if spin != last_spin {
            add(W_PROGRESS, 1);
        }
        last_spin = spin;
        add(W_COUNT, 1);
        let _ = rtc().ack();
        let _ = h.ack();
        if get(W_COUNT) >= get(W_TARGET) {
            break;
        }
    }
    set(W_DONE, 1);
}

/// The low-priority thread: counts until the interrupt thread is done or
/// the deadline passes.
fn spinner(_: u64) {
    while get(W_DONE) == 0 && rdtsc() < get(W_DEADLINE) {
        add(W_SPIN, 1);
    }
}

fn irq_thread_setup(e: &Env, target: u64) -> TestResult {
    let s = e.slot();
    ok!(IRQ_CONTROL.get_ioapic(ROOT, s, D, 0, RTC_PIN, 0, 0, V_RTC));
    let n = ok!(e.notification());
    ok!(IrqHandler(s).set_notification(n));
    set(W_HANDLER, s);
    set(W_NTFN, n);
    set(W_TARGET, target);
    Ok(())
}

fn rtc_preempts(e: &Env) -> TestResult {
    irq_thread_setup(e, 5)?;
    e.spawn(200, irq_thread, 0)?;
    ok!(rtc().start_periodic(RATE_1024HZ));
    // The root keeps running (priority 100); only preemption lets the
    // handler (priority 200) take each interrupt as it comes.
    let mut spins = 0u64;
    let done = spin_until(WAIT_MS * 2, || {
        spins += 1;
        get(W_DONE) != 0
    });
    rtc_teardown()?;
    check!(done, "the handler thread took {} of 5 interrupts", get(W_COUNT));
    check_eq!(get(W_COUNT), 5);
    check!(spins > 1, "the root never ran while the handler worked");
    Ok(())
}

fn rtc_storm(e: &Env) -> TestResult {
    const N: u64 = 400;
    irq_thread_setup(e, N)?;
    set(W_DEADLINE, deadline(10_000));
    e.spawn(200, irq_thread, 0)?;
    e.spawn(50, spinner, 0)?;
    ok!(rtc().start_periodic(RATE_8192HZ));
    // The root drops below the spinner: it runs again only once the spinner
    // has stopped (the handler is done, or the deadline passed).
    let t0 = rdtsc();
    ok!(ME.set_priority(ME, 10));
    sel4::yield_now();
    let t1 = rdtsc();
    ok!(ME.set_priority(ME, ROOT_PRIO));
    rtc_teardown()?;
    let (count, spin, progress) = (get(W_COUNT), get(W_SPIN), get(W_PROGRESS));
    sel4::println!(
        "  storm: {count} interrupts, spinner {spin} iterations, ran between {progress} of them, {} ms",
        (t1 - t0) / (tsc_mhz(e.bi).max(1) * 1000)
    );
    check!(get(W_DONE) == 1, "the handler thread took only {count} of {N} interrupts");
    check!(spin > 0, "the lower-priority thread never ran");
    // The handler blocks between interrupts, so the spinner runs in (most
    // of) those gaps; interrupts that come during the handler's own work
    // are masked and come after its Ack, with no gap.
    check!(progress >= N / 4, "the spinner ran between only {progress} of {N} interrupts");
    Ok(())
}

fn rtc_idle(e: &Env) -> TestResult {
    check!(RTC_WORKS.load(SeqCst), "skipped: no RTC interrupt was seen earlier, the root would block for good");
    let (h, n) = rtc_setup(e, 0, 10)?; // 64 Hz: each wait idles the CPU ~15 ms
    let r = (|| {
        let mut waited = [0u64; 3];
        for t in waited.iter_mut() {
            // No other thread exists: the CPU idles until the RTC fires.
            let t0 = rdtsc();
            let w = sel4::wait(n);
            *t = (rdtsc() - t0) / tsc_mhz(e.bi).max(1);
            check_eq!(w, BADGE);
            ok!(rtc().ack());
            ok!(h.ack());
        }
        sel4::println!("  idle waits: {:?} us", waited);
        Ok(())
    })();
    rtc_teardown()?;
    r
}

fn ioport_revoke_control(e: &Env) -> TestResult {
    let (a, b) = (e.slot(), e.slot());
    ok!(IO_PORT_CONTROL.issue(0x100, 0x10F, ROOT, a, D));
    ok!(IO_PORT_CONTROL.issue(0x110, 0x11F, ROOT, b, D));
    ok!(ROOT.revoke(cap::IO_PORT_CONTROL, D));
    let rtc_slot = RTC_CAP.load(SeqCst);
    for s in [a, b, rtc_slot] {
        check_eq!(sel4::debug_cap_identify(s), cap_tag::NULL);
    }
    // All of it is free again, the kernel's ports still are not.
    ok!(IO_PORT_CONTROL.issue(0x100, 0x11F, ROOT, e.slot(), D));
    ok!(IO_PORT_CONTROL.issue(RTC_INDEX, RTC_DATA, ROOT, rtc_slot, D));
    expect_err!(IO_PORT_CONTROL.issue(0x3F8, 0x3F8, ROOT, e.slot(), D), E::RevokeFirst, []);
    Ok(())
}
