/* zhsearch search-box embed. Served as /searchbox.js together with
 * static/combobox.js, both inside one closure:
 *
 * <script src="https://HOST/searchbox.js" async></script>
 *
 * renders a search box with autocomplete right after the script tag, or
 * into the element data-target (a CSS selector) names, replacing what it
 * holds (a plain <form> there is a good fallback without JavaScript).
 * Submitting goes to data-action (default: zhsearch's own search page) with
 * ?q=…. Optional: data-placeholder. The box lives in a shadow root with its
 * own styles; --zhsearch-accent sets its colour. Suggestions come from the
 * API that served this script; the host's origin must be listed in
 * zhsearch's --cors-origins.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  // Only from its own <script> tag: see widget.js (a named element can
  // take document.currentScript's place).
  if (!(script instanceof HTMLScriptElement) || script.getAttribute('data-zhsearch-mounted')) return;
  script.setAttribute('data-zhsearch-mounted', '1');

  var base = new URL('.', script.src);
  var action = base.href;
  if (script.getAttribute('data-action')) {
    try {
      var a = new URL(script.getAttribute('data-action'), location.href);
      if (a.protocol === 'https:' || a.protocol === 'http:') action = a.href;
    } catch (err) { /* keep the default */ }
  }
  var placeholder = script.getAttribute('data-placeholder') || '搜索文章,支持拼音和首字母';

  var host = document.createElement('zhsearch-searchbox');
  host.setAttribute('lang', 'zh-CN'); // read as Chinese on an English page too
  host.style.display = 'block';
  var targetSel = script.getAttribute('data-target');
  if (targetSel && !findTarget() && document.readyState === 'loading') {
    // An async script may run before the page has parsed its target (a
    // long page, a slow network): the target is looked for again once the
    // whole page is parsed, as widget.js does (found by a probe: the box
    // went after the script, and the page's fallback form stayed).
    document.addEventListener('DOMContentLoaded', place);
  } else {
    place();
  }

  function findTarget() {
    try { return document.querySelector(targetSel); } catch (err) { return null; }
  }

  function place() {
    var target = targetSel ? findTarget() : null;
    if (targetSel && !target) warn('data-target ' + targetSel + ' matches nothing; rendering after the script');
    if (target) {
      target.textContent = '';
      target.appendChild(host);
    } else {
      script.parentNode.insertBefore(host, script.nextSibling);
    }
  }

  function warn(m) {
    if (window.console) console.warn('zhsearch search box: ' + m);
  }

  var root = host.attachShadow({ mode: 'open' });
  var css = [
    ':host{all:initial;display:block;}',
    'form{display:flex;gap:8px;margin:0;font-family:system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif;font-size:16px;line-height:1.5;}',
    '.combo{position:relative;flex:1;min-width:0;}',
    'input{box-sizing:border-box;width:100%;height:42px;margin:0;padding:0 14px;font:inherit;color:#1f2328;background:#fff;',
    'border:1px solid #b7c0ca;border-radius:21px;outline:none;-webkit-appearance:none;appearance:none;}',
    'input:focus{border-color:var(--zhsearch-accent,#0b57d0);box-shadow:0 0 0 3px rgba(11,87,208,.18);outline:2px solid transparent;outline-offset:1px;}',
    'button{flex:none;height:42px;margin:0;padding:0 18px;font:inherit;color:#fff;background:var(--zhsearch-accent,#0b57d0);border:1px solid transparent;border-radius:21px;cursor:pointer;}',
    'button:focus-visible{outline:2px solid #1f2328;outline-offset:2px;}',
    'ul{position:absolute;z-index:2147483000;left:0;right:0;top:calc(100% + 4px);margin:0;padding:6px 0;list-style:none;background:#fff;',
    'border:1px solid #d8dee4;border-radius:10px;box-shadow:0 8px 24px rgba(31,35,40,.14);max-height:min(60vh,420px);overflow-y:auto;text-align:left;}',
    'ul[hidden]{display:none;}',
    'li{padding:8px 14px;color:#1f2328;cursor:pointer;line-height:1.45;}',
    'li:hover{background:#f3f6fa;}',
    'li[aria-selected="true"]{background:#e8f0fe;box-shadow:inset 3px 0 0 var(--zhsearch-accent,#0b57d0);}',
    'mark{background:transparent;color:inherit;font-weight:600;}',
    // Forced colors (Windows High Contrast) drop backgrounds and shadows.
    '@media (forced-colors:active){li[aria-selected="true"]{forced-color-adjust:none;background:Highlight;color:HighlightText;outline:2px solid Highlight;outline-offset:-2px;}}',
    '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;}'
  ].join('');
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch (err) {
    var style = document.createElement('style');
    style.textContent = css;
    root.appendChild(style);
  }

  var form = document.createElement('form');
  form.setAttribute('role', 'search');
  form.setAttribute('part', 'form');
  form.action = action;
  form.method = 'get';
  form.autocomplete = 'off';
  var combo = document.createElement('div');
  combo.className = 'combo';
  var label = document.createElement('label');
  label.className = 'sr';
  label.htmlFor = 'q';
  label.textContent = '搜索文章';
  var input = document.createElement('input');
  input.id = 'q';
  input.name = 'q';
  input.type = 'search';
  input.maxLength = 200;
  input.placeholder = placeholder;
  input.setAttribute('autocomplete', 'off');
  input.setAttribute('spellcheck', 'false');
  input.setAttribute('enterkeyhint', 'search');
  var list = document.createElement('ul');
  list.id = 'q-list';
  list.setAttribute('aria-label', '搜索建议');
  list.hidden = true;
  var button = document.createElement('button');
  button.type = 'submit';
  button.textContent = '搜索';
  combo.appendChild(label);
  combo.appendChild(input);
  combo.appendChild(list);
  form.appendChild(combo);
  form.appendChild(button);
  root.appendChild(form);

  var box = zhsearchCombobox({
    input: input,
    listbox: list,
    fetch: function (q, signal) {
      var u = new URL('api/v1/suggest', base);
      u.searchParams.set('q', q);
      u.searchParams.set('size', '8');
      return fetch(u.href, { mode: 'cors', credentials: 'omit', signal: signal, headers: { Accept: 'application/json' } })
        .then(function (r) {
          if (!r.ok) throw new Error('HTTP ' + r.status);
          return r.json();
        })
        .then(function (d) { return (d && d.suggestions) || []; });
    },
    onSelect: go
  });

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    go();
  });

  function go() {
    box.close();
    var q = input.value.trim();
    if (!q) { input.focus(); return; }
    var u = new URL(action);
    u.searchParams.set('q', q);
    u.searchParams.delete('page');
    location.assign(u.href);
  }
})();
