//! `./x build`: builds the kernel and the guest programs for
//! x86_64-unknown-none with Debian's Rust (-Zbuild-std), then converts the
//! kernel to the 32-bit multiboot ELF that QEMU's `-kernel` accepts.

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

impl Profile {
    fn dir(self) -> &'static str {
        match self {
            Profile::Debug => "debug",
            Profile::Release => "release",
        }
    }
}

/// Packages of guest programs (seL4 root tasks), built as static ELF executables.
pub const PROGRAMS: &[&str] = &["ntos", "hello-root", "kernel-suite", "fault-probe", "kernel-bench", "kernel-vm", "kernel-irq", "kernel-fuzz"];

const TARGET: &str = "x86_64-unknown-none";
/// The boot image's file name (the module name the Executive sees).
pub const BOOT_IMAGE: &str = "boot.tar";
const LLD: &str = "/usr/lib/llvm-22/bin/ld.lld";

/// The files one build produced.
pub struct Images {
    pub kernel: PathBuf,
    /// The boot image (a ustar archive) the Executive reads.
    pub boot_image: PathBuf,
    /// Where the guest programs' executables are, one per binary name.
    pub programs: PathBuf,
}

impl Images {
    /// A boot module by name: a guest program, or `boot.tar`.
    pub fn program(&self, bin: &str) -> Result<PathBuf, String> {
        if bin == BOOT_IMAGE {
            return Ok(self.boot_image.clone());
        }
        let p = self.programs.join(bin);
        if p.is_file() { Ok(p) } else { Err(format!("no guest program named {bin}")) }
    }
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn cargo(target_dir: &str, rustflags: &str, args: &[&str], profile: Profile) -> Result<(), String> {
    cargo_for(TARGET, target_dir, rustflags, args, profile)
}

fn cargo_for(target: &str, target_dir: &str, rustflags: &str, args: &[&str], profile: Profile) -> Result<(), String> {
    let mut c = Command::new("cargo");
    c.current_dir(root())
        .env("PATH", format!("/usr/bin:{}", std::env::var("PATH").unwrap_or_default()))
        .env("RUSTC_BOOTSTRAP", "1")
        .env("RUSTFLAGS", rustflags)
        .env_remove("RUSTC_WRAPPER")
        .arg("build")
        .args(["--target", target])
        .args(["-Zbuild-std=core,compiler_builtins", "-Zbuild-std-features=compiler-builtins-mem"])
        .args(["--target-dir", target_dir])
        .args(args);
    if profile == Profile::Release {
        c.arg("--release");
    }
    let st = c.status().map_err(|e| format!("cargo: {e}"))?;
    if st.success() { Ok(()) } else { Err(format!("cargo build {} failed", args.join(" "))) }
}

pub fn build_all(profile: Profile) -> Result<Images, String> {
    let root = root();
    let kdir = root.join("target/kernel");
    let udir = root.join("target/user");
    // The kernel: static, top-2-GiB code model, no red zone (the target's
    // default). Debug builds keep frame pointers for the panic backtrace.
    let fp = if profile == Profile::Debug { "-C force-frame-pointers=yes" } else { "" };
    let kflags = format!(
        "-C code-model=kernel -C relocation-model=static {fp} -C linker={LLD} -C linker-flavor=ld.lld"
    );
    cargo(kdir.to_str().unwrap(), &kflags, &["-p", "triton-kernel"], profile)?;
    let out = root.join("target/images").join(profile.dir());
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let kelf = kdir.join(TARGET).join(profile.dir()).join("triton-kernel");
    let kernel = out.join("triton-kernel.elf32");
    let data = std::fs::read(&kelf).map_err(|e| format!("{}: {e}", kelf.display()))?;
    let converted = crate::elf32::to_multiboot_elf32(&data)?;
    std::fs::write(&kernel, converted).map_err(|e| e.to_string())?;
    // Guest programs: ordinary static executables in the lower half.
    let uflags = format!(
        "-C code-model=small -C relocation-model=static {fp} \
         -C linker={LLD} -C linker-flavor=ld.lld \
         -C link-arg=--image-base=0x400000 -C link-arg=-zmax-page-size=4096"
    );
    let mut args = Vec::new();
    for p in PROGRAMS {
        args.push("-p");
        args.push(*p);
    }
    cargo(udir.to_str().unwrap(), &uflags, &args, profile)?;

    let ntdll = build_ntdll(&root, profile)?;
    // The boot image: the boot configuration and ntdll.dll (the programs
    // join it with T4).
    let cfg = std::fs::read(root.join("ntos/boot.cfg")).map_err(|e| format!("ntos/boot.cfg: {e}"))?;
    let tar = bootimg::Builder::new()
        .add_file(bootimg::BOOT_CONFIG, &cfg)
        .add_dir("system32")
        .add_file("system32/ntdll.dll", &ntdll)
        .finish();
    let boot_image = out.join(BOOT_IMAGE);
    std::fs::write(&boot_image, tar).map_err(|e| e.to_string())?;
    Ok(Images { kernel, boot_image, programs: udir.join(TARGET).join(profile.dir()) })
}

/// ntdll.dll: a PE32+ DLL for x86_64-pc-windows-msvc linked by lld-link
/// without any Windows library; the Zw* names are aliases of the Nt* stubs,
/// listed from the same service table.
fn build_ntdll(root: &Path, profile: Profile) -> Result<Vec<u8>, String> {
    const PE_TARGET: &str = "x86_64-pc-windows-msvc";
    let dir = root.join("target/pe");
    let mut flags = String::from(
        "-C linker=/usr/lib/llvm-22/bin/lld-link -C link-arg=/NODEFAULTLIB -C link-arg=/ENTRY:_DllMainCRTStartup",
    );
    for s in nt_abi::SERVICES {
        let zw = s.name.replacen("Nt", "Zw", 1);
        flags.push_str(&format!(" -C link-arg=/EXPORT:{zw}={}", s.name));
    }
    cargo_for(PE_TARGET, dir.to_str().unwrap(), &flags, &["-p", "ntdll"], profile)?;
    let dll = dir.join(PE_TARGET).join(profile.dir()).join("ntdll.dll");
    std::fs::read(&dll).map_err(|e| format!("{}: {e}", dll.display()))
}
