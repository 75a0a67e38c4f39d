"""Under the Content-Security-Policy the main pages work with no violation reported,
on a computer and on a phone; the old inline behaviours (auto-submitting selects,
confirmations) still work through data attributes."""

import pytest

from ..conftest import login

pytestmark = pytest.mark.e2e

# Recorded in the page before any of its scripts run.
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def _watched(page):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "Content Security Policy" in msg.text else None)
    page.add_init_script(LISTEN)
    return errors


def _assert_clean(page, errors, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__csp")
    assert not violations and not errors, (url, violations, errors)


@pytest.mark.parametrize("mobile", [False, True])
def test_main_pages_report_no_policy_violation(new_page, roles, school, county, live_session, mobile):
    page = new_page(mobile=mobile)
    errors = _watched(page)
    _assert_clean(page, errors, "/accounts/login/")
    login(page, "bureau")
    page.wait_for_load_state("networkidle")
    for url in ["/", "/org/staff/", f"/org/schools/{school.pk}/", "/training/", "/training/projects/",
                f"/credits/school/{school.pk}/", f"/credits/county/{county.pk}/", f"/needs/county/{county.pk}/",
                f"/attendance/session/{live_session.pk}/", f"/attendance/session/{live_session.pk}/screen/", "/api/docs"]:
        _assert_clean(page, errors, url)


def test_a_select_still_submits_its_form_and_the_header_is_sent(new_page, roles, school):
    page = new_page()
    errors = _watched(page)
    login(page, "schooladmin")
    response = page.goto(f"/credits/school/{school.pk}/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "script-src 'self'" in response.headers["content-security-policy"]
    year = page.locator("#year-pick")
    if year.count():
        options = year.locator("option").all()
        year.select_option(options[0].get_attribute("value"))
        page.wait_for_url("**year=*")
    page.goto("/training/projects/")
    page.select_option("select[name=status]", index=1)
    page.wait_for_url("**status=*")
    assert not page.evaluate("window.__csp") and not errors


def test_a_confirmation_is_asked_before_deleting(new_page, roles, school, live_session):
    page = new_page()
    errors = _watched(page)
    login(page, "schooladmin")
    page.goto("/training/")
    asked = []
    page.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.evaluate("""() => { const f = document.createElement('form'); f.method = 'post'; f.action = '/nowhere/';
        f.setAttribute('data-confirm', '确定删除这份资料吗？'); const b = document.createElement('button'); f.append(b);
        document.body.append(f); b.click(); }""")
    assert asked == ["确定删除这份资料吗？"]
    assert "/nowhere/" not in page.url
    assert not page.evaluate("window.__csp") and not errors
