"""Checks on a file's raw bytes, vectorised with NumPy over bounded chunks.

A Python loop over the lines of a million-row file costs seconds (a ``bytes.split`` into a
million objects, one decode each); these scans look at the bytes as a ``uint8`` array, a chunk
of lines at a time so that no mask as large as the file is ever held.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

__all__ = ["first_long_line", "first_utf8_line"]

_CHUNK = 1 << 20  # fits in cache: larger chunks spend their time on page faults


def _line_chunks(data: bytes, chunk: int | None = None) -> Iterator[tuple[int, int, np.ndarray]]:
    """(byte offset, first 1-based line, bytes) of consecutive runs of whole lines.

    Each run ends just after a ``\\n`` (or at the end of ``data``) and is about ``chunk``
    bytes long, longer only when one line is.
    """
    a = np.frombuffer(data, np.uint8)
    chunk = chunk or _CHUNK
    pos, line = 0, 1
    while pos < len(a):
        stop = min(pos + chunk, len(a))
        if stop < len(a):
            cut = data.rfind(b"\n", pos, stop)
            stop = (cut if cut >= 0 else data.find(b"\n", stop)) + 1 or len(a)
        part = a[pos:stop]
        yield pos, line, part
        line += int(np.count_nonzero(part == _BYTE[10]))
        pos = stop


def first_long_line(chunks: Iterable[bytes], limit: int) -> int | None:
    """The first line (1-based, split at ``\\n``) longer than ``limit`` bytes, or None.

    ``chunks`` are the data's consecutive pieces (a file read block by block, so that a
    gigabyte of garbage on one line is refused without being held in memory).

    Examples
    --------
    >>> first_long_line([b"ab\\nabc", b"def\\nx"], 4)
    2
    """
    run, line = 0, 1  # run: bytes of the current line so far
    for chunk in chunks:
        ends = np.flatnonzero(np.frombuffer(chunk, np.uint8) == _BYTE[10])
        if len(ends):
            lengths = np.diff(ends, prepend=-1) - 1
            lengths[0] += run
            long = np.flatnonzero(lengths > limit)
            if len(long):
                return line + int(long[0])
            line, run = line + len(ends), 0
            chunk = chunk[int(ends[-1]) + 1:]
        run += len(chunk)
        if run > limit:
            return line
    return None


def first_utf8_line(data: bytes) -> int | None:
    """The first line (1-based, split at ``\\n``) that is non-ASCII and valid UTF-8, or None.

    A byte-level test rules out almost every line of real GBK or cp1251 text at once (a lead
    byte without its continuation bytes, a continuation byte after ASCII, bytes UTF-8 never
    uses); the few lines left are decoded to be sure.

    Examples
    --------
    >>> first_utf8_line("Москва\\n".encode("cp1251") + "Москва\\n".encode("utf-8"))
    2
    """
    for pos, line, a in _line_chunks(data):
        high = a >= _BYTE[0x80]
        if not high.any():
            continue
        starts = np.concatenate([[0], np.flatnonzero(a[:-1] == _BYTE[10]) + 1])
        bad = _not_utf8(a)
        maybe = np.logical_or.reduceat(high, starts) & ~np.logical_or.reduceat(bad, starts)
        stops = np.append(starts[1:], len(a))
        for i in np.flatnonzero(maybe):
            chunk = data[pos + starts[i]: pos + stops[i]]
            try:
                chunk.decode("utf_8")
            except UnicodeDecodeError:
                continue
            return line + int(i)
    return None


def _not_utf8(a: np.ndarray) -> np.ndarray:
    """Bytes that cannot be part of valid UTF-8 where they stand (a necessary test only).

    Two rules catch practically every line of GBK or cp1251 text, at a third of the cost of
    checking sequence lengths: a byte >= 0xC0 (a lead byte or one UTF-8 never uses) must be
    followed by a continuation byte (0x80-0xBF), and a continuation byte may not follow an
    ASCII byte. Bytes UTF-8 never uses (0xC0, 0xC1, 0xF5-0xFF) are flagged as well; the lines
    that pass are decoded by :func:`first_utf8_line`, so a weaker test only costs time.
    """
    b = _BYTE  # NumPy scalars: a Python int operand makes each operation ten times slower
    if not len(a):
        return np.zeros(0, dtype=bool)
    cont = (a & b[0xC0]) == b[0x80]
    bad = a >= b[0xC0]
    bad[:-1] &= ~cont[1:]  # the last byte, a lead byte with nothing after it, stays bad
    bad[1:] |= cont[1:] & (a[:-1] < b[0x80])
    bad[0] |= cont[0]
    bad |= (a == b[0xC0]) | (a == b[0xC1]) | (a >= b[0xF5])
    return bad


_BYTE = [np.uint8(i) for i in range(256)]
