//! Checksums computed locally, exactly as S3 computes them, so that every object and part can
//! be sent with its checksum and compared with what the store reports.

use std::io::Read;
use std::path::Path;

use aws_smithy_types::base64;

use crate::store::ChecksumAlgorithm;

/// An incremental checksum of one algorithm.
pub(crate) struct Hasher {
    inner: Box<dyn aws_smithy_checksums::http::HttpChecksum>,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher")
    }
}

impl Hasher {
    pub(crate) fn new(algorithm: ChecksumAlgorithm) -> Self {
        use aws_smithy_checksums::ChecksumAlgorithm as Smithy;
        let alg = match algorithm {
            ChecksumAlgorithm::Crc64nvme => Smithy::Crc64Nvme,
            ChecksumAlgorithm::Sha256 => Smithy::Sha256,
            ChecksumAlgorithm::Crc32 => Smithy::Crc32,
            ChecksumAlgorithm::Crc32c => Smithy::Crc32c,
            ChecksumAlgorithm::Sha1 => Smithy::Sha1,
        };
        Hasher {
            inner: alg.into_impl(),
        }
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.inner.update(bytes);
    }

    /// The raw digest.
    pub(crate) fn finish_raw(self) -> Vec<u8> {
        self.inner.finalize().to_vec()
    }

    /// The digest in base64, as S3 headers carry it.
    pub(crate) fn finish(self) -> String {
        base64::encode(self.finish_raw())
    }
}

/// The base64 checksum of a byte slice.
pub fn checksum_of(algorithm: ChecksumAlgorithm, bytes: &[u8]) -> String {
    let mut h = Hasher::new(algorithm);
    h.update(bytes);
    h.finish()
}

/// The smallest part S3 accepts (except the last).
pub const MIN_PART_SIZE: u64 = 5 << 20;
/// The most parts one upload may have.
pub const MAX_PARTS: u64 = 10_000;

/// The part size for a file: `preferred`, raised (in whole MiB) so the file fits 10,000 parts.
/// A function of the size only, so a resumed run cuts the file exactly as the first one did.
pub fn part_size_for(size: u64, preferred: u64) -> u64 {
    let mut part = preferred.max(MIN_PART_SIZE);
    let needed = size.div_ceil(MAX_PARTS);
    if needed > part {
        part = needed.div_ceil(1 << 20) << 20;
    }
    part
}

/// What staging needs to know about a local file's bytes (or what reading an object back
/// found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    /// Size in bytes.
    pub size: u64,
    /// The part size, when the file is uploaded in parts.
    pub part_size: Option<u64>,
    /// Each part's checksum (base64), when uploaded in parts.
    pub parts: Vec<String>,
    /// Each part's CRC64NVME (base64), when uploaded in parts with another algorithm: what the
    /// upload compares each part's bytes with, as it reads them, to notice a file edited since
    /// (a CRC is ample against edits, and costs a fraction of a second SHA-256). Empty
    /// otherwise: with CRC64NVME, `parts` serve.
    pub part_guards: Vec<String>,
    /// The checksum of the whole file (base64). `None` for a file cut in parts with an algorithm
    /// whose multipart objects have no full-object checksum (SHA-256): nothing reads it, and it
    /// would cost a second SHA-256 of every byte.
    pub full: Option<String>,
    /// The composite checksum, `base64(checksum(part digests))-N`, when cut in parts.
    pub composite: Option<String>,
    /// The checksum S3 reports for the object as staged: the full one, or for a multipart upload
    /// of an algorithm without a full-object checksum (SHA-256) the composite one.
    pub object: String,
}

/// The checksums of a stream of bytes, computed as the bytes pass: the whole, and (with a part
/// size) each part and the composite over them. Holds no bytes.
pub(crate) struct Digester {
    algorithm: ChecksumAlgorithm,
    part_size: Option<u64>,
    size: u64,
    full: Option<Hasher>,
    part: Option<Hasher>,
    /// The part's CRC64NVME, when `algorithm` is another one (see [`FileDigest::part_guards`]).
    guard: Option<Hasher>,
    in_part: u64,
    parts: Vec<String>,
    guards: Vec<String>,
    composite: Hasher,
}

impl std::fmt::Debug for Digester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Digester")
            .field("size", &self.size)
            .finish()
    }
}

impl Digester {
    pub(crate) fn new(algorithm: ChecksumAlgorithm, part_size: Option<u64>) -> Self {
        let part_size = part_size.filter(|p| *p > 0);
        let cut = part_size.is_some();
        let guarded = cut && algorithm != ChecksumAlgorithm::Crc64nvme;
        Digester {
            algorithm,
            part_size,
            size: 0,
            full: (!cut || algorithm.full_object_multipart()).then(|| Hasher::new(algorithm)),
            part: cut.then(|| Hasher::new(algorithm)),
            guard: guarded.then(|| Hasher::new(ChecksumAlgorithm::Crc64nvme)),
            in_part: 0,
            parts: Vec::new(),
            guards: Vec::new(),
            composite: Hasher::new(algorithm),
        }
    }

    pub(crate) fn update(&mut self, mut chunk: &[u8]) {
        self.size += chunk.len() as u64;
        if let Some(h) = self.full.as_mut() {
            h.update(chunk);
        }
        let Some(ps) = self.part_size else { return };
        while !chunk.is_empty() {
            let take = ((ps - self.in_part) as usize).min(chunk.len());
            if let Some(h) = self.part.as_mut() {
                h.update(&chunk[..take]);
            }
            if let Some(h) = self.guard.as_mut() {
                h.update(&chunk[..take]);
            }
            self.in_part += take as u64;
            chunk = &chunk[take..];
            if self.in_part == ps {
                self.end_part();
            }
        }
    }

    fn end_part(&mut self) {
        if let Some(h) = self.part.replace(Hasher::new(self.algorithm)) {
            let raw = h.finish_raw();
            self.composite.update(&raw);
            self.parts.push(base64::encode(raw));
        }
        if let Some(h) = self.guard.take() {
            self.guards.push(h.finish());
            self.guard = Some(Hasher::new(ChecksumAlgorithm::Crc64nvme));
        }
        self.in_part = 0;
    }

    pub(crate) fn finish(mut self) -> FileDigest {
        if self.part_size.is_some() && (self.in_part > 0 || self.parts.is_empty()) {
            self.end_part();
        }
        let full = self.full.map(Hasher::finish);
        let composite = self
            .part_size
            .map(|_| format!("{}-{}", self.composite.finish(), self.parts.len()));
        // `full` is there unless the file is cut in parts of an algorithm without a full-object
        // checksum, which is exactly when the composite one is the object's.
        let object = full
            .clone()
            .or_else(|| composite.clone())
            .unwrap_or_default();
        FileDigest {
            size: self.size,
            part_size: self.part_size,
            parts: self.parts,
            part_guards: self.guards,
            full,
            composite,
            object,
        }
    }
}

/// Reads a file once and computes its checksums; `part_size` is `Some` when it is uploaded in
/// parts.
///
/// A file of at least two parts per core is read in one range of whole parts per core (eight at
/// most), each on a thread of its own (a SHA-256 of 1 GB takes half a second on one core, and
/// the upload waits for it: the checksums name the run folder); the parts' checksums are then
/// put in order, the composite taken over them, and a CRC64NVME of the whole combined from the
/// ranges' as S3 combines a multipart object's.
pub fn digest_file(
    path: &Path,
    algorithm: ChecksumAlgorithm,
    part_size: Option<u64>,
) -> std::io::Result<FileDigest> {
    // Eight ranges at most: past that the page cache, not the hashing, sets the pace.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8) as u64;
    let size = std::fs::metadata(path)?.len();
    match part_size.filter(|&p| p > 0) {
        Some(ps) if threads > 1 && size.div_ceil(ps) >= 2 * threads => {
            digest_in_ranges(path, algorithm, ps, size, threads)
        }
        _ => digest_reader(std::fs::File::open(path)?, algorithm, part_size),
    }
}

/// [`digest_file`] of a file cut in `ps`-byte parts, `size` bytes when it was looked at, read in
/// `threads` ranges of whole parts at once. The last range reads to the end of the file, as a
/// single pass would; a range before it that comes up short (the file shrank meanwhile) is an
/// error, never parts cut in the wrong places.
fn digest_in_ranges(
    path: &Path,
    algorithm: ChecksumAlgorithm,
    ps: u64,
    size: u64,
    threads: u64,
) -> std::io::Result<FileDigest> {
    use std::io::{Seek, SeekFrom};
    let per = size.div_ceil(ps).div_ceil(threads) * ps;
    let ranges: Vec<(u64, u64)> = (0..threads)
        .map(|t| (t * per, ((t + 1) * per).min(size)))
        .filter(|(a, b)| a < b)
        .collect();
    let last = ranges.len() - 1;
    let digests: Vec<std::io::Result<FileDigest>> = std::thread::scope(|scope| {
        let running: Vec<_> = ranges
            .iter()
            .enumerate()
            .map(|(i, &(a, b))| {
                scope.spawn(move || {
                    let mut f = std::fs::File::open(path)?;
                    f.seek(SeekFrom::Start(a))?;
                    let d = if i == last {
                        digest_reader(f, algorithm, Some(ps))?
                    } else {
                        digest_reader(f.take(b - a), algorithm, Some(ps))?
                    };
                    if i != last && d.size != b - a {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            "the file changed while its checksums were computed",
                        ));
                    }
                    Ok(d)
                })
            })
            .collect();
        running
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("a checksum thread panicked")))
            })
            .collect()
    });
    let mut out = FileDigest {
        size: 0,
        part_size: Some(ps),
        parts: Vec::new(),
        part_guards: Vec::new(),
        full: None,
        composite: None,
        object: String::new(),
    };
    let mut composite = Hasher::new(algorithm);
    let mut full: Option<u64> = None;
    let bad = |what: &str| std::io::Error::other(format!("a range's {what} is not a checksum"));
    for d in digests {
        let d = d?;
        for p in &d.parts {
            composite.update(&base64::decode(p).map_err(|_| bad("part"))?);
        }
        if algorithm.full_object_multipart() {
            let raw =
                base64::decode(d.full.as_deref().unwrap_or_default()).map_err(|_| bad("CRC"))?;
            let crc = u64::from_be_bytes(raw.try_into().map_err(|_| bad("CRC"))?);
            full = Some(match full {
                None => crc,
                Some(before) => crc_fast::checksum_combine(
                    crc_fast::CrcAlgorithm::Crc64Nvme,
                    before,
                    crc,
                    d.size,
                ),
            });
        }
        out.size += d.size;
        out.parts.extend(d.parts);
        out.part_guards.extend(d.part_guards);
    }
    out.composite = Some(format!("{}-{}", composite.finish(), out.parts.len()));
    out.full = full.map(|c| base64::encode(c.to_be_bytes()));
    out.object = out
        .full
        .clone()
        .or_else(|| out.composite.clone())
        .unwrap_or_default();
    Ok(out)
}

/// The checksum of a file's first `limit` bytes (fewer if it is shorter, which its size says).
pub(crate) fn digest_head(
    path: &Path,
    algorithm: ChecksumAlgorithm,
    limit: u64,
) -> std::io::Result<FileDigest> {
    digest_reader(std::fs::File::open(path)?.take(limit), algorithm, None)
}

fn digest_reader(
    mut f: impl Read,
    algorithm: ChecksumAlgorithm,
    part_size: Option<u64>,
) -> std::io::Result<FileDigest> {
    let mut d = Digester::new(algorithm, part_size);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        d.update(&buf[..n]);
    }
    Ok(d.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_size_fits_ten_thousand_parts() {
        assert_eq!(part_size_for(1 << 30, 8 << 20), 8 << 20);
        assert_eq!(part_size_for(0, 1 << 20), MIN_PART_SIZE);
        let big = 200u64 << 30; // 200 GiB
        let p = part_size_for(big, 8 << 20);
        assert!(big.div_ceil(p) <= MAX_PARTS);
        assert_eq!(p % (1 << 20), 0);
    }

    #[test]
    fn parts_and_composite_match_a_direct_computation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data: Vec<u8> = (0..(11u32 << 20) + 123).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        for alg in [ChecksumAlgorithm::Crc64nvme, ChecksumAlgorithm::Sha256] {
            let d = digest_file(&path, alg, Some(5 << 20)).unwrap();
            assert_eq!(d.size, data.len() as u64);
            let expect: Vec<_> = data.chunks(5 << 20).map(|c| checksum_of(alg, c)).collect();
            assert_eq!(d.parts, expect);
            let crc = ChecksumAlgorithm::Crc64nvme;
            if alg == crc {
                assert_eq!(d.full.as_deref(), Some(checksum_of(alg, &data).as_str()));
                assert!(d.part_guards.is_empty());
            } else {
                assert_eq!(d.full, None, "a second SHA-256 of every byte");
                let guards: Vec<_> = data.chunks(5 << 20).map(|c| checksum_of(crc, c)).collect();
                assert_eq!(d.part_guards, guards);
            }
            if alg == ChecksumAlgorithm::Sha256 {
                let mut all = Vec::new();
                for c in data.chunks(5 << 20) {
                    let mut h = Hasher::new(alg);
                    h.update(c);
                    all.extend(h.finish_raw());
                }
                assert_eq!(d.object, format!("{}-3", checksum_of(alg, &all)));
            } else {
                assert_eq!(Some(&d.object), d.full.as_ref());
            }
            let single = digest_file(&path, alg, None).unwrap();
            assert!(single.parts.is_empty() && single.part_guards.is_empty());
            assert_eq!(
                single.full.as_deref(),
                Some(checksum_of(alg, &data).as_str())
            );
            assert_eq!(Some(&single.object), single.full.as_ref());
        }
    }

    /// Read in ranges on several threads, a file gives the digest of one pass: every
    /// algorithm, ranges that end on the file's end or short of it, a last part short or whole.
    #[test]
    fn ranges_read_at_once_give_the_digest_of_one_pass() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let ps = 5u64 << 20;
        for size in [4 * ps, 7 * ps + 123, 9 * ps - 1] {
            let data: Vec<u8> = (0..size as u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
                .collect();
            std::fs::write(&path, &data).unwrap();
            for alg in [
                ChecksumAlgorithm::Crc64nvme,
                ChecksumAlgorithm::Sha256,
                ChecksumAlgorithm::Crc32,
                ChecksumAlgorithm::Crc32c,
                ChecksumAlgorithm::Sha1,
            ] {
                let one =
                    digest_reader(std::fs::File::open(&path).unwrap(), alg, Some(ps)).unwrap();
                for threads in [2, 3, 4] {
                    let ranges = digest_in_ranges(&path, alg, ps, size, threads).unwrap();
                    assert_eq!(ranges, one, "{alg:?}, {size} bytes, {threads} threads");
                }
            }
        }
        // A file that shrank after its size was taken: an error, not parts cut elsewhere.
        std::fs::write(&path, vec![7u8; (3 * ps) as usize]).unwrap();
        let err = digest_in_ranges(&path, ChecksumAlgorithm::Sha256, ps, 6 * ps, 3).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof, "{err}");
    }

    #[test]
    fn crc64nvme_matches_the_published_check_value() {
        // CRC-64/NVME of "123456789" is 0xAE8B14860A799888.
        let v = base64::decode(checksum_of(ChecksumAlgorithm::Crc64nvme, b"123456789")).unwrap();
        assert_eq!(v, 0xAE8B_1486_0A79_9888u64.to_be_bytes());
    }
}
