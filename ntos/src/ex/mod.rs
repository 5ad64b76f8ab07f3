//! Executive support: the boot sequence, the Executive's state and the
//! service dispatcher.

pub mod boot;
pub mod dispatch;
pub mod executive;
pub mod object;
pub mod wait;
pub mod obsvc;
pub mod sysinfo;

pub use executive::Executive;
