//! Temporary files and folders of a run: the plan's partitions, the spool of the new batch, the
//! duplicate-interaction spill and the `.part` files of outputs being written.
//!
//! Each owner deletes its own on success and on error (they are `tempfile` values, removed when
//! dropped). Ctrl-C ends a process without running destructors, so every one of them is also
//! registered here while it lives, and a program's signal handler calls [`remove_all`] before it
//! exits: nothing is left behind on an interrupt either.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static FIRST: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();
static CALLED: AtomicBool = AtomicBool::new(false);

/// Calls `hook` once, when the first temporary file or folder is registered: a program installs
/// its interrupt handler only when there is something to remove (a handler thread costs a
/// malloc arena of address space, which matters under `ulimit -v`). Only the first hook set
/// counts.
pub fn on_first_temporary_file(hook: fn()) {
    let _ = FIRST.set(hook);
}

/// A temporary file or folder registered for removal on an interrupt while this value lives.
#[derive(Debug)]
pub(crate) struct Registered(PathBuf);

impl Registered {
    /// Registers `path` (created just before). After [`remove_all`] ran, it is removed at once.
    pub fn new(path: &Path) -> Registered {
        if !CALLED.swap(true, Ordering::SeqCst) {
            if let Some(hook) = FIRST.get() {
                hook();
            }
        }
        let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        if INTERRUPTED.load(Ordering::SeqCst) {
            remove(path);
        }
        live.push(path.to_path_buf());
        Registered(path.to_path_buf())
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = live.iter().rposition(|p| *p == self.0) {
            live.swap_remove(i);
        }
    }
}

fn remove(path: &Path) {
    if !path.is_dir() {
        let _ = std::fs::remove_file(path);
        return;
    }
    // Workers may still be creating files in it: moved away first, the folder takes no new
    // file (creating one by its old path fails), then it goes.
    let mut gone = path.as_os_str().to_owned();
    gone.push(".removing");
    let gone = PathBuf::from(gone);
    let target = if std::fs::rename(path, &gone).is_ok() {
        gone
    } else {
        path.to_path_buf()
    };
    for _ in 0..5 {
        if std::fs::remove_dir_all(&target).is_ok() || !target.exists() {
            return;
        }
    }
}

/// Removes every temporary file and folder the library holds at this moment, and any it
/// creates from now on: for a program's Ctrl-C (SIGINT) or SIGTERM handler, just before it
/// exits. Returns how many were removed.
pub fn remove_all() -> usize {
    let live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
    INTERRUPTED.store(true, Ordering::SeqCst);
    for p in live.iter() {
        remove(p);
    }
    live.len()
}

/// A temporary folder of a run, in `root` (else the system's temporary folder), removed when
/// dropped and on an interrupt.
#[derive(Debug)]
pub(crate) struct RunDir {
    // Dropped first: the folder goes, then its registration.
    dir: tempfile::TempDir,
    _registered: Registered,
}

impl RunDir {
    /// Creates `preflight-<prefix>-XXXXXX` in `root`.
    pub fn new(root: Option<&Path>, prefix: &str) -> std::io::Result<RunDir> {
        let mut b = tempfile::Builder::new();
        let prefix = format!("preflight-{prefix}-");
        b.prefix(&prefix);
        let dir = match root {
            Some(r) => b.tempdir_in(r)?,
            None => b.tempdir()?,
        };
        let registered = Registered::new(dir.path());
        Ok(RunDir {
            dir,
            _registered: registered,
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_dir_is_registered_while_it_lives() {
        let root = tempfile::tempdir().unwrap();
        let d = RunDir::new(Some(root.path()), "test").unwrap();
        let p = d.path().to_path_buf();
        assert!(LIVE.lock().unwrap().contains(&p));
        drop(d);
        assert!(!p.exists());
        assert!(!LIVE.lock().unwrap().contains(&p));
    }
}
