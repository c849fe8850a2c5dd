/* boot.js, last: the chat inline in the page's #chat (data-mode="inline"), or the floating widget. */
(function (IPR) {
  "use strict";
  var config = IPR.config;
  if (!config) { return; }  // not run from a <script> element (document.currentScript): nothing to read settings from
  var script = config.script;
  if (config.mode === "inline") {
    var target = document.getElementById(script.getAttribute("data-target") || "chat");
    target.style.setProperty("--ipr-color", config.color);
    IPR.dialog.createChat(target, { title: config.title, subtitle: config.subtitle, logo: config.logo, headingLevel: "h1",
                                    note: script.getAttribute("data-note") === "true" });
  } else if (document.body) {
    IPR.launcher.floating();
  } else {
    document.addEventListener("DOMContentLoaded", IPR.launcher.floating);
  }
})(IPR);
