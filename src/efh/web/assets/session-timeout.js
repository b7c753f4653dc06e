// The GOV.UK timeout warning: a modal dialog shown a little before an idle session runs out.
//
// accounts/session_timeout.html renders the <dialog> with the session's length and the warning
// time (data-session-seconds, data-warning-seconds). The clock restarts on every page load and
// htmx request (each refreshes the server's session), and other tabs share their last activity
// through localStorage, so one busy tab keeps a quiet one from warning. "Stay signed in" POSTs
// to the keep-alive URL; Escape does the same, as in the GOV.UK pattern. When time runs out the
// dialog's sign-out form is posted with reason=timeout, and the sign-in page says why.
// Without JavaScript none of this runs and the server still ends the session.

const ACTIVITY_KEY = "efh-session-activity";

function words(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts = [];
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? "" : "s"}`);
  if (rest || !minutes) parts.push(`${rest} second${rest === 1 ? "" : "s"}`);
  return parts.join(" ");
}

function readActivity() {
  try {
    return Number(window.localStorage.getItem(ACTIVITY_KEY)) || 0;
  } catch {
    return 0;
  }
}

function writeActivity(at) {
  try {
    window.localStorage.setItem(ACTIVITY_KEY, String(at));
  } catch {
    // Storage refused (private mode): this tab still keeps its own clock.
  }
}

function init(dialog) {
  const sessionMs = Number(dialog.dataset.sessionSeconds) * 1000;
  const warningMs = Math.min(Number(dialog.dataset.warningSeconds) * 1000, sessionMs);
  if (!(sessionMs > 0)) return;
  const heading = dialog.querySelector("h2");
  const countdown = dialog.querySelector("[data-countdown]");
  const live = dialog.querySelector("[data-countdown-live]");
  const stay = dialog.querySelector("[data-stay-signed-in]");
  const signOut = dialog.querySelector("form[data-timeout-sign-out]");
  const token = signOut.querySelector("input[name=csrfmiddlewaretoken]").value;
  let expiresAt = 0;
  let timer = 0;
  let announced = "";
  let returnFocus = null;

  const schedule = (delay, fn) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(fn, Math.max(0, delay));
  };

  // Someone (this tab or another) used the session at `at`: it now ends sessionMs later.
  const activity = (at = Date.now(), share = true) => {
    expiresAt = Math.max(expiresAt, at + sessionMs);
    if (share) writeActivity(at);
    if (dialog.open) close();
    schedule(expiresAt - warningMs - Date.now(), warn);
  };

  const close = () => {
    dialog.close();
    announced = "";
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
    returnFocus = null;
  };

  const timeOut = () => {
    window.clearTimeout(timer);
    signOut.querySelector("[data-timeout-reason]").value = "timeout";
    signOut.submit();
  };

  const tick = () => {
    const shared = readActivity() + sessionMs;
    if (shared > expiresAt + 1000) {
      activity(shared - sessionMs, false); // another tab kept the session alive
      return;
    }
    const left = Math.ceil((expiresAt - Date.now()) / 1000);
    if (left <= 0) {
      timeOut();
      return;
    }
    countdown.textContent = words(left);
    // Screen readers hear the time when the dialog opens, then each minute, then every 15
    // seconds in the last minute: a per-second announcement would drown everything else.
    const step = left > 60 ? 60 : 15;
    const spoken = `We will sign you out in ${words(Math.ceil(left / step) * step)}.`;
    if (spoken !== announced) {
      announced = spoken;
      live.textContent = spoken;
    }
    schedule(1000 - (Date.now() % 1000), tick);
  };

  const warn = () => {
    const shared = readActivity() + sessionMs;
    if (shared > expiresAt + 1000) {
      activity(shared - sessionMs, false);
      return;
    }
    if (!dialog.open) {
      returnFocus = document.activeElement;
      dialog.showModal();
      heading.focus();
    }
    tick();
  };

  const stayed = async () => {
    stay.disabled = true;
    try {
      const response = await fetch(dialog.dataset.extendUrl, {
        method: "POST",
        headers: { "X-CSRFToken": token, Accept: "application/json" },
        credentials: "same-origin",
      });
      const session = await response.json();
      if (!response.ok || !session.signed_in) throw new Error("the session has ended");
      activity();
    } catch {
      timeOut(); // the session has already gone: sign in again
    } finally {
      stay.disabled = false;
    }
  };

  stay.addEventListener("click", stayed);
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    stayed();
  });
  document.addEventListener("htmx:afterRequest", () => activity());
  // Other scripts that talk to the server (autosave) may say so.
  document.addEventListener("efh:session-activity", () => activity());
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) activity(readActivity(), false);
  });
  activity();
}

const dialog = document.querySelector("dialog[data-efh-session-timeout]");
if (dialog && typeof dialog.showModal === "function") init(dialog);
