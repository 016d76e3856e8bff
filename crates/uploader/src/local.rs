//! A local directory as an [`ObjectStore`]: the default target, so staging works with no
//! cloud account, with the same layout, checks and manifest as S3.
//!
//! Keys are paths below the root. Like S3, the store checks every checksum it is sent, objects
//! appear whole (written to a temporary file, then renamed), and multipart uploads keep their
//! parts until completed or aborted (in `.preflight-store/`, next to the data, never inside a
//! run folder), so an interrupted run can resume.
//!
//! Unlike S3, it reports no checksum for an object: a file can be edited in place, keeping its
//! size, and a record kept beside it would then vouch for bytes that are gone. Whoever needs to
//! know what a file holds reads it ([`crate::verify`] does, hashing as it reads).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use bytes::Bytes;

use crate::checksum::{checksum_of, Hasher};
use crate::store::{
    Checksum, ChecksumAlgorithm, Listing, MultipartUpload, ObjectBody, ObjectInfo, ObjectStore,
    StoreError, StoreResult, UploadedPart,
};

/// The store's own bookkeeping, at the root.
const STATE: &str = ".preflight-store";

/// A directory used as a bucket.
#[derive(Debug)]
pub struct LocalStore {
    root: PathBuf,
    seq: AtomicU64,
}

fn io(operation: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.display().to_string();
    move |source| StoreError::Io {
        operation,
        path,
        source,
    }
}

fn no_upload(operation: &'static str, key: &str) -> StoreError {
    StoreError::NotFound {
        operation,
        key: key.to_string(),
        answer: "no such multipart upload".into(),
    }
}

fn bad_digest(operation: &'static str, key: &str, expected: &str, actual: &str) -> StoreError {
    StoreError::BadDigest {
        operation,
        key: key.to_string(),
        message: format!("sent {expected}, computed {actual}"),
    }
}

/// Writes `dest` through `tmp` (in the same directory): `write` fills it, then it is synced and
/// renamed over `dest`; on any error the temporary file is removed and `dest` is untouched.
fn write_atomic_via(
    tmp: &Path,
    dest: &Path,
    write: impl FnOnce(&mut std::fs::File) -> StoreResult<()>,
) -> StoreResult<()> {
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(io("create", dir))?;
    }
    let result = std::fs::File::create(tmp)
        .map_err(io("write", dest))
        .and_then(|mut f| {
            write(&mut f)?;
            f.sync_all().map_err(io("write", dest))
        })
        .and_then(|()| std::fs::rename(tmp, dest).map_err(io("write", dest)));
    if result.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    result
}

/// Copies the first `size` bytes of `src` into `out`, hashing them as they pass (1 MiB at a
/// time), and checks them against `sum` as a store checks what it is sent.
fn copy_checked(
    src: &Path,
    size: u64,
    out: &mut std::fs::File,
    dest: &Path,
    key: &str,
    sum: &Checksum,
) -> StoreResult<()> {
    let mut inp = std::fs::File::open(src)
        .map_err(io("read", src))?
        .take(size);
    let mut hasher = Hasher::new(sum.algorithm);
    let mut buf = vec![0u8; 1 << 20];
    let mut copied = 0u64;
    loop {
        let n = inp.read(&mut buf).map_err(io("read", src))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(io("write", dest))?;
        copied += n as u64;
    }
    if copied < size {
        return Err(io("read", src)(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("the file has {copied} bytes, {size} were to be sent"),
        )));
    }
    let actual = hasher.finish();
    if actual != sum.value {
        return Err(bad_digest("PutObject", key, &sum.value, &actual));
    }
    Ok(())
}

/// Runs file work off the async workers (a blocking task), as `operation` on `path`.
async fn blocking<T: Send + 'static>(
    operation: &'static str,
    path: &Path,
    work: impl FnOnce() -> StoreResult<T> + Send + 'static,
) -> StoreResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Io {
            operation,
            path: path.display().to_string(),
            source: std::io::Error::other(e.to_string()),
        })?
}

impl LocalStore {
    /// A store rooted at `root` (created when first written).
    pub fn new(root: impl Into<PathBuf>) -> LocalStore {
        LocalStore {
            root: root.into(),
            seq: AtomicU64::new(0),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        let mut p = self.root.clone();
        for seg in key.split('/').filter(|s| !s.is_empty()) {
            p.push(seg);
        }
        p
    }

    fn upload_dir(&self, upload_id: &str) -> PathBuf {
        self.root.join(STATE).join("uploads").join(upload_id)
    }

    /// A fresh temporary path beside `dest` (hidden from listings).
    fn temp_for(&self, dest: &Path) -> PathBuf {
        let dir = dest.parent().unwrap_or(&self.root);
        dir.join(format!(
            ".{}.tmp-{}-{}",
            dest.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            std::process::id(),
            self.seq.fetch_add(1, Ordering::Relaxed)
        ))
    }

    /// Writes `dest` atomically: a temporary file in the same directory, then a rename.
    fn write_atomic(
        &self,
        dest: &Path,
        write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
    ) -> StoreResult<()> {
        write_atomic_via(&self.temp_for(dest), dest, |f| {
            write(f).map_err(io("write", dest))
        })
    }

    fn new_upload_id(&self) -> String {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!(
            "{nanos:x}-{}-{}",
            std::process::id(),
            self.seq.fetch_add(1, Ordering::Relaxed)
        )
    }

    fn walk(
        &self,
        dir: &Path,
        key_prefix: &str,
        out: &mut Vec<(String, std::fs::Metadata)>,
    ) -> StoreResult<()> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io("list", dir)(e)),
        };
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            if name == STATE || name.starts_with(".") && name.contains(".tmp-") {
                continue;
            }
            let Ok(meta) = e.metadata() else { continue };
            let key = format!("{key_prefix}{name}");
            if meta.is_dir() {
                self.walk(&e.path(), &format!("{key}/"), out)?;
            } else {
                out.push((key, meta));
            }
        }
        Ok(())
    }
}

impl ObjectStore for LocalStore {
    fn root(&self) -> String {
        self.root.display().to_string()
    }

    fn location(&self, key: &str) -> String {
        let mut s = self.path(key).display().to_string();
        if key.ends_with('/') && !s.ends_with('/') {
            s.push('/');
        }
        s
    }

    async fn put_object(&self, key: &str, body: Bytes, checksum: &Checksum) -> StoreResult<()> {
        let actual = checksum_of(checksum.algorithm, &body);
        if actual != checksum.value {
            return Err(bad_digest("PutObject", key, &checksum.value, &actual));
        }
        self.write_atomic(&self.path(key), |f| f.write_all(&body))
    }

    async fn put_file(
        &self,
        key: &str,
        path: &Path,
        size: u64,
        checksum: &Checksum,
    ) -> StoreResult<()> {
        let dest = self.path(key);
        let tmp = self.temp_for(&dest);
        let (src, key, sum) = (path.to_path_buf(), key.to_string(), checksum.clone());
        let target = dest.clone();
        blocking("PutObject", &dest, move || {
            write_atomic_via(&tmp, &target, |out| {
                copy_checked(&src, size, out, &target, &key, &sum)
            })
        })
        .await
    }

    async fn create_multipart_upload(
        &self,
        key: &str,
        _: ChecksumAlgorithm,
    ) -> StoreResult<String> {
        let id = self.new_upload_id();
        let dir = self.upload_dir(&id);
        std::fs::create_dir_all(&dir).map_err(io("create", &dir))?;
        let p = dir.join("key");
        std::fs::write(&p, key).map_err(io("write", &p))?;
        Ok(id)
    }

    async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        body: Bytes,
        checksum: &Checksum,
    ) -> StoreResult<UploadedPart> {
        let dir = self.upload_dir(upload_id);
        if !dir.is_dir() {
            return Err(no_upload("UploadPart", key));
        }
        let part = dir.join(format!("part-{number:05}"));
        let tmp = self.temp_for(&part);
        let (key, sum) = (key.to_string(), checksum.clone());
        // Hashing and writing a part takes a while: off the async workers.
        let shown = part.clone();
        let size = blocking("UploadPart", &shown, move || {
            let actual = checksum_of(sum.algorithm, &body);
            if actual != sum.value {
                return Err(bad_digest("UploadPart", &key, &sum.value, &actual));
            }
            write_atomic_via(&tmp, &part, |f| {
                f.write_all(&body).map_err(io("write", &part))
            })?;
            let record = part.with_file_name(format!("part-{number:05}.checksum"));
            std::fs::write(&record, &sum.value).map_err(io("write", &record))?;
            Ok(body.len() as u64)
        })
        .await?;
        Ok(UploadedPart {
            number,
            etag: None,
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
        let dir = self.upload_dir(upload_id);
        if !dir.is_dir() {
            return Err(no_upload("CompleteMultipartUpload", key));
        }
        let dest = self.path(key);
        let tmp = self.temp_for(&dest);
        let files: Vec<PathBuf> = parts
            .iter()
            .map(|p| dir.join(format!("part-{:05}", p.number)))
            .collect();
        let expected = full_object.map(String::from);
        let key = key.to_string();
        let target = dest.clone();
        // The object takes its key only once its full-object checksum is checked: a wrong one
        // leaves whatever the key held (as S3 does).
        blocking("CompleteMultipartUpload", &dest, move || {
            write_atomic_via(&tmp, &target, |out| {
                let mut full = Hasher::new(algorithm);
                let mut buf = vec![0u8; 1 << 20];
                for f in &files {
                    let mut inp = std::fs::File::open(f).map_err(io("read", f))?;
                    loop {
                        let n = inp.read(&mut buf).map_err(io("read", f))?;
                        if n == 0 {
                            break;
                        }
                        full.update(&buf[..n]);
                        out.write_all(&buf[..n]).map_err(io("write", &target))?;
                    }
                }
                let actual = full.finish();
                match &expected {
                    Some(e) if *e != actual => {
                        Err(bad_digest("CompleteMultipartUpload", &key, e, &actual))
                    }
                    _ => Ok(()),
                }
            })
        })
        .await?;
        std::fs::remove_dir_all(&dir).map_err(io("remove", &dir))
    }

    async fn abort_multipart_upload(&self, _key: &str, upload_id: &str) -> StoreResult<()> {
        let dir = self.upload_dir(upload_id);
        match std::fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io("remove", &dir)(e)),
            _ => Ok(()),
        }
    }

    async fn list_multipart_uploads(&self, prefix: &str) -> StoreResult<Vec<MultipartUpload>> {
        let dir = self.root.join(STATE).join("uploads");
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(out);
        };
        for e in entries.filter_map(Result::ok) {
            let Ok(key) = std::fs::read_to_string(e.path().join("key")) else {
                continue;
            };
            if key.starts_with(prefix) {
                out.push(MultipartUpload {
                    key,
                    upload_id: e.file_name().to_string_lossy().into_owned(),
                });
            }
        }
        out.sort_by(|a, b| a.upload_id.cmp(&b.upload_id));
        Ok(out)
    }

    async fn list_parts(&self, key: &str, upload_id: &str) -> StoreResult<Vec<UploadedPart>> {
        let dir = self.upload_dir(upload_id);
        let entries = std::fs::read_dir(&dir).map_err(|_| no_upload("ListParts", key))?;
        let mut out = Vec::new();
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(n) = name
                .strip_prefix("part-")
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let size = e.metadata().map_or(0, |m| m.len());
            let checksum = std::fs::read_to_string(dir.join(format!("{name}.checksum"))).ok();
            out.push(UploadedPart {
                number: n,
                etag: None,
                checksum,
                size,
            });
        }
        out.sort_by_key(|p| p.number);
        Ok(out)
    }

    async fn list_objects(&self, prefix: &str, delimiter: bool) -> StoreResult<Listing> {
        let (dir_key, _) = prefix.rsplit_once('/').unwrap_or(("", prefix));
        let start = self.path(dir_key);
        let base = if dir_key.is_empty() {
            String::new()
        } else {
            format!("{dir_key}/")
        };
        let mut found = Vec::new();
        self.walk(&start, &base, &mut found)?;
        let mut listing = Listing::default();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, meta) in found {
            let Some(rest) = key.strip_prefix(prefix) else {
                continue;
            };
            if delimiter {
                if let Some(i) = rest.find('/') {
                    let folder = format!("{prefix}{}", &rest[..=i]);
                    if listing.folders.last() != Some(&folder) {
                        listing.folders.push(folder);
                    }
                    continue;
                }
            }
            listing.objects.push(ObjectInfo {
                key,
                size: meta.len(),
                checksums: Vec::new(),
                checksum_type: None,
                last_modified: meta.modified().ok(),
                etag: None,
            });
        }
        Ok(listing)
    }

    async fn head_object(&self, key: &str) -> StoreResult<Option<ObjectInfo>> {
        let p = self.path(key);
        let meta = match std::fs::metadata(&p) {
            Ok(m) if m.is_file() => m,
            Ok(_) => return Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io("stat", &p)(e)),
        };
        // No checksum: see the module documentation.
        Ok(Some(ObjectInfo {
            key: key.to_string(),
            size: meta.len(),
            checksums: Vec::new(),
            checksum_type: None,
            last_modified: meta.modified().ok(),
            etag: None,
        }))
    }

    async fn get_object(&self, key: &str) -> StoreResult<ObjectBody> {
        let p = self.path(key);
        match tokio::fs::File::open(&p).await {
            Ok(f) => Ok(Box::pin(f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::NotFound {
                operation: "GetObject",
                key: key.to_string(),
                answer: format!("no file `{}`", p.display()),
            }),
            Err(e) => Err(io("open", &p)(e)),
        }
    }

    async fn delete_objects(&self, keys: &[String]) -> StoreResult<()> {
        for key in keys {
            let p = self.path(key);
            match std::fs::remove_file(&p) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io("remove", &p)(e))
                }
                _ => {}
            }
            // Remove folders left empty, up to the root, as S3 has no empty folders.
            let mut dir = p.parent().map(Path::to_path_buf);
            while let Some(d) = dir {
                if d == self.root || std::fs::remove_dir(&d).is_err() {
                    break;
                }
                dir = d.parent().map(Path::to_path_buf);
            }
        }
        Ok(())
    }
}
