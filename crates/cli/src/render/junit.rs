//! The junit format: one test suite per input file (plus "schema" and "dataset"), one test
//! case per rule of that scope, and a `plan` suite for a plan. Error findings fail the case;
//! warnings and info are recorded in its output. The insights' findings are the `dataset`
//! suite's.

use std::collections::BTreeMap;
use std::fmt::Write;

use preflight_validator::rules::ALL;
use preflight_validator::{Diagnostic, Family, Plan, Report, Rule, Severity};

use super::view::plan::{counts, rows};
use super::Section;

pub fn render(sections: &[Section<'_>]) -> String {
    let mut suites = String::new();
    let (mut total_tests, mut total_failures) = (0usize, 0usize);
    for s in sections {
        let prefix = s.name.map(|n| format!("{n}: ")).unwrap_or_default();
        let (text, tests, failures) = report_suites(s.report, s.insights.is_some(), &prefix);
        suites.push_str(&text);
        total_tests += tests;
        total_failures += failures;
        if let Some(f) = s.fix {
            let (text, tests) = fix_suite(f, &prefix);
            suites.push_str(&text);
            total_tests += tests;
        }
        if let Some(p) = s.plan {
            let failed = s.report.has_at_least(Severity::Error);
            suites.push_str(&plan_suite(p, &prefix, failed));
            total_tests += 1;
            total_failures += usize::from(failed);
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"preflight\" tests=\"{total_tests}\" failures=\"{total_failures}\" errors=\"0\">\n{suites}</testsuites>\n"
    )
}

/// The test suites of one report, their names prefixed with `prefix` (the dataset's name);
/// with the number of tests and failures.
fn report_suites(report: &Report, insights: bool, prefix: &str) -> (String, usize, usize) {
    // Scopes in order: schema, every file, dataset.
    let mut scopes: Vec<(String, Vec<Family>)> = vec![("schema".into(), vec![Family::Schema])];
    for f in &report.files {
        scopes.push((
            f.path.clone(),
            vec![Family::File, Family::Header, Family::Field],
        ));
    }
    let mut dataset = vec![Family::Dataset];
    if insights {
        dataset.push(Family::Insights);
    }
    scopes.push(("dataset".into(), dataset));

    let mut by_scope: BTreeMap<(String, &'static str), Vec<&Diagnostic>> = BTreeMap::new();
    for d in &report.diagnostics {
        let scope = match d.rule.family {
            Family::Schema => "schema".to_string(),
            Family::Dataset | Family::Insights => "dataset".to_string(),
            _ => d.location.file.clone().unwrap_or_else(|| "dataset".into()),
        };
        by_scope.entry((scope, d.rule.code)).or_default().push(d);
    }
    // Findings about files that were not read (sub-folders, non-CSV files) get their own suites.
    for ((scope, _), _) in by_scope.iter() {
        if !scopes.iter().any(|(s, _)| s == scope) {
            scopes.insert(
                scopes.len() - 1,
                (
                    scope.clone(),
                    vec![Family::File, Family::Header, Family::Field],
                ),
            );
        }
    }

    let mut suites = String::new();
    let (mut total_tests, mut total_failures) = (0usize, 0usize);
    for (scope, families) in &scopes {
        let rules: Vec<&Rule> = ALL
            .iter()
            .copied()
            .filter(|r| families.contains(&r.family))
            .collect();
        let mut cases = String::new();
        let mut failures = 0;
        for r in &rules {
            let found = by_scope.get(&(scope.clone(), r.code));
            let _ = write!(
                cases,
                "    <testcase classname=\"{}\" name=\"{} {}\"",
                esc(&format!("{prefix}{scope}")),
                r.code,
                r.name
            );
            match found {
                None => cases.push_str("/>\n"),
                Some(ds) => {
                    cases.push_str(">\n");
                    let text: String = ds.iter().map(|d| format!("{}\n", line(d))).collect();
                    let errors = ds.iter().filter(|d| d.severity == Severity::Error).count();
                    if errors > 0 {
                        failures += 1;
                        let _ = writeln!(
                            cases,
                            "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                            r.code,
                            esc(&ds[0].message),
                            esc(&text)
                        );
                    } else {
                        let _ = writeln!(cases, "      <system-out>{}</system-out>", esc(&text));
                    }
                    cases.push_str("    </testcase>\n");
                }
            }
        }
        total_tests += rules.len();
        total_failures += failures;
        let _ = write!(suites, "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n{cases}  </testsuite>\n", esc(&format!("{prefix}{scope}")), rules.len());
    }
    (suites, total_tests, total_failures)
}

fn line(d: &Diagnostic) -> String {
    let l = &d.location;
    let mut place = l.file.clone().unwrap_or_else(|| "dataset".into());
    if let Some(line) = l.line {
        place.push_str(&format!(":{line}"));
    }
    let mut s = format!("{place}: {} [{}] {}", d.severity, d.rule.code, d.message);
    if let Some(h) = &d.help {
        s.push_str(&format!(" (help: {h})"));
    }
    if let Some(note) = super::fix_note(d) {
        s.push_str(&format!(" ({note})"));
    }
    s
}

/// A JUnit test suite `fix`: one passing test case per rule whose fix changed something, its
/// first lines as output (the findings that remain are the other suites' failures).
fn fix_suite(f: &super::FixReport, prefix: &str) -> (String, usize) {
    let mut cases = String::new();
    for c in &f.summary.changes {
        let mut body = format!("{}\n", super::FixReport::counts(c));
        for e in &c.examples {
            body.push_str(&super::FixReport::example(e));
            body.push('\n');
        }
        let _ = write!(
            cases,
            "    <testcase classname=\"{}fix\" name=\"{} {} ({})\">\n      <system-out>{}</system-out>\n    </testcase>\n",
            esc(prefix),
            c.rule.code,
            c.rule.name,
            c.applicability,
            esc(&body)
        );
    }
    let out = format!(
        "  <testsuite name=\"{}fix\" tests=\"{}\" failures=\"0\" errors=\"0\" skipped=\"0\">\n    <system-out>{}</system-out>\n{cases}  </testsuite>\n",
        esc(prefix),
        f.summary.changes.len(),
        esc(&format!("{}\n{}", f.headline(), f.records()))
    );
    (out, f.summary.changes.len())
}

/// A JUnit test suite `plan` with the counts as properties and the table as output; it fails
/// when the import would fail (the gates' findings are in the `dataset` suite).
fn plan_suite(p: &Plan, prefix: &str, failed: bool) -> String {
    let mut props = String::new();
    let mut prop = |k: &str, v: String| {
        let _ = writeln!(
            props,
            "      <property name=\"{k}\" value=\"{}\"/>",
            esc(&v)
        );
    };
    prop("mode", p.mode.api_name().into());
    prop("dataset_type", p.dataset_type.api_name().into());
    prop("batch_records", p.batch.records.to_string());
    prop("existing_data", p.existing_state.as_str().into());
    for (label, n, _) in rows(p) {
        prop(label, n.plain());
    }
    prop("result_records", counts(p).result.plain());
    let mut table = String::new();
    super::human::plan(&mut table, p);
    let body = if failed {
        format!(
            "      <failure type=\"plan\" message=\"the import job would fail\">{}</failure>\n",
            esc(&table)
        )
    } else {
        format!("      <system-out>{}</system-out>\n", esc(&table))
    };
    format!(
        "  <testsuite name=\"{}plan\" tests=\"1\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n    <properties>\n{props}    </properties>\n    <testcase classname=\"{}plan\" name=\"{} import\">\n{body}    </testcase>\n  </testsuite>\n",
        esc(prefix),
        u8::from(failed),
        esc(prefix),
        p.mode
    )
}

/// Escapes text for XML, dropping characters XML 1.0 cannot hold.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
