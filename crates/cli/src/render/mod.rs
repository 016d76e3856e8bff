//! One emitter per output format, each a file that renders the report, the plan and the
//! insights of every section: `human`, `json`, `github`, `junit`, `sarif`, `markdown`. Dispatch
//! is one `match` ([`render`]); [`view`] holds what they share of the plan and the insights,
//! and `html` the page of `--html`. Data goes to stdout.
//!
//! A new format is one emitter file here, its `mod` line, a variant of [`Format`] and its arm in
//! [`render`]: the last three are all in this file (ARCHITECTURE.md shows the diff of one).

mod github;
mod gitlab;
mod html;
mod human;
mod json;
mod junit;
mod markdown;
#[cfg(test)]
mod sample;
mod sarif;
mod view;

pub(crate) use html::render as html;
pub(crate) use human::human_bytes;
use std::io::{IsTerminal, Write};
pub(crate) use view::fix::FixReport;

use preflight_validator::{Insights, Plan, Report};

use crate::args::ColorChoice;

/// One import's report, with its plan and its insights when it has them. Named when it checks
/// a dataset declared in the config file; a run over several datasets renders one section per
/// dataset.
#[derive(Debug, Clone, Copy)]
pub struct Section<'a> {
    /// The dataset's name in `preflight.toml`, if the import is one.
    pub name: Option<&'a str>,
    /// The findings, their per-rule counts and the files checked.
    pub report: &'a Report,
    /// What the import job will do (`preflight plan`, `run`).
    pub plan: Option<&'a Plan>,
    /// What Personalize's Data insights would report (`preflight insights`,
    /// `validate --insights`).
    pub insights: Option<&'a Insights>,
    /// What `preflight fix` changed in this input (its findings are those that remain).
    pub fix: Option<&'a FixReport>,
    /// What the import changes in recommendations (`plan`).
    pub changes: Option<&'a crate::changes::Changes>,
}

impl<'a> Section<'a> {
    /// A report alone as a section: no plan, no insights.
    pub fn of(name: Option<&'a str>, report: &'a Report) -> Section<'a> {
        Section {
            name,
            report,
            plan: None,
            insights: None,
            fix: None,
            changes: None,
        }
    }
}

/// An output format (`--format`, `format` in `preflight.toml`, `PREFLIGHT_FORMAT`): each variant's
/// doc comment is its `--help` text, and [`render`] below maps it to its emitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Source lines with carets, then a summary.
    Human,
    /// One JSON object (a stable contract: docs/formats.md).
    Json,
    /// GitHub Actions workflow commands (annotations), plus a step summary.
    Github,
    /// JUnit XML: one test case per file and rule.
    Junit,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// A markdown summary: a table per rule and the first findings (PR comments, step summaries).
    Markdown,
    /// A GitLab Code Quality report, for the merge request widget (`artifacts: reports: codequality`).
    Gitlab,
}

/// Renders the sections in `format`: one emitter per format.
pub fn render(format: Format, color: bool, sections: &[Section<'_>]) -> String {
    match format {
        Format::Human => human::render(sections, color),
        Format::Json => json::render(sections),
        Format::Github => github::render(sections),
        Format::Junit => junit::render(sections),
        Format::Sarif => sarif::render(sections),
        Format::Markdown => markdown::render(sections, markdown::STEP_SUMMARY_LIMIT),
        Format::Gitlab => gitlab::render(sections),
    }
}

/// Renders the sections in the chosen format to stdout (and, for `github`, appends the step
/// summary to `$GITHUB_STEP_SUMMARY` when it is set).
pub fn emit(format: Format, color: ColorChoice, sections: &[Section<'_>]) -> anyhow::Result<()> {
    write(
        &mut std::io::stdout().lock(),
        std::io::stdout().is_terminal(),
        format,
        color,
        sections,
    )
}

/// Renders the sections to stderr, for a command whose stdout is data of its own.
pub fn emit_to_stderr(
    format: Format,
    color: ColorChoice,
    sections: &[Section<'_>],
) -> anyhow::Result<()> {
    write(
        &mut std::io::stderr().lock(),
        std::io::stderr().is_terminal(),
        format,
        color,
        sections,
    )
}

fn write(
    out: &mut dyn Write,
    terminal: bool,
    format: Format,
    color: ColorChoice,
    sections: &[Section<'_>],
) -> anyhow::Result<()> {
    if format == Format::Github {
        github::write_step_summary(sections)?;
    }
    let color = use_color(color, terminal, std::env::var_os("NO_COLOR").is_some());
    out.write_all(render(format, color, sections).as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Whether to colour the human output: a pure function of the setting and the environment.
pub fn use_color(choice: ColorChoice, stdout_is_terminal: bool, no_color: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout_is_terminal && !no_color,
    }
}

/// The note every format adds to a finding `preflight fix` repairs.
pub fn fix_note(d: &preflight_validator::Diagnostic) -> Option<String> {
    d.fix.map(|a| format!("fixable with `{}`", a.command()))
}

/// Formats a count with thousands separators.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 error" / "2 errors".
pub fn plural(n: u64, word: &str) -> String {
    format!("{} {word}{}", thousands(n), if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_decision_table() {
        for (choice, tty, no_color, want) in [
            (ColorChoice::Auto, true, false, true),
            (ColorChoice::Auto, true, true, false),
            (ColorChoice::Auto, false, false, false),
            (ColorChoice::Always, false, true, true),
            (ColorChoice::Never, true, false, false),
        ] {
            assert_eq!(
                use_color(choice, tty, no_color),
                want,
                "{choice:?} {tty} {no_color}"
            );
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(plural(1, "error"), "1 error");
        assert_eq!(plural(1000, "record"), "1,000 records");
    }
}
