"""Originality of reflections: near-copies are flagged to the reviewer.

Text is normalised (NFKC, case-folded, only letters and digits kept, so that
added punctuation or spaces change nothing) and cut into 5-character shingles.
Each shingle is hashed to a signed 64-bit integer.

Index: only the shingles whose hash is divisible by :data:`SAMPLE_MOD` are
stored in the inverted index (``ShingleIndex``: hash → reflection). Because
the choice depends on the hash alone, two texts sharing a passage keep the
same sampled shingles from it, so the sample estimates containment without
bias while the index is a quarter of the size. Shingles that appear in very
many reflections (set phrases every teacher writes: "在今后的教学中") are
boilerplate, not evidence of copying; their document frequency is kept in
``ShingleStat`` and they are skipped when looking up candidates, which also
keeps every look-up short however large the index grows.

Check: the sampled shingles of the new text find the few reflections sharing
the most of them (one grouped index query), then the best candidates are
compared exactly on all their shingles: containment (share of the new text's
shingles found in the other) and Jaccard. A containment at or above
:data:`DEFAULT_THRESHOLD` is a flag for the reviewer, never a rejection.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

SHINGLE_SIZE = 5
SAMPLE_MOD = 4
DEFAULT_THRESHOLD = 0.5
#: Candidates need at least this many sampled shingles in common to be compared exactly.
MIN_SHARED_SAMPLES = 3
#: How many best candidates are compared exactly.
CANDIDATES = 8
#: Shingles in more reflections than this are boilerplate and skipped in look-ups.
MAX_DOCUMENT_FREQUENCY = 200


# --- Pure text functions --------------------------------------------------------


def normalise(text: str) -> tuple[str, list[int]]:
    """Letters and digits only, NFKC and case-folded, with each kept character's index in ``text``."""
    chars: list[str] = []
    positions: list[int] = []
    for index, ch in enumerate(text or ""):
        for c in unicodedata.normalize("NFKC", ch).casefold():
            if unicodedata.category(c)[0] in ("L", "N"):
                chars.append(c)
                positions.append(index)
    return "".join(chars), positions


_MULTIPLIER = 0x9E3779B97F4A7C15F39CC0605CEDC835  # odd 128-bit constant (golden-ratio based)
_MASK128 = (1 << 128) - 1


def _hash(shingle: str) -> int:
    """A stable signed 64-bit hash (multiply-shift over the UTF-32 code points; no per-process seed)."""
    x = int.from_bytes(shingle.encode("utf-32-le"), "little")
    h = ((x * _MULTIPLIER) & _MASK128) >> 64
    return h - (1 << 64) if h >= (1 << 63) else h


def shingles(norm: str, k: int = SHINGLE_SIZE) -> list[int]:
    """The hash of every k-character shingle of a normalised text, in order (one per start position)."""
    if len(norm) < k:
        return [_hash(norm)] if norm else []
    data = norm.encode("utf-32-le")  # 4 bytes per character: a shingle is a fixed-width slice
    width = 4 * k
    out = []
    for i in range(0, len(data) - width + 4, 4):
        h = ((int.from_bytes(data[i : i + width], "little") * _MULTIPLIER) & _MASK128) >> 64
        out.append(h - (1 << 64) if h >= (1 << 63) else h)
    return out


def sampled(hashes: Iterable[int]) -> set[int]:
    return {h for h in hashes if h % SAMPLE_MOD == 0}


def index_hashes(text: str) -> set[int]:
    """What goes into the inverted index for a text."""
    return sampled(shingles(normalise(text)[0]))


@dataclass
class Comparison:
    containment: float  # share of the new text's shingles that are in the other text
    jaccard: float
    spans_new: list[tuple[int, int]] = field(default_factory=list)  # [start, end) in the original new text
    spans_other: list[tuple[int, int]] = field(default_factory=list)


def _spans(hashes: list[int], other: set[int], positions: list[int], k: int) -> list[tuple[int, int]]:
    """Original-text ranges covered by shingles that the other text shares, merged."""
    covered: list[tuple[int, int]] = []
    for i, h in enumerate(hashes):
        if h in other:
            start, end = i, min(i + k, len(positions))
            if covered and start <= covered[-1][1]:
                covered[-1] = (covered[-1][0], max(covered[-1][1], end))
            else:
                covered.append((start, end))
    return [(positions[s], positions[e - 1] + 1) for s, e in covered]


def compare(new_text: str, other_text: str, k: int = SHINGLE_SIZE) -> Comparison:
    norm_a, pos_a = normalise(new_text)
    norm_b, pos_b = normalise(other_text)
    ha, hb = shingles(norm_a, k), shingles(norm_b, k)
    sa, sb = set(ha), set(hb)
    if not sa or not sb:
        return Comparison(0.0, 0.0)
    shared = sa & sb
    return Comparison(
        containment=len(shared) / len(sa),
        jaccard=len(shared) / len(sa | sb),
        spans_new=_spans(ha, shared, pos_a, k) if len(norm_a) >= k else [],
        spans_other=_spans(hb, shared, pos_b, k) if len(norm_b) >= k else [],
    )


def highlight(text: str, spans: list[tuple[int, int]]) -> str:
    """HTML of ``text`` (escaped) with the shared spans wrapped in <mark>."""
    out, cursor = [], 0
    for start, end in spans:
        out.append(html.escape(text[cursor:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        cursor = end
    out.append(html.escape(text[cursor:]))
    return "".join(out).replace("\n", "<br>")


# --- Index in the database --------------------------------------------------------


@dataclass
class Match:
    reflection_id: int
    containment: float
    jaccard: float
    shared_samples: int


def index_reflection(reflection_id: int, text: str) -> int:
    """(Re)index one reflection; returns the number of index rows written."""
    from django.db import connection

    from .models import ShingleIndex

    hashes = index_hashes(text)
    old = set(ShingleIndex.objects.filter(reflection_id=reflection_id).values_list("hash", flat=True))
    if old == hashes:
        return 0
    removed, added = old - hashes, hashes - old
    if removed:
        ShingleIndex.objects.filter(reflection_id=reflection_id, hash__in=list(removed)).delete()
        _bump_frequencies(connection, removed, -1)
    ShingleIndex.objects.bulk_create([ShingleIndex(hash=h, reflection_id=reflection_id) for h in added], batch_size=1000)
    _bump_frequencies(connection, added, +1)
    return len(added)


def _bump_frequencies(connection, hashes: Iterable[int], delta: int) -> None:
    from .models import ShingleStat

    table = connection.ops.quote_name(ShingleStat._meta.db_table)
    rows = [(h, max(delta, 0)) for h in sorted(hashes)]  # sorted: a fixed lock order between writers
    if not rows:
        return
    with connection.cursor() as cursor:
        if delta > 0:
            # Portable upsert (SQLite >= 3.24 and PostgreSQL).
            sql = (
                f"INSERT INTO {table} (hash, df) VALUES (%s, %s) "
                f"ON CONFLICT (hash) DO UPDATE SET df = {table}.df + excluded.df"
            )
            cursor.executemany(sql, rows)
        else:
            cursor.executemany(f"UPDATE {table} SET df = df - 1 WHERE hash = %s", [(h,) for h, _ in rows])


def candidate_ids(
    hashes: set[int], *, exclude_id: int | None = None, limit: int = CANDIDATES, min_shared: int = MIN_SHARED_SAMPLES
) -> list[tuple[int, int]]:
    """(reflection id, shared sampled shingles) of the best candidates, most shared first.

    One grouped query; boilerplate shingles (document frequency above
    :data:`MAX_DOCUMENT_FREQUENCY`) are left out inside it.
    """
    from django.db.models import Count

    from .models import ShingleIndex, ShingleStat

    if not hashes:
        return []
    hashes_list = list(hashes)
    boilerplate = ShingleStat.objects.filter(hash__in=hashes_list, df__gt=MAX_DOCUMENT_FREQUENCY).values("hash")
    qs = ShingleIndex.objects.filter(hash__in=hashes_list).exclude(hash__in=boilerplate)
    if exclude_id is not None:
        qs = qs.exclude(reflection_id=exclude_id)
    rows = (
        qs.values("reflection_id")
        .annotate(shared=Count("id"))
        .filter(shared__gte=max(1, min(min_shared, len(hashes_list))))
        .order_by("-shared", "reflection_id")[:limit]
    )
    return [(r["reflection_id"], r["shared"]) for r in rows]


def _containment(new_set: set[int], other_text: str) -> tuple[float, float]:
    other = set(shingles(normalise(other_text)[0]))
    if not new_set or not other:
        return 0.0, 0.0
    shared = len(new_set & other)
    return shared / len(new_set), shared / len(new_set | other)


def check(text: str, *, exclude_id: int | None = None, threshold: float = DEFAULT_THRESHOLD,
          texts_of=None) -> list[Match]:
    """Stored reflections that the text is a near-copy of (containment >= threshold), best first.

    Candidates must share at least half the threshold's worth of the text's
    sampled shingles (a wide margin below the sampled estimate, so no real
    copy is missed); only those are compared exactly. ``texts_of(ids) ->
    {id: text}`` loads their texts (the reflection model by default).
    """
    all_hashes = shingles(normalise(text)[0])
    sample = sampled(all_hashes)
    needed = max(MIN_SHARED_SAMPLES, int(len(sample) * threshold * 0.5))
    found = candidate_ids(sample, exclude_id=exclude_id, min_shared=needed)
    if not found:
        return []
    if texts_of is None:
        from .models import Reflection

        def texts_of(ids):
            return dict(Reflection.objects.filter(pk__in=ids).values_list("pk", "plain_text"))

    texts = texts_of([rid for rid, _ in found])
    new_set = set(all_hashes)
    matches = []
    for rid, shared in found:
        if rid not in texts:
            continue
        containment, jaccard = _containment(new_set, texts[rid])
        if containment >= threshold:
            matches.append(Match(rid, containment, jaccard, shared))
    matches.sort(key=lambda m: (-m.containment, m.reflection_id))
    return matches
