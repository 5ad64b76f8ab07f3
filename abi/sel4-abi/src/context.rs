//! `seL4_UserContext` for x86_64: the register block of TCB ReadRegisters,
//! WriteRegisters and CopyRegisters.
//!
//! Field order from libsel4/sel4_arch_include/x86_64/sel4/sel4_arch/types.h.
//! The kernel splits it into 18 "frame" registers (words 0-17) and 2 "gp"
//! registers (words 18-19) (include/arch/x86/arch/64/mode/machine/registerset.h,
//! `n_frameRegisters`, `n_gpRegisters`); CopyRegisters' transfer_frame and
//! transfer_integer flags select those two groups.

/// Words in a [`UserContext`].
pub const USER_CONTEXT_WORDS: usize = 20;
/// `n_frameRegisters`: words 0-17 (rip through r15).
pub const FRAME_REGISTERS: usize = 18;
/// `n_gpRegisters`: words 18-19 (fs_base, gs_base).
pub const GP_REGISTERS: usize = 2;

/// Word index of each register in a [`UserContext`] (and in the MRs of a
/// ReadRegisters reply; WriteRegisters puts word i in MR i + 2).
pub mod reg {
    /// Instruction pointer.
    pub const RIP: usize = 0;
    /// Stack pointer.
    pub const RSP: usize = 1;
    /// Flags (sanitised by the kernel on write).
    pub const RFLAGS: usize = 2;
    /// RAX.
    pub const RAX: usize = 3;
    /// RBX.
    pub const RBX: usize = 4;
    /// RCX.
    pub const RCX: usize = 5;
    /// RDX.
    pub const RDX: usize = 6;
    /// RSI.
    pub const RSI: usize = 7;
    /// RDI.
    pub const RDI: usize = 8;
    /// RBP.
    pub const RBP: usize = 9;
    /// R8.
    pub const R8: usize = 10;
    /// R9.
    pub const R9: usize = 11;
    /// R10.
    pub const R10: usize = 12;
    /// R11.
    pub const R11: usize = 13;
    /// R12.
    pub const R12: usize = 14;
    /// R13.
    pub const R13: usize = 15;
    /// R14.
    pub const R14: usize = 16;
    /// R15.
    pub const R15: usize = 17;
    /// FS base (the TLS base).
    pub const FS_BASE: usize = 18;
    /// GS base.
    pub const GS_BASE: usize = 19;
}

const _: () = assert!(core::mem::size_of::<UserContext>() == USER_CONTEXT_WORDS * 8);
const _: () = assert!(FRAME_REGISTERS + GP_REGISTERS == USER_CONTEXT_WORDS);

/// `seL4_UserContext` (x86_64): 20 words, 160 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(C)]
pub struct UserContext {
    pub rip: u64,
    pub rsp: u64,
    pub rflags: u64,
    pub rax: u64,
    pub rbx: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub rbp: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub fs_base: u64,
    pub gs_base: u64,
}

impl UserContext {
    /// The context as words in ABI order.
    pub const fn as_words(&self) -> [u64; USER_CONTEXT_WORDS] {
        [
            self.rip,
            self.rsp,
            self.rflags,
            self.rax,
            self.rbx,
            self.rcx,
            self.rdx,
            self.rsi,
            self.rdi,
            self.rbp,
            self.r8,
            self.r9,
            self.r10,
            self.r11,
            self.r12,
            self.r13,
            self.r14,
            self.r15,
            self.fs_base,
            self.gs_base,
        ]
    }

    /// Builds a context from words in ABI order.
    pub const fn from_words(w: &[u64; USER_CONTEXT_WORDS]) -> Self {
        UserContext {
            rip: w[0],
            rsp: w[1],
            rflags: w[2],
            rax: w[3],
            rbx: w[4],
            rcx: w[5],
            rdx: w[6],
            rsi: w[7],
            rdi: w[8],
            rbp: w[9],
            r8: w[10],
            r9: w[11],
            r10: w[12],
            r11: w[13],
            r12: w[14],
            r13: w[15],
            r14: w[16],
            r15: w[17],
            fs_base: w[18],
            gs_base: w[19],
        }
    }

    /// Word `index` (see [`reg`]), or `None` past the end.
    pub const fn get(&self, index: usize) -> Option<u64> {
        if index < USER_CONTEXT_WORDS {
            Some(self.as_words()[index])
        } else {
            None
        }
    }

    /// Sets word `index`; returns `false` (changing nothing) past the end.
    pub fn set(&mut self, index: usize, value: u64) -> bool {
        let mut w = self.as_words();
        match w.get_mut(index) {
            Some(slot) => {
                *slot = value;
                *self = Self::from_words(&w);
                true
            }
            None => false,
        }
    }
}
