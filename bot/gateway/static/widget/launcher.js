/* launcher.js: the floating widget — a launcher, a panel (full screen on a phone) that can be minimised or closed,
 * in a shadow root so the host page's CSS does not leak in. */
(function (IPR) {
  "use strict";
  var el = IPR.core.el, button = IPR.core.button, uid = IPR.core.uid;

  function floating() {
    var config = IPR.config, title = config.title;
    var host = el("div");
    host.setAttribute("data-ipr-widget", "");
    document.body.appendChild(host);
    var shadow = host.attachShadow({ mode: "open" });
    var css = el("link");
    css.rel = "stylesheet";
    css.href = config.gateway + "/static/chat.css";
    shadow.appendChild(css);
    var frame = el("aside", "ipr-floating");  // a landmark of its own on the host page
    frame.setAttribute("aria-label", title);
    frame.style.setProperty("--ipr-color", config.color);
    var box = el("div", "ipr-box");
    box.id = uid("ipr-box");
    box.hidden = true;
    var launcher = button("ipr-launcher", null, null);
    var launcherText = el("span", "", "咨询");
    var badge = el("span", "ipr-badge");
    badge.setAttribute("aria-hidden", "true");
    badge.hidden = true;
    launcher.appendChild(launcherText);
    launcher.appendChild(badge);
    launcher.setAttribute("aria-controls", box.id);
    frame.appendChild(box);
    frame.appendChild(launcher);
    shadow.appendChild(frame);
    var chat = null;
    var unread = 0;
    var minimise = button("ipr-head-button ipr-minimise", "—", function () { setState("minimised"); }, "最小化");
    var restore = button("ipr-head-button ipr-restore", "︿", function () { setState("open"); }, "展开");
    var close = button("ipr-head-button ipr-close-widget", "×", function () { setState("closed"); }, "关闭咨询窗口");
    var headBadge = el("span", "ipr-badge ipr-head-badge");  // unread count on the minimised bar
    headBadge.setAttribute("aria-hidden", "true");
    headBadge.hidden = true;
    var current = "closed";

    function label() {
      var open = current === "open";
      launcher.setAttribute("aria-expanded", open ? "true" : "false");
      launcher.setAttribute("aria-label", (open ? "关闭" : "打开") + "咨询窗口：" + title + (unread ? "（" + unread + "条新消息）" : ""));
      launcherText.textContent = open ? "关闭" : "咨询";  // the visible word is part of the label
      badge.hidden = !unread;
      badge.textContent = unread > 9 ? "9+" : String(unread);
      headBadge.hidden = !unread || current !== "minimised";
      headBadge.textContent = badge.textContent;
      restore.setAttribute("aria-label", "展开" + (unread ? "（" + unread + "条新消息）" : ""));
    }

    function ensureChat() {
      if (!chat) {
        chat = IPR.dialog.createChat(box, {
          title: title, subtitle: config.subtitle, logo: config.logo, note: true, headingLevel: "h2",
          headerButtons: [headBadge, minimise, restore, close],
          onReply: function () { if (current !== "open") { unread += 1; label(); } }
        });
      }
    }

    function setState(next) {
      var was = current;
      current = next;
      ensureChat();
      box.hidden = next === "closed";
      frame.classList.toggle("ipr-open", next === "open");
      frame.classList.toggle("ipr-min", next === "minimised");
      box.classList.toggle("ipr-minimised", next === "minimised");
      if (next === "open" && unread) { chat.reveal(); }  // replies that came while closed: from their start
      if (next === "open" && !unread) { chat.greet(); }
      if (next === "open") { unread = 0; }
      label();
      if (next === "open") { chat.input.focus(); } else if (next === "minimised") { restore.focus(); } else if (was !== "closed") { launcher.focus(); }
    }

    launcher.addEventListener("click", function () { setState(current === "open" ? "closed" : "open"); });
    label();
    if (IPR.core.loadState().sender) { ensureChat(); }  // a conversation of this tab has begun: its replies count while closed
  }

  IPR.launcher = { floating: floating };
})(IPR);
