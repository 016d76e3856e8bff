//! Where data goes or comes from: `s3://bucket/prefix/`, `s3://bucket/key.csv`, or a local
//! directory; and the names of run folders.

use std::time::{SystemTime, UNIX_EPOCH};

/// The longest `dataSource.dataLocation` CreateDatasetImportJob accepts (API `S3Location`).
pub const MAX_DATA_LOCATION: usize = 256;

/// An `s3://bucket/key` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    /// The bucket name (no `s3://`).
    pub bucket: String,
    /// The key or prefix (may be empty).
    pub key: String,
}

impl S3Url {
    /// Parses `s3://bucket[/key]`.
    pub fn parse(s: &str) -> Result<S3Url, String> {
        let rest = s
            .strip_prefix("s3://")
            .ok_or_else(|| format!("`{s}` is not an s3:// URL"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.len() < 3
            || bucket.len() > 63
            || !bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        {
            return Err(format!(
                "`{bucket}` is not a valid bucket name (3 to 63 lowercase letters, digits, `-` and `.`)"
            ));
        }
        Ok(S3Url {
            bucket: bucket.to_string(),
            key: key.to_string(),
        })
    }

    /// Whether the URL names a folder (empty key or a key ending in `/`).
    pub fn is_folder(&self) -> bool {
        self.key.is_empty() || self.key.ends_with('/')
    }
}

impl std::fmt::Display for S3Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// Where `preflight stage` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A bucket and a prefix (empty, or ending in `/`).
    S3 {
        /// The bucket name (no `s3://`).
        bucket: String,
        /// The key prefix run folders are made under.
        prefix: String,
    },
    /// A local directory (the default: works without a cloud account).
    Local {
        /// The directory run folders are made in.
        dir: std::path::PathBuf,
    },
}

impl Target {
    /// Parses `--to`: an `s3://` URL (a prefix; a missing final `/` is added) or a directory.
    pub fn parse(s: &str) -> Result<Target, String> {
        if s.starts_with("s3://") {
            let url = S3Url::parse(s)?;
            let mut prefix = url.key;
            if !prefix.is_empty() && !prefix.ends_with('/') {
                prefix.push('/');
            }
            if prefix.starts_with('/') || prefix.contains("//") {
                return Err(format!("`{s}` has an empty path segment"));
            }
            Ok(Target::S3 {
                bucket: url.bucket,
                prefix,
            })
        } else if s.contains("://") {
            Err(format!(
                "`{s}`: only s3:// URLs and local directories are supported"
            ))
        } else {
            Ok(Target::Local { dir: s.into() })
        }
    }

    /// The key prefix inside the store.
    pub fn prefix(&self) -> &str {
        match self {
            Target::S3 { prefix, .. } => prefix,
            Target::Local { .. } => "",
        }
    }
}

/// The run folder's name: `<UTC timestamp>-<short content hash>`, which sorts by time.
pub fn run_folder_name(at: SystemTime, content_hash: &str) -> String {
    format!("{}-{content_hash}", utc_stamp(at))
}

/// `YYYYMMDDTHHMMSSZ` (no `:`, which is awkward in keys and file names).
pub fn utc_stamp(at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (y, m, d, hh, mm, ss) = civil(secs);
    format!("{y:04}{m:02}{d:02}T{hh:02}{mm:02}{ss:02}Z")
}

/// RFC 3339 UTC, for the manifest.
pub fn rfc3339(at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (y, m, d, hh, mm, ss) = civil(secs);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
}

/// Epoch seconds to a UTC date and time (Howard Hinnant's `civil_from_days`).
fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

/// Checks a `dataLocation` against the API's 256-character limit.
pub fn check_data_location(location: &str) -> Result<(), String> {
    let n = location.chars().count();
    if n > MAX_DATA_LOCATION {
        Err(format!(
            "the import's dataLocation `{location}` has {n} characters; CreateDatasetImportJob accepts at most {MAX_DATA_LOCATION}: use a shorter --to prefix"
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn parses_targets() {
        assert_eq!(
            Target::parse("s3://my-bucket/imports").unwrap(),
            Target::S3 {
                bucket: "my-bucket".into(),
                prefix: "imports/".into()
            }
        );
        assert_eq!(
            Target::parse("s3://my-bucket").unwrap(),
            Target::S3 {
                bucket: "my-bucket".into(),
                prefix: "".into()
            }
        );
        assert!(Target::parse("s3://B/x").is_err());
        assert!(Target::parse("s3://bucket//x").is_err());
        assert!(Target::parse("gs://bucket/x").is_err());
        assert_eq!(
            Target::parse("./staging/").unwrap(),
            Target::Local {
                dir: "./staging/".into()
            }
        );
    }

    #[test]
    fn parses_urls() {
        let u = S3Url::parse("s3://bucket/a/b.csv").unwrap();
        assert_eq!((u.bucket.as_str(), u.key.as_str()), ("bucket", "a/b.csv"));
        assert!(!u.is_folder());
        assert!(S3Url::parse("s3://bucket/a/").unwrap().is_folder());
        assert!(S3Url::parse("s3://bucket").unwrap().is_folder());
        assert!(S3Url::parse("/tmp/x").is_err());
    }

    #[test]
    fn stamps_are_utc_and_sortable() {
        let t = UNIX_EPOCH + Duration::from_secs(1_596_238_243);
        assert_eq!(utc_stamp(t), "20200731T233043Z");
        assert_eq!(rfc3339(t), "2020-07-31T23:30:43Z");
        assert_eq!(utc_stamp(UNIX_EPOCH), "19700101T000000Z");
        assert_eq!(
            utc_stamp(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "20000229T000000Z"
        );
        assert_eq!(run_folder_name(t, "abc"), "20200731T233043Z-abc");
    }

    #[test]
    fn data_location_limit() {
        let ok = format!("s3://b/{}", "x".repeat(249));
        assert_eq!(ok.len(), 256);
        assert!(check_data_location(&ok).is_ok());
        assert!(check_data_location(&format!("{ok}y")).is_err());
    }
}
