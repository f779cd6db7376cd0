/* ntmgis boot script of a compressed page (page.py): the only script written as it is.
 *
 * The libraries, the map script (app.js) and the styles are one gzip text in the
 * element #ntmgis-code (text123.py, like the data block): they are inflated here with
 * the browser's DecompressionStream and run as they would have run inlined (styles
 * first, then each script as a script element). The data block follows in pieces, each
 * followed by a script calling ntmgisFeed(); a Web Worker inflates each piece while the
 * browser reads the next (the page itself when no worker starts). Once the data and the
 * map script are both there, the map script's functions (given to ntmgisBoot) read the
 * records and draw the map.
 * A browser without DecompressionStream gets a message and nothing else.
 */
(function () {
  'use strict';
  // text123.py: 6 bytes (a big-endian 48-bit number) in 7 digits base 123, most significant
  // first; a digit is the index of its character among the ASCII characters that are not
  // NUL, CR, <, > or &; a last group of m bytes is m + 1 digits. 123**7 < 2**53: exact
  function text123(s) {
    var D = text123.D;
    if (!D) {  // the digit of each character (the function runs in a worker too: no outer names)
      D = text123.D = new Float64Array(128);
      for (var c = 0, d = 0; c < 128; c++) { if (c !== 0 && c !== 13 && c !== 60 && c !== 62 && c !== 38) { D[c] = d++; } }
    }
    var n = s.length, full = (n / 7) | 0, rest = n - 7 * full;
    var out = new Uint8Array(6 * full + (rest ? rest - 1 : 0)), i = 0, o = 0, v, hi, lo, g;
    for (g = 0; g < full; g++) {
      v = D[s.charCodeAt(i)] * 123 + D[s.charCodeAt(i + 1)];
      v = v * 123 + D[s.charCodeAt(i + 2)];
      v = v * 123 + D[s.charCodeAt(i + 3)];
      v = v * 123 + D[s.charCodeAt(i + 4)];
      v = v * 123 + D[s.charCodeAt(i + 5)];
      v = v * 123 + D[s.charCodeAt(i + 6)];
      hi = Math.floor(v / 16777216); lo = v - hi * 16777216;
      out[o] = hi >>> 16; out[o + 1] = hi >>> 8; out[o + 2] = hi;
      out[o + 3] = lo >>> 16; out[o + 4] = lo >>> 8; out[o + 5] = lo;
      i += 7; o += 6;
    }
    if (rest) {
      for (v = 0, g = i; g < n; g++) { v = v * 123 + D[s.charCodeAt(g)]; }
      for (g = rest - 2; g >= 0; g--) { out[o + g] = v % 256; v = Math.floor(v / 256); }
    }
    return out;
  }
  var TOO_OLD = {
    vi: 'Tr\u00ecnh duy\u1ec7t n\u00e0y kh\u00f4ng m\u1edf \u0111\u01b0\u1ee3c b\u1ea3n \u0111\u1ed3 (c\u1ea7n Chrome 80, Firefox 113, Safari 16.4 tr\u1edf l\u00ean).',
    en: 'This browser cannot open the map (it needs Chrome 80, Firefox 113, Safari 16.4 or newer).'
  };
  function failed(err) {
    var box = document.getElementById('map');
    var msg = document.createElement('p');
    msg.className = 'ntm-error';
    msg.textContent = TOO_OLD[document.documentElement.lang] || TOO_OLD.en;
    // the page's styles may be in the compressed code that could not be read
    msg.style.cssText = 'margin:2em;font:16px system-ui,sans-serif;color:#8b0000';
    box.appendChild(msg);
    if (err) { setTimeout(function () { throw err; }, 0); }
  }
  // The worker that inflates the pieces of a compressed block while the browser reads the
  // next ones (its source: text123 and inflater below, as text); it answers with the bytes
  function inflater() {
    var ds = new DecompressionStream('gzip'), writer = ds.writable.getWriter();
    var all = new Response(ds.readable).arrayBuffer();
    function quiet() {}
    onmessage = function (e) {
      if (e.data !== null) { writer.write(text123(e.data)).catch(quiet); return; }
      writer.close().catch(quiet);
      all.then(function (buf) { postMessage(buf, [buf]); }, function (err) { postMessage({ error: String(err) }); });
    };
  }
  function inflateHere(texts) {
    var parts = texts.map(text123);
    return new Response(new Blob(parts).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  }
  // the styles, the libraries and the map script: page.py writes them NUL-separated
  function runCode(buf) {
    var parts = new TextDecoder().decode(buf).split('\u0000');
    var style = document.createElement('style');
    style.textContent = parts[0];
    document.head.appendChild(style);
    for (var i = 1; i < parts.length; i++) {
      var s = document.createElement('script');
      s.textContent = parts[i];  // a script element added to the page runs at once
      document.head.appendChild(s);
    }
  }
  // page.py: each piece of a compressed block is followed by a script calling ntmgisFeed(),
  // the last by ntmgisFeed(true); without a worker (or if it fails) they are inflated here
  function feeder(code) {
    var texts = [], worker = null, broken = false, answer = null, read = null, draw = null;
    // app.js hands over its functions that read the bytes (records) and draw the map
    window.ntmgisBoot = function (r, d) { read = r; draw = d; };
    try {
      worker = new Worker(URL.createObjectURL(new Blob(
        ['var text123 = ' + text123.toString() + ';\n(' + inflater.toString() + ')();'], { type: 'text/javascript' })));
      // a worker that fails (now or later: no DecompressionStream in it, say) answers null
      worker.onerror = function (e) { e.preventDefault(); broken = true; if (answer) { answer(null); } };
      worker.onmessage = function (e) { if (answer) { answer(e.data && e.data.error ? null : e.data); } };
    } catch (e) { worker = null; }
    return function (last) {
      if (!last) {
        var el = document.currentScript && document.currentScript.previousElementSibling;
        var text = el ? el.textContent : '';
        if (el) { el.textContent = ''; }  // the text is not needed any more
        texts.push(text);
        if (worker) { worker.postMessage(text); }
        return;
      }
      var bytes = !worker || broken ? inflateHere(texts) : new Promise(function (resolve) {
        answer = resolve;
        worker.postMessage(null);
      }).then(function (buf) { return buf || inflateHere(texts); });
      Promise.all([bytes, code]).then(function (got) {
        texts = null;
        if (worker) { worker.terminate(); }
        if (!read) { throw new Error('ntmgis: the map script did not start'); }
        return read(new Uint8Array(got[0]));
      }).then(function (D) { draw(D); }, function (err) { failed(err); });
    };
  }
  var codeEl = document.getElementById('ntmgis-code');
  if (typeof DecompressionStream === 'undefined' || typeof Response === 'undefined' || !codeEl) {
    window.ntmgisFeed = function () {};
    failed(null);
  } else {
    var codeText = codeEl.textContent;
    codeEl.textContent = '';
    window.ntmgisFeed = feeder(inflateHere([codeText]).then(runCode));
  }
})();
