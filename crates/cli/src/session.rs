//! One session per run: what every command shares, built once from its arguments.
//!
//! The settings are layered once (defaults < `preflight.toml` < `PREFLIGHT_*` environment <
//! flags) for every command that reports findings, so `validate`, `plan`, `stage`, `run`,
//! `insights` and `schema check` read the same config file the same way and gate alike. From
//! them come the engine's options (threads, block size, the per-rule policy, the clock) and the
//! failing severity. The session also owns what talks to AWS: the I/O runtime (one per run,
//! started on first use), the Personalize client and the S3 stores (connected once, or injected
//! by in-process tests through [`Clients`]).

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use preflight_uploader::{Clock, S3Store, SdkPersonalize};
use preflight_validator::{Diagnostic, InputFile, Options, Policy, Report, SchemaSource, Severity};

use crate::args::{
    AwsArgs, ColorChoice, ConfigArgs, DoctorArgs, EngineArgs, FailOn, FixArgs, Format, ImportArgs,
    InsightsArgs, PlanArgs, ReportArgs, RunArgs, SchemaArgs, SchemaCheckArgs, StageArgs, TrainArgs,
    ValidateArgs, WatchArgs,
};
use crate::aws::Clients;
use crate::config::{self, Config, DatasetSchema, Settings};
use crate::exit::{self, Code};
use crate::render::{self, Section};

/// What one command's arguments bring to the session.
#[derive(Debug, Default, Clone, Copy)]
pub struct Layers<'a> {
    /// Where the config file is; `None` for commands that take no settings (`import`, `watch`):
    /// no file is read and no `PREFLIGHT_*` setting applies.
    pub config: Option<&'a ConfigArgs>,
    /// The report flags (the top layer of the settings).
    pub report: Option<&'a ReportArgs>,
    /// Threads, block size and clock.
    pub engine: Option<&'a EngineArgs>,
    /// `--changed-since` (`validate`).
    pub changed_since: Option<&'a str>,
    /// The current time in epoch seconds, for commands without engine options (`import`).
    pub now: Option<i64>,
    /// How to reach AWS.
    pub aws: Option<&'a AwsArgs>,
}

/// The session of one run.
pub struct Session {
    config: Option<Config>,
    settings: Settings,
    color: ColorChoice,
    options: Options,
    now: Option<i64>,
    aws: AwsArgs,
    clients: Clients,
    runtime: OnceLock<tokio::runtime::Runtime>,
    personalize: OnceLock<SdkPersonalize>,
    stores: Mutex<Vec<(String, Arc<S3Store>)>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("config", &self.config.as_ref().map(|c| &c.path))
            .field("settings", &self.settings)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Layers the settings (reading the config file and the environment, with the config's
    /// warnings printed on stderr) and derives the engine's options. Nothing connects yet.
    pub fn new(layers: Layers<'_>, clients: &Clients) -> anyhow::Result<Session> {
        let env = |k: &str| std::env::var(k).ok();
        let engine = layers.engine;
        let (config, settings) = match layers.config {
            Some(config_args) => {
                let flags = match layers.report {
                    Some(report) => Settings::from_args(
                        report,
                        engine.and_then(|e| e.threads),
                        layers.changed_since,
                    ),
                    None => Settings::default(),
                };
                config::load_layers(config_args, flags, &env)?
            }
            None => (None, Settings::default()),
        };
        let mut options = Options {
            threads: settings.threads.unwrap_or(0),
            policy: policy(&settings),
            ..Options::default()
        };
        let now = engine.and_then(|e| e.now).or(layers.now);
        if let Some(e) = engine {
            options.block_size = e.block_size.max(1);
            options.temp_dir = e.temp_dir.clone();
        }
        if let Some(now) = now {
            options.now = now;
        }
        Ok(Session {
            config,
            settings,
            color: layers.report.map_or(ColorChoice::Auto, |r| r.color),
            options,
            now,
            aws: layers.aws.cloned().unwrap_or_default(),
            clients: clients.clone(),
            runtime: OnceLock::new(),
            personalize: OnceLock::new(),
            stores: Mutex::new(Vec::new()),
        })
    }

    /// The config file, if one was found or given.
    pub fn config(&self) -> Option<&Config> {
        self.config.as_ref()
    }

    /// The layered settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The output format.
    pub fn format(&self) -> Format {
        self.settings.format()
    }

    /// The lowest severity that fails the run.
    pub fn fail_on(&self) -> FailOn {
        self.settings.fail_on()
    }

    /// The engine's options: threads, block size, the per-rule policy and the clock.
    pub fn options(&self) -> Options {
        self.options.clone()
    }

    /// Severity overrides and the per-rule cap.
    pub fn policy(&self) -> Policy {
        self.options.policy.clone()
    }

    /// The exit code a report earns: 1 when a finding is at or above the failing severity.
    pub fn exit_code(&self, report: &Report) -> Code {
        exit_code_for(report, self.fail_on())
    }

    /// The worst exit code of several reports (0 without any).
    pub fn worst<'a>(&self, reports: impl IntoIterator<Item = &'a Report>) -> Code {
        reports
            .into_iter()
            .map(|r| self.exit_code(r))
            .max_by_key(|c| c.0)
            .unwrap_or(exit::SUCCESS)
    }

    /// The current time: `--now` / `PREFLIGHT_NOW`, else the clock's.
    pub fn now(&self) -> SystemTime {
        self.now.map_or_else(SystemTime::now, |s| {
            UNIX_EPOCH + Duration::from_secs(s.max(0) as u64)
        })
    }

    /// How to reach AWS.
    pub fn aws(&self) -> &AwsArgs {
        &self.aws
    }

    /// The injected AWS clients (tests), for the clients made on demand elsewhere.
    pub fn clients(&self) -> &Clients {
        &self.clients
    }

    /// Time for watching and waiting.
    pub fn clock(&self) -> &dyn Clock {
        self.clients.clock.as_ref()
    }

    /// Completes with `true` on Ctrl-C (`false` if the runtime shuts down first). The handler is
    /// registered now, not when the future is first polled: until then SIGINT still has its
    /// default action, and a watch that prints a status in its first poll would invite a Ctrl-C
    /// that kills the process instead of stopping the watch.
    pub fn ctrl_c(
        &self,
    ) -> anyhow::Result<impl std::future::Future<Output = bool> + Send + 'static> {
        let _entered = self.runtime()?.enter();
        #[cfg(unix)]
        let interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
        #[cfg(not(unix))]
        let interrupt = tokio::signal::windows::ctrl_c();
        let mut interrupt = interrupt.context("failed to watch for Ctrl-C")?;
        Ok(async move { interrupt.recv().await.is_some() })
    }

    /// The I/O runtime, started on first use: every AWS call of the run goes through it, and
    /// `s3://` inputs stream through it while the engine reads them.
    pub fn runtime(&self) -> anyhow::Result<&tokio::runtime::Runtime> {
        if let Some(rt) = self.runtime.get() {
            return Ok(rt);
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("preflight-io")
            .enable_all()
            .build()
            .context("failed to start the I/O runtime")?;
        Ok(self.runtime.get_or_init(|| rt))
    }

    /// The Personalize client: the injected one, or one from the AWS configuration (connected
    /// once).
    pub fn personalize(&self) -> anyhow::Result<SdkPersonalize> {
        if let Some(p) = self.personalize.get() {
            return Ok(p.clone());
        }
        let p = match &self.clients.personalize {
            Some(p) => p.clone(),
            None => self
                .runtime()?
                .block_on(crate::aws::connect_personalize(&self.aws))
                .map_err(anyhow::Error::msg)?,
        };
        Ok(self.personalize.get_or_init(|| p).clone())
    }

    /// The S3 store of `bucket` with the command line's S3 options (connected once per bucket).
    pub fn s3_store(&self, bucket: &str) -> anyhow::Result<Arc<S3Store>> {
        let mut stores = self.stores.lock().expect("not poisoned");
        if let Some((_, s)) = stores.iter().find(|(b, _)| b == bucket) {
            return Ok(s.clone());
        }
        let store = Arc::new(
            self.runtime()?
                .block_on(S3Store::connect(bucket, &crate::s3::options(&self.aws)))
                .map_err(anyhow::Error::msg)?,
        );
        stores.push((bucket.to_string(), store.clone()));
        Ok(store)
    }

    /// Inputs from local paths and `s3://` URLs, in the order given (see
    /// [`crate::s3::resolve_inputs`]); `s3://` objects stream through the session's runtime.
    pub fn resolve_inputs(
        &self,
        paths: &[String],
    ) -> anyhow::Result<(Vec<InputFile>, Vec<Diagnostic>)> {
        crate::s3::resolve_inputs(paths, self)
    }

    /// The schema options as a source: a file, a built-in type, or the schema of the dataset
    /// `--dataset-arn` names (DescribeDataset, then DescribeSchema).
    pub fn schema(&self, args: &SchemaArgs) -> anyhow::Result<SchemaSource> {
        let Some(arn) = &args.dataset_arn else {
            return local_schema(args);
        };
        if args.schema.is_some() {
            bail!("--schema and --dataset-arn both name a schema: give one of them");
        }
        let p = self.personalize()?;
        Ok(self
            .runtime()?
            .block_on(crate::aws::dataset_schema(&p, arn, args))?
            .0)
    }

    /// The schema of a dataset declared in `preflight.toml`.
    pub fn dataset_schema(
        &self,
        name: &str,
        schema: &DatasetSchema,
    ) -> anyhow::Result<SchemaSource> {
        Ok(match schema {
            DatasetSchema::File {
                path,
                dataset_type,
                domain,
            } => SchemaSource::Text {
                text: std::fs::read_to_string(path)
                    .with_context(|| format!("dataset `{name}`: failed to read schema `{path}`"))?,
                source: path.clone(),
                dataset_type: *dataset_type,
                domain: *domain,
                accepted: false,
            },
            DatasetSchema::Builtin {
                dataset_type,
                domain,
            } => SchemaSource::Builtin {
                dataset_type: *dataset_type,
                domain: *domain,
            },
            DatasetSchema::Arn(arn) => {
                let args = SchemaArgs {
                    schema: None,
                    dataset_type: None,
                    domain: None,
                    dataset_arn: Some(arn.clone()),
                };
                self.schema(&args)
                    .with_context(|| format!("dataset `{name}`: failed to fetch its schema"))?
            }
        })
    }

    /// Renders the sections in the session's format to stdout.
    pub fn emit(&self, sections: &[Section<'_>]) -> anyhow::Result<()> {
        // An in-process run that captures its output (tests): rendered without colour.
        if let Some(captured) = &self.clients.stdout {
            let text = render::render(self.format(), false, sections);
            captured
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(text.as_bytes());
            return Ok(());
        }
        render::emit(self.format(), self.color, sections)
    }

    /// Renders the sections to stderr, for a command whose stdout is data of its own (`stage`
    /// prints the data location alone there, for `LOC=$(preflight stage …)`).
    pub fn emit_to_stderr(&self, sections: &[Section<'_>]) -> anyhow::Result<()> {
        render::emit_to_stderr(self.format(), self.color, sections)
    }

    /// A warning on stderr that may quote what a server answered: redacted.
    pub fn warn(&self, message: &str) {
        let redactor = crate::logging::Redactor::from_environment();
        eprintln!("warning: {}", redactor.redact(message));
    }
}

/// The schema options that need no AWS call: a file, or a built-in type.
pub fn local_schema(args: &SchemaArgs) -> anyhow::Result<SchemaSource> {
    match (&args.schema, args.dataset_type) {
        (Some(path), ty) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("failed to read schema `{path}`"))?;
            Ok(SchemaSource::Text { text, source: path.clone(), dataset_type: ty, domain: args.domain, accepted: false })
        }
        (None, Some(ty)) => Ok(SchemaSource::Builtin { dataset_type: ty, domain: args.domain }),
        (None, None) => bail!("give a schema with --schema FILE, or a built-in one with --dataset-type TYPE [--domain DOMAIN], or declare datasets in preflight.toml"),
    }
}

/// Severity overrides and the per-rule cap from layered settings.
fn policy(settings: &Settings) -> Policy {
    Policy {
        max_per_rule: settings.max_diagnostics(),
        levels: settings.levels(),
    }
}

/// 1 when any finding is at or above the failing severity, else 0.
pub fn exit_code_for(report: &Report, fail_on: FailOn) -> Code {
    let failing = match fail_on {
        FailOn::Error => report.has_at_least(Severity::Error),
        FailOn::Warning => report.has_at_least(Severity::Warning),
        FailOn::Never => false,
    };
    if failing {
        exit::FINDINGS
    } else {
        exit::SUCCESS
    }
}

impl ValidateArgs {
    /// What `validate` brings to the session.
    pub(crate) fn layers(&self) -> Layers<'_> {
        Layers {
            config: Some(&self.config),
            report: Some(&self.report),
            engine: Some(&self.engine),
            changed_since: self.changed_since.as_deref(),
            now: None,
            aws: Some(&self.aws),
        }
    }
}

impl FixArgs {
    /// What `fix` brings to the session.
    pub(crate) fn layers(&self) -> Layers<'_> {
        Layers {
            config: Some(&self.config),
            report: Some(&self.report),
            engine: Some(&self.engine),
            aws: Some(&self.aws),
            ..Layers::default()
        }
    }
}

impl PlanArgs {
    /// What `plan` brings to the session.
    pub(crate) fn layers(&self) -> Layers<'_> {
        Layers {
            config: Some(&self.config),
            report: Some(&self.report),
            engine: Some(&self.engine),
            aws: Some(&self.aws),
            ..Layers::default()
        }
    }
}

impl StageArgs {
    /// What `stage` brings to the session.
    pub(crate) fn layers(&self) -> Layers<'_> {
        Layers {
            config: Some(&self.config),
            report: Some(&self.report),
            engine: Some(&self.engine),
            aws: Some(&self.aws),
            ..Layers::default()
        }
    }
}

impl RunArgs {
    /// What `run` brings to the session.
    pub(crate) fn layers(&self) -> Layers<'_> {
        Layers {
            config: Some(&self.config),
            report: Some(&self.report),
            engine: Some(&self.engine),
            aws: Some(&self.aws),
            ..Layers::default()
        }
    }
}

impl InsightsArgs {
    /// What `insights` brings to the session.
    pub(crate) fn layers(&self) -> Layers<'_> {
        Layers {
            config: Some(&self.config),
            report: Some(&self.report),
            engine: Some(&self.engine),
            aws: Some(&self.aws),
            ..Layers::default()
        }
    }
}

impl SchemaCheckArgs {
    /// What `schema check` brings to the session.
    pub(crate) fn layers(&self) -> Layers<'_> {
        Layers {
            config: Some(&self.config),
            report: Some(&self.report),
            ..Layers::default()
        }
    }
}

impl ImportArgs {
    /// What `import` brings to the session: AWS and the clock only.
    pub(crate) fn layers(&self) -> Layers<'_> {
        Layers {
            now: self.now,
            aws: Some(&self.aws),
            ..Layers::default()
        }
    }
}

impl DoctorArgs {
    /// What `doctor` brings to the session: the report settings (`--severity`, `--format`)
    /// and AWS.
    pub(crate) fn layers(&self) -> Layers<'_> {
        Layers {
            config: Some(&self.config),
            report: Some(&self.report),
            aws: Some(&self.aws),
            ..Layers::default()
        }
    }
}

impl TrainArgs {
    /// What `train` brings to the session: AWS only.
    pub(crate) fn layers(&self) -> Layers<'_> {
        Layers {
            aws: Some(&self.aws),
            ..Layers::default()
        }
    }
}

impl WatchArgs {
    /// What `watch` brings to the session: AWS only.
    pub(crate) fn layers(&self) -> Layers<'_> {
        Layers {
            aws: Some(&self.aws),
            ..Layers::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    use crate::args::{Cli, Command};

    fn session(line: &[&str]) -> Session {
        let cli = Cli::try_parse_from(line).unwrap();
        let clients = Clients::default();
        let s = match &cli.command {
            Command::Stage(a) => Session::new(a.layers(), &clients),
            Command::Validate(a) => Session::new(a.layers(), &clients),
            Command::Import(a) => Session::new(a.layers(), &clients),
            other => panic!("{other:?}"),
        };
        s.unwrap()
    }

    #[test]
    fn flags_reach_the_engine_options_of_every_command() {
        for cmd in [
            vec!["preflight", "validate", "--dataset-type", "items", "a.csv"],
            vec!["preflight", "stage", "--dataset-type", "items", "a.csv"],
        ] {
            let mut line = cmd.clone();
            line.extend([
                "--no-config",
                "--threads",
                "3",
                "--max-diagnostics",
                "7",
                "--severity",
                "PF006=off",
                "--fail-on",
                "warning",
                "--now",
                "1700000000",
            ]);
            let s = session(&line);
            let o = s.options();
            assert_eq!(o.threads, 3, "{cmd:?}");
            assert_eq!(o.policy.max_per_rule, 7, "{cmd:?}");
            assert_eq!(
                o.policy.levels.get("PF006"),
                Some(&preflight_validator::Level::Off),
                "{cmd:?}"
            );
            assert_eq!(o.now, 1_700_000_000, "{cmd:?}");
            assert_eq!(s.fail_on(), FailOn::Warning, "{cmd:?}");
            assert_eq!(
                s.now(),
                UNIX_EPOCH + Duration::from_secs(1_700_000_000),
                "{cmd:?}"
            );
        }
        // `import` takes no settings: no config file is looked for.
        let s = session(&[
            "preflight",
            "import",
            "--dataset-arn",
            "arn:aws:personalize:us-east-1:1:dataset/g/ITEMS",
            "--role-arn",
            "arn:aws:iam::1:role/R",
            "--from",
            "s3://b/p/",
            "--mode",
            "full",
            "--now",
            "5",
        ]);
        assert!(s.config().is_none());
        assert_eq!(s.now(), UNIX_EPOCH + Duration::from_secs(5));
    }
}
