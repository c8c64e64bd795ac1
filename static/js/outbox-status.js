// What the user sees of the outbox: the badge in the header, the list on the outbox
// page with its buttons, and the buttons that need the network, dead offline.

import { all, database, STORE } from "./outbox-store.js";

const body = document.body;
export const text = JSON.parse(document.getElementById("outbox-text").textContent);

export const say = (key, n) => text[key].replace("%(n)s", String(n));

let counts = { waiting: 0, attention: 0, login: 0 };

// Records not sent yet, as last shown.
export const unsent = () => counts.waiting + counts.attention;

export async function refresh() {
  const records = await all();
  counts = {
    waiting: records.filter((r) => r.status === "pending").length,
    attention: records.filter((r) => r.status === "needs_attention").length,
    login: records.filter((r) => r.status === "pending" && r.last_error === "login").length,
  };
  const badge = document.querySelector("[data-outbox-badge]");
  if (badge) {
    let label = text.all_sent;
    let kind = "ok";
    if (counts.attention) {
      label = say("needs_attention", counts.attention);
      kind = "warn";
    } else if (counts.login) {
      label = say("log_in_to_send", counts.waiting);
      kind = "warn";
    } else if (counts.waiting) {
      label = say("waiting", counts.waiting);
      kind = "wait";
    }
    badge.textContent = label;
    badge.dataset.state = kind;
    badge.hidden = false;
  }
  renderList(records);
}

function renderList(records) {
  const list = document.getElementById("outbox-list");
  if (!list) return;
  const row = document.getElementById("outbox-row");
  list.replaceChildren();
  document.getElementById("outbox-empty").hidden = records.length > 0;
  for (const record of records) {
    const item = row.content.firstElementChild.cloneNode(true);
    item.dataset.id = record.id;
    item.querySelector(".title").textContent = record.title;
    item.querySelector(".entered").textContent = new Date(record.created_at).toLocaleString(
      document.documentElement.lang, { dateStyle: "short", timeStyle: "short" });
    item.querySelector(".who").textContent = record.actor_name;
    const state = record.status === "needs_attention" ? text.state_attention
      : record.last_error === "login" ? text.state_login : text.state_waiting;
    item.querySelector(".state").textContent = state;
    item.querySelector(".state").dataset.state = record.status;
    const problem = record.last_error && record.last_error !== "login" ? record.last_error : "";
    item.querySelector(".problem").textContent = problem;
    item.querySelector("[data-discard]").hidden = record.status !== "needs_attention";
    list.append(item);
  }
}

// The outbox page's buttons: send now, discard a record that needs attention, and
// export the outbox with the sender's last steps (`trace`) for support.
export function bindControls(sync, trace) {
  document.addEventListener("click", async (event) => {
    const target = event.target.closest("[data-send-now], [data-discard], [data-export]");
    if (!target) return;
    event.preventDefault();
    const db = await database;
    if (target.matches("[data-send-now]")) {
      await sync({ force: true });
    } else if (target.matches("[data-discard]")) {
      const id = target.closest("[data-id]").dataset.id;
      if (window.confirm(text.discard_question)) {
        await db.delete(STORE, id);
        await refresh();
        sync();
      }
    } else {
      const dump = { records: await all(), trace };
      const blob = new Blob([JSON.stringify(dump, null, 2)], { type: "application/json" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `branchdesk-outbox-${new Date().toISOString().slice(0, 19)}.json`;
      link.click();
      URL.revokeObjectURL(link.href);
    }
  });
}

// Buttons of forms that need the network do nothing useful offline.
export function markNetwork() {
  const offline = !navigator.onLine;
  document.querySelectorAll("form:not([data-outbox])").forEach((form) => {
    if (form.matches(".lang")) return;
    form.querySelectorAll("button[type=submit], button:not([type])").forEach((button) => {
      if (offline) {
        button.dataset.offlineDisabled = "1";
        button.disabled = true;
      } else if (button.dataset.offlineDisabled) {
        delete button.dataset.offlineDisabled;
        button.disabled = false;
      }
    });
  });
  body.classList.toggle("is-offline", offline);
}
