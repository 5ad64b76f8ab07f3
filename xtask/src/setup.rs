//! `./x setup`: installs exactly the Debian packages Triton needs, and only
//! those that are missing (apt-get update first, as a fresh machine needs).

use std::process::Command;

/// Every Debian package the build, run and test steps use.
pub const PACKAGES: &[&str] = &[
    "rustc-web",    // Rust 1.96, able to build core with -Zbuild-std
    "cargo-web",
    "rust-web-src", // library sources for -Zbuild-std
    "lld-22",       // ld.lld for ELF, lld-link for PE
    "qemu-system-x86",
];

fn installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("ok installed"))
        .unwrap_or(false)
}

pub fn run() -> Result<(), String> {
    let missing: Vec<&str> = PACKAGES.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("x setup: installing {}", missing.join(" "));
    let root = is_root();
    let apt = |args: &[&str]| -> Result<(), String> {
        let mut c = if root { Command::new("apt-get") } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        c.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        let st = c.status().map_err(|e| format!("apt-get: {e}"))?;
        if st.success() { Ok(()) } else { Err(format!("apt-get {} failed", args.join(" "))) }
    };
    apt(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq"];
    args.extend(missing.iter());
    apt(&args)
}

/// Whether we run as root (then apt-get needs no sudo).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
