//! `preflight fix`: each input repaired by the rules that know how (`--unsafe-fixes` for the
//! ones that change values or drop records), written in Personalize's dialect to `-o FILE|DIR`,
//! stdout (`-o -`) or over the input (`--in-place`); then what changed and the findings that
//! remain, exactly as `validate` reports them on the output. Exit 0 when nothing at the failing
//! severity remains, 1 when something does (the output is still written), 2 when it could not
//! run, 130 on Ctrl-C (nothing written).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::bail;
use preflight_validator::{InputFile, Report, Source};

use crate::args::FixArgs;
use crate::exit;
use crate::outcome::Outcome;
use crate::render::{FixReport, Section};
use crate::repair::{self, Stopped, Target};
use crate::session::Session;

pub fn run(args: &FixArgs, session: &Session) -> anyhow::Result<Outcome> {
    let schema = session.schema(&args.schema)?;
    let (inputs, _extra) = session.resolve_inputs(&args.paths)?;
    let targets = targets(args, &inputs)?;
    for t in &targets {
        t.check()?;
    }
    let cancel = repair::cancel_on_ctrl_c(session)?;
    let mut done: Vec<(FixReport, Report)> = Vec::with_capacity(inputs.len());
    for (input, target) in inputs.iter().zip(&targets) {
        match repair::fix_one(input, target, &schema, session, args.unsafe_fixes, &cancel) {
            Ok(r) => done.push(r),
            Err(Stopped::Interrupted) => {
                return Ok(
                    Outcome::failed(exit::INTERRUPTED, "interrupted").note(format!(
                        "`{}` was not written{}; no temporary file is left",
                        target.shown(),
                        if matches!(target, Target::InPlace(_)) {
                            " (the input is untouched)"
                        } else {
                            ""
                        }
                    )),
                );
            }
            Err(Stopped::Failed(e)) => return Err(e),
        }
    }
    let several = done.len() > 1;
    let sections: Vec<Section<'_>> = done
        .iter()
        .map(|(f, report)| Section {
            name: several.then_some(f.input.as_str()),
            report,
            plan: None,
            insights: None,
            changes: None,
            fix: Some(f),
        })
        .collect();
    if targets.contains(&Target::Stdout) {
        session.emit_to_stderr(&sections)?;
    } else {
        session.emit(&sections)?;
    }
    Ok(Outcome::exit(session.worst(done.iter().map(|(_, r)| r))))
}

/// Where each input goes: one file, a folder of the same names, stdout, or the input itself.
fn targets(args: &FixArgs, inputs: &[InputFile]) -> anyhow::Result<Vec<Target>> {
    if inputs.is_empty() {
        bail!("no input to fix");
    }
    if args.in_place {
        return inputs
            .iter()
            .map(|i| match &i.source {
                Source::Path(p) => Ok(Target::InPlace(p.clone())),
                _ => bail!(
                    "--in-place replaces local files: write `{}` elsewhere with -o",
                    i.name
                ),
            })
            .collect();
    }
    let Some(output) = args.output.as_deref() else {
        bail!("say where to write: -o FILE|DIR, -o - for stdout, or --in-place");
    };
    if output == "-" {
        if inputs.len() > 1 {
            bail!("-o - writes one file to stdout: give one input, or -o DIR");
        }
        return Ok(vec![Target::Stdout]);
    }
    let out = PathBuf::from(output);
    let folder_input = args
        .paths
        .iter()
        .any(|p| Path::new(p).is_dir() || (p.starts_with("s3://") && p.ends_with('/')));
    let to_dir = inputs.len() > 1 || folder_input || out.is_dir();
    if !to_dir {
        return Ok(vec![file_target(&inputs[0], out, args.force)?]);
    }
    std::fs::create_dir_all(&out).map_err(|e| {
        anyhow::anyhow!(
            "failed to create the output folder `{}`: {e}",
            out.display()
        )
    })?;
    let mut names = HashSet::new();
    inputs
        .iter()
        .map(|i| {
            let Some(name) = repair::file_name(i) else {
                bail!("standard input has no file name: give -o FILE");
            };
            if !names.insert(name.clone()) {
                bail!("two inputs are named `{name}`: fix them into different folders");
            }
            file_target(i, out.join(name), args.force)
        })
        .collect()
}

fn file_target(input: &InputFile, path: PathBuf, force: bool) -> anyhow::Result<Target> {
    if let Source::Path(p) = &input.source {
        let same = match (std::fs::canonicalize(p), std::fs::canonicalize(&path)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same {
            bail!(
                "`{}` is the input: use --in-place to fix a file where it is",
                path.display()
            );
        }
    }
    Ok(Target::File { path, force })
}
