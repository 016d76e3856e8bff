//! Rules of the insights family (PF5xx): what Personalize's own data analysis would report,
//! from `preflight insights` or `validate --insights`. Thresholds are stated in each rule.

pub mod actions_below_next_best_action_minimum;
pub mod actions_beyond_training_limit;
pub mod all_distinct_attribute;
pub mod constant_attribute;
pub mod high_cardinality_categorical;
pub mod id_matches_only_after_normalising;
pub mod incomplete_column;
pub mod incomplete_textual_column;
pub mod interaction_ids_missing_from_dataset;
pub mod interactions_outside_training_window;
pub mod items_beyond_training_limit;
pub mod numeric_outliers;
pub mod records_without_interactions;
pub mod too_many_categories;

pub use actions_below_next_best_action_minimum::PF514;
pub use actions_beyond_training_limit::PF513;
pub use all_distinct_attribute::PF506;
pub use constant_attribute::PF505;
pub use high_cardinality_categorical::PF504;
pub use id_matches_only_after_normalising::PF511;
pub use incomplete_column::PF501;
pub use incomplete_textual_column::PF502;
pub use interaction_ids_missing_from_dataset::PF509;
pub use interactions_outside_training_window::PF508;
pub use items_beyond_training_limit::PF512;
pub use numeric_outliers::PF507;
pub use records_without_interactions::PF510;
pub use too_many_categories::PF503;
