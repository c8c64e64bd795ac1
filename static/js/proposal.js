// The on-site assessment form (form[data-proposal]): the proposal worked out on the
// tablet from the catalogue's rules written into the page, so that the customer sees
// the price with no network, and "Add a room". The rules are those of
// webapp.assessments.services.propose, in whole numbers: areas in tenths of a m²,
// minutes per m² in hundredths, prices in fen. The server works it out again and
// refuses the form if the catalogue changed since (the hidden field "quoted").
"use strict";

(function () {
  // "12.34" -> 123 tenths (halves round up, as on the server); null if not a number.
  // Plain decimals are read digit by digit, exactly; other forms ("1e2") as numbers.
  function tenths(text) {
    const match = /^\s*(\d{1,6})(?:\.(\d*))?\s*$/.exec(text || "");
    if (!match) {
      const number = Number(text);
      return text && Number.isFinite(number) ? Math.round(number * 10) : null;
    }
    const decimals = (match[2] || "").padEnd(2, "0");
    const hundredths = Number(match[1]) * 100 + Number(decimals.slice(0, 2));
    return Math.floor((hundredths + 5) / 10);
  }

  function yuan(fen) {
    const whole = Math.floor(fen / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return `¥${whole}.${String(fen % 100).padStart(2, "0")}`;
  }

  function rooms(form) {
    return [...form.querySelectorAll("[data-room]")].map((box) => ({
      kind: box.querySelector("select[name$='-kind']").value,
      area: tenths(box.querySelector("input[name$='-area']").value),
    }));
  }

  function propose(form) {
    const typed = rooms(form);
    const lines = [];
    for (const box of form.querySelectorAll("input[name=items]:checked")) {
      const kinds = box.dataset.kinds.split(",");
      const area = typed
        .filter((room) => kinds.includes(room.kind) && room.area > 0)
        .reduce((sum, room) => sum + room.area, 0);
      if (!area) return null;
      // tenths of m² x hundredths of minutes: thousandths of a minute.
      const minutes = Math.max(Number(box.dataset.minimum), Math.ceil((area * Number(box.dataset.perM2)) / 1000));
      const halves = Math.max(1, Math.ceil(minutes / 30));
      const price = Number(box.dataset.price);
      lines.push({
        name: box.dataset.name,
        halves,
        fen: box.dataset.unit === "hour" ? Math.floor((halves * price + 1) / 2) : price,
      });
    }
    return lines.length ? lines : null;
  }

  function show(form) {
    const lines = propose(form);
    const body = form.querySelector("[data-proposal-lines]");
    const quoted = form.querySelector("input[name=quoted]");
    body.replaceChildren();
    if (!lines) {
      form.querySelector("[data-proposal-hours]").textContent = "—";
      form.querySelector("[data-proposal-price]").textContent = "—";
      quoted.value = "";
      return;
    }
    for (const line of lines) {
      const row = body.insertRow();
      for (const text of [line.name, (line.halves / 2).toFixed(1), yuan(line.fen)]) {
        row.insertCell().textContent = text;
      }
    }
    const halves = lines.reduce((sum, line) => sum + line.halves, 0);
    const fen = lines.reduce((sum, line) => sum + line.fen, 0);
    form.querySelector("[data-proposal-hours]").textContent = (halves / 2).toFixed(1);
    form.querySelector("[data-proposal-price]").textContent = yuan(fen);
    quoted.value = String(fen);
  }

  // A copy of the last room, emptied, numbered as the next one.
  function addRoom(form) {
    const list = form.querySelectorAll("[data-room]");
    const section = form.querySelector("[data-rooms]");
    if (list.length >= Number(section.dataset.maxRooms)) return;
    const last = list[list.length - 1];
    const index = list.length;
    const copy = last.cloneNode(true);
    const renumber = (value) => value.replace(/^room-\d+-/, `room-${index}-`);
    copy.querySelectorAll("[name], [id], [for]").forEach((node) => {
      for (const attribute of ["name", "id", "for"]) {
        if (node.hasAttribute(attribute)) node.setAttribute(attribute, renumber(node.getAttribute(attribute)));
      }
    });
    copy.querySelectorAll("input").forEach((input) => { input.value = ""; });
    copy.querySelectorAll("select").forEach((select) => { select.selectedIndex = 0; });
    copy.querySelectorAll(".error").forEach((node) => node.remove());
    copy.querySelectorAll(".has-error").forEach((node) => node.classList.remove("has-error"));
    copy.querySelectorAll("[aria-invalid]").forEach((node) => {
      node.removeAttribute("aria-invalid");
      node.removeAttribute("aria-describedby");
    });
    copy.querySelector("legend").textContent = last.querySelector("legend").textContent.replace(/\d+/, String(index + 1));
    last.after(copy);
    if (index + 1 >= Number(section.dataset.maxRooms)) form.querySelector("[data-add-room]").disabled = true;
  }

  function setUp() {
    document.querySelectorAll("form[data-proposal]").forEach(show);
  }

  document.addEventListener("input", (event) => {
    const form = event.target.closest("form[data-proposal]");
    if (form) show(form);
  });
  document.addEventListener("change", (event) => {
    const form = event.target.closest("form[data-proposal]");
    if (form) show(form);
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-add-room]");
    const form = button && button.closest("form[data-proposal]");
    if (form) addRoom(form);
  });
  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:load", setUp);
  document.addEventListener("branchdesk:content", setUp);
})();
