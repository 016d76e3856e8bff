//! Staging: upload the files of one import into a fresh run folder, verify every object, then
//! write the manifest. Generic over [`ObjectStore`].
//!
//! A run folder is `<prefix><dataset-type>/<UTC timestamp>-<content hash>/`: it holds exactly
//! this import's files at its first level (Personalize reads only that level), and its
//! `_preflight/manifest.json` is written only once every object has been verified, so a folder
//! without a manifest is never imported. The content hash names the data, which makes a
//! re-run find its own folder: a complete one is re-verified and reused, an incomplete one is
//! resumed (objects already verified are kept, multipart uploads continue from their parts).

use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use tokio::task::JoinSet;

use crate::checksum::{checksum_of, digest_file, part_size_for, FileDigest, Hasher};
use crate::location::{check_data_location, rfc3339, run_folder_name};
use crate::manifest::{Manifest, ManifestFile, SchemaInfo, Tool, MANIFEST_KEY};
use crate::store::{Checksum, ChecksumAlgorithm, ObjectStore, StoreError, UploadedPart};

/// One local file to stage.
#[derive(Debug, Clone)]
pub struct StageFile {
    /// The object's name in the run folder (the file name).
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// Data records, from validation.
    pub records: u64,
    /// Physical lines, from validation.
    pub lines: u64,
}

/// How to stage.
#[derive(Debug, Clone)]
pub struct StageOptions {
    /// The checksum of every object.
    pub checksum: ChecksumAlgorithm,
    /// Files larger than this are uploaded in parts.
    pub multipart_threshold: u64,
    /// The preferred part size (raised for files that would need more than 10,000 parts).
    pub part_size: u64,
    /// Parts in flight at once; also the number of part buffers in memory.
    pub concurrency: usize,
    /// Only say what would be written.
    pub dry_run: bool,
    /// Keep this many complete run folders (this one included) and delete older ones.
    pub keep: Option<usize>,
    /// Never delete a run folder whose manifest is younger than this.
    pub keep_grace: Duration,
    /// "Now", for the run folder's name and the grace period.
    pub now: SystemTime,
}

impl Default for StageOptions {
    fn default() -> Self {
        StageOptions {
            checksum: ChecksumAlgorithm::Crc64nvme,
            multipart_threshold: 16 << 20,
            part_size: 8 << 20,
            concurrency: 4,
            dry_run: false,
            keep: None,
            keep_grace: Duration::from_secs(24 * 3600),
            now: SystemTime::now(),
        }
    }
}

/// What to stage.
#[derive(Debug, Clone)]
pub struct StageRequest {
    /// The files, in order.
    pub files: Vec<StageFile>,
    /// The key prefix (empty, or ending in `/`).
    pub prefix: String,
    /// The dataset type's folder name (`interactions`, `action-interactions`…).
    pub dataset_type: String,
    /// The schema.
    pub schema: SchemaInfo,
    /// The validation summary to record.
    pub validation: serde_json::Value,
    /// The tool writing the manifest.
    pub tool: Tool,
}

/// Progress of the upload, for a progress bar (the library never draws).
pub trait Progress: Send + Sync {
    /// Staging starts: this many bytes may be sent.
    fn begin(&self, _total_bytes: u64) {}
    /// Now on this file.
    fn file(&self, _name: &str) {}
    /// This many more bytes are done (sent, or found already in place).
    fn advance(&self, _bytes: u64) {}
    /// Done (or failed).
    fn finish(&self) {}
}

/// A [`Progress`] that shows nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;
impl Progress for NoProgress {}

/// What happened (or, in a dry run, would happen) to one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Written in one request.
    Put,
    /// Written in parts: `reused` were already in the store, `uploaded` were sent.
    Multipart {
        /// Parts sent.
        uploaded: u64,
        /// Parts found in an interrupted upload and reused.
        reused: u64,
    },
    /// Already in the store with the same size and checksum: not sent again.
    Reused,
}

/// One object of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectOutcome {
    /// Its key.
    pub key: String,
    /// Its size.
    pub bytes: u64,
    /// What was done.
    pub action: Action,
}

/// The result of a stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageOutcome {
    /// The run folder's key (ends with `/`).
    pub run_folder: String,
    /// The `dataLocation` of the import (the run folder's URL or path).
    pub data_location: String,
    /// The manifest's key.
    pub manifest_key: String,
    /// The data objects.
    pub objects: Vec<ObjectOutcome>,
    /// A complete run folder with the same content existed: nothing was written.
    pub already_staged: bool,
    /// An incomplete run folder with the same content was resumed.
    pub resumed: bool,
    /// Objects verified by size only (the store keeps no checksum for them).
    pub size_only: Vec<String>,
    /// Run folders deleted by `keep`.
    pub deleted: Vec<String>,
    /// Run folders `keep` would have deleted but spared (manifest within the grace period).
    pub spared: Vec<String>,
    /// A dry run: nothing was written.
    pub dry_run: bool,
}

/// A stage that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StageError {
    /// A local file could not be read.
    #[error("failed to read `{path}`: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file changed between checksumming and uploading.
    #[error("`{path}` changed while it was being staged; run the stage again")]
    Changed {
        /// The file.
        path: String,
    },
    /// Two files would get the same object name.
    #[error("two inputs are named `{name}`; files of one import need distinct names")]
    DuplicateName {
        /// The name.
        name: String,
    },
    /// The run folder's URL is too long for CreateDatasetImportJob.
    #[error("{0}")]
    DataLocation(String),
    /// A store operation failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An object's size or checksum in the store is not what was sent.
    #[error("`{key}` failed verification: expected {expected}, the store reports {actual}")]
    Verify {
        /// The key.
        key: String,
        /// Expected.
        expected: String,
        /// Found.
        actual: String,
    },
}

impl StageError {
    /// Whether the request itself is at fault (exit 2) rather than the upload (exit 3).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            StageError::DuplicateName { .. } | StageError::DataLocation(_)
        )
    }
}

struct Planned {
    file: StageFile,
    key: String,
    digest: FileDigest,
}

/// The short content hash naming a run: the schema, the algorithm, and every file's name,
/// size and checksum.
fn content_hash(req: &StageRequest, alg: ChecksumAlgorithm, planned: &[Planned]) -> String {
    let mut h = Hasher::new(ChecksumAlgorithm::Sha256);
    h.update(format!("schema:{}\nalgorithm:{alg}\n", req.schema.fingerprint).as_bytes());
    let mut lines: Vec<String> = planned
        .iter()
        .map(|p| format!("{}\t{}\t{}\n", p.file.name, p.digest.size, p.digest.object))
        .collect();
    lines.sort();
    for l in lines {
        h.update(l.as_bytes());
    }
    h.finish_raw()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Stages the files of one import. See the module documentation.
pub async fn stage<S: ObjectStore>(
    store: Arc<S>,
    req: &StageRequest,
    opts: &StageOptions,
    progress: Arc<dyn Progress>,
) -> Result<StageOutcome, StageError> {
    let mut names = std::collections::HashSet::new();
    for f in &req.files {
        if !names.insert(f.name.as_str()) {
            return Err(StageError::DuplicateName {
                name: f.name.clone(),
            });
        }
    }
    let alg = opts.checksum;

    // 1. Checksums of every file (one read each), which name the run.
    let mut planned = Vec::new();
    for f in &req.files {
        let path = f.path.clone();
        let size = std::fs::metadata(&path)
            .map_err(|e| StageError::Read {
                path: path.display().to_string(),
                source: e,
            })?
            .len();
        let part = (size > opts.multipart_threshold).then(|| part_size_for(size, opts.part_size));
        let p2 = path.clone();
        let digest = tokio::task::spawn_blocking(move || digest_file(&p2, alg, part))
            .await
            .map_err(|e| StageError::Read {
                path: path.display().to_string(),
                source: std::io::Error::other(e.to_string()),
            })?
            .map_err(|e| StageError::Read {
                path: path.display().to_string(),
                source: e,
            })?;
        planned.push(Planned {
            file: f.clone(),
            key: String::new(),
            digest,
        });
    }
    let hash = content_hash(req, alg, &planned);

    // 2. The run folder: a complete or incomplete one with this content, or a fresh one.
    // Every run folder name has the same length, so the limit is checked before any request.
    let type_prefix = format!("{}{}/", req.prefix, req.dataset_type);
    let fresh = format!("{type_prefix}{}/", run_folder_name(opts.now, &hash));
    let data_location = store.location(&fresh);
    if data_location.starts_with("s3://") {
        check_data_location(&data_location).map_err(StageError::DataLocation)?;
    }
    let listing = store.list_objects(&type_prefix, true).await?;
    let suffix = format!("-{hash}/");
    let mut same: Vec<String> = listing
        .folders
        .iter()
        .filter(|f| f.ends_with(&suffix))
        .cloned()
        .collect();
    // A run interrupted before any object was complete has only multipart uploads.
    match store.list_multipart_uploads(&type_prefix).await {
        Ok(uploads) => {
            for u in uploads {
                if let Some((folder, _)) = u.key.rsplit_once('/') {
                    let folder = format!("{folder}/");
                    if folder.ends_with(&suffix) && !same.contains(&folder) {
                        same.push(folder);
                    }
                }
            }
        }
        Err(StoreError::Unsupported { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    same.sort();
    same.reverse();
    let mut chosen: Option<(String, bool)> = None;
    for folder in &same {
        let complete = store
            .head_object(&format!("{folder}{MANIFEST_KEY}"))
            .await?
            .is_some();
        if complete {
            if verify_all(store.as_ref(), folder, &planned, alg)
                .await?
                .is_some()
            {
                chosen = Some((folder.clone(), true));
                break;
            }
            // A complete folder whose objects changed is left alone: a job may read it.
            continue;
        }
        if chosen.is_none() {
            chosen = Some((folder.clone(), false));
        }
    }
    let (run_folder, existing_complete, resumed) = match chosen {
        Some((f, true)) => (f, true, false),
        Some((f, false)) => (f, false, true),
        None => (fresh, false, false),
    };
    let data_location = store.location(&run_folder);
    for p in &mut planned {
        p.key = format!("{run_folder}{}", p.file.name);
    }
    let manifest_key = format!("{run_folder}{MANIFEST_KEY}");
    let mut outcome = StageOutcome {
        run_folder: run_folder.clone(),
        data_location: data_location.clone(),
        manifest_key: manifest_key.clone(),
        objects: Vec::new(),
        already_staged: existing_complete,
        resumed,
        size_only: Vec::new(),
        deleted: Vec::new(),
        spared: Vec::new(),
        dry_run: opts.dry_run,
    };

    if existing_complete {
        for p in &planned {
            outcome.objects.push(ObjectOutcome {
                key: p.key.clone(),
                bytes: p.digest.size,
                action: Action::Reused,
            });
        }
    } else if opts.dry_run {
        for p in &planned {
            let action = plan_action(store.as_ref(), p, alg).await?;
            outcome.objects.push(ObjectOutcome {
                key: p.key.clone(),
                bytes: p.digest.size,
                action,
            });
        }
        return Ok(outcome);
    } else {
        // 3. Upload, then verify every object.
        progress.begin(planned.iter().map(|p| p.digest.size).sum());
        let result = upload_all(&store, &planned, opts, &progress, &mut outcome).await;
        progress.finish();
        result?;

        // 4. The manifest, last.
        let mut files = Vec::new();
        for p in &planned {
            let verified = if outcome.size_only.contains(&p.key) {
                "size"
            } else {
                "checksum"
            };
            files.push(ManifestFile {
                name: p.file.name.clone(),
                key: p.key.clone(),
                bytes: p.digest.size,
                records: p.file.records,
                lines: p.file.lines,
                checksum: p.digest.object.clone(),
                checksum_type: if p.digest.part_size.is_some() && !alg.full_object_multipart() {
                    "composite".into()
                } else {
                    "full_object".into()
                },
                part_size: p.digest.part_size,
                parts: p.digest.parts.len().max(1) as u64,
                verified: verified.into(),
                etag: None,
            });
        }
        let manifest = Manifest {
            version: 1,
            tool: req.tool.clone(),
            created: rfc3339(SystemTime::now()),
            data_location: data_location.clone(),
            dataset_type: req.dataset_type.clone(),
            schema: req.schema.clone(),
            checksum_algorithm: alg,
            content_hash: hash.clone(),
            files,
            validation: req.validation.clone(),
        };
        let mut body = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
        body.push(b'\n');
        let sum = Checksum {
            algorithm: alg,
            value: checksum_of(alg, &body),
        };
        let len = body.len() as u64;
        store
            .put_object(&manifest_key, Bytes::from(body), &sum)
            .await?;
        verify(store.as_ref(), &manifest_key, len, &sum.value, alg).await?;
    }

    // 5. Old run folders.
    if let Some(keep) = opts.keep {
        if !opts.dry_run {
            let (deleted, spared) = crate::prune::prune(
                store.as_ref(),
                &type_prefix,
                &run_folder,
                keep,
                opts.keep_grace,
                opts.now,
            )
            .await?;
            outcome.deleted = deleted;
            outcome.spared = spared;
        }
    }
    Ok(outcome)
}

/// Verifies that every object of a complete run is what `planned` describes.
async fn verify_all<S: ObjectStore>(
    store: &S,
    folder: &str,
    planned: &[Planned],
    alg: ChecksumAlgorithm,
) -> Result<Option<()>, StageError> {
    for p in planned {
        let key = format!("{folder}{}", p.file.name);
        match store.head_object(&key).await? {
            Some(info)
                if info.size == p.digest.size
                    && info.checksum(alg).is_none_or(|c| c == p.digest.object) => {}
            _ => return Ok(None),
        }
    }
    Ok(Some(()))
}

/// What a dry run would do with one file.
async fn plan_action<S: ObjectStore>(
    store: &S,
    p: &Planned,
    alg: ChecksumAlgorithm,
) -> Result<Action, StageError> {
    if let Some(info) = store.head_object(&p.key).await? {
        if info.size == p.digest.size && info.checksum(alg) == Some(p.digest.object.as_str()) {
            return Ok(Action::Reused);
        }
    }
    if p.digest.part_size.is_none() {
        return Ok(Action::Put);
    }
    let total = p.digest.parts.len() as u64;
    let reused = match find_upload(store, p).await? {
        Some((_, parts)) => parts.len() as u64,
        None => 0,
    };
    Ok(Action::Multipart {
        uploaded: total - reused,
        reused,
    })
}

async fn upload_all<S: ObjectStore>(
    store: &Arc<S>,
    planned: &[Planned],
    opts: &StageOptions,
    progress: &Arc<dyn Progress>,
    outcome: &mut StageOutcome,
) -> Result<(), StageError> {
    let alg = opts.checksum;
    for p in planned {
        progress.file(&p.file.name);
        if let Some(info) = store.head_object(&p.key).await? {
            if info.size == p.digest.size && info.checksum(alg) == Some(p.digest.object.as_str()) {
                progress.advance(p.digest.size);
                outcome.objects.push(ObjectOutcome {
                    key: p.key.clone(),
                    bytes: p.digest.size,
                    action: Action::Reused,
                });
                continue;
            }
        }
        let action = match p.digest.part_size {
            None => {
                let path = p.file.path.clone();
                let body = tokio::task::spawn_blocking(move || std::fs::read(path))
                    .await
                    .map_err(|e| read_err(p, std::io::Error::other(e.to_string())))?
                    .map_err(|e| read_err(p, e))?;
                if checksum_of(alg, &body) != p.digest.full {
                    return Err(StageError::Changed {
                        path: p.file.path.display().to_string(),
                    });
                }
                let sum = Checksum {
                    algorithm: alg,
                    value: p.digest.full.clone(),
                };
                store.put_object(&p.key, Bytes::from(body), &sum).await?;
                progress.advance(p.digest.size);
                Action::Put
            }
            Some(part_size) => multipart(store, p, part_size, opts, progress).await?,
        };
        if !verify(store.as_ref(), &p.key, p.digest.size, &p.digest.object, alg).await? {
            outcome.size_only.push(p.key.clone());
        }
        outcome.objects.push(ObjectOutcome {
            key: p.key.clone(),
            bytes: p.digest.size,
            action,
        });
    }
    Ok(())
}

fn read_err(p: &Planned, e: std::io::Error) -> StageError {
    StageError::Read {
        path: p.file.path.display().to_string(),
        source: e,
    }
}

/// HeadObject after writing: the size must match and, where the store reports a checksum of
/// our algorithm, so must the checksum. Returns whether the checksum was compared.
async fn verify<S: ObjectStore>(
    store: &S,
    key: &str,
    size: u64,
    checksum: &str,
    alg: ChecksumAlgorithm,
) -> Result<bool, StageError> {
    let Some(info) = store.head_object(key).await? else {
        return Err(StageError::Verify {
            key: key.to_string(),
            expected: format!("{size} bytes"),
            actual: "no object".into(),
        });
    };
    if info.size != size {
        return Err(StageError::Verify {
            key: key.to_string(),
            expected: format!("{size} bytes"),
            actual: format!("{} bytes", info.size),
        });
    }
    match info.checksum(alg) {
        Some(c) if c == checksum => Ok(true),
        Some(c) => Err(StageError::Verify {
            key: key.to_string(),
            expected: format!("{alg} {checksum}"),
            actual: format!("{alg} {c}"),
        }),
        None => Ok(false),
    }
}

/// The interrupted upload of this file with the most reusable parts, and those parts: parts
/// whose size and checksum are what this run would send. Other uploads of the key are aborted.
async fn find_upload<S: ObjectStore>(
    store: &S,
    p: &Planned,
) -> Result<Option<(String, Vec<UploadedPart>)>, StageError> {
    let uploads = match store.list_multipart_uploads(&p.key).await {
        Ok(u) => u,
        Err(StoreError::Unsupported { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let part_size = p.digest.part_size.unwrap_or(0);
    let n = p.digest.parts.len() as u64;
    let mut best: Option<(String, Vec<UploadedPart>)> = None;
    for u in uploads.into_iter().filter(|u| u.key == p.key) {
        let parts = match store.list_parts(&u.key, &u.upload_id).await {
            Ok(parts) => parts,
            Err(StoreError::NotFound { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        let good: Vec<UploadedPart> = parts
            .into_iter()
            .filter(|part| {
                let i = u64::from(part.number);
                let expected_size = if i == n {
                    p.digest.size - part_size * (n - 1)
                } else {
                    part_size
                };
                i >= 1
                    && i <= n
                    && part.size == expected_size
                    && part.checksum.as_deref() == Some(p.digest.parts[i as usize - 1].as_str())
            })
            .collect();
        if best.as_ref().is_none_or(|(_, b)| good.len() > b.len()) {
            best = Some((u.upload_id, good));
        }
    }
    Ok(best)
}

async fn multipart<S: ObjectStore>(
    store: &Arc<S>,
    p: &Planned,
    part_size: u64,
    opts: &StageOptions,
    progress: &Arc<dyn Progress>,
) -> Result<Action, StageError> {
    let alg = opts.checksum;
    let n = p.digest.parts.len() as u64;
    let (upload_id, mut done) = match find_upload(store.as_ref(), p).await? {
        Some(found) => found,
        None => (
            store.create_multipart_upload(&p.key, alg).await?,
            Vec::new(),
        ),
    };
    // Abandoned uploads of the same key that are not the one we continue.
    if let Ok(all) = store.list_multipart_uploads(&p.key).await {
        for u in all
            .iter()
            .filter(|u| u.key == p.key && u.upload_id != upload_id)
        {
            let _ = store.abort_multipart_upload(&u.key, &u.upload_id).await;
        }
    }
    let reused = done.len() as u64;
    for d in &done {
        progress.advance(d.size);
    }
    let have: std::collections::HashSet<u32> = done.iter().map(|d| d.number).collect();

    // At most `concurrency` parts are read or in flight: that many buffers of `part_size`. A
    // slot frees when its part's task is joined (not when the task drops a permit), so a failed
    // part is seen before another part starts: with one at a time nothing follows a failure.
    let limit = opts.concurrency.max(1);
    let mut tasks: JoinSet<Result<UploadedPart, StageError>> = JoinSet::new();
    let mut uploaded = 0u64;
    let sent = async {
        for number in 1..=n as u32 {
            if have.contains(&number) {
                continue;
            }
            while tasks.len() >= limit {
                if let Some(r) = tasks.join_next().await {
                    done.push(joined(r)??);
                }
            }
            let offset = part_size * u64::from(number - 1);
            let len = part_size.min(p.digest.size - offset) as usize;
            let path = p.file.path.clone();
            let buf = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
                let mut f = std::fs::File::open(path)?;
                f.seek(SeekFrom::Start(offset))?;
                let mut buf = vec![0u8; len];
                f.read_exact(&mut buf)?;
                Ok(buf)
            })
            .await
            .map_err(|e| read_err(p, std::io::Error::other(e.to_string())))?
            .map_err(|e| read_err(p, e))?;
            let expected = p.digest.parts[number as usize - 1].clone();
            let store = store.clone();
            let key = p.key.clone();
            let id = upload_id.clone();
            let path = p.file.path.display().to_string();
            let progress = progress.clone();
            tasks.spawn(async move {
                let sum = tokio::task::spawn_blocking(move || {
                    let s = checksum_of(alg, &buf);
                    (buf, s)
                })
                .await;
                let Ok((buf, sum)) = sum else {
                    return Err(StageError::Changed { path });
                };
                if sum != expected {
                    return Err(StageError::Changed { path });
                }
                let len = buf.len() as u64;
                let checksum = Checksum {
                    algorithm: alg,
                    value: sum,
                };
                let part = store
                    .upload_part(&key, &id, number, Bytes::from(buf), &checksum)
                    .await?;
                progress.advance(len);
                Ok(part)
            });
            uploaded += 1;
        }
        while let Some(r) = tasks.join_next().await {
            done.push(joined(r)??);
        }
        Ok::<(), StageError>(())
    }
    .await;
    if let Err(e) = sent {
        // Parts already in flight end before the error is reported: none is cut off mid-request
        // (a dropped request may or may not have taken effect) and none lands after the caller
        // has moved on. Those that succeed are reused by the next run.
        while tasks.join_next().await.is_some() {}
        return Err(e);
    }
    done.sort_by_key(|d| d.number);
    let full = alg
        .full_object_multipart()
        .then_some(p.digest.full.as_str());
    match store
        .complete_multipart_upload(&p.key, &upload_id, alg, &done, full)
        .await
    {
        Ok(()) => Ok(Action::Multipart { uploaded, reused }),
        Err(e @ StoreError::BadDigest { .. }) => {
            // The parts do not add up to the file: start from scratch next time.
            let _ = store.abort_multipart_upload(&p.key, &upload_id).await;
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}

fn joined<T>(r: Result<T, tokio::task::JoinError>) -> Result<T, StageError> {
    r.map_err(|e| StageError::Read {
        path: "upload task".into(),
        source: std::io::Error::other(e.to_string()),
    })
}
