// Branch Desk's service worker, build {{ build }}. It handles GET requests only:
// forms are sent by the page's outbox (static/js/outbox.js), never from here.
"use strict";

importScripts(
  "{{ workbox }}workbox-core.prod.js",
  "{{ workbox }}workbox-routing.prod.js",
  "{{ workbox }}workbox-strategies.prod.js",
  "{{ workbox }}workbox-precaching.prod.js",
);

const PAGES = "branchdesk-pages";
const STATIC_PREFIX = "branchdesk-static-";
const OFFLINE_URL = "{{ offline_url }}";

workbox.core.setCacheNameDetails({ prefix: "branchdesk", precache: "static", suffix: "{{ build }}" });
workbox.precaching.precacheAndRoute({{ precache }});
workbox.core.clientsClaim();

// Caches of earlier builds go once this one takes over. The outbox is in
// IndexedDB and is never touched here.
self.addEventListener("activate", (event) => {
  const current = workbox.core.cacheNames.precache;
  event.waitUntil(
    caches.keys().then((names) => Promise.all(
      names.filter((name) => name.startsWith(STATIC_PREFIX) && name !== current)
        .map((name) => caches.delete(name)),
    )),
  );
});

// The page asks for the new version only when the user agrees to reload.
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
});

// Full pages: the network first (4 s), then the copy kept for offline use, then the
// offline page. Only pages the server marks Offline-Page are kept; htmx requests
// are not navigations and always go to the network.
const pages = new workbox.strategies.NetworkFirst({
  cacheName: PAGES,
  networkTimeoutSeconds: 4,
  matchOptions: { ignoreVary: true },
  plugins: [{
    cacheWillUpdate: async ({ response }) => (
      response && response.status === 200 && response.headers.get("Offline-Page") === "1"
        ? response : null
    ),
  }],
});

workbox.routing.registerRoute(
  ({ request }) => request.mode === "navigate",
  async (options) => {
    try {
      return await pages.handle(options);
    } catch (error) {
      return (await workbox.precaching.matchPrecache(OFFLINE_URL)) || Response.error();
    }
  },
);
