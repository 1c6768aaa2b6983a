//! Hexadecimal text for bytes, as the JSON-RPC interface writes keys, ids
//! and transactions: lowercase, no prefix on output, an optional `0x` on input.

use std::fmt::Write as _;

/// `bytes` as lowercase hexadecimal.
pub fn encode(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

/// The bytes `text` spells, with or without a `0x` prefix; `Err` says why not.
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    if !digits.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits ({})", digits.len()));
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    digits
        .as_bytes()
        .chunks(2)
        .enumerate()
        .map(|(index, pair)| match (nibble(pair[0]), nibble(pair[1])) {
            (Some(high), Some(low)) => Ok(high << 4 | low),
            _ => Err(format!("not a hex digit at position {}", index * 2)),
        })
        .collect()
}

/// The 32 bytes `text` spells; `Err` says why it is not 32 bytes of hex.
pub fn decode32(text: &str) -> Result<[u8; 32], String> {
    let bytes = decode(text)?;
    let length = bytes.len();
    bytes.try_into().map_err(|_| format!("expected 32 bytes (64 hex digits), found {length}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_says_what_is_wrong() {
        assert_eq!(encode(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(decode("0x00AB10").unwrap(), vec![0, 0xab, 0x10]);
        assert_eq!(decode("abc").unwrap_err(), "odd number of hex digits (3)");
        assert_eq!(decode("zz").unwrap_err(), "not a hex digit at position 0");
        assert_eq!(decode32("00").unwrap_err(), "expected 32 bytes (64 hex digits), found 1");
    }
}
