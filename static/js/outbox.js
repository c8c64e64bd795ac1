// The outbox: forms marked data-outbox are saved on the tablet first (IndexedDB),
// then sent by one sender across tabs, each with its own Idempotency-Key, until the
// server confirms. The contract is in OFFLINE.md; the server side is
// webapp/core/offline/idempotency.py. The service worker never sees these POSTs.
//
// This module starts it on every page; the parts are outbox-store.js (the records),
// outbox-sender.js (sending them), outbox-forms.js (the forms that make them),
// outbox-status.js (what the user sees) and offline-pages.js (the pages kept for
// offline use, and the service worker).

import { actor } from "./outbox-store.js";
import { bindControls, markNetwork, refresh, say, unsent } from "./outbox-status.js";
import { sync, trace } from "./outbox-sender.js";
import { bindForms } from "./outbox-forms.js";
import {
  forgetPages, prefetchToday, serviceWorker, stopPrefetching, watchExpiry,
} from "./offline-pages.js";

const body = document.body;
let leaving = false;

bindForms();
bindControls(sync, trace);

// Logging out keeps the outbox (it is sent after the next login) but asks first,
// and drops the pages kept for offline use.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.matches("form.logout") || form.dataset.confirmed) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  if (unsent() > 0 && !window.confirm(say("logout_question", unsent()))) return;
  await stopPrefetching();
  await forgetPages();
  form.dataset.confirmed = "1";
  leaving = true;
  form.submit();
}, true);

// Closing the shared tablet's page with records still unsent asks first.
if (body.classList.contains("kiosk")) {
  document.addEventListener("click", (event) => {
    if (event.target.closest("a[href]")) leaving = true;
  });
  document.addEventListener("submit", () => { leaving = true; });
  document.addEventListener("branchdesk:navigate", () => { leaving = true; });
  window.addEventListener("beforeunload", (event) => {
    if (!leaving && unsent() > 0) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}

// What every page needs, on a full load and after each htmx-boosted navigation.
function pageShown() {
  if (!actor().id) forgetPages(); // logged out: no page of anyone's day stays on the tablet
  watchExpiry();
  markNetwork();
  refresh().then(() => sync());
  prefetchToday();
}

window.addEventListener("online", () => { markNetwork(); sync({ force: true }); });
window.addEventListener("offline", markNetwork);
window.addEventListener("pageshow", () => sync());
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") sync();
});
document.addEventListener("htmx:afterRequest", (event) => {
  const { xhr } = event.detail;
  if (xhr && xhr.getResponseHeader("Session-Ended") === "1") forgetPages();
});
document.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.boosted) pageShown();
  else markNetwork();
});

serviceWorker();
pageShown();
window.branchdeskOutbox = { sync, refresh, trace };
