//! The documented required and reserved fields of every dataset type, custom and per domain,
//! and the metadata limits. The facts, with their sources:
//! docs/personalize.md#dataset-types-and-fields, from
//! <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>,
//! <https://docs.aws.amazon.com/personalize/latest/dg/ECOMMERCE-datasets-and-schemas.html> and
//! <https://docs.aws.amazon.com/personalize/latest/dg/VIDEO-ON-DEMAND-datasets-and-schemas.html>.

use super::{DatasetType, Domain, FieldType};

/// What the docs say about one required or reserved field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// Exact name.
    pub name: &'static str,
    /// The documented type.
    pub ty: FieldType,
    /// Required (must be in the schema) or reserved (optional, but typed when present).
    pub required: bool,
    /// Documented as a union with `null`. Reserved nullable fields may also be declared without
    /// `null` (the docs show both); required fields must never be nullable.
    pub nullable: bool,
    /// Must carry `"categorical": true`.
    pub categorical: bool,
    /// Must carry `"textual": true`.
    pub textual: bool,
}

const fn req(name: &'static str, ty: FieldType) -> FieldSpec {
    FieldSpec {
        name,
        ty,
        required: true,
        nullable: false,
        categorical: false,
        textual: false,
    }
}
const fn req_cat(name: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        ty: FieldType::String,
        required: true,
        nullable: false,
        categorical: true,
        textual: false,
    }
}
const fn res(name: &'static str, ty: FieldType) -> FieldSpec {
    FieldSpec {
        name,
        ty,
        required: false,
        nullable: false,
        categorical: false,
        textual: false,
    }
}
const fn res_null(name: &'static str, ty: FieldType) -> FieldSpec {
    FieldSpec {
        name,
        ty,
        required: false,
        nullable: true,
        categorical: false,
        textual: false,
    }
}
const fn res_cat(name: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        ty: FieldType::String,
        required: false,
        nullable: true,
        categorical: true,
        textual: false,
    }
}
const fn res_text(name: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        ty: FieldType::String,
        required: false,
        nullable: true,
        categorical: false,
        textual: true,
    }
}

use FieldType::{Float, Long, String as Str};

const CUSTOM_INTERACTIONS: &[FieldSpec] = &[
    req("USER_ID", Str),
    req("ITEM_ID", Str),
    req("TIMESTAMP", Long),
    res("EVENT_TYPE", Str),
    res_null("EVENT_VALUE", Float),
    res_null("IMPRESSION", Str),
    res_null("RECOMMENDATION_ID", Str),
    res_null("EVENT_ATTRIBUTION_SOURCE", Str),
];
const DOMAIN_INTERACTIONS: &[FieldSpec] = &[
    req("USER_ID", Str),
    req("ITEM_ID", Str),
    req("TIMESTAMP", Long),
    req("EVENT_TYPE", Str),
    res_null("EVENT_VALUE", Float),
    res_null("IMPRESSION", Str),
    res_null("RECOMMENDATION_ID", Str),
    res_null("EVENT_ATTRIBUTION_SOURCE", Str),
];
const CUSTOM_USERS: &[FieldSpec] = &[req("USER_ID", Str)];
const ECOMMERCE_USERS: &[FieldSpec] = &[req("USER_ID", Str)];
const VOD_USERS: &[FieldSpec] = &[req("USER_ID", Str), res_cat("SUBSCRIPTION_MODEL")];
const CUSTOM_ITEMS: &[FieldSpec] = &[req("ITEM_ID", Str), res("CREATION_TIMESTAMP", Long)];
const ECOMMERCE_ITEMS: &[FieldSpec] = &[
    req("ITEM_ID", Str),
    req("PRICE", Float),
    req_cat("CATEGORY_L1"),
    res_cat("CATEGORY_L2"),
    res_cat("CATEGORY_L3"),
    res_text("PRODUCT_DESCRIPTION"),
    res("CREATION_TIMESTAMP", Long),
    res_cat("AGE_GROUP"),
    res_cat("ADULT"),
    res_cat("GENDER"),
];
const VOD_ITEMS: &[FieldSpec] = &[
    req("ITEM_ID", Str),
    req("CREATION_TIMESTAMP", Long),
    req_cat("GENRES"),
    res_null("PRICE", Float),
    res_null("DURATION", Float),
    res_cat("GENRE_L2"),
    res_cat("GENRE_L3"),
    res_null("AVERAGE_RATING", Float),
    res_text("PRODUCT_DESCRIPTION"),
    res_cat("CONTENT_OWNER"),
    res_cat("CONTENT_CLASSIFICATION"),
];
const CUSTOM_ACTIONS: &[FieldSpec] = &[
    req("ACTION_ID", Str),
    res("CREATION_TIMESTAMP", Long),
    res_null("VALUE", Long),
    res_null("TYPE", Str),
    res_null("EXPIRATION_TIMESTAMP", Long),
    // The docs' prose name for the same field; accepted with a PF420 warning.
    res_null("ACTION_EXPIRATION_TIMESTAMP", Long),
    res_null("REPEAT_FREQUENCY", Long),
];
const CUSTOM_ACTION_INTERACTIONS: &[FieldSpec] = &[
    req("USER_ID", Str),
    req("ACTION_ID", Str),
    req("EVENT_TYPE", Str),
    req("TIMESTAMP", Long),
    res_null("IMPRESSION", Str),
    res_null("RECOMMENDATION_ID", Str),
];

/// The required and reserved fields of a dataset type in a domain (or custom, `None`).
/// Actions types in a domain fall back to the custom list; PF417 reports the domain.
pub fn fields_for(ty: DatasetType, domain: Option<Domain>) -> &'static [FieldSpec] {
    match (ty, domain) {
        (DatasetType::Interactions, None) => CUSTOM_INTERACTIONS,
        (DatasetType::Interactions, Some(_)) => DOMAIN_INTERACTIONS,
        (DatasetType::Users, None) => CUSTOM_USERS,
        (DatasetType::Users, Some(Domain::Ecommerce)) => ECOMMERCE_USERS,
        (DatasetType::Users, Some(Domain::VideoOnDemand)) => VOD_USERS,
        (DatasetType::Items, None) => CUSTOM_ITEMS,
        (DatasetType::Items, Some(Domain::Ecommerce)) => ECOMMERCE_ITEMS,
        (DatasetType::Items, Some(Domain::VideoOnDemand)) => VOD_ITEMS,
        (DatasetType::Actions, _) => CUSTOM_ACTIONS,
        (DatasetType::ActionInteractions, _) => CUSTOM_ACTION_INTERACTIONS,
    }
}

/// The spec of a field name in a dataset type and domain, if it is required or reserved.
pub fn spec_of(ty: DatasetType, domain: Option<Domain>, name: &str) -> Option<&'static FieldSpec> {
    fields_for(ty, domain).iter().find(|f| f.name == name)
}

/// Maximum number of metadata fields, and how they are counted.
pub fn metadata_limit(ty: DatasetType) -> usize {
    match ty {
        DatasetType::Users => 25,
        DatasetType::Items => 100,
        DatasetType::Actions => 10,
        DatasetType::Interactions | DatasetType::ActionInteractions => 5,
    }
}

/// Whether a field counts as metadata toward [`metadata_limit`]. For Users, Items and Actions
/// every field but the ID counts; for interactions only the optional, non-reserved ones do.
pub fn counts_as_metadata(ty: DatasetType, domain: Option<Domain>, name: &str) -> bool {
    match ty.id_field() {
        Some(id) => name != id,
        None => spec_of(ty, domain, name).is_none(),
    }
}

/// Whether a field of an Item interactions schema counts toward the limit of 10 distinct event
/// types plus metadata fields: EVENT_TYPE, EVENT_VALUE and every field that is neither required
/// nor reserved (the docs' "custom metadata fields"; IMPRESSION, RECOMMENDATION_ID and
/// EVENT_ATTRIBUTION_SOURCE do not count). Source:
/// <https://docs.aws.amazon.com/personalize/latest/dg/interactions-dataset-requirements.html>.
pub fn counts_toward_event_type_limit(domain: Option<Domain>, name: &str) -> bool {
    matches!(name, "EVENT_TYPE" | "EVENT_VALUE")
        || spec_of(DatasetType::Interactions, domain, name).is_none()
}

/// The longest ID, in characters.
pub const MAX_ID_CHARS: usize = 256;
/// The longest categorical, string metadata or impression value, in characters.
pub const MAX_VALUE_CHARS: usize = 1000;
/// The longest textual value before Personalize truncates it.
pub const MAX_TEXTUAL_CHARS: usize = 20_000;
/// The longest textual value in Chinese or Japanese.
pub const MAX_TEXTUAL_CJK_CHARS: usize = 7_000;
/// The longest EVENT_TYPE (the event APIs' limit; undocumented for CSV).
pub const MAX_EVENT_TYPE_CHARS: usize = 256;
/// The longest schema string.
pub const MAX_SCHEMA_CHARS: usize = 20_000;
/// Records every interactions import job needs.
pub const MIN_IMPORT_INTERACTIONS: u64 = 1000;
/// Users with at least two interactions that training needs.
pub const MIN_REPEAT_USERS: u64 = 25;
/// Distinct event types plus the metadata fields that count toward the limit
/// ([`counts_toward_event_type_limit`]).
pub const MAX_EVENT_TYPES_PLUS_METADATA: usize = 10;
/// 2100-01-01T00:00:00Z in seconds: anything later is taken for milliseconds.
pub const TIMESTAMP_MAX_SECONDS: i64 = 4_102_444_800;
/// The smallest 13-digit number: an action expiry below it is seconds, however far in the
/// future (a far-future expiry is a normal way to say "never expires").
pub const EXPIRY_MAX_SECONDS: i64 = 1_000_000_000_000;

/// Event types that domain use cases need at least 1000 of, with the use cases.
pub fn domain_event_types(domain: Domain) -> &'static [(&'static str, &'static str)] {
    match domain {
        Domain::Ecommerce => &[
            ("View", "Most viewed, Customers who viewed X also viewed"),
            ("Purchase", "Best sellers, Frequently bought together"),
        ],
        Domain::VideoOnDemand => &[("Watch", "Because you watched X, Most popular")],
    }
}
