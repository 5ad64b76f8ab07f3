//! `./x`: the one entry point for building, running, testing and benchmarking
//! Triton. Each subcommand lives in its own module; this file parses the
//! command line and dispatches.

mod bench;
mod build;
mod elf32;
mod harness;
mod setup;
mod suites;
mod test;

use std::process::ExitCode;

const HELP: &str = "\
usage: ./x <command> [options]

commands:
  setup              install the Debian packages Triton needs (only missing ones)
  build [--release]  build the kernel and every guest program
  run [--release] [--vga] [--mem SIZE]
                     build and boot Triton in QEMU; serial output in this terminal
                     (--vga shows the VGA console with -display curses instead)
  test [--release] [FILTER]
                     host tests, then every in-QEMU suite (or those whose name
                     contains FILTER); ends with `N passed, M failed`
  bench NAME         run a benchmark (release build): ipc, fuzz-kernel, all;
                     prints `bench NAME.METRIC = VALUE UNIT` lines
  help               this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        print!("{HELP}");
        return ExitCode::from(2);
    };
    let opts = Opts::parse(&args[1..]);
    let result = match cmd.as_str() {
        "setup" => setup::run(),
        "build" => setup::run().and_then(|()| build::build_all(opts.profile()).map(|_| ())),
        "run" => setup::run().and_then(|()| run(&opts)),
        "test" => setup::run().and_then(|()| test::run(&opts)),
        "bench" => setup::run().and_then(|()| bench::run(&opts)),
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}` (try ./x help)")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("x: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Options shared by the subcommands.
pub struct Opts {
    pub release: bool,
    pub vga: bool,
    pub mem: Option<String>,
    pub filter: Option<String>,
}

impl Opts {
    fn parse(args: &[String]) -> Opts {
        let mut o = Opts { release: false, vga: false, mem: None, filter: None };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--release" => o.release = true,
                "--vga" => o.vga = true,
                "--mem" => o.mem = it.next().cloned(),
                other => o.filter = Some(other.to_string()),
            }
        }
        o
    }

    pub fn profile(&self) -> build::Profile {
        if self.release { build::Profile::Release } else { build::Profile::Debug }
    }
}

/// `./x run`: boot the default image interactively.
fn run(opts: &Opts) -> Result<(), String> {
    let images = build::build_all(opts.profile())?;
    let mut q = harness::Qemu::new(&images.kernel, &[images.program("ntos")?, images.boot_image.clone()]);
    if let Some(m) = &opts.mem {
        q.mem = m.clone();
    }
    q.run_interactive(opts.vga)
}
