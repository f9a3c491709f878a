//! Complaints for the map, nearby and filing benchmarks: a province (Đà Nẵng and Quảng Nam,
//! lat 15.0–16.3, lon 107.2–108.8) where most reports cluster in the city's districts and the
//! towns, weighted roughly by population, and the rest are spread over the countryside. They were
//! filed over the last year, in time order; recent ones are mostly open, older ones mostly
//! resolved or closed. Everything is drawn from a fixed-seed generator, so two runs make the
//! same data, and `--samples-out` writes places drawn from the same distribution for the load
//! scripts (so their requests land where the complaints are).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use smartcity_db::schema::{complaint_photos, complaints, users};
use smartcity_db::words::Stored;
use smartcity_db::{DbConn, DbError};
use smartcity_domain::account::Role;
use smartcity_domain::complaint::Category;
use smartcity_domain::complaint::ComplaintStatus;
use smartcity_domain::geo::{AreaIndex, LatLon, Region};
use smartcity_domain::photo::PhotoKind;
use smartcity_domain::routing::Rule;

/// splitmix64: small, fast, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// An index drawn by weight.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// A random version-4 UUID, as the server makes them.
    pub fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

/// Where people report: (name, lat, lon, spread in km (one standard deviation), weight).
const TOWNS: &[(&str, f64, f64, f64, f64)] = &[
    // Đà Nẵng's districts.
    ("Hải Châu", 16.047, 108.212, 1.2, 14.0),
    ("Thanh Khê", 16.064, 108.187, 1.2, 10.0),
    ("Sơn Trà", 16.075, 108.238, 1.5, 7.0),
    ("Liên Chiểu", 16.075, 108.148, 2.0, 7.0),
    ("Cẩm Lệ", 16.015, 108.198, 1.8, 6.0),
    ("Ngũ Hành Sơn", 16.000, 108.255, 2.0, 5.0),
    ("Hòa Vang", 15.985, 108.115, 4.0, 3.0),
    // Quảng Nam's cities and district towns.
    ("Tam Kỳ", 15.573, 108.474, 2.0, 8.0),
    ("Hội An", 15.880, 108.330, 1.5, 7.0),
    ("Điện Bàn", 15.893, 108.250, 2.5, 5.0),
    ("Núi Thành", 15.430, 108.655, 2.0, 3.0),
    ("Thăng Bình", 15.740, 108.360, 2.0, 3.0),
    ("Duy Xuyên", 15.822, 108.262, 2.0, 2.0),
    ("Đại Lộc", 15.883, 108.112, 2.0, 2.0),
    ("Quế Sơn", 15.682, 108.225, 1.5, 1.5),
    ("Phú Ninh", 15.580, 108.420, 1.5, 1.0),
    ("Tiên Phước", 15.488, 108.300, 1.0, 0.7),
    ("Hiệp Đức", 15.585, 108.110, 1.0, 0.5),
    ("Nông Sơn", 15.708, 108.028, 1.0, 0.4),
    ("Nam Giang", 15.762, 107.832, 1.0, 0.4),
    ("Đông Giang", 15.935, 107.640, 1.0, 0.3),
    ("Phước Sơn", 15.445, 107.800, 1.0, 0.3),
    ("Bắc Trà My", 15.330, 108.230, 1.0, 0.3),
    ("Nam Trà My", 15.120, 108.050, 1.0, 0.2),
    ("Tây Giang", 15.870, 107.470, 1.0, 0.2),
];
/// Share of reports away from any town, spread uniformly over the land.
const SPREAD_SHARE: f64 = 0.08;
const PROVINCE: (f64, f64, f64, f64) = (15.0, 16.3, 107.2, 108.8);

/// Roughly the coast: east of it is the sea.
fn on_land(lat: f64, lon: f64) -> bool {
    lon < 108.32 + (16.1 - lat) * 0.55
}

pub fn place(rng: &mut Rng) -> (f64, f64) {
    let (min_lat, max_lat, min_lon, max_lon) = PROVINCE;
    let town_total: f64 = TOWNS.iter().map(|t| t.4).sum();
    if rng.unit() < SPREAD_SHARE {
        loop {
            let lat = min_lat + rng.unit() * (max_lat - min_lat);
            let lon = min_lon + rng.unit() * (max_lon - min_lon);
            if on_land(lat, lon) {
                return (lat, lon);
            }
        }
    }
    let mut x = rng.unit() * town_total;
    let town = TOWNS
        .iter()
        .find(|t| {
            let hit = x < t.4;
            x -= t.4;
            hit
        })
        .unwrap_or(&TOWNS[0]);
    let (_, lat, lon, km, _) = *town;
    let dlat = rng.normal() * km / 111.0;
    let dlon = rng.normal() * km / (111.0 * lat.to_radians().cos());
    ((lat + dlat).clamp(min_lat, max_lat), (lon + dlon).clamp(min_lon, max_lon))
}

/// How often each category is reported (garbage and encroachment lead, as in the cities' apps).
const CATEGORY_WEIGHTS: &[(&str, f64)] = &[
    ("road_damage", 14.0),
    ("street_light", 10.0),
    ("garbage", 20.0),
    ("drainage_flooding", 10.0),
    ("encroachment", 14.0),
    ("trees", 6.0),
    ("illegal_construction", 7.0),
    ("noise", 8.0),
    ("water_supply", 4.0),
    ("food_safety", 2.0),
    ("other", 5.0),
];

pub fn category(rng: &mut Rng) -> &'static str {
    let weights: Vec<f64> = CATEGORY_WEIGHTS.iter().map(|c| c.1).collect();
    CATEGORY_WEIGHTS[rng.weighted(&weights)].0
}

fn description(rng: &mut Rng, category: &str) -> String {
    let texts: &[&str] = match category {
        "road_damage" => &[
            "Ổ gà lớn giữa đường, xe máy đi qua rất nguy hiểm, nhất là buổi tối",
            "Mặt đường bị lún sụt sau mưa, nước đọng thành vũng",
            "Hố ga mất nắp ngay trước cổng trường, đề nghị xử lý gấp",
        ],
        "street_light" => &[
            "Đèn đường không sáng cả tuần nay, đoạn đường tối om",
            "Cột đèn chập chờn suốt đêm",
            "Đèn chiếu sáng bật cả ban ngày, lãng phí điện",
        ],
        "garbage" => &[
            "Rác thải sinh hoạt đổ bừa bãi ở góc đường, bốc mùi hôi thối",
            "Xà bần đổ trộm trên vỉa hè đã nhiều ngày chưa được thu gom",
            "Điểm tập kết rác tràn ra lòng đường",
        ],
        "drainage_flooding" => &[
            "Mưa lớn là ngập sâu, cống thoát nước bị tắc",
            "Nước thải chảy tràn ra đường, mùi hôi",
            "Ngập khoảng 30 cm, xe chết máy nhiều",
        ],
        "encroachment" => &[
            "Quán cà phê lấn chiếm toàn bộ vỉa hè, người đi bộ phải xuống lòng đường",
            "Bày bán hàng hóa tràn ra vỉa hè",
            "Đậu xe ô tô trên vỉa hè cả ngày",
        ],
        "trees" => &[
            "Cây xanh nghiêng, có nguy cơ ngã đổ vào nhà dân",
            "Cành cây gãy treo lơ lửng trên đường",
            "Cây che khuất đèn tín hiệu giao thông",
        ],
        "illegal_construction" => &[
            "Công trình xây dựng không có biển báo giấy phép",
            "Xây dựng lấn ra hành lang đường",
            "Công trình thi công gây bụi, không che chắn",
        ],
        "noise" => &[
            "Hát karaoke ồn ào đến khuya",
            "Công trình thi công ban đêm gây tiếng ồn",
            "Quán nhậu mở nhạc lớn sau 22 giờ",
        ],
        "water_supply" => &[
            "Mất nước sinh hoạt từ sáng đến giờ",
            "Vỡ ống nước, nước chảy lênh láng ra đường",
            "Nước máy có màu đục và mùi lạ",
        ],
        "food_safety" => &[
            "Cơ sở chế biến thực phẩm mất vệ sinh",
            "Bán thực phẩm không rõ nguồn gốc",
            "Nhiều người bị ngộ độc sau khi ăn tại quán",
        ],
        _ => &[
            "Biển báo giao thông bị che khuất",
            "Dây điện, dây cáp viễn thông giăng mắc lộn xộn",
            "Đề nghị kiểm tra khu vực này",
        ],
    };
    texts[rng.below(texts.len())].to_string()
}

const STREETS: &[&str] = &[
    "Nguyễn Văn Linh",
    "Lê Duẩn",
    "Hùng Vương",
    "Trần Phú",
    "Bạch Đằng",
    "Điện Biên Phủ",
    "Nguyễn Tất Thành",
    "Phan Châu Trinh",
    "Hoàng Diệu",
    "Ông Ích Khiêm",
    "Tôn Đức Thắng",
    "Ngô Quyền",
];

#[derive(Insertable)]
#[diesel(table_name = complaints)]
struct NewComplaintRow {
    id: String,
    category_code: &'static str,
    description: String,
    lat: f64,
    lon: f64,
    cell: i32,
    address: Option<String>,
    area_code: Option<String>,
    agency_id: String,
    reporter_id: Option<String>,
    anonymous: bool,
    answers: &'static str,
    status: Stored<ComplaintStatus>,
    due_at: NaiveDateTime,
    resolved_at: Option<NaiveDateTime>,
    closed_at: Option<NaiveDateTime>,
    rating: Option<i32>,
    rating_comment: Option<&'static str>,
    follower_count: i32,
    me_too_count: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = complaint_photos)]
struct NewPhotoRow {
    id: String,
    complaint_id: String,
    kind: Stored<PhotoKind>,
    position: i32,
    display_key: String,
    thumbnail_key: String,
    width: i32,
    height: i32,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewUserRow {
    id: String,
    phone: String,
    password_hash: String,
    display_name: String,
    role: Stored<Role>,
    agency_id: Option<String>,
    disabled: bool,
    created_at: NaiveDateTime,
    phone_verified_at: Option<NaiveDateTime>,
}

/// Status by age: the last days mostly open, the last month in progress or resolved, older
/// mostly closed; about one in twelve complaints is open in all.
fn status(rng: &mut Rng, age_days: f64) -> ComplaintStatus {
    use ComplaintStatus::*;
    let table: &[(ComplaintStatus, f64)] = if age_days < 3.0 {
        &[(New, 50.0), (Acknowledged, 30.0), (InProgress, 20.0)]
    } else if age_days < 30.0 {
        &[
            (New, 5.0),
            (Acknowledged, 10.0),
            (InProgress, 25.0),
            (Resolved, 40.0),
            (Rejected, 5.0),
            (Duplicate, 5.0),
            (Closed, 10.0),
        ]
    } else {
        &[
            (New, 1.0),
            (Acknowledged, 1.0),
            (InProgress, 3.0),
            (Resolved, 25.0),
            (Rejected, 7.0),
            (Duplicate, 8.0),
            (Closed, 55.0),
        ]
    };
    let weights: Vec<f64> = table.iter().map(|s| s.1).collect();
    table[rng.weighted(&weights)].0
}

/// The password of every bench citizen and bench staff member.
pub const PASSWORD: &str = "ca phe sua da luc bay gio";

fn insert_users(conn: &mut DbConn, rows: &[NewUserRow]) -> Result<(), DbError> {
    match conn {
        DbConn::Postgres(c) => diesel::insert_into(users::table).values(rows).execute(c),
        DbConn::Sqlite(c) => diesel::insert_into(users::table).values(rows).execute(c),
    }?;
    Ok(())
}

/// Makes `count` citizens (phones `+8497{i:07}`), a thousand a statement, and returns their
/// ids. They share `password_hash`: hashing is made slow on purpose, once is enough.
pub fn seed_citizens(
    conn: &mut DbConn,
    count: usize,
    password_hash: &str,
) -> Result<Vec<String>, DbError> {
    let mut existing: Vec<(String, String)> = users::table
        .filter(users::phone.like("+8497%"))
        .select((users::id, users::phone))
        .load(&mut *conn)?;
    existing.sort_by(|a, b| a.1.cmp(&b.1));
    let start = existing.len();
    let mut ids: Vec<String> = existing.into_iter().take(count).map(|(id, _)| id).collect();
    let now = smartcity_db::now();
    let mut rng = Rng::new(0x5eed_0003 ^ start as u64);
    const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ"];
    const GIVEN: [&str; 8] =
        ["Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Đức Huy", "Ngọc Lan", "Sơn"];
    for chunk_start in (start..count).step_by(1_000) {
        let rows: Vec<NewUserRow> = (chunk_start..(chunk_start + 1_000).min(count))
            .map(|i| NewUserRow {
                id: rng.uuid(),
                phone: format!("+8497{i:07}"),
                password_hash: password_hash.to_string(),
                display_name: format!("{} {}", FAMILY[i % 8], GIVEN[(i / 8) % 8]),
                role: Stored(Role::Citizen),
                agency_id: None,
                disabled: false,
                created_at: now,
                phone_verified_at: Some(now),
            })
            .collect();
        ids.extend(rows.iter().map(|r| r.id.clone()));
        insert_users(conn, &rows)?;
    }
    Ok(ids)
}

/// One staff member for each agency (phone `+8498{k:07}` for the `k`-th), so a load script can
/// log in as the staff of any complaint's agency. Returns `(agency id, phone)` of each.
/// The bench administrator's phone (password [`PASSWORD`]), for the console's every-agency inbox.
pub const ADMIN_PHONE: &str = "+84989999999";

/// One bench staff member per agency (`(agency_id, phone)`), and the bench administrator.
pub fn seed_staff(
    conn: &mut DbConn,
    agencies: &[String],
    password_hash: &str,
) -> Result<Vec<(String, String)>, DbError> {
    let staff: Vec<(String, String)> =
        agencies.iter().enumerate().map(|(k, id)| (id.clone(), format!("+8498{k:07}"))).collect();
    let existing: Vec<String> =
        users::table.filter(users::phone.like("+8498%")).select(users::phone).load(&mut *conn)?;
    let mut rng = Rng::new(0x5eed_0004);
    let mut rows: Vec<NewUserRow> = staff
        .iter()
        .filter(|(_, phone)| !existing.contains(phone))
        .map(|(agency_id, phone)| NewUserRow {
            id: rng.uuid(),
            phone: phone.clone(),
            password_hash: password_hash.to_string(),
            display_name: "Cán bộ thử tải".to_string(),
            role: Stored(Role::Staff),
            agency_id: Some(agency_id.clone()),
            disabled: false,
            created_at: smartcity_db::now(),
            phone_verified_at: Some(smartcity_db::now()),
        })
        .collect();
    if !existing.iter().any(|phone| phone == ADMIN_PHONE) {
        rows.push(NewUserRow {
            id: rng.uuid(),
            phone: ADMIN_PHONE.to_string(),
            password_hash: password_hash.to_string(),
            display_name: "Quản trị thử tải".to_string(),
            role: Stored(Role::Admin),
            agency_id: None,
            disabled: false,
            created_at: smartcity_db::now(),
            phone_verified_at: Some(smartcity_db::now()),
        });
    }
    if !rows.is_empty() {
        insert_users(conn, &rows)?;
    }
    Ok(staff)
}

pub struct Context<'a> {
    pub areas: &'a AreaIndex,
    pub rules: &'a [Rule],
    pub categories: &'a [Category],
    pub reporters: &'a [String],
}

/// Rows per statement: 22 columns × 1,000 stays under SQLite's 32,766 bound parameters.
const CHUNK: usize = 1_000;
/// Statements per transaction.
const CHUNKS_PER_TRANSACTION: usize = 50;

/// Inserts complaints `existing..total` (and one report photo for most of them).
pub fn seed(conn: &mut DbConn, ctx: &Context, total: usize) -> Result<usize, DbError> {
    let existing: i64 = complaints::table.count().get_result(&mut *conn)?;
    let existing = existing as usize;
    if existing >= total {
        return Ok(existing);
    }
    // At the precision both backends store, as the server writes it.
    let now = smartcity_db::now();
    let year = Duration::days(365).num_seconds() as f64;
    let mut rng = Rng::new(0x5eed_0001 ^ existing as u64);
    let starts: Vec<usize> = (existing..total).step_by(CHUNK).collect();
    for batch in starts.chunks(CHUNKS_PER_TRANSACTION) {
        let mut chunks = Vec::with_capacity(batch.len());
        for &start in batch {
            let end = (start + CHUNK).min(total);
            let mut rows = Vec::with_capacity(end - start);
            let mut photos = Vec::with_capacity(end - start);
            for i in start..end {
                // Filed in time order over the last year.
                let age = year * (1.0 - (i as f64 + rng.unit()) / total as f64);
                let created_at = now - Duration::seconds(age as i64);
                let row = complaint(&mut rng, ctx, created_at, age / 86_400.0, now);
                if rng.unit() < 0.85 {
                    let key = format!("bench/{}", rng.uuid());
                    photos.push(NewPhotoRow {
                        id: rng.uuid(),
                        complaint_id: row.id.clone(),
                        kind: Stored(PhotoKind::Report),
                        position: 0,
                        display_key: format!("{key}-display.jpg"),
                        thumbnail_key: format!("{key}-thumbnail.jpg"),
                        width: 1600,
                        height: 1200,
                        created_at,
                    });
                }
                rows.push(row);
            }
            chunks.push((rows, photos));
        }
        match &mut *conn {
            DbConn::Postgres(c) => c.transaction(|c| {
                for (rows, photos) in &chunks {
                    diesel::insert_into(complaints::table).values(rows).execute(c)?;
                    diesel::insert_into(complaint_photos::table).values(photos).execute(c)?;
                }
                Ok::<_, diesel::result::Error>(())
            }),
            DbConn::Sqlite(c) => c.transaction(|c| {
                for (rows, photos) in &chunks {
                    diesel::insert_into(complaints::table).values(rows).execute(c)?;
                    diesel::insert_into(complaint_photos::table).values(photos).execute(c)?;
                }
                Ok::<_, diesel::result::Error>(())
            }),
        }?;
    }
    Ok(total)
}

fn complaint(
    rng: &mut Rng,
    ctx: &Context,
    created_at: NaiveDateTime,
    age_days: f64,
    now: NaiveDateTime,
) -> NewComplaintRow {
    let (lat, lon) = place(rng);
    let category_code = category(rng);
    let sla_hours =
        ctx.categories.iter().find(|c| c.code == category_code).map_or(72, |c| c.sla_hours);
    let area = LatLon::parse(lat, lon, &Region::VIETNAM)
        .ok()
        .and_then(|p| ctx.areas.locate(p))
        .map(|id| id.code.clone().unwrap_or_else(|| id.name.clone()));
    let agency_id = smartcity_domain::routing::route(ctx.rules, category_code, area.as_deref())
        .expect("a city-wide routing rule")
        .to_string();
    let status = status(rng, age_days);
    let due_at = smartcity_domain::complaint::due_at(created_at.and_utc(), sla_hours).naive_utc();
    let sla = Duration::hours(i64::from(sla_hours));
    let resolved_at = matches!(status, ComplaintStatus::Resolved | ComplaintStatus::Closed)
        .then(|| created_at + sla * (rng.below(300) as i32 + 30) / 100)
        .map(|at| at.min(now));
    let closed_at = (status == ComplaintStatus::Closed)
        .then(|| resolved_at.unwrap_or(created_at) + Duration::days(7))
        .map(|at| at.min(now));
    let rating = (status == ComplaintStatus::Closed && rng.unit() < 0.6)
        .then(|| [1, 2, 3, 4, 4, 4, 5, 5, 5, 5][rng.below(10)]);
    let anonymous = rng.unit() < 0.12;
    // A few reporters file a lot: the square skews towards the first ones.
    let reporter_id = (!ctx.reporters.is_empty() && rng.unit() > 0.03).then(|| {
        let u = rng.unit();
        ctx.reporters[((u * u) * ctx.reporters.len() as f64) as usize].clone()
    });
    let follower_count = if rng.unit() < 0.2 { rng.below(6) as i32 + 1 } else { 0 };
    let me_too_count = if rng.unit() < 0.15 { rng.below(10) as i32 + 1 } else { 0 };
    let updated_at = closed_at.or(resolved_at).unwrap_or(created_at);
    NewComplaintRow {
        id: rng.uuid(),
        category_code,
        description: description(rng, category_code),
        lat,
        lon,
        cell: smartcity_domain::geo::grid_cell(lat, lon),
        address: (rng.unit() < 0.7)
            .then(|| format!("{} {}", rng.below(300) + 1, STREETS[rng.below(STREETS.len())])),
        area_code: area,
        agency_id,
        reporter_id,
        anonymous,
        answers: "{}",
        status: Stored(status),
        due_at,
        resolved_at,
        closed_at,
        rating,
        rating_comment: rating.filter(|r| *r <= 2).map(|_| "Xử lý chưa triệt để"),
        follower_count,
        me_too_count,
        created_at,
        updated_at,
    }
}
