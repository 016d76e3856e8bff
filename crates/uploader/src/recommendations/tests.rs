//! What an import changes, per recipe and use case, as a table.

use super::*;
use crate::solutions::{LatestVersion, RecommenderSummary};

fn solution(recipe: &str, auto_training: Option<bool>) -> Model {
    Model::Solution(Solution {
        arn: format!("arn:aws:personalize:us-east-1:111122223333:solution/{recipe}"),
        name: recipe.into(),
        status: "ACTIVE".into(),
        recipe_arn: Some(format!("arn:aws:personalize:::recipe/{recipe}")),
        auto_training,
        auto_training_schedule: None,
        incremental_update: None,
        trend_discovery_frequency: None,
        latest_version: Some(LatestVersion {
            arn: "arn:aws:personalize:us-east-1:111122223333:solution/x/v1".into(),
            status: "ACTIVE".into(),
            training_mode: Some("FULL".into()),
        }),
    })
}

fn recommender(recipe: &str) -> Model {
    Model::Recommender(RecommenderSummary {
        arn: format!("arn:aws:personalize:us-east-1:111122223333:recommender/{recipe}"),
        name: recipe.into(),
        status: "ACTIVE".into(),
        recipe_arn: Some(format!("arn:aws:personalize:::recipe/{recipe}")),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum R {
    Auto,
    VersionAuto,
    VersionManual,
    Weekly,
    Popular,
    NotUsed,
}

fn r(reach: &Reach) -> R {
    match reach {
        Reach::Automatic { .. } => R::Auto,
        Reach::NewSolutionVersion { automatic: Some(_) } => R::VersionAuto,
        Reach::NewSolutionVersion { automatic: None } => R::VersionManual,
        Reach::WeeklyRetraining => R::Weekly,
        Reach::PopularItemsFirst => R::Popular,
        Reach::NotUsed => R::NotUsed,
    }
}

#[test]
fn what_makes_each_change_reach_each_model() {
    use Change::*;
    let up = solution("aws-user-personalization", Some(false));
    let up_auto = solution("aws-user-personalization", Some(true));
    let up2 = solution("aws-user-personalization-v2", Some(true));
    let ranking = solution("aws-personalized-ranking-v2", Some(false));
    let sims = solution("aws-sims", None);
    let trending = solution("aws-trending-now", Some(true));
    let nba = solution("aws-next-best-action", Some(false));
    let popular = solution("aws-popularity-count", Some(false));
    let segments = solution("aws-item-affinity", Some(false));
    let unknown = solution("aws-some-future-recipe", Some(false));
    let top_picks = recommender("aws-vod-top-picks");
    let for_you = recommender("aws-ecomm-recommended-for-you");
    let also_viewed = recommender("aws-ecomm-customers-who-viewed-x-also-viewed");
    // (model, change, reach, words the line must hold)
    #[rustfmt::skip]
    let table: Vec<(&Model, Change, R, &str)> = vec![
        // User-Personalization: new items by automatic update; interactions need training.
        (&up, NewItems, R::Auto, "new items: automatic update within about 2 hours"),
        (&up, NewInteractions, R::VersionManual, "new interactions: needs a new solution version"),
        (&up_auto, NewInteractions, R::VersionAuto, "at the next automatic training (rate(7 days)"),
        (&up, NewUsers, R::Popular, "popular items at first"),
        (&up2, NewItems, R::Auto, "about 2 hours"),
        (&up2, NewInteractions, R::VersionAuto, "automatic training"),
        // Other custom recipes need a new solution version for new items.
        (&ranking, NewItems, R::VersionManual, "needs a new solution version"),
        (&ranking, NewUsers, R::Popular, "popular items"),
        (&sims, NewItems, R::VersionManual, "needs a new solution version"),
        (&sims, NewUsers, R::NotUsed, "does not personalize by user"),
        (&popular, NewInteractions, R::VersionManual, "new solution version"),
        (&segments, NewUsers, R::Popular, "popular items until their interactions"),
        (&unknown, NewItems, R::VersionManual, "new solution version"),
        // Trending-Now reads interactions at each trend refresh and ignores the Items dataset.
        (&trending, NewInteractions, R::Auto, "next trend refresh (every 2 hours"),
        (&trending, NewItems, R::NotUsed, "does not use the Items"),
        // Next-Best-Action: new actions by automatic update, action interactions by training.
        (&nba, NewActions, R::Auto, "new actions: automatic update within about 2 hours"),
        (&nba, NewActionInteractions, R::VersionManual, "new solution version"),
        (&up, NewActions, R::NotUsed, "only Next-Best-Action uses actions"),
        // Recommenders: weekly retraining; Top picks / Recommended for you update new items.
        (&top_picks, NewItems, R::Auto, "about 2 hours"),
        (&for_you, NewItems, R::Auto, "about 2 hours"),
        (&also_viewed, NewItems, R::Weekly, "weekly retraining"),
        (&for_you, NewInteractions, R::Weekly, "new interactions: at the recommender's weekly retraining"),
        (&also_viewed, NewUsers, R::Popular, "popular items"),
    ];
    let mut failures = Vec::new();
    for (model, change, want, words) in table {
        let e = effect(model, change);
        if r(&e.reach) != want || !e.text.contains(words) {
            failures.push(format!(
                "{} / {change:?}: want {want:?} with `{words}`, got {:?}: {}",
                model.name(),
                e.reach,
                e.text
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn settings_of_the_solution_change_the_answer() {
    // A custom schedule is quoted.
    let Model::Solution(mut s) = solution("aws-user-personalization", Some(true)) else {
        unreachable!()
    };
    s.auto_training_schedule = Some("rate(3 days)".into());
    let e = effect(&Model::Solution(s.clone()), Change::NewInteractions);
    assert_eq!(
        e.reach,
        Reach::NewSolutionVersion {
            automatic: Some("rate(3 days)".into())
        }
    );
    // Trending-Now's own frequency.
    let Model::Solution(mut t) = solution("aws-trending-now", None) else {
        unreachable!()
    };
    t.trend_discovery_frequency = Some("30 minutes".into());
    assert!(effect(&Model::Solution(t), Change::NewInteractions)
        .text
        .contains("every 30 minutes"));
    // Semantic-Similarity with incremental updates learns new items without retraining.
    let Model::Solution(mut sem) = solution("aws-semantic-similarity", Some(false)) else {
        unreachable!()
    };
    assert_eq!(
        r(&effect(&Model::Solution(sem.clone()), Change::NewItems).reach),
        R::VersionManual
    );
    sem.incremental_update = Some(true);
    assert_eq!(
        r(&effect(&Model::Solution(sem), Change::NewItems).reach),
        R::Auto
    );
    // A solution never trained: its first version uses everything.
    s.latest_version = None;
    let e = effect(&Model::Solution(s), Change::NewItems);
    assert!(e.text.contains("no solution version yet"), "{}", e.text);
}

#[test]
fn update_only_where_the_recipe_supports_it_and_only_items_changed() {
    let Model::Solution(up) = solution("aws-user-personalization", Some(true)) else {
        unreachable!()
    };
    let Model::Solution(up2) = solution("aws-user-personalization-v2", Some(true)) else {
        unreachable!()
    };
    let Model::Solution(cold) = solution("aws-hrnn-coldstart", None) else {
        unreachable!()
    };
    let mut untrained = up.clone();
    untrained.latest_version = None;
    let mut failed = up.clone();
    if let Some(v) = failed.latest_version.as_mut() {
        v.status = "CREATE FAILED".into();
    }
    use Change::*;
    #[rustfmt::skip]
    let table: Vec<(&Solution, &[Change], TrainingMode, &str)> = vec![
        (&up, &[NewItems], TrainingMode::Update, "only items changed"),
        (&cold, &[NewItems], TrainingMode::Update, "only items changed"),
        (&up, &[NewItems, NewInteractions], TrainingMode::Full, "brings new interactions"),
        (&up, &[NewUsers], TrainingMode::Full, "brings new users"),
        (&up, &[], TrainingMode::Full, "no new items"),
        (&up2, &[NewItems], TrainingMode::Full, "`aws-user-personalization-v2` trains only in FULL"),
        (&untrained, &[NewItems], TrainingMode::Full, "needs an ACTIVE solution version"),
        (&failed, &[NewItems], TrainingMode::Full, "needs an ACTIVE solution version"),
    ];
    for (s, changes, mode, words) in table {
        let c = choose_training_mode(s, changes);
        assert_eq!(c.mode, mode, "{} {changes:?}: {}", s.name, c.why);
        assert!(c.why.contains(words), "{} {changes:?}: {}", s.name, c.why);
    }
}

#[test]
fn the_filter_refresh_is_twenty_minutes() {
    assert!(FILTER_REFRESH.contains("within 20 minutes"));
}
