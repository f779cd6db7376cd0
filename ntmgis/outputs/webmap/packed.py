"""Nested integer lists kept as numpy arrays, and their compact binary form.

The web maps' geometry is nested lists of small integers (feature -> parts
-> rings -> delta-encoded coordinates, see :mod:`ntmgis.outputs.webmap.encode`).
As JSON text a vertex costs about eight characters before compression, and
building it as Python lists of ints costs memory. :class:`Ragged` keeps such a
structure as one flat numpy array plus the lengths at each level; it reads
like the nested lists (indexing, ``len``, iteration, ``==``, ``tolist``) and
is written as those lists in a plain JSON page.

In a compressed page (``page.py``) it is written as bytes instead
(:meth:`Ragged.pack`), which ``app.js`` (``unpack``) and
:func:`unpack` read back:

- one sequence of unsigned integers: the depth, the number of top-level
  items, the lengths at each level, then the values;
- coordinates (``kind`` ``"c"``, x/y pairs whose first pair in each list is
  absolute and the others deltas) are delta-encoded along the whole layer
  instead (the first vertex of a line from the last vertex of the previous
  line: a few metres to a few kilometres, not the whole longitude), other
  values as they are; signed values are zig-zag coded (0, -1, 1, -2 ... ->
  0, 1, 2, 3 ...); numbers with decimals (kind ``"n"``) as integers of
  ``10**-decimals``, missing as 0 and the others shifted by one;
- the integers as LEB128 varints (7 bits a byte, the high bit says "more"),
  the bytes split in planes: every integer's first byte, then the second
  byte of those that have one, and so on; the planes compress better under
  deflate than the interleaved varints (26 % less than the JSON text on
  the synthetic country's boundaries and roads, both compressed).

The blob starts with the count of integers as 4 bytes, little-endian.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator

import numpy as np

__all__ = ["Ragged", "Numbers", "pack_int_list", "pack_numbered", "unpack", "varint_planes",
           "unvarint_planes"]


def _zigzag(a: np.ndarray) -> np.ndarray:
    a = a.astype(np.int64)
    return ((a << 1) ^ (a >> 63)).astype(np.uint64)


def _unzigzag(u: np.ndarray) -> np.ndarray:
    u = u.astype(np.int64)
    return (u >> 1) ^ -(u & 1)


def varint_planes(u: np.ndarray) -> bytes:
    """Unsigned integers (< 2**32) as varint bytes split in planes, after a 4-byte count."""
    u = np.asarray(u, dtype=np.uint64)
    if len(u) and int(u.max()) >= 2**32:
        raise ValueError("a packed value does not fit in 32 bits")
    out = [struct.pack("<I", len(u))]
    v = u
    while len(v):
        more = v >= 128
        out.append(((v & 0x7F) | (more.astype(np.uint64) << 7)).astype(np.uint8).tobytes())
        v = v[more] >> 7
    return b"".join(out)


def unvarint_planes(buf: bytes | memoryview, pos: int = 0) -> tuple[np.ndarray, int]:
    """The integers written by :func:`varint_planes` at ``pos``, and the position after them."""
    (n,) = struct.unpack_from("<I", buf, pos)
    pos += 4
    out = np.zeros(n, dtype=np.uint64)
    open_ = np.arange(n)
    shift = 0
    while len(open_):
        b = np.frombuffer(buf, dtype=np.uint8, count=len(open_), offset=pos).astype(np.uint64)
        pos += len(open_)
        out[open_] |= (b & 0x7F) << np.uint64(shift)
        open_ = open_[b >= 128]
        shift += 7
    return out, pos


class Ragged:
    """Nested lists of integers (``depth`` levels of lists above the integer lists).

    Parameters
    ----------
    values : numpy.ndarray
        All the integers, flat, in order.
    counts : list of numpy.ndarray
        ``counts[0]``: the length of each top-level item; ``counts[k]``: the
        length of each item of level ``k`` (their number is the sum of
        ``counts[k - 1]``); the last level counts integers. Empty: a flat list.
    kind : str
        ``"c"`` coordinates (x/y pairs, each innermost list delta-encoded
        from its first, absolute pair), ``"i"`` any integers.
    """

    def __init__(self, values: np.ndarray, counts: list[np.ndarray] | None = None,
                 kind: str = "i") -> None:
        self.values = np.asarray(values, dtype=np.int64)
        self.counts = [np.asarray(c, dtype=np.int64) for c in (counts or [])]
        self.kind = kind

    # -- reading like the lists ------------------------------------------------
    def tolist(self) -> list:
        """The nested lists of Python ints."""
        if not self.counts:
            return self.values.tolist()
        cuts = np.cumsum(self.counts[-1])[:-1]
        items: list = [a.tolist() for a in np.split(self.values, cuts)] \
            if len(self.counts[-1]) else []
        for c in reversed(self.counts[:-1]):
            bounds = np.r_[0, np.cumsum(c)].tolist()
            items = [items[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        return items

    def __len__(self) -> int:
        return len(self.counts[0]) if self.counts else len(self.values)

    def __getitem__(self, i: int | slice) -> object:
        """Item ``i`` as a :class:`Ragged` one level less deep (a slice: as lists)."""
        if isinstance(i, slice) or not self.counts:
            return self.tolist()[i]
        n = len(self)
        if not -n <= i < n:
            raise IndexError("Ragged index out of range")
        a = i % n
        b = a + 1
        counts = []
        for c in self.counts:
            counts.append(c[a:b])
            a, b = int(c[:a].sum()), int(c[:b].sum())
        return Ragged(self.values[a:b], counts[1:], self.kind)

    def __iter__(self) -> Iterator:
        return iter(self.tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Ragged):
            other = other.tolist()
        return self.tolist() == other

    __hash__ = None  # type: ignore[assignment]

    def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
        return np.asarray(self.tolist(), dtype=dtype)

    def __repr__(self) -> str:
        return f"Ragged({self.tolist()!r})"

    # -- bytes -----------------------------------------------------------------
    def _layer_deltas(self) -> np.ndarray:
        """Coordinates delta-encoded along the whole layer instead of per list."""
        pairs = self.values.reshape(-1, 2)
        if not len(pairs):
            return self.values
        leaf = self.counts[-1] // 2 if self.counts else np.array([len(pairs)])
        # absolute coordinates: running sums restarted at each list's absolute first pair
        cs = np.cumsum(pairs, axis=0)
        ends = np.cumsum(leaf)
        before = np.zeros((len(leaf), 2), dtype=np.int64)
        inner = (ends - leaf) > 0
        before[inner] = cs[(ends - leaf)[inner] - 1]
        absolute = cs - np.repeat(before, leaf, axis=0)
        d = absolute.copy()
        d[1:] -= absolute[:-1]
        return d.reshape(-1)

    def _starts(self, n_pairs: int) -> np.ndarray:
        """Where each list's pairs start and where its second pair is (pair indexes < n)."""
        leaf = self.counts[-1] // 2 if self.counts else np.array([n_pairs])
        starts = np.cumsum(leaf) - leaf
        both = np.concatenate([starts, starts + 1])
        return both[both < n_pairs]

    def _second_differences(self, deltas: np.ndarray) -> np.ndarray:
        """Layer deltas (x/y pairs) less the pair before, but for each list's first two pairs."""
        pairs = deltas.reshape(-1, 2)
        second = pairs.copy()
        second[1:] -= pairs[:-1]
        reset = self._starts(len(pairs))
        second[reset] = pairs[reset]
        return second.reshape(-1)

    def pack(self) -> bytes:
        """The binary form (see the module's notes)."""
        if self.kind == "c":
            values = self._layer_deltas()
            # a line's next step is much like its last one: from the third pair of each
            # list on, its delta less the one before (7 % less on boundaries and roads);
            # kept only where it deflates smaller (not on points)
            if len(values) > 4:
                second = self._second_differences(values)
                if _trial_size(second) < _trial_size(values):
                    return self._pack(second, 1)
        elif self.kind == "d":  # each value from the one before (sorted indexes)
            values = np.diff(self.values, prepend=0)
        else:
            values = self.values
        return self._pack(values, 0)

    def _pack(self, values: np.ndarray, pred: int) -> bytes:
        # the depth's varint also says whether coordinates are second differences (8)
        head = [np.array([len(self.counts) + 8 * pred, len(self)], dtype=np.uint64)]
        head += [c.astype(np.uint64) for c in self.counts]
        return varint_planes(np.concatenate([*head, _zigzag(values)]))


def pack_int_list(v: list) -> Ragged | Numbers | None:
    """A long JSON list of integers (or None), or of integer lists, packed; None if not such.

    Kinds ``"a"`` (as they are) and ``"d"`` (each from the one before, when
    that deflates smaller: sorted indexes) are read back as plain lists, not
    typed arrays, so the page's script uses them as before; integers with
    None become :class:`Numbers` without decimals.
    """
    kinds = {type(x) for x in v}
    if kinds == {list}:
        if not all(type(y) is int for x in v for y in x):
            return None
        lens = np.array([len(x) for x in v], dtype=np.int64)
        flat = np.array([y for x in v for y in x], dtype=np.int64)
        if len(flat) and np.abs(flat).max() >= 2**30:
            return None
        return Ragged(flat, [lens], "a")
    if not kinds <= {int, type(None)} or int not in kinds:
        return None
    if type(None) in kinds:
        arr = np.array([np.nan if x is None else x for x in v], dtype="float64")
        if np.nanmax(np.abs(arr)) >= 2**30:
            return None
        return Numbers(arr, 0)
    arr = np.array(v, dtype=np.int64)
    if np.abs(arr).max() >= 2**30:
        return None
    return _as_is_or_deltas(arr)


def _as_is_or_deltas(arr: np.ndarray) -> Ragged:
    """``arr`` as kind ``"a"`` or ``"d"``, whichever deflates smaller.

    Sorted indexes are smaller as deltas; values drawn apart from their
    neighbours (years, populations) are not: the difference of two years
    takes nine values where a year takes five.
    """
    smaller = _trial_size(np.diff(arr, prepend=0)) < _trial_size(arr)
    return Ragged(arr, [], "d" if smaller else "a")


# values a choice of coding is tried on (the first ones): enough to tell, and the
# country's 2,5 million boundary values are not compressed twice more
TRIAL_VALUES = 2**18


def _trial_size(values: np.ndarray) -> int:
    """Deflated size (level 1) of the first ``TRIAL_VALUES`` of ``values`` as packed."""
    return len(zlib.compress(varint_planes(_zigzag(values[:TRIAL_VALUES])), 1))


_NUMBERED = re.compile(r"(\D*?)(\d{1,9})")


def pack_numbered(v: list) -> tuple[str, int, Ragged] | None:
    """Strings ``prefix + digits`` (one prefix, one width: codes, project ids) packed.

    ``(prefix, width, numbers)`` or None when ``v`` is not such a list; the
    numbers are coded each from the one before when that deflates smaller.
    """
    if type(v[0]) is not str:
        return None
    m = _NUMBERED.fullmatch(v[0])
    if m is None:
        return None
    prefix, width = m.group(1), len(m.group(2))
    n = len(prefix)
    if not all(type(x) is str and len(x) == n + width and x.startswith(prefix) for x in v):
        return None
    digits = "".join(x[n:] for x in v)
    if not digits.isascii() or not digits.isdigit():
        return None
    arr = (np.frombuffer(digits.encode("ascii"), dtype=np.uint8).reshape(-1, width)
           - 48).astype(np.int64) @ (10 ** np.arange(width - 1, -1, -1, dtype=np.int64))
    return prefix, width, _as_is_or_deltas(arr)


class Numbers:
    """Numbers (or None) rounded to ``decimals``, flat or as rows of equal length.

    Reads like the list (``tolist``, ``==``, indexing); written in a
    compressed page as integers of ``10**-decimals`` (kind ``"n"``).
    """

    def __init__(self, values: np.ndarray, decimals: int, width: int = 0) -> None:
        # values: float64 with NaN for missing, already rounded to decimals
        self.values = np.asarray(values, dtype="float64")
        self.decimals = decimals
        self.width = width

    def tolist(self) -> list:
        """The numbers as in JSON: ints where whole, None where missing (rows if ``width``)."""
        scale = 10.0 ** self.decimals
        ints = np.round(self.values * scale)
        out = []
        for v, k in zip(self.values.tolist(), ints.tolist(), strict=True):
            if v != v:  # NaN
                out.append(None)
            elif k % scale == 0:
                out.append(int(k // scale))
            else:
                out.append(v)
        if self.width:
            return [out[i:i + self.width] for i in range(0, len(out), self.width)]
        return out

    def __len__(self) -> int:
        return len(self.values) // self.width if self.width else len(self.values)

    def __getitem__(self, i: int | slice) -> object:
        return self.tolist()[i]

    def __iter__(self) -> Iterator:
        return iter(self.tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Numbers):
            other = other.tolist()
        return self.tolist() == other

    __hash__ = None  # type: ignore[assignment]

    def pack(self) -> bytes:
        """``[2 * width + by_column, decimals]`` then the integers.

        ``decimals`` is the fewest that keep every number (at most ``self.decimals``).

        Rows are stored column by column (the same source together) or row by
        row, whichever deflates smaller (amounts split by a fixed share repeat
        row by row; amounts drawn per source, column by column).
        """
        ints = np.round(np.nan_to_num(self.values) * 10.0 ** self.decimals).astype(np.int64)
        # as few decimals as the numbers have (whole millions: none); the same numbers
        # come back, a tenth of the size
        decimals = self.decimals
        while decimals > 0 and not (ints % 10).any():
            ints //= 10
            decimals -= 1
        u = np.where(np.isnan(self.values), 0, _zigzag(ints) + 1).astype(np.uint64)
        head = np.array([2 * self.width, decimals], dtype=np.uint64)
        rows = varint_planes(np.concatenate([head, u]))
        if not self.width:
            return rows
        head[0] += 1
        cols = varint_planes(np.concatenate([head, u.reshape(-1, self.width).T.reshape(-1)]))
        return cols if len(zlib.compress(cols, 1)) <= len(zlib.compress(rows, 1)) else rows


def unpack(blob: bytes | memoryview, kind: str) -> list:
    """The nested lists of a packed :class:`Ragged` or :class:`Numbers` (``tolist()``)."""
    u, _ = unvarint_planes(blob)
    if kind == "n":
        width, by_column, decimals = int(u[0]) >> 1, int(u[0]) & 1, int(u[1])
        raw = u[2:].astype(np.int64)
        vals = np.where(raw == 0, np.nan,
                        _unzigzag(np.maximum(raw - 1, 0)) / 10.0 ** decimals)
        if width and by_column:
            vals = vals.reshape(width, -1).T.reshape(-1)
        return Numbers(vals, decimals, width).tolist()
    depth, pred, n = int(u[0]) & 7, int(u[0]) >> 3, int(u[1])
    pos = 2
    counts = []
    for _ in range(depth):
        counts.append(u[pos:pos + n].astype(np.int64))
        pos += n
        n = int(counts[-1].sum())
    values = _unzigzag(u[pos:])
    if kind == "d":
        values = np.cumsum(values)
    if kind == "c" and len(values):
        pairs = values.reshape(-1, 2)
        if pred:  # second differences: running sums restarted at each list's first two pairs
            reset = np.zeros(len(pairs), dtype=bool)
            reset[Ragged(values, counts, kind)._starts(len(pairs))] = True
            cs = np.cumsum(pairs, axis=0)
            first = np.flatnonzero(reset)
            before = np.zeros((len(first), 2), dtype=np.int64)
            before[first > 0] = cs[first[first > 0] - 1]
            seg = np.cumsum(reset) - 1
            pairs = cs - before[seg]
        absolute = np.cumsum(pairs, axis=0)
        leaf = counts[-1] // 2 if counts else np.array([len(pairs)])
        starts = np.r_[0, np.cumsum(leaf)[:-1]][leaf > 0]
        pairs = pairs.copy()
        pairs[starts] = absolute[starts]
        values = pairs.reshape(-1)
    return Ragged(values, counts, kind).tolist()
