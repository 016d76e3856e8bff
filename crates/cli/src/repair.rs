//! Fixing one input into a file, shared by `preflight fix` and `stage --fix`/`run --fix`:
//! the fixed bytes go to a temporary file beside the target and, as they are written, to
//! `validate` on a thread of its own (its remaining findings are exactly what `validate`
//! reports on the file); only then is the file moved into place: a new file (refused if it
//! exists, unless forced), the input itself (`--in-place`, keeping its permissions, forced to
//! disk first) or stdout. A failure or Ctrl-C leaves the target as it was and no temporary
//! file behind.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context};
use preflight_validator::{FixError, FixOptions, InputFile, Report, Rewrite, SchemaSource, Source};

use crate::render::FixReport;
use crate::session::Session;

/// Where a fixed file goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Standard output.
    Stdout,
    /// A file; replaced only with `force`.
    File {
        /// Where to write the repaired file.
        path: PathBuf,
        /// Replace it if it exists.
        force: bool,
    },
    /// The input file itself.
    InPlace(PathBuf),
}

impl Target {
    /// The name shown in the report.
    pub fn shown(&self) -> String {
        match self {
            Target::Stdout => "-".into(),
            Target::File { path, .. } | Target::InPlace(path) => path.display().to_string(),
        }
    }

    /// The folder of the temporary file: beside the target, so the final move is a rename.
    fn dir(&self) -> PathBuf {
        match self {
            Target::Stdout => std::env::temp_dir(),
            Target::File { path, .. } | Target::InPlace(path) => match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            },
        }
    }

    /// Refuses a target that exists when it may not be replaced (checked before any work, and
    /// again when the file is moved into place).
    pub fn check(&self) -> anyhow::Result<()> {
        if let Target::File { path, force } = self {
            if path.is_dir() {
                bail!("`{}` is a directory", path.display());
            }
            if !force && path.exists() {
                bail!(
                    "`{}` exists: pass --force to replace it (or --in-place to fix a file where it is)",
                    path.display()
                );
            }
        }
        Ok(())
    }
}

/// Sets a flag on Ctrl-C, so that a fix stops between blocks and cleans up instead of dying
/// with its temporary file in place.
pub fn cancel_on_ctrl_c(session: &Session) -> anyhow::Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    let set = flag.clone();
    let interrupted = session.ctrl_c()?;
    session.runtime()?.spawn(async move {
        if interrupted.await {
            set.store(true, Ordering::SeqCst);
        }
    });
    Ok(flag)
}

/// Why a fix stopped.
#[derive(Debug)]
pub enum Stopped {
    /// Ctrl-C: nothing was written.
    Interrupted,
    /// Any other failure.
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for Stopped {
    fn from(e: anyhow::Error) -> Self {
        Stopped::Failed(e)
    }
}

/// Fixes `input` into `target`; returns what changed and the validation of the output.
pub fn fix_one(
    input: &InputFile,
    target: &Target,
    schema: &SchemaSource,
    session: &Session,
    unsafe_fixes: bool,
    cancel: &AtomicBool,
) -> Result<(FixReport, Report), Stopped> {
    target.check()?;
    let dir = target.dir();
    let engine = session.options();
    let opts = FixOptions {
        unsafe_fixes,
        threads: engine.threads,
        block_size: engine.block_size,
        policy: engine.policy.clone(),
        temp_dir: engine.temp_dir.clone(),
        ..FixOptions::default()
    };
    let shown = target.shown();
    // The output's size is about the input's: it only sizes the validation's tables.
    let size_hint = match &input.source {
        Source::Path(p) => std::fs::metadata(p).ok().map(|m| m.len()),
        _ => None,
    };
    std::thread::scope(|scope| -> Result<(FixReport, Report), Stopped> {
        // The remaining findings: the output validated as `validate` would, on its bytes as
        // they are written (see `Validation`). With the safe fixes the first bytes written are
        // the output's; with unsafe fixes they may be read back and rewritten (records
        // dropped or renamed), so the validation starts with the rewrite, or after the pass
        // when nothing was rewritten.
        let start = || Validation::start(scope, schema, &engine, &shown, size_hint);
        let mut out = TempOutput::new(&dir, &start)?;
        if !unsafe_fixes {
            out.validation = Some(start());
        }
        let summary = match preflight_validator::fix_into(schema, input, &mut out, &opts, cancel) {
            Ok(s) => s,
            Err(FixError::Interrupted) => return Err(Stopped::Interrupted),
            Err(e) => {
                return Err(Stopped::Failed(
                    anyhow::Error::new(e).context(format!("failed to fix `{}`", input.name)),
                ))
            }
        };
        let TempOutput {
            tmp,
            out,
            validation,
            ..
        } = out;
        // A copy that replaces the input is forced to disk before the rename, so that a crash
        // cannot leave the input's name on a file whose bytes never reached the disk. A new
        // file (`-o`, stdout, the copies `stage --fix` stages) is written as `cp` writes one,
        // without waiting for the disk (seconds on a large file), and a crash loses nothing the
        // user had.
        let written = out.into_inner().map_err(|e| e.into_error()).and_then(|_| {
            if matches!(target, Target::InPlace(_)) {
                tmp.as_file().sync_all()
            } else {
                Ok(())
            }
        });
        written.with_context(|| format!("failed to write the fixed copy of `{}`", input.name))?;
        if cancel.load(Ordering::SeqCst) {
            return Err(Stopped::Interrupted);
        }
        let report = match validation {
            Some(v) => v.finish(),
            None => {
                let checked = InputFile {
                    name: shown.clone(),
                    source: Source::Path(tmp.path().to_path_buf()),
                    in_folder: false,
                };
                preflight_validator::validate(schema, &[checked], Vec::new(), &engine)
            }
        }
        .map_err(|e| Stopped::Failed(anyhow::Error::new(e)))?;
        if cancel.load(Ordering::SeqCst) {
            return Err(Stopped::Interrupted);
        }
        place(tmp, target)?;
        Ok((
            FixReport {
                input: input.name.clone(),
                output: match target {
                    Target::InPlace(_) => input.name.clone(),
                    t => t.shown(),
                },
                summary,
                unsafe_fixes,
            },
            report,
        ))
    })
}

/// Moves the validated temporary file to the target.
fn place(tmp: tempfile::NamedTempFile, target: &Target) -> Result<(), Stopped> {
    match target {
        Target::Stdout => {
            let mut f =
                std::fs::File::open(tmp.path()).context("failed to reopen the fixed copy")?;
            let mut stdout = std::io::stdout().lock();
            match std::io::copy(&mut f, &mut stdout).and_then(|_| stdout.flush()) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => {
                    return Err(Stopped::Failed(
                        anyhow::Error::new(e).context("failed to write to stdout"),
                    ))
                }
            }
        }
        Target::File { path, force } => {
            let persisted = if *force {
                tmp.persist(path)
            } else {
                tmp.persist_noclobber(path)
            };
            persisted.map_err(|e| e.error).with_context(|| {
                format!("failed to move the fixed file to `{}`", path.display())
            })?;
        }
        Target::InPlace(path) => {
            let perms = std::fs::metadata(path)
                .with_context(|| format!("failed to read `{}`", path.display()))?
                .permissions();
            std::fs::set_permissions(tmp.path(), perms)
                .context("failed to give the fixed copy the input's permissions")?;
            tmp.persist(path)
                .map_err(|e| e.error)
                .with_context(|| format!("failed to replace `{}`", path.display()))?;
        }
    }
    Ok(())
}

/// The temporary file beside the target that the fixed bytes go to. It is also the copy the
/// dataset-level unsafe fixes read back when they drop or rename records: they then write to
/// a new temporary file in the same folder, which replaces this one (removed on drop).
struct TempOutput<'a, 's> {
    dir: PathBuf,
    tmp: tempfile::NamedTempFile,
    out: BufWriter<Written>,
    /// The validation of what is written, when what is written is the output.
    validation: Option<Validation<'s>>,
    /// Starts a validation (for the rewrite of the unsafe fixes).
    start: &'a dyn Fn() -> Validation<'s>,
}

#[cfg(feature = "fault-injection")]
type Written = Box<dyn Write>;
#[cfg(not(feature = "fault-injection"))]
type Written = std::fs::File;

impl<'a, 's> TempOutput<'a, 's> {
    fn new(dir: &Path, start: &'a dyn Fn() -> Validation<'s>) -> anyhow::Result<Self> {
        let (tmp, out) = Self::create(dir)?;
        Ok(TempOutput {
            dir: dir.to_path_buf(),
            tmp,
            out,
            validation: None,
            start,
        })
    }

    fn create(dir: &Path) -> anyhow::Result<(tempfile::NamedTempFile, BufWriter<Written>)> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(".preflight-fix-").suffix(".csv.part");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let tmp = builder
            .tempfile_in(dir)
            .with_context(|| format!("failed to create a temporary file in `{}`", dir.display()))?;
        let file = tmp.reopen().context("failed to open the temporary file")?;
        let out = BufWriter::with_capacity(1 << 20, fault::wrap(file));
        Ok((tmp, out))
    }
}

impl Write for TempOutput<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        if let Some(v) = &mut self.validation {
            v.feed(&buf[..n]);
        }
        Ok(n)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.out.write_all(buf)?;
        if let Some(v) = &mut self.validation {
            v.feed(buf);
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl Rewrite for TempOutput<'_, '_> {
    fn take_written(&mut self) -> std::io::Result<Box<dyn std::io::Read + Send>> {
        self.out.flush()?;
        let (tmp, out) = Self::create(&self.dir).map_err(std::io::Error::other)?;
        drop(std::mem::replace(&mut self.out, out));
        // What is written from now on is the output: validate it as it is written.
        self.validation = Some((self.start)());
        // Read through the temporary file's own handle, which nothing wrote through (its
        // offset is at the start); the file is removed when the reader is dropped.
        Ok(Box::new(std::mem::replace(&mut self.tmp, tmp)))
    }

    fn write_block(&mut self, block: Vec<u8>) -> std::io::Result<()> {
        self.out.write_all(&block)?;
        if let Some(v) = &mut self.validation {
            v.feed_block(block);
        }
        Ok(())
    }
}

/// The output validated on a thread of its own as it is written, instead of read back from
/// the disk afterwards: the bytes written go through a bounded queue (at most [`QUEUED`]
/// chunks of [`CHUNK`] bytes or more, so memory stays bounded and a slower validation slows
/// the writing down) to `validate` reading them as one input named as the target. The report
/// is the one `validate` gives on the finished file: the engine's results do not depend on how
/// its input arrives.
struct Validation<'s> {
    tx: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    /// Bytes written but not yet queued (writes smaller than a chunk are gathered).
    pending: Vec<u8>,
    handle: std::thread::ScopedJoinHandle<'s, Result<Report, preflight_validator::Error>>,
}

/// The smallest chunk queued to the validation.
const CHUNK: usize = 1 << 20;
/// Chunks queued at most (each at most a fixed block, 8 MiB by default).
const QUEUED: usize = 4;

impl<'s> Validation<'s> {
    fn start<'e>(
        scope: &'s std::thread::Scope<'s, 'e>,
        schema: &'e SchemaSource,
        engine: &'e preflight_validator::Options,
        name: &str,
        size_hint: Option<u64>,
    ) -> Validation<'s> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(QUEUED);
        let input = InputFile::from_reader(name, Queued::new(rx), size_hint);
        let handle = scope
            .spawn(move || preflight_validator::validate(schema, &[input], Vec::new(), engine));
        Validation {
            tx: Some(tx),
            pending: Vec::new(),
            handle,
        }
    }

    /// Queues written bytes. A validation that stopped reading (it found the output is not
    /// CSV) takes no more; its report says why.
    fn feed(&mut self, bytes: &[u8]) {
        if self.tx.is_none() {
            return;
        }
        if self.pending.is_empty() && bytes.len() >= CHUNK {
            self.send(bytes.to_vec());
        } else {
            self.pending.extend_from_slice(bytes);
            if self.pending.len() >= CHUNK {
                let chunk = std::mem::take(&mut self.pending);
                self.send(chunk);
            }
        }
    }

    /// Queues a whole block, without copying it when nothing smaller is waiting.
    fn feed_block(&mut self, block: Vec<u8>) {
        if self.pending.is_empty() && block.len() >= CHUNK {
            self.send(block);
        } else {
            self.feed(&block);
        }
    }

    fn send(&mut self, chunk: Vec<u8>) {
        if let Some(tx) = &self.tx {
            if tx.send(chunk).is_err() {
                self.tx = None;
            }
        }
    }

    /// Ends the input and waits for the report.
    fn finish(mut self) -> Result<Report, preflight_validator::Error> {
        if !self.pending.is_empty() {
            let chunk = std::mem::take(&mut self.pending);
            self.send(chunk);
        }
        drop(self.tx.take());
        match self.handle.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

/// The reading end of a [`Validation`]'s queue: the chunks in order, then the end of the
/// input when the writer is done (or gone: a failed fix throws the report away).
struct Queued {
    rx: std::sync::mpsc::Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

impl Queued {
    fn new(rx: std::sync::mpsc::Receiver<Vec<u8>>) -> Self {
        Queued {
            rx,
            chunk: Vec::new(),
            at: 0,
        }
    }
}

impl std::io::Read for Queued {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.rx.recv() {
                Ok(c) => {
                    self.chunk = c;
                    self.at = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The file name an input keeps in an output folder.
pub fn file_name(input: &InputFile) -> Option<String> {
    let name = input.name.trim_end_matches('/');
    if name == "-" {
        return None;
    }
    Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .or_else(|| name.rsplit('/').next().map(str::to_string))
        .filter(|n| !n.is_empty())
}

/// Failure injection for tests (feature `fault-injection`): with
/// `PREFLIGHT_FAULT_FIX_WRITE_AFTER=N`, writing the fixed copy fails after N bytes, as a full
/// disk would. Without the feature, the file is written as it is.
mod fault {
    use std::fs::File;

    #[cfg(feature = "fault-injection")]
    pub fn wrap(f: File) -> Box<dyn std::io::Write> {
        match std::env::var("PREFLIGHT_FAULT_FIX_WRITE_AFTER")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            Some(limit) => Box::new(Failing { f, left: limit }),
            None => Box::new(f),
        }
    }

    #[cfg(not(feature = "fault-injection"))]
    pub fn wrap(f: File) -> File {
        f
    }

    #[cfg(feature = "fault-injection")]
    struct Failing {
        f: File,
        left: u64,
    }

    #[cfg(feature = "fault-injection")]
    impl std::io::Write for Failing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.left == 0 {
                return Err(std::io::Error::other(
                    "injected write failure (no space left)",
                ));
            }
            let n = (buf.len() as u64).min(self.left) as usize;
            let n = self.f.write(&buf[..n])?;
            self.left -= n as u64;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.f.flush()
        }
    }
}
