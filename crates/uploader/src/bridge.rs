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
                Some(Ok(b)) => self.current = b,
                Some(Err(e)) => return Err(e),
                None => {
                    self.rx = None;
                    return Ok(0);
                }
            }
        }
        let n = out.len().min(self.current.len());
        out[..n].copy_from_slice(&self.current[..n]);
        let _ = self.current.split_to(n);
        Ok(n)
    }
}
