//! Whether an object in a store holds the bytes recorded for it, compared like with like.
//!
//! A store's checksum proves the bytes only when it is of the algorithm recorded and of the
//! same type (a full-object checksum and a composite one of the same algorithm are different
//! numbers), and equal to it. Anything else proves nothing: a checksum of another algorithm
//! (the object was overwritten by a tool that sends CRC32), none at all (stores that keep no
//! checksums, or forget them on restart), an ETag only. Then the bytes are read back (one
//! streamed GetObject, hashed as it arrives, never held whole nor written to disk) and hashed
//! the way the record was made. A checksum of the same kind that differs is a difference (the
//! object changed, or the store computes that checksum wrongly, which [`malformed`] helps to
//! tell).

use tokio::io::AsyncReadExt;

use crate::checksum::{Digester, FileDigest};
use crate::store::{split_parts, ChecksumAlgorithm, ChecksumType, ObjectInfo, ObjectStore};
use crate::store::{StoreError, StoreResult};

/// The bytes read back per chunk; the only buffer a read-back holds.
const CHUNK: usize = 1 << 20;

/// What an object must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The algorithm of the recorded checksum.
    pub algorithm: ChecksumAlgorithm,
    /// The checksum as S3 writes it (`…-N` for a composite one).
    pub checksum: String,
    /// Size in bytes.
    pub size: u64,
    /// The part size the composite checksum was computed with, when it is known.
    pub part_size: Option<u64>,
}

impl Expected {
    /// Full-object or composite.
    pub fn checksum_type(&self) -> ChecksumType {
        ChecksumType::of_value(&self.checksum)
    }

    /// `crc64nvme abc=` (with `composite` when it is one), for messages.
    pub fn describe(&self) -> String {
        describe(self.algorithm, &self.checksum)
    }
}

fn describe(algorithm: ChecksumAlgorithm, value: &str) -> String {
    match ChecksumType::of_value(value) {
        ChecksumType::Composite => format!("composite {algorithm} `{value}`"),
        ChecksumType::FullObject => format!("{algorithm} `{value}`"),
    }
}

/// What a store's answer (HeadObject) says about an object, before any byte is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// A checksum of the recorded algorithm and type, equal to the recorded one.
    Match,
    /// A checksum of the recorded algorithm and type, and another value.
    Mismatch {
        /// The value the store reports.
        reported: String,
    },
    /// Nothing to compare: the bytes must be read to know.
    NotComparable {
        /// Why, for messages: `the store reports only a crc32 checksum`.
        why: String,
    },
}

/// Compares what the store reports with what is expected (the sizes are compared apart).
pub fn compare(info: &ObjectInfo, exp: &Expected) -> Evidence {
    let Some(reported) = info.checksums.iter().find(|c| c.algorithm == exp.algorithm) else {
        let others: Vec<&str> = info
            .checksums
            .iter()
            .map(|c| c.algorithm.as_str())
            .collect();
        let why = if !others.is_empty() {
            format!(
                "the store reports only a {} checksum, not {}",
                others.join(" and "),
                exp.algorithm
            )
        } else if info.etag.is_some() {
            "the store reports no checksum for it, only an ETag".to_string()
        } else {
            "the store reports no checksum for it".to_string()
        };
        return Evidence::NotComparable { why };
    };
    let (base, parts) = split_parts(&reported.value);
    let reported_type = info.checksum_type.unwrap_or(if parts.is_some() {
        ChecksumType::Composite
    } else {
        ChecksumType::FullObject
    });
    let expected_type = exp.checksum_type();
    if reported_type != expected_type {
        return Evidence::NotComparable {
            why: format!(
                "the store reports a {} {} checksum and a {} one is recorded",
                kind(reported_type),
                exp.algorithm,
                kind(expected_type)
            ),
        };
    }
    let (want, want_parts) = split_parts(&exp.checksum);
    // A composite value without its `-N` (some stores leave it off) still names the same number.
    let parts_agree = match (parts, want_parts) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    if base == want && parts_agree {
        Evidence::Match
    } else {
        Evidence::Mismatch {
            reported: reported.value.clone(),
        }
    }
}

fn kind(t: ChecksumType) -> &'static str {
    match t {
        ChecksumType::FullObject => "full-object",
        ChecksumType::Composite => "composite",
    }
}

/// Why a reported value cannot be a checksum of its algorithm (not base64, or a digest of
/// another length: a CRC-32 in a CRC-64/NVME header is 4 bytes, not 8), if it cannot.
pub fn malformed(algorithm: ChecksumAlgorithm, value: &str) -> Option<String> {
    let (base, _) = split_parts(value);
    match aws_smithy_types::base64::decode(base) {
        Err(_) => Some("not base64".to_string()),
        Ok(raw) if raw.len() != algorithm.digest_len() => Some(format!(
            "{} bytes long, not the {} of a {algorithm} checksum",
            raw.len(),
            algorithm.digest_len()
        )),
        Ok(_) => None,
    }
}

/// Reads an object back (one GetObject, streamed in chunks of 1 MiB) and hashes it as it
/// arrives: the whole, and per part of `part_size` when given.
pub async fn read_back<S: ObjectStore + ?Sized>(
    store: &S,
    key: &str,
    algorithm: ChecksumAlgorithm,
    part_size: Option<u64>,
) -> StoreResult<FileDigest> {
    let mut body = store.get_object(key).await?;
    let mut digest = Digester::new(algorithm, part_size);
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = body
            .read(&mut buf)
            .await
            .map_err(|e| StoreError::Transport {
                operation: "GetObject",
                key: key.to_string(),
                message: format!(
                    "reading the object failed: {}",
                    crate::store::error_chain(&e)
                ),
            })?;
        if n == 0 {
            break;
        }
        digest.update(&buf[..n]);
    }
    Ok(digest.finish())
}

/// The checksum of read-back bytes in the form `exp` records, if it can be made: a composite
/// one needs the part size.
fn in_recorded_form(read: &FileDigest, exp: &Expected) -> Option<String> {
    match exp.checksum_type() {
        ChecksumType::FullObject => read.full.clone(),
        ChecksumType::Composite => read.composite.clone(),
    }
}

/// What checking one object found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The store reports the recorded checksum.
    Checksum,
    /// The store reports nothing comparable; the bytes were read back and hash to the recorded
    /// checksum.
    ReadBack {
        /// Why they were read.
        why: String,
    },
    /// A dry run: the bytes would be read back.
    WouldRead {
        /// Why the bytes would be read: what the store reports instead of a comparable checksum.
        why: String,
    },
    /// The object has another size.
    WrongSize {
        /// The size the store reports, in bytes.
        actual: u64,
    },
    /// The store reports a checksum of the recorded kind with another value.
    Mismatch {
        /// The value the store reports.
        reported: String,
    },
    /// The bytes were read back (nothing comparable was reported) and hash to another value.
    BytesDiffer {
        /// Why they were read.
        why: String,
        /// Their checksum, in the recorded form.
        actual: String,
    },
    /// Nothing comparable is reported and the bytes cannot be hashed into the recorded form
    /// (a composite checksum whose part size is not recorded).
    Unverifiable {
        /// What the store reports, and why the bytes cannot be hashed into that form.
        why: String,
    },
}

impl Verdict {
    /// Whether the object is what was recorded (or, in a dry run, may be).
    pub fn is_same(&self) -> bool {
        matches!(
            self,
            Verdict::Checksum | Verdict::ReadBack { .. } | Verdict::WouldRead { .. }
        )
    }

    /// What differs or could not be checked, as a clause (after "`name`: ").
    pub fn problem(&self, exp: &Expected) -> Option<String> {
        Some(match self {
            Verdict::Checksum | Verdict::ReadBack { .. } | Verdict::WouldRead { .. } => {
                return None
            }
            Verdict::WrongSize { actual } => {
                format!("it has {actual} bytes, and {} are recorded", exp.size)
            }
            Verdict::Mismatch { reported } => format!(
                "the store reports {}{}, and {} is recorded",
                describe(exp.algorithm, reported),
                malformed(exp.algorithm, reported)
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default(),
                exp.describe()
            ),
            Verdict::BytesDiffer { why, actual } => format!(
                "its bytes, read back because {why}, have {}, and {} is recorded",
                describe(exp.algorithm, actual),
                exp.describe()
            ),
            Verdict::Unverifiable { why } => format!(
                "cannot be verified: {why}, and its bytes cannot be hashed into the recorded {} (its part size is not recorded)",
                exp.describe()
            ),
        })
    }
}

/// Checks an object the store described (`info`, from HeadObject) against `exp`: by the
/// store's checksum when it reports one of the recorded kind, else by reading the bytes back
/// (unless `read` is false: a dry run, which only says it would).
pub async fn check<S: ObjectStore + ?Sized>(
    store: &S,
    key: &str,
    info: &ObjectInfo,
    exp: &Expected,
    read: bool,
) -> StoreResult<Verdict> {
    if info.size != exp.size {
        return Ok(Verdict::WrongSize { actual: info.size });
    }
    let why = match compare(info, exp) {
        Evidence::Match => return Ok(Verdict::Checksum),
        Evidence::Mismatch { reported } => return Ok(Verdict::Mismatch { reported }),
        Evidence::NotComparable { why } => why,
    };
    if exp.checksum_type() == ChecksumType::Composite && exp.part_size.is_none() {
        return Ok(Verdict::Unverifiable { why });
    }
    if !read {
        return Ok(Verdict::WouldRead { why });
    }
    let part_size = match exp.checksum_type() {
        ChecksumType::Composite => exp.part_size,
        ChecksumType::FullObject => None,
    };
    let got = read_back(store, key, exp.algorithm, part_size).await?;
    if got.size != exp.size {
        return Ok(Verdict::WrongSize { actual: got.size });
    }
    match in_recorded_form(&got, exp) {
        Some(actual) if split_parts(&actual).0 == split_parts(&exp.checksum).0 => {
            Ok(Verdict::ReadBack { why })
        }
        Some(actual) => Ok(Verdict::BytesDiffer { why, actual }),
        None => Ok(Verdict::Unverifiable { why }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::checksum_of;
    use crate::store::Checksum;

    fn info(checksums: &[(ChecksumAlgorithm, &str)], kind: Option<ChecksumType>) -> ObjectInfo {
        ObjectInfo {
            key: "k".into(),
            size: 3,
            checksums: checksums
                .iter()
                .map(|(a, v)| Checksum {
                    algorithm: *a,
                    value: v.to_string(),
                })
                .collect(),
            checksum_type: kind,
            last_modified: None,
            etag: Some("\"e\"".into()),
        }
    }

    fn exp(algorithm: ChecksumAlgorithm, checksum: &str) -> Expected {
        Expected {
            algorithm,
            checksum: checksum.into(),
            size: 3,
            part_size: None,
        }
    }

    #[test]
    fn only_a_checksum_of_the_same_algorithm_and_type_decides() {
        use ChecksumAlgorithm::*;
        let full = exp(Crc64nvme, "AAAAAAAAAAA=");
        let composite = exp(Sha256, "c2hh-3");
        let table: Vec<(&str, ObjectInfo, &Expected, &str)> = vec![
            (
                "same",
                info(&[(Crc64nvme, "AAAAAAAAAAA=")], None),
                &full,
                "match",
            ),
            (
                "same, typed",
                info(
                    &[(Crc64nvme, "AAAAAAAAAAA=")],
                    Some(ChecksumType::FullObject),
                ),
                &full,
                "match",
            ),
            (
                "other value",
                info(&[(Crc64nvme, "BBBBBBBBBBB=")], None),
                &full,
                "mismatch",
            ),
            (
                "another algorithm",
                info(&[(Crc32, "AAAAAA==")], None),
                &full,
                "only a crc32 checksum",
            ),
            (
                "two others",
                info(&[(Crc32, "AAAAAA=="), (Sha1, "x")], None),
                &full,
                "only a crc32 and sha1",
            ),
            ("none, an ETag", info(&[], None), &full, "only an ETag"),
            (
                "composite for full",
                info(
                    &[(Crc64nvme, "AAAAAAAAAAA=")],
                    Some(ChecksumType::Composite),
                ),
                &full,
                "composite crc64nvme checksum and a full-object one",
            ),
            (
                "composite",
                info(&[(Sha256, "c2hh-3")], None),
                &composite,
                "match",
            ),
            (
                "composite without -N",
                info(&[(Sha256, "c2hh")], Some(ChecksumType::Composite)),
                &composite,
                "match",
            ),
            (
                "composite, other N",
                info(&[(Sha256, "c2hh-4")], None),
                &composite,
                "mismatch",
            ),
            (
                "full for composite",
                info(&[(Sha256, "c2hh")], None),
                &composite,
                "full-object sha256 checksum and a composite one",
            ),
        ];
        for (what, i, e, want) in table {
            let got = compare(&i, e);
            let ok = match (&got, want) {
                (Evidence::Match, "match") => true,
                (Evidence::Mismatch { .. }, "mismatch") => true,
                (Evidence::NotComparable { why }, w) => why.contains(w),
                _ => false,
            };
            assert!(ok, "{what}: {got:?}, expected {want}");
        }
    }

    #[test]
    fn a_crc32_in_a_crc64_header_is_named() {
        let crc32 = checksum_of(ChecksumAlgorithm::Crc32, b"abc");
        let m = malformed(ChecksumAlgorithm::Crc64nvme, &crc32).unwrap();
        assert_eq!(m, "4 bytes long, not the 8 of a crc64nvme checksum");
        assert!(malformed(ChecksumAlgorithm::Crc64nvme, "not base64!").is_some());
        let crc64 = checksum_of(ChecksumAlgorithm::Crc64nvme, b"abc");
        assert_eq!(malformed(ChecksumAlgorithm::Crc64nvme, &crc64), None);
    }
}
