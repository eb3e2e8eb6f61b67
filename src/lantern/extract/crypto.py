"""Cryptocurrency addresses, accepted only when their checksum holds.

Payment addresses link ads to one operator, so a false one would invent a link. Each format carries a
checksum; random strings that merely look like addresses (IDs, hashes, slugs) fail it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

from lantern.extract.keccak import keccak256

_B58: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX: Final = {c: i for i, c in enumerate(_B58)}
_BECH32: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX: Final = {c: i for i, c in enumerate(_BECH32)}
_BECH32_CONST: Final = 1
_BECH32M_CONST: Final = 0x2BC830A3

BTC_BASE58: Final = re.compile(r"[13](?<![A-Za-z0-9][13])[1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9])")
"""Starts by consuming ``[13]`` and only then checks the character before, so ``re`` can skip to the next
``1`` or ``3`` in C instead of trying the pattern at every position."""
BTC_BECH32: Final = re.compile(r"(?<![A-Za-z0-9])(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{8,87}(?![A-Za-z0-9])")
ETH: Final = re.compile(r"(?<![A-Za-z0-9])0x[0-9a-fA-F]{40}(?![A-Za-z0-9])")


def base58check_valid(address: str) -> bool:
    """Bitcoin legacy (P2PKH ``1...``) or script (P2SH ``3...``) address with a valid checksum."""
    num = 0
    for ch in address:
        if ch not in _B58_INDEX:
            return False
        num = num * 58 + _B58_INDEX[ch]
    raw = num.to_bytes(25, "big") if num.bit_length() <= 200 else b""
    if len(raw) != 25 or raw[0] not in (0x00, 0x05):
        return False
    leading = len(address) - len(address.lstrip("1"))
    if raw[:leading] != b"\x00" * leading:
        return False
    payload, check = raw[:21], raw[21:]
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == check


def _polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_checksum(hrp: str, data: list[int], const: int) -> list[int]:
    """The six checksum symbols for ``data`` (used by tests to build valid addresses)."""
    poly = _polymod([*_hrp_expand(hrp), *data, 0, 0, 0, 0, 0, 0]) ^ const
    return [(poly >> 5 * (5 - i)) & 31 for i in range(6)]


def segwit_valid(address: str) -> bool:
    """Bitcoin SegWit address: bech32 for witness v0, bech32m for v1+ (BIP-173, BIP-350)."""
    if address.lower() != address and address.upper() != address:
        return False
    addr = address.lower()
    pos = addr.rfind("1")
    hrp, rest = addr[:pos], addr[pos + 1 :]
    if hrp != "bc" or len(rest) < 7:
        return False
    try:
        data = [_BECH32_INDEX[c] for c in rest]
    except KeyError:
        return False
    const = _polymod(_hrp_expand(hrp) + data)
    version = data[0]
    if version > 16:
        return False
    if (version == 0 and const != _BECH32_CONST) or (version > 0 and const != _BECH32M_CONST):
        return False
    program_len = (len(data) - 7) * 5 // 8
    if version == 0:
        return program_len in (20, 32)
    return 2 <= program_len <= 40


def eip55_checksum(address: str) -> str:
    """The EIP-55 mixed-case form of a ``0x`` address."""
    hexpart = address[2:].lower()
    digest = keccak256(hexpart.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if int(digest[i], 16) >= 8 else c for i, c in enumerate(hexpart))


def eth_valid(address: str) -> bool:
    """All-lower or all-upper hex carries no checksum and is accepted; mixed case must match EIP-55."""
    body = address[2:]
    if body.lower() == body or body.upper() == body:
        return True
    return eip55_checksum(address) == address


def find_crypto(text: str) -> list[tuple[int, int, str, str]]:
    """``(start, end, platform, address)`` for every checksum-valid address in ``text``."""
    out: list[tuple[int, int, str, str]] = []
    if "0x" in text:
        for m in ETH.finditer(text):
            if eth_valid(m.group(0)):
                out.append((m.start(), m.end(), "ethereum", m.group(0).lower()))
    # a base58 address is 26 to 35 characters without a space: most texts have no such word at all
    for m in BTC_BASE58.finditer(text) if any(len(word) > 25 for word in text.split()) else ():
        if base58check_valid(m.group(0)):
            out.append((m.start(), m.end(), "bitcoin", m.group(0)))
    if "bc1" in text or "BC1" in text:
        for m in BTC_BECH32.finditer(text):
            if segwit_valid(m.group(0)):
                out.append((m.start(), m.end(), "bitcoin", m.group(0).lower()))
    return out
