//! The `preflight` command line as a library: `main.rs` parses, runs and prints the outcome;
//! tests run a command in-process with injected AWS clients ([`commands::Clients`]), since
//! `aws-smithy-mocks` works only in-process. Both go through [`commands::run_with`].
//!
//! A run builds one session (`session.rs`: settings layered once, engine options, AWS clients,
//! one I/O runtime), runs one command from `commands/` and returns an [`outcome::Outcome`].

mod access;
pub mod args;
mod aws;
mod changes;
pub mod commands;
mod config;
mod dataset;
pub mod exit;
mod git;
mod import_job;
mod insights;
pub mod logging;
pub mod outcome;
mod progress;
mod render;
mod repair;
mod s3;
mod seal;
mod session;
mod staging;
