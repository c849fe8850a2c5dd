/* 待标注 (review inbox): real messages, masked, least confident first. Each card shows what the user wrote, what
   the assistant read (need, side, region, subject, confidence) and replied; the reviewer keeps or changes the labels
   and confirms (one click when the reading was right), marks the reply, masks a name they select in the text, or
   discards the message. Confirmed examples are listed below with 撤销. Text is set with textContent only. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var el = window.iprStaff.el;  // staff.js, loaded first
  var request = window.iprStaff.getJSON;
  var post = window.iprStaff.postJSON;
  var CHANNELS = { web: "网页", wechat: "公众号", wecom: "企业微信", dingtalk: "钉钉", feishu: "飞书" };
  var KINDS = { answer: "已回答", limit: "方案未涉及", clarify: "请用户选择", ask_region: "询问地区", not_covered: "地区未收录" };
  var page = 1;
  var labels = null;
  var say = function (text) { $("review-status").textContent = text; };

  function select(name, options, chosen, emptyLabel) {
    var box = el("select");
    box.name = name;
    if (emptyLabel !== null) { var none = el("option", null, emptyLabel); none.value = ""; box.appendChild(none); }
    options.forEach(function (o) {
      var option = el("option", null, o.label);
      option.value = o.id;
      option.selected = o.id === (chosen || "");
      box.appendChild(option);
    });
    return box;
  }
  function field(text, control) {
    var label = el("label", "field", text + " ");
    label.appendChild(control);
    return label;
  }

  function card(item) {
    var li = el("li");
    li.dataset.id = String(item.id);
    var text = el("p", "review-text", item.text);
    text.id = "review-text-" + item.id;
    li.appendChild(text);
    var low = item.confidence < 0.5;
    var meta = el("p", "meta", (CHANNELS[item.channel] || item.channel) + " · " + item.at + " · ");
    meta.appendChild(el("span", low ? "confidence-low" : null, "置信度 " + item.confidence.toFixed(2)));
    meta.appendChild(document.createTextNode(" · " + (KINDS[item.reply_kind] || item.reply_kind) +
      (item.negative_feedback ? " · 用户说“没用”" : "") + (item.reply_verdict ? " · 已标记：" + (item.reply_verdict === "good" ? "回答正确" : "回答有误") : "")));
    li.appendChild(meta);
    var reply = el("details");
    reply.appendChild(el("summary", null, "助手的回答"));
    reply.appendChild(el("p", "review-reply", item.reply_text));
    li.appendChild(reply);

    var form = el("div", "review-labels");
    var known = labels.intents.some(function (n) { return n.id === item.intent; });
    var controls = {
      intent: select("intent", labels.intents, item.intent, known ? null : "请选择（助手未读出需求）"),
      side: select("side", labels.sides, item.side, "未说明"),
      region: select("region", labels.regions.map(function (r) { return { id: r, label: r }; }), item.region, "未提到"),
      subject: select("subject", labels.subjects.map(function (s) { return { id: s.id, label: s.name }; }), item.subject, "无")
    };
    form.appendChild(field("需求", controls.intent));
    form.appendChild(field("提问方", controls.side));
    form.appendChild(field("地区", controls.region));
    form.appendChild(field("主题", controls.subject));
    li.appendChild(form);

    var actions = el("div", "review-actions");
    var confirm = el("button", "primary", "确认");
    confirm.type = "button";
    function edited() {
      return Object.keys(controls).some(function (k) { return (controls[k].value || "") !== (item[k] || ""); });
    }
    Object.keys(controls).forEach(function (k) {
      controls[k].setAttribute("aria-label", { intent: "需求", side: "提问方", region: "地区", subject: "主题" }[k] + "：" + item.text.slice(0, 20));
      controls[k].addEventListener("change", function () {
        var changed = edited();
        confirm.textContent = changed ? "保存更正" : "确认";
        confirm.classList.toggle("changed", changed);
      });
    });
    confirm.addEventListener("click", function () {
      var body = {};
      Object.keys(controls).forEach(function (k) { body[k] = controls[k].value || null; });
      act(item, "confirm", body, edited() ? "已更正并加入训练数据" : "已确认并加入训练数据");
    });
    actions.appendChild(confirm);
    [["good", "回答正确"], ["wrong", "回答有误"]].forEach(function (v) {
      var mark = el("button", null, v[1]);
      mark.type = "button";
      mark.setAttribute("aria-pressed", item.reply_verdict === v[0] ? "true" : "false");
      mark.addEventListener("click", function () { act(item, "reply", { verdict: v[0] }, "已标记：" + v[1], true); });
      actions.appendChild(mark);
    });
    var kind = select("kind", labels.markable, "name", null);
    kind.setAttribute("aria-label", "隐去的类别");
    var hide = el("button", null, "隐去所选文字");
    hide.type = "button";
    hide.addEventListener("click", function () {
      var chosen = String(window.getSelection ? window.getSelection() : "").trim();
      if (!chosen || item.text.indexOf(chosen) === -1) { say("请先在这条消息里选中要隐去的文字。"); return; }
      post("/staff/api/review/" + item.id + "/mask", { span: chosen, kind: kind.value }).then(function (data) {
        item.text = data.text; text.textContent = data.text; say("已隐去。");
      }).catch(function (error) { say(error.message); });
    });
    actions.appendChild(kind);
    actions.appendChild(hide);
    var discard = el("button", null, "丢弃");
    discard.type = "button";
    discard.addEventListener("click", function () { act(item, "discard", {}, "已丢弃"); });
    actions.appendChild(discard);
    li.appendChild(actions);
    return li;
  }

  function act(item, action, body, done, stay) {
    post("/staff/api/review/" + item.id + "/" + action, body).then(function () {
      say(done + "：" + item.text.slice(0, 30));
      if (stay) { load(); return; }
      load();
      loadExamples();
    }).catch(function (error) { say(error.message); });
  }

  function load() {
    var params = new URLSearchParams();
    new FormData($("review-filters")).forEach(function (value, key) { if (value) { params.set(key, String(value)); } });
    Array.prototype.forEach.call(document.querySelectorAll("#review-filters .toggle"), function (b) {
      if (b.getAttribute("aria-pressed") === "true") { params.set(b.dataset.filter, "1"); }
    });
    params.set("page", String(page));
    request("/staff/api/review?" + params.toString()).then(function (data) {
      labels = data.labels;
      var channel = $("review-filters").elements.namedItem("channel");
      if (channel.options.length === 1) {
        labels.channels.forEach(function (c) { var o = el("option", null, CHANNELS[c] || c); o.value = c; channel.appendChild(o); });
      }
      var list = $("review-list");
      list.textContent = "";
      $("review-count").textContent = "（" + data.total + "）";
      if (!data.items.length) { list.appendChild(el("li", "hint", "没有待标注的消息。")); }
      data.items.forEach(function (item) { list.appendChild(card(item)); });
      var pages = Math.max(1, Math.ceil(data.total / data.page_size));
      $("review-page").textContent = "第 " + page + " / " + pages + " 页";
      $("review-previous").disabled = page <= 1;
      $("review-next").disabled = page >= pages;
    }).catch(function (error) { say(error.message); });
  }

  function loadExamples() {
    request("/staff/api/reviewed").then(function (data) {
      var list = $("reviewed-list");
      list.textContent = "";
      $("reviewed-count").textContent = "（" + data.examples.length + "）";
      data.examples.forEach(function (e) {
        var li = el("li", null, e.text + " → " + e.intent_label + (e.side_label ? " · " + e.side_label : "") +
          (e.region ? " · " + e.region : "") + (e.corrected ? " · 已更正" : "") + " · " + e.added_by + " " + e.added_at + " ");
        var undo = el("button", null, "撤销");
        undo.type = "button";
        undo.setAttribute("aria-label", "撤销例句：" + e.text.slice(0, 20));
        undo.addEventListener("click", function () {
          post("/staff/api/reviewed/" + e.id + "/undo", {}).then(function () { say("已撤销：" + e.text.slice(0, 30)); load(); loadExamples(); })
            .catch(function (error) { say(error.message); });
        });
        li.appendChild(undo);
        list.appendChild(li);
      });
    }).catch(function () {});
  }

  /* ---- 重新训练: its state while it runs (polled), how the last ones ended; the button for admins ---- */
  var STATES = { running: "进行中", accepted: "已采用新模型", refused: "未采用（继续使用现用模型）", failed: "失败" };
  var polling = null;
  function loadRetrain() {
    request("/staff/api/retrain").then(function (data) {
      var s = data.status;
      $("retrain-start").hidden = !data.admin;
      $("retrain-start").disabled = !!(s && s.state === "running");
      $("retrain-state").textContent = s ? "（" + (STATES[s.state] || s.state) + "）" : "";
      $("retrain-status").textContent = s ? (STATES[s.state] || s.state) + (s.step ? " · " + s.step : "") +
        ((s.reasons && s.reasons.length) ? " · " + s.reasons.join("；") : "") : "尚未重新训练过。";
      var list = $("retrain-history");
      list.textContent = "";
      data.history.forEach(function (h) {
        list.appendChild(el("li", null, (h.date || h.finished_at || "") + " · " + (STATES[h.decision] || h.decision || "") +
          (h.reasons && h.reasons.length ? " · " + h.reasons.join("；") : "")));
      });
      clearTimeout(polling);
      if (s && s.state === "running") { polling = setTimeout(loadRetrain, 5000); }
    }).catch(function () {});
  }
  $("retrain-start").addEventListener("click", function () {
    if (!window.confirm("用已加入的例句重新训练并与现用模型比较？约需十分钟，期间服务不中断。")) { return; }
    post("/staff/api/retrain", {}).then(function () { say("重新训练已开始。"); loadRetrain(); })
      .catch(function (error) { say(error.message); });
  });

  Array.prototype.forEach.call(document.querySelectorAll("#review-filters .toggle"), function (b) {
    b.addEventListener("click", function () {
      b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true");
      page = 1; load();
    });
  });
  $("review-filters").addEventListener("submit", function (event) { event.preventDefault(); page = 1; load(); });
  $("review-previous").addEventListener("click", function () { page = Math.max(1, page - 1); load(); });
  $("review-next").addEventListener("click", function () { page += 1; load(); });
  load();
  loadExamples();
  loadRetrain();
})();
