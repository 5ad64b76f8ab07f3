//! Links bench-vm-nt.exe as a native NT program (entry NtProcessStartup,
//! no C runtime).
fn main() {
    for arg in ["/ENTRY:NtProcessStartup", "/SUBSYSTEM:NATIVE"] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
}
