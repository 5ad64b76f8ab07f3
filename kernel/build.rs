//! Links the kernel with its own script: a low, identity-mapped boot section
//! for the 32-bit multiboot entry and a higher-half image for everything else.
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    println!("cargo:rustc-link-arg-bins=-T{dir}/link.ld");
    println!("cargo:rerun-if-changed=link.ld");
}
