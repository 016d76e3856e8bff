//! Generates Personalize CSV data for benchmarks: any dataset type, a chosen size, a defect
//! rate, reproducible from a seed.
//!
//! ```sh
//! cargo run --release -p preflight-benches --bin gen -- --type interactions --size 1G --seed 42 --defect-rate 0.0001 -o /tmp/i.csv
//! ```

use std::io::{BufWriter, Write};

/// xorshift64*: small, fast and reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

struct Args {
    ty: String,
    size: u64,
    rows: Option<u64>,
    seed: u64,
    defect_rate: f64,
    users: u64,
    items: u64,
    out: Option<String>,
}

fn parse_size(s: &str) -> u64 {
    let s = s.trim();
    let (num, mult) = match s.chars().last() {
        Some('K' | 'k') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M' | 'm') => (&s[..s.len() - 1], 1 << 20),
        Some('G' | 'g') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    (num.parse::<f64>().expect("size like 100M or 1G") * mult as f64) as u64
}

fn args() -> Args {
    let mut a = Args {
        ty: "interactions".into(),
        size: 1 << 20,
        rows: None,
        seed: 42,
        defect_rate: 0.0,
        users: 1_000_000,
        items: 100_000,
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--type" => a.ty = v(),
            "--size" => a.size = parse_size(&v()),
            "--rows" => a.rows = Some(v().parse().expect("rows")),
            "--seed" => a.seed = v().parse().expect("seed"),
            "--defect-rate" => a.defect_rate = v().parse().expect("defect rate"),
            "--users" => a.users = v().parse().expect("users"),
            "--items" => a.items = v().parse().expect("items"),
            "-o" | "--output" => a.out = Some(v()),
            "-h" | "--help" => {
                eprintln!("gen --type interactions|items|users|actions|action-interactions [--size 1G | --rows N] [--seed N] [--defect-rate 0.001] [--users N] [--items N] [-o FILE]");
                std::process::exit(0);
            }
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

const EVENTS: [&str; 4] = ["click", "view", "purchase", "add_to_cart"];
const GENRES: [&str; 8] = [
    "Action",
    "Comedy",
    "Drama",
    "Horror",
    "Romance",
    "Sci-Fi",
    "Documentary",
    "Kids",
];

fn main() -> std::io::Result<()> {
    let a = args();
    let mut rng = Rng(a.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let sink: Box<dyn Write> = match &a.out {
        Some(p) => Box::new(std::fs::File::create(p)?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = BufWriter::with_capacity(1 << 20, sink);
    let header = match a.ty.as_str() {
        "interactions" => "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE",
        "items" => "ITEM_ID,CREATION_TIMESTAMP,GENRES,PRICE,DESCRIPTION",
        "users" => "USER_ID,AGE,MEMBERSHIP",
        "actions" => "ACTION_ID,CREATION_TIMESTAMP,VALUE,REPEAT_FREQUENCY,CATEGORY",
        "action-interactions" => "USER_ID,ACTION_ID,EVENT_TYPE,TIMESTAMP",
        other => panic!("unknown type {other}"),
    };
    writeln!(w, "{header}")?;
    let mut written = header.len() as u64 + 1;
    let mut row = 0u64;
    let mut line = String::with_capacity(256);
    let mut ts = 1_590_000_000u64;
    loop {
        match a.rows {
            Some(n) if row >= n => break,
            None if written >= a.size => break,
            _ => {}
        }
        line.clear();
        let defect = a.defect_rate > 0.0 && rng.chance(a.defect_rate);
        // About one second every four records: a 10 GB file spans under two years.
        ts += u64::from(rng.below(4) == 0);
        use std::fmt::Write as _;
        match a.ty.as_str() {
            "interactions" => {
                let u = rng.below(a.users);
                let i = rng.below(a.items);
                let e = EVENTS[rng.below(4) as usize];
                let v = rng.below(1000);
                let _ = write!(
                    line,
                    "user_{u:07},item_{i:06},{ts},{e},{}.{}",
                    v / 100,
                    v % 100
                );
            }
            "items" => {
                let g1 = GENRES[rng.below(8) as usize];
                let g2 = GENRES[rng.below(8) as usize];
                let _ = write!(line, "item_{row:07},{},{g1}|{g2},{}.{:02},\"A {g1} title, with \\\"quotes\\\" and commas\"", ts - rng.below(100_000_000), rng.below(500), rng.below(100));
            }
            "users" => {
                let _ = write!(
                    line,
                    "user_{row:07},{},{}",
                    18 + rng.below(70),
                    ["gold", "silver", "free"][rng.below(3) as usize]
                );
            }
            "actions" => {
                let _ = write!(
                    line,
                    "action_{row:06},{},{},{},{}",
                    ts - rng.below(1_000_000),
                    1 + rng.below(10),
                    1 + rng.below(30),
                    GENRES[rng.below(8) as usize]
                );
            }
            _ => {
                let _ = write!(
                    line,
                    "user_{:07},action_{:04},{},{ts}",
                    rng.below(a.users),
                    rng.below(1000),
                    ["Taken", "Not taken", "Viewed"][rng.below(3) as usize]
                );
            }
        }
        if defect {
            inject(&mut line, &mut rng);
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
        written += line.len() as u64;
        row += 1;
    }
    w.flush()?;
    eprintln!("gen: {} rows, {} bytes", row, written);
    Ok(())
}

/// Replaces one record by a typical defect.
fn inject(line: &mut String, rng: &mut Rng) {
    let fields: Vec<String> = line.split(',').map(str::to_string).collect();
    let mut f = fields.clone();
    match rng.below(6) {
        0 => {
            // Milliseconds in the third column when it is numeric.
            if let Some(x) = f
                .iter_mut()
                .find(|x| x.len() == 10 && x.bytes().all(|b| b.is_ascii_digit()))
            {
                x.push_str("000");
            }
        }
        1 => f[1].clear(),                          // an empty required value
        2 => f.push("extra".into()),                // a field too many
        3 => f[0] = format!("\"{}", f[0]),          // an unclosed quote
        4 => *f.last_mut().unwrap() = "1,5".into(), // a comma decimal (splits the field)
        _ => f[0].push_str("\u{FFFD}é "),           // odd characters and a trailing space in an ID
    }
    *line = f.join(",");
}
