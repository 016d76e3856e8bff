//! One renderer per output format; dispatch is one `match`. Data goes to stdout.

mod github;
mod human;
mod insights;
mod json;
mod junit;
mod markdown;
mod plan;
mod sarif;

pub(crate) use human::human_bytes;
pub(crate) use insights::html;
use std::io::{IsTerminal, Write};

use preflight_validator::{Insights, Plan, Report};

use crate::args::{ColorChoice, Format, ReportArgs};

/// One import's report, with the plan or the insights beside it. Named when it checks a dataset
/// declared in the config file; a run over several datasets renders one section per dataset.
#[derive(Debug, Clone, Copy)]
pub struct Section<'a> {
    /// The dataset's name in `preflight.toml`, if the import is one.
    pub name: Option<&'a str>,
    /// The report.
    pub report: &'a Report,
    /// What the import job will do (`preflight plan`).
    pub plan: Option<&'a Plan>,
    /// The dataset's insights (`preflight insights`, `validate --insights`).
    pub insights: Option<&'a Insights>,
}

impl<'a> Section<'a> {
    /// A section of a report alone.
    pub fn of(name: Option<&'a str>, report: &'a Report) -> Self {
        Section {
            name,
            report,
            plan: None,
            insights: None,
        }
    }
}

/// Renders the sections in the chosen format to stdout (and, for `github`, appends the step
/// summary to `$GITHUB_STEP_SUMMARY` when it is set).
pub fn emit_sections(
    format: Format,
    color: ColorChoice,
    sections: &[Section<'_>],
) -> anyhow::Result<()> {
    let text = render(format, color, std::io::stdout().is_terminal(), sections)?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Renders one report to stderr, for a command whose stdout is data of its own (`stage` prints
/// the data location alone there, for `LOC=$(preflight stage …)`).
pub fn emit_to_stderr(args: &ReportArgs, report: &Report) -> anyhow::Result<()> {
    let text = render(
        args.format.unwrap_or(Format::Human),
        args.color,
        std::io::stderr().is_terminal(),
        &[Section::of(None, report)],
    )?;
    let mut err = std::io::stderr().lock();
    err.write_all(text.as_bytes())?;
    err.flush()?;
    Ok(())
}

fn render(
    format: Format,
    color: ColorChoice,
    terminal: bool,
    sections: &[Section<'_>],
) -> anyhow::Result<String> {
    Ok(match format {
        Format::Human => {
            let color = use_color(color, terminal, std::env::var_os("NO_COLOR").is_some());
            human::render_sections(sections, color)
        }
        Format::Json => json::render_sections(sections),
        Format::Github => {
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
                let md = markdown::render(sections, markdown::STEP_SUMMARY_LIMIT);
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)?;
                f.write_all(md.as_bytes())?;
            }
            github::render(sections)
        }
        Format::Junit => junit::render(sections),
        Format::Sarif => sarif::render(sections),
        Format::Markdown => markdown::render(sections, markdown::STEP_SUMMARY_LIMIT),
    })
}

/// Whether to colour the human output: a pure function of the setting and the environment.
pub fn use_color(choice: ColorChoice, stdout_is_terminal: bool, no_color: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout_is_terminal && !no_color,
    }
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
