#!/bin/sh
# Checks the writer against GNU tar (a support step, run by hand; the test
# suite does not need tar). It makes a small tree, packs it with the
# `pack_dir` example (bootimg::Builder) and with GNU tar using the options
# the writer imitates, then:
#   1. compares the two archives byte for byte,
#   2. lists ours with `tar -tvf`,
#   3. unpacks ours with GNU tar and compares the result with the tree.
# Usage: lib/bootimg/tests/support/gnu-tar-check.sh   (from anywhere)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
crate=$(dirname "$(dirname "$here")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C
umask 022

tree="$work/tree"
long="$tree/deep/$(printf 'd%.0s' $(seq 60))/$(printf 'e%.0s' $(seq 60))"
mkdir -p "$tree/system32/drivers" "$long"
printf '# Triton boot configuration\n[boot]\nprogram = \\SystemRoot\\system32\\ntcmd.exe\nargs =\n' \
    > "$tree/boot.cfg"
head -c 1300 /dev/zero | tr '\0' 'N' > "$tree/system32/ntdll.dll"   # three blocks
head -c 512 /dev/zero | tr '\0' 'C' > "$tree/system32/ntcmd.exe"    # exactly one
: > "$tree/system32/drivers/beep.sys"                               # empty
printf 'deep\n' > "$long/$(printf 'f%.0s' $(seq 90)).txt"           # uses the prefix field

cargo run --quiet --manifest-path "$crate/Cargo.toml" --target-dir "${CARGO_TARGET_DIR:-$crate/../../target}" \
    --features std --example pack_dir -- "$tree" "$work/ours.tar"
# shellcheck disable=SC2046 # top-level names, none with spaces
tar --format=ustar --numeric-owner --owner=0 --group=0 --mtime=@0 \
    --sort=name --blocking-factor=1 -C "$tree" -cf "$work/gnu.tar" $(ls "$tree")

echo "== tar -tvf (bootimg::Builder output)"
tar -tvf "$work/ours.tar"
echo "== cmp with GNU tar's archive"
cmp "$work/ours.tar" "$work/gnu.tar"
echo "identical ($(wc -c < "$work/ours.tar") bytes)"
echo "== unpack with GNU tar and compare with the tree"
mkdir "$work/out"
tar -xf "$work/ours.tar" -C "$work/out"
diff -r "$tree" "$work/out"
echo "same files and contents"
echo "gnu-tar-check: OK ($(tar --version | head -n 1))"
