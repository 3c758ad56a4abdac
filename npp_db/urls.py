from django.contrib import admin
from django.urls import include, path

from npp_db.healthcheck import healthz, livez

admin.site.site_header = "npp_db 代表委员建言数据库 · 管理"
admin.site.site_title = "npp_db 管理"
admin.site.index_title = "审核与编辑"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("admin/", admin.site.urls),
    path("api/", include("proposals.api.urls")),
    path("", include("proposals.urls")),
]
