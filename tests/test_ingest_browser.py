"""A curator's path in a real browser: paste an invented article, land on the review page, follow a
highlight to its draft, and confirm everything with the keyboard (headless Debian Chromium, Playwright)."""

import pytest

from tests.test_browser import ARTIFACTS, loaded  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INVENTED = (
    "测试材料（虚构）：两会代表委员谈创新\n\n"
    "全国人大代表、星河智造有限公司董事长王晓明表示，要加快建设智能工厂。\n\n"
    "全国政协委员、青禾大学副校长陈立新建议，加强基础研究。\n\n"
    "本报记者 林小雨\n"
)


def test_paste_review_and_confirm_all_with_the_keyboard(live_server, loaded, browser, django_user_model):  # noqa: F811
    from proposals.models import Delegate, ReviewStatus

    django_user_model.objects.create_superuser("curator", "c@example.org", "pw-curator")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    # Ingesting the pasted article segments it (jieba, in the live server's thread): on a busy machine the
    # submit's navigation took over Playwright's default 30 s; waiting longer keeps the test about behaviour.
    page.set_default_timeout(120_000)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/proposals/article/ingest/")
    page.fill("#id_username", "curator")
    page.fill("#id_password", "pw-curator")
    page.keyboard.press("Enter")
    page.wait_for_url("**/article/ingest/")
    page.fill("#id_text", INVENTED)
    page.fill("#id_outlet", "测试报")
    page.get_by_role("button", name="导入并审核").click()
    page.wait_for_url("**/review/")
    page.screenshot(path=ARTIFACTS / "ingest-review.png", full_page=True)

    wang = Delegate.objects.get(name="王晓明")
    link = page.locator(f'#article-text a.ingest-name[href="#delegate-{wang.pk}"]').first
    assert link.is_visible()
    link.click()
    assert page.url.endswith(f"#delegate-{wang.pk}")

    # the confirm-all button has the focus on arrival: Enter confirms the whole article
    page.goto(page.url.split("#")[0])
    assert page.evaluate("document.activeElement.id") == "confirm-all"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "（已发布）" in page.locator(".messagelist").inner_text()
    assert set(Delegate.objects.filter(name__in=["王晓明", "陈立新"]).values_list("status", flat=True)) == {
        ReviewStatus.PUBLISHED
    }
