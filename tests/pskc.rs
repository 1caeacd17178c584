//! PSKC (RFC 6030): the RFC's own figures as vectors, every decryption method against
//! values computed by Python `cryptography` (python-pskc 1.4's backend), and each refusal;
//! the streaming writer against `write` and a failing sink.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

#[path = "support/pskc_fields.rs"]
mod pskc_fields;
use pskc_fields::fields;

use otpkit::pskc::{
    Decryption, Generator, LimitKind, Limits, NewKey, NewKeyKind, Protection, PskcErrorKind,
    PskcReader, PskcWriter, ReadOptions, Unusable, Warning, WriteCipher, WriteError, read, write,
};

const FIG6: &[u8] = include_bytes!("data/pskc_rfc6030_figure6.xml");
const FIG7: &[u8] = include_bytes!("data/pskc_rfc6030_figure7.xml");
const FIG6_PSK: [u8; 16] = hex_literal::hex!("12345678901234567890123456789012");
const RFC4226_KEY: &[u8] = b"12345678901234567890";

fn lenient() -> ReadOptions {
    ReadOptions::default()
}

#[test]
fn rfc6030_figure6_pre_shared_key() {
    let c = read(
        FIG6,
        Decryption::PreSharedKey(&FIG6_PSK),
        &ReadOptions::strict(),
    )
    .unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(c.key_names, ["Pre-shared-key"]);
    let k = &c.keys[0];
    assert_eq!(k.id, "12345678");
    assert_eq!(k.secret(), Some(RFC4226_KEY));
    assert_eq!(k.counter, Some(0));
    assert_eq!(k.issuer.as_deref(), Some("Issuer"));
    assert_eq!(k.device.manufacturer.as_deref(), Some("Manufacturer"));
    assert_eq!(k.device.serial_no.as_deref(), Some("987654321"));
    assert_eq!(k.crypto_module_id.as_deref(), Some("CM_ID_001"));
    assert_eq!(k.response_format.as_ref().unwrap().length, 8);
    let e = k.enrolment_at(0).unwrap();
    let Generator::Hotp(hotp) = e.generator else {
        panic!("not hotp")
    };
    assert_eq!(hotp.generate(0).as_str(), "84755224");
    assert_eq!(e.record.next_counter(), 0);
}

#[test]
fn rfc6030_figure7_password() {
    let c = read(
        FIG7,
        Decryption::Password(b"qwerty"),
        &ReadOptions::strict(),
    )
    .unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(c.key_names, ["My Password 1"]);
    assert_eq!(c.keys[0].secret(), Some(RFC4226_KEY));
    assert_eq!(c.keys[0].id, "123456");
}

#[test]
fn wrong_key_or_password_is_one_document_error() {
    // The MAC key does not decrypt under a wrong transport key: one error for the document.
    let mut psk = FIG6_PSK;
    psk[0] ^= 1;
    let e = read(FIG6, Decryption::PreSharedKey(&psk), &lenient()).unwrap_err();
    assert_eq!(e.kind, PskcErrorKind::WrongTransportKey);
    assert!(e.line > 1);
    let e = read(FIG7, Decryption::Password(b"qwertz"), &lenient()).unwrap_err();
    assert_eq!(e.kind, PskcErrorKind::WrongTransportKey);
    let e = PskcReader::new(FIG6, Decryption::PreSharedKey(&psk), &lenient())
        .collect::<Result<Vec<_>, _>>()
        .unwrap_err();
    assert_eq!(e.kind, PskcErrorKind::WrongTransportKey);
    // No key at all: each encrypted key says so.
    let c = read(FIG6, Decryption::None, &lenient()).unwrap();
    assert_eq!(c.errors[0].kind, PskcErrorKind::NoTransportKey);
    assert_eq!(c.errors[0].key_id.as_deref(), Some("12345678"));
}

#[test]
fn damaged_mac_is_refused_before_decryption() {
    let doc = String::from_utf8(FIG6.to_vec()).unwrap().replace(
        "Su+NvtQfmvfJzF6bmQiJqoLRExc=",
        "Su+NvtQfmvfJzF6bmQiJqoLRExY=",
    );
    let c = read(
        doc.as_bytes(),
        Decryption::PreSharedKey(&FIG6_PSK),
        &lenient(),
    )
    .unwrap();
    assert_eq!(c.errors[0].kind, PskcErrorKind::MacMismatch);
}

#[test]
fn missing_value_mac_is_a_warning_in_lenient_and_an_error_in_strict_mode() {
    let text = String::from_utf8(FIG6.to_vec()).unwrap();
    let start = text.find("<ValueMAC>").unwrap();
    let end = text.find("</ValueMAC>").unwrap() + "</ValueMAC>".len();
    let doc = format!("{}{}", &text[..start], &text[end..]);
    let c = read(
        doc.as_bytes(),
        Decryption::PreSharedKey(&FIG6_PSK),
        &lenient(),
    )
    .unwrap();
    assert_eq!(c.keys[0].secret(), Some(RFC4226_KEY));
    assert!(c.keys[0].warnings.contains(&Warning::MissingValueMac));
    let c = read(
        doc.as_bytes(),
        Decryption::PreSharedKey(&FIG6_PSK),
        &ReadOptions::strict(),
    )
    .unwrap();
    assert_eq!(c.errors[0].kind, PskcErrorKind::MissingMac);
}

#[test]
fn mac_md5_and_ripemd_refused() {
    for alg in [
        "http://www.w3.org/2001/04/xmldsig-more#hmac-md5",
        "http://www.w3.org/2001/04/xmldsig-more#hmac-ripemd160",
    ] {
        let doc = String::from_utf8(FIG6.to_vec())
            .unwrap()
            .replace("http://www.w3.org/2000/09/xmldsig#hmac-sha1", alg);
        let c = read(
            doc.as_bytes(),
            Decryption::PreSharedKey(&FIG6_PSK),
            &lenient(),
        )
        .unwrap();
        assert_eq!(c.errors[0].kind, PskcErrorKind::RefusedMac(alg.into()));
    }
}

fn plain_doc(keys: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">{keys}</KeyContainer>"#
    )
}

fn plain_key(id: &str, alg: &str, extra: &str) -> String {
    format!(
        r#"<KeyPackage><Key Id="{id}" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:{alg}">{extra}
<Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret><Counter><PlainValue>5</PlainValue></Counter>
<TimeInterval><PlainValue>60</PlainValue></TimeInterval><TimeDrift><PlainValue>-2</PlainValue></TimeDrift></Data></Key></KeyPackage>"#
    )
}

#[test]
fn refusals_dtd_entities() {
    let cases = [
        (
            r#"<!DOCTYPE KeyContainer []><KeyContainer Version="1.0"/>"#,
            PskcErrorKind::Dtd,
        ),
        (
            r#"<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><KeyContainer Version="1.0">&e;</KeyContainer>"#,
            PskcErrorKind::ExternalEntity,
        ),
        (
            r#"<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><KeyContainer Version="1.0">&b;</KeyContainer>"#,
            PskcErrorKind::EntityExpansion,
        ),
        (
            r#"<KeyContainer Version="1.0"><KeyPackage><Key Id="&x;"/></KeyPackage></KeyContainer>"#,
            PskcErrorKind::EntityExpansion,
        ),
        (
            r#"<KeyContainer Version="1.0"><KeyPackage><Key Id="1"><Issuer>&x;</Issuer></Key></KeyPackage></KeyContainer>"#,
            PskcErrorKind::EntityExpansion,
        ),
        (
            r#"<KeyContainer Version="2.0"/>"#,
            PskcErrorKind::UnsupportedVersion("2.0".into()),
        ),
        (r#"<Other/>"#, PskcErrorKind::NotPskc),
        (
            r#"<KeyContainer Version="1.0"><KeyPackage>"#,
            PskcErrorKind::Xml,
        ),
    ];
    for (i, (doc, kind)) in cases.iter().enumerate() {
        let e = read(doc.as_bytes(), Decryption::None, &lenient()).unwrap_err();
        assert_eq!(&e.kind, kind, "#{i} {doc}");
    }
}

#[test]
fn predefined_and_character_references_are_read() {
    let doc = plain_doc(&plain_key(
        "a&amp;b&#x41;",
        "hotp",
        "<Issuer>x &lt; &#65;</Issuer>",
    ));
    let c = read(doc.as_bytes(), Decryption::None, &lenient()).unwrap();
    assert_eq!(c.keys[0].id, "a&bA");
    assert_eq!(c.keys[0].issuer.as_deref(), Some("x < A"));
}

#[test]
fn asymmetric_transport_and_signature_refused() {
    let doc = r#"<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">
<EncryptionKey><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></EncryptionKey>
<KeyPackage><Key Id="1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp"><Data><Secret><EncryptedValue>
<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa_1_5"/><xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData>
</EncryptedValue></Secret></Data></Key></KeyPackage></KeyContainer>"#;
    let c = read(
        doc.as_bytes(),
        Decryption::PreSharedKey(&[0; 16]),
        &lenient(),
    )
    .unwrap();
    assert_eq!(
        c.errors[0].kind,
        PskcErrorKind::AsymmetricTransport("http://www.w3.org/2001/04/xmlenc#rsa_1_5".into())
    );
    let signed = plain_doc(&format!(
        "{}<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo><ds:SignatureMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#rsa-sha1\"/></ds:SignedInfo></ds:Signature>",
        plain_key("1", "hotp", "")
    ));
    let e = read(signed.as_bytes(), Decryption::None, &lenient()).unwrap_err();
    assert_eq!(
        e.kind,
        PskcErrorKind::SignatureNotVerified("http://www.w3.org/2000/09/xmldsig#rsa-sha1".into())
    );
    let opts = ReadOptions {
        allow_unverified_signature: true,
        ..lenient()
    };
    let c = read(signed.as_bytes(), Decryption::None, &opts).unwrap();
    assert_eq!(
        c.signature_not_verified.as_deref(),
        Some("http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    );
    assert_eq!(c.keys.len(), 1);
}

#[test]
fn one_bad_package_keeps_the_others() {
    let bad = r#"<KeyPackage><Key Id="bad" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp"><Data><Secret><PlainValue>!!!</PlainValue></Secret></Data></Key></KeyPackage>"#;
    let doc = plain_doc(&format!(
        "{}\n{bad}\n{}",
        plain_key("a", "hotp", ""),
        plain_key("b", "totp", "")
    ));
    let c = read(doc.as_bytes(), Decryption::None, &lenient()).unwrap();
    assert_eq!(
        c.keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(c.errors.len(), 1);
    assert_eq!(c.errors[0].key_id.as_deref(), Some("bad"));
    assert_eq!(c.errors[0].kind, PskcErrorKind::InvalidValue("PlainValue"));
    assert_eq!(c.errors[0].line, 5);
    assert!(c.errors[0].to_string().starts_with("line 5: key \"bad\": "));
}

#[test]
fn use_totp_period_offset_drift() {
    let doc = plain_doc(&plain_key(
        "t",
        "totp",
        r#"<AlgorithmParameters><Suite>HMAC-SHA256</Suite><ResponseFormat Length="8" Encoding="DECIMAL"/></AlgorithmParameters>"#,
    ));
    let c = read(doc.as_bytes(), Decryption::None, &lenient()).unwrap();
    let e = c.keys[0].enrolment_at(0).unwrap();
    let Generator::Totp(totp) = e.generator else {
        panic!()
    };
    assert_eq!(totp.params().period, 60);
    assert_eq!(totp.params().digits, 8);
    assert_eq!(totp.params().algorithm, otpkit::Algorithm::Sha256);
    assert_eq!(e.record.drift(), -2);
    assert_eq!(e.record.kind(), otpkit::RecordKind::TimeStep);
}

#[test]
fn use_short_key_and_policies() {
    // 10-byte secret: "MTIzNDU2Nzg5MA==" = "1234567890".
    let short = plain_doc(
        &plain_key("s", "hotp", "").replace("MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=", "MTIzNDU2Nzg5MA=="),
    );
    let c = read(short.as_bytes(), Decryption::None, &lenient()).unwrap();
    let e = c.keys[0].enrolment_at(0).unwrap();
    assert!(e.warnings.contains(&Warning::ShortKey));
    assert_eq!(e.record.next_counter(), 5);
    let policy = |p: &str| {
        let doc = plain_doc(
            &plain_key("p", "hotp", "").replace("</Data>", &format!("</Data><Policy>{p}</Policy>")),
        );
        let c = read(doc.as_bytes(), Decryption::None, &lenient()).unwrap();
        c.keys[0].enrolment_at(1_700_000_000).map(|_| ())
    };
    assert_eq!(
        policy(r#"<PINPolicy PINUsageMode="Prepend"/>"#),
        Err(Unusable::PinPrepend)
    );
    assert_eq!(
        policy(r#"<PINPolicy PINUsageMode="Algorithmic"/>"#),
        Err(Unusable::PinAlgorithmic)
    );
    assert_eq!(
        policy(r#"<PINPolicy PINUsageMode="Local"/><KeyUsage>OTP</KeyUsage>"#),
        Ok(())
    );
    assert_eq!(
        policy("<KeyUsage>Encrypt</KeyUsage>"),
        Err(Unusable::KeyUsageExcludesOtp)
    );
    assert_eq!(
        policy("<ExpiryDate>2020-01-01T00:00:00Z</ExpiryDate>"),
        Err(Unusable::Expired)
    );
    assert_eq!(
        policy("<StartDate>2030-01-01T00:00:00Z</StartDate>"),
        Err(Unusable::NotYetValid)
    );
    assert_eq!(policy("<Frobnicate/>"), Err(Unusable::UnknownPolicy));
    let hex = plain_doc(&plain_key(
        "h",
        "hotp",
        r#"<AlgorithmParameters><ResponseFormat Length="8" Encoding="HEXADECIMAL"/></AlgorithmParameters>"#,
    ));
    let c = read(hex.as_bytes(), Decryption::None, &lenient()).unwrap();
    assert_eq!(
        c.keys[0].enrolment_at(0).unwrap_err(),
        Unusable::ResponseEncoding("HEXADECIMAL".into())
    );
}

#[test]
fn limits_are_enforced() {
    let doc = plain_doc(
        &(0..5)
            .map(|i| plain_key(&i.to_string(), "hotp", ""))
            .collect::<String>(),
    );
    let opts = |limits| ReadOptions {
        limits,
        ..lenient()
    };
    let e = read(
        doc.as_bytes(),
        Decryption::None,
        &opts(Limits {
            max_keys: 4,
            ..Limits::default()
        }),
    )
    .unwrap_err();
    assert_eq!(e.kind, PskcErrorKind::Limit(LimitKind::Keys));
    let e = read(
        doc.as_bytes(),
        Decryption::None,
        &opts(Limits {
            max_document_bytes: 100,
            ..Limits::default()
        }),
    )
    .unwrap_err();
    assert_eq!(e.kind, PskcErrorKind::Limit(LimitKind::DocumentBytes));
    let deep = plain_doc(&format!(
        "<KeyPackage>{}{}</KeyPackage>",
        "<a>".repeat(40),
        "</a>".repeat(40)
    ));
    let e = read(deep.as_bytes(), Decryption::None, &lenient()).unwrap_err();
    assert_eq!(e.kind, PskcErrorKind::Limit(LimitKind::Depth));
    let attrs = plain_doc(&format!(
        "<KeyPackage><Key Id=\"1\" {}/></KeyPackage>",
        (0..40).map(|i| format!("a{i}=\"\" ")).collect::<String>()
    ));
    let e = read(attrs.as_bytes(), Decryption::None, &lenient()).unwrap_err();
    assert_eq!(e.kind, PskcErrorKind::Limit(LimitKind::Attributes));
    let big = plain_doc(
        &plain_key("b", "hotp", "").replace("MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=", &"QUFB".repeat(2000)),
    );
    let c = read(big.as_bytes(), Decryption::None, &lenient()).unwrap();
    assert_eq!(
        c.errors[0].kind,
        PskcErrorKind::Limit(LimitKind::Base64Bytes)
    );
    // One enormous text node is stopped while it is read, not after.
    let huge = plain_doc(&format!(
        "<KeyPackage><Key Id=\"1\"><Issuer>{}</Issuer></Key></KeyPackage>",
        "x".repeat(300_000)
    ));
    let tight = Limits {
        max_text_bytes: 1024,
        max_attributes: 4,
        ..Limits::default()
    };
    let e = read(huge.as_bytes(), Decryption::None, &opts(tight)).unwrap_err();
    assert_eq!(e.kind, PskcErrorKind::Limit(LimitKind::TextBytes));
    // Refused before any iteration runs: 2^31, and one past the default cap.
    for count in ["2147483648", "1000001"] {
        let fig7 = String::from_utf8(FIG7.to_vec())
            .unwrap()
            .replace(">1000<", &format!(">{count}<"));
        let c = read(fig7.as_bytes(), Decryption::Password(b"qwerty"), &lenient()).unwrap();
        assert_eq!(
            c.errors[0].kind,
            PskcErrorKind::Limit(LimitKind::Pbkdf2Iterations),
            "{count} iterations"
        );
    }
    assert_eq!(Limits::default().max_pbkdf2_iterations, 1_000_000);
}

#[test]
fn streaming_reader_yields_each_key() {
    let doc = plain_doc(
        &(0..3)
            .map(|i| plain_key(&i.to_string(), "hotp", ""))
            .collect::<String>(),
    );
    let ids: Vec<String> = PskcReader::new(doc.as_bytes(), Decryption::None, &lenient())
        .map(|k| k.unwrap().id)
        .collect();
    assert_eq!(ids, ["0", "1", "2"]);
}

#[test]
fn write_read_round_trip_each_protection() {
    let keys = each_kind();
    for (i, (protection, decryption)) in protections().into_iter().enumerate() {
        let doc = write(&keys, protection).unwrap();
        let c = read(doc.as_bytes(), decryption, &ReadOptions::strict()).unwrap();
        assert!(c.errors.is_empty(), "#{i}: {:?}", c.errors);
        assert_eq!(c.keys.len(), keys.len());
        for (w, r) in keys.iter().zip(&c.keys) {
            assert_eq!(r.id, w.id, "#{i}");
            assert_eq!(r.secret(), Some(&w.secret[..]), "#{i}");
            assert!(r.enrolment_at(0).is_ok(), "#{i}");
        }
        assert_eq!(c.keys[0].counter, Some(7));
        assert_eq!(c.keys[0].device.manufacturer.as_deref(), Some("Maker & Co"));
        assert_eq!(c.keys[1].time_interval, Some(60));
        assert_eq!(c.keys[1].suite.as_deref(), Some("HMAC-SHA512"));
    }
    // Fresh IVs and MAC keys: two writes differ.
    let p = Protection::PreSharedKey {
        key: &PSK16,
        key_name: "k",
        cipher: WriteCipher::Aes128Cbc,
    };
    assert_ne!(*write(&keys, p).unwrap(), *write(&keys, p).unwrap());
    assert!(
        write(
            &keys,
            Protection::PreSharedKey {
                key: &PSK32,
                key_name: "k",
                cipher: WriteCipher::Aes128Cbc
            }
        )
        .is_err()
    );
}

#[test]
fn camellia_under_both_identifier_families() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/pskc_corpus/p025.xml"
    ))
    .unwrap();
    let psk = hex_literal::hex!("f25a04b11e09530983a330ea50a589b8");
    let want =
        hex_literal::hex!("e7d0da841bc8443495af67d670d0471e3451719ae9e59a843a471b7b6fbf61bd");
    for uri in [
        "http://www.w3.org/2001/04/xmldsig-more#camellia128-cbc",
        "http://www.w3.org/2001/04/xmldsig-more#camellia128",
        "http://www.w3.org/2001/04/xmlenc#camellia128-cbc",
        "http://www.w3.org/2001/04/xmlenc#camellia128",
    ] {
        let d = doc.replace(
            "http://www.w3.org/2001/04/xmldsig-more#camellia128-cbc",
            uri,
        );
        let c = read(
            d.as_bytes(),
            Decryption::PreSharedKey(&psk),
            &ReadOptions::strict(),
        )
        .unwrap();
        assert!(c.errors.is_empty(), "{uri}: {:?}", c.errors);
        assert_eq!(c.keys[0].secret(), Some(&want[..]), "{uri}");
    }
    let d = doc.replace("xmldsig-more#camellia128-cbc", "xmlenc11#aes128-gcm");
    let c = read(d.as_bytes(), Decryption::PreSharedKey(&psk), &lenient()).unwrap();
    assert!(
        matches!(&c.errors[0].kind, PskcErrorKind::UnsupportedAlgorithm(a) if a.ends_with("aes128-gcm"))
    );
}

/// Figure 6 rewritten as older drafts wrote it, each with its warning in lenient mode and an
/// error in strict mode.
#[test]
fn python_pskc_mac_fallbacks() {
    use hmac::{KeyInit, Mac};
    type HmacSha1 = hmac::Hmac<sha1::Sha1>;
    let text = String::from_utf8(FIG6.to_vec()).unwrap();
    let b64 =
        |b: &[u8]| base64::engine::Engine::encode(&base64::engine::general_purpose::STANDARD, b);
    let mac = |key: &[u8], data: &[u8]| {
        let mut m = HmacSha1::new_from_slice(key).unwrap();
        m.update(data);
        b64(&m.finalize().into_bytes())
    };
    let secret_cv = hex_literal::hex!(
        "000102030405060708090a0b0c0d0e0fe7081c8b650775ab6b50d4a7156f3b1da579fd5598d3c2325f23c19a8852a1af"
    );
    // MACMethod without MACKey: the transport key is the MAC key.
    let start = text.find("<MACKey>").unwrap();
    let end = text.find("</MACKey>").unwrap() + "</MACKey>".len();
    let no_mac_key = format!("{}{}", &text[..start], &text[end..])
        .replace("Su+NvtQfmvfJzF6bmQiJqoLRExc=", &mac(&FIG6_PSK, &secret_cv));
    // The MAC over the plaintext.
    let over_plain = text.replace(
        "Su+NvtQfmvfJzF6bmQiJqoLRExc=",
        &mac(
            &hex_literal::hex!("1122334455667788990011223344556677889900"),
            RFC4226_KEY,
        ),
    );
    for (doc, warning) in [
        (no_mac_key, Warning::TransportKeyAsMacKey),
        (over_plain, Warning::MacOverPlaintext),
    ] {
        let c = read(
            doc.as_bytes(),
            Decryption::PreSharedKey(&FIG6_PSK),
            &lenient(),
        )
        .unwrap();
        assert!(c.errors.is_empty(), "{warning:?}: {:?}", c.errors);
        assert_eq!(c.keys[0].secret(), Some(RFC4226_KEY), "{warning:?}");
        assert!(c.keys[0].warnings.contains(&warning), "{warning:?}");
        let c = read(
            doc.as_bytes(),
            Decryption::PreSharedKey(&FIG6_PSK),
            &ReadOptions::strict(),
        )
        .unwrap();
        assert!(c.keys.is_empty() && c.errors.len() == 1, "{warning:?}");
    }
}

/// A draft document with one IV for every value in `EncryptionKey/IV` (python-pskc reads it):
/// read in lenient mode, refused in strict mode.
#[test]
fn draft_container_level_iv() {
    let doc = include_bytes!("data/pskc_draft_container_iv.xml");
    let c = read(&doc[..], Decryption::PreSharedKey(&FIG6_PSK), &lenient()).unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(c.keys[0].secret(), Some(RFC4226_KEY));
    assert!(c.keys[0].warnings.contains(&Warning::DraftFormat));
    assert_eq!(
        read(
            &doc[..],
            Decryption::PreSharedKey(&FIG6_PSK),
            &ReadOptions::strict()
        )
        .unwrap_err()
        .kind,
        PskcErrorKind::NotPskc
    );
}

/// One key of each kind, with metadata, and the four protections.
fn each_kind() -> Vec<NewKey> {
    let mut keys = vec![
        NewKey::new("h1", NewKeyKind::Hotp { counter: 7 }, &[1; 20]),
        NewKey::new("t1", NewKeyKind::Totp { period: 60 }, &[2; 64]),
        NewKey::new(
            "o1",
            NewKeyKind::Ocra {
                suite: "OCRA-1:HOTP-SHA1-6:QN08".into(),
                counter: None,
            },
            &[3; 20],
        ),
        NewKey::new(
            "o2",
            NewKeyKind::Ocra {
                suite: "OCRA-1:HOTP-SHA256-8:C-QN08".into(),
                counter: Some(9),
            },
            &[4; 32],
        ),
    ];
    keys[0].serial_no = Some("SN000001".into());
    keys[0].manufacturer = Some("Maker & Co".into());
    keys[0].issuer = Some("Bank <1>".into());
    keys[0].user_id = Some("alice".into());
    keys[1].algorithm = otpkit::Algorithm::Sha512;
    keys[1].digits = 8;
    keys
}

const PSK16: [u8; 16] = [9; 16];
const PSK32: [u8; 32] = [8; 32];

fn protections() -> [(Protection<'static>, Decryption<'static>); 4] {
    [
        (Protection::Plaintext, Decryption::None),
        (
            Protection::PreSharedKey {
                key: &PSK16,
                key_name: "k & co",
                cipher: WriteCipher::Aes128Cbc,
            },
            Decryption::PreSharedKey(&PSK16),
        ),
        (
            Protection::PreSharedKey {
                key: &PSK32,
                key_name: "k",
                cipher: WriteCipher::Aes256Cbc,
            },
            Decryption::PreSharedKey(&PSK32),
        ),
        (
            Protection::Password {
                password: b"secret pw",
                iterations: 10,
            },
            Decryption::Password(b"secret pw"),
        ),
    ]
}

fn stream(keys: &[NewKey], protection: Protection<'_>) -> Vec<u8> {
    let mut w = PskcWriter::new(Vec::new(), protection).unwrap();
    for k in keys {
        w.key(k).unwrap();
    }
    w.finish().unwrap()
}

/// The document with its random parts (salt, IVs and ciphertexts, MACs) blanked.
fn without_random_parts(doc: &str) -> String {
    let mut out = String::new();
    let mut rest = doc;
    while let Some(at) = ["<xenc:CipherValue>", "<pskc:ValueMAC>", "<Specified>"]
        .iter()
        .filter_map(|tag| rest.find(tag).map(|i| i + tag.len()))
        .min()
    {
        out.push_str(&rest[..at]);
        out.push('*');
        rest = &rest[at..];
        rest = &rest[rest.find("</").unwrap()..];
    }
    out.push_str(rest);
    out
}

#[test]
fn streaming_writer_reads_back_as_write_does() {
    let keys = each_kind();
    for (i, (protection, decryption)) in protections().into_iter().enumerate() {
        let streamed = stream(&keys, protection);
        let whole = write(&keys, protection).unwrap();
        let streamed_text = core::str::from_utf8(&streamed).unwrap();
        if i == 0 {
            assert_eq!(streamed_text, whole.as_str(), "plaintext: byte for byte");
        } else {
            assert_ne!(streamed_text, whole.as_str(), "#{i}: fresh IVs and MAC key");
        }
        assert_eq!(
            without_random_parts(streamed_text),
            without_random_parts(&whole),
            "#{i}"
        );
        let a = read(&streamed[..], decryption, &ReadOptions::strict()).unwrap();
        let b = read(whole.as_bytes(), decryption, &ReadOptions::strict()).unwrap();
        assert!(a.errors.is_empty() && b.errors.is_empty(), "#{i}");
        assert_eq!(a.keys.len(), keys.len(), "#{i}");
        for ((w, r), s) in keys.iter().zip(&a.keys).zip(&b.keys) {
            assert_eq!(r.id, w.id, "#{i}");
            assert_eq!(r.secret(), Some(&w.secret[..]), "#{i}");
            assert_eq!(r.issuer, w.issuer, "#{i}");
            assert_eq!(r.user_id, w.user_id, "#{i}");
            assert_eq!(r.device.serial_no, w.serial_no, "#{i}");
            assert_eq!(r.device.manufacturer, w.manufacturer, "#{i}");
            assert!(r.enrolment_at(0).is_ok(), "#{i}");
            // Every field read from the streamed document equals the one from `write`.
            assert_eq!(r.secret(), s.secret(), "#{i}");
            assert_eq!(fields(r), fields(s), "#{i}");
        }
        assert_eq!(a.keys[0].counter, Some(7));
        assert_eq!(a.keys[1].time_interval, Some(60));
        assert_eq!(a.keys[1].suite.as_deref(), Some("HMAC-SHA512"));
        assert_eq!(a.keys[3].counter, Some(9));
        assert_eq!(a.keys[2].suite.as_deref(), Some("OCRA-1:HOTP-SHA1-6:QN08"));
    }
    // An empty batch is a valid, empty container.
    let empty = stream(&[], Protection::Plaintext);
    assert_eq!(empty, write(&[], Protection::Plaintext).unwrap().as_bytes());
    assert!(
        read(&empty[..], Decryption::None, &ReadOptions::strict())
            .unwrap()
            .keys
            .is_empty()
    );
}

#[test]
fn streaming_writer_refuses_bad_protection_before_writing() {
    let mut out = Vec::new();
    let r = PskcWriter::new(
        &mut out,
        Protection::PreSharedKey {
            key: &PSK32,
            key_name: "k",
            cipher: WriteCipher::Aes128Cbc,
        },
    );
    assert_eq!(r.err(), Some(WriteError::KeyLength { len: 32 }));
    let r = PskcWriter::new(
        &mut out,
        Protection::Password {
            password: b"pw",
            iterations: 0,
        },
    );
    assert_eq!(r.err(), Some(WriteError::Iterations));
    assert!(out.is_empty());
}

/// A sink that takes `left` bytes, then fails (and optionally fails to flush).
struct Failing {
    left: usize,
    flush_fails: bool,
}

impl std::io::Write for Failing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::ErrorKind::StorageFull.into());
        }
        let n = buf.len().min(self.left);
        self.left -= n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if self.flush_fails {
            Err(std::io::ErrorKind::BrokenPipe.into())
        } else {
            Ok(())
        }
    }
}

fn stream_into(sink: Failing, keys: &[NewKey], p: Protection<'_>) -> Result<Failing, WriteError> {
    let mut w = PskcWriter::new(sink, p)?;
    for k in keys {
        w.key(k)?;
    }
    w.finish()
}

#[test]
fn sink_failing_mid_document_is_an_io_error() {
    let keys = each_kind();
    for (i, (protection, _)) in protections().into_iter().enumerate() {
        let len = stream(&keys, protection).len();
        // Every cut point in the head and the first package, then every 97th byte.
        for left in (0..3000.min(len)).chain((3000..len).step_by(97)) {
            let sink = Failing {
                left,
                flush_fails: false,
            };
            assert_eq!(
                stream_into(sink, &keys, protection).err(),
                Some(WriteError::Io {
                    kind: std::io::ErrorKind::StorageFull
                }),
                "#{i}: sink full after {left} of {len} bytes"
            );
        }
        let whole = Failing {
            left: len,
            flush_fails: false,
        };
        assert_eq!(stream_into(whole, &keys, protection).unwrap().left, 0);
        let no_flush = Failing {
            left: len,
            flush_fails: true,
        };
        assert_eq!(
            stream_into(no_flush, &keys, protection).err(),
            Some(WriteError::Io {
                kind: std::io::ErrorKind::BrokenPipe
            }),
            "#{i}"
        );
    }
    assert_eq!(
        WriteError::Io {
            kind: std::io::ErrorKind::StorageFull
        }
        .to_string(),
        "output failed: no storage space"
    );
}
