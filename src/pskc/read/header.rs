//! The container's header: `EncryptionKey` (pre-shared key name, PBKDF2 parameters, an
//! asymmetric key refused) and the drafts' password-based forms.

use alloc::string::String;
use std::io::BufRead;

use super::PskcReader;
use crate::pskc::crypto::HmacAlg;
use crate::pskc::error::{LimitKind, PskcErrorKind};
use crate::pskc::value::{Pbkdf2Params, b64};
use crate::pskc::xml::Node;

impl<R: BufRead> PskcReader<R> {
    pub(super) fn encryption_key(&mut self, node: &Node) -> Result<(), PskcErrorKind> {
        let strict = self.options.strict;
        let algorithm = node.attr("Algorithm").or(node.attr("algorithm"));
        if let Some(a) = algorithm {
            self.crypto.doc_algorithm = Some(String::from(a));
        }
        if node.child("X509Data").is_some() {
            self.crypto.asymmetric = Some(String::from("ds:X509Data"));
        }
        if let (Some(iv), false) = (node.child_text("IV"), strict) {
            self.crypto.legacy_iv = Some(b64(iv, &self.options.limits, "IV")?.to_vec());
        }
        for n in node.children("KeyName") {
            self.key_names.push(String::from(n.trimmed()));
        }
        if let Some(dk) = node.child("DerivedKey") {
            for n in dk
                .children("MasterKeyName")
                .chain(dk.children("CarriedKeyName"))
            {
                self.key_names.push(String::from(n.trimmed()));
            }
            let method = dk
                .child("KeyDerivationMethod")
                .ok_or(PskcErrorKind::MissingElement("KeyDerivationMethod"))?;
            let uri = method.attr("Algorithm").unwrap_or("");
            let known = [
                "http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2",
                "http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5#pbkdf2",
                "http://www.w3.org/2009/xmlenc11#pbkdf2",
            ];
            let ok = if strict {
                known.contains(&uri)
            } else {
                uri.ends_with("#pbkdf2")
            };
            if !ok {
                self.crypto.derivation =
                    Some(Err(PskcErrorKind::UnsupportedAlgorithm(String::from(uri))));
                return Ok(());
            }
            let params = method
                .child("PBKDF2-params")
                .ok_or(PskcErrorKind::MissingElement("PBKDF2-params"))?;
            self.crypto.derivation = Some(self.pbkdf2(params));
        } else if let (Some(a), false) = (algorithm, strict) {
            // Drafts: `pbe-*` algorithms with `PBESalt` and `PBEIterationCount`.
            if a.rsplit('#')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase()
                .starts_with("pbe")
            {
                let salt = node
                    .child_text("PBESalt")
                    .ok_or(PskcErrorKind::MissingElement("PBESalt"))?;
                let iterations = node
                    .child_text("PBEIterationCount")
                    .and_then(|t| t.parse().ok())
                    .ok_or(PskcErrorKind::MissingElement("PBEIterationCount"))?;
                self.crypto.derivation = Some(Ok(Pbkdf2Params {
                    salt: b64(salt, &self.options.limits, "PBESalt")?.to_vec(),
                    iterations,
                    key_length: None,
                    prf: HmacAlg::Sha1,
                }));
                let plain = a.replace("pbe-", "");
                self.crypto.doc_algorithm = Some(plain);
            }
        }
        Ok(())
    }

    fn pbkdf2(&self, params: &Node) -> Result<Pbkdf2Params, PskcErrorKind> {
        let salt = params
            .child("Salt")
            .and_then(|s| s.child_text("Specified"))
            .ok_or(PskcErrorKind::MissingElement("Salt/Specified"))?;
        let iterations: u64 = params
            .child_text("IterationCount")
            .ok_or(PskcErrorKind::MissingElement("IterationCount"))?
            .parse()
            .map_err(|_| PskcErrorKind::InvalidValue("IterationCount"))?;
        let iterations = u32::try_from(iterations)
            .ok()
            .filter(|&i| i <= self.options.limits.max_pbkdf2_iterations)
            .ok_or(PskcErrorKind::Limit(LimitKind::Pbkdf2Iterations))?;
        let key_length = params
            .child_text("KeyLength")
            .map(|t| {
                t.parse::<usize>()
                    .map_err(|_| PskcErrorKind::InvalidValue("KeyLength"))
            })
            .transpose()?;
        // python-pskc 1.4 writes the PRF's URI as the element's text, not its attribute.
        let prf_node = params.child("PRF");
        let prf_uri = prf_node
            .and_then(|p| p.attr("Algorithm"))
            .or(prf_node.map(Node::trimmed).filter(|_| !self.options.strict));
        let prf = match prf_uri.filter(|a| !a.is_empty()) {
            Some(uri) => HmacAlg::from_uri(uri, self.options.strict)?,
            None => HmacAlg::Sha1,
        };
        Ok(Pbkdf2Params {
            salt: b64(salt, &self.options.limits, "Salt")?.to_vec(),
            iterations,
            key_length,
            prf,
        })
    }
}
