//! Vectors of the RFCs, as tables: RFC 4226 Appendix D, RFC 6238 Appendix B (with the
//! per-algorithm keys of erratum 2866), RFC 6287 Appendix C (all 70).

use otpkit::ocra::Role;

pub const SEED20: &[u8] = b"12345678901234567890";
pub const SEED32: &[u8] = b"12345678901234567890123456789012";
pub const SEED64: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

/// RFC 4226 Appendix D: (count, truncated decimal value, 6-digit HOTP).
pub const RFC4226: [(u64, u32, &str); 10] = [
    (0, 1284755224, "755224"),
    (1, 1094287082, "287082"),
    (2, 137359152, "359152"),
    (3, 1726969429, "969429"),
    (4, 1640338314, "338314"),
    (5, 868254676, "254676"),
    (6, 1918287922, "287922"),
    (7, 82162583, "162583"),
    (8, 673399871, "399871"),
    (9, 645520489, "520489"),
];

/// RFC 6238 Appendix B: (unix time, step, SHA-1, SHA-256, SHA-512), 8 digits, X = 30, T0 = 0.
pub const RFC6238: [(u64, u64, &str, &str, &str); 6] = [
    (59, 0x1, "94287082", "46119246", "90693936"),
    (1111111109, 0x23523EC, "07081804", "68084774", "25091201"),
    (1111111111, 0x23523ED, "14050471", "67062674", "99943326"),
    (1234567890, 0x273EF07, "89005924", "91819424", "93441116"),
    (2000000000, 0x3F940AA, "69279037", "90698825", "38618901"),
    (20000000000, 0x27BC86AA, "65353130", "77737706", "47863826"),
];

/// The challenge column: one question, or a mutual pair (role, client's, server's).
pub enum Q {
    One(&'static str),
    Mutual(Role, &'static str, &'static str),
}

/// One row of RFC 6287 Appendix C; `key` is the standard key length, `t` the timestamp in
/// minutes.
pub struct V {
    pub n: usize,
    pub suite: &'static str,
    pub key: usize,
    pub counter: Option<u64>,
    pub q: Q,
    pub pin: Option<&'static [u8]>,
    pub t: Option<u64>,
    pub ocra: &'static str,
}

#[rustfmt::skip]
pub const RFC6287: [V; 70] = [
    V { n: 1, suite: "OCRA-1:HOTP-SHA1-6:QN08", key: 20, counter: None, q: Q::One("00000000"), pin: None, t: None, ocra: "237653" },
    V { n: 2, suite: "OCRA-1:HOTP-SHA1-6:QN08", key: 20, counter: None, q: Q::One("11111111"), pin: None, t: None, ocra: "243178" },
    V { n: 3, suite: "OCRA-1:HOTP-SHA1-6:QN08", key: 20, counter: None, q: Q::One("22222222"), pin: None, t: None, ocra: "653583" },
    V { n: 4, suite: "OCRA-1:HOTP-SHA1-6:QN08", key: 20, counter: None, q: Q::One("33333333"), pin: None, t: None, ocra: "740991" },
    V { n: 5, suite: "OCRA-1:HOTP-SHA1-6:QN08", key: 20, counter: None, q: Q::One("44444444"), pin: None, t: None, ocra: "608993" },
    V { n: 6, suite: "OCRA-1:HOTP-SHA1-6:QN08", key: 20, counter: None, q: Q::One("55555555"), pin: None, t: None, ocra: "388898" },
    V { n: 7, suite: "OCRA-1:HOTP-SHA1-6:QN08", key: 20, counter: None, q: Q::One("66666666"), pin: None, t: None, ocra: "816933" },
    V { n: 8, suite: "OCRA-1:HOTP-SHA1-6:QN08", key: 20, counter: None, q: Q::One("77777777"), pin: None, t: None, ocra: "224598" },
    V { n: 9, suite: "OCRA-1:HOTP-SHA1-6:QN08", key: 20, counter: None, q: Q::One("88888888"), pin: None, t: None, ocra: "750600" },
    V { n: 10, suite: "OCRA-1:HOTP-SHA1-6:QN08", key: 20, counter: None, q: Q::One("99999999"), pin: None, t: None, ocra: "294470" },
    V { n: 11, suite: "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", key: 32, counter: Some(0), q: Q::One("12345678"), pin: Some(b"1234"), t: None, ocra: "65347737" },
    V { n: 12, suite: "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", key: 32, counter: Some(1), q: Q::One("12345678"), pin: Some(b"1234"), t: None, ocra: "86775851" },
    V { n: 13, suite: "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", key: 32, counter: Some(2), q: Q::One("12345678"), pin: Some(b"1234"), t: None, ocra: "78192410" },
    V { n: 14, suite: "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", key: 32, counter: Some(3), q: Q::One("12345678"), pin: Some(b"1234"), t: None, ocra: "71565254" },
    V { n: 15, suite: "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", key: 32, counter: Some(4), q: Q::One("12345678"), pin: Some(b"1234"), t: None, ocra: "10104329" },
    V { n: 16, suite: "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", key: 32, counter: Some(5), q: Q::One("12345678"), pin: Some(b"1234"), t: None, ocra: "65983500" },
    V { n: 17, suite: "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", key: 32, counter: Some(6), q: Q::One("12345678"), pin: Some(b"1234"), t: None, ocra: "70069104" },
    V { n: 18, suite: "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", key: 32, counter: Some(7), q: Q::One("12345678"), pin: Some(b"1234"), t: None, ocra: "91771096" },
    V { n: 19, suite: "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", key: 32, counter: Some(8), q: Q::One("12345678"), pin: Some(b"1234"), t: None, ocra: "75011558" },
    V { n: 20, suite: "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1", key: 32, counter: Some(9), q: Q::One("12345678"), pin: Some(b"1234"), t: None, ocra: "08522129" },
    V { n: 21, suite: "OCRA-1:HOTP-SHA256-8:QN08-PSHA1", key: 32, counter: None, q: Q::One("00000000"), pin: Some(b"1234"), t: None, ocra: "83238735" },
    V { n: 22, suite: "OCRA-1:HOTP-SHA256-8:QN08-PSHA1", key: 32, counter: None, q: Q::One("11111111"), pin: Some(b"1234"), t: None, ocra: "01501458" },
    V { n: 23, suite: "OCRA-1:HOTP-SHA256-8:QN08-PSHA1", key: 32, counter: None, q: Q::One("22222222"), pin: Some(b"1234"), t: None, ocra: "17957585" },
    V { n: 24, suite: "OCRA-1:HOTP-SHA256-8:QN08-PSHA1", key: 32, counter: None, q: Q::One("33333333"), pin: Some(b"1234"), t: None, ocra: "86776967" },
    V { n: 25, suite: "OCRA-1:HOTP-SHA256-8:QN08-PSHA1", key: 32, counter: None, q: Q::One("44444444"), pin: Some(b"1234"), t: None, ocra: "86807031" },
    V { n: 26, suite: "OCRA-1:HOTP-SHA512-8:C-QN08", key: 64, counter: Some(0), q: Q::One("00000000"), pin: None, t: None, ocra: "07016083" },
    V { n: 27, suite: "OCRA-1:HOTP-SHA512-8:C-QN08", key: 64, counter: Some(1), q: Q::One("11111111"), pin: None, t: None, ocra: "63947962" },
    V { n: 28, suite: "OCRA-1:HOTP-SHA512-8:C-QN08", key: 64, counter: Some(2), q: Q::One("22222222"), pin: None, t: None, ocra: "70123924" },
    V { n: 29, suite: "OCRA-1:HOTP-SHA512-8:C-QN08", key: 64, counter: Some(3), q: Q::One("33333333"), pin: None, t: None, ocra: "25341727" },
    V { n: 30, suite: "OCRA-1:HOTP-SHA512-8:C-QN08", key: 64, counter: Some(4), q: Q::One("44444444"), pin: None, t: None, ocra: "33203315" },
    V { n: 31, suite: "OCRA-1:HOTP-SHA512-8:C-QN08", key: 64, counter: Some(5), q: Q::One("55555555"), pin: None, t: None, ocra: "34205738" },
    V { n: 32, suite: "OCRA-1:HOTP-SHA512-8:C-QN08", key: 64, counter: Some(6), q: Q::One("66666666"), pin: None, t: None, ocra: "44343969" },
    V { n: 33, suite: "OCRA-1:HOTP-SHA512-8:C-QN08", key: 64, counter: Some(7), q: Q::One("77777777"), pin: None, t: None, ocra: "51946085" },
    V { n: 34, suite: "OCRA-1:HOTP-SHA512-8:C-QN08", key: 64, counter: Some(8), q: Q::One("88888888"), pin: None, t: None, ocra: "20403879" },
    V { n: 35, suite: "OCRA-1:HOTP-SHA512-8:C-QN08", key: 64, counter: Some(9), q: Q::One("99999999"), pin: None, t: None, ocra: "31409299" },
    V { n: 36, suite: "OCRA-1:HOTP-SHA512-8:QN08-T1M", key: 64, counter: None, q: Q::One("00000000"), pin: None, t: Some(0x132d0b6), ocra: "95209754" },
    V { n: 37, suite: "OCRA-1:HOTP-SHA512-8:QN08-T1M", key: 64, counter: None, q: Q::One("11111111"), pin: None, t: Some(0x132d0b6), ocra: "55907591" },
    V { n: 38, suite: "OCRA-1:HOTP-SHA512-8:QN08-T1M", key: 64, counter: None, q: Q::One("22222222"), pin: None, t: Some(0x132d0b6), ocra: "22048402" },
    V { n: 39, suite: "OCRA-1:HOTP-SHA512-8:QN08-T1M", key: 64, counter: None, q: Q::One("33333333"), pin: None, t: Some(0x132d0b6), ocra: "24218844" },
    V { n: 40, suite: "OCRA-1:HOTP-SHA512-8:QN08-T1M", key: 64, counter: None, q: Q::One("44444444"), pin: None, t: Some(0x132d0b6), ocra: "36209546" },
    V { n: 41, suite: "OCRA-1:HOTP-SHA256-8:QA08", key: 32, counter: None, q: Q::Mutual(Role::Server, "CLI22220", "SRV11110"), pin: None, t: None, ocra: "28247970" },
    V { n: 42, suite: "OCRA-1:HOTP-SHA256-8:QA08", key: 32, counter: None, q: Q::Mutual(Role::Server, "CLI22221", "SRV11111"), pin: None, t: None, ocra: "01984843" },
    V { n: 43, suite: "OCRA-1:HOTP-SHA256-8:QA08", key: 32, counter: None, q: Q::Mutual(Role::Server, "CLI22222", "SRV11112"), pin: None, t: None, ocra: "65387857" },
    V { n: 44, suite: "OCRA-1:HOTP-SHA256-8:QA08", key: 32, counter: None, q: Q::Mutual(Role::Server, "CLI22223", "SRV11113"), pin: None, t: None, ocra: "03351211" },
    V { n: 45, suite: "OCRA-1:HOTP-SHA256-8:QA08", key: 32, counter: None, q: Q::Mutual(Role::Server, "CLI22224", "SRV11114"), pin: None, t: None, ocra: "83412541" },
    V { n: 46, suite: "OCRA-1:HOTP-SHA256-8:QA08", key: 32, counter: None, q: Q::Mutual(Role::Client, "CLI22220", "SRV11110"), pin: None, t: None, ocra: "15510767" },
    V { n: 47, suite: "OCRA-1:HOTP-SHA256-8:QA08", key: 32, counter: None, q: Q::Mutual(Role::Client, "CLI22221", "SRV11111"), pin: None, t: None, ocra: "90175646" },
    V { n: 48, suite: "OCRA-1:HOTP-SHA256-8:QA08", key: 32, counter: None, q: Q::Mutual(Role::Client, "CLI22222", "SRV11112"), pin: None, t: None, ocra: "33777207" },
    V { n: 49, suite: "OCRA-1:HOTP-SHA256-8:QA08", key: 32, counter: None, q: Q::Mutual(Role::Client, "CLI22223", "SRV11113"), pin: None, t: None, ocra: "95285278" },
    V { n: 50, suite: "OCRA-1:HOTP-SHA256-8:QA08", key: 32, counter: None, q: Q::Mutual(Role::Client, "CLI22224", "SRV11114"), pin: None, t: None, ocra: "28934924" },
    V { n: 51, suite: "OCRA-1:HOTP-SHA512-8:QA08", key: 64, counter: None, q: Q::Mutual(Role::Server, "CLI22220", "SRV11110"), pin: None, t: None, ocra: "79496648" },
    V { n: 52, suite: "OCRA-1:HOTP-SHA512-8:QA08", key: 64, counter: None, q: Q::Mutual(Role::Server, "CLI22221", "SRV11111"), pin: None, t: None, ocra: "76831980" },
    V { n: 53, suite: "OCRA-1:HOTP-SHA512-8:QA08", key: 64, counter: None, q: Q::Mutual(Role::Server, "CLI22222", "SRV11112"), pin: None, t: None, ocra: "12250499" },
    V { n: 54, suite: "OCRA-1:HOTP-SHA512-8:QA08", key: 64, counter: None, q: Q::Mutual(Role::Server, "CLI22223", "SRV11113"), pin: None, t: None, ocra: "90856481" },
    V { n: 55, suite: "OCRA-1:HOTP-SHA512-8:QA08", key: 64, counter: None, q: Q::Mutual(Role::Server, "CLI22224", "SRV11114"), pin: None, t: None, ocra: "12761449" },
    V { n: 56, suite: "OCRA-1:HOTP-SHA512-8:QA08-PSHA1", key: 64, counter: None, q: Q::Mutual(Role::Client, "CLI22220", "SRV11110"), pin: Some(b"1234"), t: None, ocra: "18806276" },
    V { n: 57, suite: "OCRA-1:HOTP-SHA512-8:QA08-PSHA1", key: 64, counter: None, q: Q::Mutual(Role::Client, "CLI22221", "SRV11111"), pin: Some(b"1234"), t: None, ocra: "70020315" },
    V { n: 58, suite: "OCRA-1:HOTP-SHA512-8:QA08-PSHA1", key: 64, counter: None, q: Q::Mutual(Role::Client, "CLI22222", "SRV11112"), pin: Some(b"1234"), t: None, ocra: "01600026" },
    V { n: 59, suite: "OCRA-1:HOTP-SHA512-8:QA08-PSHA1", key: 64, counter: None, q: Q::Mutual(Role::Client, "CLI22223", "SRV11113"), pin: Some(b"1234"), t: None, ocra: "18951020" },
    V { n: 60, suite: "OCRA-1:HOTP-SHA512-8:QA08-PSHA1", key: 64, counter: None, q: Q::Mutual(Role::Client, "CLI22224", "SRV11114"), pin: Some(b"1234"), t: None, ocra: "32528969" },
    V { n: 61, suite: "OCRA-1:HOTP-SHA256-8:QA08", key: 32, counter: None, q: Q::One("SIG10000"), pin: None, t: None, ocra: "53095496" },
    V { n: 62, suite: "OCRA-1:HOTP-SHA256-8:QA08", key: 32, counter: None, q: Q::One("SIG11000"), pin: None, t: None, ocra: "04110475" },
    V { n: 63, suite: "OCRA-1:HOTP-SHA256-8:QA08", key: 32, counter: None, q: Q::One("SIG12000"), pin: None, t: None, ocra: "31331128" },
    V { n: 64, suite: "OCRA-1:HOTP-SHA256-8:QA08", key: 32, counter: None, q: Q::One("SIG13000"), pin: None, t: None, ocra: "76028668" },
    V { n: 65, suite: "OCRA-1:HOTP-SHA256-8:QA08", key: 32, counter: None, q: Q::One("SIG14000"), pin: None, t: None, ocra: "46554205" },
    V { n: 66, suite: "OCRA-1:HOTP-SHA512-8:QA10-T1M", key: 64, counter: None, q: Q::One("SIG1000000"), pin: None, t: Some(0x132d0b6), ocra: "77537423" },
    V { n: 67, suite: "OCRA-1:HOTP-SHA512-8:QA10-T1M", key: 64, counter: None, q: Q::One("SIG1100000"), pin: None, t: Some(0x132d0b6), ocra: "31970405" },
    V { n: 68, suite: "OCRA-1:HOTP-SHA512-8:QA10-T1M", key: 64, counter: None, q: Q::One("SIG1200000"), pin: None, t: Some(0x132d0b6), ocra: "10235557" },
    V { n: 69, suite: "OCRA-1:HOTP-SHA512-8:QA10-T1M", key: 64, counter: None, q: Q::One("SIG1300000"), pin: None, t: Some(0x132d0b6), ocra: "95213541" },
    V { n: 70, suite: "OCRA-1:HOTP-SHA512-8:QA10-T1M", key: 64, counter: None, q: Q::One("SIG1400000"), pin: None, t: Some(0x132d0b6), ocra: "65360607" },
];
