/* The comment forms: under a cached story page, and on their own pages.
 *
 * Every form: the display name is remembered in this browser (localStorage,
 * no cookie) and filled in next time; the comment's characters are counted
 * down (the field has no maxlength, which would cut a pasted text silently),
 * and a text over the limit is a field error that keeps it.
 *
 * The form under a story: the page is shared by every reader, so it carries
 * no CSRF token and no form timestamp. When the reader starts writing, fetch
 * both (and the CSRF cookie) from the form's data-token-url; a post sent
 * before they arrive waits for them. "Reply" moves the form under the comment
 * it answers and posts it from there (Accept: application/json): the reply,
 * or the notice that it is held, takes the form's place. Without JavaScript
 * the form stays hidden, "Write a comment" and "Reply" lead to the form's own
 * page, and the post ends on the story at the comment or its notice, which
 * this script focuses so that screen readers read it. */
(function () {
  "use strict";
  var NAME_KEY = "newsroom.comments.name";
  var MAX_DEPTH = 3;
  /* Django's JavaScript catalogue (jsi18n, loaded first); English if it is
   * missing, so the form never breaks for want of a translation. */
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, key) { return String(values[key]); });
  };

  function storedName() {
    try {
      return window.localStorage.getItem(NAME_KEY) || "";
    } catch (error) {
      return ""; /* storage off or full: the reader types it */
    }
  }

  function rememberName(value) {
    try {
      if (value) {
        window.localStorage.setItem(NAME_KEY, value);
      }
    } catch (error) {
      /* as above */
    }
  }

  function formatNumber(n) {
    return n.toLocaleString("en");
  }

  /* As the server counts: NFC, trimmed, in characters (code points). */
  function textLength(value) {
    var text = value.normalize ? value.normalize("NFC") : value;
    return Array.from(text.trim()).length;
  }

  function Form(form) {
    this.form = form;
    this.body = form.querySelector("textarea[name=body]");
    this.name = form.querySelector("input[name=name]");
    this.counter = form.querySelector("[data-comment-counter]");
    this.status = form.querySelector("[data-comment-counter-status]");
    this.max = parseInt(this.body && this.body.getAttribute("data-max-length"), 10);
    this.timer = null;
  }

  Form.prototype.setUp = function () {
    var self = this;
    if (self.name && !self.name.value) {
      self.name.value = storedName();
    }
    if (self.body && self.counter && self.max > 0) {
      self.count(false);
      self.body.addEventListener("input", function () {
        self.count(true);
      });
    }
    self.form.addEventListener("submit", function (event) {
      if (self.name) {
        rememberName(self.name.value.trim());
      }
      if (self.overLimit()) {
        event.preventDefault();
        event.stopImmediatePropagation();
        self.clearErrors();
        self.fieldError("body", self.limitMessage());
        self.body.focus();
      }
    });
  };

  Form.prototype.overLimit = function () {
    return this.max > 0 && this.body && textLength(this.body.value) > this.max;
  };

  Form.prototype.limitMessage = function () {
    return interpolate(
      gettext("Please keep your comment to %(limit)s characters: it has %(length)s. Your text is kept, so you can shorten it."),
      { limit: formatNumber(this.max), length: formatNumber(textLength(this.body.value)) },
      true
    );
  };

  /* The visible count follows every key; the polite live region speaks once
   * the reader pauses, not at each keystroke. */
  Form.prototype.count = function (announce) {
    var left = this.max - textLength(this.body.value);
    var values = { count: formatNumber(Math.abs(left)), limit: formatNumber(this.max) };
    var text =
      left >= 0
        ? interpolate(ngettext("%(count)s character left of %(limit)s.", "%(count)s characters left of %(limit)s.", left), values, true)
        : interpolate(ngettext("%(count)s character too many: the limit is %(limit)s.", "%(count)s characters too many: the limit is %(limit)s.", -left), values, true);
    this.counter.textContent = text;
    this.counter.classList.toggle("comment-counter--over", left < 0);
    if (!announce || !this.status) {
      return;
    }
    var status = this.status;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      status.textContent = text;
    }, 700);
  };

  Form.prototype.fieldError = function (name, message) {
    var input = this.form.querySelector('[name="' + name + '"]');
    var paragraph = input && input.closest(".field");
    if (!paragraph) {
      this.formMessage(message);
      return;
    }
    var id = "id_" + name + "_error";
    var span = document.createElement("span");
    span.className = "form-error";
    span.id = id;
    span.setAttribute("data-js-error", "");
    span.textContent = message;
    input.insertAdjacentElement("afterend", span);
    paragraph.classList.add("field-error");
    input.setAttribute("aria-invalid", "true");
    var described = (input.getAttribute("aria-describedby") || "").split(" ");
    if (described.indexOf(id) < 0) {
      described.unshift(id);
      input.setAttribute("aria-describedby", described.join(" ").trim());
    }
  };

  Form.prototype.formMessage = function (message) {
    var p = document.createElement("p");
    p.className = "form-error";
    p.setAttribute("role", "alert");
    p.setAttribute("data-js-error", "");
    p.textContent = message;
    this.form.insertBefore(p, this.form.firstElementChild);
  };

  Form.prototype.clearErrors = function () {
    var form = this.form;
    form.querySelectorAll("[data-js-error]").forEach(function (el) {
      el.remove();
    });
    /* The server's own errors (a page that came back with them) go too:
     * what is wrong now is said again. */
    form.querySelectorAll(".form-error[id$=_error]").forEach(function (el) {
      el.remove();
    });
    form.querySelectorAll(".field-error").forEach(function (el) {
      el.classList.remove("field-error");
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
    });
  };

  /* ----- the form under a cached story ----- */

  function StoryForm(form) {
    Form.call(this, form);
    this.link = document.querySelector("[data-comment-link]");
    this.pending = null;
    this.home = document.createComment(" the comment form's place ");
    this.slot = null;
    this.answering = null;
    this.busy = false;
  }
  StoryForm.prototype = Object.create(Form.prototype);

  StoryForm.prototype.field = function (name) {
    return this.form.querySelector('input[name="' + name + '"]');
  };

  StoryForm.prototype.loadToken = function () {
    var self = this;
    if (!self.pending) {
      self.pending = window
        .fetch(self.form.getAttribute("data-token-url"), {
          credentials: "same-origin",
          cache: "no-store",
          headers: { Accept: "application/json" },
        })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("token " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          self.field("csrfmiddlewaretoken").value = data.csrfmiddlewaretoken;
          self.field("issued").value = data.issued;
        })
        .catch(function (error) {
          self.pending = null;
          throw error;
        });
    }
    return self.pending;
  };

  StoryForm.prototype.setUp = function () {
    var self = this;
    Form.prototype.setUp.call(self);
    var form = self.form;
    form.parentNode.insertBefore(self.home, form);
    form.hidden = false;
    if (self.link) {
      self.link.hidden = true;
    }
    self.submitButton = form.querySelector("button[type=submit]");
    self.submitLabel = self.submitButton.textContent;
    self.heading = document.createElement("p");
    self.heading.className = "comment-form__replying";
    self.heading.id = "comment-form-replying";
    self.heading.hidden = true;
    form.insertBefore(self.heading, form.firstElementChild);
    self.cancel = document.createElement("button");
    self.cancel.type = "button";
    self.cancel.className = "comment-form__cancel";
    self.cancel.textContent = gettext("Cancel reply");
    self.cancel.hidden = true;
    self.submitButton.insertAdjacentElement("afterend", self.cancel);
    self.cancel.addEventListener("click", function () {
      self.closeReply(true);
    });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && self.answering) {
        self.closeReply(true);
      }
    });
    form.addEventListener("focusin", function () {
      self.loadToken().catch(function () {});
    });
    form.addEventListener("submit", function (event) {
      self.submit(event);
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.comment-reply");
      var item = link && link.closest("li.comment");
      if (item && !event.defaultPrevented && event.button === 0 &&
          !event.metaKey && !event.ctrlKey && !event.shiftKey) {
        event.preventDefault();
        self.openReply(item, link);
      }
    });
  };

  StoryForm.prototype.submit = function (event) {
    var self = this;
    var replying = Boolean(self.answering);
    if (!replying && self.field("csrfmiddlewaretoken").value) {
      return; /* an ordinary post: the story comes back at the comment */
    }
    event.preventDefault();
    if (self.busy) {
      return;
    }
    self.loadToken().then(
      function () {
        if (replying) {
          self.postInPlace();
        } else {
          self.form.submit();
        }
      },
      function () {
        /* No token (offline, comments closed): the form's own page explains. */
        if (self.link) {
          var href = self.link.querySelector("a").href;
          if (self.answering) {
            href += "?reply=" + self.answering.id.replace("comment-", "");
          }
          window.location.href = href;
        }
      }
    );
  };

  function levelOf(item) {
    var match = /comment-level-(\d+)/.exec(item.className);
    return match ? parseInt(match[1], 10) : 1;
  }

  function setLevel(el, level) {
    el.className = el.className.replace(/comment-level-\d+/, "").trim() +
      " comment-level-" + Math.min(level, MAX_DEPTH);
  }

  StoryForm.prototype.openReply = function (item, link) {
    var self = this;
    self.closeReply(false);
    self.answering = item;
    self.replyLink = link;
    self.slot = document.createElement("li");
    self.slot.className = "comment-reply-slot";
    setLevel(self.slot, levelOf(item) + 1);
    item.parentNode.insertBefore(self.slot, item.nextSibling);
    self.slot.appendChild(self.form);
    var author = item.querySelector(".comment-author");
    self.heading.textContent = author
      ? interpolate(gettext("Reply to %(name)s"), { name: author.textContent }, true)
      : gettext("Reply to this comment");
    self.heading.hidden = false;
    self.form.setAttribute("aria-labelledby", self.heading.id);
    self.form.classList.add("comment-form--reply");
    self.field("parent").value = item.id.replace("comment-", "");
    self.submitButton.textContent = gettext("Post reply");
    self.cancel.hidden = false;
    self.clearErrors();
    (self.name && !self.name.value ? self.name : self.body).focus();
  };

  /* The form back in its place under the heading, ready for a new comment. */
  StoryForm.prototype.closeReply = function (refocus) {
    var self = this;
    if (!self.answering) {
      return;
    }
    var link = self.replyLink;
    self.home.parentNode.insertBefore(self.form, self.home.nextSibling);
    if (self.slot) {
      self.slot.remove();
    }
    self.slot = null;
    self.answering = null;
    self.replyLink = null;
    self.heading.hidden = true;
    self.form.removeAttribute("aria-labelledby");
    self.form.classList.remove("comment-form--reply");
    self.field("parent").value = "";
    self.submitButton.textContent = self.submitLabel;
    self.cancel.hidden = true;
    self.clearErrors();
    if (refocus && link) {
      link.focus();
    }
  };

  StoryForm.prototype.setBusy = function (busy) {
    this.busy = busy;
    this.submitButton.disabled = busy;
    this.form.setAttribute("aria-busy", busy ? "true" : "false");
  };

  StoryForm.prototype.postInPlace = function () {
    var self = this;
    self.setBusy(true);
    self.clearErrors();
    window
      .fetch(self.form.action, {
        method: "POST",
        body: new FormData(self.form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
      .then(function (response) {
        return response.json().then(
          function (data) {
            return { status: response.status, data: data };
          },
          function () {
            return { status: response.status, data: null };
          }
        );
      })
      .then(
        function (result) {
          self.setBusy(false);
          if (result.status === 201 && result.data && result.data.html) {
            self.placeReply(result.data);
          } else if (result.data) {
            self.showErrors(result.data);
          } else {
            self.formMessage(
              gettext("We could not post your reply just now. Please try again; your text is kept.")
            );
          }
        },
        function () {
          self.setBusy(false);
          self.formMessage(
            gettext("Your reply could not be sent (no connection?). Please try again; your text is kept.")
          );
        }
      );
  };

  StoryForm.prototype.showErrors = function (data) {
    var self = this;
    var errors = data.errors || {};
    var shown = false;
    ["name", "email", "body"].forEach(function (name) {
      if (errors[name]) {
        self.fieldError(name, errors[name].join(" "));
        shown = true;
      }
    });
    Object.keys(errors).forEach(function (name) {
      if (["name", "email", "body"].indexOf(name) < 0) {
        self.formMessage(errors[name].join(" "));
        shown = true;
      }
    });
    if (!shown || data.message) {
      self.formMessage(data.message || gettext("Your reply could not be posted."));
    }
    var first = self.form.querySelector("[aria-invalid]");
    if (first) {
      first.focus();
    }
  };

  StoryForm.prototype.placeReply = function (data) {
    var self = this;
    var template = document.createElement("template");
    template.innerHTML = data.html;
    var item = template.content.firstElementChild;
    setLevel(item, levelOf(self.answering) + 1);
    self.slot.parentNode.insertBefore(item, self.slot);
    if (data.status === "published") {
      var count = document.querySelector("#comments-heading .comment-count");
      if (count) {
        var n = parseInt(count.getAttribute("data-count"), 10) + 1;
        count.setAttribute("data-count", n);
        count.textContent = formatNumber(n);
      }
    }
    self.body.value = "";
    self.count(false);
    self.closeReply(false);
    var notice = item.querySelector("[data-comment-notice]") || item;
    notice.focus();
  };

  /* ----- after a post: the notice where the comment is or would be ----- */

  function focusNotice() {
    var target = window.location.hash.length > 1
      ? document.getElementById(decodeURIComponent(window.location.hash.slice(1)))
      : null;
    var notice = null;
    if (target && target.hasAttribute("data-comment-notice")) {
      notice = target;
    } else if (target) {
      notice = target.querySelector("[data-comment-notice]");
    }
    notice = notice || document.querySelector("[data-comment-notice][autofocus]");
    if (!notice) {
      return;
    }
    /* A published comment is the target itself (focusable, the notice its
     * first words): focus what the browser scrolled to, or it takes the
     * focus back when it scrolls to the fragment. */
    if (target && target !== notice && target.hasAttribute("tabindex")) {
      notice = target;
    }
    notice.focus();
    window.addEventListener("load", function () {
      /* Pictures above may have moved it while they loaded. */
      var box = notice.getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) {
        notice.scrollIntoView({ block: "start" });
      }
    });
  }

  document.querySelectorAll("form.comment-form").forEach(function (form) {
    if (form.hasAttribute("data-token-url")) {
      if (window.fetch && window.FormData) {
        new StoryForm(form).setUp();
      }
    } else {
      new Form(form).setUp();
    }
  });
  focusNotice();
})();
