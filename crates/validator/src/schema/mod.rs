//! The Personalize schema model: dataset types, domains, field types, and the typed
//! [`Schema`] the engine checks data against.
//!
//! Loading (three JSON shapes), the built-in schemas, the documented required and reserved
//! fields, and the schema rules live in the sub-modules.

mod builtin;
mod check;
mod hook;
mod load;
pub mod spec;

pub use builtin::{builtin, builtin_text, BUILTINS};
pub use check::check_schema;
pub(crate) use hook::{run_hooks, SchemaCx};
pub use load::{load_schema, LoadedSchema, SchemaError};

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// The five dataset types. API values: `Interactions`, `Items`, `Users`, `Actions`,
/// `Action_Interactions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum DatasetType {
    /// Item interactions: a user did something with an item at a time (no ID, not upserted).
    Interactions,
    /// Items: one record per ITEM_ID, upserted by ID.
    Items,
    /// Users: one record per USER_ID, upserted by ID.
    Users,
    /// Actions (Next-Best-Action): one record per ACTION_ID, upserted by ID.
    Actions,
    /// Action interactions: a user took, did not take or viewed an action at a time.
    ActionInteractions,
}

impl DatasetType {
    /// All dataset types.
    pub const ALL: [DatasetType; 5] = [
        DatasetType::Interactions,
        DatasetType::Items,
        DatasetType::Users,
        DatasetType::Actions,
        DatasetType::ActionInteractions,
    ];

    /// The API value (`Action_Interactions` for action interactions).
    pub fn api_name(self) -> &'static str {
        match self {
            DatasetType::Interactions => "Interactions",
            DatasetType::Items => "Items",
            DatasetType::Users => "Users",
            DatasetType::Actions => "Actions",
            DatasetType::ActionInteractions => "Action_Interactions",
        }
    }

    /// The record name the docs use in schemas (`ActionInteractions`).
    pub fn record_name(self) -> &'static str {
        match self {
            DatasetType::ActionInteractions => "ActionInteractions",
            other => other.api_name(),
        }
    }

    /// The kebab/snake name used on the command line and in file names.
    pub fn cli_name(self) -> &'static str {
        match self {
            DatasetType::Interactions => "interactions",
            DatasetType::Items => "items",
            DatasetType::Users => "users",
            DatasetType::Actions => "actions",
            DatasetType::ActionInteractions => "action-interactions",
        }
    }

    /// The dataset type a record name stands for, ignoring case and `_`/`-`.
    /// `Item_Interactions` and `ItemInteractions` also mean interactions.
    pub fn from_record_name(name: &str) -> Option<DatasetType> {
        let norm: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match norm.as_str() {
            "interactions" | "iteminteractions" => Some(DatasetType::Interactions),
            "items" => Some(DatasetType::Items),
            "users" => Some(DatasetType::Users),
            "actions" => Some(DatasetType::Actions),
            "actioninteractions" => Some(DatasetType::ActionInteractions),
            _ => None,
        }
    }

    /// The ID column that identifies a record of this type, if it has one.
    pub fn id_field(self) -> Option<&'static str> {
        match self {
            DatasetType::Items => Some("ITEM_ID"),
            DatasetType::Users => Some("USER_ID"),
            DatasetType::Actions => Some("ACTION_ID"),
            DatasetType::Interactions | DatasetType::ActionInteractions => None,
        }
    }

    /// Whether records are interactions (no ID; exact duplicates collapse).
    pub fn is_interactions(self) -> bool {
        matches!(
            self,
            DatasetType::Interactions | DatasetType::ActionInteractions
        )
    }
}

impl fmt::Display for DatasetType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.api_name())
    }
}

impl FromStr for DatasetType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DatasetType::from_record_name(s).ok_or_else(|| {
            format!("unknown dataset type `{s}` (expected interactions, items, users, actions or action-interactions)")
        })
    }
}

/// A domain dataset group's domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Domain {
    /// `ECOMMERCE`.
    Ecommerce,
    /// `VIDEO_ON_DEMAND`.
    VideoOnDemand,
}

impl Domain {
    /// The API value.
    pub fn api_name(self) -> &'static str {
        match self {
            Domain::Ecommerce => "ECOMMERCE",
            Domain::VideoOnDemand => "VIDEO_ON_DEMAND",
        }
    }

    /// The folder name of its built-in schemas.
    pub fn dir_name(self) -> &'static str {
        match self {
            Domain::Ecommerce => "ecommerce",
            Domain::VideoOnDemand => "video_on_demand",
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.api_name())
    }
}

impl FromStr for Domain {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match norm.as_str() {
            "ecommerce" => Ok(Domain::Ecommerce),
            "videoondemand" | "vod" => Ok(Domain::VideoOnDemand),
            _ => Err(format!(
                "unknown domain `{s}` (expected ECOMMERCE or VIDEO_ON_DEMAND)"
            )),
        }
    }
}

/// A supported Avro primitive type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// 32-bit signed integer.
    Int,
    /// 64-bit signed integer.
    Long,
    /// 32-bit float.
    Float,
    /// 64-bit float.
    Double,
    /// `true` / `false`.
    Boolean,
    /// UTF-8 text.
    String,
}

impl FieldType {
    /// The Avro name.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Int => "int",
            FieldType::Long => "long",
            FieldType::Float => "float",
            FieldType::Double => "double",
            FieldType::Boolean => "boolean",
            FieldType::String => "string",
        }
    }

    /// Parses an Avro primitive name (`null` is not a field type on its own).
    pub fn from_avro(s: &str) -> Option<FieldType> {
        Some(match s {
            "int" => FieldType::Int,
            "long" => FieldType::Long,
            "float" => FieldType::Float,
            "double" => FieldType::Double,
            "boolean" => FieldType::Boolean,
            "string" => FieldType::String,
            _ => return None,
        })
    }

    /// Whether the type is a number.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Int | FieldType::Long | FieldType::Float | FieldType::Double
        )
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One field of a schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaField {
    /// The field name, as written.
    pub name: String,
    /// Its type, or `None` when the schema declares an unsupported type (reported by PF405).
    pub ty: Option<FieldType>,
    /// Whether the type is a union with `null`, so the value may be empty.
    pub nullable: bool,
    /// `"categorical": true`.
    pub categorical: bool,
    /// `"textual": true`.
    pub textual: bool,
    /// Added from a CSV header when validating against a built-in schema: its real type is
    /// unknown, so only type-independent checks apply.
    pub inferred: bool,
}

impl SchemaField {
    /// A plain field.
    pub fn new(name: &str, ty: FieldType, nullable: bool) -> Self {
        SchemaField {
            name: name.to_string(),
            ty: Some(ty),
            nullable,
            categorical: false,
            textual: false,
            inferred: false,
        }
    }

    /// Describes the declared type the way a schema would (`["string","null"]`, categorical).
    pub fn type_description(&self) -> String {
        let base = self.ty.map(FieldType::as_str).unwrap_or("unsupported");
        let mut s = if self.nullable {
            format!("[\"{base}\", \"null\"]")
        } else {
            format!("\"{base}\"")
        };
        if self.categorical {
            s.push_str(" categorical");
        }
        if self.textual {
            s.push_str(" textual");
        }
        s
    }
}

/// A Personalize schema, typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schema {
    /// The record name as written.
    pub name: String,
    /// The dataset type it is for.
    pub dataset_type: DatasetType,
    /// The domain, for domain dataset groups.
    pub domain: Option<Domain>,
    /// Fields in order (the CSV columns must be in this order).
    pub fields: Vec<SchemaField>,
    /// Where it came from: a path, or `builtin:<domain>/<type>`.
    pub source: String,
    /// Whether this is a built-in skeleton adapted to the CSV header.
    pub builtin: bool,
}

impl Schema {
    /// The index of a field by exact name.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// A field by exact name.
    pub fn field(&self, name: &str) -> Option<&SchemaField> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// A stable hash of the typed schema (names, types, flags, order), hex.
    pub fn fingerprint(&self) -> String {
        let mut text = format!("{}|{:?}|", self.dataset_type.api_name(), self.domain);
        for f in &self.fields {
            text.push_str(&format!(
                "{}:{}:{}:{}:{};",
                f.name,
                f.ty.map(FieldType::as_str).unwrap_or("?"),
                f.nullable,
                f.categorical,
                f.textual
            ));
        }
        format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
    }
}
