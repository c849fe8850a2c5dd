/* viewer.js: the clause viewer, a modal dialog over the chat — the clause's text, units, deadline and versions,
 * with tabs between the clauses one answer cites. */
(function (IPR) {
  "use strict";
  var el = IPR.core.el, button = IPR.core.button;

  function closeViewer(chat) {
    var viewer = chat.viewer;
    if (viewer.hidden) { return; }
    viewer.hidden = true;
    Array.prototype.forEach.call(chat.panel.children, function (child) { if (child !== viewer) { child.inert = false; } });
    if (chat.viewerOpener && chat.viewerOpener.isConnected) { chat.viewerOpener.focus(); }
    chat.viewerOpener = null;
  }

  // Escape closes the viewer; Tab and Shift+Tab go round its own buttons.
  function attach(chat) {
    var viewer = chat.viewer;
    viewer.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        closeViewer(chat);
      } else if (event.key === "Tab") {  // keep focus inside the dialog
        var focusable = Array.prototype.filter.call(viewer.querySelectorAll("button, [href], [tabindex]"), function (n) {
          return !n.disabled && n.offsetParent !== null;
        });
        if (!focusable.length) { return; }
        var active = viewer.getRootNode().activeElement;
        var firstNode = focusable[0], lastNode = focusable[focusable.length - 1];
        if (event.shiftKey && active === firstNode) { event.preventDefault(); lastNode.focus(); }
        else if (!event.shiftKey && active === lastNode) { event.preventDefault(); firstNode.focus(); }
      }
    });
  }

  function openClause(chat, citations, index, opener) {
    var viewer = chat.viewer;
    if (viewer.hidden) { chat.viewerOpener = opener || chat.viewerOpener; }
    viewer.textContent = "";
    viewer.hidden = false;
    Array.prototype.forEach.call(chat.panel.children, function (child) { if (child !== viewer) { child.inert = true; } });
    var bar = el("div", "ipr-viewer-bar");
    var heading = el("h2", "ipr-viewer-heading", "原文");
    heading.id = chat.viewerTitleId;
    bar.appendChild(heading);
    var close = button("ipr-close", "关闭", function () { closeViewer(chat); }, "关闭原文");
    bar.appendChild(close);
    viewer.appendChild(bar);
    if (citations.length > 1) {  // the answer cites several: switch between them here
      var tabs = el("div", "ipr-viewer-tabs");
      tabs.setAttribute("role", "group");
      tabs.setAttribute("aria-label", "本回答引用的条文");
      citations.forEach(function (c, i) {
        var tab = button("ipr-viewer-tab", c.title, function () { openClause(chat, citations, i); });
        if (i === index) { tab.setAttribute("aria-current", "true"); }
        tabs.appendChild(tab);
      });
      viewer.appendChild(tabs);
    }
    var body = el("div", "ipr-viewer-body", "正在加载…");
    viewer.appendChild(body);
    close.focus();
    var ref = citations[index].ref;
    fetch(IPR.config.gateway + "/api/clauses/" + ref.split("/").map(encodeURIComponent).join("/"))
      .then(function (r) { return r.json().then(function (data) { if (!r.ok) { throw new Error(data.error); } return data; }); })
      .then(function (c) {
        body.textContent = "";
        var label = c.label.indexOf(c.title) === -1 ? c.label + " " + c.title : c.label;
        body.appendChild(el("h3", "ipr-viewer-title", c.region + " " + label));
        body.appendChild(el("p", "ipr-viewer-doc", c.document.title + "（" + c.document.level + "，" + c.document.status + "，" + c.document.dated + "）"));
        body.appendChild(el("p", "ipr-viewer-text", c.text));
        if (c.agencies.length) {
          var byRole = {};
          var roles = [];
          c.agencies.forEach(function (a) {
            if (!byRole[a.role]) { byRole[a.role] = []; roles.push(a.role); }
            byRole[a.role].push(a.name);
          });
          body.appendChild(el("p", "ipr-viewer-agencies",
            roles.map(function (role) { return role + "：" + byRole[role].join("、"); }).join("；")));
        } else if (c.no_agency) {
          body.appendChild(el("p", "ipr-viewer-agencies", "原文未列明牵头或责任单位。"));
        }
        if (c.deadline) { body.appendChild(el("p", "ipr-viewer-deadline", "时限：" + c.deadline)); }
        body.appendChild(el("p", "ipr-viewer-citation", "出处：" + c.citation));
        if (c.history && c.history.length) {  // the plan was revised: each version and what changed into it
          body.appendChild(el("h4", "ipr-viewer-history-title", "本条的版本"));
          var versions = el("ul", "ipr-viewer-history");
          c.history.forEach(function (h) {
            var changes = h.changes && h.changes.length ? "：" + h.changes.join("；") : "";
            versions.appendChild(el("li", "", h.version + (h.in_force ? "（现行）" : "") + (h.ref ? "" : "（已删除）") + changes));
          });
          body.appendChild(versions);
        }
      })
      .catch(function (error) { body.textContent = (error && error.message) || "原文加载失败，请重试。"; });
  }

  IPR.viewer = { attach: attach, openClause: openClause };
})(IPR);
