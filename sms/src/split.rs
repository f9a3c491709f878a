//! Text to `short_message` payloads: GSM 7-bit (one septet per octet, the crate's default
//! alphabet with its escape table) or UTF-16BE, split into concatenated parts with a UDH when it
//! does not fit one message.
//!
//! rusmpp-extra has a multipart builder, but it counts parts in octets of a 140-octet message,
//! which gives 134 GSM characters a part instead of the 153 handsets and operators count (the
//! SMSC packs septets; the 6-octet UDH costs 7 septets). So the split is here; the alphabet is
//! the crate's.

use crate::{Encoding, SendError};
use rusmpp::extra::encoding::gsm7bit::Gsm7BitUnpacked;

const GSM_SINGLE: usize = 160;
const GSM_PART: usize = 153;
const UCS2_SINGLE_UNITS: usize = 70;
const UCS2_PART_UNITS: usize = 67;
const ESCAPE: u8 = 0x1B;
const MAX_PARTS: usize = 255;

/// `data_coding` values of SMPP 3.4: SMSC default alphabet, UCS-2.
pub(crate) const DATA_CODING_DEFAULT: u8 = 0x00;
pub(crate) const DATA_CODING_UCS2: u8 = 0x08;

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Payloads {
    pub data_coding: u8,
    /// Whether each payload starts with a UDH (esm_class 0x40).
    pub udhi: bool,
    pub parts: Vec<Vec<u8>>,
}

pub(crate) fn payloads(
    text: &str,
    encoding: Encoding,
    reference: u8,
) -> Result<Payloads, SendError> {
    let (data_coding, chunks) = match encoding {
        Encoding::Gsm7 => {
            let septets = Gsm7BitUnpacked::new().encode_to_vec(text).map_err(|e| {
                SendError::Permanent(format!("text not in the GSM 7-bit alphabet: {e:?}"))
            })?;
            (DATA_CODING_DEFAULT, split_gsm(septets))
        }
        Encoding::Ucs2 => (DATA_CODING_UCS2, split_ucs2(text)),
    };
    if chunks.len() > MAX_PARTS {
        return Err(SendError::Permanent(format!("text too long: {} parts", chunks.len())));
    }
    if chunks.len() == 1 {
        return Ok(Payloads { data_coding, udhi: false, parts: chunks });
    }
    let total = chunks.len() as u8;
    let parts = chunks
        .into_iter()
        .enumerate()
        .map(|(index, chunk)| {
            // IEI 0x00: concatenated short message, 8-bit reference; length 3.
            let mut payload = vec![0x05, 0x00, 0x03, reference, total, index as u8 + 1];
            payload.extend_from_slice(&chunk);
            payload
        })
        .collect();
    Ok(Payloads { data_coding, udhi: true, parts })
}

fn split_gsm(septets: Vec<u8>) -> Vec<Vec<u8>> {
    if septets.len() <= GSM_SINGLE {
        return vec![septets];
    }
    let mut parts = Vec::new();
    let mut start = 0;
    while start < septets.len() {
        let mut end = (start + GSM_PART).min(septets.len());
        // An escape and the character it escapes stay in one part, or neither half decodes.
        if end < septets.len() && ends_with_open_escape(&septets[start..end]) {
            end -= 1;
        }
        parts.push(septets[start..end].to_vec());
        start = end;
    }
    parts
}

/// Whether the slice ends with an escape that starts a pair (not the second half of one).
fn ends_with_open_escape(slice: &[u8]) -> bool {
    let trailing = slice.iter().rev().take_while(|&&b| b == ESCAPE).count();
    trailing % 2 == 1
}

fn split_ucs2(text: &str) -> Vec<Vec<u8>> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let chunks: Vec<&[u16]> = if units.len() <= UCS2_SINGLE_UNITS {
        vec![&units[..]]
    } else {
        let mut chunks = Vec::new();
        let mut start = 0;
        while start < units.len() {
            let mut end = (start + UCS2_PART_UNITS).min(units.len());
            // A surrogate pair (emoji) stays in one part.
            if end < units.len() && (0xD800..0xDC00).contains(&units[end - 1]) {
                end -= 1;
            }
            chunks.push(&units[start..end]);
            start = end;
        }
        chunks
    };
    chunks.into_iter().map(|chunk| chunk.iter().flat_map(|u| u.to_be_bytes()).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_gsm_is_one_part_without_udh() {
        let p = payloads("Hello €", Encoding::Gsm7, 1).unwrap();
        assert_eq!(p.data_coding, 0);
        assert!(!p.udhi);
        assert_eq!(p.parts, vec![b"Hello \x1b\x65".to_vec()]);
    }

    #[test]
    fn gsm_160_is_single_161_is_two_parts_of_153() {
        let p = payloads(&"a".repeat(160), Encoding::Gsm7, 1).unwrap();
        assert_eq!(p.parts.len(), 1);
        let p = payloads(&"a".repeat(161), Encoding::Gsm7, 7).unwrap();
        assert_eq!(p.parts.len(), 2);
        assert_eq!(&p.parts[0][..6], &[5, 0, 3, 7, 2, 1]);
        assert_eq!(p.parts[0].len(), 6 + 153);
        assert_eq!(&p.parts[1][..6], &[5, 0, 3, 7, 2, 2]);
        assert_eq!(p.parts[1].len(), 6 + 8);
    }

    #[test]
    fn escape_pairs_are_not_split() {
        let text = format!("{}{{{}", "a".repeat(152), "b".repeat(20));
        let p = payloads(&text, Encoding::Gsm7, 1).unwrap();
        assert_eq!(p.parts[0].len(), 6 + 152);
        assert_eq!(&p.parts[1][6..8], &[0x1B, 0x28]);
    }

    #[test]
    fn ucs2_70_single_71_two_parts_of_67() {
        let p = payloads(&"ồ".repeat(70), Encoding::Ucs2, 1).unwrap();
        assert_eq!((p.data_coding, p.parts.len(), p.parts[0].len()), (8, 1, 140));
        let p = payloads(&"ồ".repeat(71), Encoding::Ucs2, 1).unwrap();
        assert_eq!(p.parts.len(), 2);
        assert_eq!(p.parts[0].len(), 6 + 134);
    }

    #[test]
    fn surrogate_pairs_are_not_split() {
        let text = format!("{}😀{}", "a".repeat(66), "b".repeat(10));
        let p = payloads(&text, Encoding::Ucs2, 1).unwrap();
        assert_eq!(p.parts[0].len(), 6 + 66 * 2);
    }

    #[test]
    fn vietnamese_is_not_gsm() {
        assert!(matches!(payloads("Hồ sơ", Encoding::Gsm7, 1), Err(SendError::Permanent(_))));
    }
}
