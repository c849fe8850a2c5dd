/* answer.js: one answer laid out as a card — the verdict, the next step, the quoted basis folded under "依据"; or,
 * for an answer with a step card, its numbered steps with their clauses and lead units. */
(function (IPR) {
  "use strict";
  var el = IPR.core.el, button = IPR.core.button, uid = IPR.core.uid, emphasise = IPR.core.emphasise;
  var save = IPR.core.save;
  var MAX_UNITS = 3;  // more responsible units than this read as "等N个单位" (expandable)
  var PHONE_STEPS = 3;  // a step card shows this many steps before "展开全部N步" at ≤ 480 px (chat.css)

  function cardOf(entry) {
    var card = entry.answer && entry.answer.card;
    return card && Array.isArray(card.steps) && card.steps.length ? card : null;
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
  function stepItem(chat, entry, step, index) {
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
        if (at === -1) {
          IPR.viewer.openClause(chat, [{ ref: step.ref, title: step.title }], 0, event.currentTarget);
        } else {
          IPR.viewer.openClause(chat, citations, at, event.currentTarget);
        }
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
  function stepCard(chat, entry, card) {
    var box = el("div", "ipr-card");
    var list = el("ol", "ipr-steps");
    list.id = uid("ipr-steps");
    list.setAttribute("aria-label", (card.name ? card.name + "：" : "") + "共" + card.steps.length + "步");
    card.steps.forEach(function (s, i) { list.appendChild(stepItem(chat, entry, s, i)); });
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
        save(chat);
        show();
      });
      show();
      box.appendChild(toggle);
    }
    return box;
  }

  function renderAnswer(chat, entry) {
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
      body.appendChild(stepCard(chat, entry, card));
      var units = [];
      card.steps.forEach(function (s) { (s.lead || []).forEach(function (n) { if (units.indexOf(n) === -1) { units.push(n); } }); });
      (answer.next_step || "").split("\n").forEach(function (line, index) {
        if (line) { body.appendChild(emphasise(el("p", index ? "ipr-next ipr-contact" : "ipr-next"), line, units)); }
      });
      bubble.appendChild(body);
      IPR.render.appendActions(chat, bubble, entry);
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
    IPR.render.appendActions(chat, bubble, entry);
    return bubble;
  }

  IPR.answer = { cardOf: cardOf, renderAnswer: renderAnswer };
})(IPR);
