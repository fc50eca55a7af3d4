/*
 * The editor's preview panel shows the preview mode the author chose (issue 21).
 *
 * Wagtail's preview controller (w-preview) loses a mode chosen while an update of the panel
 * is still running: its setPreviewData hands back the running update, whose iframe was
 * already asked for in the mode selected before. Opening the panel starts such an update,
 * so choosing a mode right after opening it (or while the quiz's map posts the form and
 * slows the server) left the panel in the old mode. Once that update has finished and the
 * panel shows another mode than the one chosen, the panel is updated once more.
 */
(() => {
  'use strict';

  const PANEL = '[data-controller~="w-preview"]';
  const MODE = '[data-w-preview-target~="mode"]';
  const wanted = new WeakMap(); // panel → the mode chosen since the panel last updated

  const shownMode = (panel) => {
    const iframe = panel.querySelector('#w-preview-iframe');
    if (!iframe || !iframe.src) return null;
    return new URL(iframe.src, window.location.href).searchParams.get('mode') || '';
  };

  document.addEventListener('change', (event) => {
    const select = event.target.closest?.(MODE);
    const panel = select?.closest(PANEL);
    if (panel) wanted.set(panel, select.value);
  });

  document.addEventListener('w-preview:updated', (event) => {
    const panel = event.target.closest?.(PANEL);
    if (!panel || !wanted.has(panel)) return;
    const mode = wanted.get(panel);
    // Forgotten before asking again, so an update that cannot show the mode (a form with
    // errors leaves the panel as it is) is asked for once, not in a loop.
    wanted.delete(panel);
    if (shownMode(panel) === mode) return;
    const preview = window.wagtail?.app?.getControllerForElementAndIdentifier(panel, 'w-preview');
    // After the controller has finished its own bookkeeping for this update.
    if (preview) setTimeout(() => preview.setPreviewDataWithAlert(), 0);
  });
})();
