//! What the emitters share: the content of a plan and of the insights, independent of any
//! format.

pub mod fix;
pub mod insights;
pub mod plan;
