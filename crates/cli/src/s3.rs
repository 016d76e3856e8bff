//! `s3://` inputs: objects streamed from S3 through the validator without a download to disk,
//! read as Personalize reads them (a folder's first-level objects).

use std::sync::Arc;

use anyhow::{bail, Context};
use preflight_uploader::{BlockingObjectReader, ObjectStore, S3Options, S3Store, S3Url};
use preflight_validator::rules::{FileInSubfolder, Violation};
use preflight_validator::{Diagnostic, InputFile, Location};

use crate::args::AwsArgs;
use crate::session::Session;

/// Objects are read in chunks of this size, with at most `DEPTH` chunks waiting.
const CHUNK: usize = 1 << 20;
const DEPTH: usize = 8;

/// The S3 options from the command line; each retried request is announced on stderr.
pub fn options(aws: &AwsArgs) -> S3Options {
    S3Options {
        profile: aws.profile.clone(),
        region: aws.region.clone(),
        endpoint_url: aws.endpoint_url.clone(),
        path_style: aws.path_style,
        read_timeout: Some(aws.request_timeout),
        deadline: Some(aws.request_deadline),
        observer: Some(Arc::new(crate::progress::Reporter::new(false))),
        ..S3Options::default()
    }
}

/// Inputs from local paths (see [`preflight_validator::resolve`]) and `s3://` URLs, in the
/// order given. `s3://` objects stream through the session's runtime, which outlives the
/// validation.
pub fn resolve_inputs(
    paths: &[String],
    session: &Session,
) -> anyhow::Result<(Vec<InputFile>, Vec<Diagnostic>)> {
    let mut inputs = Vec::new();
    let mut extra = Vec::new();
    for p in paths {
        if !p.starts_with("s3://") {
            let (i, d) = preflight_validator::resolve(std::slice::from_ref(p))?;
            inputs.extend(i);
            extra.extend(d);
            continue;
        }
        let url = S3Url::parse(p).map_err(anyhow::Error::msg)?;
        let store = session.s3_store(&url.bucket)?;
        let rt = session.runtime()?;
        let (i, d) = rt.block_on(list_inputs(&store, &url, rt.handle().clone()))?;
        inputs.extend(i);
        extra.extend(d);
    }
    Ok((inputs, extra))
}

async fn list_inputs(
    store: &Arc<S3Store>,
    url: &S3Url,
    handle: tokio::runtime::Handle,
) -> anyhow::Result<(Vec<InputFile>, Vec<Diagnostic>)> {
    let shown = url.to_string();
    let reader = |key: &str| {
        BlockingObjectReader::new(handle.clone(), store.clone(), key.to_string(), CHUNK, DEPTH)
    };
    if !url.is_folder() {
        let Some(info) = store
            .head_object(&url.key)
            .await
            .with_context(|| format!("failed to read `{shown}`"))?
        else {
            bail!("`{shown}` does not exist");
        };
        return Ok((
            vec![InputFile::from_reader(
                &shown,
                reader(&url.key),
                Some(info.size),
            )],
            Vec::new(),
        ));
    }
    let listing = store
        .list_objects(&url.key, false)
        .await
        .with_context(|| format!("failed to list `{shown}`"))?;
    let mut inputs = Vec::new();
    let mut diags = Vec::new();
    let mut deeper: Vec<(String, u64)> = Vec::new();
    for o in &listing.objects {
        let rest = &o.key[url.key.len().min(o.key.len())..];
        if rest.starts_with(preflight_uploader::manifest::MANIFEST_DIR) {
            continue; // the manifest of a staged or sealed folder (never imported)
        }
        if let Some((sub, tail)) = rest.split_once('/') {
            if !tail.is_empty() {
                let folder = format!("{shown}{sub}/");
                match deeper.last_mut() {
                    Some((f, n)) if *f == folder => *n += 1,
                    _ => deeper.push((folder, 1)),
                }
            }
            continue;
        }
        // Every other first-level object is part of the import, whatever its name.
        let Some(rest) = import_object_name(&url.key, &o.key) else {
            continue;
        };
        let name = format!("{shown}{rest}");
        if let Some(d) = preflight_validator::non_csv_name(rest, &name) {
            diags.push(d);
        }
        inputs
            .push(InputFile::from_reader(&name, reader(&o.key), Some(o.size)).listed_from_folder());
    }
    for (folder, n) in deeper {
        let found = FileInSubfolder {
            files: n,
            folder: &folder,
        }
        .diagnostic();
        diags.push(found.at(Location {
            file: Some(folder),
            ..Location::default()
        }));
    }
    if inputs.is_empty() {
        bail!("`{shown}` contains no object at its first level");
    }
    Ok((inputs, diags))
}

/// The name in the folder `folder_key` (a key prefix ending in `/`) of an object Personalize
/// imports when the data location is that folder: every object at the first level, whatever
/// its name, except the folder marker (the key equal to the prefix) and keys in sub-folders.
/// Validation (`validate s3://…/`) and sealing (`--seal`) both decide with this function, so
/// the manifest lists exactly the objects that were validated.
pub fn import_object_name<'a>(folder_key: &str, key: &'a str) -> Option<&'a str> {
    let rest = key.strip_prefix(folder_key)?;
    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
}
