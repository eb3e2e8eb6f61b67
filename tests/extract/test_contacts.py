"""Emails, handles, payments, URLs and checksum-validated crypto addresses."""

from __future__ import annotations

from lantern.extract import ExtractConfig, extract_text
from lantern.extract.crypto import (
    _BECH32,
    base58check_valid,
    bech32_checksum,
    eip55_checksum,
    eth_valid,
    segwit_valid,
)
from lantern.extract.keccak import keccak256

CFG = ExtractConfig()


def test_emails_plain_and_spelled() -> None:
    out = extract_text(
        "Mail Jess.M@Example.com or jess at example dot org or mia [at] example [dot] net", CFG
    )
    assert out["emails"] == ["jess.m@example.com", "jess@example.org", "mia@example.net"]
    spelled = [m for m in out["mentions"] if m["type"] == "email" and m["obscured"]]
    assert {m["text"] for m in spelled} == {"jess at example dot org", "mia [at] example [dot] net"}


def test_prose_with_at_is_not_an_email() -> None:
    assert extract_text("meet me at the hotel. dot your i", CFG)["emails"] == []


def test_handles() -> None:
    text = "snap: jess_m22, IG @jess.m, kik - jessm22, telegram: jess_tg, t.me/jesschan, wechat: jess2024"
    handles = extract_text(text, CFG)["handles"]
    assert {"platform": "snapchat", "handle": "jess_m22"} in handles
    assert {"platform": "instagram", "handle": "jess.m"} in handles
    assert {"platform": "kik", "handle": "jessm22"} in handles
    assert {"platform": "telegram", "handle": "jess_tg"} in handles
    assert {"platform": "telegram", "handle": "jesschan"} in handles
    assert {"platform": "wechat", "handle": "jess2024"} in handles


def test_platform_word_without_handle() -> None:
    assert extract_text("snapchat only please, text me", CFG)["handles"] == []


def test_payments() -> None:
    out = extract_text("Deposit via cashapp $JessM22 or venmo @jess-m or paypal.me/jessm. Rates $200", CFG)
    assert {"platform": "cashapp", "handle": "$jessm22"} in out["payments"]
    assert {"platform": "venmo", "handle": "jess-m"} in out["payments"]
    assert {"platform": "paypal", "handle": "jessm"} in out["payments"]
    assert all(p.get("handle") != "$200" for p in out["payments"])


def test_keccak_known_vectors() -> None:
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"abc").hex() == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"


def test_eip55_published_examples() -> None:
    for addr in ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                 "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"):  # fmt: skip
        assert eth_valid(addr)
        assert eip55_checksum(addr.lower()) == addr
    assert not eth_valid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")  # one case flipped
    assert eth_valid("0x" + "ab" * 20)  # all lower: no checksum to check


def test_bitcoin_base58check() -> None:
    assert base58check_valid("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    assert base58check_valid("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")
    assert not base58check_valid("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")


def _segwit(version: int, program: bytes, const: int) -> str:
    acc = bits = 0
    data = [version]
    for byte in program:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    return "bc1" + "".join(_BECH32[d] for d in data + bech32_checksum("bc", data, const))


def test_bech32_and_bech32m() -> None:
    v0 = _segwit(0, bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6"), 1)
    assert v0 == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # BIP-173 example address
    assert segwit_valid(v0) and segwit_valid(v0.upper())
    v1 = _segwit(1, bytes(range(32)), 0x2BC830A3)
    assert segwit_valid(v1)
    assert not segwit_valid(_segwit(1, bytes(range(32)), 1))  # v1 with a bech32 (not m) checksum
    assert not segwit_valid(v0[:-1] + ("q" if v0[-1] != "q" else "p"))


def test_crypto_in_text() -> None:
    text = ("btc 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed "
            "bad 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")  # fmt: skip
    out = extract_text(text, CFG)
    crypto = [p for p in out["payments"] if "address" in p]
    assert crypto == [
        {"platform": "ethereum", "address": "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"},
        {"platform": "bitcoin", "address": "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"},
    ]


def test_urls() -> None:
    out = extract_text("See https://example.com/profile?id=3 or www.example.org, and example.net.", CFG)
    assert out["urls"] == ["https://example.com/profile?id=3", "www.example.org", "example.net"]
