//! The integration tests of the uploader against the in-process S3 server and mocked
//! Personalize: one test binary (each area a module).

mod common;
mod fault;
mod personalize;
mod s3;
