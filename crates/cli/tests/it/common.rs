//! Helpers shared by the CLI's test areas.
#![allow(dead_code, reason = "each area uses part of it")]

use std::path::{Path, PathBuf};

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

/// The multipart uploads in progress on the server (its upload records), and the part files
/// s3s-fs keeps for them: none may outlive a refused stage.
pub fn open_uploads(root: &Path, bucket: &str) -> Vec<String> {
    let names = |dir: PathBuf| -> Vec<String> {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    };
    let mut out: Vec<String> = names(root.to_path_buf())
        .into_iter()
        .chain(names(root.join(bucket)))
        .filter(|n| n.starts_with(".upload"))
        .collect();
    out.extend(names(root.join(".shim").join("uploads")));
    out
}
