//! Bytes as lowercase hexadecimal, and SHA-256 digests in that form: how signatures,
//! fingerprints, file hashes and anchors name content by its hash.

use std::hash::{Hash, Hasher};

use sha2::{Digest, Sha256};

/// `bytes` as lowercase hexadecimal, two digits each.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// The SHA-256 of `bytes`, as [`hex`].
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The SHA-256 of what `value`'s [`Hash`] feeds a hasher, after `seed`, as [`hex`]: a name for
/// a value that changes whenever any part of it does (strings end with a byte UTF-8 never holds,
/// sequences start with their length, so no two different values feed the same bytes). Stable
/// for one binary only: the standard library may feed numbers differently in another version.
pub fn sha256_of<T: Hash + ?Sized>(seed: &str, value: &T) -> String {
    struct Feed(Sha256);
    impl Hasher for Feed {
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
        fn finish(&self) -> u64 {
            0 // never asked: the digest is read whole below
        }
    }
    let mut feed = Feed(Sha256::new());
    seed.hash(&mut feed);
    value.hash(&mut feed);
    hex(&feed.0.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_two_lowercase_digits_per_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn sha256_of_tells_apart_values_that_concatenate_alike() {
        let a = sha256_of("salt", &("ab", "c"));
        assert_eq!(a, sha256_of("salt", &("ab", "c")));
        assert_ne!(a, sha256_of("salt", &("a", "bc")));
        assert_ne!(a, sha256_of("pepper", &("ab", "c")));
        assert_ne!(
            sha256_of("", &vec![vec!["a"], vec![]]),
            sha256_of("", &vec![vec![], vec!["a"]])
        );
    }

    #[test]
    fn sha256_hex_is_the_standard_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
