//! Packs a directory tree into a boot image with [`bootimg::Builder`]:
//! `cargo run -p bootimg --features std --example pack_dir -- DIR OUT`.
//!
//! It walks the tree in byte order of names, depth first, as
//! `tar --sort=name` does, so `tests/support/gnu-tar-check.sh` can compare
//! the result with GNU tar's byte for byte. Only directories and regular
//! files are packed; anything else is an error, as the boot image has no
//! use for it.

use std::path::Path;
use std::process::ExitCode;

fn walk(builder: &mut bootimg::Builder, root: &Path, rel: &str) -> Result<(), String> {
    let dir = root.join(rel);
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .and_then(|d| {
            d.map(|e| e.map(|e| e.file_name()))
                .collect::<Result<_, _>>()
        })
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    names.sort();
    for name in names {
        let name = name
            .into_string()
            .map_err(|n| format!("{n:?}: not UTF-8"))?;
        let path = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let full = root.join(&path);
        let meta = std::fs::symlink_metadata(&full).map_err(|e| format!("{path}: {e}"))?;
        if meta.is_dir() {
            builder
                .try_add_dir(&path)
                .map_err(|e| format!("{path}: {e}"))?;
            walk(builder, root, &path)?;
        } else if meta.is_file() {
            let data = std::fs::read(&full).map_err(|e| format!("{path}: {e}"))?;
            builder
                .try_add_file(&path, &data)
                .map_err(|e| format!("{path}: {e}"))?;
        } else {
            return Err(format!("{path}: neither a file nor a directory"));
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, out] = args.as_slice() else {
        eprintln!("usage: pack_dir DIR OUT");
        return ExitCode::FAILURE;
    };
    let mut builder = bootimg::Builder::new();
    let result = walk(&mut builder, Path::new(dir), "")
        .and_then(|()| std::fs::write(out, builder.finish()).map_err(|e| format!("{out}: {e}")));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pack_dir: {e}");
            ExitCode::FAILURE
        }
    }
}
