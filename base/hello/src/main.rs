//! hello.exe: the first native NT program (PE32+, imports only ntdll.dll).
//! It prints a greeting and its command line through NtDisplayString and
//! ends its process with NtTerminateProcess.
#![no_std]
#![no_main]

use nt_abi::types::{Handle, Peb, RtlUserProcessParameters, UnicodeString};
use nt_abi::NtStatus;

#[link(name = "ntdll", kind = "raw-dylib")]
extern "system" {
    fn NtDisplayString(string: *const UnicodeString) -> NtStatus;
    fn NtTerminateProcess(process: Handle, exit_status: i32) -> NtStatus;
}

/// Displays `text` (UTF-16).
fn display(text: &[u16]) {
    let s = UnicodeString {
        length: (text.len() * 2) as u16,
        maximum_length: (text.len() * 2) as u16,
        buffer: text.as_ptr() as u64,
    };
    // SAFETY: `s` describes `text`, alive for the call.
    unsafe { NtDisplayString(&s) };
}

/// Displays ASCII text.
fn display_ascii(text: &str) {
    let mut buf = [0u16; 80];
    for chunk in text.as_bytes().chunks(buf.len()) {
        for (d, s) in buf.iter_mut().zip(chunk) {
            *d = *s as u16;
        }
        display(&buf[..chunk.len()]);
    }
}

#[no_mangle]
pub extern "system" fn NtProcessStartup(peb: *const Peb) -> u32 {
    display_ascii("Hello from a native NT program\n");
    // SAFETY: the loader passes this process's PEB; its ProcessParameters
    // block is normalised (absolute pointers) by the start-up contract.
    let params = unsafe { (*peb).process_parameters } as *const RtlUserProcessParameters;
    if !params.is_null() {
        // SAFETY: as above; the command line lives in the parameter block.
        let cmd = unsafe { (*params).command_line };
        display_ascii("Command line: ");
        if cmd.buffer != 0 {
            // SAFETY: CommandLine describes `length` bytes in the block.
            display(unsafe {
                core::slice::from_raw_parts(cmd.buffer as *const u16, cmd.length as usize / 2)
            });
        }
        display_ascii("\n");
    }
    // SAFETY: ends this process; does not return on success.
    unsafe { NtTerminateProcess(Handle::CURRENT_PROCESS, 0) };
    0
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    display_ascii("hello.exe: panic\n");
    // SAFETY: ends this process.
    unsafe { NtTerminateProcess(Handle::CURRENT_PROCESS, 3) };
    loop {
        // SAFETY: ud2 only raises #UD, which ends the process.
        unsafe { core::arch::asm!("ud2") };
    }
}

/// Referenced by MSVC-target code that touches floating point.
#[no_mangle]
#[used]
pub static _fltused: i32 = 0;
