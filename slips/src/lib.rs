//! The one-stop-shop slips of Circular 01/2018/TT-VPCP (forms 01 to 04), rendered as PDF bytes.
//!
//! The crate does no IO: DejaVu Sans is embedded with `include_bytes!` because it covers every
//! Vietnamese letter, and [krilla] subsets it into each PDF with a ToUnicode map, so that text a
//! citizen copies out of a slip comes back as the same Vietnamese. A typical one-page slip weighs
//! about 32 KB, of which the regular and bold subsets are some 12 KB each; a three-page slip with
//! 30 components and a 2,000-character reason about 35 KB.
//!
//! Long texts wrap within the A4 page and flow onto further pages, which are then numbered.

use chrono::{Datelike, NaiveDate};
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};

/// The dossier as every slip names it.
#[derive(Debug, Clone)]
pub struct SlipDossier {
    /// The issuing agency, e.g. "Ủy ban nhân dân phường Hải Châu".
    pub agency_name: String,
    /// Printed as "Mã hồ sơ: ..." under the title.
    pub dossier_code: String,
    pub applicant_name: String,
    pub procedure_name: String,
    /// The place in the place-and-date line, e.g. "Đà Nẵng".
    pub place: String,
    /// The date in the place-and-date line.
    pub issued_on: NaiveDate,
    /// The officer who signs; when absent the signature block is left for a handwritten name.
    pub officer: Option<String>,
}

/// One line of a slip's list of papers.
#[derive(Debug, Clone)]
pub struct SlipComponent {
    pub name: String,
    /// Number of originals ("bản chính").
    pub originals: u8,
    /// Number of copies ("bản sao").
    pub copies: u8,
}

/// Which slip to render, with what only that form shows.
#[derive(Debug, Clone)]
pub enum Slip {
    /// Form 01: the dossier was received; when the result will be returned.
    Receipt { received_on: NaiveDate, due_on: NaiveDate, components: Vec<SlipComponent> },
    /// Form 02: the papers the applicant must add or complete, why, and by when.
    MoreDocuments { components: Vec<SlipComponent>, reason: String, deadline: NaiveDate },
    /// Form 03: the dossier is refused at intake, and why.
    Refusal { reason: String },
    /// Form 04: the result is late; the apology, why, and the new date.
    Apology { first_due_on: NaiveDate, new_due_on: NaiveDate, reason: String },
}

impl Slip {
    /// The form's number in the circular's appendix ("Mẫu số 0N").
    pub fn form_number(&self) -> u8 {
        match self {
            Slip::Receipt { .. } => 1,
            Slip::MoreDocuments { .. } => 2,
            Slip::Refusal { .. } => 3,
            Slip::Apology { .. } => 4,
        }
    }

    /// The form's title as the circular prints it.
    pub fn title(&self) -> &'static str {
        match self {
            Slip::Receipt { .. } => "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            Slip::MoreDocuments { .. } => "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            Slip::Refusal { .. } => "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            Slip::Apology { .. } => "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        }
    }
}

/// Why a slip could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum SlipError {
    /// A text is longer than [`MAX_TEXT_CHARS`]: such input is a mistake, and would make pages
    /// without end.
    #[error("{field} is longer than {MAX_TEXT_CHARS} characters")]
    TooLong { field: &'static str },
    /// More components than [`MAX_COMPONENTS`], for the same reason.
    #[error("a slip lists at most {MAX_COMPONENTS} components")]
    TooManyComponents,
    /// The embedded font did not load (a broken build, not bad input).
    #[error("the embedded font could not be loaded")]
    Font,
    /// The PDF library refused the document.
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// The longest text accepted in any one field (a reason runs to 2,000 characters).
pub const MAX_TEXT_CHARS: usize = 2_000;
/// The most components one slip lists.
pub const MAX_COMPONENTS: usize = 100;

/// Renders `slip` for `dossier` as a PDF document (A4, one page or more).
pub fn render(dossier: &SlipDossier, slip: &Slip) -> Result<Vec<u8>, SlipError> {
    check(dossier, slip)?;
    let fonts = Fonts::load()?;
    let mut flow = Flow { fonts: &fonts, pages: vec![Vec::new()], y: TOP };
    lay_out(&mut flow, dossier, slip);
    let pages = flow.finish();
    write_pdf(&fonts, &pages, &format!("{} - {}", slip.title(), dossier.dossier_code))
}

fn check(dossier: &SlipDossier, slip: &Slip) -> Result<(), SlipError> {
    let long = |field, text: &str| {
        if text.chars().count() > MAX_TEXT_CHARS {
            Err(SlipError::TooLong { field })
        } else {
            Ok(())
        }
    };
    long("agency_name", &dossier.agency_name)?;
    long("dossier_code", &dossier.dossier_code)?;
    long("applicant_name", &dossier.applicant_name)?;
    long("procedure_name", &dossier.procedure_name)?;
    long("place", &dossier.place)?;
    long("officer", dossier.officer.as_deref().unwrap_or(""))?;
    let (components, reason): (&[SlipComponent], &str) = match slip {
        Slip::Receipt { components, .. } => (components, ""),
        Slip::MoreDocuments { components, reason, .. } => (components, reason),
        Slip::Refusal { reason } | Slip::Apology { reason, .. } => (&[], reason),
    };
    long("reason", reason)?;
    if components.len() > MAX_COMPONENTS {
        return Err(SlipError::TooManyComponents);
    }
    components.iter().try_for_each(|c| long("component name", &c.name))
}

const REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

// A4 in points; the left margin is wider, as on Vietnamese administrative papers.
const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const LEFT: f32 = 78.0;
const RIGHT: f32 = PAGE_W - 50.0;
const TOP: f32 = 50.0;
const BOTTOM: f32 = PAGE_H - 60.0;
const BODY: f32 = 11.0;
/// Line height as a multiple of the font size.
const LINE: f32 = 1.45;

#[derive(Clone, Copy)]
struct Style {
    bold: bool,
    size: f32,
}

const NORMAL: Style = Style { bold: false, size: BODY };
const STRONG: Style = Style { bold: true, size: BODY };
const SMALL: Style = Style { bold: false, size: 9.0 };

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

/// A horizontal band of the page that text is wrapped into.
#[derive(Clone, Copy)]
struct Column {
    x: f32,
    width: f32,
    align: Align,
}

const FULL: Column = Column { x: LEFT, width: RIGHT - LEFT, align: Align::Left };
const CENTERED: Column = Column { x: LEFT, width: RIGHT - LEFT, align: Align::Center };

/// One line of text placed on a page: `y` is its baseline, from the top.
struct Run {
    x: f32,
    y: f32,
    text: String,
    style: Style,
}

/// The fonts twice over: krilla's to draw with, rustybuzz's to measure with the same shaping
/// (its shape plans made once: making one per measure took most of the time).
struct Fonts {
    regular: Font,
    bold: Font,
    regular_shaper: (rustybuzz::Face<'static>, rustybuzz::ShapePlan),
    bold_shaper: (rustybuzz::Face<'static>, rustybuzz::ShapePlan),
}

impl Fonts {
    fn load() -> Result<Self, SlipError> {
        Ok(Fonts {
            regular: Font::new(REGULAR_TTF.into(), 0).ok_or(SlipError::Font)?,
            bold: Font::new(BOLD_TTF.into(), 0).ok_or(SlipError::Font)?,
            regular_shaper: shaper(REGULAR_TTF)?,
            bold_shaper: shaper(BOLD_TTF)?,
        })
    }

    fn width(&self, text: &str, style: Style) -> f32 {
        let (face, plan) = if style.bold { &self.bold_shaper } else { &self.regular_shaper };
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        buffer.set_script(rustybuzz::script::LATIN);
        let shaped = rustybuzz::shape_with_plan(face, plan, buffer);
        let units: i64 = shaped.glyph_positions().iter().map(|p| i64::from(p.x_advance)).sum();
        units as f32 * style.size / face.units_per_em().max(1) as f32
    }

    /// Breaks `text` into lines no wider than `width`: at spaces, within a word only when the
    /// word alone is too wide; a newline starts a new line. Each word is measured once and the
    /// widths added up, so that the largest accepted input wraps in well under a second.
    fn wrap(&self, text: &str, style: Style, width: f32) -> Vec<String> {
        let space = self.width(" ", style);
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let cleaned: String =
                paragraph.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            let (mut line, mut line_width) = (String::new(), 0.0);
            for word in cleaned.split_whitespace() {
                let word_width = self.width(word, style);
                let gap = if line.is_empty() { 0.0 } else { space };
                if line_width + gap + word_width <= width {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(word);
                    line_width += gap + word_width;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                line_width = 0.0;
                if word_width <= width {
                    line.push_str(word);
                    line_width = word_width;
                    continue;
                }
                for c in word.chars() {
                    let char_width = self.width(c.encode_utf8(&mut [0; 4]), style);
                    // Never split a letter from its combining accent (U+0300..U+036F).
                    let mark = ('\u{300}'..='\u{36f}').contains(&c);
                    if !mark && !line.is_empty() && line_width + char_width > width {
                        lines.push(std::mem::take(&mut line));
                        line_width = 0.0;
                    }
                    line.push(c);
                    line_width += char_width;
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// A face and its plan for left-to-right Latin text, which the plan must match.
fn shaper(
    ttf: &'static [u8],
) -> Result<(rustybuzz::Face<'static>, rustybuzz::ShapePlan), SlipError> {
    let face = rustybuzz::Face::from_slice(ttf, 0).ok_or(SlipError::Font)?;
    let direction = rustybuzz::Direction::LeftToRight;
    let plan =
        rustybuzz::ShapePlan::new(&face, direction, Some(rustybuzz::script::LATIN), None, &[]);
    Ok((face, plan))
}

/// Lays lines out top to bottom, starting a new page when the next line would not fit.
struct Flow<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Run>>,
    y: f32,
}

impl Flow<'_> {
    /// Places cells side by side, each wrapped in its column; line `i` of every cell shares a
    /// baseline, so a page break falls between lines, never through one. Each cell's lines are
    /// written one after the other, so that text copied from the PDF reads cell by cell.
    fn row(&mut self, cells: &[(Column, Vec<(String, Style)>)]) {
        let rows = cells.iter().map(|(_, lines)| lines.len()).max().unwrap_or(0);
        let mut slots = Vec::with_capacity(rows);
        for i in 0..rows {
            let size = cells
                .iter()
                .filter_map(|(_, lines)| lines.get(i).map(|(_, s)| s.size))
                .fold(0.0, f32::max);
            let height = size * LINE;
            self.fit(height);
            slots.push((self.pages.len().saturating_sub(1), self.y + size * 1.05));
            self.y += height;
        }
        for (column, lines) in cells {
            for ((text, style), &(page, y)) in lines.iter().zip(&slots) {
                let free = column.width - self.fonts.width(text, *style);
                let x = column.x
                    + match column.align {
                        Align::Left => 0.0,
                        Align::Center => free.max(0.0) / 2.0,
                        Align::Right => free.max(0.0),
                    };
                if let Some(runs) = self.pages.get_mut(page) {
                    runs.push(Run { x, y, text: text.clone(), style: *style });
                }
            }
        }
    }

    /// The lines of `text` wrapped for `column`, ready for a cell of [`Flow::row`].
    fn cell(&self, column: Column, text: &str, style: Style) -> Vec<(String, Style)> {
        self.fonts.wrap(text, style, column.width).into_iter().map(|l| (l, style)).collect()
    }

    fn paragraph(&mut self, column: Column, text: &str, style: Style) {
        let lines = self.cell(column, text, style);
        self.row(&[(column, lines)]);
    }

    /// Starts a new page unless `height` more points fit on this one.
    fn fit(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.pages.push(Vec::new());
            self.y = TOP;
        }
    }

    fn gap(&mut self, points: f32) {
        self.y += points;
    }

    /// The pages, numbered at the foot when there is more than one.
    fn finish(mut self) -> Vec<Vec<Run>> {
        let count = self.pages.len();
        if count > 1 {
            for (i, page) in self.pages.iter_mut().enumerate() {
                let text = format!("Trang {}/{}", i + 1, count);
                let x = (PAGE_W - self.fonts.width(&text, SMALL)) / 2.0;
                page.push(Run { x, y: PAGE_H - 30.0, text, style: SMALL });
            }
        }
        self.pages
    }
}

fn dmy(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

fn lay_out(flow: &mut Flow, dossier: &SlipDossier, slip: &Slip) {
    let right_edge = Column { x: LEFT, width: RIGHT - LEFT, align: Align::Right };
    flow.paragraph(right_edge, &format!("Mẫu số {:02}", slip.form_number()), SMALL);

    // The agency on the left; the national heading, the motto and the place and date on the right.
    let left = Column { x: LEFT, width: 190.0, align: Align::Center };
    let right = Column { x: LEFT + 200.0, width: RIGHT - LEFT - 200.0, align: Align::Center };
    let date = dossier.issued_on;
    let place_date = format!(
        "{}, ngày {:02} tháng {:02} năm {}",
        dossier.place,
        date.day(),
        date.month(),
        date.year()
    );
    let mut heading = flow.cell(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", STRONG);
    heading.extend(flow.cell(right, "Độc lập - Tự do - Hạnh phúc", STRONG));
    heading.push((String::new(), NORMAL));
    heading.extend(flow.cell(right, &place_date, NORMAL));
    let agency = flow.cell(left, &dossier.agency_name.to_uppercase(), STRONG);
    flow.row(&[(left, agency), (right, heading)]);

    flow.gap(18.0);
    flow.paragraph(CENTERED, slip.title(), Style { bold: true, size: 13.0 });
    flow.paragraph(CENTERED, &format!("Mã hồ sơ: {}", dossier.dossier_code), NORMAL);
    flow.gap(12.0);

    let applicant = format!("Hồ sơ của Ông/Bà: {}", dossier.applicant_name);
    flow.paragraph(FULL, &applicant, NORMAL);
    let procedure = format!("Nội dung yêu cầu giải quyết: {}", dossier.procedure_name);
    flow.paragraph(FULL, &procedure, NORMAL);

    let signer = match slip {
        Slip::Receipt { received_on, due_on, components } => {
            components_table(flow, "Thành phần hồ sơ và số lượng mỗi loại giấy tờ:", components);
            let received = format!("Ngày tiếp nhận hồ sơ: {}", dmy(*received_on));
            flow.paragraph(FULL, &received, NORMAL);
            let due = format!("Ngày hẹn trả kết quả: {}", dmy(*due_on));
            flow.paragraph(FULL, &due, STRONG);
            "NGƯỜI TIẾP NHẬN HỒ SƠ"
        }
        Slip::MoreDocuments { components, reason, deadline } => {
            components_table(flow, "Đề nghị bổ sung, hoàn thiện các giấy tờ sau:", components);
            flow.paragraph(FULL, &format!("Lý do: {reason}"), NORMAL);
            let by = format!("Thời hạn bổ sung, hoàn thiện hồ sơ: trước ngày {}", dmy(*deadline));
            flow.paragraph(FULL, &by, STRONG);
            "NGƯỜI TIẾP NHẬN HỒ SƠ"
        }
        Slip::Refusal { reason } => {
            let text = "Hồ sơ không đủ điều kiện để tiếp nhận, giải quyết.";
            flow.paragraph(FULL, text, NORMAL);
            flow.paragraph(FULL, &format!("Lý do từ chối: {reason}"), NORMAL);
            "NGƯỜI TIẾP NHẬN HỒ SƠ"
        }
        Slip::Apology { first_due_on, new_due_on, reason } => {
            let first = format!("Ngày hẹn trả kết quả: {}", dmy(*first_due_on));
            flow.paragraph(FULL, &first, NORMAL);
            flow.paragraph(FULL, &format!("Lý do chậm trả kết quả: {reason}"), NORMAL);
            let sorry = format!(
                "{} xin lỗi Ông/Bà vì sự chậm trễ này và hẹn trả kết quả vào ngày {}.",
                dossier.agency_name,
                dmy(*new_due_on)
            );
            flow.paragraph(FULL, &sorry, NORMAL);
            let new_due = format!("Ngày hẹn trả kết quả mới: {}", dmy(*new_due_on));
            flow.paragraph(FULL, &new_due, STRONG);
            "ĐẠI DIỆN CƠ QUAN"
        }
    };

    flow.gap(18.0);
    let sign = Column { x: LEFT + 200.0, width: RIGHT - LEFT - 200.0, align: Align::Center };
    let mut lines = flow.cell(sign, signer, STRONG);
    lines.push(("(Ký và ghi rõ họ tên)".to_owned(), SMALL));
    lines.extend([(String::new(), NORMAL), (String::new(), NORMAL), (String::new(), NORMAL)]);
    if let Some(officer) = &dossier.officer {
        lines.extend(flow.cell(sign, officer, STRONG));
    }
    // The signature block is not split across pages.
    flow.fit(lines.iter().map(|(_, style)| style.size * LINE).sum());
    flow.row(&[(sign, lines)]);
}

/// The list of papers: number, name (wrapped), originals, copies.
fn components_table(flow: &mut Flow, intro: &str, components: &[SlipComponent]) {
    if components.is_empty() {
        return;
    }
    flow.paragraph(FULL, intro, NORMAL);
    let number = Column { x: LEFT, width: 26.0, align: Align::Right };
    let name = Column { x: LEFT + 34.0, width: RIGHT - LEFT - 34.0 - 140.0, align: Align::Left };
    let originals = Column { x: RIGHT - 140.0, width: 70.0, align: Align::Center };
    let copies = Column { x: RIGHT - 70.0, width: 70.0, align: Align::Center };
    let head = |column, text: &str| (column, vec![(text.to_owned(), STRONG)]);
    flow.row(&[
        head(number, "TT"),
        head(name, "Tên giấy tờ"),
        head(originals, "Bản chính"),
        head(copies, "Bản sao"),
    ]);
    for (i, component) in components.iter().enumerate() {
        let lines = flow.cell(name, &component.name, NORMAL);
        let cell = |column, n: String| (column, vec![(n, NORMAL)]);
        flow.row(&[
            cell(number, format!("{}.", i + 1)),
            (name, lines),
            cell(originals, component.originals.to_string()),
            cell(copies, component.copies.to_string()),
        ]);
    }
    flow.gap(6.0);
}

fn write_pdf(fonts: &Fonts, pages: &[Vec<Run>], title: &str) -> Result<Vec<u8>, SlipError> {
    // XMP would repeat the title and language already in the document information.
    let settings = SerializeSettings { xmp_metadata: false, ..SerializeSettings::default() };
    let mut document = Document::new_with(settings);
    document.set_metadata(Metadata::new().title(title.to_owned()).language("vi".to_owned()));
    for runs in pages {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| SlipError::Pdf("invalid page size".to_owned()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for run in runs.iter().filter(|r| !r.text.is_empty()) {
            let font = if run.style.bold { &fonts.bold } else { &fonts.regular };
            surface.draw_text(
                Point::from_xy(run.x, run.y),
                font.clone(),
                run.style.size,
                &run.text,
                false,
                TextDirection::LeftToRight,
            );
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| SlipError::Pdf(e.to_string()))
}
