//! `--debug`: debug logging to stderr (ours and the AWS SDK's), through a writer that redacts
//! credentials.
//!
//! Every line is redacted before it is written: the values of the AWS credential variables and
//! of the shared credentials file, wherever they appear (also percent-encoded), and the shapes a
//! signed request leaks them in: `Credential=AKIA…/`, `Signature=…`, `x-amz-security-token`,
//! `Authorization` header values, and access key IDs (`AKIA…`, `ASIA…`). Redaction does not
//! depend on the SDK's own (it redacts some headers in its Debug output), so a log line built
//! anywhere, from an error body or a request dump, cannot carry a secret out.

use std::io::Write;
use std::sync::Arc;

use regex::Regex;
use tracing_subscriber::fmt::MakeWriter;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// Environment variables whose values are secrets (and the access key ID, which names one).
const SECRET_VARS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
];

/// Keys of the shared credentials/config files whose values are secrets.
const SECRET_KEYS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
];

/// Values shorter than this are not redacted by value (they would blank out ordinary words);
/// real keys are 16 characters and more, and the patterns still apply.
const MIN_SECRET_LEN: usize = 6;

/// Removes credentials from text.
#[derive(Debug, Clone)]
pub struct Redactor {
    secrets: Vec<String>,
    patterns: Vec<(Regex, &'static str)>,
}

impl Redactor {
    /// A redactor for these known secret values (plus the patterns).
    pub fn new(values: impl IntoIterator<Item = String>) -> Redactor {
        let mut secrets: Vec<String> = Vec::new();
        for v in values {
            let v = v.trim().to_string();
            if v.len() < MIN_SECRET_LEN {
                continue;
            }
            let encoded = percent_encode(&v);
            if encoded != v {
                secrets.push(encoded);
            }
            secrets.push(v);
        }
        // Longest first, so a secret that contains another is removed whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        let re = |p: &str| Regex::new(p).expect("a valid redaction pattern");
        let patterns = vec![
            // SigV4 in a header or a query: Credential=AKID/date/region/…, X-Amz-Credential=AKID%2F…
            (re(r"(?i)(credential=)[^/%,\s&]+"), "${1}[redacted]"),
            (re(r"(?i)(signature=)[0-9a-z]+"), "${1}[redacted]"),
            // The header and query forms of the session token, in text and in Debug output.
            (
                re(r#"(?i)(x-amz-security-token"?\s*[:=]\s*"?)[^"\s,&}]+"#),
                "${1}[redacted]",
            ),
            (
                re(r#"(?i)(authorization"?\s*[:=]\s*"?)[^"\n]+"#),
                "${1}[redacted]",
            ),
            // Access key IDs anywhere.
            (re(r"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b"), REDACTED),
        ];
        Redactor { secrets, patterns }
    }

    /// A redactor for the credentials this process can see: the AWS variables and the keys of
    /// the shared credentials and config files.
    pub fn from_environment() -> Redactor {
        let mut values: Vec<String> = SECRET_VARS
            .iter()
            .filter_map(|k| std::env::var(k).ok())
            .collect();
        let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
        let files = [
            std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
                .map(Into::into)
                .or_else(|| home.as_ref().map(|h| h.join(".aws/credentials"))),
            std::env::var_os("AWS_CONFIG_FILE")
                .map(Into::into)
                .or_else(|| home.as_ref().map(|h| h.join(".aws/config"))),
        ];
        for file in files.into_iter().flatten() {
            if let Ok(text) = std::fs::read_to_string(file) {
                values.extend(secrets_in_ini(&text));
            }
        }
        Redactor::new(values)
    }

    /// `text` without credentials.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), REDACTED);
            }
        }
        for (re, with) in &self.patterns {
            if re.is_match(&out) {
                out = re.replace_all(&out, *with).into_owned();
            }
        }
        out
    }
}

/// The secret values of an AWS credentials or config file (`key = value` lines).
fn secrets_in_ini(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| SECRET_KEYS.contains(&k.trim().to_ascii_lowercase().as_str()))
        .map(|(_, v)| v.trim().to_string())
        .collect()
}

/// Percent-encoding as in a URL query (a secret with `/` or `+` appears as `%2F`, `%2B`).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Writes redacted log events to stderr.
#[derive(Debug, Clone)]
pub struct RedactingStderr {
    redactor: Arc<Redactor>,
}

impl RedactingStderr {
    /// A writer using `redactor`.
    pub fn new(redactor: Redactor) -> RedactingStderr {
        RedactingStderr {
            redactor: Arc::new(redactor),
        }
    }
}

/// One event's writer: the formatter writes an event in one piece, redacted as a whole.
#[derive(Debug)]
pub struct EventWriter {
    redactor: Arc<Redactor>,
}

impl Write for EventWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        std::io::stderr()
            .lock()
            .write_all(self.redactor.redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> MakeWriter<'a> for RedactingStderr {
    type Writer = EventWriter;
    fn make_writer(&'a self) -> EventWriter {
        EventWriter {
            redactor: self.redactor.clone(),
        }
    }
}

/// Turns on debug logging (all targets, the AWS SDK's included) to redacted stderr.
pub fn init_debug() {
    let redactor = Redactor::from_environment();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(RedactingStderr::new(redactor))
        .with_target(true)
        .finish();
    // Only `main` calls this, once; a second subscriber would be a bug, not worth a crash.
    let _ = tracing::subscriber::set_global_default(subscriber);
    debug_environment();
}

/// The AWS settings this run sees, for "which credentials and endpoint am I using?". Values
/// go through the redacting writer like every line: names show what is set, secrets do not.
fn debug_environment() {
    let mut vars: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| k.starts_with("AWS_") || k.starts_with("PREFLIGHT_"))
        .collect();
    vars.sort();
    for (k, v) in vars {
        tracing::debug!(target: "preflight::env", "{k}={v}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AKIAFAKEKEY123456789";
    const SECRET: &str = "fAkE/sEcReT+kEy/0123456789abcdefghijklmn";
    const TOKEN: &str = "FQoGZXIvYXdzEFakeSessionToken/with+slashes==";

    fn r() -> Redactor {
        Redactor::new([KEY.to_string(), SECRET.to_string(), TOKEN.to_string()])
    }

    #[test]
    fn known_values_are_removed_also_percent_encoded() {
        let line = format!(
            "env AWS_SECRET_ACCESS_KEY={SECRET} token={TOKEN} q=X-Amz-Security-Token={}",
            percent_encode(TOKEN)
        );
        let out = r().redact(&line);
        assert!(!out.contains(SECRET) && !out.contains(TOKEN), "{out}");
        assert!(!out.contains(&percent_encode(TOKEN)), "{out}");
        assert!(out.contains("AWS_SECRET_ACCESS_KEY=[redacted]"), "{out}");
    }

    #[test]
    fn signed_request_shapes_are_removed_whatever_the_values() {
        let none = Redactor::new(Vec::new());
        for (line, gone) in [
            (
                "authorization: AWS4-HMAC-SHA256 Credential=AKIAOTHERKEY00000000/20261129/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0123abcd",
                vec!["AKIAOTHERKEY00000000", "0123abcd", "AWS4-HMAC"],
            ),
            (
                r#"headers: {"x-amz-security-token": "IQoJb3JpZ2luX2VjEFAKE", "host": "s3"}"#,
                vec!["IQoJb3JpZ2luX2VjEFAKE"],
            ),
            (
                "GET /b?X-Amz-Credential=ASIAOTHERKEY00000000%2F20261129&X-Amz-Signature=feedbeef&X-Amz-Security-Token=abc%2Fdef",
                vec!["ASIAOTHERKEY00000000", "feedbeef", "abc%2Fdef"],
            ),
            ("the key AKIAIOSFODNN7EXAMPLE was used", vec!["AKIAIOSFODNN7EXAMPLE"]),
        ] {
            let out = none.redact(line);
            for g in gone {
                assert!(!out.contains(g), "{g} left in {out}");
            }
            assert!(out.contains(REDACTED), "{out}");
        }
        assert_eq!(none.redact("an ordinary line"), "an ordinary line");
    }

    #[test]
    fn credentials_files_are_read_for_secrets() {
        let text = "[default]\naws_access_key_id = AKIAFILEKEY000000000\nAWS_Secret_Access_Key=s3cr3t-from-file\nregion = us-east-1\n";
        assert_eq!(
            secrets_in_ini(text),
            ["AKIAFILEKEY000000000", "s3cr3t-from-file"]
        );
    }
}
