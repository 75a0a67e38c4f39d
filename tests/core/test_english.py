"""The English catalogue: complete, compiled, and used once a user switches language."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

import yanxiu

LOCALE_DIR = Path(yanxiu.__file__).resolve().parent / "locale"
PO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"

PLACEHOLDER = re.compile(r"%\([^)]+\)[sdf]|%%")
# Chinese words of the navigation and page furniture that must not show in English.
CHINESE_NAV = ["首页", "教师名册", "我的培训", "我的学时", "学时公示", "退出", "我的档案"]


# --- A tiny .po reader ----------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (list), fuzzy.

    Obsolete entries (``#~``) are skipped; the header (empty msgid) is included.
    """
    entries: list[dict] = []
    current: dict | None = None
    field: tuple[str, int] | None = None

    def finish():
        if current is not None and "msgid" in current:
            entries.append(current)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            current, field = None, None
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = {"msgctxt": None, "msgid_plural": None, "msgstr": [], "fuzzy": False}
        if line.startswith("#,"):
            current["fuzzy"] = "fuzzy" in [flag.strip() for flag in line[2:].split(",")]
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
            name, index = field
            if name == "msgstr":
                current["msgstr"][index] += value
            else:
                current[name] += value
            continue
        value = ast.literal_eval(rest)
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            index = int(match.group(1))
            current["msgstr"].extend([""] * (index + 1 - len(current["msgstr"])))
            current["msgstr"][index] = value
            field = ("msgstr", index)
        elif keyword == "msgstr":
            current["msgstr"] = [value]
            field = ("msgstr", 0)
        elif keyword in ("msgid", "msgid_plural", "msgctxt"):
            current[keyword] = value
            field = (keyword, 0)
        else:
            raise AssertionError(f"unexpected line in {path.name}: {raw!r}")
    finish()
    return entries


def messages() -> list[dict]:
    return [e for e in read_po(PO_FILE) if e["msgid"]]


# --- The catalogue ----------------------------------------------------------------


def test_the_reader_understands_plural_and_multiline_entries(tmp_path):
    po = tmp_path / "sample.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, fuzzy, python-format\nmsgid "共 %(n)s 条"\nmsgid_plural "共 %(n)s 条"\nmsgstr[0] "%(n)s item"\nmsgstr[1] ""\n\n'
        'msgid ""\n"多行"\n"文字"\nmsgstr "Multi-"\n"line"\n\n'
        '#~ msgid "旧"\n#~ msgstr "Old"\n',
        encoding="utf-8",
    )
    header, plural, multiline = read_po(po)
    assert header["msgstr"] == ["Language: en\n"]
    assert plural["fuzzy"] and plural["msgid_plural"] == "共 %(n)s 条" and plural["msgstr"] == ["%(n)s item", ""]
    assert multiline["msgid"] == "多行文字" and multiline["msgstr"] == ["Multi-line"]


def test_the_catalogue_has_many_messages():
    assert len(messages()) > 1000


def test_every_message_is_translated_and_none_is_fuzzy():
    untranslated = [e["msgid"] for e in messages() if not e["msgstr"] or not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in messages() if e["fuzzy"]]
    assert untranslated == [], f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_plural_messages_have_both_english_forms():
    plurals = [e for e in messages() if e["msgid_plural"]]
    assert plurals
    for entry in plurals:
        assert len(entry["msgstr"]) == 2, entry["msgid"]


def test_translations_keep_every_placeholder():
    wrong = []
    for entry in messages():
        for index, text in enumerate(entry["msgstr"]):
            source = entry["msgid_plural"] if index and entry["msgid_plural"] else entry["msgid"]
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                wrong.append((entry["msgid"], text))
    assert wrong == []


def test_translations_are_english():
    # Only the language's own name stays in Chinese (it labels the language switch).
    chinese = [e["msgstr"] for e in messages() if e["msgid"] != "简体中文" and re.search(r"[\u4e00-\u9fff]", e["msgstr"][0])]
    # Import help texts quote the Chinese column headers users must type; each such text also explains them in English.
    assert all(re.search(r"[A-Za-z]{3}", s[0]) for s in chinese), chinese


def test_the_compiled_catalogue_matches_the_po_file():
    with MO_FILE.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = []
    for entry in messages():
        key = entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if entry["msgid_plural"]:
            got = [compiled.ngettext(key, entry["msgid_plural"], n) for n in (1, 2)]
        else:
            got = [compiled.gettext(key)]
        if got != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert stale == [], f"django.mo is out of date (run compilemessages); e.g. {stale[:5]}"


# --- Pages in English ----------------------------------------------------------------


def visible_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def english_client(client, roles):
    client.force_login(roles.school_admin)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    return client


@pytest.mark.django_db
def test_pages_are_chinese_until_the_language_is_switched(client, roles):
    client.force_login(roles.school_admin)
    text = visible_text(client.get("/"))
    assert "教师名册" in text and "Staff roster" not in text


@pytest.mark.django_db
def test_home_page_navigation_is_in_english(english_client):
    response = english_client.get("/")
    assert response.status_code == 200
    text = visible_text(response)
    for word in ("Home", "Staff roster", "My training", "My hours", "Hours posting", "Log out"):
        assert word in text
    for word in CHINESE_NAV:
        assert word not in text
    assert '<html lang="en"' in response.content.decode()


@pytest.mark.django_db
def test_staff_roster_is_in_english(english_client):
    response = english_client.get("/org/staff/")
    assert response.status_code == 200
    text = visible_text(response)
    for word in ("Export Excel (masked)", "All schools", "Filter", "Professional title", "Primary school", "Male"):
        assert word in text
    for word in CHINESE_NAV + ["导出", "筛选", "职称", "全部学校", "未评"]:
        assert word not in text


@pytest.mark.django_db
def test_my_training_and_my_hours_are_in_english(english_client):
    training = visible_text(english_client.get("/training/"))
    assert "Upcoming" in training and "Calendar subscription" in training
    assert "日历订阅" not in training
    hours = visible_text(english_client.get("/credits/me/"))
    assert "Hours certificate (PDF)" in hours and "Submit a training certificate" in hours
    assert "学时证明" not in hours


@pytest.mark.django_db
def test_the_language_cookie_wins_over_the_browser_language(english_client):
    response = english_client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert "Staff roster" in visible_text(response)


def test_validation_messages_from_python_code_are_in_english():
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from yanxiu.org import idnumber

    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        idnumber.parse("12345")
    assert excinfo.value.messages == ["The ID number must have 18 digits; it has 5."]


@pytest.mark.django_db
def test_form_page_titles_and_buttons_follow_the_language(client, roles):
    client.force_login(roles.teacher)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/org/me/edit/").content.decode()
    assert "Edit personal details" in html and "修改个人信息" not in html and "保存" not in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get("/org/me/edit/").content.decode()
    assert "修改个人信息" in html and "保存" in html
