// Shared pieces of the matrix pages: HTML escaping, the page shell with its inline CSS and the
// plain-JS filters. Everything is inline so the file works offline, straight from file://.

/** Escapes text for HTML content and double- or single-quoted attribute values. */
function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Tagged template that escapes every interpolated value unless it is already `Html`. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type HtmlValue = Html | string | number | boolean | undefined | null | readonly HtmlValue[];

function renderValue(value: HtmlValue): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map((item: HtmlValue) => renderValue(item)).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let text = strings[0] ?? '';
  values.forEach((value, index) => {
    text += renderValue(value) + (strings[index + 1] ?? '');
  });
  return new Html(text);
}

const STYLE = `
:root { --granted:#1b5e20; --granted-bg:#b9e4bd; --inherited-bg:#eaf5ea; --revoked:#b71c1c;
  --revoked-bg:#ffcdd2; --added-bg:#b9e4bd; --removed-bg:#ffcdd2; --changed-bg:#fff1c1;
  --line:#d8dbe0; --muted:#6b7280; font-family: system-ui, -apple-system, "Segoe UI", "Liberation Sans", sans-serif; }
body { margin:0; color:#111827; background:#fafafa; font-size:13px; }
header { position:sticky; top:0; z-index:3; background:#fff; border-bottom:1px solid var(--line); padding:10px 16px; }
h1 { font-size:17px; margin:0 0 4px; }
h1 small, .meta { color:var(--muted); font-weight:normal; font-size:12px; }
.legend { display:flex; flex-wrap:wrap; gap:12px; margin:6px 0; align-items:center; }
.legend span.cell { display:inline-block; min-width:22px; text-align:center; border:1px solid var(--line); padding:1px 4px; }
.filters { display:flex; flex-wrap:wrap; gap:6px 16px; align-items:center; }
.filters fieldset { border:1px solid var(--line); border-radius:4px; padding:2px 8px; margin:0; }
.filters legend { color:var(--muted); font-size:11px; padding:0 3px; }
.filters label { margin-right:8px; white-space:nowrap; }
main { padding:8px 16px 48px; }
section.scope { margin:14px 0 22px; }
section.scope h2 { font-size:15px; margin:0 0 2px; }
section.scope h2 code { background:#eef2ff; padding:1px 5px; border-radius:3px; }
.origin { color:var(--muted); font-size:12px; margin-bottom:6px; }
table { border-collapse:collapse; background:#fff; }
th, td { border:1px solid var(--line); padding:2px 6px; }
thead th { position:sticky; top:var(--header-height, 0px); background:#f3f4f6; font-weight:600; font-size:12px; z-index:1; }
thead th .level { display:block; color:var(--muted); font-weight:normal; font-size:10px; }
tbody th { text-align:left; font-weight:normal; white-space:nowrap; }
tbody th code { font-size:12px; }
.badge { display:inline-block; font-size:10px; border-radius:3px; padding:0 4px; margin-left:4px; border:1px solid; }
.badge.team { color:#1d4ed8; border-color:#93c5fd; background:#eff6ff; }
.badge.owner { color:#7c2d12; border-color:#fdba74; background:#fff7ed; }
.badge.custom { color:#6b21a8; border-color:#d8b4fe; background:#faf5ff; }
.badge.write { color:var(--muted); border-color:var(--line); }
td.cell { text-align:center; min-width:28px; font-size:13px; }
td.cell a, td.cell span { color:inherit; text-decoration:none; display:block; }
td.granted { background:var(--granted-bg); color:var(--granted); font-weight:700; }
td.inherited { background:var(--inherited-bg); color:#4b7d4f; }
td.revoked { background:var(--revoked-bg); color:var(--revoked); font-weight:700; }
td.none { color:#c4c8cf; }
td.none.cleared { color:var(--revoked); background:repeating-linear-gradient(135deg,#fff,#fff 4px,#fdecec 4px,#fdecec 8px); }
td.noeffect { opacity:.55; }
td.added { background:var(--added-bg); color:var(--granted); font-weight:700; }
td.removed { background:var(--removed-bg); color:var(--revoked); font-weight:700; }
td.changed { background:var(--changed-bg); color:#92400e; }
td.same { color:#9ca3af; }
sup.flag { font-size:9px; font-weight:600; margin-left:1px; }
sup.flag.team { color:#1d4ed8; } sup.flag.owner { color:#c2410c; }
a.src { color:var(--muted); font-size:11px; margin-left:6px; }
footer#info { position:fixed; bottom:0; left:0; right:0; background:#111827; color:#f9fafb; padding:5px 16px; font-size:12px; min-height:16px; }
[hidden] { display:none !important; }
`;

// Filters by role, scope and permission text; the last filter keeps rows with a `data-mark` cell.
const SCRIPT = `
(function () {
  var header = document.querySelector('header');
  function setHeaderHeight() {
    document.documentElement.style.setProperty('--header-height', header.offsetHeight + 'px');
  }
  setHeaderHeight();
  window.addEventListener('resize', setHeaderHeight);
  function checked(name) {
    var values = {};
    document.querySelectorAll('input[name="' + name + '"]').forEach(function (box) {
      values[box.value] = box.checked;
    });
    return values;
  }
  function apply() {
    var roles = checked('role');
    var scopes = checked('scope');
    var text = document.getElementById('filter-text').value.trim().toLowerCase();
    var onlyEffective = document.getElementById('filter-effective').checked;
    document.querySelectorAll('section.scope').forEach(function (section) {
      section.hidden = scopes[section.dataset.scope] === false;
      section.querySelectorAll('[data-role]').forEach(function (el) {
        el.hidden = roles[el.dataset.role] === false;
      });
      section.querySelectorAll('tbody tr').forEach(function (row) {
        var matches = text === '' || row.dataset.search.indexOf(text) !== -1;
        if (matches && onlyEffective) {
          matches = Array.prototype.some.call(row.querySelectorAll('td[data-mark]'), function (cell) {
            return !cell.hidden;
          });
        }
        row.hidden = !matches;
      });
      // A scope left with no rows by the row filters is noise: hide it too.
      if (!section.hidden && (text !== '' || onlyEffective)) {
        section.hidden = section.querySelector('tbody tr:not([hidden])') === null;
      }
    });
    setHeaderHeight();
  }
  document.querySelectorAll('.filters input').forEach(function (input) {
    input.addEventListener(input.type === 'text' ? 'input' : 'change', apply);
  });
  document.querySelectorAll('[data-toggle]').forEach(function (button) {
    button.addEventListener('click', function () {
      var on = button.dataset.value === 'all';
      document.querySelectorAll('input[name="' + button.dataset.toggle + '"]').forEach(function (box) {
        box.checked = on;
      });
      apply();
    });
  });
  var info = document.getElementById('info');
  document.addEventListener('mouseover', function (event) {
    var target = event.target.closest ? event.target.closest('[data-info]') : null;
    if (target) info.textContent = target.dataset.info;
  });
  apply();
})();
`;

export interface CheckboxGroup {
  name: 'role' | 'scope';
  label: string;
  options: { value: string; label: string }[];
}

/** The whole page: header (title, legend, filters), the scope tables, and a hover info line. */
export function renderPage(parts: {
  title: string;
  /** CSS added after the shared style sheet, for what only one page has. */
  style?: string;
  meta: Html;
  legend: Html;
  groups: CheckboxGroup[];
  onlyEffectiveLabel: string;
  onlyEffectiveDefault: boolean;
  body: Html;
}): string {
  const groups = parts.groups.map(
    (group) =>
      html`<fieldset>
        <legend>
          ${group.label}
          <button type="button" data-toggle="${group.name}" data-value="all">all</button>
          <button type="button" data-toggle="${group.name}" data-value="none">none</button>
        </legend>
        ${group.options.map(
          (option) =>
            html`<label
              ><input type="checkbox" name="${group.name}" value="${option.value}" checked />
              ${option.label}</label
            >`,
        )}
      </fieldset>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(parts.title)}</title>
<style>${STYLE}${parts.style ?? ''}</style>
</head>
<body>
${
  html`<header>
      <h1>${parts.title} <small>${parts.meta}</small></h1>
      <div class="legend">${parts.legend}</div>
      <div class="filters">
        ${groups}
        <label>permission <input type="text" id="filter-text" placeholder="e.g. send-" /></label>
        <label
          ><input
            type="checkbox"
            id="filter-effective"
            ${parts.onlyEffectiveDefault ? new Html('checked') : ''}
          />
          ${parts.onlyEffectiveLabel}</label
        >
      </div>
    </header>
    <main>${parts.body}</main>
    <footer id="info">Hover a cell to see where it comes from.</footer>`.text
}
<script>${SCRIPT}</script>
</body>
</html>
`;
}
