import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from yanxiu.attendance import originality, services
from yanxiu.attendance.models import Reflection, ShingleIndex, SimilarityFlag
from yanxiu.core.models import AuditEvent

from .conftest import text_of

pytestmark = pytest.mark.django_db

ORIGINAL = (
    "今天听了王老师的《观课议课》讲座，我最大的收获是认识到观课不是为了评判执教者，而是为了研究学生的学习。"
    "过去我听课时总是盯着老师的教学设计和语言，很少关注学生在课堂上真实的思维过程。讲座中王老师提出，观课者应当坐到学生中间，"
    "记录学生的困惑点和生成点，课后围绕这些证据展开讨论。这种以学定教的思路让我反思自己的课堂：我是否给了学生足够的时间表达？"
    "我的提问是否真正引发了思考？下学期我准备在语文组内尝试用观察量表记录小组合作学习的情况，每周选择一个观察点，"
    "积累数据后再和同组老师一起分析，争取让评课从印象走向证据，也让自己的课堂更加关注每一个孩子的成长。"
)


def edited_copy(text: str) -> str:
    """What a copier does: change a few words, add punctuation, swap some sentences."""
    t = text.replace("王老师", "李老师").replace("下学期", "接下来").replace("语文组", "数学组")
    parts = t.split("。")
    parts[0], parts[1] = parts[1], parts[0]
    return "，".join(parts) + "以上是我的一点体会。"


@pytest.fixture
def session(sessions, roles):
    return sessions.make(enroll=[roles.teacher, roles.member, roles.leader], presenter=roles.leader.person)


def test_normalise_ignores_punctuation_spaces_and_width():
    assert originality.normalise("观课 议课，ＡＢ１！")[0] == "观课议课ab1"


def test_compare_finds_an_edited_copy_and_not_an_independent_text():
    assert originality.compare(edited_copy(ORIGINAL), ORIGINAL).containment > 0.7
    independent = originality.compare(text_of(1), ORIGINAL)
    assert independent.containment < 0.05


def test_highlight_marks_shared_spans_and_escapes_html():
    cmp = originality.compare("<b>甲乙丙丁戊己</b>庚辛", "子丑甲乙丙丁戊己")
    html = originality.highlight("<b>甲乙丙丁戊己</b>庚辛", cmp.spans_new)
    assert "<mark>甲乙丙丁戊己</mark>" in html and "&lt;b&gt;" in html


def test_copied_and_edited_reflection_is_flagged_independent_one_is_not(session, roles):
    first = services.reflection_submit(actor=roles.teacher, session=session, notes="", body=ORIGINAL)
    assert ShingleIndex.objects.filter(reflection=first).exists()
    copy = services.reflection_submit(actor=roles.member, session=session, notes="", body=edited_copy(ORIGINAL))
    independent = services.reflection_submit(actor=roles.leader, session=session, notes="", body=text_of(42))
    flag = SimilarityFlag.objects.get(reflection=copy)
    assert flag.other == first and flag.containment >= originality.DEFAULT_THRESHOLD
    assert not SimilarityFlag.objects.filter(reflection=independent).exists()
    assert not SimilarityFlag.objects.filter(reflection=first).exists()
    assert copy.status == Reflection.Status.SUBMITTED  # a flag, not a rejection


def test_reflection_shorter_than_the_minimum_is_refused_naming_the_count(session, roles):
    with pytest.raises(ValidationError) as exc:
        services.reflection_submit(actor=roles.teacher, session=session, notes="", body="收获很大。" * 10)
    assert "至少 200 字" in exc.value.message_dict["body"][0]
    services.reflection_rule_set(actor=roles.school_admin, session=session, min_reflection_chars=40)
    services.reflection_submit(actor=roles.teacher, session=session, notes="", body="收获很大。" * 10)


def test_rich_text_is_sanitised(session, roles):
    r = services.reflection_submit(actor=roles.teacher, session=session, notes="<p onclick='x()'>笔记</p><script>alert(1)</script>",
                                   body=f"<p>{ORIGINAL}</p><img src=x onerror=alert(1)>")
    assert "<script" not in r.notes and "onclick" not in r.notes and "<img" not in r.body and "<p>" in r.body
    assert "<p>" not in r.plain_text


def test_review_return_needs_comment_then_resubmit_then_accept(session, roles):
    r = services.reflection_submit(actor=roles.teacher, session=session, notes="", body=ORIGINAL)
    with pytest.raises(ValidationError):
        services.reflection_review(actor=roles.school_admin, reflection=r, accept=False, comment="")
    with pytest.raises(PermissionDenied):
        services.reflection_review(actor=roles.member, reflection=r, accept=True)
    services.reflection_review(actor=roles.leader, reflection=r, accept=False, comment="请结合本班学生写具体做法")
    r = services.reflection_submit(actor=roles.teacher, session=session, notes="", body=ORIGINAL + "我班学生的情况是这样的。")
    assert (r.status, r.revision) == ("submitted", 2)
    services.reflection_review(actor=roles.school_admin, reflection=r, accept=True)
    with pytest.raises(ValidationError, match="已审阅通过"):
        services.reflection_submit(actor=roles.teacher, session=session, notes="", body=ORIGINAL)
    actions = list(AuditEvent.objects.filter(target_type="attendance.reflection").values_list("action", flat=True))
    assert sorted(actions) == sorted(["reflection.submit", "reflection.return", "reflection.submit", "reflection.accept"])


def test_resubmission_reindexes_and_does_not_match_itself(session, roles):
    r = services.reflection_submit(actor=roles.teacher, session=session, notes="", body=ORIGINAL)
    services.reflection_review(actor=roles.school_admin, reflection=r, accept=False, comment="再具体些")
    r = services.reflection_submit(actor=roles.teacher, session=session, notes="", body=text_of(7))
    assert not SimilarityFlag.objects.filter(reflection=r).exists()
    assert set(ShingleIndex.objects.filter(reflection=r).values_list("hash", flat=True)) == originality.index_hashes(text_of(7))


def test_review_page_shows_passages_side_by_side_and_hides_the_author_from_a_presenter(client, session, roles):
    services.reflection_submit(actor=roles.teacher, session=session, notes="", body=ORIGINAL)
    copy = services.reflection_submit(actor=roles.member, session=session, notes="", body=edited_copy(ORIGINAL))
    url = reverse("attendance:reflection_review", args=[copy.pk])
    client.force_login(roles.school_admin)
    html = client.get(url).content.decode()
    assert "<mark>" in html and "张老师" in html and "疑似雷同" in html
    client.force_login(roles.leader)  # the presenter: may review, may not see who else wrote it
    html = client.get(url).content.decode()
    assert "<mark>" in html and "另一位教师" in html and "张老师" not in html


def test_reflection_pages_work_for_teacher_and_reviewer(client, session, roles):
    client.force_login(roles.teacher)
    url = reverse("attendance:reflection_submit", args=[session.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"notes": "", "body": "太短"}).status_code == 400
    assert client.post(url, {"notes": "要点", "body": ORIGINAL}).status_code == 302
    client.force_login(roles.school_admin)
    assert "张老师" in client.get(reverse("attendance:reflections", args=[session.pk])).content.decode()
    r = Reflection.objects.get()
    response = client.post(reverse("attendance:reflection_review", args=[r.pk]), {"decision": "accept", "comment": ""})
    assert response.status_code == 302
    assert Reflection.objects.get().status == "accepted"


@pytest.mark.parametrize("opener", ["<math>", "<style>", "<script>", "<svg><desc>", "<math><mi>", "<template>", "<textarea>"])
def test_an_unclosed_tag_keeps_the_text_that_follows(opener):
    rich = f"<p>课堂观察的第一点体会。</p>{opener}后面的反思内容不能丢失，学生的提问很有价值。"
    assert "后面的反思内容不能丢失" in services.sanitise(rich)
    assert "后面的反思内容不能丢失" in services.plain_text(rich)


def test_closed_code_blocks_are_still_dropped_and_markup_stays_harmless():
    rich = "<p>体会</p><style>p{color:red}</style><script>alert(1)</script><p onclick='x'>结尾</p><img src=x onerror=alert(1)>"
    clean = services.sanitise(rich)
    assert clean == "<p>体会</p><p>结尾</p>"
    assert services.sanitise("a < b，<scr<script>ipt>alert(1)</script>") == "a &lt; b，&lt;scr"
