//! RTL_USER_PROCESS_PARAMETERS: reading the block a creator passes to
//! NtCreateUserProcess, and laying out the block the Executive writes into
//! a new process. A caller's block may be normalized (string buffers are
//! absolute addresses in the caller) or not (offsets from the block start);
//! the environment is always a pointer into the caller's memory. The new
//! process always gets a normalized block with its strings and environment
//! after the structure, as RtlCreateProcessParameters would make it.

use crate::record::put;
use alloc::vec;
use alloc::vec::Vec;
use core::mem::{offset_of, size_of};
use nt_abi::status::*;
use nt_abi::types::{Curdir, RtlUserProcessParameters as P, UnicodeString, RTL_USER_PROC_PARAMS_NORMALIZED};
use nt_abi::NtStatus;

/// The UNICODE_STRING fields carried from the creator to the new process,
/// in the order `Params::strings` holds them.
const STRINGS: [usize; 8] = [
    offset_of!(P, current_directory) + offset_of!(Curdir, dos_path),
    offset_of!(P, dll_path),
    offset_of!(P, image_path_name),
    offset_of!(P, command_line),
    offset_of!(P, window_title),
    offset_of!(P, desktop_info),
    offset_of!(P, shell_info),
    offset_of!(P, runtime_data),
];
const CURDIR: usize = 0;
const IMAGE: usize = 2;
const CMDLINE: usize = 3;
/// The current directory's buffer is MAX_PATH characters, as Windows makes
/// it, so RtlSetCurrentDirectory_U can rewrite it in place.
const CURDIR_CAPACITY: usize = 260 * 2;
/// The most environment the Executive copies from a creator.
pub const MAX_ENVIRONMENT: usize = 64 * 1024;

/// The parts of a parameter block a new process inherits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    /// UTF-16 strings in `STRINGS` order.
    pub strings: [Vec<u16>; 8],
    /// `NAME=VALUE\0...\0\0`, UTF-16, terminators included.
    pub environment: Vec<u16>,
    pub debug_flags: u32,
    pub console_flags: u32,
    pub std_handles: [u64; 3],
    pub window_flags: u32,
    pub show_window_flags: u32,
}

fn word<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut w = [0u8; N];
    w.copy_from_slice(&b[at..at + N]);
    w
}

fn units(bytes: &[u8]) -> Vec<u16> {
    bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect()
}

impl Params {
    pub fn image_path(&self) -> &[u16] {
        &self.strings[IMAGE]
    }

    pub fn command_line(&self) -> &[u16] {
        &self.strings[CMDLINE]
    }

    /// Fresh parameters for a process the Executive starts itself.
    pub fn new(image_path: &[u16], command_line: &[u16], current_directory: &[u16], environment: &[u16]) -> Params {
        let mut p = Params::default();
        p.strings[IMAGE] = image_path.to_vec();
        p.strings[CMDLINE] = command_line.to_vec();
        p.strings[CURDIR] = current_directory.to_vec();
        p.environment = environment.to_vec();
        p
    }

    /// Reads a creator's block (`block` is exactly its `Length` bytes, as
    /// the wire delivers it). `read` fetches `len` bytes at an address in
    /// the creator's memory (for normalized strings and the environment).
    pub fn parse(block: &[u8], mut read: impl FnMut(u64, usize) -> Result<Vec<u8>, NtStatus>) -> Result<Params, NtStatus> {
        if block.len() < size_of::<P>() {
            return Err(STATUS_INVALID_PARAMETER);
        }
        let u32_at = |at: usize| u32::from_le_bytes(word(block, at));
        let u64_at = |at: usize| u64::from_le_bytes(word(block, at));
        let normalized = u32_at(offset_of!(P, flags)) & RTL_USER_PROC_PARAMS_NORMALIZED != 0;
        let mut p = Params {
            debug_flags: u32_at(offset_of!(P, debug_flags)),
            console_flags: u32_at(offset_of!(P, console_flags)),
            std_handles: [
                u64_at(offset_of!(P, standard_input)),
                u64_at(offset_of!(P, standard_output)),
                u64_at(offset_of!(P, standard_error)),
            ],
            window_flags: u32_at(offset_of!(P, window_flags)),
            show_window_flags: u32_at(offset_of!(P, show_window_flags)),
            ..Params::default()
        };
        for (i, &at) in STRINGS.iter().enumerate() {
            let len = u16::from_le_bytes(word(block, at + offset_of!(UnicodeString, length))) as usize;
            let max = u16::from_le_bytes(word(block, at + offset_of!(UnicodeString, maximum_length))) as usize;
            let buffer = u64_at(at + offset_of!(UnicodeString, buffer));
            if len % 2 != 0 || len > max {
                return Err(STATUS_INVALID_PARAMETER);
            }
            if len == 0 {
                continue;
            }
            p.strings[i] = if normalized {
                units(&read(buffer, len)?)
            } else {
                let start = usize::try_from(buffer).map_err(|_| STATUS_INVALID_PARAMETER)?;
                let bytes = start.checked_add(len).and_then(|end| block.get(start..end)).ok_or(STATUS_INVALID_PARAMETER)?;
                units(bytes)
            };
        }
        let env = u64_at(offset_of!(P, environment));
        if env != 0 {
            let size = u64_at(offset_of!(P, environment_size)) as usize;
            p.environment = if size != 0 {
                if size > MAX_ENVIRONMENT || size % 2 != 0 {
                    return Err(STATUS_INVALID_PARAMETER);
                }
                units(&read(env, size)?)
            } else {
                read_environment(env, &mut read)?
            };
        }
        Ok(p)
    }

    /// The normalized block for a new process at `base`: the structure,
    /// then each string NUL-terminated, then the environment.
    pub fn build(&self, base: u64) -> Vec<u8> {
        let mut out = vec![0u8; size_of::<P>()];
        for (i, &at) in STRINGS.iter().enumerate() {
            let s = &self.strings[i];
            let len = s.len() * 2;
            let cap = if i == CURDIR { CURDIR_CAPACITY.max(len + 2) } else { len + 2 };
            let start = out.len();
            out.extend(s.iter().flat_map(|u| u.to_le_bytes()));
            out.resize(start + cap, 0);
            out.resize(out.len().next_multiple_of(8), 0);
            put(&mut out, at + offset_of!(UnicodeString, length), &(len as u16).to_le_bytes());
            put(&mut out, at + offset_of!(UnicodeString, maximum_length), &(cap as u16).to_le_bytes());
            put(&mut out, at + offset_of!(UnicodeString, buffer), &(base + start as u64).to_le_bytes());
        }
        let mut env = self.environment.clone();
        // An environment always ends in an empty string.
        while env.len() < 2 || env[env.len() - 2..] != [0, 0] {
            env.push(0);
        }
        let env_at = out.len();
        out.extend(env.iter().flat_map(|u| u.to_le_bytes()));
        out.resize(out.len().next_multiple_of(8), 0);
        let total = out.len() as u32;
        put(&mut out, offset_of!(P, maximum_length), &total.to_le_bytes());
        put(&mut out, offset_of!(P, length), &total.to_le_bytes());
        put(&mut out, offset_of!(P, flags), &RTL_USER_PROC_PARAMS_NORMALIZED.to_le_bytes());
        put(&mut out, offset_of!(P, debug_flags), &self.debug_flags.to_le_bytes());
        put(&mut out, offset_of!(P, console_flags), &self.console_flags.to_le_bytes());
        for (i, f) in [offset_of!(P, standard_input), offset_of!(P, standard_output), offset_of!(P, standard_error)]
            .into_iter()
            .enumerate()
        {
            put(&mut out, f, &self.std_handles[i].to_le_bytes());
        }
        put(&mut out, offset_of!(P, window_flags), &self.window_flags.to_le_bytes());
        put(&mut out, offset_of!(P, show_window_flags), &self.show_window_flags.to_le_bytes());
        put(&mut out, offset_of!(P, environment), &(base + env_at as u64).to_le_bytes());
        put(&mut out, offset_of!(P, environment_size), &((env.len() * 2) as u64).to_le_bytes());
        out
    }
}


/// An environment without a recorded size: read page by page until the
/// empty string that ends it (at most `MAX_ENVIRONMENT` bytes).
fn read_environment(addr: u64, read: &mut impl FnMut(u64, usize) -> Result<Vec<u8>, NtStatus>) -> Result<Vec<u16>, NtStatus> {
    let mut env: Vec<u16> = Vec::new();
    let mut at = addr;
    loop {
        // Up to the end of the page, so an environment that ends just
        // before unmapped memory is still read.
        let n = (0x1000 - (at & 0xFFF)) as usize;
        let chunk = units(&read(at, n)?);
        for u in chunk {
            env.push(u);
            if env.len() >= 2 && env[env.len() - 2..] == [0, 0] || env == [0] {
                if env == [0] {
                    env.push(0);
                }
                return Ok(env);
            }
        }
        at += n as u64;
        if env.len() * 2 >= MAX_ENVIRONMENT {
            return Err(STATUS_INVALID_PARAMETER);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    fn no_memory(_: u64, _: usize) -> Result<Vec<u8>, NtStatus> {
        Err(STATUS_ACCESS_VIOLATION)
    }

    #[test]
    fn built_block_is_normalized_and_reads_back() {
        let p = Params::new(&w("\\SystemRoot\\a.exe"), &w("a.exe x y"), &w("C:\\"), &w("A=1\0B=2\0\0"));
        let base = 0x7000_0000;
        let block = p.build(base);
        let mem = |a: u64, n: usize| -> Result<Vec<u8>, NtStatus> {
            let off = (a - base) as usize;
            block.get(off..off + n).map(|b| b.to_vec()).ok_or(STATUS_ACCESS_VIOLATION)
        };
        let back = Params::parse(&block, mem).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.image_path(), w("\\SystemRoot\\a.exe"));
        let cur_max = u16::from_le_bytes(word(&block, STRINGS[CURDIR] + 2));
        assert_eq!(cur_max as usize, CURDIR_CAPACITY);
    }

    #[test]
    fn denormalized_strings_are_offsets_into_the_block() {
        let p = Params::new(&w("x.exe"), &w("x.exe -v"), &w(""), &[]);
        let mut block = p.build(0);
        // build(0) leaves offsets; clear the flag and the environment.
        put(&mut block, offset_of!(P, flags), &0u32.to_le_bytes());
        put(&mut block, offset_of!(P, environment), &0u64.to_le_bytes());
        let back = Params::parse(&block, no_memory).unwrap();
        assert_eq!(back.command_line(), w("x.exe -v"));
        assert!(back.environment.is_empty());
    }

    #[test]
    fn bad_blocks_are_refused() {
        assert_eq!(Params::parse(&[0u8; 16], no_memory), Err(STATUS_INVALID_PARAMETER));
        let p = Params::new(&w("x.exe"), &w("x"), &w(""), &[]);
        let mut block = p.build(0);
        put(&mut block, offset_of!(P, flags), &0u32.to_le_bytes());
        put(&mut block, offset_of!(P, environment), &0u64.to_le_bytes());
        // Odd length.
        let mut odd = block.clone();
        put(&mut odd, STRINGS[CMDLINE], &3u16.to_le_bytes());
        assert_eq!(Params::parse(&odd, no_memory), Err(STATUS_INVALID_PARAMETER));
        // Offset outside the block.
        let mut out = block.clone();
        put(&mut out, STRINGS[CMDLINE] + 8, &0xFFFF_FFFFu64.to_le_bytes());
        assert_eq!(Params::parse(&out, no_memory), Err(STATUS_INVALID_PARAMETER));
        // A normalized block whose strings are not readable.
        let mut norm = block.clone();
        put(&mut norm, offset_of!(P, flags), &1u32.to_le_bytes());
        assert_eq!(Params::parse(&norm, no_memory), Err(STATUS_ACCESS_VIOLATION));
    }

    #[test]
    fn environment_without_size_is_read_to_its_end() {
        let env = w("PATH=\\x\0Z=9\0\0");
        let mut bytes: Vec<u8> = env.iter().flat_map(|u| u.to_le_bytes()).collect();
        bytes.resize(0x3000, 0xAA);
        let base = 0x1_0000_0FF0u64; // crosses a page boundary early
        let mem = |a: u64, n: usize| -> Result<Vec<u8>, NtStatus> {
            let off = (a - base) as usize;
            bytes.get(off..off + n).map(|b| b.to_vec()).ok_or(STATUS_ACCESS_VIOLATION)
        };
        let mut read = mem;
        assert_eq!(read_environment(base, &mut read).unwrap(), env);
    }
}
