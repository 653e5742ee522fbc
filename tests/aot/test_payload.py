"""The payload format: round trip, every corruption is detected before use."""
import pytest

from runtime_stub import payload as P


def sample() -> bytes:
    return P.pack([("meta", b'{"a": 1}', "raw"), ("wasm", b"\0asm" + b"x" * 1000, "zlib"),
                   ("lines", P.pack_lines([(30, 1, 2), (10, 0, 1)]), "raw")])


def test_line_table_is_little_endian_u32_triples():
    # the launcher's C fast path reads this layout directly (docs/design.md)
    assert P.pack_lines([(0x0102, 1, 7)]) == bytes([2, 1, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0])


def test_round_trip():
    p = P.Payload(sample())
    assert p.names() == ["meta", "wasm", "lines"]
    assert p.meta() == {"a": 1}
    assert p.get("wasm") == b"\0asm" + b"x" * 1000
    assert P.unpack_lines(p.get("lines")) == [(10, 0, 1), (30, 1, 2)]
    assert sample() == sample()


@pytest.mark.parametrize("pos", [0, 9, 20, 60, -40, -1])
def test_any_flipped_byte_is_detected(pos):
    blob = bytearray(sample())
    blob[pos] ^= 0x41
    with pytest.raises(P.PayloadError):
        P.Payload(bytes(blob))


@pytest.mark.parametrize("keep", [0, 10, 100])
def test_truncated(keep):
    with pytest.raises(P.PayloadError):
        P.Payload(sample()[:keep])


def test_foreign_and_future_versions():
    with pytest.raises(P.PayloadError) as e:
        P.Payload(b"\x7fELF" + b"\0" * 100)
    assert e.value.kind == "foreign"
    import hashlib
    body = bytearray(sample()[:-32])
    body[8] = 99  # version field
    with pytest.raises(P.PayloadError) as e:
        P.Payload(bytes(body) + hashlib.sha256(body).digest())
    assert e.value.kind == "foreign"


def test_entry_digest_checked_even_if_whole_digest_recomputed():
    import hashlib
    blob = sample()
    body = bytearray(blob[:-32])
    body[-5] ^= 1  # inside the last entry's data
    forged = bytes(body) + hashlib.sha256(body).digest()
    p = P.Payload(forged)
    with pytest.raises(P.PayloadError, match="checksum"):
        p.get("lines")


def test_trailer_round_trip_and_offsets():
    t = P.Trailer(100, 50, 500, b"\x11" * 32, 150, 70)
    raw = t.pack()
    assert len(raw) == P.TRAILER_SIZE
    back = P.parse_trailer(raw, 150 + 70 + P.TRAILER_SIZE)
    assert (back.runner_off, back.payload_off, back.payload_len) == (100, 150, 70)
    offs = P.trailer_field_offsets()
    assert raw[offs["runner_sha256"]:offs["runner_sha256"] + 32] == b"\x11" * 32
    with pytest.raises(P.PayloadError):
        P.parse_trailer(raw, 999)  # size does not match: truncated
