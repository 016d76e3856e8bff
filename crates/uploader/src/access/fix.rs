//! The policy statements the access findings propose, with the user's partition, account,
//! region, bucket, prefix, role and key filled in. Each is the statement the AWS documentation
//! gives for the case, narrowed to the data location.

use serde::Serialize;
use serde_json::{json, Value};

use super::Parties;

/// Which policy a fix goes into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "policy", rename_all = "kebab-case")]
pub enum FixTarget {
    /// The bucket policy of this bucket.
    BucketPolicy {
        /// The data location's bucket, whose policy gets the statement.
        bucket: String,
    },
    /// The trust policy ("trust relationship") of this role.
    TrustPolicy {
        /// The role's ARN.
        role_arn: String,
    },
    /// A permission policy of this role (a new inline policy, or one attached to it).
    RolePolicy {
        /// The role's ARN.
        role_arn: String,
    },
    /// The key policy of this KMS key.
    KeyPolicy {
        /// The key's ARN.
        key_arn: String,
    },
}

/// A policy statement to add (or, when the policy does not exist, the whole document).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyFix {
    /// Where it goes.
    pub target: FixTarget,
    /// Whether [`PolicyFix::document`] is a whole policy document (the policy does not exist
    /// yet) rather than one statement to add to the existing `Statement` list.
    pub whole_document: bool,
    /// The statement or document.
    pub document: Value,
}

impl PolicyFix {
    /// The JSON, indented as the AWS console shows policies.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(&self.document).unwrap_or_default()
    }

    /// One sentence saying where the JSON goes, with the AWS CLI command that puts it there
    /// when the fix is a whole document.
    pub fn instruction(&self) -> String {
        match (&self.target, self.whole_document) {
            (FixTarget::BucketPolicy { bucket }, true) => format!(
                "give the bucket `{bucket}` this bucket policy (S3 console: Permissions, Bucket policy; or `aws s3api put-bucket-policy --bucket {bucket} --policy file://policy.json`)"
            ),
            (FixTarget::BucketPolicy { bucket }, false) => format!(
                "add this statement to the `Statement` list of the bucket policy of `{bucket}` (S3 console: Permissions, Bucket policy)"
            ),
            (FixTarget::TrustPolicy { role_arn }, _) => format!(
                "add this statement to the trust policy of `{role_arn}` (IAM console: the role, Trust relationships; or `aws iam update-assume-role-policy --role-name {} --policy-document file://trust.json` with the whole document)",
                role_name(role_arn)
            ),
            (FixTarget::RolePolicy { role_arn }, _) => format!(
                "attach this policy to the role `{role_arn}` (IAM console: the role, Add permissions, Create inline policy; or `aws iam put-role-policy --role-name {} --policy-name PersonalizeS3Access --policy-document file://policy.json`)",
                role_name(role_arn)
            ),
            (FixTarget::KeyPolicy { key_arn }, _) => format!(
                "add this statement to the `Statement` list of the key policy of `{key_arn}` (KMS console: the key, Key policy)"
            ),
        }
    }
}

/// The role's name: the last segment of its ARN (`role/path/Name` → `Name`).
pub fn role_name(role_arn: &str) -> &str {
    role_arn.rsplit('/').next().unwrap_or(role_arn)
}

fn s3_resources(p: &Parties) -> Value {
    json!([p.bucket_arn(), p.object_arn(&p.grant_pattern())])
}

/// The Personalize bucket-policy statement: the service may list the bucket and read the data.
pub(crate) fn bucket_policy(p: &Parties, whole_document: bool) -> PolicyFix {
    let statement = json!({
        "Sid": "PersonalizeS3BucketAccessPolicy",
        "Effect": "Allow",
        "Principal": {"Service": "personalize.amazonaws.com"},
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": s3_resources(p),
    });
    PolicyFix {
        target: FixTarget::BucketPolicy {
            bucket: p.bucket.clone(),
        },
        whole_document,
        document: if whole_document {
            json!({
                "Version": "2012-10-17",
                "Id": "PersonalizeS3BucketAccessPolicy",
                "Statement": [statement],
            })
        } else {
            statement
        },
    }
}

/// The trust statement of the confused-deputy page: Personalize of this account and region may
/// assume the role.
pub(crate) fn trust_policy(p: &Parties) -> PolicyFix {
    PolicyFix {
        target: FixTarget::TrustPolicy {
            role_arn: p.role_arn.clone(),
        },
        whole_document: false,
        document: json!({
            "Effect": "Allow",
            "Principal": {"Service": "personalize.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": p.account},
                "StringLike": {"aws:SourceArn": format!("arn:{}:personalize:{}:{}:*", p.partition, p.region, p.account)},
            },
        }),
    }
}

/// The role policy of the S3 access page, narrowed to the location (and, with a key, the KMS
/// actions the KMS page lists for the role).
pub(crate) fn role_policy(p: &Parties, key_arn: Option<&str>) -> PolicyFix {
    let mut statements = vec![json!({
        "Sid": "PersonalizeS3BucketAccessPolicy",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": s3_resources(p),
    })];
    if let Some(key) = key_arn {
        statements = vec![json!({
            "Sid": "PersonalizeKmsKeyAccess",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:ListGrants"],
            "Resource": key,
        })];
    }
    PolicyFix {
        target: FixTarget::RolePolicy {
            role_arn: p.role_arn.clone(),
        },
        whole_document: true,
        document: json!({"Version": "2012-10-17", "Statement": statements}),
    }
}

/// The key-policy statement of the KMS page: the role and Personalize may use the key.
pub(crate) fn key_policy(p: &Parties, key_arn: &str) -> PolicyFix {
    PolicyFix {
        target: FixTarget::KeyPolicy {
            key_arn: key_arn.to_string(),
        },
        whole_document: false,
        document: json!({
            "Sid": "Allow Amazon Personalize and its role to use the key",
            "Effect": "Allow",
            "Principal": {
                "AWS": p.role_arn,
                "Service": "personalize.amazonaws.com",
            },
            "Action": [
                "kms:Decrypt",
                "kms:GenerateDataKey",
                "kms:DescribeKey",
                "kms:CreateGrant",
                "kms:ListGrants",
            ],
            "Resource": "*",
        }),
    }
}
