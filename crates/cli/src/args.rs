//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use preflight_validator::{DatasetType, Domain, ImportMode, Level};

pub use crate::render::Format;

/// The exit-code contract (`exit.rs`), shown by `--help`.
const EXIT_CODES: &str = "Exit codes:
  0    success (warnings allowed); the import job is ACTIVE
  1    findings at the failing severity (nothing was staged or imported; doctor: the
       access checks')
  2    the tool could not run (arguments, unreadable input, AWS errors)
  3    the upload failed (run the same stage again to resume)
  4    the import job ended CREATE FAILED (train, run --retrain: the solution version)
  5    --timeout passed while watching; the job goes on
  6    the import was refused before a job was created (an access check found an error,
       the dataset is not ACTIVE…; train: no solution version was created)
  130  Ctrl-C while watching (the job goes on) or fixing (nothing written)";

/// Validate Amazon Personalize bulk-import data before it is uploaded.
#[derive(Debug, Parser)]
#[command(name = "preflight", version, about, long_about = None, propagate_version = true, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log what happens (the AWS SDK's requests included) to stderr; credentials are redacted.
    #[arg(long, global = true)]
    pub debug: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check CSV files (or folders of them) against a schema and every documented rule.
    Validate(Box<ValidateArgs>),
    /// Work with schemas.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// List every rule.
    Rules(RulesArgs),
    /// Print the documentation of one rule.
    Explain(ExplainArgs),
    /// Validate, then upload the files to a fresh run folder (S3 or a local directory).
    Stage(Box<StageArgs>),
    /// Simulate a FULL or INCREMENTAL import against the dataset's existing data.
    Plan(Box<PlanArgs>),
    /// Create the dataset import job for a staged (or sealed) S3 folder, after checking the account.
    Import(Box<ImportArgs>),
    /// Follow an import job until it is ACTIVE or CREATE FAILED (Ctrl-C stops watching only).
    Watch(Box<WatchArgs>),
    /// Validate, plan, stage, import and watch, stopping at the first failed gate.
    Run(Box<RunArgs>),
    /// Analyse datasets as Personalize's Data insights would, and compare their IDs.
    Insights(Box<InsightsArgs>),
    /// Repair what the rules can repair mechanically (BOM, CRLF, header names and order, `""`,
    /// `1.0` in a long; with --unsafe-fixes milliseconds, padded IDs, event type spellings,
    /// duplicates), then report what remains.
    Fix(Box<FixArgs>),
    /// Check that Personalize may read the data: bucket region and policy, the role's trust
    /// policy and permissions, an SSE-KMS key's policy.
    Doctor(Box<DoctorArgs>),
    /// Train a solution: create a solution version and watch it to ACTIVE or CREATE FAILED.
    Train(Box<TrainArgs>),
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Check a schema file against every schema rule.
    Check(SchemaCheckArgs),
}

/// Where the schema comes from.
#[derive(Debug, Args, Clone)]
pub struct SchemaArgs {
    /// A schema file: a bare Avro schema, a CreateSchema request body or a DescribeSchema response.
    #[arg(long, value_name = "FILE", conflicts_with = "domain")]
    pub schema: Option<String>,
    /// Use the built-in schema of this dataset type (with --schema: check the schema is for it).
    #[arg(long, value_name = "TYPE", value_parser = parse_dataset_type)]
    pub dataset_type: Option<DatasetType>,
    /// The domain of a domain dataset group: ECOMMERCE or VIDEO_ON_DEMAND.
    #[arg(long, value_name = "DOMAIN", value_parser = parse_domain, requires = "dataset_type")]
    pub domain: Option<Domain>,
    /// Fetch the schema of this Personalize dataset (DescribeDataset, then DescribeSchema), with
    /// its domain; the dataset's type is checked against the schema and the data.
    #[arg(long, value_name = "ARN")]
    pub dataset_arn: Option<String>,
}

/// How findings are reported.
///
/// Options left unset here come from `PREFLIGHT_*` variables, then `preflight.toml`, then the
/// defaults shown (see `config`).
#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    /// Output format [default: human].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Findings shown per rule; the rest are counted [default: 20].
    #[arg(long, value_name = "N")]
    pub max_diagnostics: Option<usize>,
    /// Change a rule's severity: CODE=error|warning|info|off (repeatable).
    #[arg(long, value_name = "CODE=LEVEL", value_parser = parse_severity)]
    pub severity: Vec<(&'static str, Level)>,
    /// When to use colours in the human format.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The lowest severity that fails the run with exit code 1 [default: error].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Exit 0 whatever the findings (exit 2, the tool could not run, is kept).
    #[arg(long)]
    pub exit_zero: bool,
}

/// Where settings and datasets come from.
#[derive(Debug, Args, Clone, Default)]
pub struct ConfigArgs {
    /// The config file [default: the first preflight.toml found walking up from the current
    /// directory, stopping at a repository root].
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<String>,
    /// Read no config file.
    #[arg(long)]
    pub no_config: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// CSV files, folders (their first-level .csv files, as Personalize reads an S3 folder), or - for stdin.
    /// With a config file and no schema option: files to check against the datasets whose
    /// globs match them (none: every declared dataset).
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub schema: SchemaArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Check only this dataset of the config file (repeatable).
    #[arg(long, value_name = "NAME")]
    pub dataset: Vec<String>,
    /// Report row-level findings only on lines added or changed since this git revision
    /// (file-, header- and dataset-level checks still read whole files).
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// AWS options, for s3:// inputs.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Add the gates of `preflight plan` for an import in this mode.
    #[arg(long, value_parser = import_mode(), help_heading = "Plan")]
    pub mode: Option<ImportMode>,
    #[command(flatten)]
    pub existing: ExistingArgs,
    /// For one s3:// folder validated in place: when it passes, write its
    /// _preflight/manifest.json recording each object's ETag and checksum, so that
    /// `preflight import` refuses the folder if an object changes afterwards.
    #[arg(long)]
    pub seal: bool,
    /// Add the data insights of `preflight insights` to the report.
    #[arg(long, help_heading = "Insights")]
    pub insights: bool,
    #[command(flatten)]
    pub insight: InsightArgs,
}

/// How the validation engine runs, for `validate`, `plan`, `stage`, `insights` and `run`.
#[derive(Debug, Args, Clone)]
pub struct EngineArgs {
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Block size in bytes (for testing the engine).
    #[arg(long, hide = true, default_value_t = 8 << 20)]
    pub block_size: usize,
    /// The current time in epoch seconds (for reproducible runs).
    #[arg(long, hide = true, env = "PREFLIGHT_NOW")]
    pub now: Option<i64>,
    /// Where temporary files go (the plan's partitions past --memory-limit, spilled duplicate
    /// checks) [default: $TMPDIR, else the system's temporary folder]. They are removed on
    /// success, on failure and on Ctrl-C.
    #[arg(long, value_name = "DIR")]
    pub temp_dir: Option<std::path::PathBuf>,
}

/// `preflight insights`: the datasets to analyse together.
#[derive(Debug, Args)]
pub struct InsightsArgs {
    /// CSV files or folders of one dataset, with --schema or --dataset-type. With a config file
    /// and no PATH or dataset option: every declared dataset, analysed together.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// The schema of PATH: a schema file.
    #[arg(long, value_name = "FILE")]
    pub schema: Option<String>,
    /// The schema of PATH: the built-in schema of this dataset type.
    #[arg(long, value_name = "TYPE", value_parser = parse_dataset_type)]
    pub dataset_type: Option<DatasetType>,
    /// The domain of the dataset group (ECOMMERCE or VIDEO_ON_DEMAND), for PATH and the dataset
    /// options.
    #[arg(long, value_name = "DOMAIN", value_parser = parse_domain)]
    pub domain: Option<Domain>,
    /// The schema of PATH: fetched from this Personalize dataset (DescribeDataset, then
    /// DescribeSchema), with its domain.
    #[arg(long, value_name = "ARN", conflicts_with = "schema")]
    pub dataset_arn: Option<String>,
    /// An Item interactions dataset (files or folders; built-in schema adapted to the header).
    #[arg(long, value_name = "PATH", help_heading = "Datasets")]
    pub interactions: Vec<String>,
    /// An Items dataset.
    #[arg(long, value_name = "PATH", help_heading = "Datasets")]
    pub items: Vec<String>,
    /// A Users dataset.
    #[arg(long, value_name = "PATH", help_heading = "Datasets")]
    pub users: Vec<String>,
    /// An Actions dataset.
    #[arg(long, value_name = "PATH", help_heading = "Datasets")]
    pub actions: Vec<String>,
    /// Analyse only this dataset of the config file (repeatable).
    #[arg(long, value_name = "NAME")]
    pub dataset: Vec<String>,
    #[command(flatten)]
    pub insight: InsightArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// AWS options, for s3:// inputs.
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// Options of the insights, for `preflight insights` and `validate --insights`.
#[derive(Debug, Args, Clone)]
pub struct InsightArgs {
    /// Also write the report as one self-contained HTML page with charts (implies --insights).
    #[arg(long, value_name = "FILE", help_heading = "Insights")]
    pub html: Option<std::path::PathBuf>,
    /// Replace the --html file if it exists (without it an existing file is left alone and the
    /// command exits 2 before reading anything).
    #[arg(long = "force", requires = "html", help_heading = "Insights")]
    pub html_force: bool,
    /// Item interactions training uses: the most recent N (the quota; 3000000000 for
    /// User-Personalization-v2 and Personalized-Ranking-v2).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 500_000_000,
        help_heading = "Insights"
    )]
    pub training_interactions: u64,
}

/// `--mode full|incremental`: the validator's [`ImportMode`], the one type the plan, the job
/// request and `import_mode` in `preflight.toml` share.
fn import_mode() -> impl clap::builder::TypedValueParser<Value = ImportMode> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let help = |m: ImportMode| match m {
        ImportMode::Full => "Replace all bulk data in the dataset (Personalize's default)",
        ImportMode::Incremental => {
            "Add to the dataset's bulk data; records with the same ID replace the stored ones"
        }
    };
    PossibleValuesParser::new(
        ImportMode::ALL.map(|m| PossibleValue::new(m.cli_name()).help(help(m))),
    )
    .map(|s| s.parse::<ImportMode>().expect("one of the possible values"))
}

/// The dataset's existing data and the job's size limits.
#[derive(Debug, Args, Clone)]
pub struct ExistingArgs {
    /// The dataset's current bulk data: files, folders, s3://bucket/prefix/ or - (repeat for
    /// several). A dataset export must be made with ingestionMode BULK: the default export (PUT)
    /// holds only the records imported individually, which a FULL import does not replace.
    /// Without it (nor --existing-from-history, nor preflight.toml's `existing`) the existing data
    /// is unknown: the plan gives bounds.
    #[arg(long, value_name = "PATH", help_heading = "Plan")]
    pub existing: Vec<String>,
    /// The dataset holds no bulk data yet (its first import, which must be FULL): nothing is
    /// dropped, and INCREMENTAL is refused (PF314).
    #[arg(long, conflicts_with = "existing", help_heading = "Plan")]
    pub first_import: bool,
    /// Data one INCREMENTAL job may hold (a raised quota): bytes, or with KB, MB, GB, TB.
    #[arg(long, value_name = "BYTES", default_value = "1GB", value_parser = parse_bytes, help_heading = "Plan")]
    pub max_incremental_bytes: u64,
    /// Data one FULL job may hold (1TB with a raised quota): bytes, or with KB, MB, GB, TB.
    #[arg(long, value_name = "BYTES", default_value = "100GB", value_parser = parse_bytes, help_heading = "Plan")]
    pub max_full_bytes: u64,
    /// Memory the plan's keys may take: bytes, or with KB, MB, GB, KiB, MiB, GiB. Past it, the
    /// keys of the new and the existing data go to hash partitions in --temp-dir, joined one
    /// partition at a time, with the same results (the disk they need is printed first).
    #[arg(long, value_name = "BYTES", default_value = "1GiB", value_parser = parse_bytes, help_heading = "Plan")]
    pub memory_limit: u64,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The new data: CSV files, folders (their first-level .csv files) or - for stdin. Files
    /// are read in name order, as Personalize reads an S3 folder. Omitted: the files of the
    /// preflight.toml dataset (--dataset NAME, or the only one declared).
    #[arg(value_name = "NEW")]
    pub paths: Vec<String>,
    /// The job's import mode [default: the dataset's `import_mode` in preflight.toml].
    #[arg(long, value_parser = import_mode())]
    pub mode: Option<ImportMode>,
    /// The preflight.toml dataset to plan (its schema, files, import_mode, existing and
    /// dataset_arn); without it, the dataset whose files the NEW paths are.
    #[arg(long, value_name = "NAME")]
    pub dataset: Option<String>,
    #[command(flatten)]
    pub existing: ExistingArgs,
    /// Write what the dataset holds after the job (CSV in Personalize's dialect).
    #[arg(long, value_name = "FILE")]
    pub write_merged: Option<std::path::PathBuf>,
    /// Write the new data without its in-batch duplicates, as Personalize would keep it.
    #[arg(long, value_name = "FILE")]
    pub write_deduped: Option<std::path::PathBuf>,
    /// Replace the files of --write-merged and --write-deduped if they exist.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub schema: SchemaArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Bytes of existing data joined at a time (for testing the plan).
    #[arg(long, hide = true, default_value_t = 256 << 20)]
    pub chunk_bytes: usize,
    /// Rebuild the existing data from the dataset's import history (needs --dataset-arn): the
    /// last ACTIVE FULL job and the ACTIVE INCREMENTAL jobs after it, read from their
    /// dataLocations.
    #[arg(long, conflicts_with_all = ["existing", "first_import"], help_heading = "Plan")]
    pub existing_from_history: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// `1000`, `1GB` (10^9), `1.5TB`, `512MiB` (2^29).
fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let mult: f64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1.0,
        "KB" | "K" => 1e3,
        "MB" | "M" => 1e6,
        "GB" | "G" => 1e9,
        "TB" | "T" => 1e12,
        "KIB" => 1024.0,
        "MIB" => 1024.0 * 1024.0,
        "GIB" => 1024.0 * 1024.0 * 1024.0,
        "TIB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{s}` (use B, KB, MB, GB, TB or KiB…TiB)"
            ))
        }
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("expected a size like 1GB or 1000000000, got `{s}`"))?;
    Ok((n * mult).round() as u64)
}

#[derive(Debug, Args)]
pub struct SchemaCheckArgs {
    /// The schema file.
    #[arg(value_name = "FILE")]
    pub file: String,
    /// The dataset type the schema is for (default: from the record name).
    #[arg(long, value_name = "TYPE", value_parser = parse_dataset_type)]
    pub dataset_type: Option<DatasetType>,
    /// The domain (default: from the file, if it is a CreateSchema or DescribeSchema body).
    #[arg(long, value_name = "DOMAIN", value_parser = parse_domain)]
    pub domain: Option<Domain>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format: human (a table), json (for tooling) or markdown (the full reference).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code (PF215) or name (timestamp-in-milliseconds).
    #[arg(value_name = "CODE")]
    pub code: String,
}

/// The lowest severity that fails a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Errors fail the run; warnings and info do not.
    Error,
    /// Errors and warnings fail the run.
    Warning,
    /// Nothing fails the run (like --exit-zero).
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colours when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Colours even when stdout is a file or a pipe, and despite NO_COLOR.
    Always,
    /// Plain text.
    Never,
}

fn parse_dataset_type(s: &str) -> Result<DatasetType, String> {
    s.parse()
}

fn parse_domain(s: &str) -> Result<Domain, String> {
    s.parse()
}

fn parse_severity(s: &str) -> Result<(&'static str, Level), String> {
    let (code, level) = s
        .split_once('=')
        .ok_or_else(|| format!("expected CODE=LEVEL, got `{s}`"))?;
    let rule = preflight_validator::rules::lookup(code)
        .ok_or_else(|| format!("unknown rule `{code}` (see `preflight rules`)"))?;
    Ok((rule.code, level.parse()?))
}

/// `preflight fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// CSV files, folders (their first-level files), - for stdin, or s3:// objects and folders
    /// (read, streamed).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub schema: SchemaArgs,
    /// Where to write: a file for one input (- for stdout), a folder for several inputs or a
    /// folder input (the same file names).
    #[arg(
        short,
        long,
        value_name = "FILE|DIR",
        required_unless_present = "in_place"
    )]
    pub output: Option<String>,
    /// Replace each input (local files) with its fixed version, once the whole file is written.
    #[arg(long, conflicts_with = "output")]
    pub in_place: bool,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
    /// Also apply the unsafe fixes: milliseconds to seconds, IDs trimmed, event type spellings
    /// unified, exact duplicate interactions and repeated IDs dropped (keeping the last).
    #[arg(long)]
    pub unsafe_fixes: bool,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// AWS options, for s3:// inputs.
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// How to reach S3 (everything else comes from the standard AWS configuration).
#[derive(Debug, Args, Clone, Default)]
pub struct AwsArgs {
    /// An S3-compatible endpoint (MinIO, Ceph, LocalStack…); implies --path-style.
    #[arg(long, value_name = "URL", help_heading = "AWS")]
    pub endpoint_url: Option<String>,
    /// Path-style addressing (http://host/bucket/key).
    #[arg(long, help_heading = "AWS")]
    pub path_style: bool,
    /// The AWS region (default: from the environment or profile).
    #[arg(long, value_name = "REGION", help_heading = "AWS")]
    pub region: Option<String>,
    /// A named profile from the AWS config files.
    #[arg(long, value_name = "NAME", help_heading = "AWS")]
    pub profile: Option<String>,
    /// How long one S3 or Personalize request may wait for its answer (sending its body
    /// included) before it fails and is retried: a service that stops answering cannot hang the
    /// run.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_timeout, help_heading = "AWS")]
    pub request_timeout: std::time::Duration,
    /// The longest one request may take in all, its retries and the waits between them
    /// included; each retry is announced on stderr.
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_timeout, help_heading = "AWS")]
    pub request_deadline: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct StageArgs {
    /// CSV files or folders (their first-level .csv files), validated first.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Where to stage: s3://bucket/prefix/ or a local directory.
    #[arg(long, value_name = "URL|DIR", default_value = "./staging/")]
    pub to: String,
    /// Without a schema option: the schema of the preflight.toml dataset whose files the PATHs
    /// are.
    #[command(flatten)]
    pub schema: SchemaArgs,
    /// The preflight.toml dataset whose schema the files are checked against; without it, the
    /// dataset whose files the PATHs are.
    #[arg(long, value_name = "NAME")]
    pub dataset: Option<String>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Stage even when validation finds errors (recorded in the manifest).
    #[arg(long)]
    pub force: bool,
    /// Stage a repaired copy: the safe fixes of `preflight fix` applied to a temporary copy
    /// of each file (the files themselves are not changed); the manifest records the repair.
    #[arg(long)]
    pub fix: bool,
    /// With --fix, the unsafe fixes too.
    #[arg(long, requires = "fix")]
    pub unsafe_fixes: bool,
    /// Print the objects that would be written, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Keep this many complete run folders (this one included); delete older ones whose
    /// manifest is older than --keep-grace.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub keep: Option<u64>,
    /// Never delete a run folder staged less than this long ago (s, m, h or d).
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_duration)]
    pub keep_grace: std::time::Duration,
    /// Server-side encryption: aws:kms or AES256.
    #[arg(long, value_name = "MODE", value_parser = ["aws:kms", "AES256"])]
    pub sse: Option<String>,
    /// The KMS key for --sse aws:kms (default: the bucket's key).
    #[arg(long, value_name = "KEY", requires = "sse")]
    pub kms_key_id: Option<String>,
    /// Fail unless the bucket belongs to this account id.
    #[arg(long, value_name = "ACCOUNT")]
    pub expected_bucket_owner: Option<String>,
    /// The checksum sent with every object and verified by the store.
    #[arg(long, value_name = "ALGORITHM", default_value = "crc64nvme", value_parser = ["crc64nvme", "sha256"])]
    pub checksum: String,
    /// Part size in MiB for files uploaded in parts (at least 5).
    #[arg(long, value_name = "MIB", default_value_t = 8, value_parser = clap::value_parser!(u64).range(5..))]
    pub part_size: u64,
    /// Files larger than this many MiB are uploaded in parts; up to 5120 (5 GiB, the most one
    /// PutObject takes) for a store whose multipart uploads misbehave.
    #[arg(long, value_name = "MIB", default_value_t = 16, value_parser = clap::value_parser!(u64).range(..=5120))]
    pub multipart_threshold: u64,
    /// Parts uploaded at once (each holds one part buffer in memory).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub concurrency: u64,
    /// When to show a progress bar on stderr.
    #[arg(long, value_enum, default_value_t = ProgressChoice::Auto)]
    pub progress: ProgressChoice,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressChoice {
    /// On a terminal, outside CI.
    Auto,
    /// Even when stderr is not a terminal, or in CI.
    Always,
    /// No progress bar (retries and warnings are still printed).
    Never,
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("expected a duration like 24h, got `{s}`"))?;
    let unit_secs = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("unknown unit in `{s}` (use s, m, h or d)")),
    };
    // Checked: `--keep-grace 999999999999999999d` overflowed (a panic in a debug build).
    let secs = n
        .checked_mul(unit_secs)
        .ok_or_else(|| format!("`{s}` is too long"))?;
    Ok(std::time::Duration::from_secs(secs))
}

/// How an import job is watched.
#[derive(Debug, Args, Clone)]
pub struct WatchOptions {
    /// Stop watching after this long (s, m, h or d) with exit code 5; the job goes on.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
}

/// How an import job is created.
#[derive(Debug, Args, Clone)]
pub struct JobArgs {
    /// The IAM role Personalize assumes to read the data (its policies: docs/iam.md).
    #[arg(long, value_name = "ARN")]
    pub role_arn: String,
    /// The job's name [default: preflight-<type>-<UTC time>-<hash>, unique]; 1-63 letters,
    /// digits, `-` and `_`, starting with a letter or digit.
    #[arg(long, value_name = "NAME")]
    pub job_name: Option<String>,
    /// Fail (exit 6) instead of waiting when 5 import jobs are already pending or in progress
    /// in the region.
    #[arg(long)]
    pub no_queue: bool,
    /// Create the job without first checking that Personalize may read the data (bucket,
    /// role, trust and key policies; see `preflight doctor`), e.g. when the caller may not read
    /// IAM at all.
    #[arg(long)]
    pub skip_access_check: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The dataset to import into.
    #[arg(long, value_name = "ARN")]
    pub dataset_arn: String,
    /// The data: an S3 folder staged by `preflight stage` or sealed by `preflight validate --seal`.
    #[arg(long, value_name = "S3_URL")]
    pub from: String,
    /// The import mode.
    #[arg(long, value_parser = import_mode())]
    pub mode: ImportMode,
    #[command(flatten)]
    pub job: JobArgs,
    /// Let a FULL import replace the bulk data of a dataset that already had an ACTIVE import
    /// (without it such an import is refused: `import` cannot see what it would drop).
    #[arg(long)]
    pub allow_drop: bool,
    /// Import a folder without a manifest (not staged or sealed by preflight), or whose objects
    /// changed since.
    #[arg(long)]
    pub unverified: bool,
    /// Watch the job until it is ACTIVE or CREATE FAILED.
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub watch: WatchOptions,
    /// Print the CreateDatasetImportJob request (JSON, the API's field names) and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The current time in epoch seconds (for reproducible runs).
    #[arg(long, hide = true, env = "PREFLIGHT_NOW")]
    pub now: Option<i64>,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The import job's ARN (printed by `preflight import` and `preflight run`).
    #[arg(value_name = "JOB_ARN")]
    pub job_arn: String,
    #[command(flatten)]
    pub watch: WatchOptions,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// CSV files or folders (their first-level .csv files). Omitted: the files of the
    /// preflight.toml dataset (--dataset NAME).
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// The schema comes from --dataset-arn (required, or the dataset's `dataset_arn` in
    /// preflight.toml); with --dry-run, from --schema or --dataset-type, since nothing is
    /// fetched.
    #[command(flatten)]
    pub schema: SchemaArgs,
    /// The preflight.toml dataset to import (its dataset_arn, files, import_mode and existing);
    /// without it, the dataset whose files the PATHs are.
    #[arg(long, value_name = "NAME")]
    pub dataset: Option<String>,
    /// Where to stage: s3://bucket/prefix/ (a fresh run folder is made below it).
    #[arg(long, value_name = "S3_URL")]
    pub stage_to: String,
    /// The import mode [default: the dataset's `import_mode` in preflight.toml].
    #[arg(long, value_parser = import_mode())]
    pub mode: Option<ImportMode>,
    #[command(flatten)]
    pub existing: ExistingArgs,
    /// Rebuild the existing data from the dataset's import history (the last ACTIVE FULL job
    /// and the ACTIVE INCREMENTAL jobs after it).
    #[arg(long, conflicts_with_all = ["existing", "first_import"], help_heading = "Plan")]
    pub existing_from_history: bool,
    /// Let a FULL import drop existing records (PF313), or replace the bulk data of a dataset
    /// whose content is unknown (no --existing); without it such a run stops.
    #[arg(long)]
    pub allow_drop: bool,
    /// Stage a repaired copy: the safe fixes of `preflight fix` applied to a temporary copy
    /// of each file (the files themselves are not changed); the manifest records the repair.
    #[arg(long)]
    pub fix: bool,
    /// With --fix, the unsafe fixes too.
    #[arg(long, requires = "fix")]
    pub unsafe_fixes: bool,
    #[command(flatten)]
    pub job: JobArgs,
    #[command(flatten)]
    pub watch: WatchOptions,
    /// After the import job is ACTIVE, train these solutions (a new solution version each,
    /// FULL, or UPDATE where the recipe supports it and only items were imported), watched to
    /// ACTIVE or CREATE FAILED. Nothing is retrained unless asked. Repeatable, or
    /// comma-separated.
    #[arg(long, value_name = "SOLUTION_ARN", value_delimiter = ',')]
    pub retrain: Vec<String>,
    /// Print every request that would be sent (JSON lines, the APIs' field names), send none.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The checksum sent with every object and verified by the store.
    #[arg(long, value_name = "ALGORITHM", default_value = "crc64nvme", value_parser = ["crc64nvme", "sha256"])]
    pub checksum: String,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The dataset the data is for (its ARN gives the region and account; DescribeDataset its
    /// dataset group).
    #[arg(long, value_name = "ARN")]
    pub dataset_arn: String,
    /// The IAM role Personalize assumes to read the data.
    #[arg(long, value_name = "ARN")]
    pub role_arn: String,
    /// Where the data is, or will be staged: s3://bucket/prefix/ (a folder) or one object.
    #[arg(long, value_name = "S3_URL")]
    pub location: String,
    /// The KMS key staging writes with (`--sse kms:KEY` of `preflight stage`), if any.
    #[arg(long, value_name = "KEY")]
    pub kms_key: Option<String>,
    /// Print the calls the checks would make (JSON lines) and send none.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// The training mode `preflight train` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrainMode {
    /// A new model from all the data.
    Full,
    /// The latest model brought up to date with new items (User-Personalization only).
    Update,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The solutions to train (one new solution version each, in order).
    #[arg(required = true, value_name = "SOLUTION_ARN")]
    pub solution_arns: Vec<String>,
    /// The training mode: UPDATE only brings new items into the latest User-Personalization
    /// model (refused for other recipes, or without an ACTIVE version to update).
    #[arg(long, value_enum, default_value_t = TrainMode::Full)]
    pub training_mode: TrainMode,
    /// Print the ARN of each solution version and exit, without watching.
    #[arg(long)]
    pub no_wait: bool,
    #[command(flatten)]
    pub watch: WatchOptions,
    /// Print the requests (JSON lines) and send none.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    match parse_duration(s)? {
        d if d.is_zero() => Err("a timeout of 0 would fail every request".into()),
        d => Ok(d),
    }
}
