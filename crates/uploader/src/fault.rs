//! Failure injection for tests (feature `fault-injection`), after mountpoint-s3's
//! failure-injection client: [`FaultyStore`] wraps any [`ObjectStore`] (and its
//! [`BucketAccess`] calls), [`FaultyPersonalize`] any [`Personalize`] and [`Solutions`] client,
//! [`FaultyIam`] and [`FaultyKms`] the access checks' IAM and KMS clients, and, following a
//! [`FaultPlan`], fails chosen calls the way a real store fails: a 500/503/SlowDown answer, a
//! dropped connection (before or after the request took effect), a call that hangs past a
//! timeout, a slow call that succeeds late, or corrupted checksums in what the store answers.
//!
//! The plan knows nothing about object stores: it counts calls by operation name and says which
//! [`Fault`] a call gets, so a wrapper around any other trait (the Personalize client, say) can
//! share it and its call log.

use std::future::Future;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;

use crate::access::{AccessError, BucketAccess, Encryption, Iam, KeyInfo, Kms, Role};
use crate::personalize::{
    CreateImportJob, Dataset, DatasetSchema, ImportJob, ImportJobPage, Personalize,
    PersonalizeError,
};
use crate::solutions::{
    CreateSolutionVersion, RecommenderPage, Solution, SolutionPage, SolutionVersion, Solutions,
};
use crate::store::{
    Checksum, ChecksumAlgorithm, Listing, MultipartUpload, ObjectBody, ObjectInfo, ObjectStore,
    StoreError, StoreResult, UploadedPart,
};

/// What an injected failure does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The service answers with an error and does nothing: `InternalError` (500),
    /// `ServiceUnavailable` (503), `SlowDown` (503)…
    Service {
        /// The S3 error code answered (`InternalError`, `SlowDown`…).
        code: String,
        /// The HTTP status.
        status: u16,
    },
    /// The connection drops. `applied`: the request reached the service and took effect, only
    /// the answer was lost.
    Transport {
        /// Whether the call took effect.
        applied: bool,
    },
    /// The call never answers: with the wrapper's timeout it fails as a timeout once that much
    /// time has passed, without one it hangs until the caller gives up (drops the future).
    Hang,
    /// The call takes effect and answers, but only after this long: a slow connection, a
    /// request stuck behind others.
    Slow(Duration),
    /// The answer's checksums are wrong (HeadObject, UploadPart, ListParts), or what is sent is
    /// altered on the way (PutObject's bytes, or for a file read as it is sent the checksum
    /// that goes with them; CompleteMultipartUpload's full-object checksum), which the store
    /// then rejects. Calls with no checksum to corrupt pass through.
    Corrupt,
}

impl Fault {
    /// A 500 `InternalError`.
    pub fn internal_error() -> Fault {
        Fault::Service {
            code: "InternalError".into(),
            status: 500,
        }
    }

    /// A 503 `ServiceUnavailable`.
    pub fn unavailable() -> Fault {
        Fault::Service {
            code: "ServiceUnavailable".into(),
            status: 503,
        }
    }

    /// A 503 `SlowDown` (throttling).
    pub fn slow_down() -> Fault {
        Fault::Service {
            code: "SlowDown".into(),
            status: 503,
        }
    }
}

/// Which calls a rule fails.
#[derive(Debug, Clone)]
struct Rule {
    /// The operation (`PutObject`…), or any.
    operation: Option<String>,
    /// The first matching call to fail, 1-based.
    nth: usize,
    /// How many matching calls from the `nth` on (`usize::MAX`: all).
    times: usize,
    fault: Fault,
    /// Matching calls seen so far.
    seen: usize,
}

/// One call seen by a faulty wrapper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The operation name (S3's: `PutObject`, `UploadPart`…).
    pub operation: &'static str,
    /// The key (or other resource) it addressed.
    pub key: String,
    /// The part number, for UploadPart.
    pub part: Option<u32>,
    /// The fault injected, if any.
    pub fault: Option<Fault>,
}

/// Which calls fail and how, and a log of every call. Shared by the faulty wrappers of a test.
#[derive(Debug, Default)]
pub struct FaultPlan {
    rules: Mutex<Vec<Rule>>,
    calls: Mutex<Vec<Call>>,
}

impl FaultPlan {
    /// A plan that fails nothing (it only counts).
    pub fn new() -> FaultPlan {
        FaultPlan::default()
    }

    /// Fails the `nth` call (1-based) of `operation` (`None`: counting every call) with `fault`.
    pub fn fail_nth(self, operation: Option<&str>, nth: usize, fault: Fault) -> FaultPlan {
        self.fail_from(operation, nth, 1, fault)
    }

    /// Fails `times` calls of `operation` from the `nth` on (`usize::MAX`: every later call).
    pub fn fail_from(
        self,
        operation: Option<&str>,
        nth: usize,
        times: usize,
        fault: Fault,
    ) -> FaultPlan {
        lock(&self.rules).push(Rule {
            operation: operation.map(str::to_string),
            nth: nth.max(1),
            times,
            fault,
            seen: 0,
        });
        self
    }

    /// Records a call and says which fault it gets. Wrappers call this first in every method.
    pub fn next(&self, operation: &'static str, key: &str, part: Option<u32>) -> Option<Fault> {
        let mut fault = None;
        for rule in lock(&self.rules).iter_mut() {
            if rule.operation.as_deref().is_some_and(|o| o != operation) {
                continue;
            }
            rule.seen += 1;
            let hit = rule.seen >= rule.nth && rule.seen - rule.nth < rule.times;
            if hit && fault.is_none() {
                fault = Some(rule.fault.clone());
            }
        }
        lock(&self.calls).push(Call {
            operation,
            key: key.to_string(),
            part,
            fault: fault.clone(),
        });
        fault
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        lock(&self.calls).clone()
    }

    /// How many calls of `operation` were made.
    pub fn count(&self, operation: &str) -> usize {
        lock(&self.calls)
            .iter()
            .filter(|c| c.operation == operation)
            .count()
    }

    /// Whether any fault was injected.
    pub fn injected(&self) -> bool {
        lock(&self.calls).iter().any(|c| c.fault.is_some())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A test that panicked while holding the lock has failed already; keep the log readable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// An [`ObjectStore`] that fails the calls its [`FaultPlan`] says.
#[derive(Debug)]
pub struct FaultyStore<S> {
    inner: S,
    plan: std::sync::Arc<FaultPlan>,
    timeout: Option<Duration>,
}

impl<S: ObjectStore> FaultyStore<S> {
    /// Wraps `inner`. A [`Fault::Hang`] hangs until the caller gives up.
    pub fn new(inner: S, plan: std::sync::Arc<FaultPlan>) -> FaultyStore<S> {
        FaultyStore {
            inner,
            plan,
            timeout: None,
        }
    }

    /// A [`Fault::Hang`] fails as a timeout after `timeout`, as the SDK's operation timeout does.
    pub fn with_timeout(mut self, timeout: Duration) -> FaultyStore<S> {
        self.timeout = Some(timeout);
        self
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The plan (and its call log).
    pub fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    /// Runs `call` under `fault`; `corrupt` alters its answer for [`Fault::Corrupt`].
    async fn inject<T>(
        &self,
        fault: Option<Fault>,
        operation: &'static str,
        key: &str,
        call: impl Future<Output = StoreResult<T>>,
        corrupt: impl FnOnce(T) -> T,
    ) -> StoreResult<T> {
        apply(
            fault,
            self.timeout,
            call,
            corrupt,
            |code, status| StoreError::Service {
                operation,
                key: key.to_string(),
                status: Some(status),
                code,
                message: "injected".into(),
            },
            |message| StoreError::Transport {
                operation,
                key: key.to_string(),
                message,
            },
        )
        .await
    }
}

/// What a fault does to one call of any wrapped trait; `service` and `transport` make that
/// trait's errors, `corrupt` alters a [`Fault::Corrupt`] answer.
async fn apply<T, E>(
    fault: Option<Fault>,
    timeout: Option<Duration>,
    call: impl Future<Output = Result<T, E>>,
    corrupt: impl FnOnce(T) -> T,
    service: impl FnOnce(String, u16) -> E,
    transport: impl FnOnce(String) -> E,
) -> Result<T, E> {
    // On the heap: an SDK call's future is large in a debug build, and nesting it by value in
    // this one overflowed a test's stack.
    let call = Box::pin(call);
    let Some(fault) = fault else {
        return call.await;
    };
    match fault {
        Fault::Service { code, status } => Err(service(code, status)),
        Fault::Transport { applied } => {
            if applied {
                let _ = call.await;
            }
            Err(transport(format!(
                "connection reset (injected; the request {} applied)",
                if applied { "was" } else { "was not" }
            )))
        }
        Fault::Hang => match timeout {
            Some(t) => {
                tokio::time::sleep(t).await;
                Err(transport(format!("timed out after {t:?} (injected)")))
            }
            None => std::future::pending().await,
        },
        Fault::Slow(delay) => {
            tokio::time::sleep(delay).await;
            call.await
        }
        Fault::Corrupt => call.await.map(corrupt),
    }
}

/// A different, well-formed checksum value (base64 characters stay base64).
fn corrupt_value(v: &str) -> String {
    let mut out: Vec<char> = v.chars().collect();
    if let Some(c) = out.first_mut() {
        *c = if *c == 'A' { 'B' } else { 'A' };
    } else {
        out.push('A');
    }
    out.into_iter().collect()
}

fn corrupt_info(info: Option<ObjectInfo>) -> Option<ObjectInfo> {
    info.map(|mut i| {
        for c in &mut i.checksums {
            c.value = corrupt_value(&c.value);
        }
        i
    })
}

fn corrupt_part(mut p: UploadedPart) -> UploadedPart {
    p.checksum = p.checksum.map(|c| corrupt_value(&c));
    p
}

impl<S: ObjectStore> ObjectStore for FaultyStore<S> {
    fn root(&self) -> String {
        self.inner.root()
    }

    fn location(&self, key: &str) -> String {
        self.inner.location(key)
    }

    async fn put_object(&self, key: &str, body: Bytes, checksum: &Checksum) -> StoreResult<()> {
        let fault = self.plan.next("PutObject", key, None);
        let body = if fault == Some(Fault::Corrupt) {
            // A bit flipped on the way: the store must reject it.
            let mut b = body.to_vec();
            match b.first_mut() {
                Some(x) => *x ^= 1,
                None => b.push(b'x'),
            }
            Bytes::from(b)
        } else {
            body
        };
        let call = self.inner.put_object(key, body, checksum);
        self.inject(fault, "PutObject", key, call, |r| r).await
    }

    async fn put_file(
        &self,
        key: &str,
        path: &Path,
        size: u64,
        checksum: &Checksum,
    ) -> StoreResult<()> {
        let fault = self.plan.next("PutObject", key, None);
        // The bytes are read from the file as they are sent, so what is altered on the way is
        // the checksum that goes with them: the store must reject the pair all the same.
        let corrupted;
        let checksum = if fault == Some(Fault::Corrupt) {
            corrupted = Checksum {
                algorithm: checksum.algorithm,
                value: corrupt_value(&checksum.value),
            };
            &corrupted
        } else {
            checksum
        };
        let call = self.inner.put_file(key, path, size, checksum);
        self.inject(fault, "PutObject", key, call, |r| r).await
    }

    async fn create_multipart_upload(
        &self,
        key: &str,
        algorithm: ChecksumAlgorithm,
    ) -> StoreResult<String> {
        let fault = self.plan.next("CreateMultipartUpload", key, None);
        let call = self.inner.create_multipart_upload(key, algorithm);
        self.inject(fault, "CreateMultipartUpload", key, call, |r| r)
            .await
    }

    async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        body: Bytes,
        checksum: &Checksum,
    ) -> StoreResult<UploadedPart> {
        let fault = self.plan.next("UploadPart", key, Some(number));
        let call = self
            .inner
            .upload_part(key, upload_id, number, body, checksum);
        self.inject(fault, "UploadPart", key, call, corrupt_part)
            .await
    }

    async fn complete_multipart_upload(
        &self,
        key: &str,
        upload_id: &str,
        algorithm: ChecksumAlgorithm,
        parts: &[UploadedPart],
        full_object: Option<&str>,
    ) -> StoreResult<()> {
        let fault = self.plan.next("CompleteMultipartUpload", key, None);
        let corrupted;
        let full_object = if fault == Some(Fault::Corrupt) {
            corrupted = corrupt_value(full_object.unwrap_or_default());
            Some(corrupted.as_str())
        } else {
            full_object
        };
        let call =
            self.inner
                .complete_multipart_upload(key, upload_id, algorithm, parts, full_object);
        self.inject(fault, "CompleteMultipartUpload", key, call, |r| r)
            .await
    }

    async fn abort_multipart_upload(&self, key: &str, upload_id: &str) -> StoreResult<()> {
        let fault = self.plan.next("AbortMultipartUpload", key, None);
        let call = self.inner.abort_multipart_upload(key, upload_id);
        self.inject(fault, "AbortMultipartUpload", key, call, |r| r)
            .await
    }

    async fn list_multipart_uploads(&self, prefix: &str) -> StoreResult<Vec<MultipartUpload>> {
        let fault = self.plan.next("ListMultipartUploads", prefix, None);
        let call = self.inner.list_multipart_uploads(prefix);
        self.inject(fault, "ListMultipartUploads", prefix, call, |r| r)
            .await
    }

    async fn list_parts(&self, key: &str, upload_id: &str) -> StoreResult<Vec<UploadedPart>> {
        let fault = self.plan.next("ListParts", key, None);
        let call = self.inner.list_parts(key, upload_id);
        self.inject(fault, "ListParts", key, call, |parts| {
            parts.into_iter().map(corrupt_part).collect()
        })
        .await
    }

    async fn list_objects(&self, prefix: &str, delimiter: bool) -> StoreResult<Listing> {
        let fault = self.plan.next("ListObjectsV2", prefix, None);
        let call = self.inner.list_objects(prefix, delimiter);
        self.inject(fault, "ListObjectsV2", prefix, call, |r| r)
            .await
    }

    async fn head_object(&self, key: &str) -> StoreResult<Option<ObjectInfo>> {
        let fault = self.plan.next("HeadObject", key, None);
        let call = self.inner.head_object(key);
        self.inject(fault, "HeadObject", key, call, corrupt_info)
            .await
    }

    async fn get_object(&self, key: &str) -> StoreResult<ObjectBody> {
        let fault = self.plan.next("GetObject", key, None);
        let call = self.inner.get_object(key);
        self.inject(fault, "GetObject", key, call, |r| r).await
    }

    async fn delete_objects(&self, keys: &[String]) -> StoreResult<()> {
        let fault = self.plan.next("DeleteObjects", &keys.join(","), None);
        let call = self.inner.delete_objects(keys);
        self.inject(fault, "DeleteObjects", "", call, |r| r).await
    }
}

/// A [`Personalize`] client that fails the calls its [`FaultPlan`] says, the way the service
/// fails: an error answer (`Service`: the code and status), a dropped connection before or after
/// the request took effect (an import job created whose answer never came), or no answer (a
/// timeout with [`FaultyPersonalize::with_timeout`], else a hang). Personalize answers carry no
/// checksums, so [`Fault::Corrupt`] passes the call through. Operations are named as in the API
/// (`CreateDatasetImportJob`…).
#[derive(Debug)]
pub struct FaultyPersonalize<P> {
    inner: P,
    plan: std::sync::Arc<FaultPlan>,
    timeout: Option<Duration>,
}

impl<P> FaultyPersonalize<P> {
    /// Wraps `inner`. A [`Fault::Hang`] hangs until the caller gives up.
    pub fn new(inner: P, plan: std::sync::Arc<FaultPlan>) -> FaultyPersonalize<P> {
        FaultyPersonalize {
            inner,
            plan,
            timeout: None,
        }
    }

    /// A [`Fault::Hang`] fails as a timeout after `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> FaultyPersonalize<P> {
        self.timeout = Some(timeout);
        self
    }

    /// The plan (and its call log).
    pub fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    async fn inject<T>(
        &self,
        operation: &'static str,
        resource: &str,
        call: impl Future<Output = Result<T, PersonalizeError>>,
    ) -> Result<T, PersonalizeError> {
        let fault = self.plan.next(operation, resource, None);
        apply(
            fault,
            self.timeout,
            call,
            |answer| answer,
            |code, status| PersonalizeError::Service {
                operation,
                code,
                message: format!("injected HTTP {status}"),
            },
            |message| PersonalizeError::Transport { operation, message },
        )
        .await
    }
}

impl<P: Personalize> Personalize for FaultyPersonalize<P> {
    async fn describe_dataset(&self, dataset_arn: &str) -> Result<Dataset, PersonalizeError> {
        let call = self.inner.describe_dataset(dataset_arn);
        self.inject("DescribeDataset", dataset_arn, call).await
    }

    async fn describe_schema(&self, schema_arn: &str) -> Result<DatasetSchema, PersonalizeError> {
        let call = self.inner.describe_schema(schema_arn);
        self.inject("DescribeSchema", schema_arn, call).await
    }

    async fn list_dataset_import_jobs(
        &self,
        dataset_arn: Option<&str>,
        next_token: Option<&str>,
    ) -> Result<ImportJobPage, PersonalizeError> {
        let call = self.inner.list_dataset_import_jobs(dataset_arn, next_token);
        self.inject(
            "ListDatasetImportJobs",
            dataset_arn.unwrap_or("(region)"),
            call,
        )
        .await
    }

    async fn create_dataset_import_job(
        &self,
        request: &CreateImportJob,
    ) -> Result<String, PersonalizeError> {
        let call = self.inner.create_dataset_import_job(request);
        self.inject("CreateDatasetImportJob", &request.job_name, call)
            .await
    }

    async fn describe_dataset_import_job(
        &self,
        job_arn: &str,
    ) -> Result<ImportJob, PersonalizeError> {
        let call = self.inner.describe_dataset_import_job(job_arn);
        self.inject("DescribeDatasetImportJob", job_arn, call).await
    }
}

/// The [`AccessError`] a [`Fault::Service`] stands for: an access-denied code is a denial, a
/// not-found code is a miss, any other code a service error.
fn access_fault(operation: &'static str, resource: &str, code: String, status: u16) -> AccessError {
    let resource = resource.to_string();
    let message = format!("injected HTTP {status}");
    match code.as_str() {
        "AccessDenied" | "AccessDeniedException" => AccessError::Denied {
            operation,
            resource,
            message,
        },
        "NoSuchBucket" | "NoSuchEntity" | "NotFoundException" | "NoSuchKey" => {
            AccessError::NotFound {
                operation,
                resource,
                message,
            }
        }
        _ => AccessError::Service {
            operation,
            resource,
            code,
            message,
        },
    }
}

/// Runs one access call under the plan's fault for it.
async fn inject_access<T>(
    plan: &FaultPlan,
    timeout: Option<Duration>,
    operation: &'static str,
    resource: &str,
    call: impl Future<Output = Result<T, AccessError>>,
) -> Result<T, AccessError> {
    let fault = plan.next(operation, resource, None);
    apply(
        fault,
        timeout,
        call,
        |answer| answer,
        |code, status| access_fault(operation, resource, code, status),
        |message| AccessError::Transport {
            operation,
            resource: resource.to_string(),
            message,
        },
    )
    .await
}

impl<P: Solutions> Solutions for FaultyPersonalize<P> {
    async fn list_solutions(
        &self,
        dataset_group_arn: &str,
        next_token: Option<&str>,
    ) -> Result<SolutionPage, PersonalizeError> {
        let call = self.inner.list_solutions(dataset_group_arn, next_token);
        self.inject("ListSolutions", dataset_group_arn, call).await
    }

    async fn describe_solution(&self, solution_arn: &str) -> Result<Solution, PersonalizeError> {
        let call = self.inner.describe_solution(solution_arn);
        self.inject("DescribeSolution", solution_arn, call).await
    }

    async fn list_recommenders(
        &self,
        dataset_group_arn: &str,
        next_token: Option<&str>,
    ) -> Result<RecommenderPage, PersonalizeError> {
        let call = self.inner.list_recommenders(dataset_group_arn, next_token);
        self.inject("ListRecommenders", dataset_group_arn, call)
            .await
    }

    async fn create_solution_version(
        &self,
        request: &CreateSolutionVersion,
    ) -> Result<String, PersonalizeError> {
        let call = self.inner.create_solution_version(request);
        self.inject("CreateSolutionVersion", &request.solution_arn, call)
            .await
    }

    async fn describe_solution_version(
        &self,
        solution_version_arn: &str,
    ) -> Result<SolutionVersion, PersonalizeError> {
        let call = self.inner.describe_solution_version(solution_version_arn);
        self.inject("DescribeSolutionVersion", solution_version_arn, call)
            .await
    }
}

/// The bucket calls of the access checks fail as the plan says too (operation names as in the
/// S3 API: `GetBucketPolicy`…), with the store's timeout.
impl<S: ObjectStore + BucketAccess> BucketAccess for FaultyStore<S> {
    async fn bucket_region(&self, bucket: &str) -> Result<String, AccessError> {
        let call = self.inner.bucket_region(bucket);
        inject_access(&self.plan, self.timeout, "GetBucketLocation", bucket, call).await
    }

    async fn bucket_policy(&self, bucket: &str) -> Result<Option<String>, AccessError> {
        let call = self.inner.bucket_policy(bucket);
        inject_access(&self.plan, self.timeout, "GetBucketPolicy", bucket, call).await
    }

    async fn bucket_encryption(&self, bucket: &str) -> Result<Encryption, AccessError> {
        let call = self.inner.bucket_encryption(bucket);
        inject_access(
            &self.plan,
            self.timeout,
            "GetBucketEncryption",
            bucket,
            call,
        )
        .await
    }

    async fn object_encryption(&self, bucket: &str, key: &str) -> Result<Encryption, AccessError> {
        let call = self.inner.object_encryption(bucket, key);
        inject_access(&self.plan, self.timeout, "HeadObject", key, call).await
    }
}

/// An [`Iam`] client that fails the calls its [`FaultPlan`] says (operation names as in the
/// IAM API: `GetRole`, `GetRolePolicy`…). `AccessDenied` faults are denials.
#[derive(Debug)]
pub struct FaultyIam<I> {
    inner: I,
    plan: std::sync::Arc<FaultPlan>,
    timeout: Option<Duration>,
}

impl<I: Iam> FaultyIam<I> {
    /// Wraps `inner`. A [`Fault::Hang`] hangs until the caller gives up.
    pub fn new(inner: I, plan: std::sync::Arc<FaultPlan>) -> FaultyIam<I> {
        FaultyIam {
            inner,
            plan,
            timeout: None,
        }
    }

    /// A [`Fault::Hang`] fails as a timeout after `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> FaultyIam<I> {
        self.timeout = Some(timeout);
        self
    }

    /// The plan (and its call log).
    pub fn plan(&self) -> &FaultPlan {
        &self.plan
    }
}

impl<I: Iam> Iam for FaultyIam<I> {
    async fn get_role(&self, role_name: &str) -> Result<Role, AccessError> {
        let call = self.inner.get_role(role_name);
        inject_access(&self.plan, self.timeout, "GetRole", role_name, call).await
    }

    async fn list_role_policies(&self, role_name: &str) -> Result<Vec<String>, AccessError> {
        let call = self.inner.list_role_policies(role_name);
        inject_access(
            &self.plan,
            self.timeout,
            "ListRolePolicies",
            role_name,
            call,
        )
        .await
    }

    async fn get_role_policy(
        &self,
        role_name: &str,
        policy_name: &str,
    ) -> Result<String, AccessError> {
        let call = self.inner.get_role_policy(role_name, policy_name);
        inject_access(&self.plan, self.timeout, "GetRolePolicy", policy_name, call).await
    }

    async fn list_attached_role_policies(
        &self,
        role_name: &str,
    ) -> Result<Vec<String>, AccessError> {
        let call = self.inner.list_attached_role_policies(role_name);
        inject_access(
            &self.plan,
            self.timeout,
            "ListAttachedRolePolicies",
            role_name,
            call,
        )
        .await
    }

    async fn get_policy(&self, policy_arn: &str) -> Result<String, AccessError> {
        let call = self.inner.get_policy(policy_arn);
        inject_access(&self.plan, self.timeout, "GetPolicy", policy_arn, call).await
    }

    async fn get_policy_version(
        &self,
        policy_arn: &str,
        version_id: &str,
    ) -> Result<String, AccessError> {
        let call = self.inner.get_policy_version(policy_arn, version_id);
        inject_access(
            &self.plan,
            self.timeout,
            "GetPolicyVersion",
            policy_arn,
            call,
        )
        .await
    }
}

/// A [`Kms`] client that fails the calls its [`FaultPlan`] says (`DescribeKey`,
/// `GetKeyPolicy`). `AccessDeniedException` faults are denials.
#[derive(Debug)]
pub struct FaultyKms<K> {
    inner: K,
    plan: std::sync::Arc<FaultPlan>,
    timeout: Option<Duration>,
}

impl<K: Kms> FaultyKms<K> {
    /// Wraps `inner`. A [`Fault::Hang`] hangs until the caller gives up.
    pub fn new(inner: K, plan: std::sync::Arc<FaultPlan>) -> FaultyKms<K> {
        FaultyKms {
            inner,
            plan,
            timeout: None,
        }
    }

    /// A [`Fault::Hang`] fails as a timeout after `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> FaultyKms<K> {
        self.timeout = Some(timeout);
        self
    }

    /// The plan (and its call log).
    pub fn plan(&self) -> &FaultPlan {
        &self.plan
    }
}

impl<K: Kms> Kms for FaultyKms<K> {
    async fn describe_key(&self, key_id: &str) -> Result<KeyInfo, AccessError> {
        let call = self.inner.describe_key(key_id);
        inject_access(&self.plan, self.timeout, "DescribeKey", key_id, call).await
    }

    async fn get_key_policy(&self, key_arn: &str) -> Result<String, AccessError> {
        let call = self.inner.get_key_policy(key_arn);
        inject_access(&self.plan, self.timeout, "GetKeyPolicy", key_arn, call).await
    }
}
