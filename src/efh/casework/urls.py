from efh.casework.routes import case, frontdoor, nrm, panel, strategy, tool

app_name = "casework"

urlpatterns = [
    *frontdoor.urlpatterns,
    *tool.urlpatterns,
    *case.urlpatterns,
    *strategy.urlpatterns,
    *nrm.urlpatterns,
    *panel.urlpatterns,
]
