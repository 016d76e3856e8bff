//! Inputs: files, directories (every first-level file, as Personalize reads an S3 folder) and
//! standard input.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diagnostic::{Diagnostic, Location};
use crate::rules::{FileInSubfolder, NonCsvFileInFolder, Violation};

/// Where an input's bytes come from.
#[derive(Debug)]
pub enum Source {
    /// A file on disk.
    Path(PathBuf),
    /// Standard input.
    Stdin,
    /// Bytes in memory (tests, S3 streams already fetched).
    Bytes(Vec<u8>),
    /// Any blocking reader, read once: an object streamed from S3 by the caller, which keeps
    /// this library free of network and async code.
    Reader(OnceReader),
}

/// A reader that can be opened once (see [`Source::Reader`]).
pub struct OnceReader {
    reader: Mutex<Option<Box<dyn Read + Send>>>,
    /// The expected size in bytes, if known (only sizes the engine's tables).
    pub size_hint: Option<u64>,
}

impl OnceReader {
    /// Wraps a reader.
    pub fn new(reader: impl Read + Send + 'static, size_hint: Option<u64>) -> Self {
        OnceReader {
            reader: Mutex::new(Some(Box::new(reader))),
            size_hint,
        }
    }
}

impl std::fmt::Debug for OnceReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnceReader")
            .field("size_hint", &self.size_hint)
            .finish_non_exhaustive()
    }
}

/// One input file of an import.
#[derive(Debug)]
pub struct InputFile {
    /// The name shown in findings: the path as the user wrote it, `-` for stdin.
    pub name: String,
    /// Where to read it.
    pub source: Source,
    /// Listed from a folder (local or `s3://`) rather than named by the user: an empty one is
    /// reported as a stray object of the folder (PF011) instead of an empty import file (PF001).
    pub in_folder: bool,
}

impl InputFile {
    /// An in-memory input.
    pub fn from_bytes(name: &str, bytes: impl Into<Vec<u8>>) -> Self {
        InputFile {
            name: name.to_string(),
            source: Source::Bytes(bytes.into()),
            in_folder: false,
        }
    }

    /// An input read from any blocking reader (once).
    pub fn from_reader(
        name: &str,
        reader: impl Read + Send + 'static,
        size_hint: Option<u64>,
    ) -> Self {
        InputFile {
            name: name.to_string(),
            source: Source::Reader(OnceReader::new(reader, size_hint)),
            in_folder: false,
        }
    }

    /// Marks the input as listed from a folder (see [`InputFile::in_folder`]).
    pub fn listed_from_folder(mut self) -> Self {
        self.in_folder = true;
        self
    }

    /// Opens the input for reading. A [`Source::Reader`] can be opened only once.
    pub fn open(&self) -> std::io::Result<Box<dyn Read + Send + '_>> {
        Ok(match &self.source {
            Source::Path(p) => Box::new(std::fs::File::open(p)?),
            Source::Stdin => Box::new(std::io::stdin()),
            Source::Bytes(b) => Box::new(&b[..]),
            Source::Reader(r) => r
                .reader
                .lock()
                .map_err(|_| std::io::Error::other("the reader's lock is poisoned"))?
                .take()
                .ok_or_else(|| std::io::Error::other("this input was already read"))?,
        })
    }
}

/// An input that cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The path does not exist or cannot be read.
    #[error("failed to read `{path}`: {source}")]
    Io {
        /// As given.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A directory without any file at its first level.
    #[error("`{path}` contains no file at its first level")]
    EmptyDir {
        /// As given.
        path: String,
    },
}

/// Expands the paths the user gave into input files, in order: files as given, directories as
/// every file at their first level, in name order. Personalize reads every first-level object
/// of a data folder as CSV, whatever its name (`part-00000`, `_SUCCESS`, `.crc` files), so each
/// of them is an input like any other; a name that does not end in `.csv` also gets PF008.
/// Files in sub-folders are not imported (PF007). `stage` and `run` upload exactly the files
/// returned here, so what is validated is what is imported.
pub fn resolve(paths: &[String]) -> Result<(Vec<InputFile>, Vec<Diagnostic>), InputError> {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for p in paths {
        if p == "-" {
            files.push(InputFile {
                name: "-".into(),
                source: Source::Stdin,
                in_folder: false,
            });
            continue;
        }
        let path = Path::new(p);
        let meta = std::fs::metadata(path).map_err(|e| InputError::Io {
            path: p.clone(),
            source: e,
        })?;
        if !meta.is_dir() {
            files.push(InputFile {
                name: p.clone(),
                source: Source::Path(path.to_path_buf()),
                in_folder: false,
            });
            continue;
        }
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| InputError::Io {
                path: p.clone(),
                source: e,
            })?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        let mut found = 0;
        for e in entries {
            let child = e.path();
            let shown = join_display(p, &e.file_name().to_string_lossy());
            let name = e.file_name().to_string_lossy().into_owned();
            // file_type() does not follow symlinks: a symlinked folder (even a loop) is never walked.
            let is_symlink = e.file_type().map(|t| t.is_symlink()).unwrap_or(false);
            let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false)
                || (is_symlink && child.is_dir());
            if is_dir {
                if let Some(n) = count_files_below(&child, 4) {
                    if n > 0 {
                        let found = FileInSubfolder {
                            files: n,
                            folder: &shown,
                        }
                        .diagnostic();
                        diags.push(found.at(Location {
                            file: Some(shown),
                            ..Location::default()
                        }));
                    }
                }
                continue;
            }
            // Sockets, FIFOs and devices are not files anyone stages; a symlink to a file is.
            let is_file = e.file_type().map(|t| t.is_file()).unwrap_or(false)
                || (is_symlink && child.is_file());
            if !is_file {
                continue;
            }
            if let Some(d) = non_csv_name(&name, &shown) {
                diags.push(d);
            }
            files.push(InputFile {
                name: shown,
                source: Source::Path(child),
                in_folder: true,
            });
            found += 1;
        }
        if found == 0 {
            return Err(InputError::EmptyDir { path: p.clone() });
        }
    }
    Ok((files, diags))
}

/// PF008 for a first-level object of a data folder whose name does not end in `.csv`; `name`
/// is the object's name in the folder, `shown` the input's name in findings. Its content is
/// checked all the same.
pub fn non_csv_name(name: &str, shown: &str) -> Option<Diagnostic> {
    if name.to_ascii_lowercase().ends_with(".csv") {
        return None;
    }
    Some(NonCsvFileInFolder { name }.diagnostic().at(Location {
        file: Some(shown.to_string()),
        ..Location::default()
    }))
}

fn join_display(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// Counts regular files below `dir`, at most `depth` levels down, never following symlinks.
fn count_files_below(dir: &Path, depth: u32) -> Option<u64> {
    if depth == 0 {
        return Some(0);
    }
    let mut n = 0;
    for e in std::fs::read_dir(dir).ok()?.filter_map(Result::ok) {
        let Ok(t) = e.file_type() else { continue };
        if t.is_file() {
            n += 1;
        } else if t.is_dir() {
            n += count_files_below(&e.path(), depth - 1).unwrap_or(0);
        }
    }
    Some(n)
}
