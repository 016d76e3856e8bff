//! PF423 `schema-flag-not-boolean`.

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Family, Location, Rule, Severity};
use crate::rules::hooks::{SchemaCx, SchemaHook};
use crate::rules::Violation;

declare_rule! {
    /// ## What it does
    /// Flags a field's `categorical` or `textual` attribute whose value is not the JSON boolean
    /// `true` or `false`: a string (`"true"`), a number (`1`), `null` or anything else.
    ///
    /// ## Why is this bad?
    /// The AWS documentation writes both attributes as JSON booleans (`"categorical": true`,
    /// `"textual": true`), and only a boolean marks a field. Avro lets a field carry any extra
    /// attribute, and what CreateSchema does with `"categorical": "true"` is not documented:
    /// either it refuses the schema, or it ignores the attribute and the field is imported as a
    /// plain string, which training does not use (a categorical field's values are no longer
    /// split on `|`, a textual field's text is not read). Neither outcome is what was meant.
    /// preflight reads such an attribute as not set, as the service's parser most likely does,
    /// so the other schema rules judge the field as a plain string. Because the service's
    /// reaction is undocumented, the default is a warning, not an error.
    ///
    /// ## Example
    /// ```json
    /// { "name": "GENRES", "type": "string", "categorical": "true" }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// { "name": "GENRES", "type": "string", "categorical": true }
    /// ```
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html>
    /// - <https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html>
    pub const PF423 = "PF423", "schema-flag-not-boolean", Schema, Warning;
}

/// A `categorical` or `textual` attribute that is not a JSON boolean.
#[derive(Debug, Clone)]
pub struct SchemaFlagNotBoolean<'a> {
    /// The field's name, as declared.
    pub field: &'a str,
    /// `categorical` or `textual`.
    pub flag: &'static str,
    /// The attribute's value, as JSON text (`"true"`, `1`, `null`).
    pub value: String,
    /// What the value most likely meant: `Some(true)` for `"true"`, `"True"` or `1`,
    /// `Some(false)` for `"false"` or `0`, `None` when it is unclear.
    pub meant: Option<bool>,
}

/// Detection: the attributes of every field declaration of the Avro record.
impl SchemaHook for SchemaFlagNotBoolean<'_> {
    fn check_schema(cx: &SchemaCx<'_>, out: &mut Vec<Diagnostic>) {
        for field in cx.fields() {
            let Some(name) = field.get("name").and_then(Value::as_str) else {
                continue; // PF401
            };
            for flag in ["categorical", "textual"] {
                let Some(value) = field.get(flag).filter(|v| !v.is_boolean()) else {
                    continue;
                };
                let meant = match value {
                    Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
                    Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
                    Value::Number(n) if n.as_u64() == Some(1) => Some(true),
                    Value::Number(n) if n.as_u64() == Some(0) => Some(false),
                    _ => None,
                };
                let found = SchemaFlagNotBoolean {
                    field: name,
                    flag,
                    value: value.to_string(),
                    meant,
                };
                out.push(found.diagnostic().at(Location {
                    field: Some(name.to_string()),
                    ..cx.location(Some(name))
                }));
            }
        }
    }
}

impl Violation for SchemaFlagNotBoolean<'_> {
    const RULE: &'static Rule = &PF423;
    fn message(&self) -> String {
        format!(
            "field `{}` has \"{}\": {}, which is not a JSON boolean: the field is not marked {}",
            self.field, self.flag, self.value, self.flag
        )
    }
    fn help(&self) -> Option<String> {
        let (f, flag) = (self.field, self.flag);
        Some(match self.meant {
            Some(true) => format!("write \"{flag}\": true, without quotes"),
            Some(false) => format!("write \"{flag}\": false, or remove the attribute"),
            None => format!(
                "write \"{flag}\": true if `{f}` is {flag}, or remove the attribute if it is not"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_follows_what_the_value_meant() {
        let help = |value: &str, meant| {
            let v = SchemaFlagNotBoolean {
                field: "GENRES",
                flag: "categorical",
                value: value.into(),
                meant,
            };
            v.help().unwrap()
        };
        assert_eq!(help("\"true\"", Some(true)), "write \"categorical\": true, without quotes");
        assert!(help("0", Some(false)).contains("false"));
        assert!(help("\"yes\"", None).contains("remove the attribute"));
    }
}
