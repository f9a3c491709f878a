//! The rules for complaint photos, as data and pure functions: which files are photos (decided
//! from their first bytes, never from the file name or the declared content type), how big they
//! may be, and what sizes the server keeps. Decoding and re-encoding live in the API crate; this
//! module does no IO.
//!
//! Uploads are hostile until proven otherwise: the byte size is checked first, then the magic
//! bytes, then the dimensions read from the header, and only then is anything decoded.

use crate::word::impl_word;
use crate::Lang;

/// How many photos one complaint may carry.
pub const MAX_PHOTOS_PER_COMPLAINT: usize = 5;
/// Largest accepted file, in bytes (15 MiB; a 50-megapixel phone JPEG is well under it).
pub const MAX_PHOTO_BYTES: u64 = 15 * 1024 * 1024;
/// Largest accepted pixel count (width × height), checked from the header before decoding.
pub const MAX_PHOTO_PIXELS: u64 = 50_000_000;
/// Longest accepted side, in pixels: bounds absurd aspect ratios that pass the pixel count.
pub const MAX_PHOTO_SIDE: u32 = 30_000;
/// Most memory a decoder may allocate for one photo. Room for 50 megapixels of 8-bit RGBA
/// (200 MB); a 16-bit PNG that large is refused as too many pixels.
pub const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;
/// Longest side of the display copy the server keeps (never upscaled).
pub const DISPLAY_MAX_SIDE: u32 = 1600;
/// Longest side of the thumbnail (never upscaled).
pub const THUMBNAIL_MAX_SIDE: u32 = 320;
/// JPEG quality of both stored copies.
pub const JPEG_QUALITY: u8 = 82;

/// The formats the server decodes. Anything else is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhotoFormat {
    Jpeg,
    Png,
    WebP,
}

impl PhotoFormat {
    /// Stable lowercase name (`jpeg`, `png`, `webp`), fit for a database column.
    pub fn as_str(self) -> &'static str {
        match self {
            PhotoFormat::Jpeg => "jpeg",
            PhotoFormat::Png => "png",
            PhotoFormat::WebP => "webp",
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            PhotoFormat::Jpeg => "image/jpeg",
            PhotoFormat::Png => "image/png",
            PhotoFormat::WebP => "image/webp",
        }
    }
}

impl std::fmt::Display for PhotoFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a complaint carries a photo (`complaint_photos.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhotoKind {
    /// Sent by the reporter with the complaint.
    Report,
    /// Sent by the agency with its resolution: the place after the work.
    After,
}

impl_word!(PhotoKind {
    Report => "report",
    After => "after",
});

/// Why a photo was refused (or, for `ProcessingFailed`, why the server could not handle it).
/// Each variant has a stable machine code and a sentence in each language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoError {
    /// A zero-byte file.
    Empty,
    /// More than [`MAX_PHOTO_BYTES`], declared or actual.
    TooLarge { max_bytes: u64 },
    /// More than [`MAX_PHOTO_PIXELS`] (or a side over [`MAX_PHOTO_SIDE`], or more memory to
    /// decode than [`MAX_DECODED_BYTES`]).
    TooManyPixels { max_pixels: u64 },
    /// HEIC/HEIF (the iPhone default): recognised, not decoded; the user is told to send JPEG.
    HeicNotSupported,
    /// Not JPEG, PNG or WebP, whatever its name or declared type says.
    UnsupportedType,
    /// Looks like a supported format but cannot be decoded: truncated, damaged, or a variant of
    /// the format the decoder does not read.
    Corrupt,
    /// More than [`MAX_PHOTOS_PER_COMPLAINT`] photos in one complaint.
    TooManyPhotos { max: usize },
    /// The photo was fine but the server failed to resize or encode it (a server fault).
    ProcessingFailed,
}

impl PhotoError {
    pub fn code(&self) -> &'static str {
        match self {
            PhotoError::Empty => "photo_empty",
            PhotoError::TooLarge { .. } => "photo_too_large",
            PhotoError::TooManyPixels { .. } => "photo_too_many_pixels",
            PhotoError::HeicNotSupported => "photo_heic_not_supported",
            PhotoError::UnsupportedType => "photo_unsupported_type",
            PhotoError::Corrupt => "photo_corrupt",
            PhotoError::TooManyPhotos { .. } => "photo_too_many",
            PhotoError::ProcessingFailed => "photo_processing_failed",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (PhotoError::Empty, Lang::Vi) => "Tệp ảnh rỗng".into(),
            (PhotoError::Empty, Lang::En) => "The photo file is empty".into(),
            (PhotoError::TooLarge { max_bytes }, Lang::Vi) => {
                format!("Ảnh quá lớn: mỗi ảnh tối đa {} MB", mebibytes(*max_bytes))
            }
            (PhotoError::TooLarge { max_bytes }, Lang::En) => {
                format!("The photo is too large: at most {} MB per photo", mebibytes(*max_bytes))
            }
            (PhotoError::TooManyPixels { max_pixels }, Lang::Vi) => {
                format!("Ảnh có độ phân giải quá lớn: tối đa {} megapixel", max_pixels / 1_000_000)
            }
            (PhotoError::TooManyPixels { max_pixels }, Lang::En) => format!(
                "The photo's resolution is too high: at most {} megapixels",
                max_pixels / 1_000_000
            ),
            (PhotoError::HeicNotSupported, Lang::Vi) => {
                "Chưa hỗ trợ ảnh HEIC/HEIF; vui lòng gửi ảnh JPEG (trên iPhone: Cài đặt → Camera → \
                 Định dạng → Tương thích nhất)"
                    .into()
            }
            (PhotoError::HeicNotSupported, Lang::En) => {
                "HEIC/HEIF photos are not supported; please send a JPEG (on iPhone: Settings → \
                 Camera → Formats → Most Compatible)"
                    .into()
            }
            (PhotoError::UnsupportedType, Lang::Vi) => {
                "Tệp không phải ảnh được hỗ trợ; chỉ nhận ảnh JPEG, PNG hoặc WebP".into()
            }
            (PhotoError::UnsupportedType, Lang::En) => {
                "The file is not a supported photo; only JPEG, PNG or WebP are accepted".into()
            }
            (PhotoError::Corrupt, Lang::Vi) => {
                "Tệp ảnh bị hỏng, không đầy đủ hoặc không đọc được".into()
            }
            (PhotoError::Corrupt, Lang::En) => {
                "The photo file is damaged, incomplete or cannot be read".into()
            }
            (PhotoError::TooManyPhotos { max }, Lang::Vi) => {
                format!("Mỗi phản ánh được gửi tối đa {max} ảnh")
            }
            (PhotoError::TooManyPhotos { max }, Lang::En) => {
                format!("At most {max} photos per complaint")
            }
            (PhotoError::ProcessingFailed, Lang::Vi) => {
                "Không xử lý được ảnh do lỗi hệ thống".into()
            }
            (PhotoError::ProcessingFailed, Lang::En) => {
                "The photo could not be processed because of a server error".into()
            }
        }
    }
}

fn mebibytes(bytes: u64) -> u64 {
    bytes / (1024 * 1024)
}

impl std::fmt::Display for PhotoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message(Lang::En))
    }
}

impl std::error::Error for PhotoError {}

/// Refuses a photo whose size (declared by the client before upload, or counted) is zero or over
/// [`MAX_PHOTO_BYTES`]. Call it with the declared size before reading the body, and again with the
/// bytes actually received.
pub fn check_byte_size(len: u64) -> Result<(), PhotoError> {
    if len == 0 {
        Err(PhotoError::Empty)
    } else if len > MAX_PHOTO_BYTES {
        Err(PhotoError::TooLarge { max_bytes: MAX_PHOTO_BYTES })
    } else {
        Ok(())
    }
}

/// Refuses more than [`MAX_PHOTOS_PER_COMPLAINT`] photos (zero is allowed).
pub fn check_photo_count(count: usize) -> Result<(), PhotoError> {
    if count > MAX_PHOTOS_PER_COMPLAINT {
        Err(PhotoError::TooManyPhotos { max: MAX_PHOTOS_PER_COMPLAINT })
    } else {
        Ok(())
    }
}

/// Checks the dimensions read from a header, before any pixel is decoded.
pub fn check_dimensions(width: u32, height: u32) -> Result<(), PhotoError> {
    if width == 0 || height == 0 {
        return Err(PhotoError::Corrupt);
    }
    if width > MAX_PHOTO_SIDE
        || height > MAX_PHOTO_SIDE
        || u64::from(width) * u64::from(height) > MAX_PHOTO_PIXELS
    {
        return Err(PhotoError::TooManyPixels { max_pixels: MAX_PHOTO_PIXELS });
    }
    Ok(())
}

/// HEIF brands of HEVC-coded images (iPhone HEIC and its sequences) and the generic HEIF brands.
const HEIF_BRANDS: [&[u8; 4]; 12] = [
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1",
    b"mif2", b"miaf",
];
/// AVIF shares HEIF's container (and often lists `mif1`); it is refused as an unsupported type.
const AVIF_BRANDS: [&[u8; 4]; 2] = [b"avif", b"avis"];

/// What the first bytes say the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sniffed {
    Supported(PhotoFormat),
    Heif,
    Other,
}

fn sniff_inner(bytes: &[u8]) -> Sniffed {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Supported(PhotoFormat::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Supported(PhotoFormat::Png);
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Sniffed::Supported(PhotoFormat::WebP);
    }
    // ISO base media file: [size u32][`ftyp`][major brand][minor version][compatible brands…].
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let declared = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
        // Bounded: a hostile box size never makes us look past the bytes we have or past 256.
        let end = declared.clamp(12, 256).min(bytes.len());
        let major = &bytes[8..12];
        let compatible = bytes.get(16..end).unwrap_or(&[]).chunks_exact(4);
        let brands: Vec<&[u8]> = std::iter::once(major).chain(compatible).collect();
        let any_of = |set: &[&[u8; 4]]| brands.iter().any(|b| set.iter().any(|s| &s[..] == *b));
        if any_of(&AVIF_BRANDS) {
            return Sniffed::Other;
        }
        if any_of(&HEIF_BRANDS) {
            return Sniffed::Heif;
        }
    }
    Sniffed::Other
}

/// Decides the format from the file's first bytes alone. JPEG, PNG and WebP are accepted;
/// HEIC/HEIF gets its own refusal (so the app can tell the user to send JPEG); everything else,
/// including GIF, AVIF, TIFF, PDF, video and archives, is an unsupported type.
pub fn sniff(bytes: &[u8]) -> Result<PhotoFormat, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    match sniff_inner(bytes) {
        Sniffed::Supported(format) => Ok(format),
        Sniffed::Heif => Err(PhotoError::HeicNotSupported),
        Sniffed::Other => Err(PhotoError::UnsupportedType),
    }
}

/// The size of an image of `width × height` made to fit in a `max_side` square, preserving the
/// aspect ratio (rounded to the nearest pixel, at least 1) and never upscaling.
pub fn fit_within(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let max_side = max_side.max(1);
    let longest = width.max(height);
    if longest <= max_side {
        return (width, height);
    }
    let scale = |side: u32| -> u32 {
        let scaled =
            (u64::from(side) * u64::from(max_side) + u64::from(longest) / 2) / u64::from(longest);
        // The result is at most max_side, so it fits in u32.
        (scaled as u32).clamp(1, max_side)
    };
    if width >= height {
        (max_side, scale(height))
    } else {
        (scale(width), max_side)
    }
}

/// The display copy's dimensions for a photo shown upright at `width × height`.
pub fn display_size(width: u32, height: u32) -> (u32, u32) {
    fit_within(width, height, DISPLAY_MAX_SIDE)
}

/// The thumbnail's dimensions for a photo shown upright at `width × height`.
pub fn thumbnail_size(width: u32, height: u32) -> (u32, u32) {
    fit_within(width, height, THUMBNAIL_MAX_SIDE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photo_kinds_are_stored_as_these_words() {
        crate::word::assert_words(&[(PhotoKind::Report, "report"), (PhotoKind::After, "after")]);
    }

    #[test]
    fn photo_sniff_recognises_supported_formats_by_magic() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Ok(PhotoFormat::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Ok(PhotoFormat::Png));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Ok(PhotoFormat::WebP));
    }

    #[test]
    fn photo_sniff_gives_heic_its_own_refusal() {
        for brand in [&b"heic"[..], b"heix", b"mif1", b"msf1", b"hevc"] {
            let mut file = b"\0\0\0\x18ftyp".to_vec();
            file.extend_from_slice(brand);
            file.extend_from_slice(b"\0\0\0\0mif1heic");
            assert_eq!(sniff(&file), Err(PhotoError::HeicNotSupported), "{brand:?}");
        }
        // Major brand unknown but a compatible brand is HEIF.
        assert_eq!(sniff(b"\0\0\0\x14ftypXXXX\0\0\0\0heic"), Err(PhotoError::HeicNotSupported));
    }

    #[test]
    fn photo_sniff_refuses_everything_else() {
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Err(PhotoError::UnsupportedType));
        assert_eq!(sniff(b"PK\x03\x04zipzipzip"), Err(PhotoError::UnsupportedType));
        assert_eq!(sniff(b"%PDF-1.7"), Err(PhotoError::UnsupportedType));
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Err(PhotoError::UnsupportedType));
        assert_eq!(sniff(b"<svg xmlns="), Err(PhotoError::UnsupportedType));
        // AVIF (HEIF container, AV1) and MP4 video.
        assert_eq!(
            sniff(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf"),
            Err(PhotoError::UnsupportedType)
        );
        assert_eq!(sniff(b"\0\0\0\x1cftypmif1\0\0\0\0mif1avif"), Err(PhotoError::UnsupportedType));
        assert_eq!(sniff(b"\0\0\0\x18ftypisom\0\0\0\0isomiso2"), Err(PhotoError::UnsupportedType));
        // Too short to be anything; a hostile box size does not read out of bounds.
        assert_eq!(sniff(&[0xFF, 0xD8]), Err(PhotoError::UnsupportedType));
        assert_eq!(sniff(b"\xff\xff\xff\xffftyp"), Err(PhotoError::UnsupportedType));
        assert_eq!(sniff(b"\xff\xff\xff\xffftypmif1"), Err(PhotoError::HeicNotSupported));
        assert_eq!(sniff(b""), Err(PhotoError::Empty));
        // The magic decides, not what comes after: a zip does not become a JPEG by its tail.
        let mut zip_then_jpeg = b"PK\x03\x04".to_vec();
        zip_then_jpeg.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xE0]);
        assert_eq!(sniff(&zip_then_jpeg), Err(PhotoError::UnsupportedType));
    }

    #[test]
    fn photo_byte_size_and_count_limits() {
        assert_eq!(check_byte_size(0), Err(PhotoError::Empty));
        assert_eq!(check_byte_size(1), Ok(()));
        assert_eq!(check_byte_size(MAX_PHOTO_BYTES), Ok(()));
        assert_eq!(
            check_byte_size(MAX_PHOTO_BYTES + 1),
            Err(PhotoError::TooLarge { max_bytes: MAX_PHOTO_BYTES })
        );
        assert_eq!(check_photo_count(0), Ok(()));
        assert_eq!(check_photo_count(5), Ok(()));
        assert_eq!(check_photo_count(6), Err(PhotoError::TooManyPhotos { max: 5 }));
    }

    #[test]
    fn photo_dimension_limits() {
        assert_eq!(check_dimensions(4000, 3000), Ok(()));
        assert_eq!(check_dimensions(8660, 5773), Ok(())); // 49.99 MP
        let too_many = Err(PhotoError::TooManyPixels { max_pixels: MAX_PHOTO_PIXELS });
        assert_eq!(check_dimensions(8661, 5774), too_many);
        assert_eq!(check_dimensions(100_000, 100_000), too_many);
        assert_eq!(check_dimensions(u32::MAX, u32::MAX), too_many);
        assert_eq!(check_dimensions(40_000, 10), too_many);
        assert_eq!(check_dimensions(0, 10), Err(PhotoError::Corrupt));
    }

    #[test]
    fn photo_target_sizes_keep_aspect_and_never_upscale() {
        assert_eq!(display_size(4000, 3000), (1600, 1200));
        assert_eq!(display_size(3000, 4000), (1200, 1600));
        assert_eq!(thumbnail_size(1600, 1200), (320, 240));
        assert_eq!(thumbnail_size(4000, 3000), (320, 240));
        assert_eq!(display_size(4032, 3024), (1600, 1200));
        assert_eq!(display_size(1080, 1920), (900, 1600));
        assert_eq!(display_size(1600, 1600), (1600, 1600));
        assert_eq!(display_size(1601, 1601), (1600, 1600));
        assert_eq!(display_size(640, 480), (640, 480));
        assert_eq!(thumbnail_size(100, 50), (100, 50));
        assert_eq!(display_size(30_000, 1), (1600, 1));
        assert_eq!(display_size(1, 30_000), (1, 1600));
        assert_eq!(fit_within(5, 3, 0), (1, 1));
        // Rounded to the nearest pixel: 1000 × 333 / 3000 = 111.
        assert_eq!(fit_within(3000, 1000, 333), (333, 111));
        assert_eq!(fit_within(u32::MAX, u32::MAX - 1, 1600), (1600, 1600));
    }

    #[test]
    fn photo_errors_have_stable_codes_and_both_languages() {
        let all = [
            PhotoError::Empty,
            PhotoError::TooLarge { max_bytes: MAX_PHOTO_BYTES },
            PhotoError::TooManyPixels { max_pixels: MAX_PHOTO_PIXELS },
            PhotoError::HeicNotSupported,
            PhotoError::UnsupportedType,
            PhotoError::Corrupt,
            PhotoError::TooManyPhotos { max: MAX_PHOTOS_PER_COMPLAINT },
            PhotoError::ProcessingFailed,
        ];
        let codes: Vec<&str> = all.iter().map(PhotoError::code).collect();
        assert_eq!(
            codes,
            [
                "photo_empty",
                "photo_too_large",
                "photo_too_many_pixels",
                "photo_heic_not_supported",
                "photo_unsupported_type",
                "photo_corrupt",
                "photo_too_many",
                "photo_processing_failed",
            ]
        );
        for error in all {
            let (vi, en) = (error.message(Lang::Vi), error.message(Lang::En));
            assert!(!vi.is_empty() && !en.is_empty() && vi != en, "{error:?}");
        }
        assert!(PhotoError::TooLarge { max_bytes: MAX_PHOTO_BYTES }
            .message(Lang::Vi)
            .contains("15 MB"));
        assert!(PhotoError::TooManyPixels { max_pixels: MAX_PHOTO_PIXELS }
            .message(Lang::En)
            .contains("50 megapixels"));
        assert!(PhotoError::HeicNotSupported.message(Lang::Vi).contains("JPEG"));
        assert!(PhotoError::HeicNotSupported.message(Lang::En).contains("JPEG"));
        assert_eq!(PhotoFormat::WebP.mime_type(), "image/webp");
        assert_eq!(PhotoFormat::Jpeg.to_string(), "jpeg");
    }
}
