//! `--keep N`: delete old run folders, never one an import job may still be reading.
//!
//! The rule:
//! - Only *complete* run folders (with a manifest) of the same dataset type under the same
//!   prefix are counted and considered. Incomplete ones are never deleted here: a re-run
//!   resumes them, and one may belong to a stage still in progress.
//! - The current run folder is always kept, and with it the `N - 1` others whose manifests are
//!   newest.
//! - Any other folder is deleted only when its manifest is older than the grace period
//!   (default 24 hours): a Personalize import job started from a folder reads it while it
//!   runs, and a job is started from a folder right after it is staged, so a folder staged
//!   within the grace period may still be read. Set the grace period above the longest import
//!   job you run.
//! - A folder is deleted manifest first, so an interrupted deletion leaves an incomplete
//!   folder, never a complete one with missing files.

use std::time::{Duration, SystemTime};

use crate::manifest::MANIFEST_KEY;
use crate::store::{ObjectStore, StoreResult};

/// Applies the rule above; returns the folders deleted and those spared by the grace period.
pub async fn prune<S: ObjectStore>(
    store: &S,
    type_prefix: &str,
    current: &str,
    keep: usize,
    grace: Duration,
    now: SystemTime,
) -> StoreResult<(Vec<String>, Vec<String>)> {
    let listing = store.list_objects(type_prefix, true).await?;
    let mut complete = Vec::new();
    for folder in listing.folders.iter().filter(|f| f.as_str() != current) {
        if let Some(m) = store
            .head_object(&format!("{folder}{MANIFEST_KEY}"))
            .await?
        {
            complete.push((folder.clone(), m.last_modified));
        }
    }
    // Newest first: by manifest time, then by name (which starts with the UTC timestamp).
    complete.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
    let mut deleted = Vec::new();
    let mut spared = Vec::new();
    for (folder, written) in complete.into_iter().skip(keep.saturating_sub(1)) {
        let old_enough = written
            .and_then(|w| now.duration_since(w).ok())
            .is_some_and(|age| age >= grace);
        if !old_enough {
            spared.push(folder);
            continue;
        }
        store
            .delete_objects(&[format!("{folder}{MANIFEST_KEY}")])
            .await?;
        let rest: Vec<String> = store
            .list_objects(&folder, false)
            .await?
            .objects
            .into_iter()
            .map(|o| o.key)
            .collect();
        store.delete_objects(&rest).await?;
        deleted.push(folder);
    }
    Ok((deleted, spared))
}
