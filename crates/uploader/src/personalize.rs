//! The Amazon Personalize operations the import needs, in domain types.
//!
//! Like [`crate::ObjectStore`] for S3, [`Personalize`] is the narrow seam between the import
//! logic ([`crate::import`]) and the service: [`crate::SdkPersonalize`] implements it with
//! `aws-sdk-personalize`, and no SDK type appears outside that adapter. The facts encoded here
//! (status strings with a space, the job-name pattern, the request's field names) are from the
//! botocore service model (docs/personalize.md#api-facts).

use std::future::Future;
use std::time::SystemTime;

use serde::Serialize;

/// `CREATE PENDING`: the job is queued (counts toward the limit of 5 per region).
pub const STATUS_CREATE_PENDING: &str = "CREATE PENDING";
/// `CREATE IN_PROGRESS`: the job is reading the data (counts toward the limit of 5).
pub const STATUS_CREATE_IN_PROGRESS: &str = "CREATE IN_PROGRESS";
/// `ACTIVE`: the job (or dataset) is done.
pub const STATUS_ACTIVE: &str = "ACTIVE";
/// `CREATE FAILED`: the job failed; `failureReason` says why.
pub const STATUS_CREATE_FAILED: &str = "CREATE FAILED";

/// The number of import jobs a region runs or queues at once (not adjustable; `limits.html`).
pub const MAX_PENDING_JOBS: usize = 5;

/// An import job's mode (`importMode`): the validator's type, the one the plan is made for.
pub use preflight_validator::ImportMode;

/// What DescribeDataset says about a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    /// Its ARN.
    pub arn: String,
    /// The name it was created with, shown to the user beside its ARN.
    pub name: String,
    /// `Interactions`, `Items`, `Users`, `Actions` or `Action_Interactions`.
    pub dataset_type: String,
    /// The schema's ARN.
    pub schema_arn: String,
    /// `ACTIVE`, `CREATE PENDING`…
    pub status: String,
    /// The dataset group it belongs to (where its solutions and recommenders are).
    pub dataset_group_arn: Option<String>,
}

/// What DescribeSchema says about a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetSchema {
    /// Its ARN.
    pub arn: String,
    /// The name it was created with, shown to the user beside its ARN.
    pub name: String,
    /// The Avro schema as a JSON string.
    pub avro: String,
    /// `ECOMMERCE` or `VIDEO_ON_DEMAND` for a domain schema.
    pub domain: Option<String>,
}

impl DatasetSchema {
    /// The DescribeSchema response body, as `preflight validate --schema` reads it.
    pub fn describe_schema_json(&self) -> String {
        let mut schema = serde_json::json!({
            "name": self.name,
            "schemaArn": self.arn,
            "schema": self.avro,
        });
        if let Some(d) = &self.domain {
            schema["domain"] = serde_json::Value::String(d.clone());
        }
        serde_json::json!({ "schema": schema }).to_string()
    }
}

/// One entry of ListDatasetImportJobs (it has no data location; see [`ImportJob`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportJobSummary {
    /// Its ARN.
    pub arn: String,
    /// The name it was created with, shown to the user beside its ARN.
    pub name: String,
    /// Its status as Personalize spells it (`CREATE PENDING`, `ACTIVE`, `CREATE FAILED`…).
    pub status: String,
    /// Its mode, when the service says.
    pub import_mode: Option<ImportMode>,
    /// When it was created.
    pub created: Option<SystemTime>,
    /// Why it failed.
    pub failure_reason: Option<String>,
}

/// One page of ListDatasetImportJobs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportJobPage {
    /// The jobs on this page.
    pub jobs: Vec<ImportJobSummary>,
    /// The token of the next page, if any.
    pub next_token: Option<String>,
}

/// What DescribeDatasetImportJob says about a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportJob {
    /// Its ARN.
    pub arn: String,
    /// The name it was created with, shown to the user beside its ARN.
    pub name: String,
    /// The ARN of the dataset the job imports into.
    pub dataset_arn: String,
    /// `dataSource.dataLocation`.
    pub data_location: Option<String>,
    /// Its status as Personalize spells it (`CREATE PENDING`, `ACTIVE`, `CREATE FAILED`…).
    pub status: String,
    /// `FULL` or `INCREMENTAL`, when the service reports it (older jobs may not).
    pub import_mode: Option<ImportMode>,
    /// Why it failed.
    pub failure_reason: Option<String>,
    /// When it was created.
    pub created: Option<SystemTime>,
    /// When its status last changed.
    pub updated: Option<SystemTime>,
}

/// `dataSource` of CreateDatasetImportJob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataSource {
    /// `s3://bucket/folder/` or `s3://bucket/file.csv`.
    pub data_location: String,
}

/// A CreateDatasetImportJob request; serializes with the API's field names, which is what
/// `--dry-run` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateImportJob {
    /// The job's name (see [`crate::import::check_job_name`]).
    pub job_name: String,
    /// The ARN of the dataset the job imports into.
    pub dataset_arn: String,
    /// Where the data is.
    pub data_source: DataSource,
    /// The role Personalize assumes to read the data.
    pub role_arn: String,
    /// FULL or INCREMENTAL.
    pub import_mode: ImportMode,
}

/// A failed Personalize call, by the service's error code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PersonalizeError {
    /// `ResourceNotFoundException`.
    #[error("{operation}: `{resource}` was not found ({message})")]
    NotFound {
        /// The Personalize call that failed, as the API names it (`CreateDatasetImportJob`…).
        operation: &'static str,
        /// The ARN asked for.
        resource: String,
        /// The service's message.
        message: String,
    },
    /// `ResourceAlreadyExistsException` (for CreateDatasetImportJob: the job name is taken).
    #[error("{operation}: `{resource}` already exists ({message})")]
    AlreadyExists {
        /// The Personalize call that failed, as the API names it (`CreateDatasetImportJob`…).
        operation: &'static str,
        /// The name or ARN.
        resource: String,
        /// The service's message.
        message: String,
    },
    /// `LimitExceededException` (for import jobs: more than 5 pending or in progress).
    #[error("{operation}: limit exceeded ({message})")]
    LimitExceeded {
        /// The Personalize call that failed, as the API names it (`CreateDatasetImportJob`…).
        operation: &'static str,
        /// The service's message.
        message: String,
    },
    /// `InvalidInputException` or `InvalidNextTokenException`.
    #[error("{operation}: the service rejected the request as invalid ({message})")]
    InvalidInput {
        /// The Personalize call that failed, as the API names it (`CreateDatasetImportJob`…).
        operation: &'static str,
        /// The service's message.
        message: String,
    },
    /// `ResourceInUseException`.
    #[error("{operation}: `{resource}` is in use ({message})")]
    InUse {
        /// The Personalize call that failed, as the API names it (`CreateDatasetImportJob`…).
        operation: &'static str,
        /// The ARN.
        resource: String,
        /// The service's message.
        message: String,
    },
    /// Any other service error (`AccessDeniedException`, throttling after retries…).
    #[error("{operation} failed: {code}: {message}")]
    Service {
        /// The Personalize call that failed, as the API names it (`CreateDatasetImportJob`…).
        operation: &'static str,
        /// The service's error code (`ResourceNotFoundException`…).
        code: String,
        /// The service's message.
        message: String,
    },
    /// No answer (connection refused, timeout, no credentials).
    #[error("{operation} failed: {message}")]
    Transport {
        /// The Personalize call that failed, as the API names it (`CreateDatasetImportJob`…).
        operation: &'static str,
        /// What happened.
        message: String,
    },
    /// The answer lacked a field the operation always returns.
    #[error("{operation}: the response has no `{field}`")]
    Incomplete {
        /// The Personalize call that failed, as the API names it (`CreateDatasetImportJob`…).
        operation: &'static str,
        /// The missing field.
        field: &'static str,
    },
}

/// The Personalize operations the import needs.
pub trait Personalize: Send + Sync {
    /// DescribeDataset: the dataset's type, status and schema ARN.
    fn describe_dataset(
        &self,
        dataset_arn: &str,
    ) -> impl Future<Output = Result<Dataset, PersonalizeError>> + Send;

    /// DescribeSchema: the Avro text and domain of a schema (the dataset's own, with
    /// `--dataset-arn`).
    fn describe_schema(
        &self,
        schema_arn: &str,
    ) -> impl Future<Output = Result<DatasetSchema, PersonalizeError>> + Send;

    /// One page of ListDatasetImportJobs: of one dataset, or of the whole region (`None`).
    fn list_dataset_import_jobs(
        &self,
        dataset_arn: Option<&str>,
        next_token: Option<&str>,
    ) -> impl Future<Output = Result<ImportJobPage, PersonalizeError>> + Send;

    /// CreateDatasetImportJob; returns the job's ARN.
    fn create_dataset_import_job(
        &self,
        request: &CreateImportJob,
    ) -> impl Future<Output = Result<String, PersonalizeError>> + Send;

    /// DescribeDatasetImportJob: the job's status (`CREATE PENDING`, `CREATE IN_PROGRESS`,
    /// `ACTIVE`, `CREATE FAILED`) and `failureReason`; the watch polls it.
    fn describe_dataset_import_job(
        &self,
        job_arn: &str,
    ) -> impl Future<Output = Result<ImportJob, PersonalizeError>> + Send;
}

/// Every import job (of one dataset, or of the region), following `nextToken` to the end.
pub async fn list_all_import_jobs<P: Personalize>(
    p: &P,
    dataset_arn: Option<&str>,
) -> Result<Vec<ImportJobSummary>, PersonalizeError> {
    let mut jobs = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = p
            .list_dataset_import_jobs(dataset_arn, token.as_deref())
            .await?;
        jobs.extend(page.jobs);
        match page.next_token {
            Some(t) if !t.is_empty() && Some(&t) != token.as_ref() => token = Some(t),
            _ => return Ok(jobs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_serializes_with_the_api_field_names() {
        let r = CreateImportJob {
            job_name: "j".into(),
            dataset_arn: "arn:aws:personalize:us-east-1:1:dataset/g/INTERACTIONS".into(),
            data_source: DataSource {
                data_location: "s3://b/p/".into(),
            },
            role_arn: "arn:aws:iam::123456789012:role/R".into(),
            import_mode: ImportMode::Incremental,
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "jobName": "j",
                "datasetArn": "arn:aws:personalize:us-east-1:1:dataset/g/INTERACTIONS",
                "dataSource": {"dataLocation": "s3://b/p/"},
                "roleArn": "arn:aws:iam::123456789012:role/R",
                "importMode": "INCREMENTAL"
            })
        );
    }

    #[test]
    fn describe_schema_json_keeps_the_domain() {
        let s = DatasetSchema {
            arn: "arn:s".into(),
            name: "n".into(),
            avro: "{\"type\":\"record\"}".into(),
            domain: Some("ECOMMERCE".into()),
        };
        let v: serde_json::Value = serde_json::from_str(&s.describe_schema_json()).unwrap();
        assert_eq!(v["schema"]["domain"], "ECOMMERCE");
        assert_eq!(v["schema"]["schema"], "{\"type\":\"record\"}");
    }
}
