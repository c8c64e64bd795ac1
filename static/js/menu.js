// The main menu folds behind one button on tablets and phones (the .menu-toggle rules in
// app.css). The button opens and closes it; Escape closes it and gives the button the
// focus back. A boosted navigation brings a new header, with the menu closed again.
"use strict";

function setMenu(button, open) {
  button.setAttribute("aria-expanded", String(open));
}

document.addEventListener("click", (event) => {
  const button = event.target.closest(".menu-toggle");
  if (button) setMenu(button, button.getAttribute("aria-expanded") !== "true");
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const button = document.querySelector(".menu-toggle[aria-expanded='true']");
  if (!button) return;
  setMenu(button, false);
  button.focus();
});
