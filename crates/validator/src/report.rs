//! The report: bounded findings per rule, per-file facts and a summary.
//!
//! Every rule keeps its first N findings (in file order) and counts the rest, so a file where
//! every row fails stays fast to check and readable.

use std::collections::HashMap;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Level, Rule, Severity};

/// Per-rule severity overrides and the per-rule cap.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Findings kept per rule (the rest are counted).
    pub max_per_rule: usize,
    /// Overrides by rule code.
    pub levels: HashMap<&'static str, Level>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_per_rule: 20,
            levels: HashMap::new(),
        }
    }
}

impl Policy {
    /// The effective level of a rule.
    #[inline]
    pub fn level(&self, rule: &Rule) -> Level {
        if self.levels.is_empty() {
            return Level::Report(rule.severity);
        }
        self.levels
            .get(rule.code)
            .copied()
            .unwrap_or(Level::Report(rule.severity))
    }

    /// Whether the rule runs at all.
    #[inline]
    pub fn enabled(&self, rule: &Rule) -> bool {
        self.level(rule) != Level::Off
    }
}

/// Where a finding sorts in the report: schema first, then files in order, then the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Order {
    pub phase: u8,
    pub file: u32,
    pub line: u64,
    pub column: u32,
    pub seq: u64,
}

#[derive(Debug, Default)]
struct Bucket {
    kept: Vec<(Order, Diagnostic)>,
    total: u64,
}

/// Collects findings, keeping the first `max_per_rule` of each rule in report order.
#[derive(Debug)]
pub struct Collector {
    policy: Policy,
    buckets: HashMap<&'static str, Bucket>,
    seq: u64,
}

impl Collector {
    /// A collector with a policy.
    pub fn new(policy: Policy) -> Self {
        Collector {
            policy,
            buckets: HashMap::new(),
            seq: 0,
        }
    }

    /// The severities and per-rule cap the findings are collected under.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Whether a new finding of `rule` would be kept (so building its message is worth it).
    #[inline]
    pub fn wants(&self, rule: &Rule) -> bool {
        self.policy.enabled(rule)
            && self
                .buckets
                .get(rule.code)
                .is_none_or(|b| b.kept.len() < self.policy.max_per_rule)
    }

    /// Counts a finding without keeping it.
    pub fn count(&mut self, rule: &'static Rule, n: u64) {
        if self.policy.enabled(rule) {
            self.buckets.entry(rule.code).or_default().total += n;
        }
    }

    pub(crate) fn push_at(&mut self, order: Order, d: Diagnostic) {
        self.push_capped(order, d, Severity::Error);
    }

    /// [`Collector::push_at`], at most at severity `cap` whatever the policy says.
    fn push_capped(&mut self, mut order: Order, mut d: Diagnostic, cap: Severity) {
        let level = self.policy.level(d.rule);
        let Level::Report(sev) = level else { return };
        d.severity = sev.min(cap);
        self.seq += 1;
        order.seq = self.seq;
        let max = self.policy.max_per_rule;
        let b = self.buckets.entry(d.rule.code).or_default();
        b.total += 1;
        if b.kept.len() < max {
            b.kept.push((order, d));
        } else if let Some(last) = b.kept.iter().map(|(o, _)| *o).max() {
            // Keep the first findings in report order, whatever order they arrived in.
            if order < last {
                let i = b.kept.iter().position(|(o, _)| *o == last).unwrap_or(0);
                b.kept[i] = (order, d);
            }
        }
    }

    /// Adds a finding that belongs to the schema.
    pub fn push_schema(&mut self, d: Diagnostic) {
        let line = d.location.line.unwrap_or(0);
        self.push_at(
            Order {
                phase: 0,
                file: 0,
                line,
                column: 0,
                seq: 0,
            },
            d,
        );
    }

    /// Adds a finding about a schema that Personalize already accepted (read from the dataset
    /// with DescribeSchema): whatever it says, CreateSchema took the schema and the dataset
    /// exists, so it cannot stop an import into that dataset. It is kept, at most as a warning,
    /// and says so.
    pub fn push_accepted_schema(&mut self, mut d: Diagnostic) {
        d.message.push_str(
            " (the dataset's own schema, which Personalize accepted: this does not stop the import)",
        );
        let line = d.location.line.unwrap_or(0);
        self.push_capped(
            Order {
                phase: 0,
                file: 0,
                line,
                column: 0,
                seq: 0,
            },
            d,
            Severity::Warning,
        );
    }

    /// Adds a finding that belongs to input file number `file` (0-based, in input order).
    pub fn push_file(&mut self, file: usize, d: Diagnostic) {
        let line = d.location.line.unwrap_or(0);
        let column = d.location.column.unwrap_or(0);
        self.push_at(
            Order {
                phase: 1,
                file: file as u32,
                line,
                column,
                seq: 0,
            },
            d,
        );
    }

    /// Adds a dataset-level finding.
    pub fn push_dataset(&mut self, d: Diagnostic) {
        self.push_at(
            Order {
                phase: 2,
                file: 0,
                line: 0,
                column: 0,
                seq: 0,
            },
            d,
        );
    }

    /// Finishes: the kept findings in report order and the per-rule totals.
    pub fn finish(self) -> (Vec<Diagnostic>, Vec<RuleCount>) {
        let mut all: Vec<(Order, Diagnostic)> = Vec::new();
        let mut counts = Vec::new();
        for (_, b) in self.buckets {
            if let Some((_, d)) = b.kept.first() {
                counts.push(RuleCount {
                    code: d.rule.code,
                    name: d.rule.name,
                    severity: d.severity,
                    total: b.total,
                    shown: b.kept.len() as u64,
                });
            }
            all.extend(b.kept);
        }
        all.sort_by_key(|(o, _)| *o);
        counts.sort_by_key(|c| c.code);
        (all.into_iter().map(|(_, d)| d).collect(), counts)
    }
}

/// How many findings a rule produced and how many are shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    /// Rule code.
    pub code: &'static str,
    /// Rule name.
    pub name: &'static str,
    /// Effective severity.
    pub severity: Severity,
    /// All findings of the rule.
    pub total: u64,
    /// Findings kept in the report.
    pub shown: u64,
}

/// Facts about one input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSummary {
    /// As named by the user (`-` for stdin).
    pub path: String,
    /// Bytes read.
    pub bytes: u64,
    /// Physical lines, header included.
    pub lines: u64,
    /// Data records (non-blank lines after the header).
    pub records: u64,
    /// The header's column names.
    pub header: Vec<String>,
}

/// Findings per severity (kept and only counted alike), and what was read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Error-level findings (all, not only those shown).
    pub errors: u64,
    /// Warning-level findings.
    pub warnings: u64,
    /// Info-level findings.
    pub infos: u64,
    /// Findings not shown because of the per-rule cap.
    pub omitted: u64,
    /// Files checked.
    pub files: u64,
    /// Records checked.
    pub records: u64,
    /// Bytes checked.
    pub bytes: u64,
}

/// The outcome of a validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Dataset type checked.
    pub dataset_type: Option<String>,
    /// Domain, if any.
    pub domain: Option<String>,
    /// Schema source.
    pub schema: Option<String>,
    /// Per-file facts.
    pub files: Vec<FileSummary>,
    /// The run's totals, across files.
    pub summary: Summary,
    /// Per-rule counts.
    pub rules: Vec<RuleCount>,
    /// Findings kept, in report order.
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Builds the report from a finished collector.
    pub fn build(
        collector: Collector,
        files: Vec<FileSummary>,
        dataset_type: Option<String>,
        domain: Option<String>,
        schema: Option<String>,
    ) -> Report {
        let (diagnostics, rules) = collector.finish();
        let mut summary = Summary::default();
        for c in &rules {
            match c.severity {
                Severity::Error => summary.errors += c.total,
                Severity::Warning => summary.warnings += c.total,
                Severity::Info => summary.infos += c.total,
            }
            summary.omitted += c.total - c.shown;
        }
        summary.files = files.len() as u64;
        summary.records = files.iter().map(|f| f.records).sum();
        summary.bytes = files.iter().map(|f| f.bytes).sum();
        Report {
            dataset_type,
            domain,
            schema,
            files,
            summary,
            rules,
            diagnostics,
        }
    }

    /// Keeps only the findings of rules that pass `keep`, and recounts the summary.
    pub fn retain(&mut self, keep: impl Fn(&Rule) -> bool) {
        self.diagnostics.retain(|d| keep(d.rule));
        self.rules
            .retain(|c| crate::rules::lookup(c.code).is_some_and(&keep));
        let s = &mut self.summary;
        (s.errors, s.warnings, s.infos, s.omitted) = (0, 0, 0, 0);
        for c in &self.rules {
            match c.severity {
                Severity::Error => s.errors += c.total,
                Severity::Warning => s.warnings += c.total,
                Severity::Info => s.infos += c.total,
            }
            s.omitted += c.total - c.shown;
        }
    }

    /// Whether any finding is at or above `severity`.
    pub fn has_at_least(&self, severity: Severity) -> bool {
        self.rules
            .iter()
            .any(|c| c.severity >= severity && c.total > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;

    #[test]
    fn an_accepted_schemas_findings_are_at_most_warnings_and_say_why() {
        let mut policy = Policy::default();
        policy
            .levels
            .insert("PF419", Level::Report(Severity::Error));
        let mut c = Collector::new(policy);
        c.push_accepted_schema(Diagnostic::new(&rules::PF408, "`A_B` and `AB` collide"));
        c.push_accepted_schema(Diagnostic::new(&rules::PF419, "`X` is a plain string"));
        c.push_accepted_schema(Diagnostic::new(&rules::PF418, "`Y` is a boolean"));
        c.push_schema(Diagnostic::new(&rules::PF408, "`C_D` and `CD` collide"));
        let (found, _) = c.finish();
        let got: Vec<_> = found
            .iter()
            .map(|d| {
                (
                    d.rule.code,
                    d.severity,
                    d.message.contains("Personalize accepted"),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("PF408", Severity::Warning, true),
                ("PF419", Severity::Warning, true),
                ("PF418", Severity::Warning, true),
                ("PF408", Severity::Error, false),
            ]
        );
    }

    /// A finding of `rule` at `line`:`column` of `file` (a name for the test to read).
    fn at(rule: &'static Rule, file: &str, line: u64, column: u32) -> Diagnostic {
        Diagnostic::new(rule, format!("{file}:{line}:{column}")).at(crate::Location {
            file: Some(file.into()),
            line: Some(line),
            column: Some(column),
            ..crate::Location::default()
        })
    }

    #[test]
    fn findings_come_out_in_report_order_whatever_order_they_arrive_in() {
        // Schema first, then files in input order by line and column, then the dataset; ties
        // keep the order they arrived in.
        let mut c = Collector::new(Policy::default());
        c.push_dataset(Diagnostic::new(&rules::PF301, "dataset"));
        c.push_file(1, at(&rules::PF206, "b", 5, 1));
        c.push_file(0, at(&rules::PF207, "a", 9, 2));
        c.push_schema(Diagnostic::new(&rules::PF408, "schema"));
        c.push_file(0, at(&rules::PF206, "a", 9, 1));
        c.push_file(0, at(&rules::PF208, "a", 2, 4));
        c.push_dataset(Diagnostic::new(&rules::PF302, "dataset, later"));
        c.push_file(0, at(&rules::PF209, "a", 9, 1));
        let (found, _) = c.finish();
        let got: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            got,
            [
                "schema",
                "a:2:4",
                "a:9:1",
                "a:9:1",
                "a:9:2",
                "b:5:1",
                "dataset",
                "dataset, later"
            ]
        );
        // The tie at a:9:1: PF206 arrived before PF209.
        assert_eq!(found[2].rule.code, "PF206");
        assert_eq!(found[3].rule.code, "PF209");
    }

    #[test]
    fn each_rule_keeps_its_first_findings_in_report_order_and_counts_the_rest() {
        let policy = Policy {
            max_per_rule: 2,
            ..Policy::default()
        };
        let mut c = Collector::new(policy);
        for line in [9, 3, 7, 1, 5] {
            c.push_file(0, at(&rules::PF206, "a", line, 1));
        }
        // Findings of a later file never displace those of an earlier one.
        c.push_file(1, at(&rules::PF206, "b", 1, 1));
        assert!(!c.wants(&rules::PF206), "the cap is reached");
        assert!(c.wants(&rules::PF207));
        c.count(&rules::PF206, 10);
        let (found, counts) = c.finish();
        let lines: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(lines, ["a:1:1", "a:3:1"]);
        assert_eq!(
            counts,
            [RuleCount {
                code: "PF206",
                name: rules::PF206.name,
                severity: Severity::Error,
                total: 16,
                shown: 2,
            }]
        );
    }

    #[test]
    fn a_rule_turned_off_is_neither_kept_nor_counted_and_levels_apply() {
        let mut policy = Policy::default();
        policy.levels.insert("PF206", Level::Off);
        policy.levels.insert("PF207", Level::Report(Severity::Info));
        let mut c = Collector::new(policy);
        assert!(!c.wants(&rules::PF206));
        c.push_file(0, at(&rules::PF206, "a", 1, 1));
        c.count(&rules::PF206, 5);
        c.push_file(0, at(&rules::PF207, "a", 2, 1));
        let (found, counts) = c.finish();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Info);
        assert_eq!(counts.len(), 1);
        assert_eq!(
            (counts[0].code, counts[0].severity),
            ("PF207", Severity::Info)
        );
    }
}
