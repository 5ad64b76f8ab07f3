//! nt-child.exe: the child process nt-ps starts. Its command line says what
//! to do, so the parent can check exit codes and fault statuses:
//! `exit N` (NtTerminateProcess), `return N` (return from the entry: the
//! loader ends the last thread with N), `wait` (yield until terminated),
//! `null` (read address 0), `div` (divide by zero), `ud2` (invalid opcode),
//! `section NAME` (nt-sec: opens `\BaseNamedObjects\NAME`, maps it
//! read-write, adds 1 to the first ULONG it finds and stores the sum at
//! offset 4 and 0x1000, then returns what it found), `sectionro NAME`
//! (maps it read-only and writes: ends with an access violation).
#![no_std]
#![no_main]

use nt_test::nt::{NtOpenSection, NtTerminateProcess, NtYieldExecution};
use nt_test::nt_abi::consts::{PAGE_READONLY, PAGE_READWRITE, SECTION_MAP_READ, SECTION_MAP_WRITE};
use nt_test::nt_abi::types::{Handle, Peb, RtlUserProcessParameters};
use nt_test::nt_abi::NtStatus;
use nt_test::util::{oa, units, us};

#[link(name = "ntdll", kind = "raw-dylib")]
extern "system" {
    fn NtMapViewOfSection(
        section: Handle,
        process: Handle,
        base: *mut usize,
        zero_bits: usize,
        commit_size: usize,
        offset: *mut i64,
        view_size: *mut usize,
        inherit: u32,
        allocation_type: u32,
        protect: u32,
    ) -> NtStatus;
}

/// Maps the named section `\BaseNamedObjects\<name>` into this process
/// with `protect`; its base, or 0.
fn map_named(name: &[u8], protect: u32) -> usize {
    let mut path = [0u16; 48];
    let prefix = b"\\BaseNamedObjects\\";
    let n = prefix.len() + name.len();
    for (d, s) in path.iter_mut().zip(prefix.iter().chain(name)) {
        *d = *s as u16;
    }
    let name = us(&path[..n]);
    let attrs = oa(&name, 0, Handle::NULL);
    let mut h = Handle::NULL;
    let (mut base, mut size) = (0usize, 0usize);
    // SAFETY: valid pointers to locals.
    unsafe {
        if !NtOpenSection(&mut h, SECTION_MAP_READ | SECTION_MAP_WRITE, &attrs).is_success() {
            return 0;
        }
        let st = NtMapViewOfSection(
            h,
            Handle::CURRENT_PROCESS,
            &mut base,
            0,
            0,
            core::ptr::null_mut(),
            &mut size,
            1,
            0,
            protect,
        );
        if st.is_success() {
            base
        } else {
            0
        }
    }
}

/// The words of the command line after the program name (ASCII only).
fn args(peb: &Peb) -> ([[u8; 16]; 2], [usize; 2]) {
    let mut words = [[0u8; 16]; 2];
    let mut lens = [0usize; 2];
    let p = peb.process_parameters as *const RtlUserProcessParameters;
    if p.is_null() {
        return (words, lens);
    }
    // SAFETY: the Executive maps the normalised parameter block.
    let cmd = unsafe { units(&(*p).command_line) };
    let mut word = 0usize; // 0 = program name
    let mut quoted = false;
    let mut in_word = false;
    for &c in cmd {
        if c == b'"' as u16 {
            quoted = !quoted;
            continue;
        }
        if c == b' ' as u16 && !quoted {
            if in_word {
                word += 1;
                in_word = false;
            }
            continue;
        }
        in_word = true;
        if (1..=2).contains(&word) && lens[word - 1] < 16 {
            words[word - 1][lens[word - 1]] = c as u8;
            lens[word - 1] += 1;
        }
    }
    (words, lens)
}

fn number(w: &[u8]) -> i32 {
    w.iter()
        .take_while(|c| c.is_ascii_digit())
        .fold(0i32, |n, c| {
            n.wrapping_mul(10).wrapping_add((c - b'0') as i32)
        })
}

#[no_mangle]
pub extern "system" fn NtProcessStartup(peb: *const Peb) -> u32 {
    // SAFETY: the loader passes this process's PEB.
    let (w, n) = args(unsafe { &*peb });
    let (verb, arg) = (&w[0][..n[0]], &w[1][..n[1]]);
    match verb {
        b"exit" => {
            // SAFETY: ends this process.
            unsafe { NtTerminateProcess(Handle::CURRENT_PROCESS, number(arg)) };
            0
        }
        b"return" => number(arg) as u32,
        b"wait" => loop {
            // SAFETY: no arguments.
            unsafe { NtYieldExecution() };
        },
        // SAFETY (all three): the fault is the point; the Executive ends
        // the process with the matching exception code.
        b"null" => unsafe {
            core::arch::asm!("mov eax, dword ptr [0]", out("eax") _);
            1
        },
        b"div" => unsafe {
            core::arch::asm!("xor edx, edx", "xor ecx, ecx", "mov eax, 1", "div ecx", out("eax") _, out("ecx") _, out("edx") _);
            1
        },
        b"section" => {
            let base = map_named(arg, PAGE_READWRITE);
            if base == 0 {
                return 0xBAD;
            }
            // SAFETY: the view is at least two pages of read-write memory.
            unsafe {
                let found = (base as *const u32).read_volatile();
                ((base + 4) as *mut u32).write_volatile(found.wrapping_add(1));
                ((base + 0x1000) as *mut u32).write_volatile(found.wrapping_add(1));
                found
            }
        }
        b"sectionro" => {
            let base = map_named(arg, PAGE_READONLY);
            if base == 0 {
                return 0xBAD;
            }
            // SAFETY: the fault is the point: the view is read-only.
            unsafe { (base as *mut u32).write_volatile(1) };
            0xBAD
        }
        b"ud2" => unsafe {
            core::arch::asm!("ud2");
            1
        },
        _ => 0xBAD,
    }
}
