// The concern form's autosave: a practitioner must never lose a half-written concern.
//
// - A moment after typing stops (and when the page is hidden), the form's fields are POSTed to
//   the draft endpoint; "Draft saved at 10:42" is announced in the status region.
// - Until the server has them, the fields are also kept in localStorage. If the session has
//   ended (401/403), they stay there, the page says so, and saving is tried again when the
//   page gets focus back or every 20 seconds; after signing in again (in another tab, or by
//   reloading), the kept fields are saved and put back into the form.
// - The search and add buttons are htmx requests that swap one section of the page; this
//   moves focus to where the server says it belongs, and refuses a swap of the sign-in page.
// Without JavaScript none of this runs and the form's own buttons do the same work.

const DEBOUNCE_MS = 1200;
const RETRY_MS = 20000;

function cookie(name) {
  const match = document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`));
  return match ? decodeURIComponent(match[1]) : "";
}

function pendingKey(user) {
  return `efh.concern.pending.${user}`;
}

function readPending(user) {
  try {
    return JSON.parse(window.localStorage.getItem(pendingKey(user)) || "null");
  } catch {
    return null;
  }
}

function writePending(user, value) {
  try {
    if (value) window.localStorage.setItem(pendingKey(user), JSON.stringify(value));
    else window.localStorage.removeItem(pendingKey(user));
  } catch {
    // Storage full or refused (private browsing): the server draft is the only copy.
  }
}

// The confirmation page: what was kept on the device has been recorded.
const recorded = document.querySelector("[data-concern-recorded]");
if (recorded) writePending(recorded.dataset.user, null);

const form = document.getElementById("concern-form");
if (form) setUp(form);

function setUp(form) {
  const user = form.dataset.user;
  const status = document.getElementById("concern-draft-status");
  const draftInput = document.getElementById("concern-draft-id");
  let timer = null;
  let retry = null;
  let inFlight = false;
  let again = false;
  let dirty = false;
  let submitting = false;
  let version = 0;
  let htmxBusy = false;

  const say = (html) => {
    status.innerHTML = html;
  };

  const csrf = () => {
    const token = cookie("csrftoken") || form.querySelector("[name=csrfmiddlewaretoken]").value;
    // After signing in again the token changes; the form's own copy must follow it.
    form.querySelector("[name=csrfmiddlewaretoken]").value = token;
    return token;
  };

  const fields = () => {
    const data = new FormData(form);
    data.delete("csrfmiddlewaretoken");
    data.delete("action");
    return data;
  };

  const keep = () => {
    writePending(user, {
      draft: draftInput.value || null,
      at: Date.now(),
      fields: [...fields().entries()],
    });
  };

  const signInLink = () => {
    const next = `${window.location.pathname}${window.location.search}`;
    const href = `${form.dataset.signInUrl}?next=${encodeURIComponent(next)}`;
    return `<a class="govuk-link" href="${href}" target="_blank" rel="noopener">sign in again (opens in a new tab)</a>`;
  };

  const scheduleRetry = () => {
    if (!retry) retry = window.setInterval(() => save(), RETRY_MS);
  };

  async function save({ keepalive = false } = {}) {
    if (submitting) return;
    if (htmxBusy) {
      // A section of the form is being redrawn: save once it is back (one request at a time).
      window.clearTimeout(timer);
      timer = window.setTimeout(() => save(), DEBOUNCE_MS);
      return;
    }
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const sent = version;
    const body = new URLSearchParams(fields());
    body.set("draft", draftInput.value);
    let response;
    try {
      response = await fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body,
        keepalive,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
        redirect: "manual",
      });
    } catch {
      say("Not saved: the connection was lost. Your text is kept on this device and will be saved when the connection is back.");
      scheduleRetry();
      inFlight = false;
      return;
    }
    inFlight = false;
    if (response.ok) {
      const result = await response.json();
      if (!submitting) {
        draftInput.value = result.draft;
        const url = new URL(window.location.href);
        if (url.searchParams.get("draft") !== String(result.draft)) {
          url.search = `?draft=${result.draft}`;
          window.history.replaceState(null, "", url);
        }
      }
      say(result.message);
      if (sent === version) {
        dirty = false;
        writePending(user, null);
      }
      if (retry) {
        window.clearInterval(retry);
        retry = null;
      }
    } else if (response.status === 404) {
      say("This draft has been recorded or deleted, so it is no longer saved.");
      dirty = false;
      writePending(user, null);
    } else {
      // 401: signed out; 403: the session's CSRF token went with it; 0: redirected to sign in.
      say(`Not saved: your session has ended. Your text is kept on this device: ${signInLink()} and it will be saved.`);
      scheduleRetry();
    }
    if (again) {
      again = false;
      save();
    }
  }

  const changed = () => {
    if (submitting) return;
    dirty = true;
    version += 1;
    keep();
    window.clearTimeout(timer);
    timer = window.setTimeout(() => save(), DEBOUNCE_MS);
  };

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", (event) => {
    const submitter = event.submitter;
    if (submitter && submitter.getAttribute("hx-post")) return;
    submitting = true;
    window.clearTimeout(timer);
    csrf();
    keep(); // if the session has ended, the text survives the trip to the sign-in page
  });
  const flush = () => {
    if (dirty && !submitting) save({ keepalive: true });
  };
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flush();
  });
  window.addEventListener("focus", () => {
    if (retry) save();
  });

  // Enter in a search box presses its own button, not "Record concern".
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.target.tagName !== "INPUT") return;
    const target = event.target;
    let button = form.querySelector(`[data-concern-search="${target.id}"]`);
    if (!button && target.id.startsWith("new_")) button = form.querySelector("[data-concern-add-new]");
    if (button) {
      event.preventDefault();
      button.click();
    }
  });

  // htmx: never swap in the sign-in page; keep the draft and focus in step with the swap.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const xhr = event.detail.xhr;
    const url = xhr.responseURL || "";
    if (url.includes(form.dataset.signInUrl) || !xhr.responseText.includes('id="concern-form"')) {
      event.detail.shouldSwap = false;
      keep();
      say(`Not done: your session has ended. Your text is kept on this device: ${signInLink()} and try again.`);
    }
  });
  // One request at a time: a search or an add waits for a draft save in flight to finish (the
  // two would otherwise race to write the same draft), and autosave waits for the redraw.
  document.body.addEventListener("htmx:confirm", (event) => {
    if (!inFlight) {
      htmxBusy = true;
      return;
    }
    event.preventDefault();
    const wait = window.setInterval(() => {
      if (inFlight) return;
      window.clearInterval(wait);
      htmxBusy = true;
      event.detail.issueRequest(true);
    }, 50);
  });
  document.body.addEventListener("htmx:afterRequest", () => {
    htmxBusy = false;
  });
  document.body.addEventListener("htmx:configRequest", (event) => {
    event.detail.headers["X-CSRFToken"] = csrf();
  });
  // After settling, not swapping: htmx binds the new section's buttons while it settles, and a
  // button focused (and pressed) before that would submit the whole form instead.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    // outerHTML swap: the target was replaced by a new element with the same id.
    const section = document.getElementById(event.detail.target.id);
    const marker = section && section.querySelector("[data-concern-focus-target]");
    const target = marker && marker.dataset.concernFocusTarget;
    const element = target && document.getElementById(target);
    if (element) element.focus();
    changed();
  });

  // Text kept on this device that the server never got: save it, then show it. A page drawn
  // in answer to this form's own POST already holds everything the device kept (the session
  // was alive and the server has it), so what was kept is stale: restoring it would undo the
  // change just made (a person added without JavaScript's help, say).
  if (form.dataset.posted) writePending(user, null);
  const pending = readPending(user);
  if (pending && (pending.draft || "") === (draftInput.value || "")) {
    restore(pending);
  } else if (pending && !draftInput.value && pending.draft && !new URLSearchParams(window.location.search).has("person")) {
    // A fresh form, and a draft whose last words never reached the server: continue that one.
    restore(pending);
  }

  async function restore(kept) {
    const body = new URLSearchParams(kept.fields);
    const current = new URLSearchParams(fields());
    const peopleKeys = (params) =>
      [...params.keys()].filter((k) => k.startsWith("people-")).sort().join(",") +
      [...params.entries()].filter(([k]) => k.startsWith("people-")).map(([, v]) => v).join(",");
    const samePeople = peopleKeys(body) === peopleKeys(current) && (kept.draft || "") === (draftInput.value || "");
    if (samePeople) {
      for (const element of form.elements) {
        if (!element.name || element.type === "hidden" || element.type === "submit") continue;
        const values = body.getAll(element.name);
        if (element.type === "checkbox" || element.type === "radio") {
          element.checked = values.includes(element.value);
        } else if (values.length) {
          element.value = values[values.length - 1];
        }
      }
      draftInput.value = kept.draft || "";
      dirty = true;
      version += 1;
      await save();
      return;
    }
    // People were added that the page does not show: save, then let the server draw them.
    draftInput.value = kept.draft || "";
    body.set("draft", kept.draft || "");
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
      });
      if (response.ok) {
        const result = await response.json();
        writePending(user, null);
        window.location.replace(`${window.location.pathname}?draft=${result.draft}`);
      }
    } catch {
      scheduleRetry();
    }
  }

  // The map (only when the partnership has configured tiles): a click sets the point.
  const mapElement = document.getElementById("concern-map");
  if (mapElement && window.L) {
    const L = window.L;
    const lat = form.querySelector("#latitude");
    const lng = form.querySelector("#longitude");
    const start = [Number(lat.value) || Number(mapElement.dataset.lat), Number(lng.value) || Number(mapElement.dataset.lng)];
    const map = L.map(mapElement, { keyboard: true }).setView(start, 14);
    L.tileLayer(mapElement.dataset.tiles, { attribution: mapElement.dataset.attribution, maxZoom: 19 }).addTo(map);
    let marker = lat.value && lng.value ? L.marker(start).addTo(map) : null;
    map.on("click", (event) => {
      lat.value = event.latlng.lat.toFixed(5);
      lng.value = event.latlng.lng.toFixed(5);
      if (marker) marker.setLatLng(event.latlng);
      else marker = L.marker(event.latlng).addTo(map);
      changed();
    });
  }
}
