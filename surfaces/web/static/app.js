// earshot web inbox: live updates, actions and small conveniences.
// Served as a file because the Content-Security-Policy forbids inline script.
// Every piece of public text arrives already escaped inside server-rendered
// HTML; this file never builds markup from data.
(function () {
  "use strict";

  var segmenter = (typeof Intl !== "undefined" && Intl.Segmenter) ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

  // graphemes counts what a person sees as characters, like the server does.
  function graphemes(s) {
    if (segmenter) {
      var n = 0;
      for (var _ of segmenter.segment(s)) n++; // eslint-disable-line no-unused-vars
      return n;
    }
    return Array.from(s).length;
  }

  function fmtDur(ms) {
    ms = Math.abs(ms);
    var m = Math.floor(ms / 60000);
    if (m < 1) return "<1m";
    if (m < 60) return m + "m";
    var h = Math.floor(m / 60);
    if (h < 24) return m % 60 ? h + "h " + (m % 60) + "m" : h + "h";
    var d = Math.floor(h / 24);
    return h % 24 ? d + "d " + (h % 24) + "h" : d + "d";
  }

  // tick keeps "5m ago" and SLA countdowns true without a reload.
  function tick(root) {
    var now = Date.now();
    (root || document).querySelectorAll("time[data-rel][datetime]").forEach(function (el) {
      var t = Date.parse(el.getAttribute("datetime"));
      if (isNaN(t)) return;
      var diff = now - t;
      el.textContent = diff >= 0 && diff < 60000 ? "just now" : diff >= 0 ? fmtDur(diff) + " ago" : "in " + fmtDur(diff);
    });
    (root || document).querySelectorAll(".due[data-due]").forEach(function (el) {
      var t = Date.parse(el.getAttribute("data-due"));
      if (isNaN(t)) return;
      var left = t - now;
      el.classList.remove("due-ok", "due-soon", "due-over");
      if (left < 0) {
        el.textContent = "overdue " + fmtDur(left);
        el.classList.add("due-over");
      } else {
        el.textContent = "due in " + fmtDur(left);
        el.classList.add(left <= 15 * 60000 ? "due-soon" : "due-ok");
      }
    });
  }

  var toastTimer = 0;
  function toast(msg, bad) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = msg;
    el.classList.toggle("bad", !!bad);
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.hidden = true; }, bad ? 6000 : 3000);
  }

  function parseHTML(html) {
    var t = document.createElement("template");
    t.innerHTML = html.trim();
    return t.content;
  }

  function get(url, accept) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: accept || "text/html" } }).then(function (res) {
      if (res.status === 401) {
        location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
        throw new Error("signed out");
      }
      if (!res.ok) throw new Error(url + ": " + res.status);
      return accept === "application/json" ? res.json() : res.text();
    });
  }

  // ---- editors and character counts ----

  function updateCounter(ta) {
    var form = ta.closest("form");
    var limit = parseInt(ta.getAttribute("data-limit"), 10) || 0;
    var n = graphemes(ta.value);
    var over = limit > 0 && n > limit;
    var counter = form && form.querySelector(".counter");
    if (counter) {
      counter.textContent = n + " / " + limit + (over ? " — too long" : "");
      counter.classList.toggle("over", over);
    }
    var btn = form && form.querySelector("button[type=submit]");
    if (btn) btn.disabled = over || ta.value.trim() === "";
    return !over;
  }

  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("textarea[data-limit]")) updateCounter(e.target);
  });

  document.addEventListener("click", function (e) {
    var t = e.target.closest && e.target.closest("[data-toggle]");
    if (!t) return;
    var el = document.getElementById(t.getAttribute("data-toggle"));
    if (!el) return;
    el.hidden = !el.hidden;
    var ta = el.querySelector("textarea");
    if (!el.hidden && ta) {
      updateCounter(ta);
      ta.focus();
    } else if (ta) {
      ta.value = ta.defaultValue;
    }
  });

  // ---- actions ----

  var done = {
    reply: "Reply queued: it goes out once, now",
    escalate: "Escalated",
    acknowledge: "Acknowledged: paging stops",
    defect: "Defect being filed",
    claim: "Claimed: it's yours",
    dismiss: "Dismissed",
    resolve: "Resolved",
    acknowledge: "Acknowledged",
    mute: "Muted: new posts open no case",
    reopen: "Reopened",
    regenerate: "Drafting again: the new replies appear here"
  };

  document.addEventListener("submit", function (e) {
    var form = e.target.closest && e.target.closest("form.act");
    if (!form) return;
    e.preventDefault();
    var body = { kind: form.getAttribute("data-kind") };
    var s = form.elements.namedItem("suggestion");
    if (s) body.suggestion = parseInt(s.value, 10);
    var reason = form.elements.namedItem("reason");
    if (reason) body.reason = reason.value;
    var mk = form.elements.namedItem("mute_kind");
    if (mk) {
      body.mute = { kind: mk.value, period: form.elements.namedItem("mute_period").value };
      var mv = form.elements.namedItem("mute_value");
      if (mv && mv.value.trim()) body.mute.value = mv.value.trim();
    }
    var t = form.elements.namedItem("text");
    if (t) {
      if (t.matches("textarea[data-limit]") && !updateCounter(t)) return;
      body.text = t.value;
    }
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.status === 401) {
          location.href = "/login?next=" + encodeURIComponent(location.pathname);
          return;
        }
        if (res.status === 200 && data.status === "duplicate") {
          toast("Already done: nothing was sent twice");
        } else if (res.status === 202) {
          toast(done[body.kind] || "Done");
          if (form.classList.contains("editor")) {
            form.hidden = true;
          }
        } else {
          toast(data.error || "That did not work (" + res.status + ")", true);
          return;
        }
        if (t && form.classList.contains("editor")) t.value = t.defaultValue;
        refreshCase();
      });
    }).catch(function () {
      toast("Could not reach earshot; check the connection and try again", true);
    }).finally(function () {
      buttons.forEach(function (b) { b.disabled = false; });
    });
  });

  // ---- forms posting JSON to the API (the mutes page) ----

  document.addEventListener("submit", function (e) {
    var form = e.target.closest && e.target.closest("form.api");
    if (!form) return;
    e.preventDefault();
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name) body[el.name] = el.value;
    });
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {
      method: form.getAttribute("data-method") || "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.status === 401) {
          location.href = "/login?next=" + encodeURIComponent(location.pathname);
          return;
        }
        if (!res.ok) {
          toast(data.error || "That did not work (" + res.status + ")", true);
          return;
        }
        toast(form.getAttribute("data-done") || "Done");
        setTimeout(function () { location.reload(); }, 400);
      });
    }).catch(function () {
      toast("Could not reach earshot; check the connection and try again", true);
    }).finally(function () {
      buttons.forEach(function (b) { b.disabled = false; });
    });
  });

  // ---- live updates ----

  var inbox = document.getElementById("inbox");
  var casePage = document.getElementById("case");

  function busy(section) {
    if (section.contains(document.activeElement) && document.activeElement !== document.body) return true;
    var fields = section.querySelectorAll("textarea, input:not([type=hidden])");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    var editors = section.querySelectorAll("form.editor");
    for (var j = 0; j < editors.length; j++) {
      if (!editors[j].hidden) return true;
    }
    return false;
  }

  var caseTimer = 0;
  function refreshCase() {
    if (!casePage) return;
    clearTimeout(caseTimer);
    caseTimer = setTimeout(function () {
      var id = casePage.getAttribute("data-case");
      get("/fragments/cases/" + id + "/detail").then(function (html) {
        var fresh = parseHTML(html);
        fresh.querySelectorAll("[data-live]").forEach(function (next) {
          var cur = casePage.querySelector('[data-live="' + next.getAttribute("data-live") + '"]');
          if (cur && !busy(cur)) cur.replaceWith(next);
        });
        tick(casePage);
      }).catch(function () {});
    }, 150);
  }

  function matches(ev) {
    var team = inbox.getAttribute("data-team");
    var states = inbox.getAttribute("data-states");
    if (team && ev.team !== team) return false;
    if (states && states.split(",").indexOf(ev.state) < 0) return false;
    return true;
  }

  function paged() {
    return new URLSearchParams(location.search).has("before");
  }

  function syncEmpty() {
    var list = document.getElementById("case-list");
    var empty = document.getElementById("empty");
    if (list && empty) empty.hidden = list.children.length > 0;
  }

  function refreshRow(ev) {
    var list = document.getElementById("case-list");
    var cur = document.getElementById("case-" + ev.id);
    if (!matches(ev)) {
      if (cur) cur.remove();
      syncEmpty();
      return;
    }
    if (!cur && paged()) return; // new cases belong on the first page
    if (cur && parseInt(cur.getAttribute("data-rev"), 10) > ev.rev) return;
    get("/fragments/cases/" + ev.id).then(function (html) {
      var row = parseHTML(html).firstElementChild;
      if (!row) return;
      var now = document.getElementById("case-" + ev.id);
      if (now) {
        if (parseInt(now.getAttribute("data-rev"), 10) > parseInt(row.getAttribute("data-rev"), 10)) return;
        now.replaceWith(row);
      } else {
        list.insertBefore(row, list.firstChild);
      }
      row.classList.add("flash");
      syncEmpty();
    }).catch(function () {});
  }

  var countTimer = 0;
  function refreshCounts() {
    clearTimeout(countTimer);
    countTimer = setTimeout(function () {
      get("/api/teams", "application/json").then(function (data) {
        var team = inbox.getAttribute("data-team");
        var all = 0;
        var perState = {};
        (data.teams || []).forEach(function (t) {
          all += t.open;
          var el = inbox.parentNode.querySelector('[data-team-open="' + CSS.escape(t.name) + '"]');
          if (el) el.textContent = t.open;
          if (!team || team === t.name) {
            Object.keys(t.counts || {}).forEach(function (k) { perState[k] = (perState[k] || 0) + t.counts[k]; });
            perState.open = (perState.open || 0) + t.open;
          }
        });
        var allEl = inbox.parentNode.querySelector('[data-team-open="*"]');
        if (allEl) allEl.textContent = all;
        inbox.querySelectorAll("[data-state-count]").forEach(function (el) {
          el.textContent = perState[el.getAttribute("data-state-count")] || 0;
        });
      }).catch(function () {});
    }, 400);
  }

  // resync redraws what may have been missed while the stream was down.
  function resync() {
    if (casePage) {
      refreshCase();
      return;
    }
    get(location.href).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      ["case-list", "sidebar", "empty"].forEach(function (id) {
        var next = doc.getElementById(id);
        var cur = document.getElementById(id);
        if (next && cur) cur.replaceWith(document.importNode(next, true));
      });
      var tabs = doc.querySelector(".tabs");
      var curTabs = document.querySelector(".tabs");
      if (tabs && curTabs) curTabs.replaceWith(document.importNode(tabs, true));
      tick();
    }).catch(function () {});
  }

  function connect() {
    if (!window.EventSource || (!inbox && !casePage)) return;
    var live = document.getElementById("live");
    var es = new EventSource("/events");
    var wasDown = false;
    es.onopen = function () {
      if (live) { live.hidden = false; live.classList.remove("off"); live.textContent = "Live"; }
      if (wasDown) resync();
      wasDown = false;
    };
    es.onerror = function () {
      wasDown = true;
      if (live) { live.hidden = false; live.classList.add("off"); live.textContent = "Reconnecting"; }
    };
    es.addEventListener("case", function (msg) {
      var ev;
      try { ev = JSON.parse(msg.data); } catch (_) { return; }
      if (inbox) {
        refreshRow(ev);
        refreshCounts();
      } else if (casePage && String(ev.id) === casePage.getAttribute("data-case")) {
        refreshCase();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-limit]").forEach(updateCounter);
    tick();
    setInterval(tick, 30000);
    connect();
  });
})();
