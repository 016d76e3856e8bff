//! An S3-compatible server on a loopback port for the tests, started by the tests themselves.
//!
//! Storage is `s3s-fs` 0.14.1 (objects and in-progress multipart uploads on disk, SigV4
//! checked, PutObject checksums verified). s3s-fs 0.14.1 lacks some S3 behaviour that staging
//! relies on, which [`Faithful`] adds in front of it, as S3 documents it:
//! - UploadPart verifies the part's `x-amz-checksum-crc64nvme` / `-sha256` / `-crc32` /
//!   `-crc32c` / `-sha1` (`BadDigest`) and ListParts returns each part's checksum and ETag;
//! - CompleteMultipartUpload verifies a full-object CRC64NVME (combined from the parts'
//!   CRC64NVMEs, as S3 does, or the part checksums) and
//!   HeadObject with checksum mode returns the object's checksum (`…-N` for a composite one);
//! - ListMultipartUploads lists the uploads in progress;
//! - a PutObject rejected with `BadDigest` leaves nothing behind.
//!
//! [`TestServer::start`] serves it over HTTP on `127.0.0.1:0`; with
//! [`ServerOptions::die_after_parts`] the server stops answering (connections dropped, the
//! port closed) once it has accepted that many parts, as a crashed server would; with
//! [`ServerOptions::fail_puts`] it answers the first PutObject requests with a 500, which the
//! SDK retries. With [`ServerOptions::answer_as`] it answers as another S3 implementation does
//! where that one departs from S3 ([`Quirks`]), so tests need not run it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use hyper::service::Service;
use s3s::dto::*;
use s3s::{s3_error, S3Request, S3Response, S3Result, S3};

/// The access key and secret the server accepts.
pub const ACCESS_KEY: &str = "test";
/// The secret key.
pub const SECRET_KEY: &str = "test";

fn checksum(alg: &str, bytes: &[u8]) -> String {
    let a: aws_smithy_checksums::ChecksumAlgorithm = alg.parse().expect("known algorithm");
    let mut h = a.into_impl();
    h.update(bytes);
    aws_smithy_types::base64::encode(&h.finalize()[..])
}

/// Departures from S3 of other implementations, reproduced on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quirks {
    /// rclone's `serve s3` (1.75): ListMultipartUploads answers 404 `NoSuchUpload` when no
    /// upload is in progress, and CreateMultipartUpload's answer has the root element
    /// `InitiateMultipartUpload` (S3's is `InitiateMultipartUploadResult`), which the SDK
    /// cannot read.
    Rclone,
    /// moto's server (5.2) without the `awscrt` package: a multipart upload's full-object
    /// CRC64NVME is computed as a CRC-32, and that 4-byte value is what HeadObject reports.
    Moto,
}

/// s3s-fs with the S3 behaviour it lacks (see the crate documentation).
#[derive(Debug)]
pub struct Faithful {
    fs: s3s_fs::FileSystem,
    root: PathBuf,
    quirks: Option<Quirks>,
}

impl Faithful {
    /// Serves the directory `root` (each sub-directory is a bucket).
    pub fn new(root: &Path) -> Faithful {
        std::fs::create_dir_all(root.join(".shim")).expect("create the server root");
        Faithful {
            fs: s3s_fs::FileSystem::new(root).expect("open the server root"),
            root: root.to_path_buf(),
            quirks: None,
        }
    }

    /// Answers with `quirks`.
    pub fn with_quirks(mut self, quirks: Option<Quirks>) -> Faithful {
        self.quirks = quirks;
        self
    }

    fn side(&self, parts: &[&str]) -> PathBuf {
        let mut p = self.root.join(".shim");
        for s in parts {
            p.push(s.replace('/', "%2F"));
        }
        p
    }

    fn write(&self, path: &Path, v: &serde_json::Value) {
        if let Some(d) = path.parent() {
            let _ = std::fs::create_dir_all(d);
        }
        let _ = std::fs::write(path, v.to_string());
    }

    fn read(&self, path: &Path) -> Option<serde_json::Value> {
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    }

    /// The full-object CRC64NVME of an upload's `parts`, in order, combined from the CRC64NVME
    /// and size recorded for each part (each checked against its bytes when it arrived), as S3
    /// derives it: without reading the parts again. `None` when a part lacks either (the
    /// caller then reads them).
    fn combined_crc64nvme(&self, id: &str, parts: &[CompletedPart]) -> Option<String> {
        let mut crc = None;
        for p in parts {
            let n = p.part_number?.to_string();
            let v = self.read(&self.side(&["parts", id, &n]))?;
            if v["algorithm"].as_str()? != "crc64nvme" {
                return None;
            }
            let size = v["size"].as_u64()?;
            let bytes = aws_smithy_types::base64::decode(v["checksum"].as_str()?).ok()?;
            let part = u64::from_be_bytes(bytes.try_into().ok()?);
            crc = Some(match crc {
                None => part,
                Some(c) => {
                    crc_fast::checksum_combine(crc_fast::CrcAlgorithm::Crc64Nvme, c, part, size)
                }
            });
        }
        crc.map(|c: u64| aws_smithy_types::base64::encode(c.to_be_bytes()))
    }
}

#[async_trait::async_trait]
impl S3 for Faithful {
    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        self.fs.create_bucket(req).await
    }

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.fs.head_bucket(req).await
    }

    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        let (bucket, key) = (req.input.bucket.clone(), req.input.key.clone());
        let _ = std::fs::remove_file(self.side(&["objects", &bucket, &key]));
        let r = self.fs.put_object(req).await;
        if let Err(e) = &r {
            if *e.code() == s3s::S3ErrorCode::BadDigest {
                // S3 stores nothing when the checksum does not match; s3s-fs keeps the bytes.
                let p = self.root.join(&bucket).join(&key);
                let _ = std::fs::remove_file(p);
            }
        }
        r
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        self.fs.get_object(req).await
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        let (bucket, key) = (req.input.bucket.clone(), req.input.key.clone());
        let mode = req.input.checksum_mode.is_some();
        let mut r = self.fs.head_object(req).await?;
        let o = &mut r.output;
        if mode && o.checksum_crc64nvme.is_none() && o.checksum_sha256.is_none() {
            if let Some(v) = self.read(&self.side(&["objects", &bucket, &key])) {
                if v["size"].as_i64() == o.content_length {
                    let value = v["value"].as_str().map(String::from);
                    match v["algorithm"].as_str() {
                        Some("crc64nvme") => o.checksum_crc64nvme = value,
                        Some("crc32") => o.checksum_crc32 = value,
                        Some("crc32c") => o.checksum_crc32c = value,
                        Some("sha1") => o.checksum_sha1 = value,
                        _ => o.checksum_sha256 = value,
                    }
                }
            }
        }
        Ok(r)
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        self.fs.list_objects_v2(req).await
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        let _ = std::fs::remove_file(self.side(&["objects", &req.input.bucket, &req.input.key]));
        self.fs.delete_object(req).await
    }

    async fn delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        for o in &req.input.delete.objects {
            let _ = std::fs::remove_file(self.side(&["objects", &req.input.bucket, &o.key]));
        }
        self.fs.delete_objects(req).await
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let (bucket, key) = (req.input.bucket.clone(), req.input.key.clone());
        let alg = req
            .input
            .checksum_algorithm
            .as_ref()
            .map(|a| a.as_str().to_ascii_lowercase());
        let r = self.fs.create_multipart_upload(req).await?;
        if let Some(id) = &r.output.upload_id {
            self.write(
                &self.side(&["uploads", id]),
                &serde_json::json!({"bucket": bucket, "key": key, "algorithm": alg}),
            );
        }
        Ok(r)
    }

    async fn upload_part(
        &self,
        mut req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        let mut data = Vec::new();
        if let Some(mut body) = req.input.body.take() {
            while let Some(chunk) = body.next().await {
                data.extend_from_slice(&chunk.map_err(|_| s3_error!(IncompleteBody))?);
            }
        }
        let sent = [
            ("crc64nvme", req.input.checksum_crc64nvme.clone()),
            ("sha256", req.input.checksum_sha256.clone()),
            ("crc32", req.input.checksum_crc32.clone()),
            ("crc32c", req.input.checksum_crc32c.clone()),
            ("sha1", req.input.checksum_sha1.clone()),
        ];
        let mut recorded = None;
        for (alg, value) in sent {
            if let Some(v) = value {
                if checksum(alg, &data) != v {
                    return Err(s3_error!(
                        BadDigest,
                        "the part's {alg} checksum does not match"
                    ));
                }
                recorded = Some((alg, v));
            }
        }
        let id = req.input.upload_id.clone();
        let n = req.input.part_number;
        let size = data.len();
        req.input.body = Some(StreamingBlob::from(s3s::Body::from(Bytes::from(data))));
        let mut r = self.fs.upload_part(req).await?;
        let etag = match &r.output.e_tag {
            Some(ETag::Strong(s) | ETag::Weak(s)) => s.clone(),
            None => String::new(),
        };
        if let Some((alg, v)) = &recorded {
            let o = &mut r.output;
            *match *alg {
                "crc64nvme" => &mut o.checksum_crc64nvme,
                "sha256" => &mut o.checksum_sha256,
                "crc32" => &mut o.checksum_crc32,
                "crc32c" => &mut o.checksum_crc32c,
                _ => &mut o.checksum_sha1,
            } = Some(v.clone());
        }
        self.write(
            &self.side(&["parts", &id, &n.to_string()]),
            &serde_json::json!({
                "etag": etag,
                "algorithm": recorded.as_ref().map(|r| r.0),
                "checksum": recorded.map(|r| r.1),
                "size": size,
            }),
        );
        Ok(r)
    }

    async fn list_parts(
        &self,
        req: S3Request<ListPartsInput>,
    ) -> S3Result<S3Response<ListPartsOutput>> {
        let id = req.input.upload_id.clone();
        if self.read(&self.side(&["uploads", &id])).is_none() {
            return Err(s3_error!(NoSuchUpload));
        }
        let alg = self
            .read(&self.side(&["uploads", &id]))
            .and_then(|v| v["algorithm"].as_str().map(String::from));
        let mut r = self.fs.list_parts(req).await?;
        if let Some(parts) = r.output.parts.as_mut() {
            parts.sort_by_key(|p| p.part_number);
            for p in parts {
                let n = p.part_number.unwrap_or(0).to_string();
                if let Some(v) = self.read(&self.side(&["parts", &id, &n])) {
                    p.e_tag = v["etag"].as_str().map(|s| ETag::Strong(s.to_string()));
                    let c = v["checksum"].as_str().map(String::from);
                    match alg.as_deref() {
                        Some("crc64nvme") => p.checksum_crc64nvme = c,
                        Some("sha256") => p.checksum_sha256 = c,
                        Some("crc32") => p.checksum_crc32 = c,
                        Some("crc32c") => p.checksum_crc32c = c,
                        Some("sha1") => p.checksum_sha1 = c,
                        _ => {}
                    }
                }
            }
        }
        Ok(r)
    }

    async fn list_multipart_uploads(
        &self,
        req: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        let prefix = req.input.prefix.clone().unwrap_or_default();
        let mut uploads = Vec::new();
        if let Ok(entries) = std::fs::read_dir(self.side(&["uploads"])) {
            for e in entries.filter_map(Result::ok) {
                let Some(v) = self.read(&e.path()) else {
                    continue;
                };
                let key = v["key"].as_str().unwrap_or_default().to_string();
                if v["bucket"].as_str() == Some(req.input.bucket.as_str())
                    && key.starts_with(&prefix)
                {
                    uploads.push(MultipartUpload {
                        key: Some(key),
                        upload_id: Some(e.file_name().to_string_lossy().into_owned()),
                        ..Default::default()
                    });
                }
            }
        }
        uploads.sort_by(|a, b| a.upload_id.cmp(&b.upload_id));
        Ok(S3Response::new(ListMultipartUploadsOutput {
            bucket: Some(req.input.bucket),
            prefix: req.input.prefix,
            is_truncated: Some(false),
            uploads: Some(uploads),
            ..Default::default()
        }))
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let id = req.input.upload_id.clone();
        let (bucket, key) = (req.input.bucket.clone(), req.input.key.clone());
        let Some(upload) = self.read(&self.side(&["uploads", &id])) else {
            return Err(s3_error!(NoSuchUpload));
        };
        let alg = upload["algorithm"].as_str().map(String::from);
        let parts: Vec<CompletedPart> = req
            .input
            .multipart_upload
            .as_ref()
            .and_then(|m| m.parts.clone())
            .unwrap_or_default();
        // Every part's checksum must be the one it was uploaded with.
        let mut raw = Vec::new();
        for p in &parts {
            let n = p.part_number.unwrap_or(0).to_string();
            let recorded = self
                .read(&self.side(&["parts", &id, &n]))
                .and_then(|v| v["checksum"].as_str().map(String::from));
            let given = p
                .checksum_crc64nvme
                .clone()
                .or(p.checksum_sha256.clone())
                .or(p.checksum_crc32.clone())
                .or(p.checksum_crc32c.clone())
                .or(p.checksum_sha1.clone());
            if alg.is_some() && (given.is_none() || given != recorded) {
                return Err(s3_error!(
                    InvalidPart,
                    "part {n}: checksum missing or different"
                ));
            }
            raw.extend(
                aws_smithy_types::base64::decode(given.unwrap_or_default()).unwrap_or_default(),
            );
        }
        // A full-object CRC64NVME is checked against the bytes of the parts, in order.
        let full_given = req.input.checksum_crc64nvme.clone();
        let mut full = None;
        if alg.as_deref() == Some("crc64nvme") {
            let v = match self.combined_crc64nvme(&id, &parts) {
                Some(v) => v,
                None => {
                    let mut data_crc =
                        aws_smithy_checksums::ChecksumAlgorithm::Crc64Nvme.into_impl();
                    for p in &parts {
                        let n = p.part_number.unwrap_or(0);
                        let path = self.root.join(format!(".upload_id-{id}.part-{n}"));
                        let bytes = std::fs::read(&path).map_err(|e| s3_error!(e, InvalidPart))?;
                        data_crc.update(&bytes);
                    }
                    aws_smithy_types::base64::encode(&data_crc.finalize()[..])
                }
            };
            if let Some(g) = &full_given {
                if *g != v {
                    return Err(s3_error!(
                        BadDigest,
                        "the full-object crc64nvme does not match"
                    ));
                }
            }
            full = Some(("crc64nvme", v));
            if self.quirks == Some(Quirks::Moto) {
                let mut crc32 = aws_smithy_checksums::ChecksumAlgorithm::Crc32.into_impl();
                for p in &parts {
                    let n = p.part_number.unwrap_or(0);
                    let path = self.root.join(format!(".upload_id-{id}.part-{n}"));
                    crc32.update(&std::fs::read(&path).map_err(|e| s3_error!(e, InvalidPart))?);
                }
                full = Some((
                    "crc64nvme",
                    aws_smithy_types::base64::encode(&crc32.finalize()[..]),
                ));
            }
        } else if let Some(a) = alg.as_deref() {
            // A composite checksum: of the parts' checksums, then `-N`.
            full = Some((a, format!("{}-{}", checksum(a, &raw), parts.len())));
        }
        let r = self.fs.complete_multipart_upload(req).await?;
        let size = std::fs::metadata(self.root.join(&bucket).join(&key)).map_or(0, |m| m.len());
        if let Some((alg, value)) = full {
            self.write(
                &self.side(&["objects", &bucket, &key]),
                &serde_json::json!({"algorithm": alg, "value": value, "size": size}),
            );
        }
        let _ = std::fs::remove_file(self.side(&["uploads", &id]));
        let _ = std::fs::remove_dir_all(self.side(&["parts", &id]));
        Ok(r)
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let id = req.input.upload_id.clone();
        let r = self.fs.abort_multipart_upload(req).await?;
        let _ = std::fs::remove_file(self.side(&["uploads", &id]));
        let _ = std::fs::remove_dir_all(self.side(&["parts", &id]));
        Ok(r)
    }
}

/// How the server behaves.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// Stop answering once this many UploadPart requests have been accepted: later requests
    /// get their connection dropped and the port is closed.
    pub die_after_parts: Option<usize>,
    /// Once this many UploadPart requests have been accepted, later ones are never answered
    /// (the connection stays open): a store that hangs.
    pub hang_after_parts: Option<usize>,
    /// Serve s3s-fs alone, without the [`Faithful`] additions.
    pub bare: bool,
    /// The access key and secret the server accepts (default [`ACCESS_KEY`], [`SECRET_KEY`]).
    pub credentials: Option<(String, String)>,
    /// Answer as another S3 implementation does where it departs from S3.
    pub answer_as: Option<Quirks>,
    /// Answer this many PutObject requests (the first ones; not parts) with `500 InternalError`
    /// after reading their whole body, storing nothing: a store's transient failure, which
    /// the SDK retries by sending the request (and its body) again.
    pub fail_puts: usize,
}

struct State {
    parts: AtomicUsize,
    dead: AtomicBool,
    die_after: Option<usize>,
    hang_after: Option<usize>,
    requests: AtomicUsize,
    writes: AtomicUsize,
    puts: AtomicUsize,
    fail_puts: usize,
    quirks: Option<Quirks>,
    /// PUT requests (objects and parts) whose body the signature covers, and those sent as
    /// `UNSIGNED-PAYLOAD`.
    signed_bodies: AtomicUsize,
    unsigned_bodies: AtomicUsize,
}

/// A running server.
#[derive(Debug)]
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The directory it serves.
    pub root: PathBuf,
    state: Arc<State>,
    accept: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("parts", &self.parts)
            .field("dead", &self.dead)
            .finish()
    }
}

/// rclone's answers to the `?uploads` requests (see [`Quirks::Rclone`]).
async fn rclone_uploads(
    method: hyper::Method,
    mut answer: s3s::HttpResponse,
) -> Result<s3s::HttpResponse, s3s::HttpError> {
    let body = answer
        .body_mut()
        .store_all_limited(1 << 20)
        .await
        .map_err(s3s::HttpError::new)?;
    let text = String::from_utf8_lossy(&body).into_owned();
    let text = if method == hyper::Method::GET && !text.contains("<Upload>") {
        *answer.status_mut() = hyper::StatusCode::NOT_FOUND;
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchUpload</Code><Message>The specified multipart upload does not exist.</Message></Error>".to_string()
    } else if method == hyper::Method::POST {
        text.replace("InitiateMultipartUploadResult", "InitiateMultipartUpload")
    } else {
        text
    };
    answer.headers_mut().remove(hyper::header::CONTENT_LENGTH);
    *answer.body_mut() = s3s::Body::from(text);
    Ok(answer)
}

/// A `500 InternalError` answer, sent once the request's body has been read (and dropped).
async fn internal_error(req: hyper::Request<hyper::body::Incoming>) -> s3s::HttpResponse {
    let mut body = s3s::Body::from(req.into_body());
    while let Some(Ok(_)) = body.next().await {}
    let mut answer = hyper::Response::new(s3s::Body::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>".to_string(),
    ));
    *answer.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
    answer
}

impl TestServer {
    /// Starts serving `root` on a fresh loopback port; `bucket` is created if missing.
    pub async fn start(root: &Path, bucket: &str, opts: ServerOptions) -> TestServer {
        std::fs::create_dir_all(root.join(bucket)).expect("create the bucket");
        let mut b = if opts.bare {
            s3s::service::S3ServiceBuilder::new(
                s3s_fs::FileSystem::new(root).expect("open the server root"),
            )
        } else {
            s3s::service::S3ServiceBuilder::new(Faithful::new(root).with_quirks(opts.answer_as))
        };
        let (key, secret) = opts
            .credentials
            .clone()
            .unwrap_or_else(|| (ACCESS_KEY.into(), SECRET_KEY.into()));
        b.set_auth(s3s::auth::SimpleAuth::from_single(key, secret));
        let service = b.build();
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State {
            parts: AtomicUsize::new(0),
            dead: AtomicBool::new(false),
            die_after: opts.die_after_parts,
            hang_after: opts.hang_after_parts,
            requests: AtomicUsize::new(0),
            writes: AtomicUsize::new(0),
            puts: AtomicUsize::new(0),
            fail_puts: opts.fail_puts,
            quirks: opts.answer_as,
            signed_bodies: AtomicUsize::new(0),
            unsigned_bodies: AtomicUsize::new(0),
        });
        let st = state.clone();
        let accept = tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                if st.dead.load(Ordering::SeqCst) {
                    break; // drops the listener: the port is closed
                }
                let service = service.clone();
                let st = st.clone();
                conns.spawn(async move {
                    let svc = hyper::service::service_fn(
                        move |req: hyper::Request<hyper::body::Incoming>| {
                            let service = service.clone();
                            let st = st.clone();
                            async move {
                                st.requests.fetch_add(1, Ordering::SeqCst);
                                if matches!(
                                    *req.method(),
                                    hyper::Method::PUT
                                        | hyper::Method::POST
                                        | hyper::Method::DELETE
                                ) {
                                    st.writes.fetch_add(1, Ordering::SeqCst);
                                }
                                if req.method() == hyper::Method::PUT {
                                    let hash = req
                                        .headers()
                                        .get("x-amz-content-sha256")
                                        .map(|v| v.as_bytes());
                                    if hash == Some(b"UNSIGNED-PAYLOAD".as_slice()) {
                                        st.unsigned_bodies.fetch_add(1, Ordering::SeqCst);
                                    } else {
                                        st.signed_bodies.fetch_add(1, Ordering::SeqCst);
                                    }
                                }
                                let is_part = req.method() == hyper::Method::PUT
                                    && req.uri().query().is_some_and(|q| q.contains("partNumber="));
                                if is_part {
                                    let n = st.parts.fetch_add(1, Ordering::SeqCst);
                                    if st.die_after.is_some_and(|d| n >= d) {
                                        st.dead.store(true, Ordering::SeqCst);
                                    }
                                    if st.hang_after.is_some_and(|h| n >= h) {
                                        std::future::pending::<()>().await;
                                    }
                                }
                                if st.dead.load(Ordering::SeqCst) {
                                    return Err(s3s::HttpError::new(Box::new(
                                        std::io::Error::other("the server died"),
                                    )));
                                }
                                let is_put = req.method() == hyper::Method::PUT
                                    && !is_part
                                    && !req.headers().contains_key("x-amz-copy-source");
                                if is_put && st.puts.fetch_add(1, Ordering::SeqCst) < st.fail_puts {
                                    return Ok(internal_error(req).await);
                                }
                                let uploads = req.uri().query().is_some_and(|q| {
                                    q.split('&').any(|kv| kv == "uploads" || kv == "uploads=")
                                });
                                let method = req.method().clone();
                                let answer = Service::call(&service, req).await?;
                                if st.quirks == Some(Quirks::Rclone) && uploads {
                                    return rclone_uploads(method, answer).await;
                                }
                                Ok(answer)
                            }
                        },
                    );
                    let _ = hyper_util::server::conn::auto::Builder::new(
                        hyper_util::rt::TokioExecutor::new(),
                    )
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                    .await;
                });
                while conns.try_join_next().is_some() {}
            }
            conns.abort_all();
        });
        TestServer {
            endpoint: format!("http://{addr}"),
            root: root.to_path_buf(),
            state,
            accept,
        }
    }

    /// UploadPart requests received so far.
    pub fn parts_received(&self) -> usize {
        self.state.parts.load(Ordering::SeqCst)
    }

    /// Requests received so far.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// PutObject requests (not parts) received so far, those answered with an error included.
    pub fn puts(&self) -> usize {
        self.state.puts.load(Ordering::SeqCst)
    }

    /// Requests that write (PUT, POST, DELETE) received so far.
    pub fn writes(&self) -> usize {
        self.state.writes.load(Ordering::SeqCst)
    }

    /// PUT requests (objects and parts) whose body the SigV4 signature covers, so far.
    pub fn signed_bodies(&self) -> usize {
        self.state.signed_bodies.load(Ordering::SeqCst)
    }

    /// PUT requests (objects and parts) sent with `x-amz-content-sha256: UNSIGNED-PAYLOAD`, so far.
    pub fn unsigned_bodies(&self) -> usize {
        self.state.unsigned_bodies.load(Ordering::SeqCst)
    }

    /// Whether the server has died (see [`ServerOptions::die_after_parts`]).
    pub fn is_dead(&self) -> bool {
        self.state.dead.load(Ordering::SeqCst)
    }

    /// Stops the server: the port is closed and open connections are dropped.
    pub fn stop(&self) {
        self.state.dead.store(true, Ordering::SeqCst);
        self.accept.abort();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// A server with its own runtime on background threads, for tests that are not async
/// (for example, tests that run the `preflight` binary).
#[derive(Debug)]
pub struct BackgroundServer {
    server: Option<TestServer>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl BackgroundServer {
    /// Starts a server (see [`TestServer::start`]).
    pub fn start(root: &Path, bucket: &str, opts: ServerOptions) -> BackgroundServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let server = runtime.block_on(TestServer::start(root, bucket, opts));
        BackgroundServer {
            server: Some(server),
            runtime: Some(runtime),
        }
    }

    /// The running server.
    pub fn server(&self) -> &TestServer {
        self.server.as_ref().expect("running")
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.server().endpoint
    }
}

impl Drop for BackgroundServer {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop();
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The keys of the objects the server stores in `bucket` under `root`, sorted: s3s-fs keeps one
/// file per object below the bucket's folder, and its own bookkeeping in dot-files and folders.
pub fn stored_keys(root: &Path, bucket: &str) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, base, out);
            } else if let Ok(rel) = p.strip_prefix(base) {
                let k = rel.to_string_lossy().into_owned();
                if !k.split('/').any(|s| s.starts_with('.')) {
                    out.push(k);
                }
            }
        }
    }
    let base = root.join(bucket);
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out.sort();
    out
}

/// The multipart uploads in progress on the server under `root` (s3s-fs's upload records, in
/// the root and in `bucket`'s folder) and the part files the shim keeps for them: none may
/// outlive a refused or stopped stage.
pub fn open_uploads(root: &Path, bucket: &str) -> Vec<String> {
    let names = |dir: PathBuf| -> Vec<String> {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    };
    let mut out: Vec<String> = names(root.to_path_buf())
        .into_iter()
        .chain(names(root.join(bucket)))
        .filter(|n| n.starts_with(".upload"))
        .collect();
    out.extend(names(root.join(".shim").join("uploads")));
    out
}

#[cfg(test)]
mod tests {
    /// The combination of two parts' CRC64NVMEs is the CRC64NVME of the two parts together, in
    /// the encoding of the checksum headers (base64 of the big-endian value).
    #[test]
    fn part_crcs_combine_into_the_whole_objects() {
        let crc = |b: &[u8]| {
            let mut c = aws_smithy_checksums::ChecksumAlgorithm::Crc64Nvme.into_impl();
            c.update(b);
            u64::from_be_bytes(c.finalize()[..].try_into().unwrap())
        };
        let data: Vec<u8> = (0..100_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for cut in [1, 4096, 65_537, 99_999] {
            let (a, b) = data.split_at(cut);
            let combined = crc_fast::checksum_combine(
                crc_fast::CrcAlgorithm::Crc64Nvme,
                crc(a),
                crc(b),
                b.len() as u64,
            );
            assert_eq!(combined, crc(&data), "cut at {cut}");
        }
    }
}
