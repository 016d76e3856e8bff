//! Reads an input in large blocks that end at newline boundaries, with bounded buffers.
//!
//! Records never span lines (ARCHITECTURE.md#one-parser-one-record-per-line), so every block can
//! be checked on its own.
//! A block grows past the target size only when a single line is longer than it.

use std::io::{self, Read};

use memchr::memrchr;

/// A block of whole lines and the file offset of its first byte.
#[derive(Debug)]
pub(crate) struct Block {
    pub buf: Vec<u8>,
    pub offset: u64,
}

/// Splits a reader into blocks of about `target` bytes that end after a `\n` (or at EOF).
#[derive(Debug)]
pub(crate) struct BlockReader<R> {
    reader: R,
    target: usize,
    carry: Vec<u8>,
    offset: u64,
    eof: bool,
    free: Vec<Vec<u8>>,
}

impl<R: Read> BlockReader<R> {
    pub fn new(reader: R, target: usize) -> Self {
        BlockReader {
            reader,
            target: target.max(1),
            carry: Vec::new(),
            offset: 0,
            eof: false,
            free: Vec::new(),
        }
    }

    /// Gives a buffer back for reuse.
    pub fn recycle(&mut self, mut buf: Vec<u8>) {
        if self.free.len() < 8 {
            buf.clear();
            self.free.push(buf);
        }
    }

    /// The next block, or `None` at the end.
    pub fn next_block(&mut self) -> io::Result<Option<Block>> {
        if self.eof && self.carry.is_empty() {
            return Ok(None);
        }
        let mut buf = self.free.pop().unwrap_or_default();
        buf.clear();
        buf.append(&mut self.carry);
        let mut want = self.target;
        loop {
            while buf.len() < want && !self.eof {
                let need = (want - buf.len()) as u64;
                let n = (&mut self.reader).take(need).read_to_end(&mut buf);
                match n {
                    Ok(0) => self.eof = true,
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            if self.eof {
                break;
            }
            // Search only the newly read tail would be faster, but a block has at most one
            // partial line at its end, so the reverse search stops early.
            match memrchr(b'\n', &buf) {
                Some(p) => {
                    self.carry.extend_from_slice(&buf[p + 1..]);
                    buf.truncate(p + 1);
                    break;
                }
                None => want = want.saturating_mul(2),
            }
        }
        if buf.is_empty() {
            return Ok(None);
        }
        let offset = self.offset;
        self.offset += buf.len() as u64;
        Ok(Some(Block { buf, offset }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_end_at_newlines_and_cover_everything() {
        let data = b"a,b\nccc,d\ne\n\nlonglonglong,x\nlast";
        for target in 1..40 {
            let mut r = BlockReader::new(&data[..], target);
            let mut all = Vec::new();
            let mut expected_offset = 0;
            while let Some(b) = r.next_block().unwrap() {
                assert_eq!(b.offset, expected_offset);
                expected_offset += b.buf.len() as u64;
                let ends_ok = b.buf.ends_with(b"\n") || expected_offset as usize == data.len();
                assert!(
                    ends_ok,
                    "target {target}: {:?}",
                    String::from_utf8_lossy(&b.buf)
                );
                all.extend_from_slice(&b.buf);
                r.recycle(b.buf);
            }
            assert_eq!(all, data);
        }
    }
}
