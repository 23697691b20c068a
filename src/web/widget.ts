import type { mountChat } from './chat.js';
import { CHAT_CSS, WIDGET_CSS } from './styles.js';
import { stringsFor } from './strings.js';
import { h } from './dom.js';
import { icon } from './icons.js';
import './widgetPanel.types.js';

type MountChat = typeof mountChat;

/** Where the panel bundle is: next to this script (set when widget.js runs), else under the API host. */
const SCRIPT = document.currentScript as HTMLScriptElement | null;
const PANEL_URL = SCRIPT?.src ? new URL('assets/widget-panel.js', SCRIPT.src).href : null;
let panel: Promise<MountChat> | null = null;

/** Below this width (CSS px of the visual viewport) the open panel fills the screen. */
const NARROW = 520;

/** Loads the chat panel (marked, DOMPurify, the chat UI) once, on first open. */
function loadPanel(apiBase: string): Promise<MountChat> {
  if (window.__yijuWidgetPanel) return Promise.resolve(window.__yijuWidgetPanel.mountChat);
  return (panel ??= new Promise<MountChat>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = PANEL_URL ?? `${apiBase.replace(/\/+$/u, '')}/assets/widget-panel.js`;
    script.async = true;
    script.onload = () => (window.__yijuWidgetPanel ? resolve(window.__yijuWidgetPanel.mountChat) : reject(new Error('the panel did not load')));
    script.onerror = () => reject(new Error('the panel did not load'));
    document.head.append(script);
  }).catch((err: unknown) => {
    panel = null; // let a later open try again
    throw err;
  }));
}

/**
 * <yiju-widget>: a launcher button and a chat panel in a shadow root, so the
 * host page's CSS cannot reach in and the widget's cannot leak out. Options are
 * data-* attributes (copied from the <script> tag that loads widget.js).
 */
class YijuWidget extends HTMLElement {
  private launcher!: HTMLButtonElement;
  private panel!: HTMLDivElement;
  private chat: ReturnType<MountChat> | null = null;
  private mounting: Promise<void> | null = null;
  private strings!: ReturnType<typeof stringsFor>;
  private placing = 0;

  connectedCallback(): void {
    this.place();
    for (const target of [window.visualViewport, window]) {
      target?.addEventListener('resize', this.schedulePlace);
      target?.addEventListener('scroll', this.schedulePlace);
    }
    if (this.shadowRoot) return;
    const d = this.dataset;
    const strings = stringsFor(d.lang);
    const shadow = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = CHAT_CSS + WIDGET_CSS + (d.color && /^#[0-9a-f]{3,8}$|^[a-z]+$/iu.test(d.color) ? `:host, .yj-root { --yj-primary: ${d.color}; }` : '');
    this.launcher = h('button', { type: 'button', class: 'yj-launcher', 'aria-controls': 'yj-panel' });
    this.panel = h('div', { class: 'yj-panel', id: 'yj-panel', role: 'dialog', 'aria-label': d.title ?? strings.title, hidden: true });
    // The panel comes before the launcher in the Tab order: from the question box Tab reaches send, then the launcher
    // (the close button while open), not the host page; Shift+Tab walks back through the answer and its chips.
    shadow.append(style, this.panel, this.launcher);
    this.strings = strings;
    this.showLauncher(false);
    this.launcher.addEventListener('click', () => (this.panel.hidden ? this.open() : this.close()));
    this.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.close();
      }
    });
    if (d.open === 'true' || d.open === '') this.open();
  }

  disconnectedCallback(): void {
    for (const target of [window.visualViewport, window]) {
      target?.removeEventListener('resize', this.schedulePlace);
      target?.removeEventListener('scroll', this.schedulePlace);
    }
  }

  /**
   * Lays the widget over the visual viewport (what the reader sees), not the layout viewport: a host page wider than
   * a phone's screen (an unwrapped <pre>, an old fixed-width site) widens the layout viewport, and a launcher fixed
   * to its corner ends up off screen. Under pinch zoom the widget is scaled back, so it keeps its size on screen.
   */
  private place = (): void => {
    this.placing = 0;
    const vv = window.visualViewport;
    const scale = vv?.scale ?? 1;
    const [x, y, w, h] = vv ? [vv.offsetLeft, vv.offsetTop, vv.width, vv.height] : [0, 0, window.innerWidth, window.innerHeight];
    this.style.setProperty('--yj-vx', `${x}px`);
    this.style.setProperty('--yj-vy', `${y}px`);
    this.style.setProperty('--yj-vw', `${w * scale}px`);
    this.style.setProperty('--yj-vh', `${h * scale}px`);
    // Scaled back only under zoom: any transform (scale(1) too) would make the chip popover's fixed position
    // relative to this element instead of the screen.
    this.style.transform = scale === 1 ? '' : `scale(${1 / scale})`;
    this.toggleAttribute('data-yj-narrow', w * scale <= NARROW);
  };
  private schedulePlace = (): void => {
    this.placing ||= requestAnimationFrame(this.place);
  };

  /** The launcher: a chat icon, or a cross while the panel is open; its name is also its tooltip. */
  private showLauncher(open: boolean): void {
    const label = open ? this.strings.close : (this.dataset.title ?? this.strings.open);
    this.launcher.setAttribute('aria-label', label);
    this.launcher.title = label;
    this.launcher.setAttribute('aria-expanded', String(open));
    this.launcher.replaceChildren(icon(open ? 'close' : 'chat', 28));
  }

  /** The panel's frame (its title and a close button) around what it holds while the chat is not mounted. */
  private frame(...body: Node[]): HTMLElement {
    const close = h('button', { type: 'button', class: 'yj-close', 'aria-label': this.strings.close }, '×');
    close.addEventListener('click', () => this.close());
    const head = h('div', { class: 'yj-head' }, h('h2', { class: 'yj-title' }, this.dataset.title ?? this.strings.title), close);
    return h('div', { class: 'yj-root' }, head, ...body);
  }

  /** Mounts the chat into the panel, loading its code first; a failure is said in words with a retry. */
  private mount(): Promise<void> {
    const d = this.dataset;
    const apiBase = d.api ?? location.origin;
    this.panel.replaceChildren(this.frame(h('p', { class: 'yj-loading', role: 'status' }, this.strings.loading)));
    return (this.mounting ??= loadPanel(apiBase).then(
      (mount) => {
        this.panel.replaceChildren();
        this.chat = mount(this.panel, {
          apiBase,
          apiKey: d.key,
          strings: this.strings,
          title: d.title,
          greeting: d.greeting,
          placeholder: d.placeholder,
          examples: d.examples
            ?.split('|')
            .map((q) => q.trim())
            .filter(Boolean),
          onClose: () => this.close(),
          // data-timeout: seconds a silent server is waited for (default 30).
          ...(Number(d.timeout) > 0 ? { timeoutMs: Number(d.timeout) * 1000 } : {}),
        });
      },
      () => {
        this.mounting = null;
        const retry = h('button', { type: 'button' }, this.strings.retry);
        retry.addEventListener('click', () => void this.mount().then(() => this.chat?.focus()));
        const box = h('div', { class: 'yj-error yj-panel-error', role: 'alert' }, h('span', {}, this.strings.network), retry);
        this.panel.replaceChildren(this.frame(box));
        retry.focus();
      },
    ));
  }

  open(): void {
    this.panel.hidden = false;
    this.showLauncher(true);
    if (this.chat) this.chat.focus();
    else {
      // Focus waits in the panel while its code loads, then moves to the question box.
      this.panel.tabIndex = -1;
      this.panel.focus();
      void this.mount().then(() => this.chat?.focus());
    }
  }

  close(): void {
    this.panel.hidden = true;
    this.showLauncher(false);
    this.launcher.focus();
  }
}

if (!customElements.get('yiju-widget')) customElements.define('yiju-widget', YijuWidget);

// <script src=".../widget.js" data-…>: add one widget with the script's options; the API defaults to the script's host.
if (SCRIPT && !SCRIPT.hasAttribute('data-manual')) {
  const script = SCRIPT;
  const el = document.createElement('yiju-widget');
  for (const [k, v] of Object.entries(script.dataset)) if (v !== undefined) el.dataset[k] = v;
  if (!el.dataset.api && script.src) el.dataset.api = new URL(script.src).origin;
  const add = () => document.body.append(el);
  if (document.body) add();
  else document.addEventListener('DOMContentLoaded', add);
}
