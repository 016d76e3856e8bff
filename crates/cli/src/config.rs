//! Settings and datasets: defaults < `preflight.toml` (or `--config`) < `PREFLIGHT_*`
//! environment < flags.
//!
//! Each layer is a [`Settings`] whose fields are all optional; [`Settings::over`] lays a higher
//! layer over a lower one, field by field (and rule by rule for severity overrides). The config
//! file also declares the datasets, each one import: [`Config::datasets`] resolves them (schema,
//! files matched by their globs) for `preflight validate` and, later, `preflight plan`.
//!
//! ```toml
//! fail_on = "error"              # error | warning | never
//! max_diagnostics = 20
//!
//! [rules]
//! PF203 = "warning"              # a code or a name = error | warning | info | off
//!
//! [datasets.interactions]
//! schema = "schemas/interactions.json"     # or dataset_type = "interactions" (+ domain)
//! files = ["data/interactions/*.csv"]
//! import_mode = "incremental"              # incremental | full (for `plan` and `run`)
//! existing = "s3://bucket/interactions/"   # the data already imported (`plan`, `validate --mode`, `run`)
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context};
use preflight_validator::{DatasetType, Domain, ImportMode, Level};
use serde::Deserialize;

use crate::args::{ConfigArgs, FailOn, Format, ReportArgs};

/// The config file's name, looked for in the current directory and its parents.
pub const FILE_NAME: &str = "preflight.toml";

/// Findings kept per rule unless a layer says otherwise.
pub const DEFAULT_MAX_DIAGNOSTICS: usize = 20;

/// What one layer sets; `None` (or an empty map) leaves the lower layer's value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// `--format`, `PREFLIGHT_FORMAT`, `format`.
    pub format: Option<Format>,
    /// `--max-diagnostics`, `PREFLIGHT_MAX_DIAGNOSTICS`, `max_diagnostics`.
    pub max_diagnostics: Option<usize>,
    /// `--threads`, `PREFLIGHT_THREADS`, `threads`.
    pub threads: Option<usize>,
    /// `--fail-on`, `PREFLIGHT_FAIL_ON`, `fail_on`.
    pub fail_on: Option<FailOn>,
    /// `--exit-zero`, `PREFLIGHT_EXIT_ZERO` (not in the file: it is a per-run choice).
    pub exit_zero: Option<bool>,
    /// `--changed-since`, `PREFLIGHT_CHANGED_SINCE` (not in the file).
    pub changed_since: Option<String>,
    /// Severity overrides by rule code: `--severity`, `PREFLIGHT_SEVERITY`, `[rules]`.
    pub rules: BTreeMap<&'static str, Level>,
}

impl Settings {
    /// `higher` laid over `self`: each field set in `higher` wins, overrides merge per rule.
    pub fn over(self, higher: Settings) -> Settings {
        let mut rules = self.rules;
        rules.extend(higher.rules);
        Settings {
            format: higher.format.or(self.format),
            max_diagnostics: higher.max_diagnostics.or(self.max_diagnostics),
            threads: higher.threads.or(self.threads),
            fail_on: higher.fail_on.or(self.fail_on),
            exit_zero: higher.exit_zero.or(self.exit_zero),
            changed_since: higher.changed_since.or(self.changed_since),
            rules,
        }
    }

    /// The environment layer, read through `get` (`std::env::var` in the binary).
    pub fn from_env(get: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Settings> {
        let var = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let mut s = Settings::default();
        if let Some(v) = var("PREFLIGHT_FORMAT") {
            s.format = Some(parse_enum::<Format>(&v).context("in PREFLIGHT_FORMAT")?);
        }
        if let Some(v) = var("PREFLIGHT_MAX_DIAGNOSTICS") {
            s.max_diagnostics = Some(
                v.trim()
                    .parse()
                    .with_context(|| format!("PREFLIGHT_MAX_DIAGNOSTICS=`{v}` is not a number"))?,
            );
        }
        if let Some(v) = var("PREFLIGHT_THREADS") {
            s.threads = Some(
                v.trim()
                    .parse()
                    .with_context(|| format!("PREFLIGHT_THREADS=`{v}` is not a number"))?,
            );
        }
        if let Some(v) = var("PREFLIGHT_FAIL_ON") {
            s.fail_on = Some(parse_enum::<FailOn>(&v).context("in PREFLIGHT_FAIL_ON")?);
        }
        if let Some(v) = var("PREFLIGHT_EXIT_ZERO") {
            s.exit_zero = Some(parse_bool(&v).context("in PREFLIGHT_EXIT_ZERO")?);
        }
        s.changed_since = var("PREFLIGHT_CHANGED_SINCE").map(|v| v.trim().to_string());
        if let Some(v) = var("PREFLIGHT_SEVERITY") {
            for item in v.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                let (code, level) = item.split_once('=').with_context(|| {
                    format!("PREFLIGHT_SEVERITY: expected CODE=LEVEL, got `{item}`")
                })?;
                let (code, level) = rule_level(code, level)
                    .map_err(|e| anyhow::anyhow!("PREFLIGHT_SEVERITY: {e}"))?;
                s.rules.insert(code, level);
            }
        }
        Ok(s)
    }

    /// The flags layer.
    pub fn from_args(
        report: &ReportArgs,
        threads: Option<usize>,
        changed_since: Option<&str>,
    ) -> Settings {
        Settings {
            format: report.format,
            max_diagnostics: report.max_diagnostics,
            threads,
            fail_on: report.fail_on,
            exit_zero: report.exit_zero.then_some(true),
            changed_since: changed_since.map(str::to_string),
            rules: report.severity.iter().copied().collect(),
        }
    }

    /// The format, defaulting to human.
    pub fn format(&self) -> Format {
        self.format.unwrap_or(Format::Human)
    }

    /// Findings kept per rule.
    pub fn max_diagnostics(&self) -> usize {
        self.max_diagnostics
            .unwrap_or(DEFAULT_MAX_DIAGNOSTICS)
            .max(1)
    }

    /// The failing severity, `never` with `--exit-zero`.
    pub fn fail_on(&self) -> FailOn {
        if self.exit_zero == Some(true) {
            FailOn::Never
        } else {
            self.fail_on.unwrap_or(FailOn::Error)
        }
    }

    /// Severity overrides as the library's policy takes them.
    pub fn levels(&self) -> HashMap<&'static str, Level> {
        self.rules.iter().map(|(k, v)| (*k, *v)).collect()
    }
}

fn parse_enum<T: clap::ValueEnum>(v: &str) -> anyhow::Result<T> {
    T::from_str(v.trim(), true).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|x| x.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        anyhow::anyhow!("`{v}` is not one of {}", names.join(", "))
    })
}

fn parse_bool(v: &str) -> anyhow::Result<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => bail!("`{v}` is not true or false"),
    }
}

/// A rule (code or name) and a level, checked.
fn rule_level(code: &str, level: &str) -> Result<(&'static str, Level), String> {
    let rule = preflight_validator::rules::lookup(code.trim())
        .ok_or_else(|| format!("unknown rule `{}` (see `preflight rules`)", code.trim()))?;
    Ok((rule.code, level.trim().parse()?))
}

/// Where the config file is: `--config`, else `PREFLIGHT_CONFIG`, else the first
/// `preflight.toml` walking up from `cwd` (stopping after a directory that holds `.git`, the
/// repository root). `None` with `--no-config` or when there is none.
pub fn locate(
    args: &ConfigArgs,
    get: &dyn Fn(&str) -> Option<String>,
    cwd: &Path,
) -> anyhow::Result<Option<PathBuf>> {
    if args.no_config {
        return Ok(None);
    }
    let given = args
        .config
        .clone()
        .or_else(|| get("PREFLIGHT_CONFIG").filter(|v| !v.trim().is_empty()));
    if let Some(path) = given {
        let path = PathBuf::from(path);
        if !path.is_file() {
            bail!("config file `{}` not found", path.display());
        }
        return Ok(Some(path));
    }
    Ok(discover(cwd))
}

/// The first `preflight.toml` in `start` or its parents, as a path relative to `start` when
/// `start` is relative (`preflight.toml`, `../preflight.toml`, …). Stops after the first
/// directory that holds `.git`.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(start).ok()?;
    let mut up = PathBuf::new();
    for dir in abs.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(if start.is_absolute() {
                candidate
            } else {
                up.join(FILE_NAME)
            });
        }
        if dir.join(".git").exists() {
            return None;
        }
        up.push("..");
    }
    None
}

/// A loaded config file.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file, as found or given.
    pub path: PathBuf,
    /// Its directory, as a prefix for the paths it names ("" for the current directory).
    pub dir: PathBuf,
    /// The file's settings layer.
    pub settings: Settings,
    /// The declared datasets, in name order.
    pub datasets: Vec<DatasetDecl>,
    /// Unknown keys and other things worth a warning.
    pub warnings: Vec<String>,
}

/// A dataset as declared, before its files are looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetDecl {
    /// Its name (the table key).
    pub name: String,
    /// The schema file (a path as shown, joined to the config's directory).
    pub schema: Option<String>,
    /// The built-in schema's type, or the type the schema file is for.
    pub dataset_type: Option<DatasetType>,
    /// `ECOMMERCE` or `VIDEO_ON_DEMAND`: picks the domain's built-in schema and its required
    /// fields.
    pub domain: Option<Domain>,
    /// The dataset's ARN: without `schema` or `dataset_type`, its schema is fetched from AWS.
    pub dataset_arn: Option<String>,
    /// File globs relative to the config file's directory.
    pub files: Vec<String>,
    /// INCREMENTAL or FULL (for `plan` and `run`, when `--mode` is not given).
    pub import_mode: Option<ImportMode>,
    /// Where the data already imported is (for `plan`, `validate --mode` and `run`, when
    /// neither `--existing` nor `--existing-from-history` is given): paths or s3:// URLs.
    pub existing: Vec<String>,
}

/// Where a dataset's schema comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatasetSchema {
    /// A schema file.
    File {
        /// The path, as shown.
        path: String,
        /// The type the schema must be for, if declared.
        dataset_type: Option<DatasetType>,
        /// The domain, if declared.
        domain: Option<Domain>,
    },
    /// A built-in schema.
    Builtin {
        dataset_type: DatasetType,
        /// `None`: the custom (not domain) schema of the type.
        domain: Option<Domain>,
    },
    /// Only an ARN: the schema would have to be fetched from AWS.
    Arn(String),
}

/// A dataset ready to check: its schema and the files its globs match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    /// The declaration, as read from `preflight.toml`.
    pub decl: DatasetDecl,
    /// Where its schema comes from, resolved from `schema`, `dataset_type` and `dataset_arn`.
    pub schema: DatasetSchema,
    /// The files matched, as shown (joined to the config's directory), sorted, no repeats.
    pub inputs: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct FileToml {
    format: Option<Format>,
    max_diagnostics: Option<usize>,
    threads: Option<usize>,
    fail_on: Option<FailOn>,
    #[serde(default)]
    rules: BTreeMap<String, String>,
    #[serde(default)]
    datasets: BTreeMap<String, DatasetToml>,
}

#[derive(Debug, Deserialize)]
struct DatasetToml {
    schema: Option<String>,
    dataset_type: Option<String>,
    domain: Option<String>,
    dataset_arn: Option<String>,
    files: Option<OneOrMany>,
    import_mode: Option<ImportMode>,
    existing: Option<OneOrMany>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

impl Config {
    /// Reads and checks a config file. Unknown keys and unknown rules become warnings; bad
    /// values are errors.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("failed to read config `{}`", path.display()))?;
        Self::parse(&text, path)
    }

    /// Parses config text read from `path`.
    pub fn parse(text: &str, path: &Path) -> anyhow::Result<Config> {
        let shown = path.display();
        let de = toml::Deserializer::parse(text)
            .map_err(|e| anyhow::anyhow!("failed to parse config `{shown}`: {e}"))?;
        let mut warnings = Vec::new();
        let raw: FileToml = serde_ignored::deserialize(de, |key| {
            warnings.push(format!("{shown}: unknown key `{key}` (ignored)"));
        })
        .map_err(|e| anyhow::anyhow!("failed to parse config `{shown}`: {e}"))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let join = |p: &str| -> String {
            if dir.as_os_str().is_empty() || Path::new(p).is_absolute() {
                p.to_string()
            } else {
                dir.join(p).to_string_lossy().into_owned()
            }
        };

        let mut rules = BTreeMap::new();
        for (code, level) in &raw.rules {
            match preflight_validator::rules::lookup(code) {
                None => warnings.push(format!(
                    "{shown}: unknown rule `{code}` in [rules] (ignored; see `preflight rules`)"
                )),
                Some(rule) => {
                    let level: Level = level.parse().map_err(|e| {
                        anyhow::anyhow!("{shown}: [rules] {code} = \"{level}\": {e}")
                    })?;
                    rules.insert(rule.code, level);
                }
            }
        }
        let settings = Settings {
            format: raw.format,
            max_diagnostics: raw.max_diagnostics,
            threads: raw.threads,
            fail_on: raw.fail_on,
            exit_zero: None,
            changed_since: None,
            rules,
        };

        let mut datasets = Vec::new();
        for (name, d) in raw.datasets {
            let at = |what: &str| format!("{shown}: [datasets.{name}] {what}");
            let dataset_type = d
                .dataset_type
                .as_deref()
                .map(str::parse::<DatasetType>)
                .transpose()
                .map_err(|e| anyhow::anyhow!("{}: {e}", at("dataset_type")))?;
            let domain = d
                .domain
                .as_deref()
                .map(str::parse::<Domain>)
                .transpose()
                .map_err(|e| anyhow::anyhow!("{}: {e}", at("domain")))?;
            if domain.is_some() && dataset_type.is_none() && d.schema.is_none() {
                bail!("{}", at("has a domain but no dataset_type or schema"));
            }
            datasets.push(DatasetDecl {
                schema: d.schema.as_deref().map(join),
                dataset_type,
                domain,
                dataset_arn: d.dataset_arn,
                files: d.files.map(OneOrMany::into_vec).unwrap_or_default(),
                import_mode: d.import_mode,
                existing: d
                    .existing
                    .map(OneOrMany::into_vec)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|e| if e.contains("://") { e } else { join(&e) })
                    .collect(),
                name,
            });
        }
        Ok(Config {
            path: path.to_path_buf(),
            dir,
            settings,
            datasets,
            warnings,
        })
    }

    /// Every declared dataset, resolved: its schema, and the files its globs match now.
    pub fn datasets(&self) -> anyhow::Result<Vec<Dataset>> {
        self.datasets.iter().map(|d| self.resolve(d)).collect()
    }

    /// One dataset, resolved.
    pub fn resolve(&self, d: &DatasetDecl) -> anyhow::Result<Dataset> {
        let schema = match (&d.schema, d.dataset_type, &d.dataset_arn) {
            (Some(path), ty, _) => DatasetSchema::File {
                path: path.clone(),
                dataset_type: ty,
                domain: d.domain,
            },
            (None, Some(ty), _) => DatasetSchema::Builtin {
                dataset_type: ty,
                domain: d.domain,
            },
            (None, None, Some(arn)) => DatasetSchema::Arn(arn.clone()),
            (None, None, None) => bail!(
                "{}: dataset `{}` has no schema: set `schema` (a file) or `dataset_type`",
                self.path.display(),
                d.name
            ),
        };
        let mut inputs = Vec::new();
        for pattern in &d.files {
            let full = if self.dir.as_os_str().is_empty() || Path::new(pattern).is_absolute() {
                pattern.clone()
            } else {
                format!(
                    "{}/{pattern}",
                    glob::Pattern::escape(&self.dir.to_string_lossy())
                )
            };
            let paths = glob::glob(&full).with_context(|| {
                format!(
                    "{}: dataset `{}`: bad glob `{pattern}`",
                    self.path.display(),
                    d.name
                )
            })?;
            for p in paths.flatten() {
                let s = p.to_string_lossy().into_owned();
                if !inputs.contains(&s) {
                    inputs.push(s);
                }
            }
        }
        Ok(Dataset {
            decl: d.clone(),
            schema,
            inputs,
        })
    }

    /// The dataset a command about one import works on (`plan`, `run`): the one named
    /// (`--dataset NAME`), else the one whose globs match every path given, else, with no path,
    /// the only one declared. `None` when nothing matches.
    pub fn select(&self, name: Option<&str>, paths: &[String]) -> anyhow::Result<Option<Dataset>> {
        if let Some(name) = name {
            let Some(d) = self.datasets.iter().find(|d| d.name == name) else {
                let known: Vec<&str> = self.datasets.iter().map(|d| d.name.as_str()).collect();
                bail!(
                    "no dataset `{name}` in `{}` (declared: {})",
                    self.path.display(),
                    known.join(", ")
                );
            };
            return self.resolve(d).map(Some);
        }
        let candidates: Vec<usize> = if paths.is_empty() {
            (0..self.datasets.len()).collect()
        } else {
            (0..self.datasets.len())
                .filter(|&i| {
                    paths.iter().all(|p| {
                        self.owners(Path::new(p))
                            .iter()
                            .any(|&(j, is_schema)| j == i && !is_schema)
                    })
                })
                .collect()
        };
        match candidates.as_slice() {
            [] => Ok(None),
            [i] => self.resolve(&self.datasets[*i]).map(Some),
            _ => {
                let names: Vec<&str> = candidates
                    .iter()
                    .map(|&i| self.datasets[i].name.as_str())
                    .collect();
                bail!(
                    "`{}` declares several datasets ({}): name one with --dataset",
                    self.path.display(),
                    names.join(", ")
                )
            }
        }
    }

    /// The datasets whose globs match `path` (a file named on the command line), and whether
    /// `path` is instead a dataset's schema file: `(dataset index, is_schema)`.
    pub fn owners(&self, path: &Path) -> Vec<(usize, bool)> {
        let Some(rel) = relative_to(path, &self.dir) else {
            return Vec::new();
        };
        let opts = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        let mut out = Vec::new();
        for (i, d) in self.datasets.iter().enumerate() {
            if let Some(schema) = &d.schema {
                if relative_to(Path::new(schema), &self.dir).as_deref() == Some(rel.as_path()) {
                    out.push((i, true));
                    continue;
                }
            }
            let hit = d.files.iter().any(|pattern| {
                let Ok(p) = glob::Pattern::new(pattern.trim_end_matches('/')) else {
                    return false;
                };
                // A pattern names files, or folders whose first-level .csv files are imported.
                p.matches_path_with(&rel, opts)
                    || rel
                        .parent()
                        .is_some_and(|parent| p.matches_path_with(parent, opts))
            });
            if hit {
                out.push((i, false));
            }
        }
        out
    }
}

/// `path` relative to `dir` (both as the user wrote them, relative to the current directory
/// or absolute), compared after making both absolute and resolving `.`, `..` and symlinks.
fn relative_to(path: &Path, dir: &Path) -> Option<PathBuf> {
    let norm = |p: &Path| -> Option<PathBuf> {
        let p = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        std::fs::canonicalize(p)
            .ok()
            .or_else(|| std::path::absolute(p).ok().map(|a| lexical(&a)))
    };
    let path = norm(path)?;
    let dir = norm(dir)?;
    path.strip_prefix(&dir).ok().map(Path::to_path_buf)
}

/// Resolves `.` and `..` without touching the file system.
fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Finds, loads and layers the configuration: the file (if any, its warnings printed on
/// stderr), then the environment, then the flags.
pub fn load_layers(
    config: &ConfigArgs,
    flags: Settings,
    get: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<(Option<Config>, Settings)> {
    let cwd = PathBuf::from(".");
    let file = match locate(config, get, &cwd)? {
        Some(path) => Some(Config::load(&path)?),
        None => None,
    };
    if let Some(c) = &file {
        for w in &c.warnings {
            eprintln!("warning: {w}");
        }
    }
    let settings = file
        .as_ref()
        .map(|c| c.settings.clone())
        .unwrap_or_default()
        .over(Settings::from_env(get)?)
        .over(flags);
    Ok((file, settings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use preflight_validator::Severity;

    fn rules(pairs: &[(&'static str, Level)]) -> BTreeMap<&'static str, Level> {
        pairs.iter().copied().collect()
    }

    #[test]
    fn higher_layers_win_field_by_field() {
        let warn = Level::Report(Severity::Warning);
        let off = Level::Off;
        let file = Settings {
            format: Some(Format::Json),
            max_diagnostics: Some(5),
            fail_on: Some(FailOn::Warning),
            rules: rules(&[("PF203", warn), ("PF006", warn)]),
            ..Settings::default()
        };
        let env = Settings {
            max_diagnostics: Some(7),
            rules: rules(&[("PF006", off)]),
            ..Settings::default()
        };
        let flags = Settings {
            format: Some(Format::Sarif),
            ..Settings::default()
        };
        let s = Settings::default().over(file).over(env).over(flags);
        assert_eq!(s.format(), Format::Sarif, "flag over file");
        assert_eq!(s.max_diagnostics(), 7, "env over file");
        assert_eq!(s.fail_on(), FailOn::Warning, "file over default");
        assert_eq!(s.rules, rules(&[("PF203", warn), ("PF006", off)]));
        assert_eq!(Settings::default().fail_on(), FailOn::Error);
        assert_eq!(Settings::default().max_diagnostics(), 20);
        let zero = Settings {
            exit_zero: Some(true),
            fail_on: Some(FailOn::Warning),
            ..Settings::default()
        };
        assert_eq!(zero.fail_on(), FailOn::Never);
    }

    #[test]
    fn environment_layer() {
        let env: HashMap<&str, &str> = [
            ("PREFLIGHT_FORMAT", "SARIF"),
            ("PREFLIGHT_FAIL_ON", "warning"),
            ("PREFLIGHT_MAX_DIAGNOSTICS", "3"),
            ("PREFLIGHT_SEVERITY", "PF203=off, blank-line=warning"),
            ("PREFLIGHT_EXIT_ZERO", "1"),
            ("PREFLIGHT_THREADS", ""),
        ]
        .into_iter()
        .collect();
        let s = Settings::from_env(&|k| env.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(s.format, Some(Format::Sarif));
        assert_eq!(s.fail_on, Some(FailOn::Warning));
        assert_eq!(s.max_diagnostics, Some(3));
        assert_eq!(s.threads, None, "empty means unset");
        assert_eq!(s.exit_zero, Some(true));
        assert_eq!(
            s.rules,
            rules(&[
                ("PF203", Level::Off),
                ("PF006", Level::Report(Severity::Warning))
            ])
        );
        for (k, v) in [
            ("PREFLIGHT_FORMAT", "xml"),
            ("PREFLIGHT_SEVERITY", "PF999=off"),
            ("PREFLIGHT_MAX_DIAGNOSTICS", "many"),
        ] {
            let e = Settings::from_env(&|q| (q == k).then(|| v.to_string()));
            assert!(e.is_err(), "{k}={v}");
        }
    }

    #[test]
    fn parses_datasets_and_warns_about_unknown_keys() {
        let text = r#"
fail_on = "warning"
colour = "always"

[rules]
PF203 = "warning"
blank-line = "off"
PF999 = "off"

[datasets.items]
dataset_type = "items"
domain = "ECOMMERCE"
files = "data/items.csv"
import_mode = "full"
existing = ["s3://b/items/", "old/items.csv"]

[datasets.interactions]
schema = "schemas/interactions.json"
files = ["data/interactions/*.csv"]
mode = "full"

[datasets.users]
dataset_arn = "arn:aws:personalize:us-east-1:1:dataset/g/USERS"
"#;
        let c = Config::parse(text, Path::new("repo/preflight.toml")).unwrap();
        assert_eq!(c.settings.fail_on, Some(FailOn::Warning));
        assert_eq!(
            c.settings.rules,
            rules(&[
                ("PF203", Level::Report(Severity::Warning)),
                ("PF006", Level::Off)
            ])
        );
        let w = c.warnings.join("\n");
        assert!(w.contains("unknown key `colour`"), "{w}");
        assert!(
            w.contains("unknown key `datasets.interactions.mode`"),
            "{w}"
        );
        assert!(w.contains("unknown rule `PF999`"), "{w}");
        let names: Vec<&str> = c.datasets.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["interactions", "items", "users"]);
        let inter = &c.datasets[0];
        assert_eq!(
            inter.schema.as_deref(),
            Some("repo/schemas/interactions.json")
        );
        let items = &c.datasets[1];
        assert_eq!(items.files, ["data/items.csv"]);
        assert_eq!(items.import_mode, Some(ImportMode::Full));
        assert_eq!(items.existing, ["s3://b/items/", "repo/old/items.csv"]);
        assert_eq!(items.domain, Some(Domain::Ecommerce));
        assert!(matches!(
            c.resolve(&c.datasets[2]).unwrap().schema,
            DatasetSchema::Arn(_)
        ));
        assert!(matches!(
            c.resolve(items).unwrap().schema,
            DatasetSchema::Builtin { .. }
        ));
    }

    #[test]
    fn bad_values_are_errors() {
        for text in [
            "fail_on = \"sometimes\"",
            "[rules]\nPF203 = \"loud\"",
            "[datasets.x]\ndataset_type = \"orders\"",
            "[datasets.x]\ndomain = \"ECOMMERCE\"",
            "max_diagnostics = \"many\"",
            "not toml",
        ] {
            assert!(
                Config::parse(text, Path::new("preflight.toml")).is_err(),
                "{text}"
            );
        }
        let c = Config::parse("[datasets.x]\nfiles = \"a.csv\"", Path::new("p.toml")).unwrap();
        assert!(c.datasets().is_err(), "a dataset without a schema");
    }

    #[test]
    fn discovery_walks_up_and_stops_at_the_repository_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let deep = root.join("repo/a/b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir_all(root.join("repo/.git")).unwrap();
        std::fs::write(root.join(FILE_NAME), "").unwrap();
        assert_eq!(discover(&deep), None, "stops at the repository root");
        std::fs::write(root.join("repo/a").join(FILE_NAME), "").unwrap();
        assert_eq!(discover(&deep), Some(root.join("repo/a").join(FILE_NAME)));
        std::fs::write(deep.join(FILE_NAME), "").unwrap();
        assert_eq!(discover(&deep), Some(deep.join(FILE_NAME)));
    }
}
