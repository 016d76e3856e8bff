//! The sarif format: SARIF 2.1.0, as GitHub code scanning and other tools read it.
//!
//! One run for the whole invocation (GitHub rejects several runs of one tool and category in
//! one upload), every rule in `tool.driver.rules` with its documentation, and one result per
//! finding kept in the report, capped at GitHub's 25,000 results per run. Results left out (by
//! the cap, or by the per-rule `--max-diagnostics` cap) are counted in a notification and in
//! `run.properties`. The plans and the insights go in the run's property bag, as the json
//! format writes them.

use preflight_validator::rules::ALL;
use preflight_validator::{Diagnostic, Rule, Severity};
use serde_json::{json, Map, Value};

use super::Section;

/// Results GitHub code scanning accepts in one run.
pub const MAX_RESULTS: usize = 25_000;

/// The schema URI written in `$schema`.
const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

pub fn render(sections: &[Section]) -> String {
    render_capped(sections, MAX_RESULTS)
}

/// Renders with at most `max` results (a parameter so the cap can be tested on small input).
pub fn render_capped(sections: &[Section], max: usize) -> String {
    let named = sections.iter().any(|s| s.name.is_some());
    let mut results = Vec::new();
    let (mut truncated, mut omitted) = (0u64, 0u64);
    for s in sections {
        omitted += s.report.summary.omitted;
        for d in &s.report.diagnostics {
            if results.len() >= max {
                truncated += 1;
                continue;
            }
            results.push(result(d, s, named));
        }
    }
    let mut run = Map::new();
    run.insert(
        "tool".into(),
        json!({"driver": {
            "name": "preflight",
            "fullName": "personalize-preflight",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://github.com/personalize-preflight/personalize-preflight",
            "rules": ALL.iter().map(|r| rule(r)).collect::<Vec<_>>(),
        }}),
    );
    let mut notes = Vec::new();
    if truncated > 0 {
        notes.push(json!({
            "level": "warning",
            "message": {"text": format!(
                "{truncated} more results not included: a SARIF run holds at most {max} results \
                 (GitHub's limit); run with --format json or human to see them all"
            )},
        }));
    }
    if omitted > 0 {
        notes.push(json!({
            "level": "note",
            "message": {"text": format!(
                "{omitted} more findings not included by the per-rule cap; raise --max-diagnostics to include them"
            )},
        }));
    }
    let mut invocation = json!({"executionSuccessful": true});
    if !notes.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notes);
    }
    run.insert("invocations".into(), json!([invocation]));
    run.insert("columnKind".into(), json!("unicodeCodePoints"));
    let plans: Vec<Value> = sections
        .iter()
        .filter_map(|s| {
            let mut p = super::json::plan(s.plan?);
            if let Some(n) = s.name {
                p["dataset"] = json!(n);
            }
            Some(p)
        })
        .collect();
    if !plans.is_empty() {
        // The plan's counts in the run's property bag (SARIF §3.8); the gates are results.
        run.insert("properties".into(), json!({ "plans": plans }));
    }
    let insights: Vec<Value> = sections
        .iter()
        .filter_map(|s| {
            let mut v = super::json::insights(s.insights?);
            if let Some(n) = s.name {
                v["dataset"] = json!(n);
            }
            Some(v)
        })
        .collect();
    if !insights.is_empty() {
        // The insight figures in the run's property bag, like the plans; findings are results.
        let props = run.entry("properties").or_insert_with(|| json!({}));
        props["insights"] = Value::Array(insights);
    }
    let fixes: Vec<Value> = sections
        .iter()
        .filter_map(|s| Some(s.fix?.json()))
        .collect();
    if !fixes.is_empty() {
        // What `preflight fix` changed, in the run's property bag; what remains are results.
        let props = run.entry("properties").or_insert_with(|| json!({}));
        props["fixes"] = Value::Array(fixes);
    }
    run.insert("results".into(), Value::Array(results));
    let (mut errors, mut warnings, mut infos) = (0u64, 0u64, 0u64);
    for s in sections {
        errors += s.report.summary.errors;
        warnings += s.report.summary.warnings;
        infos += s.report.summary.infos;
    }
    // Added to the property bag, which may already hold other facts about the run.
    let props = run.entry("properties").or_insert_with(|| json!({}));
    props["errors"] = json!(errors);
    props["warnings"] = json!(warnings);
    props["infos"] = json!(infos);
    props["omittedByRuleCap"] = json!(omitted);
    props["omittedByResultLimit"] = json!(truncated);
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [Value::Object(run)],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A rule's reportingDescriptor, from its documentation.
fn rule(r: &Rule) -> Value {
    let doc = clean_doc(r.doc);
    let mut full = doc_section(&doc, "## What it does");
    let why = doc_section(&doc, "## Why is this bad?");
    if !why.is_empty() {
        full.push_str("\n\n");
        full.push_str(&why);
    }
    let mut v = json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.summary()},
        "fullDescription": {"text": full},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": level(r.severity)},
        "properties": {"tags": [r.family.as_str(), "personalize"]},
    });
    if let Some(uri) = r.reference() {
        v["helpUri"] = json!(uri);
    }
    if let Some(a) = r.fix {
        v["properties"]["fix"] = json!(a.as_str());
    }
    v
}

/// A rule's doc comment text without the one space each `///` line starts with.
fn clean_doc(doc: &str) -> String {
    let lines: Vec<&str> = doc
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    lines.join("\n").trim().to_string()
}

/// The text of a `## Heading` section of a rule's doc, without the heading.
fn doc_section(doc: &str, heading: &str) -> String {
    let Some(start) = doc.find(heading) else {
        return String::new();
    };
    let rest = &doc[start + heading.len()..];
    let rest = rest.strip_prefix('\n').unwrap_or(rest);
    let end = rest.find("\n## ").unwrap_or(rest.len());
    rest[..end].trim().to_string()
}

fn result(d: &Diagnostic, section: &Section, named: bool) -> Value {
    let rule_index = ALL.iter().position(|r| r.code == d.rule.code);
    let mut text = d.message.clone();
    if let Some(h) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(h);
    }
    if let Some(note) = super::fix_note(d) {
        text.push('\n');
        text.push_str(&note);
    }
    let l = &d.location;
    // GitHub needs a file for every result: dataset-level findings point at the first file of
    // the import (its header line), schema findings at the schema.
    let file = l.file.clone().or_else(|| {
        section
            .report
            .files
            .first()
            .map(|f| f.path.clone())
            .or_else(|| section.report.schema.clone())
    });
    let mut v = json!({
        "ruleId": d.rule.code,
        "level": level(d.severity),
        "message": {"text": text},
    });
    if let Some(i) = rule_index {
        v["ruleIndex"] = json!(i);
    }
    if let Some(file) = file {
        let mut region = Map::new();
        region.insert("startLine".into(), json!(l.line.unwrap_or(1).max(1)));
        if let (Some(_), Some(s)) = (l.line, &d.snippet) {
            region.insert("startColumn".into(), json!(s.line_col.max(1)));
        }
        v["locations"] = json!([{
            "physicalLocation": {
                "artifactLocation": {"uri": uri(&file)},
                "region": Value::Object(region),
            }
        }]);
    }
    let mut props = Map::new();
    if let Some(a) = d.fix {
        props.insert("fixable".into(), json!(a.as_str()));
    }
    if let Some(f) = &l.field {
        props.insert("field".into(), json!(f));
    }
    if let Some(c) = l.column {
        props.insert("column".into(), json!(c));
    }
    if let Some(b) = l.byte {
        props.insert("byte".into(), json!(b));
    }
    if named {
        if let Some(n) = &section.name {
            props.insert("dataset".into(), json!(n));
        }
    }
    if !props.is_empty() {
        v["properties"] = Value::Object(props);
    }
    v
}

/// A path as a relative (or absolute) URI reference: forward slashes, and every byte outside
/// the unreserved set and `/` percent-encoded.
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("data/a b.csv"), "data/a%20b.csv");
        assert_eq!(uri("../x/é.csv"), "../x/%C3%A9.csv");
        assert_eq!(uri("C:\\d\\f.csv"), "C%3A/d/f.csv");
    }

    #[test]
    fn doc_sections() {
        let doc = "## What it does\nFlags x.\n\n## Why is this bad?\nBecause.\n\n## Example\n…";
        assert_eq!(doc_section(doc, "## What it does"), "Flags x.");
        assert_eq!(doc_section(doc, "## Why is this bad?"), "Because.");
        assert_eq!(doc_section(doc, "## Nope"), "");
    }
}
