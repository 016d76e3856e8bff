//! The IAM and KMS adapters of the access checks: [`Iam`] implemented with `aws-sdk-iam`, [`Kms`]
//! with `aws-sdk-kms`. With [`crate::s3_access`] (the S3 calls, on [`crate::S3Store`]), the
//! only modules naming those SDKs' types. Configuration comes from the standard AWS chain, as
//! for Personalize.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::access::{AccessError, Iam, KeyInfo, Kms, Role};
use crate::personalize_sdk::{attempt_watch, load, timeouts, PersonalizeOptions};

/// How to reach IAM and KMS: the same settings as for Personalize (KMS is called in the
/// dataset's region, where the bucket and its keys must be; IAM is global).
pub type AccessOptions = PersonalizeOptions;

/// Maps a failed call of any SDK to an [`AccessError`] by the service's error code.
pub(crate) fn access_error<E>(
    operation: &'static str,
    resource: &str,
    err: SdkError<E, HttpResponse>,
) -> AccessError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let resource = resource.to_string();
    match &err {
        SdkError::ServiceError(se) => {
            let status = se.raw().status().as_u16();
            let code = se.err().code().unwrap_or_default().to_string();
            let message = se.err().message().unwrap_or_default().to_string();
            match code.as_str() {
                // S3 answers MethodNotAllowed to GetBucketPolicy from another account than the
                // bucket owner's: for the checks, the policy cannot be read.
                "AccessDenied"
                | "AccessDeniedException"
                | "AllAccessDisabled"
                | "MethodNotAllowed"
                | "Forbidden" => AccessError::Denied {
                    operation,
                    resource,
                    message: if message.is_empty() { code } else { message },
                },
                "NoSuchBucket" | "NoSuchEntity" | "NotFoundException" | "NoSuchKey"
                | "NotFound" => AccessError::NotFound {
                    operation,
                    resource,
                    message: if message.is_empty() { code } else { message },
                },
                // HEAD answers have no body, hence no code.
                "" if status == 403 => AccessError::Denied {
                    operation,
                    resource,
                    message: "HTTP 403".into(),
                },
                "" if status == 404 => AccessError::NotFound {
                    operation,
                    resource,
                    message: "HTTP 404".into(),
                },
                "" => AccessError::Service {
                    operation,
                    resource,
                    code: format!("HTTP {status}"),
                    message,
                },
                _ => AccessError::Service {
                    operation,
                    resource,
                    code,
                    message,
                },
            }
        }
        _ => AccessError::Transport {
            operation,
            resource,
            message: crate::store::error_chain(&err),
        },
    }
}

/// IAM through `aws-sdk-iam`.
#[derive(Debug, Clone)]
pub struct SdkIam {
    client: aws_sdk_iam::Client,
}

impl SdkIam {
    /// Loads the AWS configuration and makes a client.
    pub async fn connect(opts: &AccessOptions) -> Result<SdkIam, String> {
        let sdk = load(opts).await?;
        let mut conf =
            aws_sdk_iam::config::Builder::from(&sdk).timeout_config(timeouts(&sdk, opts));
        if let Some(watch) = attempt_watch(opts) {
            conf = conf.interceptor(watch);
        }
        Ok(SdkIam::from_client(aws_sdk_iam::Client::from_conf(
            conf.build(),
        )))
    }

    /// Wraps an existing client (tests build theirs with `aws-smithy-mocks`).
    pub fn from_client(client: aws_sdk_iam::Client) -> SdkIam {
        SdkIam { client }
    }
}

impl Iam for SdkIam {
    async fn get_role(&self, role_name: &str) -> Result<Role, AccessError> {
        const OP: &str = "GetRole";
        let out = self
            .client
            .get_role()
            .role_name(role_name)
            .send()
            .await
            .map_err(|e| access_error(OP, role_name, e))?;
        let role = out.role().ok_or_else(|| AccessError::Service {
            operation: OP,
            resource: role_name.to_string(),
            code: "IncompleteAnswer".into(),
            message: "the answer has no `Role`".into(),
        })?;
        Ok(Role {
            arn: role.arn().to_string(),
            // IAM sends the document URL-encoded; the policy reader decodes it.
            trust_policy: role
                .assume_role_policy_document()
                .unwrap_or_default()
                .to_string(),
            permissions_boundary: role
                .permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn())
                .map(String::from),
        })
    }

    async fn list_role_policies(&self, role_name: &str) -> Result<Vec<String>, AccessError> {
        self.client
            .list_role_policies()
            .role_name(role_name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| access_error("ListRolePolicies", role_name, e))
    }

    async fn get_role_policy(
        &self,
        role_name: &str,
        policy_name: &str,
    ) -> Result<String, AccessError> {
        let out = self
            .client
            .get_role_policy()
            .role_name(role_name)
            .policy_name(policy_name)
            .send()
            .await
            .map_err(|e| access_error("GetRolePolicy", policy_name, e))?;
        Ok(out.policy_document().to_string())
    }

    async fn list_attached_role_policies(
        &self,
        role_name: &str,
    ) -> Result<Vec<String>, AccessError> {
        let attached: Vec<_> = self
            .client
            .list_attached_role_policies()
            .role_name(role_name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| access_error("ListAttachedRolePolicies", role_name, e))?;
        Ok(attached
            .iter()
            .filter_map(|p| p.policy_arn().map(String::from))
            .collect())
    }

    async fn get_policy(&self, policy_arn: &str) -> Result<String, AccessError> {
        const OP: &str = "GetPolicy";
        let out = self
            .client
            .get_policy()
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(|e| access_error(OP, policy_arn, e))?;
        out.policy()
            .and_then(|p| p.default_version_id())
            .map(String::from)
            .ok_or_else(|| AccessError::Service {
                operation: OP,
                resource: policy_arn.to_string(),
                code: "IncompleteAnswer".into(),
                message: "the answer has no `DefaultVersionId`".into(),
            })
    }

    async fn get_policy_version(
        &self,
        policy_arn: &str,
        version_id: &str,
    ) -> Result<String, AccessError> {
        const OP: &str = "GetPolicyVersion";
        let out = self
            .client
            .get_policy_version()
            .policy_arn(policy_arn)
            .version_id(version_id)
            .send()
            .await
            .map_err(|e| access_error(OP, policy_arn, e))?;
        out.policy_version()
            .and_then(|v| v.document())
            .map(String::from)
            .ok_or_else(|| AccessError::Service {
                operation: OP,
                resource: policy_arn.to_string(),
                code: "IncompleteAnswer".into(),
                message: "the answer has no `Document`".into(),
            })
    }
}

/// KMS through `aws-sdk-kms`.
#[derive(Debug, Clone)]
pub struct SdkKms {
    client: aws_sdk_kms::Client,
}

impl SdkKms {
    /// Loads the AWS configuration and makes a client.
    pub async fn connect(opts: &AccessOptions) -> Result<SdkKms, String> {
        let sdk = load(opts).await?;
        let mut conf =
            aws_sdk_kms::config::Builder::from(&sdk).timeout_config(timeouts(&sdk, opts));
        if let Some(watch) = attempt_watch(opts) {
            conf = conf.interceptor(watch);
        }
        Ok(SdkKms::from_client(aws_sdk_kms::Client::from_conf(
            conf.build(),
        )))
    }

    /// Wraps an existing client (tests build theirs with `aws-smithy-mocks`).
    pub fn from_client(client: aws_sdk_kms::Client) -> SdkKms {
        SdkKms { client }
    }
}

impl Kms for SdkKms {
    async fn describe_key(&self, key_id: &str) -> Result<KeyInfo, AccessError> {
        const OP: &str = "DescribeKey";
        let out = self
            .client
            .describe_key()
            .key_id(key_id)
            .send()
            .await
            .map_err(|e| access_error(OP, key_id, e))?;
        let meta = out.key_metadata().ok_or_else(|| AccessError::Service {
            operation: OP,
            resource: key_id.to_string(),
            code: "IncompleteAnswer".into(),
            message: "the answer has no `KeyMetadata`".into(),
        })?;
        Ok(KeyInfo {
            arn: meta.arn().unwrap_or(key_id).to_string(),
            aws_managed: meta.key_manager().map(|m| m.as_str()) == Some("AWS"),
        })
    }

    async fn get_key_policy(&self, key_arn: &str) -> Result<String, AccessError> {
        const OP: &str = "GetKeyPolicy";
        let out = self
            .client
            .get_key_policy()
            .key_id(key_arn)
            .policy_name("default")
            .send()
            .await
            .map_err(|e| access_error(OP, key_arn, e))?;
        out.policy()
            .map(String::from)
            .ok_or_else(|| AccessError::Service {
                operation: OP,
                resource: key_arn.to_string(),
                code: "IncompleteAnswer".into(),
                message: "the answer has no `Policy`".into(),
            })
    }
}
