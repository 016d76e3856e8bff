//! Exit codes: a documented contract (README "Exit codes").

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
