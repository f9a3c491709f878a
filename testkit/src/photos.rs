//! Photos to upload in tests, built byte by byte where a phone's quirks matter (EXIF
//! orientation and GPS, headers claiming huge sizes), and checks of what the server stored.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ExtendedColorType, ImageEncoder, ImageFormat, Rgb, RgbImage};

pub fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality).encode_image(image).unwrap();
    out
}

pub fn png(bytes: &[u8], width: u32, height: u32, color: ExtendedColorType) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out).write_image(bytes, width, height, color).unwrap();
    out
}

/// A deterministic noisy gradient: compresses like a photo, not like a flat colour.
pub fn photo_like(width: u32, height: u32) -> RgbImage {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    RgbImage::from_fn(width, height, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let noise = (seed % 57) as i32 - 28;
        let r = (x * 255 / width) as i32 + noise;
        let g = (y * 255 / height) as i32 - noise;
        let b = (((x / 40 + y / 40) % 2) * 120 + 60) as i32 + noise / 2;
        Rgb([r.clamp(0, 255) as u8, g.clamp(0, 255) as u8, b.clamp(0, 255) as u8])
    })
}

/// Left half red, right half blue: shows which way a photo was turned.
pub fn red_left_blue_right(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    })
}

/// Degrees, minutes, seconds×100 as three EXIF RATIONALs, little-endian.
pub fn dms(degrees: u32, minutes: u32, seconds_x100: u32) -> Vec<u8> {
    [(degrees, 1u32), (minutes, 1), (seconds_x100, 100)]
        .iter()
        .flat_map(|&(n, d)| [n.to_le_bytes(), d.to_le_bytes()].concat())
        .collect()
}

/// A little-endian TIFF block as EXIF carries it: IFD0 with Orientation and a pointer to a
/// GPS IFD holding latitude 16°3'15.84" N, longitude 108°12'7.92" E (Đà Nẵng).
pub fn exif_tiff(orientation: u16) -> Vec<u8> {
    fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&value);
    }
    const ASCII: u16 = 2;
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    let ifd0_at = 8u32;
    let gps_ifd_at = ifd0_at + 2 + 2 * 12 + 4; // 38
    let lat_at = gps_ifd_at + 2 + 4 * 12 + 4; // 92
    let lon_at = lat_at + 24; // 116

    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&ifd0_at.to_le_bytes());
    t.extend_from_slice(&2u16.to_le_bytes());
    let o = orientation.to_le_bytes();
    entry(&mut t, 0x0112, SHORT, 1, [o[0], o[1], 0, 0]);
    entry(&mut t, 0x8825, LONG, 1, gps_ifd_at.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len() as u32, gps_ifd_at);
    t.extend_from_slice(&4u16.to_le_bytes());
    entry(&mut t, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, RATIONAL, 3, lat_at.to_le_bytes());
    entry(&mut t, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut t, 0x0004, RATIONAL, 3, lon_at.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len() as u32, lat_at);
    t.extend_from_slice(&dms(16, 3, 1584));
    t.extend_from_slice(&dms(108, 12, 792));
    t
}

/// `jpeg` with an APP1 Exif segment holding `tiff` right after SOI, as a phone writes it.
pub fn with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(tiff);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// The markers of a JPEG's segments, from SOI up to and including SOS.
pub fn jpeg_markers(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "not a JPEG");
    let mut markers = Vec::new();
    let mut at = 2;
    while at + 4 <= jpeg.len() {
        assert_eq!(jpeg[at], 0xFF, "segment does not start with a marker at {at}");
        let marker = jpeg[at + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        let len = u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]) as usize;
        at += 2 + len;
    }
    markers
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// One PNG chunk, framed: length, type, data, CRC.
pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// `jpeg` (baseline) with its frame header patched to claim `width × height`, the scan kept.
pub fn jpeg_claiming(jpeg: &[u8], width: u16, height: u16) -> Vec<u8> {
    let mut out = jpeg.to_vec();
    let sof = out.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline frame header");
    out[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    out[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    out
}

/// A well-formed PNG whose header claims `width × height` RGB pixels, with a tiny IDAT.
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    out.extend(png_chunk(b"IHDR", &ihdr));
    // zlib stream of a few zero bytes; a real flood would be a long run of them.
    out.extend(png_chunk(b"IDAT", &[0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]));
    out.extend(png_chunk(b"IEND", &[]));
    out
}

pub fn decode(jpeg: &[u8]) -> DynamicImage {
    image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg).unwrap()
}

pub fn assert_clean_jpeg(jpeg: &[u8]) {
    let markers = jpeg_markers(jpeg);
    assert!(!markers.contains(&0xE1), "APP1 (Exif/XMP) in output: {markers:x?}");
    assert!(!markers.contains(&0xE2), "APP2 (ICC) in output: {markers:x?}");
    assert!(!contains(jpeg, b"Exif"));
    assert!(!contains(jpeg, b"http://ns.adobe.com/xap"));
}
