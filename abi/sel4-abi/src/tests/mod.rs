//! Unit tests: every number and layout of the ABI checked against the values in
//! /work/shared/reference/sel4-x86_64-abi.md (and the seL4 headers it cites),
//! plus round-trip and robustness tests of the encoders and parsers.

mod bootinfo;
mod layout;
mod message;
mod numbers;
mod rights;

/// Small deterministic PRNG (xorshift64*) so randomised tests are repeatable
/// without pulling in a dependency.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub(crate) fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            *b = self.next_u64() as u8;
        }
    }
}
