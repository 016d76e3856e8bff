//! Streams an object into synchronous code: a blocking [`std::io::Read`] fed by an async
//! GetObject through a bounded channel, so an S3 object can go through the (synchronous)
//! validator without being downloaded to disk, holding at most `depth` chunks in memory.

use std::io::Read;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;

use crate::store::ObjectStore;

type Start = Box<dyn FnOnce() -> mpsc::Receiver<std::io::Result<Bytes>> + Send>;

/// A blocking reader over an object; the GetObject starts on the first read.
pub struct BlockingObjectReader {
    start: Option<Start>,
    rx: Option<mpsc::Receiver<std::io::Result<Bytes>>>,
    current: Bytes,
}

impl std::fmt::Debug for BlockingObjectReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingObjectReader")
            .finish_non_exhaustive()
    }
}

impl BlockingObjectReader {
    /// A reader of `key`, run on `runtime`, in chunks of `chunk` bytes with at most `depth`
    /// chunks waiting. Must be read from outside the runtime (a plain thread).
    pub fn new<S: ObjectStore>(
        runtime: tokio::runtime::Handle,
        store: Arc<S>,
        key: String,
        chunk: usize,
        depth: usize,
    ) -> Self {
        let start: Start = Box::new(move || {
            let (tx, rx) = mpsc::channel(depth.max(1));
            runtime.spawn(async move {
                let mut body = match store.get_object(&key).await {
                    Ok(b) => b,
                    Err(e) => {
                        let _ = tx.send(Err(std::io::Error::other(e))).await;
                        return;
                    }
                };
                loop {
                    let mut buf = BytesMut::with_capacity(chunk.max(1));
                    let mut eof = false;
                    while buf.len() < buf.capacity() {
                        match body.read_buf(&mut buf).await {
                            Ok(0) => {
                                eof = true;
                                break;
                            }
                            Ok(_) => {}
                            Err(e) => {
                                let _ = tx.send(Err(e)).await;
                                return;
                            }
                        }
                    }
                    if !buf.is_empty() && tx.send(Ok(buf.freeze())).await.is_err() {
                        return; // the reader was dropped
                    }
                    if eof {
                        // The end marker: without it a closed channel means the task stopped
                        // early (its runtime shut down), which must not read as a short file.
                        let _ = tx.send(Ok(Bytes::new())).await;
                        return;
                    }
                }
            });
            rx
        });
        BlockingObjectReader {
            start: Some(start),
            rx: None,
            current: Bytes::new(),
        }
    }
}

impl Read for BlockingObjectReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        while self.current.is_empty() {
            if let Some(start) = self.start.take() {
                self.rx = Some(start());
            }
            let Some(rx) = self.rx.as_mut() else {
                return Ok(0);
            };
            match rx.blocking_recv() {
                Some(Ok(b)) if b.is_empty() => {
                    self.rx = None;
                    return Ok(0);
                }
                Some(Ok(b)) => self.current = b,
                Some(Err(e)) => return Err(e),
                None => {
                    self.rx = None;
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the object stream stopped before the end of the object (its I/O runtime shut down)",
                    ));
                }
            }
        }
        let n = out.len().min(self.current.len());
        out[..n].copy_from_slice(&self.current[..n]);
        let _ = self.current.split_to(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LocalStore;

    #[test]
    fn a_stream_cut_short_is_an_error_not_a_short_object() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), b"USER_ID\nu1\n").unwrap();
        let store = Arc::new(LocalStore::new(dir.path()));
        let rt = tokio::runtime::Runtime::new().unwrap();
        let mut ok =
            BlockingObjectReader::new(rt.handle().clone(), store.clone(), "a.csv".into(), 4, 2);
        let mut text = String::new();
        ok.read_to_string(&mut text).unwrap();
        assert_eq!(text, "USER_ID\nu1\n");

        // The runtime is gone before the first read: the object cannot be read.
        let handle = rt.handle().clone();
        let mut cut = BlockingObjectReader::new(handle, store, "a.csv".into(), 4, 2);
        rt.shutdown_background();
        let err = cut.read_to_string(&mut String::new()).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    }
}
