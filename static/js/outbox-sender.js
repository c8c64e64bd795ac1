// The outbox's sender: one drain at a time (across tabs with Web Locks) sends each
// waiting record with its own Idempotency-Key and a fresh CSRF token, until the server
// confirms, each entity's records in the order they were entered; the server side is
// webapp/core/offline/idempotency.py. The service worker never sees these POSTs.

import { carryVersion, database, STORE } from "./outbox-store.js";
import { refresh, text } from "./outbox-status.js";
import { loginEnded } from "./offline-pages.js";

const LOCK = "branchdesk-outbox-sender";
const SEND_TIMEOUT_MS = 20000;
const HELLO_TIMEOUT_MS = 8000;
// Entities sent side by side (see drainOnce): one at a time, the drain waits out every
// round trip and the tablet's own work between them while the server's second worker
// is idle; more than its workers (two with `flask serve`) only queue there. SQLite's
// one writer gains nothing from it, PostgreSQL about half the drain.
const LANES = 2;
const body = document.body;
// The last steps of the sender, for support: exported with the outbox.
export const trace = [];
const note = (...what) => {
  trace.push(`${new Date().toISOString()} ${what.join(" ")}`);
  if (trace.length > 60) trace.shift();
};
let timer = null;

async function hello() {
  // The shared tablet's pages ask as the tablet: a staff login left on it is not
  // used, nor kept alive by the sender.
  const headers = { Accept: "application/json" };
  if (body.classList.contains("kiosk")) headers["Kiosk-Page"] = "1";
  const response = await fetch("/sync/hello", {
    credentials: "same-origin",
    cache: "no-store",
    headers,
    signal: AbortSignal.timeout(HELLO_TIMEOUT_MS),
  });
  loginEnded(response);
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok || !type.startsWith("application/json")) throw new Error("no server");
  const answer = await response.json();
  if (!answer || typeof answer.csrf_token !== "string") throw new Error("no server");
  return answer;
}

function mayAct(record, who) {
  return record.actor === (who.user && who.user.id) || record.actor === who.kiosk;
}

function plain(html) {
  const page = new DOMParser().parseFromString(html, "text/html");
  const alerts = [...page.querySelectorAll("[role=alert], .explanation")];
  const source = alerts.length ? alerts : [page.body];
  return source.map((node) => node.textContent.replace(/\s+/g, " ").trim()).join(" ").slice(0, 500);
}

async function send(record, who, attended) {
  const form = new URLSearchParams();
  for (const [name, value] of record.fields) form.append(name, value);
  form.set("csrf_token", who.csrf_token);
  const headers = {
    Accept: "application/json",
    "Idempotency-Key": record.id,
    "Outbox-Entered-At": record.created_at,
    "X-CSRFToken": who.csrf_token,
  };
  if (attended) headers["Outbox-Attended"] = "1";
  let response;
  try {
    response = await fetch(record.url, {
      method: "POST",
      body: form,
      headers,
      credentials: "same-origin",
      redirect: "manual",
      cache: "no-store",
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
  } catch (error) {
    return { kind: "retry", message: text.no_network };
  }
  loginEnded(response);
  const echoed = response.headers.get("Idempotency-Key") === record.id;
  const result = response.headers.get("Outbox-Result");
  if (response.status >= 200 && response.status < 300 && echoed) {
    const answer = await response.json().catch(() => ({}));
    return {
      kind: "applied",
      location: response.headers.get("Outbox-Location"),
      version: answer.version,
    };
  }
  if (response.status === 401) return { kind: "login" };
  if (response.status === 400 && response.headers.get("X-CSRF-Failed")) return { kind: "csrf" };
  if (response.status === 409 && response.headers.get("Retry-After")) {
    return { kind: "retry", message: text.busy, after: Number(response.headers.get("Retry-After")) };
  }
  if (echoed && response.status === 422 && result === "invalid") {
    return { kind: "invalid", html: await response.text() };
  }
  if (echoed && [403, 404, 409, 413, 422].includes(response.status)) {
    const type = response.headers.get("Content-Type") || "";
    const message = type.startsWith("application/json")
      ? (await response.json().catch(() => ({}))).error || ""
      : plain(await response.text());
    return { kind: "attention", message };
  }
  if (response.status === 503) {
    // The database was busy and nothing was saved: the same record again, later.
    const after = Number(response.headers.get("Retry-After"));
    return { kind: "retry", message: text.server_busy, after: after > 0 ? after : undefined };
  }
  // A 5xx, or a 200 from something that is not Branch Desk (a hotel Wi-Fi login).
  return { kind: "retry", message: text.no_server };
}

function backoff(record) {
  const seconds = Math.min(300, 2 ** Math.min(record.attempts, 9));
  return Date.now() + seconds * 1000 * (0.75 + Math.random() * 0.5);
}

let running = null;
let again = false;

// One drain at a time in this tab (and, with Web Locks, across tabs); a trigger
// that arrives meanwhile asks for one more pass instead of queueing many.
export function sync(options = {}) {
  note("sync", options.attended ? "attended" : "", options.force ? "force" : "", running ? "queued" : "");
  if (running && !options.attended && !options.force) {
    again = true;
    return running;
  }
  const run = () => (navigator.locks
    ? navigator.locks.request(LOCK, () => drain(options))
    : drain(options));
  const mine = (running || Promise.resolve()).then(run, run);
  running = mine;
  mine.finally(() => {
    if (running !== mine) return;
    running = null;
    if (again) {
      again = false;
      sync();
    }
  });
  return mine;
}

async function drain(options) {
  note("drain start");
  try {
    return await drainOnce(options);
  } catch (error) {
    note("drain error", String(error));
    schedule(5000);
    return null;
  } finally {
    note("drain end");
  }
}

async function drainOnce({ attended = null, force = false } = {}) {
  const db = await database;
  const records = await db.getAllFromIndex(STORE, "created_at");
  let outcomeForPage = null;
  if (!records.some((record) => record.status !== "needs_attention")) {
    await refresh();
    return null;
  }
  let who;
  try {
    who = await hello();
  } catch (error) {
    note("hello failed", String(error));
    for (const record of records) {
      if (record.id === attended) outcomeForPage = { kind: "offline" };
    }
    schedule(5000);
    await refresh();
    return outcomeForPage;
  }
  const blocked = new Set(
    records.filter((record) => record.status === "needs_attention").map((r) => r.entity_key),
  );
  // Each entity's records go one at a time, in the order they were entered (a
  // check-out before its check-in); LANES entities go side by side, so the tablet's
  // own work on one record (its store, the versions it moved) overlaps the server's
  // on another, and the server's workers answer more than one at a time.
  const queues = new Map();
  for (const record of records) {
    if (!queues.has(record.entity_key)) queues.set(record.entity_key, []);
    queues.get(record.entity_key).push(record.id);
  }
  const entities = [...queues.keys()];
  let paused = false;

  async function sendOne(id) {
    const record = await db.get(STORE, id);
    if (!record || record.status === "needs_attention") return;
    const isAttended = record.id === attended;
    if (!mayAct(record, who)) {
      record.last_error = "login";
      await db.put(STORE, record);
      blocked.add(record.entity_key);
      if (isAttended) outcomeForPage = { kind: "login" };
      return;
    }
    if (!force && !isAttended && record.next_try > Date.now()) {
      blocked.add(record.entity_key);
      return;
    }
    note("send", record.entity_key, record.url.split("/").pop());
    let outcome = await send(record, who, isAttended);
    note("outcome", outcome.kind, outcome.message || "");
    if (outcome.kind === "csrf") {
      try {
        who = await hello();
        outcome = await send(record, who, isAttended);
      } catch (error) {
        outcome = { kind: "retry", message: text.no_network };
      }
      if (outcome.kind === "csrf") outcome = { kind: "retry", message: text.no_server };
    }
    if (isAttended) outcomeForPage = outcome;
    if (outcome.kind === "applied") {
      await carryVersion(db, record, outcome.version);
      await db.delete(STORE, record.id);
      if (!isAttended) {
        document.dispatchEvent(new CustomEvent("branchdesk:applied", {
          detail: { id: record.id, location: outcome.location },
        }));
      }
    } else if (outcome.kind === "invalid") {
      await db.delete(STORE, record.id);
    } else if (outcome.kind === "attention") {
      record.status = "needs_attention";
      record.last_error = outcome.message;
      await db.put(STORE, record);
      blocked.add(record.entity_key);
    } else if (outcome.kind === "login") {
      record.last_error = "login";
      await db.put(STORE, record);
      paused = true; // a 401 pauses everything until someone logs in again
    } else {
      record.attempts += 1;
      record.next_try = outcome.after ? Date.now() + outcome.after * 1000 : backoff(record);
      record.last_error = outcome.message;
      await db.put(STORE, record);
      blocked.add(record.entity_key);
    }
  }

  async function lane() {
    while (entities.length && !paused) {
      const key = entities.shift();
      for (const id of queues.get(key)) {
        if (paused || blocked.has(key)) break;
        await sendOne(id);
      }
    }
  }

  await Promise.all(Array.from({ length: LANES }, lane));
  const left = (await db.getAllFromIndex(STORE, "created_at"))
    .filter((record) => record.status === "pending" && record.last_error !== "login");
  if (left.length) {
    schedule(Math.max(500, Math.min(...left.map((record) => record.next_try)) - Date.now()));
  }
  await refresh();
  return outcomeForPage;
}

function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(() => sync(), delay);
}
