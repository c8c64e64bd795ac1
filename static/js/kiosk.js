// The shared tablet: back to the start screen after 60 s without a touch, and
// the on-screen keypad for PINs.
"use strict";

(function () {
  const body = document.body;
  const home = body.dataset.kioskHome;
  const idleMs = Number(body.dataset.idleSeconds || 60) * 1000;
  let timer;
  const restart = () => {
    clearTimeout(timer);
    if (window.location.pathname !== home) {
      timer = setTimeout(() => {
        document.dispatchEvent(new CustomEvent("branchdesk:navigate"));
        window.location.assign(home);
      }, idleMs);
    }
  };
  ["pointerdown", "keydown", "input", "scroll"].forEach((name) =>
    document.addEventListener(name, restart, { passive: true }));
  restart();

  document.querySelectorAll("[data-keypad-for]").forEach((pad) => {
    const input = document.getElementById(pad.dataset.keypadFor);
    pad.addEventListener("click", (event) => {
      const key = event.target.closest("[data-key]");
      if (!key) return;
      input.value = key.dataset.key === "clear" ? input.value.slice(0, -1) : input.value + key.dataset.key;
      input.focus();
    });
    // The keys come alive only now: a tap before this script ran would be lost
    // without a word on a slow tablet, and the PIN would then be wrong.
    pad.querySelectorAll("button[data-key]").forEach((key) => { key.disabled = false; });
  });
})();
