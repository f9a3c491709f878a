//! What the demo city's people write: residents' descriptions by category, the agencies'
//! comments, responses and reasons, ratings, names and street addresses of Đà Nẵng.

use super::rng::Rng;

/// A category's share of the reports and its words. A category the file adds later, unknown
/// here, files as [`OTHER`] does.
pub struct CategoryWords {
    pub code: &'static str,
    /// How often it is reported (garbage and encroachment lead, as in the cities' apps).
    pub weight: f64,
    /// Who the agency sends out.
    pub team: &'static str,
    pub descriptions: &'static [&'static str],
    pub responses: &'static [&'static str],
}

pub const CATEGORIES: &[CategoryWords] = &[
    CategoryWords {
        code: "road_damage",
        weight: 14.0,
        team: "Đội duy tu đường bộ",
        descriptions: &[
            "Ổ gà lớn giữa làn xe máy, trời mưa nước đọng không thấy, đã có người té ngã.",
            "Mặt đường lún sụt khoảng hai mét vuông sau đợt mưa vừa rồi, xe tải đi qua rất nguy hiểm.",
            "Hố ga mất nắp ngay lối vào kiệt, ban đêm không có biển cảnh báo.",
            "Đường nứt nhiều đoạn, đá dăm văng ra lòng đường.",
            "Sau khi đào đường lắp ống nước, đơn vị thi công hoàn trả mặt đường không phẳng, xe đi rất xóc.",
            "Nắp hố ga bị vỡ, cập kênh, xe máy cán qua dễ bị lật.",
        ],
        responses: &[
            "Đã vá ổ gà bằng bê tông nhựa nóng, mặt đường đã bằng phẳng.",
            "Đã thay nắp hố ga mới và đặt biển cảnh báo trong lúc chờ bê tông khô.",
            "Đã yêu cầu đơn vị thi công hoàn trả mặt đường đúng quy định; đã hoàn thành.",
        ],
    },
    CategoryWords {
        code: "street_light",
        weight: 10.0,
        team: "Đội quản lý chiếu sáng công cộng",
        descriptions: &[
            "Cả dãy đèn đường không sáng gần một tuần nay, đoạn đường tối om, rất mất an toàn.",
            "Đèn chiếu sáng chập chờn suốt đêm, lúc sáng lúc tắt.",
            "Đèn đường bật sáng cả ban ngày, lãng phí điện.",
            "Cột đèn bị xe tông nghiêng hẳn sang một bên, dây điện hở ở chân cột.",
            "Bóng đèn trước cổng trường bị hỏng, học sinh học thêm về buổi tối rất tối.",
            "Tủ điện chiếu sáng bị mở cửa, dây điện lòi ra ngoài.",
        ],
        responses: &[
            "Đã thay bóng đèn LED mới, đèn hoạt động bình thường.",
            "Đã sửa tủ điều khiển, cả tuyến đã sáng trở lại.",
            "Đã dựng lại cột đèn và bọc cách điện dây dẫn.",
        ],
    },
    CategoryWords {
        code: "garbage",
        weight: 20.0,
        team: "Công ty Môi trường đô thị",
        descriptions: &[
            "Rác sinh hoạt đổ bừa bãi ở góc đường, mấy ngày chưa được thu gom, bốc mùi hôi thối.",
            "Có người đổ trộm xà bần trên vỉa hè vào ban đêm.",
            "Điểm tập kết rác tràn ra lòng đường, chó mèo bới tung.",
            "Nệm cũ, tủ gỗ bỏ trên vỉa hè cả tuần không ai dọn.",
            "Xe thu gom rác không đến hai ngày nay.",
            "Bãi đất trống thành nơi đổ rác, ruồi muỗi rất nhiều.",
        ],
        responses: &[
            "Đã thu gom toàn bộ rác và vệ sinh khu vực.",
            "Đã dọn xà bần; phường sẽ lắp camera giám sát điểm đổ trộm.",
            "Đã điều chỉnh lịch thu gom, xe sẽ đến hằng ngày lúc 18 giờ.",
        ],
    },
    CategoryWords {
        code: "drainage_flooding",
        weight: 10.0,
        team: "Xí nghiệp Thoát nước",
        descriptions: &[
            "Mưa chưa đầy nửa tiếng mà đường đã ngập sâu, cống thoát nước bị rác bịt kín.",
            "Nước thải từ cống tràn lên mặt đường, mùi hôi nồng nặc.",
            "Ngập khoảng 30 cm, nhiều xe máy chết máy phải dắt bộ.",
            "Song chắn rác của hố thu nước bị lá cây lấp kín, nước không thoát được.",
            "Nước tràn vào nhà dân sau mỗi trận mưa lớn.",
            "Mương thoát nước bị bồi lấp, nước đọng lâu ngày sinh muỗi.",
        ],
        responses: &[
            "Đã nạo vét cống và khơi thông song chắn rác, nước đã rút.",
            "Đã hút bùn cả tuyến cống, khu vực không còn ngập.",
            "Đã sửa nắp cống và vệ sinh hố thu nước.",
        ],
    },
    CategoryWords {
        code: "encroachment",
        weight: 14.0,
        team: "Đội Quản lý trật tự đô thị",
        descriptions: &[
            "Quán cà phê kê bàn ghế kín vỉa hè, người đi bộ phải xuống lòng đường.",
            "Bày bán hàng hóa tràn ra vỉa hè và một phần lòng đường.",
            "Ô tô đậu trên vỉa hè cả ngày, chắn lối đi dành cho người khuyết tật.",
            "Vật liệu xây dựng tập kết trên vỉa hè, cát đá tràn xuống đường.",
            "Hàng rong họp chợ tự phát dưới lòng đường vào buổi sáng, gây ùn tắc.",
            "Nhà dân xây bục bệ lấn ra vỉa hè gần một mét.",
        ],
        responses: &[
            "Đã lập biên bản, yêu cầu hộ kinh doanh thu dọn, trả lại vỉa hè.",
            "Đã xử phạt vi phạm hành chính và tháo dỡ bục bệ lấn chiếm.",
            "Đã nhắc nhở; lực lượng trật tự đô thị sẽ kiểm tra thường xuyên.",
        ],
    },
    CategoryWords {
        code: "trees",
        weight: 6.0,
        team: "Công ty Công viên cây xanh",
        descriptions: &[
            "Cây xanh nghiêng hẳn về phía nhà dân, có nguy cơ ngã đổ khi mưa bão.",
            "Cành cây lớn gãy treo lơ lửng trên đường, rất nguy hiểm.",
            "Cây che khuất đèn tín hiệu giao thông ở ngã tư.",
            "Cây đổ chắn ngang lối đi sau trận mưa tối qua.",
            "Cây chết khô lâu ngày, cành mục có thể rơi xuống bất cứ lúc nào.",
            "Tán cây vướng vào đường dây điện, chập cháy lúc trời mưa.",
        ],
        responses: &[
            "Đã cắt tỉa cành và gia cố chống đỡ cây.",
            "Đã hạ cây chết và trồng cây mới thay thế.",
            "Đã dọn cây đổ, thông tuyến đường.",
        ],
    },
    CategoryWords {
        code: "illegal_construction",
        weight: 7.0,
        team: "Đội Thanh tra xây dựng",
        descriptions: &[
            "Công trình đang xây không treo biển báo giấy phép xây dựng.",
            "Nhà dân cơi nới thêm tầng, nghi xây sai phép.",
            "Công trình xây lấn ra hành lang đường, chiếm một phần vỉa hè.",
            "Công trường thi công không che chắn, bụi và vật liệu rơi xuống đường.",
            "Xây nhà trên đất nông nghiệp.",
            "Công trình thi công cả ngày chủ nhật, không có biển báo.",
        ],
        responses: &[
            "Đã kiểm tra, lập biên bản đình chỉ thi công công trình sai phép.",
            "Công trình có giấy phép; đã yêu cầu treo biển báo và che chắn đúng quy định.",
            "Đã yêu cầu chủ đầu tư tự tháo dỡ phần xây dựng lấn chiếm.",
        ],
    },
    CategoryWords {
        code: "noise",
        weight: 8.0,
        team: "Tổ công an khu vực",
        descriptions: &[
            "Hát karaoke ồn ào đến quá 23 giờ, loa kẹo kéo mở hết công suất.",
            "Công trình đổ bê tông ban đêm, tiếng máy trộn rất lớn.",
            "Quán nhậu mở nhạc lớn sau 22 giờ mỗi ngày.",
            "Xưởng cơ khí hoạt động gây tiếng ồn từ sáng sớm.",
            "Xe độ pô chạy tốc độ cao, nẹt pô lúc nửa đêm.",
            "Đám cưới dựng rạp dưới lòng đường, loa mở từ 5 giờ sáng.",
        ],
        responses: &[
            "Đã mời chủ hộ làm việc, lập biên bản và yêu cầu chấm dứt gây ồn sau 22 giờ.",
            "Đã xử phạt hành chính cơ sở kinh doanh gây tiếng ồn.",
            "Đã yêu cầu đơn vị thi công không làm việc sau 22 giờ.",
        ],
    },
    CategoryWords {
        code: "water_supply",
        weight: 4.0,
        team: "Công ty Cấp nước",
        descriptions: &[
            "Mất nước sinh hoạt từ sáng đến giờ, không có thông báo trước.",
            "Vỡ ống nước, nước chảy lênh láng ra đường.",
            "Nước máy có màu vàng đục và mùi clo nặng.",
            "Nước yếu, tầng hai không lên được nước vào giờ cao điểm.",
            "Đồng hồ nước trước nhà bị rò rỉ.",
            "Đường ống rò rỉ nhiều ngày, mặt đường lúc nào cũng ướt.",
        ],
        responses: &[
            "Đã sửa đường ống, cấp nước trở lại bình thường.",
            "Đã xả cặn đường ống, nước đã trong.",
            "Đã thay đồng hồ nước và khắc phục rò rỉ.",
        ],
    },
    CategoryWords {
        code: "food_safety",
        weight: 2.0,
        team: "Đoàn kiểm tra an toàn thực phẩm",
        descriptions: &[
            "Cơ sở làm bánh mì mất vệ sinh, nguyên liệu để dưới đất.",
            "Bán thịt không rõ nguồn gốc, không có tem kiểm dịch.",
            "Cả nhà bị đau bụng sau khi ăn tại quán.",
            "Bếp ăn có chuột, chén bát rửa bằng nước bẩn.",
            "Bán đồ ăn vặt không nhãn mác trước cổng trường.",
            "Sạp hải sản ở chợ có dấu hiệu ướp hóa chất.",
        ],
        responses: &[
            "Đoàn kiểm tra đã lấy mẫu, xử phạt và yêu cầu cơ sở khắc phục.",
            "Đã tạm đình chỉ hoạt động của cơ sở đến khi đủ điều kiện.",
            "Đã tịch thu, tiêu hủy hàng hóa không rõ nguồn gốc.",
        ],
    },
    OTHER,
];

pub const OTHER: CategoryWords = CategoryWords {
    code: "other",
    weight: 5.0,
    team: "Bộ phận chuyên môn",
    descriptions: &[
        "Biển báo giao thông bị bảng quảng cáo che khuất.",
        "Dây điện, cáp viễn thông giăng mắc lộn xộn, võng thấp sát đầu người.",
        "Quảng cáo rao vặt dán kín cột điện và tường nhà.",
        "Mái che trạm chờ xe buýt bị hư hỏng.",
        "Ghế đá trong công viên bị gãy.",
        "Vạch kẻ đường dành cho người đi bộ đã mờ hẳn.",
    ],
    responses: &[
        "Đã kiểm tra và xử lý theo nội dung phản ánh.",
        "Đã chuyển đơn vị quản lý, đơn vị đã khắc phục xong.",
        "Đã làm việc với đơn vị liên quan; vấn đề đã được giải quyết.",
    ],
};

pub fn words_of(code: &str) -> &'static CategoryWords {
    CATEGORIES.iter().find(|c| c.code == code).unwrap_or(&OTHER)
}

pub fn acknowledgement(rng: &mut Rng, team: &str) -> String {
    match rng.below(3) {
        0 => format!("Đã tiếp nhận phản ánh, chuyển {team} kiểm tra hiện trường."),
        1 => format!("Cảm ơn bạn đã phản ánh. Đã giao {team} xác minh và xử lý."),
        _ => format!("Đã tiếp nhận. {team} sẽ kiểm tra trong ngày."),
    }
}

/// A comment on starting the work, or none (it is optional).
pub fn work_started(rng: &mut Rng, team: &str) -> Option<String> {
    match rng.below(3) {
        0 => Some(format!("{team} đã có mặt tại hiện trường và đang xử lý.")),
        1 => Some("Đang xử lý, dự kiến hoàn thành trong hai ngày tới.".to_string()),
        _ => None,
    }
}

pub const REJECTIONS: &[&str] = &[
    "Vị trí phản ánh thuộc phạm vi dự án đang thi công; chủ đầu tư chịu trách nhiệm khắc phục theo hợp đồng.",
    "Kiểm tra hiện trường không thấy nội dung như phản ánh.",
    "Nội dung là tranh chấp dân sự giữa các hộ gia đình; đề nghị liên hệ tổ hòa giải ở cơ sở.",
    "Phản ánh không đủ thông tin để xác minh: ảnh không rõ vị trí, không liên lạc được người phản ánh.",
];

pub const NOTES: &[&str] = &[
    "Đã gọi điện cho người phản ánh để xác nhận vị trí.",
    "Chờ vật tư thay thế, dự kiến có trong tuần.",
    "Đã báo cáo lãnh đạo, đề nghị phối hợp với đơn vị liên quan.",
    "Khu vực này đã bị phản ánh nhiều lần, cần xử lý dứt điểm.",
];

pub const REOPENINGS: &[&str] = &[
    "Mới xử lý tạm, hai ngày sau tình trạng lại như cũ.",
    "Chưa xử lý xong như trả lời, hiện trường vẫn còn nguyên.",
];

/// Stars, mostly good, and sometimes what the reporter added.
pub fn rating(rng: &mut Rng) -> (i64, Option<String>) {
    let stars = [1, 2, 3, 4, 4, 5, 5, 5, 5, 5][rng.below(10)];
    let comments: &[&str] = match stars {
        1 | 2 => &["Xử lý chưa triệt để, vài hôm lại như cũ.", "Quá chậm so với cam kết."],
        3 => &["Đã xử lý nhưng hơi chậm."],
        _ => &["Xử lý nhanh, cảm ơn các anh chị.", "Rất hài lòng.", "Cảm ơn đã xử lý kịp thời."],
    };
    let comment = rng.chance(0.5).then(|| rng.pick(comments).to_string());
    (stars, comment)
}

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
    "Ngô", "Dương",
];
const MEN: &[(&str, &str)] = &[
    ("Văn", "An"),
    ("Minh", "Châu"),
    ("Quốc", "Dũng"),
    ("Đức", "Huy"),
    ("Văn", "Hùng"),
    ("Thanh", "Long"),
    ("Hữu", "Phúc"),
    ("Minh", "Quân"),
    ("Anh", "Tuấn"),
    ("Văn", "Trung"),
];
const WOMEN: &[(&str, &str)] = &[
    ("Thị", "Bình"),
    ("Thu", "Hà"),
    ("Thị", "Hương"),
    ("Ngọc", "Lan"),
    ("Thùy", "Linh"),
    ("Thị", "Mai"),
    ("Thanh", "Thảo"),
    ("Thu", "Trang"),
    ("Ngọc", "Yến"),
    ("Hoài", "Vy"),
];

/// A Vietnamese full name: family, middle and given name.
pub fn full_name(rng: &mut Rng) -> String {
    let family = rng.pick(FAMILY);
    let (middle, given) = if rng.chance(0.5) { rng.pick(MEN) } else { rng.pick(WOMEN) };
    format!("{family} {middle} {given}")
}

/// Streets of each demo area, by its code; any other area gets the city's main roads.
const STREETS: &[(&str, &[&str])] = &[
    ("DEMO-01", &["Lê Lợi", "Quang Trung", "Đống Đa", "Lý Tự Trọng", "Hải Phòng"]),
    ("DEMO-02", &["Trần Phú", "Bạch Đằng", "Lê Duẩn", "Phan Châu Trinh", "Hùng Vương"]),
    ("DEMO-03", &["Điện Biên Phủ", "Hà Huy Tập", "Lê Độ", "Trần Cao Vân", "Nguyễn Tất Thành"]),
    ("DEMO-04", &["Ngô Quyền", "Phạm Văn Đồng", "Trần Hưng Đạo", "Hồ Nghinh", "Lê Văn Duyệt"]),
    ("DEMO-05", &["Quốc lộ 14B", "đường ĐT602", "thôn Phước Thuận", "thôn Dương Sơn"]),
];
const MAIN_ROADS: &[&str] = &["Nguyễn Văn Linh", "Hùng Vương", "Lê Duẩn", "Nguyễn Tất Thành"];

/// A street address in the area, the way residents write them (kiệt: an alley in Đà Nẵng).
pub fn address(rng: &mut Rng, area_code: Option<&str>, area_name: &str) -> String {
    let streets =
        STREETS.iter().find(|(code, _)| Some(*code) == area_code).map_or(MAIN_ROADS, |s| s.1);
    let street = rng.pick(streets);
    let number = rng.below(250) + 1;
    let place = match rng.below(3) {
        0 => format!("{number} {street}"),
        1 => format!("Kiệt {number}/{} {street}", rng.below(40) + 1),
        _ => format!("Trước số {number} {street}"),
    };
    format!("{place}, {area_name}")
}
