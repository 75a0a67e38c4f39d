"""Pinyin sort keys and search keys for Chinese names (pypinyin).

``sort_key("张伟")`` orders names as a Chinese reader expects (拼音顺序: 安 … 张 … 周),
which ordering by code point does not; ``search_text("张伟")`` is what a typed
search matches: the name, its full pinyin and its initials ("张伟 zhangwei zw").
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

#: Names longer than this are cut before conversion (a name is a few characters).
MAX_CHARS = 60


#: Surnames read differently from the character's usual reading (曾 is zēng as a
#: surname, not céng). Compound surnames first.
SURNAMES: dict[str, tuple[str, ...]] = {
    "万俟": ("mo", "qi"), "尉迟": ("yu", "chi"), "长孙": ("zhang", "sun"), "单于": ("chan", "yu"),
    "曾": ("zeng",), "单": ("shan",), "解": ("xie",), "仇": ("qiu",), "朴": ("piao",), "查": ("zha",),
    "区": ("ou",), "乐": ("yue",), "员": ("yun",), "覃": ("qin",), "翟": ("zhai",), "缪": ("miao",),
    "秘": ("bi",), "盖": ("ge",), "召": ("shao",), "繁": ("po",), "折": ("she",), "种": ("chong",),
    "重": ("chong",), "柏": ("bai",), "沈": ("shen",), "任": ("ren",), "褚": ("chu",), "薄": ("bo",),
    "卜": ("bu",), "尉": ("yu",), "藏": ("zang",), "郇": ("xun",), "冼": ("xian",), "隗": ("wei",),
}


@lru_cache(maxsize=8192)
def syllables(text: str) -> tuple[str, ...]:
    """The toneless pinyin of a name, syllable by syllable, its surname read as a surname."""
    text = (text or "")[:MAX_CHARS]
    for surname in sorted((s for s in SURNAMES if text.startswith(s)), key=len, reverse=True)[:1]:
        rest = lazy_pinyin(text[len(surname):], style=Style.NORMAL, errors="default")
        return tuple(SURNAMES[surname]) + tuple(s.lower() for s in rest)
    return tuple(s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="default"))


def sort_key(text: str) -> tuple[str, str]:
    """Pinyin first, then the text itself so that homophones keep a stable order."""
    return (" ".join(syllables(text)), text or "")


def initials(text: str) -> str:
    return "".join(s[0] for s in syllables(text) if s)


def search_text(text: str) -> str:
    return f"{text} {''.join(syllables(text))} {initials(text)}"
