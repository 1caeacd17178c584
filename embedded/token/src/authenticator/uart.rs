//! The board's UART, polled, register-level: QEMU's `serial0` on both machines.
//!
//! - MPS2 (`mps2-an386`): UART0, an Arm CMSDK APB UART at `0x4000_4000`.
//! - micro:bit (nRF51822): the UART at `0x4000_2000`, on the board's USB serial bridge.

use core::ptr;

/// A byte-wise serial port.
pub trait Uart {
    /// Waits for a byte and returns it.
    fn read(&mut self) -> u8;
    /// Sends a byte, waiting while the transmitter is busy.
    fn write(&mut self, byte: u8);
}

fn reg_read(addr: usize) -> u32 {
    // SAFETY: called only with the word-aligned addresses of the UART's registers below,
    // always mapped on their machine; this firmware is their only user.
    unsafe { ptr::read_volatile(addr as *const u32) }
}

fn reg_write(addr: usize, value: u32) {
    // SAFETY: as in `reg_read`.
    unsafe { ptr::write_volatile(addr as *mut u32, value) }
}

/// The CMSDK APB UART (Arm's Cortex-M System Design Kit), as on the MPS2 boards.
#[cfg(token_mps2)]
pub struct Cmsdk {
    base: usize,
}

#[cfg(token_mps2)]
impl Cmsdk {
    const DATA: usize = 0x00;
    const STATE: usize = 0x04;
    const CTRL: usize = 0x08;
    const BAUDDIV: usize = 0x10;
    const TX_FULL: u32 = 1;
    const RX_FULL: u32 = 2;

    /// UART0 of the MPS2, enabled for transmit and receive. The divider is the smallest the
    /// UART takes; the emulated line is as fast as the host's socket.
    pub fn uart0() -> Cmsdk {
        let uart = Cmsdk { base: 0x4000_4000 };
        reg_write(uart.base + Self::BAUDDIV, 16);
        reg_write(uart.base + Self::CTRL, 0b11);
        uart
    }
}

#[cfg(token_mps2)]
impl Uart for Cmsdk {
    fn read(&mut self) -> u8 {
        while reg_read(self.base + Self::STATE) & Self::RX_FULL == 0 {
            core::hint::spin_loop();
        }
        reg_read(self.base + Self::DATA) as u8
    }

    fn write(&mut self, byte: u8) {
        while reg_read(self.base + Self::STATE) & Self::TX_FULL != 0 {
            core::hint::spin_loop();
        }
        reg_write(self.base + Self::DATA, u32::from(byte));
    }
}

/// The nRF51's UART (not the EasyDMA UARTE of later chips).
#[cfg(not(token_mps2))]
pub struct Nrf51Uart {
    base: usize,
}

#[cfg(not(token_mps2))]
impl Nrf51Uart {
    const STARTRX: usize = 0x000;
    const STARTTX: usize = 0x008;
    const RXDRDY: usize = 0x108;
    const TXDRDY: usize = 0x11c;
    const ENABLE: usize = 0x500;
    const RXD: usize = 0x518;
    const TXD: usize = 0x51c;
    const BAUDRATE: usize = 0x524;
    /// 115200 baud, the micro:bit's USB serial bridge's usual rate.
    const BAUD_115200: u32 = 0x01d7_e000;

    /// The UART, enabled, receiving and transmitting. (On the board, PSELTXD and PSELRXD select
    /// the bridge's pins, P0.24 and P0.25; QEMU connects the UART to `serial0` directly.)
    pub fn uart0() -> Nrf51Uart {
        let uart = Nrf51Uart { base: 0x4000_2000 };
        reg_write(uart.base + 0x50c, 24); // PSELTXD
        reg_write(uart.base + 0x514, 25); // PSELRXD
        reg_write(uart.base + Self::BAUDRATE, Self::BAUD_115200);
        reg_write(uart.base + Self::ENABLE, 4);
        reg_write(uart.base + Self::STARTRX, 1);
        reg_write(uart.base + Self::STARTTX, 1);
        uart
    }
}

#[cfg(not(token_mps2))]
impl Uart for Nrf51Uart {
    fn read(&mut self) -> u8 {
        while reg_read(self.base + Self::RXDRDY) == 0 {
            core::hint::spin_loop();
        }
        // The event is cleared before RXD is read: the read may raise it again for the next
        // byte waiting in the receive FIFO.
        reg_write(self.base + Self::RXDRDY, 0);
        reg_read(self.base + Self::RXD) as u8
    }

    fn write(&mut self, byte: u8) {
        reg_write(self.base + Self::TXD, u32::from(byte));
        while reg_read(self.base + Self::TXDRDY) == 0 {
            core::hint::spin_loop();
        }
        reg_write(self.base + Self::TXDRDY, 0);
    }
}
