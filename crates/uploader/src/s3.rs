//! The S3 adapter: [`ObjectStore`] implemented with `aws-sdk-s3`. The only module that names
//! SDK types; configuration comes from the standard AWS chain (environment, profiles, SSO,
//! instance roles) through `aws-config`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::{ByteStream, Length};
use aws_sdk_s3::types::{
    ChecksumAlgorithm as SdkAlgorithm, ChecksumMode, ChecksumType, CompletedMultipartUpload,
    CompletedPart, Delete, ObjectIdentifier, ServerSideEncryption,
};
use bytes::Bytes;

use crate::requests::{AttemptWatch, RequestObserver};
use crate::store::{
    Checksum, ChecksumAlgorithm, Listing, MultipartUpload, ObjectBody, ObjectInfo, ObjectStore,
    StoreError, StoreResult, UploadedPart,
};

/// Server-side encryption for written objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sse {
    /// `AES256` (S3-managed keys).
    Aes256,
    /// `aws:kms`, with a key id or ARN (the bucket's default key when `None`).
    Kms(Option<String>),
}

/// How to reach S3: everything has a default from the standard AWS configuration.
#[derive(Debug, Clone, Default)]
pub struct S3Options {
    /// A named profile (else `AWS_PROFILE` or `default`).
    pub profile: Option<String>,
    /// The region (else from the environment or profile).
    pub region: Option<String>,
    /// An S3-compatible endpoint (else `AWS_ENDPOINT_URL[_S3]` or AWS).
    pub endpoint_url: Option<String>,
    /// Path-style addressing; always on with an endpoint URL.
    pub path_style: bool,
    /// Encryption of written objects.
    pub sse: Option<Sse>,
    /// Fail unless the bucket belongs to this account (`x-amz-expected-bucket-owner`).
    pub expected_bucket_owner: Option<String>,
    /// The longest a request waits for the first byte of its answer, sending its body
    /// included, before it fails (and the SDK retries it); `None`: [`DEFAULT_READ_TIMEOUT`].
    /// The SDK sets no such limit, so a store that accepts a connection and never answers
    /// would hang a run forever.
    pub read_timeout: Option<Duration>,
    /// The longest one request may take, all its attempts (and the waits between them)
    /// included; `None`: [`DEFAULT_DEADLINE`].
    pub deadline: Option<Duration>,
    /// Told each time a request is retried.
    pub observer: Option<Arc<dyn RequestObserver>>,
}

/// The default [`S3Options::read_timeout`]: long enough to send a 100 MiB part at 350 KB/s.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(300);

/// The default [`S3Options::deadline`]: three attempts of [`DEFAULT_READ_TIMEOUT`].
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(900);

/// One bucket through `aws-sdk-s3`.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: aws_sdk_s3::Client,
    bucket: String,
    sse: Option<Sse>,
    owner: Option<String>,
    /// Whether the path to the store is safe from tampering on its own: HTTPS, or a loopback
    /// address. See [`payload_signed`].
    protected_path: bool,
}

/// Whether a PutObject or UploadPart body is covered by the SigV4 signature (its SHA-256 in
/// `x-amz-content-sha256`) or sent as `UNSIGNED-PAYLOAD`.
///
/// Every body goes with its checksum in a signed header, which the store verifies: that header
/// catches corruption on its own. The payload hash adds protection against a body *replaced in
/// transit* by someone who also fixes the checksum, which a CRC cannot resist but a SHA-256 can.
/// So the payload is signed only when both could happen: a path that is not protected (plain
/// HTTP to another host) and a checksum that is not cryptographic (CRC64NVME). Over HTTPS (TLS
/// protects the bytes; the AWS SDKs and CLI leave S3 payloads unsigned there too), to a loopback
/// address (no network to tamper on), or with a SHA-256 checksum header (it binds the bytes as
/// the payload hash would), hashing every byte once more on each side buys nothing.
///
/// This applies to bodies in memory (parts, the manifest). A file sent in one PutObject is
/// streamed from disk as it is sent, and the SDK leaves a streamed body unsigned whatever this
/// says (hashing it would mean reading the file twice).
pub fn payload_signed(protected_path: bool, algorithm: ChecksumAlgorithm) -> bool {
    !protected_path && algorithm != ChecksumAlgorithm::Sha256
}

/// Whether an endpoint URL's path to the store is protected: `https://`, or a loopback host
/// (`localhost`, `127.0.0.0/8`, `::1`).
pub fn protected_endpoint(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    if scheme.eq_ignore_ascii_case("https") {
        return true;
    }
    // The authority: up to the path, without user info; then the host without its port.
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

impl S3Store {
    /// Loads the AWS configuration and makes a client for `bucket`.
    pub async fn connect(bucket: &str, opts: &S3Options) -> Result<S3Store, String> {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &opts.region {
            loader = loader.region(aws_config::Region::new(r.clone()));
        }
        let sdk = loader.load().await;
        let mut conf = aws_sdk_s3::config::Builder::from(&sdk);
        let endpoint = opts
            .endpoint_url
            .clone()
            .or_else(|| sdk.endpoint_url().map(String::from));
        if let Some(e) = &opts.endpoint_url {
            conf = conf.endpoint_url(e);
        }
        if sdk.region().is_none() {
            if endpoint.is_none() {
                return Err(
                    "no AWS region: set AWS_REGION, a region in your profile, or --region".into(),
                );
            }
            // S3-compatible stores rarely care; SigV4 still needs one.
            conf = conf.region(aws_config::Region::new("us-east-1"));
        }
        conf = conf.force_path_style(opts.path_style || endpoint.is_some());
        // Keep the configured connect timeout; add the read timeout and the deadline.
        let read_timeout = opts.read_timeout.unwrap_or(DEFAULT_READ_TIMEOUT);
        let timeouts = sdk
            .timeout_config()
            .map(|t| t.to_builder())
            .unwrap_or_default()
            .read_timeout(read_timeout)
            .operation_timeout(opts.deadline.unwrap_or(DEFAULT_DEADLINE))
            .build();
        conf = conf.timeout_config(timeouts);
        if let Some(observer) = &opts.observer {
            conf = conf.interceptor(AttemptWatch::new(
                observer.clone(),
                read_timeout,
                Some(bucket.to_string()),
            ));
        }
        let mut store =
            S3Store::from_client(aws_sdk_s3::Client::from_conf(conf.build()), bucket, opts);
        // Without an endpoint of its own, the SDK reaches AWS over HTTPS.
        store.protected_path = endpoint.as_deref().is_none_or(protected_endpoint);
        Ok(store)
    }

    /// Wraps an existing client (tests build their own). The path to the store counts as
    /// protected only when `opts.endpoint_url` says so (see [`payload_signed`]): the client's
    /// own endpoint is not known here.
    pub fn from_client(client: aws_sdk_s3::Client, bucket: &str, opts: &S3Options) -> S3Store {
        S3Store {
            client,
            bucket: bucket.to_string(),
            sse: opts.sse.clone(),
            owner: opts.expected_bucket_owner.clone(),
            protected_path: opts.endpoint_url.as_deref().is_some_and(protected_endpoint),
        }
    }

    /// The client, for the other S3 calls of this crate (the access checks' bucket calls).
    pub(crate) fn sdk_client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }

    /// The account the bucket must belong to, if set.
    pub(crate) fn expected_owner(&self) -> Option<&str> {
        self.owner.as_deref()
    }

    /// PutObject of `body` (`len` bytes) with its checksum in a header: the store checks it.
    async fn put(
        &self,
        key: &str,
        body: ByteStream,
        len: u64,
        checksum: &Checksum,
    ) -> StoreResult<()> {
        let (sse, kms) = self.sse();
        let mut req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_length(len as i64)
            .body(body)
            .set_server_side_encryption(sse)
            .set_ssekms_key_id(kms)
            .set_expected_bucket_owner(self.owner.clone());
        let v = checksum.value.clone();
        req = match checksum.algorithm {
            ChecksumAlgorithm::Crc64nvme => req.checksum_crc64_nvme(v),
            ChecksumAlgorithm::Sha256 => req.checksum_sha256(v),
            ChecksumAlgorithm::Crc32 => req.checksum_crc32(v),
            ChecksumAlgorithm::Crc32c => req.checksum_crc32_c(v),
            ChecksumAlgorithm::Sha1 => req.checksum_sha1(v),
        };
        let sent = if payload_signed(self.protected_path, checksum.algorithm) {
            req.send().await
        } else {
            req.customize().disable_payload_signing().send().await
        };
        sent.map(|_| ()).map_err(|e| map_err("PutObject", key, e))
    }

    fn sse(&self) -> (Option<ServerSideEncryption>, Option<String>) {
        match &self.sse {
            None => (None, None),
            Some(Sse::Aes256) => (Some(ServerSideEncryption::Aes256), None),
            Some(Sse::Kms(id)) => (Some(ServerSideEncryption::AwsKms), id.clone()),
        }
    }
}

fn sdk_algorithm(a: ChecksumAlgorithm) -> SdkAlgorithm {
    match a {
        ChecksumAlgorithm::Crc64nvme => SdkAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Sha256 => SdkAlgorithm::Sha256,
        ChecksumAlgorithm::Crc32 => SdkAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c => SdkAlgorithm::Crc32C,
        ChecksumAlgorithm::Sha1 => SdkAlgorithm::Sha1,
    }
}

/// The checksum fields of an answer, of every algorithm.
fn checksums(
    crc64nvme: Option<&str>,
    sha256: Option<&str>,
    crc32: Option<&str>,
    crc32c: Option<&str>,
    sha1: Option<&str>,
) -> Vec<Checksum> {
    [
        (ChecksumAlgorithm::Crc64nvme, crc64nvme),
        (ChecksumAlgorithm::Sha256, sha256),
        (ChecksumAlgorithm::Crc32, crc32),
        (ChecksumAlgorithm::Crc32c, crc32c),
        (ChecksumAlgorithm::Sha1, sha1),
    ]
    .into_iter()
    .filter_map(|(algorithm, v)| {
        v.map(|v| Checksum {
            algorithm,
            value: v.to_string(),
        })
    })
    .collect()
}

/// `HTTP 404 NoSuchKey: The specified key does not exist.`
fn answer(status: u16, code: &str, message: &str) -> String {
    let mut s = format!("HTTP {status} {code}");
    if !message.is_empty() {
        s.push_str(": ");
        s.push_str(message);
    }
    s
}

/// An answer's status line, headers and the start of its body, for `--debug` (the CLI's log
/// writer redacts every line).
fn response_head(r: &HttpResponse) -> String {
    let mut s = format!("HTTP {}", r.status().as_u16());
    for (name, value) in r.headers() {
        s.push_str(&format!("\n{name}: {value}"));
    }
    if let Some(body) = r.body().bytes() {
        let shown = &body[..body.len().min(2048)];
        s.push_str("\n\n");
        s.push_str(&String::from_utf8_lossy(shown));
        if body.len() > shown.len() {
            s.push_str(&format!("\n[… {} more bytes]", body.len() - shown.len()));
        }
    }
    s
}

fn to_time(t: Option<&aws_sdk_s3::primitives::DateTime>) -> Option<SystemTime> {
    t.and_then(|t| SystemTime::try_from(*t).ok())
}

fn map_err<E>(operation: &'static str, key: &str, err: SdkError<E, HttpResponse>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match &err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let status = se.raw().status().as_u16();
            let message = e.message().unwrap_or_default().to_string();
            let Some(code) = e.code().map(String::from) else {
                // No error code: an answer the SDK could not read (a non-standard document,
                // HTML from a proxy), or an error without a body. The chain says what the
                // parser met; `--debug` shows the answer itself.
                tracing::debug!(
                    target: "preflight::s3",
                    "{operation} `{key}`: the answer could not be read as S3's; it was:\n{}",
                    response_head(se.raw())
                );
                let code = if status < 300 {
                    "with an answer that is not S3's".to_string()
                } else {
                    "without an error code".to_string()
                };
                // The SDK's wording blames itself; here the answer is at fault.
                let chain = crate::store::error_chain(e)
                    .replace("unhandled error: ", "")
                    .replace(" This is likely a bug in the SDK.", "");
                let message = match chain {
                    m if m.is_empty() || m == "unhandled error" => {
                        "(nothing more; --debug shows the answer)".to_string()
                    }
                    m => format!("{m} (--debug shows the answer)"),
                };
                return StoreError::Service {
                    operation,
                    key: key.to_string(),
                    status: Some(status),
                    code,
                    message,
                };
            };
            match code.as_str() {
                "BadDigest" | "InvalidDigest" | "XAmzContentChecksumMismatch" => {
                    StoreError::BadDigest {
                        operation,
                        key: key.to_string(),
                        message: answer(status, &code, &message),
                    }
                }
                "NoSuchKey" | "NoSuchUpload" | "NotFound" => StoreError::NotFound {
                    operation,
                    key: key.to_string(),
                    answer: answer(status, &code, &message),
                },
                "NotImplemented" => StoreError::Unsupported {
                    operation,
                    key: key.to_string(),
                    answer: answer(status, &code, &message),
                },
                _ => StoreError::Service {
                    operation,
                    key: key.to_string(),
                    status: Some(status),
                    code,
                    message,
                },
            }
        }
        SdkError::ResponseError(re) => {
            tracing::debug!(
                target: "preflight::s3",
                "{operation} `{key}`: the answer could not be read; it was:\n{}",
                response_head(re.raw())
            );
            StoreError::Service {
                operation,
                key: key.to_string(),
                status: Some(re.raw().status().as_u16()),
                code: "an answer that could not be read".into(),
                message: format!(
                    "{} (--debug shows the answer)",
                    crate::store::error_chain(&err)
                ),
            }
        }
        SdkError::TimeoutError(_) => StoreError::Transport {
            operation,
            key: key.to_string(),
            message:
                "no answer within the request deadline (--request-deadline), all attempts included"
                    .into(),
        },
        _ => {
            // Dispatch failures, timeouts: the full chain says why.
            let message = crate::store::error_chain(&err);
            StoreError::Transport {
                operation,
                key: key.to_string(),
                message,
            }
        }
    }
}

impl ObjectStore for S3Store {
    fn root(&self) -> String {
        format!("s3://{}", self.bucket)
    }

    fn location(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    async fn put_object(&self, key: &str, body: Bytes, checksum: &Checksum) -> StoreResult<()> {
        let len = body.len() as u64;
        self.put(key, ByteStream::from(body), len, checksum).await
    }

    async fn put_file(
        &self,
        key: &str,
        path: &Path,
        size: u64,
        checksum: &Checksum,
    ) -> StoreResult<()> {
        // Read as it is sent, 64 KiB at a time. Built from a path (not an open file), the body
        // is opened anew for each attempt, so the SDK can retry the request; and with the
        // checksum already in a header it is sent as is, with its length (no aws-chunked
        // encoding, no trailer, which some S3-compatible stores do not read).
        let body = ByteStream::read_from()
            .path(path)
            .length(Length::Exact(size))
            .build()
            .await
            .map_err(|e| StoreError::Io {
                operation: "PutObject",
                path: path.display().to_string(),
                source: e.into(),
            })?;
        self.put(key, body, size, checksum).await
    }

    async fn create_multipart_upload(
        &self,
        key: &str,
        algorithm: ChecksumAlgorithm,
    ) -> StoreResult<String> {
        let (sse, kms) = self.sse();
        let kind = if algorithm.full_object_multipart() {
            ChecksumType::FullObject
        } else {
            ChecksumType::Composite
        };
        let out = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .checksum_algorithm(sdk_algorithm(algorithm))
            .checksum_type(kind)
            .set_server_side_encryption(sse)
            .set_ssekms_key_id(kms)
            .set_expected_bucket_owner(self.owner.clone())
            .send()
            .await
            .map_err(|e| map_err("CreateMultipartUpload", key, e))?;
        out.upload_id.ok_or_else(|| StoreError::Service {
            operation: "CreateMultipartUpload",
            key: key.to_string(),
            status: None,
            code: "NoUploadId".into(),
            message: "the response has no upload id".into(),
        })
    }

    async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        body: Bytes,
        checksum: &Checksum,
    ) -> StoreResult<UploadedPart> {
        let size = body.len() as u64;
        let mut req = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .part_number(number as i32)
            .content_length(size as i64)
            .body(ByteStream::from(body))
            .set_expected_bucket_owner(self.owner.clone());
        // The algorithm is the upload's; S3 rejects a part checksum of another one.
        let v = checksum.value.clone();
        req = match checksum.algorithm {
            ChecksumAlgorithm::Crc64nvme => req.checksum_crc64_nvme(v),
            ChecksumAlgorithm::Sha256 => req.checksum_sha256(v),
            ChecksumAlgorithm::Crc32 => req.checksum_crc32(v),
            ChecksumAlgorithm::Crc32c => req.checksum_crc32_c(v),
            ChecksumAlgorithm::Sha1 => req.checksum_sha1(v),
        };
        let sent = if payload_signed(self.protected_path, checksum.algorithm) {
            req.send().await
        } else {
            req.customize().disable_payload_signing().send().await
        };
        let out = sent.map_err(|e| map_err("UploadPart", key, e))?;
        Ok(UploadedPart {
            number,
            etag: out.e_tag().map(String::from),
            checksum: Some(checksum.value.clone()),
            size,
        })
    }

    async fn complete_multipart_upload(
        &self,
        key: &str,
        upload_id: &str,
        algorithm: ChecksumAlgorithm,
        parts: &[UploadedPart],
        full_object: Option<&str>,
    ) -> StoreResult<()> {
        let completed: Vec<CompletedPart> = parts
            .iter()
            .map(|p| {
                let b = CompletedPart::builder()
                    .part_number(p.number as i32)
                    .set_e_tag(p.etag.clone());
                let c = p.checksum.clone();
                match algorithm {
                    ChecksumAlgorithm::Crc64nvme => b.set_checksum_crc64_nvme(c),
                    ChecksumAlgorithm::Sha256 => b.set_checksum_sha256(c),
                    ChecksumAlgorithm::Crc32 => b.set_checksum_crc32(c),
                    ChecksumAlgorithm::Crc32c => b.set_checksum_crc32_c(c),
                    ChecksumAlgorithm::Sha1 => b.set_checksum_sha1(c),
                }
                .build()
            })
            .collect();
        let mut req = self
            .client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(completed))
                    .build(),
            )
            .set_expected_bucket_owner(self.owner.clone());
        if let Some(full) = full_object {
            req = req
                .checksum_type(ChecksumType::FullObject)
                .checksum_crc64_nvme(full);
        }
        req.send()
            .await
            .map(|_| ())
            .map_err(|e| map_err("CompleteMultipartUpload", key, e))
    }

    async fn abort_multipart_upload(&self, key: &str, upload_id: &str) -> StoreResult<()> {
        self.client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .set_expected_bucket_owner(self.owner.clone())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| map_err("AbortMultipartUpload", key, e))
    }

    async fn list_multipart_uploads(&self, prefix: &str) -> StoreResult<Vec<MultipartUpload>> {
        let mut out = Vec::new();
        let (mut key_marker, mut id_marker) = (None::<String>, None::<String>);
        loop {
            let page = self
                .client
                .list_multipart_uploads()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_key_marker(key_marker.clone())
                .set_upload_id_marker(id_marker.clone())
                .set_expected_bucket_owner(self.owner.clone())
                .send()
                .await;
            let page = match page {
                Ok(p) => p,
                // Some stores (rclone's `serve s3`) answer 404 `NoSuchUpload` when they hold
                // no upload; the list only serves resuming, so that means "none". Any other
                // error, a missing bucket included, stays one.
                Err(SdkError::ServiceError(se))
                    if se.raw().status().as_u16() == 404
                        && se.err().code() != Some("NoSuchBucket") =>
                {
                    return Ok(out)
                }
                Err(e) => return Err(map_err("ListMultipartUploads", prefix, e)),
            };
            for u in page.uploads() {
                if let (Some(k), Some(id)) = (u.key(), u.upload_id()) {
                    out.push(MultipartUpload {
                        key: k.to_string(),
                        upload_id: id.to_string(),
                    });
                }
            }
            if page.is_truncated() != Some(true) {
                return Ok(out);
            }
            key_marker = page.next_key_marker().map(String::from);
            id_marker = page.next_upload_id_marker().map(String::from);
            if key_marker.is_none() {
                return Ok(out);
            }
        }
    }

    async fn list_parts(&self, key: &str, upload_id: &str) -> StoreResult<Vec<UploadedPart>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .client
                .list_parts()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(upload_id)
                .set_part_number_marker(marker.clone())
                .set_expected_bucket_owner(self.owner.clone())
                .send()
                .await
                .map_err(|e| map_err("ListParts", key, e))?;
            for p in page.parts() {
                let Some(n) = p.part_number() else { continue };
                out.push(UploadedPart {
                    number: n as u32,
                    etag: p.e_tag().map(String::from),
                    checksum: p
                        .checksum_crc64_nvme()
                        .or(p.checksum_sha256())
                        .or(p.checksum_crc32())
                        .or(p.checksum_crc32_c())
                        .or(p.checksum_sha1())
                        .map(String::from),
                    size: p.size().unwrap_or(0).max(0) as u64,
                });
            }
            if page.is_truncated() != Some(true) {
                break;
            }
            marker = page.next_part_number_marker().map(String::from);
            if marker.is_none() {
                break;
            }
        }
        out.sort_by_key(|p| p.number);
        Ok(out)
    }

    async fn list_objects(&self, prefix: &str, delimiter: bool) -> StoreResult<Listing> {
        let mut listing = Listing::default();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_delimiter(delimiter.then(|| "/".to_string()))
                .set_continuation_token(token.clone())
                .set_expected_bucket_owner(self.owner.clone())
                .send()
                .await
                .map_err(|e| map_err("ListObjectsV2", prefix, e))?;
            for o in page.contents() {
                let Some(k) = o.key() else { continue };
                listing.objects.push(ObjectInfo {
                    key: k.to_string(),
                    size: o.size().unwrap_or(0).max(0) as u64,
                    checksums: Vec::new(),
                    checksum_type: None,
                    last_modified: to_time(o.last_modified()),
                    etag: o.e_tag().map(String::from),
                });
            }
            for p in page.common_prefixes() {
                if let Some(p) = p.prefix() {
                    listing.folders.push(p.to_string());
                }
            }
            token = page.next_continuation_token().map(String::from);
            if page.is_truncated() != Some(true) || token.is_none() {
                break;
            }
        }
        Ok(listing)
    }

    async fn head_object(&self, key: &str) -> StoreResult<Option<ObjectInfo>> {
        let res = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .checksum_mode(ChecksumMode::Enabled)
            .set_expected_bucket_owner(self.owner.clone())
            .send()
            .await;
        let out = match res {
            Ok(o) => o,
            Err(SdkError::ServiceError(se)) if se.err().is_not_found() => return Ok(None),
            Err(SdkError::ServiceError(se)) if se.raw().status().as_u16() == 404 => {
                return Ok(None)
            }
            Err(e) => return Err(map_err("HeadObject", key, e)),
        };
        let checksums = checksums(
            out.checksum_crc64_nvme(),
            out.checksum_sha256(),
            out.checksum_crc32(),
            out.checksum_crc32_c(),
            out.checksum_sha1(),
        );
        let checksum_type = match out.checksum_type() {
            Some(ChecksumType::FullObject) => Some(crate::store::ChecksumType::FullObject),
            Some(ChecksumType::Composite) => Some(crate::store::ChecksumType::Composite),
            _ => None,
        };
        Ok(Some(ObjectInfo {
            key: key.to_string(),
            size: out.content_length().unwrap_or(0).max(0) as u64,
            checksums,
            checksum_type,
            last_modified: to_time(out.last_modified()),
            etag: out.e_tag().map(String::from),
        }))
    }

    async fn get_object(&self, key: &str) -> StoreResult<ObjectBody> {
        // The bytes are what callers hash (crate::verify) or check: the SDK is not to judge them
        // by the store's checksum, which may be wrong (a store that puts a CRC-32 in the
        // CRC64NVME header would fail every read with an opaque "streaming error").
        let raw = aws_sdk_s3::config::Builder::default().response_checksum_validation(
            aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired,
        );
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_expected_bucket_owner(self.owner.clone())
            .customize()
            .config_override(raw)
            .send()
            .await
            .map_err(|e| map_err("GetObject", key, e))?;
        Ok(Box::pin(out.body.into_async_read()))
    }

    async fn delete_objects(&self, keys: &[String]) -> StoreResult<()> {
        for batch in keys.chunks(1000) {
            let ids: Vec<ObjectIdentifier> = batch
                .iter()
                .filter_map(|k| ObjectIdentifier::builder().key(k).build().ok())
                .collect();
            let delete = Delete::builder()
                .set_objects(Some(ids))
                .quiet(true)
                .build()
                .map_err(|e| StoreError::Service {
                    operation: "DeleteObjects",
                    key: batch[0].clone(),
                    status: None,
                    code: "InvalidRequest".into(),
                    message: e.to_string(),
                })?;
            let out = self
                .client
                .delete_objects()
                .bucket(&self.bucket)
                .delete(delete)
                .set_expected_bucket_owner(self.owner.clone())
                .send()
                .await
                .map_err(|e| map_err("DeleteObjects", &batch[0], e))?;
            if let Some(e) = out.errors().first() {
                return Err(StoreError::Service {
                    operation: "DeleteObjects",
                    key: e.key().unwrap_or_default().to_string(),
                    status: None,
                    code: e.code().unwrap_or("Unknown").to_string(),
                    message: e.message().unwrap_or_default().to_string(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_and_loopback_endpoints_are_protected_paths() {
        for url in [
            "https://s3.example.com",
            "HTTPS://minio.internal:9000/x",
            "http://localhost:9000",
            "http://LOCALHOST",
            "http://127.0.0.1:9000/",
            "http://127.8.9.10",
            "http://[::1]:9000",
            "http://user:pw@127.0.0.1:9000/path?x=1",
        ] {
            assert!(protected_endpoint(url), "{url}");
        }
        for url in [
            "http://minio.internal:9000",
            "http://10.0.0.5:9000",
            "http://[2001:db8::1]:9000",
            "http://localhost.example.com",
            "http://127.0.0.1.example.com",
            "http://evil@example.com#@127.0.0.1",
            "localhost:9000",
            "",
        ] {
            assert!(!protected_endpoint(url), "{url}");
        }
    }

    #[test]
    fn only_a_crc_over_an_unprotected_path_is_signed() {
        use ChecksumAlgorithm::*;
        assert!(payload_signed(false, Crc64nvme));
        assert!(payload_signed(false, Crc32));
        assert!(!payload_signed(false, Sha256));
        for alg in [Crc64nvme, Sha256, Crc32, Crc32c, Sha1] {
            assert!(!payload_signed(true, alg), "{alg}");
        }
    }
}
