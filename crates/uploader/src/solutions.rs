//! The dataset group's models (custom solutions and domain recommenders) and retraining, in
//! domain types: the Personalize operations that say what an import changes in
//! recommendations, and that create and watch a solution version.
//!
//! [`Solutions`] is a trait of its own beside [`crate::Personalize`] (the import's operations),
//! so that a client of the import alone needs none of these. [`crate::SdkPersonalize`]
//! implements both; [`crate::fault::FaultyPersonalize`] wraps both.

use std::future::Future;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::import::{watch_until, Backoff, Clock, Watched};
use crate::personalize::PersonalizeError;

/// How a solution version is trained (`trainingMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TrainingMode {
    /// `FULL`: a new model from all the data.
    #[serde(rename = "FULL")]
    Full,
    /// `UPDATE`: the latest model brought up to date with new items (User-Personalization and
    /// the legacy HRNN-Coldstart only).
    #[serde(rename = "UPDATE")]
    Update,
}

impl TrainingMode {
    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            TrainingMode::Full => "FULL",
            TrainingMode::Update => "UPDATE",
        }
    }
}

/// One entry of ListSolutions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SolutionSummary {
    /// Its ARN.
    pub arn: String,
    /// The name it was created with, shown to the user beside its ARN.
    pub name: String,
    /// `ACTIVE`, `CREATE PENDING`…
    pub status: String,
    /// Its recipe, when the service says.
    pub recipe_arn: Option<String>,
}

/// One page of ListSolutions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SolutionPage {
    /// The solutions on this page.
    pub solutions: Vec<SolutionSummary>,
    /// The token of the next page, if any.
    pub next_token: Option<String>,
}

/// The latest solution version of a solution, as DescribeSolution summarizes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestVersion {
    /// Its ARN.
    pub arn: String,
    /// Its status as Personalize spells it (`CREATE PENDING`, `ACTIVE`, `CREATE FAILED`…).
    pub status: String,
    /// `FULL`, `UPDATE` or `AUTOTRAIN`.
    pub training_mode: Option<String>,
}

/// What DescribeSolution says about a solution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    /// Its ARN.
    pub arn: String,
    /// The name it was created with, shown to the user beside its ARN.
    pub name: String,
    /// Its status as Personalize spells it (`CREATE PENDING`, `ACTIVE`, `CREATE FAILED`…).
    pub status: String,
    /// The recipe (for an AutoML solution, the best recipe found).
    pub recipe_arn: Option<String>,
    /// `performAutoTraining`: a new solution version on a schedule (the service's default for
    /// new solutions is on; `None` when the answer does not say).
    pub auto_training: Option<bool>,
    /// The schedule of automatic training (`rate(7 days)`), if set.
    pub auto_training_schedule: Option<String>,
    /// `performIncrementalUpdate` (Semantic-Similarity).
    pub incremental_update: Option<bool>,
    /// Trending-Now's `trend_discovery_frequency` (`30 minutes`…`1 day`), if set.
    pub trend_discovery_frequency: Option<String>,
    /// The latest solution version, if any.
    pub latest_version: Option<LatestVersion>,
}

/// One entry of ListRecommenders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecommenderSummary {
    /// Its ARN.
    pub arn: String,
    /// The name it was created with, shown to the user beside its ARN.
    pub name: String,
    /// Its status as Personalize spells it (`CREATE PENDING`, `ACTIVE`, `CREATE FAILED`…).
    pub status: String,
    /// Its recipe (the use case: `arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you`).
    pub recipe_arn: Option<String>,
}

/// One page of ListRecommenders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecommenderPage {
    /// The recommenders on this page.
    pub recommenders: Vec<RecommenderSummary>,
    /// The token of the next page, if any.
    pub next_token: Option<String>,
}

/// A CreateSolutionVersion request; serializes with the API's field names (for `--dry-run`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSolutionVersion {
    /// The ARN of the solution the version trains.
    pub solution_arn: String,
    /// FULL or UPDATE.
    pub training_mode: TrainingMode,
    /// The version's name, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// What DescribeSolutionVersion says about a solution version.
#[derive(Debug, Clone, PartialEq)]
pub struct SolutionVersion {
    /// Its ARN.
    pub arn: String,
    /// The ARN of the solution the version trains.
    pub solution_arn: String,
    /// `CREATE PENDING` → `CREATE IN_PROGRESS` → `ACTIVE` or `CREATE FAILED` (or `CREATE
    /// STOPPING` → `CREATE STOPPED` when stopped).
    pub status: String,
    /// `FULL`, `UPDATE` or `AUTOTRAIN`.
    pub training_mode: Option<String>,
    /// Why it failed.
    pub failure_reason: Option<String>,
    /// Billed training hours, once known.
    pub training_hours: Option<f64>,
    /// When it was created.
    pub created: Option<SystemTime>,
    /// When its status last changed.
    pub updated: Option<SystemTime>,
}

/// The Personalize operations about a dataset group's models and their training.
pub trait Solutions: Send + Sync {
    /// One page of ListSolutions of a dataset group.
    fn list_solutions(
        &self,
        dataset_group_arn: &str,
        next_token: Option<&str>,
    ) -> impl Future<Output = Result<SolutionPage, PersonalizeError>> + Send;

    /// DescribeSolution.
    fn describe_solution(
        &self,
        solution_arn: &str,
    ) -> impl Future<Output = Result<Solution, PersonalizeError>> + Send;

    /// One page of ListRecommenders of a dataset group.
    fn list_recommenders(
        &self,
        dataset_group_arn: &str,
        next_token: Option<&str>,
    ) -> impl Future<Output = Result<RecommenderPage, PersonalizeError>> + Send;

    /// CreateSolutionVersion; returns the version's ARN.
    fn create_solution_version(
        &self,
        request: &CreateSolutionVersion,
    ) -> impl Future<Output = Result<String, PersonalizeError>> + Send;

    /// DescribeSolutionVersion.
    fn describe_solution_version(
        &self,
        solution_version_arn: &str,
    ) -> impl Future<Output = Result<SolutionVersion, PersonalizeError>> + Send;
}

/// A model of the dataset group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Model {
    /// A custom solution (described).
    Solution(Solution),
    /// A domain recommender.
    Recommender(RecommenderSummary),
}

impl Model {
    /// Its ARN.
    pub fn arn(&self) -> &str {
        match self {
            Model::Solution(s) => &s.arn,
            Model::Recommender(r) => &r.arn,
        }
    }

    /// The name it was created with, whichever kind of model it is.
    pub fn name(&self) -> &str {
        match self {
            Model::Solution(s) => &s.name,
            Model::Recommender(r) => &r.name,
        }
    }

    /// Its recipe, if known.
    pub fn recipe_arn(&self) -> Option<&str> {
        match self {
            Model::Solution(s) => s.recipe_arn.as_deref(),
            Model::Recommender(r) => r.recipe_arn.as_deref(),
        }
    }
}

/// Follows `nextToken` until the last page (or a repeated token).
async fn all_pages<T, Fut>(
    mut page: impl FnMut(Option<String>) -> Fut,
) -> Result<Vec<T>, PersonalizeError>
where
    Fut: Future<Output = Result<(Vec<T>, Option<String>), PersonalizeError>>,
{
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let (items, next) = page(token.clone()).await?;
        out.extend(items);
        match next {
            Some(t) if !t.is_empty() && Some(&t) != token.as_ref() => token = Some(t),
            _ => return Ok(out),
        }
    }
}

/// Every solution of a dataset group.
pub async fn list_all_solutions<S: Solutions>(
    s: &S,
    dataset_group_arn: &str,
) -> Result<Vec<SolutionSummary>, PersonalizeError> {
    all_pages(|token| async move {
        let p = s
            .list_solutions(dataset_group_arn, token.as_deref())
            .await?;
        Ok((p.solutions, p.next_token))
    })
    .await
}

/// Every recommender of a dataset group.
pub async fn list_all_recommenders<S: Solutions>(
    s: &S,
    dataset_group_arn: &str,
) -> Result<Vec<RecommenderSummary>, PersonalizeError> {
    all_pages(|token| async move {
        let p = s
            .list_recommenders(dataset_group_arn, token.as_deref())
            .await?;
        Ok((p.recommenders, p.next_token))
    })
    .await
}

/// The dataset group's models: every solution (ListSolutions, then DescribeSolution for its
/// recipe and training settings) and every recommender (ListRecommenders).
pub async fn dataset_group_models<S: Solutions>(
    s: &S,
    dataset_group_arn: &str,
) -> Result<Vec<Model>, PersonalizeError> {
    let mut models = Vec::new();
    for summary in list_all_solutions(s, dataset_group_arn).await? {
        let mut solution = s.describe_solution(&summary.arn).await?;
        if solution.recipe_arn.is_none() {
            solution.recipe_arn = summary.recipe_arn;
        }
        models.push(Model::Solution(solution));
    }
    for r in list_all_recommenders(s, dataset_group_arn).await? {
        models.push(Model::Recommender(r));
    }
    Ok(models)
}

/// Starts training: CreateSolutionVersion; returns the solution version's ARN.
pub async fn start_training<S: Solutions>(
    s: &S,
    request: &CreateSolutionVersion,
) -> Result<String, PersonalizeError> {
    s.create_solution_version(request).await
}

/// Polls DescribeSolutionVersion until `ACTIVE`, `CREATE FAILED` or `CREATE STOPPED` (or
/// `timeout`), with the import watch's backoff and clock; `on_poll` sees every answer with the
/// time elapsed.
pub async fn watch_training<S: Solutions>(
    s: &S,
    solution_version_arn: &str,
    clock: &dyn Clock,
    backoff: Backoff,
    timeout: Option<Duration>,
    on_poll: &mut (dyn FnMut(&SolutionVersion, Duration) + Send),
) -> Result<Watched<SolutionVersion>, PersonalizeError> {
    watch_until(
        || s.describe_solution_version(solution_version_arn),
        |v: &SolutionVersion| v.status.as_str(),
        clock,
        backoff,
        timeout,
        on_poll,
    )
    .await
}
