"""A person's record page, for children and adults alike.

The view is thin: ``access_person`` fetches, authorises and logs the view (naming the sections
the page will show), then ``people.record.record_compose`` builds the sections every app
contributes. Three outcomes besides the full record:

- the user has no need to know: the need-to-know page, status 403, saying how many agencies know
  the person and, where the user may, offering to break the glass;
- the user is an analyst or manager without casework: the pseudonymised page;
- no such person: 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from efh.accounts.http import AuthenticatedRequest
from efh.people.policy import Level, access_person, pseudonym
from efh.people.record import record_compose, record_detail, record_fields
from efh.people.selectors.linking import survivor_of


@login_required
def record(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    user = request.user
    survivor = survivor_of(person_id)
    if survivor is not None:  # merged: its records are with the survivor now
        return redirect("people:record", person_id=survivor)
    # No need to know: NeedToKnow propagates to people.middleware's need-to-know page.
    access = access_person(
        user,
        person_id,
        request=request,
        fields=record_fields,
        detail=record_detail(user, request),
    )
    context, sections = record_compose(user, access, request)
    page = {
        "access": access,
        "ident": context.identity,
        "sections": sections,
        "person_id": access.person.pk,
    }
    if access.level == Level.PSEUDONYMISED:
        page["pseudonym"] = pseudonym(access.person.pk)
        return render(request, "people/record_pseudonymised.html", page)
    page["known_to"] = context.known_to
    return render(request, "people/record.html", page)
