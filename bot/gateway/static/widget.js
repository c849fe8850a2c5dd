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
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var gateway = (script.getAttribute("data-gateway") || new URL(script.src, location.href).origin).replace(/\/$/, "");
  var mode = script.getAttribute("data-mode") || "floating";
  var title = script.getAttribute("data-title") || "知识产权维权助手";
  var subtitle = script.getAttribute("data-subtitle") || "";
  var logo = script.getAttribute("data-logo") || "";
  var color = script.getAttribute("data-color") || "#1a5fb4";
  var MAX_UNITS = 3;  // more responsible units than this read as "等N个单位" (expandable)
  var PHONE_STEPS = 3;  // a step card shows this many steps before "展开全部N步" at ≤ 480 px (chat.css)
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

  function createChat(root, options) {
    var state = loadState();
    var maxChars = 500;
    var busy = false;
    var queue = [];          // messages typed while an answer loads: shown at once, sent in order
    var liveReplies = [];    // quick-reply groups that can still be chosen
    var viewerOpener = null;
    var lastReplyStart = null;  // the first bubble of the latest reply (shown from its start on reopening)

    var panel = el("section", "ipr-panel");
    var titleId = uid("ipr-title");
    panel.setAttribute("aria-labelledby", titleId);
    var header = el("header", "ipr-header");
    if (options.logo) {
      var img = el("img", "ipr-logo");
      img.src = options.logo;
      img.alt = "";
      header.appendChild(img);
    }
    var heading = el("div", "ipr-heading");
    var titleNode = el(options.headingLevel || "h2", "ipr-title", options.title);
    titleNode.id = titleId;
    heading.appendChild(titleNode);
    if (options.subtitle) { heading.appendChild(el("p", "ipr-subtitle", options.subtitle)); }
    header.appendChild(heading);
    (options.headerButtons || []).forEach(function (b) { header.appendChild(b); });
    panel.appendChild(header);
    var log = el("div", "ipr-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", "对话记录");
    log.tabIndex = 0;  // scrollable: reachable by keyboard
    panel.appendChild(log);
    var typingBox = el("div", "ipr-typing");
    typingBox.setAttribute("role", "status");
    typingBox.hidden = true;
    var dots = el("span", "ipr-dots");
    dots.setAttribute("aria-hidden", "true");
    dots.appendChild(el("span", "ipr-dot"));
    dots.appendChild(el("span", "ipr-dot"));
    dots.appendChild(el("span", "ipr-dot"));
    typingBox.appendChild(dots);
    var typingText = el("span", "ipr-sr-only", "");
    typingBox.appendChild(typingText);
    panel.appendChild(typingBox);
    var form = el("form", "ipr-form");
    var inputId = uid("ipr-input");
    var inputLabel = el("label", "ipr-sr-only", "输入您的问题");
    inputLabel.htmlFor = inputId;
    var input = el("textarea", "ipr-input");
    input.id = inputId;
    input.setAttribute("rows", "2");
    input.setAttribute("maxlength", String(maxChars));
    input.setAttribute("placeholder", "请描述您遇到的知识产权问题…");
    var counter = el("span", "ipr-counter", "0/" + maxChars);
    counter.setAttribute("aria-hidden", "true");
    var sendButton = el("button", "ipr-send", "发送");
    sendButton.type = "submit";
    form.appendChild(inputLabel);
    form.appendChild(input);
    form.appendChild(counter);
    form.appendChild(sendButton);
    panel.appendChild(form);
    var note = options.note ? panel.appendChild(el("p", "ipr-note", "")) : null;  // the disclaimer, from /api/info
    var viewer = el("div", "ipr-viewer");
    var viewerTitleId = uid("ipr-viewer-title");
    viewer.setAttribute("role", "dialog");
    viewer.setAttribute("aria-modal", "true");
    viewer.setAttribute("aria-labelledby", viewerTitleId);
    viewer.hidden = true;
    panel.appendChild(viewer);
    root.appendChild(panel);

    function save() {
      try { sessionStorage.setItem(STORE, JSON.stringify(state)); } catch (ignored) { /* storage full or off */ }
    }

    function scrollToEnd() { log.scrollTop = log.scrollHeight; }
    // A new answer is read from its first line: scroll its start to the top of the log, not to the bottom.
    function scrollToStart(node) { log.scrollTop = Math.max(0, node.offsetTop - 8); }

    /* ---- rendering ---- */

    function citationsButton(citations) {
      return button("ipr-citation", "查看原文", function (event) { openClause(citations, 0, event.currentTarget); });
    }

    // Quick replies: once one is chosen (or the user has typed on) the group collapses to the choice.
    function replyGroup(entry, buttons, className, label) {
      var group = el("div", className);
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", label);
      if (entry.spent) {
        if (entry.chosen && buttons.some(function (b) { return b.title === entry.chosen; })) {
          group.appendChild(el("span", "ipr-chosen", "已选择：" + entry.chosen));
          return group;
        }
        return null;
      }
      var record = { entry: entry, group: group };
      buttons.forEach(function (b) {
        group.appendChild(button("ipr-quick-reply", b.title, function () {
          spend(record, b.title);
          send(b.payload, b.title);
        }));
      });
      liveReplies.push(record);
      return group;
    }

    function spend(record, chosen) {
      record.entry.spent = true;
      if (chosen) { record.entry.chosen = chosen; }
      record.group.textContent = "";
      if (chosen) { record.group.appendChild(el("span", "ipr-chosen", "已选择：" + chosen)); } else { record.group.remove(); }
      liveReplies = liveReplies.filter(function (r) { return r !== record; });
      save();
    }

    function spendAll() { liveReplies.slice().forEach(function (r) { spend(r, null); }); }

    function cardOf(entry) {
      var card = entry.answer && entry.answer.card;
      return card && Array.isArray(card.steps) && card.steps.length ? card : null;
    }

    // The ref a "/show_clause{"ref": "guizhou/1"}" button opens ("" for any other button).
    function clauseRef(b) {
      var found = /^\/show_clause(\{.*\})$/.exec(b.payload || "");
      if (!found) { return ""; }
      try { return String(JSON.parse(found[1]).ref || ""); } catch (ignored) { return ""; }
    }

    // The page opens the clause viewer itself, so the reply's own "查看原文" button is not shown twice; on a step
    // card each step has its clause chip, so its "第N步原文" buttons are not shown either.
    function ownButtons(entry) {
      var hasCitations = entry.citations && entry.citations.length;
      var card = cardOf(entry);
      var onCard = card ? card.steps.map(function (s) { return s.ref; }).filter(Boolean) : [];
      var seen = {};
      return (entry.buttons || []).filter(function (b) {
        var key = b.title + "\u0000" + b.payload;  // a button twice in one reply (转人工) is shown once
        if (seen[key]) { return false; }
        seen[key] = true;
        return !(hasCitations && b.title === "查看原文") && onCard.indexOf(clauseRef(b)) === -1;
      });
    }

    function appendActions(bubble, entry) {
      var actions = el("div", "ipr-actions");
      if (entry.citations && entry.citations.length && !cardOf(entry)) { actions.appendChild(citationsButton(entry.citations)); }
      var buttons = ownButtons(entry);
      var group = buttons.length ? replyGroup(entry, buttons, "ipr-quick", "可选回复") : null;
      if (group) { actions.appendChild(group); }
      if (actions.childNodes.length) { bubble.appendChild(actions); }
      if (entry.feedback && entry.feedback.length) { bubble.appendChild(feedbackBar(entry)); }
    }

    // 有用 / 没用 on the answer itself: two small buttons, sent without a chat bubble of their own; the bar then
    // says what was given. A 没用 gets the assistant's offer of a person (its reply shows as usual).
    // After 没用, one optional question with fixed choices (nothing typed is stored): "哪里没帮上？"
    function reasonChoices(entry, bar) {
      var choices = el("div", "ipr-reasons");
      choices.setAttribute("role", "group");
      choices.setAttribute("aria-label", "哪里没帮上？（可选）");
      choices.appendChild(el("span", "ipr-feedback-label", "哪里没帮上？（可选）"));
      reasons.forEach(function (r) {
        choices.appendChild(button("ipr-rate", r.title, function () {
          entry.reason = r.title;
          save();
          bar.replaceWith(feedbackBar(entry));
          postReason(r.id, 0);
        }));
      });
      bar.appendChild(choices);
    }

    function postReason(reason, attempt) {
      fetch(gateway + "/api/feedback-reason", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: state.sender, reason: reason })
      }).then(function (response) {
        // the 没用 itself may still be on its way: once more a moment later
        if (response.status === 404 && attempt < 2) { setTimeout(function () { postReason(reason, attempt + 1); }, 1500); }
      }).catch(function () { /* optional: a lost reason costs the user nothing */ });
    }

    function feedbackBar(entry) {
      var bar = el("div", "ipr-feedback");
      bar.setAttribute("role", "group");
      bar.setAttribute("aria-label", "这条回答有帮助吗？");
      if (entry.rated) {
        bar.appendChild(el("span", "ipr-rated", "已反馈：" + entry.rated + (entry.reason ? "（" + entry.reason + "）" : "") + "，谢谢"));
        if (entry.rated === "没用" && !entry.reason && !entry.reasonSkipped && reasons.length) {
          reasonChoices(entry, bar);
        }
        return bar;
      }
      bar.appendChild(el("span", "ipr-feedback-label", "有帮助吗？"));
      entry.feedback.forEach(function (b) {
        var icon = b.title === "有用" ? "👍" : b.title === "没用" ? "👎" : "";
        var rate = button("ipr-rate", icon ? icon + " " + b.title : b.title, function () {
          entry.rated = b.title;
          save();
          bar.replaceWith(feedbackBar(entry));
          send(b.payload, null, false, true);
        });
        bar.appendChild(rate);
      });
      return bar;
    }

    function unitsLine(label, names) {
      var line = el("p", "ipr-units");
      line.appendChild(el("span", "ipr-units-label", label + "："));
      var shown = el("span", "ipr-units-names", names.slice(0, MAX_UNITS).join("、"));
      line.appendChild(shown);
      if (names.length > MAX_UNITS) {
        var more = button("ipr-more", "等" + names.length + "个单位", function () {
          shown.textContent = names.join("、");
          more.remove();
        });
        line.appendChild(more);
      }
      return line;
    }

    function basisSummary(answer) {
      // A note that ends in "：" introduces the quotes ("方案里能为您的情况提供帮助的措施，例如云南省 第15条："):
      // it labels the fold. Otherwise the fold is "依据" with the short citations.
      var intro = (answer.notes || []).filter(function (n) { return /：$/.test(n); })[0];
      if (intro) { return intro.replace(/：$/, ""); }
      var titles = answer.basis.map(function (b) { return b.title; });
      return "依据：" + (titles.length > 2 ? titles.slice(0, 2).join("、") + "等" + titles.length + "处" : titles.join("、"));
    }

    // A written step: what to do, then a chip with its clause (opens the viewer on it) and the unit that leads it.
    // A step the plan is silent on: its label and what the plan does not say.
    function stepItem(entry, step, index) {
      var item = el("li", "ipr-step");
      if (typeof step.number === "number") { item.value = step.number; }
      if (index >= PHONE_STEPS) { item.classList.add("ipr-step-beyond"); }
      if (!step["do"]) {
        item.classList.add("ipr-step-silent");
        item.appendChild(el("p", "ipr-step-label", step.label || ""));
        item.appendChild(el("p", "ipr-step-silent-text", step.silent || ""));
        return item;
      }
      item.appendChild(el("p", "ipr-step-do", String(step["do"])));
      var meta = el("div", "ipr-step-meta");
      if (step.ref) {
        var citations = entry.citations || [];
        var at = -1;
        citations.forEach(function (c, i) { if (at === -1 && c.ref === step.ref) { at = i; } });
        var chip = button("ipr-step-cite", null, function (event) {
          if (at === -1) { openClause([{ ref: step.ref, title: step.title }], 0, event.currentTarget); } else { openClause(citations, at, event.currentTarget); }
        }, (step.title || step.ref) + " 原文");
        chip.appendChild(el("span", "ipr-step-cite-text", step.title || step.ref));
        meta.appendChild(chip);
      }
      var leads = step.lead || [];
      if (leads.length) {
        var lead = el("p", "ipr-units ipr-step-units");
        lead.appendChild(el("span", "ipr-units-label", "牵头单位："));
        lead.appendChild(el("strong", "ipr-unit", leads.join("、")));
        meta.appendChild(lead);
      } else if ((step.responsible || []).length) {
        var line = unitsLine("责任单位", step.responsible);
        line.classList.add("ipr-step-units");
        meta.appendChild(line);
      } else {  // the plan names no unit for this clause: said, as the chat text says it
        meta.appendChild(el("p", "ipr-units ipr-step-units", "未列明负责单位"));
      }
      item.appendChild(meta);
      return item;
    }

    // The card's steps in order; on a phone the first PHONE_STEPS, then "展开全部N步" (chat.css hides the rest).
    function stepCard(entry, card) {
      var box = el("div", "ipr-card");
      var list = el("ol", "ipr-steps");
      list.id = uid("ipr-steps");
      list.setAttribute("aria-label", (card.name ? card.name + "：" : "") + "共" + card.steps.length + "步");
      card.steps.forEach(function (s, i) { list.appendChild(stepItem(entry, s, i)); });
      box.appendChild(list);
      if (card.steps.length > PHONE_STEPS) {
        var toggle = button("ipr-steps-more", "", null);
        var show = function () {
          list.classList.toggle("ipr-folded", !entry.stepsOpen);
          toggle.setAttribute("aria-expanded", entry.stepsOpen ? "true" : "false");
          toggle.textContent = entry.stepsOpen ? "收起" : "展开全部" + card.steps.length + "步";
        };
        toggle.setAttribute("aria-controls", list.id);
        toggle.addEventListener("click", function () {
          entry.stepsOpen = !entry.stepsOpen;
          save();
          show();
        });
        show();
        box.appendChild(toggle);
      }
      return box;
    }

    function renderAnswer(entry) {
      var answer = entry.answer;
      var card = cardOf(entry);
      var bubble = el("article", "ipr-msg ipr-bot ipr-answer" + (card ? " ipr-card-answer" : ""));
      bubble.setAttribute("aria-label", "回答");
      // One clause per verdict: the verdict, its lead unit and its chip all come from the first clause cited.
      var leads = ((answer.basis || [])[0] || {}).lead || [];
      var body = el("div", "ipr-text");
      body.appendChild(emphasise(el("p", "ipr-verdict"), answer.verdict || entry.text || "", leads));
      (answer.notes || []).forEach(function (n) { if (!/：$/.test(n)) { body.appendChild(el("p", "ipr-note-line", n)); } });
      if (card) {
        // The steps carry their clauses and units, so there is no basis to fold. The card's next step is its first
        // line; the lines after it are how to reach the lead units (the service directory's contacts). The
        // disclaimer is said once, under the input (widget) or in the footer (page).
        body.appendChild(stepCard(entry, card));
        var units = [];
        card.steps.forEach(function (s) { (s.lead || []).forEach(function (n) { if (units.indexOf(n) === -1) { units.push(n); } }); });
        (answer.next_step || "").split("\n").forEach(function (line, index) {
          if (line) { body.appendChild(emphasise(el("p", index ? "ipr-next ipr-contact" : "ipr-next"), line, units)); }
        });
        bubble.appendChild(body);
        appendActions(bubble, entry);
        return bubble;
      }
      var mentioned = leads.filter(function (n) {
        return (answer.verdict || "").indexOf(n) !== -1 || (answer.next_step || "").indexOf(n) !== -1;
      });
      if (entry.kind === "answer" && leads.length && !mentioned.length) {
        var chip = el("p", "ipr-lead");
        chip.appendChild(el("span", "ipr-units-label", "牵头单位："));
        chip.appendChild(el("strong", "ipr-unit", leads[0]));
        body.appendChild(chip);
      }
      if (answer.next_step) { body.appendChild(emphasise(el("p", "ipr-next"), answer.next_step, leads)); }
      bubble.appendChild(body);
      if (!(answer.basis && answer.basis.length)) {  // nothing to fold: the notice stays in view, small
        if (answer.notice) { bubble.appendChild(el("p", "ipr-notice", answer.notice)); }
      } else {
        var fold = el("details", "ipr-basis");
        fold.appendChild(el("summary", "ipr-basis-summary", basisSummary(answer)));
        (answer.basis || []).forEach(function (b) {
          var item = el("div", "ipr-basis-item");
          item.appendChild(el("p", "ipr-cite", b.title));
          item.appendChild(el("blockquote", "ipr-quote", "「" + b.quote + "」"));
          if (b.lead && b.lead.length) {
            var lead = el("p", "ipr-units");
            lead.appendChild(el("span", "ipr-units-label", "牵头单位："));
            lead.appendChild(el("strong", "ipr-unit", b.lead.join("、")));
            item.appendChild(lead);
          }
          if (b.responsible && b.responsible.length) { item.appendChild(unitsLine("责任单位", b.responsible)); }
          if (b.no_agency) { item.appendChild(el("p", "ipr-units", b.no_agency)); }
          if (b.deadline) { item.appendChild(el("p", "ipr-units", "完成时限：" + b.deadline)); }
          fold.appendChild(item);
        });
        if (answer.notice) { fold.appendChild(el("p", "ipr-notice", answer.notice)); }
        bubble.appendChild(fold);
      }
      appendActions(bubble, entry);
      return bubble;
    }

    function copyButton(text, bubble) {
      var copy = button("ipr-copy", "复制案件号", function () {
        function selectIt() {  // no clipboard access (an insecure host page): select the number for the user
          var number = bubble.querySelector(".ipr-case-number");
          var selection = window.getSelection();
          if (number && selection) {
            var range = document.createRange();
            range.selectNodeContents(number);
            selection.removeAllRanges();
            selection.addRange(range);
          }
          copy.textContent = "已选中，请复制";
        }
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(function () { copy.textContent = "已复制"; }, selectIt);
        } else {
          selectIt();
        }
      });
      return copy;
    }

    function renderEntry(entry) {
      var bubble;
      if (entry.answer && (entry.kind === "answer" || entry.kind === "limit")) {
        bubble = renderAnswer(entry);
      } else {
        bubble = el("div", "ipr-msg ipr-" + entry.who);
        if (entry.operator) {  // a person's reply to a 转人工 case, pushed while the page was open
          bubble.classList.add("ipr-operator");
          bubble.appendChild(el("p", "ipr-operator-label", "人工客服答复（案件 " + entry.operator + "）"));
          bubble.appendChild(el("div", "ipr-text", entry.text));
        } else if (entry.caseNumber) {  // a 转人工 case: the number unbroken, with a copy button
          bubble.appendChild(emphasise(el("div", "ipr-text"), entry.text, [entry.caseNumber], "ipr-case-number"));
          bubble.appendChild(copyButton(entry.caseNumber, bubble));
        } else {
          bubble.appendChild(el("div", "ipr-text", entry.text));
        }
        if (entry.who === "bot") { appendActions(bubble, entry); }
      }
      if (entry.retry) {
        bubble.appendChild(button("ipr-retry", "重试", function () {
          bubble.remove();
          state.log = state.log.filter(function (e) { return e !== entry; });
          save();
          send(entry.retry.message, entry.retry.shown, true);
        }));
      }
      log.appendChild(bubble);
      return bubble;
    }

    function add(entry) {
      state.log.push(entry);
      if (state.log.length > 200) { state.log = state.log.slice(-200); }
      save();
      var bubble = renderEntry(entry);
      scrollToEnd();
      return bubble;
    }

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
    function welcome(info) {
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
      log.appendChild(box);
      serviceLine(info.service || {});
    }

    // The office's hotline and hours (HOTLINE_NUMBER, SERVICE_HOURS) under the title, when the office set them.
    function serviceLine(service) {
      if (!service.hotline && !service.hours) { return; }
      var line = el("p", "ipr-service");
      if (service.hotline) {
        line.appendChild(document.createTextNode("人工热线 "));
        var call = el("a", "ipr-tel", service.hotline);
        call.href = "tel:" + service.hotline.replace(/[^0-9+]/g, "");  // tappable on a phone
        line.appendChild(call);
      }
      if (service.hours) { line.appendChild(document.createTextNode((service.hotline ? " · " : "") + "服务时间 " + service.hours)); }
      heading.appendChild(line);
    }

    function typing(on) {
      typingBox.hidden = !on;
      typingText.textContent = on ? "助手正在回答…" : "";
    }

    /* ---- sending: one request at a time, later messages wait in a queue (and are shown at once) ---- */

    function send(message, shown, isRetry, quiet) {
      message = (message || "").trim();
      if (!message) { return; }
      if (message.length > maxChars) {
        add({ who: "system", text: "问题太长了，请控制在" + maxChars + "字以内。" });
        return;
      }
      if (!quiet) { spendAll(); }
      var bubble = null;
      if (!isRetry && !quiet) {
        bubble = add({ who: "user", text: shown || message });
        if (busy) {
          bubble.classList.add("ipr-queued");
          bubble.appendChild(el("span", "ipr-queued-note", "等待发送"));
        }
      }
      queue.push({ message: message, shown: shown, isRetry: isRetry, bubble: bubble, quiet: quiet });
      pump();
    }

    function pump() {
      if (busy || !queue.length) { return; }
      var job = queue.shift();
      if (job.bubble) {
        job.bubble.classList.remove("ipr-queued");
        var note = job.bubble.querySelector(".ipr-queued-note");
        if (note) { note.remove(); }
      }
      busy = true;
      typing(true);
      scrollToEnd();
      request(job).then(function () {
        typing(false);
        busy = false;
        pump();
      });
    }

    function conversation(renew) {
      if (state.sender && !renew) { return Promise.resolve(state.sender); }
      return fetch(gateway + "/api/conversations", { method: "POST" }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok || !body.conversation) {
            var failure = new Error(body.error || "服务暂时不可用（" + response.status + "）");
            failure.status = response.status;
            throw failure;
          }
          state.sender = body.conversation;
          save();
          listen();
          return state.sender;
        });
      });
    }

    function request(job) {
      var message = job.message, shown = job.shown, isRetry = job.isRetry;
      function post(sender) {
        return fetch(gateway + "/api/chat", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ sender: sender, message: message })
        });
      }
      return conversation(false).then(post).then(function (response) {
        // An id the gateway no longer knows (its secret changed): take a new one and send again, once.
        if (response.status === 400 && response.headers.get("X-Conversation-Invalid")) {
          return conversation(true).then(post);
        }
        return response;
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            var failure = new Error(body.error || "服务暂时不可用（" + response.status + "）");
            failure.status = response.status;
            throw failure;
          }
          return body;
        });
      }).then(function (body) {
        showReply(body.messages || [], job.quiet);
      }).catch(function (error) {
        var text = error && error.message && error.message.indexOf("Failed to fetch") === -1 && error.name !== "TypeError"
          ? error.message : "网络异常，消息未能送达。";
        // Worth retrying by itself: the network, the assistant restarting (5xx) or a rate limit; not a 4xx like
        // "too long", which only the user can fix.
        var transient = !error.status || error.status >= 500 || error.status === 429;
        var automatic = transient && !isRetry;
        var entry = { who: "system", text: text + (automatic ? "（将在5秒后自动重试）" : ""),
                      retry: transient ? { message: message, shown: shown } : null };
        var errorBubble = add(entry);
        if (automatic) {  // once: Rasa restarting or a network blip usually passes in seconds
          setTimeout(function () {
            if (state.log.indexOf(entry) === -1) { return; }  // already retried by hand
            state.log = state.log.filter(function (e) { return e !== entry; });
            save();
            errorBubble.remove();
            send(message, shown, true);
          }, 5000);
        }
      });
    }

    // One reply of the contract: text messages, the last one's custom says what it is. An answer with parts is one
    // card; other replies are their text bubbles, the buttons with the last.
    function showReply(messages, quiet) {
      var custom = {};
      messages.forEach(function (m) { if (m.custom && m.custom.kind) { custom = m.custom; } });
      var buttons = [];
      messages.forEach(function (m) { if (m.buttons && m.buttons.length) { buttons = m.buttons; } });
      // a 有用 said on the answer itself: its thanks are already on the answer, not another bubble
      if (quiet && custom.kind === "feedback" && !buttons.length) { return; }
      var citations = Array.isArray(custom.citations) ? custom.citations : [];
      var feedback = Array.isArray(custom.feedback) ? custom.feedback : [];
      var texts = messages.filter(function (m) { return m.text; });
      var first = null;
      if (custom.answer && (custom.kind === "answer" || custom.kind === "limit")) {
        first = add({ who: "bot", kind: custom.kind, answer: custom.answer, citations: citations, buttons: buttons,
                      feedback: feedback, text: texts.map(function (m) { return m.text; }).join("\n") });
      } else {
        texts.forEach(function (m, i) {
          var last = i === texts.length - 1;
          var number = custom.case && typeof custom.case.number === "string" ? custom.case.number : "";
          // the copy button once per case, with the receipt: not again under every later status
          if (state.log.some(function (e) { return e.caseNumber === number; })) { number = ""; }
          var bubble = add({ who: "bot", kind: custom.kind, text: m.text, buttons: last ? buttons : [],
                             citations: last ? citations : [], feedback: last ? feedback : [],
                             caseNumber: last && number && m.text.indexOf(number) !== -1 ? number : "" });
          first = first || bubble;
        });
      }
      if (first) {
        lastReplyStart = first;
        scrollToStart(first);
        if (options.onReply) { options.onReply(); }
      }
    }

    /* ---- an operator's reply, pushed by the gateway (server-sent events) while the page is open ---- */

    var stream = null;
    var reasons = [];  // the "哪里没帮上？" choices, from /api/info
    function listen() {
      if (stream) { stream.close(); stream = null; }  // a renewed conversation id: the old stream is for the old id
      if (!state.sender || !window.EventSource) { return; }
      stream = new EventSource(gateway + "/api/chat/events?conversation=" + encodeURIComponent(state.sender) +
                               "&since=" + encodeURIComponent(state.pushedAt || "0"));
      stream.addEventListener("reply", function (event) {
        var data = null;
        try { data = JSON.parse(event.data); } catch (ignored) { return; }
        // once per reply, also after a reload (pushedAt is kept with the conversation)
        if (!data || typeof data.reply !== "string" || !(Number(data.at) > Number(state.pushedAt || 0))) { return; }
        state.pushedAt = String(data.at);
        var bubble = add({ who: "bot", kind: "operator", operator: String(data["case"] || ""), text: data.reply });
        lastReplyStart = bubble;
        scrollToStart(bubble);
        if (options.onReply) { options.onReply(); }
      });
      stream.addEventListener("error", function () {
        // Refused (too many pages open here, or an id the gateway no longer knows): try again in a while; the
        // browser itself reconnects a stream that was merely cut.
        if (stream && stream.readyState === 2) { stream = null; setTimeout(listen, 30000); }
      });
    }

    /* ---- the clause viewer: a modal dialog ---- */

    function closeViewer() {
      if (viewer.hidden) { return; }
      viewer.hidden = true;
      Array.prototype.forEach.call(panel.children, function (child) { if (child !== viewer) { child.inert = false; } });
      if (viewerOpener && viewerOpener.isConnected) { viewerOpener.focus(); }
      viewerOpener = null;
    }

    viewer.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        closeViewer();
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

    function openClause(citations, index, opener) {
      if (viewer.hidden) { viewerOpener = opener || viewerOpener; }
      viewer.textContent = "";
      viewer.hidden = false;
      Array.prototype.forEach.call(panel.children, function (child) { if (child !== viewer) { child.inert = true; } });
      var bar = el("div", "ipr-viewer-bar");
      var heading = el("h2", "ipr-viewer-heading", "原文");
      heading.id = viewerTitleId;
      bar.appendChild(heading);
      var close = button("ipr-close", "关闭", closeViewer, "关闭原文");
      bar.appendChild(close);
      viewer.appendChild(bar);
      if (citations.length > 1) {  // the answer cites several: switch between them here
        var tabs = el("div", "ipr-viewer-tabs");
        tabs.setAttribute("role", "group");
        tabs.setAttribute("aria-label", "本回答引用的条文");
        citations.forEach(function (c, i) {
          var tab = button("ipr-viewer-tab", c.title, function () { openClause(citations, i); });
          if (i === index) { tab.setAttribute("aria-current", "true"); }
          tabs.appendChild(tab);
        });
        viewer.appendChild(tabs);
      }
      var body = el("div", "ipr-viewer-body", "正在加载…");
      viewer.appendChild(body);
      close.focus();
      var ref = citations[index].ref;
      fetch(gateway + "/api/clauses/" + ref.split("/").map(encodeURIComponent).join("/"))
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

    /* ---- input ---- */

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value;
      if (!text.trim()) { return; }
      input.value = "";
      counter.textContent = "0/" + maxChars;
      send(text);
    });
    input.addEventListener("input", function () { counter.textContent = input.value.length + "/" + maxChars; });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
      }
    });

    fetch(gateway + "/api/info").then(function (r) { return r.json(); }).then(function (info) {
      if (info.max_message_chars) { maxChars = info.max_message_chars; input.setAttribute("maxlength", String(maxChars)); }
      if (Array.isArray(info.feedback_reasons)) { reasons = info.feedback_reasons; }
      if (note && info.note) { note.textContent = info.note; }
      welcome(info);
      state.log.forEach(renderEntry);
      if (state.log.length) { scrollToEnd(); } else { log.scrollTop = 0; }  // a new chat starts at its greeting
      listen();  // a reloaded page of a conversation that has begun
    }).catch(function () {
      // The gateway unreachable, or reachable but not for this site (not in WIDGET_ORIGINS: the browser hides the
      // answer). A request that needs no permission tells them apart.
      fetch(gateway + "/api/info", { mode: "no-cors" }).then(function () {
        renderEntry({ who: "system", text: "本网站暂未开通在线咨询，请通过网站上的其他方式联系我们。" });
        input.disabled = true;
        sendButton.disabled = true;
        if (window.console) {
          window.console.error("知识产权维权助手：网关未允许本网站（" + window.location.origin + "）使用聊天接口。" +
            "请把它加入网关的 WIDGET_ORIGINS 设置（逗号分隔的完整来源，如 https://www.example.gov.cn）。");
        }
      }, function () {
        renderEntry({ who: "system", text: "暂时无法连接到助手，请检查网络后刷新页面。" });
        state.log.forEach(renderEntry);
      });
    });
    return {
      send: send,
      input: input,
      reveal: function () { if (lastReplyStart) { scrollToStart(lastReplyStart); } },
      greet: function () { if (!state.log.length) { log.scrollTop = 0; } }  // a new chat opens at its greeting
    };
  }

  /* ---- the floating widget: a launcher, a panel (full screen on a phone) that can be minimised or closed ---- */

  function floating() {
    var host = el("div");
    host.setAttribute("data-ipr-widget", "");
    document.body.appendChild(host);
    var shadow = host.attachShadow({ mode: "open" });
    var css = el("link");
    css.rel = "stylesheet";
    css.href = gateway + "/static/chat.css";
    shadow.appendChild(css);
    var frame = el("aside", "ipr-floating");  // a landmark of its own on the host page
    frame.setAttribute("aria-label", title);
    frame.style.setProperty("--ipr-color", color);
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
        chat = createChat(box, {
          title: title, subtitle: subtitle, logo: logo, note: true, headingLevel: "h2",
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
    if (loadState().sender) { ensureChat(); }  // a conversation of this tab has begun: its replies count while closed
  }

  if (mode === "inline") {
    var target = document.getElementById(script.getAttribute("data-target") || "chat");
    target.style.setProperty("--ipr-color", color);
    createChat(target, { title: title, subtitle: subtitle, logo: logo, headingLevel: "h1",
                         note: script.getAttribute("data-note") === "true" });
  } else if (document.body) {
    floating();
  } else {
    document.addEventListener("DOMContentLoaded", floating);
  }
})();
