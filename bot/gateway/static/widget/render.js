/* render.js: the log's entries — bubbles, a reply's buttons and quick replies, 有用 / 没用, the case number's copy
 * button — and a reply of the contract turned into entries. Answers are laid out by answer.js. */
(function (IPR) {
  "use strict";
  var el = IPR.core.el, button = IPR.core.button, emphasise = IPR.core.emphasise, save = IPR.core.save;

  function scrollToEnd(chat) { chat.log.scrollTop = chat.log.scrollHeight; }
  // A new answer is read from its first line: scroll its start to the top of the log, not to the bottom.
  function scrollToStart(chat, node) { chat.log.scrollTop = Math.max(0, node.offsetTop - 8); }

  function citationsButton(chat, citations) {
    return button("ipr-citation", "查看原文", function (event) {
      IPR.viewer.openClause(chat, citations, 0, event.currentTarget);
    });
  }

  // Quick replies: once one is chosen (or the user has typed on) the group collapses to the choice.
  function replyGroup(chat, entry, buttons, className, label) {
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
        spend(chat, record, b.title);
        IPR.dialog.send(chat, b.payload, b.title);
      }));
    });
    chat.liveReplies.push(record);
    return group;
  }

  function spend(chat, record, chosen) {
    record.entry.spent = true;
    if (chosen) { record.entry.chosen = chosen; }
    record.group.textContent = "";
    if (chosen) { record.group.appendChild(el("span", "ipr-chosen", "已选择：" + chosen)); } else { record.group.remove(); }
    chat.liveReplies = chat.liveReplies.filter(function (r) { return r !== record; });
    save(chat);
  }

  function spendAll(chat) { chat.liveReplies.slice().forEach(function (r) { spend(chat, r, null); }); }

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
    var card = IPR.answer.cardOf(entry);
    var onCard = card ? card.steps.map(function (s) { return s.ref; }).filter(Boolean) : [];
    var seen = {};
    return (entry.buttons || []).filter(function (b) {
      var key = b.title + "\u0000" + b.payload;  // a button twice in one reply (转人工) is shown once
      if (seen[key]) { return false; }
      seen[key] = true;
      return !(hasCitations && b.title === "查看原文") && onCard.indexOf(clauseRef(b)) === -1;
    });
  }

  function appendActions(chat, bubble, entry) {
    var actions = el("div", "ipr-actions");
    if (entry.citations && entry.citations.length && !IPR.answer.cardOf(entry)) {
      actions.appendChild(citationsButton(chat, entry.citations));
    }
    var buttons = ownButtons(entry);
    var group = buttons.length ? replyGroup(chat, entry, buttons, "ipr-quick", "可选回复") : null;
    if (group) { actions.appendChild(group); }
    if (actions.childNodes.length) { bubble.appendChild(actions); }
    if (entry.feedback && entry.feedback.length) { bubble.appendChild(feedbackBar(chat, entry)); }
  }

  // 有用 / 没用 on the answer itself: two small buttons, sent without a chat bubble of their own; the bar then
  // says what was given. A 没用 gets the assistant's offer of a person (its reply shows as usual).
  // After 没用, one optional question with fixed choices (nothing typed is stored): "哪里没帮上？"
  function reasonChoices(chat, entry, bar) {
    var choices = el("div", "ipr-reasons");
    choices.setAttribute("role", "group");
    choices.setAttribute("aria-label", "哪里没帮上？（可选）");
    choices.appendChild(el("span", "ipr-feedback-label", "哪里没帮上？（可选）"));
    chat.reasons.forEach(function (r) {
      choices.appendChild(button("ipr-rate", r.title, function () {
        entry.reason = r.title;
        save(chat);
        bar.replaceWith(feedbackBar(chat, entry));
        IPR.transport.postReason(chat, r.id, 0);
      }));
    });
    bar.appendChild(choices);
  }

  function feedbackBar(chat, entry) {
    var bar = el("div", "ipr-feedback");
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "这条回答有帮助吗？");
    if (entry.rated) {
      bar.appendChild(el("span", "ipr-rated", "已反馈：" + entry.rated + (entry.reason ? "（" + entry.reason + "）" : "") + "，谢谢"));
      if (entry.rated === "没用" && !entry.reason && !entry.reasonSkipped && chat.reasons.length) {
        reasonChoices(chat, entry, bar);
      }
      return bar;
    }
    bar.appendChild(el("span", "ipr-feedback-label", "有帮助吗？"));
    entry.feedback.forEach(function (b) {
      var icon = b.title === "有用" ? "👍" : b.title === "没用" ? "👎" : "";
      var rate = button("ipr-rate", icon ? icon + " " + b.title : b.title, function () {
        entry.rated = b.title;
        save(chat);
        bar.replaceWith(feedbackBar(chat, entry));
        IPR.dialog.send(chat, b.payload, null, false, true);
      });
      bar.appendChild(rate);
    });
    return bar;
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

  function renderEntry(chat, entry) {
    var bubble;
    if (entry.answer && (entry.kind === "answer" || entry.kind === "limit")) {
      bubble = IPR.answer.renderAnswer(chat, entry);
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
      if (entry.who === "bot") { appendActions(chat, bubble, entry); }
    }
    if (entry.retry) {
      bubble.appendChild(button("ipr-retry", "重试", function () {
        bubble.remove();
        chat.state.log = chat.state.log.filter(function (e) { return e !== entry; });
        save(chat);
        IPR.dialog.send(chat, entry.retry.message, entry.retry.shown, true);
      }));
    }
    chat.log.appendChild(bubble);
    return bubble;
  }

  function add(chat, entry) {
    var state = chat.state;
    state.log.push(entry);
    if (state.log.length > 200) { state.log = state.log.slice(-200); }
    save(chat);
    var bubble = renderEntry(chat, entry);
    scrollToEnd(chat);
    return bubble;
  }

  // One reply of the contract: text messages, the last one's custom says what it is. An answer with parts is one
  // card; other replies are their text bubbles, the buttons with the last.
  function showReply(chat, messages, quiet) {
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
      first = add(chat, { who: "bot", kind: custom.kind, answer: custom.answer, citations: citations, buttons: buttons,
                          feedback: feedback, text: texts.map(function (m) { return m.text; }).join("\n") });
    } else {
      texts.forEach(function (m, i) {
        var last = i === texts.length - 1;
        var number = custom.case && typeof custom.case.number === "string" ? custom.case.number : "";
        // the copy button once per case, with the receipt: not again under every later status
        if (chat.state.log.some(function (e) { return e.caseNumber === number; })) { number = ""; }
        var bubble = add(chat, { who: "bot", kind: custom.kind, text: m.text, buttons: last ? buttons : [],
                                 citations: last ? citations : [], feedback: last ? feedback : [],
                                 caseNumber: last && number && m.text.indexOf(number) !== -1 ? number : "" });
        first = first || bubble;
      });
    }
    if (first) {
      chat.lastReplyStart = first;
      scrollToStart(chat, first);
      if (chat.options.onReply) { chat.options.onReply(); }
    }
  }

  IPR.render = {
    scrollToEnd: scrollToEnd, scrollToStart: scrollToStart, spendAll: spendAll, appendActions: appendActions,
    renderEntry: renderEntry, add: add, showReply: showReply
  };
})(IPR);
