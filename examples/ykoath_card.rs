//! A virtual YKOATH card: the `otpkit::ykoath` applet over a file-backed credential store,
//! speaking vsmartcard's `vpcd` framing. For tests, and for trying the applet with yubikit or
//! `ykman` without a board.
//!
//! ```text
//! cargo run --example ykoath_card --features ykoath -- --store FILE \
//!     (--stdio | --listen 127.0.0.1:PORT) [--touch always|never]
//! ```
//!
//! # Framing
//!
//! Each message, either way, is a 2-byte big-endian length and that many bytes. A 1-byte message
//! from the reader is a control code: `00` power off, `01` power on, `02` reset (each ends the
//! session: the applet must be selected again), `04` asks for the ATR, which the card answers
//! with [`ATR`]. A longer message is a command APDU; the card answers with the response data and
//! SW1 SW2. Answers over 1024 bytes (and over 256 for short APDUs) come in parts: `61 xx`, then
//! SEND REMAINING.
//!
//! - `--stdio`: the framing on stdin/stdout; exits at the end of the input.
//! - `--listen 127.0.0.1:PORT`: `vpcd`'s reversed mode. The card listens (on loopback only) and
//!   `vpcd` connects to it: in pcscd's reader configuration for vpcd, `DEVICENAME
//!   127.0.0.1:PORT`. Debian's default configuration makes vpcd itself listen on every
//!   interface; do not use it. One reader at a time; the card waits for the next when it goes.
//! - `--touch always|never`: how touch checks are answered (default `always`). A real board
//!   waits for its button, sending CCID time extensions (WTX) to the host meanwhile.
//!
//! # Store
//!
//! 32 slots in `FILE`, rewritten whole (to a temporary file, synced, renamed over it) on every
//! change, so a crash leaves the old contents or the new. While a card runs it holds an
//! exclusive lock on `FILE.lock`; a second card on the same store is refused before it reads
//! anything. The lock is `flock` through `fs4` (the standard library's `File::try_lock` needs
//! Rust 1.89, above the crate's MSRV).

use core::net::SocketAddr;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use otpkit::ykoath::{Applet, CredentialStore, META_LEN, RECORD_LEN, Random, StoreError, Touch};

/// The card's ATR: direct convention, T=1, historical bytes `otpkit`.
const ATR: [u8; 10] = [0x3b, 0x86, 0x01, b'o', b't', b'p', b'k', b'i', b't', 0x9a];
/// Credential slots in a store file.
const SLOTS: usize = 32;
const MAGIC: &[u8; 8] = b"OTPKYK01";
/// The most response data in one answer; longer answers come in parts (`61 xx`), over short
/// and extended APDUs alike, as from a reader with a 1 KiB buffer.
const MAX_RESPONSE: usize = 1024;

/// Credential records in a file, rewritten atomically on each change.
struct FileStore {
    path: PathBuf,
    meta: Option<[u8; META_LEN]>,
    slots: Vec<Option<[u8; RECORD_LEN]>>,
    /// Held for the card's lifetime: the exclusive lock on `FILE.lock`.
    _lock: File,
}

impl FileStore {
    fn open(path: &Path) -> Result<FileStore, String> {
        let lock_path = path.with_extension("lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| format!("{}: {e}", lock_path.display()))?;
        // Called through the trait: from Rust 1.89 `File` has an inherent `try_lock` too.
        fs4::FileExt::try_lock(&lock)
            .map_err(|_| format!("{}: in use by another card (locked)", path.display()))?;
        let mut store = FileStore {
            path: path.to_path_buf(),
            meta: None,
            slots: vec![None; SLOTS],
            _lock: lock,
        };
        match fs::read(path) {
            Ok(bytes) => store
                .decode(&bytes)
                .map_err(|e| format!("{}: {e}", path.display()))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
        Ok(store)
    }

    fn decode(&mut self, bytes: &[u8]) -> Result<(), &'static str> {
        let rest = bytes.strip_prefix(MAGIC).ok_or("not a ykoath_card store")?;
        let (meta, rest) = rest.split_at_checked(1 + META_LEN).ok_or("truncated")?;
        if let Some((1, meta)) = meta.split_first() {
            self.meta = Some(meta.try_into().map_err(|_| "truncated")?);
        }
        let records = rest.chunks(1 + RECORD_LEN);
        if records.len() != SLOTS {
            return Err("wrong number of slots");
        }
        for (slot, rec) in self.slots.iter_mut().zip(records) {
            match rec.split_first() {
                Some((0, _)) => {}
                Some((1, rec)) => *slot = Some(rec.try_into().map_err(|_| "truncated")?),
                _ => return Err("damaged slot flag"),
            }
        }
        Ok(())
    }

    fn persist(&self) -> io::Result<()> {
        let mut out = MAGIC.to_vec();
        out.push(u8::from(self.meta.is_some()));
        out.extend_from_slice(&self.meta.unwrap_or([0; META_LEN]));
        for slot in &self.slots {
            out.push(u8::from(slot.is_some()));
            out.extend_from_slice(&slot.unwrap_or([0; RECORD_LEN]));
        }
        let tmp = self.path.with_extension("tmp");
        let mut f = File::create(&tmp)?;
        f.write_all(&out)?;
        f.sync_all()?;
        fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    }

    /// Applies `change`, persists, and undoes it if the file could not be written.
    fn update(&mut self, change: impl FnOnce(&mut Self)) -> Result<(), StoreError> {
        let (meta, slots) = (self.meta, self.slots.clone());
        change(self);
        self.persist().map_err(|e| {
            eprintln!("ykoath_card: {}: {e}", self.path.display());
            self.meta = meta;
            self.slots = slots;
            StoreError::Io
        })
    }
}

impl CredentialStore for FileStore {
    fn slots(&self) -> usize {
        SLOTS
    }
    fn read(&mut self, slot: usize, record: &mut [u8; RECORD_LEN]) -> Result<bool, StoreError> {
        match self.slots.get(slot).ok_or(StoreError::NoSuchSlot)? {
            Some(r) => {
                *record = *r;
                Ok(true)
            }
            None => Ok(false),
        }
    }
    fn write(&mut self, slot: usize, record: &[u8; RECORD_LEN]) -> Result<(), StoreError> {
        if slot >= SLOTS {
            return Err(StoreError::NoSuchSlot);
        }
        self.update(|s| {
            if let Some(r) = s.slots.get_mut(slot) {
                *r = Some(*record);
            }
        })
    }
    fn erase(&mut self, slot: usize) -> Result<(), StoreError> {
        if slot >= SLOTS {
            return Err(StoreError::NoSuchSlot);
        }
        // The file is rewritten without the record; the old file's blocks are released by the
        // rename (a flash store would overwrite the page).
        self.update(|s| {
            if let Some(r) = s.slots.get_mut(slot) {
                *r = None;
            }
        })
    }
    fn read_meta(&mut self, meta: &mut [u8; META_LEN]) -> Result<bool, StoreError> {
        match &self.meta {
            Some(m) => {
                *meta = *m;
                Ok(true)
            }
            None => Ok(false),
        }
    }
    fn write_meta(&mut self, meta: &[u8; META_LEN]) -> Result<(), StoreError> {
        self.update(|s| s.meta = Some(*meta))
    }
}

/// The operating system's random numbers.
struct OsRandom;

impl Random for OsRandom {
    fn fill(&mut self, out: &mut [u8]) {
        if getrandom::fill(out).is_err() {
            eprintln!("ykoath_card: no random numbers from the operating system");
            std::process::exit(1);
        }
    }
}

/// `--touch`: every touch check given, or none.
struct TouchAnswer(bool);

impl Touch for TouchAnswer {
    fn confirm(&mut self) -> bool {
        self.0
    }
}

/// Room for the longest answer of 32 credentials: CALCULATE ALL with full SHA-512 responses.
type Card = Applet<FileStore, OsRandom, TouchAnswer, { SLOTS * 136 }>;

/// Serves the framing on `input`/`output` until the input ends.
fn serve(card: &mut Card, input: &mut impl Read, output: &mut impl Write) -> io::Result<()> {
    let mut response = vec![0u8; MAX_RESPONSE + 2];
    loop {
        let mut len = [0u8; 2];
        match input.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        }
        let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
        input.read_exact(&mut msg)?;
        let answer: &[u8] = match msg.as_slice() {
            [0x00] | [0x01] | [0x02] => {
                card.deselect();
                continue;
            }
            [0x04] => &ATR,
            [_] | [] => continue,
            apdu => {
                let n = card
                    .process(apdu, &mut response)
                    .map_err(|e| io::Error::other(e.to_string()))?;
                response.get(..n).unwrap_or_default()
            }
        };
        let n = u16::try_from(answer.len()).map_err(io::Error::other)?;
        output.write_all(&n.to_be_bytes())?;
        output.write_all(answer)?;
        output.flush()?;
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: ykoath_card --store FILE (--stdio | --listen 127.0.0.1:PORT) [--touch always|never]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut store, mut stdio, mut listen, mut touch) = (None, false, None, true);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--store" => store = it.next().map(PathBuf::from),
            "--stdio" => stdio = true,
            "--listen" => listen = it.next().cloned(),
            "--touch" => match it.next().map(String::as_str) {
                Some("always") => touch = true,
                Some("never") => touch = false,
                _ => return usage(),
            },
            _ => return usage(),
        }
    }
    let Some(store) = store else { return usage() };
    if stdio == listen.is_some() {
        return usage();
    }
    let addr = match listen.map(|l| l.parse::<SocketAddr>()) {
        Some(Ok(a)) if a.ip().is_loopback() => Some(a),
        Some(_) => {
            eprintln!("ykoath_card: --listen takes a loopback address and port (127.0.0.1:PORT)");
            return ExitCode::from(2);
        }
        None => None,
    };
    let store = match FileStore::open(&store) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ykoath_card: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut card: Card = Applet::new(store, OsRandom, TouchAnswer(touch));
    let result = match addr {
        None => serve(&mut card, &mut io::stdin().lock(), &mut io::stdout().lock()),
        Some(addr) => listen_loop(&mut card, addr),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ykoath_card: {e}");
            ExitCode::FAILURE
        }
    }
}

/// vpcd's reversed mode: accept the reader, serve it, wait for the next.
fn listen_loop(card: &mut Card, addr: SocketAddr) -> io::Result<()> {
    let listener = TcpListener::bind(addr)?;
    eprintln!("ykoath_card: listening on {}", listener.local_addr()?);
    loop {
        let (stream, peer) = listener.accept()?;
        eprintln!("ykoath_card: reader {peer} connected");
        stream.set_nodelay(true)?;
        let mut input = stream.try_clone()?;
        let mut output = stream;
        if let Err(e) = serve(card, &mut input, &mut output) {
            eprintln!("ykoath_card: reader {peer}: {e}");
        }
        card.deselect();
        eprintln!("ykoath_card: reader {peer} gone");
    }
}
