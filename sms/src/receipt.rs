//! What an SMSC delivers: receipts (`deliver_sm` with the receipt bit in esm_class) into
//! [`DeliveryReport`]s, and anything else as a person's [`Reply`].
//!
//! SMPP 3.4 leaves the receipt's text to the SMSC but its appendix B shows the format nearly
//! every SMSC uses: `id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done
//! date:YYMMDDhhmm stat:DDDDDDD err:E text:…`. Where the SMSC also sends the
//! `receipted_message_id` and `message_state` TLVs, those win: they are not free text.

use crate::{DeliveryReport, Reply};
use rusmpp::pdus::DeliverSm;
use rusmpp::tlvs::TlvValue;
use rusmpp::values::MessageState;

/// esm_class bits 5..2 = 0001: "short message contains SMSC delivery receipt".
const RECEIPT_BITS: u8 = 0b0011_1100;
const RECEIPT: u8 = 0b0000_0100;

/// The report in a `deliver_sm`, or `None` when it is not a receipt (a mobile-originated
/// message, say) or names no message.
pub(crate) fn parse(deliver: &DeliverSm) -> Option<DeliveryReport> {
    let mut tlv_id = None;
    let mut tlv_state = None;
    for tlv in deliver.tlvs() {
        match tlv.value() {
            Some(TlvValue::ReceiptedMessageId(id)) => tlv_id = Some(id.as_str().to_string()),
            Some(TlvValue::MessageState(state)) => tlv_state = Some(*state),
            _ => {}
        }
    }
    let is_receipt = u8::from(deliver.esm_class) & RECEIPT_BITS == RECEIPT;
    if !is_receipt && tlv_id.is_none() {
        return None;
    }
    let text = String::from_utf8_lossy(deliver.short_message());
    let provider_id = tlv_id.or_else(|| field(&text, "id:"))?;
    if provider_id.is_empty() {
        return None;
    }
    let detail = match tlv_state {
        Some(state) => state_word(state).to_string(),
        None => field(&text, "stat:").unwrap_or_else(|| "UNKNOWN".to_string()),
    };
    let detail = detail.to_ascii_uppercase();
    Some(DeliveryReport { provider_id, delivered: detail == "DELIVRD", detail })
}

/// A mobile-originated `deliver_sm`: UCS-2 (data_coding 8) read as UTF-16BE; anything else as
/// the GSM default alphabet, whose letters, digits and space are ASCII's (what a keyword
/// needs), other octets read as `?`.
pub(crate) fn reply(deliver: &DeliverSm) -> Reply {
    let bytes = deliver.short_message();
    let text = if u8::from(deliver.data_coding) == 0x08 {
        let units: Vec<u16> =
            bytes.chunks_exact(2).map(|pair| u16::from_be_bytes([pair[0], pair[1]])).collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes
            .iter()
            .map(|&b| if b.is_ascii_alphanumeric() || b == b' ' { b as char } else { '?' })
            .collect()
    };
    Reply { from: deliver.source_addr.to_string(), text }
}

/// The value after `key` up to the next space, matched case-insensitively at a word start.
fn field(text: &str, key: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(key) {
        let at = from + found;
        if at == 0 || lower.as_bytes()[at - 1] == b' ' {
            let rest = &text[at + key.len()..];
            return Some(rest.split(' ').next().unwrap_or("").to_string());
        }
        from = at + key.len();
    }
    None
}

fn state_word(state: MessageState) -> &'static str {
    match state {
        MessageState::Enroute => "ENROUTE",
        MessageState::Delivered => "DELIVRD",
        MessageState::Expired => "EXPIRED",
        MessageState::Deleted => "DELETED",
        MessageState::Undeliverable => "UNDELIV",
        MessageState::Accepted => "ACCEPTD",
        MessageState::Rejected => "REJECTD",
        _ => "UNKNOWN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusmpp::types::OctetString;
    use rusmpp::values::EsmClass;

    fn receipt(text: &str) -> DeliverSm {
        let mut d = DeliverSm::default();
        d.esm_class = EsmClass::from(0x04);
        d.set_short_message(OctetString::from_slice(text.as_bytes()).unwrap());
        d
    }

    #[test]
    fn text_receipt() {
        let r = parse(&receipt(
            "id:0000000042 sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 \
             stat:DELIVRD err:000 text:Ho so da co",
        ))
        .unwrap();
        assert_eq!(
            r,
            DeliveryReport {
                provider_id: "0000000042".into(),
                delivered: true,
                detail: "DELIVRD".into()
            }
        );
        let r = parse(&receipt("id:7 sub:001 dlvrd:000 stat:UNDELIV err:001")).unwrap();
        assert!(!r.delivered);
        assert_eq!(r.detail, "UNDELIV");
    }

    #[test]
    fn not_a_receipt() {
        let mut d = receipt("id:1 stat:DELIVRD");
        d.esm_class = EsmClass::from(0x00);
        assert_eq!(parse(&d), None);
        assert_eq!(parse(&receipt("hello")), None);
    }
}
