/*
 * The scenario quiz editor's map, checks and step choosers, and the insight report's map.
 *
 * The server decides what the graph is and what its problems are (quizzes.scenario.diagram,
 * the publication check's own words): the editor posts its form to the map URL as the author
 * works and draws what comes back. dagre (vendor/dagre) lays the drawing out; an outline
 * (a nested list) says the same in text for keyboard and screen reader. Stimulus controllers,
 * registered with Wagtail's own application, so they also connect to blocks added later.
 * No inline script, no eval: it runs under the site's Content-Security-Policy.
 */
(() => {
  'use strict';

  const SVG_NS = 'http://www.w3.org/2000/svg';
  const NODE_WIDTH = 210;
  const NODE_HEIGHT = 70;
  const KEY_SELECTOR = 'input[data-controller~="signaal-step-key"]';
  const TARGET_SELECTOR = 'input[data-controller~="signaal-step-target"]';

  // The latest diagram of the form being edited; the step choosers build their lists from it.
  const shared = { diagram: null, listeners: new Set(), strings: {}, autoKeys: new Set() };

  function publish(diagram) {
    shared.diagram = diagram;
    shared.listeners.forEach((listener) => listener(diagram));
  }

  function html(tag, attributes = {}, text = '') {
    const element = document.createElement(tag);
    Object.entries(attributes).forEach(([name, value]) => element.setAttribute(name, value));
    if (text) element.textContent = text;
    return element;
  }

  function svg(tag, attributes = {}, text = '') {
    const element = document.createElementNS(SVG_NS, tag);
    Object.entries(attributes).forEach(([name, value]) => element.setAttribute(name, value));
    if (text) element.textContent = text;
    return element;
  }

  function format(template, values) {
    return (template || '').replace(/%\((\w+)\)s/g, (_match, name) => String(values[name] ?? ''));
  }

  function shorten(text, length) {
    return text.length > length ? `${text.slice(0, length - 1)}…` : text;
  }

  function slugify(text) {
    return text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50)
      .replace(/-+$/g, '');
  }

  function stepName(node) {
    return node.title && node.title !== node.key ? `${node.title} (${node.key})` : node.key;
  }

  function edgeText(edge, number, strings) {
    if (edge.kind === 'branch') return format(strings.branch, { count: edge.min_missed });
    if (edge.kind === 'next') return strings.next;
    return format(strings.choice, { number, label: edge.label, score: edge.score });
  }

  function shortEdgeLabel(edge, number, strings) {
    // In the insight report a way shows its share, or nothing for a group too small.
    if ('share' in edge) return edge.share === null ? '' : `${edge.share}%`;
    if (edge.kind === 'branch') return format(strings.branchShort, { count: edge.min_missed });
    if (edge.kind === 'choice') return format(strings.choiceShort, { number, score: edge.score });
    return '';
  }

  /* The drawing: dagre places the nodes and routes the edges; we draw them as SVG. */
  function draw(container, diagram, strings) {
    container.replaceChildren();
    const dagre = window.dagre;
    if (!dagre || !diagram.nodes.length) {
      container.append(html('p', { class: 'signaal-scenario-map__empty' }, strings.noSteps));
      return;
    }
    const graph = new dagre.graphlib.Graph({ multigraph: true });
    graph.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 56, edgesep: 14, marginx: 12, marginy: 12 });
    graph.setDefaultEdgeLabel(() => ({}));
    diagram.nodes.forEach((node) => graph.setNode(node.key || '?', { width: NODE_WIDTH, height: NODE_HEIGHT, node }));
    const numbers = {};
    diagram.edges.forEach((edge) => {
      numbers[edge.source] = (numbers[edge.source] || 0) + 1;
      if (!edge.target || !graph.hasNode(edge.target) || !graph.hasNode(edge.source)) return;
      const label = shortEdgeLabel(edge, numbers[edge.source], strings);
      graph.setEdge(
        edge.source,
        edge.target,
        { edge, label, width: label ? label.length * 7 + 8 : 0, height: label ? 18 : 0, labelpos: 'c' },
        edge.id,
      );
    });
    dagre.layout(graph);
    const { width, height } = graph.graph();
    const drawing = svg('svg', {
      class: 'signaal-scenario-map__svg',
      width: Math.ceil(width),
      height: Math.ceil(height),
      viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
      role: 'img',
      'aria-label': format(strings.drawingLabel, { steps: diagram.nodes.length, links: graph.edgeCount() }),
    });
    const defs = svg('defs');
    const marker = svg('marker', {
      id: `${container.id}-arrow`, viewBox: '0 0 10 10', refX: 9, refY: 5,
      markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
    });
    marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'signaal-scenario-map__arrow' }));
    defs.append(marker);
    drawing.append(defs);

    graph.edges().forEach((ends) => {
      const { edge, points, x, y, label } = graph.edge(ends);
      const path = points.map((point, index) => `${index ? 'L' : 'M'} ${point.x} ${point.y}`).join(' ');
      drawing.append(svg('path', {
        d: path,
        class: `signaal-scenario-map__edge signaal-scenario-map__edge--${edge.kind}`,
        'marker-end': `url(#${container.id}-arrow)`,
      }));
      if (label) {
        drawing.append(svg('rect', {
          x: x - (label.length * 7 + 8) / 2, y: y - 9, width: label.length * 7 + 8, height: 18, rx: 3,
          class: 'signaal-scenario-map__edge-label-bg',
        }));
        drawing.append(svg('text', { x, y: y + 4, 'text-anchor': 'middle', class: 'signaal-scenario-map__edge-label' }, label));
      }
    });

    graph.nodes().forEach((key) => {
      const { x, y, node } = graph.node(key);
      const classes = ['signaal-scenario-map__node', `signaal-scenario-map__node--${node.kind}`];
      if (node.is_start) classes.push('signaal-scenario-map__node--start');
      if (node.problems.length) classes.push('signaal-scenario-map__node--problem');
      const group = svg('g', { class: classes.join(' '), transform: `translate(${x - NODE_WIDTH / 2}, ${y - NODE_HEIGHT / 2})` });
      group.append(svg('title', {}, `${stepName(node)} — ${node.kind_label}${node.problems.length ? `\n${node.problems.join('\n')}` : ''}`));
      group.append(svg('rect', { width: NODE_WIDTH, height: NODE_HEIGHT, rx: node.is_end ? 18 : 4 }));
      const first = node.is_start ? `${strings.start}: ` : '';
      group.append(svg('text', { x: 10, y: 20, class: 'signaal-scenario-map__title' }, shorten(first + (node.title || node.key || '?'), 28)));
      group.append(svg('text', { x: 10, y: 38 }, shorten(`${node.kind_label} · ${node.key}`, 32)));
      let detail = node.missing ? strings.missing : format(strings.points, { points: node.max_score });
      if (node.is_end) detail = strings.end;
      if (node.attempts !== undefined && node.attempts !== null) detail = format(strings.attempts, { count: node.attempts });
      if (node.problems.length) detail = `⚠ ${format(strings.problemCount, { count: node.problems.length })}`;
      group.append(svg('text', { x: 10, y: 57 }, detail));
      drawing.append(group);
    });
    container.append(drawing);
  }

  /* The outline: the same graph as a nested list, step → ways on → target. */
  function outline(container, diagram, strings, onGoTo) {
    container.replaceChildren();
    const byKey = Object.fromEntries(diagram.nodes.map((node) => [node.key, node]));
    const list = html('ol', { class: 'signaal-scenario-map__outline' });
    diagram.nodes.filter((node) => !node.missing).forEach((node) => {
      const item = html('li');
      const heading = html('p', { class: 'signaal-scenario-map__outline-step' });
      const name = onGoTo
        ? html('button', { type: 'button', class: 'button button-small button-secondary signaal-scenario-map__goto' }, stepName(node))
        : html('strong', {}, stepName(node));
      if (onGoTo) name.addEventListener('click', () => onGoTo(node.key));
      heading.append(name);
      const facts = [node.kind_label];
      if (node.is_start) facts.unshift(strings.start);
      if (!node.is_end) facts.push(format(strings.points, { points: node.max_score }));
      if (node.attempts !== undefined && node.attempts !== null) facts.push(format(strings.attempts, { count: node.attempts }));
      heading.append(document.createTextNode(` — ${facts.join(', ')}`));
      item.append(heading);
      const ways = html('ul');
      let number = 0;
      diagram.edges.filter((edge) => edge.source === node.key).forEach((edge) => {
        if (edge.kind === 'choice') number += 1;
        const target = byKey[edge.target];
        let where = strings.noTarget;
        if (target) where = target.missing ? format(strings.missingTarget, { key: edge.target }) : stepName(target);
        let text = `${edgeText(edge, number, strings)} → ${where}`;
        if (edge.share !== undefined && edge.share !== null) {
          text += ` (${format(strings.share, { share: `${edge.share}%`, count: edge.count })})`;
        }
        ways.append(html('li', {}, text));
      });
      (node.signals || []).forEach((signal) => {
        ways.append(html('li', {}, format(strings.signalMissed, { name: signal.name, rate: `${signal.miss_rate}%` })));
      });
      node.problems.forEach((problem) => {
        ways.append(html('li', { class: 'signaal-scenario-map__problem' }, `${strings.problem}: ${problem}`));
      });
      if (ways.children.length) item.append(ways);
      list.append(item);
    });
    container.append(list);
  }

  function problemList(container, diagram, strings) {
    container.replaceChildren();
    if (!diagram.problems.length) {
      container.append(html('p', { class: 'signaal-scenario-map__ok' }, strings.noProblems));
      return;
    }
    container.append(html('p', {}, strings.problemsIntro));
    const list = html('ul', { class: 'signaal-scenario-map__problems' });
    diagram.problems.forEach((problem) => list.append(html('li', {}, problem.message)));
    container.append(list);
  }

  function goToStep(form, key) {
    const input = [...form.querySelectorAll(KEY_SELECTOR)].find((candidate) => candidate.value === key);
    if (!input) return;
    const title = form.querySelector(`[name="${input.name.replace(/-key$/, '-title')}"]`) || input;
    title.scrollIntoView({ block: 'center' });
    title.focus({ preventScroll: true });
  }

  function register(application, Controller) {
    /* The editor's panel: posts the form as the author works, draws what comes back. */
    application.register('signaal-scenario-map', class extends Controller {
      static targets = ['status', 'problems', 'drawing', 'outline'];

      static values = { url: String, strings: Object };

      connect() {
        shared.strings = this.stringsValue;
        this.form = this.element.closest('form');
        this.sequence = 0;
        this.timer = null;
        this.schedule = this.schedule.bind(this);
        this.form.addEventListener('input', this.schedule);
        this.form.addEventListener('change', this.schedule);
        // Blocks added, moved or deleted change the steps without an input event.
        this.observer = new MutationObserver((records) => {
          if (records.some((record) => !record.target.closest?.('.signaal-scenario-map, .signaal-step-target'))) this.schedule();
        });
        this.observer.observe(this.form, { childList: true, subtree: true });
        this.load();
      }

      disconnect() {
        this.form.removeEventListener('input', this.schedule);
        this.form.removeEventListener('change', this.schedule);
        this.observer.disconnect();
      }

      schedule(event) {
        if (event?.target?.closest?.('.signaal-scenario-map')) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.load(), 500);
      }

      async load() {
        // The steps field draws its blocks (and their hidden inputs) after this panel
        // connects; the mutation observer calls again once they are there.
        if (!this.form.elements['steps-count']) return;
        this.sequence += 1;
        const sequence = this.sequence;
        const strings = this.stringsValue;
        this.element.setAttribute('aria-busy', 'true');
        let diagram;
        try {
          const response = await fetch(this.urlValue, {
            method: 'POST',
            body: new FormData(this.form),
            credentials: 'same-origin',
            headers: { Accept: 'application/json' },
          });
          if (!response.ok) throw new Error(String(response.status));
          diagram = await response.json();
        } catch (_error) {
          if (sequence === this.sequence) {
            this.statusTarget.textContent = strings.failed;
            this.element.removeAttribute('aria-busy');
          }
          return;
        }
        if (sequence !== this.sequence) return; // an older answer arriving late
        this.element.removeAttribute('aria-busy');
        problemList(this.problemsTarget, diagram, strings);
        draw(this.drawingTarget, diagram, strings);
        outline(this.outlineTarget, diagram, strings, (key) => goToStep(this.form, key));
        const summary = diagram.problems.length
          ? format(strings.statusProblems, { count: diagram.problems.length })
          : strings.statusOk;
        if (this.statusTarget.textContent !== summary) this.statusTarget.textContent = summary;
        publish(diagram);
      }
    });

    /* A step's key: filled in from its title while the author has not typed one, and
       renamed with every choice and branch that leads to it. */
    application.register('signaal-step-key', class extends Controller {
      connect() {
        this.form = this.element.closest('form');
        this.previous = this.element.value;
        this.title = this.form?.querySelector(`[name="${this.element.name.replace(/-key$/, '-title')}"]`);
        this.message = html('p', { class: 'signaal-step-key__message', role: 'status' });
        this.element.after(this.message);
        this.onTitle = this.onTitle.bind(this);
        this.onInput = this.onInput.bind(this);
        this.onChange = this.onChange.bind(this);
        this.onFocus = () => { this.previous = this.element.value; };
        this.title?.addEventListener('input', this.onTitle);
        this.element.addEventListener('input', this.onInput);
        this.element.addEventListener('change', this.onChange);
        this.element.addEventListener('focus', this.onFocus);
      }

      disconnect() {
        this.title?.removeEventListener('input', this.onTitle);
        this.message.remove();
      }

      otherKeys() {
        return [...this.form.querySelectorAll(KEY_SELECTOR)]
          .filter((input) => input !== this.element)
          .map((input) => input.value);
      }

      onTitle() {
        const key = this.element.value;
        if (key && !shared.autoKeys.has(key)) return; // the author's own key stays
        const base = slugify(this.title.value);
        if (!base) return;
        const taken = new Set(this.otherKeys());
        let candidate = base;
        for (let number = 2; taken.has(candidate); number += 1) candidate = `${base}-${number}`;
        shared.autoKeys.delete(key);
        shared.autoKeys.add(candidate);
        this.rename(key, candidate);
        this.element.value = candidate;
        this.previous = candidate;
      }

      onInput() {
        shared.autoKeys.delete(this.element.value);
      }

      onChange() {
        const key = this.element.value.trim();
        const old = this.previous;
        this.message.textContent = '';
        if (key && this.otherKeys().includes(key)) {
          // Two steps with one key would merge their links: refused, the old key stays.
          this.element.value = old;
          this.message.textContent = format(shared.strings.keyTaken, { key, old });
          return;
        }
        const count = this.rename(old, key);
        if (count) this.message.textContent = format(shared.strings.renamed, { old, key, count });
        this.previous = key;
      }

      rename(old, key) {
        if (!old || !key || old === key) return 0; // an emptied key leaves its links alone
        let count = 0;
        this.form.querySelectorAll(TARGET_SELECTOR).forEach((input) => {
          if (input.value === old) {
            input.value = key;
            input.dispatchEvent(new CustomEvent('signaal:retarget', { bubbles: false }));
            count += 1;
          }
        });
        return count;
      }
    });

    /* Where a choice, step or branch leads: a list of the quiz's steps by title. */
    application.register('signaal-step-target', class extends Controller {
      connect() {
        const input = this.element;
        this.form = input.closest('form');
        this.select = html('select', { class: 'signaal-step-target__select', id: `${input.id}-choose` });
        const described = input.getAttribute('aria-describedby');
        if (described) this.select.setAttribute('aria-describedby', described);
        this.labels = [...document.querySelectorAll(`label[for="${input.id}"]`)];
        this.labels.forEach((label) => label.setAttribute('for', this.select.id));
        input.type = 'hidden';
        input.after(this.select);
        this.wrapper = input.parentElement;
        this.wrapper.classList.add('signaal-step-target');
        this.signature = '';
        this.render = this.render.bind(this);
        this.onChoose = this.onChoose.bind(this);
        this.select.addEventListener('change', this.onChoose);
        input.addEventListener('signaal:retarget', () => { this.signature = ''; this.render(shared.diagram); });
        shared.listeners.add(this.render);
        this.render(shared.diagram);
      }

      disconnect() {
        shared.listeners.delete(this.render);
        this.select.remove();
        this.labels.forEach((label) => label.setAttribute('for', this.element.id));
      }

      render(diagram) {
        const strings = shared.strings;
        const value = this.element.value;
        const steps = (diagram?.nodes || []).filter((node) => !node.missing && node.key);
        const signature = JSON.stringify([value, steps.map((node) => [node.key, node.title])]);
        if (signature === this.signature) return;
        this.signature = signature;
        const options = [html('option', { value: '' }, strings.choose || '—')];
        steps.forEach((node) => options.push(html('option', { value: node.key }, stepName(node))));
        if (value && !steps.some((node) => node.key === value)) {
          const known = diagram ? format(strings.missingTarget, { key: value }) : value;
          options.push(html('option', { value }, known));
        }
        const group = html('optgroup', { label: strings.newStep || '+' });
        Object.entries(strings.kinds || {}).forEach(([kind, label]) => {
          group.append(html('option', { value: `new:${kind}` }, format(strings.newStepOf, { kind: label })));
        });
        this.select.replaceChildren(...options, group);
        this.select.value = value;
      }

      onChoose() {
        const choice = this.select.value;
        if (choice.startsWith('new:')) {
          const key = this.addStep(choice.slice(4));
          if (!key) {
            this.select.value = this.element.value;
            return;
          }
          this.element.value = key;
        } else {
          this.element.value = choice;
        }
        this.signature = '';
        this.render(shared.diagram);
        this.element.dispatchEvent(new Event('change', { bubbles: true }));
      }

      addStep(kind) {
        // Wagtail keeps the steps field's block object on its root element.
        const root = document.getElementById('steps-root')?.rootBlock;
        if (!root?.blockDef?.initialChildStates?.[kind]) return '';
        const taken = new Set([...this.form.querySelectorAll(KEY_SELECTOR)].map((input) => input.value));
        let number = root.children.length + 1;
        while (taken.has(`stap-${number}`)) number += 1;
        const key = `stap-${number}`;
        shared.autoKeys.add(key);
        // A copy of the kind's initial state, with fresh ids for its list items (the
        // initial state's ids would repeat those of every other new step of that kind).
        const newId = () => (window.crypto?.randomUUID ? window.crypto.randomUUID() : null);
        const fresh = (state) => {
          if (Array.isArray(state)) return state.map(fresh);
          if (!state || typeof state !== 'object') return state;
          const copy = Object.fromEntries(Object.entries(state).map(([name, inner]) => [name, fresh(inner)]));
          if ('id' in copy && 'value' in copy) copy.id = newId();
          return copy;
        };
        const value = { ...fresh(root.blockDef.initialChildStates[kind]), key };
        root.insert({ type: kind, value, id: newId() }, root.children.length, { animate: false });
        const status = document.querySelector('[data-signaal-scenario-map-target="status"]');
        if (status) status.textContent = format(shared.strings.added, { key });
        return key;
      }
    });

    /* The insight report: the same map with the share of attempts along each way. */
    application.register('signaal-scenario-insight', class extends Controller {
      static targets = ['drawing', 'outline'];

      static values = { strings: Object };

      connect() {
        const data = this.element.querySelector('script[type="application/json"]');
        const diagram = JSON.parse(data.textContent);
        draw(this.drawingTarget, diagram, this.stringsValue);
        outline(this.outlineTarget, diagram, this.stringsValue, null);
      }
    });
  }

  function start() {
    const application = window.wagtail?.app;
    const Controller = window.StimulusModule?.Controller;
    if (application && Controller) register(application, Controller);
  }

  if (window.wagtail?.app) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
})();
