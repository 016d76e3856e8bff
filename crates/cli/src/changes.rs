//! What an import changes in recommendations (`plan`, `run`): how much new data it brings
//! (new item IDs, user IDs, interactions…, from the plan) and, for each kind, what makes it
//! reach recommendations; with `--dataset-arn`, per solution and recommender of the dataset
//! group (ListSolutions + DescribeSolution, ListRecommenders), from
//! `preflight_uploader::recommendations`.

use preflight_uploader::personalize::Personalize;
use preflight_uploader::recommendations::FILTER_REFRESH;
use preflight_uploader::{dataset_group_models, effect, Change, Model, SdkPersonalize};
use preflight_validator::{DatasetType, ExistingState, Plan};
use serde::Serialize;

use crate::render::thousands;
use crate::session::Session;

/// The `changes` of a plan.
#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    /// The import mode (how the counts read).
    #[serde(skip)]
    pub mode: preflight_validator::Mode,
    /// What the import brings.
    pub new: Vec<NewData>,
    /// The dataset group's models, when `--dataset-arn` was given and they could be listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<ModelChanges>>,
    /// Why the models are not listed, when they could not be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models_unknown: Option<String>,
    /// When filters see the new data.
    pub filters: &'static str,
}

/// One kind of new data.
#[derive(Debug, Clone, Serialize)]
pub struct NewData {
    /// `new-items`, `new-users`, `new-interactions`…
    pub change: Change,
    /// How many, when the existing data is known.
    pub count: Option<u64>,
    /// At most this many, when it is not (the batch's distinct records).
    pub at_most: Option<u64>,
    /// What the count is measured against, for the users and items of an interactions import:
    /// `existing-interactions` (given; for FULL, the bulk interactions the job replaces),
    /// `empty-dataset`, or `batch` (the existing data is unknown: the batch's distinct IDs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub against: Option<&'static str>,
    /// What makes it reach recommendations, in general.
    pub reaches: &'static str,
}

/// One model and what each kind of new data does to it.
#[derive(Debug, Clone, Serialize)]
pub struct ModelChanges {
    /// `solution` or `recommender`.
    pub kind: &'static str,
    /// The name it was created with, shown beside its ARN.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// Its recipe (or use case), when known.
    pub recipe: Option<String>,
    /// One line per kind of new data.
    pub effects: Vec<String>,
}

/// The kind of new data an import into a dataset of this type brings.
pub fn change_of(ty: DatasetType) -> Change {
    match ty {
        DatasetType::Items => Change::NewItems,
        DatasetType::Users => Change::NewUsers,
        DatasetType::Interactions => Change::NewInteractions,
        DatasetType::Actions => Change::NewActions,
        DatasetType::ActionInteractions => Change::NewActionInteractions,
    }
}

/// What makes a kind of new data reach recommendations, whatever the models (spec of the
/// Personalize docs: automatic updates, training, popular items for new users).
fn reaches(change: Change) -> &'static str {
    match change {
        Change::NewItems => "User-Personalization and the \"Top picks for you\" and \"Recommended for you\" recommenders recommend new items within about 2 hours (automatic updates); other recipes only after a new solution version",
        Change::NewUsers => "a new user without interactions gets popular items until their interactions are trained on",
        Change::NewInteractions => "bulk interactions reach a solution only at its next solution version (automatic training, or `preflight train`); recommenders retrain weekly",
        Change::NewActions => "Next-Best-Action recommends new actions within about 2 hours (automatic updates)",
        Change::NewActionInteractions => "action interactions reach Next-Best-Action at its next solution version",
    }
}

/// What makes the users and items (actions) of an interactions import that the existing
/// interactions lack reach recommendations (docs/personalize.md#when-new-data-reaches-recommendations).
/// Sources: "How new data influences real-time recommendations"
/// (<https://docs.aws.amazon.com/personalize/latest/dg/how-new-data-influences-recommendations.html>:
/// bulk interactions are learned only at the next training; interactions that involve a new
/// item or action may be considered without training by the recipes and use cases with
/// exploration, through their automatic updates about every two hours) and "Updating existing
/// bulk data" (<https://docs.aws.amazon.com/personalize/latest/dg/updating-existing-bulk-data.html>:
/// new users without interactions data get popular items at first).
fn reaches_from_interactions(change: Change) -> &'static str {
    match change {
        Change::NewUsers => "their bulk interactions reach a model only at its next training (a new solution version; recommenders retrain weekly); until then it recommends them popular items, as to any user it has not seen",
        Change::NewActions => "Next-Best-Action may recommend an action it has not seen after an automatic update (about every 2 hours, with exploration); the interactions are learned at its next solution version",
        _ => "User-Personalization and the \"Top picks for you\" and \"Recommended for you\" recommenders may recommend an item they have not seen after an automatic update (about every 2 hours, with exploration); other recipes only after a new solution version, recommenders at their weekly retraining",
    }
}

/// What users or items (actions) that only the new interactions bring do to one model: as for
/// an Items or Users import, except where the model takes them from the interactions
/// themselves: Trending-Now finds new items in the interactions at its next trend refresh.
/// `None` where the docs say nothing this tool can rely on: Trending-Now and new users, and
/// Semantic-Similarity, which recommends items by their metadata in the Items dataset, not by
/// the interactions.
fn effect_from_interactions(m: &Model, change: Change) -> Option<String> {
    let recipe = m
        .recipe_arn()
        .map(preflight_uploader::recommendations::recipe_name)
        .unwrap_or_default();
    let as_interactions = || {
        let text = effect(m, Change::NewInteractions).text;
        let detail = text
            .strip_prefix(Change::NewInteractions.noun())
            .unwrap_or(&text);
        format!("{}{detail}", change.noun())
    };
    match (recipe, change) {
        ("aws-trending-now", Change::NewUsers) | ("aws-semantic-similarity", Change::NewItems) => {
            None
        }
        ("aws-trending-now", Change::NewItems) => Some(as_interactions()),
        _ => Some(effect(m, change).text),
    }
}

/// The new users and items (actions) of an interactions import, as the plan counted them.
fn new_ids(plan: &Plan) -> Vec<NewData> {
    let Some(ids) = plan.ids else {
        return Vec::new();
    };
    let items = if plan.dataset_type == DatasetType::ActionInteractions {
        Change::NewActions
    } else {
        Change::NewItems
    };
    let against = match plan.existing_state {
        ExistingState::Given => "existing-interactions",
        ExistingState::Empty => "empty-dataset",
        ExistingState::Unknown => "batch",
    };
    [(Change::NewUsers, ids.users), (items, ids.items)]
        .into_iter()
        .map(|(change, c)| {
            let (count, at_most) = if plan.knows_existing() {
                (Some(c.new), None)
            } else {
                (None, Some(c.distinct))
            };
            NewData {
                change,
                count,
                at_most,
                against: Some(against),
                reaches: reaches_from_interactions(change),
            }
        })
        .collect()
}

/// How a count's basis reads in a sentence.
fn against_text(against: &str, mode: preflight_validator::Mode) -> &'static str {
    match (against, mode) {
        ("existing-interactions", preflight_validator::Mode::Full) => {
            " (not in the bulk interactions this FULL import replaces)"
        }
        ("existing-interactions", _) => " (not in the existing interactions)",
        ("empty-dataset", _) => " (the dataset holds no bulk data yet)",
        ("batch", _) => " (the batch's distinct IDs; the existing data is unknown)",
        _ => "",
    }
}

/// Where the dataset group's models are: the dataset (DescribeDataset names its group), or
/// the group itself when already known.
pub enum Group<'a> {
    /// The dataset's ARN.
    OfDataset(&'a str),
    /// The dataset group's ARN (`None`: the dataset names none).
    Known(Option<String>),
}

/// The changes of a plan; the models of the dataset group when `models` is given (a failure to
/// list them is said, not fatal: the plan does not depend on them).
pub fn of(
    plan: &Plan,
    models: Option<(&SdkPersonalize, Group<'_>)>,
    session: &Session,
) -> anyhow::Result<Changes> {
    let change = change_of(plan.dataset_type);
    let (count, at_most) = if plan.knows_existing() {
        (Some(plan.new), None)
    } else {
        (None, Some(plan.batch.distinct))
    };
    let mut new = vec![NewData {
        change,
        count,
        at_most,
        against: None,
        reaches: reaches(change),
    }];
    new.extend(new_ids(plan));
    // The per-model lines: the import's own kind of data, and the users and items it brings
    // (those it may bring, when the existing data is unknown).
    let kinds: Vec<(Change, bool)> = new
        .iter()
        .filter(|n| n.against.is_none() || n.count.or(n.at_most).unwrap_or(0) > 0)
        .map(|n| (n.change, n.against.is_some()))
        .collect();
    let mut out = Changes {
        mode: plan.mode,
        new,
        models: None,
        models_unknown: None,
        filters: FILTER_REFRESH,
    };
    if let Some((p, group)) = models {
        let listed = session.runtime()?.block_on(async {
            let group = match group {
                Group::Known(g) => g,
                Group::OfDataset(arn) => p.describe_dataset(arn).await?.dataset_group_arn,
            };
            let Some(group) = group else {
                return Ok(None);
            };
            dataset_group_models(p, &group).await.map(Some)
        });
        match listed {
            Ok(Some(models)) => {
                out.models = Some(
                    models
                        .iter()
                        .map(|m| ModelChanges {
                            kind: match m {
                                Model::Solution(_) => "solution",
                                Model::Recommender(_) => "recommender",
                            },
                            name: m.name().to_string(),
                            arn: m.arn().to_string(),
                            recipe: m.recipe_arn().map(|r| {
                                preflight_uploader::recommendations::recipe_name(r).to_string()
                            }),
                            effects: kinds
                                .iter()
                                .filter_map(|&(c, in_interactions)| {
                                    if in_interactions {
                                        effect_from_interactions(m, c)
                                    } else {
                                        Some(effect(m, c).text)
                                    }
                                })
                                .collect(),
                        })
                        .collect(),
                )
            }
            Ok(None) => out.models_unknown = Some("DescribeDataset names no dataset group".into()),
            Err(e) => {
                out.models_unknown = Some(format!(
                    "could not list the dataset group's solutions and recommenders: {e}"
                ))
            }
        }
    }
    Ok(out)
}

/// How many of a kind of new data: the count, "at most N" when the existing data is unknown.
fn how_many(n: &NewData) -> String {
    match (n.count, n.at_most) {
        (Some(c), _) => thousands(c),
        (None, Some(m)) => format!("at most {}", thousands(m)),
        (None, None) => "unknown".into(),
    }
}

/// For people: the human format and stderr.
pub fn human(c: &Changes) -> String {
    let mut out = String::from("What this import changes in recommendations:\n");
    for n in &c.new {
        let how_many = how_many(n);
        let against = n.against.map_or("", |a| against_text(a, c.mode));
        out.push_str(&format!(
            "  {how_many} {}{against}: {}\n",
            n.change.noun(),
            n.reaches
        ));
    }
    match (&c.models, &c.models_unknown) {
        (Some(models), _) if models.is_empty() => {
            out.push_str("  The dataset group has no solution or recommender yet.\n")
        }
        (Some(models), _) => {
            for m in models {
                let recipe = m
                    .recipe
                    .as_deref()
                    .map(|r| format!(", {r}"))
                    .unwrap_or_default();
                for e in &m.effects {
                    out.push_str(&format!("  {} `{}`{recipe}: {e}\n", m.kind, m.name));
                }
            }
        }
        (None, Some(why)) => out.push_str(&format!("  Per model: {why}.\n")),
        (None, None) => out.push_str(
            "  Give --dataset-arn to see it per solution and recommender of the dataset group.\n",
        ),
    }
    out.push_str(&format!("  Filters: {}.\n\n", c.filters));
    out
}

/// For a markdown report: a table of the models.
pub fn markdown(c: &Changes) -> String {
    let mut out = String::from("\n#### What this import changes in recommendations\n\n");
    for n in &c.new {
        let how_many = how_many(n);
        let against = n.against.map_or("", |a| against_text(a, c.mode));
        out.push_str(&format!(
            "- **{how_many} {}**{against}: {}\n",
            n.change.noun(),
            n.reaches
        ));
    }
    if let Some(models) = c.models.as_ref().filter(|m| !m.is_empty()) {
        out.push_str("\n| model | recipe | what happens |\n|---|---|---|\n");
        for m in models {
            for e in &m.effects {
                out.push_str(&format!(
                    "| {} `{}` | {} | {} |\n",
                    m.kind,
                    m.name,
                    m.recipe.as_deref().unwrap_or("?"),
                    e.replace('|', "\\|")
                ));
            }
        }
    } else if let Some(why) = &c.models_unknown {
        out.push_str(&format!("\nPer model: {why}.\n"));
    }
    out.push_str(&format!("\nFilters: {}.\n", c.filters));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_dataset_type_brings_its_own_change() {
        assert_eq!(change_of(DatasetType::Items), Change::NewItems);
        assert_eq!(
            change_of(DatasetType::Interactions),
            Change::NewInteractions
        );
        assert!(reaches(Change::NewItems).contains("about 2 hours"));
        assert!(reaches(Change::NewInteractions).contains("next solution version"));
    }
}

#[cfg(test)]
mod model_tests {
    use preflight_uploader::solutions::LatestVersion;
    use preflight_uploader::{RecommenderSummary, Solution};

    use super::*;

    fn models() -> Vec<Model> {
        let up = Solution {
            arn: "arn:aws:personalize:us-east-1:1:solution/shop-up".into(),
            name: "shop-up".into(),
            status: "ACTIVE".into(),
            recipe_arn: Some("arn:aws:personalize:::recipe/aws-user-personalization".into()),
            auto_training: Some(false),
            auto_training_schedule: None,
            incremental_update: None,
            trend_discovery_frequency: None,
            latest_version: Some(LatestVersion {
                arn: "arn:aws:personalize:us-east-1:1:solution/shop-up/1".into(),
                status: "ACTIVE".into(),
                training_mode: Some("FULL".into()),
            }),
        };
        let rfy = RecommenderSummary {
            arn: "arn:aws:personalize:us-east-1:1:recommender/shop-rfy".into(),
            name: "shop-rfy".into(),
            status: "ACTIVE".into(),
            recipe_arn: Some("arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you".into()),
        };
        vec![Model::Solution(up), Model::Recommender(rfy)]
    }

    fn changes(change: Change) -> Changes {
        Changes {
            mode: preflight_validator::Mode::Incremental,
            new: vec![NewData {
                change,
                count: Some(1234),
                at_most: None,
                against: None,
                reaches: reaches(change),
            }],
            models: Some(
                models()
                    .iter()
                    .map(|m| ModelChanges {
                        kind: if matches!(m, Model::Solution(_)) {
                            "solution"
                        } else {
                            "recommender"
                        },
                        name: m.name().into(),
                        arn: m.arn().into(),
                        recipe: m.recipe_arn().map(|r| {
                            preflight_uploader::recommendations::recipe_name(r).to_string()
                        }),
                        effects: vec![effect(m, change).text],
                    })
                    .collect(),
            ),
            models_unknown: None,
            filters: FILTER_REFRESH,
        }
    }

    #[test]
    fn items_new_in_interactions_reach_trending_now_at_its_refresh() {
        let mut trending = match &models()[0] {
            Model::Solution(s) => s.clone(),
            Model::Recommender(_) => unreachable!(),
        };
        trending.recipe_arn = Some("arn:aws:personalize:::recipe/aws-trending-now".into());
        let m = Model::Solution(trending);
        // From an Items import, Trending-Now does not use the items…
        assert!(effect(&m, Change::NewItems).text.contains("does not use"));
        // …but items that appear in new interactions become candidates at the refresh.
        let items = effect_from_interactions(&m, Change::NewItems).unwrap();
        assert!(
            items.starts_with("new items: used at the next trend refresh"),
            "{items}"
        );
        assert_eq!(effect_from_interactions(&m, Change::NewUsers), None);
        // Other models: as for an Items or Users import.
        assert_eq!(
            effect_from_interactions(&models()[0], Change::NewItems),
            Some(effect(&models()[0], Change::NewItems).text)
        );
    }

    #[test]
    fn each_model_says_how_the_new_data_reaches_it() {
        let items = human(&changes(Change::NewItems));
        assert!(items.contains("  1,234 new items: "), "{items}");
        assert!(
            items.contains("solution `shop-up`, aws-user-personalization: new items: automatic update within about 2 hours"),
            "{items}"
        );
        assert!(items.contains("recommender `shop-rfy`"), "{items}");
        let interactions = human(&changes(Change::NewInteractions));
        assert!(
            interactions
                .contains("solution `shop-up`, aws-user-personalization: new interactions:"),
            "{interactions}"
        );
        assert!(interactions.contains("weekly retraining"), "{interactions}");
        assert!(
            interactions.contains("Filters: filters are refreshed"),
            "{interactions}"
        );
        // The example rows of the plan page (docs/commands/plan.md) are these texts.
        let readme = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/commands/plan.md"
        ))
        .unwrap();
        let up_items = effect(&models()[0], Change::NewItems).text;
        assert!(
            readme.contains(&format!(
                "| solution `shop-up` | aws-user-personalization | {up_items} |"
            )),
            "{up_items}"
        );
        let rfy = effect(&models()[1], Change::NewInteractions).text;
        assert!(
            readme.contains(&format!("| aws-ecomm-recommended-for-you | {rfy} |")),
            "{rfy}"
        );
        let md = markdown(&changes(Change::NewItems));
        assert!(
            md.contains("| solution `shop-up` | aws-user-personalization |"),
            "{md}"
        );
    }
}
