//! Links nt-apc.exe as a native NT program (entry NtProcessStartup, no CRT).
fn main() {
    for arg in ["/ENTRY:NtProcessStartup", "/SUBSYSTEM:NATIVE"] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
}
