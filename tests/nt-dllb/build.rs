//! nt_dllb.dll keeps lld-link's default DLL base, which is ntdll's, so the
//! Executive must map it elsewhere and apply its base relocations.
fn main() {}
