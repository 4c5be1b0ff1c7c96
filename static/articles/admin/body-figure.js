/* Pictures in the body: an editor block and its upload dialog.

   Loaded by django-prose-editor as an extension module (ArticleForm's
   BodyEditorWidget lists it): the editor imports it before it starts, and
   uses the exported BodyFigure. The block stores plain markup the sanitizer
   allows (articles/sanitizer.py, articles/bodyimages.py):

     <figure class="body-figure"><img src alt width height>
       <figcaption>Caption <span class="body-figure__credit">Credit</span></figcaption>
     </figure>

   The picture itself goes to the admin's upload view first (the lead image's
   checks and re-encoding, renditions made at once); the story page draws it
   as <picture>. */
import { Node } from "django-prose-editor/editor";

function figureParts(element) {
  const img = element.querySelector("img");
  const caption = element.querySelector("figcaption");
  const credit = caption && caption.querySelector(".body-figure__credit");
  let captionText = "";
  if (caption) {
    for (const child of caption.childNodes) {
      if (child !== credit) captionText += child.textContent;
    }
  }
  return {
    img: img,
    caption: captionText.trim(),
    credit: credit ? credit.textContent.trim() : "",
  };
}

const fromFigure = (read) => ({
  default: null,
  rendered: false,
  parseHTML: (element) => read(figureParts(element)),
});

export const BodyFigure = Node.create({
  name: "bodyFigure",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,

  addAttributes() {
    return {
      src: fromFigure((p) => p.img && p.img.getAttribute("src")),
      alt: fromFigure((p) => (p.img && p.img.getAttribute("alt")) || ""),
      width: fromFigure((p) => p.img && p.img.getAttribute("width")),
      height: fromFigure((p) => p.img && p.img.getAttribute("height")),
      caption: fromFigure((p) => p.caption),
      credit: fromFigure((p) => p.credit),
    };
  },

  parseHTML() {
    return [
      {
        tag: "figure.body-figure",
        getAttrs: (element) => (element.querySelector("img") ? {} : false),
      },
    ];
  },

  renderHTML({ node }) {
    const a = node.attrs;
    const img = ["img", { src: a.src, alt: a.alt || "", width: a.width, height: a.height }];
    const parts = [];
    if (a.caption) parts.push(a.caption);
    if (a.credit) {
      if (a.caption) parts.push(" ");
      parts.push(["span", { class: "body-figure__credit" }, a.credit]);
    }
    if (!parts.length) return ["figure", { class: "body-figure" }, img];
    return ["figure", { class: "body-figure" }, img, ["figcaption", {}, ...parts]];
  },

  addCommands() {
    return {
      insertBodyFigure:
        (attrs) =>
        ({ commands }) =>
          commands.insertContent({ type: this.name, attrs: attrs }),
    };
  },
});

function csrfToken(form) {
  const input = form && form.querySelector("[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function wireDialog(editor, textarea) {
  const dialog = document.getElementById("body-figure-dialog");
  if (!dialog || textarea.id !== "id_body") return;
  const wrapper = textarea.closest(".prose-editor");
  const tools = document.createElement("div");
  tools.className = "body-tools";
  const open = document.createElement("button");
  open.type = "button";
  open.className = "button body-figure-open";
  open.textContent = gettext("Insert picture…");
  tools.append(open);
  wrapper.before(tools);

  const form = dialog.querySelector("form");
  const file = dialog.querySelector("#body-figure-file");
  const alt = dialog.querySelector("#body-figure-alt");
  const caption = dialog.querySelector("#body-figure-caption");
  const credit = dialog.querySelector("#body-figure-credit");
  const error = dialog.querySelector(".body-figure-error");
  const submit = dialog.querySelector("button[value=upload]");
  const showError = function (text, field) {
    error.textContent = text;
    error.hidden = !text;
    if (field) field.focus();
  };

  open.addEventListener("click", function () {
    form.reset();
    showError("");
    dialog.showModal();
    file.focus();
  });

  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.value === "cancel") return;
    event.preventDefault();
    if (!file.files.length) return showError(gettext("Choose a picture."), file);
    if (!alt.value.trim()) {
      return showError(gettext("Describe the picture (alt text): it is required."), alt);
    }
    const data = new FormData();
    data.append("image", file.files[0]);
    data.append("alt", alt.value);
    data.append("caption", caption.value);
    data.append("credit", credit.value);
    submit.disabled = true;
    showError("");
    submit.textContent = gettext("Uploading…");
    fetch(dialog.dataset.uploadUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(textarea.form),
        Accept: "application/json",
      },
    })
      .then((response) => response.json().then((body) => ({ response, body })))
      .then(function ({ response, body }) {
        if (!response.ok) {
          const errors = body.errors || {};
          const fields = { image: file, alt: alt, caption: caption, credit: credit };
          const first = Object.keys(errors)[0];
          showError(Object.values(errors).join(" ") || gettext("The upload failed."), fields[first]);
          return;
        }
        editor
          .chain()
          .focus()
          .insertBodyFigure({
            src: body.src,
            alt: body.alt,
            width: String(body.width),
            height: String(body.height),
            caption: body.caption,
            credit: body.credit,
          })
          .run();
        dialog.close();
        open.focus();
      })
      .catch(() => showError(gettext("The upload failed: check the connection and try again.")))
      .finally(function () {
        submit.disabled = false;
        submit.textContent = gettext("Upload and insert");
      });
  });
}

document.addEventListener("prose-editor:ready", function (event) {
  const { editor, textarea } = event.detail;
  // The editor's own NoSpellCheck is left out of its extensions; say so
  // explicitly, as the browser's default differs for contenteditable.
  editor.view.dom.setAttribute("spellcheck", "true");
  editor.view.dom.setAttribute("aria-label", gettext("Body"));
  wireDialog(editor, textarea);
});
