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

use crate::checksum::{checksum_of, digest_file, digest_head, part_size_for, FileDigest, Hasher};
use crate::location::{check_data_location, rfc3339, run_folder_name};
use crate::manifest::{Manifest, ManifestFile, SchemaInfo, Tool, MANIFEST_KEY};
use crate::store::{Checksum, ChecksumAlgorithm, ObjectStore, StoreError, UploadedPart};
use crate::verify::{check, malformed, read_back, Expected, Verdict};

/// One local file to stage.
#[derive(Debug, Clone)]
pub struct StageFile {
    /// The object's name in the run folder (the file name).
    pub name: String,
    /// The local file to send.
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
    /// The schema the files were validated against, recorded in the manifest.
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
    /// The object at `key` goes up in `total` parts (for messages such as "UploadPart 7 of 38").
    fn parts(&self, _key: &str, _total: u64) {}
    /// This many more bytes are done (sent, or found already in place).
    fn advance(&self, _bytes: u64) {}
    /// Everything is sent; the commits wait for the gate's verdict ([`stage_gated`]).
    fn waiting(&self) {}
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
    /// Already in the store with the same size and checksum (or, where the store reports no
    /// comparable checksum, with the same bytes, read back): not sent again.
    Reused,
    /// A dry run: in the store with the same size but no checksum to compare, so the run would
    /// read it back, keep it if its bytes are the file's, and upload it again if not.
    ReadBack {
        /// Why it would be read (`the store reports only a crc32 checksum, not crc64nvme`).
        why: String,
    },
}

/// One object of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectOutcome {
    /// The object's key in the bucket (run folder included).
    pub key: String,
    /// The object's size in bytes, as verified.
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
    /// Objects the store reports no comparable checksum for, verified by reading their bytes
    /// back: (key, why).
    pub read_back: Vec<(String, String)>,
    /// Complete run folders of the same content whose objects changed after they were staged:
    /// left as they are (an import job may read them), with what changed.
    pub changed: Vec<(String, String)>,
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
        /// The local file, as shown to the user.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file changed between checksumming and uploading.
    #[error("`{path}` changed while it was being staged; run the stage again")]
    Changed {
        /// The local file, as shown to the user.
        path: String,
    },
    /// Two files would get the same object name.
    #[error("two inputs are named `{name}`; files of one import need distinct names")]
    DuplicateName {
        /// The object name both would get.
        name: String,
    },
    /// The run folder's URL is too long for CreateDatasetImportJob.
    #[error("{0}")]
    DataLocation(String),
    /// A store operation failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An object's size or checksum in the store is not what was sent.
    #[error("`{key}` failed verification after {operation}: {problem}")]
    Verify {
        /// The object's full key.
        key: String,
        /// The write it followed (`PutObject`, `CompleteMultipartUpload`).
        operation: &'static str,
        /// What differs.
        problem: String,
    },
    /// The store holds the bytes sent but reports a wrong checksum for them: its answer cannot
    /// be trusted, so nothing is staged on it.
    #[error("after {operation} of `{key}` the store reports {algorithm} `{reported}`{}, but the object's bytes, read back, are the ones sent ({algorithm} `{sent}`): the store computes its {algorithm} checksum wrongly", why_wrong.as_ref().map(|w| format!(" ({w})")).unwrap_or_default())]
    WrongChecksum {
        /// The object's full key.
        key: String,
        /// The write (`PutObject`, `CompleteMultipartUpload`).
        operation: &'static str,
        /// The checksum algorithm sent with the object and asked of the store.
        algorithm: ChecksumAlgorithm,
        /// What the store reports.
        reported: String,
        /// What was sent (and read back).
        sent: String,
        /// Why the reported value cannot be a checksum of the algorithm, when it cannot.
        why_wrong: Option<String>,
    },
    /// The run folder this stage would write is a complete one (with a manifest) whose objects
    /// changed: it is never written into.
    #[error("the run folder `{folder}` already exists with a manifest, and {what}; it is left as it is (an import job may read it): run the stage again in a second, which names a new folder")]
    FolderTaken {
        /// The run folder's location (`s3://…/` or a directory).
        folder: String,
        /// What changed in it.
        what: String,
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

    /// The multipart call the store answered in a way S3 does not, if that is what failed:
    /// files up to 5 GiB can then go up in one PutObject each (`--multipart-threshold`).
    pub fn multipart_misbehaved(&self) -> Option<&'static str> {
        match self {
            StageError::Store(e) => e.multipart_misbehaved(),
            StageError::WrongChecksum { operation, .. } | StageError::Verify { operation, .. }
                if *operation == "CompleteMultipartUpload" =>
            {
                Some(operation)
            }
            _ => None,
        }
    }
}

struct Planned {
    file: StageFile,
    key: String,
    digest: FileDigest,
}

impl Planned {
    /// What the object must be in the store.
    fn expected(&self, alg: ChecksumAlgorithm) -> Expected {
        Expected {
            algorithm: alg,
            checksum: self.digest.object.clone(),
            size: self.digest.size,
            part_size: self.digest.part_size,
        }
    }
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

/// What a gate decides about a [`stage_gated`] run: whether what it sent may be committed.
#[derive(Debug)]
pub enum Gate<T> {
    /// Commit, recording this request in the manifest: the request the stage began with, now
    /// with its validation (each file's records and lines, the validation summary). If it
    /// names the run otherwise (other files, prefix, dataset type or schema), the uploads
    /// begun are aborted and the stage starts over with this request.
    Go(Box<StageRequest>),
    /// Commit nothing: every multipart upload the run began or continued is aborted. The value
    /// is handed back in [`Gated::Stopped`].
    Stop(T),
}

/// The result of a [`stage_gated`] run.
#[derive(Debug)]
pub enum Gated<T> {
    /// The gate said go: staged as [`stage`] stages.
    Staged(StageOutcome),
    /// The gate said stop: no object, no manifest was written, nothing was deleted, and the
    /// multipart uploads begun were aborted.
    Stopped {
        /// What the gate handed back.
        reason: T,
        /// The keys whose multipart uploads were aborted (those already sent parts of).
        aborted: Vec<String>,
    },
}

/// Stages the files of one import. See the module documentation.
pub async fn stage<S: ObjectStore>(
    store: Arc<S>,
    req: &StageRequest,
    opts: &StageOptions,
    progress: Arc<dyn Progress>,
) -> Result<StageOutcome, StageError> {
    let gate = std::future::ready(Gate::<std::convert::Infallible>::Go(Box::new(req.clone())));
    match stage_gated(store, req, opts, progress, gate).await? {
        Gated::Staged(outcome) => Ok(outcome),
        Gated::Stopped { reason, .. } => match reason {},
    }
}

/// Stages the files of one import while `gate` decides whether they may be staged (while the
/// files are validated, say): checksums are computed, the run folder is chosen and the parts
/// of multipart uploads are sent meanwhile, but nothing is committed before `gate` says
/// [`Gate::Go`]: no CompleteMultipartUpload, no PutObject (a file below the multipart
/// threshold waits for the verdict), no manifest, no deletion of old run folders. On
/// [`Gate::Stop`], sending stops and every multipart upload begun is aborted, so no object
/// and no part of this run remains. A dry run awaits the verdict before it asks anything.
/// The run folder's name does not depend on the verdict (only on the request the stage began
/// with), which is what lets the upload begin before it.
pub async fn stage_gated<S, T, G>(
    store: Arc<S>,
    req: &StageRequest,
    opts: &StageOptions,
    progress: Arc<dyn Progress>,
    gate: G,
) -> Result<Gated<T>, StageError>
where
    S: ObjectStore,
    G: std::future::Future<Output = Gate<T>>,
{
    let (tx, rx) = tokio::sync::watch::channel(Decision::Pending);
    let mut keeper = Gatekeeper::new(rx, req);
    // The verdict and the upload progress together in this task: the upload only looks at
    // the verdict, and the stopping value stays here.
    let driver = async {
        match gate.await {
            Gate::Go(r) => {
                let r: Arc<StageRequest> = Arc::from(r);
                let _ = tx.send(Decision::Go(r.clone()));
                Ok(r)
            }
            Gate::Stop(t) => {
                let _ = tx.send(Decision::Stop);
                Err(t)
            }
        }
    };
    let body = async {
        if opts.dry_run {
            // A dry run asks the store what it would do: only once it may.
            keeper.verdict().await;
        }
        staged(&store, req, opts, &progress, &mut keeper).await
    };
    let (verdict, body) = tokio::join!(driver, body);
    let verdict = match verdict {
        Ok(verdict) => verdict,
        Err(reason) => {
            // Whatever the upload did meanwhile (an error included), nothing of it may remain.
            let aborted = keeper.abort_begun(store.as_ref()).await;
            return Ok(Gated::Stopped { reason, aborted });
        }
    };
    match body? {
        Body::Done(outcome) => Ok(Gated::Staged(outcome)),
        Body::Halted => {
            // The verdict is go, but for a run named otherwise (a built-in schema adapted to
            // a header other than the one the run was named for): start over with it.
            keeper.abort_begun(store.as_ref()).await;
            let (_tx, rx) = tokio::sync::watch::channel(Decision::Go(verdict.clone()));
            let mut keeper = Gatekeeper::new(rx, &verdict);
            match staged(&store, &verdict, opts, &progress, &mut keeper).await? {
                Body::Done(outcome) => Ok(Gated::Staged(outcome)),
                // Not reached: this gate says go for this very request.
                Body::Halted => Err(StageError::Changed {
                    path: verdict
                        .files
                        .first()
                        .map(|f| f.path.display().to_string())
                        .unwrap_or_default(),
                }),
            }
        }
    }
}

/// What the gate has said, as the upload sees it.
#[derive(Debug, Clone)]
enum Decision {
    Pending,
    Go(Arc<StageRequest>),
    Stop,
}

/// Where the upload stands with the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    /// No verdict yet: send, but commit nothing.
    Pending,
    /// Go, for this run: commit.
    Go,
    /// Stop, or go for another run (other files or schema): stop sending.
    Halt,
}

/// What names a run: the files (names and paths, in order), the prefix, the dataset type and
/// the schema.
#[derive(Debug, PartialEq, Eq)]
struct Naming {
    files: Vec<(String, PathBuf)>,
    prefix: String,
    dataset_type: String,
    schema: SchemaInfo,
}

impl Naming {
    fn of(req: &StageRequest) -> Naming {
        Naming {
            files: req
                .files
                .iter()
                .map(|f| (f.name.clone(), f.path.clone()))
                .collect(),
            prefix: req.prefix.clone(),
            dataset_type: req.dataset_type.clone(),
            schema: req.schema.clone(),
        }
    }
}

/// The upload's view of the verdict, and the multipart uploads it began (or continued) and
/// has not completed: those a stop aborts.
struct Gatekeeper {
    rx: tokio::sync::watch::Receiver<Decision>,
    naming: Naming,
    begun: Vec<(String, String)>,
}

impl Gatekeeper {
    fn new(rx: tokio::sync::watch::Receiver<Decision>, req: &StageRequest) -> Gatekeeper {
        Gatekeeper {
            rx,
            naming: Naming::of(req),
            begun: Vec::new(),
        }
    }

    fn decision(&self) -> Decision {
        self.rx.borrow().clone()
    }

    fn standing_of(&self, d: &Decision) -> Standing {
        match d {
            Decision::Pending => Standing::Pending,
            Decision::Go(r) if Naming::of(r) == self.naming => Standing::Go,
            Decision::Go(_) | Decision::Stop => Standing::Halt,
        }
    }

    /// Where things stand now.
    fn standing(&self) -> Standing {
        self.standing_of(&self.rx.borrow())
    }

    /// Waits for the verdict.
    async fn verdict(&mut self) -> Standing {
        let d = match self.rx.wait_for(|d| !matches!(d, Decision::Pending)).await {
            Ok(d) => d.clone(),
            // The gate went away without a verdict: nothing may be committed.
            Err(_) => Decision::Stop,
        };
        self.standing_of(&d)
    }

    fn began(&mut self, key: &str, upload_id: &str) {
        if !self.begun.iter().any(|(k, id)| k == key && id == upload_id) {
            self.begun.push((key.to_string(), upload_id.to_string()));
        }
    }

    fn ended(&mut self, key: &str, upload_id: &str) {
        self.begun.retain(|(k, id)| !(k == key && id == upload_id));
    }

    /// Aborts every upload begun and not completed; returns their keys. An abort that fails
    /// is retried once (a part still being stored may hold it up), then left: the upload
    /// never becomes an object, and a bucket lifecycle rule removes it.
    async fn abort_begun<S: ObjectStore>(&mut self, store: &S) -> Vec<String> {
        let mut keys = Vec::new();
        for (key, id) in std::mem::take(&mut self.begun) {
            if store.abort_multipart_upload(&key, &id).await.is_err() {
                let _ = store.abort_multipart_upload(&key, &id).await;
            }
            keys.push(key);
        }
        keys
    }
}

/// How the upload ended, before the verdict is looked at.
enum Body {
    Done(StageOutcome),
    /// Stopped sending: the verdict is stop, or names another run.
    Halted,
}

/// The stage itself, looking at `gate` before every commit.
async fn staged<S: ObjectStore>(
    store: &Arc<S>,
    req: &StageRequest,
    opts: &StageOptions,
    progress: &Arc<dyn Progress>,
    gate: &mut Gatekeeper,
) -> Result<Body, StageError> {
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
    if gate.standing() == Standing::Halt {
        return Ok(Body::Halted);
    }

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
    let mut changed = Vec::new();
    let mut checked = Vec::new();
    for folder in &same {
        let complete = store
            .head_object(&format!("{folder}{MANIFEST_KEY}"))
            .await?
            .is_some();
        if complete {
            match verify_all(store.as_ref(), folder, &planned, alg, !opts.dry_run).await? {
                Ok(verdicts) => {
                    checked = verdicts;
                    chosen = Some((folder.clone(), true));
                    break;
                }
                Err(what) => {
                    // A complete folder whose objects changed is left alone: a job may read it.
                    changed.push((store.location(folder), what));
                    continue;
                }
            }
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
    if !existing_complete {
        if let Some((_, what)) = changed
            .iter()
            .find(|(loc, _)| *loc == store.location(&run_folder))
        {
            return Err(StageError::FolderTaken {
                folder: store.location(&run_folder),
                what: what.clone(),
            });
        }
    }
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
        read_back: Vec::new(),
        changed,
        deleted: Vec::new(),
        spared: Vec::new(),
        dry_run: opts.dry_run,
    };

    if existing_complete {
        // Reported only once the gate allows it.
        if gate.verdict().await == Standing::Halt {
            return Ok(Body::Halted);
        }
        for (p, verdict) in planned.iter().zip(checked) {
            let action = match verdict {
                Verdict::WouldRead { why } => Action::ReadBack { why },
                Verdict::ReadBack { why } => {
                    outcome.read_back.push((p.key.clone(), why));
                    Action::Reused
                }
                _ => Action::Reused,
            };
            outcome.objects.push(ObjectOutcome {
                key: p.key.clone(),
                bytes: p.digest.size,
                action,
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
        return Ok(Body::Done(outcome));
    } else {
        // 3. Upload, then verify every object.
        progress.begin(planned.iter().map(|p| p.digest.size).sum());
        let result = upload_all(store, &planned, opts, progress, &mut outcome, gate).await;
        progress.finish();
        if result? == Standing::Halt {
            return Ok(Body::Halted);
        }
        // The verdict is go for this run (upload_all waited for it): its request carries
        // what validation found, for the manifest.
        let Decision::Go(verdict) = gate.decision() else {
            return Ok(Body::Halted);
        };
        for (p, f) in planned.iter_mut().zip(&verdict.files) {
            p.file.records = f.records;
            p.file.lines = f.lines;
        }

        // 4. The manifest, last.
        let mut files = Vec::new();
        for p in &planned {
            let verified = if outcome.read_back.iter().any(|(k, _)| *k == p.key) {
                "read"
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
            tool: verdict.tool.clone(),
            created: rfc3339(SystemTime::now()),
            data_location: data_location.clone(),
            dataset_type: req.dataset_type.clone(),
            schema: req.schema.clone(),
            checksum_algorithm: alg,
            content_hash: hash.clone(),
            files,
            validation: verdict.validation.clone(),
        };
        let mut body = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
        body.push(b'\n');
        let sum = Checksum {
            algorithm: alg,
            value: checksum_of(alg, &body),
        };
        let exp = Expected {
            algorithm: alg,
            checksum: sum.value.clone(),
            size: body.len() as u64,
            part_size: None,
        };
        store
            .put_object(&manifest_key, Bytes::from(body), &sum)
            .await?;
        verify(store.as_ref(), &manifest_key, &exp, "PutObject").await?;
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
    Ok(Body::Done(outcome))
}

/// Checks every object of a complete run against `planned` (reading back those the store
/// reports no comparable checksum for, unless `read` is false). `Ok(Err(what))`: the folder
/// holds other data, and what differs.
async fn verify_all<S: ObjectStore>(
    store: &S,
    folder: &str,
    planned: &[Planned],
    alg: ChecksumAlgorithm,
    read: bool,
) -> Result<Result<Vec<Verdict>, String>, StageError> {
    let mut verdicts = Vec::new();
    for p in planned {
        let key = format!("{folder}{}", p.file.name);
        let exp = p.expected(alg);
        let Some(info) = store.head_object(&key).await? else {
            return Ok(Err(format!("`{}` is gone", p.file.name)));
        };
        let verdict = check(store, &key, &info, &exp, read).await?;
        if let Some(problem) = verdict.problem(&exp) {
            return Ok(Err(format!("`{}`: {problem}", p.file.name)));
        }
        verdicts.push(verdict);
    }
    Ok(Ok(verdicts))
}

/// What a dry run would do with one file.
async fn plan_action<S: ObjectStore>(
    store: &S,
    p: &Planned,
    alg: ChecksumAlgorithm,
) -> Result<Action, StageError> {
    if let Some(info) = store.head_object(&p.key).await? {
        match check(store, &p.key, &info, &p.expected(alg), false).await? {
            Verdict::Checksum => return Ok(Action::Reused),
            Verdict::WouldRead { why } => return Ok(Action::ReadBack { why }),
            _ => {}
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

/// A write whose bytes are sent (or, for a single PutObject, not yet) and that waits for the
/// verdict to be committed.
enum Pending {
    /// A file below the multipart threshold: PutObject once the gate says go.
    Put(usize),
    /// A multipart upload with every part sent: completed once the gate says go.
    Parts(usize, Sent),
}

/// Uploads and verifies every object; returns [`Standing::Go`] once every object is
/// committed, or [`Standing::Halt`] when the gate stopped it (nothing committed since).
async fn upload_all<S: ObjectStore>(
    store: &Arc<S>,
    planned: &[Planned],
    opts: &StageOptions,
    progress: &Arc<dyn Progress>,
    outcome: &mut StageOutcome,
    gate: &mut Gatekeeper,
) -> Result<Standing, StageError> {
    let alg = opts.checksum;
    let mut objects: Vec<Option<ObjectOutcome>> = vec![None; planned.len()];
    let mut pending = Vec::new();
    for (i, p) in planned.iter().enumerate() {
        if gate.standing() == Standing::Halt {
            return Ok(Standing::Halt);
        }
        progress.file(&p.file.name);
        let exp = p.expected(alg);
        if let Some(info) = store.head_object(&p.key).await? {
            // Kept when the store's checksum, or the bytes read back, are the file's.
            let verdict = check(store.as_ref(), &p.key, &info, &exp, true).await?;
            if verdict.is_same() {
                if let Verdict::ReadBack { why } = verdict {
                    outcome.read_back.push((p.key.clone(), why));
                }
                progress.advance(p.digest.size);
                objects[i] = Some(ObjectOutcome {
                    key: p.key.clone(),
                    bytes: p.digest.size,
                    action: Action::Reused,
                });
                continue;
            }
        }
        let write = match p.digest.part_size {
            // Sent whole, so it waits for the verdict unsent.
            None => Pending::Put(i),
            Some(part_size) => {
                progress.parts(&p.key, p.digest.parts.len() as u64);
                Pending::Parts(
                    i,
                    send_parts(store, p, part_size, opts, progress, gate).await?,
                )
            }
        };
        match gate.standing() {
            Standing::Go => {
                objects[i] =
                    Some(commit(store, planned, write, opts, progress, outcome, gate).await?)
            }
            Standing::Pending => pending.push(write),
            Standing::Halt => return Ok(Standing::Halt),
        }
    }
    if !pending.is_empty() {
        progress.waiting();
        if gate.verdict().await == Standing::Halt {
            return Ok(Standing::Halt);
        }
        for write in pending {
            let i = match &write {
                Pending::Put(i) | Pending::Parts(i, _) => *i,
            };
            objects[i] = Some(commit(store, planned, write, opts, progress, outcome, gate).await?);
        }
    }
    outcome.objects = objects.into_iter().flatten().collect();
    Ok(Standing::Go)
}

/// Writes (PutObject) or completes (CompleteMultipartUpload) one object, then verifies it.
async fn commit<S: ObjectStore>(
    store: &Arc<S>,
    planned: &[Planned],
    write: Pending,
    opts: &StageOptions,
    progress: &Arc<dyn Progress>,
    outcome: &mut StageOutcome,
    gate: &mut Gatekeeper,
) -> Result<ObjectOutcome, StageError> {
    let alg = opts.checksum;
    let (p, action, operation) = match write {
        Pending::Put(i) => {
            let p = &planned[i];
            // Read from the file as it is sent (memory holds buffers, not the file, up to the
            // 5 GiB of one PutObject), with the checksum of step 1: the store checks the bytes
            // against it, so a file edited since is rejected, not staged.
            let sum = Checksum {
                algorithm: alg,
                value: p.digest.object.clone(),
            };
            if let Err(e) = store
                .put_file(&p.key, &p.file.path, p.digest.size, &sum)
                .await
            {
                return Err(put_failed(p, alg, e).await);
            }
            progress.advance(p.digest.size);
            (p, Action::Put, "PutObject")
        }
        Pending::Parts(i, sent) => {
            let p = &planned[i];
            let action = complete(store.as_ref(), p, sent, alg, gate).await?;
            (p, action, "CompleteMultipartUpload")
        }
    };
    if let Some(why) = verify(store.as_ref(), &p.key, &p.expected(alg), operation).await? {
        outcome.read_back.push((p.key.clone(), why));
    }
    Ok(ObjectOutcome {
        key: p.key.clone(),
        bytes: p.digest.size,
        action,
    })
}

/// Why a PutObject of a file failed: a file whose first bytes are no longer those checksummed
/// (the store rejected them, or the file is now shorter) changed while it was staged; else the
/// store's error. The file is read again only then.
async fn put_failed(p: &Planned, alg: ChecksumAlgorithm, e: StoreError) -> StageError {
    if !matches!(e, StoreError::BadDigest { .. } | StoreError::Io { .. }) {
        return e.into();
    }
    let (path, size) = (p.file.path.clone(), p.digest.size);
    match tokio::task::spawn_blocking(move || digest_head(&path, alg, size)).await {
        Ok(Ok(now)) if now.size == p.digest.size && now.full == p.digest.full => e.into(),
        Ok(Ok(_)) => StageError::Changed {
            path: p.file.path.display().to_string(),
        },
        Ok(Err(source)) => read_err(p, source),
        Err(join) => read_err(p, std::io::Error::other(join.to_string())),
    }
}

fn read_err(p: &Planned, e: std::io::Error) -> StageError {
    StageError::Read {
        path: p.file.path.display().to_string(),
        source: e,
    }
}

/// HeadObject after writing `operation`: the size must match, and the store must report the
/// checksum sent, or (reporting none of that kind) hold the bytes sent, read back. Returns why
/// the bytes were read back, if they were.
async fn verify<S: ObjectStore>(
    store: &S,
    key: &str,
    exp: &Expected,
    operation: &'static str,
) -> Result<Option<String>, StageError> {
    let Some(info) = store.head_object(key).await? else {
        return Err(StageError::Verify {
            key: key.to_string(),
            operation,
            problem: "HeadObject finds no object".into(),
        });
    };
    let verdict = check(store, key, &info, exp, true).await?;
    match verdict {
        Verdict::Checksum => Ok(None),
        Verdict::ReadBack { why } => Ok(Some(why)),
        Verdict::Mismatch { reported } => {
            // The store's checksum of our kind differs: are its bytes ours (then its checksum
            // is wrong), or not?
            let part_size = (exp.checksum_type() == crate::store::ChecksumType::Composite)
                .then_some(exp.part_size)
                .flatten();
            let got = read_back(store, key, exp.algorithm, part_size).await?;
            let ours = got.size == exp.size
                && (got.full.as_deref() == Some(&exp.checksum)
                    || got.composite.as_deref() == Some(&exp.checksum));
            if ours {
                return Err(StageError::WrongChecksum {
                    key: key.to_string(),
                    operation,
                    algorithm: exp.algorithm,
                    why_wrong: malformed(exp.algorithm, &reported),
                    reported,
                    sent: exp.checksum.clone(),
                });
            }
            Err(StageError::Verify {
                key: key.to_string(),
                operation,
                problem: format!(
                    "{}, and its bytes, read back, are not the ones sent",
                    Verdict::Mismatch { reported }
                        .problem(exp)
                        .unwrap_or_default()
                ),
            })
        }
        other => Err(StageError::Verify {
            key: key.to_string(),
            operation,
            problem: other.problem(exp).unwrap_or_default(),
        }),
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

/// The parts of a multipart upload, all sent (or found in place).
struct Sent {
    upload_id: String,
    parts: Vec<UploadedPart>,
    uploaded: u64,
    reused: u64,
}

/// Sends the parts of one file (continuing an interrupted upload of it, if any): the upload
/// is left open for [`complete`]. Stops sending when the gate halts.
async fn send_parts<S: ObjectStore>(
    store: &Arc<S>,
    p: &Planned,
    part_size: u64,
    opts: &StageOptions,
    progress: &Arc<dyn Progress>,
    gate: &mut Gatekeeper,
) -> Result<Sent, StageError> {
    let alg = opts.checksum;
    let n = p.digest.parts.len() as u64;
    let (upload_id, mut done) = match find_upload(store.as_ref(), p).await? {
        Some(found) => found,
        None => (
            store.create_multipart_upload(&p.key, alg).await?,
            Vec::new(),
        ),
    };
    gate.began(&p.key, &upload_id);
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
            if gate.standing() == Standing::Halt {
                // Stopped: the parts in flight end, and the upload is aborted.
                break;
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
                // Read into spare capacity: no pass zeroing the buffer first.
                let mut buf = Vec::with_capacity(len);
                f.take(len as u64).read_to_end(&mut buf)?;
                if buf.len() < len {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                Ok(buf)
            })
            .await
            .map_err(|e| read_err(p, std::io::Error::other(e.to_string())))?
            .map_err(|e| read_err(p, e))?;
            let i = number as usize - 1;
            let expected = p.digest.parts[i].clone();
            // The bytes read now must be those checksummed in step 1: compared by the part's
            // checksum when it is a CRC64NVME, else by its CRC64NVME guard (a second SHA-256 of
            // every byte would cost more than the rest of the upload). The store then checks
            // them against `expected`, in the part's header.
            let (guard_algorithm, guard) = match p.digest.part_guards.get(i) {
                Some(g) => (ChecksumAlgorithm::Crc64nvme, g.clone()),
                None => (alg, expected.clone()),
            };
            let store = store.clone();
            let key = p.key.clone();
            let id = upload_id.clone();
            let path = p.file.path.display().to_string();
            let progress = progress.clone();
            tasks.spawn(async move {
                let sum = tokio::task::spawn_blocking(move || {
                    let s = checksum_of(guard_algorithm, &buf);
                    (buf, s)
                })
                .await;
                let Ok((buf, sum)) = sum else {
                    return Err(StageError::Changed { path });
                };
                if sum != guard {
                    return Err(StageError::Changed { path });
                }
                let len = buf.len() as u64;
                let checksum = Checksum {
                    algorithm: alg,
                    value: expected,
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
    Ok(Sent {
        upload_id,
        parts: done,
        uploaded,
        reused,
    })
}

/// CompleteMultipartUpload of parts all sent.
async fn complete<S: ObjectStore>(
    store: &S,
    p: &Planned,
    sent: Sent,
    alg: ChecksumAlgorithm,
    gate: &mut Gatekeeper,
) -> Result<Action, StageError> {
    let Sent {
        upload_id,
        parts,
        uploaded,
        reused,
    } = sent;
    let full = alg
        .full_object_multipart()
        .then_some(p.digest.object.as_str());
    match store
        .complete_multipart_upload(&p.key, &upload_id, alg, &parts, full)
        .await
    {
        Ok(()) => {
            gate.ended(&p.key, &upload_id);
            Ok(Action::Multipart { uploaded, reused })
        }
        Err(e @ StoreError::BadDigest { .. }) => {
            // The parts do not add up to the file: start from scratch next time.
            let _ = store.abort_multipart_upload(&p.key, &upload_id).await;
            gate.ended(&p.key, &upload_id);
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
