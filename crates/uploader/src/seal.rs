//! Sealing a folder validated in place (`preflight validate s3://…/ --seal`): data that an ETL
//! job wrote to S3 gets the same `_preflight/manifest.json` a staged folder has, recording each
//! object's size, ETag and checksum as validated, so [`crate::import::verify_manifest`] catches
//! an object that changed after validation before the import job is created. An object the
//! store reports no checksum for (of the algorithm the manifest records) is read back and
//! hashed, so every object's bytes are recorded, not only its ETag.

use std::time::SystemTime;

use bytes::Bytes;

use crate::checksum::{checksum_of, Hasher};
use crate::import::ImportError;
use crate::location::rfc3339;
use crate::manifest::{Manifest, ManifestFile, SchemaInfo, Tool, MANIFEST_KEY};
use crate::store::{Checksum, ChecksumAlgorithm, ObjectInfo, ObjectStore};
use crate::verify::read_back;

/// One object that was validated.
#[derive(Debug, Clone)]
pub struct SealFile {
    /// The object as listed or described before validation read it.
    pub before: ObjectInfo,
    /// Data records, from validation.
    pub records: u64,
    /// Physical lines, from validation.
    pub lines: u64,
}

/// What the manifest records besides the objects.
#[derive(Debug, Clone)]
pub struct SealRequest {
    /// The folder (a key prefix ending in `/`).
    pub folder: String,
    /// The dataset type's folder name (`interactions`…).
    pub dataset_type: String,
    /// The schema the objects were validated against.
    pub schema: SchemaInfo,
    /// The validation summary.
    pub validation: serde_json::Value,
    /// The tool writing the manifest.
    pub tool: Tool,
    /// The time the manifest records as its creation, and the run folder's name is made from.
    pub now: SystemTime,
}

/// Writes the folder's manifest, after checking that no object changed while it was being
/// validated (same size, ETag and checksum as `before`).
pub async fn seal<S: ObjectStore>(
    store: &S,
    req: &SealRequest,
    files: &[SealFile],
) -> Result<Manifest, ImportError> {
    let mut now: Vec<ObjectInfo> = Vec::new();
    for f in files {
        let after = store.head_object(&f.before.key).await?;
        let same = after.as_ref().is_some_and(|a| {
            a.size == f.before.size
                && a.etag == f.before.etag
                && (f.before.checksums.is_empty() || a.checksums == f.before.checksums)
        });
        if !same {
            return Err(ImportError::Manifest(format!(
                "`{}` changed while it was being validated: not sealed; validate it again once it is no longer being written",
                store.location(&f.before.key)
            )));
        }
        now.push(after.unwrap_or_else(|| f.before.clone()));
    }
    // One algorithm for the manifest: the one every object has, CRC64NVME first.
    let alg = ChecksumAlgorithm::ALL
        .into_iter()
        .find(|a| now.iter().all(|o| o.checksum(*a).is_some()))
        .unwrap_or(ChecksumAlgorithm::Crc64nvme);
    // Objects without it are read back and hashed; then they must still be what was validated.
    let mut computed = Vec::new();
    for info in &now {
        if info.checksum(alg).is_some() {
            computed.push(None);
            continue;
        }
        let read = read_back(store, &info.key, alg, None).await?;
        let after = store.head_object(&info.key).await?;
        let same = read.size == info.size
            && after
                .as_ref()
                .is_some_and(|a| a.size == info.size && a.etag == info.etag);
        if !same {
            return Err(ImportError::Manifest(format!(
                "`{}` changed while it was being validated: not sealed; validate it again once it is no longer being written",
                store.location(&info.key)
            )));
        }
        computed.push(read.full);
    }
    let mut hash = Hasher::new(ChecksumAlgorithm::Sha256);
    let mut out = Vec::new();
    for ((f, info), computed) in files.iter().zip(&now).zip(computed) {
        let read = computed.is_some();
        let checksum =
            computed.unwrap_or_else(|| info.checksum(alg).unwrap_or_default().to_string());
        let parts = checksum
            .rsplit_once('-')
            .and_then(|(_, n)| n.parse::<u64>().ok());
        hash.update(
            format!(
                "{}\t{}\t{}\t{}\n",
                info.key,
                info.size,
                info.etag.as_deref().unwrap_or(""),
                checksum
            )
            .as_bytes(),
        );
        out.push(ManifestFile {
            name: info.key[req.folder.len().min(info.key.len())..].to_string(),
            key: info.key.clone(),
            bytes: info.size,
            records: f.records,
            lines: f.lines,
            verified: match (info.etag.is_some(), read) {
                (true, false) => "etag+checksum",
                (true, true) => "etag+read",
                (false, false) => "checksum",
                (false, true) => "read",
            }
            .into(),
            checksum_type: if parts.is_some() {
                "composite".into()
            } else {
                "full_object".into()
            },
            checksum,
            part_size: None,
            parts: parts.unwrap_or(1),
            etag: info.etag.clone(),
        });
    }
    let content_hash: String = hash.finish_raw()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut validation = req.validation.clone();
    validation["sealed_in_place"] = serde_json::Value::Bool(true);
    let manifest = Manifest {
        version: 1,
        tool: req.tool.clone(),
        created: rfc3339(req.now),
        data_location: store.location(&req.folder),
        dataset_type: req.dataset_type.clone(),
        schema: req.schema.clone(),
        checksum_algorithm: alg,
        content_hash,
        files: out,
        validation,
    };
    let mut body = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    body.push(b'\n');
    let sum = Checksum {
        algorithm: alg,
        value: checksum_of(alg, &body),
    };
    store
        .put_object(
            &format!("{}{MANIFEST_KEY}", req.folder),
            Bytes::from(body),
            &sum,
        )
        .await?;
    Ok(manifest)
}
