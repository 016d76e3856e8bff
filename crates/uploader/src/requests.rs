//! Bounded, visible waits: how long one request may take (all its attempts included), and a
//! notice to the caller each time the SDK retries one, saying which request and why, so a
//! store that stops answering is never a silent wait.
//!
//! The SDK retries a request that got no answer within the read timeout, lost its connection,
//! or got a throttling or server error (3 attempts by default, `AWS_MAX_ATTEMPTS`). An
//! interceptor on the client sees each attempt end and the next one begin, and tells a
//! [`RequestObserver`]; the per-request deadline is the SDK's operation timeout.

use std::sync::Arc;
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use aws_smithy_types::retry::RetryConfig;

/// Why an attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryCause {
    /// No answer within the read timeout (sending the body included).
    NoAnswer(Duration),
    /// The connection failed or dropped.
    Connection(String),
    /// The service answered with an error status (throttling, a server error).
    Answer {
        /// The HTTP status.
        status: u16,
        /// The error code, when the answer has one.
        code: Option<String>,
    },
    /// Anything else.
    Other(String),
}

/// A request is being sent again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryNotice {
    /// The operation (`UploadPart`).
    pub operation: String,
    /// The key it addresses, when it addresses one.
    pub key: Option<String>,
    /// The part number, for UploadPart.
    pub part: Option<u32>,
    /// The attempt about to start (2 for the first retry).
    pub attempt: u32,
    /// The most attempts the request gets.
    pub max_attempts: u32,
    /// Why the previous attempt failed.
    pub cause: RetryCause,
}

/// Told about every retry (the CLI prints one line each).
pub trait RequestObserver: Send + Sync + std::fmt::Debug {
    /// A request failed and is about to be sent again.
    fn retrying(&self, notice: &RetryNotice);
}

/// The failure of the last attempt, kept in the request's own configuration.
#[derive(Debug, Clone)]
struct LastFailure(RetryCause);

impl Storable for LastFailure {
    type Storer = StoreReplace<Self>;
}

/// The interceptor: records why an attempt failed and tells the observer when the next begins.
#[derive(Debug)]
pub(crate) struct AttemptWatch {
    observer: Arc<dyn RequestObserver>,
    read_timeout: Duration,
    /// The bucket, to read keys from path-style URLs (`/bucket/key`); `None` for non-S3 clients.
    bucket: Option<String>,
}

impl AttemptWatch {
    pub(crate) fn new(
        observer: Arc<dyn RequestObserver>,
        read_timeout: Duration,
        bucket: Option<String>,
    ) -> AttemptWatch {
        AttemptWatch {
            observer,
            read_timeout,
            bucket,
        }
    }
}

impl Intercept for AttemptWatch {
    fn name(&self) -> &'static str {
        "PreflightAttemptWatch"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(Err(err)) = context.output_or_error() else {
            return Ok(());
        };
        let cause =
            if err.is_timeout_error() || err.as_connector_error().is_some_and(|c| c.is_timeout()) {
                RetryCause::NoAnswer(self.read_timeout)
            } else if let Some(c) = err.as_connector_error() {
                RetryCause::Connection(crate::store::error_chain(c))
            } else if let Some(r) = context.response() {
                RetryCause::Answer {
                    status: r.status().as_u16(),
                    code: r.body().bytes().and_then(error_code),
                }
            } else {
                RetryCause::Other(crate::store::error_chain(err))
            };
        cfg.interceptor_state().store_put(LastFailure(cause));
        Ok(())
    }

    fn read_before_attempt(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let attempt = cfg.load::<RequestAttempts>().map_or(1, |a| a.attempts());
        if attempt < 2 {
            return Ok(());
        }
        let Some(LastFailure(cause)) = cfg.load::<LastFailure>().cloned() else {
            return Ok(());
        };
        let operation = cfg
            .load::<Metadata>()
            .map_or_else(|| "a request".to_string(), |m| m.name().to_string());
        let max_attempts = cfg
            .load::<RetryConfig>()
            .map_or(attempt, |r| r.max_attempts().max(attempt));
        let (key, part) = match &self.bucket {
            Some(bucket) => key_and_part(context.request().uri(), bucket),
            None => (None, None),
        };
        self.observer.retrying(&RetryNotice {
            operation,
            key,
            part,
            attempt,
            max_attempts,
            cause,
        });
        Ok(())
    }
}

/// `<Code>SlowDown</Code>` in an S3 error body.
fn error_code(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("<Code>")? + "<Code>".len();
    let end = start + text[start..].find("</Code>")?;
    Some(text[start..end].to_string())
}

/// The key and part number of an S3 request URL (path-style `/bucket/key?partNumber=7&…` or
/// virtual-hosted `/key?…`).
fn key_and_part(uri: &str, bucket: &str) -> (Option<String>, Option<u32>) {
    let after_host = match uri.find("://") {
        Some(i) => uri[i + 3..].find('/').map_or("", |j| &uri[i + 3 + j..]),
        None => uri,
    };
    let (path, query) = after_host.split_once('?').unwrap_or((after_host, ""));
    let path = path.trim_start_matches('/');
    let key = match path.split_once('/') {
        Some((b, k)) if percent_decode(b) == bucket => k,
        _ if percent_decode(path) == bucket => "",
        _ => path,
    };
    let part = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("partNumber="))
        .and_then(|n| n.parse().ok());
    let key = percent_decode(key);
    ((!key.is_empty()).then_some(key), part)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A duration as people write it: `5m`, `90s`, `1h`, `2s`.
pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s == 0 {
        return format!("{}ms", d.as_millis());
    }
    if s.is_multiple_of(3600) {
        format!("{}h", s / 3600)
    } else if s.is_multiple_of(60) {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_parts_come_from_either_url_style() {
        assert_eq!(
            key_and_part(
                "http://127.0.0.1:9000/imports/team/a%20b.csv?partNumber=7&uploadId=x",
                "imports"
            ),
            (Some("team/a b.csv".into()), Some(7))
        );
        assert_eq!(
            key_and_part(
                "https://imports.s3.us-east-1.amazonaws.com/team/a.csv?x-id=PutObject",
                "imports"
            ),
            (Some("team/a.csv".into()), None)
        );
        assert_eq!(
            key_and_part("http://h/imports?list-type=2&prefix=p", "imports"),
            (None, None)
        );
    }

    #[test]
    fn error_codes_and_durations_read_as_people_write_them() {
        assert_eq!(
            error_code(b"<Error><Code>SlowDown</Code><Message>m</Message></Error>"),
            Some("SlowDown".into())
        );
        assert_eq!(error_code(b"<html>"), None);
        assert_eq!(human_duration(Duration::from_secs(300)), "5m");
        assert_eq!(human_duration(Duration::from_secs(90)), "90s");
        assert_eq!(human_duration(Duration::from_secs(7200)), "2h");
        assert_eq!(human_duration(Duration::from_millis(20)), "20ms");
    }
}
