//! Links hello.exe as a native NT program: entry NtProcessStartup (called by
//! ntdll's LdrInitializeThunk with the PEB), no C runtime.
fn main() {
    for arg in ["/ENTRY:NtProcessStartup", "/SUBSYSTEM:NATIVE"] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
}
