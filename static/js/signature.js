// Signature pads: each .signature[data-signature-for] draws into the hidden input
// named by the attribute, as a PNG data URL, when its form is submitted.
"use strict";

function setUpSignature(box) {
  const canvas = box.querySelector("canvas");
  const input = document.getElementById(box.dataset.signatureFor);
  const pad = new window.SignaturePad(canvas, { penColor: "#111", minWidth: 1, maxWidth: 3 });
  const fit = () => {
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    // Resizing wipes the canvas: draw back the kept signature and the new strokes.
    pad.redraw();
  };
  window.addEventListener("resize", fit);
  fit();
  // After a refused submit the page comes back with the signature: show it again.
  if (input.value.startsWith("data:image/png;base64,")) {
    pad.fromDataURL(input.value, { ratio: 1, width: canvas.offsetWidth, height: canvas.offsetHeight });
  }
  box.querySelector("[data-signature-clear]").addEventListener("click", () => {
    pad.clear();
    input.value = "";
  });
  pad.addEventListener("endStroke", () => {
    input.value = pad.toDataURL("image/png");
  });
  input.form.addEventListener("submit", () => {
    input.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  });
}

function setUpSignatures() {
  document.querySelectorAll(".signature[data-signature-for]").forEach((box) => {
    if (!box.dataset.ready) {
      box.dataset.ready = "1";
      setUpSignature(box);
    }
  });
}

document.addEventListener("DOMContentLoaded", setUpSignatures);
document.addEventListener("htmx:load", setUpSignatures);
document.addEventListener("branchdesk:content", setUpSignatures);
