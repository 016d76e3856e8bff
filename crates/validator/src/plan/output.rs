//! The files the plan writes (`--write-merged`, `--write-deduped`): CSV in Personalize's
//! dialect, written to a temporary file next to the target and moved into place at the end, so
//! a failed run never leaves half a file, and an existing file is replaced only when asked.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A CSV file being written.
#[derive(Debug)]
pub(crate) struct Output {
    path: PathBuf,
    overwrite: bool,
    out: BufWriter<NamedTempFile>,
    /// Removed on an interrupt.
    _registered: crate::temp::Registered,
    /// Records written (the header not counted).
    pub records: u64,
}

impl Output {
    /// Starts writing `path` with `header` (a line ending in `\n`). Fails when `path` exists
    /// and `overwrite` is not set.
    pub fn create(path: &Path, overwrite: bool, header: &[u8]) -> io::Result<Output> {
        check_target(path, overwrite)?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".preflight-").suffix(".csv.part");
        // A file for the user, not a private temporary: the usual mode, less the umask.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let tmp = builder.tempfile_in(dir)?;
        let registered = crate::temp::Registered::new(tmp.path());
        let mut out = BufWriter::with_capacity(1 << 20, tmp);
        out.write_all(header)?;
        Ok(Output {
            path: path.to_path_buf(),
            overwrite,
            out,
            _registered: registered,
            records: 0,
        })
    }

    /// Writes one record (a line ending in `\n`).
    #[inline]
    pub fn record(&mut self, line: &[u8]) -> io::Result<()> {
        self.records += 1;
        self.out.write_all(line)
    }

    /// Moves the finished file into place; returns its path and record count.
    pub fn finish(self) -> io::Result<(PathBuf, u64)> {
        let tmp = self.out.into_inner().map_err(|e| e.into_error())?;
        tmp.as_file().sync_all()?;
        let result = if self.overwrite {
            tmp.persist(&self.path)
        } else {
            tmp.persist_noclobber(&self.path)
        };
        result.map_err(|e| e.error)?;
        Ok((self.path, self.records))
    }
}

/// Fails when `path` exists and may not be overwritten (checked before the long read, and again
/// when the file is moved into place).
pub(crate) fn check_target(path: &Path, overwrite: bool) -> io::Result<()> {
    if !overwrite && path.exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "the file exists (pass --force to replace it)",
        ));
    }
    if path.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "it is a directory",
        ));
    }
    Ok(())
}

/// Reads the spooled batch back, one record (line) at a time, in batch order.
#[derive(Debug)]
pub(crate) struct SpoolReader {
    r: BufReader<File>,
    line: Vec<u8>,
}

impl SpoolReader {
    /// Finishes writing the spool and opens it for reading.
    pub fn open(spool: BufWriter<NamedTempFile>) -> io::Result<(SpoolReader, NamedTempFile)> {
        let tmp = spool.into_inner().map_err(|e| e.into_error())?;
        let f = tmp.reopen()?;
        Ok((
            SpoolReader {
                r: BufReader::with_capacity(1 << 20, f),
                line: Vec::new(),
            },
            tmp,
        ))
    }

    /// The next record, with its `\n`.
    pub fn next_record(&mut self) -> io::Result<Option<&[u8]>> {
        self.line.clear();
        let n = self.r.read_until(b'\n', &mut self.line)?;
        Ok((n > 0).then_some(&self.line[..]))
    }
}
