// The outbox's forms: a form marked data-outbox is saved on the tablet first, then
// sent by the sender; what came of it is said next to the form. The contract is in
// OFFLINE.md.

import { actor, database, deviceId, followMoves, STORE } from "./outbox-store.js";
import { refresh, text } from "./outbox-status.js";
import { sync } from "./outbox-sender.js";

// The form as a record in the outbox, kept on the tablet before anything is sent.
async function capture(form, submitter) {
  const fields = [];
  for (const [name, value] of new FormData(form, submitter)) {
    if (typeof value === "string" && name !== "csrf_token") fields.push([name, value]);
  }
  followMoves(form.dataset.outbox, fields);
  const heading = document.querySelector("main h1");
  const record = {
    id: form.dataset.recordId || crypto.randomUUID(),
    url: form.action,
    method: "POST",
    fields,
    created_at: new Date().toISOString(),
    device_id: deviceId(),
    actor: actor().id,
    actor_name: actor().name,
    entity_key: form.dataset.outbox,
    title: heading ? heading.textContent.trim() : document.title,
    page: window.location.pathname,
    status: "pending",
    attempts: 0,
    next_try: 0,
    last_error: "",
  };
  form.dataset.recordId = record.id;
  await (await database).put(STORE, record);
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
  return record;
}

function notice(form, message, kind) {
  let box = form.querySelector(".outbox-notice");
  if (!box) {
    box = document.createElement("p");
    box.setAttribute("role", "status");
    form.prepend(box);
  }
  box.className = `notice outbox-notice ${kind}`;
  box.textContent = message;
  box.scrollIntoView({ block: "nearest" });
}

// The user is still on the form and the server refused what was typed: show the
// server's page with its messages, as an ordinary form post would have.
function showRefusedForm(html) {
  const page = new DOMParser().parseFromString(html, "text/html");
  const main = page.querySelector("main");
  if (!main) return;
  document.querySelector("main").replaceChildren(...main.childNodes);
  document.dispatchEvent(new CustomEvent("branchdesk:content"));
  refresh();
}

// The send buttons of outbox forms come disabled and come alive only once bindForms
// has put its submit listener in place: a tap before this script ran would post the
// form past the outbox, and offline the browser's error page would swallow it.
function armForms() {
  document.querySelectorAll("form[data-outbox]:not([data-capturing]) [data-outbox-submit]")
    .forEach((button) => { button.disabled = false; });
}

export function bindForms() {
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches("form[data-outbox]") || event.defaultPrevented) return;
    event.preventDefault();
    if (form.dataset.capturing) return; // a double tap: the first press is being saved
    form.dataset.capturing = "1";
    const buttons = form.querySelectorAll("button[type=submit], button:not([type])");
    buttons.forEach((button) => { button.disabled = true; });
    let record;
    try {
      record = await capture(form, event.submitter);
    } catch (error) {
      delete form.dataset.capturing;
      buttons.forEach((button) => { button.disabled = false; });
      notice(form, text.not_saved, "error");
      return;
    }
    notice(form, text.saved, "ok");
    await refresh();
    const outcome = await sync({ attended: record.id });
    form.dataset.outcome = outcome ? outcome.kind : "offline";
    if (outcome && outcome.kind === "applied" && outcome.location) {
      document.dispatchEvent(new CustomEvent("branchdesk:navigate"));
      window.location.assign(outcome.location);
    } else if (outcome && outcome.kind === "invalid") {
      showRefusedForm(outcome.html);
    } else if (outcome && outcome.kind === "attention") {
      notice(form, `${text.needs_attention_one} ${outcome.message}`, "warn");
    } else if (outcome && outcome.kind === "login") {
      notice(form, text.saved_log_in, "warn");
    }
  });

  armForms();
  document.addEventListener("branchdesk:content", armForms);
  document.addEventListener("htmx:load", armForms);

  // A record of this page that waited for the network has arrived: say so, and
  // lead to what it made.
  document.addEventListener("branchdesk:applied", (event) => {
    const form = document.querySelector(`form[data-record-id="${event.detail.id}"]`);
    if (!form) return;
    notice(form, text.sent, "ok");
    if (event.detail.location) {
      const link = document.createElement("a");
      link.href = event.detail.location;
      link.className = "button";
      link.textContent = text.open_result;
      form.querySelector(".outbox-notice").append(" ", link);
    }
  });
}
