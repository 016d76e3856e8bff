//! Data insights: the analysis Personalize runs on a dataset after it is imported (its 2023
//! "Data insights", docs/personalize.md#personalizes-own-data-insights-2023), run on the files
//! before anything is uploaded, plus
//! the coverage of IDs between datasets.
//!
//! Each dataset is read once, by the validation engine: while it checks a record it also counts
//! what the insights need ([`tally`]), per distinct value and never per record. polars (eager;
//! ARCHITECTURE.md#memory-grows-with-distinct-values-polars-is-fed-by-our-parser) then computes the aggregates and the coverage joins from those counts:
//! columns our parser produced, never a second CSV parser.
//!
//! Memory is bounded by distinct values, not by records:
//! - about 28–55 bytes per distinct ID while reading (a 64-bit hash of the ID, one of its
//!   normalised form and a count in a hash table), plus the text of IDs that are not already
//!   trimmed and lower case (at most 100,000 of them, for examples);
//! - 24 bytes per distinct ID in the polars frames of the coverage joins, which exist one
//!   dataset pair at a time;
//! - 16 bytes per UTC day with interactions, per distinct numeric value and per distinct
//!   categorical value (capped at 100,000 per column in interactions).
//!
//! So 10 million users and 1 million items need roughly 0.6 GB, whatever the number of
//! interactions.

mod analyse;
pub(crate) mod tally;
pub use crate::text::day_label;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Family};
use crate::engine::{self, Checked, Error, Limits, Options, SchemaSource};
use crate::input::InputFile;
use crate::report::{Report, Summary};
use crate::schema::DatasetType;
use crate::text::Holds;
use crate::training::ActionCounts;

/// The dataset-level rules that are part of Personalize's Data insights
/// (docs/personalize.md#personalizes-own-data-insights-2023), shown by `preflight insights` next to the PF5xx rules: fewer than 1000 interactions,
/// fewer than 25 users with two interactions, more than 10 event types (and their spelling
/// variants), too few events of a domain's required type, identical timestamps.
pub const SHOWN_DATASET_RULES: &[&str] = &[
    "PF301", "PF302", "PF303", "PF304", "PF305", "PF306", "PF309",
];

/// A dataset's finished insights, as the insights hooks see them (`rules::hooks::InsightsHook`).
#[derive(Debug, Clone, Copy)]
#[allow(
    dead_code,
    reason = "what every hook of the family is given; the hooks of today read only part of it"
)]
pub(crate) struct InsightsCx<'a> {
    /// The figures: per column, the distributions, the timeline, the coverage of IDs.
    pub insights: &'a Insights,
    /// The dataset type, if the schema was understood.
    pub dataset_type: Option<DatasetType>,
}

/// One dataset to analyse: its schema and its files.
#[derive(Debug)]
pub struct InsightSet<'a> {
    /// Where the schema comes from.
    pub schema: &'a SchemaSource,
    /// The dataset's files.
    pub inputs: &'a [InputFile],
    /// Findings from resolving the inputs (sub-folders, non-CSV files).
    pub extra: Vec<Diagnostic>,
}

/// How to analyse.
#[derive(Debug, Clone)]
pub struct InsightOptions {
    /// Item interactions used in training: the most recent this many (the quota is 500 million
    /// and adjustable; 3 billion for User-Personalization-v2 and Personalized-Ranking-v2).
    pub training_interactions: u64,
    /// Keep every validation finding in the reports (`validate --insights`); otherwise only the
    /// dataset-level and insight findings are kept and the rest is summarised.
    pub keep_validation: bool,
}

impl Default for InsightOptions {
    fn default() -> Self {
        InsightOptions {
            training_interactions: 500_000_000,
            keep_validation: false,
        }
    }
}

/// What the insights found about one dataset, for the report's tables and charts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Insights {
    /// The dataset type (API name), if the schema was understood.
    pub dataset_type: Option<String>,
    /// Well-formed records analysed.
    pub records: u64,
    /// One entry per column of the schema found in the files.
    pub columns: Vec<ColumnInsight>,
    /// Interactions per user, per item and per action (interactions datasets).
    pub distributions: Vec<Distribution>,
    /// Interactions over time (interactions datasets).
    pub over_time: Vec<Bar>,
    /// The unit of one bar of `over_time`: day, month or year.
    pub time_unit: Option<String>,
    /// The first and last TIMESTAMP.
    pub time_range: Option<(i64, i64)>,
    /// Records per event type, most frequent first.
    pub event_types: Vec<EventShare>,
    /// The use cases of the domain (or custom recipes) and whether they have their 1000
    /// events.
    pub use_cases: Vec<UseCase>,
    /// Records outside the window training uses.
    pub window: Option<Window>,
    /// Coverage of this dataset's IDs in the other datasets of the run.
    pub coverage: Vec<Coverage>,
    /// The validation findings that the insights report does not show (`preflight insights`
    /// without `validate`).
    pub validation: Option<Summary>,
}

/// One column's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ColumnInsight {
    /// The column (schema field) name.
    pub name: String,
    /// id, timestamp, event type, numeric, categorical, textual or other; `numeric (inferred)`
    /// or `categorical (inferred)` for a column the schema does not type, judged by its values.
    pub kind: String,
    /// Records with a value.
    pub filled: u64,
    /// `filled` / records.
    pub completeness: f64,
    /// Distinct values (IDs, categorical values), if tracked.
    pub distinct: Option<u64>,
    /// Distinct categories (the parts of `|` lists), if categorical.
    pub categories: Option<u64>,
    /// There are more distinct values or categories than tracked: the figures are lower
    /// bounds.
    pub more: bool,
    /// The most frequent categories.
    pub top: Vec<Bar>,
    /// Quartiles and outliers, if numeric.
    pub numeric: Option<Numeric>,
}

/// A numeric column's quartiles and Tukey's far-out fences (k = 3).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Numeric {
    /// Smallest value.
    pub min: f64,
    /// First quartile (linear interpolation).
    pub q1: f64,
    /// The median (linear interpolation between ranks).
    pub median: f64,
    /// Third quartile.
    pub q3: f64,
    /// Largest value.
    pub max: f64,
    /// Q1 - 3 IQR.
    pub low_fence: f64,
    /// Q3 + 3 IQR.
    pub high_fence: f64,
    /// Values outside the fences.
    pub outliers: u64,
    /// Values were grouped to 3 significant digits (too many distinct values).
    pub approximate: bool,
}

/// A bar of a histogram or chart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Bar {
    /// What the bar counts ("1", "2", "3–4", "2023-05", "View").
    pub label: String,
    /// How many.
    pub count: u64,
}

/// How many interactions each distinct ID has.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Distribution {
    /// USER_ID, ITEM_ID or ACTION_ID.
    pub field: String,
    /// Distinct IDs.
    pub ids: u64,
    /// Fewest interactions of one ID.
    pub min: u64,
    /// The median (linear interpolation between ranks).
    pub median: f64,
    /// The mean number of interactions per ID.
    pub mean: f64,
    /// Most interactions of one ID.
    pub max: u64,
    /// IDs per bucket of interaction counts.
    pub bars: Vec<Bar>,
}

/// Records of one event type.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EventShare {
    /// The EVENT_TYPE value.
    pub event_type: String,
    /// Records with this event type.
    pub count: u64,
    /// Share of all records with an event type.
    pub share: f64,
}

/// A use case (recommender) and the events it needs.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UseCase {
    /// The use case ("Most viewed"), or "custom solution".
    pub name: String,
    /// The event type it needs 1000 of; `None`: any type.
    pub event_type: Option<String>,
    /// Records of that type (or all records).
    pub events: u64,
    /// Whether `events` >= 1000.
    pub ok: bool,
}

/// Records older than the window a recipe trains on.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Window {
    /// What the window is.
    pub what: String,
    /// The first UTC day in the window.
    pub start_day: String,
    /// Records before it.
    pub older: u64,
}

/// How the IDs of an interactions dataset and of the dataset they refer to overlap.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Coverage {
    /// USER_ID, ITEM_ID or ACTION_ID.
    pub field: String,
    /// The interactions dataset (API name).
    pub interactions_dataset: String,
    /// The dataset the IDs refer to (Items, Users, Actions).
    pub dataset: String,
    /// Distinct IDs in the interactions.
    pub interaction_ids: u64,
    /// All interactions of the interactions dataset.
    pub interactions: u64,
    /// Distinct interaction IDs the dataset lacks.
    pub missing_ids: u64,
    /// Interactions with such an ID.
    pub missing_interactions: u64,
    /// Distinct IDs in the dataset.
    pub dataset_ids: u64,
    /// Of those, IDs no interaction mentions.
    pub without_interactions: u64,
    /// Missing interaction IDs that match a dataset ID after trimming spaces and lower-casing.
    pub near_ids: u64,
    /// Interactions with such an ID.
    pub near_interactions: u64,
    /// Examples: (interaction ID, dataset ID).
    pub examples: Vec<(String, String)>,
}

/// What one dataset's read left: the check, the insights' counts and the action counts.
type Read = (Checked, tally::Capture, ActionCounts);

/// Analyses the datasets of one run: each is validated and analysed in one read, then IDs are
/// compared between the interactions and the Items, Users and Actions datasets of the run.
/// Returns one report per set, in order, each beside its [`Insights`].
pub fn insights(
    sets: Vec<InsightSet<'_>>,
    opts: &Options,
    iopts: &InsightOptions,
) -> Result<Vec<(Report, Insights)>, Error> {
    let mut done: Vec<Read> = Vec::with_capacity(sets.len());
    for set in sets {
        let mut watch = (tally::Capture::default(), ActionCounts::default());
        let checked = engine::check(
            set.schema,
            set.inputs,
            set.extra,
            opts,
            &mut watch,
            Limits::Judge,
        )?;
        let (mut capture, actions) = watch;
        capture.finish();
        done.push((checked, capture, actions));
    }
    let mut found: Vec<(Insights, Vec<Diagnostic>)> = done
        .iter()
        .map(|(checked, capture, _)| {
            let schema = checked.schema.as_ref();
            analyse::dataset(
                capture,
                schema.map(|s| s.dataset_type),
                schema.and_then(|s| s.domain),
                iopts,
            )
        })
        .collect::<Result<_, _>>()
        .map_err(polars_error)?;

    // Coverage: each interactions dataset against the Items, Users and Actions of the run.
    let type_of = |i: usize| done[i].1.spec.as_ref().map(|s| s.dataset_type);
    for i in 0..done.len() {
        let Some(ty) = type_of(i).filter(|t| t.is_interactions()) else {
            continue;
        };
        for (kind, target) in [
            (tally::IdKind::Item, DatasetType::Items),
            (tally::IdKind::User, DatasetType::Users),
            (tally::IdKind::Action, DatasetType::Actions),
        ] {
            let Some(j) = (0..done.len()).find(|&j| type_of(j) == Some(target)) else {
                continue;
            };
            let ids = &done[i].1.tally.ids[kind as usize];
            if ids.map.is_empty() {
                continue;
            }
            let (cov, for_interactions, for_dataset) =
                analyse::coverage(ids, &done[j].1.tally.ids[kind as usize], kind, ty, target)
                    .map_err(polars_error)?;
            found[i].0.coverage.push(cov);
            found[i].1.extend(for_interactions);
            found[j].1.extend(for_dataset);
        }
    }

    training_limits(&done, &mut found);

    // The rules detected in their own files (rules::hooks::InsightsHook).
    for ((checked, _, _), (ins, diags)) in done.iter().zip(found.iter_mut()) {
        let cx = InsightsCx {
            insights: ins,
            dataset_type: checked.schema.as_ref().map(|s| s.dataset_type),
        };
        crate::rules::hooks::insights(checked.collector.policy(), &cx, diags);
    }

    let mut reports = Vec::with_capacity(done.len());
    for ((mut checked, _, _), (mut ins, diags)) in done.into_iter().zip(found) {
        for d in diags {
            checked.collector.push_dataset(d);
        }
        let mut report = checked.into_report();
        if !iopts.keep_validation {
            let all = report.summary.clone();
            report
                .retain(|r| r.family == Family::Insights || SHOWN_DATASET_RULES.contains(&r.code));
            let hidden = Summary {
                errors: all.errors - report.summary.errors,
                warnings: all.warnings - report.summary.warnings,
                infos: all.infos - report.summary.infos,
                ..Summary::default()
            };
            if hidden.errors + hidden.warnings + hidden.infos > 0 {
                ins.validation = Some(hidden);
            }
        }
        reports.push((report, ins));
    }
    Ok(reports)
}

/// The limits training applies without a word (PF512–PF514, see [`crate::training`]), each on
/// the dataset it is about: the items of the Items dataset (plus the interactions' item IDs it
/// lacks, when both are analysed), or of the interactions when no Items dataset is given; the
/// same for actions; Next-Best-Action's per-action minimum on action interactions.
fn training_limits(done: &[Read], found: &mut [(Insights, Vec<Diagnostic>)]) {
    use crate::training;
    let type_of = |i: usize| done[i].1.spec.as_ref().map(|s| s.dataset_type);
    let has = |t: DatasetType| (0..done.len()).any(|i| type_of(i) == Some(t));
    for i in 0..done.len() {
        let distinct = |kind: tally::IdKind| done[i].1.tally.ids[kind as usize].map.len() as u64;
        // Interaction IDs the dataset lacks, from the coverage of the interactions against it.
        let missing = |field: &str, dataset: &str| -> u64 {
            found
                .iter()
                .flat_map(|f| &f.0.coverage)
                .filter(|c| c.field == field && c.dataset == dataset)
                .map(|c| c.missing_ids)
                .max()
                .unwrap_or(0)
        };
        let d = match type_of(i) {
            Some(DatasetType::Items) => training::items_finding(
                distinct(tally::IdKind::Item) + missing("ITEM_ID", DatasetType::Items.api_name()),
                Holds::Files,
            ),
            Some(DatasetType::Interactions) if !has(DatasetType::Items) => {
                training::items_finding(distinct(tally::IdKind::Item), Holds::Files)
            }
            Some(DatasetType::Actions) => training::actions_finding(
                distinct(tally::IdKind::Action)
                    + missing("ACTION_ID", DatasetType::Actions.api_name()),
                Holds::Files,
            ),
            Some(DatasetType::ActionInteractions) => {
                let scores = done[i]
                    .2
                    .window
                    .as_ref()
                    .map(crate::training::ActionWindow::summary);
                let beyond = if has(DatasetType::Actions) {
                    None
                } else {
                    training::actions_finding(distinct(tally::IdKind::Action), Holds::Files)
                };
                if let Some(d) = beyond {
                    found[i].1.push(d);
                }
                scores.as_ref().and_then(training::action_scores_finding)
            }
            _ => None,
        };
        if let Some(d) = d {
            found[i].1.push(d);
        }
    }
}

fn polars_error(e: polars::error::PolarsError) -> Error {
    Error::Read {
        path: "the insight frames".into(),
        source: std::io::Error::other(e.to_string()),
    }
}
