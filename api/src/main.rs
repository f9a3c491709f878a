use clap::Parser;

#[actix_web::main]
async fn main() {
    let cli = smartcity_api::cli::Cli::parse();
    if let Err(message) = smartcity_api::cli::run(cli).await {
        eprintln!("smartcity: {message}");
        std::process::exit(1);
    }
}
