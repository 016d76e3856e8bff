//! Exit codes: a documented contract (docs/exit-codes.md; each command's page lists its own).

/// An exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code(pub u8);

impl From<Code> for std::process::ExitCode {
    fn from(c: Code) -> Self {
        std::process::ExitCode::from(c.0)
    }
}

/// No finding at the failing severity (warnings allowed).
pub const SUCCESS: Code = Code(0);
/// Findings at error level.
pub const FINDINGS: Code = Code(1);
/// The tool could not run: bad arguments, an unreadable file, a schema that is not JSON.
pub const FAILURE: Code = Code(2);
/// `preflight stage`: the upload failed (network, permissions, a checksum the store rejected);
/// the run folder has no manifest, and running the same command again resumes it.
pub const UPLOAD_FAILED: Code = Code(3);
/// `preflight import`, `run`, `watch`: the import job ended `CREATE FAILED` (its
/// `failureReason` is printed, with the rule that catches it where one does); `train` and
/// `run --retrain`: the solution version ended `CREATE FAILED` (or was stopped).
pub const IMPORT_FAILED: Code = Code(4);
/// `--timeout` passed while the job was still pending or in progress; the job goes on
/// (`preflight watch JOB_ARN` re-attaches).
pub const WATCH_TIMEOUT: Code = Code(5);
/// `preflight import`, `run`: no job was created because a check before it failed (an access
/// check found an error: Personalize could not read the data; the dataset is not ACTIVE, INCREMENTAL without an earlier import, a full queue with `--no-queue`, a
/// folder without a matching manifest) or the service refused the request (a job name in
/// use, `LimitExceededException`). `train`, `run --retrain`: no solution version was created
/// (UPDATE the recipe does not support, or the service refused the request).
pub const IMPORT_REFUSED: Code = Code(6);
/// Ctrl-C while watching (the watch stopped, the import job goes on) or while fixing (nothing
/// written, an `--in-place` input untouched).
pub const INTERRUPTED: Code = Code(130);
