// Branch Desk page behaviour. No inline scripts: the CSP forbids them.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// An ID number never goes into a URL (address bar, history, access logs): a GET
// carrying something that looks like one is not sent. Same rule as the server's
// core.masking.looks_like_id_number; ID numbers are searched by POST.
function looksLikeIdNumber(value) {
  return typeof value === "string" && /^[0-9Xx\s-]+$/.test(value)
    && (value.match(/[0-9Xx]/g) || []).length >= 13;
}

function carriesIdNumber(formData) {
  for (const [, value] of formData) {
    if (looksLikeIdNumber(value)) return true;
  }
  return false;
}

document.addEventListener("htmx:configRequest", (event) => {
  const data = event.detail.formData;
  if (event.detail.verb === "get" && data && carriesIdNumber(data)) event.preventDefault();
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.method.toLowerCase() === "get" && carriesIdNumber(new FormData(form))) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
