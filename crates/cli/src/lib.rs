//! The `preflight` command line as a library: `main.rs` parses and maps to an exit code, and
//! tests run a command in-process with injected AWS clients ([`commands::Clients`]), since
//! `aws-smithy-mocks` works only in-process. Both go through [`commands::run_with`].

pub mod args;
pub mod commands;
mod config;
pub mod exit;
mod git;
pub mod logging;
mod progress;
mod render;
mod s3;
