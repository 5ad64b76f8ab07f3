//! Writing NT records into byte buffers. The Executive builds every
//! structure a client reads (PEB, TEB, process parameters, information
//! classes, KUSER_SHARED_DATA) as little-endian bytes at field offsets,
//! never by copying Rust structs out, whose padding would carry
//! uninitialised bytes.

/// Copies `v` into `b` at offset `at`.
pub fn put(b: &mut [u8], at: usize, v: &[u8]) {
    b[at..at + v.len()].copy_from_slice(v);
}
