use clap::Parser;

#[actix_web::main]
async fn main() {
    return_large_blocks_to_the_system();
    let cli = smartcity_api::cli::Cli::parse();
    if let Err(message) = smartcity_api::cli::run(cli).await {
        eprintln!("smartcity: {message}");
        std::process::exit(1);
    }
}

/// Blocks of a megabyte or more (argon2's 19 MiB per password check, request bodies, decoded
/// photos) are mapped for themselves and given back to the system when freed. By default glibc
/// raises that threshold after the first such block is freed and serves the next ones from its
/// arenas, which keep what they once held: 60 logins at once left 480 MiB resident although
/// only two passwords were ever checked at a time.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() {
    // SAFETY: mallopt only sets a parameter of the allocator; it is called before the server's
    // threads start.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_system() {}
