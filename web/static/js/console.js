/* Analyst console and pathway library pages: run a read-only query through /api/v1/cypher (session + CSRF),
   show progress after one second (with elapsed time and a cancel button), then the table, the graph view
   and CSV/JSON downloads of what is shown; start background exports and follow them in "Mes exports". */
(function () {
  "use strict";
  var PROGRESS_AFTER_MS = 1000;
  var JOB_POLL_MS = 1000;

  function runId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function seconds(ms) { return (ms / 1000).toFixed(1).replace(".", ",") + " s"; }
  function plural(n, word) { return n + " " + word + (n > 1 ? "s" : ""); }

  /* ---------------------------------------------------------------- request */

  function post(form, url, body, signal) {
    return fetch(url, {
      method: "POST", signal: signal, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRF-Token": form.getAttribute("data-csrf") },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var err = data && data.error ? data.error : { message: "Erreur " + response.status + "." };
          throw err;
        }
        return data;
      });
    });
  }

  function payload(form) {
    if (form.getAttribute("data-kind") === "console") {
      var raw = form.elements.params.value.trim(), params = {};
      if (raw) {
        try { params = JSON.parse(raw); } catch (e) {
          throw { message: "Les paramètres ne sont pas du JSON valide : attendu un objet, par exemple " +
                  "{\"departement\": \"01\"}.", fields: { params: "objet JSON" } };
        }
      }
      return { query: form.elements.query.value, params: params };
    }
    var values = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-type]"), function (input) {
      var type = input.getAttribute("data-type"), value = input.value;
      if (input.validity && input.validity.badInput) {  // e.g. letters in a number field: the browser hides them
        var fields = {}; fields[input.name] = type;
        throw { message: "Paramètre « " + input.name + " » : valeur invalide, attendu " + type + ".", fields: fields };
      }
      if (value === "" && (type === "int" || type === "float" || input.required)) { return; }
      values[input.name] = value;
    });
    return { params: values };
  }

  /* ---------------------------------------------------------------- rendering */

  function cellText(value) {
    if (value === null || value === undefined) { return ""; }
    if (typeof value !== "object") { return String(value); }
    if (Array.isArray(value)) { return "[" + value.map(cellText).join(", ") + "]"; }
    if (value.labels && value.properties) {  // node
      var p = value.properties, caption = p.name || p.label || p.code || p.finess || p.insee || p.id || "";
      return "(:" + value.labels.join(":") + (caption ? " " + caption : "") + ")";
    }
    if (value.type && value.properties && "start" in value) { return "[:" + value.type + "]"; }
    if (value.nodes && value.relationships) {  // path
      var out = cellText(value.nodes[0]);
      value.relationships.forEach(function (r, i) { out += "-" + cellText(r) + "->" + cellText(value.nodes[i + 1]); });
      return out;
    }
    return JSON.stringify(value);
  }

  function csvCell(value) {
    var text = value === null || value === undefined ? "" : (typeof value === "object" ? JSON.stringify(value) : String(value));
    return /[",\r\n]/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
  }

  function toCsv(data) {
    var lines = [data.columns.map(csvCell).join(",")];
    data.rows.forEach(function (row) { lines.push(row.map(csvCell).join(",")); });
    return lines.join("\n") + "\n";
  }

  function toJson(data) {
    var records = data.rows.map(function (row) {
      var record = {};
      data.columns.forEach(function (c, i) { record[c] = row[i]; });
      return record;
    });
    return JSON.stringify({ columns: data.columns, rows: records, truncated: data.truncated,
                            elapsed_ms: data.elapsed_ms }, null, 2);
  }

  function download(name, type, text) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = document.createElement("a");
    a.href = url; a.download = name; a.hidden = true;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
  }

  function stamp() {
    var d = new Date(), pad = function (n) { return String(n).padStart(2, "0"); };
    return d.getFullYear() + pad(d.getMonth() + 1) + pad(d.getDate()) + "-" + pad(d.getHours()) + pad(d.getMinutes()) + pad(d.getSeconds());
  }

  function renderTable(holder, data) {
    holder.textContent = "";
    if (!data.columns.length) { return; }
    var table = document.createElement("table");
    table.className = "analysis-table";
    var caption = document.createElement("caption");
    caption.className = "visually-hidden";
    caption.textContent = "Résultat : " + plural(data.row_count, "ligne");
    table.appendChild(caption);
    var head = table.createTHead().insertRow();
    data.columns.forEach(function (c) {
      var th = document.createElement("th"); th.scope = "col"; th.textContent = c; head.appendChild(th);
    });
    var body = table.createTBody();
    data.rows.forEach(function (row) {
      var tr = body.insertRow();
      row.forEach(function (value) {
        var text = cellText(value), td = tr.insertCell();
        td.textContent = text.length > 300 ? text.slice(0, 299) + "…" : text;
        if (text.length > 300) { td.title = text; }
      });
    });
    holder.appendChild(table);
  }

  function showError(panel, error) {
    var box = panel.querySelector("[data-error]");
    box.textContent = error.message || "Erreur.";
    var fields = error.fields || {};
    var names = Object.keys(fields);
    if (names.length) {
      var list = document.createElement("ul");
      names.forEach(function (k) {
        var li = document.createElement("li");
        li.textContent = k + " : " + (typeof fields[k] === "string" ? fields[k] : JSON.stringify(fields[k]));
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    box.hidden = false;
  }

  function showResult(panel, form, data) {
    var summary = plural(data.row_count, "ligne") + " en " + Math.round(data.elapsed_ms) + " ms";
    if (data.truncated_by === "bytes") {
      summary += " — résultat tronqué au-delà de " + Math.round(data.byte_cap / 1e6) + " Mo : restreignez la requête ou lancez un export";
    } else if (data.truncated) {
      summary += " — résultat tronqué à " + data.row_cap + " lignes : lancez un export pour tout obtenir";
    }
    panel.querySelector("[data-summary]").textContent = summary + ".";
    renderTable(panel.querySelector("[data-table]"), data);
    var figure = panel.querySelector("[data-graph]");
    if (data.graph && data.graph.nodes.length && window.RorGraphView) {
      figure.querySelector("[data-graph-caption]").textContent = "Vue en graphe : " +
        plural(data.graph.nodes.length, "nœud") + ", " + plural(data.graph.links.length, "lien") + ".";
      window.RorGraphView.draw(figure, data.graph);
      figure.hidden = false;
    } else {
      figure.hidden = true;
    }
    var downloads = panel.querySelector("[data-downloads]");
    downloads.hidden = false;
    downloads.onclick = function (event) {
      var kind = event.target.getAttribute("data-download");
      var stem = form.getAttribute("data-stem") + "-" + stamp();
      if (kind === "csv") { download(stem + ".csv", "text/csv;charset=utf-8", toCsv(data)); }
      if (kind === "json") { download(stem + ".json", "application/json", toJson(data)); }
    };
  }

  /* ---------------------------------------------------------------- running */

  function reset(panel) {
    panel.hidden = false;
    panel.querySelector("[data-error]").hidden = true;
    panel.querySelector("[data-error]").textContent = "";
    panel.querySelector("[data-summary]").textContent = "";
    panel.querySelector("[data-downloads]").hidden = true;
    panel.querySelector("[data-graph]").hidden = true;
    panel.querySelector("[data-table]").textContent = "";
  }

  function run(form) {
    var panel = document.getElementById(form.getAttribute("data-result"));
    var submit = form.querySelector("button[type=submit]");
    if (form.running) { return; }
    reset(panel);
    var body;
    try { body = payload(form); } catch (err) { showError(panel, err); return; }
    var controller = new AbortController(), started = Date.now(), stopped = null;
    body.run_id = runId();
    var progress = panel.querySelector("[data-progress]"), elapsed = panel.querySelector("[data-elapsed]");
    var cancel = panel.querySelector("[data-cancel]");
    var ticker = setInterval(function () {
      var ms = Date.now() - started;
      elapsed.textContent = seconds(ms);
      if (ms >= PROGRESS_AFTER_MS) { progress.hidden = false; }
    }, 100);
    cancel.disabled = false;
    cancel.onclick = function () {  // ask the server to stop the query, then stop waiting for it
      cancel.disabled = true;
      var url = form.getAttribute("data-runs-endpoint").replace("RUNID", body.run_id);
      fetch(url, { method: "DELETE", credentials: "same-origin",
                   headers: { "X-CSRF-Token": form.getAttribute("data-csrf"), Accept: "application/json" } })
        .then(function (response) { stopped = response.ok; }, function () { stopped = false; })
        .then(function () { controller.abort(); });
    };
    form.running = true;
    submit.disabled = true;
    panel.setAttribute("aria-busy", "true");
    post(form, form.getAttribute("data-endpoint"), body, controller.signal).then(function (data) {
      showResult(panel, form, data);
    }).catch(function (err) {
      if (err && err.name === "AbortError") {
        showError(panel, { message: "Requête annulée après " + seconds(Date.now() - started) + (stopped ?
          " : le serveur l'a arrêtée." : " ; le serveur l'arrêtera au plus tard à la fin de son délai.") });
      } else if (err && err.code === "query_cancelled") {
        showError(panel, { message: "Requête annulée après " + seconds(Date.now() - started) +
          " : le serveur l'a arrêtée." });
      } else if (err instanceof TypeError) {
        showError(panel, { message: "Le serveur ne répond pas : vérifiez la connexion puis réessayez." });
      } else {
        showError(panel, err);
      }
    }).then(function () {
      clearInterval(ticker);
      progress.hidden = true;
      form.running = false;
      submit.disabled = false;
      panel.removeAttribute("aria-busy");
      panel.querySelector("h2").focus();
    });
  }

  /* Start a background export; the result shown so far stays, refusals show in the result area. */
  function startExport(form) {
    var panel = document.getElementById(form.getAttribute("data-result"));
    var box = panel.querySelector("[data-error]");
    box.hidden = true; box.textContent = "";
    var body;
    try { body = payload(form); } catch (err) { panel.hidden = false; showError(panel, err); return; }
    if (form.getAttribute("data-kind") === "library") { body.library = form.getAttribute("data-name"); }
    post(form, form.getAttribute("data-jobs-endpoint"), body).then(function () {
      refreshJobs(true);
    }).catch(function (err) { panel.hidden = false; showError(panel, err); });
  }

  /* ---------------------------------------------------------------- background exports */

  var jobsTimer = null;

  /* Redraws the export list; the returned promise settles once it is drawn. */
  function refreshJobs(announce) {
    var section = document.querySelector("[data-jobs]");
    if (!section) { return Promise.resolve(); }
    return fetch(section.getAttribute("data-endpoint"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var jobs = data.jobs || [], table = section.querySelector("[data-jobs-table]"), body = table.tBodies[0];
        body.textContent = "";
        table.hidden = jobs.length === 0;
        var message = section.querySelector("[data-jobs-message]");
        if (!jobs.length) {
          message.textContent = "Aucun export.";
        } else if (announce === true) {
          message.textContent = "Export lancé : il apparaît ci-dessous, avec ses liens de téléchargement une fois terminé.";
        } else if (announce !== "keep") {
          message.textContent = "";
        }
        var pending = false;
        jobs.forEach(function (job) {
          var tr = body.insertRow();
          tr.setAttribute("data-job-state", job.state);
          tr.insertCell().textContent = new Date(job.created_at).toLocaleString("fr-FR", { timeZone: "Europe/Paris" });
          var label = tr.insertCell();
          label.textContent = job.kind === "library" ? "Bibliothèque : " + job.label : job.label.slice(0, 120);
          var state = tr.insertCell();
          state.textContent = job.state_label + (job.error ? " — " + job.error : "");
          tr.insertCell().textContent = job.elapsed_ms === null ? "" : seconds(job.elapsed_ms);
          tr.insertCell().textContent = job.rows === null ? "" : job.rows + (job.truncated ? " (tronqué)" : "");
          var links = tr.insertCell();
          if (job.state === "done") {
            ["csv", "json"].forEach(function (fmt) {
              var a = document.createElement("a");
              a.href = job.links[fmt]; a.textContent = fmt.toUpperCase();
              a.setAttribute("download", "");
              a.setAttribute("aria-label", "Télécharger l'export en " + fmt.toUpperCase());
              links.appendChild(a);
              links.appendChild(document.createTextNode(" "));
            });
          }
          var actions = tr.insertCell();
          var remove = document.createElement("button");
          remove.type = "button"; remove.className = "secondary";
          remove.textContent = { queued: "Annuler", running: "Arrêter" }[job.state] || "Supprimer";
          remove.setAttribute("aria-label", remove.textContent + " l'export du " + tr.cells[0].textContent);
          remove.addEventListener("click", function () {
            remove.disabled = true;
            deleteJob(section, job, job.state === "running" ? "Export arrêté." : "Export supprimé.");
          });
          actions.appendChild(remove);
          if (job.state === "queued" || job.state === "running") { pending = true; }
        });
        clearTimeout(jobsTimer);
        if (pending) { jobsTimer = setTimeout(function () { refreshJobs("keep"); }, JOB_POLL_MS); }
      })
      .catch(function () {
        section.querySelector("[data-jobs-message]").textContent = "Impossible de lire la liste des exports.";
      });
  }

  function deleteJob(section, job, done) {
    fetch(job.links.self, { method: "DELETE", credentials: "same-origin",
                            headers: { "X-CSRF-Token": section.getAttribute("data-csrf"), Accept: "application/json" } })
      .then(function (response) {
        if (response.ok) { return null; }
        return response.json().then(function (data) { return (data.error && data.error.message) || "Erreur."; });
      })
      .then(function (problem) {
        /* after the redraw, which would otherwise replace the message ("Aucun export." once the list is empty) */
        return refreshJobs("keep").then(function () {
          section.querySelector("[data-jobs-message]").textContent = problem || done;
        });
      })
      .catch(function () {
        section.querySelector("[data-jobs-message]").textContent = "Le serveur ne répond pas : réessayez.";
      });
  }

  /* ---------------------------------------------------------------- wiring */

  Array.prototype.forEach.call(document.querySelectorAll("[data-analysis-form]"), function (form) {
    form.addEventListener("submit", function (event) { event.preventDefault(); run(form); });
    form.querySelector("[data-export]").addEventListener("click", function () { startExport(form); });
    Array.prototype.forEach.call(form.querySelectorAll("textarea"), function (area) {
      area.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(form); }
      });
    });
  });
  refreshJobs(false);
})();
