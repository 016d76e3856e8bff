//! `preflight insights`: what Personalize's Data insights would report on the datasets, before
//! they are imported, and how their IDs cover each other.
//!
//! The datasets come from, in this order of precedence:
//! - `--interactions P --items P --users P --actions P` (built-in schemas adapted to each
//!   file's header, `--domain` applying), plus PATHs with `--schema`/`--dataset-type` if given;
//! - PATHs with `--schema FILE` or `--dataset-type TYPE`: one dataset;
//! - the config file: every declared dataset (or those named by `--dataset`), analysed
//!   together, so that the interactions are compared with the Items and Users declared next to
//!   them.
//!
//! `validate --insights` runs the same analysis with every validation finding kept.

use std::path::Path;

use anyhow::{bail, Context};
use preflight_validator::{
    DatasetType, Diagnostic, InputFile, InsightOptions, InsightSet, Insights, Options, Report,
    SchemaSource,
};

use crate::args::{ColorChoice, InsightArgs, InsightsArgs, SchemaArgs};
use crate::config::{self, Config, Settings};
use crate::exit::{self, Code};
use crate::render::{self, Section};

use super::validate::{dataset_schema, engine_options, exit_code_for};

/// One dataset to analyse.
struct Set {
    name: Option<String>,
    schema: SchemaSource,
    paths: Vec<String>,
}

pub fn run(args: InsightsArgs, clients: &super::Clients) -> anyhow::Result<Code> {
    let env = |k: &str| std::env::var(k).ok();
    let flags = Settings::from_args(&args.report, args.engine.threads, None);
    let (config, settings) = config::load_layers(&args.config, flags, &env)?;
    let sets = sets(&args, config.as_ref(), clients)?;
    let opts = engine_options(&args.engine, &settings);
    // s3:// inputs stream through the I/O runtimes, which must outlive the analysis.
    let mut inputs = Vec::with_capacity(sets.len());
    let mut runtimes = Vec::new();
    for s in &sets {
        let (i, extra, io) = crate::s3::resolve_inputs(&s.paths, &args.aws)?;
        runtimes.push(io);
        inputs.push((i, extra));
    }
    let named: Vec<(Option<String>, &SchemaSource)> =
        sets.iter().map(|s| (s.name.clone(), &s.schema)).collect();
    let reports = analyse(&named, inputs, &opts, &options(&args.insight, false))?;
    drop(runtimes);
    emit(
        &reports,
        &settings,
        args.report.color,
        args.insight.html.as_deref(),
    )
}

/// The library's options from the command line.
pub fn options(args: &InsightArgs, keep_validation: bool) -> InsightOptions {
    InsightOptions {
        training_interactions: args.training_interactions.max(1),
        keep_validation,
    }
}

/// One dataset's name, report and insights.
pub type Analysed = (Option<String>, Report, Insights);

/// Analyses the datasets together: one report and its insights per dataset, named as given.
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
        .map(|((n, _), (report, insights))| (n.clone(), report, insights))
        .collect())
}

/// Renders the reports (and writes the HTML page); the exit code is the worst of them.
pub fn emit(
    reports: &[Analysed],
    settings: &Settings,
    color: ColorChoice,
    html: Option<&Path>,
) -> anyhow::Result<Code> {
    let sections: Vec<Section<'_>> = reports
        .iter()
        .map(|(name, report, insights)| Section {
            insights: Some(insights),
            ..Section::of(name.as_deref(), report)
        })
        .collect();
    if let Some(path) = html {
        std::fs::write(path, render::html(&sections))
            .with_context(|| format!("failed to write `{}`", path.display()))?;
        eprintln!("wrote the insights report to `{}`", path.display());
    }
    render::emit_sections(settings.format(), color, &sections)?;
    Ok(reports
        .iter()
        .map(|(_, r, _)| exit_code_for(r, settings.fail_on()))
        .max_by_key(|c| c.0)
        .unwrap_or(exit::SUCCESS))
}

/// The datasets of this run (see the module documentation).
fn sets(
    args: &InsightsArgs,
    config: Option<&Config>,
    clients: &super::Clients,
) -> anyhow::Result<Vec<Set>> {
    let schema_args = SchemaArgs {
        schema: args.schema.clone(),
        dataset_type: args.dataset_type,
        domain: args.domain,
        dataset_arn: args.dataset_arn.clone(),
    };
    let explicit =
        args.schema.is_some() || args.dataset_type.is_some() || args.dataset_arn.is_some();
    let mut sets = Vec::new();
    for (paths, ty) in [
        (&args.interactions, DatasetType::Interactions),
        (&args.items, DatasetType::Items),
        (&args.users, DatasetType::Users),
        (&args.actions, DatasetType::Actions),
    ] {
        if paths.is_empty() {
            continue;
        }
        sets.push(Set {
            name: Some(ty.api_name().to_lowercase()),
            schema: SchemaSource::Builtin {
                dataset_type: ty,
                // Actions exist only in custom dataset groups.
                domain: args.domain.filter(|_| ty != DatasetType::Actions),
            },
            paths: paths.clone(),
        });
    }
    if !sets.is_empty() || explicit || config.is_none() {
        if !args.dataset.is_empty() {
            bail!("--dataset needs a config file with datasets (preflight.toml)");
        }
        if !args.paths.is_empty() {
            let schema = super::aws::schema_source(&schema_args, &args.aws, clients)?;
            let name = if sets.is_empty() {
                None
            } else {
                Some(match &schema {
                    SchemaSource::Builtin { dataset_type, .. } => {
                        dataset_type.api_name().to_lowercase()
                    }
                    SchemaSource::Text { source, .. } => source.clone(),
                })
            };
            sets.push(Set {
                name,
                schema,
                paths: args.paths.clone(),
            });
        } else if explicit {
            bail!("give the files of the dataset (PATH…) after --schema, --dataset-type or --dataset-arn");
        }
        if sets.is_empty() {
            bail!("give the datasets to analyse: --interactions PATH --items PATH --users PATH, PATH… with --schema, --dataset-type or --dataset-arn, or declare datasets in preflight.toml");
        }
        return Ok(sets);
    }
    let config = config.expect("checked above");
    if !args.paths.is_empty() {
        bail!("with a config file, give no PATH (every declared dataset is analysed) or give the schema with --schema, --dataset-type or --dataset-arn");
    }
    for name in &args.dataset {
        if !config.datasets.iter().any(|d| &d.name == name) {
            bail!("no dataset `{name}` in `{}`", config.path.display());
        }
    }
    for d in config.datasets()? {
        if !(args.dataset.is_empty() || args.dataset.contains(&d.decl.name)) {
            continue;
        }
        if d.inputs.is_empty() {
            eprintln!("note: dataset `{}` has no data file; skipped", d.decl.name);
            continue;
        }
        sets.push(Set {
            schema: dataset_schema(&d.decl.name, &d.schema, &args.aws, clients)?,
            name: Some(d.decl.name),
            paths: d.inputs,
        });
    }
    if sets.is_empty() {
        bail!(
            "`{}` declares no dataset with files to analyse",
            config.path.display()
        );
    }
    Ok(sets)
}
