//! The two base64 forms the format uses: canonical unpadded base64url for the token's parts
//! and published public keys, and standard padded base64 that key loaders also accept.

const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn url_value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

fn standard_value(c: u8) -> Option<u32> {
    match c {
        b'+' => Some(62),
        b'/' => Some(63),
        b'-' | b'_' => None,
        _ => url_value(c),
    }
}

/// Decodes unpadded base64 in the alphabet `value` maps, refusing anything that is not the
/// one canonical encoding of its bytes: a length of 1 mod 4, or non-zero unused low bits in
/// the last character.
fn decode_unpadded(text: &[u8], value: fn(u8) -> Option<u32>) -> Option<Vec<u8>> {
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.chunks(4) {
        let mut bits: u32 = 0;
        for &c in chunk {
            bits = (bits << 6) | value(c)?;
        }
        match chunk.len() {
            4 => out.extend_from_slice(&[(bits >> 16) as u8, (bits >> 8) as u8, bits as u8]),
            3 => {
                if bits & 0b11 != 0 {
                    return None;
                }
                out.extend_from_slice(&[(bits >> 10) as u8, (bits >> 2) as u8]);
            }
            _ => {
                if bits & 0b1111 != 0 {
                    return None;
                }
                out.push((bits >> 4) as u8);
            }
        }
    }
    Some(out)
}

/// Canonical unpadded base64url (`A-Z a-z 0-9 - _`), or `None`. The empty text decodes to
/// no bytes; callers that need a non-empty part check that themselves.
pub(crate) fn decode_url(text: &[u8]) -> Option<Vec<u8>> {
    decode_unpadded(text, url_value)
}

/// Standard base64 (`+ /`) with its `=` padding, canonical, or `None`.
pub(crate) fn decode_standard_padded(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() % 4 != 0 {
        return None;
    }
    let pad = text.iter().rev().take_while(|&&c| c == b'=').count();
    if pad > 2 {
        return None;
    }
    decode_unpadded(&text[..text.len() - pad], standard_value)
}

pub(crate) fn encode_url(data: &[u8]) -> String {
    let mut out = String::with_capacity((data.len() * 4 + 2) / 3);
    for chunk in data.chunks(3) {
        let mut bits: u32 = 0;
        for (i, &b) in chunk.iter().enumerate() {
            bits |= u32::from(b) << (16 - 8 * i);
        }
        for i in 0..=chunk.len() {
            out.push(URL[((bits >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_then_decoding_gives_the_bytes_back_for_every_length() {
        let data: Vec<u8> = (0..=255u8).collect();
        for n in 0..40 {
            let text = encode_url(&data[..n]);
            assert!(!text.contains('='));
            assert_eq!(decode_url(text.as_bytes()).unwrap(), &data[..n]);
        }
    }

    #[test]
    fn encodes_like_rfc_4648_without_padding() {
        assert_eq!(encode_url(b"f"), "Zg");
        assert_eq!(encode_url(b"fo"), "Zm8");
        assert_eq!(encode_url(b"foo"), "Zm9v");
        assert_eq!(encode_url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn a_length_of_one_mod_four_is_refused() {
        assert_eq!(decode_url(b"Zm9vY"), None);
    }

    #[test]
    fn non_zero_unused_bits_in_the_last_character_are_refused() {
        assert_eq!(decode_url(b"Zg").unwrap(), b"f");
        assert_eq!(decode_url(b"Zh"), None);
        assert_eq!(decode_url(b"Zm8").unwrap(), b"fo");
        assert_eq!(decode_url(b"Zm9"), None);
    }

    #[test]
    fn padding_and_the_standard_alphabet_are_not_base64url() {
        assert_eq!(decode_url(b"Zg=="), None);
        assert_eq!(decode_url(b"+/8"), None);
        assert_eq!(decode_url(b"Zm 9"), None);
    }

    #[test]
    fn standard_base64_needs_its_padding_and_its_own_alphabet() {
        assert_eq!(decode_standard_padded(b"+/8=").unwrap(), [0xfb, 0xff]);
        assert_eq!(decode_standard_padded(b"Zg==").unwrap(), b"f");
        assert_eq!(decode_standard_padded(b"Zg"), None);
        assert_eq!(decode_standard_padded(b"-_8="), None);
        assert_eq!(decode_standard_padded(b"Zh=="), None);
        assert_eq!(decode_standard_padded(b"Z==="), None);
        assert_eq!(decode_standard_padded(b"Zg=a"), None);
    }
}
