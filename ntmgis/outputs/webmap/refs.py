r"""Parts of a compressed page's data that repeat other parts, stored by reference.

A country's page says some things twice: the district lines follow the
communes' arcs, and a project's name spells out its village, commune and
district ("Cứng hóa đường giao thông nội bản Nà Sự, xã Pa Ủ, huyện Mường
Tè"), names the page holds anyway. Deflate only finds a repeat within the
last 32 KB, so these cost their full length again (about 1 and 0,7 MB of a
country's page). In a compressed page (:func:`page._record`) they are
stored as references instead, and :func:`restore` (Python) and ``app.js``
(``readRecords``) put them back, so every reader sees the same data.

- ``glines.geom`` -> ``glines.ga``: :func:`encode.lines_on_arcs`.
- ``facilities.name`` -> ``facilities.nt`` and ``nc``: a facility's name
  ending with a commune's name, that name as ``\x01`` (``\x02``: first
  letter lowered) and the commune's index.
- ``villages.st`` and ``cstat``: each year's criteria flags XOR-ed with the
  year before's (``b`` -> ``bx``).
- ``projects.xy`` -> ``projects.xv``: each project's point from its village's
  point (most are within a few hundred metres of it), not from the previous
  project's.
- ``projects.name`` -> ``projects.nt``: each name with the exact spellings of
  its village's, commune's and district's names replaced by a control
  character (``\x01``..``\x06``: the name as written, or with its first
  letter in lower case, "bản Nà Sự" for "Bản Nà Sự"); names are kept as they
  are when any of them already holds such a character.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ntmgis.outputs.webmap.encode import lines_from_arcs, lines_on_arcs
from ntmgis.outputs.webmap.packed import Ragged

__all__ = ["by_reference", "glines_on_arcs", "restore", "MARKS"]

# village, commune, district; each as written and with its first letter lowered
MARKS = ("\x01", "\x02", "\x03", "\x04", "\x05", "\x06")


def _lower_first(s: str) -> str | None:
    """``s`` with its first letter in lower case; None where that is not one letter."""
    if not s or ord(s[0]) >= 0x10000:  # app.js lowers one UTF-16 unit
        return None
    low = s[0].lower()
    return low + s[1:] if len(low) == 1 and low != s[0] else None


def _has_marks(*groups: list) -> bool:
    """Whether any of the strings holds a mark (then nothing is replaced)."""
    text = "".join("".join(g) for g in groups)
    return any(m in text for m in MARKS)


def _owners(data: dict) -> tuple[list, list, list, list, list] | None:
    """Village, commune, district names and each commune's district, or None."""
    p, c, v = data.get("projects"), data.get("communes"), data.get("villages")
    if not (isinstance(p, dict) and isinstance(c, dict) and isinstance(v, dict)):
        return None
    levels = (data.get("admin") or {}).get("levels") or []
    dist = next((lv for lv in levels if lv.get("level") == "district"), None)
    return (v.get("name") or [], c.get("name") or [],
            dist["name"] if dist else [], dist["cu"] if dist else [], p.get("vi") or [])


def _template(names: list, owners: tuple, communes: list) -> list[str] | None:
    vnames, cnames, dnames, cu, vi = owners
    if len(vi) != len(names) or len(communes) != len(names) or \
            _has_marks(names, vnames, cnames, dnames):
        return None
    # (name, mark) pairs of each village and commune (its district's after it), worked out once
    low = _lower_first
    vpairs = [((n, MARKS[0]), (low(n), MARKS[1])) for n in vnames]
    cpairs = []
    for c, n in enumerate(cnames):
        d = dnames[cu[c]] if c < len(cu) and 0 <= cu[c] < len(dnames) else ""
        cpairs.append(((n, MARKS[2]), (low(n), MARKS[3]), (d, MARKS[4]), (low(d), MARKS[5])))
    nv, nc = len(vpairs), len(cpairs)
    out = []
    for name, v, c in zip(names, vi, communes, strict=True):
        for pairs in (vpairs[v] if 0 <= v < nv else (), cpairs[c] if 0 <= c < nc else ()):
            for whole, mark in pairs:
                if whole and whole in name:
                    name = name.replace(whole, mark)
        out.append(name)
    return out


# the group lines drawn on arcs, by the id of their lines; an entry goes with its lines,
# so that a finished map's arrays are not kept alive by this cache (a notebook draws many
# maps in one process). Ragged compares by value, so it cannot be a dictionary key.
_ON_ARCS: dict[int, tuple[weakref.ref, weakref.ref, Ragged]] = {}


def glines_on_arcs(geom: Ragged, arcs: Ragged) -> Ragged:
    """:func:`encode.lines_on_arcs` of ``geom`` and ``arcs``, made once for these two arrays.

    The maps make it in their second thread as soon as the group lines are drawn
    (:func:`~.monitoring._base_model`), beside the other blocks, instead of in the
    first page's assembly, which nothing else runs beside (0,6 s for a country).
    The same arrays (the same objects) give back what was made.
    """
    hit = _ON_ARCS.get(id(geom))
    if hit is not None and hit[0]() is geom and hit[1]() is arcs:
        return hit[2]
    out = lines_on_arcs(geom, arcs)
    if id(geom) not in _ON_ARCS:
        weakref.finalize(geom, _ON_ARCS.pop, id(geom), None)
    _ON_ARCS[id(geom)] = (weakref.ref(geom), weakref.ref(arcs), out)
    return out


def by_reference(key: object, value: Any, data: Any) -> Any:
    """``value`` (the page's ``data[key]``) with what repeats other parts as references."""
    if not isinstance(data, dict) or not isinstance(value, dict):
        return value
    if key == "glines":
        arcs = (data.get("communes") or {}).get("arcs")
        geom = value.get("geom")
        if isinstance(arcs, Ragged) and isinstance(geom, Ragged) and geom.kind == "c":
            out = {k: v for k, v in value.items() if k != "geom"}
            out["ga"] = glines_on_arcs(geom, arcs)
            return out
    if key == "facilities" and isinstance(value.get("name"), list) and "nt" not in value:
        named = _facility_communes(value["name"], (data.get("communes") or {}).get("name"))
        if named is not None:
            return {**{k: v for k, v in value.items() if k != "name"},
                    "nt": named[0], "nc": named[1]}
    if key == "villages" and isinstance(value.get("st"), dict):
        return {**value, "st": _flags_by_year(value["st"], lambda o: o)}
    if key == "cstat":
        return _flags_by_year(value, lambda o: o.get("m") if isinstance(o, dict) else None)
    if key == "projects" and isinstance(value.get("name"), list):
        owners = _owners(data)
        if owners is not None and "nt" not in value:
            templ = _template(value["name"], owners, value.get("commune") or [])
            if templ is not None:
                value = {(k if k != "name" else "nt"): (v if k != "name" else templ)
                         for k, v in value.items()}
        rel = _from_villages(value, data)
        if rel is not None:
            value = {(k if k != "xy" else "xv"): (v if k != "xy" else rel)
                     for k, v in value.items()}
    return value


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_VAL = np.full(128, -1, dtype=np.int64)
_B64_VAL[np.frombuffer(_B64.encode(), dtype=np.uint8)] = np.arange(64)
_B64_CHR = np.frombuffer(_B64.encode(), dtype=np.uint8)


def _xor64(a: str, b: str) -> str | None:
    """Two strings of base-64 flags (blocks._pack_flags) XOR-ed digit by digit, or None."""
    if len(a) != len(b) or not (a + b).isascii():
        return None
    va = _B64_VAL[np.frombuffer(a.encode(), dtype=np.uint8)]
    vb = _B64_VAL[np.frombuffer(b.encode(), dtype=np.uint8)]
    if (va < 0).any() or (vb < 0).any():
        return None
    return _B64_CHR[va ^ vb].tobytes().decode("ascii")


def _flags_by_year(years: Any, pick: Any) -> Any:
    """Each year's packed flags (``pick(years[y])``: ``{"b", "x"}``) XOR-ed with the year before.

    Most villages and communes meet the same criteria as the year before:
    the XOR is mostly ``A`` (0), which deflate all but drops. The flags
    become ``{"bx": ..., "x": ...}``.
    """
    if not isinstance(years, dict):
        return years
    out = dict(years)
    prev = None
    for y in sorted(years):
        flags = pick(years[y])
        if not isinstance(flags, dict) or not isinstance(flags.get("b"), str):
            return years
        x = _xor64(prev, flags["b"]) if prev is not None else None
        if x is not None:
            new = {("bx" if k == "b" else k): (x if k == "b" else v) for k, v in flags.items()}
            out[y] = new if pick(years[y]) is years[y] else {**years[y], "m": new}
        prev = flags["b"]
    return out


def _flags_back(years: Any, pick: Any) -> None:
    """Undo :func:`_flags_by_year` in place."""
    if not isinstance(years, dict):
        return
    prev = None
    for y in sorted(years):
        flags = pick(years[y])
        if isinstance(flags, dict) and "bx" in flags:
            b = _xor64(prev, flags.pop("bx"))
            rest = dict(flags)
            flags.clear()
            flags.update({"b": b, **rest})
        prev = flags.get("b") if isinstance(flags, dict) else None


def _facility_communes(names: list, communes: Any) -> tuple[list[str], list[int]] | None:
    r"""Facility names ending with a commune's name ("Trạm y tế Xã Pa Ủ"): that name as a mark.

    Returns the names with ``\x01`` (the name as written) or ``\x02`` (its
    first letter lowered) in place of the commune's name at their end, and the
    commune each refers to (the first of that name; -1: none), or None.
    """
    if not isinstance(communes, list) or _has_marks(names, communes):
        return None
    first: dict[str, tuple[int, str]] = {}
    for i, c in enumerate(communes):
        first.setdefault(c, (i, MARKS[0]))
    for i, c in enumerate(communes):
        low = _lower_first(c)
        if low:
            first.setdefault(low, (i, MARKS[1]))
    counts = sorted({n.count(" ") + 1 for n in first}, reverse=True)
    out, idx = [], []
    for name in names:
        hit = None
        for w in counts:  # the longest commune name the facility's name ends with
            parts = name.rsplit(" ", w)
            if len(parts) == w + 1 and parts[0]:
                tail = name[len(parts[0]) + 1:]
                if tail in first:
                    hit = tail
                    break
        if hit is None:
            out.append(name)
            idx.append(-1)
        else:
            i, mark = first[hit]
            out.append(name[:len(name) - len(hit)] + mark)
            idx.append(i)
    return out, idx


def _village_points(data: dict) -> np.ndarray | None:
    vxy = (data.get("villages") or {}).get("xy")
    if isinstance(vxy, Ragged) and not vxy.counts:
        return np.cumsum(vxy.values.reshape(-1, 2), axis=0)
    if isinstance(vxy, list) and all(type(x) is int for x in vxy):
        return np.cumsum(np.asarray(vxy, dtype=np.int64).reshape(-1, 2), axis=0)
    return None


def _from_villages(value: dict, data: dict) -> Ragged | None:
    """Project points as offsets from their village's point (tens of metres, not kilometres)."""
    pxy, vi = value.get("xy"), value.get("vi")
    vpts = _village_points(data)
    if not isinstance(pxy, Ragged) or pxy.counts or vpts is None or not isinstance(vi, list):
        return None
    pts = np.cumsum(pxy.values.reshape(-1, 2), axis=0)
    vi_arr = np.asarray(vi, dtype=np.int64)
    if len(vi_arr) != len(pts) or (vi_arr >= len(vpts)).any():
        return None
    base = np.where((vi_arr >= 0)[:, None], vpts[np.maximum(vi_arr, 0)], 0) if len(vpts) \
        else np.zeros_like(pts)
    return Ragged((pts - base).reshape(-1), [], "i")


def _expand(nt: list[str], data: dict) -> list[str]:
    owners = _owners(data)
    assert owners is not None
    vnames, cnames, dnames, cu, vi = owners
    communes = data["projects"].get("commune") or []
    out = []
    for k, name in enumerate(nt):
        if any(m in name for m in MARKS):
            ci = communes[k]
            parts = [vnames[vi[k]] if vi[k] >= 0 else "", cnames[ci] if ci >= 0 else "",
                     dnames[cu[ci]] if ci >= 0 and dnames else ""]
            for j, whole in enumerate(parts):
                name = name.replace(MARKS[2 * j], whole)
                name = name.replace(MARKS[2 * j + 1], _lower_first(whole) or whole)
        out.append(name)
    return out


def restore(data: Any) -> Any:
    """The data read from a compressed page with the references put back (in place)."""
    if not isinstance(data, dict):
        return data
    f = data.get("facilities")
    if isinstance(f, dict) and "nt" in f:
        names = data["communes"]["name"]
        f["name"] = [n if c < 0 else n[:-1] + (names[c] if n[-1] == MARKS[0]
                                                 else _lower_first(names[c]) or names[c])
                     for n, c in zip(f.pop("nt"), f.pop("nc"), strict=True)]
    _flags_back((data.get("villages") or {}).get("st"), lambda o: o)
    _flags_back(data.get("cstat"), lambda o: o.get("m") if isinstance(o, dict) else None)
    g = data.get("glines")
    if isinstance(g, dict) and "ga" in g:
        g["geom"] = lines_from_arcs(g.pop("ga"), data["communes"]["arcs"])
    p = data.get("projects")
    if isinstance(p, dict) and "nt" in p:
        p = data["projects"] = {(k if k != "nt" else "name"):
                                (v if k != "nt" else _expand(v, data)) for k, v in p.items()}
    if isinstance(p, dict) and "xv" in p:
        vpts = _village_points(data)
        vi = np.asarray(p["vi"], dtype=np.int64).reshape(-1)
        rel = np.asarray(p["xv"], dtype=np.int64).reshape(-1, 2)
        base = np.where((vi >= 0)[:, None], vpts[np.maximum(vi, 0)], 0) \
            if len(rel) and vpts is not None and len(vpts) else np.zeros_like(rel)
        pts = rel + base
        d = pts.copy()
        d[1:] -= pts[:-1]
        data["projects"] = {(k if k != "xv" else "xy"): (v if k != "xv" else d.reshape(-1).tolist())
                            for k, v in p.items()}
    return data
