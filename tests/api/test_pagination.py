import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/org/staff", "/api/org/schools", "/api/training/sessions"])
def test_huge_page_numbers_are_refused_not_crashed(client, roles, url):
    client.force_login(roles.school_admin)
    for params in ({"limit": 10**30}, {"offset": 10**30}, {"limit": 0}):
        assert client.get(url, params).status_code == 422, params
    assert client.get(url, {"limit": 5}).status_code == 200
