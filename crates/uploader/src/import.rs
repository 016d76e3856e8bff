//! The dataset import job: the account-side checks before CreateDatasetImportJob, the job
//! name, submitting, watching with backoff, what a `failureReason` means, and the dataset's
//! current bulk data from its import history. Generic over [`Personalize`] and [`Clock`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::checksum::Hasher;
use crate::location::utc_stamp;
use crate::manifest::{Manifest, MANIFEST_KEY};
use crate::personalize::{
    list_all_import_jobs, CreateImportJob, Dataset, ImportJob, ImportMode, Personalize,
    PersonalizeError, MAX_PENDING_JOBS, STATUS_ACTIVE, STATUS_CREATE_FAILED,
    STATUS_CREATE_IN_PROGRESS, STATUS_CREATE_PENDING,
};
use crate::store::{ChecksumAlgorithm, ObjectStore, StoreError};
use crate::verify::{check, Expected, Verdict};

/// The longest job name the API accepts.
pub const MAX_JOB_NAME: usize = 63;

/// Checks a job name against `^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$` (the API's pattern, anchored:
/// docs/personalize.md#createdatasetimportjob, and the decision in
/// docs/personalize.md#the-import).
pub fn check_job_name(name: &str) -> Result<(), String> {
    let ok_first = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let ok_rest = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok_first || !ok_rest || name.len() > MAX_JOB_NAME {
        return Err(format!(
            "`{name}` is not a valid import job name: use 1 to {MAX_JOB_NAME} letters, digits, `-` and `_`, starting with a letter or digit"
        ));
    }
    Ok(())
}

/// A unique job name: `preflight-<type>-<UTC stamp>-<hash>`, the hash covering the dataset,
/// the data location and the time to the nanosecond, so two jobs never share a name.
pub fn job_name(
    dataset_type: &str,
    dataset_arn: &str,
    data_location: &str,
    at: SystemTime,
) -> String {
    let mut h = Hasher::new(ChecksumAlgorithm::Sha256);
    let nanos = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    h.update(format!("{dataset_arn}\n{data_location}\n{nanos}").as_bytes());
    let hash: String = h.finish_raw()[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let ty: String = dataset_type
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let mut name = format!("preflight-{ty}-{}-{hash}", utc_stamp(at));
    name.truncate(MAX_JOB_NAME);
    name
}

/// Time, for watching: real (tokio) or manual (tests and dry runs, sleeping instantly).
pub trait Clock: Send + Sync {
    /// Time since the clock was made.
    fn elapsed(&self) -> Duration;
    /// Waits `d`.
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// The real clock.
#[derive(Debug)]
pub struct TokioClock {
    start: std::time::Instant,
}

impl TokioClock {
    /// A clock starting now.
    pub fn new() -> Self {
        TokioClock {
            start: std::time::Instant::now(),
        }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TokioClock {
    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(d))
    }
}

/// A clock whose sleeps return at once and advance its time; it records every sleep.
#[derive(Debug, Default)]
pub struct ManualClock {
    state: Mutex<(Duration, Vec<Duration>)>,
}

impl ManualClock {
    /// A clock at zero.
    pub fn new() -> Self {
        Self::default()
    }
    /// Every sleep asked for, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state.lock().map(|s| s.1.clone()).unwrap_or_default()
    }
}

impl Clock for ManualClock {
    fn elapsed(&self) -> Duration {
        self.state.lock().map(|s| s.0).unwrap_or_default()
    }
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        if let Ok(mut s) = self.state.lock() {
            s.0 += d;
            s.1.push(d);
        }
        Box::pin(std::future::ready(()))
    }
}

/// Polling intervals: `initial`, doubling up to `max` (a job runs for minutes to hours; there is
/// no point asking every second).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first wait.
    pub initial: Duration,
    /// The longest wait.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_secs(5),
            max: Duration::from_secs(60),
        }
    }
}

impl Backoff {
    /// The waits, in order (endless).
    pub fn waits(self) -> impl Iterator<Item = Duration> {
        let max = self.max.max(self.initial);
        std::iter::successors(Some(self.initial), move |d| Some((*d * 2).min(max)))
    }
}

/// How a watch ended, with the last answer: an import job's ([`WatchOutcome`]) or a solution
/// version's ([`crate::solutions::watch_training`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watched<T> {
    /// `ACTIVE`: done.
    Active(T),
    /// `CREATE FAILED` (or, for a solution version, `CREATE STOPPED`): the answer says why.
    Failed(T),
    /// The timeout passed first; the work goes on.
    TimedOut(T),
}

/// How an import watch ended: `ACTIVE` (the data is in the dataset), `CREATE FAILED` (with the
/// job's `failureReason`), or timed out (the job goes on).
pub type WatchOutcome = Watched<ImportJob>;

/// `CREATE STOPPED`: a solution version whose creation was stopped (StopSolutionVersionCreation).
pub const STATUS_CREATE_STOPPED: &str = "CREATE STOPPED";

/// Polls `describe` until the status (`status_of`) is `ACTIVE`, `CREATE FAILED` or `CREATE
/// STOPPED`, or until `timeout`, waiting per `backoff` on `clock` between polls; `on_poll` sees
/// every answer with the time elapsed. The one watch loop behind the import and the training.
pub async fn watch_until<T, Fut>(
    mut describe: impl FnMut() -> Fut,
    status_of: impl Fn(&T) -> &str,
    clock: &dyn Clock,
    backoff: Backoff,
    timeout: Option<Duration>,
    on_poll: &mut (dyn FnMut(&T, Duration) + Send),
) -> Result<Watched<T>, PersonalizeError>
where
    Fut: Future<Output = Result<T, PersonalizeError>>,
{
    let start = clock.elapsed();
    let mut waits = backoff.waits();
    loop {
        let answer = describe().await?;
        let elapsed = clock.elapsed().saturating_sub(start);
        on_poll(&answer, elapsed);
        match status_of(&answer) {
            STATUS_ACTIVE => return Ok(Watched::Active(answer)),
            STATUS_CREATE_FAILED | STATUS_CREATE_STOPPED => return Ok(Watched::Failed(answer)),
            _ => {}
        }
        let mut wait = waits.next().unwrap_or(backoff.max);
        if let Some(t) = timeout {
            if elapsed >= t {
                return Ok(Watched::TimedOut(answer));
            }
            wait = wait.min(t - elapsed);
        }
        clock.sleep(wait).await;
    }
}

/// Polls DescribeDatasetImportJob until `ACTIVE` or `CREATE FAILED` (or `timeout`), waiting
/// per `backoff` between polls; `on_poll` sees every answer with the time elapsed.
pub async fn watch<P: Personalize>(
    p: &P,
    job_arn: &str,
    clock: &dyn Clock,
    backoff: Backoff,
    timeout: Option<Duration>,
    on_poll: &mut (dyn FnMut(&ImportJob, Duration) + Send),
) -> Result<WatchOutcome, PersonalizeError> {
    watch_until(
        || p.describe_dataset_import_job(job_arn),
        |j: &ImportJob| j.status.as_str(),
        clock,
        backoff,
        timeout,
        on_poll,
    )
    .await
}

/// What a known `failureReason` means (docs/personalize.md#failure-messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureKind {
    /// "Input CSV is missing the following columns: [..]": header and schema differ.
    MissingColumns(Vec<String>),
    /// "Length cannot be more than N characters for COLUMN": a long value, or a malformed CSV
    /// whose fields ran together.
    LengthLimit {
        /// The limit, if given.
        limit: Option<u64>,
        /// The column, if given.
        column: Option<String>,
    },
    /// "Insufficient privileges for accessing data in Amazon S3": role, bucket or KMS policy.
    Privileges,
    /// "Invalid Data location.": the path's syntax (a folder needs a trailing `/`).
    DataLocation,
    /// "More than 5 resources with PENDING or IN_PROGRESS status".
    TooManyJobs,
}

/// Recognises the documented failure messages.
pub fn classify_failure(reason: &str) -> Option<FailureKind> {
    let lower = reason.to_ascii_lowercase();
    if let Some(i) = lower.find("missing the following columns") {
        let rest = &reason[i..];
        let cols = match (rest.find('['), rest.find(']')) {
            (Some(a), Some(b)) if a < b => rest[a + 1..b]
                .split(',')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
            _ => Vec::new(),
        };
        return Some(FailureKind::MissingColumns(cols));
    }
    if let Some(i) = lower.find("length cannot be more than") {
        let rest = &reason[i + "length cannot be more than".len()..];
        let limit = rest
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<u64>().ok());
        let column = rest.find(" for ").map(|j| {
            rest[j + 5..]
                .split(|c: char| c == '.' || c.is_whitespace())
                .next()
                .unwrap_or_default()
                .to_string()
        });
        return Some(FailureKind::LengthLimit {
            limit,
            column: column.filter(|c| !c.is_empty()),
        });
    }
    if lower.contains("insufficient privileges") {
        return Some(FailureKind::Privileges);
    }
    if lower.contains("invalid data location") {
        return Some(FailureKind::DataLocation);
    }
    if lower.contains("more than 5 resources") {
        return Some(FailureKind::TooManyJobs);
    }
    None
}

/// Why an import was refused before a job was created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The dataset is not ACTIVE.
    #[error("dataset `{arn}` is {status}, not ACTIVE: wait until it is created (or recreate it if creation failed)")]
    DatasetNotActive {
        /// The dataset's ARN.
        arn: String,
        /// Its status as Personalize spells it (`CREATE PENDING`, `ACTIVE`, `CREATE FAILED`…).
        status: String,
    },
    /// INCREMENTAL before any bulk import.
    #[error("dataset `{arn}` has had no successful bulk import, and Personalize accepts INCREMENTAL only after one: import with --mode full first")]
    NoBulkImport {
        /// The dataset's ARN.
        arn: String,
    },
    /// FULL into a dataset that holds bulk data, and the caller cannot tell what it replaces.
    #[error("dataset `{arn}` already had an ACTIVE import: a FULL import replaces all of its bulk data, and what it would drop is unknown. See it with `preflight plan --dataset-arn ARN --mode full --existing-from-history NEW…` (or give the data with --existing), import with --mode incremental to add to the dataset, or pass --allow-drop if replacing everything is intended")]
    WouldReplaceBulkData {
        /// The dataset's ARN.
        arn: String,
    },
    /// Five jobs are pending or running and the caller would not wait.
    #[error("{pending} import jobs are pending or in progress in this region (the limit is {MAX_PENDING_JOBS}): try again later, or drop --no-queue to wait for a free slot")]
    QueueFull {
        /// Pending or running jobs.
        pending: usize,
    },
    /// The data location has no manifest, or the objects are not what it records.
    #[error("{0}")]
    Manifest(String),
    /// The job name is not valid.
    #[error("{0}")]
    JobName(String),
    /// A Personalize call failed.
    #[error(transparent)]
    Personalize(#[from] PersonalizeError),
    /// An S3 call failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// DescribeDataset, refusing a dataset that is not ACTIVE.
pub async fn active_dataset<P: Personalize>(p: &P, arn: &str) -> Result<Dataset, ImportError> {
    let d = p.describe_dataset(arn).await?;
    if d.status != STATUS_ACTIVE {
        return Err(ImportError::DatasetNotActive {
            arn: arn.to_string(),
            status: if d.status.is_empty() {
                "in an unknown state".into()
            } else {
                d.status
            },
        });
    }
    Ok(d)
}

/// Whether the dataset had a successful (ACTIVE) import job: then it holds bulk data
/// (ListDatasetImportJobs, every page).
pub async fn had_bulk_import<P: Personalize>(
    p: &P,
    dataset_arn: &str,
) -> Result<bool, PersonalizeError> {
    let jobs = list_all_import_jobs(p, Some(dataset_arn)).await?;
    Ok(jobs.iter().any(|j| j.status == STATUS_ACTIVE))
}

/// INCREMENTAL needs an earlier successful (ACTIVE) import into the dataset.
pub async fn check_mode<P: Personalize>(
    p: &P,
    dataset_arn: &str,
    mode: ImportMode,
) -> Result<(), ImportError> {
    if mode == ImportMode::Incremental && !had_bulk_import(p, dataset_arn).await? {
        return Err(ImportError::NoBulkImport {
            arn: dataset_arn.to_string(),
        });
    }
    Ok(())
}

/// The import mode against the dataset's bulk data, before a job is created: INCREMENTAL needs
/// an earlier ACTIVE import; FULL into a dataset that had one replaces all its bulk data, which
/// is refused unless `replace_ok` (the caller knows what is replaced, or the user said so).
/// Returns whether the dataset had an ACTIVE import.
pub async fn check_bulk_data<P: Personalize>(
    p: &P,
    dataset_arn: &str,
    mode: ImportMode,
    replace_ok: bool,
) -> Result<bool, ImportError> {
    let had = had_bulk_import(p, dataset_arn).await?;
    match mode {
        ImportMode::Incremental if !had => Err(ImportError::NoBulkImport {
            arn: dataset_arn.to_string(),
        }),
        ImportMode::Full if had && !replace_ok => Err(ImportError::WouldReplaceBulkData {
            arn: dataset_arn.to_string(),
        }),
        _ => Ok(had),
    }
}

/// Pending or running import jobs in the region.
pub async fn pending_jobs<P: Personalize>(p: &P) -> Result<usize, PersonalizeError> {
    Ok(list_all_import_jobs(p, None)
        .await?
        .iter()
        .filter(|j| j.status == STATUS_CREATE_PENDING || j.status == STATUS_CREATE_IN_PROGRESS)
        .count())
}

/// Whether to wait for a free slot when five jobs are pending or running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Wait (polling with the backoff), telling `on_wait` each time.
    Wait,
    /// Fail with [`ImportError::QueueFull`].
    Fail,
}

/// Creates the job once the region has a free slot (see [`Queue`]); a `LimitExceededException`
/// from a race with another client is treated as a full queue. Returns the job's ARN.
pub async fn submit<P: Personalize>(
    p: &P,
    request: &CreateImportJob,
    queue: Queue,
    clock: &dyn Clock,
    backoff: Backoff,
    on_wait: &mut (dyn FnMut(usize, Duration) + Send),
) -> Result<String, ImportError> {
    check_job_name(&request.job_name).map_err(ImportError::JobName)?;
    let mut waits = backoff.waits();
    loop {
        let pending = pending_jobs(p).await?;
        if pending < MAX_PENDING_JOBS {
            match p.create_dataset_import_job(request).await {
                Ok(arn) => return Ok(arn),
                Err(PersonalizeError::LimitExceeded { .. }) if queue == Queue::Wait => {}
                Err(PersonalizeError::LimitExceeded { .. }) => {
                    return Err(ImportError::QueueFull {
                        pending: pending.max(MAX_PENDING_JOBS),
                    })
                }
                Err(e) => return Err(e.into()),
            }
        } else if queue == Queue::Fail {
            return Err(ImportError::QueueFull { pending });
        }
        let wait = waits.next().unwrap_or(backoff.max);
        on_wait(pending.max(MAX_PENDING_JOBS), wait);
        clock.sleep(wait).await;
    }
}

/// What [`verify_manifest`] found in order.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The manifest as read from the folder, every object of it verified.
    pub manifest: Manifest,
    /// Objects the store reports no comparable checksum for, verified by reading their bytes
    /// back: (key, why).
    pub read_back: Vec<(String, String)>,
}

/// Checks a data folder (`folder`, a key prefix ending in `/`) against its
/// `_preflight/manifest.json` before an import reads it: every object the manifest lists is
/// there with the same size, ETag (when recorded) and bytes, and the folder's first level holds
/// no other object (Personalize would import it too). The bytes are proven by the checksum the
/// store reports when it is of the recorded algorithm and type; otherwise they are read back
/// and hashed ([`crate::verify`]). An object whose bytes cannot be proven is refused.
pub async fn verify_manifest<S: ObjectStore>(
    store: &S,
    folder: &str,
) -> Result<Verified, ImportError> {
    use tokio::io::AsyncReadExt;
    let shown = store.location(folder);
    let manifest_key = format!("{folder}{MANIFEST_KEY}");
    let mut body = match store.get_object(&manifest_key).await {
        Ok(b) => b,
        Err(StoreError::NotFound { .. }) => {
            return Err(ImportError::Manifest(format!(
                "`{shown}` has no {MANIFEST_KEY}: it was not staged by `preflight stage` nor sealed by `preflight validate --seal`, so nothing says its objects are the ones validated; stage or seal it, or import it anyway with --unverified"
            )))
        }
        Err(e) => return Err(e.into()),
    };
    let mut bytes = Vec::new();
    body.read_to_end(&mut bytes)
        .await
        .map_err(|e| StoreError::Io {
            operation: "read",
            path: store.location(&manifest_key),
            source: e,
        })?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        ImportError::Manifest(format!(
            "`{}` is not a preflight manifest ({e}); stage or seal the folder again, or import it with --unverified",
            store.location(&manifest_key)
        ))
    })?;
    let mut problems = Vec::new();
    let mut read_back = Vec::new();
    let listing = store.list_objects(folder, true).await?;
    for o in &listing.objects {
        let name = &o.key[folder.len().min(o.key.len())..];
        if name.is_empty() || name.ends_with('/') {
            continue;
        }
        if !manifest.files.iter().any(|f| f.key == o.key) {
            problems.push(format!(
                "`{name}` is in the folder but not in the manifest (Personalize would import it too)"
            ));
        }
    }
    for f in &manifest.files {
        let Some(info) = store.head_object(&f.key).await? else {
            problems.push(format!(
                "`{}` is in the manifest but no longer in the folder",
                f.name
            ));
            continue;
        };
        if info.size != f.bytes {
            problems.push(format!(
                "`{}` has {} bytes; the manifest records {}",
                f.name, info.size, f.bytes
            ));
            continue;
        }
        if let Some(etag) = &f.etag {
            if info.etag.as_deref() != Some(etag.as_str()) {
                problems.push(format!(
                    "`{}` has ETag {}; the manifest records {etag}",
                    f.name,
                    info.etag.as_deref().unwrap_or("(none)")
                ));
                continue;
            }
        }
        if f.checksum.is_empty() {
            // Written by an older version for a store that reported no checksum: a size and an
            // ETag do not prove the bytes.
            problems.push(format!(
                "`{}` cannot be verified: its manifest records no checksum (only its size{}), which does not prove its bytes",
                f.name,
                if f.etag.is_some() { " and ETag" } else { "" }
            ));
            continue;
        }
        let exp = Expected {
            algorithm: manifest.checksum_algorithm,
            checksum: f.checksum.clone(),
            size: f.bytes,
            part_size: f.part_size,
        };
        let verdict = check(store, &f.key, &info, &exp, true).await?;
        match verdict.problem(&exp) {
            Some(problem) => problems.push(format!("`{}`: {problem}", f.name)),
            None => {
                if let Verdict::ReadBack { why } = verdict {
                    read_back.push((f.key.clone(), why));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Manifest(format!(
            "`{shown}` is not what was validated, or cannot be shown to be: {}. Validate and stage (or seal) it again; --unverified imports it as it is",
            problems.join("; ")
        )));
    }
    Ok(Verified {
        manifest,
        read_back,
    })
}

/// The jobs whose data the dataset's bulk data is made of: the last ACTIVE FULL job and the
/// ACTIVE INCREMENTAL jobs after it, oldest first, each described (for its data location).
/// Empty when the dataset never had a successful import.
pub async fn current_bulk_jobs<P: Personalize>(
    p: &P,
    dataset_arn: &str,
) -> Result<Vec<ImportJob>, PersonalizeError> {
    let mut jobs: Vec<_> = list_all_import_jobs(p, Some(dataset_arn))
        .await?
        .into_iter()
        .filter(|j| j.status == STATUS_ACTIVE)
        .collect();
    jobs.sort_by_key(|j| j.created);
    // A job without a mode was created before modes existed: FULL, the default.
    let start = jobs
        .iter()
        .rposition(|j| j.import_mode.unwrap_or(ImportMode::Full) == ImportMode::Full);
    let Some(start) = start else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for j in &jobs[start..] {
        let mut job = p.describe_dataset_import_job(&j.arn).await?;
        job.import_mode = job.import_mode.or(j.import_mode);
        out.push(job);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_names_match_the_pattern_and_differ() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000);
        let a = job_name("action-interactions", "arn:d", "s3://b/p/", t);
        let b = job_name(
            "action-interactions",
            "arn:d",
            "s3://b/p/",
            t + Duration::from_nanos(1),
        );
        assert!(
            a.starts_with("preflight-action-interactions-20251124T160000Z-"),
            "{a}"
        );
        assert_ne!(a, b);
        check_job_name(&a).unwrap();
        assert!(a.len() <= MAX_JOB_NAME);
        let long = job_name(&"x".repeat(80), "arn:d", "s3://b/p/", t);
        assert_eq!(long.len(), MAX_JOB_NAME);
        check_job_name(&long).unwrap();
    }

    #[test]
    fn job_name_pattern() {
        for ok in ["a", "A-1_b", &"x".repeat(63)] {
            assert!(check_job_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-a", "_a", "a b", "a.b", "ä", &"x".repeat(64)] {
            assert!(check_job_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn backoff_doubles_to_the_cap() {
        let w: Vec<u64> = Backoff::default()
            .waits()
            .take(7)
            .map(|d| d.as_secs())
            .collect();
        assert_eq!(w, [5, 10, 20, 40, 60, 60, 60]);
    }

    #[test]
    fn classifies_the_documented_messages() {
        assert_eq!(
            classify_failure("Failed to create a data import job for Interactions dataset....Input CSV is missing the following columns:[TIMESTAMP, EVENT_TYPE]."),
            Some(FailureKind::MissingColumns(vec!["TIMESTAMP".into(), "EVENT_TYPE".into()]))
        );
        assert_eq!(
            classify_failure("Length cannot be more than 256 characters for ITEM_ID. If no values exceed the character limit, make sure your data follows the formatting guidelines"),
            Some(FailureKind::LengthLimit { limit: Some(256), column: Some("ITEM_ID".into()) })
        );
        assert_eq!(
            classify_failure("Failed to create a data import job for Items dataset....Insufficient privileges for accessing data in Amazon S3."),
            Some(FailureKind::Privileges)
        );
        assert_eq!(
            classify_failure("Invalid Data location."),
            Some(FailureKind::DataLocation)
        );
        assert_eq!(classify_failure("Something else"), None);
    }
}
