//! Every test vector of RFC 4226 Appendix D and RFC 6238 Appendix B (with the per-algorithm keys
//! of erratum 2866), through both generation and verification.

use otpkit::{Algorithm, Hotp, HotpParams, Totp, TotpParams, Window};

/// RFC 4226 Appendix D: (count, truncated decimal value, 6-digit HOTP).
const RFC4226: [(u64, u32, &str); 10] = [
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

const SEED20: &[u8] = b"12345678901234567890";
const SEED32: &[u8] = b"12345678901234567890123456789012";
const SEED64: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

/// RFC 6238 Appendix B: (unix time, step, SHA-1, SHA-256, SHA-512), 8 digits, X = 30, T0 = 0.
const RFC6238: [(u64, u64, &str, &str, &str); 6] = [
    (59, 0x1, "94287082", "46119246", "90693936"),
    (1111111109, 0x23523EC, "07081804", "68084774", "25091201"),
    (1111111111, 0x23523ED, "14050471", "67062674", "99943326"),
    (1234567890, 0x273EF07, "89005924", "91819424", "93441116"),
    (2000000000, 0x3F940AA, "69279037", "90698825", "38618901"),
    (20000000000, 0x27BC86AA, "65353130", "77737706", "47863826"),
];

#[test]
fn hotp_rfc4226_appendix_d() {
    let hotp = Hotp::new(SEED20, HotpParams::default()).unwrap();
    for (i, &(count, value, code)) in RFC4226.iter().enumerate() {
        assert_eq!(hotp.generate(count).as_str(), code, "#{i} count {count}");
        let m = hotp.verify_uncommitted(code, count, 0).unwrap();
        assert_eq!((m.counter, m.next_counter), (count, count + 1), "#{i}");
        // Longer codes are the same truncated value mod 10^d (hotp.md §8).
        for digits in 7..=10u8 {
            let h = Hotp::new(
                SEED20,
                HotpParams {
                    digits,
                    ..HotpParams::default()
                },
            )
            .unwrap();
            let want = format!(
                "{:0width$}",
                u64::from(value) % 10u64.pow(u32::from(digits)),
                width = usize::from(digits)
            );
            assert_eq!(h.generate(count).as_str(), want, "#{i} digits {digits}");
        }
    }
}

#[test]
fn totp_rfc6238_appendix_b() {
    for (algorithm, seed, column) in [
        (Algorithm::Sha1, SEED20, 0),
        (Algorithm::Sha256, SEED32, 1),
        (Algorithm::Sha512, SEED64, 2),
    ] {
        let totp = Totp::new(
            seed,
            TotpParams {
                algorithm,
                digits: 8,
                ..TotpParams::default()
            },
        )
        .unwrap();
        for (i, row) in RFC6238.iter().enumerate() {
            let (time, step) = (row.0, row.1);
            let code = [row.2, row.3, row.4][column];
            assert_eq!(totp.step_at(time).unwrap(), step, "{algorithm} #{i}");
            assert_eq!(
                totp.generate_at(time).unwrap().as_str(),
                code,
                "{algorithm} #{i} time {time}"
            );
            let m = totp
                .verify_at_uncommitted(code, time, None, Window::EXACT)
                .unwrap();
            assert_eq!((m.step, m.drift), (step, 0), "{algorithm} #{i}");
        }
    }
}

/// The wrong-key control values of totp.md §4: SHA-256/512 with the 20-byte seed. Passing
/// these proves the per-algorithm keys above are really the ones in use.
#[test]
fn totp_erratum_2866_control_values() {
    let controls: [(u64, &str, &str); 6] = [
        (59, "32247374", "69342147"),
        (1111111109, "34756375", "63049338"),
        (1111111111, "74584430", "54380122"),
        (1234567890, "42829826", "76671578"),
        (2000000000, "78428693", "56464532"),
        (20000000000, "24142410", "69481994"),
    ];
    for (algorithm, col) in [(Algorithm::Sha256, 1), (Algorithm::Sha512, 2)] {
        let totp = Totp::new(
            SEED20,
            TotpParams {
                algorithm,
                digits: 8,
                ..TotpParams::default()
            },
        )
        .unwrap();
        for row in controls {
            let want = if col == 1 { row.1 } else { row.2 };
            assert_eq!(
                totp.generate_at(row.0).unwrap().as_str(),
                want,
                "{algorithm} {}",
                row.0
            );
        }
    }
}
