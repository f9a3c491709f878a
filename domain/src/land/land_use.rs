//! Land-use codes (mã loại đất) as cadastral files write them.

use crate::word::impl_word;
use crate::{Lang, Word};

/// A land-use type by its code: the codes of Circular 08/2024/TT-BTNMT (under the Law on Land
/// 2024) and those of Circular 27/2018/TT-BTNMT that files made before it still carry. Stored
/// as the upper-case code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LandUse {
    // Agricultural land.
    Luc,
    Luk,
    Lun,
    Bhk,
    Nhk,
    Cln,
    Rsx,
    Rph,
    Rdd,
    Nts,
    Lmu,
    Nkh,
    // Residential land.
    Ont,
    Odt,
    // Offices, defence and security.
    Tsc,
    Dts,
    Cqp,
    Can,
    // Public service works.
    Dvh,
    Dxh,
    Dyt,
    Dgd,
    Dtt,
    Dkh,
    Dng,
    Dsk,
    // Non-agricultural production and business.
    Skk,
    Skn,
    Skt,
    Tmd,
    Skc,
    Sks,
    Skx,
    // Public works.
    Dgt,
    Dtl,
    Ddt,
    Ddl,
    Dsh,
    Dkv,
    Dnl,
    Dbv,
    Dch,
    Dra,
    // Religion, belief, burial, water, other.
    Ton,
    Tin,
    Ntd,
    Son,
    Mnc,
    Pnk,
    // Unused land.
    Bcs,
    Dcs,
    Ncs,
}

impl_word!(LandUse {
    Luc => "LUC",
    Luk => "LUK",
    Lun => "LUN",
    Bhk => "BHK",
    Nhk => "NHK",
    Cln => "CLN",
    Rsx => "RSX",
    Rph => "RPH",
    Rdd => "RDD",
    Nts => "NTS",
    Lmu => "LMU",
    Nkh => "NKH",
    Ont => "ONT",
    Odt => "ODT",
    Tsc => "TSC",
    Dts => "DTS",
    Cqp => "CQP",
    Can => "CAN",
    Dvh => "DVH",
    Dxh => "DXH",
    Dyt => "DYT",
    Dgd => "DGD",
    Dtt => "DTT",
    Dkh => "DKH",
    Dng => "DNG",
    Dsk => "DSK",
    Skk => "SKK",
    Skn => "SKN",
    Skt => "SKT",
    Tmd => "TMD",
    Skc => "SKC",
    Sks => "SKS",
    Skx => "SKX",
    Dgt => "DGT",
    Dtl => "DTL",
    Ddt => "DDT",
    Ddl => "DDL",
    Dsh => "DSH",
    Dkv => "DKV",
    Dnl => "DNL",
    Dbv => "DBV",
    Dch => "DCH",
    Dra => "DRA",
    Ton => "TON",
    Tin => "TIN",
    Ntd => "NTD",
    Son => "SON",
    Mnc => "MNC",
    Pnk => "PNK",
    Bcs => "BCS",
    Dcs => "DCS",
    Ncs => "NCS",
});

impl LandUse {
    /// The code as a file writes it, in any case, spaces around it aside.
    pub fn from_code(code: &str) -> Option<LandUse> {
        LandUse::from_word(&code.trim().to_ascii_uppercase())
    }

    /// The type's name as the circulars give it, for a resident's answer.
    pub fn name(self, lang: Lang) -> &'static str {
        let (vi, en) = self.names();
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    const fn names(self) -> (&'static str, &'static str) {
        match self {
            LandUse::Luc => ("Đất chuyên trồng lúa nước", "Specialised wet-rice land"),
            LandUse::Luk => ("Đất trồng lúa nước còn lại", "Other wet-rice land"),
            LandUse::Lun => ("Đất trồng lúa nương", "Upland rice land"),
            LandUse::Bhk => {
                ("Đất bằng trồng cây hàng năm khác", "Flat land for other annual crops")
            }
            LandUse::Nhk => {
                ("Đất nương rẫy trồng cây hàng năm khác", "Upland fields for other annual crops")
            }
            LandUse::Cln => ("Đất trồng cây lâu năm", "Perennial crop land"),
            LandUse::Rsx => ("Đất rừng sản xuất", "Production forest land"),
            LandUse::Rph => ("Đất rừng phòng hộ", "Protection forest land"),
            LandUse::Rdd => ("Đất rừng đặc dụng", "Special-use forest land"),
            LandUse::Nts => ("Đất nuôi trồng thủy sản", "Aquaculture land"),
            LandUse::Lmu => ("Đất làm muối", "Salt-making land"),
            LandUse::Nkh => ("Đất nông nghiệp khác", "Other agricultural land"),
            LandUse::Ont => ("Đất ở tại nông thôn", "Rural residential land"),
            LandUse::Odt => ("Đất ở tại đô thị", "Urban residential land"),
            LandUse::Tsc => ("Đất xây dựng trụ sở cơ quan", "Land for government offices"),
            LandUse::Dts => (
                "Đất xây dựng trụ sở của tổ chức sự nghiệp",
                "Land for offices of public service organisations",
            ),
            LandUse::Cqp => ("Đất quốc phòng", "Defence land"),
            LandUse::Can => ("Đất an ninh", "Security land"),
            LandUse::Dvh => ("Đất xây dựng cơ sở văn hóa", "Land for cultural facilities"),
            LandUse::Dxh => {
                ("Đất xây dựng cơ sở dịch vụ xã hội", "Land for social service facilities")
            }
            LandUse::Dyt => ("Đất xây dựng cơ sở y tế", "Land for health facilities"),
            LandUse::Dgd => (
                "Đất xây dựng cơ sở giáo dục và đào tạo",
                "Land for education and training facilities",
            ),
            LandUse::Dtt => ("Đất xây dựng cơ sở thể dục thể thao", "Land for sports facilities"),
            LandUse::Dkh => (
                "Đất xây dựng cơ sở khoa học và công nghệ",
                "Land for science and technology facilities",
            ),
            LandUse::Dng => ("Đất xây dựng cơ sở ngoại giao", "Land for diplomatic facilities"),
            LandUse::Dsk => {
                ("Đất xây dựng công trình sự nghiệp khác", "Land for other public service works")
            }
            LandUse::Skk => ("Đất khu công nghiệp", "Industrial park land"),
            LandUse::Skn => ("Đất cụm công nghiệp", "Industrial cluster land"),
            LandUse::Skt => ("Đất khu chế xuất", "Export processing zone land"),
            LandUse::Tmd => ("Đất thương mại, dịch vụ", "Commercial and service land"),
            LandUse::Skc => {
                ("Đất cơ sở sản xuất phi nông nghiệp", "Land for non-agricultural production")
            }
            LandUse::Sks => ("Đất sử dụng cho hoạt động khoáng sản", "Mining land"),
            LandUse::Skx => (
                "Đất sản xuất vật liệu xây dựng, làm đồ gốm",
                "Land for building materials and pottery production",
            ),
            LandUse::Dgt => ("Đất giao thông", "Transport land"),
            LandUse::Dtl => ("Đất thủy lợi", "Irrigation land"),
            LandUse::Ddt => {
                ("Đất có di tích lịch sử - văn hóa", "Historical and cultural relic land")
            }
            LandUse::Ddl => ("Đất danh lam thắng cảnh", "Scenic landscape land"),
            LandUse::Dsh => ("Đất sinh hoạt cộng đồng", "Community activity land"),
            LandUse::Dkv => ("Đất khu vui chơi, giải trí công cộng", "Public recreation land"),
            LandUse::Dnl => ("Đất công trình năng lượng", "Energy works land"),
            LandUse::Dbv => {
                ("Đất công trình bưu chính, viễn thông", "Post and telecoms works land")
            }
            LandUse::Dch => ("Đất chợ", "Market land"),
            LandUse::Dra => ("Đất bãi thải, xử lý chất thải", "Waste dump and treatment land"),
            LandUse::Ton => ("Đất cơ sở tôn giáo", "Religious establishment land"),
            LandUse::Tin => ("Đất cơ sở tín ngưỡng", "Belief establishment land"),
            LandUse::Ntd => (
                "Đất làm nghĩa trang, nghĩa địa, nhà tang lễ, nhà hỏa táng",
                "Cemetery, funeral home and crematorium land",
            ),
            LandUse::Son => ("Đất sông, ngòi, kênh, rạch, suối", "Rivers, canals and streams"),
            LandUse::Mnc => ("Đất có mặt nước chuyên dùng", "Special-use water surface"),
            LandUse::Pnk => ("Đất phi nông nghiệp khác", "Other non-agricultural land"),
            LandUse::Bcs => ("Đất bằng chưa sử dụng", "Unused flat land"),
            LandUse::Dcs => ("Đất đồi núi chưa sử dụng", "Unused hilly land"),
            LandUse::Ncs => ("Núi đá không có rừng cây", "Rocky mountain without forest"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_three_upper_case_letters_once_with_both_names() {
        let mut codes: Vec<&str> = LandUse::ALL.iter().map(|code| code.as_str()).collect();
        assert!(codes.iter().all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), LandUse::ALL.len());
        for code in LandUse::ALL {
            assert!(code.name(Lang::Vi).starts_with("Đất") || code == LandUse::Ncs, "{code:?}");
            assert!(!code.name(Lang::En).is_empty(), "{code:?}");
        }
    }

    #[test]
    fn the_codes_files_carry_are_known() {
        let required = "LUC LUK LUN BHK NHK CLN RSX RPH RDD NTS LMU NKH ONT ODT TSC DGD DYT DVH \
            DTT SKC TMD SKK SKN DGT DTL DNL DBV DCH DKV DSH TON TIN NTD SON MNC PNK BCS DCS NCS \
            CQP CAN";
        for code in required.split_whitespace() {
            assert_eq!(LandUse::from_code(code).map(LandUse::as_str), Some(code));
        }
        assert_eq!(LandUse::Odt.name(Lang::Vi), "Đất ở tại đô thị");
        assert_eq!(LandUse::Cln.name(Lang::Vi), "Đất trồng cây lâu năm");
        assert_eq!(LandUse::Ont.name(Lang::En), "Rural residential land");
    }

    #[test]
    fn codes_are_read_in_any_case_and_stored_upper_case() {
        assert_eq!(LandUse::from_code("odt"), Some(LandUse::Odt));
        assert_eq!(LandUse::from_code(" Cln "), Some(LandUse::Cln));
        for unknown in ["", "OD", "ODTT", "XYZ", "ODT+CLN", "đất ở"] {
            assert_eq!(LandUse::from_code(unknown), None, "{unknown:?}");
        }
    }
}
