//! Rules of the dataset family.

pub mod duplicate_id;
pub mod duplicate_interaction;
pub mod event_type_variants;
pub mod identical_timestamps;
pub mod low_share_of_repeat_users;
pub mod missing_domain_event_type;
pub mod too_few_interactions;
pub mod too_few_repeat_users;
pub mod too_many_event_types;

pub use duplicate_id::PF307;
pub use duplicate_interaction::PF308;
pub use event_type_variants::PF305;
pub use identical_timestamps::PF309;
pub use low_share_of_repeat_users::PF303;
pub use missing_domain_event_type::PF306;
pub use too_few_interactions::PF301;
pub use too_few_repeat_users::PF302;
pub use too_many_event_types::PF304;
