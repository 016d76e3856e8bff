//! `preflight validate`: one import from the command line, or the datasets of `preflight.toml`.
//!
//! - `--schema FILE` or `--dataset-type TYPE` with PATHs: the PATHs are one import.
//! - a config file and no PATH: every declared dataset (or those named by `--dataset`), each
//!   one import with its own report section.
//! - a config file and PATHs (a pre-commit hook): each PATH is mapped to the datasets whose
//!   globs match it; each such dataset is checked whole (so its dataset-level checks, such as
//!   the 1,000-record minimum, see the import as Personalize would), with row-level findings
//!   only on the PATHs given. A PATH that is a dataset's schema file checks that dataset with
//!   every row. PATHs that match no dataset are skipped with a note.
//!
//! The exit code is the worst of the sections.

use std::collections::HashMap;
use std::path::Path;

use anyhow::bail;
use preflight_validator::{
    check_schema_source, Diagnostic, InputFile, LineSet, Options, Report, SchemaSource, Severity,
    Source,
};

use crate::args::ValidateArgs;
use crate::dataset;
use crate::exit;
use crate::insights::{self, Analysed};
use crate::outcome::Outcome;
use crate::render::Section;
use crate::seal;
use crate::session::Session;

/// One import to check.
struct Job {
    name: Option<String>,
    schema: SchemaSource,
    paths: Vec<String>,
    /// Only these inputs (by name) get row-level findings; `None`: all of them.
    rows_for: Option<Vec<String>>,
    /// The dataset's `existing` and `dataset_arn` in preflight.toml (for `--mode`).
    existing: Vec<String>,
    dataset_arn: Option<String>,
}

pub fn run(args: &ValidateArgs, session: &Session) -> anyhow::Result<Outcome> {
    let jobs = jobs(args, session)?;
    if args.mode.is_none() && (!args.existing.existing.is_empty() || args.existing.first_import) {
        bail!("--existing and --first-import describe the dataset for the plan's gates: add --mode full|incremental");
    }
    if args.mode.is_some() && jobs.len() > 1 {
        bail!("--mode and --existing plan one import: name one dataset with --dataset");
    }
    if args.seal && (args.insights || args.insight.html.is_some()) {
        bail!("--seal seals a folder that passed validation: run it without --insights");
    }
    if args.insights || args.insight.html.is_some() {
        insights::check_html_target(args.insight.html.as_deref(), args.insight.html_force)?;
        return with_insights(jobs, args, session);
    }
    // --seal: what the objects are before validation reads them.
    let sealing = if args.seal {
        let [job] = jobs.as_slice() else {
            bail!("--seal seals one s3:// folder: name one dataset with --dataset");
        };
        Some(seal::before(&job.paths, session)?)
    } else {
        None
    };

    let mut reports = Vec::with_capacity(jobs.len());
    for job in &jobs {
        reports.push(check(job, args, session)?);
    }
    let sections: Vec<Section<'_>> = jobs
        .iter()
        .zip(&reports)
        .map(|(job, report)| Section::of(job.name.as_deref(), report))
        .collect();
    session.emit(&sections)?;
    let code = session.worst(&reports);
    if let (Some(before), Some((report, job))) = (sealing, reports.first().zip(jobs.first())) {
        if code != exit::SUCCESS || report.has_at_least(Severity::Error) {
            eprintln!("not sealed: the folder did not pass validation");
        } else {
            seal::write(before, &job.schema, report, session)?;
        }
    }
    Ok(Outcome::exit(code))
}

/// What to check: from the schema options, or from the config file's datasets.
fn jobs(args: &ValidateArgs, session: &Session) -> anyhow::Result<Vec<Job>> {
    let config = session.config();
    let explicit = args.schema.schema.is_some()
        || args.schema.dataset_type.is_some()
        || args.schema.dataset_arn.is_some();
    if explicit || config.is_none() {
        if !args.dataset.is_empty() {
            bail!("--dataset needs a config file with datasets (preflight.toml)");
        }
        let schema = session.schema(&args.schema)?;
        if args.paths.is_empty() {
            bail!("give the files to check (PATH…), or declare datasets in preflight.toml");
        }
        return Ok(vec![Job {
            name: None,
            schema,
            paths: args.paths.clone(),
            rows_for: None,
            existing: Vec::new(),
            dataset_arn: args.schema.dataset_arn.clone(),
        }]);
    }
    let config = config.expect("checked above");
    if config.datasets.is_empty() {
        bail!(
            "`{}` declares no dataset: add a [datasets.NAME] table, or give --schema/--dataset-type",
            config.path.display()
        );
    }
    for name in &args.dataset {
        if !config.datasets.iter().any(|d| &d.name == name) {
            let known: Vec<&str> = config.datasets.iter().map(|d| d.name.as_str()).collect();
            bail!(
                "no dataset `{name}` in `{}` (declared: {})",
                config.path.display(),
                known.join(", ")
            );
        }
    }
    let wanted = |name: &str| args.dataset.is_empty() || args.dataset.iter().any(|d| d == name);

    if args.paths.is_empty() {
        let mut jobs = Vec::new();
        for d in config.datasets()? {
            if !wanted(&d.decl.name) {
                continue;
            }
            let schema = session.dataset_schema(&d.decl.name, &d.schema)?;
            if d.decl.files.is_empty() {
                eprintln!("note: dataset `{}` declares no files; skipped", d.decl.name);
                continue;
            }
            if d.inputs.is_empty() {
                bail!(
                    "dataset `{}`: no file matches {} (relative to `{}`)",
                    d.decl.name,
                    d.decl.files.join(", "),
                    config.path.display()
                );
            }
            jobs.push(Job {
                schema,
                paths: d.inputs,
                rows_for: None,
                existing: d.decl.existing,
                dataset_arn: d.decl.dataset_arn,
                name: Some(d.decl.name),
            });
        }
        return Ok(jobs);
    }

    // Files named on the command line (a pre-commit hook): map each to its datasets.
    let mut touched: Vec<(usize, Vec<String>, bool)> = Vec::new();
    for path in &args.paths {
        let owners: Vec<(usize, bool)> = config
            .owners(Path::new(path))
            .into_iter()
            .filter(|(i, _)| wanted(&config.datasets[*i].name))
            .collect();
        if owners.is_empty() {
            eprintln!(
                "note: `{path}` belongs to no dataset in `{}`; skipped",
                config.path.display()
            );
        }
        for (i, is_schema) in owners {
            let entry = match touched.iter_mut().find(|(j, _, _)| *j == i) {
                Some(e) => e,
                None => {
                    touched.push((i, Vec::new(), false));
                    touched.last_mut().expect("just pushed")
                }
            };
            if is_schema {
                entry.2 = true;
            } else {
                entry.1.push(path.clone());
            }
        }
    }
    touched.sort_by_key(|(i, _, _)| *i);
    let mut jobs = Vec::new();
    for (i, given, schema_changed) in touched {
        let d = config.resolve(&config.datasets[i])?;
        let mut paths = d.inputs.clone();
        // The dataset's files as named by its globs; a given file the globs also name is
        // reported under the dataset's name for it.
        let mut rows_for = Vec::new();
        for g in &given {
            if let Some(p) = paths.iter().find(|p| same_file(p, g)) {
                rows_for.push(p.clone());
            } else if let Some(dir) = paths.iter().find(|p| {
                Path::new(p).is_dir()
                    && Path::new(g)
                        .parent()
                        .is_some_and(|parent| same_file(p, &parent.to_string_lossy()))
            }) {
                // A file of a folder input: named as the folder's files are.
                let name = Path::new(g).file_name().unwrap_or_default();
                rows_for.push(Path::new(dir).join(name).to_string_lossy().into_owned());
            } else {
                paths.push(g.clone());
                rows_for.push(g.clone());
            }
        }
        if paths.is_empty() {
            // Only the schema changed and no data file exists yet: check the schema alone.
            eprintln!(
                "note: dataset `{}` has no data file; checking its schema only",
                d.decl.name
            );
        }
        jobs.push(Job {
            schema: session.dataset_schema(&d.decl.name, &d.schema)?,
            paths,
            rows_for: (!schema_changed).then_some(rows_for),
            existing: d.decl.existing,
            dataset_arn: d.decl.dataset_arn,
            name: Some(d.decl.name),
        });
    }
    Ok(jobs)
}

fn same_file(a: &str, b: &str) -> bool {
    a == b
        || match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
}

/// `validate --insights`: every import validated and analysed in the same read, with the ID
/// coverage between them.
fn with_insights(
    jobs: Vec<Job>,
    args: &ValidateArgs,
    session: &Session,
) -> anyhow::Result<Outcome> {
    if args.mode.is_some() {
        bail!("--insights cannot be combined with --mode: run `preflight plan` for the plan, then `validate --insights`");
    }
    let mut opts = None::<Options>;
    let mut inputs = Vec::new();
    for job in &jobs {
        let (i, extra, o) = prepare(job, session)?;
        inputs.push((i, extra));
        // One set of options for every import; the line filters are per input.
        match &mut opts {
            None => opts = Some(o),
            Some(all) => all.lines.extend(o.lines),
        }
    }
    let opts = opts.unwrap_or_default();
    let named: Vec<(Option<String>, &SchemaSource)> =
        jobs.iter().map(|j| (j.name.clone(), &j.schema)).collect();
    let iopts = insights::options(&args.insight, true);
    let analysed: Vec<Analysed> = insights::analyse(&named, inputs, &opts, &iopts)?;
    insights::emit(&analysed, session, args.insight.html.as_deref())
}

/// The inputs of one import and the options to check them with (`s3://` inputs stream through
/// the session's runtime).
fn prepare(
    job: &Job,
    session: &Session,
) -> anyhow::Result<(Vec<InputFile>, Vec<Diagnostic>, Options)> {
    let (inputs, extra) = session.resolve_inputs(&job.paths)?;
    let mut lines = HashMap::new();
    for input in &inputs {
        let given = job.rows_for.as_ref().is_none_or(|r| {
            r.iter()
                .any(|p| *p == input.name || input.name.starts_with(&format!("{p}/")))
        });
        if !given {
            lines.insert(input.name.clone(), LineSet::empty());
            continue;
        }
        if let (Some(rev), Source::Path(path)) = (&session.settings().changed_since, &input.source)
        {
            if let Some(set) = crate::git::changed_lines(rev, path)? {
                lines.insert(input.name.clone(), set);
            }
        }
    }
    let opts = Options {
        lines,
        ..session.options()
    };
    Ok((inputs, extra, opts))
}

/// Validates one import (with `--mode`, with the plan's gates; the plan itself is not shown).
fn check(job: &Job, args: &ValidateArgs, session: &Session) -> anyhow::Result<Report> {
    if job.paths.is_empty() {
        return Ok(check_schema_source(&job.schema, session.policy())?);
    }
    let (inputs, extra, opts) = prepare(job, session)?;
    let Some(mode) = args.mode else {
        return Ok(preflight_validator::validate(
            &job.schema,
            &inputs,
            extra,
            &opts,
        )?);
    };
    // The existing data: --existing, else the dataset's `existing`; else what the account
    // says of the dataset's ARN, if one is known.
    let paths = if args.existing.existing.is_empty() {
        &job.existing
    } else {
        &args.existing.existing
    };
    let existing = dataset::existing_data(
        paths,
        args.existing.first_import,
        &inputs,
        session,
        &mut || dataset::account(job.dataset_arn.as_deref(), session),
    )?;
    let plan_opts = dataset::plan_options(mode, &args.existing);
    let (report, _plan) = preflight_validator::plan(
        &job.schema,
        &inputs,
        extra,
        existing.get(),
        &opts,
        &plan_opts,
    )?;
    Ok(report)
}
