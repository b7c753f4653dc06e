"""The administrator's screens of the screening tool (``casework.views.tool``)."""

from django.urls import URLPattern, path

from efh.casework.views import tool

urlpatterns: list[URLPattern] = [
    path("screening-tool/", tool.tool_index, name="tool"),
    path("screening-tool/edit/", tool.tool_edit, name="tool-edit"),
    path("screening-tool/<int:version>/", tool.tool_version, name="tool-version"),
]
