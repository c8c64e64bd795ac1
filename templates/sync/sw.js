// Branch Desk's service worker, build {{ build }}. It handles GET requests only:
// forms are sent by the page's outbox (static/js/outbox.js), never from here.
"use strict";

importScripts(
{%- for url in workbox %}
  "{{ url }}",
{%- endfor %}
);

const PAGES = "branchdesk-pages";
const STATIC_PREFIX = "branchdesk-static-";
const OFFLINE_URL = "{{ offline_url }}";

const PRECACHE = {{ precache }};

workbox.core.setCacheNameDetails({ prefix: "branchdesk", precache: "static", suffix: "{{ build }}" });
workbox.precaching.precacheAndRoute(PRECACHE);
workbox.core.clientsClaim();

// Static files carry a hash of their content in their name (app.3f2a9b1c4d5e.css). A
// page kept from an earlier build asks for that build's names: the network answers
// them while it has them; without it (or once they are gone) this build's file of the
// same own name stands in, as the same name always did before names were hashed.
const STATIC_URL = "{{ static_prefix }}";
const STATIC_TIMEOUT_MS = 4000;
const ownName = (path) => path.replace(/\.[0-9a-f]{12}(?=(\.[^./]*)?$)/, "");
const thisBuild = new Map(PRECACHE.map(({ url }) => [ownName(url), url]));

const sameNameOfThisBuild = async (url) => {
  const current = thisBuild.get(ownName(url.pathname));
  return current ? workbox.precaching.matchPrecache(current) : undefined;
};

workbox.routing.registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.startsWith(STATIC_URL),
  async ({ request, url }) => {
    let timer;
    const late = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error("no answer")), STATIC_TIMEOUT_MS);
    });
    let answer;
    try {
      answer = await Promise.race([fetch(request), late]);
      if (answer.ok) return answer;
    } catch (error) {
      answer = Response.error();
    } finally {
      clearTimeout(timer);
    }
    return (await sameNameOfThisBuild(url)) || answer;
  },
);

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
// offline page; a server that never answers (crashed, frozen, a dead link) costs
// at most NAVIGATION_TIMEOUT_MS. Only pages the server marks Offline-Page are kept;
// htmx requests are not navigations and always go to the network, and neither do
// documents (a PDF, a spreadsheet), which have an extension and may take longer.
const NAVIGATION_TIMEOUT_MS = 6000;

// The kept pages belong to one login: an answer saying it ended, or its absolute
// limit passed (Session-Expires, ms since 1970), even without network, removes them.
// The outbox is in IndexedDB and is never touched here.
const forgetPages = () => caches.delete(PAGES);

const pages = new workbox.strategies.NetworkFirst({
  cacheName: PAGES,
  networkTimeoutSeconds: 4,
  matchOptions: { ignoreVary: true },
  plugins: [{
    fetchDidSucceed: async ({ response }) => {
      if (response.headers.get("Session-Ended") === "1") await forgetPages();
      return response;
    },
    cacheWillUpdate: async ({ response }) => (
      response && response.status === 200 && response.headers.get("Offline-Page") === "1"
        ? response : null
    ),
    cachedResponseWillBeUsed: async ({ cachedResponse }) => {
      const expires = cachedResponse && Number(cachedResponse.headers.get("Session-Expires"));
      if (expires && Date.now() >= expires) {
        await forgetPages();
        return null;
      }
      return cachedResponse;
    },
  }],
});

const offlinePage = async () => (await workbox.precaching.matchPrecache(OFFLINE_URL)) || Response.error();

// The kept copy of this page, or the offline page.
const fallback = async (request) => (
  (await caches.match(request, { cacheName: PAGES, ignoreVary: true })) || offlinePage()
);

// A page is handed to the tab only once all of it has arrived: a server that dies
// mid-page would otherwise leave the tab on half a form that never finishes loading.
// A cut-short body fails here, and the tab gets the kept copy instead (the kept copy
// is not replaced by the broken one). Redirects pass as they are.
const wholePage = async (options) => {
  const response = await pages.handle(options);
  if (response.type !== "basic") return response;
  const body = await response.arrayBuffer();
  const { status, statusText, headers } = response;
  return new Response(body, { status, statusText, headers });
};

workbox.routing.registerRoute(
  ({ request, url }) => request.mode === "navigate" && !/\.[a-z0-9]+$/i.test(url.pathname),
  async (options) => {
    let timer;
    const late = new Promise((resolve) => {
      timer = setTimeout(() => resolve(fallback(options.request)), NAVIGATION_TIMEOUT_MS);
    });
    try {
      return await Promise.race([wholePage(options), late]);
    } catch (error) {
      return fallback(options.request);
    } finally {
      clearTimeout(timer);
    }
  },
);
