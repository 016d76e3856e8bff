//! The upload progress bar: drawn on stderr, only where someone watches it.

use std::collections::HashMap;
use std::sync::Mutex;

use preflight_uploader::requests::human_duration;
use preflight_uploader::{Progress, RequestObserver, RetryCause, RetryNotice};

use crate::args::ProgressChoice;

/// Whether to draw a progress bar: on request, or on a terminal outside CI.
pub fn show_progress(choice: ProgressChoice, stderr_is_terminal: bool, is_ci: bool) -> bool {
    match choice {
        ProgressChoice::Always => true,
        ProgressChoice::Never => false,
        ProgressChoice::Auto => stderr_is_terminal && !is_ci,
    }
}

/// Whether the environment says this is CI (`CI` set to anything but `false` or `0`).
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// An indicatif bar of bytes.
#[derive(Debug)]
pub struct Bar(indicatif::ProgressBar);

impl Bar {
    pub fn new() -> Bar {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(0),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg:30!} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Bar(bar)
    }
}

impl Progress for Bar {
    fn begin(&self, total_bytes: u64) {
        self.0.set_length(total_bytes);
    }
    fn file(&self, name: &str) {
        self.0.set_message(name.to_string());
    }
    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// What a stage (or any command talking to S3) reports: the bar, when one is drawn, and one
/// line on stderr per retried request, naming the request, the part ("7 of 38") and why, so a
/// store that stops answering is never a silent wait.
#[derive(Debug, Default)]
pub struct Reporter {
    bar: Option<Bar>,
    /// Parts per object key, as the stage announces them.
    parts: Mutex<HashMap<String, u64>>,
}

impl Reporter {
    /// A reporter drawing a bar or not.
    pub fn new(bar: bool) -> Reporter {
        Reporter {
            bar: bar.then(Bar::new),
            parts: Mutex::default(),
        }
    }

    /// Runs `f` (which prints on stderr) with the bar out of the way.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(b) => b.0.suspend(f),
            None => f(),
        }
    }
}

impl Progress for Reporter {
    fn begin(&self, total_bytes: u64) {
        if let Some(b) = &self.bar {
            b.begin(total_bytes);
        }
    }
    fn file(&self, name: &str) {
        if let Some(b) = &self.bar {
            b.file(name);
        }
    }
    fn parts(&self, key: &str, total: u64) {
        if let Ok(mut m) = self.parts.lock() {
            m.insert(key.to_string(), total);
        }
    }
    fn advance(&self, bytes: u64) {
        if let Some(b) = &self.bar {
            b.advance(bytes);
        }
    }
    fn waiting(&self) {
        if let Some(b) = &self.bar {
            b.0.set_message("waiting for validation");
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish();
        }
    }
}

impl RequestObserver for Reporter {
    fn retrying(&self, notice: &RetryNotice) {
        let total = notice.key.as_ref().and_then(|k| {
            self.parts
                .lock()
                .ok()
                .and_then(|m| m.get(k.as_str()).copied())
        });
        let line = retry_line(notice, total);
        match &self.bar {
            Some(b) => b.0.println(line),
            None => eprintln!("{line}"),
        }
    }
}

/// The line printed for a retry: `no answer to UploadPart 7 of 38 (big.csv) after 5m;
/// retrying, attempt 2 of 3`.
pub fn retry_line(n: &RetryNotice, total_parts: Option<u64>) -> String {
    let mut what = n.operation.clone();
    if let Some(p) = n.part {
        what.push_str(&format!(" {p}"));
        if let Some(t) = total_parts {
            what.push_str(&format!(" of {t}"));
        }
    }
    if let Some(k) = &n.key {
        let name = k.rsplit('/').next().unwrap_or(k);
        what.push_str(&format!(" ({name})"));
    }
    let head = match &n.cause {
        RetryCause::NoAnswer(d) => format!("no answer to {what} after {}", human_duration(*d)),
        RetryCause::Connection(m) => format!("{what} lost its connection ({m})"),
        RetryCause::Answer { status, code } => match code {
            Some(c) => format!("{what} got HTTP {status} {c}"),
            None => format!("{what} got HTTP {status}"),
        },
        RetryCause::Other(m) => format!("{what} failed ({m})"),
    };
    format!(
        "{head}; retrying, attempt {} of {}",
        n.attempt, n.max_attempts
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_says_which_request_why_and_how_many_attempts_remain() {
        let notice = |cause, part: Option<u32>, key: Option<&str>| RetryNotice {
            operation: if part.is_some() {
                "UploadPart"
            } else {
                "HeadObject"
            }
            .into(),
            key: key.map(String::from),
            part,
            attempt: 2,
            max_attempts: 3,
            cause,
        };
        let five_min = RetryCause::NoAnswer(std::time::Duration::from_secs(300));
        let table = [
            (
                notice(five_min.clone(), Some(7), Some("team/i/r/big.csv")),
                Some(38),
                "no answer to UploadPart 7 of 38 (big.csv) after 5m; retrying, attempt 2 of 3",
            ),
            (
                notice(five_min, Some(7), None),
                None,
                "no answer to UploadPart 7 after 5m; retrying, attempt 2 of 3",
            ),
            (
                notice(
                    RetryCause::Answer {
                        status: 503,
                        code: Some("SlowDown".into()),
                    },
                    None,
                    Some("a.csv"),
                ),
                None,
                "HeadObject (a.csv) got HTTP 503 SlowDown; retrying, attempt 2 of 3",
            ),
            (
                notice(
                    RetryCause::Connection("connection reset".into()),
                    None,
                    None,
                ),
                None,
                "HeadObject lost its connection (connection reset); retrying, attempt 2 of 3",
            ),
        ];
        for (n, total, want) in table {
            assert_eq!(retry_line(&n, total), want);
        }
    }

    #[test]
    fn progress_is_shown_only_where_someone_watches() {
        use ProgressChoice::*;
        let table = [
            // (choice, stderr is a terminal, CI, shown)
            (Auto, true, false, true),
            (Auto, true, true, false),
            (Auto, false, false, false),
            (Auto, false, true, false),
            (Always, false, true, true),
            (Always, true, false, true),
            (Never, true, false, false),
            (Never, false, false, false),
        ];
        for (choice, tty, ci, shown) in table {
            assert_eq!(
                show_progress(choice, tty, ci),
                shown,
                "{choice:?} tty={tty} ci={ci}"
            );
        }
    }
}
