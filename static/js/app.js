// Keyboard shortcuts for studying, focus after a card swaps in, the browser's time zone at signup, and the service worker.
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // Space and Enter already mean something on links, buttons and summaries: leave them alone.
  function interactive(target) {
    return target && /^(A|BUTTON|SUMMARY)$/.test(target.tagName);
  }

  // The list of keys: `?` shows or hides it, Escape closes it and gives focus back.
  function shortcuts() {
    return document.querySelector("[data-shortcuts]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    var panel = document.getElementById("study-panel");
    if (!panel) return;
    var keys = shortcuts();
    if (event.key === "Escape" && keys && keys.open) {
      event.preventDefault();
      keys.open = false;
      keys.querySelector("summary").focus();
      return;
    }
    if (event.key === "?") {
      if (keys) {
        event.preventDefault();
        keys.open = !keys.open;
        if (keys.open) keys.querySelector("summary").focus();
      }
      return;
    }
    // A key pressed right after a swap can beat htmx's own processing of the new card; a
    // button clicked then would submit its form natively and navigate the whole page.
    if (window.htmx) window.htmx.process(panel);
    // Card actions: B bury, S suspend, K I know this, R report, D details.
    var action = panel.querySelector('[data-key="' + event.key.toLowerCase() + '"]');
    if (action && event.key.length === 1 && /[bskrd]/i.test(event.key)) {
      event.preventDefault();
      if (action.tagName === "SUMMARY") {
        action.parentElement.open = true;
        action.focus();
      } else {
        action.click();
      }
      return;
    }
    if (event.key === " " || event.key === "Enter") {
      var reveal = panel.querySelector("[data-reveal]");
      if (reveal && !interactive(event.target)) {
        event.preventDefault();
        reveal.click();
      }
    } else if (event.key === "u" || event.key === "U") {
      var undo = panel.querySelector("[data-undo]");
      if (undo) {
        event.preventDefault();
        undo.click();
      }
    } else if (/^[1-4]$/.test(event.key)) {
      var button = panel.querySelector('button[data-rating="' + event.key + '"]');
      if (button && !button.disabled) {
        event.preventDefault();
        button.click();
      }
    }
  });

  // A failed request says why in the error region (the server aims 4xx messages there); a
  // server failure, which is not swapped, is described here. The next request clears it.
  function errorRegion() {
    return document.getElementById("htmx-error");
  }
  document.addEventListener("htmx:responseError", function (event) {
    var region = errorRegion();
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (region && status >= 500) {
      region.textContent = "The server could not do that just now; nothing was changed. Try again in a moment.";
    }
  });
  document.addEventListener("htmx:sendError", function () {
    var region = errorRegion();
    if (region) region.textContent = "No connection to the server; nothing was changed. Try again when you are back online.";
  });

  // One answer per card: disable the buttons once a request is on its way.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = errorRegion();
    if (region) region.textContent = "";
    var form = event.target.closest && event.target.closest("form.answer-buttons");
    if (form) form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
  });
  // Refused: the card stays, and can be answered again.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form.answer-buttons");
    if (form && !event.detail.successful) {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    }
  });

  // The panel is replaced on every swap, so a persistent live region announces the new card,
  // and focus moves to its heading so keyboard and screen-reader users start from there.
  document.addEventListener("htmx:afterSettle", function (event) {
    var panel = document.getElementById("study-panel");
    if (!panel || !panel.contains(event.detail.elt)) return;
    var heading = panel.querySelector("h1");
    var announcer = document.getElementById("announcer");
    if (heading) {
      heading.focus({ preventScroll: false });
      var revealed = panel.querySelector(".card-back");
      if (announcer) announcer.textContent = (revealed ? "Answer shown: " : "Next card: ") + heading.textContent.trim();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var zone = document.querySelector('input[name="time_zone"]');
    if (zone && !zone.value && window.Intl) {
      zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    }
  });
})();

// Settings: show the browser's time zone beside the stored one, so the learner can confirm it.
document.addEventListener("DOMContentLoaded", function () {
  var hint = document.querySelector("[data-browser-tz]");
  if (hint && window.Intl) {
    hint.querySelector("strong").textContent = Intl.DateTimeFormat().resolvedOptions().timeZone;
    hint.hidden = false;
  }
});

// Practice interviews: a suggested-time countdown that never cuts the learner off.
document.addEventListener("DOMContentLoaded", function () {
  var timer = document.querySelector("[data-timer]");
  if (!timer) return;
  var limit = Number(timer.dataset.seconds);
  var started = Number(timer.dataset.started);
  function clock(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  function tick() {
    var elapsed = Math.max(0, Math.floor((Date.now() - started) / 1000));
    var left = limit - elapsed;
    timer.textContent = left >= 0 ? clock(left) + " of suggested time left" : clock(-left) + " over the suggested time";
    timer.classList.toggle("timer-over", left < 0);
  }
  tick();
  window.setInterval(tick, 1000);
});

// A year of activity is wider than a phone: start the heatmap scrolled to the most recent weeks.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".chart-scroll").forEach(function (box) {
    box.scrollLeft = box.scrollWidth;
  });
});

// Installable app: the service worker keeps the static shell and an offline page (never pages).
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  });
}
