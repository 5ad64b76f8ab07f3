//! nt_dlla.dll's link arguments: its own base address (away from ntdll's),
//! an ordinal-only export, and two forwarders (to ntdll and to nt_dllb).
fn main() {
    for arg in [
        "/BASE:0x7FF700000000",
        "/EXPORT:dlla_by_ordinal=dlla_ordinal_target,@7,NONAME",
        "/EXPORT:dlla_fwd_ntdll=ntdll.NtYieldExecution",
        "/EXPORT:dlla_fwd_dllb=nt_dllb.dllb_value",
    ] {
        println!("cargo:rustc-cdylib-link-arg={arg}");
    }
}
