//! The S3 adapter: [`ObjectStore`] implemented with `aws-sdk-s3`. The only module that names
//! SDK types; configuration comes from the standard AWS chain (environment, profiles, SSO,
//! instance roles) through `aws-config`.

use std::time::{Duration, SystemTime};

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    ChecksumAlgorithm as SdkAlgorithm, ChecksumMode, ChecksumType, CompletedMultipartUpload,
    CompletedPart, Delete, ObjectIdentifier, ServerSideEncryption,
};
use bytes::Bytes;

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
}

/// The default [`S3Options::read_timeout`]: long enough to send a 100 MiB part at 350 KB/s.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(300);

/// One bucket through `aws-sdk-s3`.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: aws_sdk_s3::Client,
    bucket: String,
    sse: Option<Sse>,
    owner: Option<String>,
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
        // Keep the configured connect timeout; add the read timeout.
        let timeouts = sdk
            .timeout_config()
            .map(|t| t.to_builder())
            .unwrap_or_default()
            .read_timeout(opts.read_timeout.unwrap_or(DEFAULT_READ_TIMEOUT))
            .build();
        conf = conf.timeout_config(timeouts);
        Ok(S3Store::from_client(
            aws_sdk_s3::Client::from_conf(conf.build()),
            bucket,
            opts,
        ))
    }

    /// Wraps an existing client (tests build their own).
    pub fn from_client(client: aws_sdk_s3::Client, bucket: &str, opts: &S3Options) -> S3Store {
        S3Store {
            client,
            bucket: bucket.to_string(),
            sse: opts.sse.clone(),
            owner: opts.expected_bucket_owner.clone(),
        }
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
    }
}

fn to_time(t: Option<&aws_sdk_s3::primitives::DateTime>) -> Option<SystemTime> {
    t.and_then(|t| SystemTime::try_from(*t).ok())
}

fn map_err<E, R>(operation: &'static str, key: &str, err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match &err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let code = e.code().unwrap_or("Unknown").to_string();
            let message = e.message().unwrap_or_default().to_string();
            match code.as_str() {
                "BadDigest" | "InvalidDigest" | "XAmzContentChecksumMismatch" => {
                    StoreError::BadDigest {
                        key: key.to_string(),
                        message: if message.is_empty() { code } else { message },
                    }
                }
                "NoSuchKey" | "NoSuchUpload" | "NotFound" => StoreError::NotFound {
                    key: key.to_string(),
                },
                "NotImplemented" => StoreError::Unsupported { operation },
                _ => StoreError::Service {
                    operation,
                    key: key.to_string(),
                    code,
                    message,
                },
            }
        }
        _ => {
            // Dispatch failures, timeouts, unreadable responses: the full chain says why.
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
        let (sse, kms) = self.sse();
        let mut req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_length(body.len() as i64)
            .body(ByteStream::from(body))
            .set_server_side_encryption(sse)
            .set_ssekms_key_id(kms)
            .set_expected_bucket_owner(self.owner.clone());
        req = match checksum.algorithm {
            ChecksumAlgorithm::Crc64nvme => req.checksum_crc64_nvme(&checksum.value),
            ChecksumAlgorithm::Sha256 => req.checksum_sha256(&checksum.value),
        };
        req.send()
            .await
            .map(|_| ())
            .map_err(|e| map_err("PutObject", key, e))
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
        req = match checksum.algorithm {
            ChecksumAlgorithm::Crc64nvme => req.checksum_crc64_nvme(&checksum.value),
            ChecksumAlgorithm::Sha256 => req.checksum_sha256(&checksum.value),
        };
        let out = req
            .send()
            .await
            .map_err(|e| map_err("UploadPart", key, e))?;
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
                match algorithm {
                    ChecksumAlgorithm::Crc64nvme => b.set_checksum_crc64_nvme(p.checksum.clone()),
                    ChecksumAlgorithm::Sha256 => b.set_checksum_sha256(p.checksum.clone()),
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
                .await
                .map_err(|e| map_err("ListMultipartUploads", prefix, e))?;
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
        let mut checksums = Vec::new();
        if let Some(v) = out.checksum_crc64_nvme() {
            checksums.push(Checksum {
                algorithm: ChecksumAlgorithm::Crc64nvme,
                value: v.to_string(),
            });
        }
        if let Some(v) = out.checksum_sha256() {
            checksums.push(Checksum {
                algorithm: ChecksumAlgorithm::Sha256,
                value: v.to_string(),
            });
        }
        Ok(Some(ObjectInfo {
            key: key.to_string(),
            size: out.content_length().unwrap_or(0).max(0) as u64,
            checksums,
            last_modified: to_time(out.last_modified()),
            etag: out.e_tag().map(String::from),
        }))
    }

    async fn get_object(&self, key: &str) -> StoreResult<ObjectBody> {
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_expected_bucket_owner(self.owner.clone())
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
                    code: e.code().unwrap_or("Unknown").to_string(),
                    message: e.message().unwrap_or_default().to_string(),
                });
            }
        }
        Ok(())
    }
}
