//! `otptool --help`: oathtool's options, otptool's additions and the subcommands.

/// Printed for `-h`, `--help` and a command line without KEY.
pub const HELP: &str = "\
Usage: otptool [OPTION]... [KEY [OTP]]
  or:  otptool SUBCOMMAND [ARG]...     (SUBCOMMAND --help for its usage)
Generate and validate OATH one-time passwords, as oathtool does.  KEY and OTP is
the string '-' to read from standard input, '@FILE' to read from indicated
filename (the same FILE twice: its next line), or a hex encoded value (not
recommended on multi-user systems).

  -h, --help                    Print help and exit
  -V, --version                 Print version and exit
      --hotp[=MODE]             use event-based HOTP mode (default); MODE is
                                  SHA1 (default), SHA256 or SHA512
      --totp[=MODE]             use time-variant TOTP mode (values \"SHA1\",
                                  \"SHA256\", or \"SHA512\")  (default=`SHA1')
  -b, --base32                  use base32 encoding of KEY instead of hex
  -c, --counter=COUNTER         HOTP counter value
  -s, --time-step-size=DURATION TOTP time-step duration (30, 30s, 1m30s, 1:30,
                                  1h, T1M30S)  (default=`30s')
  -S, --start-time=TIME         when to start counting time steps for TOTP
                                  (default=`1970-01-01 00:00:00 UTC')
  -N, --now=TIME                use this time as current time for TOTP
                                  (default=`now'); TIME as `date -d' reads
                                  it: @UNIXTIME, 2024-01-01 12:00:00 UTC,
                                  now + 30 seconds, tomorrow, ...
  -d, --digits=DIGITS           number of digits in one-time password, 6 to 10
  -w, --window=WIDTH            number of additional OTPs to generate or
                                  validate against
  -v, --verbose                 explain what is being done (prints the secret)
      --lint                    warn on standard error about weak parameters
                                  (keys under 128 bits)

Subcommands (only as the first argument):
  otptool ocra --suite SUITE --key HEX ...    OCRA (RFC 6287) responses
  otptool uri parse [--strict] URI            read an otpauth:// URI as JSON
  otptool uri new --totp|--hotp ...           build an otpauth:// URI
  otptool uri qr URI [--svg FILE]             show a URI as a QR code
  otptool migration decode URI                read a Google Authenticator export
  otptool migration encode URI...             build a Google Authenticator export
  otptool pskc list FILE [--psk-file F] ...   read a PSKC (RFC 6030) key container
  otptool pskc uri FILE [--psk-file F] ...    its keys as otpauth:// URIs
  otptool pskc new --hotp|--totp|--ocra ...   write a token batch with fresh keys

Exit status: 0 on success or a match, 1 on a usage or input error,
2 when OTP matches nothing in the window.
";
