//! What `stage` and `run` share before and around the upload: the gate on the validation
//! report, the stage request (files, schema facts and validation summary for the manifest),
//! and what a failed upload tells the user. The upload itself is `preflight_uploader::stage`.

use std::path::Path;

use anyhow::{bail, Context};
use bytes::Bytes;
use preflight_uploader::{
    Checksum, ChecksumAlgorithm, Listing, MultipartUpload, ObjectBody, ObjectInfo, ObjectStore,
    SchemaInfo, StageError, StageFile, StageRequest, StoreError, StoreResult, Tool, UploadedPart,
};
use preflight_validator::{
    schema::builtin, schema::load_schema, InputFile, Report, SchemaSource, Severity, Source,
};

use crate::exit;
use crate::outcome::Outcome;
use crate::session::Session;

/// Whether the findings stop the files from being staged: any error (the import job would
/// fail on it, whatever `--fail-on` or `--exit-zero` say of the exit code), or a finding at or
/// above the failing severity (`fail_on = "warning"` stops on a warning, as in `validate`).
pub fn stops(report: &Report, session: &Session) -> bool {
    report.has_at_least(Severity::Error) || session.exit_code(report) != exit::SUCCESS
}

/// The findings that stopped the stage, for the refusal: `2 error(s)`, or `1 warning(s)` and
/// why a warning stops.
pub fn what_stops(report: &Report) -> String {
    let s = &report.summary;
    if s.errors > 0 {
        format!("{} error(s)", s.errors)
    } else {
        format!(
            "{} warning(s) (the failing severity is warning)",
            s.warnings
        )
    }
}

/// The stage request of validated inputs: each file with its record and line counts, the
/// schema's facts and the validation summary (`forced`: staged despite findings that stop).
pub fn request(
    inputs: &[InputFile],
    report: &Report,
    schema: &SchemaSource,
    prefix: String,
    forced: bool,
) -> anyhow::Result<StageRequest> {
    let mut files = Vec::new();
    for input in inputs {
        let Source::Path(path) = &input.source else {
            bail!("`{}` is not a file", input.name);
        };
        let summary = report.files.iter().find(|f| f.path == input.name);
        files.push(StageFile {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .with_context(|| format!("`{}` has no file name", input.name))?,
            path: path.clone(),
            records: summary.map_or(0, |s| s.records),
            lines: summary.map_or(0, |s| s.lines),
        });
    }
    let (dataset_type, schema_info) = schema_info(schema, report)?;
    let mut validation = serde_json::to_value(&report.summary)?;
    validation["forced"] = serde_json::Value::Bool(forced);
    Ok(StageRequest {
        files,
        prefix,
        dataset_type,
        schema: schema_info,
        validation,
        tool: tool(),
    })
}

/// The stage request before validation: the files (with no counts yet), the dataset type and
/// the schema facts that name the run folder, no summary. A built-in schema is adapted to the
/// first header, read here from the first 64 KiB of each file (by the validator itself, so
/// that it is the header validation sees); should validation see another one (a header
/// longer than that), the stage starts over with validation's request. `None` when the
/// facts cannot be known before validation: the stage then validates first.
pub fn provisional(
    inputs: &[InputFile],
    schema: &SchemaSource,
    prefix: String,
    session: &Session,
) -> Option<StageRequest> {
    use std::io::Read;
    const HEAD: u64 = 64 << 10;
    let mut files = Vec::new();
    let mut heads = Vec::new();
    for input in inputs {
        let Source::Path(path) = &input.source else {
            return None;
        };
        files.push(StageFile {
            name: path.file_name()?.to_string_lossy().into_owned(),
            path: path.clone(),
            records: 0,
            lines: 0,
        });
        if matches!(schema, SchemaSource::Builtin { .. }) && heads.is_empty() {
            let mut head = Vec::new();
            std::fs::File::open(path)
                .ok()?
                .take(HEAD)
                .read_to_end(&mut head)
                .ok()?;
            let head = InputFile {
                name: input.name.clone(),
                source: Source::Bytes(head),
                in_folder: input.in_folder,
            };
            let report = preflight_validator::validate(
                schema,
                std::slice::from_ref(&head),
                Vec::new(),
                &session.options(),
            )
            .ok()?;
            // The header of the first file that has one is what the schema is adapted to.
            if report.files.iter().any(|f| !f.header.is_empty()) {
                heads.push(report);
            }
        }
    }
    let empty;
    let report = match heads.first() {
        Some(r) => r,
        None => {
            empty = preflight_validator::check_schema_source(schema, session.policy()).ok()?;
            &empty
        }
    };
    let (dataset_type, schema) = schema_info(schema, report).ok()?;
    Some(StageRequest {
        files,
        prefix,
        dataset_type,
        schema,
        validation: serde_json::Value::Null,
        tool: tool(),
    })
}

/// The inputs repaired into a temporary folder for `stage --fix` / `run --fix`: each file fixed
/// (the safe fixes, and the unsafe ones when asked) into a copy of the same name, which is what
/// gets validated and staged; the files themselves are not changed. The folder lives as long as
/// the returned guard.
pub struct Repaired {
    /// The fixed copies, named as the inputs were (findings point at the input's name).
    pub inputs: Vec<InputFile>,
    /// What each fix changed.
    pub reports: Vec<crate::render::FixReport>,
    /// Keeps the copies until staged.
    _dir: tempfile::TempDir,
}

impl Repaired {
    /// Fixes `inputs` (local files) into a temporary folder.
    pub fn new(
        inputs: Vec<InputFile>,
        schema: &SchemaSource,
        session: &Session,
        unsafe_fixes: bool,
    ) -> anyhow::Result<Repaired> {
        let dir = tempfile::Builder::new()
            .prefix("preflight-fix-")
            .tempdir()
            .context("failed to create a temporary folder for the repaired files")?;
        let cancel = crate::repair::cancel_on_ctrl_c(session)?;
        let mut fixed = Vec::with_capacity(inputs.len());
        let mut reports = Vec::with_capacity(inputs.len());
        for input in inputs {
            let Some(name) = crate::repair::file_name(&input) else {
                bail!("`{}` has no file name", input.name);
            };
            let path = dir.path().join(&name);
            if path.exists() {
                bail!("two inputs are named `{name}`");
            }
            let target = crate::repair::Target::File {
                path: path.clone(),
                force: false,
            };
            let (mut report, _) = match crate::repair::fix_one(
                &input,
                &target,
                schema,
                session,
                unsafe_fixes,
                &cancel,
            ) {
                Ok(r) => r,
                Err(crate::repair::Stopped::Interrupted) => {
                    bail!("interrupted: nothing was staged")
                }
                Err(crate::repair::Stopped::Failed(e)) => return Err(e),
            };
            report.output = format!("a repaired copy of `{}`", input.name);
            reports.push(report);
            fixed.push(InputFile {
                name: input.name.clone(),
                source: Source::Path(path),
                in_folder: input.in_folder,
            });
        }
        Ok(Repaired {
            inputs: fixed,
            reports,
            _dir: dir,
        })
    }

    /// Prints what changed (stderr: `stage` keeps stdout for the data location).
    pub fn print(&self) {
        for r in &self.reports {
            eprintln!("{}", r.headline());
            for c in &r.summary.changes {
                eprintln!(
                    "  {} {} ({}): {}",
                    c.rule.code,
                    c.rule.name,
                    c.applicability,
                    crate::render::FixReport::counts(c)
                );
            }
            eprintln!("  {}", r.records());
        }
    }

    /// Records the repair in the manifest's validation summary: which files were repaired,
    /// from what, and how.
    pub fn record(&self, request: &mut StageRequest) {
        let files: Vec<serde_json::Value> = self
            .reports
            .iter()
            .map(|r| {
                let mut v = r.json();
                v["output"] = serde_json::Value::Null;
                v
            })
            .collect();
        request.validation["repaired"] = serde_json::json!({
            "tool": "preflight fix",
            "unsafe_fixes": self.reports.iter().any(|r| r.unsafe_fixes),
            "files": files,
        });
    }
}

/// This tool, as manifests name it.
pub fn tool() -> Tool {
    Tool {
        name: "preflight".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }
}

/// The dataset type's folder name and the schema facts for the manifest.
pub fn schema_info(source: &SchemaSource, report: &Report) -> anyhow::Result<(String, SchemaInfo)> {
    let header = report
        .files
        .iter()
        .find(|f| !f.header.is_empty())
        .map(|f| f.header.as_slice());
    let schema = match source {
        SchemaSource::Text {
            text,
            source,
            dataset_type,
            domain,
            ..
        } => load_schema(text, source, *dataset_type, *domain)?.schema,
        SchemaSource::Builtin {
            dataset_type,
            domain,
        } => builtin(*dataset_type, *domain, header),
    };
    let Some(schema) = schema else {
        bail!("the schema cannot be used (see the findings above)");
    };
    Ok((
        schema.dataset_type.cli_name().to_string(),
        SchemaInfo {
            source: match source {
                SchemaSource::Text { source, .. } => Some(source.clone()),
                SchemaSource::Builtin { .. } => None,
            },
            domain: schema.domain.map(|d| d.api_name().to_string()),
            fingerprint: schema.fingerprint(),
        },
    ))
}

/// A failed stage: an error about the request itself (two files of one name, a data location
/// too long) is a usage error (exit 2); anything else is a failed upload (exit 3) with its
/// causes, the way around a store whose multipart uploads misbehave, and `then` (what was not
/// done, and that running again resumes).
pub fn upload_failed(e: StageError, then: &str) -> anyhow::Result<Outcome> {
    if e.is_usage() {
        return Err(e.into());
    }
    let mut outcome = Outcome::failed_with(exit::UPLOAD_FAILED, "upload failed: ", &e);
    if let Some(call) = e.multipart_misbehaved() {
        outcome = outcome.note(format!(
            "The store does not answer {call} as S3 does. Files up to 5 GiB can go up in one PutObject each instead: run again with --multipart-threshold 5120 (MiB; each file is read from disk as it is sent, with its checksum, so memory stays bounded; a file sent whole must reach the store within --request-timeout, so raise it and --request-deadline where a file takes longer to send)."
        ));
    }
    Ok(outcome.note(then))
}

/// A store that answers as an empty bucket and writes nothing: a dry run's stage sends no
/// request, and still names the run folder and the objects it would write.
#[derive(Debug)]
pub struct Offline {
    /// The bucket named in the locations.
    pub bucket: String,
}

fn offline<T>(operation: &'static str) -> StoreResult<T> {
    Err(StoreError::Unsupported {
        operation,
        key: String::new(),
        answer: "a dry run sends no request".into(),
    })
}

impl ObjectStore for Offline {
    fn root(&self) -> String {
        format!("s3://{}", self.bucket)
    }
    fn location(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }
    async fn put_object(&self, _: &str, _: Bytes, _: &Checksum) -> StoreResult<()> {
        offline("PutObject in a dry run")
    }
    async fn put_file(&self, _: &str, _: &Path, _: u64, _: &Checksum) -> StoreResult<()> {
        offline("PutObject in a dry run")
    }
    async fn create_multipart_upload(&self, _: &str, _: ChecksumAlgorithm) -> StoreResult<String> {
        offline("CreateMultipartUpload in a dry run")
    }
    async fn upload_part(
        &self,
        _: &str,
        _: &str,
        _: u32,
        _: Bytes,
        _: &Checksum,
    ) -> StoreResult<UploadedPart> {
        offline("UploadPart in a dry run")
    }
    async fn complete_multipart_upload(
        &self,
        _: &str,
        _: &str,
        _: ChecksumAlgorithm,
        _: &[UploadedPart],
        _: Option<&str>,
    ) -> StoreResult<()> {
        offline("CompleteMultipartUpload in a dry run")
    }
    async fn abort_multipart_upload(&self, _: &str, _: &str) -> StoreResult<()> {
        offline("AbortMultipartUpload in a dry run")
    }
    async fn list_multipart_uploads(&self, _: &str) -> StoreResult<Vec<MultipartUpload>> {
        offline("ListMultipartUploads in a dry run")
    }
    async fn list_parts(&self, _: &str, _: &str) -> StoreResult<Vec<UploadedPart>> {
        offline("ListParts in a dry run")
    }
    async fn list_objects(&self, _: &str, _: bool) -> StoreResult<Listing> {
        Ok(Listing::default())
    }
    async fn head_object(&self, _: &str) -> StoreResult<Option<ObjectInfo>> {
        Ok(None)
    }
    async fn get_object(&self, _: &str) -> StoreResult<ObjectBody> {
        offline("GetObject in a dry run")
    }
    async fn delete_objects(&self, _: &[String]) -> StoreResult<()> {
        offline("DeleteObjects in a dry run")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offline_store_reads_as_empty_and_refuses_writes() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let s = Offline { bucket: "b".into() };
        rt.block_on(async {
            assert_eq!(
                s.list_objects("p/", true).await.unwrap(),
                Listing::default()
            );
            assert!(s.head_object("k").await.unwrap().is_none());
            assert!(s
                .put_object(
                    "k",
                    Bytes::new(),
                    &Checksum {
                        algorithm: ChecksumAlgorithm::Sha256,
                        value: String::new()
                    }
                )
                .await
                .is_err());
        });
        assert_eq!(s.location("a/"), "s3://b/a/");
    }
}
