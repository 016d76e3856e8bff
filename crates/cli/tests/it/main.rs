//! The integration tests of the `preflight` binary: one test binary (each area a module), so
//! polars and the AWS SDKs are linked once.

mod adversarial;
mod cli;
mod common;
mod docs;
mod fix;
mod gating;
mod insights;
mod plan;
mod realdata;
mod rules;
mod run;
mod secrets;
mod stage;
mod watch;
