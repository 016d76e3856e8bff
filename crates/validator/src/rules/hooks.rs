//! Detection hooks: how a rule file detects its rule without an edit anywhere else.
//!
//! Each family with a hook point has one trait; a rule file implements its family's trait on a
//! type of its own (its facts type will do), and `build.rs` generates, per family, the list of
//! those rules and a function that calls each hook in code order, statically (no `dyn`, no
//! allocation), skipping a hook whose rule the policy has off:
//!
//! | family | trait | called by | with |
//! |---|---|---|---|
//! | file | [`FileHook`] | `engine/mod.rs`, once per file, before its first line is read | [`FileCx`]: the file's name, whether it is in a folder, its first block |
//! | schema | [`SchemaHook`] | `engine/schema_source.rs`, once per schema file | [`SchemaCx`]: the JSON as written, the Avro record, the typed schema |
//! | header | [`HeaderHook`] | `engine/head.rs` (`header::run_hooks`), once per file | [`HeaderCx`]: the header line, its cells, their columns, the schema |
//! | field | [`FieldHook`] | `engine/row.rs`, per non-empty value of a column the hook wants | [`FieldCx`]: the column, the value |
//! | dataset | [`DatasetHook`] | `engine/dataset/mod.rs`, once per import after its blocks are merged | [`DatasetCx`]: the dataset type, records, event types, the TIMESTAMP range |
//! | insights | [`InsightsHook`] | `insights/mod.rs`, once per analysed dataset | [`InsightsCx`]: the finished insights |
//!
//! The file rules that decide whether a file is read as CSV at all (UTF-16, compression, Parquet:
//! `engine/head.rs`) and those found line by line (`engine/row.rs`) stay in the engine, since a
//! hook reports and cannot stop the reading. A dataset rule judges the facts the engine merges from every block; one that needs a fact
//! the engine does not merge yet (a new per-record tally) needs it added to `engine/dataset/`. The hot-loop value
//! rules fused into the parser (quoting, field counts, integers, floats, booleans, timestamps,
//! lengths) stay in `engine/row.rs` and `engine/value.rs` for speed (see ARCHITECTURE.md).

use crate::diagnostic::Diagnostic;
#[cfg(test)]
use crate::diagnostic::Rule;
pub(crate) use crate::engine::columns::Column;
pub(crate) use crate::engine::dataset::DatasetCx;
pub(crate) use crate::engine::header::HeaderCx;
pub(crate) use crate::engine::FileCx;
pub(crate) use crate::engine::{FieldCx, FieldOut};
pub(crate) use crate::insights::InsightsCx;
use crate::report::Policy;
pub(crate) use crate::schema::SchemaCx;

/// A file rule's detection, run once per input file before its first line is read (also for an
/// empty file, whose first block is empty).
pub(crate) trait FileHook {
    /// Detects the rule in the file.
    fn check_file(cx: &FileCx<'_>, out: &mut Vec<Diagnostic>);
}

/// A schema rule's detection, run once per schema file (not for a built-in schema), after the
/// loader and the schema checks. Push findings with their location
/// ([`SchemaCx::location`]); the collector applies severities and caps.
pub(crate) trait SchemaHook {
    /// Detects the rule in the schema.
    fn check_schema(cx: &SchemaCx<'_>, out: &mut Vec<Diagnostic>);
}

/// A header rule's detection, run once per file on its first line (also when the first line
/// is data, PF101: then every column is unknown), after the header analysis.
pub(crate) trait HeaderHook {
    /// Detects the rule in the header.
    fn check_header(cx: &HeaderCx<'_>, out: &mut Vec<Diagnostic>);
}

/// A field rule's detection, run in the hot loop on every non-empty value of the columns it
/// wants, in records with the right number of fields. Only columns the schema types are asked:
/// a column no schema field describes (PF106) has no value rules.
pub(crate) trait FieldHook {
    /// Whether the hook judges this column's values: asked once per column and file, so that
    /// the hot loop calls the hook only where it can find something.
    fn wants(column: &Column) -> bool;
    /// Detects the rule in one value; [`FieldOut::report`] words a finding only when it is
    /// kept.
    fn check_field(cx: &FieldCx<'_>, out: &mut FieldOut<'_>);
}

/// A dataset rule's detection, run once per import on the facts merged from all its blocks
/// (also by `plan`, on the batch alone: the limits judged after the job are not hooks).
pub(crate) trait DatasetHook {
    /// Detects the rule in the import's merged facts.
    fn check_dataset(cx: &DatasetCx<'_>, out: &mut Vec<Diagnostic>);
}

/// An insights rule's detection, run once per analysed dataset on its finished insights.
pub(crate) trait InsightsHook {
    /// Detects the rule in the dataset's insights.
    fn check_insights(cx: &InsightsCx<'_>, out: &mut Vec<Diagnostic>);
}

include!(concat!(env!("OUT_DIR"), "/hooks.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    /// The generated lists name the rules whose detection moved into their files; each of
    /// these rules' fixtures fails if its hook is not called.
    #[test]
    fn the_generated_lists_hold_the_rules_with_hooks() {
        let codes = |l: &[&Rule]| l.iter().map(|r| r.code).collect::<Vec<_>>();
        assert!(codes(SCHEMA).contains(&"PF422"), "{:?}", codes(SCHEMA));
        assert!(codes(HEADER).contains(&"PF102"), "{:?}", codes(HEADER));
        assert!(codes(FIELD).contains(&"PF222"), "{:?}", codes(FIELD));
        assert!(codes(INSIGHTS).contains(&"PF507"), "{:?}", codes(INSIGHTS));
        assert!(codes(DATASET).contains(&"PF309"), "{:?}", codes(DATASET));
        assert!(codes(FILE).contains(&"PF001"), "{:?}", codes(FILE));
        assert!(codes(FILE).contains(&"PF011"), "{:?}", codes(FILE));
        for list in [FILE, SCHEMA, HEADER, FIELD, DATASET, INSIGHTS] {
            assert!(list.windows(2).all(|w| w[0].code < w[1].code));
        }
    }

    #[test]
    fn a_field_hook_is_masked_out_when_its_rule_is_off() {
        use crate::engine::columns::{Check, StrKind};
        let event_type = Column {
            name: "EVENT_TYPE".into(),
            check: Check::Str(StrKind::EventType { action: true }),
            nullable: false,
        };
        let other = Column {
            name: "X".into(),
            check: Check::Str(StrKind::Plain),
            nullable: true,
        };
        let columns = [event_type, other];
        let bit = 1 << FIELD.iter().position(|r| r.code == "PF222").unwrap();
        let on = field_masks(&Policy::default(), &columns);
        assert_eq!((on[0] & bit, on[1] & bit), (bit, 0));
        let mut policy = Policy::default();
        policy.levels.insert("PF222", crate::diagnostic::Level::Off);
        assert_eq!(field_masks(&policy, &columns)[0] & bit, 0);
    }
}
