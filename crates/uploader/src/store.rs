//! The object-store operations staging needs, in domain types.
//!
//! Staging is generic over [`ObjectStore`], as mountpoint-s3's logic is over its object client:
//! [`crate::S3Store`] implements it with `aws-sdk-s3`, [`crate::LocalStore`] with a directory.
//! One store addresses one bucket (or directory); keys are `/`-separated.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::time::SystemTime;

use bytes::Bytes;

/// A checksum algorithm S3 knows. Staging sends CRC64NVME (the default) or SHA-256; the others
/// are what a store may report for objects written by other tools (the AWS CLI sends CRC32), and
/// what a folder sealed in place may record.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ChecksumAlgorithm {
    /// CRC-64/NVME: fast, and S3 keeps a full-object value for multipart uploads.
    #[default]
    Crc64nvme,
    /// SHA-256: for multipart uploads S3 keeps a checksum of the part checksums (`…-N`).
    Sha256,
    /// CRC-32 (the AWS CLI's default).
    Crc32,
    /// CRC-32C.
    Crc32c,
    /// SHA-1.
    Sha1,
}

impl ChecksumAlgorithm {
    /// Every algorithm, in the order a manifest prefers them.
    pub const ALL: [ChecksumAlgorithm; 5] = [
        ChecksumAlgorithm::Crc64nvme,
        ChecksumAlgorithm::Sha256,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Sha1,
    ];

    /// The name S3 uses in headers (`x-amz-checksum-crc64nvme`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc64nvme => "crc64nvme",
            ChecksumAlgorithm::Sha256 => "sha256",
            ChecksumAlgorithm::Crc32 => "crc32",
            ChecksumAlgorithm::Crc32c => "crc32c",
            ChecksumAlgorithm::Sha1 => "sha1",
        }
    }

    /// Whether staging writes a full-object checksum for a multipart upload (else a composite
    /// one: the checksum of the part checksums).
    pub fn full_object_multipart(self) -> bool {
        matches!(self, ChecksumAlgorithm::Crc64nvme)
    }

    /// The length of a digest in bytes (a reported value of another length is not one).
    pub fn digest_len(self) -> usize {
        match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 4,
            ChecksumAlgorithm::Crc64nvme => 8,
            ChecksumAlgorithm::Sha1 => 20,
            ChecksumAlgorithm::Sha256 => 32,
        }
    }
}

impl std::str::FromStr for ChecksumAlgorithm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let name = s.to_ascii_lowercase().replace('-', "");
        ChecksumAlgorithm::ALL
            .into_iter()
            .find(|a| a.as_str() == name)
            .ok_or_else(|| format!("unknown checksum `{s}` (expected crc64nvme or sha256)"))
    }
}

impl std::fmt::Display for ChecksumAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a checksum covers the object's bytes (`FULL_OBJECT`) or is a checksum of its part
/// checksums (`COMPOSITE`, written `…-N` for N parts). Two checksums of one algorithm but of
/// different types cannot be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumType {
    /// Over the object's bytes.
    FullObject,
    /// Over the part checksums.
    Composite,
}

impl ChecksumType {
    /// The type a value is written in: `…-N` is composite.
    pub fn of_value(value: &str) -> ChecksumType {
        if split_parts(value).1.is_some() {
            ChecksumType::Composite
        } else {
            ChecksumType::FullObject
        }
    }

    /// As the manifest writes it: `full_object` or `composite`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChecksumType::FullObject => "full_object",
            ChecksumType::Composite => "composite",
        }
    }
}

/// A checksum value and its part count: `abc=-3` is (`abc=`, Some(3)).
pub fn split_parts(value: &str) -> (&str, Option<u64>) {
    match value.rsplit_once('-') {
        Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            (base, n.parse().ok())
        }
        _ => (value, None),
    }
}

/// A checksum value as S3 writes it: base64, with `-N` for a composite multipart checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    /// Which checksum it is: a value is only compared with one of the same algorithm.
    pub algorithm: ChecksumAlgorithm,
    /// Base64 of the digest, with `-N` appended for a composite checksum over N parts.
    pub value: String,
}

/// What a listing or HeadObject says about an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The object's full key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// Checksums the store returned (HeadObject with checksum mode; listings have none), of
    /// any algorithm.
    pub checksums: Vec<Checksum>,
    /// The type of those checksums, when the store says (`x-amz-checksum-type`); else it is
    /// read from the value ([`ChecksumType::of_value`]).
    pub checksum_type: Option<ChecksumType>,
    /// When the object was written.
    pub last_modified: Option<SystemTime>,
    /// The object's ETag, where the store has one (S3; a directory has none).
    pub etag: Option<String>,
}

impl ObjectInfo {
    /// The checksum of one algorithm, if the store returned it.
    pub fn checksum(&self, algorithm: ChecksumAlgorithm) -> Option<&str> {
        self.checksums
            .iter()
            .find(|c| c.algorithm == algorithm)
            .map(|c| c.value.as_str())
    }
}

/// The objects directly under a prefix and the "folders" (common prefixes) below it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Objects (all below the prefix, or only the first level with a delimiter).
    pub objects: Vec<ObjectInfo>,
    /// Common prefixes ending in `/` (only with a delimiter).
    pub folders: Vec<String>,
}

/// A part that the store has accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedPart {
    /// 1-based part number.
    pub number: u32,
    /// The part's ETag (needed to complete the upload).
    pub etag: Option<String>,
    /// The part's checksum as the store recorded it, if it says.
    pub checksum: Option<String>,
    /// The part's size (from ListParts; 0 when unknown).
    pub size: u64,
}

/// An upload that was created and neither completed nor aborted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartUpload {
    /// The key of the object the upload will create.
    pub key: String,
    /// The `UploadId` the store gave, which every later part call names.
    pub upload_id: String,
}

/// An object's bytes as they arrive.
pub type ObjectBody = Pin<Box<dyn tokio::io::AsyncRead + Send>>;

/// A failed store operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The key (or upload) does not exist.
    #[error("{operation} `{key}`: it does not exist ({answer})")]
    NotFound {
        /// The S3 call that failed, as the API names it (`PutObject`, `UploadPart`…), or the
        /// local store's step.
        operation: &'static str,
        /// The object key the call addressed (relative to the bucket).
        key: String,
        /// What the store answered (`HTTP 404 NoSuchKey: …`).
        answer: String,
    },
    /// The store rejected the bytes because their checksum did not match the one sent.
    #[error("{operation} `{key}`: the store rejected the bytes: their checksum does not match the one sent ({message})")]
    BadDigest {
        /// The S3 call that failed, as the API names it (`PutObject`, `UploadPart`…), or the
        /// local store's step.
        operation: &'static str,
        /// The object key the call addressed (relative to the bucket).
        key: String,
        /// The store's answer.
        message: String,
    },
    /// The store does not implement the operation (S3's `NotImplemented`: some S3-compatible
    /// stores lack calls S3 has).
    #[error("{operation} `{key}`: the store does not support it ({answer})")]
    Unsupported {
        /// The S3 call that failed, as the API names it (`PutObject`, `UploadPart`…), or the
        /// local store's step.
        operation: &'static str,
        /// The key (or prefix) it addressed.
        key: String,
        /// What the store answered (`HTTP 501 NotImplemented: …`).
        answer: String,
    },
    /// The store answered with an error, or with an answer that could not be read.
    #[error("{operation} `{key}` failed: {}{code}: {message}", status.map(|s| format!("HTTP {s} ")).unwrap_or_default())]
    Service {
        /// The S3 call that failed, as the API names it (`PutObject`, `UploadPart`…), or the
        /// local store's step.
        operation: &'static str,
        /// The object key the call addressed (relative to the bucket).
        key: String,
        /// The HTTP status, when an answer came.
        status: Option<u16>,
        /// The error code (`AccessDenied`, `NoSuchBucket`…), or what was wrong with an answer
        /// that could not be read.
        code: String,
        /// The store's error message, as it sent it (redacted when printed).
        message: String,
    },
    /// The request did not get an answer (connection refused or reset, timeout).
    #[error("{operation} `{key}` failed: {message}")]
    Transport {
        /// The S3 call that failed, as the API names it (`PutObject`, `UploadPart`…), or the
        /// local store's step.
        operation: &'static str,
        /// The object key the call addressed (relative to the bucket).
        key: String,
        /// What happened.
        message: String,
    },
    /// A local file operation failed (the directory store).
    #[error("{operation} `{path}` failed: {source}")]
    Io {
        /// The S3 call that failed, as the API names it (`PutObject`, `UploadPart`…), or the
        /// local store's step.
        operation: &'static str,
        /// The local file or directory, as shown to the user.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl StoreError {
    /// The operation that failed (`PutObject`, `UploadPart`…).
    pub fn operation(&self) -> &'static str {
        match self {
            StoreError::NotFound { operation, .. }
            | StoreError::BadDigest { operation, .. }
            | StoreError::Unsupported { operation, .. }
            | StoreError::Service { operation, .. }
            | StoreError::Transport { operation, .. }
            | StoreError::Io { operation, .. } => operation,
        }
    }

    /// The multipart call the store answered in a way S3 does not (an error other than a
    /// server error, an answer that could not be read, or no support at all), if this is one:
    /// such a store may still take files up to 5 GiB in one PutObject each.
    pub fn multipart_misbehaved(&self) -> Option<&'static str> {
        let op = self.operation();
        let multipart = matches!(
            op,
            "CreateMultipartUpload"
                | "UploadPart"
                | "CompleteMultipartUpload"
                | "ListParts"
                | "AbortMultipartUpload"
        );
        let wrong = match self {
            StoreError::Unsupported { .. } => true,
            StoreError::Service { status, .. } => status.is_none_or(|s| s < 500),
            _ => false,
        };
        (multipart && wrong).then_some(op)
    }
}

/// A result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// The operations staging needs from an object store (one bucket or directory).
pub trait ObjectStore: Send + Sync + 'static {
    /// Where the store is, for messages: `s3://bucket` or a directory path.
    fn root(&self) -> String;

    /// The location Personalize would read for a key or folder, e.g. `s3://bucket/a/b/`.
    fn location(&self, key: &str) -> String;

    /// Writes an object in one request from bytes in memory (a manifest); the store checks
    /// `checksum` against them. Files go up with [`ObjectStore::put_file`].
    fn put_object(
        &self,
        key: &str,
        body: Bytes,
        checksum: &Checksum,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Writes an object in one request from the first `size` bytes of a local file, read as
    /// they are sent and never held in memory whole; the store checks `checksum` (computed from
    /// the file beforehand) against the bytes, so a file that changed since is rejected
    /// ([`StoreError::BadDigest`]). A retried request reads the file again from its start.
    fn put_file(
        &self,
        key: &str,
        path: &Path,
        size: u64,
        checksum: &Checksum,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Starts a multipart upload whose parts carry `algorithm` checksums; returns its id.
    fn create_multipart_upload(
        &self,
        key: &str,
        algorithm: ChecksumAlgorithm,
    ) -> impl Future<Output = StoreResult<String>> + Send;

    /// Uploads one part; the store checks `checksum` (the upload's algorithm) against the bytes.
    fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        body: Bytes,
        checksum: &Checksum,
    ) -> impl Future<Output = StoreResult<UploadedPart>> + Send;

    /// Completes an upload from its parts (in order). `full_object` is the whole object's
    /// checksum when the algorithm has one (CRC64NVME); the store checks it.
    fn complete_multipart_upload(
        &self,
        key: &str,
        upload_id: &str,
        algorithm: ChecksumAlgorithm,
        parts: &[UploadedPart],
        full_object: Option<&str>,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Abandons an upload and frees its parts.
    fn abort_multipart_upload(
        &self,
        key: &str,
        upload_id: &str,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Uploads in progress under a prefix ([`StoreError::Unsupported`] where the store cannot say).
    fn list_multipart_uploads(
        &self,
        prefix: &str,
    ) -> impl Future<Output = StoreResult<Vec<MultipartUpload>>> + Send;

    /// The parts an upload holds, in part order.
    fn list_parts(
        &self,
        key: &str,
        upload_id: &str,
    ) -> impl Future<Output = StoreResult<Vec<UploadedPart>>> + Send;

    /// Lists objects below a prefix (ListObjectsV2, every page). With `delimiter`, only the
    /// first level, plus the folders below it.
    fn list_objects(
        &self,
        prefix: &str,
        delimiter: bool,
    ) -> impl Future<Output = StoreResult<Listing>> + Send;

    /// An object's size and checksums (HeadObject with checksum mode), or `None` if absent.
    fn head_object(
        &self,
        key: &str,
    ) -> impl Future<Output = StoreResult<Option<ObjectInfo>>> + Send;

    /// Streams an object's bytes.
    fn get_object(&self, key: &str) -> impl Future<Output = StoreResult<ObjectBody>> + Send;

    /// Deletes objects (any number; batched as the store needs).
    fn delete_objects(&self, keys: &[String]) -> impl Future<Output = StoreResult<()>> + Send;
}

/// An error and its sources, `: `-separated: an SDK's dispatch failure says why only in its
/// sources (connection refused, timed out, unreadable response).
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}
