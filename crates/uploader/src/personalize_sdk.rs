//! The Personalize adapter: [`Personalize`] implemented with `aws-sdk-personalize`. The only
//! module that names its SDK types; configuration comes from the standard AWS chain
//! (environment, profiles, SSO, instance roles), including `AWS_ENDPOINT_URL_PERSONALIZE`.

use std::time::SystemTime;

use aws_sdk_personalize::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_personalize::types::{DataSource, ImportMode as SdkMode};

use crate::personalize::{
    CreateImportJob, Dataset, DatasetSchema, ImportJob, ImportJobPage, ImportJobSummary,
    ImportMode, Personalize, PersonalizeError,
};

/// How to reach Personalize: everything has a default from the standard AWS configuration.
#[derive(Debug, Clone, Default)]
pub struct PersonalizeOptions {
    /// A named profile (else `AWS_PROFILE` or `default`).
    pub profile: Option<String>,
    /// The region (else from the environment or profile).
    pub region: Option<String>,
    /// How long to wait for an answer before the request fails (the SDK sets no read timeout,
    /// so an endpoint that stops answering would hang `watch` forever).
    pub read_timeout: Option<std::time::Duration>,
    /// The longest one request may take, all its attempts included (none when `None`).
    pub deadline: Option<std::time::Duration>,
    /// Told each time a request is retried.
    pub observer: Option<std::sync::Arc<dyn crate::requests::RequestObserver>>,
}

/// Loads the AWS configuration for a client (Personalize, IAM, KMS): profile and region from
/// `opts`, else the standard chain; no region at all is an error.
pub(crate) async fn load(opts: &PersonalizeOptions) -> Result<aws_config::SdkConfig, String> {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &opts.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    let sdk = loader.load().await;
    if sdk.region().is_none() {
        return Err(
            "no AWS region: set AWS_REGION, a region in your profile, or --region (the region of the dataset)"
                .into(),
        );
    }
    Ok(sdk)
}

/// The configured timeouts (the connect timeout kept) with `opts`' read timeout and deadline.
pub(crate) fn timeouts(
    sdk: &aws_config::SdkConfig,
    opts: &PersonalizeOptions,
) -> aws_smithy_types::timeout::TimeoutConfig {
    let mut t = sdk
        .timeout_config()
        .map(|t| t.to_builder())
        .unwrap_or_default();
    if let Some(read) = opts.read_timeout {
        t = t.read_timeout(read);
    }
    if let Some(deadline) = opts.deadline {
        t = t.operation_timeout(deadline);
    }
    t.build()
}

/// The interceptor that tells `opts`' observer of each retried attempt, if it has one.
pub(crate) fn attempt_watch(opts: &PersonalizeOptions) -> Option<crate::requests::AttemptWatch> {
    opts.observer.as_ref().map(|observer| {
        crate::requests::AttemptWatch::new(
            observer.clone(),
            opts.read_timeout.unwrap_or_default(),
            None,
        )
    })
}

/// Personalize through `aws-sdk-personalize`.
#[derive(Debug, Clone)]
pub struct SdkPersonalize {
    client: aws_sdk_personalize::Client,
}

impl SdkPersonalize {
    /// Loads the AWS configuration and makes a client.
    pub async fn connect(opts: &PersonalizeOptions) -> Result<SdkPersonalize, String> {
        let sdk = load(opts).await?;
        let mut conf =
            aws_sdk_personalize::config::Builder::from(&sdk).timeout_config(timeouts(&sdk, opts));
        if let Some(watch) = attempt_watch(opts) {
            conf = conf.interceptor(watch);
        }
        Ok(SdkPersonalize::from_client(
            aws_sdk_personalize::Client::from_conf(conf.build()),
        ))
    }

    /// Wraps an existing client (tests build theirs with `aws-smithy-mocks`).
    pub fn from_client(client: aws_sdk_personalize::Client) -> SdkPersonalize {
        SdkPersonalize { client }
    }
}

fn to_time(t: Option<&aws_sdk_personalize::primitives::DateTime>) -> Option<SystemTime> {
    t.and_then(|t| SystemTime::try_from(*t).ok())
}

fn mode(m: Option<&SdkMode>) -> Option<ImportMode> {
    m.and_then(|m| m.as_str().parse::<ImportMode>().ok())
}

fn map_err<E, R>(operation: &'static str, resource: &str, err: SdkError<E, R>) -> PersonalizeError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match &err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let code = e.code().unwrap_or("Unknown").to_string();
            let message = e.message().unwrap_or_default().to_string();
            let resource = resource.to_string();
            match code.as_str() {
                "ResourceNotFoundException" => PersonalizeError::NotFound {
                    operation,
                    resource,
                    message,
                },
                "ResourceAlreadyExistsException" => PersonalizeError::AlreadyExists {
                    operation,
                    resource,
                    message,
                },
                "LimitExceededException" => PersonalizeError::LimitExceeded { operation, message },
                "InvalidInputException" | "InvalidNextTokenException" => {
                    PersonalizeError::InvalidInput { operation, message }
                }
                "ResourceInUseException" => PersonalizeError::InUse {
                    operation,
                    resource,
                    message,
                },
                _ => PersonalizeError::Service {
                    operation,
                    code,
                    message,
                },
            }
        }
        _ => {
            let message = crate::store::error_chain(&err);
            PersonalizeError::Transport { operation, message }
        }
    }
}

impl Personalize for SdkPersonalize {
    async fn describe_dataset(&self, dataset_arn: &str) -> Result<Dataset, PersonalizeError> {
        const OP: &str = "DescribeDataset";
        let out = self
            .client
            .describe_dataset()
            .dataset_arn(dataset_arn)
            .send()
            .await
            .map_err(|e| map_err(OP, dataset_arn, e))?;
        let d = out.dataset().ok_or(PersonalizeError::Incomplete {
            operation: OP,
            field: "dataset",
        })?;
        Ok(Dataset {
            arn: d.dataset_arn().unwrap_or(dataset_arn).to_string(),
            name: d.name().unwrap_or_default().to_string(),
            dataset_type: d
                .dataset_type()
                .ok_or(PersonalizeError::Incomplete {
                    operation: OP,
                    field: "dataset.datasetType",
                })?
                .to_string(),
            schema_arn: d
                .schema_arn()
                .ok_or(PersonalizeError::Incomplete {
                    operation: OP,
                    field: "dataset.schemaArn",
                })?
                .to_string(),
            status: d.status().unwrap_or_default().to_string(),
            dataset_group_arn: d.dataset_group_arn().map(String::from),
        })
    }

    async fn describe_schema(&self, schema_arn: &str) -> Result<DatasetSchema, PersonalizeError> {
        const OP: &str = "DescribeSchema";
        let out = self
            .client
            .describe_schema()
            .schema_arn(schema_arn)
            .send()
            .await
            .map_err(|e| map_err(OP, schema_arn, e))?;
        let s = out.schema().ok_or(PersonalizeError::Incomplete {
            operation: OP,
            field: "schema",
        })?;
        Ok(DatasetSchema {
            arn: s.schema_arn().unwrap_or(schema_arn).to_string(),
            name: s.name().unwrap_or_default().to_string(),
            avro: s
                .schema()
                .ok_or(PersonalizeError::Incomplete {
                    operation: OP,
                    field: "schema.schema",
                })?
                .to_string(),
            domain: s.domain().map(|d| d.as_str().to_string()),
        })
    }

    async fn list_dataset_import_jobs(
        &self,
        dataset_arn: Option<&str>,
        next_token: Option<&str>,
    ) -> Result<ImportJobPage, PersonalizeError> {
        const OP: &str = "ListDatasetImportJobs";
        let out = self
            .client
            .list_dataset_import_jobs()
            .set_dataset_arn(dataset_arn.map(String::from))
            .set_next_token(next_token.map(String::from))
            .max_results(100)
            .send()
            .await
            .map_err(|e| map_err(OP, dataset_arn.unwrap_or("the region"), e))?;
        Ok(ImportJobPage {
            jobs: out
                .dataset_import_jobs()
                .iter()
                .map(|j| ImportJobSummary {
                    arn: j.dataset_import_job_arn().unwrap_or_default().to_string(),
                    name: j.job_name().unwrap_or_default().to_string(),
                    status: j.status().unwrap_or_default().to_string(),
                    import_mode: mode(j.import_mode()),
                    created: to_time(j.creation_date_time()),
                    failure_reason: j.failure_reason().map(String::from),
                })
                .collect(),
            next_token: out.next_token().map(String::from),
        })
    }

    async fn create_dataset_import_job(
        &self,
        r: &CreateImportJob,
    ) -> Result<String, PersonalizeError> {
        const OP: &str = "CreateDatasetImportJob";
        let out = self
            .client
            .create_dataset_import_job()
            .job_name(&r.job_name)
            .dataset_arn(&r.dataset_arn)
            .data_source(
                DataSource::builder()
                    .data_location(&r.data_source.data_location)
                    .build(),
            )
            .role_arn(&r.role_arn)
            .import_mode(SdkMode::from(r.import_mode.api_name()))
            .send()
            .await
            .map_err(|e| map_err(OP, &r.job_name, e))?;
        out.dataset_import_job_arn()
            .map(String::from)
            .ok_or(PersonalizeError::Incomplete {
                operation: OP,
                field: "datasetImportJobArn",
            })
    }

    async fn describe_dataset_import_job(
        &self,
        job_arn: &str,
    ) -> Result<ImportJob, PersonalizeError> {
        const OP: &str = "DescribeDatasetImportJob";
        let out = self
            .client
            .describe_dataset_import_job()
            .dataset_import_job_arn(job_arn)
            .send()
            .await
            .map_err(|e| map_err(OP, job_arn, e))?;
        let j = out
            .dataset_import_job()
            .ok_or(PersonalizeError::Incomplete {
                operation: OP,
                field: "datasetImportJob",
            })?;
        Ok(ImportJob {
            arn: j.dataset_import_job_arn().unwrap_or(job_arn).to_string(),
            name: j.job_name().unwrap_or_default().to_string(),
            dataset_arn: j.dataset_arn().unwrap_or_default().to_string(),
            data_location: j
                .data_source()
                .and_then(|d| d.data_location())
                .map(String::from),
            status: j
                .status()
                .ok_or(PersonalizeError::Incomplete {
                    operation: OP,
                    field: "datasetImportJob.status",
                })?
                .to_string(),
            import_mode: mode(j.import_mode()),
            failure_reason: j.failure_reason().map(String::from),
            created: to_time(j.creation_date_time()),
            updated: to_time(j.last_updated_date_time()),
        })
    }
}

/// The model and training operations ([`crate::solutions`]) on the same client.
mod solutions {
    use aws_sdk_personalize::types::TrainingMode as SdkTrainingMode;

    use super::{map_err, to_time, SdkPersonalize};
    use crate::personalize::PersonalizeError;
    use crate::solutions::{
        CreateSolutionVersion, LatestVersion, RecommenderPage, RecommenderSummary, Solution,
        SolutionPage, SolutionSummary, SolutionVersion, Solutions,
    };

    impl Solutions for SdkPersonalize {
        async fn list_solutions(
            &self,
            dataset_group_arn: &str,
            next_token: Option<&str>,
        ) -> Result<SolutionPage, PersonalizeError> {
            let out = self
                .client
                .list_solutions()
                .dataset_group_arn(dataset_group_arn)
                .set_next_token(next_token.map(String::from))
                .max_results(100)
                .send()
                .await
                .map_err(|e| map_err("ListSolutions", dataset_group_arn, e))?;
            Ok(SolutionPage {
                solutions: out
                    .solutions()
                    .iter()
                    .map(|s| SolutionSummary {
                        arn: s.solution_arn().unwrap_or_default().to_string(),
                        name: s.name().unwrap_or_default().to_string(),
                        status: s.status().unwrap_or_default().to_string(),
                        recipe_arn: s.recipe_arn().map(String::from),
                    })
                    .collect(),
                next_token: out.next_token().map(String::from),
            })
        }

        async fn describe_solution(
            &self,
            solution_arn: &str,
        ) -> Result<Solution, PersonalizeError> {
            const OP: &str = "DescribeSolution";
            let out = self
                .client
                .describe_solution()
                .solution_arn(solution_arn)
                .send()
                .await
                .map_err(|e| map_err(OP, solution_arn, e))?;
            let s = out.solution().ok_or(PersonalizeError::Incomplete {
                operation: OP,
                field: "solution",
            })?;
            let config = s.solution_config();
            Ok(Solution {
                arn: s.solution_arn().unwrap_or(solution_arn).to_string(),
                name: s.name().unwrap_or_default().to_string(),
                status: s.status().unwrap_or_default().to_string(),
                recipe_arn: s
                    .recipe_arn()
                    .or_else(|| s.auto_ml_result().and_then(|r| r.best_recipe_arn()))
                    .map(String::from),
                auto_training: s.perform_auto_training(),
                auto_training_schedule: config
                    .and_then(|c| c.auto_training_config())
                    .and_then(|a| a.scheduling_expression())
                    .map(String::from),
                incremental_update: s.perform_incremental_update(),
                trend_discovery_frequency: config
                    .and_then(|c| c.feature_transformation_parameters())
                    .and_then(|p| p.get("trend_discovery_frequency"))
                    .cloned(),
                latest_version: s.latest_solution_version().map(|v| LatestVersion {
                    arn: v.solution_version_arn().unwrap_or_default().to_string(),
                    status: v.status().unwrap_or_default().to_string(),
                    training_mode: v.training_mode().map(|m| m.as_str().to_string()),
                }),
            })
        }

        async fn list_recommenders(
            &self,
            dataset_group_arn: &str,
            next_token: Option<&str>,
        ) -> Result<RecommenderPage, PersonalizeError> {
            let out = self
                .client
                .list_recommenders()
                .dataset_group_arn(dataset_group_arn)
                .set_next_token(next_token.map(String::from))
                .max_results(100)
                .send()
                .await
                .map_err(|e| map_err("ListRecommenders", dataset_group_arn, e))?;
            Ok(RecommenderPage {
                recommenders: out
                    .recommenders()
                    .iter()
                    .map(|r| RecommenderSummary {
                        arn: r.recommender_arn().unwrap_or_default().to_string(),
                        name: r.name().unwrap_or_default().to_string(),
                        status: r.status().unwrap_or_default().to_string(),
                        recipe_arn: r.recipe_arn().map(String::from),
                    })
                    .collect(),
                next_token: out.next_token().map(String::from),
            })
        }

        async fn create_solution_version(
            &self,
            r: &CreateSolutionVersion,
        ) -> Result<String, PersonalizeError> {
            const OP: &str = "CreateSolutionVersion";
            let out = self
                .client
                .create_solution_version()
                .solution_arn(&r.solution_arn)
                .training_mode(SdkTrainingMode::from(r.training_mode.as_str()))
                .set_name(r.name.clone())
                .send()
                .await
                .map_err(|e| map_err(OP, &r.solution_arn, e))?;
            out.solution_version_arn()
                .map(String::from)
                .ok_or(PersonalizeError::Incomplete {
                    operation: OP,
                    field: "solutionVersionArn",
                })
        }

        async fn describe_solution_version(
            &self,
            arn: &str,
        ) -> Result<SolutionVersion, PersonalizeError> {
            const OP: &str = "DescribeSolutionVersion";
            let out = self
                .client
                .describe_solution_version()
                .solution_version_arn(arn)
                .send()
                .await
                .map_err(|e| map_err(OP, arn, e))?;
            let v = out.solution_version().ok_or(PersonalizeError::Incomplete {
                operation: OP,
                field: "solutionVersion",
            })?;
            Ok(SolutionVersion {
                arn: v.solution_version_arn().unwrap_or(arn).to_string(),
                solution_arn: v.solution_arn().unwrap_or_default().to_string(),
                status: v
                    .status()
                    .ok_or(PersonalizeError::Incomplete {
                        operation: OP,
                        field: "solutionVersion.status",
                    })?
                    .to_string(),
                training_mode: v.training_mode().map(|m| m.as_str().to_string()),
                failure_reason: v.failure_reason().map(String::from),
                training_hours: v.training_hours(),
                created: to_time(v.creation_date_time()),
                updated: to_time(v.last_updated_date_time()),
            })
        }
    }
}
