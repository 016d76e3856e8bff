//! PF422 `schema-resource-name`.

use crate::diagnostic::{Diagnostic, Family, Rule, Severity};
use crate::rules::hooks::{SchemaCx, SchemaHook};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags the `name` of a CreateSchema request body (`{"name", "domain", "schema"}`) that
    /// CreateSchema does not accept: not a string, empty, longer than 63 characters, or with a
    /// character other than ASCII letters, digits, `-` and `_` (the first must be a letter or a
    /// digit). This is the name of the schema resource, not the record name inside the schema
    /// (PF402). A bare Avro schema has no such name, and a DescribeSchema response names a schema
    /// Personalize already created, so neither is checked.
    ///
    /// ## Why is this bad?
    /// The API reference limits a schema's name to 1–63 characters matching
    /// `^[a-zA-Z0-9][a-zA-Z0-9\-_]*`: CreateSchema refuses any other name, so the schema, and with
    /// it the dataset and every import into it, is never created. The pattern has no `$`;
    /// preflight reads it as applying to the whole name, as it does for import job names, since
    /// the service's other names follow the same shape.
    ///
    /// ## Example
    /// ```json
    /// { "name": "shop interactions (v2)", "schema": { "type": "record", "name": "Interactions", ... } }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// { "name": "shop-interactions-v2", "schema": { "type": "record", "name": "Interactions", ... } }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/API_CreateSchema.html>
    pub const PF422 = "PF422", "schema-resource-name", Schema, Error;
}

/// Longest schema name CreateSchema accepts.
pub const MAX_SCHEMA_NAME_CHARS: usize = 63;

/// What is wrong with a CreateSchema request's `name`.
#[derive(Debug, Clone, Copy)]
pub enum SchemaResourceName<'a> {
    /// The name is JSON other than a string (its JSON text).
    NotAString(&'a str),
    /// The name is the empty string.
    Empty,
    /// The name has more than 63 characters (how many).
    TooLong(&'a str, usize),
    /// The name has a character the API does not allow (the name, the character).
    BadCharacter(&'a str, char),
}

impl SchemaResourceName<'_> {
    /// What is wrong with `name` as a CreateSchema `name`, if anything.
    pub fn check(name: &str) -> Option<SchemaResourceName<'_>> {
        let len = name.chars().count();
        let bad = name.char_indices().find(|&(i, c)| {
            !(c.is_ascii_alphanumeric() || (i > 0 && (c == '-' || c == '_')))
        });
        match (len, bad) {
            (0, _) => Some(SchemaResourceName::Empty),
            (_, Some((_, c))) => Some(SchemaResourceName::BadCharacter(name, c)),
            (n, None) if n > MAX_SCHEMA_NAME_CHARS => Some(SchemaResourceName::TooLong(name, n)),
            _ => None,
        }
    }
}

/// Detection: the `name` beside the `schema` of a CreateSchema request body. A bare record has
/// a `type`; a DescribeSchema response nests its `name` one level down.
impl SchemaHook for SchemaResourceName<'_> {
    fn check_schema(cx: &SchemaCx<'_>, out: &mut Vec<Diagnostic>) {
        let Some(obj) = cx.document.as_object() else {
            return;
        };
        if obj.contains_key("type") || !obj.contains_key("schema") {
            return;
        }
        let Some(name) = obj.get("name") else { return };
        let json = name.to_string();
        let found = match name.as_str() {
            Some(n) => SchemaResourceName::check(n),
            None => Some(SchemaResourceName::NotAString(&json)),
        };
        if let Some(v) = found {
            out.push(v.diagnostic().at(cx.location(Some("name"))));
        }
    }
}

impl Violation for SchemaResourceName<'_> {
    const RULE: &'static Rule = &PF422;
    fn message(&self) -> String {
        match self {
            SchemaResourceName::NotAString(json) => {
                format!("the schema's `name` is {json}, not a string: CreateSchema needs one")
            }
            SchemaResourceName::Empty => {
                "the schema's `name` is empty: CreateSchema needs 1 to 63 characters".to_string()
            }
            SchemaResourceName::TooLong(name, n) => format!(
                "the schema's `name` `{name}` has {n} characters: CreateSchema accepts at most {MAX_SCHEMA_NAME_CHARS}"
            ),
            SchemaResourceName::BadCharacter(name, c) if name.starts_with(*c) => format!(
                "the schema's `name` `{name}` starts with `{c}`: CreateSchema needs a letter or a digit first"
            ),
            SchemaResourceName::BadCharacter(name, ' ') => format!(
                "the schema's `name` `{name}` has a space: CreateSchema accepts only letters, digits, `-` and `_`"
            ),
            SchemaResourceName::BadCharacter(name, c) => format!(
                "the schema's `name` `{name}` has `{c}`: CreateSchema accepts only letters, digits, `-` and `_`"
            ),
        }
    }
    fn help(&self) -> Option<String> {
        Some(
            "name the schema with 1 to 63 ASCII letters, digits, `-` and `_`, starting with a letter or a digit (`shop-interactions-v2`)"
                .to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_createschema_accepts_and_refuses() {
        for ok in ["a", "Shop_interactions-2", &"x".repeat(63)] {
            assert!(SchemaResourceName::check(ok).is_none(), "{ok}");
        }
        assert!(matches!(SchemaResourceName::check(""), Some(SchemaResourceName::Empty)));
        assert!(matches!(
            SchemaResourceName::check(&"x".repeat(64)),
            Some(SchemaResourceName::TooLong(_, 64))
        ));
        assert!(matches!(
            SchemaResourceName::check("-shop"),
            Some(SchemaResourceName::BadCharacter(_, '-'))
        ));
        assert!(matches!(
            SchemaResourceName::check("shop items"),
            Some(SchemaResourceName::BadCharacter(_, ' '))
        ));
        assert!(matches!(
            SchemaResourceName::check("café"),
            Some(SchemaResourceName::BadCharacter(_, 'é'))
        ));
    }
}
