//! The HOTP counter in persistent storage, behind [`CounterStore`], and a flash page emulated
//! in RAM for QEMU.

/// Where the token keeps its HOTP counter across power cycles.
pub trait CounterStore {
    /// Why a read or write failed.
    type Error: core::fmt::Debug;

    /// The stored counter; `None` when nothing was ever written (the provisioned value
    /// applies).
    fn load(&mut self) -> Result<Option<u64>, Self::Error>;

    /// Stores `counter` durably: when this returns `Ok`, a power cut cannot bring back an
    /// older value.
    fn store(&mut self, counter: u64) -> Result<(), Self::Error>;
}

/// What can go wrong with the emulated flash.
#[derive(Debug, PartialEq, Eq)]
pub enum FlashError {
    /// Programming would have to set a bit that is clear: the page was not erased.
    NotErased,
    /// The page holds something that is not a counter record.
    Corrupt,
}

/// One NOR flash page emulated in RAM: erasing sets every bit, programming can only clear
/// bits, as on the chip. The counter record is written whole after an erase (no wear
/// levelling: a real board would append records through the page and erase when it is full).
pub struct RamFlashPage {
    words: [u32; 4],
    erases: u32,
}

const ERASED: u32 = u32::MAX;
/// Marks a counter record (the first word).
const MAGIC: u32 = 0x4F54_5043;

impl RamFlashPage {
    /// A page as it leaves the factory: erased.
    pub const fn erased() -> RamFlashPage {
        RamFlashPage {
            words: [ERASED; 4],
            erases: 0,
        }
    }

    /// How many times the page was erased (its wear).
    pub fn erases(&self) -> u32 {
        self.erases
    }

    fn erase(&mut self) {
        self.words = [ERASED; 4];
        self.erases += 1;
    }

    fn program(&mut self, index: usize, value: u32) -> Result<(), FlashError> {
        let word = self.words.get_mut(index).ok_or(FlashError::Corrupt)?;
        *word &= value;
        if *word == value {
            Ok(())
        } else {
            Err(FlashError::NotErased)
        }
    }
}

impl CounterStore for RamFlashPage {
    type Error = FlashError;

    fn load(&mut self) -> Result<Option<u64>, FlashError> {
        match self.words {
            [ERASED, ERASED, ERASED, ERASED] => Ok(None),
            [MAGIC, low, high, check] if check == !(low ^ high) => {
                Ok(Some(u64::from(high) << 32 | u64::from(low)))
            }
            _ => Err(FlashError::Corrupt),
        }
    }

    fn store(&mut self, counter: u64) -> Result<(), FlashError> {
        let (low, high) = (counter as u32, (counter >> 32) as u32);
        self.erase();
        for (i, word) in [MAGIC, low, high, !(low ^ high)].into_iter().enumerate() {
            self.program(i, word)?;
        }
        // Read back, as a flash driver verifies a write.
        if self.load()? == Some(counter) {
            Ok(())
        } else {
            Err(FlashError::Corrupt)
        }
    }
}
