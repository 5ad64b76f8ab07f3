//! nt_dllfail.dll: nothing to add to the link (default entry _DllMainCRTStartup).
fn main() {}
