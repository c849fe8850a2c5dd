/* welcome.js: the first screen, from /api/info — the greeting, region buttons, examples, the plans covered, the
 * office's hotline — and what the chat says when this site may not use the gateway. */
(function (IPR) {
  "use strict";
  var el = IPR.core.el, button = IPR.core.button, uid = IPR.core.uid;

  // A visible label, then a group of buttons named by it (role=group, aria-labelledby), both added to parent.
  function labelledGroup(parent, labelText, idPrefix, groupClass) {
    var label = el("p", "ipr-welcome-label", labelText);
    label.id = uid(idPrefix);
    parent.appendChild(label);
    var group = el("div", groupClass);
    group.setAttribute("role", "group");
    group.setAttribute("aria-labelledby", label.id);
    parent.appendChild(group);
    return group;
  }

  // The first screen: one sentence, where (region buttons), what (three examples), the plans behind a toggle.
  function welcome(chat, info) {
    var send = function (text) { IPR.dialog.send(chat, text); };
    var box = el("div", "ipr-msg ipr-bot ipr-welcome");
    box.appendChild(el("p", "ipr-text", "您好！告诉我您在哪个地区、遇到了什么知识产权问题，我会引用当地的保护方案回答，并注明出处和负责单位。"));
    var service = info.service || {};
    if (service.hotline || service.hours) {  // the office's own line, as set (never one of ours)
      box.appendChild(el("p", "ipr-text", "需要人工服务：" + [service.hotline ? "热线 " + service.hotline : "",
        service.hours ? "服务时间 " + service.hours : ""].filter(Boolean).join("，") + "。"));
    }
    var plans = info.plans || [];
    if (plans.length) {
      var regions = labelledGroup(box, "您在哪个地区？", "ipr-regions", "ipr-regions");
      plans.forEach(function (p) {
        regions.appendChild(button("ipr-chip ipr-region", p.region, function () { send(p.region); }));
      });
    }
    var examples = labelledGroup(box, "或者直接问，例如：", "ipr-examples", "ipr-chips");
    (info.examples || []).forEach(function (s) { examples.appendChild(button("ipr-chip", s, function () { send(s); })); });
    if (plans.length) {
      var coverage = el("details", "ipr-coverage");
      coverage.appendChild(el("summary", "", "覆盖范围（" + plans.length + "个地区的实施方案）"));
      var list = el("ul", "ipr-plans");
      plans.forEach(function (p) {
        list.appendChild(el("li", "", p.region + "：" + p.title + "（" + p.level + "，" + p.status + "，" + p.dated + "）"));
      });
      coverage.appendChild(list);
      box.appendChild(coverage);
    }
    if (info.privacy) { box.appendChild(el("p", "ipr-privacy", info.privacy)); }  // what is kept, how long (PIPL)
    chat.log.appendChild(box);
    serviceLine(chat, info.service || {});
  }

  // The office's hotline and hours (HOTLINE_NUMBER, SERVICE_HOURS) under the title, when the office set them.
  function serviceLine(chat, service) {
    if (!service.hotline && !service.hours) { return; }
    var line = el("p", "ipr-service");
    if (service.hotline) {
      line.appendChild(document.createTextNode("人工热线 "));
      var call = el("a", "ipr-tel", service.hotline);
      call.href = "tel:" + service.hotline.replace(/[^0-9+]/g, "");  // tappable on a phone
      line.appendChild(call);
    }
    if (service.hours) { line.appendChild(document.createTextNode((service.hotline ? " · " : "") + "服务时间 " + service.hours)); }
    chat.heading.appendChild(line);
  }

  // The chat's settings and first screen, then the conversation of this tab so far (a reload) and its pushed replies.
  function load(chat) {
    var gateway = IPR.config.gateway, renderEntry = IPR.render.renderEntry, state = chat.state;
    fetch(gateway + "/api/info").then(function (r) { return r.json(); }).then(function (info) {
      if (info.max_message_chars) {
        chat.maxChars = info.max_message_chars;
        chat.input.setAttribute("maxlength", String(chat.maxChars));
      }
      if (Array.isArray(info.feedback_reasons)) { chat.reasons = info.feedback_reasons; }
      if (chat.note && info.note) { chat.note.textContent = info.note; }
      welcome(chat, info);
      state.log.forEach(function (entry) { renderEntry(chat, entry); });
      if (state.log.length) { IPR.render.scrollToEnd(chat); } else { chat.log.scrollTop = 0; }  // a new chat starts at its greeting
      IPR.transport.listen(chat);  // a reloaded page of a conversation that has begun
    }).catch(function () {
      // The gateway unreachable, or reachable but not for this site (not in WIDGET_ORIGINS: the browser hides the
      // answer). A request that needs no permission tells them apart.
      fetch(gateway + "/api/info", { mode: "no-cors" }).then(function () {
        renderEntry(chat, { who: "system", text: "本网站暂未开通在线咨询，请通过网站上的其他方式联系我们。" });
        chat.input.disabled = true;
        chat.sendButton.disabled = true;
        if (window.console) {
          window.console.error("知识产权维权助手：网关未允许本网站（" + window.location.origin + "）使用聊天接口。" +
            "请把它加入网关的 WIDGET_ORIGINS 设置（逗号分隔的完整来源，如 https://www.example.gov.cn）。");
        }
      }, function () {
        renderEntry(chat, { who: "system", text: "暂时无法连接到助手，请检查网络后刷新页面。" });
        state.log.forEach(function (entry) { renderEntry(chat, entry); });
      });
    });
  }

  IPR.welcome = { load: load };
})(IPR);
