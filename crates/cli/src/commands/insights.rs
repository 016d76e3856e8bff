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
//! `validate --insights` runs the same analysis ([`crate::insights`]) with every validation
//! finding kept.

use anyhow::bail;
use preflight_validator::{DatasetType, SchemaSource};

use crate::args::{InsightsArgs, SchemaArgs};
use crate::insights;
use crate::outcome::Outcome;
use crate::session::Session;

/// One dataset to analyse.
struct Set {
    name: Option<String>,
    schema: SchemaSource,
    paths: Vec<String>,
}

pub fn run(args: &InsightsArgs, session: &Session) -> anyhow::Result<Outcome> {
    insights::check_html_target(args.insight.html.as_deref(), args.insight.html_force)?;
    let sets = sets(args, session)?;
    let opts = session.options();
    // s3:// inputs stream through the session's runtime while they are analysed.
    let mut inputs = Vec::with_capacity(sets.len());
    for s in &sets {
        inputs.push(session.resolve_inputs(&s.paths)?);
    }
    let named: Vec<(Option<String>, &SchemaSource)> =
        sets.iter().map(|s| (s.name.clone(), &s.schema)).collect();
    let analysed = insights::analyse(
        &named,
        inputs,
        &opts,
        &insights::options(&args.insight, false),
    )?;
    insights::emit(&analysed, session, args.insight.html.as_deref())
}

/// The datasets of this run (see the module documentation).
fn sets(args: &InsightsArgs, session: &Session) -> anyhow::Result<Vec<Set>> {
    let config = session.config();
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
            let schema = session.schema(&schema_args)?;
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
            schema: session.dataset_schema(&d.decl.name, &d.schema)?,
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
