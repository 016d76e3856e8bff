//! What an import changes in recommendations, per model: a pure function of the model's recipe
//! (or the recommender's use case) and its training settings, from the Personalize docs' pages
//! "How new data influences real-time recommendations", "Updating data in datasets after
//! training", "Automatic updates", "Configuring automatic training" and the recipes' pages:
//!
//! - bulk interactions reach a model only at its next training (they are not used for
//!   real-time personalization): a new solution version, made by automatic training when it is
//!   on (every 7 days by default, and only when interactions were imported since the last), or
//!   by hand; recommenders retrain weekly;
//! - new items reach User-Personalization (and -v2), Next-Best-Action (new actions), and the
//!   "Top picks for you" and "Recommended for you" use cases within about 2 hours through
//!   automatic updates, with exploration; every other recipe needs a new solution version;
//!   Trending-Now finds new items in the interactions at each trend refresh (at least every 2
//!   hours) and does not use the Items dataset;
//! - new users without interactions get popular items (made more relevant by their metadata
//!   with the recipes and use cases that read it) until their interactions are trained on;
//! - filters are refreshed with the new data within 20 minutes of the job turning ACTIVE.

use serde::Serialize;

use crate::solutions::{Model, Solution, TrainingMode};

/// When the filters of the dataset group see the new data.
pub const FILTER_REFRESH: &str =
    "filters are refreshed with the new data within 20 minutes of the import job turning ACTIVE";

/// The default schedule of automatic training.
pub const DEFAULT_AUTO_TRAINING: &str = "rate(7 days)";

/// A kind of new data an import brings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Item IDs the dataset did not have (Items dataset).
    NewItems,
    /// User IDs the dataset did not have (Users dataset, or first interactions).
    NewUsers,
    /// Item interactions.
    NewInteractions,
    /// Action IDs the dataset did not have (Actions dataset).
    NewActions,
    /// Action interactions.
    NewActionInteractions,
}

impl Change {
    /// How the change is named in a sentence.
    pub fn noun(self) -> &'static str {
        match self {
            Change::NewItems => "new items",
            Change::NewUsers => "new users",
            Change::NewInteractions => "new interactions",
            Change::NewActions => "new actions",
            Change::NewActionInteractions => "new action interactions",
        }
    }
}

/// What makes a change reach recommendations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reach", rename_all = "kebab-case")]
pub enum Reach {
    /// Without training, within about this long (automatic updates, trend refresh).
    Automatic {
        /// "about 2 hours".
        within: String,
    },
    /// At the next solution version: made by automatic training on this schedule, or (`None`)
    /// by hand (`preflight train`).
    NewSolutionVersion {
        /// The automatic-training schedule, if automatic training is on.
        automatic: Option<String>,
    },
    /// At the recommender's weekly retraining.
    WeeklyRetraining,
    /// Popular items until the user's interactions are trained on.
    PopularItemsFirst,
    /// The model does not use this data.
    NotUsed,
}

/// One change's effect on one model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Effect {
    /// What the import changes (new items, new interactions, replaced records…).
    pub change: Change,
    /// What makes it reach recommendations.
    pub reach: Reach,
    /// One line for people: "new items: automatic update within about 2 hours".
    pub text: String,
}

/// The recipes and use cases, by what matters here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// User-Personalization (v1, and v2): automatic updates bring new items.
    UserPersonalization {
        update_mode: bool,
    },
    NextBestAction,
    TrendingNow,
    /// Semantic-Similarity, SIMS, Similar-Items: item to item; users do not matter.
    ItemToItem {
        semantic: bool,
    },
    PopularityCount,
    /// Personalized-Ranking (v1, v2), Item-Affinity, Item-Attribute-Affinity, legacy HRNN.
    Retrained {
        reads_user_metadata: bool,
    },
    /// "Top picks for you", "Recommended for you": automatic updates bring new items.
    RecommenderAutoUpdated,
    /// Any other use case.
    Recommender,
    Unknown,
}

/// The recipe's name: `arn:aws:personalize:::recipe/aws-user-personalization` →
/// `aws-user-personalization`.
pub fn recipe_name(recipe_arn: &str) -> &str {
    recipe_arn.rsplit('/').next().unwrap_or(recipe_arn)
}

fn kind(model: &Model) -> Kind {
    let name = model.recipe_arn().map(recipe_name).unwrap_or_default();
    match model {
        Model::Recommender(_) => match name {
            "aws-ecomm-recommended-for-you" | "aws-vod-top-picks" => Kind::RecommenderAutoUpdated,
            _ => Kind::Recommender,
        },
        Model::Solution(_) => match name {
            "aws-user-personalization" => Kind::UserPersonalization { update_mode: true },
            "aws-user-personalization-v2" => Kind::UserPersonalization { update_mode: false },
            "aws-hrnn-coldstart" => Kind::Retrained {
                reads_user_metadata: true,
            },
            "aws-next-best-action" => Kind::NextBestAction,
            "aws-trending-now" => Kind::TrendingNow,
            "aws-semantic-similarity" => Kind::ItemToItem { semantic: true },
            "aws-sims" | "aws-similar-items" => Kind::ItemToItem { semantic: false },
            "aws-popularity-count" => Kind::PopularityCount,
            "aws-personalized-ranking" | "aws-personalized-ranking-v2" | "aws-hrnn-metadata" => {
                Kind::Retrained {
                    reads_user_metadata: true,
                }
            }
            "aws-item-affinity" | "aws-item-attribute-affinity" | "aws-hrnn" => Kind::Retrained {
                reads_user_metadata: false,
            },
            _ => Kind::Unknown,
        },
    }
}

/// The next-training reach of a solution, from its automatic-training settings.
fn retraining(s: &Solution) -> Reach {
    match s.auto_training {
        Some(true) => Reach::NewSolutionVersion {
            automatic: Some(
                s.auto_training_schedule
                    .clone()
                    .unwrap_or_else(|| DEFAULT_AUTO_TRAINING.to_string()),
            ),
        },
        _ => Reach::NewSolutionVersion { automatic: None },
    }
}

fn retraining_text(reach: &Reach) -> String {
    match reach {
        Reach::NewSolutionVersion {
            automatic: Some(schedule),
        } => format!(
            "at the next automatic training ({schedule}; it runs only if interactions were imported since the last one), or sooner with `preflight train`"
        ),
        _ => "needs a new solution version (`preflight train`)".to_string(),
    }
}

/// What makes one change reach one model's recommendations.
pub fn effect(model: &Model, change: Change) -> Effect {
    use Change::*;
    let k = kind(model);
    let solution = match model {
        Model::Solution(s) => Some(s),
        Model::Recommender(_) => None,
    };
    // A solution not trained yet: its first version will use everything.
    if let Some(s) = solution {
        if s.latest_version.is_none() {
            let reach = retraining(s);
            return Effect {
                change,
                text: format!(
                    "{}: the solution has no solution version yet; its first training uses all the data",
                    change.noun()
                ),
                reach,
            };
        }
    }
    let trained = || solution.map(retraining).unwrap_or(Reach::WeeklyRetraining);
    let (reach, detail): (Reach, String) = match (k, change) {
        (Kind::Recommender | Kind::RecommenderAutoUpdated, NewInteractions) => (
            Reach::WeeklyRetraining,
            "at the recommender's weekly retraining".into(),
        ),
        (Kind::RecommenderAutoUpdated, NewItems) => (
            Reach::Automatic {
                within: "about 2 hours".into(),
            },
            "automatic update within about 2 hours (then shown with exploration); fully learned at the weekly retraining".into(),
        ),
        (Kind::Recommender, NewItems) => (
            Reach::WeeklyRetraining,
            "at the recommender's weekly retraining".into(),
        ),
        (Kind::Recommender | Kind::RecommenderAutoUpdated, NewUsers) => (
            Reach::PopularItemsFirst,
            "popular items until their interactions are learned at the weekly retraining".into(),
        ),
        (Kind::Recommender | Kind::RecommenderAutoUpdated, NewActions | NewActionInteractions) => {
            (Reach::NotUsed, "not used by domain recommenders".into())
        }
        (Kind::UserPersonalization { .. }, NewItems) => (
            Reach::Automatic {
                within: "about 2 hours".into(),
            },
            "automatic update within about 2 hours for the campaign's solution version (then shown with exploration); batch jobs need a new solution version".into(),
        ),
        (Kind::NextBestAction, NewActions) => (
            Reach::Automatic {
                within: "about 2 hours".into(),
            },
            "automatic update within about 2 hours (then recommended with exploration)".into(),
        ),
        (Kind::TrendingNow, NewInteractions) => {
            let every = solution
                .and_then(|s| s.trend_discovery_frequency.clone())
                .unwrap_or_else(|| "2 hours".into());
            (
                Reach::Automatic {
                    within: format!("the next trend refresh (every {every}, at least every 2 hours)"),
                },
                format!("used at the next trend refresh (every {every}, recommendations refreshed at least every 2 hours); items new in them become candidates then"),
            )
        }
        (Kind::TrendingNow, NewItems | NewUsers) => (
            Reach::NotUsed,
            "Trending-Now does not use the Items or Users dataset (only for filtering)".into(),
        ),
        (Kind::ItemToItem { semantic: true }, NewItems)
            if solution.and_then(|s| s.incremental_update) == Some(true) =>
        {
            (
                Reach::Automatic {
                    within: "the next incremental update".into(),
                },
                "learned by the solution's incremental updates, without a full retraining".into(),
            )
        }
        (Kind::ItemToItem { .. } | Kind::PopularityCount, NewUsers) => (
            Reach::NotUsed,
            "this recipe does not personalize by user".into(),
        ),
        (
            Kind::UserPersonalization { .. } | Kind::Retrained { reads_user_metadata: true },
            NewUsers,
        ) => (
            Reach::PopularItemsFirst,
            "popular items at first (made more relevant by their metadata), their own recommendations after the next solution version or their real-time events".into(),
        ),
        (_, NewUsers) => (
            Reach::PopularItemsFirst,
            "popular items until their interactions are in a new solution version".into(),
        ),
        (Kind::NextBestAction, NewActionInteractions | NewInteractions | NewItems) => {
            let reach = trained();
            let text = retraining_text(&reach);
            (reach, text)
        }
        (_, NewActions | NewActionInteractions) => (
            Reach::NotUsed,
            "only Next-Best-Action uses actions".into(),
        ),
        (_, NewInteractions | NewItems) => {
            let reach = trained();
            let text = retraining_text(&reach);
            (reach, text)
        }
    };
    Effect {
        change,
        text: format!("{}: {detail}", change.noun()),
        reach,
    }
}

/// The effects of several changes on one model, in the order given.
pub fn effects(model: &Model, changes: &[Change]) -> Vec<Effect> {
    changes.iter().map(|&c| effect(model, c)).collect()
}

/// Which training mode to ask for, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainingChoice {
    /// FULL or UPDATE.
    pub mode: TrainingMode,
    /// Why, in one sentence.
    pub why: String,
}

/// FULL, or UPDATE when the recipe supports it (User-Personalization, the legacy
/// HRNN-Coldstart), the solution has an ACTIVE version to update, and the import brought only
/// items. UPDATE adds the new items to the latest model without retraining on interactions; the
/// API docs note it stops the automatic updates of that version until the next FULL training.
pub fn choose_training_mode(solution: &Solution, changes: &[Change]) -> TrainingChoice {
    let name = solution
        .recipe_arn
        .as_deref()
        .map(recipe_name)
        .unwrap_or_default();
    let supports_update = matches!(name, "aws-user-personalization" | "aws-hrnn-coldstart");
    let has_active = solution
        .latest_version
        .as_ref()
        .is_some_and(|v| v.status == crate::personalize::STATUS_ACTIVE);
    let only_items = !changes.is_empty() && changes.iter().all(|c| *c == Change::NewItems);
    let full = |why: String| TrainingChoice {
        mode: TrainingMode::Full,
        why,
    };
    if !supports_update {
        return full(format!(
            "the recipe `{}` trains only in FULL mode",
            if name.is_empty() { "(unknown)" } else { name }
        ));
    }
    if !has_active {
        return full("UPDATE needs an ACTIVE solution version to update; there is none".into());
    }
    if !only_items {
        let others: Vec<&str> = changes
            .iter()
            .filter(|c| **c != Change::NewItems)
            .map(|c| c.noun())
            .collect();
        return full(if others.is_empty() {
            "no new items were imported, and UPDATE only brings in new items".into()
        } else {
            format!(
                "the import brings {}, which only a FULL training learns",
                others.join(", ")
            )
        });
    }
    TrainingChoice {
        mode: TrainingMode::Update,
        why: "only items changed, and UPDATE brings them into the latest User-Personalization model without a full retraining (it stops that version's automatic updates until the next FULL training)".into(),
    }
}

#[cfg(test)]
mod tests;
