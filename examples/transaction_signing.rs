//! Transaction signing with OCRA (RFC 6287 §7.3.1), as a bank and its customers' tokens do it.
//!
//! The bank turns a transfer (amount and destination account) plus a nonce it issues once
//! into a challenge; the customer's token signs it; the bank verifies the signature against
//! the transfer *it* stored and retires the nonce. A signature suite without a counter or a
//! timestamp could otherwise be replayed (RFC 6287 §8, IC9): the nonce is what makes each
//! signature good for one transfer, once. An altered transfer changes the challenge, so its
//! signature does not verify.
//!
//! Run with `cargo run --example transaction_signing`.

use core::hash::BuildHasher;
use std::collections::HashMap;
use std::collections::hash_map::RandomState;

use otpkit::Error;
use otpkit::ocra::{DataInput, Ocra, OcraSuite};

/// Alphanumeric challenges of up to 64 characters, 8-digit signatures, HMAC-SHA-256.
const SUITE: &str = "OCRA-1:HOTP-SHA256-8:QA64";

/// A transfer as the customer entered it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Transfer {
    /// Amount in cents.
    amount_cents: u64,
    /// Destination account (IBAN, letters and digits).
    to_account: String,
}

/// The challenge the token signs: fixed-width fields, so that no two transfers share one:
/// 12 digits of amount, the account (up to 34 characters, IBAN), the 8-character nonce.
fn challenge(transfer: &Transfer, nonce: &str) -> String {
    format!(
        "{:012}{}{nonce}",
        transfer.amount_cents, transfer.to_account
    )
}

/// Why the bank refused a transfer.
#[derive(Debug, PartialEq, Eq)]
enum Refused {
    /// The nonce was never issued, or was already used.
    UnknownNonce,
    /// The signature does not match the transfer the nonce was issued for.
    BadSignature(Error),
}

/// The bank's side: the customer's token key and the nonces issued and not yet used.
struct Bank {
    ocra: Ocra,
    pending: HashMap<String, Transfer>,
    nonces: RandomState,
    issued: u64,
}

impl Bank {
    fn new(key: &[u8]) -> Result<Bank, Error> {
        let suite: OcraSuite = SUITE.parse()?;
        Ok(Bank {
            ocra: Ocra::new(suite, key)?,
            pending: HashMap::new(),
            nonces: RandomState::new(),
            issued: 0,
        })
    }

    /// Records the transfer and issues a fresh nonce for it. (A real bank draws the nonce
    /// from a CSPRNG such as `getrandom`; the example keeps to the standard library.)
    fn start(&mut self, transfer: Transfer) -> String {
        self.issued += 1;
        let mut n = self.nonces.hash_one(self.issued);
        const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let nonce: String = (0..8)
            .map(|_| {
                let c = ALPHABET.get((n % 32) as usize).copied().unwrap_or(b'0');
                n /= 32;
                char::from(c)
            })
            .collect();
        self.pending.insert(nonce.clone(), transfer);
        nonce
    }

    /// Verifies the signature of the transfer the nonce was issued for. The nonce is retired
    /// whatever the outcome: one attempt per nonce.
    fn confirm(&mut self, nonce: &str, signature: &str) -> Result<Transfer, Refused> {
        let stored = self.pending.remove(nonce).ok_or(Refused::UnknownNonce)?;
        // The challenge is rebuilt from the transfer the bank will execute; if it is not the
        // one the customer signed, the signature does not match.
        let q = challenge(&stored, nonce);
        self.ocra
            .verify(signature, &DataInput::new().question(&q))
            .map_err(Refused::BadSignature)?;
        Ok(stored)
    }
}

/// The customer's token: it shows the transfer, and signs the challenge on approval.
fn token_sign(ocra: &Ocra, transfer: &Transfer, nonce: &str) -> Result<String, Error> {
    let q = challenge(transfer, nonce);
    Ok(ocra.compute(&DataInput::new().question(&q))?.to_string())
}

fn main() -> Result<(), Error> {
    let key = b"0123456789abcdef0123456789abcdef"; // 32 bytes: the HMAC-SHA-256 output length
    let token = Ocra::new(SUITE.parse()?, key)?;
    let mut bank = Bank::new(key)?;

    let transfer = Transfer {
        amount_cents: 125_000,
        to_account: "DE89370400440532013000".into(),
    };
    let nonce = bank.start(transfer.clone());
    println!("bank: challenge {}", challenge(&transfer, &nonce));

    let signature = token_sign(&token, &transfer, &nonce)?;
    println!("token: signature {signature}");

    let done = bank.confirm(&nonce, &signature);
    println!("bank: {done:?}");
    assert_eq!(done, Ok(transfer.clone()));

    // The same signed request again: the nonce is spent.
    let replay = bank.confirm(&nonce, &signature);
    println!("bank, replayed: {replay:?}");
    assert_eq!(replay, Err(Refused::UnknownNonce));

    // Malware in the browser submits another account than the customer entered; the
    // customer keys the transfer they meant into the token, which signs that.
    let nonce = bank.start(Transfer {
        amount_cents: 990_000,
        to_account: "GB33BUKB20201555555555".into(),
    });
    let shown = Transfer {
        amount_cents: 990_000,
        to_account: "DE89370400440532013000".into(),
    };
    let signature = token_sign(&token, &shown, &nonce)?;
    let altered = bank.confirm(&nonce, &signature);
    println!("bank, altered: {altered:?}");
    assert_eq!(altered, Err(Refused::BadSignature(Error::Mismatch)));

    println!("ok: signed once, replay and alteration refused");
    Ok(())
}
