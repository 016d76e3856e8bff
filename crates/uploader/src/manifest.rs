//! The run manifest, `_preflight/manifest.json`: written last, after every object is verified,
//! so its presence is what makes a run folder complete. It lives in a sub-folder, which
//! Personalize does not read.

use serde::{Deserialize, Serialize};

use crate::store::ChecksumAlgorithm;

/// The manifest's folder inside a run folder.
pub const MANIFEST_DIR: &str = "_preflight/";
/// The manifest's key inside a run folder.
pub const MANIFEST_KEY: &str = "_preflight/manifest.json";

/// What a complete run folder holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Format version; fields are only ever added.
    pub version: u32,
    /// The tool that wrote it.
    pub tool: Tool,
    /// When it was written (RFC 3339, UTC).
    pub created: String,
    /// The `dataLocation` for CreateDatasetImportJob (the run folder).
    pub data_location: String,
    /// The dataset type (`interactions`, `items`…).
    pub dataset_type: String,
    /// The schema the files were validated against.
    pub schema: SchemaInfo,
    /// The checksum algorithm of every object.
    pub checksum_algorithm: ChecksumAlgorithm,
    /// The hash of the schema and every file's name, size and checksum (the run folder's suffix).
    pub content_hash: String,
    /// The files, in the order given.
    pub files: Vec<ManifestFile>,
    /// The validation summary (the `summary` of `preflight validate --format json`), plus
    /// `forced` when staged despite errors.
    pub validation: serde_json::Value,
}

/// The tool that wrote a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// `preflight`.
    pub name: String,
    /// The version of preflight that wrote the manifest.
    pub version: String,
}

/// The schema the files were checked against.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SchemaInfo {
    /// The schema file, or `None` for a built-in schema.
    pub source: Option<String>,
    /// The domain, if any.
    pub domain: Option<String>,
    /// A hash of the field names, types and flags.
    pub fingerprint: String,
}

/// One staged object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// The file name (the object's name in the run folder).
    pub name: String,
    /// The object's full key in the bucket (prefix, run folder and name).
    pub key: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Data records, from validation.
    pub records: u64,
    /// Physical lines, header included.
    pub lines: u64,
    /// The object's checksum as the store reports it (`…-N` for a composite SHA-256).
    pub checksum: String,
    /// `full_object` or `composite`.
    pub checksum_type: String,
    /// The part size, for a multipart upload.
    pub part_size: Option<u64>,
    /// The number of parts (1 for a single upload).
    pub parts: u64,
    /// How the object was verified after writing: `checksum` (the store reported the expected
    /// checksum) or `read` (the store reported no checksum of this algorithm and type, so the
    /// object was read back and hashed); for a folder sealed in place, `etag+checksum`,
    /// `etag+read`, `checksum` or `read`. (Manifests of earlier versions may say `size` or
    /// `etag`: nothing proved those bytes, and an import refuses them.)
    pub verified: String,
    /// The object's ETag when the manifest was written (sealed folders; an import compares it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}
