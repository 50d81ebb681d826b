/* Shiji's only script: small enhancements on top of pages that work without it.
 * - upload progress for forms marked data-upload-progress (htmx sends them with XHR);
 * - a visible, announced message when an htmx request fails;
 * - the account menu closes on Escape and on a click elsewhere.
 * No inline script anywhere (the Content-Security-Policy allows scripts from this site only);
 * every text shown comes from the page (data-* attributes rendered in the reader's language). */
(function () {
  "use strict";

  function showAlert(text) {
    var alert = document.getElementById("page-alert");
    if (!alert || !text) return;
    alert.textContent = text;
    alert.hidden = false;
  }

  function hideAlert() {
    var alert = document.getElementById("page-alert");
    if (alert) alert.hidden = true;
  }

  document.addEventListener("htmx:beforeRequest", hideAlert);

  document.addEventListener("htmx:sendError", function () {
    showAlert(document.body.dataset.errorNetwork);
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    showAlert(status >= 500 ? document.body.dataset.errorServer : document.body.dataset.errorClient);
  });

  /* Upload progress: <form data-upload-progress> containing a <progress>. */
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest ? event.target.closest("[data-upload-progress]") : null;
    if (!form || !event.detail.lengthComputable) return;
    var bar = form.querySelector("progress");
    if (!bar) return;
    bar.hidden = false;
    bar.max = event.detail.total;
    bar.value = event.detail.loaded;
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest ? event.target.closest("[data-upload-progress]") : null;
    var bar = form ? form.querySelector("progress") : null;
    if (bar) {
      bar.removeAttribute("value");
      bar.hidden = false;
    }
  });

  /* "More" links (data-focus-new="#grid") append cards; keyboard focus moves to the first new
   * one instead of being lost with the link that was replaced. */
  var grown = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var selector = event.target.dataset ? event.target.dataset.focusNew : null;
    var grid = selector ? document.querySelector(selector) : null;
    grown = grid ? { grid: grid, count: grid.children.length } : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!grown) return;
    var first = grown.grid.children[grown.count];
    var link = first ? first.querySelector("a") : null;
    if (link) link.focus();
    grown = null;
  });

  /* Live updates for a signed-in reader (<body data-live-url="/ws/me/">): a notification bumps
   * the unread count, and a region marked data-live-subject="<type>:<id>" (the order or the
   * conversation on screen) reloads itself when the notification is about it. */
  function bumpUnread() {
    var badge = document.querySelector("[data-unread-count]");
    if (!badge) return;
    var count = parseInt(badge.dataset.unreadCount, 10) + 1;
    badge.dataset.unreadCount = String(count);
    var number = badge.querySelector("[data-unread-number]");
    if (number) number.textContent = String(count);
    badge.hidden = false;
  }

  function isEditing(region) {
    if (region.contains(document.activeElement) && document.activeElement !== document.body) return true;
    return Array.prototype.some.call(region.querySelectorAll("textarea, input[type=text]"), function (field) {
      return field.value !== field.defaultValue;
    });
  }

  function refreshSubject(subject) {
    document.querySelectorAll("[data-live-subject]").forEach(function (region) {
      if (region.dataset.liveSubject !== subject || !region.id || !window.htmx) return;
      if (isEditing(region)) return; // never wipe what the reader is typing

      window.htmx.ajax("GET", window.location.pathname + window.location.search, {
        target: "#" + region.id,
        select: "#" + region.id,
        swap: "outerHTML",
      });
    });
  }

  function connectLive(url, attempt) {
    if (!url || !window.WebSocket || attempt > 6) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + url);
    var opened = false;
    socket.onopen = function () {
      opened = true;
    };
    socket.onmessage = function (event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (message.type !== "notification" || !message.data) return;
      bumpUnread();
      if (message.data.subject_type) refreshSubject(message.data.subject_type + ":" + message.data.subject_id);
    };
    socket.onclose = function () {
      var next = opened ? 1 : attempt + 1;
      window.setTimeout(function () {
        connectLive(url, next);
      }, Math.min(60000, 1000 * Math.pow(2, next)));
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    connectLive(document.body.dataset.liveUrl, 0);
  });

  /* Ordinary forms (no htmx): show that the page is working and stop a second press from
   * sending the form again. The button is disabled after the browser has read its value. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return;
    form.setAttribute("aria-busy", "true");
    var loading = document.getElementById("page-loading");
    if (loading) loading.classList.add("htmx-request");
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });
  /* Coming back with the browser's Back button shows the page as it was: not busy. */
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[aria-busy]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = false;
      });
    });
    var loading = document.getElementById("page-loading");
    if (loading) loading.classList.remove("htmx-request");
  });

  /* The account menu (<details class="menu">). */
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }

  document.addEventListener("click", function (event) {
    var inside = event.target.closest ? event.target.closest("details.menu") : null;
    closeMenus(inside);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("details.menu[open]");
    if (!open) return;
    open.removeAttribute("open");
    var summary = open.querySelector("summary");
    if (summary) summary.focus();
  });
})();
