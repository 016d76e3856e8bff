//! The data insights of `insights` and `validate --insights`: the datasets analysed together
//! in one read, and their reports rendered (and, with `--html`, written as one page).

use std::path::Path;

use anyhow::Context;
use preflight_validator::{
    Diagnostic, InputFile, InsightOptions, InsightSet, Insights, Options, Report, SchemaSource,
};

use crate::args::InsightArgs;
use crate::outcome::Outcome;
use crate::render::{self, Section};
use crate::session::Session;

/// One dataset analysed: its name as given, its report and its insights.
#[derive(Debug)]
pub struct Analysed {
    /// The dataset's name (in `preflight.toml`, or its type), if it has one.
    pub name: Option<String>,
    /// The validation report.
    pub report: Report,
    /// What Personalize's Data insights would report.
    pub insights: Option<Insights>,
}

impl Analysed {
    /// As a section of the output.
    pub fn section(&self) -> Section<'_> {
        Section {
            name: self.name.as_deref(),
            report: &self.report,
            plan: None,
            insights: self.insights.as_ref(),
            fix: None,
            changes: None,
        }
    }
}

/// The library's options from the command line.
pub fn options(args: &InsightArgs, keep_validation: bool) -> InsightOptions {
    InsightOptions {
        training_interactions: args.training_interactions.max(1),
        keep_validation,
    }
}

/// Analyses the datasets together: one report per dataset, named as given.
pub fn analyse(
    named: &[(Option<String>, &SchemaSource)],
    inputs: Vec<(Vec<InputFile>, Vec<Diagnostic>)>,
    opts: &Options,
    iopts: &InsightOptions,
) -> anyhow::Result<Vec<Analysed>> {
    let mut files = Vec::with_capacity(inputs.len());
    let mut extras = Vec::with_capacity(inputs.len());
    for (i, e) in inputs {
        files.push(i);
        extras.push(e);
    }
    let sets: Vec<InsightSet<'_>> = named
        .iter()
        .zip(&files)
        .zip(extras)
        .map(|(((_, schema), inputs), extra)| InsightSet {
            schema,
            inputs,
            extra,
        })
        .collect();
    let reports = preflight_validator::insights(sets, opts, iopts)?;
    Ok(named
        .iter()
        .zip(reports)
        .map(|((name, _), (report, insights))| Analysed {
            name: name.clone(),
            insights: Some(insights),
            report,
        })
        .collect())
}

/// Refuses an `--html` page that would replace an existing file without `--force`: checked
/// before the analysis, so nothing is read for a run that could not write its page.
pub fn check_html_target(html: Option<&Path>, force: bool) -> anyhow::Result<()> {
    match html {
        Some(path) if !force && path.exists() => anyhow::bail!(
            "`{}` exists: pass --force to replace it, or give --html another file",
            path.display()
        ),
        _ => Ok(()),
    }
}

/// Renders the reports (and writes the HTML page); the exit code is the worst of them.
pub fn emit(
    analysed: &[Analysed],
    session: &Session,
    html: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let sections: Vec<Section<'_>> = analysed.iter().map(Analysed::section).collect();
    if let Some(path) = html {
        std::fs::write(path, render::html(&sections))
            .with_context(|| format!("failed to write `{}`", path.display()))?;
        eprintln!("wrote the insights report to `{}`", path.display());
    }
    session.emit(&sections)?;
    Ok(Outcome::exit(
        session.worst(analysed.iter().map(|a| &a.report)),
    ))
}
