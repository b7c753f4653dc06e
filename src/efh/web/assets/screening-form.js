// The screening form's autosave (casework app): a screener must never lose a half-done screening.
//
// A moment after an answer changes (and when the page is hidden), the form is POSTed with
// action=save and its revision; the server answers with the new revision, and "Saved at 10:42"
// is announced in the status region. If someone else changed the screening (409), or the
// session ended, saving stops and the page says so: the screener's own buttons still work, and
// the server never writes an older revision over a newer one.
// Without JavaScript none of this runs: "Save and come back later" does the same.

const DEBOUNCE_MS = 1500;

function cookie(name) {
  const match = document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`));
  return match ? decodeURIComponent(match[1]) : "";
}

const form = document.getElementById("screening-form");
if (form) {
  const status = document.getElementById("screening-save-status");
  const revision = document.getElementById("screening-revision");
  let timer = null;
  let inFlight = false;
  let again = false;
  let stopped = false;
  let submitting = false;
  let pendingSubmit = null;

  const save = async ({ keepalive = false } = {}) => {
    if (stopped || submitting) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const body = new URLSearchParams(new FormData(form));
    body.set("action", "save");
    let response;
    try {
      response = await fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body,
        keepalive,
        credentials: "same-origin",
        headers: { "X-CSRFToken": cookie("csrftoken") || body.get("csrfmiddlewaretoken"), Accept: "application/json" },
        redirect: "manual",
      });
    } catch {
      status.textContent = "Not saved: the connection was lost. Use “Save and come back later” when it is back.";
      inFlight = false;
      return;
    }
    inFlight = false;
    if (response.ok) {
      const result = await response.json();
      revision.value = result.revision;
      status.textContent = `Saved at ${result.saved_at}.`;
      if (pendingSubmit) {
        // A button was pressed while this save was on its way: send it with the new revision.
        const submitter = pendingSubmit;
        pendingSubmit = null;
        submitting = true;
        form.requestSubmit(submitter);
        return;
      }
      if (again) {
        again = false;
        save();
      }
      return;
    }
    stopped = true;
    if (response.status === 409) {
      const result = await response.json().catch(() => ({}));
      status.textContent = `Not saved: ${result.error || "the screening was changed elsewhere."} Reload the page to see it.`;
    } else {
      status.textContent = "Not saved: your session may have ended. Sign in again in another tab, then use “Save and come back later”.";
    }
  };

  const later = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => save(), DEBOUNCE_MS);
  };
  form.addEventListener("change", later);
  form.addEventListener("input", later);
  form.addEventListener("submit", (event) => {
    window.clearTimeout(timer);
    if (inFlight && !submitting) {
      event.preventDefault();
      pendingSubmit = event.submitter;
      return;
    }
    submitting = true;
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && timer) save({ keepalive: true });
  });
}
