// The demo host page's own script: uses the widget's host API (window.Otedama). External file,
// so it runs under the strict page's Content-Security-Policy too.
(function () {
  var widget = window.Otedama && window.Otedama.widgets[0];
  if (!widget) return;
  var $ = function (id) { return document.getElementById(id); };
  var log = function (text) {
    var li = document.createElement('li');
    li.textContent = new Date().toLocaleTimeString() + ' ' + text;
    $('log').prepend(li);
    while ($('log').children.length > 20) $('log').lastElementChild.remove();
  };
  widget.on('state', function (d) {
    $('state').textContent = d.state;
    log('state ' + d.state + (d.reason ? ': ' + d.reason : ''));
  });
  widget.on('hashrate', function (d) { $('rate').textContent = Math.round(d.hashrate); });
  widget.on('shares', function (d) {
    $('shares').textContent = d.accepted;
    log('shares accepted ' + d.accepted);
  });
  $('support').addEventListener('click', function () { widget.start(); });
  $('host-stop').addEventListener('click', function () { widget.stop(); });
})();
