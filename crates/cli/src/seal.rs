//! `preflight validate s3://bucket/folder/ --seal`: the objects are described before validation
//! reads them, and the manifest is written after it passes (see `preflight_uploader::seal`).

use std::sync::Arc;
use std::time::SystemTime;

use anyhow::bail;
use preflight_uploader::{seal, S3Store, S3Url, SealFile, SealRequest, Tool};
use preflight_validator::{Report, SchemaSource};

use crate::session::Session;

/// The folder and its objects before validation.
pub struct Before {
    url: S3Url,
    store: Arc<S3Store>,
    objects: Vec<preflight_uploader::ObjectInfo>,
}

/// Lists and describes the folder's first-level objects (size, ETag, checksum).
pub fn before(paths: &[String], session: &Session) -> anyhow::Result<Before> {
    let [path] = paths else {
        bail!("--seal seals one s3:// folder: give exactly one s3://bucket/folder/ to validate");
    };
    let url = S3Url::parse(path).map_err(anyhow::Error::msg)?;
    if !url.is_folder() || url.key.is_empty() {
        bail!("--seal seals a folder: give s3://bucket/folder/ (with the final `/`), the dataLocation of the import");
    }
    let store = session.s3_store(&url.bucket)?;
    let rt = session.runtime()?;
    let objects = rt.block_on(async {
        let listing =
            preflight_uploader::ObjectStore::list_objects(store.as_ref(), &url.key, true).await?;
        let mut out = Vec::new();
        for o in listing.objects {
            // The same objects `validate s3://…/` reads (and Personalize imports).
            if crate::s3::import_object_name(&url.key, &o.key).is_none() {
                continue;
            }
            if let Some(info) =
                preflight_uploader::ObjectStore::head_object(store.as_ref(), &o.key).await?
            {
                out.push(info);
            }
        }
        Ok::<_, preflight_uploader::StoreError>(out)
    })?;
    Ok(Before {
        url,
        store,
        objects,
    })
}

/// Writes the manifest, refusing if an object changed since [`before`].
pub fn write(
    before: Before,
    schema: &SchemaSource,
    report: &Report,
    session: &Session,
) -> anyhow::Result<()> {
    let (dataset_type, schema_info) = crate::staging::schema_info(schema, report)?;
    let files: Vec<SealFile> = before
        .objects
        .iter()
        .map(|o| {
            let name = format!("s3://{}/{}", before.url.bucket, o.key);
            let summary = report.files.iter().find(|f| f.path == name);
            SealFile {
                before: o.clone(),
                records: summary.map_or(0, |s| s.records),
                lines: summary.map_or(0, |s| s.lines),
            }
        })
        .collect();
    let req = SealRequest {
        folder: before.url.key.clone(),
        dataset_type,
        schema: schema_info,
        validation: serde_json::to_value(&report.summary)?,
        tool: Tool {
            name: "preflight".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        now: SystemTime::now(),
    };
    let manifest = session
        .runtime()?
        .block_on(seal(before.store.as_ref(), &req, &files))?;
    eprintln!(
        "sealed {} object(s) of {}: {}{} records their ETags and checksums; `preflight import --from {}` refuses the folder if one changes",
        manifest.files.len(),
        manifest.data_location,
        manifest.data_location,
        preflight_uploader::MANIFEST_KEY,
        manifest.data_location
    );
    Ok(())
}
