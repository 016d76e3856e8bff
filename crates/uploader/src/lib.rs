//! `preflight-uploader`: stages validated Amazon Personalize import files to S3, or to a local
//! directory, so that an import job can never read a half-written or stale folder.
//!
//! Staging ([`stage()`]) is generic over the few object-store operations it needs
//! ([`ObjectStore`], in domain types): [`S3Store`] implements them with `aws-sdk-s3`,
//! [`LocalStore`] with a directory. No SDK type appears outside the [`s3`] module. The crate
//! knows nothing about CSV rules: it takes files that were already validated.
//!
//! The import job ([`import`]) is generic over the Personalize operations it needs
//! ([`Personalize`]); [`SdkPersonalize`] implements them with `aws-sdk-personalize`, the only
//! module naming its types. Folders validated in place are sealed with [`seal()`].
//!
//! Before a job, [`access`] checks that Personalize will be allowed to read the data (bucket,
//! role, trust and key policies, judged by the [`policy`] reader) over the narrow traits
//! [`BucketAccess`], [`Iam`] and [`Kms`].

#![deny(missing_docs)]

pub mod access;
pub mod access_sdk;
pub mod bridge;
pub mod checksum;
#[cfg(feature = "fault-injection")]
pub mod fault;
pub mod import;
pub mod local;
pub mod location;
pub mod manifest;
pub mod personalize;
pub mod personalize_sdk;
pub mod policy;
pub mod prune;
pub mod recommendations;
pub mod requests;
pub mod s3;
pub mod s3_access;
pub mod seal;
pub mod solutions;
pub mod stage;
pub mod store;
pub mod verify;

pub use access::{
    check_access, planned_calls, AccessError, AccessFinding, AccessReport, AccessRequest,
    AccessRule, BucketAccess, CheckKind, CheckResult, Encryption, FixTarget, Iam, KeyInfo, Kms,
    PlannedCall, PolicyFix, Role, Status,
};
pub use access_sdk::{AccessOptions, SdkIam, SdkKms};
pub use bridge::BlockingObjectReader;
pub use import::{
    check_job_name, classify_failure, job_name, Backoff, Clock, FailureKind, ImportError,
    ManualClock, Queue, TokioClock, WatchOutcome, Watched,
};
pub use local::LocalStore;
pub use location::{check_data_location, S3Url, Target, MAX_DATA_LOCATION};
pub use manifest::{Manifest, ManifestFile, SchemaInfo, Tool, MANIFEST_KEY};
pub use personalize::{
    CreateImportJob, DataSource, Dataset, DatasetSchema, ImportJob, ImportJobPage,
    ImportJobSummary, ImportMode, Personalize, PersonalizeError,
};
pub use personalize_sdk::{PersonalizeOptions, SdkPersonalize};
pub use recommendations::{
    choose_training_mode, effect, effects, Change, Effect, Reach, TrainingChoice,
};
pub use requests::{RequestObserver, RetryCause, RetryNotice};
pub use s3::{S3Options, S3Store, Sse};
pub use seal::{seal, SealFile, SealRequest};
pub use solutions::{
    dataset_group_models, start_training, watch_training, CreateSolutionVersion, Model,
    RecommenderSummary, Solution, SolutionVersion, Solutions, TrainingMode,
};
pub use stage::{
    stage, stage_gated, Action, Gate, Gated, NoProgress, ObjectOutcome, Progress, StageError,
    StageFile, StageOptions, StageOutcome, StageRequest,
};
pub use store::{
    Checksum, ChecksumAlgorithm, ChecksumType, Listing, MultipartUpload, ObjectBody, ObjectInfo,
    ObjectStore, StoreError, StoreResult, UploadedPart,
};
pub use verify::{Expected, Verdict};
