// Starts the rasa-webchat widget inside #webchat with the settings the server gives (/config.json).
(async function () {
  "use strict";
  const box = document.getElementById("webchat");
  function fail(text) {
    const p = document.createElement("p");
    p.className = "status";
    p.setAttribute("role", "alert");
    p.textContent = text;
    box.appendChild(p);
  }
  if (!window.WebChat) {
    fail("The chat widget did not load. Please try again later.");
    return;
  }
  let cfg;
  try {
    const resp = await fetch("/config.json", { cache: "no-cache" });
    cfg = await resp.json();
  } catch (err) {
    fail("The coach is not reachable right now. Please try again later.");
    return;
  }
  window.WebChat.default({
    selector: "#webchat",
    initPayload: cfg.initPayload,
    // null: this page's own origin, whose /socket.io/ the web server forwards to Rasa.
    socketUrl: cfg.socketUrl || window.location.origin,
    socketPath: cfg.socketPath,
    params: { storage: "local" },
    embedded: true,
    title: "Back recovery coach",
    inputTextFieldHint: cfg.inputTextFieldHint,
    hideWhenNotConnected: false,
    connectingText: "Connecting to the coach...",
    customMessageDelay: () => 250,
  }, box);

  // The widget's images have no text alternative: describe the progress chart.
  const ALT = "Chart: your pain score (0 to 10) and walking minutes per day over the last 4 weeks";
  new MutationObserver(() => {
    for (const img of box.querySelectorAll("img:not([alt])")) {
      // Progress charts come from this server by link (bot/chart_links.py): /charts/<token>.png
      img.alt = new URL(img.src, location.href).pathname.startsWith("/charts/") ? ALT : "";
      // The widget scrolls down when a message arrives, before an image has its height.
      img.addEventListener("load", () => {
        const list = box.querySelector(".rw-messages-container");
        if (list) list.scrollTop = list.scrollHeight;
      }, { once: true });
    }
    const input = box.querySelector(".rw-new-message");
    if (input && !input.getAttribute("aria-label")) input.setAttribute("aria-label", "Your message");
  }).observe(box, { childList: true, subtree: true });
})();
