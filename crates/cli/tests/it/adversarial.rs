//! The adversarial corpus: hostile inputs run through the real binary. Each must end with a
//! coded finding (exit 1 and the expected rule code) or a clear error (exit 2, naming the
//! file), never a panic or a signal, within a time bound (the child is killed past it) and a
//! memory bound (its address space is capped with `ulimit -v`, so an allocation past the cap
//! aborts the child, which fails the test).
//!
//! Small inputs are committed in `testdata/adversarial/`; large ones are generated here into a
//! temporary directory (see `testdata/adversarial/README.md`).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::root;

/// The address-space cap of every run, in KiB (512 MiB; the 50 MB line needs about 90 MB RSS,
/// its plan with `--write-merged` about 185 MB).
///
/// Address space is not memory: glibc gives each thread that allocates its own malloc arena,
/// a 64 MiB reservation, so under the default settings the cap would shrink with every worker
/// thread (one per core) and with the thread that removes temporary files on Ctrl-C (Rust's
/// thread start frees a box in the new thread, so every thread gets an arena, allocating or
/// not). The children run with `MALLOC_ARENA_MAX=1` (see [`run`]): one arena, so the cap bounds
/// what the program allocates, the same on any number of cores. That is a setting of the test
/// alone: the program's code is the same, and users' runs keep glibc's default arenas, which
/// cost address space, not memory.
const MEMORY_KIB: u64 = 512 * 1024;
/// The time bound of a small input (a debug build on a busy 2-core machine).
const SMALL: Duration = Duration::from_secs(20);
/// The time bound of the 50 MB inputs.
const LARGE: Duration = Duration::from_secs(90);
/// No report may be larger than this: a value is quoted in a window, never whole.
const MAX_OUTPUT: usize = 1 << 20;

const HEADER: &str = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE\n";

/// What a run must end with.
#[derive(Debug)]
enum Expect {
    /// Exit 1 with these rule codes in the report.
    Findings(&'static [&'static str]),
    /// Exit 2 with an error naming this text (the file).
    Error(String),
}

struct Case {
    name: String,
    args: Vec<String>,
    expect: Expect,
    limit: Duration,
}

fn schema() -> String {
    root()
        .join("testdata/example/schema.json")
        .display()
        .to_string()
}

/// `preflight plan` of `file` as the new batch, and as the existing data too when `existing`,
/// writing the merged result: the same findings must come out, in the same bounds.
fn plan(
    name: &str,
    file: &Path,
    codes: &'static [&'static str],
    limit: Duration,
    existing: bool,
    out_dir: &Path,
) -> Case {
    // A fresh name per case: the merged file must not exist yet.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = out_dir.join(format!("merged-{n}.csv"));
    let mut args = vec![
        "plan".to_string(),
        "--schema".into(),
        schema(),
        "--mode".into(),
        "incremental".into(),
        "--write-merged".into(),
        out.display().to_string(),
    ];
    if existing {
        args.extend(["--existing".to_string(), file.display().to_string()]);
    }
    args.push(file.display().to_string());
    Case {
        name: format!(
            "plan{}: {name}",
            if existing { " against itself" } else { "" }
        ),
        args,
        expect: Expect::Findings(codes),
        limit,
    }
}

fn validate(name: &str, file: &Path, expect: Expect, limit: Duration) -> Case {
    Case {
        name: name.into(),
        args: vec![
            "validate".into(),
            "--schema".into(),
            schema(),
            file.display().to_string(),
        ],
        expect,
        limit,
    }
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

/// Runs the binary under `ulimit -v`, killing it past `limit`.
fn run(case: &Case) -> Outcome {
    let bin = assert_cmd::cargo::cargo_bin("preflight");
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let start = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB} && exec \"$0\" \"$@\""))
        .arg(&bin)
        .args(&case.args)
        .current_dir(root())
        .env("PREFLIGHT_NOW", "1700000000")
        // One malloc arena: the cap then counts allocations, not per-thread reservations.
        .env("MALLOC_ARENA_MAX", "1")
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > case.limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{}: still running after {:?}, killed (stderr: {})",
                case.name,
                case.limit,
                std::fs::read_to_string(&err).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Outcome {
        code: status.code(),
        stdout: String::from_utf8_lossy(&std::fs::read(&out).unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&std::fs::read(&err).unwrap()).into_owned(),
        elapsed: start.elapsed(),
    }
}

fn check(case: &Case) {
    let o = run(case);
    let name = &case.name;
    let code = o.code.unwrap_or_else(|| {
        panic!(
            "{name}: killed by a signal (memory cap {MEMORY_KIB} KiB?): {}",
            o.stderr
        )
    });
    assert!(
        !o.stderr.contains("panicked") && !o.stdout.contains("panicked"),
        "{name}: panicked: {}",
        o.stderr
    );
    assert!(
        o.stdout.len() < MAX_OUTPUT && o.stderr.len() < MAX_OUTPUT,
        "{name}: {} bytes of output",
        o.stdout.len() + o.stderr.len()
    );
    match &case.expect {
        Expect::Findings(codes) => {
            assert_eq!(code, 1, "{name}: {}{}", o.stdout, o.stderr);
            for c in *codes {
                assert!(
                    o.stdout.contains(&format!("[{c}]")),
                    "{name}: no {c} in:\n{}",
                    o.stdout
                );
            }
        }
        Expect::Error(what) => {
            assert_eq!(code, 2, "{name}: {}{}", o.stdout, o.stderr);
            assert!(
                o.stderr.starts_with("error: ") && o.stderr.contains(what.as_str()),
                "{name}: the error does not name `{what}`: {}",
                o.stderr
            );
        }
    }
    eprintln!("{name}: exit {code} in {:.2?}", o.elapsed);
}

/// The committed small inputs and what each must produce.
fn committed(out_dir: &Path) -> Vec<Case> {
    let dir = root().join("testdata/adversarial");
    let table: &[(&str, &[&str])] = &[
        ("only-quotes.csv", &["PF102"]),
        ("only-quotes-lines.csv", &["PF102", "PF203"]),
        ("nul-bytes.csv", &["PF010"]),
        ("invalid-utf8-field-start.csv", &["PF002"]),
        ("invalid-utf8-field-middle.csv", &["PF002"]),
        ("invalid-utf8-field-end.csv", &["PF002"]),
        ("invalid-utf8-header.csv", &["PF002"]),
        ("invalid-utf8-last-byte.csv", &["PF002"]),
        ("overlong-utf8.csv", &["PF002"]),
        ("utf16-bom.csv", &["PF003"]),
        ("ends-inside-quote.csv", &["PF202"]),
        ("400-digits.csv", &["PF207", "PF208"]),
        ("numbers-edge.csv", &["PF207", "PF208", "PF217"]),
    ];
    let mut listed: Vec<String> = table.iter().map(|(f, _)| f.to_string()).collect();
    listed.sort();
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    on_disk.sort();
    assert_eq!(listed, on_disk, "every committed input has an expectation");
    let mut cases = Vec::new();
    for (file, codes) in table {
        let path = dir.join(file);
        cases.push(validate(file, &path, Expect::Findings(codes), SMALL));
        cases.push(plan(file, &path, codes, SMALL, false, out_dir));
    }
    cases
}

/// The large inputs, written into `dir`.
fn generated(dir: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let write = |name: &str, bytes: &[u8]| -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };

    // A 50 MB single line: one categorical value of 50 MiB.
    let mut b = HEADER.as_bytes().to_vec();
    b.extend_from_slice(b"u1,i1,1596238648,click,1.5,");
    b.resize(b.len() + (50 << 20), b'a');
    b.push(b'\n');
    let p = write("long-line.csv", &b);
    cases.push(validate(
        "a 50 MB line",
        &p,
        Expect::Findings(&["PF211"]),
        LARGE,
    ));

    // A 50 MB line with no newline at all, header included.
    let p = write("no-newline.csv", &vec![b'x'; 50 << 20]);
    cases.push(validate(
        "a 50 MB file without a newline",
        &p,
        Expect::Findings(&["PF101"]),
        LARGE,
    ));

    // 100,000 columns: the schema's six, then 99,994 unknown ones, in the header and a row.
    let mut b = HEADER.trim_end().to_string();
    for i in 6..100_000 {
        b.push_str(&format!(",X{i}"));
    }
    b.push('\n');
    b.push_str("u1,i1,1596238648,click,1.5,mobile");
    b.push_str(&",x".repeat(100_000 - 6));
    b.push_str("\nu2,i2,1596238648,click,1.5,mobile\n");
    let p = write("many-columns.csv", b.as_bytes());
    cases.push(validate(
        "100,000 columns",
        &p,
        Expect::Findings(&["PF106", "PF201"]),
        SMALL,
    ));

    // A header of 10,000 duplicate names.
    let mut b = vec!["USER_ID"; 10_000].join(",");
    b.push_str("\nu1\n");
    let p = write("duplicate-header.csv", b.as_bytes());
    cases.push(validate(
        "10,000 duplicate header names",
        &p,
        Expect::Findings(&["PF108"]),
        SMALL,
    ));

    // A categorical list of 100,000 empty values.
    let mut b = HEADER.to_string();
    b.push_str("u1,i1,1596238648,click,1.5,");
    b.push_str(&"|".repeat(100_000 - 1));
    b.push('\n');
    let p = write("empty-categories.csv", b.as_bytes());
    cases.push(validate(
        "100,000 empty categorical values",
        &p,
        Expect::Findings(&["PF223", "PF211"]),
        SMALL,
    ));

    // A schema of 20,001 characters (one more than Personalize takes).
    let mut fields = String::from(
        r#"{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"EVENT_TYPE","type":"string"}"#,
    );
    let mut i = 0;
    let wrap = |f: &str, pad: usize| {
        format!(
            r#"{{"type":"record","name":"Interactions","namespace":"com.amazonaws.personalize.schema","fields":[{f}],"version":"1.0"{}}}"#,
            " ".repeat(pad)
        )
    };
    loop {
        let next =
            format!(r#"{fields},{{"name":"F{i}","type":["null","string"],"categorical":true}}"#);
        if wrap(&next, 0).len() > 20_001 {
            break;
        }
        fields = next;
        i += 1;
    }
    let text = wrap(&fields, 20_001 - wrap(&fields, 0).len());
    assert_eq!(text.chars().count(), 20_001);
    let p = write("schema-20001.json", text.as_bytes());
    cases.push(Case {
        name: "a schema of 20,001 characters".into(),
        args: vec!["schema".into(), "check".into(), p.display().to_string()],
        expect: Expect::Findings(&["PF416"]),
        limit: SMALL,
    });

    // Schemas nested 10,000 deep (arrays; objects inside a record's field type).
    for (name, text) in [
        (
            "schema-deep-array.json",
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
        ),
        (
            "schema-deep-object.json",
            format!(
                r#"{{"type":"record","name":"Interactions","fields":[{{"name":"USER_ID","type":{}"string"{}}}]}}"#,
                r#"{"type":"#.repeat(10_000),
                "}".repeat(10_000)
            ),
        ),
    ] {
        let p = write(name, text.as_bytes());
        cases.push(Case {
            name: format!("{name}: nested 10,000 deep (schema check)"),
            args: vec!["schema".into(), "check".into(), p.display().to_string()],
            expect: Expect::Error(name.into()),
            limit: SMALL,
        });
        let data = root().join("testdata/example/interactions.csv");
        cases.push(Case {
            name: format!("{name}: nested 10,000 deep (validate)"),
            args: vec![
                "validate".into(),
                "--schema".into(),
                p.display().to_string(),
                data.display().to_string(),
            ],
            expect: Expect::Error(name.into()),
            limit: SMALL,
        });
    }

    // Directory symlink loops: a folder that links to itself and to its parent, with a CSV,
    // and one whose only content is a loop.
    let looped = dir.join("loop");
    std::fs::create_dir_all(&looped).unwrap();
    std::os::unix::fs::symlink("../loop", looped.join("self")).unwrap();
    std::os::unix::fs::symlink(".", looped.join("here")).unwrap();
    std::fs::copy(
        root().join("testdata/example/interactions.csv"),
        looped.join("interactions.csv"),
    )
    .unwrap();
    cases.push(validate(
        "a folder with symlink loops",
        &looped,
        Expect::Findings(&["PF007"]),
        SMALL,
    ));
    cases.push(validate(
        "a path through a symlink loop",
        &looped.join("self/self/here/self"),
        Expect::Findings(&["PF007"]),
        SMALL,
    ));
    let only = dir.join("only-loop");
    std::fs::create_dir_all(only.join("sub")).unwrap();
    std::os::unix::fs::symlink("../../only-loop", only.join("sub/up")).unwrap();
    cases.push(validate(
        "a folder holding only a symlink loop",
        &only,
        Expect::Error("only-loop".into()),
        SMALL,
    ));
    cases
}

#[test]
fn every_adversarial_input_ends_in_a_finding_or_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let mut cases = committed(out_dir.path());
    let generated = generated(dir.path());
    // The generated CSV inputs also go through `plan`, as the new batch and as existing data.
    for case in &generated {
        let Expect::Findings(codes) = case.expect else {
            continue;
        };
        let file = Path::new(case.args.last().unwrap());
        if case.args[0] == "validate" && file.extension().is_some_and(|e| e == "csv") {
            cases.push(plan(
                &case.name,
                file,
                codes,
                case.limit,
                true,
                out_dir.path(),
            ));
        }
    }
    cases.extend(generated);
    for case in &cases {
        check(case);
    }
}
