/* 知识产权维权助手 — chat page and embeddable widget, one script.
 *
 *   <script src="https://GATEWAY/widget.js" data-title="知识产权维权助手" data-subtitle="工作日 9:00–17:00"
 *           data-logo="https://www.example.gov.cn/logo.png" data-color="#1a5fb4" async></script>
 *     adds a floating chat button to any page (its origin must be in the gateway's WIDGET_ORIGINS);
 *   <script src="/widget.js" data-mode="inline" data-target="chat"></script>
 *     renders the chat into #chat (the gateway's own page).
 *
 * Every user and bot text is shown with textContent: nothing received is ever parsed as HTML.
 * An answer (reply contract kind "answer" or "limit" with custom.answer) is laid out verdict first: the verdict,
 * the next step, the lead unit in bold, and the quoted basis folded under "依据". An answer with a step card
 * (custom.answer.card) shows the verdict, the summary and the steps as a numbered list instead: each step with a chip
 * for its clause (the viewer) and its lead unit, a step the plan is silent on in its place, muted; on a phone the
 * first PHONE_STEPS steps before a fold; then the lead units' contacts, when the service directory has them.
 *
 * Source layout: the gateway serves /widget.js as the files of static/widget/ joined in a fixed order (WIDGET_PARTS
 * in bot/gateway/pages.py) inside one function, whose local IPR is the namespace the parts register on: nothing
 * but the chat's own elements reaches the host page. Each part's functions take the chat (made by dialog.js) first.
 *
 * core.js: the script tag's settings, DOM helpers, the conversation kept in sessionStorage.
 */
(function (IPR) {
  "use strict";
  var script = document.currentScript;
  var gateway = script ? (script.getAttribute("data-gateway") || new URL(script.src, location.href).origin).replace(/\/$/, "") : "";
  var config = !script ? null : {  // no script element to read: boot.js starts nothing
    script: script,
    gateway: gateway,
    mode: script.getAttribute("data-mode") || "floating",
    title: script.getAttribute("data-title") || "知识产权维权助手",
    subtitle: script.getAttribute("data-subtitle") || "",
    logo: script.getAttribute("data-logo") || "",
    color: script.getAttribute("data-color") || "#1a5fb4"
  };
  var STORE = "ipr-chat:" + gateway;
  var ids = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function button(className, text, onClick, label) {
    var node = el("button", className, text);
    node.type = "button";
    if (label) { node.setAttribute("aria-label", label); }
    if (onClick) { node.addEventListener("click", onClick); }
    return node;
  }

  function uid(prefix) { ids += 1; return prefix + "-" + ids + "-" + Math.random().toString(36).slice(2, 7); }

  /* Text with some names in bold: split into text nodes and <strong> elements (never HTML). */
  function emphasise(node, text, names, className) {
    var rest = text;
    var wanted = (names || []).filter(function (n) { return n && text.indexOf(n) !== -1; });
    while (rest) {
      var at = -1, found = "";
      wanted.forEach(function (n) {
        var i = rest.indexOf(n);
        if (i !== -1 && (at === -1 || i < at)) { at = i; found = n; }
      });
      if (at === -1) { node.appendChild(document.createTextNode(rest)); break; }
      if (at > 0) { node.appendChild(document.createTextNode(rest.slice(0, at))); }
      node.appendChild(el("strong", className || "ipr-unit", found));
      rest = rest.slice(at + found.length);
    }
    return node;
  }

  // Conversation per browser tab: sessionStorage survives a reload, not a new tab. The id is issued (and signed)
  // by the gateway on the first message; a client cannot choose it.
  function loadState() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
      if (saved && typeof saved.sender === "string" && Array.isArray(saved.log)) { return saved; }
    } catch (ignored) { /* a broken entry starts a new conversation */ }
    return { sender: "", log: [] };
  }

  function save(chat) {
    try { sessionStorage.setItem(STORE, JSON.stringify(chat.state)); } catch (ignored) { /* storage full or off */ }
  }

  IPR.config = config;
  IPR.core = { el: el, button: button, uid: uid, emphasise: emphasise, loadState: loadState, save: save };
})(IPR);
