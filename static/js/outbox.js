// The outbox: forms marked data-outbox are saved on the tablet first (IndexedDB),
// then sent by one sender across tabs, each with its own Idempotency-Key, until the
// server confirms. The contract is in OFFLINE.md; the server side is
// webapp/sync/idempotency.py. The service worker never sees these POSTs.
"use strict";

(function () {
  const STORE = "outbox";
  const PAGES_CACHE = "branchdesk-pages";
  const LOCK = "branchdesk-outbox-sender";
  const SEND_TIMEOUT_MS = 20000;
  const HELLO_TIMEOUT_MS = 8000;
  const PREFETCH_EVERY_MS = 10 * 60 * 1000;
  const body = document.body;
  const text = JSON.parse(document.getElementById("outbox-text").textContent);
  // Who is working now: read from the header each time, as htmx-boosted navigation
  // (a login, a logout) swaps the body without running this script again.
  const actor = () => {
    const header = document.querySelector("[data-actor]");
    return header ? { id: header.dataset.actor, name: header.dataset.actorName } : { id: "", name: "" };
  };
  const database = window.idb.openDB("branchdesk", 1, {
    upgrade(db) {
      db.createObjectStore(STORE, { keyPath: "id" }).createIndex("created_at", "created_at");
    },
  });
  let counts = { waiting: 0, attention: 0, login: 0 };
  // The last steps of the sender, for support: exported with the outbox.
  const trace = [];
  const note = (...what) => {
    trace.push(`${new Date().toISOString()} ${what.join(" ")}`);
    if (trace.length > 60) trace.shift();
  };
  let timer = null;
  let leaving = false;

  const say = (key, n) => text[key].replace("%(n)s", String(n));

  async function all() {
    return (await database).getAllFromIndex(STORE, "created_at");
  }

  function deviceId() {
    let id = localStorage.getItem("branchdesk-device");
    if (!id) {
      id = crypto.randomUUID();
      localStorage.setItem("branchdesk-device", id);
    }
    return id;
  }

  // -- capture ---------------------------------------------------------------

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
      leaving = true;
      window.location.assign(outcome.location);
    } else if (outcome && outcome.kind === "invalid") {
      showRefusedForm(outcome.html);
    } else if (outcome && outcome.kind === "attention") {
      notice(form, `${text.needs_attention_one} ${outcome.message}`, "warn");
    } else if (outcome && outcome.kind === "login") {
      notice(form, text.saved_log_in, "warn");
    }
  });

  // The send buttons of outbox forms come disabled and come alive only now that the
  // listener above is in place: a tap before this script ran would post the form
  // past the outbox, and offline the browser's error page would swallow it.
  function armForms() {
    document.querySelectorAll("form[data-outbox]:not([data-capturing]) [data-outbox-submit]")
      .forEach((button) => { button.disabled = false; });
  }
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

  // -- sending ---------------------------------------------------------------

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

  // The server moved the entity on (its version) with this record: later records of
  // the same entity were entered on the state before it, so they follow it.
  const MOVES = "branchdesk-version-moves";

  function moves() {
    try {
      return JSON.parse(localStorage.getItem(MOVES)) || {};
    } catch (error) {
      return {};
    }
  }

  // A page loaded before our own record landed still shows the old version: a form
  // captured from it follows the record too.
  function followMoves(entity, fields) {
    const known = moves()[entity] || {};
    for (const pair of fields) {
      for (let hops = 0; pair[0] === "version" && known[pair[1]] && hops < 20; hops += 1) {
        pair[1] = known[pair[1]];
      }
    }
  }

  async function carryVersion(db, record, version) {
    const old = record.fields.find(([name]) => name === "version");
    if (!old || version === undefined || version === null) return;
    const all = moves();
    const known = { ...(all[record.entity_key] || {}), [old[1]]: String(version) };
    delete all[record.entity_key];
    all[record.entity_key] = known; // the newest last; only the recent ones are kept
    const entities = Object.keys(all);
    entities.slice(0, Math.max(0, entities.length - 200)).forEach((key) => delete all[key]);
    localStorage.setItem(MOVES, JSON.stringify(all));
    for (const later of await db.getAllFromIndex(STORE, "created_at")) {
      if (later.entity_key !== record.entity_key || later.id === record.id) continue;
      let changed = false;
      for (const pair of later.fields) {
        if (pair[0] === "version" && pair[1] === old[1]) {
          pair[1] = String(version);
          changed = true;
        }
      }
      if (changed) await db.put(STORE, later);
    }
  }

  let running = null;
  let again = false;

  // One drain at a time in this tab (and, with Web Locks, across tabs); a trigger
  // that arrives meanwhile asks for one more pass instead of queueing many.
  function sync(options = {}) {
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
    for (const stored of records) {
      const record = await db.get(STORE, stored.id);
      if (!record || record.status === "needs_attention") continue;
      if (blocked.has(record.entity_key)) continue;
      const isAttended = record.id === attended;
      if (!mayAct(record, who)) {
        record.last_error = "login";
        await db.put(STORE, record);
        blocked.add(record.entity_key);
        if (isAttended) outcomeForPage = { kind: "login" };
        continue;
      }
      if (!force && !isAttended && record.next_try > Date.now()) {
        blocked.add(record.entity_key);
        continue;
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
        break; // a 401 pauses everything until someone logs in again
      } else {
        record.attempts += 1;
        record.next_try = outcome.after ? Date.now() + outcome.after * 1000 : backoff(record);
        record.last_error = outcome.message;
        await db.put(STORE, record);
        blocked.add(record.entity_key);
      }
    }
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

  // -- what the user sees ----------------------------------------------------

  async function refresh() {
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

  // Logging out keeps the outbox (it is sent after the next login) but asks first,
  // and drops the pages kept for offline use.
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches("form.logout") || form.dataset.confirmed) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (counts.waiting + counts.attention > 0
        && !window.confirm(say("logout_question", counts.waiting + counts.attention))) return;
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
      if (!leaving && counts.waiting + counts.attention > 0) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  // Buttons of forms that need the network do nothing useful offline.
  function markNetwork() {
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

  // -- pages for offline use -------------------------------------------------

  // The fetching of today's pages, if it runs: a logout stops it first, or its
  // requests would reach the server logged out and race the login page's session.
  let prefetching = null;

  async function prefetchToday() {
    const who = actor().id;
    if (!who.startsWith("user:") || !window.caches || !navigator.onLine || prefetching) return;
    const last = (localStorage.getItem("branchdesk-prefetched") || "").split("@");
    if (last[0] === who && Date.now() - Number(last[1]) < PREFETCH_EVERY_MS) return;
    const controller = new AbortController();
    const options = { credentials: "same-origin", cache: "no-store", signal: controller.signal };
    const run = (async () => {
      try {
        // One answer holds every page, however many orders the day has.
        const response = await fetch("/sync/today", {
          ...options, headers: { Accept: "application/json" },
        });
        if (loginEnded(response) || !response.ok) return;
        const { pages, expires } = await response.json();
        const cache = await caches.open(PAGES_CACHE);
        const headers = {
          "Content-Type": "text/html; charset=utf-8",
          "Offline-Page": "1",
          "Session-Expires": String(expires || ""),
        };
        await Promise.all(pages.map(({ url, html }) => cache.put(url, new Response(html, { headers }))));
        localStorage.setItem("branchdesk-prefetched", `${who}@${Date.now()}`);
      } catch (error) {
        // Offline, the server is away, or a logout stopped it: what is kept stays.
      }
    })();
    prefetching = { controller, run };
    await run;
    prefetching = null;
  }

  // The pages kept for offline use belong to one login: they go when it ends (logout,
  // an answer saying the server ended it, its absolute limit even without network).
  // The outbox stays: what waits in it is sent after the next login.
  async function forgetPages() {
    localStorage.removeItem("branchdesk-prefetched");
    if (window.caches) await caches.delete(PAGES_CACHE);
  }

  function loginEnded(response) {
    if (response.headers.get("Session-Ended") !== "1") return false;
    forgetPages();
    return true;
  }

  let expiry = null;

  function watchExpiry() {
    clearTimeout(expiry);
    const header = document.querySelector("[data-session-expires]");
    const expires = header ? Number(header.dataset.sessionExpires) : 0;
    if (!expires) return;
    // setTimeout holds at most 2^31 - 1 ms; a longer wait is taken up again on the next page.
    const wait = Math.min(expires - Date.now(), 2 ** 31 - 1);
    if (wait <= 0) forgetPages();
    else expiry = setTimeout(forgetPages, wait);
  }

  async function stopPrefetching() {
    if (!prefetching) return;
    prefetching.controller.abort();
    await prefetching.run;
  }

  function serviceWorker() {
    if (!("serviceWorker" in navigator) || !window.workbox) return;
    const wb = new window.workbox.Workbox("/sw.js");
    wb.addEventListener("waiting", () => {
      const banner = document.getElementById("update-banner");
      if (!banner) return;
      banner.hidden = false;
      banner.querySelector("button").addEventListener("click", () => {
        // The outbox lives in IndexedDB: a new version never touches it.
        wb.addEventListener("controlling", () => window.location.reload());
        wb.messageSkipWaiting();
      }, { once: true });
    });
    wb.register();
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
})();
