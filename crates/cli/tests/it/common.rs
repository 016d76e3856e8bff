//! Helpers shared by the CLI's test areas.
#![allow(dead_code, reason = "each area uses part of it")]

use std::path::PathBuf;

use assert_cmd::Command;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The real binary run from the repository root, with a fixed "now", no colours and no
/// GitHub step summary.
pub fn preflight() -> Command {
    let mut c = Command::cargo_bin("preflight").unwrap();
    c.current_dir(root())
        .env("PREFLIGHT_NOW", "1700000000")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1");
    c
}

/// Whether the real files of `../shared/realdata` must be present: under `CI=true` (the project's
/// CI provides them beside the clone), unless `PREFLIGHT_REALDATA=optional` says this CI has no
/// copy (a GitHub runner: the files are other people's and are not redistributed with the repo).
pub fn realdata_required() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
        && std::env::var("PREFLIGHT_REALDATA").as_deref() != Ok("optional")
}

pub use preflight_s3_test_server::open_uploads;
