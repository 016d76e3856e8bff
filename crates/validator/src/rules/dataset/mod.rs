//! Rules of the dataset family.

pub mod duplicate_id;
pub mod duplicate_interaction;
pub mod event_type_variants;
pub mod existing_data_unknown;
pub mod full_import_drops_records;
pub mod full_import_too_large;
pub mod identical_timestamps;
pub mod incremental_import_too_large;
pub mod incremental_without_existing_data;
pub mod low_share_of_repeat_users;
pub mod missing_domain_event_type;
pub mod too_few_interactions;
pub mod too_few_new_interactions;
pub mod too_few_repeat_users;
pub mod too_many_event_types;

pub use duplicate_id::PF307;
pub use duplicate_interaction::PF308;
pub use event_type_variants::PF305;
pub use existing_data_unknown::PF315;
pub use full_import_drops_records::PF313;
pub use full_import_too_large::PF312;
pub use identical_timestamps::PF309;
pub use incremental_import_too_large::PF311;
pub use incremental_without_existing_data::PF314;
pub use low_share_of_repeat_users::PF303;
pub use missing_domain_event_type::PF306;
pub use too_few_interactions::PF301;
pub use too_few_new_interactions::PF310;
pub use too_few_repeat_users::PF302;
pub use too_many_event_types::PF304;
