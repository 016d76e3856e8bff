//! Rules of the field family (PF2xx): one field of one record.
//!
//! One file per rule; the list below is generated from the files of this folder by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/rules_field.rs"));
