// Tongxin's service worker (core/pwa.py). It caches static assets ONLY: a request outside STATIC_URL (a page,
// the API, media, a form submission) is not handled here at all and goes to the network as if there were no
// worker, so no business data is ever stored by it.
"use strict";

var CACHE_PREFIX = "tongxin-static-";
var CACHE = CACHE_PREFIX + "{{ version }}";
var STATIC_PATH = new URL("{{ static_url|escapejs }}", self.location.href).pathname;
var PRECACHE = [{% for url in precache %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

// Whether the worker answers this request: a GET of the site's own static files, nothing else.
function handles(method, href) {
  var url = new URL(href, self.location.href);
  return method === "GET" && url.origin === self.location.origin && url.pathname.indexOf(STATIC_PATH) === 0;
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(PRECACHE); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf(CACHE_PREFIX) === 0 && name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// Stale-while-revalidate: the cached copy at once, refreshed from the network for the next visit.
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (!handles(request.method, request.url)) return;
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(request).then(function (cached) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") cache.put(request, response.clone());
        return response;
      });
      if (!cached) return fresh;
      event.waitUntil(fresh.catch(function () { return null; }));  // offline: the cached copy is all there is
      return cached;
    });
  }));
});
