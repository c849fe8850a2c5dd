/* Staff console: search the plans, copy an answer, work through the records. Text is set with textContent only. */
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
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var filled = false;

  function fillFilters(data) {
    if (filled) { return; }
    filled = true;
    var region = document.getElementById("region");
    data.regions.forEach(function (r) { var o = el("option", null, r); o.value = r; region.appendChild(o); });
    var topic = document.getElementById("topic");
    Object.keys(data.topics).forEach(function (id) { var o = el("option", null, data.topics[id]); o.value = id; topic.appendChild(o); });
  }

  function search(event) {
    if (event) { event.preventDefault(); }
    var params = new URLSearchParams(new FormData(document.getElementById("search")));
    status.textContent = "查询中…";
    getJSON("/staff/api/search?" + params.toString()).then(function (data) {
      fillFilters(data);
      results.textContent = "";
      status.textContent = data.results.length ? "共 " + data.results.length + " 条" : "没有找到相关条款。";
      data.results.forEach(function (r) {
        var box = el("div", "result");
        box.appendChild(el("h4", null, r.region + " " + r.label));
        box.appendChild(el("div", "text", r.text));
        if (r.deadline) { box.appendChild(el("div", null, "时限：" + r.deadline)); }
        box.appendChild(el("div", "answer", r.answer));
        var copy = el("button", null, "复制答复");
        copy.type = "button";
        copy.addEventListener("click", function () {
          navigator.clipboard.writeText(r.answer).then(function () { copy.textContent = "已复制"; });
        });
        box.appendChild(copy);
        results.appendChild(box);
      });
    }).catch(function (error) { status.textContent = error.message; });
  }

  function describe(record) {
    if (record.kind === "cases") {
      return record.case_number + "（" + (record.region || "未知地区") + "，" + (record.topic || "未知主题") + "）\n" +
        (record.messages || []).join("\n");
    }
    if (record.kind === "unanswered") { return record.text + "\n建议条款：" + (record.suggested || []).join("、"); }
    return record.text + "\n涉及条款：" + (record.refs || []).join("、");
  }

  function loadRecords() {
    getJSON("/staff/api/records").then(function (data) {
      ["cases", "unanswered", "feedback"].forEach(function (kind) {
        var list = document.getElementById(kind);
        list.textContent = "";
        data[kind].forEach(function (record) {
          var item = el("li", record.handled ? "handled" : "", record.created_at.replace("T", " ").slice(0, 19) + "\n" + describe(record));
          if (!record.handled) {
            var done = el("button", null, "标记已处理");
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
    }).catch(function (error) { status.textContent = error.message; });
  }

  document.getElementById("search").addEventListener("submit", search);
  document.getElementById("refresh").addEventListener("click", loadRecords);
  getJSON("/staff/api/search?region=" + encodeURIComponent("贵州")).then(fillFilters).catch(function () {});
  loadRecords();
})();
