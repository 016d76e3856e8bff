//! What to check in each CSV column, decided once per file from the schema field it maps to.

use crate::schema::{DatasetType, FieldType, SchemaField};

/// The role of an integer column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntRole {
    /// No extra rule.
    Plain,
    /// An interaction TIMESTAMP: seconds, positive, not in the future.
    InteractionTimestamp,
    /// CREATION_TIMESTAMP or an expiry: seconds; zero or negative only warns. Expiries may lie
    /// in the future.
    OtherTimestamp { future_ok: bool },
    /// Actions VALUE: 1 to 10.
    ActionValue,
    /// Actions REPEAT_FREQUENCY: 1 to 30 days.
    RepeatFrequency,
}

/// The kind of a string column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrKind {
    /// Non-categorical, non-textual: at most 1,000 characters.
    Plain,
    /// Categorical: at most 1,000 characters, `|`-separated values.
    Categorical,
    /// Textual: truncated after 20,000 (7,000 CJK) characters.
    Textual,
    /// IMPRESSION: at most 1,000 characters.
    Impression,
    /// EVENT_TYPE: at most 256 characters; for action interactions, one of the known types.
    EventType { action: bool },
}

/// The check for one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// Unmapped column, or a column of unknown type: only line-level rules apply.
    Unknown,
    /// USER_ID, ITEM_ID, ACTION_ID.
    Id,
    /// `int` (32) or `long` (64).
    Int { bits: u32, role: IntRole },
    /// `float` or `double`.
    Float { double: bool },
    /// `boolean`.
    Bool,
    /// `string`.
    Str(StrKind),
}

/// One CSV column: its name and what to check in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    /// The schema field name (or the header cell for unmapped columns).
    pub name: String,
    /// What to check.
    pub check: Check,
    /// Whether empty values are allowed.
    pub nullable: bool,
}

impl Column {
    pub fn unknown(name: &str) -> Self {
        Column {
            name: name.to_string(),
            check: Check::Unknown,
            nullable: true,
        }
    }
}

/// The checks of a column mapped to `field`.
pub(crate) fn column_for(field: &SchemaField, ty: DatasetType) -> Column {
    let name = field.name.as_str();
    let check = match field.ty {
        _ if field.inferred => Check::Unknown,
        None => Check::Unknown,
        Some(FieldType::String) if matches!(name, "USER_ID" | "ITEM_ID" | "ACTION_ID") => Check::Id,
        Some(t @ (FieldType::Int | FieldType::Long)) => {
            let role = match name {
                "TIMESTAMP" if ty.is_interactions() => IntRole::InteractionTimestamp,
                "CREATION_TIMESTAMP" => IntRole::OtherTimestamp { future_ok: false },
                "EXPIRATION_TIMESTAMP" | "ACTION_EXPIRATION_TIMESTAMP" => {
                    IntRole::OtherTimestamp { future_ok: true }
                }
                "VALUE" if ty == DatasetType::Actions => IntRole::ActionValue,
                "REPEAT_FREQUENCY" if ty == DatasetType::Actions => IntRole::RepeatFrequency,
                _ => IntRole::Plain,
            };
            Check::Int {
                bits: if t == FieldType::Int { 32 } else { 64 },
                role,
            }
        }
        Some(FieldType::Float) => Check::Float { double: false },
        Some(FieldType::Double) => Check::Float { double: true },
        Some(FieldType::Boolean) => Check::Bool,
        Some(FieldType::String) => Check::Str(match name {
            "EVENT_TYPE" if ty.is_interactions() => StrKind::EventType {
                action: ty == DatasetType::ActionInteractions,
            },
            "IMPRESSION" if ty.is_interactions() => StrKind::Impression,
            _ if field.textual => StrKind::Textual,
            _ if field.categorical => StrKind::Categorical,
            _ => StrKind::Plain,
        }),
    };
    Column {
        name: field.name.clone(),
        check,
        nullable: field.nullable || field.inferred,
    }
}
