//! The demo city's photos: for each category a street scene drawn in code, as reported and
//! after the fix, each put through the filing's pipeline and store once (display copy and
//! thumbnail, no metadata) and shared by every complaint that shows it.

use super::texts;
use crate::adapters::photos;
use crate::adapters::storage::PhotoStore;
use crate::app::complaints::photos::store;
use crate::app::error::ApiError;
use image::codecs::jpeg::JpegEncoder;
use image::RgbImage;
use smartcity_db::complaints::NewPhoto;
use smartcity_domain::complaint::Category;
use std::collections::HashMap;

// Small enough that an unoptimised build draws and processes all of them at first start in
// about a second on two cores; a demo's screens show them at most this wide.
const WIDTH: u32 = 512;
const HEIGHT: u32 = 384;

type Colour = [u8; 3];

/// A shape, in fractions of the picture's width and height.
enum Shape {
    Rect {
        left: f32,
        top: f32,
        right: f32,
        bottom: f32,
        colour: Colour,
    },
    /// A disc; its radius is a fraction of the height.
    Disc {
        x: f32,
        y: f32,
        radius: f32,
        colour: Colour,
    },
}

use Shape::{Disc, Rect};

/// A street scene: sky above the horizon, ground below, what is always there, what the
/// resident reported and what the agency left after the fix.
struct Scene {
    sky: (Colour, Colour),
    ground: Colour,
    horizon: f32,
    always: &'static [Shape],
    problem: &'static [Shape],
    fixed: &'static [Shape],
}

const DAY: (Colour, Colour) = ([120, 170, 225], [205, 225, 240]);
const ASPHALT: Colour = [92, 92, 98];
const PAVEMENT: Colour = [182, 172, 158];
const LANE_LINES: &[Shape] = &[
    Rect { left: 0.48, top: 0.52, right: 0.52, bottom: 0.6, colour: [235, 235, 225] },
    Rect { left: 0.47, top: 0.7, right: 0.53, bottom: 0.84, colour: [235, 235, 225] },
];

fn scene(category: &str) -> Scene {
    match texts::words_of(category).code {
        "road_damage" => Scene {
            sky: DAY,
            ground: ASPHALT,
            horizon: 0.42,
            always: LANE_LINES,
            problem: &[
                Disc { x: 0.32, y: 0.74, radius: 0.1, colour: [48, 44, 40] },
                Disc { x: 0.33, y: 0.75, radius: 0.055, colour: [96, 84, 62] },
            ],
            fixed: &[Rect {
                left: 0.2,
                top: 0.62,
                right: 0.44,
                bottom: 0.86,
                colour: [60, 60, 64],
            }],
        },
        "street_light" => Scene {
            sky: ([12, 16, 44], [40, 44, 84]),
            ground: [46, 46, 52],
            horizon: 0.72,
            always: &[
                Rect { left: 0.48, top: 0.15, right: 0.51, bottom: 0.72, colour: [80, 80, 86] },
                Rect { left: 0.5, top: 0.15, right: 0.64, bottom: 0.17, colour: [80, 80, 86] },
                Rect { left: 0.6, top: 0.17, right: 0.67, bottom: 0.2, colour: [120, 120, 120] },
            ],
            problem: &[],
            fixed: &[
                Disc { x: 0.635, y: 0.25, radius: 0.07, colour: [250, 214, 120] },
                Rect { left: 0.45, top: 0.72, right: 0.85, bottom: 1.0, colour: [130, 116, 78] },
            ],
        },
        "garbage" => Scene {
            sky: DAY,
            ground: PAVEMENT,
            horizon: 0.5,
            always: &[
                Rect { left: 0.0, top: 0.2, right: 1.0, bottom: 0.5, colour: [214, 196, 160] },
                Rect { left: 0.72, top: 0.52, right: 0.82, bottom: 0.76, colour: [34, 122, 64] },
            ],
            problem: &[
                Disc { x: 0.3, y: 0.74, radius: 0.09, colour: [30, 30, 32] },
                Disc { x: 0.42, y: 0.76, radius: 0.08, colour: [70, 120, 70] },
                Disc { x: 0.36, y: 0.66, radius: 0.07, colour: [200, 200, 210] },
                Disc { x: 0.52, y: 0.8, radius: 0.06, colour: [130, 86, 44] },
            ],
            fixed: &[],
        },
        "drainage_flooding" => Scene {
            sky: ([140, 146, 156], [180, 184, 190]),
            ground: ASPHALT,
            horizon: 0.45,
            always: &[],
            problem: &[
                Rect { left: 0.0, top: 0.52, right: 1.0, bottom: 1.0, colour: [104, 108, 96] },
                Disc { x: 0.3, y: 0.7, radius: 0.04, colour: [140, 146, 140] },
                Disc { x: 0.7, y: 0.85, radius: 0.05, colour: [140, 146, 140] },
            ],
            fixed: &[Rect { left: 0.4, top: 0.8, right: 0.6, bottom: 0.86, colour: [30, 30, 30] }],
        },
        "encroachment" => Scene {
            sky: DAY,
            ground: PAVEMENT,
            horizon: 0.45,
            always: &[Rect {
                left: 0.0,
                top: 0.1,
                right: 1.0,
                bottom: 0.45,
                colour: [196, 120, 90],
            }],
            problem: &[
                Disc { x: 0.3, y: 0.55, radius: 0.12, colour: [200, 40, 40] },
                Disc { x: 0.65, y: 0.55, radius: 0.12, colour: [40, 90, 200] },
                Rect { left: 0.22, top: 0.7, right: 0.38, bottom: 0.78, colour: [110, 70, 40] },
                Rect { left: 0.57, top: 0.7, right: 0.73, bottom: 0.78, colour: [110, 70, 40] },
            ],
            fixed: &[],
        },
        "trees" => Scene {
            sky: DAY,
            ground: [92, 140, 72],
            horizon: 0.6,
            always: &[],
            problem: &[
                Disc { x: 0.4, y: 0.55, radius: 0.03, colour: [96, 64, 36] },
                Disc { x: 0.45, y: 0.45, radius: 0.03, colour: [96, 64, 36] },
                Disc { x: 0.5, y: 0.35, radius: 0.03, colour: [96, 64, 36] },
                Disc { x: 0.6, y: 0.3, radius: 0.16, colour: [46, 110, 46] },
            ],
            fixed: &[
                Rect { left: 0.47, top: 0.3, right: 0.51, bottom: 0.62, colour: [96, 64, 36] },
                Disc { x: 0.49, y: 0.28, radius: 0.15, colour: [46, 110, 46] },
            ],
        },
        "illegal_construction" => Scene {
            sky: DAY,
            ground: [150, 130, 100],
            horizon: 0.7,
            always: &[Rect {
                left: 0.2,
                top: 0.35,
                right: 0.62,
                bottom: 0.7,
                colour: [222, 212, 190],
            }],
            problem: &[
                Rect { left: 0.2, top: 0.15, right: 0.62, bottom: 0.35, colour: [150, 150, 150] },
                Rect { left: 0.17, top: 0.1, right: 0.19, bottom: 0.7, colour: [70, 70, 70] },
                Rect { left: 0.63, top: 0.1, right: 0.65, bottom: 0.7, colour: [70, 70, 70] },
            ],
            fixed: &[],
        },
        "noise" => Scene {
            sky: ([60, 40, 90], [200, 120, 100]),
            ground: [50, 46, 52],
            horizon: 0.75,
            always: &[
                Rect { left: 0.15, top: 0.3, right: 0.55, bottom: 0.75, colour: [90, 84, 96] },
                Rect { left: 0.2, top: 0.38, right: 0.28, bottom: 0.46, colour: [240, 210, 120] },
                Rect { left: 0.4, top: 0.38, right: 0.48, bottom: 0.46, colour: [240, 210, 120] },
            ],
            problem: &[
                Rect { left: 0.62, top: 0.55, right: 0.72, bottom: 0.78, colour: [20, 20, 22] },
                Disc { x: 0.67, y: 0.62, radius: 0.035, colour: [200, 60, 200] },
            ],
            fixed: &[],
        },
        "water_supply" => Scene {
            sky: DAY,
            ground: ASPHALT,
            horizon: 0.45,
            always: &[Rect {
                left: 0.0,
                top: 0.6,
                right: 1.0,
                bottom: 0.64,
                colour: [70, 90, 110],
            }],
            problem: &[Disc { x: 0.5, y: 0.72, radius: 0.16, colour: [80, 124, 170] }],
            fixed: &[Rect {
                left: 0.42,
                top: 0.66,
                right: 0.58,
                bottom: 0.8,
                colour: [62, 62, 66],
            }],
        },
        "food_safety" => Scene {
            sky: ([226, 224, 214], [210, 206, 196]),
            ground: [176, 136, 96],
            horizon: 0.35,
            always: &[
                Disc { x: 0.3, y: 0.6, radius: 0.1, colour: [245, 245, 240] },
                Disc { x: 0.6, y: 0.65, radius: 0.1, colour: [245, 245, 240] },
            ],
            problem: &[
                Disc { x: 0.32, y: 0.58, radius: 0.02, colour: [40, 36, 30] },
                Disc { x: 0.58, y: 0.68, radius: 0.025, colour: [40, 36, 30] },
            ],
            fixed: &[],
        },
        _ => Scene {
            sky: DAY,
            ground: ASPHALT,
            horizon: 0.55,
            always: &[Rect {
                left: 0.3,
                top: 0.1,
                right: 0.32,
                bottom: 0.55,
                colour: [90, 90, 90],
            }],
            problem: &[
                Rect { left: 0.0, top: 0.2, right: 1.0, bottom: 0.21, colour: [20, 20, 20] },
                Rect { left: 0.0, top: 0.26, right: 1.0, bottom: 0.27, colour: [20, 20, 20] },
                Rect { left: 0.0, top: 0.33, right: 1.0, bottom: 0.345, colour: [20, 20, 20] },
            ],
            fixed: &[Rect { left: 0.0, top: 0.2, right: 1.0, bottom: 0.21, colour: [20, 20, 20] }],
        },
    }
}

/// Fills the picture's rows in `rows` (fractions of its height), each between the columns
/// `columns` gives for it.
fn fill(
    pixels: &mut [u8],
    rows: std::ops::Range<f32>,
    columns: impl Fn(f32) -> Option<(f32, f32)>,
    colour: Colour,
) {
    let to_px = |f: f32, size: u32| (f * size as f32).clamp(0.0, size as f32) as usize;
    for row in to_px(rows.start, HEIGHT)..to_px(rows.end, HEIGHT) {
        let y = (row as f32 + 0.5) / HEIGHT as f32;
        let Some((left, right)) = columns(y) else { continue };
        let line = &mut pixels[row * WIDTH as usize * 3..][..WIDTH as usize * 3];
        for pixel in line[to_px(left, WIDTH) * 3..to_px(right, WIDTH) * 3].chunks_exact_mut(3) {
            pixel.copy_from_slice(&colour);
        }
    }
}

/// The scene as a JPEG, with the problem or with the fix. Shapes are filled span by span,
/// not tested pixel by pixel: unoptimised builds draw it at first start. A little grain
/// makes it compress and resize like a photo rather than flat colour.
fn draw(scene: &Scene, fixed: bool) -> Vec<u8> {
    let mut pixels = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    let (top, bottom) = scene.sky;
    fill(&mut pixels, scene.horizon..1.0, |_| Some((0.0, 1.0)), scene.ground);
    for band in 0..16 {
        let t = band as f32 / 16.0;
        let colour =
            std::array::from_fn(|i| (top[i] as f32 * (1.0 - t) + bottom[i] as f32 * t) as u8);
        let rows = scene.horizon * t..scene.horizon * (t + 1.0 / 16.0);
        fill(&mut pixels, rows, |_| Some((0.0, 1.0)), colour);
    }
    let shapes = scene.always.iter().chain(if fixed { scene.fixed } else { scene.problem });
    for shape in shapes {
        match *shape {
            Rect { left, top, right, bottom, colour } => {
                fill(&mut pixels, top..bottom, |_| Some((left, right)), colour)
            }
            Disc { x, y, radius, colour } => {
                let aspect = WIDTH as f32 / HEIGHT as f32;
                let span = |row: f32| {
                    let dy = row - y;
                    let half = (radius * radius - dy * dy).max(0.0).sqrt() / aspect;
                    (half > 0.0).then_some((x - half, x + half))
                };
                fill(&mut pixels, y - radius..y + radius, span, colour)
            }
        }
    }
    for (i, value) in pixels.iter_mut().enumerate() {
        let grain = (i as u32).wrapping_mul(2_654_435_761) >> 28;
        *value = value.saturating_add(grain as u8).saturating_sub(8);
    }
    let image = RgbImage::from_raw(WIDTH, HEIGHT, pixels).expect("the buffer fits the size");
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&image)
        .expect("an in-memory JPEG encodes");
    jpeg
}

/// The photos the demo complaints show, stored.
pub struct DemoPhotos {
    /// By category code: the reporter's photo and the agency's "after" photo.
    by_category: HashMap<String, (NewPhoto, NewPhoto)>,
    /// Every object stored, to remove if the complaints are not written.
    pub keys: Vec<String>,
}

impl DemoPhotos {
    pub fn report(&self, category: &str) -> NewPhoto {
        self.by_category[category].0.clone()
    }

    pub fn after(&self, category: &str) -> NewPhoto {
        self.by_category[category].1.clone()
    }
}

/// Draws, processes and stores a reported and a fixed photo for each category, the photos
/// side by side on the blocking threads.
pub async fn make(
    photo_store: &PhotoStore,
    categories: &[Category],
) -> Result<DemoPhotos, ApiError> {
    let codes: Vec<String> = categories.iter().map(|c| c.code.clone()).collect();
    let drawings = codes.iter().flat_map(|code| {
        [false, true].map(|fixed| {
            let code = code.clone();
            tokio::task::spawn_blocking(move || photos::process(&draw(&scene(&code), fixed)))
        })
    });
    let processed = futures_util::future::try_join_all(drawings)
        .await?
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        // A drawing the pipeline refuses is a fault of ours.
        .map_err(ApiError::internal)?;
    let stored = store(photo_store, &processed).await?;
    // One row per photo, in the order drawn: each category's report, then its fix.
    let by_category = codes
        .into_iter()
        .zip(stored.rows.chunks_exact(2))
        .map(|(code, pair)| (code, (pair[0].clone(), pair[1].clone())))
        .collect();
    Ok(DemoPhotos { by_category, keys: stored.keys })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scene_is_a_photo_the_pipeline_takes_and_the_fix_shows() {
        for category in ["road_damage", "a_category_added_later"] {
            let scene = scene(category);
            let (reported, fixed) = (draw(&scene, false), draw(&scene, true));
            assert_ne!(reported, fixed);
            let processed = photos::process(&reported).expect("the pipeline takes it");
            assert_eq!((processed.display_width, processed.display_height), (WIDTH, HEIGHT));
            assert_eq!((processed.thumb_width, processed.thumb_height), (320, 240));
        }
    }
}
