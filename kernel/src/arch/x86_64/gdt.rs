//! The GDT and TSS. Selector order is fixed by SYSCALL/SYSRET: kernel code
//! 0x08 and data 0x10 (STAR[47:32] = 0x08); SYSRET's base 0x18 gives user
//! data 0x20 and user code 0x28 (STAR[63:48] = 0x18). TSS.RSP0 always points
//! just past the current thread's saved register frame, so a trap from user
//! mode pushes the hardware frame straight into the thread's TCB.

use core::arch::asm;
use core::ptr::addr_of_mut;

pub const KERNEL_CS: u16 = 0x08;
pub const KERNEL_SS: u16 = 0x10;
pub const SYSRET_BASE: u16 = 0x18;
pub const USER_SS: u64 = 0x20 | 3;
pub const USER_CS: u64 = 0x28 | 3;
const TSS_SEL: u16 = 0x30;

#[repr(C, packed)]
struct Tss {
    _r0: u32,
    rsp: [u64; 3],
    _r1: u64,
    ist: [u64; 7],
    _r2: u64,
    _r3: u16,
    iomap_base: u16,
}

static mut TSS: Tss = Tss { _r0: 0, rsp: [0; 3], _r1: 0, ist: [0; 7], _r2: 0, _r3: 0, iomap_base: 104 };

static mut GDT: [u64; 8] = [
    0,
    0x00AF_9A00_0000_FFFF, // 0x08 kernel code, 64-bit
    0x00CF_9200_0000_FFFF, // 0x10 kernel data
    0,                     // 0x18 (32-bit user code: unused)
    0x00CF_F200_0000_FFFF, // 0x20 user data, DPL 3
    0x00AF_FA00_0000_FFFF, // 0x28 user code, 64-bit, DPL 3
    0,                     // 0x30 TSS, low
    0,                     // 0x38 TSS, high
];

/// The stack for double faults and NMIs (IST1): a kernel bug must still be reported.
#[repr(C, align(16))]
struct IstStack([u8; 16384]);
static mut IST1_STACK: IstStack = IstStack([0; 16384]);

pub fn init() {
    // SAFETY: runs once on the boot CPU before any trap can happen; nothing else
    // references GDT/TSS yet.
    unsafe {
        let tss = addr_of_mut!(TSS) as u64;
        let ist_top = addr_of_mut!(IST1_STACK) as u64 + 16384;
        (*addr_of_mut!(TSS)).ist[0] = ist_top;
        let limit = core::mem::size_of::<Tss>() as u64 - 1;
        let gdt = &mut *addr_of_mut!(GDT);
        gdt[6] = limit & 0xFFFF
            | (tss & 0xFF_FFFF) << 16
            | 0x89 << 40 // present, 64-bit available TSS
            | (limit >> 16 & 0xF) << 48
            | (tss >> 24 & 0xFF) << 56;
        gdt[7] = tss >> 32;
        let ptr: [u16; 5] = {
            let base = gdt.as_ptr() as u64;
            [(8 * 8 - 1) as u16, base as u16, (base >> 16) as u16, (base >> 32) as u16, (base >> 48) as u16]
        };
        asm!(
            "lgdt [{p}]",
            "mov ax, {ds}",
            "mov ds, ax",
            "mov es, ax",
            "mov ss, ax",
            "xor eax, eax",
            "mov fs, ax",
            "mov gs, ax",
            "push {cs}",
            "lea rax, [rip + 2f]",
            "push rax",
            "retfq",
            "2:",
            "mov ax, {tss}",
            "ltr ax",
            p = in(reg) ptr.as_ptr(),
            ds = const KERNEL_SS,
            cs = const KERNEL_CS as u64,
            tss = const TSS_SEL,
            out("rax") _,
        );
    }
}

/// Where the CPU puts the hardware frame of the next trap from user mode.
#[inline(always)]
pub fn set_kernel_entry_stack(top: u64) {
    // SAFETY: one CPU; traps are disabled while the kernel runs, so the TSS
    // is not read concurrently with this write.
    unsafe { (*addr_of_mut!(TSS)).rsp[0] = top };
}
