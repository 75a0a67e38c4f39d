"""Originality of reflections: near-copies are flagged to the reviewer.

Text: normalised (NFKC, case-folded, only letters and digits kept, so that
added punctuation or spaces change nothing), then made *canonical*: every word
of the synonym table (:mod:`.originality_lexicon`) becomes its group's first
word (认为/感到 → 觉得, 孩子 → 学生), a person named by surname and title
becomes 某老师/某校长…, and a run of numerals becomes 0 (classes, grades,
dates). A copy with words swapped for synonyms, names and classes changed,
then reads as the text it was copied from. The canonical text is cut into
:data:`SHINGLE_SIZE`-character shingles, each hashed to a signed 64-bit
integer; shingles inside the fixed set phrases of ``BOILERPLATE`` ("通过这次
培训") are left out everywhere: they are no evidence of copying.

Score: the share of the new text's canonical characters that lie in a shingle
the other text also has (order-free, so reordered paragraphs count in full; a
copied middle half scores about one half). A score at or above
:data:`DEFAULT_THRESHOLD` is a flag for the reviewer, never a rejection. The
threshold was calibrated on the calibration part of the labelled set of
``bench/originality_corpus.py``; ``bench/originality.py`` reports precision and
recall on its held-out part.

Index: only the shingles whose hash is divisible by :data:`SAMPLE_MOD` are
stored in the inverted index (``ShingleIndex``: hash → reflection); two texts
sharing a passage keep the same sampled shingles from it. A reflection found
to be a copy is indexed only by the shingles its sources do not already hold,
so a passage is held by its earliest source however many teachers copy it: a
model essay (范文) circulating in a county keeps a posting list of one, every
new copy is flagged against the earliest source, and ``ShingleStat`` (how
many reflections hold a sampled shingle) counts independent use only. Shingles
held by more than :data:`MAX_DOCUMENT_FREQUENCY` reflections are common
wording, skipped when looking up candidates, which keeps every look-up short.

Check: the sampled shingles of the new text find the few reflections sharing
the most of them (one grouped index query), then the best candidates are
scored exactly on all their shingles. Matches come earliest source first.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from .originality_lexicon import BOILERPLATE, SYNONYMS

SHINGLE_SIZE = 4
SAMPLE_MOD = 4
#: Calibrated on the calibration part of the labelled set (bench/originality_corpus.py).
DEFAULT_THRESHOLD = 0.45
#: Candidates need at least this many sampled shingles in common to be compared exactly.
MIN_SHARED_SAMPLES = 3
#: How many best candidates are compared exactly.
CANDIDATES = 8
#: Shingles held by more reflections than this are common wording and skipped in look-ups.
MAX_DOCUMENT_FREQUENCY = 200
#: Longest text compared (characters); the rest of a longer text is not looked at.
MAX_TEXT_CHARS = 20_000


# --- Pure text functions --------------------------------------------------------


def normalise(text: str) -> tuple[str, list[int]]:
    """Letters and digits only, NFKC and case-folded, with each kept character's index in ``text``."""
    chars: list[str] = []
    positions: list[int] = []
    for index, ch in enumerate(text or ""):
        if "\u4e00" <= ch <= "\u9fff":  # CJK unified ideographs: letters, unchanged by NFKC and case-folding
            chars.append(ch)
            positions.append(index)
            continue
        for c in unicodedata.normalize("NFKC", ch).casefold():
            if unicodedata.category(c)[0] in ("L", "N"):
                chars.append(c)
                positions.append(index)
    return "".join(chars), positions


_SURNAMES = frozenset(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴"
    "夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
_TITLES = ("教研员", "老师", "校长", "主任", "同学", "组长", "书记", "教授", "园长")
_NUMERALS = frozenset("0123456789一二三四五六七八九十百两零")


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, str], dict[str, tuple[int, ...]]]:
    """Word -> canonical word, and first character -> the lengths of the words it starts, longest first."""
    table: dict[str, str] = {}
    for line in SYNONYMS.splitlines():
        words = [normalise(w)[0] for w in line.split()]
        for w in words:
            table.setdefault(w, words[0])
    lengths: dict[str, set[int]] = {}
    for w in table:
        lengths.setdefault(w[0], set()).add(len(w))
    return table, {c: tuple(sorted(ls, reverse=True)) for c, ls in lengths.items()}


def _canonical(norm: str, positions: list[int]) -> tuple[str, list[int], list[int]]:
    """Canonical form of a normalised text, with each character's start and end index in the original."""
    table, lengths = _lexicon()
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = last = 0
    n = len(norm)
    while i < n:
        ch = norm[i]
        word = None
        if ch in _SURNAMES and norm.startswith(_TITLES, i + 1):
            title = next(t for t in _TITLES if norm.startswith(t, i + 1))
            word, j = "某" + title, i + 1 + len(title)
        elif ch in _NUMERALS:
            j = i + 1
            while j < n and norm[j] in _NUMERALS:
                j += 1
            word = "0"
        elif ch in lengths:
            for size in lengths[ch]:
                word = table.get(norm[i : i + size]) if i + size <= n else None
                if word is not None:
                    j = i + size
                    break
        if word is None:
            i += 1
            continue
        if i > last:  # the unchanged run before the replaced word
            out.append(norm[last:i])
            starts.extend(positions[last:i])
            ends.extend([p + 1 for p in positions[last:i]])
        out.append(word)
        starts.extend([positions[i]] * len(word))
        ends.extend([positions[j - 1] + 1] * len(word))
        i = last = j
    if last < n:
        out.append(norm[last:])
        starts.extend(positions[last:])
        ends.extend([p + 1 for p in positions[last:]])
    return "".join(out), starts, ends


_MULTIPLIER = 0x9E3779B97F4A7C15F39CC0605CEDC835  # odd 128-bit constant (golden-ratio based)
_MASK128 = (1 << 128) - 1


def _hash(shingle: str) -> int:
    """A stable signed 64-bit hash (multiply-shift over the UTF-32 code points; no per-process seed)."""
    x = int.from_bytes(shingle.encode("utf-32-le"), "little")
    h = ((x * _MULTIPLIER) & _MASK128) >> 64
    return h - (1 << 64) if h >= (1 << 63) else h


def shingles(norm: str, k: int = SHINGLE_SIZE) -> list[int]:
    """The hash of every k-character shingle of a (canonical) text, in order (one per start position).

    The same value as :func:`_hash` of each shingle, computed rolling: the
    window's UTF-32 integer drops its first code point and takes the next.
    """
    if len(norm) < k:
        return [_hash(norm)] if norm else []
    top, mult, mask = 32 * (k - 1), _MULTIPLIER, _MASK128
    codes = [ord(c) for c in norm]
    x = 0
    for c in codes[: k - 1]:
        x = (x >> 32) | (c << top)
    out = []
    append = out.append
    for c in codes[k - 1 :]:
        x = (x >> 32) | (c << top)
        h = ((x * mult) & mask) >> 64
        append(h - (1 << 64) if h >= (1 << 63) else h)
    return out


@lru_cache(maxsize=1)
def boilerplate_hashes() -> frozenset[int]:
    """Shingles of the fixed set phrases: left out of the index and of every comparison."""
    out: set[int] = set()
    for phrase in BOILERPLATE.split():
        canon = _canonical(*normalise(phrase))[0]
        if len(canon) >= SHINGLE_SIZE:
            out.update(shingles(canon))
    return frozenset(out)


@dataclass
class Prepared:
    """A text ready to compare: canonical characters mapped back to the original, and their shingles."""

    text: str
    canon: str
    starts: list[int]
    ends: list[int]
    hashes: list[int]  # one per start position; None-free, boilerplate ones included (see ``counted``)

    @property
    def counted(self) -> set[int]:
        return set(self.hashes) - boilerplate_hashes()


def prepare(text: str) -> Prepared:
    text = (text or "")[:MAX_TEXT_CHARS]
    canon, starts, ends = _canonical(*normalise(text))
    return Prepared(text, canon, starts, ends, shingles(canon) if len(canon) >= SHINGLE_SIZE else [])


def sampled(hashes: Iterable[int]) -> set[int]:
    return {h for h in hashes if h % SAMPLE_MOD == 0}


def index_hashes(text: str) -> set[int]:
    """What goes into the inverted index for a text (before leaving out what its sources hold)."""
    return sampled(prepare(text).counted)


@dataclass
class Comparison:
    containment: float  # share of the new text's characters in a shingle the other text has (the score)
    jaccard: float  # shared shingles / all shingles of the two texts
    spans_new: list[tuple[int, int]] = field(default_factory=list)  # [start, end) in the original new text
    spans_other: list[tuple[int, int]] = field(default_factory=list)


def _covered(p: Prepared, shared: set[int]) -> tuple[int, int, list[tuple[int, int]]]:
    """(characters in a counted shingle, characters in a shared one, merged original spans of the shared ones)."""
    k, boiler = SHINGLE_SIZE, boilerplate_hashes()
    eligible_end = covered_end = 0
    eligible = covered = 0
    runs: list[list[int]] = []
    for i, h in enumerate(p.hashes):
        if h in boiler:
            continue
        end = i + k
        eligible += end - max(i, eligible_end)
        eligible_end = end
        if h in shared:
            covered += end - max(i, covered_end)
            if runs and i <= runs[-1][1]:
                runs[-1][1] = end
            else:
                runs.append([i, end])
            covered_end = end
    spans = [(p.starts[s], p.ends[e - 1]) for s, e in runs]
    return eligible, covered, spans


def score(new: Prepared, other: Prepared, *, spans: bool = False) -> Comparison:
    a, b = new.counted, other.counted
    if not a or not b:
        return Comparison(0.0, 0.0)
    shared = a & b
    eligible, covered, spans_new = _covered(new, shared)
    result = Comparison(covered / eligible if eligible else 0.0, len(shared) / len(a | b))
    if spans:
        result.spans_new, result.spans_other = spans_new, _covered(other, shared)[2]
    return result


def compare(new_text: str, other_text: str) -> Comparison:
    """Score and shared spans (for the reviewer's side-by-side view) of a new text against another."""
    return score(prepare(new_text), prepare(other_text), spans=True)


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
    """(Re)index one reflection; returns the number of index rows written.

    A reflection flagged as a copy (its ``SimilarityFlag`` rows, written by the
    check just before) is indexed only by the shingles its sources do not
    hold, so copied passages stay with their earliest source. When a source's
    own shingles change, the copies flagged against it are indexed again.
    """
    from django.db import connection

    from .models import ShingleIndex, SimilarityFlag

    hashes = index_hashes(text)
    sources = list(SimilarityFlag.objects.filter(reflection_id=reflection_id).values_list("other_id", flat=True))
    if sources:
        hashes -= set(ShingleIndex.objects.filter(reflection_id__in=sources, hash__in=list(hashes)).values_list("hash", flat=True))
    old = set(ShingleIndex.objects.filter(reflection_id=reflection_id).values_list("hash", flat=True))
    if old == hashes:
        return 0
    removed, added = old - hashes, hashes - old
    if removed:
        ShingleIndex.objects.filter(reflection_id=reflection_id, hash__in=list(removed)).delete()
        _bump_frequencies(connection, removed, -1)
    ShingleIndex.objects.bulk_create([ShingleIndex(hash=h, reflection_id=reflection_id) for h in added], batch_size=1000)
    _bump_frequencies(connection, added, +1)
    if removed:
        copies = SimilarityFlag.objects.filter(other_id=reflection_id).exclude(reflection_id=reflection_id)
        for copy_id, copy_text in copies.values_list("reflection_id", "reflection__plain_text"):
            index_reflection(copy_id, copy_text)
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


def check(text: str, *, exclude_id: int | None = None, threshold: float = DEFAULT_THRESHOLD,
          texts_of=None) -> list[Match]:
    """Stored reflections that the text is a near-copy of (score >= threshold), earliest source first.

    Candidates must share at least half the threshold's worth of the text's
    sampled shingles (a wide margin below the sampled estimate, so no real
    copy is missed); only those are scored exactly. ``texts_of(ids) ->
    {id: text}`` loads their texts (the reflection model by default). The
    earliest source is the reflection written first (lowest id).
    """
    new = prepare(text)
    sample = sampled(new.counted)
    needed = max(MIN_SHARED_SAMPLES, int(len(sample) * threshold * 0.5))
    found = candidate_ids(sample, exclude_id=exclude_id, min_shared=needed)
    if not found:
        return []
    if texts_of is None:
        from .models import Reflection

        def texts_of(ids):
            return dict(Reflection.objects.filter(pk__in=ids).values_list("pk", "plain_text"))

    texts = texts_of([rid for rid, _ in found])
    matches = []
    for rid, shared in found:
        if rid not in texts:
            continue
        result = score(new, prepare(texts[rid]))
        if result.containment >= threshold:
            matches.append(Match(rid, result.containment, result.jaccard, shared))
    matches.sort(key=lambda m: m.reflection_id)
    return matches


def rebuild_index(Reflection=None, SimilarityFlag=None, ShingleIndex=None, ShingleStat=None, *, batch: int = 2000) -> int:
    """Index every stored reflection again from scratch (after the shingles change); returns the rows written.

    Reflections are taken in the order they were written, so a copy comes
    after its source and is indexed only by what its sources do not hold. The
    model classes may be a migration's historical ones; only the columns the
    index needs are read.
    """
    from django.db.models import Count

    if Reflection is None:
        from .models import Reflection, ShingleIndex, ShingleStat, SimilarityFlag

    ShingleIndex.objects.all()._raw_delete(ShingleIndex.objects.db)
    ShingleStat.objects.all()._raw_delete(ShingleStat.objects.db)
    sources: dict[int, list[int]] = {}
    for copy_id, source_id in SimilarityFlag.objects.values_list("reflection_id", "other_id").iterator():
        sources.setdefault(copy_id, []).append(source_id)
    held: dict[int, set[int]] = {}  # sources' hashes, kept only for reflections that are someone's source
    wanted = {s for ss in sources.values() for s in ss}
    rows: list = []
    written = 0
    for rid, text in Reflection.objects.order_by("pk").values_list("pk", "plain_text").iterator(chunk_size=batch):
        hashes = index_hashes(text)
        for source in sources.get(rid, ()):
            hashes -= held.get(source, set())
        if rid in wanted:
            held[rid] = hashes
        rows.extend(ShingleIndex(hash=h, reflection_id=rid) for h in hashes)
        if len(rows) >= batch * 50:
            ShingleIndex.objects.bulk_create(rows, batch_size=batch)
            written += len(rows)
            rows = []
    ShingleIndex.objects.bulk_create(rows, batch_size=batch)
    written += len(rows)
    counts = ShingleIndex.objects.values("hash").annotate(df=Count("id")).values_list("hash", "df")
    stats = []
    for h, df in counts.iterator(chunk_size=batch * 5):
        stats.append(ShingleStat(hash=h, df=df))
        if len(stats) >= batch * 5:
            ShingleStat.objects.bulk_create(stats, batch_size=batch)
            stats = []
    ShingleStat.objects.bulk_create(stats, batch_size=batch)
    return written
