//! The AWS clients of a run: connected from the standard configuration, or injected by
//! in-process tests; and the schema of a Personalize dataset (`--dataset-arn`).

use std::sync::Arc;

use anyhow::{bail, Context};
use preflight_uploader::personalize::Personalize;
use preflight_uploader::{
    Clock, Dataset, PersonalizeOptions, S3Store, SdkIam, SdkKms, SdkPersonalize, TokioClock,
};
use preflight_validator::{DatasetType, SchemaSource};

use crate::args::{AwsArgs, SchemaArgs};

/// AWS clients and time for a command. The default connects to AWS and uses real time;
/// tests set a Personalize client built with `aws-smithy-mocks` and a manual clock.
#[derive(Clone)]
pub struct Clients {
    /// Used instead of connecting to Personalize, when set.
    pub personalize: Option<SdkPersonalize>,
    /// Time for watching and waiting.
    pub clock: Arc<dyn Clock>,
    /// Used instead of connecting to IAM for the access checks, when set.
    pub iam: Option<SdkIam>,
    /// Used instead of connecting to KMS for the access checks, when set.
    pub kms: Option<SdkKms>,
    /// Used for the access checks' bucket calls (GetBucketLocation, GetBucketPolicy,
    /// GetBucketEncryption, HeadObject) instead of the command line's S3 client, when set.
    pub bucket_access: Option<Arc<S3Store>>,
    /// Where the report goes instead of the standard output, when set (the rendered sections
    /// of every command, and `doctor`'s report): an in-process run (a test) reads what a user
    /// would see.
    pub stdout: Option<Arc<std::sync::Mutex<Vec<u8>>>>,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clients")
            .field("personalize", &self.personalize)
            .finish_non_exhaustive()
    }
}

impl Default for Clients {
    fn default() -> Self {
        Clients {
            personalize: None,
            clock: Arc::new(TokioClock::new()),
            iam: None,
            kms: None,
            bucket_access: None,
            stdout: None,
        }
    }
}

/// A Personalize client from the standard AWS configuration and the command line's options;
/// each retried request is announced on stderr.
pub async fn connect_personalize(aws: &AwsArgs) -> Result<SdkPersonalize, String> {
    SdkPersonalize::connect(&PersonalizeOptions {
        profile: aws.profile.clone(),
        region: aws.region.clone(),
        read_timeout: Some(aws.request_timeout),
        deadline: Some(aws.request_deadline),
        observer: Some(Arc::new(crate::progress::Reporter::new(false))),
    })
    .await
}

/// The schema of a dataset: DescribeDataset, then DescribeSchema (see [`schema_of`]).
pub async fn dataset_schema<P: Personalize>(
    p: &P,
    arn: &str,
    args: &SchemaArgs,
) -> anyhow::Result<(SchemaSource, Dataset)> {
    let dataset = p
        .describe_dataset(arn)
        .await
        .with_context(|| format!("failed to read the schema of dataset `{arn}`"))?;
    let schema = schema_of(p, &dataset, args).await?;
    Ok((schema, dataset))
}

/// The schema of a described dataset (DescribeSchema). The dataset's type is passed to the
/// schema loader, which reports a schema for another type; `--dataset-type`, if also given,
/// must agree with the dataset.
pub async fn schema_of<P: Personalize>(
    p: &P,
    dataset: &Dataset,
    args: &SchemaArgs,
) -> anyhow::Result<SchemaSource> {
    let arn = &dataset.arn;
    let ty: DatasetType = dataset
        .dataset_type
        .parse()
        .map_err(|e: String| anyhow::anyhow!("dataset `{arn}`: {e}"))?;
    if let Some(given) = args.dataset_type {
        if given != ty {
            bail!(
                "--dataset-type says {given} but dataset `{arn}` is an {ty} dataset: drop --dataset-type, or use the ARN of the {given} dataset"
            );
        }
    }
    let schema = p
        .describe_schema(&dataset.schema_arn)
        .await
        .with_context(|| format!("failed to read the schema of dataset `{arn}`"))?;
    Ok(SchemaSource::Text {
        text: schema.describe_schema_json(),
        source: schema.arn.clone(),
        dataset_type: Some(ty),
        domain: args.domain,
        accepted: true,
    })
}
