//! The streaming layer: quick-xml events turned into one small element tree per top-level
//! child of the container, so memory follows one key package, not the document.
//!
//! Refuses every document type declaration (so no entity is ever declared, let alone expanded
//! or fetched) and every entity reference other than XML's five predefined ones and character
//! references. Counts lines as it goes, for error messages.

use alloc::string::String;
use alloc::vec::Vec;
use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use zeroize::{Zeroize, Zeroizing};

use super::error::{LimitKind, PskcError, PskcErrorKind};
use super::limits::Limits;

/// One element: its local name (namespace prefix dropped, as python-pskc does), attributes
/// by local name, its text (wiped on drop: it may be a plaintext secret), and its children.
pub(crate) struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: Zeroizing<String>,
    pub children: Vec<Node>,
    pub line: u64,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text, trimmed of XML white space.
    pub fn trimmed(&self) -> &str {
        self.text
            .trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
    }

    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(Node::trimmed)
    }
}

/// A `BufRead` that counts the lines and bytes its reader has consumed, and stops the
/// reader (with an I/O error it recognises) past the document limit or past the longest
/// event the limits allow, before quick-xml buffers more of either.
pub(crate) struct Counting<R> {
    inner: R,
    pub lines: u64,
    pub bytes: u64,
    /// Bytes consumed since the current event began.
    pub event_bytes: u64,
    max_event_bytes: u64,
    max_document_bytes: u64,
    /// Which limit stopped the reader.
    pub stopped: Option<LimitKind>,
}

impl<R: BufRead> Counting<R> {
    fn check(&mut self) -> std::io::Result<()> {
        let over = if self.bytes > self.max_document_bytes {
            Some(LimitKind::DocumentBytes)
        } else if self.event_bytes > self.max_event_bytes {
            Some(LimitKind::TextBytes)
        } else {
            None
        };
        match over {
            Some(kind) => {
                self.stopped = Some(kind);
                Err(std::io::Error::other("pskc limit"))
            }
            None => Ok(()),
        }
    }
}

impl<R: BufRead> std::io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.check()?;
        let n = self.inner.read(buf)?;
        let got = buf.get(..n).unwrap_or_default();
        self.lines += bytecount(got);
        self.bytes += n as u64;
        self.event_bytes += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.check()?;
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let used = buf.get(..amt).unwrap_or(buf);
            self.lines += bytecount(used);
        }
        self.bytes += amt as u64;
        self.event_bytes += amt as u64;
        self.inner.consume(amt);
    }
}

fn bytecount(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// What the streaming reader met at the top level.
pub(crate) enum Top {
    /// The root element: its local name, namespace URI of its prefix, and attributes.
    Root(Node, Option<String>),
    /// A complete child of the root.
    Child(Node),
    /// The end of the root element.
    End,
}

pub(crate) struct XmlReader<R: BufRead> {
    reader: Reader<Counting<R>>,
    buf: Zeroizing<Vec<u8>>,
    limits: Limits,
    started: bool,
    done: bool,
}

impl<R: BufRead> XmlReader<R> {
    pub fn new(inner: R, limits: Limits) -> XmlReader<R> {
        // An event is at most its text (or attribute values) plus markup: the text limit and
        // the attribute limit bound it.
        let max_event = (limits.max_text_bytes as u64)
            .saturating_mul(limits.max_attributes as u64 + 1)
            .saturating_add(64 * 1024);
        let mut reader = Reader::from_reader(Counting {
            inner,
            lines: 0,
            bytes: 0,
            event_bytes: 0,
            max_event_bytes: max_event,
            max_document_bytes: limits.max_document_bytes,
            stopped: None,
        });
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        let mut buf = Zeroizing::new(Vec::new());
        buf.reserve(16 * 1024);
        XmlReader {
            reader,
            buf,
            limits,
            started: false,
            done: false,
        }
    }

    pub fn line(&self) -> u64 {
        self.reader.get_ref().lines + 1
    }

    fn err(&self, kind: PskcErrorKind) -> PskcError {
        PskcError::new(self.line(), kind)
    }

    /// The next event as an owned, already-checked item, the event buffer wiped.
    fn next(&mut self) -> Result<Item, PskcError> {
        // Wipe what the last event left (it may have been a secret's text).
        self.buf.as_mut_slice().zeroize();
        self.buf.clear();
        self.reader.get_mut().event_bytes = 0;
        let event = self.reader.read_event_into(&mut self.buf);
        if let Some(kind) = self.reader.get_ref().stopped {
            return Err(self.err(PskcErrorKind::Limit(kind)));
        }
        if self.reader.get_ref().bytes > self.limits.max_document_bytes {
            return Err(self.err(PskcErrorKind::Limit(LimitKind::DocumentBytes)));
        }
        let line = self.reader.get_ref().lines + 1;
        let err = |kind| PskcError::new(line, kind);
        let item = match event.map_err(|_| err(PskcErrorKind::Xml))? {
            Event::Start(e) => Item::Start(start_node(&e, line, &self.limits)?, prefix_ns(&e)),
            Event::Empty(e) => Item::Empty(start_node(&e, line, &self.limits)?, prefix_ns(&e)),
            Event::End(_) => Item::End,
            // An owned result (line endings normalised) is taken over, not copied, so it is
            // wiped too.
            Event::Text(t) => {
                Item::Text(wiped(t.xml_content().map_err(|_| err(PskcErrorKind::Xml))?))
            }
            Event::CData(t) => Item::Text(wiped(t.decode().map_err(|_| err(PskcErrorKind::Xml))?)),
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => Item::Char(c),
                        _ => return Err(err(PskcErrorKind::Xml)),
                    }
                } else {
                    match &*r {
                        b"lt" => Item::Char('<'),
                        b"gt" => Item::Char('>'),
                        b"amp" => Item::Char('&'),
                        b"apos" => Item::Char('\''),
                        b"quot" => Item::Char('"'),
                        _ => return Err(err(PskcErrorKind::EntityExpansion)),
                    }
                }
            }
            Event::DocType(d) => {
                let upper: Vec<u8> = d.iter().map(u8::to_ascii_uppercase).collect();
                let has = |needle: &[u8]| upper.windows(needle.len()).any(|w| w == needle);
                let kind = if has(b"<!ENTITY") && (has(b"SYSTEM") || has(b"PUBLIC")) {
                    PskcErrorKind::ExternalEntity
                } else if has(b"<!ENTITY") {
                    PskcErrorKind::EntityExpansion
                } else {
                    PskcErrorKind::Dtd
                };
                return Err(err(kind));
            }
            Event::Eof => Item::Eof,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => Item::Skip,
        };
        Ok(item)
    }

    /// The root element, then each complete child of it, then [`Top::End`].
    pub fn next_top(&mut self) -> Result<Top, PskcError> {
        if self.done {
            return Ok(Top::End);
        }
        loop {
            match self.next()? {
                Item::Skip | Item::Text(_) | Item::Char(_) => {}
                Item::Start(node, ns) if !self.started => {
                    self.started = true;
                    return Ok(Top::Root(node, ns));
                }
                Item::Empty(node, ns) if !self.started => {
                    self.started = true;
                    self.done = true;
                    return Ok(Top::Root(node, ns));
                }
                Item::Start(node, _) => {
                    let node = self.subtree(node, 2)?;
                    return Ok(Top::Child(node));
                }
                Item::Empty(node, _) => return Ok(Top::Child(node)),
                Item::End => {
                    self.done = true;
                    return Ok(Top::End);
                }
                Item::Eof => return Err(self.err(PskcErrorKind::Xml)),
            }
        }
    }

    /// Reads the rest of `node` (its start tag read) at nesting `depth`.
    fn subtree(&mut self, node: Node, depth: usize) -> Result<Node, PskcError> {
        let mut stack: Vec<Node> = Vec::new();
        let mut current = node;
        let mut elements = 1usize;
        loop {
            match self.next()? {
                Item::Skip => {}
                Item::Text(t) => self.push_text(&mut current, &t)?,
                Item::Char(c) => {
                    let mut b = [0u8; 4];
                    self.push_text(&mut current, c.encode_utf8(&mut b))?;
                }
                Item::Start(child, _) | Item::Empty(child, _)
                    if depth + stack.len() + 1 > self.limits.max_depth =>
                {
                    drop(child);
                    return Err(self.err(PskcErrorKind::Limit(LimitKind::Depth)));
                }
                Item::Start(child, _) => {
                    elements += 1;
                    self.check_elements(elements)?;
                    stack.push(core::mem::replace(&mut current, child));
                }
                Item::Empty(child, _) => {
                    elements += 1;
                    self.check_elements(elements)?;
                    current.children.push(child);
                }
                Item::End => match stack.pop() {
                    Some(mut parent) => {
                        parent.children.push(current);
                        current = parent;
                    }
                    None => return Ok(current),
                },
                Item::Eof => return Err(self.err(PskcErrorKind::Xml)),
            }
        }
    }

    fn check_elements(&self, n: usize) -> Result<(), PskcError> {
        if n > self.limits.max_elements_per_package {
            return Err(self.err(PskcErrorKind::Limit(LimitKind::PackageElements)));
        }
        Ok(())
    }

    fn push_text(&self, node: &mut Node, text: &str) -> Result<(), PskcError> {
        let len = node.text.len() + text.len();
        if len > self.limits.max_text_bytes {
            return Err(self.err(PskcErrorKind::Limit(LimitKind::TextBytes)));
        }
        if node.text.capacity() < len {
            // Grow into a fresh wiped buffer rather than letting `String` reallocate and
            // free an unwiped copy.
            let mut grown = Zeroizing::new(String::with_capacity(len.max(64)));
            grown.push_str(&node.text);
            node.text = grown;
        }
        node.text.push_str(text);
        Ok(())
    }
}

enum Item {
    Start(Node, Option<String>),
    Empty(Node, Option<String>),
    End,
    Text(Zeroizing<String>),
    Char(char),
    Eof,
    Skip,
}

fn wiped(text: alloc::borrow::Cow<'_, str>) -> Zeroizing<String> {
    match text {
        alloc::borrow::Cow::Owned(s) => Zeroizing::new(s),
        alloc::borrow::Cow::Borrowed(s) => Zeroizing::new(String::from(s)),
    }
}

fn local(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(i) => name.get(i + 1..).unwrap_or_default(),
        None => name,
    }
}

fn start_node(e: &BytesStart<'_>, line: u64, limits: &Limits) -> Result<Node, PskcError> {
    let err = |kind| PskcError::new(line, kind);
    let name = core::str::from_utf8(local(e.name().as_ref()))
        .map_err(|_| err(PskcErrorKind::Xml))?
        .into();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|_| err(PskcErrorKind::Xml))?;
        if attrs.len() >= limits.max_attributes {
            return Err(err(PskcErrorKind::Limit(LimitKind::Attributes)));
        }
        let key = a.key.as_ref();
        if key == b"xmlns" || key.starts_with(b"xmlns:") {
            continue;
        }
        let value = a.unescape_value().map_err(|e| match e {
            quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(..)) => {
                err(PskcErrorKind::EntityExpansion)
            }
            _ => err(PskcErrorKind::Xml),
        })?;
        if value.len() > limits.max_text_bytes {
            return Err(err(PskcErrorKind::Limit(LimitKind::TextBytes)));
        }
        let key = core::str::from_utf8(local(key)).map_err(|_| err(PskcErrorKind::Xml))?;
        attrs.push((key.into(), value.into_owned()));
    }
    Ok(Node {
        name,
        attrs,
        text: Zeroizing::new(String::new()),
        children: Vec::new(),
        line,
    })
}

/// The namespace URI bound to the element's prefix by its own attributes (enough for the
/// root, where PSKC documents declare it).
fn prefix_ns(e: &BytesStart<'_>) -> Option<String> {
    let name = e.name();
    let raw = name.as_ref();
    let want: Vec<u8> = match raw.iter().position(|&b| b == b':') {
        Some(i) => {
            let mut w = b"xmlns:".to_vec();
            w.extend_from_slice(raw.get(..i).unwrap_or_default());
            w
        }
        None => b"xmlns".to_vec(),
    };
    e.attributes().flatten().find_map(|a| {
        (a.key.as_ref() == want.as_slice()).then(|| String::from_utf8_lossy(&a.value).into_owned())
    })
}
