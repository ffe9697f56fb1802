"""Hand memory the cleaning steps freed back to the operating system.

glibc's allocator raises its mmap threshold each time a large block is freed, so after the
first few million-row arrays are freed later ones come from the heap, and freed heap memory
stays in the process: on a million-row file about 130 MiB of resident memory that nothing
uses any more (measured with ``benchmarks/bench_clean.py``). ``malloc_trim`` returns it;
elsewhere (macOS, musl, Windows) this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

__all__ = ["release_free_memory"]


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


def release_free_memory() -> None:
    """Return freed heap memory (glibc ``malloc_trim``) and Arrow's unused pool memory."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return
    pa.default_memory_pool().release_unused()
