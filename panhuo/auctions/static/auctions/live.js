/* Panhuo auctions: the lot page, live. Our own small script (no library). It listens to the
 * lot's server-sent events (auctions/live.py) and puts each new state into the page: price,
 * next minimum bid, leader (pseudonym), bid count, status, the end with its extensions. The
 * countdown runs on the SERVER's clock: every event carries server_time, and the page keeps
 * the offset between it and the browser's clock, so a wrong browser clock changes nothing.
 * Without this script the page still works (reload to see new bids). */
(function () {
  "use strict";

  var card = document.querySelector("[data-live-url]");
  if (!card) { return; }
  var FINAL = { awarded: true, failed: true };
  var endAt = Date.parse(card.getAttribute("data-end-at"));
  // server time minus browser time, in ms (from the page, then from every event)
  var offset = Date.parse(card.getAttribute("data-server-time")) - Date.now();
  var zone = card.getAttribute("data-time-zone") || undefined;
  var countdown = card.querySelector("[data-countdown]");
  var clock = card.querySelector("[data-server-clock]");
  var source = null;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function serverNow() { return Date.now() + offset; }

  function showClock() {
    if (clock) {
      try {
        // sv-SE gives "YYYY-MM-DD HH:MM:SS", as the server writes it
        clock.textContent = new Date(serverNow()).toLocaleString("sv-SE", { timeZone: zone });
      } catch (e) { /* an unknown zone: keep the server's text */ }
    }
  }

  function tick() {
    showClock();
    if (!countdown || isNaN(endAt)) { return; }
    var left = Math.floor((endAt - serverNow()) / 1000);
    if (left <= 0) {
      countdown.textContent = card.getAttribute("data-ended-text");
      return;
    }
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    countdown.textContent = h + ":" + pad(m) + ":" + pad(s);
  }

  function setText(name, value) {
    var nodes = document.querySelectorAll('[data-live="' + name + '"]');
    for (var i = 0; i < nodes.length; i++) {
      var text = value === null || value === undefined || value === "" ? (name === "leader" ? "—" : "") : String(value);
      if (nodes[i].textContent !== text) { nodes[i].textContent = text; }
    }
  }

  function apply(state) {
    ["status_label", "price_text", "minimum_bid_text", "leader", "bids", "end_text",
      "extensions_text"].forEach(function (name) { setText(name, state[name]); });
    endAt = Date.parse(state.end_at);
    var leading = document.querySelector("[data-live-leading]");
    if (leading) { leading.hidden = !state.leading; }
    var form = document.querySelector('[data-testid="bid-form"]');
    if (form) {
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = !state.accepting_bids; }
    }
    card.setAttribute("data-live-version", state.version);
    if (FINAL[state.status] && source) { source.close(); }
  }

  var pending = null;

  function offline(paused) {
    // A stream ending on time is followed by a new one within the retry interval: the note
    // shows only when no event has come for several seconds.
    var note = card.querySelector("[data-live-offline]");
    window.clearTimeout(pending);
    if (!paused) {
      if (note) { note.hidden = true; }
      return;
    }
    pending = window.setTimeout(function () { if (note) { note.hidden = false; } }, 8000);
  }

  function sync(data) {
    if (data.server_time) { offset = Date.parse(data.server_time) - Date.now(); }
  }

  function listen() {
    if (!window.EventSource) { return; }
    source = new EventSource(card.getAttribute("data-live-url"));
    source.addEventListener("lot", function (e) {
      var state = JSON.parse(e.data);
      sync(state);
      apply(state);
      offline(false);
      tick();
    });
    source.addEventListener("clock", function (e) { sync(JSON.parse(e.data)); });
    source.onerror = function () {
      // The stream ended (its time is up) or the network dropped: the browser reconnects
      // after the server's retry interval; the countdown keeps running meanwhile.
      offline(true);
    };
  }

  tick();
  window.setInterval(tick, 1000);
  listen();
})();
