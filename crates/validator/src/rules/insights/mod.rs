//! Rules of the insights family (PF5xx): what Personalize's own data analysis would report,
//! from `preflight insights` or `validate --insights`. Thresholds are stated in each rule.
//!
//! One file per rule; the list below is generated from the files of this folder by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/rules_insights.rs"));
