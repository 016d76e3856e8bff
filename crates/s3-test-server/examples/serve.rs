//! Serves a directory as S3 on loopback until killed, for trying `preflight stage` by hand and
//! for measuring it: `cargo run --release -p preflight-s3-test-server --example serve -- DIR BUCKET`.
//! Prints the endpoint (credentials: test / test).

use preflight_s3_test_server::{ServerOptions, TestServer};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let root = std::path::PathBuf::from(args.next().unwrap_or_else(|| "s3-data".into()));
    let bucket = args.next().unwrap_or_else(|| "imports".into());
    let server = TestServer::start(&root, &bucket, ServerOptions::default()).await;
    println!("{}", server.endpoint);
    std::future::pending::<()>().await;
}
