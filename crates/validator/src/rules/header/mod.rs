//! Rules of the header family (PF1xx): the header row.
//!
//! One file per rule; the list below is generated from the files of this folder by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/rules_header.rs"));
