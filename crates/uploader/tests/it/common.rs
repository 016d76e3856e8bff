//! What the uploader's integration tests share.

use preflight_s3_test_server::{ACCESS_KEY, SECRET_KEY};
use preflight_uploader::{S3Options, S3Store};

/// The S3 store of the tests: the real SDK client, pointed at the local server's `endpoint`
/// with its credentials, path-style, on the `imports` bucket.
pub fn s3_store(endpoint: &str) -> S3Store {
    s3_store_with(endpoint, &S3Options::default())
}

/// [`s3_store`] with `opts` (an `endpoint_url` in them tells the store where its client goes).
pub fn s3_store_with(endpoint: &str, opts: &S3Options) -> S3Store {
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            ACCESS_KEY, SECRET_KEY, None, None, "test",
        ))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .build();
    S3Store::from_client(aws_sdk_s3::Client::from_conf(conf), "imports", opts)
}
