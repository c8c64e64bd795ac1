// Photos from the tablet's camera: each is made at most 1600 px on its longer side
// and turned into a JPEG data URL in a hidden field, on the tablet, before anything
// is sent. A 40 MB camera file becomes a few hundred kB, and the form, photos
// included, can wait in the outbox like any other.
"use strict";

(function () {
  const LONGEST_SIDE = 1600;
  const QUALITY = 0.8;

  async function shrink(file) {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return canvas.toDataURL("image/jpeg", QUALITY);
  }

  function show(box, message) {
    const error = box.querySelector(".error");
    error.textContent = message;
    error.hidden = !message;
    box.classList.toggle("has-error", Boolean(message));
  }

  function add(box, url) {
    const figure = document.createElement("figure");
    const image = document.createElement("img");
    image.src = url;
    image.alt = box.querySelector("legend").textContent;
    const field = document.createElement("input");
    field.type = "hidden";
    field.name = box.dataset.photosFor;
    field.value = url;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.dataset.photoRemove = "";
    remove.textContent = box.dataset.remove;
    figure.append(image, field, remove);
    box.querySelector(".photo-list").append(figure);
  }

  document.addEventListener("change", async (event) => {
    const input = event.target;
    const box = input.closest("[data-photos-for]");
    if (!box || input.type !== "file") return;
    show(box, "");
    for (const file of [...input.files]) {
      if (box.querySelectorAll(".photo-list figure").length >= Number(box.dataset.limit)) {
        show(box, box.dataset.tooMany);
        break;
      }
      try {
        add(box, await shrink(file));
      } catch (error) {
        show(box, box.dataset.notImage);
      }
    }
    input.value = "";
  });

  document.addEventListener("click", (event) => {
    const remove = event.target.closest("[data-photo-remove]");
    if (!remove) return;
    const box = remove.closest("[data-photos-for]");
    remove.closest("figure").remove();
    show(box, "");
  });
})();
