//! Rules of the access family (PF6xx): whether Personalize will be allowed to read the data.
//! They are checked before a job by `preflight-uploader`'s access checks (bucket, role, trust
//! and key policies), which name each finding by its code; the documentation lives here with
//! every other rule.

pub mod access_not_checked;
pub mod bucket_in_other_region;
pub mod bucket_not_found;
pub mod bucket_policy_lacks_personalize;
pub mod bucket_policy_missing;
pub mod kms_key_denies_role;
pub mod kms_key_policy_incomplete;
pub mod policy_not_evaluated;
pub mod role_lacks_s3_access;
pub mod role_not_assumable_by_personalize;
pub mod trust_policy_without_source_conditions;

pub use access_not_checked::PF610;
pub use bucket_in_other_region::PF602;
pub use bucket_not_found::PF601;
pub use bucket_policy_lacks_personalize::PF604;
pub use bucket_policy_missing::PF603;
pub use kms_key_denies_role::PF608;
pub use kms_key_policy_incomplete::PF609;
pub use policy_not_evaluated::PF611;
pub use role_lacks_s3_access::PF607;
pub use role_not_assumable_by_personalize::PF605;
pub use trust_policy_without_source_conditions::PF606;
