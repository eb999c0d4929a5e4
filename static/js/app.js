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

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    var panel = document.getElementById("study-panel");
    if (!panel) return;
    // A key pressed right after a swap can beat htmx's own processing of the new card.
    if (window.htmx) window.htmx.process(panel);
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

  // One answer per card: disable the buttons once a request is on its way.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest && event.target.closest("form.answer-buttons");
    if (form) form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
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
