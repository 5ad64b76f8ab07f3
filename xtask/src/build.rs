//! `./x build`: builds the kernel and the guest programs for
//! x86_64-unknown-none with Debian's Rust (-Zbuild-std), then converts the
//! kernel to the 32-bit multiboot ELF that QEMU's `-kernel` accepts; builds
//! ntdll.dll and the native NT programs (PE32+, x86_64-pc-windows-msvc) and
//! packs them into boot images, one per first program (`boot.tar` starts
//! hello.exe, `boot-<program>.tar` each NT test suite's program).

use crate::suites::{NtBoot, SUITES};
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

/// A native NT program or DLL for the boot image's `system32/`: the cargo
/// package that builds it and the file it becomes (the name cargo gives it:
/// `<bin>.exe`, or `<lib name>.dll` with the lib name's underscores).
pub struct PeProgram {
    pub package: &'static str,
    pub file: &'static str,
}

/// Every native NT program and DLL packed into the boot images.
pub const PE_PROGRAMS: &[PeProgram] = &[
    PeProgram { package: "hello", file: "hello.exe" },
    PeProgram { package: "nt-ob", file: "nt-ob.exe" },
    PeProgram { package: "nt-ps", file: "nt-ps.exe" },
    PeProgram { package: "nt-child", file: "nt-child.exe" },
    PeProgram { package: "nt-ldr", file: "nt-ldr.exe" },
    PeProgram { package: "nt-sec", file: "nt-sec.exe" },
    PeProgram { package: "nt-dlla", file: "nt_dlla.dll" },
    PeProgram { package: "nt-dllb", file: "nt_dllb.dll" },
    PeProgram { package: "nt-dllfail", file: "nt_dllfail.dll" },
    PeProgram { package: "nt-rtl", file: "nt-rtl.exe" },
    PeProgram { package: "nt-fuzz", file: "nt-fuzz.exe" },
    PeProgram { package: "nt-time", file: "nt-time.exe" },
    PeProgram { package: "nt-wait", file: "nt-wait.exe" },
    PeProgram { package: "nt-sysinfo", file: "nt-sysinfo.exe" },
    PeProgram { package: "nt-mm", file: "nt-mm.exe" },
    PeProgram { package: "nt-apc", file: "nt-apc.exe" },
    PeProgram { package: "bench-syscall", file: "bench-syscall.exe" },
    PeProgram { package: "bench-vm-nt", file: "bench-vm-nt.exe" },
];

const TARGET: &str = "x86_64-unknown-none";
/// The target of ntdll.dll and the native NT programs.
const WINDOWS_TARGET: &str = "x86_64-pc-windows-msvc";
/// The default boot image's file name (the module name the Executive sees).
pub const BOOT_IMAGE: &str = "boot.tar";
/// What the default boot image starts (`./x run`, the nt-boot suite).
pub const DEFAULT_BOOT: NtBoot = NtBoot { program: "\\SystemRoot\\system32\\hello.exe", args: "from the boot image" };
const LLD: &str = "/usr/lib/llvm-22/bin/ld.lld";

/// The files one build produced.
pub struct Images {
    pub kernel: PathBuf,
    /// The default boot image (a ustar archive) the Executive reads.
    pub boot_image: PathBuf,
    /// The boot images of the NT suites, by first program.
    pub nt_images: Vec<(NtBoot, PathBuf)>,
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

    /// The boot image that starts `boot`.
    pub fn boot_image_for(&self, boot: &NtBoot) -> Result<PathBuf, String> {
        if *boot == DEFAULT_BOOT {
            return Ok(self.boot_image.clone());
        }
        self.nt_images
            .iter()
            .find(|(b, _)| b == boot)
            .map(|(_, p)| p.clone())
            .ok_or_else(|| format!("no boot image starts {}", boot.program))
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
        .args(["-Zbuild-std=core,alloc,compiler_builtins", "-Zbuild-std-features=compiler-builtins-mem"])
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
    let pe = build_pe_programs(&root, profile)?;
    // The boot images: the same system32/ (ntdll.dll and every PE program)
    // with a boot.cfg naming a different first program.
    let mut system32 = vec![("ntdll.dll", ntdll)];
    system32.extend(pe);
    let boot_image = out.join(BOOT_IMAGE);
    write_boot_image(&boot_image, &DEFAULT_BOOT, &system32)?;
    let mut nt_images: Vec<(NtBoot, PathBuf)> = Vec::new();
    let suite_boots = SUITES.iter().flat_map(|s| s.boots).filter_map(|b| b.nt);
    for boot in suite_boots.chain(crate::bench::NT_BOOTS.iter().copied()) {
        if boot == DEFAULT_BOOT || nt_images.iter().any(|(b, _)| *b == boot) {
            continue;
        }
        let path = out.join(boot_image_name(&boot));
        write_boot_image(&path, &boot, &system32)?;
        nt_images.push((boot, path));
    }
    Ok(Images { kernel, boot_image, nt_images, programs: udir.join(TARGET).join(profile.dir()) })
}

/// `boot-<program>.tar` for a boot image that starts `<program>.exe`.
pub fn boot_image_name(boot: &NtBoot) -> String {
    let file = boot.program.rsplit('\\').next().unwrap_or(boot.program);
    let stem = file.strip_suffix(".exe").unwrap_or(file);
    if boot.args.is_empty() {
        format!("boot-{stem}.tar")
    } else {
        // Same program, other arguments: tell the images apart by a hash.
        let h = boot.args.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
        format!("boot-{stem}-{:08x}.tar", h as u32)
    }
}

/// The boot configuration that starts `boot`.
pub fn boot_config(boot: &NtBoot) -> String {
    format!(
        "# Triton boot configuration, written by ./x build.\n[boot]\n# The first program the Executive starts (NT path).\nprogram = {}\nargs = {}\n",
        boot.program, boot.args
    )
}

fn write_boot_image(path: &Path, boot: &NtBoot, system32: &[(&str, Vec<u8>)]) -> Result<(), String> {
    let cfg = boot_config(boot);
    let mut b = bootimg::Builder::new();
    b.try_add_file(bootimg::BOOT_CONFIG, cfg.as_bytes()).map_err(|e| format!("boot.cfg: {e}"))?;
    b.try_add_dir("system32").map_err(|e| format!("system32: {e}"))?;
    for (name, data) in system32 {
        b.try_add_file(&format!("system32/{name}"), data).map_err(|e| format!("{name}: {e}"))?;
    }
    std::fs::write(path, b.finish()).map_err(|e| format!("{}: {e}", path.display()))
}

/// The native NT programs and test DLLs of [`PE_PROGRAMS`], built like
/// ntdll.dll (x86_64-pc-windows-msvc, build-std, lld-link, no Windows
/// library) but in a target directory of their own: their link flags differ
/// from ntdll's, and sharing one directory would rebuild `core` whenever
/// the two alternate. Each crate's build.rs adds its own link arguments
/// (entry point, subsystem, exports, base address).
fn build_pe_programs(root: &Path, profile: Profile) -> Result<Vec<(&'static str, Vec<u8>)>, String> {
    let dir = root.join("target/pe-programs");
    let flags = "-C linker=/usr/lib/llvm-22/bin/lld-link -C link-arg=/NODEFAULTLIB";
    let mut args = Vec::new();
    for p in PE_PROGRAMS {
        args.push("-p");
        args.push(p.package);
    }
    cargo_for(WINDOWS_TARGET, dir.to_str().unwrap(), flags, &args, profile)?;
    let out = dir.join(WINDOWS_TARGET).join(profile.dir());
    PE_PROGRAMS
        .iter()
        .map(|p| {
            let f = out.join(p.file);
            std::fs::read(&f).map(|d| (p.file, d)).map_err(|e| format!("{}: {e}", f.display()))
        })
        .collect()
}

/// ntdll.dll: a PE32+ DLL for x86_64-pc-windows-msvc linked by lld-link
/// without any Windows library; the Zw* names are aliases of the Nt* stubs,
/// listed from the same service table.
fn build_ntdll(root: &Path, profile: Profile) -> Result<Vec<u8>, String> {
    const PE_TARGET: &str = "x86_64-pc-windows-msvc";
    let dir = root.join("target/pe");
    let mut flags = String::from(
        "-C linker=/usr/lib/llvm-22/bin/lld-link -C link-arg=/NODEFAULTLIB -C link-arg=/NOENTRY",
    );
    for s in nt_abi::SERVICES {
        let zw = s.name.replacen("Nt", "Zw", 1);
        flags.push_str(&format!(" -C link-arg=/EXPORT:{zw}={}", s.name));
    }
    // The C runtime's memcpy, memmove, memset, memcmp and strlen are the
    // compiler-builtins ones (ntdll/src/crt/mod.rs): export them by name.
    for f in ["memcpy", "memmove", "memset", "memcmp", "strlen"] {
        flags.push_str(&format!(" -C link-arg=/EXPORT:{f}"));
    }
    // Entry points written in assembly (ntdll/src/ki.rs), which cdylib's
    // automatic exports do not see.
    flags.push_str(" -C link-arg=/EXPORT:KiUserApcDispatcher");
    cargo_for(PE_TARGET, dir.to_str().unwrap(), &flags, &["-p", "ntdll"], profile)?;
    let dll = dir.join(PE_TARGET).join(profile.dir()).join("ntdll.dll");
    std::fs::read(&dll).map_err(|e| format!("{}: {e}", dll.display()))
}
