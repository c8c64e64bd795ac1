// The pages kept for offline use: today's pages fetched ahead for the login, dropped
// when the login ends, and the service worker that serves them (templates/sync/sw.js).

import { actor } from "./outbox-store.js";

const PAGES_CACHE = "branchdesk-pages";
const PREFETCH_EVERY_MS = 10 * 60 * 1000;

// The fetching of today's pages, if it runs: a logout stops it first, or its
// requests would reach the server logged out and race the login page's session.
let prefetching = null;

export async function prefetchToday() {
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
export async function forgetPages() {
  localStorage.removeItem("branchdesk-prefetched");
  if (window.caches) await caches.delete(PAGES_CACHE);
}

export function loginEnded(response) {
  if (response.headers.get("Session-Ended") !== "1") return false;
  forgetPages();
  return true;
}

let expiry = null;

export function watchExpiry() {
  clearTimeout(expiry);
  const header = document.querySelector("[data-session-expires]");
  const expires = header ? Number(header.dataset.sessionExpires) : 0;
  if (!expires) return;
  // setTimeout holds at most 2^31 - 1 ms; a longer wait is taken up again on the next page.
  const wait = Math.min(expires - Date.now(), 2 ** 31 - 1);
  if (wait <= 0) forgetPages();
  else expiry = setTimeout(forgetPages, wait);
}

export async function stopPrefetching() {
  if (!prefetching) return;
  prefetching.controller.abort();
  await prefetching.run;
}

export function serviceWorker() {
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
