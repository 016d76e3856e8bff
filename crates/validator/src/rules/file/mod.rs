//! Rules of the file family (PF0xx): the file as a whole: encoding, line endings, where it sits.
//!
//! One file per rule; the list below is generated from the files of this folder by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/rules_file.rs"));
