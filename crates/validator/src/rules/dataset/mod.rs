//! Rules of the dataset family (PF3xx): facts about the whole import, from the same single pass.
//!
//! One file per rule; the list below is generated from the files of this folder by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/rules_dataset.rs"));
