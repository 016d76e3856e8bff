//! Rules of the schema family (PF4xx): the Avro schema.
//!
//! One file per rule; the list below is generated from the files of this folder by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/rules_schema.rs"));
