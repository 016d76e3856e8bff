//! How a command ended: its exit code and, when it stopped short, why.
//!
//! Commands never print their errors: they return them, and `main` prints each once, through
//! the redactor (an error may quote what a server answered, credentials included). A command
//! that could not run at all returns an `Err` (exit 2); one that ran and stopped at a gate, a
//! refusal, a failed upload or a failed job returns an [`Outcome`] with its [`Failure`].

use crate::exit::{self, Code};
use crate::logging::Redactor;

/// How a command ended.
#[derive(Debug)]
#[must_use]
pub struct Outcome {
    /// The exit code (see [`crate::exit`]).
    pub code: Code,
    /// Why the command stopped short, if it did.
    pub failure: Option<Failure>,
}

/// Why a command stopped short: printed on stderr as `error: MESSAGE`, then a `Caused by:`
/// line per cause, then the notes (what happened to the data, what to do next), each indented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The headline, without the `error: ` prefix.
    pub message: String,
    /// The chain of causes, outermost first.
    pub causes: Vec<String>,
    /// Lines after the causes.
    pub notes: Vec<String>,
}

impl Outcome {
    /// Exit 0, nothing to say.
    pub fn success() -> Outcome {
        Outcome::exit(exit::SUCCESS)
    }

    /// An exit code with nothing more to say (the findings, if any, are in the report).
    pub fn exit(code: Code) -> Outcome {
        Outcome {
            code,
            failure: None,
        }
    }

    /// A stop with this exit code and headline.
    pub fn failed(code: Code, message: impl Into<String>) -> Outcome {
        Outcome {
            code,
            failure: Some(Failure {
                message: message.into(),
                causes: Vec::new(),
                notes: Vec::new(),
            }),
        }
    }

    /// A stop whose headline is `prefix` and the error, with the error's causes.
    pub fn failed_with(
        code: Code,
        prefix: &str,
        error: &(dyn std::error::Error + 'static),
    ) -> Outcome {
        Outcome {
            code,
            failure: Some(Failure::from_error(prefix, error)),
        }
    }

    /// Adds a note after the failure's causes (nothing without a failure).
    pub fn note(mut self, note: impl Into<String>) -> Outcome {
        if let Some(f) = &mut self.failure {
            f.notes.push(note.into());
        }
        self
    }
}

impl From<Code> for Outcome {
    fn from(code: Code) -> Outcome {
        Outcome::exit(code)
    }
}

impl Failure {
    /// `prefix` and the error as the headline, its sources as the causes.
    pub fn from_error(prefix: &str, error: &(dyn std::error::Error + 'static)) -> Failure {
        let mut causes = Vec::new();
        let mut source = error.source();
        while let Some(s) = source {
            causes.push(s.to_string());
            source = s.source();
        }
        Failure {
            message: format!("{prefix}{error}"),
            causes,
            notes: Vec::new(),
        }
    }

    /// An error the command could not run past (exit 2), with its context chain.
    pub fn from_anyhow(error: &anyhow::Error) -> Failure {
        Failure {
            message: error.to_string(),
            causes: error.chain().skip(1).map(|c| c.to_string()).collect(),
            notes: Vec::new(),
        }
    }

    /// The lines `main` prints on stderr, each redacted.
    pub fn render(&self, redactor: &Redactor) -> String {
        let mut out = format!("error: {}\n", redactor.redact(&self.message));
        for c in &self.causes {
            out.push_str(&format!("  Caused by: {}\n", redactor.redact(c)));
        }
        for n in &self.notes {
            out.push_str(&format!("  {}\n", redactor.redact(n)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("the request failed")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn a_failure_is_its_headline_causes_and_notes_redacted() {
        let secret = "pre/flight+FakeSecretKey0123456789abcdefgh".to_string();
        let io = std::io::Error::other(format!("denied for AKIAPREFLIGHTFAKE7Q2X ({secret})"));
        let o = Outcome::failed_with(exit::UPLOAD_FAILED, "upload failed: ", &Outer(io))
            .note(format!("retry without {secret}"));
        assert_eq!(o.code, exit::UPLOAD_FAILED);
        let text = o.failure.unwrap().render(&Redactor::new([secret]));
        assert_eq!(
            text,
            "error: upload failed: the request failed\n  Caused by: denied for [redacted] ([redacted])\n  retry without [redacted]\n"
        );
        assert!(Outcome::success().failure.is_none());
        assert!(Outcome::success().note("ignored").failure.is_none());
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(
            Failure::from_anyhow(&e).render(&Redactor::new([])),
            "error: outer\n  Caused by: inner\n"
        );
    }
}
