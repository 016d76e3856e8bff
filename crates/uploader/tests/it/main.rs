//! The integration tests of the uploader against the in-process S3 server and mocked
//! Personalize (and the access checks against mocked S3, IAM and KMS answers): one test binary
//! (each area a module).

mod access;
mod common;
mod fault;
mod personalize;
mod s3;
