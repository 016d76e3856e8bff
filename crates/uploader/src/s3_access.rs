//! The S3 calls of the access checks ([`BucketAccess`]) on [`S3Store`]'s client: the bucket's
//! region, policy and default encryption, and an object's encryption. With [`crate::s3`], the
//! only code naming `aws-sdk-s3` types.

use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::types::ServerSideEncryption;

use crate::access::{AccessError, BucketAccess, Encryption};
use crate::access_sdk::access_error;
use crate::s3::S3Store;

/// The encryption named by an `x-amz-server-side-encryption` value and a key ID.
fn encryption(sse: Option<&ServerSideEncryption>, key: Option<&str>) -> Encryption {
    match sse.map(|s| s.as_str()) {
        None | Some("") => Encryption::None,
        Some("AES256") => Encryption::S3Managed,
        // `aws:kms`, `aws:kms:dsse`: both are decrypted with the KMS key.
        Some(s) if s.starts_with("aws:kms") => Encryption::Kms {
            key: key.filter(|k| !k.is_empty()).map(String::from),
        },
        // An algorithm this version does not know: not a KMS key it could check.
        Some(_) => Encryption::S3Managed,
    }
}

/// `GetBucketLocation`'s constraint as a region: empty is `us-east-1`, `EU` is `eu-west-1`.
pub(crate) fn region_of_constraint(constraint: &str) -> String {
    match constraint {
        "" => "us-east-1".to_string(),
        "EU" => "eu-west-1".to_string(),
        other => other.to_string(),
    }
}

impl BucketAccess for S3Store {
    async fn bucket_region(&self, bucket: &str) -> Result<String, AccessError> {
        const OP: &str = "GetBucketLocation";
        let result = self
            .sdk_client()
            .get_bucket_location()
            .bucket(bucket)
            .set_expected_bucket_owner(self.expected_owner().map(String::from))
            .send()
            .await;
        match result {
            Ok(out) => Ok(region_of_constraint(
                out.location_constraint().map_or("", |c| c.as_str()),
            )),
            Err(SdkError::ServiceError(se))
                if se.raw().headers().get("x-amz-bucket-region").is_some() =>
            {
                // Asked in the wrong region, S3 redirects and names the bucket's region.
                Ok(se
                    .raw()
                    .headers()
                    .get("x-amz-bucket-region")
                    .unwrap_or_default()
                    .to_string())
            }
            Err(e) => Err(access_error(OP, bucket, e)),
        }
    }

    async fn bucket_policy(&self, bucket: &str) -> Result<Option<String>, AccessError> {
        const OP: &str = "GetBucketPolicy";
        match self
            .sdk_client()
            .get_bucket_policy()
            .bucket(bucket)
            .set_expected_bucket_owner(self.expected_owner().map(String::from))
            .send()
            .await
        {
            Ok(out) => Ok(out.policy().map(String::from)),
            Err(SdkError::ServiceError(se))
                if aws_sdk_s3::error::ProvideErrorMetadata::code(se.err())
                    == Some("NoSuchBucketPolicy") =>
            {
                Ok(None)
            }
            Err(e) => Err(access_error(OP, bucket, e)),
        }
    }

    async fn bucket_encryption(&self, bucket: &str) -> Result<Encryption, AccessError> {
        const OP: &str = "GetBucketEncryption";
        match self
            .sdk_client()
            .get_bucket_encryption()
            .bucket(bucket)
            .set_expected_bucket_owner(self.expected_owner().map(String::from))
            .send()
            .await
        {
            Ok(out) => Ok(out
                .server_side_encryption_configuration()
                .and_then(|c| {
                    c.rules()
                        .iter()
                        .find_map(|r| r.apply_server_side_encryption_by_default())
                })
                .map_or(Encryption::None, |d| {
                    encryption(Some(d.sse_algorithm()), d.kms_master_key_id())
                })),
            Err(SdkError::ServiceError(se))
                if aws_sdk_s3::error::ProvideErrorMetadata::code(se.err())
                    == Some("ServerSideEncryptionConfigurationNotFoundError") =>
            {
                Ok(Encryption::None)
            }
            Err(e) => Err(access_error(OP, bucket, e)),
        }
    }

    async fn object_encryption(&self, bucket: &str, key: &str) -> Result<Encryption, AccessError> {
        let out = self
            .sdk_client()
            .head_object()
            .bucket(bucket)
            .key(key)
            .set_expected_bucket_owner(self.expected_owner().map(String::from))
            .send()
            .await
            .map_err(|e| access_error("HeadObject", &format!("{bucket}/{key}"), e))?;
        Ok(encryption(
            out.server_side_encryption(),
            out.ssekms_key_id(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_constraints() {
        assert_eq!(region_of_constraint(""), "us-east-1");
        assert_eq!(region_of_constraint("EU"), "eu-west-1");
        assert_eq!(region_of_constraint("eu-central-1"), "eu-central-1");
    }

    #[test]
    fn encryption_headers() {
        assert_eq!(encryption(None, None), Encryption::None);
        assert_eq!(
            encryption(Some(&ServerSideEncryption::Aes256), None),
            Encryption::S3Managed
        );
        assert_eq!(
            encryption(Some(&ServerSideEncryption::AwsKms), Some("arn:k")),
            Encryption::Kms {
                key: Some("arn:k".into())
            }
        );
        assert_eq!(
            encryption(Some(&ServerSideEncryption::AwsKmsDsse), None),
            Encryption::Kms { key: None }
        );
    }
}
