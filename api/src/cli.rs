//! The operator's commands. Each reads the same environment as the server (README lists it).

use crate::adapters::storage::PhotoStore;
use crate::app::auth::passwords;
use crate::app::database::Database;
use crate::app::geography::import_areas;
use crate::app::land::{import_layer, LayerFile, Pass};
use crate::app::seed;
use crate::config::{Config, LogFormat};
use crate::startup::{open_database, Application};
use clap::{Parser, Subcommand};
use smartcity_db::accounts::{self, NewUser};
use smartcity_db::procedures;
use smartcity_domain::account::{DisplayName, NewPassword, Role};
use smartcity_domain::complaint::parse_categories;
use smartcity_domain::geo::Region;
use smartcity_domain::land::LayerKind;
use smartcity_domain::phone::PhoneNumber;
use smartcity_domain::procedure::parse_catalogue;
use smartcity_domain::Lang;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "smartcity",
    version,
    about = "The backend of a city's citizen app: complaints, procedures, dossiers, push.",
    long_about = "The backend of a city's citizen app: complaints, procedures, dossiers, push.\n\n\
        Configuration comes from environment variables (DATABASE_URL, SMARTCITY_BIND, …; see README). \
        The database is SQLite (sqlite://smartcity.db) unless DATABASE_URL is a postgres:// URL."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Start the HTTP server on SMARTCITY_BIND (default 127.0.0.1:8080). Applies pending
    /// migrations first; on an empty SQLite database it also seeds the demo data.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create the demo agencies, their staff, an administrator, the procedure catalogue and,
    /// when there are none yet, the complaint categories (edited ones are never overwritten),
    /// then, on a database with no complaint and no dossier yet, a demo city: about 300
    /// complaints with photos and timelines and 40 dossiers. Safe to run again: existing rows
    /// are kept, and passwords are printed only when made.
    Seed {
        /// Only the agencies, accounts, catalogue, categories, areas and rules: no demo
        /// complaints or dossiers (a real city's first seed).
        #[arg(long)]
        without_demo_city: bool,
    },
    /// Create an administrator. The password is read from standard input when it is not a
    /// terminal (`echo "$PW" | smartcity create-admin --phone 0912345678`), else prompted for.
    CreateAdmin {
        /// Vietnamese mobile number, e.g. 0912 345 678 or +84912345678.
        #[arg(long)]
        phone: String,
        /// The name shown for this account.
        #[arg(long, default_value = "Quản trị viên")]
        name: String,
    },
    /// Insert or update procedures by code from a JSON file shaped like data/procedures.json.
    /// A malformed file is refused whole, naming the line and field at fault.
    ImportProcedures {
        /// Path of the catalogue file.
        file: PathBuf,
    },
    /// Insert or update complaint categories by code from a JSON file shaped like
    /// data/categories.json (a retired category comes back). A malformed file is refused whole,
    /// naming the category and field at fault; nothing changes.
    ImportCategories {
        /// Path of the categories file.
        file: PathBuf,
    },
    /// Replace the wards and communes with those of a GeoJSON FeatureCollection of Polygon and
    /// MultiPolygon features. Bad geometry is refused with the feature at fault; nothing changes.
    ImportAreas {
        /// Path of the GeoJSON file.
        file: PathBuf,
        /// The feature property that names the area.
        #[arg(long, default_value = "name")]
        name_property: String,
    },
    /// Replace a land layer (cadastral parcels, or planning zones) with a GeoJSON
    /// FeatureCollection in WGS84. The file is streamed: every feature is checked first, and a
    /// bad one refuses the file whole, naming it (index and id), with nothing changed; then the
    /// layer is loaded in one transaction. Progress shows on standard error when it is a
    /// terminal.
    ImportLand {
        /// Which layer the file holds: `parcels` or `zones`.
        layer: LandLayer,
        /// Path of the GeoJSON file.
        file: PathBuf,
        /// The layer's date as its publisher gives it (YYYY-MM-DD).
        #[arg(long)]
        date: chrono::NaiveDate,
    },
}

/// The land layers `import-land` replaces.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum LandLayer {
    /// Cadastral parcels (thửa đất).
    Parcels,
    /// Zones of approved plans (quy hoạch).
    #[value(alias = "planning")]
    Zones,
}

pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

pub async fn run(cli: Cli) -> Result<(), String> {
    let config = Config::from_env()?;
    init_tracing(config.log_format);
    match cli.command {
        Command::Serve => {
            let app = Application::build(config.clone()).await.map_err(|e| e.to_string())?;
            if let Some(port) = app.metrics_port() {
                tracing::info!(port, "metrics serving at /metrics");
            }
            tracing::info!(bind = %config.bind, port = app.port(), "smartcity serving");
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
        Command::Migrate => {
            open_database(&config).await.map_err(|e| e.to_string())?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed { without_demo_city } => {
            let (_, pool) = open_database(&config).await.map_err(|e| e.to_string())?;
            let photos = PhotoStore::from_config(&config.photo_store).map_err(|e| e.to_string())?;
            let report = on_pool(&pool, seed::seed).await?;
            print!("{report}");
            if without_demo_city {
                return Ok(());
            }
            let city = seed::demo_city(&pool, &photos, &config.calendar)
                .await
                .map_err(|e| e.to_string())?;
            print!("{city}");
            Ok(())
        }
        Command::CreateAdmin { phone, name } => {
            let phone = PhoneNumber::parse("--phone", &phone).map_err(|e| e.to_string())?;
            let name = DisplayName::parse("--name", &name).map_err(|e| e.to_string())?;
            let password = read_password()?;
            let password = NewPassword::for_account("password", &password, &phone, name.as_str())
                .map_err(|e| e.to_string())?;
            let e164 = phone.e164().to_string();
            let created = with_connection(&config, move |conn| {
                if accounts::find_user_by_phone(conn, &e164)?.is_some() {
                    return Ok(false);
                }
                accounts::insert_user(
                    conn,
                    &NewUser {
                        id: &uuid::Uuid::new_v4().to_string(),
                        phone: &e164,
                        password_hash: &passwords::hash(password.expose()),
                        display_name: name.as_str(),
                        role: Role::Admin,
                        agency_id: None,
                        disabled: false,
                        created_at: smartcity_db::now(),
                        phone_verified_at: None,
                    },
                )?;
                Ok(true)
            })
            .await?;
            if !created {
                return Err(format!("{} is already registered", phone.e164()));
            }
            println!("administrator {} created", phone.e164());
            Ok(())
        }
        Command::ImportAreas { file, name_property } => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let (_, pool) = open_database(&config).await.map_err(|e| e.to_string())?;
            // The operator is trusted as the server is: the same use case as an
            // administrator's upload, on the server's database, without an `Admin` to show.
            let count = import_areas(&Database { pool }, Region::VIETNAM, text, name_property)
                .await
                .map_err(|e| format!("{}: {}", file.display(), e.detail_in(Lang::En)))?;
            println!("{}: {count} areas imported", file.display());
            Ok(())
        }
        Command::ImportLand { layer, file, date } => {
            let kind = match layer {
                LandLayer::Parcels => LayerKind::Parcels,
                LandLayer::Zones => LayerKind::Planning,
            };
            let (_, pool) = open_database(&config).await.map_err(|e| e.to_string())?;
            let shown = file.display().to_string();
            let source_file = file
                .file_name()
                .map_or_else(|| shown.clone(), |name| name.to_string_lossy().into_owned());
            let count = tokio::task::spawn_blocking(move || {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                let open = || std::fs::File::open(&file);
                let layer = LayerFile { kind, open: &open, layer_date: date, source_file };
                let mut progress = LandProgress::new(std::io::stderr().is_terminal());
                let imported = import_layer(&mut conn, &layer, &Region::VIETNAM, &mut |pass, n| {
                    progress.show(pass, n)
                });
                progress.finish();
                imported.map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("{shown}: {e}"))?;
            println!("{shown}: {count} features imported, layer dated {date}");
            Ok(())
        }
        Command::ImportCategories { file } => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let categories =
                parse_categories(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            let counts = with_connection(&config, move |conn| {
                smartcity_db::places::import_categories(conn, &categories)
            })
            .await?;
            println!(
                "{}: {} categories added, {} updated",
                file.display(),
                counts.inserted,
                counts.updated
            );
            Ok(())
        }
        Command::ImportProcedures { file } => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let catalogue =
                parse_catalogue(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            let counts = with_connection(&config, move |conn| {
                procedures::upsert_all(conn, &catalogue, smartcity_db::now())
            })
            .await?;
            println!(
                "{}: {} procedures added, {} updated",
                file.display(),
                counts.inserted,
                counts.updated
            );
            Ok(())
        }
    }
}

/// The import's progress on a terminal: a counter rewritten in place every
/// [`LandProgress::EVERY`] features. Elsewhere (a log, a pipe) nothing until the final line.
struct LandProgress {
    terminal: bool,
    shown: Option<(Pass, usize)>,
}

impl LandProgress {
    const EVERY: usize = 10_000;

    fn new(terminal: bool) -> Self {
        LandProgress { terminal, shown: None }
    }

    fn show(&mut self, pass: Pass, n: usize) {
        if !self.terminal || !n.is_multiple_of(Self::EVERY) {
            return;
        }
        let what = match pass {
            Pass::Checking => "checked",
            Pass::Loading => "loaded",
        };
        if self.shown.is_some_and(|(shown, _)| shown != pass) {
            eprintln!();
        }
        eprint!("\r{n} features {what}");
        self.shown = Some((pass, n));
    }

    fn finish(&mut self) {
        if self.terminal && self.shown.is_some() {
            eprintln!();
        }
    }
}

async fn with_connection<T: Send + 'static>(
    config: &Config,
    work: impl FnOnce(&mut smartcity_db::DbConn) -> Result<T, smartcity_db::DbError> + Send + 'static,
) -> Result<T, String> {
    let (_, pool) = open_database(config).await.map_err(|e| e.to_string())?;
    on_pool(&pool, work).await
}

async fn on_pool<T: Send + 'static>(
    pool: &smartcity_db::Pool,
    work: impl FnOnce(&mut smartcity_db::DbConn) -> Result<T, smartcity_db::DbError> + Send + 'static,
) -> Result<T, String> {
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        work(&mut conn).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}
