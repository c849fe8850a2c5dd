/* Staff console for a call in progress: search the plans (focused on load and on "/"), copy an answer, work
   through the records (未处理 / 全部, paged), open a 转人工 case to read its transcript and contact, reply, note and
   close it, and review records whose cited clause changed. Text is set with textContent only. */
(function () {
  "use strict";
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      return r.json().then(function (body) { if (!r.ok) { throw new Error(body.error || r.status); } return body; });
    });
  }
  function postJSON(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "X-Requested-With": "ipr-staff", "Content-Type": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().then(function (data) { if (!r.ok) { throw new Error(data.error || r.status); } return data; });
    });
  }
  var $ = function (id) { return document.getElementById(id); };
  // The console's other parts (staff-review.js) use the same helpers: one way to build nodes and to call the API.
  window.iprStaff = { el: el, getJSON: getJSON, postJSON: postJSON };
  var status = $("status");
  var results = $("results");
  var query = $("q");
  var filled = false;
  var page = 1;
  var view = "open";
  var seenCase = null;
  var openCase = null;

  function fillFilters(data) {
    if (filled) { return; }
    filled = true;
    $("operator").textContent = "当前用户：" + data.operator;
    data.regions.forEach(function (r) { var o = el("option", null, r); o.value = r; $("region").appendChild(o); });
    Object.keys(data.topics).forEach(function (id) { var o = el("option", null, data.topics[id]); o.value = id; $("topic").appendChild(o); });
  }

  /* The matched sentence, highlighted; the full clause is folded below it. */
  function marked(sentence, text, marks) {
    var box = el("p", "quote");
    var shown = sentence || text.slice(0, 120);
    var words = (marks || []).filter(function (w) { return w; });
    if (!words.length) { box.appendChild(el("mark", null, shown)); return box; }
    var at = 0;
    while (at < shown.length) {  // the searched words marked where they stand, the rest as plain text
      var next = -1, word = "";
      words.forEach(function (w) {
        var i = shown.indexOf(w, at);
        if (i !== -1 && (next === -1 || i < next || (i === next && w.length > word.length))) { next = i; word = w; }
      });
      if (next === -1) { box.appendChild(document.createTextNode(shown.slice(at))); break; }
      if (next > at) { box.appendChild(document.createTextNode(shown.slice(at, next))); }
      box.appendChild(el("mark", null, word));
      at = next + word.length;
    }
    return box;
  }

  /* A step card (the chat's "custom.answer.card"): the steps numbered, each with its clause title and lead unit; a
     step the plan is silent on says so, muted. */
  function fillCard(box, card) {
    box.textContent = "";
    box.appendChild(el("p", "stepcard-name", card.name + "（共" + card.steps.length + "步）"));
    var list = el("ol", "steps");
    card.steps.forEach(function (s) {
      var item = el("li", s["do"] ? "step" : "step silent");
      if (typeof s.number === "number") { item.value = s.number; }
      if (!s["do"]) {
        item.appendChild(el("span", "step-label", s.label + "："));
        item.appendChild(document.createTextNode(s.silent || ""));
      } else {
        item.appendChild(document.createTextNode(s["do"]));
        var meta = el("span", "step-meta");
        if (s.title) { meta.appendChild(el("span", "tag step-title", s.title)); }
        (s.lead || []).forEach(function (name) { meta.appendChild(el("span", "lead", "牵头 " + name)); });
        item.appendChild(meta);
      }
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  /* The chat's own answer to the caller's question (the region chosen is the caller's), above the clauses. */
  var assistantText = "";
  function askAssistant(question, region) {
    var box = $("assistant");
    if (!question.trim()) { box.hidden = true; return; }
    box.hidden = false;
    box.classList.remove("open");
    $("assistant-more").setAttribute("aria-expanded", "false");
    $("assistant-more").textContent = "展开";
    $("assistant-text").textContent = "助手正在回答…";
    $("assistant-card").hidden = true;
    box.classList.remove("has-card");
    $("assistant-copy").disabled = true;
    var params = new URLSearchParams({ q: question, region: region });
    getJSON("/staff/api/answer?" + params.toString()).then(function (data) {
      if ($("q").value !== question) { return; }  // a newer question was asked meanwhile
      assistantText = data.text + (data.options.length ? "\n\n可请来电人选择：" + data.options.join("；") : "");
      $("assistant-text").textContent = assistantText;
      if (data.card) {  // 展开 shows the steps; 复制 still copies the whole answer as the chat says it
        fillCard($("assistant-card"), data.card);
        $("assistant-card").hidden = false;
        box.classList.add("has-card");
      }
      $("assistant-copy").disabled = false;
    }).catch(function (error) { $("assistant-text").textContent = error.message; });
  }
  $("assistant-more").addEventListener("click", function () {
    var open = $("assistant").classList.toggle("open");
    $("assistant-more").setAttribute("aria-expanded", String(open));
    $("assistant-more").textContent = open ? "收起" : "展开";
  });
  $("assistant-copy").addEventListener("click", function () {
    var button = $("assistant-copy");
    navigator.clipboard.writeText(assistantText).then(function () { button.textContent = "已复制"; });
  });

  function search(event) {
    if (event) { event.preventDefault(); }
    var params = new URLSearchParams(new FormData($("search")));
    askAssistant(params.get("q") || "", params.get("region") || "");
    $("assistant-copy").textContent = "复制";
    status.textContent = "查询中…";
    getJSON("/staff/api/search?" + params.toString()).then(function (data) {
      fillFilters(data);
      results.textContent = "";
      status.textContent = data.results.length ? "共 " + data.results.length + " 条" : "没有找到相关条款。";
      data.results.forEach(function (r) {
        var box = el("li", "result");
        // The title and the matched sentence with its lead unit, the two buttons beside them: five and more results
        // fit a 1280×800 screen during a call.
        box.appendChild(el("h3", null, r.region + " " + r.label));
        var head = el("div", "result-actions");
        var full = el("div", "full");
        full.id = "full-" + r.ref.replace(/[^A-Za-z0-9_-]/g, "-");
        full.hidden = true;
        full.appendChild(el("div", "text", r.text));
        if (r.agencies.length) {
          full.appendChild(el("div", null, r.agencies.map(function (a) { return a.role + "：" + a.name; }).join("；")));
        }
        full.appendChild(el("div", "answer", r.answer));
        var toggle = el("button", "more", "全文与答复");
        toggle.type = "button";
        toggle.setAttribute("aria-expanded", "false");
        toggle.setAttribute("aria-controls", full.id);
        toggle.addEventListener("click", function () {
          full.hidden = !full.hidden;
          toggle.setAttribute("aria-expanded", String(!full.hidden));
        });
        head.appendChild(toggle);
        var copy = el("button", null, "复制答复");
        copy.type = "button";
        copy.setAttribute("aria-label", "复制答复：" + r.region + " " + r.label);
        copy.addEventListener("click", function () {
          navigator.clipboard.writeText(r.answer).then(function () { copy.textContent = "已复制"; });
        });
        head.appendChild(copy);
        var quote = marked(r.quote, r.text, r.marks);
        (r.lead || []).forEach(function (name) { quote.appendChild(el("span", "lead", "牵头 " + name)); });
        if (!(r.lead || []).length && !r.agencies.length) { quote.appendChild(el("span", "tag", "未列明单位")); }
        if (r.deadline) { quote.appendChild(el("span", "tag", "时限：" + r.deadline)); }
        box.appendChild(quote);
        box.appendChild(head);
        box.appendChild(full);
        results.appendChild(box);
      });
    }).catch(function (error) { status.textContent = error.message; });
  }

  var CHANNELS = { web: "网页", rest: "网页", wechat: "公众号", wecom: "企业微信", dingtalk: "钉钉", feishu: "飞书" };
  function channelName(channel) {
    return Object.prototype.hasOwnProperty.call(CHANNELS, channel) ? CHANNELS[channel] : (channel || "未知渠道");
  }
  function describe(record) {
    if (record.kind === "cases") {
      var about = (record.regions && record.regions.length ? record.regions.join("、") : "未知地区") + "，" +
        (record.topics && record.topics.length ? record.topics.join("、") : "未知主题") + "，来自" + channelName(record.channel);
      var contact = record.contact ? "\n联系方式：" + record.contact_kind + " " + record.contact : "\n未留联系方式";
      var reply = record.reply ? "\n已答复：" + record.reply : "";
      return "（" + about + "）" + contact + reply + "\n" + (record.messages || []).slice(-3).join("\n") + "\n";
    }
    if (record.kind === "unanswered") {
      var suggested = record.suggested_titles || record.suggested || [];
      return record.text + (suggested.length ? "\n建议条款：" + suggested.join("、") : "");
    }
    var cited = record.cited || record.refs || [];
    return "问题：" + record.text + (cited.length ? "\n所评回答引用：" + cited.join("、") : "") +
      (record.reason ? "\n原因：" + record.reason : "");
  }

  function setView(name) {
    view = name; page = 1;
    $("view-open").setAttribute("aria-pressed", String(name === "open"));
    $("view-all").setAttribute("aria-pressed", String(name === "all"));
    loadRecords();
  }

  function loadRecords() {
    getJSON("/staff/api/records?view=" + view + "&page=" + page).then(function (data) {
      var more = false;
      $("page").textContent = "第 " + data.page + " 页";
      ["cases", "unanswered", "feedback"].forEach(function (kind) {
        var list = $(kind);
        var counts = data.counts[kind];
        $(kind + "-count").textContent = "（待处理 " + counts.open + " / 共 " + counts.total + "）";
        var listed = view === "open" ? counts.open : counts.total;
        more = more || listed > data.page * data.page_size;
        list.textContent = "";
        if (!data[kind].length) { list.appendChild(el("li", "hint", view === "open" ? "没有待处理的记录。" : "没有记录。")); }
        data[kind].forEach(function (record) {
          var item = el("li", record.handled ? "handled" : "");
          if (record.kind === "cases") {  /* number and what it is about on one line; the time below */
            item.appendChild(el("span", "case-number", record.case_number));
            item.appendChild(document.createTextNode(describe(record) + "\n" + record.created_label));
          } else {
            item.appendChild(document.createTextNode(record.created_label + "\n" + describe(record)));
          }
          if (record.handled) { item.appendChild(el("span", "tag", record.handled_by ? record.handled_by + " 已处理" : "已处理")); }
          item.appendChild(document.createTextNode("\n"));
          if (kind === "cases") {
            var open = el("button", null, "打开");
            open.type = "button";
            open.setAttribute("aria-label", "打开案件 " + record.case_number);
            open.addEventListener("click", function () { showCase(record.id); });
            item.appendChild(open);
            item.appendChild(document.createTextNode(" "));
          }
          if (!record.handled) {
            var done = el("button", null, kind === "cases" ? "办结" : "标记已处理");
            done.type = "button";
            done.addEventListener("click", function () {
              fetch("/staff/api/records/" + kind + "/" + record.id + "/handled",
                    { method: "POST", credentials: "same-origin", headers: { "X-Requested-With": "ipr-staff" } })
                .then(function (r) { if (r.ok) { item.className = "handled"; done.remove(); } });
            });
            item.appendChild(done);
          }
          list.appendChild(item);
        });
      });
      $("previous").disabled = data.page <= 1;
      $("next").disabled = !more;
    }).catch(function (error) { status.textContent = error.message; });
  }

  /* The question a case is about: the user's last message before the one that asked for a person (the receipt
     names the case number), not a payload and not a region given as the answer to "请问您在哪个地区？". */
  function caseQuestion(c) {
    var turns = c.transcript || [];
    var receipt = -1;
    turns.forEach(function (t, i) { if (receipt === -1 && t.who !== "user" && t.text.indexOf(c.case_number) !== -1) { receipt = i; } });
    var asked = turns.slice(0, receipt === -1 ? turns.length : receipt).filter(function (t) { return t.who === "user"; });
    if (receipt !== -1) { asked = asked.slice(0, -1); }  // the request for a person itself
    var regions = consoleRegions();
    asked = asked.filter(function (t) {
      var text = (t.text || "").trim();
      return text && text.charAt(0) !== "/" && !regions.some(function (r) { return r.indexOf(text) === 0; });
    });
    return asked.length ? asked[asked.length - 1].text.trim() : "";
  }
  function consoleRegions() {
    return Array.prototype.map.call($("region").options, function (o) { return o.value; }).filter(Boolean);
  }

  /* 步骤卡: the chat's step card for the case's question (asked as the caller would, after the case's region). */
  function showCaseCard(c) {
    var section = $("case-card");
    var question = caseQuestion(c);
    $("case-card-steps").textContent = "";
    section.hidden = !question;
    if (!question) { return; }
    var region = consoleRegions().indexOf(c.region || "") !== -1 ? c.region : "";
    var asked = "用户的问题「" + question + "」" + (region ? "（" + region + "）" : "");
    $("case-card-status").textContent = "正在查询" + asked + "的步骤卡…";
    getJSON("/staff/api/answer?" + new URLSearchParams({ q: question, region: region }).toString()).then(function (data) {
      if (!openCase || openCase.id !== c.id) { return; }  // another case was opened meanwhile
      if (!data.card) { section.hidden = true; return; }
      $("case-card-status").textContent = "按" + asked + "，助手给出的步骤：";
      fillCard($("case-card-steps"), data.card);
    }).catch(function () { section.hidden = true; });
  }

  function showCase(id) {
    getJSON("/staff/api/cases/" + id).then(function (c) {
      var again = openCase && openCase.id === c.id;  // redrawn after a reply or a note: the card is there already
      openCase = c;
      $("case").hidden = false;
      $("case-title").textContent = "案件 " + c.case_number + (c.handled ? "（已办结）" : "");
      $("case-meta").textContent = "登记于 " + c.created_at + "；来自" + channelName(c.channel) + "；地区：" +
        (c.regions.join("、") || "未提及") + "；主题：" + (c.topics.join("、") || "未提及") + "；联系方式：" +
        (c.contact ? c.contact_kind + " " + c.contact : "未留");
      $("case-delivery").textContent = c.delivery || "";
      var transcript = $("case-transcript");
      transcript.textContent = "";
      c.transcript.forEach(function (turn) {
        var line = el("li", turn.who);
        line.appendChild(el("span", "who", turn.who === "user" ? "用户" : "助手"));
        line.appendChild(document.createTextNode(turn.text));
        transcript.appendChild(line);
      });
      $("case-citations").textContent = c.citations.length ? "引用条款：" + c.citations.map(function (x) { return x.title; }).join("、") : "";
      if (!again) { showCaseCard(c); }
      $("reply-text").value = "";  // the sent reply is in the history; the box is for the next one
      var notes = $("case-notes");
      notes.textContent = "";
      c.notes.forEach(function (n) { notes.appendChild(el("li", null, n.at + " " + n.by + "：" + n.text)); });
      var history = $("case-history");
      history.textContent = "";
      c.history.forEach(function (h) {
        history.appendChild(el("li", null, h.at + " " + h.by + " " + h.action + (h.text ? "：" + h.text : "")));
      });
      $("case-close").textContent = c.handled ? "重新打开" : "办结";
      $("case-status").textContent = "";
      $("case-title").focus();
    }).catch(function (error) { status.textContent = error.message; });
  }

  function change(action, text) {
    if (!openCase) { return; }
    var id = openCase.id;
    postJSON("/staff/api/cases/" + id + "/" + action, { text: text }).then(function () {
      if (action === "reply") { $("reply-text").value = ""; }
      showCase(id);
      loadRecords();
      $("case-status").textContent = { reply: "答复已保存。", note: "备注已添加。", close: "案件已办结。", reopen: "案件已重新打开。" }[action];
    }).catch(function (error) { $("case-status").textContent = error.message; });
  }

  function loadFlagged() {
    getJSON("/staff/api/flagged").then(function (data) {
      var list = $("flagged");
      list.textContent = "";
      if (!data.records.length) { list.appendChild(el("li", "hint", "没有引用了已变化条款的记录。")); }
      data.records.forEach(function (r) {
        var item = el("li");
        item.appendChild(el("strong", null, r.kind_name + " " + r.created_at));
        item.appendChild(document.createTextNode(" " + r.label));
        r.clauses.forEach(function (c) {
          item.appendChild(el("p", "meta", c.then_title + (c.removed ? "：已删除" : "：" + (c.changes.join("；") || "有变化"))));
          var sides = el("div", "sides");
          var before = el("div"); before.appendChild(el("strong", null, "当时 " + c.then_title + "\n")); before.appendChild(document.createTextNode(c.then_text));
          var after = el("div"); after.appendChild(el("strong", null, "现行\n"));
          after.appendChild(document.createTextNode(c.now.length ? c.now.map(function (n) { return n.title + "\n" + n.text; }).join("\n\n") : "（该条已删除）"));
          sides.appendChild(before); sides.appendChild(after);
          item.appendChild(sides);
        });
        list.appendChild(item);
      });
    }).catch(function () {});
  }

  var baseTitle = document.title;
  function showNewCases(data) {
    if (seenCase === null) { seenCase = data.newest; return; }
    var fresh = data.newest - seenCase;
    var badge = $("badge");
    var was = badge.hidden ? 0 : Number(badge.getAttribute("data-count") || 0);
    badge.hidden = fresh <= 0;
    badge.setAttribute("data-count", String(Math.max(0, fresh)));
    badge.textContent = fresh > 0 ? "新案件 " + fresh + "（点此刷新）" : "";
    document.title = (fresh > 0 ? "（" + fresh + "）新案件 · " : "") + baseTitle;  // seen from another tab
    if (fresh > was && $("sound").getAttribute("aria-pressed") === "true") { chime(); }
  }

  function chime() {  // a short tone; browsers allow it once the operator has clicked the page (the toggle)
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      var audio = new Context();
      var tone = audio.createOscillator();
      var volume = audio.createGain();
      tone.frequency.value = 880;
      volume.gain.value = 0.08;
      tone.connect(volume); volume.connect(audio.destination);
      tone.start(); tone.stop(audio.currentTime + 0.25);
    } catch (ignored) { /* no audio here: the badge and the title still say it */ }
  }

  function poll() {
    getJSON("/staff/api/cases/latest").then(showNewCases).catch(function () {});
  }

  // New cases are pushed (server-sent events, within seconds); where that is not possible, polled every 15 s.
  var polling = null;
  function listen() {
    if (!window.EventSource) { polling = polling || window.setInterval(poll, 15000); return; }
    var events = new EventSource("/staff/api/cases/events");
    events.addEventListener("cases", function (event) {
      try { showNewCases(JSON.parse(event.data)); } catch (ignored) { /* a malformed event changes nothing */ }
    });
    events.addEventListener("error", function () {
      if (events.readyState === 2) { polling = polling || window.setInterval(poll, 15000); }  // e.g. logged out
    });
  }

  function setSound(on) {
    $("sound").setAttribute("aria-pressed", on ? "true" : "false");
    $("sound").textContent = "提示音：" + (on ? "开" : "关");
  }
  try { setSound(localStorage.getItem("ipr-staff-sound") === "1"); } catch (ignored) { /* no storage */ }
  $("sound").addEventListener("click", function () {
    var on = $("sound").getAttribute("aria-pressed") !== "true";
    setSound(on);
    try { localStorage.setItem("ipr-staff-sound", on ? "1" : "0"); } catch (ignored) { /* no storage */ }
  });

  /* ---- 服务目录 ---- */
  function loadDirectory() {
    getJSON("/staff/api/directory").then(function (data) {
      var select = $("directory-plan");
      if (!select.options.length) {
        data.plans.forEach(function (p) { var o = el("option", null, p.region); o.value = p.plan; select.appendChild(o); });
      }
      var names = {};
      data.plans.forEach(function (p) { names[p.plan] = p.region; });
      var list = $("directory-list");
      list.textContent = "";
      if (!data.contacts.length) { list.appendChild(el("li", "hint", "尚未登记联系方式。")); }
      data.contacts.forEach(function (c) {
        var parts = [["电话", c.phone], ["办公时间", c.hours], ["地址", c.address], ["网址", c.website]]
          .filter(function (p) { return p[1]; }).map(function (p) { return p[0] + " " + p[1]; });
        var item = el("li", null, (names[c.plan] || c.plan) + " · " + c.agency + "：" + parts.join("；") + " ");
        var remove = el("button", null, "删除");
        remove.type = "button";
        remove.setAttribute("aria-label", "删除 " + c.agency + " 的联系方式");
        remove.addEventListener("click", function () {
          if (!window.confirm("删除" + c.agency + "的联系方式？")) { return; }
          postJSON("/staff/api/directory/" + c.id + "/delete", {}).then(loadDirectory)
            .catch(function (error) { $("directory-status").textContent = error.message; });
        });
        item.appendChild(remove);
        list.appendChild(item);
      });
    }).catch(function () {});
  }
  $("directory-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var body = {};
    new FormData($("directory-form")).forEach(function (value, key) { body[key] = String(value); });
    postJSON("/staff/api/directory", body).then(function () {
      $("directory-status").textContent = "已保存：" + body.agency;
      $("directory-form").reset();
      loadDirectory();
    }).catch(function (error) { $("directory-status").textContent = error.message; });
  });

  $("search").addEventListener("submit", search);
  $("refresh").addEventListener("click", loadRecords);
  $("view-open").addEventListener("click", function () { setView("open"); });
  $("view-all").addEventListener("click", function () { setView("all"); });
  $("previous").addEventListener("click", function () { page = Math.max(1, page - 1); loadRecords(); });
  $("next").addEventListener("click", function () { page += 1; loadRecords(); });
  $("badge").addEventListener("click", function () {
    seenCase = null; $("badge").hidden = true; document.title = baseTitle; poll(); setView("open");
  });
  $("case-reply").addEventListener("submit", function (e) { e.preventDefault(); change("reply", $("reply-text").value); });
  $("case-note").addEventListener("submit", function (e) { e.preventDefault(); change("note", $("note-text").value); $("note-text").value = ""; });
  $("case-close").addEventListener("click", function () {
    if (!openCase) { return; }
    if (openCase.handled) { change("reopen"); return; }
    if (!openCase.reply && !window.confirm("该案件还没有答复用户，确定办结吗？")) { return; }
    change("close");
  });
  $("case-back").addEventListener("click", function () { $("case").hidden = true; $("cases").focus(); });
  document.addEventListener("keydown", function (e) {
    var tag = (e.target && e.target.tagName) || "";
    if (e.key === "/" && !/^(INPUT|TEXTAREA|SELECT)$/.test(tag) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault(); query.focus(); query.select();
    }
  });
  query.focus();
  getJSON("/staff/api/search?region=" + encodeURIComponent("贵州")).then(fillFilters).catch(function () {});
  loadRecords();
  loadFlagged();
  loadDirectory();
  listen();
})();
