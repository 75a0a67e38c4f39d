"""Originality: paraphrased, partial and reordered copies are flagged; independent same-session texts are not."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from yanxiu.attendance import originality
from yanxiu.attendance.models import Reflection, ShingleIndex, ShingleStat, SimilarityFlag
from yanxiu.attendance.originality_lexicon import SYNONYMS

from .test_reflections import ORIGINAL

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def corpus():
    """The labelled set of the benchmark (bench/originality_corpus.py), loaded as a module."""
    spec = importlib.util.spec_from_file_location("originality_corpus", BENCH / "originality_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("originality_corpus", module)
    spec.loader.exec_module(module)
    return module


def classify(sessions):
    """(copies flagged against their source, copies, independents flagged) comparing every pair exactly."""
    stored = [item for s in sessions for item in s.stored]
    prepared = {item.key: originality.prepare(item.text) for item in stored}
    right = copies = false_flags = 0
    by_kind: dict[str, int] = {}
    for s in sessions:
        for item in s.stored + s.copies:
            new = originality.prepare(item.text)
            flagged = [o.key for o in stored if o.key != item.key
                       and originality.score(new, prepared[o.key]).containment >= originality.DEFAULT_THRESHOLD]
            if item.source is None:
                false_flags += bool(flagged)
            else:
                copies += 1
                ok = flagged == [item.source]
                right += ok
                by_kind[item.kind] = by_kind.get(item.kind, 0) + ok
    return right, copies, false_flags, by_kind


def test_each_kind_of_copy_is_flagged_and_same_session_independents_are_not(corpus):
    sessions = corpus.build("held_out", sessions=3, copies_per_kind=2, with_handwritten=True)
    right, copies, false_flags, by_kind = classify(sessions)
    assert copies == 3 * 2 * 3 + 3 * 4 * 3  # grammar sessions + every hand-written reflection copied three ways
    assert (right, false_flags) == (copies, 0)
    assert by_kind == {"paraphrase": 18, "partial": 18, "reordered": 18}


PARAPHRASED = (  # ORIGINAL with about a quarter of its words swapped for synonyms, the names and group changed
    "今天听了刘老师的《观课议课》报告，我最大的收获是意识到观课并非为了评判执教者，而是为了研究孩子的学习。"
    "以前我听课时常常盯着教师的教学设计和用语，极少留意孩子在课上真实的思维过程。报告中刘老师指出，观课者应该坐到孩子中间，"
    "记下孩子的疑惑点和生成点，课后围绕这些证据展开探讨。这种以学定教的思路使我审视自己的课堂：我有没有给孩子充足的时间表达？"
    "我的提问有没有切实引发思索？今后我打算在数学组内试着用观察量表记录小组合作学习的状况，每周挑选一个观察点，"
    "积累数据后再跟同组教师共同分析，力争让评课从印象走向证据，也使自己的课堂越发关注每一个学生的成长。"
)


def test_paraphrased_copy_from_the_issue_is_flagged():
    """A quarter of the words swapped for synonyms, names changed, order kept: missed by 5-character containment."""
    old = [set(originality.shingles(originality.normalise(t)[0], 5)) for t in (PARAPHRASED, ORIGINAL)]
    assert len(old[0] & old[1]) / len(old[0]) < 0.5
    assert originality.compare(PARAPHRASED, ORIGINAL).containment >= originality.DEFAULT_THRESHOLD


def test_canonical_form_maps_synonyms_names_and_classes():
    a = originality.prepare("王老师说：三年级二班的孩子们认为很好。").canon
    b = originality.prepare("李老师说，五年级一班的学生觉得非常好").canon
    assert a == b == "某老师说0年级0班的学生觉得很好"


def test_highlight_marks_synonyms_in_the_shared_passage_and_maps_back_to_the_original():
    cmp = originality.compare("我认为孩子们的作业太多了", "我觉得学生的作业太多了")
    assert originality.highlight("我认为孩子们的作业太多了", cmp.spans_new) == "<mark>我认为孩子们的作业太多了</mark>"


def test_boilerplate_alone_is_not_a_copy():
    a = "通过这次培训，在今后的教学中，作为一名教师，我深刻地认识到核心素养，以学生为主体，受益匪浅。"
    b = "作为一名教师，受益匪浅，以学生为主体，通过这次培训，核心素养，在今后的教学中我深刻地认识到。"
    assert originality.compare(a, b).containment == 0.0


def test_every_synonym_belongs_to_one_group():
    words = [w for line in SYNONYMS.splitlines() for w in line.split()]
    assert len(words) == len(set(words))


def test_a_huge_text_is_cut_before_it_is_compared():
    huge = ORIGINAL * 2000  # about 600,000 characters
    prepared = originality.prepare(huge)
    assert len(prepared.canon) <= originality.MAX_TEXT_CHARS and len(prepared.hashes) <= originality.MAX_TEXT_CHARS
    assert originality.compare(huge, ORIGINAL).containment > 0.9


# --- Through the index --------------------------------------------------------------


@pytest.fixture
def submit(sessions, people, school):
    """Store and check reflections the way the submit service does (check, flags, then index)."""
    session = sessions.make()
    counter = iter(range(10_000))

    def submit(text: str) -> tuple[Reflection, list[originality.Match]]:
        person = people.teacher(school, username=f"writer{next(counter)}").person
        r = Reflection.objects.create(session=session, person=person, body=text, plain_text=text, submitted_at=timezone.now())
        matches = originality.check(text, exclude_id=r.pk)
        SimilarityFlag.objects.bulk_create([
            SimilarityFlag(reflection=r, other_id=m.reflection_id, containment=m.containment, jaccard=m.jaccard) for m in matches
        ])
        originality.index_reflection(r.pk, text)
        return r, matches

    return submit


@pytest.mark.django_db
def test_model_essay_copied_by_many_is_flagged_against_its_earliest_source(corpus, submit, monkeypatch):
    monkeypatch.setattr(originality, "MAX_DOCUMENT_FREQUENCY", 3)  # "many" for a small test: more copies than this
    essay, paraphrases = corpus.mass_copies(8)
    source, matches = submit(essay)
    assert matches == []
    for text in paraphrases:
        _copy, matches = submit(text)
        assert matches and matches[0].reflection_id == source.pk
    # The copies hold none of the essay's index shingles: its posting lists stay short.
    essay_hashes = list(ShingleIndex.objects.filter(reflection=source).values_list("hash", flat=True))
    assert essay_hashes
    assert not ShingleIndex.objects.filter(hash__in=essay_hashes).exclude(reflection=source).exists()
    assert set(ShingleStat.objects.filter(hash__in=essay_hashes).values_list("df", flat=True)) == {1}


@pytest.mark.django_db
def test_copies_are_flagged_earliest_source_first_and_independents_not(corpus, submit):
    s = corpus.build("held_out", sessions=1, writers=4, copies_per_kind=1)[0]
    ids = {}
    for item in s.stored:
        r, matches = submit(item.text)
        ids[item.key] = r.pk
        assert matches == [], item.key
    for item in s.copies:
        _r, matches = submit(item.text)
        assert matches and matches[0].reflection_id == ids[item.source], item.kind


@pytest.mark.django_db
def test_when_a_source_is_rewritten_its_copies_are_indexed_in_full_again(submit):
    source, _ = submit(ORIGINAL)
    copy, matches = submit(ORIGINAL.replace("王老师", "李老师") + "这是我自己的补充。")
    assert [m.reflection_id for m in matches] == [source.pk]
    assert ShingleIndex.objects.filter(reflection=copy).count() < len(originality.index_hashes(copy.plain_text))
    originality.index_reflection(source.pk, "完全不同的另一篇反思，讲的是体育大课间怎样安排运动负荷。")
    assert set(ShingleIndex.objects.filter(reflection=copy).values_list("hash", flat=True)) == originality.index_hashes(
        copy.plain_text)
    # A third copy of the original text is now found through the first copy.
    _third, matches = submit(ORIGINAL.replace("王老师", "赵老师"))
    assert copy.pk in [m.reflection_id for m in matches]


@pytest.mark.django_db
def test_rebuilding_the_index_gives_the_index_built_on_submission(corpus, submit):
    from django.core.management import call_command

    essay, paraphrases = corpus.mass_copies(3)
    for text in [essay, *paraphrases, PARAPHRASED, ORIGINAL]:
        submit(text)
    built = sorted(ShingleIndex.objects.values_list("hash", "reflection_id"))
    stats = sorted(ShingleStat.objects.filter(df__gt=0).values_list("hash", "df"))
    ShingleIndex.objects.all().delete()
    call_command("reindex_reflections", stdout=io.StringIO())
    assert sorted(ShingleIndex.objects.values_list("hash", "reflection_id")) == built
    assert sorted(ShingleStat.objects.values_list("hash", "df")) == stats


@pytest.mark.django_db
def test_review_page_names_the_earliest_source_first(client, sessions, roles):
    from django.urls import reverse

    from yanxiu.attendance import services

    session = sessions.make(enroll=[roles.teacher, roles.member, roles.leader], presenter=roles.leader.person)
    services.reflection_submit(actor=roles.teacher, session=session, notes="", body=ORIGINAL)  # 张老师, the source
    services.reflection_submit(actor=roles.member, session=session, notes="", body=ORIGINAL + "组里的老师也这样想。")
    copy = services.reflection_submit(actor=roles.leader, session=session, notes="", body=PARAPHRASED)
    flags = list(SimilarityFlag.objects.filter(reflection=copy).order_by("other_id").values_list("other__person__name", flat=True))
    assert flags[0] == "张老师"
    client.force_login(roles.school_admin)
    html = client.get(reverse("attendance:reflection_review", args=[copy.pk])).content.decode()
    assert "最早来源" in html and html.index("最早来源") < html.index("张老师") and "<mark>" in html
