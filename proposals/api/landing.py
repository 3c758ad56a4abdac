"""/api/: the landing page a person opens first (what there is, where the documentation is, the licence)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from proposals import licence
from proposals.api import bulk

ENDPOINTS = [
    ("proposal", "建言：检索、筛选、同步（主题、身份、地区、代表委员、机构、类型、年份、日期、关键词）"),
    ("delegate", "代表委员：身份（任职机构、所属地区）、别名、建言数"),
    ("theme", "主题（以 slug 为标识，如 artificial-intelligence）"),
    ("region", "地区（省、市、区县，包含下辖地区的建言数）"),
    ("organisation", "机构"),
    ("article", "来源文章（单篇含全文，引文位置以字符偏移标明）"),
]


def api_landing(request):
    endpoints = [{"url": reverse(f"api:{name}-list"), "name": name, "text": text} for name, text in ENDPOINTS]
    files = [{"name": n, "url": reverse("api:bulk-file", args=[n])} for n in bulk.file_names()]
    context = {
        "endpoints": endpoints,
        "files": files,
        "licence": licence,
        "breadcrumbs": [("首页", "/"), ("数据接口", None)],
    }
    return render(request, "api/landing.html", context)
