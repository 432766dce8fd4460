/* zhsearch autocomplete: a search input with a popup listbox of title
 * suggestions, after the WAI-ARIA 1.2 combobox pattern ("list autocomplete
 * with manual selection"). The search page loads this file as is; the
 * search-box embed (/searchbox.js) wraps it in a closure with its own code,
 * so on a host page nothing leaks into the globals.
 *
 * Suggestion titles come from documents: they are inserted as text, or as
 * the API's highlight (escaped text with <mark>) once checked to hold
 * nothing else (zhsearchCombobox.setMarked).
 *
 * zhsearchCombobox({input, listbox, fetch, onSelect, delay}) wires input (the
 * text field) to listbox (an element for the options, inside the same
 * document or shadow root). fetch(q, signal) returns a promise of
 * [{id, title, highlight}]; onSelect(item) runs after the reader picks a suggestion,
 * with the input already holding its title. It returns {close()}.
 */
function zhsearchCombobox(opts) {
  'use strict';
  var input = opts.input;
  var list = opts.listbox;
  var delay = opts.delay == null ? 150 : opts.delay;
  var optionID = (list.id || 'zhsearch-suggestions') + '-';
  var items = [];
  var active = -1;
  var timer = 0;
  var seq = 0;
  var controller = null;
  var loading = false; // suggestions asked for and not yet come

  // A polite live region says how many suggestions came: a screen reader
  // announces nothing when the list opens (found by a probe). Hidden by
  // its own styles, as the page and the embed have different classes.
  var announcer = document.createElement('span');
  announcer.setAttribute('role', 'status');
  announcer.setAttribute('aria-live', 'polite');
  announcer.style.cssText = 'position:absolute;width:1px;height:1px;margin:-1px;padding:0;border:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;';
  list.parentNode.insertBefore(announcer, list.nextSibling);
  var announced = '';

  function announce(text) {
    if (text === announced) return;
    announced = text;
    announcer.textContent = text;
  }

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  if (list.id) input.setAttribute('aria-controls', list.id);
  list.setAttribute('role', 'listbox');

  function isOpen() { return !list.hidden; }

  function open() {
    if (!items.length) { close(); return; }
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function close() {
    setActive(-1);
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    announce('');
  }

  function setActive(i) {
    var old = list.children[active];
    if (old) old.setAttribute('aria-selected', 'false');
    active = i;
    var cur = list.children[i];
    if (cur) {
      cur.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', cur.id);
      cur.scrollIntoView({ block: 'nearest' });
    } else {
      active = -1;
      input.removeAttribute('aria-activedescendant');
    }
  }

  function render(q, suggestions) {
    items = suggestions;
    active = -1;
    input.removeAttribute('aria-activedescendant');
    list.textContent = '';
    items.forEach(function (s, i) {
      var li = document.createElement('li');
      li.id = optionID + i;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.title = s.title;
      zhsearchCombobox.setMarked(li, s.highlight, s.title);
      list.appendChild(li);
    });
    if (items.length && hasFocus()) {
      open();
      announce(items.length + ' 条建议,按上下键选择');
    } else {
      close();
    }
  }

  function hasFocus() {
    var root = input.getRootNode ? input.getRootNode() : document;
    return root.activeElement === input;
  }

  function choose(i) {
    var item = items[i];
    if (!item) return;
    close();
    // A title may be longer than a query may be (512 characters against
    // the input's maxlength, the API's 200): its start, cut on a
    // character, still finds it, where the whole was refused as too long.
    var title = item.title;
    if (input.maxLength > 0 && Array.from(title).length > input.maxLength) {
      title = Array.from(title).slice(0, input.maxLength).join('').trim();
    }
    input.value = title;
    opts.onSelect(item);
  }

  // cancel stops the suggestions being waited for and reports whether
  // there were any.
  function cancel() {
    var pending = timer !== 0 || loading;
    clearTimeout(timer);
    timer = 0;
    loading = false;
    seq++;
    if (controller) controller.abort();
    controller = null;
    return pending;
  }

  function schedule() {
    cancel();
    // The text changed: the suggestion highlighted for the old text is not
    // what Enter means now (it searched 花呗怎么提前还款 with 花呗逾期 typed,
    // until the new suggestions came).
    setActive(-1);
    var q = input.value.trim();
    if (!q) { render('', []); return; }
    timer = setTimeout(function () { timer = 0; load(q); }, delay);
  }

  function load(q) {
    var my = ++seq;
    loading = true;
    controller = typeof AbortController === 'function' ? new AbortController() : null;
    opts.fetch(q, controller && controller.signal).then(function (suggestions) {
      if (my !== seq) return;
      loading = false;
      if (input.value.trim() !== q) return;
      render(q, suggestions);
    }, function (err) {
      if (my !== seq || (err && err.name === 'AbortError')) return;
      loading = false;
      render(q, []);
      if (window.console) console.warn('zhsearch: no suggestions:', err && err.message);
    });
  }

  input.addEventListener('input', function (e) {
    // While an input method composes, the box holds its letters (jieb of
    // 借呗), not the reader's text: suggestions for them flickered under
    // the IME's own candidates. compositionend schedules for what it
    // commits.
    if (e.isComposing) return;
    schedule();
  });
  input.addEventListener('compositionend', schedule);

  input.addEventListener('keydown', function (e) {
    // Keys that an input method (IME) is using to compose Chinese are its own.
    if (e.isComposing || e.keyCode === 229) return;
    var n = items.length;
    switch (e.key) {
      case 'ArrowDown':
      case 'Down':
        if (!n) {
          // A box that came with its text (a results page's query) has no
          // suggestions yet: ask for them now, the list opens when they
          // come.
          var q = input.value.trim();
          if (!q) return;
          e.preventDefault();
          cancel();
          load(q);
          return;
        }
        e.preventDefault();
        if (!isOpen()) { open(); setActive(0); return; }
        setActive(active + 1 >= n ? 0 : active + 1);
        return;
      case 'ArrowUp':
      case 'Up':
        if (!n) return;
        e.preventDefault();
        if (!isOpen()) { open(); setActive(n - 1); return; }
        setActive(active <= 0 ? n - 1 : active - 1);
        return;
      case 'Enter':
        if (isOpen() && active >= 0) {
          e.preventDefault();
          choose(active);
          return;
        }
        cancel();
        close();
        return; // the form submits
      case 'Escape':
      case 'Esc':
        // Suggestions still being typed for or fetched would open the
        // list again: none comes until the next keystroke. An Escape that
        // stops them, as one that closes the list, is not the search
        // field's own (which empties it): the reader pressed it before
        // the list showed, to keep it from showing, not to lose the text.
        if (cancel() || isOpen()) {
          e.preventDefault();
          close();
        }
        return;
      case 'Tab':
        cancel();
        close();
        return;
    }
  });

  input.addEventListener('blur', function () { cancel(); close(); });

  // mousedown would move the focus out of the input and close the list
  // before the click lands.
  list.addEventListener('mousedown', function (e) { e.preventDefault(); });
  list.addEventListener('click', function (e) {
    var li = e.target.closest ? e.target.closest('[role="option"]') : null;
    if (!li || !list.contains(li)) return;
    choose(Array.prototype.indexOf.call(list.children, li));
  });

  close();
  return {
    close: function () { cancel(); close(); }
  };
}

// setMarked sets node's content to html, an API highlight (HTML-escaped
// text with <mark>), when it holds nothing but text and <mark>, and to
// plain as text otherwise. The highlight is read here, not by the
// browser's HTML parser: nothing in it can run or load, and a host page
// that requires Trusted Types (which refuses strings as HTML) shows the
// marks too.
zhsearchCombobox.setMarked = function (node, html, plain) {
  'use strict';
  var named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  // unescape returns text with its character references read, or null
  // when it holds markup or a reference the API does not write.
  function unescape(text) {
    if (/[<>]/.test(text)) return null;
    var bad = false;
    var out = text.replace(/&(#[0-9]+|#x[0-9a-fA-F]+|[a-z]+);|&/g, function (m, ref) {
      if (ref === undefined) { bad = true; return m; }
      if (ref.charAt(0) === '#') {
        var code = ref.charAt(1) === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        if (!(code > 0 && code <= 0x10FFFF)) { bad = true; return m; }
        return String.fromCodePoint(code);
      }
      if (!Object.prototype.hasOwnProperty.call(named, ref)) { bad = true; return m; }
      return named[ref];
    });
    return bad ? null : out;
  }
  function build(html) {
    var frag = document.createDocumentFragment();
    var open = null; // the <mark> being filled
    var parts = html.split(/(<mark>|<\/mark>)/);
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i];
      if (p === '<mark>') {
        if (open) return null;
        open = document.createElement('mark');
      } else if (p === '</mark>') {
        if (!open) return null;
        frag.appendChild(open);
        open = null;
      } else if (p) {
        var text = unescape(p);
        if (text === null) return null;
        (open || frag).appendChild(document.createTextNode(text));
      }
    }
    return open ? null : frag;
  }
  var frag = html ? build(html) : null;
  node.textContent = frag ? '' : plain || '';
  if (frag) node.appendChild(frag);
};
