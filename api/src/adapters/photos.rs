//! Complaint photos: from the bytes a phone uploaded to the two JPEGs the server keeps.
//!
//! [`process`] is blocking and CPU-bound: run it on the blocking pool, never on an async
//! worker. It trusts nothing in the upload:
//!
//! 1. the byte size is checked ([`photo::check_byte_size`]), then the format is sniffed from the
//!    magic bytes ([`photo::sniff`]); the file name and declared type are never consulted;
//! 2. only the header is read to get the dimensions, and the pixel count is checked before a
//!    single pixel is decoded (a "pixel flood" PNG claiming 100000×100000 costs microseconds);
//! 3. a JPEG is decoded by libjpeg-turbo at the smallest of 1/8, 1/4, 1/2 or full scale that still
//!    covers the display copy (DCT scaling: how libvips shrinks on load), into a buffer sized from
//!    the header it read itself, which must agree with the first one; the decoder's working memory
//!    is estimated from that header and kept under [`photo::MAX_DECODED_BYTES`], and progressive
//!    scans are capped. Anything it cannot or will not read cleanly (a warning about damaged data,
//!    CMYK, lossless, an estimate over the budget) falls back to the path PNG and WebP take: the
//!    `image` decoder under [`image::Limits`] (width and height pinned to the header's, the same
//!    memory budget), so such a file is accepted or refused exactly as before;
//! 4. the EXIF orientation is applied and the EXIF GPS position is read (returned to the caller,
//!    who may use it when the reporter gave no location);
//! 5. both copies are resized with a Lanczos3 filter (never upscaled; the thumbnail from the
//!    display copy) and re-encoded by libjpeg-turbo as baseline JPEG, 4:2:0 chroma (grey stays
//!    grey) with optimised Huffman tables, with no metadata at all: no EXIF (GPS, device, time), no
//!    XMP, no ICC profile.
//!
//! Memory: a JPEG peaks at about its shrunk decoded size (2000 × 1500 × 3 bytes, 9 MB, for a
//! 12-megapixel photo decoded at 1/2) plus the file and libjpeg-turbo's buffers; a PNG or WebP (or
//! a JPEG on the fallback path) at its full decoded size (width × height × 3 or 4 bytes: 36 MB for
//! 12 megapixels, 150 MB for 50) plus twice the file. Callers that accept many uploads at once
//! should bound how many photos are processed concurrently (for example a semaphore with as many
//! permits as cores).

use std::io::Cursor;

use fast_image_resize as fr;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage};
use smartcity_domain::photo::{self, PhotoError, PhotoFormat};
use turbojpeg::{Colorspace, Compressor, Decompressor, PixelFormat, ScalingFactor, Subsamp};

/// The two copies the server keeps of one uploaded photo, upright and stripped of metadata.
#[derive(Clone, PartialEq)]
pub struct ProcessedPhoto {
    /// JPEG, longest side at most [`photo::DISPLAY_MAX_SIDE`].
    pub display: Vec<u8>,
    pub display_width: u32,
    pub display_height: u32,
    /// JPEG, longest side at most [`photo::THUMBNAIL_MAX_SIDE`].
    pub thumbnail: Vec<u8>,
    pub thumb_width: u32,
    pub thumb_height: u32,
    /// `(latitude, longitude)` in degrees from the upload's EXIF, when present and plausible.
    /// It is never written into the stored copies.
    pub gps: Option<(f64, f64)>,
    /// What the upload was (the stored copies are always JPEG).
    pub original_format: PhotoFormat,
}

impl std::fmt::Debug for ProcessedPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessedPhoto")
            .field("display", &format_args!("{} bytes", self.display.len()))
            .field("display_width", &self.display_width)
            .field("display_height", &self.display_height)
            .field("thumbnail", &format_args!("{} bytes", self.thumbnail.len()))
            .field("thumb_width", &self.thumb_width)
            .field("thumb_height", &self.thumb_height)
            .field("gps", &self.gps)
            .field("original_format", &self.original_format)
            .finish()
    }
}

/// Checks, decodes, orients, resizes and re-encodes one uploaded photo. Blocking and CPU-bound.
pub fn process(bytes: &[u8]) -> Result<ProcessedPhoto, PhotoError> {
    photo::check_byte_size(bytes.len() as u64)?;
    let original_format = photo::sniff(bytes)?;
    if is_animated(bytes, original_format) {
        return Err(PhotoError::UnsupportedType);
    }

    let mut decoder = header_decoder(bytes, original_format)?;
    let (width, height) = decoder.dimensions();
    photo::check_dimensions(width, height)?;
    if decoder.total_bytes() > photo::MAX_DECODED_BYTES {
        return Err(PhotoError::TooManyPixels { max_pixels: photo::MAX_PHOTO_PIXELS });
    }
    // The JPEG decoder fills a truncated scan with grey rather than failing: refuse it here.
    if original_format == PhotoFormat::Jpeg && !jpeg_reaches_end(bytes) {
        return Err(PhotoError::Corrupt);
    }
    // Pin the dimensions: the decoder may not produce anything larger than what was checked.
    decoder.set_limits(decode_limits(width, height)).map_err(decode_error)?;

    // Metadata is read to be used, never copied: a damaged EXIF block does not refuse the photo.
    let exif = decoder.exif_metadata().ok().flatten();
    let gps = exif.as_deref().and_then(gps_from_exif);
    drop(exif);
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);

    // Resize first, in the stored orientation, then rotate the (much smaller) result.
    let swaps = matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    let (upright_w, upright_h) = if swaps { (height, width) } else { (width, height) };
    let (display_width, display_height) = photo::display_size(upright_w, upright_h);
    let (stored_w, stored_h) =
        if swaps { (display_height, display_width) } else { (display_width, display_height) };

    let decoded = if original_format == PhotoFormat::Jpeg {
        // The `image` decoder holds a copy of the file: gone before libjpeg-turbo decodes.
        drop(decoder);
        match decode_jpeg_shrunk(bytes, width, height, stored_w, stored_h) {
            Ok(decoded) => decoded,
            Err(reason) => {
                tracing::debug!(%reason, "JPEG photo left to the image decoder");
                decode_with_image(bytes, original_format, width, height)?
            }
        }
    } else {
        DynamicImage::from_decoder(decoder).map_err(decode_error)?
    };
    let decoded = normalise(decoded);

    let mut resizer = fr::Resizer::new();
    let mut display = downscale(&mut resizer, decoded, stored_w, stored_h)?;
    display.apply_orientation(orientation);
    if (display.width(), display.height()) != (display_width, display_height) {
        tracing::error!(?orientation, "photo display size does not match the plan");
        return Err(PhotoError::ProcessingFailed);
    }

    let (thumb_width, thumb_height) = photo::thumbnail_size(display_width, display_height);
    let thumbnail = if (thumb_width, thumb_height) == (display_width, display_height) {
        display.clone()
    } else {
        resize(&mut resizer, &display, thumb_width, thumb_height)?
    };

    Ok(ProcessedPhoto {
        display: encode_jpeg(&display)?,
        display_width,
        display_height,
        thumbnail: encode_jpeg(&thumbnail)?,
        thumb_width,
        thumb_height,
        gps,
        original_format,
    })
}

/// The `image` decoder of an upload, having read its header only: the decoders parse the
/// headers and stop before the pixel data.
fn header_decoder(bytes: &[u8], format: PhotoFormat) -> Result<impl ImageDecoder + '_, PhotoError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format(format));
    reader.limits(header_limits());
    reader.into_decoder().map_err(decode_error)
}

/// The whole image through the `image` decoder, under the same header-first checks and limits.
fn decode_with_image(
    bytes: &[u8],
    format: PhotoFormat,
    width: u32,
    height: u32,
) -> Result<DynamicImage, PhotoError> {
    let mut decoder = header_decoder(bytes, format)?;
    if decoder.dimensions() != (width, height) {
        return Err(PhotoError::Corrupt);
    }
    decoder.set_limits(decode_limits(width, height)).map_err(decode_error)?;
    DynamicImage::from_decoder(decoder).map_err(decode_error)
}

/// Most progressive scans libjpeg-turbo reads from one upload. A camera writes about ten; a file
/// with thousands makes the decoder redo the whole image for each (libjpeg-turbo's own advice is
/// to cap them).
const MAX_JPEG_SCANS: u32 = 100;

/// The scale libjpeg-turbo decodes a `width × height` JPEG at so that the result still covers
/// `target_w × target_h`: the smallest of 1/8, 1/4 and 1/2 that does, else full size. The
/// Lanczos3 resize then does the rest from at most twice the target's size.
fn jpeg_scale(width: u32, height: u32, target_w: u32, target_h: u32) -> ScalingFactor {
    [ScalingFactor::ONE_EIGHTH, ScalingFactor::ONE_QUARTER, ScalingFactor::ONE_HALF]
        .into_iter()
        .find(|scale| {
            scale.scale(width as usize) >= target_w as usize
                && scale.scale(height as usize) >= target_h as usize
        })
        .unwrap_or(ScalingFactor::ONE)
}

/// A JPEG decoded by libjpeg-turbo at [`jpeg_scale`], as 8-bit RGB (or grey for a grey JPEG).
/// `Err` says why the `image` decoder should have it instead: the photo is not refused here.
fn decode_jpeg_shrunk(
    bytes: &[u8],
    width: u32,
    height: u32,
    target_w: u32,
    target_h: u32,
) -> Result<DynamicImage, String> {
    let mut decompressor = Decompressor::new().map_err(|e| e.to_string())?;
    let header = decompressor.read_header(bytes).map_err(|e| e.to_string())?;
    if (header.width, header.height) != (width as usize, height as usize) {
        return Err(format!("header reads {}×{}", header.width, header.height));
    }
    if header.is_lossless {
        return Err("lossless JPEG".into());
    }
    let (format, channels) = match header.colorspace {
        Colorspace::Gray => (PixelFormat::GRAY, 1),
        Colorspace::YCbCr | Colorspace::RGB => (PixelFormat::RGB, 3),
        other => return Err(format!("colour space {other:?}")),
    };
    let scale = jpeg_scale(width, height, target_w, target_h);
    let scaled = header.scaled(scale);
    // What libjpeg-turbo may hold at once: the output, and for a progressive or multi-scan file
    // every DCT coefficient of the image (2 bytes each, chroma per its subsampling), counted in
    // whole MCUs, as if the file needed them all.
    let (sub_w, sub_h) = match header.subsamp {
        Subsamp::Gray => (1, 1),
        subsamp => subsamp.size(),
    };
    let (mcu_w, mcu_h) = (8 * sub_w, 8 * sub_h);
    let (padded_w, padded_h) =
        (header.width.div_ceil(mcu_w) * mcu_w, header.height.div_ceil(mcu_h) * mcu_h);
    let luma = padded_w as u64 * padded_h as u64 * 2;
    let chroma = if channels == 1 { 0 } else { 2 * luma / (sub_w * sub_h) as u64 };
    let output = scaled.width as u64 * scaled.height as u64 * channels as u64;
    if luma + chroma + output > photo::MAX_DECODED_BYTES {
        return Err("over the decode memory budget".into());
    }

    decompressor.set_scaling_factor(scale).map_err(|e| e.to_string())?;
    decompressor.set_scan_limit(MAX_JPEG_SCANS).map_err(|e| e.to_string())?;
    let mut pixels = vec![0u8; output as usize];
    let image = turbojpeg::Image {
        pixels: &mut pixels[..],
        width: scaled.width,
        pitch: scaled.width * channels,
        height: scaled.height,
        format,
    };
    // A warning (damaged or extraneous data) is an error here too.
    decompressor.decompress(bytes, image).map_err(|e| e.to_string())?;
    let (w, h) = (scaled.width as u32, scaled.height as u32);
    let decoded = if channels == 1 {
        image::GrayImage::from_raw(w, h, pixels).map(DynamicImage::ImageLuma8)
    } else {
        RgbImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgb8)
    };
    decoded.ok_or_else(|| "buffer size".into())
}

fn image_format(format: PhotoFormat) -> ImageFormat {
    match format {
        PhotoFormat::Jpeg => ImageFormat::Jpeg,
        PhotoFormat::Png => ImageFormat::Png,
        PhotoFormat::WebP => ImageFormat::WebP,
    }
}

/// Animated PNG (an `acTL` chunk before the image data) or animated WebP (the extended header's
/// animation flag). A complaint photo is one picture: only the first frame would be kept, so
/// the upload is refused rather than cut, and no frame count it claims is ever acted on.
fn is_animated(bytes: &[u8], format: PhotoFormat) -> bool {
    match format {
        PhotoFormat::Png => {
            let mut at = 8; // after the signature
            while let Some(header) = bytes.get(at..at + 8) {
                let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
                match &header[4..8] {
                    b"acTL" => return true,
                    b"IDAT" => return false,
                    _ => at = at.saturating_add(12).saturating_add(length as usize),
                }
            }
            false
        }
        PhotoFormat::WebP => {
            bytes.get(12..16) == Some(b"VP8X")
                && bytes.get(20).is_some_and(|flags| flags & 0x02 != 0)
        }
        PhotoFormat::Jpeg => false,
    }
}

/// Limits while the header is read (PNG's decoder takes them at construction).
fn header_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(photo::MAX_PHOTO_SIDE);
    limits.max_image_height = Some(photo::MAX_PHOTO_SIDE);
    limits.max_alloc = Some(photo::MAX_DECODED_BYTES);
    limits
}

/// Limits for decoding a photo whose header said `width × height`.
fn decode_limits(width: u32, height: u32) -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(photo::MAX_DECODED_BYTES);
    limits
}

fn decode_error(error: ImageError) -> PhotoError {
    match error {
        ImageError::Limits(_) => PhotoError::TooManyPixels { max_pixels: photo::MAX_PHOTO_PIXELS },
        // Truncated (I/O: unexpected end), damaged (decoding), or a variant of the format the
        // decoder does not read (unsupported): the user's file cannot be read either way.
        other => {
            tracing::debug!(error = %other, "photo refused as corrupt");
            PhotoError::Corrupt
        }
    }
}

/// Whether a JPEG's segments and scans run, in order, up to an end-of-image marker. Walks the
/// segment lengths (so an EXIF thumbnail's own end marker inside APP1 does not count) and the
/// entropy-coded data (where `FF 00` is a stuffed byte and `FF D0`–`FF D7` are restart markers).
/// Bytes after the end marker are ignored, as every decoder ignores them.
fn jpeg_reaches_end(bytes: &[u8]) -> bool {
    let mut at = 2; // after SOI
    loop {
        // Skip to the next marker: its 0xFF, any fill 0xFFs, then the marker byte.
        let Some(ff) = bytes.get(at..).and_then(|rest| rest.iter().position(|&b| b == 0xFF)) else {
            return false;
        };
        at += ff;
        while bytes.get(at) == Some(&0xFF) {
            at += 1;
        }
        let Some(&marker) = bytes.get(at) else {
            return false;
        };
        at += 1;
        match marker {
            0xD9 => return true,
            // Standalone markers (restart, TEM, stray SOI) carry no length.
            0x01 | 0xD0..=0xD8 => {}
            // A stuffed zero outside a scan means the walk lost its way.
            0x00 => return false,
            _ => {
                let Some(len) = bytes.get(at..at + 2).map(|l| u16::from_be_bytes([l[0], l[1]]))
                else {
                    return false;
                };
                if len < 2 {
                    return false;
                }
                at += usize::from(len);
                if at > bytes.len() {
                    return false;
                }
                if marker == 0xDA {
                    // Entropy-coded data until a marker that is neither stuffing nor restart.
                    loop {
                        let Some(ff) =
                            bytes.get(at..).and_then(|rest| rest.iter().position(|&b| b == 0xFF))
                        else {
                            return false;
                        };
                        at += ff;
                        match bytes.get(at + 1) {
                            None => return false,
                            Some(0x00 | 0xD0..=0xD7 | 0xFF) => at += 1,
                            Some(_) => break,
                        }
                    }
                }
            }
        }
    }
}

/// 8-bit luma, RGB or RGBA: what the resizer and the JPEG encoder handle directly.
fn normalise(image: DynamicImage) -> DynamicImage {
    match image {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => {
            image
        }
        DynamicImage::ImageLuma16(_) => DynamicImage::ImageLuma8(image.to_luma8()),
        other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.to_rgba8()),
        other => DynamicImage::ImageRgb8(other.to_rgb8()),
    }
}

fn resize_options() -> fr::ResizeOptions {
    // Alpha is premultiplied during the resize (the crate's default), so edges stay clean.
    fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3))
}

/// `image` at `width × height`, or `image` itself when it already is that size (never upscaled:
/// the sizes come from [`photo::fit_within`]).
fn downscale(
    resizer: &mut fr::Resizer,
    image: DynamicImage,
    width: u32,
    height: u32,
) -> Result<DynamicImage, PhotoError> {
    if (image.width(), image.height()) == (width, height) {
        return Ok(image);
    }
    resize(resizer, &image, width, height)
}

fn resize(
    resizer: &mut fr::Resizer,
    image: &DynamicImage,
    width: u32,
    height: u32,
) -> Result<DynamicImage, PhotoError> {
    let mut resized = DynamicImage::new(width, height, image.color());
    resizer.resize(image, &mut resized, &resize_options()).map_err(|error| {
        tracing::error!(%error, "photo resize failed");
        PhotoError::ProcessingFailed
    })?;
    Ok(resized)
}

/// Baseline JPEG at [`photo::JPEG_QUALITY`], 4:2:0 chroma (grey stays one channel), optimised
/// Huffman tables: a JFIF header and the pixels, nothing else.
fn encode_jpeg(image: &DynamicImage) -> Result<Vec<u8>, PhotoError> {
    let flattened;
    let (pixels, format, channels, subsamp) = match image {
        DynamicImage::ImageLuma8(gray) => (gray.as_raw(), PixelFormat::GRAY, 1, Subsamp::Gray),
        DynamicImage::ImageRgb8(rgb) => (rgb.as_raw(), PixelFormat::RGB, 3, Subsamp::Sub2x2),
        other => {
            flattened = flatten_on_white(other);
            (flattened.as_raw(), PixelFormat::RGB, 3, Subsamp::Sub2x2)
        }
    };
    let width = image.width() as usize;
    let encoded = (|| {
        let mut compressor = Compressor::new()?;
        compressor.set_quality(i32::from(photo::JPEG_QUALITY))?;
        compressor.set_subsamp(subsamp)?;
        compressor.set_optimize(true)?;
        compressor.compress_to_vec(turbojpeg::Image {
            pixels: &pixels[..],
            width,
            pitch: width * channels,
            height: image.height() as usize,
            format,
        })
    })();
    encoded.map_err(|error| {
        tracing::error!(%error, "photo JPEG encoding failed");
        PhotoError::ProcessingFailed
    })
}

/// JPEG has no transparency: transparent pixels become white, not whatever colour they hid.
fn flatten_on_white(image: &DynamicImage) -> RgbImage {
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let a = u16::from(a);
        let blend = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        image::Rgb([blend(r), blend(g), blend(b)])
    })
}

/// `(latitude, longitude)` from a raw EXIF (TIFF) block, or `None` when absent, unknown (the
/// 0/0 some phones write without a fix), out of range, or unreadable.
fn gps_from_exif(tiff: &[u8]) -> Option<(f64, f64)> {
    use exif::{In, Tag, Value};

    let exif = match exif::Reader::new().read_raw(tiff.to_vec()) {
        Ok(exif) => exif,
        Err(exif::Error::PartialResult(partial)) => partial.into_inner().0,
        Err(_) => return None,
    };
    let coordinate = |value_tag: Tag, ref_tag: Tag, positive: u8, negative: u8, max: f64| {
        let Value::Rational(parts) = &exif.get_field(value_tag, In::PRIMARY)?.value else {
            return None;
        };
        if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.denom == 0) {
            return None;
        }
        let degrees: f64 =
            parts.iter().zip([1.0, 60.0, 3600.0]).map(|(part, unit)| part.to_f64() / unit).sum();
        let Value::Ascii(texts) = &exif.get_field(ref_tag, In::PRIMARY)?.value else {
            return None;
        };
        let sign = match texts.first()?.first()?.to_ascii_uppercase() {
            c if c == positive => 1.0,
            c if c == negative => -1.0,
            _ => return None,
        };
        (degrees.is_finite() && degrees <= max).then_some(sign * degrees)
    };
    let latitude = coordinate(Tag::GPSLatitude, Tag::GPSLatitudeRef, b'N', b'S', 90.0)?;
    let longitude = coordinate(Tag::GPSLongitude, Tag::GPSLongitudeRef, b'E', b'W', 180.0)?;
    if latitude == 0.0 && longitude == 0.0 {
        return None;
    }
    Some((latitude, longitude))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ExtendedColorType, GenericImageView, ImageEncoder, Rgb, Rgba, RgbaImage};
    use smartcity_testkit::photos::*;
    use std::time::{Duration, Instant};

    fn assert_close(actual: Rgb<u8>, expected: [u8; 3]) {
        for (a, e) in actual.0.iter().zip(expected) {
            assert!(a.abs_diff(e) <= 40, "{actual:?} is not close to {expected:?}");
        }
    }

    /// A stored copy of `red_left_blue_right` turned upright (90° clockwise): `size`, red in
    /// the top eighth, blue in the bottom eighth.
    fn assert_red_above_blue(stored: &[u8], size: (u32, u32)) {
        let image = decode(stored).to_rgb8();
        assert_eq!(image.dimensions(), size);
        let (w, h) = size;
        assert_close(*image.get_pixel(w / 2, h / 8), [220, 20, 20]);
        assert_close(*image.get_pixel(w / 2, h * 7 / 8), [20, 20, 220]);
    }

    /// Each frame component's sampling factors (`0xHV`), from the JPEG's SOF segment.
    fn sampling_factors(jpeg: &[u8]) -> Vec<u8> {
        let mut at = 2;
        while at + 4 <= jpeg.len() {
            assert_eq!(jpeg[at], 0xFF, "segment does not start with a marker at {at}");
            let marker = jpeg[at + 1];
            let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
            if matches!(marker, 0xC0..=0xC3) {
                let count = usize::from(jpeg[at + 9]);
                return (0..count).map(|i| jpeg[at + 10 + 3 * i + 1]).collect();
            }
            assert_ne!(marker, 0xDA, "scan before a frame header");
            at += 2 + len;
        }
        panic!("no frame header");
    }

    /// 4:2:0: luma sampled 2×2, both chroma components 1×1.
    const CHROMA_420: [u8; 3] = [0x22, 0x11, 0x11];

    // ---- behaviour -------------------------------------------------------------------------

    #[test]
    fn photos_exif_rotation_is_applied_and_gps_read_then_stripped() {
        let tiff = exif_tiff(6); // 6: the camera was turned; display rotated 90° clockwise
        let upload = with_exif(&jpeg(&red_left_blue_right(640, 320), 92), &tiff);
        assert!(jpeg_markers(&upload).contains(&0xE1));

        let out = process(&upload).unwrap();
        assert_eq!(out.original_format, PhotoFormat::Jpeg);
        assert_eq!((out.display_width, out.display_height), (320, 640));
        assert_eq!((out.thumb_width, out.thumb_height), (160, 320));

        let (lat, lon) = out.gps.expect("GPS read from EXIF");
        assert!((lat - 16.0544).abs() < 1e-6, "{lat}");
        assert!((lon - 108.2022).abs() < 1e-6, "{lon}");

        // Rotated 90° clockwise: what was the left (red) is now the top.
        assert_red_above_blue(&out.display, (320, 640));
        assert_red_above_blue(&out.thumbnail, (160, 320));

        for stored in [&out.display, &out.thumbnail] {
            assert_clean_jpeg(stored);
            assert!(!contains(stored, &dms(16, 3, 1584)), "GPS latitude leaked");
            assert!(!contains(stored, &dms(108, 12, 792)), "GPS longitude leaked");
            let mut reader = ImageReader::with_format(Cursor::new(&stored[..]), ImageFormat::Jpeg)
                .into_decoder()
                .unwrap();
            assert_eq!(reader.exif_metadata().unwrap(), None);
            assert_eq!(reader.orientation().unwrap(), Orientation::NoTransforms);
        }
    }

    #[test]
    fn photos_other_orientations_turn_the_right_way() {
        let source = red_left_blue_right(64, 32);
        // 8: rotate 270° clockwise; the left (red) ends at the bottom.
        let out = process(&with_exif(&jpeg(&source, 95), &exif_tiff(8))).unwrap();
        let display = decode(&out.display).to_rgb8();
        assert_eq!(display.dimensions(), (32, 64));
        assert_close(*display.get_pixel(16, 56), [220, 20, 20]);
        // 3: rotate 180°; red ends on the right, dimensions kept.
        let out = process(&with_exif(&jpeg(&source, 95), &exif_tiff(3))).unwrap();
        let display = decode(&out.display).to_rgb8();
        assert_eq!(display.dimensions(), (64, 32));
        assert_close(*display.get_pixel(56, 16), [220, 20, 20]);
    }

    #[test]
    fn photos_gps_edge_cases() {
        assert_eq!(gps_from_exif(b"not a tiff"), None);
        assert_eq!(gps_from_exif(&[]), None);
        // Southern / western hemisphere.
        let mut tiff = exif_tiff(1);
        let n = tiff.iter().position(|&b| b == b'N').unwrap();
        tiff[n] = b'S';
        let e = tiff.iter().position(|&b| b == b'E').unwrap();
        tiff[e] = b'W';
        let (lat, lon) = gps_from_exif(&tiff).unwrap();
        assert!(lat < -16.0 && lon < -108.0);
        // A zero denominator (phones write 0/0 for "no fix") is no position.
        let mut tiff = exif_tiff(1);
        let lat_at = 92;
        tiff[lat_at + 4..lat_at + 8].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(gps_from_exif(&tiff), None);
        // A photo without EXIF has no position.
        let out = process(&jpeg(&photo_like(64, 48), 80)).unwrap();
        assert_eq!(out.gps, None);
    }

    #[test]
    fn photos_large_photo_becomes_display_and_thumbnail() {
        let upload = jpeg(&photo_like(4000, 3000), 85);
        let out = process(&upload).unwrap();
        assert_eq!((out.display_width, out.display_height), (1600, 1200));
        assert_eq!((out.thumb_width, out.thumb_height), (320, 240));
        assert_eq!(decode(&out.display).dimensions(), (1600, 1200));
        assert_eq!(decode(&out.thumbnail).dimensions(), (320, 240));
        assert!(out.display.len() < upload.len() / 3, "{} vs {}", out.display.len(), upload.len());
        assert!(out.thumbnail.len() < out.display.len() / 2);
        assert_clean_jpeg(&out.display);
        assert_clean_jpeg(&out.thumbnail);

        // Portrait keeps its aspect.
        let out = process(&jpeg(&photo_like(1500, 2000), 85)).unwrap();
        assert_eq!((out.display_width, out.display_height), (1200, 1600));
        assert_eq!((out.thumb_width, out.thumb_height), (240, 320));
    }

    #[test]
    fn photos_small_images_are_not_upscaled() {
        let out = process(&jpeg(&photo_like(200, 100), 90)).unwrap();
        assert_eq!((out.display_width, out.display_height), (200, 100));
        assert_eq!((out.thumb_width, out.thumb_height), (200, 100));
        assert_eq!(decode(&out.display).dimensions(), (200, 100));
        assert_eq!(decode(&out.thumbnail).dimensions(), (200, 100));

        let out = process(&jpeg(&photo_like(1000, 500), 90)).unwrap();
        assert_eq!((out.display_width, out.display_height), (1000, 500));
        assert_eq!((out.thumb_width, out.thumb_height), (320, 160));

        let out = process(&jpeg(&photo_like(1, 1), 90)).unwrap();
        assert_eq!((out.display_width, out.thumb_height), (1, 1));
    }

    #[test]
    fn photos_png_and_webp_are_accepted_and_transparency_becomes_white() {
        let rgba = RgbaImage::from_fn(400, 200, |x, _| {
            if x < 200 {
                Rgba([0, 0, 0, 0])
            } else {
                Rgba([10, 160, 10, 255])
            }
        });
        let out = process(&png(rgba.as_raw(), 400, 200, ExtendedColorType::Rgba8)).unwrap();
        assert_eq!(out.original_format, PhotoFormat::Png);
        assert_eq!((out.display_width, out.display_height), (400, 200));
        let display = decode(&out.display).to_rgb8();
        assert_close(*display.get_pixel(50, 100), [255, 255, 255]);
        assert_close(*display.get_pixel(350, 100), [10, 160, 10]);

        let gray = image::GrayImage::from_fn(500, 400, |x, y| image::Luma([((x + y) % 256) as u8]));
        let out = process(&png(gray.as_raw(), 500, 400, ExtendedColorType::L8)).unwrap();
        assert_eq!((out.thumb_width, out.thumb_height), (320, 256));

        let rgb16: Vec<u8> =
            (0..64 * 48 * 3).flat_map(|i: u32| ((i * 997) as u16).to_be_bytes()).collect();
        let out = process(&png(&rgb16, 64, 48, ExtendedColorType::Rgb16)).unwrap();
        assert_eq!((out.display_width, out.display_height), (64, 48));

        let source = photo_like(800, 600);
        let mut webp = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
            .write_image(source.as_raw(), 800, 600, ExtendedColorType::Rgb8)
            .unwrap();
        let out = process(&webp).unwrap();
        assert_eq!(out.original_format, PhotoFormat::WebP);
        assert_eq!((out.display_width, out.display_height), (800, 600));
        assert_eq!((out.thumb_width, out.thumb_height), (320, 240));
        assert_clean_jpeg(&out.display);
    }

    #[test]
    fn photos_stored_copies_are_4_2_0_and_half_the_bytes_of_4_4_4() {
        let source = photo_like(2400, 1800);
        let out = process(&jpeg(&source, 90)).unwrap();
        assert_eq!((out.display_width, out.display_height), (1600, 1200));
        assert_eq!((out.thumb_width, out.thumb_height), (320, 240));
        for stored in [&out.display, &out.thumbnail] {
            assert_eq!(sampling_factors(stored), CHROMA_420);
            assert_clean_jpeg(stored);
        }
        // The same display copy at the same quality with full-resolution chroma (what was stored
        // before) takes far more bytes.
        let display = decode(&out.display).to_rgb8();
        let full_chroma = jpeg(&display, photo::JPEG_QUALITY);
        assert_eq!(sampling_factors(&full_chroma), [0x11, 0x11, 0x11]);
        assert!(
            out.display.len() * 10 < full_chroma.len() * 7,
            "{} vs {}",
            out.display.len(),
            full_chroma.len()
        );

        // PNG and WebP uploads are stored the same way; a grey JPEG stays one grey channel.
        let out = process(&png(source.as_raw(), 2400, 1800, ExtendedColorType::Rgb8)).unwrap();
        assert_eq!(sampling_factors(&out.display), CHROMA_420);
        assert_eq!(sampling_factors(&out.thumbnail), CHROMA_420);
        let gray = image::GrayImage::from_fn(900, 600, |x, y| image::Luma([((x ^ y) % 256) as u8]));
        let mut gray_jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut gray_jpeg, 90)
            .write_image(gray.as_raw(), 900, 600, ExtendedColorType::L8)
            .unwrap();
        let out = process(&gray_jpeg).unwrap();
        assert_eq!((out.display_width, out.display_height), (900, 600));
        assert_eq!(sampling_factors(&out.display), [0x11]);
        assert_eq!(decode(&out.thumbnail).color(), image::ColorType::L8);
    }

    #[test]
    fn photos_jpeg_shrinks_on_load_to_cover_the_display_copy() {
        let scale = |w, h, tw, th| {
            let s = jpeg_scale(w, h, tw, th);
            (s.num(), s.denom())
        };
        assert_eq!(scale(4000, 3000, 1600, 1200), (1, 2));
        assert_eq!(scale(4032, 3024, 1600, 1200), (1, 2));
        assert_eq!(scale(3000, 4000, 1200, 1600), (1, 2));
        assert_eq!(scale(8000, 6000, 1600, 1200), (1, 4));
        assert_eq!(scale(12_800, 3000, 1600, 375), (1, 8));
        // 3000 / 2 = 1500 < 1600: decoded whole, then resized.
        assert_eq!(scale(3000, 2000, 1600, 1067), (1, 1));
        assert_eq!(scale(640, 480, 640, 480), (1, 1));
        // A long thin photo: the short side decides.
        assert_eq!(scale(30_000, 100, 1600, 5), (1, 8));
        // libjpeg-turbo rounds scaled sides up: a one-pixel side stays one pixel.
        assert_eq!(scale(29_999, 1, 1600, 1), (1, 8));
        assert_eq!(scale(12_000, 1, 1600, 1), (1, 4));
    }

    #[test]
    fn photos_large_rotated_jpeg_is_upright_on_the_shrunk_path() {
        // 3600×1800 decodes at 1/2 (1800×900, covers 1600×800), then turns upright.
        let tiff = exif_tiff(6);
        let upload = with_exif(&jpeg(&red_left_blue_right(3600, 1800), 90), &tiff);
        let out = process(&upload).unwrap();
        assert_eq!((out.display_width, out.display_height), (800, 1600));
        assert_eq!((out.thumb_width, out.thumb_height), (160, 320));
        assert!(out.gps.is_some());
        assert_red_above_blue(&out.display, (800, 1600));
        assert_red_above_blue(&out.thumbnail, (160, 320));
        for stored in [&out.display, &out.thumbnail] {
            assert_clean_jpeg(stored);
            assert_eq!(sampling_factors(stored), CHROMA_420);
            assert!(!contains(stored, &dms(16, 3, 1584)), "GPS latitude leaked");
            let markers = jpeg_markers(stored);
            assert!(markers.iter().all(|m| !(0xE1..=0xEF).contains(m)), "{markers:x?}");
        }
    }

    #[test]
    fn photos_large_jpeg_cut_or_claiming_too_much_is_refused_before_decoding() {
        let whole = jpeg(&photo_like(3200, 2400), 85);
        assert!(process(&whole).is_ok());
        for cut in [whole.len() / 3, whole.len() - 2] {
            assert_eq!(process(&whole[..cut]), Err(PhotoError::Corrupt), "cut at {cut}");
        }
        let too_many = Err(PhotoError::TooManyPixels { max_pixels: photo::MAX_PHOTO_PIXELS });
        for (width, height) in [(8661, 5774), (30_001, 16), (65_535, 65_535)] {
            let flood = jpeg_claiming(&whole, width, height);
            let started = Instant::now();
            assert_eq!(process(&flood), too_many, "{width}×{height}");
            assert!(started.elapsed() < Duration::from_millis(500), "{:?}", started.elapsed());
        }
    }

    #[test]
    fn photos_jpeg_libjpeg_turbo_only_warns_about_is_decided_as_before() {
        // Junk between the scan and the end marker: libjpeg-turbo warns ("extraneous bytes"), so
        // the `image` decoder decides, as it always did.
        let whole = jpeg(&photo_like(2000, 1500), 85);
        let mut junk = whole[..whole.len() - 2].to_vec();
        junk.extend_from_slice(b"junkjunk\xFF\xD9");
        let out = process(&junk).unwrap();
        assert_eq!((out.display_width, out.display_height), (1600, 1200));
        assert_eq!(sampling_factors(&out.display), CHROMA_420);
    }

    #[test]
    fn photos_pixel_flood_is_refused_from_the_header() {
        let too_many = Err(PhotoError::TooManyPixels { max_pixels: photo::MAX_PHOTO_PIXELS });
        for (width, height) in [(100_000, 100_000), (20_000, 20_000), (8661, 5774), (40_000, 16)] {
            let flood = png_claiming(width, height);
            assert!(flood.len() < 100);
            let started = Instant::now();
            assert_eq!(process(&flood), too_many, "{width}×{height}");
            // Nothing was decoded: a 100000×100000 RGB buffer would be 30 GB.
            assert!(started.elapsed() < Duration::from_millis(500), "{:?}", started.elapsed());
        }

        // The same with a JPEG whose frame header is patched to claim 60000×60000.
        let jpeg_flood = jpeg_claiming(&jpeg(&photo_like(16, 16), 80), 60_000, 60_000);
        let started = Instant::now();
        assert_eq!(process(&jpeg_flood), too_many);
        assert!(started.elapsed() < Duration::from_millis(500));
    }

    #[test]
    fn photos_lying_small_header_does_not_decode_more_than_it_claims() {
        // A JPEG whose frame header claims 16×16 but whose scan holds 512×512 of data: the
        // decoder is pinned to the header's dimensions and produces a 16×16 image at most.
        let lying = jpeg_claiming(&jpeg(&photo_like(512, 512), 80), 16, 16);
        match process(&lying) {
            Ok(out) => assert_eq!((out.display_width, out.display_height), (16, 16)),
            Err(error) => assert_eq!(error, PhotoError::Corrupt),
        }
    }

    #[test]
    fn photos_truncated_or_damaged_files_are_corrupt_without_panicking() {
        let whole = jpeg(&photo_like(640, 480), 85);
        for cut in [3, 4, 20, 100, 300, 600] {
            assert_eq!(process(&whole[..cut]), Err(PhotoError::Corrupt), "cut at {cut}");
        }
        // Cut in the middle of the scan: refused, never a panic, never a half-grey photo.
        for cut in [whole.len() / 4, whole.len() / 2, whole.len() - 10] {
            assert_eq!(process(&whole[..cut]), Err(PhotoError::Corrupt), "cut at {cut}");
        }
        // An EXIF thumbnail's own end marker (inside APP1) does not make a cut photo whole.
        let mut tiff_with_thumbnail = exif_tiff(1);
        tiff_with_thumbnail.extend_from_slice(&jpeg(&photo_like(16, 16), 80));
        let with_thumbnail = with_exif(&whole, &tiff_with_thumbnail);
        assert!(process(&with_thumbnail).is_ok());
        let cut = &with_thumbnail[..with_thumbnail.len() / 2];
        assert!(contains(cut, &[0xFF, 0xD9]));
        assert_eq!(process(cut), Err(PhotoError::Corrupt));
        assert!(!jpeg_reaches_end(&[0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0x00, 0xFF, 0xD0]));
        assert!(jpeg_reaches_end(&[0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0x00, 0xFF, 0xD9]));
        assert!(!jpeg_reaches_end(&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0xFF, 0xD9]));
        assert!(!jpeg_reaches_end(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01, 0xFF, 0xD9]));
        assert!(!jpeg_reaches_end(&[0xFF, 0xD8, 0xFF]));

        let png_whole = png(photo_like(64, 64).as_raw(), 64, 64, ExtendedColorType::Rgb8);
        for cut in [10, 40, png_whole.len() / 2, png_whole.len() - 13] {
            assert_eq!(process(&png_whole[..cut]), Err(PhotoError::Corrupt), "png cut at {cut}");
        }
        assert_eq!(process(b"RIFF\x10\0\0\0WEBPVP8 junk"), Err(PhotoError::Corrupt));
        // Bit flips everywhere past the header: refused or processed, never a panic.
        let mut seed = 7u64;
        for _ in 0..20 {
            let mut damaged = whole.clone();
            for _ in 0..30 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let at = 200 + (seed >> 33) as usize % (damaged.len() - 200);
                damaged[at] ^= (seed >> 8) as u8 | 1;
            }
            if let Err(error) = process(&damaged) {
                assert_eq!(error, PhotoError::Corrupt);
            }
        }
    }

    #[test]
    fn photos_animated_png_and_webp_are_refused_before_decoding() {
        let still = png(photo_like(8, 8).as_raw(), 8, 8, ExtendedColorType::Rgb8);
        assert!(process(&still).is_ok());
        // An acTL chunk (frame count 2^31 - 1) between IHDR and the image data.
        let mut apng = still[..33].to_vec();
        apng.extend_from_slice(b"\0\0\0\x08acTL\x7f\xff\xff\xff\0\0\0\0\0\0\0\0");
        apng.extend_from_slice(&still[33..]);
        assert_eq!(process(&apng), Err(PhotoError::UnsupportedType));
        // Extended WebP header with the animation flag.
        let webp = b"RIFF\x16\0\0\0WEBPVP8X\x0a\0\0\0\x02\0\0\0\x07\0\0\x07\0\0";
        assert_eq!(process(webp), Err(PhotoError::UnsupportedType));
        // A chunk length running past the end stops the walk rather than the process.
        let mut endless = still[..33].to_vec();
        endless.extend_from_slice(b"\xff\xff\xff\xfftEXt");
        assert!(!is_animated(&endless, PhotoFormat::Png));
    }

    #[test]
    fn photos_heic_and_other_types_are_refused() {
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\x08meta";
        assert_eq!(process(heic), Err(PhotoError::HeicNotSupported));
        let heif = b"\0\0\0\x18ftypmif1\0\0\0\0mif1heic";
        assert_eq!(process(heif), Err(PhotoError::HeicNotSupported));

        let gif = b"GIF89a\x01\0\x01\0\x80\0\0\xff\xff\xff\0\0\0!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;";
        assert_eq!(process(gif), Err(PhotoError::UnsupportedType));
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let random: Vec<u8> = (0..4096)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                (seed >> 56) as u8
            })
            .collect();
        let mut random = random;
        random[0] = 0x42;
        assert_eq!(process(&random), Err(PhotoError::UnsupportedType));
        assert_eq!(
            process(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            Err(PhotoError::UnsupportedType)
        );
        assert_eq!(process(b""), Err(PhotoError::Empty));
    }

    #[test]
    fn photos_polyglots_never_panic() {
        let photo = jpeg(&photo_like(300, 200), 85);
        // A valid JPEG with a zip appended (the classic "JPEG that is also an archive").
        let mut jpeg_then_zip = photo.clone();
        jpeg_then_zip.extend_from_slice(b"PK\x03\x04\x14\0\0\0\x08\0");
        jpeg_then_zip.extend(std::iter::repeat_n(0xAB, 5000));
        jpeg_then_zip.extend_from_slice(b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
        match process(&jpeg_then_zip) {
            Ok(out) => {
                assert_eq!((out.display_width, out.display_height), (300, 200));
                assert!(!contains(&out.display, b"PK\x03\x04"));
                assert!(!contains(&out.display, b"PK\x05\x06"));
            }
            Err(error) => assert_eq!(error, PhotoError::Corrupt),
        }
        // A JPEG header followed by junk.
        let mut header_then_junk = photo[..200].to_vec();
        header_then_junk.extend(std::iter::repeat_n(0x5A, 10_000));
        if let Err(error) = process(&header_then_junk) {
            assert_eq!(error, PhotoError::Corrupt);
        }
        // An HTML/script payload behind a JPEG magic.
        let mut html = vec![0xFF, 0xD8, 0xFF, 0xE0];
        html.extend_from_slice(b"<script>alert(1)</script>");
        assert!(process(&html).is_err());
        // A zip with a JPEG inside is a zip.
        let mut zip_then_jpeg = b"PK\x03\x04".to_vec();
        zip_then_jpeg.extend_from_slice(&photo);
        assert_eq!(process(&zip_then_jpeg), Err(PhotoError::UnsupportedType));
    }

    #[test]
    fn photos_too_large_is_refused_before_any_decoding() {
        assert_eq!(
            photo::check_byte_size(16 * 1024 * 1024),
            Err(PhotoError::TooLarge { max_bytes: photo::MAX_PHOTO_BYTES })
        );
        // 16 MiB that start like a JPEG: refused on size alone, in well under a decode's time.
        let mut big = vec![0u8; 16 * 1024 * 1024];
        big[..4].copy_from_slice(&[0xFF, 0xD8, 0xFF, 0xE0]);
        let started = Instant::now();
        assert_eq!(process(&big), Err(PhotoError::TooLarge { max_bytes: photo::MAX_PHOTO_BYTES }));
        assert!(started.elapsed() < Duration::from_millis(50));
        // Just at the limit is not refused for its size.
        let at_limit = vec![0u8; photo::MAX_PHOTO_BYTES as usize];
        assert_eq!(process(&at_limit), Err(PhotoError::UnsupportedType));
    }
}
